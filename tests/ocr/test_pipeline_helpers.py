"""Helpers of chapter 4's pipeline: the photos' fingerprints, scoring of the true texts."""

from __future__ import annotations

from lib.data import SAMPLE_IMAGES
from lib.pipelines.ocr import TRUTH, _photo_digests, truth_text


def test_photo_digests_follow_the_photos_contents(data_dir):
    (data_dir / "images").mkdir()
    for name in SAMPLE_IMAGES:
        (data_dir / "images" / f"{name}.jpg").write_bytes(name.encode())
    digests = _photo_digests()
    assert len(set(digests)) == len(SAMPLE_IMAGES)
    (data_dir / "images" / f"{SAMPLE_IMAGES[0]}.jpg").write_bytes(b"another photo, as long")
    assert _photo_digests()[0] != digests[0] and _photo_digests()[1:] == digests[1:]


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
