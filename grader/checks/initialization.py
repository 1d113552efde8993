"""Checks for 04-initialization: symmetry, fans, Xavier uniform / normal, Kaiming normal.

Every probe calls the student's function on inputs built here and returns plain data; every
judge compares that data with an oracle that shares no code with a solution:

* ``unit_symmetry_gap``: the largest Chebyshev (max-abs) distance between two units'
  incoming parameters, computed with ``torch.cdist(p=inf)`` on the rows of ``[W | b]``.
* ``compute_fans``: ``torch.nn.init._calculate_fan_in_and_fan_out`` on a meta tensor of the
  same shape, and the ``ValueError`` torch raises for fewer than two dimensions.
* ``xavier_uniform``, ``xavier_normal``, ``kaiming_normal``: statistics on large samples,
  never one random stream. For each shape the target distribution follows from the fans
  (torch's function) and ``torch.nn.init.calculate_gain``; the sample must have the right
  shape, mean, variance, bounds (uniform) and distribution (one-sample Kolmogorov-Smirnov
  test against the closed form, two-sample test against ``torch.nn.init``'s own
  initialiser on a tensor of the same shape), entries uncorrelated with their neighbours,
  and two calls must give different draws. An answer that ignores ``rng`` and uses torch's
  generator, ``np.random`` or ``random`` passes alike.

Each statistical property rejects a correct answer with probability below ``P_FALSE_REJECT``
divided by the number of statistical properties of the check (a union bound).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import torch
from scipy import stats

from .base import (
    P_FALSE_REJECT,
    Check,
    Data,
    as_float_array,
    expect,
    expect_close,
    register,
)
from .base import answer_array as _answer
from .base import answer_field as _field
from .base import answer_number as _number
from .base import describe as _kind
from .base import real_array as _real_array
from .base import shaped_array as _shaped

__all__ = [
    "UnitSymmetryGap",
    "ComputeFans",
    "XavierUniform",
    "XavierNormal",
    "KaimingNormal",
    "torch_fans",
]

#: Samples with at least this many entries get the statistical tests (decided from the case's
#: shape, an input, never from the size of the answer).
BIG = 10_000


def torch_fans(shape: tuple[int, ...]) -> tuple[int, int]:
    """(fan_in, fan_out) of a weight of ``shape``, as torch computes them (no memory used)."""
    return torch.nn.init._calculate_fan_in_and_fan_out(torch.empty(tuple(shape), device="meta"))


def _call(check: Check, fn: Any, *args: Any, what: str, **kwargs: Any) -> Any:
    """Call student code; any error except NotImplementedError becomes a CheckFailure."""
    try:
        return fn(*args, **kwargs)
    except NotImplementedError:
        raise
    except Exception as err:  # a crash in student code is a failed property, not a grader crash
        raise check.fail(f"{what} raised an error", expected="a return value",
                         actual=f"{type(err).__name__}: {err}",
                         hint="run the call yourself in the notebook and read the traceback") from None


def _error_kind(fn: Any, *args: Any, **kwargs: Any) -> str:
    """'ValueError', another exception's name, or 'returned' when the call did not raise."""
    try:
        fn(*args, **kwargs)
    except NotImplementedError:
        raise
    except ValueError:
        return "ValueError"
    except Exception as err:
        return f"{type(err).__name__}: {err}"
    return "returned"


# Judge-side reading of the answers. When autograding, the probe runs in the student's kernel
# and its data may be forged: a judge trusts nothing the probe validated there, so it checks
# the type, shape and presence of every answer itself, with shapes taken from the inputs
# (which the grader has verified, see Check.inputs), never from the answers.

def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, (bool, np.bool_))


def _outcomes(check: Check, data: Any, what: str) -> Mapping[str, Any]:
    """The ``errors`` answer: a dict from the grader's keys to what each call did."""
    errors = _field(check, data, "errors", what)
    expect(check, isinstance(errors, Mapping), f"{what} must be a dict", expected="a dict", actual=_kind(errors))
    return errors


# ---------------------------------------------------------------------------------------
# unit_symmetry_gap
# ---------------------------------------------------------------------------------------

