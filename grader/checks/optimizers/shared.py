"""The trusted driver of 07-optimizers (and 06's sgd_weight_decay): a *plan* of steps replayed on a
student's update rule (the probe side) and on ``torch.optim`` (the judge side), compared after every step.

An update rule is ``rule(param, grad, state, **hyperparameters) -> new_param`` (design: one
parameter, ``state`` the rule's dict, torch.optim's buffer names). A **plan** is plain data:

``{"names": [...], "params": [array, ...], "groups": [{"params": [i, ...], "options": {...}}, ...],
"state": [None | {key: array or number}, ...], "grads": [[array | None per parameter] per step],
"lrs": None | [[lr per group] per step]}``

``state[i]`` None: the rule starts from ``{}``; otherwise from that state (non-zero buffers,
``'step'`` a Python int), which torch is given too (``optimizer.state[p]`` set before the first step).
A ``None`` gradient: the rule is not called for that parameter at that step (torch skips it too).
``lrs``: the learning rate of every group at every step (a schedule), passed as ``lr=``.

Use in a check (see :class:`RuleCheck`, which does all of this)::

    plan = make_plan(3, shapes=[(), (5,), (3, 4), (2, 3, 2, 2)],
                     groups=[([0, 1], {"lr": 0.01}), ([2, 3], {"lr": 0.003, "weight_decay": 0.1})],
                     state=[None, 3, 7, 2], make=torch_optimizer(torch.optim.Adam))
    answer = replay(check, student_adam, plan, rule_name="adam")         # probe: plain data
    expected = torch_trajectory(plan, torch_optimizer(torch.optim.Adam))   # judge: the oracle
    compare(check, plan, answer, expected, rule_name="adam", label="two groups",
            hints={"exp_avg": "...", "param": "..."},                      # per buffer; "" any, "keys"
            neighbours=[("Adam without bias correction", adam_without_bc)])  # raises CheckFailure

or, for a check that is only plans, hints and neighbours (see adam.py, adagrad.py, rmsprop.py)::

    @register
    class Adagrad(RuleCheck):
        r"the rule replayed as torch.optim.Adagrad ..."          # the docstring: the notebook's text
        id, rule_name = "07-optimizers/adagrad", "adagrad"
        make = staticmethod(torch_optimizer(torch.optim.Adagrad))
        properties = (Defaults(lr=0.01, ...),)                  # with_options is provided
        def plans(self, visible):
            return [{"label": "two groups", "plan": make_plan(80, shapes=..., groups=..., make=self.make)}]

A check with another oracle overrides ``RuleCheck.expected(case)`` (any trajectory, e.g. a NumPy
recurrence for a convention torch does not have) and adds closed forms in ``judge_extra(case,
answer)``, reading the student's values with :func:`answer_param`.

``expected`` may come from anything with :func:`torch_trajectory`'s format (a NumPy closed
recurrence, a torch optimizer plus a correction): ``[[{"param": array, "state": {key: array | None}}
per parameter] per step]``, the state ``{}`` while a fresh parameter has not been stepped yet.
"""

from __future__ import annotations

import copy
import hashlib
import pickle
from collections.abc import Callable, Sequence
from typing import Any, ClassVar

import numpy as np
import torch

from ..base import Check, Data, expect, expect_close
from ..judging import answer_field, answer_list, register_memo, remembered
from ..probing import as_float_array, call, student_array
from .comparing import RTOL, SCALE_ATOL, bulk, close, inputs_unchanged, read_array, tolerance

__all__ = ["make_plan", "torch_optimizer", "replay", "torch_trajectory", "compare", "answer_param", "memoized", "neighbour_value",
           "first_difference", "RuleCheck", "RTOL", "SCALE_ATOL", "Maker"]


Maker = Callable[[list[dict[str, Any]]], torch.optim.Optimizer]


