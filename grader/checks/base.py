"""The exercise-check protocol: cases of inputs, a *probe* per case and a *judge*.

Every graded exercise has one :class:`Check`, in ``grader/checks/<notebook>/<exercise>.py``. A
check names its **cases**: the inputs of each one, plain data built from fixed seeds with no
student code (:meth:`Check.cases`). Grading is then two steps:

1. the probe, :meth:`Check.probe`, runs :meth:`Check.answer` on every case: it calls the
   student's function, class or result on the case's inputs and returns the **answer**, plain
   data (:data:`Data`): numbers, strings, booleans, ``None``, NumPy arrays, and lists / tuples /
   dicts of those. The probe is the only step that touches student code, and its data is one
   record per case, ``{"cases": [{"inputs": <the case>, "answer": <the answer>}, ...]}``;
2. the judge, :meth:`Check.judge`, compares every answer with an independent oracle (autograd,
   torch built-ins, closed forms, statistics on large samples, scikit-learn) and raises
   :class:`CheckFailure` (an ``AssertionError``) naming the property that failed. It judges one
   case at a time (:meth:`Check.judge_case`), or all cases together where a statistic spans
   them (:meth:`Check.judge_cases`). A judge needs nothing but the probe's data: it may run in
   another process, where no student code exists.

When autograding, the probe runs in the student's sandboxed kernel, which may hand back
anything. Because inputs and answers are kept apart, the grader can refuse changed inputs by
construction: :func:`bind_inputs` accepts the data only if it is exactly the grader's own cases,
each with one answer added. The answers are whatever the kernel wrote, so a judge reads every
one through :mod:`grader.checks.judging`, which checks its type and shape from the inputs.

``visible=True`` asks for the quick subset of cases shown to students; the hidden test runs
them all. The class docstring of a check is what the notebook's "What the test checks" cell
says (tests/test_notebooks.py keeps them equal).
"""

from __future__ import annotations

import abc
import contextvars
import copy
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar, NamedTuple

import numpy as np

if TYPE_CHECKING:
    from .properties import Property

__all__ = [
    "Data",
    "is_plain",
    "CheckFailure",
    "InputMismatch",
    "FORGED_HINT",
    "PROPERTY_KEY",
    "STRICT_TOLERANCE",
    "ATOL_FLOOR",
    "Case",
    "Check",
    "REGISTRY",
    "register",
    "bind_inputs",
    "expect",
    "expect_shape",
    "expect_close",
]

#: The key that marks a case as one of a declared property's (:mod:`grader.checks.properties`),
#: with the property's name as its value.
PROPERTY_KEY = "property"

#: (rtol, atol) that :func:`expect_close` uses instead of its arguments while a property judges
#: precision (:func:`grader.checks.properties.strict_tolerance`); None: the arguments.
STRICT_TOLERANCE: contextvars.ContextVar[tuple[float, float] | None] = contextvars.ContextVar(
    "STRICT_TOLERANCE", default=None)

#: A floor under the absolute tolerance of every :func:`expect_close` while a property judges inputs
#: whose own rounding is larger than the check's tolerances (:class:`grader.checks.properties.LargeMean`).
ATOL_FLOOR: contextvars.ContextVar[float] = contextvars.ContextVar("ATOL_FLOOR", default=0.0)

#: What a probe returns: plain data, nothing callable, nothing from student code.
Data = dict[str, Any]


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


class InputMismatch(CheckFailure):
    """Probe data handed back by a kernel is not the grader's cases with one answer each."""


#: The hint of every failure that only forged probe data can cause.
FORGED_HINT = "the probe's data was changed after the probe ran; grade cells and the grader may not be altered"


class Case(NamedTuple):
    """One case as a judge receives it: the grader's inputs and the student's answer."""

    inputs: Data
    answer: Any


