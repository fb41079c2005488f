"""Choosing among the candidate characters: the best paths, the width prior, the page's own writing."""

from __future__ import annotations

from dataclasses import fields, replace

import numpy as np
import pytest

from lib.data.nist36 import CLASSES
from lib.ocr import choose, detect
from lib.ocr import segment as seg
from tests.ocr.glyphs import template_scorer, word_page


def test_best_path_takes_the_highest_total():
    spans = [(0, 1), (1, 2), (0, 2), (2, 3), (1, 3)]
    assert choose.best_path(3, spans, np.array([1.0, 1.0, 1.5, 1.0, 3.5])) == [0, 4]
    assert choose.best_path(3, spans, np.array([1.0, 1.0, 2.5, 1.0, 0.0])) == [2, 3]


def test_a_crop_read_as_many_classes_at_once_is_not_taken_for_one_character():
    # one mark cut in two: E and T read surely apart; read whole, the classifier spreads 80%
    # over all 36 classes (two letters run together look a little like many). The summed
    # probability would call the whole surely one character; its best class does not.
    ink = np.ones((50, 40), bool)
    atoms = [seg.Atom(0, 0, ink, ink, mark=0), seg.Atom(0, 40, ink, ink, mark=0)]
    boxes = {(0, 1): [0, 0, 50, 40], (1, 2): [0, 40, 50, 80], (0, 2): [0, 0, 50, 80]}
    cands = [seg.Candidate(0, a, b, np.array(box), ink, (0, 0), (0,), whole=(a, b) == (0, 2))
             for (a, b), box in boxes.items()]
    p = np.full((3, seg.N_CLASSES + 1), 0.001)
    p[0, CLASSES.index("E")] = p[1, CLASSES.index("T")] = 0.95
    p[2, : seg.N_CLASSES], p[2, seg.N_CLASSES] = 0.8 / seg.N_CLASSES, 0.2
    prop = seg.Proposal([atoms], cands, np.log(p / p.sum(1, keepdims=True)), np.full(3, 50.0), 0.0, 1)
    s = choose.decide(prop, replace(seg.DEFAULT, width_weight=0.0))
    assert "".join(CLASSES[s.label[k]] for k in s.chars) == "ET"


def test_width_prior_prefers_the_class_width():
    prior = choose.width_log_prior(np.array([44.0, 144.0]), np.array([100.0, 100.0]), 1.0, 0.35)
    i, m = CLASSES.index("I"), CLASSES.index("M")
    assert prior[0, i] > prior[0, m] and prior[1, m] > prior[1, i]


def _line_proposal(marks: list[int], reads: dict[tuple[int, int], dict[str, float]], width: int = 40,
                   height: int = 50) -> seg.Proposal:
    """One line of atoms ``width`` wide side by side (``marks``: the mark each atom belongs to;
    marks apart by a gap), its candidates the spans of ``reads``, each read as the classes given
    with the rest of the probability on "not a character"."""
    ink = np.ones((height, width), bool)
    x, atoms = 0, []
    for k, mark in enumerate(marks):
        x += 20 if k and mark != marks[k - 1] else 0
        atoms.append(seg.Atom(0, x, ink, ink, mark=mark))
        x += width
    cands, rows = [], []
    for (a, b), read in reads.items():
        box = np.array([0, atoms[a].x0, height, atoms[b - 1].x0 + width])
        owners = tuple(sorted({t.mark for t in atoms[a:b]}))
        whole = len(owners) == 1 and marks.count(owners[0]) == b - a
        cands.append(seg.Candidate(0, a, b, box, ink, (0, 0), owners, whole))
        p = np.full(seg.N_CLASSES + 1, 1e-6)
        for c, q in read.items():
            p[CLASSES.index(c)] = q
        p[seg.N_CLASSES] = max(1.0 - sum(read.values()), 1e-6)
        rows.append(np.log(p / p.sum()))
    return seg.Proposal([atoms], cands, np.array(rows), np.full(len(cands), float(height)), 0.0, 1)


