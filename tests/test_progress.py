"""lib.progress: the one progress mechanism (tqdm in a terminal, nothing in rendered pages)."""

from __future__ import annotations

import io

from lib import config, progress


def test_quiet_where_progress_is_not_shown(monkeypatch):
    monkeypatch.setattr(config, "show_progress", lambda: False)
    items = [1, 2, 3]
    assert progress.bar(items, desc="x") is items
    assert progress.counter(10, "x") is None


def test_bars_in_a_terminal_take_tqdm_options(monkeypatch):
    monkeypatch.setattr(config, "show_progress", lambda: True)
    out = io.StringIO()
    bar = progress.counter(1000, "download", initial=400, unit="B", unit_scale=True, file=out)
    try:
        bar.update(100)
        assert (bar.total, bar.n, bar.unit) == (1000, 500, "B")
    finally:
        bar.close()
    assert "download" in out.getvalue()
    assert list(progress.bar(range(3), desc="epochs")) == [0, 1, 2]
