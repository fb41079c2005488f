"""Chapter 5 (Image compression with autoencoders, Q5.1.1-Q5.3.2).

``run()`` trains (or loads) the 1024-32-32-32-1024 autoencoder of ``lib.autoencoder`` with
the handout's defaults (batch 36, learning rate 3e-5 times 0.9 every 20 epochs, momentum 0.9,
batches drawn once, 100 epochs in the full profile), and, for the loss curve of Q5.2, the same
network with a fresh batch order every epoch and a constant rate. It checks the gradients and
the momentum update numerically, reconstructs the validation set, and records Q5.1.1 ...
Q5.3.2. Chapter 6 reuses ``trained()`` and ``SHOW_CLASSES`` so both methods are compared on
the same images.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from lib import config, fmt, results
from lib.autoencoder import AEConfig, n_parameters, params_of, reconstruct, spec_of, train_autoencoder
from lib.data import CLASSES, load_nist36, nist36_source, to_image
from lib.metrics import psnr_per_image
from lib.nn import Momentum, as_dtype, check_gradients, loss_and_grads, loss_terms, relu_margin

#: The five classes shown in Q5.3.1 and Q6.2 (two images each): letters and digits, some
#: with loops, some open strokes.
SHOW_CLASSES = ("A", "G", "M", "3", "7")

#: Largest possible pixel value of NIST36 images, for PSNR.
MAX_VALUE = 1.0


def ae_config() -> AEConfig:
    """The handout's defaults; the quick profile trains fewer epochs on a subset."""
    return AEConfig(epochs=config.pick(full=100, quick=8), n_train=config.pick(full=None, quick=1800))


def comparison_config() -> AEConfig:
    """Chapter 3's habits instead of the starter script's: reshuffle every epoch, constant rate."""
    return dataclasses.replace(ae_config(), reshuffle=True, lr_decay=1.0)


def trained(cfg: AEConfig | None = None) -> dict:
    """The trained autoencoder (cached): ``train_autoencoder(cfg or ae_config())``."""
    return train_autoencoder(cfg or ae_config())


def rises(loss: np.ndarray, after: int = 5) -> tuple[int, float]:
    """Epochs after the ``after``-th whose loss was higher than the epoch's before, and the
    largest such rise relative to the previous epoch's loss (0 when none)."""
    loss = np.asarray(loss, np.float64)
    steps = np.diff(loss[after:]) / loss[after:-1]
    return int(np.sum(steps > 0)), float(max(steps.max(), 0.0)) if steps.size else 0.0


def example_indices(y: np.ndarray, classes=SHOW_CLASSES, per_class: int = 2) -> np.ndarray:
    """The first ``per_class`` images of each class in ``classes``, class by class."""
    return np.concatenate([np.flatnonzero(y == CLASSES.index(c))[:per_class] for c in classes])


@dataclass
class AutoencoderResults:
    source: str
    config: AEConfig
    history: dict[str, np.ndarray]  # epoch, epoch_loss, train_loss, valid_loss (per image)
    seconds: float
    n_params: int
    layer_shapes: dict[str, tuple[int, ...]]
    gradcheck_error: float
    momentum_error: float
    valid_psnr: np.ndarray  # per validation image
    examples: np.ndarray  # (10, 2, 32, 32): original, reconstruction (upright)
    example_labels: list[str]
    rises_after: int  # epochs after the 5th whose training loss (epoch_loss) rose
    max_rise: float  # the largest of those rises, relative to the previous epoch's loss
    comparison: AEConfig  # reshuffled batches, constant learning rate
    comparison_loss: np.ndarray  # its epoch_loss per epoch
    comparison_rises: int
    comparison_max_rise: float
    n_train: int
    n_valid: int
    levels: dict[str, float]  # mean value of paper (> 0.9) and ink (< 0.2) pixels, original and reconstruction
    dead_units: list[int]  # per hidden ReLU layer: units that are 0 for every validation image

    @property
    def mean_psnr(self) -> float:
        return float(self.valid_psnr.mean())


def _gradient_check(params: dict, spec, x_pool: np.ndarray) -> float:
    """Max relative error of the analytic gradient on three validation images, in float64."""
    p64 = as_dtype(params, np.float64)
    x = np.asarray(x_pool, np.float64)
    x = x[relu_margin(p64, spec, x) > 1e-2][:3]
    _, grads, _ = loss_and_grads(p64, spec, x, x)
    check = check_gradients(lambda p: loss_terms(p, spec, x, x), p64, grads, max_coords=40, eps=1e-3, order=4)
    return check.max_error


