"""Buggy and correct answers to 07-optimizers/momentum (self-contained: see tests/variants/__init__.py).

Written from the statement alone, before the check. ``heavy_ball`` is the classic form (a velocity in
parameter units, the learning rate inside it), ``nesterov`` PyTorch's form (a buffer in gradient units);
the mistakes are mostly one form written for the other.
"""

from __future__ import annotations

import numpy as np
import torch

from .. import buggy, correct

MOM = "07-optimizers/momentum"


@buggy(MOM, "heavy_ball in PyTorch's form: velocity = momentum * velocity + grad, param -= lr * velocity",
       demo=True, classes=(0,))
class momentum:
    global heavy_ball, nesterov

    def heavy_ball(param, grad, state, *, lr, momentum):
        v = state.get("velocity", np.zeros_like(param))
        v = momentum * v + grad
        state["velocity"] = v
        return param - lr * v

    def nesterov(param, grad, state, *, lr, momentum, weight_decay=0.0):
        g = grad + weight_decay * param
        buf = state.get("momentum_buffer")
        buf = g.copy() if buf is None else momentum * buf + g
        state["momentum_buffer"] = buf
        return param - lr * (g + momentum * buf)

    functions = (heavy_ball, nesterov)


@buggy(MOM, "heavy_ball in PyTorch's form with velocity reported as -lr * buffer: right for a constant lr only",
       classes=(7,))
class momentum:  # noqa: F811
    global heavy_ball, nesterov

    def heavy_ball(param, grad, state, *, lr, momentum):
        buf = state.get("_buf")
        buf = grad.copy() if buf is None else momentum * buf + grad
        state["_buf"] = buf
        state["velocity"] = -lr * buf
        return param - lr * buf

    def nesterov(param, grad, state, *, lr, momentum, weight_decay=0.0):
        g = grad + weight_decay * param
        buf = state.get("momentum_buffer")
        buf = g.copy() if buf is None else momentum * buf + g
        state["momentum_buffer"] = buf
        return param - lr * (g + momentum * buf)

    functions = (heavy_ball, nesterov)


@buggy(MOM, "heavy_ball's velocity with the opposite sign: v = momentum * v + lr * g, param -= v", classes=(0,))
class momentum:  # noqa: F811
    global heavy_ball, nesterov

    def heavy_ball(param, grad, state, *, lr, momentum):
        v = momentum * state.get("velocity", 0.0) + lr * grad
        state["velocity"] = v
        return param - v

    def nesterov(param, grad, state, *, lr, momentum, weight_decay=0.0):
        g = grad + weight_decay * param
        buf = state.get("momentum_buffer")
        buf = g.copy() if buf is None else momentum * buf + g
        state["momentum_buffer"] = buf
        return param - lr * (g + momentum * buf)

    functions = (heavy_ball, nesterov)


@buggy(MOM, "heavy_ball moves with the old velocity, then updates it", classes=(0,))
class momentum:  # noqa: F811
    global heavy_ball, nesterov

    def heavy_ball(param, grad, state, *, lr, momentum):
        v = state.get("velocity", np.zeros_like(param))
        new = param + v
        state["velocity"] = momentum * v - lr * grad
        return new

    def nesterov(param, grad, state, *, lr, momentum, weight_decay=0.0):
        g = grad + weight_decay * param
        buf = state.get("momentum_buffer")
        buf = g.copy() if buf is None else momentum * buf + g
        state["momentum_buffer"] = buf
        return param - lr * (g + momentum * buf)

    functions = (heavy_ball, nesterov)


@buggy(MOM, "heavy_ball updates param and its velocity in place (param += v)", classes=(8,))
class momentum:  # noqa: F811
    global heavy_ball, nesterov

    def heavy_ball(param, grad, state, *, lr, momentum):
        v = state.setdefault("velocity", np.zeros_like(param))
        v *= momentum
        v -= lr * grad
        param += v
        return param

    def nesterov(param, grad, state, *, lr, momentum, weight_decay=0.0):
        g = grad + weight_decay * param
        buf = state.get("momentum_buffer")
        buf = g.copy() if buf is None else momentum * buf + g
        state["momentum_buffer"] = buf
        return param - lr * (g + momentum * buf)

    functions = (heavy_ball, nesterov)


@buggy(MOM, "nesterov is plain heavy ball (PyTorch's form): param -= lr * buf", classes=(0,))
class momentum:  # noqa: F811
    global heavy_ball, nesterov

    def heavy_ball(param, grad, state, *, lr, momentum):
        v = momentum * state.get("velocity", np.zeros_like(param)) - lr * grad
        state["velocity"] = v
        return param + v

    def nesterov(param, grad, state, *, lr, momentum, weight_decay=0.0):
        g = grad + weight_decay * param
        buf = state.get("momentum_buffer")
        buf = g.copy() if buf is None else momentum * buf + g
        state["momentum_buffer"] = buf
        return param - lr * buf

    functions = (heavy_ball, nesterov)


