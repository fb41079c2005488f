"""Optional lexicon correction (``python -m lib.ocr --lexicon``; off by default).

A word read as letters is compared with every English word of the same length; the
classifier's own log-probabilities decide, with a word-frequency prior:

    score(w) = sum_i log p(w_i | crop_i) + FREQ_WEIGHT * log frequency(w)

and the best dictionary word replaces the reading when it beats the reading's own score
(the reading, if it is not a word, gets the frequency of the rarest listed word) by
``MARGIN``. Only substitutions: a word keeps its number of characters, so the characters'
boxes and confidences stay meaningful, and a segmentation error is never "corrected" into a
different word length. Words with digits, and one-letter words, are left alone.

The word list is the English frequency dictionary of the PyPI package ``pyspellchecker``
(MIT licence; word counts from subtitles and other open text), read from its JSON file
without importing the package. Apostrophes are dropped ("don't" counts for DONT), as the 36
classes cannot write them. Chapter 4 reports the lexicon's error rate separately: it helps
English text and can only hurt random letter strings.
"""

from __future__ import annotations

import functools
import gzip
import importlib.util
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from lib.data.errors import DataError

N_LETTERS = 26
#: Weight of the log word frequency against the characters' log-probabilities (this and
#: MARGIN chosen on the unseen-style benchmark's validation pages, training and validation lettering).
FREQ_WEIGHT = 0.5
#: How much better (in log-probability) a word must score than the reading itself.
MARGIN = 0.5
#: Words seen fewer times than this in the frequency list are left out (typos, names).
MIN_COUNT = 100
PACKAGE, RESOURCE = "spellchecker", "resources/en.json.gz"


@dataclass
class Lexicon:
    """Words by length: ``codes[L]`` (M, L) letter indices 0..25, ``logfreq[L]`` (M,)."""

    codes: dict[int, np.ndarray]
    logfreq: dict[int, np.ndarray]
    floor: float                  # log frequency given to a reading that is not a word
    index: dict[str, float]       # word (upper case) -> log frequency
    source: str

    def __len__(self) -> int:
        return len(self.index)


def word_list_path() -> Path:
    """The frequency list inside the installed ``pyspellchecker`` package."""
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise DataError("--lexicon needs the PyPI package pyspellchecker (its English word list); "
                        "run `make setup` or `pip install pyspellchecker`.")
    path = Path(list(spec.submodule_search_locations)[0]) / RESOURCE
    if not path.is_file():
        raise DataError(f"{path} not found in the installed pyspellchecker package (its English word list).")
    return path


@functools.lru_cache(maxsize=2)
def load(min_count: int = MIN_COUNT) -> Lexicon:
    """The English word list (cached in the process)."""
    path = word_list_path()
    try:
        with gzip.open(path, "rt", encoding="utf-8") as f:
            counts = json.load(f)
    except (OSError, ValueError) as exc:
        raise DataError(f"{path}: cannot read the English word list ({exc}).") from exc
    merged: dict[str, int] = {}
    for word, count in counts.items():
        w = word.replace("'", "").upper()
        if len(w) >= 2 and w.isascii() and w.isalpha() and count >= min_count:
            merged[w] = merged.get(w, 0) + int(count)
    by_len: dict[int, list[str]] = {}
    for w in merged:
        by_len.setdefault(len(w), []).append(w)
    codes, logfreq = {}, {}
    for n, words in by_len.items():
        codes[n] = (np.frombuffer("".join(words).encode("ascii"), np.uint8).reshape(len(words), n) - ord("A"))
        logfreq[n] = np.log(np.array([merged[w] for w in words], float))
    floor = float(np.log(min_count))
    index = {w: float(np.log(c)) for w, c in merged.items()}
    return Lexicon(codes, logfreq, floor, index, f"pyspellchecker {RESOURCE} ({len(merged)} words)")


def best_word(logp: np.ndarray, lexicon: Lexicon) -> tuple[np.ndarray, float] | None:
    """The lexicon word of the same length with the highest score, and that score."""
    n = len(logp)
    if n not in lexicon.codes:
        return None
    codes = lexicon.codes[n]
    scores = logp[np.arange(n)[None, :], codes].sum(axis=1) + FREQ_WEIGHT * lexicon.logfreq[n]
    k = int(scores.argmax())
    return codes[k].astype(np.int64), float(scores[k])


def correct(labels: np.ndarray, logp: np.ndarray, words: list[list[int]],
            lexicon: Lexicon | None = None) -> tuple[np.ndarray, list[tuple[str, str]]]:
    """Labels with words replaced by better-scoring English words; the (read, new) pairs."""
    from lib.data.nist36 import CLASSES

    lexicon = lexicon or load()
    labels = np.array(labels, np.int64, copy=True)
    logp = np.asarray(logp, np.float64)
    changed = []
    for word in words:
        w = np.asarray(word)
        if len(w) < 2 or (labels[w] >= N_LETTERS).any():
            continue
        read = "".join(CLASSES[k] for k in labels[w])
        letters = logp[w, :N_LETTERS]
        own = letters[np.arange(len(w)), labels[w]].sum() + FREQ_WEIGHT * lexicon.index.get(read, lexicon.floor)
        found = best_word(letters, lexicon)
        if found is None:
            continue
        codes, score = found
        new = "".join(CLASSES[k] for k in codes)
        if new != read and score > own + MARGIN:
            labels[w] = codes
            changed.append((read, new))
    return labels, changed
