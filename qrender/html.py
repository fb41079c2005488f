"""The HTML site: one page per chapter with a sidebar, an in-page TOC and previous/next links.

Math is MathML (``html-math-method: mathml``): the browser draws it, nothing is fetched. The
stylesheet lives in ``site_libs/qrender/`` of the output directory.
"""

from __future__ import annotations

import html
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from qrender import pandoc as P

ASSETS = Path(__file__).parent / "assets"
LIB = "site_libs/qrender"


@dataclass
class PageInfo:
    page: str  # relative to the output dir
    number: str | None
    title_html: str
    title_text: str
    kind: str
    part: str | None


def copy_assets(out_dir: Path) -> None:
    dest = out_dir / LIB
    dest.mkdir(parents=True, exist_ok=True)
    for f in ASSETS.glob("*.css"):
        target = dest / f.name
        if not target.exists() or target.read_bytes() != f.read_bytes():
            shutil.copy2(f, target)


def rel(from_page: str, to: str) -> str:
    return os.path.relpath(to, os.path.dirname(from_page) or ".").replace(os.sep, "/")


def toc(blocks: list[dict], depth: int) -> list[tuple[int, str, str]]:
    """(level, id, html) for the headers of levels 2..depth+1 that have ids."""
    out = []
    for b in blocks:
        if b["t"] == "Header" and 2 <= b["c"][0] <= depth + 1 and b["c"][1][0] and "unlisted" not in b["c"][1][1]:
            out.append((b["c"][0], b["c"][1][0], b))
        elif b["t"] == "Div" and not any(c.startswith("callout") for c in b["c"][0][1]):
            out.extend(toc(b["c"][1], depth))  # e.g. headings printed by an `output: asis` cell
    return out


def header_html(blocks_with_headers: list[dict]) -> list[str]:
    """HTML for the inlines of each header (one pandoc call for all of them)."""
    if not blocks_with_headers:
        return []
    doc = {"pandoc-api-version": [1, 23, 1], "meta": {},
           "blocks": [P.Div("", ["qrender-toc-item"], [], [P.Plain(b["c"][2])]) for b in blocks_with_headers]}
    text = P.write(doc, "html5", ["--mathml"])
    parts = text.split('<div class="qrender-toc-item">')[1:]
    return [p.rsplit("</div>", 1)[0].strip() for p in parts]


def sidebar(pages: list[PageInfo], current: str, book: dict[str, Any], pdf_name: str | None) -> str:
    items = []
    section = None
    for p in pages:
        if p.kind == "appendix" and section != "appendix":
            section = "appendix"
            items.append('<li class="sidebar-section">Appendices</li>')
        elif p.part and p.part != section and p.kind != "appendix":
            section = p.part
            items.append(f'<li class="sidebar-section">{html.escape(p.part)}</li>')
        active = ' class="active" aria-current="page"' if p.page == current else ""
        num = f'<span class="chapter-number">{p.number}</span>' if p.number else ""
        items.append(f'<li><a href="{rel(current, p.page)}"{active}>{num}<span class="chapter-title">'
                     f"{p.title_html}</span></a></li>")
    download = ""
    if pdf_name:
        download = (f'<a class="download" href="{rel(current, pdf_name)}">'
                    f'<span aria-hidden="true">&#x2913;</span> Download PDF</a>')
    title = html.escape(str(book.get("title", "")))
    subtitle = book.get("subtitle")
    sub = f'<div class="book-subtitle">{html.escape(str(subtitle))}</div>' if subtitle else ""
    return (f'<nav class="sidebar" aria-label="Chapters"><a class="book-title" href="{rel(current, pages[0].page)}">'
            f"{title}</a>{sub}<ul>{''.join(items)}</ul>{download}</nav>")


def page(body: str, info: PageInfo, pages: list[PageInfo], blocks: list[dict], book: dict[str, Any],
         fmt_opts: dict[str, Any], pdf_name: str | None, lang: str = "en") -> str:
    depth = int(fmt_opts.get("toc-depth", 3)) - 1
    toc_html = ""
    if fmt_opts.get("toc", True):
        entries = toc(blocks, max(depth, 1))
        if entries:
            labels = header_html([e[2] for e in entries])
            lis = "".join(f'<li class="toc-l{lvl}"><a href="#{ident}">{lab}</a></li>'
                          for (lvl, ident, _), lab in zip(entries, labels, strict=False))
            title = html.escape(str(fmt_opts.get("toc-title", "On this page")))
            toc_html = f'<nav class="toc" aria-label="On this page"><h2>{title}</h2><ul>{lis}</ul></nav>'
    idx = next(i for i, p in enumerate(pages) if p.page == info.page)
    prev_link = next_link = ""
    if idx > 0:
        p = pages[idx - 1]
        num = f'<span class="chapter-number">{p.number}</span> ' if p.number else ""
        prev_link = (f'<a class="page-prev" href="{rel(info.page, p.page)}"><span class="dir">&larr; Previous</span>'
                     f'<span class="name">{num}{p.title_html}</span></a>')
    if idx + 1 < len(pages):
        p = pages[idx + 1]
        num = f'<span class="chapter-number">{p.number}</span> ' if p.number else ""
        next_link = (f'<a class="page-next" href="{rel(info.page, p.page)}"><span class="dir">Next &rarr;</span>'
                     f'<span class="name">{num}{p.title_html}</span></a>')
    banner = ""
    if info.kind == "index":
        bits = [f'<h1 class="book-banner-title">{html.escape(str(book.get("title", "")))}</h1>']
        if book.get("subtitle"):
            bits.append(f'<p class="book-banner-subtitle">{html.escape(str(book["subtitle"]))}</p>')
        meta = []
        authors = book.get("author")
        if authors:
            names = authors if isinstance(authors, list) else [authors]
            meta.append(f'<div><span class="label">Author</span>{html.escape(", ".join(map(str, names)))}</div>')
        if book.get("date"):
            meta.append(f'<div><span class="label">Date</span>{html.escape(str(book["date"]))}</div>')
        if meta:
            bits.append(f'<div class="book-banner-meta">{"".join(meta)}</div>')
        banner = f'<header class="book-banner">{"".join(bits)}</header>'
    css = rel(info.page, f"{LIB}/book.css")
    book_title = html.escape(str(book.get("title", "")))
    page_title = f"{info.number + ' ' if info.number else ''}{info.title_text} – {book_title}" \
        if info.kind != "index" else book_title
    return f"""<!DOCTYPE html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="qrender (offline renderer of Quarto books)">
<title>{html.escape(page_title)}</title>
<link rel="stylesheet" href="{css}">
</head>
<body class="kind-{info.kind}">
<div class="page-layout">
{sidebar(pages, info.page, book, pdf_name)}
<main class="content" id="quarto-document-content">
{banner}
{body}
<nav class="page-navigation">{prev_link}{next_link}</nav>
</main>
{toc_html}
</div>
</body>
</html>
"""
