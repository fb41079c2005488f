"""Chapter 7.2 (Q7.2.1): SqueezeNet 1.1 with a new classifier vs. a CNN trained from scratch.

``run()`` computes (or loads from the cache) both models on Oxford Flowers-17 and returns a
:class:`FinetuneChapter`:

* SqueezeNet 1.1 (ImageNet weights resolved by ``lib.data``), frozen features cached once, the
  new 17-class classifier trained on them; its hyper-parameters (augmented copies, learning
  rate, epochs) are chosen on the validation split from a small grid.
* The CNN from scratch (3 conv + 2 fully connected layers) on small augmented images.

Without pretrained weights the SqueezeNet part is skipped (``squeeze is None``) and
``weights_note`` keeps why; the scratch model still runs. Without the Flowers-17 images neither
runs (``split is None``, ``missing`` says why). The test split is used only for the numbers
reported, never for a choice.
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

from lib import config, fmt, progress, results
from lib.data import DataError
from lib.data import flowers as fl
from lib.metrics import confusion_matrix

#: Our goal for fine-tuned SqueezeNet's test accuracy on Flowers-17 (the homework sets none).
GOAL = 0.93


@dataclass
class ModelResult:
    name: str  # "squeezenet" or "scratch"
    config: dict  # the settings it was trained with (a HeadConfig or ScratchConfig as a dict)
    history: dict  # per epoch: train_loss, train_acc, valid_loss, valid_acc, seconds
    val_acc: float
    test_acc: float
    test_pred: np.ndarray
    params: int  # all parameters of the network
    trainable: int  # those trained here
    seconds: float  # training time when it ran (SqueezeNet: feature extraction + classifier)

    @classmethod
    def of(cls, name: str, cfg, res: dict, params: int, seconds: float, **extra):
        """From a ``lib.deep.finetune`` result (``res``) of the settings ``cfg``."""
        return cls(name, asdict(cfg), res["history"], float(res["val_acc"]), float(res["test_acc"]),
                   np.asarray(res["test_prob"]).argmax(1), params, int(res["params"]), seconds, **extra)


@dataclass
class SqueezeNetResult(ModelResult):
    train_rows: int = 0  # the classifier's training rows: every view of every training image
    feature_seconds: float = 0.0  # every view of every image through the frozen network
    head_seconds: float = 0.0  # training the classifier on the features
    feature_images: int = 0  # images (views) through the frozen network

    @property
    def images_per_second(self) -> float:
        return self.feature_images / self.feature_seconds if self.feature_seconds > 0 else float("nan")


@dataclass
class FinetuneChapter:
    split: fl.FlowersSplit | None  # None: no Flowers-17 images (see ``missing``)
    classes: tuple[str, ...]
    weights_available: bool
    weights_note: str  # where the weights came from, or why there are none ("" without images)
    squeeze: SqueezeNetResult | None
    scratch: ModelResult | None
    grid: pd.DataFrame | None  # SqueezeNet head configs and their validation accuracy
    seconds: float  # wall time of this run()
    data_source: str
    weights_source: str | None  # lib.data.source("squeezenet"); None when the weights are not used
    missing: str = ""  # why the Flowers-17 images are not available ("" when they are)

    @property
    def models(self) -> list[ModelResult]:
        return [m for m in (self.squeeze, self.scratch) if m is not None]

    @property
    def better(self) -> ModelResult:
        """The model with the higher VALIDATION accuracy."""
        return max(self.models, key=lambda m: m.val_acc)

    def confusion(self, model: ModelResult | None = None) -> np.ndarray:
        model = model or self.better
        return confusion_matrix(self.split.labels("test"), model.test_pred, len(self.classes))

    def table(self) -> pd.DataFrame:
        """One row per model: validation and test accuracy, parameters, trained parameters, seconds."""
        return pd.DataFrame([{
            "model": m.name, "val_acc": m.val_acc, "test_acc": m.test_acc,
            "params": m.params, "trainable": m.trainable, "seconds": m.seconds,
        } for m in self.models]).set_index("model")


# --------------------------------------------------------------------------- configuration


def split() -> fl.FlowersSplit:
    full = fl.flowers_split()
    return config.pick(full=full, quick=full.subset({"train": 4, "val": 2, "test": 2}))


def head_grid():
    from lib.deep.finetune import HeadConfig

    full = tuple(
        HeadConfig(aug_copies=k, flip=True, epochs=e, lr=lr, dropout=0.5, weight_decay=1e-3, batch_size=256)
        for k in (0, 2)
        for lr in (1e-3, 3e-3)
        for e in (20, 40)
    )
    quick = (HeadConfig(aug_copies=0, flip=False, epochs=30, lr=1e-2, batch_size=64),)
    return config.pick(full=full, quick=quick)


def scratch_config():
    from lib.deep.finetune import ScratchConfig

    spec = ScratchConfig().spec
    return config.pick(
        full=ScratchConfig(spec=dataclasses.replace(spec, image_size=64, channels=(16, 32, 64), hidden=256),
                           epochs=40, lr=3e-3),
        quick=ScratchConfig(spec=dataclasses.replace(spec, image_size=32, channels=(8, 16, 32), hidden=64),
                            epochs=3, lr=3e-3),
    )


# --------------------------------------------------------------------------- the computation


def squeezenet_part(sp: fl.FlowersSplit) -> tuple[SqueezeNetResult, pd.DataFrame]:
    from lib.deep import features, finetune, models

    best_cfg, res, rows = finetune.select_head(head_grid(), sp, progress.counter)
    images, feature_seconds = features.extraction(sp, best_cfg.aug_copies, best_cfg.flip)
    total = models.count_parameters(models.squeezenet17(pretrained=True), trainable_only=False)
    out = SqueezeNetResult.of("squeezenet", best_cfg, res, total, float(res["seconds"]) + feature_seconds,
                              train_rows=int(res["n_train_rows"]), feature_seconds=feature_seconds,
                              head_seconds=float(res["seconds"]), feature_images=images)
    grid = pd.DataFrame(rows)[["aug_copies", "lr", "epochs", "val_acc"]]
    return out, grid


def scratch_part(sp: fl.FlowersSplit) -> ModelResult:
    from lib.deep import finetune

    cfg = scratch_config()
    res = finetune.train_scratch(cfg, sp, progress.counter)
    return ModelResult.of("scratch", cfg, res, int(res["params"]), float(res["seconds"]) + float(res["load_seconds"]))


def run() -> FinetuneChapter:
    from lib.data import source
    from lib.deep import models

    start = time.perf_counter()
    try:
        sp = split()
    except DataError as exc:  # no Flowers-17 images: neither model can be trained
        return _without_flowers(exc, start)
    state, origin, _ = models.pretrained_weights()
    squeeze = grid = None
    if state is not None:
        squeeze, grid = squeezenet_part(sp)
    scratch = scratch_part(sp)
    chapter = FinetuneChapter(
        split=sp,
        classes=fl.CLASSES,
        weights_available=state is not None,
        weights_note=origin,
        squeeze=squeeze,
        scratch=scratch,
        grid=grid,
        seconds=time.perf_counter() - start,
        data_source=source("flowers17"),
        weights_source=source("squeezenet") if state is not None else None,
    )
    _record(chapter)
    return chapter


def _without_flowers(exc: Exception, start: float) -> FinetuneChapter:
    """No Flowers-17 images: both models are skipped, Q7.2.1 is recorded as not run."""
    from lib.data import source
    from lib.pipelines.missing import FILES, not_run, reason

    chapter = FinetuneChapter(
        split=None, classes=fl.CLASSES, weights_available=False, weights_note="", squeeze=None, scratch=None,
        grid=None, seconds=time.perf_counter() - start, data_source=source("flowers17"), weights_source=None,
        missing=reason(exc),
    )
    not_run("Q7.2.1", "Oxford Flowers-17", FILES["flowers17"])
    return chapter


def _record(ch: FinetuneChapter) -> None:
    if ch.squeeze is not None:
        results.record(
            "Q7.2.1",
            ch.squeeze.test_acc,
            goal=GOAL,
            data=f"{ch.data_source}; {ch.weights_source}",
            display=f"SqueezeNet {fmt.pct(ch.squeeze.test_acc)} vs. scratch CNN {fmt.pct(ch.scratch.test_acc)} (test)",
            scratch_test_acc=ch.scratch.test_acc,
            squeezenet_val_acc=ch.squeeze.val_acc,
            scratch_val_acc=ch.scratch.val_acc,
        )
    else:
        results.record(
            "Q7.2.1",
            ch.scratch.test_acc,
            goal=GOAL,
            goal_note="without the pretrained weights only the scratch CNN is trained (its accuracy is shown)",
            data=f"{ch.data_source}; no pretrained weights: {ch.weights_note}",
            display=f"no pretrained weights ({ch.weights_note}); scratch CNN {fmt.pct(ch.scratch.test_acc)} (test)",
            scratch_test_acc=ch.scratch.test_acc,
        )
