"""Scanned handwriting as a writer's letters: pages written with real characters.

The page generator (``lib.data.synthetic.photo``) writes with a face: it asks
``strokes.glyph(face, char)`` for each character's ink at ``strokes.MASTER_PX`` pixels per cap
height. A :class:`HandwrittenFace` answers from a scanned character (an EMNIST or NIST image),
scaled up so that its ink is one cap height tall. The same writer, joins and camera then write
pages in real people's handwriting, on which a reader is validated with scans it never
trained on (``lib.data.synthetic.unseen.SCANNED``).

>>> face = specimen_face(images, labels, classes, rng, name="EMNIST train")   # doctest: +SKIP
>>> render_photo("HELLO 42", 7, (face,), PhotoParams(restroked=0.0))          # doctest: +SKIP
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import ndimage as ndi

from lib.data.synthetic import strokes

#: Scans are binarised at this brightness (bright ink on black in [0, 1]).
INK = 0.5


@dataclass(frozen=True, eq=False)
class HandwrittenFace:
    """One scanned image per character (bright ink on black, upright), written as a face.

    Hashed by identity, so ``strokes.glyph``'s cache keeps each face's glyphs apart.
    """

    name: str
    family: str
    scans: dict[str, np.ndarray]

    def glyph(self, char: str) -> strokes.Glyph:
        """The scanned ``char`` as ``strokes.glyph`` gives a font's (which caches it)."""
        if char not in self.scans:
            raise KeyError(f"{self.name} has no scanned {char!r}")
        return glyph_from_scan(self.scans[char])


def glyph_from_scan(image: np.ndarray) -> strokes.Glyph:
    """A scanned character -> a ``strokes.Glyph`` whose ink is ``MASTER_PX`` pixels tall,
    standing on the baseline (block capitals and digits are one cap height tall)."""
    image = np.asarray(image, np.float32)
    ink = image > INK
    if not ink.any():
        raise ValueError("a scanned character has no ink (brightness above 0.5)")
    rows, cols = np.flatnonzero(ink.any(1)), np.flatnonzero(ink.any(0))
    crop = np.pad(image[rows[0]: rows[-1] + 1, cols[0]: cols[-1] + 1], 1)
    scale = strokes.MASTER_PX / (rows[-1] - rows[0] + 1)
    # linear interpolation of pixel areas (grid_mode) before thresholding: the strokes keep their
    # curves and the ink its extent
    mask = ndi.zoom(crop, scale, order=1, grid_mode=True, mode="grid-constant") > INK
    rows, cols = np.flatnonzero(mask.any(1)), np.flatnonzero(mask.any(0))
    mask = mask[rows[0]: rows[-1] + 1, cols[0]: cols[-1] + 1]
    return strokes.Glyph(mask, -mask.shape[0] / strokes.MASTER_PX, 0.0,
                         strokes.stroke_width(mask) / strokes.MASTER_PX)


def specimen_face(images: np.ndarray, labels: np.ndarray, classes: tuple[str, ...],
                  rng: np.random.Generator, name: str, chars: str | None = None) -> HandwrittenFace:
    """A face of one scan per character of ``chars`` (default: every class), each drawn at
    random from ``images`` (N, H, W bright ink on black) of its class (``labels`` index
    ``classes``)."""
    images, labels = np.asarray(images), np.asarray(labels)
    inked = (images > INK).any(axis=(1, 2))
    wanted = sorted(set(classes if chars is None else chars) - {" ", "\n"})
    scans = {}
    for c in wanted:
        if c not in classes:
            raise ValueError(f"{name}: {c!r} is not one of the scans' classes")
        pool = np.flatnonzero((labels == classes.index(c)) & inked)
        if len(pool) == 0:
            raise ValueError(f"{name}: no scanned {c!r} to write with")
        scans[c] = images[int(pool[rng.integers(len(pool))])]
    return HandwrittenFace(name, "handwriting", scans)
