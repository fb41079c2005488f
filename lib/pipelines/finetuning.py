"""Chapter 7.2 (Q7.2.1): SqueezeNet 1.1 with a new classifier vs. a CNN trained from scratch.

``run()`` computes (or loads from the cache) both models on Oxford Flowers-17 and returns a
:class:`FinetuneChapter`:

* SqueezeNet 1.1 (ImageNet weights resolved by ``lib.data``), frozen features cached once, the
  new 17-class classifier trained on them; its hyper-parameters (augmented copies, learning
  rate, epochs) are chosen on the validation split from a small grid.
* The CNN from scratch (3 conv + 2 fully connected layers) on small augmented images.

Without pretrained weights the SqueezeNet part is skipped (``squeeze is None``) and the reason
is kept in ``weights_note``; the scratch model still runs. The test split is used only for the
numbers reported, never for a choice.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field

import numpy as np
import pandas as pd

from lib import config, results
from lib.data import DataError
from lib.data import flowers as fl
from lib.metrics import confusion_matrix

#: Our goal for fine-tuned SqueezeNet's test accuracy on Flowers-17 (the homework sets none).
GOAL = 0.93


@dataclass
class ModelResult:
    name: str
    short: str  # for prose: "SqueezeNet", "the scratch CNN"
    history: dict  # per epoch: train_loss, train_acc, valid_loss, valid_acc, seconds
    val_acc: float
    test_acc: float
    test_pred: np.ndarray
    params: int
    trainable: int
    seconds: float  # training time when it ran (SqueezeNet: feature extraction + classifier)
    detail: dict = field(default_factory=dict)


@dataclass
class FinetuneChapter:
    split: fl.FlowersSplit | None  # None: no Flowers-17 images (see ``missing``)
    classes: tuple[str, ...]
    weights_available: bool
    weights_note: str  # where the weights came from, or why there are none
    squeeze: ModelResult | None
    scratch: ModelResult | None
    grid: pd.DataFrame | None  # SqueezeNet head configs and their validation accuracy
    seconds: float  # wall time of this run()
    data_source: str
    weights_source: str
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
        rows = []
        for m in self.models:
            rows.append(
                {
                    "model": m.name,
                    "val. acc.": f"{100 * m.val_acc:.1f}%",
                    "test acc.": f"{100 * m.test_acc:.1f}%",
                    "parameters": f"{m.params:,}",
                    "trained": f"{m.trainable:,}",
                    "training time": _duration(m.seconds),
                }
            )
        return pd.DataFrame(rows)


def _duration(seconds: float) -> str:
    return f"{seconds:.0f} s" if seconds < 120 else f"{seconds / 60:.1f} min"


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
    from lib.deep.finetune import ScratchConfig, ScratchSpec

    return config.pick(
        full=ScratchConfig(spec=ScratchSpec(side=64, channels=(16, 32, 64), hidden=256), epochs=40, lr=3e-3),
        quick=ScratchConfig(spec=ScratchSpec(side=32, channels=(8, 16, 32), hidden=64), epochs=3, lr=3e-3),
    )


# --------------------------------------------------------------------------- the computation


def squeezenet_part(sp: fl.FlowersSplit):
    from lib.deep import finetune as ft

    best_cfg, res, rows = ft.select_head(head_grid(), sp)
    views = [ft.View(), ft.View("flip")] if best_cfg.flip else [ft.View()]
    feature_seconds = sum(ft.feature_seconds(sp, w, v) for w in fl.SPLITS for v in views)
    feature_seconds += sum(ft.feature_seconds(sp, "train", ft.View("aug", k)) for k in range(best_cfg.aug_copies))
    model = ft.squeezenet17(pretrained=True)
    total = ft.count_parameters(model)
    trainable = int(np.asarray(res["weight"]).size + np.asarray(res["bias"]).size)
    out = ModelResult(
        name="SqueezeNet 1.1 + new classifier",
        short="SqueezeNet",
        history=res["history"],
        val_acc=float(res["val_acc"]),
        test_acc=float(res["test_acc"]),
        test_pred=np.asarray(res["test_prob"]).argmax(1),
        params=total,
        trainable=trainable,
        seconds=float(res["seconds"]) + feature_seconds,
        detail={
            "config": asdict(best_cfg),
            "feature_seconds": feature_seconds,
            "head_seconds": float(res["seconds"]),
            "n_train_rows": int(res["n_train_rows"]),
            "images_per_second": _images_per_second(sp, views, best_cfg.aug_copies, feature_seconds),
        },
    )
    grid = pd.DataFrame(rows)[["aug_copies", "lr", "epochs", "val_acc"]]
    return out, grid


def _images_per_second(sp, views, aug_copies, seconds) -> float:
    n = sum(len(sp.numbers(w)) for w in fl.SPLITS) * len(views) + len(sp.train) * aug_copies
    return n / seconds if seconds > 0 else float("nan")


def scratch_part(sp: fl.FlowersSplit) -> ModelResult:
    from lib.deep import finetune as ft

    cfg = scratch_config()
    res = ft.train_scratch(cfg, sp)
    return ModelResult(
        name="scratch CNN (3 conv + 2 FC)",
        short="the scratch CNN",
        history=res["history"],
        val_acc=float(res["val_acc"]),
        test_acc=float(res["test_acc"]),
        test_pred=np.asarray(res["test_prob"]).argmax(1),
        params=int(res["params"]),
        trainable=int(res["params"]),
        seconds=float(res["seconds"]) + float(res["load_seconds"]),
        detail={"config": asdict(cfg)},
    )


def run() -> FinetuneChapter:
    from lib.data import provenance_text, source
    from lib.deep import finetune as ft

    start = time.perf_counter()
    try:
        sp = split()
    except DataError as exc:  # no Flowers-17 images: neither model can be trained
        return _without_flowers(exc, start)
    state, origin, _ = ft.pretrained_weights()
    squeeze = grid = None
    if state is not None:
        squeeze, grid = squeezenet_part(sp)
    scratch = scratch_part(sp)
    data_source = source("flowers17")
    weights_source = source("squeezenet") if state is not None else f"no pretrained weights: {origin}"
    chapter = FinetuneChapter(
        split=sp,
        classes=fl.CLASSES,
        weights_available=state is not None,
        weights_note=origin,
        squeeze=squeeze,
        scratch=scratch,
        grid=grid,
        seconds=time.perf_counter() - start,
        data_source=data_source,
        weights_source=weights_source,
    )
    _record(chapter, provenance_text())
    return chapter


def _without_flowers(exc: Exception, start: float) -> FinetuneChapter:
    """No Flowers-17 images: both models are skipped, Q7.2.1 is recorded as not run."""
    from lib.data import source
    from lib.pipelines.missing import FILES, not_run, reason

    why = reason(exc)
    chapter = FinetuneChapter(
        split=None, classes=fl.CLASSES, weights_available=False, weights_note="not used (no Flowers-17 images)",
        squeeze=None, scratch=None, grid=None, seconds=time.perf_counter() - start,
        data_source=source("flowers17"), weights_source="not used (no Flowers-17 images)", missing=why,
    )
    not_run("Q7.2.1", "Oxford Flowers-17", FILES["flowers17"])
    return chapter


def _record(ch: FinetuneChapter, provenance: str) -> None:
    data = f"{ch.data_source}; {ch.weights_source}"
    if ch.squeeze is not None:
        results.record(
            "Q7.2.1",
            ch.squeeze.test_acc,
            goal=GOAL,
            data=data,
            display=f"SqueezeNet {100 * ch.squeeze.test_acc:.1f}% vs. scratch CNN {100 * ch.scratch.test_acc:.1f}% (test)",
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
            data=data,
            display=f"no pretrained weights ({ch.weights_note}); scratch CNN {100 * ch.scratch.test_acc:.1f}% (test)",
            scratch_test_acc=ch.scratch.test_acc,
        )
