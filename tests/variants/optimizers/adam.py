"""Buggy and correct answers to 07-optimizers/adam (self-contained: see tests/variants/__init__.py)."""

from __future__ import annotations

import math
import numpy as np

from .. import buggy, correct

EX = "07-optimizers/adam"


@correct(EX, "reference solution")
def adam(param, grad, state, *, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, amsgrad=False,
         decoupled_weight_decay=False):
    beta1, beta2 = betas
    if not state:
        state["step"] = 0
        state["exp_avg"] = np.zeros_like(param)
        state["exp_avg_sq"] = np.zeros_like(param)
        if amsgrad:
            state["max_exp_avg_sq"] = np.zeros_like(param)
    if decoupled_weight_decay:
        param = param * (1 - lr * weight_decay)
    else:
        grad = grad + weight_decay * param
    state["step"] += 1
    t = state["step"]
    state["exp_avg"] = beta1 * state["exp_avg"] + (1 - beta1) * grad
    state["exp_avg_sq"] = beta2 * state["exp_avg_sq"] + (1 - beta2) * grad * grad
    v = state["exp_avg_sq"]
    if amsgrad:
        state["max_exp_avg_sq"] = np.maximum(state["max_exp_avg_sq"], v)
        v = state["max_exp_avg_sq"]
    denom = np.sqrt(v) / np.sqrt(1 - beta2 ** t) + eps
    return param - lr / (1 - beta1 ** t) * state["exp_avg"] / denom


@correct(EX, "torch's in-place form: buffers updated in place, step a 0-d array, step_size and denom")
def adam(param, grad, state, *, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, amsgrad=False,
         decoupled_weight_decay=False):
    b1, b2 = betas
    if len(state) == 0:
        state["step"] = np.zeros(())
        state["exp_avg"] = np.zeros(param.shape)
        state["exp_avg_sq"] = np.zeros(param.shape)
        if amsgrad:
            state["max_exp_avg_sq"] = np.zeros(param.shape)
    p = np.array(param, dtype=np.float64)          # our own copy, updated in place
    g = np.array(grad, dtype=np.float64)
    if weight_decay != 0:
        if decoupled_weight_decay:
            p *= 1 - lr * weight_decay
        else:
            g += weight_decay * p
    state["step"] += 1
    m, v = state["exp_avg"], state["exp_avg_sq"]
    m += (g - m) * (1 - b1)                        # lerp, as torch
    v *= b2
    v += (1 - b2) * g * g
    bc1 = 1 - b1 ** float(state["step"])
    bc2_sqrt = np.sqrt(1 - b2 ** float(state["step"]))
    if amsgrad:
        np.maximum(state["max_exp_avg_sq"], v, out=state["max_exp_avg_sq"])
        denom = np.sqrt(state["max_exp_avg_sq"]) / bc2_sqrt + eps
    else:
        denom = np.sqrt(v) / bc2_sqrt + eps
    p -= (lr / bc1) * m / denom
    return p


@correct(EX, "explicit m_hat and v_hat, eps added to sqrt(v_hat); step kept as a float")
def adam(param, grad, state, *, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, amsgrad=False,
         decoupled_weight_decay=False):
    beta1, beta2 = betas
    step = state.get("step", 0.0) + 1.0
    m = state.get("exp_avg", 0.0 * param)
    v = state.get("exp_avg_sq", 0.0 * param)
    g = grad if decoupled_weight_decay else grad + weight_decay * param
    new_param = param - lr * weight_decay * param if decoupled_weight_decay else param
    m = beta1 * m + (1.0 - beta1) * g
    v = beta2 * v + (1.0 - beta2) * np.square(g)
    state.update(step=step, exp_avg=m, exp_avg_sq=v)
    if amsgrad:
        v = np.maximum(state.get("max_exp_avg_sq", 0.0 * param), v)
        state["max_exp_avg_sq"] = v
    m_hat = m / (1.0 - beta1 ** step)
    v_hat = v / (1.0 - beta2 ** step)
    return new_param - lr * m_hat / (np.sqrt(v_hat) + eps)


