"""Buggy and correct answers to 03-activations/prelu_elu (self-contained: see tests/variants/__init__.py)."""

from __future__ import annotations

import numpy as np
import torch

from .. import buggy, correct

PE = "03-activations/prelu_elu"


@buggy(PE, "dalpha sums dout * x over ALL entries, also where x > 0", demo=True, classes=(0,))
class prelu_elu:
    global prelu_forward, prelu_backward, elu_forward, elu_backward

    def prelu_forward(x, alpha):
        return np.where(x > 0, x, alpha * x), (x, alpha)

    def prelu_backward(dout, cache):
        x, alpha = cache
        dx = np.where(x > 0, dout, alpha * dout)
        dalpha = np.sum(dout * x, axis=0)
        return dx, dalpha.reshape(alpha.shape) if alpha.size > 1 else np.sum(dalpha).reshape(alpha.shape)

    def elu_forward(x, alpha=1.0):
        return np.where(x > 0, x, alpha * np.expm1(np.minimum(x, 0.0))), (x, alpha)

    def elu_backward(dout, cache):
        x, alpha = cache
        return dout * np.where(x > 0, 1.0, alpha * np.exp(np.minimum(x, 0.0)))

    functions = (prelu_forward, prelu_backward, elu_forward, elu_backward)


@buggy(PE, "dalpha is not summed over the batch: shape (N, D) instead of alpha's", classes=(9,))
class prelu_elu:  # noqa: F811
    global prelu_forward, prelu_backward, elu_forward, elu_backward

    def prelu_forward(x, alpha):
        return np.where(x > 0, x, alpha * x), (x, alpha)

    def prelu_backward(dout, cache):
        x, alpha = cache
        dx = np.where(x > 0, dout, alpha * dout)
        return dx, np.where(x > 0, 0.0, dout * x)

    def elu_forward(x, alpha=1.0):
        return np.where(x > 0, x, alpha * np.expm1(np.minimum(x, 0.0))), (x, alpha)

    def elu_backward(dout, cache):
        x, alpha = cache
        return dout * np.where(x > 0, 1.0, alpha * np.exp(np.minimum(x, 0.0)))

    functions = (prelu_forward, prelu_backward, elu_forward, elu_backward)


@buggy(PE, "ELU backward forgets alpha: exp(x) instead of alpha * exp(x)", classes=(7,))
class prelu_elu:  # noqa: F811
    global prelu_forward, prelu_backward, elu_forward, elu_backward

    def prelu_forward(x, alpha):
        return np.maximum(x, 0) + alpha * np.minimum(x, 0), (x, alpha)

    def prelu_backward(dout, cache):
        x, alpha = cache
        dx = np.where(x > 0, dout, alpha * dout)
        dalpha = np.sum(dout * np.minimum(x, 0), axis=0)
        return dx, dalpha if alpha.size > 1 else np.array([dalpha.sum()])

    def elu_forward(x, alpha=1.0):
        return np.where(x > 0, x, alpha * np.expm1(np.minimum(x, 0.0))), x

    def elu_backward(dout, cache):
        return dout * np.where(cache > 0, 1.0, np.exp(np.minimum(cache, 0.0)))

    functions = (prelu_forward, prelu_backward, elu_forward, elu_backward)


@buggy(PE, "ELU forward ignores alpha: exp(x) - 1 on the negative side", classes=(7,))
class prelu_elu:  # noqa: F811
    global prelu_forward, prelu_backward, elu_forward, elu_backward

    def prelu_forward(x, alpha):
        return np.maximum(x, 0) + alpha * np.minimum(x, 0), (x, alpha)

    def prelu_backward(dout, cache):
        x, alpha = cache
        dx = np.where(x > 0, dout, alpha * dout)
        dalpha = np.sum(dout * np.minimum(x, 0), axis=0)
        return dx, dalpha if alpha.size > 1 else np.array([dalpha.sum()])

    def elu_forward(x, alpha=1.0):
        out = np.where(x > 0, x, np.expm1(np.minimum(x, 0.0)))
        return out, (x, alpha)

    def elu_backward(dout, cache):
        x, alpha = cache
        return dout * np.where(x > 0, 1.0, alpha * np.exp(np.minimum(x, 0.0)))

    functions = (prelu_forward, prelu_backward, elu_forward, elu_backward)


