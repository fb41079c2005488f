"""Every augmentation of chapter 7: random changes to each training batch, drawn from torch's
seeded generator on the batch's device. Each is described by a frozen spec (it enters cache
keys) and applied by ``lib.deep.train.fit(augment=...)`` to each training batch.

* :class:`AugmentSpec` -- character images ``(N, 1, H, W)``, white ink on black, for the models
  that will read photographed handwriting. Crops cut out of a photo (chapter 4's
  ``find_letters`` boxes) differ from the scanned training characters in three ways it imitates:

  * **small affine changes** -- rotation, shear, scale and translation (a box is never exactly
    centred, upright or of the training set's size);
  * **stroke thickness** -- a pen, the photo's resolution and the binarisation make strokes
    thinner or thicker: a blend between the image and its 3x3 grey dilation (thicker) or
    erosion (thinner), with a random strength;
  * **horizontal squeeze** -- photographed letters are often narrower relative to their height
    than the training crops (which are scaled to fill the box): the width is scaled by a
    factor < 1.

* :class:`RowShiftSpec` -- chapter 3's augmentation for the fully connected network (Q7.1.1):
  each row of 1024 pixels is shifted by a random whole number of pixels along each axis of its
  32x32 grid, the operation of ``lib.mlp.shift_images``.
* :class:`FlowerAugmentSpec` -- colour photos ``(N, 3, H, W)`` uint8 for the Flowers-17 CNN
  trained from scratch (Q7.2.1): a random square crop, mirror image, small rotation and
  brightness/contrast change, returned at the network's input size and normalised with
  ImageNet's statistics.

``augmenter(spec)`` returns the callable ``fit`` takes for a character or row spec (None for
None); a flowers batch needs the output size too: ``lambda x: augment_flowers(x, spec, side)``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
import torch.nn.functional as F

# --------------------------------------------------------------------------- character images


@dataclass(frozen=True)
class AugmentSpec:
    rotate_deg: float = 10.0  # uniform in [-r, r]
    shear: float = 0.15  # horizontal shear factor, uniform in [-s, s]
    scale: tuple[float, float] = (0.9, 1.1)  # isotropic scale range
    translate: float = 0.08  # fraction of the image size, uniform in [-t, t] per axis
    squeeze: tuple[float, float] = (0.7, 1.0)  # horizontal scale range for squeezed items
    p_squeeze: float = 0.3
    p_thickness: float = 0.5  # chance of a thickness change (then thicker or thinner, 50/50)


def _uniform(n: int, low: float, high: float, device) -> torch.Tensor:
    return torch.rand(n, device=device) * (high - low) + low


def change_thickness(x: torch.Tensor, amount: torch.Tensor) -> torch.Tensor:
    """Per item, ``amount`` in [-1, 1]: > 0 blends toward the 3x3 dilation, < 0 toward the erosion."""
    thick = F.max_pool2d(x, 3, stride=1, padding=1)
    thin = -F.max_pool2d(-x, 3, stride=1, padding=1)
    a = amount.view(-1, 1, 1, 1)
    return torch.where(a >= 0, x + a * (thick - x), x + (-a) * (thin - x))


def affine_matrices(n: int, spec: AugmentSpec, device) -> torch.Tensor:
    """(n, 2, 3) matrices for ``F.affine_grid`` (output coords -> input coords, in [-1, 1])."""
    angle = _uniform(n, -spec.rotate_deg, spec.rotate_deg, device) * (math.pi / 180)
    shear = _uniform(n, -spec.shear, spec.shear, device)
    scale = _uniform(n, *spec.scale, device)
    squeeze = torch.where(torch.rand(n, device=device) < spec.p_squeeze,
                          _uniform(n, *spec.squeeze, device), torch.ones(n, device=device))
    cos, sin = torch.cos(angle), torch.sin(angle)
    # forward map A = R(angle) @ Shear @ diag(scale * squeeze, scale): where a glyph point goes
    sx, sy = scale * squeeze, scale
    a = torch.stack([
        torch.stack([cos * sx, cos * shear * sy - sin * sy], -1),
        torch.stack([sin * sx, sin * shear * sy + cos * sy], -1),
    ], -2)
    inv = torch.linalg.inv(a)  # affine_grid wants output -> input
    shift = _uniform(2 * n, -spec.translate, spec.translate, device).view(n, 2, 1) * 2  # [-1,1] units
    return torch.cat([inv, -inv @ shift], dim=2)


def augment_batch(x: torch.Tensor, spec: AugmentSpec) -> torch.Tensor:
    """One random augmentation per item of ``x`` (N, C, H, W); values stay in [0, 1]."""
    n = x.shape[0]
    if spec.p_thickness > 0:
        pick = torch.rand(n, device=x.device) < spec.p_thickness
        sign = torch.where(torch.rand(n, device=x.device) < 0.5, -1.0, 1.0)
        amount = torch.where(pick, sign * torch.rand(n, device=x.device), torch.zeros(n, device=x.device))
        x = change_thickness(x, amount)
    grid = F.affine_grid(affine_matrices(n, spec, x.device), list(x.shape), align_corners=False)
    return F.grid_sample(x, grid, mode="bilinear", padding_mode="zeros", align_corners=False).clamp_(0, 1)


# --------------------------------------------------------------------------- pixel rows


@dataclass(frozen=True)
class RowShiftSpec:
    max_shift: int = 1
    fill: float = 0.0  # the background after chapter 3's input change (ink 1, paper 0)
    side: int = 32


def shift_rows(x: torch.Tensor, spec: RowShiftSpec) -> torch.Tensor:
    """Shift each row of ``x`` (N, side * side) by random whole pixels on its grid (either
    storage order: a shift is a shift), uncovered pixels taking ``spec.fill``; returns a new
    (N, side * side) tensor."""
    n, s, side = x.shape[0], spec.max_shift, spec.side
    if s <= 0:
        return x
    grid = F.pad(x.view(n, side, side), (s, s, s, s), value=spec.fill)
    dr = torch.randint(0, 2 * s + 1, (n,), device=x.device)
    dc = torch.randint(0, 2 * s + 1, (n,), device=x.device)
    rows = (dr.view(n, 1) + torch.arange(side, device=x.device)).view(n, side, 1)
    cols = (dc.view(n, 1) + torch.arange(side, device=x.device)).view(n, 1, side)
    return grid[torch.arange(n, device=x.device).view(n, 1, 1), rows, cols].reshape(n, side * side)


def augmenter(spec: AugmentSpec | RowShiftSpec | None):
    """The ``augment`` callable for ``fit`` (None when ``spec`` is None)."""
    if spec is None:
        return None
    if isinstance(spec, RowShiftSpec):
        return lambda x: shift_rows(x, spec)
    if isinstance(spec, AugmentSpec):
        return lambda x: augment_batch(x, spec)
    raise TypeError(f"no augmenter for {type(spec).__name__}; expected AugmentSpec or RowShiftSpec")


# --------------------------------------------------------------------------- colour photos


@dataclass(frozen=True)
class FlowerAugmentSpec:
    """Random crop (a square of ``area`` of the image, anywhere), mirror, rotation, colour jitter."""

    area: tuple[float, float] = (0.4, 1.0)
    rotate_deg: float = 10.0
    brightness: float = 0.2
    contrast: float = 0.2


def augment_flowers(images_uint8: torch.Tensor, spec: FlowerAugmentSpec, side: int) -> torch.Tensor:
    """One random view per image at ``side`` px, a normalised float batch (torch's seeded RNG).

    The stored images are larger than ``side``, so a crop keeps detail.
    """
    from lib.data.flowers_torch import imagenet_normalize  # PIL and torchvision: only for the photos

    x = images_uint8.float() / 255.0
    n = x.shape[0]
    frac = torch.sqrt(torch.empty(n).uniform_(*spec.area))  # crop side, fraction of the image
    angle = torch.empty(n).uniform_(-spec.rotate_deg, spec.rotate_deg) * (math.pi / 180)
    flip = torch.where(torch.rand(n) < 0.5, -1.0, 1.0)
    room = 1.0 - frac  # the crop stays inside the image
    tx, ty = (torch.rand(n) * 2 - 1) * room, (torch.rand(n) * 2 - 1) * room
    cos, sin = torch.cos(angle) * frac, torch.sin(angle) * frac
    theta = torch.stack(
        [torch.stack([cos * flip, -sin, tx], -1), torch.stack([sin * flip, cos, ty], -1)], -2
    )  # output coords -> input coords
    grid = F.affine_grid(theta, [n, 3, side, side], align_corners=False)
    x = F.grid_sample(x, grid, mode="bilinear", padding_mode="reflection", align_corners=False)
    b = 1 + torch.empty(n, 1, 1, 1).uniform_(-spec.brightness, spec.brightness)
    c = 1 + torch.empty(n, 1, 1, 1).uniform_(-spec.contrast, spec.contrast)
    mean = x.mean(dim=(1, 2, 3), keepdim=True)
    x = ((x - mean) * c + mean) * b
    return imagenet_normalize(x.clamp(0, 1))
