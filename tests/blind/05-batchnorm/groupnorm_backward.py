import math, random
import numpy as np
import torch
from tests.variants import buggy, correct

ID = "05-batchnorm/groupnorm_backward"


@buggy(ID, "[6,10] means over each example's whole (C, H, W), ignoring G (layer norm; right only when G = 1)")
def groupnorm_backward(dout, cache):
    x_hat, var, eps, gamma, G = cache["x_hat"], cache["var"], cache["eps"], cache["gamma"], cache["G"]
    N, C, H, W = dout.shape
    g = (dout * gamma.reshape(1, C, 1, 1)).reshape(N, G, -1)
    xh = x_hat.reshape(N, G, -1)
    gm = g.reshape(N, -1).mean(axis=1)[:, None, None]
    pm = (g * xh).reshape(N, -1).mean(axis=1)[:, None, None]
    dx = ((g - gm - xh * pm) / np.sqrt(var[..., None] + eps)).reshape(N, C, H, W)
    return dx, (dout * x_hat).sum(axis=(0, 2, 3)), dout.sum(axis=(0, 2, 3))


@buggy(ID, "[6,10] means over (H, W) per channel (instance norm; right only when G = C)")
def groupnorm_backward(dout, cache):
    x_hat, var, eps, gamma, G = cache["x_hat"], cache["var"], cache["eps"], cache["gamma"], cache["G"]
    N, C, H, W = dout.shape
    g = dout * gamma.reshape(1, C, 1, 1)
    s = np.repeat(np.sqrt(var + eps), C // G, axis=1)[:, :, None, None]
    dx = (g - g.mean(axis=(2, 3), keepdims=True) - x_hat * (g * x_hat).mean(axis=(2, 3), keepdims=True)) / s
    return dx, (dout * x_hat).sum(axis=(0, 2, 3)), dout.sum(axis=(0, 2, 3))


@buggy(ID, "[other] drops the x_hat * mean(g x_hat) term")
def groupnorm_backward(dout, cache):
    x_hat, var, eps, gamma, G = cache["x_hat"], cache["var"], cache["eps"], cache["gamma"], cache["G"]
    N, C, H, W = dout.shape
    g = (dout * gamma.reshape(1, C, 1, 1)).reshape(N, G, -1)
    dx = ((g - g.mean(axis=2, keepdims=True)) / np.sqrt(var[..., None] + eps)).reshape(N, C, H, W)
    return dx, (dout * x_hat).sum(axis=(0, 2, 3)), dout.sum(axis=(0, 2, 3))


@buggy(ID, "[6] strided groups in the backward (reshape (N, C//G, G, ...)), channel c in group c % G")
def groupnorm_backward(dout, cache):
    x_hat, var, eps, gamma, G = cache["x_hat"], cache["var"], cache["eps"], cache["gamma"], cache["G"]
    N, C, H, W = dout.shape
    g = (dout * gamma.reshape(1, C, 1, 1)).reshape(N, C // G, G, H, W)
    xh = x_hat.reshape(N, C // G, G, H, W)
    ax = (1, 3, 4)
    s = np.sqrt(var + eps)[:, None, :, None, None]
    dx = ((g - g.mean(axis=ax, keepdims=True) - xh * (g * xh).mean(axis=ax, keepdims=True)) / s).reshape(N, C, H, W)
    return dx, (dout * x_hat).sum(axis=(0, 2, 3)), dout.sum(axis=(0, 2, 3))


@buggy(ID, "[7] no eps in the square root")
def groupnorm_backward(dout, cache):
    x_hat, var, gamma, G = cache["x_hat"], cache["var"], cache["gamma"], cache["G"]
    N, C, H, W = dout.shape
    g = (dout * gamma.reshape(1, C, 1, 1)).reshape(N, G, -1)
    xh = x_hat.reshape(N, G, -1)
    dx = ((g - g.mean(axis=2, keepdims=True) - xh * (g * xh).mean(axis=2, keepdims=True))
          / np.sqrt(var[..., None])).reshape(N, C, H, W)
    return dx, (dout * x_hat).sum(axis=(0, 2, 3)), dout.sum(axis=(0, 2, 3))


@buggy(ID, "[10] ignores gamma in the means: g = dout, times gamma afterwards (not constant over a group)")
def groupnorm_backward(dout, cache):
    x_hat, var, eps, gamma, G = cache["x_hat"], cache["var"], cache["eps"], cache["gamma"], cache["G"]
    N, C, H, W = dout.shape
    d = dout.reshape(N, G, -1)
    xh = x_hat.reshape(N, G, -1)
    dxh = ((d - d.mean(axis=2, keepdims=True) - xh * (d * xh).mean(axis=2, keepdims=True))
           / np.sqrt(var[..., None] + eps)).reshape(N, C, H, W)
    return dxh * gamma.reshape(1, C, 1, 1), (dout * x_hat).sum(axis=(0, 2, 3)), dout.sum(axis=(0, 2, 3))


@buggy(ID, "[8] scales dout in place by gamma (dout *= gamma[:, None, None])")
def groupnorm_backward(dout, cache):
    x_hat, var, eps, gamma, G = cache["x_hat"], cache["var"], cache["eps"], cache["gamma"], cache["G"]
    N, C, H, W = dout.shape
    dgamma, dbeta = (dout * x_hat).sum(axis=(0, 2, 3)), dout.sum(axis=(0, 2, 3))
    dout *= gamma[:, None, None]
    g = dout.reshape(N, G, -1)
    xh = x_hat.reshape(N, G, -1)
    dx = ((g - g.mean(axis=2, keepdims=True) - xh * (g * xh).mean(axis=2, keepdims=True))
          / np.sqrt(var[..., None] + eps)).reshape(N, C, H, W)
    return dx, dgamma, dbeta


@buggy(ID, "[9] dgamma, dbeta shaped (1, C, 1, 1) (keepdims)")
def groupnorm_backward(dout, cache):
    x_hat, var, eps, gamma, G = cache["x_hat"], cache["var"], cache["eps"], cache["gamma"], cache["G"]
    N, C, H, W = dout.shape
    g = (dout * gamma.reshape(1, C, 1, 1)).reshape(N, G, -1)
    xh = x_hat.reshape(N, G, -1)
    dx = ((g - g.mean(axis=2, keepdims=True) - xh * (g * xh).mean(axis=2, keepdims=True))
          / np.sqrt(var[..., None] + eps)).reshape(N, C, H, W)
    return dx, (dout * x_hat).sum(axis=(0, 2, 3), keepdims=True), dout.sum(axis=(0, 2, 3), keepdims=True)


@buggy(ID, "[other] dgamma summed over N only -> per-(C,H,W), then summed over H only (forgets W)")
def groupnorm_backward(dout, cache):
    x_hat, var, eps, gamma, G = cache["x_hat"], cache["var"], cache["eps"], cache["gamma"], cache["G"]
    N, C, H, W = dout.shape
    g = (dout * gamma.reshape(1, C, 1, 1)).reshape(N, G, -1)
    xh = x_hat.reshape(N, G, -1)
    dx = ((g - g.mean(axis=2, keepdims=True) - xh * (g * xh).mean(axis=2, keepdims=True))
          / np.sqrt(var[..., None] + eps)).reshape(N, C, H, W)
    return dx, (dout * x_hat).sum(axis=(0, 2))[:, 0], dout.sum(axis=(0, 2))[:, 0]




@correct(ID, "torch autograd through F.group_norm rebuilt from cache['x']")
def groupnorm_backward(dout, cache):
    import torch.nn.functional as F
    x = torch.tensor(np.asarray(cache["x"], dtype=np.float64), requires_grad=True)
    g = torch.tensor(np.asarray(cache["gamma"], dtype=np.float64), requires_grad=True)
    b = torch.zeros_like(g, requires_grad=True)
    out = F.group_norm(x, int(cache["G"]), g, b, eps=float(cache["eps"]))
    out.backward(torch.from_numpy(np.asarray(dout, dtype=np.float64)))
    return x.grad.numpy(), g.grad.numpy(), b.grad.numpy()


@correct(ID, "loops over examples and groups with consecutive channel slices, einsum for dgamma")
def groupnorm_backward(dout, cache):
    x_hat, var, eps, gamma, G = cache["x_hat"], cache["var"], cache["eps"], cache["gamma"], cache["G"]
    N, C, H, W = dout.shape
    k = C // G
    dx = np.empty(dout.shape)
    g_all = dout * gamma[None, :, None, None]
    for n in range(N):
        for j in range(G):
            sl = slice(j * k, (j + 1) * k)
            g, xh = g_all[n, sl], x_hat[n, sl]
            dx[n, sl] = (g - g.mean() - xh * (g * xh).mean()) / math.sqrt(var[n, j] + eps)
    return dx, np.einsum("nchw,nchw->c", dout, x_hat), np.einsum("nchw->c", dout)


@buggy(ID, "[7] hard-codes eps = 1e-5 instead of cache['eps']")
def groupnorm_backward(dout, cache):
    x_hat, var, gamma, G = cache["x_hat"], cache["var"], cache["gamma"], cache["G"]
    N, C, H, W = dout.shape
    g = (dout * gamma.reshape(1, C, 1, 1)).reshape(N, G, -1)
    xh = x_hat.reshape(N, G, -1)
    dx = ((g - g.mean(axis=2, keepdims=True) - xh * (g * xh).mean(axis=2, keepdims=True))
          / np.sqrt(var[..., None] + 1e-5)).reshape(N, C, H, W)
    return dx, (dout * x_hat).sum(axis=(0, 2, 3)), dout.sum(axis=(0, 2, 3))
