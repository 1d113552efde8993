"""Buggy and correct answers to 07-optimizers/clip_gradients (self-contained: see tests/variants/__init__.py).

Each variant is a class holding the two functions (``functions``).
"""

from __future__ import annotations

import math

import numpy as np
import torch

from .. import buggy, correct

CG = "07-optimizers/clip_gradients"


@buggy(CG, "clip_grad_norm clips each array by its own norm, not by the global norm", demo=True, classes=(0,))
class clip_gradients:
    global clip_grad_value, clip_grad_norm

    def clip_grad_value(grads, clip_value):
        for g in grads:
            if g is not None:
                np.clip(g, -clip_value, clip_value, out=g)

    def clip_grad_norm(grads, max_norm, norm_type=2.0):
        norms = []
        for g in grads:
            if g is None:
                continue
            n = np.linalg.norm(g.ravel(), norm_type)
            norms.append(n)
            if n > max_norm:
                g *= max_norm / (n + 1e-6)
        return float(np.linalg.norm(norms, norm_type)) if norms else 0.0

    functions = (clip_grad_value, clip_grad_norm)


@buggy(CG, "new arrays: grads[i] = np.clip(g, ...) and grads[i] = g * coef leave the caller's arrays as they were",
       classes=(8,))
class clip_gradients:  # noqa: F811
    global clip_grad_value, clip_grad_norm

    def clip_grad_value(grads, clip_value):
        for i, g in enumerate(grads):
            if g is not None:
                grads[i] = np.clip(g, -clip_value, clip_value)

    def clip_grad_norm(grads, max_norm, norm_type=2.0):
        norms = [np.linalg.norm(g.ravel(), norm_type) for g in grads if g is not None]
        total = float(np.linalg.norm(norms, norm_type)) if norms else 0.0
        coef = max_norm / (total + 1e-6)
        if coef < 1:
            for i, g in enumerate(grads):
                if g is not None:
                    grads[i] = g * coef
        return total

    functions = (clip_grad_value, clip_grad_norm)


@buggy(CG, "clip_grad_norm returns the norm after clipping", classes=(7,))
class clip_gradients:  # noqa: F811
    global clip_grad_value, clip_grad_norm

    def clip_grad_value(grads, clip_value):
        for g in grads:
            if g is not None:
                np.clip(g, -clip_value, clip_value, out=g)

    def clip_grad_norm(grads, max_norm, norm_type=2.0):
        def total_norm():
            norms = [np.linalg.norm(g.ravel(), norm_type) for g in grads if g is not None]
            return float(np.linalg.norm(norms, norm_type)) if norms else 0.0
        coef = max_norm / (total_norm() + 1e-6)
        if coef < 1:
            for g in grads:
                if g is not None:
                    g *= coef
        return total_norm()

    functions = (clip_grad_value, clip_grad_norm)


@buggy(CG, "scale max_norm / total without torch's 1e-6", classes=(7,))
class clip_gradients:  # noqa: F811
    global clip_grad_value, clip_grad_norm

    def clip_grad_value(grads, clip_value):
        for g in grads:
            if g is not None:
                np.clip(g, -clip_value, clip_value, out=g)

    def clip_grad_norm(grads, max_norm, norm_type=2.0):
        norms = [np.linalg.norm(g.ravel(), norm_type) for g in grads if g is not None]
        total = float(np.linalg.norm(norms, norm_type)) if norms else 0.0
        if total > max_norm:
            for g in grads:
                if g is not None:
                    g *= max_norm / total
        return total

    functions = (clip_grad_value, clip_grad_norm)


@buggy(CG, "norm_type ignored: always the L2 norm", classes=(7,))
class clip_gradients:  # noqa: F811
    global clip_grad_value, clip_grad_norm

    def clip_grad_value(grads, clip_value):
        for g in grads:
            if g is not None:
                np.clip(g, -clip_value, clip_value, out=g)

    def clip_grad_norm(grads, max_norm, norm_type=2.0):
        total = math.sqrt(sum(float(np.sum(g ** 2)) for g in grads if g is not None))
        coef = min(1.0, max_norm / (total + 1e-6))
        for g in grads:
            if g is not None:
                g *= coef
        return total

    functions = (clip_grad_value, clip_grad_norm)


