"""02-preprocessing/fit_whitening: PCA and ZCA whitening matrices.

Oracle: the covariance from ``np.cov(bias=True)``; whitened covariance = I; PCA columns are
eigenvectors in decreasing order of eigenvalue (checked sign-free through ``C W = W diag(lambda)``
and ``W W^T = (C + eps I)^{-1}``); ZCA is symmetric, equals
``scipy.linalg.fractional_matrix_power(C + eps I, -1/2)`` and is the whitening closest to the input.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import scipy.linalg

from ..base import Check, Data, expect, expect_close, register
from ..judging import answer_array, answer_field, unchanged
from ..probing import call, raised, returned, student_array
from ..properties import LargeMean

__all__ = ["FitWhitening"]


def _data(seed: int, n: int, d: int, cond: float) -> np.ndarray:
    rng = np.random.default_rng(seed)
    Q, _ = np.linalg.qr(rng.standard_normal((d, d)))
    scales = np.sqrt(np.geomspace(1.0, cond, d))[rng.permutation(d)]
    return rng.uniform(-3, 3, d) + (rng.standard_normal((n, d)) * scales) @ Q.T


def _degenerate(seed: int, n: int, spectrum: tuple[float, ...]) -> np.ndarray:
    """Data whose covariance is exactly Q diag(spectrum) Q^T for a random rotation Q, with a repeated
    eigenvalue: there a general eigensolver (np.linalg.eig) returns eigenvectors that are not orthogonal."""
    d = len(spectrum)
    rng = np.random.default_rng(seed)
    Q, _ = np.linalg.qr(rng.standard_normal((d, d)))
    Z = rng.standard_normal((n, d))
    Z -= Z.mean(axis=0)
    Z = np.linalg.solve(np.linalg.cholesky(Z.T @ Z / n), Z.T).T  # sample covariance I
    return rng.uniform(-3, 3, d) + (Z * np.sqrt(spectrum)) @ Q.T


def _cov(X: np.ndarray) -> np.ndarray:
    return np.atleast_2d(np.cov(X, rowvar=False, bias=True))


def _plan(visible: bool) -> list[tuple[int, int, int, float, str, float]]:
    """(seed, N, D, condition number, method, eps) per case."""
    plan = [(10, 300, 2, 20.0, "pca", 0.0), (10, 300, 2, 20.0, "zca", 0.0)]
    if not visible:
        plan += [(11, 100, 3, 100.0, "pca", 0.0), (11, 100, 3, 100.0, "zca", 0.0),
                 (12, 80, 5, 1e3, "pca", 0.1), (12, 80, 5, 1e3, "zca", 0.1),
                 (13, 50, 4, 10.0, "zca", 0.0), (14, 400, 1, 1.0, "pca", 0.0)]
    return plan


#: (seed, N, eigenvalues, method) of the hidden cases with a repeated eigenvalue
_DEGENERATE = [(15, 200, (1.0, 1.0, 4.0), "pca"), (15, 200, (1.0, 1.0, 4.0), "zca"),
               (16, 150, (2.0, 2.0, 2.0, 5.0), "zca")]
#: methods fit_whitening must refuse with a ValueError (hidden)
_BAD_METHODS = ["cholesky", "none"]


@register
class FitWhitening(Check):
    r"""on random correlated data in 1 to 5 dimensions, with and without `eps`: the mean; that the
    whitened training data has identity covariance (with `eps = 0`); that
    $WW^\top = (C + \varepsilon I)^{-1}$; for PCA, that column $k$ is an eigenvector of $C$ for the
    $k$-th largest eigenvalue (any sign) and the whitened variances are $\lambda/(\lambda+\varepsilon)$;
    for ZCA, that $W$ is symmetric, equals $(C+\varepsilon I)^{-1/2}$ computed by SciPy's
    `fractional_matrix_power`, and keeps the data closer to itself than rotated whitenings do; all
    of this also on data whose covariance has a repeated eigenvalue; that `X` is not modified;
    and, hidden, that another `method` raises `ValueError`."""

    id = "02-preprocessing/fit_whitening"
    properties = (LargeMean("X"),)

    def cases(self, *, visible: bool) -> list[Data]:
        cases = [{"X": _data(seed, n, d, cond), "method": method, "eps": eps}
                 for seed, n, d, cond, method, eps in _plan(visible)]
        if visible:
            return cases
        return cases + [{"X": _degenerate(seed, n, spectrum), "method": method, "eps": 0.0}
                        for seed, n, spectrum, method in _DEGENERATE] + [
            {"X": _data(17, 30, 3, 5.0), "method": method, "eps": 0.0, "raises": True} for method in _BAD_METHODS]

    def answer(self, obj: Any, case: Data) -> Data:
        X, method, eps = case["X"], case["method"], case["eps"]
        d = X.shape[1]
        if case.get("raises"):
            return {"outcome": raised(obj, X, method=method, eps=eps)}
        out = call(self, obj, X, method=method, eps=eps, what=f"fit_whitening(X, method={method!r}, eps={eps:g})")
        mean, W = returned(self, out, ("mean", "W"), "fit_whitening")
        return {"mean": student_array(self, mean, "mean", (d,),
                                      hint="the mean over the N examples, one per feature: (D,)"),
                "W": student_array(self, W, "W", (d, d), hint="W is (D, D): whitened = (X - mean) @ W"),
                "X_after": X}

    def judge_case(self, case: Data, answer: Any) -> int:
        X, eps, method = case["X"], case["eps"], case["method"]
        d = X.shape[1]
        if case.get("raises"):
            outcome = answer_field(self, answer, "outcome", "the outcome of a call that must raise")
            expect(self, isinstance(outcome, str) and outcome == "ValueError",
                   f"fit_whitening(X, method={method!r}) must raise ValueError: only 'pca' and 'zca' exist",
                   expected="ValueError", actual=outcome if isinstance(outcome, str) else repr(outcome)[:100],
                   hint="check the method first and raise ValueError for any other value, instead of "
                        "falling through to one of the two")
            return 1
        mean = answer_array(self, answer, "mean", (d,), "mean")
        W = answer_array(self, answer, "W", (d, d), "W")
        where = f"(method={method!r}, eps={eps:g}, X of shape {X.shape})"
        expect(self, unchanged(self, answer, "X_after", X, "X after the call"), f"X must not be modified {where}",
               expected=X, actual=answer["X_after"], hint="centre into a new array, not with X -= mean")
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
        if method == "zca":
            return 4 + self._judge_zca(X, W, C, eps, scale, where)
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
        return 6

    def _judge_zca(self, X: np.ndarray, W: np.ndarray, C: np.ndarray, eps: float, scale: float, where: str) -> int:
        d = X.shape[1]
        expect_close(self, W, W.T, f"the ZCA matrix must be symmetric {where}", rtol=1e-8, atol=1e-10 * scale,
                     hint="ZCA = U diag(1/sqrt(lambda + eps)) U^T: rotate back with U^T after scaling")
        ref = np.real(scipy.linalg.fractional_matrix_power(C + eps * np.eye(d), -0.5))
        expect_close(self, W, ref, f"the ZCA matrix must be (C + eps I)^(-1/2) {where}",
                     rtol=1e-6, atol=1e-8 * np.sqrt(scale), hint="the symmetric inverse square root of the covariance")
        if eps != 0:
            return 2
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
        return 3
