"""Constructs Quarto reads differently are refused, with file:line and the reason.

Each test plants one violation in a copy of the fixture book and renders it: the render stops
before anything executes (or, for references, before any output is written), naming the place.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from qrender.parity import ParityError, check_book, own_title
from qrender.project import load
from qrender.qmd import QmdError, parse
from qrender.render import RenderError, render
from tests.qrender.helpers import FIXTURE

ROOT = Path(__file__).resolve().parents[2]


def refused(book: Path, match: str, no_execute: bool = False) -> str:
    with pytest.raises((ParityError, RenderError, QmdError), match=match) as info:
        render(book, to="html", output_dir=book / "_out", cache_dir=book / "_cache", no_execute=no_execute,
               scripts=False)
    assert not (book / "_out" / "index.html").exists()  # nothing was written
    return str(info.value)


def test_the_fixture_and_the_real_book_pass() -> None:
    for root in (FIXTURE, ROOT):
        proj = load(root, profiles=[])
        check_book([(ch.kind, parse(ch.path, proj.root)) for ch in proj.chapters()], proj.root)


def test_title_only_from_an_include_is_refused(book: Path) -> None:
    (book / "_preface.qmd").write_text((book / "index.qmd").read_text().split("---\n", 2)[2])
    (book / "index.qmd").write_text("---\nexecute:\n  freeze: false\n---\n\n{{< include _preface.qmd >}}\n")
    message = refused(book, r"index\.qmd:6: the file's title \('# Preface \{\.unnumbered\}', _preface\.qmd:2\) "
                            r"comes only from an include")
    assert "before includes are resolved" in message


def test_numbered_home_page_is_refused(book: Path) -> None:
    text = (book / "index.qmd").read_text().replace("# Preface {.unnumbered}", "# Preface")
    (book / "index.qmd").write_text(text)
    refused(book, r"index\.qmd:6: the home page's title \('Preface'\) is not marked \{\.unnumbered\}")


def test_pandoc_dash_shorthand_is_refused(book: Path) -> None:
    text = (book / "index.qmd").read_text().replace("{.unnumbered}", "{-}")
    (book / "index.qmd").write_text(text)
    refused(book, r"index\.qmd:6: `\{-\}` marks the title unnumbered for pandoc but not for Quarto")


def test_first_heading_below_level_one_is_refused(book: Path) -> None:
    (book / "extra.qmd").write_text("## Extra Material {#sec-extra}\n\nText.\n")
    refused(book, r"extra\.qmd:1: the file's first heading is level 2")


def test_title_in_front_matter_and_a_heading_is_refused(book: Path) -> None:
    text = (book / "basics.qmd").read_text().replace('---\n\n```{python}', '---\n\n# Basics\n\n```{python}', 1)
    (book / "basics.qmd").write_text(text)
    refused(book, r"basics\.qmd:5: the file has both a `title:` in its front matter and a `# ` heading")


def test_second_level_one_heading_even_from_an_include_is_refused(book: Path) -> None:
    (book / "_more.qmd").write_text("Some text.\n\n# More results\n")
    (book / "results.qmd").write_text((book / "results.qmd").read_text() + "\n{{< include _more.qmd >}}\n")
    refused(book, r"_more\.qmd:3: a second level-1 heading \('# More results'\)")


def test_front_matter_in_an_included_file_is_refused(book: Path) -> None:
    (book / "_part.qmd").write_text("---\ntitle: Hidden title\n---\n\nText.\n")
    (book / "extra.qmd").write_text((book / "extra.qmd").read_text() + "\n{{< include _part.qmd >}}\n")
    refused(book, r"_part\.qmd:1: an included file has its own front matter \(title\)")


def test_include_inside_a_code_block_is_refused(book: Path) -> None:
    (book / "extra.qmd").write_text((book / "extra.qmd").read_text()
                                    + "\n```markdown\n{{< include basics.qmd >}}\n```\n")
    refused(book, r"extra\.qmd:10: an include shortcode inside a code block")


def test_reference_to_an_unnumbered_section_is_refused(book: Path) -> None:
    (book / "extra.qmd").write_text((book / "extra.qmd").read_text()
                                    + "\n## Notes {#sec-notes .unnumbered}\n\nSee @sec-notes.\n")
    refused(book, r"extra\.qmd:11: @sec-notes refers to an unnumbered section", no_execute=True)


def test_unnumbered_chapter_is_not_counted_as_quarto_counts(book: Path) -> None:
    (book / "basics.qmd").write_text((book / "basics.qmd").read_text().replace(
        'title: "Basic Derivations"', 'title: "Basic Derivations {.unnumbered}"'))
    chapters = load(book, profiles=[]).chapters()
    assert [(c.name, c.number) for c in chapters] == [("index", None), ("basics", None), ("results", "1"),
                                                      ("extra", "A")]
    assert own_title(book / "basics.qmd").text == "Basic Derivations"