def torch_optimizer(cls: type[torch.optim.Optimizer], **fixed: Any) -> Maker:
    """A maker ``make(groups) -> cls(groups, foreach=False, **fixed)``, the groups carrying the rule's
    options under torch's names (e.g. ``torch_optimizer(torch.optim.RMSprop)``)."""
    def make(groups: list[dict[str, Any]]) -> torch.optim.Optimizer:
        return cls(groups, foreach=False, **fixed)
    return make


def _t(value: Any) -> torch.Tensor:
    return torch.tensor(np.asarray(value, dtype=np.float64), dtype=torch.float64)


def _np_state(state: dict[str, Any]) -> dict[str, Any]:
    return {k: (None if v is None else np.array(v.detach().double().numpy() if torch.is_tensor(v) else v,
                                                 dtype=np.float64)) for k, v in state.items()}


def _set_state(opt: torch.optim.Optimizer, p: torch.Tensor, state: dict[str, Any]) -> None:
    opt.state[p] = {k: (None if v is None else _t(v)) for k, v in state.items()}


def make_plan(seed: int, *, shapes: Sequence[tuple[int, ...]], groups: Sequence[tuple[Sequence[int], dict[str, Any]]],
              make: Maker | None = None, steps: int = 50, state: Sequence[Any] | None = None,
              none_grads: dict[int, Sequence[int]] | None = None, grad_scale: float | Sequence[float] = 1.0,
              zero_grads: bool = False, lrs: Sequence[Sequence[float]] | None = None,
              names: Sequence[str] | None = None) -> Data:
    """A plan (see the module docstring) from a seed: parameters ~ N(0, 1) of ``shapes``; gradients
    ~ N(0, grad_scale^2) per parameter (all zeros if ``zero_grads``), gradient ``None`` at the steps
    of ``none_grads[i]`` (default: the last parameter on steps 1, 2, 5, 11, 23 and every 7th step
    from 30). ``state[i]``: None (fresh), an int k (k warm-up steps of ``make``'s torch optimizer with
    that parameter's options on other gradients of the same scale: consistent non-zero buffers,
    'step' k), or an explicit dict. ``lrs``: per step, one lr per group."""
    rng = np.random.default_rng(seed)
    n = len(shapes)
    scales = [float(grad_scale)] * n if np.isscalar(grad_scale) else [float(s) for s in grad_scale]
    params = [rng.standard_normal(shape) for shape in shapes]
    if none_grads is None:
        none_grads = {n - 1: [1, 2, 5, 11, 23, *range(30, steps, 7)]}
    grads = [[None if s in none_grads.get(i, ()) else
              (np.zeros(shapes[i]) if zero_grads else scales[i] * rng.standard_normal(shapes[i])) for i in range(n)]
             for s in range(steps)]
    owner = {i: dict(opts) for idx, opts in groups for i in idx}
    init: list[Any] = []
    for i, given in enumerate(state if state is not None else [None] * n):
        if isinstance(given, (int, np.integer)) and not isinstance(given, bool):
            if make is None:
                raise ValueError("a warm-up state needs the torch optimizer maker `make`")
            p = torch.tensor(rng.standard_normal(shapes[i]), dtype=torch.float64, requires_grad=True)
            opt = make([{"params": [p], **owner[i]}])
            for _ in range(int(given)):
                p.grad = _t(scales[i] * rng.standard_normal(shapes[i]))
                opt.step()
            st = _np_state(opt.state[p])
            if "step" in st:
                st["step"] = int(st["step"])
            init.append(st)
        else:
            init.append(copy.deepcopy(given))
    return {"names": list(names) if names is not None else [f"p{i}{list(s)}" for i, s in enumerate(shapes)],
            "params": params, "groups": [{"params": list(idx), "options": dict(opts)} for idx, opts in groups],
            "state": init, "grads": grads, "lrs": None if lrs is None else [list(map(float, l)) for l in lrs]}


def _options(plan: Data, s: int, g: int) -> dict[str, Any]:
    options = dict(plan["groups"][g]["options"])
    if plan["lrs"] is not None:
        options["lr"] = plan["lrs"][s][g]
    return options


