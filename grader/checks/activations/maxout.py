"""03-activations/maxout: a maxout layer, forward and backward.

Oracle: PyTorch in float64: ``einsum``, ``max`` over the pieces, and autograd.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from ..base import Check, Data, expect, expect_close, register
from ..judging import answer_array, unchanged
from ..probing import call, functions, returned, student_array
from ..properties import Interleaved
from .shared import ATOL, RTOL

__all__ = ["Maxout", "maxout_reference"]


def maxout_reference(x: np.ndarray, W: np.ndarray, b: np.ndarray, dout: np.ndarray) -> dict[str, np.ndarray]:
    """PyTorch (float64) value and autograd gradients of max_k (x W[:, :, k] + b[:, k])."""
    t = {k: torch.tensor(v, dtype=torch.float64, requires_grad=True) for k, v in (("x", x), ("W", W), ("b", b))}
    z = torch.einsum("nd,dhk->nhk", t["x"], t["W"]) + t["b"]           # (N, H, k)
    out = z.max(dim=2).values                                          # (N, H)
    out.backward(torch.tensor(dout, dtype=torch.float64))
    return {"out": out.detach().numpy().copy(), "dx": t["x"].grad.numpy().copy(),
            "dW": t["W"].grad.numpy().copy(), "db": t["b"].grad.numpy().copy()}


def _cases(visible: bool) -> list[dict[str, Any]]:
    """x (N, D), W (D, H, k), b (H, k), dout (N, H) and the relu flag of every case."""
    rng = np.random.default_rng(31)
    # (N, D, H, k, relu): relu=True makes piece 1 identically zero, so maxout = ReLU(piece 0)
    plan = [(4, 3, 5, 2, False), (6, 2, 3, 2, True)]
    if not visible:
        plan += [(6, 4, 3, 3, False), (5, 2, 2, 1, False), (1, 3, 4, 4, False), (20, 6, 7, 5, False)]
    cases = []
    for n, d, h, k, relu in plan:
        x, W, b = rng.standard_normal((n, d)), rng.standard_normal((d, h, k)), rng.standard_normal((h, k))
        if relu:
            W[:, :, 1], b[:, 1] = 0.0, 0.0
        dout = rng.standard_normal((n, h))
        cases.append({"x": x, "W": W, "b": b, "dout": dout, "relu": relu})
    return cases


@register
class Maxout(Check):
    r"""the output and all three gradients against PyTorch (`einsum`, `max` over the pieces,
    autograd) in float64 for several $(N, D, H, k)$ including $k = 1$ and $N = 1$; the output shape
    `(N, H)` and the gradient shapes; that with one piece fixed at zero the layer equals ReLU; and
    that no input is modified."""

    id = "03-activations/maxout"
    names = ("maxout_forward", "maxout_backward")
    properties = (Interleaved(outputs=("out",), grads=("dx", "dW", "db")),)

    def forward(self, obj: Any, case: Data) -> tuple[dict[str, Any], Any]:
        """One forward call (for answer and Interleaved): ({"out": the raw output}, the cache)."""
        got = call(self, functions(self, obj, self.names)["maxout_forward"], case["x"], case["W"], case["b"],
                   what="maxout_forward(x, W, b)")
        out, cache = returned(self, got, ("out", "cache"), "maxout_forward")
        student_array(self, out, "the output of maxout_forward")
        return {"out": out}, cache

    def backward(self, obj: Any, case: Data, cache: Any) -> dict[str, np.ndarray]:
        """One backward call (for answer and Interleaved): the three gradients as float arrays."""
        grads = call(self, functions(self, obj, self.names)["maxout_backward"], case["dout"], cache,
                     what="maxout_backward(dout, cache)")
        return {name: student_array(self, g, name)
                for g, name in zip(returned(self, grads, ("dx", "dW", "db"), "maxout_backward"), ("dx", "dW", "db"))}

    def cases(self, *, visible: bool) -> list[Data]:
        return _cases(visible)

    def answer(self, obj: Any, case: Data) -> Data:
        x, W, b, dout = case["x"], case["W"], case["b"], case["dout"]
        (n, d), (_, h, k) = x.shape, W.shape
        raw, cache = self.forward(obj, case)
        out = student_array(self, raw["out"], f"the output of maxout_forward (N={n}, D={d}, H={h}, k={k})", (n, h),
                            hint="z = x W + b has shape (N, H, k); take the max over the LAST axis (the k pieces)")
        return {"out": out, **self.backward(obj, case, cache),
                "x_after": x, "W_after": W, "b_after": b, "dout_after": dout}

    def judge_case(self, case: Data, answer: Any) -> int:
        x, W, b, dout = case["x"], case["W"], case["b"], case["dout"]
        (N, D), (_, H, k) = x.shape, W.shape
        where = f"(N={N}, D={D}, H={H}, k={k})"
        for name in ("x", "W", "b", "dout"):
            expect(self, unchanged(self, answer, f"{name}_after", case[name], f"{name} after the call"),
                   f"{name} must not be modified {where}", expected=case[name], actual=answer[f"{name}_after"],
                   hint="compute into new arrays")
        ref = maxout_reference(x, W, b, dout)
        out = answer_array(self, answer, "out", (N, H), f"the output of maxout_forward {where}",
                           hint="z = x W + b has shape (N, H, k); take the max over the LAST axis (the k pieces)")
        expect_close(self, out, ref["out"], f"maxout_forward: max over k of x @ W[:, :, j] + b[:, j] {where}",
                     rtol=RTOL, atol=ATOL, hint="include the bias b of every piece before taking the max")
        n = 12
        if case["relu"]:  # an input: the grader's flag, not an answer
            relu = np.maximum(x @ W[:, :, 0] + b[:, 0], 0.0)
            expect_close(self, out, relu,
                         f"with piece 1 identically zero, maxout equals ReLU(x @ W[:, :, 0] + b[:, 0]) {where}",
                         rtol=RTOL, atol=ATOL)
            n += 1
        for g, shape, hint in (
            ("dx", (N, D), "dx = sum over pieces j of dz_j @ W[:, :, j].T, where dz_j is dout on the winning entries"),
            ("dW", (D, H, k), "dW[:, :, j] = x.T @ dz_j: only the winning piece of each (n, h) gets dout"),
            ("db", (H, k), "db[:, j] = dz_j summed over the batch (a sum, not a mean)"),
        ):
            grad = answer_array(self, answer, g, shape, f"{g} {where}", hint=f"{g} has the shape of {g[1:]}")
            expect_close(self, grad, ref[g], f"{g} from maxout_backward {where}", rtol=RTOL, atol=ATOL,
                         hint=hint + "; the other pieces get no gradient")
        return n
