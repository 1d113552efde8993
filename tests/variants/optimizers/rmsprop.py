"""Buggy and correct answers to 07-optimizers/rmsprop (self-contained: see tests/variants/__init__.py)."""

from __future__ import annotations

import numpy as np

from .. import buggy, correct

EX = "07-optimizers/rmsprop"


@correct(EX, "reference solution")
def rmsprop(param, grad, state, *, lr=0.01, alpha=0.99, eps=1e-8, weight_decay=0.0, momentum=0.0, centered=False):
    if not state:
        state["step"] = 0
        state["square_avg"] = np.zeros_like(param)
        if momentum > 0:
            state["momentum_buffer"] = np.zeros_like(param)
        if centered:
            state["grad_avg"] = np.zeros_like(param)
    state["step"] += 1
    g = grad + weight_decay * param
    state["square_avg"] = alpha * state["square_avg"] + (1 - alpha) * g * g
    if centered:
        state["grad_avg"] = alpha * state["grad_avg"] + (1 - alpha) * g
        avg = np.sqrt(state["square_avg"] - state["grad_avg"] ** 2) + eps
    else:
        avg = np.sqrt(state["square_avg"]) + eps
    if momentum > 0:
        state["momentum_buffer"] = momentum * state["momentum_buffer"] + g / avg
        return param - lr * state["momentum_buffer"]
    return param - lr * g / avg


@correct(EX, "torch's in-place form on own copies, buffers updated in place, step a 0-d array")
def rmsprop(param, grad, state, *, lr=0.01, alpha=0.99, eps=1e-8, weight_decay=0.0, momentum=0.0, centered=False):
    if len(state) == 0:
        state["step"] = np.zeros(())
        state["square_avg"] = np.zeros(np.shape(param))
        if momentum > 0:
            state["momentum_buffer"] = np.zeros(np.shape(param))
        if centered:
            state["grad_avg"] = np.zeros(np.shape(param))
    p, g = np.array(param, dtype=np.float64), np.array(grad, dtype=np.float64)
    state["step"] += 1
    if weight_decay != 0:
        g += weight_decay * p
    sq = state["square_avg"]
    sq *= alpha
    sq += (1 - alpha) * g * g
    if centered:
        ga = state["grad_avg"]
        ga += (g - ga) * (1 - alpha)          # lerp, as torch
        avg = np.sqrt(sq - ga * ga)
    else:
        avg = np.sqrt(sq)
    avg += eps
    if momentum > 0:
        buf = state["momentum_buffer"]
        buf *= momentum
        buf += g / avg
        p -= lr * buf
    else:
        p -= lr * g / avg
    return p


@correct(EX, "state read with get(), one code path (momentum 0 gives buf = g / avg), step a float")
def rmsprop(param, grad, state, *, lr=0.01, alpha=0.99, eps=1e-8, weight_decay=0.0, momentum=0.0, centered=False):
    zero = np.zeros(np.shape(param))
    g = grad + weight_decay * param
    square_avg = alpha * state.get("square_avg", zero) + (1.0 - alpha) * np.square(g)
    new_state = {"step": state.get("step", 0.0) + 1.0, "square_avg": square_avg}
    var = square_avg
    if centered:
        grad_avg = alpha * state.get("grad_avg", zero) + (1.0 - alpha) * g
        new_state["grad_avg"] = grad_avg
        var = square_avg - np.square(grad_avg)
    direction = g / (np.sqrt(var) + eps)
    if momentum > 0:
        direction = momentum * state.get("momentum_buffer", zero) + direction
        new_state["momentum_buffer"] = direction
    state.update(new_state)
    return param - lr * direction


@buggy(EX, "alpha the other way round: square_avg = (1 - alpha) * square_avg + alpha * g**2", demo=True,
       classes=(0,))