def _signature(rule: str, options: dict[str, Any]) -> str:
    return f"{rule}(param, grad, state, " + ", ".join(f"{k}={v!r}" for k, v in options.items()) + ")"


def _read_state(check: Check, state: Any, what: str) -> dict[str, Any]:
    if not isinstance(state, dict) or not all(isinstance(k, str) for k in state):
        raise check.fail(f"the state of {what} must be a dict with string keys", expected="a dict",
                         actual=type(state).__name__, hint="fill the state dict you are given, under torch.optim's names")
    return {k: None if v is None else as_float_array(check, v, f"state[{k!r}] of {what}").copy()
            for k, v in state.items()}


def replay(check: Check, rule: Callable[..., Any], plan: Data, *, rule_name: str = "the rule",
           steps: int | None = None) -> Data:
    """Probe side: run ``plan`` on ``rule`` (a copy of each param and grad per call) and return plain data
    ``{"steps": [{"params": [...], "states": [...], "calls": [{"param_after", "grad_after"}, ...]}]}``:
    every parameter and state after every step, and the inputs of every call as they are after it.
    ``steps``: only the first ones (a quick replay, e.g. for :class:`~grader.checks.properties.Defaults`)."""
    params = [np.array(p, dtype=np.float64) for p in plan["params"]]
    states: list[dict[str, Any]] = [{} if st is None else copy.deepcopy(st) for st in plan["state"]]
    out_steps = []
    for s, grads in enumerate(plan["grads"][:steps]):
        calls = []
        for g, group in enumerate(plan["groups"]):
            options = _options(plan, s, g)
            for i in group["params"]:
                if grads[i] is None:
                    continue
                what = f"{_signature(rule_name, options)} on parameter {plan['names'][i]} at step {s + 1}"
                pc, gc = params[i].copy(), np.array(grads[i], dtype=np.float64)
                given = sorted(states[i])
                try:
                    new = call(check, rule, pc, gc, states[i], what=what, reraise=(KeyError,), **options)
                except KeyError as err:
                    raise check.fail(f"{what} raised KeyError: {err}", expected="a return value",
                                     actual=f"KeyError: {err}, with a state holding {given}",
                                     hint="the state may come from earlier steps (or from torch.optim): it holds "
                                          "the buffers under torch.optim's names, and only those") from err
                if isinstance(new, np.generic) and params[i].ndim == 0:
                    new = np.asarray(new)   # a 0-d parameter: NumPy's arithmetic returns a scalar
                params[i] = student_array(check, new, f"the new parameter returned by {what}", params[i].shape).copy()
                calls.append({"param_after": pc, "grad_after": gc})
        out_steps.append({"params": [p.copy() for p in params], "calls": calls,
                          "states": [_read_state(check, st, f"parameter {plan['names'][i]} after step {s + 1}")
                                     for i, st in enumerate(states)]})
    return {"steps": out_steps}


def torch_trajectory(plan: Data, make: Maker, *, steps: int | None = None) -> list[list[Data]]:
    """Judge side: ``plan`` replayed on ``make(groups)`` (a torch optimizer, float64), the initial states
    set before the first step; every parameter and state after every step (``{}`` for a fresh
    parameter until its first step, as the rule's own dict)."""
    tensors = [torch.tensor(p, dtype=torch.float64, requires_grad=True) for p in plan["params"]]
    groups = [{"params": [tensors[i] for i in g["params"]], **g["options"]} for g in plan["groups"]]
    opt = make(groups)
    for i, st in enumerate(plan["state"]):
        if st is not None:
            _set_state(opt, tensors[i], st)
    stepped = [st is not None for st in plan["state"]]
    out = []
    for s, grads in enumerate(plan["grads"][:steps]):
        if plan["lrs"] is not None:
            for g, group in enumerate(opt.param_groups):
                group["lr"] = plan["lrs"][s][g]
        for i, grad in enumerate(grads):
            tensors[i].grad = None if grad is None else _t(grad)
            stepped[i] = stepped[i] or grad is not None
        opt.step()
        out.append([{"param": tensors[i].detach().numpy().copy(),
                     "state": _np_state(opt.state[tensors[i]]) if stepped[i] else {}} for i in range(len(tensors))])
    return out


