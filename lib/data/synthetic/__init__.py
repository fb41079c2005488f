"""Synthetic handwriting: NIST36-format characters and handwritten pages with exact ground truth.

The book's offline default. When no NIST36 files can be found, ``lib.data.load_nist36`` calls
:func:`nist36_fallback` and every result made from it says so (``lib.data.describe()`` marks
NIST36 ``synthetic`` and names the fonts). The same renderer makes pages whose text and
character boxes are known exactly, to score ``find_letters`` and the OCR objectively.

* :func:`make_characters` (n_per_class, seed, fonts) -> X (N, 1024) float32, y (N,) int64
* :func:`make_styled_characters` (n_per_class, seed, params) -> X, y: the *training* faces'
  own glyphs or skeletons re-drawn with a random pen, condensed to wide, fine pen to thick
  marker; :func:`styled_characters` is the same, cached (for the reader, ``lib.deep.reader``)
* :func:`make_page` (text, seed) -> RGB image, text, boxes (N, 4) [y1, x1, y2, x2]
* :func:`nist36_fallback` () -> ``split -> (X, y, classes)`` with ``.fingerprint`` and ``.description``

Generated splits are cached as ``.npz`` under ``lib.config.cache_dir()`` (written atomically),
never in the data directory. Fonts come from PyPI packages (README.md, section "Fonts"); train,
valid and test are rendered with disjoint font families.

Photographed pages for the OCR's unseen-style benchmark and its validation set are in
:mod:`lib.data.synthetic.unseen` (``benchmark_pages``, ``validation_pages``); the benchmark's
lettering (:mod:`lib.data.synthetic.heldout`) is refused by every generator above.
"""

from __future__ import annotations

import functools

import numpy as np

from lib import cache
from lib.data.errors import DataError
from lib.data.nist36 import CLASSES, SPLITS
from lib.data.synthetic.characters import (
    DEFAULT_PARAMS,
    CharParams,
    StyleParams,
    generate_cached,
    make_characters,
    make_styled_characters,
    styled_characters,
)
from lib.data.synthetic.fonts import FONTS, SPLIT_FAMILIES, Font, split_fonts
from lib.data.synthetic.pages import PageParams, make_page, make_pages, random_text

__all__ = [
    "CharParams",
    "FONTS",
    "Font",
    "PageParams",
    "SPLIT_FAMILIES",
    "SPLIT_SIZES",
    "StyleParams",
    "generate_split",
    "make_characters",
    "make_styled_characters",
    "make_page",
    "make_pages",
    "nist36_fallback",
    "random_text",
    "split_fonts",
    "styled_characters",
]

#: Images per class, as in the homework's files (10,800 / 3,600 / 1,800 images).
SPLIT_SIZES: dict[str, int] = {"train": 300, "valid": 100, "test": 50}
#: Seed of each split, added to the book's seed.
SPLIT_SEEDS: dict[str, int] = {"train": 1, "valid": 2, "test": 3}
#: The code the characters depend on (not the photographed pages' modules beside it).
_CODE = ("lib.data.synthetic.characters", "lib.data.synthetic.fonts")


def _font_digests(names: tuple[str, ...]) -> tuple[str, ...]:
    from lib.data.synthetic import fonts

    return tuple(fonts.digest(fonts.BY_NAME[n]) for n in names)


def generate_split(split: str, seed: int | None = None, n_per_class: int | None = None,
                   params: CharParams = DEFAULT_PARAMS) -> tuple[np.ndarray, np.ndarray]:
    """One split's (X, y), generated once and then loaded from the cache."""
    from lib import config
    from lib.data.synthetic import fonts

    if split not in SPLITS:
        from lib.data.synthetic import heldout

        if split == heldout.SPLIT:
            raise heldout.refuse(f"split {split!r}")
        raise ValueError(f"split must be one of {SPLITS}, not {split!r}")
    absent = fonts.missing()
    if absent:
        raise DataError(
            "no NIST36 files were found, and the synthetic stand-in cannot be generated because "
            f"its font packages are not installed: {', '.join(absent)}. Run `make setup`."
        )
    seed = config.SEED * 1000 + SPLIT_SEEDS[split] if seed is None else seed
    n = SPLIT_SIZES[split] if n_per_class is None else n_per_class
    names = split_fonts(split)
    result = generate_cached(split, n, seed, names, params, _font_digests(names))
    return result["X"].astype(np.float32), result["y"].astype(np.int64)


class _NIST36Fallback:
    """``split -> (X, y, classes)``: the synthetic NIST36 that ``lib.data`` uses without files."""

    def __init__(self, params: CharParams = DEFAULT_PARAMS):
        from lib import config
        from lib.data.synthetic import fonts

        self.params = params
        names = tuple(n for s in SPLITS for n in split_fonts(s))
        self.fingerprint: str = cache.fingerprint(
            "synthetic-nist36", params, SPLIT_SIZES, SPLIT_SEEDS, SPLIT_FAMILIES, config.SEED,
            names, _font_digests(names), cache.source_hash(*_CODE),
        )
        per_split = "; ".join(f"{s}: {', '.join(SPLIT_FAMILIES[s])}" for s in SPLITS)
        sizes = "/".join(str(SPLIT_SIZES[s]) for s in SPLITS)
        self.fonts = {s: split_fonts(s) for s in SPLITS}
        absent = fonts.missing()
        faces = [fonts.BY_NAME[n] for n in names]
        hand = sum(f.handwriting for f in faces)
        self.description = (
            f"NIST36-format characters rendered by lib.data.synthetic from {hand} handwriting and "
            f"{len(faces) - hand} print font faces, disjoint font families per split ({per_split}); "
            f"{sizes} images per class"
            + (f"; FONT PACKAGES MISSING: {', '.join(absent)} (run `make setup`)" if absent else "")
        )

    def __call__(self, split: str) -> tuple[np.ndarray, np.ndarray, list[str]]:
        X, y = _load(split, self.fingerprint, self.params)
        return X, y, list(CLASSES)

    def __repr__(self) -> str:
        return f"<synthetic NIST36 {self.fingerprint}>"


@functools.lru_cache(maxsize=6)
def _load(split: str, _fingerprint: str, params: CharParams) -> tuple[np.ndarray, np.ndarray]:
    X, y = generate_split(split, params=params)
    X.setflags(write=False)
    y.setflags(write=False)
    return X, y


def nist36_fallback(params: CharParams = DEFAULT_PARAMS) -> _NIST36Fallback:
    """The hook ``lib.data.synthetic_fallback`` calls: cheap to make, generates on first call."""
    return _NIST36Fallback(params)
