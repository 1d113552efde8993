"""Buggy and correct answers to 05-batchnorm/spatial_batchnorm_forward (self-contained: see tests/variants/__init__.py)."""

from __future__ import annotations

import numpy as np
import torch

from .. import buggy, correct

SPA = "05-batchnorm/spatial_batchnorm_forward"


@buggy(SPA, "x.reshape(-1, C) without moving C last: mixes channels", demo=True, classes=(6,))
def spatial_batchnorm_forward(x, gamma, beta, bn_param):
    N, C, H, W = x.shape
    mode, eps, m = bn_param["mode"], bn_param.get("eps", 1e-5), bn_param.get("momentum", 0.1)
    rm = bn_param.get("running_mean", np.zeros(C))
    rv = bn_param.get("running_var", np.ones(C))
    flat = x.reshape(-1, C)
    cache = None
    if mode == "train":
        mu, var = flat.mean(axis=0), flat.var(axis=0)
        x_hat = ((flat - mu) / np.sqrt(var + eps)).reshape(N, C, H, W)
        B = flat.shape[0]
        rm = (1 - m) * rm + m * mu
        rv = (1 - m) * rv + m * var * B / (B - 1)
        cache = {"x": x, "x_hat": x_hat, "mu": mu, "var": var, "eps": eps, "gamma": gamma}
    else:
        x_hat = ((flat - rm) / np.sqrt(rv + eps)).reshape(N, C, H, W)
    bn_param["running_mean"], bn_param["running_var"] = rm, rv
    return gamma[None, :, None, None] * x_hat + beta[None, :, None, None], cache


@buggy(SPA, "statistics over the batch axis only, one per (c, h, w) position", classes=(6,))
def spatial_batchnorm_forward(x, gamma, beta, bn_param):  # noqa: F811
    N, C, H, W = x.shape
    mode, eps, m = bn_param["mode"], bn_param.get("eps", 1e-5), bn_param.get("momentum", 0.1)
    rm = bn_param.get("running_mean", np.zeros(C))
    rv = bn_param.get("running_var", np.ones(C))
    g, b = gamma.reshape(1, C, 1, 1), beta.reshape(1, C, 1, 1)
    cache = None
    if mode == "train":
        mu, var = x.mean(axis=0), x.var(axis=0)
        x_hat = (x - mu) / np.sqrt(var + eps)
        mu_c, var_c = x.mean(axis=(0, 2, 3)), x.var(axis=(0, 2, 3))
        B = N * H * W
        rm = (1 - m) * rm + m * mu_c
        rv = (1 - m) * rv + m * var_c * B / (B - 1)
        cache = {"x": x, "x_hat": x_hat, "mu": mu_c, "var": var_c, "eps": eps, "gamma": gamma}
    else:
        x_hat = (x - rm.reshape(1, C, 1, 1)) / np.sqrt(rv.reshape(1, C, 1, 1) + eps)
    bn_param["running_mean"], bn_param["running_var"] = rm, rv
    return g * x_hat + b, cache


@buggy(SPA, "unbiased correction with N/(N-1) instead of NHW/(NHW-1)", classes=(0,))
def spatial_batchnorm_forward(x, gamma, beta, bn_param):  # noqa: F811
    N, C, H, W = x.shape
    mode, eps, m = bn_param["mode"], bn_param.get("eps", 1e-5), bn_param.get("momentum", 0.1)
    rm = bn_param.get("running_mean", np.zeros(C))
    rv = bn_param.get("running_var", np.ones(C))
    g, b = gamma.reshape(1, C, 1, 1), beta.reshape(1, C, 1, 1)
    cache = None
    if mode == "train":
        mu, var = x.mean(axis=(0, 2, 3)), x.var(axis=(0, 2, 3))
        x_hat = (x - mu.reshape(1, C, 1, 1)) / np.sqrt(var.reshape(1, C, 1, 1) + eps)
        rm = (1 - m) * rm + m * mu
        rv = (1 - m) * rv + m * var * N / (N - 1)
        cache = {"x": x, "x_hat": x_hat, "mu": mu, "var": var, "eps": eps, "gamma": gamma}
    else:
        x_hat = (x - rm.reshape(1, C, 1, 1)) / np.sqrt(rv.reshape(1, C, 1, 1) + eps)
    bn_param["running_mean"], bn_param["running_var"] = rm, rv
    return g * x_hat + b, cache


