"""Lines, reading order, touching characters and spaces, from character boxes.

* **Text angle.** The page may be turned a little. The angle is the one (within +-20
  degrees) under which the box centres' projections pile up into the sharpest histogram:
  text lines are then perpendicular to the projection (a projection profile, computed on
  the centres only, so it costs nothing).
* **Lines.** Sorted by their rotated height, centres start a new line where they jump by
  more than ``LINE_GAP`` character heights; within a line boxes go left to right.
* **Touching characters.** A box wider than ``SPLIT_WIDTH`` times the line's typical
  character width *and* wider than ``SPLIT_ASPECT`` times the line height holds
  ``round(width / typical width)`` characters; it is cut at the columns with the least ink
  near the evenly spaced positions.
* **Spaces.** Gaps between neighbours, in line heights, are split into letter gaps and
  word gaps for the whole page (one writer spaces consistently); see ``space_threshold``.
  Relative to the writing, so widely spaced block capitals and tight cursive both work.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.ndimage as ndi

LINE_GAP = 0.6
SPLIT_WIDTH = 1.8
SPLIT_ASPECT = 1.6
SPACE_GAP = 0.5
SPACE_OFFSET = 0.5
#: Word gaps must average at least this many times the letter gaps. Validation pages, 60
#: per source (the reader): 2 and 1.9 lost every space of three condensed fonts, whose word
#: gaps are 1.3-1.8 character widths against letter gaps of 0.6-1.1 (fonts-paper 1.90%,
#: scanned handwriting 9.42%); 1.8 and 1.7 keep them (1.06%, 8.86%); 1.5 reads fonts-paper
#: at 0.79%. Runs of letters with no spaces (60 pages) got no space at 1.5 or above. The cost:
#: one restroked page of widely and evenly spaced letters gets 10 spaces at 1.8 and below,
#: where 2 got none (restroked-paper 0.98% either way: the lower ratio also finds 5 spaces
#: that 2 lost). The middle of the working range is taken: the homework's grid of letters
#: (02_letters), unevenly spaced, gets spaces below 1.6.
SPACE_RATIO = 1.7
MAX_ANGLE = np.deg2rad(20.0)


@dataclass
class Layout:
    boxes: np.ndarray        # (N, 4) [y1, x1, y2, x2], reading order
    labels: np.ndarray       # label map, label i + 1 = boxes[i]
    crop_labels: np.ndarray  # a second label map relabelled the same way (for crops)
    lines: list[list[int]]   # indices into boxes
    spaces: list[list[bool]] # per line: a word space before each box
    angle: float


def text_angle(centers: np.ndarray, h: float) -> float:
    """The rotation (radians) that makes text lines horizontal, by projection profile."""
    if len(centers) < 3 or h <= 0:
        return 0.0
    best, best_score = 0.0, -1.0
    bin_w = max(h / 4.0, 1e-6)
    for a in np.linspace(-MAX_ANGLE, MAX_ANGLE, 81):
        proj = centers[:, 0] * np.cos(a) - centers[:, 1] * np.sin(a)
        counts = np.bincount(((proj - proj.min()) / bin_w).astype(int))
        # smooth by one bin so a line split over two bins still counts as one
        counts = np.convolve(counts, [1, 1], mode="full")
        score = float((counts.astype(float) ** 2).sum())
        if score > best_score + 1e-9 or (abs(score - best_score) <= 1e-9 and abs(a) < abs(best)):
            best, best_score = a, score
    return float(best)


def _project(boxes: np.ndarray, angle: float):
    cy = (boxes[:, 0] + boxes[:, 2]) / 2.0
    cx = (boxes[:, 1] + boxes[:, 3]) / 2.0
    across = cy * np.cos(angle) - cx * np.sin(angle)  # position across lines
    along = cx * np.cos(angle) + cy * np.sin(angle)   # position along a line
    return across, along


def group_lines(boxes: np.ndarray, h: float, angle: float | None = None):
    """Indices of boxes per line (top to bottom, each left to right), and the angle."""
    if len(boxes) == 0:
        return [], 0.0
    centers = np.stack([(boxes[:, 0] + boxes[:, 2]) / 2.0, (boxes[:, 1] + boxes[:, 3]) / 2.0], 1)
    if angle is None:
        angle = text_angle(centers, h)
    across, along = _project(boxes, angle)
    order = np.argsort(across, kind="stable")
    lines, current = [], [order[0]]
    for prev, i in zip(order[:-1], order[1:], strict=False):
        if across[i] - across[prev] > LINE_GAP * h:
            lines.append(current)
            current = []
        current.append(i)
    lines.append(current)
    lines = [sorted(line, key=lambda i: along[i]) for line in lines]
    return [list(map(int, line)) for line in lines], angle


def _split_box(box, labels, lab, n):
    """Cut component ``lab`` inside ``box`` into ``n`` pieces at its emptiest columns."""
    y1, x1, y2, x2 = box
    sub = labels[y1:y2, x1:x2] == lab
    profile = sub.sum(axis=0).astype(float)
    w = x2 - x1
    cuts = []
    for k in range(1, n):
        centre = k * w / n
        lo, hi = int(centre - 0.3 * w / n), int(centre + 0.3 * w / n) + 1
        lo, hi = max(lo, 1), min(hi, w - 1)
        if hi <= lo:
            continue
        window = profile[lo:hi]
        # least ink; ties broken towards the expected position
        cost = window + 1e-3 * np.abs(np.arange(lo, hi) - centre)
        cuts.append(lo + int(np.argmin(cost)))
    edges = [0, *cuts, w]
    pieces = []
    for a, b in zip(edges[:-1], edges[1:], strict=False):
        part = sub[:, a:b]
        rows = np.flatnonzero(part.any(1))
        cols = np.flatnonzero(part.any(0))
        if len(rows) == 0:
            continue
        pieces.append((np.array([y1 + rows[0], x1 + a + cols[0], y1 + rows[-1] + 1, x1 + a + cols[-1] + 1]), a, b))
    return pieces


def split_touching(boxes: np.ndarray, labels: np.ndarray, lines: list[list[int]],
                   crop_labels: np.ndarray | None = None):
    """Split boxes much wider than their line's typical character.

    Returns new boxes, labels, lines and crop labels (``crop_labels`` is a second label
    map with the same numbering, e.g. a looser mask, cut at the same columns).
    """
    if crop_labels is None:
        crop_labels = labels
    new_boxes: list[np.ndarray] = []
    new_labels = np.zeros_like(labels)
    new_crop = np.zeros_like(crop_labels)
    new_lines = []
    n = len(boxes)
    where = {"labels": ndi.find_objects(labels, max_label=n), "crop": ndi.find_objects(crop_labels, max_label=n)}

    def relabel(src, dst, slices, i, new, band=None):
        sl = slices[i]
        if sl is None:
            return
        region = src[sl] == i + 1
        if band is not None:
            cols = np.arange(sl[1].start, sl[1].stop)
            region &= ((cols >= band[0]) & (cols < band[1]))[None, :]
        dst[sl][region] = new

    for line in lines:
        b = boxes[line]
        widths = (b[:, 3] - b[:, 1]).astype(float)
        heights = (b[:, 2] - b[:, 0]).astype(float)
        line_h = float(np.median(heights))
        # typical width from the narrower half-plus: wide merged boxes must not inflate it
        typical_w = float(np.median(widths)) if len(line) >= 3 else 0.75 * line_h
        typical_w = max(min(typical_w, line_h), 0.4 * line_h)
        out = []
        for i in line:
            box = boxes[i]
            w = box[3] - box[1]
            pieces = None
            if w > SPLIT_WIDTH * typical_w and w > SPLIT_ASPECT * line_h:
                k = int(round(w / typical_w))
                if k >= 2:
                    pieces = _split_box(box, labels, i + 1, k)
            if not pieces:
                new_boxes.append(box)
                relabel(labels, new_labels, where["labels"], i, len(new_boxes))
                relabel(crop_labels, new_crop, where["crop"], i, len(new_boxes))
                out.append(len(new_boxes) - 1)
                continue
            x1 = box[1]
            for piece, a, b_ in pieces:
                new_boxes.append(piece)
                # columns a..b_ of the box; the first/last piece take everything beyond
                lo = -1 if a == 0 else x1 + a
                hi = labels.shape[1] + 1 if b_ == box[3] - x1 else x1 + b_
                relabel(labels, new_labels, where["labels"], i, len(new_boxes), (lo, hi))
                relabel(crop_labels, new_crop, where["crop"], i, len(new_boxes), (lo, hi))
                out.append(len(new_boxes) - 1)
        new_lines.append(out)
    return np.array(new_boxes, int).reshape(-1, 4), new_labels, new_lines, new_crop


def _gaps(boxes: np.ndarray, line: list[int], angle: float) -> np.ndarray:
    """Gaps between neighbours of a line along the text direction, in line heights."""
    b = boxes[line]
    _, along = _project(b, angle)
    half_w = (b[:, 3] - b[:, 1]) / 2.0
    line_h = max(float(np.median(b[:, 2] - b[:, 0])), 1.0)
    return ((along[1:] - half_w[1:]) - (along[:-1] + half_w[:-1])) / line_h


def space_threshold(gaps: np.ndarray, min_gap: float = SPACE_GAP, ratio: float = SPACE_RATIO) -> float:
    """The gap (in line heights) above which a gap is a word space, for one page.

    One writer spaces letters consistently, so the page's gaps form two groups: letter
    gaps and word gaps. Spacing is judged relatively (a gap of 1.2 vs 1.0 letter heights
    is a smaller difference than 0.4 vs 0.2), so the gaps are compared on a log scale,
    ``log(gap + SPACE_OFFSET)`` (the offset keeps touching letters, gap <= 0, finite).
    The best two-group split there (least within-group squared error: 1-D k-means, Otsu)
    is accepted only when the groups are clearly apart: word gaps on average at least
    ``ratio`` times the letter gaps and ``min_gap`` wider (``SPACE_GAP`` line heights by default). Otherwise (a page of single words,
    or evenly spaced letters) a gap must exceed the median by a full line height.
    """
    raw = np.sort(np.asarray(gaps, float))
    if len(raw) == 0:
        return np.inf
    fallback = float(np.median(raw)) + 1.0
    if len(raw) < 2:
        return fallback
    g = np.log(np.maximum(raw + SPACE_OFFSET, 1e-3))
    csum, csq = np.cumsum(g), np.cumsum(g * g)
    n = len(g)
    best = None
    for k in range(1, n):
        lo_s, lo_q = csum[k - 1], csq[k - 1]
        hi_s, hi_q = csum[-1] - lo_s, csq[-1] - lo_q
        cost = (lo_q - lo_s**2 / k) + (hi_q - hi_s**2 / (n - k))
        if best is None or cost < best[0]:
            best = (cost, k)
    k = best[1]
    lo_mean, hi_mean = raw[:k].mean(), raw[k:].mean()
    if hi_mean - lo_mean >= min_gap and hi_mean >= ratio * max(lo_mean, 0.1):
        return float(np.exp((g[k - 1] + g[k]) / 2) - SPACE_OFFSET)
    return fallback


def word_spaces(boxes: np.ndarray, line: list[int], angle: float, threshold: float) -> list[bool]:
    """For each box of a line, whether a word space comes before it."""
    if len(line) < 2:
        return [False] * len(line)
    return [False] + [bool(g > threshold) for g in _gaps(boxes, line, angle)]


def arrange(boxes: np.ndarray, labels: np.ndarray, h: float,
            crop_labels: np.ndarray | None = None) -> Layout:
    """Lines, reading order, touching characters split, and spaces, for labelled boxes.

    ``labels`` is a label map in which label ``i + 1`` marks the pixels of ``boxes[i]``;
    ``crop_labels`` (optional) a second one with the same numbering, relabelled alike.
    """
    if crop_labels is None:
        crop_labels = labels
    if len(boxes) == 0:
        return Layout(np.zeros((0, 4), int), labels, crop_labels, [], [], 0.0)
    lines, angle = group_lines(boxes, h)
    boxes, labels, lines, crop_labels = split_touching(boxes, labels, lines, crop_labels)
    # reading order: renumber boxes line by line
    order = [i for line in lines for i in line]
    remap = np.zeros(len(boxes) + 1, np.int32)
    remap[np.array(order) + 1] = np.arange(1, len(order) + 1)
    labels = remap[labels]
    crop_labels = remap[crop_labels]
    boxes = boxes[order]
    lines_out, k = [], 0
    for line in lines:
        lines_out.append(list(range(k, k + len(line))))
        k += len(line)
    gaps = [_gaps(boxes, line, angle) for line in lines_out if len(line) > 1]
    threshold = space_threshold(np.concatenate(gaps)) if gaps else np.inf
    spaces = [word_spaces(boxes, line, angle, threshold) for line in lines_out]
    return Layout(boxes, labels, crop_labels, lines_out, spaces, angle)


def text_from(chars: list[str], lines: list[list[int]], spaces: list[list[bool]]) -> str:
    """Assemble predicted characters (one per box) into lines and words."""
    out = []
    for line, sp in zip(lines, spaces, strict=False):
        out.append("".join((" " if s else "") + chars[i] for i, s in zip(line, sp, strict=False)))
    return "\n".join(out)


__all__ = ["Layout", "arrange", "group_lines", "split_touching", "text_angle", "text_from", "word_spaces"]
