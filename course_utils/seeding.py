"""Reproducibility and device choice.

Call :func:`seed_everything` once in a notebook's first cell, then pass the returned
:class:`numpy.random.Generator` (or explicit ``seed`` arguments) to whatever needs
randomness, rather than relying on global state.
"""

from __future__ import annotations

import random
import warnings

import numpy as np
import torch

__all__ = ["seed_everything", "get_device"]

_VALID_PREFER = (None, "cpu", "cuda")


def seed_everything(seed: int = 0) -> np.random.Generator:
    """Seed Python's ``random``, NumPy's global RNG and torch (CPU and every CUDA device).

    Args:
        seed: an integer in ``[0, 2**32)``, the range NumPy's legacy global seed accepts.

    Returns:
        ``np.random.default_rng(seed)``, a fresh generator to pass around explicitly.

    Bit-for-bit reproducibility on GPU additionally needs deterministic kernels
    (``torch.use_deterministic_algorithms(True)``), which this function does not switch on
    because some operations then raise.
    """
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise TypeError(f"seed must be an int, got {seed!r} of type {type(seed).__name__}")
    if not 0 <= seed < 2**32:
        raise ValueError(f"seed must be in [0, 2**32), got {seed}")
    seed = int(seed)
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)  # also seeds every CUDA device
    if torch.cuda.is_available():
        torch.cuda.manual_seed_all(seed)
    return np.random.default_rng(seed)


def get_device(*, prefer: str | None = None) -> torch.device:
    """Return the device to compute on: CUDA when available, else CPU.

    Args:
        prefer: ``None`` picks automatically; ``"cpu"`` forces the CPU; ``"cuda"`` asks
            for the GPU and falls back to the CPU (with a warning) when there is none.

    Returns:
        A :class:`torch.device`.
    """
    if prefer not in _VALID_PREFER:
        raise ValueError(f"prefer must be one of {_VALID_PREFER}, got {prefer!r}")
    if prefer == "cpu":
        return torch.device("cpu")
    if torch.cuda.is_available():
        return torch.device("cuda")
    if prefer == "cuda":
        warnings.warn("CUDA requested but not available; using the CPU.", stacklevel=2)
    return torch.device("cpu")
