"""Buggy and correct answers to 06-regularization/dropout (self-contained: see tests/variants/__init__.py)."""

from __future__ import annotations

import numpy as np
import torch

from .. import buggy, correct

DO = "06-regularization/dropout"


@buggy(DO, "p read as the keep probability: keeps with probability p, scales by 1/p", demo=True, classes=(7,))
class dropout:
    global dropout_forward, dropout_backward

    def dropout_forward(x, p, *, train, rng):
        if not train:
            return x.copy(), None
        mask = (rng.random(x.shape) < p) / p
        return x * mask, mask

    def dropout_backward(dout, cache):
        return dout if cache is None else dout * cache

    functions = (dropout_forward, dropout_backward)


@buggy(DO, "keeps an entry when rng.random() < p (drops with probability 1 - p), scales by 1/(1 - p)",
       classes=(7,))
class dropout:  # noqa: F811
    global dropout_forward, dropout_backward

    def dropout_forward(x, p, *, train, rng):
        if not train or p == 0:
            return x.copy(), None
        scale = 0.0 if p == 1 else 1.0 / (1.0 - p)
        mask = (rng.random(x.shape) < p) * scale
        return x * mask, mask

    def dropout_backward(dout, cache):
        return dout.copy() if cache is None else dout * cache

    functions = (dropout_forward, dropout_backward)


@buggy(DO, "no inverted scaling: survivors are not divided by 1 - p", classes=(0,))
class dropout:  # noqa: F811
    global dropout_forward, dropout_backward

    def dropout_forward(x, p, *, train, rng):
        if not train:
            return x.copy(), None
        mask = rng.random(x.shape) >= p
        return x * mask, mask

    def dropout_backward(dout, cache):
        return dout if cache is None else dout * cache

    functions = (dropout_forward, dropout_backward)


@buggy(DO, "classic dropout: multiplies by 1 - p in eval mode as well as not scaling in training", classes=(7,))
class dropout:  # noqa: F811
    global dropout_forward, dropout_backward

    def dropout_forward(x, p, *, train, rng):
        if not train:
            return x * (1 - p), ("eval", 1 - p)
        mask = (rng.random(x.shape) >= p) / (1 - p) if p < 1 else np.zeros(x.shape)
        return x * mask, ("train", mask)

    def dropout_backward(dout, cache):
        return dout * cache[1]

    functions = (dropout_forward, dropout_backward)


@buggy(DO, "divides by 1 - p at p = 1: 0 / 0 gives NaN", classes=(7,))
class dropout:  # noqa: F811
    global dropout_forward, dropout_backward

    def dropout_forward(x, p, *, train, rng):
        if not train:
            return x.copy(), None
        mask = rng.random(x.shape) >= p
        with np.errstate(invalid="ignore", divide="ignore"):
            return x * mask / (1 - p), (mask, p)

    def dropout_backward(dout, cache):
        if cache is None:
            return dout.copy()
        mask, p = cache
        with np.errstate(invalid="ignore", divide="ignore"):
            return dout * mask / (1 - p)

    functions = (dropout_forward, dropout_backward)


@buggy(DO, "backward forgets the 1/(1 - p) scale", classes=(0,))
class dropout:  # noqa: F811
    global dropout_forward, dropout_backward

    def dropout_forward(x, p, *, train, rng):
        if not train or p == 0:
            return x.copy(), np.ones(x.shape, dtype=bool)
        mask = rng.random(x.shape) >= p
        return (x * mask / (1 - p) if p < 1 else np.zeros_like(x)), mask

    def dropout_backward(dout, cache):
        return dout * cache

    functions = (dropout_forward, dropout_backward)


@buggy(DO, "reseeds a generator inside: the same mask at every call", classes=(3,))
class dropout:  # noqa: F811
    global dropout_forward, dropout_backward

    def dropout_forward(x, p, *, train, rng):
        if not train:
            return x.copy(), np.ones(x.shape)
        rng = np.random.default_rng(0)
        scale = 0.0 if p == 1 else 1.0 / (1.0 - p)
        mask = (rng.random(x.shape) >= p) * scale
        return x * mask, mask

    def dropout_backward(dout, cache):
        return dout * cache

    functions = (dropout_forward, dropout_backward)


