"""lib.data.synthetic's photographed pages (photo, strokes, unseen) and the held-out lettering."""

from __future__ import annotations

import ast
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
import scipy.ndimage as ndi

from lib.data import synthetic as S
from lib.data.synthetic import fonts as fontlib
from lib.data.synthetic import heldout, photo, strokes, unseen
from lib.data.synthetic.photo import PhotoParams, render_photo
from lib.data.synthetic.strokes import Hand

ROOT = Path(__file__).resolve().parents[2]
#: Small, quick pages: one short text at a small letter height.
SMALL = PhotoParams(height=(34.0, 38.0), zoom=(1.0, 1.4))
TEXT = "HI 42\nWAVE MIX"
BEBAS = heldout.BY_NAME["Bebas Neue"]
VARELA = heldout.BY_NAME["Varela Round"]


def _luma(image):
    return image @ np.array([0.2125, 0.7154, 0.0721], dtype=np.float32)


# --- the held-out lettering is kept out of every training path ---------------------------------

def test_heldout_families_never_appear_in_the_training_or_valid_font_lists():
    families = {f.family for f in fontlib.FONTS}
    assert not heldout.HELDOUT_FAMILIES & families
    assert not heldout.HELDOUT_NAMES & set(fontlib.BY_NAME)
    for split in ("train", "valid", "test"):
        split_families = {fontlib.BY_NAME[n].family for n in S.split_fonts(split)}
        assert split_families and not split_families & heldout.HELDOUT_FAMILIES
    validation = {f.family for f in unseen.split_lettering("validation", restroke=False)}
    assert validation == set(fontlib.SPLIT_FAMILIES["train"]) | set(fontlib.SPLIT_FAMILIES["valid"])
    assert {f.family for f in unseen.split_lettering("benchmark", restroke=False)} == heldout.HELDOUT_FAMILIES


def test_heldout_faces_are_installed_licensed_and_varied():
    assert heldout.missing() == [], "run `make setup` to install the held-out font packages"
    for font in heldout.HELDOUT_FONTS:
        assert font.path().is_file() and font.licence in ("OFL-1.1", "Apache-2.0")
    # condensed: the capital H at most 0.7 of its height wide in some faces; heavy: thick strokes
    widths = {f.name: strokes.glyph(f, "H").mask.shape[1] / strokes.glyph(f, "H").mask.shape[0]
              for f in heldout.HELDOUT_FONTS}
    assert sum(w < 0.6 for w in widths.values()) >= 3, widths
    assert sum(strokes.glyph(f, "H").stroke > 0.22 for f in heldout.HELDOUT_FONTS) >= 3


@pytest.mark.parametrize("fonts", [["Bebas Neue"], [BEBAS], ["Varela Round", "Caveat"]])
def test_training_generators_refuse_heldout_lettering(fonts):
    with pytest.raises(heldout.HeldOutFontError, match="held out"):
        S.make_characters(1, 0, fonts)
    with pytest.raises(heldout.HeldOutFontError, match="held out"):
        S.make_styled_characters(1, 0, fonts=fonts)
    with pytest.raises(heldout.HeldOutFontError):
        S.make_page("AB", 0, fonts=fonts)
    with pytest.raises(heldout.HeldOutFontError):
        fontlib.resolve(fonts)


def test_the_heldout_split_name_is_refused():
    with pytest.raises(heldout.HeldOutFontError):
        S.split_fonts(heldout.SPLIT)
    with pytest.raises(heldout.HeldOutFontError):
        S.generate_split(heldout.SPLIT)
    with pytest.raises(ValueError, match="split must be one of"):
        unseen.page_spec("train", "touching", 0)


#: Modules that may import the held-out registry: the guard (fonts) and the benchmark's pages.
MAY_IMPORT_HELDOUT = {"lib/data/synthetic/heldout.py", "lib/data/synthetic/fonts.py",
                      "lib/data/synthetic/__init__.py", "lib/data/synthetic/unseen.py"}


