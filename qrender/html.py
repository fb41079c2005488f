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
from qrender.crossref import caption_prefix

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
    notebook: str | None = None  # the page's executed notebook, relative to the output dir

    @property
    def caption(self) -> str:
        """The title as Quarto captions the page: "Appendix A — Data", "3" (no-break space) "Training"."""
        return caption_prefix(self.number, self.kind == "appendix") + self.title_text


@dataclass
class SiteOptions:
    """What the site offers, read from Quarto's html options in _quarto.yml."""

    code_copy: bool = True  # `code-copy` (Quarto's default, hover, shows a button too)
    lightbox: bool = False  # `lightbox: true`
    themes: tuple[str, ...] = ()  # `theme: {light: ..., dark: ...}`: ("light", "dark"), first is default
    respect_user_scheme: bool = False  # `respect-user-color-scheme`
    pdf: str | None = None  # the book's PDF when `book: downloads: [pdf]`

    @classmethod
    def from_options(cls, fmt_opts: dict[str, Any], pdf: str | None) -> SiteOptions:
        theme = fmt_opts.get("theme")
        themes = tuple(k for k in theme if k in ("light", "dark")) if isinstance(theme, dict) else ()
        return cls(code_copy=fmt_opts.get("code-copy", "hover") is not False,
                   lightbox=fmt_opts.get("lightbox") is True,
                   themes=themes if len(themes) == 2 else (),
                   respect_user_scheme=bool(fmt_opts.get("respect-user-color-scheme")), pdf=pdf)


def copy_assets(out_dir: Path) -> None:
    dest = out_dir / LIB
    dest.mkdir(parents=True, exist_ok=True)
    files = {f.name: f for f in ASSETS.glob("*") if f.suffix in (".css", ".js")}
    files["fuse.min.js"] = ASSETS / "vendor" / "fuse.js" / "fuse.min.js"
    files["fuse.js-LICENSE.txt"] = ASSETS / "vendor" / "fuse.js" / "LICENSE"
    for name, f in files.items():
        target = dest / name
        if not target.exists() or target.read_bytes() != f.read_bytes():
            shutil.copy2(f, target)


def rel(from_page: str, to: str) -> str:
    return os.path.relpath(to, os.path.dirname(from_page) or ".").replace(os.sep, "/")


def site_root(page: str) -> str:
    """The relative path from ``page`` to the output dir ("" or "../")."""
    depth = len(Path(page).parent.parts)
    return "../" * depth


def toc(blocks: list[dict], depth: int) -> list[tuple[int, str, list[dict]]]:
    """(level, id, title inlines) for the headers of levels 2..depth+1 that have ids."""
    out = []
    for b in blocks:
        if P.is_header(b) and 2 <= P.level(b) <= depth + 1 and P.ident(b) and "unlisted" not in P.attr(b).classes:
            out.append((P.level(b), P.ident(b), P.content(b)))
        elif b["t"] == "Div" and not any(c.startswith("callout") for c in P.attr(b).classes):
            out.extend(toc(P.content(b), depth))  # e.g. headings printed by an `output: asis` cell
    return out


def to_html(blocks: list[dict], *options: str) -> str:
    """Pandoc's HTML of ``blocks``; math as MathML, which the browser draws (nothing fetched)."""
    return P.write(blocks, "html5", ["--mathml", *options])


def inlines_html(titles: list[list[dict]]) -> list[str]:
    """HTML for each list of inlines (one pandoc call for all of them)."""
    if not titles:
        return []
    text = to_html([P.Div("", ["qrender-toc-item"], [], [P.Plain(t)]) for t in titles])
    parts = text.split('<div class="qrender-toc-item">')[1:]
    return [p.rsplit("</div>", 1)[0].strip() for p in parts]


