"""Quarto ``post-render`` script: write ``<output-dir>/results.json`` (``lib.results.write``) and,
after a render by Quarto, publish each chapter's executed notebook next to its page.

Quarto books do not render the ``ipynb`` format ("The ipynb format is not supported by book
projects"), but with ``keep-ipynb: true`` Quarto keeps the notebook it executed a chapter in,
``report/<chapter>.quarto_ipynb`` (git-ignored), with its outputs. This script copies it to
``<output-dir>/report/<chapter>.ipynb`` and puts a link to it beside the site's "Download PDF"
button, which is what qrender writes itself (qrender sets ``QRENDER=1`` for its scripts).
Quarto 1.10 does not overwrite a kept notebook: a later render writes ``.quarto_ipynb_1``,
``_2``, ... (quarto-cli issue #14281). The newest one is published and renamed to
``.quarto_ipynb``, the older ones are removed, so a chapter that is frozen next time (not
executed, no new notebook) still publishes its latest one.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import ROOT, ensure_project_python  # noqa: E402

_PDF_TOOL = re.compile(r'<a href="[^"]*"[^>]*title="Download PDF"[^>]*>.*?</a>', re.S)
_TOOLS = '<div class="sidebar-tools-main">'


def notebook_link(href: str) -> str:
    return (f'<a href="{href}" title="Download this chapter as a Jupyter notebook" download '
            f'class="quarto-navigation-tool px-1 qrender-notebook" aria-label="Jupyter notebook">'
            f'<i class="bi bi-journal-code"></i></a>')


def latest_kept_notebook(source_stem: Path) -> Path | None:
    """``<stem>.quarto_ipynb``, made the newest of Quarto's numbered variants; the others removed."""
    base = source_stem.with_suffix(".quarto_ipynb")
    variants = [p for p in source_stem.parent.glob(source_stem.name + ".quarto_ipynb*")
                if re.fullmatch(r"\.quarto_ipynb(_\d+)?", p.name[len(source_stem.name):])]
    if not variants:
        return None
    newest = max(variants, key=lambda p: p.stat().st_mtime)
    for p in variants:
        if p != newest:
            p.unlink()
    if newest != base:
        os.replace(newest, base)
    return base


def publish_notebooks(out: Path, pages: list[Path]) -> list[Path]:
    """Copy the kept notebook of each page's source to ``<page>.ipynb`` and link it on the page."""
    published = []
    for page in pages:
        if page.suffix != ".html" or not page.is_file():
            continue
        rel = page.relative_to(out)
        kept = latest_kept_notebook(ROOT / rel.with_suffix(""))
        if kept is None:
            continue
        target = page.with_suffix(".ipynb")
        shutil.copyfile(kept, target)
        published.append(target)
        text = page.read_text(encoding="utf-8")
        if "qrender-notebook" in text:
            continue
        link = notebook_link(target.name)
        match = _PDF_TOOL.search(text)
        if match:
            text = text[:match.end()] + "\n" + link + text[match.end():]
        elif _TOOLS in text:
            text = text.replace(_TOOLS, _TOOLS + "\n" + link, 1)
        else:
            continue
        page.write_text(text, encoding="utf-8")
    return published


def main() -> int:
    ensure_project_python()
    from lib import results

    out = Path(os.environ.get("QUARTO_PROJECT_OUTPUT_DIR") or "_book")
    if not out.is_absolute():
        out = ROOT / out
    path = results.write(out / "results.json")
    print(f"[post-render] wrote {path} ({len(results.collect())} results)", file=sys.stderr)
    if not os.environ.get("QRENDER"):
        files = [Path(f) for f in os.environ.get("QUARTO_PROJECT_OUTPUT_FILES", "").split("\n") if f.strip()]
        pages = [f if f.is_absolute() else ROOT / f for f in files] or sorted(out.rglob("*.html"))
        notebooks = publish_notebooks(out, pages)
        if notebooks:
            print(f"[post-render] published {len(notebooks)} executed notebooks next to their pages",
                  file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
