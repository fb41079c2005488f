"""NIST36-format characters rendered from handwriting fonts: ``make_characters``.

How one image is made (all steps batched over many images with numpy/scipy):

1. **Masters** (once per font): each of the 36 characters is rendered with Pillow at high
   resolution, scaled so its longer side is ``master_glyph`` pixels and re-stroked at a few
   pen widths by morphology on the Euclidean distance transform (dilation for a font thinner
   than the pen, re-drawing its skeleton for a thicker one), then lightly smoothed.
2. **Random geometry** per image: rotation (+-10 degrees), shear and aspect change compose
   an affine map; the character's convex hull, pushed through it, gives the scale that frames
   it like NIST36 (longer side 23-28.5 of 32 pixels, centred); a smooth random displacement
   field adds elastic distortion.
3. **Sampling**: one ``scipy.ndimage.map_coordinates`` call per batch reads every output
   pixel (on a 2x supersampled grid) from the stack of masters; a soft threshold at a random
   level varies the stroke width a little more.
4. **Imaging**: area-average to 32x32, Gaussian blur, ink darkness, a light unsharp mask
   (NIST36's resampling overshoots slightly below 0 and above 1) and pixel noise.

Images are dark ink (about 0) on a white (1.0) background, returned as rows in the homework's
column-major convention (``row.reshape(32, 32).T`` is upright), classes A..Z then 0..9.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
import scipy.ndimage as ndi

from lib import cache
from lib.data.nist36 import CLASSES
from lib.data.synthetic import fonts as fontlib
from lib.data.synthetic.fonts import Font


@dataclass(frozen=True)
class CharParams:
    """Every knob of the character generator (part of the cache key and the fingerprint)."""

    size: int = 32                       # output side (pixels)
    supersample: int = 2                 # sampling grid = size * supersample, then area-averaged
    master: int = 80                     # master canvas side (pixels)
    master_glyph: int = 64               # longer side of a glyph on its master canvas
    proportions: float = 1.0             # 0: the font's own width/height, 1: typical handwriting's
    strokes: tuple[float, ...] = (6.0, 8.0, 10.0, 12.0)  # pen widths on the master (pixels)
    rotation: float = 10.0               # degrees, uniform in [-rotation, rotation]
    shear: float = 0.2                   # tan(shear angle), uniform in [-shear, shear]
    aspect: float = 0.12                 # log aspect ratio, uniform in [-aspect, aspect]
    frame: tuple[float, float] = (23.0, 28.5)  # longer side of the ink box (output pixels)
    jitter: float = 0.5                  # centre offset (output pixels), uniform
    threshold: tuple[float, float] = (0.35, 0.65)  # ink level of the smoothed master
    elastic: tuple[float, float] = (0.0, 1.0)      # RMS displacement (output pixels)
    elastic_scale: float = 5.0           # spacing of the displacement field's basis (output px)
    blur: tuple[float, float] = (0.35, 0.8)        # Gaussian sigma (output pixels)
    ink: tuple[float, float] = (0.0, 0.06)         # ink grey level (background is 1)
    sharpen: tuple[float, float] = (0.0, 0.4)      # unsharp-mask amount
    noise: tuple[float, float] = (0.0, 0.02)       # pixel noise sigma


DEFAULT_PARAMS = CharParams()

#: Typical width / height of a handwritten character's ink box, per class: the median over
#: the EMNIST-derived NIST36 development copy (300 images per class). ``proportions`` pulls
#: every font towards these, so that a very narrow or wide font does not teach odd shapes.
ASPECT: dict[str, float] = dict(zip(CLASSES, (
    0.92, 0.85, 1.00, 0.89, 1.00, 0.81, 0.94, 0.88, 0.44, 0.96, 0.88, 0.82, 1.44,  # A..M
    1.09, 0.96, 0.71, 0.88, 0.92, 0.91, 1.04, 1.00, 0.87, 1.23, 0.85, 0.67, 1.08,  # N..Z
    0.89, 0.46, 0.96, 0.81, 0.79, 0.96, 0.75, 0.75, 0.73, 0.69,                    # 0..9
), strict=True))


@dataclass(frozen=True)
class Masters:
    fields: np.ndarray   # (M, S, S) float32 smoothed ink in [0, 1]; index (font*36 + class)*P + pen
    hulls: np.ndarray    # (M, K, 2) float64 convex-hull vertices (row, col) about the canvas centre
    pens: int            # P, pen widths per glyph


def render_glyph(font: Font, char: str, px: int = 200) -> np.ndarray:
    """The character's ink (float32 in [0, 1]) rendered with Pillow, cropped to its ink."""
    from PIL import Image, ImageDraw

    face = fontlib.load(font, px)
    left, top, right, bottom = face.getbbox(char)
    pad = px // 8
    img = Image.new("L", (right - left + 2 * pad, bottom - top + 2 * pad), 0)
    ImageDraw.Draw(img).text((pad - left, pad - top), char, font=face, fill=255)
    ink = np.asarray(img, dtype=np.float32) / 255.0
    rows, cols = np.nonzero(ink > 0.5)
    if rows.size == 0:
        raise ValueError(f"font {font.name!r} renders no ink for {char!r}")
    return ink[rows.min(): rows.max() + 1, cols.min(): cols.max() + 1]


