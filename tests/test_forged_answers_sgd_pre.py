"""Judges of 01-sgd and 02-preprocessing refuse forged answers.

When autograding, a probe runs in the student's kernel and only its data comes back. The grader
checks that the data holds its own inputs (``Check.inputs`` + ``bind_inputs``); the answers in it
are whatever the kernel wrote. So whatever a probe validated in the kernel (shapes, types, lengths,
``expect_not_none``) a judge must validate again, from the inputs, and never trust a flag such as
"unmodified" computed in the kernel.

For every check of the two assignments these tests take honest probe data from a correct variant
and forge each answer the judge reads, in the first and the last case or call: drop it, truncate
it, reshape it, replace an array by a number, a list or a string, a number by an array, a string,
None or a bool, a list by a number, change one entry, add an item to a list. The forged data still
holds the grader's inputs (``bind_inputs`` accepts it), and the judge must refuse it with a
``CheckFailure``.
"""

from __future__ import annotations

import copy
import random
from collections.abc import Iterator
from functools import cache
from typing import Any

import numpy as np
import pytest
import torch

from grader.checks import REGISTRY, CheckFailure, get, probe
from grader.checks.base import bind_inputs
from tests.variants import load_all

EXERCISES = sorted(ex for ex in REGISTRY if ex.startswith(("01-sgd/", "02-preprocessing/")))
VARIANTS = load_all()
#: probe data that no judge reads (recorded for information only), so forging it changes no verdict
NOT_JUDGED = {"01-sgd/backtracking_line_search": {"calls_f", "calls_grad_f"}}

Path = tuple[Any, ...]
_DROP = object()


@cache
def _honest(exercise_id: str, visible: bool) -> Any:
    """Probe data of the first correct variant, under fixed global seeds (the global state is restored)."""
    variant = next(v for v in VARIANTS[exercise_id] if v.kind == "correct")
    states = np.random.get_state(), random.getstate(), torch.random.get_rng_state()
    np.random.seed(1)
    random.seed(1)
    torch.manual_seed(1)
    try:
        return probe(exercise_id, variant.obj, visible=visible)
    finally:
        np.random.set_state(states[0])
        random.setstate(states[1])
        torch.random.set_rng_state(states[2])


def _answer_paths(exercise_id: str, expected: Any, data: Any, path: Path = ()) -> Iterator[Path]:
    """Paths of the answers in ``data``: keys the grader's inputs do not have, in the first and the
    last record of every list of records."""
    if isinstance(expected, dict):
        for key, value in data.items():
            if key not in expected:
                if key not in NOT_JUDGED.get(exercise_id, set()):
                    yield (*path, key)
            else:
                yield from _answer_paths(exercise_id, expected[key], value, (*path, key))
    elif isinstance(expected, (list, tuple)) and expected and isinstance(expected[0], dict):
        for i in sorted({0, len(expected) - 1}):
            yield from _answer_paths(exercise_id, expected[i], data[i], (*path, i))


def _changed(value: np.ndarray) -> np.ndarray:
    out = value.copy()
    out.reshape(-1)[0] += 1
    return out


def _forged_values(value: Any, depth: int = 0) -> Iterator[tuple[str, Any]]:
    """(what was done, the forged value) for one answer."""
    if isinstance(value, np.ndarray):
        if value.ndim and len(value):
            yield "truncated", value[:-1]
        yield "reshaped", value.reshape(1, -1) if value.ndim == 1 else value.reshape(-1)
        yield "a number for the array", float(value.reshape(-1)[0]) if value.size else 0.0
        yield "a list for the array", value.tolist()
        yield "a string for the array", "forged"
        if value.size:
            yield "one entry changed", _changed(value)
    elif isinstance(value, (list, tuple)):
        if value:
            yield "truncated", list(value[:-1])
            yield "an item added", [*value, copy.deepcopy(value[0])]
        yield "a number for the list", 0.0
        if depth < 2:
            for i in sorted({0, len(value) - 1}) if value else []:
                for what, item in _forged_values(value[i], depth + 1):
                    items = list(value)
                    items[i] = item
                    yield f"item {i}: {what}", items
    elif isinstance(value, (bool, np.bool_)):
        yield "negated", not value
    elif isinstance(value, (int, float, np.number)):
        yield "an array for the number", np.array([value, value], dtype=np.float64)
        yield "a string for the number", str(value)
        yield "None for the number", None
        yield "a bool for the number", True
        yield "changed", float(value) + 1.0
    else:
        raise TypeError(f"no forgery for a {type(value).__name__}")


def _set(data: Any, path: Path, value: Any) -> Any:
    forged = copy.deepcopy(data)
    parent = forged
    for key in path[:-1]:
        parent = parent[key]
    if value is _DROP:
        del parent[path[-1]]
    else:
        parent[path[-1]] = value
    return forged


def _get(data: Any, path: Path) -> Any:
    for key in path:
        data = data[key]
    return data


