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
_EQ_LABEL = re.compile(r"^\{#(eq-[\w:.-]+)\}$")


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
        (quarto-cli src/project/types/book/book-crossrefs.ts, formatCrossref, and
        book-chapters.ts, formatChapterTitle)."""
        if self.chapter_level and self.appendix:
            return [*P.text(f"Appendix {self.number} —"), P.Space(), *self.title]
        if self.chapter_level:
            return [P.Str(f"{self.number}\u00a0"), P.Space(), *self.title]
        return list(self.title)

    def text(self, capital: bool = True, suppress: bool = False) -> str:
        if suppress:
            return self.number
        if self.kind == "sec" and self.chapter_level:
            word = "Appendix" if self.appendix else "Chapter"
        else:
            word = KINDS[self.kind]
        return f"{word if capital else word.lower()} {self.number}"


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

    # -- walking -----------------------------------------------------------------------------------
    def run(self, blocks: list[dict]) -> list[dict]:
        return self.blocks(blocks)

    def blocks(self, blocks: list[dict]) -> list[dict]:
        for b in blocks:
            t = b["t"]
            if t == "Header":
                self.header(b)
            elif t == "Div" and b["c"][0][0].startswith("fig-"):
                self.figure_div(b)
                continue
            elif t == "Figure" and b["c"][0][0].startswith("fig-"):
                n = self.num("fig")
                b["c"][0][2].append(["data-number", n])
                self.add(b["c"][0][0], "fig", n)
                continue
            elif t == "Div" and b["c"][0][0].startswith("tbl-"):
                n = self.num("tbl")
                b["c"][0][2].append(["data-number", n])
                self.add(b["c"][0][0], "tbl", n)
            elif t == "Table" and b["c"][0][0].startswith("tbl-"):
                n = self.num("tbl")
                b["c"][0][2].append(["data-number", n])
                self.add(b["c"][0][0], "tbl", n)
                continue
            if t in ("Para", "Plain"):
                b["c"] = self.equations(b["c"])
            self._children(b)
        return blocks

    def _children(self, b: dict) -> None:
        t, c = b["t"], b.get("c")
        if t == "Div":
            self.blocks(c[1])
        elif t == "BlockQuote":
            self.blocks(c)
        elif t == "BulletList":
            for item in c:
                self.blocks(item)
        elif t == "OrderedList":
            for item in c[1]:
                self.blocks(item)

    def header(self, b: dict) -> None:
        level, attr, inlines = b["c"]
        ident, classes, _ = attr
        if level == 1 and not self.seen_h1:
            self.seen_h1 = True
            if self.chapter and "unnumbered" not in classes:
                attr[2].append(["data-number", self.chapter])
                attr[2].append(["data-chapter", "true"])
                if ident.startswith("sec-"):
                    self.add(ident, "sec", self.chapter, chapter_level=True, title=inlines)
            elif ident.startswith("sec-"):
                self.add(ident, "sec", "", unnumbered=True, title=inlines)
            return
        depth = max(level - 1, 1)
        if "unnumbered" in classes or not self.chapter:
            if ident.startswith("sec-"):
                self.add(ident, "sec", P.stringify(inlines), unnumbered=True, title=inlines)
            return
        self.sections[depth] += 1
        for k in range(depth + 1, len(self.sections)):
            self.sections[k] = 0
        number = ".".join([self.chapter, *(str(self.sections[k]) for k in range(1, depth + 1))])
        attr[2].append(["data-number", number])
        if ident.startswith("sec-"):
            self.add(ident, "sec", number, title=inlines)

    def figure_div(self, b: dict) -> None:
        ident = b["c"][0][0]
        n = self.num("fig")
        b["c"][0][2].append(["data-number", n])
        self.add(ident, "fig", n)
        letters = iter("abcdefghijklmnopqrstuvwxyz")
        for sub in b["c"][1]:
            sub_attr = P.attr(sub)
            if sub["t"] in ("Div", "Figure") and sub_attr and sub_attr[0].startswith("fig-"):
                letter = next(letters)
                sub_attr[2].append(["data-subnumber", letter])
                self.add(sub_attr[0], "fig", f"{n} ({letter})")
        self._children_eq(b["c"][1])

    def _children_eq(self, blocks: list[dict]) -> None:
        for b in blocks:
            if b["t"] in ("Para", "Plain"):
                b["c"] = self.equations(b["c"])

    def equations(self, inlines: list[dict]) -> list[dict]:
        out: list[dict] = []
        i = 0
        while i < len(inlines):
            node = inlines[i]
            if node["t"] == "Math" and node["c"][0]["t"] == "DisplayMath":
                j = i + 1
                while j < len(inlines) and inlines[j]["t"] in ("Space", "SoftBreak"):
                    j += 1
                m = _EQ_LABEL.match(inlines[j]["c"]) if j < len(inlines) and inlines[j]["t"] == "Str" else None
                if m:
                    n = self.num("eq")
                    self.add(m.group(1), "eq", n)
                    out.append(P.Span(m.group(1), ["quarto-equation"], [["data-number", n]], [node]))
                    i = j + 1
                    continue
            out.append(node)
            i += 1
        return out


def number(blocks: list[dict], chapter: str | None, page: str, appendix: bool,
           warn: Callable[[str], None]) -> dict[str, Label]:
    numberer = Numberer(chapter, page, appendix, warn)
    numberer.run(blocks)
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
        citations = node["c"][0]
        ids = [c["citationId"] for c in citations]
        if not all(i.split("-", 1)[0] in KINDS for i in ids):
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
                out.append({"t": "Strong", "c": [P.Str(f"?@{ident}")]})
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
            out.append(P.Link(content, link(label), classes=["quarto-xref"]))
            out += cit.get("citationSuffix") or []
        return out

    P.walk_inlines(blocks, fn)
    return blocks
