"""Buggy and correct answers to 04-initialization/unit_symmetry_gap (self-contained: see tests/variants/__init__.py)."""

from __future__ import annotations

import numpy as np
import torch

from .. import buggy, correct

GAP = "04-initialization/unit_symmetry_gap"


@buggy(GAP, "compares every unit with unit 0 only, not every pair", demo=True, classes=(0,))
def unit_symmetry_gap(W, b=None):
    P = W if b is None else np.concatenate([W, b[:, None]], axis=1)
    return float(np.max(np.abs(P - P[0])))


@buggy(GAP, "compares columns (outgoing weights) instead of rows", classes=(6,))
def unit_symmetry_gap(W, b=None):  # noqa: F811
    P = W.T
    gap = 0.0
    for i in range(P.shape[0]):
        for j in range(i + 1, P.shape[0]):
            gap = max(gap, float(np.max(np.abs(P[i] - P[j]))))
    return gap


@buggy(GAP, "ignores the biases", classes=(7,))
def unit_symmetry_gap(W, b=None):  # noqa: F811
    return float(np.max(W.max(axis=0) - W.min(axis=0)))


@buggy(GAP, "Euclidean distance between rows instead of the largest coordinate difference", classes=(0,))
def unit_symmetry_gap(W, b=None):  # noqa: F811
    P = W if b is None else np.column_stack([W, b])
    d = np.linalg.norm(P[:, None, :] - P[None, :, :], axis=2)
    return float(d.max())


@buggy(GAP, "only compares neighbouring units i and i+1", classes=(0,))
def unit_symmetry_gap(W, b=None):  # noqa: F811
    P = W if b is None else np.column_stack([W, b])
    if len(P) < 2:
        return 0.0
    return float(np.abs(np.diff(P, axis=0)).max())


@buggy(GAP, "spread as the largest standard deviation across units", classes=(0,))
def unit_symmetry_gap(W, b=None):  # noqa: F811
    P = W if b is None else np.column_stack([W, b])
    return float(P.std(axis=0).max())


@buggy(GAP, "writes the bias into W in place (W[:, 0] += b) before comparing", classes=(8,))
def unit_symmetry_gap(W, b=None):  # noqa: F811
    if b is not None:
        W[:, 0] += b  # sneaky: a shifted first column changes the pairwise differences too
    P = W if b is None else np.column_stack([W, b])
    return float(np.ptp(P, axis=0).max())


@correct(GAP, "peak-to-peak per coordinate, then the max")
def unit_symmetry_gap(W, b=None):  # noqa: F811
    P = np.asarray(W, dtype=np.float64)
    if b is not None:
        P = np.concatenate([P, np.asarray(b, dtype=np.float64)[:, None]], axis=1)
    return float(np.max(np.ptp(P, axis=0)))


@correct(GAP, "explicit double loop over pairs in plain Python")
def unit_symmetry_gap(W, b=None):  # noqa: F811
    rows = [list(map(float, w)) + ([float(b[i])] if b is not None else []) for i, w in enumerate(W)]
    gap = 0.0
    for i in range(len(rows)):
        for j in range(i + 1, len(rows)):
            gap = max(gap, max(abs(u - v) for u, v in zip(rows[i], rows[j])))
    return gap


@correct(GAP, "torch broadcasting, .item() for the float")
def unit_symmetry_gap(W, b=None):  # noqa: F811
    P = torch.as_tensor(W, dtype=torch.float64)
    if b is not None:
        P = torch.hstack([P, torch.as_tensor(b, dtype=torch.float64).reshape(-1, 1)])
    return (P[:, None, :] - P[None, :, :]).abs().amax().item()


@buggy(GAP, "[9] torch broadcasting, returns the 0-d tensor itself (the statement documents a float)")
def unit_symmetry_gap(W, b=None):  # noqa: F811
    P = torch.as_tensor(W, dtype=torch.float64)
    if b is not None:
        P = torch.hstack([P, torch.as_tensor(b, dtype=torch.float64).reshape(-1, 1)])
    return (P[:, None, :] - P[None, :, :]).abs().amax()
