"""Buggy and correct answers to 02-preprocessing/tta_predict (self-contained: see tests/variants/__init__.py)."""

from __future__ import annotations

import numpy as np
import torch

from .. import buggy, correct

TTA = "02-preprocessing/tta_predict"


@buggy(TTA, "averages the logits, then one softmax", demo=True, classes=(0,))
def tta_predict(model, x, *, size, flip=True):
    N, C, H, W = x.shape
    t, l = (H - size) // 2, (W - size) // 2
    views = [x[:, :, :size, :size], x[:, :, :size, W - size:], x[:, :, H - size:, :size],
             x[:, :, H - size:, W - size:], x[:, :, t:t + size, l:l + size]]
    if flip:
        views += [v.flip(3) for v in views]
    logits = torch.stack([model(v) for v in views]).mean(0)
    return torch.softmax(logits, dim=1)


@buggy(TTA, "mirrors upside down (flips the height axis)", classes=(6,))
def tta_predict(model, x, *, size, flip=True):  # noqa: F811
    N, C, H, W = x.shape
    t, l = (H - size) // 2, (W - size) // 2
    views = [x[:, :, :size, :size], x[:, :, :size, W - size:], x[:, :, H - size:, :size],
             x[:, :, H - size:, W - size:], x[:, :, t:t + size, l:l + size]]
    if flip:
        views += [v.flip(2) for v in views]
    return torch.stack([torch.softmax(model(v), 1) for v in views]).mean(0)


@buggy(TTA, "corner crops off by one: x[:, :, H-size-1:H-1] for the bottom and right", classes=(0,))
def tta_predict(model, x, *, size, flip=True):  # noqa: F811
    N, C, H, W = x.shape
    t, l = (H - size) // 2, (W - size) // 2
    b, r = max(H - size - 1, 0), max(W - size - 1, 0)
    views = [x[:, :, :size, :size], x[:, :, :size, r:r + size], x[:, :, b:b + size, :size],
             x[:, :, b:b + size, r:r + size], x[:, :, t:t + size, l:l + size]]
    if flip:
        views += [v.flip(3) for v in views]
    return torch.stack([torch.softmax(model(v), 1) for v in views]).mean(0)


@buggy(TTA, "ignores flip=True: five crops only", classes=(7,))
def tta_predict(model, x, *, size, flip=True):  # noqa: F811
    N, C, H, W = x.shape
    t, l = (H - size) // 2, (W - size) // 2
    views = [x[:, :, :size, :size], x[:, :, :size, W - size:], x[:, :, H - size:, :size],
             x[:, :, H - size:, W - size:], x[:, :, t:t + size, l:l + size]]
    return torch.stack([torch.softmax(model(v), 1) for v in views]).mean(0)


@buggy(TTA, "sums the probabilities instead of averaging", classes=(0,))
def tta_predict(model, x, *, size, flip=True):  # noqa: F811
    N, C, H, W = x.shape
    t, l = (H - size) // 2, (W - size) // 2
    views = [x[:, :, :size, :size], x[:, :, :size, W - size:], x[:, :, H - size:, :size],
             x[:, :, H - size:, W - size:], x[:, :, t:t + size, l:l + size]]
    if flip:
        views += [v.flip(3) for v in views]
    return sum(torch.softmax(model(v), 1) for v in views)


