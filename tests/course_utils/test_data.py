"""Tests for course_utils.data."""

import dataclasses
import random

import numpy as np
import pytest
import torch

from course_utils import data
from course_utils.data import (
    Quadratic,
    load_digits_split,
    load_mnist1d,
    load_sample_image,
    make_blobs,
    make_logistic_data,
    make_quadratic,
    make_spirals,
    train_val_split,
)
from course_utils.gradcheck import numerical_gradient


# ------------------------------------------------------------------ logistic data

def test_logistic_data_shapes_and_dtypes():
    """Are X (N, D), y (N,) and w_true (D,) float64?"""
    X, y, w = make_logistic_data(500, 7, seed=1)
    assert X.shape == (500, 7) and y.shape == (500,) and w.shape == (7,)
    assert X.dtype == y.dtype == w.dtype == np.float64


def test_logistic_labels_are_binary_with_the_fraction_the_logits_predict():
    """Are labels in {0, 1} with the mean of sigmoid(X w / noise) as their frequency?"""
    X, y, w = make_logistic_data(20_000, 5, seed=2, noise=3.0)
    assert set(np.unique(y)) <= {0.0, 1.0}
    p = 1 / (1 + np.exp(-(X @ w) / 3.0))
    se = np.sqrt(np.sum(p * (1 - p))) / len(y)
    assert abs(y.mean() - p.mean()) < 4 * se
    # calibrated, not just balanced: among confident positives most labels are 1
    assert y[p > 0.9].mean() > 0.85 and y[p < 0.1].mean() < 0.15


def test_logistic_noise_makes_labels_less_predictable():
    """Does a larger noise lower the agreement between labels and the logits' sign?"""
    def agreement(noise):
        X, y, w = make_logistic_data(5000, 5, seed=0, noise=noise)
        return np.mean((X @ w > 0) == (y == 1))
    assert agreement(0.1) > agreement(10.0) + 0.2


def test_logistic_data_is_deterministic_per_seed():
    """Does the same seed give identical data and a different seed different data?"""
    a, b, c = make_logistic_data(50, 3, seed=5), make_logistic_data(50, 3, seed=5), \
        make_logistic_data(50, 3, seed=6)
    for u, v in zip(a, b):
        np.testing.assert_array_equal(u, v)
    assert not np.array_equal(a[0], c[0])


@pytest.mark.parametrize("kwargs", [{"n": 0}, {"d": -1}, {"noise": 0.0}])
def test_logistic_data_rejects_bad_arguments(kwargs):
    """Are non-positive sizes and noise rejected with ValueError?"""
    with pytest.raises(ValueError, match="must be positive"):
        make_logistic_data(**kwargs)


# ---------------------------------------------------------------------- quadratic

@pytest.mark.parametrize("angle", [0.0, 0.4, -1.2])
def test_quadratic_grad_matches_numerical_gradient(angle):
    """Does Quadratic.grad agree with centred differences of Quadratic.f?"""
    q = make_quadratic(eigenvalues=(0.5, 20.0), angle=angle)
    x = np.array([0.7, -1.3])
    np.testing.assert_allclose(q.grad(x), numerical_gradient(q.f, x), rtol=1e-7, atol=1e-8)


def test_quadratic_constants_match_eigvalsh():
    """Are lipschitz / strong_convexity the extreme eigenvalues of A (numpy eigvalsh)?"""
    q = make_quadratic(eigenvalues=(2.0, 3.0, 11.0))
    ev = np.linalg.eigvalsh(q.A)
    assert q.lipschitz == pytest.approx(ev[-1]) == pytest.approx(11.0)
    assert q.strong_convexity == pytest.approx(ev[0]) == pytest.approx(2.0)
    assert q.condition_number == pytest.approx(5.5)


def test_quadratic_angle_rotates_the_eigenbasis():
    """Is (cos a, sin a) the eigenvector of the first eigenvalue after rotating by a?"""
    a = 0.6
    q = make_quadratic(eigenvalues=(1.0, 10.0), angle=a)
    v = np.array([np.cos(a), np.sin(a)])
    np.testing.assert_allclose(q.A @ v, 1.0 * v, atol=1e-12)
    np.testing.assert_allclose(q.A, q.A.T)


