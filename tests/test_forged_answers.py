"""A judge refuses forged *answers* in probe data (03-activations, 04-initialization, 05-batchnorm).

When autograding, the probe runs in the student's kernel and only its data comes back. The
grader checks that the data holds its own inputs (``bind_inputs``, see tests/test_inputs.py);
these tests change only the *answers* -- truncate a sample, reshape an array, replace it by a
scalar or a list, drop a key, claim "unchanged" while the array after the call differs -- so the
data still passes ``bind_inputs``, and check that the judge refuses it with a CheckFailure,
rather than skipping a test or trusting what the probe validated in the kernel.
"""

from __future__ import annotations

import copy
import functools
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import pytest

from grader.checks import REGISTRY, CheckFailure, get, probe
from grader.checks.base import bind_inputs
from tests.variants import Variant, load_all

PREFIXES = ("03-activations/", "04-initialization/", "05-batchnorm/")
VARIANTS: dict[str, list[Variant]] = load_all()
IDS = sorted(ex_id for ex_id in REGISTRY if ex_id.startswith(PREFIXES))


@functools.cache
def _honest(exercise_id: str, description: str = "") -> Any:
    """Hidden probe data of the first correct variant (or of the variant with ``description``)."""
    if description:
        variant = next(v for v in VARIANTS[exercise_id] if v.description == description)
    else:
        variant = next(v for v in VARIANTS[exercise_id] if v.kind == "correct")
    return probe(exercise_id, variant.obj, visible=False)


def honest(exercise_id: str, description: str = "") -> Any:
    """A fresh deep copy of :func:`_honest`, to forge."""
    return copy.deepcopy(_honest(exercise_id, description))


def assert_refused(exercise_id: str, forged: Any, what: str) -> None:
    """The forged data still holds the grader's inputs, and the judge raises a CheckFailure."""
    check = get(exercise_id)
    bind_inputs(check, forged, visible=False)  # only answers were forged: the inputs still match
    try:
        check.judge(forged)
    except CheckFailure:
        return
    pytest.fail(f"{exercise_id}: the judge accepted data with {what}")


# ---------------------------------------------------------------------------------------
# Honest data is accepted: the forgeries below differ from it only where they say
# ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("exercise_id", IDS)
def test_forged_honest_data_passes(exercise_id):
    """Does the honest data the forgeries start from hold the inputs and pass the judge?"""
    data = honest(exercise_id)
    bind_inputs(get(exercise_id), data, visible=False)
    assert get(exercise_id).judge(data) > 0


# ---------------------------------------------------------------------------------------
# Named forgeries, at least one per check
# ---------------------------------------------------------------------------------------

def _cases(data: Any) -> list[Any]:
    return data["cases"]


def _first(data: Any, pred: Callable[[dict[str, Any]], bool]) -> dict[str, Any]:
    return next(c for c in _cases(data) if pred(c))


def _big_samples_truncated(data: Any) -> None:
    """Every large sample cut to 100 entries from inside the right range (the statistics were
    run only on samples of >= 10,000 entries, counted on the answer)."""
    for case in _cases(data):
        case["sample"] = case["sample"].ravel()[:100].copy()


def _collapse_truncated_after(data: Any) -> None:
    """From the variant that writes into the caller's b_i: keep only layer 0 after the call, so
    that zip(...) skipped the modified layers."""
    for case in _cases(data):
        case["Ws_after"], case["bs_after"] = case["Ws_after"][:1], case["bs_after"][:1]


def _set(path: tuple[Any, ...], value: Any) -> Callable[[Any], None]:
    def forge(data: Any) -> None:
        target = data
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value(target[path[-1]]) if callable(value) else value
    return forge


def _drop(path: tuple[Any, ...]) -> Callable[[Any], None]:
    def forge(data: Any) -> None:
        target = data
        for key in path[:-1]:
            target = target[key]
        del target[path[-1]]
    return forge


def _first_index(exercise_id: str, pred: Callable[[dict[str, Any]], bool]) -> int:
    return next(i for i, c in enumerate(_honest(exercise_id)["cases"]) if pred(c))


