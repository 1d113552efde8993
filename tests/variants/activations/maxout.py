"""Buggy and correct answers to 03-activations/maxout (self-contained: see tests/variants/__init__.py)."""

from __future__ import annotations

import numpy as np
import torch

from .. import buggy, correct

MAX = "03-activations/maxout"


@buggy(MAX, "backward sends dout to every piece, not only to the winning one", demo=True, classes=(0,))
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


@buggy(MAX, "db averaged over the batch instead of summed", classes=(0,))
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


@buggy(MAX, "forward leaves out the bias b", classes=(0,))
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


@buggy(MAX, "takes the max over the hidden units (axis 1) instead of over the k pieces", classes=(6,))
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


@buggy(MAX, "dx ignores the mask: dout @ sum_k W_k.T, while dW and db are right", classes=(0,))
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


def _call(factory):
    """Registers what the factory returns (the grade cell passes a tuple of functions)."""
    return factory()


@buggy("03-activations/maxout", "[8] backward subtracts out from the cached z in place to find the winners: a second backward gives zeros")
@_call
def maxout():
    def maxout_forward(x, W, b):
        z = np.einsum("nd,dhj->nhj", x, W) + b
        out = z.max(axis=2)
        return out, (x.copy(), W.copy(), z, out.copy())

    def maxout_backward(dout, cache):
        x, W, z, out = cache
        z -= out[:, :, None]
        delta = (z == 0) * dout[:, :, None]
        dx = np.einsum("nhj,dhj->nd", delta, W)
        dW = np.einsum("nd,nhj->dhj", x, delta)
        db = delta.sum(axis=0)
        return dx, dW, db

    return maxout_forward, maxout_backward


@buggy(MAX, "[7] shortcut for k = 1 (a plain linear layer) forgets the bias", classes=(7,))
class maxout:  # noqa: F811
    global maxout_forward, maxout_backward

    def maxout_forward(x, W, b):
        if W.shape[2] == 1:                       # one piece: maxout is a linear layer
            winner = np.zeros((x.shape[0], W.shape[1]), dtype=int)
            return x @ W[:, :, 0], (x, W, winner)
        z = np.einsum("nd,dhk->nhk", x, W) + b
        winner = np.argmax(z, axis=2)
        return np.take_along_axis(z, winner[:, :, None], axis=2)[:, :, 0], (x, W, winner)

    def maxout_backward(dout, cache):
        x, W, winner = cache
        dz = dout[:, :, None] * (winner[:, :, None] == np.arange(W.shape[2]))
        return np.einsum("nhk,dhk->nd", dz, W), np.einsum("nd,nhk->dhk", x, dz), dz.sum(axis=0)

    functions = (maxout_forward, maxout_backward)


@buggy(MAX, "[9] forward returns out of shape (N, H, 1): the max taken with keepdims=True", classes=(9,))
class maxout:  # noqa: F811
    global maxout_forward, maxout_backward

    def maxout_forward(x, W, b):
        z = np.einsum("nd,dhk->nhk", x, W) + b
        out = z.max(axis=2, keepdims=True)        # (N, H, 1): handy for the mask below
        return out, (x, W, z == out)

    def maxout_backward(dout, cache):
        x, W, mask = cache
        dz = dout[:, :, None] * mask
        return np.einsum("nhk,dhk->nd", dz, W), np.einsum("nd,nhk->dhk", x, dz), dz.sum(axis=0)

    functions = (maxout_forward, maxout_backward)