def test_quadratic_minimizer_and_value():
    """Is the minimiser a zero of the gradient, and f the stated formula?"""
    q = Quadratic(A=np.array([[3.0, 1.0], [1.0, 2.0]]), b=np.array([1.0, -1.0]))
    np.testing.assert_allclose(q.grad(q.minimizer), 0.0, atol=1e-12)
    x = np.array([1.0, 2.0])
    assert q.f(x) == pytest.approx(0.5 * x @ q.A @ x - q.b @ x)
    np.testing.assert_array_equal(make_quadratic().b, np.zeros(2))


def test_quadratic_is_immutable():
    """Can neither the fields nor the arrays of a Quadratic be changed?"""
    q = make_quadratic()
    with pytest.raises(dataclasses.FrozenInstanceError):
        q.A = np.eye(2)
    with pytest.raises(ValueError):
        q.A[0, 0] = 5.0


@pytest.mark.parametrize("kwargs, match", [
    ({"eigenvalues": (1.0, 0.0)}, "positive"),
    ({"eigenvalues": (1.0, 2.0, 3.0), "angle": 0.5}, "2-D"),
    ({"eigenvalues": ()}, "non-empty"),
])
def test_make_quadratic_rejects_bad_arguments(kwargs, match):
    """Are non-positive eigenvalues and angles outside 2-D rejected?"""
    with pytest.raises(ValueError, match=match):
        make_quadratic(**kwargs)


def test_quadratic_rejects_non_spd_matrix_and_wrong_point_shape():
    """Does Quadratic refuse an indefinite A, and f a point of the wrong shape?"""
    with pytest.raises(ValueError, match="positive definite"):
        Quadratic(A=np.diag([1.0, -1.0]), b=np.zeros(2))
    with pytest.raises(ValueError, match=r"\(2,\)"):
        make_quadratic().f(np.zeros(3))


# -------------------------------------------------------------------- toy 2-D sets

def test_spirals_shapes_classes_and_determinism():
    """Are spirals (N, 2) float64 with balanced int64 labels, repeatable per seed?"""
    X, y = make_spirals(50, 4, seed=1)
    assert X.shape == (200, 2) and X.dtype == np.float64
    assert y.dtype == np.int64 and np.bincount(y).tolist() == [50] * 4
    assert np.all(np.linalg.norm(X, axis=1) <= 1.0 + 1e-12)
    np.testing.assert_array_equal(X, make_spirals(50, 4, seed=1)[0])
    assert not np.array_equal(X, make_spirals(50, 4, seed=2)[0])


def test_blobs_shapes_and_labels():
    """Are blobs (N, 2) float64 with int64 labels 0..C-1, repeatable per seed?"""
    X, y = make_blobs(90, centers=3, std=0.5, seed=0)
    assert X.shape == (90, 2) and X.dtype == np.float64
    assert y.dtype == np.int64 and sorted(np.unique(y)) == [0, 1, 2]
    np.testing.assert_array_equal(X, make_blobs(90, centers=3, std=0.5, seed=0)[0])


# ---------------------------------------------------------------------- MNIST-1D

def test_mnist1d_is_generated_with_the_right_shapes():
    """Is a fresh MNIST-1D (n=4000) built offline with the documented arrays?
    (How long it takes is measured by `make bench`, not asserted here.)"""
    data._mnist1d_cached.cache_clear()
    d = load_mnist1d()
    assert d["x"].shape == (3200, 40) and d["x"].dtype == np.float32
    assert d["x_test"].shape == (800, 40) and d["x_test"].dtype == np.float32
    assert d["y"].shape == (3200,) and d["y"].dtype == np.int64
    assert d["y_test"].shape == (800,) and d["y_test"].dtype == np.int64
    assert sorted(np.unique(d["y"])) == list(range(10))


def test_mnist1d_cache_hands_out_independent_copies():
    """Is a repeated call served from the cache, and does editing one result leave the next intact?"""
    d = load_mnist1d()
    hits = data._mnist1d_cached.cache_info().hits
    d["x"][:] = 0.0
    again = load_mnist1d()
    assert data._mnist1d_cached.cache_info().hits == hits + 1
    assert np.abs(again["x"]).sum() > 0


