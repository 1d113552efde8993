"""Buggy and correct answers to 03-activations/relu_leaky_relu (self-contained: see tests/variants/__init__.py)."""

from __future__ import annotations

import numpy as np
import torch

from .. import buggy, correct

RELU = "03-activations/relu_leaky_relu"


@buggy(RELU, "gradient mask x >= 0: ReLU'(0) = 1 and LeakyReLU'(0) = 1", demo=True, classes=(7,))
class relu_leaky_relu:
    global relu_forward, relu_backward, leaky_relu_forward, leaky_relu_backward

    def relu_forward(x):
        return np.maximum(x, 0.0), x

    def relu_backward(dout, cache):
        return dout * (cache >= 0)

    def leaky_relu_forward(x, negative_slope=0.01):
        return np.where(x >= 0, x, negative_slope * x), (x, negative_slope)

    def leaky_relu_backward(dout, cache):
        x, negative_slope = cache
        return dout * np.where(x >= 0, 1.0, negative_slope)

    functions = (relu_forward, relu_backward, leaky_relu_forward, leaky_relu_backward)


@buggy(RELU, "ReLU forward zeroes the negatives in place: x[x < 0] = 0", classes=(8,))
class relu_leaky_relu:  # noqa: F811
    global relu_forward, relu_backward, leaky_relu_forward, leaky_relu_backward

    def relu_forward(x):
        x[x < 0] = 0.0
        return x, x

    def relu_backward(dout, cache):
        return dout * (cache > 0)

    def leaky_relu_forward(x, negative_slope=0.01):
        return np.where(x > 0, x, negative_slope * x), (x, negative_slope)

    def leaky_relu_backward(dout, cache):
        x, negative_slope = cache
        return dout * np.where(x > 0, 1.0, negative_slope)

    functions = (relu_forward, relu_backward, leaky_relu_forward, leaky_relu_backward)


@buggy(RELU, "Leaky ReLU backward copied from ReLU: no gradient on the negative side", classes=(0,))
class relu_leaky_relu:  # noqa: F811
    global relu_forward, relu_backward, leaky_relu_forward, leaky_relu_backward

    def relu_forward(x):
        return np.maximum(x, 0.0), x

    def relu_backward(dout, cache):
        return dout * (cache > 0)

    def leaky_relu_forward(x, negative_slope=0.01):
        return np.where(x > 0, x, negative_slope * x), x

    def leaky_relu_backward(dout, cache):
        return dout * (cache > 0)

    functions = (relu_forward, relu_backward, leaky_relu_forward, leaky_relu_backward)


@buggy(RELU, "Leaky ReLU ignores its negative_slope argument (always 0.01)", classes=(7,))
class relu_leaky_relu:  # noqa: F811
    global relu_forward, relu_backward, leaky_relu_forward, leaky_relu_backward

    def relu_forward(x):
        return np.maximum(x, 0.0), x

    def relu_backward(dout, cache):
        return dout * (cache > 0)

    def leaky_relu_forward(x, negative_slope=0.01):
        return np.where(x > 0, x, 0.01 * x), x

    def leaky_relu_backward(dout, cache):
        return dout * np.where(cache > 0, 1.0, 0.01)

    functions = (relu_forward, relu_backward, leaky_relu_forward, leaky_relu_backward)


@buggy(RELU, "ReLU backward returns the mask itself, not dout times the mask", classes=(0,))
class relu_leaky_relu:  # noqa: F811
    global relu_forward, relu_backward, leaky_relu_forward, leaky_relu_backward

    def relu_forward(x):
        return np.maximum(x, 0.0), x

    def relu_backward(dout, cache):
        return (cache > 0).astype(float)

    def leaky_relu_forward(x, negative_slope=0.01):
        return np.where(x > 0, x, negative_slope * x), (x, negative_slope)

    def leaky_relu_backward(dout, cache):
        x, negative_slope = cache
        return dout * np.where(x > 0, 1.0, negative_slope)

    functions = (relu_forward, relu_backward, leaky_relu_forward, leaky_relu_backward)


@correct(RELU, "caches the boolean mask; Leaky ReLU as np.maximum(x, slope * x) (valid for slope < 1)")
class relu_leaky_relu:  # noqa: F811
    global relu_forward, relu_backward, leaky_relu_forward, leaky_relu_backward

    def relu_forward(x):
        mask = x > 0
        return x * mask, mask

    def relu_backward(dout, cache):
        return np.where(cache, dout, 0.0)

    def leaky_relu_forward(x, negative_slope=0.01):
        return np.maximum(x, negative_slope * x), (x > 0, negative_slope)

    def leaky_relu_backward(dout, cache):
        positive, slope = cache
        dx = slope * dout
        dx[positive] = dout[positive]
        return dx

    functions = (relu_forward, relu_backward, leaky_relu_forward, leaky_relu_backward)


@correct(RELU, "PyTorch built-ins with autograd; Leaky ReLU backward from the cached output")
class relu_leaky_relu:  # noqa: F811
    global relu_forward, relu_backward, leaky_relu_forward, leaky_relu_backward

    def relu_forward(x):
        xt = torch.tensor(x, dtype=torch.float64, requires_grad=True)
        y = torch.relu(xt)
        return y.detach().numpy(), (xt, y)

    def relu_backward(dout, cache):
        xt, y = cache
        (dx,) = torch.autograd.grad(y, xt, torch.as_tensor(dout, dtype=torch.float64), retain_graph=True)
        return dx.numpy()

    def leaky_relu_forward(x, negative_slope=0.01):
        out = torch.nn.functional.leaky_relu(torch.as_tensor(x, dtype=torch.float64), negative_slope).numpy()
        return out, (out, negative_slope)

    def leaky_relu_backward(dout, cache):
        out, slope = cache  # out > 0 exactly where x > 0, for 0 <= slope < 1
        return dout * (slope + (1.0 - slope) * (out > 0))

    functions = (relu_forward, relu_backward, leaky_relu_forward, leaky_relu_backward)


@buggy(RELU, "[9] Leaky ReLU forward and backward in torch, returning tensors (documented: ndarrays)", classes=(9,))
class relu_leaky_relu:  # noqa: F811
    global relu_forward, relu_backward, leaky_relu_forward, leaky_relu_backward

    def relu_forward(x):
        return np.maximum(x, 0.0), x.copy()

    def relu_backward(dout, cache):
        return dout * (cache > 0)

    def leaky_relu_forward(x, negative_slope=0.01):
        xt = torch.as_tensor(x).clone()
        return torch.nn.functional.leaky_relu(xt, negative_slope), (xt, negative_slope)

    def leaky_relu_backward(dout, cache):
        xt, slope = cache
        return torch.as_tensor(dout) * torch.where(xt > 0, 1.0, slope)

    functions = (relu_forward, relu_backward, leaky_relu_forward, leaky_relu_backward)
