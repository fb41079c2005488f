"""Photographed handwriting pages for the unseen-style benchmark, and a validation set beside it.

Two splits, rendered by the same code (``lib.data.synthetic.photo``) from the same sources,
with disjoint lettering and disjoint seeds:

* ``"benchmark"`` (:func:`benchmark_pages`): lettering **held out of every training and
  tuning step**: the faces of ``lib.data.synthetic.heldout`` (condensed, narrow and
  marker-like families never used elsewhere), written with their own strokes or re-drawn
  from their skeletons with a random pen, slant, tremor and elastic distortion. Only
  measure on it; never choose anything on it.
* ``"validation"`` (:func:`validation_pages`): the same sources written in the training
  and validation faces (``split_fonts("train") + split_fonts("valid")``), for choosing a
  reader's parameters.

Sources (:data:`SOURCES`), each scored separately by ``bench/ocr_unseen.py``:

====================  ===========================================================================
``fonts-paper``       the faces' own letter shapes and stroke weights, pen or pencil on paper
``restroked-paper``   new shapes: skeletons re-drawn with a fine pen to a thick marker, on paper
``whiteboard``        thick marker on a whiteboard (glare, ghosts of erased writing), both styles
``touching``          on paper, half the words written joined: neighbours touch (negative spacing,
                      strokes meet but no letter hides in or merges with its neighbour)
====================  ===========================================================================

Every page is a photo (perspective, uneven light, blur, noise, JPEG) of 3 to 6 lines of
block capitals: common English words, numbers and a few letter codes (so every one of the 36
classes occurs), written by one family of the split's lettering; styles and families are dealt
out in turn (:func:`page_spec`), so each family writes its share of every source. Page ``i``
of a source and split has a fixed seed; pages are cached as their
JPEG file and ground truth (``.npz``) under a key of the page's configuration, its fonts'
files and the code that draws it (:func:`page_key`), so a rerun decodes exactly the same pixels.

>>> pages = validation_pages("touching", 4)        # tune on these
>>> page = pages[0]; page.image.shape, page.text  # doctest: +SKIP
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from lib import cache
from lib.data.synthetic import heldout, strokes
from lib.data.synthetic.fonts import Font
from lib.data.synthetic.photo import PhotoPage, PhotoParams, decode_jpeg, render_photo

SPLITS = ("validation", "benchmark")

_PAPER = PhotoParams(surface="paper")
#: Each source's page parameters.
SOURCES: dict[str, PhotoParams] = {
    "fonts-paper": replace(_PAPER, restroked=0.0),
    "restroked-paper": replace(_PAPER, restroked=1.0, pen=(0.04, 0.16)),
    "whiteboard": PhotoParams(surface="whiteboard", restroked=0.6, pen=(0.1, 0.2), height=(50.0, 100.0)),
    # a join is given up where it would hide a letter (lib.data.synthetic.photo.Crowding): about
    # half of the joins asked for touch, one neighbour pair in six on these pages
    "touching": replace(_PAPER, restroked=0.5, touching=0.5, pair_touch=0.8, letter_gap=(0.15, 0.4)),
}

#: Seeds: page i of (split, source) uses BASE_SEED[split] + 1000 * source number + i.
BASE_SEED = {"validation": 500_000, "benchmark": 900_000}

#: Heavy faces are only written as themselves (see ``strokes.restrokable``).
MAX_RESTROKE_WEIGHT = strokes.MAX_RESTROKE_WEIGHT

#: Common English words in capitals (with J, Q, X and Z words so every letter occurs often).
WORDS = tuple("""
THE OF AND TO IN IS IT YOU THAT HE WAS FOR ON ARE AS WITH HIS THEY AT BE THIS HAVE FROM OR ONE
HAD BY WORD BUT NOT WHAT ALL WERE WE WHEN YOUR CAN SAID THERE USE AN EACH WHICH SHE DO HOW THEIR
IF WILL UP OTHER ABOUT OUT MANY THEN THEM THESE SO SOME HER WOULD MAKE LIKE HIM INTO TIME HAS LOOK
TWO MORE WRITE GO SEE NUMBER NO WAY COULD PEOPLE MY THAN FIRST WATER BEEN CALL WHO OIL ITS NOW FIND
LONG DOWN DAY DID GET COME MADE MAY PART OVER NEW SOUND TAKE ONLY LITTLE WORK KNOW PLACE YEAR LIVE
ME BACK GIVE MOST VERY AFTER THING OUR JUST NAME GOOD SENTENCE MAN THINK SAY GREAT WHERE HELP
THROUGH MUCH BEFORE LINE RIGHT TOO MEAN OLD ANY SAME TELL BOY FOLLOW CAME WANT SHOW ALSO AROUND
FORM THREE SMALL SET PUT END DOES ANOTHER WELL LARGE MUST BIG EVEN SUCH BECAUSE TURN HERE WHY ASK
WENT MEN READ NEED LAND DIFFERENT HOME US MOVE TRY KIND HAND PICTURE AGAIN CHANGE OFF PLAY SPELL
AIR AWAY ANIMAL HOUSE POINT PAGE LETTER MOTHER ANSWER FOUND STUDY STILL LEARN SHOULD AMERICA WORLD
JUMP JOB JOIN JUDGE JUICE JACKET JOURNEY JULY JUNE ENJOY MAJOR PROJECT OBJECT SUBJECT
QUICK QUITE QUESTION QUIET QUEEN QUARTER QUALITY EQUAL REQUEST SQUARE UNIQUE
BOX SIX TAX FIX MIX NEXT TEXT EXAMPLE EXTRA EXPECT EXACTLY OXYGEN TAXI RELAX COMPLEX
ZERO ZONE ZOO SIZE PRIZE FROZEN DOZEN AMAZING PUZZLE LAZY CRAZY BRONZE ZIGZAG
NETWORK NEURAL LAYER WEIGHT GRADIENT TRAIN TEST VALID LOSS ERROR IMAGE PIXEL LETTERS DIGITS
BLOCK CAPITALS MARKER WHITEBOARD PAPER PENCIL PHOTO CAMERA LIGHT SHADOW NOTE LIST TODAY MONDAY
FRIDAY MORNING EVENING MEETING ROOM CALL BUY MILK BREAD EGGS COFFEE LUNCH DINNER BIRTHDAY PARTY
""".split())


@dataclass(frozen=True)
class PageSpec:
    """What one page is: its split, source, index, seed, text, lettering and parameters."""

    split: str
    source: str
    index: int
    seed: int
    text: str
    fonts: tuple[Font, ...]
    params: PhotoParams


def page_text(seed: int, lines: tuple[int, int] = (3, 6), max_chars: int = 22) -> str:
    """3-6 lines of block capitals: common words (75%), numbers (15%) and letter codes (10%)."""
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(int(rng.integers(lines[0], lines[1] + 1))):
        words: list[str] = []
        target = int(rng.integers(8, max_chars + 1))
        while not words or len(" ".join(words)) < target:
            u = rng.random()
            if u < 0.75:
                w = str(rng.choice(WORDS))
            elif u < 0.9:
                w = str(int(rng.integers(0, 10 ** int(rng.integers(1, 5)))))
            else:
                w = "".join(rng.choice(list("ABCDEFGHIJKLMNOPQRSTUVWXYZ"), int(rng.integers(2, 5))))
            if words and len(" ".join(words + [w])) > max_chars:
                break
            words.append(w)
        out.append(" ".join(words))
    return "\n".join(out)


def split_lettering(split: str, restroke: bool) -> tuple[Font, ...]:
    """The faces a split's pages are written with (``restroke``: those whose skeleton is clean)."""
    from lib.data.synthetic import fonts as fontlib

    if split == "benchmark":
        faces = heldout.HELDOUT_FONTS
    elif split == "validation":
        faces = fontlib.resolve(fontlib.split_fonts("train") + fontlib.split_fonts("valid"))
    else:
        raise ValueError(f"split must be one of {SPLITS}, not {split!r}")
    if restroke:
        faces = tuple(f for f in faces if strokes.restrokable(f))
    return faces


