"""Recognition-driven segmentation: touching pairs split, broken letters joined, by the DP."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
import scipy.ndimage as ndi

from lib.ocr import detect
from lib.ocr import segment as seg
from lib.ocr.recognize import ReadOptions, read_detection
from tests.ocr.glyphs import glyph, joined, page, template_scorer, word_page


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


def test_word_gaps_under_twice_the_letter_gaps_are_kept_and_the_first_version_loses_them(score):
    # a condensed font's spacing: words 1.8 times as far apart as letters
    image = word_page("HELLO BOX", gap=30, word_gap=54)
    assert _read(image, score).text == "HELLO BOX"
    first_rule = replace(PARAMS, space_ratio=seg.FIRST_VERSION.space_ratio)
    assert read_detection(detect(image), score, ReadOptions(word_rule=False, params=first_rule)).text == "HELLOBOX"


def test_word_gaps_around_a_touching_pair_are_kept(score):
    # gaps are measured between the characters chosen; the touching pair's own zero gap is
    # not a letter gap that would make every other gap look like a word space
    image = word_page("HELLO LL BOX", touching=(6,), word_gap=60)
    assert _read(image, score).text == "HELLO LL BOX"


def test_cut_paths_find_the_thin_bridge():
    bar = np.ones((40, 6), bool)
    mask = np.zeros((40, 30), bool)
    mask[:, :6] = bar
    mask[:, 24:] = bar
    mask[30:34, 6:24] = True  # a bridge at the bottom
    paths = seg.cut_paths(mask, line_h=40, stroke=4)
    assert paths and all(8 <= c <= 22 for path in paths for c in path)
    left, right = seg.split_mark(mask, paths[:1])
    assert left[:, :6].all() and right[:, 24:].all() and not (left & right).any()
    assert seg.cut_paths(np.ones((40, 10), bool), line_h=40, stroke=4) == []  # too narrow to hold two


def test_cut_paths_bend_around_an_overhang():
    # an L whose foot runs under the bar of a Γ and touches its stem by a thin stroke: every
    # column crosses a whole stroke or two, a path bent between the bar and the foot only
    # the thin contact
    mask = np.zeros((60, 53), bool)
    mask[:, :8] = mask[52:, :41] = True     # L: stem and foot
    mask[:, 45:] = mask[:8, 20:] = True     # Γ: stem and bar, over the foot
    mask[55:57, 41:45] = True               # the contact
    straight = seg.cut_paths(mask, 60, 8, replace(seg.DEFAULT, cut_drift=np.inf))
    bent = seg.cut_paths(mask, 60, 8, replace(seg.DEFAULT, cut_drift=0.1))
    ink = lambda path: int(mask[np.arange(60), path].sum())  # noqa: E731
    assert min(map(ink, straight)) >= 8
    best = min(bent, key=ink)
    assert ink(best) <= 2 and best[0] < 20 and 41 <= best[-1] < 45
    left, right = seg.split_mark(mask, [best])
    assert left[:, :8].all() and left[52:, :41].all() and right[:8, 20:].all() and right[:, 45:].all()


def test_two_pieces_no_straight_cut_separates_are_read_apart(score):
    # the bar of the T over the L's foot: the detector keeps them as one mark (they overlap
    # horizontally); a bent cut reads them apart, a straight one cannot
    image = page([glyph("L"), glyph("T")], [-18])
    assert len(detect(image).boxes) == 1
    for drift, reads_apart in ((0.1, True), (np.inf, False)):
        params = replace(PARAMS, cut_drift=drift)
        assert (read_detection(detect(image), score, ReadOptions(word_rule=False, params=params)).text
                == "LT") == reads_apart


def test_a_narrow_i_against_an_m_is_split(score):
    m, i = glyph("M"), glyph("I")
    image = page([joined(m, i, 6, at=0.1)], [])  # the I touches the M near the top
    assert len(detect(image).boxes) == 1
    assert _read(image, score).text == "MI"


def test_settled_marks_are_not_cut(score):
    # neat, well separated letters are read whole with confidence: nothing else is classified
    image = word_page("HOME", gap=30)
    reading = _read(image, score)
    assert reading.text == "HOME"
    assert len(reading.segmentation.candidates) == 4


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


def test_a_cut_may_follow_the_middle_of_two_strokes_side_by_side():
    # two bars touching along their whole height: one double-width stroke with no thin place;
    # its middle, where the two meet, is the cheap cut
    mask = np.zeros((40, 16), bool)
    mask[:, :] = True
    ink = mask.astype(float)
    thick = seg._seam_ink(ink, stroke=8.0, thick=0.25)
    assert np.allclose(thick[:, 7:9], 0.25) and thick[:, :6].min() == 1.0
    assert seg._seam_ink(ink, stroke=8.0, thick=1.0) is ink
    assert seg._seam_ink(ink, stroke=3.0, thick=0.25).min() == 1.0  # 16 px is five strokes: no seam


def _two_channel(score):
    """The template classifier reading the first of two images per crop (a stand-in for the reader)."""

    def both(rows):
        assert rows.shape[1] == 2048
        return score(rows[:, :1024])

    both.channels = 2
    return both


def test_a_two_channel_classifier_gets_each_crop_with_its_lines_other_ink(score):
    det = detect(word_page("HI T", word_gap=80))
    lines = seg._marks(det)
    marks = [m for line in lines for m in line]
    plain = seg.crops([m.loose for m in marks])
    pairs = seg.context_crops(det, [m.loose for m in marks], [(m.y0, m.x0) for m in marks], [m.line for m in marks])
    assert pairs.shape == (len(marks), 2, 32, 32)
    np.testing.assert_array_equal(pairs[:, 0], plain)  # the crop is the crop reading always makes
    first, last = pairs[0], pairs[-1]
    ink_cols = lambda image: np.flatnonzero((image < 0.5).any(0))  # noqa: E731
    # the H sees the I close on its right; the T, a word gap away, sees nothing
    assert len(ink_cols(first[1])) and ink_cols(first[1]).min() > ink_cols(first[0]).max()
    assert (last[1] == 1.0).all()
    # and the reading is the one-image classifier's, segmentation and all
    both = _two_channel(score)
    assert read_detection(det, both, ReadOptions(word_rule=False, params=PARAMS)).text == "HI T"
    assert read_detection(det, both, ReadOptions(word_rule=False, params=PARAMS, segment=False)).text == "HI T"


def test_a_piece_cut_off_a_mark_sees_the_rest_of_the_mark(score):
    det = detect(word_page("MI", touching=(0,)))
    prop = seg.propose(det, _two_channel(score), replace(PARAMS, settle_p=2.0))
    pieces = [k for k, c in enumerate(prop.candidates) if not c.whole]
    assert pieces and prop.images.shape[1:] == (2, 32, 32)
    # a piece of the one mark: the rest of the mark is ink beside it, touching it
    assert all((prop.images[k, 1] < 0.5).any() for k in pieces)


def test_crops_are_classified_as_rows_of_their_images_averaged_over_shifts(score):
    calls = []

    def spy(rows):
        calls.append(rows.shape)
        return score(rows[:, :1024])

    images = np.stack([seg.crops([glyph(c) > 0.5 for c in "HI"])] * 2, axis=1)  # two images per crop
    spy.channels = 2
    plain = seg.classify_crops(images, spy)
    shifted = seg.classify_crops(images, spy, ((None, 0, 0), (None, 1, 0)))
    assert calls == [(2, 2048), (4, 2048)] and plain.shape == shifted.shape and len(plain) == 2
    moved = seg.classify_crops(np.roll(images, 1, axis=-2), spy)
    assert np.allclose(shifted, (plain + moved) / 2)
    assert np.array_equal(seg.image_rows(images)[:, :1024], seg.image_rows(images[:, 0]))
    assert seg.classify_crops(images[:0], spy).shape == (0, plain.shape[1])  # an empty page