def _symmetry_cases(visible: bool) -> list[dict[str, Any]]:
    rng = np.random.default_rng(404)
    row = np.array([0.3, -2.0, 5.0, 0.1])
    cases = [
        {"W": rng.standard_normal((5, 3)), "b": rng.standard_normal(5)},
        # identical rows, very different columns: the gap is exactly 0
        {"W": np.tile(row, (4, 1)), "b": np.full(4, 0.25)},
        # the farthest pair (2, 4) is neither adjacent nor involves unit 0
        {"W": np.array([[0.0, 0.0], [0.1, 0.0], [5.0, -1.0], [0.2, 0.0], [-4.0, 2.0]]), "b": None},
    ]
    if visible:
        return cases
    return cases + [
        # the units differ only in their biases
        {"W": np.tile(row, (3, 1)), "b": np.array([0.0, 0.0, 1e-3])},
        # a difference in every coordinate: max-abs 1, Euclidean 2
        {"W": np.array([[1.0, 1.0, 1.0, 1.0], [0.0, 0.0, 0.0, 0.0], [0.5, 0.5, 0.5, 0.5]]), "b": np.zeros(3)},
        # one unit: no pair, gap 0
        {"W": rng.standard_normal((1, 6)), "b": rng.standard_normal(1)},
        {"W": rng.standard_normal((40, 20)) * 0.1, "b": rng.standard_normal(40) * 0.01},
        {"W": 0.1 * np.ones((8, 5)), "b": None},
        # bias differences dominate the weight differences
        {"W": 0.01 * rng.standard_normal((6, 3)), "b": np.array([3.0, -1.0, 0.0, 0.5, 2.0, -2.5])},
        # square layer with a large outgoing-style (column) spread but a small row spread
        {"W": np.array([[0.0, 10.0, -10.0], [0.1, 10.1, -9.9], [0.05, 9.95, -10.05]]), "b": None},
    ]


def _symmetry_oracle(W: np.ndarray, b: np.ndarray | None) -> float:
    P = torch.as_tensor(W, dtype=torch.float64)
    if b is not None:
        P = torch.cat([P, torch.as_tensor(b, dtype=torch.float64)[:, None]], dim=1)
    if P.shape[0] < 2:
        return 0.0
    return float(torch.cdist(P[None], P[None], p=float("inf")).max())


@register
class UnitSymmetryGap(Check):
    id = "04-initialization/unit_symmetry_gap"

    def inputs(self, *, visible: bool = False) -> Data:
        # W and b (None: no bias); gap and the *_after copies are answers
        return {"cases": [{"W": case["W"], "b": case["b"]} for case in _symmetry_cases(visible)]}

    def probe(self, obj: Any, *, visible: bool = False) -> Data:
        results = []
        for case in _symmetry_cases(visible):
            W = case["W"].copy()
            b = None if case["b"] is None else case["b"].copy()
            out = _call(self, obj, W, b, what=f"unit_symmetry_gap(W of shape {W.shape}, b)")
            if out is None:
                raise self.fail("unit_symmetry_gap returned None", expected="a float", actual=None,
                                hint="did you forget the `return` statement?")
            gap = as_float_array(self, out, "the gap")
            if gap.size != 1:
                raise self.fail("unit_symmetry_gap must return one number", expected="a float",
                                actual=f"an array of shape {gap.shape}",
                                hint="reduce over all pairs AND all coordinates with a max")
            results.append({"W": case["W"], "b": case["b"], "gap": float(gap.reshape(())),
                            "W_after": W, "b_after": b})
        return {"cases": results}

    def judge(self, data: Data) -> int:
        n = 0
        for case in data["cases"]:
            W, b = case["W"], case["b"]
            where = f"(W of shape {W.shape}, {'no bias' if b is None else 'with bias'})"
            W_after = _real_array(self, _field(self, case, "W_after", "W after the call"), "W after the call")
            expect(self, np.array_equal(W, W_after), "W must not be modified", expected=W,
                   actual=W_after, hint="do not write into W")
            b_after = _field(self, case, "b_after", "b after the call")
            if b is None:  # the grader passed b=None, and the probe records the None it passed
                expect(self, b_after is None, "b_after must be None when no bias was passed", expected=None,
                       actual=_kind(b_after))
            else:
                b_after = _real_array(self, b_after, "b after the call")
                expect(self, np.array_equal(b, b_after), "b must not be modified", expected=b,
                       actual=b_after, hint="concatenate into a new array instead")
            gap = _number(self, case, "gap", f"the gap {where}", hint="reduce over all pairs AND all coordinates with a max")
            ref = _symmetry_oracle(W, b)
            hint = ("a unit's incoming parameters are one ROW of W (torch layout (H, D)) plus its bias; "
                    "compare every pair of rows, take the largest absolute coordinate difference")
            if ref == 0.0:
                hint = "identical units must give exactly 0: " + hint
            expect_close(self, gap, ref,
                         f"the largest max-abs difference between two units' incoming parameters {where}",
                         rtol=1e-9, atol=1e-12, hint=hint)
            n += 2
        return n


