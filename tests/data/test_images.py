"""Photos arrive as grayscale, RGB or RGBA, 8 or 16 bit or float: one float RGB comes out."""

from __future__ import annotations

import numpy as np
import pytest
import skimage.io
from PIL import Image, ImageOps

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


def test_signed_integers_are_scaled_by_their_maximum_and_negative_ones_refused():
    out = as_float_rgb(np.full((4, 5, 3), 16384, np.int16))
    assert out.dtype == np.float32 and np.allclose(out, 16384 / 32767)
    with pytest.raises(DataError, match="negative pixel values in a int16 image"):
        as_float_rgb(np.full((4, 5, 3), -1, np.int16))


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


def test_non_image_file_is_named_plainly(tmp_path):
    path = tmp_path / "notes.jpg"
    path.write_text("hello")
    with pytest.raises(DataError, match=r"notes\.jpg is not an image") as err:
        load_image(path)
    assert "pip" not in str(err.value)


def test_empty_file(tmp_path):
    path = tmp_path / "empty.jpg"
    path.write_bytes(b"")
    with pytest.raises(DataError, match=r"empty\.jpg is empty \(0 bytes\)") as err:
        load_image(path)
    assert "pip" not in str(err.value)


def test_directory_is_not_reported_as_missing(tmp_path):
    folder = tmp_path / "photos.jpg"
    folder.mkdir()
    with pytest.raises(DataError, match=r"photos\.jpg is a directory"):
        load_image(folder)


def test_damaged_jpeg_names_the_format_without_install_advice(tmp_path):
    path = tmp_path / "cut.jpg"
    Image.fromarray(np.full((64, 80, 3), 200, np.uint8)).save(path, quality=90)
    path.write_bytes(path.read_bytes()[:40])
    with pytest.raises(DataError, match=r"cut\.jpg is not a readable image: a damaged JPEG file") as err:
        load_image(path)
    assert "pip" not in str(err.value) and "\n" not in str(err.value)


@pytest.mark.parametrize("shape, problem", [((3, 3000), "a thin strip"), ((3000, 3), "a thin strip"),
                                            ((40, 4500), "a thin strip"), ((20, 20), "too small"),
                                            ((31, 500), "too small")])
def test_too_small_or_too_thin_to_hold_text(tmp_path, shape, problem):
    path = tmp_path / "strip.png"
    skimage.io.imsave(path, np.full(shape, 255, np.uint8), check_contrast=False)
    with pytest.raises(DataError, match=rf"strip\.png: {shape[1]}x{shape[0]} pixels \(width x height\) is {problem}") as err:
        load_image(path)
    assert "to hold text" in str(err.value)


def test_text_line_shapes_are_accepted(tmp_path):
    for shape in ((32, 32), (40, 2000), (2000, 40)):
        path = tmp_path / "ok.png"
        skimage.io.imsave(path, np.full(shape, 255, np.uint8), check_contrast=False)
        assert load_image(path).shape == (*shape, 3)


def _asymmetric() -> np.ndarray:
    """An image whose every orientation differs: dark block top-left, grey bar at the bottom."""
    img = np.full((48, 80, 3), 255, np.uint8)
    img[4:16, 6:20] = 0
    img[40:46, :] = 128
    return img


@pytest.mark.parametrize("suffix", ["jpg", "png"])
@pytest.mark.parametrize("orientation", range(1, 9))
def test_exif_orientation_is_applied_as_pillow_does(tmp_path, suffix, orientation):
    path = tmp_path / f"phone.{suffix}"
    exif = Image.Exif()
    exif[0x0112] = orientation
    Image.fromarray(_asymmetric()).save(path, exif=exif.tobytes(), **({"quality": 95} if suffix == "jpg" else {}))
    expected = np.asarray(ImageOps.exif_transpose(Image.open(path)).convert("RGB"), np.float32) / 255
    out = load_image(path)
    assert out.shape == expected.shape
    assert np.abs(out - expected).max() < 1e-6  # same pixels, turned the same way


def test_sideways_phone_photo_is_read_upright(tmp_path):
    """Orientation 6: the sensor's pixels are stored turned left; the reader turns them right."""
    path = tmp_path / "sideways.jpg"
    upright = _asymmetric()
    stored = np.rot90(upright, 1)  # what the phone stores
    exif = Image.Exif()
    exif[0x0112] = 6
    Image.fromarray(np.ascontiguousarray(stored)).save(path, exif=exif.tobytes(), quality=95)
    out = load_image(path)
    assert out.shape == (48, 80, 3)
    assert out[4:16, 6:20].mean() < 0.1 and out[40:46].mean() == pytest.approx(128 / 255, abs=0.05)


def test_cmyk_jpeg_is_converted_not_taken_as_transparency(tmp_path):
    cmyk = np.zeros((48, 80, 4), np.uint8)
    cmyk[10:30, 5:40, 3] = 255  # black ink (K) on white paper
    cmyk[35:45, 50:70, 0] = 255  # cyan ink
    path = tmp_path / "print.jpg"
    Image.fromarray(cmyk, mode="CMYK").save(path, quality=95)
    out = load_image(path)
    assert out.shape == (48, 80, 3)
    assert out[0:8].min() > 0.9  # paper stays white
    assert out[12:28, 8:36].max() < 0.1  # black ink is black, not transparent
    cyan = out[37:43, 53:67].mean(axis=(0, 1))
    assert cyan[0] < 0.2 and cyan[1] > 0.8 and cyan[2] > 0.8
    reference = np.asarray(Image.open(path).convert("RGB"), np.float32) / 255
    assert np.abs(out - reference).max() < 0.02  # Pillow's own conversion agrees


def test_cmyk_jpeg_converted_from_rgb_keeps_its_ink(tmp_path):
    """Pillow's RGB -> CMYK puts dark ink into C, M and Y with K = 0: read as RGBA, the whole page
    would be transparent, that is blank."""
    rgb = np.full((48, 80, 3), 255, np.uint8)
    rgb[10:30, 5:40] = 0
    path = tmp_path / "converted.jpg"
    Image.fromarray(rgb).convert("CMYK").save(path, quality=95)
    out = load_image(path)
    assert out[12:28, 8:36].max() < 0.1 and out[35:].min() > 0.9


def test_png_files_of_each_kind_round_trip(tmp_path):
    for name, array in {
        "gray": np.full((36, 37), 100, np.uint8),
        "rgba": np.dstack([np.full((36, 37, 3), 50, np.uint8), np.full((36, 37), 255, np.uint8)]),
        "deep": np.full((36, 37), 1000, np.uint16),  # 16-bit grayscale PNG
    }.items():
        path = tmp_path / f"{name}.png"
        skimage.io.imsave(path, array, check_contrast=False)
        out = load_image(path)
        assert out.shape == (36, 37, 3) and out.dtype == np.float32 and 0 <= out.min() <= out.max() <= 1


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
