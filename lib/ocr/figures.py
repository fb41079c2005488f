"""Figures of chapter 4: boxes over a photo, crops next to training samples."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import Rectangle

from lib.data.nist36 import to_image


def draw_boxes(ax, image, boxes, color: str = "red", linewidth: float = 1.0, title: str = ""):
    """Show ``image`` on ``ax`` with ``boxes`` ([y1, x1, y2, x2]) drawn as rectangles."""
    ax.imshow(image, cmap="gray" if np.ndim(image) == 2 else None, vmin=0, vmax=1)
    for y1, x1, y2, x2 in np.asarray(boxes).reshape(-1, 4):
        ax.add_patch(Rectangle((x1 - 0.5, y1 - 0.5), x2 - x1, y2 - y1, fill=False,
                               edgecolor=color, linewidth=linewidth))
    ax.set_axis_off()
    ax.grid(False)
    if title:
        ax.set_title(title)
    return ax


def boxes_figure(image, boxes, title: str = "", width: float = 8.0, max_side: int = 1400):
    """A figure of the photo with its boxes; the photo keeps its aspect ratio.

    Large photos are shown subsampled by an integer step so the long side is at most
    ``max_side`` pixels (the boxes are scaled alike); the figure looks the same.
    """
    image = np.asarray(image)
    step = max(1, int(np.ceil(max(image.shape[:2]) / max_side)))
    shown = image[::step, ::step]
    h, w = shown.shape[:2]
    fig, ax = plt.subplots(figsize=(width, max(1.5, width * h / w)))
    draw_boxes(ax, shown, np.asarray(boxes, float) / step, title=title)
    fig.tight_layout()
    return fig


def tile(rows: np.ndarray, ncols: int, pad: int = 2) -> np.ndarray:
    """(N, 1024) rows in the homework convention -> one grid image, upright, white gaps."""
    rows = np.asarray(rows).reshape(-1, 1024)
    n = len(rows)
    nrows = max(1, -(-n // ncols))
    grid = np.ones((nrows * (32 + pad) - pad, ncols * (32 + pad) - pad), np.float32)
    for k, row in enumerate(rows):
        r, c = divmod(k, ncols)
        grid[r * (32 + pad): r * (32 + pad) + 32, c * (32 + pad): c * (32 + pad) + 32] = to_image(row)
    return np.clip(grid, 0, 1)


def crops_figure(photo_rows: np.ndarray, train_rows: np.ndarray,
                 ncols: int = 16):
    """Processed 32x32 crops of a photo (top) above training samples (bottom)."""
    fig, axes = plt.subplots(2, 1, figsize=(ncols * 0.5, 0.5 * (-(-len(photo_rows) // ncols)
                                                               + -(-len(train_rows) // ncols)) + 1.2))
    for ax, rows, title in zip(axes, (photo_rows, train_rows),
                               ("crops from the photo, as the classifier sees them",
                                "NIST36 training samples"), strict=False):
        ax.imshow(tile(rows, ncols), cmap="gray", vmin=0, vmax=1)
        ax.set_title(title, fontsize=11)
        ax.set_axis_off()
        ax.grid(False)
    fig.tight_layout()
    return fig
