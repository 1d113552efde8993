import math, random
import numpy as np
import torch
from tests.variants import buggy, correct

ID = "02-preprocessing/fit_standardizer"






@buggy(ID, "[7] sample std (ddof=1) instead of population std")
def fit_standardizer(X_train):
    mu = X_train.mean(axis=0)
    sigma = X_train.std(axis=0, ddof=1)
    sigma[sigma == 0] = 1.0

    def transform(X):
        return (X - mu) / sigma
    return transform


@buggy(ID, "[7] adds eps to sigma instead of replacing 0 by 1")
def fit_standardizer(X_train):
    mu = X_train.mean(axis=0)
    sigma = X_train.std(axis=0) + 1e-8

    def transform(X):
        return (X - mu) / sigma
    return transform




@buggy(ID, "[7] constant features not handled: divides by 0")
def fit_standardizer(X_train):
    mu = X_train.mean(axis=0)
    sigma = X_train.std(axis=0)

    def transform(X):
        return (X - mu) / sigma
    return transform


@buggy(ID, "[10] transform uses the statistics of the X it is given (leak)")
def fit_standardizer(X_train):
    def transform(X):
        mu = X.mean(axis=0)
        sigma = X.std(axis=0)
        sigma = np.where(sigma == 0, 1.0, sigma)
        return (X - mu) / sigma
    return transform




@buggy(ID, "[8] transform standardises X in place and returns it")
def fit_standardizer(X_train):
    mu = X_train.mean(axis=0)
    sigma = X_train.std(axis=0)
    sigma[sigma == 0] = 1.0

    def transform(X):
        X -= mu
        X /= sigma
        return X
    return transform


@buggy(ID, "[8] centres X_train in place during fit")
def fit_standardizer(X_train):
    mu = X_train.mean(axis=0)
    X_train -= mu
    sigma = np.sqrt((X_train ** 2).mean(axis=0))
    sigma[sigma == 0] = 1.0

    def transform(X):
        return (X - mu) / sigma
    return transform


@correct(ID, "two-pass with einsum, float64 cast, sigma via np.where")
def fit_standardizer(X_train):
    A = np.asarray(X_train, dtype=np.float64)
    mu = np.einsum("nd->d", A) / A.shape[0]
    centred = A - mu
    sigma = np.sqrt(np.einsum("nd,nd->d", centred, centred) / A.shape[0])
    sigma = np.where(sigma == 0.0, 1.0, sigma)

    def transform(X):
        return (np.asarray(X, dtype=np.float64) - mu) / sigma
    return transform


@correct(ID, "torch float64 statistics (unbiased=False), numpy out")
def fit_standardizer(X_train):
    t = torch.as_tensor(np.array(X_train, dtype=np.float64))
    mu = t.mean(dim=0)
    sigma = t.std(dim=0, unbiased=False)
    sigma = torch.where(sigma == 0, torch.ones_like(sigma), sigma)
    mu_np, sigma_np = mu.numpy().copy(), sigma.numpy().copy()

    def transform(X):
        return (X - mu_np) / sigma_np
    return transform
