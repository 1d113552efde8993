"""Small data sets for the course, all generated or loaded offline.

Every generator takes a ``seed`` and is deterministic: the same arguments give the same
arrays, and no function touches the global random state (``np.random.seed``) that a
notebook may have set. Arrays are NumPy float64 unless a docstring says otherwise.
Shape letters are those of :mod:`course_utils`.
"""

from __future__ import annotations

import functools
import importlib.resources
import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = [
    "Quadratic",
    "make_logistic_data",
    "make_quadratic",
    "make_spirals",
    "make_blobs",
    "load_mnist1d",
    "load_digits_split",
    "load_sample_image",
    "train_val_split",
]


def _check_positive_int(name: str, value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be an int, got {value!r} of type {type(value).__name__}")
    if value <= 0:
        raise ValueError(f"{name} must be positive, got {value}")


def _check_fraction(name: str, value: float) -> None:
    if not 0.0 < value < 1.0:
        raise ValueError(f"{name} must be strictly between 0 and 1, got {value}")


# --------------------------------------------------------------------------- logistic


def make_logistic_data(
    n: int = 10_000, d: int = 20, *, seed: int = 0, noise: float = 1.0
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    r"""Sample a binary classification problem from a logistic model.

    .. math:: w^\star \sim \mathcal N(0, I_D),\quad x_i \sim \mathcal N(0, I_D),\quad
              P(y_i = 1 \mid x_i) = \sigma(x_i^\top w^\star / \text{noise})

    Args:
        n: number of examples N.
        d: number of features D.
        seed: seed of the generator.
        noise: temperature of the logits; larger means noisier labels. Must be positive.

    Returns:
        ``(X, y, w_true)``:

        - ``X``: (N, D) standard-normal features.
        - ``y``: (N,) labels, float64 values in {0., 1.}.
        - ``w_true``: (D,) the weights that generated the labels.
    """
    _check_positive_int("n", n)
    _check_positive_int("d", d)
    if not noise > 0:
        raise ValueError(f"noise must be positive, got {noise}")
    rng = np.random.default_rng(seed)
    w_true = rng.standard_normal(d)
    X = rng.standard_normal((n, d))
    logits = X @ w_true / noise  # (N,)
    p = 0.5 * (1.0 + np.tanh(0.5 * logits))  # sigmoid without overflow warnings
    y = (rng.random(n) < p).astype(np.float64)
    return X, y, w_true


# -------------------------------------------------------------------------- quadratic


@dataclass(frozen=True, eq=False)
class Quadratic:
    r"""The quadratic :math:`f(x) = \tfrac12 x^\top A x - b^\top x`.

    Attributes:
        A: (D, D) symmetric positive definite matrix (read-only).
        b: (D,) linear term (read-only).
    """

    A: np.ndarray
    b: np.ndarray

    def __post_init__(self) -> None:
        A = np.array(self.A, dtype=np.float64)
        b = np.array(self.b, dtype=np.float64)
        if A.ndim != 2 or A.shape[0] != A.shape[1]:
            raise ValueError(f"A must be a square (D, D) matrix, got shape {A.shape}")
        if b.shape != (A.shape[0],):
            raise ValueError(f"b must have shape ({A.shape[0]},) to match A, got {b.shape}")
        if not np.allclose(A, A.T):
            raise ValueError("A must be symmetric; pass (A + A.T) / 2 instead")
        if np.linalg.eigvalsh(A)[0] <= 0:
            raise ValueError(
                f"A must be positive definite, its smallest eigenvalue is "
                f"{np.linalg.eigvalsh(A)[0]:.3g}"
            )
        A.setflags(write=False)
        b.setflags(write=False)
        # frozen dataclass: bypass __setattr__ to store the validated read-only copies
        object.__setattr__(self, "A", A)
        object.__setattr__(self, "b", b)

    @property
    def dim(self) -> int:
        """The dimension D."""
        return self.A.shape[0]

    def f(self, x: np.ndarray) -> float:
        """Value at ``x`` of shape (D,)."""
        x = self._check_point(x)
        return float(0.5 * x @ self.A @ x - self.b @ x)

    def grad(self, x: np.ndarray) -> np.ndarray:
        """Gradient ``A x - b`` at ``x`` of shape (D,); returns shape (D,)."""
        x = self._check_point(x)
        return self.A @ x - self.b

    @property
    def lipschitz(self) -> float:
        """L, the largest eigenvalue of A (the gradient's Lipschitz constant)."""
        return float(np.linalg.eigvalsh(self.A)[-1])

    @property
    def strong_convexity(self) -> float:
        """mu, the smallest eigenvalue of A."""
        return float(np.linalg.eigvalsh(self.A)[0])

    @property
    def condition_number(self) -> float:
        """kappa = L / mu."""
        return self.lipschitz / self.strong_convexity

    @property
    def minimizer(self) -> np.ndarray:
        """x* = A^{-1} b, shape (D,)."""
        return np.linalg.solve(self.A, self.b)

    def _check_point(self, x: np.ndarray) -> np.ndarray:
        x = np.asarray(x, dtype=np.float64)
        if x.shape != (self.dim,):
            raise ValueError(f"x must have shape ({self.dim},), got {x.shape}")
        return x


def make_quadratic(
    *, eigenvalues: Sequence[float] = (1.0, 10.0), angle: float = 0.0
) -> Quadratic:
    r"""Build :math:`f(x) = \tfrac12 x^\top A x` with prescribed eigenvalues (``b = 0``).

    ``A = R diag(eigenvalues) R^T`` with R the rotation by ``angle``, so the minimiser is
    the origin, ``lipschitz == max(eigenvalues)`` and
    ``strong_convexity == min(eigenvalues)``.

    Args:
        eigenvalues: the D positive eigenvalues of A.
        angle: rotation of the eigenbasis in radians; only for D = 2 (must be 0 otherwise).

    Returns:
        A :class:`Quadratic` with ``A`` of shape (D, D) and ``b`` of shape (D,).
    """
    lam = np.asarray(eigenvalues, dtype=np.float64)
    if lam.ndim != 1 or lam.size == 0:
        raise ValueError(f"eigenvalues must be a non-empty sequence, got {eigenvalues!r}")
    if not np.all(np.isfinite(lam)) or np.any(lam <= 0):
        raise ValueError(f"eigenvalues must all be positive and finite, got {eigenvalues!r}")
    if angle != 0.0 and lam.size != 2:
        raise ValueError(
            f"angle only applies to 2-D quadratics, got angle={angle} with "
            f"{lam.size} eigenvalues; pass angle=0.0"
        )
    c, s = np.cos(angle), np.sin(angle)
    R = np.array([[c, -s], [s, c]]) if lam.size == 2 else np.eye(lam.size)
    A = R @ np.diag(lam) @ R.T
    A = 0.5 * (A + A.T)  # exact symmetry despite rounding
    return Quadratic(A=A, b=np.zeros(lam.size))


# --------------------------------------------------------------------- 2-D toy sets


def make_spirals(
    n_per_class: int = 100, n_classes: int = 3, *, noise: float = 0.2, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Interleaved spirals, one arm per class (the CS231n toy set).

    Args:
        n_per_class: points per class.
        n_classes: number of classes C (arms).
        noise: standard deviation of the noise added to each point's angle (radians).
        seed: seed of the generator.

    Returns:
        ``(X, y)``: ``X`` (N, 2) points with N = n_per_class * C, radius in [0, 1];
        ``y`` (N,) int64 labels in ``0 .. C-1``, sorted by class.
    """
    _check_positive_int("n_per_class", n_per_class)
    _check_positive_int("n_classes", n_classes)
    if noise < 0:
        raise ValueError(f"noise must be non-negative, got {noise}")
    rng = np.random.default_rng(seed)
    X = np.empty((n_per_class * n_classes, 2))
    y = np.empty(n_per_class * n_classes, dtype=np.int64)
    r = np.linspace(0.0, 1.0, n_per_class)
    for k in range(n_classes):
        rows = slice(k * n_per_class, (k + 1) * n_per_class)
        t = np.linspace(4.0 * k, 4.0 * (k + 1), n_per_class)
        t = t + noise * rng.standard_normal(n_per_class)
        X[rows] = np.column_stack([r * np.sin(t), r * np.cos(t)])
        y[rows] = k
    return X, y


def make_blobs(
    n: int = 300, *, centers: int = 3, std: float = 1.0, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Isotropic Gaussian blobs in 2-D (wraps :func:`sklearn.datasets.make_blobs`).

    Centres are drawn uniformly in the box [-10, 10]^2.

    Args:
        n: number of points N, split as evenly as possible between the blobs.
        centers: number of blobs C.
        std: standard deviation of each blob.
        seed: seed of the generator.

    Returns:
        ``(X, y)``: ``X`` (N, 2) float64 points; ``y`` (N,) int64 labels in ``0 .. C-1``.
    """
    from sklearn.datasets import make_blobs as sk_make_blobs

    _check_positive_int("n", n)
    _check_positive_int("centers", centers)
    if not std > 0:
        raise ValueError(f"std must be positive, got {std}")
    X, y = sk_make_blobs(
        n_samples=n, n_features=2, centers=centers, cluster_std=std, random_state=seed
    )
    return X.astype(np.float64), y.astype(np.int64)


# ---------------------------------------------------------------------- MNIST-1D


@functools.cache
def _mnist1d_cached(n: int, seed: int) -> dict[str, np.ndarray]:
    # Builds the data set with mnist1d's own generator (never its download path).
    from mnist1d.data import get_dataset_args, make_dataset

    args = get_dataset_args()
    args.num_samples = n
    args.seed = seed
    # make_dataset reseeds the global `random` and NumPy RNGs; put them back afterwards
    # so loading data does not change what a notebook's later random draws are.
    py_state, np_state = random.getstate(), np.random.get_state()
    try:
        raw = make_dataset(args)
    finally:
        random.setstate(py_state)
        np.random.set_state(np_state)
    out = {
        "x": raw["x"].astype(np.float32),
        "y": raw["y"].astype(np.int64),
        "x_test": raw["x_test"].astype(np.float32),
        "y_test": raw["y_test"].astype(np.int64),
    }
    for arr in out.values():
        arr.setflags(write=False)
    return out


def load_mnist1d(*, n: int = 4000, seed: int = 0) -> dict[str, np.ndarray]:
    """MNIST-1D (Greydanus 2020), generated locally by the ``mnist1d`` package.

    The package's default arguments are used, except ``num_samples=n`` and ``seed``;
    80 % of the examples go to training, 20 % to test. The first call for given
    arguments takes about 2 s; later calls are served from an in-process cache.

    Args:
        n: total number of examples, a positive multiple of 10 (the number of classes).
        seed: seed of the generator.

    Returns:
        A dict with fresh, writable copies of

        - ``"x"``: (N_train, 40) float32 signals, ``"y"``: (N_train,) int64 labels 0..9;
        - ``"x_test"``: (N_test, 40) float32, ``"y_test"``: (N_test,) int64;

        with N_train = 0.8 n and N_test = 0.2 n.
    """
    _check_positive_int("n", n)
    if n % 10 != 0:
        raise ValueError(f"n must be a multiple of 10 (one share per digit), got {n}")
    return {k: v.copy() for k, v in _mnist1d_cached(int(n), int(seed)).items()}


# ------------------------------------------------------------- bundled sklearn data


def load_digits_split(
    *, val_fraction: float = 0.2, seed: int = 0
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The 8x8 handwritten digits of :func:`sklearn.datasets.load_digits`, split in two.

    The split is stratified: each class keeps its share in both halves.

    Args:
        val_fraction: share of the 1797 images that goes to validation.
        seed: seed of the split.

    Returns:
        ``(X_train, y_train, X_val, y_val)``: ``X_*`` (N, 64) float32 pixels in [0, 1]
        (reshape to (N, 8, 8) to view); ``y_*`` (N,) int64 labels 0..9.
    """
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    _check_fraction("val_fraction", val_fraction)
    digits = load_digits()
    X = (digits.data / 16.0).astype(np.float32)  # raw pixels are counts 0..16
    y = digits.target.astype(np.int64)
    X_train, X_val, y_train, y_val = train_test_split(
        X, y, test_size=val_fraction, stratify=y, random_state=seed
    )
    return X_train, y_train, X_val, y_val


def _sample_image_names() -> list[str]:
    files = importlib.resources.files("sklearn.datasets.images")
    return sorted(p.name for p in files.iterdir() if p.name.endswith(".jpg"))


def load_sample_image(name: str = "china.jpg") -> np.ndarray:
    """One of scikit-learn's bundled photographs.

    Args:
        name: file name, one of ``"china.jpg"``, ``"flower.jpg"``.

    Returns:
        (H, W, 3) uint8 RGB image (427 x 640 for both bundled images).
    """
    from sklearn.datasets import load_sample_image as sk_load_sample_image

    valid = _sample_image_names()
    if name not in valid:
        raise ValueError(f"unknown sample image {name!r}; choose one of {valid}")
    return np.asarray(sk_load_sample_image(name), dtype=np.uint8)


# ------------------------------------------------------------------------- splits


def train_val_split(
    X: Any, y: Any, *, val_fraction: float = 0.2, seed: int = 0
) -> tuple[Any, Any, Any, Any]:
    """Shuffle ``(X, y)`` and split off a validation set.

    Args:
        X: (N, ...) inputs, a NumPy array or torch tensor.
        y: (N, ...) targets, same type as ``X``.
        val_fraction: share of examples that go to validation (rounded, at least one in
            each part).
        seed: seed of the shuffle.

    Returns:
        ``(X_train, y_train, X_val, y_val)`` with N_train + N_val = N, of the input types.
    """
    _check_fraction("val_fraction", val_fraction)
    n = len(X)
    if len(y) != n:
        raise ValueError(f"X and y must have the same length, got {n} and {len(y)}")
    n_val = int(round(n * val_fraction))
    if n_val < 1 or n_val > n - 1:
        raise ValueError(
            f"val_fraction={val_fraction} of {n} examples leaves an empty part; "
            "use more examples or a fraction nearer 0.5"
        )
    perm = np.random.default_rng(seed).permutation(n)
    val_idx, train_idx = perm[:n_val], perm[n_val:]
    return X[train_idx], y[train_idx], X[val_idx], y[val_idx]
