"""Pretrained weights: ImageNet SqueezeNet 1.1 from the data directory.

The file is fetched, with its published SHA-256 checked, by ``make data`` (``lib.data.fetch``);
loading never downloads, so the weights used are always the file the book's Data appendix lists.
"""

from __future__ import annotations

from pathlib import Path

from lib import config


def squeezenet_weights_path() -> Path:
    return config.data_dir() / "weights" / "squeezenet1_1.pth"


def load_squeezenet_state_dict():
    """ImageNet SqueezeNet 1.1 ``state_dict`` and where it came from, or ``(None, reason)``.

    Reads ``$HW5_DATA/weights/squeezenet1_1.pth`` with ``weights_only=True`` and checks that it
    fits ``torchvision.models.squeezenet1_1``; a missing or unusable file gives the reason instead
    of weights, so callers can say so (the data file itself is never changed).
    """
    import torch
    import torchvision

    path = squeezenet_weights_path()
    if not path.is_file():
        return None, f"no weights at {path} (run `make data` to fetch torchvision's squeezenet1_1-b8a52dc0.pth)"
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
        torchvision.models.squeezenet1_1(weights=None).load_state_dict(state)
    except Exception as exc:  # truncated, garbage, or not SqueezeNet 1.1's state_dict
        reason = " ".join(f"{type(exc).__name__}: {exc}".split())[:200]
        return None, f"{path} is not a usable SqueezeNet 1.1 state_dict ({reason}); replace it (`make data`)"
    return state, f"{path}"
