"""``python -m lib.ocr IMAGE... [--model mlp|cnn] [--boxes OUT.png]``: print each photo's text.

With several images and ``--boxes``, each figure is saved beside OUT.png with the image's
name appended (``OUT-<stem>.png``).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from lib.data.errors import DataError


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m lib.ocr", description="Read handwritten text from photos.")
    parser.add_argument("images", nargs="+", help="photo files (JPEG or PNG)")
    parser.add_argument("--model", choices=("mlp", "cnn"), default="mlp",
                        help="the numpy MLP of chapter 3 (default) or the CNN of chapter 7")
    parser.add_argument("--boxes", metavar="OUT.png", help="also save the photo with its boxes drawn")
    parser.add_argument("--raw", action="store_true", help="skip the word-level letter/digit rule")
    args = parser.parse_args(argv)

    from lib.data.images import load_image
    from lib.ocr.classify import scorer
    from lib.ocr.recognize import read

    try:
        score = scorer(args.model)
    except Exception as exc:  # a missing model or chapter: say which, do not trace back
        print(f"python -m lib.ocr: cannot load the {args.model!r} model ({type(exc).__name__}: {exc})",
              file=sys.stderr)
        return 2
    status = 0
    for name in args.images:
        try:
            image = load_image(name)
        except DataError as exc:
            print(f"python -m lib.ocr: {exc}", file=sys.stderr)
            status = 1
            continue
        reading = read(image, score)
        if len(args.images) > 1:
            print(f"== {name}")
        print(reading.text_raw if args.raw else reading.text)
        if args.boxes:
            import matplotlib

            matplotlib.use("Agg")
            import matplotlib.pyplot as plt

            out = Path(args.boxes)
            if len(args.images) > 1:
                out = out.with_name(f"{out.stem}-{Path(name).stem}{out.suffix or '.png'}")
            from lib.ocr.figures import boxes_figure

            fig = boxes_figure(image, reading.detection.boxes)
            fig.savefig(out, dpi=100, bbox_inches="tight")
            plt.close(fig)
    return status


if __name__ == "__main__":
    sys.exit(main())
