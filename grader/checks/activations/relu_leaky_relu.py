"""03-activations/relu_leaky_relu: ReLU and Leaky ReLU, forward and backward.

Oracle: ``torch.relu``, ``F.leaky_relu`` and autograd in float64 (:mod:`.shared`), on grids with
exact zeros, where PyTorch's convention is ReLU'(0) = 0 and LeakyReLU'(0) = the negative slope.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..base import register
from ..properties import Interleaved
from .shared import ElementwiseCheck, input_grids

__all__ = ["ReluLeakyRelu"]


@register
class ReluLeakyRelu(ElementwiseCheck):
    r"""outputs and gradients against `torch.relu`, `F.leaky_relu` and autograd in float64, on grids
    containing exact zeros (also $-0.0$), where the gradient must follow PyTorch's convention (0
    for ReLU, the slope for Leaky ReLU); Leaky ReLU with its default slope 0.01 and with
    `negative_slope` 0.2, 0.5 and 0; several shapes; and that `x` and `dout` are not modified
    (`x[x < 0] = 0` would change the caller's array)."""

    id = "03-activations/relu_leaky_relu"
    properties = (Interleaved(outputs=("out",), grads=("dx",)),)
    names = ("relu_forward", "relu_backward", "leaky_relu_forward", "leaky_relu_backward")
    hints = {
        "relu": {
            "forward": "relu(x) = max(x, 0) element-wise: np.maximum(x, 0)",
            "zero": "PyTorch's convention is relu'(0) = 0: the mask is x > 0, not x >= 0",
            "backward": "dx = dout where x > 0, and 0 elsewhere",
        },
        "leaky_relu": {
            "forward": "x where x > 0, negative_slope * x elsewhere; use the negative_slope argument",
            "zero": "PyTorch's convention at x = 0 is the negative slope (the mask is x > 0)",
            "backward": "dx = dout where x > 0 and negative_slope * dout elsewhere",
        },
    }

    def plan(self, visible: bool) -> list[tuple[str, dict[str, Any], np.ndarray]]:
        plan: list[tuple[str, dict[str, Any], np.ndarray]] = [("relu", {}, x) for x in input_grids(visible, 3)]
        slopes = [None, 0.2] if visible else [None, 0.2, 0.5, 0.0]
        for i, slope in enumerate(slopes):
            # None: called with the default, which the oracle takes from DEFAULTS (PyTorch's 0.01)
            params = {} if slope is None else {"negative_slope": slope}
            plan += [("leaky_relu", params, x) for x in input_grids(visible, 10 + i)]
        return plan