def first_difference(trajectory: list[list[Data]], other: list[list[Data]]) -> tuple[int, int, str] | None:
    """The first (step, parameter, buffer or 'param') where two trajectories differ, or None."""
    for s, (a, b) in enumerate(zip(trajectory, other)):
        for i, (x, y) in enumerate(zip(a, b)):
            for key in [*y["state"], "param"]:
                if not close(x["param"] if key == "param" else x["state"].get(key),
                              y["param"] if key == "param" else y["state"][key]):
                    return s, i, key
    return None


def compare(check: Check, plan: Data, answer: Any, expected: list[list[Data]], *, rule_name: str, label: str,
            hints: dict[str, str] | None = None, neighbours: Sequence[tuple[str, Callable[..., Any]]] = (),
            rtol: float = RTOL, scale_atol: float = SCALE_ATOL) -> int:
    """Judge side: read the probe's ``answer`` (:func:`replay`) strictly and compare it with ``expected``
    step by step: the inputs of every call unchanged, the state's keys (torch's names), then every
    buffer in torch's order, then the parameter. The first difference fails, naming the step, the
    parameter, the buffer, the options and ``label``; the hint is the first of ``neighbours``
    (description, trusted wrong rule) whose replay gives the same values there ("matches <description>"),
    else ``hints[buffer]``, else ``hints['']``. Returns the number of comparisons that held."""
    hints = hints or {}
    held = bulk(plan, answer, expected, rtol, scale_atol)
    if held is not None:   # every value of the usual form, and all of them right: nothing to name
        return held
    n_params, held = len(plan["params"]), 0
    steps = answer_list(check, answer, "steps", len(expected), f"the steps of the replay ({label})")
    previous = [np.asarray(p, dtype=np.float64) for p in plan["params"]]
    for s, (step, want) in enumerate(zip(steps, expected)):
        order = [(g, i) for g, group in enumerate(plan["groups"]) for i in group["params"]
                 if plan["grads"][s][i] is not None]
        calls = answer_list(check, step, "calls", len(order), f"the calls of step {s + 1} ({label})")
        params = answer_list(check, step, "params", n_params, f"the parameters after step {s + 1}")
        states = answer_list(check, step, "states", n_params, f"the states after step {s + 1}")
        for (g, i), rec in zip(order, calls):
            where = f"{_signature(rule_name, _options(plan, s, g))} on parameter {plan['names'][i]} at step {s + 1}"
            for key, before, name in (("grad_after", plan["grads"][s][i], "grad"), ("param_after", previous[i], "param")):
                expect(check, inputs_unchanged(check, rec, key, np.asarray(before, dtype=np.float64), f"{name} after {where}"),
                       f"{name} must not be modified by {where} ({label})", expected=f"{name} unchanged",
                       actual=f"{name} modified in place",
                       hint="compute into new arrays (p = p - ..., not p -= ...) and return the new parameter")
            held += 2
        for i in range(n_params):
            g = next(g for g, group in enumerate(plan["groups"]) if i in group["params"])
            opts = _options(plan, s, g)
            where = (f"parameter {plan['names'][i]} after step {s + 1} of {label} "
                     f"(group {g}: {', '.join(f'{k}={v!r}' for k, v in opts.items()) or 'defaults'}"
                     f"{'; its gradient was None at this step' if plan['grads'][s][i] is None else ''})")
            state = states[i]
            expect(check, isinstance(state, dict), f"the state of {where} must be a dict", expected="a dict",
                   actual=type(state).__name__)
            missing = [k for k in want[i]["state"] if k not in state]
            extra = [k for k in state if k not in want[i]["state"]]
            expect(check, not missing and not extra, f"the state's keys of {where}",
                   expected=sorted(want[i]["state"]) or "{} (not stepped yet)",
                   actual=f"{sorted(state)}: " + "; ".join(
                       [*(f"missing {k!r}" for k in missing), *(f"extra {k!r}" for k in extra)]),
                   hint=hints.get("keys", "use torch.optim's names for the buffers, and only those")
                   + ("; a parameter whose gradient is None is skipped: its state is not created or changed"
                      if not want[i]["state"] else ""))
            held += 1
            for key in [*want[i]["state"], "param"]:
                exp = want[i]["param"] if key == "param" else want[i]["state"][key]
                what = "the parameter" if key == "param" else f"state[{key!r}]"
                if exp is None:
                    expect(check, answer_field(check, state, key, what) is None, f"{what} of {where} must be None",
                           expected=None, actual="an array", hint=hints.get(key, ""))
                    continue
                got = (read_array(check, {"v": params[i]}, "v", exp.shape, f"{what} of {where}") if key == "param"
                       else read_array(check, state, key, exp.shape, f"{what} of {where}"))
                if not close(got, exp, rtol, scale_atol):
                    hint = next((f"these are the values of {desc}" for desc, wrong in neighbours
                                 if _matches(check, wrong, plan, s, i, key, got, exp, rule_name)),
                                hints.get(key, hints.get("", "")))
                    expect_close(check, got, exp, f"{what} of {where}", rtol=rtol,
                                 atol=tolerance(exp, rtol, scale_atol) + 1e-300, hint=hint)
                    raise check.fail(f"{what} of {where}", expected=exp, actual=got, hint=hint)
                if key == "param":
                    previous[i] = got
                held += 1
    raise check.fail(f"the replay of {label} does not match", expected="torch's trajectory",  # not reached
                     actual="a difference the step-by-step reading did not locate", hint=hints.get("", ""))


