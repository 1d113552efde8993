"""Buggy and correct answers to 02-preprocessing/normalize_images (self-contained: see tests/variants/__init__.py)."""

from __future__ import annotations

import numpy as np
import torch

from .. import buggy, correct

NRM = "02-preprocessing/normalize_images"


@buggy(NRM, "channel statistics over axes (0, 1, 2) as for (N, H, W, C) images", demo=True, classes=(6,))
def normalize_images(X_train, X, *, mode):
    if mode == "mean_image":
        return X - X_train.mean(axis=0)
    mean = X_train.mean(axis=(0, 1, 2), keepdims=True)
    if mode == "channel_mean":
        return X - mean
    return (X - mean) / X_train.std(axis=(0, 1, 2), keepdims=True)


@buggy(NRM, "statistics computed on X instead of X_train", classes=(0,))
def normalize_images(X_train, X, *, mode):  # noqa: F811
    if mode == "mean_image":
        return X - X.mean(axis=0)
    mean = X.mean(axis=(0, 2, 3), keepdims=True)
    if mode == "channel_mean":
        return X - mean
    return (X - mean) / X.std(axis=(0, 2, 3), keepdims=True)


@buggy(NRM, "per-channel std as the mean of per-image stds", classes=(0,))
def normalize_images(X_train, X, *, mode):  # noqa: F811
    if mode == "mean_image":
        return X - X_train.mean(axis=0)
    mean = X_train.mean(axis=(0, 2, 3), keepdims=True)
    if mode == "channel_mean":
        return X - mean
    std = X_train.std(axis=(2, 3), keepdims=True).mean(axis=0, keepdims=True)
    return (X - mean) / std


@buggy(NRM, "mean image replaced by one scalar mean over everything", classes=(7,))
def normalize_images(X_train, X, *, mode):  # noqa: F811
    if mode == "mean_image":
        return X - X_train.mean()
    mean = X_train.mean(axis=(0, 2, 3), keepdims=True)
    if mode == "channel_mean":
        return X - mean
    return (X - mean) / X_train.std(axis=(0, 2, 3), keepdims=True)


@buggy(NRM, "torch unbiased std (N - 1) for the ResNet convention", classes=(0,))
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
    if mode != "channel_mean_std":
        raise ValueError(f"unknown mode {mode!r}")
    std = np.sqrt(((rows - rows.mean(axis=1, keepdims=True)) ** 2).mean(axis=1)).reshape(1, C, 1, 1)
    return (X - mean) / std


@buggy(NRM, "[9] torch.var_mean with correction=0, returns a tensor (documented: an ndarray)", classes=(9,))
def normalize_images(X_train, X, *, mode):  # noqa: F811
    if mode not in ("mean_image", "channel_mean", "channel_mean_std"):
        raise ValueError(mode)
    Xt, Xx = torch.as_tensor(X_train, dtype=torch.float64), torch.as_tensor(X, dtype=torch.float64)
    if mode == "mean_image":
        return Xx - Xt.mean(dim=0, keepdim=True)
    var, mean = torch.var_mean(Xt, dim=(0, 2, 3), keepdim=True, correction=0)
    if mode == "channel_mean":
        return Xx - mean
    return (Xx - mean) / var.sqrt()


@buggy('02-preprocessing/normalize_images', "[1] one-pass variance per channel")
def normalize_images(X_train, X, *, mode):
    if mode == "mean_image":
        return X - X_train.mean(axis=0, keepdims=True)
    mu = X_train.mean(axis=(0, 2, 3), keepdims=True)
    if mode == "channel_mean":
        return X - mu
    var = (X_train ** 2).mean(axis=(0, 2, 3), keepdims=True) - mu ** 2
    return (X - mu) / np.sqrt(var)


@buggy('02-preprocessing/normalize_images', "[1] float32 statistics")
def normalize_images(X_train, X, *, mode):
    T = X_train.astype(np.float32)
    if mode == "mean_image":
        return X - T.mean(axis=0, keepdims=True)
    mu = T.mean(axis=(0, 2, 3), keepdims=True)
    if mode == "channel_mean":
        return X - mu
    return (X - mu) / T.std(axis=(0, 2, 3), keepdims=True)


@buggy('02-preprocessing/normalize_images', "[1,8] out = X.copy(); out -= mu: uint8 images not cast (UFuncTypeError / int result)")
def normalize_images(X_train, X, *, mode):
    out = X.copy()
    if mode == "mean_image":
        out -= X_train.mean(axis=0, keepdims=True)
        return out
    mu = X_train.mean(axis=(0, 2, 3), keepdims=True)
    out -= mu
    if mode == "channel_mean_std":
        out /= X_train.std(axis=(0, 2, 3), keepdims=True)
    return out


@buggy('02-preprocessing/normalize_images', "[7] unknown mode silently falls through to channel_mean_std")
def normalize_images(X_train, X, *, mode):
    if mode == "mean_image":
        return X - X_train.mean(axis=0, keepdims=True)
    mu = X_train.mean(axis=(0, 2, 3), keepdims=True)
    if mode == "channel_mean":
        return X - mu
    return (X - mu) / X_train.std(axis=(0, 2, 3), keepdims=True)


@correct('02-preprocessing/normalize_images', "transpose to (C, -1) and reshape the stats; float64 cast; raises on unknown mode")
def normalize_images(X_train, X, *, mode):
    T = np.asarray(X_train, dtype=np.float64)
    Xf = np.asarray(X, dtype=np.float64)
    C = T.shape[1]
    if mode == "mean_image":
        return Xf - T.mean(axis=0)[None]
    flat = T.transpose(1, 0, 2, 3).reshape(C, -1)
    mu = flat.mean(axis=1).reshape(1, C, 1, 1)
    if mode == "channel_mean":
        return Xf - mu
    if mode == "channel_mean_std":
        sd = np.sqrt(((flat - flat.mean(axis=1, keepdims=True)) ** 2).mean(axis=1)).reshape(1, C, 1, 1)
        return (Xf - mu) / sd
    raise ValueError(f"unknown mode {mode!r}")
@buggy(NRM, "[8] normalises X in place (X -= mu) and returns it: modifies the caller's float images",
       classes=(8,))
def normalize_images(X_train, X, *, mode):  # noqa: F811
    X_train = np.asarray(X_train, dtype=np.float64)
    X = np.asarray(X, dtype=np.float64)        # no copy for float64 images
    if mode == "mean_image":
        X -= X_train.mean(axis=0, keepdims=True)
        return X
    X -= X_train.mean(axis=(0, 2, 3), keepdims=True)
    if mode == "channel_mean_std":
        X /= X_train.std(axis=(0, 2, 3), keepdims=True)
    return X


@correct('02-preprocessing/normalize_images', "torch float64 with dims (0, 2, 3), numpy out")
def normalize_images(X_train, X, *, mode):
    T = torch.as_tensor(np.asarray(X_train, dtype=np.float64))
    Z = torch.as_tensor(np.array(X, dtype=np.float64))
    if mode == "mean_image":
        out = Z - T.mean(dim=0, keepdim=True)
    elif mode == "channel_mean":
        out = Z - T.mean(dim=(0, 2, 3), keepdim=True)
    elif mode == "channel_mean_std":
        out = (Z - T.mean(dim=(0, 2, 3), keepdim=True)) / T.std(dim=(0, 2, 3), keepdim=True, unbiased=False)
    else:
        raise ValueError(mode)
    return out.numpy()
