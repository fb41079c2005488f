"""The freeze cache: each chapter's execution results, keyed by the hash of its source.

Quarto's ``freeze: auto`` semantics: a chapter is re-executed only when its source (the file
and everything it includes) changed; ``freeze: true`` never re-executes a frozen chapter;
``freeze: false`` always executes. Entries live in ``.qrender/freeze/<profile>/<chapter>.json``
(git-ignored) with the outputs, the inline values, the execution time and when it ran.
"""

from __future__ import annotations

import json
import os
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
        try:
            return json.loads(p.read_text())
        except (OSError, json.JSONDecodeError):
            return None

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
        with os.fdopen(fd, "w") as f:
            json.dump(entry, f)
        os.replace(tmp, self.path(rel))

    def timings(self) -> dict[str, dict[str, Any]]:
        out = {}
        for p in sorted(self.dir.glob("*.json")):
            try:
                entry = json.loads(p.read_text())
            except (OSError, json.JSONDecodeError):
                continue
            out[entry.get("chapter", p.stem)] = {
                "seconds": entry.get("seconds"),
                "executed_at": entry.get("executed_at"),
                "source": entry.get("source"),
            }
        return out