def _bn_modify_x_claim_unchanged(data: Any) -> None:
    """x changed after a call, while the old flag still says the inputs are unchanged."""
    step = data["plans"][0]["steps"][1]
    step["x_after"] = step["x_after"] + 1.0
    step["inputs_unchanged"] = True


def _bn_train_cache_dropped(data: Any) -> None:
    for plan in data["plans"]:
        for step in plan["steps"]:
            step.pop("cache", None)


def _module_modify_x_claim_unchanged(data: Any) -> None:
    step = next(s for s in data["runs"][0]["steps"] if s["op"] == "f")
    step["x_after"] = step["x_after"] * 0.0
    step["x_unchanged"] = True


def _backward_modify_dout_claim_unchanged(data: Any) -> None:
    case = data["cases"][1]
    case["dout_after"] = case["dout_after"] * 2.0
    case["unchanged"] = True


def _backward_modify_cache_claim_unchanged(data: Any) -> None:
    case = data["cases"][0]
    case["cache_after"]["x_hat"] = case["cache_after"]["x_hat"] + 0.5
    case["unchanged"] = True


A, I, B = PREFIXES
XAVIER_SEEDED = "re-seeds a new generator inside, so every call returns the same weights"
COLLAPSE_IN_PLACE = "adds the propagated bias into the caller's b_i in place (b_i += W_i @ b)"

