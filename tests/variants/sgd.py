"""Buggy and correct answers for the 01-sgd exercises.

Every function is named as the notebook's exercise and is self-contained (imports inside
the body, or ``np``, ``torch``, ``math``, ``random`` from the top of this module), so its
source can be pasted into a solution cell.
"""

from __future__ import annotations

import math
import random

import numpy as np
import torch

from . import buggy, correct

BLS = "01-sgd/backtracking_line_search"
SG = "01-sgd/stochastic_gradient"
MB = "01-sgd/minibatch_indices"
LOG = "01-sgd/logistic_loss_and_grad"


# --------------------------------------------------------------------------------------
# 01-sgd/backtracking_line_search
# --------------------------------------------------------------------------------------

@buggy(BLS, "Armijo right-hand side uses ||g|| instead of ||g||^2", demo=True)
def backtracking_line_search(f, grad_f, x, *, lr0=1.0, beta=0.5, c=1e-4, max_iter=50):
    g = grad_f(x)
    fx = f(x)
    t = lr0
    for _ in range(max_iter):
        if f(x - t * g) <= fx - c * t * np.linalg.norm(g):
            return t
        t *= beta
    return t


@buggy(BLS, "sign of the sufficient-decrease term flipped (+c t ||g||^2)")
def backtracking_line_search(f, grad_f, x, *, lr0=1.0, beta=0.5, c=1e-4, max_iter=50):  # noqa: F811
    g = grad_f(x)
    fx = f(x)
    t = lr0
    for _ in range(max_iter):
        if f(x - t * g) <= fx + c * t * (g @ g):
            return t
        t *= beta
    return t


@buggy(BLS, "shrinks t before the first test, so lr0 itself is never tried")
def backtracking_line_search(f, grad_f, x, *, lr0=1.0, beta=0.5, c=1e-4, max_iter=50):  # noqa: F811
    g = grad_f(x)
    fx = f(x)
    t = lr0
    for _ in range(max_iter):
        t = beta * t
        if f(x - t * g) <= fx - c * t * (g @ g):
            break
    return t


@buggy(BLS, "never backtracks: returns lr0")
def backtracking_line_search(f, grad_f, x, *, lr0=1.0, beta=0.5, c=1e-4, max_iter=50):  # noqa: F811
    g = grad_f(x)
    t = lr0
    if f(x - t * g) <= f(x) - c * t * (g @ g):
        return t
    return lr0


@buggy(BLS, "plain decrease f(x - t g) < f(x), ignoring c")
def backtracking_line_search(f, grad_f, x, *, lr0=1.0, beta=0.5, c=1e-4, max_iter=50):  # noqa: F811
    g = grad_f(x)
    t = lr0
    while f(x - t * g) >= f(x) and max_iter > 0:
        t *= beta
        max_iter -= 1
    return t


@buggy(BLS, "returns t * beta after the loop (one step too far)")
def backtracking_line_search(f, grad_f, x, *, lr0=1.0, beta=0.5, c=1e-4, max_iter=50):  # noqa: F811
    g = grad_f(x)
    fx = f(x)
    t = lr0
    k = 0
    while k < max_iter and f(x - t * g) > fx - c * t * (g @ g):
        t *= beta
        k += 1
    return t * beta


@buggy(BLS, "updates x in place (x -= t * g) while testing")
def backtracking_line_search(f, grad_f, x, *, lr0=1.0, beta=0.5, c=1e-4, max_iter=50):  # noqa: F811
    g = grad_f(x)
    fx = f(x)
    x0 = x.copy()
    t = lr0
    for _ in range(max_iter):
        x -= t * g
        if f(x) <= fx - c * t * (g @ g):
            return t
        x[:] = x0
        t *= beta
    return t


@correct(BLS, "while loop, g @ g")
def backtracking_line_search(f, grad_f, x, *, lr0=1.0, beta=0.5, c=1e-4, max_iter=50):  # noqa: F811
    g = grad_f(x)
    fx = f(x)
    gg = g @ g
    t, k = lr0, 0
    while k < max_iter and f(x - t * g) > fx - c * t * gg:
        t *= beta
        k += 1
    return t


@correct(BLS, "for loop over k with lr0 * beta**k and math.fsum")
def backtracking_line_search(f, grad_f, x, *, lr0=1.0, beta=0.5, c=1e-4, max_iter=50):  # noqa: F811
    import math

    g = [float(v) for v in grad_f(x)]
    sq = math.fsum(v * v for v in g)
    fx = f(x)
    for k in range(max_iter + 1):
        t = lr0 * beta**k
        x_new = np.array([xi - t * gi for xi, gi in zip(x, g)])
        if f(x_new) <= fx - c * t * sq:
            return t
    return lr0 * beta**max_iter


