"""07-optimizers/momentum: heavy ball in the classic (velocity) form and Nesterov in PyTorch's form.

Oracles: ``heavy_ball`` with a constant lr against ``torch.optim.SGD(momentum)``, its velocity
``-lr * momentum_buffer``; with an lr that changes between steps (where the two forms differ) against
the closed recurrence ``v = mu v - lr_t g; p += v``. ``nesterov`` against
``torch.optim.SGD(momentum, nesterov=True, weight_decay)``, under a changing lr too. The parameters are
compared first (naming the other form when the student's trajectory is the other form's), then every
parameter, buffer and state key after every step by the driver of :mod:`.shared`.
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np
import torch

from ..base import Case, Data, register
from ..judging import answer_array, answer_list, remembered
from ..probing import functions
from ..properties import Defaults
from .comparing import close
from .shared import RuleCheck, compare, make_plan, neighbour_value, replay, torch_trajectory

__all__ = ["Momentum", "HEAVY_BALL", "HINTS", "N4", "NAMES", "NESTEROV", "SHAPES"]

NAMES = ("heavy_ball", "nesterov")
SHAPES = [(3, 4), (), (6,), (2, 3, 2, 2)]
N4 = {3: [1, 2, 5, 11, 23, *range(30, 60, 7)]}


def _sgd(nesterov: bool):
    def make(groups: list[dict[str, Any]]) -> torch.optim.Optimizer:
        return torch.optim.SGD([{"params": g["params"], "lr": g["lr"], "momentum": g["momentum"],
                                 "weight_decay": g.get("weight_decay", 0.0)} for g in groups],
                               momentum=groups[0]["momentum"], nesterov=nesterov, foreach=False)
    return make


# -- trusted rules: the classic recurrence (the oracle under a changing lr) and the neighbouring mistakes ----

def _classic(param, grad, state, *, lr, momentum):  # noqa: ANN001, ANN202
    v = momentum * state.get("velocity", np.zeros(np.shape(param))) - lr * grad
    state["velocity"] = v
    return param + v


def _torch_form(param, grad, state, *, lr, momentum, weight_decay=0.0, key="velocity", look=False,  # noqa: ANN001
                raw=False, first_plain=False, decay=True):
    """PyTorch's buffer under ``key``; ``look``: Nesterov's step (``raw``: with the gradient before decay;
    ``first_plain``: none on the first step); ``decay=False``: weight_decay ignored."""
    g = grad + (weight_decay if decay else 0.0) * param
    fresh = key not in state
    buf = g.copy() if fresh else momentum * state[key] + g
    state[key] = buf
    if not look:
        return param - lr * buf
    if first_plain and fresh:
        return param - lr * g
    return param - lr * ((grad if raw else g) + momentum * buf)


def _velocity_nesterov(param, grad, state, *, lr, momentum, weight_decay=0.0):  # noqa: ANN001, ANN202
    v_prev = state.get("momentum_buffer", np.zeros(np.shape(param)))
    v = momentum * v_prev - lr * (grad + weight_decay * param)
    state["momentum_buffer"] = v
    return param - momentum * v_prev + (1 + momentum) * v


def _nesterov_lr_in_buffer(param, grad, state, *, lr, momentum, weight_decay=0.0):  # noqa: ANN001, ANN202
    d = lr * (grad + weight_decay * param)
    buf = d.copy() if "momentum_buffer" not in state else momentum * state["momentum_buffer"] + d
    state["momentum_buffer"] = buf
    return param - (d + momentum * buf)


def _hb(**how: Any):
    def rule(param, grad, state, *, lr, momentum):  # noqa: ANN001, ANN202
        return _torch_form(param, grad, state, lr=lr, momentum=momentum, **how)
    return rule


def _old_velocity(param, grad, state, *, lr, momentum):  # noqa: ANN001, ANN202
    v = state.get("velocity", np.zeros(np.shape(param)))
    state["velocity"] = momentum * v - lr * grad
    return param + v


def _opposite(param, grad, state, *, lr, momentum):  # noqa: ANN001, ANN202
    v = momentum * state.get("velocity", np.zeros(np.shape(param))) + lr * grad
    state["velocity"] = v
    return param - v


def _ema(param, grad, state, *, lr, momentum):  # noqa: ANN001, ANN202
    v = momentum * state.get("velocity", np.zeros(np.shape(param))) - (1 - momentum) * lr * grad
    state["velocity"] = v
    return param + v


_PYTORCH_FORM = ("PyTorch's form, not the classic one (a buffer in gradient units, buf = momentum * buf + grad, "
                 "param -= lr * buf): the classic velocity is in parameter units, with the learning rate inside it: "
                 "v = momentum * v - lr * grad, param += v; the two differ as soon as lr changes between steps")
HEAVY_BALL = (
    (_PYTORCH_FORM, _hb()),
    ("a velocity with the opposite sign (v = momentum * v + lr * grad, param -= v): the classic velocity is the "
     "step itself, v = momentum * v - lr * grad, param += v", _opposite),
    ("a step with the old velocity, updated afterwards: update v first, then param += v (the new v)", _old_velocity),
    ("an average, v = momentum * v - (1 - momentum) * lr * grad: the classic form has no (1 - momentum)", _ema),
)
NESTEROV = (
    ("a first step without the look-ahead: on the first step too, param -= lr * (g + momentum * buf) with buf = g",
     lambda p, g, s, **o: _torch_form(p, g, s, key="momentum_buffer", look=True, first_plain=True, **o)),
    ("plain heavy ball (param -= lr * buf), not Nesterov: Nesterov's step looks ahead, "
     "param -= lr * (g + momentum * buf)", lambda p, g, s, **o: _torch_form(p, g, s, key="momentum_buffer", **o)),
    ("the classic Nesterov in velocity form (the look-ahead gradient; v = mu v - lr g, param += -mu v_prev + "
     "(1 + mu) v), not PyTorch's reformulation: PyTorch keeps the buffer in gradient units (buf = mu buf + g, "
     "param -= lr (g + mu buf)); the two differ when lr changes between steps", _velocity_nesterov),
    ("lr inside the buffer (buf = momentum * buf + lr * g): PyTorch's buffer is in gradient units, "
     "buf = momentum * buf + g, and the step is lr * (g + momentum * buf)", _nesterov_lr_in_buffer),
    ("weight_decay ignored: g = grad + weight_decay * param goes into the buffer and the look-ahead",
     lambda p, g, s, **o: _torch_form(p, g, s, key="momentum_buffer", look=True, decay=False, **o)),
    ("a look-ahead with the raw gradient: the step is lr * (g + momentum * buf) with g = grad + weight_decay * param",
     lambda p, g, s, **o: _torch_form(p, g, s, key="momentum_buffer", look=True, raw=True, **o)),
)
HINTS = {
    "heavy_ball": {"velocity": "v = momentum * v - lr * grad (v = 0 before the first step), in parameter units",
                   "": "v = momentum * v - lr * grad, then param + v", "keys": "state['velocity'] only"},
    "nesterov": {"momentum_buffer": "buf = g on the first step, then momentum * buf + g, with g = grad + "
                                    "weight_decay * param (in gradient units, as torch stores it)",
                 "": "param - lr * (g + momentum * buf)", "keys": "state['momentum_buffer'] only"},
}


@functools.cache   # one set of plans per process: the probe's inputs are these objects
def _heavy_ball_plans(visible: bool) -> list[Data]:
    out = [
        {"label": "heavy ball, constant lr, two groups, warm and fresh velocities", "rule": "heavy_ball",
         "plan": make_plan(701, shapes=SHAPES, make=_sgd(False), state=[None, 3, None, 5], none_grads=N4,
                           groups=[([0, 1], {"lr": 0.05, "momentum": 0.9}), ([2, 3], {"lr": 0.01, "momentum": 0.5})])},
        {"label": "heavy ball, an lr that changes between steps (the classic and PyTorch's forms differ)",
         "rule": "heavy_ball", "classic": True,
         "plan": make_plan(702, shapes=SHAPES, none_grads=N4,
                           lrs=[[0.1 * 0.95 ** s, 0.02 * (1 + s % 4)] for s in range(50)],
                           groups=[([0, 1], {"lr": 0.1, "momentum": 0.9}), ([2, 3], {"lr": 0.02, "momentum": 0.6})])},
    ]
    if not visible:
        out.append({"label": "heavy ball, warm velocities, momentum 0.99 and 0, a warm restart of lr",
                    "rule": "heavy_ball", "classic": True,
                    "plan": make_plan(703, shapes=SHAPES, none_grads=N4, steps=60, state=[3, None, 4, None],
                                      make=_sgd(False), lrs=[[0.01 if s < 30 else 0.05, 0.3] for s in range(60)],
                                      groups=[([0, 2], {"lr": 0.01, "momentum": 0.99}),
                                              ([1, 3], {"lr": 0.3, "momentum": 0.0})])})
    for case in out:   # a warm state: torch's buffer b as the classic velocity -lr * b
        lr = {i: g["options"]["lr"] for g in case["plan"]["groups"] for i in g["params"]}
        case["plan"]["state"] = [None if not st else {"velocity": np.array(-lr[i] * st["momentum_buffer"])}
                                 for i, st in enumerate(case["plan"]["state"])]
    return out


@functools.cache
def _nesterov_plans(visible: bool) -> list[Data]:
    out = [
        {"label": "nesterov, weight_decay in one group, warm and fresh buffers", "rule": "nesterov",
         "plan": make_plan(711, shapes=SHAPES, make=_sgd(True), state=[4, None, 2, None], none_grads=N4,
                           groups=[([0, 1], {"lr": 0.05, "momentum": 0.9, "weight_decay": 0.01}),
                                   ([2, 3], {"lr": 0.02, "momentum": 0.7})])},
    ]
    if not visible:
        out += [
            {"label": "nesterov, an lr that changes between steps", "rule": "nesterov",
             "plan": make_plan(712, shapes=SHAPES, make=_sgd(True), none_grads=N4,
                               lrs=[[0.08 * 0.96 ** s, 0.01 * (1 + s % 3)] for s in range(50)],
                               groups=[([0, 2], {"lr": 0.08, "momentum": 0.9, "weight_decay": 0.05}),
                                       ([1, 3], {"lr": 0.01, "momentum": 0.5, "weight_decay": 0.2})])},
            {"label": "nesterov, momentum 0.99, a large weight_decay", "rule": "nesterov",
             "plan": make_plan(713, shapes=SHAPES, make=_sgd(True), state=[None, 3, None, 3], none_grads=N4,
                               steps=60, groups=[([0, 1, 2, 3], {"lr": 0.01, "momentum": 0.99, "weight_decay": 0.5})])},
        ]
    return out


def _classic_trajectory(plan: Data) -> list[list[Data]]:
    """The closed recurrence v = mu v - lr_t g, p += v, in the driver's trajectory format."""
    params = [np.array(p, dtype=np.float64) for p in plan["params"]]
    states = [{} if st is None else {"velocity": np.array(st["velocity"], dtype=np.float64)} for st in plan["state"]]
    out = []
    for s, grads in enumerate(plan["grads"]):
        for g, group in enumerate(plan["groups"]):
            lr = group["options"]["lr"] if plan["lrs"] is None else plan["lrs"][s][g]
            for i in group["params"]:
                if grads[i] is not None:
                    params[i] = _classic(params[i], np.asarray(grads[i]), states[i], lr=lr,
                                         momentum=group["options"]["momentum"])
        out.append([{"param": params[i].copy(), "state": {k: v.copy() for k, v in states[i].items()}}
                    for i in range(len(params))])
    return out


