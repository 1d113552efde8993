"""06-regularization/EarlyStopping: patience, min_delta, the best epoch, and restoring its weights.

Oracle: the rule of the statement replayed on the same validation losses (improvement when
val_loss < best_loss - min_delta, the first call always, NaN never), and the weights the check itself
gave the model at the best epoch. Between calls the check changes the model's weights in place (as
optimizer.step does), by reassigning ``.data`` and through ``load_state_dict``, so a saved reference or
a shallow ``state_dict()`` changes with the model; neighbouring rules are replayed to name a mistake.
"""

from __future__ import annotations

import contextlib
import math
from typing import Any

import numpy as np
import torch

from ..base import Check, Data, expect, register
from ..judging import answer_array, answer_field, answer_flag, answer_list, answer_number
from ..probing import call, student_number
from ..properties import Defaults

__all__ = ["EarlyStoppingCheck", "simulate"]

#: the model's state_dict: a Linear, a BatchNorm1d (buffers too) and a Linear, float64
_SHAPES = {"0.weight": (4, 3), "0.bias": (4,), "1.weight": (4,), "1.bias": (4,), "1.running_mean": (4,),
           "1.running_var": (4,), "1.num_batches_tracked": (), "2.weight": (2, 4), "2.bias": (2,)}
_MODES = ("inplace", "assign", "load")
_NAN = float("nan")

#: (patience, options, losses)
_VISIBLE = [
    (2, {"min_delta": 0.0}, [1.0, 0.8, 0.8, 0.79995, 0.95, 0.79995, 0.9, 0.7]),  # ties; a gain of 5e-5
    (3, {"min_delta": 0.25}, [2.0, 1.75, 1.5, 1.4, 1.3, 1.2, 1.1, 1.0, 0.96, 0.5]),  # 1.75 = 2.0 - 0.25 exactly
    (2, {}, [1.0, _NAN, 0.9, _NAN, _NAN, 0.5]),                                 # NaN never improves
]
_HIDDEN = _VISIBLE + [
    (1, {}, [3.0, 2.0, 2.5, 1.0]),
    (5, {"min_delta": 1e-3}, [5.0, 4.0, 3.5, 3.4995, 3.2, 3.3, 3.1, 3.0999, 2.9, 2.95, 2.91, 2.905]),  # never stops
    (2, {"min_delta": 0.1}, [-1.0, -1.05, -1.2, -1.25, -1.29, -1.3, -2.0]),     # negative losses
    (1, {"min_delta": 0.5}, [math.inf, 5.0, 4.8, 4.7, 4.0]),                     # the first call always improves
    (3, {"min_delta": 0.0}, [0.5, 0.6, 0.7, 0.8, 0.1]),                         # the first epoch stays the best
    (4, {"min_delta": 0.0}, [1.0, 1e-3, 1e-3 + 1e-12, 1e-3 - 1e-12, 2.0, 3.0, 1e-3, 1e-3, 0.0]),
    (2, {}, [math.inf, math.inf, _NAN, 3.0]),   # the first call improves; a tie with inf and a NaN do not: stop
]


def _state(seed: int, epoch: int) -> dict[str, np.ndarray]:
    """The weights the check gives the model at ``epoch`` (-1, -2: after training; -3: a fresh model)."""
    rng = np.random.default_rng([seed, epoch + 10])
    state = {k: rng.standard_normal(s) for k, s in _SHAPES.items() if k != "1.num_batches_tracked"}
    state["1.running_var"] = np.abs(state["1.running_var"]) + 0.5
    state["1.num_batches_tracked"] = np.array(epoch + 10, dtype=np.int64)
    return state


def _model() -> torch.nn.Module:
    with torch.random.fork_rng(devices=[]):  # the layers' initialisation leaves the notebook's torch state alone
        return torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.BatchNorm1d(4), torch.nn.Linear(4, 2)).double()


def _set(model: torch.nn.Module, state: dict[str, np.ndarray], mode: str) -> None:
    """Give ``model`` the weights ``state``: in place (as optimizer.step), by new ``.data``, or by load_state_dict."""
    new = {k: torch.from_numpy(np.array(v, copy=True)) for k, v in state.items()}
    if mode == "load":
        model.load_state_dict(new)
        return
    with torch.no_grad():
        for name, t in [*model.named_parameters(), *model.named_buffers()]:
            if mode == "inplace":
                t.copy_(new[name])
            else:
                t.data = new[name]


