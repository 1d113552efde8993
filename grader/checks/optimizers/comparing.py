"""Reading and comparing trajectories for :mod:`.shared` (the driver of the update-rule checks): the
strict readers of a probe's values, the element tolerance, and the bulk comparison of a whole replay."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..base import Check, Data
from ..judging import answer_array, unchanged

__all__ = ["RTOL", "SCALE_ATOL", "read_array", "inputs_unchanged", "tolerance", "close", "bulk"]

#: element tolerance: |actual - expected| <= RTOL |expected| + SCALE_ATOL max|expected|
RTOL = 1e-9
SCALE_ATOL = 1e-12


def read_array(check: Check, record: Any, key: str, shape: tuple[int, ...], what: str) -> np.ndarray:
    """:func:`answer_array`, with a fast path for a float64 array of the right shape (the usual answer)."""
    value = record.get(key) if isinstance(record, dict) else None
    if isinstance(value, np.ndarray) and value.dtype == np.float64 and value.shape == tuple(shape):
        return value
    return answer_array(check, record, key, shape, what)


def inputs_unchanged(check: Check, record: Any, key: str, before: np.ndarray, what: str) -> bool:
    value = record.get(key) if isinstance(record, dict) else None
    if isinstance(value, np.ndarray) and value.dtype == np.float64:
        return value.shape == before.shape and bool(np.array_equal(value, before, equal_nan=True))
    return unchanged(check, record, key, before, what)


def tolerance(expected: np.ndarray, rtol: float, scale_atol: float) -> float:
    return scale_atol * float(np.max(np.abs(expected))) if expected.size else 0.0


def close(actual: Any, expected: Any, rtol: float = RTOL, scale_atol: float = SCALE_ATOL) -> bool:
    if expected is None or actual is None:
        return expected is None and actual is None
    a, e = np.asarray(actual, dtype=np.float64), np.asarray(expected, dtype=np.float64)
    if a.shape != e.shape:
        return False
    diff = np.abs(a - e)
    return bool((diff <= rtol * np.abs(e) + scale_atol * np.abs(e).max(initial=0.0) + 1e-300).all())


def bulk(plan: Data, answer: Any, expected: list[list[Data]], rtol: float, scale_atol: float) -> int | None:
    """The number of comparisons of :func:`.shared.compare` when ``answer`` is of the usual form (dicts, lists,
    float64 arrays of the right shapes, the right keys) and every comparison holds, compared all steps
    at once; None otherwise (then :func:`.shared.compare` reads it step by step and names the first difference)."""
    def arr(value: Any, shape: tuple[int, ...]) -> np.ndarray:
        if not (isinstance(value, np.ndarray) and value.dtype == np.float64 and value.shape == shape):
            raise _Irregular
        return value

    try:
        steps = answer["steps"]
        if not (isinstance(steps, list) and len(steps) == len(expected)):
            return None
        n = len(plan["params"])
        previous = [np.asarray(p, dtype=np.float64) for p in plan["params"]]
        inputs_got, inputs_want, held = [], [], 0
        values: dict[tuple[int, str], tuple[list[np.ndarray], list[np.ndarray]]] = {}
        for s, (step, want) in enumerate(zip(steps, expected)):
            order = [i for group in plan["groups"] for i in group["params"] if plan["grads"][s][i] is not None]
            calls, params, states = step["calls"], step["params"], step["states"]
            if not (isinstance(calls, list) and len(calls) == len(order) and isinstance(params, list)
                    and len(params) == n and isinstance(states, list) and len(states) == n):
                return None
            for i, rec in zip(order, calls):
                grad = np.asarray(plan["grads"][s][i], dtype=np.float64)
                inputs_got += [arr(rec["grad_after"], grad.shape).ravel(), arr(rec["param_after"], grad.shape).ravel()]
                inputs_want += [grad.ravel(), previous[i].ravel()]
                held += 2
            for i in range(n):
                state, wanted = states[i], want[i]["state"]
                if not (isinstance(state, dict) and state.keys() == wanted.keys()):
                    return None
                held += 1
                for key, exp in [*wanted.items(), ("param", want[i]["param"])]:
                    got = params[i] if key == "param" else state[key]
                    if exp is None:
                        if got is not None:
                            return None
                        continue
                    got_list, exp_list = values.setdefault((i, key), ([], []))
                    got_list.append(arr(got, exp.shape))
                    exp_list.append(exp)
                    held += 1
                previous[i] = arr(params[i], previous[i].shape)
        if inputs_got and not np.array_equal(np.concatenate(inputs_got), np.concatenate(inputs_want), equal_nan=True):
            return None
        for got_list, exp_list in values.values():
            if len({e.shape for e in exp_list}) != 1:   # a buffer that changes shape: read it step by step
                return None
            g, e = np.stack(got_list), np.stack(exp_list)
            scale = np.abs(e).reshape(len(e), -1).max(axis=1, initial=0.0).reshape((-1,) + (1,) * (e.ndim - 1))
            if not (np.abs(g - e) <= rtol * np.abs(e) + scale_atol * scale + 1e-300).all():
                return None
        return held
    except (_Irregular, KeyError, TypeError, AttributeError, IndexError):
        return None


class _Irregular(Exception):
    """An answer not of the usual form: :func:`.shared.compare` reads it step by step."""