@register
class Momentum(RuleCheck):
    r"""`heavy_ball` and `nesterov` replayed for 50 to 60 steps in float64, every parameter and buffer compared
    after *every* step (relative tolerance $10^{-9}$): two param groups with their own `lr`, `momentum` and
    `weight_decay`, parameters of shapes `(3, 4)`, `()`, `(6,)` and `(2, 3, 2, 2)`, fresh and non-zero
    states, a `None` gradient on some steps (no call, the state untouched) and the state's keys.
    `heavy_ball` with a constant `lr` against `torch.optim.SGD(momentum)`, `state["velocity"]` against
    `-lr * momentum_buffer`; with an `lr` that changes between steps (where the classic and PyTorch's
    forms differ) against the recurrence $v_t = \mu v_{t-1} - \eta_t g_t$, $\theta_t = \theta_{t-1} + v_t$,
    `momentum = 0` included. `nesterov` against `torch.optim.SGD(momentum, nesterov=True,
    weight_decay)`, its `state["momentum_buffer"]` against torch's, with a changing `lr` too. A trajectory
    that is the other form's (PyTorch's heavy ball, the classic Nesterov, plain heavy ball as Nesterov) is
    named. And that `param` and `grad` are not modified."""

    id = "07-optimizers/momentum"
    rule_name = "nesterov"
    make = staticmethod(_sgd(True))
    properties = (Defaults(weight_decay=0.0),)

    def plans(self, visible: bool) -> list[Data]:
        return [*_nesterov_plans(visible), *_heavy_ball_plans(visible)]

    def answer(self, obj: Any, case: Data) -> Data:
        rule = functions(self, obj, NAMES)[case["rule"]]
        return replay(self, rule, case["plan"], rule_name=case["rule"])

    @remembered
    def _oracle(self, case: Data) -> list[list[Data]]:
        plan = case["plan"]
        if case["rule"] == "nesterov":
            return torch_trajectory(plan, _sgd(True))
        if case.get("classic"):
            return _classic_trajectory(plan)
        lr = {i: g["options"]["lr"] for g in plan["groups"] for i in g["params"]}
        torch_plan = dict(plan, state=[None if st is None else {"momentum_buffer": -st["velocity"] / lr[i]}
                                       for i, st in enumerate(plan["state"])])
        return [[{"param": e["param"], "state": {"velocity": -lr[i] * e["state"]["momentum_buffer"]}
                  if e["state"] else {}} for i, e in enumerate(step)]
                for step in torch_trajectory(torch_plan, _sgd(False))]

    def expected(self, case: Data) -> list[list[Data]]:
        return self._oracle(case)

    def judge_cases(self, cases: list[Case]) -> int:
        # the trajectories of every case first: one that is another form's is named (e.g. PyTorch's heavy ball,
        # which only an lr that changes between steps tells apart), before a state key or a buffer fails
        held = sum(self._trajectory(case, answer) for case, answer in cases)
        return held + sum(self._compared(case, answer) for case, answer in cases)

    @remembered   # a probe's data judged again (a retried batch, the forged-answer tests) costs a hash
    def _compared(self, case: Data, answer: Any) -> int:
        rule = case["rule"]
        return compare(self, case["plan"], answer, self.expected(case), rule_name=rule, label=case["label"],
                       hints=HINTS[rule], neighbours=HEAVY_BALL if rule == "heavy_ball" else NESTEROV)

    @remembered
    def _trajectory(self, case: Data, answer: Any) -> int:
        """The parameters alone first, step by step: a trajectory that is another form's is named, whatever its
        state looks like."""
        expected = self.expected(case)
        neighbours = HEAVY_BALL if case["rule"] == "heavy_ball" else NESTEROV
        plan, label, rule = case["plan"], case["label"], case["rule"]
        n = len(plan["params"])
        steps = answer_list(self, answer, "steps", len(expected), f"the steps of the replay ({label})")
        for s, (step, want) in enumerate(zip(steps, expected)):
            params = answer_list(self, step, "params", n, f"the parameters after step {s + 1}")
            for i in range(n):
                exp = want[i]["param"]
                got = answer_array(self, {"v": params[i]}, "v", exp.shape,
                                   f"parameter {plan['names'][i]} after step {s + 1} ({label})")
                if not close(got, exp):
                    desc = next((d for d, wrong in neighbours if _replays_to(self, wrong, plan, s, i, got, rule)), "")
                    if desc:
                        raise self.fail(f"{rule}: parameter {plan['names'][i]} after step {s + 1} of {label} follows "
                                        f"{desc.split(':')[0]}", expected=exp, actual=got,
                                        hint=f"these are the values of {desc}")
                    return 0   # the comparison below names the first difference
        return 1

    def with_options(self, obj: Any, case: Data, options: dict[str, Any]) -> Data:
        """``nesterov``'s parameters after 5 steps of the case's plan, every group's lr and momentum kept and its
        other options replaced by ``options`` (for :class:`~grader.checks.properties.Defaults`)."""
        plan = dict(case["plan"], lrs=None, state=[None] * len(case["plan"]["params"]),
                    groups=[dict(g, options={"lr": g["options"]["lr"], "momentum": g["options"]["momentum"],
                                             **options}) for g in case["plan"]["groups"]])
        steps = replay(self, functions(self, obj, NAMES)["nesterov"], plan, rule_name="nesterov", steps=5)["steps"]
        return {"params": np.concatenate([np.ravel(p) for st in steps for p in st["params"]])}


def _replays_to(check: Any, wrong: Any, plan: Data, s: int, i: int, got: np.ndarray, rule: str) -> bool:
    """True when the trusted wrong rule, replayed on ``plan``, gives parameter i the values ``got`` after step s."""
    value = neighbour_value(check, wrong, plan, s, i, "param", rule)
    return value is not None and np.shape(value) == got.shape and bool(np.allclose(got, value, rtol=1e-8, atol=1e-12))
