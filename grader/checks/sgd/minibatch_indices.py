"""01-sgd/minibatch_indices: coverage, batch sizes and integer type per epoch, then uniform orders.

Oracle: the batch sizes a partition of range(n) must have, and exact binomial bands showing that
every position of the epoch's order is uniform over range(n), over many epochs.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..base import FORGED_HINT, Case, Check, Data, expect, register
from ..judging import answer_list, describe
from ..probing import call
from ..properties import Law, RngArgument
from ..stats import P_FALSE_REJECT, binomial_band

__all__ = ["MinibatchIndices"]

#: Cases with at least this many calls feed the shuffling statistics.
_MANY = 100


def _plan(visible: bool) -> list[tuple[int, int, int]]:
    """(n, batch_size, calls): the many-call cases feed the shuffling statistics, with
    expected count n_calls / n >= 50 per (position, index) cell."""
    visible_plan = [(10, 3, 2), (12, 4, 2), (6, 4, 300)]
    return visible_plan if visible else visible_plan + [
        (10, 3, 1000), (12, 4, 3), (5, 8, 3), (7, 1, 3), (1, 1, 2), (1, 4, 2),
        (100, 32, 3), (64, 64, 2), (6, 6, 300),
    ]


def _rank(order: np.ndarray) -> int:
    """The rank of a permutation of range(n) among all n! (Lehmer code): 0..n!-1, one per order."""
    rank, items = 0, list(range(len(order)))
    for pos, value in enumerate(order.tolist()):
        i = items.index(value)
        rank += i * math.factorial(len(order) - 1 - pos)
        items.pop(i)
    return rank


@register
class MinibatchIndices(Check):
    """the number of batches and their sizes (including a partial last batch); integer indices;
    that the batches together contain every index of `range(n)` exactly once; that different
    `rng` states give different orders; and, over many epochs, that every position in the order
    is equally likely to hold any example (an exact binomial test for every position and index,
    which rejects a correct answer with probability below $10^{-9}$ in all)."""

    id = "01-sgd/minibatch_indices"
    randomized = True

    def cases(self, *, visible: bool) -> list[Data]:
        # the number of calls is an input, so that forged data cannot drop the epochs that feed
        # the statistics; each call's generator is seeded with [n, batch_size, call]
        return [{"n": n, "batch_size": bs, "calls": calls} for n, bs, calls in _plan(visible)]

    def _epoch(self, out: Any) -> list[np.ndarray]:
        """The student's batches as 1-D arrays, or a CheckFailure on the wrong type."""
        hint = "return a list of 1-D integer arrays, e.g. [perm[i:i + batch_size] for i in ...]"
        if not isinstance(out, list):  # documented: a list (a generator has no len(), a tuple is not a list)
            raise self.fail("minibatch_indices must return a list of index arrays, as documented",
                            expected="a list of 1-D integer ndarrays", actual=describe(out),
                            hint=hint + (": a generator (yield) has no len() and runs only once"
                                         if hasattr(out, "__next__") else ""))
        arrays = []
        for b in out:
            if not isinstance(b, np.ndarray):
                raise self.fail("each batch must be a NumPy array of indices, as documented",
                                expected="1-D integer ndarrays", actual=describe(b),
                                hint="slice a NumPy permutation: perm[i:i + batch_size] is an ndarray")
            if b.ndim != 1 or b.dtype == object:
                raise self.fail("each batch must be a 1-D sequence of indices",
                                expected="1-D arrays", actual=describe(b), hint=hint)
            arrays.append(b)
        return arrays

    def answer(self, obj: Any, case: Data) -> Data:
        n, bs = case["n"], case["batch_size"]
        return {"epochs": [self._epoch(call(self, obj, n, bs, rng=np.random.default_rng([n, bs, j]),
                                            what=f"minibatch_indices({n}, {bs}, rng=rng)"))
                           for j in range(case["calls"])]}

    properties = (
        RngArgument(orders=(2, 20)),
        Law("order", "Over 5000 epochs of 4 examples, each of the 4! = 24 orders "
                     "comes up equally often (a chi-square test of fit over whole orders, which sees a bias of a "
                     "few percent that position-by-position counts miss, e.g. from sorting random integers "
                     "with ties or from swapping every position with any other).",
            pmf=lambda p: np.full(math.factorial(p["n"]), 1.0 / math.factorial(p["n"])),
            params=({"n": 4, "batch_size": 3},), draws=5000,
            hint="shuffle with rng.permutation(n) (or Fisher-Yates: swap i with a uniform j in 0..i)"),
    )

    def draws(self, obj: Any, rng: np.random.Generator, n_draws: int, params: Data) -> Data:
        """The order of each of ``n_draws`` epochs from one generator, as its rank among the n! orders (for Law)."""
        n, bs = params["n"], params["batch_size"]
        codes = np.zeros(n_draws)
        for j in range(n_draws):
            batches = self._epoch(call(self, obj, n, bs, rng=rng, what=f"minibatch_indices({n}, {bs}, rng=rng)"))
            order = np.concatenate(batches) if batches else np.zeros(0)
            if sorted(order.tolist()) != list(range(n)):
                raise self.fail(f"every index in range(n) must appear exactly once per epoch (n={n}, batch_size={bs})",
                                expected=f"each of 0..{n - 1} once", actual=order.tolist())
            codes[j] = _rank(order.astype(np.int64))
        return {"order": codes}

    def with_rng(self, obj: Any, rng: np.random.Generator) -> Data:
        """Two epochs of 20 examples in batches of 6, from one generator (for RngArgument)."""
        orders = [np.concatenate(self._epoch(call(self, obj, 20, 6, rng=rng, what="minibatch_indices(20, 6, rng=rng)")))
                  for _ in range(2)]
        return {"orders": np.stack([o.astype(np.float64) for o in orders]) if all(o.size == 20 for o in orders)
                else np.zeros((2, 0))}

    def _epochs(self, case: Data, answer: Any) -> list[list[np.ndarray]]:
        """The recorded epochs: one list of 1-D arrays per call of the inputs (what the probe's _epoch makes)."""
        epochs = answer_list(self, answer, "epochs", case["calls"], "the epochs recorded",
                             prop="the probe must record one epoch per call")
        for batches in epochs:
            if not (isinstance(batches, (list, tuple))
                    and all(isinstance(b, np.ndarray) and b.ndim == 1 for b in batches)):
                raise self.fail("malformed probe data: an epoch is not a list of 1-D arrays",
                                expected="a list of 1-D arrays", hint=FORGED_HINT,
                                actual=describe(batches) if not isinstance(batches, (list, tuple))
                                else str([describe(b) for b in batches])[:200])
        return [list(batches) for batches in epochs]

    def judge_cases(self, cases: list[Case]) -> int:
        """The statistics use the cases with >= 100 calls: for a correct answer the index at a given position
        of the order is uniform, so the number of epochs in which position ``pos`` holds index ``i`` is
        Binomial(calls, 1/n). Every (position, index) count gets an exact two-sided band, P_FALSE_REJECT
        split over all of them (union bound). Identical orders in every epoch put one count at ``calls``,
        outside its band (checked below), so that property costs nothing."""
        all_epochs = [self._epochs(case, answer) for case, answer in cases]
        p_cell = P_FALSE_REJECT / max(1, sum(c["n"] ** 2 for c, _ in cases if c["calls"] >= _MANY))
        return sum(self._judge_case(case, epochs, p_cell) for (case, _), epochs in zip(cases, all_epochs))

    def _judge_case(self, case: Data, epochs: list[list[np.ndarray]], p_cell: float) -> int:
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
        if calls < _MANY:
            return 6
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
        return 8
