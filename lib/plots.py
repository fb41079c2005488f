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
