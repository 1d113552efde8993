"""Buggy and correct answers to 05-batchnorm/batchnorm_backward (self-contained: see tests/variants/__init__.py)."""

from __future__ import annotations

import numpy as np
import torch

from .. import buggy, correct

BWD = "05-batchnorm/batchnorm_backward"


@buggy(BWD, "ignores that the mean depends on x (no path through mu)", demo=True, classes=(0,))
def batchnorm_backward(dout, cache):
    x, mu, var, eps, gamma = cache["x"], cache["mu"], cache["var"], cache["eps"], cache["gamma"]
    N = x.shape[0]
    xmu = x - mu
    ivar = 1.0 / np.sqrt(var + eps)
    dbeta = dout.sum(axis=0)
    dgamma = np.sum(dout * xmu * ivar, axis=0)
    dxhat = dout * gamma
    dvar = np.sum(dxhat * xmu, axis=0) * -0.5 * ivar**3
    dx = dxhat * ivar + dvar * 2.0 * xmu / N
    return dx, dgamma, dbeta


@buggy(BWD, "ignores that the variance depends on x", classes=(0,))
def batchnorm_backward(dout, cache):  # noqa: F811
    x_hat, var, eps, gamma = cache["x_hat"], cache["var"], cache["eps"], cache["gamma"]
    dxhat = dout * gamma
    dx = (dxhat - dxhat.mean(axis=0)) / np.sqrt(var + eps)
    return dx, np.sum(dout * x_hat, axis=0), dout.sum(axis=0)


@buggy(BWD, "dgamma = sum(dout), forgetting x_hat", classes=(0,))
def batchnorm_backward(dout, cache):  # noqa: F811
    x_hat, var, eps, gamma = cache["x_hat"], cache["var"], cache["eps"], cache["gamma"]
    N = dout.shape[0]
    dxhat = dout * gamma
    dx = (N * dxhat - dxhat.sum(axis=0) - x_hat * np.sum(dxhat * x_hat, axis=0)) / (N * np.sqrt(var + eps))
    return dx, dout.sum(axis=0), dout.sum(axis=0)


@buggy(BWD, "dx forgets the factor gamma", classes=(0,))
def batchnorm_backward(dout, cache):  # noqa: F811
    x, mu, var, eps = cache["x"], cache["mu"], cache["var"], cache["eps"]
    N = x.shape[0]
    xmu = x - mu
    std = np.sqrt(var + eps)
    x_hat = xmu / std
    dvar = np.sum(dout * xmu, axis=0) * -0.5 / std**3
    dmu = -np.sum(dout, axis=0) / std + dvar * np.mean(-2.0 * xmu, axis=0)
    dx = dout / std + dvar * 2.0 * xmu / N + dmu / N
    return dx, np.sum(dout * x_hat, axis=0), dout.sum(axis=0)


@buggy(BWD, "drops eps: divides by sqrt(var)", classes=(7,))
def batchnorm_backward(dout, cache):  # noqa: F811
    x, mu, var, gamma = cache["x"], cache["mu"], cache["var"], cache["gamma"]
    N = x.shape[0]
    xmu = x - mu
    std = np.sqrt(var)
    dxhat = dout * gamma
    dvar = np.sum(dxhat * xmu, axis=0) * -0.5 / std**3
    dmu = -np.sum(dxhat, axis=0) / std
    dx = dxhat / std + dvar * 2.0 * xmu / N + dmu / N
    return dx, np.sum(dout * cache["x_hat"], axis=0), dout.sum(axis=0)


@correct(BWD, "staged graph: mean -> centre -> square -> variance -> sqrt -> invert -> scale")
def batchnorm_backward(dout, cache):  # noqa: F811
    x, eps, gamma = cache["x"], cache["eps"], cache["gamma"]
    N = x.shape[0]
    mu = x.mean(axis=0)
    xmu = x - mu
    sq = xmu**2
    var = sq.mean(axis=0)
    sqrtvar = np.sqrt(var + eps)
    ivar = 1.0 / sqrtvar
    xhat = xmu * ivar
    dbeta = dout.sum(axis=0)
    dgamma = (dout * xhat).sum(axis=0)
    dxhat = dout * gamma
    divar = (dxhat * xmu).sum(axis=0)
    dxmu = dxhat * ivar
    dsqrtvar = -divar / sqrtvar**2
    dvar = 0.5 * dsqrtvar / sqrtvar
    dsq = np.ones_like(sq) * dvar / N
    dxmu = dxmu + 2.0 * xmu * dsq
    dmu = -dxmu.sum(axis=0)
    dx = dxmu + dmu / N
    return dx, dgamma, dbeta


