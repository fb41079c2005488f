"""Who wrote the writeup: one line of _quarto.yml, read by the book and by `make submission`."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from course import identity as ident

ROOT = Path(__file__).resolve().parents[2]


def _yml(tmp_path: Path, author: str) -> Path:
    path = tmp_path / "_quarto.yml"
    path.write_text(f'book:\n  title: "T"\n  author: "{author}"\n', encoding="utf-8")
    return path


def test_a_filled_line_is_read():
    who = ident.parse("Ada Lovelace (Andrew ID: alovelac) · Collaborators: Charles Babbage, Mary Somerville")
    assert (who.name, who.andrew_id) == ("Ada Lovelace", "alovelac")
    assert who.collaborators == "Charles Babbage, Mary Somerville" and who.complete
    assert ident.parse("Ada Lovelace (andrew id: alovelac); collaborators: none").collaborators == "none"


def test_placeholders_are_named_and_warned(tmp_path):
    path = _yml(tmp_path, "NOT SET (Andrew ID: NOT SET) · Collaborators: none")
    who = ident.identity(path)
    assert who.placeholders == ["name", "Andrew ID"] and not who.complete
    warning = ident.placeholder_warning(path)
    assert "name, Andrew ID" in warning and "book: author" in warning
    assert ident.placeholder_warning(_yml(tmp_path, "Ada (Andrew ID: ada1) · Collaborators: none")) is None


@pytest.mark.parametrize("author, message", [
    ("Ada Lovelace", "expected the form"),
    ("Ada (Andrew ID: ada lovelace) · Collaborators: none", "letters and digits"),
])
def test_malformed_lines_are_explained(tmp_path, author, message):
    with pytest.raises(ident.IdentityError, match=message) as info:
        ident.identity(_yml(tmp_path, author))
    assert "_quarto.yml" in str(info.value)


def test_the_project_line_parses_and_the_book_shows_it():
    who = ident.identity()  # the repository's own _quarto.yml: placeholders or a real name
    assert who.name and who.andrew_id and who.collaborators


def test_submission_refuses_a_placeholder_andrew_id(tmp_path):
    if ident.identity().complete:
        pytest.skip("_quarto.yml already names its author")
    proc = subprocess.run([sys.executable, "-m", "course.build", "--out", str(tmp_path)], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    assert "Andrew ID: NOT SET" in proc.stderr and "Traceback" not in proc.stderr
