"""Pretrained weights: the data directory first, then torchvision's own download."""

from __future__ import annotations

from pathlib import Path

from lib import config


def squeezenet_weights_path() -> Path:
    return config.data_dir() / "weights" / "squeezenet1_1.pth"


def load_squeezenet_state_dict():
    """ImageNet SqueezeNet 1.1 ``state_dict`` and where it came from, or ``(None, reason)``.

    Looks in ``$HW5_DATA/weights/squeezenet1_1.pth`` first (loaded with
    ``weights_only=True``), then asks torchvision to download its own checkpoint; offline that
    fails and the reason is returned instead of weights, so callers can say so.
    """
    import torch

    path = squeezenet_weights_path()
    if path.is_file():
        return torch.load(path, map_location="cpu", weights_only=True), f"{path}"
    try:
        from torchvision.models import SqueezeNet1_1_Weights

        weights = SqueezeNet1_1_Weights.IMAGENET1K_V1
        state = weights.get_state_dict(progress=False)
        return state, f"torchvision {weights} (downloaded)"
    except Exception as exc:  # offline: URLError, OSError, ...
        return None, f"no weights at {path} and torchvision's download failed ({type(exc).__name__})"
