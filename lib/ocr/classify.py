"""The character classifiers that read the crops: the numpy MLP and the PyTorch CNNs.

``classifier(kind)`` maps (N, 1024) float32 rows in the homework convention to labels 0..35
(A..Z, 0..9); ``scorer(kind)`` gives the (N, 36) scores behind them (probabilities or
log-probabilities; ``lib.ocr.recognize`` accepts either), or (N, 37) for a model with a
"not a character" output last.

* ``"mlp"``: the 1024-64-36 numpy network of chapter 3 that the learning-rate search chose on
  validation data (``lib.mlp_search.best_mlp``; cached, trained on first use).
* ``"cnn"``: the EMNIST CNN of Q7.1.4 (``lib.deep.ocr.cnn_classifier``; cached, trained on
  first use). torch is imported here and only when the CNN is asked for, so the rest of
  chapter 4 stays numpy/scipy/scikit-image code, as the homework asks.
* ``"reader"``: chapter 4's reader (``lib.deep.reader``), a CNN trained for reading
  photographed capitals on every legitimate source with style augmentation, 37 outputs
  (cached; trained on first use, torch imported lazily as for ``"cnn"``).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

MODELS = ("mlp", "cnn", "reader")
#: What each model is, in a few words (for messages and tables).
DESCRIPTIONS = {"mlp": "numpy MLP of chapter 3", "cnn": "EMNIST CNN of chapter 7",
                "reader": "reader CNN of chapter 4"}
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
        elif kind == "reader":
            from lib.deep.reader import reader_classifier  # torch: only on this path

            _SCORERS[kind] = reader_classifier()
        else:
            _SCORERS[kind] = _mlp_scorer()
    score = _SCORERS[kind]
    if scores:
        return score

    def classify(rows: np.ndarray) -> np.ndarray:
        rows = np.asarray(rows, np.float32).reshape(-1, 1024)
        if len(rows) == 0:
            return np.zeros(0, np.int64)
        return np.asarray(score(rows))[:, :36].argmax(axis=1).astype(np.int64)

    return classify


def will_train(kind: str) -> bool:
    """Whether loading ``kind`` will train it first (the reader is minutes of training, once)."""
    if kind != "reader" or kind in _SCORERS:
        return False
    from lib import cache
    from lib.deep.reader import reader_config, training_key  # torch: only on this path

    return not cache.cache_path("reader", training_key(reader_config()), suffix=".pt").exists()


def scorer(kind: str = "mlp") -> Scorer:
    """The trained model ``kind`` as ``rows (N, 1024) -> scores (N, 36)`` (loaded once)."""
    return classifier(kind, scores=True)


def kind_of(score: Scorer) -> str | None:
    """The name of ``MODELS`` whose loaded scorer ``score`` is (None for any other callable)."""
    return next((kind for kind, loaded in _SCORERS.items() if loaded is score), None)
