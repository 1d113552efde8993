"""06-regularization/sgd_weight_decay: SGD with momentum, an L2 penalty or decoupled weight decay.

Oracles: ``torch.optim.SGD(momentum, dampening, weight_decay=l2)`` for the L2 penalty; for decoupled
decay, the same torch step (without it) on the old parameters, minus ``lr * weight_decay * p_old``
(:class:`_DecoupledSGD`); closed forms: with a zero data gradient ``w_t = w_0 (1 - lr wd)^t``; with
``momentum = 0`` an ``l2`` parameter and its twin under ``weight_decay`` take the same steps, with
momentum they do not. The plans are replayed by the driver of :mod:`grader.checks.optimizers.shared`.
"""

from __future__ import annotations

import copy
import functools
from typing import Any

import numpy as np
import torch

from ..base import Data, expect, register
from ..judging import answer_array, answer_list, remembered
from ..optimizers.shared import RuleCheck, compare, make_plan, neighbour_value, replay, torch_trajectory
from ..properties import Defaults

__all__ = ["SgdWeightDecay", "NEIGHBOURS", "SHAPES"]

SHAPES = [(3, 4), (), (5,), (2, 3, 2, 2)]   # a matrix first: a bug of the 0-d and 1-d ones alone is told apart


class _DecoupledSGD(torch.optim.SGD):
    """torch.optim.SGD (its ``weight_decay`` is our ``l2``), then ``p -= lr * decoupled * p_old`` for every
    parameter it stepped, ``p_old`` the parameter before torch's step."""

    @torch.no_grad()
    def step(self, closure: Any = None) -> Any:
        old = {id(p): p.detach().clone() for g in self.param_groups if g["decoupled"] for p in g["params"]
               if p.grad is not None}
        out = super().step(closure)
        for group in self.param_groups:
            if group["decoupled"]:
                for p in group["params"]:
                    if p.grad is not None:
                        p.sub_(old[id(p)], alpha=group["lr"] * group["decoupled"])
        return out


def _make(groups: list[dict[str, Any]]) -> torch.optim.Optimizer:
    """The rule's options under torch's names: l2 -> weight_decay, weight_decay -> the decoupled term."""
    return _DecoupledSGD([{"params": g["params"], "lr": g["lr"], "momentum": g.get("momentum", 0.0),
                           "dampening": g.get("dampening", 0.0), "weight_decay": g.get("l2", 0.0),
                           "decoupled": g.get("weight_decay", 0.0)} for g in groups], foreach=False)


# -- trusted wrong rules, named in a failure's hint when the student's values are theirs -----------------------

def _sgd(param, grad, state, *, lr, momentum=0.0, dampening=0.0, l2=0.0, weight_decay=0.0,  # noqa: ANN001
         first=None, damp=None, lr_in_buf=False, wd_in_grad=False, l2_out=False, wd_sign=1.0, wd_after=False,
         matrices_only=False):
    if matrices_only and np.ndim(param) < 2:
        l2 = weight_decay = 0.0
    g = grad + (0.0 if l2_out else l2) * param + (weight_decay if wd_in_grad else 0.0) * param
    if lr_in_buf:
        g = lr * g
    if momentum:
        buf = state.get("momentum_buffer")
        a = (1 - dampening) if damp is None else damp(momentum, dampening)
        buf = (first(g, momentum, dampening) if first else g.copy()) if buf is None else momentum * buf + a * g
        state["momentum_buffer"] = buf
        g = buf
    new = param - (1.0 if lr_in_buf else lr) * g
    decay = (l2 if l2_out else 0.0) + (0.0 if wd_in_grad else weight_decay)
    return new - wd_sign * lr * decay * (new if wd_after else param)


def _neighbour(**how: Any):
    def rule(param, grad, state, **options):  # noqa: ANN001, ANN003, ANN202
        return _sgd(param, grad, state, **options, **how)
    return rule


