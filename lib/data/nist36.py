"""NIST36 in the homework's ``.mat`` format.

Each ``nist36_<split>.mat`` holds ``<split>_data`` (N, 1024) and ``<split>_labels`` (N, 36)
one-hot. Images are 32x32 stored column-major (``row.reshape(32, 32).T`` is upright), dark
ink on a white (about 1.0) background; classes are A..Z then 0..9.

The three files are used together or not at all (:mod:`lib.data.layout`): with none of them the
synthetic stand-in replaces all three splits; with some but not all, loading is an error that
names the missing files, so real and synthetic splits are never mixed and the fingerprint and the
data label always describe what was loaded.
"""

from __future__ import annotations

import functools
import string
from pathlib import Path

import numpy as np
import scipy.io

from lib import cache, config
from lib.cache import file_hash as file_sha256  # noqa: F401  (lib.data.torch_datasets imports it from here)
from lib.data.errors import HOW_TO_GET, DataError
from lib.data.layout import whole

SPLITS = ("train", "valid", "test")
CLASSES: tuple[str, ...] = tuple(string.ascii_uppercase + string.digits)
IMAGE_SHAPE = (32, 32)


def nist36_path(split: str) -> Path:
    _check_split(split)
    return config.data_dir() / f"nist36_{split}.mat"


def _check_split(split: str) -> None:
    if split not in SPLITS:
        raise ValueError(f"split must be one of {SPLITS}, not {split!r}")


def have_nist36_files() -> bool:
    """True with all three files, False with none; a partial set is a :class:`DataError`."""
    return whole("nist36")


def load_nist36(split: str) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Load one split: X float32 (N, 1024) in the homework convention, y int64 (N,), classes.

    The arrays are read-only (they are shared between calls); copy before modifying.
    """
    path = nist36_path(split)
    if not have_nist36_files():
        from lib.data import synthetic_fallback

        fallback = synthetic_fallback()
        if fallback is not None:
            return fallback(split)
        raise DataError(
            f"{path} not found (looked for the homework's nist36_{split}.mat). {HOW_TO_GET}"
        )
    stat = path.stat()
    X, y = _read_mat(str(path), split, stat.st_size, stat.st_mtime_ns)
    return X, y, list(CLASSES)


@functools.lru_cache(maxsize=6)
def _read_mat(path: str, split: str, _size: int, _mtime: int) -> tuple[np.ndarray, np.ndarray]:
    try:
        mat = scipy.io.loadmat(path)
    except Exception as exc:  # scipy raises several types for a damaged file
        raise DataError(
            f"{path} is not a readable MATLAB .mat file ({type(exc).__name__}: {exc}). "
            f"Expected the homework's nist36_{split}.mat. {HOW_TO_GET}"
        ) from exc
    data_key, labels_key = f"{split}_data", f"{split}_labels"
    keys = sorted(k for k in mat if not k.startswith("__"))
    for key in (data_key, labels_key):
        if key not in mat:
            raise DataError(
                f"{path} has no key {key!r} (found: {keys}). Expected the homework's "
                f"nist36_{split}.mat with {data_key!r} and {labels_key!r}. {HOW_TO_GET}"
            )
    X = np.asarray(mat[data_key])
    labels = np.asarray(mat[labels_key])
    if X.ndim != 2 or X.shape[1] != 1024:
        raise DataError(f"{path}: {data_key!r} has shape {X.shape}; expected (N, 1024), 32x32 images.")
    if labels.ndim != 2 or labels.shape[1] != len(CLASSES):
        raise DataError(
            f"{path}: {labels_key!r} has shape {labels.shape}; expected (N, {len(CLASSES)}) "
            f"one-hot rows for the {len(CLASSES)} classes A..Z, 0..9."
        )
    if labels.shape[0] != X.shape[0]:
        raise DataError(f"{path}: {X.shape[0]} images but {labels.shape[0]} labels.")
    if not np.issubdtype(X.dtype, np.number) or not np.isfinite(X).all():
        raise DataError(f"{path}: {data_key!r} must be finite numbers (dtype {X.dtype}).")
    if not (np.isin(labels, (0, 1)).all() and (labels.sum(axis=1) == 1).all()):
        raise DataError(f"{path}: {labels_key!r} rows must be one-hot (a single 1 per row).")
    # scipy returns MATLAB's column-major arrays; rows contiguous make mini-batch gathers fast
    X = np.ascontiguousarray(X, dtype=np.float32)
    y = labels.argmax(axis=1).astype(np.int64)
    X.setflags(write=False)
    y.setflags(write=False)
    return X, y


def to_image(row: np.ndarray) -> np.ndarray:
    """A (1024,) row in the .mat convention -> an upright (32, 32) image."""
    return np.asarray(row).reshape(IMAGE_SHAPE).T


def to_row(image: np.ndarray) -> np.ndarray:
    """An upright (32, 32) image -> a (1024,) row in the .mat (column-major) convention."""
    return np.asarray(image).T.reshape(-1)


def nist36_fingerprint() -> str:
    """Identifies the NIST36 data in use (for cache keys): file hashes, or the generator's."""
    if not have_nist36_files():
        from lib.data import synthetic_fallback

        fallback = synthetic_fallback()
        if fallback is not None:
            return f"synthetic:{fallback.fingerprint}"
    return ",".join(cache.file_digest(nist36_path(s)) for s in SPLITS)
