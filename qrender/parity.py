"""Constructs Quarto reads differently from a plain reading of the sources, refused up front.

Quarto builds a book's navigation (sidebar, page titles, chapter numbers) from each book file's
*own* text, before ``{{< include >}}`` is resolved (``partitionMarkdown`` on the raw file in
quarto-cli's ``project-index.ts`` and ``book-config.ts``), while the page body is rendered from
the text with includes resolved. A book whose files differ between the two readings comes out
differently under Quarto and under qrender (quarto-cli issue: the index that only includes its
preface became chapter "1 index.html" and shifted every chapter number). Each rule below names
such a construct; :func:`check_book` refuses them all with ``file:line`` and the reason.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from qrender.qmd import Document, QmdError, display_path, split_front_matter


class ParityError(QmdError):
    """One or more constructs that Quarto would read differently (one per line, file:line first)."""


@dataclass
class OwnTitle:
    """A book file's title as Quarto reads it: front matter ``title:`` or the first heading line."""

    text: str
    classes: list[str] = field(default_factory=list)
    level: int = 1  # 0 for a front-matter title
    line: int = 1

    @property
    def numbered(self) -> bool:
        return "unnumbered" not in self.classes


_HEADING = re.compile(r"^(#{1,})\s(.*)$")
_TITLE_ATTRS = re.compile(r"^(?:(.*)\s)?\{(.*)\}$")  # quarto-cli's kPandocTitleRegex, without the #s
_FENCE_OPEN = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_FENCE_CLOSE = re.compile(r"^ {0,3}(`{3,}|~{3,})\s*$")
_INCLUDE = re.compile(r"^\s*\{\{<\s*include\s")


def _split_title(raw: str) -> tuple[str, list[str]]:
    m = _TITLE_ATTRS.match(raw.strip())
    if not m:
        return raw.strip(), []
    classes = [t[1:] if t.startswith(".") else t for t in m.group(2).split() if t.startswith(".") or t == "-"]
    return (m.group(1) or "").strip(), classes


def own_title(path: Path) -> OwnTitle | None:
    """The title Quarto's book navigation reads from ``path`` (includes not resolved).

    Mirrors quarto-cli's ``isNumberedChapter`` and ``markdownWithExtractedHeading``
    (src/core/pandoc/pandoc-partition.ts): a string ``title:`` in the front matter wins;
    otherwise the first line that is a heading of *any* level, outside fenced code.
    """
    text = path.read_text(encoding="utf-8")
    meta, body, skipped = split_front_matter(text, path)
    if isinstance(meta.get("title"), str):
        heading, classes = _split_title(re.sub(r"^#+\s*", "", meta["title"]))
        return OwnTitle(heading, classes, level=0, line=2)
    fence: str | None = None
    for n, line in enumerate(body.split("\n"), start=skipped + 1):
        if fence:
            close = _FENCE_CLOSE.match(line)
            if close and close.group(1)[0] == fence[0] and len(close.group(1)) >= len(fence):
                fence = None
            continue
        opened = _FENCE_OPEN.match(line)
        if opened:
            fence = opened.group(1)
            continue
        m = _HEADING.match(line)
        if m:
            heading, classes = _split_title(m.group(2))
            return OwnTitle(heading, classes, level=len(m.group(1)), line=n)
    return None


def _first_include(path: Path) -> int | None:
    for n, line in enumerate(path.read_text(encoding="utf-8").split("\n"), start=1):
        if _INCLUDE.match(line):
            return n
    return None


def _h1_lines(doc: Document) -> list[tuple[Path, int, str]]:
    """Level-1 ATX headings of the expanded text, outside fenced code."""
    out = []
    fence: str | None = None
    for ln in doc.lines:
        if fence:
            close = _FENCE_CLOSE.match(ln.text)
            if close and close.group(1)[0] == fence[0] and len(close.group(1)) >= len(fence):
                fence = None
            continue
        opened = _FENCE_OPEN.match(ln.text)
        if opened:
            fence = opened.group(1)
            continue
        if re.match(r"^#\s", ln.text):
            out.append((ln.file, ln.lineno, ln.text.strip()))
    return out


def check_book_file(kind: str, doc: Document, root: Path) -> list[str]:
    """The violations of one book file (``kind``: index, chapter or appendix)."""
    path = doc.path
    rel = display_path(path, root)
    problems: list[str] = []
    title = own_title(path)
    h1s = _h1_lines(doc)
    if title is None:
        inc = _first_include(path)
        if h1s and inc is not None:
            problems.append(
                f"{rel}:{inc}: the file's title ({h1s[0][2]!r}, {display_path(h1s[0][0], root)}:{h1s[0][1]}) comes only "
                "from an include. Quarto reads a book file's title and whether it is numbered from the "
                "file's own text before includes are resolved, so its sidebar and chapter numbers would "
                f"differ. Put the title line (e.g. `# Preface {{.unnumbered}}`) in {rel} itself.")
        else:
            problems.append(f"{rel}:1: a book file needs a title: a `# Title` line or `title:` in its front matter.")
        return problems
    if title.level > 1:
        problems.append(
            f"{rel}:{title.line}: the file's first heading is level {title.level}; Quarto takes the first "
            f"heading of any level ({title.text!r}) as the chapter's title. Start with a `# Title` line.")
    if title.level == 0 and h1s:
        problems.append(
            f"{display_path(h1s[0][0], root)}:{h1s[0][1]}: the file has both a `title:` in its front matter and a "
            "`# ` heading; Quarto titles the chapter from the front matter. Keep one of them.")
    if len(h1s) > 1 and title.level == 1:
        f, n, text = h1s[1]
        problems.append(
            f"{display_path(f, root)}:{n}: a second level-1 heading ({text!r}) in one book file: Quarto numbers it "
            "like a new chapter inside the page. Use `## ` for sections.")
    if "-" in title.classes:
        problems.append(
            f"{rel}:{title.line}: `{{-}}` marks the title unnumbered for pandoc but not for Quarto's book "
            "numbering; write `{.unnumbered}`.")
    elif kind == "index" and title.numbered:
        problems.append(
            f"{rel}:{title.line}: the home page's title ({title.text!r}) is not marked {{.unnumbered}}; "
            "Quarto then numbers the home page as chapter 1 and every chapter after it one higher.")
    return problems


def check_book(items: list[tuple[str, Document]], root: Path) -> None:
    """Refuse every violation of every book file at once (``items``: (kind, document))."""
    problems = [p for kind, doc in items for p in check_book_file(kind, doc, root)]
    if problems:
        raise ParityError("Quarto would render this book differently:\n  " + "\n  ".join(problems))
