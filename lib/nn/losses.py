"""Softmax, cross-entropy, accuracy and squared error (Q2.2.2, Q2.2.3, Q5.1.1).

Labels ``y`` are either integer class indices ``(N,)`` or one-hot / probability rows ``(N, C)``
(the homework's one-hot ``y``); both are accepted everywhere.

``reduction="sum"`` is the homework's loss, summed over the examples of the batch;
``"mean"`` divides by the number of examples ``N`` (not by the number of classes).
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "REDUCTIONS",
    "accuracy",
    "cross_entropy",
    "log_softmax",
    "one_hot",
    "softmax",
    "softmax_cross_entropy",
    "squared_error",
]

REDUCTIONS = ("sum", "mean")


def _check_reduction(reduction: str) -> None:
    if reduction not in REDUCTIONS:
        raise ValueError(f"reduction must be one of {REDUCTIONS}, not {reduction!r}")


def softmax(x: np.ndarray) -> np.ndarray:
    """Row-wise softmax of ``x (N, C)`` using ``softmax(x) = softmax(x - max_j x_j)`` (Q1.1).

    After the shift every exponent is ``<= 0``, so ``exp`` cannot overflow and the largest term
    is exactly 1 (the denominator is in ``[1, C]``): no overflow, no division by zero.
    """
    z = x - np.max(x, axis=-1, keepdims=True)
    np.exp(z, out=z)
    z /= np.sum(z, axis=-1, keepdims=True)
    return z


def log_softmax(x: np.ndarray) -> np.ndarray:
    """Row-wise ``log softmax(x)``, exact even where ``softmax`` underflows to 0."""
    z = x - np.max(x, axis=-1, keepdims=True)
    return z - np.log(np.sum(np.exp(z), axis=-1, keepdims=True))


def one_hot(y: np.ndarray, n_classes: int, dtype=np.float32) -> np.ndarray:
    """Integer labels ``(N,)`` to one-hot rows ``(N, n_classes)``."""
    y = np.asarray(y)
    out = np.zeros((y.shape[0], n_classes), dtype=dtype)
    out[np.arange(y.shape[0]), y] = 1
    return out


def _labels(y: np.ndarray, n: int, n_classes: int) -> np.ndarray:
    """Integer labels from ``y`` given as indices ``(N,)`` or one-hot rows ``(N, C)``."""
    if isinstance(y, np.ndarray) and y.shape == (n,) and y.dtype.kind in "iu":
        return y  # the common case, checked cheaply
    y = np.asarray(y)
    if y.ndim == 2:
        if y.shape != (n, n_classes):
            raise ValueError(f"one-hot labels have shape {y.shape}; expected {(n, n_classes)}")
        return np.argmax(y, axis=1)
    if y.shape != (n,):
        raise ValueError(f"labels have shape {y.shape}; expected ({n},) class indices or ({n}, C) one-hot")
    return y


def cross_entropy(probs: np.ndarray, y: np.ndarray, reduction: str = "sum") -> float:
    """``-sum_n y_n . log p_n`` (Q2.2.3), finite when a probability underflows to 0.

    A probability below the smallest normal number of its dtype is clipped there, so the loss
    of a hopeless prediction is large (about 87 in float32, 708 in float64) but finite.
    """
    _check_reduction(reduction)
    n = probs.shape[0]
    tiny = np.finfo(probs.dtype).tiny if np.issubdtype(probs.dtype, np.floating) else 1e-300
    y = np.asarray(y)
    if y.ndim == 2 and not np.array_equal(y, y.astype(bool)):  # soft targets: full dot product
        loss = -np.sum(y * np.log(np.maximum(probs, tiny)))
    else:
        labels = _labels(y, n, probs.shape[1])
        loss = -np.sum(np.log(np.maximum(probs[np.arange(n), labels], tiny)))
    return float(loss / n) if reduction == "mean" else float(loss)


def accuracy(probs_or_scores: np.ndarray, y: np.ndarray) -> float:
    """Fraction of rows whose arg-max matches the label (probabilities or logits alike)."""
    n = probs_or_scores.shape[0]
    if n == 0:
        raise ValueError("accuracy of an empty batch is undefined")
    labels = _labels(y, n, probs_or_scores.shape[1])
    return float(np.mean(np.argmax(probs_or_scores, axis=1) == labels))


def softmax_cross_entropy(
    logits: np.ndarray, y: np.ndarray, reduction: str = "sum"
) -> tuple[float, np.ndarray, np.ndarray]:
    """Softmax then cross-entropy, fused: ``(loss, probs, dJ/dlogits)``.

    The loss comes from the log-softmax (exact even when a probability underflows) and the
    gradient is the classic ``probs - onehot`` (divided by ``N`` for ``"mean"``), with no
    softmax Jacobian ever formed (Q2.3.1).
    """
    _check_reduction(reduction)
    n, c = logits.shape
    labels = _labels(y, n, c)
    rows = np.arange(n)
    peak = logits.max(axis=1, keepdims=True)
    probs = logits - peak
    picked = probs[rows, labels]  # z_y = logit_y - max, before exponentiation
    np.exp(probs, out=probs)
    total = np.add.reduce(probs, axis=1, keepdims=True)
    # -log p_y = log sum_j exp z_j - z_y, never log(0)
    loss = float(np.add.reduce(np.log(total), axis=None) - np.add.reduce(picked))
    probs /= total
    dlogits = probs.copy()
    dlogits[rows, labels] -= 1
    if reduction == "mean":
        loss /= n
        dlogits *= 1.0 / n
    return loss, probs, dlogits


def squared_error(
    pred: np.ndarray, target: np.ndarray, reduction: str = "sum"
) -> tuple[float, np.ndarray]:
    """Total squared error ``sum (pred - target)^2`` and its gradient ``2 (pred - target)``.

    The autoencoder's loss (Q5.1.1). ``"mean"`` divides by the number of examples (rows).
    """
    _check_reduction(reduction)
    if pred.shape != target.shape:
        raise ValueError(f"squared_error: pred has shape {pred.shape}, target {target.shape}")
    diff = pred - target
    loss = float(np.vdot(diff, diff))  # one BLAS dot, no squared temporary
    diff *= 2.0
    if reduction == "mean":
        loss /= pred.shape[0]
        diff *= 1.0 / pred.shape[0]
    return loss, diff
