import math, random
import numpy as np
import torch
from tests.variants import buggy, correct


def _call(factory):
    """Registers the tuple the factory returns (the grade cell passes a tuple of four functions)."""
    return factory()


@buggy("03-activations/prelu_elu", "[6,7] dalpha summed over the batch only: shape (D,) even for a shared slope of shape (1,)")
@_call
def prelu_elu():
    def prelu_forward(x, alpha):
        return np.where(x > 0, x, alpha * x), (x.copy(), alpha.copy())

    def prelu_backward(dout, cache):
        x, alpha = cache
        dx = np.where(x > 0, dout, alpha * dout)
        dalpha = np.sum(np.where(x > 0, 0.0, dout * x), axis=0)
        return dx, dalpha

    def elu_forward(x, alpha=1.0):
        return np.where(x > 0, x, alpha * np.expm1(np.minimum(x, 0))), (x.copy(), alpha)

    def elu_backward(dout, cache):
        x, alpha = cache
        return np.where(x > 0, dout, alpha * np.exp(np.minimum(x, 0)) * dout)

    return prelu_forward, prelu_backward, elu_forward, elu_backward


@buggy("03-activations/prelu_elu", "[9] shared slope: dalpha is a 0-d scalar (np.sum over everything) instead of shape (1,)")
@_call
def prelu_elu():
    def prelu_forward(x, alpha):
        return np.where(x > 0, x, alpha * x), (x.copy(), alpha.copy())

    def prelu_backward(dout, cache):
        x, alpha = cache
        dx = np.where(x > 0, dout, alpha * dout)
        g = np.where(x > 0, 0.0, dout * x)
        dalpha = g.sum() if alpha.size == 1 else g.sum(axis=0)
        return dx, dalpha

    def elu_forward(x, alpha=1.0):
        return np.where(x > 0, x, alpha * np.expm1(np.minimum(x, 0))), (x.copy(), alpha)

    def elu_backward(dout, cache):
        x, alpha = cache
        return np.where(x > 0, dout, alpha * np.exp(np.minimum(x, 0)) * dout)

    return prelu_forward, prelu_backward, elu_forward, elu_backward


@buggy("03-activations/prelu_elu", "[7] PReLU mask x >= 0: prelu'(0) = 1 instead of alpha")
@_call
def prelu_elu():
    def prelu_forward(x, alpha):
        return np.where(x >= 0, x, alpha * x), (x.copy(), alpha.copy())

    def prelu_backward(dout, cache):
        x, alpha = cache
        neg = x < 0
        dx = np.where(neg, alpha * dout, dout)
        dalpha = (dout * x * neg).sum(axis=0)
        if alpha.shape == (1,):
            dalpha = dalpha.sum(keepdims=True)
        return dx, dalpha

    def elu_forward(x, alpha=1.0):
        return np.where(x > 0, x, alpha * np.expm1(np.minimum(x, 0))), (x.copy(), alpha)

    def elu_backward(dout, cache):
        x, alpha = cache
        return np.where(x > 0, dout, alpha * np.exp(np.minimum(x, 0)) * dout)

    return prelu_forward, prelu_backward, elu_forward, elu_backward






@buggy("03-activations/prelu_elu", "[7,10] ELU backward forgets alpha: dx = dout * exp(x) on the negative side (right only for alpha = 1)")
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
        return np.where(x > 0, x, alpha * np.expm1(np.minimum(x, 0))), x.copy()

    def elu_backward(dout, cache):
        x = cache
        return np.where(x > 0, dout, np.exp(np.minimum(x, 0)) * dout)

    return prelu_forward, prelu_backward, elu_forward, elu_backward


@buggy("03-activations/prelu_elu", "[7,10] ELU mask x >= 0: elu'(0) = 1 instead of alpha (identical when alpha = 1)")
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
        return np.where(x >= 0, x, alpha * np.expm1(np.minimum(x, 0))), (x.copy(), alpha)

    def elu_backward(dout, cache):
        x, alpha = cache
        return np.where(x >= 0, dout, alpha * np.exp(np.minimum(x, 0)) * dout)

    return prelu_forward, prelu_backward, elu_forward, elu_backward


