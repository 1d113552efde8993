"""The exercise-check protocol: a *probe* and a *judge* per exercise.

Every graded exercise has one :class:`Check`. Grading it is two steps:

1. ``probe(obj, visible=...)`` calls the student's function, class or result on the
   check's own inputs and returns **plain data** (:data:`Data`): numbers, strings,
   booleans, ``None``, NumPy arrays, and lists / tuples / dicts of those. The probe is
   the only step that touches student code.
2. ``judge(data)`` compares that data with an independent oracle (autograd, torch
   built-ins, closed forms, statistics on large samples, scikit-learn) and raises
   :class:`CheckFailure` (an ``AssertionError``) naming the property that failed.
   A judge needs nothing but ``data``: it may be run in another process, where no
   student code exists.

``visible=True`` asks the probe for the quick subset shown to students; the hidden test
runs the full probe. A judge checks whatever the data it is given contains.
"""

from __future__ import annotations

import abc
from collections.abc import Callable, Mapping
from typing import Any, ClassVar

import numpy as np

__all__ = [
    "Check",
    "CheckFailure",
    "as_float_array",
    "Data",
    "REGISTRY",
    "register",
    "P_FALSE_REJECT",
    "expect",
    "expect_close",
    "expect_not_none",
    "expect_shape",
    "is_plain",
    "bind_inputs",
    "binomial_band",
    "InputMismatch",
]

#: What a probe returns: plain data, nothing callable, nothing from student code.
Data = dict[str, Any]


class CheckFailure(AssertionError):
    """A property of a student's answer does not hold.

    The message names the exercise and the property, gives the expected and actual
    values, and a hint on what to look at.
    """

    def __init__(self, exercise: str, prop: str, *, expected: Any, actual: Any, hint: str = ""):
        self.exercise = exercise
        self.prop = prop
        self.expected = expected
        self.actual = actual
        self.hint = hint
        lines = [
            f"{exercise}: {prop}",
            f"  expected: {_short(expected)}",
            f"  actual:   {_short(actual)}",
        ]
        if hint:
            lines.append(f"  hint: {hint}")
        super().__init__("\n".join(lines))


