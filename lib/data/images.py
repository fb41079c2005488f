"""The homework's sample photos, and the conversion every photo goes through.

``as_float_rgb`` is the one place that accepts the many shapes a photo arrives in
(grayscale, RGB, RGBA; uint8, uint16, float) and returns float RGB in [0, 1].
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from lib import config
from lib.data.errors import HOW_TO_GET, DataError

SAMPLE_IMAGES = ("01_list", "02_letters", "03_haiku", "04_deep")


def sample_image_path(name: str) -> Path:
    stem = Path(name).stem
    if stem not in SAMPLE_IMAGES:
        raise ValueError(f"{name!r} is not one of the sample photos {SAMPLE_IMAGES}")
    return config.data_dir() / "images" / f"{stem}.jpg"


def load_sample_image(name: str) -> np.ndarray:
    """One of the four sample photos (``"01_list"`` ... ``"04_deep"``) as float RGB in [0, 1]."""
    path = sample_image_path(name)
    if not path.is_file():
        raise DataError(f"{path} not found (the homework's sample photo {Path(name).stem}.jpg). {HOW_TO_GET}")
    return load_image(path)


def load_image(path: str | Path) -> np.ndarray:
    """Read any photo file as float RGB (H, W, 3) in [0, 1]; a clear error if it is not one."""
    import skimage.io

    path = Path(path)
    if not path.is_file():
        raise DataError(f"{path} not found; expected an image file (JPEG or PNG).")
    try:
        image = skimage.io.imread(path)
    except Exception as exc:  # imageio raises many types for a non-image
        raise DataError(f"{path} is not a readable image ({type(exc).__name__}: {exc}).") from exc
    return as_float_rgb(image, source=str(path))


def as_float_rgb(image: np.ndarray, source: str = "image") -> np.ndarray:
    """Convert grayscale / RGB / RGBA, uint8 / uint16 / float to float32 RGB in [0, 1].

    RGBA is composited onto white (transparent paper is paper). Floats must already lie in
    [0, 1]; integers are scaled by their type's maximum.
    """
    image = np.asarray(image)
    if image.ndim == 3 and image.shape[2] == 1:
        image = image[..., 0]
    if image.ndim not in (2, 3) or (image.ndim == 3 and image.shape[2] not in (3, 4)):
        raise DataError(
            f"{source}: shape {image.shape} is not an image; expected (H, W), (H, W, 3) or (H, W, 4)."
        )
    if min(image.shape[:2]) < 2:
        raise DataError(f"{source}: shape {image.shape} is too small to be an image.")
    if image.dtype == np.bool_:
        scaled = image.astype(np.float32)
    elif np.issubdtype(image.dtype, np.integer):
        if image.min() < 0:
            raise DataError(f"{source}: negative pixel values in a {image.dtype} image.")
        scaled = image.astype(np.float32) / np.float32(np.iinfo(image.dtype).max)
    elif np.issubdtype(image.dtype, np.floating):
        if not np.isfinite(image).all():
            raise DataError(f"{source}: the image has NaN or infinite values.")
        if image.min() < -1e-6 or image.max() > 1 + 1e-6:
            raise DataError(
                f"{source}: float pixel values span [{image.min():.3g}, {image.max():.3g}]; "
                "expected [0, 1] (convert integer images with their own dtype instead)."
            )
        scaled = np.clip(image, 0, 1).astype(np.float32)
    else:
        raise DataError(f"{source}: pixel type {image.dtype} is not an image type.")
    if scaled.ndim == 2:
        return np.repeat(scaled[..., None], 3, axis=2)
    if scaled.shape[2] == 4:
        alpha = scaled[..., 3:4]
        return scaled[..., :3] * alpha + (1.0 - alpha)
    return scaled
