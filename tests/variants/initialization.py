"""Buggy and correct answers for the 04-initialization exercises.

Every function is named as the notebook's exercise and is self-contained (imports inside
the body, or ``np``, ``torch``, ``math``, ``random`` from the top of this module), so its
source can be pasted into a solution cell.
"""

from __future__ import annotations

import math
import random

import numpy as np
import torch

from . import buggy, correct

GAP = "04-initialization/unit_symmetry_gap"
FANS = "04-initialization/compute_fans"
XU = "04-initialization/xavier_uniform"
XN = "04-initialization/xavier_normal"
KN = "04-initialization/kaiming_normal"


# --------------------------------------------------------------------------------------
# 04-initialization/unit_symmetry_gap
# --------------------------------------------------------------------------------------

@buggy(GAP, "compares every unit with unit 0 only, not every pair", demo=True)
def unit_symmetry_gap(W, b=None):
    P = W if b is None else np.concatenate([W, b[:, None]], axis=1)
    return float(np.max(np.abs(P - P[0])))


@buggy(GAP, "compares columns (outgoing weights) instead of rows")
def unit_symmetry_gap(W, b=None):  # noqa: F811
    P = W.T
    gap = 0.0
    for i in range(P.shape[0]):
        for j in range(i + 1, P.shape[0]):
            gap = max(gap, float(np.max(np.abs(P[i] - P[j]))))
    return gap


@buggy(GAP, "ignores the biases")
def unit_symmetry_gap(W, b=None):  # noqa: F811
    return float(np.max(W.max(axis=0) - W.min(axis=0)))


@buggy(GAP, "Euclidean distance between rows instead of the largest coordinate difference")
def unit_symmetry_gap(W, b=None):  # noqa: F811
    P = W if b is None else np.column_stack([W, b])
    d = np.linalg.norm(P[:, None, :] - P[None, :, :], axis=2)
    return float(d.max())


@buggy(GAP, "only compares neighbouring units i and i+1")
def unit_symmetry_gap(W, b=None):  # noqa: F811
    P = W if b is None else np.column_stack([W, b])
    if len(P) < 2:
        return 0.0
    return float(np.abs(np.diff(P, axis=0)).max())


@buggy(GAP, "spread as the largest standard deviation across units")
def unit_symmetry_gap(W, b=None):  # noqa: F811
    P = W if b is None else np.column_stack([W, b])
    return float(P.std(axis=0).max())


@buggy(GAP, "writes the bias into W in place (W[:, 0] += b) before comparing")
def unit_symmetry_gap(W, b=None):  # noqa: F811
    if b is not None:
        W[:, 0] += b  # sneaky: a shifted first column changes the pairwise differences too
    P = W if b is None else np.column_stack([W, b])
    return float(np.ptp(P, axis=0).max())


@correct(GAP, "peak-to-peak per coordinate, then the max")
def unit_symmetry_gap(W, b=None):  # noqa: F811
    P = np.asarray(W, dtype=np.float64)
    if b is not None:
        P = np.concatenate([P, np.asarray(b, dtype=np.float64)[:, None]], axis=1)
    return float(np.max(np.ptp(P, axis=0)))


@correct(GAP, "explicit double loop over pairs in plain Python")
def unit_symmetry_gap(W, b=None):  # noqa: F811
    rows = [list(map(float, w)) + ([float(b[i])] if b is not None else []) for i, w in enumerate(W)]
    gap = 0.0
    for i in range(len(rows)):
        for j in range(i + 1, len(rows)):
            gap = max(gap, max(abs(u - v) for u, v in zip(rows[i], rows[j])))
    return gap


@correct(GAP, "torch broadcasting, returns a 0-d tensor")
def unit_symmetry_gap(W, b=None):  # noqa: F811
    P = torch.as_tensor(W, dtype=torch.float64)
    if b is not None:
        P = torch.hstack([P, torch.as_tensor(b, dtype=torch.float64).reshape(-1, 1)])
    return (P[:, None, :] - P[None, :, :]).abs().amax()


# --------------------------------------------------------------------------------------
# 04-initialization/compute_fans
# --------------------------------------------------------------------------------------

