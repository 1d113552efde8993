import math, random
import numpy as np
import torch
from tests.variants import buggy, correct

ID = "02-preprocessing/pca_color_augment"


@buggy(ID, "[6] eigenvectors taken as rows: eigvecs.T @ (alpha * eigvals)")
def pca_color_augment(x, eigvals, eigvecs, *, sigma=0.1, rng):
    alpha = rng.normal(0.0, sigma, size=(x.shape[0], 3))
    delta = (alpha * eigvals) @ eigvecs          # = eigvecs.T @ (alpha * eigvals) per image
    return x + delta[:, :, None, None]


@buggy(ID, "[4] one alpha for the whole batch")
def pca_color_augment(x, eigvals, eigvecs, *, sigma=0.1, rng):
    alpha = rng.normal(0.0, sigma, size=3)
    delta = eigvecs @ (alpha * eigvals)
    return x + delta[None, :, None, None]


@buggy(ID, "[3] alpha from np.random.normal")
def pca_color_augment(x, eigvals, eigvecs, *, sigma=0.1, rng):
    alpha = np.random.normal(0.0, sigma, size=(x.shape[0], 3))
    delta = (alpha * eigvals) @ eigvecs.T
    return x + delta[:, :, None, None]




@buggy(ID, "[other] scales by sqrt(eigvals) (common re-implementation, not the statement)")
def pca_color_augment(x, eigvals, eigvecs, *, sigma=0.1, rng):
    alpha = rng.normal(0.0, sigma, size=(x.shape[0], 3))
    delta = (alpha * np.sqrt(eigvals)) @ eigvecs.T
    return x + delta[:, :, None, None]


@buggy(ID, "[7] treats sigma as the variance: normal(0, sqrt(sigma))")
def pca_color_augment(x, eigvals, eigvecs, *, sigma=0.1, rng):
    alpha = rng.normal(0.0, np.sqrt(sigma), size=(x.shape[0], 3))
    delta = (alpha * eigvals) @ eigvecs.T
    return x + delta[:, :, None, None]


@buggy(ID, "[4] a fresh alpha for every pixel")
def pca_color_augment(x, eigvals, eigvecs, *, sigma=0.1, rng):
    N, C, H, W = x.shape
    alpha = rng.normal(0.0, sigma, size=(N, H, W, 3))
    delta = (alpha * eigvals) @ eigvecs.T                  # (N, H, W, 3)
    return x + delta.transpose(0, 3, 1, 2)


@buggy(ID, "[8] adds the offset in place (x += delta)")
def pca_color_augment(x, eigvals, eigvecs, *, sigma=0.1, rng):
    for n in range(x.shape[0]):
        alpha = rng.normal(0.0, sigma, size=3)
        x[n] += (eigvecs @ (alpha * eigvals))[:, None, None]
    return x


@buggy(ID, "[6] channels-last broadcast delta[:, None, None, :] (works only when W == 3)")
def pca_color_augment(x, eigvals, eigvecs, *, sigma=0.1, rng):
    alpha = rng.normal(0.0, sigma, size=(x.shape[0], 3))
    delta = (alpha * eigvals) @ eigvecs.T
    return x + delta[:, None, None, :]


@buggy(ID, "[7] clips the result to [0, 1]")
def pca_color_augment(x, eigvals, eigvecs, *, sigma=0.1, rng):
    alpha = rng.normal(0.0, sigma, size=(x.shape[0], 3))
    delta = (alpha * eigvals) @ eigvecs.T
    return np.clip(x + delta[:, :, None, None], 0.0, 1.0)


@correct(ID, "einsum, alpha = sigma * standard_normal")
def pca_color_augment(x, eigvals, eigvecs, *, sigma=0.1, rng):
    alpha = sigma * rng.standard_normal((x.shape[0], 3))
    delta = np.einsum("ij,nj->ni", eigvecs, alpha * eigvals[None, :])
    return x + delta[:, :, None, None]


@correct(ID, "loop per image with rng.normal(0, sigma, 3) and a copy")
def pca_color_augment(x, eigvals, eigvecs, *, sigma=0.1, rng):
    out = np.array(x, dtype=float, copy=True)
    for n in range(out.shape[0]):
        alpha = rng.normal(0.0, sigma, 3)
        delta = sum(alpha[i] * eigvals[i] * eigvecs[:, i] for i in range(3))
        out[n] += delta.reshape(3, 1, 1)
    return out
