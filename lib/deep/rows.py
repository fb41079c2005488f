"""Chapter 3's augmentation for the fully connected network, in PyTorch (Q7.1.1).

Each image is a row of 1024 pixels; every epoch it is shifted by a random whole number of
pixels in ``[-max_shift, max_shift]`` along each axis of its 32x32 grid, uncovered pixels
taking ``fill``: the operation of ``lib.mlp.shift_images``, drawn from torch's seeded generator
on the batch's device. ``augmenter(RowShiftSpec())`` is what ``lib.deep.train.fit(augment=...)``
takes; the spec is a frozen dataclass so it enters cache keys.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F


@dataclass(frozen=True)
class RowShiftSpec:
    max_shift: int = 1
    fill: float = 0.0  # the background after chapter 3's input change (ink 1, paper 0)
    side: int = 32


def shift_rows(x: torch.Tensor, spec: RowShiftSpec) -> torch.Tensor:
    """Shift each row of ``x`` (N, side * side) by random whole pixels on its grid (either
    storage order: a shift is a shift); returns a new (N, side * side) tensor."""
    n, s, side = x.shape[0], spec.max_shift, spec.side
    if s <= 0:
        return x
    grid = F.pad(x.view(n, side, side), (s, s, s, s), value=spec.fill)
    dr = torch.randint(0, 2 * s + 1, (n,), device=x.device)
    dc = torch.randint(0, 2 * s + 1, (n,), device=x.device)
    rows = (dr.view(n, 1) + torch.arange(side, device=x.device)).view(n, side, 1)
    cols = (dc.view(n, 1) + torch.arange(side, device=x.device)).view(n, 1, side)
    return grid[torch.arange(n, device=x.device).view(n, 1, 1), rows, cols].reshape(n, side * side)


def augmenter(spec: RowShiftSpec | None):
    """The ``augment`` callable for ``fit`` (None when ``spec`` is None)."""
    if spec is None:
        return None
    return lambda x: shift_rows(x, spec)