def _fit(ink: np.ndarray, side: int, canvas: int, stretch: float = 1.0) -> np.ndarray:
    """Stretch the glyph's width by ``stretch``, scale it so its longer side is ``side`` and
    centre it on a square canvas (bool)."""
    import skimage.transform

    h, w = ink.shape[0], ink.shape[1] * stretch
    scale = side / max(h, w)
    shape = (max(1, round(h * scale)), max(1, round(w * scale)))
    small = skimage.transform.resize(ink, shape, order=1, anti_aliasing=True, mode="constant")
    out = np.zeros((canvas, canvas), np.float32)
    h, w = min(small.shape[0], canvas), min(small.shape[1], canvas)
    y0, x0 = (canvas - h) // 2, (canvas - w) // 2
    out[y0: y0 + h, x0: x0 + w] = small[:h, :w]
    return out > 0.5


def restroke(mask: np.ndarray, width: float | tuple[float, ...]):
    """The glyph drawn with a pen ``width`` pixels wide (morphology on distance transforms).

    A font thinner than the pen is grown by the missing half-width; a thicker one is redrawn
    along its skeleton. ``width`` may be a tuple: then a list of masks, one per width.
    """
    from skimage.morphology import skeletonize

    widths = width if isinstance(width, tuple) else (width,)
    skeleton = skeletonize(mask)
    native = 2.0 * float(np.median(ndi.distance_transform_edt(mask)[skeleton])) - 1.0
    outside = ndi.distance_transform_edt(~mask) if max(widths) >= native else None
    along = ndi.distance_transform_edt(~skeleton) if min(widths) < native else None
    out = [outside <= (w - native) / 2.0 if w >= native else along <= w / 2.0 for w in widths]
    return out if isinstance(width, tuple) else out[0]


def _hull(mask: np.ndarray) -> np.ndarray:
    """Convex-hull vertices of the ink's pixel squares, (K, 2) in (row, col) index units."""
    from scipy.spatial import ConvexHull

    edge = mask & ~ndi.binary_erosion(mask)
    rows, cols = np.nonzero(edge)
    corners = np.array([(-0.5, -0.5), (-0.5, 0.5), (0.5, -0.5), (0.5, 0.5)])
    pts = (np.stack([rows, cols], 1)[:, None, :] + corners[None]).reshape(-1, 2)
    return pts[ConvexHull(pts).vertices]