def page_spec(split: str, source: str, index: int) -> PageSpec:
    """Page ``index`` of a split's source: its seed, text, style and lettering (no rendering).

    Styles and families are dealt out in turn, not drawn, so every family writes its share
    of each source: a source whose pages are re-drawn with probability ``p`` re-draws page
    ``i`` when ``floor((i + 1) p) > floor(i p)``, and the k-th page of a style is written by
    the k-th family (shifted per source) of those that can write that style.
    """
    if split not in SPLITS:
        raise ValueError(f"split must be one of {SPLITS}, not {split!r}")
    if source not in SOURCES:
        raise ValueError(f"source must be one of {tuple(SOURCES)}, not {source!r}")
    index = int(index)
    if index < 0:
        raise ValueError(f"page index must be >= 0, not {index!r}")
    number = list(SOURCES).index(source)
    seed = BASE_SEED[split] + 1000 * number + index
    params = SOURCES[source]
    p = params.restroked
    restroke = int(np.floor((index + 1) * p)) > int(np.floor(index * p))
    nth = int(np.floor(index * p)) if restroke else index - int(np.floor(index * p))
    faces = split_lettering(split, restroke=restroke)
    families = list(dict.fromkeys(f.family for f in faces))
    family = families[(nth + number) % len(families)]
    fonts = tuple(f for f in faces if f.family == family)
    params = replace(params, restroked=1.0 if restroke else 0.0)
    return PageSpec(split, source, index, seed, page_text(seed), fonts, params)


