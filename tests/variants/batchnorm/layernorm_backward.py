"""Buggy and correct answers to 05-batchnorm/layernorm_backward (self-contained: see tests/variants/__init__.py)."""

from __future__ import annotations

import math

import numpy as np

from .. import buggy, correct

LNB = "05-batchnorm/layernorm_backward"


@buggy(LNB, "batch-norm backward copied: means over axis 0 instead of axis 1", demo=True, classes=(6,))
def layernorm_backward(dout, cache):
    x_hat, var, eps, gamma = cache["x_hat"], cache["var"], cache["eps"], cache["gamma"]
    g = dout * gamma
    dx = (g - g.mean(axis=0) - x_hat * (g * x_hat).mean(axis=0)) / np.sqrt(var + eps)
    return dx, (dout * x_hat).sum(axis=0), dout.sum(axis=0)


@buggy(LNB, "ignores that the mean depends on x", classes=(0,))
def layernorm_backward(dout, cache):  # noqa: F811
    x_hat, var, eps, gamma = cache["x_hat"], cache["var"], cache["eps"], cache["gamma"]
    g = dout * gamma
    dx = (g - x_hat * (g * x_hat).mean(axis=1, keepdims=True)) / np.sqrt(var + eps)
    return dx, (dout * x_hat).sum(axis=0), dout.sum(axis=0)


@buggy(LNB, "ignores that the variance depends on x", classes=(0,))
def layernorm_backward(dout, cache):  # noqa: F811
    x_hat, var, eps, gamma = cache["x_hat"], cache["var"], cache["eps"], cache["gamma"]
    g = dout * gamma
    dx = (g - g.mean(axis=1, keepdims=True)) / np.sqrt(var + eps)
    return dx, (dout * x_hat).sum(axis=0), dout.sum(axis=0)


@buggy(LNB, "dx forgets gamma", classes=(0,))
def layernorm_backward(dout, cache):  # noqa: F811
    x_hat, var, eps = cache["x_hat"], cache["var"], cache["eps"]
    dx = (dout - dout.mean(axis=1, keepdims=True) - x_hat * (dout * x_hat).mean(axis=1, keepdims=True)) \
        / np.sqrt(var + eps)
    return dx, (dout * x_hat).sum(axis=0), dout.sum(axis=0)


@buggy(LNB, "dgamma and dbeta summed over the features (axis 1) instead of the batch", classes=(6,))
def layernorm_backward(dout, cache):  # noqa: F811
    x_hat, var, eps, gamma = cache["x_hat"], cache["var"], cache["eps"], cache["gamma"]
    g = dout * gamma
    dx = (g - g.mean(axis=1, keepdims=True) - x_hat * (g * x_hat).mean(axis=1, keepdims=True)) / np.sqrt(var + eps)
    return dx, (dout * x_hat).sum(axis=1), dout.sum(axis=1)


@correct(LNB, "staged graph on the transpose, like batch norm's")
def layernorm_backward(dout, cache):  # noqa: F811
    x, mu, var, eps, gamma = cache["x"], cache["mu"], cache["var"], cache["eps"], cache["gamma"]
    D = x.shape[1]
    xmu = x - mu                               # (N, D)
    ivar = 1.0 / np.sqrt(var + eps)            # (N, 1)
    x_hat = xmu * ivar
    dxhat = dout * gamma
    dvar = np.sum(dxhat * xmu, axis=1, keepdims=True) * -0.5 * ivar**3
    dmu = -np.sum(dxhat * ivar, axis=1, keepdims=True) - 2.0 * dvar * xmu.mean(axis=1, keepdims=True)
    dx = dxhat * ivar + dvar * 2.0 * xmu / D + dmu / D
    return dx, np.sum(dout * x_hat, axis=0), np.sum(dout, axis=0)


@correct(LNB, "per-example Jacobian matrices")
def layernorm_backward(dout, cache):  # noqa: F811
    x_hat, var, eps, gamma = cache["x_hat"], cache["var"], cache["eps"], cache["gamma"]
    N, D = dout.shape
    dx = np.zeros((N, D))
    for n in range(N):
        xh = x_hat[n]
        J = (np.eye(D) - 1.0 / D - np.outer(xh, xh) / D) / math.sqrt(float(var[n, 0]) + eps)  # d x_hat / d x
        dx[n] = J.T @ (dout[n] * gamma)
    return dx, np.einsum("nd,nd->d", dout, x_hat), dout.sum(axis=0)


@buggy('05-batchnorm/layernorm_backward', "[1] recomputes var from cache['x'] by the one-pass formula")
def layernorm_backward(dout, cache):
    x, eps, gamma = cache["x"], cache["eps"], cache["gamma"]
    mu = x.mean(axis=1, keepdims=True)
    var = (x * x).mean(axis=1, keepdims=True) - mu * mu
    x_hat = (x - mu) / np.sqrt(var + eps)
    g = gamma * dout
    dx = (g - g.mean(axis=1, keepdims=True) - x_hat * (g * x_hat).mean(axis=1, keepdims=True)) / np.sqrt(var + eps)
    return dx, (dout * x_hat).sum(axis=0), dout.sum(axis=0)


@buggy(LNB, "[7] drops eps: divides by sqrt(var)", classes=(7,))
def layernorm_backward(dout, cache):  # noqa: F811
    x_hat, var, gamma = cache["x_hat"], cache["var"], cache["gamma"]
    g = dout * gamma
    dx = (g - g.mean(axis=1, keepdims=True) - x_hat * (g * x_hat).mean(axis=1, keepdims=True)) / np.sqrt(var)
    return dx, (dout * x_hat).sum(axis=0), dout.sum(axis=0)


@buggy(LNB, "[8] rebuilds x_hat by centring cache['x'] in place (x -= mu): modifies the cache", classes=(8,))
def layernorm_backward(dout, cache):  # noqa: F811
    x, mu, var, eps, gamma = cache["x"], cache["mu"], cache["var"], cache["eps"], cache["gamma"]
    x -= mu
    x_hat = x / np.sqrt(var + eps)
    g = dout * gamma
    dx = (g - g.mean(axis=1, keepdims=True)
          - x_hat * (g * x_hat).mean(axis=1, keepdims=True)) / np.sqrt(var + eps)
    return dx, (dout * x_hat).sum(axis=0), dout.sum(axis=0)


@buggy(LNB, "[9] dgamma and dbeta summed with keepdims=True: shape (1, D) instead of (D,)", classes=(9,))
def layernorm_backward(dout, cache):  # noqa: F811
    x_hat, var, eps, gamma = cache["x_hat"], cache["var"], cache["eps"], cache["gamma"]
    g = dout * gamma
    dx = (g - g.mean(axis=1, keepdims=True)
          - x_hat * (g * x_hat).mean(axis=1, keepdims=True)) / np.sqrt(var + eps)
    return dx, (dout * x_hat).sum(axis=0, keepdims=True), dout.sum(axis=0, keepdims=True)
