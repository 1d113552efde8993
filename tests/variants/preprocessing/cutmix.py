"""Buggy and correct answers to 02-preprocessing/cutmix (self-contained: see tests/variants/__init__.py)."""

from __future__ import annotations

import math
import random

import numpy as np
import torch

from .. import buggy, correct

CUT = "02-preprocessing/cutmix"


@buggy(CUT, "label weight from the sampled lambda, not from the clipped box area", demo=True, classes=(7,))
def cutmix(x, y, *, alpha=1.0, rng):
    N, C, H, W = x.shape
    perm = rng.permutation(N)
    lam = rng.beta(alpha, alpha)
    cut_h, cut_w = int(H * np.sqrt(1 - lam)), int(W * np.sqrt(1 - lam))
    cy, cx = rng.integers(H), rng.integers(W)
    r0, r1 = np.clip([cy - cut_h // 2, cy + cut_h // 2], 0, H)
    c0, c1 = np.clip([cx - cut_w // 2, cx + cut_w // 2], 0, W)
    out = x.copy()
    out[:, :, r0:r1, c0:c1] = x[perm, :, r0:r1, c0:c1]
    return out, lam * y + (1 - lam) * y[perm]


@buggy(CUT, "label weight from the unclipped box, cut_h * cut_w / (H W)", classes=(7,))
def cutmix(x, y, *, alpha=1.0, rng):  # noqa: F811
    N, C, H, W = x.shape
    perm = rng.permutation(N)
    lam = rng.beta(alpha, alpha)
    cut_h, cut_w = int(H * np.sqrt(1 - lam)), int(W * np.sqrt(1 - lam))
    cy, cx = rng.integers(H), rng.integers(W)
    r0, r1 = max(cy - cut_h // 2, 0), min(cy + cut_h // 2, H)
    c0, c1 = max(cx - cut_w // 2, 0), min(cx + cut_w // 2, W)
    out = x.copy()
    out[:, :, r0:r1, c0:c1] = x[perm, :, r0:r1, c0:c1]
    a = cut_h * cut_w / (H * W)
    return out, (1 - a) * y + a * y[perm]


@buggy(CUT, "weights swapped: the pasted area goes to the image's own label", classes=(0,))
def cutmix(x, y, *, alpha=1.0, rng):  # noqa: F811
    N, C, H, W = x.shape
    perm = rng.permutation(N)
    lam = rng.beta(alpha, alpha)
    cut_h, cut_w = int(H * np.sqrt(1 - lam)), int(W * np.sqrt(1 - lam))
    cy, cx = rng.integers(H), rng.integers(W)
    r0, r1 = np.clip([cy - cut_h // 2, cy + cut_h // 2], 0, H)
    c0, c1 = np.clip([cx - cut_w // 2, cx + cut_w // 2], 0, W)
    out = x.copy()
    out[:, :, r0:r1, c0:c1] = x[perm, :, r0:r1, c0:c1]
    a = (r1 - r0) * (c1 - c0) / (H * W)
    return out, a * y + (1 - a) * y[perm]


@buggy(CUT, "pastes into x itself (modifies the caller's batch)", classes=(8,))
def cutmix(x, y, *, alpha=1.0, rng):  # noqa: F811
    N, C, H, W = x.shape
    perm = rng.permutation(N)
    lam = rng.beta(alpha, alpha)
    cut_h, cut_w = int(H * np.sqrt(1 - lam)), int(W * np.sqrt(1 - lam))
    cy, cx = rng.integers(H), rng.integers(W)
    r0, r1 = np.clip([cy - cut_h // 2, cy + cut_h // 2], 0, H)
    c0, c1 = np.clip([cx - cut_w // 2, cx + cut_w // 2], 0, W)
    x[:, :, r0:r1, c0:c1] = x[perm, :, r0:r1, c0:c1]
    a = (r1 - r0) * (c1 - c0) / (H * W)
    return x, (1 - a) * y + a * y[perm]


@buggy(CUT, "pastes the partner's top-left corner instead of the same box", classes=(0,))
def cutmix(x, y, *, alpha=1.0, rng):  # noqa: F811
    N, C, H, W = x.shape
    perm = rng.permutation(N)
    lam = rng.beta(alpha, alpha)
    cut_h, cut_w = int(H * np.sqrt(1 - lam)), int(W * np.sqrt(1 - lam))
    cy, cx = rng.integers(H), rng.integers(W)
    r0, r1 = np.clip([cy - cut_h // 2, cy + cut_h // 2], 0, H)
    c0, c1 = np.clip([cx - cut_w // 2, cx + cut_w // 2], 0, W)
    out = x.copy()
    out[:, :, r0:r1, c0:c1] = x[perm, :, :r1 - r0, :c1 - c0]
    a = (r1 - r0) * (c1 - c0) / (H * W)
    return out, (1 - a) * y + a * y[perm]


@buggy(CUT, "partners drawn with replacement (rng.integers) instead of a permutation", classes=(4,))
def cutmix(x, y, *, alpha=1.0, rng):  # noqa: F811
    N, C, H, W = x.shape
    partner = rng.integers(0, N, size=N)
    lam = rng.beta(alpha, alpha)
    cut_h, cut_w = int(H * np.sqrt(1 - lam)), int(W * np.sqrt(1 - lam))
    cy, cx = rng.integers(H), rng.integers(W)
    r0, r1 = np.clip([cy - cut_h // 2, cy + cut_h // 2], 0, H)
    c0, c1 = np.clip([cx - cut_w // 2, cx + cut_w // 2], 0, W)
    out = x.copy()
    out[:, :, r0:r1, c0:c1] = x[partner, :, r0:r1, c0:c1]
    a = (r1 - r0) * (c1 - c0) / (H * W)
    return out, (1 - a) * y + a * y[partner]


@buggy(CUT, "[rng] draws from a global generator, not rng: one box per image, area counted with a boolean mask, np.random",
       classes=(3, 7))
def cutmix(x, y, *, alpha=1.0, rng):  # noqa: F811
    N, C, H, W = x.shape
    perm = np.random.permutation(N)
    out = x.copy()
    y_out = np.array(y, dtype=float, copy=True)
    for i in range(N):
        lam = np.random.beta(alpha, alpha)
        h, w = int(H * np.sqrt(1 - lam)), int(W * np.sqrt(1 - lam))
        cy, cx = np.random.randint(H), np.random.randint(W)
        mask = np.zeros((H, W), dtype=bool)
        mask[max(cy - h // 2, 0):min(cy + h // 2, H), max(cx - w // 2, 0):min(cx + w // 2, W)] = True
        out[i][:, mask] = x[perm[i]][:, mask]
        a = mask.mean()
        y_out[i] = (1 - a) * y[i] + a * y[perm[i]]
    return out, y_out


@buggy(CUT, "[rng] draws from a global generator, not rng: torch: randperm, Beta distribution, torch.where with a box mask",
       classes=(3,))
def cutmix(x, y, *, alpha=1.0, rng):  # noqa: F811
    xt, yt = torch.as_tensor(x), torch.as_tensor(y)
    N, C, H, W = xt.shape
    perm = torch.randperm(N)
    lam = float(torch.distributions.Beta(alpha, alpha).sample())
    ch, cw = int(H * math.sqrt(1 - lam)), int(W * math.sqrt(1 - lam))
    cy, cx = int(torch.randint(H, ())), int(torch.randint(W, ()))
    rows = torch.arange(H)[:, None]
    cols = torch.arange(W)[None, :]
    box = (rows >= cy - ch // 2) & (rows < cy + ch // 2) & (cols >= cx - cw // 2) & (cols < cx + cw // 2)
    mixed = torch.where(box, xt[perm], xt)
    a = box.double().mean()
    return mixed.numpy(), ((1 - a) * yt + a * yt[perm]).numpy()


@correct(CUT, "torch: randperm and randint with a torch.Generator seeded from rng, lam from rng.beta, a box mask")
def cutmix(x, y, *, alpha=1.0, rng):  # noqa: F811
    g = torch.Generator().manual_seed(int(rng.integers(2**62)))
    xt, yt = torch.as_tensor(x), torch.as_tensor(y)
    N, C, H, W = xt.shape
    perm = torch.randperm(N, generator=g)
    lam = float(rng.beta(alpha, alpha))
    ch, cw = int(H * math.sqrt(1 - lam)), int(W * math.sqrt(1 - lam))
    cy, cx = int(torch.randint(H, (), generator=g)), int(torch.randint(W, (), generator=g))
    rows = torch.arange(H)[:, None]
    cols = torch.arange(W)[None, :]
    box = (rows >= cy - ch // 2) & (rows < cy + ch // 2) & (cols >= cx - cw // 2) & (cols < cx + cw // 2)
    mixed = torch.where(box, xt[perm], xt)
    a = box.double().mean()
    return mixed.numpy(), ((1 - a) * yt + a * yt[perm]).numpy()


@buggy('02-preprocessing/cutmix', "[5] centre restricted so that the box stays inside the image")
def cutmix(x, y, *, alpha=1.0, rng):
    N, C, H, W = x.shape
    perm = rng.permutation(N)
    lam = rng.beta(alpha, alpha)
    ch, cw = int(H * np.sqrt(1 - lam)), int(W * np.sqrt(1 - lam))
    cy = rng.integers(ch // 2, H - ch // 2 + 1) if ch < H else H // 2
    cx = rng.integers(cw // 2, W - cw // 2 + 1) if cw < W else W // 2
    y1, y2 = np.clip(cy - ch // 2, 0, H), np.clip(cy + ch // 2, 0, H)
    x1, x2 = np.clip(cx - cw // 2, 0, W), np.clip(cx + cw // 2, 0, W)
    out = x.copy()
    out[:, :, y1:y2, x1:x2] = x[perm][:, :, y1:y2, x1:x2]
    a = (y2 - y1) * (x2 - x1) / (H * W)
    return out, (1 - a) * y + a * y[perm]


@buggy('02-preprocessing/cutmix', "[5,10] lam ~ Uniform(0, 1): Beta(1, 1), right only for alpha = 1")
def cutmix(x, y, *, alpha=1.0, rng):
    N, C, H, W = x.shape
    perm = rng.permutation(N)
    lam = rng.uniform()
    ch, cw = int(H * np.sqrt(1 - lam)), int(W * np.sqrt(1 - lam))
    cy, cx = rng.integers(H), rng.integers(W)
    y1, y2 = np.clip(cy - ch // 2, 0, H), np.clip(cy + ch // 2, 0, H)
    x1, x2 = np.clip(cx - cw // 2, 0, W), np.clip(cx + cw // 2, 0, W)
    out = x.copy()
    out[:, :, y1:y2, x1:x2] = x[perm][:, :, y1:y2, x1:x2]
    a = (y2 - y1) * (x2 - x1) / (H * W)
    return out, (1 - a) * y + a * y[perm]


@buggy('02-preprocessing/cutmix', "[4] both centre coordinates from one draw (cy == cx)")
def cutmix(x, y, *, alpha=1.0, rng):
    N, C, H, W = x.shape
    perm = rng.permutation(N)
    lam = rng.beta(alpha, alpha)
    ch, cw = int(H * np.sqrt(1 - lam)), int(W * np.sqrt(1 - lam))
    cy = cx = rng.integers(min(H, W))
    y1, y2 = np.clip(cy - ch // 2, 0, H), np.clip(cy + ch // 2, 0, H)
    x1, x2 = np.clip(cx - cw // 2, 0, W), np.clip(cx + cw // 2, 0, W)
    out = x.copy()
    out[:, :, y1:y2, x1:x2] = x[perm][:, :, y1:y2, x1:x2]
    a = (y2 - y1) * (x2 - x1) / (H * W)
    return out, (1 - a) * y + a * y[perm]


@buggy('02-preprocessing/cutmix', "[6] cx drawn over H, and cut_w from H (non-square images)")
def cutmix(x, y, *, alpha=1.0, rng):
    N, C, H, W = x.shape
    perm = rng.permutation(N)
    lam = rng.beta(alpha, alpha)
    cut = int(H * np.sqrt(1 - lam))
    cy, cx = rng.integers(H), rng.integers(H)
    y1, y2 = np.clip(cy - cut // 2, 0, H), np.clip(cy + cut // 2, 0, H)
    x1, x2 = np.clip(cx - cut // 2, 0, W), np.clip(cx + cut // 2, 0, W)
    out = x.copy()
    out[:, :, y1:y2, x1:x2] = x[perm][:, :, y1:y2, x1:x2]
    a = (y2 - y1) * (x2 - x1) / (H * W)
    return out, (1 - a) * y + a * y[perm]


@buggy('02-preprocessing/cutmix', "[6] round() for the box sides instead of int()")
def cutmix(x, y, *, alpha=1.0, rng):
    N, C, H, W = x.shape
    perm = rng.permutation(N)
    lam = rng.beta(alpha, alpha)
    ch, cw = round(H * np.sqrt(1 - lam)), round(W * np.sqrt(1 - lam))
    cy, cx = rng.integers(H), rng.integers(W)
    y1, y2 = np.clip(cy - ch // 2, 0, H), np.clip(cy + ch // 2, 0, H)
    x1, x2 = np.clip(cx - cw // 2, 0, W), np.clip(cx + cw // 2, 0, W)
    out = x.copy()
    out[:, :, y1:y2, x1:x2] = x[perm][:, :, y1:y2, x1:x2]
    a = (y2 - y1) * (x2 - x1) / (H * W)
    return out, (1 - a) * y + a * y[perm]


@buggy('02-preprocessing/cutmix', "[7] a different lam and box for every image")
def cutmix(x, y, *, alpha=1.0, rng):
    N, C, H, W = x.shape
    perm = rng.permutation(N)
    out = x.copy()
    y_out = np.empty(y.shape, dtype=float)
    for i in range(N):
        lam = rng.beta(alpha, alpha)
        ch, cw = int(H * np.sqrt(1 - lam)), int(W * np.sqrt(1 - lam))
        cy, cx = rng.integers(H), rng.integers(W)
        y1, y2 = np.clip(cy - ch // 2, 0, H), np.clip(cy + ch // 2, 0, H)
        x1, x2 = np.clip(cx - cw // 2, 0, W), np.clip(cx + cw // 2, 0, W)
        out[i, :, y1:y2, x1:x2] = x[perm[i], :, y1:y2, x1:x2]
        a = (y2 - y1) * (x2 - x1) / (H * W)
        y_out[i] = (1 - a) * y[i] + a * y[perm[i]]
    return out, y_out


@buggy('02-preprocessing/cutmix', "[5] centre from rng.integers(H + 1): can fall one pixel outside the image")
def cutmix(x, y, *, alpha=1.0, rng):
    N, C, H, W = x.shape
    perm = rng.permutation(N)
    lam = rng.beta(alpha, alpha)
    ch, cw = int(H * np.sqrt(1 - lam)), int(W * np.sqrt(1 - lam))
    cy, cx = rng.integers(H + 1), rng.integers(W + 1)
    y1, y2 = np.clip(cy - ch // 2, 0, H), np.clip(cy + ch // 2, 0, H)
    x1, x2 = np.clip(cx - cw // 2, 0, W), np.clip(cx + cw // 2, 0, W)
    out = x.copy()
    out[:, :, y1:y2, x1:x2] = x[perm][:, :, y1:y2, x1:x2]
    a = (y2 - y1) * (x2 - x1) / (H * W)
    return out, (1 - a) * y + a * y[perm]


@buggy(CUT, "[9] computed in torch and returned as tensors (documented: ndarrays)", classes=(9,))
def cutmix(x, y, *, alpha=1.0, rng):  # noqa: F811
    xt, yt = torch.as_tensor(x), torch.as_tensor(y, dtype=torch.float64)
    N, C, H, W = xt.shape
    perm = torch.as_tensor(rng.permutation(N))
    lam = rng.beta(alpha, alpha)
    cut_h, cut_w = int(H * np.sqrt(1 - lam)), int(W * np.sqrt(1 - lam))
    cy, cx = int(rng.integers(H)), int(rng.integers(W))
    r0, r1 = max(cy - cut_h // 2, 0), min(cy + cut_h // 2, H)
    c0, c1 = max(cx - cut_w // 2, 0), min(cx + cut_w // 2, W)
    out = xt.clone()
    out[:, :, r0:r1, c0:c1] = xt[perm, :, r0:r1, c0:c1]
    a = (r1 - r0) * (c1 - c0) / (H * W)
    return out, (1 - a) * yt + a * yt[perm]
