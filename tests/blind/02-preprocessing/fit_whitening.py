import math, random
import numpy as np
import torch
from tests.variants import buggy, correct

ID = "02-preprocessing/fit_whitening"


@buggy(ID, "[7] PCA columns left in eigh's increasing order")
def fit_whitening(X, *, method="zca", eps=0.0):
    mean = X.mean(axis=0)
    Xc = X - mean
    lam, U = np.linalg.eigh(Xc.T @ Xc / X.shape[0])
    W = U / np.sqrt(lam + eps)
    if method == "zca":
        W = W @ U.T
    return mean, W


@buggy(ID, "[other] reverses the eigenvalues but not the eigenvectors")
def fit_whitening(X, *, method="zca", eps=0.0):
    mean = X.mean(axis=0)
    Xc = X - mean
    lam, U = np.linalg.eigh(Xc.T @ Xc / X.shape[0])
    lam = lam[::-1]
    if method == "pca":
        return mean, U @ np.diag(1 / np.sqrt(lam + eps))
    return mean, U @ np.diag(1 / np.sqrt(lam[::-1] + eps)) @ U.T


@buggy(ID, "[7] covariance from np.cov (ddof=1)")
def fit_whitening(X, *, method="zca", eps=0.0):
    mean = X.mean(axis=0)
    lam, U = np.linalg.eigh(np.cov(X, rowvar=False))
    lam, U = lam[::-1], U[:, ::-1]
    W = U @ np.diag(1 / np.sqrt(lam + eps))
    if method == "zca":
        W = W @ U.T
    return mean, W


@buggy(ID, "[7] eps added after the square root: 1 / (sqrt(lam) + eps)")
def fit_whitening(X, *, method="zca", eps=0.0):
    mean = X.mean(axis=0)
    Xc = X - mean
    lam, U = np.linalg.eigh(Xc.T @ Xc / len(X))
    lam, U = lam[::-1], U[:, ::-1]
    W = U @ np.diag(1 / (np.sqrt(lam) + eps))
    if method == "zca":
        W = W @ U.T
    return mean, W


@buggy(ID, "[6] PCA matrix transposed: diag(...) @ U^T (eigenvectors as rows)")
def fit_whitening(X, *, method="zca", eps=0.0):
    mean = X.mean(axis=0)
    Xc = X - mean
    lam, U = np.linalg.eigh(Xc.T @ Xc / len(X))
    lam, U = lam[::-1], U[:, ::-1]
    D = np.diag(1 / np.sqrt(lam + eps))
    if method == "pca":
        return mean, D @ U.T
    return mean, U @ D @ U.T






@buggy(ID, "[8] centres X in place")
def fit_whitening(X, *, method="zca", eps=0.0):
    mean = X.mean(axis=0)
    X -= mean
    lam, U = np.linalg.eigh(X.T @ X / len(X))
    lam, U = lam[::-1], U[:, ::-1]
    W = U / np.sqrt(lam + eps)
    if method == "zca":
        W = W @ U.T
    return mean.copy(), W




@buggy(ID, "[9] mean returned with keepdims, shape (1, D)")
def fit_whitening(X, *, method="zca", eps=0.0):
    mean = X.mean(axis=0, keepdims=True)
    Xc = X - mean
    lam, U = np.linalg.eigh(Xc.T @ Xc / len(X))
    lam, U = lam[::-1], U[:, ::-1]
    W = U / np.sqrt(lam + eps)
    if method == "zca":
        W = W @ U.T
    return mean, W




