"""Quarto ``post-render`` script: write ``<output-dir>/results.json`` (``lib.results.write``)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import ROOT, ensure_project_python  # noqa: E402


def main() -> int:
    ensure_project_python()
    from lib import results

    out = Path(os.environ.get("QUARTO_PROJECT_OUTPUT_DIR") or "_book")
    if not out.is_absolute():
        out = ROOT / out
    path = results.write(out / "results.json")
    print(f"[post-render] wrote {path} ({len(results.collect())} results)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
