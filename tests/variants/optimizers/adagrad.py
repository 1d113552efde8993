"""Buggy and correct answers to 07-optimizers/adagrad (self-contained: see tests/variants/__init__.py)."""

from __future__ import annotations

import numpy as np

from .. import buggy, correct

EX = "07-optimizers/adagrad"


@correct(EX, "reference solution")
def adagrad(param, grad, state, *, lr=0.01, lr_decay=0.0, weight_decay=0.0, initial_accumulator_value=0.0,
            eps=1e-10):
    if not state:
        state["step"] = 0
        state["sum"] = np.full_like(param, initial_accumulator_value)
    state["step"] += 1
    g = grad + weight_decay * param
    clr = lr / (1 + (state["step"] - 1) * lr_decay)
    state["sum"] = state["sum"] + g * g
    return param - clr * g / (np.sqrt(state["sum"]) + eps)


@correct(EX, "torch's in-place form on own copies, step a 0-d array, sum updated in place")
def adagrad(param, grad, state, *, lr=0.01, lr_decay=0.0, weight_decay=0.0, initial_accumulator_value=0.0,
            eps=1e-10):
    if "sum" not in state:
        state["step"] = np.array(0.0)
        state["sum"] = np.zeros(np.shape(param)) + initial_accumulator_value
    p = np.array(param, dtype=np.float64)
    g = np.array(grad, dtype=np.float64)
    state["step"] += 1
    if weight_decay != 0:
        g += weight_decay * p
    clr = lr / (1 + (float(state["step"]) - 1) * lr_decay)
    state["sum"] += g ** 2
    std = np.sqrt(state["sum"])
    std += eps
    p -= clr * g / std
    return p


@correct(EX, "state read with get(), lr_decay written as a product, step a float")
def adagrad(param, grad, state, *, lr=0.01, lr_decay=0.0, weight_decay=0.0, initial_accumulator_value=0.0,
            eps=1e-10):
    previous_steps = state.get("step", 0.0)
    acc = state.get("sum", initial_accumulator_value * np.ones(np.shape(param)))
    g = np.add(grad, np.multiply(weight_decay, param))
    acc = np.add(acc, np.square(g))
    state["step"], state["sum"] = previous_steps + 1.0, acc
    step_size = lr * (1.0 / (1.0 + lr_decay * previous_steps))
    return param - step_size * (g / (np.sqrt(acc) + eps))


@buggy(EX, "eps inside the square root: sqrt(sum + eps)", demo=True, classes=(2,))
def adagrad(param, grad, state, *, lr=0.01, lr_decay=0.0, weight_decay=0.0, initial_accumulator_value=0.0,
            eps=1e-10):
    if not state:
        state["step"] = 0
        state["sum"] = np.full_like(param, initial_accumulator_value)
    state["step"] += 1
    g = grad + weight_decay * param
    clr = lr / (1 + (state["step"] - 1) * lr_decay)
    state["sum"] = state["sum"] + g * g
    return param - clr * g / np.sqrt(state["sum"] + eps)


@buggy(EX, "lr_decay with the new step count: lr / (1 + step * lr_decay)", classes=(7,))
def adagrad(param, grad, state, *, lr=0.01, lr_decay=0.0, weight_decay=0.0, initial_accumulator_value=0.0,
            eps=1e-10):
    if not state:
        state["step"] = 0
        state["sum"] = np.full_like(param, initial_accumulator_value)
    state["step"] += 1
    g = grad + weight_decay * param
    clr = lr / (1 + state["step"] * lr_decay)
    state["sum"] = state["sum"] + g * g
    return param - clr * g / (np.sqrt(state["sum"]) + eps)


@buggy(EX, "initial_accumulator_value ignored: sum starts from zeros", classes=(7,))
def adagrad(param, grad, state, *, lr=0.01, lr_decay=0.0, weight_decay=0.0, initial_accumulator_value=0.0,
            eps=1e-10):
    if not state:
        state["step"] = 0
        state["sum"] = np.zeros_like(param)
    state["step"] += 1
    g = grad + weight_decay * param
    clr = lr / (1 + (state["step"] - 1) * lr_decay)
    state["sum"] = state["sum"] + g * g
    return param - clr * g / (np.sqrt(state["sum"]) + eps)


@buggy(EX, "weight decay subtracted from the parameter, not added to the gradient (the sum misses it)",
       classes=(7,))