def rmsprop(param, grad, state, *, lr=0.01, alpha=0.99, eps=1e-8, weight_decay=0.0, momentum=0.0, centered=False):
    if not state:
        state.update(step=0, square_avg=np.zeros_like(param))
        if momentum > 0:
            state["momentum_buffer"] = np.zeros_like(param)
        if centered:
            state["grad_avg"] = np.zeros_like(param)
    state["step"] += 1
    g = grad + weight_decay * param
    state["square_avg"] = (1 - alpha) * state["square_avg"] + alpha * g * g
    if centered:
        state["grad_avg"] = (1 - alpha) * state["grad_avg"] + alpha * g
        avg = np.sqrt(state["square_avg"] - state["grad_avg"] ** 2) + eps
    else:
        avg = np.sqrt(state["square_avg"]) + eps
    if momentum > 0:
        state["momentum_buffer"] = momentum * state["momentum_buffer"] + g / avg
        return param - lr * state["momentum_buffer"]
    return param - lr * g / avg


@buggy(EX, "eps inside the square root: sqrt(square_avg + eps)", classes=(2,))
def rmsprop(param, grad, state, *, lr=0.01, alpha=0.99, eps=1e-8, weight_decay=0.0, momentum=0.0, centered=False):
    if not state:
        state.update(step=0, square_avg=np.zeros_like(param))
        if momentum > 0:
            state["momentum_buffer"] = np.zeros_like(param)
        if centered:
            state["grad_avg"] = np.zeros_like(param)
    state["step"] += 1
    g = grad + weight_decay * param
    state["square_avg"] = alpha * state["square_avg"] + (1 - alpha) * g * g
    var = state["square_avg"]
    if centered:
        state["grad_avg"] = alpha * state["grad_avg"] + (1 - alpha) * g
        var = var - state["grad_avg"] ** 2
    avg = np.sqrt(var + eps)
    if momentum > 0:
        state["momentum_buffer"] = momentum * state["momentum_buffer"] + g / avg
        return param - lr * state["momentum_buffer"]
    return param - lr * g / avg


@buggy(EX, "lr inside the momentum buffer: buf = momentum * buf + lr * g / avg; param - buf", classes=(0,))
def rmsprop(param, grad, state, *, lr=0.01, alpha=0.99, eps=1e-8, weight_decay=0.0, momentum=0.0, centered=False):
    if not state:
        state.update(step=0, square_avg=np.zeros_like(param))
        if momentum > 0:
            state["momentum_buffer"] = np.zeros_like(param)
        if centered:
            state["grad_avg"] = np.zeros_like(param)
    state["step"] += 1
    g = grad + weight_decay * param
    state["square_avg"] = alpha * state["square_avg"] + (1 - alpha) * g * g
    if centered:
        state["grad_avg"] = alpha * state["grad_avg"] + (1 - alpha) * g
        avg = np.sqrt(state["square_avg"] - state["grad_avg"] ** 2) + eps
    else:
        avg = np.sqrt(state["square_avg"]) + eps
    if momentum > 0:
        state["momentum_buffer"] = momentum * state["momentum_buffer"] + lr * g / avg
        return param - state["momentum_buffer"]
    return param - lr * g / avg


@buggy(EX, "centered keeps grad_avg but divides by sqrt(square_avg) (the variance is never centred)",
       classes=(7,))
def rmsprop(param, grad, state, *, lr=0.01, alpha=0.99, eps=1e-8, weight_decay=0.0, momentum=0.0, centered=False):
    if not state:
        state.update(step=0, square_avg=np.zeros_like(param))
        if momentum > 0:
            state["momentum_buffer"] = np.zeros_like(param)
        if centered:
            state["grad_avg"] = np.zeros_like(param)
    state["step"] += 1
    g = grad + weight_decay * param
    state["square_avg"] = alpha * state["square_avg"] + (1 - alpha) * g * g
    if centered:
        state["grad_avg"] = alpha * state["grad_avg"] + (1 - alpha) * g
    avg = np.sqrt(state["square_avg"]) + eps
    if momentum > 0:
        state["momentum_buffer"] = momentum * state["momentum_buffer"] + g / avg
        return param - lr * state["momentum_buffer"]
    return param - lr * g / avg


