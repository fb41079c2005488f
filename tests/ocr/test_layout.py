"""Lines, reading order, spaces and touching-character splits from boxes."""

from __future__ import annotations

import numpy as np

from lib.ocr.layout import arrange, group_lines, space_threshold, split_touching, text_angle, text_from


def _row(y, xs, h=20, w=14):
    return [[y, x, y + h, x + w] for x in xs]


def test_lines_top_to_bottom_left_to_right_from_shuffled_boxes():
    boxes = np.array(_row(100, [10, 30, 50]) + _row(10, [10, 30]) + _row(200, [40, 10]))
    rng = np.random.default_rng(0)
    order = rng.permutation(len(boxes))
    lines, _ = group_lines(boxes[order], h=20)
    got = [[tuple(boxes[order][i][:2]) for i in line] for line in lines]
    assert got == [[(10, 10), (10, 30)], [(100, 10), (100, 30), (100, 50)], [(200, 10), (200, 40)]]


def test_tilted_lines_are_not_mixed():
    # two lines rising 0.25 px per px (14 degrees): a line's right end is higher than the
    # next line's start would be without the angle
    xs = np.arange(0, 400, 25)
    boxes = np.array([[int(60 - 0.25 * x), x, int(60 - 0.25 * x) + 20, x + 14] for x in xs]
                     + [[int(130 - 0.25 * x), x, int(130 - 0.25 * x) + 20, x + 14] for x in xs])
    lines, angle = group_lines(boxes, h=20)
    assert [len(line) for line in lines] == [len(xs), len(xs)]
    # rising to the right (y falls as x grows) is a negative angle in image coordinates
    assert abs(np.rad2deg(angle) + np.rad2deg(np.arctan(0.25))) < 1.5


def test_text_angle_of_level_text_is_zero():
    centers = np.array([[10 + (k % 3) * 0.5, 20 * k] for k in range(12)], float)
    assert text_angle(centers, 10) == 0.0


def test_space_threshold_two_groups_and_none():
    letter = [0.2, 0.3, 0.25, 0.35, 0.3, 0.2, 0.28]
    word = [1.4, 1.2]
    t = space_threshold(np.array(letter + word))
    assert max(letter) < t < min(word)
    # evenly spaced letters (no words): nothing is a space
    even = np.array([0.8, 1.0, 0.9, 1.2, 0.7, 1.1, 0.95])
    assert space_threshold(even) > even.max()
    assert space_threshold(np.array([])) == np.inf


def test_a_condensed_font_keeps_word_gaps_under_twice_its_letter_gaps():
    # a condensed font on a validation page, in character widths: its letters stand 0.7-0.9
    # apart and its words 1.4-1.5, under twice as far
    letter = [0.7, 0.8, 0.75, 0.9, 0.8, 0.85, 0.7, 0.8]
    word = [1.45, 1.5, 1.4]
    gaps = np.array(letter + word)
    assert max(letter) < space_threshold(gaps, min_gap=0.3) < min(word)
    assert space_threshold(gaps, min_gap=0.3, ratio=2.0) > gaps.max()   # the old rule lost them


def test_a_tightly_spaced_writer_keeps_word_gaps_above_the_minimum_excess():
    # a page of scanned handwriting, in character widths: letter gaps about 0.25, word gaps
    # about 0.72, two clear groups 0.47 apart
    letter = [0.18, 0.19, 0.2, 0.21, 0.21, 0.22, 0.22, 0.22, 0.23, 0.23, 0.23, 0.24, 0.24, 0.24,
              0.25, 0.26, 0.27, 0.28, 0.28, 0.28, 0.29, 0.29, 0.3, 0.3, 0.3, 0.3, 0.3, 0.32]
    word = [0.66, 0.69, 0.7, 0.72, 0.74, 0.74, 0.75, 0.87]
    gaps = np.array(letter + word)
    assert space_threshold(gaps, min_gap=0.5) > gaps.max()                 # every space lost
    assert max(letter) < space_threshold(gaps, min_gap=0.3) < min(word)    # the two groups split
    assert space_threshold(np.array(letter), min_gap=0.3) > max(letter)    # one group stays one


def test_split_touching_cuts_at_the_thinnest_column():
    labels = np.zeros((40, 200), np.int32)
    boxes = []
    for k, x in enumerate([10, 40, 70]):  # three normal characters, 0.8 h wide
        labels[10:30, x:x + 16] = k + 1
        boxes.append([10, x, 30, x + 16])
    # a fourth component: two characters joined by a thin bridge at columns 116..119
    labels[10:30, 100:116] = 4
    labels[19:21, 116:120] = 4
    labels[10:30, 120:136] = 4
    boxes.append([10, 100, 30, 136])
    new_boxes, new_labels, lines, _ = split_touching(np.array(boxes), labels, [[0, 1, 2, 3]])
    assert len(new_boxes) == 5 and lines == [[0, 1, 2, 3, 4]]
    assert 116 <= new_boxes[3][3] <= 120 and 116 <= new_boxes[4][1] <= 120
    assert (new_labels == 4).sum() + (new_labels == 5).sum() == (labels == 4).sum()


def test_wide_single_letter_is_not_split():
    labels = np.zeros((40, 200), np.int32)
    boxes = []
    for k, (x, w) in enumerate([(10, 14), (40, 26), (80, 14)]):  # a wide 'M' (1.3 h) in the middle
        labels[10:30, x:x + w] = k + 1
        boxes.append([10, x, 30, x + w])
    new_boxes, _, _, _ = split_touching(np.array(boxes), labels, [[0, 1, 2]])
    assert len(new_boxes) == 3


def test_arrange_and_text_from():
    boxes = np.array(_row(10, [10, 30, 50, 110, 130]) + _row(60, [10, 30]))
    labels = np.zeros((100, 200), np.int32)
    for i, (y1, x1, y2, x2) in enumerate(boxes):
        labels[y1:y2, x1:x2] = i + 1
    lay = arrange(boxes, labels, 20.0)
    text = text_from(list("ABCDEFG"), lay.lines, lay.spaces)
    assert text == "ABC DE\nFG"
    for i, (y1, x1, y2, x2) in enumerate(lay.boxes):
        assert np.all(lay.labels[y1:y2, x1:x2] == i + 1)


def test_arrange_nothing():
    lay = arrange(np.zeros((0, 4), int), np.zeros((5, 5), np.int32), 0.0)
    assert lay.lines == [] and text_from([], lay.lines, lay.spaces) == ""
