"""Handwritten-looking pages with exact ground truth: ``make_page(text, seed)``.

Layout follows the homework's sample photos (block capitals, a gap of a quarter to half a
letter between letters, about one letter height between words, lines 1.6-2.4 letter heights
apart). Each character is drawn with one handwriting font of the page, re-stroked with the
page's pen, rotated and scaled a little and set on a jittered baseline; the page is then
rotated (up to 3 degrees), printed in pencil / ballpoint / felt-tip colours on paper with
uneven illumination and texture, blurred, noised and JPEG-compressed.

Boxes are computed from the final geometry: a character's box is the bounding box of the
pixels it owns with at least half its own peak ink (after the page rotation), so every box
contains ink and lies inside the image. Convention as ``lib.ocr.find_letters``: ``[y1, x1, y2, x2]`` with
the top-left inclusive and the bottom-right exclusive.
"""

from __future__ import annotations

import io
import string
from dataclasses import dataclass

import numpy as np
import scipy.ndimage as ndi

from lib.data.synthetic import fonts as fontlib
from lib.data.synthetic.characters import restroke
from lib.data.synthetic.fonts import Font

#: Ink colours (RGB): pencil, blue ballpoint, black felt-tip.
INKS = np.array([[0.30, 0.30, 0.32], [0.12, 0.16, 0.45], [0.08, 0.08, 0.10]])


@dataclass(frozen=True)
class PageParams:
    """Every knob of the page generator; lengths are in units of the letter height."""

    height: tuple[float, float] = (36.0, 60.0)        # letter (cap) height, pixels
    pen: tuple[float, float] = (0.07, 0.11)           # pen width
    letter_gap: tuple[float, float] = (0.25, 0.55)    # gap between letters of a word
    word_gap: tuple[float, float] = (0.9, 1.5)        # extra gap for a space
    line_gap: tuple[float, float] = (1.6, 2.4)        # baseline to baseline
    margin: tuple[float, float] = (1.2, 3.0)          # page margin
    char_rotation: float = 5.0                        # degrees, per character
    char_scale: float = 0.08                          # log size jitter per character
    baseline: float = 0.06                            # baseline jitter per character
    page_rotation: float = 3.0                        # degrees
    illumination: float = 0.25                       # depth of the uneven light
    blur: tuple[float, float] = (0.4, 0.9)            # Gaussian sigma (pixels)
    noise: tuple[float, float] = (0.005, 0.02)        # pixel noise sigma
    jpeg_quality: tuple[int, int] = (55, 90)


DEFAULT_PAGE = PageParams()
#: Fonts used for pages unless told otherwise: every handwriting face.
PAGE_FONTS: tuple[str, ...] = fontlib.handwriting()


def random_text(seed: int, lines: tuple[int, int] = (3, 6), words: tuple[int, int] = (1, 4),
                letters: tuple[int, int] = (1, 8), digits: float = 0.15) -> str:
    """Random lines of words in capitals and digits (what the 36 classes can read)."""
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(rng.integers(lines[0], lines[1] + 1)):
        ws = []
        for _ in range(rng.integers(words[0], words[1] + 1)):
            n = rng.integers(letters[0], letters[1] + 1)
            pool = string.digits if rng.random() < digits else string.ascii_uppercase
            ws.append("".join(rng.choice(list(pool), n)))
        out.append(" ".join(ws))
    return "\n".join(out)


def _char_alpha(font: Font, char: str, height: float, pen: float, angle: float):
    """Anti-aliased ink of one character at letter height ``height`` with a pen ``pen`` wide."""
    import skimage.transform

    px = 160
    mask, top, left, cap = fontlib.draw(font, char, px)
    scale = height / cap
    small = skimage.transform.rescale(mask.astype(np.float32), scale, order=1, anti_aliasing=True)
    m = np.pad(small > 0.5, 2)
    if not m.any():  # a speck smaller than a pixel at this size: keep one pixel
        m[2, 2] = True
    pad = int(np.ceil(pen)) + 2
    m = restroke(np.pad(m, pad), pen)
    alpha = ndi.gaussian_filter(m.astype(np.float32), 0.6)
    if angle:
        alpha = skimage.transform.rotate(alpha, angle, resize=True, order=1)
    rows, cols = np.nonzero(alpha > 0.02)
    alpha = alpha[rows.min(): rows.max() + 1, cols.min(): cols.max() + 1]
    return alpha, top * scale, left * scale


def _illumination(rng, shape, depth: float) -> np.ndarray:
    """Slowly varying light: a tilted plane times a broad bright or dark blob."""
    h, w = shape
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    yy, xx = yy / h - 0.5, xx / w - 0.5
    gy, gx = rng.uniform(-1, 1, 2) * depth
    plane = 1.0 + gy * yy + gx * xx
    cy, cx = rng.uniform(-0.5, 0.5, 2)
    r = rng.uniform(0.3, 0.8)
    blob = 1.0 + rng.uniform(-1, 1) * depth * 0.6 * np.exp(-((yy - cy) ** 2 + (xx - cx) ** 2) / (2 * r * r))
    light = plane * blob
    return (light / light.max()).astype(np.float32)