@functools.lru_cache(maxsize=4)
def masters(font_set: tuple[Font, ...], params: CharParams = DEFAULT_PARAMS) -> Masters:
    """Re-stroked, smoothed glyphs of every class for every font (cached in memory)."""
    fields, hulls = [], []
    centre = (params.master - 1) / 2.0
    for font in font_set:
        for char in CLASSES:
            ink = render_glyph(font, char)
            own = ink.shape[1] / ink.shape[0]
            target = own ** (1.0 - params.proportions) * ASPECT[char] ** params.proportions
            mask = _fit(ink, params.master_glyph, params.master, target / own)
            for pen in restroke(mask, tuple(params.strokes)):
                fields.append(ndi.gaussian_filter(pen.astype(np.float32), 1.0))
                hulls.append(_hull(pen) - centre)
    k = max(len(h) for h in hulls)
    padded = np.stack([np.concatenate([h, np.repeat(h[-1:], k - len(h), 0)]) for h in hulls])
    return Masters(np.stack(fields).astype(np.float32), padded, len(params.strokes))


def _smooth_basis(n: int, spacing: float) -> np.ndarray:
    """(n, B) Gaussian bumps every ``spacing`` pixels: a smooth field is basis @ Z @ basis.T."""
    centres = np.arange(-spacing, n + spacing, spacing)
    u = np.arange(n)[:, None]
    return np.exp(-0.5 * ((u - centres[None]) / spacing) ** 2)


def _blur_matrices(sigmas: np.ndarray, n: int) -> np.ndarray:
    """(B, n, n) row-normalised Gaussian convolution matrices, one per sigma."""
    d = np.arange(n)[:, None] - np.arange(n)[None]
    k = np.exp(-0.5 * (d[None] / np.maximum(sigmas, 1e-3)[:, None, None]) ** 2)
    return k / k.sum(axis=2, keepdims=True)


def _draw(rng: np.random.Generator, n: int, low_high: tuple[float, float]) -> np.ndarray:
    return rng.uniform(low_high[0], low_high[1], n)


