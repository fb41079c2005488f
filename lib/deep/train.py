"""The one training loop of the book's PyTorch chapters (7.1 and 7.2).

>>> from lib.deep import models, train
>>> cfg = train.TrainConfig(epochs=5, lr=3e-3)
>>> history = train.fit(model, train_loader, valid_loader, cfg)         # trains in place
>>> loss, acc = train.evaluate(model, test_loader)
>>> trained = train.fit_cached("mnist-cnn", make_model, make_loaders, cfg,
...                            specs=(spec,), data=(train_split.fingerprint, valid_split.fingerprint))
>>> trained.model, trained.history, trained.seconds, trained.cached

* Device-agnostic: ``cfg.device="auto"`` uses CUDA when present, else the CPU, where ``fit``,
  ``evaluate`` and ``predict`` run with a fixed number of threads (:data:`TORCH_THREADS`), so
  a rerun on another machine, or on a busy one, gives the same numbers.
* Seeded: ``torch.manual_seed(cfg.seed)`` before the model is built (in ``fit_cached``) and
  before training; batches are shuffled by a generator seeded from ``cfg.seed``.
* Loaders are any iterables of ``(x, y)`` batches with ``len()``: a ``torch.utils.data.DataLoader``
  or the light :class:`TensorLoader` for data that is already one tensor (no per-item collate).
* History per epoch: training loss/accuracy (running means over the epoch's batches, in training
  mode, so with augmentation and dropout), validation loss/accuracy (eval mode), seconds.
* ``augment(x) -> x`` (optional) is applied to each training batch on the device.
* Progress bars only through the ``progress`` argument (report code passes
  ``lib.progress.counter``: tqdm in a terminal, silent in rendered pages).
* ``fit_cached`` stores ``{"state_dict", "history", "meta"}`` with ``torch.save``, atomically
  (:func:`lib.cache.atomic_write`) under ``cache_path(name, key)``, the key
  (:func:`training_key`) made by :func:`lib.cache.key` of the config, the caller's ``specs``
  (model, augmentation), the fingerprints of the ``data`` the loaders read and the
  source of the code (this module, ``lib.deep.models`` and the caller's ``code`` modules); it
  loads with ``torch.load(..., weights_only=True)``. A checkpoint that cannot be loaded into
  the model (empty, truncated, garbage, wrong keys) is reported once, moved aside and trained
  again (:func:`lib.cache.read_or_heal`).
"""

from __future__ import annotations

import contextlib
import functools
import math
import os
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from lib import cache, config

#: Modules whose source every cached training depends on.
CODE = ("lib.deep.train", "lib.deep.models")


@dataclass(frozen=True)
class TrainConfig:
    epochs: int = 5
    batch_size: int = 128
    optimizer: str = "adamw"  # "adamw" | "adam" | "sgd"
    lr: float = 3e-3  # peak learning rate for "onecycle", the rate for "constant"
    weight_decay: float = 5e-4
    momentum: float = 0.9  # sgd only
    schedule: str = "onecycle"  # "onecycle" | "cosine" | "constant"
    label_smoothing: float = 0.0
    seed: int = config.SEED
    device: str = "auto"  # "auto" | "cpu" | "cuda" | "cuda:1" ...


@dataclass
class History:
    """Per-epoch curves; lists of floats so they serialise as they are."""

    train_loss: list[float] = field(default_factory=list)
    train_acc: list[float] = field(default_factory=list)
    valid_loss: list[float] = field(default_factory=list)
    valid_acc: list[float] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)

    def as_dict(self) -> dict[str, list[float]]:
        return {k: [float(v) for v in vs] for k, vs in asdict(self).items()}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> History:
        return cls(**{k: [float(v) for v in d.get(k, [])] for k in cls.__dataclass_fields__})

    @property
    def epochs(self) -> int:
        return len(self.train_loss)

    @property
    def seconds_per_epoch(self) -> float:
        return sum(self.seconds) / max(len(self.seconds), 1)