def simulate(losses: list[float], patience: int, min_delta: float, rule: str = "") -> list[tuple[bool, int, float]]:
    """(stop, best_epoch, best_loss) after each call until the first stop, by the statement's rule, or by a
    neighbouring ``rule``: "le" (<=), "late" (stops a call late), "nodelta", "nan" (NaN improves),
    "min" (best_loss follows every lower loss), "noreset" (the count is not reset), "inf" (best starts at inf)."""
    out: list[tuple[bool, int, float]] = []
    best, best_epoch, count = math.inf, (0 if rule == "inf" else -1), 0
    delta = 0.0 if rule == "nodelta" else min_delta
    for e, loss in enumerate(losses):
        if rule == "le":
            improves = e == 0 or loss <= best - delta
        elif rule == "nan":
            improves = e == 0 or not loss >= best - delta
        elif rule == "inf":
            improves = loss < best - delta
        else:
            improves = e == 0 or loss < best - delta
        if improves:
            best, best_epoch = loss, e
            count = 0 if rule != "noreset" else count
        else:
            count += 1
            if rule == "min" and loss < best:
                best = loss
        stop = count > patience if rule == "late" else count >= patience
        out.append((stop, best_epoch, best))
        if stop:
            break
    return out


_RULES = {
    "le": "an epoch improves only when val_loss < best_loss - min_delta, strictly: a tie is not an improvement",
    "late": "stop as soon as `patience` epochs in a row have not improved (count >= patience): one epoch late",
    "nodelta": "use min_delta: an improvement must beat best_loss by more than min_delta",
    "nan": "a NaN loss never improves: every comparison with NaN is False, so test `val_loss < best - min_delta`, "
           "not `not val_loss >= ...`",
    "min": "best_loss changes only on an improvement (when the weights are saved), not on every lower loss",
    "noreset": "reset the count of epochs without improvement on every improvement",
    "inf": "the first call always improves, whatever its loss (even inf): do not compare it with an initial inf",
}