def _imports_heldout(tree: ast.AST) -> bool:
    for node in ast.walk(tree):
        if isinstance(node, ast.Import) and any(a.name == "lib.data.synthetic.heldout" for a in node.names):
            return True
        if isinstance(node, ast.ImportFrom) and (
            node.module == "lib.data.synthetic.heldout"
            or (node.module == "lib.data.synthetic" and any(a.name == "heldout" for a in node.names))
        ):
            return True
    return False


def test_only_the_benchmark_imports_the_heldout_lettering():
    files = [*sorted((ROOT / "lib").rglob("*.py")), *sorted((ROOT / "bench").rglob("*.py"))]
    importers = {str(f.relative_to(ROOT)) for f in files if _imports_heldout(ast.parse(f.read_text()))}
    assert importers <= MAY_IMPORT_HELDOUT, importers - MAY_IMPORT_HELDOUT
    assert "lib/data/synthetic/unseen.py" in importers  # the check can fail


# --- strokes -----------------------------------------------------------------------------------

def test_prune_removes_a_spur_and_keeps_the_stroke():
    skeleton = np.zeros((20, 40), bool)
    skeleton[10, 2:38] = True      # a stroke 36 pixels long
    skeleton[5:10, 20] = True      # a spur of 5 pixels hanging off its middle
    pruned = strokes.prune(skeleton, 8)
    assert pruned[10, 2:38].all() and not pruned[5:9, 20].any()  # (its foot pixel is the junction)
    assert np.array_equal(strokes.prune(skeleton, 0), skeleton)


def test_a_heavy_t_keeps_its_bar_when_redrawn():
    from skimage.morphology import skeletonize

    t = np.zeros((160, 70), bool)
    t[:31] = True          # a bar whose arms reach less than a stroke width past the stem
    t[:, 20:51] = True     # a stem 31 pixels wide
    pruned = strokes.prune(skeletonize(t), int(round(0.8 * 31)))
    assert strokes.span(pruned, 31, t.shape) < strokes.MIN_SPAN  # pruning took the bar for spurs
    assert strokes.span(skeletonize(t), 31, t.shape) >= strokes.MIN_SPAN
    anton = fontlib.resolve(["Anton"])[0]
    line = strokes.centre_line(anton, "T")
    g = strokes.glyph(anton, "T")
    width = np.ptp(line[:, 1]) + g.stroke
    assert width >= strokes.MIN_SPAN * g.mask.shape[1] / strokes.MASTER_PX  # a T, not an I


def test_restroked_letters_take_the_pen_width():
    from skimage.morphology import skeletonize

    for pen in (4.0, 9.0):
        alpha, _, _ = strokes.draw_restroked(VARELA, "L", 60, pen, Hand())
        mask = alpha > 0.5
        width = 2 * np.median(ndi.distance_transform_edt(mask)[skeletonize(mask)])
        assert abs(width - pen) <= 1.5, (pen, width)


def test_glyphs_keep_their_place_on_the_baseline():
    for draw in (lambda c: strokes.draw_glyph(BEBAS, c, 50, Hand()),
                 lambda c: strokes.draw_restroked(BEBAS, c, 50, 4, Hand())):
        alpha, top, _ = draw("H")
        assert abs(top + 50) <= 3 and abs(top + alpha.shape[0]) <= 3  # cap height 50 above the baseline


# --- photographed pages ------------------------------------------------------------------------

@pytest.fixture(scope="module")
def page():
    return render_photo(TEXT, 3, (BEBAS, VARELA), SMALL)


def test_same_seed_gives_the_same_page_and_another_seed_does_not(page):
    again = render_photo(TEXT, 3, (BEBAS, VARELA), SMALL)
    assert np.array_equal(page.image, again.image) and page.jpeg == again.jpeg
    assert np.array_equal(page.boxes, again.boxes) and page.info == again.info
    other = render_photo(TEXT, 4, (BEBAS, VARELA), SMALL)
    assert page.image.shape != other.image.shape or not np.array_equal(page.image, other.image)


def test_page_is_what_its_jpeg_file_decodes_to(page):
    assert page.image.dtype == np.float32 and page.image.ndim == 3 and page.image.shape[2] == 3
    assert np.array_equal(page.image, photo.decode_jpeg(page.jpeg))
    assert 0.0 <= page.image.min() and page.image.max() <= 1.0
    assert 1.0 <= page.info["zoom"] <= 1.4 and page.image.shape[0] * page.image.shape[1] <= photo.MAX_PIXELS