@dataclass
class Trained:
    """What ``fit_cached`` returns: the model (eval mode), its history and how it was obtained."""

    model: nn.Module
    history: History
    seconds: float  # wall time of the training when it ran (also when loaded from the cache)
    cached: bool  # True when loaded from the cache now
    path: Path
    meta: dict[str, Any] = field(default_factory=dict)


# ----------------------------------------------------------------------------- helpers
#: Torch's CPU threads for training and inference. Fixed, not the machine's core count or its
#: load: a float sum split over another number of threads rounds differently, so the trained
#: weights (and the book's numbers) would depend on the machine and on how busy it was. One,
#: the count the recipes' hyper-parameters were chosen with (``lib.deep.recipes``), so their
#: recorded validation accuracies are what a training gives.
#: ``HW5_TORCH_THREADS`` overrides it (the numbers may then differ in the last digits).
TORCH_THREADS = 1


def thread_count() -> int:
    """The threads :func:`torch_threads` uses by default: ``$HW5_TORCH_THREADS``, else :data:`TORCH_THREADS`."""
    env = os.environ.get("HW5_TORCH_THREADS")
    return max(1, int(env) if env else TORCH_THREADS)


@contextlib.contextmanager
def torch_threads(n: int | None = None):
    """Run with ``n`` torch threads (default: :func:`thread_count`)."""
    n = thread_count() if n is None else max(1, n)
    before = torch.get_num_threads()
    torch.set_num_threads(n)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def _with_torch_threads(fn):
    @functools.wraps(fn)
    def run(*args, **kwargs):
        with torch_threads():
            return fn(*args, **kwargs)

    return run


def resolve_device(name: str = "auto") -> torch.device:
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    return torch.device(name)


class TensorLoader:
    """Batches ``(x[idx], y[idx])`` from in-memory tensors; shuffled by a seeded generator.

    Each pass draws a new permutation from its own generator, so epoch ``k`` of a rerun sees
    the same batches. Much cheaper than a DataLoader over a TensorDataset (no per-item collate).
    """

    def __init__(self, x: torch.Tensor, y: torch.Tensor, batch_size: int = 128, shuffle: bool = False,
                 seed: int = config.SEED):
        if len(x) != len(y):
            raise ValueError(f"TensorLoader: {len(x)} inputs but {len(y)} labels")
        self.x, self.y, self.batch_size, self.shuffle = x, y, int(batch_size), shuffle
        self.generator = torch.Generator().manual_seed(seed)

    def __len__(self) -> int:
        return math.ceil(len(self.y) / self.batch_size)

    def __iter__(self):
        n = len(self.y)
        order = torch.randperm(n, generator=self.generator) if self.shuffle else torch.arange(n)
        for start in range(0, n, self.batch_size):
            idx = order[start:start + self.batch_size]
            yield self.x[idx], self.y[idx]


def tensor_loaders(train, valid=None, batch_size: int = 128, seed: int = config.SEED,
                   eval_batch_size: int = 1000):
    """``(train_loader, valid_loader)`` for objects with ``.x``/``.y`` (e.g. ``TensorSplit``)."""
    tl = TensorLoader(train.x, train.y, batch_size, shuffle=True, seed=seed)
    vl = TensorLoader(valid.x, valid.y, eval_batch_size) if valid is not None else None
    return tl, vl


def make_optimizer(params: Iterable, cfg: TrainConfig) -> torch.optim.Optimizer:
    if cfg.optimizer == "adamw":
        return torch.optim.AdamW(params, lr=cfg.lr, weight_decay=cfg.weight_decay)
    if cfg.optimizer == "adam":
        return torch.optim.Adam(params, lr=cfg.lr, weight_decay=cfg.weight_decay)
    if cfg.optimizer == "sgd":
        return torch.optim.SGD(params, lr=cfg.lr, momentum=cfg.momentum, weight_decay=cfg.weight_decay)
    raise ValueError(f"TrainConfig.optimizer={cfg.optimizer!r}; expected 'adamw', 'adam' or 'sgd'")


