"""05-batchnorm/groupnorm_backward: group norm's backward pass (:mod:`.batchnorm_backward`, over
groups of channels), against autograd through ``torch.nn.functional.group_norm``."""

from __future__ import annotations

from ..base import register
from .batchnorm_backward import BatchnormBackward
from ..properties import LargeMean

__all__ = ["GroupnormBackward"]


@register
class GroupnormBackward(BatchnormBackward):
    r"""`dx`, `dgamma`, `dbeta` against autograd through `torch.nn.functional.group_norm` in float64
    for several $(N, C, H, W)$ and $G$ (including 1 and $C$), with non-trivial $\gamma$, $\beta$;
    `dout` and the cache unmodified."""

    id = "05-batchnorm/groupnorm_backward"
    properties = (LargeMean("x"),)
    fn_name = "groupnorm_backward"
    kind = "gn"

    def specs(self, visible: bool) -> list[tuple[tuple[int, ...], int | None]]:
        return [((2, 6, 2, 2), 3)] if visible else [((2, 6, 2, 2), 3), ((3, 4, 3, 2), 2), ((2, 6, 1, 3), 1),
                                                    ((2, 4, 2, 3), 4)]
