import math, random
import numpy as np
import torch
from tests.variants import buggy, correct

ID = "05-batchnorm/groupnorm_forward"


def _pack(x, x_hat, mu, var, eps, gamma, G):
    return {"x": x, "x_hat": x_hat, "mu": mu, "var": var, "eps": eps, "gamma": gamma, "G": G}


@buggy(ID, "[6] strided groups: reshape (N, C//G, G, H, W), channel c in group c % G")
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


@buggy(ID, "[6,10] G read as the group size: C // G groups of G channels (same when C == G*G)")
def groupnorm_forward(x, gamma, beta, G, gn_param):
    eps = gn_param.get("eps", 1e-5)
    N, C, H, W = x.shape
    ng = C // G
    xg = x.reshape(N, ng, -1)
    mu = xg.mean(axis=2, keepdims=True)
    var = xg.var(axis=2, keepdims=True)
    x_hat = ((xg - mu) / np.sqrt(var + eps)).reshape(N, C, H, W)
    out = gamma.reshape(1, C, 1, 1) * x_hat + beta.reshape(1, C, 1, 1)
    return out, {"x": x, "x_hat": x_hat, "mu": mu.reshape(N, ng), "var": var.reshape(N, ng), "eps": eps,
                 "gamma": gamma, "G": G}


@buggy(ID, "[6,10] statistics over the C/G channels only, per pixel (forgets H, W; same when H = W = 1)")
def groupnorm_forward(x, gamma, beta, G, gn_param):
    eps = gn_param.get("eps", 1e-5)
    N, C, H, W = x.shape
    xg = x.reshape(N, G, C // G, H, W)
    mu = xg.mean(axis=2, keepdims=True)
    var = xg.var(axis=2, keepdims=True)
    x_hat = ((xg - mu) / np.sqrt(var + eps)).reshape(N, C, H, W)
    out = gamma.reshape(1, C, 1, 1) * x_hat + beta.reshape(1, C, 1, 1)
    return out, {"x": x, "x_hat": x_hat, "mu": mu.mean(axis=(2, 3, 4)), "var": var.mean(axis=(2, 3, 4)),
                 "eps": eps, "gamma": gamma, "G": G}




@buggy(ID, "[7] unbiased variance (ddof=1) per group")
def groupnorm_forward(x, gamma, beta, G, gn_param):
    eps = gn_param.get("eps", 1e-5)
    N, C, H, W = x.shape
    xg = x.reshape(N, G, -1)
    mu = xg.mean(axis=2, keepdims=True)
    var = xg.var(axis=2, ddof=1, keepdims=True)
    x_hat = ((xg - mu) / np.sqrt(var + eps)).reshape(N, C, H, W)
    out = gamma.reshape(1, C, 1, 1) * x_hat + beta.reshape(1, C, 1, 1)
    return out, _pack(x, x_hat, mu[..., 0], var[..., 0], eps, gamma, G)


@buggy(ID, "[7] eps outside the square root")
def groupnorm_forward(x, gamma, beta, G, gn_param):
    eps = gn_param.get("eps", 1e-5)
    N, C, H, W = x.shape
    xg = x.reshape(N, G, -1)
    mu = xg.mean(axis=2, keepdims=True)
    var = xg.var(axis=2, keepdims=True)
    x_hat = ((xg - mu) / (np.sqrt(var) + eps)).reshape(N, C, H, W)
    out = gamma.reshape(1, C, 1, 1) * x_hat + beta.reshape(1, C, 1, 1)
    return out, _pack(x, x_hat, mu[..., 0], var[..., 0], eps, gamma, G)




@buggy(ID, "[9] cache mu and var of shape (N, G, 1) (keepdims left in)")
def groupnorm_forward(x, gamma, beta, G, gn_param):
    eps = gn_param.get("eps", 1e-5)
    N, C, H, W = x.shape
    xg = x.reshape(N, G, -1)
    mu = xg.mean(axis=2, keepdims=True)
    var = xg.var(axis=2, keepdims=True)
    x_hat = ((xg - mu) / np.sqrt(var + eps)).reshape(N, C, H, W)
    out = gamma.reshape(1, C, 1, 1) * x_hat + beta.reshape(1, C, 1, 1)
    return out, _pack(x, x_hat, mu, var, eps, gamma, G)


@buggy(ID, "[8] normalises the grouped view in place (x.reshape is a view of x)")
def groupnorm_forward(x, gamma, beta, G, gn_param):
    eps = gn_param.get("eps", 1e-5)
    N, C, H, W = x.shape
    x0 = x.copy()
    xg = x.reshape(N, G, -1)
    mu = xg.mean(axis=2, keepdims=True)
    var = xg.var(axis=2, keepdims=True)
    xg -= mu
    xg /= np.sqrt(var + eps)
    x_hat = xg.reshape(N, C, H, W)
    out = gamma.reshape(1, C, 1, 1) * x_hat + beta.reshape(1, C, 1, 1)
    return out, _pack(x0, x_hat, mu[..., 0], var[..., 0], eps, gamma, G)


@buggy(ID, "[6] gamma/beta applied per group (gamma[:G] broadcast over the grouped view)")
def groupnorm_forward(x, gamma, beta, G, gn_param):
    eps = gn_param.get("eps", 1e-5)
    N, C, H, W = x.shape
    xg = x.reshape(N, G, -1)
    mu = xg.mean(axis=2, keepdims=True)
    var = xg.var(axis=2, keepdims=True)
    xhg = (xg - mu) / np.sqrt(var + eps)
    out = (gamma[:G].reshape(1, G, 1) * xhg + beta[:G].reshape(1, G, 1)).reshape(N, C, H, W)
    x_hat = xhg.reshape(N, C, H, W)
    return out, _pack(x, x_hat, mu[..., 0], var[..., 0], eps, gamma, G)


@correct(ID, "loop over groups with slices of consecutive channels")
def groupnorm_forward(x, gamma, beta, G, gn_param):
    eps = gn_param.get("eps", 1e-5)
    N, C, H, W = x.shape
    k = C // G
    x_hat = np.empty(x.shape, dtype=float)
    mu, var = np.empty((N, G)), np.empty((N, G))
    for n in range(N):
        for g in range(G):
            blk = x[n, g * k:(g + 1) * k]
            mu[n, g] = blk.mean()
            var[n, g] = ((blk - mu[n, g]) ** 2).mean()
            x_hat[n, g * k:(g + 1) * k] = (blk - mu[n, g]) / math.sqrt(var[n, g] + eps)
    out = x_hat * gamma[None, :, None, None] + beta[None, :, None, None]
    return out, _pack(x, x_hat, mu, var, eps, gamma, G)


@correct(ID, "torch F.group_norm for out; torch var_mean for the cache")
def groupnorm_forward(x, gamma, beta, G, gn_param):
    import torch.nn.functional as F
    eps = float(gn_param.get("eps", 1e-5))
    N, C, H, W = x.shape
    xt = torch.from_numpy(np.asarray(x, dtype=np.float64))
    out = F.group_norm(xt, G, torch.from_numpy(np.asarray(gamma, dtype=np.float64)),
                       torch.from_numpy(np.asarray(beta, dtype=np.float64)), eps=eps)
    xg = xt.reshape(N, G, -1)
    var, mu = torch.var_mean(xg, dim=2, unbiased=False)
    xh = ((xg - mu[..., None]) / torch.sqrt(var[..., None] + eps)).reshape(N, C, H, W)
    return out.numpy(), _pack(x, xh.numpy(), mu.numpy(), var.numpy(), eps, gamma, G)
