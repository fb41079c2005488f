"""Mini-batches and the training loop (Q2.4.1; momentum for Q5.1.2).

>>> spec = NetworkSpec.classifier()
>>> cfg = TrainConfig(lr=0.1, batch_size=32, epochs=30)
>>> params, history = train(spec, cfg, X_train, y_train, X_valid, y_valid)
>>> history["valid_acc"][-1]

``history`` is a flat dict of numpy arrays (cache-friendly), one entry per epoch *including
epoch 0*, the freshly initialised network:

* ``epoch``: ``0, 1, ..., epochs``;
* ``train_loss``, ``valid_loss``: loss averaged over the examples of the whole split, measured
  at the end of each epoch (cross-entropy for a classifier, total squared error per example for
  the autoencoder);
* ``train_acc``, ``valid_acc``: accuracy (classifiers only);
* ``init_W1``, ``init_b1``, ...: the parameters right after initialisation, when
  ``keep_initial=True`` (chapter 3's "weights right after initialisation").
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

import numpy as np

from lib.nn.losses import REDUCTIONS
from lib.nn.network import NetworkSpec, evaluate, init_params, loss_and_grads
from lib.nn.optim import make_optimizer

__all__ = ["TrainConfig", "minibatches", "train", "train_epoch"]


def minibatches(n: int, batch_size: int, rng: np.random.Generator) -> Iterator[np.ndarray]:
    """Index arrays of one epoch: one permutation of ``range(n)`` cut into batches.

    Every example appears exactly once per epoch; the last batch is smaller when ``batch_size``
    does not divide ``n``. Each call draws a fresh permutation from ``rng``.
    """
    if batch_size <= 0:
        raise ValueError(f"batch_size must be positive, got {batch_size}")
    order = rng.permutation(n)
    for start in range(0, n, batch_size):
        yield order[start : start + batch_size]


@dataclass(frozen=True)
class TrainConfig:
    """Hyper-parameters of one training run (the cache key of a trained network).

    ``momentum=0`` is plain SGD, ``0.9`` the homework's momentum. ``reduction`` is how the
    batch loss is formed: ``"mean"`` (learning rate independent of the batch size) or ``"sum"``
    (the homework's loss; the same step as ``"mean"`` with ``lr * batch_size``).
    """

    lr: float = 0.1
    batch_size: int = 32
    epochs: int = 50
    momentum: float = 0.0
    seed: int = 0
    reduction: str = "mean"

    def __post_init__(self) -> None:
        if self.reduction not in REDUCTIONS:
            raise ValueError(f"TrainConfig.reduction must be one of {REDUCTIONS}, not {self.reduction!r}")
        if self.epochs < 0 or self.batch_size <= 0 or not self.lr > 0:
            raise ValueError(f"TrainConfig: need epochs >= 0, batch_size > 0, lr > 0 (got {self})")


def _rngs(seed: int) -> tuple[int, np.random.Generator]:
    """A seed for the initialisation and a generator for the batches, both derived from ``seed``."""
    init_ss, batch_ss = np.random.SeedSequence(seed).spawn(2)
    return int(init_ss.generate_state(1)[0]), np.random.default_rng(batch_ss)


def train_epoch(
    params: dict[str, np.ndarray], spec: NetworkSpec, x: np.ndarray, y: np.ndarray,
    optimizer, batch_size: int, rng: np.random.Generator, reduction: str = "mean",
) -> float:
    """One pass over ``(x, y)`` in random mini-batches, updating ``params`` in place.

    Returns the training loss summed over the epoch's batches (as seen during the epoch).
    """
    total = 0.0
    for idx in minibatches(len(x), batch_size, rng):
        xb = np.take(x, idx, axis=0)  # faster than x[idx]
        yb = xb if y is x else np.take(y, idx, axis=0)  # the autoencoder's target is its input: one gather
        loss, grads, _ = loss_and_grads(params, spec, xb, yb, reduction)
        optimizer.step(params, grads)
        total += loss
    return total


def train(
    spec: NetworkSpec, cfg: TrainConfig, x_train: np.ndarray, y_train: np.ndarray,
    x_valid: np.ndarray | None = None, y_valid: np.ndarray | None = None, *,
    params: dict[str, np.ndarray] | None = None, keep_initial: bool = False,
    dtype=np.float32, on_epoch: Callable[[int, dict, dict], None] | None = None,
    progress: Callable[..., Iterable[int]] | None = None,
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Train ``spec`` with ``cfg`` and return ``(params, history)`` (see the module docstring).

    ``params`` gives the initial parameters (copied); by default they are Xavier-initialised
    from ``cfg.seed``. ``y_*`` are labels for a classifier and targets for the autoencoder
    (pass ``x`` itself). Training runs in ``dtype`` (float32). ``on_epoch(epoch, params,
    history)`` is called after each epoch. ``progress(iterable, desc=...)`` wraps the epochs in a
    progress bar: report-facing code passes ``lib.progress.bar`` (tqdm in a terminal, silent
    in rendered pages); this module imports no tqdm (the homework's import rules).
    A rerun with the same inputs gives identical numbers.
    """
    init_seed, rng = _rngs(cfg.seed)
    x_train = np.asarray(x_train, dtype=dtype)
    if not spec.is_classifier:
        y_train = np.asarray(y_train, dtype=dtype)
    if params is None:
        params = init_params(spec, init_seed, dtype)
    else:
        params = {k: np.array(v, dtype=dtype) for k, v in params.items()}
    has_valid = x_valid is not None and y_valid is not None
    if has_valid:
        x_valid = np.asarray(x_valid, dtype=dtype)
        if not spec.is_classifier:
            y_valid = np.asarray(y_valid, dtype=dtype)

    history: dict[str, list] = {"epoch": [], "train_loss": [], "valid_loss": []}
    if spec.is_classifier:
        history.update(train_acc=[], valid_acc=[])

    def measure(epoch: int) -> None:
        history["epoch"].append(epoch)
        for split, xs, ys in (("train", x_train, y_train), ("valid", x_valid, y_valid)):
            loss, acc = evaluate(params, spec, xs, ys) if (split == "train" or has_valid) else (np.nan, np.nan)
            history[f"{split}_loss"].append(loss)
            if spec.is_classifier:
                history[f"{split}_acc"].append(acc)

    initial = {f"init_{k}": v.copy() for k, v in params.items()} if keep_initial else {}
    optimizer = make_optimizer(cfg.lr, cfg.momentum)
    measure(0)
    epochs: Iterable[int] = range(1, cfg.epochs + 1)
    if progress is not None:
        epochs = progress(epochs, desc=f"train {'-'.join(map(str, spec.sizes))}")
    for epoch in epochs:
        train_epoch(params, spec, x_train, y_train, optimizer, cfg.batch_size, rng, cfg.reduction)
        measure(epoch)
        if on_epoch is not None:
            on_epoch(epoch, params, history)
    out = {k: np.asarray(v, dtype=np.int64 if k == "epoch" else np.float64) for k, v in history.items()}
    out.update(initial)
    return params, out
