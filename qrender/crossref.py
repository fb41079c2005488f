"""Quarto book numbering and cross-references on the pandoc AST.

:func:`number` walks one chapter (format-independent): it numbers sections (``3.2``),
figures, tables and labelled equations per chapter (``Figure 3.1``; appendices ``A.1``; the
unnumbered index ``1``), and returns the labels it found. :func:`resolve` then replaces
``@fig-x``/``@tbl-x``/``@eq-x``/``@sec-x`` citations with links that read like Quarto's
(``Figure 2.1``, ``Table 3.2``, ``Equation 1.4``, ``Section 3.1``, ``Chapter 3``,
``Appendix A``), in the page that holds the label.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from qrender import pandoc as P

KINDS = {"fig": "Figure", "tbl": "Table", "eq": "Equation", "sec": "Section"}
#: ``#fig-x``, ``#sec-x``, ...: the ids that cross-references point at
XREF_PREFIXES = tuple(f"{kind}-" for kind in KINDS)
# What numbering writes into the AST for the format writers (and the search index) to read:
NUMBER = "data-number"  # attribute: "3.2", "A.1", "2.1" (headers, figures, tables, equations)
SUBNUMBER = "data-subnumber"  # attribute of a sub-figure: its letter
CHAPTER = "data-chapter"  # attribute of a chapter's own title
EQUATION = "quarto-equation"  # class of the Span around a labelled display equation
UNNUMBERED = "unnumbered"  # class of a header without a number (Quarto's and pandoc's)
XREF = "quarto-xref"  # class of the link a reference becomes
_EQ_LABEL = re.compile(r"^\{#(eq-[\w:.-]+)\}$")


def is_crossref(key: str) -> bool:
    """``fig-x``, ``sec-x``, ...: a cross-reference, not a citation of a work."""
    return key.split("-", 1)[0] in KINDS


def chapter_word(appendix: bool) -> str:
    return "Appendix" if appendix else "Chapter"


def caption_prefix(number: str | None, appendix: bool) -> str:
    """What comes before a chapter's title in its caption, as Quarto writes it: "3\u00a0 ",
    "Appendix A — ", or nothing (quarto-cli src/project/types/book/book-chapters.ts,
    formatChapterTitle)."""
    if not number:
        return ""
    return f"{chapter_word(True)} {number} — " if appendix else f"{number}\u00a0 "


@dataclass
class Label:
    ident: str
    kind: str  # fig, tbl, eq, sec
    number: str  # "2.1", "2.1 (a)" for a sub-figure, "3" for a chapter
    page: str  # html path of the page (relative to the output dir)
    chapter_level: bool = False  # a chapter's own title: "Chapter 3" / "Appendix A"
    appendix: bool = False
    unnumbered: bool = False  # a section without a number: Quarto cannot refer to it
    title: list[dict] = field(default_factory=list)  # a section's title (inlines)

    def caption(self) -> list[dict]:
        """How Quarto writes a reference to a section from a page without section numbers (the
        unnumbered home page): the section's caption. A chapter's caption carries its number
        ("3\u00a0 Training"), an appendix's its letter ("Appendix A — Data"), a section's none
        (quarto-cli src/project/types/book/book-crossrefs.ts, formatCrossref)."""
        prefix = caption_prefix(self.number, self.appendix) if self.chapter_level else ""
        return [*P.text(prefix), *self.title]

    def text(self, suppress: bool = False) -> str:
        if suppress:
            return self.number
        if self.kind == "sec" and self.chapter_level:
            word = chapter_word(self.appendix)
        else:
            word = KINDS[self.kind]
        return f"{word} {self.number}"


class Numberer:
    """Numbers one chapter; ``chapter`` is "3", "A" or None (the index)."""

    def __init__(self, chapter: str | None, page: str, appendix: bool, warn: Callable[[str], None]):
        self.chapter = chapter
        self.page = page
        self.appendix = appendix
        self.warn = warn
        self.labels: dict[str, Label] = {}
        self.counts = {"fig": 0, "tbl": 0, "eq": 0}
        self.sections = [0] * 7
        self.seen_h1 = False

    def num(self, kind: str) -> str:
        self.counts[kind] += 1
        n = self.counts[kind]
        return f"{self.chapter}.{n}" if self.chapter else str(n)

    def add(self, ident: str, kind: str, number: str, **kw: Any) -> None:
        if ident in self.labels:
            self.warn(f"duplicate label {ident!r} in {self.page}")
        self.labels[ident] = Label(ident, kind, number, self.page, appendix=self.appendix, **kw)

    def number_float(self, node: dict, kind: str) -> str:
        """Number a figure or table: its ``data-number``, and its label."""
        n = self.num(kind)
        a = P.attr(node)
        a.set(NUMBER, n)
        self.add(a.ident, kind, n)
        return n

    # -- walking -----------------------------------------------------------------------------------
    def blocks(self, blocks: list[dict]) -> list[dict]:
        for b in blocks:
            t, ident = b["t"], P.ident(b)
            if t == "Header":
                self.header(b)
            elif t in ("Div", "Figure") and ident.startswith("fig-"):
                self.figure(b)
                continue
            elif t in ("Div", "Table") and ident.startswith("tbl-"):
                self.number_float(b, "tbl")
                if t == "Table":
                    continue
            elif t in ("Para", "Plain"):
                self.equations(b)
            for children in P.child_blocks(b):
                self.blocks(children)
        return blocks

    def header(self, b: dict) -> None:
        a, title = P.attr(b), P.content(b)
        ident = a.ident
        if P.level(b) == 1 and not self.seen_h1:
            self.seen_h1 = True
            if self.chapter and UNNUMBERED not in a.classes:
                a.set(NUMBER, self.chapter)
                a.set(CHAPTER, "true")
                if ident.startswith("sec-"):
                    self.add(ident, "sec", self.chapter, chapter_level=True, title=title)
            elif ident.startswith("sec-"):
                self.add(ident, "sec", "", unnumbered=True, title=title)
            return
        depth = max(P.level(b) - 1, 1)
        if UNNUMBERED in a.classes or not self.chapter:
            if ident.startswith("sec-"):
                self.add(ident, "sec", P.stringify(title), unnumbered=True, title=title)
            return
        self.sections[depth] += 1
        for k in range(depth + 1, len(self.sections)):
            self.sections[k] = 0
        number = ".".join([self.chapter, *(str(self.sections[k]) for k in range(1, depth + 1))])
        a.set(NUMBER, number)
        if ident.startswith("sec-"):
            self.add(ident, "sec", number, title=title)

    def figure(self, b: dict) -> None:
        """A figure, its sub-figures lettered (a), (b), ... and the equations beside them."""
        n = self.number_float(b, "fig")
        letters = iter("abcdefghijklmnopqrstuvwxyz")
        for sub in P.content(b):
            if sub["t"] in ("Div", "Figure") and P.ident(sub).startswith("fig-"):
                letter = next(letters)
                P.attr(sub).set(SUBNUMBER, letter)
                self.add(P.ident(sub), "fig", f"{n} ({letter})")
            elif sub["t"] in ("Para", "Plain"):
                self.equations(sub)

    def equations(self, para: dict) -> None:
        """Wrap each display equation followed by ``{#eq-x}`` in a numbered Span."""
        inlines = P.content(para)
        out: list[dict] = []
        i = 0
        while i < len(inlines):
            node = inlines[i]
            if P.is_display_math(node):
                j = i + 1
                while j < len(inlines) and inlines[j]["t"] in ("Space", "SoftBreak"):
                    j += 1
                m = _EQ_LABEL.match(P.stringify(inlines[j])) if j < len(inlines) and inlines[j]["t"] == "Str" else None
                if m:
                    n = self.num("eq")
                    self.add(m.group(1), "eq", n)
                    out.append(P.Span(m.group(1), [EQUATION], [[NUMBER, n]], [node]))
                    i = j + 1
                    continue
            out.append(node)
            i += 1
        P.set_content(para, out)


def number(blocks: list[dict], chapter: str | None, page: str, appendix: bool,
           warn: Callable[[str], None]) -> dict[str, Label]:
    numberer = Numberer(chapter, page, appendix, warn)
    numberer.blocks(blocks)
    return numberer.labels


class CrossrefError(Exception):
    """A reference Quarto cannot resolve the way qrender would (message: file:line and why)."""


def resolve(blocks: list[dict], labels: dict[str, Label], link: Callable[[Label], str],
            warn: Callable[[str], None], where: str, from_unnumbered_page: bool = False,
            locate: Callable[[str], str] | None = None) -> list[dict]:
    """Replace crossref citations by links; ``link(label)`` gives the href for a label.

    ``from_unnumbered_page``: the page has no section numbers (the home page), so a reference to
    a section reads as the section's caption, as Quarto writes it there. A reference to an
    unnumbered section is refused: Quarto leaves it unresolved (``?@sec-x``). ``locate(ident)``
    names the ``file:line`` of a reference for that error.
    """

    def fn(node: dict) -> list[dict] | None:
        if node["t"] != "Cite":
            return None
        citations = P.citations(node)
        if not all(is_crossref(c["citationId"]) for c in citations):
            return None
        out: list[dict] = []
        for k, cit in enumerate(citations):
            ident = cit["citationId"]
            if k:
                out += [P.Str(","), P.Space()] if k < len(citations) - 1 else [P.Space(), P.Str("and"), P.Space()]
            out += cit.get("citationPrefix") or []
            if cit.get("citationPrefix"):
                out.append(P.Space())
            label = labels.get(ident)
            if label is None:
                warn(f"{where}: unresolved cross-reference @{ident}")
                out.append(P.Strong([P.Str(f"?@{ident}")]))
                continue
            if label.unnumbered:
                at = locate(ident) if locate else where
                raise CrossrefError(
                    f"{at}: @{ident} refers to an unnumbered section (in {label.page}); Quarto cannot "
                    "resolve a reference to it and prints ?@" + ident + ". Refer to a numbered section "
                    "or chapter, or write a link: [its title](#" + ident + ").")
            suppress = cit.get("citationMode", {}).get("t") == "SuppressAuthor"
            if from_unnumbered_page and label.kind == "sec":
                content = label.caption()
            else:
                content = P.text(label.text(suppress=suppress))
            out.append(P.Link(content, link(label), classes=[XREF]))
            out += cit.get("citationSuffix") or []
        return out

    P.walk_inlines(blocks, fn)
    return blocks
