"""Recognition-driven segmentation, its second half: choosing among the candidate characters.

:func:`lib.ocr.segment.propose` reads every mark of a page whole, cuts the marks that may hold
several characters into atoms and classifies every run of atoms that may be one character
(steps 1-3 of :mod:`lib.ocr.segment`). Here each line's characters are chosen:

4. **Width prior from the line's other characters.** A writer's letters keep their
   proportions: an *M* is about three times as wide as an *I* in every hand, and a condensed
   hand makes them all narrower together. The prior compares a candidate's width with the
   width its class has in this writing: ``ASPECT[c]`` (the class's median width/height) times
   the line height times the writing's own condensation factor, the median over the page's
   marks of their width over the width expected for the class they are read as. It is
   Gaussian in the log of the ratio, with spread ``width_sigma``.
5. **Best path.** A segmentation of the line is a path through the atoms; its score is the
   sum over its characters of ``max_c [log p(c | crop) + width_weight * log prior(width | c)]``
   plus ``char_bonus`` per character (without it the sum of log-probabilities, all negative,
   would favour fewer characters), minus ``cut_cost`` for each cut through a mark and
   ``join_cost`` for each pair of separate marks read as one character: touching and broken
   letters are the exception, so a path needs the classifier's evidence to take them.
   Dynamic programming finds the best path exactly.
6. **The page's own writing, measured on the first reading.** The best paths are found
   twice. The condensation of step 4 is measured again on the characters the first paths
   chose (a page of touching writing has few single letters among its whole marks, and two
   letters read as one wide one make every class look wider than it is). And a page whose
   first paths cut through a mark at ``touching_share`` of the boundaries between characters
   or more is written with touching letters: there a cut is the rule, not the exception, and
   it costs ``touching_cut_cost`` instead of ``cut_cost``.

A classifier with a 37th output, "not a character" (``lib.deep.reader``), makes a half
letter or two letters run together score low; with 36 outputs the width prior does that
work alone.

**Word gaps use the same evidence**: gaps are measured between the characters the best path
chose, not between the detector's marks, and in units of the writing's character width
(the line height times the condensation factor), so condensed lettering with small word
gaps keeps them. The page's gaps are then split into letter gaps and word gaps as before
(:func:`lib.ocr.layout.space_threshold`).

Every parameter was chosen on generated pages in the training and validation font families
(``lib.data.synthetic.unseen.validation_pages``) and on pages written with the NIST36 valid
split's scans (``unseen.SCANNED``), never on the sample photos or on held-out styles. None of
this module is part of the reader's training (its cache key), so it can change without training
the reader again.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace

import numpy as np
import scipy.ndimage as ndi

from lib.ocr.crops import EXTENT, VARIANTS
from lib.ocr.detect import full_resolution_boxes
from lib.ocr.layout import space_threshold
from lib.ocr.segment import (
    ASPECT,
    N_CLASSES,
    Atom,
    Candidate,
    Proposal,
    averaged_scores,
    channels,
    classify_masks,
    condensation,
    images_maker,
    propose,
)
from lib.ocr.segmentation_params import DEFAULT, SegmentParams


@dataclass
class Segmentation:
    """The chosen characters of a page and everything considered on the way.

    ``chars`` index ``candidates``; ``lines`` lists, per text line, positions in ``chars``;
    ``logp`` holds every candidate's log-probabilities (36 classes, or 37 with "not a
    character" last), ``score`` its DP score and ``label`` its best class under the width
    prior; ``condense`` is the writing's condensation factor.
    """

    candidates: list[Candidate]
    logp: np.ndarray
    label: np.ndarray
    score: np.ndarray
    chars: list[int]
    lines: list[list[int]]
    spaces: list[list[bool]]
    condense: float
    params: SegmentParams = DEFAULT
    atoms: list[list[Atom]] = field(default_factory=list)
    boxes: np.ndarray | None = None   # full-resolution boxes of ``chars``, when known exactly
    line_h: np.ndarray | None = None  # each candidate's line height (work pixels)
    rows: int = 0                     # crops classified (all calls together)
    shared: list[np.ndarray] = field(default_factory=list)  # per line, whether each two neighbours
                                                             # in ``chars`` were cut out of one mark


def _widths(cands: list[Candidate]) -> np.ndarray:
    """The candidates' ink widths (work pixels)."""
    return np.array([c.box[3] - c.box[1] for c in cands], float)


