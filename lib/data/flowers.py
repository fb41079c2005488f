"""Oxford Flowers-17: file list, class names and a deterministic train/validation/test split.

The data directory holds ``flowers17/jpg/image_0001.jpg`` ... ``image_1360.jpg``: 17 classes of
80 images each, image ``i`` (1-based) belonging to class ``(i - 1) // 80`` in the order of
:data:`CLASSES`. If ``flowers17/datasplits.mat`` (the official split file of the Visual Geometry
Group) is present, its first split (``trn1``/``val1``/``tst1``) is used; otherwise a split of
40/20/20 images per class is drawn with ``lib.config.SEED``, the same on every run.

No torch here: the torch datasets and transforms live in ``lib.data.flowers_torch``.
"""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from lib import cache, config
from lib.data.errors import HOW_TO_GET, DataError

#: Class names in the order of the image numbers (``class = (i - 1) // 80``).
CLASSES: tuple[str, ...] = (
    "daffodil",
    "snowdrop",
    "lily valley",
    "bluebell",
    "crocus",
    "iris",
    "tigerlily",
    "tulip",
    "fritillary",
    "sunflower",
    "daisy",
    "colts' foot",
    "dandelion",
    "cowslip",
    "buttercup",
    "windflower",
    "pansy",
)
PER_CLASS = 80
N_IMAGES = PER_CLASS * len(CLASSES)  # 1360
SPLITS = ("train", "val", "test")
#: Images per class in the split drawn when no ``datasplits.mat`` exists.
SPLIT_SIZES = {"train": 40, "val": 20, "test": 20}


def flowers_dir() -> Path:
    return config.data_dir() / "flowers17"


def image_path(number: int) -> Path:
    """The file of image ``number`` (1-based, 1..1360)."""
    if not 1 <= int(number) <= N_IMAGES:
        raise ValueError(f"Flowers-17 image numbers run from 1 to {N_IMAGES}, not {number}")
    return flowers_dir() / "jpg" / f"image_{int(number):04d}.jpg"


def label_of(number: int | np.ndarray) -> int | np.ndarray:
    """Class index of image ``number`` (1-based): ``(number - 1) // 80``."""
    if isinstance(number, np.ndarray):
        return (number - 1) // PER_CLASS
    return (int(number) - 1) // PER_CLASS


def have_flowers() -> bool:
    return all(image_path(i).is_file() for i in (1, N_IMAGES))


def _check_files() -> None:
    """All 1,360 images, or a :class:`DataError`: none there, or only some (never a partial split)."""
    from lib.data import layout

    if not layout.whole("flowers17"):
        raise DataError(
            f"{flowers_dir() / 'jpg'} not found: expected Oxford Flowers-17's jpg/ folder with "
            f"image_0001.jpg ... image_{N_IMAGES}.jpg. {HOW_TO_GET}"
        )


@dataclass(frozen=True)
class FlowersSplit:
    """Image numbers (1-based) of each split; labels follow from the numbers.

    ``origin`` says where the split came from (``datasplits.mat`` or the seeded draw);
    ``fingerprint`` identifies the split *and* the image files, for cache keys.
    """

    train: np.ndarray
    val: np.ndarray
    test: np.ndarray
    origin: str
    fingerprint: str

    def numbers(self, split: str) -> np.ndarray:
        if split not in SPLITS:
            raise ValueError(f"split must be one of {SPLITS}, not {split!r}")
        return getattr(self, split)

    def labels(self, split: str) -> np.ndarray:
        return label_of(self.numbers(split)).astype(np.int64)

    def paths(self, split: str) -> list[Path]:
        return [image_path(i) for i in self.numbers(split)]

    def sizes(self) -> dict[str, int]:
        return {s: len(self.numbers(s)) for s in SPLITS}

    def subset(self, per_class: dict[str, int] | int) -> FlowersSplit:
        """The first ``per_class`` images of each class in each split (quick profile)."""
        limits = per_class if isinstance(per_class, dict) else dict.fromkeys(SPLITS, per_class)
        parts = {}
        for s in SPLITS:
            nums = self.numbers(s)
            keep = np.concatenate([nums[label_of(nums) == c][: limits[s]] for c in range(len(CLASSES))])
            parts[s] = np.sort(keep)
        fp = hashlib.sha256(f"{self.fingerprint}|subset:{sorted(limits.items())}".encode()).hexdigest()[:20]
        return FlowersSplit(**parts, origin=f"{self.origin}, first {limits} per class", fingerprint=fp)


