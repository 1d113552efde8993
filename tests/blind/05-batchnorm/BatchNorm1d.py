import math, random
import numpy as np
import torch
from tests.variants import buggy, correct

ID = "05-batchnorm/BatchNorm1d"




@buggy(ID, "[8] eval mode still updates the running averages (update outside the if)")
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
        N = x.shape[0]
        bmu, bvar = x.mean(axis=0), x.var(axis=0)
        if self.training:
            mu, var = bmu, bvar
        else:
            mu, var = self.running_mean, self.running_var
        m = self.momentum
        self.running_mean = (1 - m) * self.running_mean + m * bmu
        self.running_var = (1 - m) * self.running_var + m * bvar * N / (N - 1)
        return self.gamma * (x - mu) / np.sqrt(var + self.eps) + self.beta


@buggy(ID, "[7] CS231n momentum convention (momentum weights the old value)")
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
            mu, var = x.mean(axis=0), x.var(axis=0)
            m = self.momentum
            self.running_mean = m * self.running_mean + (1 - m) * mu
            self.running_var = m * self.running_var + (1 - m) * var * N / (N - 1)
        else:
            mu, var = self.running_mean, self.running_var
        return self.gamma * (x - mu) / np.sqrt(var + self.eps) + self.beta


@buggy(ID, "[7] running variance from the biased batch variance")
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
            mu, var = x.mean(axis=0), x.var(axis=0)
            m = self.momentum
            self.running_mean = (1 - m) * self.running_mean + m * mu
            self.running_var = (1 - m) * self.running_var + m * var
        else:
            mu, var = self.running_mean, self.running_var
        return self.gamma * (x - mu) / np.sqrt(var + self.eps) + self.beta


@buggy(ID, "[7] parameters copied into a dict in __init__; forward reads the dict, so replacing self.gamma has no effect")
class BatchNorm1d:
    def __init__(self, num_features, *, eps=1e-5, momentum=0.1):
        self.gamma, self.beta = np.ones(num_features), np.zeros(num_features)
        self.params = {"gamma": self.gamma, "beta": self.beta}
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
            mu, var = x.mean(axis=0), x.var(axis=0)
            m = self.momentum
            self.running_mean = (1 - m) * self.running_mean + m * mu
            self.running_var = (1 - m) * self.running_var + m * var * N / (N - 1)
        else:
            mu, var = self.running_mean, self.running_var
        return self.params["gamma"] * (x - mu) / np.sqrt(var + self.eps) + self.params["beta"]


@buggy(ID, "[9] mode kept in self.mode; self.training stays True after eval()")
class BatchNorm1d:
    def __init__(self, num_features, *, eps=1e-5, momentum=0.1):
        self.gamma, self.beta = np.ones(num_features), np.zeros(num_features)
        self.running_mean, self.running_var = np.zeros(num_features), np.ones(num_features)
        self.eps, self.momentum, self.training = eps, momentum, True
        self.mode = "train"

    def train(self):
        self.mode = "train"
        return self

    def eval(self):
        self.mode = "eval"
        return self

    def forward(self, x):
        if self.mode == "train":
            N = x.shape[0]
            mu, var = x.mean(axis=0), x.var(axis=0)
            m = self.momentum
            self.running_mean = (1 - m) * self.running_mean + m * mu
            self.running_var = (1 - m) * self.running_var + m * var * N / (N - 1)
        else:
            mu, var = self.running_mean, self.running_var
        return self.gamma * (x - mu) / np.sqrt(var + self.eps) + self.beta


@buggy(ID, "[other] train()/eval() toggle the flag instead of setting it")
class BatchNorm1d:
    def __init__(self, num_features, *, eps=1e-5, momentum=0.1):
        self.gamma, self.beta = np.ones(num_features), np.zeros(num_features)
        self.running_mean, self.running_var = np.zeros(num_features), np.ones(num_features)
        self.eps, self.momentum, self.training = eps, momentum, True

    def train(self):
        self.training = not self.training
        return self

    def eval(self):
        self.training = not self.training
        return self

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


