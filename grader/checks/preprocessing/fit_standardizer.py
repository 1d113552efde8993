"""02-preprocessing/fit_standardizer: fit on train, apply anywhere.

Oracle: scikit-learn's ``StandardScaler`` fitted on the training split only. The test split has
very different statistics, so statistics taken from it (or from train + test together) are
caught and named.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..base import Check, Data, expect, expect_close, register
from ..judging import answer_array, unchanged
from ..probing import call, student_array
from ..properties import LargeMean

__all__ = ["FitStandardizer"]


#: the standard deviation of the second feature of the case with a constant first one
_TINY = 1e-9


def _case(seed: int, n_train: int, n_test: int, d: int, *, constant: bool = False) -> dict[str, Any]:
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
        # a tiny spread is not a constant: only sigma == 0 is replaced by 1
        X_train[:, 1] = _TINY * rng.standard_normal(n_train)
        X_test[:, 1] = _TINY * (2.0 + 0.5 * rng.standard_normal(n_test))
    return {"X_train": X_train, "X_test": X_test, "X_train2": X_train2, "constant": constant}


def _plan(visible: bool) -> list[tuple[int, int, int, int, bool]]:
    """(seed, n_train, n_test, D, constant first feature) per case."""
    return [(1, 40, 15, 3, False)] if visible else [
        (1, 40, 15, 3, False), (2, 200, 50, 6, False), (3, 30, 7, 4, True), (4, 5, 9, 1, False)]


@register
class FitStandardizer(Check):
    """against scikit-learn's `StandardScaler`, on training and test sets with deliberately
    different statistics: the training data comes out with mean 0 and std 1 per feature; test
    rows (and a single row on its own) are transformed with the *training* statistics, and the
    message tells you if yours came from the test set or from train and test together; a second
    fit does not change the first transform, nor does overwriting the training array after the
    fit; a constant feature maps to 0, and one with a tiny nonzero std is still divided by it;
    inputs are not modified."""

    id = "02-preprocessing/fit_standardizer"
    properties = (LargeMean("X_train", "X_test", "X_train2"),)

    def cases(self, *, visible: bool) -> list[Data]:
        return [_case(seed, n_train, n_test, d, constant=constant)
                for seed, n_train, n_test, d, constant in _plan(visible)]

    def answer(self, obj: Any, case: Data) -> Data:
        X_train, X_test, X_train2 = case["X_train"], case["X_test"], case["X_train2"]
        transform = call(self, obj, X_train, what="fit_standardizer(X_train)")
        if not callable(transform):
            raise self.fail("fit_standardizer(X_train) must return a function transform(X)",
                            expected="a callable", actual=type(transform).__name__,
                            hint="define `def transform(X): ...` inside fit_standardizer and `return transform`")
        Z_test = student_array(self, call(self, transform, X_test, what="transform(X_test)"), "transform(X_test)",
                               X_test.shape, hint="transform returns an array shaped like its input, (M, D)")
        Z_train = student_array(self, call(self, transform, X_train, what="transform(X_train)"),
                                "transform(X_train)", X_train.shape)
        Z_one = student_array(self, call(self, transform, X_test[:1].copy(), what="transform(X_test[:1])"),
                              "transform(X_test[:1])", (1, X_test.shape[1]), hint="a single row (1, D) must work too")
        transform2 = call(self, obj, X_train2, what="fit_standardizer(X_train2)")
        Z_test2 = student_array(self, call(self, transform2, X_test, what="the transform of a second fit"),
                                "the transform of a second fit, applied to X_test", X_test.shape)
        Z_again = student_array(self, call(self, transform, X_test, what="the first transform, applied again"),
                                "the first transform, applied again after a second fit", X_test.shape)
        # a fitted transform keeps its statistics: the caller may reuse the training array afterwards
        X_reused = X_train.copy()
        transform3 = call(self, obj, X_reused, what="fit_standardizer(X_train)")
        X_reused *= 3.0
        X_reused += 7.0
        Z_later = student_array(self, call(self, transform3, X_test, what="transform(X_test)"),
                                "transform(X_test) after the caller overwrote X_train", X_test.shape)
        return {"Z_test": Z_test, "Z_train": Z_train, "Z_one": Z_one, "Z_test2": Z_test2, "Z_again": Z_again,
                "Z_later": Z_later, "X_train_after": X_train, "X_test_after": X_test}

    def judge_case(self, case: Data, answer: Any) -> int:
        from sklearn.preprocessing import StandardScaler

        X_train, X_test, X_train2 = case["X_train"], case["X_test"], case["X_train2"]
        where = f"(train {X_train.shape}, test {X_test.shape})"
        Z = {key: answer_array(self, answer, key, shape, what) for key, shape, what in (
            ("Z_test", X_test.shape, "transform(X_test)"), ("Z_train", X_train.shape, "transform(X_train)"),
            ("Z_one", (1, X_test.shape[1]), "transform(X_test[:1])"),
            ("Z_test2", X_test.shape, "the transform of a second fit, applied to X_test"),
            ("Z_again", X_test.shape, "the first transform, applied again after a second fit"),
            ("Z_later", X_test.shape, "transform(X_test) after the caller overwrote X_train"))}
        for name in ("X_train", "X_test"):
            expect(self, unchanged(self, answer, f"{name}_after", case[name], f"{name} after the calls"),
                   f"{name} must not be modified {where}", expected=case[name], actual=answer[f"{name}_after"],
                   hint="`X -= mean` writes into the caller's array; compute (X - mean) / std into a new one")
        ref = StandardScaler().fit(X_train)
        if case["constant"]:
            expect_close(self, Z["Z_train"][:, 1], ref.transform(X_train)[:, 1],
                         f"a feature with a tiny but nonzero std ({_TINY:g}) must still be divided by its std {where}",
                         rtol=1e-6, atol=1e-6,
                         hint="replace sigma by 1 only where sigma == 0, not below a threshold")
        expect_close(self, Z["Z_train"], ref.transform(X_train),
                     f"transform(X_train) must standardise the training data: every feature mean 0, std 1 {where}",
                     rtol=1e-6, atol=1e-6,
                     hint="mean and std per feature (axis=0); std is the population std (np.std, ddof=0); "
                          "a constant feature (std 0) is divided by 1")
        want = ref.transform(X_test)
        got = Z["Z_test"]
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
        expect_close(self, Z["Z_one"], want[:1], f"transform of a single row must use the training statistics {where}",
                     rtol=1e-6, atol=1e-6, hint="do not compute anything from the rows given to transform")
        expect_close(self, Z["Z_test2"], StandardScaler().fit(X_train2).transform(X_test),
                     f"a second fit_standardizer(X_train2) must use X_train2 only {where}",
                     rtol=1e-6, atol=1e-6, hint="keep no state outside the function (no globals)")
        expect_close(self, Z["Z_again"], want, f"the first transform must be unchanged by a later fit {where}",
                     rtol=1e-6, atol=1e-6, hint="store the statistics in the closure, not in global variables")
        expect_close(self, Z["Z_later"], want,
                     f"a transform must keep the statistics it was fitted with, even after the caller overwrites "
                     f"the array X_train {where}", rtol=1e-6, atol=1e-6,
                     hint="compute mu and sigma once, in fit_standardizer, and let transform use those arrays; "
                          "do not read X_train again inside transform")
        if not case["constant"]:
            return 10
        expect(self, bool(np.all(np.isfinite(Z["Z_train"]))) and np.allclose(Z["Z_train"][:, 0], 0.0),
               "a constant training feature (std 0) must map to 0, not inf or nan",
               expected="zeros in column 0", actual=Z["Z_train"][:, 0],
               hint="replace a std of 0 by 1 before dividing, as scikit-learn does")
        return 10