@correct(BWD, "torch autograd through the recomputed forward pass")
def batchnorm_backward(dout, cache):  # noqa: F811
    x = torch.tensor(cache["x"], dtype=torch.float64, requires_grad=True)
    g = torch.tensor(cache["gamma"], dtype=torch.float64, requires_grad=True)
    b = torch.zeros(x.shape[1], dtype=torch.float64, requires_grad=True)
    mu = x.mean(dim=0)
    var = ((x - mu) ** 2).mean(dim=0)
    out = g * (x - mu) / torch.sqrt(var + cache["eps"]) + b
    out.backward(torch.tensor(dout, dtype=torch.float64))
    return x.grad.numpy(), g.grad.numpy(), b.grad.numpy()


@correct(BWD, "closed form with sums rather than means")
def batchnorm_backward(dout, cache):  # noqa: F811
    x_hat, var, eps, gamma = cache["x_hat"], cache["var"], cache["eps"], cache["gamma"]
    N = dout.shape[0]
    dbeta = np.sum(dout, axis=0)
    dgamma = np.sum(dout * x_hat, axis=0)
    dx = gamma / (N * np.sqrt(var + eps)) * (N * dout - dbeta - x_hat * dgamma)
    return dx, dgamma, dbeta


@buggy('05-batchnorm/batchnorm_backward', "[1] recomputes var from cache['x'] with the one-pass formula E[x^2] - mu^2")
def batchnorm_backward(dout, cache):
    x, eps, gamma = cache["x"], cache["eps"], cache["gamma"]
    N = x.shape[0]
    mu = x.mean(axis=0)
    var = (x * x).mean(axis=0) - mu * mu
    c = x - mu
    s = np.sqrt(var + eps)
    x_hat = c / s
    dbeta = dout.sum(axis=0)
    dgamma = (dout * x_hat).sum(axis=0)
    dxhat = dout * gamma
    dvar = (dxhat * c).sum(axis=0) * -0.5 * s ** -3
    dc = dxhat / s + dvar * 2 * c / N
    dmu = -dc.sum(axis=0)
    dx = dc + dmu / N
    return dx, dgamma, dbeta


@buggy(BWD, "[6] D, N = x.shape (the sizes swapped): the 1/N uses the number of features", classes=(6,))
def batchnorm_backward(dout, cache):  # noqa: F811
    x, mu, var, eps, gamma = cache["x"], cache["mu"], cache["var"], cache["eps"], cache["gamma"]
    D, N = x.shape
    c = x - mu
    s = np.sqrt(var + eps)
    x_hat = c / s
    dbeta = dout.sum(axis=0)
    dgamma = (dout * x_hat).sum(axis=0)
    dx_hat = dout * gamma
    ds = -(dx_hat * c).sum(axis=0) / s**2
    dc = dx_hat / s + ds / (2.0 * s) * 2.0 * c / N
    return dc - dc.sum(axis=0) / N, dgamma, dbeta


@buggy(BWD, "[8] centres the cached x in place (c = cache['x']; c -= mu): modifies the cache", classes=(8,))
def batchnorm_backward(dout, cache):  # noqa: F811
    x, mu, var, eps, gamma = cache["x"], cache["mu"], cache["var"], cache["eps"], cache["gamma"]
    N = x.shape[0]
    c = x
    c -= mu                                     # centred input, without a copy
    s = np.sqrt(var + eps)
    x_hat = c / s
    dbeta = dout.sum(axis=0)
    dgamma = (dout * x_hat).sum(axis=0)
    dx_hat = dout * gamma
    ds = -(dx_hat * c).sum(axis=0) / s**2
    dc = dx_hat / s + ds / (2.0 * s) * 2.0 * c / N
    return dc - dc.sum(axis=0) / N, dgamma, dbeta


@buggy(BWD, "[9] dgamma and dbeta summed with keepdims=True: shape (1, D) instead of (D,)", classes=(9,))
def batchnorm_backward(dout, cache):  # noqa: F811
    x, mu, var, eps, gamma = cache["x"], cache["mu"], cache["var"], cache["eps"], cache["gamma"]
    N = x.shape[0]
    c = x - mu
    s = np.sqrt(var + eps)
    x_hat = c / s
    dbeta = dout.sum(axis=0, keepdims=True)
    dgamma = (dout * x_hat).sum(axis=0, keepdims=True)
    dx_hat = dout * gamma
    ds = -(dx_hat * c).sum(axis=0) / s**2
    dc = dx_hat / s + ds / (2.0 * s) * 2.0 * c / N
    return dc - dc.sum(axis=0) / N, dgamma, dbeta
