"""A tiny NIST36-format data set for fast pipeline tests: 36 learnable classes, seconds to train.

Each class is a fixed random 32x32 stroke pattern; images are the pattern, shifted by up to one
pixel, plus noise, stored like the homework's files (rows of 1024, paper 1, ink 0, one-hot labels).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pytest
import scipy.io

SIZES = {"train": 8, "valid": 3, "test": 3}  # images per class


def _templates(rng: np.random.Generator) -> np.ndarray:
    t = np.zeros((36, 32, 32))
    for c in range(36):
        for _ in range(3):  # three thick random strokes per class
            r0, c0 = rng.integers(6, 26, size=2)
            dr, dc = rng.integers(-1, 2, size=2)
            for s in range(10):
                r, q = np.clip(r0 + dr * s, 4, 27), np.clip(c0 + dc * s, 4, 27)
                t[c, r - 1 : r + 2, q - 1 : q + 2] = 1.0
    return t


def write(folder: Path, seed: int = 0) -> Path:
    """Write nist36_{train,valid,test}.mat into ``folder`` and return it."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    templates = _templates(rng)
    for split, n in SIZES.items():
        y = np.repeat(np.arange(36), n)
        ink = np.stack([np.roll(templates[c], tuple(rng.integers(-1, 2, size=2)), axis=(0, 1)) for c in y])
        X = np.clip(1.0 - ink + 0.05 * rng.normal(size=ink.shape), 0, 1).transpose(0, 2, 1).reshape(len(y), 1024)
        scipy.io.savemat(folder / f"nist36_{split}.mat", {f"{split}_data": X, f"{split}_labels": np.eye(36)[y]})
    return folder


@contextmanager
def in_use(folder: Path, **env: str) -> Iterator[Path]:
    """Write the tiny set into ``folder`` and point HW5_DATA at it (quietly), plus ``env``,
    until the block ends."""
    write(folder)
    with pytest.MonkeyPatch.context() as mp:
        for key, value in {"HW5_DATA": str(folder), "HW5_QUIET": "1", **env}.items():
            mp.setenv(key, value)
        yield folder
