"""Laws and independence of random results, spending the property share of the budget."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ..base import Case, Check, Data
from ..judging import answer_array, answer_dict
from .core import Property

__all__ = ["Law", "Independent"]


class _Sampled(Property):
    """Cases of ``draws`` samples under a fixed rng seed, drawn by the check's adapter
    ``draws(obj, rng, n, params)`` (a dict of 1-D arrays of length n, one per named variable)."""

    def __init__(self, *, params: tuple[Data, ...] = ({},), draws: int = 2000, seed: int = 101) -> None:
        self.params, self.n_draws, self.seed = params, draws, seed

    def cases(self, check: Check, *, visible: bool) -> list[Data]:
        return [{"params": dict(p), "draws": self.n_draws, "seed": self.seed + i} for i, p in enumerate(self.params)]

    def answer(self, check: Check, obj: Any, case: Data) -> Data:
        return {"draws": check.draws(obj, np.random.default_rng(case["seed"]), case["draws"], case["params"])}

    def variable(self, check: Check, answer: Any, name: str, n: int) -> np.ndarray:
        got = answer_dict(check, answer, "draws", "the draws")
        return answer_array(check, got, name, (n,), f"the draws of {name}")


class Law(_Sampled):
    """{law}"""

    name = "law"

    def __init__(self, variable: str, law: str, *, cdf: Callable[[Data], Any] | None = None,
                 pmf: Callable[[Data], np.ndarray] | None = None, hint: str = "", **kw: Any) -> None:
        """``cdf(params)``: a continuous law (Kolmogorov-Smirnov); ``pmf(params)``: the probabilities of the
        values 0..K-1 (a chi-square test of fit). ``law`` is the sentence of the notebook."""
        super().__init__(**kw)
        self.var, self.law, self.cdf, self.pmf, self.hint = variable, law, cdf, pmf, hint

    def wording(self) -> dict[str, str]:
        return {"law": self.law}

    def judge_cases(self, check: Check, cases: list[Case]) -> int:
        from scipy import stats as st

        from ..stats import P_PROPERTY

        for case, answer in cases:
            n = case["draws"]
            x = self.variable(check, answer, self.var, n)
            where = f"({n} draws, {', '.join(f'{k}={v}' for k, v in case['params'].items()) or 'defaults'})"
            if self.cdf is not None:
                stat, p = st.kstest(x, self.cdf(case["params"]).cdf)
                if not p >= P_PROPERTY:
                    raise check.fail(f"{self.var} does not follow its law {where}: Kolmogorov-Smirnov statistic "
                                     f"{stat:.3g}, p = {p:.2g}", expected=self.law, actual=f"p-value {p:.2g}",
                                     hint=self.hint)
            else:
                probs = np.asarray(self.pmf(case["params"]), dtype=np.float64)
                ok = np.all(x == np.round(x)) and x.min() >= 0 and x.max() < len(probs)
                if not ok:
                    raise check.fail(f"{self.var} must take the values 0..{len(probs) - 1} {where}",
                                     expected=f"integers in 0..{len(probs) - 1}", actual=x[:10], hint=self.hint)
                counts = np.bincount(x.astype(np.int64), minlength=len(probs))
                stat, p = st.chisquare(counts, probs * n)
                if not p >= P_PROPERTY:
                    worst = int(np.argmax(np.abs(counts - probs * n) / np.sqrt(probs * n)))
                    raise check.fail(f"{self.var} does not follow its law {where}: chi-square {stat:.1f}, p = {p:.2g}",
                                     expected=f"{probs[worst] * n:.0f} draws of value {worst}",
                                     actual=f"{counts[worst]} draws", hint=self.hint)
        return len(cases)


class Independent(_Sampled):
    """{what}"""

    name = "independent"

    def __init__(self, first: str, second: str, what: str, *, hint: str = "", **kw: Any) -> None:
        """``first`` and ``second``: variables of small integer values (the check's ``draws``
        discretises); a chi-square test of independence on their table of counts."""
        super().__init__(**kw)
        self.first, self.second, self.what, self.hint = first, second, what, hint

    def wording(self) -> dict[str, str]:
        return {"what": self.what}

    def judge_cases(self, check: Check, cases: list[Case]) -> int:
        from scipy import stats as st

        from ..stats import P_PROPERTY

        for case, answer in cases:
            n = case["draws"]
            a, b = (self.variable(check, answer, v, n) for v in (self.first, self.second))
            _, ia = np.unique(a, return_inverse=True)
            _, ib = np.unique(b, return_inverse=True)
            table = np.zeros((ia.max() + 1, ib.max() + 1))
            np.add.at(table, (ia, ib), 1)
            table = table[table.sum(1) > 0][:, table.sum(0) > 0]
            if min(table.shape) < 2:
                continue  # one variable never varies: the check's own tests say so
            stat, p, *_ = st.chi2_contingency(table, correction=False)
            if not p >= P_PROPERTY:
                raise check.fail(f"{self.first} and {self.second} are not independent ({n} draws): chi-square "
                                 f"{stat:.1f}, p = {p:.2g}", expected=self.what, actual=f"p-value {p:.2g}",
                                 hint=self.hint or f"draw {self.first} and {self.second} separately from rng")
        return len(cases)