def make_scheduler(opt: torch.optim.Optimizer, cfg: TrainConfig, steps_per_epoch: int):
    """A per-batch scheduler, or None for a constant rate."""
    total = max(cfg.epochs * steps_per_epoch, 1)
    if cfg.schedule == "onecycle":
        if total < 4:  # too short to warm up and anneal
            return None
        return torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=cfg.lr, total_steps=total,
                                                   pct_start=max(0.25, 2 / total))
    if cfg.schedule == "cosine":
        return torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=total)
    if cfg.schedule == "constant":
        return None
    raise ValueError(f"TrainConfig.schedule={cfg.schedule!r}; expected 'onecycle', 'cosine' or 'constant'")


#: ``progress(total, desc) -> bar or None``; a bar has ``update(n)``, ``set_postfix(**kw)``,
#: ``close()`` (tqdm's). Report-facing code passes ``lib.progress.counter``; this module
#: imports no tqdm (the homework's import rules).
Progress = Callable[[int, str], Any]


# ----------------------------------------------------------------------------- loop
@_with_torch_threads
def fit(model: nn.Module, train_loader, valid_loader, cfg: TrainConfig, *,
        augment: Callable[[torch.Tensor], torch.Tensor] | None = None, desc: str = "train",
        progress: Progress | None = None) -> History:
    """Train ``model`` in place for ``cfg.epochs``; return the per-epoch :class:`History`.

    ``progress(total_batches, desc)`` may return a progress bar (see ``Progress``)."""
    device = resolve_device(cfg.device)
    torch.manual_seed(cfg.seed)
    model.to(device)
    opt = make_optimizer([p for p in model.parameters() if p.requires_grad], cfg)
    sched = make_scheduler(opt, cfg, len(train_loader))
    history = History()
    bar = progress(cfg.epochs * len(train_loader), desc) if progress is not None else None
    try:
        for epoch in range(cfg.epochs):
            start = time.perf_counter()
            model.train()
            loss_sum, correct, seen = 0.0, 0, 0
            for x, y in train_loader:
                x, y = x.to(device, non_blocking=True), y.to(device, non_blocking=True)
                if augment is not None:
                    x = augment(x)
                logits = model(x)
                loss = F.cross_entropy(logits, y, label_smoothing=cfg.label_smoothing)
                opt.zero_grad(set_to_none=True)
                loss.backward()
                opt.step()
                if sched is not None:
                    sched.step()
                n = len(y)
                loss_sum += float(loss.detach()) * n
                correct += int((logits.argmax(1) == y).sum())
                seen += n
                if bar is not None:
                    bar.update(1)
                    bar.set_postfix(epoch=epoch + 1, loss=f"{loss_sum / seen:.3f}")
            if not math.isfinite(loss_sum):
                raise FloatingPointError(f"{desc}: training loss became {loss_sum} in epoch {epoch + 1}; lower cfg.lr")
            history.train_loss.append(loss_sum / max(seen, 1))
            history.train_acc.append(correct / max(seen, 1))
            if valid_loader is not None:
                vloss, vacc = evaluate(model, valid_loader, device=device)
            else:
                vloss, vacc = float("nan"), float("nan")
            history.valid_loss.append(vloss)
            history.valid_acc.append(vacc)
            history.seconds.append(time.perf_counter() - start)
    finally:
        if bar is not None:
            bar.close()
    model.eval()
    return history


@_with_torch_threads
@torch.no_grad()
def evaluate(model: nn.Module, loader, device: torch.device | str | None = None) -> tuple[float, float]:
    """Mean cross-entropy and accuracy of ``model`` (eval mode) over a loader."""
    device = torch.device(device) if device is not None else next(model.parameters()).device
    model.eval()
    loss_sum, correct, seen = 0.0, 0, 0
    for x, y in loader:
        x, y = x.to(device), y.to(device)
        logits = model(x)
        loss_sum += float(F.cross_entropy(logits, y, reduction="sum"))
        correct += int((logits.argmax(1) == y).sum())
        seen += len(y)
    if seen == 0:
        raise ValueError("evaluate: the loader yielded no items")
    return loss_sum / seen, correct / seen


