"""Buggy and correct answers for the 02-preprocessing exercises.

Every function or class is named as the notebook's exercise and is self-contained (imports
inside the body, or ``np``, ``torch``, ``math``, ``random`` from the top of this module), so
its source can be pasted into a solution cell.
"""

from __future__ import annotations

import math
import random

import numpy as np
import torch

from . import buggy, correct

STD = "02-preprocessing/fit_standardizer"
WHI = "02-preprocessing/fit_whitening"
NRM = "02-preprocessing/normalize_images"
CRP = "02-preprocessing/random_crop_flip"
COL = "02-preprocessing/pca_color_augment"
CUT = "02-preprocessing/cutmix"
TTA = "02-preprocessing/tta_predict"


# --------------------------------------------------------------------------------------
# 02-preprocessing/Standardizer
# --------------------------------------------------------------------------------------

@buggy(STD, "transform re-estimates mean and std on the data it is given (test leakage)", demo=True)
def fit_standardizer(X_train):
    def transform(X):
        std = X.std(axis=0)
        return (X - X.mean(axis=0)) / np.where(std > 0, std, 1.0)
    return transform


@buggy(STD, "statistics of X_train and the transformed data together")
def fit_standardizer(X_train):  # noqa: F811
    def transform(X):
        pool = np.concatenate([X_train, X])
        std = pool.std(axis=0)
        return (X - pool.mean(axis=0)) / np.where(std > 0, std, 1.0)
    return transform


@buggy(STD, "centres in place with X -= mean (modifies the caller's array)")
def fit_standardizer(X_train):  # noqa: F811
    mean = X_train.mean(axis=0)
    std = X_train.std(axis=0)
    std = np.where(std > 0, std, 1.0)

    def transform(X):
        X -= mean
        X /= std
        return X
    return transform


@buggy(STD, "torch.std with its default unbiased (N - 1) estimate")
def fit_standardizer(X_train):  # noqa: F811
    t = torch.as_tensor(X_train)
    mean = t.mean(dim=0)
    std = t.std(dim=0)
    std = torch.where(std > 0, std, torch.ones_like(std))
    return lambda X: ((torch.as_tensor(X) - mean) / std).numpy()


@buggy(STD, "one mean and std over all entries instead of per feature")
def fit_standardizer(X_train):  # noqa: F811
    mean, std = X_train.mean(), X_train.std()
    return lambda X: (X - mean) / std


@buggy(STD, "statistics kept in globals: a second fit changes the first transform")
def fit_standardizer(X_train):  # noqa: F811
    global _STATS
    std = X_train.std(axis=0)
    _STATS = (X_train.mean(axis=0), np.where(std > 0, std, 1.0))
    return lambda X: (X - _STATS[0]) / _STATS[1]


@buggy(STD, "no guard: a constant feature divides by 0 (nan)")
def fit_standardizer(X_train):  # noqa: F811
    mean, std = X_train.mean(axis=0), X_train.std(axis=0)

    def transform(X):
        with np.errstate(divide="ignore", invalid="ignore"):
            return (X - mean) / std
    return transform


@correct(STD, "sums by hand, std floored through a boolean mask, copies then subtracts in place")
def fit_standardizer(X_train):  # noqa: F811
    n = X_train.shape[0]
    mu = X_train.sum(axis=0) / n
    sd = np.sqrt(((X_train - mu) ** 2).sum(axis=0) / n)
    sd[sd == 0] = 1.0

    def transform(X):
        out = np.array(X, dtype=float, copy=True)
        out -= mu
        out /= sd
        return out
    return transform


@correct(STD, "torch float64 with correction=0, transform returns a tensor")
def fit_standardizer(X_train):  # noqa: F811
    t = torch.tensor(np.asarray(X_train), dtype=torch.float64)
    m = t.mean(0)
    s = t.std(0, correction=0)
    s = torch.where(s == 0, torch.ones_like(s), s)
    return lambda X: (torch.tensor(np.asarray(X), dtype=torch.float64) - m) / s


# --------------------------------------------------------------------------------------
# 02-preprocessing/fit_whitening
# --------------------------------------------------------------------------------------

