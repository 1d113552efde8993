"""Figures in one consistent style.

Importing this module applies the course style (:func:`set_style`). Every plotting
function draws into ``ax`` when given one, otherwise into a new figure, and returns the
Axes. ``title``, ``xlabel`` and ``ylabel`` are required keyword arguments: every figure in
the course says what it shows and in which units. Arrays may be NumPy arrays or tensors.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import seaborn as sns
from matplotlib.axes import Axes
from matplotlib.figure import Figure

__all__ = [
    "set_style",
    "subplots",
    "plot_curves",
    "plot_histograms",
    "plot_trajectories_2d",
    "image_grid",
]

PANEL_SIZE = (5.0, 3.5)  # inches per subplot, (width, height)


def set_style() -> None:
    """Apply the course's seaborn theme (white grid, colour-blind palette)."""
    sns.set_theme(context="notebook", style="whitegrid", palette="colorblind")
    plt.rcParams.update({
        "figure.figsize": PANEL_SIZE,
        "figure.dpi": 100,
        "axes.titleweight": "bold",
        "legend.frameon": True,
        "lines.linewidth": 1.8,
    })


set_style()


def _to_numpy(a: Any) -> np.ndarray:
    if hasattr(a, "detach"):  # torch.Tensor, without importing torch here
        a = a.detach().cpu().numpy()
    return np.asarray(a)


def _label(ax: Axes, title: str, xlabel: str, ylabel: str) -> Axes:
    for name, text in (("title", title), ("xlabel", xlabel), ("ylabel", ylabel)):
        if not isinstance(text, str) or not text.strip():
            raise ValueError(f"{name} must be a non-empty string, got {text!r}")
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    return ax


def _new_axes(ax: Axes | None) -> Axes:
    if ax is None:
        _, ax = subplots()
    return ax


def subplots(
    nrows: int = 1, ncols: int = 1, *, figsize: tuple[float, float] | None = None
) -> tuple[Figure, Any]:
    """A figure with a grid of Axes, sized :data:`PANEL_SIZE` per panel by default.

    Returns:
        ``(fig, axes)``: ``axes`` is one Axes for a 1x1 grid, else an array of Axes of
        shape (ncols,), (nrows,) or (nrows, ncols), as :func:`matplotlib.pyplot.subplots`.
    """
    if nrows < 1 or ncols < 1:
        raise ValueError(f"nrows and ncols must be positive, got {nrows} and {ncols}")
    if figsize is None:
        figsize = (PANEL_SIZE[0] * ncols, PANEL_SIZE[1] * nrows)
    fig, axes = plt.subplots(nrows, ncols, figsize=figsize, constrained_layout=True)
    return fig, axes


def plot_curves(
    curves: Mapping[str, Sequence[float] | np.ndarray],
    *,
    title: str,
    xlabel: str,
    ylabel: str,
    x: Sequence[float] | np.ndarray | Mapping[str, Sequence[float] | np.ndarray] | None = None,
    logy: bool = False,
    logx: bool = False,
    ax: Axes | None = None,
) -> Axes:
    """One line per entry of ``curves`` (e.g. loss per epoch of several runs), with a legend.

    Args:
        curves: label -> (K,) values. Runs may have different lengths K.
        title, xlabel, ylabel: texts of the Axes (required).
        x: shared (K,) x values, or label -> (K,) x values; default ``0 .. K-1``.
        logy, logx: logarithmic axes.
        ax: Axes to draw into; default a new figure.

    Returns:
        The Axes.
    """
    if not curves:
        raise ValueError("curves is empty; pass a mapping label -> values")
    ax = _new_axes(ax)
    _label(ax, title, xlabel, ylabel)
    for name, values in curves.items():
        ys = _to_numpy(values).astype(np.float64).ravel()
        if x is None:
            xs = np.arange(len(ys))
        else:
            if isinstance(x, Mapping):
                if name not in x:
                    raise ValueError(f"x has no entry for curve {name!r}; give one per curve")
                xs = _to_numpy(x[name]).ravel()
            else:
                xs = _to_numpy(x).ravel()
            if len(xs) != len(ys):
                raise ValueError(
                    f"curve {name!r} has {len(ys)} values but its x has {len(xs)}"
                )
        ax.plot(xs, ys, label=str(name))
    if logy:
        ax.set_yscale("log")
    if logx:
        ax.set_xscale("log")
    ax.legend()
    return ax


def plot_histograms(
    samples: Mapping[str, Any],
    *,
    title: str,
    xlabel: str,
    ylabel: str = "count",
    bins: int = 50,
    ax: Axes | None = None,
) -> Axes:
    """Overlaid, semi-transparent histograms sharing the same bin edges.

    Args:
        samples: label -> array of any shape (flattened; non-finite values dropped),
            e.g. a layer's (N, H) activations.
        title, xlabel, ylabel: texts of the Axes.
        bins: number of bins spanning all samples together.
        ax: Axes to draw into; default a new figure.

    Returns:
        The Axes.
    """
    if not samples:
        raise ValueError("samples is empty; pass a mapping label -> array")
    if bins < 1:
        raise ValueError(f"bins must be positive, got {bins}")
    ax = _new_axes(ax)
    _label(ax, title, xlabel, ylabel)
    flat = {}
    for name, a in samples.items():
        v = _to_numpy(a).astype(np.float64).ravel()
        flat[name] = v[np.isfinite(v)]
    pooled = np.concatenate(list(flat.values()))
    # Common edges so the overlaid bars are comparable.
    edges = np.histogram_bin_edges(pooled if pooled.size else np.zeros(1), bins=bins)
    for name, v in flat.items():
        ax.hist(v, bins=edges, alpha=0.5, label=str(name))
    ax.legend()
    return ax