@buggy(DO, "draws the mask from np.random, not from rng", classes=(3,))
class dropout:  # noqa: F811
    global dropout_forward, dropout_backward

    def dropout_forward(x, p, *, train, rng):
        if not train:
            return x.copy(), np.ones(x.shape)
        scale = 0.0 if p == 1 else 1.0 / (1.0 - p)
        mask = (np.random.rand(*x.shape) >= p) * scale
        return x * mask, mask

    def dropout_backward(dout, cache):
        return dout * cache

    functions = (dropout_forward, dropout_backward)


@buggy(DO, "torch.nn.functional.dropout: torch's global generator, returns a tensor", classes=(3, 9))
class dropout:  # noqa: F811
    global dropout_forward, dropout_backward

    def dropout_forward(x, p, *, train, rng):
        xt = torch.tensor(x, requires_grad=True)
        out = torch.nn.functional.dropout(xt, p, training=train)
        return out, (xt, out)

    def dropout_backward(dout, cache):
        xt, out = cache
        (dx,) = torch.autograd.grad(out, xt, torch.as_tensor(dout), retain_graph=True)
        return dx

    functions = (dropout_forward, dropout_backward)


@buggy(DO, "one mask for the whole batch: rng.random(x.shape[1:]) broadcast over the rows", classes=(4, 6))
class dropout:  # noqa: F811
    global dropout_forward, dropout_backward

    def dropout_forward(x, p, *, train, rng):
        if not train:
            return x.copy(), np.ones(x.shape)
        scale = 0.0 if p == 1 else 1.0 / (1.0 - p)
        mask = (rng.random(x.shape[1:]) >= p) * scale
        return x * mask, np.broadcast_to(mask, x.shape)

    def dropout_backward(dout, cache):
        return dout * cache

    functions = (dropout_forward, dropout_backward)


@buggy(DO, "one coin per example: drops whole rows", classes=(4,))
class dropout:  # noqa: F811
    global dropout_forward, dropout_backward

    def dropout_forward(x, p, *, train, rng):
        if not train:
            return x.copy(), np.ones(x.shape)
        scale = 0.0 if p == 1 else 1.0 / (1.0 - p)
        coins = rng.random((x.shape[0],) + (1,) * (x.ndim - 1))
        mask = np.broadcast_to((coins >= p) * scale, x.shape)
        return x * mask, mask

    def dropout_backward(dout, cache):
        return dout * cache

    functions = (dropout_forward, dropout_backward)


@buggy(DO, "exactly round(p * n) zeros per call, placed by a permutation", classes=(5,))
class dropout:  # noqa: F811
    global dropout_forward, dropout_backward

    def dropout_forward(x, p, *, train, rng):
        if not train:
            return x.copy(), np.ones(x.shape)
        scale = 0.0 if p == 1 else 1.0 / (1.0 - p)
        n_drop = int(round(p * x.size))
        mask = (rng.permutation(x.size) >= n_drop).reshape(x.shape) * scale
        return x * mask, mask

    def dropout_backward(dout, cache):
        return dout * cache

    functions = (dropout_forward, dropout_backward)


@buggy(DO, "backward reads the mask of the last forward call from a global", classes=(8,))
class dropout:  # noqa: F811
    global dropout_forward, dropout_backward

    def dropout_forward(x, p, *, train, rng):
        global _last_mask
        if not train:
            _last_mask = np.ones(x.shape)
        else:
            scale = 0.0 if p == 1 else 1.0 / (1.0 - p)
            _last_mask = (rng.random(x.shape) >= p) * scale
        return x * _last_mask, None

    def dropout_backward(dout, cache):
        return dout * _last_mask

    functions = (dropout_forward, dropout_backward)


@buggy(DO, "backward rebuilds the mask from the cached output (out != 0): wrong where x = 0", classes=(8,))
class dropout:  # noqa: F811
    global dropout_forward, dropout_backward

    def dropout_forward(x, p, *, train, rng):
        if not train:
            return x.copy(), None
        out = x * (rng.random(x.shape) >= p) / (1 - p) if p < 1 else np.zeros_like(x)
        return out, (out, p)

    def dropout_backward(dout, cache):
        if cache is None:
            return dout.copy()
        out, p = cache
        return dout * (out != 0) / (1 - p) if p < 1 else np.zeros_like(dout)

    functions = (dropout_forward, dropout_backward)