@buggy(FANS, "fan_in and fan_out swapped (reads the weight as (in, out))", demo=True)
def compute_fans(shape):
    if len(shape) < 2:
        raise ValueError(f"need at least 2 dimensions, got {shape}")
    receptive = math.prod(shape[2:])
    return shape[0] * receptive, shape[1] * receptive


@buggy(FANS, "ignores the receptive field of convolution kernels")
def compute_fans(shape):  # noqa: F811
    if len(shape) < 2:
        raise ValueError(f"need at least 2 dimensions, got {shape}")
    return shape[1], shape[0]


@buggy(FANS, "assumes a square kernel: receptive field shape[2] ** 2")
def compute_fans(shape):  # noqa: F811
    if len(shape) < 2:
        raise ValueError(f"need at least 2 dimensions, got {shape}")
    receptive = shape[2] ** 2 if len(shape) > 2 else 1
    return shape[1] * receptive, shape[0] * receptive


@buggy(FANS, "fan_out forgets the receptive field")
def compute_fans(shape):  # noqa: F811
    if len(shape) < 2:
        raise ValueError(f"need at least 2 dimensions, got {shape}")
    return int(np.prod(shape[1:])), shape[0]


@buggy(FANS, "only handles 2-D kernels: receptive field shape[2] * shape[3], else 1")
def compute_fans(shape):  # noqa: F811
    if len(shape) < 2:
        raise ValueError(f"need at least 2 dimensions, got {shape}")
    receptive = shape[2] * shape[3] if len(shape) == 4 else 1
    return shape[1] * receptive, shape[0] * receptive


@buggy(FANS, "no ValueError for a 1-D shape (a bias vector)")
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


# --------------------------------------------------------------------------------------
# 04-initialization/xavier_uniform
# --------------------------------------------------------------------------------------

@buggy(XU, "uses the standard deviation sqrt(2 / (fan_in + fan_out)) as the bound", demo=True)
def xavier_uniform(shape, *, gain=1.0, rng):
    receptive = math.prod(shape[2:])
    fan_in, fan_out = shape[1] * receptive, shape[0] * receptive
    r = gain * math.sqrt(2.0 / (fan_in + fan_out))
    return rng.uniform(-r, r, size=shape)


@buggy(XU, "ignores the gain")
def xavier_uniform(shape, *, gain=1.0, rng):  # noqa: F811
    receptive = math.prod(shape[2:])
    fan_in, fan_out = shape[1] * receptive, shape[0] * receptive
    r = math.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-r, r, size=shape)


@buggy(XU, "fans without the receptive field")
def xavier_uniform(shape, *, gain=1.0, rng):  # noqa: F811
    r = gain * math.sqrt(6.0 / (shape[0] + shape[1]))
    return rng.uniform(-r, r, size=shape)


@buggy(XU, "normal distribution with the Xavier variance instead of uniform")
def xavier_uniform(shape, *, gain=1.0, rng):  # noqa: F811
    receptive = math.prod(shape[2:])
    fan_in, fan_out = shape[1] * receptive, shape[0] * receptive
    return rng.normal(0.0, gain * math.sqrt(2.0 / (fan_in + fan_out)), size=shape)


@buggy(XU, "re-seeds a new generator inside, so every call returns the same weights")
def xavier_uniform(shape, *, gain=1.0, rng):  # noqa: F811
    receptive = math.prod(shape[2:])
    fan_in, fan_out = shape[1] * receptive, shape[0] * receptive
    r = gain * math.sqrt(6.0 / (fan_in + fan_out))
    return np.random.default_rng(0).uniform(-r, r, size=shape)


@buggy(XU, "bound from fan_in only, sqrt(6 / fan_in)")
def xavier_uniform(shape, *, gain=1.0, rng):  # noqa: F811
    fan_in = shape[1] * math.prod(shape[2:])
    r = gain * math.sqrt(6.0 / fan_in)
    return rng.uniform(-r, r, size=shape)


@buggy(XU, "uniform on [0, r) instead of [-r, r)")
def xavier_uniform(shape, *, gain=1.0, rng):  # noqa: F811
    receptive = math.prod(shape[2:])
    fan_in, fan_out = shape[1] * receptive, shape[0] * receptive
    return gain * math.sqrt(6.0 / (fan_in + fan_out)) * rng.random(shape)


