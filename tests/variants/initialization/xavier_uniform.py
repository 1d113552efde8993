"""Buggy and correct answers to 04-initialization/xavier_uniform (self-contained: see tests/variants/__init__.py)."""

from __future__ import annotations

import math
import random

import numpy as np
import torch

from .. import buggy, correct

XU = "04-initialization/xavier_uniform"


@buggy(XU, "uses the standard deviation sqrt(2 / (fan_in + fan_out)) as the bound", demo=True, classes=(0,))
def xavier_uniform(shape, *, gain=1.0, rng):
    receptive = math.prod(shape[2:])
    fan_in, fan_out = shape[1] * receptive, shape[0] * receptive
    r = gain * math.sqrt(2.0 / (fan_in + fan_out))
    return rng.uniform(-r, r, size=shape)


@buggy(XU, "ignores the gain", classes=(7,))
def xavier_uniform(shape, *, gain=1.0, rng):  # noqa: F811
    receptive = math.prod(shape[2:])
    fan_in, fan_out = shape[1] * receptive, shape[0] * receptive
    r = math.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-r, r, size=shape)


@buggy(XU, "fans without the receptive field", classes=(6,))
def xavier_uniform(shape, *, gain=1.0, rng):  # noqa: F811
    r = gain * math.sqrt(6.0 / (shape[0] + shape[1]))
    return rng.uniform(-r, r, size=shape)


@buggy(XU, "normal distribution with the Xavier variance instead of uniform", classes=(5,))
def xavier_uniform(shape, *, gain=1.0, rng):  # noqa: F811
    receptive = math.prod(shape[2:])
    fan_in, fan_out = shape[1] * receptive, shape[0] * receptive
    return rng.normal(0.0, gain * math.sqrt(2.0 / (fan_in + fan_out)), size=shape)


@buggy(XU, "re-seeds a new generator inside, so every call returns the same weights", classes=(3,))
def xavier_uniform(shape, *, gain=1.0, rng):  # noqa: F811
    receptive = math.prod(shape[2:])
    fan_in, fan_out = shape[1] * receptive, shape[0] * receptive
    r = gain * math.sqrt(6.0 / (fan_in + fan_out))
    return np.random.default_rng(0).uniform(-r, r, size=shape)


@buggy(XU, "bound from fan_in only, sqrt(6 / fan_in)", classes=(6,))
def xavier_uniform(shape, *, gain=1.0, rng):  # noqa: F811
    fan_in = shape[1] * math.prod(shape[2:])
    r = gain * math.sqrt(6.0 / fan_in)
    return rng.uniform(-r, r, size=shape)


@buggy(XU, "uniform on [0, r) instead of [-r, r)", classes=(0,))
def xavier_uniform(shape, *, gain=1.0, rng):  # noqa: F811
    receptive = math.prod(shape[2:])
    fan_in, fan_out = shape[1] * receptive, shape[0] * receptive
    return gain * math.sqrt(6.0 / (fan_in + fan_out)) * rng.random(shape)


@buggy(XU, "[rng] draws from a global generator, not rng: torch's global generator, returns a float32 tensor",
       classes=(3, 9))
def xavier_uniform(shape, *, gain=1.0, rng):  # noqa: F811
    receptive = 1
    for k in shape[2:]:
        receptive *= k
    r = gain * (6.0 / ((shape[0] + shape[1]) * receptive)) ** 0.5
    return torch.empty(shape).uniform_(-r, r)


@correct(XU, "affine map of rng.random")
def xavier_uniform(shape, *, gain=1.0, rng):  # noqa: F811
    receptive = int(np.prod(shape[2:]))
    r = gain * np.sqrt(6.0 / (receptive * (shape[0] + shape[1])))
    return (2.0 * rng.random(shape) - 1.0) * r


@buggy(XU, "[rng] draws from a global generator, not rng: np.random.uniform (global state), ignoring rng",
       classes=(3,))
def xavier_uniform(shape, *, gain=1.0, rng):  # noqa: F811
    fan_in = shape[1] * math.prod(shape[2:])
    fan_out = shape[0] * math.prod(shape[2:])
    std = gain * math.sqrt(2.0 / (fan_in + fan_out))
    return np.random.uniform(-math.sqrt(3.0) * std, math.sqrt(3.0) * std, size=shape)


@buggy(XU, "[4] draws the first row and fills each next row with it rolled by one (a circulant matrix)",
       classes=(4,))
def xavier_uniform(shape, *, gain=1.0, rng):  # noqa: F811
    receptive_field = math.prod(shape[2:])
    fan_in, fan_out = shape[1] * receptive_field, shape[0] * receptive_field
    bound = gain * math.sqrt(6.0 / (fan_in + fan_out))
    row = rng.uniform(-bound, bound, size=math.prod(shape[1:]))
    return np.stack([np.roll(row, i) for i in range(shape[0])]).reshape(shape)
