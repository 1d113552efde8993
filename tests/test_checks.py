"""Every exercise check accepts right answers and rejects realistic wrong ones.

Generic over the catalog: an exercise adds its check (``grader/checks/<notebook>/<exercise>.py``)
and its variants (``tests/variants/<notebook>/<exercise>.py``), and every test here covers them
with no change. A check whose correct answers may draw from global random state sets the class
attribute ``randomized = True``; those are also re-run under several global seeds.
"""

from __future__ import annotations

import copy
import inspect
import json
import math
import pickle
import random
from pathlib import Path

import numpy as np
import pytest
import torch

from grader import catalog
from grader.checks import REGISTRY, CheckFailure, get, is_plain, judge, probe, run
from tests.variants import DEMO_MISTAKES, Variant, demo_mistakes, load_all

VARIANTS: dict[str, list[Variant]] = load_all()
CHECKED = [ex.id for ex in catalog.exercises() if ex.id in REGISTRY]
ALL = [v for ex_id in CHECKED for v in VARIANTS.get(ex_id, [])]
CORRECT = [v for v in ALL if v.kind == "correct"]
BUGGY = [v for v in ALL if v.kind == "buggy"]
RANDOMIZED = [v for v in CORRECT if getattr(get(v.exercise_id), "randomized", False)]
SEEDS = [0, 1, 7, 2024, 2**31 - 1]


def _ids(variants: list[Variant]) -> list[str]:
    return [f"{v.exercise_id} | {v}" for v in variants]


@pytest.fixture
def restore_global_rng():
    """Leave NumPy's, Python's and torch's global random state as the test found them."""
    np_state, py_state, torch_state = np.random.get_state(), random.getstate(), torch.random.get_rng_state()
    yield
    np.random.set_state(np_state)
    random.setstate(py_state)
    torch.random.set_rng_state(torch_state)


# --- the catalog, the checks and the variants agree ------------------------------------

def test_every_catalog_exercise_has_a_check_and_every_check_is_in_the_catalog():
    """Does every exercise in grader/catalog.toml have a registered check, and vice versa?"""
    ids = {ex.id for ex in catalog.exercises()}
    assert ids - set(REGISTRY) == set(), f"exercises without a check: {sorted(ids - set(REGISTRY))}"
    assert set(REGISTRY) - ids == set(), f"checks not in the catalog: {sorted(set(REGISTRY) - ids)}"


def test_variants_name_catalog_exercises():
    """Does every variant module register variants only for exercises in the catalog?"""
    unknown = set(VARIANTS) - {ex.id for ex in catalog.exercises()}
    assert not unknown, f"variants for unknown exercise ids: {sorted(unknown)}"


@pytest.mark.parametrize("exercise_id", CHECKED)
def test_each_check_has_enough_variants(exercise_id):
    """Does each check have >= 3 buggy and >= 1 correct variant, and exactly one buggy demo?"""
    vs = VARIANTS.get(exercise_id, [])
    n_buggy = sum(v.kind == "buggy" for v in vs)
    n_correct = sum(v.kind == "correct" for v in vs)
    assert n_buggy >= 3, f"{exercise_id}: {n_buggy} buggy variants, need at least 3"
    assert n_correct >= 1, f"{exercise_id}: {n_correct} correct variants, need at least 1"
    demos = [v for v in vs if v.demo]
    assert len(demos) == 1 and demos[0].kind == "buggy", \
        f"{exercise_id}: mark exactly one buggy variant demo=True, found {[str(v) for v in demos]}"


def _home(exercise_id: str) -> Path:
    """Where an exercise's files live below grader/checks/ and tests/variants/: <notebook>/<exercise>.py,
    the notebook's folder named without its number ("01-sgd" -> "sgd")."""
    assignment, grade_id = exercise_id.split("/")
    return Path(assignment.split("-", 1)[1]) / f"{grade_id.lower()}.py"


