"""Buggy and correct answers to 02-preprocessing/fit_standardizer (self-contained: see tests/variants/__init__.py)."""

from __future__ import annotations

import numpy as np
import torch

from .. import buggy, correct

STD = "02-preprocessing/fit_standardizer"


@buggy(STD, "transform re-estimates mean and std on the data it is given (test leakage)", demo=True,
       classes=(0,))
def fit_standardizer(X_train):
    def transform(X):
        std = X.std(axis=0)
        return (X - X.mean(axis=0)) / np.where(std > 0, std, 1.0)
    return transform


@buggy(STD, "statistics of X_train and the transformed data together", classes=(0,))
def fit_standardizer(X_train):  # noqa: F811
    def transform(X):
        pool = np.concatenate([X_train, X])
        std = pool.std(axis=0)
        return (X - pool.mean(axis=0)) / np.where(std > 0, std, 1.0)
    return transform


@buggy(STD, "centres in place with X -= mean (modifies the caller's array)", classes=(8,))
def fit_standardizer(X_train):  # noqa: F811
    mean = X_train.mean(axis=0)
    std = X_train.std(axis=0)
    std = np.where(std > 0, std, 1.0)

    def transform(X):
        X -= mean
        X /= std
        return X
    return transform


@buggy(STD, "torch.std with its default unbiased (N - 1) estimate", classes=(0,))
def fit_standardizer(X_train):  # noqa: F811
    t = torch.as_tensor(X_train)
    mean = t.mean(dim=0)
    std = t.std(dim=0)
    std = torch.where(std > 0, std, torch.ones_like(std))
    return lambda X: ((torch.as_tensor(X) - mean) / std).numpy()


@buggy(STD, "one mean and std over all entries instead of per feature", classes=(0,))
def fit_standardizer(X_train):  # noqa: F811
    mean, std = X_train.mean(), X_train.std()
    return lambda X: (X - mean) / std


@buggy(STD, "statistics kept in globals: a second fit changes the first transform", classes=(8,))
def fit_standardizer(X_train):  # noqa: F811
    global _STATS
    std = X_train.std(axis=0)
    _STATS = (X_train.mean(axis=0), np.where(std > 0, std, 1.0))
    return lambda X: (X - _STATS[0]) / _STATS[1]


@buggy(STD, "no guard: a constant feature divides by 0 (nan)", classes=(7,))
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


@correct(STD, "torch float64 with correction=0, transform converts back with .numpy()")
def fit_standardizer(X_train):  # noqa: F811
    t = torch.tensor(np.asarray(X_train), dtype=torch.float64)
    m = t.mean(0)
    s = t.std(0, correction=0)
    s = torch.where(s == 0, torch.ones_like(s), s)
    return lambda X: ((torch.tensor(np.asarray(X), dtype=torch.float64) - m) / s).numpy()


@buggy(STD, "[9] torch float64 with correction=0, transform returns a tensor (documented: an ndarray)", classes=(9,))
def fit_standardizer(X_train):  # noqa: F811
    t = torch.tensor(np.asarray(X_train), dtype=torch.float64)
    m = t.mean(0)
    s = t.std(0, correction=0)
    s = torch.where(s == 0, torch.ones_like(s), s)
    return lambda X: (torch.tensor(np.asarray(X), dtype=torch.float64) - m) / s


@buggy(STD, "[9] transform returns a list of standardised rows, not an array", classes=(9,))
def fit_standardizer(X_train):  # noqa: F811
    X_train = np.asarray(X_train, dtype=np.float64)
    mu = X_train.mean(axis=0)
    sigma = X_train.std(axis=0)
    sigma[sigma == 0] = 1.0

    def transform(X):
        return [(row - mu) / sigma for row in np.asarray(X, dtype=np.float64)]
    return transform


@buggy('02-preprocessing/fit_standardizer', "[1] one-pass variance E[x^2] - E[x]^2 (cancellation for large means)")
def fit_standardizer(X_train):
    mu = X_train.mean(axis=0)
    var = (X_train ** 2).mean(axis=0) - mu ** 2
    sigma = np.sqrt(np.maximum(var, 0.0))
    sigma = np.where(sigma == 0, 1.0, sigma)

    def transform(X):
        return (X - mu) / sigma
    return transform


@buggy('02-preprocessing/fit_standardizer', "[1] statistics accumulated in float32")
def fit_standardizer(X_train):
    X32 = np.asarray(X_train, dtype=np.float32)
    mu = X32.mean(axis=0)
    sigma = X32.std(axis=0)
    sigma[sigma == 0] = 1.0

    def transform(X):
        return (X - mu) / sigma
    return transform


@buggy('02-preprocessing/fit_standardizer', "[7] threshold sigma < 1e-6 -> 1 instead of sigma == 0")
def fit_standardizer(X_train):
    mu = X_train.mean(axis=0)
    sigma = X_train.std(axis=0)
    sigma = np.where(sigma < 1e-6, 1.0, sigma)

    def transform(X):
        return (X - mu) / sigma
    return transform


@buggy('02-preprocessing/fit_standardizer', "[8] lazy: transform recomputes mu, sigma from the X_train reference (later changes leak in)")
def fit_standardizer(X_train):
    def transform(X):
        sigma = X_train.std(axis=0)
        sigma = np.where(sigma == 0, 1.0, sigma)
        return (X - X_train.mean(axis=0)) / sigma
    return transform


@buggy(STD, "[6] transform squeezes its result: a single row comes back as shape (D,), D = 1 as (M,)",
       classes=(6,))
def fit_standardizer(X_train):  # noqa: F811
    X_train = np.asarray(X_train, dtype=np.float64)
    mu = X_train.mean(axis=0)
    sigma = X_train.std(axis=0)
    sigma[sigma == 0] = 1.0

    def transform(X):
        return np.squeeze((np.asarray(X, dtype=np.float64) - mu) / sigma)

    return transform
