import math, random
import numpy as np
import torch
from tests.variants import buggy, correct

ID = "05-batchnorm/batchnorm_forward"




@buggy(ID, "[7] CS231n momentum convention: running = m*running + (1-m)*batch")
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
        bn_param["running_mean"] = m * rm + (1 - m) * mu
        bn_param["running_var"] = m * rv + (1 - m) * var * N / (N - 1)
        cache = {"x": x, "x_hat": x_hat, "mu": mu, "var": var, "eps": eps, "gamma": gamma}
        return out, cache
    out = gamma * (x - rm) / np.sqrt(rv + eps) + beta
    return out, None


@buggy(ID, "[7] running variance uses the biased batch variance (no N/(N-1))")
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
        bn_param["running_var"] = (1 - m) * rv + m * var
        cache = {"x": x, "x_hat": x_hat, "mu": mu, "var": var, "eps": eps, "gamma": gamma}
        return out, cache
    out = gamma * (x - rm) / np.sqrt(rv + eps) + beta
    return out, None


@buggy(ID, "[7] eps added outside the square root: (x - mu) / (sqrt(var) + eps)")
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
        x_hat = (x - mu) / (np.sqrt(var) + eps)
        out = gamma * x_hat + beta
        bn_param["running_mean"] = (1 - m) * rm + m * mu
        bn_param["running_var"] = (1 - m) * rv + m * var * N / (N - 1)
        cache = {"x": x, "x_hat": x_hat, "mu": mu, "var": var, "eps": eps, "gamma": gamma}
        return out, cache
    out = gamma * (x - rm) / (np.sqrt(rv) + eps) + beta
    return out, None


@buggy(ID, "[7] unbiased variance (ddof=1) used for the normalisation too, and cached")
def batchnorm_forward(x, gamma, beta, bn_param):
    mode = bn_param["mode"]
    eps = bn_param.get("eps", 1e-5)
    m = bn_param.get("momentum", 0.1)
    N, D = x.shape
    rm = bn_param.get("running_mean", np.zeros(D))
    rv = bn_param.get("running_var", np.ones(D))
    if mode == "train":
        mu = x.mean(axis=0)
        var = x.var(axis=0, ddof=1)
        x_hat = (x - mu) / np.sqrt(var + eps)
        out = gamma * x_hat + beta
        bn_param["running_mean"] = (1 - m) * rm + m * mu
        bn_param["running_var"] = (1 - m) * rv + m * var
        cache = {"x": x, "x_hat": x_hat, "mu": mu, "var": var, "eps": eps, "gamma": gamma}
        return out, cache
    out = gamma * (x - rm) / np.sqrt(rv + eps) + beta
    return out, None




@buggy(ID, "[7] eps read from the wrong key ('epsilon'), so a given eps is ignored")
def batchnorm_forward(x, gamma, beta, bn_param):
    mode = bn_param["mode"]
    eps = bn_param.get("epsilon", 1e-5)
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
        cache = {"x": x, "x_hat": x_hat, "mu": mu, "var": var, "eps": eps, "gamma": gamma}
        return out, cache
    out = gamma * (x - rm) / np.sqrt(rv + eps) + beta
    return out, None


@buggy(ID, "[8] test mode also updates the running averages (update done before the branch)")
def batchnorm_forward(x, gamma, beta, bn_param):
    mode = bn_param["mode"]
    eps = bn_param.get("eps", 1e-5)
    m = bn_param.get("momentum", 0.1)
    N, D = x.shape
    rm = bn_param.get("running_mean", np.zeros(D))
    rv = bn_param.get("running_var", np.ones(D))
    mu = x.mean(axis=0)
    var = x.var(axis=0)
    bn_param["running_mean"] = (1 - m) * rm + m * mu
    bn_param["running_var"] = (1 - m) * rv + m * var * N / (N - 1)
    if mode == "train":
        x_hat = (x - mu) / np.sqrt(var + eps)
        out = gamma * x_hat + beta
        cache = {"x": x, "x_hat": x_hat, "mu": mu, "var": var, "eps": eps, "gamma": gamma}
        return out, cache
    out = gamma * (x - rm) / np.sqrt(rv + eps) + beta
    return out, None


@buggy(ID, "[8] centres x in place (x -= mu), modifying the caller's input")
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
        x_orig = x.copy()
        x -= mu
        x_hat = x / np.sqrt(var + eps)
        out = gamma * x_hat + beta
        bn_param["running_mean"] = (1 - m) * rm + m * mu
        bn_param["running_var"] = (1 - m) * rv + m * var * N / (N - 1)
        cache = {"x": x_orig, "x_hat": x_hat, "mu": mu, "var": var, "eps": eps, "gamma": gamma}
        return out, cache
    out = gamma * (x - rm) / np.sqrt(rv + eps) + beta
    return out, None