@correct(XU, "torch's global generator, returns a float32 tensor")
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


@correct(XU, "np.random.uniform (global state), ignoring rng")
def xavier_uniform(shape, *, gain=1.0, rng):  # noqa: F811
    fan_in = shape[1] * math.prod(shape[2:])
    fan_out = shape[0] * math.prod(shape[2:])
    std = gain * math.sqrt(2.0 / (fan_in + fan_out))
    return np.random.uniform(-math.sqrt(3.0) * std, math.sqrt(3.0) * std, size=shape)


# --------------------------------------------------------------------------------------
# 04-initialization/xavier_normal
# --------------------------------------------------------------------------------------

@buggy(XN, "passes the variance 2 / (fan_in + fan_out) as the standard deviation", demo=True)
def xavier_normal(shape, *, gain=1.0, rng):
    receptive = math.prod(shape[2:])
    fan_in, fan_out = shape[1] * receptive, shape[0] * receptive
    return rng.normal(0.0, gain * 2.0 / (fan_in + fan_out), size=shape)


@buggy(XN, "std from fan_in only (the LeCun variant)")
def xavier_normal(shape, *, gain=1.0, rng):  # noqa: F811
    fan_in = shape[1] * math.prod(shape[2:])
    return rng.normal(0.0, gain / math.sqrt(fan_in), size=shape)


@buggy(XN, "ignores the gain")
def xavier_normal(shape, *, gain=1.0, rng):  # noqa: F811
    receptive = math.prod(shape[2:])
    fan_in, fan_out = shape[1] * receptive, shape[0] * receptive
    return rng.normal(0.0, math.sqrt(2.0 / (fan_in + fan_out)), size=shape)


@buggy(XN, "uniform distribution with the right variance instead of normal")
def xavier_normal(shape, *, gain=1.0, rng):  # noqa: F811
    receptive = math.prod(shape[2:])
    fan_in, fan_out = shape[1] * receptive, shape[0] * receptive
    r = gain * math.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-r, r, size=shape)


@buggy(XN, "multiplies by gain squared")
def xavier_normal(shape, *, gain=1.0, rng):  # noqa: F811
    receptive = math.prod(shape[2:])
    fan_in, fan_out = shape[1] * receptive, shape[0] * receptive
    return rng.normal(0.0, gain**2 * math.sqrt(2.0 / (fan_in + fan_out)), size=shape)


@buggy(XN, "fans without the receptive field")
def xavier_normal(shape, *, gain=1.0, rng):  # noqa: F811
    return rng.normal(0.0, gain * math.sqrt(2.0 / (shape[0] + shape[1])), size=shape)


@correct(XN, "torch.randn (global generator) times the std")
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


@correct(XN, "np.random.standard_normal (global state), float32")
def xavier_normal(shape, *, gain=1.0, rng):  # noqa: F811
    fan_in = shape[1] * int(np.prod(shape[2:]))
    fan_out = shape[0] * int(np.prod(shape[2:]))
    var = gain**2 * 2.0 / (fan_in + fan_out)
    return (np.sqrt(var) * np.random.standard_normal(shape)).astype(np.float32)


# --------------------------------------------------------------------------------------
# 04-initialization/kaiming_normal
# --------------------------------------------------------------------------------------

@buggy(KN, "ignores mode: always divides by fan_in", demo=True)
def kaiming_normal(shape, *, a=0.0, mode="fan_in", nonlinearity="relu", rng):
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"Invalid mode: {mode}")
    gains = {"relu": math.sqrt(2.0), "leaky_relu": math.sqrt(2.0 / (1 + a**2)), "linear": 1.0}
    if nonlinearity not in gains:
        raise ValueError(f"Invalid nonlinearity: {nonlinearity}")
    fan_in = shape[1] * math.prod(shape[2:])
    return rng.normal(0.0, gains[nonlinearity] / math.sqrt(fan_in), size=shape)


