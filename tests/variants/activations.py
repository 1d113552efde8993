"""Buggy and correct answers for the 03-activations exercises.

Every variant is self-contained (imports inside the body, or ``np``, ``torch``, ``math``,
``random`` from the top of this module), so its source can be pasted into a solution cell.

Single-function exercises (``collapse_linear``, ``dead_relu_fraction``) are functions named
as in the notebook. The other exercises are groups of ``<name>_forward`` /
``<name>_backward`` functions; the notebook collects them in a tuple named after the
exercise (``sigmoid_tanh = (sigmoid_forward, ...)``), which the grade cell passes. Their
variants are classes of that same name, whose ``functions`` lists the functions in the
tuple's order; the check accepts such an object in place of the tuple. The ``global``
line makes the definitions module-level names too, so that a class pasted into the solution
cell (as ``python -m grader demo`` does) also serves the figure cells that call the
functions by name.
"""

from __future__ import annotations

import math
import random

import numpy as np
import torch

from . import buggy, correct

COL = "03-activations/collapse_linear"
SIG = "03-activations/sigmoid_tanh"
RELU = "03-activations/relu_leaky_relu"
PE = "03-activations/prelu_elu"
MAX = "03-activations/maxout"
DEAD = "03-activations/dead_relu_fraction"


# --------------------------------------------------------------------------------------
# 03-activations/collapse_linear
# --------------------------------------------------------------------------------------

@buggy(COL, "keeps only the last layer's bias: earlier biases are not carried through", demo=True)
def collapse_linear(layers):
    W = layers[0][0]
    for W_i, _ in layers[1:]:
        W = W_i @ W
    return W, layers[-1][1]


@buggy(COL, "row-vector convention h @ W.T throughout: returns W transposed, shape (in, out)")
def collapse_linear(layers):  # noqa: F811
    W, b = layers[0][0].T, layers[0][1]
    for W_i, b_i in layers[1:]:
        W = W @ W_i.T
        b = b @ W_i.T + b_i
    return W, b


@buggy(COL, "adds the propagated bias into the caller's b_i in place (b_i += W_i @ b)")
def collapse_linear(layers):  # noqa: F811
    W, b = layers[0]
    for W_i, b_i in layers[1:]:
        W = W_i @ W
        b_i += W_i @ b
        b = b_i
    return W, b


@buggy(COL, "starts from a zero bias: the first layer's bias is dropped")
def collapse_linear(layers):  # noqa: F811
    W = layers[0][0]
    b = np.zeros(W.shape[0])
    for W_i, b_i in layers[1:]:
        W = W_i @ W
        b = W_i @ b + b_i
    return W, b


@correct(COL, "composes augmented (out+1, in+1) matrices [[W, b], [0, 1]] with functools.reduce")
def collapse_linear(layers):  # noqa: F811
    from functools import reduce

    def augmented(W, b):
        A = np.zeros((W.shape[0] + 1, W.shape[1] + 1))
        A[:-1, :-1], A[:-1, -1], A[-1, -1] = W, b, 1.0
        return A

    A = reduce(lambda acc, layer: augmented(*layer) @ acc, layers, np.eye(layers[0][0].shape[1] + 1))
    return A[:-1, :-1], A[:-1, -1]


@correct(COL, "probes the network: b = f(0), column i of W = f(e_i) - f(0), with torch")
def collapse_linear(layers):  # noqa: F811
    d = layers[0][0].shape[1]
    h = torch.cat([torch.zeros(1, d, dtype=torch.float64), torch.eye(d, dtype=torch.float64)])  # (1 + d, d)
    for W_i, b_i in layers:
        h = h @ torch.as_tensor(W_i).T + torch.as_tensor(b_i)
    b = h[0]
    return (h[1:] - b).T.numpy(), b.numpy()


# --------------------------------------------------------------------------------------
# 03-activations/sigmoid_tanh
# --------------------------------------------------------------------------------------

@buggy(SIG, "sigmoid as 1 / (1 + np.exp(-x)): exp overflows for x = -1000", demo=True)
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


@buggy(SIG, "'stable' sigmoid with np.where, which still evaluates the overflowing branch")
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


@buggy(SIG, "tanh backward squares the input instead of the output: 1 - x**2")
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


@buggy(SIG, "sigmoid backward forgets the (1 - s) factor: dx = dout * s")
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


@buggy(SIG, "tanh from its exponential definition: inf / inf = NaN at |x| = 1000")
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


