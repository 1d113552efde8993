"""02-preprocessing/tta_predict: test-time augmentation over ten crops.

Oracle: a grader-owned linear model records the views it is called on; the judge compares them
with the ten crops (four corners and the centre, and their mirror images) and the output with the
mean of the softmaxes, computed by the grader from the views it expects.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from ..base import Check, Data, expect, expect_close, register
from ..judging import answer_array, unchanged
from ..probing import call, student_array

__all__ = ["TtaPredict"]


class _RecordingLinear(torch.nn.Module):
    """A linear classifier on flattened views that remembers every batch it is called on."""

    def __init__(self, weight: np.ndarray):
        super().__init__()
        self.weight = torch.nn.Parameter(torch.tensor(weight), requires_grad=False)
        self.seen: list[np.ndarray] = []

    def forward(self, v: torch.Tensor) -> torch.Tensor:
        v = torch.as_tensor(v)
        self.seen.append(v.detach().cpu().to(torch.float64).numpy().copy())
        return v.to(self.weight.dtype).flatten(1) @ self.weight.T


def _views(x: np.ndarray, size: int, flip: bool) -> np.ndarray:
    """(N, V, C, size, size): four corner crops, the centre crop, then their mirror images."""
    n, c, h, w = x.shape
    t, l = (h - size) // 2, (w - size) // 2
    crops = [x[:, :, :size, :size], x[:, :, :size, w - size:], x[:, :, h - size:, :size],
             x[:, :, h - size:, w - size:], x[:, :, t:t + size, l:l + size]]
    if flip:
        crops += [cr[..., ::-1] for cr in crops]
    return np.stack(crops, axis=1)


_VIEW_NAMES = ("top-left", "top-right", "bottom-left", "bottom-right", "centre")


def _cases(visible: bool) -> list[dict[str, Any]]:
    """x (N, C, H, W), the model's weight (K, C size size), size and flip for every case."""
    # (seed, N, C, H, W, K, size, flip)
    plan = [(50, 3, 2, 6, 6, 4, 4, True)] if visible else [
        (50, 3, 2, 6, 6, 4, 4, True), (51, 4, 3, 8, 6, 5, 4, False), (52, 1, 1, 7, 9, 3, 5, True),
        (53, 2, 2, 5, 5, 6, 5, True),
        # H - size and W - size odd (and different): (H - size) // 2 and its rounded-up twin part here, and
        # mirroring the whole image before cropping moves the centre crop by one pixel
        (54, 2, 1, 7, 6, 3, 4, True), (55, 2, 2, 6, 9, 3, 4, True),
        # a confident model: logits in the thousands, where exp overflows (a softmax must not)
        (56, 2, 2, 6, 6, 4, 4, True)]
    cases = []
    for seed, n, c, h, w, k, size, flip in plan:
        rng = np.random.default_rng(seed)
        x = rng.standard_normal((n, c, h, w))
        gain = 3000.0 if seed == 56 else 2.0
        weight = rng.standard_normal((k, c * size * size)) / np.sqrt(c * size * size) * gain
        cases.append({"x": x, "weight": weight, "size": size, "flip": flip})
    return cases


