import math, random
import numpy as np
import torch
from tests.variants import buggy, correct

ID = "07-optimizers/momentum"


def _call(factory):
    return factory()


def _nesterov_ok(param, grad, state, *, lr, momentum, weight_decay=0.0):
    g = grad + weight_decay * param
    if "momentum_buffer" not in state:
        buf = np.array(g, dtype=float, copy=True)
    else:
        buf = momentum * state["momentum_buffer"] + g
    state["momentum_buffer"] = buf
    return param - lr * (g + momentum * buf)


def _hb_ok(param, grad, state, *, lr, momentum):
    v = momentum * state.get("velocity", np.zeros_like(param, dtype=float)) - lr * grad
    state["velocity"] = v
    return param + v


@buggy(ID, "[7] heavy_ball in PyTorch's form (buffer in gradient units, velocity stored as -lr*buf with the current lr)")
@_call
def momentum():
    def heavy_ball(param, grad, state, *, lr, momentum):
        b = state.get("_b")
        b = np.array(grad, dtype=float, copy=True) if b is None else momentum * b + grad
        state["_b"] = b
        state["velocity"] = -lr * b
        return param - lr * b
    return heavy_ball, _nesterov_ok


@buggy(ID, "[7] nesterov: weight decay added to the step but not to the buffer")
@_call
def momentum():
    def nesterov(param, grad, state, *, lr, momentum, weight_decay=0.0):
        if "momentum_buffer" not in state:
            buf = np.array(grad, dtype=float, copy=True)
        else:
            buf = momentum * state["momentum_buffer"] + grad
        state["momentum_buffer"] = buf
        g = grad + weight_decay * param
        return param - lr * (g + momentum * buf)
    return _hb_ok, nesterov


@buggy(ID, "[7] classic Nesterov (look-ahead) in velocity form, buffer stored as -v/lr")
@_call
def momentum():
    def nesterov(param, grad, state, *, lr, momentum, weight_decay=0.0):
        g = grad + weight_decay * param
        v = state.get("_v", np.zeros_like(param, dtype=float))
        v_new = momentum * v - lr * g
        state["_v"] = v_new
        state["momentum_buffer"] = -v_new / lr
        return param - momentum * v + (1 + momentum) * v_new
    return _hb_ok, nesterov


@buggy(ID, "[8] heavy_ball: fresh velocity aliased to a shared zeros array per shape, then updated in place")
@_call
def momentum():
    zeros = {}

    def heavy_ball(param, grad, state, *, lr, momentum):
        if "velocity" not in state:
            state["velocity"] = zeros.setdefault(np.shape(param), np.zeros(np.shape(param)))
        v = state["velocity"]
        v *= momentum
        v -= lr * grad
        return param + v
    return heavy_ball, _nesterov_ok


@buggy(ID, "[8] nesterov modifies grad in place when adding weight decay (grad += wd * param)")
@_call
def momentum():
    def nesterov(param, grad, state, *, lr, momentum, weight_decay=0.0):
        g = grad
        if weight_decay:
            g += weight_decay * param
        if "momentum_buffer" not in state:
            buf = g.copy()
        else:
            buf = momentum * state["momentum_buffer"] + g
        state["momentum_buffer"] = buf
        return param - lr * (g + momentum * buf)
    return _hb_ok, nesterov


@buggy(ID, "[9] heavy_ball 0-d: velocity stored as a Python float")
@_call
def momentum():
    def heavy_ball(param, grad, state, *, lr, momentum):
        v = momentum * state.get("velocity", 0.0) - lr * grad
        if np.ndim(v) == 0:
            v = float(v)
        state["velocity"] = v
        return param + v
    return heavy_ball, _nesterov_ok


@buggy(ID, "[7] nesterov steps with g + mu * the OLD buffer")
@_call
def momentum():
    def nesterov(param, grad, state, *, lr, momentum, weight_decay=0.0):
        g = grad + weight_decay * param
        old = state.get("momentum_buffer", np.zeros_like(param, dtype=float))
        buf = momentum * old + g if "momentum_buffer" in state else np.array(g, dtype=float, copy=True)
        state["momentum_buffer"] = buf
        return param - lr * (g + momentum * old)
    return _hb_ok, nesterov


@correct(ID, "heavy_ball with the sign flipped twice: u = mu*u + lr*g, new = param - u, velocity stored as -u")
@_call
def momentum():
    def heavy_ball(param, grad, state, *, lr, momentum):
        v = -state.get("velocity", np.zeros_like(param, dtype=float))
        v = momentum * v + lr * grad
        state["velocity"] = -v
        return param - v
    return heavy_ball, _nesterov_ok


@buggy(ID, "[7] nesterov default weight_decay=1e-4")
@_call
def momentum():
    def nesterov(param, grad, state, *, lr, momentum, weight_decay=1e-4):
        return _nesterov_ok(param, grad, state, lr=lr, momentum=momentum, weight_decay=weight_decay)
    return _hb_ok, nesterov


@correct(ID, "both straight from the docstring formulas")
@_call
def momentum():
    return _hb_ok, _nesterov_ok


@correct(ID, "nesterov via torch.optim.SGD(nesterov=True) on copies; heavy_ball with in-place velocity on a copy")
@_call
def momentum():
    def heavy_ball(param, grad, state, *, lr, momentum):
        if "velocity" not in state:
            state["velocity"] = np.zeros(np.shape(param))
        v = state["velocity"]
        v *= momentum
        v -= lr * np.asarray(grad)
        return np.asarray(param) + v

    def nesterov(param, grad, state, *, lr, momentum, weight_decay=0.0):
        p = torch.tensor(np.array(param, dtype=np.float64), requires_grad=True)
        p.grad = torch.tensor(np.array(grad, dtype=np.float64))
        opt = torch.optim.SGD([p], lr=lr, momentum=momentum, nesterov=True, weight_decay=weight_decay)
        if "momentum_buffer" in state:
            opt.state[p]["momentum_buffer"] = torch.tensor(np.array(state["momentum_buffer"], dtype=np.float64))
        opt.step()
        state["momentum_buffer"] = opt.state[p]["momentum_buffer"].numpy().copy()
        return p.detach().numpy().copy()
    return heavy_ball, nesterov