def sidebar(pages: list[PageInfo], current: PageInfo, book: dict[str, Any], site: SiteOptions) -> str:
    here = current.page
    items = []
    section = None
    for p in pages:
        if p.kind == "appendix" and section != "appendix":
            section = "appendix"
            items.append('<li class="sidebar-section">Appendices</li>')
        elif p.part and p.part != section and p.kind != "appendix":
            section = p.part
            items.append(f'<li class="sidebar-section">{html.escape(p.part)}</li>')
        active = ' class="active" aria-current="page"' if p.page == here else ""
        num = f'<span class="chapter-number">{p.number}</span>' if p.number else ""
        items.append(f'<li><a href="{rel(here, p.page)}"{active}>{num}<span class="chapter-title">'
                     f"{p.title_html}</span></a></li>")
    downloads = []
    if site.pdf:
        downloads.append(f'<a class="download download-pdf" href="{rel(here, site.pdf)}" download>'
                         f'<span aria-hidden="true">&#x2913;</span> Download PDF</a>')
    if current.notebook:
        downloads.append(f'<a class="download download-notebook" href="{rel(here, current.notebook)}" download '
                         f'title="This chapter as a Jupyter notebook, with its outputs">'
                         f'<span aria-hidden="true">&#x2913;</span> Jupyter notebook</a>')
    title = html.escape(str(book.get("title", "")))
    subtitle = book.get("subtitle")
    sub = f'<div class="book-subtitle">{html.escape(str(subtitle))}</div>' if subtitle else ""
    theme = ""
    if site.themes:
        theme = ('<button type="button" class="theme-toggle" aria-pressed="false" title="Switch to dark mode">'
                 '<span class="theme-icon" aria-hidden="true"></span><span class="visually-hidden">Dark mode</span>'
                 "</button>")
    search = ('<div class="sidebar-search" role="search">'
              '<input type="search" id="search-input" placeholder="Search" aria-label="Search the book" '
              'autocomplete="off" spellcheck="false" role="combobox" aria-expanded="false" '
              'aria-controls="search-results" aria-autocomplete="list">'
              '<ul id="search-results" role="listbox" aria-label="Search results" hidden></ul></div>')
    return (f'<nav class="sidebar" id="sidebar" aria-label="Chapters"><div class="sidebar-head">'
            f'<a class="book-title" href="{rel(here, pages[0].page)}">{title}</a>{theme}</div>{sub}{search}'
            f"<ul class=\"chapters\">{''.join(items)}</ul>"
            f'<div class="downloads">{"".join(downloads)}</div></nav>')


_THEME_BOOT = """<script>
(function () {{
  var scheme = {default!r};
  try {{ scheme = localStorage.getItem("qrender-color-scheme") || scheme; }} catch (e) {{}}
  {respect}document.documentElement.dataset.theme = scheme;
}})();
</script>"""


def page(body: str, info: PageInfo, pages: list[PageInfo], blocks: list[dict], book: dict[str, Any],
         fmt_opts: dict[str, Any], site: SiteOptions, lang: str = "en") -> str:
    depth = int(fmt_opts.get("toc-depth", 3)) - 1
    toc_html = ""
    if fmt_opts.get("toc", True):
        entries = toc(blocks, max(depth, 1))
        if entries:
            labels = inlines_html([e[2] for e in entries])
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
    root = site_root(info.page)
    css = f"{root}{LIB}/book.css"
    book_title = html.escape(str(book.get("title", "")))
    if info.kind == "index":
        page_title = book_title
    else:
        page_title = f"{html.escape(info.caption)} – {book_title}"
    boot = ""
    if site.themes:
        respect = ('if (!localStorage.getItem("qrender-color-scheme") && window.matchMedia && '
                   'matchMedia("(prefers-color-scheme: dark)").matches) scheme = "dark";\n  '
                   if site.respect_user_scheme else "")
        boot = _THEME_BOOT.format(default=site.themes[0], respect=respect).replace("'", '"')
    data = [f'data-site-root="{root}"']
    if site.code_copy:
        data.append('data-code-copy="true"')
    if site.lightbox:
        data.append('data-lightbox="true"')
    mobile = (f'<header class="mobile-bar"><button type="button" class="menu-toggle" aria-controls="sidebar" '
              f'aria-expanded="false"><span class="menu-icon" aria-hidden="true"></span>'
              f'<span class="visually-hidden">Chapters</span></button>'
              f'<a class="mobile-title" href="{rel(info.page, pages[0].page)}">{book_title}</a></header>')
    return f"""<!DOCTYPE html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="qrender (offline renderer of Quarto books)">
<title>{page_title}</title>
{boot}
<link rel="stylesheet" href="{css}">
</head>
<body class="kind-{info.kind}" {" ".join(data)}>
{mobile}
<div class="page-layout">
{sidebar(pages, info, book, site)}
<main class="content" id="quarto-document-content">
{banner}
{body}
<nav class="page-navigation">{prev_link}{next_link}</nav>
</main>
{toc_html}
</div>
<script src="{root}{LIB}/search.js"></script>
<script src="{root}{LIB}/book.js"></script>
</body>
</html>
"""