def answer_param(check: Check, plan: Data, answer: Any, s: int, i: int) -> np.ndarray:
    """Judge side: parameter ``i`` after step ``s`` (0-based) in the probe's ``answer``, read strictly
    (for closed forms judged on the student's own trajectory)."""
    steps = answer_list(check, answer, "steps", len(plan["grads"]), "the steps of the replay")
    params = answer_list(check, steps[s], "params", len(plan["params"]), f"the parameters after step {s + 1}")
    return read_array(check, {"v": params[i]}, "v", np.shape(plan["params"][i]),
                  f"parameter {plan['names'][i]} after step {s + 1}")


#: trajectories by (what, plan content): torch's and the neighbours' replays of one plan are the same for
#: every answer judged (a grader judging many students, the forged-answer tests); emptied with the other
#: memos by :func:`grader.checks.judging.forget_judgements`
_TRAJECTORIES: dict[Any, Any] = register_memo({})


def memoized(what: Any, plan: Data, compute: Callable[[], Any]) -> Any:
    """``compute()``, remembered under ``what`` and the plan's content (at most 64 kept). The result is
    shared: read it, do not change it."""
    try:
        key = (what, hashlib.sha1(pickle.dumps(plan, protocol=5)).hexdigest())
    except Exception:  # noqa: BLE001 - not plain data: no memo
        return compute()
    if key not in _TRAJECTORIES:
        if len(_TRAJECTORIES) >= 64:
            _TRAJECTORIES.pop(next(iter(_TRAJECTORIES)))
        _TRAJECTORIES[key] = compute()
    return _TRAJECTORIES[key]


