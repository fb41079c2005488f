"""One handwritten character as anti-aliased ink: a font's own glyph, or its skeleton re-drawn.

Two ways to write a character at letter height ``h`` (pixels), both deterministic given a
:class:`Hand` (the random numbers of one character):

* :func:`draw_glyph`: the font's own outline (its stroke weight kept: condensed and heavy
  marker-like faces stay what they are), slanted, rotated, squeezed and elastically
  distorted, sampled with ``scipy.ndimage.map_coordinates``.
* :func:`draw_restroked`: **new shapes**. The glyph is skeletonised
  (``skimage.morphology.skeletonize``) into a cloud of centre-line points; the points are
  moved (aspect, slant, rotation, a broad elastic field and a fine tremor) and re-drawn with
  a round pen of the page's width whose pressure varies along the stroke. Letter shapes and
  stroke widths are then the pen's, not the font's.

Both return ``(alpha, top, left)``: ink in [0, 1] (float32) and the position of its top-left
pixel relative to the character's baseline origin, in pixels.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
import scipy.ndimage as ndi

from lib.data.synthetic import fonts as fontlib
from lib.data.synthetic.fonts import Font

#: Pixels per cap height at which glyphs are rendered and skeletonised.
MASTER_PX = 160
#: Re-drawing a skeleton needs a face whose skeleton is clean: heavy faces (stroke wider than
#: this many cap heights) grow spurs when skeletonised, so they are only written as themselves.
MAX_RESTROKE_WEIGHT = 0.2
#: A pruned skeleton, drawn with the face's own stroke, must span at least this share of the
#: glyph's width and height; below it pruning took a whole stroke for a spur (the short arms
#: of a heavy condensed T, leaving an I), and the skeleton is kept unpruned.
MIN_SPAN = 0.8


@dataclass(frozen=True)
class Hand:
    """The random numbers of one written character (lengths in letter heights)."""

    aspect: float = 1.0      # width multiplier (< 1: condensed)
    slant: float = 0.0       # tan of the forward slant
    rotation: float = 0.0    # degrees, counter-clockwise
    elastic: float = 0.0     # RMS-ish amplitude of the broad distortion
    tremor: float = 0.0      # amplitude of the fine wobble (restroked only)
    pressure: float = 0.0    # relative pen-width variation along the stroke (restroked only)
    phase: int = 0           # seed of the distortion fields


@dataclass(frozen=True)
class Glyph:
    """A glyph at ``MASTER_PX`` per cap height: its ink and where it sits."""

    mask: np.ndarray        # bool, cropped to the ink
    top: float              # row of mask[0] relative to the baseline, in cap heights (negative: above)
    left: float             # column of mask[:, 0] relative to the origin, in cap heights
    stroke: float           # the font's own stroke width, in cap heights


@functools.lru_cache(maxsize=4096)
def glyph(font: Font, char: str) -> Glyph:
    """The font's ``char`` rendered by Pillow at ``MASTER_PX`` pixels per cap height (a face
    of scanned handwriting, ``lib.data.synthetic.handwritten``, gives its own)."""
    if hasattr(font, "glyph"):
        return font.glyph(char)
    cap = -fontlib.load(font, MASTER_PX).getbbox("H", anchor="ls")[1]
    px = max(8, round(MASTER_PX * MASTER_PX / cap))  # font size that makes the cap height MASTER_PX
    mask, top, left, cap = fontlib.draw(font, char, px)
    return Glyph(mask, top / cap, left / cap, stroke_width(mask) / cap)


def restrokable(font: Font) -> bool:
    """Whether the face's skeleton is clean enough to re-draw (its H's stroke is not heavy)."""
    return glyph(font, "H").stroke <= MAX_RESTROKE_WEIGHT


def stroke_width(mask: np.ndarray) -> float:
    """The typical stroke width of a binary glyph (pixels): twice the ink's depth along its skeleton."""
    from skimage.morphology import skeletonize

    mask = np.pad(mask, 1)  # the crop's border is ink's edge too (an I fills its whole crop)
    skeleton = skeletonize(mask)
    return max(1.0, 2.0 * float(np.median(ndi.distance_transform_edt(mask)[skeleton])) - 1.0)


