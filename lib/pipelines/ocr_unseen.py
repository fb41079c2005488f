"""The unseen-style benchmark: the CER of ``lib.ocr.read_text`` per source (issue 20).

``run()`` reads, with every reader of ``lib.ocr.MODELS`` that can be loaded, the benchmark's
generated pages (``lib.data.synthetic.unseen``: lettering held out of every training and
tuning step, photographed on paper and whiteboards, some words with touching letters) and
the homework's four photos, and returns an :class:`UnseenResults`: one row per (reader,
source, page) with the errors and the time, and tables per source. Data, not sentences:
chapter 4 says what it means.

**Scoring.** Both texts go through ``lib.ocr.scorable`` (as chapter 4 scores the photos);
spaces and line breaks count. A source's CER is its total edit distance over the total length
of its true texts (``lib.metrics.edit_distance``); "unseen styles" pools every generated
source, and the worst generated source is named. Readers are scored as ``read_text`` returns
the text by default (no lexicon: raw CER).

**Readers.** A reader is a name in ``lib.ocr.MODELS`` (``read_text(image, name)``) or any
callable ``image -> text`` (:func:`score_pages`; never cached). Pages are cached by
``lib.data.synthetic.unseen``; each reading is cached per page under a key of the reader
(:func:`reader_key`: its name, the profile, the NIST36 data and the readers' code,
``lib.ocr``, ``lib.deep``, ``lib.nn``, the MLP modules) and of the page (a photo's file, a
generated page's key), so changing a reader or a page re-reads, and nothing else does.

The ``"validation"`` split (training and validation lettering, and pages written with the
NIST36 valid split's scans, ``unseen.SCANNED``) is read the same way for tuning:
``run(split="validation")``. Never choose anything on the ``"benchmark"`` split.

Example (a chapter cell)::

    from lib.pipelines import ocr_unseen
    U = ocr_unseen.run()
    Table(U.table())          # CER per source (rows) and reader (columns), pooled rows at the end
    U.data["benchmark"]       # the line naming the generated pages' data
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from lib import cache, config, fmt
from lib.data.synthetic import unseen
from lib.metrics import edit_errors

__all__ = ["PAGES", "PHOTOS", "Reader", "UnseenResults", "inputs", "reader_key", "run", "score_pages", "sources"]

#: Generated pages per source, per profile.
PAGES = {"full": 12, "quick": 1}
#: The source name of the homework's four photos.
PHOTOS = "homework photos"
#: Row names of the pooled rows of :meth:`UnseenResults.table`.
POOLED = "unseen styles (all generated)"
WORST = "worst generated source"

Reader = Callable[[np.ndarray], str]


def sources(split: str = "benchmark", photos: bool = True, scans: bool = True) -> tuple[str, ...]:
    """The sources scored, in table order: the generated ones, then the homework photos
    (benchmark) or the pages written with NIST36 valid scans (validation, ``scans``)."""
    if split not in unseen.SPLITS:
        raise ValueError(f"split must be one of {unseen.SPLITS}, not {split!r}")
    if split == "validation":
        return (*unseen.SOURCES, *((unseen.SCANNED,) if scans else ()))
    return (*unseen.SOURCES, *((PHOTOS,) if photos else ()))


def _photo_truth(name: str) -> str:
    from lib.ocr import scorable
    from lib.pipelines.ocr import TRUTH

    return scorable(TRUTH[name].replace(" / ", "\n"))


def _photo(name: str) -> np.ndarray:
    """A sample photo at the resolution this profile reads it (quick: half, as in chapter 4)."""
    from lib.data import load_sample_image

    image = load_sample_image(name)
    step = config.pick(full=1, quick=2)
    return np.ascontiguousarray(image[::step, ::step])


def missing_photos() -> list[str]:
    from lib.data import SAMPLE_IMAGES

    return [f"images/{n}.jpg" for n in SAMPLE_IMAGES if not (config.data_dir() / "images" / f"{n}.jpg").is_file()]


def inputs(split: str, source: str, n_pages: int) -> Iterator[tuple[str, np.ndarray, str]]:
    """``(page name, image, scorable true text)`` of a source, in order (photos: the four)."""
    from lib.ocr import scorable

    if source == PHOTOS:
        if split != "benchmark":
            raise ValueError("the homework photos belong to the benchmark split only")
        from lib.data import SAMPLE_IMAGES

        for name in SAMPLE_IMAGES:
            yield name, _photo(name), _photo_truth(name)
        return
    for i in range(n_pages):
        page = unseen.load_page(split, source, i)
        yield f"{source}-{i:03d}", page.image, scorable(page.text)


def page_info(split: str, source: str, page: str) -> dict:
    """Who wrote a page and how it was photographed: family, style, surface, ink (photos: "photo")."""
    if source == PHOTOS:
        return {"family": "homework photo", "style": "photo", "surface": "paper", "ink": "pen"}
    info = unseen.page_info(split, source, int(page.rsplit("-", 1)[1]))
    return {k: info.get(k) for k in ("family", "style", "surface", "ink")}


def _read(reader: str | Reader, image: np.ndarray) -> str:
    if callable(reader):
        return reader(image)
    from lib.ocr import read_text

    return read_text(image, reader)


def _score(reader: str | Reader, image: np.ndarray, truth: str) -> dict:
    from lib.metrics import edit_distance
    from lib.ocr import scorable

    start = time.perf_counter()
    text = _read(reader, image)
    seconds = time.perf_counter() - start
    return {"truth": truth, "read": scorable(text), "errors": edit_distance(scorable(text), truth),
            "characters": len(truth),
            "seconds": seconds, "pixels": int(image.shape[0] * image.shape[1])}


def score_pages(reader: str | Reader, split: str = "benchmark", source_names: tuple[str, ...] | None = None,
                n_pages: int | None = None, progress: bool = True) -> pd.DataFrame:
    """Read every page now (no cache for the readings; fresh times): one row per page.

    ``reader``: a name of ``lib.ocr.MODELS`` or a callable ``image -> text``. By default every
    source of the split is read (the homework photos only where the data folder has them).
    """
    from lib.progress import bar

    n = PAGES[config.profile()] if n_pages is None else int(n_pages)
    names = sources(split, photos=not missing_photos()) if source_names is None else tuple(source_names)
    _warm(reader)
    rows = []
    for source in names:
        items = inputs(split, source, n)
        for page, image, truth in (bar(items, desc=source, total=4 if source == PHOTOS else n) if progress else items):
            rows.append({"source": source, "page": page, **_score(reader, image, truth),
                         **page_info(split, source, page)})
    return pd.DataFrame(rows)


def _warm(reader: str | Reader) -> None:
    """Load the model (and the imports) once before any page is timed."""
    _read(reader, np.ones((48, 48, 3), np.float32))


#: The code a reader's output depends on (packages count with every module under them).
READER_CODE = ("lib.ocr", "lib.deep", "lib.nn", "lib.mlp", "lib.mlp_search", "lib.metrics",
               "lib.data.nist36", "lib.data.torch_datasets", "lib.data.images",
               # a reader trained on generated characters in the training styles depends on these
               "lib.data.synthetic.characters", "lib.data.synthetic.fonts", "lib.data.synthetic.strokes")


def reader_key(model: str) -> str:
    """What a named reader's output depends on: its name, the profile, NIST36 and
    :data:`READER_CODE`. Computed without importing torch, so a cache hit costs no model load."""
    from lib.data import nist36_fingerprint

    return cache.key("reader", model, config.profile(), data=(nist36_fingerprint(),), code=READER_CODE)


def _page_fingerprint(split: str, source: str, page: str) -> str:
    """A page's content: a photo's file digest, a generated page's key (its spec, fonts and code)."""
    if source == PHOTOS:
        return cache.file_digest(config.data_dir() / "images" / f"{page}.jpg")
    return unseen.source_page_key(split, source, int(page.rsplit("-", 1)[1]))


