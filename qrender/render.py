"""Rendering the book: pre-render scripts, execution (or the freeze cache), HTML pages, one PDF,
post-render scripts.

``render(root)`` renders every chapter; ``render(root, chapter="03-training")`` re-executes
that chapter (others come from the freeze cache) and rebuilds the outputs.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from qrender import cite, crossref, freeze, html, notebook, parity, qmd, search, typst_writer
from qrender import pandoc as P
from qrender import project as projmod
from qrender.assemble import Assembler
from qrender.execute import Executed, ExecutionError, execute
from qrender.html_writer import HtmlWriter
from qrender.typst_writer import TypstWriter

#: Part of every freeze key: bumped when what execution stores changes (3: inline results
#: escaped as Quarto escapes them; 4: DataFrame pipe tables formatted as pandas' HTML tables),
#: so frozen chapters re-execute once.
VERSION = "4"


class RenderError(Exception):
    pass


def log(msg: str) -> None:
    print(f"[qrender] {msg}", file=sys.stderr, flush=True)


def warn(msg: str) -> None:
    print(f"[qrender] WARNING: {msg}", file=sys.stderr, flush=True)


@dataclass
class ChapterState:
    chapter: projmod.Chapter
    doc: qmd.Document
    key: str
    executed: Executed | None = None
    reason: str = "requested"
    blocks: list[dict] = field(default_factory=list)
    labels: dict[str, crossref.Label] = field(default_factory=dict)
    title_inlines: list[dict] = field(default_factory=list)


def _renderer_hash() -> str:
    h = hashlib.sha256(VERSION.encode())
    here = Path(__file__).parent
    for f in sorted(list(here.glob("*.py")) + [f for f in (here / "assets").rglob("*") if f.is_file()]):
        h.update(f.name.encode() + f.read_bytes())
    return h.hexdigest()[:16]


def _exec_defaults(proj: projmod.Project, doc: qmd.Document) -> dict[str, Any]:
    """Cell option defaults: project ``execute:``, then the document's ``execute:``."""
    d = {k: v for k, v in proj.execute.items() if k not in ("freeze", "cache", "daemon", "enabled")}
    d.update({k: v for k, v in (doc.meta.get("execute") or {}).items() if k != "freeze"})
    return d


def run_scripts(proj: projmod.Project, key: str, env_extra: dict[str, str]) -> None:
    for script in proj.scripts(key):
        env = dict(os.environ, **env_extra)
        env["QRENDER"] = "1"  # the hooks tell qrender's render from Quarto's
        env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
        if script.endswith(".py") and " " not in script.strip():
            cmd: Any = [sys.executable, str(proj.root / script)]
            shell = False
        elif script.endswith((".ts", ".R", ".lua")) and " " not in script.strip():
            raise RenderError(f"{key} script {script}: only Python scripts and shell commands are supported offline")
        else:
            cmd, shell = script, True
        log(f"{key}: {script}")
        start = time.perf_counter()
        proc = subprocess.run(cmd, shell=shell, cwd=proj.root, env=env)
        if proc.returncode != 0:
            raise RenderError(f"{key} script `{script}` failed (exit {proc.returncode}); see its output above")
        log(f"{key}: done in {time.perf_counter() - start:.1f} s")