@buggy(WHI, "PCA keeps eigh's increasing order (smallest-variance direction first)", demo=True)
def fit_whitening(X, *, method="zca", eps=0.0):
    mean = X.mean(axis=0)
    Xc = X - mean
    lam, U = np.linalg.eigh(Xc.T @ Xc / len(X))
    W = U / np.sqrt(lam + eps)
    if method == "zca":
        W = W @ U.T
    return mean, W


@buggy(WHI, "covariance of the uncentred data, X^T X / N")
def fit_whitening(X, *, method="zca", eps=0.0):  # noqa: F811
    mean = X.mean(axis=0)
    lam, U = np.linalg.eigh(X.T @ X / len(X))
    lam, U = lam[::-1], U[:, ::-1]
    W = U / np.sqrt(lam + eps)
    return mean, (W @ U.T if method == "zca" else W)


@buggy(WHI, "np.cov (divides by N - 1): whitened covariance is (N-1)/N I")
def fit_whitening(X, *, method="zca", eps=0.0):  # noqa: F811
    mean = X.mean(axis=0)
    lam, U = np.linalg.eigh(np.atleast_2d(np.cov(X, rowvar=False)))
    lam, U = lam[::-1], U[:, ::-1]
    W = U / np.sqrt(lam + eps)
    return mean, (W @ U.T if method == "zca" else W)


@buggy(WHI, "ZCA without the square root: U diag(1/lambda) U^T = C^-1")
def fit_whitening(X, *, method="zca", eps=0.0):  # noqa: F811
    mean = X.mean(axis=0)
    Xc = X - mean
    lam, U = np.linalg.eigh(Xc.T @ Xc / len(X))
    lam, U = lam[::-1], U[:, ::-1]
    if method == "zca":
        return mean, (U / (lam + eps)) @ U.T
    return mean, U / np.sqrt(lam + eps)


@buggy(WHI, "eps added after the square root: 1 / (sqrt(lambda) + eps)")
def fit_whitening(X, *, method="zca", eps=0.0):  # noqa: F811
    mean = X.mean(axis=0)
    Xc = X - mean
    lam, U = np.linalg.eigh(Xc.T @ Xc / len(X))
    lam, U = lam[::-1], U[:, ::-1]
    W = U / (np.sqrt(lam) + eps)
    return mean, (W @ U.T if method == "zca" else W)


@buggy(WHI, "returns the transpose: rows (not columns) are the scaled eigenvectors")
def fit_whitening(X, *, method="zca", eps=0.0):  # noqa: F811
    mean = X.mean(axis=0)
    Xc = X - mean
    lam, U = np.linalg.eigh(Xc.T @ Xc / len(X))
    lam, U = lam[::-1], U[:, ::-1]
    W = (U / np.sqrt(lam + eps)).T
    return mean, (U @ W if method == "zca" else W)


@correct(WHI, "SVD of the centred data, ZCA as V S^-1 V^T")
def fit_whitening(X, *, method="zca", eps=0.0):  # noqa: F811
    n = X.shape[0]
    mean = X.mean(axis=0)
    _, s, Vt = np.linalg.svd(X - mean, full_matrices=False)  # singular values in decreasing order
    lam = s**2 / n
    W = Vt.T * (1.0 / np.sqrt(lam + eps))
    if method == "zca":
        W = W @ Vt
    return mean, W


@correct(WHI, "torch.linalg.eigh with argsort, ZCA via scipy.linalg.sqrtm")
def fit_whitening(X, *, method="zca", eps=0.0):  # noqa: F811
    import scipy.linalg

    t = torch.tensor(X, dtype=torch.float64)
    mu = t.mean(0)
    C = (t - mu).T @ (t - mu) / t.shape[0]
    if method == "zca":
        root = np.real(scipy.linalg.sqrtm(C.numpy() + eps * np.eye(C.shape[0])))
        return mu.numpy(), np.linalg.inv(root)
    lam, U = torch.linalg.eigh(C)
    order = torch.argsort(lam, descending=True)
    lam, U = lam[order], U[:, order]
    return mu.numpy(), (U @ torch.diag(1.0 / torch.sqrt(lam + eps))).numpy()