@buggy(KN, "passes the variance 2 / fan as the standard deviation")
def kaiming_normal(shape, *, a=0.0, mode="fan_in", nonlinearity="relu", rng):  # noqa: F811
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"Invalid mode: {mode}")
    gains2 = {"relu": 2.0, "leaky_relu": 2.0 / (1 + a**2), "linear": 1.0}
    if nonlinearity not in gains2:
        raise ValueError(f"Invalid nonlinearity: {nonlinearity}")
    receptive = math.prod(shape[2:])
    fan = shape[1] * receptive if mode == "fan_in" else shape[0] * receptive
    return rng.normal(0.0, gains2[nonlinearity] / fan, size=shape)


@buggy(KN, "leaky ReLU gain sqrt(2 / (1 + a)) instead of sqrt(2 / (1 + a^2))")
def kaiming_normal(shape, *, a=0.0, mode="fan_in", nonlinearity="relu", rng):  # noqa: F811
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"Invalid mode: {mode}")
    gains = {"relu": math.sqrt(2.0), "leaky_relu": math.sqrt(2.0 / (1 + a)), "linear": 1.0}
    if nonlinearity not in gains:
        raise ValueError(f"Invalid nonlinearity: {nonlinearity}")
    receptive = math.prod(shape[2:])
    fan = shape[1] * receptive if mode == "fan_in" else shape[0] * receptive
    return rng.normal(0.0, gains[nonlinearity] / math.sqrt(fan), size=shape)


@buggy(KN, "ReLU gain sqrt(2) for every nonlinearity, a ignored")
def kaiming_normal(shape, *, a=0.0, mode="fan_in", nonlinearity="relu", rng):  # noqa: F811
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"Invalid mode: {mode}")
    if nonlinearity not in ("relu", "leaky_relu", "linear"):
        raise ValueError(f"Invalid nonlinearity: {nonlinearity}")
    receptive = math.prod(shape[2:])
    fan = shape[1] * receptive if mode == "fan_in" else shape[0] * receptive
    return rng.normal(0.0, math.sqrt(2.0 / fan), size=shape)


@buggy(KN, "fan_in and fan_out swapped")
def kaiming_normal(shape, *, a=0.0, mode="fan_in", nonlinearity="relu", rng):  # noqa: F811
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"Invalid mode: {mode}")
    gains = {"relu": math.sqrt(2.0), "leaky_relu": math.sqrt(2.0 / (1 + a**2)), "linear": 1.0}
    if nonlinearity not in gains:
        raise ValueError(f"Invalid nonlinearity: {nonlinearity}")
    receptive = math.prod(shape[2:])
    fan = shape[0] * receptive if mode == "fan_in" else shape[1] * receptive
    return rng.normal(0.0, gains[nonlinearity] / math.sqrt(fan), size=shape)


@buggy(KN, "an unknown mode silently falls back to fan_out, no ValueError")
def kaiming_normal(shape, *, a=0.0, mode="fan_in", nonlinearity="relu", rng):  # noqa: F811
    gains = {"relu": math.sqrt(2.0), "leaky_relu": math.sqrt(2.0 / (1 + a**2)), "linear": 1.0}
    gain = gains.get(nonlinearity, 1.0)
    receptive = math.prod(shape[2:])
    fan = shape[1] * receptive if mode == "fan_in" else shape[0] * receptive
    return rng.normal(0.0, gain / math.sqrt(fan), size=shape)


@buggy(KN, "He uniform U(-sqrt(6/fan), sqrt(6/fan)) instead of normal")
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


@correct(KN, "torch.randn with the global generator, if/elif gains")
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


@correct(KN, "np.random.normal (global state) with math.sqrt")
def kaiming_normal(shape, *, a=0.0, mode="fan_in", nonlinearity="relu", rng):  # noqa: F811
    receptive = math.prod(shape[2:])
    fans = {"fan_in": shape[1] * receptive, "fan_out": shape[0] * receptive}
    gains = {"relu": math.sqrt(2.0), "leaky_relu": math.sqrt(2.0 / (1.0 + a**2)), "linear": 1.0}
    if mode not in fans or nonlinearity not in gains:
        raise ValueError(f"bad mode {mode!r} or nonlinearity {nonlinearity!r}")
    return np.random.normal(0.0, gains[nonlinearity] / math.sqrt(fans[mode]), size=shape)
