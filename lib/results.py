"""Key results of each question, recorded where they are computed, merged for the scorecard.

``record("Q3.1.1", value=0.83, target=0.75, data=source)`` writes one small JSON file per
question into the cache (per profile), atomically. ``collect()`` merges them into the object
that the build saves as ``_book/results.json`` and the scorecard reads:
``{"Q3.1.1": {"value": 0.83, "target": 0.75, "pass": true, "data": "...", ...}, ...}``.

A result file that cannot be read is reported once, moved aside and left out
(:func:`lib.cache.read_json`); the next ``python -m lib.pipelines`` records it again.
"""

from __future__ import annotations

import json
import re
import time
from pathlib import Path
from typing import Any

from lib import cache, config

_QID = re.compile(r"^Q\d+(\.\d+)*$")


def results_dir() -> Path:
    path = config.cache_dir() / "results" / config.profile()
    path.mkdir(parents=True, exist_ok=True)
    return path


def record(
    qid: str,
    value: Any,
    *,
    data: str,
    requirement: float | None = None,
    goal: float | None = None,
    target: float | None = None,
    goal_note: str | None = None,
    higher_is_better: bool = True,
    passed: bool | None = None,
    display: str | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """Record the result of question ``qid``.

    ``value`` is a number or a short text ("derived and verified"); ``display`` is how the
    scorecard shows it (default: the value itself); ``data`` names the data that produced it
    (e.g. ``lib.data.nist36_source()``). A ``value`` of None means the question was not run.

    Two kinds of bar, kept apart because only one of them is the homework's:

    * ``requirement``: a bar the handout itself sets (Q3.1.1: at least 75% validation
      accuracy). ``requirement_met`` says whether the result meets it.
    * ``goal`` (``target`` is its older name): a bar we set ourselves (an accuracy we aim for,
      the tolerance of a numerical check). ``goal_met`` says whether the result meets it;
      ``goal_note`` says why the goal is what it is, or why it is missed. Missing a goal is
      not failing the question.

    ``pass`` is the question's verdict: ``passed`` where given (a check that holds or not),
    else ``requirement_met``, else None (nothing the homework asks can fail).
    """
    if not _QID.match(qid):
        raise ValueError(f"question id {qid!r} is not like 'Q3.1.1'")
    if goal is not None and target is not None and goal != target:
        raise ValueError(f"{qid}: give the goal once (goal={goal!r}, target={target!r})")
    goal = goal if goal is not None else target

    def meets(bar: float | None) -> bool | None:
        if bar is None or value is None or isinstance(value, str):
            return None
        return bool(value >= bar) if higher_is_better else bool(value <= bar)

    requirement_met = meets(requirement)
    if passed is None:
        passed = requirement_met
    entry = {
        "value": value,
        "requirement": requirement,
        "requirement_met": requirement_met,
        "goal": goal,
        "goal_met": meets(goal),
        "goal_note": goal_note,
        "higher_is_better": higher_is_better,
        "pass": passed,
        "data": data,
        "display": display,
        "profile": config.profile(),
        **extra,
    }
    text = json.dumps(entry, indent=1, default=cache._json_default)
    cache.atomic_write(results_dir() / f"{qid}.json", lambda tmp: tmp.write_text(text))
    return json.loads(text)


def record_timing(pipeline: str, seconds: float) -> None:
    """Remember how long a chapter's pipeline took in its latest run (environment appendix)."""
    path = results_dir() / "timings.json"
    table = _read_timings(path)
    table[pipeline] = {"seconds": round(float(seconds), 2), "when": time.strftime("%Y-%m-%d %H:%M:%S")}
    text = json.dumps(table, indent=1)
    cache.atomic_write(path, lambda tmp: tmp.write_text(text))


def timings() -> dict[str, dict[str, Any]]:
    """``{pipeline: {"seconds", "when"}}`` from ``record_timing`` (empty before any run)."""
    return _read_timings(results_dir() / "timings.json")


def _read_timings(path: Path) -> dict[str, dict[str, Any]]:
    def valid(table: Any) -> bool:
        return isinstance(table, dict) and all(
            isinstance(v, dict) and isinstance(v.get("seconds"), (int, float)) for v in table.values())

    return cache.read_json(path, "timings file", check=valid) or {}


def _read_result(path: Path) -> dict[str, Any] | None:
    return cache.read_json(path, "result file",
                           check=lambda entry: isinstance(entry, dict) and {"value", "pass", "data"} <= entry.keys())


def collect() -> dict[str, dict[str, Any]]:
    """Every recorded result of the active profile, keyed by question id, in question order."""
    entries = {p.stem: _read_result(p) for p in results_dir().glob("Q*.json") if _QID.match(p.stem)}
    return dict(sorted(((k, v) for k, v in entries.items() if v is not None),
                       key=lambda kv: question_order(kv[0])))


def question_order(qid: str) -> tuple[int, ...]:
    return tuple(int(n) for n in qid[1:].split("."))


def write(path: Path) -> Path:
    """Save ``collect()`` as JSON at ``path`` (the build's ``_book/results.json``)."""
    text = json.dumps(collect(), indent=1)
    cache.atomic_write(Path(path), lambda tmp: tmp.write_text(text))
    return Path(path)
