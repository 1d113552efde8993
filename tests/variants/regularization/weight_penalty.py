"""Buggy and correct answers to 06-regularization/weight_penalty (self-contained: see tests/variants/__init__.py)."""

from __future__ import annotations

import numpy as np
import torch

from .. import buggy, correct

WP = "06-regularization/weight_penalty"


@buggy(WP, "penalises every array, biases and norm scales included", demo=True, classes=(7,))
def weight_penalty(params, *, l2=0.0, l1=0.0):
    value = 0.0
    grads = {}
    for name, W in params.items():
        value += l2 / 2 * np.sum(W ** 2) + l1 * np.sum(np.abs(W))
        grads[name] = l2 * W + l1 * np.sign(W)
    return float(value), grads


@buggy(WP, "value without the 1/2: l2 * sum(W**2)", classes=(0,))
def weight_penalty(params, *, l2=0.0, l1=0.0):  # noqa: F811
    value, grads = 0.0, {}
    for name, W in params.items():
        if W.ndim >= 2:
            value += l2 * np.sum(W ** 2) + l1 * np.sum(np.abs(W))
            grads[name] = l2 * W + l1 * np.sign(W)
        else:
            grads[name] = np.zeros_like(W)
    return float(value), grads


@buggy(WP, "gradient 2 * l2 * W", classes=(0,))
def weight_penalty(params, *, l2=0.0, l1=0.0):  # noqa: F811
    value, grads = 0.0, {}
    for name, W in params.items():
        if W.ndim >= 2:
            value += l2 / 2 * np.sum(W ** 2) + l1 * np.sum(np.abs(W))
            grads[name] = 2 * l2 * W + l1 * np.sign(W)
        else:
            grads[name] = np.zeros_like(W)
    return float(value), grads


@buggy(WP, "mean instead of sum", classes=(0,))
def weight_penalty(params, *, l2=0.0, l1=0.0):  # noqa: F811
    value, grads = 0.0, {}
    for name, W in params.items():
        if W.ndim >= 2:
            value += l2 / 2 * np.mean(W ** 2) + l1 * np.mean(np.abs(W))
            grads[name] = (l2 * W + l1 * np.sign(W)) / W.size
        else:
            grads[name] = np.zeros_like(W)
    return float(value), grads


@buggy(WP, "L1 subgradient +1 at 0: np.where(W >= 0, 1, -1)", classes=(7,))
def weight_penalty(params, *, l2=0.0, l1=0.0):  # noqa: F811
    value, grads = 0.0, {}
    for name, W in params.items():
        if W.ndim >= 2:
            value += l2 / 2 * np.sum(W ** 2) + l1 * np.sum(np.abs(W))
            grads[name] = l2 * W + l1 * np.where(W >= 0, 1.0, -1.0)
        else:
            grads[name] = np.zeros_like(W)
    return float(value), grads


@buggy(WP, "L1 gradient W / |W|: NaN at 0", classes=(7,))
def weight_penalty(params, *, l2=0.0, l1=0.0):  # noqa: F811
    value, grads = 0.0, {}
    for name, W in params.items():
        if W.ndim >= 2:
            value += l2 / 2 * np.sum(W ** 2) + l1 * np.sum(np.abs(W))
            with np.errstate(invalid="ignore"):
                grads[name] = l2 * W + l1 * W / np.abs(W)
        else:
            grads[name] = np.zeros_like(W)
    return float(value), grads


@buggy(WP, "excludes by name ('bias' in name): norm-layer scales and 0-d arrays penalised", classes=(6, 7))
def weight_penalty(params, *, l2=0.0, l1=0.0):  # noqa: F811
    value, grads = 0.0, {}
    for name, W in params.items():
        if "bias" not in name:
            value += l2 / 2 * np.sum(W ** 2) + l1 * np.sum(np.abs(W))
            grads[name] = l2 * W + l1 * np.sign(W)
        else:
            grads[name] = np.zeros_like(W)
    return float(value), grads


@buggy(WP, "penalises only 2-d arrays (W.ndim == 2): conv kernels left out", classes=(6,))
def weight_penalty(params, *, l2=0.0, l1=0.0):  # noqa: F811
    value, grads = 0.0, {}
    for name, W in params.items():
        if W.ndim == 2:
            value += l2 / 2 * np.sum(W ** 2) + l1 * np.sum(np.abs(W))
            grads[name] = l2 * W + l1 * np.sign(W)
        else:
            grads[name] = np.zeros_like(W)
    return float(value), grads


