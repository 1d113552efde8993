"""A judge refuses forged *answers* in probe data, for every check in the catalog.

When autograding, the probe runs in the student's kernel and only its data comes back. The
grader checks that the data is its own cases with one answer each (``bind_inputs``, see
tests/test_inputs.py); the answers are whatever the kernel wrote. So whatever a probe validated
in the kernel (shapes, types, lengths, ``expect_not_none``) a judge must validate again, from the
inputs, and never trust a flag such as "unmodified" computed in the kernel.

These tests take honest probe data from a correct variant and forge only its answers -- drop one,
truncate it, reshape it, replace an array by a number, a list or a string, a number by an array,
a string, None or a bool, a list by a number, change one entry, add an item to a list -- so that
the data still passes ``bind_inputs``, and check that the judge refuses it with a CheckFailure
rather than skipping a test, crashing, or trusting what the probe validated in the kernel. One
walker (:func:`answer_paths`) finds the answers of every check from the data's structure, so a
check registered for a new notebook is covered the day it is registered.
"""

from __future__ import annotations

import copy
import functools
import random
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import pytest
import torch

from grader import catalog
from grader.checks import REGISTRY, CheckFailure, get, probe
from grader.checks.base import PROPERTY_KEY, bind_inputs
from tests.datatree import Path, places, value_at
from tests.variants import Variant, load_all

VARIANTS: dict[str, list[Variant]] = load_all()
IDS = sorted(REGISTRY)

_DROP = object()


# ---------------------------------------------------------------------------------------
# Honest data, and the one walker over its answers
# ---------------------------------------------------------------------------------------

@functools.cache
def _honest(exercise_id: str, visible: bool = False, description: str = "") -> Any:
    """Probe data of the first correct variant (or of the variant with ``description``), under fixed
    global seeds (the global state is restored)."""
    kinds = VARIANTS[exercise_id]
    variant = (next(v for v in kinds if v.description == description) if description
               else next(v for v in kinds if v.kind == "correct"))
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


def honest(exercise_id: str, description: str = "", *, visible: bool = False) -> Any:
    """A fresh deep copy of :func:`_honest`, to forge."""
    return copy.deepcopy(_honest(exercise_id, visible, description))


