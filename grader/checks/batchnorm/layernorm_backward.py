"""05-batchnorm/layernorm_backward: layer norm's backward pass (:mod:`.batchnorm_backward`, over
the features), against autograd through ``torch.nn.functional.layer_norm``."""

from __future__ import annotations

from ..base import register
from .batchnorm_backward import BatchnormBackward
from ..properties import LargeMean

__all__ = ["LayernormBackward"]


@register
class LayernormBackward(BatchnormBackward):
    r"""`dx`, `dgamma`, `dbeta` against autograd through `torch.nn.functional.layer_norm` in
    float64, with non-trivial $\gamma$ and $\beta$, several shapes including a single example, a
    large `eps`; `dout` and the cache unmodified."""

    id = "05-batchnorm/layernorm_backward"
    properties = (LargeMean("x"),)
    fn_name = "layernorm_backward"
    kind = "ln"

    def specs(self, visible: bool) -> list[tuple[tuple[int, ...], int | None]]:
        return [((4, 5), None)] if visible else [((4, 5), None), ((7, 3), None), ((1, 6), None), ((3, 2), None)]