# ---------------------------------------------------------------------------------------
# compute_fans
# ---------------------------------------------------------------------------------------

FAN_SHAPES_VISIBLE = [(20, 10), (16, 3, 5, 5)]
FAN_SHAPES_HIDDEN = [
    (20, 10), (16, 3, 5, 5), (10, 20), (1, 1), (7, 1), (1, 9),
    (8, 4, 3),            # Conv1d
    (6, 2, 3, 7),         # non-square kernel
    (5, 3, 1, 1),         # 1x1 convolution
    (4, 2, 3, 5, 2),      # Conv3d
    (64, 32, 3, 3),
]
#: Shapes with fewer than two dimensions, on which compute_fans must raise (hidden probe only).
FAN_ERROR_SHAPES = [(7,), ()]


def _fan_shapes(visible: bool) -> list[tuple[int, ...]]:
    return FAN_SHAPES_VISIBLE if visible else FAN_SHAPES_HIDDEN


def _fan_error_keys(visible: bool) -> list[str]:
    """The keys of the probe's ``errors``: one per shape that must raise."""
    return [] if visible else [str(shape) for shape in FAN_ERROR_SHAPES]


@register
class ComputeFans(Check):
    id = "04-initialization/compute_fans"

    def _pair(self, out: Any, shape: tuple[int, ...]) -> list[float]:
        hint = "end with `return fan_in, fan_out` (two integers)"
        if not isinstance(out, (tuple, list)) or len(out) != 2:
            raise self.fail(f"compute_fans{shape} must return a pair (fan_in, fan_out)",
                            expected="a tuple of two ints", actual=repr(out)[:120], hint=hint)
        values = []
        for name, v in zip(("fan_in", "fan_out"), out):
            a = as_float_array(self, v, name)
            if a.size != 1:
                raise self.fail(f"{name} must be one number", expected="an int",
                                actual=f"an array of shape {a.shape}", hint=hint)
            values.append(float(a.reshape(())))
        return values

    def inputs(self, *, visible: bool = False) -> Data:
        # the shapes, and which error cases were asked (error_shapes: bind_inputs accepts a dict with
        # extra keys, not one with fewer, so the keys of `errors` are pinned by this list);
        # fans and the outcomes in `errors` are answers
        return {"cases": [{"shape": list(shape)} for shape in _fan_shapes(visible)],
                "error_shapes": _fan_error_keys(visible)}

    def probe(self, obj: Any, *, visible: bool = False) -> Data:
        results = []
        for shape in _fan_shapes(visible):
            out = _call(self, obj, shape, what=f"compute_fans({shape})")
            results.append({"shape": list(shape), "fans": self._pair(out, shape)})
        errors = {}
        if not visible:
            for shape in FAN_ERROR_SHAPES:
                errors[str(shape)] = _error_kind(obj, shape)
        return {"cases": results, "errors": errors, "error_shapes": _fan_error_keys(visible)}

    def judge(self, data: Data) -> int:
        n = 0
        for case in data["cases"]:
            shape = tuple(case["shape"])
            fans = _field(self, case, "fans", f"the fans of shape {shape}")
            hint = "end with `return fan_in, fan_out` (two integers)"
            expect(self, isinstance(fans, (list, tuple)) and len(fans) == 2,
                   f"compute_fans{shape} must return a pair (fan_in, fan_out)", expected="two numbers",
                   actual=f"{len(fans)} item(s)" if isinstance(fans, (list, tuple)) else _kind(fans), hint=hint)
            for name, value in zip(("fan_in", "fan_out"), fans):
                expect(self, _is_number(value), f"{name} of shape {shape} must be one number", expected="an int",
                       actual=_kind(value), hint=hint)
            fan_in, fan_out = (float(v) for v in fans)
            ref_in, ref_out = torch_fans(shape)
            kind = "a linear weight (out, in)" if len(shape) == 2 else f"a {len(shape) - 2}-D convolution kernel"
            expect(self, float(fan_in).is_integer() and float(fan_out).is_integer(),
                   f"fans must be whole numbers (shape {shape})", expected=(ref_in, ref_out),
                   actual=(fan_in, fan_out), hint="multiply integers; do not divide")
            if (fan_in, fan_out) == (ref_out, ref_in) and ref_in != ref_out:
                raise self.fail(f"fan_in and fan_out are swapped for shape {shape}, {kind}",
                                expected=(ref_in, ref_out), actual=(fan_in, fan_out),
                                hint="torch stores weights as (out_features, in_features, ...): shape[1] is the input size")
            receptive = math.prod(shape[2:])
            expect(self, fan_in == ref_in, f"fan_in of shape {shape}, {kind}",
                   expected=ref_in, actual=fan_in,
                   hint=f"fan_in = shape[1] * receptive field, the receptive field being prod(shape[2:]) = {receptive}")
            expect(self, fan_out == ref_out, f"fan_out of shape {shape}, {kind}",
                   expected=ref_out, actual=fan_out,
                   hint=f"fan_out = shape[0] * receptive field, the receptive field being prod(shape[2:]) = {receptive}")
            n += 3
        errors = _outcomes(self, data, "the outcomes of the calls that must raise")
        for shape in data["error_shapes"]:  # the grader's list: a forged `errors` cannot drop a case
            outcome = errors.get(shape, "no outcome recorded")
            expect(self, outcome == "ValueError",
                   f"compute_fans{shape}: fewer than 2 dimensions must raise ValueError, as torch does",
                   expected="ValueError", actual=outcome,
                   hint='check len(shape) first: raise ValueError(f"need at least 2 dimensions, got shape {shape}")')
            n += 1
        return n


