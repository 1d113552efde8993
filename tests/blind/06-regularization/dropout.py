import math, random
import numpy as np
import torch
from tests.variants import buggy, correct

ID = "06-regularization/dropout"


def _call(factory):
    return factory()


@buggy(ID, "[3] mask from np.random.rand (global RNG), not rng")
@_call
def dropout():
    def dropout_forward(x, p, *, train, rng):
        if not train:
            return x, None
        keep = np.random.rand(*x.shape) >= p
        scale = 0.0 if p == 1 else 1.0 / (1 - p)
        m = keep * scale
        return x * m, m

    def dropout_backward(dout, cache):
        return dout if cache is None else dout * cache
    return dropout_forward, dropout_backward


@buggy(ID, "[7] keep-probability convention: keep with prob p, scale 1/p")
@_call
def dropout():
    def dropout_forward(x, p, *, train, rng):
        if not train:
            return x, None
        keep = rng.random(x.shape) < p
        m = keep / p if p > 0 else np.zeros(x.shape)
        return x * m, m

    def dropout_backward(dout, cache):
        return dout if cache is None else dout * cache
    return dropout_forward, dropout_backward


@buggy(ID, "[7] p=1 gives NaN: x * mask / (1 - p) with errstate ignored")
@_call
def dropout():
    def dropout_forward(x, p, *, train, rng):
        if not train:
            return x, None
        mask = rng.random(x.shape) >= p
        with np.errstate(divide="ignore", invalid="ignore"):
            out = x * mask / (1 - p)
        return out, (mask, p)

    def dropout_backward(dout, cache):
        if cache is None:
            return dout
        mask, p = cache
        with np.errstate(divide="ignore", invalid="ignore"):
            return dout * mask / (1 - p)
    return dropout_forward, dropout_backward


@buggy(ID, "[3] reseeds a Generator from rng each call with a fixed seed: np.random.default_rng(0)")
@_call
def dropout():
    def dropout_forward(x, p, *, train, rng):
        if not train:
            return x, None
        g = np.random.default_rng(0)
        m = (g.random(x.shape) >= p) * (0.0 if p == 1 else 1 / (1 - p))
        return x * m, m

    def dropout_backward(dout, cache):
        return dout if cache is None else dout * cache
    return dropout_forward, dropout_backward


@buggy(ID, "[4] one coin per row (mask shape (N, 1)), broadcast across features")
@_call
def dropout():
    def dropout_forward(x, p, *, train, rng):
        if not train:
            return x, None
        shape = (x.shape[0],) + (1,) * (x.ndim - 1) if x.ndim > 1 else x.shape
        m = (rng.random(shape) >= p) * (0.0 if p == 1 else 1 / (1 - p))
        m = np.broadcast_to(m, x.shape)
        return x * m, m

    def dropout_backward(dout, cache):
        return dout if cache is None else dout * cache
    return dropout_forward, dropout_backward


@buggy(ID, "[5] exactly round(p*n) zeros via rng.permutation")
@_call
def dropout():
    def dropout_forward(x, p, *, train, rng):
        if not train:
            return x, None
        n = x.size
        k = int(round(p * n))
        flat = np.ones(n)
        flat[rng.permutation(n)[:k]] = 0
        m = flat.reshape(x.shape) * (0.0 if p == 1 else 1 / (1 - p))
        return x * m, m

    def dropout_backward(dout, cache):
        return dout if cache is None else dout * cache
    return dropout_forward, dropout_backward


@buggy(ID, "[8] mask kept in a module-level variable: backward uses the latest forward's mask")
@_call
def dropout():
    last = {}

    def dropout_forward(x, p, *, train, rng):
        if not train:
            last["m"] = None
            return x, None
        last["m"] = (rng.random(x.shape) >= p) * (0.0 if p == 1 else 1 / (1 - p))
        return x * last["m"], None

    def dropout_backward(dout, cache):
        m = last.get("m")
        return dout if m is None else dout * m
    return dropout_forward, dropout_backward


