"""Buggy and correct answers to 01-sgd/logistic_loss_and_grad (self-contained: see tests/variants/__init__.py)."""

from __future__ import annotations

import math

import numpy as np
import torch

from .. import buggy, correct

LOG = "01-sgd/logistic_loss_and_grad"


@buggy(LOG, "naive log(sigmoid(z)): inf or nan for large logits", demo=True)
def logistic_loss_and_grad(w, X, y):
    p = 1.0 / (1.0 + np.exp(-(X @ w)))
    loss = -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))
    dw = X.T @ (p - y) / len(y)
    return loss, dw


@buggy(LOG, "clips p to [1e-15, 1 - 1e-15]: finite but wrong for large logits")
def logistic_loss_and_grad(w, X, y):  # noqa: F811
    p = 1.0 / (1.0 + np.exp(-(X @ w)))
    q = np.clip(p, 1e-15, 1 - 1e-15)
    loss = -np.mean(y * np.log(q) + (1 - y) * np.log(1 - q))
    return loss, X.T @ (p - y) / len(y)


@buggy(LOG, "sum over examples instead of mean (no 1/N)")
def logistic_loss_and_grad(w, X, y):  # noqa: F811
    z = X @ w
    loss = np.sum(np.logaddexp(0.0, z) - y * z)
    p = np.exp(-np.logaddexp(0.0, -z))
    return loss, X.T @ (p - y)


@buggy(LOG, "gradient without 1/N, loss correct")
def logistic_loss_and_grad(w, X, y):  # noqa: F811
    z = X @ w
    loss = np.mean(np.logaddexp(0.0, z) - y * z)
    p = np.exp(-np.logaddexp(0.0, -z))
    return loss, X.T @ (p - y)


@buggy(LOG, "gradient sign flipped: X.T @ (y - p) / N")
def logistic_loss_and_grad(w, X, y):  # noqa: F811
    z = X @ w
    loss = np.mean(np.logaddexp(0.0, z) - y * z)
    p = np.exp(-np.logaddexp(0.0, -z))
    return loss, X.T @ (y - p) / len(y)


@buggy(LOG, "labels treated as -1/+1: log(1 + exp(-y z))")
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


@correct(LOG, "torch autograd through softplus, returns tensors")
def logistic_loss_and_grad(w, X, y):  # noqa: F811
    wt = torch.tensor(w, dtype=torch.float64, requires_grad=True)
    z = torch.from_numpy(X) @ wt
    loss = (torch.nn.functional.softplus(z) - torch.from_numpy(y) * z).mean()
    loss.backward()
    return loss.detach(), wt.grad


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