NEIGHBOURS = (
    ("weight_decay added to the gradient like l2: decoupled decay must stay OUT of the momentum buffer "
     "(new = param - lr * buf - lr * weight_decay * param)", _neighbour(wd_in_grad=True)),
    ("dampening on the first step: torch's first buffer is the gradient itself (buf = g), dampening starts "
     "on the second step", _neighbour(first=lambda g, m, d: (1 - d) * g)),
    ("a buffer started from zeros as an average, buf = momentum * buf + (1 - momentum) * g: PyTorch's buffer "
     "is buf = momentum * buf + (1 - dampening) * g, and g itself on the first step",
     _neighbour(first=lambda g, m, d: (1 - m) * g, damp=lambda m, d: 1 - m)),
    ("a missing (1 - dampening): buf = momentum * buf + (1 - dampening) * g", _neighbour(damp=lambda m, d: 1.0)),
    ("lr inside the buffer (buf = momentum * buf + lr * g): PyTorch's buffer is in gradient units, and the step "
     "is lr * buf", _neighbour(lr_in_buf=True)),
    ("l2 and weight_decay skipped for 0-d and 1-d parameters: this rule treats every parameter alike (the "
     "optimiser's param groups choose which ones decay)", _neighbour(matrices_only=True)),
    ("l2 subtracted outside the buffer like decoupled decay: the L2 penalty's gradient l2 * param joins the "
     "gradient before momentum", _neighbour(l2_out=True)),
    ("decay applied to the new parameter after the momentum step: decoupled decay is lr * weight_decay * param "
     "of the parameter BEFORE this step", _neighbour(wd_after=True)),
    ("decay with the wrong sign, param * (1 + lr * weight_decay)", _neighbour(wd_sign=-1.0)),
)


def _twins(plan: Data, pairs: list[tuple[int, int]], names: list[str]) -> Data:
    """``plan`` with parameter j a copy of parameter i (value, gradients, None steps, state) for (i, j) in pairs."""
    for i, j in pairs:
        plan["params"][j] = plan["params"][i].copy()
        plan["state"][j] = copy.deepcopy(plan["state"][i])
        for grads in plan["grads"]:
            grads[j] = None if grads[i] is None else grads[i].copy()
    plan["names"] = names
    return plan


@functools.cache   # one set of plans per process: the probe's inputs are these objects
def _plans(visible: bool) -> list[Data]:
    n4 = {3: [1, 2, 5, 11, 23, *range(30, 50, 7)]}
    out = [
        {"label": "l2 with momentum and dampening, two groups, warm and fresh buffers",
         "plan": make_plan(601, shapes=SHAPES, make=_make, state=[None, 3, None, 5], none_grads=n4,
                           groups=[([0, 1], {"lr": 0.05, "momentum": 0.9, "dampening": 0.3, "l2": 0.01}),
                                   ([2, 3], {"lr": 0.01, "momentum": 0.8, "l2": 0.1})])},
        {"label": "a zero data gradient: w_t = w_0 (1 - lr * weight_decay)^t", "closed": "zero",
         "plan": make_plan(603, shapes=SHAPES, make=_make, zero_grads=True, none_grads=n4,
                           groups=[([0, 1], {"lr": 0.1, "momentum": 0.9, "dampening": 0.5, "weight_decay": 0.05}),
                                   ([2, 3], {"lr": 0.5, "weight_decay": 0.01})])},
        {"label": "decoupled weight_decay with momentum and dampening, two groups",
         "plan": make_plan(602, shapes=SHAPES, make=_make, state=[4, None, 2, None], none_grads=n4,
                           groups=[([0, 1], {"lr": 0.1, "momentum": 0.9, "dampening": 0.2, "weight_decay": 0.05}),
                                   ([2, 3], {"lr": 0.02, "momentum": 0.5, "weight_decay": 0.3})])},
    ]
    if visible:
        return out
    twin_shapes = SHAPES + SHAPES
    names = [f"p{i}{list(s)}" for i, s in enumerate(SHAPES)] + [f"twin of p{i}{list(s)}" for i, s in enumerate(SHAPES)]
    pairs = [(i, i + 4) for i in range(4)]
    return out + [
        {"label": "momentum = 0: l2 (group 0) and weight_decay (group 1) on twin parameters", "closed": "same",
         "pairs": pairs,
         "plan": _twins(make_plan(604, shapes=twin_shapes, none_grads={3: [2, 9, 33]},
                                  groups=[([0, 1, 2, 3], {"lr": 0.1, "l2": 0.2}),
                                          ([4, 5, 6, 7], {"lr": 0.1, "weight_decay": 0.2})]), pairs, names)},
        {"label": "momentum = 0.9: l2 (group 0) and weight_decay (group 1) on twin parameters", "closed": "differ",
         "pairs": pairs,
         "plan": _twins(make_plan(605, shapes=twin_shapes, none_grads={3: [2, 9, 33]},
                                  groups=[([0, 1, 2, 3], {"lr": 0.05, "momentum": 0.9, "l2": 0.2}),
                                          ([4, 5, 6, 7], {"lr": 0.05, "momentum": 0.9, "weight_decay": 0.2})]),
                        pairs, names)},
        {"label": "l2 and weight_decay together, a learning rate that changes between steps",
         "plan": make_plan(606, shapes=SHAPES, make=_make, state=[None, 2, 6, None], none_grads=n4, steps=60,
                           lrs=[[0.08 * 0.97 ** s, 0.03 * (1 + (s % 5))] for s in range(60)],
                           groups=[([0, 2], {"lr": 0.08, "momentum": 0.7, "dampening": 0.1, "l2": 0.02,
                                             "weight_decay": 0.1}),
                                   ([1, 3], {"lr": 0.03, "momentum": 0.95, "weight_decay": 0.2})])},
        {"label": "three groups: plain SGD; l2 and weight_decay with momentum 0; a large dampening with decay",
         "plan": make_plan(607, shapes=SHAPES, make=_make, none_grads={1: [3, 4, 40]},
                           groups=[([0], {"lr": 0.1}), ([1, 2], {"lr": 0.2, "l2": 0.3, "weight_decay": 0.1}),
                                   ([3], {"lr": 0.05, "momentum": 0.6, "dampening": 0.9, "weight_decay": 0.4})])},
    ]


