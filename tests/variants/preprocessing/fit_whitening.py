"""Buggy and correct answers to 02-preprocessing/fit_whitening (self-contained: see tests/variants/__init__.py)."""

from __future__ import annotations

import numpy as np
import torch

from .. import buggy, correct

WHI = "02-preprocessing/fit_whitening"


@buggy(WHI, "PCA keeps eigh's increasing order (smallest-variance direction first)", demo=True, classes=(7,))
def fit_whitening(X, *, method="zca", eps=0.0):
    mean = X.mean(axis=0)
    Xc = X - mean
    lam, U = np.linalg.eigh(Xc.T @ Xc / len(X))
    W = U / np.sqrt(lam + eps)
    if method == "zca":
        W = W @ U.T
    return mean, W


@buggy(WHI, "covariance of the uncentred data, X^T X / N", classes=(0,))
def fit_whitening(X, *, method="zca", eps=0.0):  # noqa: F811
    mean = X.mean(axis=0)
    lam, U = np.linalg.eigh(X.T @ X / len(X))
    lam, U = lam[::-1], U[:, ::-1]
    W = U / np.sqrt(lam + eps)
    return mean, (W @ U.T if method == "zca" else W)


@buggy(WHI, "np.cov (divides by N - 1): whitened covariance is (N-1)/N I", classes=(0,))
def fit_whitening(X, *, method="zca", eps=0.0):  # noqa: F811
    mean = X.mean(axis=0)
    lam, U = np.linalg.eigh(np.atleast_2d(np.cov(X, rowvar=False)))
    lam, U = lam[::-1], U[:, ::-1]
    W = U / np.sqrt(lam + eps)
    return mean, (W @ U.T if method == "zca" else W)


@buggy(WHI, "ZCA without the square root: U diag(1/lambda) U^T = C^-1", classes=(0,))
def fit_whitening(X, *, method="zca", eps=0.0):  # noqa: F811
    mean = X.mean(axis=0)
    Xc = X - mean
    lam, U = np.linalg.eigh(Xc.T @ Xc / len(X))
    lam, U = lam[::-1], U[:, ::-1]
    if method == "zca":
        return mean, (U / (lam + eps)) @ U.T
    return mean, U / np.sqrt(lam + eps)


@buggy(WHI, "eps added after the square root: 1 / (sqrt(lambda) + eps)", classes=(7,))
def fit_whitening(X, *, method="zca", eps=0.0):  # noqa: F811
    mean = X.mean(axis=0)
    Xc = X - mean
    lam, U = np.linalg.eigh(Xc.T @ Xc / len(X))
    lam, U = lam[::-1], U[:, ::-1]
    W = U / (np.sqrt(lam) + eps)
    return mean, (W @ U.T if method == "zca" else W)


@buggy(WHI, "PCA W transposed: rows (not columns) are the scaled eigenvectors; wrong only for method='pca' (the ZCA matrix is symmetric)", classes=(6, 7))
def fit_whitening(X, *, method="zca", eps=0.0):  # noqa: F811
    mean = X.mean(axis=0)
    Xc = X - mean
    lam, U = np.linalg.eigh(Xc.T @ Xc / len(X))
    lam, U = lam[::-1], U[:, ::-1]
    W = (U / np.sqrt(lam + eps)).T
    return mean, (U @ W if method == "zca" else W)


@correct(WHI, "SVD of the centred data, ZCA as V S^-1 V^T")
def fit_whitening(X, *, method="zca", eps=0.0):  # noqa: F811
    if method not in {"pca", "zca"}:
        raise ValueError(f"method must be 'pca' or 'zca', not {method!r}")
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
    if method != "pca":
        raise ValueError(method)
    lam, U = torch.linalg.eigh(C)
    order = torch.argsort(lam, descending=True)
    lam, U = lam[order], U[:, order]
    return mu.numpy(), (U @ torch.diag(1.0 / torch.sqrt(lam + eps))).numpy()