#: (exercise, description, forge(data) in place, the variant whose data is forged: "" = a correct one)
FORGERIES: list[tuple[str, str, Callable[[Any], None], str]] = [
    # 03-activations
    (A + "collapse_linear", "Ws_after/bs_after shorter than the layers, hiding a layer written in place",
     _collapse_truncated_after, COLLAPSE_IN_PLACE),
    (A + "collapse_linear", "Ws_after replaced by a single array", _set(("cases", 0, "Ws_after"), lambda v: v[0]), ""),
    (A + "collapse_linear", "W transposed", _set(("cases", 1, "W"), lambda v: v.T.copy()), ""),
    (A + "collapse_linear", "b as a Python list", _set(("cases", 0, "b"), lambda v: v.tolist()), ""),
    (A + "collapse_linear", "W dropped", _drop(("cases", 2, "W")), ""),
    (A + "sigmoid_tanh", "out replaced by a scalar", _set(("cases", 0, "out"), 0.5), ""),
    (A + "sigmoid_tanh", "dx of a 2-D input flattened", _set(("cases", 1, "dx"), lambda v: v.ravel()), ""),
    (A + "sigmoid_tanh", "x_after dropped", _drop(("cases", 0, "x_after")), ""),
    (A + "relu_leaky_relu", "dx as a nested list", _set(("cases", 1, "dx"), lambda v: v.tolist()), ""),
    (A + "relu_leaky_relu", "out as an array of strings", _set(("cases", 0, "out"), lambda v: v.astype(str)), ""),
    (A + "prelu_elu", "dalpha as a list", _set(("cases", 0, "dalpha"), lambda v: v.tolist()), ""),
    (A + "prelu_elu", "dalpha dropped", _drop(("cases", 1, "dalpha")), ""),
    (A + "prelu_elu", "alpha_after as a list", _set(("cases", 0, "alpha_after"), lambda v: v.tolist()), ""),
    (A + "maxout", "dW flattened", _set(("cases", 2, "dW"), lambda v: v.ravel()), ""),
    (A + "maxout", "db dropped", _drop(("cases", 0, "db")), ""),
    (A + "maxout", "W_after as a list", _set(("cases", 0, "W_after"), lambda v: v.tolist()), ""),
    (A + "dead_relu_fraction", "the fraction as a 0-d array", _set(("cases", 0, "value"), np.asarray), ""),
    (A + "dead_relu_fraction", "the fraction as a string", _set(("cases", 3, "value"), str), ""),
    (A + "dead_relu_fraction", "A_after dropped", _drop(("cases", 0, "A_after")), ""),
    # 04-initialization
    (I + "unit_symmetry_gap", "the gap as a one-element list", _set(("cases", 0, "gap"), lambda v: [v]), ""),
    (I + "unit_symmetry_gap", "the gap dropped", _drop(("cases", 0, "gap")), ""),
    (I + "unit_symmetry_gap", "W_after as a list", _set(("cases", 0, "W_after"), lambda v: v.tolist()), ""),
    (I + "unit_symmetry_gap", "an array for b_after where no bias was passed",
     _set(("cases", 2, "b_after"), np.zeros(5)), ""),
    (I + "compute_fans", "three fans", _set(("cases", 0, "fans"), lambda v: [*v, 1.0]), ""),
    (I + "compute_fans", "fans as a two-letter string", _set(("cases", 0, "fans"), "ab"), ""),
    (I + "compute_fans", "fans (True, True) for shape (1, 1)",
     lambda d: _set(("cases", _first_index(I + "compute_fans", lambda c: c["shape"] == [1, 1]), "fans"),
                    [True, True])(d), ""),
    (I + "compute_fans", "errors as a list", _set(("errors",), ["ValueError", "ValueError"]), ""),
    (I + "xavier_uniform", "every sample truncated to 100 entries (skipping the statistics)", _big_samples_truncated, ""),
    (I + "xavier_uniform", "a sample transposed", _set(("cases", 0, "sample"), lambda v: v.T.copy()), ""),
    (I + "xavier_uniform", "the repeated draws of a re-seeding answer given two shapes",
     _set(("repeat",), lambda v: [v[0], v[1][:1]]), XAVIER_SEEDED),
    (I + "xavier_uniform", "the repeated draws made NaN (NaN != NaN)",
     _set(("repeat",), lambda v: [np.full_like(v[0], np.nan), np.full_like(v[1], np.nan)]), XAVIER_SEEDED),
    (I + "xavier_uniform", "one repeated draw only", _set(("repeat",), lambda v: v[:1]), XAVIER_SEEDED),
    (I + "xavier_normal", "every sample truncated to 100 entries (skipping the statistics)", _big_samples_truncated, ""),
    (I + "xavier_normal", "a sample replaced by a scalar", _set(("cases", 0, "sample"), 0.01), ""),
    (I + "xavier_normal", "a sample dropped", _drop(("cases", 2, "sample")), ""),
    (I + "kaiming_normal", "every sample truncated to 100 entries (skipping the statistics)", _big_samples_truncated, ""),
    (I + "kaiming_normal", "a sample as a nested list", _set(("cases", 1, "sample"), lambda v: v.tolist()), ""),
    (I + "kaiming_normal", "errors as a list", _set(("errors",), ["ValueError", "ValueError"]), ""),
    (I + "kaiming_normal", "the repeated draws dropped", _drop(("repeat",)), ""),
    # 05-batchnorm
    (B + "batchnorm_forward", "x changed after the call, inputs_unchanged=True", _bn_modify_x_claim_unchanged, ""),
    (B + "batchnorm_forward", "gamma_after dropped", _drop(("plans", 0, "steps", 0, "gamma_after")), ""),
    (B + "batchnorm_forward", "no cache after training calls", _bn_train_cache_dropped, ""),
    (B + "batchnorm_forward", "cache['mu'] with a leading axis",
     _set(("plans", 0, "steps", 0, "cache", "mu"), lambda v: v[None]), ""),
    (B + "batchnorm_forward", "running_mean as a list",
     _set(("plans", 1, "steps", 2, "running_mean"), lambda v: v.tolist()), ""),
    (B + "spatial_batchnorm_forward", "out flattened to (N, C*H*W)",
     _set(("plans", 0, "steps", 0, "out"), lambda v: v.reshape(v.shape[0], -1)), ""),
    (B + "spatial_batchnorm_forward", "cache['eps'] as a string",
     _set(("plans", 0, "steps", 0, "cache", "eps"), "1e-05"), ""),
    (B + "batchnorm_backward", "dout changed after the call, unchanged=True", _backward_modify_dout_claim_unchanged, ""),
    (B + "batchnorm_backward", "the cache changed after the call, unchanged=True",
     _backward_modify_cache_claim_unchanged, ""),
    (B + "batchnorm_backward", "dx as a scalar", _set(("cases", 0, "dx"), 0.0), ""),
    (B + "batchnorm_backward_alt", "dgamma with a leading axis", _set(("cases", 0, "dgamma"), lambda v: v[None]), ""),
    (B + "batchnorm_backward_alt", "cache_after without x_hat", _drop(("cases", 2, "cache_after", "x_hat")), ""),
    (B + "layernorm_forward", "gamma changed after the call, unchanged=True",
     lambda d: (_set(("cases", 0, "gamma_after"), lambda v: -v)(d), _set(("cases", 0, "unchanged"), True)(d)), ""),
    (B + "layernorm_forward", "cache['mu'] of shape (N,) instead of (N, 1)",
     _set(("cases", 0, "cache", "mu"), lambda v: v.ravel()), ""),
    (B + "layernorm_backward", "dbeta dropped", _drop(("cases", 3, "dbeta")), ""),
    (B + "groupnorm_forward", "cache['G'] = True where G = 1",
     lambda d: _set(("cases", _first_index(B + "groupnorm_forward", lambda c: c["G"] == 1), "cache", "G"), True)(d), ""),
    (B + "groupnorm_forward", "cache['G'] dropped", _drop(("cases", 0, "cache", "G")), ""),
    (B + "groupnorm_backward", "cache_after without G", _drop(("cases", 1, "cache_after", "G")), ""),
    (B + "groupnorm_backward", "cache_after as a list", _set(("cases", 0, "cache_after"), lambda v: list(v)), ""),
    (B + "BatchNorm1d", "x changed by forward, x_unchanged=True", _module_modify_x_claim_unchanged, ""),
    (B + "BatchNorm1d", "training as the string 'True'", _set(("runs", 0, "init", "training"), "True"), ""),
    (B + "BatchNorm1d", "training as the int 1 after train()",
     lambda d: _set(("runs", 0, "steps", next(i for i, s in enumerate(d["runs"][0]["steps"]) if s["op"] == "t"),
                     "training"), 1)(d), ""),
    (B + "BatchNorm1d", "running_mean truncated", _set(("runs", 1, "steps", 0, "running_mean"), lambda v: v[:-1]), ""),
    (B + "BatchNorm1d", "the initial state dropped", _drop(("runs", 0, "init")), ""),
]


