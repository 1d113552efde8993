"""Buggy and correct answers to 01-sgd/minibatch_indices (self-contained: see tests/variants/__init__.py)."""

from __future__ import annotations

import math
import random

import numpy as np
import torch

from .. import buggy, correct

MB = "01-sgd/minibatch_indices"


@buggy(MB, "drops the last partial batch", demo=True, classes=(6, 7))
def minibatch_indices(n, batch_size, *, rng):
    perm = rng.permutation(n)
    return [perm[k * batch_size:(k + 1) * batch_size] for k in range(n // batch_size)]


@buggy(MB, "no shuffle: batches of arange(n)", classes=(3,))
def minibatch_indices(n, batch_size, *, rng):  # noqa: F811
    idx = np.arange(n)
    return [idx[i:i + batch_size] for i in range(0, n, batch_size)]


@buggy(MB, "samples with replacement (rng.integers)", classes=(0,))
def minibatch_indices(n, batch_size, *, rng):  # noqa: F811
    idx = rng.integers(0, n, size=n)
    return [idx[i:i + batch_size] for i in range(0, n, batch_size)]


@buggy(MB, "empty last batch when batch_size divides n", classes=(6, 7))
def minibatch_indices(n, batch_size, *, rng):  # noqa: F811
    perm = rng.permutation(n)
    return [perm[k * batch_size:(k + 1) * batch_size] for k in range(n // batch_size + 1)]


@buggy(MB, "overlapping slices: perm[i:i + batch_size + 1]", classes=(0,))
def minibatch_indices(n, batch_size, *, rng):  # noqa: F811
    perm = rng.permutation(n)
    return [perm[i:i + batch_size + 1] for i in range(0, n, batch_size)]


@buggy(MB, "np.array_split into n // batch_size near-equal parts", classes=(6, 7))
def minibatch_indices(n, batch_size, *, rng):  # noqa: F811
    perm = rng.permutation(n)
    return np.array_split(perm, max(1, math.ceil(n / batch_size)))


@buggy(MB, "shuffles the order of the batches, not the indices", classes=(4,))
def minibatch_indices(n, batch_size, *, rng):  # noqa: F811
    batches = [np.arange(i, min(i + batch_size, n)) for i in range(0, n, batch_size)]
    order = rng.permutation(len(batches))
    return [batches[j] for j in order]


@buggy(MB, "a fixed seed inside: the same order every epoch", classes=(3,))
def minibatch_indices(n, batch_size, *, rng):  # noqa: F811
    perm = np.random.default_rng(42).permutation(n)
    return [perm[i:i + batch_size] for i in range(0, n, batch_size)]


@buggy(MB, "float indices from a shuffled np.linspace", classes=(9,))
def minibatch_indices(n, batch_size, *, rng):  # noqa: F811
    idx = np.linspace(0, n - 1, n)
    rng.shuffle(idx)
    return [idx[i:i + batch_size] for i in range(0, n, batch_size)]


@correct(MB, "rng.permutation, slices in a list comprehension")
def minibatch_indices(n, batch_size, *, rng):  # noqa: F811
    perm = rng.permutation(n)
    return [perm[i:i + batch_size] for i in range(0, n, batch_size)]


@correct(MB, "argsort of uniform noise, np.split at multiples of batch_size")
def minibatch_indices(n, batch_size, *, rng):  # noqa: F811
    perm = np.argsort(rng.random(n))
    return np.split(perm, np.arange(batch_size, n, batch_size))


@buggy(MB, "[rng] draws from a global generator, not rng: ignores rng: random.shuffle of a list, lists of ints, a generator",
       classes=(3, 9))
def minibatch_indices(n, batch_size, *, rng):  # noqa: F811
    import random

    idx = list(range(n))
    random.shuffle(idx)
    return (idx[i:i + batch_size] for i in range(0, n, batch_size))


@buggy(MB, "[rng] draws from a global generator, not rng: ignores rng: torch.randperm(n).split(batch_size)",
       classes=(3, 9))
def minibatch_indices(n, batch_size, *, rng):  # noqa: F811
    return list(torch.randperm(n).split(batch_size))


@buggy(MB, "[4] argsort of rng.integers(0, n, n): ties make the shuffle biased")
def minibatch_indices(n, batch_size, *, rng):
    perm = np.argsort(rng.integers(0, n, size=n), kind="stable")
    return [perm[i:i + batch_size] for i in range(0, n, batch_size)]


@buggy(MB, "[4] naive swap shuffle: swap i with a uniform j in range(n) (biased)")
def minibatch_indices(n, batch_size, *, rng):
    perm = np.arange(n)
    for i in range(n):
        j = rng.integers(n)
        perm[i], perm[j] = perm[j], perm[i]
    return [perm[i:i + batch_size] for i in range(0, n, batch_size)]


@buggy(MB, "[9] list of Python lists instead of integer arrays")
def minibatch_indices(n, batch_size, *, rng):
    perm = rng.permutation(n).tolist()
    return [perm[i:i + batch_size] for i in range(0, n, batch_size)]


@buggy(MB, "[9] a generator (yield) instead of a list")
def minibatch_indices(n, batch_size, *, rng):
    perm = rng.permutation(n)
    for i in range(0, n, batch_size):
        yield perm[i:i + batch_size]
