"""Recognition-driven segmentation: the classifier decides where one character ends.

The detector's boxes (``lib.ocr.detect``) are one connected mark each, cut only where a mark
is clearly wider than two characters. Handwriting breaks that rule both ways: neighbours
touch (a wide *M* run into a narrow *I* is one mark) and one character comes in pieces (a
pen lifted inside an *E*). The classic answer for handwriting, **over-segmentation and
dynamic programming**, is implemented for each line in two halves: this module proposes the
candidate characters and classifies them (steps 1-3), :mod:`lib.ocr.choose` chooses among them
(steps 4-6 and the word gaps).

1. **Every mark read whole.** All marks of the page are classified at once. A mark that the
   classifier reads with probability at least ``settle_p`` and whose width is within a
   factor ``exp(settle_width)`` of the width its class has in this writing (the width prior
   of :mod:`lib.ocr.choose`) is *settled*: it is one character and gets no cuts. Most marks
   of neat writing are settled, which keeps the search small.
2. **Cut paths.** Every other mark wide enough to hold two characters (``split_from`` line
   heights) gets candidate cuts: **minimum-ink paths** from its top to its bottom, found by
   dynamic programming over its pixels (one column per row; a sideways step costs
   ``cut_drift`` pixels of ink), so a cut can bend around an overhang (the bar of a *T* over
   the foot of an *L*) where no straight cut separates two letters. A path is a candidate
   where its cost has a local minimum along the mark, it crosses at most ``cut_ink`` stroke
   widths of ink and lies at least ``min_atom`` line heights from the mark's edges and from
   the next path. The paths cut the mark into the line's atoms, left to right.
3. **Candidates.** Every run of 1 to ``max_atoms`` consecutive atoms is a candidate
   character, unless it is wider than ``max_width`` line heights or joins atoms further apart
   than ``merge_gap`` line heights (separate marks that close are possibly one broken
   character). Each candidate is cropped and normalised like any character
   (:func:`lib.ocr.crops.normalize_char`) and classified, all in one call. A classifier that
   reads two images per character (:func:`channels`: chapter 4's reader) also gets the other
   ink of the candidate's line in the same frame (:func:`context_crops`): whether a lone stroke
   is an I or the stem of an N shows beside it.

The halves follow the reader's training (:mod:`lib.deep.reader`): it learns what this module
cuts out of pages, so this code is part of its cache key. The parameters live apart, in
:mod:`lib.ocr.segmentation_params`: the values that steps 1-3 read (``PROPOSAL_FIELDS``) are
part of the reader's data fingerprint; how the candidates are chosen is neither, and changes
without training it again.

Every parameter was chosen on generated pages in the training and validation font families
(``lib.data.synthetic.unseen.validation_pages``) and on pages written with the NIST36 valid
split's scans (``unseen.SCANNED``), never on the sample photos or on held-out styles.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import scipy.ndimage as ndi
import scipy.special

from lib.data.nist36 import CLASSES
from lib.ocr.crops import EXTENT, SIDE, VARIANTS, normalize_char, normalize_pair, stroke_width
from lib.ocr.segmentation_params import DEFAULT, FIRST_VERSION, PROPOSAL_FIELDS, SegmentParams, proposal_of

N_CLASSES = len(CLASSES)

#: Median width / height of each class's ink box (A..Z, 0..9), measured on the
#: EMNIST-derived NIST36 development copy (300 images per class; the same table drives
#: ``lib.data.synthetic``'s character proportions).
ASPECT = np.array([
    0.92, 0.85, 1.00, 0.89, 1.00, 0.81, 0.94, 0.88, 0.44, 0.96, 0.88, 0.82, 1.44,  # A..M
    1.09, 0.96, 0.71, 0.88, 0.92, 0.91, 1.04, 1.00, 0.87, 1.23, 0.85, 0.67, 1.08,  # N..Z
    0.89, 0.46, 0.96, 0.81, 0.79, 0.96, 0.75, 0.75, 0.73, 0.69,                    # 0..9
])


@dataclass
class Atom:
    """A piece of one mark (between two cut paths), at the detector's work scale."""

    y0: int
    x0: int
    loose: np.ndarray   # the piece's pixels (bool) in its box (y0, x0) + shape
    tight: np.ndarray   # the same piece of the half-maximum mask (for boxes)
    mark: int           # index of the detection box it came from