#: Seeds of the pages in training lettering (:func:`training_page_spec`), apart from both splits'.
TRAINING_SEED = 300_000


def training_page_spec(index: int) -> PageSpec:
    """Page ``index`` of the pages in *training* lettering only, for training a reader on what
    segmentation cuts out of a page (never scored). Sources are dealt out in turn, the family
    and whether the page is re-drawn with a random pen are drawn from its seed."""
    from lib.data.synthetic import fonts as fontlib

    index, seed, source, rng, params = _dealt(index, TRAINING_SEED)
    faces = fontlib.resolve(fontlib.split_fonts("train"))
    if params.restroked:
        faces = tuple(f for f in faces if strokes.restrokable(f))
    families = list(dict.fromkeys(f.family for f in faces))
    family = families[int(rng.integers(len(families)))]
    fonts = tuple(f for f in faces if f.family == family)
    return PageSpec("training", source, index, seed, page_text(seed), fonts, params)


def _dealt(index: int, base_seed: int):
    """A page dealt out of the sources in turn: its index, seed, source, random generator and
    parameters, re-drawn (``restroked`` 1) or not (0) as first drawn from the seed."""
    index = int(index)
    seed = base_seed + index
    source = list(SOURCES)[index % len(SOURCES)]
    rng = np.random.default_rng(seed)
    restroke = bool(rng.random() < SOURCES[source].restroked)
    return index, seed, source, rng, replace(SOURCES[source], restroked=1.0 if restroke else 0.0)


#: Seed of the first page written with scanned handwriting (:func:`scanned_page_spec`).
SCANNED_SEED = 510_000


def scanned_page_spec(index: int, images: np.ndarray, labels: np.ndarray, classes: tuple[str, ...],
                      name: str) -> PageSpec:
    """Validation page ``index`` written with scanned handwriting
    (``lib.data.synthetic.handwritten``): each character of its text by one scan of ``images``
    (bright ink on black, labels index ``classes``) drawn from the page's seed. Sources are
    dealt out in turn; a source's pages are re-drawn from the scans' skeletons with its
    probability, drawn from the seed."""
    from lib.data.synthetic.handwritten import specimen_face

    index, seed, source, rng, params = _dealt(index, SCANNED_SEED)
    text = page_text(seed)
    return PageSpec("validation", source, index, seed, text,
                    (specimen_face(images, labels, classes, rng, name, text),), params)


def render(spec: PageSpec) -> PhotoPage:
    """Render a page now (no cache)."""
    return render_photo(spec.text, spec.seed, spec.fonts, spec.params)


#: The code that draws a page (besides the page's own configuration, its :class:`PageSpec`).
PAGE_CODE = ("lib.data.synthetic.unseen", "lib.data.synthetic.photo", "lib.data.synthetic.strokes",
             "lib.data.synthetic.fonts", "lib.data.synthetic.heldout")


def page_key(spec: PageSpec) -> str:
    """The cache key of a page: its spec, the files of the fonts it is written in, and
    :data:`PAGE_CODE`. It fingerprints the page for anything computed from it."""
    from lib.data.synthetic import fonts as fontlib

    return cache.key("synthetic-photo-pages", spec, data=fontlib.digests(spec.fonts), code=PAGE_CODE)


def _rendered(spec: PageSpec) -> dict:
    """A page rendered now, as the cache stores it (the photo as its JPEG file)."""
    import json

    page = render(spec)
    return {"jpeg": np.frombuffer(page.jpeg, np.uint8), "boxes": page.boxes, "word_of": page.word_of,
            "touching": page.touching, "contact": page.contact, "text": page.text, "info": json.dumps(page.info)}


