"""From a parsed document and its execution results to Quarto markdown with the outputs in it.

Cells become what Quarto writes for them: a ``.cell`` div with the code (unless ``echo:
false``) and the outputs (unless ``output: false``); a cell labelled ``fig-*`` (or with
``fig-cap``) becomes a figure div whose last paragraph is the caption, with one sub-figure per
image when ``fig-subcap`` is given; ``tbl-*`` likewise becomes a table div. Outputs that differ
by format (a DataFrame: HTML table for the web page, pipe table for the PDF) are written into
``content-visible`` divs. Images are written into ``figure_dir`` and referenced by absolute path
(the format writers make them relative to the page).
"""

from __future__ import annotations

import base64
import re
from pathlib import Path
from typing import Any

from qrender.execute import ANSI, Executed, traceback_text
from qrender.qmd import Cell, Document

HTML_FIRST = ["text/html", "text/markdown", "image/svg+xml", "image/png", "image/jpeg", "text/plain"]
PDF_FIRST = ["text/markdown", "image/svg+xml", "image/png", "image/jpeg", "text/latex", "text/plain"]
_EXT = {"image/png": "png", "image/svg+xml": "svg", "image/jpeg": "jpg"}


def fence_for(text: str) -> str:
    longest = max((len(m) for m in re.findall(r"`{3,}", text)), default=2)
    return "`" * max(3, longest + 1)


def code_block(text: str, classes: str, attrs: str = "") -> str:
    f = fence_for(text)
    return f"{f} {{{classes}{(' ' + attrs) if attrs else ''}}}\n{text}\n{f}"


def _quote(value: Any) -> str:
    s = str(value).replace("\\", "\\\\").replace('"', '\\"')
    return f'"{s}"'


def _caption(value: Any) -> str:
    return " ".join(str(value).split())


