"""The scorecard on the first pages: one row per homework question, from recorded results.

Each row keeps the homework's own bar apart from ours (``lib.results.record``):

* *Homework*: the bar the handout sets (only Q3.1.1's 75%), with "met" or "not met"; or
  "FAIL" when a result's own check fails (a derivation that does not verify, a gradient that
  does not match); empty otherwise.
* *Our goal*: a bar we set ourselves, with "met" or "below". Missing it is not failing the
  question; a note says why the goal is what it is, or why it was missed.

``table(results)`` gives every row's cells; ``ScorecardTable`` shows them, every column (the
question's topic included) on the web page and a narrower table that fits one page in the PDF,
with the goals' notes below it (``notes(results)``).
"""

from __future__ import annotations

import math
import re
from typing import Any

import pandas as pd

from lib import fmt
from lib.questions import QUESTIONS, Question
from lib.tables import Table

MISSING = "not run"
FAIL = "FAIL"

#: Short names of the data descriptions ``lib.data.source`` writes, for the scorecard.
SHORT_NAMES = (
    ("NIST36", "NIST36"), ("MNIST", "MNIST"), ("EMNIST", "EMNIST Balanced"),
    ("Oxford Flowers", "Flowers-17"), ("The homework's four sample photos", "sample photos"),
    ("ImageNet SqueezeNet", "SqueezeNet weights"),
)
#: The PDF's shorter names (its legend: * stand-in, † synthetic).
COMPACT_NAMES = {"EMNIST Balanced": "EMNIST", "sample photos": "photos", "SqueezeNet weights": "SqueezeNet",
                 "Flowers-17": "Flowers",
                 "random inputs": "random", "random draws": "random", "generated pages": "generated"}


def format_value(entry: dict[str, Any]) -> str:
    if entry.get("value") is None and not entry.get("display"):
        return MISSING
    if entry.get("display"):
        return str(entry["display"])
    value = entry.get("value")
    if isinstance(value, bool) or value is None:
        return str(value)
    if isinstance(value, float):
        bar = entry.get("requirement", entry.get("goal"))
        if 0 <= value <= 1 and bar is not None and bar <= 1:
            return fmt.pct(value, 2)
        return f"{value:.4g}" if math.isfinite(value) else str(value)
    return str(value)


def format_bar(entry: dict[str, Any], bar: float | None) -> str:
    """``≥ 75%`` for a fraction, ``≤ 1e-07`` for a tolerance."""
    if bar is None:
        return ""
    sign = "≥" if entry.get("higher_is_better", True) else "≤"
    if isinstance(bar, float) and 0.01 <= bar <= 1:  # a fraction: accuracy, error rate
        return f"{sign} {100 * bar:g}%"
    text = re.sub(r"e([+-])0(\d)", r"e\1\2", f"{bar:g}")  # 1e-06 -> 1e-6
    return f"{sign} {text}"


def not_run(entry: dict[str, Any] | None) -> bool:
    return entry is None or entry.get("value") is None


def _quick_miss(entry: dict[str, Any]) -> bool:
    """A homework bar missed in the quick profile, which is not held to it."""
    return (entry.get("requirement") is not None and not entry.get("requirement_met")
            and entry.get("profile") == "quick")


def homework_cell(entry: dict[str, Any] | None) -> str:
    """The homework's bar and whether it is met; FAIL where the result's own check fails."""
    if not_run(entry):
        return ""
    if entry.get("requirement") is not None:
        bar = format_bar(entry, entry["requirement"])
        if entry.get("requirement_met"):
            return f"{bar}: met"
        if _quick_miss(entry):
            return f"{bar}: n/a (quick)"
        return f"{bar}: not met"
    return FAIL if entry.get("pass") is False else ""


