"""07-optimizers/lr_schedules: six learning-rate schedules as pure functions of the step index.

Oracle: the real ``torch.optim.lr_scheduler`` classes, driving a ``torch.optim.SGD`` with two
parameter groups of different base learning rates for every step of a case (the recorded rate at
step t is the groups' ``lr`` after t calls of ``scheduler.step()``). 1/t decay is ``LambdaLR`` with
``1 / (1 + decay * t)``, the square-root decay ``PolynomialLR(total_iters=T, power=0.5)``, the
warm-up ``LinearLR(start_factor, 1.0, total_iters=warmup_steps)``. Where a student's rates do not
match, the judge compares them with the neighbouring mistakes (:data:`NEIGHBOURS`: t counted from 1,
no floor in the step index, eta_min or T_mult ignored, no clamp past T, ...) to name the one made.
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

from ..base import Check, Data, register
from ..judging import answer_array
from ..probing import call, functions, student_number
from ..properties import Defaults

__all__ = ["LrSchedules", "NAMES", "torch_schedule", "NEIGHBOURS", "ATOL_REL", "BASE_LRS", "RTOL"]

NAMES = ("step_decay", "exponential_decay", "inverse_time_decay", "sqrt_decay", "cosine_restarts",
         "linear_warmup")

#: relative tolerance against torch's (chained, rounding-accumulating) rates; absolute floor
#: relative to the base rate, for the exact zeros of sqrt_decay past T
RTOL, ATOL_REL = 1e-9, 1e-13

#: the two parameter groups' base learning rates
BASE_LRS = (0.1, 0.0375)


def torch_schedule(name: str, params: dict[str, Any], base_lrs: tuple[float, ...], steps: int) -> np.ndarray:
    """(groups, steps): every group's learning rate at t = 0 .. steps - 1 under the real scheduler."""
    return _torch_schedule(name, tuple(sorted(params.items())), tuple(base_lrs), steps).copy()


@functools.lru_cache(maxsize=64)
def _torch_schedule(name: str, items: tuple, base_lrs: tuple[float, ...], steps: int) -> np.ndarray:
    import torch
    from torch.optim import lr_scheduler as S

    p = dict(items)
    groups = [{"params": [torch.zeros(1, dtype=torch.float64, requires_grad=True)], "lr": lr} for lr in base_lrs]
    opt = torch.optim.SGD(groups, lr=base_lrs[0])
    if name == "step_decay":
        sched = S.StepLR(opt, step_size=p["step_size"], gamma=p.get("gamma", 0.1))
    elif name == "exponential_decay":
        sched = S.ExponentialLR(opt, gamma=p["gamma"])
    elif name == "inverse_time_decay":
        decay = p["decay"]
        sched = S.LambdaLR(opt, lambda t: 1.0 / (1.0 + decay * t))
    elif name == "sqrt_decay":
        sched = S.PolynomialLR(opt, total_iters=p["total_steps"], power=0.5)
    elif name == "cosine_restarts":
        sched = S.CosineAnnealingWarmRestarts(opt, T_0=p["T_0"], T_mult=p.get("T_mult", 1),
                                              eta_min=p.get("eta_min", 0.0))
    elif name == "linear_warmup":
        sched = S.LinearLR(opt, start_factor=p.get("start_factor", 0.1), end_factor=1.0,
                           total_iters=p["warmup_steps"])
    else:
        raise ValueError(f"unknown schedule {name!r}")
    out = np.empty((len(base_lrs), steps))
    with warnings.catch_warnings():  # no optimizer.step() in between: nothing is trained
        warnings.simplefilter("ignore")
        for t in range(steps):
            out[:, t] = [g["lr"] for g in opt.param_groups]
            sched.step()
    return out


# -- the neighbouring mistakes: closed forms on t = 0 .. steps - 1, broadcast over base lrs (G, 1) -------

def _cos(t: np.ndarray, b: np.ndarray, T0: int, Tm: int, eta: float) -> tuple[np.ndarray, np.ndarray]:
    """(T_cur, T_i) of CosineAnnealingWarmRestarts at integer steps t."""
    n = int(np.max(t)) + 1
    tcur, ti = np.empty(n), np.empty(n)
    c, period = 0, T0
    for k in range(n):
        tcur[k], ti[k] = c, period
        c += 1
        if c >= period:
            c, period = c - period, period * Tm
    return tcur[t], ti[t]


