"""02-preprocessing/normalize_images: the three image normalisation conventions on (N, C, H, W).

Oracle: torch reductions over the right axes, and ``torch.nn.BatchNorm2d(affine=False, eps~0)``
for the per-channel mean/std of the training batch.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from ..base import Check, Data, expect, expect_close, register
from ..judging import answer_array, answer_dict, answer_field, unchanged
from ..probing import call, raised, student_array
from ..properties import LargeMean

__all__ = ["NormalizeImages", "MODES"]

MODES = ("mean_image", "channel_mean", "channel_mean_std")


def _case(seed: int, n: int, m: int, c: int, h: int, w: int) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    ch_loc = rng.uniform(0.2, 0.8, c)[None, :, None, None]
    ch_scale = rng.uniform(0.05, 0.3, c)[None, :, None, None]
    pattern = rng.uniform(-0.2, 0.2, (1, c, h, w))  # a mean image that is not flat
    X_train = ch_loc + pattern + ch_scale * rng.standard_normal((n, c, h, w))
    X = 1.3 * ch_loc - pattern + 2.0 * ch_scale * rng.standard_normal((m, c, h, w))
    return {"X_train": X_train, "X": X}


def _uint8_case(seed: int, n: int, m: int, c: int, h: int, w: int) -> dict[str, np.ndarray]:
    """Images as a camera or a PNG gives them: integers 0..255 in uint8."""
    rng = np.random.default_rng(seed)
    return {"X_train": rng.integers(0, 256, (n, c, h, w), dtype=np.uint8),
            "X": rng.integers(0, 256, (m, c, h, w), dtype=np.uint8)}


#: modes normalize_images must refuse with a ValueError (hidden)
_BAD_MODES = ("channel_std", "standardize")


def _plan(visible: bool) -> list[tuple[int, int, int, int, int, int]]:
    """(seed, N train, M, C, H, W) per case."""
    return [(20, 20, 4, 3, 5, 7)] if visible else [
        (20, 20, 4, 3, 5, 7), (21, 30, 1, 2, 4, 4), (22, 8, 6, 3, 3, 3), (23, 12, 3, 1, 6, 2), (24, 5, 5, 4, 2, 9)]


@register
class NormalizeImages(Check):
    """each mode against torch reductions over the right axes of `(N, C, H, W)` (with C, H and W
    all different, so that a wrong axis cannot hide), on test images whose statistics differ from
    the training images' (including a single image); the ResNet mode on the training images
    against `torch.nn.BatchNorm2d(affine=False)`, which normalises per channel in exactly this way;
    that the normalised training images have zero mean per pixel (mean image) or per channel; that
    the inputs are not modified; and, hidden, uint8 images (0 to 255), and that another `mode`
    raises `ValueError`."""

    id = "02-preprocessing/normalize_images"
    properties = (LargeMean("X_train", "X"),)

    def cases(self, *, visible: bool) -> list[Data]:
        # every case is answered in each of MODES, the check's own table
        cases = [_case(*row) for row in _plan(visible)]
        if visible:
            return cases
        return cases + [_uint8_case(25, 10, 3, 3, 4, 5)] + [
            {**_case(26, 4, 2, 2, 3, 3), "mode": mode, "raises": True} for mode in _BAD_MODES]

    def answer(self, obj: Any, case: Data) -> Data:
        if case.get("raises"):
            return {"outcome": raised(obj, case["X_train"].copy(), case["X"].copy(), mode=case["mode"])}
        out = {}
        for mode in MODES:
            X_train, X = case["X_train"].copy(), case["X"].copy()
            got = call(self, obj, X_train, X, mode=mode, what=f"normalize_images(X_train, X, mode={mode!r})")
            test = student_array(self, got, f"normalize_images(..., mode={mode!r})", X.shape,
                                 hint="the output has the shape of X, (M, C, H, W)")
            got = call(self, obj, X_train, X_train.copy(), mode=mode,
                       what=f"normalize_images(X_train, X_train, mode={mode!r})")
            train = student_array(self, got, f"normalize_images(X_train, X_train, mode={mode!r})", X_train.shape)
            # the caller's arrays after both calls, compared with the inputs by the judge
            out[mode] = {"X": test, "X_train": train, "X_train_after": X_train, "X_after": X}
        return out

    def judge_case(self, case: Data, answer: Any) -> int:
        if case.get("raises"):
            outcome = answer_field(self, answer, "outcome", "the outcome of a call that must raise")
            expect(self, isinstance(outcome, str) and outcome == "ValueError",
                   f"normalize_images(X_train, X, mode={case['mode']!r}) must raise ValueError: the modes are "
                   + ", ".join(map(repr, MODES)), expected="ValueError",
                   actual=outcome if isinstance(outcome, str) else repr(outcome)[:100],
                   hint="raise ValueError for any other mode, instead of falling through to one of the three")
            return 1
        Xt, X = (torch.tensor(case[k], dtype=torch.float64) for k in ("X_train", "X"))
        where = (f"(X_train {tuple(Xt.shape)}, X {tuple(X.shape)}, layout (N, C, H, W)"
                 + (", uint8 images: compute in float" if case["X"].dtype == np.uint8 else "") + ")")
        refs = {
            "mean_image": (X - Xt.mean(dim=0, keepdim=True),
                           "subtract the mean IMAGE of the training set: mean over axis 0 only, shape (1, C, H, W)"),
            "channel_mean": (X - Xt.mean(dim=(0, 2, 3), keepdim=True),
                             "subtract one mean per channel: average over axes (0, 2, 3), shape (1, C, 1, 1)"),
            "channel_mean_std": ((X - Xt.mean(dim=(0, 2, 3), keepdim=True))
                                 / Xt.std(dim=(0, 2, 3), keepdim=True, correction=0),
                                 "one mean and one std per channel over axes (0, 2, 3) of the TRAINING images "
                                 "(population std, ddof=0), shape (1, C, 1, 1)"),
        }
        train = {}
        for mode, (ref, hint) in refs.items():
            got = answer_dict(self, answer, mode, f"the answers of mode={mode!r}")
            test = answer_array(self, got, "X", case["X"].shape, f"normalize_images(..., mode={mode!r})")
            train[mode] = answer_array(self, got, "X_train", case["X_train"].shape,
                                       f"normalize_images(X_train, X_train, mode={mode!r})")
            same = (unchanged(self, got, "X_train_after", case["X_train"], "X_train after the calls")
                    & unchanged(self, got, "X_after", case["X"], "X after the calls"))
            expect(self, same, f"the inputs must not be modified (mode={mode!r})",
                   expected="X_train and X unchanged", actual="changed", hint="do not use -= or /= on the inputs")
            expect_close(self, test, ref.numpy(), f"normalize_images(X_train, X, mode={mode!r}) {where}",
                         rtol=1e-6, atol=1e-9, hint=hint + "; the statistics come from X_train, never from X")
        bn = torch.nn.BatchNorm2d(Xt.shape[1], affine=False, eps=1e-14, track_running_stats=False).double()
        expect_close(self, train["channel_mean_std"], bn(Xt).detach().numpy(),
                     f"mode='channel_mean_std' on the training images must match BatchNorm2d(affine=False, eps~0) {where}",
                     rtol=1e-6, atol=1e-9, hint="per channel: mean and population std over (N, H, W)")
        expect_close(self, train["mean_image"].mean(axis=0), np.zeros(Xt.shape[1:]),
                     f"mode='mean_image': the training images minus their mean image average to 0 at every pixel {where}",
                     rtol=0, atol=1e-9, hint="mean over axis 0 only")
        expect_close(self, train["channel_mean"].mean(axis=(0, 2, 3)), np.zeros(Xt.shape[1]),
                     f"mode='channel_mean': each channel of the normalised training images has mean 0 {where}",
                     rtol=0, atol=1e-9, hint="mean over axes (0, 2, 3)")
        return 2 * len(MODES) + 3
