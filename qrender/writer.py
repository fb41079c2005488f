"""What the format writers share: a numbered chapter's AST -> what pandoc's writer should see.

Quarto constructs (figure and table floats, sub-figures, labelled equations, callouts, folded
code, conditional content, numbered headers) become raw HTML or Typst wrappers around ordinary
pandoc blocks, so pandoc still converts every paragraph, formula and code block itself.
:class:`Writer` finds the constructs and reads them (numbers, captions, options); each format's
subclass (``qrender.html_writer``, ``qrender.typst_writer``) writes its wrappers.
"""

from __future__ import annotations

import shutil
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

from qrender import pandoc as P
from qrender.crossref import CHAPTER, EQUATION, KINDS, NUMBER, SUBNUMBER, XREF

_CALLOUT_TITLES = {"note": "Note", "tip": "Tip", "warning": "Warning", "important": "Important", "caution": "Caution"}
_EXTERNAL = ("http://", "https://", "mailto:")
_REMOTE_IMAGE = ("http://", "https://", "data:", "//")
_SOURCES = (".qmd", ".md", ".ipynb")


@dataclass
class Writer(ABC):
    """Rewrites one chapter's blocks (in place) for the format ``FORMAT``."""

    FORMAT: ClassVar[str] = ""  # the raw format pandoc's writer takes
    NAMES: ClassVar[frozenset[str]] = frozenset()  # what `when-format` / `unless-format` match

    page: str  # the chapter's HTML page, relative to the output dir
    out_dir: Path
    root: Path  # the project's
    doc_dir: Path  # the folder of the chapter's source: relative image paths start there
    appendix: bool = field(default=False, kw_only=True)
    chapter_pages: dict[str, str] = field(default_factory=dict, kw_only=True)  # source -> page, for links
    warn: Callable[[str], None] = field(default=print, kw_only=True)

    def raw(self, s: str) -> dict:
        return P.RawBlock(self.FORMAT, s)

    def rawi(self, s: str) -> dict:
        return P.RawInline(self.FORMAT, s)

    def transform(self, blocks: list[dict]) -> list[dict]:
        blocks = P.walk_blocks(blocks, self._conditional)
        blocks = self.blocks(blocks)
        P.walk_inlines(blocks, self.inline)
        return blocks

    # -- what each format writes -------------------------------------------------------------------
    @abstractmethod
    def figure(self, ident: str, caption: list[dict], items: list[list[dict]], ncol: int | None) -> list[dict]:
        """A numbered figure: its caption, and its items (one per sub-figure or block) in ``ncol`` columns."""

    @abstractmethod
    def subfigure(self, ident: str, caption: list[dict], content: list[dict]) -> list[dict]:
        """A sub-figure: its caption ("(a) ...") and its blocks."""

    @abstractmethod
    def table(self, ident: str, caption: list[dict], content: list[dict]) -> list[dict]:
        """A numbered table: its caption (above it) and its blocks."""

    @abstractmethod
    def equation(self, ident: str, number: str, math: list[dict]) -> list[dict]:
        """Inlines: a labelled display equation with its number."""

    @abstractmethod
    def callout(self, ident: str, kind: str, title: list[dict], body: list[dict]) -> list[dict]:
        """A callout box of ``kind`` (note, tip, warning, important, caution)."""

    @abstractmethod
    def numbered_title(self, title: list[dict], number: str, chapter: bool) -> list[dict]:
        """A numbered header's inlines: the chapter's (``chapter``) or a section's number, and its title."""

    def code(self, block: dict, fold: str | None, summary: str) -> list[dict]:
        """A code block, folded (``fold``: "true" or "show") where the format can."""
        return [block]

    def div(self, div: dict) -> list[dict]:
        """Any other div, its content already rewritten."""
        return [div]

    def header(self, b: dict) -> dict:
        a = P.attr(b)
        number = a.get(NUMBER)
        if number:
            P.set_content(b, self.numbered_title(P.content(b), number, chapter=bool(a.get(CHAPTER))))
        return b

    def span(self, node: dict) -> dict:
        """An inline Span, changed in place (kept as it is by default)."""
        return node

    @abstractmethod
    def asset_url(self, dest: Path) -> str:
        """The URL of a file of the output dir (an image) from the page."""

    @abstractmethod
    def page_link(self, page: str, fragment: str) -> str:
        """The URL of another chapter's page (``#fragment`` in it, when given)."""

    def anchor_link(self, fragment: str) -> str:
        """The URL of ``#fragment`` in this chapter."""
        return f"#{fragment}"

    # -- the constructs ----------------------------------------------------------------------------
    def _conditional(self, b: dict) -> list[dict] | None:
        """``.content-visible`` / ``.content-hidden`` with ``when-format`` / ``unless-format``."""
        a = P.attr(b)
        if b["t"] != "Div" or not {"content-visible", "content-hidden"} & set(a.classes):
            return None
        when, unless = a.get("when-format"), a.get("unless-format")
        visible = True
        if when is not None:
            visible = self._matches(when)
        if unless is not None:
            visible = visible and not self._matches(unless)
        if "content-hidden" in a.classes and (when is not None or unless is not None):
            visible = not visible
        return P.content(b) if visible else []

    def _matches(self, wanted: str) -> bool:
        return any(w.strip() in self.NAMES for w in wanted.split(","))

    def blocks(self, blocks: list[dict]) -> list[dict]:
        return [out for b in blocks for out in self.block(b)]

    def block(self, b: dict) -> list[dict]:
        t, a = b["t"], P.attr(b)
        numbered = a.ident.split("-", 1)[0] if a and NUMBER in a else None  # a float: fig, tbl
        if numbered == "fig" and t in ("Div", "Figure"):
            return self._figure(b, a)
        if numbered == "tbl" and t in ("Div", "Table"):
            return self._table(b, a)
        if t == "Div" and any(c.startswith("callout-") for c in a.classes):
            return self._callout(b, a)
        if t == "Header":
            return [self.header(b)]
        if t == "CodeBlock":
            fold, summary = a.get("code-fold"), a.get("code-summary", "Code")
            a.drop("code-fold", "code-summary")
            return self.code(b, fold if fold not in ("false", "none") else None, summary)
        if t in ("Para", "Plain"):
            P.set_content(b, self._equations(P.content(b)))
        for children in P.child_blocks(b):
            children[:] = self.blocks(children)
        return self.div(b) if t == "Div" else [b]

    def _figure(self, b: dict, a: P.Attr) -> list[dict]:
        content, caption = _content_and_caption(b)
        ncol = a.get("layout-ncol") or sum(map(_is_subfigure, content))
        items = [self._subfigure(c) if _is_subfigure(c) else self.blocks([c]) for c in content]
        return self.figure(a.ident, _float_caption("fig", a.get(NUMBER), caption), items, int(ncol) if ncol else None)

    def _table(self, b: dict, a: P.Attr) -> list[dict]:
        ident, number = a.ident, a.get(NUMBER)
        if b["t"] == "Table":  # its caption, id and number go to the float around it
            content, caption = [b], P.caption(b)
            P.drop_caption(b)
            a.ident = ""
            a.drop(NUMBER)
        else:
            content, caption = _split_caption(P.content(b))
            content = self.blocks(content)
        return self.table(ident, _float_caption("tbl", number, caption), content)

    def _subfigure(self, b: dict) -> list[dict]:
        content, caption = _content_and_caption(b)
        label = [P.Str(f"({P.attr(b).get(SUBNUMBER)})"), P.Space(), *caption]
        return self.subfigure(P.ident(b), label, self.blocks(content))

    def _equations(self, inlines: list[dict]) -> list[dict]:
        out: list[dict] = []
        for node in inlines:
            if node["t"] == "Span" and EQUATION in P.attr(node).classes:
                a = P.attr(node)
                out += self.equation(a.ident, a.get(NUMBER, ""), P.content(node))
            else:
                out.append(node)
        return out

    def _callout(self, b: dict, a: P.Attr) -> list[dict]:
        kind = next(c.split("-", 1)[1] for c in a.classes if c.startswith("callout-"))
        body = P.content(b)
        if "title" in a:
            title = P.text(a.get("title"))
        elif body and P.is_header(body[0]):
            title, body = P.content(body[0]), body[1:]
        else:
            title = P.text(_CALLOUT_TITLES.get(kind, kind.title()))
        return self.callout(a.ident, kind, title, self.blocks(body))

    # -- inlines: images, links, spans -------------------------------------------------------------
    def inline(self, node: dict) -> None:
        t = node["t"]
        if t == "Image":
            self._image(node)
        elif t == "Link":
            self._link(node)
        elif t == "Span":
            self.span(node)

    def _image(self, node: dict) -> None:
        """``fig-alt`` as the image's text; a local image copied into the output dir."""
        a, url = P.attr(node), P.url(node)
        if "fig-alt" in a:
            P.set_content(node, P.text(a.get("fig-alt")))
            a.drop("fig-alt")
        if url.startswith(_REMOTE_IMAGE):
            self.warn(f"{self.page}: image {url} is not local; the page will request it from outside")
            return
        src = Path(url)
        if not src.is_absolute():
            src = self.root / url.lstrip("/") if url.startswith("/") else self.doc_dir / url
        elif not src.exists() and (self.root / url.lstrip("/")).exists():
            src = self.root / url.lstrip("/")
        src = src.resolve()
        if not src.exists():
            self.warn(f"{self.page}: image {url} not found")
            return
        out = self.out_dir.resolve()
        if out in src.parents:
            dest = src
        else:
            try:
                rel = src.relative_to(self.root)
            except ValueError:
                rel = Path("_resources") / src.name
            dest = out / rel
            if not dest.exists() or dest.stat().st_mtime < src.stat().st_mtime:
                dest.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(src, dest)
        P.set_url(node, self.asset_url(dest))

    def _link(self, node: dict) -> None:
        """Links to a chapter's source (``02-network.qmd#sec-x``) or into this chapter."""
        url = P.url(node)
        if url.startswith(_EXTERNAL) or XREF in P.attr(node).classes:
            return
        path, _, fragment = url.partition("#")
        if path.endswith(_SOURCES):
            page = self._page_for(path)
            if page is not None:
                P.set_url(node, self.page_link(page, fragment))
        elif url.startswith("#"):
            P.set_url(node, self.anchor_link(fragment))

    def _page_for(self, path: str) -> str | None:
        doc_rel = (self.doc_dir / path).resolve()
        for src, page in self.chapter_pages.items():
            if (self.root / src).resolve() == doc_rel or Path(src).name == Path(path).name:
                return page
        return None