@buggy(SIG, "clips x in place to [-500, 500] to avoid the overflow (the caller's x changes)")
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


@correct(SIG, "sigmoid by a sign mask (exp of -|x| only), caches x; tanh as 2 sigmoid(2x) - 1")
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


# --------------------------------------------------------------------------------------
# 03-activations/relu_leaky_relu
# --------------------------------------------------------------------------------------

@buggy(RELU, "gradient mask x >= 0: ReLU'(0) = 1 and LeakyReLU'(0) = 1", demo=True)
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


@buggy(RELU, "ReLU forward zeroes the negatives in place: x[x < 0] = 0")
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


@buggy(RELU, "Leaky ReLU backward copied from ReLU: no gradient on the negative side")
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


@buggy(RELU, "Leaky ReLU ignores its negative_slope argument (always 0.01)")
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


@buggy(RELU, "ReLU backward returns the mask itself, not dout times the mask")
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


# --------------------------------------------------------------------------------------
# 03-activations/prelu_elu
# --------------------------------------------------------------------------------------

@buggy(PE, "dalpha sums dout * x over ALL entries, also where x > 0", demo=True)
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


@buggy(PE, "dalpha is not summed over the batch: shape (N, D) instead of alpha's")
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


@buggy(PE, "ELU backward forgets alpha: exp(x) instead of alpha * exp(x)")
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


@buggy(PE, "ELU forward ignores alpha: exp(x) - 1 on the negative side")
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


@buggy(PE, "ELU derivative taken from the positive side at 0 (mask x >= 0): 1 instead of alpha")
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


@buggy(PE, "PReLU backward copied from ReLU: dx = 0 on the negative side")
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


# --------------------------------------------------------------------------------------
# 03-activations/maxout
# --------------------------------------------------------------------------------------

@buggy(MAX, "backward sends dout to every piece, not only to the winning one", demo=True)
class maxout:
    global maxout_forward, maxout_backward

    def maxout_forward(x, W, b):
        z = np.einsum("nd,dhk->nhk", x, W) + b
        return z.max(axis=2), (x, W)

    def maxout_backward(dout, cache):
        x, W = cache
        dz = np.repeat(dout[:, :, None], W.shape[2], axis=2)
        return np.einsum("nhk,dhk->nd", dz, W), np.einsum("nd,nhk->dhk", x, dz), dz.sum(axis=0)

    functions = (maxout_forward, maxout_backward)


@buggy(MAX, "db averaged over the batch instead of summed")
class maxout:  # noqa: F811
    global maxout_forward, maxout_backward

    def maxout_forward(x, W, b):
        z = np.einsum("nd,dhk->nhk", x, W) + b
        return z.max(axis=2), (x, W, z)

    def maxout_backward(dout, cache):
        x, W, z = cache
        dz = (z == z.max(axis=2, keepdims=True)) * dout[:, :, None]
        return np.einsum("nhk,dhk->nd", dz, W), np.einsum("nd,nhk->dhk", x, dz), dz.mean(axis=0)

    functions = (maxout_forward, maxout_backward)


@buggy(MAX, "forward leaves out the bias b")
class maxout:  # noqa: F811
    global maxout_forward, maxout_backward

    def maxout_forward(x, W, b):
        z = np.einsum("nd,dhk->nhk", x, W)
        return z.max(axis=2), (x, W, z)

    def maxout_backward(dout, cache):
        x, W, z = cache
        dz = (z == z.max(axis=2, keepdims=True)) * dout[:, :, None]
        return np.einsum("nhk,dhk->nd", dz, W), np.einsum("nd,nhk->dhk", x, dz), dz.sum(axis=0)

    functions = (maxout_forward, maxout_backward)


@buggy(MAX, "takes the max over the hidden units (axis 1) instead of over the k pieces")
class maxout:  # noqa: F811
    global maxout_forward, maxout_backward

    def maxout_forward(x, W, b):
        z = np.einsum("nd,dhk->nhk", x, W) + b
        return z.max(axis=1), (x, W, z)

    def maxout_backward(dout, cache):
        x, W, z = cache
        dz = (z == z.max(axis=1, keepdims=True)) * dout[:, None, :]
        return np.einsum("nhk,dhk->nd", dz, W), np.einsum("nd,nhk->dhk", x, dz), dz.sum(axis=0)

    functions = (maxout_forward, maxout_backward)


