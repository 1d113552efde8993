import math, random
import numpy as np
import torch
from tests.variants import buggy, correct

ID = "06-regularization/weight_penalty"


@buggy(ID, "[8] gradient dict holds W itself scaled in place (grads[k] = W; grads[k] *= l2): modifies params")
def weight_penalty(params, *, l2=0.0, l1=0.0):
    value, grads = 0.0, {}
    for k, W in params.items():
        W = np.asarray(W)
        if W.ndim >= 2:
            value += l2 / 2 * np.sum(W ** 2) + l1 * np.sum(np.abs(W))
            g = W
            g *= l2
            g += l1 * np.sign(W / max(l2, 1e-300)) if l2 else l1 * np.sign(W)
            grads[k] = g
        else:
            grads[k] = np.zeros_like(W)
    return float(value), grads


@buggy(ID, "[6] excludes by name ('bias' in name) instead of by ndim: 1-d norm scales ('weight') penalised")
def weight_penalty(params, *, l2=0.0, l1=0.0):
    value, grads = 0.0, {}
    for k, W in params.items():
        if "bias" not in k and np.ndim(W) >= 1:
            value += l2 / 2 * np.sum(W ** 2) + l1 * np.sum(np.abs(W))
            grads[k] = l2 * W + l1 * np.sign(W)
        else:
            grads[k] = np.zeros_like(W)
    return float(value), grads


@buggy(ID, "[9] returns value as a 0-d np.float64 array (np.sum result wrapped in np.asarray)")
def weight_penalty(params, *, l2=0.0, l1=0.0):
    value, grads = np.asarray(0.0), {}
    for k, W in params.items():
        if W.ndim >= 2:
            value = value + l2 / 2 * np.sum(W ** 2) + l1 * np.sum(np.abs(W))
            grads[k] = l2 * W + l1 * np.sign(W)
        else:
            grads[k] = np.zeros_like(W)
    return np.asarray(value), grads


@buggy(ID, "[6] 0-d arrays crash-proofed by treating them as penalised (ndim != 1)")
def weight_penalty(params, *, l2=0.0, l1=0.0):
    value, grads = 0.0, {}
    for k, W in params.items():
        if W.ndim != 1:
            value += l2 / 2 * np.sum(W ** 2) + l1 * np.sum(np.abs(W))
            grads[k] = l2 * W + l1 * np.sign(W)
        else:
            grads[k] = np.zeros_like(W)
    return float(value), grads


@buggy(ID, "[9] excluded arrays' grads are float zeros of shape () (scalar 0.0) instead of zeros of the shape")
def weight_penalty(params, *, l2=0.0, l1=0.0):
    value, grads = 0.0, {}
    for k, W in params.items():
        if W.ndim >= 2:
            value += l2 / 2 * np.sum(W ** 2) + l1 * np.sum(np.abs(W))
            grads[k] = l2 * W + l1 * np.sign(W)
        else:
            grads[k] = 0.0
    return float(value), grads


@buggy(ID, "[1] float32 accumulation of the value and grads")
def weight_penalty(params, *, l2=0.0, l1=0.0):
    value, grads = np.float32(0.0), {}
    for k, W in params.items():
        W32 = W.astype(np.float32)
        if W.ndim >= 2:
            value += np.float32(l2 / 2) * np.sum(W32 ** 2) + np.float32(l1) * np.sum(np.abs(W32))
            grads[k] = (l2 * W32 + l1 * np.sign(W32))
        else:
            grads[k] = np.zeros_like(W32)
    return float(value), grads


@buggy(ID, "[7] sign(0) as +1 via np.where(W >= 0, 1, -1)")
def weight_penalty(params, *, l2=0.0, l1=0.0):
    value, grads = 0.0, {}
    for k, W in params.items():
        if W.ndim >= 2:
            value += l2 / 2 * np.sum(W ** 2) + l1 * np.sum(np.abs(W))
            grads[k] = l2 * W + l1 * np.where(W >= 0, 1.0, -1.0)
        else:
            grads[k] = np.zeros_like(W)
    return float(value), grads


@buggy(ID, "[7] wrong defaults l2=1e-4 (a 'typical' value)")
def weight_penalty(params, *, l2=1e-4, l1=0.0):
    value, grads = 0.0, {}
    for k, W in params.items():
        if W.ndim >= 2:
            value += l2 / 2 * np.sum(W ** 2) + l1 * np.sum(np.abs(W))
            grads[k] = l2 * W + l1 * np.sign(W)
        else:
            grads[k] = np.zeros_like(W)
    return float(value), grads


@buggy(ID, "[8] grads of excluded arrays alias one shared zeros array per shape (cache)")
def weight_penalty(params, *, l2=0.0, l1=0.0, _z={}):
    value, grads = 0.0, {}
    for k, W in params.items():
        if W.ndim >= 2:
            value += l2 / 2 * np.sum(W ** 2) + l1 * np.sum(np.abs(W))
            grads[k] = l2 * W + l1 * np.sign(W)
        else:
            grads[k] = _z.setdefault(W.shape, np.zeros(W.shape))
    return float(value), grads


@correct(ID, "L1 subgradient as nan_to_num(W/|W|) (0/0 -> 0)")
def weight_penalty(params, *, l2=0.0, l1=0.0):
    value, grads = 0.0, {}
    for k, W in params.items():
        if W.ndim >= 2:
            value += l2 / 2 * np.sum(W ** 2) + l1 * np.sum(np.abs(W))
            with np.errstate(invalid="ignore", divide="ignore"):
                s = np.nan_to_num(W / np.abs(W))
            grads[k] = l2 * W + l1 * s
        else:
            grads[k] = np.zeros_like(W)
    return float(value), grads


@correct(ID, "torch autograd on each array with ndim >= 2")
def weight_penalty(params, *, l2=0.0, l1=0.0):
    total, grads = 0.0, {}
    for k, W in params.items():
        t = torch.tensor(np.array(W, dtype=np.float64), requires_grad=True)
        if t.ndim >= 2:
            v = 0.5 * l2 * (t ** 2).sum() + l1 * t.abs().sum()
            v.backward()
            total += v.item()
            grads[k] = t.grad.numpy()
        else:
            grads[k] = np.zeros(np.shape(W))
    return float(total), grads


@correct(ID, "dict comprehensions, value via np.vdot")
def weight_penalty(params, *, l2=0.0, l1=0.0):
    pen = {k: v for k, v in params.items() if np.ndim(v) >= 2}
    value = sum(0.5 * l2 * np.vdot(v, v) + l1 * np.abs(v).sum() for v in pen.values())
    grads = {k: (l2 * v + l1 * np.sign(v)) if k in pen else np.zeros_like(v, dtype=float) for k, v in params.items()}
    return float(value), grads
