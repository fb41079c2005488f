"""Turning a numbered chapter AST into what the HTML or Typst writer of pandoc should see.

Quarto constructs (figure/table divs, labelled equations, callouts, folded code, conditional
content, section numbers) are rewritten into raw HTML/Typst wrappers around ordinary pandoc
blocks, so pandoc still converts every paragraph, formula and code block itself.
"""

from __future__ import annotations

import html
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from qrender import pandoc as P

CALLOUTS = {"note": "Note", "tip": "Tip", "warning": "Warning", "important": "Important", "caution": "Caution"}


@dataclass
class Context:
    fmt: str  # "html" or "typst"
    page: str  # html page of the chapter, relative to the output dir
    out_dir: Path
    root: Path
    doc_dir: Path
    slug: str  # unique per chapter; prefixes ids in the single Typst document
    appendix: bool = False
    code_fold_default: object = None
    chapter_pages: dict[str, str] = field(default_factory=dict)  # "report/x.qmd" -> "report/x.html"
    chapter_anchor: dict[str, str] = field(default_factory=dict)  # page -> id of its h1 (typst)
    warn: Callable[[str], None] = print

    def raw(self, s: str) -> dict:
        return P.RawBlock(self.fmt, s)

    def rawi(self, s: str) -> dict:
        return P.RawInline(self.fmt, s)


def _esc_typst_str(s: str) -> str:
    return s.replace("\\", "\\\\").replace('"', '\\"')


def matches_format(fmt: str, wanted: str) -> bool:
    names = {fmt}
    if fmt == "typst":
        names |= {"pdf", "typst"}
    return any(w.strip() in names for w in wanted.split(","))


def transform(blocks: list[dict], ctx: Context) -> list[dict]:
    blocks = P.walk_blocks(blocks, lambda b: _conditional(b, ctx))
    blocks = _blocks(blocks, ctx)
    P.walk_inlines(blocks, lambda i: _inline(i, ctx))
    return blocks


def _conditional(b: dict, ctx: Context) -> list[dict] | None:
    if b["t"] != "Div":
        return None
    ident, classes, kv = b["c"][0]
    if "content-visible" not in classes and "content-hidden" not in classes:
        return None
    opts = dict(kv)
    when, unless = opts.get("when-format"), opts.get("unless-format")
    visible = True
    if when is not None:
        visible = matches_format(ctx.fmt, when)
    if unless is not None:
        visible = visible and not matches_format(ctx.fmt, unless)
    if "content-hidden" in classes and (when is not None or unless is not None):
        visible = not visible
    return b["c"][1] if visible else []


def _blocks(blocks: list[dict], ctx: Context) -> list[dict]:
    out: list[dict] = []
    for b in blocks:
        out.extend(_block(b, ctx))
    return out


def _block(b: dict, ctx: Context) -> list[dict]:
    t = b["t"]
    a = P.attr(b)
    kv = dict(a[2]) if a else {}
    if t == "Div" and a[0].startswith("fig-") and "data-number" in kv:
        return _figure(b["c"][1], a, kv, ctx)
    if t == "Figure" and a[0].startswith("fig-") and "data-number" in kv:
        caption = _caption_inlines(b["c"][1])
        return _figure_parts(b["c"][2], caption, a, kv, ctx)
    if t == "Div" and a[0].startswith("tbl-") and "data-number" in kv:
        content, caption = _split_caption(b["c"][1])
        return _table(_blocks(content, ctx), caption, a, kv, ctx)
    if t == "Table" and a[0].startswith("tbl-") and "data-number" in kv:
        caption = _caption_inlines(b["c"][1])
        b["c"][1] = [None, []]
        ident = a[0]
        a[0] = ""
        a[2] = [p for p in a[2] if p[0] != "data-number"]
        return _table([b], caption, [ident, [], []], kv, ctx)
    if t == "Div" and any(c.startswith("callout-") for c in a[1]):
        return _callout(b, ctx)
    if t == "Header":
        return [_header(b, ctx)]
    if t == "CodeBlock":
        return _code(b, kv, ctx)
    if t == "Div":
        if ctx.fmt == "typst" and a[0]:
            a[0] = f"{ctx.slug}--{a[0]}"
        b["c"][1] = _blocks(b["c"][1], ctx)
        if ctx.fmt == "typst":
            return b["c"][1] if not a[0] else [b]
        return [b]
    if t == "BlockQuote":
        b["c"] = _blocks(b["c"], ctx)
    elif t == "BulletList":
        b["c"] = [_blocks(item, ctx) for item in b["c"]]
    elif t == "OrderedList":
        b["c"][1] = [_blocks(item, ctx) for item in b["c"][1]]
    elif t == "Figure":
        b["c"][2] = _blocks(b["c"][2], ctx)
    elif t in ("Para", "Plain"):
        b["c"] = _equations(b["c"], ctx)
    return [b]


