"""Chapter 4: find handwritten characters in a photo and read them (Q4.1-Q4.4).

``find_letters(image) -> (boxes, bw)`` boxes the characters; ``read_text(image, model)``
segments and classifies them with the numpy MLP of chapter 3 (``"mlp"``), the CNN of chapter
7 (``"cnn"``) or chapter 4's reader CNN (``"reader"``) and returns the text;
``python -m lib.ocr IMAGE...`` does it from the command line. Only numpy, scipy, scikit-image and matplotlib are
imported here (the homework's rule for Q4); the CNN path imports ``lib.deep`` lazily.
"""

from lib.ocr.classify import MODELS, classifier, scorer
from lib.ocr.crops import crop_rows, normalize_char
from lib.ocr.detect import Detection, DetectParams, detect, find_letters
from lib.ocr.recognize import (
    MODEL_PARAMS,
    Reading,
    ReadOptions,
    read,
    read_detection,
    read_text,
    scorable,
    segment_params,
    word_rule,
)

__all__ = [
    "MODELS",
    "MODEL_PARAMS",
    "DetectParams",
    "Detection",
    "ReadOptions",
    "Reading",
    "classifier",
    "crop_rows",
    "detect",
    "find_letters",
    "normalize_char",
    "read",
    "read_detection",
    "read_text",
    "scorable",
    "scorer",
    "segment_params",
    "word_rule",
]