def width_log_prior(widths: np.ndarray, line_h: np.ndarray, condense: float, sigma: float) -> np.ndarray:
    """(N, 36) log-density (up to a constant) of each candidate's width under each class."""
    ratio = np.log(np.maximum(widths, 1.0) / np.maximum(line_h, 1.0))[:, None]
    expected = np.log(condense * ASPECT)[None, :]
    return -0.5 * ((ratio - expected) / sigma) ** 2


# ---------------------------------------------------------------------------- DP
def best_path(n_atoms: int, spans: list[tuple[int, int]], scores: np.ndarray) -> list[int]:
    """Indices of the spans (start, stop) that tile 0..n_atoms with the highest total score."""
    best = np.full(n_atoms + 1, -np.inf)
    best[0] = 0.0
    back = np.full(n_atoms + 1, -1)
    ending: dict[int, list[int]] = {}
    for k, (_, stop) in enumerate(spans):
        ending.setdefault(stop, []).append(k)
    for stop in range(1, n_atoms + 1):
        for k in ending.get(stop, []):
            start = spans[k][0]
            value = best[start] + scores[k]
            if value > best[stop]:
                best[stop], back[stop] = value, k
    if n_atoms and back[n_atoms] < 0:  # cannot happen: every single atom is a candidate
        raise RuntimeError("no segmentation covers the line")
    path, at = [], n_atoms
    while at > 0:
        k = int(back[at])
        path.append(k)
        at = spans[k][0]
    return path[::-1]


def _shared_marks(cands: list[Candidate], chars: list[int], line: list[int]) -> np.ndarray:
    """For each pair of neighbours on a line of chosen characters, whether the two were cut
    out of one mark."""
    return np.array([bool(set(cands[chars[a]].marks) & set(cands[chars[b]].marks))
                     for a, b in zip(line[:-1], line[1:], strict=True)], bool).reshape(-1)


def cut_share(s: Segmentation) -> float:
    """The share of the boundaries between neighbouring chosen characters that are cuts
    through one mark (0 where a page has no two characters on a line)."""
    bounds = sum(len(b) for b in s.shared)
    return sum(int(b.sum()) for b in s.shared) / bounds if bounds else 0.0


def decide(prop: Proposal, p: SegmentParams = DEFAULT) -> Segmentation:
    """The best path through each line's candidates, and the word spaces between its characters,
    found again with the writing measured on the first paths' characters (module doc, step 6).

    ``params`` of the result are those of the last paths: ``cut_cost`` is
    ``touching_cut_cost`` on a page written with touching letters."""
    first = _best_paths(prop, p)
    if not first.chars:
        return first
    condense = first.condense
    if p.condense_from_chosen:
        chosen = np.array(first.chars)
        widths = _widths([first.candidates[k] for k in chosen])
        condense = condensation(widths, prop.line_h[chosen], first.label[chosen], p)
    if cut_share(first) >= p.touching_share:
        p = replace(p, cut_cost=p.touching_cut_cost)
    elif condense == first.condense:
        return first
    return _best_paths(prop, p, condense)