def plot_trajectories_2d(
    f: Callable[[np.ndarray], float],
    trajectories: Mapping[str, Any],
    *,
    title: str,
    xlabel: str = "$x_1$",
    ylabel: str = "$x_2$",
    xlim: tuple[float, float],
    ylim: tuple[float, float],
    levels: int = 30,
    log_levels: bool = False,
    resolution: int = 150,
    ax: Axes | None = None,
) -> Axes:
    """Contours of a 2-D function with optimisation paths drawn over them.

    Args:
        f: maps a point of shape (2,) to a float (evaluated point by point on a grid).
        trajectories: label -> (K, 2) iterates; each path is drawn with markers, its
            start marked by a black star.
        title, xlabel, ylabel: texts of the Axes.
        xlim, ylim: the plotted window, ``(low, high)``.
        levels: number of contour levels.
        log_levels: space levels geometrically above the grid's minimum, which shows
            ill-conditioned valleys better.
        resolution: grid points per axis.
        ax: Axes to draw into; default a new figure.

    Returns:
        The Axes.
    """
    for name, lim in (("xlim", xlim), ("ylim", ylim)):
        if len(lim) != 2 or not lim[0] < lim[1]:
            raise ValueError(f"{name} must be (low, high) with low < high, got {lim!r}")
    if levels < 1:
        raise ValueError(f"levels must be positive, got {levels}")
    ax = _new_axes(ax)
    _label(ax, title, xlabel, ylabel)

    g1 = np.linspace(xlim[0], xlim[1], resolution)
    g2 = np.linspace(ylim[0], ylim[1], resolution)
    X1, X2 = np.meshgrid(g1, g2)  # (R, R) each
    Z = np.array([float(f(np.array([a, b]))) for a, b in zip(X1.ravel(), X2.ravel())])
    Z = Z.reshape(X1.shape)  # (R, R)
    finite = Z[np.isfinite(Z)]
    if finite.size == 0:
        raise ValueError("f is not finite anywhere in the window; check xlim/ylim")
    if log_levels:
        lo, span = finite.min(), finite.max() - finite.min()
        span = span if span > 0 else 1.0
        contour_levels: Any = lo + np.geomspace(span * 1e-3, span, levels)
    else:
        contour_levels = levels
    ax.contour(X1, X2, Z, levels=contour_levels, cmap="viridis", linewidths=0.8, alpha=0.8)

    for i, (name, path) in enumerate(trajectories.items()):
        p = _to_numpy(path).astype(np.float64)
        if p.ndim != 2 or p.shape[1] != 2:
            raise ValueError(f"trajectory {name!r} must have shape (K, 2), got {p.shape}")
        (line,) = ax.plot(p[:, 0], p[:, 1], marker="o", markersize=3, label=str(name))
        ax.plot(p[0, 0], p[0, 1], marker="*", markersize=14, color="black",
                markerfacecolor=line.get_color(), linestyle="none",
                label="start" if i == 0 else None)
    ax.set_xlim(xlim)
    ax.set_ylim(ylim)
    if trajectories:
        ax.legend()
    return ax


def image_grid(
    images: Sequence[Any],
    *,
    titles: Sequence[str] | None = None,
    ncols: int = 8,
    suptitle: str,
    cmap: str = "gray",
) -> Figure:
    """Show images in a grid without axes.

    Args:
        images: each (H, W) grayscale (drawn with ``cmap``) or (H, W, 3) RGB, float in
            [0, 1] or uint8; an (N, H, W) or (N, H, W, 3) array also works.
        titles: one short caption per image (e.g. its label).
        ncols: images per row.
        suptitle: title of the whole figure (required).
        cmap: colour map of grayscale images.

    Returns:
        The Figure.
    """
    if not isinstance(suptitle, str) or not suptitle.strip():
        raise ValueError(f"suptitle must be a non-empty string, got {suptitle!r}")
    arrays = [_to_numpy(im) for im in images]
    if not arrays:
        raise ValueError("images is empty")
    if titles is not None and len(titles) != len(arrays):
        raise ValueError(f"got {len(titles)} titles for {len(arrays)} images")
    if ncols < 1:
        raise ValueError(f"ncols must be positive, got {ncols}")
    for k, im in enumerate(arrays):
        if not (im.ndim == 2 or (im.ndim == 3 and im.shape[2] in (1, 3, 4))):
            raise ValueError(
                f"image {k} has shape {im.shape}; expected (H, W) or (H, W, 3). "
                "For a (C, H, W) tensor use .permute(1, 2, 0)"
            )
    ncols = min(ncols, len(arrays))
    nrows = math.ceil(len(arrays) / ncols)
    fig, axes = subplots(nrows, ncols, figsize=(1.4 * ncols, 1.4 * nrows + 0.5))
    axes = np.atleast_1d(axes).ravel()
    for k, ax in enumerate(axes):
        ax.axis("off")
        if k >= len(arrays):
            continue
        im = arrays[k]
        if im.ndim == 3 and im.shape[2] == 1:
            im = im[:, :, 0]
        ax.imshow(im, cmap=cmap if im.ndim == 2 else None)
        if titles is not None:
            ax.set_title(str(titles[k]), fontsize=9, fontweight="normal")
    fig.suptitle(suptitle)
    return fig
