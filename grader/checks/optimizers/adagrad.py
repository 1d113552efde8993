"""07-optimizers/adagrad: AdaGrad as an update rule, replayed against ``torch.optim.Adagrad``.

Oracle: ``torch.optim.Adagrad`` in float64 from the same non-zero states, compared after every step
(:mod:`.shared`). The NumPy rule below is the neighbours' source only: it names a mistake in the hint
when its values match the student's.
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np
import torch

from ..base import Data, register
from ..properties import Defaults
from .shared import RuleCheck, make_plan

__all__ = ["Adagrad"]

def _MAKE(groups: list[dict[str, Any]]) -> torch.optim.Optimizer:
    """torch.optim.Adagrad, with each group's own initial_accumulator_value: torch's __init__ fills every
    'sum' with the constructor's value (the default 0 here), not with the group's."""
    opt = torch.optim.Adagrad(groups, foreach=False)
    for group in opt.param_groups:
        for p in group["params"]:
            opt.state[p]["sum"] = torch.full_like(p, group["initial_accumulator_value"])
    return opt
_SHAPES = [(), (5,), (3, 4), (2, 3, 2, 2), (4,)]


def _adagrad(param, grad, state, *, lr=0.01, lr_decay=0.0, weight_decay=0.0, initial_accumulator_value=0.0,
             eps=1e-10, eps_at="outside", decay_power="t-1", init="given", wd_at="grad"):
    """AdaGrad, with the neighbouring mistakes as switches (trusted: the neighbours' hints only)."""
    if not state:
        state.update(step=0, sum=np.full(np.shape(param), initial_accumulator_value if init == "given" else 0.0))
    state["step"] += 1
    t = state["step"]
    g = grad + weight_decay * param if wd_at == "grad" else grad
    clr = lr / (1 + ((t - 1) if decay_power == "t-1" else t) * lr_decay)
    state["sum"] = state["sum"] + g * g
    std = np.sqrt(state["sum"] + eps) if eps_at == "inside" else np.sqrt(state["sum"]) + eps
    new = param - clr * g / std
    return new - clr * weight_decay * param if wd_at == "param" else new


def _wrong(**how: Any):
    return functools.partial(_adagrad, **how)


def _plans() -> list[Data]:
    return [
        {"label": "two groups (lr_decay, weight_decay and initial_accumulator_value in one), fresh and non-zero states",
         "plan": make_plan(80, shapes=_SHAPES, make=_MAKE, state=[None, 4, 9, None, 2],
                           groups=[([0, 1, 4], {"lr": 0.05}),
                                   ([2, 3], {"lr": 0.2, "lr_decay": 0.05, "weight_decay": 0.1,
                                             "initial_accumulator_value": 0.3})])},
        {"label": "lr_decay from non-zero step counts, two groups with different lr and lr_decay",
         "plan": make_plan(81, shapes=_SHAPES, make=_MAKE, state=[30, 3, None, 12, 7],
                           groups=[([0, 1, 2], {"lr": 0.1, "lr_decay": 0.02, "eps": 1e-8}),
                                   ([3, 4], {"lr": 0.03, "lr_decay": 0.5, "weight_decay": 0.02})])},
        {"label": "gradients near 1e-10 (where eps goes), fresh and non-zero states",
         "plan": make_plan(82, shapes=_SHAPES, make=_MAKE, state=[None, 3, None, 5, None], grad_scale=1e-10,
                           groups=[([0, 1, 2], {"lr": 0.01}), ([3, 4], {"lr": 0.002, "eps": 3e-10})])},
        {"label": "initial_accumulator_value, fresh states whose first gradients are None",
         "plan": make_plan(83, shapes=_SHAPES, make=_MAKE, none_grads={0: [0, 1, 2], 4: [0, 1, 7, 8, 20]},
                           groups=[([0, 1, 2], {"lr": 0.1, "initial_accumulator_value": 2.0}),
                                   ([3, 4], {"lr": 0.05, "initial_accumulator_value": 0.01, "eps": 1e-6})])},
        {"label": "a learning rate that changes at every step, with lr_decay",
         "plan": make_plan(84, shapes=_SHAPES, make=_MAKE, state=[2, None, 6, 1, 3],
                           lrs=[[0.1 * 0.97 ** s, 0.02 + 0.01 * (s % 5)] for s in range(50)],
                           groups=[([0, 1], {"lr": 0.1, "lr_decay": 0.1}),
                                   ([2, 3, 4], {"lr": 0.02, "weight_decay": 0.05})])},
        {"label": "several parameters of one shape, fresh states (each parameter has buffers of its own)",
         "plan": make_plan(85, shapes=[(3,), (3,), (2, 2), (2, 2), (3,)], make=_MAKE, steps=20,
                           groups=[([0, 1, 2], {"lr": 0.1}), ([3, 4], {"lr": 0.03, "initial_accumulator_value": 0.5})])},
    ]


@functools.cache
def _all_plans() -> tuple[Data, ...]:
    return tuple(_plans())


@register
class Adagrad(RuleCheck):
    r"""the rule replayed as `torch.optim.Adagrad` replays it, in float64, for 50 steps on parameters
    of shapes (), (5,), (3, 4), (2, 3, 2, 2) and (4,) in two groups with different `lr`,
    `lr_decay`, `weight_decay`, `initial_accumulator_value` and `eps`, some starting from an empty
    state and some from a non-zero `sum` after a few (up to 30) steps, one gradient `None` on some
    steps (the rule is not called: that state must not change): after *every* step every parameter
    and every state buffer (`step`, `sum`) must agree, under torch's names; with `lr_decay` from
    non-zero step counts, gradients near 1e-10 (where `eps` goes), `initial_accumulator_value` on
    parameters whose first gradients are `None`, a learning rate that changes at every step, and
    several parameters of one shape (each with a state of its own); `param` and `grad` must not be
    modified."""

    id = "07-optimizers/adagrad"
    rule_name = "adagrad"
    make = staticmethod(_MAKE)
    properties = (Defaults(lr=0.01, lr_decay=0.0, weight_decay=0.0, initial_accumulator_value=0.0, eps=1e-10),)
    hints = {
        "step": "'step' counts the steps of this parameter (its own state), starting from the value in the state "
                "you are given; not the calls of the rule over all parameters",
        "sum": "sum starts full of initial_accumulator_value and adds g**2 at every step, with g the gradient plus "
               "weight_decay * param",
        "param": "param - clr * g / (sqrt(sum) + eps) with clr = lr / (1 + (step - 1) * lr_decay), step the new "
                 "step count, and g the gradient plus weight_decay * param",
    }
    neighbours = (
        ("eps inside the square root: sqrt(sum + eps)", _wrong(eps_at="inside")),
        ("lr_decay counted from the new step: lr / (1 + step * lr_decay) instead of (step - 1)",
         _wrong(decay_power="t")),
        ("sum starting from zeros: initial_accumulator_value ignored", _wrong(init="zeros")),
        ("weight decay left out of the gradient (decoupled: subtracted from the parameter)", _wrong(wd_at="param")),
        ("weight decay ignored", _wrong(wd_at="none")),
    )

    def plans(self, visible: bool) -> list[Data]:
        plans = list(_all_plans())
        return [plans[0]] if visible else plans