# ---------------------------------------------------------------------------------------
# Initialisers: shared statistics
# ---------------------------------------------------------------------------------------

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


def _init_probe(check: Check, obj: Any, cases: list[dict[str, Any]]) -> Data:
    """Draw one sample per case, and two in a row from one rng for the repetition test."""
    results = []
    for j, case in enumerate(cases):
        shape, params = tuple(case["shape"]), case["params"]
        call = f"{check.id.split('/')[1]}({shape}, {', '.join(f'{k}={v!r}' for k, v in params.items())}, rng=...)"
        out = _call(check, obj, shape, **params, rng=np.random.default_rng([404, j]), what=call)
        if out is None:
            raise check.fail(f"{call} returned None", expected=f"an array of shape {shape}", actual=None,
                             hint="did you forget the `return` statement?")
        sample = as_float_array(check, out, "the initialised weights")
        if sample.shape != shape:
            raise check.fail(f"{call} returned the wrong shape", expected=shape, actual=sample.shape,
                             hint="draw exactly `shape` numbers: size=shape (NumPy) or torch.empty(shape)")
        results.append({"shape": list(shape), "params": params, "sample": sample})
    rng = np.random.default_rng(4040)
    shape, params = tuple(cases[0]["shape"]), cases[0]["params"]
    first = as_float_array(check, _call(check, obj, shape, **params, rng=rng, what="a second call"), "a draw")
    second = as_float_array(check, _call(check, obj, shape, **params, rng=rng, what="a third call"), "a draw")
    return {"cases": results, "repeat": [first, second]}


def _init_inputs(cases: list[dict[str, Any]]) -> Data:
    """What :func:`_init_probe` records of the grader's choices: each case's shape and parameters
    (the seeds, [404, j] and 4040, are not in the data and the judge does not read them)."""
    return {"cases": [{"shape": list(case["shape"]), "params": case["params"]} for case in cases]}


