"""Tests for course_utils.seeding."""

import random

import numpy as np
import pytest
import torch

from course_utils.seeding import get_device, seed_everything


def _draws():
    return random.random(), np.random.rand(), torch.rand(1).item()


def test_seed_everything_makes_global_draws_repeatable():
    """Do random, NumPy's global RNG and torch repeat their draws after reseeding?"""
    seed_everything(3)
    first = _draws()
    seed_everything(3)
    assert _draws() == first
    seed_everything(4)
    assert _draws() != first


def test_seed_everything_returns_the_matching_generator():
    """Is the returned generator np.random.default_rng(seed)?"""
    rng = seed_everything(7)
    assert isinstance(rng, np.random.Generator)
    np.testing.assert_array_equal(rng.random(5), np.random.default_rng(7).random(5))


@pytest.mark.parametrize("seed, exc", [(-1, ValueError), (2**32, ValueError),
                                       (1.5, TypeError), (True, TypeError)])
def test_seed_everything_rejects_bad_seeds(seed, exc):
    """Is a seed NumPy cannot use rejected with a message naming it?"""
    with pytest.raises(exc, match="seed"):
        seed_everything(seed)


def test_get_device_default_follows_cuda_availability():
    """Is the default device CUDA exactly when CUDA is available?"""
    expected = "cuda" if torch.cuda.is_available() else "cpu"
    assert get_device().type == expected


def test_get_device_prefer_cpu_forces_cpu():
    """Does prefer='cpu' return the CPU whatever hardware there is?"""
    assert get_device(prefer="cpu") == torch.device("cpu")


def test_get_device_rejects_unknown_preference():
    """Is an unknown preference a ValueError listing the valid ones?"""
    with pytest.raises(ValueError, match="'cpu'"):
        get_device(prefer="gpu")


@pytest.mark.skipif(torch.cuda.is_available(), reason="fallback only happens without CUDA")
def test_get_device_prefer_cuda_falls_back_with_warning():
    """Without CUDA, does prefer='cuda' warn and give the CPU?"""
    with pytest.warns(UserWarning, match="CUDA"):
        assert get_device(prefer="cuda").type == "cpu"
