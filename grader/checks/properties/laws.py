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
    tests = 1

    def __init__(self, variable: str, law: str, *, cdf: Callable[[Data], Any] | None = None,
                 pmf: Callable[[Data], np.ndarray] | None = None, hint: str = "", **kw: Any) -> None:
        """``cdf(params)``: a continuous law (Kolmogorov-Smirnov); ``pmf(params)``: the probabilities of the
        values 0..K-1 (a chi-square test of fit, the values expected fewer than 5 times pooled into one
        cell; a value outside 0..K-1 counts in that cell, or fails at once where no value is rare).
        ``law`` is the sentence of the notebook."""
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
                k = len(probs)
                inside = (x == np.round(x)) & (x >= 0) & (x < k)
                counts = np.bincount(x[inside].astype(np.int64), minlength=k).astype(np.float64)
                expected = probs * n
                rare = expected < 5
                if (~inside).any() and expected[rare].sum() < 5:
                    raise check.fail(f"{self.var} takes values its law never gives {where}",
                                     expected=self.law, actual=f"{int((~inside).sum())} draws outside the law's values",
                                     hint=self.hint)
                cells = np.append(counts[~rare], counts[rare].sum() + (~inside).sum())
                means = np.append(expected[~rare], expected[rare].sum())
                if means[-1] <= 0:
                    cells, means = cells[:-1], means[:-1]
                stat, p = st.chisquare(cells, means * cells.sum() / means.sum())
                if not p >= P_PROPERTY:
                    worst = int(np.argmax(np.abs(cells - means) / np.sqrt(means)))
                    value = (f"value {int(np.flatnonzero(~rare)[worst])}" if worst < (~rare).sum()
                             else "the rare values together")
                    raise check.fail(f"{self.var} does not follow its law {where}: chi-square {stat:.1f}, p = {p:.2g}",
                                     expected=f"{self.law} ({means[worst]:.0f} draws of {value})",
                                     actual=f"{cells[worst]:.0f} draws", hint=self.hint)
        return len(cases)


class Independent(_Sampled):
    """{what}"""

    name = "independent"

    def __init__(self, *pairs: tuple[str, str], what: str, hint: str = "", **kw: Any) -> None:
        """``pairs``: variables of small integer values (the check's ``draws`` discretises), two by two;
        a chi-square test of independence on each pair's table of counts (each spends P_PROPERTY)."""
        super().__init__(**kw)
        self.pairs, self.what, self.hint = pairs, what, hint

    @property
    def tests(self) -> int:
        """Statistical tests per case."""
        return len(self.pairs)

    def wording(self) -> dict[str, str]:
        return {"what": self.what}

    def judge_cases(self, check: Check, cases: list[Case]) -> int:
        from scipy import stats as st

        from ..stats import P_PROPERTY

        for (case, answer), (first, second) in ((c, pair) for c in cases for pair in self.pairs):
            n = case["draws"]
            a, b = (self.variable(check, answer, v, n) for v in (first, second))
            _, ia = np.unique(a, return_inverse=True)
            _, ib = np.unique(b, return_inverse=True)
            table = np.zeros((ia.max() + 1, ib.max() + 1))
            np.add.at(table, (ia, ib), 1)
            table = table[table.sum(1) > 0][:, table.sum(0) > 0]
            if min(table.shape) < 2:
                continue  # one variable never varies: the check's own tests say so
            stat, p, *_ = st.chi2_contingency(table, correction=False)
            if not p >= P_PROPERTY:
                raise check.fail(f"{first} and {second} are not independent ({n} draws): chi-square "
                                 f"{stat:.1f}, p = {p:.2g}", expected=self.what, actual=f"p-value {p:.2g}",
                                 hint=self.hint or f"draw {first} and {second} separately from rng")
        return len(cases) * len(self.pairs)
