"""``python -m course.build [--name NAME]`` (``make submission``): the code zip, course layout.

Writes ``_book/submission/<NAME>.zip`` and copies the book's PDF next to it. The zip holds

    python/nn.py, q4.py, util.py            the course's interfaces, thin adapters over lib
    python/run_q2.py ... run_q7_*.py        one script per part, run from inside python/
    python/lib/...                          the library code those call (no report code)
    python/q3_weights.npz, q5_weights.npz   trained weights, when the cache has them

and nothing from the data directory, no caches, no absolute paths, no file over 10 MB.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import zipfile
from pathlib import Path

from lib import config

COURSE = Path(__file__).resolve().parent / "python"
MAX_BYTES = 10 * 1024 * 1024
#: lib code that the course scripts need; report-facing and tooling modules stay out.
EXCLUDE = ("lib/pipelines", "lib/scorecard.py", "lib/environment.py", "lib/results.py",
           "lib/progress.py", "lib/questions.py", "lib/data/fetch.py")


def lib_files(root: Path) -> list[Path]:
    files = []
    for path in sorted((root / "lib").rglob("*.py")):
        rel = path.relative_to(root).as_posix()
        if not rel.startswith(EXCLUDE) and "__pycache__" not in rel:
            files.append(path)
    return files


def result_files(folder: Path) -> list[Path]:
    """Trained weights the homework asks for, saved as .npz into ``folder`` (if trained)."""
    from lib.nn.io import save_params

    out = []
    try:
        from lib.pipelines import training

        params, _spec = training.best_mlp(train_if_missing=False)
        if params is not None:
            out.append(save_params(folder / "q3_weights.npz", params))
    except Exception as exc:  # not trained yet: the scripts train it themselves
        print(f"note: q3_weights.npz not included ({exc})", file=sys.stderr)
    return out


def build(name: str = "submission", out_dir: Path | None = None, with_results: bool = True) -> Path:
    root = config.PROJECT_ROOT
    out_dir = Path(out_dir or root / "_book" / "submission")
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / f"{name}.zip"
    with tempfile.TemporaryDirectory() as tmp:
        results = result_files(Path(tmp)) if with_results else []
        with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zf:
            for path in sorted(COURSE.glob("*.py")):
                zf.write(path, f"python/{path.name}")
            for path in lib_files(root):
                zf.write(path, f"python/{path.relative_to(root).as_posix()}")
            for path in results:
                zf.write(path, f"python/{path.name}")
    check(target)
    for pdf in sorted((root / "_book").glob("*.pdf")):
        shutil.copy2(pdf, out_dir / pdf.name)
    return target


def check(zip_path: Path) -> None:
    """The course's rules: no data, no caches, no absolute paths, nothing over 10 MB."""
    with zipfile.ZipFile(zip_path) as zf:
        for info in zf.infolist():
            name = info.filename
            if name.startswith("/") or ".." in Path(name).parts:
                raise ValueError(f"{zip_path}: {name} is not a relative path")
            if name.startswith(("data/", "python/data/")) or "/.cache/" in name or "__pycache__" in name:
                raise ValueError(f"{zip_path}: {name} must not be submitted")
            if info.file_size > MAX_BYTES:
                raise ValueError(f"{zip_path}: {name} is {info.file_size} bytes (> 10 MB)")
            if name.endswith(".py") and str(config.PROJECT_ROOT) in zf.read(name).decode("utf-8"):
                raise ValueError(f"{zip_path}: {name} contains an absolute path")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m course.build", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--name", default="submission", help="zip name (e.g. your Andrew ID)")
    args = parser.parse_args(argv)
    path = build(args.name)
    print(f"wrote {path.relative_to(config.PROJECT_ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
