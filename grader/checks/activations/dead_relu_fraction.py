"""03-activations/dead_relu_fraction: the fraction of ReLU units that never fire.

Oracle: matrices built so that the number of dead units is known by construction (closed form),
including units that fire only once and exact zeros.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..base import Check, Data, expect, expect_close, register
from ..judging import answer_number, unchanged
from ..probing import call, student_number

__all__ = ["DeadReluFraction"]


def _cases(visible: bool) -> list[dict[str, Any]]:
    """Pre-activation matrices (N, H) whose number of dead units is known by construction."""
    rng = np.random.default_rng(2718)
    neg = lambda shape: -rng.uniform(0.1, 3.0, shape)  # noqa: E731 -- strictly negative entries
    cases = []

    once = neg((6, 5))  # units 0, 2, 3 fire on exactly one example each, units 1 and 4 never
    for j, i in ((0, 5), (2, 0), (3, 2)):
        once[i, j] = 1e-3
    cases.append({"what": "units that fire on exactly one example are alive", "A": once, "n_dead": 2})

    zeros = neg((4, 3))  # unit 0 all zeros (dead), unit 1 zeros and one positive (alive), unit 2 <= 0 (dead)
    zeros[:, 0] = 0.0
    zeros[:, 1] = 0.0
    zeros[3, 1] = 0.5
    zeros[1:3, 2] = 0.0
    cases.append({"what": "an output of exactly 0 is not firing (<= 0 for every example means dead)",
                  "A": zeros, "n_dead": 2})

    cases.append({"what": "every unit is negative on every example", "A": neg((5, 4)), "n_dead": 4})
    if visible:
        return cases

    cases.append({"what": "every unit is positive on every example", "A": -neg((3, 7)), "n_dead": 0})
    planted = rng.standard_normal((200, 50))
    dead = rng.choice(50, size=17, replace=False)
    planted[:, dead] = -np.abs(planted[:, dead])
    planted[::9, dead] = 0.0
    alive = np.setdiff1d(np.arange(50), dead)
    planted[rng.integers(200, size=alive.size), alive] = rng.uniform(0.1, 1.0, alive.size)
    cases.append({"what": "17 dead units planted among 50, over 200 examples", "A": planted, "n_dead": 17})
    cases.append({"what": "a single example", "A": np.array([[1.0, -1.0, 0.0, 2.0, -3.0, -0.0]]), "n_dead": 4})
    one = neg((10, 1))
    one[::3] = -0.0
    cases.append({"what": "a single unit that never fires", "A": one, "n_dead": 1})
    tiny = neg((3, 3))
    tiny[1, 0], tiny[2, 2] = 1e-300, 1e300
    cases.append({"what": "positive outputs of any size count as firing", "A": tiny, "n_dead": 1})
    wide = neg((2, 9))  # N < H: more units than examples
    wide[0, :4] = rng.uniform(0.1, 1.0, 4)
    wide[1, 3:6] = rng.uniform(0.1, 1.0, 3)
    cases.append({"what": "more units than examples (N=2, H=9)", "A": wide, "n_dead": 3})
    return cases


@register
class DeadReluFraction(Check):
    r"""matrices built so that the number of dead units is known: every unit negative, every unit
    positive, units that fire on exactly one example (alive), units whose pre-activation is
    exactly 0 everywhere (dead), planted dead units among 50, a single example, a single unit,
    more units than examples; that the result is one number in $[0, 1]$; and that the input is not
    modified."""

    id = "03-activations/dead_relu_fraction"

    def cases(self, *, visible: bool) -> list[Data]:
        return _cases(visible)

    def answer(self, obj: Any, case: Data) -> Data:
        A = case["A"]
        value = call(self, obj, A, what="dead_relu_fraction(A)")
        value = student_number(self, value, "the fraction of dead units",
                               prop="dead_relu_fraction must return one number",
                               hint="reduce over the examples (axis 0) per unit, then average over the units")
        return {"value": value, "A_after": A}

    def judge_case(self, case: Data, answer: Any) -> int:
        A = case["A"]
        N, H = A.shape
        where = f"({case['what']}; N={N} examples, H={H} units)"
        expect(self, unchanged(self, answer, "A_after", A, "the pre-activations after the call"),
               f"the pre-activations must not be modified {where}", expected=A, actual=answer["A_after"],
               hint="compare into a new boolean array")
        value = answer_number(self, answer, "value", f"the fraction of dead units {where}",
                              hint="reduce over the examples (axis 0) per unit, then average over the units")
        expected = case["n_dead"] / H
        hint = "a unit is dead when its pre-activation is <= 0 for EVERY example (all over axis 0); " \
               "return the fraction of the H units that are dead"
        if abs(value - case["n_dead"]) < 1e-9 and case["n_dead"] != expected:
            hint = "return a fraction (dead units / H), not the number of dead units"
        elif np.isclose(value, np.mean(A <= 0)) and not np.isclose(value, expected):
            hint = "that is the fraction of ENTRIES <= 0; a unit is dead only if it is <= 0 for every example"
        elif np.isclose(value, np.mean(np.all(A < 0, axis=0))) and not np.isclose(value, expected):
            hint = "an output of exactly 0 does not fire: test <= 0, not < 0"
        elif np.isclose(value, np.mean(np.any(A <= 0, axis=0))) and not np.isclose(value, expected):
            hint = "a unit that fires on one example is alive: use all(), not any()"
        elif np.isclose(value, np.mean(np.all(A <= 0, axis=1))) and not np.isclose(value, expected):
            hint = "reduce over the examples (axis 0), one answer per unit (column)"
        expect(self, 0.0 <= value <= 1.0, f"the result must be a fraction in [0, 1] {where}",
               expected=expected, actual=value, hint=hint)
        expect_close(self, value, expected, f"the fraction of dead units {where}", rtol=1e-12, atol=1e-12,
                     hint=hint)
        return 3
