"""Checks for 02-preprocessing: standardisation, whitening, image normalisation, augmentation, TTA.

Every probe calls the student's code on inputs built here from fixed seeds and returns plain
data; every judge compares that data with an oracle that shares no code with a solution:

* ``fit_standardizer``: scikit-learn's ``StandardScaler`` fitted on the training split only; the
  probe feeds train and test sets with very different statistics, so statistics taken from
  the test set (or from train + test together) are caught and named.
* ``fit_whitening``: the covariance from ``np.cov(bias=True)``; whitened covariance = I;
  PCA columns are eigenvectors in decreasing order of eigenvalue (checked sign-free through
  ``C W = W diag(lambda)`` and ``W W^T = (C + eps I)^{-1}``); ZCA is symmetric, equals
  ``scipy.linalg.fractional_matrix_power(C + eps I, -1/2)`` and is the whitening closest to the input.
* ``normalize_images``: torch reductions over the right axes of (N, C, H, W), and
  ``torch.nn.BatchNorm2d(affine=False, eps=0)`` for the per-channel mean/std of the training batch.
* ``random_crop_flip``: every output is located as a window of the zero-padded input (or its
  mirror image); exact binomial bands for the count of every offset (equally likely) and for
  the flip frequency, flipping twice gives the input back.
* ``pca_color_augment``: the added offset is constant over the pixels of each image, lies in
  the span of the eigenvectors with non-zero eigenvalue, and, mapped back to alpha, is
  N(0, sigma^2 I): chi-square tests of the variances, normal tests of the means, a Chernoff
  bound (exact moment generating function) for the correlations.
* ``cutmix``: pixels encode (image, channel, row, column), so the judge counts exactly which
  pixels came from which image; the label weight must equal the pasted area. Box sizes,
  positions and partners must vary, with thresholds computed from the exact law of the box for
  every usual way of drawing it (``_cutmix_bounds``).
* ``tta_predict``: a grader-owned linear model records the views it is called on; the judge
  compares them with the ten crops and the output with the mean of the softmaxes.

Nothing depends on one random stream: answers may use the ``rng`` passed in, ``np.random``,
``random`` or ``torch``. Statistical tests reject a correct answer with probability below
``P_FALSE_REJECT``, visible and hidden alike: their thresholds come from exact distributions or
provable tail bounds, split between the properties of a check by the union bound, and a property
whose bound does not fit its share (too few calls) is not checked. When autograding, a judge may
get forged data: it validates every answer it reads (type, shape from the inputs, presence) and
compares the inputs kept after each call itself, instead of trusting a flag from the kernel.
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np
import scipy.linalg
import scipy.optimize
import torch
from scipy import stats

from .base import (
    P_FALSE_REJECT,
    Check,
    Data,
    as_float_array,
    expect,
    expect_close,
    expect_not_none,
    expect_shape,
    register,
)
from .base import binomial_band
from .base import data_array as _answer
from .base import data_field as _field
from .base import kind_of as _kind_of
from .base import malformed as _malformed
from .base import unmodified_after as _unmodified

__all__ = [
    "FitStandardizer",
    "FitWhitening",
    "NormalizeImages",
    "RandomCropFlip",
    "PcaColorAugment",
    "Cutmix",
    "TtaPredict",
]

def _array(check: Check, value: Any, what: str, shape: tuple[int, ...] | None = None, hint: str = "") -> np.ndarray:
    """The student's value as float64, with an optional exact shape requirement."""
    expect_not_none(check, value, what)
    a = as_float_array(check, value, what)
    if shape is not None:
        expect_shape(check, a, shape, what, hint=hint)
    return a


# ---------------------------------------------------------------------------------------
# Reading answers in a judge. When autograding, the probe runs in the student's kernel, so a
# judge may receive forged data: the grader's inputs are bound (Check.inputs), the answers are
# not. Every answer a judge reads goes through these helpers first, with its type and shape
# derived from the inputs, so that nothing the probe validated in the kernel is taken on trust.
# ---------------------------------------------------------------------------------------

def _answer_list(check: Check, record: Any, key: str, length: int) -> list:
    """``record[key]``: a list (or tuple) of exactly ``length`` items, one per case or call of the inputs."""
    value = _field(check, record, key)
    if not isinstance(value, (list, tuple)) or len(value) != length:
        raise _malformed(check, f"the answer {key!r} is not a list of {length} items",
                         expected=f"{length} items", actual=_kind_of(value) + (
                             f" of {len(value)} items" if isinstance(value, (list, tuple)) else ""))
    return list(value)


# ---------------------------------------------------------------------------------------
# 1. fit_standardizer: fit on train, apply anywhere
# ---------------------------------------------------------------------------------------

def _std_case(seed: int, n_train: int, n_test: int, d: int, *, constant: bool = False) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    loc = rng.uniform(-5, 5, d)
    scale = rng.uniform(0.2, 4.0, d)
    X_train = loc + scale * rng.standard_normal((n_train, d))
    # the test split is shifted by about 2 standard deviations and has a different spread,
    # so statistics taken from it give visibly different answers
    X_test = loc + 2.0 * scale + 0.5 * scale * rng.standard_normal((n_test, d))
    X_train2 = -loc + 0.3 * scale * rng.standard_normal((n_train + 3, d))
    if constant:
        X_train[:, 0] = 3.0
        X_train2[:, 0] = -1.0
    return {"X_train": X_train, "X_test": X_test, "X_train2": X_train2}


def _std_plan(visible: bool) -> list[tuple[int, int, int, int, bool]]:
    """(seed, n_train, n_test, D, constant first feature) per case."""
    return [(1, 40, 15, 3, False)] if visible else [
        (1, 40, 15, 3, False), (2, 200, 50, 6, False), (3, 30, 7, 4, True), (4, 5, 9, 1, False)]