@buggy('02-preprocessing/fit_whitening', "[1] one-pass covariance E[x x^T] - mu mu^T")
def fit_whitening(X, *, method="zca", eps=0.0):
    N = X.shape[0]
    mean = X.mean(axis=0)
    C = X.T @ X / N - np.outer(mean, mean)
    lam, U = np.linalg.eigh(C)
    lam, U = lam[::-1], U[:, ::-1]
    W = U * (1 / np.sqrt(lam + eps))
    if method == "zca":
        W = W @ U.T
    return mean, W


@buggy('02-preprocessing/fit_whitening', "[7] any method other than 'pca' silently treated as ZCA")
def fit_whitening(X, *, method="zca", eps=0.0):
    mean = X.mean(axis=0)
    Xc = X - mean
    lam, U = np.linalg.eigh(Xc.T @ Xc / len(X))
    lam, U = lam[::-1], U[:, ::-1]
    W = U / np.sqrt(lam + eps)
    if method != "pca":
        W = W @ U.T
    return mean, W


@buggy('02-preprocessing/fit_whitening', "[other] np.linalg.eig instead of eigh (unsorted, may be non-orthogonal/complex)")
def fit_whitening(X, *, method="zca", eps=0.0):
    mean = X.mean(axis=0)
    Xc = X - mean
    lam, U = np.linalg.eig(Xc.T @ Xc / len(X))
    order = np.argsort(lam)[::-1]
    lam, U = lam[order], U[:, order]
    W = U / np.sqrt(lam + eps)
    if method == "zca":
        W = W @ U.T
    return mean, W


@correct('02-preprocessing/fit_whitening', "SVD of the centred data: V and S^2 / N")
def fit_whitening(X, *, method="zca", eps=0.0):
    if method not in ("pca", "zca"):
        raise ValueError(method)
    mean = X.mean(axis=0)
    _, S, Vt = np.linalg.svd(X - mean, full_matrices=True)
    lam = np.zeros(X.shape[1])
    lam[:len(S)] = S ** 2 / X.shape[0]
    W = Vt.T @ np.diag(1.0 / np.sqrt(lam + eps))
    if method == "zca":
        W = W @ Vt
    return mean, W


@correct('02-preprocessing/fit_whitening', "eigh, sign of each PCA column fixed so its largest entry is positive; einsum")
def fit_whitening(X, *, method="zca", eps=0.0):
    if method not in ("pca", "zca"):
        raise ValueError(f"unknown method {method!r}")
    mean = np.mean(X, axis=0)
    Xc = X - mean
    C = np.einsum("ni,nj->ij", Xc, Xc) / X.shape[0]
    lam, U = np.linalg.eigh(C)
    idx = np.argsort(-lam, kind="stable")
    lam, U = lam[idx], U[:, idx]
    signs = np.sign(U[np.abs(U).argmax(axis=0), np.arange(U.shape[1])])
    U = U * signs
    W = U / np.sqrt(lam + eps)
    if method == "zca":
        W = np.einsum("ik,jk->ij", W, U)
    return mean, W


@buggy(WHI, "[8] centres in place with X -= mean (modifies the caller's float array)", classes=(8,))
def fit_whitening(X, *, method="zca", eps=0.0):  # noqa: F811
    if method not in ("pca", "zca"):
        raise ValueError(f"Invalid method: {method!r}")
    X = np.asarray(X, dtype=np.float64)        # no copy for a float64 array
    mean = X.mean(axis=0)
    X -= mean
    lam, U = np.linalg.eigh(X.T @ X / X.shape[0])
    lam, U = lam[::-1], U[:, ::-1]
    W = U / np.sqrt(lam + eps)
    if method == "zca":
        W = W @ U.T
    return mean, W


@buggy(WHI, "[9] mean with keepdims=True: shape (1, D) instead of (D,)", classes=(9,))
def fit_whitening(X, *, method="zca", eps=0.0):  # noqa: F811
    if method not in ("pca", "zca"):
        raise ValueError(f"Invalid method: {method!r}")
    X = np.asarray(X, dtype=np.float64)
    mean = X.mean(axis=0, keepdims=True)       # (1, D): broadcasts against X
    Xc = X - mean
    lam, U = np.linalg.eigh(Xc.T @ Xc / X.shape[0])
    lam, U = lam[::-1], U[:, ::-1]
    W = U / np.sqrt(lam + eps)
    if method == "zca":
        W = W @ U.T
    return mean, W
