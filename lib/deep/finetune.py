"""Q7.2.1: SqueezeNet 1.1 pretrained on ImageNet with a new classifier for Flowers-17, against a
CNN trained from scratch.

SqueezeNet's classifier is ``Dropout -> Conv1x1(512 -> 1000) -> ReLU -> AdaptiveAvgPool``;
``lib.deep.models.squeezenet17`` swaps the 1x1 convolution for a new one with 17 outputs and the
ReLU for the identity. Then the whole classifier is linear after the frozen ``features``::

    avgpool(W * f(x) + b) = W avgpool(f(x)) + b,

so training it on the cached, globally pooled 512-d features (``lib.deep.features``) is
*exactly* training the replaced layer of the network (``models.head_into_model`` copies the
trained weights back, and a test checks the two give the same scores). :func:`select_head`
trains one such classifier per setting of a grid (:class:`HeadConfig`) and keeps the best on
validation.

The CNN from scratch (:class:`ScratchConfig`) follows the homework: three convolutional layers,
then two fully connected layers (a member of ``models.CNNSpec``'s family), trained on small
``image_size`` px images with ``lib.deep.augment.augment_flowers``.

Both are trained by ``lib.deep.train.fit`` in :func:`_fit_and_score` and cached as ``.npz``
(``lib.cache``): the per-epoch history, validation and test probabilities and accuracies, the
trained weights (``state.*``), their number (``params``) and the training time.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from lib import cache, config
from lib.data.flowers import FlowersSplit
from lib.deep import augment, features, models, train

#: Code whose source a trained classifier depends on (with ``lib.deep.train.CODE``).
HEAD_CODE = ("lib.deep.finetune", *features.CODE)
SCRATCH_CODE = ("lib.deep.finetune", "lib.deep.augment", "lib.data.flowers_torch")


# --------------------------------------------------------------------------- the new classifier


@dataclass(frozen=True)
class HeadConfig:
    """The replaced classifier trained on cached features; everything here is chosen on validation.

    ``aug_copies`` randomly augmented copies of each training image (plus its evaluation view,
    and its mirror image when ``flip``) form the training set; with ``flip`` the validation and
    test scores average an image and its mirror image (for a linear head this is the head applied
    to the mean of the two feature vectors).
    """

    aug_copies: int = 2
    flip: bool = True
    epochs: int = 30
    lr: float = 3e-3
    weight_decay: float = 1e-3
    dropout: float = 0.5
    label_smoothing: float = 0.1
    batch_size: int = 64


def train_head(cfg: HeadConfig, split: FlowersSplit, progress: train.Progress | None = None) -> dict:
    """Train the new classifier on cached features (see the module doc for what it returns).

    Cached under the config, the split, the pretrained weights' digest and the source of the
    code involved.
    """
    _, _, weights_digest = models.pretrained_weights()
    key = cache.key("flowers17-head", cfg, data=(split, weights_digest), code=(*train.CODE, *HEAD_CODE))

    def compute() -> dict:
        feats = features.feature_views(split, cfg.aug_copies, cfg.flip, progress)
        result = _fit_and_score(
            lambda: models.linear_head(cfg.dropout), cfg,
            (torch.from_numpy(feats.x_train), torch.from_numpy(feats.y_train)),
            (torch.from_numpy(feats.x_val), torch.from_numpy(feats.y_val)),
            (torch.from_numpy(feats.x_test), torch.from_numpy(feats.y_test)),
            desc="flowers17 head", progress=progress,
        )
        return {**result, "n_train_rows": len(feats.y_train)}

    return cache.load_or_compute(cache.cache_path("flowers17-head", key), compute)


def select_head(grid: tuple[HeadConfig, ...], split: FlowersSplit,
                progress: train.Progress | None = None) -> tuple[HeadConfig, dict, list[dict]]:
    """Train every config of ``grid`` and keep the best on VALIDATION (accuracy, then loss).

    Returns ``(best config, its result, one row per config: config fields, val accuracy, val loss)``.
    """
    rows, best = [], None
    y_val = split.labels("val")
    for cfg in grid:
        res = train_head(cfg, split, progress)
        val_loss = float(np.mean(-np.log(res["val_prob"][np.arange(len(y_val)), y_val] + 1e-12)))
        rows.append({**cfg.__dict__, "val_acc": res["val_acc"], "val_loss": val_loss})
        score = (res["val_acc"], -val_loss)
        if best is None or score > best[0]:
            best = (score, cfg, res)
    return best[1], best[2], rows


# --------------------------------------------------------------------------- the CNN from scratch


@dataclass(frozen=True)
class ScratchConfig:
    """The CNN from scratch: the homework's three conv layers (3x3, batch norm, ReLU, 2x2 max
    pool) and two fully connected layers, dropout before each, on ``spec.image_size`` px images."""

    spec: models.CNNSpec = models.CNNSpec(classes=models.FLOWER_CLASSES, image_size=64, in_channels=3,
                                          channels=(32, 64, 128), hidden=256, dropout=0.5, feature_dropout=0.5)
    augment: augment.FlowerAugmentSpec = augment.FlowerAugmentSpec()
    epochs: int = 40
    lr: float = 3e-3
    weight_decay: float = 5e-4
    batch_size: int = 32
    label_smoothing: float = 0.1
    store_scale: float = 1.5  # images are kept at store_scale * image_size px so crops keep detail


def train_scratch(cfg: ScratchConfig, split: FlowersSplit, progress: train.Progress | None = None) -> dict:
    """Train the CNN from scratch (see the module doc for what it returns, plus ``load_seconds``:
    decoding the images). Cached under the config, the split and the source of the code involved.
    """
    key = cache.key("flowers17-scratch", cfg, data=(split,), code=(*train.CODE, *SCRATCH_CODE))

    def compute() -> dict:
        from lib.data.flowers_torch import preload, to_input

        side = cfg.spec.image_size
        store = round(side * cfg.store_scale)
        start = time.perf_counter()
        x_train, y_train = preload(split, "train", store)
        x_val, y_val = preload(split, "val", store)
        x_test, y_test = preload(split, "test", store)
        valid, test = (to_input(x_val, side), y_val), (to_input(x_test, side), y_test)
        load_seconds = time.perf_counter() - start
        result = _fit_and_score(
            lambda: models.build(cfg.spec), cfg, (x_train, y_train), valid, test,
            augment=lambda x: augment.augment_flowers(x, cfg.augment, side),
            desc="flowers17 scratch CNN", progress=progress,
        )
        return {**result, "load_seconds": load_seconds}

    return cache.load_or_compute(cache.cache_path("flowers17-scratch", key), compute)


# --------------------------------------------------------------------------- shared


Tensors = tuple[torch.Tensor, torch.Tensor]


def _fit_and_score(make_model: Callable[[], nn.Module], cfg: HeadConfig | ScratchConfig, training: Tensors,
                   valid: Tensors, test: Tensors, *, augment: Callable | None = None, desc: str,
                   progress: train.Progress | None) -> dict:
    """Build the model (seeded), train it with ``train.fit`` on ``training`` and score it on the
    validation and test splits (inputs, labels), with the threads ``train.torch_threads`` picks."""
    tcfg = train.TrainConfig(epochs=cfg.epochs, batch_size=cfg.batch_size, lr=cfg.lr, weight_decay=cfg.weight_decay,
                             label_smoothing=cfg.label_smoothing, device="cpu", seed=config.SEED)
    torch.manual_seed(tcfg.seed)
    model = make_model()
    with train.torch_threads():
        start = time.perf_counter()
        history = train.fit(
            model, train.TensorLoader(*training, cfg.batch_size, shuffle=True), train.TensorLoader(*valid, 4096),
            tcfg, augment=augment, desc=desc, progress=progress,
        )
        seconds = time.perf_counter() - start
        val_prob, test_prob = train.probabilities(model, valid[0]), train.probabilities(model, test[0])
    return {
        **{f"state.{k}": v.detach().numpy().copy() for k, v in model.state_dict().items()},
        "history": history.as_dict(),
        "val_prob": val_prob,
        "test_prob": test_prob,
        "val_acc": float((val_prob.argmax(1) == valid[1].numpy()).mean()),
        "test_acc": float((test_prob.argmax(1) == test[1].numpy()).mean()),
        "params": models.count_parameters(model),
        "seconds": seconds,
    }