@buggy(EX, "no bias correction: param - lr * m / (sqrt(v) + eps)", demo=True, classes=(0,))
def adam(param, grad, state, *, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, amsgrad=False,
         decoupled_weight_decay=False):
    beta1, beta2 = betas
    if not state:
        state["step"] = 0
        state["exp_avg"] = np.zeros_like(param)
        state["exp_avg_sq"] = np.zeros_like(param)
        if amsgrad:
            state["max_exp_avg_sq"] = np.zeros_like(param)
    if decoupled_weight_decay:
        param = param * (1 - lr * weight_decay)
    else:
        grad = grad + weight_decay * param
    state["step"] += 1
    state["exp_avg"] = beta1 * state["exp_avg"] + (1 - beta1) * grad
    state["exp_avg_sq"] = beta2 * state["exp_avg_sq"] + (1 - beta2) * grad ** 2
    v = state["exp_avg_sq"]
    if amsgrad:
        state["max_exp_avg_sq"] = np.maximum(state["max_exp_avg_sq"], v)
        v = state["max_exp_avg_sq"]
    return param - lr * state["exp_avg"] / (np.sqrt(v) + eps)


@buggy(EX, "eps inside the square root: sqrt(v_hat + eps)", classes=(2,))
def adam(param, grad, state, *, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, amsgrad=False,
         decoupled_weight_decay=False):
    beta1, beta2 = betas
    if not state:
        state.update(step=0, exp_avg=np.zeros_like(param), exp_avg_sq=np.zeros_like(param))
        if amsgrad:
            state["max_exp_avg_sq"] = np.zeros_like(param)
    if decoupled_weight_decay:
        param = param * (1 - lr * weight_decay)
    else:
        grad = grad + weight_decay * param
    state["step"] += 1
    t = state["step"]
    state["exp_avg"] = beta1 * state["exp_avg"] + (1 - beta1) * grad
    state["exp_avg_sq"] = beta2 * state["exp_avg_sq"] + (1 - beta2) * grad * grad
    v = state["exp_avg_sq"]
    if amsgrad:
        state["max_exp_avg_sq"] = np.maximum(state["max_exp_avg_sq"], v)
        v = state["max_exp_avg_sq"]
    m_hat = state["exp_avg"] / (1 - beta1 ** t)
    v_hat = v / (1 - beta2 ** t)
    return param - lr * m_hat / np.sqrt(v_hat + eps)


@buggy(EX, "eps added before the bias correction: (sqrt(v) + eps) / sqrt(1 - beta2**t)", classes=(2,))
def adam(param, grad, state, *, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, amsgrad=False,
         decoupled_weight_decay=False):
    beta1, beta2 = betas
    if not state:
        state.update(step=0, exp_avg=np.zeros_like(param), exp_avg_sq=np.zeros_like(param))
        if amsgrad:
            state["max_exp_avg_sq"] = np.zeros_like(param)
    if decoupled_weight_decay:
        param = param * (1 - lr * weight_decay)
    else:
        grad = grad + weight_decay * param
    state["step"] += 1
    t = state["step"]
    state["exp_avg"] = beta1 * state["exp_avg"] + (1 - beta1) * grad
    state["exp_avg_sq"] = beta2 * state["exp_avg_sq"] + (1 - beta2) * grad * grad
    v = state["exp_avg_sq"]
    if amsgrad:
        state["max_exp_avg_sq"] = np.maximum(state["max_exp_avg_sq"], v)
        v = state["max_exp_avg_sq"]
    step_size = lr * np.sqrt(1 - beta2 ** t) / (1 - beta1 ** t)   # the paper's "efficient" form
    return param - step_size * state["exp_avg"] / (np.sqrt(v) + eps)


