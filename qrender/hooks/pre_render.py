"""Quarto ``pre-render`` script: ``python -m lib.pipelines`` before any chapter renders.

It warms the cache (trained models, features) and records every question's result, so the
scorecard on the first page reads complete results even on a clean build. On a partial render
(``quarto render report/03-training.qmd``, ``make chapter``) only the pipelines named in the
rendered chapters' file names run (``03-training`` -> ``training``).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import ensure_project_python  # noqa: E402


def main() -> int:
    ensure_project_python()
    from course.identity import placeholder_warning
    from lib.pipelines import PIPELINES
    from lib.pipelines.__main__ import main as run_pipelines

    if warning := placeholder_warning():  # every build says so while the title page shows placeholders
        print(warning, file=sys.stderr)

    if os.environ.get("QUARTO_PROJECT_RENDER_ALL") or "QUARTO_PROJECT_INPUT_FILES" not in os.environ:
        names: list[str] = []  # all of them
    else:
        stems = [Path(f).stem for f in os.environ["QUARTO_PROJECT_INPUT_FILES"].split("\n") if f.strip()]
        names = [p for p in PIPELINES if any(p in stem.replace("-", "_") or p in stem for stem in stems)]
        if not names:
            print("[pre-render] no pipeline belongs to the rendered chapters", file=sys.stderr)
            return 0
    print(f"[pre-render] python -m lib.pipelines {' '.join(names)}".rstrip(), file=sys.stderr)
    return run_pipelines(names)


if __name__ == "__main__":
    sys.exit(main())