@pytest.mark.parametrize("exercise_id", CHECKED)
def test_each_exercise_has_one_check_file_and_one_variants_file(exercise_id):
    """Is the check of every exercise in grader/checks/<notebook>/<exercise>.py, and every variant of it
    in tests/variants/<notebook>/<exercise>.py (the one file of each kind the README points to)?"""
    root = Path(__file__).resolve().parents[1]
    check_file = Path(inspect.getfile(type(get(exercise_id)))).resolve()
    assert check_file == root / "grader" / "checks" / _home(exercise_id), \
        f"{exercise_id}: its check is in {check_file.relative_to(root)}, not grader/checks/{_home(exercise_id)}"
    for v in VARIANTS.get(exercise_id, []):
        assert Path(v.filename).resolve() == root / "tests" / "variants" / _home(exercise_id), \
            f"{exercise_id} | {v}: defined in {v.filename}, not tests/variants/{_home(exercise_id)}"


def test_check_and_variants_files_stay_small():
    """Is every file of grader/checks/ and tests/variants/ at most 400 lines (one exercise per file)?"""
    root = Path(__file__).resolve().parents[1]
    long = {str(p.relative_to(root)): n for folder in ("grader/checks", "tests/variants")
            for p in (root / folder).rglob("*.py") if (n := len(p.read_text().splitlines())) > 400}
    assert not long, f"files over 400 lines: {long}; split them (one exercise per file, shared helpers in shared.py)"


def test_demo_mistakes_are_the_demo_variants():
    """Does grader/demo_mistakes.json, where the demo builder reads the typical mistakes, hold exactly
    the variants marked demo=True? (If not: run `python -m tests.variants` and commit the file.)"""
    assert json.loads(DEMO_MISTAKES.read_text(encoding="utf-8")) == demo_mistakes(), \
        "grader/demo_mistakes.json is stale: run `python -m tests.variants` and commit it"


# --- correct answers pass, buggy answers fail -------------------------------------------

@pytest.mark.parametrize("variant", CORRECT, ids=_ids(CORRECT))
def test_correct_variant_passes(variant):
    """Does a right answer, written differently from the solution, pass both the visible and the hidden check?"""
    run(variant.exercise_id, variant.obj, visible=True)
    run(variant.exercise_id, variant.obj)


@pytest.mark.parametrize("variant", BUGGY, ids=_ids(BUGGY))
def test_buggy_variant_fails(variant):
    """Does the hidden check reject a realistic wrong answer with a CheckFailure naming the exercise?"""
    with pytest.raises(Exception) as info:
        run(variant.exercise_id, variant.obj)
    err = info.value
    assert isinstance(err, AssertionError), f"the check crashed instead of failing: {type(err).__name__}: {err}"
    if isinstance(err, CheckFailure):
        assert err.exercise == variant.exercise_id
        assert str(err).startswith(variant.exercise_id)


# --- the judge needs nothing but the probe's plain data ---------------------------------

@pytest.mark.parametrize("variant", ALL, ids=_ids(ALL))
def test_probe_data_is_plain_and_judge_survives_a_pickle_round_trip(variant):
    """Is the probe's data plain, and does the judge reach the same verdict on a deep-copied, pickled copy of it?"""
    try:
        data = probe(variant.exercise_id, variant.obj)
    except CheckFailure:
        assert variant.kind == "buggy", "a correct variant failed in the probe"
        return  # a wrong return type is rejected by the probe itself
    assert is_plain(data), "probe returned something that is not plain data"
    shipped = pickle.loads(pickle.dumps(copy.deepcopy(data)))
    if variant.kind == "correct":
        assert judge(variant.exercise_id, shipped) == judge(variant.exercise_id, data) > 0
    else:
        with pytest.raises(CheckFailure):
            judge(variant.exercise_id, shipped)


# --- unfilled stubs -----------------------------------------------------------------------

def _raises_not_implemented(*args, **kwargs):
    raise NotImplementedError("replace this stub with your code")


