"""The protocol every declared property follows, and what the derived ones share."""

from __future__ import annotations

import abc
from typing import Any, ClassVar

import numpy as np

from ..base import PROPERTY_KEY, Case, Check, CheckFailure, Data

__all__ = ["Property", "Derived", "own", "same"]


class Property(abc.ABC):
    """One property that holds for every check declaring it, with its cases and its judge."""

    #: Short name, stored under ``PROPERTY_KEY`` in each of its cases.
    name: ClassVar[str]

    @abc.abstractmethod
    def cases(self, check: Check, *, visible: bool) -> list[Data]:
        """The property's cases (plain data, without ``PROPERTY_KEY``: the layer adds it)."""

    @abc.abstractmethod
    def answer(self, check: Check, obj: Any, case: Data) -> Any:
        """Call the student's ``obj`` through the check's adapter; plain data. Runs in the kernel."""

    @abc.abstractmethod
    def judge_cases(self, check: Check, cases: list[Case]) -> int:
        """Judge this property's answers (forged data included); the number of properties that held."""

    def sentence(self) -> str:
        """What the property tests, in the words of the notebook: its docstring, with the
        property's attributes filled in (``{shift}``) where it names them."""
        import inspect

        return inspect.cleandoc(type(self).__doc__ or "").format(**self.wording())

    def wording(self) -> dict[str, str]:
        """The attributes the docstring's ``{...}`` fields name, as text."""
        return {}


def own(case: Data) -> Data:
    """A property case as the check's own answer and judge read it: without the property's mark."""
    return {k: v for k, v in case.items() if k != PROPERTY_KEY}


class Derived(Property):
    """Cases derived from the check's own, answered by :meth:`Check.answer` and judged by
    :meth:`Check.judge_cases`, so that the check's oracle and messages hold there too."""

    def answer(self, check: Check, obj: Any, case: Data) -> Any:
        return check.answer(obj, own(case))

    def label(self) -> str:
        """Where the failure happened, put before the check's own message."""
        return ""

    def judge_cases(self, check: Check, cases: list[Case]) -> int:
        try:
            return check.judge_cases([Case(own(c.inputs), c.answer) for c in cases])
        except CheckFailure as err:
            if not self.label():
                raise
            raise CheckFailure(err.exercise, f"{self.label()}: {err.prop}", expected=err.expected,
                               actual=err.actual, hint=err.hint) from None


def same(a: np.ndarray, b: np.ndarray) -> bool:
    return a.shape == b.shape and bool(np.allclose(a, b, rtol=1e-12, atol=1e-300, equal_nan=True))