# --------------------------------------------------------------------------------------
# 02-preprocessing/normalize_images
# --------------------------------------------------------------------------------------

@buggy(NRM, "channel statistics over axes (0, 1, 2) as for (N, H, W, C) images", demo=True)
def normalize_images(X_train, X, *, mode):
    if mode == "mean_image":
        return X - X_train.mean(axis=0)
    mean = X_train.mean(axis=(0, 1, 2), keepdims=True)
    if mode == "channel_mean":
        return X - mean
    return (X - mean) / X_train.std(axis=(0, 1, 2), keepdims=True)


@buggy(NRM, "statistics computed on X instead of X_train")
def normalize_images(X_train, X, *, mode):  # noqa: F811
    if mode == "mean_image":
        return X - X.mean(axis=0)
    mean = X.mean(axis=(0, 2, 3), keepdims=True)
    if mode == "channel_mean":
        return X - mean
    return (X - mean) / X.std(axis=(0, 2, 3), keepdims=True)


@buggy(NRM, "per-channel std as the mean of per-image stds")
def normalize_images(X_train, X, *, mode):  # noqa: F811
    if mode == "mean_image":
        return X - X_train.mean(axis=0)
    mean = X_train.mean(axis=(0, 2, 3), keepdims=True)
    if mode == "channel_mean":
        return X - mean
    std = X_train.std(axis=(2, 3), keepdims=True).mean(axis=0, keepdims=True)
    return (X - mean) / std


@buggy(NRM, "mean image replaced by one scalar mean over everything")
def normalize_images(X_train, X, *, mode):  # noqa: F811
    if mode == "mean_image":
        return X - X_train.mean()
    mean = X_train.mean(axis=(0, 2, 3), keepdims=True)
    if mode == "channel_mean":
        return X - mean
    return (X - mean) / X_train.std(axis=(0, 2, 3), keepdims=True)


@buggy(NRM, "torch unbiased std (N - 1) for the ResNet convention")
def normalize_images(X_train, X, *, mode):  # noqa: F811
    Xt, Xx = torch.as_tensor(X_train), torch.as_tensor(X)
    if mode == "mean_image":
        return (Xx - Xt.mean(0)).numpy()
    mean = Xt.mean(dim=(0, 2, 3), keepdim=True)
    if mode == "channel_mean":
        return (Xx - mean).numpy()
    return ((Xx - mean) / Xt.std(dim=(0, 2, 3), keepdim=True)).numpy()


@correct(NRM, "transpose to (C, N*H*W) and use per-row statistics")
def normalize_images(X_train, X, *, mode):  # noqa: F811
    C = X_train.shape[1]
    if mode == "mean_image":
        return X - X_train.sum(axis=0) / X_train.shape[0]
    rows = np.transpose(X_train, (1, 0, 2, 3)).reshape(C, -1)   # (C, N*H*W)
    mean = rows.mean(axis=1).reshape(1, C, 1, 1)
    if mode == "channel_mean":
        return X - mean
    std = np.sqrt(((rows - rows.mean(axis=1, keepdims=True)) ** 2).mean(axis=1)).reshape(1, C, 1, 1)
    return (X - mean) / std


@correct(NRM, "torch.var_mean with correction=0, returns a tensor")
def normalize_images(X_train, X, *, mode):  # noqa: F811
    Xt, Xx = torch.as_tensor(X_train), torch.as_tensor(X)
    if mode == "mean_image":
        return Xx - Xt.mean(dim=0, keepdim=True)
    var, mean = torch.var_mean(Xt, dim=(0, 2, 3), keepdim=True, correction=0)
    if mode == "channel_mean":
        return Xx - mean
    return (Xx - mean) / var.sqrt()


# --------------------------------------------------------------------------------------
# 02-preprocessing/random_crop_flip
# --------------------------------------------------------------------------------------

