"""Buggy and correct answers to 04-initialization/kaiming_normal (self-contained: see tests/variants/__init__.py)."""

from __future__ import annotations

import math
import random

import numpy as np
import torch

from .. import buggy, correct

KN = "04-initialization/kaiming_normal"


@buggy(KN, "ignores mode: always divides by fan_in", demo=True, classes=(7,))
def kaiming_normal(shape, *, a=0.0, mode="fan_in", nonlinearity="relu", rng):
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"Invalid mode: {mode}")
    gains = {"relu": math.sqrt(2.0), "leaky_relu": math.sqrt(2.0 / (1 + a**2)), "linear": 1.0}
    if nonlinearity not in gains:
        raise ValueError(f"Invalid nonlinearity: {nonlinearity}")
    fan_in = shape[1] * math.prod(shape[2:])
    return rng.normal(0.0, gains[nonlinearity] / math.sqrt(fan_in), size=shape)


@buggy(KN, "passes the variance 2 / fan as the standard deviation", classes=(0,))
def kaiming_normal(shape, *, a=0.0, mode="fan_in", nonlinearity="relu", rng):  # noqa: F811
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"Invalid mode: {mode}")
    gains2 = {"relu": 2.0, "leaky_relu": 2.0 / (1 + a**2), "linear": 1.0}
    if nonlinearity not in gains2:
        raise ValueError(f"Invalid nonlinearity: {nonlinearity}")
    receptive = math.prod(shape[2:])
    fan = shape[1] * receptive if mode == "fan_in" else shape[0] * receptive
    return rng.normal(0.0, gains2[nonlinearity] / fan, size=shape)


@buggy(KN, "leaky ReLU gain sqrt(2 / (1 + a)) instead of sqrt(2 / (1 + a^2))", classes=(7,))
def kaiming_normal(shape, *, a=0.0, mode="fan_in", nonlinearity="relu", rng):  # noqa: F811
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"Invalid mode: {mode}")
    gains = {"relu": math.sqrt(2.0), "leaky_relu": math.sqrt(2.0 / (1 + a)), "linear": 1.0}
    if nonlinearity not in gains:
        raise ValueError(f"Invalid nonlinearity: {nonlinearity}")
    receptive = math.prod(shape[2:])
    fan = shape[1] * receptive if mode == "fan_in" else shape[0] * receptive
    return rng.normal(0.0, gains[nonlinearity] / math.sqrt(fan), size=shape)


@buggy(KN, "ReLU gain sqrt(2) for every nonlinearity, a ignored", classes=(7,))
def kaiming_normal(shape, *, a=0.0, mode="fan_in", nonlinearity="relu", rng):  # noqa: F811
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"Invalid mode: {mode}")
    if nonlinearity not in ("relu", "leaky_relu", "linear"):
        raise ValueError(f"Invalid nonlinearity: {nonlinearity}")
    receptive = math.prod(shape[2:])
    fan = shape[1] * receptive if mode == "fan_in" else shape[0] * receptive
    return rng.normal(0.0, math.sqrt(2.0 / fan), size=shape)


@buggy(KN, "fan_in and fan_out swapped", classes=(6,))
def kaiming_normal(shape, *, a=0.0, mode="fan_in", nonlinearity="relu", rng):  # noqa: F811
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"Invalid mode: {mode}")
    gains = {"relu": math.sqrt(2.0), "leaky_relu": math.sqrt(2.0 / (1 + a**2)), "linear": 1.0}
    if nonlinearity not in gains:
        raise ValueError(f"Invalid nonlinearity: {nonlinearity}")
    receptive = math.prod(shape[2:])
    fan = shape[0] * receptive if mode == "fan_in" else shape[1] * receptive
    return rng.normal(0.0, gains[nonlinearity] / math.sqrt(fan), size=shape)


@buggy(KN, "an unknown mode silently falls back to fan_out, no ValueError", classes=(7,))
def kaiming_normal(shape, *, a=0.0, mode="fan_in", nonlinearity="relu", rng):  # noqa: F811
    gains = {"relu": math.sqrt(2.0), "leaky_relu": math.sqrt(2.0 / (1 + a**2)), "linear": 1.0}
    gain = gains.get(nonlinearity, 1.0)
    receptive = math.prod(shape[2:])
    fan = shape[1] * receptive if mode == "fan_in" else shape[0] * receptive
    return rng.normal(0.0, gain / math.sqrt(fan), size=shape)


@buggy(KN, "He uniform U(-sqrt(6/fan), sqrt(6/fan)) instead of normal", classes=(5,))
def kaiming_normal(shape, *, a=0.0, mode="fan_in", nonlinearity="relu", rng):  # noqa: F811
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"Invalid mode: {mode}")
    gains = {"relu": math.sqrt(2.0), "leaky_relu": math.sqrt(2.0 / (1 + a**2)), "linear": 1.0}
    if nonlinearity not in gains:
        raise ValueError(f"Invalid nonlinearity: {nonlinearity}")
    receptive = math.prod(shape[2:])
    fan = shape[1] * receptive if mode == "fan_in" else shape[0] * receptive
    bound = gains[nonlinearity] * math.sqrt(3.0 / fan)
    return rng.uniform(-bound, bound, size=shape)