def render(root: Path | str = ".", chapter: str | None = None, to: str | None = None,
           output_dir: Path | str | None = None, cache_dir: Path | str | None = None,
           scripts: bool = True, no_execute: bool = False) -> dict[str, Any]:
    started = time.perf_counter()
    proj = projmod.load(root)
    for key, value in projmod.apply_environment(proj.root, proj.profiles).items():
        log(f"_environment: {key}={value}")
    if output_dir:
        proj.output_override = Path(output_dir).resolve()
    out_dir = proj.output_dir
    out_dir.mkdir(parents=True, exist_ok=True)
    chapters = proj.chapters()
    targets = [proj.find_chapter(chapter)] if chapter else chapters
    fmts = [to] if to else proj.formats
    for f in fmts:
        if f not in ("html", "typst"):
            raise RenderError(f"format {f!r}: qrender renders html and typst")
    store = freeze.FreezeStore(Path(cache_dir).resolve() if cache_dir else proj.root, proj.profiles)
    freeze_mode = proj.freeze
    profile = freeze.profile_name(proj.profiles)
    log(f"project {proj.root} (profile {profile}) -> {out_dir}")

    # -- what must execute --------------------------------------------------------------------------
    states: list[ChapterState] = []
    for ch in chapters:
        doc = qmd.parse(ch.path, proj.root)
        defaults = _exec_defaults(proj, doc)
        key = doc.source_hash(json.dumps([profile, defaults, VERSION], sort_keys=True, default=str))
        states.append(ChapterState(ch, doc, key))
    parity.check_book([(st.chapter.kind, st.doc) for st in states], proj.root)
    to_run: list[ChapterState] = []
    for st in states:
        frozen = store.load(st.chapter.rel)
        meta_exec = st.doc.meta.get("execute")
        mode = meta_exec.get("freeze", freeze_mode) if isinstance(meta_exec, dict) else freeze_mode
        fresh = frozen is not None and (mode is True or (mode == "auto" and frozen.get("key") == st.key))
        if no_execute:
            if frozen is not None:
                st.executed = Executed.from_json(frozen)
            else:
                warn(f"{st.chapter.name} has never been executed; its outputs are left out")
        elif chapter is None:
            if fresh:
                st.executed = Executed.from_json(frozen)
            else:
                st.reason = "not executed before" if frozen is None else (
                    "freeze is off" if mode not in ("auto", True) else "source changed")
                to_run.append(st)
        elif st.chapter in targets:
            to_run.append(st)  # `make chapter CH=x` always re-executes x
        elif isinstance(meta_exec, dict) and meta_exec.get("freeze") is False:
            st.reason = "freeze is off"  # never frozen (the preface's scorecard): executes on every render
            to_run.append(st)
        elif frozen is not None:
            # Quarto renders only the named file; the other pages keep their last execution, also
            # where the profile turns freezing off (quick), which says nothing about their age
            if not fresh and mode in ("auto", True):
                warn(f"{st.chapter.name}: using results from an older version of its source (run make report)")
            st.executed = Executed.from_json(frozen)
        else:
            warn(f"{st.chapter.name} has never been executed; its outputs are left out (run make report)")

    env_common = {
        "QUARTO_PROJECT_ROOT": str(proj.root),
        "QUARTO_PROJECT_OUTPUT_DIR": str(out_dir),
        # The pre-render hook warms the pipelines of the chapters that will execute; when every
        # chapter executes (a clean build) it runs them all, so the preface reads complete results.
        "QUARTO_PROJECT_INPUT_FILES": "\n".join(st.chapter.rel for st in to_run),
        "QUARTO_PROJECT_RENDER_ALL": "1" if chapter is None and len(to_run) == len(states) else "",
    }
    if to_run:
        log("to execute: " + ", ".join(f"{st.chapter.name} ({st.reason})" for st in to_run))
    if scripts and proj.scripts("pre-render"):
        if to_run:
            run_scripts(proj, "pre-render", env_common)
        else:
            log("pre-render: skipped (every chapter is frozen and up to date; nothing will execute)")

    # -- execute ------------------------------------------------------------------------------------
    for st in to_run:
        cwd = st.chapter.path.parent if proj.execute_in_file_dir else proj.root
        log(f"executing {st.chapter.rel} ({st.reason}) ...")
        try:
            result = execute(st.doc, proj.root, cwd, _exec_defaults(proj, st.doc), st.chapter.rel,
                             fig=_fig_settings(proj), extra_env={"QRENDER_FREEZE_DIR": str(store.dir)})
        except ExecutionError as exc:
            raise RenderError(str(exc)) from None
        st.executed = result
        store.save(st.chapter.rel, st.key, result.to_json(), st.chapter.name)
        log(f"executed {st.chapter.rel} in {result.seconds:.1f} s")

    # -- outputs are rebuilt only when something changed -------------------------------------------
    stamp_key = hashlib.sha256(json.dumps(
        [[st.key, st.executed is not None, (store.load(st.chapter.rel) or {}).get("executed_at")] for st in states]
        + [proj.config, fmts, _renderer_hash(), str(out_dir)], sort_keys=True, default=str).encode()).hexdigest()
    stamp = out_dir / ".qrender-stamp"
    expected = [out_dir / st.chapter.html_rel for st in states] if "html" in fmts else []
    if "typst" in fmts:
        expected.append(out_dir / proj.pdf_name)
    if (chapter is None and stamp.exists() and stamp.read_text() == stamp_key
            and all(p.exists() for p in expected)):
        log("outputs are up to date")
    else:
        # Built aside and moved in only when every output succeeded: a failed build (a cell, a
        # reference, typst) leaves the previous site as it was.
        stage = _staging_dir(out_dir)
        try:
            build_outputs(proj, states, stage, fmts)
            (stage / ".qrender-stamp").write_text(stamp_key)
            _commit(stage, out_dir)
        except (crossref.CrossrefError, cite.CitationError) as exc:
            raise RenderError(str(exc)) from None
        except RenderError as exc:
            message = str(exc)
            for typ in stage.glob("*.typ"):  # the Typst source that failed, kept for a look
                os.replace(typ, out_dir / typ.name)
                message = message.replace(str(typ), str(out_dir / typ.name))
            raise RenderError(message) from None
        finally:
            shutil.rmtree(stage, ignore_errors=True)

    timings = store.timings()
    (out_dir / "timings.json").write_text(json.dumps(
        {"profile": profile, "chapters": timings}, indent=1))
    if scripts and proj.scripts("post-render"):
        env_common["QUARTO_PROJECT_OUTPUT_FILES"] = "\n".join(str(p) for p in expected)
        run_scripts(proj, "post-render", env_common)
    log(f"done in {time.perf_counter() - started:.1f} s: {out_dir}")
    return {"output_dir": out_dir, "executed": [st.chapter.name for st in to_run], "timings": timings}


