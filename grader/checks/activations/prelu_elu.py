"""03-activations/prelu_elu: PReLU (with its gradient for alpha) and ELU, forward and backward.

Oracle: ``F.prelu``, ``F.elu`` and autograd in float64 (:mod:`.shared`); at x = 0 PyTorch uses the
negative side: PReLU'(0) = alpha, ELU'(0) = alpha.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..base import register
from ..properties import Interleaved, NoOverflow
from .shared import ElementwiseCheck, input_grids, random_input

__all__ = ["PreluElu"]


@register
class PreluElu(ElementwiseCheck):
    r"""PReLU's output, `dx` and `dalpha` against `F.prelu` and autograd in float64, for `alpha` of
    shape `(D,)` (positive and negative slopes) and `(1,)`, with exact zeros in `x`, and that
    `dalpha` has the shape of `alpha`; ELU's output and gradient against `F.elu` with the default
    `alpha` and with 0.5 and 2.0, at $x = 0$ (gradient $\alpha$) and at $\pm1000$; shapes; and that
    `x`, `alpha` and `dout` are not modified."""

    id = "03-activations/prelu_elu"
    properties = (Interleaved(outputs=("out",), grads=("dx",)), NoOverflow("ELU at x from −1000 to 1000, and near 0 down to ±1e-300"),)
    names = ("prelu_forward", "prelu_backward", "elu_forward", "elu_backward")
    hints = {
        "prelu": {
            "forward": "x where x > 0, alpha * x elsewhere, with alpha broadcast along the rows (one slope per column)",
            "zero": "at x = 0 use the negative side, as PyTorch does: dx = alpha * dout (the mask is x > 0)",
            "backward": "dx = dout where x > 0 and alpha * dout elsewhere",
            "dalpha": "dalpha = sum over the rows of dout * x, counting only entries with x <= 0 "
                      "(where x > 0 the output does not depend on alpha); for alpha of shape (1,) sum everything",
        },
        "elu": {
            "forward": "x where x > 0, alpha * (exp(x) - 1) elsewhere (np.expm1 is accurate near 0)",
            "zero": "at x = 0 PyTorch uses the negative side: dx = alpha * exp(0) * dout = alpha * dout",
            "backward": "dx = dout where x > 0 and alpha * exp(x) * dout (= (out + alpha) * dout) elsewhere",
        },
    }

    def plan(self, visible: bool) -> list[tuple[str, dict[str, Any], np.ndarray]]:
        rng = np.random.default_rng(5)
        shapes = [(4, 5, 5), (3, 6, 1)] if visible else [(4, 5, 5), (3, 6, 1), (50, 20, 20), (1, 3, 3), (7, 2, 1)]
        plan: list[tuple[str, dict[str, Any], np.ndarray]] = []
        for n, d, a in shapes:
            alpha = rng.uniform(-0.3, 0.6, a)
            plan.append(("prelu", {"alpha": alpha}, random_input(rng, (n, d))))
        alphas = [None, 0.5] if visible else [None, 0.5, 2.0]
        for i, alpha in enumerate(alphas):
            # None: called with the default, which the oracle takes from DEFAULTS (1.0)
            params = {} if alpha is None else {"alpha": alpha}
            plan += [("elu", params, x) for x in input_grids(visible, 20 + i)]
        return plan
