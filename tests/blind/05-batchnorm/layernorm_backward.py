import math, random
import numpy as np
import torch
from tests.variants import buggy, correct

ID = "05-batchnorm/layernorm_backward"


@buggy(ID, "[other] means over the batch axis 0 (batch norm's axes) in dx")
def layernorm_backward(dout, cache):
    x_hat, var, eps, gamma = cache["x_hat"], cache["var"], cache["eps"], cache["gamma"]
    g = gamma * dout
    dx = (g - g.mean(axis=0) - x_hat * (g * x_hat).mean(axis=0)) / np.sqrt(var + eps)
    return dx, (dout * x_hat).sum(axis=0), dout.sum(axis=0)


@buggy(ID, "[other] drops the x_hat * mean(g x_hat) term")
def layernorm_backward(dout, cache):
    x_hat, var, eps, gamma = cache["x_hat"], cache["var"], cache["eps"], cache["gamma"]
    g = gamma * dout
    dx = (g - g.mean(axis=1, keepdims=True)) / np.sqrt(var + eps)
    return dx, (dout * x_hat).sum(axis=0), dout.sum(axis=0)


@buggy(ID, "[other] drops the mean(g) term")
def layernorm_backward(dout, cache):
    x_hat, var, eps, gamma = cache["x_hat"], cache["var"], cache["eps"], cache["gamma"]
    g = gamma * dout
    dx = (g - x_hat * (g * x_hat).mean(axis=1, keepdims=True)) / np.sqrt(var + eps)
    return dx, (dout * x_hat).sum(axis=0), dout.sum(axis=0)


@buggy(ID, "[10] uses dout instead of g = gamma * dout in the means (fine for BN, wrong for LN)")
def layernorm_backward(dout, cache):
    x_hat, var, eps, gamma = cache["x_hat"], cache["var"], cache["eps"], cache["gamma"]
    N, D = dout.shape
    dx = gamma * (dout - dout.mean(axis=1, keepdims=True)
                  - x_hat * (dout * x_hat).mean(axis=1, keepdims=True)) / np.sqrt(var + eps)
    return dx, (dout * x_hat).sum(axis=0), dout.sum(axis=0)


@buggy(ID, "[7] no eps in the square root")
def layernorm_backward(dout, cache):
    x_hat, var, gamma = cache["x_hat"], cache["var"], cache["gamma"]
    g = gamma * dout
    dx = (g - g.mean(axis=1, keepdims=True) - x_hat * (g * x_hat).mean(axis=1, keepdims=True)) / np.sqrt(var)
    return dx, (dout * x_hat).sum(axis=0), dout.sum(axis=0)


@buggy(ID, "[other] dgamma = sum(dout * x) instead of dout * x_hat")
def layernorm_backward(dout, cache):
    x, x_hat, var, eps, gamma = cache["x"], cache["x_hat"], cache["var"], cache["eps"], cache["gamma"]
    g = gamma * dout
    dx = (g - g.mean(axis=1, keepdims=True) - x_hat * (g * x_hat).mean(axis=1, keepdims=True)) / np.sqrt(var + eps)
    return dx, (dout * x).sum(axis=0), dout.sum(axis=0)


@buggy(ID, "[8] dout *= gamma in place")
def layernorm_backward(dout, cache):
    x_hat, var, eps, gamma = cache["x_hat"], cache["var"], cache["eps"], cache["gamma"]
    dgamma, dbeta = (dout * x_hat).sum(axis=0), dout.sum(axis=0)
    g = dout
    g *= gamma
    dx = (g - g.mean(axis=1, keepdims=True) - x_hat * (g * x_hat).mean(axis=1, keepdims=True)) / np.sqrt(var + eps)
    return dx, dgamma, dbeta


@buggy(ID, "[9] dgamma, dbeta with keepdims, shape (1, D)")
def layernorm_backward(dout, cache):
    x_hat, var, eps, gamma = cache["x_hat"], cache["var"], cache["eps"], cache["gamma"]
    g = gamma * dout
    dx = (g - g.mean(axis=1, keepdims=True) - x_hat * (g * x_hat).mean(axis=1, keepdims=True)) / np.sqrt(var + eps)
    return dx, (dout * x_hat).sum(axis=0, keepdims=True), dout.sum(axis=0, keepdims=True)




@buggy(ID, "[7] hard-codes eps = 1e-5")
def layernorm_backward(dout, cache):
    x_hat, var, gamma = cache["x_hat"], cache["var"], cache["gamma"]
    g = gamma * dout
    dx = (g - g.mean(axis=1, keepdims=True) - x_hat * (g * x_hat).mean(axis=1, keepdims=True)) / np.sqrt(var + 1e-5)
    return dx, (dout * x_hat).sum(axis=0), dout.sum(axis=0)


@correct(ID, "torch autograd through F.layer_norm rebuilt from cache['x']")
def layernorm_backward(dout, cache):
    import torch.nn.functional as F
    x = torch.tensor(np.asarray(cache["x"], dtype=np.float64), requires_grad=True)
    g = torch.tensor(np.asarray(cache["gamma"], dtype=np.float64), requires_grad=True)
    b = torch.zeros_like(g, requires_grad=True)
    out = F.layer_norm(x, (x.shape[1],), g, b, eps=float(cache["eps"]))
    out.backward(torch.from_numpy(np.asarray(dout, dtype=np.float64)))
    return x.grad.numpy(), g.grad.numpy(), b.grad.numpy()


@correct(ID, "transpose and apply batch norm's closed form on (D, N)")
def layernorm_backward(dout, cache):
    x_hat, var, eps, gamma = cache["x_hat"], cache["var"], cache["eps"], cache["gamma"]
    gT = (gamma * dout).T
    xT = x_hat.T
    dxT = (gT - gT.mean(axis=0) - xT * (gT * xT).mean(axis=0)) / np.sqrt(var.ravel() + eps)
    return dxT.T, (dout * x_hat).sum(axis=0), dout.sum(axis=0)