def _best_paths(prop: Proposal, p: SegmentParams, condense: float | None = None) -> Segmentation:
    """One reading of the page: the best paths under the writing's condensation (``None``:
    measured on the candidates that are one whole mark)."""
    cands, logp, all_atoms = prop.candidates, prop.logp, prop.atoms
    if not cands:
        empty = [[] for _ in range(prop.n_lines)]
        return Segmentation([], logp, np.zeros(0, np.int64), np.zeros(0), [], empty, [list(e) for e in empty],
                            1.0, p, all_atoms, rows=prop.rows)
    widths = _widths(cands)
    line_h = prop.line_h
    if condense is None:  # the writing's condensation, from the candidates that are one whole mark
        whole = np.array([c.whole for c in cands])
        plain = logp[:, :N_CLASSES].argmax(1)
        condense = condensation(widths[whole], line_h[whole], plain[whole], p) if whole.any() else 1.0
    total = logp[:, :N_CLASSES] + p.width_weight * width_log_prior(widths, line_h, condense, p.width_sigma)
    label = total.argmax(axis=1)
    # the best class's evidence, not all 36 classes' together: a crop of two letters run
    # together is read as many classes at once, each improbable, and their sum would count
    # it as surely one character (the reader's validation pages, 60 per source: touching
    # 7.19% -> 6.79%, scanned handwriting 11.06% -> 10.43%, the other sources alike)
    scores = total[np.arange(len(cands)), label] + p.char_bonus
    for k, c in enumerate(cands):
        atoms = all_atoms[c.line]
        joins = sum(atoms[j].mark != atoms[j - 1].mark for j in range(c.start + 1, c.stop))
        cut = c.stop < len(atoms) and atoms[c.stop].mark == atoms[c.stop - 1].mark
        scores[k] -= p.join_cost * joins + p.cut_cost * cut
    line_of = np.array([c.line for c in cands])
    chars, lines = [], []
    for li, atoms in enumerate(all_atoms):
        ks = np.flatnonzero(line_of == li)
        spans = [(cands[k].start, cands[k].stop) for k in ks]
        path = best_path(len(atoms), spans, scores[ks]) if atoms else []
        lines.append(list(range(len(chars), len(chars) + len(path))))
        chars += [int(ks[k]) for k in path]
    # word gaps between the chosen characters, in character widths of this writing; two
    # characters cut out of one mark, or touching or overlapping, are no evidence about
    # word spaces (a page of joined words would make every other gap look like one)
    boxes = np.array([cands[k].box for k in chars], float).reshape(-1, 4)
    unit = condense if p.gaps_in_widths else 1.0
    gaps = [_gaps(boxes[line], prop.angle, unit) for line in lines]
    shared = [_shared_marks(cands, chars, line) for line in lines]
    cut = [sh | (g <= p.touch_gap) for sh, g in zip(shared, gaps, strict=True)]
    free = [g[~c] for g, c in zip(gaps, cut, strict=True) if len(g)]
    threshold = space_threshold(np.concatenate(free), p.space_gap, p.space_ratio) if free else np.inf
    spaces = [[False] + [bool(g > threshold and not c) for g, c in zip(gs, cs, strict=True)] if len(line) else []
              for line, gs, cs in zip(lines, gaps, cut, strict=True)]
    return Segmentation(cands, logp, label, scores, chars, lines, spaces, condense, p, all_atoms, None, line_h,
                        prop.rows, shared)


def segment(det, score: Callable[[np.ndarray], np.ndarray], p: SegmentParams = DEFAULT,
            average: bool = True) -> Segmentation:
    """Over-segment every line of a detection, classify the candidates, choose the best paths.

    The search compares candidates on their plain crops (each normalised once); with
    ``average`` the characters chosen are then read again, averaged over
    ``p.final_variants`` (shifts of the same crop; those read at least ``p.final_p``
    probably keep their plain reading), and their classes taken from those scores with the
    same width prior.
    """
    prop = propose(det, score, p)
    s = decide(prop, p)
    if not (average and s.chars and p.final_variants):
        return s
    chars = np.array(s.chars)
    plain = s.logp[chars]
    redo = chars[np.exp(plain[:, :N_CLASSES].max(axis=1)) < p.final_p]
    if not len(redo):
        return s
    # the plain crop, read in the search, is one of the variants: its reading is reused
    plain_variant = [v for v in p.final_variants if v[0] in (None, EXTENT) and v[1:] == (0, 0)]
    variants = tuple(v for v in p.final_variants if v not in plain_variant)
    cands = [s.candidates[k] for k in redo]

    def images_at(extent: int | None) -> np.ndarray:
        if extent in (None, EXTENT):  # the search's own crops
            return prop.images[redo]
        return images_maker(det, score, p, prop.stretch, extent)(
            [c.mask for c in cands], [c.origin for c in cands], [c.line for c in cands])

    total_logp = s.logp[redo] * len(plain_variant)
    if variants:
        total_logp = total_logp + averaged_scores(images_at, len(redo), score, variants) * len(variants)
    final = total_logp / len(p.final_variants)
    s.rows += len(redo) * len(variants)
    widths = _widths(cands)
    total = final[:, :N_CLASSES] + p.width_weight * width_log_prior(widths, s.line_h[redo], s.condense,
                                                                     p.width_sigma)
    s.logp = s.logp.astype(np.float64, copy=True)
    s.label = s.label.copy()
    s.logp[redo] = final
    s.label[redo] = total.argmax(axis=1)
    return s