def test_mnist1d_is_deterministic_and_seeded():
    """Does the same seed rebuild the same data, and another seed different data?"""
    build = data._mnist1d_cached.__wrapped__  # bypass the cache
    a, b, c = build(100, 1), build(100, 1), build(100, 2)
    np.testing.assert_array_equal(a["x"], b["x"])
    assert not np.array_equal(a["x"], c["x"])


def test_mnist1d_leaves_global_random_state_alone():
    """Does building MNIST-1D keep the notebook's global random/NumPy streams intact?"""
    random.seed(0), np.random.seed(0)
    expected = random.random(), np.random.rand()
    random.seed(0), np.random.seed(0)
    data._mnist1d_cached.__wrapped__(50, 3)
    assert (random.random(), np.random.rand()) == expected


def test_mnist1d_rejects_n_not_multiple_of_ten():
    """Is an n that cannot be split evenly between the 10 digits rejected?"""
    with pytest.raises(ValueError, match="multiple of 10"):
        load_mnist1d(n=105)


# --------------------------------------------------------------- sklearn bundles

def test_digits_split_is_scaled_typed_and_stratified():
    """Are digits float32 in [0, 1], labels int64, and class shares kept in both parts?"""
    Xtr, ytr, Xva, yva = load_digits_split(val_fraction=0.25, seed=0)
    assert Xtr.dtype == Xva.dtype == np.float32 and Xtr.shape[1] == 64
    assert ytr.dtype == yva.dtype == np.int64
    assert len(Xtr) + len(Xva) == 1797 and len(Xva) == pytest.approx(0.25 * 1797, abs=1)
    assert Xtr.min() >= 0.0 and Xtr.max() == 1.0
    share_tr = np.bincount(ytr, minlength=10) / len(ytr)
    share_va = np.bincount(yva, minlength=10) / len(yva)
    np.testing.assert_allclose(share_tr, share_va, atol=0.01)


def test_sample_image_is_rgb_uint8():
    """Is the bundled china.jpg an (H, W, 3) uint8 image?"""
    img = load_sample_image()
    assert img.shape == (427, 640, 3) and img.dtype == np.uint8


def test_sample_image_unknown_name_lists_valid_names():
    """Does an unknown image name raise ValueError listing the valid names?"""
    with pytest.raises(ValueError, match="flower.jpg"):
        load_sample_image("cat.jpg")


# ------------------------------------------------------------------------ splits

def test_train_val_split_partitions_and_shuffles():
    """Are the two parts disjoint, complete, aligned with y, shuffled and repeatable?"""
    X = np.arange(100)[:, None] * np.ones((1, 3))
    y = np.arange(100)
    Xtr, ytr, Xva, yva = train_val_split(X, y, val_fraction=0.3, seed=4)
    assert len(Xva) == 30 and len(Xtr) == 70
    np.testing.assert_array_equal(Xtr[:, 0], ytr)
    assert sorted(np.concatenate([ytr, yva]).tolist()) == list(range(100))
    assert not np.array_equal(ytr, np.sort(ytr))
    np.testing.assert_array_equal(ytr, train_val_split(X, y, val_fraction=0.3, seed=4)[1])


def test_train_val_split_accepts_tensors():
    """Does the split keep torch tensors as tensors?"""
    Xtr, ytr, Xva, yva = train_val_split(torch.zeros(10, 2), torch.arange(10))
    assert isinstance(Xtr, torch.Tensor) and Xtr.shape == (8, 2) and yva.shape == (2,)


@pytest.mark.parametrize("X, y, frac, match", [
    (np.zeros(10), np.zeros(9), 0.2, "same length"),
    (np.zeros(10), np.zeros(10), 1.0, "between 0 and 1"),
    (np.zeros(3), np.zeros(3), 0.01, "empty part"),
])
def test_train_val_split_rejects_bad_arguments(X, y, frac, match):
    """Are mismatched lengths and unusable fractions rejected with ValueError?"""
    with pytest.raises(ValueError, match=match):
        train_val_split(X, y, val_fraction=frac)
