"""Shared fixtures: an isolated cache/figures dir per test session, and data-dir helpers."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from lib import config


@pytest.fixture(autouse=True, scope="session")
def _isolated_outputs(tmp_path_factory):
    """Tests never touch the user's cache or figures unless they opt in."""
    root = tmp_path_factory.mktemp("hw5")
    saved = {k: os.environ.get(k) for k in ("HW5_CACHE", "HW5_FIGURES")}
    os.environ["HW5_CACHE"] = str(root / "cache")
    os.environ["HW5_FIGURES"] = str(root / "figures")
    yield
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


@pytest.fixture
def data_dir(tmp_path, monkeypatch) -> Path:
    """An empty data directory selected through HW5_DATA."""
    folder = tmp_path / "data"
    folder.mkdir()
    monkeypatch.setenv("HW5_DATA", str(folder))
    return folder


def real_data_available() -> bool:
    return (config.data_dir() / "nist36_train.mat").is_file()


requires_data = pytest.mark.skipif(
    not real_data_available(), reason="NIST36 files not found in HW5_DATA (set HW5_DATA)"
)
