"""05-batchnorm/batchnorm_backward_alt: the simplified batch norm backward, checked as
:mod:`.batchnorm_backward` is."""

from __future__ import annotations

from ..base import register
from .batchnorm_backward import BatchnormBackward
from ..properties import LargeMean

__all__ = ["BatchnormBackwardAlt"]


@register
class BatchnormBackwardAlt(BatchnormBackward):
    r"""the same properties as for `batchnorm_backward` (autograd in float64, non-trivial $\gamma$
    and $\beta$, several shapes, inputs unchanged)."""

    id = "05-batchnorm/batchnorm_backward_alt"
    properties = (LargeMean("x"),)
    fn_name = "batchnorm_backward_alt"