def _staging_dir(out_dir: Path) -> Path:
    """A fresh private directory inside the output dir (same file system: moves are renames);
    staging dirs left by a killed build are removed."""
    for old in out_dir.glob(".qrender-staging-*"):
        pid = old.name.rsplit("-", 1)[-1]
        alive = pid.isdigit() and Path(f"/proc/{pid}").exists() and int(pid) != os.getpid()
        if not alive:
            shutil.rmtree(old, ignore_errors=True)
    stage = out_dir / f".qrender-staging-{os.getpid()}"
    shutil.rmtree(stage, ignore_errors=True)
    stage.mkdir(parents=True)
    return stage


def _commit(stage: Path, out_dir: Path) -> None:
    """Move every file built in ``stage`` to its place in ``out_dir`` (each one an atomic rename)."""
    for src in sorted(p for p in stage.rglob("*") if p.is_file()):
        dest = out_dir / src.relative_to(stage)
        dest.parent.mkdir(parents=True, exist_ok=True)
        os.replace(src, dest)


def _fig_settings(proj: projmod.Project) -> tuple[float, float, int]:
    h = proj.format("html")
    top = proj.config
    width = float(h.get("fig-width", top.get("fig-width", 7)))
    height = float(h.get("fig-height", top.get("fig-height", 5)))
    dpi = int(h.get("fig-dpi", top.get("fig-dpi", 96)))
    return width, height, dpi


def build_outputs(proj: projmod.Project, states: list[ChapterState], out_dir: Path, fmts: list[str]) -> None:
    html_opts = proj.format("html")
    # 1. markdown with outputs -> pandoc AST, numbered per chapter
    labels: dict[str, crossref.Label] = {}
    for st in states:
        ch = st.chapter
        fig_dir = out_dir / Path(ch.rel).parent / f"{ch.name}_files" / "figure-html"
        md = Assembler(st.doc, st.executed, _exec_defaults(proj, st.doc), fig_dir, html_opts,
                       proj.format("typst")).markdown()
        ast = P.read_markdown(md)
        st.blocks = ast["blocks"]
        if ch.kind == "index":
            for b in st.blocks:
                if P.is_header(b) and crossref.UNNUMBERED not in P.attr(b).classes:
                    P.attr(b).classes.append(crossref.UNNUMBERED)
        st.labels = crossref.number(st.blocks, ch.number, ch.html_rel, ch.kind == "appendix", warn)
        numbered_floats = [i for i, lab in st.labels.items() if lab.kind != "sec"]
        if ch.kind != "index" and ch.number is None and numbered_floats:
            raise RenderError(
                f"{ch.rel}: an unnumbered chapter holds numbered {', '.join(numbered_floats)}: Quarto numbers "
                "them one way on the web and another in the PDF. Number the chapter, or drop the labels.")
        for ident, lab in st.labels.items():
            if ident in labels:
                warn(f"label {ident} is defined in both {labels[ident].page} and {lab.page}")
            labels[ident] = lab
        h1 = next((b for b in st.blocks if P.is_header(b, 1)), None)
        st.title_inlines = P.content(h1) if h1 else P.text(ch.name)
        if h1 is not None and not P.ident(h1):
            P.attr(h1).ident = f"chapter-{P.slug(ch.name)}"
    pages = {st.chapter.rel: st.chapter.html_rel for st in states}
    anchors = {st.chapter.html_rel: next((P.ident(b) for b in st.blocks if P.is_header(b)), "")
               for st in states}
    if "html" in fmts:
        write_html(proj, states, labels, out_dir, html_opts, pages, "typst" in fmts)
    if "typst" in fmts:
        write_pdf(proj, states, labels, out_dir, pages, anchors)