@buggy(CRP, "offset drawn with rng.integers(0, H + 2p - size): the last offset is never used", demo=True)
def random_crop_flip(x, *, size, padding, p=0.5, rng):
    N, C, H, W = x.shape
    padded = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    out = np.empty((N, C, size, size))
    for n in range(N):
        i = rng.integers(0, max(H + 2 * padding - size, 1))
        j = rng.integers(0, max(W + 2 * padding - size, 1))
        crop = padded[n, :, i:i + size, j:j + size]
        out[n] = crop[:, :, ::-1] if rng.random() < p else crop
    return out


@buggy(CRP, "one offset and one flip decision for the whole batch")
def random_crop_flip(x, *, size, padding, p=0.5, rng):  # noqa: F811
    N, C, H, W = x.shape
    padded = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    i = rng.integers(0, H + 2 * padding - size + 1)
    j = rng.integers(0, W + 2 * padding - size + 1)
    out = padded[:, :, i:i + size, j:j + size]
    return out[..., ::-1].copy() if rng.random() < p else out.copy()


@buggy(CRP, "flips upside down (axis of the height)")
def random_crop_flip(x, *, size, padding, p=0.5, rng):  # noqa: F811
    N, C, H, W = x.shape
    padded = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    out = np.empty((N, C, size, size))
    for n in range(N):
        i = rng.integers(0, H + 2 * padding - size + 1)
        j = rng.integers(0, W + 2 * padding - size + 1)
        crop = padded[n, :, i:i + size, j:j + size]
        out[n] = crop[:, ::-1, :] if rng.random() < p else crop
    return out


@buggy(CRP, "flips with probability 1 - p (rng.random() > p)")
def random_crop_flip(x, *, size, padding, p=0.5, rng):  # noqa: F811
    N, C, H, W = x.shape
    padded = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    out = np.empty((N, C, size, size))
    for n in range(N):
        i = rng.integers(0, H + 2 * padding - size + 1)
        j = rng.integers(0, W + 2 * padding - size + 1)
        crop = padded[n, :, i:i + size, j:j + size]
        out[n] = crop[:, :, ::-1] if rng.random() > p else crop
    return out


@buggy(CRP, "pads with edge replication instead of zeros")
def random_crop_flip(x, *, size, padding, p=0.5, rng):  # noqa: F811
    N, C, H, W = x.shape
    padded = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)), mode="edge")
    out = np.empty((N, C, size, size))
    for n in range(N):
        i = rng.integers(0, H + 2 * padding - size + 1)
        j = rng.integers(0, W + 2 * padding - size + 1)
        crop = padded[n, :, i:i + size, j:j + size]
        out[n] = crop[:, :, ::-1] if rng.random() < p else crop
    return out


@buggy(CRP, "the same offset is used for rows and columns (only diagonal shifts)")
def random_crop_flip(x, *, size, padding, p=0.5, rng):  # noqa: F811
    N, C, H, W = x.shape
    padded = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    out = np.empty((N, C, size, size))
    for n in range(N):
        i = rng.integers(0, min(H, W) + 2 * padding - size + 1)
        crop = padded[n, :, i:i + size, i:i + size]
        out[n] = crop[:, :, ::-1] if rng.random() < p else crop
    return out


@correct(CRP, "torch: F.pad, torch.randint, torch.flip, ignores rng")
def random_crop_flip(x, *, size, padding, p=0.5, rng):  # noqa: F811
    t = torch.nn.functional.pad(torch.as_tensor(x), (padding, padding, padding, padding))
    N, _, Hp, Wp = t.shape
    tops = torch.randint(0, Hp - size + 1, (N,))
    lefts = torch.randint(0, Wp - size + 1, (N,))
    flip = torch.rand(N) < p
    crops = []
    for n in range(N):
        c = t[n, :, tops[n]:tops[n] + size, lefts[n]:lefts[n] + size]
        crops.append(torch.flip(c, dims=[2]) if flip[n] else c)
    return torch.stack(crops).numpy()


