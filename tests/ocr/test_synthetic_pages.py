"""find_letters and the layout on generated handwriting pages (lib.data.synthetic.pages)."""

from __future__ import annotations

import numpy as np
import pytest

from lib.ocr import detect
from lib.ocr.layout import text_from
from tests.ocr.test_detect import _matched

pages = pytest.importorskip("lib.data.synthetic.pages")


def _shape(text: str) -> str:
    """A text with every character replaced by '#': the layout find_letters should find."""
    return "\n".join(" ".join("#" * len(w) for w in line.split()) for line in text.split("\n"))


def _check(seed: int):
    image, text, expected = pages.make_page(pages.random_text(seed), seed)
    det = detect(image)
    layout = text_from(["#"] * len(det.boxes), det.lines, det.spaces)
    return _matched(det.boxes, expected), len(expected), len(det.boxes), layout == _shape(text)


def test_one_generated_page():
    found, expected, n, layout_ok = _check(500)
    assert found == expected == n
    assert layout_ok


@pytest.mark.slow
def test_ten_generated_pages():
    results = [_check(600 + s) for s in range(10)]
    found, expected, n = (sum(r[i] for r in results) for i in range(3))
    assert found >= 0.97 * expected  # recall at IoU >= 0.5
    assert found >= 0.97 * n         # precision
    assert np.mean([r[3] for r in results]) >= 0.8
