"""Buggy and correct answers to 06-regularization/sgd_weight_decay (self-contained: see tests/variants/__init__.py).

Written from the statement alone, before the check: the mistakes a student makes between SGD's L2 penalty
(through the gradient, so through the momentum buffer) and decoupled weight decay (outside it).
"""

from __future__ import annotations

import numpy as np
import torch

from .. import buggy, correct

SWD = "06-regularization/sgd_weight_decay"


@buggy(SWD, "decoupled weight_decay added to the gradient like l2, so it goes through the momentum buffer",
       demo=True, classes=(0,))
def sgd_weight_decay(param, grad, state, *, lr, momentum=0.0, dampening=0.0, l2=0.0, weight_decay=0.0):
    g = grad + (l2 + weight_decay) * param
    if momentum != 0:
        if "momentum_buffer" not in state:
            state["momentum_buffer"] = g.copy()
        else:
            state["momentum_buffer"] = momentum * state["momentum_buffer"] + (1 - dampening) * g
        g = state["momentum_buffer"]
    return param - lr * g


@buggy(SWD, "dampening applied on the first step too: buf = (1 - dampening) * g", classes=(7,))
def sgd_weight_decay(param, grad, state, *, lr, momentum=0.0, dampening=0.0, l2=0.0, weight_decay=0.0):  # noqa: F811
    g = grad + l2 * param
    if momentum != 0:
        buf = state.get("momentum_buffer", np.zeros_like(param))
        buf = momentum * buf + (1 - dampening) * g
        state["momentum_buffer"] = buf
        g = buf
    return param - lr * g - lr * weight_decay * param


@buggy(SWD, "dampening ignored: buf = momentum * buf + g", classes=(7,))
def sgd_weight_decay(param, grad, state, *, lr, momentum=0.0, dampening=0.0, l2=0.0, weight_decay=0.0):  # noqa: F811
    g = grad + l2 * param
    if momentum != 0:
        buf = state.get("momentum_buffer")
        buf = g.copy() if buf is None else momentum * buf + g
        state["momentum_buffer"] = buf
        g = buf
    return param - lr * g - lr * weight_decay * param


@buggy(SWD, "decoupled decay applied after the momentum step, to the new parameter", classes=(0,))
def sgd_weight_decay(param, grad, state, *, lr, momentum=0.0, dampening=0.0, l2=0.0, weight_decay=0.0):  # noqa: F811
    g = grad + l2 * param
    if momentum != 0:
        buf = state.get("momentum_buffer")
        buf = g.copy() if buf is None else momentum * buf + (1 - dampening) * g
        state["momentum_buffer"] = buf
        g = buf
    new = param - lr * g
    return new - lr * weight_decay * new


@buggy(SWD, "decay with the wrong sign: param * (1 + lr * weight_decay)", classes=(0,))
def sgd_weight_decay(param, grad, state, *, lr, momentum=0.0, dampening=0.0, l2=0.0, weight_decay=0.0):  # noqa: F811
    g = grad + l2 * param
    if momentum != 0:
        buf = state.get("momentum_buffer")
        buf = g.copy() if buf is None else momentum * buf + (1 - dampening) * g
        state["momentum_buffer"] = buf
        g = buf
    return param * (1 + lr * weight_decay) - lr * g


@buggy(SWD, "l2 treated as decoupled decay: l2 * param subtracted outside the momentum buffer", classes=(0,))
def sgd_weight_decay(param, grad, state, *, lr, momentum=0.0, dampening=0.0, l2=0.0, weight_decay=0.0):  # noqa: F811
    g = grad
    if momentum != 0:
        buf = state.get("momentum_buffer")
        buf = g.copy() if buf is None else momentum * buf + (1 - dampening) * g
        state["momentum_buffer"] = buf
        g = buf
    return param - lr * g - lr * (l2 + weight_decay) * param


@buggy(SWD, "lr folded into the buffer: buf = momentum * buf + lr * g, param -= buf", classes=(0,))
def sgd_weight_decay(param, grad, state, *, lr, momentum=0.0, dampening=0.0, l2=0.0, weight_decay=0.0):  # noqa: F811
    step = lr * (grad + l2 * param)
    if momentum != 0:
        buf = state.get("momentum_buffer")
        buf = step.copy() if buf is None else momentum * buf + (1 - dampening) * step
        state["momentum_buffer"] = buf
        step = buf
    return param - step - lr * weight_decay * param


@buggy(SWD, "an exponential average buffer from zeros: buf = momentum * buf + (1 - momentum) * g", classes=(0,))
def sgd_weight_decay(param, grad, state, *, lr, momentum=0.0, dampening=0.0, l2=0.0, weight_decay=0.0):  # noqa: F811
    g = grad + l2 * param
    if momentum != 0:
        buf = state.get("momentum_buffer", np.zeros_like(param))
        buf = momentum * buf + (1 - momentum) * g
        state["momentum_buffer"] = buf
        g = buf
    return param - lr * g - lr * weight_decay * param


@buggy(SWD, "biases excluded from decay and l2 (only arrays of 2 or more dimensions), as weight_penalty does",
       classes=(6, 7))
