"""Shared by the project scripts: find the project root and its virtual environment's Python."""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def ensure_project_python() -> None:
    """Quarto runs .py scripts with the Python on PATH; re-run with .venv/bin/python if needed."""
    venv = ROOT / ".venv" / "bin" / "python"
    if venv.exists() and Path(sys.prefix).resolve() != (ROOT / ".venv").resolve() \
            and not os.environ.get("QRENDER_HOOK_REEXEC"):
        os.environ["QRENDER_HOOK_REEXEC"] = "1"
        os.execv(str(venv), [str(venv), *sys.argv])
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    os.chdir(ROOT)
