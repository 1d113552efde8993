"""Tests for course_utils.gradcheck."""

import numpy as np
import pytest
import torch

from course_utils.gradcheck import (
    check_gradient,
    numerical_gradient,
    numerical_gradient_array,
    rel_error,
)

RNG = np.random.default_rng(0)
A = RNG.standard_normal((4, 4))

# (f, closed-form gradient, x); x of several shapes
CASES = {
    "sum of squares": (lambda x: np.sum(x**2), lambda x: 2 * x, RNG.standard_normal(5)),
    "sum of sines": (lambda x: np.sin(x).sum(), np.cos, RNG.standard_normal((3, 4))),
    "log-sum-exp": (lambda x: np.log(np.exp(x).sum()),
                    lambda x: np.exp(x) / np.exp(x).sum(), RNG.standard_normal(6)),
    "quadratic form": (lambda x: x @ A @ x, lambda x: (A + A.T) @ x, RNG.standard_normal(4)),
    "matrix Frobenius": (lambda W: np.sum((W @ np.ones(4)) ** 2),
                         lambda W: 2 * np.outer(W @ np.ones(4), np.ones(4)),
                         RNG.standard_normal((2, 4))),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_numerical_gradient_matches_closed_form(name):
    """Do centred differences reproduce known gradients to about 1e-8?"""
    f, grad, x = CASES[name]
    x = x.copy()
    dx = numerical_gradient(f, x)
    assert dx.shape == x.shape and dx.dtype == np.float64
    assert rel_error(dx, grad(x)) < 1e-7


def test_numerical_gradient_leaves_x_unchanged():
    """Is x bit-for-bit the same after the call?"""
    x = RNG.standard_normal((3, 2))
    before = x.copy()
    numerical_gradient(lambda z: np.sum(z**3), x)
    np.testing.assert_array_equal(x, before)


def test_numerical_gradient_restores_x_when_f_raises():
    """If f raises part-way through, is x still restored?"""
    x = np.arange(4.0)
    calls = []

    def f(z):
        calls.append(1)
        if len(calls) == 3:
            raise RuntimeError("boom")
        return float(z.sum())

    with pytest.raises(RuntimeError, match="boom"):
        numerical_gradient(f, x)
    np.testing.assert_array_equal(x, np.arange(4.0))


@pytest.mark.parametrize("x, h, exc", [
    (np.arange(3), 1e-5, TypeError),
    ([1.0, 2.0], 1e-5, TypeError),
    (np.ones(3), 0.0, ValueError),
])
def test_numerical_gradient_rejects_bad_inputs(x, h, exc):
    """Are integer/non-array points and non-positive steps rejected?"""
    with pytest.raises(exc):
        numerical_gradient(lambda z: 0.0, x, h=h)


def test_numerical_gradient_array_is_a_vector_jacobian_product():
    """For f(x) = x**2 elementwise, is the result 2 x * dout?"""
    x, dout = RNG.standard_normal((3, 4)), RNG.standard_normal((3, 4))
    dx = numerical_gradient_array(lambda z: z**2, x, dout)
    assert rel_error(dx, 2 * x * dout) < 1e-7


def test_numerical_gradient_array_checks_dout_shape():
    """Is a dout of the wrong shape a ValueError naming both shapes?"""
    with pytest.raises(ValueError, match=r"\(3,\).*\(2,\)"):
        numerical_gradient_array(lambda z: z, np.ones(3), np.ones(2))


@pytest.mark.parametrize("a, b, expected", [
    (1.0, 1.0, 0.0),
    (1.0, 3.0, 0.5),
    (0.0, 0.0, 0.0),
    (np.array([1.0, 2.0]), np.array([1.0, 2.2]), 0.2 / 4.2),
    (np.array([[1.0, -1.0]]), np.array([[1.0, 1.0]]), 1.0),
    (torch.tensor([2.0, 4.0]), np.array([2.0, 5.0]), 1.0 / 9.0),
])
def test_rel_error_known_values(a, b, expected):
    """Is rel_error the max of |a-b| / (|a|+|b|) on hand-computed cases?"""
    assert rel_error(a, b) == pytest.approx(expected, rel=1e-6)


def test_rel_error_rejects_shape_mismatch():
    """Is comparing arrays of different shapes an error rather than a broadcast?"""
    with pytest.raises(ValueError, match="same shape"):
        rel_error(np.ones(3), np.ones((3, 1)))


def test_check_gradient_accepts_a_correct_gradient():
    """Does a correct gradient pass and return a tiny relative error?"""
    f, grad, x = CASES["log-sum-exp"]
    assert check_gradient(f, grad, x.copy()) < 1e-7


def test_check_gradient_accepts_a_correct_but_different_formula():
    """Is a gradient written differently (softmax via max-shift) also accepted?"""
    f, _, x = CASES["log-sum-exp"]

    def stable_softmax(z):
        e = np.exp(z - z.max())
        return e / e.sum()

    assert check_gradient(f, stable_softmax, x.copy()) < 1e-7


@pytest.mark.parametrize("bug", [
    lambda x: x,                 # missing factor 2
    lambda x: 2 * x + 1e-3,      # small offset
    lambda x: 2 * x[::-1],       # wrong order
])
def test_check_gradient_rejects_wrong_gradients(bug):
    """Is a buggy gradient rejected with an AssertionError that gives error and tol?"""
    f = CASES["sum of squares"][0]
    x = np.array([0.5, -1.0, 2.0, 3.0])
    with pytest.raises(AssertionError, match=r"relative error .* exceeds tol 1\.0e-06"):
        check_gradient(f, bug, x)


def test_check_gradient_rejects_wrong_shape_and_nan():
    """Are a gradient of the wrong shape and a NaN gradient rejected?"""
    f = CASES["sum of squares"][0]
    with pytest.raises(AssertionError, match="shape"):
        check_gradient(f, lambda x: np.sum(2 * x), np.ones(3))
    with pytest.raises(AssertionError, match="nan"):
        check_gradient(f, lambda x: x * np.nan, np.ones(3))


def test_check_gradient_leaves_x_unchanged_even_if_grad_mutates():
    """Is the caller's x unchanged even when grad modifies its argument?"""
    f = CASES["sum of squares"][0]
    x = np.ones(3)

    def mutating_grad(z):
        z *= 2
        return z

    check_gradient(f, mutating_grad, x)
    np.testing.assert_array_equal(x, np.ones(3))
