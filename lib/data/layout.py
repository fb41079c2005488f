"""The files that make up each dataset, and the rule that a dataset is used whole or not at all.

A dataset whose files are split across several files (NIST36's three ``.mat`` splits, MNIST's and
EMNIST's four idx files, Flowers-17's 1,360 images) is either complete in the data directory or
absent from it. A partial one is an error, never a silent mix: loading the files that exist and
filling the rest from another source (the synthetic NIST36, a download into the cache) would
label and key the result as one source while it came from two.

>>> whole("nist36")        # True: every file is there; False: none is (the book's fallback)
>>> # a DataError when only some are: it names the missing files and the two ways out
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from lib import config
from lib.data.errors import DataError


@dataclass(frozen=True)
class Dataset:
    title: str  # as the messages name it
    files: tuple[str, ...]  # relative to the data directory
    without: str  # what the book does when the dataset is absent

    def paths(self, root: Path | None = None) -> list[Path]:
        root = config.data_dir() if root is None else root
        return [root / rel for rel in self.files]


_IDX = ("images-idx3", "labels-idx1")

DATASETS: dict[str, Dataset] = {
    "nist36": Dataset(
        "NIST36",
        tuple(f"nist36_{s}.mat" for s in ("train", "valid", "test")),
        "use the synthetic NIST36 stand-in, labelled SYNTHETIC on every page",
    ),
    "mnist": Dataset(
        "MNIST",
        tuple(f"torchvision/MNIST/raw/{s}-{k}-ubyte" for s in ("train", "t10k") for k in _IDX),
        "mark the MNIST question not run",
    ),
    "emnist": Dataset(
        "EMNIST Balanced",
        tuple(f"torchvision/EMNIST/raw/emnist-balanced-{s}-{k}-ubyte" for s in ("train", "test") for k in _IDX),
        "mark the EMNIST question not run",
    ),
    "flowers17": Dataset(
        "Flowers-17",
        tuple(f"flowers17/jpg/image_{i:04d}.jpg" for i in range(1, 1361)),
        "mark the Flowers-17 questions not run",
    ),
}


def missing_files(name: str, root: Path | None = None) -> list[str]:
    """The files of dataset ``name`` not in the data directory (relative paths)."""
    ds = DATASETS[name]
    return [rel for rel, path in zip(ds.files, ds.paths(root), strict=True) if not path.is_file()]


def whole(name: str, root: Path | None = None) -> bool:
    """True when every file of ``name`` is present, False when none is; else a :class:`DataError`.

    The error names the folder, the files that are missing (and, for a long list, how many), and
    the two ways out: add the missing files, or remove the others to fall back.
    """
    ds = DATASETS[name]
    root = config.data_dir() if root is None else root
    missing = missing_files(name, root)
    if not missing:
        return True
    if len(missing) == len(ds.files):
        return False
    shown = ", ".join(missing[:4]) + (f" and {len(missing) - 4} more" if len(missing) > 4 else "")
    raise DataError(
        f"{ds.title} is incomplete in {root}: {len(missing)} of its {len(ds.files)} files "
        f"{'is' if len(missing) == 1 else 'are'} missing ({shown}). The book never mixes a partial "
        f"dataset with another source. Either add the missing files (`make data` fetches them), "
        f"or remove the other {ds.title} files to {ds.without}."
    )