@buggy(PE, "ELU derivative taken from the positive side at 0 (mask x >= 0): 1 instead of alpha", classes=(7,))
class prelu_elu:  # noqa: F811
    global prelu_forward, prelu_backward, elu_forward, elu_backward

    def prelu_forward(x, alpha):
        return np.where(x > 0, x, alpha * x), (x, alpha)

    def prelu_backward(dout, cache):
        x, alpha = cache
        neg = x <= 0
        dalpha = (dout * x * neg).sum(axis=0)
        return np.where(neg, alpha * dout, dout), dalpha if alpha.size > 1 else dalpha.sum(keepdims=True)

    def elu_forward(x, alpha=1.0):
        return np.where(x >= 0, x, alpha * np.expm1(np.minimum(x, 0.0))), (x, alpha)

    def elu_backward(dout, cache):
        x, alpha = cache
        return dout * np.where(x >= 0, 1.0, alpha * np.exp(np.minimum(x, 0.0)))

    functions = (prelu_forward, prelu_backward, elu_forward, elu_backward)


@buggy(PE, "PReLU backward copied from ReLU: dx = 0 on the negative side", classes=(0,))
class prelu_elu:  # noqa: F811
    global prelu_forward, prelu_backward, elu_forward, elu_backward

    def prelu_forward(x, alpha):
        return np.where(x > 0, x, alpha * x), (x, alpha)

    def prelu_backward(dout, cache):
        x, alpha = cache
        dalpha = (dout * np.minimum(x, 0)).sum(axis=0)
        return dout * (x > 0), dalpha if alpha.size > 1 else dalpha.sum(keepdims=True)

    def elu_forward(x, alpha=1.0):
        return np.where(x > 0, x, alpha * np.expm1(np.minimum(x, 0.0))), (x, alpha)

    def elu_backward(dout, cache):
        x, alpha = cache
        return dout * np.where(x > 0, 1.0, alpha * np.exp(np.minimum(x, 0.0)))

    functions = (prelu_forward, prelu_backward, elu_forward, elu_backward)


@correct(PE, "PyTorch F.prelu / F.elu with autograd")
class prelu_elu:  # noqa: F811
    global prelu_forward, prelu_backward, elu_forward, elu_backward

    def prelu_forward(x, alpha):
        xt = torch.tensor(x, dtype=torch.float64, requires_grad=True)
        at = torch.tensor(alpha, dtype=torch.float64, requires_grad=True)
        y = torch.nn.functional.prelu(xt, at)
        return y.detach().numpy(), (xt, at, y)

    def prelu_backward(dout, cache):
        xt, at, y = cache
        dx, da = torch.autograd.grad(y, (xt, at), torch.as_tensor(dout, dtype=torch.float64), retain_graph=True)
        return dx.numpy(), da.numpy()

    def elu_forward(x, alpha=1.0):
        xt = torch.tensor(x, dtype=torch.float64, requires_grad=True)
        y = torch.nn.functional.elu(xt, alpha)
        return y.detach().numpy(), (xt, y)

    def elu_backward(dout, cache):
        xt, y = cache
        (dx,) = torch.autograd.grad(y, xt, torch.as_tensor(dout, dtype=torch.float64), retain_graph=True)
        return dx.numpy()

    functions = (prelu_forward, prelu_backward, elu_forward, elu_backward)


@correct(PE, "max/min split with sum_to_shape for dalpha; ELU backward from the cached output (out + alpha)")
class prelu_elu:  # noqa: F811
    global prelu_forward, prelu_backward, elu_forward, elu_backward

    def prelu_forward(x, alpha):
        neg = np.minimum(x, 0.0)
        return np.maximum(x, 0.0) + alpha * neg, (neg, x > 0, alpha)

    def prelu_backward(dout, cache):
        neg, positive, alpha = cache
        dx = dout * np.where(positive, 1.0, alpha)
        per_entry = np.broadcast_to(dout * neg, dout.shape)
        dalpha = per_entry.sum(axis=0)                      # (D,)
        if alpha.shape != dalpha.shape:
            dalpha = dalpha.sum().reshape(alpha.shape)      # one shared slope
        return dx, dalpha

    def elu_forward(x, alpha=1.0):
        out = x.astype(np.float64, copy=True)
        neg = x <= 0
        out[neg] = alpha * np.expm1(x[neg])
        return out, (out, neg, alpha)

    def elu_backward(dout, cache):
        out, neg, alpha = cache
        dx = dout.copy()
        dx[neg] = dout[neg] * (out[neg] + alpha)
        return dx

    functions = (prelu_forward, prelu_backward, elu_forward, elu_backward)


