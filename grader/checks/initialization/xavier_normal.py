"""04-initialization/xavier_normal: Glorot's normal initialiser, judged by its law (:mod:`.shared`)."""

from __future__ import annotations

from typing import Any

from ..base import register
from .shared import InitializerCheck
from .xavier_uniform import XAVIER_HIDDEN, XAVIER_VISIBLE

__all__ = ["XavierNormal"]


@register
class XavierNormal(InitializerCheck):
    r"""as for `xavier_uniform`, with the target $\mathcal{N}(0, \text{std}^2)$: shape, mean,
    variance, a Kolmogorov-Smirnov test against the normal distribution (a uniform draw with the
    right variance fails it), a two-sample test against `torch.nn.init.xavier_normal_`, the number
    of weights beyond 3 std over all large samples (an exact binomial band, which a sum of
    uniforms with the right variance fails), independence, and fresh draws on every call."""

    id = "04-initialization/xavier_normal"
    init = "xavier_normal"

    def samples(self, *, visible: bool) -> list[dict[str, Any]]:
        return XAVIER_VISIBLE if visible else XAVIER_HIDDEN