# -- captions ---------------------------------------------------------------------------------------
def _caption_inlines(caption: list) -> list[dict]:
    blocks = caption[1] if caption else []
    out: list[dict] = []
    for blk in blocks:
        if blk["t"] in ("Para", "Plain"):
            out.extend(blk["c"])
    return out


def _is_image_para(b: dict) -> bool:
    if b["t"] not in ("Para", "Plain"):
        return False
    items = [i for i in b["c"] if i["t"] not in ("Space", "SoftBreak")]
    return bool(items) and all(i["t"] == "Image" for i in items)


def _split_caption(blocks: list[dict]) -> tuple[list[dict], list[dict]]:
    """Quarto: the last paragraph of a figure/table div is its caption."""
    if len(blocks) >= 2 and blocks[-1]["t"] in ("Para", "Plain") and not _is_image_para(blocks[-1]):
        return blocks[:-1], blocks[-1]["c"]
    return blocks, []


# -- figures ---------------------------------------------------------------------------------------
def _figure(content: list[dict], a: list, kv: dict, ctx: Context) -> list[dict]:
    content, caption = _split_caption(content)
    return _figure_parts(content, caption, a, kv, ctx)


def _figure_parts(content: list[dict], caption: list[dict], a: list, kv: dict, ctx: Context) -> list[dict]:
    ident, number = a[0], kv["data-number"]
    subs = [b for b in content if b["t"] in ("Div", "Figure") and P.attr(b) and "data-subnumber" in dict(P.attr(b)[2])]
    ncol = kv.get("layout-ncol") or (str(len(subs)) if subs else None)
    items = [_subfigure(b, ctx) if b in subs else _blocks([b], ctx) for b in content]
    label = [*P.text(f"Figure {number}"), P.Str(":"), P.Space(), *caption] if caption else P.text(f"Figure {number}")
    if ctx.fmt == "html":
        out = [ctx.raw(f'<div id="{ident}" class="quarto-float quarto-figure">\n<figure class="figure">')]
        if ncol:
            out.append(ctx.raw(f'<div class="quarto-layout" style="grid-template-columns: repeat({int(ncol)}, minmax(0, 1fr));">'))
        for item in items:
            out.extend(item)
        if ncol:
            out.append(ctx.raw("</div>"))
        out += [ctx.raw('<figcaption class="figure-caption">'), P.Plain(label), ctx.raw("</figcaption>\n</figure>\n</div>")]
        return out
    _image_width(items, "100%" if ncol else "85%", ctx.doc_dir)
    out = [ctx.raw("#figure(kind: image, supplement: none, numbering: none, caption: [")]
    out += [P.Plain(label), ctx.raw("])[")]
    if ncol:
        out.append(ctx.raw(f"#grid(columns: {int(ncol)}, gutter: 1em, align: center + bottom,"))
        for item in items:
            out += [ctx.raw("[")] + item + [ctx.raw("],")]
        out.append(ctx.raw(")"))
    else:
        for item in items:
            out.extend(item)
    out.append(ctx.raw(f"] <{ident}>"))
    return out


def _subfigure(b: dict, ctx: Context) -> list[dict]:
    a = P.attr(b)
    letter = dict(a[2])["data-subnumber"]
    if b["t"] == "Figure":
        content, caption = b["c"][2], _caption_inlines(b["c"][1])
    else:
        content, caption = _split_caption(b["c"][1])
    content = _blocks(content, ctx)
    label = [P.Str(f"({letter})"), P.Space(), *caption]
    if ctx.fmt == "html":
        return [ctx.raw(f'<div id="{a[0]}" class="quarto-subfloat">\n<figure class="figure">'), *content,
                ctx.raw('<figcaption class="subfigure-caption">'), P.Plain(label),
                ctx.raw("</figcaption>\n</figure>\n</div>")]
    return [ctx.raw('#figure(kind: "subfigure", supplement: none, numbering: none, caption: ['), P.Plain(label),
            ctx.raw("])["), *content, ctx.raw(f"] <{a[0]}>")]


