import math, random
import numpy as np
import torch
from tests.variants import buggy, correct

ID = "02-preprocessing/normalize_images"


@buggy(ID, "[6] channels-last axes (0, 1, 2) for the per-channel statistics")
def normalize_images(X_train, X, *, mode):
    if mode == "mean_image":
        return X - X_train.mean(axis=0, keepdims=True)
    mu = X_train.mean(axis=(0, 1, 2))
    if mode == "channel_mean":
        return X - mu
    return (X - mu) / X_train.std(axis=(0, 1, 2))


@buggy(ID, "[7] sample std (ddof=1)")
def normalize_images(X_train, X, *, mode):
    if mode == "mean_image":
        return X - X_train.mean(axis=0, keepdims=True)
    mu = X_train.mean(axis=(0, 2, 3), keepdims=True)
    if mode == "channel_mean":
        return X - mu
    return (X - mu) / X_train.std(axis=(0, 2, 3), keepdims=True, ddof=1)


@buggy(ID, "[10] statistics from X, not X_train")
def normalize_images(X_train, X, *, mode):
    if mode == "mean_image":
        return X - X.mean(axis=0, keepdims=True)
    mu = X.mean(axis=(0, 2, 3), keepdims=True)
    if mode == "channel_mean":
        return X - mu
    return (X - mu) / X.std(axis=(0, 2, 3), keepdims=True)




@buggy(ID, "[8] normalises X in place")
def normalize_images(X_train, X, *, mode):
    if mode == "mean_image":
        X -= X_train.mean(axis=0, keepdims=True)
        return X
    mu = X_train.mean(axis=(0, 2, 3), keepdims=True)
    sd = X_train.std(axis=(0, 2, 3), keepdims=True)
    X -= mu
    if mode == "channel_mean_std":
        X /= sd
    return X








@buggy(ID, "[other] channel_mean_std divides by the per-pixel std (axis 0)")
def normalize_images(X_train, X, *, mode):
    if mode == "mean_image":
        return X - X_train.mean(axis=0, keepdims=True)
    mu = X_train.mean(axis=(0, 2, 3), keepdims=True)
    if mode == "channel_mean":
        return X - mu
    return (X - mu) / X_train.std(axis=0, keepdims=True)


@buggy(ID, "[other] mean_image averages over pixels too (axes 0 and 1 = per-pixel over channels)")
def normalize_images(X_train, X, *, mode):
    if mode == "mean_image":
        return X - X_train.mean(axis=(0, 1), keepdims=True)
    mu = X_train.mean(axis=(0, 2, 3), keepdims=True)
    if mode == "channel_mean":
        return X - mu
    return (X - mu) / X_train.std(axis=(0, 2, 3), keepdims=True)