def _cached_read(model: str, split: str, source: str, page: str) -> dict:
    """One page read by a named reader, cached under the key of the reader and of the page."""

    def compute() -> dict:
        if source == PHOTOS:
            image, truth = _photo(page), _photo_truth(page)
        else:
            from lib.ocr import scorable

            p = unseen.load_page(split, source, int(page.rsplit("-", 1)[1]))
            image, truth = p.image, scorable(p.text)
        _warm(model)
        return _score(model, image, truth)

    key = cache.key("ocr-unseen-read", split, source, page,
                    data=(reader_key(model), _page_fingerprint(split, source, page)),
                    code=("lib.pipelines.ocr_unseen",))
    return cache.load_or_compute(cache.cache_path("ocr-unseen-read", key), compute)


def _page_names(split: str, source: str, n: int) -> list[str]:
    if source == PHOTOS:
        from lib.data import SAMPLE_IMAGES

        return list(SAMPLE_IMAGES)
    return [f"{source}-{i:03d}" for i in range(n)]


def _usable(model: str) -> str | None:
    """None if the reader can be loaded (trained on first use), else why not."""
    try:
        from lib.ocr import scorer

        scorer(model)
    except Exception as exc:  # a model whose data is missing (EMNIST offline): say so, go on
        return f"{type(exc).__name__}: {exc}".split("\n")[0]
    return None


