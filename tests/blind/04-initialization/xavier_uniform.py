import math, random
import numpy as np
import torch
from tests.variants import buggy, correct


@buggy("04-initialization/xavier_uniform", "[3] draws from np.random.uniform, ignoring the rng passed")
def xavier_uniform(shape, *, gain=1.0, rng):
    r = math.prod(shape[2:])
    fan_in, fan_out = shape[1] * r, shape[0] * r
    a = gain * math.sqrt(6.0 / (fan_in + fan_out))
    return np.random.uniform(-a, a, size=shape)


@buggy("04-initialization/xavier_uniform", "[3] reseeds: rng = np.random.default_rng(0) inside, for reproducibility")
def xavier_uniform(shape, *, gain=1.0, rng):
    rng = np.random.default_rng(0)
    r = math.prod(shape[2:])
    fan_in, fan_out = shape[1] * r, shape[0] * r
    a = gain * math.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-a, a, size=shape)


@buggy("04-initialization/xavier_uniform", "[3,9] torch.nn.init.xavier_uniform_ on a fresh tensor: torch global RNG, float32")
def xavier_uniform(shape, *, gain=1.0, rng):
    return torch.nn.init.xavier_uniform_(torch.empty(shape), gain=gain).numpy()


@buggy("04-initialization/xavier_uniform", "[5] Gaussian with the same variance (std = a / sqrt 3) instead of uniform")
def xavier_uniform(shape, *, gain=1.0, rng):
    r = math.prod(shape[2:])
    fan_in, fan_out = shape[1] * r, shape[0] * r
    a = gain * math.sqrt(6.0 / (fan_in + fan_out))
    return rng.normal(0.0, a / math.sqrt(3.0), size=shape)


@buggy("04-initialization/xavier_uniform", "[7] bound a = gain * sqrt(2 / (fan_in + fan_out)) (the normal std used as the bound)")
def xavier_uniform(shape, *, gain=1.0, rng):
    r = math.prod(shape[2:])
    fan_in, fan_out = shape[1] * r, shape[0] * r
    a = gain * math.sqrt(2.0 / (fan_in + fan_out))
    return rng.uniform(-a, a, size=shape)


@buggy("04-initialization/xavier_uniform", "[7,10] gain inside the square root: a = sqrt(6 gain / (fan_in + fan_out)) (same for gain 1)")
def xavier_uniform(shape, *, gain=1.0, rng):
    r = math.prod(shape[2:])
    fan_in, fan_out = shape[1] * r, shape[0] * r
    a = math.sqrt(6.0 * gain / (fan_in + fan_out))
    return rng.uniform(-a, a, size=shape)


@buggy("04-initialization/xavier_uniform", "[6] conv fans without the receptive field: fan_in = shape[1], fan_out = shape[0]")
def xavier_uniform(shape, *, gain=1.0, rng):
    fan_out, fan_in = shape[0], shape[1]
    a = gain * math.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-a, a, size=shape)


@buggy("04-initialization/xavier_uniform", "[4] one row drawn and repeated for every output unit (rows identical: the symmetry of Section 1)")
def xavier_uniform(shape, *, gain=1.0, rng):
    r = math.prod(shape[2:])
    fan_in, fan_out = shape[1] * r, shape[0] * r
    a = gain * math.sqrt(6.0 / (fan_in + fan_out))
    row = rng.uniform(-a, a, size=shape[1:])
    return np.broadcast_to(row, shape).copy()


@buggy("04-initialization/xavier_uniform", "[3] draws from rng AND from the global np.random (random signs)")
def xavier_uniform(shape, *, gain=1.0, rng):
    r = math.prod(shape[2:])
    fan_in, fan_out = shape[1] * r, shape[0] * r
    a = gain * math.sqrt(6.0 / (fan_in + fan_out))
    mag = rng.uniform(0.0, a, size=shape)
    sign = np.where(np.random.random(shape) < 0.5, -1.0, 1.0)
    return mag * sign


@correct("04-initialization/xavier_uniform", "a * (2 rng.random(shape) - 1)")
def xavier_uniform(shape, *, gain=1.0, rng):
    r = math.prod(shape[2:])
    fan_in, fan_out = shape[1] * r, shape[0] * r
    a = gain * math.sqrt(6.0 / (fan_in + fan_out))
    return a * (2.0 * rng.random(shape) - 1.0)


@correct("04-initialization/xavier_uniform", "torch.nn.init.xavier_uniform_ with a torch.Generator seeded from rng, float64 tensor")
def xavier_uniform(shape, *, gain=1.0, rng):
    gen = torch.Generator().manual_seed(int(rng.integers(2 ** 62)))
    t = torch.empty(tuple(shape), dtype=torch.float64)
    return torch.nn.init.xavier_uniform_(t, gain=gain, generator=gen).numpy()


@correct("04-initialization/xavier_uniform", "draws the reversed shape and transposes back (same law, different element order)")
def xavier_uniform(shape, *, gain=1.0, rng):
    r = math.prod(shape[2:])
    fan_in, fan_out = shape[1] * r, shape[0] * r
    a = gain * math.sqrt(6.0 / (fan_in + fan_out))
    return np.ascontiguousarray(rng.uniform(-a, a, size=tuple(shape)[::-1]).T)