@functools.lru_cache(maxsize=4096)
def centre_line(font: Font, char: str) -> np.ndarray:
    """(N, 2) points (row, col) of the glyph's skeleton in cap heights about the baseline
    origin, densified so that no gap opens when a character is drawn larger than the master."""
    from skimage.morphology import skeletonize

    g = glyph(font, char)
    full = skeletonize(g.mask)
    skeleton = prune(full, int(round(0.8 * g.stroke * MASTER_PX)))
    if span(skeleton, g.stroke * MASTER_PX, g.mask.shape) < MIN_SPAN:
        skeleton = full
    rows, cols = np.nonzero(skeleton)
    pts = np.stack([rows, cols], 1).astype(np.float64)
    # midpoints of 8-connected neighbours: 4x the density along every stroke
    index = -np.ones(skeleton.shape, np.int64)
    index[rows, cols] = np.arange(len(rows))
    extra = []
    h, w = skeleton.shape
    for dr, dc in ((0, 1), (1, -1), (1, 0), (1, 1)):
        r2, c2 = rows + dr, cols + dc
        ok = (r2 >= 0) & (r2 < h) & (c2 >= 0) & (c2 < w)
        j = np.full(len(rows), -1)
        j[ok] = index[r2[ok], c2[ok]]
        a, b = pts[j >= 0], pts[j[j >= 0]]
        for t in (0.25, 0.5, 0.75):
            extra.append(a + t * (b - a))
    pts = np.concatenate([pts, *extra]) / MASTER_PX
    return pts + np.array([g.top, g.left])


def span(skeleton: np.ndarray, stroke: float, shape: tuple[int, int]) -> float:
    """The smaller of the shares of ``shape``'s height and width that ``skeleton`` covers when
    drawn with a pen ``stroke`` pixels wide (1: the glyph's whole box)."""
    rows, cols = np.nonzero(skeleton)
    if rows.size == 0:
        return 0.0
    extent = np.array([np.ptp(rows), np.ptp(cols)], float) + 1.0 + stroke
    return float(np.min(extent / np.asarray(shape, float)))


def _neighbours(mask: np.ndarray) -> np.ndarray:
    return ndi.convolve(mask.astype(np.uint8), np.array([[1, 1, 1], [1, 0, 1], [1, 1, 1]], np.uint8),
                        mode="constant") * mask


def prune(skeleton: np.ndarray, length: int) -> np.ndarray:
    """The skeleton without its spurs: branches shorter than ``length`` pixels that end freely.

    A font's corners, flared stroke ends and ink traps skeletonise into short side branches
    that a pen would never draw. Classic pruning: peel ``length`` end pixels off every
    branch, then grow the surviving ends back along the original skeleton by as much, so real
    strokes keep their full length and spurs (which hang off junctions, not ends) stay gone.
    """
    if length < 1:
        return skeleton
    thin = skeleton.copy()
    for _ in range(length):
        ends = _neighbours(thin) == 1
        if not ends.any():
            break
        thin &= ~ends
    if not thin.any():  # a short glyph (a dot, a dash): nothing to prune
        return skeleton
    # regrow from the surviving ends (and isolated pixels) along the original skeleton
    front = thin & (_neighbours(thin) <= 1)
    grown = thin.copy()
    for _ in range(length):
        front = ndi.binary_dilation(front, np.ones((3, 3), bool)) & skeleton & ~grown
        if not front.any():
            break
        grown |= front
    return grown


def _field(rng: np.random.Generator, k: int, freq: tuple[float, float]):
    """A smooth random 2-D displacement as a sum of ``k`` plane waves (unit RMS per axis)."""
    angle = rng.uniform(0, 2 * np.pi, (2, k))
    f = rng.uniform(*freq, (2, k)) * 2 * np.pi
    wave = np.stack([np.cos(angle), np.sin(angle)], -1) * f[..., None]          # (2, k, 2)
    phase = rng.uniform(0, 2 * np.pi, (2, k))
    amp = np.sqrt(2.0 / k)

    def displace(p: np.ndarray) -> np.ndarray:
        """p (..., 2) in letter heights -> displacement (..., 2), RMS about 1 per axis."""
        arg = np.einsum("...j,akj->...ak", p, wave) + phase                    # (..., 2, k)
        return amp * np.sin(arg).sum(-1)

    return displace


