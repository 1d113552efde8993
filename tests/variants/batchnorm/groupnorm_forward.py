"""Buggy and correct answers to 05-batchnorm/groupnorm_forward (self-contained: see tests/variants/__init__.py)."""

from __future__ import annotations

import numpy as np
import torch

from .. import buggy, correct

GNF = "05-batchnorm/groupnorm_forward"


@buggy(GNF, "groups of interleaved channels: reshape (N, C // G, G, H, W)", demo=True, classes=(6,))
def groupnorm_forward(x, gamma, beta, G, gn_param):
    eps = gn_param.get("eps", 1e-5)
    N, C, H, W = x.shape
    xg = x.reshape(N, C // G, G, H, W)
    mu = xg.mean(axis=(1, 3, 4), keepdims=True)
    var = xg.var(axis=(1, 3, 4), keepdims=True)
    x_hat = ((xg - mu) / np.sqrt(var + eps)).reshape(N, C, H, W)
    out = gamma.reshape(1, C, 1, 1) * x_hat + beta.reshape(1, C, 1, 1)
    return out, {"x": x, "x_hat": x_hat, "mu": mu.reshape(N, G), "var": var.reshape(N, G), "eps": eps,
                 "gamma": gamma, "G": G}


@buggy(GNF, "one group per channel whatever G (instance norm)", classes=(7,))
def groupnorm_forward(x, gamma, beta, G, gn_param):  # noqa: F811
    eps = gn_param.get("eps", 1e-5)
    N, C, H, W = x.shape
    mu = x.mean(axis=(2, 3), keepdims=True)
    var = x.var(axis=(2, 3), keepdims=True)
    x_hat = (x - mu) / np.sqrt(var + eps)
    xg = x.reshape(N, G, -1)
    out = gamma.reshape(1, C, 1, 1) * x_hat + beta.reshape(1, C, 1, 1)
    return out, {"x": x, "x_hat": x_hat, "mu": xg.mean(axis=2), "var": xg.var(axis=2), "eps": eps,
                 "gamma": gamma, "G": G}


@buggy(GNF, "one group for all channels whatever G (layer norm)", classes=(7,))
def groupnorm_forward(x, gamma, beta, G, gn_param):  # noqa: F811
    eps = gn_param.get("eps", 1e-5)
    N, C, H, W = x.shape
    mu = x.mean(axis=(1, 2, 3), keepdims=True)
    var = x.var(axis=(1, 2, 3), keepdims=True)
    x_hat = (x - mu) / np.sqrt(var + eps)
    xg = x.reshape(N, G, -1)
    out = gamma.reshape(1, C, 1, 1) * x_hat + beta.reshape(1, C, 1, 1)
    return out, {"x": x, "x_hat": x_hat, "mu": xg.mean(axis=2), "var": xg.var(axis=2), "eps": eps,
                 "gamma": gamma, "G": G}


@buggy(GNF, "eps outside the square root", classes=(0,))
def groupnorm_forward(x, gamma, beta, G, gn_param):  # noqa: F811
    eps = gn_param.get("eps", 1e-5)
    N, C, H, W = x.shape
    xg = x.reshape(N, G, -1)
    mu, var = xg.mean(axis=2, keepdims=True), xg.var(axis=2, keepdims=True)
    x_hat = ((xg - mu) / (np.sqrt(var) + eps)).reshape(N, C, H, W)
    out = gamma.reshape(1, C, 1, 1) * x_hat + beta.reshape(1, C, 1, 1)
    return out, {"x": x, "x_hat": x_hat, "mu": mu[:, :, 0], "var": var[:, :, 0], "eps": eps, "gamma": gamma, "G": G}


@buggy(GNF, "unbiased variance within each group", classes=(0,))
def groupnorm_forward(x, gamma, beta, G, gn_param):  # noqa: F811
    eps = gn_param.get("eps", 1e-5)
    N, C, H, W = x.shape
    xg = x.reshape(N, G, -1)
    mu, var = xg.mean(axis=2, keepdims=True), xg.var(axis=2, ddof=1, keepdims=True)
    x_hat = ((xg - mu) / np.sqrt(var + eps)).reshape(N, C, H, W)
    out = gamma.reshape(1, C, 1, 1) * x_hat + beta.reshape(1, C, 1, 1)
    return out, {"x": x, "x_hat": x_hat, "mu": mu[:, :, 0], "var": var[:, :, 0], "eps": eps, "gamma": gamma, "G": G}


@correct(GNF, "loop over the groups, slicing consecutive channels")
def groupnorm_forward(x, gamma, beta, G, gn_param):  # noqa: F811
    eps = gn_param.get("eps", 1e-5)
    N, C, H, W = x.shape
    cg = C // G
    x_hat = np.empty(x.shape)
    mu, var = np.empty((N, G)), np.empty((N, G))
    for g in range(G):
        block = x[:, g * cg:(g + 1) * cg]                   # (N, C//G, H, W)
        mu[:, g] = block.mean(axis=(1, 2, 3))
        var[:, g] = block.var(axis=(1, 2, 3))
        x_hat[:, g * cg:(g + 1) * cg] = (block - mu[:, g, None, None, None]) / np.sqrt(var[:, g, None, None, None] + eps)
    out = x_hat * gamma[:, None, None] + beta[:, None, None]
    return out, {"x": x, "x_hat": x_hat, "mu": mu, "var": var, "eps": eps, "gamma": gamma, "G": G}


@correct(GNF, "torch: view (N, G, -1) and var_mean")
def groupnorm_forward(x, gamma, beta, G, gn_param):  # noqa: F811
    eps = gn_param.get("eps", 1e-5)
    xt = torch.as_tensor(x, dtype=torch.float64)
    N, C = xt.shape[:2]
    var, mu = torch.var_mean(xt.reshape(N, G, -1), dim=-1, unbiased=False)
    x_hat = ((xt.reshape(N, G, -1) - mu[..., None]) / torch.sqrt(var[..., None] + eps)).reshape(xt.shape)
    out = x_hat * torch.as_tensor(gamma).view(1, C, 1, 1) + torch.as_tensor(beta).view(1, C, 1, 1)
    return out.numpy(), {"x": x, "x_hat": x_hat.numpy(), "mu": mu.numpy(), "var": var.numpy(), "eps": eps,
                         "gamma": gamma, "G": G}


@buggy('05-batchnorm/groupnorm_forward', "[1] one-pass variance per group")
def groupnorm_forward(x, gamma, beta, G, gn_param):
    eps = gn_param.get("eps", 1e-5)
    N, C, H, W = x.shape
    xg = x.reshape(N, G, -1)
    mu = xg.mean(axis=2, keepdims=True)
    var = (xg ** 2).mean(axis=2, keepdims=True) - mu ** 2
    x_hat = ((xg - mu) / np.sqrt(var + eps)).reshape(N, C, H, W)
    out = gamma.reshape(1, C, 1, 1) * x_hat + beta.reshape(1, C, 1, 1)
    return out, _pack(x, x_hat, mu[..., 0], var[..., 0], eps, gamma, G)


@buggy('05-batchnorm/groupnorm_forward', "[7] gn_param['eps'] without default (KeyError on an empty dict)")
def groupnorm_forward(x, gamma, beta, G, gn_param):
    eps = gn_param["eps"]
    N, C, H, W = x.shape
    xg = x.reshape(N, G, -1)
    mu = xg.mean(axis=2, keepdims=True)
    var = xg.var(axis=2, keepdims=True)
    x_hat = ((xg - mu) / np.sqrt(var + eps)).reshape(N, C, H, W)
    out = gamma.reshape(1, C, 1, 1) * x_hat + beta.reshape(1, C, 1, 1)
    return out, _pack(x, x_hat, mu[..., 0], var[..., 0], eps, gamma, G)


@buggy(GNF, "[8] centres the (N, G, -1) reshape of x in place: the reshape is a view, x changes",
       classes=(8,))
def groupnorm_forward(x, gamma, beta, G, gn_param):  # noqa: F811
    eps = gn_param.get("eps", 1e-5)
    N, C, H, W = x.shape
    x_orig = x.copy()
    xg = x.reshape(N, G, -1)
    mu = xg.mean(axis=2)
    var = xg.var(axis=2)
    xg -= mu[:, :, None]
    xg /= np.sqrt(var[:, :, None] + eps)
    x_hat = xg.reshape(N, C, H, W)
    out = gamma.reshape(1, C, 1, 1) * x_hat + beta.reshape(1, C, 1, 1)
    return out, {"x": x_orig, "x_hat": x_hat, "mu": mu, "var": var, "eps": eps, "gamma": gamma, "G": G}


@buggy(GNF, "[9] cache mu and var kept with keepdims: shape (N, G, 1) instead of (N, G)", classes=(9,))
def groupnorm_forward(x, gamma, beta, G, gn_param):  # noqa: F811
    eps = gn_param.get("eps", 1e-5)
    N, C, H, W = x.shape
    xg = x.reshape(N, G, -1)
    mu = xg.mean(axis=2, keepdims=True)
    var = xg.var(axis=2, keepdims=True)
    x_hat = ((xg - mu) / np.sqrt(var + eps)).reshape(N, C, H, W)
    out = gamma.reshape(1, C, 1, 1) * x_hat + beta.reshape(1, C, 1, 1)
    return out, {"x": x, "x_hat": x_hat, "mu": mu, "var": var, "eps": eps, "gamma": gamma, "G": G}
