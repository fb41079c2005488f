"""find_letters on generated pages with known boxes, every input layout, and empty pages."""

from __future__ import annotations

import numpy as np
import pytest

from lib.data import DataError
from lib.metrics import box_iou as iou
from lib.ocr import detect, find_letters
from tests.ocr.drawn import draw_page, rotate_page

TEXT = "OIL IO\nOO LIL\nI"


def _matched(found, expected, threshold=0.5):
    """Number of expected boxes matched one-to-one by a found box with IoU >= threshold."""
    if len(found) == 0 or len(expected) == 0:
        return 0
    m = iou(found, expected)
    used, k = set(), 0
    for i in np.argsort(-m.max(axis=1)):
        j = int(np.argmax(m[i]))
        if m[i, j] >= threshold and j not in used:
            used.add(j)
            k += 1
    return k


def test_drawn_page_every_box_found_tightly():
    image, expected = draw_page(TEXT)
    boxes, bw = find_letters(image)
    assert boxes.shape == expected.shape
    assert boxes.dtype.kind == "i"
    # reading order: boxes come back in the order they were drawn
    assert np.all(np.diag(iou(boxes, expected)) >= 0.9)


def test_boxes_are_y1_x1_y2_x2_inside_the_image():
    image, _ = draw_page(TEXT)
    boxes, _ = find_letters(image)
    y1, x1, y2, x2 = boxes.T
    assert np.all((0 <= y1) & (y1 < y2) & (y2 <= image.shape[0]))
    assert np.all((0 <= x1) & (x1 < x2) & (x2 <= image.shape[1]))


def test_bw_is_float_black_characters_on_white():
    image, expected = draw_page(TEXT)
    _, bw = find_letters(image)
    assert bw.shape == image.shape[:2]
    assert np.issubdtype(bw.dtype, np.floating)
    assert bw.min() == 0.0 and bw.max() == 1.0
    ink = bw < 0.5
    assert ink.mean() < 0.2  # mostly paper
    inside = np.zeros_like(ink)
    for y1, x1, y2, x2 in expected:
        inside[y1:y2, x1:x2] = True
    assert not (ink & ~inside).any()  # no ink outside the characters
    assert (ink == (image < 0.5)).mean() > 0.99


def test_a_detection_holds_only_work_scale_images_and_makes_bw_on_demand():
    from lib.ocr.detect import full_resolution_boxes

    image, _ = draw_page(TEXT, h=240)  # a large photo: read at a reduced work scale
    det = detect(image)
    assert det.factor > 1 and det.shape == image.shape[:2]
    arrays = {name: v for name, v in vars(det).items() if isinstance(v, np.ndarray) and name != "boxes"}
    assert arrays and all(v.shape == det.labels.shape for v in arrays.values())  # nothing full-size kept
    bw = det.bw
    assert bw.shape == image.shape[:2] and bw.dtype == np.float32
    assert np.array_equal(bw, find_letters(image)[1])
    f = det.factor
    assert np.array_equal(bw[::f, ::f][: det.ink.shape[0], : det.ink.shape[1]] == 0, det.ink)
    assert np.array_equal(full_resolution_boxes([[1, 2, 3, 4]], f, det.shape), [[f, 2 * f, 3 * f, 4 * f]])
    assert full_resolution_boxes([[0, 0, 10**6, 10**6]], f, det.shape)[0, 2:].tolist() == list(det.shape)


def test_lines_and_spaces_of_drawn_page():
    image, _ = draw_page(TEXT)
    det = detect(image)
    assert [len(line) for line in det.lines] == [5, 5, 1]
    assert det.spaces[0] == [False, False, False, True, False]
    assert det.spaces[1] == [False, False, True, False, False]


@pytest.mark.parametrize("angle", [-8.0, 6.0])
def test_rotated_page(angle):
    image, expected = rotate_page(TEXT, angle)
    det = detect(image)
    assert len(det.boxes) == len(expected)
    assert _matched(det.boxes, expected) == len(expected)
    assert [len(line) for line in det.lines] == [5, 5, 1]
    assert abs(np.rad2deg(det.angle) + angle) < 2.0  # it undoes the page's rotation
    assert np.all(np.diag(iou(det.boxes, expected)) >= 0.8)  # reading order kept


@pytest.mark.parametrize("make", [
    lambda: np.ones((300, 400, 3), np.float32),
    lambda: np.full((300, 400), 0.4, np.float32),
    lambda: np.zeros((300, 400, 3), np.uint8),
    lambda: np.clip(0.8 + 0.01 * np.random.default_rng(0).standard_normal((300, 400)), 0, 1),
    lambda: np.tile(np.linspace(0.3, 0.95, 400, dtype=np.float32), (300, 1)),  # a light gradient
])
def test_blank_pages_have_no_boxes(make):
    boxes, bw = find_letters(make())
    assert boxes.shape == (0, 4)
    assert bw.shape == (300, 400) and np.all(bw == 1.0)


def test_uneven_light_and_faint_marks():
    image, expected = draw_page(TEXT, shading=0.6)
    # faint marks (like erased whiteboard ink) in an empty corner: a tenth of the contrast
    faint, _ = draw_page("OO", h=40, ink=0.82, paper=0.9)
    image = image.copy()
    image[-faint.shape[0]:, -faint.shape[1]:] = np.minimum(image[-faint.shape[0]:, -faint.shape[1]:], faint)
    boxes, _ = find_letters(image)
    assert _matched(boxes, expected) == len(expected)
    assert len(boxes) == len(expected)


