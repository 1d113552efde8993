import math, random
import numpy as np
import torch
from tests.variants import buggy, correct


def _call(factory):
    """Registers the tuple the factory returns (the grade cell passes a tuple of two functions)."""
    return factory()


@buggy("03-activations/maxout", "[other] backward sends dout to all k pieces, not only the winner")
@_call
def maxout():
    def maxout_forward(x, W, b):
        z = np.einsum("nd,dhj->nhj", x, W) + b
        return z.max(axis=2), (x.copy(), W.copy(), z)

    def maxout_backward(dout, cache):
        x, W, z = cache
        delta = np.repeat(dout[:, :, None], z.shape[2], axis=2)
        dx = np.einsum("nhj,dhj->nd", delta, W)
        dW = np.einsum("nd,nhj->dhj", x, delta)
        db = delta.sum(axis=0)
        return dx, dW, db

    return maxout_forward, maxout_backward


@buggy("03-activations/maxout", "[6] reshape order: z from x @ W.reshape(D, H*k) regrouped as (N, k, H) instead of (N, H, k)")
@_call
def maxout():
    def maxout_forward(x, W, b):
        D, H, k = W.shape
        z = (x @ W.reshape(D, H * k) + b.reshape(H * k)).reshape(x.shape[0], k, H)
        return z.max(axis=1), (x.copy(), W.copy(), z)

    def maxout_backward(dout, cache):
        x, W, z = cache
        D, H, k = W.shape
        win = z.argmax(axis=1)                                    # (N, H)
        delta = np.zeros_like(z)
        n_idx, h_idx = np.meshgrid(np.arange(z.shape[0]), np.arange(H), indexing="ij")
        delta[n_idx, win, h_idx] = dout
        delta = delta.reshape(x.shape[0], H * k)
        dx = delta @ W.reshape(D, H * k).T
        dW = (x.T @ delta).reshape(D, H, k)
        db = delta.sum(axis=0).reshape(H, k)
        return dx, dW, db

    return maxout_forward, maxout_backward


@buggy("03-activations/maxout", "[6] argmax over the unit axis H instead of the piece axis k in the backward")
@_call
def maxout():
    def maxout_forward(x, W, b):
        z = np.einsum("nd,dhj->nhj", x, W) + b
        return z.max(axis=2), (x.copy(), W.copy(), z)

    def maxout_backward(dout, cache):
        x, W, z = cache
        mask = z == z.max(axis=1, keepdims=True)
        delta = mask * dout[:, :, None]
        dx = np.einsum("nhj,dhj->nd", delta, W)
        dW = np.einsum("nd,nhj->dhj", x, delta)
        db = delta.sum(axis=0)
        return dx, dW, db

    return maxout_forward, maxout_backward


@buggy("03-activations/maxout", "[7] db averaged over the batch instead of summed")
@_call
def maxout():
    def maxout_forward(x, W, b):
        z = np.einsum("nd,dhj->nhj", x, W) + b
        return z.max(axis=2), (x.copy(), W.copy(), z)

    def maxout_backward(dout, cache):
        x, W, z = cache
        mask = z == z.max(axis=2, keepdims=True)
        delta = mask * dout[:, :, None]
        dx = np.einsum("nhj,dhj->nd", delta, W)
        dW = np.einsum("nd,nhj->dhj", x, delta)
        db = delta.mean(axis=0)
        return dx, dW, db

    return maxout_forward, maxout_backward


@buggy("03-activations/maxout", "[other] dx uses the piece-summed weights, dx = dout @ W.sum(-1).T, instead of the winner's weights")
@_call
def maxout():
    def maxout_forward(x, W, b):
        z = np.einsum("nd,dhj->nhj", x, W) + b
        return z.max(axis=2), (x.copy(), W.copy(), z)

    def maxout_backward(dout, cache):
        x, W, z = cache
        mask = z == z.max(axis=2, keepdims=True)
        delta = mask * dout[:, :, None]
        dx = dout @ W.sum(axis=2).T
        dW = np.einsum("nd,nhj->dhj", x, delta)
        db = delta.sum(axis=0)
        return dx, dW, db

    return maxout_forward, maxout_backward




