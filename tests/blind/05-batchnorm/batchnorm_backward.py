import math, random
import numpy as np
import torch
from tests.variants import buggy, correct

ID = "05-batchnorm/batchnorm_backward"


@buggy(ID, "[other] forgets the path through mu (dx = dxhat/s + dvar * 2c/N only)")
def batchnorm_backward(dout, cache):
    x, x_hat, mu, var, eps, gamma = (cache[k] for k in ("x", "x_hat", "mu", "var", "eps", "gamma"))
    N = x.shape[0]
    dbeta = dout.sum(axis=0)
    dgamma = (dout * x_hat).sum(axis=0)
    dxhat = dout * gamma
    c = x - mu
    s = np.sqrt(var + eps)
    dvar = (dxhat * c).sum(axis=0) * -0.5 * s ** -3
    dx = dxhat / s + dvar * 2 * c / N
    return dx, dgamma, dbeta


@buggy(ID, "[other] forgets the path through the variance (dx = dxhat/s - mean(dxhat)/s)")
def batchnorm_backward(dout, cache):
    x, x_hat, mu, var, eps, gamma = (cache[k] for k in ("x", "x_hat", "mu", "var", "eps", "gamma"))
    N = x.shape[0]
    dbeta = dout.sum(axis=0)
    dgamma = (dout * x_hat).sum(axis=0)
    dxhat = dout * gamma
    s = np.sqrt(var + eps)
    dc = dxhat / s
    dmu = -dc.sum(axis=0)
    dx = dc + dmu / N
    return dx, dgamma, dbeta


@buggy(ID, "[other] dgamma = sum(dout * x) instead of sum(dout * x_hat)")
def batchnorm_backward(dout, cache):
    x, x_hat, mu, var, eps, gamma = (cache[k] for k in ("x", "x_hat", "mu", "var", "eps", "gamma"))
    N = x.shape[0]
    dbeta = dout.sum(axis=0)
    dgamma = (dout * x).sum(axis=0)
    dxhat = dout * gamma
    c = x - mu
    s = np.sqrt(var + eps)
    dvar = (dxhat * c).sum(axis=0) * -0.5 * s ** -3
    dc = dxhat / s + dvar * 2 * c / N
    dmu = -dc.sum(axis=0)
    dx = dc + dmu / N
    return dx, dgamma, dbeta


@buggy(ID, "[7] drops eps in the backward: s = sqrt(var)")
def batchnorm_backward(dout, cache):
    x, x_hat, mu, var, eps, gamma = (cache[k] for k in ("x", "x_hat", "mu", "var", "eps", "gamma"))
    N = x.shape[0]
    dbeta = dout.sum(axis=0)
    dgamma = (dout * x_hat).sum(axis=0)
    dxhat = dout * gamma
    c = x - mu
    s = np.sqrt(var)
    dvar = (dxhat * c).sum(axis=0) * -0.5 * s ** -3
    dc = dxhat / s + dvar * 2 * c / N
    dmu = -dc.sum(axis=0)
    dx = dc + dmu / N
    return dx, dgamma, dbeta


@buggy(ID, "[7] derivative of the variance with 1/(N-1) instead of 1/N")
def batchnorm_backward(dout, cache):
    x, x_hat, mu, var, eps, gamma = (cache[k] for k in ("x", "x_hat", "mu", "var", "eps", "gamma"))
    N = x.shape[0]
    dbeta = dout.sum(axis=0)
    dgamma = (dout * x_hat).sum(axis=0)
    dxhat = dout * gamma
    c = x - mu
    s = np.sqrt(var + eps)
    dvar = (dxhat * c).sum(axis=0) * -0.5 * s ** -3
    dc = dxhat / s + dvar * 2 * c / (N - 1)
    dmu = -dc.sum(axis=0)
    dx = dc + dmu / N
    return dx, dgamma, dbeta




@buggy(ID, "[8] multiplies dout by gamma in place (dout *= gamma), modifying the caller's upstream gradient")
def batchnorm_backward(dout, cache):
    x, x_hat, mu, var, eps, gamma = (cache[k] for k in ("x", "x_hat", "mu", "var", "eps", "gamma"))
    N = x.shape[0]
    dbeta = dout.sum(axis=0)
    dgamma = (dout * x_hat).sum(axis=0)
    dxhat = dout
    dxhat *= gamma
    c = x - mu
    s = np.sqrt(var + eps)
    dvar = (dxhat * c).sum(axis=0) * -0.5 * s ** -3
    dc = dxhat / s + dvar * 2 * c / N
    dmu = -dc.sum(axis=0)
    dx = dc + dmu / N
    return dx, dgamma, dbeta


@buggy(ID, "[8] centres cache['x'] in place (c = x; c -= mu), so a second backward differs")
def batchnorm_backward(dout, cache):
    x, x_hat, mu, var, eps, gamma = (cache[k] for k in ("x", "x_hat", "mu", "var", "eps", "gamma"))
    N = x.shape[0]
    dbeta = dout.sum(axis=0)
    dgamma = (dout * x_hat).sum(axis=0)
    dxhat = dout * gamma
    c = x
    c -= mu
    s = np.sqrt(var + eps)
    dvar = (dxhat * c).sum(axis=0) * -0.5 * s ** -3
    dc = dxhat / s + dvar * 2 * c / N
    dmu = -dc.sum(axis=0)
    dx = dc + dmu / N
    return dx, dgamma, dbeta


