"""Chapter 3's learning-rate search and the chosen network, for every chapter that needs it.

The search trains the 1024-64-36 classifier (``lib.mlp``) once per learning rate of a small
log grid and keeps the one with the highest **validation** accuracy after the last epoch; the
test split plays no part. Every run is cached by ``lib.mlp.train_mlp``, so after the first
build this module only loads. Kept apart from ``lib.mlp`` so that changing the grid or the
profile's settings does not invalidate the trained networks' cache keys.

``best_mlp()`` is the entry point for other chapters (the OCR of chapter 4).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from lib import config
from lib.mlp import MLPConfig, raw_input_params, spec_of, train_mlp
from lib.nn import NetworkSpec

__all__ = ["LR_GRID_FULL", "LR_GRID_QUICK", "base_config", "best_config", "best_lr", "best_mlp", "lr_grid", "search", "trained"]

#: The learning rates the search tries: a log grid, half a decade apart.
LR_GRID_FULL = (0.03, 0.1, 0.3, 1.0)
LR_GRID_QUICK = (0.1, 1.0)


def base_config() -> MLPConfig:
    """The recipe shared by every run of chapter 3; only the learning rate varies.

    Full profile: all 10800 training images, 40 epochs of batches of 32. Quick profile:
    1800 training and 720 validation images, 4 epochs.
    """
    return MLPConfig(
        batch_size=32,
        epochs=config.pick(full=40, quick=4),
        n_train=config.pick(full=None, quick=1800),
        n_valid=config.pick(full=None, quick=720),
    )


def lr_grid() -> tuple[float, ...]:
    return config.pick(full=LR_GRID_FULL, quick=LR_GRID_QUICK)


def trained(cfg: MLPConfig) -> dict:
    """``train_mlp(cfg)``: trained now or loaded from the cache."""
    return train_mlp(cfg)


#: Searches done in this process, by the cache entries of their runs: other data, code or
#: cache folder, another search.
_SEARCHES: dict[tuple[Path, ...], tuple[float, tuple[tuple[float, float], ...]]] = {}


def search() -> tuple[float, tuple[tuple[float, float], ...]]:
    """``(chosen learning rate, ((lr, final validation accuracy), ...))`` over ``lr_grid()``."""
    configs = [base_config().with_lr(lr) for lr in lr_grid()]
    entries = tuple(train_mlp.path(cfg) for cfg in configs)
    if entries not in _SEARCHES:
        rows = tuple((cfg.lr, float(trained(cfg)["valid_acc"][-1])) for cfg in configs)
        best = max(rows, key=lambda row: (row[1], -row[0]))  # ties: the smaller learning rate
        _SEARCHES[entries] = best[0], rows
    return _SEARCHES[entries]


def best_lr() -> float:
    """The grid's learning rate with the highest final validation accuracy."""
    return search()[0]


def best_config() -> MLPConfig:
    return base_config().with_lr(best_lr())


def best_mlp() -> tuple[dict[str, np.ndarray], NetworkSpec]:
    """The chosen chapter-3 network as ``(params, spec)`` (cached), for other chapters.

    Input: images as rows of 1024 floats in the homework's ``.mat`` convention (column-major
    32x32, paper about 1, ink about 0), exactly as ``lib.data.load_nist36`` returns them; the
    training-time input change (ink 1, paper 0) is already folded into ``W1, b1``. Output of
    ``lib.nn.predict(params, spec, X)``: probabilities over ``lib.data.CLASSES`` (A..Z, 0..9).
    The first call of a fresh build runs the learning-rate search (a few minutes in the full
    profile); later calls load from disk.
    """
    cfg = best_config()
    return raw_input_params(trained(cfg), cfg), spec_of(cfg)
