"""Buggy and correct answers to 03-activations/collapse_linear (self-contained: see tests/variants/__init__.py)."""

from __future__ import annotations

import numpy as np
import torch

from .. import buggy, correct

COL = "03-activations/collapse_linear"


@buggy(COL, "keeps only the last layer's bias: earlier biases are not carried through", demo=True,
       classes=(0,))
def collapse_linear(layers):
    W = layers[0][0]
    for W_i, _ in layers[1:]:
        W = W_i @ W
    return W, layers[-1][1]


@buggy(COL, "row-vector convention h @ W.T throughout: returns W transposed, shape (in, out)", classes=(6,))
def collapse_linear(layers):  # noqa: F811
    W, b = layers[0][0].T, layers[0][1]
    for W_i, b_i in layers[1:]:
        W = W @ W_i.T
        b = b @ W_i.T + b_i
    return W, b


@buggy(COL, "adds the propagated bias into the caller's b_i in place (b_i += W_i @ b)", classes=(8,))
def collapse_linear(layers):  # noqa: F811
    W, b = layers[0]
    for W_i, b_i in layers[1:]:
        W = W_i @ W
        b_i += W_i @ b
        b = b_i
    return W, b


@buggy(COL, "starts from a zero bias: the first layer's bias is dropped", classes=(0,))
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


@buggy('03-activations/collapse_linear', "[8] for L = 1 returns the input arrays themselves (aliases layers[0])")
def collapse_linear(layers):
    W, b = layers[0]
    for W_i, b_i in layers[1:]:
        W = W_i @ W
        b = W_i @ b + b_i
    return W, b
@buggy(COL, "[7] np.linalg.multi_dot over the weights: fails on a stack of one layer", classes=(7,))
def collapse_linear(layers):  # noqa: F811
    W = np.linalg.multi_dot([W_i for W_i, _ in reversed(layers)])
    b = np.zeros(layers[0][0].shape[0])
    for W_i, b_i in layers:
        b = W_i @ b + b_i
    return W, b


@buggy(COL, "[9] column-vector biases: returns b of shape (out_L, 1) instead of (out_L,)", classes=(9,))
def collapse_linear(layers):  # noqa: F811
    W, b = layers[0]
    W, b = np.array(W, dtype=np.float64), np.array(b, dtype=np.float64).reshape(-1, 1)
    for W_i, b_i in layers[1:]:
        W = W_i @ W
        b = W_i @ b + b_i.reshape(-1, 1)          # as in the maths: b is a column
    return W, b
