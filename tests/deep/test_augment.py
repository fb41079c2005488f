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


def test_row_shifts_move_whole_images_by_at_most_one_pixel():
    torch.manual_seed(0)
    x = torch.arange(4 * 1024, dtype=torch.float32).view(4, 1024)
    shifted = augment.shift_rows(x, augment.RowShiftSpec(1, fill=-1.0)).view(4, 32, 32)
    padded = torch.nn.functional.pad(x.view(4, 32, 32), (1, 1, 1, 1), value=-1.0)
    for i in range(4):
        windows = [padded[i, 1 + a: 33 + a, 1 + b: 33 + b] for a in (-1, 0, 1) for b in (-1, 0, 1)]
        assert any(torch.equal(w, shifted[i]) for w in windows)
    assert callable(augment.augmenter(augment.RowShiftSpec()))


def test_flower_augmentation_is_seeded_and_stays_in_the_normalised_range():
    from lib.data.flowers_torch import IMAGENET_MEAN, IMAGENET_STD, imagenet_normalize, to_input

    images = torch.randint(0, 256, (4, 3, 48, 48), dtype=torch.uint8)
    torch.manual_seed(0)
    a = augment.augment_flowers(images, augment.FlowerAugmentSpec(), side=32)
    torch.manual_seed(0)
    b = augment.augment_flowers(images, augment.FlowerAugmentSpec(), side=32)
    assert a.shape == (4, 3, 32, 32) and torch.equal(a, b)
    lo = (0 - torch.tensor(IMAGENET_MEAN)) / torch.tensor(IMAGENET_STD)
    hi = (1 - torch.tensor(IMAGENET_MEAN)) / torch.tensor(IMAGENET_STD)
    per_channel = a.transpose(0, 1).reshape(3, -1)
    assert (per_channel.min(1).values >= lo - 1e-5).all() and (per_channel.max(1).values <= hi + 1e-5).all()
    whole = to_input(images, 48)
    assert torch.equal(whole, imagenet_normalize(images.float() / 255))
    assert to_input(images, 32).shape == (4, 3, 32, 32)


def test_augmenter_refuses_a_flower_spec():
    import pytest

    with pytest.raises(TypeError, match="FlowerAugmentSpec"):
        augment.augmenter(augment.FlowerAugmentSpec())