@pytest.mark.parametrize("exercise_id, what, forge, source", FORGERIES,
                         ids=[f"{e} | {w}" for e, w, _, _ in FORGERIES])
def test_forged_answer_is_refused(exercise_id, what, forge, source):
    """Is data whose answers were forged this way refused by the judge?"""
    data = honest(exercise_id, source)
    forge(data)
    assert_refused(exercise_id, data, what)


def test_forgeries_cover_every_check():
    """Does every check in the three assignments have at least one named forgery?"""
    assert set(IDS) <= {e for e, *_ in FORGERIES}


@pytest.mark.parametrize("exercise_id, source", [(A + "collapse_linear", COLLAPSE_IN_PLACE),
                                                 (I + "xavier_uniform", XAVIER_SEEDED)])
def test_forgeries_start_from_data_the_judge_refuses(exercise_id, source):
    """The buggy variants some forgeries start from are refused as they are (the forgery tries to hide it)."""
    with pytest.raises(CheckFailure):
        get(exercise_id).judge(honest(exercise_id, source))


def test_unchanged_flags_are_no_longer_read():
    """A kernel-computed "unchanged" flag set to False on honest data does not fail it: the judge
    compares the arrays after the call instead (and the probe no longer sends such flags)."""
    for exercise_id in (B + "batchnorm_forward", B + "layernorm_forward", B + "groupnorm_backward", B + "BatchNorm1d"):
        data = honest(exercise_id)
        assert "unchanged" not in str(_keys(data)), f"{exercise_id}: the probe still sends a flag"
        for record in _records(data):
            for flag in ("inputs_unchanged", "unchanged", "x_unchanged"):
                record[flag] = False
        assert get(exercise_id).judge(data) > 0


