import math, random
import numpy as np
import torch
from tests.variants import buggy, correct


@buggy("03-activations/collapse_linear", "[6] multiplies the weights first-to-last, W_1 @ W_2 @ ... (wrong order; only works on square layers by accident of shape)")
def collapse_linear(layers):
    W, b = layers[0]
    W = W.copy()
    b = b.copy()
    for W_i, b_i in layers[1:]:
        W = W @ W_i
        b = W_i @ b + b_i
    return W, b


@buggy("03-activations/collapse_linear", "[7] bias is the plain sum of the b_i, not pushed through later layers")
def collapse_linear(layers):
    W = layers[0][0].copy()
    b = layers[0][1].copy()
    for W_i, b_i in layers[1:]:
        W = W_i @ W
        b = b + b_i
    return W, b


@buggy("03-activations/collapse_linear", "[7,10] bias pushed through one later layer only: b = W_L b_{L-1} + b_L (right for L <= 2)")
def collapse_linear(layers):
    W = layers[0][0]
    for W_i, _ in layers[1:]:
        W = W_i @ W
    if len(layers) == 1:
        return W.copy(), layers[0][1].copy()
    b = layers[-1][0] @ layers[-2][1] + layers[-1][1]
    return W, b


@buggy("03-activations/collapse_linear", "[8] accumulates the bias in place into the layers' b_i (b_i += W_i @ b), modifying the input")
def collapse_linear(layers):
    W, b = layers[0]
    for W_i, b_i in layers[1:]:
        W = W_i @ W
        b_i += W_i @ b
        b = b_i
    return W, b




@buggy("03-activations/collapse_linear", "[6,9] treats biases as column vectors: b of shape (out_L, 1)")
def collapse_linear(layers):
    W = np.eye(layers[0][0].shape[1])
    b = np.zeros((layers[0][0].shape[1], 1))
    for W_i, b_i in layers:
        W = W_i @ W
        b = W_i @ b + b_i.reshape(-1, 1)
    return W, b


@buggy("03-activations/collapse_linear", "[1] computes with torch float32 tensors (precision lost)")
def collapse_linear(layers):
    W = torch.eye(layers[0][0].shape[1])
    b = torch.zeros(layers[0][0].shape[1])
    for W_i, b_i in layers:
        Wt = torch.tensor(W_i, dtype=torch.float32)
        W = Wt @ W
        b = Wt @ b + torch.tensor(b_i, dtype=torch.float32)
    return W.numpy(), b.numpy()


@buggy("03-activations/collapse_linear", "[6] (in, out) convention: W = W_1^T @ W_2^T @ ... (returns the transpose)")
def collapse_linear(layers):
    W = layers[0][0].T
    b = layers[0][1].copy()
    for W_i, b_i in layers[1:]:
        W = W @ W_i.T
        b = b @ W_i.T + b_i
    return W, b


@correct("03-activations/collapse_linear", "multi_dot of the reversed weights, bias = the stack applied to h = 0")
def collapse_linear(layers):
    Ws = [W_i for W_i, _ in layers][::-1]
    W = Ws[0].copy() if len(Ws) == 1 else np.linalg.multi_dot(Ws)
    h = np.zeros(layers[0][0].shape[1])
    for W_i, b_i in layers:
        h = W_i @ h + b_i
    return W, h


@correct("03-activations/collapse_linear", "homogeneous coordinates: product of augmented (out+1, in+1) matrices")
def collapse_linear(layers):
    n_in = layers[0][0].shape[1]
    A = np.eye(n_in + 1)
    for W_i, b_i in layers:
        M = np.zeros((W_i.shape[0] + 1, W_i.shape[1] + 1))
        M[:-1, :-1] = W_i
        M[:-1, -1] = b_i
        M[-1, -1] = 1.0
        A = M @ A
    return A[:-1, :-1].copy(), A[:-1, -1].copy()
