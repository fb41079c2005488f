"""Character error rate by edit distance (Q4.4)."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from lib.metrics import cer, edit_alignment, edit_distance, edit_errors


@pytest.mark.parametrize("a, b, d", [
    ("", "", 0), ("abc", "", 3), ("", "abc", 3), ("kitten", "sitting", 3), ("flaw", "lawn", 2),
    ("TO DO", "TO DO", 0), ("T0 D0", "TO DO", 2), ("TODO", "TO DO", 1), ("TO  DO", "TO DO", 1),
    ("ABC\nDEF", "ABC DEF", 1),
])
def test_edit_distance_known_values(a, b, d):
    assert edit_distance(a, b) == d
    assert edit_distance(b, a) == d


def _reference(a, b):
    """Textbook dynamic programme, for comparison."""
    table = [[i + j if i * j == 0 else 0 for j in range(len(b) + 1)] for i in range(len(a) + 1)]
    for i, j in itertools.product(range(1, len(a) + 1), range(1, len(b) + 1)):
        table[i][j] = min(table[i - 1][j] + 1, table[i][j - 1] + 1, table[i - 1][j - 1] + (a[i - 1] != b[j - 1]))
    return table[-1][-1]


def test_edit_distance_matches_the_textbook_programme():
    rng = np.random.default_rng(0)
    for _ in range(200):
        a = "".join(rng.choice(list("AB C"), rng.integers(0, 9)))
        b = "".join(rng.choice(list("AB C"), rng.integers(0, 9)))
        assert edit_distance(a, b) == _reference(a, b)


def test_cer_is_distance_over_truth_length():
    assert cer("HELLO", "HELLO") == 0.0
    assert cer("HELL0", "HELLO") == pytest.approx(0.2)
    assert cer("", "HELLO") == 1.0
    assert cer("HELLO WORLD", "HELLO") == pytest.approx(6 / 5)  # can exceed 1
    assert cer("", "") == 0.0 and cer("X", "") == 1.0


def test_cer_refuses_non_strings():
    with pytest.raises(TypeError, match="cer"):
        cer(["A"], "A")


def test_edit_alignment_is_an_optimal_script_of_both_texts():
    rng = np.random.default_rng(1)
    for _ in range(300):
        read = "".join(rng.choice(list("AB C\n"), rng.integers(0, 10)))
        truth = "".join(rng.choice(list("AB C\n"), rng.integers(0, 10)))
        pairs = edit_alignment(read, truth)
        assert "".join(t for t, _ in pairs) == truth and "".join(r for _, r in pairs) == read
        assert all(len(t) + len(r) >= 1 for t, r in pairs)
        assert sum(t != r for t, r in pairs) == edit_distance(read, truth)


def test_edit_alignment_known_script():
    # "T0 D0" read for "TO DO": two substitutions; "TODO": the space is missing
    assert edit_alignment("T0 D0", "TO DO") == [("T", "T"), ("O", "0"), (" ", " "), ("D", "D"), ("O", "0")]
    assert edit_alignment("TODO", "TO DO") == [("T", "T"), ("O", "O"), (" ", ""), ("D", "D"), ("O", "O")]
    assert edit_alignment("TOO", "TO") == [("T", "T"), ("", "O"), ("O", "O")]
    assert edit_alignment("", "") == []


def test_edit_errors_counts_each_error_over_all_texts():
    counts = edit_errors([("T0 D0", "TO DO"), ("TODO", "TO DO"), ("MN", "MIN")])
    assert counts == {("O", "0"): 2, (" ", ""): 1, ("I", ""): 1}
    assert sum(counts.values()) == edit_distance("T0 D0", "TO DO") + 1 + 1
    assert edit_errors([]) == {}
