"""Buggy and correct answers to 05-batchnorm/BatchNorm1d (self-contained: see tests/variants/__init__.py)."""

from __future__ import annotations

import numpy as np
import torch

from .. import buggy, correct

MOD = "05-batchnorm/BatchNorm1d"


@buggy(MOD, "eval mode still updates the running averages", demo=True, classes=(8,))
class BatchNorm1d:
    def __init__(self, num_features, *, eps=1e-5, momentum=0.1):
        self.eps, self.momentum = eps, momentum
        self.gamma, self.beta = np.ones(num_features), np.zeros(num_features)
        self.running_mean, self.running_var = np.zeros(num_features), np.ones(num_features)
        self.training = True

    def train(self):
        self.training = True
        return self

    def eval(self):
        self.training = False
        return self

    def forward(self, x):
        N = x.shape[0]
        mu, var = x.mean(axis=0), x.var(axis=0)
        self.running_mean = (1 - self.momentum) * self.running_mean + self.momentum * mu
        self.running_var = (1 - self.momentum) * self.running_var + self.momentum * var * N / (N - 1)
        if self.training:
            x_hat = (x - mu) / np.sqrt(var + self.eps)
        else:
            x_hat = (x - self.running_mean) / np.sqrt(self.running_var + self.eps)
        return self.gamma * x_hat + self.beta


@buggy(MOD, "eval mode normalises with the batch statistics", classes=(7,))
class BatchNorm1d:  # noqa: F811
    def __init__(self, num_features, *, eps=1e-5, momentum=0.1):
        self.eps, self.momentum = eps, momentum
        self.gamma, self.beta = np.ones(num_features), np.zeros(num_features)
        self.running_mean, self.running_var = np.zeros(num_features), np.ones(num_features)
        self.training = True

    def train(self):
        self.training = True
        return self

    def eval(self):
        self.training = False
        return self

    def forward(self, x):
        N = x.shape[0]
        mu, var = x.mean(axis=0), x.var(axis=0)
        if self.training:
            self.running_mean = (1 - self.momentum) * self.running_mean + self.momentum * mu
            self.running_var = (1 - self.momentum) * self.running_var + self.momentum * var * N / (N - 1)
        return self.gamma * (x - mu) / np.sqrt(var + self.eps) + self.beta


@buggy(MOD, "train() does not switch back: once in eval, always in eval", classes=(8,))
class BatchNorm1d:  # noqa: F811
    def __init__(self, num_features, *, eps=1e-5, momentum=0.1):
        self.eps, self.momentum = eps, momentum
        self.gamma, self.beta = np.ones(num_features), np.zeros(num_features)
        self.running_mean, self.running_var = np.zeros(num_features), np.ones(num_features)
        self.training = True

    def train(self):
        return self

    def eval(self):
        self.training = False
        return self

    def forward(self, x):
        N = x.shape[0]
        if not self.training:
            return self.gamma * (x - self.running_mean) / np.sqrt(self.running_var + self.eps) + self.beta
        mu, var = x.mean(axis=0), x.var(axis=0)
        self.running_mean = (1 - self.momentum) * self.running_mean + self.momentum * mu
        self.running_var = (1 - self.momentum) * self.running_var + self.momentum * var * N / (N - 1)
        return self.gamma * (x - mu) / np.sqrt(var + self.eps) + self.beta


@buggy(MOD, "running_var starts at zeros (as in CS231n), not ones", classes=(7,))
class BatchNorm1d:  # noqa: F811
    def __init__(self, num_features, *, eps=1e-5, momentum=0.1):
        self.eps, self.momentum = eps, momentum
        self.gamma, self.beta = np.ones(num_features), np.zeros(num_features)
        self.running_mean, self.running_var = np.zeros(num_features), np.zeros(num_features)
        self.training = True

    def train(self):
        self.training = True
        return self

    def eval(self):
        self.training = False
        return self

    def forward(self, x):
        N = x.shape[0]
        if not self.training:
            return self.gamma * (x - self.running_mean) / np.sqrt(self.running_var + self.eps) + self.beta
        mu, var = x.mean(axis=0), x.var(axis=0)
        self.running_mean = (1 - self.momentum) * self.running_mean + self.momentum * mu
        self.running_var = (1 - self.momentum) * self.running_var + self.momentum * var * N / (N - 1)
        return self.gamma * (x - mu) / np.sqrt(var + self.eps) + self.beta