def sgd_weight_decay(param, grad, state, *, lr, momentum=0.0, dampening=0.0, l2=0.0, weight_decay=0.0):  # noqa: F811
    if param.ndim < 2:
        l2 = weight_decay = 0.0
    g = grad + l2 * param
    if momentum != 0:
        buf = state.get("momentum_buffer")
        buf = g.copy() if buf is None else momentum * buf + (1 - dampening) * g
        state["momentum_buffer"] = buf
        g = buf
    return param - lr * g - lr * weight_decay * param


@buggy(SWD, "updates param in place (param -= ...) and returns it", classes=(8,))
def sgd_weight_decay(param, grad, state, *, lr, momentum=0.0, dampening=0.0, l2=0.0, weight_decay=0.0):  # noqa: F811
    g = grad + l2 * param
    if momentum != 0:
        buf = state.get("momentum_buffer")
        buf = g.copy() if buf is None else momentum * buf + (1 - dampening) * g
        state["momentum_buffer"] = buf
        g = buf
    decay = lr * weight_decay * param
    param -= lr * g
    param -= decay
    return param


@buggy(SWD, "the first buffer is the gradient array itself, then updated in place: the caller's grad changes",
       classes=(8,))
def sgd_weight_decay(param, grad, state, *, lr, momentum=0.0, dampening=0.0, l2=0.0, weight_decay=0.0):  # noqa: F811
    g = np.asarray(grad + l2 * param) if l2 else grad
    if momentum != 0:
        if "momentum_buffer" not in state:
            state["momentum_buffer"] = g
        else:
            buf = state["momentum_buffer"]
            buf *= momentum
            buf += (1 - dampening) * g
        g = state["momentum_buffer"]
    return param - lr * g - lr * weight_decay * param


@buggy(SWD, "the buffer stored under the key 'momentum' instead of torch's 'momentum_buffer'", classes=(9,))
def sgd_weight_decay(param, grad, state, *, lr, momentum=0.0, dampening=0.0, l2=0.0, weight_decay=0.0):  # noqa: F811
    g = grad + l2 * param
    if momentum != 0:
        buf = state.get("momentum")
        buf = g.copy() if buf is None else momentum * buf + (1 - dampening) * g
        state["momentum"] = buf
        g = buf
    return param - lr * g - lr * weight_decay * param


@buggy(SWD, "momentum defaults to 0.9", classes=(7,))
def sgd_weight_decay(param, grad, state, *, lr, momentum=0.9, dampening=0.0, l2=0.0, weight_decay=0.0):  # noqa: F811
    g = grad + l2 * param
    if momentum != 0:
        buf = state.get("momentum_buffer")
        buf = g.copy() if buf is None else momentum * buf + (1 - dampening) * g
        state["momentum_buffer"] = buf
        g = buf
    return param - lr * g - lr * weight_decay * param


@correct(SWD, "reference solution")
def sgd_weight_decay(param, grad, state, *, lr, momentum=0.0, dampening=0.0, l2=0.0, weight_decay=0.0):  # noqa: F811
    g = grad + l2 * param                      # the L2 penalty's gradient joins the data gradient
    if momentum != 0:
        buf = state.get("momentum_buffer")
        if buf is None:
            buf = g.copy()                     # first step: the gradient itself, no dampening
        else:
            buf = momentum * buf + (1 - dampening) * g
        state["momentum_buffer"] = buf
        g = buf
    return param - lr * g - lr * weight_decay * param   # decoupled: the old param, outside the buffer


@correct(SWD, "decay first as a factor (1 - lr * weight_decay), buffer updated in place on its own copy")
def sgd_weight_decay(param, grad, state, *, lr, momentum=0.0, dampening=0.0, l2=0.0, weight_decay=0.0):  # noqa: F811
    d_p = np.array(grad, dtype=np.float64, copy=True)
    if l2:
        d_p += l2 * param
    if momentum:
        if "momentum_buffer" in state:
            buf = state["momentum_buffer"]
            buf *= momentum
            buf += (1.0 - dampening) * d_p
        else:
            state["momentum_buffer"] = buf = d_p.copy()
        d_p = buf
    return (1.0 - lr * weight_decay) * param - lr * d_p


@correct(SWD, "through torch: torch.optim.SGD's arithmetic on tensors, then the decoupled term")
def sgd_weight_decay(param, grad, state, *, lr, momentum=0.0, dampening=0.0, l2=0.0, weight_decay=0.0):  # noqa: F811
    p = torch.as_tensor(param, dtype=torch.float64)
    g = torch.as_tensor(grad, dtype=torch.float64).add(p, alpha=l2)
    if momentum != 0:
        old = state.get("momentum_buffer")
        if old is None:
            buf = g.clone()
        else:
            buf = torch.as_tensor(old).mul(momentum).add(g, alpha=1 - dampening)
        state["momentum_buffer"] = buf.numpy()
        g = buf
    return p.sub(g, alpha=lr).sub(p, alpha=lr * weight_decay).numpy()
