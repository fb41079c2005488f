"""read_text end to end on generated pages (stub classifier), the word-level rule, scoring."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from lib.data import CLASSES
from lib.ocr import classify as read_module
from lib.ocr import read, read_text, scorable, word_rule
from lib.ocr import segment as seg
from lib.ocr.classify import classifier
from lib.ocr.recognize import ReadOptions, log_probabilities, words_of
from tests.ocr.drawn import draw_page, rotate_page
from tests.ocr.stub import stub_scores

TEXT = "OIL IO\nLOL OIIO\nI"
#: The stub classifies by a crop's width, so these pages are read without widening narrow
#: writing (a page of I's looks condensed; lib.ocr.segment.writing_stretch).
PLAIN = ReadOptions(params=replace(seg.DEFAULT, max_stretch=0.0))


def test_read_text_end_to_end_on_a_drawn_page():
    image, _ = draw_page(TEXT)
    assert read_text(image, stub_scores, options=PLAIN) == TEXT


def test_read_text_on_a_rotated_uint8_rgb_page():
    image, _ = rotate_page(TEXT, 5.0)
    rgb = np.round(np.repeat(image[..., None], 3, axis=2) * 255).astype(np.uint8)
    assert read_text(rgb, stub_scores, options=PLAIN) == TEXT


def test_blank_page_reads_empty():
    assert read_text(np.ones((200, 300, 3)), stub_scores) == ""


def test_word_rule_turns_digits_in_letter_words_into_letters():
    image, _ = draw_page("OLL LOL\nOI")
    digit_first = lambda rows: stub_scores(rows, digits=True)  # noqa: E731
    reading = read(image, digit_first, options=PLAIN)
    assert reading.text_raw == "0LL L0L\n01"
    # mostly letters -> letters; "01" is a tie, and the stub scores the digits higher
    assert reading.text == "OLL LOL\n01"
    assert read_text(image, digit_first, word_level=False, options=PLAIN) == "0LL L0L\n01"


def test_word_rule_digit_words_and_ties():
    scores = np.full((5, 36), 0.01)
    labels = np.array([CLASSES.index(c) for c in "1O0S2"])
    for i, (a, b) in enumerate(zip("1O0S2", "IO0SZ", strict=False)):
        scores[i, CLASSES.index(a)] = 0.5
        scores[i, CLASSES.index(b)] = max(scores[i, CLASSES.index(b)], 0.4)
    scores[1, CLASSES.index("0")] = 0.45  # O's best digit is 0
    scores[3, CLASSES.index("5")] = 0.3   # S's best digit is 5
    fixed = word_rule(labels, scores, [[0, 1, 2, 3, 4]])  # 3 digits, 2 letters
    assert "".join(CLASSES[k] for k in fixed) == "10052"
    # a tie ("1O": one digit, one letter) goes to the reading with the higher total score:
    # digits 1 + 0 (0.5 + 0.45) beat letters I + O (0.4 + 0.5)
    tie = word_rule(labels[:2], scores[:2], [[0, 1]])
    assert "".join(CLASSES[k] for k in tie) == "10"
    scores[1, CLASSES.index("0")] = 0.2
    tie = word_rule(labels[:2], scores[:2], [[0, 1]])
    assert "".join(CLASSES[k] for k in tie) == "IO"
    single = word_rule(labels[:1], scores[:1], [[0]])
    assert list(single) == list(labels[:1])


def test_words_of():
    assert words_of([[0, 1, 2], [3, 4]], [[False, True, False], [False, False]]) == [[0], [1, 2], [3, 4]]


def test_log_probabilities_accepts_probabilities_and_logits():
    p = np.array([[0.7, 0.2, 0.1]])
    assert np.allclose(np.exp(log_probabilities(p)), p)
    logits = np.log(p) + 3.0
    assert np.allclose(np.exp(log_probabilities(logits)), p)


def test_a_model_with_wrong_output_shape_is_named():
    image, _ = draw_page("OI")
    with pytest.raises(ValueError, match="shape"):
        read(image, lambda rows: np.zeros((len(rows), 10)))


def test_classifier_kinds(monkeypatch):
    with pytest.raises(ValueError, match="mlp"):
        classifier("svm")
    monkeypatch.setitem(read_module._SCORERS, "mlp", stub_scores)
    classify = classifier("mlp")
    image, _ = draw_page("OIL")
    rows = read(image, "mlp").rows
    assert list(classify(rows)) == [CLASSES.index(c) for c in "OIL"]
    assert classify(np.zeros((0, 1024), np.float32)).shape == (0,)


def test_scorable_rule():
    assert scorable("1. Make a to-do list!\n\n  2.  Check ") == "1 MAKE A TODO LIST\n2 CHECK"
    assert scorable("") == ""


def test_a_models_own_segmentation_parameters_follow_its_loaded_scorer(monkeypatch):
    """The reader widens condensed writing less than the others; its scorer, passed as a
    callable (as the CLI and the pipelines do), still reads with the reader's parameters."""
    from lib.ocr import MODEL_PARAMS, segment_params

    assert segment_params("reader").max_stretch < seg.DEFAULT.max_stretch
    assert segment_params("mlp") == segment_params("cnn") == seg.DEFAULT
    monkeypatch.setitem(read_module._SCORERS, "reader", stub_scores)
    assert segment_params(stub_scores) == MODEL_PARAMS["reader"]
    assert segment_params(lambda rows: stub_scores(rows)) == seg.DEFAULT
    image, _ = draw_page("OIL")
    assert read(image, stub_scores).options.params == MODEL_PARAMS["reader"]
    assert read(image, stub_scores, options=PLAIN).options.params == PLAIN.params
