"""SqueezeNet's pooled features of the Flowers-17 images: cached per split and view, seeded."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from lib.data import flowers as fl
from lib.deep import features


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


SMALL = {"size": 32, "resize": 36}


def test_features_are_cached_and_reused(tiny_flowers, random_weights, monkeypatch):
    split = fl.flowers_split().subset(1)
    view = features.View("eval", **SMALL)
    calls = []
    real = features._extract
    monkeypatch.setattr(features, "_extract", lambda *a: calls.append(a[1:3]) or real(*a))
    bars = []

    def progress(total, desc):
        bars.append([total, desc, 0])
        return type("Bar", (), {"update": lambda self, n: bars[-1].__setitem__(2, bars[-1][2] + n),
                                "close": lambda self: None})()

    first = features.cached_features(split, "val", view, progress=progress)
    second = features.cached_features(split, "val", view, progress=progress)
    assert first.shape == (17, 512) and first.dtype == np.float32
    assert np.array_equal(first, second) and len(calls) == 1  # second call is a cache hit
    assert bars == [[17, "features val/eval0", 17]]  # one bar, for the extraction
    features.cached_features(split, "val", features.View("aug", copy=1, **SMALL))
    assert len(calls) == 2  # another view is another entry


def test_augmented_copies_differ_and_are_reproducible(tiny_flowers, random_weights, tmp_path, monkeypatch):
    split = fl.flowers_split().subset(1)
    a0 = features.cached_features(split, "train", features.View("aug", 0, **SMALL))
    a1 = features.cached_features(split, "train", features.View("aug", 1, **SMALL))
    assert not np.allclose(a0, a1)
    monkeypatch.setenv("HW5_CACHE", str(tmp_path / "fresh"))  # recompute from an empty cache
    again = features.cached_features(split, "train", features.View("aug", 0, **SMALL))
    np.testing.assert_allclose(again, a0, rtol=1e-5, atol=1e-5)


def test_head_views_and_extraction_count_every_view(tiny_flowers, random_weights, monkeypatch):
    split = fl.flowers_split().subset(1)
    views = features.head_views(aug_copies=2, flip=True)
    assert views[:2] == [("train", features.View()), ("train", features.View("flip"))]
    assert views[-2:] == [("train", features.View("aug", 0)), ("train", features.View("aug", 1))]
    assert len(views) == 3 * 2 + 2
    assert features.extraction(split, 0, False) == (3 * 17, 0.0)  # nothing computed yet
    monkeypatch.setattr(features, "head_views", lambda k, flip: [("val", features.View(**SMALL))])
    features.cached_features(split, "val", features.View(**SMALL))
    images, seconds = features.extraction(split, 0, False)
    assert images == 17 and seconds > 0


def test_feature_views_stack_training_rows_and_average_the_mirror(monkeypatch):
    split = fl.FlowersSplit(**fl.draw_split(0), origin="test", fingerprint="fake").subset(1)
    values = {"eval": 1.0, "flip": 3.0, "aug": 5.0}
    monkeypatch.setattr(features, "cached_features", lambda sp, which, view, progress=None: np.full(
        (len(sp.labels(which)), 2), values[view.kind] + view.copy, np.float32))
    f = features.feature_views(split, aug_copies=2, flip=True)
    assert f.x_train[:, 0].tolist() == [1.0] * 17 + [3.0] * 17 + [5.0] * 17 + [6.0] * 17
    assert np.array_equal(f.y_train, np.tile(split.labels("train"), 4))
    assert np.all(f.x_val == 2.0) and np.all(f.x_test == 2.0)  # (eval + flip) / 2
    assert np.all(features.feature_views(split, 0, flip=False).x_val == 1.0)
