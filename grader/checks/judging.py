"""The judge side: reading the answers in probe data, in :meth:`Check.judge_case`.

When autograding, the probe runs in the student's kernel, so a judge may receive forged data:
the grader's inputs are bound (:func:`grader.checks.base.bind_inputs`), the answers are not. A
judge therefore reads every answer through one of these readers, with the type and shape it
expects taken from the inputs, never from the answer, and trusts nothing the probe validated in
the kernel. They share one argument order, ``(check, record, key, [shape or length,] what)``:
``record`` is the answer (or a dict inside it), ``record[key]`` the value read, and ``what``
names it as the student knows it, so that a failure reads like the probe's would have.

Inputs the student's code must leave alone are recorded by the probe as they are after the call
(``<name>_after``); :func:`unchanged` compares them with the grader's own inputs, so that a
flag computed in the kernel ("unmodified: True") is never needed nor read.
"""

from __future__ import annotations

import copy
import functools
import hashlib
import pickle
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from .base import ATOL_FLOOR, STRICT_TOLERANCE, Check, CheckFailure, expect, expect_shape

__all__ = [
    "register_memo",
    "describe",
    "answer_field",
    "answer_array",
    "answer_number",
    "answer_flag",
    "answer_list",
    "answer_dict",
    "real_array",
    "unchanged",
    "remembered",
    "forget_judgements",
]


def describe(value: Any) -> str:
    """What ``value`` is, for a failure message: 'a list', 'an array of shape (3,) and dtype int64'."""
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape} and dtype {value.dtype}"
    return f"a {type(value).__name__}"


def answer_field(check: Check, record: Any, key: str, what: str) -> Any:
    """``record[key]``, or a failure saying the probe's data holds no ``what``."""
    expect(check, isinstance(record, Mapping) and key in record, f"the probe's data holds no {what}",
           expected=f"an entry {key!r}", actual="missing" if isinstance(record, Mapping) else describe(record))
    return record[key]


def real_array(check: Check, value: Any, what: str, *, hint: str = "") -> np.ndarray:
    """``value`` as float64, failing unless it is an array of real numbers (any shape)."""
    expect(check, isinstance(value, np.ndarray) and value.dtype.kind in "biuf",
           f"{what} must be an array of real numbers", expected="a float array", actual=describe(value), hint=hint)
    return value.astype(np.float64)


def answer_array(check: Check, record: Any, key: str, shape: tuple[int | None, ...] | None, what: str, *,
                 hint: str = "") -> np.ndarray:
    """The answer ``record[key]``: an array of real numbers, as float64, of exactly ``shape``
    (``None`` for any shape; a ``None`` entry for any length along that axis)."""
    a = real_array(check, answer_field(check, record, key, what), what, hint=hint)
    if shape is not None:
        if None in shape:
            fits = a.ndim == len(shape) and all(s is None or s == n for s, n in zip(shape, a.shape))
            expect(check, fits, f"{what} has the wrong shape", expected=tuple(shape), actual=a.shape, hint=hint)
        else:
            expect_shape(check, a, shape, what, hint=hint)
    return a


def answer_number(check: Check, record: Any, key: str, what: str, *, hint: str = "") -> float:
    """The answer ``record[key]``: one real number (not a bool, not an array)."""
    value = answer_field(check, record, key, what)
    ok = isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, (bool, np.bool_))
    expect(check, ok, f"{what} must be one number", expected="a float", actual=describe(value), hint=hint)
    return float(value)


def answer_flag(check: Check, record: Any, key: str, what: str) -> bool:
    """The answer ``record[key]``: a bool (a state the student's object reported, not a verdict)."""
    value = answer_field(check, record, key, what)
    expect(check, isinstance(value, (bool, np.bool_)), f"{what} must be a bool", expected="True or False",
           actual=describe(value))
    return bool(value)


def answer_list(check: Check, record: Any, key: str, length: int, what: str, *, prop: str = "",
                hint: str = "") -> list[Any]:
    """The answer ``record[key]``: a list (or tuple) of exactly ``length`` items, one per call or
    item of the inputs. ``prop`` replaces the failure's "{what} must be a list of ... items"."""
    value = answer_field(check, record, key, what)
    ok = isinstance(value, (list, tuple)) and len(value) == length
    actual = f"{len(value)} item(s)" if isinstance(value, (list, tuple)) else describe(value)
    expect(check, ok, prop or f"{what} must be a list of {length} items", expected=f"{length} item(s)",
           actual=actual, hint=hint)
    return list(value)


def answer_dict(check: Check, record: Any, key: str, what: str) -> Mapping[str, Any]:
    """The answer ``record[key]``: a dict."""
    value = answer_field(check, record, key, what)
    expect(check, isinstance(value, Mapping), f"{what} must be a dict", expected="a dict", actual=describe(value))
    return value


def unchanged(check: Check, record: Any, key: str, before: Any, what: str) -> bool:
    """True when the array the probe kept after the call, ``record[key]``, still equals the
    grader's input ``before`` (same shape and values); a failure unless it is an array of numbers."""
    after = real_array(check, answer_field(check, record, key, what), what)
    before = np.asarray(before, dtype=np.float64)
    return after.shape == before.shape and bool(np.array_equal(after, before, equal_nan=True))


#: Every memo of :func:`remembered`, so that :func:`forget_judgements` empties them.
_MEMOS: list[dict] = []


def remembered(judge: Callable[..., Any]) -> Callable[..., Any]:
    """A judge method ``(self, *data)`` of plain data, remembered by the data's content: the same data
    judged again (a retried batch, a test that forges another answer of the same probe data) costs a
    hash instead of the judging. Its failure is remembered too and raised again. The tolerances a
    property sets (STRICT_TOLERANCE, ATOL_FLOOR) are part of the key. For judges whose work is large
    (window searches, statistics over thousands of values); at most 256 outcomes are kept."""
    memo: dict[str, Any] = {}
    _MEMOS.append(memo)

    @functools.wraps(judge)
    def wrapper(self: Check, *data: Any) -> Any:
        try:
            key = hashlib.sha1(pickle.dumps((self.id, STRICT_TOLERANCE.get(), ATOL_FLOOR.get(), data),
                                            protocol=5)).hexdigest()
        except Exception:  # noqa: BLE001 - not plain data: judge it without the memo
            return judge(self, *data)
        if key not in memo:
            if len(memo) >= 256:
                memo.pop(next(iter(memo)))
            try:
                memo[key] = ("value", judge(self, *data))
            except CheckFailure as failure:
                memo[key] = ("failure", failure)
        kind, outcome = memo[key]
        if kind == "failure":
            raise outcome.with_traceback(None)
        return copy.deepcopy(outcome)  # the caller may change what it gets

    return wrapper


def register_memo(memo: dict) -> dict:
    """Have :func:`forget_judgements` empty ``memo`` too (a check's own cache of oracle results); returns it."""
    _MEMOS.append(memo)
    return memo


def forget_judgements() -> None:
    """Empty the memos of every :func:`remembered` judge (benchmarks time a first judging with it)."""
    for memo in _MEMOS:
        memo.clear()
