"""Checks for 01-sgd: line search, stochastic gradient, mini-batches, logistic regression.

Every check's probe calls the student's function on inputs built here from fixed seeds and
returns plain data; every judge compares that data with an oracle that shares no code with
a solution:

* ``backtracking_line_search``: the Armijo condition re-evaluated on the grader's own test
  functions (quadratics, Rosenbrock, log-sum-exp, a 1-D quartic), and on quadratics the
  closed form of the largest Armijo step, ``t_max = 2 (1 - c) ||g||^2 / (g^T A g)``.
* ``stochastic_gradient``: which single example each draw is the gradient of, then an exact
  binomial band for how often each example is drawn and a Bernstein bound on the mean of the
  draws against the full gradient (unbiasedness). Nothing depends on one random stream, so an answer that ignores
  ``rng`` and uses ``np.random``, ``random`` or ``torch`` passes too.
* ``minibatch_indices``: coverage, batch sizes and integer type per epoch, then exact
  binomial bands showing that every position of the epoch's order is uniform over range(n).
* ``logistic_loss_and_grad``: torch autograd in float64 through
  ``binary_cross_entropy_with_logits``.

Statistical tests reject a correct answer with probability below ``P_FALSE_REJECT``: their
thresholds come from exact distributions or provable tail bounds (binomial quantiles, Bernstein),
split between the properties of a check by the union bound. When autograding, a judge may get
forged data: it validates every answer it reads (type, shape from the inputs, presence).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from .base import (
    P_FALSE_REJECT,
    Check,
    Data,
    as_float_array,
    expect,
    expect_close,
    expect_not_none,
    expect_shape,
    register,
)
from .base import binomial_band
from .base import data_array as _answer
from .base import data_field as _field
from .base import kind_of as _kind_of
from .base import malformed as _malformed
from .base import unmodified_after as _unmodified

__all__ = [
    "BacktrackingLineSearch",
    "StochasticGradient",
    "MinibatchIndices",
    "LogisticLossAndGrad",
    "objective",
    "example_gradient",
]

# ---------------------------------------------------------------------------------------
# Reading answers in a judge. When autograding, the probe runs in the student's kernel, so a
# judge may receive forged data: the grader's inputs are bound (Check.inputs), the answers are
# not. Every answer a judge reads goes through these helpers first, with its type and shape
# derived from the inputs, so that nothing the probe validated in the kernel is taken on trust.
# ---------------------------------------------------------------------------------------

def _number(check: Check, record: Any, key: str) -> float:
    """``record[key]``: one real number (the probe stores a float)."""
    value = _field(check, record, key)
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise _malformed(check, f"the answer {key!r} is not a number", expected="a float", actual=_kind_of(value))
    return float(value)


# ---------------------------------------------------------------------------------------
# Grader-owned test functions for the line search. The judge re-evaluates them from the
# (kind, params) stored in the probe data, so it needs no student code.
# ---------------------------------------------------------------------------------------

def objective(kind: str, params: dict[str, Any], x: np.ndarray) -> tuple[float, np.ndarray]:
    """Value and gradient of the grader's test function ``kind`` at ``x`` (shape (D,))."""
    x = np.asarray(x, dtype=np.float64)
    if kind == "quadratic":  # f = 1/2 x^T A x + b^T x
        A, b = params["A"], params["b"]
        return float(0.5 * x @ A @ x + b @ x), A @ x + b
    if kind == "rosenbrock":  # f = sum_i s (x_{i+1} - x_i^2)^2 + (a - x_i)^2
        a, s = params["a"], params["s"]
        u, v = x[:-1], x[1:]
        r = v - u**2
        f = float(np.sum(s * r**2 + (a - u) ** 2))
        g = np.zeros_like(x)
        g[:-1] += -4.0 * s * r * u - 2.0 * (a - u)
        g[1:] += 2.0 * s * r
        return f, g
    if kind == "logsumexp":  # f = log sum_k exp(M x + c)_k + mu/2 ||x||^2
        M, c, mu = params["M"], params["c"], params["mu"]
        z = M @ x + c
        zmax = np.max(z)
        e = np.exp(z - zmax)
        f = float(zmax + np.log(np.sum(e)) + 0.5 * mu * x @ x)
        return f, M.T @ (e / np.sum(e)) + mu * x
    if kind == "quartic1d":  # f = x^4 - 3 x^2 + x, non-convex, D = 1
        (t,) = x
        return float(t**4 - 3.0 * t**2 + t), np.array([4.0 * t**3 - 6.0 * t + 1.0])
    raise ValueError(f"unknown test function {kind!r}")


