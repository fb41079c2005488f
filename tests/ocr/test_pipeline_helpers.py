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


def _benchmark():
    import pandas as pd

    from lib.pipelines import ocr, ocr_unseen

    rows = []
    for label, _, _ in ocr.UNSEEN_COLUMNS[:2]:
        for source, errors in (("fonts-paper", 1), ("touching", 5), (ocr_unseen.PHOTOS, 0)):
            rows.append({"model": label, "source": source, "page": f"{source}-000", "errors": errors,
                         "characters": 50, "seconds": 1.0, "pixels": 10, "family": "F"})
    pages = pd.DataFrame(rows)
    columns = tuple(c[0] for c in ocr.UNSEEN_COLUMNS[:2])
    raw = ocr_unseen.UnseenResults("benchmark", "full", 1, pages, columns,
                                   ("fonts-paper", "touching", ocr_unseen.PHOTOS))
    return ocr.UnseenBenchmark(raw, raw, columns, {}, {})


def test_unseen_benchmark_counts_and_columns():
    from lib.pipelines import ocr_unseen

    u = _benchmark()
    assert u.column("mlp", "first") == u.columns[0] and u.column("reader", "now") is None
    counts = u.counts()
    assert list(counts.index) == list(u.cer().index)
    assert counts.loc[ocr_unseen.POOLED, "characters"] == 100 and counts.loc[ocr_unseen.PHOTOS, "pages"] == 1
    assert u.cer().loc[ocr_unseen.WORST, u.columns[0]] == 0.1