def _float_caption(kind: str, number: str, caption: list[dict]) -> list[dict]:
    """A float's numbered caption: `Figure 2.1: caption` (`Figure 2.1` without one)."""
    label = P.text(f"{KINDS[kind]} {number}")
    return [*label, P.Str(":"), P.Space(), *caption] if caption else label


def _is_subfigure(b: dict) -> bool:
    return b["t"] in ("Div", "Figure") and SUBNUMBER in P.attr(b)


def _content_and_caption(b: dict) -> tuple[list[dict], list[dict]]:
    """A figure's blocks and its caption: a Figure's own, or a div's last paragraph (Quarto's rule)."""
    if b["t"] == "Figure":
        return P.content(b), P.caption(b)
    return _split_caption(P.content(b))


def _split_caption(blocks: list[dict]) -> tuple[list[dict], list[dict]]:
    """Quarto: the last paragraph of a figure/table div is its caption."""
    if len(blocks) >= 2 and blocks[-1]["t"] in ("Para", "Plain") and not _is_image_para(blocks[-1]):
        return blocks[:-1], P.content(blocks[-1])
    return blocks, []


def _is_image_para(b: dict) -> bool:
    items = [i for i in P.content(b) if i["t"] not in ("Space", "SoftBreak")]
    return bool(items) and all(i["t"] == "Image" for i in items)
