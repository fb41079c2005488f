"""The HTML writer: Quarto's constructs as the markup of Quarto's HTML pages.

Floats are ``quarto-float`` divs around a ``<figure>`` with its ``<figcaption>``, sub-figures
``quarto-subfloat`` panels in a grid, equations carry their number, callouts their header, folded
code a ``<details>``; ``qrender/assets/book.css`` styles them. Images and links are relative to
the page.
"""

from __future__ import annotations

import html
import os
from pathlib import Path

from qrender import pandoc as P
from qrender.crossref import EQUATION, chapter_word
from qrender.html import rel
from qrender.writer import Writer


class HtmlWriter(Writer):
    FORMAT = "html"
    NAMES = frozenset({"html"})

    def figure(self, ident: str, caption: list[dict], items: list[list[dict]], ncol: int | None) -> list[dict]:
        out = [self.raw(f'<div id="{ident}" class="quarto-float quarto-figure">\n<figure class="figure">')]
        if ncol:
            out.append(self.raw(f'<div class="quarto-layout" style="grid-template-columns: repeat({ncol}, minmax(0, 1fr));">'))
        for item in items:
            out.extend(item)
        if ncol:
            out.append(self.raw("</div>"))
        return [*out, *self._figcaption("figure-caption", caption), self.raw("</figure>\n</div>")]

    def subfigure(self, ident: str, caption: list[dict], content: list[dict]) -> list[dict]:
        return [self.raw(f'<div id="{ident}" class="quarto-subfloat">\n<figure class="figure">'), *content,
                *self._figcaption("subfigure-caption", caption), self.raw("</figure>\n</div>")]

    def table(self, ident: str, caption: list[dict], content: list[dict]) -> list[dict]:
        return [self.raw(f'<div id="{ident}" class="quarto-float quarto-table">\n<figure class="figure">'),
                *self._figcaption("table-caption", caption), *content, self.raw("</figure>\n</div>")]

    def _figcaption(self, cls: str, caption: list[dict]) -> list[dict]:
        return [self.raw(f'<figcaption class="{cls}">'), P.Plain(caption), self.raw("</figcaption>")]

    def equation(self, ident: str, number: str, math: list[dict]) -> list[dict]:
        return [self.rawi(f'<span id="{ident}" class="{EQUATION}">'), *math,
                self.rawi(f'<span class="equation-number">({number})</span></span>')]

    def callout(self, ident: str, kind: str, title: list[dict], body: list[dict]) -> list[dict]:
        id_attr = f' id="{ident}"' if ident else ""
        return [self.raw(f'<div{id_attr} class="callout callout-{kind}">\n<div class="callout-header">'
                         f'<span class="callout-icon" aria-hidden="true"></span><span class="callout-title">'),
                P.Plain(title), self.raw('</span></div>\n<div class="callout-body">'), *body, self.raw("</div>\n</div>")]

    def numbered_title(self, title: list[dict], number: str, chapter: bool) -> list[dict]:
        if chapter:
            shown, sep = (f"{chapter_word(True)} {number}", " — ") if self.appendix else (number, " ")
            return [self.rawi(f'<span class="chapter-number">{shown}</span>{sep}'),
                    P.Span("", ["chapter-title"], [], title)]
        return [self.rawi(f'<span class="header-section-number">{number}</span> '), P.Span("", [], [], title)]

    def code(self, block: dict, fold: str | None, summary: str) -> list[dict]:
        if fold is None:
            return [block]
        opened = " open" if fold == "show" else ""
        return [self.raw(f'<details class="code-fold"{opened}>\n<summary>{html.escape(summary)}</summary>'), block,
                self.raw("</details>")]

    def asset_url(self, dest: Path) -> str:
        page_dir = (self.out_dir.resolve() / self.page).parent
        return os.path.relpath(dest, page_dir).replace(os.sep, "/")

    def page_link(self, page: str, fragment: str) -> str:
        return rel(self.page, page) + (f"#{fragment}" if fragment else "")