def png_inches(path: Path) -> float | None:
    """Physical width of a PNG from its pHYs chunk (matplotlib writes the figure's dpi there)."""
    import struct

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


def _image_width(items: list[list[dict]], width: str, base: Path | None = None, text_width_in: float = 6.3) -> None:
    """Typst: size images like the figure was made (its inches), at most ``width`` of the line."""
    def fn(node: dict) -> None:
        if node["t"] == "Image":
            kv = node["c"][0][2]
            if not any(k in ("width", "height") for k, _ in kv):
                size = width
                url = node["c"][2][0]
                inches = png_inches(Path(url) if Path(url).is_absolute() else base / url) if base else None
                if inches and width == "85%":
                    size = f"{min(100.0, 100.0 * inches / text_width_in):.0f}%"
                kv.append(["width", size])
        return None

    for item in items:
        P.walk_inlines(item, fn)


# -- tables ----------------------------------------------------------------------------------------
def _table(content: list[dict], caption: list[dict], a: list, kv: dict, ctx: Context) -> list[dict]:
    ident, number = a[0], kv["data-number"]
    label = [*P.text(f"Table {number}"), P.Str(":"), P.Space(), *caption] if caption else P.text(f"Table {number}")
    if ctx.fmt == "html":
        return [ctx.raw(f'<div id="{ident}" class="quarto-float quarto-table">\n<figure class="figure">'),
                ctx.raw('<figcaption class="table-caption">'), P.Plain(label), ctx.raw("</figcaption>"),
                *content, ctx.raw("</figure>\n</div>")]
    return [ctx.raw("#figure(kind: table, supplement: none, numbering: none, caption: figure.caption(position: top)["),
            P.Plain(label), ctx.raw("])["), *content, ctx.raw(f"] <{ident}>")]


# -- equations -------------------------------------------------------------------------------------
def _equations(inlines: list[dict], ctx: Context) -> list[dict]:
    out: list[dict] = []
    for node in inlines:
        if node["t"] == "Span" and "quarto-equation" in node["c"][0][1]:
            ident = node["c"][0][0]
            number = dict(node["c"][0][2]).get("data-number", "")
            math = node["c"][1]
            if ctx.fmt == "html":
                out += [ctx.rawi(f'<span id="{ident}" class="quarto-equation">'), *math,
                        ctx.rawi(f'<span class="equation-number">({number})</span></span>')]
            else:
                out += [ctx.rawi("#grid(columns: (1fr, auto), align: (center + horizon, right + horizon), ["),
                        *math, ctx.rawi(f"], [({number})]) <{ident}>")]
        else:
            out.append(node)
    return out


# -- headers, callouts, code ------------------------------------------------------------------------
def _header(b: dict, ctx: Context) -> dict:
    level, a, inlines = b["c"]
    kv = dict(a[2])
    number = kv.get("data-number")
    if ctx.fmt == "typst" and a[0] and not a[0].startswith("sec-"):
        a[0] = f"{ctx.slug}--{a[0]}"
    if number:
        if ctx.fmt == "html":
            cls = "chapter-number" if kv.get("data-chapter") else "header-section-number"
            shown = f"Appendix {number}" if (kv.get("data-chapter") and ctx.appendix) else number
            sep = "— " if (kv.get("data-chapter") and ctx.appendix) else " "
            b["c"][2] = [ctx.rawi(f'<span class="{cls}">{shown}</span>{sep}'),
                         P.Span("", ["chapter-title"] if kv.get("data-chapter") else [], [], inlines)]
        else:
            fn = "chapnum" if kv.get("data-chapter") else "secnum"
            kicker = "Appendix" if ctx.appendix else "Chapter"
            arg = f'"{number}", "{kicker}"' if fn == "chapnum" else f'"{number}"'
            b["c"][2] = [ctx.rawi(f"#{fn}({arg})"), *inlines]
    elif ctx.fmt == "typst" and level == 1:
        if "unnumbered" not in a[1]:
            a[1].append("unnumbered")
    return b