@correct(BLS, "torch norm, recomputes f(x) every test")
def backtracking_line_search(f, grad_f, x, *, lr0=1.0, beta=0.5, c=1e-4, max_iter=50):  # noqa: F811
    g = grad_f(x)
    sq = float(torch.linalg.vector_norm(torch.from_numpy(np.asarray(g))) ** 2)
    t = lr0
    for _ in range(max_iter):
        if f(x - t * g) <= f(x) - c * t * sq:
            break
        t = t * beta
    return float(t)


# --------------------------------------------------------------------------------------
# 01-sgd/stochastic_gradient
# --------------------------------------------------------------------------------------

@buggy(SG, "rng.integers(0, n - 1): the last example is never drawn", demo=True)
def stochastic_gradient(grad_fn, w, X, y, *, rng):
    i = rng.integers(0, len(X) - 1)
    return grad_fn(w, X[i:i + 1], y[i:i + 1])


@buggy(SG, "always example 0")
def stochastic_gradient(grad_fn, w, X, y, *, rng):  # noqa: F811
    return grad_fn(w, X[:1], y[:1])


@buggy(SG, "returns the full-batch gradient")
def stochastic_gradient(grad_fn, w, X, y, *, rng):  # noqa: F811
    return grad_fn(w, X, y)


@buggy(SG, "slice of 2 examples X[i:i+2]")
def stochastic_gradient(grad_fn, w, X, y, *, rng):  # noqa: F811
    i = rng.integers(len(X))
    return grad_fn(w, X[i:i + 2], y[i:i + 2])


@buggy(SG, "reseeds a new generator inside: always the same example")
def stochastic_gradient(grad_fn, w, X, y, *, rng):  # noqa: F811
    i = np.random.default_rng(0).integers(len(X))
    return grad_fn(w, X[i:i + 1], y[i:i + 1])


@buggy(SG, "divides the one-example gradient by n")
def stochastic_gradient(grad_fn, w, X, y, *, rng):  # noqa: F811
    n = len(X)
    i = rng.integers(n)
    return grad_fn(w, X[i:i + 1], y[i:i + 1]) / n


@buggy(SG, "round(rng.random() * (n - 1)): first and last examples half as likely")
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


@correct(SG, "ignores rng: np.random.randint")
def stochastic_gradient(grad_fn, w, X, y, *, rng):  # noqa: F811
    i = np.random.randint(len(X))
    return grad_fn(w, X[i:i + 1], y[i:i + 1])


@correct(SG, "ignores rng: random.randrange")
def stochastic_gradient(grad_fn, w, X, y, *, rng):  # noqa: F811
    import random

    i = random.randrange(len(X))
    return grad_fn(w, X[[i]], y[[i]])


@correct(SG, "ignores rng: torch.randint, returns a copy")
def stochastic_gradient(grad_fn, w, X, y, *, rng):  # noqa: F811
    i = int(torch.randint(0, len(X), (1,)))
    return np.array(grad_fn(w, X[i:i + 1], y[i:i + 1]))


@correct(SG, "ignores rng: int(np.random.rand() * n)")
def stochastic_gradient(grad_fn, w, X, y, *, rng):  # noqa: F811
    i = int(np.random.rand() * len(X))
    return grad_fn(w, X[i:i + 1], y[i:i + 1])


# --------------------------------------------------------------------------------------
# 01-sgd/minibatch_indices
# --------------------------------------------------------------------------------------