def adagrad(param, grad, state, *, lr=0.01, lr_decay=0.0, weight_decay=0.0, initial_accumulator_value=0.0,
            eps=1e-10):
    if not state:
        state["step"] = 0
        state["sum"] = np.full_like(param, initial_accumulator_value)
    state["step"] += 1
    clr = lr / (1 + (state["step"] - 1) * lr_decay)
    state["sum"] = state["sum"] + grad * grad
    return param - clr * (grad / (np.sqrt(state["sum"]) + eps) + weight_decay * param)


@buggy(EX, "weight decay added to grad in place (grad += ...): the caller's gradient is modified", classes=(8,))
def adagrad(param, grad, state, *, lr=0.01, lr_decay=0.0, weight_decay=0.0, initial_accumulator_value=0.0,
            eps=1e-10):
    if not state:
        state["step"] = 0
        state["sum"] = np.full_like(param, initial_accumulator_value)
    state["step"] += 1
    grad += weight_decay * param
    clr = lr / (1 + (state["step"] - 1) * lr_decay)
    state["sum"] = state["sum"] + grad * grad
    return param - clr * grad / (np.sqrt(state["sum"]) + eps)


@buggy(EX, "lr_decay applied as lr * (1 - lr_decay)**(step - 1)", classes=(0,))
def adagrad(param, grad, state, *, lr=0.01, lr_decay=0.0, weight_decay=0.0, initial_accumulator_value=0.0,
            eps=1e-10):
    if not state:
        state["step"] = 0
        state["sum"] = np.full_like(param, initial_accumulator_value)
    state["step"] += 1
    g = grad + weight_decay * param
    clr = lr * (1 - lr_decay) ** (state["step"] - 1)
    state["sum"] = state["sum"] + g * g
    return param - clr * g / (np.sqrt(state["sum"]) + eps)


@buggy(EX, "sum initialised with np.full(len(param), ...): a 0-d parameter fails", classes=(6,))
def adagrad(param, grad, state, *, lr=0.01, lr_decay=0.0, weight_decay=0.0, initial_accumulator_value=0.0,
            eps=1e-10):
    if not state:
        state["step"] = 0
        state["sum"] = np.full(len(param), initial_accumulator_value)
    state["step"] += 1
    g = grad + weight_decay * param
    clr = lr / (1 + (state["step"] - 1) * lr_decay)
    state["sum"] = state["sum"] + g * g
    return param - clr * g / (np.sqrt(state["sum"]) + eps)


@buggy(EX, "no 'step' in the state: the lr_decay counter kept in a 't' entry", classes=(9,))
def adagrad(param, grad, state, *, lr=0.01, lr_decay=0.0, weight_decay=0.0, initial_accumulator_value=0.0,
            eps=1e-10):
    if "sum" not in state:
        state["sum"] = np.full_like(param, initial_accumulator_value)
    t = state.get("t", 0)
    state["t"] = t + 1
    g = grad + weight_decay * param
    clr = lr / (1 + t * lr_decay)
    state["sum"] = state["sum"] + g * g
    return param - clr * g / (np.sqrt(state["sum"]) + eps)


@buggy(EX, "default eps=1e-8 instead of the documented 1e-10", classes=(7,))
def adagrad(param, grad, state, *, lr=0.01, lr_decay=0.0, weight_decay=0.0, initial_accumulator_value=0.0,
            eps=1e-8):
    if not state:
        state["step"] = 0
        state["sum"] = np.full_like(param, initial_accumulator_value)
    state["step"] += 1
    g = grad + weight_decay * param
    clr = lr / (1 + (state["step"] - 1) * lr_decay)
    state["sum"] = state["sum"] + g * g
    return param - clr * g / (np.sqrt(state["sum"]) + eps)


@buggy('07-optimizers/adagrad', "[8] state['sum'] for a fresh state aliases a module-level zeros array, updated in place")
def adagrad(param, grad, state, *, lr=0.01, lr_decay=0.0, weight_decay=0.0, initial_accumulator_value=0.0, eps=1e-10,
            _z={}):
    if not state:
        state["step"] = 0
        z = _z.setdefault(np.shape(param), np.zeros(np.shape(param)))
        z += initial_accumulator_value - z
        state["sum"] = z
    g = grad + weight_decay * param
    state["step"] += 1
    state["sum"] += g * g
    clr = lr / (1 + (state["step"] - 1) * lr_decay)
    return param - clr * g / (np.sqrt(state["sum"]) + eps)
