"""``python -m course.build [--name NAME]`` (``make submission``): the code zip, course layout.

Writes ``_book/submission/<NAME>.zip`` and copies the book's PDF next to it. ``NAME`` defaults to
the Andrew ID written in ``_quarto.yml`` (``book: author``, see ``course.identity``). The zip holds

    python/nn.py, q4.py, util.py            the course's interfaces, thin adapters over lib
    python/run_q2.py ... run_q7_*.py        one script per part, run from inside python/
    python/book.py, q7_util.py, _setup.py   what those scripts share
    python/lib/...                          exactly the library modules the scripts import
                                            (followed transitively; no report code)
    python/q3_weights.npz, q5_weights.npz   trained weights, only when the cache has them

and nothing from the data directory, no caches, no absolute paths, no file over 10 MB
(``check``). The build never trains: weights that are not in the cache are left out, and the
scripts train them when run.
"""

from __future__ import annotations

import argparse
import ast
import os
import re
import shutil
import sys
import tempfile
import zipfile
from pathlib import Path

from lib import config

COURSE = Path(__file__).resolve().parent / "python"
MAX_BYTES = 10 * 1024 * 1024
#: Never bundled: report-facing code (pandas, tabulate, the renderer) and tooling. A course
#: script that needs one of these is an error; lib code reaching one lazily (the synthetic-data
#: fallback of lib.data, which catches ImportError) simply does without.
EXCLUDE = ("lib/pipelines", "lib/plots.py", "lib/results.py", "lib/scorecard.py", "lib/environment.py",
           "lib/progress.py", "lib/questions.py", "lib/data/fetch.py", "lib/data/synthetic")
#: Modules imported by name at run time (``importlib``), invisible to the import parser.
DYNAMIC = {"lib/data/__init__.py": ("lib.data.weights", "lib.data.torch_datasets")}
#: A zip name: what reaches file names and shell lines (``make submission NAME=...``).
_SAFE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
#: Files that must never be in the zip (data, caches, pickles, checkpoints).
FORBIDDEN_SUFFIXES = (".mat", ".jpg", ".jpeg", ".pickle", ".pkl", ".pt", ".pth", ".pyc")