def _forgeries(exercise_id: str, data: Any, visible: bool) -> Iterator[tuple[Path, str, Any]]:
    """(path of the answer, what was done to it, the forged data)."""
    expected = get(exercise_id).inputs(visible=visible)
    for path in _answer_paths(exercise_id, expected, data):
        yield path, "dropped", _set(data, path, _DROP)
        for what, value in _forged_values(_get(data, path)):
            yield path, what, _set(data, path, value)


def _another_honest_answer(exercise_id: str, data: Any, path: Path, what: str) -> bool:
    """True for a forgery that is exactly what another correct answer would record. Only one: when
    tta_predict's crop size equals the image size, the five crops are one view, so the model may see
    it once or five times; dropping the last recorded view keeps a copy of it."""
    if exercise_id != "02-preprocessing/tta_predict" or path[-1] != "views" or what != "truncated":
        return False
    views = _get(data, path)
    return any(np.array_equal(views[-1], v) for v in views[:-1])


def _refused(exercise_id: str, data: Any) -> str:
    """'' when the judge raises a CheckFailure on ``data``; otherwise what it did instead."""
    try:
        get(exercise_id).judge(data)
    except CheckFailure:
        return ""
    except Exception as err:  # refused too (the grader turns it into a failure), but not cleanly
        return f"refused with {type(err).__name__}: {err}"
    return "accepted"


@pytest.mark.parametrize("exercise_id", EXERCISES)
def test_honest_data_passes_and_has_answers_to_forge(exercise_id):
    """Control: the honest data passes the judge and holds answers beside the inputs."""
    data = _honest(exercise_id, False)
    assert get(exercise_id).judge(data) > 0
    assert list(_answer_paths(exercise_id, get(exercise_id).inputs(visible=False), data))


@pytest.mark.parametrize("exercise_id", EXERCISES)
def test_forged_answers_are_refused(exercise_id):
    """Is every forged answer (wrong type, shape or length, missing, changed) refused by the judge,
    with a CheckFailure, although the forged data still holds the grader's inputs?"""
    check = get(exercise_id)
    data = _honest(exercise_id, False)
    problems, tried = [], 0
    for path, what, forged in _forgeries(exercise_id, data, False):
        tried += 1
        bind_inputs(check, forged, visible=False)  # the inputs are intact: only the judge can refuse this
        outcome = _refused(exercise_id, forged)
        if outcome and not (outcome == "accepted" and _another_honest_answer(exercise_id, data, path, what)):
            problems.append(f"{path}: {what}: {outcome}")
    assert tried >= 5
    assert not problems, f"{exercise_id}: {len(problems)} of {tried} forgeries not refused cleanly:\n" + \
        "\n".join(problems[:30])


def test_forged_visible_cutmix_answers_are_refused():
    """The visible probe's data is judged by the same judge: forged cutmix answers are refused there too."""
    exercise_id = "02-preprocessing/cutmix"
    data = _honest(exercise_id, True)
    assert get(exercise_id).judge(data) > 0
    for path, what, forged in _forgeries(exercise_id, data, True):
        assert _refused(exercise_id, forged) == "", f"{path}: {what}"


# Checks whose probe used to send a flag computed in the kernel ("the inputs are unmodified"): the
# judge compares the arrays kept after the call instead, so a flag claiming "unmodified" is ignored.
FLAGGED = {
    "02-preprocessing/cutmix": ("calls", {"unmodified": True}, ("x_after", "y_after")),
    "02-preprocessing/pca_color_augment": ("cases", {"unmodified": True}, ("x_after", "eigvals_after", "eigvecs_after")),
    "02-preprocessing/normalize_images": (
        "cases", {f"{m}_modified": False for m in ("mean_image", "channel_mean", "channel_mean_std")},
        ("mean_image_X_after", "channel_mean_X_train_after", "channel_mean_std_X_after")),
}


@pytest.mark.parametrize("exercise_id", sorted(FLAGGED))
def test_a_flag_claiming_unmodified_does_not_hide_a_modified_input(exercise_id):
    """Does the judge see that an input was modified even when the data also carries an old-style
    flag saying it was not?"""
    records_key, flags, after_keys = FLAGGED[exercise_id]
    data = _honest(exercise_id, False)
    for key in after_keys:
        forged = copy.deepcopy(data)
        record = forged[records_key][0]
        record.update(flags)
        after = record[key]
        if isinstance(after, list):  # one array per call
            after[0] = _changed(after[0])
        else:
            record[key] = _changed(after)
        bind_inputs(get(exercise_id), forged, visible=False)
        with pytest.raises(CheckFailure, match="must not be modified"):
            get(exercise_id).judge(forged)


@pytest.mark.parametrize("exercise_id", EXERCISES)
def test_every_after_array_is_compared_with_its_input(exercise_id):
    """Is a change to any array the probe kept after the call (``*_after``) reported as a modified input?"""
    data = _honest(exercise_id, False)
    expected = get(exercise_id).inputs(visible=False)
    paths = [p for p in _answer_paths(exercise_id, expected, data) if str(p[-1]).endswith("_after")]
    for path in paths:
        value = _get(data, path)
        forged = _set(data, path, [_changed(value[0]), *value[1:]] if isinstance(value, list) else _changed(value))
        with pytest.raises(CheckFailure, match="must not be modified"):
            get(exercise_id).judge(forged)
