"""Chapter 3's training recipe for the 1024-64-36 classifier, built on ``lib.nn``, cached.

The network, loss and optimiser are exactly the homework's (``NetworkSpec.classifier()``:
sigmoid hidden layer of 64 units, softmax output, cross-entropy, plain mini-batch SGD). Two
choices of the *training procedure*, both stated in chapter 3 and both switchable here:

* ``ink_positive``: the network is trained on ``1 - x`` (ink 1, paper 0) instead of the .mat
  files' dark ink on white paper. Only the strokes then feed the first layer, so the gradient
  of ``W1`` is not dominated by the constant background. This is an affine change of the
  input, so after training it is folded into the first layer (``raw_input_params``): the
  network handed to other chapters takes images in the homework's convention.
* ``max_shift``: every epoch each training image is shifted by a random whole number of
  pixels in ``[-max_shift, max_shift]`` along each axis (filled with paper). Handwriting is
  not centred to the pixel, and this keeps 64 sigmoid units from memorising positions.

``train_mlp(cfg)`` is cached on disk by ``lib.cache.cached``: the key is the configuration,
the NIST36 fingerprint and the source of this module and ``lib.nn``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from lib import cache, config
from lib.data import load_nist36, nist36_fingerprint
from lib.nn import NetworkSpec, evaluate, init_params, make_optimizer, train_epoch

__all__ = [
    "MLPConfig",
    "load_split",
    "raw_input_params",
    "shift_images",
    "spec_of",
    "to_model_input",
    "train_mlp",
]


@dataclass(frozen=True)
class MLPConfig:
    """Hyper-parameters of one chapter-3 training run (its cache key, with the data)."""

    lr: float = 0.3
    batch_size: int = 32
    epochs: int = 40
    hidden: int = 64
    momentum: float = 0.0
    ink_positive: bool = True
    max_shift: int = 1
    n_train: int | None = None  # a class-balanced subset of the training split (quick profile)
    n_valid: int | None = None
    seed: int = config.SEED

    def with_lr(self, lr: float) -> MLPConfig:
        from dataclasses import replace

        return replace(self, lr=float(lr))


def spec_of(cfg: MLPConfig) -> NetworkSpec:
    return NetworkSpec.classifier(hidden=cfg.hidden)


def load_split(split: str, n: int | None = None, seed: int = config.SEED) -> tuple[np.ndarray, np.ndarray]:
    """``(X, y)`` of a NIST36 split, or a seeded subset of ``n`` images (same order each time)."""
    X, y, _ = load_nist36(split)
    if n is not None and n < len(X):
        idx = np.sort(np.random.default_rng(seed).permutation(len(X))[:n])
        X, y = X[idx], y[idx]
    return X, y


def to_model_input(X: np.ndarray, cfg: MLPConfig) -> np.ndarray:
    """Images in the homework's convention -> what the network is trained on (float32)."""
    X = np.asarray(X, dtype=np.float32)
    return (np.float32(1.0) - X) if cfg.ink_positive else X


def shift_images(X: np.ndarray, max_shift: int, rng: np.random.Generator, fill: float) -> np.ndarray:
    """Shift each (1024,) image row by random whole pixels in [-max_shift, max_shift] per axis.

    The shift applies to the 32x32 grid of the row (either storage order: a shift is a shift);
    uncovered pixels take ``fill``. Returns a new contiguous array.
    """
    if max_shift <= 0:
        return X
    n, s = len(X), max_shift
    grid = X.reshape(n, 32, 32)
    padded = np.pad(grid, ((0, 0), (s, s), (s, s)), constant_values=fill)
    dr = rng.integers(0, 2 * s + 1, n)
    dc = rng.integers(0, 2 * s + 1, n)
    out = np.empty_like(grid)
    for a in range(2 * s + 1):
        for b in range(2 * s + 1):
            m = (dr == a) & (dc == b)
            out[m] = padded[m, a : a + 32, b : b + 32]
    return out.reshape(n, 1024)


def raw_input_params(params: dict[str, np.ndarray], cfg: MLPConfig) -> dict[str, np.ndarray]:
    """Parameters that take images in the homework's convention (ink dark, paper 1).

    With ``ink_positive`` the network saw ``1 - x``: ``(1 - x) W1 + b1 = x (-W1) + (b1 + 1 W1)``,
    so the first layer is rewritten exactly and the other layers are unchanged.
    """
    out = {k: np.array(v) for k, v in params.items() if not k.startswith("init_")}
    if cfg.ink_positive:
        W1, b1 = out["W1"].astype(np.float64), out["b1"].astype(np.float64)
        out["W1"] = (-W1).astype(params["W1"].dtype)
        out["b1"] = (b1 + W1.sum(axis=0)).astype(params["b1"].dtype)
    return out


@cache.cached("mlp", code=("lib.nn",), data=(nist36_fingerprint,))
def train_mlp(cfg: MLPConfig) -> dict:
    """Train the classifier with ``cfg`` on NIST36.

    Returns ``W1, b1, W2, b2`` (in the model's input convention, see ``to_model_input``),
    ``init_W1, ...`` (right after initialisation), the per-epoch history ``epoch`` (0..epochs),
    ``train_loss, valid_loss, train_acc, valid_acc`` (on the unshifted images), and
    ``seconds`` (wall-clock training time, measured when it trained).
    """
    spec = spec_of(cfg)
    x_train, y_train = load_split("train", cfg.n_train, cfg.seed)
    x_valid, y_valid = load_split("valid", cfg.n_valid, cfg.seed)
    x_train, x_valid = to_model_input(x_train, cfg), to_model_input(x_valid, cfg)
    fill = 0.0 if cfg.ink_positive else 1.0

    init_ss, batch_ss, shift_ss = np.random.SeedSequence(cfg.seed).spawn(3)
    params = init_params(spec, int(init_ss.generate_state(1)[0]), np.float32)
    initial = {f"init_{k}": v.copy() for k, v in params.items()}
    batch_rng, shift_rng = np.random.default_rng(batch_ss), np.random.default_rng(shift_ss)
    optimizer = make_optimizer(cfg.lr, cfg.momentum)

    history: dict[str, list] = {k: [] for k in ("epoch", "train_loss", "valid_loss", "train_acc", "valid_acc")}

    def measure(epoch: int) -> None:
        history["epoch"].append(epoch)
        for split, xs, ys in (("train", x_train, y_train), ("valid", x_valid, y_valid)):
            loss, acc = evaluate(params, spec, xs, ys)
            history[f"{split}_loss"].append(loss)
            history[f"{split}_acc"].append(acc)

    start = time.perf_counter()
    measure(0)
    with np.errstate(over="ignore"):  # a diverging learning rate (10x the best) saturates sigmoids
        for epoch in range(1, cfg.epochs + 1):
            xs = np.ascontiguousarray(shift_images(x_train, cfg.max_shift, shift_rng, fill))
            train_epoch(params, spec, xs, y_train, optimizer, cfg.batch_size, batch_rng, "mean")
            measure(epoch)
    seconds = time.perf_counter() - start

    out: dict = {k: np.asarray(v, dtype=np.int64 if k == "epoch" else np.float64) for k, v in history.items()}
    out.update(params)
    out.update(initial)
    out["seconds"] = float(seconds)
    return out
