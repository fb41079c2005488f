"""The freeze cache: each chapter's execution results, keyed by the hash of its source.

Quarto's ``freeze: auto`` semantics: a chapter is re-executed only when its source (the file
and everything it includes) changed; ``freeze: true`` never re-executes a frozen chapter;
``freeze: false`` always executes. Entries live in ``.qrender/freeze/<profile>/<chapter>.json``
(git-ignored) with the outputs, the inline values, the execution time and when it ran.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

CACHE_DIR = ".qrender"


def profile_name(profiles: list[str]) -> str:
    return "+".join(sorted(profiles)) or "default"


class FreezeStore:
    def __init__(self, root: Path, profiles: list[str]):
        self.dir = root / CACHE_DIR / "freeze" / profile_name(profiles)

    def path(self, rel: str) -> Path:
        return self.dir / (rel.replace("/", "__") + ".json")

    def load(self, rel: str) -> dict[str, Any] | None:
        p = self.path(rel)
        if not p.exists():
            return None
        return _read_entry(p)

    def save(self, rel: str, key: str, executed: dict[str, Any], chapter: str) -> None:
        entry = {
            "key": key,
            "chapter": chapter,
            "source": rel,
            "executed_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            **executed,
        }
        self.dir.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.dir, prefix=".tmp-", suffix=".json")
        umask = os.umask(0)
        os.umask(umask)
        os.fchmod(fd, 0o666 & ~umask)  # a normal file (0644), not mkstemp's owner-only 0600
        with os.fdopen(fd, "w") as f:
            json.dump(entry, f)
        os.replace(tmp, self.path(rel))

    def timings(self) -> dict[str, dict[str, Any]]:
        out = {}
        for p in sorted(self.dir.glob("*.json")):
            entry = _read_entry(p)
            if entry is None:
                continue
            out[entry.get("chapter", p.stem)] = {
                "seconds": entry.get("seconds"),
                "executed_at": entry.get("executed_at"),
                "source": entry.get("source"),
            }
        return out


def _read_entry(path: Path) -> dict[str, Any] | None:
    """A freeze entry, or None when it cannot be read: then it is reported once and moved aside to
    ``<name>.unreadable`` (kept, as lib.cache.read_or_heal does), and the chapter runs again."""
    try:
        entry = json.loads(path.read_text(encoding="utf-8"))
        if isinstance(entry, dict):
            return entry
        reason = f"a JSON {type(entry).__name__}, not an object"
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as err:
        reason = " ".join(f"{type(err).__name__}: {err}".split())[:200]
    aside = path.with_name(path.name + ".unreadable")
    try:
        os.replace(path, aside)
    except OSError:
        return None
    print(f"warning: freeze entry {path} cannot be read ({reason}); moved aside to {aside.name}, "
          "the chapter runs again", file=sys.stderr)
    return None
