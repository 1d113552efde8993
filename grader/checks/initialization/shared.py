"""What the checks of 04-initialization share: torch's fans, and one check for every initialiser.

Oracle of the initialisers: statistics on large samples, never one random stream. For each shape
the target distribution follows from the fans (torch's function) and
``torch.nn.init.calculate_gain``; the sample must have the right shape, mean, variance, bounds
(uniform) and law (a one-sample Kolmogorov-Smirnov test against the closed form, a two-sample
test against ``torch.nn.init``'s own initialiser on a tensor of the same shape), entries
uncorrelated with their neighbours, and two calls must give different draws. That the draws
come from ``rng`` and from nothing else is :class:`~grader.checks.properties.RngArgument`'s to
check.

Each statistical property rejects a correct answer with probability below ``P_FALSE_REJECT``
divided by the number of statistical properties of the check (a union bound).
"""

from __future__ import annotations

import math
from typing import Any, ClassVar

import numpy as np
import torch
from scipy import stats

from ..base import Case, Check, Data, expect
from ..judging import answer_array, answer_list, remembered
from ..probing import call, student_array
from ..properties import RngArgument
from ..stats import (
    P_FALSE_REJECT,
    binomial_band,
    correlation_radius,
    ks_test,
    mean_radius,
    uniform_max_gap,
    variance_radius,
)

__all__ = ["BIG", "SAMPLE_SEED", "REPEAT_SEED", "SHAPE_HINT", "torch_fans", "InitializerCheck"]

#: Samples with at least this many entries get the statistical tests (decided from the case's
#: shape, an input, never from the size of the answer).
BIG = 10_000

#: How a correct answer's draws are asked for: the statistical tests never see these seeds.
SAMPLE_SEED, REPEAT_SEED = 404, 4040


def torch_fans(shape: tuple[int, ...]) -> tuple[int, int]:
    """(fan_in, fan_out) of a weight of ``shape``, as torch computes them (no memory used)."""
    return torch.nn.init._calculate_fan_in_and_fan_out(torch.empty(tuple(shape), device="meta"))


def _torch_reference(kind: str, shape: tuple[int, ...], params: dict[str, Any]) -> np.ndarray:
    """A sample of torch.nn.init's own initialiser on a tensor of ``shape`` (fixed seed)."""
    gen = torch.Generator().manual_seed(1234567 + sum(shape))
    t = torch.empty(shape, dtype=torch.float64)
    if kind == "xavier_uniform":
        torch.nn.init.xavier_uniform_(t, gain=params["gain"], generator=gen)
    elif kind == "xavier_normal":
        torch.nn.init.xavier_normal_(t, gain=params["gain"], generator=gen)
    else:
        torch.nn.init.kaiming_normal_(t, a=params["a"], mode=params["mode"],
                                      nonlinearity=params["nonlinearity"], generator=gen)
    return t.numpy().ravel()


def _target(kind: str, shape: tuple[int, ...], params: dict[str, Any]) -> tuple[str, float, str]:
    """(distribution, scale, formula): 'uniform' with bound r, or 'normal' with std."""
    fan_in, fan_out = torch_fans(shape)
    if kind == "xavier_uniform":
        r = params["gain"] * math.sqrt(6.0 / (fan_in + fan_out))
        return "uniform", r, f"U(-r, r), r = gain*sqrt(6/(fan_in+fan_out)) = {params['gain']:.4g}*sqrt(6/({fan_in}+{fan_out})) = {r:.5g}"
    if kind == "xavier_normal":
        s = params["gain"] * math.sqrt(2.0 / (fan_in + fan_out))
        return "normal", s, f"N(0, std^2), std = gain*sqrt(2/(fan_in+fan_out)) = {params['gain']:.4g}*sqrt(2/({fan_in}+{fan_out})) = {s:.5g}"
    fan = fan_in if params["mode"] == "fan_in" else fan_out
    gain = torch.nn.init.calculate_gain(params["nonlinearity"], params["a"])
    s = gain / math.sqrt(fan)
    return "normal", s, (f"N(0, std^2), std = gain/sqrt({params['mode']}) = {gain:.5g}/sqrt({fan}) = {s:.5g} "
                         f"(nonlinearity={params['nonlinearity']!r}, a={params['a']:g})")


