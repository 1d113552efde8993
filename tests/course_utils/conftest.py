"""Shared set-up for the course_utils tests: a non-interactive matplotlib backend."""

import matplotlib

matplotlib.use("Agg")  # before pyplot is imported anywhere; no display in CI

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")