@buggy(EX, "a momentum_buffer is kept even when momentum = 0 (a key torch does not have)", classes=(9,))
def rmsprop(param, grad, state, *, lr=0.01, alpha=0.99, eps=1e-8, weight_decay=0.0, momentum=0.0, centered=False):
    if not state:
        state.update(step=0, square_avg=np.zeros_like(param), momentum_buffer=np.zeros_like(param))
        if centered:
            state["grad_avg"] = np.zeros_like(param)
    state["step"] += 1
    g = grad + weight_decay * param
    state["square_avg"] = alpha * state["square_avg"] + (1 - alpha) * g * g
    if centered:
        state["grad_avg"] = alpha * state["grad_avg"] + (1 - alpha) * g
        avg = np.sqrt(state["square_avg"] - state["grad_avg"] ** 2) + eps
    else:
        avg = np.sqrt(state["square_avg"]) + eps
    state["momentum_buffer"] = momentum * state["momentum_buffer"] + g / avg
    return param - lr * state["momentum_buffer"]


@buggy(EX, "weight decay applied to the parameter after the step instead of to the gradient", classes=(7,))
def rmsprop(param, grad, state, *, lr=0.01, alpha=0.99, eps=1e-8, weight_decay=0.0, momentum=0.0, centered=False):
    if not state:
        state.update(step=0, square_avg=np.zeros_like(param))
        if momentum > 0:
            state["momentum_buffer"] = np.zeros_like(param)
        if centered:
            state["grad_avg"] = np.zeros_like(param)
    state["step"] += 1
    state["square_avg"] = alpha * state["square_avg"] + (1 - alpha) * grad * grad
    if centered:
        state["grad_avg"] = alpha * state["grad_avg"] + (1 - alpha) * grad
        avg = np.sqrt(state["square_avg"] - state["grad_avg"] ** 2) + eps
    else:
        avg = np.sqrt(state["square_avg"]) + eps
    if momentum > 0:
        state["momentum_buffer"] = momentum * state["momentum_buffer"] + grad / avg
        new = param - lr * state["momentum_buffer"]
    else:
        new = param - lr * grad / avg
    return new - lr * weight_decay * param


@buggy(EX, "momentum ignored: the option is never read", classes=(7,))
def rmsprop(param, grad, state, *, lr=0.01, alpha=0.99, eps=1e-8, weight_decay=0.0, momentum=0.0, centered=False):
    if not state:
        state.update(step=0, square_avg=np.zeros_like(param))
        if centered:
            state["grad_avg"] = np.zeros_like(param)
    state["step"] += 1
    g = grad + weight_decay * param
    state["square_avg"] = alpha * state["square_avg"] + (1 - alpha) * g * g
    if centered:
        state["grad_avg"] = alpha * state["grad_avg"] + (1 - alpha) * g
        avg = np.sqrt(state["square_avg"] - state["grad_avg"] ** 2) + eps
    else:
        avg = np.sqrt(state["square_avg"]) + eps
    return param - lr * g / avg


@buggy(EX, "param updated in place (param -= ...): the caller's array is modified", classes=(8,))
def rmsprop(param, grad, state, *, lr=0.01, alpha=0.99, eps=1e-8, weight_decay=0.0, momentum=0.0, centered=False):
    if not state:
        state.update(step=0, square_avg=np.zeros_like(param))
        if momentum > 0:
            state["momentum_buffer"] = np.zeros_like(param)
        if centered:
            state["grad_avg"] = np.zeros_like(param)
    state["step"] += 1
    g = grad + weight_decay * param
    state["square_avg"] = alpha * state["square_avg"] + (1 - alpha) * g * g
    if centered:
        state["grad_avg"] = alpha * state["grad_avg"] + (1 - alpha) * g
        avg = np.sqrt(state["square_avg"] - state["grad_avg"] ** 2) + eps
    else:
        avg = np.sqrt(state["square_avg"]) + eps
    if momentum > 0:
        state["momentum_buffer"] = momentum * state["momentum_buffer"] + g / avg
        param -= lr * state["momentum_buffer"]
    else:
        param -= lr * g / avg
    return param


