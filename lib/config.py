"""Profile, paths and seeds: the one place that reads the environment.

Everything here is a function, evaluated when called, so importing ``lib`` does no work
and tests can change the environment freely.

Environment variables
---------------------
HW5_DATA        data directory (default ``./data``)
HW5_CACHE       cache directory for trained models and features (default ``./.cache``)
HW5_FIGURES     where figures are saved (default ``./figures``)
QUARTO_PROFILE  ``quick`` selects the quick profile (few epochs, small subsets); set by
                ``quarto render --profile quick`` and by our renderer alike.
"""

from __future__ import annotations

import os
from pathlib import Path

#: The root of the project (the folder holding ``lib/``).
PROJECT_ROOT = Path(__file__).resolve().parent.parent

#: The one seed the whole book derives its randomness from.
SEED = 0

QUICK = "quick"
FULL = "full"


def profile() -> str:
    """``"quick"`` when QUARTO_PROFILE names the quick profile, else ``"full"``."""
    names = {p.strip() for p in os.environ.get("QUARTO_PROFILE", "").split(",")}
    return QUICK if QUICK in names else FULL


def is_quick() -> bool:
    return profile() == QUICK


def pick(full, quick):
    """The value for the active profile: ``pick(full=50, quick=3)``."""
    return quick if is_quick() else full


def _dir_from_env(var: str, default: str) -> Path:
    value = os.environ.get(var)
    return Path(value).expanduser().resolve() if value else PROJECT_ROOT / default


def data_dir() -> Path:
    """The data directory: ``$HW5_DATA`` if set, else ``./data``. Never written by lib."""
    return _dir_from_env("HW5_DATA", "data")


def cache_dir() -> Path:
    """Where expensive results are cached (created on demand)."""
    path = _dir_from_env("HW5_CACHE", ".cache")
    path.mkdir(parents=True, exist_ok=True)
    return path


def figures_dir() -> Path:
    """Where every figure the book shows is also saved, named by its question."""
    path = _dir_from_env("HW5_FIGURES", "figures")
    path.mkdir(parents=True, exist_ok=True)
    return path


def show_progress() -> bool:
    """Progress bars in a terminal, silence in rendered pages and when HW5_QUIET is set."""
    import sys

    if os.environ.get("HW5_QUIET"):
        return False
    return sys.stderr.isatty() and "ipykernel" not in sys.modules