def _keys(data: Any) -> set[str]:
    return {k for record in _records(data) for k in record}


def _records(data: Any) -> Iterator[dict[str, Any]]:
    if isinstance(data, dict):
        yield data
        for value in data.values():
            yield from _records(value)
    elif isinstance(data, (list, tuple)):
        for value in data:
            yield from _records(value)


# ---------------------------------------------------------------------------------------
# A sweep over every answer: dropped, or replaced by the wrong kind of value
# ---------------------------------------------------------------------------------------

Path = tuple[Any, ...]


def _answers(expected: Any, data: Any, path: Path = ()) -> Iterator[Path]:
    """The path of every answer in ``data``: each place the grader's inputs do not cover,
    and inside an answer, each of its dict keys and list items."""
    if isinstance(expected, dict) and isinstance(data, dict):
        for key, value in data.items():
            if key in expected:
                yield from _answers(expected[key], value, (*path, key))
            else:
                yield from _within((*path, key), value)
    elif isinstance(expected, (list, tuple)) and isinstance(data, (list, tuple)):
        for i, (e, value) in enumerate(zip(expected, data)):
            yield from _answers(e, value, (*path, i))


def _within(path: Path, value: Any) -> Iterator[Path]:
    yield path
    if isinstance(value, dict):
        for key, inner in value.items():
            yield from _within((*path, key), inner)
    elif isinstance(value, (list, tuple)):
        for i, inner in enumerate(value):
            yield from _within((*path, i), inner)


def _wrong_kinds(value: Any) -> Iterator[tuple[str, Any]]:
    """Replacements an honest probe never sends in place of ``value``."""
    if isinstance(value, np.ndarray):
        yield "a list", value.tolist()
        yield "an extra leading axis", value[None]
        if value.size > 1:
            yield "one entry fewer", value.reshape(-1)[:-1]
        yield "a string", "forged"
    elif isinstance(value, (bool, np.bool_)):
        yield "the int 1", 1
        yield "a string", "True"
    elif isinstance(value, (int, float)):
        yield "a one-element array", np.array([value])
        yield "a string", str(value)
        yield "a bool", bool(value)
    elif isinstance(value, str):
        yield "a number", 1.0
    elif value is None:
        yield "a number", 0.0
    elif isinstance(value, dict):
        yield "a list", list(value.values())
    elif isinstance(value, (list, tuple)):
        if value:
            yield "one item fewer", list(value)[:-1]
        yield "a string", "forged"


def _place(data: Any, path: Path) -> tuple[Any, Any]:
    parent = data
    for key in path[:-1]:
        parent = parent[key]
    return parent, path[-1]


def _sweep(exercise_id: str, limit: int = 45) -> Iterator[tuple[str, Any]]:
    base = _honest(exercise_id)
    paths = list(_answers(get(exercise_id).inputs(visible=False), base))
    assert paths, f"{exercise_id}: no answers found in the probe's data"
    # spread over the data, always including the first and the last answer
    step = max(1, len(paths) // limit)
    chosen = sorted(set(paths[::step]) | {paths[0], paths[-1]}, key=paths.index)
    for path in chosen:
        parent, key = _place(base, path)
        value = parent[key]
        if isinstance(parent, dict):
            forged = copy.deepcopy(base)
            p, k = _place(forged, path)
            del p[k]
            yield f"{path} dropped", forged
        for what, replacement in _wrong_kinds(value):
            forged = copy.deepcopy(base)
            p, k = _place(forged, path)
            if isinstance(p, tuple):
                continue
            p[k] = replacement
            yield f"{path} replaced by {what}", forged


@pytest.mark.parametrize("exercise_id", IDS)
def test_forged_answers_sweep_is_refused(exercise_id):
    """Is every answer, dropped or replaced by a value of the wrong kind or shape, refused?"""
    tried = 0
    for what, forged in _sweep(exercise_id):
        assert_refused(exercise_id, forged, what)
        tried += 1
    assert tried >= 5
