"""Helpers for the renderer tests: the fixture book's path, skipping when a tool is missing."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

FIXTURE = Path(__file__).parent / "fixture"


def need_tool(name: str) -> None:
    """Skip when a render tool is missing, unless REQUIRE_RENDER_TOOLS is set (CI)."""
    from qrender.browser import chromium

    found = chromium() if name == "chromium" else shutil.which(name)
    if found:
        return
    if os.environ.get("REQUIRE_RENDER_TOOLS"):
        pytest.fail(f"{name} is required (REQUIRE_RENDER_TOOLS is set): apt-get install -y chromium poppler-utils")
    pytest.skip(f"{name} is not installed")