@buggy(MOM, "nesterov in the classic velocity form (v = mu v - lr g; param += -mu v_prev + (1 + mu) v), "
       "v stored as momentum_buffer", classes=(0,))
class momentum:  # noqa: F811
    global heavy_ball, nesterov

    def heavy_ball(param, grad, state, *, lr, momentum):
        v = momentum * state.get("velocity", np.zeros_like(param)) - lr * grad
        state["velocity"] = v
        return param + v

    def nesterov(param, grad, state, *, lr, momentum, weight_decay=0.0):
        g = grad + weight_decay * param
        v_prev = state.get("momentum_buffer", np.zeros_like(param))
        v = momentum * v_prev - lr * g
        state["momentum_buffer"] = v
        return param - momentum * v_prev + (1 + momentum) * v

    functions = (heavy_ball, nesterov)


@buggy(MOM, "nesterov in the classic velocity form, buffer reported as -v / lr: right for a constant lr only",
       classes=(7,))
class momentum:  # noqa: F811
    global heavy_ball, nesterov

    def heavy_ball(param, grad, state, *, lr, momentum):
        v = momentum * state.get("velocity", np.zeros_like(param)) - lr * grad
        state["velocity"] = v
        return param + v

    def nesterov(param, grad, state, *, lr, momentum, weight_decay=0.0):
        g = grad + weight_decay * param
        v_prev = state.get("_v", np.zeros_like(param))
        v = momentum * v_prev - lr * g
        state["_v"] = v
        state["momentum_buffer"] = -v / lr
        return param - momentum * v_prev + (1 + momentum) * v

    functions = (heavy_ball, nesterov)


@buggy(MOM, "nesterov ignores weight_decay", classes=(7,))
class momentum:  # noqa: F811
    global heavy_ball, nesterov

    def heavy_ball(param, grad, state, *, lr, momentum):
        v = momentum * state.get("velocity", np.zeros_like(param)) - lr * grad
        state["velocity"] = v
        return param + v

    def nesterov(param, grad, state, *, lr, momentum, weight_decay=0.0):
        buf = state.get("momentum_buffer")
        buf = grad.copy() if buf is None else momentum * buf + grad
        state["momentum_buffer"] = buf
        return param - lr * (grad + momentum * buf)

    functions = (heavy_ball, nesterov)


@buggy(MOM, "nesterov's look-ahead uses the raw gradient: param -= lr * (grad + momentum * buf), decay only in buf",
       classes=(0,))
class momentum:  # noqa: F811
    global heavy_ball, nesterov

    def heavy_ball(param, grad, state, *, lr, momentum):
        v = momentum * state.get("velocity", np.zeros_like(param)) - lr * grad
        state["velocity"] = v
        return param + v

    def nesterov(param, grad, state, *, lr, momentum, weight_decay=0.0):
        g = grad + weight_decay * param
        buf = state.get("momentum_buffer")
        buf = g.copy() if buf is None else momentum * buf + g
        state["momentum_buffer"] = buf
        return param - lr * (grad + momentum * buf)

    functions = (heavy_ball, nesterov)


@buggy(MOM, "nesterov's first step skips the look-ahead: param -= lr * g when the buffer is new", classes=(7,))
class momentum:  # noqa: F811
    global heavy_ball, nesterov

    def heavy_ball(param, grad, state, *, lr, momentum):
        v = momentum * state.get("velocity", np.zeros_like(param)) - lr * grad
        state["velocity"] = v
        return param + v

    def nesterov(param, grad, state, *, lr, momentum, weight_decay=0.0):
        g = grad + weight_decay * param
        if "momentum_buffer" not in state:
            state["momentum_buffer"] = g.copy()
            return param - lr * g
        buf = momentum * state["momentum_buffer"] + g
        state["momentum_buffer"] = buf
        return param - lr * (g + momentum * buf)

    functions = (heavy_ball, nesterov)


@buggy(MOM, "nesterov's first buffer is grad itself, updated in place later: the caller's grad changes",
       classes=(8,))
class momentum:  # noqa: F811
    global heavy_ball, nesterov

    def heavy_ball(param, grad, state, *, lr, momentum):
        v = momentum * state.get("velocity", np.zeros_like(param)) - lr * grad
        state["velocity"] = v
        return param + v

    def nesterov(param, grad, state, *, lr, momentum, weight_decay=0.0):
        g = grad + weight_decay * param if weight_decay else grad
        if "momentum_buffer" not in state:
            state["momentum_buffer"] = g
        else:
            buf = state["momentum_buffer"]
            buf *= momentum
            buf += g
        return param - lr * (g + momentum * state["momentum_buffer"])

    functions = (heavy_ball, nesterov)


