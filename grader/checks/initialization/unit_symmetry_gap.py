"""04-initialization/unit_symmetry_gap: how far apart two units' incoming parameters are.

Oracle: the largest Chebyshev (max-abs) distance between two rows of ``[W | b]``, computed with
``torch.cdist(p=inf)``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from ..base import Check, Data, expect, expect_close, register
from ..judging import answer_field, answer_number, describe, unchanged
from ..probing import call, student_number

__all__ = ["UnitSymmetryGap"]


def _cases(visible: bool) -> list[dict[str, Any]]:
    rng = np.random.default_rng(404)
    row = np.array([0.3, -2.0, 5.0, 0.1])
    cases = [
        {"W": rng.standard_normal((5, 3)), "b": rng.standard_normal(5)},
        # identical rows, very different columns: the gap is exactly 0
        {"W": np.tile(row, (4, 1)), "b": np.full(4, 0.25)},
        # the farthest pair (2, 4) is neither adjacent nor involves unit 0
        {"W": np.array([[0.0, 0.0], [0.1, 0.0], [5.0, -1.0], [0.2, 0.0], [-4.0, 2.0]]), "b": None},
    ]
    if visible:
        return cases
    return cases + [
        # the units differ only in their biases
        {"W": np.tile(row, (3, 1)), "b": np.array([0.0, 0.0, 1e-3])},
        # a difference in every coordinate: max-abs 1, Euclidean 2
        {"W": np.array([[1.0, 1.0, 1.0, 1.0], [0.0, 0.0, 0.0, 0.0], [0.5, 0.5, 0.5, 0.5]]), "b": np.zeros(3)},
        # one unit: no pair, gap 0
        {"W": rng.standard_normal((1, 6)), "b": rng.standard_normal(1)},
        {"W": rng.standard_normal((40, 20)) * 0.1, "b": rng.standard_normal(40) * 0.01},
        {"W": 0.1 * np.ones((8, 5)), "b": None},
        # bias differences dominate the weight differences
        {"W": 0.01 * rng.standard_normal((6, 3)), "b": np.array([3.0, -1.0, 0.0, 0.5, 2.0, -2.5])},
        # square layer with a large outgoing-style (column) spread but a small row spread
        {"W": np.array([[0.0, 10.0, -10.0], [0.1, 10.1, -9.9], [0.05, 9.95, -10.05]]), "b": None},
    ]


def _oracle(W: np.ndarray, b: np.ndarray | None) -> float:
    P = torch.as_tensor(W, dtype=torch.float64)
    if b is not None:
        P = torch.cat([P, torch.as_tensor(b, dtype=torch.float64)[:, None]], dim=1)
    if P.shape[0] < 2:
        return 0.0
    return float(torch.cdist(P[None], P[None], p=float("inf")).max())


@register
class UnitSymmetryGap(Check):
    r"""on small hand-made layers, your value against the largest Chebyshev (max-abs) distance
    between rows of $[W \mid b]$ computed with `torch.cdist`: a random layer; identical rows with very
    different columns (gap exactly 0, so rows, not columns, are the units); a farthest pair that is
    neither adjacent nor involves unit 0; units that differ only in their bias; a difference in
    every coordinate (max-abs, not Euclidean); a single unit; and that `W` and `b` are not modified."""

    id = "04-initialization/unit_symmetry_gap"

    def cases(self, *, visible: bool) -> list[Data]:
        # b None: the layer has no bias, and the student's function gets b=None
        return _cases(visible)

    def answer(self, obj: Any, case: Data) -> Data:
        W, b = case["W"], case["b"]
        out = call(self, obj, W, b, what=f"unit_symmetry_gap(W of shape {W.shape}, b)")
        gap = student_number(self, out, "the gap", prop="unit_symmetry_gap must return one number",
                             hint="reduce over all pairs AND all coordinates with a max")
        return {"gap": gap, "W_after": W, "b_after": b}

    def judge_case(self, case: Data, answer: Any) -> int:
        W, b = case["W"], case["b"]
        where = f"(W of shape {W.shape}, {'no bias' if b is None else 'with bias'})"
        expect(self, unchanged(self, answer, "W_after", W, "W after the call"), "W must not be modified",
               expected=W, actual=answer["W_after"], hint="do not write into W")
        if b is None:  # the grader passed b=None, and the probe records the None it passed
            b_after = answer_field(self, answer, "b_after", "b after the call")
            expect(self, b_after is None, "b_after must be None when no bias was passed", expected=None,
                   actual=describe(b_after))
        else:
            expect(self, unchanged(self, answer, "b_after", b, "b after the call"), "b must not be modified",
                   expected=b, actual=answer["b_after"], hint="concatenate into a new array instead")
        gap = answer_number(self, answer, "gap", f"the gap {where}", hint="reduce over all pairs AND all coordinates with a max")
        ref = _oracle(W, b)
        hint = ("a unit's incoming parameters are one ROW of W (torch layout (H, D)) plus its bias; "
                "compare every pair of rows, take the largest absolute coordinate difference")
        if ref == 0.0:
            hint = "identical units must give exactly 0: " + hint
        expect_close(self, gap, ref, f"the largest max-abs difference between two units' incoming parameters {where}",
                     rtol=1e-9, atol=1e-12, hint=hint)
        return 2
