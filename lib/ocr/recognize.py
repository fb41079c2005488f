"""Read the text of a photo: detect, segment, classify, and assemble lines and words.

The classifiers (``"mlp"``, ``"cnn"``, ``"reader"`` or any ``rows -> (N, 36 or 37) scores``
callable) are in :mod:`lib.ocr.classify`. Reading is a sequence of steps, each switchable
with :class:`ReadOptions`, so that chapter 4 can show what each one changes:

* **raw**: one character per detected box, the classifier's argmax on the plain crop;
* **averaging**: the log-probabilities averaged over small changes of the crop's scale and
  position (``lib.ocr.crops.VARIANTS``);
* **segmentation**: recognition-driven segmentation (:mod:`lib.ocr.segment` proposes the
  candidate characters, :mod:`lib.ocr.choose` chooses among them): touching
  characters split and broken ones joined where the classifier and the width prior say so,
  word gaps measured between the characters chosen;
* **word rule**: the letter/digit consistency rule below;
* **lexicon** (off by default): words corrected against an English word list
  (:mod:`lib.ocr.lexicon`); reported apart from everything else.

The **word-level rule** is about the alphabet only: in a word whose predictions are mostly
letters, a character predicted as a digit is replaced by the best-scoring *letter* (the
look-alikes 0/O, 1/I, 2/Z, 5/S, 6/G, 8/B are the usual cases); in a word that is mostly
digits, a letter is replaced by the best-scoring digit. A word with as many letters as
digits takes whichever of the two readings (all letters, all digits) the classifier scores
higher in total; one-character words are left alone. No dictionary, no knowledge of any text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

import numpy as np

from lib.data.nist36 import CLASSES
from lib.ocr import choose
from lib.ocr import segment as seg
from lib.ocr.classify import MODELS, Scorer, classifier, kind_of, scorer
from lib.ocr.crops import SIDE, VARIANTS, normalize_char
from lib.ocr.detect import Detection, detect
from lib.ocr.layout import text_from

N_LETTERS = 26
N_CLASSES = len(CLASSES)
log_probabilities = seg.log_probabilities
__all__ = ["MODELS", "MODEL_PARAMS", "ReadOptions", "Reading", "classifier", "read", "read_detection", "read_text",
           "scorable", "scorer", "segment_params", "word_rule"]


@dataclass(frozen=True)
class ReadOptions:
    """Which steps of reading run (all but the lexicon by default; see the module doc)."""

    average: bool = True
    segment: bool = True
    word_rule: bool = True
    lexicon: bool = False
    params: seg.SegmentParams | None = None  # None: the classifier's own (segment_params)

    @classmethod
    def raw(cls) -> ReadOptions:
        """The network's own transcription: argmax per detected box, nothing else."""
        return cls(average=False, segment=False, word_rule=False, lexicon=False)


#: Segmentation parameters of the classifiers that read best with other ones than
#: ``seg.DEFAULT``. The reader CNN learnt condensed lettering (its style augmentation narrows
#: glyphs to 0.35-1.15 of their width), so a condensed writing is widened less for it: at most
#: 1.5 times, against 2.5 for the MLP and the EMNIST CNN, which never saw condensed letters.
#: Chosen on the validation pages (12 per generated source): the reader's CER 6.7% at 2.5,
#: 6.2% at 1.25, 6.0% at 1.5, 6.4% at 1.75; the EMNIST CNN's 11.3% at 2.5, 12.9% at 1.5.
#: Its "not a character" output also lets it take 1.5 per character instead of 0.5, so that a
#: touching pair is not read whole as one wide letter (validation pages, 24 per source with the
#: scanned-handwriting ones: 5.66% -> 5.30%, touching 10.1% -> 8.7%; 1.25-2 read alike, 3 cuts
#: letters apart). A classifier without that output reads each piece of a broken letter as a
#: character of its own with the larger bonus (a serif I's bar as another I), so the MLP and
#: the EMNIST CNN keep 0.5.
MODEL_PARAMS: dict[str, seg.SegmentParams] = {"reader": replace(seg.DEFAULT, max_stretch=1.5, char_bonus=1.5)}


def segment_params(model: str | Scorer) -> seg.SegmentParams:
    """The segmentation parameters ``model`` reads with: a name of ``MODELS`` or its loaded
    scorer (``scorer(name)``); ``seg.DEFAULT`` for any other callable."""
    name = model if isinstance(model, str) else kind_of(model)
    return MODEL_PARAMS.get(name, seg.DEFAULT)


#: The steps chapter 4 shows, each adding one to the previous (Q4.4).
STEPS: dict[str, ReadOptions] = {
    "raw": ReadOptions.raw(),
    "+ averaging": ReadOptions(average=True, segment=False, word_rule=False),
    "+ segmentation": ReadOptions(average=True, segment=True, word_rule=False),
    "+ word rule": ReadOptions(average=True, segment=True, word_rule=True),
}


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
        as_digits = N_LETTERS + scores[w, N_LETTERS:N_CLASSES].argmax(axis=1)
        if n_letters == n_digits:
            letters_total = scores[w, as_letters].sum()
            digits_total = scores[w, as_digits].sum()
            n_letters += 1 if letters_total >= digits_total else -1
        labels[w] = as_letters if n_letters > n_digits else as_digits
    return labels


def words_of(lines: list[list[int]], spaces: list[list[bool]]) -> list[list[int]]:
    """Character indices grouped into words (a space starts a new word)."""
    words = []
    for line, sp in zip(lines, spaces, strict=False):
        for i, s in zip(line, sp, strict=False):
            if s or not words or i == line[0]:
                words.append([])
            words[-1].append(i)
    return words