def render(glyph: np.ndarray, rng: np.random.Generator, ms: Masters, params: CharParams,
           chunk: int = 512) -> np.ndarray:
    """Upright (N, size, size) float32 images of master indices ``glyph`` (all randomness from rng)."""
    p = params
    n = len(glyph)
    # Every random number is drawn here, up front, so the result does not depend on ``chunk``.
    theta = np.deg2rad(rng.uniform(-p.rotation, p.rotation, n))
    shear = rng.uniform(-p.shear, p.shear, n)
    aspect = np.exp(rng.uniform(-p.aspect, p.aspect, n))
    frame = _draw(rng, n, p.frame)
    offset = rng.uniform(-p.jitter, p.jitter, (n, 2))
    thresh = _draw(rng, n, p.threshold)
    elastic = _draw(rng, n, p.elastic)
    blur = _draw(rng, n, p.blur)
    ink_level = _draw(rng, n, p.ink)
    sharpen = _draw(rng, n, p.sharpen)
    noise_sigma = _draw(rng, n, p.noise)
    g = p.size * p.supersample
    basis = _smooth_basis(g, p.elastic_scale * p.supersample)
    coeffs = rng.standard_normal((n, 2, basis.shape[1], basis.shape[1]))
    noise = rng.standard_normal((n, p.size, p.size), dtype=np.float32)

    cos, sin = np.cos(theta), np.sin(theta)
    rot = np.stack([np.stack([cos, -sin], 1), np.stack([sin, cos], 1)], 1)       # (n, 2, 2)
    shr = np.zeros((n, 2, 2))
    shr[:, 0, 0] = shr[:, 1, 1] = 1.0
    shr[:, 1, 0] = shear                                                            # col += shear*row
    scl = np.zeros((n, 2, 2))
    scl[:, 0, 0], scl[:, 1, 1] = np.sqrt(aspect), 1.0 / np.sqrt(aspect)
    linear = rot @ shr @ scl                                                        # master -> output
    inverse = np.linalg.inv(linear)

    hull = np.einsum("nij,nkj->nki", linear, ms.hulls[glyph])                       # (n, K, 2)
    lo, hi = hull.min(axis=1), hull.max(axis=1)
    mid = (lo + hi) / 2.0
    scale = frame * p.supersample / (hi - lo).max(axis=1)                           # master px -> grid px

    grid = np.stack(np.mgrid[0:g, 0:g], 0).astype(np.float64) - (g - 1) / 2.0        # (2, g, g)
    centre = (ms.fields.shape[1] - 1) / 2.0
    sharp_k = _blur_matrices(np.ones(1), p.size)[0]
    out = np.empty((n, p.size, p.size), np.float32)
    for start in range(0, n, chunk):
        sl = slice(start, min(start + chunk, n))
        b = sl.stop - sl.start
        disp = basis @ coeffs[sl] @ basis.T                                       # (b, 2, g, g)
        rms = np.sqrt((disp ** 2).sum(1).mean((1, 2)))
        disp *= (elastic[sl] * p.supersample / np.maximum(rms, 1e-9))[:, None, None, None]
        q = grid[None] + disp - (offset[sl] * p.supersample)[:, :, None, None]
        q = q / scale[sl][:, None, None, None] + mid[sl][:, :, None, None]
        src = np.einsum("nij,njyx->niyx", inverse[sl], q) + centre                 # (b, 2, g, g)
        index = np.broadcast_to(glyph[sl][:, None, None].astype(np.float64), (b, g, g))
        coords = np.stack([index, src[:, 0], src[:, 1]], 0).reshape(3, -1)
        v = ndi.map_coordinates(ms.fields, coords, order=1, mode="constant", cval=0.0)
        v = v.reshape(b, g, g)
        ink = np.clip((v - thresh[sl][:, None, None]) / 0.2 + 0.5, 0.0, 1.0)
        s = p.supersample
        ink = ink.reshape(b, p.size, s, p.size, s).mean(axis=(2, 4))
        k = _blur_matrices(blur[sl], p.size)
        ink = k @ ink @ k.transpose(0, 2, 1)
        img = 1.0 - (1.0 - ink_level[sl])[:, None, None] * ink
        smooth = sharp_k @ img @ sharp_k.T
        img = img + sharpen[sl][:, None, None] * (img - smooth)
        img = img + noise_sigma[sl][:, None, None] * noise[sl]
        out[sl] = img.astype(np.float32)
    return out


def make_characters(n_per_class: int, seed: int, fonts, params: CharParams = DEFAULT_PARAMS,
                    ) -> tuple[np.ndarray, np.ndarray]:
    """``n_per_class`` images of each of A..Z, 0..9 rendered with ``fonts`` (names or Fonts).

    Returns X float32 (36 n, 1024) in the .mat convention (column-major rows, dark ink about 0
    on a 1.0 background) and y int64 (36 n,), grouped by class like the homework's files.
    Fonts are used equally often within each class; the same seed gives identical arrays.
    """
    if int(n_per_class) < 1:
        raise ValueError(f"n_per_class must be >= 1, not {n_per_class!r}")
    font_set = fontlib.resolve(fonts)
    ms = masters(font_set, params)
    rng = np.random.default_rng(seed)
    n_classes, n_fonts = len(CLASSES), len(font_set)
    y = np.repeat(np.arange(n_classes), n_per_class).astype(np.int64)
    font = np.concatenate([rng.permutation(np.arange(n_per_class) % n_fonts) for _ in range(n_classes)])
    pen = rng.integers(0, ms.pens, len(y))
    glyph = (font * n_classes + y) * ms.pens + pen
    images = render(glyph, rng, ms, params)
    X = np.ascontiguousarray(images.transpose(0, 2, 1).reshape(len(y), -1))
    return X, y


