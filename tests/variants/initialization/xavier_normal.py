"""Buggy and correct answers to 04-initialization/xavier_normal (self-contained: see tests/variants/__init__.py)."""

from __future__ import annotations

import math
import random

import numpy as np
import torch

from .. import buggy, correct

XN = "04-initialization/xavier_normal"


@buggy(XN, "passes the variance 2 / (fan_in + fan_out) as the standard deviation", demo=True, classes=(0,))
def xavier_normal(shape, *, gain=1.0, rng):
    receptive = math.prod(shape[2:])
    fan_in, fan_out = shape[1] * receptive, shape[0] * receptive
    return rng.normal(0.0, gain * 2.0 / (fan_in + fan_out), size=shape)


@buggy(XN, "std from fan_in only (the LeCun variant)", classes=(6,))
def xavier_normal(shape, *, gain=1.0, rng):  # noqa: F811
    fan_in = shape[1] * math.prod(shape[2:])
    return rng.normal(0.0, gain / math.sqrt(fan_in), size=shape)


@buggy(XN, "ignores the gain", classes=(7,))
def xavier_normal(shape, *, gain=1.0, rng):  # noqa: F811
    receptive = math.prod(shape[2:])
    fan_in, fan_out = shape[1] * receptive, shape[0] * receptive
    return rng.normal(0.0, math.sqrt(2.0 / (fan_in + fan_out)), size=shape)


@buggy(XN, "uniform distribution with the right variance instead of normal", classes=(5,))
def xavier_normal(shape, *, gain=1.0, rng):  # noqa: F811
    receptive = math.prod(shape[2:])
    fan_in, fan_out = shape[1] * receptive, shape[0] * receptive
    r = gain * math.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-r, r, size=shape)


@buggy(XN, "multiplies by gain squared", classes=(7,))
def xavier_normal(shape, *, gain=1.0, rng):  # noqa: F811
    receptive = math.prod(shape[2:])
    fan_in, fan_out = shape[1] * receptive, shape[0] * receptive
    return rng.normal(0.0, gain**2 * math.sqrt(2.0 / (fan_in + fan_out)), size=shape)


@buggy(XN, "fans without the receptive field", classes=(6,))
def xavier_normal(shape, *, gain=1.0, rng):  # noqa: F811
    return rng.normal(0.0, gain * math.sqrt(2.0 / (shape[0] + shape[1])), size=shape)


@buggy(XN, "[rng] draws from a global generator, not rng: torch.randn (global generator) times the std",
       classes=(3, 9))
def xavier_normal(shape, *, gain=1.0, rng):  # noqa: F811
    receptive = math.prod(shape[2:])
    std = gain * math.sqrt(2.0 / (receptive * (shape[0] + shape[1])))
    return torch.randn(*shape, dtype=torch.float64) * std


@correct(XN, "Box-Muller from rng.random")
def xavier_normal(shape, *, gain=1.0, rng):  # noqa: F811
    size = math.prod(shape)
    u1 = 1.0 - rng.random(size)          # in (0, 1]: log is finite
    u2 = rng.random(size)
    z = np.sqrt(-2.0 * np.log(u1)) * np.cos(2.0 * np.pi * u2)
    receptive = math.prod(shape[2:])
    std = gain * np.sqrt(2.0 / ((shape[0] + shape[1]) * receptive))
    return (std * z).reshape(shape)


@buggy(XN, "[rng] draws from a global generator, not rng: np.random.standard_normal (global state), float32",
       classes=(3, 9))
def xavier_normal(shape, *, gain=1.0, rng):  # noqa: F811
    fan_in = shape[1] * int(np.prod(shape[2:]))
    fan_out = shape[0] * int(np.prod(shape[2:]))
    var = gain**2 * 2.0 / (fan_in + fan_out)
    return (np.sqrt(var) * np.random.standard_normal(shape)).astype(np.float32)


@buggy('04-initialization/xavier_normal', "[5] sum of 12 uniforms minus 6 (Irwin-Hall 'approximate normal'): right variance, bounded at 6 std")
def xavier_normal(shape, *, gain=1.0, rng):
    r = math.prod(shape[2:])
    fan_in, fan_out = shape[1] * r, shape[0] * r
    std = gain * math.sqrt(2.0 / (fan_in + fan_out))
    z = rng.random((12,) + tuple(shape)).sum(axis=0) - 6.0
    return std * z


@buggy(XN, "[4] antithetic draws: the second half of the weights is minus the first (exact mean 0)", classes=(4,))
def xavier_normal(shape, *, gain=1.0, rng):  # noqa: F811
    rf = math.prod(shape[2:])
    fan_in, fan_out = shape[1] * rf, shape[0] * rf
    std = gain * math.sqrt(2.0 / (fan_in + fan_out))
    n = math.prod(shape)
    z = rng.normal(0.0, std, size=(n + 1) // 2)
    return np.concatenate([z, -z])[:n].reshape(shape)
