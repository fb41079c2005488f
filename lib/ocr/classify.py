"""The character classifiers that read the crops: the numpy MLP and the PyTorch CNN.

``classifier(kind)`` maps (N, 1024) float32 rows in the homework convention to labels 0..35
(A..Z, 0..9); ``scorer(kind)`` gives the (N, 36) scores behind them (probabilities or
log-probabilities; ``lib.ocr.recognize`` accepts either).

* ``"mlp"``: the 1024-64-36 numpy network of chapter 3 that the learning-rate search chose on
  validation data (``lib.mlp_search.best_mlp``; cached, trained on first use).
* ``"cnn"``: the EMNIST CNN of Q7.1.4 (``lib.deep.ocr.cnn_classifier``; cached, trained on
  first use). torch is imported here and only when the CNN is asked for, so the rest of
  chapter 4 stays numpy/scipy/scikit-image code, as the homework asks.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

MODELS = ("mlp", "cnn")
Scorer = Callable[[np.ndarray], np.ndarray]

#: Loaded models, per process: kind -> scorer.
_SCORERS: dict[str, Scorer] = {}


def _mlp_scorer() -> Scorer:
    from lib.mlp_search import best_mlp
    from lib.nn.network import predict

    params, spec = best_mlp()

    def score(rows: np.ndarray) -> np.ndarray:
        return predict(params, spec, np.asarray(rows, np.float32))

    return score


def classifier(kind: str = "mlp", scores: bool = False) -> Callable[[np.ndarray], np.ndarray]:
    """The trained model ``kind`` as ``rows (N, 1024) float32 -> labels (N,) int 0..35``.

    ``scores=True`` returns the model's ``rows -> (N, 36) scores`` instead (see ``scorer``).
    """
    if kind not in MODELS:
        raise ValueError(f"model must be one of {MODELS}, not {kind!r}")
    if kind not in _SCORERS:
        if kind == "cnn":
            from lib.deep.ocr import cnn_classifier  # torch: only on this path

            _SCORERS[kind] = cnn_classifier()
        else:
            _SCORERS[kind] = _mlp_scorer()
    score = _SCORERS[kind]
    if scores:
        return score

    def classify(rows: np.ndarray) -> np.ndarray:
        rows = np.asarray(rows, np.float32).reshape(-1, 1024)
        if len(rows) == 0:
            return np.zeros(0, np.int64)
        return np.asarray(score(rows)).argmax(axis=1).astype(np.int64)

    return classify


def scorer(kind: str = "mlp") -> Scorer:
    """The trained model ``kind`` as ``rows (N, 1024) -> scores (N, 36)`` (loaded once)."""
    return classifier(kind, scores=True)
