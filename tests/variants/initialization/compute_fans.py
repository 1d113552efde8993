"""Buggy and correct answers to 04-initialization/compute_fans (self-contained: see tests/variants/__init__.py)."""

from __future__ import annotations

import math

import numpy as np

from .. import buggy, correct

FANS = "04-initialization/compute_fans"


@buggy(FANS, "fan_in and fan_out swapped (reads the weight as (in, out))", demo=True, classes=(6,))
def compute_fans(shape):
    if len(shape) < 2:
        raise ValueError(f"need at least 2 dimensions, got {shape}")
    receptive = math.prod(shape[2:])
    return shape[0] * receptive, shape[1] * receptive


@buggy(FANS, "ignores the receptive field of convolution kernels", classes=(6,))
def compute_fans(shape):  # noqa: F811
    if len(shape) < 2:
        raise ValueError(f"need at least 2 dimensions, got {shape}")
    return shape[1], shape[0]


@buggy(FANS, "assumes a square kernel: receptive field shape[2] ** 2", classes=(6,))
def compute_fans(shape):  # noqa: F811
    if len(shape) < 2:
        raise ValueError(f"need at least 2 dimensions, got {shape}")
    receptive = shape[2] ** 2 if len(shape) > 2 else 1
    return shape[1] * receptive, shape[0] * receptive


@buggy(FANS, "fan_out forgets the receptive field", classes=(6,))
def compute_fans(shape):  # noqa: F811
    if len(shape) < 2:
        raise ValueError(f"need at least 2 dimensions, got {shape}")
    return int(np.prod(shape[1:])), shape[0]


@buggy(FANS, "only handles 2-D kernels: receptive field shape[2] * shape[3], else 1", classes=(6,))
def compute_fans(shape):  # noqa: F811
    if len(shape) < 2:
        raise ValueError(f"need at least 2 dimensions, got {shape}")
    receptive = shape[2] * shape[3] if len(shape) == 4 else 1
    return shape[1] * receptive, shape[0] * receptive


@buggy(FANS, "no ValueError for a 1-D shape (a bias vector)", classes=(7,))
def compute_fans(shape):  # noqa: F811
    if len(shape) == 0:
        raise ValueError("empty shape")
    fan_out = shape[0] * math.prod(shape[2:])
    fan_in = (shape[1] if len(shape) > 1 else shape[0]) * math.prod(shape[2:])
    return fan_in, fan_out


@correct(FANS, "math.prod of the trailing dimensions")
def compute_fans(shape):  # noqa: F811
    if len(shape) < 2:
        raise ValueError(f"Fans need a weight with at least 2 dimensions, got shape {tuple(shape)}")
    receptive = math.prod(shape[2:])
    return shape[1] * receptive, shape[0] * receptive


@correct(FANS, "numpy products, numpy integers returned")
def compute_fans(shape):  # noqa: F811
    dims = np.asarray(shape, dtype=np.int64)
    if dims.size < 2:
        raise ValueError("shape must have at least 2 entries")
    return np.prod(dims[1:]), dims[0] * np.prod(dims[2:])


@correct(FANS, "unpacking and a loop")
def compute_fans(shape):  # noqa: F811
    if len(shape) < 2:
        raise ValueError("too few dimensions")
    out_dim, in_dim, *kernel = shape
    fan_in, fan_out = in_dim, out_dim
    for k in kernel:
        fan_in, fan_out = fan_in * k, fan_out * k
    return fan_in, fan_out


@buggy('04-initialization/compute_fans', "[9] np.prod(()) is 1.0: linear fans come back as floats (conv fans as np.int64)")
def compute_fans(shape):
    if len(shape) < 2:
        raise ValueError("a weight needs at least 2 dimensions")
    r = np.prod(shape[2:])
    return shape[1] * r, shape[0] * r


@buggy('04-initialization/compute_fans', "[9] returns a list [fan_in, fan_out] of numpy ints from np.array(shape)")
def compute_fans(shape):
    s = np.array(shape)
    if s.ndim != 1 or s.size < 2:
        raise ValueError("a weight needs at least 2 dimensions")
    r = s[2:].prod()
    return [s[1] * r, s[0] * r]