class Assembler:
    def __init__(self, doc: Document, executed: Executed | None, defaults: dict[str, Any],
                 figure_dir: Path, html_defaults: dict[str, Any], typst_defaults: dict[str, Any] | None = None):
        self.doc = doc
        self.executed = executed
        self.defaults = defaults
        self.figure_dir = figure_dir
        self.html_defaults = html_defaults
        self.typst_defaults = typst_defaults or {}

    def _echo(self, cell: Cell, format_defaults: dict[str, Any]) -> Any:
        """A cell's ``echo`` in one format, as Quarto resolves it when it executes that format:
        the cell's option, else the format's (``format: typst: echo: false``), else ``execute:``."""
        if "echo" in cell.options:
            return cell.options["echo"]
        if "echo" in format_defaults:
            return format_defaults["echo"]
        return self.defaults.get("echo", True)

    def markdown(self) -> str:
        chunks: list[str] = []
        title = self.doc.meta.get("title")
        if title and not self._starts_with_h1():
            classes = " .unnumbered" if self.doc.meta.get("number-sections") is False else ""
            chunks.append(f"# {title} {{{classes.strip()}}}" if classes else f"# {title}")
        for part in self.doc.parts:
            if isinstance(part, Cell):
                chunks.append(self.cell(part))
            else:
                text = part.text
                if part.inlines:
                    for inline in part.inlines:
                        value = (self.executed.inlines.get(inline.key, "?") if self.executed
                                 else f"`{inline.expr}`")
                        text = text.replace(inline.key, value)
                chunks.append(text)
        return "\n\n".join(chunks) + "\n"

    def _starts_with_h1(self) -> bool:
        for part in self.doc.parts:
            if isinstance(part, Cell):
                continue
            for line in part.text.split("\n"):
                if line.strip():
                    return line.startswith("# ")
        return False

    # -- cells ---------------------------------------------------------------------------------
    def cell(self, cell: Cell) -> str:
        opts = {**self.defaults, **cell.options}
        if opts.get("include") is False:
            return ""
        label = str(opts.get("label") or "")
        pieces: list[str] = []
        echoed = [fmt for fmt, defaults in (("html", self.html_defaults), ("typst", self.typst_defaults))
                  if self._echo(cell, defaults) not in (False, "fenced")]
        if echoed and cell.source.strip():
            attrs = []
            fold = opts.get("code-fold", self.html_defaults.get("code-fold"))
            if fold not in (None, False, "false"):
                attrs.append(f"code-fold={_quote(str(fold).lower())}")
                summary = opts.get("code-summary", self.html_defaults.get("code-summary", "Code"))
                attrs.append(f"code-summary={_quote(summary)}")
            block = code_block(cell.source, f".{cell.language} .cell-code", " ".join(attrs))
            if len(echoed) == 1:  # per-format echo: Quarto executes each format with its own options
                block = f'::: {{.content-visible when-format="{echoed[0]}"}}\n{block}\n:::'
            pieces.append(block)
        outputs = self.executed.outputs_for(cell) if self.executed else None
        if outputs is None and opts.get("eval", True):
            note = "::: {.cell-output .cell-output-stale}\n*(not executed yet: run `make report`)*\n:::"
            if label.startswith(("fig-", "tbl-")):  # keep the label, so references still resolve
                cap = _caption(opts.get("fig-cap" if label.startswith("fig-") else "tbl-cap", ""))
                note = f":::: {{#{label}}}\n{note}\n\n{cap or '(caption)'}\n::::"
            pieces.append(note)
        if opts.get("output", True) is not False and outputs:
            pieces.extend(self.outputs(cell, opts, label, outputs))
        if not pieces:
            return ""
        ident = f"#{label} " if label and not label.startswith(("fig-", "tbl-")) else ""
        inner = "\n\n".join(pieces)
        return f"::::: {{{ident}.cell}}\n{inner}\n:::::"

    def outputs(self, cell: Cell, opts: dict[str, Any], label: str, outputs: list[dict]) -> list[str]:
        asis = opts.get("output") == "asis"
        is_fig = label.startswith("fig-") or ("fig-cap" in opts and not label.startswith("tbl-"))
        is_tbl = label.startswith("tbl-") or ("tbl-cap" in opts and not is_fig)
        plain: list[str] = []  # outputs shown as they are
        images: list[str] = []  # image markdown for a figure
        tables: list[str] = []
        n_image = 0
        seen_images: set[str] = set()
        for k, out in enumerate(outputs):
            kind = out.get("output_type")
            if kind == "stream":
                body = ANSI.sub("", out.get("text", ""))
                if opts.get("warning") is False and out.get("name") == "stderr":
                    continue
                if asis and out.get("name") == "stdout":
                    plain.append(body)
                elif body.strip():
                    plain.append(self._output_block(body.rstrip("\n"), f"cell-output-{out.get('name', 'stdout')}"))
            elif kind == "error":
                plain.append(self._output_block(traceback_text(out), "cell-output-error"))
            elif kind in ("display_data", "execute_result"):
                data = out.get("data", {})
                if kind == "execute_result" and _discardable_text(data):
                    continue
                image = next((m for m in ("image/svg+xml", "image/png", "image/jpeg") if m in data), None)
                if image and not ({"text/html", "text/markdown"} & set(data)):
                    payload = _join(data[image])
                    if payload in seen_images:  # a Figure returned as the cell's value is also flushed
                        continue
                    seen_images.add(payload)
                    n_image += 1
                    path = self._save_image(cell, k, image, data[image])
                    alt = opts.get("fig-alt", "")
                    if isinstance(alt, list):
                        alt = alt[min(n_image - 1, len(alt) - 1)] if alt else ""
                    alt_attr = f" fig-alt={_quote(alt)}" if alt else ""
                    md = f"![](<{path}>){{{alt_attr.strip()}}}" if alt_attr else f"![](<{path}>)"
                    (images if is_fig else plain).append(md)
                    continue
                rendered = self._rich(data, asis)
                (tables if is_tbl and ("text/html" in data or "text/markdown" in data) else plain).append(rendered)
        pieces = [p for p in plain if p is not None]
        if is_fig and images:
            pieces.append(self._figure(label, opts, images))
        if is_tbl and tables:
            caption = _caption(opts.get("tbl-cap", ""))
            ident = f"#{label} " if label.startswith("tbl-") else ""
            body = "\n\n".join(tables)
            pieces.append(f":::: {{{ident}.cell-table}}\n{body}\n\n{caption}\n::::" if caption else body)
        return pieces

    def _figure(self, label: str, opts: dict[str, Any], images: list[str]) -> str:
        caption = _caption(opts.get("fig-cap", ""))
        subcaps = opts.get("fig-subcap")
        ncol = opts.get("layout-ncol")
        layout = f' layout-ncol="{ncol}"' if ncol else ""
        ident = f"#{label}" if label.startswith("fig-") else ""
        if isinstance(subcaps, list) or (subcaps is True and len(images) > 1):
            subs = []
            for i, img in enumerate(images, start=1):
                sub = subcaps[i - 1] if isinstance(subcaps, list) and i <= len(subcaps) else ""
                sub_id = f"#{label}-{i}" if ident else ""
                subs.append(f"::: {{{sub_id}}}\n{img}\n\n{_caption(sub)}\n:::")
            body = "\n\n".join(subs)
        else:
            body = "\n\n".join(images)
        return f":::: {{{ident}{layout} .cell-figure}}\n{body}\n\n{caption}\n::::"

    def _rich(self, data: dict[str, Any], asis: bool) -> str:
        html = _pick(data, HTML_FIRST)
        pdf = _pick(data, PDF_FIRST)
        if asis:
            text = _join(data.get("text/markdown") or data.get("text/plain") or "")
            return text
        if html == pdf:
            return self._render_mime(html, data)
        return (
            f"::::: {{.content-visible when-format=\"html\"}}\n{self._render_mime(html, data)}\n:::::\n\n"
            f"::::: {{.content-visible unless-format=\"html\"}}\n{self._render_mime(pdf, data)}\n:::::"
        )

    def _render_mime(self, mime: str | None, data: dict[str, Any]) -> str:
        if mime is None:
            return ""
        value = _join(data[mime])
        if mime == "text/html":
            f = fence_for(value)
            return f"::: {{.cell-output .cell-output-display}}\n{f}{{=html}}\n{value}\n{f}\n:::"
        if mime == "text/markdown":
            return f"::: {{.cell-output .cell-output-display}}\n{value}\n:::"
        if mime == "text/latex":
            return f"::: {{.cell-output .cell-output-display}}\n{value}\n:::"
        return self._output_block(value, "cell-output-display")

    def _output_block(self, text: str, cls: str) -> str:
        return f"::: {{.cell-output .{cls}}}\n{code_block(text, '.output')}\n:::"

    def _save_image(self, cell: Cell, k: int, mime: str, payload: Any) -> Path:
        self.figure_dir.mkdir(parents=True, exist_ok=True)
        name = f"cell-{cell.index + 1}-output-{k + 1}.{_EXT[mime]}"
        path = self.figure_dir / name
        raw = _join(payload).encode() if mime == "image/svg+xml" else base64.b64decode(_join(payload))
        if not path.exists() or path.read_bytes() != raw:
            path.write_bytes(raw)
        return path


def _pick(data: dict[str, Any], order: list[str]) -> str | None:
    return next((m for m in order if m in data), None)


def _join(value: Any) -> str:
    return "".join(value) if isinstance(value, list) else str(value)


def _discardable_text(data: dict[str, Any]) -> bool:
    """A cell value that is only the text repr of plot objects (``[<matplotlib.lines.Line2D ...>]``
    after ``ax.plot(...)``): Quarto drops it (``isDiscadableTextExecuteResult`` in quarto-cli's
    jupyter.ts), so the figure is not followed by that line."""
    text = _join(data.get("text/plain", "")) if set(data) == {"text/plain"} else ""
    return text.startswith(("[<matplotlib", "<seaborn.", "<ggplot:"))