@dataclass
class Reading:
    """What ``read`` found: the characters chosen, their scores, and the texts.

    ``boxes`` are the characters' boxes in full-resolution pixels (after segmentation they
    may differ from ``detection.boxes``); ``logp`` their log-probabilities (36 classes, or 37
    with "not a character" last); ``labels_raw`` the best class of each (width prior
    included when segmenting), ``labels`` after the word rule (and the lexicon, if on).
    ``text_raw`` is the text of ``labels_raw``, ``text`` the final text.
    """

    detection: Detection
    boxes: np.ndarray
    logp: np.ndarray
    labels_raw: np.ndarray
    labels: np.ndarray
    lines: list[list[int]]
    spaces: list[list[bool]]
    text_raw: str
    text: str
    options: ReadOptions = field(default_factory=ReadOptions)
    segmentation: choose.Segmentation | None = None
    corrections: list[tuple[str, str]] = field(default_factory=list)  # lexicon: (read, corrected)
    text_before_lexicon: str = ""

    @property
    def scores(self) -> np.ndarray:
        """(N, 36) log-probabilities of the 36 classes (the 37th output, if any, dropped)."""
        return self.logp[:, :N_CLASSES]

    @property
    def confidence(self) -> np.ndarray:
        """Each character's probability of its final class."""
        if len(self.labels) == 0:
            return np.zeros(0)
        return np.exp(self.logp[np.arange(len(self.labels)), self.labels])

    @property
    def rows(self) -> np.ndarray:
        """(N, 1024) the characters' plain crops as the classifier sees them."""
        from lib.data.nist36 import to_row

        masks = self.masks()
        return np.array([to_row(normalize_char(m)) for m in masks], np.float32).reshape(-1, SIDE * SIDE)

    def masks(self) -> list[np.ndarray]:
        s = self.segmentation
        return [s.candidates[k].mask for k in s.chars] if s is not None else []

    def alternatives(self, i: int, k: int = 3) -> list[tuple[str, float]]:
        """The ``k`` most probable classes of character ``i`` with their probabilities."""
        p = np.exp(self.logp[i, :N_CLASSES])
        top = np.argsort(-p)[:k]
        return [(CLASSES[j], float(p[j])) for j in top]


def read_detection(det: Detection, model: str | Scorer = "mlp", options: ReadOptions | None = None,
                   tta: bool | None = None, lexicon=None) -> Reading:
    """Classify the characters of a detection and assemble the text (see ``ReadOptions``).

    ``tta=False`` is short for ``options.average=False``; ``lexicon`` is a
    :class:`lib.ocr.lexicon.Lexicon` (only used when ``options.lexicon``).
    """
    options = _resolved(options, model, tta)
    score = scorer(model) if isinstance(model, str) else model
    if options.segment:
        s = choose.segment(det, score, options.params, options.average)
    else:
        s = choose.one_per_box(det, score, VARIANTS if options.average else ())
    boxes = choose.full_resolution(s, det)
    logp = s.logp[s.chars] if s.chars else np.zeros((0, s.logp.shape[1] if s.logp.ndim == 2 else N_CLASSES))
    raw = s.label[s.chars].astype(np.int64) if s.chars else np.zeros(0, np.int64)
    labels = word_rule(raw, logp[:, :N_CLASSES], words_of(s.lines, s.spaces)) if options.word_rule else raw.copy()
    text_raw = text_from([CLASSES[k] for k in raw], s.lines, s.spaces)
    text = text_from([CLASSES[k] for k in labels], s.lines, s.spaces)
    corrections: list[tuple[str, str]] = []
    before = ""
    if options.lexicon:
        from lib.ocr.lexicon import correct

        before = text
        labels, corrections = correct(labels, logp[:, :N_CLASSES], words_of(s.lines, s.spaces), lexicon)
        text = text_from([CLASSES[k] for k in labels], s.lines, s.spaces)
    return Reading(det, boxes, logp, raw, labels, s.lines, s.spaces, text_raw, text, options, s, corrections,
                   before)


def read(image: np.ndarray, model: str | Scorer = "mlp", tta: bool | None = None,
         options: ReadOptions | None = None, lexicon=None) -> Reading:
    """Detect and read; ``model`` is ``"mlp"``, ``"cnn"``, ``"reader"`` or a scorer callable."""
    score = scorer(model) if isinstance(model, str) else model  # load before detecting
    return read_detection(detect(image), score, options, tta, lexicon)


def _resolved(options: ReadOptions | None, model: str | Scorer, tta: bool | None) -> ReadOptions:
    """``options`` (default: all steps) with ``tta`` applied and the model's segmentation
    parameters filled in where none are given."""
    options = options or ReadOptions()
    if tta is not None:
        options = replace(options, average=tta)
    if options.params is None:
        options = replace(options, params=segment_params(model))
    return options


def read_text(image: np.ndarray, model: str | Scorer = "mlp", word_level: bool = True,
              options: ReadOptions | None = None) -> str:
    """The text of a photo: lines separated by ``"\\n"``, words by one space.

    ``model``: ``"mlp"`` (numpy, chapter 3), ``"cnn"`` (PyTorch, chapter 7), ``"reader"``
    (chapter 4's reader) or any callable ``rows (N, 1024) -> scores (N, 36 or 37)``.
    ``word_level`` applies the letter/digit rule.
    """
    options = options or ReadOptions()
    if not word_level:
        options = replace(options, word_rule=False)
    return read(image, model, options=options).text


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