@correct(CRP, "vectorised fancy indexing into a zero canvas, Python's random module")
def random_crop_flip(x, *, size, padding, p=0.5, rng):  # noqa: F811
    import random

    N, C, H, W = x.shape
    canvas = np.zeros((N, C, H + 2 * padding, W + 2 * padding), dtype=x.dtype)
    canvas[:, :, padding:padding + H, padding:padding + W] = x
    tops = np.array([random.randint(0, H + 2 * padding - size) for _ in range(N)])
    lefts = np.array([random.randint(0, W + 2 * padding - size) for _ in range(N)])
    rows = tops[:, None] + np.arange(size)                      # (N, size)
    cols = lefts[:, None] + np.arange(size)                     # (N, size)
    flip = np.array([random.random() < p for _ in range(N)])
    cols = np.where(flip[:, None], cols[:, ::-1], cols)
    n_idx = np.arange(N)[:, None, None, None]
    c_idx = np.arange(C)[None, :, None, None]
    return canvas[n_idx, c_idx, rows[:, None, :, None], cols[:, None, None, :]]


# --------------------------------------------------------------------------------------
# 02-preprocessing/pca_color_augment
# --------------------------------------------------------------------------------------

@buggy(COL, "uses the rows of eigvecs (eigvecs @ ... transposed) as principal components", demo=True)
def pca_color_augment(x, eigvals, eigvecs, *, sigma=0.1, rng):
    alpha = rng.normal(0.0, sigma, size=(x.shape[0], 3))
    offset = (alpha * eigvals) @ eigvecs                       # rows instead of columns
    return x + offset[:, :, None, None]


@buggy(COL, "scales by sqrt(lambda) instead of lambda")
def pca_color_augment(x, eigvals, eigvecs, *, sigma=0.1, rng):  # noqa: F811
    alpha = rng.normal(0.0, sigma, size=(x.shape[0], 3))
    offset = (alpha * np.sqrt(eigvals)) @ eigvecs.T
    return x + offset[:, :, None, None]


@buggy(COL, "treats sigma as the variance: alpha ~ N(0, sigma) drawn with std sqrt(sigma)")
def pca_color_augment(x, eigvals, eigvecs, *, sigma=0.1, rng):  # noqa: F811
    alpha = rng.normal(0.0, np.sqrt(sigma), size=(x.shape[0], 3))
    offset = (alpha * eigvals) @ eigvecs.T
    return x + offset[:, :, None, None]


@buggy(COL, "one scalar alpha shared by the three components")
def pca_color_augment(x, eigvals, eigvecs, *, sigma=0.1, rng):  # noqa: F811
    alpha = rng.normal(0.0, sigma, size=(x.shape[0], 1))
    offset = (alpha * eigvals) @ eigvecs.T
    return x + offset[:, :, None, None]


@buggy(COL, "new alpha for every pixel (noise instead of a colour shift)")
def pca_color_augment(x, eigvals, eigvecs, *, sigma=0.1, rng):  # noqa: F811
    N, _, H, W = x.shape
    alpha = rng.normal(0.0, sigma, size=(N, H, W, 3))
    offset = (alpha * eigvals) @ eigvecs.T                     # (N, H, W, 3)
    return x + offset.transpose(0, 3, 1, 2)


@buggy(COL, "one alpha for the whole batch")
def pca_color_augment(x, eigvals, eigvecs, *, sigma=0.1, rng):  # noqa: F811
    alpha = rng.normal(0.0, sigma, size=3)
    offset = eigvecs @ (alpha * eigvals)
    return x + offset[None, :, None, None]


@correct(COL, "loop over images with an explicit sum over components, np.random")
def pca_color_augment(x, eigvals, eigvecs, *, sigma=0.1, rng):  # noqa: F811
    out = np.array(x, dtype=float, copy=True)
    for n in range(x.shape[0]):
        a = np.random.normal(0.0, sigma, 3)
        shift = sum(a[i] * eigvals[i] * eigvecs[:, i] for i in range(3))
        out[n] += shift.reshape(3, 1, 1)
    return out


@correct(COL, "torch: randn * sigma, einsum, returns a tensor")
def pca_color_augment(x, eigvals, eigvecs, *, sigma=0.1, rng):  # noqa: F811
    xt = torch.as_tensor(x)
    alpha = torch.randn(xt.shape[0], 3, dtype=torch.float64) * sigma
    offset = torch.einsum("ij,nj->ni", torch.as_tensor(eigvecs), alpha * torch.as_tensor(eigvals))
    return xt + offset[:, :, None, None]


