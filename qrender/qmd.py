"""Reading a ``.qmd`` file the way Quarto does: front matter, includes, cells, inline code.

The result is a :class:`Document`: its YAML metadata and a list of parts, each either
markdown text (:class:`Markdown`, with the inline expressions it holds) or an executable
:class:`Cell` (```` ```{python} ```` fence, ``#|`` options). Every part remembers the file and
line it came from, so errors can point at the source even through ``{{< include >}}``.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml


class QmdError(Exception):
    """A problem in a .qmd source, named by file and line."""


@dataclass
class Line:
    text: str
    file: Path
    lineno: int  # 1-based


@dataclass
class Inline:
    """An inline expression `` `{python} expr` ``; ``key`` is its placeholder in the markdown."""

    expr: str
    key: str
    file: Path
    lineno: int


@dataclass
class Markdown:
    text: str
    inlines: list[Inline] = field(default_factory=list)
    file: Path | None = None
    lineno: int = 0


@dataclass
class Cell:
    source: str  # the code without the ``#|`` option lines
    options: dict[str, Any]
    file: Path
    lineno: int  # line of the opening fence
    language: str = "python"
    code_lineno: int = 0  # line of the first line of code (after the options)
    index: int = 0  # position among the document's cells
    option_lines: list[str] = field(default_factory=list)  # the ``#|`` lines, without ``#| ``

    @property
    def label(self) -> str | None:
        return self.options.get("label")


@dataclass
class Document:
    path: Path
    meta: dict[str, Any]
    parts: list[Markdown | Cell]
    sources: list[Path]  # the file and every file it includes
    lines: list[Line] = field(default_factory=list)  # the text with includes expanded, line by line

    @property
    def cells(self) -> list[Cell]:
        return [p for p in self.parts if isinstance(p, Cell)]

    @property
    def inlines(self) -> list[Inline]:
        return [i for p in self.parts if isinstance(p, Markdown) for i in p.inlines]

    def source_hash(self, extra: str = "") -> str:
        """Hash of the text of the document and its includes (the freeze key)."""
        h = hashlib.sha256(extra.encode())
        for src in self.sources:
            h.update(str(src.name).encode() + b"\0" + src.read_bytes() + b"\0")
        return h.hexdigest()[:24]


_INCLUDE = re.compile(r"^\s*\{\{<\s*include\s+(\"[^\"]+\"|'[^']+'|\S+)\s*>\}\}\s*$")
_FENCE = re.compile(r"^(\s*)(`{3,}|~{3,})\s*(.*)$")
_EXEC_INFO = re.compile(r"^\{\s*([A-Za-z][\w-]*)\s*([^}]*)\}\s*$")
_OPTION = re.compile(r"^\s*#\|\s?(.*)$")
_INLINE = re.compile(r"`\{python\}\s+([^`]+?)\s*`")
_FRONT = re.compile(r"\A---[ \t]*\n(.*?\n)(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.S)


def display_path(path: Path | str, root: Path) -> str:
    """``path`` relative to the project ``root`` when it lies inside, for messages."""
    try:
        return str(Path(path).relative_to(root))
    except ValueError:
        return str(path)


def load_yaml(text: str, file: Path | str, first_line: int = 1) -> Any:
    """``yaml.safe_load`` whose errors read ``file:line:column: the parser's message``.

    ``first_line`` is the line of ``file`` where ``text`` starts (front matter starts on line 2).
    """
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise QmdError(yaml_error_message(exc, file, first_line)) from None


def yaml_error_message(exc: yaml.YAMLError, file: Path | str, first_line: int = 1) -> str:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    where = f"{file}:{mark.line + first_line}:{mark.column + 1}" if mark is not None else str(file)
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    context = getattr(exc, "context", None)
    context_mark = getattr(exc, "context_mark", None)
    if context and context_mark is not None:
        problem += f" ({context} that starts on line {context_mark.line + first_line})"
    return f"{where}: invalid YAML: {problem}"


def split_front_matter(text: str, path: Path | str = "<text>") -> tuple[dict[str, Any], str, int]:
    """(metadata, body, number of lines the front matter took)."""
    m = _FRONT.match(text)
    if not m:
        return {}, text, 0
    meta = load_yaml(m.group(1), path, first_line=2) or {}
    if not isinstance(meta, dict):
        raise QmdError(f"{path}:2: the front matter is not a YAML mapping (`key: value` lines)")
    return meta, text[m.end():], m.group(0).count("\n")


def expand_includes(path: Path, root: Path, meta: dict[str, Any], sources: list[Path],
                    _stack: tuple[Path, ...] = ()) -> list[Line]:
    """The lines of ``path`` with every ``{{< include f >}}`` replaced by f's lines.

    Paths are relative to the including file, or to the project ``root`` when they start with
    ``/``. An included file's own front matter is merged into ``meta`` (the includer wins).
    """
    path = path.resolve()
    if path in _stack:
        raise QmdError(f"{path}: circular include ({' -> '.join(p.name for p in _stack)})")
    if not path.exists():
        where = f" (included from {_stack[-1]})" if _stack else ""
        raise QmdError(f"{path}: no such file{where}")
    sources.append(path)
    text = path.read_text(encoding="utf-8")
    file_meta, body, skipped = split_front_matter(text, path)
    if file_meta and _stack:
        # pandoc reads a YAML block anywhere in the text as the page's metadata, while Quarto's
        # book navigation reads only the including file's front matter: two readings of one file.
        raise QmdError(f"{path}:1: an included file has its own front matter ({', '.join(map(str, file_meta))}); "
                       f"Quarto would apply it to the page of {_stack[-1].name} but not to the book's "
                       f"navigation. Move it into the front matter of {_stack[-1].name}.")
    for key, value in file_meta.items():
        meta.setdefault(key, value)
    lines: list[Line] = []
    in_fence: str | None = None
    for n, raw in enumerate(body.split("\n"), start=skipped + 1):
        fence = _FENCE.match(raw)
        if fence:
            marker = fence.group(2)
            if in_fence is None:
                in_fence = marker
            elif marker.startswith(in_fence[0]) and len(marker) >= len(in_fence) and not fence.group(3).strip():
                in_fence = None
        inc = _INCLUDE.match(raw)
        if inc and in_fence is not None and not fence:
            raise QmdError(f"{path}:{n}: an include shortcode inside a code block: Quarto expands it "
                           "there too. Write {{{< include ... >}}} to show the shortcode itself.")
        if inc:
            name = inc.group(1).strip("\"'")
            target = (root / name.lstrip("/")) if name.startswith("/") else (path.parent / name)
            lines.extend(expand_includes(target, root, meta, sources, _stack + (path,)))
        else:
            lines.append(Line(raw, path, n))
    return lines


def parse(path: Path, root: Path | None = None) -> Document:
    """Read ``path`` into a :class:`Document` (includes expanded, cells split out)."""
    path = Path(path).resolve()
    root = Path(root).resolve() if root else path.parent
    meta: dict[str, Any] = {}
    sources: list[Path] = []
    lines = expand_includes(path, root, meta, sources)
    parts: list[Markdown | Cell] = []
    buf: list[Line] = []
    inline_count = 0

    def flush() -> None:
        nonlocal inline_count
        if not buf:
            return
        out_lines = []
        inlines: list[Inline] = []
        fence: str | None = None
        for ln in buf:
            f = _FENCE.match(ln.text)
            if f:
                if fence is None:
                    fence = f.group(2)
                elif f.group(2).startswith(fence[0]) and len(f.group(2)) >= len(fence) and not f.group(3).strip():
                    fence = None
                out_lines.append(ln.text)
                continue
            if fence is not None:
                out_lines.append(ln.text)
                continue

            def sub(m: re.Match, ln: Line = ln) -> str:
                nonlocal inline_count
                key = f"QRINLINE{inline_count:04d}X"
                inline_count += 1
                inlines.append(Inline(m.group(1).strip(), key, ln.file, ln.lineno))
                return key

            out_lines.append(_INLINE.sub(sub, ln.text))
        parts.append(Markdown("\n".join(out_lines), inlines, buf[0].file, buf[0].lineno))
        buf.clear()

    i = 0
    while i < len(lines):
        ln = lines[i]
        f = _FENCE.match(ln.text)
        info = _EXEC_INFO.match(f.group(3).strip()) if f else None
        if f and info:
            marker = f.group(2)
            body: list[Line] = []
            j = i + 1
            while j < len(lines):
                g = _FENCE.match(lines[j].text)
                if g and g.group(2).startswith(marker[0]) and len(g.group(2)) >= len(marker) and not g.group(3).strip():
                    break
                body.append(lines[j])
                j += 1
            else:
                raise QmdError(f"{ln.file}:{ln.lineno}: code cell is never closed (missing {marker})")
            flush()
            parts.append(_make_cell(info.group(1), info.group(2), body, ln))
            i = j + 1
            continue
        if f:  # a plain fenced block: copy it whole, so nothing inside is taken for a cell
            marker = f.group(2)
            buf.append(ln)
            j = i + 1
            while j < len(lines):
                buf.append(lines[j])
                g = _FENCE.match(lines[j].text)
                if g and g.group(2).startswith(marker[0]) and len(g.group(2)) >= len(marker) and not g.group(3).strip():
                    break
                j += 1
            i = j + 1
            continue
        buf.append(ln)
        i += 1
    flush()
    for n, cell in enumerate(p for p in parts if isinstance(p, Cell)):
        cell.index = n
    return Document(path, meta, parts, sources, lines)


def _make_cell(language: str, attrs: str, body: list[Line], fence: Line) -> Cell:
    option_lines = []
    k = 0
    while k < len(body):
        m = _OPTION.match(body[k].text)
        if not m:
            break
        option_lines.append(m.group(1))
        k += 1
    options = parse_options(option_lines, fence)
    options.update(_attr_options(attrs))
    code_lines = [ln.text for ln in body[k:]]
    while code_lines and not code_lines[-1].strip():
        code_lines.pop()
    return Cell("\n".join(code_lines), options, fence.file, fence.lineno, language, fence.lineno + 1 + k,
                option_lines=option_lines)


def parse_options(option_lines: list[str], where: Line | None = None) -> dict[str, Any]:
    """The ``#|`` lines of a cell, read as one YAML mapping."""
    if not option_lines:
        return {}
    try:
        options = yaml.safe_load("\n".join(option_lines)) or {}
    except yaml.YAMLError as exc:
        at = f"{where.file}:{where.lineno}: " if where else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise QmdError(f"{at}cell options are not valid YAML: {problem}") from None
    if not isinstance(options, dict):
        at = f"{where.file}:{where.lineno}: " if where else ""
        raise QmdError(f"{at}cell options must be `#| key: value` lines")
    return options


def _attr_options(attrs: str) -> dict[str, Any]:
    """Options written in the fence, ```` ```{python echo=false} ````."""
    out: dict[str, Any] = {}
    for m in re.finditer(r"([\w-]+)\s*=\s*(\"[^\"]*\"|'[^']*'|[^\s,]+)", attrs):
        value = m.group(2).strip("\"'")
        low = value.lower()
        out[m.group(1)] = True if low == "true" else False if low == "false" else value
    return out