@buggy(EX, "bias correction computed with the step before incrementing it (power t - 1, guarded)", classes=(0,))
def adam(param, grad, state, *, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, amsgrad=False,
         decoupled_weight_decay=False):
    beta1, beta2 = betas
    if not state:
        state.update(step=0, exp_avg=np.zeros_like(param), exp_avg_sq=np.zeros_like(param))
        if amsgrad:
            state["max_exp_avg_sq"] = np.zeros_like(param)
    if decoupled_weight_decay:
        param = param * (1 - lr * weight_decay)
    else:
        grad = grad + weight_decay * param
    t = max(state["step"], 1)
    state["step"] += 1
    state["exp_avg"] = beta1 * state["exp_avg"] + (1 - beta1) * grad
    state["exp_avg_sq"] = beta2 * state["exp_avg_sq"] + (1 - beta2) * grad * grad
    v = state["exp_avg_sq"]
    if amsgrad:
        state["max_exp_avg_sq"] = np.maximum(state["max_exp_avg_sq"], v)
        v = state["max_exp_avg_sq"]
    return param - lr / (1 - beta1 ** t) * state["exp_avg"] / (np.sqrt(v) / np.sqrt(1 - beta2 ** t) + eps)


@buggy(EX, "always L2: decoupled_weight_decay ignored (AdamW behaves as Adam)", classes=(7,))
def adam(param, grad, state, *, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, amsgrad=False,
         decoupled_weight_decay=False):
    beta1, beta2 = betas
    if not state:
        state.update(step=0, exp_avg=np.zeros_like(param), exp_avg_sq=np.zeros_like(param))
        if amsgrad:
            state["max_exp_avg_sq"] = np.zeros_like(param)
    grad = grad + weight_decay * param
    state["step"] += 1
    t = state["step"]
    state["exp_avg"] = beta1 * state["exp_avg"] + (1 - beta1) * grad
    state["exp_avg_sq"] = beta2 * state["exp_avg_sq"] + (1 - beta2) * grad * grad
    v = state["exp_avg_sq"]
    if amsgrad:
        state["max_exp_avg_sq"] = np.maximum(state["max_exp_avg_sq"], v)
        v = state["max_exp_avg_sq"]
    return param - lr / (1 - beta1 ** t) * state["exp_avg"] / (np.sqrt(v) / np.sqrt(1 - beta2 ** t) + eps)


@buggy(EX, "AdamW decays the updated parameter, with (1 + lr*wd) written for (1 - lr*wd)", classes=(0,))
def adam(param, grad, state, *, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, amsgrad=False,
         decoupled_weight_decay=False):
    beta1, beta2 = betas
    if not state:
        state.update(step=0, exp_avg=np.zeros_like(param), exp_avg_sq=np.zeros_like(param))
        if amsgrad:
            state["max_exp_avg_sq"] = np.zeros_like(param)
    if not decoupled_weight_decay:
        grad = grad + weight_decay * param
    state["step"] += 1
    t = state["step"]
    state["exp_avg"] = beta1 * state["exp_avg"] + (1 - beta1) * grad
    state["exp_avg_sq"] = beta2 * state["exp_avg_sq"] + (1 - beta2) * grad * grad
    v = state["exp_avg_sq"]
    if amsgrad:
        state["max_exp_avg_sq"] = np.maximum(state["max_exp_avg_sq"], v)
        v = state["max_exp_avg_sq"]
    new = param - lr / (1 - beta1 ** t) * state["exp_avg"] / (np.sqrt(v) / np.sqrt(1 - beta2 ** t) + eps)
    if decoupled_weight_decay:
        new = new / (1 + lr * weight_decay)
    return new