@cache.cached("synthetic-nist36", code=("lib.data.synthetic.fonts",))
def generate_cached(split: str, n_per_class: int, seed: int, font_names: tuple[str, ...],
                    params: CharParams, font_digests: tuple[str, ...]) -> dict:
    """``make_characters`` for one split, cached under the key of its arguments and of this
    module and the font list (``font_digests``: the font files' contents)."""
    del font_digests  # cache key only
    X, y = make_characters(n_per_class, seed, font_names, params)
    return {"X": X, "y": y, "split": split, "fonts": list(font_names)}


# ---------------------------------------------------------------------------- styled characters


@dataclass(frozen=True)
class StyleParams:
    """Every knob of :func:`make_styled_characters` (part of its cache key).

    Lengths are in letter (cap) heights unless said otherwise; ``(low, high)`` pairs are
    drawn uniformly, or log-uniformly where said.
    """

    size: int = 32                                 # output side (pixels)
    height: float = 48.0                           # cap height the glyph is drawn at (pixels), then framed
    restroked: float = 0.6                         # share re-drawn from the skeleton (faces with a clean one)
    pen: tuple[float, float] = (0.05, 0.28)        # re-drawn pen width, log-uniform: fine pen .. thick marker
    pen_share: float = 0.35                        # at most this share of the face's median letter width
    weight: tuple[float, float] = (0.05, 0.3)      # own glyphs: stroke width aimed at, log-uniform
    aspect: tuple[float, float] = (0.45, 1.5)      # width factor, log-uniform: condensed .. wide
    proportions: tuple[float, float] = (0.35, 1.6)  # the letter's width / height kept within these
    #                                                 times handwriting's (ASPECT): narrow, never a bar
    slant: tuple[float, float] = (-0.15, 0.35)     # tan of the forward slant
    rotation: float = 6.0                          # degrees, uniform in [-rotation, rotation]
    elastic: tuple[float, float] = (0.0, 0.03)     # broad distortion
    tremor: tuple[float, float] = (0.0, 0.006)     # fine wobble of re-drawn strokes
    pressure: tuple[float, float] = (0.0, 0.3)     # pen-width variation along a re-drawn stroke
    frame: tuple[float, float] = (23.0, 28.5)      # longer side of the ink box, pixels of a 32-pixel image
    jitter: float = 0.5                            # centre offset, pixels of a 32-pixel image
    blur: tuple[float, float] = (0.35, 0.8)        # Gaussian sigma, pixels of a 32-pixel image
    ink: tuple[float, float] = (0.0, 0.06)         # ink grey level (background is 1)
    noise: tuple[float, float] = (0.0, 0.02)       # pixel noise sigma


DEFAULT_STYLE = StyleParams()
#: The only split whose faces :func:`make_styled_characters` writes with.
STYLED_SPLIT = "train"


def _log_uniform(rng: np.random.Generator, low_high: tuple[float, float], n: int) -> np.ndarray:
    return np.exp(rng.uniform(np.log(low_high[0]), np.log(low_high[1]), n))


def _training_faces(fonts) -> tuple[Font, ...]:
    """The training split's faces (all, or those named); anything else is refused."""
    allowed = fontlib.split_fonts(STYLED_SPLIT)
    faces = fontlib.resolve(allowed if fonts is None else fonts)  # held-out lettering: HeldOutFontError
    outside = [f.name for f in faces if f.name not in allowed]
    if outside:
        raise ValueError(f"make_styled_characters writes with the {STYLED_SPLIT} split's faces only; "
                         f"{outside} are not among them (validation and test lettering stays unseen)")
    return faces


def _reweigh(alpha: np.ndarray, delta: float) -> np.ndarray:
    """The ink with its strokes grown (``delta`` > 0) or thinned by ``|delta|`` pixels a side."""
    if abs(delta) < 0.25:
        return alpha
    pad = int(np.ceil(max(delta, 0.0))) + 2
    mask = np.pad(alpha > 0.5, pad)
    if delta > 0:
        out = ndi.distance_transform_edt(~mask) <= delta
    else:
        out = ndi.distance_transform_edt(mask) > -delta
        if out.sum() < 0.3 * mask.sum():      # thinning would break the letter: keep it
            out = mask
    return ndi.gaussian_filter(out.astype(np.float32), 0.6)