def _locator(st: ChapterState, root: Path):
    """``locate(key)``: file:line of the first ``@key`` in a chapter's text (includes resolved)."""

    def locate(key: str) -> str:
        pattern = re.compile(r"@" + re.escape(key) + r"(?![\w-])")
        for ln in st.doc.lines:
            if pattern.search(ln.text):
                return f"{qmd.display_path(ln.file, root)}:{ln.lineno}"
        return st.chapter.rel

    return locate


def _keep_ipynb(proj: projmod.Project) -> bool:
    return bool(proj.format("html").get("keep-ipynb", proj.config.get("keep-ipynb", False)))


def _pdf_download(proj: projmod.Project, with_pdf: bool) -> str | None:
    """The PDF offered on every page: Quarto's `book: downloads: [pdf]`."""
    downloads = proj.book.get("downloads") or []
    downloads = [downloads] if isinstance(downloads, str) else list(downloads)
    return proj.pdf_name if with_pdf and "pdf" in downloads else None


def _copy_blocks(blocks: list[dict]) -> list[dict]:
    return json.loads(json.dumps(blocks))


def write_html(proj, states, labels, out_dir, html_opts, pages, with_pdf) -> None:
    html.copy_assets(out_dir)
    bib = cite.Bibliography.from_project(proj, "html")
    infos = []
    titles = html.inlines_html([st.title_inlines for st in states])
    keep_ipynb = _keep_ipynb(proj)
    for st, title in zip(states, titles, strict=False):
        nb = None
        if keep_ipynb:
            nb_rel = str(Path(st.chapter.html_rel).with_suffix(".ipynb"))
            if notebook.write(out_dir / nb_rel, st.doc, st.executed, _exec_defaults(proj, st.doc)):
                nb = nb_rel
        infos.append(html.PageInfo(st.chapter.html_rel, st.chapter.number if st.chapter.kind != "index" else None,
                                   title, P.stringify(st.title_inlines), st.chapter.kind, st.chapter.part, nb))
    site = html.SiteOptions.from_options(html_opts, _pdf_download(proj, with_pdf))
    math = html_opts.get("html-math-method", "mathml")
    method = math.get("method") if isinstance(math, dict) else math
    if method != "mathml":
        warn(f"html-math-method {method!r}: qrender renders math as MathML (no outside request)")
    entries: list[dict] = []
    for st, info in zip(states, infos, strict=False):
        ch = st.chapter
        blocks = _copy_blocks(st.blocks)

        def link(label: crossref.Label, page: str = ch.html_rel) -> str:
            if label.page == page:
                return f"#{label.ident}"
            # a chapter is referred to by its page alone, as Quarto links it
            target = html.rel(page, label.page)
            return target if label.chapter_level else f"{target}#{label.ident}"

        locate = _locator(st, proj.root)
        crossref.resolve(blocks, labels, link, warn, ch.rel, from_unnumbered_page=ch.kind == "index",
                         locate=locate)
        if bib is not None:
            blocks = cite.process(blocks, bib, bibliography=True, link=True, where=ch.rel, locate=locate)
        writer = HtmlWriter(ch.html_rel, out_dir, proj.root, ch.path.parent, appendix=ch.kind == "appendix",
                            chapter_pages=pages, warn=warn)
        blocks = writer.transform(blocks)
        body = html.to_html(blocks, "--syntax-highlighting=pygments")
        text = html.page(body, info, infos, blocks, proj.book, html_opts, site, str(proj.config.get("lang", "en")))
        target = out_dir / ch.html_rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        page_title = str(proj.book.get("title") or info.title_text) if ch.kind == "index" else info.caption
        crumbs = (["Appendices"] if ch.kind == "appendix" else []) + [page_title]
        entries.extend(search.page_entries(ch.html_rel, page_title, crumbs, blocks))
    search.write(out_dir, entries, html.LIB)
    log(f"html: {len(states)} pages, {len(entries)} search entries")


