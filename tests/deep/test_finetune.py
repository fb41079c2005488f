"""Q7.2.1: the replaced SqueezeNet classifier, the cached features and the CNN from scratch."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torchvision
from PIL import Image

from lib.data import flowers as fl
from lib.deep import finetune as ft


@pytest.fixture
def random_weights(monkeypatch):
    """Stand-in 'pretrained' weights (a seeded random SqueezeNet 1.1), so tests need no files."""
    torch.manual_seed(123)
    state = torchvision.models.squeezenet1_1(weights=None).state_dict()
    monkeypatch.setattr(ft, "pretrained_weights", lambda: (state, "test weights", "digest-123"))
    return state


@pytest.fixture
def tiny_flowers(data_dir):
    """1360 small random JPEGs laid out like Flowers-17."""
    folder = data_dir / "flowers17" / "jpg"
    folder.mkdir(parents=True)
    rng = np.random.default_rng(0)
    noise = rng.integers(0, 256, (8, 40, 48, 3), dtype=np.uint8)
    for i in range(1, fl.N_IMAGES + 1):
        Image.fromarray(noise[i % 8]).save(folder / f"image_{i:04d}.jpg")
    return data_dir


def test_classifier_is_replaced_and_nothing_else_changes(random_weights):
    model = ft.squeezenet17(pretrained=True)
    after = model.state_dict()
    new = {"classifier.1.weight", "classifier.1.bias"}
    assert set(after) == set(random_weights)
    for name, tensor in random_weights.items():
        if name not in new:
            assert torch.equal(after[name], tensor), name
    assert after["classifier.1.weight"].shape == (17, 512, 1, 1)
    assert random_weights["classifier.1.weight"].shape == (1000, 512, 1, 1)
    assert isinstance(model.classifier[2], torch.nn.Identity)
    with torch.no_grad():
        out = model.eval()(torch.randn(2, 3, 96, 96))
    assert out.shape == (2, 17)


def test_missing_weights_say_why(monkeypatch):
    from lib.data import DataError

    monkeypatch.setattr(ft, "pretrained_weights", lambda: (None, "no weights at /x and no download", ""))
    with pytest.raises(DataError, match="no weights at /x"):
        ft.squeezenet17(pretrained=True)


def test_head_on_pooled_features_equals_the_network(random_weights):
    """The linear head trained on pooled features, copied into the conv, gives the same scores."""
    model = ft.squeezenet17().eval()
    rng = np.random.default_rng(0)
    weight = rng.normal(size=(17, 512)).astype(np.float32)
    bias = rng.normal(size=17).astype(np.float32)
    ft.head_into_model(model, weight, bias)
    x = torch.randn(3, 3, 96, 96)
    with torch.no_grad():
        pooled = model.features(x).mean(dim=(2, 3)).numpy()
        scores = model(x).numpy()
    np.testing.assert_allclose(scores, pooled @ weight.T + bias, rtol=1e-4, atol=1e-4)


def test_features_are_cached_and_reused(tiny_flowers, random_weights, monkeypatch):
    split = fl.flowers_split().subset(1)
    view = ft.View("eval", size=32, resize=36)
    calls = []
    real = ft._extract
    monkeypatch.setattr(ft, "_extract", lambda *a: calls.append(a[1:3]) or real(*a))
    first = ft.cached_features(split, "val", view)
    second = ft.cached_features(split, "val", view)
    assert first.shape == (17, 512) and first.dtype == np.float32
    assert np.array_equal(first, second) and len(calls) == 1  # second call is a cache hit
    ft.cached_features(split, "val", ft.View("aug", copy=1, size=32, resize=36))
    assert len(calls) == 2  # another view is another entry
    assert ft.feature_seconds(split, "val", view) > 0


def test_augmented_copies_differ_and_are_reproducible(tiny_flowers, random_weights, tmp_path, monkeypatch):
    split = fl.flowers_split().subset(1)
    a0 = ft.cached_features(split, "train", ft.View("aug", 0, size=32, resize=36))
    a1 = ft.cached_features(split, "train", ft.View("aug", 1, size=32, resize=36))
    assert not np.allclose(a0, a1)
    monkeypatch.setenv("HW5_CACHE", str(tmp_path / "fresh"))  # recompute from an empty cache
    again = ft.cached_features(split, "train", ft.View("aug", 0, size=32, resize=36))
    np.testing.assert_allclose(again, a0, rtol=1e-5, atol=1e-5)


def test_scratch_cnn_has_three_conv_and_two_fc_layers():
    spec = ft.ScratchSpec(side=64, channels=(8, 16, 32), hidden=32)
    model = ft.scratch_cnn(spec)
    kinds = [type(m).__name__ for m in model.modules()]
    assert kinds.count("Conv2d") == 3 and kinds.count("Linear") == 2
    assert model(torch.randn(2, 3, 64, 64)).shape == (2, 17)


def test_augmentation_shapes_and_range():
    images = torch.randint(0, 256, (4, 3, 48, 48), dtype=torch.uint8)
    torch.manual_seed(0)
    a = ft.augment_images(images, ft.AugmentSpec(), side=32)
    torch.manual_seed(0)
    b = ft.augment_images(images, ft.AugmentSpec(), side=32)
    assert a.shape == (4, 3, 32, 32) and torch.equal(a, b)
    lo = (0 - ft._MEAN.flatten()) / ft._STD.flatten()
    hi = (1 - ft._MEAN.flatten()) / ft._STD.flatten()
    per_channel = a.transpose(0, 1).reshape(3, -1)
    assert (per_channel.min(1).values >= lo - 1e-5).all() and (per_channel.max(1).values <= hi + 1e-5).all()
    assert ft.to_input(images, 32).shape == (4, 3, 32, 32)


def test_head_is_chosen_on_validation_and_cached(fake_split, monkeypatch):
    """select_head keeps the config with the best validation accuracy; results are cached."""
    rng = np.random.default_rng(0)
    centres = rng.normal(size=(17, 512)).astype(np.float32) * 3

    def views(split, aug_copies, flip):
        def make(labels, noise):
            return (centres[labels] + rng.normal(size=(len(labels), 512)) * noise).astype(np.float32)

        y_tr, y_va, y_te = (split.labels(s) for s in ("train", "val", "test"))
        return ft.Features(make(y_tr, 1.0), y_tr, make(y_va, 1.0), y_va, make(y_te, 1.0), y_te)

    monkeypatch.setattr(ft, "feature_views", views)
    monkeypatch.setattr(ft, "pretrained_weights", lambda: ({}, "test", "digest"))
    good = ft.HeadConfig(aug_copies=0, flip=False, epochs=8, lr=1e-2, dropout=0.0, batch_size=64)
    bad = ft.HeadConfig(aug_copies=0, flip=False, epochs=1, lr=1e-6, dropout=0.0, batch_size=64)
    best, res, rows = ft.select_head((bad, good), fake_split)
    assert best == good and res["val_acc"] > 0.9 and len(rows) == 2
    assert rows[0]["val_acc"] < rows[1]["val_acc"]
    assert np.asarray(res["weight"]).shape == (17, 512) and len(res["history"]["valid_acc"]) == 8
    from lib.deep import train

    monkeypatch.setattr(train, "fit", lambda *a, **k: pytest.fail("trained again instead of loading"))
    again = ft.train_head(good, fake_split, "digest")
    np.testing.assert_array_equal(again["weight"], res["weight"])


@pytest.fixture
def fake_split():
    parts = fl.draw_split(0)
    return fl.FlowersSplit(**parts, origin="test", fingerprint="fake-split")


def test_flowers_dataset_is_imagefolder_like(tiny_flowers):
    from lib.data import flowers_torch

    split = fl.flowers_split()
    ds = flowers_torch.FlowersDataset(split, "val", transform=flowers_torch.imagenet_eval(32, 36))
    assert len(ds) == 340 and ds.classes == list(fl.CLASSES) and ds.class_to_idx["pansy"] == 16
    assert ds.targets == split.labels("val").tolist()
    x, y = ds[0]
    assert x.shape == (3, 32, 32) and y == ds.targets[0]
    # the batch conversion used for feature extraction equals ToTensor + Normalize
    image = flowers_torch.load_pil(ds.samples[0][0])
    batch = flowers_torch.normalize_batch([flowers_torch.eval_views(32, 36)(image)])
    torch.testing.assert_close(batch[0], x, rtol=1e-5, atol=1e-5)