#: The thinnest stroke of a styled character, in output pixels (a scan's finest pen line).
MIN_STROKE_PX = 2.0


def _frame(alpha: np.ndarray, side: float, size: int, offset: np.ndarray) -> np.ndarray:
    """The ink scaled so its longer side is ``side`` pixels, centred (plus ``offset``) on a
    ``size`` square (float32 in [0, 1]); strokes thinner than ``MIN_STROKE_PX`` are grown."""
    import skimage.transform

    from lib.data.synthetic.strokes import stroke_width

    rows, cols = np.nonzero(alpha > 0.05)
    alpha = alpha[rows.min(): rows.max() + 1, cols.min(): cols.max() + 1]
    scale = side / max(alpha.shape)
    grow = (MIN_STROKE_PX / scale - stroke_width(alpha > 0.5)) / 2
    if grow > 0.25:
        pad = int(np.ceil(grow)) + 1
        alpha = ndi.distance_transform_edt(~np.pad(alpha > 0.5, pad)) <= grow
        alpha = ndi.gaussian_filter(alpha.astype(np.float32), 0.6)
        rows, cols = np.nonzero(alpha > 0.05)
        alpha = alpha[rows.min(): rows.max() + 1, cols.min(): cols.max() + 1]
        scale = side / max(alpha.shape)
    shape = (max(1, round(alpha.shape[0] * scale)), max(1, round(alpha.shape[1] * scale)))
    small = skimage.transform.resize(alpha, shape, order=1, anti_aliasing=True, mode="constant")
    out = np.zeros((size, size), np.float32)
    h, w = min(shape[0], size), min(shape[1], size)
    y0 = int(np.clip(round((size - h) / 2 + offset[0]), 0, size - h))
    x0 = int(np.clip(round((size - w) / 2 + offset[1]), 0, size - w))
    out[y0: y0 + h, x0: x0 + w] = small[:h, :w]
    return np.clip(out, 0.0, 1.0)