@buggy(ID, "[8] in-place: x *= mask (modifies the caller's x)")
@_call
def dropout():
    def dropout_forward(x, p, *, train, rng):
        if not train:
            return x, None
        m = (rng.random(x.shape) >= p) * (0.0 if p == 1 else 1 / (1 - p))
        x *= m
        return x, m

    def dropout_backward(dout, cache):
        return dout if cache is None else dout * cache
    return dropout_forward, dropout_backward


@buggy(ID, "[3,7] eval mode still draws a mask from rng (computes then ignores it)")
@_call
def dropout():
    def dropout_forward(x, p, *, train, rng):
        m = (rng.random(x.shape) >= p) * (0.0 if p == 1 else 1 / (1 - p))
        if not train:
            return x, None
        return x * m, m

    def dropout_backward(dout, cache):
        return dout if cache is None else dout * cache
    return dropout_forward, dropout_backward


@buggy(ID, "[7] mask built from rng.random > p (strict), and p=0 path returns the cache None but backward uses dout*0")
@_call
def dropout():
    def dropout_forward(x, p, *, train, rng):
        if not train or p == 0:
            return x.copy(), ("id",)
        m = (rng.random(x.shape) > p).astype(float)
        return x * m / (1 - p) if p < 1 else np.zeros_like(x), (m, p)

    def dropout_backward(dout, cache):
        if cache[0] == "id" if isinstance(cache[0], str) else False:
            return dout * 0
        m, p = cache
        return dout * m / (1 - p) if p < 1 else np.zeros_like(dout)
    return dropout_forward, dropout_backward


@buggy(ID, "[8] caches a view of the returned output and recovers the mask as out != 0 in backward (kept zero inputs get gradient 0)")
@_call
def dropout():
    def dropout_forward(x, p, *, train, rng):
        if not train:
            return x, None
        m = (rng.random(x.shape) >= p) * (0.0 if p == 1 else 1 / (1 - p))
        out = x * m
        return out, (out, p)

    def dropout_backward(dout, cache):
        if cache is None:
            return dout
        out, p = cache
        return dout * (out != 0) * (0.0 if p == 1 else 1 / (1 - p))
    return dropout_forward, dropout_backward


@correct(ID, "rng.binomial(1, 1 - p) mask, scale stored separately")
@_call
def dropout():
    def dropout_forward(x, p, *, train, rng):
        if not train:
            return x.copy(), {"mask": None}
        mask = rng.binomial(1, 1.0 - p, size=x.shape).astype(x.dtype if x.dtype.kind == "f" else float)
        scale = 0.0 if p >= 1 else 1.0 / (1.0 - p)
        return x * mask * scale, {"mask": mask, "scale": scale}

    def dropout_backward(dout, cache):
        if cache["mask"] is None:
            return dout.copy()
        return dout * cache["mask"] * cache["scale"]
    return dropout_forward, dropout_backward


@correct(ID, "np.where on rng.uniform, scale folded in")
@_call
def dropout():
    def dropout_forward(x, p, *, train, rng):
        if not train:
            return x, np.ones_like(x, dtype=float)
        u = rng.uniform(size=x.shape)
        m = np.where(u < 1 - p, 1.0 / (1 - p) if p < 1 else 0.0, 0.0)
        return x * m, m

    def dropout_backward(dout, cache):
        return dout * cache
    return dropout_forward, dropout_backward


@buggy(ID, "[1,9] float32 mask and scale: the output is float32 (x/(1-p) only to ~1e-7)")
@_call
def dropout():
    def dropout_forward(x, p, *, train, rng):
        if not train:
            return x, None
        m = (rng.random(x.shape) >= p).astype(np.float32) * np.float32(0.0 if p == 1 else 1 / (1 - p))
        return x.astype(np.float32) * m, m

    def dropout_backward(dout, cache):
        return dout if cache is None else dout * cache
    return dropout_forward, dropout_backward