def _quadratic(rng: np.random.Generator, dim: int, *, L: float, cond: float) -> dict[str, np.ndarray]:
    """A random SPD quadratic with largest eigenvalue ``L`` and condition number ``cond``."""
    Q, _ = np.linalg.qr(rng.standard_normal((dim, dim)))
    eig = L * np.geomspace(1.0 / cond, 1.0, dim)
    return {"A": (Q * eig) @ Q.T, "b": rng.standard_normal(dim)}


def _line_search_cases(visible: bool) -> list[dict[str, Any]]:
    """(function, point, options) for each call; the first four make the visible subset."""
    rng = np.random.default_rng(20240101)
    cases = [
        dict(kind="quadratic", params=_quadratic(rng, 2, L=10.0, cond=10.0), x=np.array([1.0, -2.0]),
             lr0=1.0, beta=0.5, c=1e-4, max_iter=50),
        dict(kind="quartic1d", params={}, x=np.array([1.7]), lr0=1.0, beta=0.5, c=1e-4, max_iter=50),
        dict(kind="quadratic", params=_quadratic(rng, 3, L=4.0, cond=30.0), x=rng.standard_normal(3),
             lr0=10.0, beta=0.8, c=0.5, max_iter=50),
        # lr0 small enough that it satisfies Armijo at once (k = 0)
        dict(kind="rosenbrock", params={"a": 1.0, "s": 100.0}, x=np.array([0.3, 0.2, -0.4]),
             lr0=1e-4, beta=0.5, c=1e-4, max_iter=50),
    ]
    if visible:
        return cases
    cases += [
        dict(kind="quadratic", params=_quadratic(rng, 5, L=50.0, cond=1e3), x=rng.standard_normal(5),
             lr0=1.0, beta=0.5, c=0.3, max_iter=50),
        # small L: lr0 itself satisfies Armijo (k = 0)
        dict(kind="quadratic", params=_quadratic(rng, 10, L=0.2, cond=1e4), x=rng.standard_normal(10),
             lr0=1.0, beta=0.5, c=1e-4, max_iter=50),
        dict(kind="quadratic", params=_quadratic(rng, 4, L=7.0, cond=5.0), x=rng.standard_normal(4),
             lr0=2.0, beta=0.9, c=0.8, max_iter=100),
        dict(kind="rosenbrock", params={"a": 1.0, "s": 100.0}, x=np.array([-1.2, 1.0]),
             lr0=1.0, beta=0.5, c=1e-4, max_iter=50),
        dict(kind="rosenbrock", params={"a": 1.0, "s": 10.0}, x=rng.uniform(-1.5, 1.5, 6),
             lr0=0.1, beta=0.3, c=0.1, max_iter=50),
        dict(kind="logsumexp", params={"M": rng.standard_normal((7, 4)), "c": rng.standard_normal(7), "mu": 0.1},
             x=rng.standard_normal(4), lr0=3.0, beta=0.7, c=0.4, max_iter=50),
        dict(kind="quartic1d", params={}, x=np.array([-2.0]), lr0=2.0, beta=0.9, c=0.9, max_iter=60),
        dict(kind="quartic1d", params={}, x=np.array([0.4]), lr0=1.0, beta=0.5, c=0.25, max_iter=50),
        # no k <= max_iter satisfies Armijo: the answer is lr0 * beta**max_iter
        dict(kind="quadratic", params=_quadratic(rng, 2, L=1e6, cond=2.0), x=np.array([1.0, 1.0]),
             lr0=1.0, beta=0.5, c=1e-4, max_iter=5),
    ]
    return cases


def _armijo_gap(case: dict[str, Any], t: float) -> tuple[float, float]:
    """(f(x - t g) - (f(x) - c t ||g||^2), tolerance for rounding). Armijo holds iff gap <= 0."""
    fx, g = objective(case["kind"], case["params"], case["x"])
    f_new, _ = objective(case["kind"], case["params"], case["x"] - t * g)
    rhs = fx - case["c"] * t * float(g @ g)
    tol = 1e-10 * max(1.0, abs(fx), abs(f_new))
    return f_new - rhs, tol


