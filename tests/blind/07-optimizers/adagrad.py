import math, random
import numpy as np
import torch
from tests.variants import buggy, correct

ID = "07-optimizers/adagrad"


def _make(*, eps_inside=False, decay_after=False, step_global=None, float_step=False, inplace_sum_alias=False,
          wd_after=False, default_init=0.0, sum_start_zero=False, step_int_cast=False, f32=False):
    def adagrad(param, grad, state, *, lr=0.01, lr_decay=0.0, weight_decay=0.0, initial_accumulator_value=default_init,
                eps=1e-10):
        if not state:
            state["step"] = 0
            state["sum"] = np.full(np.shape(param), 0.0 if sum_start_zero else float(initial_accumulator_value))
        g = grad + weight_decay * param if not wd_after else grad
        state["step"] = (int(state["step"]) if step_int_cast else state["step"]) + 1
        t = float(state["step"])
        clr = lr / (1 + (t if decay_after else t - 1) * lr_decay)
        if inplace_sum_alias:
            s = state["sum"]
            s += g * g
        else:
            state["sum"] = state["sum"] + g * g
        s = state["sum"]
        if f32:
            s = s.astype(np.float32)
        denom = np.sqrt(s + eps) if eps_inside else np.sqrt(s) + eps
        new = param - clr * g / denom
        if wd_after:
            new = new - clr * weight_decay * param
        return new
    return adagrad


buggy(ID, "[7] eps inside the square root")(_make(eps_inside=True))
buggy(ID, "[7] lr_decay counts this step too (1 + t*lr_decay)")(_make(decay_after=True))
buggy(ID, "[7] weight decay as a decoupled step, not through the sum")(_make(wd_after=True))
buggy(ID, "[7] 'sum' starts at 0 whatever initial_accumulator_value")(_make(sum_start_zero=True))
buggy(ID, "[7] wrong default initial_accumulator_value=0.1 (TF's)")(_make(default_init=0.1))
buggy(ID, "[1] float32 sum in the denominator")(_make(f32=True))
correct(ID, "step cast to int before incrementing (a 0-d array step from torch becomes an int)")(_make(step_int_cast=True))




@buggy(ID, "[8] step counted by a global counter shared by all parameters")
def adagrad(param, grad, state, *, lr=0.01, lr_decay=0.0, weight_decay=0.0, initial_accumulator_value=0.0, eps=1e-10,
            _n=[0]):
    if not state:
        state["sum"] = np.full(np.shape(param), float(initial_accumulator_value))
    _n[0] += 1
    state["step"] = state.get("step", 0) + 1
    g = grad + weight_decay * param
    state["sum"] = state["sum"] + g * g
    clr = lr / (1 + (_n[0] // 5) * 0 + (state["step"] - 1) * lr_decay) if False else lr / (1 + (_n[0] - 1) * lr_decay)
    return param - clr * g / (np.sqrt(state["sum"]) + eps)


@correct(ID, "torch.optim.Adagrad on copies with the state copied in and out")
def adagrad(param, grad, state, *, lr=0.01, lr_decay=0.0, weight_decay=0.0, initial_accumulator_value=0.0, eps=1e-10):
    p = torch.tensor(np.array(param, dtype=np.float64), requires_grad=True)
    p.grad = torch.tensor(np.array(grad, dtype=np.float64))
    opt = torch.optim.Adagrad([p], lr=lr, lr_decay=lr_decay, weight_decay=weight_decay,
                              initial_accumulator_value=initial_accumulator_value, eps=eps)
    if state:
        opt.state[p]["step"] = torch.tensor(float(state["step"]))
        opt.state[p]["sum"] = torch.tensor(np.array(state["sum"], dtype=np.float64))
    opt.step()
    state["step"] = float(opt.state[p]["step"])
    state["sum"] = opt.state[p]["sum"].numpy().copy()
    return p.detach().numpy().copy()


@correct(ID, "setdefault, in-place sum on its own array")
def adagrad(param, grad, state, *, lr=0.01, lr_decay=0.0, weight_decay=0.0, initial_accumulator_value=0.0, eps=1e-10):
    state.setdefault("step", 0)
    state.setdefault("sum", np.full(np.shape(param), initial_accumulator_value, dtype=float))
    g = np.asarray(grad) + weight_decay * np.asarray(param)
    state["step"] = state["step"] + 1
    state["sum"] = state["sum"] + np.square(g)
    return param - (lr / (1 + (state["step"] - 1) * lr_decay)) * g / (np.sqrt(state["sum"]) + eps)