class Check(abc.ABC):
    """One exercise's check: its cases, how to answer one, and how to judge the answers.

    Subclasses set :attr:`id`, write the class docstring (the notebook's "What the test checks"
    text) and implement :meth:`cases`, :meth:`answer` and :meth:`judge_case` (or
    :meth:`judge_cases`, for statistics over all cases).
    """

    #: Stable exercise id, ``"<assignment>/<grade_id>"``, e.g. ``"01-sgd/minibatch_indices"``.
    id: ClassVar[str]
    #: True when a correct answer's output is random: tests then run it under several seeds.
    randomized: ClassVar[bool] = False
    #: The type of the arrays the statement documents as returned: ``"ndarray"`` (NumPy; a list or a
    #: tensor is refused) or ``"tensor"`` (torch); :func:`~grader.checks.probing.student_array` uses it
    #: unless told otherwise.
    returns: ClassVar[str] = "ndarray"
    #: Properties this check declares (:mod:`grader.checks.properties`): the layer adds their
    #: cases after the check's own, answers and judges them, visible and hidden alike.
    properties: ClassVar[tuple[Property, ...]] = ()

    @abc.abstractmethod
    def cases(self, *, visible: bool) -> list[Data]:
        """The inputs of every case, as plain data built here with no student code: the arrays,
        seeds, shapes and options of the case, everything :meth:`answer` and the judge read
        besides the answer. ``visible=True``: the quick subset shown to students."""

    @abc.abstractmethod
    def answer(self, obj: Any, case: Data) -> Any:
        """Call the student's ``obj`` on ``case`` (a copy of the grader's, the answer's own to pass
        on); return what it did as plain data. Runs in the student's kernel when autograding.
        Raise :class:`CheckFailure` where the call cannot be recorded (a wrong return type)."""

    def judge_case(self, case: Data, answer: Any) -> int:
        """Compare one ``answer`` with the oracle on ``case``; raise :class:`CheckFailure` on the
        first property that fails. Returns the number of properties that held."""
        raise NotImplementedError(f"{type(self).__name__} implements neither judge_case nor judge_cases")

    def judge_cases(self, cases: list[Case]) -> int:
        """Judge every case; override where a statistic or a false-rejection budget spans the
        cases (a judge over all cases). By default, :meth:`judge_case` one case at a time."""
        return sum(self.judge_case(case.inputs, case.answer) for case in cases)

    # -- derived from the above: not overridden --------------------------------------------

    def all_cases(self, *, visible: bool) -> list[Data]:
        """:meth:`cases`, then the cases of each declared property, marked with its name."""
        return [*self.cases(visible=visible),
                *({PROPERTY_KEY: p.name, **case} for p in self.properties for case in p.cases(self, visible=visible))]

    def _property(self, case: Any) -> Property | None:
        """The declared property a case belongs to, or None for the check's own cases."""
        name = case.get(PROPERTY_KEY) if isinstance(case, Mapping) else None
        return next((p for p in self.properties if p.name == name), None) if name is not None else None

    def inputs(self, *, visible: bool = False) -> Data:
        """The part of :meth:`probe`'s data the grader chose: the probe's data without its answers."""
        return {"cases": [{"inputs": case} for case in self.all_cases(visible=visible)]}

    def probe(self, obj: Any, *, visible: bool = False) -> Data:
        """Answer every case with the student's ``obj``: one ``{"inputs", "answer"}`` record per case."""
        records = []
        for case in self.all_cases(visible=visible):
            prop = self._property(case)
            answer = (self.answer(obj, copy.deepcopy(case)) if prop is None
                      else prop.answer(self, obj, copy.deepcopy(case)))
            records.append({"inputs": case, "answer": answer})
        return {"cases": records}

    def judge(self, data: Data) -> int:
        """Judge the probe's ``data`` (see :meth:`judge_cases`); the number of properties that held."""
        records = data.get("cases") if isinstance(data, Mapping) else None
        if not (isinstance(records, (list, tuple)) and records
                and all(isinstance(r, Mapping) and "inputs" in r and "answer" in r for r in records)):
            raise self.fail("malformed probe data: it must hold one record per case",
                            expected="{'cases': [{'inputs': ..., 'answer': ...}, ...]}",
                            actual=type(data).__name__ if records is None else f"cases: {str(records)[:120]}",
                            hint=FORGED_HINT)
        cases = [Case(r["inputs"], r["answer"]) for r in records]
        held = self.judge_cases([c for c in cases if self._property(c.inputs) is None])
        for prop in self.properties:
            held += prop.judge_cases(self, [c for c in cases if self._property(c.inputs) is prop])
        return held

    def fail(self, prop: str, *, expected: Any, actual: Any, hint: str = "") -> CheckFailure:
        """A :class:`CheckFailure` of this exercise (raise it)."""
        return CheckFailure(self.id, prop, expected=expected, actual=actual, hint=hint)


