"""Chapter 3 (Training models, Q3.1.1-Q3.1.5): the 1024-64-36 network on NIST36.

``run()`` returns a :class:`TrainingResults` with everything chapter 3 shows and records
Q3.1.1 ... Q3.1.5. The learning rate is chosen by a small grid search on **validation**
accuracy (final epoch); the test split is only used to report the chosen network. Every
trained network comes from ``lib.mlp.train_mlp`` (cached: configuration + data fingerprint +
code), so a re-render loads them in a fraction of a second.

Other chapters: ``best_mlp()`` (defined in ``lib.mlp_search``, re-exported here) gives the
chosen network ``(params, spec)`` for images in the homework's convention; core code such as
``lib.ocr`` should import it from ``lib.mlp_search`` (the import policy keeps core code away
from ``lib.pipelines``).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from lib import config, fmt, results
from lib.data import CLASSES, load_nist36, nist36_source, to_image
from lib.metrics import ConfusedPair, confusion_matrix, most_confused_pairs
from lib.mlp import MLPConfig, raw_input_params, spec_of, to_model_input
from lib.mlp_search import LR_GRID_FULL, LR_GRID_QUICK, base_config, best_lr, best_mlp, lr_grid, search
from lib.mlp_search import trained as _train
from lib.nn import NetworkSpec, evaluate, forward, log_softmax

__all__ = [
    "LAYER2_CLASSES", "LR_GRID_FULL", "LR_GRID_QUICK", "TrainingResults", "base_config", "best_lr",
    "best_mlp", "fig_metric", "lr_grid", "run",
]

#: Classes shown in the second-layer visualisation (Q3.1.4).
LAYER2_CLASSES = ("A", "K", "3")
#: Q3.1.1: the handout's requirement (validation accuracy after at least 30 epochs) and our goal.
REQUIREMENT, GOAL = 0.75, 0.80


@dataclass
class TrainingResults:
    """What chapter 3 shows. Histories are dicts of per-epoch arrays (epoch 0 = initialised)."""

    source: str
    config: MLPConfig
    search: pd.DataFrame
    runs: dict[str, dict]  # "0.1x", "best", "10x" -> train_mlp result
    summary: pd.DataFrame
    metrics: dict[str, float]  # train/valid/test accuracy and loss of the chosen network
    cm: np.ndarray
    pairs: list[ConfusedPair]
    w1_init: np.ndarray  # (64, 32, 32) upright images
    w1_trained: np.ndarray
    layer2: list[dict] = field(default_factory=list)
    ablation: pd.DataFrame | None = None
    n_train: int = 0
    n_valid: int = 0
    n_test: int = 0

    @property
    def best(self) -> dict:
        return self.runs["best"]

    @property
    def lr(self) -> float:
        return self.config.lr

    def pairs_table(self) -> pd.DataFrame:
        """The most confused pairs: counts in each direction and in total (test set)."""
        return pd.DataFrame(
            {
                "classes (a / b)": [p.label for p in self.pairs],
                "a predicted as b": [p.a_as_b for p in self.pairs],
                "b predicted as a": [p.b_as_a for p in self.pairs],
                "total": [p.total for p in self.pairs],
            }
        )


def _weight_images(W1: np.ndarray) -> np.ndarray:
    """(1024, 64) first-layer weights -> (64, 32, 32) upright images (one per hidden unit)."""
    return np.stack([to_image(W1[:, j]) for j in range(W1.shape[1])])


def _layer2(params: dict, spec: NetworkSpec, cfg: MLPConfig, x_valid: np.ndarray) -> list[dict]:
    """Q3.1.4: one_hot(i) W2^T W1^T as an image, and the validation image maximising y2(i)."""
    logits, _ = forward(params, spec, to_model_input(x_valid, cfg), head=False)
    logp = log_softmax(logits.astype(np.float64))  # y2(i) = softmax_i; its log ranks the same
    W1, W2 = params["W1"].astype(np.float64), params["W2"].astype(np.float64)
    out = []
    for name in LAYER2_CLASSES:
        i = CLASSES.index(name)
        onehot = np.zeros(len(CLASSES))
        onehot[i] = 1.0
        back = onehot @ W2.T @ W1.T  # (1024,)
        j = int(np.argmax(logp[:, i]))
        out.append(
            {
                "class": name,
                "projection": to_image(back),
                "argmax_image": to_image(x_valid[j]),
                "argmax_index": j,
                "argmax_prob": float(np.exp(logp[j, i])),
            }
        )
    return out


def _ablation(cfg: MLPConfig) -> pd.DataFrame:
    """The chosen recipe without the shifts, and without ink-positive inputs, same learning rate."""
    variants = {
        "chosen (ink 1, shifts of 1 px)": cfg,
        "no shifts": replace(cfg, max_shift=0),
        "no shifts, paper 1 (homework input)": replace(cfg, max_shift=0, ink_positive=False),
    }
    rows = []
    for label, c in variants.items():
        r = _train(c)
        rows.append(
            {
                "recipe": label,
                "train acc.": float(r["train_acc"][-1]),
                "valid acc.": float(r["valid_acc"][-1]),
                "best valid acc.": float(r["valid_acc"].max()),
                "best epoch": int(r["epoch"][r["valid_acc"].argmax()]),
            }
        )
    return pd.DataFrame(rows)


def run(with_ablation: bool | None = None) -> TrainingResults:
    """Train (or load) every network of chapter 3, evaluate the chosen one, record Q3.1.x."""
    source = nist36_source()
    base = base_config()
    chosen_lr, rows = search()
    cfg = base.with_lr(chosen_lr)
    table = pd.DataFrame(
        [
            {
                "learning rate": lr,
                "final valid acc.": acc,
                "final train acc.": float(_train(base.with_lr(lr))["train_acc"][-1]),
                "final valid loss": float(_train(base.with_lr(lr))["valid_loss"][-1]),
                "chosen": "yes" if lr == chosen_lr else "",
            }
            for lr, acc in rows
        ]
    )
    runs = {
        "0.1x": _train(base.with_lr(chosen_lr / 10)),
        "best": _train(cfg),
        "10x": _train(base.with_lr(chosen_lr * 10)),
    }
    best = runs["best"]
    spec = spec_of(cfg)
    raw = raw_input_params(best, cfg)

    x_train, y_train, _ = load_nist36("train")
    x_valid, y_valid, _ = load_nist36("valid")
    x_test, y_test, _ = load_nist36("test")
    metrics = {}
    for split, xs, ys in (("train", x_train, y_train), ("valid", x_valid, y_valid), ("test", x_test, y_test)):
        loss, acc = evaluate(raw, spec, np.asarray(xs, np.float32), ys)
        metrics[f"{split}_acc"], metrics[f"{split}_loss"] = float(acc), float(loss)
    logits, _ = forward(raw, spec, np.asarray(x_test, np.float32), head=False)
    cm = confusion_matrix(y_test, logits.argmax(axis=1), len(CLASSES))
    pairs = most_confused_pairs(cm, CLASSES, k=8)

    seconds = sum(float(_train(base.with_lr(lr))["seconds"]) for lr, _ in rows)
    summary = pd.DataFrame(
        {
            "split": ["train", "valid", "test"],
            "images": [len(x_train), len(x_valid), len(x_test)],
            "accuracy": [metrics[f"{s}_acc"] for s in ("train", "valid", "test")],
            "cross-entropy": [metrics[f"{s}_loss"] for s in ("train", "valid", "test")],
        }
    )
    if with_ablation is None:
        with_ablation = not config.is_quick()
    out = TrainingResults(
        source=source,
        config=cfg,
        search=table,
        runs=runs,
        summary=summary,
        metrics=dict(metrics, search_seconds=seconds, best_seconds=float(best["seconds"])),
        cm=cm,
        pairs=pairs,
        w1_init=_weight_images(best["init_W1"]),
        w1_trained=_weight_images(best["W1"]),
        layer2=_layer2(best, spec, cfg, x_valid),
        ablation=_ablation(cfg) if with_ablation else None,
        n_train=cfg.n_train or len(x_train),
        n_valid=cfg.n_valid or len(x_valid),
        n_test=len(x_test),
    )
    _record(out)
    return out


def _record(r: TrainingResults) -> None:
    valid_acc = float(r.best["valid_acc"][-1])
    results.record(
        "Q3.1.1", valid_acc, requirement=REQUIREMENT, goal=GOAL, data=r.source,
        display=f"{fmt.pct(valid_acc)} validation accuracy after {r.config.epochs} epochs",
    )
    results.record(
        "Q3.1.2", r.metrics["test_acc"], data=r.source,
        display=f"lr {r.lr:g} chosen on validation; {fmt.pct(r.metrics['test_acc'])} test",
        learning_rate=r.lr, grid=list(r.search["learning rate"]),
    )
    results.record("Q3.1.3", "64 first-layer weight images, initial and trained", data=r.source)
    results.record(
        "Q3.1.4", f"W2ᵀW1ᵀ images of {', '.join(LAYER2_CLASSES)}; their top validation images",
        data=r.source,
    )
    top = r.pairs[0] if r.pairs else None
    results.record(
        "Q3.1.5", top.label if top else "none", data=r.source,
        display=f"test confusion matrix; most confused {top.label} ({top.total})" if top else "no confusions",
    )


# --- Figures (built by the chapter's cells) --------------------------------------------------


def fig_metric(runs: dict[str, dict], metric: str, ylabel: str, labels: dict[str, str] | None = None):
    """Train (solid) and valid (dashed) curves of ``metric`` ("acc" or "loss") per epoch."""
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    fig, ax = plt.subplots(figsize=(4.0, 2.8))
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for k, (name, r) in enumerate(runs.items()):
        label = (labels or {}).get(name, name)
        c = colors[k % len(colors)]
        ax.plot(r["epoch"], r[f"train_{metric}"], color=c, label=f"train{label}")
        ax.plot(r["epoch"], r[f"valid_{metric}"], color=c, ls="--", label=f"valid{label}")
    ax.set_xlabel("epoch")
    ax.set_ylabel(ylabel)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.legend(fontsize=8)
    return fig
