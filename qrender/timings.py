"""How long each chapter took to execute, for the environment appendix.

>>> from qrender.timings import chapter_timings
>>> chapter_timings()          # {"03-training": {"seconds": 41.2, "executed_at": "...", ...}, ...}

Reads the freeze cache of the active profile (``QUARTO_PROFILE``), so a chapter that renders
after others sees their latest execution times; a finished build also writes the same data
to ``<output-dir>/timings.json``. Times are wall-clock seconds of the chapter's kernel
(cells and inline code), on whatever machine and load the build ran under. Under real Quarto
(no qrender) the mapping is empty.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from qrender.freeze import FreezeStore
from qrender.project import active_profiles

ROOT = Path(__file__).resolve().parent.parent


def chapter_timings(root: Path | str | None = None, profiles: list[str] | None = None) -> dict[str, dict[str, Any]]:
    """``{chapter: {"seconds", "executed_at", "source"}}`` in chapter-file order."""
    store = FreezeStore(Path(root) if root else ROOT, active_profiles() if profiles is None else profiles)
    if root is None and profiles is None and os.environ.get("QRENDER_FREEZE_DIR"):
        store.dir = Path(os.environ["QRENDER_FREEZE_DIR"])  # set by qrender for the chapters it runs
    return store.timings()