@buggy(ID, "[7] eps and momentum arguments accepted but the defaults hard-coded in forward")
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
            mu, var = x.mean(axis=0), x.var(axis=0)
            self.running_mean = 0.9 * self.running_mean + 0.1 * mu
            self.running_var = 0.9 * self.running_var + 0.1 * var * N / (N - 1)
        else:
            mu, var = self.running_mean, self.running_var
        return self.gamma * (x - mu) / np.sqrt(var + 1e-5) + self.beta








@buggy(ID, "[8] shared class-level running buffers (initialised once, per feature count)")
class BatchNorm1d:
    _buffers = {}

    def __init__(self, num_features, *, eps=1e-5, momentum=0.1):
        self.gamma, self.beta = np.ones(num_features), np.zeros(num_features)
        # (fixed after the first run: the class name is rebound by later variants in this file)
        if num_features not in type(self)._buffers:
            type(self)._buffers[num_features] = (np.zeros(num_features), np.ones(num_features))
        self.running_mean, self.running_var = type(self)._buffers[num_features]
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
            self.running_mean *= 1 - m
            self.running_mean += m * mu
            self.running_var *= 1 - m
            self.running_var += m * var * N / (N - 1)
        else:
            mu, var = self.running_mean, self.running_var
        return self.gamma * (x - mu) / np.sqrt(var + self.eps) + self.beta


@correct(ID, "torch.nn.functional.batch_norm on tensors sharing memory with the numpy buffers")
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
        import torch.nn.functional as F
        rm = np.array(self.running_mean, dtype=np.float64)
        rv = np.array(self.running_var, dtype=np.float64)
        rmt, rvt = torch.from_numpy(rm), torch.from_numpy(rv)
        with torch.no_grad():
            out = F.batch_norm(torch.from_numpy(np.asarray(x, dtype=np.float64)), rmt, rvt,
                               torch.from_numpy(np.asarray(self.gamma, dtype=np.float64)),
                               torch.from_numpy(np.asarray(self.beta, dtype=np.float64)),
                               training=self.training, momentum=self.momentum, eps=self.eps)
        if self.training:
            self.running_mean, self.running_var = rm, rv
        return out.numpy()


@correct(ID, "property-based mode flag, explicit sums, in-place buffer updates on its own arrays")
class BatchNorm1d:
    def __init__(self, num_features, *, eps=1e-5, momentum=0.1):
        self.num_features = num_features
        self.gamma = np.full(num_features, 1.0)
        self.beta = np.full(num_features, 0.0)
        self.running_mean = np.full(num_features, 0.0)
        self.running_var = np.full(num_features, 1.0)
        self.eps = eps
        self.momentum = momentum
        self._mode = "train"

    @property
    def training(self):
        return self._mode == "train"

    @training.setter
    def training(self, value):
        self._mode = "train" if value else "eval"

    def train(self):
        self.training = True
        return self

    def eval(self):
        self.training = False
        return self

    def forward(self, x):
        N = x.shape[0]
        if self.training:
            mu = x.sum(axis=0) / N
            c = x - mu
            var = (c * c).sum(axis=0) / N
            m = self.momentum
            self.running_mean = self.running_mean * (1 - m) + mu * m
            self.running_var = self.running_var * (1 - m) + (c * c).sum(axis=0) / (N - 1) * m
            return self.gamma * (c / np.sqrt(var + self.eps)) + self.beta
        return self.gamma * ((x - self.running_mean) / np.sqrt(self.running_var + self.eps)) + self.beta


@buggy(ID, "[8] eval-mode forward normalises x in place (x -= running_mean; x /= std)")
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
            mu, var = x.mean(axis=0), x.var(axis=0)
            m = self.momentum
            self.running_mean = (1 - m) * self.running_mean + m * mu
            self.running_var = (1 - m) * self.running_var + m * var * N / (N - 1)
            return self.gamma * (x - mu) / np.sqrt(var + self.eps) + self.beta
        x -= self.running_mean
        x /= np.sqrt(self.running_var + self.eps)
        return self.gamma * x + self.beta
