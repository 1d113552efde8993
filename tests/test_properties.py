"""The property layer (grader/checks/properties.py): declared properties add their cases, are
answered and judged by the layer, and each property rejects the mistakes it names.

Each property is tested here on a small check of its own, with honest and buggy functions
written for it; tests/test_checks.py runs it on every exercise that declares it."""

from __future__ import annotations

import random
from typing import Any

import numpy as np
import pytest
import torch

from grader.checks import REGISTRY, CheckFailure, statement
from grader.checks.base import PROPERTY_KEY, Check, Data, InputMismatch, bind_inputs
from grader.checks.probing import call, student_array
from grader.checks.properties import RngArgument


class Shuffle(Check):
    """shuffles a vector."""

    id = "00-test/shuffle"
    properties = (RngArgument(order=(30,)),)

    def cases(self, *, visible: bool) -> list[Data]:
        return [{"n": 5}]

    def answer(self, obj: Any, case: Data) -> Any:
        return {"n_after": case["n"]}

    def judge_case(self, case: Data, answer: Any) -> int:
        return 1

    def with_rng(self, obj: Any, rng: np.random.Generator) -> Data:
        return {"order": student_array(self, call(self, obj, 30, rng=rng, what="shuffle(30, rng=rng)"), "the order", (30,))}



CHECK = Shuffle()


def honest(n, *, rng):
    return rng.permutation(n)


def honest_torch(n, *, rng):
    g = torch.Generator().manual_seed(int(rng.integers(2**62)))
    return torch.randperm(n, generator=g).numpy()


def uses_numpy_global(n, *, rng):
    return np.random.permutation(n)


def uses_torch_global(n, *, rng):
    return torch.randperm(n).numpy()


def uses_python_random(n, *, rng):
    order = list(range(n))
    random.shuffle(order)
    return np.array(order)


def reseeds_inside(n, *, rng):
    return np.random.default_rng(0).permutation(n)


def mixes_rng_and_global(n, *, rng):
    order = rng.permutation(n)
    return order[::-1] if np.random.random() < 0.5 else order


def seeds_global_from_rng(n, *, rng):
    np.random.seed(int(rng.integers(2**31)))
    return np.random.permutation(n)


def _judged(fn) -> int:
    return CHECK.judge(CHECK.probe(fn))


@pytest.mark.parametrize("fn", [honest, honest_torch])
def test_a_function_that_draws_from_rng_only_passes(fn):
    assert _judged(fn) == 1 + 3


@pytest.mark.parametrize("fn, words", [
    (uses_numpy_global, "np.random's global state"),
    (uses_torch_global, "torch's global generator"),
    (uses_python_random, "Python's random module"),
    (seeds_global_from_rng, "np.random's global state"),
    (reseeds_inside, "different rng seeds must give different results"),
])
def test_each_other_source_of_randomness_is_named(fn, words):
    with pytest.raises(CheckFailure) as failed:
        _judged(fn)
    assert words in str(failed.value), str(failed.value)


def test_a_draw_from_the_global_state_that_leaves_it_as_it_was_is_still_caught():
    """Saving and restoring the global state hides the draw from the state test; the outputs under
    two global seeds then differ."""
    def restores(n, *, rng):
        state = np.random.get_state()
        order = np.random.permutation(n)
        np.random.set_state(state)
        return order

    with pytest.raises(CheckFailure, match="must not depend on the global random state"):
        _judged(restores)


def test_mixing_rng_and_a_global_draw_is_caught():
    with pytest.raises(CheckFailure, match="np.random's global state"):
        _judged(mixes_rng_and_global)


def test_the_probe_leaves_the_notebooks_global_states_as_they_were():
    np.random.seed(3)
    random.seed(3)
    torch.manual_seed(3)
    before = np.random.get_state()[1].copy(), random.getstate(), torch.random.get_rng_state().clone()
    CHECK.probe(uses_numpy_global)
    assert np.array_equal(np.random.get_state()[1], before[0])
    assert random.getstate() == before[1]
    assert torch.equal(torch.random.get_rng_state(), before[2])


def test_property_cases_follow_the_checks_own_and_are_bound_like_them():
    cases = CHECK.all_cases(visible=True)
    assert cases[0] == {"n": 5} and cases[1][PROPERTY_KEY] == "rng"
    assert CHECK.all_cases(visible=False)[1:] == cases[1:], "the hidden check contains the visible one"
    data = CHECK.probe(honest, visible=True)
    bind_inputs(CHECK, data, visible=True)
    data["cases"][1]["inputs"]["rng_seeds"] = [11, 11]
    with pytest.raises(InputMismatch):
        bind_inputs(CHECK, data, visible=True)


def test_forged_global_states_are_refused():
    data = CHECK.probe(honest)
    data["cases"][1]["answer"]["runs"][0]["states"]["numpy"] = np.zeros(3)
    with pytest.raises(CheckFailure, match="has the wrong shape"):
        CHECK.judge(data)


def test_the_notebook_statement_ends_with_each_declared_propertys_sentence():
    declaring = [i for i, c in REGISTRY.items() if any(isinstance(p, RngArgument) for p in c.properties)]
    assert len(declaring) == 8, declaring
    for exercise_id in declaring:
        assert statement(exercise_id).endswith(RngArgument().sentence())
