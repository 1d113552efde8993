"""RngArgument: all randomness comes from the generator passed in."""

from __future__ import annotations

import random
from typing import Any

import numpy as np

from ..base import Case, Check, Data
from ..judging import answer_array, answer_dict, answer_list
from .core import Property

__all__ = ["RngArgument"]


#: Global seeds the probe sets before each call, and the rng seeds it passes.
_GLOBAL_SEEDS = (20240601, 7)
_RNG_SEEDS = (11, 12)


def _global_states() -> dict[str, np.ndarray]:
    """NumPy's, torch's and Python's global random states, as arrays (in the kernel)."""
    import torch

    keys, pos = np.random.get_state()[1:3]
    return {"numpy": np.append(np.asarray(keys, dtype=np.int64), pos),
            "torch": torch.random.get_rng_state().numpy().astype(np.int64),
            "python": np.asarray(random.getstate()[1], dtype=np.int64)}


def _seed_globals(seed: int) -> None:
    import torch

    np.random.seed(seed)
    torch.manual_seed(seed)
    random.seed(seed)


def _seeded_states(seed: int) -> dict[str, np.ndarray]:
    """The global states right after :func:`_seed_globals` ``(seed)``, computed without touching them."""
    import torch

    keys, pos = np.random.RandomState(seed).get_state()[1:3]
    return {"numpy": np.append(np.asarray(keys, dtype=np.int64), pos),
            "torch": torch.Generator().manual_seed(seed).get_state().numpy().astype(np.int64),
            "python": np.asarray(random.Random(seed).getstate()[1], dtype=np.int64)}


_LIBRARIES = {"numpy": "np.random's global state (np.random.*)",
              "torch": "torch's global generator (torch.rand*, torch.randperm)",
              "python": "Python's random module"}


class RngArgument(Property):
    """The function draws its randomness from the `rng` it is given and from nothing else: with
    the same seed it returns the same result whatever the global NumPy, torch and Python random
    states are, with another seed another result, and it leaves those global states as they
    were."""

    name = "rng"

    def __init__(self, **shapes: tuple[int, ...]) -> None:
        #: what the check's ``with_rng(obj, rng)`` returns: array names and their shapes
        self.shapes = shapes

    def cases(self, check: Check, *, visible: bool) -> list[Data]:
        return [{"global_seeds": list(_GLOBAL_SEEDS), "rng_seeds": list(_RNG_SEEDS)}]

    def answer(self, check: Check, obj: Any, case: Data) -> Data:
        g0, g1 = case["global_seeds"]
        s0, s1 = case["rng_seeds"]
        saved = np.random.get_state(), random.getstate(), _torch_state()
        runs = []
        try:
            for g, s in ((g0, s0), (g1, s0), (g0, s1)):
                _seed_globals(g)
                out = check.with_rng(obj, np.random.default_rng(s))
                runs.append({"output": out, "states": _global_states()})
        finally:  # the student's notebook keeps its own global states
            np.random.set_state(saved[0])
            random.setstate(saved[1])
            _set_torch_state(saved[2])
        return {"runs": runs}

    def judge_cases(self, check: Check, cases: list[Case]) -> int:
        held = 0
        shapes = self.shapes
        state_shapes = {lib: state.shape for lib, state in _seeded_states(0).items()}
        for case, answer in cases:
            runs = answer_list(check, answer, "runs", 3, "the rng probe's runs")
            outputs, states = [], []
            for run in runs:
                out = answer_dict(check, run, "output", "the output of a call with a seeded rng")
                outputs.append({k: answer_array(check, out, k, shape, f"{k} of a call with a seeded rng")
                                for k, shape in shapes.items()})
                got = answer_dict(check, run, "states", "the global random states after a call")
                states.append({lib: answer_array(check, got, lib, shape, f"the {lib} global state after a call")
                               for lib, shape in state_shapes.items()})
            (g0, g1), (s0, s1) = case["global_seeds"], case["rng_seeds"]
            for g, state in zip((g0, g1, g0), states):  # the global seed set before each run
                want = _seeded_states(g)
                for lib, expected in want.items():
                    if not np.array_equal(state[lib], expected):
                        raise check.fail(f"the call changed {_LIBRARIES[lib]}: the rng argument must be the only "
                                         "source of randomness",
                                         expected=f"{lib}'s global random state left as it was",
                                         actual="it was drawn from or reseeded during the call",
                                         hint="draw everything from rng (rng.integers, rng.permutation, rng.normal, "
                                              "rng.random, ...); for torch, make a torch.Generator seeded from rng")
            held += 1
            same = all(np.array_equal(outputs[0][k], outputs[1][k]) for k in shapes)
            if not same:
                raise check.fail("with the same rng seed, the result must not depend on the global random state",
                                 expected=f"identical results for rng = default_rng({s0}) under global seeds "
                                          f"{g0} and {g1}",
                                 actual="different results: something is drawn from a global generator",
                                 hint="draw everything from the rng passed in, not from np.random, torch or random")
            held += 1
            differ = any(not np.array_equal(outputs[0][k], outputs[2][k]) for k in shapes)
            if not differ:
                raise check.fail("different rng seeds must give different results",
                                 expected=f"different results for default_rng({s0}) and default_rng({s1})",
                                 actual="the same result: the rng passed in is not used (or is reseeded inside)",
                                 hint="draw from the rng argument itself; never create or reseed a generator inside")
            held += 1
        return held


def _torch_state() -> Any:
    import torch

    return torch.random.get_rng_state()


def _set_torch_state(state: Any) -> None:
    import torch

    torch.random.set_rng_state(state)