def make_styled_characters(n_per_class: int, seed: int, params: StyleParams = DEFAULT_STYLE,
                           fonts=None) -> tuple[np.ndarray, np.ndarray]:
    """``n_per_class`` images of each of A..Z, 0..9 in the *training* split's lettering, styled.

    Unlike :func:`make_characters` (fixed masters, proportions pulled to handwriting's), each
    character keeps its face's own shape and gets a style of its own
    (``lib.data.synthetic.strokes``): either the face's glyph, its strokes grown or thinned
    towards a random weight, or (``restroked`` of the time, for faces whose skeleton is clean)
    its skeleton re-drawn with a random round pen (fine pen to thick marker), pressure and
    tremor; then a random width factor (condensed to wide), slant, rotation and elastic
    distortion, framed like NIST36 and imaged (blur, ink level, noise).

    ``fonts`` (names) may narrow the training faces, never widen them: validation, test and
    held-out lettering are refused. Returns X float32 (36 n, size**2) in the .mat convention
    (column-major rows, dark ink about 0 on 1.0) and y int64 grouped by class; the same seed
    gives identical arrays.
    """
    from lib.data.synthetic.strokes import MASTER_PX, Hand, draw_glyph, draw_restroked, glyph, restrokable
    from lib.progress import bar

    if int(n_per_class) < 1:
        raise ValueError(f"n_per_class must be >= 1, not {n_per_class!r}")
    p = params
    faces = _training_faces(fonts)
    rng = np.random.default_rng(seed)
    n_classes, n_faces = len(CLASSES), len(faces)
    y = np.repeat(np.arange(n_classes), n_per_class).astype(np.int64)
    face = np.concatenate([rng.permutation(np.arange(n_per_class) % n_faces) for _ in range(n_classes)])
    n = len(y)
    clean = np.array([restrokable(f) for f in faces])
    restroke = clean[face] & (rng.random(n) < p.restroked)
    pen, weight = _log_uniform(rng, p.pen, n), _log_uniform(rng, p.weight, n)
    aspect = _log_uniform(rng, p.aspect, n)
    slant, rotation = rng.uniform(*p.slant, n), rng.uniform(-p.rotation, p.rotation, n)
    elastic, tremor, pressure = rng.uniform(*p.elastic, n), rng.uniform(*p.tremor, n), rng.uniform(*p.pressure, n)
    phase = rng.integers(1 << 31, size=n)
    unit = p.size / 32.0
    side = rng.uniform(*p.frame, n) * unit
    offset = rng.uniform(-p.jitter, p.jitter, (n, 2)) * unit
    blur, ink, noise_sigma = rng.uniform(*p.blur, n) * unit, rng.uniform(*p.ink, n), rng.uniform(*p.noise, n)
    noise = rng.standard_normal((n, p.size, p.size), dtype=np.float32)
    widths = {f: float(np.median([glyph(f, c).mask.shape[1] for c in CLASSES])) / MASTER_PX for f in faces}

    images = np.empty((n, p.size, p.size), np.float32)
    for i in bar(range(n), desc="styled characters"):
        f, char = faces[face[i]], CLASSES[y[i]]
        own = glyph(f, char).mask
        ratio = own.shape[1] / own.shape[0]
        lo, hi = (q * ASPECT[char] / ratio for q in p.proportions)
        hand = Hand(aspect=float(np.clip(aspect[i], lo, hi)), slant=float(slant[i]), rotation=float(rotation[i]),
                    elastic=float(elastic[i]), tremor=float(tremor[i]), pressure=float(pressure[i]),
                    phase=int(phase[i]))
        h = p.height
        if restroke[i]:
            width = min(float(pen[i]), p.pen_share * widths[f] * hand.aspect)
            alpha, _, _ = draw_restroked(f, char, h, max(1.5, width * h), hand)
        else:
            alpha, _, _ = draw_glyph(f, char, h, hand)
            stroke = glyph(f, char).stroke
            alpha = _reweigh(alpha, float(np.clip(weight[i] - stroke, -0.5 * stroke, 0.15)) * h / 2)
        images[i] = _frame(alpha, float(side[i]), p.size, offset[i])
    k = _blur_matrices(blur, p.size)
    images = k @ images @ k.transpose(0, 2, 1)
    images = 1.0 - (1.0 - ink)[:, None, None] * images + noise_sigma[:, None, None] * noise
    X = np.ascontiguousarray(images.transpose(0, 2, 1).reshape(n, -1)).astype(np.float32)
    return X, y


@cache.cached("synthetic-styled", code=("lib.data.synthetic.fonts", "lib.data.synthetic.strokes"))
def _styled_cached(n_per_class: int, seed: int, font_names: tuple[str, ...], params: StyleParams,
                   font_digests: tuple[str, ...]) -> dict:
    del font_digests  # cache key only
    X, y = make_styled_characters(n_per_class, seed, params, font_names)
    return {"X": X, "y": y, "fonts": list(font_names)}


def styled_characters(n_per_class: int, seed: int, params: StyleParams = DEFAULT_STYLE,
                      ) -> tuple[np.ndarray, np.ndarray]:
    """:func:`make_styled_characters` in every training face, generated once and then loaded
    from the cache (key: arguments, font files, this package's code)."""
    names = fontlib.split_fonts(STYLED_SPLIT)
    digests = tuple(fontlib.digest(fontlib.BY_NAME[n]) for n in names)
    out = _styled_cached(int(n_per_class), int(seed), names, params, digests)
    return out["X"].astype(np.float32), out["y"].astype(np.int64)
