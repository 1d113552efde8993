"""04-initialization/compute_fans: fan_in and fan_out of linear and convolution weights.

Oracle: ``torch.nn.init._calculate_fan_in_and_fan_out`` on a meta tensor of the same shape, and the
``ValueError`` torch raises for fewer than two dimensions.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..base import Check, Data, expect, register
from ..judging import answer_field, answer_list, describe
from ..probing import as_float_array, call, raised, returned
from .shared import torch_fans

__all__ = ["ComputeFans"]

_SHAPES_VISIBLE = [(20, 10), (16, 3, 5, 5)]
_SHAPES_HIDDEN = [
    (20, 10), (16, 3, 5, 5), (10, 20), (1, 1), (7, 1), (1, 9),
    (8, 4, 3),            # Conv1d
    (6, 2, 3, 7),         # non-square kernel
    (5, 3, 1, 1),         # 1x1 convolution
    (4, 2, 3, 5, 2),      # Conv3d
    (64, 32, 3, 3),
]
#: Shapes with fewer than two dimensions, on which compute_fans must raise (hidden cases only).
_ERROR_SHAPES = [(7,), ()]

_HINT = "end with `return fan_in, fan_out` (two integers)"


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, (bool, np.bool_))


@register
class ComputeFans(Check):
    r"""`(fan_in, fan_out)` against `torch.nn.init._calculate_fan_in_and_fan_out` for linear weights
    (including 1-wide ones), 1-D, 2-D (square, non-square and $1\times1$) and 3-D convolution
    kernels, that both are ints in a tuple (not floats, not a list) and not swapped, and (hidden) that shapes `(7,)` and `()`
    raise `ValueError`."""

    id = "04-initialization/compute_fans"

    def cases(self, *, visible: bool) -> list[Data]:
        return ([{"kind": "fans", "shape": list(shape)} for shape in (_SHAPES_VISIBLE if visible else _SHAPES_HIDDEN)]
                + ([] if visible else [{"kind": "raises", "shape": list(shape)} for shape in _ERROR_SHAPES]))

    def answer(self, obj: Any, case: Data) -> Data:
        shape = tuple(case["shape"])
        if case["kind"] == "raises":
            return {"outcome": raised(obj, shape)}
        out = call(self, obj, shape, what=f"compute_fans({shape})")
        fans = returned(self, out, ("fan_in", "fan_out"), f"compute_fans{shape}")
        if not isinstance(out, tuple):
            raise self.fail(f"compute_fans{shape} must return a tuple (fan_in, fan_out), as documented",
                            expected="a tuple of two ints", actual=f"a {type(out).__name__}",
                            hint="return fan_in, fan_out")
        values = []
        for name, v in zip(("fan_in", "fan_out"), fans):
            if not isinstance(v, (int, np.integer)) or isinstance(v, bool):
                raise self.fail(f"{name} must be an int, as documented (compute_fans{shape})", expected="an int",
                                actual=f"a {type(v).__module__}.{type(v).__name__}",
                                hint="np.prod(()) is the float 1.0; use math.prod, or int(...)")
            a = as_float_array(self, v, name)
            if a.size != 1:
                raise self.fail(f"{name} must be one number", expected="an int",
                                actual=f"an array of shape {a.shape}", hint=_HINT)
            values.append(float(a.reshape(())))
        return {"fans": values}

    def judge_case(self, case: Data, answer: Any) -> int:
        shape = tuple(case["shape"])
        if case["kind"] == "raises":
            outcome = answer_field(self, answer, "outcome", "the outcome of a call that must raise")
            expect(self, isinstance(outcome, str) and outcome == "ValueError",
                   f"compute_fans{shape}: fewer than 2 dimensions must raise ValueError, as torch does",
                   expected="ValueError", actual=outcome if isinstance(outcome, str) else describe(outcome),
                   hint='check len(shape) first: raise ValueError(f"need at least 2 dimensions, got shape {shape}")')
            return 1
        fans = answer_list(self, answer, "fans", 2, f"the fans of shape {shape}",
                           prop=f"compute_fans{shape} must return a pair (fan_in, fan_out)", hint=_HINT)
        for name, value in zip(("fan_in", "fan_out"), fans):
            expect(self, _is_number(value), f"{name} of shape {shape} must be one number", expected="an int",
                   actual=describe(value), hint=_HINT)
        fan_in, fan_out = (float(v) for v in fans)
        ref_in, ref_out = torch_fans(shape)
        kind = "a linear weight (out, in)" if len(shape) == 2 else f"a {len(shape) - 2}-D convolution kernel"
        expect(self, float(fan_in).is_integer() and float(fan_out).is_integer(),
               f"fans must be whole numbers (shape {shape})", expected=(ref_in, ref_out),
               actual=(fan_in, fan_out), hint="multiply integers; do not divide")
        if (fan_in, fan_out) == (ref_out, ref_in) and ref_in != ref_out:
            raise self.fail(f"fan_in and fan_out are swapped for shape {shape}, {kind}",
                            expected=(ref_in, ref_out), actual=(fan_in, fan_out),
                            hint="torch stores weights as (out_features, in_features, ...): shape[1] is the input size")
        receptive = math.prod(shape[2:])
        expect(self, fan_in == ref_in, f"fan_in of shape {shape}, {kind}", expected=ref_in, actual=fan_in,
               hint=f"fan_in = shape[1] * receptive field, the receptive field being prod(shape[2:]) = {receptive}")
        expect(self, fan_out == ref_out, f"fan_out of shape {shape}, {kind}", expected=ref_out, actual=fan_out,
               hint=f"fan_out = shape[0] * receptive field, the receptive field being prod(shape[2:]) = {receptive}")
        return 3