def goal_cell(entry: dict[str, Any] | None, marker: str = "") -> str:
    """Our goal and whether it is met ("below", never a failure), with its note's marker."""
    if not_run(entry) or entry.get("goal") is None:
        return ""
    state = "met" if entry.get("goal_met") else "below" if entry.get("goal_met") is False else ""
    if entry.get("pass") is False and entry.get("requirement") is None:
        state = "not met"  # the bar of the answer's own check: the Homework column says FAIL
    text = format_bar(entry, entry["goal"]) + (f": {state}" if state else "")
    return text + marker


QUICK_REASON = "the quick profile trains for a few epochs on small subsets"


def goal_note(entry: dict[str, Any] | None, quick_reason: bool = True) -> str | None:
    """The note under the scorecard: why the goal is what it is, and for a result below it,
    that it is below our goal (with the reason where one is known); None: nothing to say.
    ``quick_reason=False`` leaves out the quick profile's reason (``notes_text`` says it once)."""
    if not_run(entry) or entry.get("goal") is None or entry.get("pass") is False:
        return None
    why = entry.get("goal_note")
    if entry.get("goal_met") is False:
        bar = format_bar(entry, entry["goal"]).split(" ", 1)[1]
        text = f"below our goal of {bar}"
        if entry.get("profile") == "quick" and quick_reason:
            text += f", because {QUICK_REASON}"
        return text + (f" ({why})" if why else "")
    return why


def compact_result(text: str, limit: int = 40) -> str:
    """A result for the PDF's one-line rows: its first clauses up to ``limit`` characters (the
    web page and the chapter give it whole)."""
    if len(text) <= limit:
        return text
    clauses = text.split("; ")
    kept = clauses[0]
    for clause in clauses[1:]:
        if len(kept) + 2 + len(clause) > limit:
            break
        kept += "; " + clause
    if len(kept) <= limit:
        return kept
    return kept[: kept.rfind(" ", 0, limit - 1)].rstrip(",;:") + "…"


def short_data(text: str, compact: bool = False) -> str:
    """The scorecard's short form of a data description: each source's name and whether it is
    real, sources (``; ``-separated, e.g. photos and the classifiers' training data) joined by +.
    ``compact``: the PDF's shorter names, * for a stand-in and † for synthetic data."""
    parts = [_short_source(part.strip(), compact) for part in _sources(text) if part.strip()]
    return ("+" if compact else " + ").join(parts)


def _sources(text: str) -> list[str]:
    """``text`` split at the "; " between sources, not at those inside parentheses (a synthetic
    source's note lists its splits as "(train: ...; valid: ...)")."""
    parts, depth, start = [], 0, 0
    for i, char in enumerate(text):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth == 0 and text.startswith("; ", i):
            parts.append(text[start:i])
            start = i + 2
    return parts + [text[start:]]


def _short_source(text: str, compact: bool = False) -> str:
    name = text.split(",")[0].split(":")[0].split(" (")[0].strip()
    known = next((short for prefix, short in SHORT_NAMES if text.startswith(prefix)), None)
    if known is None:  # e.g. "MLP trained on NIST36 ..." (a whole word, so EMNIST is not MNIST)
        known = next((short for key, short in SHORT_NAMES if re.search(rf"\b{re.escape(key)}\b", text)), name)
    upper = text.upper()
    if compact:
        known = re.sub(r"^\d+ ", "", known)  # "20 generated pages" -> "generated pages"
        known = COMPACT_NAMES.get(known, known)
        return known + ("†" if "SYNTHETIC" in upper else "*" if "STAND-IN" in upper else "")
    if "SYNTHETIC" in upper:
        return f"{known} (synthetic)"
    if "STAND-IN" in upper:
        return f"{known} (stand-in)"
    return known


def verdict(entry: dict[str, Any] | None) -> str:
    """One word per row for counting: not run, FAIL, pass (a bar or check met), n/a (a homework
    bar missed in the quick profile) or ''."""
    if not_run(entry):
        return MISSING
    passed = entry.get("pass")
    if _quick_miss(entry):
        return "n/a"  # the quick profile is not held to the homework's bar (its row says so)
    return "" if passed is None else ("pass" if passed else FAIL)


def _topic(q: Question) -> str:
    return f"{q.title} ({q.points} pts{', extra credit' if q.extra_credit else ''})"


