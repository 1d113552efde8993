import math, random
import numpy as np
import torch
from tests.variants import buggy, correct

ID = "02-preprocessing/random_crop_flip"


def _pad(x, padding):
    return np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))


@buggy(ID, "[3] offsets and flips from np.random")
def random_crop_flip(x, *, size, padding, p=0.5, rng):
    N, C, H, W = x.shape
    padded = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    out = np.empty((N, C, size, size), dtype=padded.dtype)
    for n in range(N):
        top = np.random.randint(H + 2 * padding - size + 1)
        left = np.random.randint(W + 2 * padding - size + 1)
        crop = padded[n, :, top:top + size, left:left + size]
        out[n] = crop[:, :, ::-1] if np.random.rand() < p else crop
    return out


@buggy(ID, "[4] one crop offset for the whole batch")
def random_crop_flip(x, *, size, padding, p=0.5, rng):
    N, C, H, W = x.shape
    padded = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    top = rng.integers(H + 2 * padding - size + 1)
    left = rng.integers(W + 2 * padding - size + 1)
    out = padded[:, :, top:top + size, left:left + size].copy()
    flips = rng.random(N) < p
    out[flips] = out[flips][..., ::-1]
    return out


@buggy(ID, "[4] one flip decision for the whole batch")
def random_crop_flip(x, *, size, padding, p=0.5, rng):
    N, C, H, W = x.shape
    padded = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    out = np.empty((N, C, size, size), dtype=padded.dtype)
    for n in range(N):
        top = rng.integers(H + 2 * padding - size + 1)
        left = rng.integers(W + 2 * padding - size + 1)
        out[n] = padded[n, :, top:top + size, left:left + size]
    if rng.random() < p:
        out = out[..., ::-1].copy()
    return out




@buggy(ID, "[4] top and left from the same draw (diagonal shifts only)")
def random_crop_flip(x, *, size, padding, p=0.5, rng):
    N, C, H, W = x.shape
    padded = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    out = np.empty((N, C, size, size), dtype=padded.dtype)
    for n in range(N):
        off = rng.integers(min(H, W) + 2 * padding - size + 1)
        crop = padded[n, :, off:off + size, off:off + size]
        out[n] = crop[:, :, ::-1] if rng.random() < p else crop
    return out


@buggy(ID, "[5,10] rng.integers(H + 2p - size): exclusive high, last position never chosen")
def random_crop_flip(x, *, size, padding, p=0.5, rng):
    N, C, H, W = x.shape
    padded = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    out = np.empty((N, C, size, size), dtype=padded.dtype)
    for n in range(N):
        top = rng.integers(max(H + 2 * padding - size, 1))
        left = rng.integers(max(W + 2 * padding - size, 1))
        crop = padded[n, :, top:top + size, left:left + size]
        out[n] = crop[:, :, ::-1] if rng.random() < p else crop
    return out


@buggy(ID, "[6] flips up-down (axis H) instead of left-right")
def random_crop_flip(x, *, size, padding, p=0.5, rng):
    N, C, H, W = x.shape
    padded = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    out = np.empty((N, C, size, size), dtype=padded.dtype)
    for n in range(N):
        top = rng.integers(H + 2 * padding - size + 1)
        left = rng.integers(W + 2 * padding - size + 1)
        crop = padded[n, :, top:top + size, left:left + size]
        out[n] = crop[:, ::-1, :] if rng.random() < p else crop
    return out


@buggy(ID, "[7] flips when rng.random() > p (probability 1 - p; same at p = 0.5)")
def random_crop_flip(x, *, size, padding, p=0.5, rng):
    N, C, H, W = x.shape
    padded = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    out = np.empty((N, C, size, size), dtype=padded.dtype)
    for n in range(N):
        top = rng.integers(H + 2 * padding - size + 1)
        left = rng.integers(W + 2 * padding - size + 1)
        crop = padded[n, :, top:top + size, left:left + size]
        out[n] = crop[:, :, ::-1] if rng.random() > p else crop
    return out


