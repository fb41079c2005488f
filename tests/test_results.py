"""lib.results: one JSON per question, merged in question order, pass derived from target."""

from __future__ import annotations

import json

import pytest

from lib import results


def test_record_and_collect(tmp_path, monkeypatch):
    monkeypatch.setenv("HW5_CACHE", str(tmp_path))
    results.record("Q3.1.1", 0.82, target=0.75, data="NIST36")
    results.record("Q1.1", "derived and verified", data="analytic")
    results.record("Q4.4", 0.2, target=0.15, higher_is_better=False, data="photos")
    merged = results.collect()
    assert list(merged) == ["Q1.1", "Q3.1.1", "Q4.4"]
    assert merged["Q3.1.1"]["pass"] is True and merged["Q4.4"]["pass"] is False
    assert merged["Q1.1"]["pass"] is None and merged["Q1.1"]["target"] is None
    out = results.write(tmp_path / "book" / "results.json")
    assert json.loads(out.read_text())["Q3.1.1"]["value"] == 0.82


def test_question_ids_are_checked(tmp_path, monkeypatch):
    monkeypatch.setenv("HW5_CACHE", str(tmp_path))
    with pytest.raises(ValueError, match="not like"):
        results.record("3.1.1", 1, data="x")


def test_question_order_is_numeric():
    assert sorted(["Q3.1.10", "Q3.1.2", "Q10.1"], key=results.question_order) == ["Q3.1.2", "Q3.1.10", "Q10.1"]
