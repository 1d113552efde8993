r"""Gradient checking with centred differences.

.. math:: \frac{\partial f}{\partial x_i} \approx \frac{f(x + h e_i) - f(x - h e_i)}{2h}

has error :math:`O(h^2)`; with float64 and ``h = 1e-5`` a correct analytic gradient
typically agrees to a relative error (:func:`rel_error`) below ``1e-7``; errors above
``1e-4`` almost always mean a bug. Use float64 inputs: float32 rounding swamps the
difference quotient.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

__all__ = ["numerical_gradient", "numerical_gradient_array", "rel_error", "check_gradient"]


def _check_x(x: np.ndarray, h: float) -> None:
    if not isinstance(x, np.ndarray):
        raise TypeError(
            f"x must be a NumPy array, got {type(x).__name__}; "
            "convert with np.asarray(x, dtype=np.float64)"
        )
    if not np.issubdtype(x.dtype, np.floating):
        raise TypeError(
            f"x must have a floating dtype, got {x.dtype}; use x.astype(np.float64)"
        )
    if not h > 0:
        raise ValueError(f"h must be positive, got {h}")


def _perturbed_values(
    f: Callable[[np.ndarray], Any], x: np.ndarray, h: float
) -> Iterator[tuple[tuple[int, ...], Any, Any]]:
    # Yields (index, f(x + h e_i), f(x - h e_i)), perturbing x in place and always
    # restoring it, even when f raises.
    it = np.nditer(x, flags=["multi_index"], op_flags=[["readwrite"]])
    while not it.finished:
        i = it.multi_index
        old = x[i]
        try:
            x[i] = old + h
            plus = f(x)
            x[i] = old - h
            minus = f(x)
        finally:
            x[i] = old
        yield i, plus, minus
        it.iternext()


def numerical_gradient(
    f: Callable[[np.ndarray], float], x: np.ndarray, *, h: float = 1e-5
) -> np.ndarray:
    """Centred-difference gradient of a scalar function.

    Args:
        f: maps an array shaped like ``x`` to a scalar.
        x: the point, any shape (e.g. (D,) or (N, D)); floating dtype, float64 advised.
            Perturbed in place during the call and restored afterwards.
        h: step size.

    Returns:
        ``dx``: float64 array, same shape as ``x``.
    """
    _check_x(x, h)
    dx = np.zeros(x.shape, dtype=np.float64)
    for i, plus, minus in _perturbed_values(f, x, h):
        dx[i] = (float(plus) - float(minus)) / (2.0 * h)
    return dx


def numerical_gradient_array(
    f: Callable[[np.ndarray], np.ndarray],
    x: np.ndarray,
    dout: np.ndarray,
    *,
    h: float = 1e-5,
) -> np.ndarray:
    """Centred-difference vector-Jacobian product, for checking ``<layer>_backward``.

    Computes ``dx[i] = sum(dout * (f(x + h e_i) - f(x - h e_i))) / (2h)``, i.e. the
    gradient of ``sum(f(x) * dout)``.

    Args:
        f: maps an array shaped like ``x`` to an array shaped like ``dout``
            (typically ``lambda x: layer_forward(x, w)[0]``).
        x: the input, any shape; floating dtype. Restored after the call.
        dout: upstream gradient, shape of ``f(x)``.
        h: step size.

    Returns:
        ``dx``: float64 array, same shape as ``x``.
    """
    _check_x(x, h)
    dout = np.asarray(dout, dtype=np.float64)
    dx = np.zeros(x.shape, dtype=np.float64)
    for i, plus, minus in _perturbed_values(f, x, h):
        diff = np.asarray(plus, dtype=np.float64) - np.asarray(minus, dtype=np.float64)
        if diff.shape != dout.shape:
            raise ValueError(f"f(x) has shape {diff.shape} but dout has shape {dout.shape}")
        dx[i] = np.sum(diff * dout) / (2.0 * h)
    return dx


def _to_float64(a: Any) -> np.ndarray:
    if hasattr(a, "detach"):  # torch.Tensor, without importing torch here
        a = a.detach().cpu().numpy()
    return np.asarray(a, dtype=np.float64)


def rel_error(a: Any, b: Any, *, eps: float = 1e-12) -> float:
    """Largest elementwise relative error ``|a - b| / max(eps, |a| + |b|)``.

    The CS231n convention. Accepts floats, NumPy arrays and torch tensors.

    Args:
        a: array of any shape (or scalar).
        b: same shape as ``a``.
        eps: floor of the denominator, so two zeros compare as equal.

    Returns:
        The maximum over elements, a float in [0, 1]; 0.0 for empty inputs.
    """
    a64, b64 = _to_float64(a), _to_float64(b)
    if a64.shape != b64.shape:
        raise ValueError(f"a and b must have the same shape, got {a64.shape} and {b64.shape}")
    if a64.size == 0:
        return 0.0
    err = np.abs(a64 - b64) / np.maximum(eps, np.abs(a64) + np.abs(b64))
    return float(np.max(err))


def check_gradient(
    f: Callable[[np.ndarray], float],
    grad: Callable[[np.ndarray], np.ndarray],
    x: np.ndarray,
    *,
    h: float = 1e-5,
    tol: float = 1e-6,
) -> float:
    """Compare an analytic gradient with centred differences.

    Args:
        f: scalar function of an array shaped like ``x``.
        grad: its claimed gradient, returning an array shaped like ``x``.
        x: the point, any shape; float64 advised. Left unchanged.
        h: finite-difference step.
        tol: largest acceptable :func:`rel_error`.

    Returns:
        The relative error between ``grad(x)`` and the numerical gradient.

    Raises:
        AssertionError: if the shapes differ or the relative error exceeds ``tol``.
    """
    _check_x(x, h)
    analytic = _to_float64(grad(x.copy()))
    if analytic.shape != x.shape:
        raise AssertionError(
            f"grad(x) has shape {analytic.shape} but x has shape {x.shape}; "
            "a gradient has the shape of the variable it is taken with respect to"
        )
    numeric = numerical_gradient(f, x.copy(), h=h)
    err = rel_error(analytic, numeric)
    if not err <= tol:  # also catches NaN
        worst = np.unravel_index(np.argmax(np.abs(analytic - numeric)), x.shape)
        raise AssertionError(
            f"gradient check failed: relative error {err:.3e} exceeds tol {tol:.1e}. "
            f"Largest disagreement at index {tuple(int(i) for i in worst)}: analytic "
            f"{analytic[worst]:.6g} vs numerical {numeric[worst]:.6g}."
        )
    return err
