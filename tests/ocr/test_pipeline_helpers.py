"""Helpers of chapter 4's pipeline: box matching, text alignment, scoring of the true texts."""

from __future__ import annotations

import numpy as np

from lib.metrics import edit_distance
from lib.pipelines.ocr import TRUTH, alignment, iou, match_boxes, truth_text


def test_iou_and_one_to_one_matching():
    a = np.array([[0, 0, 10, 10], [0, 20, 10, 30]])
    assert np.allclose(iou(a, a), np.eye(2))
    shifted = a + np.array([0, 2, 0, 2])
    assert np.allclose(np.diag(iou(a, shifted)), 80 / 120)
    assert match_boxes(shifted, a) == 2
    # two found boxes on one true box: only one counts
    assert match_boxes(np.array([[0, 0, 10, 10], [0, 1, 10, 10]]), a[:1]) == 1
    assert match_boxes(np.zeros((0, 4)), a) == 0


def test_alignment_is_an_optimal_edit_script():
    for pred, truth in [("T0 D0", "TO DO"), ("HELO", "HELLO"), ("ABCD", "ABC"), ("", "AB"), ("XY", "")]:
        pairs = alignment(pred, truth)
        assert "".join(t for t, _ in pairs) == truth
        assert "".join(p for _, p in pairs) == pred
        assert sum(t != p for t, p in pairs) == edit_distance(pred, truth)


def test_truth_texts_are_scorable():
    for name in TRUTH:
        text = truth_text(name)
        assert text == text.upper() and "/" not in text and "." not in text
    assert truth_text("04_deep") == "DEEP LEARNING\nDEEPER LEARNING\nDEEPEST LEARNING"