STUBS = {
    "returns None": lambda *a, **k: None,
    "returns 0.0": lambda *a, **k: 0.0,
    "returns np.zeros(3)": lambda *a, **k: np.zeros(3),
    "returns (0.0, np.zeros(3))": lambda *a, **k: (0.0, np.zeros(3)),
}


@pytest.mark.parametrize("exercise_id", CHECKED)
@pytest.mark.parametrize("visible", [True, False], ids=["visible", "hidden"])
def test_untouched_stub_does_not_pass(exercise_id, visible):
    """Does the notebook's untouched stub (raise NotImplementedError) fail rather than pass?"""
    with pytest.raises((NotImplementedError, AssertionError)):
        run(exercise_id, _raises_not_implemented, visible=visible)


@pytest.mark.parametrize("exercise_id", CHECKED)
@pytest.mark.parametrize("stub", list(STUBS), ids=list(STUBS))
@pytest.mark.parametrize("visible", [True, False], ids=["visible", "hidden"])
def test_placeholder_answer_fails_with_check_failure(exercise_id, stub, visible):
    """Does an answer that returns None, zero or zeros fail with a CheckFailure, not a crash?"""
    with pytest.raises(CheckFailure):
        run(exercise_id, STUBS[stub], visible=visible)


# --- no flakiness -----------------------------------------------------------------------

def _salted(salt: int):
    """np.random.default_rng, with ``salt`` mixed into every seed it is given: the same calls, other streams."""
    plain = np.random.default_rng

    def default_rng(seed=None):
        if seed is None or isinstance(seed, (np.random.Generator, np.random.BitGenerator, np.random.SeedSequence)):
            return plain(seed)
        entropy = [int(s) for s in np.atleast_1d(np.asarray(seed, dtype=object))]
        return plain(np.random.SeedSequence(entropy, spawn_key=(salt,)))

    return default_rng


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("variant", RANDOMIZED, ids=_ids(RANDOMIZED))
def test_randomized_correct_variant_passes_under_other_streams(variant, seed, restore_global_rng, monkeypatch):
    """Does a right answer pass whatever random numbers the check draws (no flaky statistics)? The
    check seeds every generator it makes (its data, the rng it passes, its properties' draws), so the
    same run would draw the same numbers every time: here each seed gets a salt, which gives every
    stream of the check other numbers, and the global NumPy / random / torch seeds change too. Each
    statistical test rejects a right answer with probability below its budget (grader/checks/stats.py),
    so a failure here is a biased test, not bad luck."""
    monkeypatch.setattr(np.random, "default_rng", _salted(seed))
    np.random.seed(seed)
    random.seed(seed)
    torch.manual_seed(seed)
    run(variant.exercise_id, variant.obj)


# --- variants stand alone in a notebook cell ----------------------------------------------

def _pasted(variant: Variant):
    """Define the variant from its own source text alone, as a notebook cell would."""
    namespace = {"np": np, "torch": torch, "math": math, "random": random}
    exec(compile(variant.source, f"<pasted {variant}>", "exec"), namespace)
    return namespace[variant.obj.__name__]


@pytest.mark.parametrize("variant", CORRECT, ids=_ids(CORRECT))
def test_correct_variant_source_runs_pasted_into_a_fresh_namespace(variant):
    """Does a correct variant's source, without its decorator, define a function that passes
    the visible check with only np, torch, math and random in scope (as in a notebook)?"""
    run(variant.exercise_id, _pasted(variant), visible=True)


DEMO = [v for v in BUGGY if v.demo]


@pytest.mark.parametrize("variant", DEMO, ids=_ids(DEMO))
def test_demo_mistake_pasted_alone_is_rejected(variant):
    """Is the typical mistake that the demo submission pastes into its notebook, taken from its
    own source text, rejected by the hidden check?"""
    with pytest.raises(AssertionError):
        run(variant.exercise_id, _pasted(variant))
