"""``python -m lib.pipelines [NAME ...]``: warm the cache and record every chapter's results."""

from __future__ import annotations

import argparse
import importlib
import sys
import time

from lib import config, results
from lib.data.errors import DataError
from lib.pipelines import PIPELINES


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m lib.pipelines", description=__doc__)
    parser.add_argument("names", nargs="*", help=f"subset of {', '.join(PIPELINES)}")
    parser.add_argument("--results", help="also write the merged results JSON here")
    args = parser.parse_args(argv)
    unknown = set(args.names) - set(PIPELINES)
    if unknown:
        parser.error(f"unknown pipeline(s) {sorted(unknown)}; choose from {list(PIPELINES)}")
    for name in args.names or PIPELINES:
        start = time.perf_counter()
        try:
            importlib.import_module(f"lib.pipelines.{name}").run()
        except DataError as exc:  # e.g. a partial dataset: the message says what to do
            print(f"python -m lib.pipelines {name}: error: {exc}", file=sys.stderr)
            return 1
        seconds = time.perf_counter() - start
        results.record_timing(name, seconds)
        print(f"[{config.profile()}] {name}: {seconds:.1f} s", file=sys.stderr)
    if args.results:
        results.write(args.results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
