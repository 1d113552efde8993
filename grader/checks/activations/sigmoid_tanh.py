"""03-activations/sigmoid_tanh: sigmoid and tanh, forward and backward, without overflow.

Oracle: ``torch.sigmoid``, ``torch.tanh`` and autograd in float64 (:mod:`.shared`). Both must stay
finite *without overflowing* at |x| = 1000: they run under ``np.errstate(over="raise", invalid="raise")``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..base import register
from ..properties import Interleaved, NoOverflow
from .shared import ElementwiseCheck, input_grids

__all__ = ["SigmoidTanh"]


@register
class SigmoidTanh(ElementwiseCheck):
    r"""outputs and gradients against `torch.sigmoid`, `torch.tanh` and autograd in float64
    (relative tolerance $10^{-7}$), for inputs of shapes `(20,)`, `(4, 5)`, `(3,)`, `(2, 3, 4)` and
    `(50, 20)`, including $x = 0$, $\pm 10^{-8}$, $\pm 40$, $\pm 709$, $\pm 710$ and $\pm 1000$; that no
    overflow or invalid operation happens anywhere (NumPy's `errstate` set to raise); output
    shapes; and that `x` and `dout` are not modified."""

    id = "03-activations/sigmoid_tanh"
    properties = (Interleaved(outputs=("out",), grads=("dx",)), NoOverflow("x from −1000 to 1000, and near 0 down to ±1e-300"),)
    names = ("sigmoid_forward", "sigmoid_backward", "tanh_forward", "tanh_backward")
    strict_overflow = frozenset({"sigmoid", "tanh"})
    hints = {
        "sigmoid": {
            "overflow": "1 / (1 + np.exp(-x)) overflows for x << 0 (and np.where evaluates BOTH branches): "
                        "compute exp only of -|x| (a boolean mask per sign), or use 0.5 * (1 + np.tanh(x / 2))",
            "forward": "sigmoid(x) = 1 / (1 + exp(-x)), computed without overflow",
            "backward": "sigmoid'(x) = s (1 - s) with s = sigmoid(x); multiply by dout",
        },
        "tanh": {
            "overflow": "(e^x - e^-x) / (e^x + e^-x) is inf / inf for large |x|: use np.tanh",
            "forward": "use np.tanh",
            "backward": "tanh'(x) = 1 - tanh(x)^2: square the OUTPUT, not the input; multiply by dout",
        },
    }

    def plan(self, visible: bool) -> list[tuple[str, dict[str, Any], np.ndarray]]:
        return [(kind, {}, x) for kind in ("sigmoid", "tanh")
                for x in input_grids(visible, 1 if kind == "sigmoid" else 2)]
