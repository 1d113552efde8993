"""grader.checks.judging.remembered: a judge's outcome kept by its data's content, failures included."""

from __future__ import annotations

import numpy as np
import pytest

from grader.checks.base import STRICT_TOLERANCE, CheckFailure
from grader.checks.judging import forget_judgements, remembered


class _Judge:
    id = "tests/remembered"

    def __init__(self) -> None:
        self.calls = 0

    @remembered
    def judge(self, case, answer):
        self.calls += 1
        if answer["x"].sum() < 0:
            raise CheckFailure(self.id, "negative", expected=0, actual=-1)
        return [float(answer["x"].sum()), case["k"]]


def test_the_same_data_is_judged_once_and_a_change_is_judged_again():
    j = _Judge()
    case, answer = {"k": 1}, {"x": np.arange(4.0)}
    assert j.judge(case, answer) == [6.0, 1]
    assert j.judge(case, {"x": np.arange(4.0)}) == [6.0, 1] and j.calls == 1   # equal content: remembered
    changed = {"x": np.arange(4.0)}
    changed["x"][3] = 5.0
    assert j.judge(case, changed) == [8.0, 1] and j.calls == 2                 # one entry changed: judged


def test_a_failure_is_remembered_and_raised_again():
    j = _Judge()
    for _ in range(2):
        with pytest.raises(CheckFailure, match="negative"):
            j.judge({"k": 0}, {"x": -np.ones(3)})
    assert j.calls == 1


def test_a_returned_value_changed_by_the_caller_does_not_change_the_memo():
    j = _Judge()
    j.judge({"k": 2}, {"x": np.ones(2)}).append("changed")
    assert j.judge({"k": 2}, {"x": np.ones(2)}) == [2.0, 2]


def test_another_tolerance_context_and_forgetting_judge_again():
    j = _Judge()
    data = ({"k": 3}, {"x": np.ones(2)})
    j.judge(*data)
    token = STRICT_TOLERANCE.set((1e-10, 0.0))
    try:
        j.judge(*data)
    finally:
        STRICT_TOLERANCE.reset(token)
    assert j.calls == 2
    forget_judgements()
    j.judge(*data)
    assert j.calls == 3
