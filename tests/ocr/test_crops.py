"""Crops that look like the NIST36 training samples."""

from __future__ import annotations

import numpy as np
import skimage.draw

from lib.data import to_image, to_row
from lib.ocr import detect
from lib.ocr.crops import EXTENT, STROKE, crop_rows, normalize_char, stroke_width, training_look, variant_rows
from tests.ocr.drawn import draw_page, glyph


def _ring(h, pen):
    return glyph("O", h, pen)


def test_normalized_character_matches_the_training_look():
    image = normalize_char(_ring(120, 3))  # a big, thin ring, as in a 12 MP photo
    assert image.shape == (32, 32) and image.dtype == np.float32
    assert image.min() >= 0 and image.max() <= 1
    assert image[0].min() > 0.9 and image[:, 0].min() > 0.9  # white margin
    look = training_look(to_row(image)[None])
    assert abs(look["extent"] - EXTENT) <= 1
    assert abs(look["stroke"] - STROKE) <= 1.5  # thin strokes are thickened


def test_thick_strokes_are_not_thinned_and_small_marks_grow():
    thick = normalize_char(_ring(40, 12))
    assert stroke_width(thick < 0.5) >= STROKE
    tiny = normalize_char(_ring(10, 2))
    rows = np.flatnonzero((tiny < 0.5).any(1))
    assert rows[-1] - rows[0] + 1 >= EXTENT - 1


def test_character_is_centred_and_aspect_kept():
    bar = np.zeros((60, 10), bool)
    bar[:, 3:7] = True
    image = normalize_char(bar)
    ink = image < 0.5
    rows, cols = np.flatnonzero(ink.any(1)), np.flatnonzero(ink.any(0))
    assert abs((rows[0] + rows[-1]) / 2 - 15.5) <= 1 and abs((cols[0] + cols[-1]) / 2 - 15.5) <= 1
    assert cols[-1] - cols[0] + 1 < 10  # a bar stays a bar


def test_empty_mask_is_blank():
    assert np.all(normalize_char(np.zeros((5, 5), bool)) == 1.0)


def test_rows_are_in_the_mat_convention():
    # an L: the upright image has its foot at the bottom left
    image, _ = draw_page("L", h=60)
    rows = crop_rows(detect(image))
    assert rows.shape == (1, 1024)
    upright = to_image(rows[0])
    assert upright[-8:, :16].mean() < upright[-8:, 16:].mean()  # the foot runs right
    assert upright[:16, :12].mean() < upright[:16, 18:].mean()  # the stem is on the left


def test_variants_cover_scale_and_shift():
    image, boxes = draw_page("OI")
    det = detect(image)
    stack = variant_rows(det)
    assert stack.shape[1:] == (2, 1024) and stack.shape[0] >= 5
    assert not np.allclose(stack[0], stack[-1])


def test_each_crop_is_its_own_component_only():
    # two characters whose boxes overlap: the second's stroke must not appear in the first crop
    page = np.full((80, 120), 0.9, np.float32)
    rr, cc = skimage.draw.rectangle((10, 10), (60, 16))
    page[rr, cc] = 0.1  # a bar
    rr, cc = skimage.draw.ellipse(40, 40, 24, 18)
    page[rr, cc] = 0.1
    rr, cc = skimage.draw.ellipse(40, 40, 19, 13)
    page[rr, cc] = 0.9
    det = detect(page)
    assert len(det.boxes) == 2
    first = to_image(crop_rows(det)[0])
    cols = np.flatnonzero((first < 0.5).any(0))
    assert cols[-1] - cols[0] + 1 <= 12
