"""MNIST, EMNIST Balanced and NIST36 as PyTorch tensors (the only data module importing torch).

Every loader returns a :class:`TensorSplit`: float32 images ``(N, 1, H, W)`` **upright**, white
ink on a black background in ``[0, 1]`` (the MNIST/EMNIST convention), int64 labels, the class
names and a ``fingerprint`` naming the files they came from (for cache keys). Normalisation
(subtracting the training mean, dividing by the training std) is applied by the models'
first layer, so the tensors here stay in plain pixel units and can be shown as they are.

* MNIST and EMNIST are read with ``torchvision.datasets`` from ``$HW5_DATA/torchvision`` with
  ``download=False``, and only when all four idx files are there (:mod:`lib.data.layout`).
  Missing files are a :class:`~lib.data.DataError` naming them; a partial set names the missing
  ones and the two ways out. Loaders never download: ``make data`` (``lib.data.fetch``) fetches
  the official files, verified, into the data directory, so what is loaded is always what the
  fingerprint and the book's data label describe.
* EMNIST's files store every image **transposed** (the NIST scans were written column by
  column). ``emnist()`` transposes them back once, here, so everything downstream sees upright
  characters; ``tests/data/test_torch_datasets.py`` checks this on the data.
* NIST36 comes from the homework's ``.mat`` rows (column-major, dark ink on ~1.0): ``nist36()``
  gives the raw rows for the fully-connected network and ``nist36_images()`` upright images in
  the MNIST convention for CNNs; :func:`nist36_rows_to_images` is that conversion.
"""

from __future__ import annotations

import functools
import string
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from lib import config
from lib.data import layout
from lib.data.errors import HOW_TO_GET, DataError
from lib.data.nist36 import file_sha256, load_nist36, nist36_fingerprint

#: EMNIST Balanced's 47 classes in label order (torchvision's ``EMNIST.classes_split_dict``).
EMNIST_BALANCED_CLASSES: tuple[str, ...] = tuple(string.digits + string.ascii_uppercase + "abdefghnqrt")
MNIST_CLASSES: tuple[str, ...] = tuple(string.digits)


@dataclass(frozen=True, eq=False)
class TensorSplit:
    """One split of a dataset as tensors: ``x`` (N, 1, H, W) or (N, D) float32, ``y`` (N,) int64."""

    x: torch.Tensor
    y: torch.Tensor
    classes: tuple[str, ...]
    name: str
    split: str
    fingerprint: str

    def __len__(self) -> int:
        return len(self.y)

    def dataset(self) -> torch.utils.data.TensorDataset:
        return torch.utils.data.TensorDataset(self.x, self.y)

    def subset(self, n: int | None, seed: int = config.SEED) -> TensorSplit:
        """A class-stratified-by-chance random subset of ``n`` items (all when ``n`` is None)."""
        if n is None or n >= len(self):
            return self
        g = torch.Generator().manual_seed(seed)
        idx = torch.randperm(len(self), generator=g)[:n].sort().values
        return TensorSplit(self.x[idx], self.y[idx], self.classes, self.name, f"{self.split}[{n}]",
                           f"{self.fingerprint}|subset:{n}:{seed}")

    def split_off(self, n_valid: int, seed: int = config.SEED) -> tuple[TensorSplit, TensorSplit]:
        """Split into (train, valid) with ``n_valid`` random items held out for validation."""
        g = torch.Generator().manual_seed(seed)
        perm = torch.randperm(len(self), generator=g)
        v, t = perm[:n_valid].sort().values, perm[n_valid:].sort().values
        tag = f"{self.fingerprint}|split:{n_valid}:{seed}"
        return (
            TensorSplit(self.x[t], self.y[t], self.classes, self.name, "train", tag + ":train"),
            TensorSplit(self.x[v], self.y[v], self.classes, self.name, "valid", tag + ":valid"),
        )

    def stats(self) -> tuple[float, float]:
        """Pixel mean and std (for the model's normalisation layer; use the training split's)."""
        return float(self.x.mean()), float(self.x.std())


# ----------------------------------------------------------------------------- torchvision
def torchvision_root() -> Path:
    return config.data_dir() / "torchvision"


def _split_files(kind: str, split: str) -> list[Path]:
    """The two idx files (images, labels) of one split of ``"mnist"`` or ``"emnist"``."""
    prefix = {"mnist": {"train": "train", "test": "t10k"}, "emnist": {"train": "emnist-balanced-train",
                                                                     "test": "emnist-balanced-test"}}[kind][split]
    return [p for p in layout.DATASETS[kind].paths() if p.name.startswith(prefix + "-")]


@functools.lru_cache(maxsize=32)
def _digest(path: str, _size: int, _mtime: int) -> str:
    return file_sha256(Path(path))[:16]


def _files_fingerprint(files: list[Path]) -> str:
    return ",".join(f"{p.name}:{_digest(str(p), p.stat().st_size, p.stat().st_mtime_ns)}" for p in files)


def _require_whole(kind: str) -> None:
    """A DataError unless every file of ``"mnist"`` or ``"emnist"`` is in the data directory."""
    if not layout.whole(kind):  # a partial set raises here, naming the missing files
        raise DataError(
            f"{torchvision_root() / ('MNIST' if kind == 'mnist' else 'EMNIST') / 'raw'}: no "
            f"{layout.DATASETS[kind].title} files "
            f"(expected {', '.join(Path(f).name for f in layout.DATASETS[kind].files)}). {HOW_TO_GET}"
        )


