"""Chapter 4 (Extract text from images, Q4.1-Q4.4): boxes, crops, text and its error rate.

``run()`` returns an :class:`OCRResults` with everything chapter 4 shows and records Q4.1 ...
Q4.4:

* the four sample photos: boxes found (vs the number of characters in the true text), lines,
  the time ``find_letters`` took, and the text read by the numpy MLP of chapter 3 and by the
  CNN of chapter 7, with and without the word-level rule, each scored by its character error
  rate (CER) against the true text;
* a benchmark on generated handwriting pages (``lib.data.synthetic.make_page``: exact boxes
  and text): box recall and precision at IoU >= 0.5, layout, CER;
* two generated pages on which the simple method fails (Q4.1).

**Scoring rule.** Both texts go through ``lib.ocr.scorable``: upper case; characters the 36
classes cannot express (the periods after the list numbers of 01_list) are dropped; spaces
and line breaks count as characters. The overall CER is the total edit distance over the
total length of the true texts (every character weighs the same).

Everything expensive is cached (code + data + profile), so the chapter's cells load it. The
quick profile reads the photos at half resolution and benchmarks 4 pages instead of 20.
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from lib import cache, config, fmt, results
from lib.data import (
    CLASSES,
    SAMPLE_IMAGES,
    load_nist36,
    load_sample_image,
    nist36_source,
    source,
)
from lib.metrics import cer, edit_distance, edit_errors, match_boxes, recall_precision
from lib.ocr import detect, read, read_detection, scorable, scorer
from lib.ocr.crops import crop_rows
from lib.ocr.recognize import ReadOptions, words_of

__all__ = ["CODE", "MODELS", "OCRResults", "TRUTH", "failure_pages", "photo", "run"]

#: The true text of each sample photo, read off the photos; " / " separates lines.
TRUTH = {
    "01_list": "TO DO LIST / 1 MAKE A TO DO LIST / 2 CHECK OFF THE FIRST / THING ON TO DO LIST / "
               "3 REALIZE YOU HAVE ALREADY / COMPLETED 2 THINGS / 4 REWARD YOURSELF WITH / A NAP",
    "02_letters": "ABCDEFG / HIJKLMN / OPQRSTU / VWXYZ / 1234567890",
    "03_haiku": "HAIKUS ARE EASY / BUT SOMETIMES THEY DONT MAKE SENSE / REFRIGERATOR",
    "04_deep": "DEEP LEARNING / DEEPER LEARNING / DEEPEST LEARNING",
}
MODELS = ("mlp", "cnn", "reader")
MODEL_NAMES = {"mlp": "numpy MLP (ch. 3)", "cnn": "CNN (ch. 7)", "reader": "reader CNN"}
#: Q4.4's steps, each adding one to the previous: the key of each step's texts and its label
#: (a label must not start with "+": in a PDF table cell Typst reads it as a numbered list).
STEPS = {"argmax": "network's own (argmax per box)", "averaged": "then averaging over crop variants",
         "segmented": "then recognition-driven segmentation", "rule": "then the word rule (final)"}
#: Modules whose source the cached results depend on.
CODE = ("lib.ocr", "lib.metrics", "lib.mlp", "lib.mlp_search", "lib.nn", "lib.data.synthetic")
#: Generated pages of the benchmark, per profile.
BENCH_PAGES = {"full": 20, "quick": 4}
#: The photo whose crops the chapter shows next to training samples.
CROPS_PHOTO = "01_list"


def truth_text(name: str) -> str:
    """The scorable true text of a sample photo, lines separated by newlines."""
    return scorable(TRUTH[name].replace(" / ", "\n"))


def photo(name: str) -> np.ndarray:
    """A sample photo at the resolution this profile reads it (quick: half)."""
    image = load_sample_image(name)
    step = config.pick(full=1, quick=2)  # quick profile: half resolution
    return np.ascontiguousarray(image[::step, ::step])


def missing_photos() -> list[str]:
    """The sample photos missing from the data directory (``images/01_list.jpg``, ...)."""
    return [f"images/{n}.jpg" for n in SAMPLE_IMAGES if not (config.data_dir() / "images" / f"{n}.jpg").is_file()]


def _photo_digests() -> tuple[str, ...]:
    """The sample photos' file digests: the data of every result read off them."""
    return tuple(cache.file_digest(config.data_dir() / "images" / f"{n}.jpg") for n in SAMPLE_IMAGES)


def _model_keys(*models: str) -> tuple[str, ...]:
    """What each model's output depends on (``ocr_unseen.reader_key``: profile, data, code);
    computed without importing torch, so a cache hit costs no model load."""
    from lib.pipelines.ocr_unseen import reader_key

    return tuple(reader_key(m) for m in models)


def _cached(name: str, compute, *config_parts, data=(), code=()) -> dict:
    """``compute()`` cached under ``name``, the profile, the ``config_parts``, the ``data``
    fingerprints and the source of this module, :data:`CODE` and ``code``."""
    key = cache.key(name, config.profile(), *config_parts, data=data, code=(__name__, *CODE, *code))
    return cache.load_or_compute(cache.cache_path(name, key), compute)


# ---------------------------------------------------------------------------- photos


def _detections() -> dict:
    """find_letters on each photo: boxes, lines, spaces, seconds; crops of one photo (cached)."""
    return _cached("ocr-detect", _detect_photos, data=_photo_digests())