def test_specks_and_periods_are_not_boxed():
    image, expected = draw_page("OIL\nLIO")
    image = image.copy()
    rng = np.random.default_rng(1)
    for y, x in zip(rng.integers(0, image.shape[0] - 2, 30), rng.integers(0, image.shape[1] - 2, 30), strict=False):
        image[y: y + 2, x: x + 2] = 0.1  # 2x2 specks
    y2, x2 = expected[2, 2], expected[2, 3]
    image[y2 - 5: y2, x2 + 4: x2 + 9] = 0.1  # a period after the first line
    boxes, _ = find_letters(image)
    assert len(boxes) == len(expected)
    assert _matched(boxes, expected) == len(expected)


def test_broken_character_is_one_box():
    image, expected = draw_page("OIO")
    image = image.copy()
    y1, x1, y2, x2 = expected[1]
    image[y1 + (y2 - y1) // 2: y1 + (y2 - y1) // 2 + 3, x1:x2] = 0.9  # a gap across the I's stem
    boxes, _ = find_letters(image)
    assert len(boxes) == 3
    assert iou(boxes[1:2], expected[1:2])[0, 0] > 0.9


def test_touching_characters_are_split():
    image, expected = draw_page("IOI OI\nOIIO", letter_gap=0.4)
    image = image.copy()
    # join the first two characters of line 1 with a bar at mid-height (a cursive link)
    y1, _, y2, x_end = expected[0]
    x_start = expected[1][1]
    mid = (y1 + y2) // 2
    image[mid - 2: mid + 2, x_end - 1: x_start + 6] = 0.1
    boxes, _ = find_letters(image)
    assert len(boxes) == len(expected)
    assert _matched(boxes, expected, 0.5) >= len(expected) - 1


def _variants(gray):
    rgb = np.repeat(gray[..., None], 3, axis=2)
    rgba = np.concatenate([rgb, np.ones_like(gray)[..., None]], axis=2)
    to8 = lambda a: np.round(a * 255).astype(np.uint8)  # noqa: E731
    return {
        "float32 gray": gray.astype(np.float32),
        "float64 gray": gray.astype(np.float64),
        "float32 (H,W,1)": gray[..., None].astype(np.float32),
        "float32 RGB": rgb.astype(np.float32),
        "float64 RGB": rgb.astype(np.float64),
        "float32 RGBA": rgba.astype(np.float32),
        "uint8 gray": to8(gray),
        "uint8 RGB": to8(rgb),
        "uint8 RGBA": to8(rgba),
        "uint16 RGB": np.round(rgb * 65535).astype(np.uint16),
        "bool gray": gray > 0.5,
    }


@pytest.mark.parametrize("name", list(_variants(np.ones((2, 2)))))
def test_every_input_layout_gives_the_same_boxes(name):
    gray, expected = draw_page(TEXT)
    image = _variants(gray)[name]
    boxes, bw = find_letters(image)
    assert bw.shape == gray.shape and bw.dtype == np.float32
    assert len(boxes) == len(expected)
    assert np.all(np.diag(iou(boxes, expected)) >= 0.85)


def test_transparent_rgba_is_paper():
    gray, expected = draw_page(TEXT)
    rgba = np.zeros(gray.shape + (4,), np.float32)
    rgba[..., :3] = 0.0
    rgba[..., 3] = (gray < 0.5).astype(np.float32)  # ink opaque black, the rest transparent
    boxes, _ = find_letters(rgba)
    assert len(boxes) == len(expected)


@pytest.mark.parametrize("bad", [
    np.zeros((10,)),
    np.zeros((10, 10, 5)),
    np.full((20, 20, 3), 2.0),
    np.full((20, 20), np.nan),
    np.zeros((1, 20)),
])
def test_non_images_are_refused_with_a_clear_error(bad):
    with pytest.raises(DataError, match="find_letters"):
        find_letters(bad)


def test_scale_invariance():
    small, expected = draw_page(TEXT, h=30)
    big, expected_big = draw_page(TEXT, h=150)
    assert len(find_letters(small)[0]) == len(expected)
    boxes, _ = find_letters(big)  # 2.4x the work side: reduced by an integer factor
    assert len(boxes) == len(expected_big)
    assert np.all(np.diag(iou(boxes, expected_big)) >= 0.85)


def test_ruled_lines_are_not_characters():
    image, expected = draw_page("OIL IOL OI\nLIO OIL IO", h=40)
    image = image.copy()
    for y in sorted({int(b[2]) for b in expected}):  # a rule under each line, touching the letters
        image[y - 1: y + 2, :] = 0.1
    image[:, 12:15] = 0.1  # and a vertical margin line
    boxes, _ = find_letters(image)
    assert len(boxes) == len(expected)
    assert _matched(boxes, expected, 0.7) == len(expected)


def test_dashes_and_underlines_are_not_characters():
    image, expected = draw_page("OIL IOL\nLIO OIL")
    image = image.copy()
    y1, x1, y2, x2 = expected[2]
    image[(y1 + y2) // 2 - 2: (y1 + y2) // 2 + 2, x2 + 6: x2 + 20] = 0.1  # a dash after "OIL"
    first, last = expected[6], expected[8]  # underline the second line's first word
    image[first[2] + 5: first[2] + 8, first[1]: last[3]] = 0.1
    boxes, _ = find_letters(image)
    assert len(boxes) == len(expected)
    assert _matched(boxes, expected, 0.7) == len(expected)


def test_small_writing_on_a_large_photo_is_read_at_a_finer_scale():
    page, expected = draw_page("OIL IOL\nLIO OIL", h=24, pen=3)
    big = np.full((2400, 3200), 0.9, np.float32)  # the work scale would make letters 8 px tall
    y0, x0 = 700, 900
    big[y0: y0 + page.shape[0], x0: x0 + page.shape[1]] = page
    det = detect(big)
    assert det.factor < 3
    assert _matched(det.boxes, expected + np.array([y0, x0, y0, x0]), 0.6) == len(expected)