#: A validation-only source: pages written with the NIST36 *valid* split's scans (real
#: handwriting no reader trains on; :func:`scanned_page_spec`), its sources' styles in turn.
SCANNED = "scanned-handwriting"


def _nist36_valid_scans():
    from lib.data.nist36 import CLASSES, load_nist36

    rows, labels, _ = load_nist36("valid")  # dark ink on white, column-major rows
    images = 1.0 - np.asarray(rows, np.float32).reshape(-1, 32, 32).transpose(0, 2, 1)
    return images, np.asarray(labels, np.int64), CLASSES


def _only_validation(split: str) -> None:
    if split != "validation":
        raise ValueError(f"the {SCANNED} pages belong to the validation split only, not {split!r}")


def source_page_key(split: str, source: str, index: int) -> str:
    """The cache key of page ``index`` of a split's source: :func:`page_key`, or for the
    :data:`SCANNED` pages their index, the NIST36 files and the code that draws them."""
    if source == SCANNED:
        from lib.data.nist36 import nist36_fingerprint

        _only_validation(split)
        return cache.key("synthetic-photo-pages", SCANNED, int(index), data=[nist36_fingerprint()],
                         code=(*PAGE_CODE, "lib.data.synthetic.handwritten"))
    return page_key(page_spec(split, source, index))


def _record(split: str, source: str, index: int) -> dict:
    """Page ``index`` of a split's source as the cache stores it (rendered on first use)."""
    if source == SCANNED:
        def spec() -> PageSpec:
            return scanned_page_spec(index, *_nist36_valid_scans(), "NIST36 valid")
    else:
        _require_fonts(split)

        def spec() -> PageSpec:
            return page_spec(split, source, index)
    key = source_page_key(split, source, index)
    return cache.load_or_compute(cache.cache_path("synthetic-photo-pages", key), lambda: _rendered(spec()))


def page_info(split: str, source: str, index: int) -> dict:
    """Who wrote page ``index`` and how it was photographed (``PhotoPage.info``), without
    decoding its photo."""
    import json

    return json.loads(_record(split, source, index)["info"])


def load_page(split: str, source: str, index: int) -> PhotoPage:
    """Page ``index`` of a split's source: rendered once, then decoded from the cache."""
    import json

    out = _record(split, source, index)
    jpeg = np.asarray(out["jpeg"], np.uint8).tobytes()
    return PhotoPage(decode_jpeg(jpeg), str(out["text"]), np.asarray(out["boxes"], np.int64),
                     np.asarray(out["word_of"], np.int64), np.asarray(out["touching"], bool),
                     np.asarray(out["contact"], bool), jpeg, json.loads(out["info"]))


def _require_fonts(split: str) -> None:
    from lib.data.errors import DataError
    from lib.data.synthetic import fonts as fontlib

    absent = heldout.missing() if split == "benchmark" else fontlib.missing()
    if absent:
        raise DataError(f"the {split} pages cannot be rendered: font packages not installed: "
                        f"{', '.join(absent)}. Run `make setup`.")


def benchmark_pages(source: str, n: int) -> list[PhotoPage]:
    """The first ``n`` benchmark pages of ``source``, in held-out lettering. Measure only."""
    return [load_page("benchmark", source, i) for i in range(n)]


def validation_pages(source: str, n: int) -> list[PhotoPage]:
    """The first ``n`` validation pages of ``source``, in the training and validation faces."""
    return [load_page("validation", source, i) for i in range(n)]


def describe(split: str) -> str:
    """One line naming the data, for every page that shows a result made from these pages."""
    if split == "benchmark":
        families = sorted(heldout.HELDOUT_FAMILIES)
        what = f"held-out lettering never used in training or tuning ({', '.join(families)})"
    elif split == "validation":
        families = sorted({f.family for f in split_lettering("validation", False)})
        what = f"training and validation lettering ({', '.join(families)})"
    else:
        raise ValueError(f"split must be one of {SPLITS}, not {split!r}")
    return (f"SYNTHETIC photographed handwriting pages (lib.data.synthetic.unseen, {split} split): {what}, "
            "own glyphs and skeletons re-drawn with a random pen, on paper and whiteboards")
