"""Real letter shapes for segmentation tests: glyphs of a print font and a template classifier.

``glyph("M", 60)`` is the ink of M (DejaVu Sans, which ships with matplotlib) cropped to
its extent; ``page(["M", "I"], overlap=...)`` sets glyphs side by side on a grey page, run into
each other when ``overlap`` > 0; ``template_scorer()`` classifies 32x32 rows by their distance
to each class's glyph pushed through the reading normalisation, with a 37th "not a character"
score that wins when no template is close (as chapter 4's reader does).
"""

from __future__ import annotations

import functools
from pathlib import Path

import matplotlib
import numpy as np
from PIL import Image, ImageDraw, ImageFont

from lib.data.nist36 import CLASSES, to_row
from lib.ocr.crops import normalize_char

FONT = Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSans.ttf"


@functools.lru_cache(maxsize=256)
def glyph(char: str, height: int = 60) -> np.ndarray:
    """The ink of ``char`` (bool), cap height about ``height`` pixels, cropped."""
    face = ImageFont.truetype(str(FONT), int(height * 1.37))
    left, top, right, bottom = face.getbbox(char)
    img = Image.new("L", (right - left + 8, bottom - top + 8), 0)
    ImageDraw.Draw(img).text((4 - left, 4 - top), char, font=face, fill=255)
    ink = np.asarray(img) > 127
    rows, cols = np.flatnonzero(ink.any(1)), np.flatnonzero(ink.any(0))
    return ink[rows[0]: rows[-1] + 1, cols[0]: cols[-1] + 1]


def page(pieces: list[np.ndarray], gaps: list[int], margin: int = 300) -> np.ndarray:
    """Masks set left to right on a common baseline; ``gaps[i]`` pixels between pieces i and
    i + 1 (negative: run into each other). Returns a float grey page, ink 0.1 on paper 0.9."""
    h = max(p.shape[0] for p in pieces)
    width = sum(p.shape[1] for p in pieces) + sum(gaps) + 2 * margin
    top = margin // 3
    ink = np.zeros((h + 2 * top, width), bool)
    x = margin
    for k, p in enumerate(pieces):
        ink[top + h - p.shape[0]: top + h, x: x + p.shape[1]] |= p
        x += p.shape[1] + (gaps[k] if k < len(gaps) else 0)
    return np.where(ink, 0.1, 0.9).astype(np.float32)


def joined(a: np.ndarray, b: np.ndarray, gap: int, at: float = 0.85, pen: int | None = None) -> np.ndarray:
    """Glyphs ``a`` and ``b`` on a common baseline ``gap`` pixels apart, joined by a pen
    stroke across the gap at ``at`` of the height (as a pen dragged from one letter to the
    next): one connected mark holding two characters."""
    h = max(a.shape[0], b.shape[0])
    pen = pen or max(2, int(round(0.1 * h)))
    out = np.zeros((h, a.shape[1] + gap + b.shape[1]), bool)
    out[h - a.shape[0]:, : a.shape[1]] = a
    out[h - b.shape[0]:, a.shape[1] + gap:] = b
    y = int(at * h)
    lo = max(0, y - pen // 2)
    xa = a.shape[1] - 1 - int(np.argmax(a[lo - (h - a.shape[0]), ::-1]))  # a's rightmost ink on that row
    xb = a.shape[1] + gap + int(np.argmax(b[lo - (h - b.shape[0])]))      # b's leftmost ink
    out[lo: lo + pen, xa: xb + 1] = True
    return out


def broken(mask: np.ndarray, column: float = 0.3, width: int = 3) -> np.ndarray:
    """``mask`` with a gap of ``width`` columns at ``column`` of its width (a pen lifted)."""
    out = mask.copy()
    x = int(column * mask.shape[1])
    out[:, x: x + width] = False
    return out


def word_page(text: str, height: int = 60, gap: int = 14, word_gap: int = 70, touching: tuple = (),
              broken_at: dict | None = None):
    """A one-line page of ``text``; letters i and i + 1 joined by a stroke for i in ``touching``;
    letter i broken at ``broken_at[i]`` of its width."""
    broken_at = broken_at or {}
    pieces, gaps = [], []
    i = 0
    while i < len(text):
        c = text[i]
        if c == " ":
            gaps[-1] = word_gap
            i += 1
            continue
        g = glyph(c, height)
        if i in broken_at:
            g = broken(g, broken_at[i])
        if i in touching and i + 1 < len(text) and text[i + 1] != " ":
            g = joined(g, glyph(text[i + 1], height), gap)
            i += 1
        pieces.append(g)
        gaps.append(gap)
        i += 1
    return page(pieces, gaps[:-1])


@functools.lru_cache(maxsize=1)
def _templates() -> np.ndarray:
    return np.stack([to_row(normalize_char(glyph(c))) for c in CLASSES]).astype(np.float64)


def template_scorer(reject: bool = True, temperature: float = 8.0, reject_distance: float = 60.0):
    """``rows -> (N, 36 or 37)`` logits: minus squared distance to each class's template."""
    templates = _templates()

    def score(rows):
        rows = np.asarray(rows, np.float64).reshape(-1, 1024)
        d = ((rows[:, None, :] - templates[None]) ** 2).sum(-1)
        logits = -d / temperature
        if reject:
            logits = np.concatenate([logits, np.full((len(rows), 1), -reject_distance / temperature)], 1)
        return logits

    return score
