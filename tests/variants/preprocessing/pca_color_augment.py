"""Buggy and correct answers to 02-preprocessing/pca_color_augment (self-contained: see tests/variants/__init__.py)."""

from __future__ import annotations

import random

import numpy as np
import torch

from .. import buggy, correct

COL = "02-preprocessing/pca_color_augment"


@buggy(COL, "uses the rows of eigvecs (eigvecs @ ... transposed) as principal components", demo=True,
       classes=(6,))
def pca_color_augment(x, eigvals, eigvecs, *, sigma=0.1, rng):
    alpha = rng.normal(0.0, sigma, size=(x.shape[0], 3))
    offset = (alpha * eigvals) @ eigvecs                       # rows instead of columns
    return x + offset[:, :, None, None]


@buggy(COL, "scales by sqrt(lambda) instead of lambda", classes=(0,))
def pca_color_augment(x, eigvals, eigvecs, *, sigma=0.1, rng):  # noqa: F811
    alpha = rng.normal(0.0, sigma, size=(x.shape[0], 3))
    offset = (alpha * np.sqrt(eigvals)) @ eigvecs.T
    return x + offset[:, :, None, None]


@buggy(COL, "treats sigma as the variance: alpha ~ N(0, sigma) drawn with std sqrt(sigma)", classes=(0,))
def pca_color_augment(x, eigvals, eigvecs, *, sigma=0.1, rng):  # noqa: F811
    alpha = rng.normal(0.0, np.sqrt(sigma), size=(x.shape[0], 3))
    offset = (alpha * eigvals) @ eigvecs.T
    return x + offset[:, :, None, None]


@buggy(COL, "one scalar alpha shared by the three components", classes=(4,))
def pca_color_augment(x, eigvals, eigvecs, *, sigma=0.1, rng):  # noqa: F811
    alpha = rng.normal(0.0, sigma, size=(x.shape[0], 1))
    offset = (alpha * eigvals) @ eigvecs.T
    return x + offset[:, :, None, None]


@buggy(COL, "new alpha for every pixel (noise instead of a colour shift)", classes=(4,))
def pca_color_augment(x, eigvals, eigvecs, *, sigma=0.1, rng):  # noqa: F811
    N, _, H, W = x.shape
    alpha = rng.normal(0.0, sigma, size=(N, H, W, 3))
    offset = (alpha * eigvals) @ eigvecs.T                     # (N, H, W, 3)
    return x + offset.transpose(0, 3, 1, 2)


@buggy(COL, "one alpha for the whole batch", classes=(4,))
def pca_color_augment(x, eigvals, eigvecs, *, sigma=0.1, rng):  # noqa: F811
    alpha = rng.normal(0.0, sigma, size=3)
    offset = eigvecs @ (alpha * eigvals)
    return x + offset[None, :, None, None]


@buggy(COL, "[rng] draws from a global generator, not rng: loop over images with an explicit sum over components, np.random",
       classes=(3,))
def pca_color_augment(x, eigvals, eigvecs, *, sigma=0.1, rng):  # noqa: F811
    out = np.array(x, dtype=float, copy=True)
    for n in range(x.shape[0]):
        a = np.random.normal(0.0, sigma, 3)
        shift = sum(a[i] * eigvals[i] * eigvecs[:, i] for i in range(3))
        out[n] += shift.reshape(3, 1, 1)
    return out


@buggy(COL, "[rng] draws from a global generator, not rng: torch: randn * sigma, einsum, returns a tensor",
       classes=(3, 9))
def pca_color_augment(x, eigvals, eigvecs, *, sigma=0.1, rng):  # noqa: F811
    xt = torch.as_tensor(x)
    alpha = torch.randn(xt.shape[0], 3, dtype=torch.float64) * sigma
    offset = torch.einsum("ij,nj->ni", torch.as_tensor(eigvecs), alpha * torch.as_tensor(eigvals))
    return xt + offset[:, :, None, None]


@correct(COL, "torch: randn with a torch.Generator seeded from rng, einsum, .numpy() at the end")
def pca_color_augment(x, eigvals, eigvecs, *, sigma=0.1, rng):  # noqa: F811
    g = torch.Generator().manual_seed(int(rng.integers(2**62)))
    xt = torch.as_tensor(x)
    alpha = torch.randn(xt.shape[0], 3, dtype=torch.float64, generator=g) * sigma
    offset = torch.einsum("ij,nj->ni", torch.as_tensor(eigvecs), alpha * torch.as_tensor(eigvals))
    return (xt + offset[:, :, None, None]).numpy()


@buggy(COL, "[9] torch: randn with a torch.Generator seeded from rng, returns a tensor (documented: an ndarray)",
       classes=(9,))
def pca_color_augment(x, eigvals, eigvecs, *, sigma=0.1, rng):  # noqa: F811
    g = torch.Generator().manual_seed(int(rng.integers(2**62)))
    xt = torch.as_tensor(x)
    alpha = torch.randn(xt.shape[0], 3, dtype=torch.float64, generator=g) * sigma
    offset = torch.einsum("ij,nj->ni", torch.as_tensor(eigvecs), alpha * torch.as_tensor(eigvals))
    return xt + offset[:, :, None, None]


@correct(COL, "loop over images with an explicit sum over components, rng.normal per image")
def pca_color_augment(x, eigvals, eigvecs, *, sigma=0.1, rng):  # noqa: F811
    out = np.empty_like(x, dtype=np.float64)
    for n in range(x.shape[0]):
        a = rng.normal(0.0, sigma, 3)
        offset = sum(eigvecs[:, i] * (a[i] * eigvals[i]) for i in range(3))
        out[n] = x[n] + offset[:, None, None]
    return out


@buggy('02-preprocessing/pca_color_augment', "[5] alpha uniform with the same variance (+-sigma*sqrt(3))")
def pca_color_augment(x, eigvals, eigvecs, *, sigma=0.1, rng):
    a = sigma * np.sqrt(3.0)
    alpha = rng.uniform(-a, a, size=(x.shape[0], 3))
    delta = (alpha * eigvals) @ eigvecs.T
    return x + delta[:, :, None, None]


@buggy(COL, "[7] hard-codes the paper's sigma = 0.1: ignores the sigma argument", classes=(7,))
def pca_color_augment(x, eigvals, eigvecs, *, sigma=0.1, rng):  # noqa: F811
    alpha = rng.normal(0.0, 0.1, size=(x.shape[0], 3))      # sigma = 0.1 as in the paper
    offset = (alpha * eigvals) @ eigvecs.T
    return x + offset[:, :, None, None]


@buggy(COL, "[8] adds the offset in place (x += offset) and returns x: modifies the caller's batch",
       classes=(8,))
def pca_color_augment(x, eigvals, eigvecs, *, sigma=0.1, rng):  # noqa: F811
    alpha = rng.normal(0.0, sigma, size=(x.shape[0], 3))
    offset = (alpha * eigvals) @ eigvecs.T
    x += offset[:, :, None, None]
    return x