@buggy(KN, "[rng] draws from a global generator, not rng: torch.randn with the global generator, if/elif gains",
       classes=(3, 9))
def kaiming_normal(shape, *, a=0.0, mode="fan_in", nonlinearity="relu", rng):  # noqa: F811
    if mode == "fan_in":
        fan = shape[1]
    elif mode == "fan_out":
        fan = shape[0]
    else:
        raise ValueError(f"mode must be 'fan_in' or 'fan_out', got {mode!r}")
    for k in shape[2:]:
        fan *= k
    if nonlinearity == "relu":
        gain = 2.0**0.5
    elif nonlinearity == "leaky_relu":
        gain = (2.0 / (1.0 + a * a)) ** 0.5
    elif nonlinearity == "linear":
        gain = 1.0
    else:
        raise ValueError(f"unsupported nonlinearity {nonlinearity!r}")
    return torch.randn(shape) * (gain / fan**0.5)


@correct(KN, "variance first, rng.standard_normal")
def kaiming_normal(shape, *, a=0.0, mode="fan_in", nonlinearity="relu", rng):  # noqa: F811
    if mode not in {"fan_in", "fan_out"}:
        raise ValueError(mode)
    slope = {"relu": 0.0, "leaky_relu": a, "linear": None}
    if nonlinearity not in slope:
        raise ValueError(nonlinearity)
    receptive = int(np.prod(shape[2:]))
    fan = (shape[1] if mode == "fan_in" else shape[0]) * receptive
    var = 1.0 / fan if slope[nonlinearity] is None else 2.0 / ((1.0 + slope[nonlinearity] ** 2) * fan)
    return np.sqrt(var) * rng.standard_normal(shape)


@buggy(KN, "[rng] draws from a global generator, not rng: np.random.normal (global state) with math.sqrt",
       classes=(3,))
def kaiming_normal(shape, *, a=0.0, mode="fan_in", nonlinearity="relu", rng):  # noqa: F811
    receptive = math.prod(shape[2:])
    fans = {"fan_in": shape[1] * receptive, "fan_out": shape[0] * receptive}
    gains = {"relu": math.sqrt(2.0), "leaky_relu": math.sqrt(2.0 / (1.0 + a**2)), "linear": 1.0}
    if mode not in fans or nonlinearity not in gains:
        raise ValueError(f"bad mode {mode!r} or nonlinearity {nonlinearity!r}")
    return np.random.normal(0.0, gains[nonlinearity] / math.sqrt(fans[mode]), size=shape)


@buggy('04-initialization/kaiming_normal', "[7,10] uses a for 'relu' too: gain sqrt(2 / (1 + a^2)) whatever the nonlinearity except linear")
def kaiming_normal(shape, *, a=0.0, mode="fan_in", nonlinearity="relu", rng):
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"bad mode {mode!r}")
    if nonlinearity not in ("relu", "leaky_relu", "linear"):
        raise ValueError(f"bad nonlinearity {nonlinearity!r}")
    gain = 1.0 if nonlinearity == "linear" else math.sqrt(2.0 / (1.0 + a ** 2))
    r = math.prod(shape[2:])
    fan = shape[1] * r if mode == "fan_in" else shape[0] * r
    return rng.normal(0.0, gain / math.sqrt(fan), size=shape)


@buggy('04-initialization/kaiming_normal', "[7] gain from torch.nn.init.calculate_gain: 'tanh', 'sigmoid', 'conv2d' ... accepted silently")
def kaiming_normal(shape, *, a=0.0, mode="fan_in", nonlinearity="relu", rng):
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"bad mode {mode!r}")
    gain = torch.nn.init.calculate_gain(nonlinearity, a if nonlinearity == "leaky_relu" else None)
    r = math.prod(shape[2:])
    fan = shape[1] * r if mode == "fan_in" else shape[0] * r
    return rng.normal(0.0, gain / math.sqrt(fan), size=shape)


@buggy(KN, "[4] draws one filter and repeats it for every output unit: all rows identical", classes=(4,))
def kaiming_normal(shape, *, a=0.0, mode="fan_in", nonlinearity="relu", rng):  # noqa: F811
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"Invalid mode: {mode!r}")
    gains = {"relu": math.sqrt(2.0), "leaky_relu": math.sqrt(2.0 / (1.0 + a**2)), "linear": 1.0}
    if nonlinearity not in gains:
        raise ValueError(f"Invalid nonlinearity: {nonlinearity!r}")
    receptive_field = math.prod(shape[2:])
    fan_in, fan_out = shape[1] * receptive_field, shape[0] * receptive_field
    std = gains[nonlinearity] / math.sqrt(fan_in if mode == "fan_in" else fan_out)
    w = rng.normal(0.0, std, size=shape[1:])                 # one (in, k1, ...) filter
    return np.repeat(w[None], shape[0], axis=0)
