"""The unseen-style benchmark (lib.pipelines.ocr_unseen, bench/ocr_unseen.py) with stand-in readers.

Pages are small generated pages (the real ones take seconds each); the readers are callables
or names whose loading is faked, so these tests check the bookkeeping: which pages are read,
how the CER is pooled per source, what is cached and what is reported as unavailable.
"""

from __future__ import annotations

import functools
import importlib.util
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from lib.data.synthetic import heldout, unseen
from lib.data.synthetic.photo import render_photo
from lib.pipelines import ocr_unseen as U

ROOT = Path(__file__).resolve().parents[2]


@functools.cache
def _small_page(split: str, source: str, index: int):
    # the scanned-handwriting pages stand in as small pages of fonts: no NIST36 files here
    spec = unseen.page_spec(split, source if source in unseen.SOURCES else "fonts-paper", index)
    text = "AB CD" if index % 2 == 0 else "EFG\nH1"
    return render_photo(text, spec.seed, spec.fonts[:1], replace(spec.params, height=(26.0, 28.0)))


@pytest.fixture
def small_pages(monkeypatch, data_dir):
    """Tiny pages for every (split, source, index); an empty data directory (no photos)."""
    monkeypatch.setattr(unseen, "load_page", _small_page)
    monkeypatch.setattr(unseen, "page_info", lambda *page: _small_page(*page).info)
    return data_dir


def perfect(image):
    """A reader that knows the answer (found by the image's size)."""
    for key in [(s, src, i) for s in unseen.SPLITS for src in unseen.SOURCES for i in range(4)]:
        page = _small_page(*key)
        if page.image.shape == image.shape and np.array_equal(page.image, image):
            return page.text
    return ""


def test_scores_every_source_and_pools_the_generated_ones(small_pages):
    def one_wrong(image):
        text = perfect(image)
        return "X" + text[1:] if text else "?"

    df = U.score_pages(one_wrong, "benchmark", n_pages=2, progress=False)
    assert list(df["source"].unique()) == list(unseen.SOURCES)     # no photos in an empty data folder
    assert len(df) == 2 * len(unseen.SOURCES)
    assert (df["errors"] == 1).all() and set(df["characters"]) == {5, 6}
    df.insert(0, "model", "stub")
    r = U.UnseenResults("benchmark", "full", 2, df, ("stub",), tuple(unseen.SOURCES))
    cer = r.cer()["stub"]
    assert cer["touching"] == pytest.approx(2 / 11)
    assert cer[U.POOLED] == pytest.approx(8 / 44) and cer[U.WORST] == pytest.approx(2 / 11)
    table = r.table()
    assert list(table.index) == [*unseen.SOURCES, U.POOLED, U.WORST]
    assert table.loc[U.POOLED, "pages"] == "8" and table.loc["touching", "CER STUB"] == "18.2%"


def _pages(errors_per_source: dict[str, list[int]], characters: int = 100):
    rows = [{"model": "stub", "source": src, "page": f"p{i}", "errors": e, "characters": characters}
            for src, errs in errors_per_source.items() for i, e in enumerate(errs)]
    return U.UnseenResults("benchmark", "full", 0, pd.DataFrame(rows), ("stub",), tuple(errors_per_source))


def test_the_bootstrap_interval_holds_the_cer_and_narrows_with_more_pages():
    few = _pages({"touching": [2, 10], "whiteboard": [0, 1]})
    many = _pages({"touching": [2, 10] * 8, "whiteboard": [0, 1] * 8})
    low, high = few.interval("stub", "touching")
    assert low < few.cer().loc["touching", "stub"] < high and 0.02 <= low and high <= 0.10
    wide, narrow = few.interval("stub"), many.interval("stub")
    assert narrow[1] - narrow[0] < wide[1] - wide[0]
    assert few.interval("stub", "touching") == (low, high)  # seeded
    assert _pages({"touching": [3, 3, 3]}).interval("stub", "touching") == pytest.approx((0.03, 0.03))


def test_the_pooled_interval_draws_pages_within_each_source():
    # every touching page has 10 errors, every whiteboard page none: drawn within each source,
    # the pooled CER is always 5%; drawn across sources it would vary
    r = _pages({"touching": [10, 10, 10], "whiteboard": [0, 0, 0]})
    assert r.interval("stub") == pytest.approx((0.05, 0.05))