def test_ground_truth_matches_what_is_drawn(page):
    chars = [c for c in TEXT if not c.isspace()]
    assert page.text == TEXT and len(page.boxes) == len(chars) == len(page.word_of)
    assert list(page.word_of) == [0, 0, 1, 1, 2, 2, 2, 2, 3, 3, 3]
    H, W = page.image.shape[:2]
    gray = _luma(page.image)
    paper = np.median(gray)
    assert (page.boxes[:, :2] >= 0).all() and (page.boxes[:, 2] <= H).all() and (page.boxes[:, 3] <= W).all()
    for y1, x1, y2, x2 in page.boxes:
        assert y2 > y1 and x2 > x1
        assert gray[y1:y2, x1:x2].min() < paper - 0.2          # ink inside every box
    # reading order: left to right within a line, lines top to bottom
    first, second = page.boxes[:4], page.boxes[4:]
    assert (np.diff(first[:, 1]) > 0).all() and (np.diff(second[:, 1]) > 0).all()
    assert first[:, 2].max() <= second[:, 0].min() + 10


def test_ink_outside_the_boxes_is_only_blur_and_noise(page):
    gray = _luma(page.image)
    inside = np.zeros(gray.shape, bool)
    for y1, x1, y2, x2 in page.boxes:
        inside[max(y1 - 3, 0): y2 + 3, max(x1 - 3, 0): x2 + 3] = True
    assert gray[~inside].min() > np.median(gray) - 0.25       # no character was drawn unboxed


@pytest.mark.parametrize("surface", ["paper", "whiteboard"])
def test_letters_written_touching_touch_on_the_photo(surface):
    joined = replace(SMALL, surface=surface, touching=1.0, pair_touch=1.0, blur=(0.3, 0.4))
    page = render_photo("COCOA WAVY", 11, (VARELA,), joined)
    within = page.word_of[:-1] == page.word_of[1:]
    assert page.touching[:-1][within].all() and not page.touching[-1]
    assert page.contact.sum() >= 2 and not page.contact[:-1][~within].any() and not page.contact[-1]
    # on the photo itself: letters whose ink touches are one connected piece of ink
    ink = 1.0 - _luma(page.image) / np.percentile(_luma(page.image), 90)
    labels, _ = ndi.label(ink > 0.3, np.ones((3, 3)))

    def piece(box):
        y1, x1, y2, x2 = box
        return int(np.bincount(labels[y1:y2, x1:x2].ravel())[1:].argmax()) + 1

    for k in np.flatnonzero(page.contact):
        assert piece(page.boxes[k]) == piece(page.boxes[k + 1]), k


# --- joined letters touch, but a reader still sees every letter ----------------------------------

#: Words full of the pairs that the first generator ran into each other: stems side by side
#: (HIM, MINIMUM, LILY), open sides (EVENING, PENCIL, TAXI), narrow digits (8011).
JOINED = "HIM ONE EVENING\nPENCIL 8011 MINIMUM LILY"


def _styles(split):
    """(face, restroked): each family of a split's lettering (its first face), in every style
    it is written in."""
    faces = unseen.split_lettering(split, restroke=False)
    for face in {f.family: f for f in reversed(faces)}.values():
        yield face, 0.0
        if strokes.restrokable(face):
            yield face, 1.0


def _masks(a: photo.Letter, b: photo.Letter):
    """Both letters' ink (alpha > 0.5) on one canvas with a margin."""
    pad = 40
    y0, x0 = min(a.y, b.y) - pad, min(a.x, b.x) - pad
    shape = (max(a.y + a.alpha.shape[0], b.y + b.alpha.shape[0]) - y0 + pad,
             max(a.x + a.alpha.shape[1], b.x + b.alpha.shape[1]) - x0 + pad)
    out = []
    for t in (a, b):
        m = np.zeros(shape, bool)
        m[t.y - y0: t.y - y0 + t.alpha.shape[0], t.x - x0: t.x - x0 + t.alpha.shape[1]] = t.alpha > 0.5
        out.append(m)
    return out