def _callout(b: dict, ctx: Context) -> list[dict]:
    a = b["c"][0]
    kind = next(c.split("-", 1)[1] for c in a[1] if c.startswith("callout-"))
    kv = dict(a[2])
    body = b["c"][1]
    if "title" in kv:
        title = P.text(kv["title"])
    elif body and body[0]["t"] == "Header":
        title, body = body[0]["c"][2], body[1:]
    else:
        title = P.text(CALLOUTS.get(kind, kind.title()))
    body = _blocks(body, ctx)
    if ctx.fmt == "html":
        ident = f' id="{a[0]}"' if a[0] else ""
        return [ctx.raw(f'<div{ident} class="callout callout-{kind}">\n<div class="callout-header">'
                        f'<span class="callout-icon" aria-hidden="true"></span><span class="callout-title">'),
                P.Plain(title), ctx.raw('</span></div>\n<div class="callout-body">'), *body, ctx.raw("</div>\n</div>")]
    return [ctx.raw(f'#callout(kind: "{kind}", title: ['), P.Plain(title), ctx.raw("])["), *body, ctx.raw("]")]


def _code(b: dict, kv: dict, ctx: Context) -> list[dict]:
    a = b["c"][0]
    fold = kv.get("code-fold")
    a[2] = [p for p in a[2] if p[0] not in ("code-fold", "code-summary")]
    if ctx.fmt == "html" and fold not in (None, "false", "none"):
        summary = html.escape(kv.get("code-summary", "Code"))
        opened = " open" if fold == "show" else ""
        return [ctx.raw(f'<details class="code-fold"{opened}>\n<summary>{summary}</summary>'), b, ctx.raw("</details>")]
    if ctx.fmt == "typst" and a[0]:
        a[0] = ""
    return [b]


# -- inlines: images, links --------------------------------------------------------------------------
def _inline(node: dict, ctx: Context) -> list[dict] | None:
    t = node["t"]
    if t == "Image":
        _image(node, ctx)
    elif t == "Link":
        _link(node, ctx)
    elif t == "Span" and ctx.fmt == "typst" and node["c"][0][0]:
        node["c"][0][0] = f"{ctx.slug}--{node['c'][0][0]}"
    return None


def _image(node: dict, ctx: Context) -> None:
    a, desc, (url, title) = node["c"]
    kv = dict(a[2])
    if "fig-alt" in kv:
        node["c"][1] = P.text(kv["fig-alt"])
        a[2] = [p for p in a[2] if p[0] != "fig-alt"]
    if url.startswith(("http://", "https://", "data:", "//")):
        ctx.warn(f"{ctx.page}: image {url} is not local; the page will request it from outside")
        return
    src = Path(url)
    if not src.is_absolute():
        src = ctx.root / url.lstrip("/") if url.startswith("/") else ctx.doc_dir / url
    elif not src.exists() and (ctx.root / url.lstrip("/")).exists():
        src = ctx.root / url.lstrip("/")
    src = src.resolve()
    if not src.exists():
        ctx.warn(f"{ctx.page}: image {url} not found")
        return
    out = ctx.out_dir.resolve()
    if out in src.parents:
        dest = src
    else:
        try:
            rel = src.relative_to(ctx.root)
        except ValueError:
            rel = Path("_resources") / src.name
        dest = out / rel
        if not dest.exists() or dest.stat().st_mtime < src.stat().st_mtime:
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest)
    if ctx.fmt == "html":
        page_dir = (out / ctx.page).parent
        node["c"][2][0] = os.path.relpath(dest, page_dir).replace(os.sep, "/")
    else:
        node["c"][2][0] = dest.relative_to(out).as_posix()


def _link(node: dict, ctx: Context) -> None:
    url = node["c"][2][0]
    if url.startswith(("http://", "https://", "mailto:")) or "quarto-xref" in node["c"][0][1]:
        return
    path, _, frag = url.partition("#")
    if path.endswith((".qmd", ".md", ".ipynb")):
        page = _page_for(path, ctx)
        if page is None:
            return
        if ctx.fmt == "html":
            page_dir = (ctx.out_dir / ctx.page).parent
            href = os.path.relpath(ctx.out_dir / page, page_dir).replace(os.sep, "/")
            node["c"][2][0] = href + (f"#{frag}" if frag else "")
        else:
            node["c"][2][0] = f"#{frag}" if frag.startswith(("sec-", "fig-", "tbl-", "eq-")) else \
                f"#{ctx.chapter_anchor.get(page, '')}"
    elif ctx.fmt == "typst" and url.startswith("#") and not url[1:].startswith(("sec-", "fig-", "tbl-", "eq-")):
        node["c"][2][0] = f"#{ctx.slug}--{url[1:]}"


def _page_for(path: str, ctx: Context) -> str | None:
    doc_rel = (ctx.doc_dir / path).resolve()
    for src, page in ctx.chapter_pages.items():
        if (ctx.root / src).resolve() == doc_rel or Path(src).name == Path(path).name:
            return page
    return None
