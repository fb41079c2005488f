"""Q3: train the 1024-64-36 network on NIST36 with chapter 3's recipe; plots and weights.

Chapter 3's recipe (``lib.mlp``): sigmoid hidden layer of 64 units, softmax output,
cross-entropy, mini-batch SGD (batches of 32), trained on ink-positive inputs with random
one-pixel shifts. The learning rate is chosen by a small grid search on **validation**
accuracy (``lib.mlp_search``); the test split only reports the chosen network.

Writes into the current folder: ``q3_1_1_accuracy.png``, ``q3_1_1_loss.png`` (Q3.1.1),
``q3_1_2_accuracy.png``, ``q3_1_2_loss.png`` (Q3.1.2, three learning rates),
``q3_1_3_weights.png`` (Q3.1.3), ``q3_1_4_layer2.png`` (Q3.1.4), ``q3_1_5_confusion.png``
(Q3.1.5) and ``q3_weights.npz`` (the chosen network, taking images in the .mat convention;
used by run_q4.py). Trained networks are cached (HW5_CACHE, default ./.cache): a rerun loads
them. ``QUARTO_PROFILE=quick`` trains a short version (4 epochs on 1800 images).
"""

import _setup  # noqa: F401  (relative data path, cache in this folder)
import matplotlib.pyplot as plt
import numpy as np

from lib import config
from lib.data import CLASSES, load_nist36, nist36_source, to_image
from lib.metrics import confusion_matrix, most_confused_pairs
from lib.mlp import raw_input_params, spec_of
from lib.mlp_search import base_config, search, trained
from lib.nn import evaluate, forward, param_names, save_params

print(f"Q3 on {nist36_source()} ({config.profile()} profile)")
base = base_config()

# Learning-rate search on validation accuracy (each run cached on disk)
best_lr, rows = search()
for lr, acc in rows:
    print(f"  lr {lr:<6g} final validation accuracy {acc:.3f}{'  <- chosen' if lr == best_lr else ''}")
cfg = base.with_lr(best_lr)
runs = {f"lr {best_lr / 10:g} (best/10)": trained(base.with_lr(best_lr / 10)),
        f"lr {best_lr:g} (best)": trained(cfg),
        f"lr {best_lr * 10:g} (best*10)": trained(base.with_lr(best_lr * 10))}
best = trained(cfg)


def plot_metric(runs, metric, ylabel, filename):
    fig, ax = plt.subplots(figsize=(6, 4))
    for k, (label, r) in enumerate(runs.items()):
        ax.plot(r["epoch"], r[f"train_{metric}"], color=f"C{k}", label=f"train, {label}")
        ax.plot(r["epoch"], r[f"valid_{metric}"], color=f"C{k}", ls="--", label=f"valid, {label}")
    ax.set_xlabel("epoch")
    ax.set_ylabel(ylabel)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(filename, dpi=120)
    plt.close(fig)
    print(f"  wrote {filename}")


# Q3.1.1: accuracy and average cross-entropy per epoch, training and validation
only_best = {f"lr {best_lr:g}": best}
plot_metric(only_best, "acc", "accuracy", "q3_1_1_accuracy.png")
plot_metric(only_best, "loss", "cross-entropy (mean per image)", "q3_1_1_loss.png")
print(f"Q3.1.1 validation accuracy after {cfg.epochs} epochs: {best['valid_acc'][-1]:.3f} (target 0.75)")

# Q3.1.2: the best learning rate, ten times it, a tenth of it; test accuracy of the best
plot_metric(runs, "acc", "accuracy", "q3_1_2_accuracy.png")
plot_metric(runs, "loss", "cross-entropy (mean per image)", "q3_1_2_loss.png")
params, spec = raw_input_params(best, cfg), spec_of(cfg)  # images in the .mat convention
x_test, y_test, _ = load_nist36("test")
test_loss, test_acc = evaluate(params, spec, np.asarray(x_test, np.float32), y_test)
print(f"Q3.1.2 best learning rate {best_lr:g}; test accuracy {test_acc:.3f}, test loss {test_loss:.3f}")

# Q3.1.3: first-layer weights right after initialisation and after training
fig, axes = plt.subplots(1, 2, figsize=(10, 5))
for ax, key, title in zip(axes, ("init_W1", "W1"), ("after initialisation", "after training"), strict=True):
    W1 = np.asarray(best[key])
    grid = np.ones((8 * 33, 8 * 33))
    for j in range(W1.shape[1]):
        img = to_image(W1[:, j])
        img = (img - img.min()) / (np.ptp(img) + 1e-12)
        r, c = divmod(j, 8)
        grid[r * 33 : r * 33 + 32, c * 33 : c * 33 + 32] = img
    ax.imshow(grid, cmap="gray")
    ax.set_title(f"W1 {title}")
    ax.axis("off")
fig.savefig("q3_1_3_weights.png", dpi=120, bbox_inches="tight")
plt.close(fig)
print("Q3.1.3 wrote q3_1_3_weights.png")

# Q3.1.4: one_hot(i) W2^T W1^T as an image, and the validation image maximising y2(i)
x_valid, _, _ = load_nist36("valid")
probs_valid = forward(params, spec, np.asarray(x_valid, np.float32))[0]
W1, W2 = params["W1"].astype(np.float64), params["W2"].astype(np.float64)
fig, axes = plt.subplots(2, 3, figsize=(7, 5))
for col, name in enumerate(("A", "K", "3")):
    i = CLASSES.index(name)
    back = np.eye(len(CLASSES))[i] @ W2.T @ W1.T
    j = int(np.argmax(probs_valid[:, i]))
    axes[0, col].imshow(to_image(back), cmap="gray")
    axes[0, col].set_title(f"{name}: one_hot W2^T W1^T", fontsize=8)
    axes[1, col].imshow(to_image(x_valid[j]), cmap="gray")
    axes[1, col].set_title(f"argmax y2({name}): valid #{j}", fontsize=8)
for ax in axes.ravel():
    ax.axis("off")
fig.savefig("q3_1_4_layer2.png", dpi=120, bbox_inches="tight")
plt.close(fig)
print("Q3.1.4 wrote q3_1_4_layer2.png")

# Q3.1.5: confusion matrix of the best network on the test set
probs_test = forward(params, spec, np.asarray(x_test, np.float32))[0]
cm = confusion_matrix(y_test, probs_test.argmax(axis=1), len(CLASSES))
fig, ax = plt.subplots(figsize=(8, 8))
ax.imshow(cm, cmap="viridis")
ax.set_xticks(range(len(CLASSES)), CLASSES, fontsize=7)
ax.set_yticks(range(len(CLASSES)), CLASSES, fontsize=7)
ax.set_xlabel("predicted")
ax.set_ylabel("true")
fig.savefig("q3_1_5_confusion.png", dpi=120, bbox_inches="tight")
plt.close(fig)
pairs = most_confused_pairs(cm, CLASSES, k=5)
print("Q3.1.5 wrote q3_1_5_confusion.png; most confused pairs: "
      + ", ".join(f"{p.label} ({p.total})" for p in pairs))

save_params("q3_weights.npz", {k: params[k] for k in param_names(spec)})
print(f"wrote q3_weights.npz (W1 {params['W1'].shape}, W2 {params['W2'].shape}; images in the .mat convention)")