@register
class BacktrackingLineSearch(Check):
    id = "01-sgd/backtracking_line_search"

    def inputs(self, *, visible: bool = False) -> Data:
        return {"cases": _line_search_cases(visible)}

    def probe(self, obj: Any, *, visible: bool = False) -> Data:
        results = []
        for case in _line_search_cases(visible):
            calls = {"f": 0, "grad_f": 0}
            kind, params = case["kind"], case["params"]

            def f(x, kind=kind, params=params, calls=calls):
                calls["f"] += 1
                return objective(kind, params, x)[0]

            def grad_f(x, kind=kind, params=params, calls=calls):
                calls["grad_f"] += 1
                return objective(kind, params, x)[1]

            x = case["x"].copy()
            t = obj(f, grad_f, x, lr0=case["lr0"], beta=case["beta"], c=case["c"], max_iter=case["max_iter"])
            expect_not_none(self, t, "the step size t")
            t = as_float_array(self, t, "the step size t")
            if t.size != 1:
                raise self.fail("backtracking_line_search must return one number, the step size t",
                                expected="a float", actual=f"an array of shape {t.shape}",
                                hint="return t itself, not x - t * g or the list of tried steps")
            results.append({**case, "t": float(t.reshape(())), "x_after": x,
                            "calls_f": calls["f"], "calls_grad_f": calls["grad_f"]})
        return {"cases": results}

    def judge(self, data: Data) -> int:
        n = 0
        for case in data["cases"]:
            t, lr0, beta, c, max_iter = _number(self, case, "t"), case["lr0"], case["beta"], case["c"], case["max_iter"]
            where = (f"on the {case['kind']} test function in {len(case['x'])}-D with "
                     f"lr0={lr0:g}, beta={beta:g}, c={c:g}, max_iter={max_iter}")
            expect(self, _unmodified(self, case["x"], case, "x_after"), "x must not be modified",
                   expected=case["x"], actual=case["x_after"],
                   hint="compute x - t * g into a new array; `x -= t * g` changes the caller's x")
            expect(self, np.isfinite(t) and t > 0, f"t must be a positive finite number ({where})",
                   expected="t > 0", actual=t)
            expect(self, t <= lr0 * (1 + 1e-12), f"t must not exceed lr0: backtracking only shrinks ({where})",
                   expected=f"t <= {lr0:g}", actual=t, hint="start at t = lr0 and multiply by beta < 1")
            k = int(round(np.log(t / lr0) / np.log(beta)))
            on_grid = 0 <= k <= max_iter and abs(t - lr0 * beta**k) <= 1e-9 * t
            expect(self, on_grid, f"t must be lr0 * beta**k for an integer k in 0..max_iter ({where})",
                   expected=f"one of {lr0:g}, {lr0 * beta:g}, {lr0 * beta**2:g}, ...", actual=t,
                   hint="shrink t only by multiplying it by beta, once per failed test")
            for j in range(k):
                gap, tol = _armijo_gap(case, lr0 * beta**j)
                expect(self, gap > -tol,
                       f"t must be the FIRST step in lr0, lr0*beta, lr0*beta^2, ... that satisfies Armijo ({where})",
                       expected=lr0 * beta**j, actual=t,
                       hint=("Armijo already holds at t/beta: you backtracked one step too far"
                             if j == k - 1 else "test t = lr0 first, then stop at the first step that passes"))
            gap, tol = _armijo_gap(case, t)
            expect(self, gap <= tol or k == max_iter,
                   f"the Armijo condition f(x - t g) <= f(x) - c t ||g||^2 must hold at the returned t ({where})",
                   expected="f(x - t g) - (f(x) - c t ||g||^2) <= 0", actual=gap,
                   hint="check the sign of the c-term and that it uses the SQUARED norm of the gradient")
            n += 5
            if case["kind"] == "quadratic":
                n += self._judge_quadratic(case, t, where)
        return n

    def _judge_quadratic(self, case: Data, t: float, where: str) -> int:
        """Closed forms: on f = 1/2 x^T A x + b^T x, Armijo holds iff t <= 2 (1 - c) ||g||^2 / g^T A g."""
        lr0, beta, c, max_iter = case["lr0"], case["beta"], case["c"], case["max_iter"]
        A = case["params"]["A"]
        g = A @ case["x"] + case["params"]["b"]
        t_max = 2.0 * (1.0 - c) * float(g @ g) / float(g @ A @ g)
        k_star = min(max_iter, max(0, int(np.ceil(np.log(t_max / lr0) / np.log(beta) - 1e-9))))
        expect_close(self, t, lr0 * beta**k_star,
                     f"t on a quadratic, where Armijo holds exactly for t <= 2(1-c)||g||^2/(g^T A g) = {t_max:.6g} ({where})",
                     rtol=1e-9, atol=0.0, hint="the answer is lr0 * beta**k for the smallest such k")
        # L = largest eigenvalue: Armijo holds for every t <= 2 (1 - c) / L, so backtracking
        # stops before t falls below beta * 2 (1 - c) / L.
        L = float(np.linalg.eigvalsh(A)[-1])
        bound = beta * 2.0 * (1.0 - c) / L
        expect(self, t == lr0 or t > bound or k_star == max_iter,
               f"with L-Lipschitz gradients t must exceed beta * 2(1-c)/L = {bound:.6g} ({where})",
               expected=f"t > {bound:.6g}", actual=t, hint="you shrink t after Armijo already holds")
        return 2


