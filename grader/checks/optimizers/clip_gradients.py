"""07-optimizers/clip_gradients: clipping a list of gradient arrays in place, by value and by global norm.

Oracle: ``torch.nn.utils.clip_grad_value_`` and ``torch.nn.utils.clip_grad_norm_`` on float64
parameters whose ``.grad`` are the case's arrays (None gradients stay None). The judge reads the
caller's own arrays after the call (so a new list, or ``grads[i] = ...``, leaves them as they were),
compares them with torch's to a relative 1e-10 and, where torch's scale is 1 (the total at most
max_norm minus a hair), bit for bit; and where they differ it compares them with the neighbouring
mistakes (each array clipped by its own norm, no 1e-6, the norm after clipping, norm_type ignored).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..base import Check, Data, expect, register
from ..judging import answer_list, answer_number, real_array, unchanged
from ..probing import call, functions, student_number
from ..properties import Defaults

__all__ = ["ClipGradients", "torch_clip", "ATOL", "NAMES", "RTOL"]

NAMES = ("clip_grad_value", "clip_grad_norm")
RTOL, ATOL = 1e-10, 1e-300


def torch_clip(case: Data) -> tuple[list[np.ndarray | None], float | None]:
    """torch's clipped gradients of the case (None where the case's is None), and for norm clipping the total norm."""
    import torch

    params = []
    for g in case["grads"]:
        p = torch.zeros(np.shape(g) if g is not None else (1,), dtype=torch.float64, requires_grad=True)
        p.grad = None if g is None else torch.tensor(np.array(g, dtype=np.float64))
        params.append(p)
    if case["fn"] == "clip_grad_value":
        if any(p.grad is not None for p in params):  # torch's foreach path fails on no gradient at all
            torch.nn.utils.clip_grad_value_(params, case["clip_value"])
        total = None
    else:
        total = float(torch.nn.utils.clip_grad_norm_(params, case["max_norm"], **case["options"]))
    return [None if p.grad is None else p.grad.numpy().copy() for p in params], total


def _norm(arrays: list[np.ndarray], p: float) -> float:
    if not arrays:
        return 0.0
    norms = [np.linalg.norm(a.reshape(-1), p) if a.size else 0.0 for a in arrays]
    return float(np.linalg.norm(np.array(norms), p))


def _same(got: list[np.ndarray], want: list[np.ndarray]) -> bool:
    return all(np.allclose(a, b, rtol=RTOL, atol=ATOL) for a, b in zip(got, want))


def _norm_mistake(case: Data, before: list[np.ndarray], got: list[np.ndarray], want: list[np.ndarray],
                  total: float) -> str:
    """What the student's clipped arrays match instead of torch's, or ''."""
    max_norm, p = case["max_norm"], float(case["options"].get("norm_type", 2.0))
    if total == max_norm and all(np.array_equal(a, b) for a, b in zip(got, before)):
        return ("nothing was scaled at total == max_norm: torch scales whenever max_norm / (total + 1e-6) < 1, "
                "which holds at total == max_norm too (`if total > max_norm` skips it)")
    if all(np.array_equal(a, b) for a, b in zip(want, before)):
        return ("the total norm is below max_norm (max_norm / (total + 1e-6) >= 1): nothing may change, not even "
                "by a factor near 1")
    own = [a * min(1.0, max_norm / (np.linalg.norm(a.reshape(-1), p) + 1e-6)) if a.size else a for a in before]
    if _same(got, own) and not _same(own, want):
        return ("each array was clipped by its own norm: the norm is global, one norm over all the arrays "
                "together (the norm of their norms), and every array is scaled by the same factor")
    if all(np.array_equal(a, b) for a, b in zip(got, before)):
        return ("the caller's arrays are unchanged: clip them in place (g *= coef, np.multiply(g, coef, out=g)); a "
                "new list, or grads[i] = g * coef, leaves the caller's arrays as they were")
    if total > 0 and _same(got, [a * min(1.0, max_norm / total) for a in before]):
        return "the scale is max_norm / (total + 1e-6), as torch's, not max_norm / total"
    if any(np.isnan(a).any() for a in got):
        return "NaN in the clipped gradients: with all-zero gradients (total = 0) nothing is scaled (no 0 / 0)"
    return ""


@register
class ClipGradients(Check):
    r"""both functions on lists of float64 gradient arrays of mixed shapes (matrices, vectors, 4-d kernels,
    0-d arrays, a single array), some of them None, against `torch.nn.utils.clip_grad_value_` and
    `torch.nn.utils.clip_grad_norm_` on parameters holding those gradients: the caller's own arrays after
    the call (modified in place; None entries skipped), to a relative $10^{-10}$, and bit for bit where
    nothing is to be clipped; clip values that some entries equal exactly; the *global* norm over all the
    arrays (the per-array norms all below `max_norm` while the global one is above, too), returned as a
    Python float before clipping, for `norm_type` 2, 1, 3 and `inf`; the scale
    `max_norm / (total + 1e-6)` (also at a total exactly equal to `max_norm`); all-zero gradients (no NaN);
    an empty list, and a list of Nones only (total 0)."""

    id = "07-optimizers/clip_gradients"
    properties = (Defaults(norm_type=2.0),)
    option_outputs = ("after", "total")

    def cases(self, *, visible: bool) -> list[Data]:
        rng = np.random.default_rng(1311)

        def arrays(*shapes: tuple[int, ...], scale: float = 1.0) -> list[np.ndarray]:
            return [scale * rng.standard_normal(s) for s in shapes]

        w, b, k = arrays((4, 3), (4,), (2, 3, 2, 2))
        small = [a * (0.8 / np.linalg.norm(a)) for a in arrays((3, 3), (5,), (2, 4))]  # each 0.8, global 1.39
        shown: list[Data] = [
            {"fn": "clip_grad_norm", "grads": [w, b, None, k], "max_norm": 1.0, "options": {}},
            {"fn": "clip_grad_norm", "grads": small, "max_norm": 1.0, "options": {"norm_type": 2.0}},
            {"fn": "clip_grad_value", "grads": [w * 2, None, b], "clip_value": 0.5},
            {"fn": "clip_grad_norm", "grads": [w, b], "max_norm": 100.0, "options": {}},
        ]
        if visible:
            return shown
        zero_d = [np.array(2.5), np.array(-4.0), rng.standard_normal(3)]
        at_edge = np.array([-1.0, 0.5, 0.25, 0.5, -0.25, 1.0, 2.0, -2.0])
        m, v = arrays((6, 5), (5,), scale=3.0)
        hidden: list[Data] = [
            {"fn": "clip_grad_norm", "grads": [m, None, v], "max_norm": 2.0, "options": {"norm_type": 1.0}},
            {"fn": "clip_grad_norm", "grads": [m, v, None], "max_norm": 0.5, "options": {"norm_type": math.inf}},
            {"fn": "clip_grad_norm", "grads": [v, m], "max_norm": 1.5, "options": {"norm_type": 3.0}},
            {"fn": "clip_grad_norm", "grads": [m, v], "max_norm": 1e3, "options": {"norm_type": math.inf}},
            {"fn": "clip_grad_norm", "grads": [np.array([3.0, 4.0]), np.array([[0.0], [12.0]])], "max_norm": 13.0,
             "options": {}},
            {"fn": "clip_grad_norm", "grads": [np.zeros((3, 2)), None, np.zeros(4)], "max_norm": 1.0, "options": {}},
            {"fn": "clip_grad_norm", "grads": [k * 5], "max_norm": 2.0, "options": {}},
            {"fn": "clip_grad_norm", "grads": zero_d, "max_norm": 1.0, "options": {}},
            {"fn": "clip_grad_norm", "grads": [], "max_norm": 1.0, "options": {}},
            {"fn": "clip_grad_norm", "grads": [None, None], "max_norm": 1.0, "options": {"norm_type": math.inf}},
            {"fn": "clip_grad_value", "grads": [at_edge, at_edge.reshape(2, 4) * 3], "clip_value": 1.0},
            {"fn": "clip_grad_value", "grads": [*zero_d, None, k], "clip_value": 0.7},
            {"fn": "clip_grad_value", "grads": [b * 0.1], "clip_value": 10.0},
            {"fn": "clip_grad_value", "grads": [m, v], "clip_value": 1.5},
            {"fn": "clip_grad_value", "grads": [], "clip_value": 1.0},
        ]
        return shown + hidden

    def _run(self, obj: Any, case: Data, options: dict[str, Any]) -> tuple[list[Any], Any]:
        """Calls the case's function on its own grads list; the caller's arrays after it, and the return value."""
        fn_name = case["fn"]
        fn = functions(self, obj, NAMES)[fn_name]
        grads = case["grads"]
        held = list(grads)  # the caller's arrays, whatever happens to the list
        shapes = ", ".join("None" if g is None else str(tuple(g.shape)) for g in grads)
        if fn_name == "clip_grad_value":
            what = f"clip_grad_value([{shapes}], clip_value={case['clip_value']})"
            out = call(self, fn, grads, case["clip_value"], what=what)
        else:
            opts = "".join(f", {k}={v!r}" for k, v in options.items())
            what = f"clip_grad_norm([{shapes}], max_norm={case['max_norm']}{opts})"
            out = call(self, fn, grads, case["max_norm"], **options, what=what)
            out = student_number(self, out, f"the total norm returned by {what}",
                                 prop=f"{what} must return the total norm as a Python float",
                                 hint="return float(total): torch returns a tensor, this exercise a float")
        return [None if g is None else np.array(g, dtype=np.float64) for g in held], out

    def answer(self, obj: Any, case: Data) -> Data:
        after, out = self._run(obj, case, case.get("options", {}))
        return {"after": after, **({"total": out} if case["fn"] == "clip_grad_norm" else {})}

    def with_options(self, obj: Any, case: Data, options: dict[str, Any]) -> Data:
        """For Defaults: clip_grad_norm on a copy of the case's gradients with exactly ``options``."""
        own = {**case, "grads": [None if g is None else g.copy() for g in case["grads"]]}
        after, total = self._run(obj, own, options)
        flat = [a.reshape(-1) for a in after if a is not None]
        return {"after": np.concatenate(flat) if flat else np.zeros(0), "total": np.array(total)}

    def judge_case(self, case: Data, answer: Any) -> int:
        fn, before = case["fn"], case["grads"]
        shapes = ", ".join("None" if g is None else str(tuple(np.shape(g))) for g in before)
        what = (f"clip_grad_value([{shapes}], clip_value={case['clip_value']})" if fn == "clip_grad_value" else
                f"clip_grad_norm([{shapes}], max_norm={case['max_norm']}"
                + "".join(f", {k}={v!r}" for k, v in case["options"].items()) + ")")
        expect(self, isinstance(answer, dict), f"the probe's data holds no answer for {what}", expected="a dict",
               actual=type(answer).__name__)
        after = answer_list(self, answer, "after", len(before), f"the gradients after {what}")
        got, present = [], []
        for i, (a, g) in enumerate(zip(after, before)):
            if g is None:
                expect(self, a is None, f"{what}: gradient {i} was None and must stay None (skipped)",
                       expected=None, actual=type(a).__name__)
                continue
            arr = real_array(self, a, f"gradient {i} after {what}")
            expect(self, arr.shape == np.shape(g), f"gradient {i} after {what} changed shape", expected=np.shape(g),
                   actual=arr.shape, hint="clip in place: the arrays keep their shapes")
            got.append(arr)
            present.append(np.asarray(g, dtype=np.float64))
        want_all, want_total = torch_clip(case)
        want = [w for w in want_all if w is not None]
        held = 1
        if fn == "clip_grad_norm":
            total = answer_number(self, answer, "total", f"the total norm returned by {what}")
            p = float(case["options"].get("norm_type", 2.0))
            hint = ""
            if p != 2.0 and math.isclose(total, _norm(present, 2.0), rel_tol=1e-9):
                hint = f"norm_type={p!r} was ignored: this is the L2 norm"
            elif present and math.isclose(total, _norm(want, p), rel_tol=1e-9):
                hint = "this is the norm after clipping: return the total norm of the gradients before clipping"
            elif len(present) > 1 and math.isclose(total, _norm(present[:1], p), rel_tol=1e-9):
                hint = "this is the first array's norm: the total norm is over all the arrays"
            expect(self, math.isclose(total, want_total, rel_tol=RTOL, abs_tol=1e-300),
                   f"the total norm returned by {what} does not match torch.nn.utils.clip_grad_norm_",
                   expected=want_total, actual=total,
                   hint=hint or ("the norm of the per-array norms (for norm_type=inf: the largest |entry|), over "
                                 "every array that is not None; 0.0 when there is none"))
            held += 1
        for i, (a, g, w) in enumerate(zip(got, present, want)):
            if np.array_equal(w, g):  # torch left this array as it was: so must the student, bit for bit
                expect(self, unchanged(self, {"a": a}, "a", g, "the array"),
                       f"gradient {i} after {what} must be unchanged, bit for bit (nothing is clipped)",
                       expected=g, actual=a,
                       hint=_norm_mistake(case, present, got, want, total) if fn == "clip_grad_norm" else
                       "entries inside [-clip_value, clip_value] stay exactly as they are")
        if not _same(got, want):
            i = next(j for j, (a, w) in enumerate(zip(got, want)) if not np.allclose(a, w, rtol=RTOL, atol=ATOL))
            if fn == "clip_grad_norm":
                hint = _norm_mistake(case, present, got, want, total) or (
                    "scale every array by max_norm / (total + 1e-6) when that is below 1, with the total norm over "
                    "all the arrays")
            elif all(np.array_equal(a, g) for a, g in zip(got, present)):
                hint = ("the caller's arrays are unchanged: clip them in place (np.clip(g, -c, c, out=g)); a new "
                        "list, or grads[i] = np.clip(...), leaves the caller's arrays as they were")
            elif _same(got, [np.minimum(g, case["clip_value"]) for g in present]):
                hint = "clip both sides: every entry into [-clip_value, clip_value]"
            else:
                hint = "every entry into [-clip_value, clip_value], as torch.clamp"
            raise self.fail(f"gradient {i} after {what} does not match torch.nn.utils.{fn}_",
                            expected=want[i], actual=got[i], hint=hint)
        return held + len(got)