# ---------------------------------------------------------------------------- results


def error_table(counts: Counter) -> pd.DataFrame:
    """Errors counted as ``(true, read)`` (``lib.metrics.edit_errors``) as a table, most frequent
    first, with spaces, line breaks and missing characters named."""
    show = {" ": "space", "\n": "line break", "": "nothing"}
    rows = [{"true": show.get(t, t), "read as": show.get(p, p), "times": c} for (t, p), c in counts.most_common()]
    return pd.DataFrame(rows, columns=["true", "read as", "times"])


@dataclass
class UnseenResults:
    """What the benchmark measured: one row per (reader, source, page), and its tables."""

    split: str
    profile: str
    n_pages: int                     # generated pages per source
    pages: pd.DataFrame              # model, source, page, truth, read, errors, characters, seconds, pixels,
    #                                  and who wrote the page: family, style, surface, ink
    models: tuple[str, ...]          # the readers scored, in order
    sources: tuple[str, ...]         # the sources scored, in order
    unavailable: dict[str, str] = field(default_factory=dict)   # reader or source -> why it was not scored
    data: dict[str, str] = field(default_factory=dict)          # "benchmark"/"validation"/"photos" -> data line

    @property
    def generated(self) -> tuple[str, ...]:
        return tuple(s for s in self.sources if s != PHOTOS)

    def cer(self) -> pd.DataFrame:
        """CER (a fraction) per source and reader, with the pooled and worst generated rows."""
        out = {}
        for m in self.models:
            d = self.pages[self.pages["model"] == m]
            per = d.groupby("source", sort=False)[["errors", "characters"]].sum()
            col = {s: per.loc[s, "errors"] / per.loc[s, "characters"] for s in self.sources if s in per.index}
            gen = per.loc[[s for s in self.generated if s in per.index]]
            if len(gen):
                col[POOLED] = gen["errors"].sum() / gen["characters"].sum()
                col[WORST] = (gen["errors"] / gen["characters"]).max()
            out[m] = col
        rows = [s for s in self.sources if any(s in c for c in out.values())]
        rows += [r for r in (POOLED, WORST) if any(r in c for c in out.values())]
        return pd.DataFrame(out, index=rows, columns=list(self.models))

    def cer_by(self, column: str, generated_only: bool = True) -> pd.DataFrame:
        """CER per value of a page column (``"family"``, ``"style"``, ``"ink"``, ...) and reader."""
        d = self.pages[self.pages["source"] != PHOTOS] if generated_only else self.pages
        g = d.groupby([column, "model"])[["errors", "characters"]].sum()
        cer = (g["errors"] / g["characters"]).unstack("model")
        pages = d[d["model"] == self.models[0]].groupby(column).size() if self.models else None
        out = cer.reindex(columns=list(self.models))
        if pages is not None:
            out.insert(0, "pages", pages.reindex(out.index))
        return out

    def _pages_of(self, model: str, source: str) -> pd.DataFrame:
        """``model``'s rows on ``source`` (``POOLED``: every generated source)."""
        d = self.pages[self.pages["model"] == model]
        return d[d["source"].isin(self.generated) if source == POOLED else d["source"] == source]

    def interval(self, model: str, source: str = POOLED, level: float = 0.95,
                 resamples: int = 10_000) -> tuple[float, float]:
        """A percentile bootstrap interval of ``model``'s CER on ``source`` (``POOLED``: over all
        generated pages): each source's pages drawn again with replacement, as many as it has
        (fixed seed), and the CER of the errors and characters drawn.

        Written here, not with ``scipy.stats.bootstrap``, because the pooled CER needs the
        draws made within each source: the benchmark has a fixed number of pages per source.
        """
        d = self._pages_of(model, source)
        if d.empty:
            raise ValueError(f"no pages of {model!r} on {source!r}")
        rng = np.random.default_rng(config.SEED)
        errors = characters = np.zeros(resamples)
        for _, pages in d.groupby("source", sort=True):
            pick = rng.integers(len(pages), size=(resamples, len(pages)))
            errors = errors + pages["errors"].to_numpy(float)[pick].sum(axis=1)
            characters = characters + pages["characters"].to_numpy(float)[pick].sum(axis=1)
        low, high = np.quantile(errors / np.maximum(characters, 1.0), [(1 - level) / 2, (1 + level) / 2])
        return float(low), float(high)

    def errors(self, model: str, source: str = POOLED) -> pd.DataFrame:
        """``model``'s errors on ``source`` (``POOLED``: all generated pages), most frequent first."""
        d = self._pages_of(model, source)
        return error_table(edit_errors(zip(d["read"], d["truth"], strict=True)))

    def worst_source(self, model: str) -> str:
        """The generated source on which ``model`` makes the most errors per character."""
        col = self.cer()[model]
        return str(col[list(self.generated)].astype(float).idxmax())

    def table(self) -> pd.DataFrame:
        """The chapter's table: pages, characters, and each reader's CER (as text) per source."""
        cer = self.cer()
        counts = (self.pages[self.pages["model"] == self.models[0]].groupby("source", sort=False)
                  .agg(pages=("page", "size"), characters=("characters", "sum"))) if self.models else None
        out = pd.DataFrame(index=cer.index)
        if counts is not None:
            gen = counts.loc[[s for s in self.generated if s in counts.index]]
            counts.loc[POOLED] = gen.sum()
            out["pages"] = counts["pages"].reindex(out.index).map(lambda v: "" if pd.isna(v) else str(int(v)))
            out["characters"] = counts["characters"].reindex(out.index).map(
                lambda v: "" if pd.isna(v) else str(int(v)))
        for m in self.models:
            out[f"CER {m.upper()}"] = cer[m].map(lambda v: "" if pd.isna(v) else fmt.pct(v))
        return out

    def times(self) -> pd.DataFrame:
        """Seconds per page (mean) and megapixels per page, per source and reader (as measured)."""
        d = self.pages.groupby(["source", "model"], sort=False).agg(
            seconds=("seconds", "mean"), megapixels=("pixels", lambda p: float(np.mean(p)) / 1e6))
        return d.unstack("model")