# -- typst / PDF ------------------------------------------------------------------------------------
def _typst_str(value: Any) -> str:
    s = str(value).replace("\\", "\\\\").replace('"', '\\"')
    return f'"{s}"'


def typst_source(proj, states, labels, out_dir, pages, anchors) -> str:
    all_blocks: list[dict] = []
    bib = cite.Bibliography.from_project(proj, "typst")
    cited: list[str] = []
    for st in states:
        ch = st.chapter
        blocks = _copy_blocks(st.blocks)
        locate = _locator(st, proj.root)
        crossref.resolve(blocks, labels, lambda label: f"#{label.ident}", warn, ch.rel,
                         from_unnumbered_page=ch.kind == "index", locate=locate)
        if bib is not None:
            cited += [k for k in cite.cited_keys(blocks) if k not in cited]
            blocks = cite.process(blocks, bib, bibliography=False, link=False, where=ch.rel, locate=locate)
        writer = TypstWriter(ch.html_rel, out_dir, proj.root, ch.path.parent, slug=P.slug(ch.name),
                             appendix=ch.kind == "appendix", chapter_pages=pages, chapter_anchor=anchors, warn=warn)
        if ch.kind == "appendix" and not any(s.chapter.kind == "appendix" for s in states[:states.index(st)]):
            all_blocks.append(P.RawBlock("typst", "// appendices"))
        all_blocks.extend(writer.transform(blocks))
    if bib is not None and cited:
        # One References section at the end of the book, after the appendices, as in Quarto's PDF.
        refs = cite.bibliography_blocks(cited, bib)
        writer = TypstWriter("references", out_dir, proj.root, proj.root, slug="references", warn=warn)
        all_blocks.extend(writer.transform(refs))
    body = P.write(all_blocks, "typst-citations", ["--wrap=none"])
    book = proj.book
    authors = book.get("author") or []
    authors = authors if isinstance(authors, list) else [authors]
    prelude = "\n".join([
        f"#let book-title = {_typst_str(proj.title)}",
        f"#let book-subtitle = {_typst_str(book['subtitle']) if book.get('subtitle') else 'none'}",
        f"#let book-authors = ({''.join(_typst_str(a) + ', ' for a in authors)})",
        f"#let book-date = {_typst_str(book['date']) if book.get('date') else 'none'}",
        f"#let book-lang = {_typst_str(proj.config.get('lang', 'en'))}",
        f"#let book-toc-depth = {int(proj.format('typst').get('toc-depth', 2))}",
    ])
    template = (Path(__file__).parent / "assets" / "book.typ").read_text()
    before = _typst_includes(proj, "include-before-body")
    after = _typst_includes(proj, "include-after-body")
    # the math fixes apply to what pandoc wrote, not to the template or included files
    return "\n".join([prelude, template, before, typst_writer.fix_math(body), after])


def _typst_includes(proj: projmod.Project, key: str) -> str:
    """Quarto's `include-before-body` / `include-after-body` files of the typst format."""
    value = proj.format("typst").get(key) or []
    out = []
    for name in [value] if isinstance(value, str) else value:
        path = proj.root / str(name)
        if not path.is_file():
            raise RenderError(f"_quarto.yml: format typst {key} {name!r} does not exist ({path})")
        out.append(f"// {key}: {name}\n" + path.read_text(encoding="utf-8"))
    return "\n".join(out)


def write_pdf(proj, states, labels, out_dir, pages, anchors) -> None:
    import typst

    source = typst_source(proj, states, labels, out_dir, pages, anchors)
    keep = proj.format("typst").get("keep-typ", False)
    stem = Path(proj.pdf_name).stem
    # a private name while compiling: several builds may share the output dir
    typ = out_dir / (f"{stem}.typ" if keep else f".{stem}.{os.getpid()}.typ")
    typ.write_text(source, encoding="utf-8")
    pdf = out_dir / proj.pdf_name
    tmp_pdf = out_dir / f".{stem}.{os.getpid()}.pdf"
    start = time.perf_counter()
    try:
        typst.compile(str(typ), output=str(tmp_pdf), root=str(out_dir), ignore_system_fonts=True)
        os.replace(tmp_pdf, pdf)
    except Exception as exc:  # typst.TypstError
        kept = out_dir / f"{stem}.typ"
        os.replace(typ, kept)
        raise RenderError(f"typst could not compile {kept}:\n{exc}") from None
    finally:
        if not keep and typ.exists():
            typ.unlink()
    log(f"pdf: {pdf.name} ({time.perf_counter() - start:.1f} s)")
