import math, random
import numpy as np
import torch
from tests.variants import buggy, correct

ID = "05-batchnorm/spatial_batchnorm_forward"




@buggy(ID, "[6] reshape(-1, C) without moving the channel axis last (mixes channels)")
def spatial_batchnorm_forward(x, gamma, beta, bn_param):
    N, C, H, W = x.shape
    mode = bn_param["mode"]
    eps = bn_param.get("eps", 1e-5)
    m = bn_param.get("momentum", 0.1)
    rm = bn_param.get("running_mean", np.zeros(C))
    rv = bn_param.get("running_var", np.ones(C))
    x2 = x.reshape(-1, C)
    if mode == "train":
        B = x2.shape[0]
        mu = x2.mean(axis=0)
        var = x2.var(axis=0)
        x_hat = ((x2 - mu) / np.sqrt(var + eps)).reshape(N, C, H, W)
        out = (gamma * ((x2 - mu) / np.sqrt(var + eps)) + beta).reshape(N, C, H, W)
        bn_param["running_mean"] = (1 - m) * rm + m * mu
        bn_param["running_var"] = (1 - m) * rv + m * var * B / (B - 1)
        return out, {"x": x, "x_hat": x_hat, "mu": mu, "var": var, "eps": eps, "gamma": gamma}
    out = (gamma * (x2 - rm) / np.sqrt(rv + eps) + beta).reshape(N, C, H, W)
    return out, None


@buggy(ID, "[7] unbiased factor N/(N-1) (batch size) instead of B/(B-1) with B = N*H*W")
def spatial_batchnorm_forward(x, gamma, beta, bn_param):
    N, C, H, W = x.shape
    mode = bn_param["mode"]
    eps = bn_param.get("eps", 1e-5)
    m = bn_param.get("momentum", 0.1)
    rm = bn_param.get("running_mean", np.zeros(C))
    rv = bn_param.get("running_var", np.ones(C))
    g, b = gamma.reshape(1, C, 1, 1), beta.reshape(1, C, 1, 1)
    if mode == "train":
        mu = x.mean(axis=(0, 2, 3))
        var = x.var(axis=(0, 2, 3))
        x_hat = (x - mu.reshape(1, C, 1, 1)) / np.sqrt(var.reshape(1, C, 1, 1) + eps)
        out = g * x_hat + b
        bn_param["running_mean"] = (1 - m) * rm + m * mu
        bn_param["running_var"] = (1 - m) * rv + m * var * N / (N - 1)
        return out, {"x": x, "x_hat": x_hat, "mu": mu, "var": var, "eps": eps, "gamma": gamma}
    out = g * (x - rm.reshape(1, C, 1, 1)) / np.sqrt(rv.reshape(1, C, 1, 1) + eps) + b
    return out, None




@buggy(ID, "[7] CS231n momentum convention (m weights the old value)")
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
        var = x.var(axis=(0, 2, 3))
        x_hat = (x - mu.reshape(1, C, 1, 1)) / np.sqrt(var.reshape(1, C, 1, 1) + eps)
        out = g * x_hat + b
        bn_param["running_mean"] = m * rm + (1 - m) * mu
        bn_param["running_var"] = m * rv + (1 - m) * var * B / (B - 1)
        return out, {"x": x, "x_hat": x_hat, "mu": mu, "var": var, "eps": eps, "gamma": gamma}
    out = g * (x - rm.reshape(1, C, 1, 1)) / np.sqrt(rv.reshape(1, C, 1, 1) + eps) + b
    return out, None


