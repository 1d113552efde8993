"""01-sgd/stochastic_gradient: which single example each draw is the gradient of, and how often.

Oracle: the per-example gradients of the grader's own losses; an exact binomial band for how
often each example is drawn, and a Bernstein bound on the mean of the draws against the full
gradient (unbiasedness). No statistic depends on one random stream; that the draws come from
``rng`` and from nothing else is :class:`~grader.checks.properties.RngArgument`'s to check.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..base import Case, Check, Data, expect, register
from ..judging import answer_array, answer_number, unchanged
from ..probing import call, student_array
from ..properties import RngArgument
from ..stats import P_FALSE_REJECT, bernstein_radius, binomial_band

__all__ = ["StochasticGradient", "example_gradient"]


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


def _dataset(kind: str, n: int, d: int, seed: int) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d))
    w = rng.standard_normal(d)
    y = rng.standard_normal(n) if kind == "least_squares" else (rng.random(n) < 0.5).astype(np.float64)
    return {"X": X, "y": y, "w": w}


#: the examples of the case that counts the generator's draws: a permutation of them shows
_COST_N = 50_000
#: at most this many 64-bit draws for one index (rng.integers, choice and random each take one)
_COST_LIMIT = 16


def _generator_draws(before: dict, rng: np.random.Generator, limit: int) -> int | None:
    """How many 64-bit draws a PCG64 generator advanced from the state ``before``, or None if more than ``limit``."""
    after = rng.bit_generator.state["state"]["state"]
    replay = np.random.PCG64()
    replay.state = before
    for k in range(limit + 1):
        if replay.state["state"]["state"] == after:
            return k
        replay.advance(1)
    return None


def _plan(visible: bool) -> list[tuple[str, int, int, int, int, int]]:
    """(loss kind, N, D, dataset seed, number of generators, calls per generator) per dataset."""
    # about 100 draws per example or more: enough for the binomial bands to catch a skewed draw
    shown = [("least_squares", 7, 3, 11, 7, 100)]
    return shown if visible else shown + [
        ("least_squares", 7, 3, 11, 20, 140),
        ("logistic", 5, 4, 12, 10, 150),
    ]


@register
class StochasticGradient(Check):
    """the shape of the result; that each result is exactly the gradient of one row of the data;
    that the inputs are not modified; and, over many draws, that every row is picked about equally
    often (an exact binomial test per row), successive calls with one `rng` draw new examples, and
    the mean of the draws matches the full gradient (a Bernstein bound); and, on 50,000 examples, that one call takes one index from `rng`,
    not a shuffle of all of them. Each statistical test rejects a correct answer with probability below
    $10^{-9}$, whatever random numbers it draws."""

    id = "01-sgd/stochastic_gradient"
    randomized = True

    def cases(self, *, visible: bool) -> list[Data]:
        # the generators' seeds are chosen here too, but no statistic depends on their stream; the number
        # of draws is an input, so that forged data cannot weaken the statistics with fewer calls
        return [{**_dataset(kind, n, d, seed), "kind": kind, "seed": seed, "generators": n_rngs,
                 "calls_per_generator": per_rng}
                for kind, n, d, seed, n_rngs, per_rng in _plan(visible)] + [{"kind": "cost", "N": _COST_N}]

    def answer(self, obj: Any, case: Data) -> Data:
        if case["kind"] == "cost":
            return self._cost(obj, case["N"])
        X, y, w, kind = case["X"], case["y"], case["w"], case["kind"]
        d = len(w)

        def grad_fn(w_, X_batch, y_batch):
            return example_gradient(kind, np.asarray(w_, dtype=np.float64), X_batch, y_batch)

        per_rng = case["calls_per_generator"]
        draws = np.empty((case["generators"] * per_rng, d))
        for r in range(case["generators"]):
            rng = np.random.default_rng([case["seed"], r])
            for i in range(per_rng):
                g = call(self, obj, grad_fn, w, X, y, rng=rng, what="stochastic_gradient(grad_fn, w, X, y, rng=rng)")
                draws[r * per_rng + i] = student_array(
                    self, g, "the stochastic gradient", (d,),
                    hint="return grad_fn(w, X[i:i+1], y[i:i+1]) for one random i: an array of shape (D,)")
        return {"draws": draws, "X_after": X, "y_after": y, "w_after": w}

    def _cost(self, obj: Any, n: int) -> Data:
        """One call on ``n`` examples of one feature: how many draws it took from the generator."""
        X, y, w = np.zeros((n, 1)), np.zeros(n), np.zeros(1)
        rng = np.random.default_rng(2024)
        before = rng.bit_generator.state
        g = call(self, obj, lambda w_, X_batch, y_batch: np.zeros(1), w, X, y, rng=rng,
                 what=f"stochastic_gradient(grad_fn, w, X, y, rng=rng) with N={n}")
        student_array(self, g, "the stochastic gradient", (1,))
        taken = _generator_draws(before, rng, _COST_LIMIT)
        return {"draws_taken": -1 if taken is None else taken}

    properties = (RngArgument(draws=(20, 3)),)

    def with_rng(self, obj: Any, rng: np.random.Generator) -> Data:
        """Twenty draws in a row from one generator on 50 examples with 3 features, each draw the
        gradient of a different example (for RngArgument)."""
        X = np.arange(150, dtype=np.float64).reshape(50, 3) / 150.0
        y = np.arange(50, dtype=np.float64)

        def grad_fn(w_, X_batch, y_batch):  # an example's gradient names the example
            return np.asarray(X_batch, dtype=np.float64).sum(axis=0) + float(np.sum(y_batch))

        return {"draws": np.stack([student_array(self, call(self, obj, grad_fn, np.zeros(3), X, y, rng=rng,
                                                            what="stochastic_gradient(grad_fn, w, X, y, rng=rng)"),
                                                 "the stochastic gradient", (3,)) for _ in range(20)])}

    def judge_cases(self, cases: list[Case]) -> int:
        """Two statistical properties per dataset, each wrong for a correct answer with probability at most
        p = P_FALSE_REJECT / (2 * datasets): the number of draws of each example is Binomial(M, 1/N), so
        an exact two-sided band per example (p / N each), and the mean of the draws is within a Bernstein
        bound of the full gradient in every coordinate (p / D each). "Not always the same example" and
        "every example reachable" fail only where the band fails too (checked below), so they cost
        nothing: they name the mistake."""
        datasets = [(case, answer) for case, answer in cases if case["kind"] != "cost"]
        p = P_FALSE_REJECT / (2 * len(datasets))
        n = sum(self._judge_dataset(case, answer, p) for case, answer in datasets)
        for case, answer in cases:
            if case["kind"] == "cost":
                taken = answer_number(self, answer, "draws_taken", "the draws taken from rng")
                expect(self, 0 <= taken <= _COST_LIMIT,
                       f"one call draws ONE index: with N={case['N']} examples it must take a few numbers from rng, "
                       f"not one per example", expected=f"at most {_COST_LIMIT} draws",
                       actual="more than that" if taken < 0 else int(taken),
                       hint="rng.integers(N) costs one draw; rng.permutation(N)[0] shuffles all N examples "
                            "to keep one, N times the work of an SGD step")
                n += 1
        return n

    def _judge_dataset(self, ds: Data, answer: Any, p: float) -> int:
        X, y, w = ds["X"], ds["y"], ds["w"]
        n, d, M = len(y), len(w), ds["generators"] * ds["calls_per_generator"]
        draws = answer_array(self, answer, "draws", (M, d), "the stochastic gradients drawn",
                             hint="stochastic_gradient returns an array of shape (D,)")
        for name, before in (("w", w), ("X", X), ("y", y)):
            expect(self, unchanged(self, answer, f"{name}_after", before, f"{name} after the calls"),
                   f"{name} must not be modified", expected=before, actual=answer[f"{name}_after"],
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
        # successive calls on one generator are new draws: all of one generator's calls on the same example
        # has probability N^-(calls - 1) for a correct answer, below 1e-30 here
        per_rng = which.reshape(ds["generators"], ds["calls_per_generator"])
        stuck = np.flatnonzero(np.all(per_rng == per_rng[:, :1], axis=1))
        expect(self, stuck.size == 0,
               f"successive calls with one rng must draw new examples {where}: all "
               f"{ds['calls_per_generator']} calls with generator {int(stuck[0]) if stuck.size else 0} "
               f"returned example {int(per_rng[stuck[0], 0]) if stuck.size else 0}",
               expected="a new random example on every call", actual="the same example on every call",
               hint="draw from the rng you are given, which advances with each draw; a copy of it, or a new "
                    "generator seeded from it, starts from the same state on every call")
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
        # Unbiasedness: E[grad of a uniform random example] = full gradient; Bernstein's inequality for the
        # mean of M draws from the rows of G, coordinate k, with p / D for each coordinate.
        full = example_gradient(ds["kind"], w, X, y)
        var, b = G.var(axis=0), np.max(np.abs(G - full), axis=0)
        eps = bernstein_radius(M, var, b, p / d)
        err = np.abs(draws.mean(axis=0) - full)
        expect(self, bool(np.all(err <= eps + 1e-12 * (1.0 + np.max(np.abs(G))))),
               f"unbiased: the mean of the draws must approach the full gradient grad_fn(w, X, y) {where}",
               expected=full, actual=draws.mean(axis=0),
               hint="a uniformly drawn example's gradient averages to the full gradient")
        return 7