def _cosine(b, tcur, ti, eta):
    return eta + (b - eta) * (1 + np.cos(np.pi * tcur / ti)) / 2


def _cos_cycle_t_over_T0(t, T0, Tm):
    """The restart cycle taken as t // T_0 whatever the period: T_i = T_0 * T_mult ** (t // T_0), T_cur = t % T_i."""
    ti = (T0 * float(Tm) ** (t // T0)).astype(float)
    return np.mod(t, ti), ti


def _neighbours() -> dict[str, list[tuple[str, Callable[..., np.ndarray]]]]:
    fl = np.floor
    return {
        "step_decay": [
            ("float division t / step_size: the rate must stay constant within each step_size steps "
             "(a staircase: gamma ** (t // step_size))",
             lambda t, b, p: b * p.get("gamma", 0.1) ** (t / p["step_size"])),
            ("the first decay comes one step early: t counted from 1 ((t + 1) // step_size); at t = "
             "step_size - 1 the rate is still base_lr", lambda t, b, p: b * p.get("gamma", 0.1) ** fl((t + 1) / p["step_size"])),
            ("the decays come one step late ((t - 1) // step_size, or a decay after t > step_size): the rate "
             "changes at t = step_size, 2 * step_size, ...",
             lambda t, b, p: b * p.get("gamma", 0.1) ** fl(np.maximum(t - 1, 0) / p["step_size"])),
        ],
        "exponential_decay": [
            ("t counted from 1: at t = 0 the rate must be base_lr (gamma ** t)",
             lambda t, b, p: b * p["gamma"] ** (t + 1)),
            ("multiplied by gamma * t instead of gamma ** t", lambda t, b, p: b * p["gamma"] * t),
        ],
        "inverse_time_decay": [
            ("t counted from 1: at t = 0 the rate must be base_lr", lambda t, b, p: b / (1 + p["decay"] * (t + 1))),
            ("(1 + decay) ** t is exponential decay, not 1/t", lambda t, b, p: b / (1 + p["decay"]) ** t),
            ("base_lr / (1 + decay * t), not base_lr * (1 - decay * t)", lambda t, b, p: b * (1 - p["decay"] * t)),
        ],
        "sqrt_decay": [
            ("past total_steps the rate stays 0: clamp t at total_steps (min(t, T))",
             lambda t, b, p: b * np.sqrt(np.abs(1 - t / p["total_steps"]))),
            ("linear decay: the square root is missing", lambda t, b, p: b * np.maximum(1 - t / p["total_steps"], 0)),
            ("1 - sqrt(t / T) is not sqrt(1 - t / T)",
             lambda t, b, p: b * (1 - np.sqrt(np.minimum(t, p["total_steps"]) / p["total_steps"]))),
            ("integer division min(t, T) // T: the rate stays base_lr until T",
             lambda t, b, p: b * np.sqrt(1 - np.minimum(t, p["total_steps"]) // p["total_steps"])),
            ("t counted from 1: at t = 0 the rate must be base_lr",
             lambda t, b, p: b * np.sqrt(1 - np.minimum(t + 1, p["total_steps"]) / p["total_steps"])),
        ],
        "cosine_restarts": [
            ("eta_min is ignored: the rate goes from base_lr down towards eta_min, "
             "eta_min + (base_lr - eta_min) * (1 + cos(pi * T_cur / T_i)) / 2",
             lambda t, b, p: _cosine(b, *_cos(t, b, p["T_0"], p.get("T_mult", 1), 0.0), 0.0)),
            ("T_mult is ignored: every period after a restart is T_mult times the one before",
             lambda t, b, p: _cosine(b, *_cos(t, b, p["T_0"], 1, 0.0), p.get("eta_min", 0.0))),
            ("the restart period of T_mult = 2 is wrong: the cycle is not t // T_0; the periods are T_0, 2 T_0, "
             "4 T_0, ..., so the restarts come at t = T_0, 3 T_0, 7 T_0, ... (T_cur: the steps since the last "
             "restart, T_i: the current period)",
             lambda t, b, p: _cosine(b, *_cos_cycle_t_over_T0(t, p["T_0"], p.get("T_mult", 1)),
                                     p.get("eta_min", 0.0))),
            ("t counted from 1: at t = 0 (and at each restart) the rate must be base_lr",
             lambda t, b, p: _cosine(b, *_cos(t + 1, b, p["T_0"], p.get("T_mult", 1), 0.0), p.get("eta_min", 0.0))),
            ("no restarts: the cosine goes on past T_0 (CosineAnnealingLR, not warm restarts)",
             lambda t, b, p: _cosine(b, t.astype(float), np.full(t.shape, float(p["T_0"])), p.get("eta_min", 0.0))),
        ],
        "linear_warmup": [
            ("t counted from 1: at t = 0 the rate must be start_factor * base_lr",
             lambda t, b, p: b * (p.get("start_factor", 0.1) + (1 - p.get("start_factor", 0.1))
                                  * np.minimum(t + 1, p["warmup_steps"]) / p["warmup_steps"])),
            ("the warm-up starts at 0, not at start_factor * base_lr",
             lambda t, b, p: b * np.minimum(t, p["warmup_steps"]) / p["warmup_steps"]),
            ("the warm-up reaches base_lr at t = warmup_steps - 1 instead of t = warmup_steps",
             lambda t, b, p: b * (p.get("start_factor", 0.1) + (1 - p.get("start_factor", 0.1))
                                  * np.minimum(t / max(p["warmup_steps"] - 1, 1), 1))),
            ("integer division min(t, W) // W: the rate must rise linearly over the warm-up, not jump at its end",
             lambda t, b, p: b * (p.get("start_factor", 0.1) + (1 - p.get("start_factor", 0.1))
                                  * (np.minimum(t, p["warmup_steps"]) // p["warmup_steps"]))),
            ("after the warm-up the rate stays base_lr: clamp t at warmup_steps",
             lambda t, b, p: b * (p.get("start_factor", 0.1) + (1 - p.get("start_factor", 0.1)) * t / p["warmup_steps"])),
        ],
    }


#: schedule name -> [(the mistake's description, its closed form (t, base_lrs (G, 1), params) -> (G, steps))]
NEIGHBOURS = _neighbours()

#: shifted by one step either way: named for every schedule
_SHIFTS = (
    (1, "every rate is the one torch gives one step later: t counted from 1 (the first call, t = 0, must "
        "give the rate before any decay)"),
    (-1, "every rate is the one torch gives one step earlier: the schedule lags one step"),
)

_HINTS = {
    "step_decay": "base_lr * gamma ** (t // step_size), as torch.optim.lr_scheduler.StepLR",
    "exponential_decay": "base_lr * gamma ** t, as ExponentialLR",
    "inverse_time_decay": "base_lr / (1 + decay * t)",
    "sqrt_decay": "base_lr * sqrt(1 - min(t, T) / T): 0 from t = T on, as PolynomialLR(total_iters=T, power=0.5)",
    "cosine_restarts": "eta_min + (base_lr - eta_min) * (1 + cos(pi * T_cur / T_i)) / 2, T_cur the steps since the "
                       "last restart and T_i the current period (T_0, T_0 * T_mult, ...), as "
                       "CosineAnnealingWarmRestarts",
    "linear_warmup": "base_lr * (start_factor + (1 - start_factor) * min(t, warmup_steps) / warmup_steps), as "
                     "LinearLR(start_factor, end_factor=1.0, total_iters=warmup_steps)",
}


def _close(a: np.ndarray, e: np.ndarray, scale: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore"):
        return np.abs(a - e) <= RTOL * np.abs(e) + ATOL_REL * scale


def _diagnose(name: str, params: dict[str, Any], got: np.ndarray, want: np.ndarray, first: int) -> str:
    """The description of the neighbouring mistake that ``got`` matches (its first wrong step: ``first``), or ''."""
    G, steps = want.shape
    t = np.arange(steps)
    for key, what in (("total_steps", "past total_steps the rate stays 0: clamp t at total_steps (min(t, T))"),
                      ("warmup_steps", "after the warm-up the rate stays base_lr: clamp t at warmup_steps")):
        if key in params and first > params[key]:
            return what
    b = np.asarray(BASE_LRS[:G], dtype=np.float64)[:, None] * np.ones((1, steps))
    for mistake, form in NEIGHBOURS[name]:
        with np.errstate(all="ignore"):
            try:
                other = np.broadcast_to(np.asarray(form(t, b[:, :1], params), dtype=np.float64), want.shape)
            except (ValueError, ZeroDivisionError, OverflowError):
                continue
        if np.all(np.isfinite(other)) and not np.all(_close(other, want, b)) and np.all(_close(got, other, b)):
            return mistake
    for shift, mistake in _SHIFTS:
        a, e = (got[:, :-1], want[:, 1:]) if shift == 1 else (got[:, 1:], want[:, :-1])
        if not np.all(_close(want[:, 1:], want[:, :-1], b[:, 1:])) and np.all(_close(a, e, b[:, 1:])):
            return mistake
    return ""


def _call_text(name: str, params: dict[str, Any], base: float, t: int) -> str:
    kw = ", ".join(f"{k}={v!r}" for k, v in params.items())
    return f"{name}({t}, {base!r}{', ' + kw if kw else ''})"


@register
class LrSchedules(Check):
    r"""every schedule called for every step $t = 0, 1, \dots$ of 200 to 320 steps, with the base
    learning rates of two parameter groups (0.1 and 0.0375), against the rates of the real
    `torch.optim.lr_scheduler` class driving a `torch.optim.SGD` with those two groups, to a relative
    $10^{-9}$: `StepLR` (step sizes 1, 7 and 30), `ExponentialLR`, `LambdaLR` with $1/(1 + \text{decay}\,t)$
    (decay 0 too), `PolynomialLR(total_iters=T, power=0.5)` with steps past $T$ (where the rate stays 0),
    `CosineAnnealingWarmRestarts` with `T_mult` 1, 2 and 3, `T_0` = 1 and `eta_min` > 0, and `LinearLR` for
    the warm-up (1 warm-up step too); the first call ($t = 0$) gives the rate before any decay; every rate
    is a Python float; and the functions are pure: called for the steps out of order (reversed,
    shuffled) and for the two groups in turn, they give the same rates."""

    id = "07-optimizers/lr_schedules"
    properties = (Defaults(gamma=0.1, T_mult=1, eta_min=0.0, start_factor=0.1),)
    option_outputs = ("step_decay", "cosine_restarts", "linear_warmup")

    _PLAN: tuple[tuple[str, dict[str, Any], int, str], ...] = (  # visible: the first of each schedule
        ("step_decay", {"step_size": 30, "gamma": 0.1}, 200, "forward"),
        ("exponential_decay", {"gamma": 0.98}, 200, "forward"),
        ("inverse_time_decay", {"decay": 0.05}, 200, "forward"),
        ("sqrt_decay", {"total_steps": 150}, 200, "forward"),
        ("cosine_restarts", {"T_0": 10, "T_mult": 2, "eta_min": 0.001}, 320, "forward"),
        ("linear_warmup", {"warmup_steps": 20, "start_factor": 0.1}, 200, "forward"),
    )
    _HIDDEN: tuple[tuple[str, dict[str, Any], int, str], ...] = (
        ("step_decay", {"step_size": 7, "gamma": 0.5}, 210, "reversed"),
        ("step_decay", {"step_size": 1, "gamma": 0.97}, 200, "shuffled"),
        ("exponential_decay", {"gamma": 0.9}, 250, "shuffled"),
        ("exponential_decay", {"gamma": 1.0}, 200, "forward"),
        ("inverse_time_decay", {"decay": 1.0}, 200, "reversed"),
        ("inverse_time_decay", {"decay": 0.0}, 200, "forward"),
        ("sqrt_decay", {"total_steps": 200}, 200, "shuffled"),
        ("sqrt_decay", {"total_steps": 1}, 200, "forward"),
        ("sqrt_decay", {"total_steps": 37}, 240, "reversed"),
        ("cosine_restarts", {"T_0": 50, "T_mult": 1, "eta_min": 0.0}, 260, "shuffled"),
        ("cosine_restarts", {"T_0": 7, "T_mult": 1, "eta_min": 0.02}, 200, "reversed"),
        ("cosine_restarts", {"T_0": 1, "T_mult": 2, "eta_min": 0.0}, 300, "forward"),
        ("cosine_restarts", {"T_0": 3, "T_mult": 2, "eta_min": 0.005}, 300, "shuffled"),
        ("cosine_restarts", {"T_0": 1, "T_mult": 3, "eta_min": 0.0}, 370, "forward"),  # 1 + 3 + ... + 243 = 364
        ("linear_warmup", {"warmup_steps": 50, "start_factor": 0.01}, 200, "shuffled"),
        ("linear_warmup", {"warmup_steps": 1, "start_factor": 0.5}, 200, "forward"),
        ("linear_warmup", {"warmup_steps": 137, "start_factor": 0.25}, 220, "reversed"),
    )

    def cases(self, *, visible: bool) -> list[Data]:
        plan = self._PLAN if visible else self._PLAN + self._HIDDEN
        out = []
        for i, (name, params, steps, order) in enumerate(plan):
            ts = np.arange(steps)
            if order == "reversed":
                ts = ts[::-1].copy()
            elif order == "shuffled":
                ts = np.random.default_rng(1300 + i).permutation(steps)
            out.append({"schedule": name, "params": dict(params), "base_lrs": list(BASE_LRS), "steps": steps,
                        "order": ts})
        return out

    def _rates(self, fn: Any, name: str, params: dict[str, Any], base_lrs: list[float], order: np.ndarray) -> np.ndarray:
        steps = len(order)
        out = np.full((len(base_lrs), steps), np.nan)
        for t in order.tolist():
            for g, base in enumerate(base_lrs):  # the groups in turn at every step
                what = _call_text(name, params, base, t)
                lr = call(self, fn, t, base, **params, what=what)
                out[g, t] = student_number(self, lr, f"the learning rate {what}",
                                           prop=f"{name} must return one learning rate (a Python float)",
                                           hint="return float(...): one number for one step and one base_lr")
                if not isinstance(lr, (float, np.floating)):
                    raise self.fail(f"the learning rate {what} must be a float, as documented",
                                    expected="a float", actual=f"{type(lr).__name__} {lr!r}",
                                    hint="return float(...): an int (return 0) is not a learning rate's type")
        return out

    def answer(self, obj: Any, case: Data) -> Data:
        name = case["schedule"]
        fn = functions(self, obj, NAMES)[name]
        return {"lrs": self._rates(fn, name, case["params"], case["base_lrs"], case["order"])}

    def with_options(self, obj: Any, case: Data, options: dict[str, Any]) -> Data:
        """For Defaults: 40 steps of each schedule with a default, passed exactly ``options`` (those it takes)."""
        fns = functions(self, obj, NAMES)
        takes = {"step_decay": ({"step_size": 6}, ("gamma",)),
                 "cosine_restarts": ({"T_0": 5}, ("T_mult", "eta_min")),
                 "linear_warmup": ({"warmup_steps": 15}, ("start_factor",))}
        out = {}
        for name, (fixed, names) in takes.items():
            params = {**fixed, **{k: v for k, v in options.items() if k in names}}
            out[name] = self._rates(fns[name], name, params, [0.1], np.arange(40))
        return out

    def judge_case(self, case: Data, answer: Any) -> int:
        name, params, base_lrs, steps = case["schedule"], case["params"], case["base_lrs"], case["steps"]
        got = answer_array(self, answer, "lrs", (len(base_lrs), steps), f"the rates of {name}")
        want = torch_schedule(name, params, tuple(base_lrs), steps)
        scale = np.asarray(base_lrs, dtype=np.float64)[:, None] * np.ones((1, steps))
        ok = _close(got, want, scale)
        if ok.all():
            return 1
        ts, gs = np.nonzero(~ok.T)  # the first step, then the first group at that step
        t, g = int(ts[0]), int(gs[0])
        mistake = _diagnose(name, params, got, want, t)
        what = _call_text(name, params, base_lrs[g], t)
        if not mistake and case["order"][0] != 0:
            mistake = ("this case calls the steps out of order (from t = " + str(int(case["order"][0])) + "): the "
                       "rate must be a function of t alone, with no memory of earlier calls")
        raise self.fail(f"{what} does not match torch's scheduler" + (f": {mistake}" if mistake else ""),
                        expected=f"{float(want[g, t])!r} (and at t = {t}..{min(t + 4, steps - 1)}: "
                                 f"{[float(v) for v in want[g, t:t + 5]]})",
                        actual=f"{float(got[g, t])!r} (and at t = {t}..{min(t + 4, steps - 1)}: "
                               f"{[float(v) for v in got[g, t:t + 5]]})",
                        hint=_HINTS[name])
