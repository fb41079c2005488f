"""Q7.2.1: the new classifier chosen on validation and cached; the CNN from scratch."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
import torch

from lib.data import flowers as fl
from lib.deep import features, finetune, models, train


@pytest.fixture
def fake_split():
    return fl.FlowersSplit(**fl.draw_split(0), origin="test", fingerprint="fake-split")


def test_head_is_chosen_on_validation_and_cached(fake_split, monkeypatch):
    """select_head keeps the config with the best validation accuracy; results are cached."""
    rng = np.random.default_rng(0)
    centres = rng.normal(size=(17, 512)).astype(np.float32) * 3

    def views(split, aug_copies, flip, progress=None):
        def make(labels, noise):
            return (centres[labels] + rng.normal(size=(len(labels), 512)) * noise).astype(np.float32)

        y_tr, y_va, y_te = (split.labels(s) for s in ("train", "val", "test"))
        return features.Features(make(y_tr, 1.0), y_tr, make(y_va, 1.0), y_va, make(y_te, 1.0), y_te)

    monkeypatch.setattr(features, "feature_views", views)
    monkeypatch.setattr(models, "pretrained_weights", lambda: ({}, "test", "digest"))
    good = finetune.HeadConfig(aug_copies=0, flip=False, epochs=8, lr=1e-2, dropout=0.0, batch_size=64)
    bad = finetune.HeadConfig(aug_copies=0, flip=False, epochs=1, lr=1e-6, dropout=0.0, batch_size=64)
    best, res, rows = finetune.select_head((bad, good), fake_split)
    assert best == good and res["val_acc"] > 0.9 and len(rows) == 2
    assert rows[0]["val_acc"] < rows[1]["val_acc"]
    assert res["state.1.weight"].shape == (17, 512) and len(res["history"]["valid_acc"]) == 8
    assert res["params"] == 17 * 512 + 17 and res["n_train_rows"] == len(fake_split.labels("train"))
    monkeypatch.setattr(train, "fit", lambda *a, **k: pytest.fail("trained again instead of loading"))
    again = finetune.train_head(good, fake_split)
    np.testing.assert_array_equal(again["state.1.weight"], res["state.1.weight"])
    monkeypatch.setattr(models, "pretrained_weights", lambda: ({}, "test", "other weights"))
    with pytest.raises(pytest.fail.Exception, match="trained again"):  # other weights, other features
        finetune.train_head(good, fake_split)


def test_scratch_cnn_trains_on_augmented_views_and_is_cached(fake_split, monkeypatch):
    def preload(split, which, side):
        labels = split.labels(which)
        g = torch.Generator().manual_seed(len(labels))
        return torch.randint(0, 256, (len(labels), 3, side, side), dtype=torch.uint8, generator=g), \
            torch.from_numpy(np.asarray(labels))

    monkeypatch.setattr("lib.data.flowers_torch.preload", preload)
    spec = dataclasses.replace(finetune.ScratchConfig().spec, image_size=16, channels=(4, 4, 4), hidden=8)
    cfg = finetune.ScratchConfig(spec=spec, epochs=1, batch_size=64)
    split = fake_split.subset(2)
    seen = []
    real = finetune.augment.augment_flowers
    monkeypatch.setattr(finetune.augment, "augment_flowers", lambda x, s, side: seen.append(x.shape) or real(x, s, side))
    res = finetune.train_scratch(cfg, split)
    assert seen and seen[0][1:] == (3, 24, 24)  # stored at 1.5 x the input size, cropped to it
    assert res["val_prob"].shape == (34, 17) and np.allclose(res["val_prob"].sum(1), 1, atol=1e-5)
    assert res["params"] == models.count_parameters(models.build(spec)) and res["load_seconds"] >= 0
    monkeypatch.setattr(train, "fit", lambda *a, **k: pytest.fail("trained again instead of loading"))
    again = finetune.train_scratch(cfg, split)
    np.testing.assert_array_equal(again["test_prob"], res["test_prob"])
