"""Buggy and correct answers to 05-batchnorm/layernorm_forward (self-contained: see tests/variants/__init__.py)."""

from __future__ import annotations

import numpy as np
import torch

from .. import buggy, correct

LNF = "05-batchnorm/layernorm_forward"


@buggy(LNF, "normalises over the batch axis (that is batch norm)", demo=True, classes=(6,))
def layernorm_forward(x, gamma, beta, ln_param):
    eps = ln_param.get("eps", 1e-5)
    mu, var = x.mean(axis=0, keepdims=True), x.var(axis=0, keepdims=True)
    x_hat = (x - mu) / np.sqrt(var + eps)
    cache = {"x": x, "x_hat": x_hat, "mu": x.mean(axis=1, keepdims=True), "var": x.var(axis=1, keepdims=True),
             "eps": eps, "gamma": gamma}
    return gamma * x_hat + beta, cache


@buggy(LNF, "eps outside the square root", classes=(0,))
def layernorm_forward(x, gamma, beta, ln_param):  # noqa: F811
    eps = ln_param.get("eps", 1e-5)
    mu, var = x.mean(axis=1, keepdims=True), x.var(axis=1, keepdims=True)
    x_hat = (x - mu) / (np.sqrt(var) + eps)
    return gamma * x_hat + beta, {"x": x, "x_hat": x_hat, "mu": mu, "var": var, "eps": eps, "gamma": gamma}


@buggy(LNF, "unbiased variance (ddof=1)", classes=(0,))
def layernorm_forward(x, gamma, beta, ln_param):  # noqa: F811
    eps = ln_param.get("eps", 1e-5)
    mu, var = x.mean(axis=1, keepdims=True), x.var(axis=1, ddof=1, keepdims=True)
    x_hat = (x - mu) / np.sqrt(var + eps)
    return gamma * x_hat + beta, {"x": x, "x_hat": x_hat, "mu": mu, "var": var, "eps": eps, "gamma": gamma}


@buggy(LNF, "caches mu and var with shape (N,) instead of (N, 1)", classes=(9,))
def layernorm_forward(x, gamma, beta, ln_param):  # noqa: F811
    eps = ln_param.get("eps", 1e-5)
    mu, var = x.mean(axis=1), x.var(axis=1)
    x_hat = (x - mu[:, None]) / np.sqrt(var[:, None] + eps)
    return gamma * x_hat + beta, {"x": x, "x_hat": x_hat, "mu": mu, "var": var, "eps": eps, "gamma": gamma}


@buggy(LNF, "forgets beta", classes=(0,))
def layernorm_forward(x, gamma, beta, ln_param):  # noqa: F811
    eps = ln_param.get("eps", 1e-5)
    mu, var = x.mean(axis=1, keepdims=True), x.var(axis=1, keepdims=True)
    x_hat = (x - mu) / np.sqrt(var + eps)
    return gamma * x_hat, {"x": x, "x_hat": x_hat, "mu": mu, "var": var, "eps": eps, "gamma": gamma}


@correct(LNF, "batch-norm statistics of the transpose")
def layernorm_forward(x, gamma, beta, ln_param):  # noqa: F811
    eps = ln_param.get("eps", 1e-5)
    xt = x.T                                   # (D, N): examples become columns
    mu = xt.mean(axis=0)
    var = ((xt - mu) ** 2).mean(axis=0)
    x_hat = ((xt - mu) / np.sqrt(var + eps)).T
    cache = {"x": x, "x_hat": x_hat, "mu": mu.reshape(-1, 1), "var": var.reshape(-1, 1), "eps": eps, "gamma": gamma}
    return x_hat * gamma + beta, cache


@correct(LNF, "torch.var_mean, results back to NumPy")
def layernorm_forward(x, gamma, beta, ln_param):  # noqa: F811
    eps = ln_param["eps"] if "eps" in ln_param else 1e-5
    xt = torch.tensor(x, dtype=torch.float64)
    var, mu = torch.var_mean(xt, dim=-1, keepdim=True, unbiased=False)
    x_hat = (xt - mu) * torch.rsqrt(var + eps)
    out = x_hat * torch.tensor(gamma) + torch.tensor(beta)
    return out.numpy(), {"x": x, "x_hat": x_hat.numpy(), "mu": mu.numpy(), "var": var.numpy(),
                         "eps": eps, "gamma": gamma}


@buggy('05-batchnorm/layernorm_forward', "[1] one-pass variance E[x^2] - mu^2 per row (rows with a large offset)")
def layernorm_forward(x, gamma, beta, ln_param):
    eps = ln_param.get("eps", 1e-5)
    mu = x.mean(axis=1, keepdims=True)
    var = (x ** 2).mean(axis=1, keepdims=True) - mu ** 2
    x_hat = (x - mu) / np.sqrt(var + eps)
    return gamma * x_hat + beta, {"x": x, "x_hat": x_hat, "mu": mu, "var": var, "eps": eps, "gamma": gamma}


@buggy('05-batchnorm/layernorm_forward', "[1] float32 computation (x.astype(np.float32))")
def layernorm_forward(x, gamma, beta, ln_param):
    eps = ln_param.get("eps", 1e-5)
    xf = x.astype(np.float32)
    mu = xf.mean(axis=1, keepdims=True)
    var = xf.var(axis=1, keepdims=True)
    x_hat = (xf - mu) / np.sqrt(var + eps)
    return gamma * x_hat + beta, {"x": x, "x_hat": x_hat, "mu": mu, "var": var, "eps": eps, "gamma": gamma}


@buggy('05-batchnorm/layernorm_forward', "[7] ln_param['eps'] read without default (KeyError when the dict is empty)")
def layernorm_forward(x, gamma, beta, ln_param):
    eps = ln_param["eps"]
    mu = x.mean(axis=1, keepdims=True)
    var = x.var(axis=1, keepdims=True)
    x_hat = (x - mu) / np.sqrt(var + eps)
    return gamma * x_hat + beta, {"x": x, "x_hat": x_hat, "mu": mu, "var": var, "eps": eps, "gamma": gamma}


@buggy('05-batchnorm/layernorm_forward', "[7] default eps 1e-8 when absent (not 1e-5)")
def layernorm_forward(x, gamma, beta, ln_param):
    eps = ln_param.get("eps", 1e-8)
    mu = x.mean(axis=1, keepdims=True)
    var = x.var(axis=1, keepdims=True)
    x_hat = (x - mu) / np.sqrt(var + eps)
    return gamma * x_hat + beta, {"x": x, "x_hat": x_hat, "mu": mu, "var": var, "eps": eps, "gamma": gamma}


@buggy(LNF, "[8] normalises x in place (x -= mu; x /= std) to save memory: modifies the caller's x",
       classes=(8,))
def layernorm_forward(x, gamma, beta, ln_param):  # noqa: F811
    eps = ln_param.get("eps", 1e-5)
    x_in = x.copy()
    mu = x.mean(axis=1, keepdims=True)
    var = x.var(axis=1, keepdims=True)
    x -= mu
    x /= np.sqrt(var + eps)
    return gamma * x + beta, {"x": x_in, "x_hat": x, "mu": mu, "var": var, "eps": eps, "gamma": gamma}
