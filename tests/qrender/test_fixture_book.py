"""The fixture book (tests/qrender/fixture) rendered to HTML and PDF, checked as a reader sees it."""

from __future__ import annotations

import re
import subprocess
import textwrap
from pathlib import Path

import pytest

from qrender.render import RenderError, render
from tests.qrender.helpers import FIXTURE, need_tool

PAGES = ["index.html", "basics.html", "results.html", "extra.html"]


def test_every_page_and_one_pdf(fixture_book: Path) -> None:
    for page in PAGES:
        assert (fixture_book / page).is_file(), page
    assert [p.name for p in fixture_book.glob("*.pdf")] == ["fixture-book.pdf"]
    assert (fixture_book / "site_libs/qrender/book.css").is_file()
    assert (fixture_book / "timings.json").is_file()


def test_pages_in_chromium(fixture_book: Path) -> None:
    need_tool("chromium")
    from qrender.browser import inspect_pages

    reports = {Path(r.url).name: r for r in inspect_pages([fixture_book / p for p in PAGES])}
    for name, report in reports.items():
        assert report.problems() == [], name
        assert report.requests, name  # the probe saw the page load
    results, basics = reports["results.html"], reports["basics.html"]
    assert "Figure 2.1" in results.text
    assert [i["ok"] for i in results.images] == [True, True, True, True]
    assert results.images[0]["width"] > 100
    # math rendered as laid-out MathML: block equations taller than a line, fractions stacked
    blocks = [m for m in basics.math if m["display"] == "block"]
    assert len(blocks) == 2
    assert all(m["layout"].endswith("math") and m["height"] > 25 for m in blocks)
    assert basics.fractions and max(basics.fractions) > 25
    assert "\\frac" not in basics.text and "$$" not in basics.text


def test_html_numbering_and_crossrefs(fixture_book: Path) -> None:
    basics = (fixture_book / "basics.html").read_text()
    results = (fixture_book / "results.html").read_text()
    index = re.sub(r"[ \t\n]+", " ", (fixture_book / "index.html").read_text())  # pandoc wraps lines
    assert '<span class="chapter-number">1</span>' in basics
    assert 'href="#eq-softmax" class="quarto-xref">Equation 1.1</a>' in basics
    assert "(1.1)</span>" in basics  # the equation's own number
    assert 'href="results.html#fig-curve" class="quarto-xref">Figure 2.1</a>' in basics
    assert "Figure 2.1: A smooth curve and its square." in results
    assert "Table 2.1: Scores of three models on the validation set." in results
    assert 'class="dataframe"' in results  # the DataFrame is an HTML table on the web
    # from the unnumbered home page Quarto writes a reference to a section as its caption
    assert 'href="basics.html#sec-aligned" class="quarto-xref">Aligned equations</a>' in index
    # a chapter is linked by its page alone, as Quarto links it
    assert 'href="results.html" class="quarto-xref">2\u00a0 Results</a>' in index
    assert 'class="quarto-xref">Appendix A — Extra Material</a>' in index
    assert 'class="quarto-xref">Figure 2.1</a>' in index  # figures and tables read as anywhere
    extra = re.sub(r"[ \t\n]+", " ", (fixture_book / "extra.html").read_text())
    assert '<span class="chapter-number">Appendix A</span> — <span class="chapter-title">' in extra
    assert 'alt="Two curves rising from left to right."' in results
    # sub-figures: one number, lettered panels side by side
    assert "Figure 2.2: The two curves side by side." in results
    assert 'id="fig-pair-1" class="quarto-subfloat"' in results and "(b) Its square." in results
    assert 'class="quarto-xref">Figure 2.2 (b)</a>' in results


def test_inline_code_callouts_errors_and_folding(fixture_book: Path) -> None:
    basics = (fixture_book / "basics.html").read_text()
    results = (fixture_book / "results.html").read_text()
    assert "The answer is 42, and" in basics and "3.1416" in basics
    # Quarto's inline rule: a str is escaped text, IPython's Markdown() is markdown
    assert "A plain string stays text: **not bold** [x](y) a_b;" in basics
    assert "<strong>markdown</strong> is markdown." in basics
    assert "Line2D" not in results  # a cell value that is only plot objects' repr is dropped, as in Quarto
    assert 'class="callout callout-note"' in basics and "Why this matters" in basics
    assert 'class="callout callout-warning"' in results and "Careful" in results
    assert "ZeroDivisionError" in results  # error: true shows the traceback and goes on
    assert '<details class="code-fold">' in results
    assert "import math" not in basics  # include: false hides the setup cell
    assert "<strong>asis</strong> item one</li>" in basics  # output: asis is markdown
    assert "print(&quot;- **asis**" not in basics  # ... and echo: false hides its code
    assert "this_is_never_run" in basics  # eval: false shows the code
    assert "echo false shows only this output" in basics and "print(&quot;echo false" not in basics
    assert basics.count("output false hides this") == 1  # in the code, not as an output
    assert '<details class="code-fold" open>\n<summary>Show the warning cell</summary>' in basics
    assert "UserWarning: a visible warning" in basics and "cell-output-stderr" in basics


def test_pdf_text(fixture_book: Path) -> None:
    need_tool("pdftotext")
    text = subprocess.run(["pdftotext", "-layout", str(fixture_book / "fixture-book.pdf"), "-"],
                          capture_output=True, text=True, check=True).stdout
    for expected in ["Fixture Book", "Contents", "Basic Derivations", "Results", "Figure 2.1",
                     "Table 2.1: Scores of three models on the validation set.", "Equation 1.1",
                     "Extra Material", "(1.1)", "ZeroDivisionError", "Figure 2.2: The two curves side by side.",
                     "(a) The sine."]:
        assert expected in text, expected
    # the DataFrame is a real table in the PDF (pipe table), not its text/plain repr
    assert "0.84" in text


def test_frozen_rerender_executes_only_the_unfrozen_preface(fixture_book: Path, tmp_path: Path) -> None:
    result = render(FIXTURE, output_dir=fixture_book)
    assert result["executed"] == ["index"]  # `freeze: false` in its front matter, as the book's preface


def test_failing_cell_stops_the_build(tmp_path: Path) -> None:
    (tmp_path / "_quarto.yml").write_text("project:\n  type: book\nbook:\n  title: T\n  chapters: [index.qmd, ch.qmd]\n")
    (tmp_path / "index.qmd").write_text("# Preface {.unnumbered}\n\nHello.\n")
    (tmp_path / "ch.qmd").write_text(textwrap.dedent("""\
        # Chapter

        ```{python}
        #| label: boom
        x = 1
        raise ValueError("no such thing")
        ```
        """))
    with pytest.raises(RenderError) as info:
        render(tmp_path, to="html", cache_dir=tmp_path / "cache")
    message = str(info.value)
    assert "ch.qmd" in message and "ch.qmd:3" in message and "boom" in message
    assert "ValueError: no such thing" in message and "Traceback" in message or "line 2" in message