@buggy(ID, "[10] test mode normalises with the batch statistics instead of the running averages")
def batchnorm_forward(x, gamma, beta, bn_param):
    mode = bn_param["mode"]
    eps = bn_param.get("eps", 1e-5)
    m = bn_param.get("momentum", 0.1)
    N, D = x.shape
    rm = bn_param.get("running_mean", np.zeros(D))
    rv = bn_param.get("running_var", np.ones(D))
    mu = x.mean(axis=0)
    var = x.var(axis=0)
    x_hat = (x - mu) / np.sqrt(var + eps)
    out = gamma * x_hat + beta
    if mode == "train":
        bn_param["running_mean"] = (1 - m) * rm + m * mu
        bn_param["running_var"] = (1 - m) * rv + m * var * N / (N - 1)
        cache = {"x": x, "x_hat": x_hat, "mu": mu, "var": var, "eps": eps, "gamma": gamma}
        return out, cache
    return out, None




@buggy(ID, "[9] cache in test mode is a dict too (not None), and cache 'var' is the unbiased one")
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
        uvar = var * N / (N - 1)
        bn_param["running_mean"] = (1 - m) * rm + m * mu
        bn_param["running_var"] = (1 - m) * rv + m * uvar
        cache = {"x": x, "x_hat": x_hat, "mu": mu, "var": uvar, "eps": eps, "gamma": gamma}
        return out, cache
    x_hat = (x - rm) / np.sqrt(rv + eps)
    out = gamma * x_hat + beta
    return out, {"x": x, "x_hat": x_hat, "mu": rm, "var": rv, "eps": eps, "gamma": gamma}


@correct(ID, "torch.nn.functional.batch_norm on tensors sharing memory with the running buffers")
def batchnorm_forward(x, gamma, beta, bn_param):
    import torch.nn.functional as F
    mode = bn_param["mode"]
    eps = float(bn_param.get("eps", 1e-5))
    m = float(bn_param.get("momentum", 0.1))
    N, D = x.shape
    rm = np.array(bn_param.get("running_mean", np.zeros(D)), dtype=np.float64, copy=True)
    rv = np.array(bn_param.get("running_var", np.ones(D)), dtype=np.float64, copy=True)
    xt = torch.from_numpy(np.asarray(x, dtype=np.float64))
    rmt, rvt = torch.from_numpy(rm), torch.from_numpy(rv)
    g = torch.from_numpy(np.asarray(gamma, dtype=np.float64))
    b = torch.from_numpy(np.asarray(beta, dtype=np.float64))
    train = mode == "train"
    with torch.no_grad():
        out = F.batch_norm(xt, rmt, rvt, g, b, training=train, momentum=m, eps=eps).numpy()
    if not train:
        return out, None
    bn_param["running_mean"], bn_param["running_var"] = rm, rv
    mu = xt.mean(0).numpy()
    var = xt.var(0, unbiased=False).numpy()
    x_hat = ((xt - xt.mean(0)) / torch.sqrt(xt.var(0, unbiased=False) + eps)).numpy()
    return out, {"x": x, "x_hat": x_hat, "mu": mu, "var": var, "eps": eps, "gamma": gamma}


@correct(ID, "explicit per-feature loops with two-pass sums")
def batchnorm_forward(x, gamma, beta, bn_param):
    mode = bn_param["mode"]
    eps = bn_param.get("eps", 1e-5)
    m = bn_param.get("momentum", 0.1)
    N, D = x.shape
    rm = np.asarray(bn_param.get("running_mean", np.zeros(D)), dtype=float)
    rv = np.asarray(bn_param.get("running_var", np.ones(D)), dtype=float)
    out = np.empty((N, D))
    if mode != "train":
        for d in range(D):
            out[:, d] = gamma[d] * (x[:, d] - rm[d]) / math.sqrt(rv[d] + eps) + beta[d]
        return out, None
    mu, var, x_hat = np.empty(D), np.empty(D), np.empty((N, D))
    for d in range(D):
        col = x[:, d]
        mu[d] = sum(col) / N
        var[d] = sum((c - mu[d]) ** 2 for c in col) / N
        x_hat[:, d] = (col - mu[d]) / math.sqrt(var[d] + eps)
        out[:, d] = gamma[d] * x_hat[:, d] + beta[d]
    bn_param["running_mean"] = (1 - m) * rm + m * mu
    bn_param["running_var"] = (1 - m) * rv + m * var * (N / (N - 1))
    return out, {"x": x, "x_hat": x_hat, "mu": mu, "var": var, "eps": eps, "gamma": gamma}


# added after the first run (still written without reading the check): the test-mode cache alone
