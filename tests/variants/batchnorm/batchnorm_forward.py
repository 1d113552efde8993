"""Buggy and correct answers to 05-batchnorm/batchnorm_forward (self-contained: see tests/variants/__init__.py)."""

from __future__ import annotations

import numpy as np
import torch

from .. import buggy, correct

FWD = "05-batchnorm/batchnorm_forward"


@buggy(FWD, "running_var averages the biased batch variance (no B/(B-1))", demo=True, classes=(0,))
def batchnorm_forward(x, gamma, beta, bn_param):
    mode, eps, momentum = bn_param["mode"], bn_param.get("eps", 1e-5), bn_param.get("momentum", 0.1)
    D = x.shape[1]
    rm = bn_param.get("running_mean", np.zeros(D))
    rv = bn_param.get("running_var", np.ones(D))
    cache = None
    if mode == "train":
        mu, var = x.mean(axis=0), x.var(axis=0)
        x_hat = (x - mu) / np.sqrt(var + eps)
        out = gamma * x_hat + beta
        rm = (1 - momentum) * rm + momentum * mu
        rv = (1 - momentum) * rv + momentum * var
        cache = {"x": x, "x_hat": x_hat, "mu": mu, "var": var, "eps": eps, "gamma": gamma}
    else:
        out = gamma * (x - rm) / np.sqrt(rv + eps) + beta
    bn_param["running_mean"], bn_param["running_var"] = rm, rv
    return out, cache


@buggy(FWD, "CS231n momentum convention: running = momentum * running + (1 - momentum) * batch", classes=(0,))
def batchnorm_forward(x, gamma, beta, bn_param):  # noqa: F811
    mode, eps, momentum = bn_param["mode"], bn_param.get("eps", 1e-5), bn_param.get("momentum", 0.1)
    N, D = x.shape
    rm = bn_param.get("running_mean", np.zeros(D))
    rv = bn_param.get("running_var", np.ones(D))
    cache = None
    if mode == "train":
        mu, var = x.mean(axis=0), x.var(axis=0)
        x_hat = (x - mu) / np.sqrt(var + eps)
        out = gamma * x_hat + beta
        rm = momentum * rm + (1 - momentum) * mu
        rv = momentum * rv + (1 - momentum) * var * N / (N - 1)
        cache = {"x": x, "x_hat": x_hat, "mu": mu, "var": var, "eps": eps, "gamma": gamma}
    else:
        out = gamma * (x - rm) / np.sqrt(rv + eps) + beta
    bn_param["running_mean"], bn_param["running_var"] = rm, rv
    return out, cache


@buggy(FWD, "test mode also updates the running averages with the test batch", classes=(8,))
def batchnorm_forward(x, gamma, beta, bn_param):  # noqa: F811
    mode, eps, momentum = bn_param["mode"], bn_param.get("eps", 1e-5), bn_param.get("momentum", 0.1)
    N, D = x.shape
    rm = bn_param.get("running_mean", np.zeros(D))
    rv = bn_param.get("running_var", np.ones(D))
    mu, var = x.mean(axis=0), x.var(axis=0)
    cache = None
    if mode == "train":
        x_hat = (x - mu) / np.sqrt(var + eps)
        cache = {"x": x, "x_hat": x_hat, "mu": mu, "var": var, "eps": eps, "gamma": gamma}
    else:
        x_hat = (x - rm) / np.sqrt(rv + eps)
    out = gamma * x_hat + beta
    bn_param["running_mean"] = (1 - momentum) * rm + momentum * mu
    bn_param["running_var"] = (1 - momentum) * rv + momentum * var * N / (N - 1)
    return out, cache


