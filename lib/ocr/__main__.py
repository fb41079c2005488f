"""``python -m lib.ocr IMAGE [IMAGE ...]``: read handwritten text from photos.

Every photo is read in one process with the model loaded once. All arguments and inputs are
checked before any model is loaded (or trained on first use): a missing file, a directory, a
file that is not an image, a ``--boxes`` name that would overwrite a photo or an existing
file (without ``--force``), or a figure format matplotlib cannot write. Argument errors are
one line on stderr and exit code 2; a photo that cannot be read is reported on one line and
the others are still read (exit code 1).

Output: the text of each photo (``== name`` before each when there are several), or with
``--json`` one JSON document, ``{"box_format": ..., "model": ..., "photos": [...]}``, with per
photo its lines, words, characters, boxes (full-resolution pixels), each character's
confidence and alternatives, the candidates the segmentation considered, and its seconds
(``load``: waiting for the photo's decoding, which runs while the model loads for the first
photo and while the previous photo is read for the others;
``detect``; ``read``).

With several photos ``--boxes OUT.png`` saves one figure per photo, ``OUT-<photo name>.png``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

from lib.data.errors import DataError

PROG = "python -m lib.ocr"

#: The first bytes of the image formats the loader reads.
_SIGNATURES = (
    (b"\xff\xd8\xff", "JPEG"),
    (b"\x89PNG\r\n\x1a\n", "PNG"),
    (b"GIF87a", "GIF"),
    (b"GIF89a", "GIF"),
    (b"BM", "BMP"),
    (b"II*\x00", "TIFF"),
    (b"MM\x00*", "TIFF"),
)


class UsageError(Exception):
    """A wrong argument or input, found before any work: one line, exit code 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # argparse prints usage + message; we print one line
        raise UsageError(message)


def parser() -> argparse.ArgumentParser:
    from lib.ocr.classify import DESCRIPTIONS, MODELS

    p = _Parser(prog=PROG, description="Read handwritten block capitals and digits from photos.")
    p.add_argument("images", nargs="+", metavar="IMAGE", help="photo files (JPEG, PNG, GIF, BMP, TIFF or WebP)")
    p.add_argument("--model", choices=MODELS, default="reader",
                   help="; ".join(f"{m}: the {d}" for m, d in DESCRIPTIONS.items()) + " (default: reader)")
    p.add_argument("--json", action="store_true",
                   help="print JSON: lines, words, characters, boxes, confidences and alternatives")
    p.add_argument("--boxes", metavar="OUT.png",
                   help="also save each photo with its boxes drawn (several photos: OUT-<photo>.png)")
    p.add_argument("--force", action="store_true", help="let --boxes replace existing files (never a photo)")
    p.add_argument("--raw", action="store_true",
                   help="the network's own transcription: one character per box, no averaging, "
                        "no segmentation, no word rule")
    p.add_argument("--lexicon", action="store_true",
                   help="correct words against an English word list (off by default)")
    return p


# ---------------------------------------------------------------------------- checks
def check_image(path: Path) -> None:
    """Raise UsageError unless ``path`` is a readable file that starts like an image."""
    if not path.exists():
        raise UsageError(f"{path}: not found")
    if path.is_dir():
        raise UsageError(f"{path}: is a directory, not an image file")
    if not path.is_file():
        raise UsageError(f"{path}: not a regular file")
    try:
        with open(path, "rb") as f:
            head = f.read(16)
    except OSError as exc:
        raise UsageError(f"{path}: cannot be read ({exc.strerror or exc})") from exc
    if not head:
        raise UsageError(f"{path}: is empty, not an image")
    if any(head.startswith(sig) for sig, _ in _SIGNATURES) or (head[:4] == b"RIFF" and head[8:12] == b"WEBP"):
        return
    raise UsageError(f"{path}: not an image (expected JPEG, PNG, GIF, BMP, TIFF or WebP)")


def figure_formats() -> set[str]:
    from matplotlib.figure import Figure

    return set(Figure().canvas.get_supported_filetypes())


def boxes_outputs(boxes: str, images: list[Path], force: bool) -> list[Path]:
    """The figure file of each photo, checked: a known format, no photo overwritten, no existing
    file replaced without ``force``, no two photos writing one file, a folder that can exist."""
    out = Path(boxes)
    suffix = out.suffix.lower().lstrip(".")
    formats = figure_formats()
    if not suffix:
        raise UsageError(f"--boxes {boxes}: no file extension; use one of {', '.join(sorted(formats))}")
    if suffix not in formats:
        raise UsageError(f"--boxes {boxes}: unknown figure format '.{suffix}'; use one of {', '.join(sorted(formats))}")
    if len(images) == 1:
        targets = [out]
    else:
        targets = [out.with_name(f"{out.stem}-{img.stem}{out.suffix}") for img in images]
    inputs = {img.resolve() for img in images}
    seen: dict[Path, Path] = {}
    for img, target in zip(images, targets, strict=True):
        resolved = target.resolve()
        if resolved in inputs:
            raise UsageError(f"--boxes {boxes}: would overwrite the photo {target}; choose another name")
        if resolved in seen:
            raise UsageError(f"--boxes {boxes}: photos {seen[resolved]} and {img} would both write {target}")
        seen[resolved] = img
        if target.is_dir():
            raise UsageError(f"--boxes {boxes}: {target} is a directory")
        if target.exists() and not force:
            raise UsageError(f"--boxes {boxes}: {target} exists; add --force to replace it")
        _check_folder(target.parent, boxes)
    return targets


