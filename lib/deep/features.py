"""SqueezeNet's pooled features of every Flowers-17 image, computed once and cached on disk.

Running an image through SqueezeNet's frozen convolutional part is the expensive step of Q7.2.1;
the classifier trained after it needs only the 512 channel means of the last feature map
(``lib.deep.finetune`` says why). :func:`cached_features` computes them once per split and
:class:`View` (how an image becomes the network's input) and stores them as ``.npz``:

* ``View()`` -- ImageNet's evaluation view (resize 256, centre crop 224);
* ``View("flip")`` -- its mirror image (averaged with it at test time);
* ``View("aug", k)`` -- the ``k``-th randomly augmented copy of each training image (random
  resized crop, mirror, colour jitter; seeded per copy).

:func:`head_views` lists the views a classifier's settings read and :func:`feature_views`
stacks them into training rows and evaluation features (:class:`Features`).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import torch
import torchvision

from lib import cache, config
from lib.data.flowers import SPLITS, FlowersSplit
from lib.deep import models
from lib.deep.train import Progress, torch_threads

#: The modules whose source the features depend on.
CODE = ("lib.deep.features", "lib.deep.models", "lib.data.flowers_torch")


@dataclass(frozen=True)
class View:
    """How an image is turned into the network's input: ``eval``, ``flip`` or ``aug`` copy ``copy``."""

    kind: str = "eval"
    copy: int = 0
    size: int = 224
    resize: int = 256
    scale: tuple[float, float] = (0.35, 1.0)

    def transform(self):
        from lib.data import flowers_torch as ft

        if self.kind == "eval":
            return ft.eval_views(self.size, self.resize)
        if self.kind == "flip":
            return ft.flip_views(self.size, self.resize)
        if self.kind == "aug":
            return ft.train_views(self.size, self.scale)
        raise ValueError(f"View.kind must be 'eval', 'flip' or 'aug', not {self.kind!r}")


def features_path(split: FlowersSplit, which: str, view: View):
    """Where the features of one split and view are cached: the key holds the view, the
    weights' digest, the split's fingerprint (files and numbers) and the extraction code."""
    _, _, weights_digest = models.pretrained_weights()
    key = cache.key("flowers17-squeezenet-features", which, view, torchvision.__version__,
                    data=(weights_digest, split), code=CODE)
    return cache.cache_path("flowers17-features", key)


def cached_features(split: FlowersSplit, which: str, view: View = View(), batch_size: int = 32,
                    progress: Progress | None = None) -> np.ndarray:
    """Pooled SqueezeNet features (N, 512) float32 of one split seen through ``view``; cached.

    ``progress(total, desc)`` may return a bar (``lib.deep.train.Progress``) for the extraction.
    """
    def compute() -> dict:
        start = time.perf_counter()
        feats = _extract(split, which, view, batch_size, progress)
        return {"features": feats, "seconds": time.perf_counter() - start}

    return cache.load_or_compute(features_path(split, which, view), compute)["features"]


def _extract(split: FlowersSplit, which: str, view: View, batch_size: int, progress: Progress | None) -> np.ndarray:
    from lib.data.flowers_torch import load_pil, normalize_batch

    model = models.squeezenet17(pretrained=True).eval()
    transform = view.transform()
    torch.manual_seed(config.SEED + 1009 * view.copy + (1 if view.kind == "aug" else 0))
    paths = split.paths(which)
    out = np.empty((len(paths), models.SQUEEZENET_FEATURES), np.float32)
    bar = progress(len(paths), f"features {which}/{view.kind}{view.copy}") if progress is not None else None
    try:
        with torch_threads(), torch.inference_mode():
            for lo in range(0, len(paths), batch_size):
                images = [transform(load_pil(p)) for p in paths[lo : lo + batch_size]]
                maps = model.features(normalize_batch(images))
                out[lo : lo + len(images)] = maps.mean(dim=(2, 3)).numpy()
                if bar is not None:
                    bar.update(len(images))
    finally:
        if bar is not None:
            bar.close()
    return out


def head_views(aug_copies: int, flip: bool) -> list[tuple[str, View]]:
    """Every (split, view) a classifier with these settings reads: the evaluation view of every
    split, with ``flip`` its mirror image too, and ``aug_copies`` augmented training copies."""
    views = [View(), View("flip")] if flip else [View()]
    return [(which, v) for which in SPLITS for v in views] + [("train", View("aug", k)) for k in range(aug_copies)]


def extraction(split: FlowersSplit, aug_copies: int, flip: bool) -> tuple[int, float]:
    """``(images, seconds)``: how many images went through the network for these settings' views
    and how long that took when they were computed (0 s for views not cached)."""
    images, seconds = 0, 0.0
    for which, view in head_views(aug_copies, flip):
        found = cache.load_cached(features_path(split, which, view))
        images += len(split.numbers(which))
        seconds += float(found["seconds"]) if found is not None else 0.0
    return images, seconds


@dataclass
class Features:
    x_train: np.ndarray
    y_train: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray


def feature_views(split: FlowersSplit, aug_copies: int, flip: bool, progress: Progress | None = None) -> Features:
    """Training rows (every view of every training image) and the evaluation features; with
    ``flip`` an image's evaluation features are the mean over it and its mirror image (for a
    linear classifier the same as averaging the two scores)."""
    def get(which: str, view: View) -> np.ndarray:
        return cached_features(split, which, view, progress=progress)

    train = [get(which, view) for which, view in head_views(aug_copies, flip) if which == "train"]
    y_train = np.tile(split.labels("train"), len(train))

    def evaluation(which: str) -> np.ndarray:
        x = get(which, View())
        return (x + get(which, View("flip"))) / 2 if flip else x

    return Features(
        np.concatenate(train), y_train,
        evaluation("val"), split.labels("val"),
        evaluation("test"), split.labels("test"),
    )
