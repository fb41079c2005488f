"""How renders fail: one clear message for bad YAML, the previous site kept when a render fails,
no spurious warning on `make chapter` (issue 21, items 6 and 9; issue 18, `make chapter`)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from qrender.render import RenderError, render

ROOT = Path(__file__).resolve().parents[2]


def qrender(book: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "qrender", "render", "--project", str(book), "--no-scripts",
                           "--output-dir", str(book / "_out"), "--cache-dir", str(book / "_cache"), *args],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)


@pytest.mark.parametrize("name, text, where, problem", [
    ("_quarto.yml", "project:\n  type: book\nbook:\n  title: [unclosed\n  chapters: [index.qmd]\n",
     "_quarto.yml:5:11", "expected ',' or ']', but got ':'"),
    ("basics.qmd", '---\ntitle: "Basic Derivations\n---\n\nText.\n', "basics.qmd:", "found unexpected end of stream"),
    ("extra.qmd", "---\nexecute:\n  freeze: auto\n   echo: false\n---\n\n# Extra Material\n",
     "extra.qmd:4:", "mapping values are not allowed here"),
])
def test_yaml_error_is_one_line_with_file_line_and_the_parsers_message(book: Path, name: str, text: str,
                                                                       where: str, problem: str) -> None:
    (book / name).write_text(text)
    proc = qrender(book, "--to", "html")
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    errors = [line for line in proc.stderr.splitlines() if "ERROR" in line]
    assert len(errors) == 1, proc.stderr
    assert where in errors[0] and problem in errors[0] and "invalid YAML" in errors[0], errors[0]


def test_yaml_error_in_a_profile_names_the_profile_file(book: Path) -> None:
    (book / "_quarto-quick.yml").write_text("execute:\n  freeze: [false\n")
    proc = qrender(book, "--to", "html", "--profile", "quick")
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert "_quarto-quick.yml:3:1: invalid YAML" in proc.stderr


def test_chapter_render_does_not_warn_about_the_never_frozen_preface(book: Path, capsys) -> None:
    render(book, to="html", output_dir=book / "_out", cache_dir=book / "_cache", scripts=False)
    capsys.readouterr()
    result = render(book, chapter="basics", to="html", output_dir=book / "_out", cache_dir=book / "_cache",
                    scripts=False)
    err = capsys.readouterr().err
    assert "older version" not in err and "WARNING" not in err, err
    assert result["executed"] == ["index", "basics"]  # `freeze: false` executes on every render


def test_chapter_render_in_a_profile_without_freezing_executes_only_that_chapter(book: Path, capsys,
                                                                                 monkeypatch) -> None:
    """Quarto renders only the named file; a profile that turns freezing off (quick) does not make
    a one-chapter render execute the whole book (the preface, never frozen, still executes)."""
    (book / "_quarto-quick.yml").write_text("execute:\n  freeze: false\n")
    monkeypatch.setenv("QUARTO_PROFILE", "quick")
    render(book, to="html", output_dir=book / "_out", cache_dir=book / "_cache", scripts=False)
    capsys.readouterr()
    result = render(book, chapter="basics", to="html", output_dir=book / "_out", cache_dir=book / "_cache",
                    scripts=False)
    assert result["executed"] == ["index", "basics"]
    assert "WARNING" not in capsys.readouterr().err


def test_a_failed_chapter_render_leaves_the_previous_site(book: Path) -> None:
    out = book / "_out"
    render(book, output_dir=out, cache_dir=book / "_cache", scripts=False)
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    # 1. a cell that raises: the build stops before any output
    basics = book / "basics.qmd"
    good = basics.read_text()
    basics.write_text(good + '\n```{python}\nraise RuntimeError("planted")\n```\n')
    with pytest.raises(RenderError, match="planted"):
        render(book, chapter="basics", output_dir=out, cache_dir=book / "_cache", scripts=False)
    # 2. the PDF fails after every HTML page was written: none of them reaches the site
    basics.write_text(good + "\n```{=typst}\n#this-function-does-not-exist()\n```\n")
    with pytest.raises(RenderError, match="typst could not compile"):
        render(book, chapter="basics", output_dir=out, cache_dir=book / "_cache", scripts=False)
    after = {p: p.read_bytes() for p in out.rglob("*") if p.is_file() and p.suffix != ".typ"}
    assert after == before
    assert not list(out.glob(".qrender-staging-*"))
    assert (out / "fixture-book.typ").is_file()  # the Typst source that failed is kept for a look


def test_make_chapter_under_quarto_puts_the_site_back_when_the_render_fails(tmp_path: Path) -> None:
    """`make chapter` with QUARTO set: a fake quarto that half-empties _book/ and fails."""
    (tmp_path / "_book").mkdir()
    (tmp_path / "_book" / "index.html").write_text("the previous site")
    fake = tmp_path / "quarto"
    fake.write_text("#!/bin/sh\necho \"$@\" > args.txt\nrm -f _book/index.html\nexit ${FAKE_STATUS:-1}\n")
    fake.chmod(0o755)
    env = dict(os.environ, FAKE_STATUS="1")
    make = ["make", "-s", "-f", str(ROOT / "Makefile"), "-C", str(tmp_path), "-o", "setup", "chapter",
            "CH=06-pca", f"QUARTO={fake}", f"PY={sys.executable}"]
    proc = subprocess.run(make, capture_output=True, text=True, env=env, timeout=60)
    assert proc.returncode != 0
    assert (tmp_path / "args.txt").read_text().split() == ["render", "report/06-pca.qmd"]  # no --cache-refresh
    assert (tmp_path / "_book" / "index.html").read_text() == "the previous site"
    assert "_book/ is as it was before" in proc.stderr
    proc = subprocess.run(make, capture_output=True, text=True, env=dict(env, FAKE_STATUS="0"), timeout=60)
    assert proc.returncode == 0 and not (tmp_path / "_book" / "index.html").exists()  # success: Quarto's output
