"""Buggy and correct answers to 02-preprocessing/random_crop_flip (self-contained: see tests/variants/__init__.py)."""

from __future__ import annotations

import random

import numpy as np
import torch

from .. import buggy, correct

CRP = "02-preprocessing/random_crop_flip"


@buggy(CRP, "offset drawn with rng.integers(0, H + 2p - size): the last offset is never used", demo=True,
       classes=(5,))
def random_crop_flip(x, *, size, padding, p=0.5, rng):
    N, C, H, W = x.shape
    padded = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    out = np.empty((N, C, size, size))
    for n in range(N):
        i = rng.integers(0, max(H + 2 * padding - size, 1))
        j = rng.integers(0, max(W + 2 * padding - size, 1))
        crop = padded[n, :, i:i + size, j:j + size]
        out[n] = crop[:, :, ::-1] if rng.random() < p else crop
    return out


@buggy(CRP, "one offset and one flip decision for the whole batch", classes=(4,))
def random_crop_flip(x, *, size, padding, p=0.5, rng):  # noqa: F811
    N, C, H, W = x.shape
    padded = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    i = rng.integers(0, H + 2 * padding - size + 1)
    j = rng.integers(0, W + 2 * padding - size + 1)
    out = padded[:, :, i:i + size, j:j + size]
    return out[..., ::-1].copy() if rng.random() < p else out.copy()


@buggy(CRP, "flips upside down (axis of the height)", classes=(6,))
def random_crop_flip(x, *, size, padding, p=0.5, rng):  # noqa: F811
    N, C, H, W = x.shape
    padded = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    out = np.empty((N, C, size, size))
    for n in range(N):
        i = rng.integers(0, H + 2 * padding - size + 1)
        j = rng.integers(0, W + 2 * padding - size + 1)
        crop = padded[n, :, i:i + size, j:j + size]
        out[n] = crop[:, ::-1, :] if rng.random() < p else crop
    return out


@buggy(CRP, "flips with probability 1 - p (rng.random() > p)", classes=(7,))
def random_crop_flip(x, *, size, padding, p=0.5, rng):  # noqa: F811
    N, C, H, W = x.shape
    padded = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    out = np.empty((N, C, size, size))
    for n in range(N):
        i = rng.integers(0, H + 2 * padding - size + 1)
        j = rng.integers(0, W + 2 * padding - size + 1)
        crop = padded[n, :, i:i + size, j:j + size]
        out[n] = crop[:, :, ::-1] if rng.random() > p else crop
    return out


@buggy(CRP, "pads with edge replication instead of zeros", classes=(0,))
def random_crop_flip(x, *, size, padding, p=0.5, rng):  # noqa: F811
    N, C, H, W = x.shape
    padded = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)), mode="edge")
    out = np.empty((N, C, size, size))
    for n in range(N):
        i = rng.integers(0, H + 2 * padding - size + 1)
        j = rng.integers(0, W + 2 * padding - size + 1)
        crop = padded[n, :, i:i + size, j:j + size]
        out[n] = crop[:, :, ::-1] if rng.random() < p else crop
    return out


@buggy(CRP, "the same offset is used for rows and columns (only diagonal shifts)", classes=(4, 6))
def random_crop_flip(x, *, size, padding, p=0.5, rng):  # noqa: F811
    N, C, H, W = x.shape
    padded = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    out = np.empty((N, C, size, size))
    for n in range(N):
        i = rng.integers(0, min(H, W) + 2 * padding - size + 1)
        crop = padded[n, :, i:i + size, i:i + size]
        out[n] = crop[:, :, ::-1] if rng.random() < p else crop
    return out


@buggy(CRP, "[rng] draws from a global generator, not rng: torch: F.pad, torch.randint, torch.flip, ignores rng",
       classes=(3,))
def random_crop_flip(x, *, size, padding, p=0.5, rng):  # noqa: F811
    t = torch.nn.functional.pad(torch.as_tensor(x), (padding, padding, padding, padding))
    N, _, Hp, Wp = t.shape
    tops = torch.randint(0, Hp - size + 1, (N,))
    lefts = torch.randint(0, Wp - size + 1, (N,))
    flip = torch.rand(N) < p
    crops = []
    for n in range(N):
        c = t[n, :, tops[n]:tops[n] + size, lefts[n]:lefts[n] + size]
        crops.append(torch.flip(c, dims=[2]) if flip[n] else c)
    return torch.stack(crops).numpy()


@buggy(CRP, "[rng] draws from a global generator, not rng: vectorised fancy indexing into a zero canvas, Python's random module",
       classes=(3,))