#: Every check, by exercise id. Filled by :func:`register` when grader.checks is imported.
REGISTRY: dict[str, Check] = {}


def register(cls: type[Check]) -> type[Check]:
    """Class decorator: instantiate ``cls`` and file it under ``cls.id``."""
    if cls.id in REGISTRY:
        raise ValueError(f"two checks claim the exercise id {cls.id!r}")
    REGISTRY[cls.id] = cls()
    return cls


# ---------------------------------------------------------------------------------------
# Failing a property: used by probes (a wrong return type) and judges alike
# ---------------------------------------------------------------------------------------

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
    precise: bool = False,
) -> None:
    """Fail unless ``actual`` matches ``expected`` in shape, is finite where expected
    is, and agrees within ``atol + rtol * |expected|`` everywhere. ``precise=True`` marks a value
    whose oracle is exact to the last digits: there, the tolerances of :data:`STRICT_TOLERANCE`
    replace these while a property sets them."""
    strict = STRICT_TOLERANCE.get() if precise else None
    if strict is not None:
        rtol, atol = strict
    atol = max(atol, ATOL_FLOOR.get())
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


# ---------------------------------------------------------------------------------------
# Binding the inputs: the data must be the grader's cases, each with one answer
# ---------------------------------------------------------------------------------------

def _mismatch(expected: Any, actual: Any, where: str) -> str:
    """'' when ``actual`` equals ``expected`` exactly (see :func:`bind_inputs`), else where it differs."""
    if actual is expected:  # the same object (in-process data): equal without a walk through it
        return ""
    if isinstance(expected, Mapping):
        if not isinstance(actual, Mapping):
            return f"{where or 'the data'} should be a dict, not {type(actual).__name__}"
        for key, value in expected.items():
            if key not in actual:
                return f"{where}[{key!r}] is missing"
            found = _mismatch(value, actual[key], f"{where}[{key!r}]")
            if found:
                return found
        extra = [key for key in actual if key not in expected]
        return f"{where}[{extra[0]!r}] is not one of the grader's inputs" if extra else ""
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
    raise TypeError(f"cases() returned a {type(expected).__name__} at {where}; use plain data")


def _envelope(n_cases: int, data: Any) -> str:
    """'' when ``data`` is ``{"cases": [...]}`` with ``n_cases`` records of exactly "inputs" and "answer"."""
    if not isinstance(data, Mapping) or set(data) != {"cases"}:
        return "the data should be a dict with the one key 'cases'"
    records = data["cases"]
    if not isinstance(records, (list, tuple)) or len(records) != n_cases:
        got = f"{len(records)} records" if isinstance(records, (list, tuple)) else type(records).__name__
        return f"['cases'] should be a list of {n_cases} records, not {got}"
    for i, record in enumerate(records):
        if not isinstance(record, Mapping) or set(record) != {"inputs", "answer"}:
            return f"['cases'][{i}] should be a dict of 'inputs' and 'answer'"
    return ""


def bind_inputs(check: Check, data: Any, *, visible: bool) -> None:
    """Raise :class:`InputMismatch` unless ``data`` is ``check.all_cases(visible=...)`` with one answer each.

    The data must be ``{"cases": [{"inputs": ..., "answer": ...}, ...]}`` with one record per
    case, in order, and each ``inputs`` equal to the grader's case: dicts with the same keys,
    lists and tuples of the same length, arrays of the same shape, dtype and values, equal
    numbers and strings. The answers are not looked at: the judge reads them.
    """
    expected = check.all_cases(visible=visible)
    problem = _envelope(len(expected), data)
    for i, case in enumerate(expected):
        if problem:
            break
        problem = _mismatch(case, data["cases"][i]["inputs"], f"['cases'][{i}]['inputs']")
    if problem:
        raise InputMismatch(check.id, "the probe's data does not hold the grader's inputs",
                            expected="the inputs the grader chose", actual=problem,
                            hint="the data was changed in the kernel; grade cells may not be altered")