def _init_judge(check: Check, kind: str, data: Data) -> int:
    name = check.id.split("/")[1]
    # which cases get the statistical tests follows from their shapes (inputs), not from the answers
    big = [c for c in data["cases"] if math.prod(c["shape"]) >= BIG]
    n_tests = 6 * len(big) + 1
    p = P_FALSE_REJECT / n_tests
    z = float(stats.norm.isf(p / 2))
    n_props = 0
    shape_hint = "draw exactly `shape` numbers: size=shape (NumPy) or torch.empty(shape)"
    for case in data["cases"]:
        shape, params = tuple(case["shape"]), case["params"]
        sample = _answer(check, case, "sample", shape, f"the weights {name}{shape} returned", hint=shape_hint)
        w = sample.ravel()
        dist, scale, formula = _target(kind, shape, params)
        fan_in, fan_out = torch_fans(shape)
        where = f"(shape {shape}, fan_in={fan_in}, fan_out={fan_out}; target {formula})"
        expect(check, bool(np.all(np.isfinite(w))), f"every weight must be finite {where}",
               expected="finite numbers", actual=f"{np.count_nonzero(~np.isfinite(w))} non-finite entries")
        n_props += 1
        if dist == "uniform":
            worst = float(np.max(np.abs(w)))
            expect(check, worst <= scale * (1 + 1e-6),
                   f"every weight must lie in [-r, r] {where}", expected=f"|w| <= {scale:.6g}", actual=f"max |w| = {worst:.6g}",
                   hint="r = gain * sqrt(6 / (fan_in + fan_out)): the 6 makes the VARIANCE r^2/3 equal 2/(fan_in+fan_out)")
            n_props += 1
        if math.prod(shape) < BIG:
            continue
        n = math.prod(shape)  # = w.size: the sample's shape was checked above
        var = scale**2 / 3.0 if dist == "uniform" else scale**2
        std = math.sqrt(var)
        if dist == "uniform":
            # P(max |w| < r (1 - d)) = (1 - d)^n <= p  for  d = -log(p) / n
            d = -math.log(p) / n
            worst = float(np.max(np.abs(w)))
            expect(check, worst >= scale * (1 - d),
                   f"the weights must fill [-r, r]: the largest |w| of {n} draws must come close to r {where}",
                   expected=f"max |w| >= {scale * (1 - d):.6g}", actual=f"max |w| = {worst:.6g}",
                   hint="the bound is r = gain * sqrt(6 / (fan_in + fan_out)), not the standard deviation")
        mean = float(w.mean())
        expect(check, abs(mean) <= z * std / math.sqrt(n),
               f"the weights must have mean 0 {where}", expected=f"|mean| <= {z * std / math.sqrt(n):.3g}",
               actual=f"mean {mean:.4g}", hint="draw symmetrically around 0")
        # the sample variance has variance (mu4 - var^2) / n: mu4 = 9/5 var^2 (uniform), 3 var^2 (normal)
        kurt = 1.8 if dist == "uniform" else 3.0
        s2 = float(np.mean((w - mean) ** 2))
        tol = z * var * math.sqrt((kurt - 1.0) / n) + 1e-12
        expect(check, abs(s2 - var) <= tol,
               f"the weights must have variance {var:.5g} (std {std:.5g}) {where}",
               expected=f"variance {var:.5g} +- {tol:.2g}", actual=f"variance {s2:.5g} (ratio {s2 / var:.3f})",
               hint=_variance_hint(kind))
        ref_cdf = stats.uniform(loc=-scale, scale=2 * scale).cdf if dist == "uniform" else stats.norm(scale=scale).cdf
        ks = stats.kstest(w, ref_cdf)
        expect(check, ks.pvalue > p,
               f"the weights must follow {'U(-r, r)' if dist == 'uniform' else 'N(0, std^2)'} (one-sample Kolmogorov-Smirnov test, "
               f"statistic {ks.statistic:.4f}, p = {ks.pvalue:.1e} < {p:.0e}) {where}",
               expected=f"a {dist} distribution", actual=f"sample kurtosis {stats.kurtosis(w, fisher=False):.3f} "
               f"(uniform 1.8, normal 3.0)",
               hint=f"draw from a {dist} distribution" + (" (rng.uniform(-r, r, size=shape))" if dist == "uniform"
                                                             else " (rng.normal(0.0, std, size=shape))"))
        ref = _torch_reference(kind, shape, params)
        ks2 = stats.ks_2samp(w, ref, method="asymp")
        expect(check, ks2.pvalue > p,
               f"the weights must be distributed like torch.nn.init.{kind}_ on the same shape "
               f"(two-sample Kolmogorov-Smirnov statistic {ks2.statistic:.4f}, p = {ks2.pvalue:.1e} < {p:.0e}) {where}",
               expected=f"std {ref.std():.5g} (torch's sample)", actual=f"std {w.std():.5g}",
               hint="compare your formula with the docstring of torch.nn.init." + kind + "_")
        grid = sample.reshape(shape[0], -1)
        for lag_name, a, b in (("neighbouring entries", grid[:, :-1], grid[:, 1:]),
                               ("neighbouring rows", grid[:-1], grid[1:])):
            if a.size < 1000:
                continue
            r = float(np.corrcoef(a.ravel(), b.ravel())[0, 1])
            limit = z / math.sqrt(a.size) + 1e-9
            expect(check, abs(r) <= limit,
                   f"the weights must be drawn independently: {lag_name} are correlated {where}",
                   expected=f"|correlation| <= {limit:.3g}", actual=f"correlation {r:.4f}",
                   hint="draw all prod(shape) numbers at once; do not repeat or tile one row")
        n_props += 6
    # two draws of the first case's shape: a shorter, reshaped or non-finite pair must not pass
    # for "different" (NaN != NaN, and arrays of two shapes used to count as all different)
    shape0 = tuple(data["cases"][0]["shape"])
    repeat = _field(check, data, "repeat", "the two draws of the repetition test")
    expect(check, isinstance(repeat, (list, tuple)) and len(repeat) == 2,
           "the repetition test needs two draws", expected="a list of two arrays",
           actual=f"{len(repeat)} item(s)" if isinstance(repeat, (list, tuple)) else _kind(repeat))
    first, second = (_shaped(check, a, shape0, f"the {which} call {name}{shape0} in a row",
                             hint=shape_hint) for a, which in zip(repeat, ("first", "second")))
    for which, a in (("first", first), ("second", second)):
        expect(check, bool(np.all(np.isfinite(a))), f"every weight of the {which} call in a row must be finite",
               expected="finite numbers", actual=f"{np.count_nonzero(~np.isfinite(a))} non-finite entries")
    same = float(np.mean(first == second))
    expect(check, same < 0.5, "two calls in a row must give different weights",
           expected="fresh random numbers on every call", actual=f"{100 * same:.0f} % of the entries repeat",
           hint="draw from the rng passed in; do not create a new generator with a fixed seed inside the function")
    return n_props + 1