def make_page(text: str, seed: int, fonts=None, params: PageParams = DEFAULT_PAGE):
    """Render ``text`` (lines separated by newlines) as a photographed handwritten page.

    Returns ``(image, text, boxes)``: image float32 RGB (H, W, 3) in [0, 1]; the text exactly
    as given; boxes int64 (N, 4) ``[y1, x1, y2, x2]`` (bottom-right exclusive), one per
    non-whitespace character in reading order. One font (from ``fonts``, default every handwriting face)
    writes the whole page; the same seed gives the same page.
    """
    import skimage.transform

    if not isinstance(text, str) or not text.strip():
        raise ValueError("make_page needs a non-empty text")
    p = params
    rng = np.random.default_rng(seed)
    pool = fontlib.resolve(fonts if fonts is not None else PAGE_FONTS)
    font = pool[rng.integers(len(pool))]
    h = rng.uniform(*p.height)
    pen = max(2.0, rng.uniform(*p.pen) * h)
    letter_gap, word_gap, line_gap = (rng.uniform(*r) * h for r in (p.letter_gap, p.word_gap, p.line_gap))

    # Layout: every character's alpha and its top-left on an unrotated canvas.
    placed = []  # (alpha, y, x)
    lines = text.split("\n")
    width = 0.0
    for li, line in enumerate(lines):
        x = rng.uniform(0, 0.5) * h
        base = li * line_gap
        for ch in line:
            if ch.isspace():
                x += word_gap
                continue
            size = h * np.exp(rng.uniform(-p.char_scale, p.char_scale))
            angle = rng.uniform(-p.char_rotation, p.char_rotation)
            alpha, top, left = _char_alpha(font, ch, size, pen, angle)
            y = base + top + rng.uniform(-p.baseline, p.baseline) * h
            placed.append((alpha, y, x + max(left, 0.0)))
            x += max(left, 0.0) + alpha.shape[1] + letter_gap * np.exp(rng.uniform(-0.3, 0.3))
        width = max(width, x)
    if not placed:
        raise ValueError("make_page needs at least one non-space character")
    top_y = min(y for _, y, _ in placed)
    bottom_y = max(y + a.shape[0] for a, y, _ in placed)
    text_h = bottom_y - top_y
    margin = rng.uniform(*p.margin, 4) * h
    angle = rng.uniform(-p.page_rotation, p.page_rotation)
    # room for the page rotation: half the text's other side times sin(angle), both ways
    slack = np.sin(np.deg2rad(abs(angle))) * (width + text_h) / 2 + 4
    H = int(np.ceil(text_h + margin[0] + margin[1] + 2 * slack))
    W = int(np.ceil(width + margin[2] + margin[3] + 2 * slack))
    oy, ox = margin[0] + slack - top_y, margin[2] + slack

    ink = np.zeros((H, W), np.float32)
    owner = np.zeros((H, W), np.int32)
    for i, (alpha, y, x) in enumerate(placed, start=1):
        y0, x0 = int(round(y + oy)), int(round(x + ox))
        region = ink[y0: y0 + alpha.shape[0], x0: x0 + alpha.shape[1]]
        own = owner[y0: y0 + alpha.shape[0], x0: x0 + alpha.shape[1]]
        a = alpha[: region.shape[0], : region.shape[1]]
        own[a > region] = i
        np.maximum(region, a, out=region)

    if angle:
        ink = skimage.transform.rotate(ink, angle, order=1, mode="constant").astype(np.float32)
        owner = skimage.transform.rotate(owner, angle, order=0, mode="constant", preserve_range=True).astype(np.int32)
    # a character's pixels are those it owns with at least half its own peak ink (a thin
    # stroke's anti-aliased peak can fall below 0.5 after the rotation)
    peak = np.concatenate([[np.inf], ndi.maximum(ink, owner, np.arange(1, len(placed) + 1))])
    solid = np.where((owner > 0) & (ink >= 0.5 * peak[owner]) & (ink > 0.05), owner, 0)
    slices = ndi.find_objects(solid, max_label=len(placed))
    if any(s is None for s in slices):
        raise RuntimeError("a character lost its ink in the page rotation (generator bug)")
    boxes = np.array([[s[0].start, s[1].start, s[0].stop, s[1].stop] for s in slices], np.int64)

    # Imaging: paper, light, ink colour, blur, noise, JPEG.
    paper = np.array([0.86, 0.85, 0.82]) * rng.uniform(0.85, 1.1) + rng.uniform(-0.03, 0.03, 3)
    colour = INKS[rng.integers(len(INKS))] + rng.uniform(-0.04, 0.04, 3)
    texture = 1.0 + ndi.gaussian_filter(rng.standard_normal((H, W)).astype(np.float32), 1.2) * 0.03
    light = _illumination(rng, (H, W), p.illumination)
    strength = rng.uniform(0.75, 1.0)  # pencil and ballpoint do not cover fully
    a = (ink * strength)[..., None]
    rgb = (paper * texture[..., None] * (1 - a) + colour * a) * light[..., None]
    rgb = ndi.gaussian_filter(rgb, (rng.uniform(*p.blur),) * 2 + (0,))
    rgb = rgb + rng.uniform(*p.noise) * rng.standard_normal(rgb.shape)
    image = _jpeg(np.clip(rgb, 0, 1), int(rng.integers(p.jpeg_quality[0], p.jpeg_quality[1] + 1)))
    return image, text, boxes


def _jpeg(rgb: np.ndarray, quality: int) -> np.ndarray:
    """Round-trip through JPEG at ``quality`` (block and ringing artefacts of a phone photo)."""
    from PIL import Image

    buf = io.BytesIO()
    Image.fromarray((rgb * 255 + 0.5).astype(np.uint8)).save(buf, format="JPEG", quality=quality)
    buf.seek(0)
    return np.asarray(Image.open(buf).convert("RGB"), dtype=np.float32) / 255.0


def make_pages(n: int, seed: int, fonts=None, params: PageParams = DEFAULT_PAGE):
    """``n`` pages of random text: a list of ``(image, text, boxes)``, page i from seed + i."""
    return [make_page(random_text(seed + i), seed + i, fonts, params) for i in range(n)]