def _detect_photos() -> dict:
    out: dict = {"lines": {}, "spaces": {}, "seconds": {}, "shape": {}, "angle": {}}
    for name in SAMPLE_IMAGES:
        image = photo(name)
        detect(image[:64, :64])  # warm-up (imports, caches) outside the timing
        start = time.perf_counter()
        det = detect(image)
        out["seconds"][name] = time.perf_counter() - start
        out[f"boxes_{name}"] = det.boxes
        out["lines"][name] = det.lines
        out["spaces"][name] = det.spaces
        out["shape"][name] = list(image.shape)
        out["angle"][name] = float(np.rad2deg(det.angle))
        if name == CROPS_PHOTO:
            out["crops"] = crop_rows(det)
    return out


def _readings(model: str) -> dict:
    """Each photo's text after each step of reading (``STEPS``), and with the lexicon (cached)."""
    return _cached("ocr-read", lambda: _read_photos(model), model, data=(*_model_keys(model), *_photo_digests()))


def _read_photos(model: str) -> dict:
    from lib.ocr.layout import text_from
    from lib.ocr.lexicon import correct

    score = scorer(model)
    out: dict = {step: {} for step in (*STEPS, "lexicon")}
    out["seconds"] = {}
    for name in SAMPLE_IMAGES:
        det = detect(photo(name))
        out["argmax"][name] = read_detection(det, score, ReadOptions.raw()).text
        out["averaged"][name] = read_detection(det, score, ReadOptions(segment=False)).text_raw
        start = time.perf_counter()
        final = read_detection(det, score)
        out["seconds"][name] = time.perf_counter() - start
        out["segmented"][name] = final.text_raw
        out["rule"][name] = final.text
        labels, _ = correct(final.labels, final.scores, words_of(final.lines, final.spaces))
        out["lexicon"][name] = text_from([CLASSES[k] for k in labels], final.lines, final.spaces)
        out[f"labels_{name}"] = final.labels
    return out


# ---------------------------------------------------------------------------- benchmark


def _layout_of(text: str) -> str:
    return "\n".join(" ".join("#" * len(w) for w in line.split()) for line in text.split("\n"))


def _benchmark(n_pages: int, seed: int, models: tuple) -> dict:
    """Generated pages: boxes (recall, precision), layout and per-model CER, per page (cached)."""
    return _cached("ocr-bench", lambda: _bench_pages(n_pages, seed, models), n_pages, seed, models,
                   data=_model_keys(*models))


def _bench_pages(n_pages: int, seed: int, models: tuple) -> dict:
    from lib.data.synthetic import make_page, random_text
    from lib.ocr.layout import text_from

    scorers = {m: scorer(m) for m in models}
    rows = []
    for k in range(n_pages):
        image, text, boxes = make_page(random_text(seed + k), seed + k)
        det = detect(image)
        truth = scorable(text)
        row = {"page": k, "pixels": int(image.shape[0] * image.shape[1]), "expected": len(boxes),
               "found": len(det.boxes), "matched": match_boxes(det.boxes, boxes),
               "layout_ok": text_from(["#"] * len(det.boxes), det.lines, det.spaces) == _layout_of(text),
               "truth_chars": len(truth)}
        for m, score in scorers.items():
            reading = read_detection(det, score)
            row[f"{m}_raw_errors"] = edit_distance(scorable(reading.text_raw), truth)
            row[f"{m}_rule_errors"] = edit_distance(scorable(reading.text), truth)
        rows.append(row)
    return {"rows": rows}


# ---------------------------------------------------------------------------- unseen styles


#: The goals the reader CNN is held to: raw CER over the unseen styles, on their worst source
#: and on the homework photos; seconds per 12-megapixel photo, the first of a call (model
#: loading excluded) and each further one.
GOALS = {"unseen": 0.03, "worst source": 0.05, "photos": 0.005, "first photo": 2.0, "further photo": 1.0}
#: The versions of reading compared on the unseen-style benchmark: the first version (its
#: segmentation, and for the reader CNN its training) and the reading as it is now.
VERSIONS = ("first", "now")
#: The benchmark table's columns: (label, model, version).
UNSEEN_COLUMNS = tuple((f"{'reader' if m == 'reader' else m.upper()}, {'first version' if v == 'first' else 'now'}", m, v)
                       for m in ("mlp", "cnn", "reader") for v in VERSIONS)


def _version_reader(model: str, version: str):
    """The classifier and the reading options of ``model`` in ``version`` (lexicon on: the
    reading keeps the text before it too)."""
    from lib.ocr import segment, segment_params

    params = segment.FIRST_VERSION if version == "first" else segment_params(model)
    if model == "reader" and version == "first":
        from lib.deep import reader

        score = reader.classifier_from(reader.trained_reader(reader.first_version_config()).model)
    else:
        score = scorer(model)
    return score, ReadOptions(lexicon=True, params=params)


def _unseen_read(model: str, version: str, split: str, n_pages: int, photos: bool) -> dict:
    """The benchmark read by ``model`` in ``version``: one row per page, with the errors of the
    text as read (raw) and after the lexicon (cached; ``photos``: the homework photos too)."""
    from lib.pipelines import ocr_unseen

    pages = [ocr_unseen._page_fingerprint(split, name, page) for name in ocr_unseen.sources(split, photos=photos)
             for page in ocr_unseen._page_names(split, name, n_pages)]
    return _cached("ocr-unseen-versions", lambda: _read_unseen(model, version, split, n_pages, photos),
                   model, version, split, n_pages, photos, data=(*_model_keys(model), *pages),
                   code=("lib.pipelines.ocr_unseen",))


