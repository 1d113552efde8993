"""Buggy and correct answers to 01-sgd/stochastic_gradient (self-contained: see tests/variants/__init__.py)."""

from __future__ import annotations

import random

import numpy as np
import torch

from .. import buggy, correct

SG = "01-sgd/stochastic_gradient"


@buggy(SG, "rng.integers(0, n - 1): the last example is never drawn", demo=True, classes=(5,))
def stochastic_gradient(grad_fn, w, X, y, *, rng):
    i = rng.integers(0, len(X) - 1)
    return grad_fn(w, X[i:i + 1], y[i:i + 1])


@buggy(SG, "always example 0", classes=(3,))
def stochastic_gradient(grad_fn, w, X, y, *, rng):  # noqa: F811
    return grad_fn(w, X[:1], y[:1])


@buggy(SG, "returns the full-batch gradient", classes=(0,))
def stochastic_gradient(grad_fn, w, X, y, *, rng):  # noqa: F811
    return grad_fn(w, X, y)


@buggy(SG, "slice of 2 examples X[i:i+2]", classes=(0,))
def stochastic_gradient(grad_fn, w, X, y, *, rng):  # noqa: F811
    i = rng.integers(len(X))
    return grad_fn(w, X[i:i + 2], y[i:i + 2])


@buggy(SG, "reseeds a new generator inside: always the same example", classes=(3,))
def stochastic_gradient(grad_fn, w, X, y, *, rng):  # noqa: F811
    i = np.random.default_rng(0).integers(len(X))
    return grad_fn(w, X[i:i + 1], y[i:i + 1])


@buggy(SG, "divides the one-example gradient by n", classes=(0,))
def stochastic_gradient(grad_fn, w, X, y, *, rng):  # noqa: F811
    n = len(X)
    i = rng.integers(n)
    return grad_fn(w, X[i:i + 1], y[i:i + 1]) / n


@buggy(SG, "round(rng.random() * (n - 1)): first and last examples half as likely", classes=(5,))
def stochastic_gradient(grad_fn, w, X, y, *, rng):  # noqa: F811
    i = int(round(rng.random() * (len(X) - 1)))
    return grad_fn(w, X[i:i + 1], y[i:i + 1])


@correct(SG, "rng.integers(n)")
def stochastic_gradient(grad_fn, w, X, y, *, rng):  # noqa: F811
    i = rng.integers(X.shape[0])
    return grad_fn(w, X[i:i + 1], y[i:i + 1])


@correct(SG, "rng.choice with a fancy index")
def stochastic_gradient(grad_fn, w, X, y, *, rng):  # noqa: F811
    idx = rng.choice(len(y), size=1)
    return grad_fn(w, X[idx], y[idx])


@buggy(SG, "[rng] draws from a global generator, not rng: ignores rng: np.random.randint", classes=(3,))
def stochastic_gradient(grad_fn, w, X, y, *, rng):  # noqa: F811
    i = np.random.randint(len(X))
    return grad_fn(w, X[i:i + 1], y[i:i + 1])


@buggy(SG, "[rng] draws from a global generator, not rng: ignores rng: random.randrange", classes=(3,))
def stochastic_gradient(grad_fn, w, X, y, *, rng):  # noqa: F811
    import random

    i = random.randrange(len(X))
    return grad_fn(w, X[[i]], y[[i]])


@buggy(SG, "[rng] draws from a global generator, not rng: ignores rng: torch.randint (returning np.array of the gradient is harmless)",
       classes=(3,))
def stochastic_gradient(grad_fn, w, X, y, *, rng):  # noqa: F811
    i = int(torch.randint(0, len(X), (1,)))
    return np.array(grad_fn(w, X[i:i + 1], y[i:i + 1]))


@buggy(SG, "[rng] draws from a global generator, not rng: ignores rng: int(np.random.rand() * n)",
       classes=(3,))
def stochastic_gradient(grad_fn, w, X, y, *, rng):  # noqa: F811
    i = int(np.random.rand() * len(X))
    return grad_fn(w, X[i:i + 1], y[i:i + 1])


@buggy('01-sgd/stochastic_gradient', "[3,7] picks rng.permutation(N)[0]: uniform, but N draws per call (documented: one index)")
def stochastic_gradient(grad_fn, w, X, y, *, rng):
    i = rng.permutation(X.shape[0])[0]
    return grad_fn(w, X[i:i + 1], y[i:i + 1])


@buggy(SG, "[4] draws from a copy of rng so as not to disturb it: every call on one rng gives the same row",
       classes=(4,))
def stochastic_gradient(grad_fn, w, X, y, *, rng):  # noqa: F811
    import copy

    i = copy.deepcopy(rng).integers(X.shape[0])
    return grad_fn(w, X[i:i + 1], y[i:i + 1])


@buggy(SG, "[6] passes the row X[i] of shape (D,) and the scalar y[i], not the (1, D) slice X[i:i+1]",
       classes=(6,))
def stochastic_gradient(grad_fn, w, X, y, *, rng):  # noqa: F811
    i = rng.integers(X.shape[0])
    return grad_fn(w, X[i], y[i])


@buggy(SG, "[8] swaps the drawn example into row 0 of X and y in place, then passes X[:1], y[:1]",
       classes=(8,))
def stochastic_gradient(grad_fn, w, X, y, *, rng):  # noqa: F811
    i = rng.integers(X.shape[0])
    X[[0, i]] = X[[i, 0]]
    y[[0, i]] = y[[i, 0]]
    return grad_fn(w, X[:1], y[:1])