def _call(factory):
    """Registers what the factory returns (the grade cell passes a tuple of functions)."""
    return factory()


@buggy("03-activations/prelu_elu", "[2] ELU with np.where(x > 0, x, alpha*(exp(x)-1)): exp overflows in the discarded branch")
@_call
def prelu_elu():
    def prelu_forward(x, alpha):
        return np.where(x > 0, x, alpha * x), (x.copy(), alpha.copy())

    def prelu_backward(dout, cache):
        x, alpha = cache
        dx = np.where(x > 0, dout, alpha * dout)
        dalpha = np.where(x > 0, 0.0, dout * x).sum(axis=0)
        if alpha.shape == (1,):
            dalpha = dalpha.sum(keepdims=True)
        return dx, dalpha

    def elu_forward(x, alpha=1.0):
        return np.where(x > 0, x, alpha * (np.exp(x) - 1)), (x.copy(), alpha)

    def elu_backward(dout, cache):
        x, alpha = cache
        return np.where(x > 0, dout, alpha * np.exp(x) * dout)

    return prelu_forward, prelu_backward, elu_forward, elu_backward


@buggy("03-activations/prelu_elu", "[2] ELU with exp(x) - 1 instead of expm1 (no overflow: masked), relative error ~1e-7 near 0")
@_call
def prelu_elu():
    def prelu_forward(x, alpha):
        return np.where(x > 0, x, alpha * x), (x.copy(), alpha.copy())

    def prelu_backward(dout, cache):
        x, alpha = cache
        dx = np.where(x > 0, dout, alpha * dout)
        dalpha = np.where(x > 0, 0.0, dout * x).sum(axis=0)
        if alpha.shape == (1,):
            dalpha = dalpha.sum(keepdims=True)
        return dx, dalpha

    def elu_forward(x, alpha=1.0):
        out = x.astype(float)
        neg = x <= 0
        out[neg] = alpha * (np.exp(x[neg]) - 1.0)
        return out, (x.copy(), alpha)

    def elu_backward(dout, cache):
        x, alpha = cache
        dx = dout.astype(float)
        neg = x <= 0
        dx[neg] = alpha * np.exp(x[neg]) * dout[neg]
        return dx

    return prelu_forward, prelu_backward, elu_forward, elu_backward


@buggy(PE, "[6] dalpha summed over the batch only: shape (D,) also for a shared slope of shape (1,)",
       classes=(6,))
class prelu_elu:  # noqa: F811
    global prelu_forward, prelu_backward, elu_forward, elu_backward

    def prelu_forward(x, alpha):
        return np.where(x > 0, x, alpha * x), (x, alpha)

    def prelu_backward(dout, cache):
        x, alpha = cache
        dx = np.where(x > 0, dout, alpha * dout)
        return dx, np.sum(np.where(x > 0, 0.0, dout * x), axis=0)

    def elu_forward(x, alpha=1.0):
        out = np.where(x > 0, x, alpha * np.expm1(np.minimum(x, 0.0)))
        return out, (x, out, alpha)

    def elu_backward(dout, cache):
        x, out, alpha = cache
        return dout * np.where(x > 0, 1.0, out + alpha)

    functions = (prelu_forward, prelu_backward, elu_forward, elu_backward)


@buggy(PE, "[8] ELU backward scales dout in place (dx = dout; dx[neg] *= alpha e^x): modifies dout",
       classes=(8,))
class prelu_elu:  # noqa: F811
    global prelu_forward, prelu_backward, elu_forward, elu_backward

    def prelu_forward(x, alpha):
        return np.where(x > 0, x, alpha * x), (x, alpha)

    def prelu_backward(dout, cache):
        x, alpha = cache
        negative = x <= 0
        dalpha = np.sum(np.where(negative, dout * x, 0.0), axis=0)
        if dalpha.shape != alpha.shape:
            dalpha = np.sum(dalpha).reshape(alpha.shape)
        return np.where(negative, alpha * dout, dout), dalpha

    def elu_forward(x, alpha=1.0):
        out = np.where(x > 0, x, alpha * np.expm1(np.minimum(x, 0.0)))
        return out, (x, out, alpha)

    def elu_backward(dout, cache):
        x, out, alpha = cache
        dx = dout
        neg = x <= 0
        dx[neg] *= out[neg] + alpha               # alpha e^x on the negative side
        return dx

    functions = (prelu_forward, prelu_backward, elu_forward, elu_backward)