def _momentum_check() -> float:
    """Two ``lib.nn.Momentum`` steps against the handout's rule written out, max abs difference."""
    rng = np.random.default_rng(config.SEED)
    W = {"W": rng.normal(size=(3, 4))}
    g1, g2 = rng.normal(size=(3, 4)), rng.normal(size=(3, 4))
    opt, lr = Momentum(0.1, 0.9), 0.1
    W0 = W["W"].copy()
    opt.step(W, {"W": g1})
    opt.step(W, {"W": g2})
    M1 = -lr * g1
    M2 = 0.9 * M1 - lr * g2
    return float(np.abs(W["W"] - (W0 + M1 + M2)).max())


def run() -> AutoencoderResults:
    cfg = ae_config()
    result = trained()
    params = params_of(result)
    spec = spec_of(cfg)
    x_valid, y_valid, _ = load_nist36("valid")
    recon = reconstruct(params, x_valid)
    valid_psnr = psnr_per_image(x_valid, recon, MAX_VALUE)
    idx = example_indices(y_valid)
    examples = np.stack([[to_image(x_valid[i]), to_image(recon[i])] for i in idx])
    n_rises, max_rise = rises(result["epoch_loss"])
    other_cfg = comparison_config()
    other_loss = np.asarray(trained(other_cfg)["epoch_loss"])
    other_rises, other_max = rises(other_loss)
    out = AutoencoderResults(
        source=nist36_source(),
        config=cfg,
        history={k: np.asarray(result[k]) for k in ("epoch", "epoch_loss", "train_loss", "valid_loss")},
        seconds=float(result["seconds"]),
        n_params=n_parameters(params),
        layer_shapes={k: tuple(v.shape) for k, v in params.items()},
        gradcheck_error=_gradient_check(params, spec, x_valid[:200]),
        momentum_error=_momentum_check(),
        valid_psnr=valid_psnr,
        examples=examples,
        example_labels=[CLASSES[int(y_valid[i])] for i in idx],
        rises_after=n_rises,
        max_rise=max_rise,
        comparison=other_cfg,
        comparison_loss=other_loss,
        comparison_rises=other_rises,
        comparison_max_rise=other_max,
        n_train=cfg.n_train or len(load_nist36("train")[0]),
        n_valid=len(x_valid),
        levels=pixel_levels(x_valid, recon),
        dead_units=dead_units(params, x_valid),
    )
    _record(out)
    return out


def dead_units(params: dict, X: np.ndarray) -> list[int]:
    """Per hidden ReLU layer, how many units output 0 for every image of ``X``."""
    h, out = np.asarray(X, np.float64), []
    for i in range(1, len(params) // 2):  # the hidden layers (the last layer is the output)
        h = np.maximum(h @ params[f"W{i}"] + params[f"b{i}"], 0.0)
        out.append(int(np.sum(np.all(h == 0, axis=0))))
    return out


def pixel_levels(X: np.ndarray, recon: np.ndarray) -> dict[str, float]:
    """Mean of the paper pixels (original > 0.9) and ink pixels (original < 0.2), both images."""
    X = np.asarray(X, np.float64)
    paper, ink = X > 0.9, X < 0.2
    return {
        "paper_original": float(X[paper].mean()), "paper_recon": float(recon[paper].mean()),
        "ink_original": float(X[ink].mean()), "ink_recon": float(recon[ink].mean()),
    }


def _record(r: AutoencoderResults) -> None:
    results.record(
        "Q5.1.1", r.gradcheck_error, goal=1e-6, higher_is_better=False, data=r.source,
        passed=bool(r.gradcheck_error < 1e-6),
        display=f"{fmt.count(r.n_params)} parameters; gradient check {r.gradcheck_error:.1e}",
    )
    results.record(
        "Q5.1.2", r.momentum_error, goal=1e-12, higher_is_better=False, data="analytic (random arrays)",
        passed=bool(r.momentum_error < 1e-12),
        display=f"M = 0.9 M - lr g, W = W + M, to {r.momentum_error:.0e}",
    )
    final = float(r.history["epoch_loss"][-1])
    results.record(
        "Q5.2", final, data=r.source,
        display=f"{r.config.epochs} epochs; final loss {final:.1f} per image",
        rises_after_epoch_5=r.rises_after,
        seconds=r.seconds,
    )
    results.record("Q5.3.1", f"{len(r.example_labels)} validation images of classes {', '.join(SHOW_CLASSES)}", data=r.source)
    results.record("Q5.3.2", r.mean_psnr, data=r.source, display=f"{r.mean_psnr:.2f} dB (validation, {r.n_valid} images)")
