"""Figures: one look for the whole book, and every figure also saved under figures/.

Chapters build a matplotlib figure, then ``plots.save(fig, "q3.1.1-accuracy")``: the figure
is written to ``figures/q3.1.1-accuracy.png`` (named by its question, for reuse) and returned,
so the cell still displays it inline.
"""

from __future__ import annotations

import re

import matplotlib.pyplot as plt

from lib import config

STYLE = {
    "figure.dpi": 110,
    "savefig.dpi": 150,
    "savefig.bbox": "tight",
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "font.size": 10,
    "legend.frameon": False,
}

_NAME = re.compile(r"^[a-z0-9][a-z0-9.\-]*$")


def style() -> None:
    """Apply the book's matplotlib style (called by chapters' setup cells)."""
    plt.rcParams.update(STYLE)


def save(fig, name: str):
    """Save ``fig`` as ``figures/<name>.png`` (name like ``q3.1.1-accuracy``) and return it."""
    if not _NAME.match(name):
        raise ValueError(f"figure name {name!r}: use lower-case question ids and words, e.g. 'q3.1.1-accuracy'")
    fig.savefig(config.figures_dir() / f"{name}.png")
    return fig


# --- Figure helpers for the numpy chapters (Q3, Q5, Q6) --------------------------------------


def curves(series: dict, ylabel: str, title: str | None = None, ax=None, xlabel: str = "epoch"):
    """Per-epoch curves: ``series`` maps a label to values for epochs 1..n. Returns the figure."""
    import numpy as np

    if ax is None:
        fig, ax = plt.subplots(figsize=(5, 3.4))
    else:
        fig = ax.figure
    for label, values in series.items():
        values = np.asarray(values, dtype=float)
        ax.plot(np.arange(1, values.size + 1), values, label=label)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title)
    if len(series) > 1:
        ax.legend()
    return fig


def image_grid(
    images,
    ncols: int,
    titles=None,
    cmap: str = "gray",
    vmin=None,
    vmax=None,
    cell: float = 0.9,
    normalize: bool = False,
    fig=None,
):
    """Show ``images`` (n, H, W) in a grid with ``ncols`` columns, without axes.

    ``normalize=True`` scales each image to its own [min, max] (for weight images, whose
    scale carries no meaning); otherwise all share ``vmin``/``vmax``.
    """
    import numpy as np

    images = np.asarray(images)
    n = images.shape[0]
    nrows = -(-n // ncols)
    if fig is None:
        fig = plt.figure(figsize=(cell * ncols, cell * nrows * (1.18 if titles is not None else 1.0)))
    axes = fig.subplots(nrows, ncols, squeeze=False)
    for k, ax in enumerate(axes.flat):
        ax.set_axis_off()
        if k >= n:
            continue
        img = images[k]
        lo, hi = (img.min(), img.max()) if normalize else (vmin, vmax)
        ax.imshow(img, cmap=cmap, vmin=lo, vmax=hi, interpolation="nearest")
        if titles is not None:
            ax.set_title(str(titles[k]), fontsize=8, pad=2)
    fig.subplots_adjust(wspace=0.06, hspace=0.25 if titles is not None else 0.06)
    return fig


def confusion(cm, classes, title: str | None = None, figsize=(7.2, 6.4)):
    """A confusion matrix (rows: true class, columns: predicted), every class labelled."""
    import numpy as np
    from matplotlib.colors import PowerNorm

    cm = np.asarray(cm)
    fig, ax = plt.subplots(figsize=figsize)
    im = ax.imshow(cm, cmap="Blues", norm=PowerNorm(gamma=0.5, vmin=0, vmax=max(int(cm.max()), 1)))
    ticks = np.arange(len(classes))
    ax.set_xticks(ticks, labels=list(classes), fontsize=7)
    ax.set_yticks(ticks, labels=list(classes), fontsize=7)
    ax.set_xlabel("predicted class")
    ax.set_ylabel("true class")
    ax.grid(False)
    if title:
        ax.set_title(title)
    fig.colorbar(im, ax=ax, fraction=0.046, pad=0.03, label="images")
    return fig


def montage(images, ncols: int, normalize: bool = True, pad: int = 2, width: float = 3.6, cmap: str = "gray"):
    """Many small images (n, H, W) tiled into one picture (one ``imshow``: fast for 64 tiles).

    ``normalize=True`` scales each tile to its own [min, max] (weight images); otherwise the
    tiles keep their values. Tiles are separated by ``pad`` white pixels.
    """
    import numpy as np

    images = np.asarray(images, dtype=float)
    n, h, w = images.shape
    if normalize:
        lo = images.min(axis=(1, 2), keepdims=True)
        hi = images.max(axis=(1, 2), keepdims=True)
        images = (images - lo) / np.where(hi > lo, hi - lo, 1.0)
    nrows = -(-n // ncols)
    canvas = np.ones((nrows * (h + pad) + pad, ncols * (w + pad) + pad))
    for k in range(n):
        r, c = divmod(k, ncols)
        canvas[pad + r * (h + pad) : pad + r * (h + pad) + h, pad + c * (w + pad) : pad + c * (w + pad) + w] = images[k]
    fig, ax = plt.subplots(figsize=(width, width * canvas.shape[0] / canvas.shape[1]))
    ax.imshow(canvas, cmap=cmap, vmin=0, vmax=1, interpolation="nearest")
    ax.set_axis_off()
    return fig