# ---------------------------------------------------------------------------------------
# Stochastic gradient
# ---------------------------------------------------------------------------------------

def example_gradient(kind: str, w: np.ndarray, X: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Mean gradient over the batch (X (B, D), y (B,)) of the grader's loss ``kind``.

    ``least_squares``: 1/2 mean (x.w - y)^2; ``logistic``: mean BCE with logits x.w.
    A single example passed as X (D,), y scalar is accepted too.
    """
    X = np.atleast_2d(np.asarray(X, dtype=np.float64))
    y = np.atleast_1d(np.asarray(y, dtype=np.float64))
    z = X @ w
    if kind == "least_squares":
        r = z - y
    elif kind == "logistic":
        r = 0.5 * (1.0 + np.tanh(0.5 * z)) - y  # sigmoid(z) - y, no overflow
    else:
        raise ValueError(f"unknown loss {kind!r}")
    return X.T @ r / len(y)


def _sg_dataset(kind: str, n: int, d: int, seed: int) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d))
    w = rng.standard_normal(d)
    y = rng.standard_normal(n) if kind == "least_squares" else (rng.random(n) < 0.5).astype(np.float64)
    return {"X": X, "y": y, "w": w}


def _sg_plan(visible: bool) -> list[tuple[str, int, int, int, int, int]]:
    """(loss kind, N, D, dataset seed, number of generators, calls per generator) per dataset."""
    # about 100 draws per example or more: enough for the binomial bands to catch a skewed draw
    return [("least_squares", 7, 3, 11, 7, 100)] if visible else [
        ("least_squares", 7, 3, 11, 20, 140),
        ("logistic", 5, 4, 12, 10, 150),
    ]


@register
class StochasticGradient(Check):
    id = "01-sgd/stochastic_gradient"
    #: Correct answers may draw from global random state (tests re-run them under several seeds).
    randomized = True

    def inputs(self, *, visible: bool = False) -> Data:
        # the generators' seeds are not in the data (any random stream is accepted); the number
        # of draws is, so that forged data cannot weaken the statistical tests with fewer calls
        return {"datasets": [{**_sg_dataset(kind, n, d, seed), "kind": kind, "n_draws": n_rngs * per_rng}
                             for kind, n, d, seed, n_rngs, per_rng in _sg_plan(visible)]}

    def probe(self, obj: Any, *, visible: bool = False) -> Data:
        out = []
        for kind, n, d, seed, n_rngs, per_rng in _sg_plan(visible):
            ds = _sg_dataset(kind, n, d, seed)
            X, y, w = ds["X"].copy(), ds["y"].copy(), ds["w"].copy()

            def grad_fn(w_, X_batch, y_batch, kind=kind):
                return example_gradient(kind, np.asarray(w_, dtype=np.float64), X_batch, y_batch)

            draws = np.empty((n_rngs * per_rng, d))
            for r in range(n_rngs):
                rng = np.random.default_rng([seed, r])
                for i in range(per_rng):
                    g = obj(grad_fn, w, X, y, rng=rng)
                    expect_not_none(self, g, "the stochastic gradient, an array of shape (D,)")
                    g = as_float_array(self, g, "the stochastic gradient")
                    if g.shape != (d,):
                        raise self.fail("stochastic_gradient must return an array of shape (D,)",
                                        expected=(d,), actual=g.shape,
                                        hint="return grad_fn(w, X[i:i+1], y[i:i+1]) for one random i")
                    draws[r * per_rng + i] = g
            out.append({**ds, "kind": kind, "n_draws": n_rngs * per_rng, "draws": draws,
                        "X_after": X, "y_after": y, "w_after": w})
        return {"datasets": out}

    def judge(self, data: Data) -> int:
        """Two statistical properties per dataset, each wrong for a correct answer with probability at most
        p = P_FALSE_REJECT / (2 * datasets): the number of draws of each example is Binomial(M, 1/N), so
        an exact two-sided band per example (p / N each), and the mean of the draws is within a Bernstein
        bound of the full gradient in every coordinate (p / D each). "Not always the same example" and
        "every example reachable" fail only where the band fails too (checked below), so they cost
        nothing: they name the mistake."""
        n_props = 0
        p = P_FALSE_REJECT / (2 * len(data["datasets"]))
        for ds in data["datasets"]:
            X, y, w = ds["X"], ds["y"], ds["w"]
            n, d, M = len(y), len(w), ds["n_draws"]
            draws = _answer(self, ds, "draws", (M, d))
            for name, before in (("w", w), ("X", X), ("y", y)):
                expect(self, _unmodified(self, before, ds, f"{name}_after"), f"{name} must not be modified",
                       expected=before, actual=ds[f"{name}_after"],
                       hint="index with X[i:i+1]; do not shuffle X or y in place")
            where = f"({ds['kind']} loss, N={n} examples, {M} calls)"
            G = np.stack([example_gradient(ds["kind"], w, X[i:i + 1], y[i:i + 1]) for i in range(n)])
            dist = np.max(np.abs(draws[:, None, :] - G[None, :, :]), axis=2)  # (M, N)
            which = np.argmin(dist, axis=1)
            matched = dist[np.arange(M), which] <= 1e-8 * (1.0 + np.max(np.abs(G)))
            if not matched.all():
                bad = int(np.argmin(matched))
                full = example_gradient(ds["kind"], w, X, y)
                is_full = np.allclose(draws[bad], full, rtol=1e-8, atol=1e-12)
                raise self.fail(f"each call must return the gradient of ONE example, grad_fn(w, X[i:i+1], y[i:i+1]) {where}",
                                expected=f"one of the {n} per-example gradients, e.g. {G[0]}", actual=draws[bad],
                                hint=("this is the full-batch gradient: draw one random index i"
                                      if is_full else "use exactly one example, with no extra scaling"))
            counts = np.bincount(which, minlength=n)
            lo, hi = binomial_band(M, 1.0 / n, p / n)
            if hi < M:  # all M draws of one example are outside the band
                expect(self, np.count_nonzero(counts) > 1,
                       f"the example must be drawn at random, not always the same {where}",
                       expected=f"about {M / n:.0f} draws of each example", actual=f"counts per example {counts.tolist()}",
                       hint="draw a new i = rng.integers(n) on every call, with the rng passed in "
                            "(do not create a new generator inside)")
            if lo >= 1:  # an example never drawn is outside the band
                missing = np.flatnonzero(counts == 0)
                expect(self, missing.size == 0, f"every example must be reachable {where}",
                       expected=f"about {M / n:.0f} draws of each example",
                       actual=f"counts per example {counts.tolist()}; never drawn: {missing.tolist()}",
                       hint="rng.integers(low, high) excludes high: use rng.integers(n) for 0..n-1")
            outside = np.flatnonzero((counts < lo) | (counts > hi))
            if outside.size:
                j = int(outside[0])
                raise self.fail(f"the example must be drawn uniformly (example {j} drawn {int(counts[j])} times, outside "
                                f"[{lo:.0f}, {hi:.0f}], p < {p:.0e}) {where}",
                                expected=f"about {M / n:.0f} draws of each example (between {lo:.0f} and {hi:.0f})",
                                actual=f"counts per example {counts.tolist()}",
                                hint="each of the N examples needs probability 1/N")
            # Unbiasedness: E[grad of a uniform random example] = full gradient. Bernstein's inequality for the
            # mean of M draws from the rows of G, coordinate k: P(|mean - full_k| >= eps) <= 2 exp(-M eps^2 /
            # (2 var_k + 2 b_k eps / 3)), b_k = max |G_ik - full_k|; eps solves that = p / D.
            full = example_gradient(ds["kind"], w, X, y)
            var, b = G.var(axis=0), np.max(np.abs(G - full), axis=0)
            L = np.log(2.0 * d / p)
            eps = (2 * b * L / 3 + np.sqrt((2 * b * L / 3) ** 2 + 8 * M * var * L)) / (2 * M)
            err = np.abs(draws.mean(axis=0) - full)
            expect(self, bool(np.all(err <= eps + 1e-12 * (1.0 + np.max(np.abs(G))))),
                   f"unbiased: the mean of the draws must approach the full gradient grad_fn(w, X, y) {where}",
                   expected=full, actual=draws.mean(axis=0),
                   hint="a uniformly drawn example's gradient averages to the full gradient")
            n_props += 6
        return n_props


# ---------------------------------------------------------------------------------------
# Mini-batch indices
# ---------------------------------------------------------------------------------------

def _minibatch_plan(visible: bool) -> list[tuple[int, int, int]]:
    """(n, batch_size, calls): the many-call cases feed the shuffling statistics, with
    expected count n_calls / n >= 50 per (position, index) cell."""
    return [(10, 3, 2), (12, 4, 2), (6, 4, 300)] if visible else [
        (10, 3, 1000), (12, 4, 3), (5, 8, 3), (7, 1, 3), (1, 1, 2), (1, 4, 2),
        (100, 32, 3), (64, 64, 2), (6, 6, 300),
    ]


@register
class MinibatchIndices(Check):
    id = "01-sgd/minibatch_indices"
    #: Correct answers may draw from global random state (tests re-run them under several seeds).
    randomized = True

    def _epoch(self, out: Any) -> list[np.ndarray]:
        """The student's batches as 1-D arrays, or a CheckFailure on the wrong type."""
        hint = "return a list of 1-D integer arrays, e.g. [perm[i:i + batch_size] for i in ...]"
        try:
            batches = list(out)
        except TypeError:
            raise self.fail("minibatch_indices must return a list of index arrays",
                            expected="a list of 1-D integer arrays", actual=type(out).__name__, hint=hint) from None
        arrays = []
        for b in batches:
            if hasattr(b, "detach") and callable(b.detach):
                b = b.detach().cpu().numpy()
            a = np.asarray(b)
            if a.ndim != 1 or a.dtype == object:
                raise self.fail("each batch must be a 1-D sequence of indices",
                                expected="1-D arrays", actual=f"{type(b).__name__} of shape {a.shape}", hint=hint)
            arrays.append(a)
        return arrays

    def inputs(self, *, visible: bool = False) -> Data:
        # the generators' seeds are not in the data (any random stream is accepted); the number
        # of calls is, so that forged data cannot drop the epochs that feed the statistics
        return {"cases": [{"n": n, "batch_size": bs, "calls": calls} for n, bs, calls in _minibatch_plan(visible)]}

    def probe(self, obj: Any, *, visible: bool = False) -> Data:
        cases = []
        for n, bs, calls in _minibatch_plan(visible):
            epochs = [self._epoch(obj(n, bs, rng=np.random.default_rng([n, bs, j]))) for j in range(calls)]
            cases.append({"n": n, "batch_size": bs, "calls": calls, "epochs": epochs})
        return {"cases": cases}

    def _epochs(self, case: Data) -> list[list[np.ndarray]]:
        """The recorded epochs: one list of 1-D arrays per call of the inputs (what the probe's _epoch makes)."""
        epochs = _field(self, case, "epochs")
        expect(self, isinstance(epochs, (list, tuple)) and len(epochs) == case["calls"],
               "the probe must record one epoch per call", expected=f"{case['calls']} epochs",
               actual=f"{len(epochs)} epochs" if isinstance(epochs, (list, tuple)) else _kind_of(epochs))
        for batches in epochs:
            if not (isinstance(batches, (list, tuple))
                    and all(isinstance(b, np.ndarray) and b.ndim == 1 for b in batches)):
                raise _malformed(self, "an epoch is not a list of 1-D arrays", expected="a list of 1-D arrays",
                                 actual=_kind_of(batches) if not isinstance(batches, (list, tuple))
                                 else str([_kind_of(b) for b in batches])[:200])
        return [list(batches) for batches in epochs]

    def judge(self, data: Data) -> int:
        """The statistics use the cases with >= 100 calls: for a correct answer the index at a given position
        of the order is uniform, so the number of epochs in which position ``pos`` holds index ``i`` is
        Binomial(calls, 1/n). Every (position, index) count gets an exact two-sided band, P_FALSE_REJECT
        split over all of them (union bound). Identical orders in every epoch put one count at ``calls``,
        outside its band (checked below), so that property costs nothing."""
        n_props = 0
        all_epochs = [self._epochs(case) for case in data["cases"]]
        p_cell = P_FALSE_REJECT / max(1, sum(c["n"] ** 2 for c in data["cases"] if c["calls"] >= 100))
        for case, epochs in zip(data["cases"], all_epochs):
            n, bs, calls = case["n"], case["batch_size"], case["calls"]
            where = f"(n={n}, batch_size={bs})"
            sizes_expected = [bs] * (n // bs) + ([n % bs] if n % bs else [])
            orders = []
            for batches in epochs:
                sizes = [len(b) for b in batches]
                expect(self, all(sizes), f"no batch may be empty {where}", expected=sizes_expected, actual=sizes,
                       hint="when batch_size divides n there is no partial batch: stop at range(0, n, batch_size)")
                kinds = {b.dtype.kind for b in batches}
                expect(self, kinds <= {"i", "u"}, f"indices must be integers {where}",
                       expected="integer arrays (e.g. int64)", actual=f"dtypes {sorted(str(b.dtype) for b in batches)}",
                       hint="use rng.permutation(n), which returns int64; floats cannot index arrays")
                order = np.concatenate(batches).astype(np.int64) if batches else np.zeros(0, dtype=np.int64)
                counts = np.bincount(order[(order >= 0) & (order < n)], minlength=n)
                outside = order[(order < 0) | (order >= n)]
                expect(self, outside.size == 0, f"every index must lie in range(n) {where}",
                       expected=f"0..{n - 1}", actual=f"out of range: {np.unique(outside).tolist()}")
                missing, repeated = np.flatnonzero(counts == 0), np.flatnonzero(counts > 1)
                expect(self, missing.size == 0 and repeated.size == 0,
                       f"every index in range(n) must appear exactly once per epoch {where}",
                       expected=f"each of 0..{n - 1} once", actual=f"missing {missing.tolist()}, repeated {repeated.tolist()}",
                       hint=("sample without replacement (a permutation) and keep the last partial batch"
                             if missing.size else "shuffle with a permutation, not with draws with replacement; "
                             "slices must not overlap"))
                expect(self, sizes == sizes_expected,
                       f"batches must have size batch_size, the last one n % batch_size when that is non-zero {where}",
                       expected=sizes_expected, actual=sizes,
                       hint="slice a permutation at 0, batch_size, 2*batch_size, ...")
                orders.append(order)
            n_props += 6
            if calls < 100:
                continue
            orders = np.stack(orders)  # (calls, n)
            lo, hi = binomial_band(calls, 1.0 / n, p_cell)
            if hi < calls:  # the same order every epoch puts a count of `calls` outside the band
                distinct = len({o.tobytes() for o in orders})
                expect(self, distinct > 1, f"different epochs (different rng) must give different orders {where}",
                       expected=f"{calls} mostly different orders", actual=f"{distinct} distinct order(s)",
                       hint="shuffle every call with the rng passed in (rng.permutation(n)); do not reseed inside")
            for pos in range(n):
                counts = np.bincount(orders[:, pos], minlength=n)
                outside = np.flatnonzero((counts < lo) | (counts > hi))
                if outside.size:
                    i = int(outside[0])
                    raise self.fail(f"the order must be a uniform random shuffle: position {pos} holds each index about "
                                    f"equally often over {calls} epochs (index {i}: {int(counts[i])} times, outside "
                                    f"[{lo:.0f}, {hi:.0f}], p < {p_cell:.0e}) {where}",
                                    expected=f"about {calls / n:.0f} times each index (between {lo:.0f} and {hi:.0f})",
                                    actual=f"counts {counts.tolist()}",
                                    hint="shuffle all n indices at once (rng.permutation(n)), then cut into batches")
            n_props += 2
        return n_props


# ---------------------------------------------------------------------------------------
# Logistic regression loss and gradient
# ---------------------------------------------------------------------------------------

def _logistic_cases(visible: bool) -> list[dict[str, np.ndarray]]:
    rng = np.random.default_rng(7)

    def rand(n: int, d: int, scale: float = 1.0) -> dict[str, np.ndarray]:
        return {"w": rng.standard_normal(d), "X": scale * rng.standard_normal((n, d)),
                "y": (rng.random(n) < 0.5).astype(np.float64)}

    # large logits, both signs, with and without the label agreeing: z = [800, -800, 800, -800, 40, -40, 0.5]
    z = np.array([800.0, -800.0, 800.0, -800.0, 40.0, -40.0, 0.5])
    large = {"w": np.array([1.0, 0.0]), "X": np.stack([z, rng.standard_normal(7)], axis=1),
             "y": np.array([0.0, 1.0, 1.0, 0.0, 0.0, 1.0, 1.0])}
    cases = [rand(8, 3), large]
    if visible:
        return cases
    return cases + [
        rand(50, 5),
        rand(1, 4),
        rand(6, 1),
        rand(30, 20, scale=10.0),  # logits of a few tens
        {"w": np.array([-2.0, 0.5, 1.0]), "X": np.array([[400.0, 1.0, 0.0]]), "y": np.array([1.0])},
    ]


def _logistic_oracle(w: np.ndarray, X: np.ndarray, y: np.ndarray) -> tuple[float, np.ndarray]:
    wt = torch.tensor(w, dtype=torch.float64, requires_grad=True)
    z = torch.tensor(X, dtype=torch.float64) @ wt
    loss = torch.nn.functional.binary_cross_entropy_with_logits(z, torch.tensor(y, dtype=torch.float64))
    loss.backward()
    return float(loss.detach()), wt.grad.numpy().copy()


@register
class LogisticLossAndGrad(Check):
    id = "01-sgd/logistic_loss_and_grad"

    def inputs(self, *, visible: bool = False) -> Data:
        return {"cases": _logistic_cases(visible)}

    def probe(self, obj: Any, *, visible: bool = False) -> Data:
        results = []
        for case in _logistic_cases(visible):
            w, X, y = case["w"].copy(), case["X"].copy(), case["y"].copy()
            out = obj(w, X, y)
            if not isinstance(out, (tuple, list)) or len(out) != 2:
                raise self.fail("logistic_loss_and_grad must return a pair (loss, dw)",
                                expected="tuple (float, array of shape (D,))",
                                actual=f"{type(out).__name__}" + (f" of length {len(out)}" if isinstance(out, (tuple, list)) else ""),
                                hint="end with `return loss, dw`")
            loss = as_float_array(self, out[0], "the loss")
            if loss.size != 1:
                raise self.fail("the loss must be one number, the MEAN over the N examples",
                                expected="a float", actual=f"an array of shape {loss.shape}",
                                hint="average the per-example losses: .mean()")
            dw = as_float_array(self, out[1], "the gradient dw")
            results.append({**case, "loss": float(loss.reshape(())), "dw": dw,
                            "w_after": w, "X_after": X, "y_after": y})
        return {"cases": results}

    def judge(self, data: Data) -> int:
        n = 0
        for case in data["cases"]:
            w, X, y = case["w"], case["X"], case["y"]
            # the answers: the loss, one number; dw, an array whose shape is checked below with its own message
            loss, dw = _number(self, case, "loss"), _answer(self, case, "dw", None)
            where = f"(N={X.shape[0]}, D={X.shape[1]}, max |X w| = {np.max(np.abs(X @ w)):.3g})"
            for name in ("w", "X", "y"):
                expect(self, _unmodified(self, case[name], case, f"{name}_after"), f"{name} must not be modified",
                       expected=case[name], actual=case[f"{name}_after"], hint="do not write into the inputs")
            loss_ref, dw_ref = _logistic_oracle(w, X, y)
            hint_loss = ("use a stable form: log(1 + exp(z)) - y z with np.logaddexp(0, z); "
                         "log(sigmoid(z)) overflows for large |z|")
            expect(self, np.isfinite(loss), f"the loss must be finite, even for large logits {where}",
                   expected=loss_ref, actual=loss, hint=hint_loss)
            expect_close(self, loss, loss_ref, f"the loss (mean binary cross-entropy with logits X w) {where}",
                         rtol=1e-6, atol=1e-10, hint=hint_loss + "; average over N; labels are 0/1")
            expect_shape(self, dw, w.shape, "dw", hint="dw has the shape of w: (D,)")
            expect_close(self, dw, dw_ref, f"the gradient dw = X^T (sigmoid(X w) - y) / N {where}",
                         rtol=1e-6, atol=1e-10, hint="check the sign, the 1/N and that sigmoid does not overflow")
            n += 5
        return n