def test_errors_are_counted_per_source_and_over_all_generated_pages():
    rows = [{"model": "stub", "source": src, "page": page, "truth": truth, "read": read}
            for src, page, truth, read in [("touching", "p0", "MIN", "MN"), ("touching", "p1", "LI", "L"),
                                           ("whiteboard", "p0", "TO DO", "T0 DO"), (U.PHOTOS, "01", "A", "")]]
    r = U.UnseenResults("benchmark", "full", 2, pd.DataFrame(rows), ("stub",), ("touching", "whiteboard", U.PHOTOS))
    touching = r.errors("stub", "touching")
    assert touching.to_dict("records") == [{"true": "I", "read as": "nothing", "times": 2}]
    pooled = r.errors("stub")  # the generated pages only: the photo's missing A is not among them
    assert pooled["times"].sum() == 3 and "A" not in set(pooled["true"])


def test_photos_are_a_source_of_the_benchmark_only():
    assert U.sources("benchmark")[-1] == U.PHOTOS
    assert U.PHOTOS not in U.sources("validation") and U.PHOTOS not in U.sources("benchmark", photos=False)
    with pytest.raises(ValueError, match="split"):
        U.sources("test")


def test_run_reads_each_named_reader_once_per_page_and_caches(small_pages, monkeypatch):
    calls = []

    def fake_read(reader, image):
        calls.append(reader)
        return perfect(image) if reader == "good" else ""

    monkeypatch.setattr(U, "_read", fake_read)
    monkeypatch.setattr(U, "_usable", lambda m: None if m in ("good", "blank") else "RuntimeError: no data")
    monkeypatch.setattr(U, "reader_key", lambda m: f"key-{m}")
    r = U.run(models=("good", "blank", "broken"), n_pages=2)
    assert r.models == ("good", "blank") and "broken" in r.unavailable
    assert U.PHOTOS in r.unavailable and U.PHOTOS not in r.sources  # empty data folder
    cer = r.cer()
    assert (cer["good"] == 0).all() and (cer.loc[list(unseen.SOURCES), "blank"] == 1).all()
    n_reads = len(calls)
    assert n_reads == 2 * 2 * len(unseen.SOURCES) * 2  # a warm-up and a reading per page
    again = U.run(models=("good", "blank"), n_pages=2)
    assert len(calls) == n_reads                        # every reading from the cache
    assert again.pages.equals(r.pages)
    monkeypatch.setattr(unseen, "page_key", lambda spec: f"changed {spec.index}")
    U.run(models=("good",), n_pages=1)                  # a page that changed is read again
    assert len(calls) == n_reads + len(unseen.SOURCES) * 2
    assert "SYNTHETIC" in r.data["benchmark"] and r.times().shape[0] == len(unseen.SOURCES)
    by_family = r.cer_by("family")
    assert set(by_family.index) <= heldout.HELDOUT_FAMILIES and by_family["pages"].sum() == 2 * len(unseen.SOURCES)
    assert (by_family["good"] == 0).all() and (by_family["blank"] == 1).all()
    assert set(r.pages["surface"]) == {"paper", "whiteboard"}


def test_validation_split_is_read_the_same_way(small_pages):
    df = U.score_pages(perfect, "validation", n_pages=1, progress=False)
    assert set(df["source"]) == {*unseen.SOURCES, unseen.SCANNED} and (df["errors"] == 0).all()


def test_reader_key_follows_the_readers_code(monkeypatch):
    a = U.reader_key("cnn")
    assert a == U.reader_key("cnn") != U.reader_key("mlp")
    monkeypatch.setattr(U, "READER_CODE", U.READER_CODE + ("lib.pipelines.ocr_unseen",))
    assert U.reader_key("cnn") != a


def _bench():
    spec = importlib.util.spec_from_file_location("bench_ocr_unseen", ROOT / "bench" / "ocr_unseen.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_bench_script_prints_a_table_per_reader_and_side_by_side(small_pages, capsys):
    bench = _bench()
    assert bench.main(["--model", "--reader", "tests.pipelines.test_ocr_unseen:perfect", "--pages", "1",
                       "--by", "style"]) == 0
    out = capsys.readouterr().out
    assert "== reader tests.pipelines.test_ocr_unseen:perfect" in out and "== CER side by side" in out
    assert "== CER of the generated pages by style" in out
    assert U.POOLED in out and "s/page" in out and "0.00% to 0.00%" in out
    assert out.strip().splitlines()[-1] == "tests.pipelines.test_ocr_unseen:perfect_cer=0.0000"
    with pytest.raises(SystemExit, match="unknown reader"):
        bench.main(["--model", "nonesuch"])


def test_the_benchmark_pages_are_in_heldout_lettering_only():
    for source in unseen.SOURCES:
        spec = unseen.page_spec("benchmark", source, 0)
        assert spec.fonts and all(heldout.is_heldout(f) for f in spec.fonts)