def _short(value: Any, limit: int = 300) -> str:
    if isinstance(value, np.ndarray):
        with np.printoptions(precision=6, threshold=12, edgeitems=3, linewidth=120):
            text = f"array of shape {value.shape}: {value}"
    else:
        text = str(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


class Check(abc.ABC):
    """One exercise's check. Subclasses set ``id`` and implement probe and judge."""

    #: Stable exercise id, ``"<assignment>/<grade_id>"``, e.g. ``"01-sgd/minibatch_indices"``.
    id: ClassVar[str]
    #: True when a correct answer may use any random stream: tests then run it under several seeds.
    randomized: ClassVar[bool] = False

    @abc.abstractmethod
    def probe(self, obj: Any, *, visible: bool = False) -> Data:
        """Call the student's ``obj`` on this check's inputs; return plain data."""

    @abc.abstractmethod
    def judge(self, data: Data) -> int:
        """Compare ``data`` with the oracle; raise :class:`CheckFailure` on the first
        property that fails. Returns the number of properties that held."""

    def inputs(self, *, visible: bool = False) -> Data | None:
        """The part of :meth:`probe`'s data that the grader chose, built here with no student code:
        the inputs, seeds, shapes and options of every case, and how many cases there are.

        When autograding, the probe runs in the student's sandboxed kernel, which may hand back
        anything. The grader recomputes ``inputs()`` in its own process and accepts the data only
        if it contains these values unchanged (:func:`bind_inputs`), so forged data cannot change
        the questions asked -- only the answers, which the judge then checks. Return the same
        nesting as the probe's data (dicts with a subset of its keys, lists of the same length);
        ``{}`` when the probe has no inputs of its own (an exercise with no arguments, say).
        ``None`` means "not declared", which the tests reject.
        """
        return None

    # Helpers bound to this exercise, so that messages always name it.
    def fail(self, prop: str, *, expected: Any, actual: Any, hint: str = "") -> CheckFailure:
        return CheckFailure(self.id, prop, expected=expected, actual=actual, hint=hint)


#: Every check, by exercise id. Filled by :func:`register` when grader.checks is imported.
REGISTRY: dict[str, Check] = {}


def register(cls: type[Check]) -> type[Check]:
    """Class decorator: instantiate ``cls`` and file it under ``cls.id``."""
    if cls.id in REGISTRY:
        raise ValueError(f"two checks claim the exercise id {cls.id!r}")
    REGISTRY[cls.id] = cls()
    return cls


#: Largest probability with which a statistical check may reject a correct answer
#: (per check; split it between its statistical properties by the union bound).
P_FALSE_REJECT = 1e-9


def binomial_band(m: int, p: float, alpha: float) -> tuple[float, float]:
    """(lo, hi): a Binomial(m, p) count falls below lo or above hi with probability <= alpha (exactly)."""
    from scipy import stats

    return float(stats.binom.ppf(alpha / 2, m, p)), float(stats.binom.isf(alpha / 2, m, p))


def expect_not_none(check: Check, value: Any, what: str) -> None:
    """Fail with a hint about a missing ``return`` when ``value`` is None."""
    if value is None:
        raise check.fail(f"the function returned None instead of {what}", expected=what, actual=None,
                         hint="did you forget the `return` statement?")


def expect(check: Check, ok: bool, prop: str, *, expected: Any, actual: Any, hint: str = "") -> None:
    """Raise ``check.fail(...)`` unless ``ok``."""
    if not ok:
        raise check.fail(prop, expected=expected, actual=actual, hint=hint)


def expect_shape(check: Check, actual: np.ndarray, shape: tuple[int, ...], what: str, *, hint: str = "") -> None:
    """Fail unless ``actual`` has exactly ``shape``."""
    got = tuple(np.shape(actual))
    expect(check, got == tuple(shape), f"{what} has the wrong shape",
           expected=tuple(shape), actual=got, hint=hint)


def expect_close(
    check: Check,
    actual: Any,
    expected: Any,
    what: str,
    *,
    rtol: float = 1e-6,
    atol: float = 1e-8,
    hint: str = "",
) -> None:
    """Fail unless ``actual`` matches ``expected`` in shape, is finite where expected
    is, and agrees within ``atol + rtol * |expected|`` everywhere."""
    a = np.asarray(actual, dtype=np.float64)
    e = np.asarray(expected, dtype=np.float64)
    expect_shape(check, a, e.shape, what, hint=hint)
    finite = np.isfinite(e)
    bad_finite = finite & ~np.isfinite(a)
    if bad_finite.any():
        raise check.fail(f"{what} is not finite", expected=e, actual=a,
                         hint=hint or "look for an overflow in exp or log")
    diff = np.abs(a - e)
    tol = atol + rtol * np.abs(e)
    if np.any(diff[finite] > tol[finite]):
        from ._student_view import describe_mismatch

        raise check.fail(f"{what} does not match: {describe_mismatch(a, e, rtol=rtol, atol=atol, sizes=e.shape)}",
                         expected=e, actual=a, hint=hint)


def is_plain(value: Any) -> bool:
    """True when ``value`` is plain data a judge may receive (see :data:`Data`)."""
    if value is None or isinstance(value, (bool, int, float, complex, str, np.generic)):
        return True
    if isinstance(value, np.ndarray):
        return value.dtype != object
    if isinstance(value, (list, tuple)):
        return all(is_plain(v) for v in value)
    if isinstance(value, Mapping):
        return all(isinstance(k, str) and is_plain(v) for k, v in value.items())
    return False


def as_float_array(check: Check, value: Any, what: str) -> np.ndarray:
    """Convert a student's return value to a float64 array, or fail with a clear message.

    Accepts NumPy arrays, torch tensors (detached, moved to the CPU), lists and numbers.
    """
    if hasattr(value, "detach") and callable(value.detach):
        value = value.detach().cpu().numpy()
    try:
        out = np.array(value, dtype=np.float64)
    except (TypeError, ValueError) as err:
        raise check.fail(f"{what} must be numbers", expected="an array or a number",
                         actual=f"{type(value).__name__} ({err})",
                         hint="return a NumPy array, a torch tensor or a float") from None
    return out


Probe = Callable[[Any], Data]


class InputMismatch(CheckFailure):
    """Probe data handed back by a kernel does not contain the grader's own inputs."""


def _mismatch(expected: Any, actual: Any, where: str) -> str:
    """'' when ``actual`` holds ``expected`` (see :func:`bind_inputs`), else where it differs."""
    if isinstance(expected, Mapping):
        if not isinstance(actual, Mapping):
            return f"{where or 'the data'} should be a dict, not {type(actual).__name__}"
        for key, value in expected.items():
            if key not in actual:
                return f"{where}[{key!r}] is missing"
            found = _mismatch(value, actual[key], f"{where}[{key!r}]")
            if found:
                return found
        return ""
    if isinstance(expected, (list, tuple)):
        if not isinstance(actual, (list, tuple)):
            return f"{where} should be a list, not {type(actual).__name__}"
        if len(actual) != len(expected):
            return f"{where} has {len(actual)} items instead of {len(expected)}"
        for i, (e, a) in enumerate(zip(expected, actual)):
            found = _mismatch(e, a, f"{where}[{i}]")
            if found:
                return found
        return ""
    if isinstance(expected, np.ndarray) or isinstance(actual, np.ndarray):
        if not (isinstance(expected, np.ndarray) and isinstance(actual, np.ndarray)):
            return f"{where} should be an array like the grader's"
        if expected.shape != actual.shape or expected.dtype != actual.dtype:
            return f"{where} has shape {actual.shape} {actual.dtype}, not {expected.shape} {expected.dtype}"
        same = (np.array_equal(expected, actual, equal_nan=True) if expected.dtype.kind in "fc"
                else np.array_equal(expected, actual))
        return "" if same else f"{where} differs from the grader's input"
    if expected is None or isinstance(expected, (bool, str)):
        return "" if (type(actual) is type(expected) and actual == expected) else f"{where} differs"
    if isinstance(expected, (int, float, complex, np.generic)):
        if isinstance(actual, (bool, str)) or not isinstance(actual, (int, float, complex, np.generic)):
            return f"{where} should be a number"
        if expected != actual and not (np.isnan(expected) and np.isnan(actual)):
            return f"{where} is {actual!r}, not {expected!r}"
        return ""
    raise TypeError(f"inputs() returned a {type(expected).__name__} at {where}; use plain data")


def bind_inputs(check: Check, data: Any, *, visible: bool) -> None:
    """Raise :class:`InputMismatch` unless ``data`` contains ``check.inputs(visible=...)`` unchanged.

    Dicts match when every key of the grader's dict is present and matches (the data may have
    more keys: the answers); lists and tuples when they have the same length and match item by
    item; arrays when shape, dtype and values are equal; numbers and strings when equal.
    """
    expected = check.inputs(visible=visible)
    if expected is None:
        raise TypeError(f"{check.id}: the check declares no inputs(); it cannot be judged from untrusted data")
    problem = _mismatch(expected, data, "")
    if problem:
        raise InputMismatch(check.id, "the probe's data does not hold the grader's inputs",
                            expected="the inputs the grader chose", actual=problem,
                            hint="the data was changed in the kernel; grade cells may not be altered")


# ---------------------------------------------------------------------------------------
# Reading answers in a judge. When autograding, the probe runs in the student's kernel, so a
# judge may receive forged data: the grader's inputs are bound (Check.inputs, bind_inputs),
# the answers are not. A judge trusts nothing the probe validated in the kernel: every answer
# it reads goes through these helpers, with its type and shape derived from the inputs, never
# from the answers. Two styles: ``answer_*`` fail naming the answer as the student knows it
# (03-05), ``data_*`` fail as "malformed probe data" (01-02).
# ---------------------------------------------------------------------------------------

def describe(value: Any) -> str:
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape} and dtype {value.dtype}"
    return f"a {type(value).__name__}"