def _torchvision_dataset(kind: str, train: bool):
    """torchvision's MNIST/EMNIST from the data directory (``download=False``), whole or not at all."""
    import torchvision

    title = layout.DATASETS[kind].title
    _require_whole(kind)
    try:
        if kind == "mnist":
            return torchvision.datasets.MNIST(torchvision_root(), train=train, download=False)
        return torchvision.datasets.EMNIST(torchvision_root(), split="balanced", train=train, download=False)
    except Exception as exc:  # a damaged idx file: torchvision raises several types
        raise DataError(
            f"{torchvision_root()}: the {title} files are there but torchvision cannot read them "
            f"({type(exc).__name__}: {exc}). Replace them with the official files ({HOW_TO_GET})"
        ) from exc


def _as_split(ds, classes, name: str, split: str, files: list[Path], transpose: bool) -> TensorSplit:
    data = ds.data  # uint8 (N, 28, 28) as stored in the idx file
    if transpose:
        data = data.transpose(1, 2)  # EMNIST: stored transposed -> upright
    x = data.unsqueeze(1).to(torch.float32).div_(255.0).contiguous()
    y = torch.as_tensor(ds.targets, dtype=torch.int64).clone()
    return TensorSplit(x, y, tuple(classes), name, split, _split_fingerprint(name, split, files, transpose))


def _split_fingerprint(name: str, split: str, files: list[Path], transpose: bool) -> str:
    return f"{name}:{split}:{'upright' if transpose else 'asis'}:{_files_fingerprint(files)}"


@functools.lru_cache(maxsize=4)
def mnist(split: str = "train") -> TensorSplit:
    """MNIST ``"train"`` (60,000) or ``"test"`` (10,000), (N, 1, 28, 28) in [0, 1]."""
    _check(split)
    ds = _torchvision_dataset("mnist", train=split == "train")
    return _as_split(ds, MNIST_CLASSES, "mnist", split, _split_files("mnist", split), transpose=False)


@functools.lru_cache(maxsize=4)
def emnist(split: str = "train") -> TensorSplit:
    """EMNIST Balanced ``"train"`` or ``"test"``, upright (transposed back), 47 classes."""
    _check(split)
    ds = _torchvision_dataset("emnist", train=split == "train")
    if list(ds.classes) != list(EMNIST_BALANCED_CLASSES):
        raise DataError(f"torchvision's EMNIST balanced classes {ds.classes} differ from {EMNIST_BALANCED_CLASSES}")
    return _as_split(ds, EMNIST_BALANCED_CLASSES, "emnist", split, _split_files("emnist", split), transpose=True)


def emnist_fingerprint(split: str = "train") -> str:
    """``emnist(split).fingerprint`` without reading the images or importing torchvision (the
    reader's cache key needs it each time the model is loaded)."""
    _check(split)
    _require_whole("emnist")
    return _split_fingerprint("emnist", split, _split_files("emnist", split), transpose=True)


def _check(split: str) -> None:
    if split not in ("train", "test"):
        raise ValueError(f"split must be 'train' or 'test' (carve validation with .split_off), not {split!r}")


# ----------------------------------------------------------------------------- NIST36
def nist36_rows_to_images(rows: np.ndarray | torch.Tensor, size: int = 32) -> torch.Tensor:
    """Rows in the homework convention -> upright MNIST-convention images (N, 1, size, size).

    The homework's rows are 32x32 column-major (``row.reshape(32, 32).T`` is upright) with dark
    ink on a ~1.0 background and values slightly outside [0, 1]. We transpose to upright,
    invert (``1 - x``) so ink is bright on black as in MNIST/EMNIST, clip to [0, 1] and, if
    ``size != 32``, resize with bilinear interpolation (antialiased).
    """
    x = torch.from_numpy(np.array(rows, dtype=np.float32))  # a copy: the loaders return read-only arrays
    if x.ndim != 2 or x.shape[1] != 1024:
        raise ValueError(f"expected rows of shape (N, 1024) (32x32 images), got {tuple(x.shape)}")
    img = x.reshape(-1, 1, 32, 32).transpose(2, 3)  # column-major -> upright
    img = (1.0 - img).clamp_(0.0, 1.0)
    if size != 32:
        img = torch.nn.functional.interpolate(img, size=(size, size), mode="bilinear",
                                              align_corners=False, antialias=True).clamp_(0.0, 1.0)
    return img.contiguous()


@functools.lru_cache(maxsize=6)
def nist36(split: str = "train") -> TensorSplit:
    """NIST36 rows as they are in the .mat files, (N, 1024) float32: the FC network's input."""
    X, y, classes = load_nist36(split)
    fp = f"nist36:{split}:rows:{nist36_fingerprint()}"
    return TensorSplit(torch.tensor(np.array(X)), torch.tensor(np.array(y)), tuple(classes), "nist36", split, fp)


@functools.lru_cache(maxsize=6)
def nist36_images(split: str = "train", size: int = 32) -> TensorSplit:
    """NIST36 as upright (N, 1, size, size) images, white ink on black (for CNNs)."""
    X, y, classes = load_nist36(split)
    fp = f"nist36:{split}:images{size}:{nist36_fingerprint()}"
    return TensorSplit(nist36_rows_to_images(X, size), torch.tensor(np.array(y)), tuple(classes),
                       "nist36", split, fp)


