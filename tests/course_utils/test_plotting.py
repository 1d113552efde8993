"""Tests for course_utils.plotting (Agg backend, set in conftest.py)."""

import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from course_utils.data import make_quadratic
from course_utils.plotting import (
    image_grid,
    plot_curves,
    plot_histograms,
    plot_trajectories_2d,
    set_style,
    subplots,
)

QUAD = make_quadratic(eigenvalues=(1.0, 10.0), angle=0.3)
LABELS = {"title": "Loss", "xlabel": "epoch", "ylabel": "cross-entropy (nats)"}


def _assert_labelled(ax, title, xlabel, ylabel):
    assert isinstance(ax, Axes)
    assert (ax.get_title(), ax.get_xlabel(), ax.get_ylabel()) == (title, xlabel, ylabel)


def test_set_style_applies_the_seaborn_theme():
    """Does set_style put the whitegrid theme into matplotlib's rcParams?"""
    plt.rcParams["axes.grid"] = False
    set_style()
    assert plt.rcParams["axes.grid"] is True


@pytest.mark.parametrize("shape", [(1, 1), (2, 3)])
def test_subplots_sizes_per_panel_and_uses_constrained_layout(shape):
    """Does the figure grow with the grid and use constrained layout?"""
    fig, axes = subplots(*shape)
    assert isinstance(fig, Figure)
    assert np.shape(axes) == (() if shape == (1, 1) else shape)
    assert fig.get_layout_engine().__class__.__name__ == "ConstrainedLayoutEngine"
    w, h = fig.get_size_inches()
    assert w == pytest.approx(5.0 * shape[1]) and h == pytest.approx(3.5 * shape[0])


def test_plot_curves_draws_one_labelled_line_per_curve():
    """Are there as many lines as curves, with legend entries and the labels set?"""
    ax = plot_curves({"sgd": [3, 2, 1], "adam": np.array([3.0, 1.0]),
                      "tensor": torch.tensor([2.0, 1.5])}, **LABELS)
    _assert_labelled(ax, **LABELS)
    assert [line.get_label() for line in ax.get_lines()] == ["sgd", "adam", "tensor"]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["sgd", "adam", "tensor"]
    np.testing.assert_array_equal(ax.get_lines()[0].get_xdata(), [0, 1, 2])


def test_plot_curves_x_values_log_axes_and_given_axes():
    """Are shared and per-curve x values, log scales and a supplied ax honoured?"""
    _, given = subplots()
    ax = plot_curves({"a": [1, 10, 100]}, x=[1, 2, 4], logy=True, logx=True, ax=given,
                     **LABELS)
    assert ax is given and ax.get_yscale() == "log" and ax.get_xscale() == "log"
    np.testing.assert_array_equal(ax.get_lines()[0].get_xdata(), [1, 2, 4])
    ax = plot_curves({"a": [1, 2], "b": [1, 2, 3]}, x={"a": [0, 5], "b": [0, 5, 10]},
                     **LABELS)
    np.testing.assert_array_equal(ax.get_lines()[1].get_xdata(), [0, 5, 10])


def test_plot_curves_rejects_mismatched_x():
    """Is an x of the wrong length a ValueError naming the curve?"""
    with pytest.raises(ValueError, match="'a'"):
        plot_curves({"a": [1, 2, 3]}, x=[0, 1], **LABELS)


@pytest.mark.parametrize("missing", ["title", "xlabel", "ylabel"])
def test_plot_curves_requires_every_label(missing):
    """Is a figure without a title or axis label refused with TypeError?"""
    kwargs = {k: v for k, v in LABELS.items() if k != missing}
    with pytest.raises(TypeError, match=missing):
        plot_curves({"a": [1, 2]}, **kwargs)


def test_empty_title_is_refused():
    """Is an empty title a ValueError, not a silently untitled figure?"""
    with pytest.raises(ValueError, match="title"):
        plot_curves({"a": [1, 2]}, title="  ", xlabel="x", ylabel="y")


def test_plot_histograms_overlays_with_shared_bins():
    """Is each sample drawn semi-transparently with the same bin edges?"""
    rng = np.random.default_rng(0)
    ax = plot_histograms({"layer 1": rng.normal(size=(100, 4)),
                          "layer 2": torch.randn(300) + 3}, bins=20,
                         title="Activations", xlabel="value")
    _assert_labelled(ax, "Activations", "value", "count")
    assert len(ax.patches) == 40
    first, second = ax.patches[0], ax.patches[20]
    assert first.get_x() == pytest.approx(second.get_x())
    assert 0 < first.get_alpha() < 1
    assert sum(p.get_height() for p in ax.patches[:20]) == 400


def test_plot_histograms_requires_title():
    """Is a histogram without a title refused with TypeError?"""
    with pytest.raises(TypeError, match="title"):
        plot_histograms({"a": np.zeros(3)}, xlabel="x")


def test_plot_trajectories_draws_contours_paths_and_start():
    """Are contours, one line per path, a start marker, limits and legend all there?"""
    path = np.array([[2.0, 2.0], [1.0, 0.5], [0.2, 0.1]])
    ax = plot_trajectories_2d(QUAD.f, {"GD": path, "momentum": torch.tensor(path) / 2},
                              title="Paths", xlim=(-3, 3), ylim=(-2.5, 2.5), levels=10,
                              log_levels=True, resolution=40)
    _assert_labelled(ax, "Paths", "$x_1$", "$x_2$")
    assert ax.get_xlim() == (-3, 3) and ax.get_ylim() == (-2.5, 2.5)
    assert len(ax.collections) >= 1  # the contour set
    labels = [line.get_label() for line in ax.get_lines()]
    assert "GD" in labels and "momentum" in labels and "start" in labels
    np.testing.assert_array_equal(ax.get_lines()[0].get_xydata(), path)
    assert ax.get_legend() is not None


def test_plot_trajectories_rejects_bad_paths_and_needs_limits():
    """Is a path not shaped (K, 2) a ValueError, and a missing xlim a TypeError?"""
    with pytest.raises(ValueError, match=r"\(K, 2\)"):
        plot_trajectories_2d(QUAD.f, {"bad": np.zeros((3, 3))}, title="t",
                             xlim=(-1, 1), ylim=(-1, 1), resolution=10)
    with pytest.raises(TypeError, match="xlim"):
        plot_trajectories_2d(QUAD.f, {}, title="t", ylim=(-1, 1))


def test_image_grid_lays_out_images_with_titles():
    """Are N images in ceil(N / ncols) rows, titled, with the suptitle set?"""
    images = [np.random.default_rng(i).random((8, 8)) for i in range(5)]
    images.append(np.zeros((8, 8, 3), dtype=np.uint8))
    fig = image_grid(images, titles=list("abcdef"), ncols=4, suptitle="Digits")
    assert isinstance(fig, Figure)
    assert fig.get_suptitle() == "Digits"
    assert len(fig.axes) == 8  # 2 rows x 4 columns, two left empty
    assert [ax.get_title() for ax in fig.axes[:6]] == list("abcdef")
    assert sum(len(ax.images) for ax in fig.axes) == 6


def test_image_grid_requires_suptitle_and_valid_shapes():
    """Is a missing suptitle a TypeError and a (C, H, W) image a ValueError with a hint?"""
    with pytest.raises(TypeError, match="suptitle"):
        image_grid([np.zeros((4, 4))])
    with pytest.raises(ValueError, match="permute"):
        image_grid([np.zeros((3, 8, 8))], suptitle="x")
    with pytest.raises(ValueError, match="titles"):
        image_grid([np.zeros((4, 4))], titles=["a", "b"], suptitle="x")