@buggy(FWD, "statistics over the wrong axis (each example's features, axis=1)", classes=(6,))
def batchnorm_forward(x, gamma, beta, bn_param):  # noqa: F811
    mode, eps, momentum = bn_param["mode"], bn_param.get("eps", 1e-5), bn_param.get("momentum", 0.1)
    N, D = x.shape
    rm = bn_param.get("running_mean", np.zeros(D))
    rv = bn_param.get("running_var", np.ones(D))
    cache = None
    if mode == "train":
        mu, var = x.mean(axis=1, keepdims=True), x.var(axis=1, keepdims=True)
        x_hat = (x - mu) / np.sqrt(var + eps)
        out = gamma * x_hat + beta
        rm = (1 - momentum) * rm + momentum * x.mean(axis=0)
        rv = (1 - momentum) * rv + momentum * x.var(axis=0, ddof=1)
        cache = {"x": x, "x_hat": x_hat, "mu": x.mean(axis=0), "var": x.var(axis=0), "eps": eps, "gamma": gamma}
    else:
        out = gamma * (x - rm) / np.sqrt(rv + eps) + beta
    bn_param["running_mean"], bn_param["running_var"] = rm, rv
    return out, cache


@buggy(FWD, "eps outside the square root: (x - mu) / (sqrt(var) + eps)", classes=(0,))
def batchnorm_forward(x, gamma, beta, bn_param):  # noqa: F811
    mode, eps, momentum = bn_param["mode"], bn_param.get("eps", 1e-5), bn_param.get("momentum", 0.1)
    N, D = x.shape
    rm = bn_param.get("running_mean", np.zeros(D))
    rv = bn_param.get("running_var", np.ones(D))
    cache = None
    if mode == "train":
        mu, var = x.mean(axis=0), x.var(axis=0)
        x_hat = (x - mu) / (np.sqrt(var) + eps)
        out = gamma * x_hat + beta
        rm = (1 - momentum) * rm + momentum * mu
        rv = (1 - momentum) * rv + momentum * var * N / (N - 1)
        cache = {"x": x, "x_hat": x_hat, "mu": mu, "var": var, "eps": eps, "gamma": gamma}
    else:
        out = gamma * (x - rm) / (np.sqrt(rv) + eps) + beta
    bn_param["running_mean"], bn_param["running_var"] = rm, rv
    return out, cache


@buggy(FWD, "test mode normalises with the test batch's own statistics", classes=(7,))
def batchnorm_forward(x, gamma, beta, bn_param):  # noqa: F811
    mode, eps, momentum = bn_param["mode"], bn_param.get("eps", 1e-5), bn_param.get("momentum", 0.1)
    N, D = x.shape
    rm = bn_param.get("running_mean", np.zeros(D))
    rv = bn_param.get("running_var", np.ones(D))
    mu, var = x.mean(axis=0), x.var(axis=0)
    x_hat = (x - mu) / np.sqrt(var + eps)
    out = gamma * x_hat + beta
    cache = {"x": x, "x_hat": x_hat, "mu": mu, "var": var, "eps": eps, "gamma": gamma}
    if mode == "train":
        rm = (1 - momentum) * rm + momentum * mu
        rv = (1 - momentum) * rv + momentum * var * N / (N - 1)
    bn_param["running_mean"], bn_param["running_var"] = rm, rv
    return out, cache


@buggy(FWD, "normalises with the unbiased variance (ddof=1) as well", classes=(0,))
def batchnorm_forward(x, gamma, beta, bn_param):  # noqa: F811
    mode, eps, momentum = bn_param["mode"], bn_param.get("eps", 1e-5), bn_param.get("momentum", 0.1)
    D = x.shape[1]
    rm = bn_param.get("running_mean", np.zeros(D))
    rv = bn_param.get("running_var", np.ones(D))
    cache = None
    if mode == "train":
        mu, var = x.mean(axis=0), x.var(axis=0, ddof=1)
        x_hat = (x - mu) / np.sqrt(var + eps)
        out = gamma * x_hat + beta
        rm = (1 - momentum) * rm + momentum * mu
        rv = (1 - momentum) * rv + momentum * var
        cache = {"x": x, "x_hat": x_hat, "mu": mu, "var": var, "eps": eps, "gamma": gamma}
    else:
        out = gamma * (x - rm) / np.sqrt(rv + eps) + beta
    bn_param["running_mean"], bn_param["running_var"] = rm, rv
    return out, cache


