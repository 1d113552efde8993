"""01-sgd/logistic_loss_and_grad: the mean binary cross-entropy and its gradient.

Oracle: torch autograd in float64 through ``binary_cross_entropy_with_logits``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from ..base import Check, Data, expect, expect_close, expect_shape, register
from ..judging import answer_array, answer_number, unchanged
from ..probing import call, returned, student_array, student_number
from ..properties import NoOverflow

__all__ = ["LogisticLossAndGrad"]


def _cases(visible: bool) -> list[dict[str, np.ndarray]]:
    rng = np.random.default_rng(7)

    def rand(n: int, d: int, scale: float = 1.0) -> dict[str, np.ndarray]:
        return {"w": rng.standard_normal(d), "X": scale * rng.standard_normal((n, d)),
                "y": (rng.random(n) < 0.5).astype(np.float64)}

    # large logits, both signs, with and without the label agreeing: z = [800, -800, 800, -800, 40, -40, 0.5]
    z = np.array([800.0, -800.0, 800.0, -800.0, 40.0, -40.0, 0.5])
    large = {"w": np.array([1.0, 0.0]), "X": np.stack([z, rng.standard_normal(7)], axis=1),
             "y": np.array([0.0, 1.0, 1.0, 0.0, 0.0, 1.0, 1.0])}
    cases = [rand(8, 3), large]
    if visible:
        return cases
    return cases + [
        rand(50, 5),
        rand(1, 4),
        rand(6, 1),
        rand(30, 20, scale=10.0),  # logits of a few tens
        {"w": np.array([-2.0, 0.5, 1.0]), "X": np.array([[400.0, 1.0, 0.0]]), "y": np.array([1.0])},
    ]


def _oracle(w: np.ndarray, X: np.ndarray, y: np.ndarray) -> tuple[float, np.ndarray]:
    wt = torch.tensor(w, dtype=torch.float64, requires_grad=True)
    z = torch.tensor(X, dtype=torch.float64) @ wt
    loss = torch.nn.functional.binary_cross_entropy_with_logits(z, torch.tensor(y, dtype=torch.float64))
    loss.backward()
    return float(loss.detach()), wt.grad.numpy().copy()


@register
class LogisticLossAndGrad(Check):
    """the loss and the gradient against an independent reference (PyTorch's
    `binary_cross_entropy_with_logits` and autograd, in float64) on random problems of several
    shapes, one example and one feature included; the types (a float and a `(D,)` array); that
    the inputs are not modified; and that logits of several hundred still give finite, correct
    values."""

    id = "01-sgd/logistic_loss_and_grad"
    properties = (NoOverflow("logits of ±1000 and of ±40, where exp overflows or 1 + exp(z) rounds to 1"),)

    def extreme_cases(self, *, visible: bool) -> list[Data]:
        """For NoOverflow: logits of ±1000, and two problems of many examples with logits of ±40 and ±1000."""
        rng = np.random.default_rng(70)
        z = np.array([1000.0, -1000.0, 1000.0, -1000.0, 40.0, -40.0, 36.0, -36.0, 1e-3])
        cases = [{"w": np.array([1.0, 0.0]), "X": np.stack([z, rng.standard_normal(9)], axis=1),
                  "y": np.array([0.0, 1.0, 1.0, 0.0, 0.0, 1.0, 1.0, 0.0, 1.0])}]
        n = 400  # float32 arithmetic leaves relative errors of about 1e-7 in a mean over many examples
        X = np.column_stack([rng.choice([-40.0, 40.0, -1000.0, 7.0], n), rng.standard_normal(n)])
        cases.append({"w": np.array([1.0, 0.3]), "X": X, "y": (rng.random(n) < 0.5).astype(np.float64)})
        return cases

    def cases(self, *, visible: bool) -> list[Data]:
        return _cases(visible)

    def answer(self, obj: Any, case: Data) -> Data:
        w, X, y = case["w"], case["X"], case["y"]
        out = call(self, obj, w, X, y, what="logistic_loss_and_grad(w, X, y)")
        loss, dw = returned(self, out, ("loss", "dw"), "logistic_loss_and_grad")
        loss = student_number(self, loss, "the loss", prop="the loss must be one number, the MEAN over the N examples",
                              hint="average the per-example losses: .mean()")
        return {"loss": loss, "dw": student_array(self, dw, "the gradient dw"),
                "w_after": w, "X_after": X, "y_after": y}

    def judge_case(self, case: Data, answer: Any) -> int:
        w, X, y = case["w"], case["X"], case["y"]
        # the loss, one number; dw, an array whose shape is checked below with its own message
        loss = answer_number(self, answer, "loss", "the loss")
        dw = answer_array(self, answer, "dw", None, "the gradient dw")
        where = f"(N={X.shape[0]}, D={X.shape[1]}, max |X w| = {np.max(np.abs(X @ w)):.3g})"
        for name in ("w", "X", "y"):
            expect(self, unchanged(self, answer, f"{name}_after", case[name], f"{name} after the call"),
                   f"{name} must not be modified", expected=case[name], actual=answer[f"{name}_after"],
                   hint="do not write into the inputs")
        loss_ref, dw_ref = _oracle(w, X, y)
        hint_loss = ("use a stable form: log(1 + exp(z)) - y z with np.logaddexp(0, z); "
                     "log(sigmoid(z)) overflows for large |z|")
        expect(self, np.isfinite(loss), f"the loss must be finite, even for large logits {where}",
               expected=loss_ref, actual=loss, hint=hint_loss)
        expect_close(self, loss, loss_ref, f"the loss (mean binary cross-entropy with logits X w) {where}",
                     rtol=1e-6, atol=1e-10, hint=hint_loss + "; average over N; labels are 0/1; compute in float64",
                     precise=True)
        expect_shape(self, dw, w.shape, "dw", hint="dw has the shape of w: (D,)")
        expect_close(self, dw, dw_ref, f"the gradient dw = X^T (sigmoid(X w) - y) / N {where}",
                     rtol=1e-6, atol=1e-10, hint="check the sign, the 1/N and that sigmoid does not overflow",
                     precise=True)
        return 5
