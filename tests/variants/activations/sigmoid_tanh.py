"""Buggy and correct answers to 03-activations/sigmoid_tanh (self-contained: see tests/variants/__init__.py)."""

from __future__ import annotations

import numpy as np
import torch

from .. import buggy, correct

SIG = "03-activations/sigmoid_tanh"


@buggy(SIG, "sigmoid as 1 / (1 + np.exp(-x)): exp overflows for x = -1000", demo=True, classes=(2,))
class sigmoid_tanh:
    global sigmoid_forward, sigmoid_backward, tanh_forward, tanh_backward

    def sigmoid_forward(x):
        out = 1.0 / (1.0 + np.exp(-x))
        return out, out

    def sigmoid_backward(dout, cache):
        return dout * cache * (1.0 - cache)

    def tanh_forward(x):
        out = np.tanh(x)
        return out, out

    def tanh_backward(dout, cache):
        return dout * (1.0 - cache**2)

    functions = (sigmoid_forward, sigmoid_backward, tanh_forward, tanh_backward)


@buggy(SIG, "'stable' sigmoid with np.where, which still evaluates the overflowing branch", classes=(2,))
class sigmoid_tanh:  # noqa: F811
    global sigmoid_forward, sigmoid_backward, tanh_forward, tanh_backward

    def sigmoid_forward(x):
        out = np.where(x >= 0, 1.0 / (1.0 + np.exp(-x)), np.exp(x) / (1.0 + np.exp(x)))
        return out, out

    def sigmoid_backward(dout, cache):
        return dout * cache * (1.0 - cache)

    def tanh_forward(x):
        out = np.tanh(x)
        return out, out

    def tanh_backward(dout, cache):
        return dout * (1.0 - cache**2)

    functions = (sigmoid_forward, sigmoid_backward, tanh_forward, tanh_backward)


@buggy(SIG, "tanh_forward caches its input x instead of its output, so the backward computes 1 - x**2", classes=(0,))
class sigmoid_tanh:  # noqa: F811
    global sigmoid_forward, sigmoid_backward, tanh_forward, tanh_backward

    def sigmoid_forward(x):
        out = 0.5 * (1.0 + np.tanh(0.5 * x))
        return out, out

    def sigmoid_backward(dout, cache):
        return dout * cache * (1.0 - cache)

    def tanh_forward(x):
        return np.tanh(x), x

    def tanh_backward(dout, cache):
        return dout * (1.0 - cache**2)

    functions = (sigmoid_forward, sigmoid_backward, tanh_forward, tanh_backward)


@buggy(SIG, "sigmoid backward forgets the (1 - s) factor: dx = dout * s", classes=(0,))
class sigmoid_tanh:  # noqa: F811
    global sigmoid_forward, sigmoid_backward, tanh_forward, tanh_backward

    def sigmoid_forward(x):
        out = 0.5 * (1.0 + np.tanh(0.5 * x))
        return out, out

    def sigmoid_backward(dout, cache):
        return dout * cache

    def tanh_forward(x):
        out = np.tanh(x)
        return out, out

    def tanh_backward(dout, cache):
        return dout * (1.0 - cache**2)

    functions = (sigmoid_forward, sigmoid_backward, tanh_forward, tanh_backward)


@buggy(SIG, "tanh from its exponential definition: inf / inf = NaN at |x| = 1000", classes=(2,))
class sigmoid_tanh:  # noqa: F811
    global sigmoid_forward, sigmoid_backward, tanh_forward, tanh_backward

    def sigmoid_forward(x):
        out = 0.5 * (1.0 + np.tanh(0.5 * x))
        return out, out

    def sigmoid_backward(dout, cache):
        return dout * cache * (1.0 - cache)

    def tanh_forward(x):
        e_pos, e_neg = np.exp(x), np.exp(-x)
        out = (e_pos - e_neg) / (e_pos + e_neg)
        return out, out

    def tanh_backward(dout, cache):
        return dout * (1.0 - cache**2)

    functions = (sigmoid_forward, sigmoid_backward, tanh_forward, tanh_backward)


@buggy(SIG, "clips x in place to [-500, 500] to avoid the overflow (the caller's x changes)", classes=(8,))
class sigmoid_tanh:  # noqa: F811
    global sigmoid_forward, sigmoid_backward, tanh_forward, tanh_backward

    def sigmoid_forward(x):
        np.clip(x, -500.0, 500.0, out=x)
        out = 1.0 / (1.0 + np.exp(-x))
        return out, out

    def sigmoid_backward(dout, cache):
        return dout * cache * (1.0 - cache)

    def tanh_forward(x):
        out = np.tanh(x)
        return out, out

    def tanh_backward(dout, cache):
        return dout * (1.0 - cache**2)

    functions = (sigmoid_forward, sigmoid_backward, tanh_forward, tanh_backward)


@buggy(SIG, "[2] tanh as 2 sigmoid(2x) - 1: no overflow, but near 0 it keeps only the digits of 1 + tanh (relative error 1e-8 at x = 1e-8)")
class sigmoid_tanh:  # noqa: F811
    global sigmoid_forward, sigmoid_backward, tanh_forward, tanh_backward

    def sigmoid_forward(x):
        x = np.asarray(x, dtype=np.float64)
        out = np.empty_like(x)
        pos = x >= 0
        out[pos] = 1.0 / (1.0 + np.exp(-x[pos]))
        e = np.exp(x[~pos])
        out[~pos] = e / (1.0 + e)
        return out, x

    def sigmoid_backward(dout, cache):
        e = np.exp(-np.abs(cache))           # s (1 - s) = e / (1 + e)^2 for either sign of x
        return dout * e / (1.0 + e) ** 2

    def tanh_forward(x):
        z = 2.0 * np.asarray(x, dtype=np.float64)
        s = np.empty_like(z)
        pos = z >= 0
        s[pos] = 1.0 / (1.0 + np.exp(-z[pos]))
        e = np.exp(z[~pos])
        s[~pos] = e / (1.0 + e)
        return 2.0 * s - 1.0, x

    def tanh_backward(dout, cache):
        t = np.tanh(cache)
        return dout - dout * t * t

    functions = (sigmoid_forward, sigmoid_backward, tanh_forward, tanh_backward)


