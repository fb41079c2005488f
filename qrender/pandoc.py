"""Pandoc: the binary from pypandoc_binary, and small helpers to build and walk its JSON AST."""

from __future__ import annotations

import functools
import json
import re
import subprocess
from collections.abc import Callable
from typing import Any

Node = dict[str, Any]

#: Markdown as Quarto reads it (pandoc markdown; `$`-math, fenced divs, attributes).
READER = "markdown+tex_math_dollars+fenced_divs+bracketed_spans+raw_attribute-smart"


@functools.lru_cache(maxsize=1)
def binary() -> str:
    import pypandoc

    return pypandoc.get_pandoc_path()


def run(args: list[str], text: str) -> str:
    proc = subprocess.run([binary(), *args], input=text, capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"pandoc {' '.join(args)} failed:\n{proc.stderr}")
    return proc.stdout


def read_markdown(text: str) -> Node:
    return json.loads(run(["-f", READER, "-t", "json"], text))


def write(doc: Node, to: str, extra: list[str] | None = None) -> str:
    return run(["-f", "json", "-t", to, *(extra or [])], json.dumps(doc))


# -- constructors --------------------------------------------------------------------------------
def Str(s: str) -> Node:
    return {"t": "Str", "c": s}


def Space() -> Node:
    return {"t": "Space"}


def text(s: str) -> list[Node]:
    out: list[Node] = []
    for i, word in enumerate(s.split(" ")):
        if i:
            out.append(Space())
        if word:
            out.append(Str(word))
    return out


def Para(inlines: list[Node]) -> Node:
    return {"t": "Para", "c": inlines}


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


# -- accessors -----------------------------------------------------------------------------------
def attr(node: Node) -> list[Any] | None:
    """The [id, classes, key-values] of a node that has attributes, else None."""
    t = node.get("t")
    c = node.get("c")
    if t in ("Div", "Span", "CodeBlock", "Code", "Figure", "Table", "Link", "Image"):
        return c[0]
    if t == "Header":
        return c[1]
    return None


def kv(a: list[Any]) -> dict[str, str]:
    return {k: v for k, v in a[2]}


def stringify(x: Any) -> str:
    if isinstance(x, list):
        return "".join(stringify(i) for i in x)
    if not isinstance(x, dict):
        return ""
    t = x.get("t")
    if t == "Str":
        return x["c"]
    if t in ("Space", "SoftBreak", "LineBreak"):
        return " "
    if t in ("Code", "Math"):
        return x["c"][1]
    if t == "RawInline":
        return ""
    if t in ("Emph", "Strong", "Underline", "Strikeout", "SmallCaps", "Superscript", "Subscript"):
        return stringify(x["c"])
    if t in ("Span", "Link", "Image", "Quoted", "Cite"):
        return stringify(x["c"][1] if t in ("Span", "Link", "Image", "Quoted", "Cite") else x["c"])
    if t in ("Para", "Plain", "Header"):
        return stringify(x["c"] if t != "Header" else x["c"][2])
    if "c" in x:
        return stringify(x["c"])
    return ""


def walk_blocks(blocks: list[Node], fn: Callable[[Node], list[Node] | None]) -> list[Node]:
    """Bottom-up over blocks (children first). ``fn`` returns None (keep) or replacement blocks."""
    out: list[Node] = []
    for b in blocks:
        _descend_blocks(b, fn)
        res = fn(b)
        out.extend([b] if res is None else res)
    return out


def _descend_blocks(b: Node, fn: Callable) -> None:
    t = b.get("t")
    c = b.get("c")
    if t in ("Div",):
        c[1] = walk_blocks(c[1], fn)
    elif t == "BlockQuote":
        b["c"] = walk_blocks(c, fn)
    elif t in ("BulletList",):
        b["c"] = [walk_blocks(item, fn) for item in c]
    elif t == "OrderedList":
        c[1] = [walk_blocks(item, fn) for item in c[1]]
    elif t == "DefinitionList":
        b["c"] = [[term, [walk_blocks(d, fn) for d in defs]] for term, defs in c]
    elif t == "Figure":
        c[2] = walk_blocks(c[2], fn)


def walk_inlines(x: Any, fn: Callable[[Node], list[Node] | None]) -> Any:
    """Apply ``fn`` to every inline (children first) anywhere below ``x``; in place."""
    if isinstance(x, list):
        if x and all(isinstance(i, dict) and _is_inline(i) for i in x):
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


def _is_inline(node: Node) -> bool:
    return node.get("t") in _INLINE_TYPES


def slug(s: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", s.lower()).strip("-") or "section"