@register
class FitStandardizer(Check):
    id = "02-preprocessing/fit_standardizer"

    def inputs(self, *, visible: bool = False) -> Data:
        return {"cases": [{**_std_case(seed, n_train, n_test, d, constant=constant), "constant": constant}
                          for seed, n_train, n_test, d, constant in _std_plan(visible)]}

    def probe(self, obj: Any, *, visible: bool = False) -> Data:
        cases = []
        for seed, n_train, n_test, d, constant in _std_plan(visible):
            data = _std_case(seed, n_train, n_test, d, constant=constant)
            X_train, X_test, X_train2 = (data[k].copy() for k in ("X_train", "X_test", "X_train2"))
            transform = obj(X_train)
            if not callable(transform):
                raise self.fail("fit_standardizer(X_train) must return a function transform(X)",
                                expected="a callable", actual=type(transform).__name__,
                                hint="define `def transform(X): ...` inside fit_standardizer and `return transform`")
            Z_test = _array(self, transform(X_test), "transform(X_test)", X_test.shape,
                            hint="transform returns an array shaped like its input, (M, D)")
            Z_train = _array(self, transform(X_train), "transform(X_train)", X_train.shape)
            Z_one = _array(self, transform(X_test[:1].copy()), "transform(X_test[:1])", (1, d),
                           hint="a single row (1, D) must work too")
            transform2 = obj(X_train2)
            Z_test2 = _array(self, transform2(X_test), "the transform of a second fit, applied to X_test", X_test.shape)
            Z_again = _array(self, transform(X_test), "the first transform, applied again after a second fit",
                             X_test.shape)
            cases.append({**data, "Z_test": Z_test, "Z_train": Z_train, "Z_one": Z_one, "Z_test2": Z_test2,
                          "Z_again": Z_again, "constant": constant,
                          "X_train_after": X_train, "X_test_after": X_test})
        return {"cases": cases}

    def judge(self, data: Data) -> int:
        from sklearn.preprocessing import StandardScaler

        n = 0
        for case in data["cases"]:
            X_train, X_test, X_train2 = case["X_train"], case["X_test"], case["X_train2"]
            where = f"(train {X_train.shape}, test {X_test.shape})"
            # the answers, with the shapes the probe required of them
            for key, shape in (("Z_test", X_test.shape), ("Z_train", X_train.shape), ("Z_one", (1, X_test.shape[1])),
                               ("Z_test2", X_test.shape), ("Z_again", X_test.shape)):
                _answer(self, case, key, shape)
            for name in ("X_train", "X_test"):
                expect(self, _unmodified(self, case[name], case, f"{name}_after"), f"{name} must not be modified {where}",
                       expected=case[name], actual=case[f"{name}_after"],
                       hint="`X -= mean` writes into the caller's array; compute (X - mean) / std into a new one")
            ref = StandardScaler().fit(X_train)
            expect_close(self, case["Z_train"], ref.transform(X_train),
                         f"transform(X_train) must standardise the training data: every feature mean 0, std 1 {where}",
                         rtol=1e-6, atol=1e-6,
                         hint="mean and std per feature (axis=0); std is the population std (np.std, ddof=0); "
                              "a constant feature (std 0) is divided by 1")
            want = ref.transform(X_test)
            got = case["Z_test"]
            if not np.allclose(got, want, rtol=1e-6, atol=1e-6):
                both = StandardScaler().fit(np.concatenate([X_train, X_test]))
                if np.allclose(got, StandardScaler().fit(X_test).transform(X_test), rtol=1e-6, atol=1e-6):
                    hint = ("your transform re-estimates mean and std on the data it is given (the test set): "
                            "that leaks test statistics and changes the meaning of every feature; use the "
                            "statistics computed from X_train")
                elif np.allclose(got, both.transform(X_test), rtol=1e-6, atol=1e-6):
                    hint = "these are statistics of train + test together; only X_train may be used"
                else:
                    hint = "transform must use exactly the mean and std of X_train"
                expect_close(self, got, want,
                             f"transform(X_test) must use the TRAINING statistics (test data has other ones) {where}",
                             rtol=1e-6, atol=1e-6, hint=hint)
            expect_close(self, case["Z_one"], want[:1],
                         f"transform of a single row must use the training statistics {where}",
                         rtol=1e-6, atol=1e-6, hint="do not compute anything from the rows given to transform")
            expect_close(self, case["Z_test2"], StandardScaler().fit(X_train2).transform(X_test),
                         f"a second fit_standardizer(X_train2) must use X_train2 only {where}",
                         rtol=1e-6, atol=1e-6, hint="keep no state outside the function (no globals)")
            expect_close(self, case["Z_again"], want,
                         f"the first transform must be unchanged by a later fit {where}",
                         rtol=1e-6, atol=1e-6, hint="store the statistics in the closure, not in global variables")
            n += 7
            if case["constant"]:
                expect(self, bool(np.all(np.isfinite(case["Z_train"]))) and np.allclose(case["Z_train"][:, 0], 0.0),
                       "a constant training feature (std 0) must map to 0, not inf or nan",
                       expected="zeros in column 0", actual=case["Z_train"][:, 0],
                       hint="replace a std of 0 by 1 before dividing, as scikit-learn does")
                n += 1
        return n


# ---------------------------------------------------------------------------------------
# 2. PCA / ZCA whitening
# ---------------------------------------------------------------------------------------

def _white_data(seed: int, n: int, d: int, cond: float) -> np.ndarray:
    rng = np.random.default_rng(seed)
    Q, _ = np.linalg.qr(rng.standard_normal((d, d)))
    scales = np.sqrt(np.geomspace(1.0, cond, d))[rng.permutation(d)]
    return rng.uniform(-3, 3, d) + (rng.standard_normal((n, d)) * scales) @ Q.T


def _cov(X: np.ndarray) -> np.ndarray:
    return np.atleast_2d(np.cov(X, rowvar=False, bias=True))


def _white_plan(visible: bool) -> list[tuple[int, int, int, float, str, float]]:
    """(seed, N, D, condition number, method, eps) per case."""
    plan = [(10, 300, 2, 20.0, "pca", 0.0), (10, 300, 2, 20.0, "zca", 0.0)]
    if not visible:
        plan += [(11, 100, 3, 100.0, "pca", 0.0), (11, 100, 3, 100.0, "zca", 0.0),
                 (12, 80, 5, 1e3, "pca", 0.1), (12, 80, 5, 1e3, "zca", 0.1),
                 (13, 50, 4, 10.0, "zca", 0.0), (14, 400, 1, 1.0, "pca", 0.0)]
    return plan


@register
class FitWhitening(Check):
    id = "02-preprocessing/fit_whitening"

    def inputs(self, *, visible: bool = False) -> Data:
        return {"cases": [{"X": _white_data(seed, n, d, cond), "method": method, "eps": eps}
                          for seed, n, d, cond, method, eps in _white_plan(visible)]}

    def probe(self, obj: Any, *, visible: bool = False) -> Data:
        cases = []
        for seed, n, d, cond, method, eps in _white_plan(visible):
            X = _white_data(seed, n, d, cond)
            X_in = X.copy()
            out = obj(X_in, method=method, eps=eps)
            if not isinstance(out, (tuple, list)) or len(out) != 2:
                raise self.fail("fit_whitening must return a pair (mean, W)", expected="(array (D,), array (D, D))",
                                actual=type(out).__name__, hint="end with `return mean, W`")
            mean = _array(self, out[0], "mean", (d,), hint="the mean over the N examples, one per feature: (D,)")
            W = _array(self, out[1], "W", (d, d), hint="W is (D, D): whitened = (X - mean) @ W")
            cases.append({"X": X, "X_after": X_in, "method": method, "eps": eps, "mean": mean, "W": W})
        return {"cases": cases}

    def judge(self, data: Data) -> int:
        n = 0
        for case in data["cases"]:
            X, eps, method = case["X"], case["eps"], case["method"]
            d = X.shape[1]
            mean, W = _answer(self, case, "mean", (d,)), _answer(self, case, "W", (d, d))
            where = f"(method={method!r}, eps={eps:g}, X of shape {X.shape})"
            expect(self, _unmodified(self, X, case, "X_after"), f"X must not be modified {where}",
                   expected=X, actual=case["X_after"], hint="centre into a new array, not with X -= mean")
            expect_close(self, mean, X.mean(axis=0), f"mean = the mean of each feature over the examples {where}",
                         rtol=1e-9, atol=1e-9, hint="np.mean(X, axis=0)")
            C = _cov(X)
            lam, U = np.linalg.eigh(C)
            lam = lam[::-1]
            scale = 1.0 / (lam[-1] + eps)  # largest entry of W W^T
            Xw = (X - X.mean(axis=0)) @ W
            Cw = _cov(Xw)
            if eps == 0:
                expect_close(self, Cw, np.eye(d),
                             f"the whitened training data (X - mean) @ W must have identity covariance {where}",
                             rtol=0, atol=1e-6,
                             hint="C = Xc.T @ Xc / N (divide by N, not N - 1; centre first); "
                                  "scale the eigenvectors by 1 / sqrt(eigenvalue)")
            expect_close(self, W @ W.T, np.linalg.inv(C + eps * np.eye(d)),
                         f"W W^T must equal (C + eps I)^(-1), i.e. W = U diag(1/sqrt(lambda + eps)) [U^T] {where}",
                         rtol=1e-6, atol=1e-8 * scale,
                         hint="eps is added to each eigenvalue under the square root; use the covariance "
                              "with 1/N; W's columns (not rows) are the scaled eigenvectors")
            n += 4
            if method == "zca":
                expect_close(self, W, W.T, f"the ZCA matrix must be symmetric {where}", rtol=1e-8, atol=1e-10 * scale,
                             hint="ZCA = U diag(1/sqrt(lambda + eps)) U^T: rotate back with U^T after scaling")
                ref = np.real(scipy.linalg.fractional_matrix_power(C + eps * np.eye(d), -0.5))
                expect_close(self, W, ref, f"the ZCA matrix must be (C + eps I)^(-1/2) {where}",
                             rtol=1e-6, atol=1e-8 * np.sqrt(scale),
                             hint="the symmetric inverse square root of the covariance")
                n += 2
                if eps == 0:
                    # among all whitening matrices W_zca Q (Q orthogonal), ZCA keeps the data closest to itself
                    Xc = X - X.mean(axis=0)
                    dist = float(np.mean(np.sum((Xc @ W - Xc) ** 2, axis=1)))
                    rng = np.random.default_rng(0)
                    others = []
                    for _ in range(20):
                        Q, _ = np.linalg.qr(rng.standard_normal((d, d)))
                        others.append(float(np.mean(np.sum((Xc @ ref @ Q - Xc) ** 2, axis=1))))
                    expect(self, dist <= min(others) + 1e-8 * (1 + dist),
                           f"ZCA must be the whitening closest to the input (mean squared distance) {where}",
                           expected=f"<= {min(others):.6g} (the best of 20 rotated whitenings)", actual=dist)
                    n += 1
            else:
                # each column is an eigenvector, in decreasing order of eigenvalue (sign free)
                ok = np.allclose(C @ W, W * lam, rtol=1e-6, atol=1e-8 * np.sqrt(scale) * lam[0])
                if not ok and np.allclose(C @ W, W * lam[::-1], rtol=1e-6, atol=1e-8 * np.sqrt(scale) * lam[0]):
                    hint = "np.linalg.eigh returns eigenvalues in INCREASING order: reverse them (and the columns)"
                else:
                    hint = "column k of W is the k-th eigenvector u_k of C divided by sqrt(lambda_k + eps)"
                expect(self, ok, f"PCA: column k of W must be the k-th principal direction (C w_k = lambda_k w_k, "
                                 f"lambda_1 >= lambda_2 >= ...) {where}",
                       expected=f"eigenvalues in this order: {lam}",
                       actual=f"C W / W per column: {np.sum(C @ W * W, axis=0) / np.maximum(np.sum(W * W, axis=0), 1e-300)}",
                       hint=hint)
                expect_close(self, Cw, np.diag(lam / (lam + eps)),
                             f"PCA-whitened data must be decorrelated with variances lambda / (lambda + eps) {where}",
                             rtol=1e-6, atol=1e-8, hint="project on the eigenvectors, then divide by sqrt(lambda + eps)")
                n += 2
        return n


