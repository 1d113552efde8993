"""Buggy and correct answers to 01-sgd/logistic_loss_and_grad (self-contained: see tests/variants/__init__.py)."""

from __future__ import annotations

import math

import numpy as np
import torch

from .. import buggy, correct

LOG = "01-sgd/logistic_loss_and_grad"


@buggy(LOG, "naive log(sigmoid(z)): inf or nan for large logits", demo=True, classes=(2,))
def logistic_loss_and_grad(w, X, y):
    p = 1.0 / (1.0 + np.exp(-(X @ w)))
    loss = -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))
    dw = X.T @ (p - y) / len(y)
    return loss, dw


@buggy(LOG, "clips p to [1e-15, 1 - 1e-15]: finite but wrong for large logits", classes=(2,))
def logistic_loss_and_grad(w, X, y):  # noqa: F811
    p = 1.0 / (1.0 + np.exp(-(X @ w)))
    q = np.clip(p, 1e-15, 1 - 1e-15)
    loss = -np.mean(y * np.log(q) + (1 - y) * np.log(1 - q))
    return loss, X.T @ (p - y) / len(y)


@buggy(LOG, "sum over examples instead of mean (no 1/N)", classes=(0,))
def logistic_loss_and_grad(w, X, y):  # noqa: F811
    z = X @ w
    loss = np.sum(np.logaddexp(0.0, z) - y * z)
    p = np.exp(-np.logaddexp(0.0, -z))
    return loss, X.T @ (p - y)


@buggy(LOG, "gradient without 1/N, loss correct", classes=(0,))
def logistic_loss_and_grad(w, X, y):  # noqa: F811
    z = X @ w
    loss = np.mean(np.logaddexp(0.0, z) - y * z)
    p = np.exp(-np.logaddexp(0.0, -z))
    return loss, X.T @ (p - y)


@buggy(LOG, "gradient sign flipped: X.T @ (y - p) / N", classes=(0,))
def logistic_loss_and_grad(w, X, y):  # noqa: F811
    z = X @ w
    loss = np.mean(np.logaddexp(0.0, z) - y * z)
    p = np.exp(-np.logaddexp(0.0, -z))
    return loss, X.T @ (y - p) / len(y)


@buggy(LOG, "labels treated as -1/+1: log(1 + exp(-y z))", classes=(0,))
def logistic_loss_and_grad(w, X, y):  # noqa: F811
    m = y * (X @ w)
    loss = np.mean(np.logaddexp(0.0, -m))
    s = np.exp(-np.logaddexp(0.0, m))  # sigmoid(-m)
    return loss, -X.T @ (y * s) / len(y)


@correct(LOG, "numpy np.logaddexp")
def logistic_loss_and_grad(w, X, y):  # noqa: F811
    z = X @ w  # (N,)
    loss = float(np.mean(np.logaddexp(0.0, z) - y * z))
    p = np.exp(-np.logaddexp(0.0, -z))  # sigmoid(z) without overflow
    dw = X.T @ (p - y) / X.shape[0]
    return loss, dw


@correct(LOG, "torch autograd through softplus, converted back to a float and an ndarray")
def logistic_loss_and_grad(w, X, y):  # noqa: F811
    wt = torch.tensor(w, dtype=torch.float64, requires_grad=True)
    z = torch.from_numpy(X) @ wt
    loss = (torch.nn.functional.softplus(z) - torch.from_numpy(y) * z).mean()
    loss.backward()
    return loss.item(), wt.grad.numpy()


@buggy(LOG, "[9] torch autograd, returns the tensors themselves (a 0-d tensor for the loss)")
def logistic_loss_and_grad(w, X, y):  # noqa: F811
    wt = torch.tensor(w, dtype=torch.float64, requires_grad=True)
    z = torch.from_numpy(X) @ wt
    loss = (torch.nn.functional.softplus(z) - torch.from_numpy(y) * z).mean()
    loss.backward()
    return loss.detach(), wt.grad