def _text(s: choose.Segmentation) -> str:
    return "".join(CLASSES[s.label[k]] for k in s.chars)


def test_a_page_written_with_touching_letters_pays_less_per_cut():
    # mark 0 is surely E and T touching; mark 1 reads as an H (0.6) whole or as A and B (0.9
    # each) cut apart: worth a cut at the touching page's cost, not at the usual one
    reads = {(0, 1): {"E": 0.95}, (1, 2): {"T": 0.95}, (0, 2): {"H": 0.05},
             (2, 3): {"A": 0.9}, (3, 4): {"B": 0.9}, (2, 4): {"H": 0.6}}
    p = replace(seg.DEFAULT, width_weight=0.0, char_bonus=1.5)
    touching = _line_proposal([0, 0, 1, 1], reads)
    s = choose.decide(touching, p)
    assert choose.cut_share(s) > p.touching_share and _text(s) == "ETAB"
    assert s.params.cut_cost == p.touching_cut_cost
    assert _text(choose.decide(touching, replace(p, touching_share=np.inf))) == "ETH"
    # the same mark on a page of letters apart keeps the usual cost
    apart = _line_proposal([0, 0], {(0, 1): {"A": 0.9}, (1, 2): {"B": 0.9}, (0, 2): {"H": 0.6}})
    s = choose.decide(apart, p)
    assert choose.cut_share(s) == 0.0 and _text(s) == "H" and s.params.cut_cost == p.cut_cost


def test_the_condensation_is_measured_again_on_the_characters_chosen():
    # two marks of touching E and T, each read whole as a wide M: the whole marks alone would
    # make this writing look 1.4 times wider than the E's and T's it is written with
    reads = {(0, 1): {"E": 0.95}, (1, 2): {"T": 0.95}, (0, 2): {"M": 0.2},
             (2, 3): {"E": 0.95}, (3, 4): {"T": 0.95}, (2, 4): {"M": 0.2}}
    prop = _line_proposal([0, 0, 1, 1], reads)
    labels = np.array([CLASSES.index(c) for c in "ETET"])
    chosen = seg.condensation(np.full(4, 40.0), np.full(4, 50.0), labels)
    whole = seg.condensation(np.full(2, 80.0), np.full(2, 50.0), np.full(2, CLASSES.index("M")))
    s = choose.decide(prop, replace(seg.DEFAULT, char_bonus=1.5))
    assert _text(s) == "ETET" and s.condense == pytest.approx(chosen)
    once = choose.decide(prop, replace(seg.DEFAULT, char_bonus=1.5, condense_from_chosen=False, touching_share=np.inf))
    assert once.condense == pytest.approx(whole) and whole > 1.3 * chosen


def _other(value):
    """A different value of a parameter of the same type."""
    if isinstance(value, bool):
        return not value
    if isinstance(value, tuple):
        return value[:1]
    return 2.0 * value + 1.0


def test_the_parameters_that_choose_leave_the_candidates_as_they_are():
    # the reader learns what propose cuts out, and its cache holds only the proposal's values
    # (segment.PROPOSAL_FIELDS): every other parameter must leave candidates and crops alone
    det = detect(word_page("MIL", touching=(0, 1)))
    score = template_scorer()
    base = replace(seg.DEFAULT, max_stretch=0.0)
    ref = seg.propose(det, score, base)
    boxes = np.array([c.box for c in ref.candidates])
    choosing = [f.name for f in fields(seg.SegmentParams) if f.name not in seg.PROPOSAL_FIELDS]
    assert "char_bonus" in choosing and "final_variants" in choosing
    for name in choosing:
        prop = seg.propose(det, score, replace(base, **{name: _other(getattr(base, name))}))
        assert np.array_equal(np.array([c.box for c in prop.candidates]), boxes), name
        assert np.array_equal(prop.images, ref.images) and np.array_equal(prop.logp, ref.logp), name
    # while a proposal parameter does change them
    uncut = seg.propose(det, score, replace(base, split_from=10.0))
    assert len(uncut.candidates) < len(ref.candidates)
