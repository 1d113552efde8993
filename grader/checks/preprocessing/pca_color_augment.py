"""02-preprocessing/pca_color_augment: AlexNet's PCA colour augmentation.

Oracle: the added offset is constant over the pixels of each image, lies in the span of the
eigenvectors with non-zero eigenvalue, and, mapped back to alpha, is N(0, sigma^2 I): chi-square
tests of the variances, normal tests of the means, a Chernoff bound (exact moment generating
function) for the correlations.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy import stats

from ..base import Case, Check, Data, expect, register
from ..judging import answer_array, answer_list, unchanged
from ..probing import call, student_array
from ..properties import Law, RngArgument
from ..stats import P_FALSE_REJECT, chi2_band, normal_quantile, product_mean_bound

__all__ = ["PcaColorAugment"]

#: Cases with at least this many images in all get the statistical tests.
_MANY = 500


def _plan(visible: bool) -> list[tuple[int, tuple[float, float, float], float, int, int, int, int]]:
    """(seed, eigenvalues, sigma, N per call, H, W, calls) per case."""
    shown = [(40, (0.5, 0.1, 0.02), 0.1, 100, 2, 3, 6)]
    return shown if visible else shown + [
        (40, (0.5, 0.1, 0.02), 0.1, 100, 2, 3, 15),
        (41, (2.0, 0.3, 0.0), 0.5, 100, 3, 2, 15),
        (42, (1.0, 1.0, 0.25), 1.0, 1, 2, 2, 3),
    ]


def _case(seed: int, eigvals: tuple[float, float, float], sigma: float, n: int, h: int, w: int,
          n_calls: int) -> dict[str, Any]:
    """The eigen-decomposition, sigma, the images of every call, and the seed of call k's rng: [seed, k, 1]."""
    rng = np.random.default_rng(seed)
    Q, _ = np.linalg.qr(rng.standard_normal((3, 3)))
    return {"eigvals": np.array(eigvals, dtype=np.float64), "eigvecs": Q, "sigma": sigma, "seed": seed,
            "x": [np.random.default_rng([seed, k]).uniform(0, 1, (n, 3, h, w)) for k in range(n_calls)]}