def _read_unseen(model: str, version: str, split: str, n_pages: int, photos: bool) -> dict:
    from lib.ocr.lexicon import load as load_lexicon
    from lib.pipelines import ocr_unseen

    score, options = _version_reader(model, version)
    lexicon = load_lexicon()
    names = ocr_unseen.sources(split, photos=photos)
    rows = []
    for name in names:
        for page, image, truth in ocr_unseen.inputs(split, name, n_pages):
            start = time.perf_counter()
            r = read(image, score, options=options, lexicon=lexicon)
            seconds = time.perf_counter() - start
            raw, corrected = scorable(r.text_before_lexicon), scorable(r.text)
            rows.append({"source": name, "page": page, "truth": truth, "read": raw, "read_lexicon": corrected,
                         "errors": edit_distance(raw, truth), "errors_lexicon": edit_distance(corrected, truth),
                         "characters": len(truth), "seconds": seconds, "pixels": int(image.shape[0] * image.shape[1]),
                         **ocr_unseen.page_info(split, name, page)})
    return {"rows": rows}


@dataclass
class UnseenBenchmark:
    """The unseen-style benchmark, first version and now, per source (``lib.pipelines.ocr_unseen``).

    ``raw`` and ``lexicon`` are ``ocr_unseen.UnseenResults`` with one pseudo-model per column
    of ``UNSEEN_COLUMNS`` (the text as read, and corrected by the lexicon).
    """

    raw: object
    lexicon: object
    columns: tuple[str, ...]        # the column labels present, in order
    unavailable: dict[str, str]
    data: dict[str, str]

    def cer(self, lexicon: bool = False) -> pd.DataFrame:
        """CER (fractions): sources, the pooled generated row and the worst generated source."""
        return (self.lexicon if lexicon else self.raw).cer()[list(self.columns)]

    def column(self, model: str, version: str) -> str | None:
        """The label of ``model`` in ``version`` (None if it was not read in this build)."""
        label = next(lab for lab, m, v in UNSEEN_COLUMNS if (m, v) == (model, version))
        return label if label in self.columns else None

    def counts(self) -> pd.DataFrame:
        """Pages and characters per source (rows as :meth:`cer`'s; the worst-source row empty)."""
        from lib.pipelines import ocr_unseen

        d = self.raw.pages[self.raw.pages["model"] == self.columns[0]] if self.columns else self.raw.pages
        out = d.groupby("source", sort=False).agg(pages=("page", "size"), characters=("characters", "sum"))
        gen = out.loc[[s for s in self.raw.generated if s in out.index]]
        out.loc[ocr_unseen.POOLED] = gen.sum()
        return out.reindex(self.cer().index).astype("Int64")

    def seconds(self, column: str) -> dict[str, float]:
        d = self.raw.pages[self.raw.pages["model"] == column]
        return {"mean": float(d["seconds"].mean()), "megapixels": float(d["pixels"].mean() / 1e6)}


def unseen(split: str = "benchmark") -> UnseenBenchmark:
    """Every column of ``UNSEEN_COLUMNS`` that can be read in this build (cached)."""
    from lib.pipelines import ocr_unseen

    n = ocr_unseen.PAGES[config.profile()]
    names = list(ocr_unseen.sources(split))
    unavailable: dict[str, str] = {}
    if ocr_unseen.PHOTOS in names and ocr_unseen.missing_photos():
        names.remove(ocr_unseen.PHOTOS)
        unavailable[ocr_unseen.PHOTOS] = "not available: " + ", ".join(ocr_unseen.missing_photos())
    photos = ocr_unseen.PHOTOS in names
    frames, columns = [], []
    for label, model, version in UNSEEN_COLUMNS:
        why = ocr_unseen._usable(model)
        if why:
            unavailable[model] = why
            continue
        try:
            rows = _unseen_read(model, version, split, n, photos)["rows"]
        except Exception as exc:  # the first version's training data missing: say so, go on
            unavailable[label] = f"{type(exc).__name__}: {exc}".split("\n")[0]
            continue
        d = pd.DataFrame(rows)
        d["model"] = label
        frames.append(d)
        columns.append(label)
    pages = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(
        columns=["model", "source", "page", "errors", "errors_lexicon", "characters", "seconds", "pixels"])
    lex = pages.drop(columns=["errors"]).rename(columns={"errors_lexicon": "errors"})
    data = {split: ocr_unseen.unseen.describe(split)}
    if photos:
        data["photos"] = source("images")
    make = lambda frame: ocr_unseen.UnseenResults(split, config.profile(), n, frame, tuple(columns),  # noqa: E731
                                                  tuple(names), dict(unavailable), data)
    return UnseenBenchmark(make(pages.drop(columns=["errors_lexicon"])), make(lex), tuple(columns), unavailable,
                           data)


#: Validation pages per generated source for the widening comparison.
WIDENING_PAGES = {"full": 4, "quick": 1}


