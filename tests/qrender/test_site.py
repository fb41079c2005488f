"""The fixture book's site as a reader uses it, in headless Chromium: search, copy buttons, the
light/dark toggle, lightbox figures, the phone-width menu, references, notebooks, alt text."""

from __future__ import annotations

import json
import re
import subprocess
import time
from pathlib import Path

import pytest

from tests.qrender.helpers import FIXTURE, need_tool

PAGES = ["index.html", "basics.html", "results.html", "extra.html"]


@pytest.fixture(scope="module")
def browser():
    need_tool("chromium")
    from qrender.browser import Browser

    with Browser() as b:
        yield b


def test_search_index_has_one_entry_per_section(fixture_book: Path) -> None:
    entries = json.loads((fixture_book / "search.json").read_text())
    assert {"objectID", "href", "title", "section", "text", "crumbs"} <= set(entries[0])
    sections = [e["section"] for e in entries if e["href"].startswith("basics.html#")]
    assert sections == ["1.1 Aligned equations", "1.2 A labelled equation", "1.3 Cell options"]
    labelled = next(e for e in entries if e["section"] == "1.2 A labelled equation")
    assert labelled["title"] == "1\u00a0 Basic Derivations" and "invariant to shifts" in labelled["text"]
    script = (fixture_book / "site_libs/qrender/search-index.js").read_text()
    assert script.startswith("window.QRENDER_SEARCH_INDEX = [")
    assert (fixture_book / "site_libs/qrender/fuse.min.js").read_bytes()[:40].startswith(b"/**\n * Fuse.js v6.6.2")
    assert "Apache License" in (fixture_book / "site_libs/qrender/fuse.js-LICENSE.txt").read_text()


def test_search_box_lists_sections_and_works_with_the_keyboard(fixture_book: Path, browser) -> None:
    page = browser.page(1280, 900).goto(fixture_book / "extra.html")
    page.click("#search-input").type("softmax")
    page.wait_for("!document.getElementById('search-results').hidden")
    items = page.eval("[...document.querySelectorAll('#search-results [role=option]')].map(li => ({"
                      "chapter: li.querySelector('.search-result-chapter').innerText, "
                      "section: li.querySelector('.search-result-section')?.innerText, "
                      "snippet: li.querySelector('.search-result-snippet').innerText, "
                      "marked: li.querySelectorAll('mark').length}))")
    assert items[0]["section"] == "1.2 A labelled equation"
    assert items[0]["chapter"].replace("\u00a0", " ").upper() == "1  BASIC DERIVATIONS"
    assert "softmax" in items[0]["snippet"].lower() and items[0]["marked"] >= 1
    assert page.eval("document.querySelector('#search-results [aria-selected=true]').id") == "search-result-0"
    page.key("ArrowDown").key("ArrowUp").key("Enter")
    page.wait_for("location.pathname.endsWith('/basics.html') && location.hash === '#a-labelled-equation'")
    page.click("#search-input").type("zzzqqq")
    page.wait_for("document.querySelector('.search-empty') !== null")
    page.key("Escape")
    assert page.eval("document.getElementById('search-results').hidden")
    urls, failed = page.requests()
    assert failed == [] and all(u.startswith(("file://", "data:")) for u in urls)


def test_copy_button_copies_the_code(fixture_book: Path, browser) -> None:
    page = browser.page(1280, 900).goto(fixture_book / "results.html")
    page.pipe.send("Browser.grantPermissions", {"permissions": ["clipboardReadWrite", "clipboardSanitizedWrite"]})
    n_blocks = page.eval("document.querySelectorAll('main div.sourceCode').length")
    assert n_blocks > 0 and page.eval("document.querySelectorAll('.code-copy-button').length") == n_blocks
    page.eval("document.querySelector('details.code-fold').open = true")
    page.click("div.sourceCode .code-copy-button")
    page.wait_for("document.querySelector('.code-copy-button').innerText === 'Copied'")
    copied = page.eval("navigator.clipboard.readText()")
    assert "np.linspace(0, 1, 50)" in copied


def test_theme_toggle_is_remembered_across_pages(fixture_book: Path, browser) -> None:
    page = browser.page(1280, 900).goto(fixture_book / "basics.html")
    assert page.eval("document.documentElement.dataset.theme") == "light"  # the first theme listed
    background = "getComputedStyle(document.body).backgroundColor"
    light = page.eval(background)
    page.click(".theme-toggle")
    assert page.eval("document.documentElement.dataset.theme") == "dark" and page.eval(background) != light
    assert page.eval("localStorage.getItem('qrender-color-scheme')") == "dark"
    assert _opens_with(page, fixture_book / "results.html", "dark")
    assert page.eval("document.querySelector('.theme-toggle').getAttribute('aria-pressed')") == "true"
    page.click(".theme-toggle")
    assert _opens_with(page, fixture_book / "index.html", "light")


def _opens_with(page, url: Path, theme: str, within: float = 15.0) -> bool:
    """Whether ``url`` opens in ``theme`` within ``within`` seconds. The browser commits
    localStorage to its store asynchronously (a reader's pause between pages gives it the
    time), and a loaded machine takes longer: the page is opened again until it does."""
    deadline = time.monotonic() + within
    while True:
        page.pipe.pump(0.5)
        page.goto(url)
        if page.eval("document.documentElement.dataset.theme") == theme:
            return True
        if time.monotonic() > deadline:
            return False


