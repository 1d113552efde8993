import math, random
import numpy as np
import torch
from tests.variants import buggy, correct

ID = "01-sgd/stochastic_gradient"


@buggy(ID, "[3] draws the index with np.random.randint, not the rng given")
def stochastic_gradient(grad_fn, w, X, y, *, rng):
    i = np.random.randint(X.shape[0])
    return grad_fn(w, X[i:i + 1], y[i:i + 1])


@buggy(ID, "[5,10] rng.integers(0, N - 1): high is exclusive, the last example is never drawn")
def stochastic_gradient(grad_fn, w, X, y, *, rng):
    i = rng.integers(0, X.shape[0] - 1)
    return grad_fn(w, X[i:i + 1], y[i:i + 1])


@buggy(ID, "[5] 1-based thinking: rng.integers(1, N) never draws example 0")
def stochastic_gradient(grad_fn, w, X, y, *, rng):
    i = rng.integers(1, len(y))
    return grad_fn(w, X[i:i + 1], y[i:i + 1])


@buggy(ID, "[6] passes X[i], y[i] (drops the batch dimension)")
def stochastic_gradient(grad_fn, w, X, y, *, rng):
    i = rng.integers(len(y))
    return grad_fn(w, X[i], y[i])


@buggy(ID, "[6] index drawn over the features: rng.integers(X.shape[1])")
def stochastic_gradient(grad_fn, w, X, y, *, rng):
    n = X.shape[1]
    i = rng.integers(n)
    return grad_fn(w, X[i:i + 1], y[i:i + 1])


@buggy(ID, "[3] reseeds: builds np.random.default_rng(0) inside, same index every call")
def stochastic_gradient(grad_fn, w, X, y, *, rng):
    gen = np.random.default_rng(0)
    i = gen.integers(X.shape[0])
    return grad_fn(w, X[i:i + 1], y[i:i + 1])


@buggy(ID, "[3] torch global RNG: torch.randint")
def stochastic_gradient(grad_fn, w, X, y, *, rng):
    i = int(torch.randint(X.shape[0], (1,)).item())
    return grad_fn(w, X[i:i + 1], y[i:i + 1])




@buggy(ID, "[4] draws X row and y row with two separate rng.integers calls")
def stochastic_gradient(grad_fn, w, X, y, *, rng):
    n = X.shape[0]
    xb = X[[rng.integers(n)]]
    yb = y[[rng.integers(n)]]
    return grad_fn(w, xb, yb)


@buggy(ID, "[9] returns grad as a (1, D) array (keeps an extra axis via X[[i]] and reshape)")
def stochastic_gradient(grad_fn, w, X, y, *, rng):
    i = rng.integers(X.shape[0])
    return np.reshape(grad_fn(w, X[i:i + 1], y[i:i + 1]), (1, -1))


@correct(ID, "rng.integers(N, size=1): fancy index keeps the batch axis")
def stochastic_gradient(grad_fn, w, X, y, *, rng):
    idx = rng.integers(len(X), size=1)
    return grad_fn(w, X[idx], y[idx])


@correct(ID, "rng.choice(N) as the index")
def stochastic_gradient(grad_fn, w, X, y, *, rng):
    i = int(rng.choice(X.shape[0]))
    return grad_fn(w, X[i:i + 1], y[i:i + 1])


@correct(ID, "int(rng.random() * N): uniform index from another Generator method")
def stochastic_gradient(grad_fn, w, X, y, *, rng):
    n = X.shape[0]
    i = min(int(rng.random() * n), n - 1)
    return grad_fn(w, X[i:i + 1], y[i:i + 1])