@buggy("03-activations/prelu_elu", "[8] PReLU forward scales the negatives of x in place (out = x; out[x <= 0] *= alpha)")
@_call
def prelu_elu():
    def prelu_forward(x, alpha):
        neg = x <= 0
        x_saved = x.copy()
        out = x
        out *= np.where(neg, alpha, 1.0)
        return out, (x_saved, alpha.copy())

    def prelu_backward(dout, cache):
        x, alpha = cache
        dx = np.where(x > 0, dout, alpha * dout)
        dalpha = np.where(x > 0, 0.0, dout * x).sum(axis=0)
        if alpha.shape == (1,):
            dalpha = dalpha.sum(keepdims=True)
        return dx, dalpha

    def elu_forward(x, alpha=1.0):
        return np.where(x > 0, x, alpha * np.expm1(np.minimum(x, 0))), (x.copy(), alpha)

    def elu_backward(dout, cache):
        x, alpha = cache
        return np.where(x > 0, dout, alpha * np.exp(np.minimum(x, 0)) * dout)

    return prelu_forward, prelu_backward, elu_forward, elu_backward


@buggy("03-activations/prelu_elu", "[7] dalpha = mean over the batch instead of the sum")
@_call
def prelu_elu():
    def prelu_forward(x, alpha):
        return np.where(x > 0, x, alpha * x), (x.copy(), alpha.copy())

    def prelu_backward(dout, cache):
        x, alpha = cache
        dx = np.where(x > 0, dout, alpha * dout)
        g = np.where(x > 0, 0.0, dout * x)
        dalpha = g.mean(axis=0) if alpha.shape != (1,) else np.array([g.mean()])
        return dx, dalpha

    def elu_forward(x, alpha=1.0):
        return np.where(x > 0, x, alpha * np.expm1(np.minimum(x, 0))), (x.copy(), alpha)

    def elu_backward(dout, cache):
        x, alpha = cache
        return np.where(x > 0, dout, alpha * np.exp(np.minimum(x, 0)) * dout)

    return prelu_forward, prelu_backward, elu_forward, elu_backward


@correct("03-activations/prelu_elu", "masks x < 0 for dalpha (x = 0 contributes dout*0 anyway), reduce to alpha's shape by reshape-sum; ELU' = out + alpha")
@_call
def prelu_elu():
    def prelu_forward(x, alpha):
        out = x.copy()
        neg = x <= 0
        out[neg] = (np.broadcast_to(alpha, x.shape) * x)[neg]
        return out, (x.copy(), np.array(alpha, dtype=float))

    def prelu_backward(dout, cache):
        x, alpha = cache
        a = np.broadcast_to(alpha, x.shape)
        dx = dout * np.where(x > 0, 1.0, a)
        per_feature = np.einsum("nd,nd->d", dout, x * (x < 0))
        dalpha = per_feature.sum().reshape(1) if alpha.size == 1 else per_feature
        return dx, dalpha

    def elu_forward(x, alpha=1.0):
        out = np.where(x > 0, x, alpha * np.expm1(np.minimum(x, 0.0)))
        return out, (out.copy(), x > 0, alpha)

    def elu_backward(dout, cache):
        out, pos, alpha = cache
        return dout * np.where(pos, 1.0, out + alpha)

    return prelu_forward, prelu_backward, elu_forward, elu_backward


@correct("03-activations/prelu_elu", "torch F.prelu / F.elu with autograd for dx and dalpha")
@_call
def prelu_elu():
    import torch.nn.functional as F

    def prelu_forward(x, alpha):
        t = torch.tensor(x, dtype=torch.float64, requires_grad=True)
        a = torch.tensor(alpha, dtype=torch.float64, requires_grad=True)
        out = F.prelu(t, a)
        return out.detach().numpy().copy(), (t, a, out)

    def prelu_backward(dout, cache):
        t, a, out = cache
        gx, ga = torch.autograd.grad(out, (t, a), torch.tensor(dout, dtype=torch.float64), retain_graph=True)
        return gx.numpy().copy(), ga.numpy().copy()

    def elu_forward(x, alpha=1.0):
        t = torch.tensor(x, dtype=torch.float64, requires_grad=True)
        out = F.elu(t, alpha)
        return out.detach().numpy().copy(), (t, out)

    def elu_backward(dout, cache):
        t, out = cache
        (g,) = torch.autograd.grad(out, t, torch.tensor(dout, dtype=torch.float64), retain_graph=True)
        return g.numpy().copy()

    return prelu_forward, prelu_backward, elu_forward, elu_backward