@buggy(ID, "[6] channels-last assumption: statistics over axes (0, 1, 2), gamma broadcast on the last axis")
def spatial_batchnorm_forward(x, gamma, beta, bn_param):
    N = x.shape[0]
    mode = bn_param["mode"]
    eps = bn_param.get("eps", 1e-5)
    m = bn_param.get("momentum", 0.1)
    C = gamma.shape[0]
    rm = bn_param.get("running_mean", np.zeros(C))
    rv = bn_param.get("running_var", np.ones(C))
    if mode == "train":
        B = x.size // x.shape[-1]
        mu = x.mean(axis=(0, 1, 2))
        var = x.var(axis=(0, 1, 2))
        x_hat = (x - mu) / np.sqrt(var + eps)
        out = gamma * x_hat + beta
        bn_param["running_mean"] = (1 - m) * rm + m * mu
        bn_param["running_var"] = (1 - m) * rv + m * var * B / (B - 1)
        return out, {"x": x, "x_hat": x_hat, "mu": mu, "var": var, "eps": eps, "gamma": gamma}
    out = gamma * (x - rm) / np.sqrt(rv + eps) + beta
    return out, None


@buggy(ID, "[6,10] right statistics, but gamma/beta broadcast without reshape (lands on W; works when W == C)")
def spatial_batchnorm_forward(x, gamma, beta, bn_param):
    N, C, H, W = x.shape
    B = N * H * W
    mode = bn_param["mode"]
    eps = bn_param.get("eps", 1e-5)
    m = bn_param.get("momentum", 0.1)
    rm = bn_param.get("running_mean", np.zeros(C))
    rv = bn_param.get("running_var", np.ones(C))
    if mode == "train":
        mu = x.mean(axis=(0, 2, 3), keepdims=True)
        var = x.var(axis=(0, 2, 3), keepdims=True)
        x_hat = (x - mu) / np.sqrt(var + eps)
        out = gamma * x_hat + beta
        mu, var = mu.ravel(), var.ravel()
        bn_param["running_mean"] = (1 - m) * rm + m * mu
        bn_param["running_var"] = (1 - m) * rv + m * var * B / (B - 1)
        return out, {"x": x, "x_hat": x_hat, "mu": mu, "var": var, "eps": eps, "gamma": gamma}
    out = gamma * (x - rm.reshape(1, C, 1, 1)) / np.sqrt(rv.reshape(1, C, 1, 1) + eps) + beta
    return out, None


@buggy(ID, "[9] cache mu and var kept with keepdims, shape (1, C, 1, 1)")
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
        mu = x.mean(axis=(0, 2, 3), keepdims=True)
        var = x.var(axis=(0, 2, 3), keepdims=True)
        x_hat = (x - mu) / np.sqrt(var + eps)
        out = g * x_hat + b
        bn_param["running_mean"] = (1 - m) * rm + m * mu.ravel()
        bn_param["running_var"] = (1 - m) * rv + m * var.ravel() * B / (B - 1)
        return out, {"x": x, "x_hat": x_hat, "mu": mu, "var": var, "eps": eps, "gamma": gamma}
    out = g * (x - rm.reshape(1, C, 1, 1)) / np.sqrt(rv.reshape(1, C, 1, 1) + eps) + b
    return out, None


@buggy(ID, "[8] test mode updates the running averages too")
def spatial_batchnorm_forward(x, gamma, beta, bn_param):
    N, C, H, W = x.shape
    B = N * H * W
    mode = bn_param["mode"]
    eps = bn_param.get("eps", 1e-5)
    m = bn_param.get("momentum", 0.1)
    rm = bn_param.get("running_mean", np.zeros(C))
    rv = bn_param.get("running_var", np.ones(C))
    g, b = gamma.reshape(1, C, 1, 1), beta.reshape(1, C, 1, 1)
    mu = x.mean(axis=(0, 2, 3))
    var = x.var(axis=(0, 2, 3))
    bn_param["running_mean"] = (1 - m) * rm + m * mu
    bn_param["running_var"] = (1 - m) * rv + m * var * B / (B - 1)
    if mode == "train":
        x_hat = (x - mu.reshape(1, C, 1, 1)) / np.sqrt(var.reshape(1, C, 1, 1) + eps)
        out = g * x_hat + b
        return out, {"x": x, "x_hat": x_hat, "mu": mu, "var": var, "eps": eps, "gamma": gamma}
    out = g * (x - rm.reshape(1, C, 1, 1)) / np.sqrt(rv.reshape(1, C, 1, 1) + eps) + b
    return out, None


