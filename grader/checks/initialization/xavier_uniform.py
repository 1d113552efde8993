"""04-initialization/xavier_uniform: Glorot's uniform initialiser, judged by its law (:mod:`.shared`)."""

from __future__ import annotations

import math
from typing import Any

from ..base import register
from .shared import InitializerCheck

__all__ = ["XavierUniform", "XAVIER_VISIBLE", "XAVIER_HIDDEN"]

XAVIER_VISIBLE = [
    {"shape": (256, 512), "params": {"gain": 1.0}},
    {"shape": (2, 3), "params": {"gain": 1.0}},
]
XAVIER_HIDDEN = XAVIER_VISIBLE + [
    {"shape": (300, 700), "params": {"gain": 5.0 / 3.0}},
    {"shape": (128, 64, 3, 5), "params": {"gain": math.sqrt(2.0)}},
    {"shape": (96, 40, 31), "params": {"gain": 0.5}},
    {"shape": (4, 3, 2, 2), "params": {"gain": 1.0}},
]


@register
class XavierUniform(InitializerCheck):
    r"""statistics of large samples (over $10^5$ weights per shape), never one particular random
    stream, so any correct way of drawing from `rng` passes. For linear and
    convolution shapes and several gains: the shape; all weights in $[-a, a]$ and the largest
    $|w|$ close to $a$; mean 0 and the variance $\text{gain}^2\cdot 2/(n_\text{in}+n_\text{out})$;
    the distribution, by a Kolmogorov-Smirnov test against $U(-a, a)$ and a two-sample test against
    `torch.nn.init.xavier_uniform_` on a tensor of the same shape; no correlation between
    neighbouring entries or rows, nor between the two halves of the weights, and no value
    repeated; and two calls in a row give different weights. Each statistical
    test rejects a correct answer with probability below $10^{-9}$."""

    id = "04-initialization/xavier_uniform"
    init = "xavier_uniform"

    def samples(self, *, visible: bool) -> list[dict[str, Any]]:
        return XAVIER_VISIBLE if visible else XAVIER_HIDDEN
