"""Evaluation metrics: PSNR (Q5.3.2, Q6.3), confusion matrices (Q3.1.5), CER and box recall
and precision (Q4).

Only numpy: these functions sit behind the numpy chapters (see docs/CONVENTIONS.md).
"""

from __future__ import annotations

from collections import Counter, deque
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np


def psnr(a: np.ndarray, b: np.ndarray, max_value: float = 1.0) -> float:
    """Peak signal-to-noise ratio of ``b`` against the reference ``a``, in decibels.

    From the handout's definition, PSNR = 20 log10(MAX_I) - 10 log10(MSE), with the MSE taken
    over every pixel of ``a`` and ``b`` (same shape). ``max_value`` is the largest possible
    pixel value (1.0 for NIST36). Identical images give ``inf``.
    """
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(f"psnr: a has shape {a.shape} but b has shape {b.shape}; expected the same shape")
    if max_value <= 0:
        raise ValueError(f"psnr: max_value must be positive, not {max_value}")
    mse = float(np.mean((a - b) ** 2))
    if mse == 0.0:
        return float("inf")
    return float(20.0 * np.log10(max_value) - 10.0 * np.log10(mse))


def psnr_per_image(a: np.ndarray, b: np.ndarray, max_value: float = 1.0) -> np.ndarray:
    """PSNR of each row (one flattened image per row) of ``b`` against ``a``: shape (N,).

    The handout's "average PSNR across all images" is ``psnr_per_image(X, X_hat).mean()``.
    """
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    if a.shape != b.shape or a.ndim != 2:
        raise ValueError(f"psnr_per_image: expected two (N, D) arrays of one shape, got {a.shape} and {b.shape}")
    mse = np.mean((a - b) ** 2, axis=1)
    with np.errstate(divide="ignore"):
        return 20.0 * np.log10(max_value) - 10.0 * np.log10(mse)


def confusion_matrix(y_true: np.ndarray, y_pred: np.ndarray, n_classes: int) -> np.ndarray:
    """Counts (n_classes, n_classes): row = true class, column = predicted class."""
    y_true = np.asarray(y_true).astype(np.int64, copy=False).ravel()
    y_pred = np.asarray(y_pred).astype(np.int64, copy=False).ravel()
    if y_true.shape != y_pred.shape:
        raise ValueError(f"confusion_matrix: {y_true.size} true labels but {y_pred.size} predictions")
    for name, y in (("y_true", y_true), ("y_pred", y_pred)):
        if y.size and (y.min() < 0 or y.max() >= n_classes):
            raise ValueError(f"confusion_matrix: {name} has labels outside [0, {n_classes})")
    flat = np.bincount(y_true * n_classes + y_pred, minlength=n_classes * n_classes)
    return flat.reshape(n_classes, n_classes)


@dataclass(frozen=True)
class ConfusedPair:
    """Two classes confused with each other, in both directions."""

    a: str
    b: str
    a_as_b: int  # images of class a predicted as b
    b_as_a: int  # images of class b predicted as a

    @property
    def total(self) -> int:
        return self.a_as_b + self.b_as_a

    @property
    def label(self) -> str:
        return f"{self.a}/{self.b}"


def most_confused_pairs(cm: np.ndarray, classes, k: int = 5) -> list[ConfusedPair]:
    """The ``k`` unordered pairs of classes with the most confusions (cm[i, j] + cm[j, i]).

    Ties are broken by class order, so the result is deterministic; pairs never confused are
    left out (fewer than ``k`` may come back).
    """
    cm = np.asarray(cm)
    n = cm.shape[0]
    if cm.shape != (n, n) or len(classes) != n:
        raise ValueError(f"most_confused_pairs: cm has shape {cm.shape} but {len(classes)} class names")
    both = cm + cm.T
    i, j = np.triu_indices(n, k=1)
    counts = both[i, j]
    order = np.lexsort((j, i, -counts))  # most confusions first, then by class order
    pairs = []
    for idx in order[:k]:
        if counts[idx] == 0:
            break
        a, b = int(i[idx]), int(j[idx])
        pairs.append(ConfusedPair(classes[a], classes[b], int(cm[a, b]), int(cm[b, a])))
    return pairs