def _variance_hint(kind: str) -> str:
    if kind == "xavier_uniform":
        return ("Var U(-r, r) = r^2 / 3, so r = gain * sqrt(6 / (fan_in + fan_out)); "
                "check the gain and that the fans include the receptive field prod(shape[2:])")
    if kind == "xavier_normal":
        return ("std = gain * sqrt(2 / (fan_in + fan_out)): pass the STANDARD DEVIATION, not the variance, "
                "use both fans and the receptive field prod(shape[2:])")
    return ("std = gain / sqrt(fan) with fan = fan_in or fan_out as `mode` says; gain = sqrt(2) for relu, "
            "sqrt(2 / (1 + a^2)) for leaky_relu, 1 for linear")


XAVIER_CASES_VISIBLE = [
    {"shape": (256, 512), "params": {"gain": 1.0}},
    {"shape": (2, 3), "params": {"gain": 1.0}},
]
XAVIER_CASES_HIDDEN = XAVIER_CASES_VISIBLE + [
    {"shape": (300, 700), "params": {"gain": 5.0 / 3.0}},
    {"shape": (128, 64, 3, 5), "params": {"gain": math.sqrt(2.0)}},
    {"shape": (96, 40, 31), "params": {"gain": 0.5}},
    {"shape": (4, 3, 2, 2), "params": {"gain": 1.0}},
]