def _widening(model: str, n_pages: int, photos: bool) -> dict:
    """Errors of ``model`` with condensed writing widened (``SegmentParams.max_stretch``) and
    without, on the validation pages and on the homework photos, and each photo's factor (cached)."""
    from lib.pipelines import ocr_unseen

    pages = [ocr_unseen._page_fingerprint("validation", src, page) for src in ocr_unseen.sources("validation", scans=False)
             for page in ocr_unseen._page_names("validation", src, n_pages)]
    return _cached("ocr-widening", lambda: _widen(model, n_pages, photos), model, n_pages, photos,
                   data=(*_model_keys(model), *pages, *(_photo_digests() if photos else ())),
                   code=("lib.pipelines.ocr_unseen",))


def _widen(model: str, n_pages: int, photos: bool) -> dict:
    from lib.ocr import segment, segment_params
    from lib.pipelines import ocr_unseen

    score = scorer(model)
    own = segment_params(model)
    options = {"widened": ReadOptions(params=own),
               "not widened": ReadOptions(params=dataclasses.replace(own, max_stretch=0.0))}
    rows = []
    groups = [("validation pages", "validation", src) for src in ocr_unseen.sources("validation", scans=False)]
    if photos:
        groups.append(("homework photos", "benchmark", ocr_unseen.PHOTOS))
    for group, split, src in groups:
        for page, image, truth in ocr_unseen.inputs(split, src, n_pages):
            det = detect(image)
            row = {"group": group, "page": page, "characters": len(truth),
                   "factor": segment.writing_stretch(det)}
            for name, opt in options.items():
                row[name] = edit_distance(scorable(read_detection(det, score, opt).text), truth)
            rows.append(row)
    return {"rows": rows}


def widening(model: str = "mlp") -> pd.DataFrame | None:
    """Per page (validation pages, homework photos): characters, the widening factor reading
    applies, and the errors of ``model`` with and without it (cached); None without the model."""
    try:
        out = _widening(model, WIDENING_PAGES[config.profile()], not missing_photos())
    except Exception:  # the model's data missing: the chapter says so
        return None
    return pd.DataFrame(out["rows"])


def reader_summary() -> dict:
    """The reader CNN's configuration, training data and validation accuracies (data only).

    ``{"available": False, "why": ...}`` when it cannot be trained in this build.
    """
    try:
        from lib.deep import reader

        cfg = reader.reader_config()
        rep = reader.report(cfg)
    except Exception as exc:  # EMNIST or the fonts missing: say so, the chapter goes on
        return {"available": False, "why": f"{type(exc).__name__}: {exc}".split("\n")[0]}
    counts = dict(rep["counts"])
    prepared = rep.get("prepared_counts", {})
    counts.update({k: v for k, v in prepared.items()
                   if k.startswith(("cut out of touching pairs", "candidates of segmented pages"))})
    rows = [{"data": name, "images": int(rep["valid_n"][name]), "accuracy": acc}
            for name, acc in rep["valid_acc"].items()]
    X_valid = load_nist36("valid")[1]
    rows.append({"data": f"NIST36 valid ({nist36_source()}), not held out", "images": len(X_valid),
                 "accuracy": rep["nist36_valid_acc_not_held_out"]})
    # the candidates of segmented pages come on top of the (possibly subsampled) images
    mined = sum(v for k, v in counts.items() if k.startswith("candidates of segmented pages"))
    drawn = sum(counts.values()) - mined
    n_train = (drawn if cfg.subset is None else min(cfg.subset, drawn)) + mined
    return {
        "available": True, "counts": counts, "total": n_train, "subset": cfg.subset,
        "reject": int(prepared.get("not a character (generated)", cfg.reject_fraction * n_train)),
        "styled": cfg.styled_fraction, "touching_pieces": cfg.touching_fraction, "mined_pages": cfg.mined_pages,
        "mined_touching": cfg.mined_touching, "whole_width": cfg.whole_width,
        "pen": cfg.style.pen, "condense": cfg.style.condense, "slant": cfg.style.slant,
        "rotate": cfg.style.rotate_deg, "channels": cfg.spec.channels, "hidden": cfg.spec.hidden,
        "epochs": cfg.train.epochs, "valid": pd.DataFrame(rows).set_index("data").rename_axis(None),
        "missing": rep.get("missing", {}), "seconds": rep.get("seconds", {}),
        "emnist_source": source("emnist") if "EMNIST" not in rep.get("missing", {}) else "",
        "first_families": reader.FIRST_FAMILIES,
        "first_channels": reader.first_version_config().spec.channels,
        "first_epochs": reader.first_version_config().train.epochs,
    }


# ---------------------------------------------------------------------------- speed

#: Photos timed from the command line, in this order: (sample photo, megapixels to scale it to;
#: None: as it is). 04_deep is a 12-megapixel phone photo; the others are scaled up to one.
SPEED_PHOTOS = (("04_deep", None), ("01_list", 12.0), ("02_letters", 12.0), ("03_haiku", 12.0))
#: Calls timed (the medians are reported).
SPEED_CALLS = 3


def _cli_speed(model: str) -> dict:
    """``python -m lib.ocr`` timed on the photos (cached; see :func:`_time_cli`)."""
    return _cached("ocr-speed", lambda: _time_cli(model), model, SPEED_PHOTOS, SPEED_CALLS,
                   data=(*_model_keys(model), *_photo_digests()))