# ---------------------------------------------------------------------------------------
# 3. Image normalisation conventions on (N, C, H, W)
# ---------------------------------------------------------------------------------------

MODES = ("mean_image", "channel_mean", "channel_mean_std")


def _img_case(seed: int, n: int, m: int, c: int, h: int, w: int) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    ch_loc = rng.uniform(0.2, 0.8, c)[None, :, None, None]
    ch_scale = rng.uniform(0.05, 0.3, c)[None, :, None, None]
    pattern = rng.uniform(-0.2, 0.2, (1, c, h, w))  # a mean image that is not flat
    X_train = ch_loc + pattern + ch_scale * rng.standard_normal((n, c, h, w))
    X = 1.3 * ch_loc - pattern + 2.0 * ch_scale * rng.standard_normal((m, c, h, w))
    return {"X_train": X_train, "X": X}


def _img_plan(visible: bool) -> list[tuple[int, int, int, int, int, int]]:
    """(seed, N train, M, C, H, W) per case."""
    return [(20, 20, 4, 3, 5, 7)] if visible else [
        (20, 20, 4, 3, 5, 7), (21, 30, 1, 2, 4, 4), (22, 8, 6, 3, 3, 3), (23, 12, 3, 1, 6, 2), (24, 5, 5, 4, 2, 9)]


@register
class NormalizeImages(Check):
    id = "02-preprocessing/normalize_images"

    def inputs(self, *, visible: bool = False) -> Data:
        # the modes are fixed keys of each case (MODES), read by the judge from its own table
        return {"cases": [_img_case(*row) for row in _img_plan(visible)]}

    def probe(self, obj: Any, *, visible: bool = False) -> Data:
        cases = []
        for seed, n, m, c, h, w in _img_plan(visible):
            data = _img_case(seed, n, m, c, h, w)
            out = {}
            for mode in MODES:
                X_train, X = data["X_train"].copy(), data["X"].copy()
                out[mode] = _array(self, obj(X_train, X, mode=mode), f"normalize_images(..., mode={mode!r})", X.shape,
                                   hint="the output has the shape of X, (M, C, H, W)")
                out[mode + "_train"] = _array(self, obj(X_train, X_train.copy(), mode=mode),
                                              f"normalize_images(X_train, X_train, mode={mode!r})", X_train.shape)
                # the caller's arrays after both calls, compared with the inputs by the judge
                out[mode + "_X_train_after"], out[mode + "_X_after"] = X_train, X
            cases.append({**data, **out})
        return {"cases": cases}

    def judge(self, data: Data) -> int:
        n = 0
        for case in data["cases"]:
            for mode in MODES:  # the answers, with the shapes the probe required of them
                _answer(self, case, mode, case["X"].shape)
                _answer(self, case, mode + "_train", case["X_train"].shape)
            Xt, X = torch.tensor(case["X_train"]), torch.tensor(case["X"])
            where = f"(X_train {tuple(Xt.shape)}, X {tuple(X.shape)}, layout (N, C, H, W))"
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
            for mode, (ref, hint) in refs.items():
                unmodified = (_unmodified(self, case["X_train"], case, mode + "_X_train_after")
                              & _unmodified(self, case["X"], case, mode + "_X_after"))
                expect(self, unmodified, f"the inputs must not be modified (mode={mode!r})",
                       expected="X_train and X unchanged", actual="changed", hint="do not use -= or /= on the inputs")
                expect_close(self, case[mode], ref.numpy(), f"normalize_images(X_train, X, mode={mode!r}) {where}",
                             rtol=1e-6, atol=1e-9, hint=hint + "; the statistics come from X_train, never from X")
                n += 2
            bn = torch.nn.BatchNorm2d(Xt.shape[1], affine=False, eps=1e-14, track_running_stats=False).double()
            expect_close(self, case["channel_mean_std_train"], bn(Xt).detach().numpy(),
                         f"mode='channel_mean_std' on the training images must match BatchNorm2d(affine=False, eps~0) {where}",
                         rtol=1e-6, atol=1e-9, hint="per channel: mean and population std over (N, H, W)")
            expect_close(self, case["mean_image_train"].mean(axis=0), np.zeros(Xt.shape[1:]),
                         f"mode='mean_image': the training images minus their mean image average to 0 at every pixel {where}",
                         rtol=0, atol=1e-9, hint="mean over axis 0 only")
            expect_close(self, case["channel_mean_train"].mean(axis=(0, 2, 3)), np.zeros(Xt.shape[1]),
                         f"mode='channel_mean': each channel of the normalised training images has mean 0 {where}",
                         rtol=0, atol=1e-9, hint="mean over axes (0, 2, 3)")
            n += 3
        return n


# ---------------------------------------------------------------------------------------
# 4. Random crop with padding and horizontal flip
# ---------------------------------------------------------------------------------------

def _crop_input(seed: int, n: int, c: int, h: int, w: int) -> np.ndarray:
    # distinct values in [1, 2): every window of the zero-padded image is unique
    return np.random.default_rng(seed).uniform(1.0, 2.0, (n, c, h, w))


def _crop_calls(visible: bool) -> list[tuple[np.ndarray, int, int, float, list[int]]]:
    """(x, size, padding, p, seed of the rng passed in) for every call."""
    # (input seed, N, C, H, W, size, padding, p, number of calls)
    plan = [(30, 100, 2, 5, 6, 6, 2, 0.3, 6)] if visible else [
        (30, 100, 2, 5, 6, 6, 2, 0.3, 20),
        (31, 60, 1, 4, 4, 3, 1, 0.5, 10),
        (32, 10, 3, 4, 4, 4, 0, 0.0, 2),
        (33, 7, 2, 6, 5, 3, 0, 1.0, 2),
    ]
    return [(_crop_input(seed + 1000 * k, n, c, h, w), size, padding, p, [seed, k])
            for seed, n, c, h, w, size, padding, p, n_calls in plan for k in range(n_calls)]


def _involution_input() -> np.ndarray:
    return _crop_input(34, 5, 3, 4, 4)


