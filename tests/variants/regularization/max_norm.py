"""Buggy and correct answers to 06-regularization/max_norm (self-contained: see tests/variants/__init__.py)."""

from __future__ import annotations

import numpy as np
import torch

from .. import buggy, correct

MN = "06-regularization/max_norm"


@buggy(MN, "norms of the columns (axis=0) instead of the rows", demo=True, classes=(6,))
def max_norm(W, c):
    norms = np.linalg.norm(W, axis=0, keepdims=True)
    scale = np.minimum(1.0, c / np.maximum(norms, 1e-12))
    return W * scale


@buggy(MN, "one norm for the whole matrix", classes=(6,))
def max_norm(W, c):  # noqa: F811
    norm = np.linalg.norm(W)
    return W * (c / norm) if norm > c else W.copy()


@buggy(MN, "norm over axis 1 only: per (i, kh, kw) slice of a conv kernel", classes=(6,))
def max_norm(W, c):  # noqa: F811
    norms = np.linalg.norm(W, axis=1, keepdims=True)
    return np.where(norms > c, W * c / np.maximum(norms, 1e-300), W)


@buggy(MN, "rescales every unit to norm c, the small ones too", classes=(7,))
def max_norm(W, c):  # noqa: F811
    flat = W.reshape(W.shape[0], -1)
    norms = np.linalg.norm(flat, axis=1, keepdims=True)
    return (flat * c / np.maximum(norms, 1e-12)).reshape(W.shape)


@buggy(MN, "torch's c / (norm + 1e-7) applied to every unit: a unit of norm c shrinks", classes=(7,))
def max_norm(W, c):  # noqa: F811
    flat = W.reshape(W.shape[0], -1)
    norms = np.linalg.norm(flat, axis=1, keepdims=True)
    return (flat * np.minimum(1.0, c / (norms + 1e-7))).reshape(W.shape)


@buggy(MN, "clips each entry to [-c, c]", classes=(0,))
def max_norm(W, c):  # noqa: F811
    return np.clip(W, -c, c)


@buggy(MN, "compares the squared norm with c", classes=(0,))
def max_norm(W, c):  # noqa: F811
    out = W.copy()
    for i in range(W.shape[0]):
        sq = np.sum(W[i] ** 2)
        if sq > c:
            out[i] = W[i] * c / np.sqrt(sq)
    return out


@buggy(MN, "rescales W in place", classes=(8,))
def max_norm(W, c):  # noqa: F811
    for i in range(W.shape[0]):
        n = np.linalg.norm(W[i])
        if n > c:
            W[i] *= c / n
    return W


@buggy(MN, "returns W itself when no unit needs rescaling, a copy otherwise", classes=(8,))
def max_norm(W, c):  # noqa: F811
    flat = W.reshape(W.shape[0], -1)
    norms = np.linalg.norm(flat, axis=1)
    if norms.max() <= c:
        return W
    out = W.copy()
    out[norms > c] *= (c / norms[norms > c]).reshape((-1,) + (1,) * (W.ndim - 1))
    return out


@buggy(MN, "torch.renorm, returned as a tensor", classes=(9,))
def max_norm(W, c):  # noqa: F811
    return torch.renorm(torch.from_numpy(W), 2, 0, c)


@correct(MN, "reference solution")
def max_norm(W, c):  # noqa: F811
    """Max-norm constraint: rescale every unit's incoming weights to L2 norm at most c.

    Args:
        W: ndarray of shape (out, in) or (out, in, kh, kw); unit i's incoming weights are W[i].
            Not modified.
        c: float > 0, the bound on each unit's norm.

    Returns:
        A new ndarray of W's shape: W[i] * c / ||W[i]|| where ||W[i]|| > c, W[i] unchanged elsewhere.
    """
    ### BEGIN SOLUTION
    out = W.copy()
    norms = np.sqrt(np.sum(W.reshape(W.shape[0], -1) ** 2, axis=1))
    for i in np.flatnonzero(norms > c):
        out[i] = W[i] * (c / norms[i])
    return out
    ### END SOLUTION


@correct(MN, "torch.renorm converted back to NumPy")
def max_norm(W, c):  # noqa: F811
    return torch.renorm(torch.from_numpy(W.copy()), 2, 0, c).numpy()


@correct(MN, "np.where over the flattened units, scale = min(1, c / norm)")
def max_norm(W, c):  # noqa: F811
    flat = W.reshape(len(W), -1)
    norms = np.linalg.norm(flat, axis=1, keepdims=True)
    with np.errstate(divide="ignore"):
        scale = np.where(norms > c, c / norms, 1.0)
    return (flat * scale).reshape(W.shape)
