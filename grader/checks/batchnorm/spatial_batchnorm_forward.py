"""05-batchnorm/spatial_batchnorm_forward: batch norm per channel of (N, C, H, W) inputs.

Oracle: ``torch.nn.functional.batch_norm`` on 4-D input (what ``BatchNorm2d`` runs), through the
same train -> test -> train sequences as :mod:`.batchnorm_forward`.
"""

from __future__ import annotations

from ..base import register
from .batchnorm_forward import BatchnormForward
from ..properties import Defaults, LargeMean

__all__ = ["SpatialBatchnormForward"]


@register
class SpatialBatchnormForward(BatchnormForward):
    r"""the same train/test sequences as for `batchnorm_forward`, on $(N, C, H, W)$ inputs whose
    channels have different means and scales, compared after every call with
    `torch.nn.functional.batch_norm` on 4-D input (what `torch.nn.BatchNorm2d` runs): outputs, both
    running buffers, the cache (None in test mode), and unmodified inputs; and, hidden, a batch of
    uint8 images (0 to 255), normalised in floating point."""

    id = "05-batchnorm/spatial_batchnorm_forward"
    properties = (LargeMean("steps.x"), Defaults(eps=1e-5, momentum=0.1))
    spatial = True
    fn_name = "spatial_batchnorm_forward"