# --------------------------------------------------------------------------------------
# 02-preprocessing/cutmix
# --------------------------------------------------------------------------------------

@buggy(CUT, "label weight from the sampled lambda, not from the clipped box area", demo=True)
def cutmix(x, y, *, alpha=1.0, rng):
    N, C, H, W = x.shape
    perm = rng.permutation(N)
    lam = rng.beta(alpha, alpha)
    cut_h, cut_w = int(H * np.sqrt(1 - lam)), int(W * np.sqrt(1 - lam))
    cy, cx = rng.integers(H), rng.integers(W)
    r0, r1 = np.clip([cy - cut_h // 2, cy + cut_h // 2], 0, H)
    c0, c1 = np.clip([cx - cut_w // 2, cx + cut_w // 2], 0, W)
    out = x.copy()
    out[:, :, r0:r1, c0:c1] = x[perm, :, r0:r1, c0:c1]
    return out, lam * y + (1 - lam) * y[perm]


@buggy(CUT, "label weight from the unclipped box, cut_h * cut_w / (H W)")
def cutmix(x, y, *, alpha=1.0, rng):  # noqa: F811
    N, C, H, W = x.shape
    perm = rng.permutation(N)
    lam = rng.beta(alpha, alpha)
    cut_h, cut_w = int(H * np.sqrt(1 - lam)), int(W * np.sqrt(1 - lam))
    cy, cx = rng.integers(H), rng.integers(W)
    r0, r1 = max(cy - cut_h // 2, 0), min(cy + cut_h // 2, H)
    c0, c1 = max(cx - cut_w // 2, 0), min(cx + cut_w // 2, W)
    out = x.copy()
    out[:, :, r0:r1, c0:c1] = x[perm, :, r0:r1, c0:c1]
    a = cut_h * cut_w / (H * W)
    return out, (1 - a) * y + a * y[perm]


@buggy(CUT, "weights swapped: the pasted area goes to the image's own label")
def cutmix(x, y, *, alpha=1.0, rng):  # noqa: F811
    N, C, H, W = x.shape
    perm = rng.permutation(N)
    lam = rng.beta(alpha, alpha)
    cut_h, cut_w = int(H * np.sqrt(1 - lam)), int(W * np.sqrt(1 - lam))
    cy, cx = rng.integers(H), rng.integers(W)
    r0, r1 = np.clip([cy - cut_h // 2, cy + cut_h // 2], 0, H)
    c0, c1 = np.clip([cx - cut_w // 2, cx + cut_w // 2], 0, W)
    out = x.copy()
    out[:, :, r0:r1, c0:c1] = x[perm, :, r0:r1, c0:c1]
    a = (r1 - r0) * (c1 - c0) / (H * W)
    return out, a * y + (1 - a) * y[perm]


@buggy(CUT, "pastes into x itself (modifies the caller's batch)")
def cutmix(x, y, *, alpha=1.0, rng):  # noqa: F811
    N, C, H, W = x.shape
    perm = rng.permutation(N)
    lam = rng.beta(alpha, alpha)
    cut_h, cut_w = int(H * np.sqrt(1 - lam)), int(W * np.sqrt(1 - lam))
    cy, cx = rng.integers(H), rng.integers(W)
    r0, r1 = np.clip([cy - cut_h // 2, cy + cut_h // 2], 0, H)
    c0, c1 = np.clip([cx - cut_w // 2, cx + cut_w // 2], 0, W)
    x[:, :, r0:r1, c0:c1] = x[perm, :, r0:r1, c0:c1]
    a = (r1 - r0) * (c1 - c0) / (H * W)
    return x, (1 - a) * y + a * y[perm]


@buggy(CUT, "pastes the partner's top-left corner instead of the same box")
def cutmix(x, y, *, alpha=1.0, rng):  # noqa: F811
    N, C, H, W = x.shape
    perm = rng.permutation(N)
    lam = rng.beta(alpha, alpha)
    cut_h, cut_w = int(H * np.sqrt(1 - lam)), int(W * np.sqrt(1 - lam))
    cy, cx = rng.integers(H), rng.integers(W)
    r0, r1 = np.clip([cy - cut_h // 2, cy + cut_h // 2], 0, H)
    c0, c1 = np.clip([cx - cut_w // 2, cx + cut_w // 2], 0, W)
    out = x.copy()
    out[:, :, r0:r1, c0:c1] = x[perm, :, :r1 - r0, :c1 - c0]
    a = (r1 - r0) * (c1 - c0) / (H * W)
    return out, (1 - a) * y + a * y[perm]


@buggy(CUT, "partners drawn with replacement (rng.integers) instead of a permutation")
def cutmix(x, y, *, alpha=1.0, rng):  # noqa: F811
    N, C, H, W = x.shape
    partner = rng.integers(0, N, size=N)
    lam = rng.beta(alpha, alpha)
    cut_h, cut_w = int(H * np.sqrt(1 - lam)), int(W * np.sqrt(1 - lam))
    cy, cx = rng.integers(H), rng.integers(W)
    r0, r1 = np.clip([cy - cut_h // 2, cy + cut_h // 2], 0, H)
    c0, c1 = np.clip([cx - cut_w // 2, cx + cut_w // 2], 0, W)
    out = x.copy()
    out[:, :, r0:r1, c0:c1] = x[partner, :, r0:r1, c0:c1]
    a = (r1 - r0) * (c1 - c0) / (H * W)
    return out, (1 - a) * y + a * y[partner]


@correct(CUT, "one box per image, area counted with a boolean mask, np.random")
def cutmix(x, y, *, alpha=1.0, rng):  # noqa: F811
    N, C, H, W = x.shape
    perm = np.random.permutation(N)
    out = x.copy()
    y_out = np.array(y, dtype=float, copy=True)
    for i in range(N):
        lam = np.random.beta(alpha, alpha)
        h, w = int(H * np.sqrt(1 - lam)), int(W * np.sqrt(1 - lam))
        cy, cx = np.random.randint(H), np.random.randint(W)
        mask = np.zeros((H, W), dtype=bool)
        mask[max(cy - h // 2, 0):min(cy + h // 2, H), max(cx - w // 2, 0):min(cx + w // 2, W)] = True
        out[i][:, mask] = x[perm[i]][:, mask]
        a = mask.mean()
        y_out[i] = (1 - a) * y[i] + a * y[perm[i]]
    return out, y_out


@correct(CUT, "torch: randperm, Beta distribution, torch.where with a box mask")
def cutmix(x, y, *, alpha=1.0, rng):  # noqa: F811
    xt, yt = torch.as_tensor(x), torch.as_tensor(y)
    N, C, H, W = xt.shape
    perm = torch.randperm(N)
    lam = float(torch.distributions.Beta(alpha, alpha).sample())
    ch, cw = int(H * math.sqrt(1 - lam)), int(W * math.sqrt(1 - lam))
    cy, cx = int(torch.randint(H, ())), int(torch.randint(W, ()))
    rows = torch.arange(H)[:, None]
    cols = torch.arange(W)[None, :]
    box = (rows >= cy - ch // 2) & (rows < cy + ch // 2) & (cols >= cx - cw // 2) & (cols < cx + cw // 2)
    mixed = torch.where(box, xt[perm], xt)
    a = box.double().mean()
    return mixed.numpy(), ((1 - a) * yt + a * yt[perm]).numpy()


# --------------------------------------------------------------------------------------
# 02-preprocessing/tta_predict
# --------------------------------------------------------------------------------------

@buggy(TTA, "averages the logits, then one softmax", demo=True)
def tta_predict(model, x, *, size, flip=True):
    N, C, H, W = x.shape
    t, l = (H - size) // 2, (W - size) // 2
    views = [x[:, :, :size, :size], x[:, :, :size, W - size:], x[:, :, H - size:, :size],
             x[:, :, H - size:, W - size:], x[:, :, t:t + size, l:l + size]]
    if flip:
        views += [v.flip(3) for v in views]
    logits = torch.stack([model(v) for v in views]).mean(0)
    return torch.softmax(logits, dim=1)


@buggy(TTA, "mirrors upside down (flips the height axis)")
def tta_predict(model, x, *, size, flip=True):  # noqa: F811
    N, C, H, W = x.shape
    t, l = (H - size) // 2, (W - size) // 2
    views = [x[:, :, :size, :size], x[:, :, :size, W - size:], x[:, :, H - size:, :size],
             x[:, :, H - size:, W - size:], x[:, :, t:t + size, l:l + size]]
    if flip:
        views += [v.flip(2) for v in views]
    return torch.stack([torch.softmax(model(v), 1) for v in views]).mean(0)


@buggy(TTA, "corner crops off by one: x[:, :, H-size-1:H-1] for the bottom and right")
def tta_predict(model, x, *, size, flip=True):  # noqa: F811
    N, C, H, W = x.shape
    t, l = (H - size) // 2, (W - size) // 2
    b, r = max(H - size - 1, 0), max(W - size - 1, 0)
    views = [x[:, :, :size, :size], x[:, :, :size, r:r + size], x[:, :, b:b + size, :size],
             x[:, :, b:b + size, r:r + size], x[:, :, t:t + size, l:l + size]]
    if flip:
        views += [v.flip(3) for v in views]
    return torch.stack([torch.softmax(model(v), 1) for v in views]).mean(0)


@buggy(TTA, "ignores flip=True: five crops only")
def tta_predict(model, x, *, size, flip=True):  # noqa: F811
    N, C, H, W = x.shape
    t, l = (H - size) // 2, (W - size) // 2
    views = [x[:, :, :size, :size], x[:, :, :size, W - size:], x[:, :, H - size:, :size],
             x[:, :, H - size:, W - size:], x[:, :, t:t + size, l:l + size]]
    return torch.stack([torch.softmax(model(v), 1) for v in views]).mean(0)


@buggy(TTA, "sums the probabilities instead of averaging")
def tta_predict(model, x, *, size, flip=True):  # noqa: F811
    N, C, H, W = x.shape
    t, l = (H - size) // 2, (W - size) // 2
    views = [x[:, :, :size, :size], x[:, :, :size, W - size:], x[:, :, H - size:, :size],
             x[:, :, H - size:, W - size:], x[:, :, t:t + size, l:l + size]]
    if flip:
        views += [v.flip(3) for v in views]
    return sum(torch.softmax(model(v), 1) for v in views)


@correct(TTA, "one batched call on all views stacked, reshape back, log-softmax exp")
def tta_predict(model, x, *, size, flip=True):  # noqa: F811
    N, C, H, W = x.shape
    offsets = [(0, 0), (0, W - size), (H - size, 0), (H - size, W - size), ((H - size) // 2, (W - size) // 2)]
    crops = torch.stack([x[:, :, a:a + size, b:b + size] for a, b in offsets], dim=1)  # (N, 5, C, s, s)
    if flip:
        crops = torch.cat([crops, torch.flip(crops, dims=[-1])], dim=1)               # (N, 10, C, s, s)
    V = crops.shape[1]
    with torch.no_grad():
        logp = torch.log_softmax(model(crops.reshape(N * V, C, size, size)), dim=1)
    return logp.exp().reshape(N, V, -1).mean(dim=1)


@correct(TTA, "per image, per view, with numpy mirror and running mean")
def tta_predict(model, x, *, size, flip=True):  # noqa: F811
    N, C, H, W = x.shape
    xs = x.detach().numpy()
    rows = []
    for n in range(N):
        total, count = 0.0, 0
        for a, b in [(0, 0), (0, W - size), (H - size, 0), (H - size, W - size), ((H - size) // 2, (W - size) // 2)]:
            crop = xs[n:n + 1, :, a:a + size, b:b + size]
            for v in ([crop, crop[..., ::-1]] if flip else [crop]):
                z = model(torch.tensor(np.ascontiguousarray(v)))
                total = total + torch.softmax(z, dim=1)[0]
                count += 1
        rows.append(total / count)
    return torch.stack(rows)
