import math, random
import numpy as np
import torch
from tests.variants import buggy, correct

ID = "01-sgd/backtracking_line_search"






@buggy(ID, "[8] steps x in place to test the trial point and steps back (x changes by rounding)")
def backtracking_line_search(f, grad_f, x, *, lr0=1.0, beta=0.5, c=1e-4, max_iter=50):
    g = grad_f(x)
    fx = f(x)
    gg = float(g @ g)
    t = lr0
    for k in range(max_iter + 1):
        x -= t * g
        ok = f(x) <= fx - c * t * gg
        x += t * g
        if ok:
            return t
        t *= beta
    return lr0 * beta ** max_iter


@buggy(ID, "[8] x_new = x; x_new -= t*g aliases x, so x is left moved")
def backtracking_line_search(f, grad_f, x, *, lr0=1.0, beta=0.5, c=1e-4, max_iter=50):
    g = grad_f(x)
    fx = f(x)
    gg = float(g @ g)
    t = lr0
    for k in range(max_iter + 1):
        x_new = x
        x_new -= t * g
        if f(x_new) <= fx - c * t * gg:
            return t
        x_new += t * g
        t *= beta
    return t


@buggy(ID, "[7] fallback off by one: returns lr0*beta**(max_iter+1) when nothing satisfies Armijo")
def backtracking_line_search(f, grad_f, x, *, lr0=1.0, beta=0.5, c=1e-4, max_iter=50):
    g = grad_f(x)
    fx = f(x)
    gg = float(np.dot(g, g))
    t = lr0
    for _ in range(max_iter + 1):
        if f(x - t * g) <= fx - c * t * gg:
            return t
        t *= beta
    return t


@buggy(ID, "[other] uses |g| instead of |g|^2 in the sufficient-decrease term")
def backtracking_line_search(f, grad_f, x, *, lr0=1.0, beta=0.5, c=1e-4, max_iter=50):
    g = grad_f(x)
    fx = f(x)
    t = lr0
    for _ in range(max_iter + 1):
        if f(x - t * g) <= fx - c * t * np.linalg.norm(g):
            return t
        t *= beta
    return lr0 * beta ** max_iter


@buggy(ID, "[7] ignores c: hard-codes c = 1e-4")
def backtracking_line_search(f, grad_f, x, *, lr0=1.0, beta=0.5, c=1e-4, max_iter=50):
    g = grad_f(x)
    fx = f(x)
    gg = float(np.dot(g, g))
    for k in range(max_iter + 1):
        t = lr0 * beta ** k
        if f(x - t * g) <= fx - 1e-4 * t * gg:
            return t
    return lr0 * beta ** max_iter


@buggy(ID, "[7] plain decrease f(x - t g) < f(x), no Armijo term")
def backtracking_line_search(f, grad_f, x, *, lr0=1.0, beta=0.5, c=1e-4, max_iter=50):
    g = grad_f(x)
    fx = f(x)
    for k in range(max_iter + 1):
        t = lr0 * beta ** k
        if f(x - t * g) < fx:
            return t
    return lr0 * beta ** max_iter


@buggy(ID, "[7] shrinks before the first trial: first t tried is lr0*beta")
def backtracking_line_search(f, grad_f, x, *, lr0=1.0, beta=0.5, c=1e-4, max_iter=50):
    g = grad_f(x)
    fx = f(x)
    gg = float(np.dot(g, g))
    t = lr0
    for _ in range(max_iter):
        t *= beta
        if f(x - t * g) <= fx - c * t * gg:
            return t
    return lr0 * beta ** max_iter






@correct(ID, "while loop with counter and sum(g*g); range(max_iter) + fallback")
def backtracking_line_search(f, grad_f, x, *, lr0=1.0, beta=0.5, c=1e-4, max_iter=50):
    g = grad_f(x)
    fx = f(x)
    sq = float(np.sum(g * g))
    k = 0
    while k < max_iter:
        t = lr0 * beta ** k
        if f(x - t * g) <= fx - c * t * sq:
            return float(t)
        k += 1
    return float(lr0 * beta ** max_iter)


@correct(ID, "t multiplied by beta in place, einsum for |g|^2, copies x")
def backtracking_line_search(f, grad_f, x, *, lr0=1.0, beta=0.5, c=1e-4, max_iter=50):
    x0 = np.array(x, dtype=float, copy=True)
    g = np.asarray(grad_f(x0))
    fx = f(x0)
    sq = np.einsum("i,i->", g, g)
    t = lr0
    for _ in range(max_iter + 1):
        if f(x0 - t * g) <= fx - c * t * sq:
            break
        t = t * beta
    else:
        t = lr0 * beta ** max_iter
    return float(t)
