"""The unseen-style OCR benchmark: CER of ``lib.ocr.read_text`` per source, readers side by side.

Reads, in one run and with fixed seeds, the benchmark's generated pages
(``lib.data.synthetic.unseen``: lettering held out of every training and tuning step,
photographed on paper and whiteboards, some words with touching letters) and the homework's
four photos, with each reader given, and prints per reader a table per source (pages,
characters, errors, CER and its 95% bootstrap interval over the pages, seconds per page) with
the pooled "unseen styles" row and the worst generated source, then the CER of all readers
side by side. Pages come from the page cache (rendered on first use); readings are always
done afresh here, so the times are this run's (measured on a shared machine: say so when you
quote them).

Readers: ``--model`` takes names of ``lib.ocr.MODELS`` (``mlp``, ``cnn``, and any reader
added there); ``--reader module:function`` adds any callable ``image -> text``.
``--split validation`` reads the validation pages (training and validation lettering, and
pages written with the NIST36 valid split's scans of real handwriting) instead: tune on
those, never on the benchmark.

Usage::

    python bench/ocr_unseen.py --model mlp cnn
    python bench/ocr_unseen.py --model cnn --pages 4 --sources touching whiteboard --by family style
    python bench/ocr_unseen.py --split validation --model cnn
    python bench/ocr_unseen.py --reader mypkg.reader:read --save-pages /tmp/pages

The last line is machine-readable: ``<reader>_cer=<pooled generated CER> ...``.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", nargs="*", default=None,
                        help="readers from lib.ocr.MODELS (default: all of them)")
    parser.add_argument("--reader", action="append", default=[], metavar="MODULE:FUNCTION",
                        help="also score a callable image -> text (may be repeated)")
    parser.add_argument("--split", choices=("benchmark", "validation"), default="benchmark")
    parser.add_argument("--pages", type=int, default=None, help="generated pages per source (default: profile's)")
    parser.add_argument("--sources", nargs="*", default=None, help="subset of the sources (default: all)")
    parser.add_argument("--no-photos", action="store_true", help="skip the homework photos")
    parser.add_argument("--save-pages", metavar="DIR", help="also write each generated page as DIR/<page>.jpg")
    parser.add_argument("--by", nargs="*", default=[], choices=("family", "style", "surface", "ink"),
                        help="also print the CER of the generated pages by who wrote them and how")
    parser.add_argument("--threads", type=int, default=1, help="BLAS/torch threads (default 1)")
    return parser.parse_args(argv)


def _callable(spec: str):
    module, _, name = spec.partition(":")
    if not module or not name:
        raise SystemExit(f"--reader {spec!r}: expected MODULE:FUNCTION")
    return getattr(importlib.import_module(module), name)


def main(argv=None) -> int:
    args = parse_args(argv)
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(var, str(args.threads))

    import pandas as pd

    from lib import config
    from lib.ocr import MODELS
    from lib.pipelines import ocr_unseen as U

    unknown = set(args.model or ()) - set(MODELS)
    if unknown:
        raise SystemExit(f"--model: unknown reader(s) {sorted(unknown)}; lib.ocr.MODELS has {list(MODELS)}")
    all_sources = U.sources(args.split, photos=not args.no_photos)
    names = tuple(args.sources) if args.sources else all_sources
    bad = set(names) - set(U.sources(args.split))
    if bad:
        raise SystemExit(f"--sources: unknown {sorted(bad)}; choose from {list(U.sources(args.split))}")
    if U.PHOTOS in names and U.missing_photos():
        print(f"(skipping {U.PHOTOS}: {', '.join(U.missing_photos())} not found in HW5_DATA)")
        names = tuple(s for s in names if s != U.PHOTOS)
    n = U.PAGES[config.profile()] if args.pages is None else args.pages

    readers: dict[str, object] = {m: m for m in (MODELS if args.model is None else args.model)}
    readers.update({spec: _callable(spec) for spec in args.reader})
    if args.save_pages:
        _save_pages(Path(args.save_pages), args.split, names, n)

    print(f"split: {args.split}; {n} generated pages per source; profile {config.profile()}; "
          f"times measured on this machine under its current load")
    print(f"data: {U.unseen.describe(args.split)}")
    frames = []
    for label, reader in readers.items():
        df = U.score_pages(reader, args.split, names, n)
        df.insert(0, "model", label)
        frames.append(df)
        result = U.UnseenResults(args.split, config.profile(), n, df, (label,), names)
        print(f"\n== reader {label}")
        print(_per_source(result).to_string())
    pages = pd.concat(frames, ignore_index=True)
    result = U.UnseenResults(args.split, config.profile(), n, pages, tuple(readers), names)
    print("\n== CER side by side")
    print(result.table().to_string())
    for column in args.by:
        print(f"\n== CER of the generated pages by {column}")
        print(result.cer_by(column).to_string(float_format=lambda v: f"{v:.1%}"))
    cer = result.cer()
    print(" ".join(f"{m}_cer={cer.loc[U.POOLED, m]:.4f}" for m in readers if U.POOLED in cer.index))
    return 0


def _per_source(result):
    """pages, characters, errors, CER (and its bootstrap interval over the pages) and seconds per
    page of one reader, per source."""
    import pandas as pd

    from lib.pipelines import ocr_unseen as U

    d = result.pages
    t = d.groupby("source", sort=False).agg(pages=("page", "size"), characters=("characters", "sum"),
                                            errors=("errors", "sum"), seconds=("seconds", "sum"),
                                            pixels=("pixels", "sum"))
    gen = t.loc[[s for s in result.generated if s in t.index]]
    if len(gen):
        t.loc[U.POOLED] = gen.sum()
    out = pd.DataFrame({
        "pages": t["pages"].astype(int), "characters": t["characters"].astype(int),
        "errors": t["errors"].astype(int), "CER": (t["errors"] / t["characters"]).map(lambda v: f"{v:.2%}"),
        "95% interval": ["{:.2%} to {:.2%}".format(*result.interval(result.models[0], s)) for s in t.index],
        "s/page": (t["seconds"] / t["pages"]).map(lambda v: f"{v:.2f}"),
        "MP/page": (t["pixels"] / t["pages"] / 1e6).map(lambda v: f"{v:.1f}"),
    }).astype(object)
    if len(gen):
        cer = gen["errors"] / gen["characters"]
        worst = cer.idxmax()
        out.loc[U.WORST] = ""
        out.loc[U.WORST, "CER"] = f"{cer.max():.2%}"
        out = out.rename(index={U.WORST: f"{U.WORST} ({worst})"})
    return out


def _save_pages(folder: Path, split: str, names, n: int) -> None:
    from lib.data.synthetic import unseen

    folder.mkdir(parents=True, exist_ok=True)
    for source in names:
        if source in unseen.SOURCES:
            for i in range(n):
                page = unseen.load_page(split, source, i)
                (folder / f"{split}-{source}-{i:03d}.jpg").write_bytes(page.jpeg)
    print(f"pages written to {folder}")


if __name__ == "__main__":
    sys.exit(main())
