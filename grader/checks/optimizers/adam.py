"""07-optimizers/adam: Adam and AdamW as an update rule, replayed against ``torch.optim.Adam``.

Oracle: ``torch.optim.Adam`` in float64 (``decoupled_weight_decay=True`` is ``torch.optim.AdamW``), from
the same non-zero states, compared after every step (:mod:`.shared`); closed forms for the first step
(lr * sign(g)) and for AdamW on a zero data gradient (w_t = w_0 (1 - lr wd)^t). The NumPy rule below is
the neighbours' source only: it names a mistake in the hint when its values match the student's.
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np
import torch

from ..base import Data, expect_close, register
from ..properties import Defaults
from .shared import RuleCheck, answer_param, make_plan, torch_optimizer

__all__ = ["Adam"]

_MAKE = torch_optimizer(torch.optim.Adam)
_SHAPES = [(), (5,), (3, 4), (2, 3, 2, 2), (4,)]


def _adam(param, grad, state, *, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, amsgrad=False,
          decoupled_weight_decay=False, bias="t", eps_at="outside", wd_mode="", ams_mode="raw"):
    """Adam, with the neighbouring mistakes as switches (trusted: the neighbours' hints only)."""
    b1, b2 = betas
    if not state:
        state.update(step=0, exp_avg=np.zeros_like(param), exp_avg_sq=np.zeros_like(param))
        if amsgrad:
            state["max_exp_avg_sq"] = np.zeros_like(param)
    decoupled = {"": decoupled_weight_decay, "swap": not decoupled_weight_decay}.get(wd_mode, decoupled_weight_decay)
    if weight_decay and not decoupled and wd_mode != "after":
        grad = grad + weight_decay * param
    elif weight_decay and decoupled and wd_mode != "after":
        param = param * (1 - lr * weight_decay)
    state["step"] += 1
    t = state["step"]
    power = {"t": t, "t-1": t - 1, "t+1": t + 1}.get(bias, t)
    bc1, bc2 = (1.0, 1.0) if bias == "none" else (1 - b1 ** power or 1.0, 1 - b2 ** power or 1.0)
    state["exp_avg"] = b1 * state["exp_avg"] + (1 - b1) * grad
    state["exp_avg_sq"] = b2 * state["exp_avg_sq"] + (1 - b2) * grad * grad
    v = state["exp_avg_sq"]
    if amsgrad:
        if ams_mode == "corrected":
            state["max_exp_avg_sq"] = np.maximum(state["max_exp_avg_sq"], v / bc2)
            v = state["max_exp_avg_sq"] * bc2
        else:
            state["max_exp_avg_sq"] = np.maximum(state["max_exp_avg_sq"], v)
            v = state["max_exp_avg_sq"]
    if eps_at == "inside":
        denom = np.sqrt(v / bc2 + eps)
    elif eps_at == "before":
        denom = (np.sqrt(v) + eps) / np.sqrt(bc2)
    else:
        denom = np.sqrt(v) / np.sqrt(bc2) + eps
    new = param - lr / bc1 * state["exp_avg"] / denom
    if wd_mode == "after" and weight_decay:
        new = new * (1 - lr * weight_decay) if decoupled_weight_decay else new
    return new


def _wrong(**how: Any):
    return functools.partial(_adam, **how)


def _cosine(steps: int, base: tuple[float, float]) -> list[list[float]]:
    return [[b * (0.1 + 0.9 * 0.5 * (1 + np.cos(np.pi * s / steps))) for b in base] for s in range(steps)]


def _plans() -> list[Data]:
    wd = {"weight_decay": 0.05}
    return [
        {"label": "two groups (L2 weight decay in one), fresh and non-zero states",
         "plan": make_plan(70, shapes=_SHAPES, make=_MAKE, state=[None, 3, 7, None, 12],
                           groups=[([0, 1, 4], {"lr": 0.01, "betas": (0.8, 0.99), "eps": 1e-8}),
                                   ([2, 3], {"lr": 0.003, "betas": (0.9, 0.999), "eps": 1e-6, **wd})])},
        {"label": "AdamW (decoupled_weight_decay=True), two groups with different lr and weight_decay",
         "plan": make_plan(71, shapes=_SHAPES, make=_MAKE, state=[2, None, 5, 9, None],
                           groups=[([0, 2, 4], {"lr": 0.02, "weight_decay": 0.1, "decoupled_weight_decay": True}),
                                   ([1, 3], {"lr": 0.005, "weight_decay": 0.5, "decoupled_weight_decay": True})])},
        {"label": "AdamW on a zero data gradient from a fresh state (w_t = w_0 (1 - lr*wd)^t)", "closed": "decay",
         "plan": make_plan(72, shapes=_SHAPES, make=_MAKE, zero_grads=True,
                           groups=[([0, 1, 2], {"lr": 0.05, "weight_decay": 0.2, "decoupled_weight_decay": True}),
                                   ([3, 4], {"lr": 0.01, "weight_decay": 0.9, "decoupled_weight_decay": True})])},
        {"label": "the first step from a fresh state, gradients from 1e-4 to 1e4 (it is about lr*sign(g))",
         "closed": "sign", "plan": make_plan(73, shapes=_SHAPES, make=_MAKE, steps=8, none_grads={},
                                             grad_scale=[1e4, 1e-4, 1.0, 3e2, 1e-3],
                                             groups=[([0, 1, 2], {"lr": 0.01, "eps": 1e-12}),
                                                     ([3, 4], {"lr": 0.1, "eps": 1e-12, "betas": (0.5, 0.9)})])},
        {"label": "amsgrad, with L2 decay in one group and decoupled decay in the other",
         "plan": make_plan(74, shapes=_SHAPES, make=_MAKE, state=[4, None, 6, 1, 8],
                           groups=[([0, 1, 4], {"lr": 0.01, "amsgrad": True, **wd}),
                                   ([2, 3], {"lr": 0.004, "amsgrad": True, "weight_decay": 0.3,
                                             "decoupled_weight_decay": True, "betas": (0.7, 0.95)})])},
        {"label": "gradients near 1e-10 (where eps goes), fresh and non-zero states",
         "plan": make_plan(75, shapes=_SHAPES, make=_MAKE, state=[None, 5, None, 2, None], grad_scale=1e-10,
                           groups=[([0, 1, 2], {"lr": 0.01}), ([3, 4], {"lr": 0.002, "eps": 1e-9})])},
        {"label": "a learning rate that changes at every step (a cosine schedule per group)",
         "plan": make_plan(76, shapes=_SHAPES, make=_MAKE, state=[3, 3, None, 10, 1], lrs=_cosine(50, (0.02, 0.005)),
                           groups=[([0, 1], {"lr": 0.02, "weight_decay": 0.1, "decoupled_weight_decay": True}),
                                   ([2, 3, 4], {"lr": 0.005, "amsgrad": True})])},
        {"label": "Adam with L2 weight decay on a zero data gradient (it is not AdamW)",
         "plan": make_plan(77, shapes=_SHAPES, make=_MAKE, zero_grads=True, steps=20,
                           groups=[([0, 1, 2, 3, 4], {"lr": 0.05, "weight_decay": 0.2})])},
        {"label": "several parameters of one shape, fresh states (each parameter has buffers of its own)",
         "plan": make_plan(78, shapes=[(3,), (3,), (2, 2), (2, 2), (3,)], make=_MAKE, steps=20,
                           groups=[([0, 1, 2], {"lr": 0.01}), ([3, 4], {"lr": 0.003, "amsgrad": True})])},
    ]


@functools.cache
def _all_plans() -> tuple[Data, ...]:
    return tuple(_plans())


@register
class Adam(RuleCheck):
    r"""the rule replayed as `torch.optim.Adam` (and `torch.optim.AdamW` for
    `decoupled_weight_decay=True`) replays it, in float64, for 50 steps on parameters of shapes (),
    (5,), (3, 4), (2, 3, 2, 2) and (4,) in two groups with different `lr`, `betas`, `eps` and
    `weight_decay`, some starting from an empty state and some from non-zero `exp_avg`,
    `exp_avg_sq` (and `max_exp_avg_sq`) after a few steps, one gradient `None` on some steps (the
    rule is not called: that state must not change): after *every* step every parameter and every
    state buffer must agree, under torch's names; with `amsgrad`, L2 and decoupled weight decay, a
    learning rate that changes at every step, gradients near 1e-10 (where `eps` goes) and from 1e-4
    to 1e4 (the first step is about `lr * sign(g)`), a zero data gradient (AdamW decays as
    `w_0 (1 - lr*wd)^t`; Adam's L2 does not), several parameters of one shape (each with a state of
    its own); `param` and `grad` must not be modified."""

    id = "07-optimizers/adam"
    rule_name = "adam"
    make = staticmethod(_MAKE)
    extra_first = True
    properties = (Defaults(lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, amsgrad=False,
                           decoupled_weight_decay=False),)
    hints = {
        "step": "'step' counts the steps of this parameter (its own state), starting from the value in the state "
                "you are given; not the calls of the rule over all parameters",
        "exp_avg": "exp_avg = beta1 * exp_avg + (1 - beta1) * g, with g the gradient plus weight_decay * param for "
                   "L2 decay (decoupled_weight_decay=False) and the plain gradient for AdamW",
        "exp_avg_sq": "exp_avg_sq = beta2 * exp_avg_sq + (1 - beta2) * g**2 (same g as exp_avg)",
        "max_exp_avg_sq": "amsgrad keeps max_exp_avg_sq = maximum(max_exp_avg_sq, exp_avg_sq) (uncorrected) and "
                          "uses it instead of exp_avg_sq in the denominator",
        "param": "param - lr / (1 - beta1**t) * exp_avg / (sqrt(v) / sqrt(1 - beta2**t) + eps), t the new step, "
                 "eps outside the square root and after the bias correction; AdamW first multiplies param by "
                 "(1 - lr * weight_decay)",
    }
    neighbours = (
        ("Adam without bias correction", _wrong(bias="none")),
        ("bias correction with the power t - 1 (the step before incrementing)", _wrong(bias="t-1")),
        ("bias correction with the power t + 1", _wrong(bias="t+1")),
        ("eps inside the square root: sqrt(v_hat + eps)", _wrong(eps_at="inside")),
        ("eps added before the bias correction: (sqrt(v) + eps) / sqrt(1 - beta2**t)", _wrong(eps_at="before")),
        ("the other weight decay: L2 (added to the gradient) and decoupled (AdamW) swapped", _wrong(wd_mode="swap")),
        ("AdamW's decay applied to the parameter after the Adam step instead of before it", _wrong(wd_mode="after")),
        ("amsgrad taking the maximum of the bias-corrected exp_avg_sq", _wrong(ams_mode="corrected")),
    )

    def plans(self, visible: bool) -> list[Data]:
        plans = list(_all_plans())
        return [plans[0], plans[2]] if visible else plans

    def judge_extra(self, case: Data, answer: Any) -> int:
        closed, plan = case.get("closed"), case["plan"]
        if closed is None:
            return 0
        held = 0
        for g, group in enumerate(plan["groups"]):
            o = group["options"]
            for i in group["params"]:
                w0, name = plan["params"][i], plan["names"][i]
                if closed == "sign":   # the first step, from a fresh state: lr * g / (|g| + eps) = lr * sign(g)
                    step = answer_param(self, plan, answer, 0, i) - w0
                    g0 = plan["grads"][0][i]
                    b1, b2 = o.get("betas", (0.9, 0.999))
                    expect_close(self, step, -o["lr"] * g0 / (np.abs(g0) + o["eps"]),
                                 f"Adam's first step from an empty state on parameter {name} (gradients of size "
                                 f"{np.abs(g0).max():.0e}): it is lr * sign(g) whatever |g|", rtol=1e-6, atol=0,
                                 hint="the bias corrections make m_hat = g and v_hat = g**2 at step 1; without them "
                                      f"the step is lr * (1 - beta1) / sqrt(1 - beta2) = "
                                      f"{o['lr'] * (1 - b1) / np.sqrt(1 - b2):.3g} times sign(g)")
                    held += 1
                else:   # AdamW, zero data gradient, fresh state: exp_avg stays 0 and only the decay acts
                    k = 0
                    for s in range(len(plan["grads"])):
                        k += plan["grads"][s][i] is not None
                        got = answer_param(self, plan, answer, s, i)
                        expect_close(self, got, w0 * (1 - o["lr"] * o["weight_decay"]) ** k,
                                     f"AdamW on a zero data gradient, parameter {name} after step {s + 1}: "
                                     f"w_0 (1 - lr*weight_decay)^{k}", rtol=1e-10, atol=0,
                                     hint="decoupled decay multiplies param by (1 - lr * weight_decay) at every step "
                                          "(not 1 + ..., not lr**2), and adds nothing to the gradient, so that "
                                          "exp_avg stays 0")
                        held += 1
        return held
