"""Handwritten lines photographed: ``render_photo(text, seed, fonts, params) -> PhotoPage``.

A page is written the way a person writes block capitals (one writer per page: one font or
re-drawn skeleton, one pen, one slant and letter width, with every character varying a
little, see ``lib.data.synthetic.strokes``) and then photographed:

* **Layout.** Lines of words on a slightly tilted, wavy baseline; letter gaps and word gaps
  are the writer's own (a word gap is the letter gap plus a third to nearly a letter height,
  so short word gaps occur). In a *joined* word most letters are moved left until their ink
  meets the previous letter's, or runs into it by at most half a stroke width (negative
  spacing, measured on the letters' own ink, so they really touch), but never so far that a
  letter hides in or merges with its neighbour (:func:`join_x`, :class:`Crowding`);
  ``PhotoPage.touching`` records which neighbours were written joined and
  ``PhotoPage.contact`` which ones do touch.
* **Surface.** Paper (grey to cream, with texture; pencil, ballpoint or felt-tip) or a
  whiteboard (bright, with a specular glare that washes the ink out, faint ghosts of erased
  writing, black / blue / red / green marker whose ink is streaky).
* **Camera.** A perspective view (the page's corners move inwards by up to
  ``perspective`` of its sides), uneven light (a tilted plane, a broad bright or dark blob,
  vignetting and sometimes a soft shadow across the page), defocus blur, sensor noise and
  JPEG compression at a random quality. The result is exactly what a photo file decodes to.

Ground truth is computed from the final geometry, as in ``lib.data.synthetic.pages``: the
box of a character is the bounding box of the pixels it owns with at least half its own peak
ink after the perspective warp, ``[y1, x1, y2, x2]`` with the bottom-right exclusive.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field

import numpy as np
import scipy.ndimage as ndi

from lib.data.synthetic import strokes
from lib.data.synthetic.fonts import Font
from lib.data.synthetic.strokes import Hand

#: Ink colours (RGB) on paper: pencil, blue ballpoint, black felt-tip, blue gel pen.
PAPER_INKS = np.array([[0.30, 0.30, 0.32], [0.12, 0.16, 0.45], [0.08, 0.08, 0.10], [0.10, 0.12, 0.32]])
#: Whiteboard markers: black, blue, red, green.
MARKERS = np.array([[0.10, 0.10, 0.12], [0.10, 0.20, 0.58], [0.70, 0.12, 0.12], [0.08, 0.45, 0.22]])
SURFACES = ("paper", "whiteboard")
#: The largest photo made (pixels): a phone's 12 megapixels would only slow the benchmark down.
MAX_PIXELS = 8e6
STYLES = ("glyph", "restroked")


@dataclass(frozen=True)
class PhotoParams:
    """Every knob of a photographed page; lengths in letter heights unless said otherwise."""

    surface: str = "paper"                              # "paper" or "whiteboard"
    restroked: float = 0.5                              # probability that the page's writer re-draws skeletons
    height: tuple[float, float] = (45.0, 95.0)          # letter (cap) height, output pixels
    pen: tuple[float, float] = (0.05, 0.12)             # pen width of re-drawn letters
    pen_share: float = 0.3                              # at most this share of the writer's median letter width
    aspect: tuple[float, float] = (-0.35, 0.10)         # log width factor of the page's writer
    slant: tuple[float, float] = (-0.08, 0.22)          # tan of the writer's slant
    elastic: tuple[float, float] = (0.008, 0.025)       # broad distortion of each letter
    tremor: tuple[float, float] = (0.0015, 0.005)       # fine wobble of re-drawn strokes
    pressure: tuple[float, float] = (0.0, 0.2)          # pen-width variation along a stroke
    char_rotation: float = 4.0                          # degrees, per character
    char_scale: float = 0.07                            # log size jitter per character
    baseline: float = 0.05                              # baseline jitter per character
    letter_gap: tuple[float, float] = (0.12, 0.45)      # gap between the letters of a word
    word_gap: tuple[float, float] = (0.35, 0.9)         # word gap minus letter gap
    line_gap: tuple[float, float] = (1.6, 2.4)          # baseline to baseline
    line_tilt: float = 0.02                             # tan, per line
    touching: float = 0.0                               # probability that a word is written joined
    pair_touch: float = 0.7                             # in a joined word, probability that two neighbours touch
    overlap: tuple[float, float] = (0.0, 0.5)           # how far touching strokes run into each other (stroke widths)
    margin: tuple[float, float] = (0.08, 0.2)           # page margin, fraction of the text block's size
    zoom: tuple[float, float] = (1.0, 2.0)              # camera pixels per writing pixel (photo resolution)
    perspective: float = 0.06                           # corner displacement, fraction of the side
    illumination: float = 0.3                           # depth of the uneven light
    shadow: float = 0.3                                 # probability of a soft shadow across the page
    blur: tuple[float, float] = (0.3, 1.4)              # Gaussian sigma, writing pixels (times the zoom)
    noise: tuple[float, float] = (0.003, 0.012)         # pixel noise sigma
    jpeg_quality: tuple[int, int] = (55, 92)

    def __post_init__(self):
        if self.surface not in SURFACES:
            raise ValueError(f"surface must be one of {SURFACES}, not {self.surface!r}")
        for name in ("touching", "pair_touch", "restroked"):
            if not 0.0 <= getattr(self, name) <= 1.0:
                raise ValueError(f"{name} is a probability in [0, 1], not {getattr(self, name)!r}")
        if not 0.0 <= self.overlap[0] <= self.overlap[1] <= 1.0:
            raise ValueError(f"overlap is a range of stroke widths within [0, 1], not {self.overlap!r}")


@dataclass
class PhotoPage:
    """A photographed page and its exact ground truth."""

    image: np.ndarray            # float32 RGB (H, W, 3) in [0, 1], as the JPEG file decodes
    text: str                    # lines separated by "\n", words by one space
    boxes: np.ndarray            # int64 (N, 4) [y1, x1, y2, x2], one per non-space character
    word_of: np.ndarray          # int64 (N,) index of each character's word
    touching: np.ndarray         # bool (N,) whether character i was written touching character i+1
    contact: np.ndarray          # bool (N,) whether character i's ink touches character i+1's (measured)
    jpeg: bytes = b""            # the photo file
    info: dict = field(default_factory=dict)  # the writer and the camera: font, style, height, pen, ...


def render_photo(text: str, seed: int, fonts: tuple[Font, ...], params: PhotoParams = PhotoParams()) -> PhotoPage:
    """Write ``text`` (lines separated by newlines) with one of ``fonts`` and photograph it.

    ``fonts`` are Font objects; the caller decides which lettering a page may use (the
    benchmark's held-out faces or the training/validation faces). Same seed, same page.
    """
    rng = np.random.default_rng(seed)
    writing = _write_page(text, rng, fonts, params)
    ink, owner = _canvas(writing.letters)
    image, boxes, info = _photograph(ink, owner, rng, params, writing.height)
    info.update(writing.info)
    quality = int(rng.integers(params.jpeg_quality[0], params.jpeg_quality[1] + 1))
    jpeg = encode_jpeg(image, quality)
    info["jpeg_quality"] = quality
    return PhotoPage(decode_jpeg(jpeg), text, boxes, writing.word_of, writing.touching, writing.contact, jpeg, info)


# ---------------------------------------------------------------------------- writing

# Joined letters must stay readable: their strokes meet, or run into each other by at most
# half a stroke width (``PhotoParams.overlap``), but no letter hides in or merges with its
# neighbour. The bounds were chosen by looking at every joined pair of the validation and
# benchmark pages, thin pen to heavy marker, in every family. The first generator's unreadable
# pairs had 28-58% of an I, V or E inside the neighbour's box (HIM read as HM, EI, CI, IN), or
# upright strokes side by side along most of their height (IE, IR, ME, an N along a narrow O);
# the readable ones stayed under these bounds.
MAX_INSIDE = 0.1          # share of either letter's ink inside the other's ink box
MAX_FUSED = 4.0           # its ink within the crowding radius of the other's ink, in stroke widths
MAX_FUSED_SHARE = 0.25    # ... and as a share of the letter's ink (a heavy I is four strokes tall)
CROWD_RADIUS = 1.0        # the crowding radius: one stroke width (closer strokes read as one) ...
CROWD_HEIGHT = 0.15       # ... or 0.15 letter heights if less (a heavy marker's narrower gap shows)


@dataclass(frozen=True)
class Letter:
    """One written character on the writing plane (before the camera)."""

    alpha: np.ndarray       # float32 ink in [0, 1]
    y: int                  # row of alpha[0]
    x: int                  # column of alpha[:, 0]
    stroke: float           # its stroke width (pixels): the pen's, or the font's at this size

    @property
    def mask(self) -> np.ndarray:
        return self.alpha > 0.5


@dataclass
class Writing:
    """A page as written: every character's ink and place, and the word structure."""

    letters: list[Letter]
    word_of: np.ndarray      # int64 (N,) index of each character's word
    touching: np.ndarray     # bool (N,) whether character i was written joined to character i+1
    contact: np.ndarray      # bool (N,) whether their ink touches (alpha > 0.5, 8-adjacent or overlapping)
    height: float            # the writer's letter height (pixels)
    info: dict               # the writer: font, style, height, pen, gaps, slant, ...


def write(text: str, seed: int, fonts: tuple[Font, ...], params: PhotoParams = PhotoParams()) -> Writing:
    """The writing plane of ``render_photo(text, seed, fonts, params)``: what the camera sees."""
    return _write_page(text, np.random.default_rng(seed), fonts, params)


def _write_page(text: str, rng: np.random.Generator, fonts: tuple[Font, ...], p: PhotoParams) -> Writing:
    if not isinstance(text, str) or not text.strip():
        raise ValueError("render_photo needs a non-empty text")
    if not fonts:
        raise ValueError("render_photo needs at least one font")
    font = fonts[int(rng.integers(len(fonts)))]
    restroked = bool(rng.random() < p.restroked)
    h = float(rng.uniform(*p.height))
    pen = float(rng.uniform(*p.pen)) * h
    writer = {
        "aspect": float(np.exp(rng.uniform(*p.aspect))),
        "slant": float(rng.uniform(*p.slant)),
        "elastic": float(rng.uniform(*p.elastic)),
        "tremor": float(rng.uniform(*p.tremor)),
        "pressure": float(rng.uniform(*p.pressure)),
    }
    if restroked:  # nobody writes narrow letters with a pen half as wide as they are
        widths = [strokes.glyph(font, c).mask.shape[1] / strokes.MASTER_PX for c in set(text) if not c.isspace()]
        pen = max(2.0, min(pen, p.pen_share * float(np.median(widths)) * writer["aspect"] * h))
    letter_gap = float(rng.uniform(*p.letter_gap)) * h
    word_gap = letter_gap + float(rng.uniform(*p.word_gap)) * h
    line_gap = float(rng.uniform(*p.line_gap)) * h

    letters, word_of, touching, contact = _write(text, rng, font, restroked, h, pen, writer, p,
                                                 letter_gap, word_gap, line_gap)
    info = dict(font=font.name, family=font.family, style="restroked" if restroked else "glyph",
                height=round(h, 2), pen=round(pen, 2) if restroked else None,
                letter_gap=round(letter_gap / h, 3), word_gap=round(word_gap / h, 3), **writer)
    return Writing(letters, word_of, touching, contact, h, info)


def _write(text, rng, font, restroked, h, pen, writer, p, letter_gap, word_gap, line_gap):
    """Every character's ink and integer top-left on the writing plane, and the word structure."""
    placed: list[Letter] = []
    word_of, touching, contact = [], [], []
    word_index = -1
    for li, line in enumerate(text.split("\n")):
        x = float(rng.uniform(0.0, 1.5)) * h
        base = li * line_gap
        tilt = float(rng.uniform(-p.line_tilt, p.line_tilt))
        wave_amp, wave_len, wave_phase = rng.uniform(0, 0.06) * h, rng.uniform(8, 20) * h, rng.uniform(0, 2 * np.pi)
        for wi, word in enumerate(line.split()):
            if wi:
                x += word_gap * float(np.exp(rng.uniform(-0.15, 0.15)))
            word_index += 1
            joined = bool(rng.random() < p.touching)
            for ci, ch in enumerate(word):
                size = h * float(np.exp(rng.uniform(-p.char_scale, p.char_scale)))
                hand = Hand(
                    aspect=writer["aspect"] * float(np.exp(rng.normal(0, 0.05))),
                    slant=writer["slant"] + float(rng.normal(0, 0.03)),
                    rotation=float(rng.uniform(-p.char_rotation, p.char_rotation)),
                    elastic=writer["elastic"], tremor=writer["tremor"], pressure=writer["pressure"],
                    phase=int(rng.integers(1 << 31)),
                )
                if restroked:
                    alpha, top, left = strokes.draw_restroked(font, ch, size, pen, hand)
                    stroke = pen
                else:
                    alpha, top, left = strokes.draw_glyph(font, ch, size, hand)
                    stroke = strokes.glyph(font, ch).stroke * size
                wave = wave_amp * np.sin(2 * np.pi * x / wave_len + wave_phase)
                y = int(round(base + tilt * x + wave + top + rng.uniform(-p.baseline, p.baseline) * h))
                touch = ci > 0 and joined and bool(rng.random() < p.pair_touch)
                if ci:
                    touching.append(touch)
                if ci == 0:
                    cx = int(round(x + max(left, 0.0)))
                elif touch:
                    depth = float(rng.uniform(*p.overlap))
                    cx = join_x(placed[-1], alpha, y, stroke, depth)
                else:
                    prev = placed[-1]
                    cx = int(round(prev.x + prev.alpha.shape[1] + letter_gap * float(np.exp(rng.uniform(-0.3, 0.3)))))
                letter = Letter(alpha, y, cx, float(stroke))
                if ci:
                    contact.append(_touch(placed[-1], letter))
                placed.append(letter)
                word_of.append(word_index)
                x = cx + alpha.shape[1]
            contact.append(False)  # the last letter of a word touches nothing that follows
            touching.append(False)
    if not placed:
        raise ValueError("render_photo needs at least one non-space character")
    return (placed, np.array(word_of, np.int64), np.array(touching, bool), np.array(contact, bool))


def join_x(prev: Letter, alpha: np.ndarray, y: int, stroke: float, depth: float) -> int:
    """The column at which a letter (ink ``alpha``, top row ``y``, stroke width ``stroke``)
    joins ``prev``: where its ink first meets ``prev``'s, moved ``depth`` stroke widths further
    in, then back out as far as it takes to keep both letters readable (:func:`crowding`
    within the bounds :data:`MAX_INSIDE`, :data:`MAX_FUSED`, :data:`MAX_FUSED_SHARE`); there
    the two may not touch at all.
    """
    pm, cm = prev.mask, alpha > 0.5
    if not pm.any() or not cm.any():
        return prev.x + prev.alpha.shape[1]
    # first contact: the new letter's ink 8-adjacent to prev's, in the row where they come closest
    grown = ndi.binary_dilation(np.pad(pm, 1), np.ones((3, 3), bool))
    gy, gx = prev.y - 1, prev.x - 1
    rows = np.arange(max(gy, y), min(gy + grown.shape[0], y + cm.shape[0]))
    pr, cr = grown[rows - gy], cm[rows - y]
    has = pr.any(1) & cr.any(1)
    if has.any():
        right = gx + grown.shape[1] - 1 - np.argmax(pr[has][:, ::-1], axis=1)
        left = np.argmax(cr[has], axis=1)
        x = int(np.max(right - left)) - int(round(depth * stroke))
    else:  # no common row: the boxes side by side
        x = prev.x + prev.alpha.shape[1] - int(round(depth * stroke))
    crowd = _Crowding(prev, cm, y, stroke)
    while not crowd.at(x).readable:
        x += 1
    return x


@dataclass(frozen=True)
class Crowding:
    """How much two neighbouring letters hide in or run along each other (the larger of the two
    letters' values; ink is alpha > 0.5)."""

    inside: float        # share of a letter's ink inside the other's ink box
    fused: float         # its ink within CROWD_RADIUS stroke widths of the other's, in stroke widths
    fused_share: float   # the same ink as a share of the letter's ink

    @property
    def readable(self) -> bool:
        return self.inside <= MAX_INSIDE and self.fused <= MAX_FUSED and self.fused_share <= MAX_FUSED_SHARE


class _Crowding:
    """:class:`Crowding` of a letter and the next one, as the next one moves along the line."""

    def __init__(self, prev: Letter, cm: np.ndarray, y: int, stroke: float):
        pm = prev.mask
        self.width = max(1.0, 0.5 * (prev.stroke + stroke))   # the pair's stroke width
        height = min(pm.shape[0], cm.shape[0])
        r = max(1.0, min(CROWD_RADIUS * self.width, CROWD_HEIGHT * height))
        self.pad = int(np.ceil(r)) + 1
        self.p_origin = (prev.y - self.pad, prev.x - self.pad)
        self.c_origin_y = y - self.pad
        self.p_near = ndi.distance_transform_edt(~np.pad(pm, self.pad)) <= r
        self.c_near = ndi.distance_transform_edt(~np.pad(cm, self.pad)) <= r
        self.p_pix = np.argwhere(pm) + [prev.y, prev.x]          # (row, col) on the plane
        self.c_pix = np.argwhere(cm) + [y, 0]                    # columns relative to the letter's x
        self.p_box = (self.p_pix.min(0), self.p_pix.max(0) + 1)
        self.c_box = (self.c_pix.min(0), self.c_pix.max(0) + 1)

    @staticmethod
    def _near(near: np.ndarray, origin, pix: np.ndarray) -> int:
        r, c = pix[:, 0] - origin[0], pix[:, 1] - origin[1]
        ok = (r >= 0) & (r < near.shape[0]) & (c >= 0) & (c < near.shape[1])
        return int(near[r[ok], c[ok]].sum())

    def at(self, x: int) -> Crowding:
        """The crowding with the second letter's ink starting at column ``x``."""
        c_pix = self.c_pix + [0, x]
        (pl, ph), (cl, ch) = self.p_box, (self.c_box[0] + [0, x], self.c_box[1] + [0, x])
        inside_c = np.all((c_pix >= pl) & (c_pix < ph), axis=1).mean()
        inside_p = np.all((self.p_pix >= cl) & (self.p_pix < ch), axis=1).mean()
        near_c = self._near(self.p_near, self.p_origin, c_pix)
        near_p = self._near(self.c_near, (self.c_origin_y, x - self.pad), self.p_pix)
        return Crowding(float(max(inside_c, inside_p)), max(near_c, near_p) / self.width ** 2,
                        float(max(near_c / len(c_pix), near_p / len(self.p_pix))))


def crowding(a: Letter, b: Letter) -> Crowding:
    """How much two placed letters hide in or run along each other (:class:`Crowding`)."""
    return _Crowding(a, b.mask, b.y, b.stroke).at(b.x)


def _touch(a: Letter, b: Letter) -> bool:
    """Whether two placed characters' ink (alpha > 0.5) overlaps or is 8-adjacent."""
    y0, x0 = min(a.y, b.y) - 1, min(a.x, b.x) - 1
    y1 = max(a.y + a.alpha.shape[0], b.y + b.alpha.shape[0]) + 1
    x1 = max(a.x + a.alpha.shape[1], b.x + b.alpha.shape[1]) + 1
    ma = np.zeros((y1 - y0, x1 - x0), bool)
    mb = np.zeros_like(ma)
    ma[a.y - y0: a.y - y0 + a.alpha.shape[0], a.x - x0: a.x - x0 + a.alpha.shape[1]] = a.mask
    mb[b.y - y0: b.y - y0 + b.alpha.shape[0], b.x - x0: b.x - x0 + b.alpha.shape[1]] = b.mask
    return bool((ndi.binary_dilation(ma, np.ones((3, 3), bool)) & mb).any())


def _canvas(letters: list[Letter]):
    """The writing plane: ink (max of the characters' alphas) and which character owns each pixel."""
    top = min(t.y for t in letters)
    left = min(t.x for t in letters)
    H = max(t.y + t.alpha.shape[0] for t in letters) - top
    W = max(t.x + t.alpha.shape[1] for t in letters) - left
    ink = np.zeros((H, W), np.float32)
    owner = np.zeros((H, W), np.int32)
    for i, (alpha, y, x) in enumerate(((t.alpha, t.y, t.x) for t in letters), start=1):
        sl = (slice(y - top, y - top + alpha.shape[0]), slice(x - left, x - left + alpha.shape[1]))
        region, own = ink[sl], owner[sl]
        own[alpha > region] = i
        np.maximum(region, alpha, out=region)
    return ink, owner


# ---------------------------------------------------------------------------- photographing


def _photograph(ink, owner, rng, p: PhotoParams, h: float):
    """Warp the writing into a camera view and light, colour, blur and noise it.

    The camera sees the page at ``zoom`` photo pixels per writing pixel: letter heights of
    45-95 writing pixels become 45-190 photo pixels on 1-7 megapixel photos, the range of the
    homework's photos (their letters are 75-330 pixels tall on 2-12 megapixels), without
    drawing every glyph at the larger size.
    """
    th, tw = ink.shape
    m = rng.uniform(*p.margin, 4) * np.array([th + 4 * h, tw, th + 4 * h, tw])   # top, left, bottom, right
    m = np.maximum(m, 1.2 * h)
    H = int(np.ceil(th + m[0] + m[2]))
    W = int(np.ceil(tw + m[1] + m[3]))
    oy, ox = m[0], m[1]
    # the camera sees a quadrilateral of the page: its corners moved inwards, never past the text
    room = np.array([[m[0], m[1]], [m[0], m[3]], [m[2], m[3]], [m[2], m[1]]]) - 0.8 * h
    inward = np.minimum(rng.uniform(0, p.perspective, (4, 2)) * np.array([H, W]), np.maximum(room, 0))
    corners = np.array([[0, 0], [0, W], [H, W], [H, 0]], float)
    quad = corners + inward * np.array([[1, 1], [1, -1], [-1, -1], [-1, 1]])
    zoom = min(float(rng.uniform(*p.zoom)), np.sqrt(MAX_PIXELS / (H * W)))
    M = _projective(corners[:, ::-1] * zoom, quad[:, ::-1]).params   # photo (x, y, 1) -> page (x, y, w)
    H, W, h = int(round(H * zoom)), int(round(W * zoom)), h * zoom
    yy, xx = np.ogrid[0:H, 0:W]
    w = M[2, 0] * xx + M[2, 1] * yy + M[2, 2]
    coords = np.stack([(M[1, 0] * xx + M[1, 1] * yy + M[1, 2]) / w - oy,
                       (M[0, 0] * xx + M[0, 1] * yy + M[0, 2]) / w - ox]).astype(np.float32)
    warped = ndi.map_coordinates(ink, coords, order=1, mode="constant", cval=0.0).astype(np.float32)
    who = ndi.map_coordinates(owner, coords, order=0, mode="constant", cval=0)
    del coords
    n = int(owner.max())
    peak = np.full(n + 1, -np.inf, np.float32)
    owned = who > 0
    np.maximum.at(peak, who[owned], warped[owned])
    peak[0] = np.inf
    solid = np.where((who > 0) & (warped >= 0.5 * peak[who]) & (warped > 0.05), who, 0)
    slices = ndi.find_objects(solid, max_label=n)
    if any(s is None for s in slices):
        raise RuntimeError("a character lost its ink in the camera warp (generator bug)")
    boxes = np.array([[s[0].start, s[1].start, s[0].stop, s[1].stop] for s in slices], np.int64)

    if p.surface == "paper":
        rgb, info = _paper(warped, rng, (H, W), h)
    else:
        rgb, info = _whiteboard(warped, rng, (H, W), h)
    rgb = rgb * _light(rng, (H, W), p)[..., None]
    sigma = float(rng.uniform(*p.blur)) * zoom
    rgb = ndi.gaussian_filter(rgb, (sigma, sigma, 0))
    noise = float(rng.uniform(*p.noise))
    rgb = rgb + noise * rng.standard_normal((H, W, 1), dtype=np.float32) \
        + 0.4 * noise * rng.standard_normal((H, W, 3), dtype=np.float32)
    info.update(surface=p.surface, size=[H, W], zoom=round(zoom, 3), photo_letter_height=round(h, 1),
                blur=round(sigma, 3), noise=round(noise, 4),
                perspective=round(float(inward.max() / max(H, W)), 4))
    return np.clip(rgb, 0.0, 1.0).astype(np.float32), boxes, info


def _projective(src: np.ndarray, dst: np.ndarray):
    from skimage.transform import ProjectiveTransform

    if hasattr(ProjectiveTransform, "from_estimate"):  # scikit-image >= 0.26
        return ProjectiveTransform.from_estimate(src, dst)
    transform = ProjectiveTransform()
    transform.estimate(src, dst)
    return transform


def _smooth_noise(rng, shape, sigma, dtype=np.float32):
    """Unit-variance noise smoothed at scale ``sigma`` (made on a coarse grid for speed)."""
    step = max(1, int(sigma / 3))
    small = rng.standard_normal((shape[0] // step + 2, shape[1] // step + 2)).astype(dtype)
    small = ndi.gaussian_filter(small, sigma / step)
    small /= max(float(small.std()), 1e-6)
    return ndi.zoom(small, step, order=1)[: shape[0], : shape[1]] if step > 1 else small[: shape[0], : shape[1]]


def _paper(ink, rng, shape, h):
    paper = np.array([0.88, 0.87, 0.84]) * rng.uniform(0.85, 1.08) + rng.uniform(-0.03, 0.03, 3)
    kind = int(rng.integers(len(PAPER_INKS)))
    colour = PAPER_INKS[kind] + rng.uniform(-0.04, 0.04, 3)
    strength = rng.uniform(0.6, 0.85) if kind == 0 else rng.uniform(0.85, 1.0)   # pencil is grey and thin
    texture = 1.0 + 0.015 * _smooth_noise(rng, shape, 1.5)
    a = (ink * strength)[..., None]
    rgb = paper.astype(np.float32) * texture[..., None] * (1.0 - a) + colour.astype(np.float32) * a
    return rgb.astype(np.float32), {"ink": ["pencil", "ballpoint", "felt-tip", "gel pen"][kind]}


def _whiteboard(ink, rng, shape, h):
    H, W = shape
    board = np.array([0.93, 0.94, 0.96]) * rng.uniform(0.88, 1.04) + rng.uniform(-0.02, 0.02, 3)
    kind = int(rng.integers(len(MARKERS)))
    colour = MARKERS[kind] + rng.uniform(-0.04, 0.04, 3)
    # streaky marker ink: darker and lighter bands along the strokes' scale
    strength = np.clip(rng.uniform(0.85, 0.97) + 0.06 * _smooth_noise(rng, shape, 0.15 * h), 0.5, 1.0)
    # ghosts of erased writing: faint, blurred scribbles (drawn at a quarter of the resolution)
    step = 4
    small = np.zeros((H // step + 1, W // step + 1), np.float32)
    for _ in range(int(rng.integers(2, 7))):
        n = 400
        walk = np.cumsum(rng.normal(0, 0.08 * h, (n, 2)) + rng.normal(0, 0.04 * h, 2), axis=0)
        walk = (walk + rng.uniform([0, 0], [H, W])) / step
        ok = (walk[:, 0] >= 0) & (walk[:, 0] < small.shape[0]) & (walk[:, 1] >= 0) & (walk[:, 1] < small.shape[1])
        small[walk[ok, 0].astype(int), walk[ok, 1].astype(int)] = 1.0
    small = ndi.gaussian_filter(ndi.maximum_filter(small, int(0.1 * h / step) | 1), 0.15 * h / step)
    small *= rng.uniform(0.03, 0.1) / max(float(small.max()), 1e-6)
    ghost = ndi.zoom(small, step, order=1)[:H, :W]
    a = np.maximum(ink * strength, ghost)[..., None]
    rgb = board.astype(np.float32) * (1.0 - a) + colour.astype(np.float32) * a
    # specular glare: a bright ellipse that lifts everything under it, ink included
    cy, cx = rng.uniform(0.1, 0.9) * H, rng.uniform(0.1, 0.9) * W
    ry, rx = rng.uniform(0.08, 0.3) * H, rng.uniform(0.1, 0.35) * W
    gy = np.exp(-(((np.arange(H) - cy) / ry) ** 2)).astype(np.float32)
    gx = np.exp(-(((np.arange(W) - cx) / rx) ** 2)).astype(np.float32)
    glare = np.float32(rng.uniform(0.15, 0.5)) * np.outer(gy, gx)
    rgb = rgb + glare[..., None] * (1.0 - 0.6 * a)
    return rgb.astype(np.float32), {"ink": ["black", "blue", "red", "green"][kind] + " marker"}


def _light(rng, shape, p: PhotoParams) -> np.ndarray:
    """Uneven light: a tilted plane times a broad blob, vignetting, sometimes a soft shadow."""
    H, W = shape
    yy, xx = np.ogrid[0:H, 0:W]
    y, x = (yy / H - 0.5).astype(np.float32), (xx / W - 0.5).astype(np.float32)
    d = p.illumination
    gy, gx = rng.uniform(-1, 1, 2) * d
    cy, cx = rng.uniform(-0.5, 0.5, 2)
    r = rng.uniform(0.3, 0.8)
    light = (1.0 + gy * y + gx * x) * (1.0 + rng.uniform(-1, 1) * d * 0.6 * np.exp(-((y - cy) ** 2 + (x - cx) ** 2) / (2 * r * r)))
    light = light * (1.0 - rng.uniform(0.0, 0.5) * d * (x ** 2 + y ** 2) * 2)
    if rng.random() < p.shadow:  # a soft-edged shadow (a hand, a phone) over one side of the page
        angle = rng.uniform(0, 2 * np.pi)
        offset = rng.uniform(0.25, 0.45)
        edge = (np.cos(angle) * x + np.sin(angle) * y - offset) / rng.uniform(0.02, 0.08)
        light = light * (1.0 - rng.uniform(0.15, 0.35) / (1.0 + np.exp(-edge)))
    light = light.astype(np.float32)
    return light / float(light.max())


def encode_jpeg(rgb: np.ndarray, quality: int) -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.fromarray((np.clip(rgb, 0, 1) * 255 + 0.5).astype(np.uint8)).save(buf, format="JPEG", quality=int(quality))
    return buf.getvalue()


def decode_jpeg(data: bytes) -> np.ndarray:
    """A JPEG file's pixels as float32 RGB in [0, 1] (what ``lib.data.load_image`` returns)."""
    from PIL import Image

    return np.asarray(Image.open(io.BytesIO(data)).convert("RGB"), dtype=np.float32) / 255.0