@buggy(DO, "drops in place: x *= mask changes the caller's array", classes=(8,))
class dropout:  # noqa: F811
    global dropout_forward, dropout_backward

    def dropout_forward(x, p, *, train, rng):
        if not train:
            return x, np.ones(x.shape)
        scale = 0.0 if p == 1 else 1.0 / (1.0 - p)
        mask = (rng.random(x.shape) >= p) * scale
        x *= mask
        return x, mask

    def dropout_backward(dout, cache):
        return dout * cache

    functions = (dropout_forward, dropout_backward)


@buggy(DO, "draws the mask in eval mode too, then ignores it", classes=(7,))
class dropout:  # noqa: F811
    global dropout_forward, dropout_backward

    def dropout_forward(x, p, *, train, rng):
        keep = rng.random(x.shape) >= p
        if not train:
            return x.copy(), np.ones(x.shape)
        mask = keep / (1 - p) if p < 1 else np.zeros(x.shape)
        return x * mask, mask

    def dropout_backward(dout, cache):
        return dout * cache

    functions = (dropout_forward, dropout_backward)


@correct(DO, "reference solution")
class dropout:  # noqa: F811
    global dropout_forward, dropout_backward

    def dropout_forward(x, p, *, train, rng):
        """Inverted dropout, forward pass.

        Args:
            x: input of any shape.
            p: the probability of DROPPING an entry (torch.nn.Dropout's p), in [0, 1].
            train: True in training (draw a mask), False in eval mode (the identity).
            rng: np.random.Generator, the only source of randomness.

        Returns:
            out: array of x's shape: x * mask / (1 - p) in training, x in eval mode.
            cache: what dropout_backward needs.
        """
        ### BEGIN SOLUTION
        if not train or p == 0:
            return x.copy(), None
        if p == 1:
            return np.zeros_like(x), np.zeros_like(x)
        mask = (rng.random(x.shape) >= p) / (1.0 - p)
        return x * mask, mask
        ### END SOLUTION

    def dropout_backward(dout, cache):
        """Inverted dropout, backward pass.

        Args:
            dout: upstream gradient, of x's shape.
            cache: from dropout_forward.

        Returns:
            dx: dout times the forward's mask and scale (dout itself in eval mode).
        """
        ### BEGIN SOLUTION
        if cache is None:
            return dout.copy()
        return dout * cache
        ### END SOLUTION

    functions = (dropout_forward, dropout_backward)


@correct(DO, "rng.binomial keep mask, scale stored apart, np.where for the output")
class dropout:  # noqa: F811
    global dropout_forward, dropout_backward

    def dropout_forward(x, p, *, train, rng):
        if not train:
            return np.array(x, copy=True), {"keep": None, "scale": 1.0}
        keep = rng.binomial(1, 1.0 - p, size=x.shape).astype(bool)
        scale = 1.0 / (1.0 - p) if p < 1 else 0.0
        return np.where(keep, x * scale, 0.0), {"keep": keep, "scale": scale}

    def dropout_backward(dout, cache):
        if cache["keep"] is None:
            return np.array(dout, copy=True)
        return np.where(cache["keep"], dout * cache["scale"], 0.0)

    functions = (dropout_forward, dropout_backward)


@correct(DO, "uniform draws compared with p from below, float32 draws, torch for the arithmetic")
class dropout:  # noqa: F811
    global dropout_forward, dropout_backward

    def dropout_forward(x, p, *, train, rng):
        if not train:
            return x + 0.0, None
        dropped = rng.uniform(size=x.shape).astype(np.float32) < p
        keep = torch.from_numpy(~dropped)
        out = torch.from_numpy(x).masked_fill(~keep, 0.0)
        if p < 1:
            out = out / (1 - p)
        return out.numpy(), (keep, p)

    def dropout_backward(dout, cache):
        if cache is None:
            return dout + 0.0
        keep, p = cache
        dx = torch.from_numpy(dout).masked_fill(~keep, 0.0)
        return (dx / (1 - p) if p < 1 else dx).numpy()

    functions = (dropout_forward, dropout_backward)