def _counts(plan: Data, i: int) -> list[int]:
    """How many steps parameter i has taken after each step (its None gradients skipped)."""
    t, out = 0, []
    for grads in plan["grads"]:
        t += grads[i] is not None
        out.append(t)
    return out


def _student_params(check: Any, answer: Any, plan: Data, label: str) -> list[list[np.ndarray]]:
    steps = answer_list(check, answer, "steps", len(plan["grads"]), f"the steps of the replay ({label})")
    n = len(plan["params"])
    return [[answer_array(check, {"v": p}, "v", plan["params"][i].shape,
                          f"parameter {plan['names'][i]} after step {s + 1} ({label})")
             for i, p in enumerate(answer_list(check, step, "params", n, f"the parameters after step {s + 1}"))]
            for s, step in enumerate(steps)]


def _named(check: Any, plan: Data, s: int, i: int, got: np.ndarray) -> str:
    """The description of the first trusted wrong rule whose replay gives ``got`` for parameter i at step s."""
    for desc, wrong in NEIGHBOURS:
        value = neighbour_value(check, wrong, plan, s, i, "param", "sgd_weight_decay")
        if value is not None and np.shape(value) == got.shape and np.allclose(got, value, rtol=1e-9, atol=1e-12):
            return f"these are the values of {desc}"
    return ""


def _near(a: np.ndarray, b: np.ndarray, rtol: float) -> bool:
    return bool(np.all(np.abs(a - b) <= rtol * (np.abs(b) + float(np.max(np.abs(b), initial=0.0))) + 1e-300))


