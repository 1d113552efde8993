"""Buggy and correct answers to 01-sgd/backtracking_line_search (self-contained: see tests/variants/__init__.py)."""

from __future__ import annotations

import math

import numpy as np
import torch

from .. import buggy, correct

BLS = "01-sgd/backtracking_line_search"


@buggy(BLS, "Armijo right-hand side uses ||g|| instead of ||g||^2", demo=True, classes=(0,))
def backtracking_line_search(f, grad_f, x, *, lr0=1.0, beta=0.5, c=1e-4, max_iter=50):
    g = grad_f(x)
    fx = f(x)
    t = lr0
    for _ in range(max_iter):
        if f(x - t * g) <= fx - c * t * np.linalg.norm(g):
            return t
        t *= beta
    return t


@buggy(BLS, "sign of the sufficient-decrease term flipped (+c t ||g||^2)", classes=(0,))
def backtracking_line_search(f, grad_f, x, *, lr0=1.0, beta=0.5, c=1e-4, max_iter=50):  # noqa: F811
    g = grad_f(x)
    fx = f(x)
    t = lr0
    for _ in range(max_iter):
        if f(x - t * g) <= fx + c * t * (g @ g):
            return t
        t *= beta
    return t


@buggy(BLS, "shrinks t before the first test, so lr0 itself is never tried", classes=(7,))
def backtracking_line_search(f, grad_f, x, *, lr0=1.0, beta=0.5, c=1e-4, max_iter=50):  # noqa: F811
    g = grad_f(x)
    fx = f(x)
    t = lr0
    for _ in range(max_iter):
        t = beta * t
        if f(x - t * g) <= fx - c * t * (g @ g):
            break
    return t


@buggy(BLS, "never backtracks: returns lr0", classes=(0,))
def backtracking_line_search(f, grad_f, x, *, lr0=1.0, beta=0.5, c=1e-4, max_iter=50):  # noqa: F811
    g = grad_f(x)
    t = lr0
    if f(x - t * g) <= f(x) - c * t * (g @ g):
        return t
    return lr0


@buggy(BLS, "plain decrease f(x - t g) < f(x), ignoring c", classes=(7,))
def backtracking_line_search(f, grad_f, x, *, lr0=1.0, beta=0.5, c=1e-4, max_iter=50):  # noqa: F811
    g = grad_f(x)
    t = lr0
    while f(x - t * g) >= f(x) and max_iter > 0:
        t *= beta
        max_iter -= 1
    return t


@buggy(BLS, "returns t * beta after the loop (one step too far)", classes=(0,))
def backtracking_line_search(f, grad_f, x, *, lr0=1.0, beta=0.5, c=1e-4, max_iter=50):  # noqa: F811
    g = grad_f(x)
    fx = f(x)
    t = lr0
    k = 0
    while k < max_iter and f(x - t * g) > fx - c * t * (g @ g):
        t *= beta
        k += 1
    return t * beta


@buggy(BLS, "updates x in place (x -= t * g) while testing", classes=(8,))
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


@correct(BLS, "torch norm for ||g||^2, for loop with break")
def backtracking_line_search(f, grad_f, x, *, lr0=1.0, beta=0.5, c=1e-4, max_iter=50):  # noqa: F811
    g = grad_f(x)
    sq = float(torch.linalg.vector_norm(torch.from_numpy(np.asarray(g))) ** 2)
    fx = f(x)
    t = lr0
    for _ in range(max_iter):
        if f(x - t * g) <= fx - c * t * sq:
            break
        t = t * beta
    return float(t)


@buggy(BLS, "[9] returns the accepted step as a 0-d/1-elem array computed from arrays (np.array(t))")
def backtracking_line_search(f, grad_f, x, *, lr0=1.0, beta=0.5, c=1e-4, max_iter=50):
    g = grad_f(x)
    fx = f(x)
    ts = lr0 * beta ** np.arange(max_iter + 1)
    for t in ts:
        if f(x - t * g) <= fx - c * t * np.sum(g ** 2):
            return ts[ts == t][:1]
    return ts[-1:]


@buggy(BLS, "[7] strict Armijo inequality f(x - t g) < f(x) - c t |g|^2 (rejects equality)")
def backtracking_line_search(f, grad_f, x, *, lr0=1.0, beta=0.5, c=1e-4, max_iter=50):
    g = grad_f(x)
    fx = f(x)
    gg = np.sum(g * g)
    t = lr0
    for k in range(max_iter + 1):
        t = lr0 * beta ** k
        if f(x - t * g) < fx - c * t * gg:
            return t
    return lr0 * beta ** max_iter


@buggy(BLS, "[7] evaluates grad_f at every trial (documented: once)")
def backtracking_line_search(f, grad_f, x, *, lr0=1.0, beta=0.5, c=1e-4, max_iter=50):
    t = lr0
    for k in range(max_iter + 1):
        g = grad_f(x)
        if f(x - t * g) <= f(x) - c * t * np.dot(g, g):
            return t
        t = t * beta
    return lr0 * beta ** max_iter


@buggy('01-sgd/backtracking_line_search', "[7] recomputes f(x) at every trial (two f evaluations per trial)")
def backtracking_line_search(f, grad_f, x, *, lr0=1.0, beta=0.5, c=1e-4, max_iter=50):
    g = grad_f(x)
    gg = float(np.dot(g, g))
    t = lr0
    for _ in range(max_iter + 1):
        if f(x - t * g) <= f(x) - c * t * gg:
            return t
        t *= beta
    return lr0 * beta ** max_iter
