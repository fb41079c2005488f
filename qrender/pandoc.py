"""Pandoc: the binary from pypandoc_binary, and the helpers that build, read and walk its JSON AST.

The rest of qrender reads and changes the AST only through these helpers, so the layout of
pandoc-types (which field of a node holds its attributes, its children, its URL) is written
down once, here. They are our own rather than panflute's: panflute 2.3.1 (the latest) cannot
load a document that holds raw ``typst`` content (its list of raw formats predates pandoc's
Typst writer), and every Typst wrapper the renderer writes is such content.
"""

from __future__ import annotations

import functools
import json
import re
import subprocess
from collections.abc import Callable
from typing import Any

Node = dict[str, Any]

#: pandoc-types 1.23, the AST of pandoc 3.x (pandoc 3.9 reads every 1.23.* document).
API_VERSION = [1, 23, 1]

#: Markdown as Quarto reads it (pandoc markdown; `$`-math, fenced divs, attributes; smart quotes,
#: so "people's" prints with a typographic apostrophe, as in Quarto).
READER = "markdown+tex_math_dollars+fenced_divs+bracketed_spans+raw_attribute"


@functools.lru_cache(maxsize=1)
def binary() -> str:
    import pypandoc

    return pypandoc.get_pandoc_path()


def run(args: list[str], text: str) -> subprocess.CompletedProcess:
    return subprocess.run([binary(), *args], input=text, capture_output=True, text=True)


def convert(args: list[str], text: str) -> str:
    proc = run(args, text)
    if proc.returncode != 0:
        raise RuntimeError(f"pandoc {' '.join(args)} failed:\n{proc.stderr}")
    return proc.stdout


def document(blocks: list[Node], meta: dict[str, Any] | None = None) -> Node:
    return {"pandoc-api-version": API_VERSION, "meta": meta or {}, "blocks": blocks}


def read_markdown(text: str) -> Node:
    return json.loads(convert(["-f", READER, "-t", "json"], text))


def write(blocks: list[Node], to: str, extra: list[str] | None = None) -> str:
    """``blocks`` written by pandoc's ``to`` writer."""
    return convert(["-f", "json", "-t", to, *(extra or [])], json.dumps(document(blocks)))


# -- constructors ----------------------------------------------------------------------------------
def Str(s: str) -> Node:
    return {"t": "Str", "c": s}


def Space() -> Node:
    return {"t": "Space"}


def text(s: str) -> list[Node]:
    """Inlines of plain text: a Str per word, a Space per blank."""
    out: list[Node] = []
    for i, word in enumerate(s.split(" ")):
        if i:
            out.append(Space())
        if word:
            out.append(Str(word))
    return out


def Strong(inlines: list[Node]) -> Node:
    return {"t": "Strong", "c": inlines}


def Plain(inlines: list[Node]) -> Node:
    return {"t": "Plain", "c": inlines}


def RawBlock(fmt: str, s: str) -> Node:
    return {"t": "RawBlock", "c": [fmt, s]}


def RawInline(fmt: str, s: str) -> Node:
    return {"t": "RawInline", "c": [fmt, s]}


def Span(ident: str, classes: list[str], kv: list[list[str]], inlines: list[Node]) -> Node:
    return {"t": "Span", "c": [[ident, classes, kv], inlines]}


def Div(ident: str, classes: list[str], kv: list[list[str]], blocks: list[Node]) -> Node:
    return {"t": "Div", "c": [[ident, classes, kv], blocks]}


def Link(inlines: list[Node], url: str, ident: str = "", classes: list[str] | None = None) -> Node:
    return {"t": "Link", "c": [[ident, classes or [], []], inlines, [url, ""]]}


def Cite(keys: list[str]) -> Node:
    """``@key1; @key2`` as pandoc reads it (for a ``nocite`` list)."""
    citations = [{"citationId": k, "citationPrefix": [], "citationSuffix": [], "citationMode": {"t": "NormalCitation"},
                  "citationNoteNum": 0, "citationHash": 0} for k in keys]
    return {"t": "Cite", "c": [citations, [Str("@" + k) for k in keys]]}


def meta(value: Any) -> Node:
    """A metadata value: a bool, a string, a list of them, or inlines (a list of nodes)."""
    if isinstance(value, bool):
        return {"t": "MetaBool", "c": value}
    if isinstance(value, str):
        return {"t": "MetaString", "c": value}
    if value and all(isinstance(v, dict) and "t" in v for v in value):
        return {"t": "MetaInlines", "c": value}
    return {"t": "MetaList", "c": [meta(v) for v in value]}


# -- reading and changing nodes --------------------------------------------------------------------
#: Where a node keeps its attributes and its children among its fields ("c").
_ATTR_FIELD = {"Div": 0, "Span": 0, "CodeBlock": 0, "Code": 0, "Figure": 0, "Table": 0, "Link": 0, "Image": 0,
               "Header": 1}
_CHILDREN_FIELD = {"Div": 1, "Span": 1, "Figure": 2, "Header": 2, "Link": 1, "Image": 1, "Quoted": 1, "Cite": 1}
#: Nodes whose fields are their children.
_CONTAINERS = {"Para", "Plain", "BlockQuote", "Emph", "Strong", "Underline", "Strikeout", "SmallCaps",
               "Superscript", "Subscript", "Note"}