@correct(SIG, "sigmoid by a sign mask (exp of -|x| only), caches x; tanh as -expm1(-2|x|) / (2 + expm1(-2|x|)) with the sign of x")
class sigmoid_tanh:  # noqa: F811
    global sigmoid_forward, sigmoid_backward, tanh_forward, tanh_backward

    def sigmoid_forward(x):
        x = np.asarray(x, dtype=np.float64)
        out = np.empty_like(x)
        pos = x >= 0
        out[pos] = 1.0 / (1.0 + np.exp(-x[pos]))
        e = np.exp(x[~pos])
        out[~pos] = e / (1.0 + e)
        return out, x

    def sigmoid_backward(dout, cache):
        e = np.exp(-np.abs(cache))           # s (1 - s) = e / (1 + e)^2 for either sign of x
        return dout * e / (1.0 + e) ** 2

    def tanh_forward(x):
        x = np.asarray(x, dtype=np.float64)
        m = np.expm1(-2.0 * np.abs(x))       # in (-1, 0]: never overflows, exact near 0
        return np.sign(x) * (-m / (2.0 + m)), x

    def tanh_backward(dout, cache):
        t = np.tanh(cache)
        return dout - dout * t * t

    functions = (sigmoid_forward, sigmoid_backward, tanh_forward, tanh_backward)


@correct(SIG, "PyTorch: torch.sigmoid / torch.tanh and torch.autograd.grad on a cached graph")
class sigmoid_tanh:  # noqa: F811
    global sigmoid_forward, sigmoid_backward, tanh_forward, tanh_backward

    def sigmoid_forward(x):
        xt = torch.tensor(x, dtype=torch.float64, requires_grad=True)
        y = torch.sigmoid(xt)
        return y.detach().numpy(), (xt, y)

    def sigmoid_backward(dout, cache):
        xt, y = cache
        (dx,) = torch.autograd.grad(y, xt, torch.as_tensor(dout, dtype=torch.float64), retain_graph=True)
        return dx.numpy()

    def tanh_forward(x):
        xt = torch.tensor(x, dtype=torch.float64, requires_grad=True)
        y = torch.tanh(xt)
        return y.detach().numpy(), (xt, y)

    def tanh_backward(dout, cache):
        xt, y = cache
        (dx,) = torch.autograd.grad(y, xt, torch.as_tensor(dout, dtype=torch.float64), retain_graph=True)
        return dx.numpy()

    functions = (sigmoid_forward, sigmoid_backward, tanh_forward, tanh_backward)


@correct(SIG, "sigmoid as exp(-logaddexp(0, -x)); scipy's expit derivative for the backward")
class sigmoid_tanh:  # noqa: F811
    global sigmoid_forward, sigmoid_backward, tanh_forward, tanh_backward

    def sigmoid_forward(x):
        return np.exp(-np.logaddexp(0.0, -x)), x

    def sigmoid_backward(dout, cache):
        from scipy.special import expit

        return dout * expit(cache) * expit(-cache)

    def tanh_forward(x):
        out = np.tanh(x)
        return out, {"out": out}

    def tanh_backward(dout, cache):
        return dout * (1.0 - cache["out"]) * (1.0 + cache["out"])

    functions = (sigmoid_forward, sigmoid_backward, tanh_forward, tanh_backward)


def _call(factory):
    """Registers what the factory returns (the grade cell passes a tuple of functions)."""
    return factory()


@buggy("03-activations/sigmoid_tanh", "[2] np.where with both branches: exp(-x) and exp(x) both evaluated everywhere, overflow")
@_call
def sigmoid_tanh():
    def sigmoid_forward(x):
        out = np.where(x >= 0, 1.0 / (1.0 + np.exp(-x)), np.exp(x) / (1.0 + np.exp(x)))
        return out, out

    def sigmoid_backward(dout, cache):
        return dout * cache * (1.0 - cache)

    def tanh_forward(x):
        out = np.tanh(x)
        return out, out

    def tanh_backward(dout, cache):
        return dout * (1.0 - cache ** 2)

    return sigmoid_forward, sigmoid_backward, tanh_forward, tanh_backward


@buggy(SIG, "[9] sigmoid forward and backward with torch.sigmoid, returning tensors (documented: ndarrays)",
       classes=(9,))
class sigmoid_tanh:  # noqa: F811
    global sigmoid_forward, sigmoid_backward, tanh_forward, tanh_backward

    def sigmoid_forward(x):
        out = torch.sigmoid(torch.from_numpy(np.array(x, dtype=np.float64)))
        return out, out

    def sigmoid_backward(dout, cache):
        return torch.as_tensor(dout) * cache * (1.0 - cache)

    def tanh_forward(x):
        out = np.tanh(x)
        return out, out

    def tanh_backward(dout, cache):
        return dout * (1.0 - cache**2)

    functions = (sigmoid_forward, sigmoid_backward, tanh_forward, tanh_backward)