def run(models: tuple[str, ...] | None = None, split: str = "benchmark", n_pages: int | None = None,
        photos: bool = True) -> UnseenResults:
    """Read the split's pages (and, for the benchmark, the homework photos) with each reader.

    ``models`` default to every name in ``lib.ocr.MODELS``; a reader that cannot be loaded
    (its training data missing) is left out and named in ``unavailable``.
    """
    from lib.ocr import MODELS
    from lib.progress import bar

    profile = config.profile()
    n = PAGES[profile] if n_pages is None else int(n_pages)
    names = list(sources(split, photos))
    unavailable: dict[str, str] = {}
    if PHOTOS in names and missing_photos():
        names.remove(PHOTOS)
        unavailable[PHOTOS] = "not available: " + ", ".join(missing_photos())
    usable = []
    for m in (MODELS if models is None else models):
        why = _usable(m)
        if why:
            unavailable[m] = why
        else:
            usable.append(m)
    rows, infos = [], {}
    for m in usable:
        for source in names:
            for page in bar(_page_names(split, source, n), desc=f"{m} {source}"):
                r = _cached_read(m, split, source, page)
                rows.append({"model": m, "source": source, "page": page,
                             **{k: r[k] for k in ("truth", "read", "errors", "characters", "seconds", "pixels")},
                             **infos.setdefault((source, page), page_info(split, source, page))})
    pages = pd.DataFrame(rows, columns=["model", "source", "page", "truth", "read", "errors", "characters",
                                        "seconds", "pixels", "family", "style", "surface", "ink"])
    data = {split: unseen.describe(split)}
    if PHOTOS in names:
        from lib.data import source as data_source

        data["photos"] = data_source("images")
    return UnseenResults(split, profile, n, pages, tuple(usable), tuple(names), unavailable, data)
