"""Shared by the run_q7_* scripts: train (or load) one of chapter 7's recipes and plot it.

The recipes (data, model, optimiser, epochs per profile) are ``lib.deep.recipes``; training
is ``lib.deep.train.fit`` (cached in HW5_CACHE, default ./.cache). PyTorch is allowed here:
this module serves Q7 only.
"""

import _setup  # noqa: F401  (relative data path, cache in this folder)
import matplotlib.pyplot as plt

from lib import config
from lib.deep import recipes


def train_and_report(name, qid, title):
    """Train or load recipe ``name``; write ``<qid>_accuracy.png`` and ``<qid>_loss.png``.

    Returns ``(recipe, trained, test result)``.
    """
    r = recipes.recipe(name)
    print(f"{qid}: {title} ({config.profile()} profile): {r.spec}")
    t = recipes.trained(r)
    h = t.history
    epochs = range(1, h.epochs + 1)
    for metric, ylabel in (("acc", "accuracy"), ("loss", "cross-entropy")):
        fig, ax = plt.subplots(figsize=(6, 4))
        ax.plot(epochs, getattr(h, f"train_{metric}"), marker="o", label="training")
        ax.plot(epochs, getattr(h, f"valid_{metric}"), marker="o", ls="--", label="validation")
        ax.set_xlabel("epoch")
        ax.set_ylabel(ylabel)
        ax.set_title(title)
        ax.legend()
        fig.tight_layout()
        filename = f"{qid.lower().replace('.', '_')}_{'accuracy' if metric == 'acc' else 'loss'}.png"
        fig.savefig(filename, dpi=120)
        plt.close(fig)
        print(f"  wrote {filename}")
    test = recipes.test_result(r)
    how = "loaded from the cache" if t.cached else "trained now"
    print(f"  {h.epochs} epochs ({how}, {t.seconds:.0f} s): final training accuracy {h.train_acc[-1]:.3f}, "
          f"validation {h.valid_acc[-1]:.3f}, test {test['test_acc']:.3f} ({test['n_test']} images)")
    return r, t, test
