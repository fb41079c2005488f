"""Flowers-17 for PyTorch: an ImageFolder-compatible dataset and the transforms we use.

* :func:`imagenet_eval` / :func:`imagenet_train`: torchvision's standard ImageNet preprocessing
  for SqueezeNet (resize 256, centre crop 224, ImageNet mean/std) and light augmentation
  (random resized crop, horizontal flip, small colour jitter).
* :class:`FlowersDataset`: ``(image, label)`` pairs of one split, with ``classes``,
  ``class_to_idx``, ``samples`` and ``targets`` like ``torchvision.datasets.ImageFolder``.
* :func:`preload`: the images of a split decoded once into one uint8 tensor of small squares,
  for the CNN trained from scratch (it sees every image every epoch); :func:`to_input` is their
  evaluation view and :func:`imagenet_normalize` the normalisation every view ends with.

Each transform is described by a short string (``describe``) that goes into cache keys.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image
from torchvision import transforms as T

from lib.data.flowers import CLASSES, FlowersSplit

IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)


def load_pil(path, min_side: int | None = None) -> Image.Image:
    """Open a photo as RGB; with ``min_side`` let the JPEG decoder skip detail not needed for it."""
    image = Image.open(path)
    if min_side is not None:
        w, h = image.size
        scale = min(w, h) / min_side
        image.draft("RGB", (int(w / scale) + 1, int(h / scale) + 1))
    return image.convert("RGB")


def eval_views(size: int = 224, resize: int = 256) -> T.Compose:
    """PIL -> PIL: the standard ImageNet evaluation view (resize shorter side, centre crop)."""
    return T.Compose([T.Resize(resize), T.CenterCrop(size)])


def flip_views(size: int = 224, resize: int = 256) -> T.Compose:
    """PIL -> PIL: the evaluation view mirrored (a second view for test-time averaging)."""
    return T.Compose([T.Resize(resize), T.CenterCrop(size), T.RandomHorizontalFlip(p=1.0)])


def train_views(size: int = 224, scale: tuple[float, float] = (0.35, 1.0)) -> T.Compose:
    """PIL -> PIL: light augmentation (random resized crop, horizontal flip, small colour jitter)."""
    return T.Compose(
        [T.RandomResizedCrop(size, scale=scale), T.RandomHorizontalFlip(), T.ColorJitter(0.2, 0.2, 0.1)]
    )


def normalize_batch(images) -> torch.Tensor:
    """PIL images of one size -> a normalised float batch (N, 3, H, W), like ToTensor + Normalize.

    One conversion of the whole batch: many small per-image torch ops are slow on a loaded machine.
    """
    batch = np.stack([np.asarray(im, dtype=np.uint8) for im in images]).astype(np.float32) / 255.0
    return imagenet_normalize(torch.from_numpy(np.ascontiguousarray(batch.transpose(0, 3, 1, 2))))


def imagenet_normalize(x: torch.Tensor) -> torch.Tensor:
    """A float batch (N, 3, H, W) in [0, 1] normalised per channel with ImageNet's mean and std."""
    mean = torch.tensor(IMAGENET_MEAN, dtype=x.dtype, device=x.device).view(1, 3, 1, 1)
    std = torch.tensor(IMAGENET_STD, dtype=x.dtype, device=x.device).view(1, 3, 1, 1)
    return (x - mean) / std


def imagenet_eval(size: int = 224, resize: int = 256) -> T.Compose:
    """The standard ImageNet evaluation transform (resize, centre crop, to tensor, normalise)."""
    return T.Compose([eval_views(size, resize), T.ToTensor(), T.Normalize(IMAGENET_MEAN, IMAGENET_STD)])


def imagenet_train(size: int = 224, scale: tuple[float, float] = (0.35, 1.0)) -> T.Compose:
    """Training transform: :func:`train_views`, then to tensor and normalise."""
    return T.Compose([train_views(size, scale), T.ToTensor(), T.Normalize(IMAGENET_MEAN, IMAGENET_STD)])


def describe(transform) -> str:
    """A stable text for a transform (its repr), for cache keys."""
    return " ".join(repr(transform).split())


class FlowersDataset(torch.utils.data.Dataset):
    """One split of Flowers-17 as ``(transformed image, label)``; ImageFolder-compatible."""

    def __init__(self, split: FlowersSplit, which: str, transform=None, min_side: int | None = None):
        self.classes = list(CLASSES)
        self.class_to_idx = {c: i for i, c in enumerate(self.classes)}
        self.samples = [(str(p), int(y)) for p, y in zip(split.paths(which), split.labels(which), strict=True)]
        self.targets = [y for _, y in self.samples]
        self.transform = transform
        self.min_side = min_side

    def __len__(self) -> int:
        return len(self.samples)

    def __getitem__(self, index: int):
        path, label = self.samples[index]
        image = load_pil(path, self.min_side)
        return (self.transform(image) if self.transform else image), label


def preload(split: FlowersSplit, which: str, side: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Every image of a split resized (shorter side ``side``), centre-cropped to ``side`` x ``side``.

    Returns uint8 images (N, 3, side, side) and int64 labels (N,).
    """
    prep = T.Compose([T.Resize(side), T.CenterCrop(side), T.PILToTensor()])
    images = [prep(load_pil(p, side)) for p in split.paths(which)]
    return torch.stack(images), torch.from_numpy(np.asarray(split.labels(which)))


def to_input(images_uint8: torch.Tensor, side: int) -> torch.Tensor:
    """Preloaded uint8 images (N, 3, H, W) -> the whole image at ``side`` px, normalised (the
    evaluation view of the CNN trained from scratch)."""
    x = images_uint8.float() / 255.0
    if x.shape[-1] != side:
        x = F.interpolate(x, size=(side, side), mode="bilinear", antialias=True, align_corners=False)
    return imagenet_normalize(x.clamp(0, 1))