def random_crop_flip(x, *, size, padding, p=0.5, rng):  # noqa: F811
    import random

    N, C, H, W = x.shape
    canvas = np.zeros((N, C, H + 2 * padding, W + 2 * padding), dtype=x.dtype)
    canvas[:, :, padding:padding + H, padding:padding + W] = x
    tops = np.array([random.randint(0, H + 2 * padding - size) for _ in range(N)])
    lefts = np.array([random.randint(0, W + 2 * padding - size) for _ in range(N)])
    rows = tops[:, None] + np.arange(size)                      # (N, size)
    cols = lefts[:, None] + np.arange(size)                     # (N, size)
    flip = np.array([random.random() < p for _ in range(N)])
    cols = np.where(flip[:, None], cols[:, ::-1], cols)
    n_idx = np.arange(N)[:, None, None, None]
    c_idx = np.arange(C)[None, :, None, None]
    return canvas[n_idx, c_idx, rows[:, None, :, None], cols[:, None, None, :]]


@correct(CRP, "torch: F.pad, torch.randint and torch.flip with a torch.Generator seeded from rng")
def random_crop_flip(x, *, size, padding, p=0.5, rng):  # noqa: F811
    g = torch.Generator().manual_seed(int(rng.integers(2**62)))
    t = torch.nn.functional.pad(torch.as_tensor(x), (padding, padding, padding, padding))
    N, _, Hp, Wp = t.shape
    tops = torch.randint(0, Hp - size + 1, (N,), generator=g)
    lefts = torch.randint(0, Wp - size + 1, (N,), generator=g)
    flip = torch.rand(N, generator=g) < p
    crops = []
    for n in range(N):
        c = t[n, :, tops[n]:tops[n] + size, lefts[n]:lefts[n] + size]
        crops.append(torch.flip(c, dims=[2]) if flip[n] else c)
    return torch.stack(crops).numpy()


@correct(CRP, "vectorised fancy indexing into a zero canvas, offsets from rng.integers with a size")
def random_crop_flip(x, *, size, padding, p=0.5, rng):  # noqa: F811
    N, C, H, W = x.shape
    canvas = np.zeros((N, C, H + 2 * padding, W + 2 * padding), dtype=x.dtype)
    canvas[:, :, padding:padding + H, padding:padding + W] = x
    tops = rng.integers(0, H + 2 * padding - size + 1, size=N)
    lefts = rng.integers(0, W + 2 * padding - size + 1, size=N)
    flip = rng.random(N) < p
    rows = tops[:, None] + np.arange(size)
    cols = np.where(flip[:, None], (lefts[:, None] + np.arange(size))[:, ::-1], lefts[:, None] + np.arange(size))
    return canvas[np.arange(N)[:, None, None, None], np.arange(C)[None, :, None, None],
                  rows[:, None, :, None], cols[:, None, None, :]]


@buggy('02-preprocessing/random_crop_flip', "[4] crop offset and flip derived from one uniform number")
def random_crop_flip(x, *, size, padding, p=0.5, rng):
    N, C, H, W = x.shape
    padded = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    out = np.empty((N, C, size, size), dtype=padded.dtype)
    for n in range(N):
        u = rng.random()
        top = int(u * (H + 2 * padding - size + 1))
        left = rng.integers(W + 2 * padding - size + 1)
        crop = padded[n, :, top:top + size, left:left + size]
        out[n] = crop[:, :, ::-1] if u < p else crop
    return out


@buggy('02-preprocessing/random_crop_flip', "[8] shortcut returns x itself when no padding, full size and p == 0")
def random_crop_flip(x, *, size, padding, p=0.5, rng):
    N, C, H, W = x.shape
    if padding == 0 and size == H == W and p == 0:
        return x
    padded = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    out = np.empty((N, C, size, size), dtype=padded.dtype)
    for n in range(N):
        top = rng.integers(H + 2 * padding - size + 1)
        left = rng.integers(W + 2 * padding - size + 1)
        crop = padded[n, :, top:top + size, left:left + size]
        out[n] = crop[:, :, ::-1] if rng.random() < p else crop
@buggy(CRP, "[8] skips np.pad when padding == 0 (padded = x) and mirrors crops in place: modifies x",
       classes=(8,))
def random_crop_flip(x, *, size, padding, p=0.5, rng):  # noqa: F811
    N, C, H, W = x.shape
    if padding:
        padded = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    else:
        padded = x                                   # nothing to pad: save a copy
    tops = rng.integers(0, H + 2 * padding - size + 1, size=N)
    lefts = rng.integers(0, W + 2 * padding - size + 1, size=N)
    flips = rng.random(N) < p
    out = np.empty((N, C, size, size), dtype=padded.dtype)
    for n in range(N):
        crop = padded[n, :, tops[n]:tops[n] + size, lefts[n]:lefts[n] + size]
        if flips[n]:
            crop[...] = crop[:, :, ::-1].copy()      # mirror in place
        out[n] = crop
    return out


@buggy(CRP, "[9] returns the list of crops (no np.stack), not an array", classes=(9,))
def random_crop_flip(x, *, size, padding, p=0.5, rng):  # noqa: F811
    N, C, H, W = x.shape
    padded = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    out = []
    for n in range(N):
        top = rng.integers(H + 2 * padding - size + 1)
        left = rng.integers(W + 2 * padding - size + 1)
        crop = padded[n, :, top:top + size, left:left + size]
        out.append(crop[:, :, ::-1] if rng.random() < p else crop)
    return out
