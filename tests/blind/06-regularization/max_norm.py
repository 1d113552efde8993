import math, random
import numpy as np
import torch
from tests.variants import buggy, correct

ID = "06-regularization/max_norm"


def _rownorm(W):
    return np.sqrt((W.reshape(W.shape[0], -1) ** 2).sum(axis=1))


@buggy(ID, "[6] norms per column (axis 0), the 'in' convention")
def max_norm(W, c):
    n = np.linalg.norm(W, axis=0, keepdims=True)
    return W * np.minimum(1.0, c / np.maximum(n, 1e-300))


@buggy(ID, "[6] norm over the last axis only (conv filters split per kernel row)")
def max_norm(W, c):
    n = np.linalg.norm(W, axis=-1, keepdims=True)
    return W * np.minimum(1.0, c / np.maximum(n, 1e-300))


@correct(ID, "W * min(1, c/n) with errstate: a zero row gives c/0 = inf, min -> 1, so 0 * 1 = 0 (no NaN)")
def max_norm(W, c):
    n = _rownorm(W).reshape((-1,) + (1,) * (W.ndim - 1))
    with np.errstate(divide="ignore", invalid="ignore"):
        return W * np.minimum(1.0, c / n)


@buggy(ID, "[8] modifies W in place and returns it")
def max_norm(W, c):
    n = _rownorm(W)
    for i in np.flatnonzero(n > c):
        W[i] *= c / n[i]
    return W


@buggy(ID, "[8] returns W itself (not a copy) when no row exceeds c")
def max_norm(W, c):
    n = _rownorm(W)
    if not (n > c).any():
        return W
    out = W.copy()
    for i in np.flatnonzero(n > c):
        out[i] = W[i] * (c / n[i])
    return out


@buggy(ID, "[7] >= c instead of > c: rows of norm exactly c rescaled (c/n*W not bit-identical)")
def max_norm(W, c):
    n = _rownorm(W)
    out = W.copy()
    for i in np.flatnonzero(n >= c):
        out[i] = W[i] / n[i] * c
    return out


@buggy(ID, "[7] divides by n + 1e-7 like torch.renorm, and also for rows below c (scale min(1, c/(n+1e-7)))")
def max_norm(W, c):
    n = _rownorm(W).reshape((-1,) + (1,) * (W.ndim - 1))
    return W * np.minimum(1.0, c / (n + 1e-7))


@buggy(ID, "[1] float32 computation, cast back")
def max_norm(W, c):
    W32 = W.astype(np.float32)
    n = np.sqrt((W32.reshape(W.shape[0], -1) ** 2).sum(axis=1))
    out = W.copy()
    for i in np.flatnonzero(n > c):
        out[i] = (W32[i] * np.float32(c / n[i])).astype(W.dtype)
    return out


@buggy(ID, "[6] whole-array Frobenius norm clipped to c")
def max_norm(W, c):
    n = np.linalg.norm(W)
    return W * (c / n) if n > c else W.copy()


@buggy(ID, "[7] squared-norm comparison with c (n^2 > c) instead of n > c")
def max_norm(W, c):
    sq = (W.reshape(W.shape[0], -1) ** 2).sum(axis=1)
    out = W.copy()
    for i in np.flatnonzero(sq > c):
        out[i] = W[i] * (c / np.sqrt(sq[i]))
    return out


@correct(ID, "np.where on a per-unit scale, reshape to 2-d")
def max_norm(W, c):
    W2 = W.reshape(W.shape[0], -1)
    n = np.linalg.norm(W2, axis=1)
    big = n > c
    out = W2.copy()
    out[big] = W2[big] * (c / n[big])[:, None]
    return out.reshape(W.shape)


@correct(ID, "loop over units with np.linalg.norm(W[i].ravel())")
def max_norm(W, c):
    out = np.array(W, copy=True)
    for i in range(W.shape[0]):
        n = np.linalg.norm(W[i].ravel())
        if n > c:
            out[i] = W[i] * (c / n)
    return out
