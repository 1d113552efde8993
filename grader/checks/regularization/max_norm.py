"""06-regularization/max_norm: rescale each unit's incoming weight vector W[i] to L2 norm at most c.

Oracle: ``torch.renorm(W, 2, 0, c)`` in float64 (it scales by c / (norm + 1e-7): compared within that)
for the rows over the bound, and the input itself, bit for bit, for the rows under it; a wrong answer
is compared with the per-column and whole-array norms to say which axis it used.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from ..base import Check, Data, expect, expect_close, register
from ..judging import answer_array, unchanged
from ..probing import call, student_array

__all__ = ["MaxNorm"]


def _weights(seed: int, shape: tuple[int, ...], c: float) -> np.ndarray:
    """Units whose norms spread from 0.3 c to 3 c (some under the bound, some over), one row of zeros,
    and, for a 2-d W with two columns or more, one row of norm exactly c (3-4-5)."""
    rng = np.random.default_rng(seed)
    w = rng.standard_normal(shape)
    flat = w.reshape(shape[0], -1)
    target = c * np.geomspace(0.3, 3.0, shape[0])
    rng.shuffle(target)
    flat *= (target / np.linalg.norm(flat, axis=1))[:, None]
    if shape[0] > 2:
        flat[0] = 0.0
        if w.ndim == 2 and shape[1] >= 2:
            flat[1] = 0.0
            flat[1, :2] = (0.6 * c, 0.8 * c) if c == 5.0 else (0.0, c)
    return w


#: (shape, c): c = 5 makes the row (3, 4) have norm exactly c
_VISIBLE = [((5, 3), 1.0), ((3, 7), 2.0), ((4, 2, 3, 3), 1.5)]
_HIDDEN = _VISIBLE + [((6, 1), 0.5), ((1, 6), 0.7), ((8, 4), 5.0), ((4, 3, 5), 3.0), ((7, 5), 1e3),
                      ((6, 3, 2, 2), 0.25), ((2, 9), 100.0)]


def _rows(w: np.ndarray) -> np.ndarray:
    return w.reshape(w.shape[0], -1)


def _renorm(w: np.ndarray, c: float) -> np.ndarray:
    return torch.renorm(torch.from_numpy(w), 2, 0, c).numpy()


def _other_axes(w: np.ndarray, c: float) -> list[tuple[np.ndarray, str]]:
    """What the neighbouring norms give, with their hints."""
    out = []
    if w.ndim >= 2:
        cols = np.linalg.norm(w, axis=0, keepdims=True)
        out.append((w * np.minimum(1.0, c / np.where(cols > 0, cols, 1.0)),
                    "you normalised the columns (the norm over axis 0, the outgoing weights of an input); a unit's "
                    "incoming weights are its row W[i]: the norm over every axis but 0"))
    total = np.linalg.norm(w)
    out.append((w * min(1.0, c / total) if total > 0 else w,
                "you used the norm of the whole array; max-norm bounds each unit separately: one norm per W[i]"))
    if w.ndim > 2:
        n1 = np.linalg.norm(w, axis=1, keepdims=True)
        out.append((w * np.minimum(1.0, c / np.where(n1 > 0, n1, 1.0)),
                    "for a conv kernel (out, in, kh, kw) the unit is the whole filter W[i]: take the norm over "
                    "axes 1, 2 and 3 together (reshape to (out, -1)), not over axis 1 alone"))
    return out


@register
class MaxNorm(Check):
    """against `torch.renorm(W, 2, 0, c)` in float64 (which scales by $c/(\\lVert W_i\\rVert + 10^{-7})$,
    so the rescaled rows are compared within that): weight matrices, square or not, a single unit and
    a single input, a 3-d and two 4-d conv kernels (the unit is the whole filter `W[i]`), bounds from
    0.25 to 1000, a row of zeros and a row of norm exactly $c$; that every unit whose norm is at most
    $c$ is returned bit for bit unchanged, that each rescaled unit has norm $c$ (a wrong answer is
    compared with per-column and whole-array norms, to say which axis it used), that the result is
    a new array and that `W` is not modified."""

    id = "06-regularization/max_norm"

    def cases(self, *, visible: bool) -> list[Data]:
        return [{"W": _weights(90 + i, shape, c), "c": c} for i, (shape, c) in enumerate(_VISIBLE if visible else _HIDDEN)]

    def answer(self, obj: Any, case: Data) -> Data:
        w, c = case["W"], case["c"]
        returned = call(self, obj, w, c, what=f"max_norm(W of shape {w.shape}, c={c})")
        out = student_array(self, returned, "the result", w.shape).copy()
        # the caller owns the result: writing into it must not change W (a result that is W or a view of it)
        if isinstance(returned, np.ndarray) and returned.flags.writeable and returned.dtype.kind == "f":
            returned += 1.0
        return {"out": out, "W_after": w}

    def judge_case(self, case: Data, answer: Any) -> int:
        w, c = case["W"], case["c"]
        where = f"(W of shape {w.shape}, c={c})"
        expect(self, unchanged(self, answer, "W_after", w, "W after the call"),
               f"W must not be modified, nor share its memory with the result {where}", expected="W unchanged",
               actual="W was changed (by the call, or by writing into the array returned)",
               hint="work on a copy: out = W.copy() (or W * scale, a new array), and return it even when no unit "
                    "exceeds c")
        out = answer_array(self, answer, "out", w.shape, "the result")
        norms = np.linalg.norm(_rows(w), axis=1)
        under, over = norms <= c, norms > c
        ref = _renorm(w, c)
        for want, hint in _other_axes(w, c):
            if np.allclose(out, want, rtol=1e-6, atol=1e-12) and not np.allclose(out, ref, rtol=1e-6, atol=1e-12):
                raise self.fail(f"the units must be the rows W[i] {where}", expected=ref, actual=out, hint=hint)
        if under.any():
            same = np.array([np.array_equal(a, b) for a, b in zip(_rows(out), _rows(w))])
            bad = np.flatnonzero(under & ~same)
            expect(self, bad.size == 0, f"a unit whose norm is at most c must be returned bit for bit unchanged {where}",
                   expected=f"W[{bad[0] if bad.size else 0}] as given (norm {norms[bad[0] if bad.size else 0]:.6g} <= "
                            f"c = {c})",
                   actual=_rows(out)[bad[0] if bad.size else 0],
                   hint="rescale only the units with norm > c; do not multiply the others by c / (norm + eps), "
                        "which is slightly below 1 for a norm equal to c, nor by c / norm, which is above 1")
        if over.any():
            rtol = 1.5e-7 / float(norms[over].min()) + 1e-12  # torch's + 1e-7 in the denominator
            expect_close(self, _rows(out)[over], _rows(ref)[over], f"the rescaled units {where}", rtol=rtol, atol=1e-300,
                         hint="a unit with norm > c becomes W[i] * c / ||W[i]||, of norm exactly c")
            got_norms = np.linalg.norm(_rows(out)[over], axis=1)
            expect_close(self, got_norms, np.full(got_norms.shape, c), f"the norms of the rescaled units {where}",
                         rtol=rtol, atol=0.0, hint="rescale W[i] to norm c exactly")
        return 4
