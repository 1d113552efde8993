import math, random
import numpy as np
import torch
from tests.variants import buggy, correct


@buggy("04-initialization/xavier_normal", "[7] passes the variance to rng.normal instead of the standard deviation")
def xavier_normal(shape, *, gain=1.0, rng):
    r = math.prod(shape[2:])
    fan_in, fan_out = shape[1] * r, shape[0] * r
    var = gain ** 2 * 2.0 / (fan_in + fan_out)
    return rng.normal(0.0, var, size=shape)


@buggy("04-initialization/xavier_normal", "[5] uniform with the same variance (U(-sqrt3 std, sqrt3 std)) instead of Gaussian")
def xavier_normal(shape, *, gain=1.0, rng):
    r = math.prod(shape[2:])
    fan_in, fan_out = shape[1] * r, shape[0] * r
    std = gain * math.sqrt(2.0 / (fan_in + fan_out))
    a = math.sqrt(3.0) * std
    return rng.uniform(-a, a, size=shape)


@buggy("04-initialization/xavier_normal", "[3] np.random.randn * std, ignoring the rng passed")
def xavier_normal(shape, *, gain=1.0, rng):
    r = math.prod(shape[2:])
    fan_in, fan_out = shape[1] * r, shape[0] * r
    std = gain * math.sqrt(2.0 / (fan_in + fan_out))
    return std * np.random.randn(*shape)


@buggy("04-initialization/xavier_normal", "[3] seeds the global RNG from rng, then draws from np.random")
def xavier_normal(shape, *, gain=1.0, rng):
    r = math.prod(shape[2:])
    fan_in, fan_out = shape[1] * r, shape[0] * r
    std = gain * math.sqrt(2.0 / (fan_in + fan_out))
    np.random.seed(int(rng.integers(2 ** 31)))
    return np.random.normal(0.0, std, size=shape)


@buggy("04-initialization/xavier_normal", "[7,10] ignores gain")
def xavier_normal(shape, *, gain=1.0, rng):
    r = math.prod(shape[2:])
    fan_in, fan_out = shape[1] * r, shape[0] * r
    return rng.normal(0.0, math.sqrt(2.0 / (fan_in + fan_out)), size=shape)


@buggy("04-initialization/xavier_normal", "[6] conv fans without the receptive field")
def xavier_normal(shape, *, gain=1.0, rng):
    fan_out, fan_in = shape[0], shape[1]
    return rng.normal(0.0, gain * math.sqrt(2.0 / (fan_in + fan_out)), size=shape)


@buggy("04-initialization/xavier_normal", "[5] truncated normal (redraws |w| > 2 std, as tf.truncated_normal): lighter tails, smaller variance")
def xavier_normal(shape, *, gain=1.0, rng):
    r = math.prod(shape[2:])
    fan_in, fan_out = shape[1] * r, shape[0] * r
    std = gain * math.sqrt(2.0 / (fan_in + fan_out))
    w = rng.normal(0.0, std, size=shape)
    bad = np.abs(w) > 2 * std
    while bad.any():
        w[bad] = rng.normal(0.0, std, size=bad.sum())
        bad = np.abs(w) > 2 * std
    return w


@buggy("04-initialization/xavier_normal", "[7] misplaced square root: std = gain * sqrt(2) / (fan_in + fan_out)")
def xavier_normal(shape, *, gain=1.0, rng):
    r = math.prod(shape[2:])
    fan_in, fan_out = shape[1] * r, shape[0] * r
    std = gain * math.sqrt(2.0) / (fan_in + fan_out)
    return rng.normal(0.0, std, size=shape)


@buggy("04-initialization/xavier_normal", "[6] draws size=(fan_in, fan_out) for a linear weight: transposed (in, out) shape")
def xavier_normal(shape, *, gain=1.0, rng):
    r = math.prod(shape[2:])
    fan_in, fan_out = shape[1] * r, shape[0] * r
    std = gain * math.sqrt(2.0 / (fan_in + fan_out))
    if len(shape) == 2:
        return rng.normal(0.0, std, size=(fan_in, fan_out))
    return rng.normal(0.0, std, size=shape)




@correct("04-initialization/xavier_normal", "Box-Muller from two rng.random draws")
def xavier_normal(shape, *, gain=1.0, rng):
    r = math.prod(shape[2:])
    fan_in, fan_out = shape[1] * r, shape[0] * r
    std = gain * math.sqrt(2.0 / (fan_in + fan_out))
    u1 = 1.0 - rng.random(shape)            # in (0, 1]
    u2 = rng.random(shape)
    return std * np.sqrt(-2.0 * np.log(u1)) * np.cos(2.0 * np.pi * u2)


@correct("04-initialization/xavier_normal", "rng.standard_normal(shape) scaled, fans by unpacking out, in, *kernel")
def xavier_normal(shape, *, gain=1.0, rng):
    out, inp, *kernel = shape
    r = int(np.prod(kernel)) if kernel else 1
    std = gain * (2.0 / (inp * r + out * r)) ** 0.5
    return rng.standard_normal(size=tuple(shape)) * std