@buggy(ID, "[7] reflect padding instead of zeros")
def random_crop_flip(x, *, size, padding, p=0.5, rng):
    N, C, H, W = x.shape
    padded = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)), mode="reflect")
    out = np.empty((N, C, size, size), dtype=padded.dtype)
    for n in range(N):
        top = rng.integers(H + 2 * padding - size + 1)
        left = rng.integers(W + 2 * padding - size + 1)
        crop = padded[n, :, top:top + size, left:left + size]
        out[n] = crop[:, :, ::-1] if rng.random() < p else crop
    return out


@buggy(ID, "[6] uses H for both offset ranges (non-square images)")
def random_crop_flip(x, *, size, padding, p=0.5, rng):
    N, C, H, W = x.shape
    padded = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    out = np.empty((N, C, size, size), dtype=padded.dtype)
    r = H + 2 * padding - size + 1
    for n in range(N):
        top, left = rng.integers(r), rng.integers(r)
        crop = padded[n, :, top:top + size, left:left + size]
        out[n] = crop[:, :, ::-1] if rng.random() < p else crop
    return out


@buggy(ID, "[10] offsets in {0..2*padding}, ignoring size (right only when size == H == W)")
def random_crop_flip(x, *, size, padding, p=0.5, rng):
    N, C, H, W = x.shape
    padded = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    out = np.empty((N, C, size, size), dtype=padded.dtype)
    for n in range(N):
        top = rng.integers(2 * padding + 1)
        left = rng.integers(2 * padding + 1)
        crop = padded[n, :, top:top + size, left:left + size]
        out[n] = crop[:, :, ::-1] if rng.random() < p else crop
    return out


@buggy(ID, "[8] flips x[n] in place before cropping")
def random_crop_flip(x, *, size, padding, p=0.5, rng):
    N, C, H, W = x.shape
    out = np.empty((N, C, size, size), dtype=x.dtype)
    for n in range(N):
        top = rng.integers(H + 2 * padding - size + 1)
        left = rng.integers(W + 2 * padding - size + 1)
        if rng.random() < p:
            x[n] = x[n, :, :, ::-1].copy()
            left = W + 2 * padding - size - left
        padded = np.pad(x[n], ((0, 0), (padding, padding), (padding, padding)))
        out[n] = padded[:, top:top + size, left:left + size]
    return out




@correct(ID, "vectorised draws (all tops, then lefts, then flips) and fancy indexing")
def random_crop_flip(x, *, size, padding, p=0.5, rng):
    N, C, H, W = x.shape
    padded = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    tops = rng.integers(0, H + 2 * padding - size + 1, size=N)
    lefts = rng.integers(0, W + 2 * padding - size + 1, size=N)
    flips = rng.random(N) < p
    rows = tops[:, None] + np.arange(size)[None]            # (N, size)
    cols = lefts[:, None] + np.arange(size)[None]
    cols = np.where(flips[:, None], cols[:, ::-1], cols)
    n_idx = np.arange(N)[:, None, None, None]
    c_idx = np.arange(C)[None, :, None, None]
    return padded[n_idx, c_idx, rows[:, None, :, None], cols[:, None, None, :]]


@correct(ID, "torch: zero-pad with F.pad, flip with torch.flip, rng for draws")
def random_crop_flip(x, *, size, padding, p=0.5, rng):
    t = torch.as_tensor(np.ascontiguousarray(x))
    t = torch.nn.functional.pad(t, (padding, padding, padding, padding))
    N, C, Hp, Wp = t.shape
    outs = []
    for n in range(N):
        flip = rng.uniform() < p
        top = int(rng.integers(Hp - size + 1))
        left = int(rng.integers(Wp - size + 1))
        crop = t[n, :, top:top + size, left:left + size]
        outs.append(torch.flip(crop, dims=(-1,)) if flip else crop)
    return torch.stack(outs).numpy().copy()