@register
class XavierUniform(Check):
    id = "04-initialization/xavier_uniform"
    randomized = True

    def inputs(self, *, visible: bool = False) -> Data:
        # shape and gain per case; sample and repeat are answers
        return _init_inputs(XAVIER_CASES_VISIBLE if visible else XAVIER_CASES_HIDDEN)

    def probe(self, obj: Any, *, visible: bool = False) -> Data:
        return _init_probe(self, obj, XAVIER_CASES_VISIBLE if visible else XAVIER_CASES_HIDDEN)

    def judge(self, data: Data) -> int:
        return _init_judge(self, "xavier_uniform", data)


@register
class XavierNormal(Check):
    id = "04-initialization/xavier_normal"
    randomized = True

    def inputs(self, *, visible: bool = False) -> Data:
        # shape and gain per case; sample and repeat are answers
        return _init_inputs(XAVIER_CASES_VISIBLE if visible else XAVIER_CASES_HIDDEN)

    def probe(self, obj: Any, *, visible: bool = False) -> Data:
        return _init_probe(self, obj, XAVIER_CASES_VISIBLE if visible else XAVIER_CASES_HIDDEN)

    def judge(self, data: Data) -> int:
        return _init_judge(self, "xavier_normal", data)


def _kaiming(shape: tuple[int, ...], a: float = 0.0, mode: str = "fan_in", nonlinearity: str = "relu") -> dict[str, Any]:
    return {"shape": shape, "params": {"a": a, "mode": mode, "nonlinearity": nonlinearity}}


KAIMING_CASES_VISIBLE = [_kaiming((256, 512)), _kaiming((2, 3))]
KAIMING_CASES_HIDDEN = KAIMING_CASES_VISIBLE + [
    _kaiming((512, 256), mode="fan_out"),
    _kaiming((128, 64, 3, 3)),
    _kaiming((64, 128, 3, 5), mode="fan_out"),
    _kaiming((300, 400), a=0.5, nonlinearity="leaky_relu"),
    _kaiming((400, 300), a=0.2, mode="fan_out", nonlinearity="leaky_relu"),
    _kaiming((200, 600), nonlinearity="linear"),
    _kaiming((3, 2, 2)),
]
KAIMING_BAD_OPTIONS = [
    {"mode": "fan_avg", "nonlinearity": "relu"},
    {"mode": "fan_in", "nonlinearity": "swish"},
]


def _kaiming_error_keys(visible: bool) -> list[str]:
    """The keys of the probe's ``errors``: one per bad option set (hidden probe only)."""
    return [] if visible else [f"mode={opts['mode']!r}, nonlinearity={opts['nonlinearity']!r}"
                               for opts in KAIMING_BAD_OPTIONS]


@register
class KaimingNormal(Check):
    id = "04-initialization/kaiming_normal"
    randomized = True

    def inputs(self, *, visible: bool = False) -> Data:
        # shape, a, mode and nonlinearity per case, and which bad options were tried (error_options
        # pins the keys of `errors`, see ComputeFans); samples, repeat and outcomes are answers
        data = _init_inputs(KAIMING_CASES_VISIBLE if visible else KAIMING_CASES_HIDDEN)
        data["error_options"] = _kaiming_error_keys(visible)
        return data

    def probe(self, obj: Any, *, visible: bool = False) -> Data:
        data = _init_probe(self, obj, KAIMING_CASES_VISIBLE if visible else KAIMING_CASES_HIDDEN)
        data["errors"] = {}
        if not visible:
            for key, opts in zip(_kaiming_error_keys(visible), KAIMING_BAD_OPTIONS):
                data["errors"][key] = _error_kind(obj, (20, 10), a=0.0, rng=np.random.default_rng(0), **opts)
        data["error_options"] = _kaiming_error_keys(visible)
        return data

    def judge(self, data: Data) -> int:
        n = _init_judge(self, "kaiming_normal", data)
        errors = _outcomes(self, data, "the outcomes of the calls that must raise")
        for key in data["error_options"]:  # the grader's list: a forged `errors` cannot drop a case
            outcome = errors.get(key, "no outcome recorded")
            expect(self, outcome == "ValueError", f"kaiming_normal(..., {key}) must raise ValueError",
                   expected="ValueError", actual=outcome,
                   hint="validate the options first, e.g. raise ValueError(f\"Invalid mode: {mode}\")")
            n += 1
        return n
