import math, random
import numpy as np
import torch
from tests.variants import buggy, correct


def _call(factory):
    """Registers the tuple the factory returns (the grade cell passes a tuple of four functions)."""
    return factory()


@buggy("03-activations/relu_leaky_relu", "[7] ReLU backward mask x >= 0: relu'(0) = 1 instead of 0")
@_call
def relu_leaky_relu():
    def relu_forward(x):
        return np.maximum(x, 0), x.copy()

    def relu_backward(dout, cache):
        return dout * (cache >= 0)

    def leaky_relu_forward(x, negative_slope=0.01):
        return np.where(x > 0, x, negative_slope * x), (x.copy(), negative_slope)

    def leaky_relu_backward(dout, cache):
        x, a = cache
        return np.where(x > 0, dout, a * dout)

    return relu_forward, relu_backward, leaky_relu_forward, leaky_relu_backward


@buggy("03-activations/relu_leaky_relu", "[7] Leaky ReLU backward mask x >= 0: lrelu'(0) = 1 instead of a")
@_call
def relu_leaky_relu():
    def relu_forward(x):
        return np.maximum(x, 0), x.copy()

    def relu_backward(dout, cache):
        return dout * (cache > 0)

    def leaky_relu_forward(x, negative_slope=0.01):
        return np.where(x >= 0, x, negative_slope * x), (x.copy(), negative_slope)

    def leaky_relu_backward(dout, cache):
        x, a = cache
        return np.where(x >= 0, dout, a * dout)

    return relu_forward, relu_backward, leaky_relu_forward, leaky_relu_backward


@buggy("03-activations/relu_leaky_relu", "[7,10] Leaky ReLU backward uses the default slope 0.01, not the slope remembered in the cache")
@_call
def relu_leaky_relu():
    def relu_forward(x):
        return np.maximum(x, 0), x.copy()

    def relu_backward(dout, cache):
        return dout * (cache > 0)

    def leaky_relu_forward(x, negative_slope=0.01):
        return np.where(x > 0, x, negative_slope * x), x.copy()

    def leaky_relu_backward(dout, cache):
        return np.where(cache > 0, dout, 0.01 * dout)

    return relu_forward, relu_backward, leaky_relu_forward, leaky_relu_backward


@buggy("03-activations/relu_leaky_relu", "[7] keyword named `slope`, not `negative_slope` (TypeError when called with negative_slope=)")
@_call
def relu_leaky_relu():
    def relu_forward(x):
        return np.maximum(x, 0), x.copy()

    def relu_backward(dout, cache):
        return dout * (cache > 0)

    def leaky_relu_forward(x, slope=0.01):
        return np.where(x > 0, x, slope * x), (x.copy(), slope)

    def leaky_relu_backward(dout, cache):
        x, a = cache
        return np.where(x > 0, dout, a * dout)

    return relu_forward, relu_backward, leaky_relu_forward, leaky_relu_backward


@buggy("03-activations/relu_leaky_relu", "[8] ReLU forward zeroes the negatives of x in place (x[x < 0] = 0)")
@_call
def relu_leaky_relu():
    def relu_forward(x):
        mask = x > 0
        x[~mask] = 0
        return x, mask

    def relu_backward(dout, cache):
        return dout * cache

    def leaky_relu_forward(x, negative_slope=0.01):
        return np.where(x > 0, x, negative_slope * x), (x.copy(), negative_slope)

    def leaky_relu_backward(dout, cache):
        x, a = cache
        return np.where(x > 0, dout, a * dout)

    return relu_forward, relu_backward, leaky_relu_forward, leaky_relu_backward


