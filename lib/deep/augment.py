"""Batch augmentation for character models that will read photographed handwriting.

Crops cut out of a photo (chapter 4's ``find_letters`` boxes) differ from the scanned training
characters in three ways this module imitates, on whole batches ``(N, 1, H, W)`` of white-ink-on-
black images, on the batch's device, with torch's (seeded) random generator:

* **small affine changes** -- rotation, shear, scale and translation (a box is never exactly
  centred, upright or of the training set's size);
* **stroke thickness** -- a pen, the photo's resolution and the binarisation make strokes
  thinner or thicker: a blend between the image and its 3x3 grey dilation (thicker) or erosion
  (thinner), with a random strength;
* **horizontal squeeze** -- photographed letters are often narrower relative to their height than
  the training crops (which are scaled to fill the box): the width is scaled by a factor < 1.

``augmenter(AugmentSpec())`` returns the callable that ``lib.deep.train.fit(augment=...)`` takes.
The spec is a frozen dataclass so it enters cache keys.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
import torch.nn.functional as F


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


def augmenter(spec: AugmentSpec | None):
    """The ``augment`` callable for ``fit`` (None when ``spec`` is None)."""
    if spec is None:
        return None

    def augment(x: torch.Tensor) -> torch.Tensor:
        return augment_batch(x, spec)

    return augment
