"""The detector's library calls (block_reduce, grey_closing, median_abs_deviation,
connected_components) do what the hand-written code they replaced did.

Two guards: small references of the replaced code on synthetic arrays, with the edges where
the library's defaults differ (ragged block sizes, image borders, the MAD's scale, ties), and
the boxes found on the homework's four photos, which the replacement left bit-identical.
"""

from __future__ import annotations

import hashlib
import importlib

import numpy as np
import pytest
import scipy.ndimage as ndi

from lib import config
from lib.data import SAMPLE_IMAGES, load_sample_image

D = importlib.import_module("lib.ocr.detect")  # the module (lib.ocr.detect is also a function)
P = D.DetectParams()


def test_block_means_crop_the_ragged_edge():
    rng = np.random.default_rng(0)
    for shape in [(12, 18), (13, 17), (101, 7), (5, 5)]:
        gray = rng.random(shape, dtype=np.float32)
        for f in (1, 2, 3, 4):
            h, w = shape[0] // f, shape[1] // f
            expected = gray[: h * f, : w * f].reshape(h, f, w, f).mean(axis=(1, 3))
            got = D._reduce(gray, f)
            assert got.dtype == np.float32 and np.array_equal(got, expected), (shape, f)
    # zero padding would have darkened the last block: a white page stays white
    assert (D._reduce(np.ones((10, 11), np.float32), 3) == 1).all()


def test_paper_closing_is_a_maximum_then_minimum_filter_with_nearest_borders():
    rng = np.random.default_rng(1)
    page = 0.9 + 0.05 * rng.random((60, 80), dtype=np.float32)
    page[:8, :8] = 0.2     # dark ink at a corner and along an edge: the border mode matters there
    page[30:34, 70:] = 0.1
    for win in (3, 5, 11):
        closing = ndi.minimum_filter(ndi.maximum_filter(page, size=win, mode="nearest"), size=win, mode="nearest")
        assert np.array_equal(ndi.grey_closing(page, size=win, mode="nearest"), closing), win
    # and the darkness built on it: ink is dark, paper is not, a smooth shadow is not ink
    gray = np.linspace(0.5, 1.0, 400, dtype=np.float32)[None, :] * np.ones((300, 1), np.float32)
    gray[100:200, 200:203] *= 0.3  # a pen stroke, narrower than the closing's window
    dark = D.darkness(gray, P)
    assert dark[150, 201] > 0.6 and dark[:90].max() < 0.05 and dark.dtype == np.float32


def test_threshold_is_median_plus_k_normal_sigmas_from_the_mad():
    rng = np.random.default_rng(2)
    for n in (1001, 1000, 64 * 48):  # odd and even counts: the median of an even count averages
        dark = np.abs(rng.normal(0.02, 0.01, n)).astype(np.float32).reshape(-1, 1)
        dark[:20] = 0.8  # ink must not move a robust estimate
        med = float(np.median(dark))
        sigma = 1.4826 * float(np.median(np.abs(dark - med)))
        unclamped = D.DetectParams(min_contrast=0.0)
        assert D._threshold(dark, unclamped) == med + P.noise_k * sigma < 0.1
        assert D._threshold(dark, P) == P.min_contrast
    assert D._threshold(np.zeros((4, 4), np.float32), P) == P.min_contrast


def _union_find_groups(boxes: np.ndarray, h: float, p: D.DetectParams) -> np.ndarray:
    """The replaced reference: every pair tested, joined by a plain union-find."""
    parent = list(range(len(boxes)))

    def find(i):
        while parent[i] != i:
            i = parent[i]
        return i

    for a in range(len(boxes)):
        for b in range(a + 1, len(boxes)):
            (ya1, xa1, ya2, xa2), (yb1, xb1, yb2, xb2) = boxes[a], boxes[b]
            overlap = min(xa2, xb2) - max(xa1, xb1)
            if overlap < 0.5 * min(max(xa2 - xa1, 1), max(xb2 - xb1, 1)):
                continue
            gap = max(ya1, yb1) - min(ya2, yb2)
            if (gap <= p.merge_gap * h and max(ya2, yb2) - min(ya1, yb1) <= 1.3 * h
                    and max(xa2, xb2) - min(xa1, xb1) <= 1.5 * h):
                parent[find(a)] = find(b)
    return np.array([find(i) for i in range(len(boxes))])


def _same_partition(a: np.ndarray, b: np.ndarray) -> bool:
    return np.array_equal(a[:, None] == a[None, :], b[:, None] == b[None, :])


def test_pieces_are_grouped_as_the_union_find_grouped_them():
    rng = np.random.default_rng(3)
    for trial in range(60):
        n = int(rng.integers(0, 40))
        y1, x1 = rng.integers(0, 60, n), rng.integers(0, 60 if trial % 2 else 8, n)  # many ties in x
        boxes = np.stack([y1, x1, y1 + rng.integers(1, 25, n), x1 + rng.integers(1, 25, n)], axis=1)
        got = D._merge_pieces(boxes, 20.0, P)
        assert _same_partition(got, _union_find_groups(boxes, 20.0, P)), trial


def test_a_dotted_stroke_and_a_detached_bar_are_one_character():
    boxes = np.array([[0, 0, 8, 6], [10, 0, 20, 6], [2, 30, 20, 36], [0, 60, 20, 66]])
    assert _same_partition(D._merge_pieces(boxes, 20.0, P), np.array([0, 0, 1, 2]))


# ----------------------------------------------------------------------------- the four photos
#: Boxes on each sample photo, read at full resolution and at half (the quick profile), when the
#: library calls replaced the hand-written code; the old and the new detector found these
#: same boxes, bit for bit. A deliberate change of the detector updates this table.
PHOTO_BOXES = {
    ("01_list", 1): (115, "434db7b4a05c"), ("01_list", 2): (115, "16d6189b9cc9"),
    ("02_letters", 1): (36, "a79a2e0eec89"), ("02_letters", 2): (36, "e0c5828ce302"),
    ("03_haiku", 1): (54, "2865ea877c25"), ("03_haiku", 2): (54, "3de674796137"),
    ("04_deep", 1): (41, "f26adf973d52"), ("04_deep", 2): (41, "6050a67fd1a1"),
}


def _photos_available() -> bool:
    return all((config.data_dir() / "images" / f"{n}.jpg").is_file() for n in SAMPLE_IMAGES)


@pytest.mark.skipif(not _photos_available(), reason="the sample photos are not in HW5_DATA/images")
@pytest.mark.parametrize("name", SAMPLE_IMAGES)
def test_the_sample_photos_give_the_same_boxes(name):
    image = load_sample_image(name)
    for step in (1, 2):
        boxes = D.detect(np.ascontiguousarray(image[::step, ::step])).boxes
        digest = hashlib.sha256(np.ascontiguousarray(boxes).tobytes()).hexdigest()[:12]
        assert (len(boxes), digest) == PHOTO_BOXES[name, step], (name, step)
