"""The Typst writer: Quarto's constructs as Typst, for the one document that becomes the PDF.

Floats are ``#figure``s (numbered by us, so ``numbering: none``) with their label, sub-figures a
``#grid``, equations a grid with their number, numbered headers call ``chapnum`` / ``secnum`` and
callouts ``callout`` of ``qrender/assets/book.typ``. Every chapter goes into one document, so
ids that are not cross-reference targets get the chapter's slug in front (``03-training--x``).
Images are relative to the output dir, where the document is compiled.
"""

from __future__ import annotations

import re
import struct
from dataclasses import dataclass, field
from pathlib import Path

from qrender import pandoc as P
from qrender.crossref import NUMBER, UNNUMBERED, XREF_PREFIXES, chapter_word
from qrender.writer import Writer

#: The width of the page's text in inches (A4, 21 cm, less the margins in assets/book.typ).
TEXT_WIDTH_IN = 6.38
#: Figures are printed at this share of the size they were drawn at (the web page shows them
#: whole): their 9-point labels stay legible, and the grader's PDF stays short.
PRINT_SCALE = 0.9


@dataclass
class TypstWriter(Writer):
    FORMAT = "typst"
    NAMES = frozenset({"typst", "pdf"})

    slug: str = field(kw_only=True)  # unique per chapter
    chapter_anchor: dict[str, str] = field(default_factory=dict, kw_only=True)  # page -> id of its h1

    def local(self, ident: str) -> str:
        """An id of this chapter, unique in the book's one document."""
        return f"{self.slug}--{ident}"

    def figure(self, ident: str, caption: list[dict], items: list[list[dict]], ncol: int | None) -> list[dict]:
        _size_images(items, "100%" if ncol else "85%", self.doc_dir)
        if ncol:
            cells = [self.raw(f"#grid(columns: {ncol}, gutter: 1em, align: center + bottom,")]
            for item in items:
                cells += [self.raw("["), *item, self.raw("],")]
            cells.append(self.raw(")"))
        else:
            cells = [block for item in items for block in item]
        return self._wrap("kind: image", "[", caption, cells, ident)

    def subfigure(self, ident: str, caption: list[dict], content: list[dict]) -> list[dict]:
        return self._wrap('kind: "subfigure"', "[", caption, content, ident)

    def table(self, ident: str, caption: list[dict], content: list[dict]) -> list[dict]:
        return self._wrap("kind: table", "figure.caption(position: top)[", caption, content, ident)

    def _wrap(self, kind: str, caption_open: str, caption: list[dict], content: list[dict],
                ident: str) -> list[dict]:
        return [self.raw(f"#figure({kind}, supplement: none, numbering: none, caption: {caption_open}"),
                P.Plain(caption), self.raw("])["), *content, self.raw(f"] <{ident}>")]

    def equation(self, ident: str, number: str, math: list[dict]) -> list[dict]:
        return [self.rawi("#grid(columns: (1fr, auto), align: (center + horizon, right + horizon), ["), *math,
                self.rawi(f"], [({number})]) <{ident}>")]

    def callout(self, ident: str, kind: str, title: list[dict], body: list[dict]) -> list[dict]:
        return [self.raw(f'#callout(kind: "{kind}", title: ['), P.Plain(title), self.raw("])["), *body,
                self.raw("]")]

    def numbered_title(self, title: list[dict], number: str, chapter: bool) -> list[dict]:
        if chapter:
            call = f'#chapnum("{number}", "{chapter_word(self.appendix)}")'
        else:
            call = f'#secnum("{number}")'
        return [self.rawi(call), *title]

    def header(self, b: dict) -> dict:
        a = P.attr(b)
        if a.ident and not a.ident.startswith("sec-"):
            a.ident = self.local(a.ident)
        if NUMBER not in a and P.level(b) == 1 and UNNUMBERED not in a.classes:
            a.classes.append(UNNUMBERED)  # a chapter without a number: not numbered by Typst either
        return super().header(b)

    def code(self, block: dict, fold: str | None, summary: str) -> list[dict]:
        P.attr(block).ident = ""
        return [block]

    def div(self, div: dict) -> list[dict]:
        a = P.attr(div)
        if not a.ident:
            return P.content(div)
        a.ident = self.local(a.ident)
        return [div]

    def span(self, node: dict) -> dict:
        a = P.attr(node)
        if a.ident:
            a.ident = self.local(a.ident)
        return node

    def asset_url(self, dest: Path) -> str:
        return dest.relative_to(self.out_dir.resolve()).as_posix()

    def page_link(self, page: str, fragment: str) -> str:
        return f"#{fragment}" if fragment.startswith(XREF_PREFIXES) else f"#{self.chapter_anchor.get(page, '')}"

    def anchor_link(self, fragment: str) -> str:
        return f"#{fragment}" if fragment.startswith(XREF_PREFIXES) else f"#{self.local(fragment)}"


def png_inches(path: Path) -> float | None:
    """Physical width of a PNG from its pHYs chunk (matplotlib writes the figure's dpi there)."""
    try:
        data = path.read_bytes()[:4096]
    except OSError:
        return None
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        return None
    width = struct.unpack(">I", data[16:20])[0]
    at = data.find(b"pHYs")
    if at < 0:
        return None
    ppu_x, _, unit = struct.unpack(">IIB", data[at + 4:at + 13])
    if unit != 1 or ppu_x == 0:
        return None
    return width / (ppu_x * 0.0254)


def _size_images(items: list[list[dict]], width: str, base: Path) -> None:
    """Images as wide as the figure was made (its inches), at most ``width`` of the line."""

    def size(node: dict) -> None:
        a = P.attr(node) if node["t"] == "Image" else None
        if a is None or "width" in a or "height" in a:
            return
        shown = width
        url = P.url(node)
        inches = png_inches(Path(url) if Path(url).is_absolute() else base / url)
        if inches and width == "85%":
            shown = f"{min(100.0, 100.0 * PRINT_SCALE * inches / TEXT_WIDTH_IN):.0f}%"
        a.set("width", shown)

    for item in items:
        P.walk_inlines(item, size)


# -- pandoc's Typst, fixed where its math differs from what Typst reads ----------------------------
_MATH_FIXES = [
    (re.compile(r"(?<![\w.])dot\.circle(?![\w])"), "dot.o"),
    (re.compile(r"(?<![\w.])times\.circle(?![\w])"), "times.o"),
    (re.compile(r"(?<![\w.])sect(?![\w.])"), "inter"),
    (re.compile(r'delim: "\|\|"'), 'delim: "|"'),
    (re.compile(r"#h\(-1em\)"), "thin"),
]
_TOKENS = re.compile(r"(```.*?```|`[^`\n]*`|\\\$|\$(?:\\.|[^$\\])*\$)", re.S)


def fix_math(text: str) -> str:
    """Known pandoc -> Typst math mismatches, fixed inside ``$...$`` only (not in code or prose)."""

    def fix(m: re.Match) -> str:
        s = m.group(0)
        if not s.startswith("$"):
            return s
        for pattern, repl in _MATH_FIXES:
            s = pattern.sub(repl, s)
        return s

    return _TOKENS.sub(fix, text)