@buggy(EX, "amsgrad ignored (the option is never read)", classes=(7,))
def adam(param, grad, state, *, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, amsgrad=False,
         decoupled_weight_decay=False):
    beta1, beta2 = betas
    if not state:
        state.update(step=0, exp_avg=np.zeros_like(param), exp_avg_sq=np.zeros_like(param))
    if decoupled_weight_decay:
        param = param * (1 - lr * weight_decay)
    else:
        grad = grad + weight_decay * param
    state["step"] += 1
    t = state["step"]
    state["exp_avg"] = beta1 * state["exp_avg"] + (1 - beta1) * grad
    state["exp_avg_sq"] = beta2 * state["exp_avg_sq"] + (1 - beta2) * grad * grad
    return param - lr / (1 - beta1 ** t) * state["exp_avg"] / (np.sqrt(state["exp_avg_sq"]) / np.sqrt(1 - beta2 ** t) + eps)


@buggy(EX, "the step counted per call of the rule (a global counter) instead of per parameter", classes=(8,))
def adam(param, grad, state, *, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, amsgrad=False,
         decoupled_weight_decay=False):
    global _ADAM_T
    beta1, beta2 = betas
    _ADAM_T = globals().get("_ADAM_T", 0) + 1
    if not state:
        state.update(exp_avg=np.zeros_like(param), exp_avg_sq=np.zeros_like(param))
        if amsgrad:
            state["max_exp_avg_sq"] = np.zeros_like(param)
    if decoupled_weight_decay:
        param = param * (1 - lr * weight_decay)
    else:
        grad = grad + weight_decay * param
    state["step"] = _ADAM_T
    t = _ADAM_T
    state["exp_avg"] = beta1 * state["exp_avg"] + (1 - beta1) * grad
    state["exp_avg_sq"] = beta2 * state["exp_avg_sq"] + (1 - beta2) * grad * grad
    v = state["exp_avg_sq"]
    if amsgrad:
        state["max_exp_avg_sq"] = np.maximum(state["max_exp_avg_sq"], v)
        v = state["max_exp_avg_sq"]
    return param - lr / (1 - beta1 ** t) * state["exp_avg"] / (np.sqrt(v) / np.sqrt(1 - beta2 ** t) + eps)


@buggy(EX, "updates param in place (param -= ...) and returns it: the caller's array is modified", classes=(8,))
def adam(param, grad, state, *, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, amsgrad=False,
         decoupled_weight_decay=False):
    beta1, beta2 = betas
    if not state:
        state.update(step=0, exp_avg=np.zeros_like(param), exp_avg_sq=np.zeros_like(param))
        if amsgrad:
            state["max_exp_avg_sq"] = np.zeros_like(param)
    if decoupled_weight_decay:
        param *= 1 - lr * weight_decay
    else:
        grad = grad + weight_decay * param
    state["step"] += 1
    t = state["step"]
    state["exp_avg"] = beta1 * state["exp_avg"] + (1 - beta1) * grad
    state["exp_avg_sq"] = beta2 * state["exp_avg_sq"] + (1 - beta2) * grad * grad
    v = state["exp_avg_sq"]
    if amsgrad:
        state["max_exp_avg_sq"] = np.maximum(state["max_exp_avg_sq"], v)
        v = state["max_exp_avg_sq"]
    param -= lr / (1 - beta1 ** t) * state["exp_avg"] / (np.sqrt(v) / np.sqrt(1 - beta2 ** t) + eps)
    return param


@buggy(EX, "buffers created with np.zeros(len(param)): a 0-d parameter fails", classes=(6,))
def adam(param, grad, state, *, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, amsgrad=False,
         decoupled_weight_decay=False):
    beta1, beta2 = betas
    if not state:
        state.update(step=0, exp_avg=np.zeros(len(param)), exp_avg_sq=np.zeros(len(param)))
        if amsgrad:
            state["max_exp_avg_sq"] = np.zeros(len(param))
    if decoupled_weight_decay:
        param = param * (1 - lr * weight_decay)
    else:
        grad = grad + weight_decay * param
    state["step"] += 1
    t = state["step"]
    state["exp_avg"] = beta1 * state["exp_avg"] + (1 - beta1) * grad
    state["exp_avg_sq"] = beta2 * state["exp_avg_sq"] + (1 - beta2) * grad * grad
    v = state["exp_avg_sq"]
    if amsgrad:
        state["max_exp_avg_sq"] = np.maximum(state["max_exp_avg_sq"], v)
        v = state["max_exp_avg_sq"]
    return param - lr / (1 - beta1 ** t) * state["exp_avg"] / (np.sqrt(v) / np.sqrt(1 - beta2 ** t) + eps)