def _imported_names(path: Path) -> set[str]:
    """Every absolute module name ``path`` imports (also inside functions); ``from a import b``
    yields ``a`` and ``a.b`` (b may be a submodule)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def _lib_file(name: str, root: Path) -> Path | None:
    """'lib.nn.layers' -> root/lib/nn/layers.py (or the package's __init__.py), if it exists."""
    if name != "lib" and not name.startswith("lib."):
        return None
    parts = name.split(".")
    for candidate in (root.joinpath(*parts).with_suffix(".py"), root.joinpath(*parts, "__init__.py")):
        if candidate.is_file():
            return candidate
    return None


def lib_files(root: Path, scripts: list[Path] | None = None) -> list[Path]:
    """The lib modules the course scripts import, transitively, with their packages' __init__.py."""
    scripts = sorted(COURSE.glob("*.py")) if scripts is None else scripts
    todo = [name for script in scripts for name in _imported_names(script)]
    found: set[Path] = set()
    while todo:
        name = todo.pop()
        path = _lib_file(name, root)
        if path is None or path in found:
            continue
        rel = path.relative_to(root).as_posix()
        if rel.startswith(EXCLUDE):
            if any(name in _imported_names(s) for s in scripts):
                raise ValueError(f"a course script imports {name} ({rel}), which is not submitted code")
            continue
        found.add(path)
        todo.extend(_imported_names(path))
        todo.extend(DYNAMIC.get(rel, ()))
        parts = name.split(".")
        todo.extend(".".join(parts[:k]) for k in range(1, len(parts)))  # parent packages
    return sorted(found)


def _cached_q3():
    """Chapter 3's chosen network, if the learning-rate search is fully in the cache (else None)."""
    from lib import cache, mlp_search
    from lib.mlp import raw_input_params, spec_of, train_mlp
    from lib.nn import param_names

    base = mlp_search.base_config()
    missing = [lr for lr in mlp_search.lr_grid() if not train_mlp.path(base.with_lr(lr)).exists()]
    if missing:
        return None, f"chapter 3's search has not trained lr {missing} yet"
    cfg = mlp_search.best_config()  # every run of the search is cached: this only loads
    params = raw_input_params(cache.load_result(train_mlp.path(cfg)), cfg)
    return {k: params[k] for k in param_names(spec_of(cfg))}, f"lr {cfg.lr:g}"


def _cached_q5():
    """The autoencoder of chapter 5, if it is in the cache (else None)."""
    from lib import cache
    from lib.autoencoder import params_of, train_autoencoder
    from lib.pipelines.autoencoder import ae_config

    path = train_autoencoder.path(ae_config())
    if not path.exists():
        return None, "chapter 5's autoencoder is not trained yet"
    return params_of(cache.load_result(path)), f"{ae_config().epochs} epochs"


def result_files(folder: Path) -> list[Path]:
    """Trained weights the homework asks for, saved as .npz into ``folder``, when cached.

    Never trains: a network that is not in the cache (``make report`` puts it there) is left
    out with a note, and the scripts train it themselves when run.
    """
    from lib.nn.io import save_params

    if config.is_quick():
        print("warning: QUARTO_PROFILE=quick: the weights included (if any) are the quick profile's "
              "short runs, not the networks the report shows", file=sys.stderr)
    out = []
    for filename, get in (("q3_weights.npz", _cached_q3), ("q5_weights.npz", _cached_q5)):
        try:
            params, note = get()
        except Exception as exc:  # no data, no cache: the scripts train it themselves
            params, note = None, f"{type(exc).__name__}: {exc}"
        if params is None:
            print(f"note: {filename} not included ({note}; run `make report` first to include it)",
                  file=sys.stderr)
            continue
        out.append(save_params(folder / filename, params))
        print(f"including {filename} ({config.profile()} profile, {note})", file=sys.stderr)
    return out


def build(name: str = "submission", out_dir: Path | None = None, with_results: bool = True) -> Path:
    """Write ``<out_dir>/<name>.zip`` (default ``_book/submission``), check it, copy the PDF."""
    if not _SAFE_NAME.fullmatch(name):
        raise ValueError(f"--name {name!r}: expected a plain name such as your Andrew ID "
                         "(letters, digits, '-', '_' and '.', starting with a letter or digit)")
    root = config.PROJECT_ROOT
    out_dir = Path(out_dir or root / "_book" / "submission")
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / f"{name}.zip"
    with tempfile.TemporaryDirectory() as tmp:
        results = result_files(Path(tmp)) if with_results else []
        partial = target.with_name(f".{target.name}.partial")
        with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as zf:
            for path in sorted(COURSE.glob("*.py")):
                zf.write(path, f"python/{path.name}")
            for path in lib_files(root):
                zf.write(path, f"python/{path.relative_to(root).as_posix()}")
            for path in results:
                zf.write(path, f"python/{path.name}")
        try:
            check(partial)
        except ValueError:
            partial.unlink()
            raise
        os.replace(partial, target)
    pdfs = sorted((root / "_book").glob("*.pdf"))
    for pdf in pdfs:
        shutil.copy2(pdf, out_dir / pdf.name)
    if not pdfs:
        print("note: no PDF in _book/ (run `make report`); the zip alone was written", file=sys.stderr)
    return target


def _absolute_paths() -> list[str]:
    """Absolute paths of this machine that must not appear in submitted code."""
    paths = {str(config.PROJECT_ROOT), str(Path.home())}
    for var in ("HW5_DATA", "HW5_CACHE"):
        if os.environ.get(var):
            paths.add(str(Path(os.environ[var]).expanduser().resolve()))
    return sorted(p for p in paths if len(p) > 1)


def check(zip_path: Path) -> None:
    """The course's rules: no data, no caches, no absolute paths, nothing over 10 MB."""
    absolute = _absolute_paths()
    with zipfile.ZipFile(zip_path) as zf:
        for info in zf.infolist():
            name = info.filename
            parts = Path(name).parts
            if name.startswith("/") or ".." in parts or ":" in name:
                raise ValueError(f"{zip_path}: {name} is not a relative path")
            if parts[0] in ("data", "images") or (len(parts) > 1 and parts[1] in ("data", "images")):
                raise ValueError(f"{zip_path}: {name} is from the data folder and must not be submitted")
            if any(p in (".cache", "__pycache__", ".pytest_cache") for p in parts) \
                    or name.lower().endswith(FORBIDDEN_SUFFIXES):
                raise ValueError(f"{zip_path}: {name} is a cache, data or pickle file and must not be submitted")
            if info.file_size > MAX_BYTES:
                raise ValueError(f"{zip_path}: {name} is {info.file_size} bytes (> 10 MB)")
            if name.endswith(".py"):
                text = zf.read(name).decode("utf-8")
                for path in absolute:
                    if path in text:
                        raise ValueError(f"{zip_path}: {name} contains the absolute path {path}")


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):
        """An argument error is one line and exit code 2 (the usage is in --help)."""
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


def _name(text: str) -> str:
    if not _SAFE_NAME.fullmatch(text):
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a plain name: use letters, digits, '-', '_' and '.' (e.g. your Andrew ID)")
    return text


def main(argv: list[str] | None = None) -> int:
    parser = _Parser(prog="python -m course.build", description=__doc__,
                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--name", default=None, type=_name,
                        help="zip name (default: the Andrew ID in _quarto.yml's book: author)")
    parser.add_argument("--out", type=Path, default=None, help="output folder (default _book/submission)")
    args = parser.parse_args(argv)
    name = args.name
    if name is None:
        from course.identity import IdentityError, identity

        try:
            who = identity()
        except IdentityError as exc:
            parser.error(f"{exc}; or name the zip with NAME=<andrew-id>")
        if "Andrew ID" in who.placeholders:
            parser.error("_quarto.yml: book: author still says Andrew ID: NOT SET; write your Andrew ID "
                         "there (it also goes on the title page), or name the zip with NAME=<andrew-id>")
        name = who.andrew_id
    try:
        path = build(name, args.out)
    except (ValueError, OSError) as exc:  # a rule of the course broken, or the output not writable
        print(f"{parser.prog}: error: {exc}", file=sys.stderr)
        return 1
    with zipfile.ZipFile(path) as zf:
        infos = zf.infolist()
    size = path.stat().st_size
    print(f"wrote {path} ({len(infos)} files, {size / 1024:.0f} KiB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