def _time_cli(model: str) -> dict:
    """``python -m lib.ocr --json`` on the photos of ``SPEED_PHOTOS`` in one call, ``SPEED_CALLS``
    times: each photo's seconds (decode, detect, read) as the command reports them and the whole
    call's, the median over the calls (one call on a shared machine is easily slowed by other
    jobs), and the machine's load average (1 minute) before the first call and after the last."""
    import json
    import os
    import subprocess
    import sys
    import tempfile

    from PIL import Image

    with tempfile.TemporaryDirectory() as tmp:
        paths, pixels = [], []
        for name, megapixels in SPEED_PHOTOS:
            src = config.data_dir() / "images" / f"{name}.jpg"
            with Image.open(src) as im:
                if megapixels is None:
                    paths.append(str(src))
                    pixels.append(im.size[0] * im.size[1])
                    continue
                f = (megapixels * 1e6 / (im.size[0] * im.size[1])) ** 0.5
                size = (round(im.size[0] * f), round(im.size[1] * f))
                path = os.path.join(tmp, f"{name}-{megapixels:g}mp.jpg")
                im.convert("RGB").resize(size, Image.LANCZOS).save(path, quality=92)
            paths.append(path)
            pixels.append(size[0] * size[1])
        before = os.getloadavg()[0]
        calls, totals = [], []
        for _ in range(SPEED_CALLS):
            start = time.perf_counter()
            done = subprocess.run([sys.executable, "-m", "lib.ocr", "--model", model, "--json", *paths],
                                  capture_output=True, text=True, cwd=config.PROJECT_ROOT, check=True)
            totals.append(time.perf_counter() - start)
            calls.append(json.loads(done.stdout)["photos"])
        after = os.getloadavg()[0]
    rows = []
    for k, ((name, megapixels), n) in enumerate(zip(SPEED_PHOTOS, pixels, strict=True)):
        ph = calls[0][k]
        chars = sum(len(c["chars"]) for line in ph["lines"] for c in line["words"])
        seconds = {part: float(np.median([call[k]["seconds"][part] for call in calls])) for part in ph["seconds"]}
        rows.append({"photo": name if megapixels is None else f"{name} (scaled to {megapixels:g} MP)",
                     "megapixels": n / 1e6, "characters": chars, **seconds})
    return {"rows": rows, "total": float(np.median(totals)), "load": [before, after], "cpus": os.cpu_count(),
            "calls": SPEED_CALLS}


def cli_speed(model: str = "reader") -> dict | None:
    """Seconds per photo of one ``python -m lib.ocr`` call (see ``_cli_speed``); None without
    the sample photos or the model."""
    if missing_photos():
        return None
    try:
        out = _cli_speed(model)
    except Exception:  # the model's data missing, or the command failed: the chapter says so
        return None
    table = pd.DataFrame(out["rows"]).set_index("photo").rename_axis(None)
    table["total"] = table[["load", "detect", "read"]].sum(axis=1)
    return {"table": table, "total": out["total"], "load": out["load"], "cpus": out["cpus"], "calls": out["calls"],
            "startup": out["total"] - float(table["total"].sum())}


# ---------------------------------------------------------------------------- Q4.1


def failure_pages(seed: int = config.SEED) -> list[dict]:
    """The two Q4.1 pages (cached): image, text, true and found boxes, matched count."""
    out = _failure_pages(seed)
    return [{"title": t, "image": out[f"image_{k}"], "text": out["texts"][k], "expected": out[f"expected_{k}"],
             "found": out[f"found_{k}"], "matched": out["matched"][k]} for k, t in enumerate(out["titles"])]


@cache.cached("ocr-failures", code=CODE)
def _failure_pages(seed: int) -> dict:
    """Two generated pages where the simple method fails, with what it finds on them.

    1. *Touching letters* (joined writing): letters overlap their neighbours, so one
       connected component holds several characters.
    2. *Ruled paper*: dark ruled lines touch every letter standing on them, so letters and
       lines become one huge component (discarded as not a character) and the letters
       are missed.
    """
    from lib.data.synthetic import PageParams, make_page

    pages = []
    touching = dataclasses.replace(PageParams(), letter_gap=(-0.3, -0.25), page_rotation=0.0, height=(44.0, 44.0))
    image, text, boxes = make_page("MINIMUM\nWAVY LINE", seed + 11, params=touching)
    det = detect(image)
    pages.append({"title": "touching letters", "image": image, "text": text, "expected": boxes,
                  "found": det.boxes, "matched": match_boxes(det.boxes, boxes)})

    plain = dataclasses.replace(PageParams(), page_rotation=0.0, height=(44.0, 44.0), line_gap=(2.0, 2.0))
    image, text, boxes = make_page("RULED PAPER\nHIDES TEXT", seed + 12, params=plain)
    image = image.copy()
    ink = np.percentile(image.reshape(-1, 3), 0.5, axis=0)  # the darkest ink on the page
    k = 0
    for line in text.split("\n"):  # a rule under each line of text, at its baseline
        n = len(line.replace(" ", ""))
        y = int(np.median(boxes[k: k + n, 2]))
        image[y - 3: y + 1, :, :] = ink
        k += n
    det = detect(image)
    pages.append({"title": "ruled paper", "image": image, "text": text, "expected": boxes,
                  "found": det.boxes, "matched": match_boxes(det.boxes, boxes)})
    out: dict = {"titles": [p["title"] for p in pages], "texts": [p["text"] for p in pages],
                 "matched": [p["matched"] for p in pages]}
    for k, p in enumerate(pages):
        out[f"image_{k}"] = np.asarray(p["image"], np.float32)
        out[f"expected_{k}"] = np.asarray(p["expected"], np.int64)
        out[f"found_{k}"] = np.asarray(p["found"], np.int64).reshape(-1, 4)
    return out


