import math, random
import numpy as np
import torch
from tests.variants import buggy, correct


def _call(factory):
    """Registers the tuple the factory returns (the grade cell passes a tuple of four functions)."""
    return factory()


@buggy("03-activations/sigmoid_tanh", "[2] naive sigmoid 1 / (1 + exp(-x)): overflows for x < -709")
@_call
def sigmoid_tanh():
    def sigmoid_forward(x):
        out = 1.0 / (1.0 + np.exp(-x))
        return out, out

    def sigmoid_backward(dout, cache):
        return dout * cache * (1.0 - cache)

    def tanh_forward(x):
        out = np.tanh(x)
        return out, out

    def tanh_backward(dout, cache):
        return dout * (1.0 - cache ** 2)

    return sigmoid_forward, sigmoid_backward, tanh_forward, tanh_backward




@buggy("03-activations/sigmoid_tanh", "[2] stable sigmoid, but tanh from the exponential formula (inf/inf = nan, overflow)")
@_call
def sigmoid_tanh():
    def sigmoid_forward(x):
        e = np.exp(-np.abs(x))
        out = np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))
        return out, out

    def sigmoid_backward(dout, cache):
        return dout * cache * (1.0 - cache)

    def tanh_forward(x):
        out = (np.exp(x) - np.exp(-x)) / (np.exp(x) + np.exp(-x))
        return out, out

    def tanh_backward(dout, cache):
        return dout * (1.0 - cache ** 2)

    return sigmoid_forward, sigmoid_backward, tanh_forward, tanh_backward


@buggy("03-activations/sigmoid_tanh", "[2,7] naive sigmoid wrapped in np.errstate(over='ignore'): silences the overflow instead of avoiding it")
@_call
def sigmoid_tanh():
    def sigmoid_forward(x):
        with np.errstate(over="ignore"):
            out = 1.0 / (1.0 + np.exp(-x))
        return out, out

    def sigmoid_backward(dout, cache):
        return dout * cache * (1.0 - cache)

    def tanh_forward(x):
        out = np.tanh(x)
        return out, out

    def tanh_backward(dout, cache):
        return dout * (1.0 - cache ** 2)

    return sigmoid_forward, sigmoid_backward, tanh_forward, tanh_backward


@buggy("03-activations/sigmoid_tanh", "[2,10] clips x to [-30, 30] before the naive formula: sigmoid(-100) = 9e-14, sigmoid'(-100) = 9e-14")
@_call
def sigmoid_tanh():
    def sigmoid_forward(x):
        out = 1.0 / (1.0 + np.exp(-np.clip(x, -30.0, 30.0)))
        return out, out

    def sigmoid_backward(dout, cache):
        return dout * cache * (1.0 - cache)

    def tanh_forward(x):
        out = np.tanh(x)
        return out, out

    def tanh_backward(dout, cache):
        return dout * (1.0 - cache ** 2)

    return sigmoid_forward, sigmoid_backward, tanh_forward, tanh_backward


@buggy("03-activations/sigmoid_tanh", "[2] negative side as 1 - 1/(1+exp(x)): cancellation, sigmoid(-40) = 0 instead of 4e-18")
@_call
def sigmoid_tanh():
    def sigmoid_forward(x):
        out = np.empty_like(x, dtype=float)
        pos = x >= 0
        out[pos] = 1.0 / (1.0 + np.exp(-x[pos]))
        out[~pos] = 1.0 - 1.0 / (1.0 + np.exp(x[~pos]))
        return out, out

    def sigmoid_backward(dout, cache):
        return dout * cache * (1.0 - cache)

    def tanh_forward(x):
        out = np.tanh(x)
        return out, out

    def tanh_backward(dout, cache):
        return dout * (1.0 - cache ** 2)

    return sigmoid_forward, sigmoid_backward, tanh_forward, tanh_backward


