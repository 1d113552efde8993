"""Buggy and correct answers to 05-batchnorm/groupnorm_backward (self-contained: see tests/variants/__init__.py)."""

from __future__ import annotations

import numpy as np
import torch

from .. import buggy, correct

GNB = "05-batchnorm/groupnorm_backward"


@buggy(GNB, "ignores that the group mean depends on x", demo=True, classes=(0,))
def groupnorm_backward(dout, cache):
    x_hat, var, eps, gamma, G = cache["x_hat"], cache["var"], cache["eps"], cache["gamma"], cache["G"]
    N, C, H, W = dout.shape
    g = (dout * gamma.reshape(1, C, 1, 1)).reshape(N, G, -1)
    xh = x_hat.reshape(N, G, -1)
    dx = (g - xh * (g * xh).mean(axis=2, keepdims=True)) / np.sqrt(var[..., None] + eps)
    return dx.reshape(N, C, H, W), (dout * x_hat).sum(axis=(0, 2, 3)), dout.sum(axis=(0, 2, 3))


@buggy(GNB, "means per channel instead of per group", classes=(0,))
def groupnorm_backward(dout, cache):  # noqa: F811
    x_hat, var, eps, gamma, G = cache["x_hat"], cache["var"], cache["eps"], cache["gamma"], cache["G"]
    N, C, H, W = dout.shape
    g = dout * gamma.reshape(1, C, 1, 1)
    std = np.repeat(np.sqrt(var + eps), C // G, axis=1)[:, :, None, None]       # (N, C, 1, 1)
    dx = (g - g.mean(axis=(2, 3), keepdims=True) - x_hat * (g * x_hat).mean(axis=(2, 3), keepdims=True)) / std
    return dx, (dout * x_hat).sum(axis=(0, 2, 3)), dout.sum(axis=(0, 2, 3))


@buggy(GNB, "dx forgets gamma", classes=(0,))
def groupnorm_backward(dout, cache):  # noqa: F811
    x_hat, var, eps, G = cache["x_hat"], cache["var"], cache["eps"], cache["G"]
    N, C, H, W = dout.shape
    g = dout.reshape(N, G, -1)
    xh = x_hat.reshape(N, G, -1)
    dx = (g - g.mean(axis=2, keepdims=True) - xh * (g * xh).mean(axis=2, keepdims=True)) / np.sqrt(var[..., None] + eps)
    return dx.reshape(N, C, H, W), (dout * x_hat).sum(axis=(0, 2, 3)), dout.sum(axis=(0, 2, 3))


@buggy(GNB, "dgamma and dbeta summed over N only, not over H and W", classes=(6,))
def groupnorm_backward(dout, cache):  # noqa: F811
    x_hat, var, eps, gamma, G = cache["x_hat"], cache["var"], cache["eps"], cache["gamma"], cache["G"]
    N, C, H, W = dout.shape
    g = (dout * gamma.reshape(1, C, 1, 1)).reshape(N, G, -1)
    xh = x_hat.reshape(N, G, -1)
    dx = (g - g.mean(axis=2, keepdims=True) - xh * (g * xh).mean(axis=2, keepdims=True)) / np.sqrt(var[..., None] + eps)
    return dx.reshape(N, C, H, W), (dout * x_hat).sum(axis=0), dout.sum(axis=0)


@buggy(GNB, "ignores that the group variance depends on x", classes=(0,))
def groupnorm_backward(dout, cache):  # noqa: F811
    x_hat, var, eps, gamma, G = cache["x_hat"], cache["var"], cache["eps"], cache["gamma"], cache["G"]
    N, C, H, W = dout.shape
    g = (dout * gamma.reshape(1, C, 1, 1)).reshape(N, G, -1)
    dx = (g - g.mean(axis=2, keepdims=True)) / np.sqrt(var[..., None] + eps)
    return dx.reshape(N, C, H, W), (dout * x_hat).sum(axis=(0, 2, 3)), dout.sum(axis=(0, 2, 3))


@correct(GNB, "torch autograd through a recomputed group norm")
def groupnorm_backward(dout, cache):  # noqa: F811
    G, eps = int(cache["G"]), cache["eps"]
    x = torch.tensor(cache["x"], dtype=torch.float64, requires_grad=True)
    gamma = torch.tensor(cache["gamma"], dtype=torch.float64, requires_grad=True)
    beta = torch.zeros_like(gamma, requires_grad=True)
    N, C = x.shape[:2]
    xg = x.reshape(N, G, -1)
    mu = xg.mean(dim=2, keepdim=True)
    var = ((xg - mu) ** 2).mean(dim=2, keepdim=True)
    x_hat = ((xg - mu) / torch.sqrt(var + eps)).reshape(x.shape)
    out = x_hat * gamma.view(1, C, 1, 1) + beta.view(1, C, 1, 1)
    out.backward(torch.tensor(dout, dtype=torch.float64))
    return x.grad.numpy(), gamma.grad.numpy(), beta.grad.numpy()


@correct(GNB, "staged graph per group, from x and mu rather than x_hat")
def groupnorm_backward(dout, cache):  # noqa: F811
    x, mu, var, eps, gamma, G = (cache[k] for k in ("x", "mu", "var", "eps", "gamma", "G"))
    N, C, H, W = x.shape
    M = (C // G) * H * W                                   # values per group
    xg = x.reshape(N, G, M)
    xmu = xg - mu[:, :, None]
    ivar = 1.0 / np.sqrt(var[:, :, None] + eps)
    dxhat = (dout * gamma[None, :, None, None]).reshape(N, G, M)
    dvar = np.sum(dxhat * xmu, axis=2, keepdims=True) * -0.5 * ivar**3
    dmu = -np.sum(dxhat * ivar, axis=2, keepdims=True)
    dx = dxhat * ivar + dvar * 2.0 * xmu / M + dmu / M
    x_hat = (xmu * ivar).reshape(N, C, H, W)
    return dx.reshape(N, C, H, W), np.sum(dout * x_hat, axis=(0, 2, 3)), np.sum(dout, axis=(0, 2, 3))


@buggy('05-batchnorm/groupnorm_backward', "[1] recomputes x_hat and var from cache['x'] with the one-pass variance")
def groupnorm_backward(dout, cache):
    x, eps, gamma, G = cache["x"], cache["eps"], cache["gamma"], cache["G"]
    N, C, H, W = dout.shape
    xg = x.reshape(N, G, -1)
    mu = xg.mean(axis=2, keepdims=True)
    var = (xg ** 2).mean(axis=2, keepdims=True) - mu ** 2
    xh = (xg - mu) / np.sqrt(var + eps)
    g = (dout * gamma.reshape(1, C, 1, 1)).reshape(N, G, -1)
    dx = ((g - g.mean(axis=2, keepdims=True) - xh * (g * xh).mean(axis=2, keepdims=True))
          / np.sqrt(var + eps)).reshape(N, C, H, W)
    x_hat = xh.reshape(N, C, H, W)
    return dx, (dout * x_hat).sum(axis=(0, 2, 3)), dout.sum(axis=(0, 2, 3))


@buggy(GNB, "[7] squeezes the (N, G, M) group view: with G = 1 the group axis disappears", classes=(7,))
def groupnorm_backward(dout, cache):  # noqa: F811
    x_hat, var, eps, gamma, G = cache["x_hat"], cache["var"], cache["eps"], cache["gamma"], cache["G"]
    N, C, H, W = dout.shape
    g = np.squeeze((dout * gamma.reshape(1, C, 1, 1)).reshape(N, G, -1))
    xh = np.squeeze(x_hat.reshape(N, G, -1))
    s = np.sqrt(var + eps)[..., None]
    dx = (g - g.mean(axis=-1, keepdims=True) - xh * (g * xh).mean(axis=-1, keepdims=True)) / s
    return dx.reshape(N, C, H, W), (dout * x_hat).sum(axis=(0, 2, 3)), dout.sum(axis=(0, 2, 3))


@buggy(GNB, "[8] scales dout by gamma in place (dout *= gamma): modifies the caller's dout", classes=(8,))
def groupnorm_backward(dout, cache):  # noqa: F811
    x_hat, var, eps, gamma, G = cache["x_hat"], cache["var"], cache["eps"], cache["gamma"], cache["G"]
    N, C, H, W = dout.shape
    dgamma, dbeta = (dout * x_hat).sum(axis=(0, 2, 3)), dout.sum(axis=(0, 2, 3))
    dout *= gamma.reshape(1, C, 1, 1)
    g = dout.reshape(N, G, -1)
    xh = x_hat.reshape(N, G, -1)
    dx = (g - g.mean(axis=2, keepdims=True)
          - xh * (g * xh).mean(axis=2, keepdims=True)) / np.sqrt(var[:, :, None] + eps)
    return dx.reshape(N, C, H, W), dgamma, dbeta


@buggy(GNB, "[9] dgamma and dbeta summed with keepdims=True: shape (1, C, 1, 1) like gamma's view",
       classes=(9,))
def groupnorm_backward(dout, cache):  # noqa: F811
    x_hat, var, eps, gamma, G = cache["x_hat"], cache["var"], cache["eps"], cache["gamma"], cache["G"]
    N, C, H, W = dout.shape
    g = (dout * gamma.reshape(1, C, 1, 1)).reshape(N, G, -1)
    xh = x_hat.reshape(N, G, -1)
    dx = (g - g.mean(axis=2, keepdims=True)
          - xh * (g * xh).mean(axis=2, keepdims=True)) / np.sqrt(var[:, :, None] + eps)
    dgamma = (dout * x_hat).sum(axis=(0, 2, 3), keepdims=True)
    return dx.reshape(N, C, H, W), dgamma, dout.sum(axis=(0, 2, 3), keepdims=True)