def _touching_read(seed: int, model: str) -> dict:
    """Q4.1's touching-letters page read one character per box and with segmentation (cached)."""
    return _cached("ocr-touching", lambda: _read_touching(seed, model), seed, model, data=_model_keys(model))


def _read_touching(seed: int, model: str) -> dict:
    out = _failure_pages(seed)
    from lib.data.synthetic import PageParams, make_page

    touching = dataclasses.replace(PageParams(), letter_gap=(-0.3, -0.25), page_rotation=0.0, height=(44.0, 44.0))
    image, text, _ = make_page(out["texts"][0], seed + 11, params=touching)
    det = detect(image)
    score = scorer(model)
    before = read_detection(det, score, ReadOptions(segment=False))
    after = read_detection(det, score)
    return {"image": np.asarray(image, np.float32), "truth": scorable(text), "before": scorable(before.text),
            "after": scorable(after.text), "boxes_before": np.asarray(before.boxes, np.int64).reshape(-1, 4),
            "boxes_after": np.asarray(after.boxes, np.int64).reshape(-1, 4)}


def touching_page(model: str = "reader", seed: int = config.SEED) -> dict | None:
    """Q4.1's touching-letters page read by ``model`` before and after segmentation (None if
    the model cannot be loaded in this build)."""
    try:
        return _touching_read(seed, model)
    except Exception:  # the model's data missing: the chapter leaves the figure out
        return None


# ---------------------------------------------------------------------------- no photos


def _example_page(seed: int, models: tuple) -> dict:
    """One generated page read like a photo: boxes, crops and each model's text (no photos; cached)."""
    return _cached("ocr-example", lambda: _read_example(seed, models), seed, models, data=_model_keys(*models))


def _read_example(seed: int, models: tuple) -> dict:
    from lib.data.synthetic import make_page, random_text

    image, text, boxes = make_page(random_text(seed), seed)
    det = detect(image)
    out = {"image": np.asarray(image, np.float32), "text": text, "expected": np.asarray(boxes, np.int64),
           "found": np.asarray(det.boxes, np.int64).reshape(-1, 4), "matched": match_boxes(det.boxes, boxes),
           "crops": crop_rows(det), "texts": {}}
    for m in models:
        out["texts"][m] = read_detection(det, scorer(m)).text
    return out


def _usable_models(unavailable: dict) -> tuple[str, ...]:
    """The classifiers that can be loaded or trained in this build (the rest go to ``unavailable``)."""
    usable = []
    for m in MODELS:
        try:
            scorer(m)
        except Exception as exc:  # data of the model missing (EMNIST offline): say so, go on
            unavailable[m] = f"{type(exc).__name__}: {exc}"
            continue
        usable.append(m)
    return tuple(usable)


# ---------------------------------------------------------------------------- results