@_with_torch_threads
@torch.no_grad()
def predict(model: nn.Module, x: torch.Tensor, batch_size: int = 1000) -> torch.Tensor:
    """Logits for a tensor of inputs, in eval mode, batched; returned on the CPU."""
    device = next(model.parameters()).device
    model.eval()
    outs = [model(x[i:i + batch_size].to(device)).float().cpu() for i in range(0, len(x), batch_size)]
    return torch.cat(outs) if outs else torch.empty(0)


def probabilities(model: nn.Module, x: torch.Tensor) -> np.ndarray:
    """Softmax of :func:`predict`'s logits, float32 numpy (N, classes)."""
    return torch.softmax(predict(model, x), dim=1).numpy().astype(np.float32)


# ----------------------------------------------------------------------------- cached
def training_key(name: str, cfg: TrainConfig, *specs: Any, data: Iterable[Any] = (),
                 code: Iterable[str] = ()) -> str:
    """The cache key of a training (:func:`lib.cache.key`): its name, ``cfg`` and the ``specs``
    of what is trained (model, augmentation), the ``data`` fingerprints and the source of
    :data:`CODE` and ``code``."""
    return cache.key(name, cfg, *specs, data=data, code=(*CODE, *code))


def _load_checkpoint(path: Path, model: nn.Module) -> dict[str, Any]:
    """Load a ``fit_cached`` checkpoint into ``model``; raises if any part is missing or wrong."""
    saved = torch.load(path, map_location="cpu", weights_only=True)
    if not isinstance(saved, dict) or not isinstance(saved.get("history"), dict):
        raise ValueError(f"a {type(saved).__name__}, not the dict fit_cached saves")
    model.load_state_dict(saved["state_dict"])
    return {"history": History.from_dict(saved["history"]), "meta": dict(saved.get("meta", {}))}


def fit_cached(name: str, make_model: Callable[[], nn.Module], make_loaders: Callable[[], tuple],
               cfg: TrainConfig, *, specs: tuple = (), data: Iterable[Any] = (), augment: Callable | None = None,
               code: tuple[str, ...] = (), progress: Progress | None = None) -> Trained:
    """Train once per key (:func:`training_key`) and reuse the saved ``state_dict`` afterwards.

    ``make_model()`` builds the architecture (called after seeding, so initial weights are
    reproducible); ``make_loaders()`` returns ``(train_loader, valid_loader)`` and is called only
    when training is needed. Both are closures, so the key names what they build from:
    ``specs``, the settings they use (model spec, augmentation spec), and ``data``, the
    fingerprints of the data the loaders read; ``code`` names extra modules whose source counts
    (``lib.deep.train`` and ``lib.deep.models`` always do).
    """
    path = cache.cache_path(name, training_key(name, cfg, *specs, data=data, code=code), suffix=".pt")
    torch.manual_seed(cfg.seed)
    model = make_model()
    if path.exists():
        saved = cache.read_or_heal(path, lambda p: _load_checkpoint(p, model))
        if saved is not None:
            model.to(resolve_device(cfg.device)).eval()
            meta = saved["meta"]
            return Trained(model, saved["history"], float(meta.get("seconds", float("nan"))), True, path, meta)
        torch.manual_seed(cfg.seed)  # the failed load may have filled part of the model: start afresh
        model = make_model()
    train_loader, valid_loader = make_loaders()
    start, cpu_start = time.perf_counter(), time.process_time()
    history = fit(model, train_loader, valid_loader, cfg, augment=augment, desc=name, progress=progress)
    seconds = time.perf_counter() - start
    meta = {
        "seconds": seconds,
        "cpu_seconds": time.process_time() - cpu_start,  # all threads; vs. seconds: how loaded the machine was
        "device": str(resolve_device(cfg.device)),
        "threads": thread_count(),  # what fit trained with (torch_threads restores the count after it)
        "torch": str(torch.__version__),
        "profile": config.profile(),
    }
    state = {k: v.detach().cpu() for k, v in model.state_dict().items()}
    payload = {"state_dict": state, "history": history.as_dict(), "meta": meta}
    cache.atomic_write(path, lambda tmp: torch.save(payload, tmp))
    model.eval()
    return Trained(model, history, seconds, False, path, meta)