@buggy(CG, "the p-norm formula (sum |g|^p)^(1/p) used for norm_type = inf too", classes=(7,))
class clip_gradients:  # noqa: F811
    global clip_grad_value, clip_grad_norm

    def clip_grad_value(grads, clip_value):
        for g in grads:
            if g is not None:
                np.clip(g, -clip_value, clip_value, out=g)

    def clip_grad_norm(grads, max_norm, norm_type=2.0):
        p = float(norm_type)
        total = sum(float(np.sum(np.abs(g) ** p)) for g in grads if g is not None) ** (1.0 / p)
        coef = min(1.0, max_norm / (total + 1e-6))
        for g in grads:
            if g is not None:
                g *= coef
        return total

    functions = (clip_grad_value, clip_grad_norm)


@buggy(CG, "writes through g[:] = ...: fails on 0-d gradients", classes=(6,))
class clip_gradients:  # noqa: F811
    global clip_grad_value, clip_grad_norm

    def clip_grad_value(grads, clip_value):
        for g in grads:
            if g is not None:
                g[:] = np.clip(g, -clip_value, clip_value)

    def clip_grad_norm(grads, max_norm, norm_type=2.0):
        norms = [np.linalg.norm(g.ravel(), norm_type) for g in grads if g is not None]
        total = float(np.linalg.norm(norms, norm_type)) if norms else 0.0
        coef = min(1.0, max_norm / (total + 1e-6))
        for g in grads:
            if g is not None:
                g[:] = g * coef
        return total

    functions = (clip_grad_value, clip_grad_norm)


@buggy(CG, "np.concatenate of every array: fails on an empty list (or one of Nones only)", classes=(6,))
class clip_gradients:  # noqa: F811
    global clip_grad_value, clip_grad_norm

    def clip_grad_value(grads, clip_value):
        for g in grads:
            if g is not None:
                np.clip(g, -clip_value, clip_value, out=g)

    def clip_grad_norm(grads, max_norm, norm_type=2.0):
        flat = np.concatenate([g.ravel() for g in grads if g is not None])
        total = float(np.linalg.norm(flat, norm_type))
        coef = min(1.0, max_norm / (total + 1e-6))
        for g in grads:
            if g is not None:
                g *= coef
        return total

    functions = (clip_grad_value, clip_grad_norm)


@buggy(CG, "direction times clipped length, g / total * min(total, max_norm): NaN for all-zero gradients",
       classes=(7,))
class clip_gradients:  # noqa: F811
    global clip_grad_value, clip_grad_norm

    def clip_grad_value(grads, clip_value):
        for g in grads:
            if g is not None:
                np.clip(g, -clip_value, clip_value, out=g)

    def clip_grad_norm(grads, max_norm, norm_type=2.0):
        norms = [np.linalg.norm(g.ravel(), norm_type) for g in grads if g is not None]
        total = float(np.linalg.norm(norms, norm_type)) if norms else 0.0
        with np.errstate(invalid="ignore", divide="ignore"):
            for g in grads:
                if g is not None:
                    g[...] = g / total * min(total, max_norm)
        return total

    functions = (clip_grad_value, clip_grad_norm)


@buggy(CG, "multiplies by min(total, max_norm) / (total + 1e-6): small gradients shrink too", classes=(7,))
class clip_gradients:  # noqa: F811
    global clip_grad_value, clip_grad_norm

    def clip_grad_value(grads, clip_value):
        for g in grads:
            if g is not None:
                np.clip(g, -clip_value, clip_value, out=g)

    def clip_grad_norm(grads, max_norm, norm_type=2.0):
        norms = [np.linalg.norm(g.ravel(), norm_type) for g in grads if g is not None]
        total = float(np.linalg.norm(norms, norm_type)) if norms else 0.0
        for g in grads:
            if g is not None:
                g *= min(total, max_norm) / (total + 1e-6)
        return total

    functions = (clip_grad_value, clip_grad_norm)


@buggy(CG, "`if total > max_norm`: at total == max_norm torch still scales by max_norm / (total + 1e-6)",
       classes=(7,))
class clip_gradients:  # noqa: F811
    global clip_grad_value, clip_grad_norm

    def clip_grad_value(grads, clip_value):
        for g in grads:
            if g is not None:
                np.clip(g, -clip_value, clip_value, out=g)

    def clip_grad_norm(grads, max_norm, norm_type=2.0):
        norms = [np.linalg.norm(g.ravel(), norm_type) for g in grads if g is not None]
        total = float(np.linalg.norm(norms, norm_type)) if norms else 0.0
        if total > max_norm:
            for g in grads:
                if g is not None:
                    g *= max_norm / (total + 1e-6)
        return total

    functions = (clip_grad_value, clip_grad_norm)