def _variance_hint(kind: str) -> str:
    if kind == "xavier_uniform":
        return ("Var U(-r, r) = r^2 / 3, so r = gain * sqrt(6 / (fan_in + fan_out)); "
                "check the gain and that the fans include the receptive field prod(shape[2:])")
    if kind == "xavier_normal":
        return ("std = gain * sqrt(2 / (fan_in + fan_out)): pass the STANDARD DEVIATION, not the variance, "
                "use both fans and the receptive field prod(shape[2:])")
    return ("std = gain / sqrt(fan) with fan = fan_in or fan_out as `mode` says; gain = sqrt(2) for relu, "
            "sqrt(2 / (1 + a^2)) for leaky_relu, 1 for linear")


SHAPE_HINT = "draw exactly `shape` numbers: size=shape (NumPy) or torch.empty(shape)"


class InitializerCheck(Check):
    """One check for ``<init>(shape, **params, rng)``: a ``"sample"`` case per shape (one draw, judged
    by its law), then a ``"repeat"`` case (two draws in a row from one generator must differ)."""

    randomized = True
    #: Which initialiser: "xavier_uniform", "xavier_normal" or "kaiming_normal".
    init: ClassVar[str]

    def samples(self, *, visible: bool) -> list[dict[str, Any]]:
        """{"shape", "params"} of every sample, the first one also drawn twice for the repetition test."""
        raise NotImplementedError

    properties = (RngArgument(draws=(2, 6, 5)),)

    def with_rng(self, obj: Any, rng: np.random.Generator) -> Data:
        """Two 6 x 5 draws in a row from one generator, with the first sample's options (for RngArgument)."""
        params = self.samples(visible=True)[0]["params"]
        return {"draws": np.stack([student_array(self, call(self, obj, (6, 5), **params, rng=rng,
                                                            what=f"{self.init}((6, 5), rng=rng)"), "a draw", (6, 5))
                                   for _ in range(2)])}

    def cases(self, *, visible: bool) -> list[Data]:
        samples = self.samples(visible=visible)
        return ([{"kind": "sample", "shape": list(s["shape"]), "params": s["params"], "seed": [SAMPLE_SEED, j]}
                 for j, s in enumerate(samples)]
                + [{"kind": "repeat", "shape": list(samples[0]["shape"]), "params": samples[0]["params"],
                    "seed": REPEAT_SEED}])

    def answer(self, obj: Any, case: Data) -> Data:
        shape, params = tuple(case["shape"]), case["params"]
        if case["kind"] == "repeat":
            rng = np.random.default_rng(case["seed"])
            return {"draws": [student_array(self, call(self, obj, shape, **params, rng=rng, what=f"{which} call"), "a draw")
                              for which in ("a second", "a third")]}
        what = f"{self.init}({shape}, {', '.join(f'{k}={v!r}' for k, v in params.items())}, rng=...)"
        out = call(self, obj, shape, **params, rng=np.random.default_rng(case["seed"]), what=what)
        if out is None:
            raise self.fail(f"{what} returned None", expected=f"an array of shape {shape}", actual=None,
                            hint="did you forget the `return` statement?")
        sample = student_array(self, out, "the initialised weights")
        if sample.shape != shape:
            raise self.fail(f"{what} returned the wrong shape", expected=shape, actual=sample.shape, hint=SHAPE_HINT)
        return {"sample": sample}

    def judge_cases(self, cases: list[Case]) -> int:
        # which cases get the statistical tests follows from their shapes (inputs), not from the answers
        big = [c for c, _ in cases if c["kind"] == "sample" and math.prod(c["shape"]) >= BIG]
        p = P_FALSE_REJECT / (7 * len(big) + 2)
        n = 0
        for case, answer in cases:
            if case["kind"] == "sample":
                n += self._judge_sample(case, answer, p)
            elif case["kind"] == "repeat":
                n += self._judge_repeat(case, answer)
        return n + self._judge_tails([(c, a) for c, a in cases if c["kind"] == "sample"
                                      and math.prod(c["shape"]) >= BIG], p)

    def _judge_tails(self, cases: list[Case], p: float) -> int:
        """A normal law's tails, on all the large samples together in units of their target std: the count
        beyond 3 std is Binomial(n, 2 Phi(-3)) (an exact band). A sum of 12 uniforms minus 6 (Irwin-Hall),
        or another bell with the right variance, puts a quarter fewer weights there."""
        if not cases or _target(self.init, tuple(cases[0][0]["shape"]), cases[0][0]["params"])[0] != "normal":
            return 0
        beyond, total = 0, 0
        for case, answer in cases:
            shape = tuple(case["shape"])
            w = answer_array(self, answer, "sample", shape, f"the weights {self.init}{shape} returned", hint=SHAPE_HINT)
            beyond += int(np.count_nonzero(np.abs(w) > 3.0 * _target(self.init, shape, case["params"])[1]))
            total += w.size
        share = 2.0 * stats.norm.sf(3.0)
        lo, hi = binomial_band(total, share, p)
        expect(self, lo <= beyond <= hi,
               f"the weights must be normal in the tails too: of {total} weights (all large shapes, in units of "
               f"their std), a normal law puts about {share * total:.0f} beyond 3 std (between {lo:.0f} and {hi:.0f}, "
               f"p < {p:.0e})", expected=f"{lo:.0f} to {hi:.0f} beyond 3 std", actual=f"{beyond} beyond 3 std",
               hint="the variance is not enough: a sum of uniforms or another bell-shaped law has lighter tails; "
                    "draw normal numbers (rng.normal or rng.standard_normal)")
        return 1

    def _judge_sample(self, case: Data, answer: Any, p: float) -> int:
        shape, params = tuple(case["shape"]), case["params"]
        sample = answer_array(self, answer, "sample", shape, f"the weights {self.init}{shape} returned",
                              hint=SHAPE_HINT)
        w = sample.ravel()
        dist, scale, formula = _target(self.init, shape, params)
        fan_in, fan_out = torch_fans(shape)
        where = f"(shape {shape}, fan_in={fan_in}, fan_out={fan_out}; target {formula})"
        expect(self, bool(np.all(np.isfinite(w))), f"every weight must be finite {where}",
               expected="finite numbers", actual=f"{np.count_nonzero(~np.isfinite(w))} non-finite entries")
        n_props = 1
        if dist == "uniform":
            worst = float(np.max(np.abs(w)))
            expect(self, worst <= scale * (1 + 1e-6),
                   f"every weight must lie in [-r, r] {where}", expected=f"|w| <= {scale:.6g}", actual=f"max |w| = {worst:.6g}",
                   hint="r = gain * sqrt(6 / (fan_in + fan_out)): the 6 makes the VARIANCE r^2/3 equal 2/(fan_in+fan_out)")
            n_props += 1
        if math.prod(shape) < BIG:
            return n_props
        return n_props + self._large_sample(shape, params, sample, p, where)

    @remembered  # the same sample judged again (a retried batch, another answer forged) costs a hash
    def _large_sample(self, shape: tuple[int, ...], params: dict[str, Any], sample: np.ndarray, p: float,
                      where: str) -> int:
        """The statistics of a large sample: mean, variance, laws, independence."""
        w = sample.ravel()
        dist, scale, _ = _target(self.init, shape, params)
        n = math.prod(shape)  # = w.size: the sample's shape was checked above
        var = scale**2 / 3.0 if dist == "uniform" else scale**2
        std = math.sqrt(var)
        if dist == "uniform":
            d = uniform_max_gap(n, p)
            worst = float(np.max(np.abs(w)))
            expect(self, worst >= scale * (1 - d),
                   f"the weights must fill [-r, r]: the largest |w| of {n} draws must come close to r {where}",
                   expected=f"max |w| >= {scale * (1 - d):.6g}", actual=f"max |w| = {worst:.6g}",
                   hint="the bound is r = gain * sqrt(6 / (fan_in + fan_out)), not the standard deviation")
        # fresh numbers for every weight: a repeated row, filter or block shows as repeated values (draws
        # from a continuous law repeat only by rounding, a few in 10^4 even for float32), and one half
        # made from the other (antithetic draws -z) as a correlation between the halves
        distinct = int(np.unique(w).size)
        expect(self, distinct >= 0.99 * n,
               f"the weights must be drawn independently: only {distinct} distinct values among {n} weights {where}",
               expected=f"about {n} distinct values", actual=f"{distinct}",
               hint="draw all prod(shape) numbers at once; do not repeat or tile one row or filter")
        half = n // 2
        r = float(np.corrcoef(w[:half], w[half:2 * half])[0, 1])
        limit = correlation_radius(half, p) + 1e-9
        expect(self, abs(r) <= limit,
               f"the weights must be drawn independently: the first and the second half of the weights are "
               f"correlated {where}", expected=f"|correlation| <= {limit:.3g}", actual=f"correlation {r:.4f}",
               hint="draw all prod(shape) numbers at once; do not build one part from another (e.g. -z)")
        mean = float(w.mean())
        expect(self, abs(mean) <= mean_radius(n, std, p),
               f"the weights must have mean 0 {where}", expected=f"|mean| <= {mean_radius(n, std, p):.3g}",
               actual=f"mean {mean:.4g}", hint="draw symmetrically around 0")
        # the sample variance: kurtosis 9/5 (uniform), 3 (normal)
        kurt = 1.8 if dist == "uniform" else 3.0
        s2 = float(np.mean((w - mean) ** 2))
        tol = variance_radius(n, var, kurt, p) + 1e-12
        expect(self, abs(s2 - var) <= tol,
               f"the weights must have variance {var:.5g} (std {std:.5g}) {where}",
               expected=f"variance {var:.5g} +- {tol:.2g}", actual=f"variance {s2:.5g} (ratio {s2 / var:.3f})",
               hint=_variance_hint(self.init))
        ref_cdf = stats.uniform(loc=-scale, scale=2 * scale).cdf if dist == "uniform" else stats.norm(scale=scale).cdf
        ks_stat, ks_p = ks_test(w, ref_cdf)
        expect(self, ks_p > p,
               f"the weights must follow {'U(-r, r)' if dist == 'uniform' else 'N(0, std^2)'} (one-sample Kolmogorov-Smirnov test, "
               f"statistic {ks_stat:.4f}, p = {ks_p:.1e} < {p:.0e}) {where}",
               expected=f"a {dist} distribution", actual=f"sample kurtosis {stats.kurtosis(w, fisher=False):.3f} "
               f"(uniform 1.8, normal 3.0)",
               hint=f"draw from a {dist} distribution" + (" (rng.uniform(-r, r, size=shape))" if dist == "uniform"
                                                             else " (rng.normal(0.0, std, size=shape))"))
        ref = _torch_reference(self.init, shape, params)
        ks2_stat, ks2_p = ks_test(w, ref)
        expect(self, ks2_p > p,
               f"the weights must be distributed like torch.nn.init.{self.init}_ on the same shape "
               f"(two-sample Kolmogorov-Smirnov statistic {ks2_stat:.4f}, p = {ks2_p:.1e} < {p:.0e}) {where}",
               expected=f"std {ref.std():.5g} (torch's sample)", actual=f"std {w.std():.5g}",
               hint="compare your formula with the docstring of torch.nn.init." + self.init + "_")
        grid = sample.reshape(shape[0], -1)
        for lag_name, a, b in (("neighbouring entries", grid[:, :-1], grid[:, 1:]),
                               ("neighbouring rows", grid[:-1], grid[1:])):
            if a.size < 1000:
                continue
            r = float(np.corrcoef(a.ravel(), b.ravel())[0, 1])
            limit = correlation_radius(a.size, p) + 1e-9
            expect(self, abs(r) <= limit,
                   f"the weights must be drawn independently: {lag_name} are correlated {where}",
                   expected=f"|correlation| <= {limit:.3g}", actual=f"correlation {r:.4f}",
                   hint="draw all prod(shape) numbers at once; do not repeat or tile one row")
        return 8

    def _judge_repeat(self, case: Data, answer: Any) -> int:
        """Two draws in a row: a shorter, reshaped or non-finite pair must not pass for "different"
        (NaN != NaN, and arrays of two shapes used to count as all different)."""
        shape = tuple(case["shape"])
        draws = answer_list(self, answer, "draws", 2, "the two draws of the repetition test",
                            prop="the repetition test needs two draws")
        first, second = (answer_array(self, {"draw": a}, "draw", shape, f"the {which} call {self.init}{shape} in a row",
                                      hint=SHAPE_HINT) for a, which in zip(draws, ("first", "second")))
        for which, a in (("first", first), ("second", second)):
            expect(self, bool(np.all(np.isfinite(a))), f"every weight of the {which} call in a row must be finite",
                   expected="finite numbers", actual=f"{np.count_nonzero(~np.isfinite(a))} non-finite entries")
        same = float(np.mean(first == second))
        expect(self, same < 0.5, "two calls in a row must give different weights",
               expected="fresh random numbers on every call", actual=f"{100 * same:.0f} % of the entries repeat",
               hint="draw from the rng passed in; do not create a new generator with a fixed seed inside the function")
        return 1