@buggy("03-activations/sigmoid_tanh", "[2,7] tanh as 2*sigmoid(2x) - 1 instead of np.tanh: relative error ~1e-6 at x = 1e-10")
@_call
def sigmoid_tanh():
    def _sig(x):
        e = np.exp(-np.abs(x))
        return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))

    def sigmoid_forward(x):
        out = _sig(x)
        return out, out

    def sigmoid_backward(dout, cache):
        return dout * cache * (1.0 - cache)

    def tanh_forward(x):
        out = 2.0 * _sig(2.0 * x) - 1.0
        return out, out

    def tanh_backward(dout, cache):
        return dout * (1.0 - cache ** 2)

    return sigmoid_forward, sigmoid_backward, tanh_forward, tanh_backward


@buggy("03-activations/sigmoid_tanh", "[8] backward multiplies dout in place and returns it")
@_call
def sigmoid_tanh():
    def sigmoid_forward(x):
        e = np.exp(-np.abs(x))
        out = np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))
        return out, out

    def sigmoid_backward(dout, cache):
        dout *= cache * (1.0 - cache)
        return dout

    def tanh_forward(x):
        out = np.tanh(x)
        return out, out

    def tanh_backward(dout, cache):
        dout *= 1.0 - cache ** 2
        return dout

    return sigmoid_forward, sigmoid_backward, tanh_forward, tanh_backward


@buggy("03-activations/sigmoid_tanh", "[8] the cache is the returned out array itself: a caller that edits out in place changes the backward")
@_call
def sigmoid_tanh():
    def sigmoid_forward(x):
        out = np.empty_like(x, dtype=float)
        pos = x >= 0
        out[pos] = 1.0 / (1.0 + np.exp(-x[pos]))
        e = np.exp(x[~pos])
        out[~pos] = e / (1.0 + e)
        return out, {"s": out}

    def sigmoid_backward(dout, cache):
        s = cache["s"]
        return dout * s * (1.0 - s)

    def tanh_forward(x):
        out = np.tanh(x)
        return out, {"t": out}

    def tanh_backward(dout, cache):
        return dout * (1.0 - cache["t"] ** 2)

    return sigmoid_forward, sigmoid_backward, tanh_forward, tanh_backward


@buggy("03-activations/sigmoid_tanh", "[8] forward stores the output into x in place (np.tanh(x, out=x), x[...] = sigmoid)")
@_call
def sigmoid_tanh():
    def sigmoid_forward(x):
        e = np.exp(-np.abs(x))
        pos = x >= 0
        x[pos] = 1.0 / (1.0 + e[pos])
        x[~pos] = e[~pos] / (1.0 + e[~pos])
        return x, x.copy()

    def sigmoid_backward(dout, cache):
        return dout * cache * (1.0 - cache)

    def tanh_forward(x):
        np.tanh(x, out=x)
        return x, x.copy()

    def tanh_backward(dout, cache):
        return dout * (1.0 - cache ** 2)

    return sigmoid_forward, sigmoid_backward, tanh_forward, tanh_backward


@correct("03-activations/sigmoid_tanh", "sigmoid = exp(-logaddexp(0, -x)); cache x and recompute in backward")
@_call
def sigmoid_tanh():
    def sigmoid_forward(x):
        out = np.exp(-np.logaddexp(0.0, -x))
        return out, x.copy()

    def sigmoid_backward(dout, cache):
        s = np.exp(-np.logaddexp(0.0, -cache))
        return dout * s * (1.0 - s)

    def tanh_forward(x):
        return np.tanh(x), x.copy()

    def tanh_backward(dout, cache):
        t = np.tanh(cache)
        return dout * (1.0 - t * t)

    return sigmoid_forward, sigmoid_backward, tanh_forward, tanh_backward


@correct("03-activations/sigmoid_tanh", "torch.sigmoid / torch.tanh on float64 tensors, converted back to numpy")
@_call
def sigmoid_tanh():
    def sigmoid_forward(x):
        out = torch.sigmoid(torch.from_numpy(np.asarray(x, dtype=np.float64))).numpy()
        return out, out.copy()

    def sigmoid_backward(dout, cache):
        return dout * cache * (1.0 - cache)

    def tanh_forward(x):
        out = torch.tanh(torch.from_numpy(np.asarray(x, dtype=np.float64))).numpy()
        return out, out.copy()

    def tanh_backward(dout, cache):
        return dout * (1.0 - cache ** 2)

    return sigmoid_forward, sigmoid_backward, tanh_forward, tanh_backward