def _linear(hand: Hand) -> np.ndarray:
    """The 2x2 map (row, col) -> (row, col) of aspect, slant and rotation."""
    t = np.deg2rad(hand.rotation)
    squeeze = np.array([[1.0, 0.0], [0.0, hand.aspect]])
    slant = np.array([[1.0, 0.0], [-hand.slant, 1.0]])   # col -= slant * row (row < 0 above the baseline)
    rot = np.array([[np.cos(t), np.sin(t)], [-np.sin(t), np.cos(t)]])
    return rot @ slant @ squeeze


def draw_restroked(font: Font, char: str, height: float, pen: float, hand: Hand, supersample: int = 3):
    """The glyph's skeleton re-drawn with a round pen ``pen`` pixels wide at letter height ``height``."""
    rng = np.random.default_rng(hand.phase)
    broad, fine, press = _field(rng, 4, (0.4, 1.0)), _field(rng, 6, (3.0, 6.0)), _field(rng, 3, (1.0, 2.5))
    base = centre_line(font, char)
    p = base @ _linear(hand).T
    p = p + hand.elastic * broad(base) + hand.tremor * fine(base)
    width = pen * (1.0 + hand.pressure * np.clip(press(base)[:, 0], -2, 2))     # per point, pixels
    s = supersample
    q = p * height * s                                                           # supersampled pixels
    margin = (width.max() * s) / 2 + 2 * s
    lo = np.floor(q.min(0) - margin)
    shape = np.ceil(q.max(0) + margin - lo).astype(int) + 1
    shape += (-shape) % s                                                        # a whole number of pixels
    idx = np.round(q - lo).astype(int)
    seed = np.zeros(shape, bool)
    seed[idx[:, 0], idx[:, 1]] = True
    radius = np.zeros(shape, np.float32)
    np.maximum.at(radius, (idx[:, 0], idx[:, 1]), (width * s / 2).astype(np.float32))
    dist, (ir, ic) = ndi.distance_transform_edt(~seed, return_indices=True)
    ink = np.clip(radius[ir, ic] - dist + 0.5, 0.0, 1.0)                          # one sub-pixel of soft edge
    alpha = ink.reshape(shape[0] // s, s, shape[1] // s, s).mean((1, 3)).astype(np.float32)
    return _crop(alpha, lo[0] / s, lo[1] / s)


def draw_glyph(font: Font, char: str, height: float, hand: Hand, supersample: int = 2):
    """The font's own glyph (its stroke weight kept) at letter height ``height``, distorted by ``hand``."""
    rng = np.random.default_rng(hand.phase)
    broad = _field(rng, 4, (0.4, 1.0))
    g = glyph(font, char)
    A = _linear(hand)
    h, w = g.mask.shape
    corners = np.array([[0, 0], [0, w], [h, 0], [h, w]]) / MASTER_PX + np.array([g.top, g.left])
    out = corners @ A.T
    s = supersample
    margin = (hand.elastic * 3 + 0.05) * height * s
    lo = np.floor(out.min(0) * height * s - margin)
    hi = np.ceil(out.max(0) * height * s + margin)
    shape = (hi - lo).astype(int) + 1
    shape += (-shape) % s
    grid = np.stack(np.mgrid[0: shape[0], 0: shape[1]], -1).astype(np.float64)
    q = (grid + lo) / (height * s)                                               # letter heights
    q = q - hand.elastic * broad(q)                                              # approximate inverse
    src = q @ np.linalg.inv(A).T                                                 # glyph's cap heights
    src = (src - np.array([g.top, g.left])) * MASTER_PX - 0.5                 # mask pixel centres
    smooth = ndi.gaussian_filter(g.mask.astype(np.float32), 0.5 * MASTER_PX / (height * s))
    ink = ndi.map_coordinates(smooth, [src[..., 0], src[..., 1]], order=1, mode="constant", cval=0.0)
    ink = np.clip((ink - 0.5) * 2.5 + 0.5, 0.0, 1.0)
    alpha = ink.reshape(shape[0] // s, s, shape[1] // s, s).mean((1, 3)).astype(np.float32)
    return _crop(alpha, lo[0] / s, lo[1] / s)


def _crop(alpha: np.ndarray, top: float, left: float):
    rows, cols = np.nonzero(alpha > 0.02)
    if rows.size == 0:
        raise ValueError("a character lost all its ink (generator bug)")
    r0, c0 = rows.min(), cols.min()
    return alpha[r0: rows.max() + 1, c0: cols.max() + 1], top + r0, left + c0
