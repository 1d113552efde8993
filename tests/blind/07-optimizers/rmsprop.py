import math, random
import numpy as np
import torch
from tests.variants import buggy, correct

ID = "07-optimizers/rmsprop"


def _make(*, eps_inside=False, alpha_swap=False, lr_in_buf=False, centered_no_sq=False, keys_always=False,
          d_alpha=0.99, d_eps=1e-8, d_lr=0.01, step_skip=False, mom_first_g=False, shared=None):
    def rmsprop(param, grad, state, *, lr=d_lr, alpha=d_alpha, eps=d_eps, weight_decay=0.0, momentum=0.0,
                centered=False):
        if "square_avg" not in state:
            state["step"] = 0
            state["square_avg"] = np.zeros(np.shape(param))
            if momentum > 0 or keys_always:
                state["momentum_buffer"] = np.zeros(np.shape(param))
            if centered or keys_always:
                state["grad_avg"] = np.zeros(np.shape(param))
        if not step_skip:
            state["step"] = state["step"] + 1
        g = grad + weight_decay * param
        a = (1 - alpha) if alpha_swap else alpha
        state["square_avg"] = a * state["square_avg"] + (1 - a) * g * g
        if centered:
            state["grad_avg"] = a * state["grad_avg"] + (1 - a) * g
            var = state["square_avg"] if centered_no_sq else state["square_avg"] - state["grad_avg"] ** 2
        else:
            var = state["square_avg"]
        avg = np.sqrt(var + eps) if eps_inside else np.sqrt(var) + eps
        if momentum > 0:
            if mom_first_g and state["step"] == 1:
                state["momentum_buffer"] = g / avg
            elif lr_in_buf:
                state["momentum_buffer"] = momentum * state["momentum_buffer"] + lr * g / avg
                return param - state["momentum_buffer"]
            else:
                state["momentum_buffer"] = momentum * state["momentum_buffer"] + g / avg
            return param - lr * state["momentum_buffer"]
        return param - lr * g / avg
    return rmsprop


buggy(ID, "[7] eps inside the square root (Hinton's slides form)")(_make(eps_inside=True))
buggy(ID, "[7] alpha as the weight of the NEW square (Keras rho confusion)")(_make(alpha_swap=True))
buggy(ID, "[7] learning rate inside the momentum buffer (classic form)")(_make(lr_in_buf=True))
buggy(ID, "[7] centered flag stores grad_avg but does not subtract it")(_make(centered_no_sq=True))
buggy(ID, "[7] momentum_buffer and grad_avg always created (keys present when momentum = 0 / not centered)")(_make(keys_always=True))
buggy(ID, "[7] default alpha=0.9 (Keras rho)")(_make(d_alpha=0.9))
buggy(ID, "[7] default eps=1e-7 (Keras)")(_make(d_eps=1e-7))
buggy(ID, "[7] step never incremented")(_make(step_skip=True))
correct(ID, "first momentum buffer written as g/avg when the step count becomes 1 (= mu*0 + g/avg)")(_make(mom_first_g=True))




@correct(ID, "torch.optim.RMSprop on copies, state copied in and out")
def rmsprop(param, grad, state, *, lr=0.01, alpha=0.99, eps=1e-8, weight_decay=0.0, momentum=0.0, centered=False):
    p = torch.tensor(np.array(param, dtype=np.float64), requires_grad=True)
    p.grad = torch.tensor(np.array(grad, dtype=np.float64))
    opt = torch.optim.RMSprop([p], lr=lr, alpha=alpha, eps=eps, weight_decay=weight_decay, momentum=momentum,
                              centered=centered)
    if state:
        st = opt.state[p]
        st["step"] = torch.tensor(float(state["step"]))
        for k in ("square_avg", "momentum_buffer", "grad_avg"):
            if k in state:
                st[k] = torch.tensor(np.array(state[k], dtype=np.float64))
    opt.step()
    for k, v in opt.state[p].items():
        state[k] = float(v) if k == "step" else v.numpy().copy()
    return p.detach().numpy().copy()
