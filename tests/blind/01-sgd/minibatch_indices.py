import math, random
import numpy as np
import torch
from tests.variants import buggy, correct

ID = "01-sgd/minibatch_indices"


@buggy(ID, "[3] shuffles with np.random.permutation, not the rng given")
def minibatch_indices(n, batch_size, *, rng):
    perm = np.random.permutation(n)
    return [perm[i:i + batch_size] for i in range(0, n, batch_size)]






@buggy(ID, "[7,10] drops the last partial batch")
def minibatch_indices(n, batch_size, *, rng):
    perm = rng.permutation(n)
    return [perm[i:i + batch_size] for i in range(0, n - batch_size + 1, batch_size)]


@buggy(ID, "[6] np.array_split into ceil(n/b) parts: balanced sizes, not b, b, ..., n % b")
def minibatch_indices(n, batch_size, *, rng):
    perm = rng.permutation(n)
    return np.array_split(perm, math.ceil(n / batch_size))


@buggy(ID, "[5] rng.choice(n, n): default replace=True, not a permutation")
def minibatch_indices(n, batch_size, *, rng):
    order = rng.choice(n, n)
    return [order[i:i + batch_size] for i in range(0, n, batch_size)]






@buggy(ID, "[8] caches the permutation per n in a mutable default: every epoch has the same order")
def minibatch_indices(n, batch_size, *, rng, _cache={}):
    if n not in _cache:
        _cache[n] = rng.permutation(n)
    perm = _cache[n]
    return [perm[i:i + batch_size] for i in range(0, n, batch_size)]


@buggy(ID, "[3] reseeds a fresh Generator from a fixed seed inside")
def minibatch_indices(n, batch_size, *, rng):
    perm = np.random.default_rng(0).permutation(n)
    return [perm[i:i + batch_size] for i in range(0, n, batch_size)]


@buggy(ID, "[9] float index arrays (perm built from rng.permutation of np.arange(n, dtype=float))")
def minibatch_indices(n, batch_size, *, rng):
    perm = rng.permutation(np.arange(n, dtype=float))
    return [perm[i:i + batch_size] for i in range(0, n, batch_size)]


@correct(ID, "argsort of rng.random(n), np.split at multiples of b")
def minibatch_indices(n, batch_size, *, rng):
    order = np.argsort(rng.random(n))
    return np.split(order, np.arange(batch_size, n, batch_size))


@correct(ID, "rng.permuted(arange) with a while loop")
def minibatch_indices(n, batch_size, *, rng):
    order = rng.permuted(np.arange(n))
    out, start = [], 0
    while start < n:
        out.append(order[start:start + batch_size].copy())
        start += batch_size
    return out


@correct(ID, "Fisher-Yates with rng.integers(i + 1)")
def minibatch_indices(n, batch_size, *, rng):
    perm = np.arange(n)
    for i in range(n - 1, 0, -1):
        j = int(rng.integers(i + 1))
        perm[i], perm[j] = perm[j], perm[i]
    return [perm[s:s + batch_size] for s in range(0, n, batch_size)]
