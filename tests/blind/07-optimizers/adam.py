import math, random
import numpy as np
import torch
from tests.variants import buggy, correct

ID = "07-optimizers/adam"


def _make(*, no_bias=False, eps_before_corr=False, adamw_before=False, ams_corrected=False, ams_of_v_then_max=False,
          step_from_len=False, d_eps=1e-8, d_betas=(0.9, 0.999), wd_both=False, adamw_after=False, ams_key_always=False,
          inplace_grad=False):
    def adam(param, grad, state, *, lr=1e-3, betas=d_betas, eps=d_eps, weight_decay=0.0, amsgrad=False,
             decoupled_weight_decay=False):
        b1, b2 = betas
        if "exp_avg" not in state:
            state["step"] = 0
            state["exp_avg"] = np.zeros(np.shape(param))
            state["exp_avg_sq"] = np.zeros(np.shape(param))
            if amsgrad or ams_key_always:
                state["max_exp_avg_sq"] = np.zeros(np.shape(param))
        state["step"] = state["step"] + 1
        t = float(state["step"])
        p = np.array(param, dtype=float, copy=True)
        g = grad
        if decoupled_weight_decay:
            if not adamw_after:
                p = p * (1 - lr * weight_decay)
            if wd_both:
                g = g + weight_decay * param
        elif weight_decay:
            if inplace_grad:
                g += weight_decay * param
            else:
                g = g + weight_decay * param
        state["exp_avg"] = b1 * state["exp_avg"] + (1 - b1) * g
        state["exp_avg_sq"] = b2 * state["exp_avg_sq"] + (1 - b2) * g * g
        v = state["exp_avg_sq"]
        if amsgrad:
            state["max_exp_avg_sq"] = np.maximum(state["max_exp_avg_sq"], v)
            v = state["max_exp_avg_sq"]
        c1 = 1.0 if no_bias else 1 - b1 ** t
        c2 = 1.0 if no_bias else 1 - b2 ** t
        if eps_before_corr:
            denom = (np.sqrt(v) + eps) / math.sqrt(c2)
        else:
            denom = np.sqrt(v) / math.sqrt(c2) + eps
        new = p - lr / c1 * state["exp_avg"] / denom
        if decoupled_weight_decay and adamw_after:
            new = new - lr * weight_decay * new
        return new
    return adam


buggy(ID, "[7] no bias correction")(_make(no_bias=True))
buggy(ID, "[7] eps added before the bias correction (sqrt(v) + eps) / sqrt(1 - b2^t)")(_make(eps_before_corr=True))
buggy(ID, "[7] AdamW: decay applied to the updated parameter instead of before")(_make(adamw_after=True))
buggy(ID, "[7] AdamW: decay both decoupled and through the gradient")(_make(wd_both=True))
buggy(ID, "[7] 'max_exp_avg_sq' created even without amsgrad")(_make(ams_key_always=True))
buggy(ID, "[7] default eps=1e-7 (Keras)")(_make(d_eps=1e-7))
buggy(ID, "[8] L2 weight decay added into grad in place (g += wd*param modifies the caller's grad)")(_make(inplace_grad=True))


@buggy(ID, "[7] amsgrad: max of the bias-corrected v (v_hat), not the uncorrected exp_avg_sq")
def adam(param, grad, state, *, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, amsgrad=False,
         decoupled_weight_decay=False):
    b1, b2 = betas
    if "exp_avg" not in state:
        state.update(step=0, exp_avg=np.zeros(np.shape(param)), exp_avg_sq=np.zeros(np.shape(param)))
        if amsgrad:
            state["max_exp_avg_sq"] = np.zeros(np.shape(param))
    state["step"] += 1
    t = state["step"]
    p = param * (1 - lr * weight_decay) if decoupled_weight_decay else param
    g = grad if decoupled_weight_decay else grad + weight_decay * param
    state["exp_avg"] = b1 * state["exp_avg"] + (1 - b1) * g
    state["exp_avg_sq"] = b2 * state["exp_avg_sq"] + (1 - b2) * g * g
    vhat = state["exp_avg_sq"] / (1 - b2 ** t)
    if amsgrad:
        state["max_exp_avg_sq"] = np.maximum(state["max_exp_avg_sq"], vhat)
        vhat = state["max_exp_avg_sq"]
    return p - lr * (state["exp_avg"] / (1 - b1 ** t)) / (np.sqrt(vhat) + eps)


@buggy(ID, "[1] bias corrections in float32 (np.float32(beta) ** t)")
def adam(param, grad, state, *, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, amsgrad=False,
         decoupled_weight_decay=False):
    b1, b2 = betas
    if "exp_avg" not in state:
        state.update(step=0, exp_avg=np.zeros(np.shape(param)), exp_avg_sq=np.zeros(np.shape(param)))
        if amsgrad:
            state["max_exp_avg_sq"] = np.zeros(np.shape(param))
    state["step"] += 1
    t = state["step"]
    p = param * (1 - lr * weight_decay) if decoupled_weight_decay else param
    g = grad if decoupled_weight_decay else grad + weight_decay * param
    state["exp_avg"] = b1 * state["exp_avg"] + (1 - b1) * g
    state["exp_avg_sq"] = b2 * state["exp_avg_sq"] + (1 - b2) * g * g
    v = state["exp_avg_sq"]
    if amsgrad:
        state["max_exp_avg_sq"] = np.maximum(state["max_exp_avg_sq"], v)
        v = state["max_exp_avg_sq"]
    c1 = float(1 - np.float32(b1) ** t)
    c2 = float(1 - np.float32(b2) ** t)
    return p - lr / c1 * state["exp_avg"] / (np.sqrt(v) / math.sqrt(c2) + eps)


@correct(ID, "straight from the formula, with 0-d arrays kept")
def adam(param, grad, state, *, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, amsgrad=False,
         decoupled_weight_decay=False):
    return _make()(param, grad, state, lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, amsgrad=amsgrad,
                   decoupled_weight_decay=decoupled_weight_decay)


@correct(ID, "torch.optim.Adam / AdamW on copies, state copied in and out")
def adam(param, grad, state, *, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, amsgrad=False,
         decoupled_weight_decay=False):
    p = torch.tensor(np.array(param, dtype=np.float64), requires_grad=True)
    p.grad = torch.tensor(np.array(grad, dtype=np.float64))
    cls = torch.optim.AdamW if decoupled_weight_decay else torch.optim.Adam
    opt = cls([p], lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, amsgrad=amsgrad)
    if state:
        st = opt.state[p]
        st["step"] = torch.tensor(float(state["step"]))
        for k in ("exp_avg", "exp_avg_sq", "max_exp_avg_sq"):
            if k in state:
                st[k] = torch.tensor(np.array(state[k], dtype=np.float64))
    opt.step()
    for k, v in opt.state[p].items():
        state[k] = float(v) if k == "step" else v.numpy().copy()
    return p.detach().numpy().copy()


