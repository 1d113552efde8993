"""Probe data from a student's kernel must be the grader's own cases, each with one answer.

When autograding, the probe runs in the student's kernel and only its data comes back; the
grader recomputes each check's cases and refuses data that is not exactly those, with one answer
added to each (:func:`grader.checks.base.bind_inputs`). These tests show, for every check, that
honest data is accepted and that changing any one input, dropping a case or an input, adding a
case, an input or anything beside the answers is refused.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest

from grader import catalog
from grader.checks import REGISTRY, get, is_plain, probe
from grader.checks.base import InputMismatch, _mismatch, bind_inputs
from tests.datatree import Path, places, value_at
from tests.variants import Variant, load_all

VARIANTS: dict[str, list[Variant]] = load_all()
CHECKED = [ex.id for ex in catalog.exercises() if ex.id in REGISTRY]
FIRST_CORRECT = {ex_id: next(v for v in VARIANTS[ex_id] if v.kind == "correct") for ex_id in CHECKED}
CORRECT = [v for ex_id in CHECKED for v in VARIANTS[ex_id] if v.kind == "correct"]

def _leaves(expected: Any) -> Iterator[tuple[Path, str]]:
    """(path, kind) of every place in ``expected`` a forger could change: each dict entry ("key": it
    can be dropped), each list ("list": an item dropped or added) and each leaf (changed)."""
    for path, value in places(expected):
        if path and isinstance(value_at(expected, path[:-1]), dict):
            yield path, "key"
        if isinstance(value, (list, tuple)):
            yield path, "list"
        elif not isinstance(value, dict):
            yield path, "leaf"


def _changed(value: Any) -> Any:
    """A plausible forgery of one input value: different, same type."""
    if isinstance(value, np.ndarray):
        if value.size == 0:
            return np.zeros((1, *value.shape[1:]), dtype=value.dtype)
        out = value.copy()
        flat = out.reshape(-1)
        flat[0] = (not flat[0]) if value.dtype == bool else flat[0] + 1
        return out
    if isinstance(value, (bool, np.bool_)):
        return not value
    if isinstance(value, (int, float, np.number)):
        return value + 1 if np.isfinite(value) else 0.0
    if isinstance(value, str):
        return value + "x"
    if value is None:
        return 0
    raise TypeError(type(value))


def _forgeries(expected: Any, data: Any, limit: int = 60) -> Iterator[tuple[str, Any]]:
    """(what was changed, forged data) for up to ``limit`` places spread over ``expected``."""
    spots = list(_leaves(expected))
    step = max(1, len(spots) // limit)
    for path, kind in spots[::step]:
        forged = copy.deepcopy(data)
        *parent_path, last = path if path else (None,)
        if kind == "key":
            del value_at(forged, tuple(parent_path))[last]
            yield f"dropped {path}", forged
        elif kind == "list":
            items = value_at(expected, path)
            target = value_at(forged, path)
            if isinstance(target, tuple):
                continue  # a tuple's length is checked through the list that holds it
            if items:
                target.pop()
                yield f"dropped the last item of {path}", forged
                forged = copy.deepcopy(data)
                value_at(forged, path).append(copy.deepcopy(value_at(data, path)[0]))
                yield f"added an item to {path}", forged
        else:
            if not path:
                yield "replaced the whole data", _changed(data)
                continue
            parent = value_at(forged, tuple(parent_path))
            if isinstance(parent, tuple):
                grand = value_at(forged, tuple(parent_path[:-1])) if parent_path else None
                items = list(parent)
                items[last] = _changed(items[last])
                if grand is None:
                    yield f"changed {path}", tuple(items)
                    continue
                grand[parent_path[-1]] = tuple(items)
            else:
                parent[last] = _changed(parent[last])
            yield f"changed {path}", forged


@pytest.mark.parametrize("exercise_id", CHECKED)
def test_every_check_declares_its_inputs_as_plain_data(exercise_id):
    """Does every check say which part of its probe data the grader chose: its cases, as plain data?"""
    for visible in (True, False):
        cases = get(exercise_id).cases(visible=visible)
        assert isinstance(cases, list) and cases, f"{exercise_id}: cases(visible={visible}) must be a non-empty list"
        assert all(isinstance(c, dict) for c in cases), f"{exercise_id}: each case must be a dict of inputs"
        expected = get(exercise_id).inputs(visible=visible)
        assert expected is not None, f"{exercise_id}: implement Check.cases()"
        assert is_plain(expected), f"{exercise_id}: inputs(visible={visible}) must be plain data"


@pytest.mark.parametrize("variant", CORRECT, ids=[f"{v.exercise_id} | {v}" for v in CORRECT])
def test_honest_probe_data_holds_the_inputs(variant):
    """Does the data of a right answer's probe contain the grader's inputs, visible and hidden?"""
    check = get(variant.exercise_id)
    for visible in (True, False):
        bind_inputs(check, probe(variant.exercise_id, variant.obj, visible=visible), visible=visible)


@pytest.mark.parametrize("exercise_id", CHECKED)
def test_forged_inputs_are_refused(exercise_id):
    """Is data with one input changed, a case dropped or a case added refused, for each place?"""
    check = get(exercise_id)
    expected = check.inputs(visible=False)
    data = probe(exercise_id, FIRST_CORRECT[exercise_id].obj, visible=False)
    tried = 0
    for what, forged in _forgeries(expected, data):
        tried += 1
        with pytest.raises(InputMismatch):
            bind_inputs(check, forged, visible=False)
            pytest.fail(f"{exercise_id}: data with {what} was accepted")
    if expected != {}:
        assert tried > 0
    # the quick visible subset is not accepted as the full hidden probe, when they differ
    visible_data = probe(exercise_id, FIRST_CORRECT[exercise_id].obj, visible=True)
    if _differ(check.inputs(visible=True), expected):
        with pytest.raises(InputMismatch):
            bind_inputs(check, visible_data, visible=False)


@pytest.mark.parametrize("exercise_id", CHECKED)
def test_an_added_input_is_refused(exercise_id):
    """Is data with a key added to any dict of the inputs refused (a forged option the judge might
    read), as is a key beside a record's inputs and answer, or beside the cases?"""
    check = get(exercise_id)
    expected = check.inputs(visible=False)
    data = probe(exercise_id, FIRST_CORRECT[exercise_id].obj, visible=False)
    where = [path for path, value in places(expected) if isinstance(value, dict)]
    where += [("cases", i) for i in sorted({0, len(data["cases"]) - 1})]  # beside "inputs" and "answer"
    for path in where[:: max(1, len(where) // 60)] + where[-1:]:
        forged = copy.deepcopy(data)
        value_at(forged, path)["forged"] = 0.0
        with pytest.raises(InputMismatch):
            bind_inputs(check, forged, visible=False)
            pytest.fail(f"{exercise_id}: data with an input added at {path} was accepted")


def _differ(a: Any, b: Any) -> bool:
    return bool(_mismatch(a, b, "")) or bool(_mismatch(b, a, ""))