@buggy(SPA, "test mode also updates the running averages", classes=(8,))
def spatial_batchnorm_forward(x, gamma, beta, bn_param):  # noqa: F811
    N, C, H, W = x.shape
    mode, eps, m = bn_param["mode"], bn_param.get("eps", 1e-5), bn_param.get("momentum", 0.1)
    rm = bn_param.get("running_mean", np.zeros(C))
    rv = bn_param.get("running_var", np.ones(C))
    g, b = gamma.reshape(1, C, 1, 1), beta.reshape(1, C, 1, 1)
    mu, var = x.mean(axis=(0, 2, 3)), x.var(axis=(0, 2, 3))
    cache = None
    if mode == "train":
        x_hat = (x - mu.reshape(1, C, 1, 1)) / np.sqrt(var.reshape(1, C, 1, 1) + eps)
        cache = {"x": x, "x_hat": x_hat, "mu": mu, "var": var, "eps": eps, "gamma": gamma}
    else:
        x_hat = (x - rm.reshape(1, C, 1, 1)) / np.sqrt(rv.reshape(1, C, 1, 1) + eps)
    B = N * H * W
    bn_param["running_mean"] = (1 - m) * rm + m * mu
    bn_param["running_var"] = (1 - m) * rv + m * var * B / (B - 1)
    return g * x_hat + b, cache


@buggy(SPA, "eps outside the square root", classes=(0,))
def spatial_batchnorm_forward(x, gamma, beta, bn_param):  # noqa: F811
    N, C, H, W = x.shape
    mode, eps, m = bn_param["mode"], bn_param.get("eps", 1e-5), bn_param.get("momentum", 0.1)
    rm = bn_param.get("running_mean", np.zeros(C))
    rv = bn_param.get("running_var", np.ones(C))
    g, b = gamma.reshape(1, C, 1, 1), beta.reshape(1, C, 1, 1)
    cache = None
    if mode == "train":
        mu, var = x.mean(axis=(0, 2, 3)), x.var(axis=(0, 2, 3))
        x_hat = (x - mu.reshape(1, C, 1, 1)) / (np.sqrt(var.reshape(1, C, 1, 1)) + eps)
        B = N * H * W
        rm = (1 - m) * rm + m * mu
        rv = (1 - m) * rv + m * var * B / (B - 1)
        cache = {"x": x, "x_hat": x_hat, "mu": mu, "var": var, "eps": eps, "gamma": gamma}
    else:
        x_hat = (x - rm.reshape(1, C, 1, 1)) / (np.sqrt(rv.reshape(1, C, 1, 1)) + eps)
    bn_param["running_mean"], bn_param["running_var"] = rm, rv
    return g * x_hat + b, cache


@correct(SPA, "move C last, reshape to (N*H*W, C), 1-D batch norm, move back")
def spatial_batchnorm_forward(x, gamma, beta, bn_param):  # noqa: F811
    N, C, H, W = x.shape
    flat = x.transpose(0, 2, 3, 1).reshape(-1, C)  # (N*H*W, C)
    B = flat.shape[0]
    eps, m = bn_param.get("eps", 1e-5), bn_param.get("momentum", 0.1)
    rm = bn_param.get("running_mean", np.zeros(C))
    rv = bn_param.get("running_var", np.ones(C))
    cache = None
    if bn_param["mode"] == "train":
        mu, var = flat.mean(axis=0), flat.var(axis=0)
        x_hat_flat = (flat - mu) / np.sqrt(var + eps)
        bn_param["running_mean"] = (1 - m) * rm + m * mu
        bn_param["running_var"] = (1 - m) * rv + m * var * B / (B - 1)
    else:
        x_hat_flat = (flat - rm) / np.sqrt(rv + eps)
        bn_param["running_mean"], bn_param["running_var"] = rm, rv
    x_hat = x_hat_flat.reshape(N, H, W, C).transpose(0, 3, 1, 2)
    out = (x_hat_flat * gamma + beta).reshape(N, H, W, C).transpose(0, 3, 1, 2)
    if bn_param["mode"] == "train":
        cache = {"x": x, "x_hat": x_hat, "mu": mu, "var": var, "eps": eps, "gamma": gamma}
    return out, cache


