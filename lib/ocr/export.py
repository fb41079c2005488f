"""A reading as plain data (``python -m lib.ocr --json``): lines, words, characters, boxes.

Boxes are ``[y1, x1, y2, x2]`` in the photo's full-resolution pixels (top-left inclusive,
bottom-right exclusive), as ``find_letters`` returns them. Each character carries its
probability (``confidence``) and the classes it was weighed against (``alternatives``, the
three most probable, with probabilities); each line lists the candidate characters the
segmentation considered (``candidates``: box, best class, its probability, and whether the
best path chose it).
"""

from __future__ import annotations

import numpy as np

from lib.data.nist36 import CLASSES
from lib.ocr.recognize import Reading, words_of

BOX_FORMAT = "[y1, x1, y2, x2], full-resolution pixels, bottom-right exclusive"


def _box(boxes: np.ndarray) -> list[int]:
    b = np.asarray(boxes).reshape(-1, 4)
    return [int(b[:, 0].min()), int(b[:, 1].min()), int(b[:, 2].max()), int(b[:, 3].max())]


def _candidates(reading: Reading, line: int) -> list[dict]:
    s = reading.segmentation
    if s is None or not s.candidates:
        return []
    f = max(int(reading.detection.factor), 1)
    chosen = set(s.chars)
    out = []
    for k, c in enumerate(s.candidates):
        if c.line != line:
            continue
        label = int(s.label[k])
        out.append({"box": [int(v) * f for v in c.box], "char": CLASSES[label],
                    "probability": round(float(np.exp(s.logp[k, label])), 4), "chosen": k in chosen})
    return out


def as_dict(reading: Reading, source: str = "") -> dict:
    """The reading as JSON-able data: text, lines, words, characters (see the module doc)."""
    labels = reading.labels
    conf = reading.confidence
    words = words_of(reading.lines, reading.spaces)
    word_of = {i: w for w, word in enumerate(words) for i in word}
    lines = []
    for li, line in enumerate(reading.lines):
        line_words = []
        for w in sorted({word_of[i] for i in line}):
            chars = [{"char": CLASSES[int(labels[i])], "box": _box(reading.boxes[i]),
                      "confidence": round(float(conf[i]), 4),
                      "alternatives": [[c, round(p, 4)] for c, p in reading.alternatives(i)]}
                     for i in words[w]]
            line_words.append({"text": "".join(c["char"] for c in chars), "box": _box(reading.boxes[words[w]]),
                               "chars": chars})
        lines.append({"text": " ".join(w["text"] for w in line_words),
                      "box": _box(reading.boxes[line]) if line else None,
                      "words": line_words, "candidates": _candidates(reading, li)})
    out = {"file": source, "text": reading.text, "lines": lines}
    if reading.corrections:
        out["lexicon"] = [{"read": a, "corrected": b} for a, b in reading.corrections]
        out["text_before_lexicon"] = reading.text_before_lexicon
    return out
