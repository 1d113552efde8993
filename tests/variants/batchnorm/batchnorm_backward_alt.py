"""Buggy and correct answers to 05-batchnorm/batchnorm_backward_alt (self-contained: see tests/variants/__init__.py)."""

from __future__ import annotations

import math

import numpy as np

from .. import buggy, correct

ALT = "05-batchnorm/batchnorm_backward_alt"


@buggy(ALT, "forgets to divide the two correction terms by N", demo=True, classes=(0,))
def batchnorm_backward_alt(dout, cache):
    x_hat, var, eps, gamma = cache["x_hat"], cache["var"], cache["eps"], cache["gamma"]
    dbeta = dout.sum(axis=0)
    dgamma = (dout * x_hat).sum(axis=0)
    dx = gamma / np.sqrt(var + eps) * (dout - dbeta - x_hat * dgamma)
    return dx, dgamma, dbeta


@buggy(ALT, "drops the mean(dout) term (mean's dependence on x)", classes=(0,))
def batchnorm_backward_alt(dout, cache):  # noqa: F811
    x_hat, var, eps, gamma = cache["x_hat"], cache["var"], cache["eps"], cache["gamma"]
    dgamma = (dout * x_hat).sum(axis=0)
    dx = gamma / np.sqrt(var + eps) * (dout - x_hat * (dout * x_hat).mean(axis=0))
    return dx, dgamma, dout.sum(axis=0)


@buggy(ALT, "uses x - mu instead of x_hat in the correction term", classes=(0,))
def batchnorm_backward_alt(dout, cache):  # noqa: F811
    x, mu, x_hat, var, eps, gamma = (cache[k] for k in ("x", "mu", "x_hat", "var", "eps", "gamma"))
    xmu = x - mu
    dx = gamma / np.sqrt(var + eps) * (dout - dout.mean(axis=0) - xmu * (dout * x_hat).mean(axis=0))
    return dx, (dout * x_hat).sum(axis=0), dout.sum(axis=0)


@buggy(ALT, "dbeta and dgamma averaged over the batch instead of summed", classes=(0,))
def batchnorm_backward_alt(dout, cache):  # noqa: F811
    x_hat, var, eps, gamma = cache["x_hat"], cache["var"], cache["eps"], cache["gamma"]
    dx = gamma / np.sqrt(var + eps) * (dout - dout.mean(axis=0) - x_hat * (dout * x_hat).mean(axis=0))
    return dx, (dout * x_hat).mean(axis=0), dout.mean(axis=0)


@buggy(ALT, "sign of the x_hat correction flipped", classes=(0,))
def batchnorm_backward_alt(dout, cache):  # noqa: F811
    x_hat, var, eps, gamma = cache["x_hat"], cache["var"], cache["eps"], cache["gamma"]
    dx = gamma / np.sqrt(var + eps) * (dout - dout.mean(axis=0) + x_hat * (dout * x_hat).mean(axis=0))
    return dx, (dout * x_hat).sum(axis=0), dout.sum(axis=0)


@correct(ALT, "means, with x_hat recomputed from x, mu, var")
def batchnorm_backward_alt(dout, cache):  # noqa: F811
    inv_std = 1.0 / np.sqrt(cache["var"] + cache["eps"])
    x_hat = (cache["x"] - cache["mu"]) * inv_std
    g = dout * cache["gamma"]
    dx = inv_std * (g - g.mean(axis=0) - x_hat * (g * x_hat).mean(axis=0))
    return dx, np.einsum("nd,nd->d", dout, x_hat), dout.sum(axis=0)


@correct(ALT, "explicit per-feature Jacobian matrices")
def batchnorm_backward_alt(dout, cache):  # noqa: F811
    x_hat, var, eps, gamma = cache["x_hat"], cache["var"], cache["eps"], cache["gamma"]
    N, D = dout.shape
    dx = np.empty_like(dout, dtype=np.float64)
    for d in range(D):
        xh = x_hat[:, d]
        J = (np.eye(N) - 1.0 / N - np.outer(xh, xh) / N) * gamma[d] / math.sqrt(var[d] + eps)
        dx[:, d] = J.T @ dout[:, d]
    return dx, (dout * x_hat).sum(axis=0), dout.sum(axis=0)


@buggy('05-batchnorm/batchnorm_backward_alt', "[1] recomputes x_hat and var from cache['x'] in float32")
def batchnorm_backward_alt(dout, cache):
    x = cache["x"].astype(np.float32)
    eps, gamma = cache["eps"], cache["gamma"]
    mu = x.mean(axis=0)
    var = x.var(axis=0)
    x_hat = (x - mu) / np.sqrt(var + eps)
    g = gamma * dout
    dx = (g - g.mean(axis=0) - x_hat * (g * x_hat).mean(axis=0)) / np.sqrt(var + eps)
    return dx, (dout * x_hat).sum(axis=0), dout.sum(axis=0)


@buggy(ALT, "[6] the batch means as sums divided by dout.shape[1] (D) instead of N", classes=(6,))
def batchnorm_backward_alt(dout, cache):  # noqa: F811
    x_hat, var, eps, gamma = cache["x_hat"], cache["var"], cache["eps"], cache["gamma"]
    n = dout.shape[1]
    g = dout * gamma
    dx = (g - g.sum(axis=0) / n - x_hat * (g * x_hat).sum(axis=0) / n) / np.sqrt(var + eps)
    return dx, (dout * x_hat).sum(axis=0), dout.sum(axis=0)


@buggy(ALT, "[7] drops eps: divides by sqrt(var)", classes=(7,))
def batchnorm_backward_alt(dout, cache):  # noqa: F811
    x_hat, var, gamma = cache["x_hat"], cache["var"], cache["gamma"]
    g = dout * gamma
    dx = (g - g.mean(axis=0) - x_hat * (g * x_hat).mean(axis=0)) / np.sqrt(var)
    return dx, (dout * x_hat).sum(axis=0), dout.sum(axis=0)


@buggy(ALT, "[8] g = dout; g *= gamma: scales the caller's dout in place", classes=(8,))
def batchnorm_backward_alt(dout, cache):  # noqa: F811
    x_hat, var, eps, gamma = cache["x_hat"], cache["var"], cache["eps"], cache["gamma"]
    dbeta, dgamma = dout.sum(axis=0), (dout * x_hat).sum(axis=0)
    g = dout
    g *= gamma
    dx = (g - g.mean(axis=0) - x_hat * (g * x_hat).mean(axis=0)) / np.sqrt(var + eps)
    return dx, dgamma, dbeta


@buggy(ALT, "[9] the closed form in torch, returning tensors (documented: ndarrays)", classes=(9,))
def batchnorm_backward_alt(dout, cache):  # noqa: F811
    import torch
    x_hat, var, gamma = (torch.as_tensor(cache[k]) for k in ("x_hat", "var", "gamma"))
    d = torch.as_tensor(dout)
    g = d * gamma
    dx = (g - g.mean(dim=0) - x_hat * (g * x_hat).mean(dim=0)) / torch.sqrt(var + cache["eps"])
    return dx, (d * x_hat).sum(dim=0), d.sum(dim=0)