def neighbour_value(check: Check, wrong: Callable[..., Any], plan: Data, s: int, i: int, key: str,
                    rule_name: str) -> np.ndarray | None:
    """Judge side: what the trusted wrong rule ``wrong``, replayed on ``plan`` (once per plan: memoized),
    gives parameter ``i`` after step ``s`` (0-based): the parameter for ``key == "param"``, else that state
    buffer; None when the rule cannot run the plan or has no such buffer."""
    def run() -> list[Data] | None:
        try:
            return replay(check, wrong, plan, rule_name=rule_name)["steps"]
        except Exception:  # noqa: BLE001 - a neighbour that cannot run this plan names nothing
            return None

    steps = memoized(("neighbour", check.id, id(wrong)), plan, run)
    if steps is None:
        return None
    return steps[s]["params"][i] if key == "param" else steps[s]["states"][i].get(key)


def _matches(check: Check, wrong: Callable[..., Any], plan: Data, s: int, i: int, key: str, got: np.ndarray,
             exp: np.ndarray, rule_name: str) -> bool:
    """True when the trusted wrong rule ``wrong``, replayed on ``plan``, gives ``got`` at (s, i, key): a
    thousand times closer to it than the right value ``exp`` is."""
    value = neighbour_value(check, wrong, plan, s, i, key, rule_name)
    if value is None or np.shape(value) != got.shape:
        return False
    return bool(np.max(np.abs(got - value), initial=0.0) <= 1e-3 * np.max(np.abs(got - exp), initial=0.0))


class RuleCheck(Check):
    """A check of an update rule against a torch optimizer, from its plans alone.

    Subclasses set ``id``, ``rule_name`` (the function's name), ``make`` (a :data:`Maker`, e.g.
    ``staticmethod(torch_optimizer(torch.optim.Adagrad))``), optionally ``hints`` (per buffer,
    ``''`` for any) and ``neighbours`` ((description, wrong rule) pairs named in the hint when their
    values match), and implement ``plans(visible) -> [{"label": str, "plan": plan, ...}]``. Override
    ``expected(case)`` for another oracle, ``judge_extra(case, trajectory)`` for closed forms (it gets
    the student's answer after the comparison with torch, or before it when ``extra_first``)."""

    rule_name: ClassVar[str]
    make: ClassVar[Maker]
    hints: ClassVar[dict[str, str]] = {}
    neighbours: ClassVar[tuple[tuple[str, Callable[..., Any]], ...]] = ()
    #: judge_extra before the comparison with torch (so that a closed form names the mistake)
    extra_first: ClassVar[bool] = False
    #: what with_options returns (for Defaults)
    option_outputs = ("params",)

    def plans(self, visible: bool) -> list[Data]:
        raise NotImplementedError

    def cases(self, *, visible: bool) -> list[Data]:
        return [dict(plan) for plan in self.plans(visible)]   # answer() gets its own deep copy

    def answer(self, obj: Any, case: Data) -> Data:
        return replay(self, obj, case["plan"], rule_name=self.rule_name)

    def expected(self, case: Data) -> list[list[Data]]:
        make = type(self).make
        return memoized(("torch", self.id, id(make)), case["plan"], lambda: torch_trajectory(case["plan"], make))

    def judge_extra(self, case: Data, answer: Any) -> int:
        return 0

    @remembered   # a probe's data judged again (a retried batch, the forged-answer tests) costs a hash
    def judge_case(self, case: Data, answer: Any) -> int:
        held = self.judge_extra(case, answer) if self.extra_first else 0
        held += compare(self, case["plan"], answer, self.expected(case), rule_name=self.rule_name,
                        label=case["label"], hints=self.hints, neighbours=self.neighbours)
        return held + (0 if self.extra_first else self.judge_extra(case, answer))

    def with_options(self, obj: Any, case: Data, options: dict[str, Any]) -> Data:
        """The parameters after 5 steps of the case's plan with every group's options replaced by
        ``options`` (for :class:`~grader.checks.properties.Defaults`)."""
        plan = dict(case["plan"], lrs=None,
                    groups=[dict(g, options=dict(options)) for g in case["plan"]["groups"]])
        steps = replay(self, obj, plan, rule_name=self.rule_name, steps=5)["steps"]
        return {"params": np.concatenate([np.ravel(p) for st in steps for p in st["params"]])}