@register
class TtaPredict(Check):
    """the test's model is a linear classifier that records every input it receives, so the test
    sees exactly which views you used: each of the 5 (or 10) views of every image must be among
    them, and nothing else (a wrong corner, an upside-down mirror or missing mirrors are named),
    also where $H - $ `size` and $W - $ `size` are odd, so that the centre's rounding shows; the
    output must be a tensor equal to the mean of the softmaxes, computed by the test from the
    views it expects (averaged logits or a sum instead of a mean are recognised), also for a
    confident model whose logits reach thousands; `x` is not modified."""

    id = "02-preprocessing/tta_predict"
    returns = "tensor"

    def cases(self, *, visible: bool) -> list[Data]:
        return _cases(visible)

    def answer(self, obj: Any, case: Data) -> Data:
        x, weight, size, flip = case["x"], case["weight"], case["size"], case["flip"]
        (n, c), k = x.shape[:2], weight.shape[0]
        model = _RecordingLinear(weight)
        xt = torch.tensor(x)
        what = f"tta_predict(model, x, size={size}, flip={flip})"
        out = student_array(self, call(self, obj, model, xt, size=size, flip=flip, what=what), what, (n, k),
                            hint="one row of averaged class probabilities per image: (N, K)")
        shapes = sorted({s.shape[1:] for s in model.seen})
        if any(sh != (c, size, size) for sh in shapes):
            raise self.fail("the model must be called on crops of shape (B, C, size, size)",
                            expected=(c, size, size), actual=shapes,
                            hint="crop with x[:, :, top:top + size, left:left + size]")
        views = np.concatenate(model.seen) if model.seen else np.zeros((0, c, size, size))
        return {"out": out, "views": views, "x_after": xt.detach().numpy().copy()}

    def judge_case(self, case: Data, answer: Any) -> int:
        x, size, flip, weight = case["x"], case["size"], case["flip"], case["weight"]
        (n, c), k = x.shape[:2], weight.shape[0]
        # the answers: the output (N, K), and every view the model saw (R, C, size, size), R free
        got = answer_array(self, answer, "out", (n, k), f"tta_predict(model, x, size={size}, flip={flip})")
        seen = answer_array(self, answer, "views", (None, c, size, size), "the views the model saw")
        where = f"(x {x.shape}, size={size}, flip={flip})"
        expect(self, unchanged(self, answer, "x_after", x, "x after the call"), f"x must not be modified {where}",
               expected=x, actual=answer["x_after"], hint="flip with torch.flip, which returns a new tensor")
        want = _views(x, size, flip)                                  # (N, V, C, s, s)
        V = want.shape[1]
        flat_want = want.reshape(n * V, -1)
        dist = np.abs(seen.reshape(len(seen), 1, -1) - flat_want[None]).max(axis=2) if len(seen) else np.zeros((0, n * V))
        matched = dist <= 1e-6
        names = [f"{nm}{' (mirrored)' if f else ''}" for f in ((False, True) if flip else (False,)) for nm in _VIEW_NAMES]
        stray = np.flatnonzero(~matched.any(axis=1))
        expect(self, stray.size == 0, f"the model must only see the {V} test-time views {where}",
               expected=", ".join(names), actual=f"{stray.size} unexpected input(s) to the model",
               hint=("flip=False means no mirrored views" if not flip else
                     "corners at (0, 0), (0, W-s), (H-s, 0), (H-s, W-s), centre at ((H-s)//2, (W-s)//2); "
                     "mirror = flip the width axis"))
        missing = np.flatnonzero(~matched.any(axis=0))
        expect(self, missing.size == 0, f"the model must see every one of the {V} views of every image {where}",
               expected=", ".join(names),
               actual="missing: " + ", ".join(sorted({names[int(m) % V] for m in missing})),
               hint="five crops (four corners and the centre)" + (", each also mirrored left-right" if flip else ""))
        logits = want.reshape(n, V, -1) @ weight.T                    # (N, V, K)
        probs = torch.softmax(torch.tensor(logits), dim=2).mean(dim=1).numpy()
        if not np.allclose(got, probs, rtol=1e-5, atol=1e-7):
            hint = "average the softmax PROBABILITIES over the views (mean over views of softmax(model(view)))"
            if np.allclose(got, torch.softmax(torch.tensor(logits.mean(axis=1)), dim=1).numpy(), rtol=1e-5, atol=1e-7):
                hint = "you averaged the logits and then took the softmax; average the probabilities instead"
            elif np.allclose(got, probs * V, rtol=1e-5, atol=1e-7):
                hint = "divide the sum over views by the number of views"
            expect_close(self, got, probs, f"the prediction must be the mean of softmax(model(view)) over the {V} views "
                                           f"{where}", rtol=1e-5, atol=1e-7, hint=hint)
        return 4
