"""The optional lexicon: English words by the classifier's own scores, substitutions only."""

from __future__ import annotations

import numpy as np
import pytest

from lib.data.nist36 import CLASSES
from lib.ocr import lexicon


def _scores(text: str, second: dict[int, str] | None = None, sure: float = 0.9) -> tuple[np.ndarray, np.ndarray]:
    """Log-probabilities that favour ``text`` (``sure``), with runner-up classes at 1 - sure."""
    p = np.full((len(text), 36), 1e-4)
    for i, c in enumerate(text):
        p[i, CLASSES.index(c)] = sure
        if second and i in second:
            p[i, CLASSES.index(second[i])] = 1 - sure
    p /= p.sum(1, keepdims=True)
    logp = np.log(p)
    return logp, logp.argmax(1)


@pytest.fixture(scope="module")
def words():
    return lexicon.load()


def test_the_word_list_is_english_and_upper_case(words):
    assert len(words) > 10_000
    for w in ("THE", "LEARNING", "REFRIGERATOR", "DONT"):
        assert w in words.index
    assert "pyspellchecker" in words.source


def test_a_near_miss_becomes_the_word(words):
    logp, labels = _scores("LEARNIMG", second={6: "N"}, sure=0.7)
    fixed, changed = lexicon.correct(labels, logp, [list(range(8))], words)
    assert "".join(CLASSES[k] for k in fixed) == "LEARNING"
    assert changed == [("LEARNIMG", "LEARNING")]


def test_confident_non_words_digits_and_single_letters_stay(words):
    logp, labels = _scores("QZXJ", sure=0.999)
    assert lexicon.correct(labels, logp, [[0, 1, 2, 3]], words)[1] == []
    logp, labels = _scores("A1B")
    assert lexicon.correct(labels, logp, [[0, 1, 2]], words)[1] == []
    logp, labels = _scores("X")
    assert lexicon.correct(labels, logp, [[0]], words)[1] == []


def test_a_word_keeps_its_length(words):
    logp, labels = _scores("HELLOO", second={5: "W"}, sure=0.6)
    fixed, _ = lexicon.correct(labels, logp, [list(range(6))], words)
    assert len(fixed) == 6
