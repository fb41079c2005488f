"""Q7.2.1: fine-tune SqueezeNet 1.1 on Flowers-17 (new classifier only) against a CNN from scratch.

SqueezeNet 1.1 (ImageNet weights from ``../data/weights/squeezenet1_1.pth``) keeps its
features frozen; its classifier's 1x1 convolution is replaced by one with 17 outputs and only
that layer is trained (``lib.deep.finetune``: exactly the replaced layer, trained on the
pooled features, which ``lib.deep.features`` computes once and caches). The CNN from scratch has three
convolutional layers and two fully connected layers (the homework's "standard" design).
Both are compared on the same train/validation/test split; the classifier's settings are
chosen on validation accuracy only. Writes ``q7_2_1_accuracy.png`` and ``q7_2_1_loss.png``.
``QUARTO_PROFILE=quick`` uses 4 images per class and split and very few epochs.
"""

import _setup  # noqa: F401  (relative data path, cache in this folder)
import matplotlib.pyplot as plt

from lib import config
from lib.data.flowers import flowers_split
from lib.deep import finetune, models

split = flowers_split()
if config.is_quick():
    split = split.subset(4)
print(f"Q7.2.1 Flowers-17 ({config.profile()} profile): {split.sizes()} images, split {split.origin}")
_, origin, digest = models.pretrained_weights()
if not digest:
    raise SystemExit(f"no pretrained SqueezeNet weights: {origin}")

epochs = config.pick(full=30, quick=2)
copies = config.pick(full=2, quick=0)
grid = tuple(finetune.HeadConfig(lr=lr, epochs=epochs, aug_copies=copies) for lr in (1e-3, 3e-3, 1e-2))
head_cfg, head, rows = finetune.select_head(grid, split)
for row in rows:
    print(f"  classifier lr {row['lr']:g}: validation accuracy {row['val_acc']:.3f}")
scratch_cfg = finetune.ScratchConfig(epochs=config.pick(full=40, quick=1))
scratch = finetune.train_scratch(scratch_cfg, split)

runs = {"SqueezeNet 1.1, new classifier": head, "CNN from scratch (3 conv + 2 fc)": scratch}
for metric, ylabel in (("acc", "accuracy"), ("loss", "cross-entropy")):
    fig, ax = plt.subplots(figsize=(6, 4))
    for k, (label, r) in enumerate(runs.items()):
        h = r["history"]
        xs = range(1, len(h[f"train_{metric}"]) + 1)
        ax.plot(xs, h[f"train_{metric}"], color=f"C{k}", marker="o", label=f"train, {label}")
        ax.plot(xs, h[f"valid_{metric}"], color=f"C{k}", marker="o", ls="--", label=f"valid, {label}")
    ax.set_xlabel("epoch")
    ax.set_ylabel(ylabel)
    ax.legend(fontsize=7)
    fig.tight_layout()
    name = f"q7_2_1_{'accuracy' if metric == 'acc' else 'loss'}.png"
    fig.savefig(name, dpi=120)
    plt.close(fig)
    print(f"  wrote {name}")
print(f"fine-tuned SqueezeNet (classifier lr {head_cfg.lr:g}): validation {head['val_acc']:.3f}, "
      f"test {head['test_acc']:.3f}")
print(f"CNN from scratch ({scratch['params']} parameters, {scratch_cfg.epochs} epochs): "
      f"validation {scratch['val_acc']:.3f}, test {scratch['test_acc']:.3f}")