@buggy("03-activations/relu_leaky_relu", "[8] backward zeroes dout in place and returns it (CS231n-style dx = dout; dx[x <= 0] = 0)")
@_call
def relu_leaky_relu():
    def relu_forward(x):
        return np.maximum(x, 0), x.copy()

    def relu_backward(dout, cache):
        dx = dout
        dx[cache <= 0] = 0
        return dx

    def leaky_relu_forward(x, negative_slope=0.01):
        return np.where(x > 0, x, negative_slope * x), (x.copy(), negative_slope)

    def leaky_relu_backward(dout, cache):
        x, a = cache
        dx = dout
        dx[x <= 0] *= a
        return dx

    return relu_forward, relu_backward, leaky_relu_forward, leaky_relu_backward


@buggy("03-activations/relu_leaky_relu", "[8] cache is x itself (no copy): a caller that later edits x in place changes the backward")
@_call
def relu_leaky_relu():
    def relu_forward(x):
        return np.maximum(x, 0), x

    def relu_backward(dout, cache):
        return dout * (cache > 0)

    def leaky_relu_forward(x, negative_slope=0.01):
        return np.where(x > 0, x, negative_slope * x), (x, negative_slope)

    def leaky_relu_backward(dout, cache):
        x, a = cache
        return np.where(x > 0, dout, a * dout)

    return relu_forward, relu_backward, leaky_relu_forward, leaky_relu_backward


@buggy("03-activations/relu_leaky_relu", "[6] element loop over x.flat, forgets to reshape: out and dx of shape (x.size,)")
@_call
def relu_leaky_relu():
    def relu_forward(x):
        out = np.array([v if v > 0 else 0.0 for v in x.flat])
        return out, x.copy()

    def relu_backward(dout, cache):
        return np.array([d if v > 0 else 0.0 for d, v in zip(dout.flat, cache.flat)])

    def leaky_relu_forward(x, negative_slope=0.01):
        out = np.array([v if v > 0 else negative_slope * v for v in x.flat])
        return out, (x.copy(), negative_slope)

    def leaky_relu_backward(dout, cache):
        x, a = cache
        return np.array([d if v > 0 else a * d for d, v in zip(dout.flat, x.flat)])

    return relu_forward, relu_backward, leaky_relu_forward, leaky_relu_backward


@correct("03-activations/relu_leaky_relu", "Leaky ReLU as np.maximum(x, a x) (valid for a < 1); masks taken from the cached output (out > 0 iff x > 0)")
@_call
def relu_leaky_relu():
    def relu_forward(x):
        out = np.maximum(x, 0.0)
        return out, out.copy()

    def relu_backward(dout, cache):
        return np.where(cache > 0, dout, 0.0)

    def leaky_relu_forward(x, negative_slope=0.01):
        out = np.maximum(x, negative_slope * x)
        return out, {"out": out.copy(), "a": negative_slope}

    def leaky_relu_backward(dout, cache):
        return np.where(cache["out"] > 0, dout, cache["a"] * dout)

    return relu_forward, relu_backward, leaky_relu_forward, leaky_relu_backward


@correct("03-activations/relu_leaky_relu", "torch.relu / F.leaky_relu with autograd for the backward")
@_call
def relu_leaky_relu():
    import torch.nn.functional as F

    def relu_forward(x):
        t = torch.tensor(x, dtype=torch.float64, requires_grad=True)
        out = torch.relu(t)
        return out.detach().numpy().copy(), (t, out)

    def relu_backward(dout, cache):
        t, out = cache
        (g,) = torch.autograd.grad(out, t, torch.as_tensor(np.array(dout, dtype=np.float64)), retain_graph=True)
        return g.numpy().copy()

    def leaky_relu_forward(x, negative_slope=0.01):
        t = torch.tensor(x, dtype=torch.float64, requires_grad=True)
        out = F.leaky_relu(t, negative_slope)
        return out.detach().numpy().copy(), (t, out)

    def leaky_relu_backward(dout, cache):
        t, out = cache
        (g,) = torch.autograd.grad(out, t, torch.as_tensor(np.array(dout, dtype=np.float64)), retain_graph=True)
        return g.numpy().copy()

    return relu_forward, relu_backward, leaky_relu_forward, leaky_relu_backward
