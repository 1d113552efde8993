"""Helpers shared by every notebook of "Training Neural Networks".

One module per concern:

- :mod:`course_utils.seeding`   -- reproducibility and device choice
- :mod:`course_utils.data`      -- small synthetic and bundled data sets, all offline
- :mod:`course_utils.gradcheck` -- centred-difference gradient checks
- :mod:`course_utils.training`  -- a plain mini-batch training loop and its history
- :mod:`course_utils.plotting`  -- figures in one consistent style
- :mod:`course_utils.bridge`    -- students' NumPy layers, penalties and update rules in torch

Every public name is also available from the package itself
(``from course_utils import seed_everything``); submodules are imported on first
use, so ``import course_utils.gradcheck`` does not pull in torch or matplotlib.

Shape letters
-------------
Docstrings throughout the course give every array's shape with these letters:

====  ==========================================================
N     batch size (number of examples)
D     number of input features (or dimension of a parameter vector)
H     number of hidden units; in image shapes, the height
W     in image shapes, the width
C     number of classes; in image shapes, the number of channels
K     number of steps (of an optimiser, or along a trajectory)
====  ==========================================================

``(N, D)`` is therefore a batch of N feature vectors and ``(H, W, 3)`` an RGB image.
"""

from __future__ import annotations

import importlib
from typing import Any

# Public name -> submodule that defines it. Kept in sync with each submodule's __all__
# by tests/course_utils/test_package.py.
_EXPORTS: dict[str, str] = {
    # seeding
    "seed_everything": "seeding",
    "get_device": "seeding",
    # data
    "Quadratic": "data",
    "make_logistic_data": "data",
    "make_quadratic": "data",
    "make_spirals": "data",
    "make_blobs": "data",
    "load_mnist1d": "data",
    "load_digits_split": "data",
    "load_sample_image": "data",
    "train_val_split": "data",
    # gradcheck
    "numerical_gradient": "gradcheck",
    "numerical_gradient_array": "gradcheck",
    "rel_error": "gradcheck",
    "check_gradient": "gradcheck",
    # training
    "History": "training",
    "train": "training",
    "evaluate": "training",
    # plotting
    "set_style": "plotting",
    "subplots": "plotting",
    "plot_curves": "plotting",
    "plot_histograms": "plotting",
    "plot_trajectories_2d": "plotting",
    "image_grid": "plotting",
    # bridge
    "NumpyLayer": "bridge",
    "NumpyOptimizer": "bridge",
    "numpy_penalty": "bridge",
    "student_or_reference": "bridge",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    # PEP 562 lazy attribute access: import the submodule only when a name is used.
    if name in _EXPORTS:
        module = importlib.import_module(f"{__name__}.{_EXPORTS[name]}")
        value = getattr(module, name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
