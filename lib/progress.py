"""Progress bars for long work: tqdm in a terminal, silence in rendered pages.

The training loops in ``lib.nn`` and ``lib.deep`` follow the homework's import rules (no
tqdm), so they take an optional ``progress`` callable; report-facing code passes this one.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeVar

from lib import config

T = TypeVar("T")


def bar(iterable: Iterable[T], desc: str = "", total: int | None = None) -> Iterable[T]:
    """Wrap ``iterable`` in a tqdm bar when ``config.show_progress()``; else return it as is."""
    if not config.show_progress():
        return iterable
    from tqdm.auto import tqdm

    return tqdm(iterable, desc=desc, total=total, leave=False)


def counter(total: int | None, desc: str = "", **options):
    """A tqdm bar to ``update`` by hand (``lib.deep.train.fit``'s ``progress``; downloads pass
    tqdm's ``initial``, ``unit``, ...), or None when ``config.show_progress()`` is false."""
    if not config.show_progress():
        return None
    from tqdm.auto import tqdm

    return tqdm(total=total, desc=desc, leave=False, **options)