def _edit_rows(a: str, b: str):
    """The rows of the Levenshtein table of ``a`` against ``b``: row ``i`` holds the distances
    from ``a[:i]`` to every prefix of ``b`` (row 0 first, ``len(a) + 1`` rows)."""
    previous = np.arange(len(b) + 1)
    yield previous
    for i, ca in enumerate(a, start=1):
        current = np.empty_like(previous)
        current[0] = i
        cost = np.fromiter((ca != cb for cb in b), dtype=np.int64, count=len(b))
        # substitution / deletion first, then insertion (a running minimum along the row)
        current[1:] = np.minimum(previous[:-1] + cost, previous[1:] + 1)
        for j in range(1, len(b) + 1):
            if current[j - 1] + 1 < current[j]:
                current[j] = current[j - 1] + 1
        yield current
        previous = current


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance: the fewest insertions, deletions and substitutions from a to b."""
    if len(a) < len(b):
        a, b = b, a  # the shorter string along the row: less memory, same distance
    last_row = deque(_edit_rows(a, b), maxlen=1)[0]
    return int(last_row[-1])


def edit_alignment(predicted: str, truth: str) -> list[tuple[str, str]]:
    """An optimal edit script as ``(true, read)`` pairs, in order; ``""`` on one side marks a
    character missing from the reading (deletion) or one it added (insertion).

    The pairs that differ number ``edit_distance(predicted, truth)``. Where several scripts
    are optimal, a match or substitution comes first, then a deletion, walking back from the
    ends of both strings.
    """
    d = np.array(list(_edit_rows(truth, predicted)))
    pairs, i, j = [], len(truth), len(predicted)
    while i > 0 or j > 0:
        if i > 0 and j > 0 and d[i, j] == d[i - 1, j - 1] + (truth[i - 1] != predicted[j - 1]):
            pairs.append((truth[i - 1], predicted[j - 1]))
            i, j = i - 1, j - 1
        elif i > 0 and d[i, j] == d[i - 1, j] + 1:
            pairs.append((truth[i - 1], ""))
            i -= 1
        else:
            pairs.append(("", predicted[j - 1]))
            j -= 1
    return pairs[::-1]


def edit_errors(readings: Iterable[tuple[str, str]]) -> Counter:
    """How often each error ``(true, read)`` occurs over ``(predicted, truth)`` pairs of texts,
    from :func:`edit_alignment` (``""`` on one side: a character missed or added)."""
    counts: Counter = Counter()
    for predicted, truth in readings:
        counts.update(pair for pair in edit_alignment(predicted, truth) if pair[0] != pair[1])
    return counts


def cer(predicted: str, truth: str) -> float:
    """Character error rate (Q4.4): edit distance from ``predicted`` to ``truth`` / len(truth).

    Every character counts, spaces and line breaks included; normalise both texts first
    when some characters must not count (``lib.ocr.scorable`` does that for the 36 classes).
    Can exceed 1 when the prediction is much longer than the truth. An empty truth gives 0
    for an empty prediction and 1 otherwise.
    """
    if not isinstance(predicted, str) or not isinstance(truth, str):
        raise TypeError(f"cer: expected two strings, got {type(predicted).__name__} and {type(truth).__name__}")
    if not truth:
        return 0.0 if not predicted else 1.0
    return edit_distance(predicted, truth) / len(truth)


def box_iou(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Pairwise intersection over union of [y1, x1, y2, x2] boxes: (len(a), len(b))."""
    a, b = np.asarray(a, float).reshape(-1, 4), np.asarray(b, float).reshape(-1, 4)
    return broadcast_box_iou(a[:, None], b[None, :])


def broadcast_box_iou(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Intersection over union of [y1, x1, y2, x2] boxes along their last axis, the other axes
    broadcast as numpy does (``a`` (N, 1, 4) and ``b`` (N, M, 4) give (N, M))."""
    a, b = np.asarray(a, float), np.asarray(b, float)
    y1 = np.maximum(a[..., 0], b[..., 0])
    x1 = np.maximum(a[..., 1], b[..., 1])
    y2 = np.minimum(a[..., 2], b[..., 2])
    x2 = np.minimum(a[..., 3], b[..., 3])
    inter = np.clip(y2 - y1, 0, None) * np.clip(x2 - x1, 0, None)
    area_a = (a[..., 2] - a[..., 0]) * (a[..., 3] - a[..., 1])
    area_b = (b[..., 2] - b[..., 0]) * (b[..., 3] - b[..., 1])
    return inter / np.maximum(area_a + area_b - inter, 1e-9)


def match_boxes(found: np.ndarray, expected: np.ndarray, threshold: float = 0.5) -> int:
    """How many ``found`` boxes match an ``expected`` box one-to-one with IoU >= ``threshold``.

    Greedy: the pairs with the highest IoU are matched first, each box at most once.
    """
    if len(found) == 0 or len(expected) == 0:
        return 0
    iou = box_iou(found, expected)
    i, j = np.nonzero(iou >= threshold)
    order = np.lexsort((-j, -i, -iou[i, j]))  # highest IoU first; ties: higher indices first
    used_found, used_expected = set(), set()
    for k in order:
        if i[k] not in used_found and j[k] not in used_expected:
            used_found.add(i[k])
            used_expected.add(j[k])
    return len(used_found)


def recall_precision(matched: int, expected: int, found: int) -> tuple[float, float]:
    """Box recall (``matched / expected``; NaN without expected boxes) and precision
    (``matched / found``; 0 without found boxes), e.g. totals of :func:`match_boxes` over pages."""
    recall = matched / expected if expected else float("nan")
    return float(recall), float(matched / max(found, 1))