@buggy(MAX, "dx ignores the mask: dout @ sum_k W_k.T, while dW and db are right")
class maxout:  # noqa: F811
    global maxout_forward, maxout_backward

    def maxout_forward(x, W, b):
        z = np.einsum("nd,dhk->nhk", x, W) + b
        return z.max(axis=2), (x, W, z)

    def maxout_backward(dout, cache):
        x, W, z = cache
        dz = (z == z.max(axis=2, keepdims=True)) * dout[:, :, None]
        dx = dout @ W.sum(axis=2).T
        return dx, np.einsum("nd,nhk->dhk", x, dz), dz.sum(axis=0)

    functions = (maxout_forward, maxout_backward)


@correct(MAX, "argmax and take_along_axis; a loop over the k pieces in the backward")
class maxout:  # noqa: F811
    global maxout_forward, maxout_backward

    def maxout_forward(x, W, b):
        N, (D, H, k) = x.shape[0], W.shape
        z = (x @ W.reshape(D, H * k)).reshape(N, H, k) + b      # (N, H, k)
        winner = z.argmax(axis=2)                               # (N, H)
        out = np.take_along_axis(z, winner[:, :, None], axis=2)[:, :, 0]
        return out, (x, W, winner)

    def maxout_backward(dout, cache):
        x, W, winner = cache
        dx = np.zeros_like(x, dtype=np.float64)
        dW = np.zeros_like(W, dtype=np.float64)
        db = np.zeros(W.shape[1:])
        for j in range(W.shape[2]):
            dz_j = dout * (winner == j)                         # (N, H)
            dx += dz_j @ W[:, :, j].T
            dW[:, :, j] = x.T @ dz_j
            db[:, j] = dz_j.sum(axis=0)
        return dx, dW, db

    functions = (maxout_forward, maxout_backward)


@correct(MAX, "PyTorch: einsum, torch.max over the pieces and autograd")
class maxout:  # noqa: F811
    global maxout_forward, maxout_backward

    def maxout_forward(x, W, b):
        ts = [torch.tensor(a, dtype=torch.float64, requires_grad=True) for a in (x, W, b)]
        out = (torch.einsum("nd,dhk->nhk", ts[0], ts[1]) + ts[2]).max(dim=2).values
        return out.detach().numpy(), (ts, out)

    def maxout_backward(dout, cache):
        ts, out = cache
        grads = torch.autograd.grad(out, ts, torch.as_tensor(dout, dtype=torch.float64), retain_graph=True)
        return tuple(g.numpy() for g in grads)

    functions = (maxout_forward, maxout_backward)


# --------------------------------------------------------------------------------------
# 03-activations/dead_relu_fraction
# --------------------------------------------------------------------------------------

@buggy(DEAD, "fraction of ENTRIES <= 0, not of units that are <= 0 on every example", demo=True)
def dead_relu_fraction(pre_activations):
    return float(np.mean(pre_activations <= 0))


@buggy(DEAD, "tests < 0: a unit whose output is exactly 0 counts as firing")
def dead_relu_fraction(pre_activations):  # noqa: F811
    return float(np.mean(np.all(pre_activations < 0, axis=0)))


@buggy(DEAD, "any() instead of all(): a unit that is off once counts as dead")
def dead_relu_fraction(pre_activations):  # noqa: F811
    return float(np.mean(np.any(pre_activations <= 0, axis=0)))


@buggy(DEAD, "reduces over the units (axis 1): fraction of examples on which every unit is off")
def dead_relu_fraction(pre_activations):  # noqa: F811
    return float(np.mean(np.all(pre_activations <= 0, axis=1)))


@buggy(DEAD, "returns the number of dead units, not the fraction")
def dead_relu_fraction(pre_activations):  # noqa: F811
    return int(np.sum(np.all(pre_activations <= 0, axis=0)))


@correct(DEAD, "1 - fraction of units that fire at least once (any > 0)")
def dead_relu_fraction(pre_activations):  # noqa: F811
    fires = (np.asarray(pre_activations) > 0).any(axis=0)     # (H,)
    return 1.0 - fires.sum() / fires.size


@correct(DEAD, "the largest pre-activation of each unit over the data is <= 0, in torch")
def dead_relu_fraction(pre_activations):  # noqa: F811
    a = torch.as_tensor(pre_activations)
    return (a.amax(dim=0) <= 0).double().mean().item()