@dataclass
class OCRResults:
    """What chapter 4 shows."""

    source: str                       # the data behind the photos' results
    nist36_source: str
    profile: str
    boxes: dict[str, np.ndarray]      # photo -> (N, 4)
    lines: dict[str, list]
    spaces: dict[str, list]
    seconds: dict[str, float]         # find_letters time per photo
    shapes: dict[str, list]
    angles: dict[str, float]
    texts: dict[str, dict[str, dict[str, str]]]   # model -> step (STEPS, "lexicon"; "raw": no word rule) -> photo -> text
    cer: dict[str, dict[str, dict[str, float]]]   # model -> the same steps -> photo|"overall" -> CER
    unavailable: dict[str, str]       # model -> why it could not be used
    crops: np.ndarray                 # (N, 1024) processed crops of CROPS_PHOTO
    train_like: np.ndarray            # (N, 1024) a training sample of each crop's true class
    bench: pd.DataFrame
    bench_models: tuple
    failures: list[dict] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # sample photos not in the data directory
    example: dict | None = None  # without the photos: one generated page read like a photo

    @property
    def photos_available(self) -> bool:
        return not self.missing

    @property
    def models(self) -> tuple[str, ...]:
        return tuple(m for m in MODELS if m in self.texts)

    def layout_ok(self, name: str) -> bool:
        """Whether the lines and word spaces found match the true text's (characters per word)."""
        from lib.ocr.layout import text_from

        found = text_from(["#"] * len(self.boxes[name]), self.lines[name], self.spaces[name])
        return found == _layout_of(truth_text(name))

    def boxes_table(self) -> pd.DataFrame:
        """Boxes found vs characters in the true text (its scorable, non-space characters)."""
        rows = []
        for name in SAMPLE_IMAGES:
            truth = truth_text(name)
            expected = len(truth.replace(" ", "").replace("\n", ""))
            found = len(self.boxes[name])
            h, w = self.shapes[name][:2]
            rows.append({"photo": name, "pixels": f"{w}x{h}", "characters": expected, "boxes": found,
                         "lines": f"{len(self.lines[name])} / {truth.count(chr(10)) + 1}",
                         "as written": "yes" if self.layout_ok(name) else "no",
                         "seconds": round(self.seconds[name], 2)})
        return pd.DataFrame(rows).set_index("photo").rename_axis(None)

    def cer_table(self) -> pd.DataFrame:
        """CER per photo and overall, per model: the network's own reading and the final text."""
        cols = {}
        for m in self.models:
            for step, label in (("argmax", " own"), ("rule", " final")):
                cols[f"{m.upper()}{label}"] = [self.cer[m][step][n] for n in (*SAMPLE_IMAGES, "overall")]
        return pd.DataFrame(cols, index=[*SAMPLE_IMAGES, "overall"]).map(fmt.pct)

    def steps_table(self) -> pd.DataFrame:
        """Overall CER on the photos after each step, per model; the lexicon apart, last."""
        rows = {STEPS[s]: {MODEL_NAMES[m]: fmt.pct(self.cer[m][s]["overall"]) for m in self.models} for s in STEPS}
        rows["lexicon (optional, on the final text)"] = {
            MODEL_NAMES[m]: fmt.pct(self.cer[m]["lexicon"]["overall"]) for m in self.models}
        return pd.DataFrame(rows).T

    def changed(self, model: str, step: str) -> int:
        """Characters a step changed on the four photos (edit distance to the previous step's text)."""
        keys = list(STEPS)
        before = keys[keys.index(step) - 1] if step in keys else "rule"
        return sum(edit_distance(scorable(self.texts[model][step][n]), scorable(self.texts[model][before][n]))
                   for n in SAMPLE_IMAGES)

    def text_table(self, name: str) -> pd.DataFrame:
        """Per model: the network's own transcription and the final text (lines joined by " / ")."""
        rows = {"true text": {"network's own": " / ".join(truth_text(name).split("\n")), "final": ""}}
        for m in self.models:
            rows[MODEL_NAMES[m]] = {"network's own": " / ".join(scorable(self.texts[m]["argmax"][name]).split("\n")),
                                    "final": " / ".join(scorable(self.texts[m]["rule"][name]).split("\n"))}
        return pd.DataFrame(rows).T

    def errors(self, model: str, rule: str = "rule") -> pd.DataFrame:
        """The model's errors on the four photos, most frequent first: true -> read, count."""
        from lib.pipelines.ocr_unseen import error_table

        return error_table(edit_errors((scorable(self.texts[model][rule][name]), truth_text(name))
                                       for name in SAMPLE_IMAGES))

    def bench_table(self) -> pd.DataFrame:
        """Totals over the generated pages."""
        b = self.bench
        row = {"pages": len(b), "characters": int(b["expected"].sum()), "boxes": int(b["found"].sum()),
               "recall (IoU >= 0.5)": fmt.pct(_box_scores(b)[0]),
               "precision (IoU >= 0.5)": fmt.pct(_box_scores(b)[1]),
               "lines and spaces exact": f"{int(b['layout_ok'].sum())} / {len(b)}"}
        for m in self.bench_models:
            row[f"CER {m.upper()}"] = fmt.pct(b[f"{m}_rule_errors"].sum() / b["truth_chars"].sum())
        return pd.DataFrame([row]).T.rename(columns={0: "generated pages"})


def _box_scores(bench: pd.DataFrame) -> tuple[float, float]:
    """Box recall and precision at IoU >= 0.5 over the generated pages."""
    return recall_precision(int(bench["matched"].sum()), int(bench["expected"].sum()), int(bench["found"].sum()))


def _score(texts: dict[str, str]) -> dict[str, float]:
    out, errors, total = {}, 0, 0
    for name in SAMPLE_IMAGES:
        pred, truth = scorable(texts[name]), truth_text(name)
        out[name] = cer(pred, truth)
        errors += edit_distance(pred, truth)
        total += len(truth)
    out["overall"] = errors / total
    return out


def _train_like(labels: list[str], seed: int = config.SEED) -> np.ndarray:
    """One training image of each given class (chosen at random), for the crops page."""
    from lib.data import CLASSES

    X, y, _ = load_nist36("train")
    rng = np.random.default_rng(seed)
    rows = []
    for c in labels:
        idx = np.flatnonzero(y == CLASSES.index(c))
        rows.append(X[rng.choice(idx)] if len(idx) else np.ones(1024, np.float32))
    return np.array(rows, np.float32).reshape(-1, 1024)


def run() -> OCRResults:
    if missing_photos():
        return _run_without_photos()
    profile = config.profile()
    det = _detections()
    texts, scores, unavailable = {}, {}, {}
    for m in MODELS:
        try:
            r = _readings(m)
        except Exception as exc:  # a model that cannot be loaded or trained: say so, go on
            unavailable[m] = f"{type(exc).__name__}: {exc}"
            continue
        texts[m] = {step: r[step] for step in (*STEPS, "lexicon")}
        texts[m]["raw"] = texts[m]["segmented"]  # everything but the word rule
        scores[m] = {step: _score(t) for step, t in texts[m].items()}
    bench_models = tuple(m for m in MODELS if m in texts)
    n_pages = BENCH_PAGES[profile]
    bench = pd.DataFrame(_benchmark(n_pages, 7000 + config.SEED, bench_models)["rows"])
    truth_chars = list(truth_text(CROPS_PHOTO).replace(" ", "").replace("\n", ""))
    crops = det["crops"]
    out = OCRResults(
        source=source("images"),
        nist36_source=nist36_source(),
        profile=profile,
        boxes={n: det[f"boxes_{n}"] for n in SAMPLE_IMAGES},
        lines=det["lines"],
        spaces=det["spaces"],
        seconds=det["seconds"],
        shapes=det["shape"],
        angles=det["angle"],
        texts=texts,
        cer=scores,
        unavailable=unavailable,
        crops=crops,
        train_like=_train_like(truth_chars[: len(crops)]),
        bench=bench,
        bench_models=bench_models,
        failures=failure_pages(),
    )
    _record(out)
    return out


