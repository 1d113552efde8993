"""05-batchnorm/groupnorm_forward: group norm's forward pass and its cache (:mod:`.layernorm_forward`
with groups of channels), against ``torch.nn.functional.group_norm``."""

from __future__ import annotations

from ..base import register
from .layernorm_forward import LayernormForward
from ..properties import Defaults, LargeMean

__all__ = ["GroupnormForward"]


@register
class GroupnormForward(LayernormForward):
    r"""the output against `torch.nn.functional.group_norm` in float64 for $G = 1$ (layer norm),
    $G = C$ (instance norm) and values in between, on inputs whose examples and channels have
    different means and scales; the cache entries and shapes; unmodified inputs."""

    id = "05-batchnorm/groupnorm_forward"
    properties = (LargeMean("x"), Defaults(eps=1e-5))
    fn_name = "groupnorm_forward"
    kind = "gn"

    def specs(self, visible: bool) -> list[tuple[tuple[int, ...], int | None, float]]:
        return [((2, 6, 2, 2), 3, 1e-5)] if visible else [((2, 6, 2, 2), 3, 1e-5), ((1, 8, 3, 2), 4, 1e-5),
                                                          ((3, 4, 2, 2), 1, 0.2), ((2, 4, 1, 3), 4, 1e-3),
                                                          ((2, 6, 3, 3), 2, 1e-5)]
