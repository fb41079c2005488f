"""The scorecard on the first page: one row per homework question, from recorded results."""

from __future__ import annotations

import math
import re
from typing import Any

import pandas as pd

from lib.questions import QUESTIONS

MISSING = "not run"


def format_value(entry: dict[str, Any]) -> str:
    if entry.get("display"):
        return str(entry["display"])
    value = entry.get("value")
    if isinstance(value, bool) or value is None:
        return str(value)
    if isinstance(value, float):
        if 0 <= value <= 1 and entry.get("target") is not None and entry["target"] <= 1:
            return f"{100 * value:.2f}%"
        return f"{value:.4g}" if math.isfinite(value) else str(value)
    return str(value)


def format_target(entry: dict[str, Any]) -> str:
    target = entry.get("target")
    if target is None:
        return ""
    sign = "≥" if entry.get("higher_is_better", True) else "≤"
    if isinstance(target, float) and 0.01 <= target <= 1:  # a fraction: accuracy, error rate
        return f"{sign} {100 * target:g}%"
    return f"{sign} {target:g}"  # a tolerance such as 1e-06


#: Short names of the data descriptions ``lib.data.source`` writes, for the scorecard.
SHORT_NAMES = (
    ("NIST36", "NIST36"), ("MNIST", "MNIST"), ("EMNIST", "EMNIST Balanced"),
    ("Oxford Flowers", "Flowers-17"), ("The homework's four sample photos", "sample photos"),
    ("ImageNet SqueezeNet", "SqueezeNet weights"),
)


def short_data(text: str) -> str:
    """The scorecard's short form of a data description: each source's name and whether it is
    real, sources (``; ``-separated, e.g. photos and the classifiers' training data) joined by +."""
    return " + ".join(_short_source(part.strip()) for part in text.split("; ") if part.strip())


def _short_source(text: str) -> str:
    name = text.split(",")[0].split(":")[0].split(" (")[0].strip()
    known = next((short for prefix, short in SHORT_NAMES if text.startswith(prefix)), None)
    if known is None:  # e.g. "MLP trained on NIST36 ..." (a whole word, so EMNIST is not MNIST)
        known = next((short for key, short in SHORT_NAMES if re.search(rf"\b{re.escape(key)}\b", text)), name)
    upper = text.upper()
    if "SYNTHETIC" in upper:
        return f"{known} (synthetic)"
    if "STAND-IN" in upper:
        return f"{known} (stand-in)"
    return known


def verdict(entry: dict[str, Any] | None) -> str:
    if entry is None:
        return MISSING
    passed = entry.get("pass")
    return "" if passed is None else ("pass" if passed else "FAIL")


def table(results: dict[str, dict[str, Any]]) -> pd.DataFrame:
    """Rows for every question, filled from ``results`` (``lib.results.collect()``)."""
    rows = []
    for q in QUESTIONS:
        entry = results.get(q.qid)
        rows.append(
            {
                "Question": q.qid,
                "Topic": f"{q.title} ({q.points} pts{', extra credit' if q.extra_credit else ''})",
                "Result": format_value(entry) if entry else MISSING,
                "Target": format_target(entry) if entry else "",
                "Verdict": verdict(entry),
                "Data": short_data((entry or {}).get("data", "")),
            }
        )
    return pd.DataFrame(rows)


def missing(results: dict[str, dict[str, Any]]) -> list[str]:
    return [q.qid for q in QUESTIONS if q.qid not in results]