@correct(FWD, "torch.var_mean in float64, running stats updated in place with setdefault")
def batchnorm_forward(x, gamma, beta, bn_param):  # noqa: F811
    D = x.shape[1]
    eps = bn_param.get("eps", 1e-5)
    m = bn_param.get("momentum", 0.1)
    rm = bn_param.setdefault("running_mean", np.zeros(D))
    rv = bn_param.setdefault("running_var", np.ones(D))
    if bn_param["mode"] == "test":
        return gamma * (x - rm) / np.sqrt(rv + eps) + beta, None
    xt = torch.from_numpy(np.asarray(x, dtype=np.float64))
    var_t, mu_t = torch.var_mean(xt, dim=0, unbiased=False)
    mu, var = mu_t.numpy(), var_t.numpy()
    x_hat = ((xt - mu_t) * torch.rsqrt(var_t + eps)).numpy()
    unbiased = torch.var(xt, dim=0, unbiased=True).numpy()
    rm *= 1 - m
    rm += m * mu
    rv *= 1 - m
    rv += m * unbiased
    return gamma * x_hat + beta, {"x": x, "x_hat": x_hat, "mu": mu, "var": var, "eps": eps, "gamma": gamma}


@correct(FWD, "explicit sums, std computed once, ValueError on a bad mode")
def batchnorm_forward(x, gamma, beta, bn_param):  # noqa: F811
    mode = bn_param["mode"]
    if mode not in ("train", "test"):
        raise ValueError(f"Invalid mode: {mode}")
    eps = bn_param.get("eps", 1e-5)
    momentum = bn_param.get("momentum", 0.1)
    B = x.shape[0]
    running_mean = bn_param.get("running_mean", np.zeros(x.shape[1]))
    running_var = bn_param.get("running_var", np.ones(x.shape[1]))
    if mode == "test":
        std = np.sqrt(running_var + eps)
        return (x - running_mean) / std * gamma + beta, None
    mu = np.sum(x, axis=0) / B
    centred = x - mu
    var = np.sum(centred * centred, axis=0) / B
    std = np.sqrt(var + eps)
    x_hat = centred / std
    bn_param["running_mean"] = running_mean + momentum * (mu - running_mean)
    bn_param["running_var"] = running_var + momentum * (var * B / (B - 1) - running_var)
    cache = dict(x=x, x_hat=x_hat, mu=mu, var=var, eps=eps, gamma=gamma)
    return x_hat * gamma + beta, cache


@buggy('05-batchnorm/batchnorm_forward', "[1] one-pass variance E[x^2] - mu^2 (cancellation for large means)")
def batchnorm_forward(x, gamma, beta, bn_param):
    mode = bn_param["mode"]
    eps = bn_param.get("eps", 1e-5)
    m = bn_param.get("momentum", 0.1)
    N, D = x.shape
    rm = bn_param.get("running_mean", np.zeros(D))
    rv = bn_param.get("running_var", np.ones(D))
    if mode == "train":
        mu = x.mean(axis=0)
        var = (x ** 2).mean(axis=0) - mu ** 2
        x_hat = (x - mu) / np.sqrt(var + eps)
        out = gamma * x_hat + beta
        bn_param["running_mean"] = (1 - m) * rm + m * mu
        bn_param["running_var"] = (1 - m) * rv + m * var * N / (N - 1)
        cache = {"x": x, "x_hat": x_hat, "mu": mu, "var": var, "eps": eps, "gamma": gamma}
        return out, cache
    out = gamma * (x - rm) / np.sqrt(rv + eps) + beta
    return out, None


