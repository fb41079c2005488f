"""Pipeline tests run the quick profile on a tiny NIST36-format data set (tests/tiny_nist36.py)."""

from __future__ import annotations

import pytest

from tests import tiny_nist36


@pytest.fixture(scope="module")
def tiny_quick(tmp_path_factory):
    """HW5_DATA -> a tiny NIST36 folder, QUARTO_PROFILE=quick, for one test module."""
    with tiny_nist36.in_use(tmp_path_factory.mktemp("tiny_nist36"), QUARTO_PROFILE="quick") as folder:
        yield folder