@register
class EarlyStoppingCheck(Check):
    """for several patiences and `min_delta` values (0 and left at its default included), a sequence
    of `step` calls with validation losses that include ties with the best loss, a loss exactly
    `min_delta` below it, NaN, inf first, negative losses and runs that never stop, replayed by the
    statement's rule: after every call the returned flag (a bool), `best_epoch` and `best_loss`, until
    the call that returns True. Between calls the check changes the model's weights and BatchNorm
    buffers the way training does -- in place (as `optimizer.step`), by reassigning `.data`, and
    through `load_state_dict` -- so a saved reference or a shallow `state_dict()` changes with the
    model; then `restore(model)` after more training must give exactly the best epoch's weights and
    buffers, again after another in-place step, and into a fresh model of the same architecture. A
    wrong sequence is compared with the usual slips (`<=`, patience off by one, `min_delta`
    ignored, NaN counted as an improvement, the count not reset)."""

    id = "06-regularization/EarlyStopping"
    properties = (Defaults(min_delta=0.0),)
    option_outputs = ("stops", "best")

    def cases(self, *, visible: bool) -> list[Data]:
        return [{"patience": patience, "options": dict(options), "losses": [float(x) for x in losses],
                 "seed": 80 + i, "modes": [_MODES[(i + e) % 3] for e in range(len(losses))]}
                for i, (patience, options, losses) in enumerate(_VISIBLE if visible else _HIDDEN)]

    def _steps(self, obj: Any, case: Data, options: dict[str, float]) -> tuple[Any, torch.nn.Module, list[Data]]:
        given = "".join(f", {k}={v}" for k, v in options.items())
        es = call(self, obj, case["patience"], **options, what=f"EarlyStopping({case['patience']}{given})")
        expect(self, all(callable(getattr(es, m, None)) for m in ("step", "restore")),
               "EarlyStopping(...) must make an object with the methods step and restore",
               expected="an EarlyStopping instance", actual=type(es).__name__,
               hint="pass the class itself (EarlyStopping), whose instances have step(val_loss, model) and "
                    "restore(model)")
        model, steps = _model(), []
        for e, (loss, mode) in enumerate(zip(case["losses"], case["modes"])):
            _set(model, _state(case["seed"], e), mode)
            what = f"step({loss}, model) at call {e} (EarlyStopping({case['patience']}{given}))"
            stop = call(self, es.step, loss, model, what=what)
            expect(self, isinstance(stop, bool), f"{what} must return a bool", expected="True or False",
                   actual=f"a {type(stop).__name__}: {stop!r}"[:80],
                   hint="return True when training should stop and False otherwise (not None; a NumPy bool from "
                        "a comparison of arrays: wrap it in bool(...))")
            best_epoch = call(self, getattr, es, "best_epoch", what="the attribute best_epoch")
            expect(self, isinstance(best_epoch, (int, np.integer)) and not isinstance(best_epoch, (bool, np.bool_)),
                   "best_epoch must be an int (the 0-based index of the best call)", expected="an int",
                   actual=type(best_epoch).__name__, hint="count the calls from 0")
            best_loss = student_number(self, call(self, getattr, es, "best_loss", what="the attribute best_loss"),
                                       "best_loss")
            steps.append({"stop": bool(stop), "best_epoch": int(best_epoch), "best_loss": best_loss})
            if stop:
                break
        return es, model, steps

    def answer(self, obj: Any, case: Data) -> Data:
        es, model, steps = self._steps(obj, case, case["options"])
        restored = []
        for target, after in ((model, -1), (model, -2), (_model(), -3)):
            _set(target, _state(case["seed"], after), "inplace")  # more training, then restore
            call(self, es.restore, target, what="restore(model)")
            restored.append({k: v.detach().numpy().copy() for k, v in target.state_dict().items()})
        return {"steps": steps, "restored": restored}

    def with_options(self, obj: Any, case: Data, options: dict[str, float]) -> Data:
        steps = self._steps(obj, case, options)[2]
        pad = [-1.0] * (len(case["losses"]) - len(steps))  # the calls not made after a stop
        return {"stops": np.array([float(s["stop"]) for s in steps] + pad),
                "best": np.array([float(s["best_epoch"]) for s in steps] + pad)}

    def judge_case(self, case: Data, answer: Any) -> int:
        patience, losses = case["patience"], case["losses"]
        min_delta = case["options"].get("min_delta", 0.0)
        where = f"(EarlyStopping({patience}, min_delta={min_delta}), losses {losses})"
        steps = answer_field(self, answer, "steps", "the calls of step recorded")
        expect(self, isinstance(steps, (list, tuple)) and 1 <= len(steps) <= len(losses),
               "the probe must record the calls of step", expected=f"1 to {len(losses)} calls",
               actual=f"{len(steps)} calls" if isinstance(steps, (list, tuple)) else type(steps).__name__)
        want = simulate(losses, patience, min_delta)
        got = []
        for rec in steps:
            got.append((answer_flag(self, rec, "stop", "the flag step returned"),
                        answer_number(self, rec, "best_epoch", "best_epoch"),
                        answer_number(self, rec, "best_loss", "best_loss")))
        for e, (g, w) in enumerate(zip(got, want)):
            if g[0] != w[0] or g[1] != w[1] or not (g[2] == w[2] or (math.isnan(g[2]) and math.isnan(w[2]))):
                hint = next((h for rule, h in _RULES.items() if self._matches(got, simulate(losses, patience, min_delta,
                                                                                            rule))),
                            "an epoch improves when val_loss < best_loss - min_delta (the first always, NaN never); "
                            "stop when `patience` calls in a row have not improved")
                raise self.fail(f"after call {e} (val_loss {losses[e]}) {where}",
                                expected=f"returns {w[0]}, best_epoch {w[1]}, best_loss {w[2]}",
                                actual=f"returns {g[0]}, best_epoch {g[1]:g}, best_loss {g[2]}", hint=hint)
        expect(self, len(got) == len(want), f"the probe must record every call until step returns True {where}",
               expected=f"{len(want)} calls", actual=f"{len(got)} calls")
        best = want[-1][1]
        restored = answer_list(self, answer, "restored", 3, "the weights after restore")
        for rec, after, what in zip(restored, (-1, -2, -3), (
                "restore(model) after more training", "restore(model) again, after another in-place step",
                "restore(fresh_model) into a new model of the same architecture")):
            got_state = {k: answer_array(self, rec, k, s, f"{k} after {what}") for k, s in _SHAPES.items()}
            self._judge_restore(case, got_state, best, after, f"{what} {where}")
        return len(want) + 3

    @staticmethod
    def _matches(got: list[tuple], sim: list[tuple]) -> bool:
        return len(got) == len(sim) and all(g[0] == s[0] and g[1] == s[1] for g, s in zip(got, sim))

    def _judge_restore(self, case: Data, got: dict[str, np.ndarray], best: int, after: int, what: str) -> None:
        want = _state(case["seed"], best)
        bad = [k for k in _SHAPES if not np.array_equal(got[k], want[k])]
        if not bad:
            return
        epochs = {e: _state(case["seed"], e) for e in (*range(len(case["losses"])), -1, -2, -3)}
        same_as = [e for e, s in epochs.items() if all(np.array_equal(got[k], s[k]) for k in bad)]
        if set(bad) <= {"1.running_mean", "1.running_var", "1.num_batches_tracked"}:
            hint = "save and load the whole state_dict (copy.deepcopy(model.state_dict())): buffers such as " \
                   "BatchNorm's running statistics are part of the weights"
        elif same_as and same_as[0] < 0:
            hint = ("the saved weights changed with the model: save a copy, copy.deepcopy(model.state_dict()) "
                    "(model.state_dict() alone shares the model's tensors, which optimizer.step changes in place), "
                    "and load it with model.load_state_dict, which copies")
        elif same_as:
            hint = f"these are the weights of call {same_as[0]}, not of the best call {best}"
        else:
            hint = "restore must load the weights saved at the best call: model.load_state_dict(saved)"
        raise self.fail(f"{what}: the weights must be those of the best call ({best}); {bad[0]} differs",
                        expected=want[bad[0]], actual=got[bad[0]], hint=hint)