def _share_inside(m: np.ndarray, other: np.ndarray) -> float:
    rows, cols = np.flatnonzero(other.any(1)), np.flatnonzero(other.any(0))
    return m[rows[0]: rows[-1] + 1, cols[0]: cols[-1] + 1].sum() / m.sum()


@pytest.mark.parametrize("split", unseen.SPLITS)
def test_joined_letters_touch_but_never_hide_in_or_merge_with_each_other(split):
    """In every face and style: no letter has more than MAX_INSIDE of its ink inside its
    neighbour's ink box, nor runs along its neighbour's ink (closer than a stroke width) for more
    than MAX_FUSED stroke widths or MAX_FUSED_SHARE of its ink, measured here on the written
    letters; yet many of the pairs do touch."""
    joined = touching = 0
    for face, restroked in _styles(split):
        w = photo.write(JOINED, 5, (face,), replace(SMALL, touching=1.0, pair_touch=1.0, restroked=restroked))
        for k in np.flatnonzero(w.word_of[:-1] == w.word_of[1:]):
            a, b = w.letters[k], w.letters[k + 1]
            ma, mb = _masks(a, b)
            what = (face.name, "restroked" if restroked else "glyph", k)
            assert max(_share_inside(ma, mb), _share_inside(mb, ma)) <= photo.MAX_INSIDE, what
            width = (a.stroke + b.stroke) / 2
            height = min(a.alpha.shape[0], b.alpha.shape[0])
            radius = max(1.0, min(photo.CROWD_RADIUS * width, photo.CROWD_HEIGHT * height))
            for m, other in ((ma, mb), (mb, ma)):
                along = (m & (ndi.distance_transform_edt(~other) <= radius)).sum()
                assert along / width ** 2 <= photo.MAX_FUSED + 1e-9, what
                assert along / m.sum() <= photo.MAX_FUSED_SHARE + 1e-9, what
            joined += 1
            touching += bool(w.contact[k])
    assert touching >= 0.25 * joined, (touching, joined)


