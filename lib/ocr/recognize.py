"""Read the text of a photo: detect, crop, classify, and assemble lines and words.

The classifiers (``"mlp"``, ``"cnn"`` or any ``rows -> (N, 36) scores`` callable) are in
:mod:`lib.ocr.classify`.

The **word-level rule** is about the alphabet only: in a word whose predictions are mostly
letters, a character predicted as a digit is replaced by the best-scoring *letter* (the
look-alikes 0/O, 1/I, 2/Z, 5/S, 6/G, 8/B are the usual cases); in a word that is mostly
digits, a letter is replaced by the best-scoring digit. A word with as many letters as
digits takes whichever of the two readings (all letters, all digits) the classifier scores
higher in total; one-character words are left alone. No dictionary, no knowledge of any text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from lib.data.nist36 import CLASSES
from lib.ocr.classify import MODELS, Scorer, classifier, scorer
from lib.ocr.crops import crop_rows, variant_rows
from lib.ocr.detect import Detection, detect
from lib.ocr.layout import text_from

N_LETTERS = 26
__all__ = ["MODELS", "Reading", "classifier", "read", "read_detection", "read_text", "scorable", "scorer",
           "word_rule"]


def word_rule(labels: np.ndarray, scores: np.ndarray, words: list[list[int]]) -> np.ndarray:
    """Apply the word-level letter/digit consistency rule; returns new labels.

    ``scores`` are log-probabilities (N, 36). A word of two or more characters that is
    mostly letters becomes all letters, mostly digits all digits, each character taking its
    best-scoring class of that kind; a tie is broken by the classifier's own scores: the
    all-letter or all-digit reading with the higher total log-probability.
    """
    labels = np.array(labels, np.int64, copy=True)
    scores = np.asarray(scores, np.float64)
    for word in words:
        if len(word) < 2:
            continue
        w = np.asarray(word)
        n_digits = int((labels[w] >= N_LETTERS).sum())
        n_letters = len(word) - n_digits
        as_letters = scores[w, :N_LETTERS].argmax(axis=1)
        as_digits = N_LETTERS + scores[w, N_LETTERS:].argmax(axis=1)
        if n_letters == n_digits:
            letters_total = scores[w, as_letters].sum()
            digits_total = scores[w, as_digits].sum()
            n_letters += 1 if letters_total >= digits_total else -1
        labels[w] = as_letters if n_letters > n_digits else as_digits
    return labels


def words_of(lines: list[list[int]], spaces: list[list[bool]]) -> list[list[int]]:
    """Box indices grouped into words (a space starts a new word)."""
    words = []
    for line, sp in zip(lines, spaces, strict=False):
        for i, s in zip(line, sp, strict=False):
            if s or not words or i == line[0]:
                words.append([])
            words[-1].append(i)
    return words


@dataclass
class Reading:
    """What ``read`` found: the detection, the 32x32 rows, the scores and both texts."""

    detection: Detection
    rows: np.ndarray
    scores: np.ndarray
    labels_raw: np.ndarray
    labels: np.ndarray
    text_raw: str   # argmax of the scores
    text: str       # after the word-level rule


def log_probabilities(scores: np.ndarray) -> np.ndarray:
    """Scores as log-probabilities: probabilities are logged, anything else log-softmaxed."""
    s = np.asarray(scores, np.float64)
    if s.size and s.min() >= 0 and np.allclose(s.sum(axis=1), 1.0, atol=1e-3):
        return np.log(np.clip(s, 1e-12, None))
    s = s - s.max(axis=1, keepdims=True)
    return s - np.log(np.exp(s).sum(axis=1, keepdims=True))


def classify_detection(det: Detection, score: Scorer, tta: bool = True) -> np.ndarray:
    """(N, 36) log-probabilities for the detected characters, averaged over the variants."""
    n = len(det.boxes)
    if n == 0:
        return np.zeros((0, len(CLASSES)))
    stack = variant_rows(det) if tta else crop_rows(det)[None]
    flat = stack.reshape(-1, stack.shape[-1])
    scores = np.asarray(score(flat))
    if scores.shape != (len(flat), len(CLASSES)):
        raise ValueError(f"the classifier returned scores of shape {scores.shape}; "
                         f"expected ({len(flat)}, {len(CLASSES)})")
    return log_probabilities(scores).reshape(len(stack), n, len(CLASSES)).mean(axis=0)


def read_detection(det: Detection, model: str | Scorer = "mlp", tta: bool = True) -> Reading:
    """Classify the characters of a detection and assemble the text (both rules)."""
    score = scorer(model) if isinstance(model, str) else model
    rows = crop_rows(det)
    scores = classify_detection(det, score, tta)
    raw = scores.argmax(axis=1).astype(np.int64)
    fixed = word_rule(raw, scores, words_of(det.lines, det.spaces))
    text_raw = text_from([CLASSES[k] for k in raw], det.lines, det.spaces)
    text = text_from([CLASSES[k] for k in fixed], det.lines, det.spaces)
    return Reading(det, rows, scores, raw, fixed, text_raw, text)


def read(image: np.ndarray, model: str | Scorer = "mlp", tta: bool = True) -> Reading:
    """Detect, crop and classify; ``model`` is ``"mlp"``, ``"cnn"`` or a scorer callable.

    ``tta`` averages the scores over the crop variants of ``lib.ocr.crops.VARIANTS``.
    """
    score = scorer(model) if isinstance(model, str) else model  # load before detecting
    return read_detection(detect(image), score, tta)


def read_text(image: np.ndarray, model: str | Scorer = "mlp", word_level: bool = True) -> str:
    """The text of a photo: lines separated by ``"\\n"``, words by one space.

    ``model``: ``"mlp"`` (numpy, chapter 3), ``"cnn"`` (PyTorch, chapter 7) or any callable
    ``rows (N, 1024) -> scores (N, 36)``. ``word_level`` applies the letter/digit rule.
    """
    reading = read(image, model)
    return reading.text if word_level else reading.text_raw


_NOT_SCORED = re.compile(r"[^A-Z0-9 \n]")


def scorable(text: str) -> str:
    """The part of a text the 36 classes can express, for scoring (Q4.4's rule).

    Upper-cased; every character other than A-Z, 0-9, space and line break (punctuation
    such as the periods of "1.") is dropped; runs of spaces become one; lines are stripped
    and empty lines removed. Line breaks and word spaces count in the CER like characters.
    """
    text = _NOT_SCORED.sub("", text.upper().replace("\r", ""))
    lines = [" ".join(line.split()) for line in text.split("\n")]
    return "\n".join(line for line in lines if line)
