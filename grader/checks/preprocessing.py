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
  mirror image); chi-square test that every offset is equally likely, binomial test of the
  flip frequency, flipping twice gives the input back.
* ``pca_color_augment``: the added offset is constant over the pixels of each image, lies in
  the span of the eigenvectors with non-zero eigenvalue, and, mapped back to alpha, is
  N(0, sigma^2 I): chi-square tests of the variances, normal tests of means and correlations.
* ``cutmix``: pixels encode (image, channel, row, column), so the judge counts exactly which
  pixels came from which image; the label weight must equal the pasted area.
* ``tta_predict``: a grader-owned linear model records the views it is called on; the judge
  compares them with the ten crops and the output with the mean of the softmaxes.

Nothing depends on one random stream: answers may use the ``rng`` passed in, ``np.random``,
``random`` or ``torch``. Statistical tests reject a correct answer with probability below
``P_FALSE_REJECT``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import scipy.linalg
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


@register
class FitStandardizer(Check):
    id = "02-preprocessing/fit_standardizer"

    def probe(self, obj: Any, *, visible: bool = False) -> Data:
        plan = [(1, 40, 15, 3, False)] if visible else [
            (1, 40, 15, 3, False), (2, 200, 50, 6, False), (3, 30, 7, 4, True), (4, 5, 9, 1, False)]
        cases = []
        for seed, n_train, n_test, d, constant in plan:
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
            for name in ("X_train", "X_test"):
                expect(self, np.array_equal(case[name], case[f"{name}_after"]), f"{name} must not be modified {where}",
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


@register
class FitWhitening(Check):
    id = "02-preprocessing/fit_whitening"

    def probe(self, obj: Any, *, visible: bool = False) -> Data:
        plan = [(10, 300, 2, 20.0, "pca", 0.0), (10, 300, 2, 20.0, "zca", 0.0)]
        if not visible:
            plan += [(11, 100, 3, 100.0, "pca", 0.0), (11, 100, 3, 100.0, "zca", 0.0),
                     (12, 80, 5, 1e3, "pca", 0.1), (12, 80, 5, 1e3, "zca", 0.1),
                     (13, 50, 4, 10.0, "zca", 0.0), (14, 400, 1, 1.0, "pca", 0.0)]
        cases = []
        for seed, n, d, cond, method, eps in plan:
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
            X, W, eps, method = case["X"], case["W"], case["eps"], case["method"]
            d = X.shape[1]
            where = f"(method={method!r}, eps={eps:g}, X of shape {X.shape})"
            expect(self, np.array_equal(X, case["X_after"]), f"X must not be modified {where}",
                   expected=X, actual=case["X_after"], hint="centre into a new array, not with X -= mean")
            expect_close(self, case["mean"], X.mean(axis=0), f"mean = the mean of each feature over the examples {where}",
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


@register
class NormalizeImages(Check):
    id = "02-preprocessing/normalize_images"

    def probe(self, obj: Any, *, visible: bool = False) -> Data:
        plan = [(20, 20, 4, 3, 5, 7)] if visible else [
            (20, 20, 4, 3, 5, 7), (21, 30, 1, 2, 4, 4), (22, 8, 6, 3, 3, 3), (23, 12, 3, 1, 6, 2), (24, 5, 5, 4, 2, 9)]
        cases = []
        for seed, n, m, c, h, w in plan:
            data = _img_case(seed, n, m, c, h, w)
            out = {}
            for mode in MODES:
                X_train, X = data["X_train"].copy(), data["X"].copy()
                out[mode] = _array(self, obj(X_train, X, mode=mode), f"normalize_images(..., mode={mode!r})", X.shape,
                                   hint="the output has the shape of X, (M, C, H, W)")
                out[mode + "_train"] = _array(self, obj(X_train, X_train.copy(), mode=mode),
                                              f"normalize_images(X_train, X_train, mode={mode!r})", X_train.shape)
                out[mode + "_modified"] = not (np.array_equal(X_train, data["X_train"]) and np.array_equal(X, data["X"]))
            cases.append({**data, **out})
        return {"cases": cases}

    def judge(self, data: Data) -> int:
        n = 0
        for case in data["cases"]:
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
                expect(self, not case[mode + "_modified"], f"the inputs must not be modified (mode={mode!r})",
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


@register
class RandomCropFlip(Check):
    id = "02-preprocessing/random_crop_flip"
    #: Correct answers may draw from global random state (tests re-run them under several seeds).
    randomized = True

    def probe(self, obj: Any, *, visible: bool = False) -> Data:
        # (input seed, N, C, H, W, size, padding, p, number of calls)
        plan = [(30, 100, 2, 5, 6, 6, 2, 0.3, 6)] if visible else [
            (30, 100, 2, 5, 6, 6, 2, 0.3, 20),
            (31, 60, 1, 4, 4, 3, 1, 0.5, 10),
            (32, 10, 3, 4, 4, 4, 0, 0.0, 2),
            (33, 7, 2, 6, 5, 3, 0, 1.0, 2),
        ]
        calls = []
        for seed, n, c, h, w, size, padding, p, n_calls in plan:
            for k in range(n_calls):
                x = _crop_input(seed + 1000 * k, n, c, h, w)
                x_in = x.copy()
                y = _array(self, obj(x_in, size=size, padding=padding, p=p, rng=np.random.default_rng([seed, k])),
                           f"random_crop_flip(x, size={size}, padding={padding}, p={p})", (n, c, size, size),
                           hint="the output is a batch of size x size crops: (N, C, size, size)")
                calls.append({"x": x, "x_after": x_in, "y": y, "size": size, "padding": padding, "p": p})
        # flipping is an involution: with p = 1 and no cropping, applying twice gives the input back
        x = _crop_input(34, 5, 3, 4, 4)
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
        n_props = 0
        groups: dict[tuple, list] = {}
        for call in data["calls"]:
            key = (call["x"].shape[1:], call["size"], call["padding"], call["p"])
            where = f"(x {call['x'].shape}, size={call['size']}, padding={call['padding']}, p={call['p']})"
            expect(self, np.array_equal(call["x"], call["x_after"]), f"x must not be modified {where}",
                   expected=call["x"], actual=call["x_after"], hint="build the output in a new array")
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
            lo, hi = stats.binom.ppf(p_each / 2, m, p), stats.binom.isf(p_each / 2, m, p)
            expect(self, lo <= k <= hi, f"each image must be flipped with probability p {where}",
                   expected=f"about {p * m:.0f} flipped (between {lo:.0f} and {hi:.0f})", actual=f"{k} flipped",
                   hint="flip when rng.random() < p, independently for every image")
            n_props += 1
            if R * Q == 1 or m < 25 * R * Q:
                continue
            for r, c, _ in results:
                if len(r) >= 50:
                    expect(self, len(set(zip(r.tolist(), c.tolist()))) > 1,
                           f"every image of a batch needs its own random offset {where}",
                           expected="different offsets within a batch", actual="one offset for the whole batch",
                           hint="draw the offsets inside the loop over images (or draw N of them at once)")
            counts = np.bincount(rows * Q + cols, minlength=R * Q)
            never = [(int(i // Q), int(i % Q)) for i in np.flatnonzero(counts == 0)]
            expect(self, not never, f"every offset (i, j) in 0..{R - 1} x 0..{Q - 1} must be reachable {where}",
                   expected=f"about {m / (R * Q):.0f} crops at each offset", actual=f"never used: {never}",
                   hint="rng.integers(0, n) excludes n: the largest offset is H + 2*padding - size, "
                        "so draw rng.integers(0, H + 2*padding - size + 1)")
            e = m / (R * Q)
            chi2 = float(np.sum((counts - e) ** 2 / e))
            crit = float(stats.chi2.isf(p_each, R * Q - 1))
            expect(self, chi2 <= crit, f"offsets must be uniform over all positions (chi-square {chi2:.1f} > {crit:.1f}) "
                                       f"{where}",
                   expected=f"about {e:.0f} per offset", actual=f"counts {counts.reshape(R, Q).tolist()}",
                   hint="draw the row and the column offsets independently and uniformly")
            n_props += 3
        inv = data["involution"]
        expect_close(self, inv["once"], inv["x"][..., ::-1], "with size=H, padding=0, p=1 the output is the mirror image",
                     rtol=0, atol=1e-6, hint="a horizontal flip reverses the last axis (width)")
        expect_close(self, inv["twice"], inv["x"], "flipping twice must give the input back (an involution)",
                     rtol=0, atol=1e-6, hint="reverse the width axis only")
        return n_props + 2


# ---------------------------------------------------------------------------------------
# 5. AlexNet's PCA colour augmentation
# ---------------------------------------------------------------------------------------

def _color_eig(seed: int, eigvals: tuple[float, float, float]) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    Q, _ = np.linalg.qr(rng.standard_normal((3, 3)))
    return np.array(eigvals, dtype=np.float64), Q


@register
class PcaColorAugment(Check):
    id = "02-preprocessing/pca_color_augment"
    #: Correct answers may draw from global random state (tests re-run them under several seeds).
    randomized = True

    def probe(self, obj: Any, *, visible: bool = False) -> Data:
        # (seed, eigenvalues, sigma, N per call, H, W, calls)
        plan = [(40, (0.5, 0.1, 0.02), 0.1, 100, 2, 3, 6)] if visible else [
            (40, (0.5, 0.1, 0.02), 0.1, 100, 2, 3, 15),
            (41, (2.0, 0.3, 0.0), 0.5, 100, 3, 2, 15),
            (42, (1.0, 1.0, 0.25), 1.0, 1, 2, 2, 3),
        ]
        cases = []
        for seed, eigvals, sigma, n, h, w, n_calls in plan:
            lam, P = _color_eig(seed, eigvals)
            xs, ys, same_after = [], [], True
            for k in range(n_calls):
                x = np.random.default_rng([seed, k]).uniform(0, 1, (n, 3, h, w))
                x_in, lam_in, P_in = x.copy(), lam.copy(), P.copy()
                y = _array(self, obj(x_in, lam_in, P_in, sigma=sigma, rng=np.random.default_rng([seed, k, 1])),
                           "pca_color_augment(x, eigvals, eigvecs)", x.shape,
                           hint="the output has the shape of x, (N, 3, H, W)")
                same_after &= bool(np.array_equal(x, x_in) and np.array_equal(lam, lam_in) and np.array_equal(P, P_in))
                xs.append(x)
                ys.append(y)
            cases.append({"eigvals": lam, "eigvecs": P, "sigma": sigma, "x": xs, "y": ys, "unmodified": same_after})
        return {"cases": cases}

    def judge(self, data: Data) -> int:
        n_props = 0
        stat_cases = [c for c in data["cases"] if sum(len(x) for x in c["x"]) >= 500]
        p_each = P_FALSE_REJECT / max(1, 9 * len(stat_cases))
        for case in data["cases"]:
            lam, P, sigma = case["eigvals"], case["eigvecs"], case["sigma"]
            where = f"(eigvals {lam.tolist()}, sigma={sigma})"
            expect(self, case["unmodified"], f"x, eigvals and eigvecs must not be modified {where}",
                   expected="inputs unchanged", actual="changed", hint="return x + offset, a new array")
            offsets = []
            for x, y in zip(case["x"], case["y"]):
                delta = y - x                                           # (N, 3, H, W)
                ref = delta[:, :, :1, :1]
                spread = float(np.max(np.abs(delta - ref)))
                expect(self, spread <= 1e-9, f"the offset must be the same at every pixel of an image {where}",
                       expected="y - x constant over (H, W) for each image and channel",
                       actual=f"varies by up to {spread:.3g}",
                       hint="draw alpha once per IMAGE (shape (3,)), not per pixel; add offset[:, :, None, None]")
                d = ref[:, :, 0, 0]                                      # (N, 3)
                if len(d) >= 50:
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
            if m < 500:
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
            z_cross = 1.3 * stats.norm.isf(p_each / 2) / np.sqrt(m)  # products of normals have heavier tails
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


# ---------------------------------------------------------------------------------------
# 6. CutMix
# ---------------------------------------------------------------------------------------

BASE_IMG, BASE_CH, BASE_ROW = 1_000_000, 10_000, 100


def _cutmix_input(n: int, c: int, h: int, w: int) -> np.ndarray:
    """Pixel value encodes (image, channel, row, column) exactly."""
    i, ch, r, col = np.meshgrid(np.arange(n), np.arange(c), np.arange(h), np.arange(w), indexing="ij")
    return (i * BASE_IMG + ch * BASE_CH + r * BASE_ROW + col + 1).astype(np.float64)


@register
class Cutmix(Check):
    id = "02-preprocessing/cutmix"
    #: Correct answers may draw from global random state (tests re-run them under several seeds).
    randomized = True

    def probe(self, obj: Any, *, visible: bool = False) -> Data:
        # (N, C, H, W, K, alpha, calls)
        plan = [(8, 2, 8, 8, 8, 1.0, 10)] if visible else [
            (8, 2, 8, 8, 8, 1.0, 10), (16, 3, 6, 10, 16, 1.0, 40), (12, 1, 9, 7, 5, 0.5, 30)]
        calls = []
        for n, c, h, w, k, alpha, n_calls in plan:
            x = _cutmix_input(n, c, h, w)
            for j in range(n_calls):
                labels = np.arange(n) % k if k == n else np.random.default_rng([n, j]).integers(k, size=n)
                y = np.eye(k)[labels]
                if k != n:  # soft labels too
                    y = 0.8 * y + 0.2 * np.random.default_rng([n, j, 1]).dirichlet(np.ones(k), size=n)
                x_in, y_in = x.copy(), y.copy()
                out = obj(x_in, y_in, alpha=alpha, rng=np.random.default_rng([n, j]))
                if not isinstance(out, (tuple, list)) or len(out) != 2:
                    raise self.fail("cutmix must return a pair (x_mixed, y_mixed)",
                                    expected="(array (N, C, H, W), array (N, K))", actual=type(out).__name__,
                                    hint="end with `return x_mixed, y_mixed`")
                xm = _array(self, out[0], "x_mixed", x.shape, hint="x_mixed has the shape of x")
                ym = _array(self, out[1], "y_mixed", y.shape, hint="y_mixed has the shape of y, (N, K)")
                calls.append({"x": x, "y": y, "xm": xm, "ym": ym, "alpha": alpha,
                              "unmodified": bool(np.array_equal(x, x_in) and np.array_equal(y, y_in))})
        return {"calls": calls}

    def judge(self, data: Data) -> int:
        n_props = 0
        areas, boxes, partner_sets = [], set(), set()
        for call in data["calls"]:
            x, y, xm, ym = call["x"], call["y"], call["xm"], call["ym"]
            n, c, h, w = x.shape
            where = f"(x {x.shape}, alpha={call['alpha']})"
            expect(self, call["unmodified"], f"x and y must not be modified {where}", expected="inputs unchanged",
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
            partners = []
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
                    r0, r1, c0, c1 = rr.min(), rr.max() + 1, cc.min(), cc.max() + 1
                    expect(self, bool(f2[r0:r1, c0:c1].all()) and cnt == (r1 - r0) * (c1 - c0),
                           f"the pasted region must be one axis-aligned rectangle {where}",
                           expected="a filled rectangle", actual=f"image {i}: {cnt} pixels in a {r1 - r0}x{c1 - c0} bounding box")
                    partners.append(j)
                    boxes.add((h, w, int(r0), int(r1), int(c0), int(c1)))
                    want = (1 - a) * y[i] + a * y[j]
                else:
                    want = y[i]
                areas.append(a)
                if not np.allclose(ym[i], want, rtol=1e-6, atol=1e-9):
                    hint = "the label weight is the ACTUAL pasted area after clipping the box to the image: " \
                           "y_mixed = (1 - area / (H W)) y[i] + area / (H W) y[j]"
                    if cnt and np.allclose(ym[i], a * y[i] + (1 - a) * y[j], rtol=1e-6, atol=1e-9):
                        hint = "the weights are swapped: the partner's label gets the share of the pasted area"
                    raise self.fail(f"y_mixed[i] must mix the labels in proportion to the pixels each image "
                                    f"contributes (image {i}: {cnt} of {h * w} pixels from its partner) {where}",
                                    expected=want, actual=ym[i], hint=hint)
            expect(self, len(partners) == len(set(partners)),
                   f"partners must be a random permutation of the batch (no image used twice as a source) {where}",
                   expected="distinct partners", actual=f"partners {partners}",
                   hint="x[perm] with perm = rng.permutation(N)")
            partner_sets.add(tuple(partners))
            n_props += 7
        areas = np.array(areas)
        expect(self, len(np.unique(np.round(areas, 9))) > 5 and areas.max() > 0.3,
               "the pasted area must be random (lambda ~ Beta(alpha, alpha)) and sometimes large",
               expected="many different areas, some above 30 %", actual=f"areas {np.unique(np.round(areas, 3))[:10].tolist()}",
               hint="cut_h = int(H * sqrt(1 - lam)), cut_w = int(W * sqrt(1 - lam))")
        expect(self, len(boxes) > 5, "the box position must be random", expected="boxes in many places",
               actual=f"{len(boxes)} distinct boxes", hint="draw the box centre uniformly over the image")
        expect(self, len(partner_sets) > 1, "the pairing must be random", expected="different permutations",
               actual="always the same pairing", hint="draw a new permutation on every call")
        return n_props + 3


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


@register
class TtaPredict(Check):
    id = "02-preprocessing/tta_predict"

    def probe(self, obj: Any, *, visible: bool = False) -> Data:
        # (seed, N, C, H, W, K, size, flip)
        plan = [(50, 3, 2, 6, 6, 4, 4, True)] if visible else [
            (50, 3, 2, 6, 6, 4, 4, True), (51, 4, 3, 8, 6, 5, 4, False), (52, 1, 1, 7, 9, 3, 5, True),
            (53, 2, 2, 5, 5, 6, 5, True)]
        cases = []
        for seed, n, c, h, w, k, size, flip in plan:
            rng = np.random.default_rng(seed)
            x = rng.standard_normal((n, c, h, w))
            weight = rng.standard_normal((k, c * size * size)) / np.sqrt(c * size * size) * 2.0
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
            n = x.shape[0]
            where = f"(x {x.shape}, size={size}, flip={flip})"
            expect(self, np.array_equal(x, case["x_after"]), f"x must not be modified {where}",
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