@buggy("03-activations/maxout", "[9,6] forward keeps the piece axis: out of shape (N, H, 1) (max with keepdims=True)")
@_call
def maxout():
    def maxout_forward(x, W, b):
        z = np.einsum("nd,dhj->nhj", x, W) + b
        out = z.max(axis=2, keepdims=True)
        return out, (x.copy(), W.copy(), z)

    def maxout_backward(dout, cache):
        x, W, z = cache
        dout = dout.reshape(z.shape[0], z.shape[1], 1)
        delta = (z == z.max(axis=2, keepdims=True)) * dout
        dx = np.einsum("nhj,dhj->nd", delta, W)
        dW = np.einsum("nd,nhj->dhj", x, delta)
        db = delta.sum(axis=0)
        return dx, dW, db

    return maxout_forward, maxout_backward


@buggy("03-activations/maxout", "[8] cache holds x and W by reference (no copy): caller's later in-place SGD step on W changes dx")
@_call
def maxout():
    def maxout_forward(x, W, b):
        z = np.einsum("nd,dhj->nhj", x, W) + b
        return z.max(axis=2), (x, W, z.argmax(axis=2))

    def maxout_backward(dout, cache):
        x, W, win = cache
        k = W.shape[2]
        delta = (win[:, :, None] == np.arange(k)) * dout[:, :, None]
        dx = np.einsum("nhj,dhj->nd", delta, W)
        dW = np.einsum("nd,nhj->dhj", x, delta)
        db = delta.sum(axis=0)
        return dx, dW, db

    return maxout_forward, maxout_backward


@correct("03-activations/maxout", "loop over the k pieces with np.maximum, winners by take_along_axis/put_along_axis, matmuls")
@_call
def maxout():
    def maxout_forward(x, W, b):
        N = x.shape[0]
        D, H, k = W.shape
        out = np.full((N, H), -np.inf)
        win = np.zeros((N, H), dtype=int)
        for j in range(k):
            zj = x @ W[:, :, j] + b[:, j]
            better = zj > out
            out = np.where(better, zj, out)
            win = np.where(better, j, win)
        return out, (x.copy(), W.copy(), win)

    def maxout_backward(dout, cache):
        x, W, win = cache
        D, H, k = W.shape
        delta = np.zeros((x.shape[0], H, k))
        np.put_along_axis(delta, win[:, :, None], dout[:, :, None], axis=2)
        dx = np.zeros_like(x, dtype=float)
        dW = np.zeros_like(W, dtype=float)
        for j in range(k):
            dx += delta[:, :, j] @ W[:, :, j].T
            dW[:, :, j] = x.T @ delta[:, :, j]
        db = delta.sum(axis=0)
        return dx, dW, db

    return maxout_forward, maxout_backward


@correct("03-activations/maxout", "torch autograd on float64 tensors (amax), gradients with retain_graph")
@_call
def maxout():
    def maxout_forward(x, W, b):
        xt = torch.tensor(x, dtype=torch.float64, requires_grad=True)
        Wt = torch.tensor(W, dtype=torch.float64, requires_grad=True)
        bt = torch.tensor(b, dtype=torch.float64, requires_grad=True)
        z = torch.einsum("nd,dhj->nhj", xt, Wt) + bt
        out = z.max(dim=2).values
        return out.detach().numpy().copy(), (xt, Wt, bt, out)

    def maxout_backward(dout, cache):
        xt, Wt, bt, out = cache
        grads = torch.autograd.grad(out, (xt, Wt, bt), torch.tensor(dout, dtype=torch.float64), retain_graph=True)
        return tuple(g.numpy().copy() for g in grads)

    return maxout_forward, maxout_backward