@buggy(MB, "drops the last partial batch", demo=True)
def minibatch_indices(n, batch_size, *, rng):
    perm = rng.permutation(n)
    return [perm[k * batch_size:(k + 1) * batch_size] for k in range(n // batch_size)]


@buggy(MB, "no shuffle: batches of arange(n)")
def minibatch_indices(n, batch_size, *, rng):  # noqa: F811
    idx = np.arange(n)
    return [idx[i:i + batch_size] for i in range(0, n, batch_size)]


@buggy(MB, "samples with replacement (rng.integers)")
def minibatch_indices(n, batch_size, *, rng):  # noqa: F811
    idx = rng.integers(0, n, size=n)
    return [idx[i:i + batch_size] for i in range(0, n, batch_size)]


@buggy(MB, "empty last batch when batch_size divides n")
def minibatch_indices(n, batch_size, *, rng):  # noqa: F811
    perm = rng.permutation(n)
    return [perm[k * batch_size:(k + 1) * batch_size] for k in range(n // batch_size + 1)]


@buggy(MB, "overlapping slices: perm[i:i + batch_size + 1]")
def minibatch_indices(n, batch_size, *, rng):  # noqa: F811
    perm = rng.permutation(n)
    return [perm[i:i + batch_size + 1] for i in range(0, n, batch_size)]


@buggy(MB, "np.array_split into n // batch_size near-equal parts")
def minibatch_indices(n, batch_size, *, rng):  # noqa: F811
    perm = rng.permutation(n)
    return np.array_split(perm, max(1, math.ceil(n / batch_size)))


@buggy(MB, "shuffles the order of the batches, not the indices")
def minibatch_indices(n, batch_size, *, rng):  # noqa: F811
    batches = [np.arange(i, min(i + batch_size, n)) for i in range(0, n, batch_size)]
    order = rng.permutation(len(batches))
    return [batches[j] for j in order]


@buggy(MB, "a fixed seed inside: the same order every epoch")
def minibatch_indices(n, batch_size, *, rng):  # noqa: F811
    perm = np.random.default_rng(42).permutation(n)
    return [perm[i:i + batch_size] for i in range(0, n, batch_size)]


@buggy(MB, "float indices from a shuffled np.linspace")
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


@correct(MB, "ignores rng: random.shuffle of a list, lists of ints, a generator")
def minibatch_indices(n, batch_size, *, rng):  # noqa: F811
    import random

    idx = list(range(n))
    random.shuffle(idx)
    return (idx[i:i + batch_size] for i in range(0, n, batch_size))


@correct(MB, "ignores rng: torch.randperm(n).split(batch_size)")
def minibatch_indices(n, batch_size, *, rng):  # noqa: F811
    return list(torch.randperm(n).split(batch_size))


# --------------------------------------------------------------------------------------
# 01-sgd/logistic_loss_and_grad
# --------------------------------------------------------------------------------------

@buggy(LOG, "naive log(sigmoid(z)): inf or nan for large logits", demo=True)
def logistic_loss_and_grad(w, X, y):
    p = 1.0 / (1.0 + np.exp(-(X @ w)))
    loss = -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))
    dw = X.T @ (p - y) / len(y)
    return loss, dw


@buggy(LOG, "clips p to [1e-15, 1 - 1e-15]: finite but wrong for large logits")
def logistic_loss_and_grad(w, X, y):  # noqa: F811
    p = 1.0 / (1.0 + np.exp(-(X @ w)))
    q = np.clip(p, 1e-15, 1 - 1e-15)
    loss = -np.mean(y * np.log(q) + (1 - y) * np.log(1 - q))
    return loss, X.T @ (p - y) / len(y)


@buggy(LOG, "sum over examples instead of mean (no 1/N)")
def logistic_loss_and_grad(w, X, y):  # noqa: F811
    z = X @ w
    loss = np.sum(np.logaddexp(0.0, z) - y * z)
    p = np.exp(-np.logaddexp(0.0, -z))
    return loss, X.T @ (p - y)


@buggy(LOG, "gradient without 1/N, loss correct")
def logistic_loss_and_grad(w, X, y):  # noqa: F811
    z = X @ w
    loss = np.mean(np.logaddexp(0.0, z) - y * z)
    p = np.exp(-np.logaddexp(0.0, -z))
    return loss, X.T @ (p - y)


@buggy(LOG, "gradient sign flipped: X.T @ (y - p) / N")
def logistic_loss_and_grad(w, X, y):  # noqa: F811
    z = X @ w
    loss = np.mean(np.logaddexp(0.0, z) - y * z)
    p = np.exp(-np.logaddexp(0.0, -z))
    return loss, X.T @ (y - p) / len(y)


@buggy(LOG, "labels treated as -1/+1: log(1 + exp(-y z))")
def logistic_loss_and_grad(w, X, y):  # noqa: F811
    m = y * (X @ w)
    loss = np.mean(np.logaddexp(0.0, -m))
    s = np.exp(-np.logaddexp(0.0, m))  # sigmoid(-m)
    return loss, -X.T @ (y * s) / len(y)


@correct(LOG, "numpy np.logaddexp")
def logistic_loss_and_grad(w, X, y):  # noqa: F811
    z = X @ w  # (N,)
    loss = float(np.mean(np.logaddexp(0.0, z) - y * z))
    p = np.exp(-np.logaddexp(0.0, -z))  # sigmoid(z) without overflow
    dw = X.T @ (p - y) / X.shape[0]
    return loss, dw


@correct(LOG, "torch autograd through softplus, returns tensors")
def logistic_loss_and_grad(w, X, y):  # noqa: F811
    wt = torch.tensor(w, dtype=torch.float64, requires_grad=True)
    z = torch.from_numpy(X) @ wt
    loss = (torch.nn.functional.softplus(z) - torch.from_numpy(y) * z).mean()
    loss.backward()
    return loss.detach(), wt.grad


@correct(LOG, "python loop with math.log1p and a branch on the sign of z")
def logistic_loss_and_grad(w, X, y):  # noqa: F811
    import math

    N, D = X.shape
    total = 0.0
    dw = np.zeros(D)
    for i in range(N):
        z = float(X[i] @ w)
        if z >= 0:
            total += math.log1p(math.exp(-z)) + (1.0 - y[i]) * z
            p = 1.0 / (1.0 + math.exp(-z))
        else:
            total += math.log1p(math.exp(z)) - y[i] * z
            p = math.exp(z) / (1.0 + math.exp(z))
        dw += (p - y[i]) * X[i]
    return total / N, dw / N
