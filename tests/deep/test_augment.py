"""Augmentation: shapes and ranges, thickness direction, squeeze, identity when switched off."""

from __future__ import annotations

import torch

from lib.deep import augment


def glyph(n=4, size=28):
    x = torch.zeros(n, 1, size, size)
    x[:, :, 6:22, 12:16] = 1.0  # a vertical bar
    return x


def test_batch_keeps_shape_and_range_and_varies_per_item():
    torch.manual_seed(0)
    x = glyph(8)
    y = augment.augment_batch(x, augment.AugmentSpec())
    assert y.shape == x.shape and y.min() >= 0 and y.max() <= 1
    assert not torch.allclose(y[0], y[1])


def test_identity_spec_changes_nothing():
    spec = augment.AugmentSpec(rotate_deg=0, shear=0, scale=(1, 1), translate=0, p_squeeze=0, p_thickness=0)
    x = glyph()
    assert torch.allclose(augment.augment_batch(x, spec), x, atol=1e-5)


def test_thickness_grows_and_shrinks_ink():
    x = glyph(3)
    y = augment.change_thickness(x, torch.tensor([1.0, 0.0, -1.0]))
    ink = y.sum(dim=(1, 2, 3))
    assert ink[0] > ink[1] > ink[2] > 0


def test_squeeze_makes_glyphs_narrower_not_shorter():
    x = torch.zeros(1, 1, 28, 28)
    x[:, :, 4:24, 4:24] = 1.0
    spec = augment.AugmentSpec(rotate_deg=0, shear=0, scale=(1, 1), translate=0, squeeze=(0.5, 0.5),
                               p_squeeze=1.0, p_thickness=0)
    y = augment.augment_batch(x, spec)[0, 0] > 0.5
    cols, rows = y.any(0).sum(), y.any(1).sum()
    assert abs(int(rows) - 20) <= 1 and abs(int(cols) - 10) <= 1


def test_augmenter_none_is_none():
    assert augment.augmenter(None) is None
    assert callable(augment.augmenter(augment.AugmentSpec()))
