import math, random
import numpy as np
import torch
from tests.variants import buggy, correct


@buggy("04-initialization/kaiming_normal", "[7] no validation: any mode other than 'fan_out' falls back to fan_in, unknown nonlinearity gets gain 1")
def kaiming_normal(shape, *, a=0.0, mode="fan_in", nonlinearity="relu", rng):
    r = math.prod(shape[2:])
    fan_in, fan_out = shape[1] * r, shape[0] * r
    fan = fan_out if mode == "fan_out" else fan_in
    if nonlinearity == "relu":
        gain = math.sqrt(2.0)
    elif nonlinearity == "leaky_relu":
        gain = math.sqrt(2.0 / (1.0 + a ** 2))
    else:
        gain = 1.0
    return rng.normal(0.0, gain / math.sqrt(fan), size=shape)


@buggy("04-initialization/kaiming_normal", "[7] leaky gain sqrt(2 / (1 + a)) instead of sqrt(2 / (1 + a^2))")
def kaiming_normal(shape, *, a=0.0, mode="fan_in", nonlinearity="relu", rng):
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"bad mode {mode!r}")
    gains = {"relu": math.sqrt(2.0), "leaky_relu": math.sqrt(2.0 / (1.0 + a)), "linear": 1.0}
    if nonlinearity not in gains:
        raise ValueError(f"bad nonlinearity {nonlinearity!r}")
    r = math.prod(shape[2:])
    fan = shape[1] * r if mode == "fan_in" else shape[0] * r
    return rng.normal(0.0, gains[nonlinearity] / math.sqrt(fan), size=shape)




@buggy("04-initialization/kaiming_normal", "[7] mode swapped: 'fan_in' uses fan_out and vice versa")
def kaiming_normal(shape, *, a=0.0, mode="fan_in", nonlinearity="relu", rng):
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"bad mode {mode!r}")
    gains = {"relu": math.sqrt(2.0), "leaky_relu": math.sqrt(2.0 / (1.0 + a * a)), "linear": 1.0}
    if nonlinearity not in gains:
        raise ValueError(f"bad nonlinearity {nonlinearity!r}")
    r = math.prod(shape[2:])
    fan_in, fan_out = shape[1] * r, shape[0] * r
    fan = fan_out if mode == "fan_in" else fan_in
    return rng.normal(0.0, gains[nonlinearity] / math.sqrt(fan), size=shape)


@buggy("04-initialization/kaiming_normal", "[7] std = sqrt(2 / fan) always: options validated, but the gain of leaky_relu / linear ignored")
def kaiming_normal(shape, *, a=0.0, mode="fan_in", nonlinearity="relu", rng):
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"bad mode {mode!r}")
    if nonlinearity not in ("relu", "leaky_relu", "linear"):
        raise ValueError(f"bad nonlinearity {nonlinearity!r}")
    r = math.prod(shape[2:])
    fan = shape[1] * r if mode == "fan_in" else shape[0] * r
    return rng.normal(0.0, math.sqrt(2.0 / fan), size=shape)


@buggy("04-initialization/kaiming_normal", "[3] np.random.normal instead of the rng passed")
def kaiming_normal(shape, *, a=0.0, mode="fan_in", nonlinearity="relu", rng):
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"bad mode {mode!r}")
    gains = {"relu": math.sqrt(2.0), "leaky_relu": math.sqrt(2.0 / (1.0 + a * a)), "linear": 1.0}
    if nonlinearity not in gains:
        raise ValueError(f"bad nonlinearity {nonlinearity!r}")
    r = math.prod(shape[2:])
    fan = shape[1] * r if mode == "fan_in" else shape[0] * r
    return np.random.normal(0.0, gains[nonlinearity] / math.sqrt(fan), size=shape)


@buggy("04-initialization/kaiming_normal", "[5] Kaiming uniform (U(-sqrt3 std, sqrt3 std)): same variance, wrong law")
def kaiming_normal(shape, *, a=0.0, mode="fan_in", nonlinearity="relu", rng):
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"bad mode {mode!r}")
    gains = {"relu": math.sqrt(2.0), "leaky_relu": math.sqrt(2.0 / (1.0 + a * a)), "linear": 1.0}
    if nonlinearity not in gains:
        raise ValueError(f"bad nonlinearity {nonlinearity!r}")
    r = math.prod(shape[2:])
    fan = shape[1] * r if mode == "fan_in" else shape[0] * r
    bound = math.sqrt(3.0) * gains[nonlinearity] / math.sqrt(fan)
    return rng.uniform(-bound, bound, size=shape)




@buggy("04-initialization/kaiming_normal", "[6] fan ignores the receptive field of conv kernels (shape[1] / shape[0])")
def kaiming_normal(shape, *, a=0.0, mode="fan_in", nonlinearity="relu", rng):
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"bad mode {mode!r}")
    gains = {"relu": math.sqrt(2.0), "leaky_relu": math.sqrt(2.0 / (1.0 + a * a)), "linear": 1.0}
    if nonlinearity not in gains:
        raise ValueError(f"bad nonlinearity {nonlinearity!r}")
    fan = shape[1] if mode == "fan_in" else shape[0]
    return rng.normal(0.0, gains[nonlinearity] / math.sqrt(fan), size=shape)


@buggy("04-initialization/kaiming_normal", "[7] validates only after drawing, and only the nonlinearity (bad mode -> fan_out)")
def kaiming_normal(shape, *, a=0.0, mode="fan_in", nonlinearity="relu", rng):
    r = math.prod(shape[2:])
    fan = shape[1] * r if mode == "fan_in" else shape[0] * r
    z = rng.standard_normal(size=shape)
    gains = {"relu": math.sqrt(2.0), "leaky_relu": math.sqrt(2.0 / (1.0 + a * a)), "linear": 1.0}
    if nonlinearity not in gains:
        raise ValueError(f"bad nonlinearity {nonlinearity!r}")
    return z * gains[nonlinearity] / math.sqrt(fan)


@correct("04-initialization/kaiming_normal", "torch.nn.init.kaiming_normal_ on a float64 tensor with a Generator seeded from rng (options validated first)")
def kaiming_normal(shape, *, a=0.0, mode="fan_in", nonlinearity="relu", rng):
    if mode not in ("fan_in", "fan_out") or nonlinearity not in ("relu", "leaky_relu", "linear"):
        raise ValueError(f"unsupported mode={mode!r} / nonlinearity={nonlinearity!r}")
    gen = torch.Generator().manual_seed(int(rng.integers(2 ** 62)))
    t = torch.empty(tuple(shape), dtype=torch.float64)
    torch.nn.init.kaiming_normal_(t, a=a, mode=mode, nonlinearity=nonlinearity, generator=gen)
    return t.numpy()


@correct("04-initialization/kaiming_normal", "variance form: Var = gain^2 / fan, std = sqrt(Var), match-statement validation")
def kaiming_normal(shape, *, a=0.0, mode="fan_in", nonlinearity="relu", rng):
    match nonlinearity:
        case "relu":
            gain2 = 2.0
        case "leaky_relu":
            gain2 = 2.0 / (1.0 + a * a)
        case "linear":
            gain2 = 1.0
        case _:
            raise ValueError(f"unknown nonlinearity {nonlinearity!r}")
    out, inp, *kernel = shape
    r = math.prod(kernel)
    match mode:
        case "fan_in":
            fan = inp * r
        case "fan_out":
            fan = out * r
        case _:
            raise ValueError(f"unknown mode {mode!r}")
    return rng.normal(loc=0.0, scale=math.sqrt(gain2 / fan), size=tuple(shape))
