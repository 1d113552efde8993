"""Buggy and correct answers to 03-activations/dead_relu_fraction (self-contained: see tests/variants/__init__.py)."""

from __future__ import annotations

import numpy as np
import torch

from .. import buggy, correct

DEAD = "03-activations/dead_relu_fraction"


@buggy(DEAD, "fraction of ENTRIES <= 0, not of units that are <= 0 on every example", demo=True, classes=(0,))
def dead_relu_fraction(pre_activations):
    return float(np.mean(pre_activations <= 0))


@buggy(DEAD, "tests < 0: a unit whose output is exactly 0 counts as firing", classes=(7,))
def dead_relu_fraction(pre_activations):  # noqa: F811
    return float(np.mean(np.all(pre_activations < 0, axis=0)))


@buggy(DEAD, "any() instead of all(): a unit that is off once counts as dead", classes=(0,))
def dead_relu_fraction(pre_activations):  # noqa: F811
    return float(np.mean(np.any(pre_activations <= 0, axis=0)))


@buggy(DEAD, "reduces over the units (axis 1): fraction of examples on which every unit is off", classes=(6,))
def dead_relu_fraction(pre_activations):  # noqa: F811
    return float(np.mean(np.all(pre_activations <= 0, axis=1)))


@buggy(DEAD, "returns the number of dead units, not the fraction", classes=(0,))
def dead_relu_fraction(pre_activations):  # noqa: F811
    return int(np.sum(np.all(pre_activations <= 0, axis=0)))


@correct(DEAD, "1 - fraction of units that fire at least once (any > 0)")
def dead_relu_fraction(pre_activations):  # noqa: F811
    fires = (np.asarray(pre_activations) > 0).any(axis=0)     # (H,)
    return 1.0 - fires.sum() / fires.size


@correct(DEAD, "the largest pre-activation of each unit over the data is <= 0, in torch")
def dead_relu_fraction(pre_activations):  # noqa: F811
    a = torch.as_tensor(pre_activations)
    return (a.amax(dim=0) <= 0).double().mean().item()


@buggy('03-activations/dead_relu_fraction', "[9] torch version returns a 0-d tensor, not a float")
def dead_relu_fraction(pre_activations):
    z = torch.from_numpy(np.asarray(pre_activations))
    return (z <= 0).all(dim=0).double().mean()


@buggy(DEAD, "[8] applies the ReLU in place (z[z < 0] = 0), then counts units that are 0 everywhere",
       classes=(8,))
def dead_relu_fraction(pre_activations):  # noqa: F811
    z = pre_activations
    z[z < 0] = 0                                  # the ReLU outputs
    return float(np.mean(np.all(z == 0, axis=0)))