def rows(results: dict[str, dict[str, Any]]) -> pd.DataFrame:
    """Every question, filled from ``results`` (``lib.results.collect()``); both layouts' cells."""
    out, markers = [], note_markers(results)
    for q in QUESTIONS:
        entry = results.get(q.qid)
        out.append({
            "Question": q.qid,
            "Topic": _topic(q),
            "Points": str(q.points),
            "Result": format_value(entry) if entry else MISSING,
            "Result (short)": compact_result(format_value(entry) if entry else MISSING),
            "Homework": homework_cell(entry),
            "Our goal": goal_cell(entry, markers.get(q.qid, "")),
            "Verdict": verdict(entry),
            "Data": short_data((entry or {}).get("data", "")) if not not_run(entry) else "",
            "Data (short)": short_data((entry or {}).get("data", ""), compact=True) if not not_run(entry) else "",
        })
    return pd.DataFrame(out)


SUPERSCRIPTS = "¹²³⁴⁵⁶⁷⁸⁹"


def note_markers(results: dict[str, dict[str, Any]]) -> dict[str, str]:
    """``{qid: "¹"}`` for the questions whose goal has a note, in question order."""
    qids = [q.qid for q in QUESTIONS if goal_note(results.get(q.qid))]
    return {qid: SUPERSCRIPTS[i] if i < len(SUPERSCRIPTS) else f"({i + 1})" for i, qid in enumerate(qids)}


def notes(results: dict[str, dict[str, Any]], quick_reason: bool = True) -> list[str]:
    """The notes under the scorecard: ``"¹ Q7.1.3: below our goal of 92%, because ..."``."""
    markers = note_markers(results)
    return [f"{markers[qid]} {qid}: {goal_note(results[qid], quick_reason)}" for qid in markers]


def notes_text(results: dict[str, dict[str, Any]]) -> str:
    """The notes as one paragraph (they are short); the quick profile's reason for results below
    our goals is said once, at the end."""
    quick = any(e and e.get("profile") == "quick" and e.get("goal_met") is False for e in results.values())
    text = " ".join(n if n.endswith(".") else n + "." for n in notes(results, quick_reason=False))
    return text + (" Results below our goals here come from the quick profile, which trains for a few "
                   "epochs on small subsets." if quick and text else "")


class ScorecardTable(Table):
    """The web page shows every column; the PDF a narrower table whose rows fit on one line
    each, so that the whole scorecard fits one page."""

    HTML_COLUMNS = ["Question", "Topic", "Result", "Homework", "Our goal", "Data"]
    #: PDF column -> (source column, share of the page width in percent)
    PDF_COLUMNS = {"Q": ("Question", 7), "Pts": ("Points", 4), "Result": ("Result (short)", 37),
                   "Homework": ("Homework", 12), "Our goal": ("Our goal", 15), "Data": ("Data (short)", 25)}

    def __init__(self, card: pd.DataFrame) -> None:
        super().__init__(card[self.HTML_COLUMNS], index=False)
        self.card = card

    def _repr_markdown_(self) -> str:
        # a pipe table whose dashes give each column its share of the width (pandoc reads them)
        names = list(self.PDF_COLUMNS)
        lines = ["| " + " | ".join(names) + " |",
                 "|" + "|".join(":" + "-" * (width - 1) for _, width in self.PDF_COLUMNS.values()) + "|"]
        for _, row in self.card.iterrows():
            cells = [str(row[source]).replace("|", "\\|").replace("*", "\\*") for source, _ in self.PDF_COLUMNS.values()]
            lines.append("| " + " | ".join(cells) + " |")
        return "\n".join(lines)


def table(results: dict[str, dict[str, Any]]) -> pd.DataFrame:
    """Rows for every question, filled from ``results`` (``lib.results.collect()``)."""
    return rows(results)


def missing(results: dict[str, dict[str, Any]]) -> list[str]:
    return [q.qid for q in QUESTIONS if q.qid not in results]