@register
class PcaColorAugment(Check):
    r"""that the added offset is the same at every pixel of an image and differs between the images
    of a batch; that it lies in the span of the eigenvectors with non-zero eigenvalue (a test case
    has $\lambda_3 = 0$); and, over 1500 images, that the offset's coordinates along the $p_i$,
    divided by $\sigma\lambda_i$, behave like independent standard normal draws (chi-square tests of
    the variances, tests of the means and of the correlations). A wrong scale ($\sqrt{\lambda}$
    instead of $\lambda$, or $\sigma^2$ taken for $\sigma$) or rows taken for columns fail these
    tests. Inputs must not be modified."""

    id = "02-preprocessing/pca_color_augment"
    randomized = True

    def cases(self, *, visible: bool) -> list[Data]:
        return [_case(*row) for row in _plan(visible)]

    def answer(self, obj: Any, case: Data) -> Data:
        lam, P, sigma = case["eigvals"], case["eigvecs"], case["sigma"]
        ys, after = [], {"x_after": [], "eigvals_after": [], "eigvecs_after": []}
        for k, x in enumerate(case["x"]):
            x_in, lam_in, P_in = x.copy(), lam.copy(), P.copy()
            got = call(self, obj, x_in, lam_in, P_in, sigma=sigma, rng=np.random.default_rng([case["seed"], k, 1]),
                       what="pca_color_augment(x, eigvals, eigvecs)")
            ys.append(student_array(self, got, "pca_color_augment(x, eigvals, eigvecs)", x.shape,
                                    hint="the output has the shape of x, (N, 3, H, W)"))
            # the caller's arrays after the call, compared with the inputs by the judge
            for key, arr in (("x_after", x_in), ("eigvals_after", lam_in), ("eigvecs_after", P_in)):
                after[key].append(arr)
        return {"y": ys, **after}

    properties = (
        RngArgument(y=(8, 3, 2, 2)),
        Law("alpha", "Over 20000 images, the coordinate α_1 (the offset along p_1 divided by σλ_1) follows "
                     "the standard normal law (a Kolmogorov-Smirnov test), not only its mean and variance: "
                     "uniform draws with the variance of a normal fail.", cdf=lambda p: stats.norm(),
            params=({"component": 0},), draws=20000,
            hint="alpha = rng.normal(0.0, sigma, size=(N, 3)): Gaussian, one row per image"),
    )

    def draws(self, obj: Any, rng: np.random.Generator, n_draws: int, params: Data) -> Data:
        """For Law: one call on ``n_draws`` black 1 x 1 images; the offsets' coordinates along p_i / (sigma lambda_i)."""
        lam, P, sigma = np.array([0.5, 0.2, 0.05]), np.linalg.qr(np.arange(1.0, 10.0).reshape(3, 3) + np.eye(3))[0], 0.3
        x = np.zeros((n_draws, 3, 1, 1))
        what = f"pca_color_augment(x, eigvals, eigvecs, sigma={sigma}, rng=rng)"
        y = student_array(self, call(self, obj, x, lam.copy(), P.copy(), sigma=sigma, rng=rng, what=what), what, x.shape)
        alpha = (y[:, :, 0, 0] @ P) / (sigma * lam)            # (n, 3): coordinates along the columns p_i
        return {"alpha": alpha[:, params["component"]].copy()}

    def with_rng(self, obj: Any, rng: np.random.Generator) -> Data:
        """Eight 3 x 2 x 2 images with a fixed colour basis, sigma = 0.1 (for RngArgument)."""
        x = np.linspace(0.0, 1.0, 8 * 3 * 2 * 2).reshape(8, 3, 2, 2)
        lam, P = np.array([0.5, 0.2, 0.05]), np.linalg.qr(np.arange(1.0, 10.0).reshape(3, 3) + np.eye(3))[0]
        what = "pca_color_augment(x, eigvals, eigvecs, sigma=0.1, rng=rng)"
        return {"y": student_array(self, call(self, obj, x, lam, P, sigma=0.1, rng=rng, what=what), what, x.shape)}

    def judge_cases(self, cases: list[Case]) -> int:
        """False rejections of a correct answer, by the union bound over at most 9 tests per case with
        >= 500 images plus one "own alpha" test per call, each with probability <= p_each: the sums of
        squares of the alpha_i / sigma are chi-square(m), their means N(0, 1/m), the mean products of two
        components are bounded with their exact moment generating function (a Chernoff bound), and a
        batch whose N offsets all agree to 1e-9 has probability below (2 sqrt(3) 1e-9 / (sqrt(2 pi)
        sigma lambda_max))^(N - 1)."""
        n_stat = sum(sum(len(x) for x in c["x"]) >= _MANY for c, _ in cases)
        p_each = P_FALSE_REJECT / max(1, 9 * n_stat + sum(len(c["x"]) for c, _ in cases))
        return sum(self._judge_case(case, answer, p_each) for case, answer in cases)

    def _judge_case(self, case: Data, answer: Any, p_each: float) -> int:
        lam, P, sigma, xs = case["eigvals"], case["eigvecs"], case["sigma"], case["x"]
        where = f"(eigvals {lam.tolist()}, sigma={sigma})"
        # the answers: one output per call shaped like its input, and the caller's arrays after each call
        ys = answer_list(self, answer, "y", len(xs), "the outputs, one per call")
        ys = [answer_array(self, {"y": y}, "y", x.shape, "pca_color_augment(x, eigvals, eigvecs)")
              for y, x in zip(ys, xs)]
        same = True
        for key, before in (("x_after", None), ("eigvals_after", lam), ("eigvecs_after", P)):
            afters = answer_list(self, answer, key, len(xs), f"{key}, one per call")
            for after, x in zip(afters, xs):
                same &= unchanged(self, {key: after}, key, x if before is None else before, key)
        expect(self, same, f"x, eigvals and eigvecs must not be modified {where}",
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
        n_props = 2
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
        if m < _MANY:  # m = the number of images of the inputs: every output was checked to have its shape
            return n_props
        z = coords[:, ~zero] / (sigma * lam[~zero])                  # should be iid N(0, 1)
        cov_expected = sigma**2 * (P * lam**2) @ P.T
        cov_seen = D.T @ D / m
        shown = dict(expected=f"covariance sigma^2 sum_i lambda_i^2 p_i p_i^T = {np.round(cov_expected, 5).tolist()}",
                     actual=f"covariance of the offsets {np.round(cov_seen, 5).tolist()}")
        hint = ("offset = eigvecs @ (alpha * eigvals) with alpha ~ N(0, sigma^2 I): sigma is the STANDARD "
                "deviation (rng.normal(0, sigma, 3)); scale by lambda_i, not sqrt(lambda_i); p_i = eigvecs[:, i]")
        lo, hi = chi2_band(m, p_each)
        z_mean = normal_quantile(p_each) / np.sqrt(m)
        z_cross = product_mean_bound(m, p_each)
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
        return n_props + 3
