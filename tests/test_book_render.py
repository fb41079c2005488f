"""End to end: the whole book renders in the quick profile (HTML page per chapter + one PDF).

Runs ``python -m qrender render`` as `make report` does, with QUARTO_PROFILE=quick, into a
temporary output directory and freeze cache (the session's isolated HW5_CACHE), so nothing of
the developer's own build is reused or touched.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from qrender.project import load

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_whole_book_renders_in_quick_profile(tmp_path: Path) -> None:
    out, cache = tmp_path / "book", tmp_path / "freeze"
    env = dict(os.environ, QUARTO_PROFILE="quick", HW5_QUIET="1")
    proc = subprocess.run(
        [sys.executable, "-m", "qrender", "render", "--output-dir", str(out), "--cache-dir", str(cache)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=1800,
    )
    assert proc.returncode == 0, proc.stderr[-6000:]
    project = load(ROOT, profiles=["quick"])
    for chapter in project.chapters():
        page = out / chapter.html_rel
        assert page.is_file(), f"no page for {chapter.rel}"
        html = page.read_text()
        assert "qrender" in html[:2000]
        assert "?@" not in html, f"{chapter.rel}: an unresolved cross-reference"
        # Quarto escapes markdown in a plain-string inline result: markdown must come through
        # IPython's Markdown(), or a reader sees the asterisks (qrender escapes the same way)
        prose = re.sub(r"<(pre|code)\b.*?</\1>", "", html, flags=re.S)
        assert "**" not in prose, f"{chapter.rel}: literal ** in the text"
    assert (out / "index.html").is_file()
    assert [p.name for p in out.glob("*.pdf")] == [project.pdf_name]
    assert (out / project.pdf_name).stat().st_size > 10_000
    timings = json.loads((out / "timings.json").read_text())
    assert timings["profile"] == "quick"
    assert (out / "results.json").is_file()  # written by the post-render script
    from lib.questions import QUESTION_IDS

    recorded = json.loads((out / "results.json").read_text())
    missing = [q for q in QUESTION_IDS if q not in recorded]
    assert not missing, f"the scorecard has no result for {missing}"
    assert "Q7.2.1" in (out / "index.html").read_text(), "the scorecard is not on the first page"
