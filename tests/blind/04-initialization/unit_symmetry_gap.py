import math, random
import numpy as np
import torch
from tests.variants import buggy, correct


@buggy("04-initialization/unit_symmetry_gap", "[7] neighbours only: max |W[j+1] - W[j]| via np.diff")
def unit_symmetry_gap(W, b=None):
    if W.shape[0] < 2:
        return 0.0
    gap = np.abs(np.diff(W, axis=0)).max()
    if b is not None:
        gap = max(gap, np.abs(np.diff(b)).max())
    return float(gap)


@buggy("04-initialization/unit_symmetry_gap", "[7] unit 0 against the rest only")
def unit_symmetry_gap(W, b=None):
    if W.shape[0] < 2:
        return 0.0
    gap = np.abs(W[1:] - W[0]).max()
    if b is not None:
        gap = max(gap, np.abs(b[1:] - b[0]).max())
    return float(gap)


@buggy("04-initialization/unit_symmetry_gap", "[7] Euclidean distance between the parameter vectors instead of the largest coordinate difference")
def unit_symmetry_gap(W, b=None):
    P = W if b is None else np.column_stack([W, b])
    d = np.sqrt(((P[:, None, :] - P[None, :, :]) ** 2).sum(-1))
    return float(d.max())


@buggy("04-initialization/unit_symmetry_gap", "[7] ignores the bias")
def unit_symmetry_gap(W, b=None):
    return float(np.max(np.abs(W[:, None, :] - W[None, :, :])))


@buggy("04-initialization/unit_symmetry_gap", "[other] H = 1: max over an empty list of pairs raises ValueError")
def unit_symmetry_gap(W, b=None):
    H = W.shape[0]
    j, k = np.triu_indices(H, k=1)
    gap = np.abs(W[j] - W[k]).max()
    if b is not None:
        gap = max(gap, np.abs(b[j] - b[k]).max())
    return float(gap)


@buggy("04-initialization/unit_symmetry_gap", "[7] pair loop j < k without abs(): signed W[j] - W[k] only")
def unit_symmetry_gap(W, b=None):
    H = W.shape[0]
    gap = 0.0
    for j in range(H):
        for k in range(j + 1, H):
            gap = max(gap, np.max(W[j] - W[k]))
            if b is not None:
                gap = max(gap, b[j] - b[k])
    return float(gap)


@buggy("04-initialization/unit_symmetry_gap", "[8] makes the rows relative to unit 0 in place (W -= W[0]) before the ptp")
def unit_symmetry_gap(W, b=None):
    W -= W[0].copy()
    gap = np.ptp(W, axis=0).max()
    if b is not None:
        b -= b[0]
        gap = max(gap, np.ptp(b))
    return float(gap)


@buggy("04-initialization/unit_symmetry_gap", "[1] torch float32 tensors: a gap of 1e-12 around 0.1 rounds to 0")
def unit_symmetry_gap(W, b=None):
    P = torch.tensor(W, dtype=torch.float32)
    if b is not None:
        P = torch.cat([P, torch.tensor(b, dtype=torch.float32)[:, None]], dim=1)
    if P.shape[0] < 2:
        return 0.0
    return float(torch.cdist(P, P, p=float("inf")).max())


@buggy("04-initialization/unit_symmetry_gap", "[9] returns the int 0 for H == 1 and a 0-d ndarray otherwise")
def unit_symmetry_gap(W, b=None):
    if W.shape[0] == 1:
        return 0
    P = W if b is None else np.hstack([W, b[:, None]])
    return np.asarray(np.abs(P[:, None, :] - P[None, :, :]).max(axis=(0, 1, 2)))


@correct("04-initialization/unit_symmetry_gap", "closed form: the largest column range (max - min over units) of [W | b]")
def unit_symmetry_gap(W, b=None):
    P = W if b is None else np.concatenate([W, b.reshape(-1, 1)], axis=1)
    return float((P.max(axis=0) - P.min(axis=0)).max())


@correct("04-initialization/unit_symmetry_gap", "torch.cdist with p = inf in float64 over [W | b]")
def unit_symmetry_gap(W, b=None):
    P = torch.tensor(W, dtype=torch.float64)
    if b is not None:
        P = torch.cat([P, torch.tensor(b, dtype=torch.float64).reshape(-1, 1)], dim=1)
    return float(torch.cdist(P, P, p=float("inf")).max()) if P.shape[0] > 1 else 0.0