@buggy(MOD, "running_var averages the biased variance", classes=(0,))
class BatchNorm1d:  # noqa: F811
    def __init__(self, num_features, *, eps=1e-5, momentum=0.1):
        self.eps, self.momentum = eps, momentum
        self.gamma, self.beta = np.ones(num_features), np.zeros(num_features)
        self.running_mean, self.running_var = np.zeros(num_features), np.ones(num_features)
        self.training = True

    def train(self):
        self.training = True
        return self

    def eval(self):
        self.training = False
        return self

    def forward(self, x):
        if not self.training:
            return self.gamma * (x - self.running_mean) / np.sqrt(self.running_var + self.eps) + self.beta
        mu, var = x.mean(axis=0), x.var(axis=0)
        self.running_mean = (1 - self.momentum) * self.running_mean + self.momentum * mu
        self.running_var = (1 - self.momentum) * self.running_var + self.momentum * var
        return self.gamma * (x - mu) / np.sqrt(var + self.eps) + self.beta


# inspect.getsource finds a class by its qualified name, and would return the first
# `BatchNorm1d` of this file (the demo mistake) for every one of them. Each correct class is
# therefore defined inside its own function, which gives it a unique qualified name.

def _module_variant_inplace():
    @correct(MOD, "in-place buffer updates, a mode string instead of a bool internally")
    class BatchNorm1d:
        def __init__(self, num_features, *, eps=1e-5, momentum=0.1):
            if num_features < 1:
                raise ValueError(f"Invalid num_features: {num_features}")
            self.eps = eps
            self.momentum = momentum
            self.gamma = np.ones(num_features)
            self.beta = np.zeros(num_features)
            self.running_mean = np.zeros(num_features)
            self.running_var = np.ones(num_features)
            self._mode = "train"

        @property
        def training(self):
            return self._mode == "train"

        def train(self, mode=True):
            self._mode = "train" if mode else "eval"
            return self

        def eval(self):
            return self.train(False)

        def forward(self, x):
            if self._mode == "eval":
                mean, var = self.running_mean, self.running_var
            else:
                n = x.shape[0]
                mean = x.mean(axis=0)
                var = ((x - mean) ** 2).mean(axis=0)
                self.running_mean *= 1.0 - self.momentum
                self.running_mean += self.momentum * mean
                self.running_var *= 1.0 - self.momentum
                self.running_var += self.momentum * var * (n / (n - 1))
            return (x - mean) / np.sqrt(var + self.eps) * self.gamma + self.beta

        __call__ = forward
    return BatchNorm1d


def _module_variant_torch():
    @correct(MOD, "torch.nn.functional.batch_norm on tensors made from the NumPy attributes")
    class BatchNorm1d:
        def __init__(self, num_features, *, eps=1e-5, momentum=0.1):
            self.eps, self.momentum = eps, momentum
            self.gamma, self.beta = np.ones(num_features), np.zeros(num_features)
            self.running_mean, self.running_var = np.zeros(num_features), np.ones(num_features)
            self.training = True

        def train(self):
            self.training = True
            return self

        def eval(self):
            self.training = False
            return self

        def forward(self, x):
            rm = torch.tensor(self.running_mean, dtype=torch.float64)
            rv = torch.tensor(self.running_var, dtype=torch.float64)
            out = torch.nn.functional.batch_norm(
                torch.tensor(x, dtype=torch.float64), rm, rv,
                torch.tensor(self.gamma, dtype=torch.float64), torch.tensor(self.beta, dtype=torch.float64),
                training=self.training, momentum=self.momentum, eps=self.eps)
            self.running_mean, self.running_var = rm.numpy(), rv.numpy()
            return out.numpy()
    return BatchNorm1d


_module_variant_inplace()
_module_variant_torch()


@buggy('05-batchnorm/BatchNorm1d', "[1] one-pass variance E[x^2] - mu^2")
class BatchNorm1d:
    def __init__(self, num_features, *, eps=1e-5, momentum=0.1):
        self.gamma, self.beta = np.ones(num_features), np.zeros(num_features)
        self.running_mean, self.running_var = np.zeros(num_features), np.ones(num_features)
        self.eps, self.momentum, self.training = eps, momentum, True

    def train(self):
        self.training = True
        return self

    def eval(self):
        self.training = False
        return self

    def forward(self, x):
        if self.training:
            N = x.shape[0]
            mu = x.mean(axis=0)
            var = (x ** 2).mean(axis=0) - mu ** 2
            m = self.momentum
            self.running_mean = (1 - m) * self.running_mean + m * mu
            self.running_var = (1 - m) * self.running_var + m * var * N / (N - 1)
        else:
            mu, var = self.running_mean, self.running_var
        return self.gamma * (x - mu) / np.sqrt(var + self.eps) + self.beta