@pytest.mark.parametrize("face", ["PT Sans Narrow", "Bebas Neue", "Smooch Sans", "Teko", "Luckiest Guy"])
def test_a_narrow_i_beside_a_stem_stays_its_own_stroke_on_the_photo(face):
    """Condensed and heavy faces, written joined: across the middle of every I, the dark run
    through the I is about one stroke wide, so the I is not pressed into its neighbour's stem
    (an I merged with an M's stem reads as "HM")."""
    font = heldout.BY_NAME[face]
    page = render_photo("HIM MINIMUM\nLILI IMI", 3, (font,),
                        replace(SMALL, touching=1.0, pair_touch=1.0, restroked=0.0, blur=(0.3, 0.4)))
    gray = _luma(page.image)
    paper, ink = np.percentile(gray, 90), np.percentile(gray, 1)
    dark = gray < (paper + ink) / 2
    stroke = strokes.glyph(font, "I").stroke * page.info["photo_letter_height"]   # photo pixels
    chars = [c for c in page.text if not c.isspace()]
    joined = page.word_of[:-1] == page.word_of[1:]
    assert page.touching[:-1][joined].all()
    for k in (k for k, c in enumerate(chars) if c == "I"):
        y1, x1, y2, x2 = page.boxes[k]
        widths = []
        for r in range(y1 + (y2 - y1) // 4, y2 - (y2 - y1) // 4):
            c = x1 + int(np.argmin(gray[r, x1:x2]))          # the I's stroke in this row
            if not dark[r, c]:
                continue
            run = np.flatnonzero(~dark[r])
            widths.append(run[run > c].min(initial=dark.shape[1]) - run[run < c].max(initial=-1) - 1)
        assert np.median(widths) <= 1.5 * stroke + 3, (face, k, np.median(widths), stroke)


def test_letters_apart_do_not_touch():
    page = render_photo("MINI WAVE", 11, (VARELA,), replace(SMALL, touching=0.0))
    assert not page.touching.any() and not page.contact.any()


def test_bad_parameters_are_named():
    with pytest.raises(ValueError, match="surface"):
        PhotoParams(surface="blackboard")
    with pytest.raises(ValueError, match="touching"):
        PhotoParams(touching=1.5)
    with pytest.raises(ValueError):
        render_photo("  \n", 0, (BEBAS,))


# --- the benchmark's and the validation set's pages --------------------------------------------

def test_page_specs_are_fixed_and_the_splits_disjoint():
    a, b = unseen.page_spec("benchmark", "whiteboard", 3), unseen.page_spec("benchmark", "whiteboard", 3)
    assert a == b
    seeds = {s: {unseen.page_spec(s, src, i).seed for src in unseen.SOURCES for i in range(200)}
             for s in unseen.SPLITS}
    assert not seeds["benchmark"] & seeds["validation"]
    assert not {f.family for f in unseen.page_spec("validation", "touching", 0).fonts} & heldout.HELDOUT_FAMILIES
    for source in unseen.SOURCES:
        assert {f.family for f in unseen.page_spec("benchmark", source, 0).fonts} <= heldout.HELDOUT_FAMILIES


def test_every_family_writes_its_share_of_the_pages():
    from collections import Counter

    # the benchmark's 12 pages a source, and enough validation pages for its many training families
    for split, n, families in (("benchmark", 12, heldout.HELDOUT_FAMILIES),
                               ("validation", 40, {f.family for f in unseen.split_lettering("validation", False)})):
        specs = [unseen.page_spec(split, src, i) for src in unseen.SOURCES for i in range(n)]
        count = Counter(s.fonts[0].family for s in specs)
        assert all(len({f.family for f in s.fonts}) == 1 for s in specs)
        assert set(count) == families and min(count.values()) >= 2, count  # heavy faces: own glyphs only
        styles = Counter((s.source, s.params.restroked) for s in specs)
        assert styles[("fonts-paper", 0.0)] == styles[("restroked-paper", 1.0)] == n
        assert styles[("touching", 1.0)] == n // 2 and abs(styles[("whiteboard", 1.0)] - 0.6 * n) <= 1


def test_page_texts_use_every_class():
    texts = "".join(unseen.page_text(s) for s in range(40))
    assert set(texts) - {" ", "\n"} == set("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
    assert unseen.page_text(5) == unseen.page_text(5) != unseen.page_text(6)
    lines = unseen.page_text(5).split("\n")
    assert 3 <= len(lines) <= 6 and all(0 < len(line) <= 22 for line in lines)


def test_load_page_renders_once_then_decodes_the_same_pixels(monkeypatch):
    # a small page keeps this quick; the cache key follows the parameters
    monkeypatch.setitem(unseen.SOURCES, "touching", replace(unseen.SOURCES["touching"], height=(30.0, 32.0)))
    first = unseen.load_page("validation", "touching", 0)
    calls = []
    monkeypatch.setattr(unseen, "render", lambda spec: calls.append(spec))
    second = unseen.load_page("validation", "touching", 0)
    assert calls == []  # from the cache
    assert np.array_equal(first.image, second.image) and first.jpeg == second.jpeg
    assert first.text == unseen.page_spec("validation", "touching", 0).text
    assert np.array_equal(first.boxes, second.boxes) and first.info == second.info
    assert first.info["family"] not in heldout.HELDOUT_FAMILIES


def test_a_pages_key_follows_its_spec_its_font_files_and_the_code(monkeypatch):
    spec = unseen.page_spec("validation", "touching", 0)
    key = unseen.page_key(spec)
    assert key == unseen.page_key(unseen.page_spec("validation", "touching", 0))
    assert key != unseen.page_key(unseen.page_spec("validation", "touching", 1))
    assert key != unseen.page_key(replace(spec, params=replace(spec.params, blur=(0.0, 0.1))))
    with monkeypatch.context() as m:
        m.setattr(fontlib, "digest", lambda font: "another file")
        assert unseen.page_key(spec) != key
    monkeypatch.setattr(unseen, "PAGE_CODE", (*unseen.PAGE_CODE, "lib.data.synthetic.pages"))
    assert unseen.page_key(spec) != key


def test_describe_names_the_data():
    assert "SYNTHETIC" in unseen.describe("benchmark") and "Bebas Neue" in unseen.describe("benchmark")
    assert "Kalam" in unseen.describe("validation") and "Bebas" not in unseen.describe("validation")


# --- pages written with scanned handwriting ----------------------------------------------------

def _scans(n_per_class: int = 2):
    """Bright-on-black 28x28 'scans': an upright bar, wider for later classes, per class."""
    labels = np.repeat(np.arange(len(S.CLASSES)), n_per_class)
    images = np.zeros((len(labels), 28, 28), np.float32)
    for k, label in enumerate(labels):
        images[k, 4:24, 8: 11 + label % 10] = 1.0
    return images, labels


def test_a_scan_becomes_a_glyph_one_cap_height_tall_on_the_baseline():
    from lib.data.synthetic.handwritten import glyph_from_scan

    scan = np.zeros((28, 28), np.float32)
    scan[4:24, 10:14] = 1.0                                  # 20 pixels tall, 4 wide
    g = glyph_from_scan(scan)
    assert g.mask.shape[0] == pytest.approx(strokes.MASTER_PX, abs=2)
    assert g.mask.shape[1] == pytest.approx(strokes.MASTER_PX * 4 / 20, abs=3)
    assert g.top == pytest.approx(-1.0, abs=0.02) and g.left == 0.0
    assert 0.1 < g.stroke < 0.3
    with pytest.raises(ValueError, match="no ink"):
        glyph_from_scan(np.zeros((28, 28), np.float32))


def test_a_face_of_scans_writes_each_character_with_a_scan_of_its_class():
    from lib.data.synthetic.handwritten import specimen_face

    images, labels = _scans()
    face = specimen_face(images, labels, S.CLASSES, np.random.default_rng(0), "bars", "A7 A")
    assert set(face.scans) == {"A", "7"}
    seven = S.CLASSES.index("7")
    assert any(np.array_equal(face.scans["7"], im) for im in images[labels == seven])
    assert strokes.glyph(face, "7").mask.shape[1] > strokes.glyph(face, "A").mask.shape[1]
    with pytest.raises(KeyError, match="bars has no scanned 'B'"):
        face.glyph("B")
    with pytest.raises(ValueError, match="no scanned 'B'"):
        specimen_face(images[labels != 1], labels[labels != 1], S.CLASSES, np.random.default_rng(0), "bars", "B")


def test_pages_of_scans_are_seeded_and_apart_from_the_lettering_pages():
    images, labels = _scans()
    a = unseen.scanned_page_spec(5, images, labels, S.CLASSES, "bars")
    b = unseen.scanned_page_spec(5, images, labels, S.CLASSES, "bars")
    assert (a.seed, a.text, a.source) == (b.seed, b.text, b.source) and a.split == "validation"
    assert unseen.scanned_page_spec(6, images, labels, S.CLASSES, "bars").seed != a.seed
    others = {unseen.BASE_SEED[s] + 1000 * n + k for s in unseen.SPLITS for n in range(len(unseen.SOURCES))
              for k in range(1000)} | {unseen.TRAINING_SEED + k for k in range(10_000)}
    assert not others & {unseen.scanned_page_spec(i, images, labels, S.CLASSES, "bars").seed for i in range(2000)}
    page = unseen.render(replace(a, params=replace(a.params, height=(34.0, 38.0), zoom=(1.0, 1.2))))
    assert len(page.boxes) == len(a.text.replace(" ", "").replace("\n", ""))


def test_scanned_handwriting_is_a_validation_source_only():
    from lib.pipelines import ocr_unseen as U

    assert U.sources("validation")[-1] == unseen.SCANNED and unseen.SCANNED not in U.sources("benchmark")
    assert U.sources("validation", scans=False) == tuple(unseen.SOURCES)
    with pytest.raises(ValueError, match="validation split only"):
        unseen.load_page("benchmark", unseen.SCANNED, 0)
    assert unseen.source_page_key("validation", unseen.SCANNED, 0) != unseen.source_page_key(
        "validation", unseen.SCANNED, 1)
