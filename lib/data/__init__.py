"""Data: NIST36, the sample photos, MNIST/EMNIST/Flowers-17 and pretrained weights.

The data directory is ``$HW5_DATA`` if set, else ``./data`` (see ``lib.config.data_dir``);
nothing here writes into it. Torch-based factories live in ``lib.data.torch_datasets`` and
are imported only when asked for, so the numpy chapters never import torch.
"""

from __future__ import annotations

from lib.data.errors import DataError
from lib.data.images import SAMPLE_IMAGES, as_float_rgb, load_image, load_sample_image
from lib.data.nist36 import CLASSES, load_nist36, nist36_fingerprint, to_image, to_row
from lib.data.provenance import describe, nist36_source, provenance_text, source

__all__ = [
    "CLASSES",
    "DataError",
    "SAMPLE_IMAGES",
    "as_float_rgb",
    "describe",
    "load_image",
    "load_nist36",
    "load_sample_image",
    "load_squeezenet_state_dict",
    "nist36_fingerprint",
    "nist36_source",
    "provenance_text",
    "source",
    "squeezenet_weights_path",
    "synthetic_fallback",
    "to_image",
    "to_row",
]


_LAZY = {
    "load_squeezenet_state_dict": "lib.data.weights",
    "squeezenet_weights_path": "lib.data.weights",
}


def __getattr__(name: str):
    """Torch-based factories and the weight resolver load on first use (Q7 only)."""
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'lib.data' has no attribute {name!r}")


def synthetic_fallback():
    """The generator used when no NIST36 files exist (imported on first use).

    Returns a callable ``split -> (X, y, classes)`` with ``.fingerprint`` and
    ``.description`` attributes (see ``lib.data.synthetic``).
    """
    from lib.data.synthetic import nist36_fallback

    return nist36_fallback()
