"""07-optimizers/rmsprop: RMSProp as an update rule, replayed against ``torch.optim.RMSprop``.

Oracle: ``torch.optim.RMSprop`` in float64 from the same non-zero states, compared after every step
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
from .shared import RuleCheck, make_plan, torch_optimizer

__all__ = ["RMSprop"]

_MAKE = torch_optimizer(torch.optim.RMSprop)
_SHAPES = [(), (5,), (3, 4), (2, 3, 2, 2), (4,)]


def _rmsprop(param, grad, state, *, lr=0.01, alpha=0.99, eps=1e-8, weight_decay=0.0, momentum=0.0, centered=False,
             eps_at="outside", alpha_mode="torch", wd_at="grad", lr_in_buffer=False, no_centering=False):
    """RMSProp, with the neighbouring mistakes as switches (trusted: the neighbours' hints only)."""
    if not state:
        state.update(step=0, square_avg=np.zeros(np.shape(param)))
        if momentum > 0:
            state["momentum_buffer"] = np.zeros(np.shape(param))
        if centered:
            state["grad_avg"] = np.zeros(np.shape(param))
    state["step"] += 1
    g = grad + weight_decay * param if wd_at == "grad" else grad
    a = alpha if alpha_mode == "torch" else 1 - alpha
    state["square_avg"] = a * state["square_avg"] + (1 - a) * g * g
    var = state["square_avg"]
    if centered:
        state["grad_avg"] = a * state["grad_avg"] + (1 - a) * g
        if not no_centering:
            var = var - state["grad_avg"] ** 2
    avg = np.sqrt(var + eps) if eps_at == "inside" else np.sqrt(var) + eps
    if momentum > 0:
        state["momentum_buffer"] = momentum * state["momentum_buffer"] + (lr if lr_in_buffer else 1.0) * g / avg
        new = param - (1.0 if lr_in_buffer else lr) * state["momentum_buffer"]
    else:
        new = param - lr * g / avg
    return new - lr * weight_decay * param if wd_at == "param" else new


def _wrong(**how: Any):
    return functools.partial(_rmsprop, **how)


def _plans() -> list[Data]:
    return [
        {"label": "two groups (momentum and weight_decay in one, centered in the other), fresh and non-zero states",
         "plan": make_plan(90, shapes=_SHAPES, make=_MAKE, state=[None, 4, 9, None, 2],
                           groups=[([0, 1, 4], {"lr": 0.01, "alpha": 0.9, "momentum": 0.9, "weight_decay": 0.1}),
                                   ([2, 3], {"lr": 0.003, "centered": True, "eps": 1e-6})])},
        {"label": "centered with momentum, two groups with different alpha and momentum",
         "plan": make_plan(91, shapes=_SHAPES, make=_MAKE, state=[6, None, 3, 11, None],
                           groups=[([0, 1, 2], {"lr": 0.005, "alpha": 0.95, "momentum": 0.5, "centered": True}),
                                   ([3, 4], {"lr": 0.02, "alpha": 0.8, "momentum": 0.95, "centered": True,
                                             "weight_decay": 0.05})])},
        {"label": "gradients near 1e-10 (where eps goes), plain and centered, fresh and non-zero states",
         "plan": make_plan(92, shapes=_SHAPES, make=_MAKE, state=[None, 3, None, 5, 2], grad_scale=1e-10,
                           groups=[([0, 1, 2], {"lr": 0.01}), ([3, 4], {"lr": 0.002, "centered": True,
                                                                        "eps": 1e-9})])},
        {"label": "a learning rate that changes at every step, with momentum (the buffer holds g / avg, not lr * g / avg)",
         "plan": make_plan(93, shapes=_SHAPES, make=_MAKE, state=[2, None, 6, 1, 3],
                           lrs=[[0.01 * 0.95 ** s, 0.002 + 0.001 * (s % 4)] for s in range(50)],
                           groups=[([0, 1], {"lr": 0.01, "momentum": 0.9}),
                                   ([2, 3, 4], {"lr": 0.002, "momentum": 0.7, "centered": True})])},
        {"label": "no momentum, not centered, weight_decay in both groups",
         "plan": make_plan(94, shapes=_SHAPES, make=_MAKE, state=[5, 1, None, None, 8],
                           groups=[([0, 1, 2], {"lr": 0.01, "weight_decay": 0.2}),
                                   ([3, 4], {"lr": 0.001, "alpha": 0.5, "weight_decay": 0.01})])},
        {"label": "several parameters of one shape, fresh states (each parameter has buffers of its own)",
         "plan": make_plan(95, shapes=[(3,), (3,), (2, 2), (2, 2), (3,)], make=_MAKE, steps=20,
                           groups=[([0, 1, 2], {"lr": 0.01, "momentum": 0.5}), ([3, 4], {"lr": 0.003, "centered": True})])},
    ]


@functools.cache
def _all_plans() -> tuple[Data, ...]:
    return tuple(_plans())


@register
class RMSprop(RuleCheck):
    r"""the rule replayed as `torch.optim.RMSprop` replays it, in float64, for 50 steps on parameters
    of shapes (), (5,), (3, 4), (2, 3, 2, 2) and (4,) in two groups with different `lr`, `alpha`,
    `eps`, `weight_decay`, `momentum` and `centered`, some starting from an empty state and some
    from non-zero `square_avg`, `momentum_buffer` and `grad_avg` after a few steps, one gradient
    `None` on some steps (the rule is not called: that state must not change): after *every* step
    every parameter and every state buffer must agree, under torch's names (`momentum_buffer` only
    with `momentum > 0`, `grad_avg` only when `centered`); with centered RMSProp and momentum
    together, gradients near 1e-10 (where `eps` goes), a learning rate that changes at every step
    and several parameters of one shape (each with a state of its own); `param` and `grad` must not
    be modified."""

    id = "07-optimizers/rmsprop"
    rule_name = "rmsprop"
    make = staticmethod(_MAKE)
    properties = (Defaults(lr=0.01, alpha=0.99, eps=1e-8, weight_decay=0.0, momentum=0.0, centered=False),)
    hints = {
        "keys": "torch's names: 'step', 'square_avg', 'momentum_buffer' only when momentum > 0, 'grad_avg' only "
                "when centered",
        "step": "'step' counts the steps of this parameter (its own state), starting from the value in the state "
                "you are given",
        "square_avg": "square_avg = alpha * square_avg + (1 - alpha) * g**2, g the gradient plus weight_decay * param",
        "grad_avg": "centered: grad_avg = alpha * grad_avg + (1 - alpha) * g (the same g)",
        "momentum_buffer": "momentum_buffer = momentum * momentum_buffer + g / avg, avg = sqrt(square_avg) + eps "
                           "(centered: sqrt(square_avg - grad_avg**2) + eps); lr is not in the buffer",
        "param": "param - lr * g / avg without momentum, param - lr * momentum_buffer with it; "
                 "avg = sqrt(square_avg) + eps, or sqrt(square_avg - grad_avg**2) + eps when centered",
    }
    neighbours = (
        ("alpha the other way round: square_avg = (1 - alpha) * square_avg + alpha * g**2", _wrong(alpha_mode="swap")),
        ("eps inside the square root: sqrt(square_avg + eps)", _wrong(eps_at="inside")),
        ("centered without subtracting grad_avg**2", _wrong(no_centering=True)),
        ("lr inside the momentum buffer (buf = momentum * buf + lr * g / avg; param - buf)", _wrong(lr_in_buffer=True)),
        ("weight decay left out of the gradient (decoupled: subtracted from the parameter)", _wrong(wd_at="param")),
        ("weight decay ignored", _wrong(wd_at="none")),
    )

    def plans(self, visible: bool) -> list[Data]:
        plans = list(_all_plans())
        return [plans[0]] if visible else plans