def one_per_box(det, score: Callable[[np.ndarray], np.ndarray], variants=VARIANTS) -> Segmentation:
    """No segmentation: each detected box is one character, the detector's lines and spaces."""
    n = len(det.boxes)
    slices = ndi.find_objects(det.crop_labels, max_label=n)
    cands = []
    for li, line in enumerate(det.lines):
        for i in line:
            sl = slices[i]
            mask = np.zeros((1, 1), bool) if sl is None else det.crop_labels[sl] == i + 1
            origin = (0, 0) if sl is None else (sl[0].start, sl[1].start)
            box = np.asarray(det.boxes[i]) // max(det.factor, 1)
            cands.append(Candidate(li, i, i + 1, box, mask, origin, (i,), True))
    if channels(score) == 2:
        logp = averaged_scores(lambda extent: images_maker(det, score, replace(DEFAULT, max_side=0), 1.0, extent)(
            [c.mask for c in cands], [c.origin for c in cands], [c.line for c in cands]), len(cands), score,
            variants) if cands else np.zeros((0, N_CLASSES))
    else:
        logp = classify_masks([c.mask for c in cands], score, variants)
    order = [i for line in det.lines for i in line]
    chars = list(range(len(cands)))
    lines, k = [], 0
    for line in det.lines:
        lines.append(list(range(k, k + len(line))))
        k += len(line)
    label = logp[:, :N_CLASSES].argmax(axis=1) if len(cands) else np.zeros(0, np.int64)
    boxes = np.asarray(det.boxes, int).reshape(-1, 4)[order] if order else np.zeros((0, 4), int)
    return Segmentation(cands, logp, label, np.zeros(len(cands)), chars, lines, [list(s) for s in det.spaces],
                        1.0, DEFAULT, [], boxes, rows=len(cands) * len(tuple(variants or ((None, 0, 0),))))


def full_resolution(s: Segmentation, det) -> np.ndarray:
    """The chosen characters' boxes in full-resolution pixels, [y1, x1, y2, x2]."""
    if s.boxes is not None:
        return s.boxes
    if not s.chars:
        return np.zeros((0, 4), int)
    return full_resolution_boxes([s.candidates[k].box for k in s.chars], det.factor, det.shape)


def _gaps(boxes: np.ndarray, angle: float, condense: float) -> np.ndarray:
    """Gaps between neighbours along the text direction, in units of the writing's
    character width (line height times the condensation factor)."""
    if len(boxes) < 2:
        return np.zeros(0)
    cy = (boxes[:, 0] + boxes[:, 2]) / 2.0
    cx = (boxes[:, 1] + boxes[:, 3]) / 2.0
    along = cx * np.cos(angle) + cy * np.sin(angle)
    half_w = (boxes[:, 3] - boxes[:, 1]) / 2.0
    line_h = max(float(np.median(boxes[:, 2] - boxes[:, 0])), 1.0)
    return ((along[1:] - half_w[1:]) - (along[:-1] + half_w[:-1])) / (line_h * condense)


__all__ = ["Segmentation", "best_path", "cut_share", "decide", "full_resolution", "one_per_box", "segment",
           "width_log_prior"]
