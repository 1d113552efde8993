import math, random
import numpy as np
import torch
from tests.variants import buggy, correct


@buggy("04-initialization/compute_fans", "[6] (in, out) convention: fan_in = shape[0], fan_out = shape[1]")
def compute_fans(shape):
    if len(shape) < 2:
        raise ValueError("a weight needs at least 2 dimensions")
    r = math.prod(shape[2:])
    return shape[0] * r, shape[1] * r


@buggy("04-initialization/compute_fans", "[6,10] receptive field = last dimension only (right for 1-D kernels, wrong for 2-D/3-D)")
def compute_fans(shape):
    if len(shape) < 2:
        raise ValueError("a weight needs at least 2 dimensions")
    r = shape[-1] if len(shape) > 2 else 1
    return shape[1] * r, shape[0] * r


@buggy("04-initialization/compute_fans", "[6,10] handles only linear and 2-D conv (kH * kW); 1-D and 3-D kernels get r = 1")
def compute_fans(shape):
    if len(shape) < 2:
        raise ValueError("a weight needs at least 2 dimensions")
    r = shape[2] * shape[3] if len(shape) == 4 else 1
    return shape[1] * r, shape[0] * r


@buggy("04-initialization/compute_fans", "[7] no ValueError: a 1-D shape gets fan_in = fan_out = shape[0]")
def compute_fans(shape):
    if len(shape) == 1:
        return shape[0], shape[0]
    r = math.prod(shape[2:])
    return shape[1] * r, shape[0] * r


@buggy("04-initialization/compute_fans", "[7] assert len(shape) >= 2: raises AssertionError, not ValueError")
def compute_fans(shape):
    assert len(shape) >= 2, "need at least 2 dimensions"
    r = math.prod(shape[2:])
    return shape[1] * r, shape[0] * r


@buggy("04-initialization/compute_fans", "[7] no check at all: IndexError for a 1-D shape, and () too")
def compute_fans(shape):
    r = 1
    for k in shape[2:]:
        r *= k
    return shape[1] * r, shape[0] * r


@buggy("04-initialization/compute_fans", "[7] fan_out forgets the receptive field: fan_out = out_channels")
def compute_fans(shape):
    if len(shape) < 2:
        raise ValueError("a weight needs at least 2 dimensions")
    return math.prod(shape[1:]), shape[0]






@correct("04-initialization/compute_fans", "torch's own _calculate_fan_in_and_fan_out on a meta tensor (no memory)")
def compute_fans(shape):
    t = torch.empty(tuple(shape), device="meta")
    fan_in, fan_out = torch.nn.init._calculate_fan_in_and_fan_out(t)
    return int(fan_in), int(fan_out)


@correct("04-initialization/compute_fans", "unpacking out, in, *kernel with math.prod, ints forced")
def compute_fans(shape):
    try:
        out, inp, *kernel = shape
    except ValueError:
        raise ValueError(f"fans need a shape with >= 2 dimensions, got {shape!r}") from None
    r = math.prod(kernel)
    return int(inp * r), int(out * r)