@correct(TTA, "one batched call on all views stacked, reshape back, log-softmax exp")
def tta_predict(model, x, *, size, flip=True):  # noqa: F811
    N, C, H, W = x.shape
    offsets = [(0, 0), (0, W - size), (H - size, 0), (H - size, W - size), ((H - size) // 2, (W - size) // 2)]
    crops = torch.stack([x[:, :, a:a + size, b:b + size] for a, b in offsets], dim=1)  # (N, 5, C, s, s)
    if flip:
        crops = torch.cat([crops, torch.flip(crops, dims=[-1])], dim=1)               # (N, 10, C, s, s)
    V = crops.shape[1]
    with torch.no_grad():
        logp = torch.log_softmax(model(crops.reshape(N * V, C, size, size)), dim=1)
    return logp.exp().reshape(N, V, -1).mean(dim=1)


@correct(TTA, "per image, per view, with numpy mirror and running mean")
def tta_predict(model, x, *, size, flip=True):  # noqa: F811
    N, C, H, W = x.shape
    xs = x.detach().numpy()
    rows = []
    for n in range(N):
        total, count = 0.0, 0
        for a, b in [(0, 0), (0, W - size), (H - size, 0), (H - size, W - size), ((H - size) // 2, (W - size) // 2)]:
            crop = xs[n:n + 1, :, a:a + size, b:b + size]
            for v in ([crop, crop[..., ::-1]] if flip else [crop]):
                z = model(torch.tensor(np.ascontiguousarray(v)))
                total = total + torch.softmax(z, dim=1)[0]
                count += 1
        rows.append(total / count)
    return torch.stack(rows)


@buggy('02-preprocessing/tta_predict', "[6] centre offset rounded up: (H - size + 1) // 2")
def tta_predict(model, x, *, size, flip=True):
    N, C, H, W = x.shape
    t, l = (H - size + 1) // 2, (W - size + 1) // 2
    views = [x[..., :size, :size], x[..., :size, W - size:], x[..., H - size:, :size],
             x[..., H - size:, W - size:], x[..., t:t + size, l:l + size]]
    if flip:
        views += [v.flip(-1) for v in views]
    return torch.stack([torch.softmax(model(v), dim=1) for v in views]).mean(dim=0)


@buggy('02-preprocessing/tta_predict', "[9] returns a numpy array")
def tta_predict(model, x, *, size, flip=True):
    N, C, H, W = x.shape
    t, l = (H - size) // 2, (W - size) // 2
    views = [x[..., :size, :size], x[..., :size, W - size:], x[..., H - size:, :size],
             x[..., H - size:, W - size:], x[..., t:t + size, l:l + size]]
    if flip:
        views += [v.flip(-1) for v in views]
    with torch.no_grad():
        probs = [torch.softmax(model(v), dim=1).numpy() for v in views]
    return np.mean(probs, axis=0)


@buggy('02-preprocessing/tta_predict', "[6] mirrors the whole image, then takes its 5 crops (centre differs when W - size is odd)")
def tta_predict(model, x, *, size, flip=True):
    N, C, H, W = x.shape
    t, l = (H - size) // 2, (W - size) // 2

    def five(img):
        return [img[..., :size, :size], img[..., :size, W - size:], img[..., H - size:, :size],
                img[..., H - size:, W - size:], img[..., t:t + size, l:l + size]]
    views = five(x) + (five(x.flip(-1)) if flip else [])
    return torch.stack([torch.softmax(model(v), dim=1) for v in views]).mean(dim=0)


@buggy(TTA, "[8] mirrors the batch in place (x.copy_(x.flip(3))) for the mirrored views: modifies x",
       classes=(8,))
def tta_predict(model, x, *, size, flip=True):  # noqa: F811
    N, C, H, W = x.shape
    top, left = (H - size) // 2, (W - size) // 2
    corners = [(0, 0), (0, W - size), (H - size, 0), (H - size, W - size), (top, left)]
    with torch.no_grad():
        probs = [torch.softmax(model(x[:, :, r:r + size, c:c + size]), dim=1) for r, c in corners]
        if flip:
            x.copy_(torch.flip(x, dims=[3]))                 # the mirrored batch
            # the mirror of the crop at column c is the crop at column W - size - c of the mirror
            probs += [torch.softmax(model(x[:, :, r:r + size, W - size - c:W - c]), dim=1)
                      for r, c in corners]
    return torch.stack(probs).mean(dim=0)


@buggy(TTA, "[2] softmax written by hand as exp(z) / sum exp(z): overflows for logits in the thousands",
       classes=(2,))
def tta_predict(model, x, *, size, flip=True):  # noqa: F811
    N, C, H, W = x.shape
    top, left = (H - size) // 2, (W - size) // 2
    corners = [(0, 0), (0, W - size), (H - size, 0), (H - size, W - size), (top, left)]
    views = [x[:, :, r:r + size, c:c + size] for r, c in corners]
    if flip:
        views += [torch.flip(v, dims=[3]) for v in views]
    probs = []
    with torch.no_grad():
        for v in views:
            e = torch.exp(model(v))
            probs.append(e / e.sum(dim=1, keepdim=True))
    return torch.stack(probs).mean(dim=0)
