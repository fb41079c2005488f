"""Recognition-driven segmentation: touching pairs split, broken letters joined, by the DP."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
import scipy.ndimage as ndi

from lib.ocr import detect
from lib.ocr import segment as seg
from lib.ocr.recognize import ReadOptions, read_detection
from tests.ocr.glyphs import glyph, template_scorer, word_page


@pytest.fixture(scope="module")
def score():
    return template_scorer()


#: The template classifier knows only the print font's own proportions, so the pages are read
#: without widening condensed writing (tested on its own below).
PARAMS = replace(seg.DEFAULT, max_stretch=0.0)


def _read(image, score, **options):
    return read_detection(detect(image), score, ReadOptions(word_rule=False, params=PARAMS, **options))


@pytest.mark.parametrize(("pair", "detector_alone_fails"), [("MI", True), ("LL", True), ("ED", False)])
def test_touching_pairs_are_split(pair, detector_alone_fails, score):
    image = word_page(pair, touching=(0,))
    assert ndi.label(image < 0.5, np.ones((3, 3)))[1] == 1  # one connected mark
    # the detector cuts only marks clearly wider than two characters (ED is, MI and LL are not)
    assert (_read(image, score, segment=False).text != pair) == detector_alone_fails
    assert _read(image, score).text == pair


@pytest.mark.parametrize(("text", "broken_at"), [("E", {0: 0.3}), ("BED", {1: 0.2}), ("TOP", {0: 0.45})])
def test_broken_letters_are_joined(text, broken_at, score):
    image = word_page(text, broken_at=broken_at)
    assert len(detect(image).boxes) > len(text)  # pieces: one box each
    assert _read(image, score, segment=False).text != text
    assert _read(image, score).text == text


def test_letters_apart_stay_as_they_are(score):
    image = word_page("HELLO BOX", word_gap=80)
    assert _read(image, score).text == "HELLO BOX"


def test_word_gaps_around_a_touching_pair_are_kept(score):
    # gaps are measured between the characters chosen; the touching pair's own zero gap is
    # not a letter gap that would make every other gap look like a word space
    image = word_page("HELLO LL BOX", touching=(6,), word_gap=60)
    assert _read(image, score).text == "HELLO LL BOX"


def test_best_path_takes_the_highest_total():
    spans = [(0, 1), (1, 2), (0, 2), (2, 3), (1, 3)]
    assert seg.best_path(3, spans, np.array([1.0, 1.0, 1.5, 1.0, 3.5])) == [0, 4]
    assert seg.best_path(3, spans, np.array([1.0, 1.0, 2.5, 1.0, 0.0])) == [2, 3]


def test_cut_columns_find_the_thin_bridge():
    bar = np.ones((40, 6), bool)
    mask = np.zeros((40, 30), bool)
    mask[:, :6] = bar
    mask[:, 24:] = bar
    mask[30:34, 6:24] = True  # a bridge at the bottom
    cuts = seg.cut_columns(mask, line_h=40, stroke=4)
    assert cuts and all(8 <= c <= 22 for c in cuts)
    assert seg.cut_columns(np.ones((40, 10), bool), line_h=40, stroke=4) == []  # too narrow to hold two


def test_width_prior_prefers_the_class_width():
    prior = seg.width_log_prior(np.array([44.0, 144.0]), np.array([100.0, 100.0]), 1.0, 0.35)
    i, m = seg.CLASSES.index("I"), seg.CLASSES.index("M")
    assert prior[0, i] > prior[0, m] and prior[1, m] > prior[1, i]


def test_condensation_is_the_median_width_ratio():
    labels = np.array([seg.CLASSES.index(c) for c in "MOM"])
    widths = 0.5 * seg.ASPECT[labels] * 50
    assert seg.condensation(widths, np.full(3, 50.0), labels) == pytest.approx(0.5)


def test_a_blank_page_has_no_characters(score):
    reading = read_detection(detect(np.full((200, 300), 0.9, np.float32)), score)
    assert reading.text == "" and len(reading.boxes) == 0


def test_boxes_are_full_resolution_and_cover_the_glyphs(score):
    image = word_page("MI", touching=(0,))
    reading = _read(image, score)
    ink_cols = np.flatnonzero((image < 0.5).any(0))
    assert reading.boxes[0, 1] <= ink_cols[0] + 2 and reading.boxes[-1, 3] >= ink_cols[-1] - 2
    assert reading.boxes[0, 3] <= reading.boxes[1, 1] + 4  # M ends about where I begins
    assert glyph("M").shape[0] - 4 <= reading.boxes[0, 2] - reading.boxes[0, 0] <= glyph("M").shape[0] + 4


def test_condensed_writing_is_widened_to_typical_proportions(score):
    narrow = np.zeros((60, 20), bool)
    narrow[:, 8:12] = True
    det = detect(word_page("HELLO WORLD"))
    assert seg.writing_stretch(det) == pytest.approx(1.0, abs=0.3)
    assert seg.widen(narrow, 2.0).shape == (60, 40) and seg.widen(narrow, 2.0)[:, 16:24].all()
    assert seg.writing_stretch(det, replace(seg.DEFAULT, max_stretch=0.0)) == 1.0