@dataclass
class Candidate:
    """A run of atoms read as one character."""

    line: int
    start: int          # first atom (index within the line)
    stop: int           # one past the last atom
    box: np.ndarray     # [y1, x1, y2, x2] at work scale (tight ink)
    mask: np.ndarray    # the crop's pixels (bool) in the box ``origin``
    origin: tuple[int, int]
    marks: tuple[int, ...]
    whole: bool = False  # exactly one whole mark


# ---------------------------------------------------------------------------- cut paths
def _shrink_float(mask: np.ndarray, f: int) -> np.ndarray:
    """The mask's ink fraction in f x f blocks (the ragged edge padded with paper)."""
    if f <= 1:
        return mask.astype(np.float64)
    h, w = -(-mask.shape[0] // f) * f, -(-mask.shape[1] // f) * f
    padded = np.zeros((h, w), np.float64)
    padded[: mask.shape[0], : mask.shape[1]] = mask
    return padded.reshape(h // f, f, w // f, f).mean(axis=(1, 3))


def _seam_costs(ink: np.ndarray, drift: float) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Minimum-ink paths, one column per row, moving at most one column per row.

    Returns ``down`` (cost of the best path from the top row to each pixel), ``up`` (from
    each pixel to the bottom row) and their back-pointers (-1, 0, +1: the column step to the
    previous row). ``down + up - ink`` is the cost of the best whole path through a pixel.
    A column of +inf ink is a wall no path crosses (used to lay several marks side by side).
    """
    h, w = ink.shape
    inf = np.full(1, np.inf)

    def sweep(rows):
        cost = np.empty((h, w))
        step = np.zeros((h, w), np.int8)
        cost[rows[0]] = ink[rows[0]]
        prev = cost[rows[0]]
        for y in rows[1:]:
            options = np.stack([np.concatenate([inf, prev[:-1]]) + drift, prev,
                                np.concatenate([prev[1:], inf]) + drift])
            k = options.argmin(axis=0)
            step[y] = k - 1
            prev = ink[y] + options[k, np.arange(w)]
            cost[y] = prev
        return cost, step

    down, down_step = sweep(range(h))
    up, up_step = sweep(range(h - 1, -1, -1))
    return down, up, down_step, up_step


def _seam_ink(ink: np.ndarray, stroke: float, thick: float) -> np.ndarray:
    """The cost of cutting through each pixel: its ink, except along the middle of a run of
    ink one and a half to three strokes wide, which costs ``thick`` times its ink there.

    Two strokes that touch side by side along their length (the I of an *IN*, two H's)
    make one double-width stroke with no thin place to cut: its middle line is where the
    two letters meet. A single stroke is that wide only where it lies nearly flat, and a
    cut path, moving at most one column per row, cannot follow a flat stroke.
    """
    if thick >= 1.0:
        return ink
    out = ink.copy()
    b = np.zeros((ink.shape[0], ink.shape[1] + 2), np.int8)
    b[:, 1:-1] = ink > 0.5
    d = np.diff(b, axis=1)
    rows, start = np.nonzero(d == 1)
    _, stop = np.nonzero(d == -1)  # the same runs, in the same (row-major) order
    length = stop - start
    double = (length >= 1.5 * stroke) & (length <= 3.0 * stroke)
    for centre in ((start + stop - 1) // 2, (start + stop) // 2):
        out[rows[double], centre[double]] = ink[rows[double], centre[double]] * thick
    return out


def _trace(x: int, y: int, down_step: np.ndarray, up_step: np.ndarray) -> np.ndarray:
    """The column of the best path through (y, x) in every row."""
    h = down_step.shape[0]
    path = np.empty(h, np.int64)
    path[y] = x
    for r in range(y, 0, -1):
        path[r - 1] = path[r] + down_step[r, path[r]]
    for r in range(y, h - 1):
        path[r + 1] = path[r] + up_step[r, path[r]]
    return path


def _local_minima(cost: np.ndarray, margin: int, limit: float) -> list[int]:
    """Columns of local minima of ``cost`` at most ``limit`` and ``margin`` from both ends;
    a flat valley gives its middle; minima closer than ``margin`` keep the lower one."""
    w = len(cost)
    if w < 2 * margin + 1:
        return []
    lo = ndi.minimum_filter1d(cost, 2 * max(1, margin // 2) + 1, mode="nearest")
    is_min = np.zeros(w, bool)
    is_min[margin: w - margin] = True
    is_min &= (cost <= lo + 1e-9) & (cost <= limit)
    cols = []
    edges = np.flatnonzero(np.diff(np.concatenate([[0], is_min.astype(np.int8), [0]])))
    for start, stop in zip(edges[::2], edges[1::2], strict=True):
        cols.append(int((start + stop - 1) // 2))
    kept: list[int] = []
    for c in sorted(cols, key=lambda c: cost[c]):
        if all(abs(c - d) >= margin for d in kept):
            kept.append(c)
    return sorted(kept)


def cut_paths(mask: np.ndarray, line_h: float, stroke: float, p: SegmentParams = DEFAULT) -> list[np.ndarray]:
    """Candidate cuts of one mark, left to right: each the column of the cut in every row
    of ``mask`` (pixels left of it on one side, the rest on the other; see the module doc)."""
    return cut_paths_many([mask], line_h, stroke, p)[0]


def cut_paths_many(masks: list[np.ndarray], line_h: float | list[float], stroke: float,
                   p: SegmentParams = DEFAULT) -> list[list[np.ndarray]]:
    """:func:`cut_paths` of several marks with one dynamic programme: the marks, shrunk to
    at most ``cut_rows`` rows, are laid side by side between walls no path can cross."""
    heights = np.broadcast_to(np.asarray(line_h, float), (len(masks),))
    out: list[list[np.ndarray]] = [[] for _ in masks]
    todo = [i for i, m in enumerate(masks)
            if m.shape[1] >= max(p.split_from * heights[i], 2 * max(1, round(p.min_atom * heights[i])) + 1)]
    if not todo:
        return out
    small, factors = [], []
    for i in todo:
        f = max(1, int(np.ceil(masks[i].shape[0] / max(p.cut_rows, 2))))
        small.append(_seam_ink(_shrink_float(masks[i], f), stroke / f, p.cut_thick))
        factors.append(f)
    rows = max(s.shape[0] for s in small)
    canvas = np.full((rows, sum(s.shape[1] + 1 for s in small)), np.inf)
    starts = []
    x = 0
    for s in small:
        canvas[:, x: x + s.shape[1]] = 0.0
        canvas[: s.shape[0], x: x + s.shape[1]] = s
        starts.append(x)
        x += s.shape[1] + 1
    down, up, down_step, up_step = _seam_costs(canvas, p.cut_drift)
    for i, s, f, x0 in zip(todo, small, factors, starts, strict=True):
        h, w = s.shape
        mid = h // 2
        through = down[mid, x0: x0 + w] + up[mid, x0: x0 + w] - canvas[mid, x0: x0 + w]
        margin = max(1, int(round(p.min_atom * heights[i] / f)))
        limit = p.cut_ink * max(stroke / f, 1.0)
        paths = []
        for c in _local_minima(through, margin, limit):
            path = _trace(x0 + c, mid, down_step, up_step)[:h] - x0
            if paths and np.any(path - paths[-1] < margin):
                if through[c] < through[paths[-1][mid]]:  # two paths too close: keep the cheaper
                    paths[-1] = path
                continue
            if path.min() < 1 or path.max() > w - 1:
                continue
            paths.append(path)
        full_h = masks[i].shape[0]
        for path in paths:
            # back to the mark's pixels: each row takes its block's cut, at the block's middle
            cols = (path[np.minimum(np.arange(full_h) // f, h - 1)] * f + f // 2).astype(np.int64)
            out[i].append(np.clip(cols, 1, masks[i].shape[1] - 1))
    return out


def split_mark(mask: np.ndarray, paths: list[np.ndarray]) -> list[np.ndarray]:
    """The pieces of ``mask`` between successive cut paths (left to right, same shape)."""
    cols = np.arange(mask.shape[1])[None, :]
    bounds = [np.zeros(mask.shape[0], np.int64), *paths, np.full(mask.shape[0], mask.shape[1])]
    return [mask & (cols >= a[:, None]) & (cols < b[:, None]) for a, b in zip(bounds[:-1], bounds[1:], strict=False)]


# ---------------------------------------------------------------------------- atoms
@dataclass
class _Mark:
    index: int
    line: int
    y0: int
    x0: int
    loose: np.ndarray
    tight: np.ndarray


def _marks(det) -> list[list[_Mark]]:
    n = len(det.boxes)
    slices = ndi.find_objects(det.crop_labels, max_label=n)
    out = []
    for li, line in enumerate(det.lines):
        marks = []
        for i in line:
            sl = slices[i]
            if sl is None:
                continue
            marks.append(_Mark(i, li, sl[0].start, sl[1].start, det.crop_labels[sl] == i + 1,
                               det.labels[sl] == i + 1))
        out.append(marks)
    return out


def _atoms_of(mark: _Mark, paths: list[np.ndarray]) -> list[Atom]:
    if not paths:
        return [Atom(mark.y0, mark.x0, mark.loose, mark.tight, mark.index)]
    atoms = []
    for loose, tight in zip(split_mark(mark.loose, paths), split_mark(mark.tight, paths), strict=True):
        if not loose.any():
            continue
        rows, cols = np.flatnonzero(loose.any(1)), np.flatnonzero(loose.any(0))
        sl = (slice(rows[0], rows[-1] + 1), slice(cols[0], cols[-1] + 1))
        atoms.append(Atom(mark.y0 + rows[0], mark.x0 + cols[0], loose[sl], tight[sl], mark.index))
    return atoms


def _union(atoms: list[Atom]) -> tuple[np.ndarray, tuple[int, int], np.ndarray]:
    """The atoms' loose pixels on one canvas, its origin, and the tight ink box."""
    if len(atoms) == 1:
        a = atoms[0]
        canvas, tight, y0, x0 = a.loose, a.tight, a.y0, a.x0
    else:
        y0 = min(a.y0 for a in atoms)
        x0 = min(a.x0 for a in atoms)
        y1 = max(a.y0 + a.loose.shape[0] for a in atoms)
        x1 = max(a.x0 + a.loose.shape[1] for a in atoms)
        canvas = np.zeros((y1 - y0, x1 - x0), bool)
        tight = np.zeros_like(canvas)
        for a in atoms:
            ys = slice(a.y0 - y0, a.y0 - y0 + a.loose.shape[0])
            xs = slice(a.x0 - x0, a.x0 - x0 + a.loose.shape[1])
            canvas[ys, xs] |= a.loose
            tight[ys, xs] |= a.tight
    ink = tight if tight.any() else canvas
    rows, cols = np.flatnonzero(ink.any(1)), np.flatnonzero(ink.any(0))
    box = np.array([y0 + rows[0], x0 + cols[0], y0 + rows[-1] + 1, x0 + cols[-1] + 1])
    return canvas, (y0, x0), box


def candidates(atoms: list[Atom], line_index: int, line_h: float, p: SegmentParams = DEFAULT) -> list[Candidate]:
    """Every admissible run of consecutive atoms, and every mark whole (see the module doc)."""
    out = []
    spans = set()
    n_of = {}
    for t in atoms:
        n_of[t.mark] = n_of.get(t.mark, 0) + 1
    for a in range(len(atoms)):
        right = atoms[a].x0 + atoms[a].loose.shape[1]
        left = atoms[a].x0
        for b in range(a, min(a + p.max_atoms, len(atoms))):
            if b > a:
                if atoms[b].x0 - right > p.merge_gap * line_h:
                    break
                right = max(right, atoms[b].x0 + atoms[b].loose.shape[1])
                left = min(left, atoms[b].x0)
            if b > a and right - left > p.max_width * line_h:
                break
            mask, origin, box = _union(atoms[a: b + 1])
            marks = tuple(sorted({t.mark for t in atoms[a: b + 1]}))
            whole = len(marks) == 1 and b + 1 - a == n_of[marks[0]]
            out.append(Candidate(line_index, a, b + 1, box, mask, origin, marks, whole))
            spans.add((a, b + 1))
    # every mark as it is, however many atoms it was cut into: the reading without any cut
    for mark in dict.fromkeys(t.mark for t in atoms):
        idx = [i for i, t in enumerate(atoms) if t.mark == mark]
        span = (idx[0], idx[-1] + 1)
        if span not in spans:
            mask, origin, box = _union(atoms[span[0]: span[1]])
            out.append(Candidate(line_index, span[0], span[1], box, mask, origin, (mark,), True))
    return out


# ---------------------------------------------------------------------------- scores
def log_probabilities(scores: np.ndarray) -> np.ndarray:
    """Scores as log-probabilities: probabilities are logged, anything else log-softmaxed.

    Accepts 36 columns (the classes) or 37 (the classes, then "not a character").
    """
    s = np.asarray(scores, np.float64)
    if s.size and s.min() >= 0 and np.allclose(s.sum(axis=1), 1.0, atol=1e-3):
        return np.log(np.clip(s, 1e-12, None))
    return scipy.special.log_softmax(s, axis=1)


def shrink(mask: np.ndarray, max_side: int) -> np.ndarray:
    """A mask whose longer side exceeds ``max_side``, averaged down by an integer factor.

    The 32x32 crop needs no more: the reader's training glyphs are 56-64 pixels tall, and
    a 12-megapixel photo's letters, 100 pixels and more at the work scale, only cost time.
    """
    f = int(np.ceil(max(mask.shape) / max_side)) if max_side else 1
    if f <= 1:
        return mask
    return _shrink_float(mask, f) >= 0.5


def widen(mask: np.ndarray, factor: float) -> np.ndarray:
    """The mask stretched horizontally by ``factor`` (>= 1): condensed letters at typical width."""
    if factor <= 1.01 or mask.size == 0:
        return mask
    w = max(1, int(round(mask.shape[1] * factor)))
    cols = np.minimum((np.arange(w) + 0.5) / factor, mask.shape[1] - 1e-6).astype(int)
    return mask[:, cols]


def crops(masks: list[np.ndarray], max_side: int | None = None, stretch: float = 1.0,
          extent: int | None = None) -> np.ndarray:
    """(N, 32, 32) normalised crops of character masks (shrunk, widened, normalised)."""
    out = np.empty((len(masks), SIDE, SIDE), np.float32)
    for i, m in enumerate(masks):
        if max_side:
            m = shrink(m, max_side)
        if stretch > 1.01:
            m = widen(m, stretch)
        out[i] = normalize_char(m) if extent is None else normalize_char(m, extent=extent)
    return out


def channels(score: Callable[[np.ndarray], np.ndarray]) -> int:
    """How many 32x32 images a classifier reads per character: 1 (the crop), or 2 (the crop
    and its line's other ink in the same frame, ``score.channels``; :func:`context_crops`)."""
    return int(getattr(score, "channels", 1))


def context_crops(det, masks: list[np.ndarray], origins: list[tuple[int, int]], lines: list[int],
                  max_side: int | None = None, stretch: float = 1.0, extent: int | None = None) -> np.ndarray:
    """(N, 2, 32, 32): each character mask (at ``origin`` of the detection's work scale, on text
    line ``lines[i]``) normalised as :func:`crops` does, with a second image of the other ink of
    its line in the same frame (:func:`lib.ocr.crops.normalize_pair`).

    The other ink is every pixel of the line's marks that is not the character's own, so a
    piece cut off a mark sees the rest of that mark. The window around the character is shrunk
    and widened with the character, in the same blocks.
    """
    line_of = np.full(len(det.boxes) + 1, -1, np.int64)
    for li, line in enumerate(det.lines):
        line_of[np.asarray(line, np.int64) + 1] = li
    labels = det.crop_labels
    out = np.empty((len(masks), 2, SIDE, SIDE), np.float32)
    widening = stretch if stretch > 1.01 else 1.0
    for i, (m, (y0, x0), li) in enumerate(zip(masks, origins, lines, strict=True)):
        h, w = m.shape
        f = max(int(np.ceil(max(h, w) / max_side)), 1) if max_side else 1
        # the square normalize_pair maps reaches about 2/3 of the longer side (widened) past the
        # centre, and a little more where thin strokes grow; whole blocks keep the shrinking aligned
        reach = 0.8 * max(h, w * widening) + 2 * f
        ry, rx = int(np.ceil(reach / f)) * f, int(np.ceil(reach / widening / f)) * f
        window = np.zeros((h + 2 * ry, w + 2 * rx), np.int64)
        ya, xa = max(y0 - ry, 0), max(x0 - rx, 0)
        yb, xb = min(y0 + h + ry, labels.shape[0]), min(x0 + w + rx, labels.shape[1])
        if ya < yb and xa < xb:
            window[ya - (y0 - ry): yb - (y0 - ry), xa - (x0 - rx): xb - (x0 - rx)] = labels[ya:yb, xa:xb]
        own = np.zeros(window.shape, bool)
        own[ry: ry + h, rx: rx + w] = m
        context = (line_of[window] == li) & ~own
        if f > 1:
            own, context = _shrink_float(own, f) >= 0.5, _shrink_float(context, f) >= 0.5
        if widening > 1.0:
            own, context = widen(own, widening), widen(context, widening)
        out[i] = normalize_pair(own, context, EXTENT if extent is None else extent)
    return out


def image_rows(images: np.ndarray) -> np.ndarray:
    """(N, [2,] 32, 32) upright images -> rows in the homework's column-major convention, one
    channel after the other: (N, 1024) or (N, 2048)."""
    size = int(np.prod(images.shape[1:]))
    return np.ascontiguousarray(np.swapaxes(images, -1, -2)).reshape(len(images), size).astype(np.float32, copy=False)


def classify_crops(images: np.ndarray, score: Callable[[np.ndarray], np.ndarray],
                   variants=((None, 0, 0),)) -> np.ndarray:
    """(N, C) log-probabilities of normalised crops (N, [2,] 32, 32), averaged over shifts
    ``(_, dy, dx)`` of each (the variants' extents are the crops' own: see :func:`classify_masks`)."""
    return averaged_scores(lambda _extent: images, len(images), score, variants)


def _scores(flat: np.ndarray, score: Callable[[np.ndarray], np.ndarray]) -> np.ndarray:
    scores = np.asarray(score(flat))
    if scores.ndim != 2 or scores.shape[0] != len(flat) or scores.shape[1] not in (N_CLASSES, N_CLASSES + 1):
        raise ValueError(f"the classifier returned scores of shape {scores.shape}; "
                         f"expected ({len(flat)}, {N_CLASSES}) or ({len(flat)}, {N_CLASSES + 1})")
    return log_probabilities(scores)


def averaged_scores(images_at: Callable[[int | None], np.ndarray], n: int, score: Callable[[np.ndarray], np.ndarray],
              variants) -> np.ndarray:
    """(n, C) log-probabilities averaged over ``variants`` ``(extent, dy, dx)``: the crops of
    each extent made once (``images_at(extent)``), all variants classified in one call."""
    variants = tuple(variants) if variants else ((None, 0, 0),)
    by_extent: dict = {}
    rows = []
    for extent, dy, dx in variants:
        if extent not in by_extent:
            by_extent[extent] = images_at(extent)
        images = by_extent[extent]
        rows.append(image_rows(np.roll(images, (dy, dx), axis=(-2, -1)) if dy or dx else images))
    scores = _scores(np.concatenate(rows), score)
    return scores.reshape(len(variants), n, scores.shape[1]).mean(axis=0)


def classify_masks(masks: list[np.ndarray], score: Callable[[np.ndarray], np.ndarray],
                   variants=VARIANTS, max_side: int | None = None, stretch: float = 1.0) -> np.ndarray:
    """(N, C) log-probabilities of character masks, averaged over the test-time variants
    ``(extent, dy, dx)`` (extent ``None``: the default).

    ``variants`` of ``None`` or ``()`` classifies the plain crop only (no averaging);
    ``max_side`` shrinks larger masks first (:func:`shrink`), ``stretch`` widens every mask
    (:func:`widen`). For a classifier of one image per character (:func:`channels`).
    """
    if not masks:
        return np.zeros((0, N_CLASSES))
    return averaged_scores(lambda extent: crops(masks, max_side, stretch, extent), len(masks), score, variants)


def condensation(widths: np.ndarray, line_h: np.ndarray, labels: np.ndarray, p: SegmentParams = DEFAULT) -> float:
    """The writing's width relative to the typical proportions: median of width / expected."""
    if len(widths) == 0:
        return 1.0
    ratio = widths / np.maximum(line_h, 1.0) / ASPECT[labels]
    return float(np.clip(np.median(ratio), *p.condense_range))


@dataclass
class Proposal:
    """Every candidate character of a page with its log-probabilities (before any choice)."""

    atoms: list[list[Atom]]
    candidates: list[Candidate]
    logp: np.ndarray
    line_h: np.ndarray          # the line height of each candidate's line (work pixels)
    angle: float
    n_lines: int
    stretch: float = 1.0        # horizontal stretch applied to every crop (condensed writing)
    images: np.ndarray | None = None  # (N, [2,] 32, 32) each candidate's normalised crop (and
                                      # its line's other ink, for a classifier of two channels)
    rows: int = 0               # crops classified


def writing_stretch(det, p: SegmentParams = DEFAULT) -> float:
    """How much to widen this writing's letters to typical proportions, from its marks alone:
    the typical width over height of a character (the median of ``ASPECT``) over the median
    width over height of the page's marks (at least eight), between 1 and ``max_stretch`` (0
    turns it off).

    The classifiers learnt letters of ordinary proportions; a condensed hand's letters, a
    third as wide as they are tall, are read far better widened back to them.
    """
    if not p.max_stretch or len(det.boxes) < 8:  # too few marks to judge a writing by
        return 1.0
    b = np.asarray(det.boxes, float)
    ratio = float(np.median((b[:, 3] - b[:, 1]) / np.maximum(b[:, 2] - b[:, 0], 1.0)))
    return float(np.clip(np.median(ASPECT) / max(ratio, 1e-3), 1.0, p.max_stretch))


def settled(logp: np.ndarray, widths: np.ndarray, line_h: np.ndarray, p: SegmentParams = DEFAULT
            ) -> tuple[np.ndarray, float]:
    """Which marks, read whole, are surely one character (see the module doc), and the
    writing's condensation factor measured on them all."""
    label = logp[:, :N_CLASSES].argmax(axis=1)
    condense = condensation(widths, line_h, label, p)
    ratio = np.log(np.maximum(widths, 1.0) / np.maximum(line_h, 1.0) / (condense * ASPECT[label]))
    # only too wide is evidence of two characters in one mark; a narrow letter is just narrow
    sure = (np.exp(logp[np.arange(len(label)), label]) >= p.settle_p) & (ratio <= p.settle_width)
    return sure, condense


def propose(det, score: Callable[[np.ndarray], np.ndarray], p: SegmentParams = DEFAULT) -> Proposal:
    """Read every mark whole, cut the unsettled ones, and classify every candidate character.

    Two classifier calls per page: all marks whole, then every new candidate at once.
    """
    stroke = _page_stroke(det)
    stretch = writing_stretch(det, p)
    lines = _marks(det)
    heights = []
    for line in det.lines:
        h = [(b[2] - b[0]) / det.factor for b in det.boxes[line]]
        heights.append(float(np.median(h)) if h else 1.0)
    marks = [m for line in lines for m in line]
    images_of = images_maker(det, score, p, stretch)
    # 1. every mark whole
    whole_images = images_of([m.loose for m in marks], [(m.y0, m.x0) for m in marks], [m.line for m in marks])
    whole_logp = classify_crops(whole_images, score) if marks else np.zeros((0, N_CLASSES))
    rows = len(marks)
    tight_w = np.array([_tight_width(m) for m in marks], float)
    mark_h = np.array([heights[m.line] for m in marks], float)
    sure, _ = settled(whole_logp, tight_w, mark_h, p) if marks else (np.zeros(0, bool), 1.0)
    # 2. cut paths through the other marks, wide enough to hold two characters
    todo = [k for k, m in enumerate(marks) if not sure[k]]
    paths = cut_paths_many([marks[k].loose for k in todo], [mark_h[k] for k in todo], stroke, p) if todo else []
    cuts = {marks[k].index: ps for k, ps in zip(todo, paths, strict=True)}
    whole_of = {m.index: k for k, m in enumerate(marks)}
    all_atoms, cands, line_heights, known = [], [], [], []
    for li, line in enumerate(lines):
        atoms = [a for m in line for a in _atoms_of(m, cuts.get(m.index, []))]
        all_atoms.append(atoms)
        line_cands = candidates(atoms, li, heights[li], p)
        cands += line_cands
        line_heights += [heights[li]] * len(line_cands)
        known += [whole_of[c.marks[0]] if c.whole else -1 for c in line_cands]
    known = np.array(known, np.int64)
    logp = np.zeros((len(cands), whole_logp.shape[1] if marks else N_CLASSES))
    images = np.empty((len(cands), *whole_images.shape[1:]), np.float32)
    old = known >= 0
    logp[old] = whole_logp[known[old]]
    images[old] = whole_images[known[old]]
    new = np.flatnonzero(~old)
    if len(new):
        images[new] = images_of([cands[k].mask for k in new], [cands[k].origin for k in new],
                                [cands[k].line for k in new])
        logp[new] = classify_crops(images[new], score)
        rows += len(new)
    return Proposal(all_atoms, cands, logp, np.array(line_heights, float), det.angle, len(det.lines), stretch,
                    images, rows)


def images_maker(det, score: Callable[[np.ndarray], np.ndarray], p: SegmentParams, stretch: float,
                  extent: int | None = None) -> Callable[[list, list, list], np.ndarray]:
    """``images(masks, origins, lines)``: the normalised crops the classifier ``score`` reads,
    one image each or two with the line's other ink (:func:`channels`)."""
    if channels(score) == 2:
        return lambda masks, origins, lines: context_crops(det, masks, origins, lines, p.max_side, stretch, extent)
    return lambda masks, origins, lines: crops(masks, p.max_side, stretch, extent).reshape(-1, SIDE, SIDE)


def _tight_width(mark: _Mark) -> int:
    ink = mark.tight if mark.tight.any() else mark.loose
    cols = np.flatnonzero(ink.any(0))
    return int(cols[-1] - cols[0] + 1) if len(cols) else 0


def _page_stroke(det) -> float:
    """The writing's stroke width at work scale (median over a few marks)."""
    n = len(det.boxes)
    if n == 0:
        return 1.0
    slices = ndi.find_objects(det.labels, max_label=n)
    pick = np.linspace(0, n - 1, min(n, 15)).astype(int)
    widths = [stroke_width(det.labels[slices[i]] == i + 1) for i in pick if slices[i] is not None]
    widths = [w for w in widths if w > 0]
    return float(np.median(widths)) if widths else 1.0


__all__ = ["ASPECT", "DEFAULT", "FIRST_VERSION", "PROPOSAL_FIELDS", "Atom", "Candidate", "Proposal", "SegmentParams",
           "averaged_scores", "candidates", "channels", "classify_crops", "classify_masks", "condensation",
           "context_crops", "crops", "cut_paths", "cut_paths_many", "image_rows", "images_maker", "log_probabilities",
           "proposal_of", "propose", "settled", "split_mark", "writing_stretch"]
