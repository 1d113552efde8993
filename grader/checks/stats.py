"""The statistics of randomized checks: one false-rejection budget, and the bands that spend it.

A randomized check (``Check.randomized = True``) accepts any random stream, so it judges
samples by their law, never by their values. Each statistical property rejects a correct answer
with a probability it can bound; a check splits :data:`P_FALSE_REJECT` between its properties by
the union bound (``P_FALSE_REJECT / number of properties``), and gives each property its share as
``alpha`` below. Every band here is two-sided unless it says otherwise.

* counts: :func:`binomial_band` (exact), :func:`all_equal_bound` (a value that never varies);
* sums of squares: :func:`chi2_band` (exact);
* means and variances of large samples: :func:`mean_radius`, :func:`variance_radius`,
  :func:`correlation_radius` (normal approximations), :func:`bernstein_radius` (a proof, for
  bounded draws), :func:`product_mean_bound` (a Chernoff bound, products of two normals);
* extremes: :func:`uniform_max_gap`;
* laws: :func:`ks_test` (Kolmogorov-Smirnov, against a CDF or a reference sample).
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import scipy.optimize
from scipy import stats

__all__ = [
    "P_FALSE_REJECT",
    "P_PROPERTY",
    "binomial_band",
    "all_equal_bound",
    "chi2_band",
    "normal_quantile",
    "mean_radius",
    "variance_radius",
    "correlation_radius",
    "bernstein_radius",
    "product_mean_bound",
    "uniform_max_gap",
    "ks_test",
]

#: Largest probability with which a statistical check may reject a correct answer
#: (per check; split it between its statistical properties by the union bound).
P_FALSE_REJECT = 1e-9

#: The share of each case of a statistical property the check declares
#: (:class:`grader.checks.properties.Law`, :class:`~grader.checks.properties.Independent`): a
#: check's false-rejection probability is at most P_FALSE_REJECT for its own tests plus P_PROPERTY
#: per such case, and tests/test_properties.py keeps the cases of every check within another
#: P_FALSE_REJECT, so a correct answer is rejected with probability below 2e-9 per check in all.
P_PROPERTY = 1e-10


def binomial_band(m: int, p: float, alpha: float) -> tuple[float, float]:
    """(lo, hi): a Binomial(m, p) count falls below lo or above hi with probability <= alpha (exactly)."""
    return float(stats.binom.ppf(alpha / 2, m, p)), float(stats.binom.isf(alpha / 2, m, p))


def all_equal_bound(m: int, u: float, rho: float) -> float:
    """Upper bound on P(all the values shown are equal, or none is shown) when each of ``m`` independent
    calls shows a value with probability >= ``u``, the values shown being i.i.d. with every single value
    of probability <= ``rho``. Given S = s values shown they are all equal with probability <= rho^(s - 1),
    and S is at least as large as a Binomial(m, u) count, so the bound is E[rho^max(S - 1, 0)] for that count."""
    shown = np.arange(m + 1)
    return float(np.sum(stats.binom.pmf(shown, m, u) * rho ** np.maximum(shown - 1, 0)))


def chi2_band(df: int, alpha: float) -> tuple[float, float]:
    """(lo, hi): a chi-square(df) variable (a sum of df squared standard normals) falls outside
    [lo, hi] with probability alpha (exactly)."""
    return float(stats.chi2.ppf(alpha / 2, df)), float(stats.chi2.isf(alpha / 2, df))


def normal_quantile(alpha: float) -> float:
    """z with P(|Z| > z) = alpha for a standard normal Z."""
    return float(stats.norm.isf(alpha / 2))


def mean_radius(n: int, std: float, alpha: float) -> float:
    """The mean of ``n`` i.i.d. draws of standard deviation ``std`` lies within this of the true
    mean but with probability about ``alpha`` (normal approximation, for large n)."""
    return normal_quantile(alpha) * std / math.sqrt(n)


def variance_radius(n: int, var: float, kurtosis: float, alpha: float) -> float:
    """The sample variance of ``n`` i.i.d. draws of variance ``var`` and kurtosis ``kurtosis``
    (E[(x - mu)^4] / var^2: 1.8 uniform, 3 normal) lies within this of ``var`` but with probability
    about ``alpha``: its variance is (kurtosis - 1) var^2 / n (normal approximation)."""
    return normal_quantile(alpha) * var * math.sqrt((kurtosis - 1.0) / n)


def correlation_radius(n: int, alpha: float) -> float:
    """The correlation of ``n`` pairs of independent draws lies within this of 0 but with
    probability about ``alpha`` (its standard deviation is 1 / sqrt(n))."""
    return normal_quantile(alpha) / math.sqrt(n)


def bernstein_radius(m: int, var: np.ndarray, b: np.ndarray, alpha: float) -> np.ndarray:
    """eps with P(|mean of m draws - their expectation| >= eps) <= alpha, per coordinate, for
    independent draws of variance ``var`` and at most ``b`` from their expectation (Bernstein's
    inequality: 2 exp(-m eps^2 / (2 var + 2 b eps / 3)) = alpha, solved for eps)."""
    L = np.log(2.0 / alpha)
    return (2 * b * L / 3 + np.sqrt((2 * b * L / 3) ** 2 + 8 * m * var * L)) / (2 * m)


def product_mean_bound(m: int, alpha: float) -> float:
    """tau with P(|mean of m products Z_k Z'_k| > tau) <= alpha for independent standard normals Z, Z'.

    Chernoff: E exp(s Z Z') = (1 - s^2)^(-1/2) for |s| < 1, so P(mean >= tau) <= exp(m (-log(1 - s^2) / 2 - s tau))
    for every s in (0, 1); the best s solves s / (1 - s^2) = tau. Both tails together: twice that.
    """
    def log_tail(tau: float) -> float:
        s = (np.sqrt(1 + 4 * tau * tau) - 1) / (2 * tau)
        return m * (-0.5 * np.log1p(-s * s) - s * tau) + np.log(2.0)

    return float(scipy.optimize.brentq(lambda tau: log_tail(tau) - np.log(alpha), 1e-9, 50.0))


def uniform_max_gap(n: int, alpha: float) -> float:
    """d with P(max |w| < r (1 - d)) <= alpha for ``n`` i.i.d. draws of U(-r, r): (1 - d)^n <= alpha
    for d = -log(alpha) / n (one-sided)."""
    return -math.log(alpha) / n


def ks_test(sample: np.ndarray, reference: Callable[[np.ndarray], np.ndarray] | np.ndarray) -> tuple[float, float]:
    """(statistic, p-value) of the Kolmogorov-Smirnov test of ``sample`` against ``reference``: a
    CDF (one-sample test) or another sample (two-sample test, asymptotic p-value). A correct
    answer's p-value falls below alpha with probability alpha."""
    if callable(reference):
        result = stats.kstest(sample, reference)
    else:
        result = stats.ks_2samp(sample, reference, method="asymp")
    return float(result.statistic), float(result.pvalue)