class Attr:
    """A node's ``[id, classes, key-values]``, read and changed in place."""

    def __init__(self, fields: list[Any]):
        self.fields = fields

    @property
    def ident(self) -> str:
        return self.fields[0]

    @ident.setter
    def ident(self, value: str) -> None:
        self.fields[0] = value

    @property
    def classes(self) -> list[str]:
        return self.fields[1]

    def get(self, key: str, default: Any = None) -> Any:
        """The value of ``key`` (the last one where a key repeats, as in a dict of the pairs)."""
        return next((v for k, v in reversed(self.fields[2]) if k == key), default)

    def __contains__(self, key: str) -> bool:
        return any(k == key for k, _ in self.fields[2])

    def set(self, key: str, value: str) -> None:
        self.fields[2].append([key, value])

    def drop(self, *keys: str) -> None:
        self.fields[2] = [kv for kv in self.fields[2] if kv[0] not in keys]


def attr(node: Node) -> Attr | None:
    """The attributes of a node that has them, else None."""
    field = _ATTR_FIELD.get(node.get("t"))
    return None if field is None else Attr(node["c"][field])


def ident(node: Node) -> str:
    a = attr(node)
    return a.ident if a else ""


def is_header(node: Node, level: int | None = None) -> bool:
    return node["t"] == "Header" and (level is None or node["c"][0] == level)


def level(header: Node) -> int:
    return header["c"][0]


def content(node: Node) -> list[Node]:
    """The blocks or inlines a node holds (a Div's blocks, a Header's or Link's inlines, ...)."""
    t = node["t"]
    if t in _CONTAINERS:
        return node["c"]
    return node["c"][_CHILDREN_FIELD[t]] if t in _CHILDREN_FIELD else []


def set_content(node: Node, children: list[Node]) -> None:
    if node["t"] in _CONTAINERS:
        node["c"] = children
    else:
        node["c"][_CHILDREN_FIELD[node["t"]]] = children


def child_blocks(node: Node) -> list[list[Node]]:
    """The lists of blocks inside a block (one per list item), changed in place by the caller."""
    t, c = node["t"], node.get("c")
    if t in ("Div", "Figure", "BlockQuote"):
        return [content(node)]
    if t == "BulletList":
        return c
    if t == "OrderedList":
        return c[1]
    if t == "DefinitionList":
        return [d for _, defs in c for d in defs]
    return []


def caption(node: Node) -> list[Node]:
    """A Figure's or Table's caption, as inlines."""
    return [i for b in node["c"][1][1] if b["t"] in ("Para", "Plain") for i in b["c"]]


def drop_caption(node: Node) -> None:
    node["c"][1] = [None, []]


def url(node: Node) -> str:
    """A Link's or Image's target."""
    return node["c"][2][0]


def set_url(node: Node, value: str) -> None:
    node["c"][2][0] = value


def code(node: Node) -> str:
    """The text of a CodeBlock or Code."""
    return node["c"][1]


def raw(node: Node) -> tuple[str, str]:
    """(format, text) of a RawBlock or RawInline."""
    fmt, s = node["c"]
    return fmt, s


def is_display_math(node: Node) -> bool:
    return node["t"] == "Math" and node["c"][0]["t"] == "DisplayMath"


def citations(cite: Node) -> list[dict[str, Any]]:
    return cite["c"][0]


def stringify(x: Any) -> str:
    """The plain text of nodes: words, a space per break, code and TeX as written, no raw content."""
    if isinstance(x, list):
        return "".join(stringify(i) for i in x)
    if not isinstance(x, dict):
        return ""
    t, c = x.get("t"), x.get("c")
    if t == "Str":
        return c
    if t in ("Space", "SoftBreak", "LineBreak"):
        return " "
    if t in ("Code", "Math"):
        return c[1]
    if t == "RawInline":
        return ""
    return stringify(c)


# -- walking ---------------------------------------------------------------------------------------
def walk_blocks(blocks: list[Node], fn: Callable[[Node], list[Node] | None]) -> list[Node]:
    """Bottom-up over blocks (children first). ``fn`` returns None (keep) or replacement blocks."""
    out: list[Node] = []
    for b in blocks:
        for children in child_blocks(b):
            children[:] = walk_blocks(children, fn)
        res = fn(b)
        out.extend([b] if res is None else res)
    return out


def walk_inlines(x: Any, fn: Callable[[Node], list[Node] | None]) -> Any:
    """Apply ``fn`` to every inline (children first) anywhere below ``x``; in place."""
    if isinstance(x, list):
        if x and all(isinstance(i, dict) and i.get("t") in _INLINE_TYPES for i in x):
            out: list[Node] = []
            for i in x:
                walk_inlines(i, fn)
                res = fn(i)
                out.extend([i] if res is None else res)
            x[:] = out
        else:
            for i in x:
                walk_inlines(i, fn)
    elif isinstance(x, dict):
        c = x.get("c")
        if isinstance(c, (list, dict)):
            walk_inlines(c, fn)
    return x


_INLINE_TYPES = {
    "Str", "Emph", "Underline", "Strong", "Strikeout", "Superscript", "Subscript", "SmallCaps",
    "Quoted", "Cite", "Code", "Space", "SoftBreak", "LineBreak", "Math", "RawInline", "Link",
    "Image", "Note", "Span",
}


def slug(s: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", s.lower()).strip("-") or "section"