def _check_folder(folder: Path, boxes: str) -> None:
    """The folder exists or can be made: its nearest existing ancestor is a writable folder."""
    probe = folder if str(folder) else Path(".")
    while not probe.exists():
        probe = probe.parent
    if not probe.is_dir():
        raise UsageError(f"--boxes {boxes}: cannot create the folder {folder}: {probe} is a file")
    if not os.access(probe, os.W_OK | os.X_OK):
        raise UsageError(f"--boxes {boxes}: cannot write into {probe} (permission denied)")


# ---------------------------------------------------------------------------- work
def save_boxes(image, reading, target: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from lib.ocr.figures import boxes_figure

    target.parent.mkdir(parents=True, exist_ok=True)
    fig = boxes_figure(image, reading.boxes)
    try:
        fig.savefig(target, dpi=100, bbox_inches="tight")
    finally:
        plt.close(fig)


def load_model(kind: str):
    """The scorer, said on stderr first when it must be trained (minutes, once)."""
    from lib.ocr.classify import scorer, will_train

    if will_train(kind):
        print(f"{PROG}: training the reader model once (several minutes; cached afterwards)", file=sys.stderr)
    return scorer(kind)


@contextmanager
def _prefetched(paths: list[Path], load) -> Iterator[Iterator[Future]]:
    """``load(path)`` of each path as a future, decoded one photo ahead in a background thread:
    the first photo at once, while the model loads, and each further one while the photo before
    it is detected and read (decoding a 12-megapixel JPEG takes a good part of a second, and
    Pillow and numpy release the GIL while they work)."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        first = pool.submit(load, paths[0]) if paths else None

        def in_turn() -> Iterator[Future]:
            ahead = first
            for k in range(len(paths)):
                current = ahead
                ahead = pool.submit(load, paths[k + 1]) if k + 1 < len(paths) else None
                yield current

        yield in_turn()


def run(args) -> int:
    from lib.data.images import load_image
    from lib.ocr import export
    from lib.ocr.recognize import ReadOptions, read_detection

    images = [Path(p) for p in args.images]
    for path in images:
        check_image(path)
    targets = boxes_outputs(args.boxes, images, args.force) if args.boxes else [None] * len(images)
    if args.raw and args.lexicon:
        raise UsageError("--raw and --lexicon exclude each other (the raw transcription is not corrected)")
    options = ReadOptions.raw() if args.raw else ReadOptions(lexicon=args.lexicon)
    with _prefetched(images, load_image) as pending_photos:
        lexicon = None
        if args.lexicon:
            from lib.ocr.lexicon import load as load_lexicon

            lexicon = load_lexicon()
        try:
            score = load_model(args.model)
        except DataError as exc:
            print(f"{PROG}: cannot load the {args.model!r} model: {exc}", file=sys.stderr)
            return 1

        def read(det):
            return read_detection(det, score, options, lexicon=lexicon)

        status, photos = 0, []
        for path, target, pending in zip(images, targets, pending_photos, strict=True):
            photo_status, entry = _read_photo(path, target, pending, read, args.json, len(images) > 1)
            status = max(status, photo_status)
            if entry is not None:
                photos.append(entry)
    if args.json:
        json.dump({"box_format": export.BOX_FORMAT, "model": args.model, "photos": photos}, sys.stdout, indent=1)
        print()
    return status


def _read_photo(path: Path, target: Path | None, pending: Future, read, as_json: bool,
                several: bool) -> tuple[int, dict | None]:
    """Detect and read one photo once its decoding is done, save its figure, and print its text
    (or, with ``as_json``, return its JSON entry). Returns the exit status (0 or 1) and the entry."""
    from lib.ocr import export
    from lib.ocr.detect import detect

    start = time.perf_counter()
    try:
        image = pending.result()
    except DataError as exc:
        print(f"{PROG}: {exc}", file=sys.stderr)
        return 1, None
    loaded = time.perf_counter()
    det = detect(image)
    detected = time.perf_counter()
    reading = read(det)
    done = time.perf_counter()
    status = 0
    if target is not None:
        try:
            save_boxes(image, reading, target)
        except OSError as exc:
            print(f"{PROG}: cannot write {target}: {exc.strerror or exc}", file=sys.stderr)
            status = 1
    if not as_json:
        if several:
            print(f"== {path}")
        print(reading.text, flush=True)
        return status, None
    entry = export.as_dict(reading, str(path))
    entry["seconds"] = {"load": round(loaded - start, 3), "detect": round(detected - loaded, 3),
                        "read": round(done - detected, 3)}
    return status, entry


def main(argv: list[str] | None = None) -> int:
    try:
        args = parser().parse_args(argv)
        return run(args)
    except UsageError as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