def answer_paths(data: Any, limit: int = 45) -> list[Path]:
    """The paths of the answers in probe ``data``: every place inside a record's ``answer`` (each
    dict key and list item, recursively), spread over the data to about ``limit`` places, plus
    :func:`edge_paths`."""
    records = data["cases"]
    every = [p for i, r in enumerate(records) for p, _ in places(r["answer"], ("cases", i, "answer"))]
    every = [p for p in every if len(p) > 3]  # the answer itself is a dict, not a place to forge
    chosen = set(every[:: max(1, len(every) // limit)]) | set(edge_paths(data)) | set(every[-1:])
    return [p for p in every if p in chosen]


def edge_paths(data: Any) -> list[Path]:
    """The answers of the first and the last record, and in them the first and the last item of
    every list, three levels deep: these get every forgery, changed values included."""
    records = data["cases"]
    return [p for i in sorted({0, len(records) - 1}) for p, _ in places(records[i]["answer"], ("cases", i, "answer"))
            if 3 < len(p) <= 6 and _at_the_edges(data, p)]


def _at_the_edges(data: Any, path: Path) -> bool:
    """True when every list index in ``path`` below the record's answer is the first or the last."""
    node = value_at(data, path[:3])
    for key in path[3:]:
        if isinstance(node, (list, tuple)) and key not in (0, len(node) - 1):
            return False
        node = node[key]
    return True


def _set(data: Any, path: Path, value: Any) -> Any | None:
    """A copy of ``data`` with ``path`` set to ``value`` (or dropped); None where that cannot be done.
    Within the answer of one case, only that answer is copied: the other records are shared."""
    if len(path) >= 3 and path[0] == "cases" and isinstance(path[1], int) and path[2] == "answer":
        record = data["cases"][path[1]]
        forged = {**data, "cases": list(data["cases"])}
        forged["cases"][path[1]] = {**record, "answer": copy.deepcopy(record["answer"])}
    else:
        forged = copy.deepcopy(data)
    parent = value_at(forged, path[:-1])
    if isinstance(parent, tuple):
        return None  # a tuple's items are forged through the list or dict that holds it
    if value is _DROP:
        if not isinstance(parent, dict):
            return None
        del parent[path[-1]]
    else:
        parent[path[-1]] = value
    return forged


def _changed(value: np.ndarray) -> np.ndarray:
    out = value.copy()
    out.reshape(-1)[0] += 1
    return out


def forged_values(value: Any, *, every: bool = True) -> Iterator[tuple[str, Any, bool]]:
    """(what was done, the forged value, whether it changes only the value) for one answer: values of
    the wrong kind, shape or length, which an honest probe never sends, then (``every``) more of
    them and changed values."""
    if isinstance(value, np.ndarray):
        yield "a list for the array", value.tolist(), False
        yield "an extra leading axis", value[None], False
        if value.size > 1:
            yield "one entry fewer", value.reshape(-1)[:-1], False
        yield "a string for the array", "forged", False
        if every:
            if value.ndim and len(value):
                yield "truncated", value[:-1], False
            yield "reshaped", value.reshape(1, -1) if value.ndim == 1 else value.reshape(-1), False
            yield "a number for the array", float(value.reshape(-1)[0]) if value.size else 0.0, False
            if value.size and value.dtype.kind in "biuf":
                yield "one entry changed", _changed(value), True
    elif isinstance(value, (list, tuple)):
        if value:
            yield "one item fewer", list(value[:-1]), False
        yield "a string for the list", "forged", False
        if every:
            if value:
                yield "an item added", [*value, copy.deepcopy(value[0])], False
            yield "a number for the list", 0.0, False
    elif isinstance(value, dict):
        yield "a list for the dict", list(value.values()), False
    elif isinstance(value, (bool, np.bool_)):
        yield "the int 1", 1, False
        yield "a string for the bool", "True", False
        if every:
            yield "negated", not value, True
    elif isinstance(value, (int, float, np.number)):
        yield "a one-element array", np.array([value]), False
        yield "a string for the number", str(value), False
        yield "a bool for the number", True, False
        if every:
            yield "an array for the number", np.array([value, value], dtype=np.float64), False
            yield "None for the number", None, False
            yield "changed", float(value) + 1.0, True
    elif isinstance(value, str):
        yield "a number for the string", 1.0, False
        if every:
            yield "changed", value + "x", True
    elif value is None:
        yield "a number for None", 0.0, False
        if every:
            yield "an array for None", np.zeros(3), False
    else:
        raise TypeError(f"no forgery for a {type(value).__name__}")


#: Answers whose values a correct answer may have almost anywhere, so that changing one entry is not
#: refused: the weights an initialiser draws are judged by their law, and one changed draw of 10^5
#: (or of a 2 x 3 sample, which only has to be finite) is another honest sample.
VALUE_FREE = {ex: {"sample", "draws"} for ex in ("04-initialization/xavier_uniform", "04-initialization/xavier_normal",
                                                 "04-initialization/kaiming_normal")}


def _another_honest_answer(exercise_id: str, data: Any, path: Path, what: str) -> bool:
    """True for a forgery that is exactly what another correct answer would record. Two: when
    tta_predict's crop size equals the image size, the five crops are one view, so the model may see
    it once or five times; dropping the last recorded view keeps a copy of it. And when no step of
    backtracking_line_search satisfies Armijo, f may be evaluated at the last trial step or not."""
    if exercise_id == "01-sgd/backtracking_line_search" and path[-1] == "f_calls" and what == "changed":
        # where no step qualifies, evaluating the last trial step or not are both honest
        inputs, answer = data["cases"][path[1]]["inputs"], value_at(data, path[:-1])
        return bool(answer["t"] == inputs["lr0"] * inputs["beta"] ** inputs["max_iter"]
                    and answer["f_calls"] + 1 == inputs["max_iter"] + 2)
    if exercise_id != "02-preprocessing/tta_predict" or path[-1] != "views" or what not in ("truncated",):
        return False
    views = value_at(data, path)
    return any(np.array_equal(views[-1], v) for v in views[:-1])


#: Declared properties judged by a law over many draws (grader/checks/properties/): one changed
#: draw among thousands is another honest sample too.
STATISTICAL_PROPERTIES = {"law", "independent"}


def _statistical(data: Any, path: Path) -> bool:
    """True for an answer of a case of a statistical property."""
    if len(path) < 2 or path[0] != "cases" or not isinstance(path[1], int):
        return False
    inputs = data["cases"][path[1]].get("inputs")
    return isinstance(inputs, dict) and inputs.get(PROPERTY_KEY) in STATISTICAL_PROPERTIES


def forgeries(exercise_id: str, data: Any) -> Iterator[tuple[Path, str, Any]]:
    """(path of the answer, what was done to it, the forged data) for every answer of ``data``."""
    free = VALUE_FREE.get(exercise_id, set())
    edges = set(edge_paths(data))
    for path in answer_paths(data):
        forged = _set(data, path, _DROP)
        if forged is not None:
            yield path, "dropped", forged
        for what, value, value_only in forged_values(value_at(data, path), every=path in edges):
            if value_only and (free & {k for k in path if isinstance(k, str)} or _statistical(data, path)):
                continue
            if _another_honest_answer(exercise_id, data, path, what):
                continue
            forged = _set(data, path, value)
            if forged is not None:
                yield path, what, forged


def _refused(exercise_id: str, data: Any) -> str:
    """'' when the judge raises a CheckFailure on ``data``; otherwise what it did instead."""
    try:
        get(exercise_id).judge(data)
    except CheckFailure:
        return ""
    except Exception as err:  # refused too (the grader turns it into a failure), but not cleanly
        return f"refused with {type(err).__name__}: {err}"
    return "accepted"


def assert_refused(exercise_id: str, forged: Any, what: str) -> None:
    """The forged data still holds the grader's inputs, and the judge raises a CheckFailure."""
    bind_inputs(get(exercise_id), forged, visible=False)  # only answers were forged: the inputs still match
    outcome = _refused(exercise_id, forged)
    assert not outcome, f"{exercise_id}: the judge {outcome} with {what}"


# ---------------------------------------------------------------------------------------
# Every check, from the catalog: the sweep
# ---------------------------------------------------------------------------------------

def test_the_sweep_covers_every_registered_check():
    """Is every registered check -- every exercise of the catalog -- swept, so that a check added for
    a new notebook gets forged-answer tests without anyone listing it?"""
    assert IDS == sorted(ex.id for ex in catalog.exercises())
    for exercise_id in IDS:
        assert answer_paths(_honest(exercise_id)), f"{exercise_id}: no answers found in the probe's data"


@pytest.mark.parametrize("exercise_id", IDS)
def test_honest_data_passes_and_has_answers_to_forge(exercise_id):
    """Control: the honest data the forgeries start from holds the inputs, passes the judge and has answers."""
    data = honest(exercise_id)
    bind_inputs(get(exercise_id), data, visible=False)
    assert get(exercise_id).judge(data) > 0
    assert answer_paths(data)


@pytest.mark.parametrize("exercise_id", IDS)
def test_forged_answers_are_refused(exercise_id):
    """Is every forged answer (wrong type, shape or length, missing, changed) refused by the judge,
    with a CheckFailure, although the forged data still holds the grader's inputs?"""
    check = get(exercise_id)
    data = _honest(exercise_id)
    problems, tried = [], 0
    for path, what, forged in forgeries(exercise_id, data):
        tried += 1
        bind_inputs(check, forged, visible=False)  # the inputs are intact: only the judge can refuse this
        outcome = _refused(exercise_id, forged)
        if outcome:
            problems.append(f"{path}: {what}: {outcome}")
    assert tried >= 5
    assert not problems, f"{exercise_id}: {len(problems)} of {tried} forgeries not refused cleanly:\n" + \
        "\n".join(problems[:30])


def test_forged_visible_cutmix_answers_are_refused():
    """The visible probe's data is judged by the same judge: forged cutmix answers are refused there too."""
    exercise_id = "02-preprocessing/cutmix"
    data = _honest(exercise_id, True)
    assert get(exercise_id).judge(data) > 0
    for path, what, forged in forgeries(exercise_id, data):
        bind_inputs(get(exercise_id), forged, visible=True)
        assert _refused(exercise_id, forged) == "", f"{path}: {what}"


@pytest.mark.parametrize("exercise_id", IDS)
def test_every_after_array_is_compared_with_its_input(exercise_id):
    """Is a change to any array the probe kept after the call (``*_after``), in the first and the last
    case, reported as a modified input? Where a case keeps one such array per call (an update rule's
    ``param_after`` at every step), the first and the last call of each name stand for the others."""
    data = _honest(exercise_id)
    last = len(data["cases"]) - 1
    paths = [p for p in answer_paths(data, limit=10**6) if str(p[-1]).endswith("_after") and p[1] in (0, last)]
    by_name: dict[tuple, list] = {}
    for path in paths:
        by_name.setdefault((path[1], path[-1]), []).append(path)
    paths = [p for group in by_name.values() for p in dict.fromkeys([group[0], group[-1]])]
    for path in paths:
        value = value_at(data, path)
        if value is None:
            continue  # unit_symmetry_gap's b_after where no bias was passed: forged in the sweep as "an array for None"
        if isinstance(value, dict):  # a cache after the call: one array of it changed
            key = next(k for k, v in value.items() if isinstance(v, np.ndarray))
            value = {**value, key: _changed(value[key])}
        elif isinstance(value, list):  # one array per call or per layer
            value = [_changed(value[0]), *value[1:]]
        else:
            value = _changed(value)
        forged = _set(data, path, value)
        bind_inputs(get(exercise_id), forged, visible=False)
        with pytest.raises(CheckFailure, match="must not be modified"):
            get(exercise_id).judge(forged)


# Checks whose probe used to send a flag computed in the kernel ("the inputs are unmodified"): the
# judge compares the arrays kept after the call instead, so a flag claiming "unmodified" is ignored,
# and one claiming "modified" on honest data fails nothing.
FLAGGED = {
    "02-preprocessing/cutmix": ({"unmodified": True}, [("x_after",), ("y_after",)]),
    "02-preprocessing/pca_color_augment": ({"unmodified": True},
                                           [("x_after",), ("eigvals_after",), ("eigvecs_after",)]),
    "02-preprocessing/normalize_images": ({"modified": False}, [("mean_image", "X_after"),
                                                                ("channel_mean", "X_train_after"),
                                                                ("channel_mean_std", "X_after")]),
    "05-batchnorm/batchnorm_forward": ({"inputs_unchanged": True}, [("steps", 1, "x_after")]),
    "05-batchnorm/layernorm_forward": ({"unchanged": True}, [("gamma_after",)]),
    "05-batchnorm/groupnorm_backward": ({"unchanged": True}, [("dout_after",)]),
    "05-batchnorm/BatchNorm1d": ({"x_unchanged": True}, [("steps", 0, "x_after")]),
}


@pytest.mark.parametrize("exercise_id", sorted(FLAGGED))
def test_a_flag_claiming_unmodified_does_not_hide_a_modified_input(exercise_id):
    """Does the judge see that an input was modified even when the data also carries an old-style
    flag saying it was not?"""
    flags, afters = FLAGGED[exercise_id]
    data = _honest(exercise_id)
    for after in afters:
        forged = copy.deepcopy(data)
        answer = forged["cases"][0]["answer"]
        answer.update(flags)
        value = value_at(answer, after)
        value_at(answer, after[:-1])[after[-1]] = ([_changed(value[0]), *value[1:]] if isinstance(value, list)
                                               else _changed(value))
        bind_inputs(get(exercise_id), forged, visible=False)
        with pytest.raises(CheckFailure, match="must not be modified"):
            get(exercise_id).judge(forged)


@pytest.mark.parametrize("exercise_id", sorted(FLAGGED))
def test_unchanged_flags_are_not_read(exercise_id):
    """A kernel-computed "unchanged" flag set to False on honest data does not fail it: the judge
    compares the arrays after the call instead (and the probe sends no such flags)."""
    data = honest(exercise_id)
    answers = [r["answer"] for r in data["cases"]]
    keys = {k for answer in answers for _, record in places(answer) if isinstance(record, dict) for k in record}
    assert not {k for k in keys if "unchanged" in k or "modified" in k}, f"{exercise_id}: the probe still sends a flag"
    for answer in answers:
        for record in [r for _, r in places(answer) if isinstance(r, dict)]:
            for flag in ("inputs_unchanged", "unchanged", "x_unchanged", "unmodified"):
                record[flag] = False
            record["modified"] = True
    bind_inputs(get(exercise_id), data, visible=False)
    assert get(exercise_id).judge(data) > 0


# ---------------------------------------------------------------------------------------
# Named forgeries: the mistakes a forger would try first, from 03-activations, 04-initialization
# and 05-batchnorm (the sweep above covers every check; these name what it must never let through)
# ---------------------------------------------------------------------------------------

def _answer(i: int, *path: Any) -> Path:
    return ("cases", i, "answer", *path)


def _set_at(path: Path, value: Any) -> Callable[[Any], None]:
    def forge(data: Any) -> None:
        target = value_at(data, path[:-1])
        target[path[-1]] = value(target[path[-1]]) if callable(value) else value
    return forge


def _drop_at(path: Path) -> Callable[[Any], None]:
    def forge(data: Any) -> None:
        del value_at(data, path[:-1])[path[-1]]
    return forge


def _first_index(exercise_id: str, pred: Callable[[dict[str, Any]], bool]) -> int:
    return next(i for i, r in enumerate(_honest(exercise_id)["cases"]) if pred(r["inputs"]))


def _samples(data: Any) -> Iterator[dict[str, Any]]:
    for record in data["cases"]:
        if record["inputs"].get("kind") == "sample":
            yield record["answer"]


def _big_samples_truncated(data: Any) -> None:
    """Every large sample cut to 100 entries from inside the right range (the statistics once ran
    only on samples of >= 10,000 entries, counted on the answer)."""
    for answer in _samples(data):
        answer["sample"] = answer["sample"].ravel()[:100].copy()


def _repeat(data: Any) -> dict[str, Any]:
    return next(r["answer"] for r in data["cases"] if r["inputs"].get("kind") == "repeat")


def _repeat_set(value: Callable[[list], Any]) -> Callable[[Any], None]:
    def forge(data: Any) -> None:
        answer = _repeat(data)
        answer["draws"] = value(answer["draws"])
    return forge


def _raises_answers_as_list(data: Any) -> None:
    for record in data["cases"]:
        if record["inputs"].get("kind") == "raises":
            record["answer"] = ["ValueError"]


def _collapse_truncated_after(data: Any) -> None:
    """From the variant that writes into the caller's b_i: keep only layer 0 after the call, so
    that zip(...) skipped the modified layers."""
    for record in data["cases"]:
        answer = record["answer"]
        answer["Ws_after"], answer["bs_after"] = answer["Ws_after"][:1], answer["bs_after"][:1]


def _bn_train_cache_dropped(data: Any) -> None:
    for record in data["cases"]:
        for step in record["answer"].get("steps", ()):   # a declared property's case may have none
            step.pop("cache", None)


A, I, B = "03-activations/", "04-initialization/", "05-batchnorm/"
XAVIER_SEEDED = "re-seeds a new generator inside, so every call returns the same weights"
COLLAPSE_IN_PLACE = "adds the propagated bias into the caller's b_i in place (b_i += W_i @ b)"

#: (exercise, description, forge(data) in place, the variant whose data is forged: "" = a correct one)
FORGERIES: list[tuple[str, str, Callable[[Any], None], str]] = [
    # 03-activations
    (A + "collapse_linear", "Ws_after/bs_after shorter than the layers, hiding a layer written in place",
     _collapse_truncated_after, COLLAPSE_IN_PLACE),
    (A + "collapse_linear", "Ws_after replaced by a single array", _set_at(_answer(0, "Ws_after"), lambda v: v[0]), ""),
    (A + "collapse_linear", "W transposed", _set_at(_answer(1, "W"), lambda v: v.T.copy()), ""),
    (A + "collapse_linear", "b as a Python list", _set_at(_answer(0, "b"), lambda v: v.tolist()), ""),
    (A + "collapse_linear", "W dropped", _drop_at(_answer(2, "W")), ""),
    (A + "sigmoid_tanh", "out replaced by a scalar", _set_at(_answer(0, "out"), 0.5), ""),
    (A + "sigmoid_tanh", "dx of a 2-D input flattened", _set_at(_answer(1, "dx"), lambda v: v.ravel()), ""),
    (A + "sigmoid_tanh", "x_after dropped", _drop_at(_answer(0, "x_after")), ""),
    (A + "relu_leaky_relu", "dx as a nested list", _set_at(_answer(1, "dx"), lambda v: v.tolist()), ""),
    (A + "relu_leaky_relu", "out as an array of strings", _set_at(_answer(0, "out"), lambda v: v.astype(str)), ""),
    (A + "prelu_elu", "dalpha as a list", _set_at(_answer(0, "dalpha"), lambda v: v.tolist()), ""),
    (A + "prelu_elu", "dalpha dropped", _drop_at(_answer(1, "dalpha")), ""),
    (A + "prelu_elu", "alpha_after as a list", _set_at(_answer(0, "alpha_after"), lambda v: v.tolist()), ""),
    (A + "maxout", "dW flattened", _set_at(_answer(2, "dW"), lambda v: v.ravel()), ""),
    (A + "maxout", "db dropped", _drop_at(_answer(0, "db")), ""),
    (A + "maxout", "W_after as a list", _set_at(_answer(0, "W_after"), lambda v: v.tolist()), ""),
    (A + "dead_relu_fraction", "the fraction as a 0-d array", _set_at(_answer(0, "value"), np.asarray), ""),
    (A + "dead_relu_fraction", "the fraction as a string", _set_at(_answer(3, "value"), str), ""),
    (A + "dead_relu_fraction", "A_after dropped", _drop_at(_answer(0, "A_after")), ""),
    # 04-initialization
    (I + "unit_symmetry_gap", "the gap as a one-element list", _set_at(_answer(0, "gap"), lambda v: [v]), ""),
    (I + "unit_symmetry_gap", "the gap dropped", _drop_at(_answer(0, "gap")), ""),
    (I + "unit_symmetry_gap", "W_after as a list", _set_at(_answer(0, "W_after"), lambda v: v.tolist()), ""),
    (I + "unit_symmetry_gap", "an array for b_after where no bias was passed",
     _set_at(_answer(2, "b_after"), np.zeros(5)), ""),
    (I + "compute_fans", "three fans", _set_at(_answer(0, "fans"), lambda v: [*v, 1.0]), ""),
    (I + "compute_fans", "fans as a two-letter string", _set_at(_answer(0, "fans"), "ab"), ""),
    (I + "compute_fans", "fans (True, True) for shape (1, 1)",
     lambda d: _set_at(_answer(_first_index(I + "compute_fans", lambda c: c["shape"] == [1, 1]), "fans"),
                       [True, True])(d), ""),
    (I + "compute_fans", "the outcomes of the calls that must raise as lists", _raises_answers_as_list, ""),
    (I + "xavier_uniform", "every sample truncated to 100 entries (skipping the statistics)", _big_samples_truncated, ""),
    (I + "xavier_uniform", "a sample transposed", _set_at(_answer(0, "sample"), lambda v: v.T.copy()), ""),
    (I + "xavier_uniform", "the repeated draws of a re-seeding answer given two shapes",
     _repeat_set(lambda v: [v[0], v[1][:1]]), XAVIER_SEEDED),
    (I + "xavier_uniform", "the repeated draws made NaN (NaN != NaN)",
     _repeat_set(lambda v: [np.full_like(v[0], np.nan), np.full_like(v[1], np.nan)]), XAVIER_SEEDED),
    (I + "xavier_uniform", "one repeated draw only", _repeat_set(lambda v: v[:1]), XAVIER_SEEDED),
    (I + "xavier_normal", "every sample truncated to 100 entries (skipping the statistics)", _big_samples_truncated, ""),
    (I + "xavier_normal", "a sample replaced by a scalar", _set_at(_answer(0, "sample"), 0.01), ""),
    (I + "xavier_normal", "a sample dropped", _drop_at(_answer(2, "sample")), ""),
    (I + "kaiming_normal", "every sample truncated to 100 entries (skipping the statistics)", _big_samples_truncated, ""),
    (I + "kaiming_normal", "a sample as a nested list", _set_at(_answer(1, "sample"), lambda v: v.tolist()), ""),
    (I + "kaiming_normal", "the outcomes of the calls that must raise as lists", _raises_answers_as_list, ""),
    (I + "kaiming_normal", "the repeated draws dropped", lambda d: _repeat(d).pop("draws"), ""),
    # 05-batchnorm
    (B + "batchnorm_forward", "x changed after the call, inputs_unchanged=True",
     lambda d: (_set_at(_answer(0, "steps", 1, "x_after"), lambda v: v + 1.0)(d),
                _set_at(_answer(0, "steps", 1, "inputs_unchanged"), True)(d)), ""),
    (B + "batchnorm_forward", "gamma_after dropped", _drop_at(_answer(0, "steps", 0, "gamma_after")), ""),
    (B + "batchnorm_forward", "no cache after training calls", _bn_train_cache_dropped, ""),
    (B + "batchnorm_forward", "cache['mu'] with a leading axis",
     _set_at(_answer(0, "steps", 0, "cache", "mu"), lambda v: v[None]), ""),
    (B + "batchnorm_forward", "running_mean as a list",
     _set_at(_answer(1, "steps", 2, "running_mean"), lambda v: v.tolist()), ""),
    (B + "spatial_batchnorm_forward", "out flattened to (N, C*H*W)",
     _set_at(_answer(0, "steps", 0, "out"), lambda v: v.reshape(v.shape[0], -1)), ""),
    (B + "spatial_batchnorm_forward", "cache['eps'] as a string",
     _set_at(_answer(0, "steps", 0, "cache", "eps"), "1e-05"), ""),
    (B + "batchnorm_backward", "dout changed after the call, unchanged=True",
     lambda d: (_set_at(_answer(1, "dout_after"), lambda v: v * 2.0)(d), _set_at(_answer(1, "unchanged"), True)(d)), ""),
    (B + "batchnorm_backward", "the cache changed after the call, unchanged=True",
     lambda d: (_set_at(_answer(0, "cache_after", "x_hat"), lambda v: v + 0.5)(d),
                _set_at(_answer(0, "unchanged"), True)(d)), ""),
    (B + "batchnorm_backward", "dx as a scalar", _set_at(_answer(0, "dx"), 0.0), ""),
    (B + "batchnorm_backward_alt", "dgamma with a leading axis", _set_at(_answer(0, "dgamma"), lambda v: v[None]), ""),
    (B + "batchnorm_backward_alt", "cache_after without x_hat", _drop_at(_answer(2, "cache_after", "x_hat")), ""),
    (B + "layernorm_forward", "gamma changed after the call, unchanged=True",
     lambda d: (_set_at(_answer(0, "gamma_after"), lambda v: -v)(d), _set_at(_answer(0, "unchanged"), True)(d)), ""),
    (B + "layernorm_forward", "cache['mu'] of shape (N,) instead of (N, 1)",
     _set_at(_answer(0, "cache", "mu"), lambda v: v.ravel()), ""),
    (B + "layernorm_backward", "dbeta dropped", _drop_at(_answer(3, "dbeta")), ""),
    (B + "groupnorm_forward", "cache['G'] = True where G = 1",
     lambda d: _set_at(_answer(_first_index(B + "groupnorm_forward", lambda c: c["G"] == 1), "cache", "G"), True)(d), ""),
    (B + "groupnorm_forward", "cache['G'] dropped", _drop_at(_answer(0, "cache", "G")), ""),
    (B + "groupnorm_backward", "cache_after without G", _drop_at(_answer(1, "cache_after", "G")), ""),
    (B + "groupnorm_backward", "cache_after as a list", _set_at(_answer(0, "cache_after"), lambda v: list(v)), ""),
    (B + "BatchNorm1d", "x changed by forward, x_unchanged=True",
     lambda d: (_set_at(_answer(0, "steps", 0, "x_after"), lambda v: v * 0.0)(d),
                _set_at(_answer(0, "steps", 0, "x_unchanged"), True)(d)), ""),
    (B + "BatchNorm1d", "training as the string 'True'", _set_at(_answer(0, "init", "training"), "True"), ""),
    (B + "BatchNorm1d", "training as the int 1 after train()",
     lambda d: _set_at(_answer(0, "steps", next(i for i, s in enumerate(d["cases"][0]["inputs"]["steps"])
                                                if s["op"] == "t"), "training"), 1)(d), ""),
    (B + "BatchNorm1d", "running_mean truncated", _set_at(_answer(1, "steps", 0, "running_mean"), lambda v: v[:-1]), ""),
    (B + "BatchNorm1d", "the initial state dropped", _drop_at(_answer(0, "init")), ""),
]


@pytest.mark.parametrize("exercise_id, what, forge, source", FORGERIES,
                         ids=[f"{e} | {w}" for e, w, _, _ in FORGERIES])
def test_forged_answer_is_refused(exercise_id, what, forge, source):
    """Is data whose answers were forged this way refused by the judge?"""
    data = honest(exercise_id, source)
    forge(data)
    assert_refused(exercise_id, data, what)


def test_named_forgeries_cover_every_check_of_03_to_05():
    """Does every check of 03-activations, 04-initialization and 05-batchnorm have a named forgery?"""
    assert {ex for ex in IDS if ex.startswith((A, I, B))} <= {e for e, *_ in FORGERIES}


@pytest.mark.parametrize("exercise_id, source", [(A + "collapse_linear", COLLAPSE_IN_PLACE),
                                                 (I + "xavier_uniform", XAVIER_SEEDED)])
def test_forgeries_start_from_data_the_judge_refuses(exercise_id, source):
    """The buggy variants some forgeries start from are refused as they are (the forgery tries to hide it)."""
    with pytest.raises(CheckFailure):
        get(exercise_id).judge(honest(exercise_id, source))
