"""The site's full-text search index, written at render time like Quarto's ``search.json``.

One entry per section, as Quarto writes them: the page itself (its text up to the first section)
and every level-2 section, whose text includes its subsections (with their numbered titles);
the fields are Quarto's (``objectID``, ``href``, ``title`` = the page's title, ``section`` =
the numbered section title, ``text``, ``crumbs``). The index goes to
``search.json`` (Quarto's name and format) and, for pages opened from disk (``file://``, where
a browser may not fetch a JSON file), to ``site_libs/qrender/search-index.js`` as a script.
The browser side is ``assets/search.js`` with Fuse.js 6.6.2 (vendored from npm, the version
and options Quarto uses), so nothing is requested from outside.
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path
from typing import Any

from qrender import pandoc as P
from qrender.crossref import NUMBER

_TAGS = re.compile(r"<[^>]+>")
_SPACE = re.compile(r"[ \t\r\f\v]+")


def _text(block: dict) -> str:
    t = block.get("t")
    if t == "RawBlock":
        fmt, raw = P.raw(block)  # the site's own wrappers are not text; a table (a DataFrame) is
        return html.unescape(_TAGS.sub(" ", raw)) if fmt == "html" and "<table" in raw else ""
    if t == "CodeBlock":
        return P.code(block)
    if t == "Header":
        return ""
    if t in ("Div", "BlockQuote", "BulletList", "OrderedList", "Figure", "Table", "DefinitionList"):
        out: list[str] = []

        def visit(x: Any) -> None:
            if isinstance(x, dict):
                if x.get("t") in ("Para", "Plain", "CodeBlock", "RawBlock", "Header", "LineBlock"):
                    out.append(_text(x) if x["t"] != "Header" else P.stringify(P.content(x)))
                else:
                    visit(x.get("c"))
            elif isinstance(x, list):
                for i in x:
                    visit(i)

        visit(block.get("c"))
        return "\n".join(s for s in out if s.strip())
    return P.stringify(block)


def _flatten(blocks: list[dict]) -> list[dict]:
    """Headers stay at their place even inside plain divs (e.g. printed by an `output: asis` cell)."""
    out: list[dict] = []
    for b in blocks:
        if b["t"] == "Div" and any(P.is_header(x) for x in P.content(b)):
            out.extend(_flatten(P.content(b)))
        else:
            out.append(b)
    return out


def page_entries(page: str, page_title: str, crumbs: list[str], blocks: list[dict]) -> list[dict[str, Any]]:
    """Entries of one page (``blocks``: its final AST, numbers in the headers' ``data-number``)."""
    entries: list[dict[str, Any]] = []
    current = {"objectID": page, "href": page, "title": page_title, "section": "", "text": [], "crumbs": crumbs}
    for b in _flatten(blocks):
        if P.is_header(b):
            number = P.attr(b).get(NUMBER)
            title = P.stringify(P.content(b))
            numbered = f"{number} {title}" if number else title
            if P.level(b) == 2 and P.ident(b):
                entries.append(current)
                href = f"{page}#{P.ident(b)}"
                current = {"objectID": href, "href": href, "title": page_title, "section": numbered,
                           "text": [], "crumbs": crumbs}
            elif P.level(b) > 2:
                current["text"].append(numbered)
            continue
        text = _text(b)
        if text.strip():
            current["text"].append(text)
    entries.append(current)
    for e in entries:
        e["text"] = _SPACE.sub(" ", "\n".join(e["text"])).strip()
    return entries


def write(out_dir: Path, entries: list[dict[str, Any]], lib: str) -> None:
    data = json.dumps(entries, ensure_ascii=False, indent=0)
    (out_dir / "search.json").write_text(data, encoding="utf-8")
    script = out_dir / lib / "search-index.js"
    script.parent.mkdir(parents=True, exist_ok=True)
    # `</` cannot end the script early: the index is plain data in a .js file, not inline HTML.
    script.write_text(f"window.QRENDER_SEARCH_INDEX = {data};\n", encoding="utf-8")