@buggy(LOG, "[9] the loss as a shape-(1,) array (a mean with keepdims)")
def logistic_loss_and_grad(w, X, y):  # noqa: F811
    z = X @ w
    loss = np.mean(np.logaddexp(0.0, z) - y * z, keepdims=True)
    dw = X.T @ (np.exp(-np.logaddexp(0.0, -z)) - y) / X.shape[0]
    return loss, dw


@buggy(LOG, "[2] sigmoid as 1 / (1 + exp(-z)): right values, but exp(-z) overflows for z = -1000")
def logistic_loss_and_grad(w, X, y):  # noqa: F811
    z = X @ w
    loss = float(np.mean(np.logaddexp(0.0, z) - y * z))
    dw = X.T @ (1.0 / (1.0 + np.exp(-z)) - y) / X.shape[0]
    return loss, dw


@buggy(LOG, "[1,2] computes in float32 for speed: a relative error of about 1e-7", classes=(2,))
def logistic_loss_and_grad(w, X, y):  # noqa: F811
    z = (X.astype(np.float32) @ w.astype(np.float32))
    yf = y.astype(np.float32)
    loss = float(np.mean(np.logaddexp(np.float32(0), z) - yf * z))
    dw = X.T.astype(np.float32) @ (np.exp(-np.logaddexp(np.float32(0), -z)) - yf) / np.float32(X.shape[0])
    return loss, dw.astype(np.float64)


@correct(LOG, "python loop with math.log1p and a branch on the sign of z")
def logistic_loss_and_grad(w, X, y):  # noqa: F811
    import math

    N, D = X.shape
    total = 0.0
    dw = np.zeros(D)
    for i in range(N):
        z = float(X[i] @ w)
        if z >= 0:
            total += math.log1p(math.exp(-z)) + (1.0 - y[i]) * z
            p = 1.0 / (1.0 + math.exp(-z))
        else:
            total += math.log1p(math.exp(z)) - y[i] * z
            p = math.exp(z) / (1.0 + math.exp(z))
        dw += (p - y[i]) * X[i]
    return total / N, dw / N


@buggy(LOG, "[2] np.where with an overflowing branch for the sigmoid")
def logistic_loss_and_grad(w, X, y):
    z = X @ w
    s = np.where(z >= 0, 1 / (1 + np.exp(-z)), np.exp(z) / (1 + np.exp(z)))
    loss = np.mean(np.logaddexp(0, z) - y * z)
    return float(loss), X.T @ (s - y) / len(y)


@buggy('01-sgd/logistic_loss_and_grad', "[6] gradient divided by D = X.shape[1] instead of N")
def logistic_loss_and_grad(w, X, y):
    z = X @ w
    s = 0.5 * (1 + np.tanh(0.5 * z))
    loss = np.mean(np.logaddexp(0, z) - y * z)
    return float(loss), X.T @ (s - y) / X.shape[1]


@buggy(LOG, "[1] casts to float32 for speed: loss and gradient lose precision", classes=(2,))
def logistic_loss_and_grad(w, X, y):
    X32, w32, y32 = X.astype(np.float32), w.astype(np.float32), y.astype(np.float32)
    z = X32 @ w32
    s = 0.5 * (1 + np.tanh(0.5 * z))
    loss = np.mean(np.logaddexp(np.float32(0), z) - y32 * z)
    return loss, X32.T @ (s - y32) / X.shape[0]


@buggy(LOG, "[8] residual r = y (an alias, not a copy), then r -= p: overwrites the caller's y", classes=(8,))
def logistic_loss_and_grad(w, X, y):  # noqa: F811
    z = X @ w
    loss = float(np.mean(np.logaddexp(0.0, z) - y * z))
    p = np.exp(-np.logaddexp(0.0, -z))
    r = y                                   # residual, "prediction minus target" below
    r -= p
    return loss, -(X.T @ r) / X.shape[0]