def _run_without_photos() -> OCRResults:
    """No sample photos: the method runs on generated pages only; Q4.3/Q4.4 are not run."""
    profile = config.profile()
    unavailable: dict = {}
    models = _usable_models(unavailable)
    bench = pd.DataFrame(_benchmark(BENCH_PAGES[profile], 7000 + config.SEED, models)["rows"])
    example = _example_page(6000 + config.SEED, models)
    truth_chars = list(scorable(example["text"]).replace(" ", "").replace("\n", ""))
    out = OCRResults(
        source=source("images"), nist36_source=nist36_source(), profile=profile,
        boxes={}, lines={}, spaces={}, seconds={}, shapes={}, angles={}, texts={}, cer={},
        unavailable=unavailable, crops=example["crops"],
        train_like=_train_like(truth_chars[: len(example["crops"])]),
        bench=bench, bench_models=models, failures=failure_pages(),
        missing=missing_photos(), example=example,
    )
    _record(out)
    return out


def _record(r: OCRResults) -> None:
    if not r.photos_available:
        _record_without_photos(r)
        return
    _record_q41(r)
    table = r.boxes_table()
    found, expected = int(table["boxes"].sum()), int(table["characters"].sum())
    b = r.bench
    recall, precision = _box_scores(b)
    deep_s = float(r.seconds["04_deep"])
    results.record(
        "Q4.2", recall, data=f"{r.source}; {len(b)} generated pages",
        display=f"photos: {found} boxes for {expected} characters; generated pages: recall {fmt.pct(recall)}, "
                f"precision {fmt.pct(precision)} at IoU >= 0.5; 04_deep ({r.shapes['04_deep'][1]}x"
                f"{r.shapes['04_deep'][0]}) in {deep_s:.2f} s",
        boxes_found=found, characters=expected, precision=precision, seconds_04_deep=deep_s,
    )
    n_ok = sum(r.layout_ok(n) for n in SAMPLE_IMAGES)
    results.record("Q4.3", f"boxes drawn on the {len(SAMPLE_IMAGES)} photos", data=r.source,
                   display=f"{found} boxes on {len(SAMPLE_IMAGES)} photos; lines and word spaces as "
                           f"written on {n_ok} of {len(SAMPLE_IMAGES)}", layout_ok=n_ok)
    if "mlp" in r.cer:
        mlp = r.cer["mlp"]["rule"]["overall"]
        extra = {"mlp_own": r.cer["mlp"]["argmax"]["overall"]}
        display = f"CER MLP {fmt.pct(mlp)} (network's own {fmt.pct(extra['mlp_own'])})"
        for m in ("cnn", "reader"):
            if m in r.cer:
                extra.update({m: r.cer[m]["rule"]["overall"], f"{m}_own": r.cer[m]["argmax"]["overall"]})
                display += f"; {m} {fmt.pct(extra[m])} (own {fmt.pct(extra[m + '_own'])})"
        data = f"{r.source}; MLP trained on {r.nist36_source}"
        if "cnn" in r.cer:
            data += f"; CNN trained on {source('emnist')}"
        results.record("Q4.4", mlp, target=0.15, higher_is_better=False, data=data, display=display, **extra)
    else:
        results.record("Q4.4", "MLP unavailable", data=r.source, passed=False,
                       display=r.unavailable.get("mlp", "MLP unavailable"))


def _record_without_photos(r: OCRResults) -> None:
    from lib.pipelines import missing

    _record_q41(r)
    b = r.bench
    recall, precision = _box_scores(b)
    results.record(
        "Q4.2", recall, data=f"{len(b)} generated pages (lib.data.synthetic); the sample photos are not available",
        display=f"generated pages only (no sample photos): recall {fmt.pct(recall)}, precision {fmt.pct(precision)} "
                "at IoU >= 0.5", precision=precision,
    )
    files = ", ".join(r.missing)
    missing.not_run("Q4.3", "sample photos", files)
    extra = {f"generated_cer_{m}": float(b[f"{m}_rule_errors"].sum() / b["truth_chars"].sum()) for m in r.bench_models}
    missing.not_run("Q4.4", "sample photos", files, **extra)


def _record_q41(r: OCRResults) -> None:
    results.record(
        "Q4.1", "2 assumptions; 2 generated failure cases", data="generated pages (lib.data.synthetic)",
        display="one component per character on a plain, lighter background; "
                f"touching letters: {r.failures[0]['matched']}/{len(r.failures[0]['expected'])} boxed, "
                f"ruled paper: {r.failures[1]['matched']}/{len(r.failures[1]['expected'])} boxed",
    )