@buggy(CG, "clip_grad_norm returns torch's 0-d tensor, as clip_grad_norm_ does, not a float", classes=(9,))
class clip_gradients:  # noqa: F811
    global clip_grad_value, clip_grad_norm

    def clip_grad_value(grads, clip_value):
        for g in grads:
            if g is not None:
                np.clip(g, -clip_value, clip_value, out=g)

    def clip_grad_norm(grads, max_norm, norm_type=2.0):
        ts = [torch.from_numpy(g) for g in grads if g is not None]
        norms = [torch.linalg.vector_norm(t, norm_type) for t in ts]
        total = torch.linalg.vector_norm(torch.stack(norms), norm_type) if norms else torch.tensor(0.0)
        coef = torch.clamp(max_norm / (total + 1e-6), max=1.0)
        for t in ts:
            t.mul_(coef)
        return total

    functions = (clip_grad_value, clip_grad_norm)


@buggy(CG, "clip_grad_value clips only from above (np.minimum), and always scales in clip_grad_norm",
       classes=(0,))
class clip_gradients:  # noqa: F811
    global clip_grad_value, clip_grad_norm

    def clip_grad_value(grads, clip_value):
        for g in grads:
            if g is not None:
                np.minimum(g, clip_value, out=g)

    def clip_grad_norm(grads, max_norm, norm_type=2.0):
        norms = [np.linalg.norm(g.ravel(), norm_type) for g in grads if g is not None]
        total = float(np.linalg.norm(norms, norm_type)) if norms else 0.0
        for g in grads:
            if g is not None:
                g *= max_norm / (total + 1e-6)
        return total

    functions = (clip_grad_value, clip_grad_norm)


@correct(CG, "reference solution")
class clip_gradients:  # noqa: F811
    global clip_grad_value, clip_grad_norm

    def clip_grad_value(grads, clip_value):
        for g in grads:
            if g is not None:
                np.clip(g, -clip_value, clip_value, out=g)  # in place

    def clip_grad_norm(grads, max_norm, norm_type=2.0):
        present = [g for g in grads if g is not None]
        if not present:
            return 0.0
        norms = [np.linalg.norm(g.ravel(), ord=norm_type) for g in present]  # each array's norm
        total = float(np.linalg.norm(np.array(norms), ord=norm_type))        # the norm of the norms
        clip_coef = max_norm / (total + 1e-6)
        if clip_coef < 1.0:
            for g in present:
                g *= clip_coef
        return total

    functions = (clip_grad_value, clip_grad_norm)


@correct(CG, "flattened sums of |g|^p with an inf branch, np.multiply(out=...), g[...] = ...")
class clip_gradients:  # noqa: F811
    global clip_grad_value, clip_grad_norm

    def clip_grad_value(grads, clip_value):
        for g in grads:
            if g is not None:
                g[...] = np.where(g > clip_value, clip_value, np.where(g < -clip_value, -clip_value, g))

    def clip_grad_norm(grads, max_norm, norm_type=2.0):
        flat = [np.abs(g).reshape(-1) for g in grads if g is not None]
        if math.isinf(norm_type):
            total = max((float(f.max()) for f in flat if f.size), default=0.0)
        else:
            total = sum(float(np.sum(f ** norm_type)) for f in flat) ** (1.0 / norm_type)
        scale = min(1.0, max_norm / (total + 1e-6))
        for g in grads:
            if g is not None and scale < 1.0:
                np.multiply(g, scale, out=g)
        return total

    functions = (clip_grad_value, clip_grad_norm)


@correct(CG, "torch.from_numpy views handed to torch.nn.utils' own clip_grad_value_ / clip_grad_norm_")
class clip_gradients:  # noqa: F811
    global clip_grad_value, clip_grad_norm

    def clip_grad_value(grads, clip_value):
        for g in grads:
            if g is not None:
                torch.from_numpy(g).clamp_(-clip_value, clip_value)  # a view: writes into g

    def clip_grad_norm(grads, max_norm, norm_type=2.0):
        params = []
        for g in grads:
            if g is not None:
                p = torch.zeros(g.shape, dtype=torch.float64, requires_grad=True)
                p.grad = torch.from_numpy(g)
                params.append(p)
        return float(torch.nn.utils.clip_grad_norm_(params, max_norm, norm_type))

    functions = (clip_grad_value, clip_grad_norm)