def test_figures_open_larger_in_a_lightbox(fixture_book: Path, browser) -> None:
    page = browser.page(1280, 900).goto(fixture_book / "results.html")
    assert page.eval("document.querySelectorAll('main figure img').length") == page.eval(
        "document.querySelectorAll('main figure a.lightbox > img').length") > 0
    page.click("main figure a.lightbox")
    page.wait_for("document.querySelector('.lightbox-overlay img') !== null")
    small, big = page.eval("[document.querySelector('main figure img').getBoundingClientRect().width, "
                           "document.querySelector('.lightbox-overlay img').getBoundingClientRect().width]")
    assert big > small
    assert "Figure 2.1" in page.eval("document.querySelector('.lightbox-caption').innerText")
    page.key("Escape")
    assert page.eval("document.querySelector('.lightbox-overlay')") is None


def test_phone_width_folds_the_sidebar_and_nothing_scrolls_sideways(fixture_book: Path, browser) -> None:
    page = browser.page(400, 800)
    for name in PAGES:
        page.goto(fixture_book / name)
        assert page.eval("document.documentElement.scrollWidth") <= 400, name
        assert page.eval("getComputedStyle(document.getElementById('sidebar')).display") == "none", name
    page.click(".menu-toggle")
    assert page.eval("getComputedStyle(document.getElementById('sidebar')).display") == "block"
    assert page.eval("document.querySelector('.menu-toggle').getAttribute('aria-expanded')") == "true"
    assert page.eval("document.documentElement.scrollWidth") <= 400


def test_every_image_has_alt_text(fixture_book: Path) -> None:
    for name in PAGES:
        html = (fixture_book / name).read_text()
        for img in re.findall(r"<img\b[^>]*>", html):
            alt = re.search(r'\balt="([^"]*)"', img)
            assert alt and alt.group(1).strip(), f"{name}: {img}"
    results = (fixture_book / "results.html").read_text()
    assert 'alt="A sine curve over one period."' in results and 'alt="The squared sine, never negative."' in results


def test_citations_and_references(fixture_book: Path) -> None:
    basics = (fixture_book / "basics.html").read_text()
    results = (fixture_book / "results.html").read_text()
    assert re.search(r'\(<a href="#ref-lecun1998" role="doc-biblioref">LeCun et al. 1998, 2280</a>\)',
                     " ".join(basics.split()))
    assert "Glorot and Bengio (<a href=\"#ref-glorot2010\"" in " ".join(results.split())
    # each page ends with the works it cites, under Quarto's heading
    assert re.search(r'<h1 class="unnumbered" id="bibliography">References</h1>\s*<div id="refs"', basics)
    assert 'id="ref-lecun1998"' in basics and 'id="ref-glorot2010"' not in basics
    assert 'id="ref-glorot2010"' in results and "Nobody" not in basics + results
    assert "bibliography" not in (fixture_book / "extra.html").read_text()  # cites nothing


def test_pdf_has_references_at_the_end(fixture_book: Path) -> None:
    need_tool("pdftotext")
    text = subprocess.run(["pdftotext", "-layout", str(fixture_book / "fixture-book.pdf"), "-"],
                          capture_output=True, text=True, check=True).stdout
    assert "(LeCun et al. 1998, 2280)" in text and "Glorot and Bengio (2010)" in text
    body = text[text.index("Preface", text.index("Contents") + 200):]
    assert body.rindex("References") > body.rindex("Extra Material")  # after the appendix
    refs = body[body.rindex("References"):]
    assert refs.index("Glorot, Xavier") < refs.index("LeCun, Yann") and "Nobody" not in refs


def test_each_chapter_offers_its_executed_notebook(fixture_book: Path) -> None:
    import nbformat
    from nbclient import NotebookClient

    basics = (fixture_book / "basics.html").read_text()
    assert 'class="download download-notebook" href="basics.ipynb" download' in basics
    assert 'class="download download-pdf" href="fixture-book.pdf" download' in basics
    assert "download-notebook" not in (fixture_book / "index.html").read_text() or \
        (fixture_book / "index.ipynb").is_file()
    nb = nbformat.read(fixture_book / "results.ipynb", as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert any(o.get("output_type") == "display_data" and "image/png" in o.get("data", {})
               for c in code for o in c.outputs)  # executed: the figures are in it
    assert code[1].source.startswith("#| label: fig-curve\n#| fig-cap:")
    assert any("raises-exception" in c.metadata.get("tags", []) for c in code)  # error: true
    # it runs top to bottom in Jupyter from the project root
    for name in ("basics.ipynb", "results.ipynb"):
        nb = nbformat.read(fixture_book / name, as_version=4)
        NotebookClient(nb, timeout=120, kernel_name="python3",
                       resources={"metadata": {"path": str(FIXTURE)}}).execute()
        assert [o for c in nb.cells if c.cell_type == "code" for o in c.outputs
                if o.get("output_type") == "error" and o.get("ename") != "ZeroDivisionError"] == []