@buggy(WP, "scales the weights in place: g = W; g *= l2", classes=(8,))
def weight_penalty(params, *, l2=0.0, l1=0.0):  # noqa: F811
    value, grads = 0.0, {}
    for name, W in params.items():
        if W.ndim >= 2:
            value += l2 / 2 * np.sum(W ** 2) + l1 * np.sum(np.abs(W))
            sign = np.sign(W)
            g = W
            g *= l2
            g += l1 * sign
            grads[name] = g
        else:
            grads[name] = np.zeros_like(W)
    return float(value), grads


@buggy(WP, "grads only for the penalised arrays: the biases' keys are missing", classes=(9,))
def weight_penalty(params, *, l2=0.0, l1=0.0):  # noqa: F811
    value, grads = 0.0, {}
    for name, W in params.items():
        if W.ndim >= 2:
            value += l2 / 2 * np.sum(W ** 2) + l1 * np.sum(np.abs(W))
            grads[name] = l2 * W + l1 * np.sign(W)
    return float(value), grads


@buggy(WP, "value returned as a 0-d torch tensor", classes=(9,))
def weight_penalty(params, *, l2=0.0, l1=0.0):  # noqa: F811
    ts = {k: torch.tensor(v, requires_grad=True) for k, v in params.items()}
    value = torch.zeros((), dtype=torch.float64)
    for t in ts.values():
        if t.ndim >= 2:
            value = value + l2 / 2 * (t ** 2).sum() + l1 * t.abs().sum()
    grads = torch.autograd.grad(value, list(ts.values()), allow_unused=True) if value.requires_grad else [None] * len(ts)
    return value.detach(), {k: (np.zeros(t.shape) if g is None else g.numpy()) for (k, t), g in zip(ts.items(), grads)}


@buggy(WP, "default l2=1e-4 instead of 0.0", classes=(7,))
def weight_penalty(params, *, l2=1e-4, l1=0.0):  # noqa: F811
    value, grads = 0.0, {}
    for name, W in params.items():
        if W.ndim >= 2:
            value += l2 / 2 * np.sum(W ** 2) + l1 * np.sum(np.abs(W))
            grads[name] = l2 * W + l1 * np.sign(W)
        else:
            grads[name] = np.zeros_like(W)
    return float(value), grads


@correct(WP, "reference solution")
def weight_penalty(params, *, l2=0.0, l1=0.0):  # noqa: F811
    """L2, L1 and elastic-net penalty of the weights, and its gradients.

    Args:
        params: dict name -> ndarray of the model's parameters.
        l2: coefficient of the L2 term l2/2 * sum(W**2).
        l1: coefficient of the L1 term l1 * sum(|W|).

    Returns:
        value: the penalty (a Python float) over the arrays with ndim >= 2.
        grads: dict with the keys and shapes of params: l2 * W + l1 * sign(W) for
            penalised arrays (0 at W = 0 for the L1 part), zeros for the others.
    """
    ### BEGIN SOLUTION
    value = 0.0
    grads = {}
    for name, W in params.items():
        if W.ndim >= 2:
            value += 0.5 * l2 * float(np.sum(W * W)) + l1 * float(np.sum(np.abs(W)))
            grads[name] = l2 * W + l1 * np.sign(W)
        else:
            grads[name] = np.zeros_like(W)
    return value, grads
    ### END SOLUTION


@correct(WP, "torch autograd on the selected arrays")
def weight_penalty(params, *, l2=0.0, l1=0.0):  # noqa: F811
    ts = {k: torch.tensor(v, dtype=torch.float64, requires_grad=v.ndim >= 2) for k, v in params.items()}
    total = torch.zeros((), dtype=torch.float64)
    for t in ts.values():
        if t.requires_grad:
            total = total + 0.5 * l2 * t.pow(2).sum() + l1 * t.abs().sum()
    if total.requires_grad:
        total.backward()
    return total.item(), {k: (t.grad.numpy().copy() if t.grad is not None else np.zeros(t.shape))
                          for k, t in ts.items()}


@correct(WP, "np.vdot and np.linalg.norm(ravel, 1), a dict comprehension")
def weight_penalty(params, *, l2=0.0, l1=0.0):  # noqa: F811
    big = {k for k, v in params.items() if np.ndim(v) > 1}
    value = sum(l2 / 2 * np.vdot(params[k], params[k]) + l1 * np.linalg.norm(params[k].ravel(), 1) for k in big)
    grads = {k: (l2 * v + l1 * np.sign(v)) if k in big else np.zeros(np.shape(v)) for k, v in params.items()}
    return float(value), grads
