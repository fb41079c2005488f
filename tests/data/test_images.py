"""Photos arrive as grayscale, RGB or RGBA, 8 or 16 bit or float: one float RGB comes out."""

from __future__ import annotations

import numpy as np
import pytest
import skimage.io

from lib.data import SAMPLE_IMAGES, DataError, as_float_rgb, load_image, load_sample_image
from tests.conftest import requires_data


def test_uint8_rgb():
    out = as_float_rgb(np.full((4, 5, 3), 255, np.uint8))
    assert out.shape == (4, 5, 3) and out.dtype == np.float32 and out.max() == 1.0


def test_grayscale_becomes_rgb():
    out = as_float_rgb(np.full((4, 5), 128, np.uint8))
    assert out.shape == (4, 5, 3)
    assert np.allclose(out, 128 / 255)


def test_sixteen_bit_is_scaled_by_its_own_maximum():
    out = as_float_rgb(np.full((4, 5, 3), 65535, np.uint16))
    assert np.allclose(out, 1.0)
    out = as_float_rgb(np.full((4, 5, 3), 32768, np.uint16))
    assert np.allclose(out, 32768 / 65535)


def test_rgba_is_composited_on_white():
    rgba = np.zeros((4, 5, 4), np.uint8)  # black, fully transparent
    assert np.allclose(as_float_rgb(rgba), 1.0)
    rgba[..., 3] = 255  # black, opaque
    assert np.allclose(as_float_rgb(rgba), 0.0)


def test_float_outside_unit_range_is_an_error():
    with pytest.raises(DataError, match=r"expected \[0, 1\]"):
        as_float_rgb(np.full((4, 5, 3), 200.0))


def test_not_an_image_shape():
    with pytest.raises(DataError, match="is not an image"):
        as_float_rgb(np.zeros((4, 5, 7)))


def test_non_image_file(tmp_path):
    path = tmp_path / "notes.jpg"
    path.write_text("hello")
    with pytest.raises(DataError, match=r"notes\.jpg is not a readable image"):
        load_image(path)


def test_png_files_of_each_kind_round_trip(tmp_path):
    for name, array in {
        "gray": np.full((6, 7), 100, np.uint8),
        "rgba": np.dstack([np.full((6, 7, 3), 50, np.uint8), np.full((6, 7), 255, np.uint8)]),
        "deep": np.full((6, 7), 1000, np.uint16),  # 16-bit grayscale PNG
    }.items():
        path = tmp_path / f"{name}.png"
        skimage.io.imsave(path, array, check_contrast=False)
        out = load_image(path)
        assert out.shape == (6, 7, 3) and out.dtype == np.float32 and 0 <= out.min() <= out.max() <= 1


def test_missing_sample_photo_names_the_path(data_dir):
    with pytest.raises(DataError, match=r"images/01_list\.jpg not found"):
        load_sample_image("01_list")


def test_unknown_sample_photo():
    with pytest.raises(ValueError, match="not one of the sample photos"):
        load_sample_image("05_other")


@requires_data
def test_the_four_photos_load():
    for name in SAMPLE_IMAGES:
        image = load_sample_image(name)
        assert image.ndim == 3 and image.shape[2] == 3 and image.dtype == np.float32