@correct(SPA, "torch: var_mean over dims (0, 2, 3) and in-place buffer updates")
def spatial_batchnorm_forward(x, gamma, beta, bn_param):  # noqa: F811
    C = x.shape[1]
    eps, m = bn_param.get("eps", 1e-5), bn_param.get("momentum", 0.1)
    rm = bn_param.setdefault("running_mean", np.zeros(C))
    rv = bn_param.setdefault("running_var", np.ones(C))
    xt = torch.as_tensor(x, dtype=torch.float64)
    g = torch.as_tensor(gamma, dtype=torch.float64).view(1, C, 1, 1)
    b = torch.as_tensor(beta, dtype=torch.float64).view(1, C, 1, 1)
    if bn_param["mode"] == "test":
        mean, var = torch.as_tensor(rm).view(1, C, 1, 1), torch.as_tensor(rv).view(1, C, 1, 1)
        return (g * (xt - mean) / torch.sqrt(var + eps) + b).numpy(), None
    var, mean = torch.var_mean(xt, dim=(0, 2, 3), keepdim=True, unbiased=False)
    x_hat = (xt - mean) / torch.sqrt(var + eps)
    count = xt.numel() // C
    rm[:] = (1 - m) * rm + m * mean.flatten().numpy()
    rv[:] = (1 - m) * rv + m * var.flatten().numpy() * count / (count - 1)
    cache = {"x": x, "x_hat": x_hat.numpy(), "mu": mean.flatten().numpy(), "var": var.flatten().numpy(),
             "eps": eps, "gamma": gamma}
    return (g * x_hat + b).numpy(), cache


@buggy('05-batchnorm/spatial_batchnorm_forward', "[1] one-pass variance E[x^2] - mu^2 per channel")
def spatial_batchnorm_forward(x, gamma, beta, bn_param):
    N, C, H, W = x.shape
    B = N * H * W
    mode = bn_param["mode"]
    eps = bn_param.get("eps", 1e-5)
    m = bn_param.get("momentum", 0.1)
    rm = bn_param.get("running_mean", np.zeros(C))
    rv = bn_param.get("running_var", np.ones(C))
    g, b = gamma.reshape(1, C, 1, 1), beta.reshape(1, C, 1, 1)
    if mode == "train":
        mu = x.mean(axis=(0, 2, 3))
        var = (x ** 2).mean(axis=(0, 2, 3)) - mu ** 2
        x_hat = (x - mu.reshape(1, C, 1, 1)) / np.sqrt(var.reshape(1, C, 1, 1) + eps)
        out = g * x_hat + b
        bn_param["running_mean"] = (1 - m) * rm + m * mu
        bn_param["running_var"] = (1 - m) * rv + m * var * B / (B - 1)
        return out, {"x": x, "x_hat": x_hat, "mu": mu, "var": var, "eps": eps, "gamma": gamma}
    out = g * (x - rm.reshape(1, C, 1, 1)) / np.sqrt(rv.reshape(1, C, 1, 1) + eps) + b
    return out, None