@buggy(ID, "[9] dgamma, dbeta kept with keepdims=True, shape (1, D)")
def batchnorm_backward(dout, cache):
    x, x_hat, mu, var, eps, gamma = (cache[k] for k in ("x", "x_hat", "mu", "var", "eps", "gamma"))
    N = x.shape[0]
    dbeta = dout.sum(axis=0, keepdims=True)
    dgamma = (dout * x_hat).sum(axis=0, keepdims=True)
    dxhat = dout * gamma
    c = x - mu
    s = np.sqrt(var + eps)
    dvar = (dxhat * c).sum(axis=0, keepdims=True) * -0.5 * s ** -3
    dc = dxhat / s + dvar * 2 * c / N
    dmu = -dc.sum(axis=0, keepdims=True)
    dx = dc + dmu / N
    return dx, dgamma, dbeta


@buggy(ID, "[10] ignores gamma: dxhat = dout")
def batchnorm_backward(dout, cache):
    x, x_hat, mu, var, eps = (cache[k] for k in ("x", "x_hat", "mu", "var", "eps"))
    N = x.shape[0]
    dbeta = dout.sum(axis=0)
    dgamma = (dout * x_hat).sum(axis=0)
    dxhat = dout
    c = x - mu
    s = np.sqrt(var + eps)
    dvar = (dxhat * c).sum(axis=0) * -0.5 * s ** -3
    dc = dxhat / s + dvar * 2 * c / N
    dmu = -dc.sum(axis=0)
    dx = dc + dmu / N
    return dx, dgamma, dbeta


@correct(ID, "CS231n-style staged graph keeping the dvar term in dmu (zero in exact arithmetic)")
def batchnorm_backward(dout, cache):
    x, mu, var, eps, gamma = (cache[k] for k in ("x", "mu", "var", "eps", "gamma"))
    N = x.shape[0]
    c = x - mu
    s = np.sqrt(var + eps)
    inv = 1.0 / s
    x_hat = c * inv
    dbeta = np.sum(dout, axis=0)
    dgamma = np.sum(dout * x_hat, axis=0)
    dxhat = dout * gamma
    dinv = np.sum(dxhat * c, axis=0)
    dc1 = dxhat * inv
    ds = -dinv / s ** 2
    dvar = 0.5 * ds / s
    dsq = np.ones_like(x) * dvar / N
    dc2 = 2 * c * dsq
    dc = dc1 + dc2
    dmu = -np.sum(dc, axis=0) + dvar * np.mean(-2 * c, axis=0)
    dx = dc + dmu / N
    return dx, dgamma, dbeta


@correct(ID, "per-feature Jacobian (I - 1/N - x_hat x_hat^T / N) * gamma / s, with einsum")
def batchnorm_backward(dout, cache):
    x_hat, var, eps, gamma = cache["x_hat"], cache["var"], cache["eps"], cache["gamma"]
    N, D = x_hat.shape
    J = (np.eye(N)[:, :, None] - 1.0 / N - np.einsum("nd,md->nmd", x_hat, x_hat) / N)
    J = J * (gamma / np.sqrt(var + eps))[None, None, :]
    dx = np.einsum("nmd,nd->md", J, dout)
    return dx, np.einsum("nd,nd->d", dout, x_hat), dout.sum(axis=0)


@correct(ID, "torch autograd on the forward rebuilt from cache['x'], gamma, eps")
def batchnorm_backward(dout, cache):
    x = torch.tensor(np.asarray(cache["x"], dtype=np.float64), requires_grad=True)
    g = torch.tensor(np.asarray(cache["gamma"], dtype=np.float64), requires_grad=True)
    b = torch.zeros(g.shape, dtype=torch.float64, requires_grad=True)
    mu = x.mean(0)
    var = ((x - mu) ** 2).mean(0)
    out = g * (x - mu) / torch.sqrt(var + cache["eps"]) + b
    out.backward(torch.from_numpy(np.asarray(dout, dtype=np.float64)))
    return x.grad.numpy(), g.grad.numpy(), b.grad.numpy()


@buggy(ID, "[7] hard-codes eps = 1e-5 instead of reading cache['eps']")
def batchnorm_backward(dout, cache):
    x, x_hat, mu, var, gamma = (cache[k] for k in ("x", "x_hat", "mu", "var", "gamma"))
    N = x.shape[0]
    dxhat = dout * gamma
    c = x - mu
    s = np.sqrt(var + 1e-5)
    dvar = (dxhat * c).sum(axis=0) * -0.5 * s ** -3
    dc = dxhat / s + dvar * 2 * c / N
    dx = dc - dc.sum(axis=0) / N
    return dx, (dout * x_hat).sum(axis=0), dout.sum(axis=0)
