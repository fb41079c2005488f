"""Shared fixture: the fixture book rendered once per test session (HTML and PDF)."""

from __future__ import annotations

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
