import math, random
import numpy as np
import torch
from tests.variants import buggy, correct

ID = "01-sgd/logistic_loss_and_grad"


@buggy(ID, "[2] naive sigmoid 1/(1+exp(-z)): overflows (RuntimeWarning) for z ~ -1000")
def logistic_loss_and_grad(w, X, y):
    z = X @ w
    s = 1.0 / (1.0 + np.exp(-z))
    loss = np.mean(np.logaddexp(0, z) - y * z)
    return float(loss), X.T @ (s - y) / X.shape[0]




@buggy(ID, "[2] loss as BCE of clipped probabilities: finite but wrong for |z| ~ 1000")
def logistic_loss_and_grad(w, X, y):
    z = X @ w
    s = 0.5 * (1 + np.tanh(0.5 * z))
    p = np.clip(s, 1e-15, 1 - 1e-15)
    loss = -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))
    return float(loss), X.T @ (s - y) / X.shape[0]


@buggy(ID, "[2] log(1 + exp(z)) overflows to inf for z = 1000")
def logistic_loss_and_grad(w, X, y):
    z = X @ w
    e = np.exp(-np.abs(z))
    s = np.where(z >= 0, 1 / (1 + e), e / (1 + e))
    loss = np.mean(np.log(1 + np.exp(z)) - y * z)
    return float(loss), X.T @ (s - y) / X.shape[0]


@buggy(ID, "[2] softplus as log(1 + exp(z)) with log instead of log1p for z < 0 (precision for z << 0)")
def logistic_loss_and_grad(w, X, y):
    z = X @ w
    sp = np.maximum(z, 0) + np.log(1 + np.exp(-np.abs(z)))
    e = np.exp(-np.abs(z))
    s = np.where(z >= 0, 1 / (1 + e), e / (1 + e))
    return float(np.mean(sp - y * z)), X.T @ (s - y) / X.shape[0]


@buggy(ID, "[other] gradient summed, not averaged (no / N)")
def logistic_loss_and_grad(w, X, y):
    z = X @ w
    s = 0.5 * (1 + np.tanh(0.5 * z))
    loss = np.mean(np.logaddexp(0, z) - y * z)
    return float(loss), X.T @ (s - y)


@buggy(ID, "[other] sign error in the gradient: X^T (y - sigmoid) / N")
def logistic_loss_and_grad(w, X, y):
    z = X @ w
    s = 0.5 * (1 + np.tanh(0.5 * z))
    loss = np.mean(np.logaddexp(0, z) - y * z)
    return float(loss), X.T @ (y - s) / X.shape[0]






@buggy(ID, "[9] loss returned as a shape-(1,) array (mean with keepdims)")
def logistic_loss_and_grad(w, X, y):
    z = X @ w
    s = 0.5 * (1 + np.tanh(0.5 * z))
    loss = np.mean(np.logaddexp(0, z) - y * z, keepdims=True)
    return loss, X.T @ (s - y) / X.shape[0]


@buggy(ID, "[other] loss summed, not averaged")
def logistic_loss_and_grad(w, X, y):
    z = X @ w
    s = 0.5 * (1 + np.tanh(0.5 * z))
    loss = np.sum(np.logaddexp(0, z) - y * z)
    return float(loss), X.T @ (s - y) / X.shape[0]


@correct(ID, "scipy.special.expit and log_expit, einsum for the gradient")
def logistic_loss_and_grad(w, X, y):
    from scipy.special import expit, log_expit
    z = X @ w
    # log(1+e^z) - y z = -log_expit(-z) - y z
    loss = float(np.mean(-log_expit(-z) - y * z))
    dw = np.einsum("nd,n->d", X, expit(z) - y) / X.shape[0]
    return loss, dw


@correct(ID, "torch float64 autograd with softplus")
def logistic_loss_and_grad(w, X, y):
    wt = torch.tensor(np.asarray(w, dtype=np.float64), requires_grad=True)
    Xt = torch.as_tensor(np.asarray(X, dtype=np.float64))
    yt = torch.as_tensor(np.asarray(y, dtype=np.float64))
    z = Xt @ wt
    loss = (torch.nn.functional.softplus(z) - yt * z).mean()
    loss.backward()
    return float(loss.item()), wt.grad.numpy().copy()


@correct(ID, "stable sigmoid by sign split with a loop-free mask, log1p softplus")
def logistic_loss_and_grad(w, X, y):
    z = X.dot(w)
    s = np.empty_like(z)
    pos = z >= 0
    s[pos] = 1.0 / (1.0 + np.exp(-z[pos]))
    ez = np.exp(z[~pos])
    s[~pos] = ez / (1.0 + ez)
    sp = np.maximum(z, 0.0) + np.log1p(np.exp(-np.abs(z)))
    return float(np.mean(sp - y * z)), X.T.dot(s - y) / len(z)
