import math, random
import numpy as np
import torch
from tests.variants import buggy, correct


@buggy("03-activations/dead_relu_fraction", "[7] strict < 0: a unit whose pre-activation is exactly 0 on some examples counts as alive")
def dead_relu_fraction(pre_activations):
    dead = np.all(pre_activations < 0, axis=0)
    return float(dead.mean())


@buggy("03-activations/dead_relu_fraction", "[6] reduces over the wrong axis: fraction of examples on which every unit is <= 0")
def dead_relu_fraction(pre_activations):
    dead = np.all(pre_activations <= 0, axis=1)
    return float(dead.mean())


@buggy("03-activations/dead_relu_fraction", "[7] fraction of inactive entries (mean of z <= 0), not of units inactive on every example")
def dead_relu_fraction(pre_activations):
    return float(np.mean(pre_activations <= 0))


@buggy("03-activations/dead_relu_fraction", "[7] a unit is dead when its mean pre-activation is <= 0")
def dead_relu_fraction(pre_activations):
    return float(np.mean(pre_activations.mean(axis=0) <= 0))


@buggy("03-activations/dead_relu_fraction", "[9] integer division: dead.sum() // H gives 0 (or 1), an int")
def dead_relu_fraction(pre_activations):
    dead = np.all(pre_activations <= 0, axis=0)
    return int(dead.sum()) // pre_activations.shape[1]




@buggy("03-activations/dead_relu_fraction", "[8] applies ReLU in place (np.maximum(z, 0, out=z)) and checks the outputs are all 0")
def dead_relu_fraction(pre_activations):
    z = pre_activations
    np.maximum(z, 0, out=z)
    return float(np.mean(np.all(z == 0, axis=0)))


@buggy("03-activations/dead_relu_fraction", "[7] np.allclose-style test on the ReLU output: units firing only with values < 1e-8 count as dead")
def dead_relu_fraction(pre_activations):
    h = np.maximum(pre_activations, 0)
    dead = np.all(np.isclose(h, 0.0), axis=0)
    return float(dead.mean())


@buggy("03-activations/dead_relu_fraction", "[1] casts to float32 first: a positive pre-activation below 1e-45 rounds to 0 (dead)")
def dead_relu_fraction(pre_activations):
    z = pre_activations.astype(np.float32)
    return float(np.mean(z.max(axis=0) <= 0))


@correct("03-activations/dead_relu_fraction", "1 - fraction of units positive on at least one example (any over axis 0)")
def dead_relu_fraction(pre_activations):
    alive = np.any(pre_activations > 0, axis=0)
    return 1.0 - alive.sum() / alive.size


@correct("03-activations/dead_relu_fraction", "python loop over columns with max() <= 0, Fraction-free float division")
def dead_relu_fraction(pre_activations):
    N, H = pre_activations.shape
    dead = 0
    for h in range(H):
        if max(pre_activations[:, h]) <= 0:
            dead += 1
    return dead / H