@register
class SgdWeightDecay(RuleCheck):
    r"""every parameter and `state["momentum_buffer"]` after *every* one of 50 to 60 steps, in float64,
    against `torch.optim.SGD(lr, momentum, dampening, weight_decay=l2)` (relative tolerance $10^{-9}$), and
    for decoupled `weight_decay` against the same torch step without it on the old parameters minus
    `lr * weight_decay * param`: two or three param groups with their own `lr`, `momentum`, `dampening`,
    `l2` and `weight_decay`, parameters of shapes `(3, 4)`, `()`, `(5,)` and `(2, 3, 2, 2)`, fresh and non-zero
    buffers (so the first step's `buf = g`, without dampening, is tested), a `None` gradient on some steps
    (no call, the state untouched), a learning rate that changes between steps, the state's keys
    (`momentum_buffer` only when `momentum > 0`); the closed forms: with a zero data gradient
    $w_t = w_0 (1 - \text{lr}\cdot\text{wd})^t$ to $10^{-12}$, and twin parameters (the same values and
    gradients) under `l2` and under `weight_decay` take the same steps when `momentum = 0` and different
    ones when `momentum > 0`; and that `param` and `grad` are not modified."""

    id = "06-regularization/sgd_weight_decay"
    rule_name = "sgd_weight_decay"
    make = staticmethod(_make)
    neighbours = NEIGHBOURS
    hints = {"momentum_buffer": "buf = g on the first step (no dampening), then momentum * buf + (1 - dampening) * g, "
                                "with g = grad + l2 * param; decoupled weight_decay never enters the buffer",
             "": "new = param - lr * buf - lr * weight_decay * param (buf = g when momentum is 0), "
                 "g = grad + l2 * param",
             "keys": "state['momentum_buffer'] when momentum > 0, nothing when momentum is 0"}
    properties = (Defaults(momentum=0.0, dampening=0.0, l2=0.0, weight_decay=0.0),)

    def plans(self, visible: bool) -> list[Data]:
        return list(_plans(visible))

    @remembered
    def _oracle(self, plan: Data) -> list[list[Data]]:
        return torch_trajectory(plan, _make)

    def expected(self, case: Data) -> list[list[Data]]:
        return self._oracle(case["plan"])

    @remembered   # a probe's data judged again (a retried batch, the forged-answer tests) costs a hash
    def judge_case(self, case: Data, answer: Any) -> int:
        held = self._closed(case, answer) if "closed" in case else 0
        return held + compare(self, case["plan"], answer, self.expected(case), rule_name=self.rule_name,
                              label=case["label"], hints=self.hints, neighbours=self.neighbours)

    def _closed(self, case: Data, answer: Any) -> int:
        plan, label, kind = case["plan"], case["label"], case["closed"]
        params = _student_params(self, answer, plan, label)
        held = 0
        if kind == "zero":
            for g, group in enumerate(plan["groups"]):
                lr, wd = group["options"]["lr"], group["options"].get("weight_decay", 0.0)
                for i in group["params"]:
                    counts = _counts(plan, i)
                    for s, t in enumerate(counts):
                        want = plan["params"][i] * (1 - lr * wd) ** t
                        got = params[s][i]
                        if not _near(got, want, 1e-12):
                            hint = _named(self, plan, s, i, got) or (
                                "decoupled decay multiplies the parameter by (1 - lr * weight_decay) at each step; "
                                "with a zero gradient the buffer stays 0, so nothing else moves it")
                            raise self.fail(
                                f"with a zero data gradient, parameter {plan['names'][i]} after {t} step(s) of its own "
                                f"(step {s + 1} of {label}; lr={lr}, weight_decay={wd}) must be "
                                f"w_0 * (1 - lr * weight_decay)^{t} exactly", expected=want, actual=got, hint=hint)
                        held += 1
            return held
        for s, step in enumerate(params):
            for i, j in case["pairs"]:
                a, b = step[i], step[j]
                if kind == "same":
                    expect(self, _near(b, a, 1e-12),
                           f"with momentum = 0, weight_decay and l2 of the same value must take the same steps: "
                           f"{plan['names'][j]} differs from {plan['names'][i]} after step {s + 1} ({label})",
                           expected=a, actual=b,
                           hint="without momentum both subtract lr * wd * param (the old one) from the step")
                    held += 1
        if kind == "differ":
            last = params[-1]
            for i, j in case["pairs"]:
                scale = float(np.max(np.abs(last[i]), initial=0.0))
                expect(self, float(np.max(np.abs(last[i] - last[j]), initial=0.0)) > 1e-6 * scale,
                       f"with momentum > 0, weight_decay must not act as l2: {plan['names'][j]} equals "
                       f"{plan['names'][i]} after {len(params)} steps ({label})",
                       expected="different trajectories: l2 goes through the momentum buffer, decoupled decay does not",
                       actual="the same values",
                       hint="decoupled decay is lr * weight_decay * param subtracted outside the buffer")
                held += 1
        return held

    def with_options(self, obj: Any, case: Data, options: dict[str, Any]) -> Data:
        """The parameters after 5 steps of the case's plan with every group's options replaced by ``options``
        (its lr kept: lr has no default)."""
        plan = dict(case["plan"], lrs=None, state=[None] * len(case["plan"]["params"]),
                    groups=[dict(g, options={"lr": g["options"]["lr"], **options}) for g in case["plan"]["groups"]])
        steps = replay(self, obj, plan, rule_name=self.rule_name, steps=5)["steps"]
        return {"params": np.concatenate([np.ravel(p) for st in steps for p in st["params"]])}