@buggy(EX, "default betas=(0.9, 0.99) instead of the documented (0.9, 0.999)", classes=(7,))
def adam(param, grad, state, *, lr=1e-3, betas=(0.9, 0.99), eps=1e-8, weight_decay=0.0, amsgrad=False,
         decoupled_weight_decay=False):
    beta1, beta2 = betas
    if not state:
        state.update(step=0, exp_avg=np.zeros_like(param), exp_avg_sq=np.zeros_like(param))
        if amsgrad:
            state["max_exp_avg_sq"] = np.zeros_like(param)
    if decoupled_weight_decay:
        param = param * (1 - lr * weight_decay)
    else:
        grad = grad + weight_decay * param
    state["step"] += 1
    t = state["step"]
    state["exp_avg"] = beta1 * state["exp_avg"] + (1 - beta1) * grad
    state["exp_avg_sq"] = beta2 * state["exp_avg_sq"] + (1 - beta2) * grad * grad
    v = state["exp_avg_sq"]
    if amsgrad:
        state["max_exp_avg_sq"] = np.maximum(state["max_exp_avg_sq"], v)
        v = state["max_exp_avg_sq"]
    return param - lr / (1 - beta1 ** t) * state["exp_avg"] / (np.sqrt(v) / np.sqrt(1 - beta2 ** t) + eps)


@buggy(EX, "state buffers named 'm' and 'v' (not torch's exp_avg / exp_avg_sq)", classes=(9,))
def adam(param, grad, state, *, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, amsgrad=False,
         decoupled_weight_decay=False):
    beta1, beta2 = betas
    if not state:
        state.update(step=0, m=np.zeros_like(param), v=np.zeros_like(param))
    if decoupled_weight_decay:
        param = param * (1 - lr * weight_decay)
    else:
        grad = grad + weight_decay * param
    state["step"] += 1
    t = state["step"]
    state["m"] = beta1 * state["m"] + (1 - beta1) * grad
    state["v"] = beta2 * state["v"] + (1 - beta2) * grad * grad
    v = state["v"]
    if amsgrad:
        state["v_max"] = np.maximum(state.get("v_max", v), v)
        v = state["v_max"]
    return param - lr / (1 - beta1 ** t) * state["m"] / (np.sqrt(v) / np.sqrt(1 - beta2 ** t) + eps)


@buggy('07-optimizers/adam', "[8] fresh exp_avg / exp_avg_sq are module-level zeros arrays per shape, updated in place: two parameters of one shape share them")
def adam(param, grad, state, *, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, amsgrad=False,
         decoupled_weight_decay=False, _z={}):
    b1, b2 = betas
    if "exp_avg" not in state:
        state["step"] = 0
        for k in ("exp_avg", "exp_avg_sq") + (("max_exp_avg_sq",) if amsgrad else ()):
            z = _z.setdefault((k, np.shape(param)), np.zeros(np.shape(param)))
            z *= 0
            state[k] = z
    state["step"] += 1
    t = state["step"]
    p = param * (1 - lr * weight_decay) if decoupled_weight_decay else param
    g = grad if decoupled_weight_decay else grad + weight_decay * param
    m, v = state["exp_avg"], state["exp_avg_sq"]
    m *= b1; m += (1 - b1) * g
    v *= b2; v += (1 - b2) * g * g
    if amsgrad:
        np.maximum(state["max_exp_avg_sq"], v, out=state["max_exp_avg_sq"])
        v = state["max_exp_avg_sq"]
    return p - lr / (1 - b1 ** t) * m / (np.sqrt(v) / math.sqrt(1 - b2 ** t) + eps)