def answer_field(check: Check, record: Any, key: str, what: str) -> Any:
    """``record[key]``, or a failure naming ``what`` is missing from the probe's data."""
    expect(check, isinstance(record, Mapping) and key in record, f"the probe's data holds no {what}",
           expected=f"an entry {key!r}", actual="missing" if isinstance(record, Mapping) else describe(record))
    return record[key]


def real_array(check: Check, value: Any, what: str, *, hint: str = "") -> np.ndarray:
    """``value`` as float64, failing unless it is an array of real numbers (any shape)."""
    expect(check, isinstance(value, np.ndarray) and value.dtype.kind in "biuf",
           f"{what} must be an array of real numbers", expected="a float array", actual=describe(value), hint=hint)
    return value.astype(np.float64)


def shaped_array(check: Check, value: Any, shape: tuple[int, ...], what: str, *, hint: str = "") -> np.ndarray:
    """``value`` as float64, failing unless it is an array of real numbers of exactly ``shape``."""
    a = real_array(check, value, what, hint=hint)
    expect_shape(check, a, shape, what, hint=hint)
    return a


def answer_array(check: Check, record: Any, key: str, shape: tuple[int, ...], what: str, *,
                 hint: str = "") -> np.ndarray:
    """The answer ``record[key]``: an array of real numbers of exactly ``shape``, as float64."""
    return shaped_array(check, answer_field(check, record, key, what), shape, what, hint=hint)