@buggy(MOM, "heavy_ball keeps its velocity flat (ravel), reshaped only for the step", classes=(6,))
class momentum:  # noqa: F811
    global heavy_ball, nesterov

    def heavy_ball(param, grad, state, *, lr, momentum):
        v = state.get("velocity", np.zeros(param.size))
        v = momentum * v - lr * grad.ravel()
        state["velocity"] = v
        return param + v.reshape(param.shape)

    def nesterov(param, grad, state, *, lr, momentum, weight_decay=0.0):
        g = grad + weight_decay * param
        buf = state.get("momentum_buffer")
        buf = g.copy() if buf is None else momentum * buf + g
        state["momentum_buffer"] = buf
        return param - lr * (g + momentum * buf)

    functions = (heavy_ball, nesterov)


@buggy(MOM, "nesterov computed in torch returns a tensor, not a NumPy array", classes=(9,))
class momentum:  # noqa: F811
    global heavy_ball, nesterov

    def heavy_ball(param, grad, state, *, lr, momentum):
        v = momentum * state.get("velocity", np.zeros_like(param)) - lr * grad
        state["velocity"] = v
        return param + v

    def nesterov(param, grad, state, *, lr, momentum, weight_decay=0.0):
        p = torch.as_tensor(param)
        g = torch.as_tensor(grad) + weight_decay * p
        buf = state.get("momentum_buffer")
        buf = g.clone() if buf is None else momentum * torch.as_tensor(buf) + g
        state["momentum_buffer"] = buf.numpy()
        return p - lr * (g + momentum * buf)

    functions = (heavy_ball, nesterov)


@correct(MOM, "reference solution")
class momentum:  # noqa: F811
    global heavy_ball, nesterov

    def heavy_ball(param, grad, state, *, lr, momentum):
        v = state.get("velocity")
        if v is None:
            v = np.zeros_like(param)
        v = momentum * v - lr * grad           # velocity in parameter units: lr inside
        state["velocity"] = v
        return param + v

    def nesterov(param, grad, state, *, lr, momentum, weight_decay=0.0):
        g = grad + weight_decay * param
        buf = state.get("momentum_buffer")
        buf = g.copy() if buf is None else momentum * buf + g
        state["momentum_buffer"] = buf
        return param - lr * (g + momentum * buf)   # the look-ahead, in PyTorch's reformulation

    functions = (heavy_ball, nesterov)


@correct(MOM, "in place on the state's own arrays; nesterov unrolled: (1 + mu) g + mu^2 buf_old")
class momentum:  # noqa: F811
    global heavy_ball, nesterov

    def heavy_ball(param, grad, state, *, lr, momentum):
        if "velocity" not in state:
            state["velocity"] = np.zeros(np.shape(param))
        v = state["velocity"]
        v *= momentum
        v -= lr * np.asarray(grad)
        return np.add(param, v)

    def nesterov(param, grad, state, *, lr, momentum, weight_decay=0.0):
        g = np.array(grad, dtype=np.float64)
        if weight_decay != 0:
            g += weight_decay * param
        if "momentum_buffer" in state:
            buf = state["momentum_buffer"]
            step = (1 + momentum) * g + momentum**2 * buf     # unrolled: g + mu (mu buf_old + g)
            np.multiply(buf, momentum, out=buf)
            np.add(buf, g, out=buf)
        else:
            state["momentum_buffer"] = g.copy()
            step = (1 + momentum) * g
        return param - lr * step

    functions = (heavy_ball, nesterov)


@correct(MOM, "torch tensors inside, add / sub with alpha")
class momentum:  # noqa: F811
    global heavy_ball, nesterov

    def heavy_ball(param, grad, state, *, lr, momentum):
        p, g = torch.as_tensor(param, dtype=torch.float64), torch.as_tensor(grad, dtype=torch.float64)
        v = torch.as_tensor(state.get("velocity", np.zeros(p.shape)), dtype=torch.float64)
        v = v.mul(momentum).sub(g, alpha=lr)
        state["velocity"] = v.numpy()
        return p.add(v).numpy()

    def nesterov(param, grad, state, *, lr, momentum, weight_decay=0.0):
        p = torch.as_tensor(param, dtype=torch.float64)
        g = torch.as_tensor(grad, dtype=torch.float64).add(p, alpha=weight_decay)
        old = state.get("momentum_buffer")
        buf = g.clone() if old is None else torch.as_tensor(old).mul(momentum).add(g)
        state["momentum_buffer"] = buf.numpy()
        return p.sub(g.add(buf, alpha=momentum), alpha=lr).numpy()

    functions = (heavy_ball, nesterov)
