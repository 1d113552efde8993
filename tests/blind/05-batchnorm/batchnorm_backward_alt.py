import math, random
import numpy as np
import torch
from tests.variants import buggy, correct

ID = "05-batchnorm/batchnorm_backward_alt"


@buggy(ID, "[other] drops the mean(g) term (the path through mu)")
def batchnorm_backward_alt(dout, cache):
    x_hat, var, eps, gamma = cache["x_hat"], cache["var"], cache["eps"], cache["gamma"]
    g = gamma * dout
    dx = (g - x_hat * (g * x_hat).mean(axis=0)) / np.sqrt(var + eps)
    return dx, (dout * x_hat).sum(axis=0), dout.sum(axis=0)


@buggy(ID, "[other] drops the x_hat * mean(g x_hat) term (the path through the variance)")
def batchnorm_backward_alt(dout, cache):
    x_hat, var, eps, gamma = cache["x_hat"], cache["var"], cache["eps"], cache["gamma"]
    g = gamma * dout
    dx = (g - g.mean(axis=0)) / np.sqrt(var + eps)
    return dx, (dout * x_hat).sum(axis=0), dout.sum(axis=0)


@buggy(ID, "[other] sum instead of mean in the variance term (N times too large)")
def batchnorm_backward_alt(dout, cache):
    x_hat, var, eps, gamma = cache["x_hat"], cache["var"], cache["eps"], cache["gamma"]
    g = gamma * dout
    dx = (g - g.mean(axis=0) - x_hat * (g * x_hat).sum(axis=0)) / np.sqrt(var + eps)
    return dx, (dout * x_hat).sum(axis=0), dout.sum(axis=0)


@buggy(ID, "[6] means over axis=1 (features) instead of axis 0 (the batch), keepdims so it broadcasts")
def batchnorm_backward_alt(dout, cache):
    x_hat, var, eps, gamma = cache["x_hat"], cache["var"], cache["eps"], cache["gamma"]
    g = gamma * dout
    dx = (g - g.mean(axis=1, keepdims=True) - x_hat * (g * x_hat).mean(axis=1, keepdims=True)) / np.sqrt(var + eps)
    return dx, (dout * x_hat).sum(axis=0), dout.sum(axis=0)


@buggy(ID, "[7] no eps: divides by sqrt(var)")
def batchnorm_backward_alt(dout, cache):
    x_hat, var, gamma = cache["x_hat"], cache["var"], cache["gamma"]
    g = gamma * dout
    dx = (g - g.mean(axis=0) - x_hat * (g * x_hat).mean(axis=0)) / np.sqrt(var)
    return dx, (dout * x_hat).sum(axis=0), dout.sum(axis=0)


@buggy(ID, "[7] dbeta = mean of dout, dgamma = mean of dout*x_hat (mean instead of sum)")
def batchnorm_backward_alt(dout, cache):
    x_hat, var, eps, gamma = cache["x_hat"], cache["var"], cache["eps"], cache["gamma"]
    g = gamma * dout
    dx = (g - g.mean(axis=0) - x_hat * (g * x_hat).mean(axis=0)) / np.sqrt(var + eps)
    return dx, (dout * x_hat).mean(axis=0), dout.mean(axis=0)




@buggy(ID, "[8] scales dout in place by gamma (dout *= gamma) before using it")
def batchnorm_backward_alt(dout, cache):
    x_hat, var, eps, gamma = cache["x_hat"], cache["var"], cache["eps"], cache["gamma"]
    dbeta = dout.sum(axis=0)
    dgamma = (dout * x_hat).sum(axis=0)
    g = dout
    g *= gamma
    dx = (g - g.mean(axis=0) - x_hat * (g * x_hat).mean(axis=0)) / np.sqrt(var + eps)
    return dx, dgamma, dbeta


@buggy(ID, "[8] stores the normalised gradient into cache (cache['x_hat'] *= ... ) reusing buffers")
def batchnorm_backward_alt(dout, cache):
    x_hat, var, eps, gamma = cache["x_hat"], cache["var"], cache["eps"], cache["gamma"]
    dbeta = dout.sum(axis=0)
    dgamma = (dout * x_hat).sum(axis=0)
    g = gamma * dout
    proj = (g * x_hat).mean(axis=0)
    x_hat *= proj                      # reuse the buffer
    dx = (g - g.mean(axis=0) - x_hat) / np.sqrt(var + eps)
    return dx, dgamma, dbeta


@correct(ID, "factor gamma / s out and use dout in the means (gamma is constant over the batch)")
def batchnorm_backward_alt(dout, cache):
    x_hat, var, eps, gamma = cache["x_hat"], cache["var"], cache["eps"], cache["gamma"]
    N = dout.shape[0]
    dbeta = dout.sum(axis=0)
    dgamma = (dout * x_hat).sum(axis=0)
    dx = (gamma / np.sqrt(var + eps)) / N * (N * dout - dbeta - x_hat * dgamma)
    return dx, dgamma, dbeta


@correct(ID, "torch tensors, same closed form")
def batchnorm_backward_alt(dout, cache):
    xh = torch.from_numpy(np.asarray(cache["x_hat"], dtype=np.float64))
    d = torch.from_numpy(np.asarray(dout, dtype=np.float64))
    gm = torch.from_numpy(np.asarray(cache["gamma"], dtype=np.float64))
    v = torch.from_numpy(np.asarray(cache["var"], dtype=np.float64))
    g = gm * d
    dx = (g - g.mean(0, keepdim=True) - xh * (g * xh).mean(0, keepdim=True)) * torch.rsqrt(v + cache["eps"])
    return dx.numpy(), (d * xh).sum(0).numpy(), d.sum(0).numpy()


@buggy(ID, "[7] hard-codes eps = 1e-5 instead of reading cache['eps']")
def batchnorm_backward_alt(dout, cache):
    x_hat, var, gamma = cache["x_hat"], cache["var"], cache["gamma"]
    g = gamma * dout
    dx = (g - g.mean(axis=0) - x_hat * (g * x_hat).mean(axis=0)) / np.sqrt(var + 1e-5)
    return dx, (dout * x_hat).sum(axis=0), dout.sum(axis=0)
