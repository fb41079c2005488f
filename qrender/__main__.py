"""``python -m qrender render [--chapter NAME] [--to html|typst] [--output-dir DIR]``."""

from __future__ import annotations

import argparse
import os
import sys

from qrender.project import ProjectError
from qrender.qmd import QmdError
from qrender.render import RenderError, render


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m qrender", description="Render the Quarto book offline.")
    sub = parser.add_subparsers(dest="command", required=True)
    r = sub.add_parser("render", help="execute chapters (freeze: auto) and write the HTML site and the PDF")
    r.add_argument("--chapter", help="re-execute this chapter (e.g. 03-training); others come from the freeze cache")
    r.add_argument("--to", choices=["html", "typst"], help="only this format (default: every format in _quarto.yml)")
    r.add_argument("--profile", help="Quarto profile(s), e.g. quick (sets QUARTO_PROFILE for the build and kernels)")
    r.add_argument("--project", default=".", help="project directory (holds _quarto.yml); default: .")
    r.add_argument("--output-dir", help="write here instead of the project's output-dir")
    r.add_argument("--cache-dir", help="keep the freeze cache here instead of the project's .qrender/")
    r.add_argument("--no-scripts", action="store_true", help="skip the pre-render and post-render scripts")
    r.add_argument("--no-execute", action="store_true",
                   help="execute nothing: outputs from the freeze cache as it is (for layout work)")
    c = sub.add_parser("check", help="open pages in headless Chromium; report outside/failed requests, "
                                     "images that did not load, math not laid out")
    c.add_argument("pages", nargs="*", help="HTML files (default: every page under _book/)")
    args = parser.parse_args(argv)
    if args.command == "check":
        return check(args.pages)
    if args.profile:
        os.environ["QUARTO_PROFILE"] = args.profile
    try:
        render(args.project, chapter=args.chapter, to=args.to, output_dir=args.output_dir,
               cache_dir=args.cache_dir, scripts=not args.no_scripts, no_execute=args.no_execute)
    except (RenderError, ProjectError, QmdError) as exc:
        print(f"\n[qrender] ERROR: {exc}", file=sys.stderr)
        return 1
    return 0


def check(pages: list[str]) -> int:
    from pathlib import Path

    from qrender.browser import inspect_pages

    paths = [Path(p) for p in pages] or sorted(Path("_book").rglob("*.html"))
    bad = 0
    for report in inspect_pages(paths):
        problems = report.problems()
        bad += bool(problems)
        status = "ok" if not problems else "; ".join(problems)
        print(f"{report.url}: {len(report.requests)} requests, {len(report.images)} images, "
              f"{len(report.math)} formulas: {status}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
