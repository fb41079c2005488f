"""The EMNIST-Balanced CNN of Q7.1.4 as a classifier of NIST36-convention rows (for chapter 4).

``cnn_classifier()`` returns ``score(rows) -> (N, 36)``: ``rows`` are (N, 1024) float32 in the
homework's NIST36 convention (32x32 column-major, dark ink on a ~1.0 background), the scores
are log-probabilities over the 36 classes in NIST36 order (A..Z, then 0..9).

Two conversions make the 47-class EMNIST model answer a 36-class question:

1. **Input** (:func:`rows_to_emnist`): transpose each row to an upright 32x32 image, invert it
   (``1 - x``: EMNIST has bright ink on black), clip to [0, 1], resize to 28x28 (bilinear,
   antialiased). Our EMNIST tensors are stored upright (``lib.data.torch_datasets.emnist``
   transposes the files back), so no further transpose is needed.
2. **Classes** (:data:`RULE`): EMNIST Balanced has the 10 digits, the 26 upper-case letters
   (with c, i, j, k, l, m, o, p, s, u, v, w, x, y, z merged into their capitals) and 11
   lower-case letters (a b d e f g h n q r t). The photos are written in capitals and the
   homework's classes are the 36 capitals and digits, so we *restrict*: the 11 lower-case
   outputs are dropped and the softmax is taken over the remaining 36 logits, reordered to
   A..Z, 0..9.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import torch

from lib.data.nist36 import CLASSES as NIST36_CLASSES
from lib.data.torch_datasets import EMNIST_BALANCED_CLASSES, nist36_rows_to_images

RULE = (
    "restrict: drop EMNIST's 11 lower-case classes (a b d e f g h n q r t) and take the softmax "
    "over the 36 upper-case-letter and digit logits, reordered to A..Z, 0..9"
)

#: For each NIST36 class (A..Z, 0..9), its index among EMNIST Balanced's 47 outputs.
EMNIST_INDEX: tuple[int, ...] = tuple(EMNIST_BALANCED_CLASSES.index(c) for c in NIST36_CLASSES)


def rows_to_emnist(rows: np.ndarray) -> torch.Tensor:
    """NIST36-convention rows (N, 1024) -> EMNIST-convention upright images (N, 1, 28, 28)."""
    return nist36_rows_to_images(rows, size=28)


def restrict_scores(logits47: torch.Tensor) -> torch.Tensor:
    """(N, 47) EMNIST logits -> (N, 36) log-probabilities over A..Z, 0..9 (see :data:`RULE`)."""
    if logits47.ndim != 2 or logits47.shape[1] != len(EMNIST_BALANCED_CLASSES):
        raise ValueError(f"expected (N, 47) EMNIST Balanced logits, got {tuple(logits47.shape)}")
    return torch.log_softmax(logits47[:, list(EMNIST_INDEX)], dim=1)


def rows_scorer(model: torch.nn.Module, to_input: Callable[[np.ndarray], torch.Tensor],
                to_scores: Callable[[torch.Tensor], torch.Tensor], classes: tuple[str, ...],
                name: str, channels: int = 1) -> Callable[[np.ndarray], np.ndarray]:
    """Wrap a trained image model as ``score(rows (N, 1024 x channels)) -> (N, len(classes))``
    float32 log-probabilities: ``to_input`` turns NIST36-convention rows (``channels`` images of
    each item, one after the other) into the model's images, ``to_scores`` its logits into the
    log-probabilities of ``classes``; ``name`` opens its errors.
    """
    # channels-last convolutions are about twice as fast on a CPU for these small images
    model = model.eval().to(memory_format=torch.channels_last)
    device = next(model.parameters()).device

    def score(rows: np.ndarray) -> np.ndarray:
        rows = np.asarray(rows, dtype=np.float32)
        if rows.ndim != 2 or rows.shape[1] != 1024 * channels:
            raise ValueError(f"{name}: expected rows of shape (N, {1024 * channels}), got {rows.shape}")
        if len(rows) == 0:
            return np.zeros((0, len(classes)), np.float32)
        x = to_input(rows)
        out = []
        with torch.inference_mode():
            for i in range(0, len(x), 512):
                batch = x[i: i + 512].to(device).contiguous(memory_format=torch.channels_last)
                out.append(to_scores(model(batch).float()).cpu())
        return torch.cat(out).numpy()

    score.classes = classes
    score.channels = channels
    return score


def classifier_from(model: torch.nn.Module) -> Callable[[np.ndarray], np.ndarray]:
    """Wrap any EMNIST-Balanced model (28x28 upright input, 47 logits) as a NIST36 scorer."""
    score = rows_scorer(model, rows_to_emnist, restrict_scores, NIST36_CLASSES, "cnn_classifier")
    score.rule = RULE
    return score


def cnn_classifier() -> Callable[[np.ndarray], np.ndarray]:
    """The trained Q7.1.4 EMNIST CNN (cached; trained on first use) as ``rows -> (N, 36)`` scores."""
    from lib.deep import recipes

    return classifier_from(recipes.trained(recipes.recipe("emnist-cnn")).model)
