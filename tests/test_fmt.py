"""lib.fmt: the one form of percentages, scientific notation, durations and counts."""

from __future__ import annotations

import doctest

import numpy as np
import pytest

from lib import fmt


def test_examples_in_the_docstring_hold():
    assert doctest.testmod(fmt).failed == 0


@pytest.mark.parametrize("digits", [0, 1, 2])
def test_pct_is_the_percent_format_of_chapter_7(digits):
    """Chapter 7 wrote ``f"{100 * v:.{digits}f}%"``, chapters 2-4 ``f"{v:.1%}"``: one form."""
    for v in np.random.default_rng(0).random(2000).tolist() + [0.0, 1.0, 0.5, 0.12345, 0.98765]:
        assert fmt.pct(v, digits) == f"{100 * v:.{digits}f}%"


@pytest.mark.parametrize(("value", "digits", "text"), [
    (2.34e-7, 1, "2.3 × 10⁻⁷"), (1e-6, 0, "10⁻⁶"), (-1e-6, 0, "-10⁻⁶"), (-2.5e-3, 1, "-2.5 × 10⁻³"),
    (2.5, 1, "2.5"), (123456.0, 2, "1.23 × 10⁵"), (0.0, 1, "0"), (9.96e-5, 1, "1.0 × 10⁻⁴"),
])
def test_sci(value, digits, text):
    assert fmt.sci(value, digits) == text


def test_duration_switches_to_minutes_at_two_minutes():
    assert fmt.duration(119.4) == "119 s" and fmt.duration(120) == "2.0 minutes"
    assert fmt.duration(0.123, 2) == "0.12 s" and fmt.duration(3600) == "60.0 minutes"


def test_count():
    assert fmt.count(67940) == "67,940" and fmt.count(7) == "7"


def test_plural():
    assert fmt.plural(1, "answer") == "1 answer" and fmt.plural(0, "answer") == "0 answers"
    assert fmt.plural(1200, "question") == "1,200 questions" and fmt.plural(2, "entry", "entries") == "2 entries"