def answer_number(check: Check, record: Any, key: str, what: str, *, hint: str = "") -> float:
    """The answer ``record[key]``: one real number (not a bool, not an array)."""
    value = answer_field(check, record, key, what)
    ok = isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, (bool, np.bool_))
    expect(check, ok, f"{what} must be one number", expected="a float", actual=describe(value), hint=hint)
    return float(value)


FORGED_HINT = "the probe's data was changed after the probe ran; grade cells and the grader may not be altered"


def malformed(check: Check, what: str, expected: Any, actual: Any) -> CheckFailure:
    return check.fail(f"malformed probe data: {what}", expected=expected, actual=actual, hint=FORGED_HINT)


def data_field(check: Check, record: Any, key: str) -> Any:
    """``record[key]``, failing when ``record`` is not a dict or has no ``key``."""
    if not isinstance(record, dict) or key not in record:
        raise malformed(check, f"the answer {key!r} is missing", expected=f"a field {key!r}",
                        actual="missing" if isinstance(record, dict) else type(record).__name__)
    return record[key]


def kind_of(value: Any) -> str:
    return f"{type(value).__name__}" + (f" {value.dtype} of shape {value.shape}" if isinstance(value, np.ndarray) else "")


def data_array(check: Check, record: Any, key: str, shape: tuple[int, ...] | None, kinds: str = "f") -> np.ndarray:
    """``record[key]`` as an array whose dtype kind is in ``kinds`` and, unless ``shape`` is None, of
    exactly ``shape`` (the probe returns float64 arrays)."""
    value = data_field(check, record, key)
    if not (isinstance(value, np.ndarray) and value.dtype.kind in kinds
            and (shape is None or value.shape == tuple(shape))):
        raise malformed(check, f"the answer {key!r} is not an array" + (f" of shape {tuple(shape)}" if shape else ""),
                        expected=f"an array of shape {tuple(shape)}" if shape else "an array", actual=kind_of(value))
    return value


def unmodified_after(check: Check, before: np.ndarray, record: Any, key: str) -> bool:
    """True when the array the probe kept after the call (``record[key]``) still equals the input."""
    after = data_field(check, record, key)
    if not isinstance(after, np.ndarray):
        raise malformed(check, f"the answer {key!r} is not an array", expected="an array", actual=kind_of(after))
    return after.shape == before.shape and after.dtype == before.dtype and bool(np.array_equal(after, before))