@buggy('05-batchnorm/spatial_batchnorm_forward', "[1,9] uint8/int input not cast: keeps x's dtype for out (np.empty_like(x))")
def spatial_batchnorm_forward(x, gamma, beta, bn_param):
    N, C, H, W = x.shape
    B = N * H * W
    mode = bn_param["mode"]
    eps = bn_param.get("eps", 1e-5)
    m = bn_param.get("momentum", 0.1)
    rm = bn_param.get("running_mean", np.zeros(C))
    rv = bn_param.get("running_var", np.ones(C))
    out = np.empty_like(x)
    if mode == "train":
        mu = x.mean(axis=(0, 2, 3))
        var = x.var(axis=(0, 2, 3))
        x_hat = np.empty_like(x)
        for c in range(C):
            x_hat[:, c] = (x[:, c] - mu[c]) / np.sqrt(var[c] + eps)
            out[:, c] = gamma[c] * x_hat[:, c] + beta[c]
        bn_param["running_mean"] = (1 - m) * rm + m * mu
        bn_param["running_var"] = (1 - m) * rv + m * var * B / (B - 1)
        return out, {"x": x, "x_hat": x_hat, "mu": mu, "var": var, "eps": eps, "gamma": gamma}
    for c in range(C):
        out[:, c] = gamma[c] * (x[:, c] - rm[c]) / np.sqrt(rv[c] + eps) + beta[c]
    return out, None
@buggy(SPA, "[7] reads bn_param['momentum'] without a default: KeyError when it is absent", classes=(7,))
def spatial_batchnorm_forward(x, gamma, beta, bn_param):  # noqa: F811
    mode = bn_param["mode"]
    eps = bn_param.get("eps", 1e-5)
    momentum = bn_param["momentum"]
    N, C, H, W = x.shape
    running_mean = bn_param.get("running_mean", np.zeros(C))
    running_var = bn_param.get("running_var", np.ones(C))
    if mode == "train":
        mu, var = x.mean(axis=(0, 2, 3)), x.var(axis=(0, 2, 3))
        x_hat = (x - mu.reshape(1, C, 1, 1)) / np.sqrt(var.reshape(1, C, 1, 1) + eps)
        B = N * H * W
        bn_param["running_mean"] = (1 - momentum) * running_mean + momentum * mu
        bn_param["running_var"] = (1 - momentum) * running_var + momentum * var * B / (B - 1)
        cache = {"x": x, "x_hat": x_hat, "mu": mu, "var": var, "eps": eps, "gamma": gamma}
    elif mode == "test":
        x_hat = (x - running_mean.reshape(1, C, 1, 1)) / np.sqrt(running_var.reshape(1, C, 1, 1) + eps)
        cache = None
    else:
        raise ValueError(f"Invalid mode: {mode!r}")
    return gamma.reshape(1, C, 1, 1) * x_hat + beta.reshape(1, C, 1, 1), cache


@buggy(SPA, "[9] cache mu and var of shape (1, C, 1, 1) (computed with keepdims) instead of (C,)",
       classes=(9,))
def spatial_batchnorm_forward(x, gamma, beta, bn_param):  # noqa: F811
    mode = bn_param["mode"]
    eps = bn_param.get("eps", 1e-5)
    momentum = bn_param.get("momentum", 0.1)
    N, C, H, W = x.shape
    running_mean = bn_param.get("running_mean", np.zeros(C))
    running_var = bn_param.get("running_var", np.ones(C))
    if mode == "train":
        mu = x.mean(axis=(0, 2, 3), keepdims=True)            # (1, C, 1, 1): broadcasts
        var = x.var(axis=(0, 2, 3), keepdims=True)
        x_hat = (x - mu) / np.sqrt(var + eps)
        B = N * H * W
        bn_param["running_mean"] = (1 - momentum) * running_mean + momentum * mu.ravel()
        bn_param["running_var"] = (1 - momentum) * running_var + momentum * var.ravel() * B / (B - 1)
        cache = {"x": x, "x_hat": x_hat, "mu": mu, "var": var, "eps": eps, "gamma": gamma}
    elif mode == "test":
        x_hat = (x - running_mean.reshape(1, C, 1, 1)) / np.sqrt(running_var.reshape(1, C, 1, 1) + eps)
        cache = None
    else:
        raise ValueError(f"Invalid mode: {mode!r}")
    return gamma.reshape(1, C, 1, 1) * x_hat + beta.reshape(1, C, 1, 1), cache
