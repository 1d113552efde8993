import math, random
import numpy as np
import torch
from tests.variants import buggy, correct

ID = "06-regularization/sgd_weight_decay"


@buggy(ID, "[7] dampening applied on the first step too (buf = (1 - tau) g)")
def sgd_weight_decay(param, grad, state, *, lr, momentum=0.0, dampening=0.0, l2=0.0, weight_decay=0.0):
    g = grad + l2 * param
    if momentum > 0:
        buf = state.get("momentum_buffer", np.zeros_like(param))
        buf = momentum * buf + (1 - dampening) * g
        state["momentum_buffer"] = buf
        g = buf
    return param - lr * g - lr * weight_decay * param


@buggy(ID, "[8] buffer aliases grad on the first step and is then updated in place (modifies caller's grad)")
def sgd_weight_decay(param, grad, state, *, lr, momentum=0.0, dampening=0.0, l2=0.0, weight_decay=0.0):
    g = grad + l2 * param if l2 else grad
    if momentum > 0:
        if "momentum_buffer" not in state:
            state["momentum_buffer"] = g
        else:
            buf = state["momentum_buffer"]
            buf *= momentum
            buf += (1 - dampening) * g
        g = state["momentum_buffer"]
    return param - lr * g - lr * weight_decay * param


@buggy(ID, "[7] decoupled decay applied to the already-updated parameter (new *= 1 - lr*wd)")
def sgd_weight_decay(param, grad, state, *, lr, momentum=0.0, dampening=0.0, l2=0.0, weight_decay=0.0):
    g = grad + l2 * param
    if momentum > 0:
        if "momentum_buffer" not in state:
            buf = g.copy()
        else:
            buf = momentum * state["momentum_buffer"] + (1 - dampening) * g
        state["momentum_buffer"] = buf
        g = buf
    new = param - lr * g
    return new * (1 - lr * weight_decay)


@buggy(ID, "[7] decoupled decay put into the buffer (g += wd*param), same as l2")
def sgd_weight_decay(param, grad, state, *, lr, momentum=0.0, dampening=0.0, l2=0.0, weight_decay=0.0):
    g = grad + (l2 + weight_decay) * param
    if momentum > 0:
        if "momentum_buffer" not in state:
            buf = g.copy()
        else:
            buf = momentum * state["momentum_buffer"] + (1 - dampening) * g
        state["momentum_buffer"] = buf
        g = buf
    return param - lr * g


@buggy(ID, "[7] stores momentum_buffer even when momentum == 0")
def sgd_weight_decay(param, grad, state, *, lr, momentum=0.0, dampening=0.0, l2=0.0, weight_decay=0.0):
    g = grad + l2 * param
    if "momentum_buffer" not in state:
        buf = g.copy()
    else:
        buf = momentum * state["momentum_buffer"] + (1 - dampening) * g
    state["momentum_buffer"] = buf
    return param - lr * buf - lr * weight_decay * param


@correct(ID, "decay first, then out -= lr * buf on a new array; 0-d kept as 0-d array")
def sgd_weight_decay(param, grad, state, *, lr, momentum=0.0, dampening=0.0, l2=0.0, weight_decay=0.0):
    g = grad + l2 * param
    if momentum > 0:
        if "momentum_buffer" not in state:
            buf = g.copy()
        else:
            buf = momentum * state["momentum_buffer"] + (1 - dampening) * g
        state["momentum_buffer"] = buf
        g = buf
    out = param - lr * weight_decay * param
    out -= lr * g
    if momentum == 0 and "momentum_buffer" in state:
        del state["momentum_buffer"]
    return out if param.ndim else out.reshape(())


@buggy(ID, "[9] 0-d parameter: returns a Python float / np.float64 scalar (via float())")
def sgd_weight_decay(param, grad, state, *, lr, momentum=0.0, dampening=0.0, l2=0.0, weight_decay=0.0):
    g = grad + l2 * param
    if momentum > 0:
        if "momentum_buffer" not in state:
            buf = np.array(g, copy=True)
        else:
            buf = momentum * state["momentum_buffer"] + (1 - dampening) * g
        state["momentum_buffer"] = buf
        g = buf
    new = param - lr * g - lr * weight_decay * param
    return float(new) if np.ndim(new) == 0 else new


@buggy(ID, "[8] first step detected by an all-zero buffer (np.any(buf)): a warm zero buffer is treated as fresh (no dampening)")
def sgd_weight_decay(param, grad, state, *, lr, momentum=0.0, dampening=0.0, l2=0.0, weight_decay=0.0):
    g = grad + l2 * param
    if momentum > 0:
        buf = state.get("momentum_buffer")
        if buf is None or not np.any(buf):
            buf = g.copy()
        else:
            buf = momentum * buf + (1 - dampening) * g
        state["momentum_buffer"] = buf
        g = buf
    return param - lr * g - lr * weight_decay * param


@buggy(ID, "[7] wrong default dampening=0.1 (confused with momentum defaults)")
def sgd_weight_decay(param, grad, state, *, lr, momentum=0.0, dampening=0.1, l2=0.0, weight_decay=0.0):
    g = grad + l2 * param
    if momentum > 0:
        if "momentum_buffer" not in state:
            buf = g.copy()
        else:
            buf = momentum * state["momentum_buffer"] + (1 - dampening) * g
        state["momentum_buffer"] = buf
        g = buf
    return param - lr * g - lr * weight_decay * param


@correct(ID, "torch.optim.SGD on a fresh tensor, buffer copied in and out, then decoupled decay")
def sgd_weight_decay(param, grad, state, *, lr, momentum=0.0, dampening=0.0, l2=0.0, weight_decay=0.0):
    p = torch.tensor(np.array(param, dtype=np.float64), requires_grad=True)
    p.grad = torch.tensor(np.array(grad, dtype=np.float64))
    opt = torch.optim.SGD([p], lr=lr, momentum=momentum, dampening=dampening, weight_decay=l2)
    if "momentum_buffer" in state:
        opt.state[p]["momentum_buffer"] = torch.tensor(np.array(state["momentum_buffer"], dtype=np.float64))
    opt.step()
    if momentum > 0:
        state["momentum_buffer"] = opt.state[p]["momentum_buffer"].numpy().copy()
    return p.detach().numpy().copy() - lr * weight_decay * param


@correct(ID, "in-place arithmetic on copies")
def sgd_weight_decay(param, grad, state, *, lr, momentum=0.0, dampening=0.0, l2=0.0, weight_decay=0.0):
    d = np.array(grad, dtype=float, copy=True)
    d += l2 * param
    if momentum:
        if "momentum_buffer" in state:
            b = state["momentum_buffer"]
            b *= momentum
            b += (1.0 - dampening) * d
        else:
            state["momentum_buffer"] = d.copy()
        d = state["momentum_buffer"]
    new = np.array(param, dtype=float, copy=True)
    new -= lr * weight_decay * param
    new -= lr * d
    return new