def draw_split(seed: int = config.SEED, sizes: dict[str, int] | None = None) -> dict[str, np.ndarray]:
    """Per class, a seeded permutation of its 80 images cut into train/val/test (40/20/20).

    Pure function of ``seed`` and ``sizes``: the same numbers on every machine.
    """
    sizes = dict(sizes or SPLIT_SIZES)
    if sum(sizes.values()) > PER_CLASS or set(sizes) != set(SPLITS):
        raise ValueError(f"sizes {sizes} must name {SPLITS} and add up to at most {PER_CLASS}")
    rng = np.random.default_rng(seed)
    parts: dict[str, list[np.ndarray]] = {s: [] for s in SPLITS}
    for c in range(len(CLASSES)):
        order = c * PER_CLASS + 1 + rng.permutation(PER_CLASS)
        start = 0
        for s in SPLITS:
            parts[s].append(order[start : start + sizes[s]])
            start += sizes[s]
    return {s: np.sort(np.concatenate(parts[s])).astype(np.int64) for s in SPLITS}


def _read_datasplits(path: Path) -> dict[str, np.ndarray]:
    import scipy.io

    try:
        mat = scipy.io.loadmat(path)
    except Exception as exc:
        raise DataError(f"{path} is not a readable .mat file ({type(exc).__name__}: {exc}).") from exc
    keys = {"train": "trn1", "val": "val1", "test": "tst1"}
    out = {}
    for split, key in keys.items():
        if key not in mat:
            found = sorted(k for k in mat if not k.startswith("__"))
            raise DataError(f"{path} has no key {key!r} (found: {found}); expected the official trn1/val1/tst1.")
        nums = np.asarray(mat[key]).astype(np.int64).ravel()
        if nums.min() < 1 or nums.max() > N_IMAGES:
            raise DataError(f"{path}: {key!r} holds image numbers outside 1..{N_IMAGES}.")
        out[split] = np.sort(nums)
    return out


def flowers_split(seed: int = config.SEED) -> FlowersSplit:
    """The split every Flowers-17 result uses (official split 1 if present, else the seeded draw)."""
    _check_files()
    official = flowers_dir() / "datasplits.mat"
    if official.is_file():
        parts, origin = _read_datasplits(official), "datasplits.mat, split 1"
        extra = cache.file_digest(official)
    else:
        sizes = SPLIT_SIZES
        parts = draw_split(seed, sizes)
        origin = f"per class {sizes['train']}/{sizes['val']}/{sizes['test']}, drawn with seed {seed}"
        extra = f"seed={seed}"
    _check_disjoint(parts)
    fp = hashlib.sha256(
        "|".join([files_fingerprint(), extra] + [",".join(map(str, parts[s])) for s in SPLITS]).encode()
    ).hexdigest()[:20]
    return FlowersSplit(**parts, origin=origin, fingerprint=fp)


def _check_disjoint(parts: dict[str, np.ndarray]) -> None:
    seen: set[int] = set()
    for s in SPLITS:
        nums = set(parts[s].tolist())
        if len(nums) != len(parts[s]) or seen & nums:
            raise DataError(f"Flowers-17 split {s!r} repeats images or overlaps another split.")
        seen |= nums


def files_fingerprint() -> str:
    """Identifies the 1360 image files (sha256 of their contents, remembered per size/mtime)."""
    stats = []
    for i in range(1, N_IMAGES + 1):
        st = image_path(i).stat()
        stats.append((st.st_size, st.st_mtime_ns))
    return _files_digest(str(flowers_dir()), tuple(stats))


@functools.lru_cache(maxsize=4)
def _files_digest(folder: str, _stats: tuple) -> str:
    h = hashlib.sha256()
    for i in range(1, N_IMAGES + 1):
        h.update(image_path(i).read_bytes())
    return h.hexdigest()[:20]


def flowers_source() -> str:
    from lib.data.provenance import source

    return source("flowers17")