@register
class RandomCropFlip(Check):
    id = "02-preprocessing/random_crop_flip"
    #: Correct answers may draw from global random state (tests re-run them under several seeds).
    randomized = True

    def inputs(self, *, visible: bool = False) -> Data:
        # the rng seeds are not in the data (any random stream is accepted)
        return {"calls": [{"x": x, "size": size, "padding": padding, "p": p}
                          for x, size, padding, p, _ in _crop_calls(visible)],
                "involution": {"x": _involution_input()}}

    def probe(self, obj: Any, *, visible: bool = False) -> Data:
        calls = []
        for x, size, padding, p, rng_seed in _crop_calls(visible):
            n, c = x.shape[:2]
            x_in = x.copy()
            y = _array(self, obj(x_in, size=size, padding=padding, p=p, rng=np.random.default_rng(rng_seed)),
                       f"random_crop_flip(x, size={size}, padding={padding}, p={p})", (n, c, size, size),
                       hint="the output is a batch of size x size crops: (N, C, size, size)")
            calls.append({"x": x, "x_after": x_in, "y": y, "size": size, "padding": padding, "p": p})
        # flipping is an involution: with p = 1 and no cropping, applying twice gives the input back
        x = _involution_input()
        once = _array(self, obj(x.copy(), size=4, padding=0, p=1.0, rng=np.random.default_rng(1)),
                      "random_crop_flip(x, size=H, padding=0, p=1)", x.shape)
        twice = _array(self, obj(once.copy(), size=4, padding=0, p=1.0, rng=np.random.default_rng(2)),
                       "random_crop_flip applied twice", x.shape)
        return {"calls": calls, "involution": {"x": x, "once": once, "twice": twice}}

    def _locate(self, call: Data) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """(row offset, column offset, flipped, found) per image; -1 where no window matches."""
        x, y, s, pad = call["x"], call["y"], call["size"], call["padding"]
        P = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
        win = np.lib.stride_tricks.sliding_window_view(P, (s, s), axis=(2, 3))  # (N, C, R, Q, s, s)
        tol = 1e-6
        d_plain = np.abs(win - y[:, :, None, None]).max(axis=(1, 4, 5))              # (N, R, Q)
        d_flip = np.abs(win - y[:, :, None, None, :, ::-1]).max(axis=(1, 4, 5))
        n, R, Q = d_plain.shape
        flat_p, flat_f = d_plain.reshape(n, -1), d_flip.reshape(n, -1)
        ip, iff = flat_p.argmin(axis=1), flat_f.argmin(axis=1)
        hit_p = flat_p[np.arange(n), ip] <= tol
        hit_f = flat_f[np.arange(n), iff] <= tol
        flipped = ~hit_p & hit_f
        idx = np.where(hit_p, ip, iff)
        found = hit_p | hit_f
        return np.where(found, idx // Q, -1), np.where(found, idx % Q, -1), flipped, found

    def judge(self, data: Data) -> int:
        """Statistics per group of calls with the same options. A correct answer fails them with
        probability at most P_FALSE_REJECT / 3 per group and property (union bound): the flip count
        and the count of every offset lie in exact binomial bands, and a batch of B images all with
        one offset has probability (R Q)^-(B - 1), checked only where that is below the share."""
        n_props = 0
        groups: dict[tuple, list] = {}
        for call in data["calls"]:
            x, size = call["x"], call["size"]
            key = (x.shape[1:], size, call["padding"], call["p"])
            where = f"(x {x.shape}, size={size}, padding={call['padding']}, p={call['p']})"
            _answer(self, call, "y", (*x.shape[:2], size, size))
            expect(self, _unmodified(self, x, call, "x_after"), f"x must not be modified {where}",
                   expected=x, actual=call["x_after"], hint="build the output in a new array")
            rows, cols, flipped, found = self._locate(call)
            if not found.all():
                i = int(np.argmin(found))
                x, y = call["x"][i], call["y"][i]
                vflip = any(np.allclose(y[:, ::-1], x[:, a:a + y.shape[1], b:b + y.shape[2]])
                            for a in range(x.shape[1] - y.shape[1] + 1) for b in range(x.shape[2] - y.shape[2] + 1))
                hint = ("this is an UPSIDE-DOWN flip: flip the last axis (width), not the height"
                        if vflip else "pad every side with `padding` zeros (np.pad), then take y = padded[:, i:i+size, "
                                      "j:j+size] unchanged or mirrored left-right; crop each image separately")
                raise self.fail(f"every output must be a size x size window of the zero-padded image, "
                                f"possibly mirrored left-right {where}", expected="a window of the padded input",
                                actual=f"image {i} matches no window", hint=hint)
            n_props += 2
            groups.setdefault(key, []).append((rows, cols, flipped))
        p_each = P_FALSE_REJECT / (3 * max(1, len(groups)))
        for (shape, size, pad, p), results in groups.items():
            rows = np.concatenate([r for r, _, _ in results])
            cols = np.concatenate([c for _, c, _ in results])
            flips = np.concatenate([f for _, _, f in results])
            m = len(rows)
            R, Q = shape[1] + 2 * pad - size + 1, shape[2] + 2 * pad - size + 1
            where = f"(image {shape[1]}x{shape[2]}, size={size}, padding={pad}, p={p}, {m} images)"
            # flip frequency: two-sided binomial test
            k = int(flips.sum())
            lo, hi = binomial_band(m, p, p_each)
            expect(self, lo <= k <= hi, f"each image must be flipped with probability p {where}",
                   expected=f"about {p * m:.0f} flipped (between {lo:.0f} and {hi:.0f})", actual=f"{k} flipped",
                   hint="flip when rng.random() < p, independently for every image")
            n_props += 1
            if R * Q == 1 or m < 25 * R * Q:
                continue
            # a batch of B images with one offset: probability (R Q)^-(B - 1) for a correct answer
            for r, c, _ in results:
                if float(R * Q) ** -(len(r) - 1) <= p_each / len(results):
                    expect(self, len(set(zip(r.tolist(), c.tolist()))) > 1,
                           f"every image of a batch needs its own random offset {where}",
                           expected="different offsets within a batch", actual="one offset for the whole batch",
                           hint="draw the offsets inside the loop over images (or draw N of them at once)")
            # the count of each offset is Binomial(m, 1/(R Q)) for a correct answer: an exact two-sided band
            # per offset, P_FALSE_REJECT / 3 per group split over the R Q offsets
            counts = np.bincount(rows * Q + cols, minlength=R * Q)
            lo, hi = binomial_band(m, 1 / (R * Q), p_each / (R * Q))
            if lo >= 1:  # a never-used offset is outside the band too: this names the likely mistake at no cost
                never = [(int(i // Q), int(i % Q)) for i in np.flatnonzero(counts == 0)]
                expect(self, not never, f"every offset (i, j) in 0..{R - 1} x 0..{Q - 1} must be reachable {where}",
                       expected=f"about {m / (R * Q):.0f} crops at each offset", actual=f"never used: {never}",
                       hint="rng.integers(0, n) excludes n: the largest offset is H + 2*padding - size, "
                            "so draw rng.integers(0, H + 2*padding - size + 1)")
            bad = np.flatnonzero((counts < lo) | (counts > hi))
            if bad.size:
                i = int(bad[0])
                raise self.fail(f"offsets must be uniform over all positions (offset ({i // Q}, {i % Q}) used "
                                f"{int(counts[i])} times, outside [{lo:.0f}, {hi:.0f}]) {where}",
                                expected=f"about {m / (R * Q):.0f} per offset (between {lo:.0f} and {hi:.0f})",
                                actual=f"counts {counts.reshape(R, Q).tolist()}",
                                hint="draw the row and the column offsets independently and uniformly")
            n_props += 3
        inv = data["involution"]
        once = _answer(self, inv, "once", inv["x"].shape)
        twice = _answer(self, inv, "twice", inv["x"].shape)
        expect_close(self, once, inv["x"][..., ::-1], "with size=H, padding=0, p=1 the output is the mirror image",
                     rtol=0, atol=1e-6, hint="a horizontal flip reverses the last axis (width)")
        expect_close(self, twice, inv["x"], "flipping twice must give the input back (an involution)",
                     rtol=0, atol=1e-6, hint="reverse the width axis only")
        return n_props + 2


# ---------------------------------------------------------------------------------------
# 5. AlexNet's PCA colour augmentation
# ---------------------------------------------------------------------------------------

def _color_eig(seed: int, eigvals: tuple[float, float, float]) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    Q, _ = np.linalg.qr(rng.standard_normal((3, 3)))
    return np.array(eigvals, dtype=np.float64), Q


def _color_plan(visible: bool) -> list[tuple[int, tuple[float, float, float], float, int, int, int, int]]:
    """(seed, eigenvalues, sigma, N per call, H, W, calls) per case."""
    return [(40, (0.5, 0.1, 0.02), 0.1, 100, 2, 3, 6)] if visible else [
        (40, (0.5, 0.1, 0.02), 0.1, 100, 2, 3, 15),
        (41, (2.0, 0.3, 0.0), 0.5, 100, 3, 2, 15),
        (42, (1.0, 1.0, 0.25), 1.0, 1, 2, 2, 3),
    ]


def _color_input(seed: int, k: int, n: int, h: int, w: int) -> np.ndarray:
    """The images of call ``k`` of a case."""
    return np.random.default_rng([seed, k]).uniform(0, 1, (n, 3, h, w))


@register
class PcaColorAugment(Check):
    id = "02-preprocessing/pca_color_augment"
    #: Correct answers may draw from global random state (tests re-run them under several seeds).
    randomized = True

    def inputs(self, *, visible: bool = False) -> Data:
        # the rng seeds are not in the data (any random stream is accepted)
        cases = []
        for seed, eigvals, sigma, n, h, w, n_calls in _color_plan(visible):
            lam, P = _color_eig(seed, eigvals)
            cases.append({"eigvals": lam, "eigvecs": P, "sigma": sigma,
                          "x": [_color_input(seed, k, n, h, w) for k in range(n_calls)]})
        return {"cases": cases}

    def probe(self, obj: Any, *, visible: bool = False) -> Data:
        cases = []
        for seed, eigvals, sigma, n, h, w, n_calls in _color_plan(visible):
            lam, P = _color_eig(seed, eigvals)
            xs, ys, after = [], [], {"x_after": [], "eigvals_after": [], "eigvecs_after": []}
            for k in range(n_calls):
                x = _color_input(seed, k, n, h, w)
                x_in, lam_in, P_in = x.copy(), lam.copy(), P.copy()
                y = _array(self, obj(x_in, lam_in, P_in, sigma=sigma, rng=np.random.default_rng([seed, k, 1])),
                           "pca_color_augment(x, eigvals, eigvecs)", x.shape,
                           hint="the output has the shape of x, (N, 3, H, W)")
                xs.append(x)
                ys.append(y)
                # the caller's arrays after the call, compared with the inputs by the judge
                for key, arr in (("x_after", x_in), ("eigvals_after", lam_in), ("eigvecs_after", P_in)):
                    after[key].append(arr)
            cases.append({"eigvals": lam, "eigvecs": P, "sigma": sigma, "x": xs, "y": ys, **after})
        return {"cases": cases}

    def judge(self, data: Data) -> int:
        """False rejections of a correct answer, by the union bound over at most 9 tests per case with
        >= 500 images plus one "own alpha" test per call, each with probability <= p_each: the sums of
        squares of the alpha_i / sigma are chi-square(m), their means N(0, 1/m), the mean products of two
        components are bounded with their exact moment generating function (a Chernoff bound), and a
        batch whose N offsets all agree to 1e-9 has probability below (2 sqrt(3) 1e-9 / (sqrt(2 pi)
        sigma lambda_max))^(N - 1)."""
        n_props = 0
        cases = data["cases"]
        n_stat = sum(sum(len(x) for x in c["x"]) >= 500 for c in cases)
        p_each = P_FALSE_REJECT / max(1, 9 * n_stat + sum(len(c["x"]) for c in cases))
        for case in cases:
            lam, P, sigma, xs = case["eigvals"], case["eigvecs"], case["sigma"], case["x"]
            where = f"(eigvals {lam.tolist()}, sigma={sigma})"
            # the answers: one output per call shaped like its input, and the caller's arrays after each call
            ys = _answer_list(self, case, "y", len(xs))
            for k, x in enumerate(xs):
                _answer(self, {"y": ys[k]}, "y", x.shape)
            unmodified = True
            for key, before in (("x_after", None), ("eigvals_after", lam), ("eigvecs_after", P)):
                afters = _answer_list(self, case, key, len(xs))
                for k, x in enumerate(xs):
                    unmodified &= _unmodified(self, x if before is None else before, {key: afters[k]}, key)
            expect(self, unmodified, f"x, eigvals and eigvecs must not be modified {where}",
                   expected="inputs unchanged", actual="changed", hint="return x + offset, a new array")
            # a whole batch with one offset: improbable enough for a correct answer only when N is large enough
            lam_max = float(np.max(lam))
            one_offset_bound = [(2 * np.sqrt(3) * 1e-9 / (np.sqrt(2 * np.pi) * sigma * lam_max)) ** (len(x) - 1)
                                if lam_max > 0 and sigma > 0 else 1.0 for x in xs]
            offsets = []
            for x, y, bound in zip(xs, ys, one_offset_bound):
                delta = y - x                                           # (N, 3, H, W)
                ref = delta[:, :, :1, :1]
                spread = float(np.max(np.abs(delta - ref)))
                expect(self, spread <= 1e-9, f"the offset must be the same at every pixel of an image {where}",
                       expected="y - x constant over (H, W) for each image and channel",
                       actual=f"varies by up to {spread:.3g}",
                       hint="draw alpha once per IMAGE (shape (3,)), not per pixel; add offset[:, :, None, None]")
                d = ref[:, :, 0, 0]                                      # (N, 3)
                if bound <= p_each:
                    expect(self, np.ptp(d, axis=0).max() > 1e-9, f"every image of a batch needs its own alpha {where}",
                           expected="different offsets for different images", actual="one offset for the whole batch",
                           hint="draw alpha with shape (N, 3)")
                offsets.append(d)
            n_props += 2
            D = np.concatenate(offsets)                                  # (M, 3)
            m = len(D)
            coords = D @ P                                               # coordinates along p_i: alpha_i * lambda_i
            zero = lam == 0
            if zero.any():
                off = float(np.max(np.abs(coords[:, zero])))
                expect(self, off <= 1e-9, f"the offset must lie in the span of the eigenvectors with non-zero "
                                          f"eigenvalue, sum_i alpha_i lambda_i p_i {where}",
                       expected="0 along eigvecs[:, i] when eigvals[i] == 0", actual=f"component {off:.3g}",
                       hint="the principal components are the COLUMNS of eigvecs: offset = eigvecs @ (alpha * eigvals)")
                n_props += 1
            if m < 500:  # m = the number of images of the inputs: every output was checked to have its shape
                continue
            z = coords[:, ~zero] / (sigma * lam[~zero])                  # should be iid N(0, 1)
            cov_expected = sigma**2 * (P * lam**2) @ P.T
            cov_seen = D.T @ D / m
            shown = dict(expected=f"covariance sigma^2 sum_i lambda_i^2 p_i p_i^T = {np.round(cov_expected, 5).tolist()}",
                         actual=f"covariance of the offsets {np.round(cov_seen, 5).tolist()}")
            hint = ("offset = eigvecs @ (alpha * eigvals) with alpha ~ N(0, sigma^2 I): sigma is the STANDARD "
                    "deviation (rng.normal(0, sigma, 3)); scale by lambda_i, not sqrt(lambda_i); p_i = eigvecs[:, i]")
            lo, hi = stats.chi2.ppf(p_each / 2, m), stats.chi2.isf(p_each / 2, m)
            z_mean = stats.norm.isf(p_each / 2) / np.sqrt(m)
            z_cross = _product_mean_bound(m, p_each)
            for i in range(z.shape[1]):
                ss = float(np.sum(z[:, i] ** 2))
                expect(self, lo <= ss <= hi, f"alpha_i must have variance sigma^2 (component {i}, "
                                             f"sum of squares {ss:.1f} outside [{lo:.1f}, {hi:.1f}]) {where}",
                       hint=hint, **shown)
                expect(self, abs(z[:, i].mean()) <= z_mean, f"alpha_i must have mean 0 (component {i}) {where}",
                       hint=hint, **shown)
                for j in range(i):
                    r = float(np.mean(z[:, i] * z[:, j]))
                    expect(self, abs(r) <= z_cross, f"alpha_i and alpha_j must be independent (components {j}, {i}: "
                                                    f"correlation {r:.3f}) {where}", hint=hint, **shown)
            n_props += 3
        return n_props


def _product_mean_bound(m: int, p: float) -> float:
    """tau with P(|mean of m products Z_k Z'_k| > tau) <= p for independent standard normals Z, Z'.

    Chernoff: E exp(s Z Z') = (1 - s^2)^(-1/2) for |s| < 1, so P(mean >= tau) <= exp(m (-log(1 - s^2) / 2 - s tau))
    for every s in (0, 1); the best s solves s / (1 - s^2) = tau. Both tails together: twice that.
    """
    def log_tail(tau: float) -> float:
        s = (np.sqrt(1 + 4 * tau * tau) - 1) / (2 * tau)
        return m * (-0.5 * np.log1p(-s * s) - s * tau) + np.log(2.0)

    return float(scipy.optimize.brentq(lambda tau: log_tail(tau) - np.log(p), 1e-9, 50.0))


# ---------------------------------------------------------------------------------------
# 6. CutMix
# ---------------------------------------------------------------------------------------

BASE_IMG, BASE_CH, BASE_ROW = 1_000_000, 10_000, 100


def _cutmix_input(n: int, c: int, h: int, w: int) -> np.ndarray:
    """Pixel value encodes (image, channel, row, column) exactly."""
    i, ch, r, col = np.meshgrid(np.arange(n), np.arange(c), np.arange(h), np.arange(w), indexing="ij")
    return (i * BASE_IMG + ch * BASE_CH + r * BASE_ROW + col + 1).astype(np.float64)


def _cutmix_calls(visible: bool) -> list[tuple[np.ndarray, np.ndarray, float, list[int]]]:
    """(x, y, alpha, seed of the rng passed in) for every call."""
    # (N, C, H, W, K, alpha, calls); a plan needs enough calls for its statistics to run (_cutmix_bounds)
    plan = [(8, 2, 8, 8, 8, 1.0, 50)] if visible else [
        (8, 2, 8, 8, 8, 1.0, 50), (16, 3, 6, 10, 16, 1.0, 50), (12, 1, 9, 7, 5, 0.5, 60)]
    calls = []
    for n, c, h, w, k, alpha, n_calls in plan:
        x = _cutmix_input(n, c, h, w)
        for j in range(n_calls):
            labels = np.arange(n) % k if k == n else np.random.default_rng([n, j]).integers(k, size=n)
            y = np.eye(k)[labels]
            if k != n:  # soft labels too
                y = 0.8 * y + 0.2 * np.random.default_rng([n, j, 1]).dirichlet(np.ones(k), size=n)
            calls.append((x, y, alpha, [n, j]))
    return calls


# How a correct answer may turn lambda ~ Beta(alpha, alpha) into a box. The side of the box along an axis
# of D pixels is int(D sqrt(1 - lambda)), its even part 2 (s // 2) (the usual `c - s // 2 : c + s // 2`),
# or round(D sqrt(1 - lambda)); the box is centred on a uniform pixel c (from c - s // 2 or from
# c - (s - 1) // 2) and clipped to the image, or placed uniformly inside it. The row and the column of
# the centre are independent, one box may serve the whole batch or each image may get its own, and the
# partner is a uniform random permutation, independent of the box. The statistical properties of the
# cutmix judge are bounded for EVERY one of these conventions at once (_cutmix_bounds).
_CUT_SIDES = ("int", "even", "round")
_CUT_PLACES = ("centre", "centre_right", "inside")


def _cut_side(d: int, v: float, rule: str) -> int:
    s = int(np.floor(d * v + (0.5 if rule == "round" else 0.0)))
    return 2 * (s // 2) if rule == "even" else s


def _cut_extent(d: int, s: int, place: str) -> dict[tuple[int, int], float]:
    """Law of the clipped extent (start, stop) of a box side of ``s`` pixels along an axis of ``d``."""
    law: dict[tuple[int, int], float] = {}
    if place == "inside":
        s = min(s, d)
        for a in range(d - s + 1):
            law[(a, a + s)] = law.get((a, a + s), 0.0) + 1.0 / (d - s + 1)
        return law
    for c in range(d):
        a = c - (s // 2 if place == "centre" else (s - 1) // 2)
        lo, hi = min(max(a, 0), d), min(max(a + s, 0), d)
        key = (lo, hi) if hi > lo else (0, 0)
        law[key] = law.get(key, 0.0) + 1.0 / d
    return law


@functools.lru_cache(maxsize=64)
def _cut_laws(h: int, w: int, alpha: float) -> tuple[dict, ...]:
    """For every convention above, the exact law of one box: {(r0, r1, c0, c1) or None (empty): probability}.

    The sides depend on lambda only through v = sqrt(1 - lambda), and only change where D v crosses an
    integer or a half-integer: between two such points the sides are fixed, and the probability of the
    interval comes from the Beta CDF.
    """
    cuts = {0.0, 1.0} | {b for d in (h, w) for k in range(d + 1) for b in (k / d, (k - 0.5) / d) if 0 < b < 1}
    cuts = sorted(cuts)
    cdf = stats.beta(alpha, alpha).cdf
    laws = []
    for rule in _CUT_SIDES:
        for place in _CUT_PLACES:
            law: dict = {}
            for a, b in zip(cuts[:-1], cuts[1:]):
                prob = float(cdf(1 - a * a) - cdf(1 - b * b))      # P(a <= sqrt(1 - lambda) < b)
                v = (a + b) / 2
                rows, cols = _cut_extent(h, _cut_side(h, v, rule), place), _cut_extent(w, _cut_side(w, v, rule), place)
                for (r0, r1), pr in rows.items():
                    for (c0, c1), pc in cols.items():
                        key = (r0, r1, c0, c1) if r1 > r0 and c1 > c0 else None
                        law[key] = law.get(key, 0.0) + prob * pr * pc
            laws.append(law)
    return tuple(laws)


#: What the box-position property looks at, per box (r0, r1, c0, c1): a constant one means a fixed box.
_CUT_POSITION = {
    "top row": lambda b: b[0], "bottom row": lambda b: b[1], "middle row": lambda b: (b[0] + b[1]) // 2,
    "left column": lambda b: b[2], "right column": lambda b: b[3], "middle column": lambda b: (b[2] + b[3]) // 2,
}


def _all_equal_bound(m: int, u: float, rho: float) -> float:
    """Upper bound on P(all the values shown are equal, or none is shown) when each of ``m`` independent
    calls shows a value with probability >= ``u``, the values shown being i.i.d. with every single value
    of probability <= ``rho``. Given S = s values shown they are all equal with probability <= rho^(s - 1),
    and S is at least as large as a Binomial(m, u) count, so the bound is E[rho^max(S - 1, 0)] for that count."""
    shown = np.arange(m + 1)
    return float(np.sum(stats.binom.pmf(shown, m, u) * rho ** np.maximum(shown - 1, 0)))


@functools.lru_cache(maxsize=64)
def _cutmix_bounds(n: int, h: int, w: int, alpha: float, m: int, share: float) -> dict[str, Any]:
    """How often a correct answer fails each statistical property over ``m`` calls on a batch of ``n``
    images of ``h`` x ``w`` pixels: upper bounds, the worst case over every convention of ``_cut_laws``.

    Image 0 shows its box (and its partner) in a call when the box is not empty and perm[0] != 0; this
    happens with probability >= u = (1 - 1/n) min P(box not empty), independently from call to call,
    whatever the other images do. Every property fails only if image 0's boxes fail it, so:

    * ``large``: some box must cover at least ``large_pixels`` pixels, the largest number for which a
      correct answer fails with probability (1 - (1 - 1/n) min P(box >= large_pixels))^m <= ``share``
      (0: not even a non-empty box is likely enough).
    * ``size`` / ``position`` / ``pairing``: the box sizes, each coordinate of _CUT_POSITION, the
      partners of an image are not all the same; bounded by _all_equal_bound with rho the largest
      probability of one value given a non-empty box (for a partner: 1 / (n - 1)).
    """
    laws = _cut_laws(h, w, alpha)
    nonempty = [1.0 - law.get(None, 0.0) for law in laws]
    u = (1.0 - 1.0 / n) * min(nonempty)

    def rho(f) -> float:
        worst = 0.0
        for law, ne in zip(laws, nonempty):
            if ne <= 0:  # never a box: u = 0, and every bound is 1 anyway
                return 1.0
            mass: dict = {}
            for box, p in law.items():
                if box is not None:
                    mass[f(box)] = mass.get(f(box), 0.0) + p
            worst = max(worst, max(mass.values()) / ne)
        return worst

    at_least = np.ones(h * w + 2)                                   # min over laws of P(box >= k pixels)
    for law in laws:
        pmf = np.zeros(h * w + 2)
        for box, p in law.items():
            if box is not None:
                pmf[(box[1] - box[0]) * (box[3] - box[2])] += p
        at_least = np.minimum(at_least, np.cumsum(pmf[::-1])[::-1])
    p_fail = (1.0 - (1.0 - 1.0 / n) * at_least) ** m
    ok = np.flatnonzero(p_fail[1:] <= share) + 1
    return {
        "large_pixels": int(ok.max()) if ok.size else 0,
        "size": _all_equal_bound(m, u, rho(lambda b: (b[1] - b[0], b[3] - b[2]))),
        "position": sum(_all_equal_bound(m, u, rho(f)) for f in _CUT_POSITION.values()),
        "pairing": _all_equal_bound(m, u, 1.0 / (n - 1)) if n > 1 else 1.0,
    }


@register
class Cutmix(Check):
    id = "02-preprocessing/cutmix"
    #: Correct answers may draw from global random state (tests re-run them under several seeds).
    randomized = True

    def inputs(self, *, visible: bool = False) -> Data:
        # the rng seeds are not in the data (any random stream is accepted)
        return {"calls": [{"x": x, "y": y, "alpha": alpha} for x, y, alpha, _ in _cutmix_calls(visible)]}

    def probe(self, obj: Any, *, visible: bool = False) -> Data:
        calls = []
        for x, y, alpha, rng_seed in _cutmix_calls(visible):
            x_in, y_in = x.copy(), y.copy()
            out = obj(x_in, y_in, alpha=alpha, rng=np.random.default_rng(rng_seed))
            if not isinstance(out, (tuple, list)) or len(out) != 2:
                raise self.fail("cutmix must return a pair (x_mixed, y_mixed)",
                                expected="(array (N, C, H, W), array (N, K))", actual=type(out).__name__,
                                hint="end with `return x_mixed, y_mixed`")
            xm = _array(self, out[0], "x_mixed", x.shape, hint="x_mixed has the shape of x")
            ym = _array(self, out[1], "y_mixed", y.shape, hint="y_mixed has the shape of y, (N, K)")
            # x_in and y_in: the caller's arrays after the call, compared with the inputs by the judge
            calls.append({"x": x, "y": y, "xm": xm, "ym": ym, "alpha": alpha, "x_after": x_in, "y_after": y_in})
        return {"calls": calls}

    def judge(self, data: Data) -> int:
        n_props = 0
        plans: dict[tuple, list] = {}     # (x.shape, alpha) -> per call, the boxes shown: (image, partner, box)
        for call in data["calls"]:
            x, y, alpha = call["x"], call["y"], call["alpha"]
            xm, ym = _answer(self, call, "xm", x.shape), _answer(self, call, "ym", y.shape)
            n, c, h, w = x.shape
            where = f"(x {x.shape}, alpha={alpha})"
            unmodified = _unmodified(self, x, call, "x_after") & _unmodified(self, y, call, "y_after")
            expect(self, unmodified, f"x and y must not be modified {where}", expected="inputs unchanged",
                   actual="changed", hint="copy x before pasting the box: x_mixed = x.copy()")
            v = np.rint(xm).astype(np.int64) - 1
            ok_int = np.allclose(xm, v + 1, atol=1e-6)
            src, pos = v // BASE_IMG, v % BASE_IMG
            own_pos = (x.astype(np.int64) - 1) % BASE_IMG
            expect(self, ok_int and bool(np.all((src >= 0) & (src < n))),
                   f"every pixel of x_mixed must be a pixel copied from one of the input images {where}",
                   expected="pixels copied unchanged", actual="blended or new values",
                   hint="CutMix pastes pixels; it does not blend them (that is mixup)")
            expect(self, bool(np.all(pos == own_pos)),
                   f"pasted pixels must come from the SAME position (and channel) of the partner image {where}",
                   expected="x_mixed[i, :, r0:r1, c0:c1] = x[j, :, r0:r1, c0:c1]", actual="shifted pixels",
                   hint="use the same box coordinates in the source and the destination")
            shown = []
            for i in range(n):
                foreign = src[i] != i                                     # (C, H, W)
                expect(self, bool(np.all(foreign == foreign[:1])), f"the box must cover all channels alike {where}",
                       expected="the same box in every channel", actual=f"image {i} differs between channels")
                f2 = foreign[0]
                cnt = int(f2.sum())
                a = cnt / (h * w)
                if cnt:
                    js = np.unique(src[i][foreign])
                    expect(self, len(js) == 1, f"each image gets its box from ONE partner image {where}",
                           expected="one partner", actual=f"image {i} has pixels from images {js.tolist()}")
                    j = int(js[0])
                    rr, cc = np.nonzero(f2)
                    r0, r1, c0, c1 = int(rr.min()), int(rr.max()) + 1, int(cc.min()), int(cc.max()) + 1
                    expect(self, bool(f2[r0:r1, c0:c1].all()) and cnt == (r1 - r0) * (c1 - c0),
                           f"the pasted region must be one axis-aligned rectangle {where}",
                           expected="a filled rectangle", actual=f"image {i}: {cnt} pixels in a {r1 - r0}x{c1 - c0} bounding box")
                    shown.append((i, j, (r0, r1, c0, c1)))
                    want = (1 - a) * y[i] + a * y[j]
                else:
                    want = y[i]
                if not np.allclose(ym[i], want, rtol=1e-6, atol=1e-9):
                    hint = "the label weight is the ACTUAL pasted area after clipping the box to the image: " \
                           "y_mixed = (1 - area / (H W)) y[i] + area / (H W) y[j]"
                    if cnt and np.allclose(ym[i], a * y[i] + (1 - a) * y[j], rtol=1e-6, atol=1e-9):
                        hint = "the weights are swapped: the partner's label gets the share of the pasted area"
                    raise self.fail(f"y_mixed[i] must mix the labels in proportion to the pixels each image "
                                    f"contributes (image {i}: {cnt} of {h * w} pixels from its partner) {where}",
                                    expected=want, actual=ym[i], hint=hint)
            partners = [j for _, j, _ in shown]
            expect(self, len(partners) == len(set(partners)),
                   f"partners must be a random permutation of the batch (no image used twice as a source) {where}",
                   expected="distinct partners", actual=f"partners {partners}",
                   hint="x[perm] with perm = rng.permutation(N)")
            plans.setdefault((x.shape, float(alpha)), []).append(shown)
            n_props += 7
        return n_props + self._judge_randomness(plans)

    def _judge_randomness(self, plans: dict[tuple, list]) -> int:
        """Box sizes, positions and partners must vary. Each property gets P_FALSE_REJECT / 4 per plan (calls
        on one input shape and alpha), and is checked only where its bound for a correct answer
        (_cutmix_bounds, computed from the inputs alone) is within that share."""
        share = P_FALSE_REJECT / (4 * max(1, len(plans)))
        n_props = 0
        for ((n, _, h, w), alpha), calls in plans.items():
            bound = _cutmix_bounds(n, h, w, alpha, len(calls), share)
            boxes = [box for shown in calls for _, _, box in shown]
            where = f"(x of shape ({n}, C, {h}, {w}), alpha={alpha}, {len(calls)} calls)"
            pixels = [(r1 - r0) * (c1 - c0) for r0, r1, c0, c1 in boxes]
            if bound["large_pixels"]:
                need = bound["large_pixels"]
                expect(self, max(pixels, default=0) >= need,
                       "the pasted area must be random (lambda ~ Beta(alpha, alpha)) and sometimes large " + where,
                       expected=f"some box of at least {need} of the {h * w} pixels ({need / (h * w):.0%})",
                       actual=f"the largest box has {max(pixels, default=0)} pixels",
                       hint="cut_h = int(H * sqrt(1 - lam)), cut_w = int(W * sqrt(1 - lam)) with lam ~ Beta(alpha, alpha)")
                n_props += 1
            if bound["size"] <= share:
                sizes = sorted({(r1 - r0, c1 - c0) for r0, r1, c0, c1 in boxes})
                expect(self, len(sizes) > 1, "the box size must be random: draw lam ~ Beta(alpha, alpha) on every "
                                             "call " + where,
                       expected="boxes of different sizes", actual=f"every box is {sizes[0] if sizes else 'empty'}",
                       hint="lam = rng.beta(alpha, alpha); cut_h = int(H * sqrt(1 - lam)), cut_w = int(W * sqrt(1 - lam))")
                n_props += 1
            if bound["position"] <= share:
                for name, f in _CUT_POSITION.items():
                    values = {f(box) for box in boxes}
                    expect(self, len(values) > 1, f"the box position must be random {where}",
                           expected="boxes in many places",
                           actual=f"the {name} of every box is {min(values)}" if values else "no box",
                           hint="draw the box centre uniformly over the image: cy = rng.integers(H), cx = rng.integers(W)")
                n_props += 1
            if bound["pairing"] <= share:
                seen: dict[int, set] = {}
                for shown in calls:
                    for i, j, _ in shown:
                        seen.setdefault(i, set()).add(j)
                expect(self, any(len(js) > 1 for js in seen.values()), f"the pairing must be random {where}",
                       expected="different permutations", actual="every image always gets the same partner",
                       hint="draw a new permutation on every call")
                n_props += 1
        return n_props


# ---------------------------------------------------------------------------------------
# 7. Test-time augmentation
# ---------------------------------------------------------------------------------------

class _RecordingLinear(torch.nn.Module):
    """A linear classifier on flattened views that remembers every batch it is called on."""

    def __init__(self, weight: np.ndarray):
        super().__init__()
        self.weight = torch.nn.Parameter(torch.tensor(weight), requires_grad=False)
        self.seen: list[np.ndarray] = []

    def forward(self, v: torch.Tensor) -> torch.Tensor:
        v = torch.as_tensor(v)
        self.seen.append(v.detach().cpu().to(torch.float64).numpy().copy())
        return v.to(self.weight.dtype).flatten(1) @ self.weight.T


def _views(x: np.ndarray, size: int, flip: bool) -> np.ndarray:
    """(N, V, C, size, size): four corner crops, the centre crop, then their mirror images."""
    n, c, h, w = x.shape
    t, l = (h - size) // 2, (w - size) // 2
    crops = [x[:, :, :size, :size], x[:, :, :size, w - size:], x[:, :, h - size:, :size],
             x[:, :, h - size:, w - size:], x[:, :, t:t + size, l:l + size]]
    if flip:
        crops += [cr[..., ::-1] for cr in crops]
    return np.stack(crops, axis=1)


VIEW_NAMES = ("top-left", "top-right", "bottom-left", "bottom-right", "centre")


def _tta_cases(visible: bool) -> list[dict[str, Any]]:
    """x (N, C, H, W), the model's weight (K, C size size), size and flip for every case."""
    # (seed, N, C, H, W, K, size, flip)
    plan = [(50, 3, 2, 6, 6, 4, 4, True)] if visible else [
        (50, 3, 2, 6, 6, 4, 4, True), (51, 4, 3, 8, 6, 5, 4, False), (52, 1, 1, 7, 9, 3, 5, True),
        (53, 2, 2, 5, 5, 6, 5, True)]
    cases = []
    for seed, n, c, h, w, k, size, flip in plan:
        rng = np.random.default_rng(seed)
        x = rng.standard_normal((n, c, h, w))
        weight = rng.standard_normal((k, c * size * size)) / np.sqrt(c * size * size) * 2.0
        cases.append({"x": x, "weight": weight, "size": size, "flip": flip})
    return cases


@register
class TtaPredict(Check):
    id = "02-preprocessing/tta_predict"

    def inputs(self, *, visible: bool = False) -> Data:
        return {"cases": _tta_cases(visible)}

    def probe(self, obj: Any, *, visible: bool = False) -> Data:
        cases = []
        for case in _tta_cases(visible):
            x, weight, size, flip = case["x"], case["weight"], case["size"], case["flip"]
            (n, c), k = x.shape[:2], weight.shape[0]
            model = _RecordingLinear(weight)
            xt = torch.tensor(x)
            out = _array(self, obj(model, xt, size=size, flip=flip), f"tta_predict(model, x, size={size}, flip={flip})",
                         (n, k), hint="one row of averaged class probabilities per image: (N, K)")
            seen = [s for s in model.seen]
            shapes = sorted({s.shape[1:] for s in seen})
            if any(sh != (c, size, size) for sh in shapes):
                raise self.fail("the model must be called on crops of shape (B, C, size, size)",
                                expected=(c, size, size), actual=shapes,
                                hint="crop with x[:, :, top:top + size, left:left + size]")
            views = np.concatenate(seen) if seen else np.zeros((0, c, size, size))
            cases.append({"x": x, "x_after": xt.detach().numpy().copy(), "weight": weight, "size": size,
                          "flip": flip, "out": out, "views": views})
        return {"cases": cases}

    def judge(self, data: Data) -> int:
        n_props = 0
        for case in data["cases"]:
            x, size, flip, weight = case["x"], case["size"], case["flip"], case["weight"]
            (n, c), k = x.shape[:2], weight.shape[0]
            # the answers: the output (N, K), and every view the model saw (R, C, size, size), R free
            _answer(self, case, "out", (n, k))
            views = _field(self, case, "views")
            if not (isinstance(views, np.ndarray) and views.dtype.kind == "f" and views.ndim == 4
                    and views.shape[1:] == (c, size, size)):
                raise _malformed(self, "the answer 'views' is not an array of shape (R, C, size, size)",
                                 expected=f"an array of shape (R, {c}, {size}, {size})", actual=_kind_of(views))
            where = f"(x {x.shape}, size={size}, flip={flip})"
            expect(self, _unmodified(self, x, case, "x_after"), f"x must not be modified {where}",
                   expected=x, actual=case["x_after"], hint="flip with torch.flip, which returns a new tensor")
            want = _views(x, size, flip)                                  # (N, V, C, s, s)
            V = want.shape[1]
            seen = case["views"]                                          # (R, C, s, s)
            flat_want = want.reshape(n * V, -1)
            dist = np.abs(seen.reshape(len(seen), 1, -1) - flat_want[None]).max(axis=2) if len(seen) else np.zeros((0, n * V))
            matched = dist <= 1e-6
            names = [f"{nm}{' (mirrored)' if f else ''}" for f in ((False, True) if flip else (False,)) for nm in VIEW_NAMES]
            stray = np.flatnonzero(~matched.any(axis=1))
            expect(self, stray.size == 0, f"the model must only see the {V} test-time views {where}",
                   expected=", ".join(names), actual=f"{stray.size} unexpected input(s) to the model",
                   hint=("flip=False means no mirrored views" if not flip else
                         "corners at (0, 0), (0, W-s), (H-s, 0), (H-s, W-s), centre at ((H-s)//2, (W-s)//2); "
                         "mirror = flip the width axis"))
            missing = np.flatnonzero(~matched.any(axis=0))
            expect(self, missing.size == 0, f"the model must see every one of the {V} views of every image {where}",
                   expected=", ".join(names),
                   actual="missing: " + ", ".join(sorted({names[int(m) % V] for m in missing})),
                   hint="five crops (four corners and the centre)" + (", each also mirrored left-right" if flip else ""))
            logits = want.reshape(n, V, -1) @ weight.T                    # (N, V, K)
            probs = torch.softmax(torch.tensor(logits), dim=2).mean(dim=1).numpy()
            got = case["out"]
            if not np.allclose(got, probs, rtol=1e-5, atol=1e-7):
                hint = "average the softmax PROBABILITIES over the views (mean over views of softmax(model(view)))"
                if np.allclose(got, torch.softmax(torch.tensor(logits.mean(axis=1)), dim=1).numpy(), rtol=1e-5, atol=1e-7):
                    hint = "you averaged the logits and then took the softmax; average the probabilities instead"
                elif np.allclose(got, probs * V, rtol=1e-5, atol=1e-7):
                    hint = "divide the sum over views by the number of views"
                expect_close(self, got, probs, f"the prediction must be the mean of softmax(model(view)) over the {V} views "
                                               f"{where}", rtol=1e-5, atol=1e-7, hint=hint)
            n_props += 4
        return n_props