@buggy('05-batchnorm/batchnorm_forward', "[1,9] computes in float32 (x.astype(np.float32)) for speed")
def batchnorm_forward(x, gamma, beta, bn_param):
    mode = bn_param["mode"]
    eps = bn_param.get("eps", 1e-5)
    m = bn_param.get("momentum", 0.1)
    x = x.astype(np.float32)
    N, D = x.shape
    rm = bn_param.get("running_mean", np.zeros(D, dtype=np.float32))
    rv = bn_param.get("running_var", np.ones(D, dtype=np.float32))
    if mode == "train":
        mu = x.mean(axis=0)
        var = x.var(axis=0)
        x_hat = (x - mu) / np.sqrt(var + eps)
        out = gamma * x_hat + beta
        bn_param["running_mean"] = (1 - m) * rm + m * mu
        bn_param["running_var"] = (1 - m) * rv + m * var * N / (N - 1)
        cache = {"x": x, "x_hat": x_hat, "mu": mu, "var": var, "eps": eps, "gamma": gamma}
        return out, cache
    out = gamma * (x - rm) / np.sqrt(rv + eps) + beta
    return out, None


@buggy('05-batchnorm/batchnorm_forward', "[7] default momentum 0.9 (CS231n's value) when the key is absent")
def batchnorm_forward(x, gamma, beta, bn_param):
    mode = bn_param["mode"]
    eps = bn_param.get("eps", 1e-5)
    m = bn_param.get("momentum", 0.9)
    N, D = x.shape
    rm = bn_param.get("running_mean", np.zeros(D))
    rv = bn_param.get("running_var", np.ones(D))
    if mode == "train":
        mu = x.mean(axis=0)
        var = x.var(axis=0)
        x_hat = (x - mu) / np.sqrt(var + eps)
        out = gamma * x_hat + beta
        bn_param["running_mean"] = (1 - m) * rm + m * mu
        bn_param["running_var"] = (1 - m) * rv + m * var * N / (N - 1)
        cache = {"x": x, "x_hat": x_hat, "mu": mu, "var": var, "eps": eps, "gamma": gamma}
        return out, cache
    out = gamma * (x - rm) / np.sqrt(rv + eps) + beta
    return out, None


@buggy('05-batchnorm/batchnorm_forward', "[9] returns a cache dict in test mode instead of None (otherwise correct)")
def batchnorm_forward(x, gamma, beta, bn_param):
    mode = bn_param["mode"]
    eps = bn_param.get("eps", 1e-5)
    m = bn_param.get("momentum", 0.1)
    N, D = x.shape
    rm = bn_param.get("running_mean", np.zeros(D))
    rv = bn_param.get("running_var", np.ones(D))
    if mode == "train":
        mu = x.mean(axis=0)
        var = x.var(axis=0)
        x_hat = (x - mu) / np.sqrt(var + eps)
        out = gamma * x_hat + beta
        bn_param["running_mean"] = (1 - m) * rm + m * mu
        bn_param["running_var"] = (1 - m) * rv + m * var * N / (N - 1)
        return out, {"x": x, "x_hat": x_hat, "mu": mu, "var": var, "eps": eps, "gamma": gamma}
    x_hat = (x - rm) / np.sqrt(rv + eps)
    return gamma * x_hat + beta, {"x": x, "x_hat": x_hat, "mu": rm, "var": rv, "eps": eps, "gamma": gamma}


@buggy('05-batchnorm/batchnorm_forward', "[8] running averages updated in place on the arrays given (and on a shared module-level default)")
def batchnorm_forward(x, gamma, beta, bn_param, _defaults={}):
    mode = bn_param["mode"]
    eps = bn_param.get("eps", 1e-5)
    m = bn_param.get("momentum", 0.1)
    N, D = x.shape
    if D not in _defaults:
        _defaults[D] = (np.zeros(D), np.ones(D))
    rm = bn_param.setdefault("running_mean", _defaults[D][0])
    rv = bn_param.setdefault("running_var", _defaults[D][1])
    if mode == "train":
        mu = x.mean(axis=0)
        var = x.var(axis=0)
        x_hat = (x - mu) / np.sqrt(var + eps)
        out = gamma * x_hat + beta
        rm *= 1 - m
        rm += m * mu
        rv *= 1 - m
        rv += m * var * N / (N - 1)
        cache = {"x": x, "x_hat": x_hat, "mu": mu, "var": var, "eps": eps, "gamma": gamma}
        return out, cache
    out = gamma * (x - rm) / np.sqrt(rv + eps) + beta
    return out, None
