"""Shared fixtures: the fixture book rendered once per test session (HTML and PDF), and a
fresh copy of its sources for a test to change."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.qrender.helpers import FIXTURE


@pytest.fixture(scope="session")
def fixture_book(tmp_path_factory) -> Path:
    """The fixture book rendered into a temporary output dir (freeze cache: the fixture's own)."""
    from qrender.render import render

    out = tmp_path_factory.mktemp("fixture-book")
    render(FIXTURE, output_dir=out)
    return out


@pytest.fixture
def book(tmp_path: Path) -> Path:
    """A copy of the fixture book's sources (no outputs, no freeze cache)."""
    dest = tmp_path / "book"
    shutil.copytree(FIXTURE, dest, ignore=shutil.ignore_patterns("_book", ".qrender"))
    return dest
