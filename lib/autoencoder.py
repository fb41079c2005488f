"""The Q5 autoencoder, 1024-32-32-32-1024, from the ``lib.nn`` layers, trained with momentum.

The network is ``NetworkSpec.autoencoder()``: three dense layers of 32 ReLU units and a
1024-unit sigmoid output, the loss is the total squared error between the output and the
input (Q5.1.1), and the optimiser is ``lib.nn.Momentum`` (Q5.1.2: ``M = 0.9 M - lr dJ/dW``,
``W = W + M``, one zero-initialised accumulator per parameter). No layer is implemented
twice: forward, backward and the update are ``lib.nn``'s.

>>> cfg = AEConfig()                                   # the handout's defaults
>>> result = train_autoencoder(cfg)                     # cached on disk
>>> X_hat = reconstruct(params_of(result), X)
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from lib import cache, config
from lib.data import load_nist36, nist36_fingerprint
from lib.nn import SGD, Momentum, NetworkSpec, evaluate, init_params, param_names, predict, train_epoch

__all__ = ["AEConfig", "params_of", "n_parameters", "reconstruct", "spec_of", "train_autoencoder"]


@dataclass(frozen=True)
class AEConfig:
    """Hyper-parameters of the autoencoder; the defaults are the handout's (Q5.2).

    "The provided default settings" are those of the homework's starter script ``run_q5.py``:
    ``batch_size = 36``, ``learning_rate = 3e-5``, ``hidden_size = 32``, 100 epochs, momentum
    0.9, and two habits of its loop: the mini-batches are drawn once, before the first epoch,
    and visited in the same order every epoch (``reshuffle=False``), and the learning rate is
    multiplied by 0.9 after every 20th epoch (its ``lr_rate = 20``: ``lr_decay``,
    ``lr_decay_every``). ``reshuffle=True, lr_decay=1.0`` is the chapter-3 habit (a fresh
    permutation every epoch, constant rate), kept for comparison.
    """

    lr: float = 3e-5
    batch_size: int = 36
    epochs: int = 100
    momentum: float = 0.9
    hidden: int = 32
    lr_decay: float = 0.9
    lr_decay_every: int = 20
    reshuffle: bool = False
    n_train: int | None = None  # a seeded subset of the training split (quick profile)
    seed: int = config.SEED

    def __post_init__(self) -> None:
        if not (0 < self.lr_decay <= 1 and self.lr_decay_every >= 1):
            raise ValueError(f"AEConfig: need 0 < lr_decay <= 1 and lr_decay_every >= 1 (got {self})")

    def lr_at(self, epoch: int) -> float:
        """The learning rate used during ``epoch`` (1-based)."""
        return self.lr * self.lr_decay ** ((epoch - 1) // self.lr_decay_every)


def spec_of(cfg: AEConfig) -> NetworkSpec:
    return NetworkSpec.autoencoder(hidden=(cfg.hidden,) * 3)


def params_of(result: dict) -> dict[str, np.ndarray]:
    """The learned parameters ``W1, b1, ..., W4, b4`` of a ``train_autoencoder`` result."""
    return {k: result[k] for k in param_names(NetworkSpec.autoencoder(hidden=(result["W1"].shape[1],) * 3))}


def n_parameters(params: dict[str, np.ndarray]) -> int:
    """Number of learned numbers: every weight and bias, counted from the arrays."""
    return int(sum(np.asarray(v).size for k, v in params.items() if k[:1] in ("W", "b")))


def reconstruct(params: dict[str, np.ndarray], X: np.ndarray) -> np.ndarray:
    """Pass images (N, 1024) through the autoencoder: their reconstructions (N, 1024)."""
    hidden = params["W1"].shape[1]
    spec = NetworkSpec.autoencoder(hidden=(hidden,) * 3)
    return predict(params, spec, np.asarray(X, dtype=params["W1"].dtype))


def _subset(X: np.ndarray, n: int | None, seed: int) -> np.ndarray:
    if n is None or n >= len(X):
        return X
    return X[np.sort(np.random.default_rng(seed).permutation(len(X))[:n])]


@cache.cached("autoencoder", code=("lib.nn",), data=(nist36_fingerprint,))
def train_autoencoder(cfg: AEConfig) -> dict:
    """Train on the NIST36 training images (targets = inputs); validation loss per epoch.

    Returns the parameters ``W1..b4`` and, per epoch (``epoch`` = 0..epochs, 0 = initialised):
    ``epoch_loss``, the training loss as the handout's script plots it (the batch losses of
    the epoch, summed while training, divided by the number of images; NaN at epoch 0);
    ``train_loss`` and ``valid_loss``, the squared error per image of the whole split measured
    after the epoch; and ``seconds`` (wall-clock training time when it trained).
    """
    # C order: the .mat files load column-major, and gathering mini-batch rows from a
    # column-major array is dozens of times slower.
    x_train = np.ascontiguousarray(_subset(np.asarray(load_nist36("train")[0], dtype=np.float32), cfg.n_train, cfg.seed))
    x_valid = np.ascontiguousarray(load_nist36("valid")[0], dtype=np.float32)
    spec = spec_of(cfg)
    init_ss, batch_ss = np.random.SeedSequence(cfg.seed).spawn(2)
    params = init_params(spec, int(init_ss.generate_state(1)[0]), np.float32)
    rng = np.random.default_rng(batch_ss)
    optimizer = Momentum(cfg.lr, cfg.momentum) if cfg.momentum else SGD(cfg.lr)
    history: dict[str, list] = {"epoch": [], "epoch_loss": [], "train_loss": [], "valid_loss": []}

    def measure(epoch: int, running: float) -> None:
        history["epoch"].append(epoch)
        history["epoch_loss"].append(running)
        history["train_loss"].append(evaluate(params, spec, x_train, x_train)[0])
        history["valid_loss"].append(evaluate(params, spec, x_valid, x_valid)[0])

    start = time.perf_counter()
    measure(0, float("nan"))
    for epoch in range(1, cfg.epochs + 1):
        if not cfg.reshuffle:  # the same generator state every epoch: the same batches, same order
            rng = np.random.default_rng(batch_ss)
        optimizer.lr = cfg.lr_at(epoch)
        # the handout's loss: total squared error of each batch ("sum")
        total = train_epoch(params, spec, x_train, x_train, optimizer, cfg.batch_size, rng, "sum")
        measure(epoch, total / len(x_train))
    seconds = time.perf_counter() - start
    out: dict = dict(params)
    out.update({k: np.asarray(v, dtype=np.int64 if k == "epoch" else np.float64) for k, v in history.items()})
    out["seconds"] = float(seconds)
    return out