@buggy(ID, "[7] statistics per (channel, row): axes (0, 3) only, forgetting H")
def spatial_batchnorm_forward(x, gamma, beta, bn_param):
    N, C, H, W = x.shape
    B = N * W
    mode = bn_param["mode"]
    eps = bn_param.get("eps", 1e-5)
    m = bn_param.get("momentum", 0.1)
    rm = bn_param.get("running_mean", np.zeros(C))
    rv = bn_param.get("running_var", np.ones(C))
    g, b = gamma.reshape(1, C, 1, 1), beta.reshape(1, C, 1, 1)
    if mode == "train":
        mu4 = x.mean(axis=(0, 3), keepdims=True)
        var4 = x.var(axis=(0, 3), keepdims=True)
        x_hat = (x - mu4) / np.sqrt(var4 + eps)
        out = g * x_hat + b
        mu, var = mu4.mean(axis=2).ravel(), var4.mean(axis=2).ravel()
        bn_param["running_mean"] = (1 - m) * rm + m * mu
        bn_param["running_var"] = (1 - m) * rv + m * var * B / (B - 1)
        return out, {"x": x, "x_hat": x_hat, "mu": mu, "var": var, "eps": eps, "gamma": gamma}
    out = g * (x - rm.reshape(1, C, 1, 1)) / np.sqrt(rv.reshape(1, C, 1, 1) + eps) + b
    return out, None




@correct(ID, "transpose to (NHW, C), 1-D batch norm, transpose back")
def spatial_batchnorm_forward(x, gamma, beta, bn_param):
    N, C, H, W = x.shape
    x2 = x.transpose(0, 2, 3, 1).reshape(-1, C)
    B = x2.shape[0]
    eps = bn_param.get("eps", 1e-5)
    m = bn_param.get("momentum", 0.1)
    rm = bn_param.get("running_mean", np.zeros(C))
    rv = bn_param.get("running_var", np.ones(C))
    back = lambda a: a.reshape(N, H, W, C).transpose(0, 3, 1, 2)
    if bn_param["mode"] == "train":
        mu = x2.mean(axis=0)
        var = ((x2 - mu) ** 2).mean(axis=0)
        xh = (x2 - mu) / np.sqrt(var + eps)
        bn_param["running_mean"] = (1 - m) * rm + m * mu
        bn_param["running_var"] = (1 - m) * rv + m * var * B / (B - 1)
        return back(gamma * xh + beta), {"x": x, "x_hat": back(xh), "mu": mu, "var": var, "eps": eps, "gamma": gamma}
    return back(gamma * (x2 - rm) / np.sqrt(rv + eps) + beta), None


@correct(ID, "torch.nn.functional.batch_norm on the 4-D tensor, x_hat via einsum-free torch ops")
def spatial_batchnorm_forward(x, gamma, beta, bn_param):
    import torch.nn.functional as F
    N, C, H, W = x.shape
    eps = float(bn_param.get("eps", 1e-5))
    m = float(bn_param.get("momentum", 0.1))
    rm = torch.tensor(np.asarray(bn_param.get("running_mean", np.zeros(C)), dtype=np.float64))
    rv = torch.tensor(np.asarray(bn_param.get("running_var", np.ones(C)), dtype=np.float64))
    xt = torch.tensor(np.asarray(x, dtype=np.float64))
    g = torch.tensor(np.asarray(gamma, dtype=np.float64))
    b = torch.tensor(np.asarray(beta, dtype=np.float64))
    train = bn_param["mode"] == "train"
    out = F.batch_norm(xt, rm, rv, g, b, training=train, momentum=m, eps=eps).numpy()
    if not train:
        return out, None
    bn_param["running_mean"], bn_param["running_var"] = rm.numpy(), rv.numpy()
    mu = xt.mean(dim=(0, 2, 3))
    var = xt.var(dim=(0, 2, 3), unbiased=False)
    xh = (xt - mu[None, :, None, None]) / torch.sqrt(var[None, :, None, None] + eps)
    return out, {"x": x, "x_hat": xh.numpy(), "mu": mu.numpy(), "var": var.numpy(), "eps": eps, "gamma": gamma}