@buggy(EX, "buffers created with np.zeros(len(param)): a 0-d parameter fails", classes=(6,))
def rmsprop(param, grad, state, *, lr=0.01, alpha=0.99, eps=1e-8, weight_decay=0.0, momentum=0.0, centered=False):
    if not state:
        state.update(step=0, square_avg=np.zeros(len(param)))
        if momentum > 0:
            state["momentum_buffer"] = np.zeros(len(param))
        if centered:
            state["grad_avg"] = np.zeros(len(param))
    state["step"] += 1
    g = grad + weight_decay * param
    state["square_avg"] = alpha * state["square_avg"] + (1 - alpha) * g * g
    if centered:
        state["grad_avg"] = alpha * state["grad_avg"] + (1 - alpha) * g
        avg = np.sqrt(state["square_avg"] - state["grad_avg"] ** 2) + eps
    else:
        avg = np.sqrt(state["square_avg"]) + eps
    if momentum > 0:
        state["momentum_buffer"] = momentum * state["momentum_buffer"] + g / avg
        return param - lr * state["momentum_buffer"]
    return param - lr * g / avg


@buggy(EX, "default alpha=0.9 instead of the documented 0.99", classes=(7,))
def rmsprop(param, grad, state, *, lr=0.01, alpha=0.9, eps=1e-8, weight_decay=0.0, momentum=0.0, centered=False):
    if not state:
        state.update(step=0, square_avg=np.zeros_like(param))
        if momentum > 0:
            state["momentum_buffer"] = np.zeros_like(param)
        if centered:
            state["grad_avg"] = np.zeros_like(param)
    state["step"] += 1
    g = grad + weight_decay * param
    state["square_avg"] = alpha * state["square_avg"] + (1 - alpha) * g * g
    if centered:
        state["grad_avg"] = alpha * state["grad_avg"] + (1 - alpha) * g
        avg = np.sqrt(state["square_avg"] - state["grad_avg"] ** 2) + eps
    else:
        avg = np.sqrt(state["square_avg"]) + eps
    if momentum > 0:
        state["momentum_buffer"] = momentum * state["momentum_buffer"] + g / avg
        return param - lr * state["momentum_buffer"]
    return param - lr * g / avg


@buggy('07-optimizers/rmsprop', "[8] fresh square_avg is one module-level zeros array per shape, updated in place: two parameters of one shape share it")
def rmsprop(param, grad, state, *, lr=0.01, alpha=0.99, eps=1e-8, weight_decay=0.0, momentum=0.0, centered=False,
            _z={}):
    if "square_avg" not in state:
        state["step"] = 0
        state["square_avg"] = _z.setdefault(("s", np.shape(param)), np.zeros(np.shape(param)))
        state["square_avg"] *= 0
        if momentum > 0:
            state["momentum_buffer"] = np.zeros(np.shape(param))
        if centered:
            state["grad_avg"] = np.zeros(np.shape(param))
    state["step"] += 1
    g = grad + weight_decay * param
    sq = state["square_avg"]
    sq *= alpha
    sq += (1 - alpha) * g * g
    var = sq - state["grad_avg"] ** 2 if centered else sq
    if centered:
        state["grad_avg"] = alpha * state["grad_avg"] + (1 - alpha) * g
        var = sq - state["grad_avg"] ** 2
    avg = np.sqrt(var) + eps
    if momentum > 0:
        state["momentum_buffer"] = momentum * state["momentum_buffer"] + g / avg
        return param - lr * state["momentum_buffer"]
    return param - lr * g / avg
