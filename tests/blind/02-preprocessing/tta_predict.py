import math, random
import numpy as np
import torch
from tests.variants import buggy, correct

ID = "02-preprocessing/tta_predict"


def _views_std(x, size):
    N, C, H, W = x.shape
    t, l = (H - size) // 2, (W - size) // 2
    return [x[..., :size, :size], x[..., :size, W - size:], x[..., H - size:, :size],
            x[..., H - size:, W - size:], x[..., t:t + size, l:l + size]]


@buggy(ID, "[other] averages logits, then softmax")
def tta_predict(model, x, *, size, flip=True):
    N, C, H, W = x.shape
    t, l = (H - size) // 2, (W - size) // 2
    views = [x[..., :size, :size], x[..., :size, W - size:], x[..., H - size:, :size],
             x[..., H - size:, W - size:], x[..., t:t + size, l:l + size]]
    if flip:
        views += [v.flip(-1) for v in views]
    logits = torch.stack([model(v) for v in views]).mean(dim=0)
    return torch.softmax(logits, dim=1)




@buggy(ID, "[6] uses H for the column offsets (non-square images)")
def tta_predict(model, x, *, size, flip=True):
    H = x.shape[2]
    e, c = H - size, (H - size) // 2
    views = [x[..., :size, :size], x[..., :size, e:e + size], x[..., e:e + size, :size],
             x[..., e:e + size, e:e + size], x[..., c:c + size, c:c + size]]
    if flip:
        views += [v.flip(-1) for v in views]
    return torch.stack([torch.softmax(model(v), dim=1) for v in views]).mean(dim=0)


@buggy(ID, "[6] mirrors up-down (dim 2)")
def tta_predict(model, x, *, size, flip=True):
    N, C, H, W = x.shape
    t, l = (H - size) // 2, (W - size) // 2
    views = [x[..., :size, :size], x[..., :size, W - size:], x[..., H - size:, :size],
             x[..., H - size:, W - size:], x[..., t:t + size, l:l + size]]
    if flip:
        views += [v.flip(2) for v in views]
    return torch.stack([torch.softmax(model(v), dim=1) for v in views]).mean(dim=0)


@buggy(ID, "[7] flip flag ignored: always 10 views")
def tta_predict(model, x, *, size, flip=True):
    N, C, H, W = x.shape
    t, l = (H - size) // 2, (W - size) // 2
    views = [x[..., :size, :size], x[..., :size, W - size:], x[..., H - size:, :size],
             x[..., H - size:, W - size:], x[..., t:t + size, l:l + size]]
    views += [v.flip(-1) for v in views]
    return torch.stack([torch.softmax(model(v), dim=1) for v in views]).mean(dim=0)


@buggy(ID, "[6] softmax over dim 0 (the batch)")
def tta_predict(model, x, *, size, flip=True):
    N, C, H, W = x.shape
    t, l = (H - size) // 2, (W - size) // 2
    views = [x[..., :size, :size], x[..., :size, W - size:], x[..., H - size:, :size],
             x[..., H - size:, W - size:], x[..., t:t + size, l:l + size]]
    if flip:
        views += [v.flip(-1) for v in views]
    return torch.stack([torch.softmax(model(v), dim=0) for v in views]).mean(dim=0)






@buggy(ID, "[other] numpy-style v[..., ::-1] for the mirror (torch raises ValueError)")
def tta_predict(model, x, *, size, flip=True):
    N, C, H, W = x.shape
    t, l = (H - size) // 2, (W - size) // 2
    views = [x[..., :size, :size], x[..., :size, W - size:], x[..., H - size:, :size],
             x[..., H - size:, W - size:], x[..., t:t + size, l:l + size]]
    if flip:
        views += [v[..., ::-1] for v in views]
    return torch.stack([torch.softmax(model(v), dim=1) for v in views]).mean(dim=0)


@buggy(ID, "[7] 5 crops + only the mirrored centre (6 views, AlexNet misremembered)")
def tta_predict(model, x, *, size, flip=True):
    N, C, H, W = x.shape
    t, l = (H - size) // 2, (W - size) // 2
    views = [x[..., :size, :size], x[..., :size, W - size:], x[..., H - size:, :size],
             x[..., H - size:, W - size:], x[..., t:t + size, l:l + size]]
    if flip:
        views.append(views[-1].flip(-1))
    return torch.stack([torch.softmax(model(v), dim=1) for v in views]).mean(dim=0)


@correct(ID, "one batched forward pass over torch.cat of the views, log_softmax().exp()")
def tta_predict(model, x, *, size, flip=True):
    N, C, H, W = x.shape
    tops = [0, 0, H - size, H - size, (H - size) // 2]
    lefts = [0, W - size, 0, W - size, (W - size) // 2]
    views = [x[:, :, a:a + size, b:b + size] for a, b in zip(tops, lefts)]
    if flip:
        views = views + [torch.flip(v, dims=[3]) for v in views]
    V = len(views)
    probs = torch.log_softmax(model(torch.cat(views, dim=0)), dim=1).exp()   # (V*N, K)
    return probs.reshape(V, N, -1).mean(dim=0)


@correct(ID, "running sum over views with torch.no_grad, divided by the count")
def tta_predict(model, x, *, size, flip=True):
    H, W = x.shape[-2:]
    total, count = None, 0
    with torch.no_grad():
        for top, left in ((0, 0), (0, W - size), (H - size, 0), (H - size, W - size),
                          ((H - size) // 2, (W - size) // 2)):
            crop = x[:, :, top:top + size, left:left + size]
            for v in ([crop, crop.flip(-1)] if flip else [crop]):
                p = torch.nn.functional.softmax(model(v), dim=-1)
                total = p if total is None else total + p
                count += 1
    return total / count
