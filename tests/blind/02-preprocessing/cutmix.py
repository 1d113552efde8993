import math, random
import numpy as np
import torch
from tests.variants import buggy, correct

ID = "02-preprocessing/cutmix"


def _paste(x, y, perm, y1, y2, x1, x2):
    N, C, H, W = x.shape
    out = x.copy()
    out[:, :, y1:y2, x1:x2] = x[perm][:, :, y1:y2, x1:x2]
    a = (y2 - y1) * (x2 - x1) / (H * W)
    return out, (1 - a) * y + a * y[perm]






@buggy(ID, "[7] label weight from lam, not the actual clipped area")
def cutmix(x, y, *, alpha=1.0, rng):
    N, C, H, W = x.shape
    perm = rng.permutation(N)
    lam = rng.beta(alpha, alpha)
    ch, cw = int(H * np.sqrt(1 - lam)), int(W * np.sqrt(1 - lam))
    cy, cx = rng.integers(H), rng.integers(W)
    y1, y2 = np.clip(cy - ch // 2, 0, H), np.clip(cy + ch // 2, 0, H)
    x1, x2 = np.clip(cx - cw // 2, 0, W), np.clip(cx + cw // 2, 0, W)
    out = x.copy()
    out[:, :, y1:y2, x1:x2] = x[perm][:, :, y1:y2, x1:x2]
    return out, lam * y + (1 - lam) * y[perm]






@buggy(ID, "[3] permutation and lam from np.random, centre from rng")
def cutmix(x, y, *, alpha=1.0, rng):
    N, C, H, W = x.shape
    perm = np.random.permutation(N)
    lam = np.random.beta(alpha, alpha)
    ch, cw = int(H * np.sqrt(1 - lam)), int(W * np.sqrt(1 - lam))
    cy, cx = rng.integers(H), rng.integers(W)
    y1, y2 = np.clip(cy - ch // 2, 0, H), np.clip(cy + ch // 2, 0, H)
    x1, x2 = np.clip(cx - cw // 2, 0, W), np.clip(cx + cw // 2, 0, W)
    out = x.copy()
    out[:, :, y1:y2, x1:x2] = x[perm][:, :, y1:y2, x1:x2]
    a = (y2 - y1) * (x2 - x1) / (H * W)
    return out, (1 - a) * y + a * y[perm]


@buggy(ID, "[8] pastes into x in place")
def cutmix(x, y, *, alpha=1.0, rng):
    N, C, H, W = x.shape
    perm = rng.permutation(N)
    lam = rng.beta(alpha, alpha)
    ch, cw = int(H * np.sqrt(1 - lam)), int(W * np.sqrt(1 - lam))
    cy, cx = rng.integers(H), rng.integers(W)
    y1, y2 = np.clip(cy - ch // 2, 0, H), np.clip(cy + ch // 2, 0, H)
    x1, x2 = np.clip(cx - cw // 2, 0, W), np.clip(cx + cw // 2, 0, W)
    x[:, :, y1:y2, x1:x2] = x[perm][:, :, y1:y2, x1:x2]
    a = (y2 - y1) * (x2 - x1) / (H * W)
    return x, (1 - a) * y + a * y[perm]




@buggy(ID, "[7] lower ends not clipped: negative start wraps the slice")
def cutmix(x, y, *, alpha=1.0, rng):
    N, C, H, W = x.shape
    perm = rng.permutation(N)
    lam = rng.beta(alpha, alpha)
    ch, cw = int(H * np.sqrt(1 - lam)), int(W * np.sqrt(1 - lam))
    cy, cx = rng.integers(H), rng.integers(W)
    y1, y2 = cy - ch // 2, min(cy + ch // 2, H)
    x1, x2 = cx - cw // 2, min(cx + cw // 2, W)
    out = x.copy()
    out[:, :, y1:y2, x1:x2] = x[perm][:, :, y1:y2, x1:x2]
    a = max(y2 - max(y1, 0), 0) * max(x2 - max(x1, 0), 0) / (H * W)
    return out, (1 - a) * y + a * y[perm]






@correct(ID, "boolean mask and np.where; area = mask.sum(); lam drawn before perm")
def cutmix(x, y, *, alpha=1.0, rng):
    N, C, H, W = x.shape
    lam = rng.beta(alpha, alpha)
    perm = rng.permutation(N)
    ch, cw = int(H * math.sqrt(1 - lam)), int(W * math.sqrt(1 - lam))
    cy, cx = rng.integers(0, H), rng.integers(0, W)
    rows = np.arange(H)[:, None]
    cols = np.arange(W)[None, :]
    mask = ((rows >= cy - ch // 2) & (rows < cy + ch // 2) &
            (cols >= cx - cw // 2) & (cols < cx + cw // 2))            # (H, W), clipped by construction
    x_mixed = np.where(mask[None, None], x[perm], x)
    a = mask.sum() / (H * W)
    return x_mixed, (1 - a) * y.astype(float) + a * y[perm].astype(float)


@correct(ID, "box side from sqrt(lam): same law as sqrt(1 - lam) since Beta(a, a) is symmetric")
def cutmix(x, y, *, alpha=1.0, rng):
    N, C, H, W = x.shape
    perm = rng.permutation(N)
    lam = rng.beta(alpha, alpha)
    ch, cw = int(H * np.sqrt(lam)), int(W * np.sqrt(lam))
    cy, cx = rng.integers(H), rng.integers(W)
    y1, y2 = max(cy - ch // 2, 0), min(cy + ch // 2, H)
    x1, x2 = max(cx - cw // 2, 0), min(cx + cw // 2, W)
    out = x.copy()
    out[:, :, y1:y2, x1:x2] = x[perm, :, y1:y2, x1:x2]
    a = (y2 - y1) * (x2 - x1) / (H * W)
    return out, (1 - a) * y + a * y[perm]
