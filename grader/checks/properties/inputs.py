"""Properties on inputs the check derives from its own cases: a large mean, overflow and precision."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import numpy as np

from ..base import ATOL_FLOOR, STRICT_TOLERANCE, Case, Check, Data
from .core import Derived, own

__all__ = ["LargeMean", "NoOverflow", "strict_tolerance"]


class LargeMean(Derived):
    """The same properties hold for inputs with a large mean and a small spread (each value
    {shift} + {scale}·x), to an absolute {floor} on top of the usual tolerance: there the
    one-pass formula E[x²] − E[x]² for a variance loses most of its digits (errors near
    1e-4), and so does arithmetic in float32."""

    name = "large_mean"

    #: the rounding of float64 itself at these inputs, in standardised units, is about 1e-8
    floor = 1e-7

    def __init__(self, *fields: str, shift: float = 1e4, scale: float = 1e-2, n_cases: int = 2) -> None:
        #: the case entries shifted: arrays of the check's cases, by name, or ``"steps.x"`` for the
        #: entry ``x`` of every dict in the list ``steps`` that has one; how many of its cases are used
        self.fields, self.shift, self.scale, self.n_cases = fields, shift, scale, n_cases

    def _shifted(self, case: Data, field: str) -> Any:
        outer, _, inner = field.partition(".")
        if not inner:
            return self.shift + self.scale * np.asarray(case[outer], dtype=np.float64)
        return [{**step, inner: self._shifted(step, inner)} if isinstance(step, dict) and inner in step else step
                for step in case[outer]]

    def wording(self) -> dict[str, str]:
        return {"shift": f"{self.shift:g}", "scale": f"{self.scale:g}", "floor": f"{self.floor:g}"}

    def label(self) -> str:
        return f"on inputs with a large mean ({self.shift:g} + {self.scale:g}·x)"

    def judge_cases(self, check: Check, cases: list[Case]) -> int:
        token = ATOL_FLOOR.set(self.floor)
        try:
            return super().judge_cases(check, cases)
        finally:
            ATOL_FLOOR.reset(token)

    def cases(self, check: Check, *, visible: bool) -> list[Data]:
        # the visible cases' first ones, so that the hidden run holds the visible run's cases
        return [{**case, **{f.partition(".")[0]: self._shifted(case, f) for f in self.fields}}
                for case in check.cases(visible=True)[: self.n_cases]]


@contextlib.contextmanager
def strict_tolerance(rtol: float, atol: float = 0.0) -> Iterator[None]:
    """Every comparison of :func:`~grader.checks.base.expect_close` marked ``precise`` inside uses
    ``rtol`` and ``atol``."""
    token = STRICT_TOLERANCE.set((rtol, atol))
    try:
        yield
    finally:
        STRICT_TOLERANCE.reset(token)


class NoOverflow(Derived):
    """On inputs where a naive formula overflows or cancels ({where}), no floating-point
    overflow, division by zero or invalid operation may happen anywhere in the call (NumPy's
    `errstate` is set to raise, so a branch of `np.where` that overflows counts), and every value
    must match to a relative {rtol}, with no absolute tolerance to hide a tiny value's error
    (above 1e-300, where floating point itself loses digits)."""

    name = "no_overflow"

    def __init__(self, where: str, *, rtol: float = 1e-10) -> None:
        #: the inputs in words (for the sentence); the check's ``extreme_cases(visible=...)`` gives them
        self.where, self.rtol = where, rtol

    def wording(self) -> dict[str, str]:
        return {"where": self.where, "rtol": f"{self.rtol:g}"}

    def cases(self, check: Check, *, visible: bool) -> list[Data]:
        return check.extreme_cases(visible=visible)

    def answer(self, check: Check, obj: Any, case: Data) -> Any:
        with np.errstate(over="raise", invalid="raise", divide="raise", under="ignore"):
            return check.answer(obj, own(case))

    def label(self) -> str:
        return f"where a naive formula overflows or cancels (relative tolerance {self.rtol:g})"

    def judge_cases(self, check: Check, cases: list[Case]) -> int:
        with strict_tolerance(self.rtol, 1e-300):
            return super().judge_cases(check, cases)
