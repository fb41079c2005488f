"""The Quarto project: ``_quarto.yml`` merged with the active profiles' ``_quarto-<name>.yml``.

Only what the renderer needs is interpreted: the book's chapters and appendices, the output
directory, ``execute`` options, ``pre-render``/``post-render`` scripts and the ``html`` and
``typst`` format options. Profile files are merged the way Quarto merges them: mappings
recursively, lists appended.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from qrender.qmd import yaml_error_message


class ProjectError(Exception):
    pass


def merge(base: Any, over: Any) -> Any:
    """Quarto's configuration merge: dicts recursively, lists concatenated, scalars replaced."""
    if isinstance(base, dict) and isinstance(over, dict):
        out = dict(base)
        for key, value in over.items():
            out[key] = merge(base[key], value) if key in base else value
        return out
    if isinstance(base, list) and isinstance(over, list):
        return base + [v for v in over if v not in base]
    return over


def active_profiles() -> list[str]:
    return [p.strip() for p in os.environ.get("QUARTO_PROFILE", "").split(",") if p.strip()]


# -- _environment files (https://quarto.org/docs/projects/environment) -----------------------------
_DOTENV_LINE = re.compile(r"^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$")


def read_dotenv(path: Path) -> dict[str, str]:
    """``KEY=value`` lines of a dotenv file; ``#`` comments, blank lines and quotes as dotenv reads them."""
    out: dict[str, str] = {}
    for number, line in enumerate(path.read_text().splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        match = _DOTENV_LINE.match(line)
        if match is None:
            raise ProjectError(f"{path}:{number}: expected KEY=value, got {line!r}")
        key, value = match.groups()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        else:
            value = value.split(" #", 1)[0].rstrip()
        out[key] = value
    return out


def dotenv_files(root: Path, profiles: list[str]) -> list[Path]:
    """The project's dotenv files that exist, highest priority first, as Quarto reads them:
    ``_environment.local``, then ``_environment-<profile>`` (first profile first), then
    ``_environment``."""
    names = ["_environment.local", *(f"_environment-{p}" for p in profiles), "_environment"]
    return [root / n for n in names if (root / n).is_file()]


def apply_environment(root: Path, profiles: list[str], environ: dict[str, str] | None = None) -> dict[str, str]:
    """Set the variables of the project's ``_environment`` files into ``environ`` (``os.environ``).

    As in Quarto, a variable already in the environment is never overridden, and a higher-priority
    file wins over a lower one. Returns the variables that were set (the renderer's child
    processes, hooks and kernels, inherit them).
    """
    environ = os.environ if environ is None else environ
    applied: dict[str, str] = {}
    for path in dotenv_files(root, profiles):
        for key, value in read_dotenv(path).items():
            if key not in environ:
                environ[key] = applied[key] = value
    return applied


@dataclass
class Chapter:
    path: Path  # absolute path of the .qmd
    rel: str  # path relative to the project root, as written in _quarto.yml
    kind: str  # "index", "chapter" or "appendix"
    number: str | None = None  # "3" for chapters, "A" for appendices, None for the index
    part: str | None = None  # the `part:` title it is listed under, if any

    @property
    def name(self) -> str:
        return self.path.stem

    @property
    def html_rel(self) -> str:
        """Output path of the chapter's page relative to the output dir (mirrors the source)."""
        return str(Path(self.rel).with_suffix(".html"))


@dataclass
class Project:
    root: Path
    config: dict[str, Any]
    profiles: list[str] = field(default_factory=list)
    output_override: Path | None = None  # `--output-dir`

    # -- project ---------------------------------------------------------------------------
    @property
    def project(self) -> dict[str, Any]:
        return self.config.get("project") or {}

    @property
    def book(self) -> dict[str, Any]:
        return self.config.get("book") or {}

    @property
    def output_dir(self) -> Path:
        if self.output_override is not None:
            return Path(self.output_override).resolve()
        return (self.root / self.project.get("output-dir", "_book")).resolve()

    @property
    def execute_in_file_dir(self) -> bool:
        return self.project.get("execute-dir", "file") == "file"

    def scripts(self, key: str) -> list[str]:
        value = self.project.get(key) or []
        return [value] if isinstance(value, str) else list(value)

    @property
    def execute(self) -> dict[str, Any]:
        return self.config.get("execute") or {}

    @property
    def freeze(self) -> Any:
        return self.execute.get("freeze", False)

    def format(self, name: str) -> dict[str, Any]:
        formats = self.config.get("format") or {}
        value = formats.get(name)
        return value if isinstance(value, dict) else {}

    @property
    def formats(self) -> list[str]:
        return [f for f in (self.config.get("format") or {"html": {}}) if f in ("html", "typst")]

    # -- book --------------------------------------------------------------------------------
    @property
    def title(self) -> str:
        return str(self.book.get("title") or self.config.get("title") or "Book")

    def chapters(self) -> list[Chapter]:
        out: list[Chapter] = []

        def add(items: list[Any], kind: str, part: str | None = None) -> None:
            for item in items or []:
                if isinstance(item, dict):
                    sub_part = item.get("part")
                    if sub_part and str(sub_part).endswith(".qmd"):
                        add([sub_part], kind, part)
                        sub_part = None
                    add(item.get("chapters") or [], kind, sub_part or part)
                    continue
                rel = str(item)
                path = (self.root / rel).resolve()
                if not path.exists():
                    raise ProjectError(f"_quarto.yml lists chapter {rel!r}, but {path} does not exist")
                out.append(Chapter(path, rel, kind, part=part))

        add(self.book.get("chapters") or [], "chapter")
        add(self.book.get("appendices") or [], "appendix")
        if not out:
            raise ProjectError(f"{self.root}/_quarto.yml: book.chapters is empty")
        if out[0].path.stem == "index":
            out[0].kind = "index"
        # Numbered as Quarto numbers them (book-config.ts, bookRenderItems): a chapter or appendix
        # counts only when its own title is not {.unnumbered}. (A numbered index is refused by
        # qrender.parity, since Quarto would make it chapter 1.)
        from qrender.parity import own_title

        n_chapter = 0
        n_appendix = 0
        for ch in out:
            title = own_title(ch.path)
            if ch.kind == "index" or (title is not None and not title.numbered):
                continue
            if ch.kind == "chapter":
                n_chapter += 1
                ch.number = str(n_chapter)
            elif ch.kind == "appendix":
                ch.number = chr(ord("A") + n_appendix)
                n_appendix += 1
        return out

    def find_chapter(self, name: str) -> Chapter:
        """A chapter by stem (``03-training``), file name or path."""
        stem = Path(name).stem
        matches = [c for c in self.chapters() if c.name == stem or c.rel == name]
        if not matches:
            names = ", ".join(c.name for c in self.chapters())
            raise ProjectError(f"no chapter {name!r} in _quarto.yml; chapters are: {names}")
        return matches[0]

    @property
    def pdf_name(self) -> str:
        base = self.book.get("output-file") or re.sub(r"[^A-Za-z0-9]+", "-", self.title).strip("-")
        return f"{base}.pdf"


def read_config(path: Path) -> dict[str, Any]:
    """A project configuration file; a YAML error names the file, line and the parser's message."""
    try:
        config = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise ProjectError(yaml_error_message(exc, path)) from None
    if not isinstance(config, dict):
        raise ProjectError(f"{path}:1: expected a YAML mapping (`key: value` lines)")
    return config


def load(root: Path | str = ".", profiles: list[str] | None = None) -> Project:
    root = Path(root).resolve()
    path = root / "_quarto.yml"
    if not path.exists():
        raise ProjectError(f"{root} has no _quarto.yml")
    config = read_config(path)
    profiles = active_profiles() if profiles is None else profiles
    for name in profiles:
        extra = root / f"_quarto-{name}.yml"
        if extra.exists():
            config = merge(config, read_config(extra))
    book = config.get("book")
    if isinstance(book, dict) and str(book.get("date", "")).strip() in ("last-modified", "today", "now"):
        book["date"] = _special_date(str(book["date"]).strip(), root, book)
    return Project(root, config, profiles)


def _special_date(value: str, root: Path, book: dict[str, Any]) -> str:
    """Quarto's `date: today | now | last-modified`, written like Quarto's default long date."""
    import datetime

    stamp = datetime.datetime.now()
    if value == "last-modified":
        files = [root / "_quarto.yml"]
        for item in (book.get("chapters") or []) + (book.get("appendices") or []):
            if isinstance(item, str):
                files.append(root / item)
        times = [f.stat().st_mtime for f in files if f.exists()]
        if times:
            stamp = datetime.datetime.fromtimestamp(max(times))
    return f"{stamp:%B} {stamp.day}, {stamp.year}"