@buggy('05-batchnorm/BatchNorm1d', "[1,9] buffers and parameters created as float32")
class BatchNorm1d:
    def __init__(self, num_features, *, eps=1e-5, momentum=0.1):
        self.gamma = np.ones(num_features, dtype=np.float32)
        self.beta = np.zeros(num_features, dtype=np.float32)
        self.running_mean = np.zeros(num_features, dtype=np.float32)
        self.running_var = np.ones(num_features, dtype=np.float32)
        self.eps, self.momentum, self.training = eps, momentum, True

    def train(self):
        self.training = True
        return self

    def eval(self):
        self.training = False
        return self

    def forward(self, x):
        if self.training:
            N = x.shape[0]
            mu, var = x.mean(axis=0), x.var(axis=0)
            m = self.momentum
            self.running_mean[:] = (1 - m) * self.running_mean + m * mu
            self.running_var[:] = (1 - m) * self.running_var + m * var * N / (N - 1)
        else:
            mu, var = self.running_mean, self.running_var
        return self.gamma * (x - mu) / np.sqrt(var + self.eps) + self.beta


@buggy('05-batchnorm/BatchNorm1d', "[9] train() and eval() set the flag but return None")
class BatchNorm1d:
    def __init__(self, num_features, *, eps=1e-5, momentum=0.1):
        self.gamma, self.beta = np.ones(num_features), np.zeros(num_features)
        self.running_mean, self.running_var = np.zeros(num_features), np.ones(num_features)
        self.eps, self.momentum, self.training = eps, momentum, True

    def train(self):
        self.training = True

    def eval(self):
        self.training = False

    def forward(self, x):
        if self.training:
            N = x.shape[0]
            mu, var = x.mean(axis=0), x.var(axis=0)
            m = self.momentum
            self.running_mean = (1 - m) * self.running_mean + m * mu
            self.running_var = (1 - m) * self.running_var + m * var * N / (N - 1)
        else:
            mu, var = self.running_mean, self.running_var
        return self.gamma * (x - mu) / np.sqrt(var + self.eps) + self.beta


@buggy('05-batchnorm/BatchNorm1d', "[8] running_var aliases gamma (both 'ones'), in-place updates then change gamma")
class BatchNorm1d:
    def __init__(self, num_features, *, eps=1e-5, momentum=0.1):
        ones = np.ones(num_features)
        self.gamma, self.beta = ones, np.zeros(num_features)
        self.running_mean, self.running_var = np.zeros(num_features), ones
        self.eps, self.momentum, self.training = eps, momentum, True

    def train(self):
        self.training = True
        return self

    def eval(self):
        self.training = False
        return self

    def forward(self, x):
        out_gamma, out_beta = self.gamma.copy(), self.beta.copy()
        if self.training:
            N = x.shape[0]
            mu, var = x.mean(axis=0), x.var(axis=0)
            m = self.momentum
            self.running_mean *= 1 - m
            self.running_mean += m * mu
            self.running_var *= 1 - m
            self.running_var += m * var * N / (N - 1)
        else:
            mu, var = self.running_mean, self.running_var
        return out_gamma * (x - mu) / np.sqrt(var + self.eps) + out_beta


@buggy(MOD, "[6] variance as np.diag(np.cov(x, rowvar=False, bias=True)): breaks for a single feature",
       classes=(6,))
class BatchNorm1d:  # noqa: F811
    def __init__(self, num_features, *, eps=1e-5, momentum=0.1):
        self.gamma, self.beta = np.ones(num_features), np.zeros(num_features)
        self.running_mean, self.running_var = np.zeros(num_features), np.ones(num_features)
        self.eps, self.momentum, self.training = eps, momentum, True

    def train(self):
        self.training = True
        return self

    def eval(self):
        self.training = False
        return self

    def forward(self, x):
        if self.training:
            N = x.shape[0]
            mu = x.mean(axis=0)
            var = np.diag(np.cov(x, rowvar=False, bias=True))
            m = self.momentum
            self.running_mean = (1 - m) * self.running_mean + m * mu
            self.running_var = (1 - m) * self.running_var + m * var * N / (N - 1)
        else:
            mu, var = self.running_mean, self.running_var
        return self.gamma * (x - mu) / np.sqrt(var + self.eps) + self.beta
