"""The reader CNN's data pipeline: restyled glyphs, mis-segmentations, normalisation, scores."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import torch

from lib.deep import reader


def _letter_t(size=28):
    img = np.zeros((size, size), np.float32)
    img[3:6, 4:24] = 1.0
    img[3:25, 12:16] = 1.0
    return img


def test_masks_are_binary_at_twice_the_size():
    masks = reader.to_masks(np.stack([_letter_t()]))
    assert masks[0].shape == (56, 56) and masks[0].dtype == bool and masks[0].any()


def test_restyle_changes_width_and_pen():
    mask = reader.to_masks(np.stack([_letter_t()]))[0]
    rng = np.random.default_rng(0)
    narrow = reader.StyleSpec(condense=(0.4, 0.4), p_condense=1.0, slant=0.0, rotate_deg=0.0, p_pen=0.0)
    out = reader.restyle(mask, rng, narrow)
    cols = np.flatnonzero(mask.any(0))
    assert out.shape[1] < 0.6 * (cols[-1] - cols[0] + 1)
    thick = reader.StyleSpec(pen=(0.3, 0.3), p_pen=1.0, p_condense=0.0, slant=0.0, rotate_deg=0.0)
    assert reader.restyle(mask, rng, thick).sum() > 1.3 * mask.sum()


def test_missegmented_crops_and_normalised_rows():
    masks = reader.to_masks(np.stack([_letter_t(), _letter_t()[:, ::-1]]))
    rng = np.random.default_rng(1)
    bad, rests = reader.missegmented(masks, 6, rng)
    assert len(bad) == len(rests) == 6 and all(b.any() for b in bad)
    assert all(r is None or (r.shape == b.shape and not (r & b).any()) for b, r in zip(bad, rests, strict=True))
    rows = reader.normalise(masks + bad, rng)
    assert rows.shape == (8, 1024) and rows.dtype == np.float32
    assert 0.0 <= rows.min() and rows.max() <= 1.0 and (rows < 0.5).any()
    beside, contexts = reader.with_neighbours(masks + bad, [None, None, *rests], masks, rng)
    both = reader.normalise(beside, rng, contexts)
    assert both.shape == (8, 2048) and np.allclose(both[:, :1024].min(axis=1), rows.min(axis=1), atol=0.2)


def test_beside_sets_neighbours_on_the_line_outside_the_crop():
    mask = _bar(40, 8)
    own, rest = reader.beside(mask, None, [_bar(20, 6), _bar(20, 6)], np.random.default_rng(0), p_neighbour=1.0,
                              gap=(0.25, 0.25))
    assert own.sum() == mask.sum() and not (own & rest).any()
    cols = np.flatnonzero(own.any(0))
    left, right = rest[:, : cols[0]], rest[:, cols[-1] + 1:]
    assert left.any() and right.any()  # one neighbour on each side, scaled to the crop's height ...
    assert np.flatnonzero(left.any(1)).size == 40 and not rest[:, cols[0] - 10: cols[-1] + 11].any()  # ... 10 px away
    alone, nothing = reader.beside(mask, None, [_bar(), _bar()], np.random.default_rng(0), p_neighbour=0.0)
    assert np.array_equal(alone, mask) and not nothing.any()


def test_the_context_channel_is_the_neighbours_ink_in_the_crops_frame():
    """A stroke with a neighbour drawn right of it: the second image shows ink right of the
    first image's stroke, and nothing where the stroke is."""
    from lib.ocr.crops import normalize_pair

    own, rest = np.zeros((40, 60), bool), np.zeros((40, 60), bool)
    own[:, 20:26] = True
    rest[:, 36:42] = True
    crop, context = normalize_pair(own, rest)
    stroke_cols = np.flatnonzero((crop < 0.5).any(0))
    context_cols = np.flatnonzero((context < 0.5).any(0))
    assert len(context_cols) and context_cols.min() > stroke_cols.max()
    assert np.array_equal(normalize_pair(own, np.zeros_like(own))[0], crop)
    assert (normalize_pair(own, np.zeros_like(own))[1] == 1.0).all()


def test_classifier_returns_37_log_probabilities():
    spec = reader._spec(reader.ReaderConfig())
    from lib.deep import models

    torch.manual_seed(0)
    score = reader.classifier_from(models.build(spec).eval())
    assert score.channels == spec.in_channels == 2
    out = score(np.ones((3, 2048), np.float32))
    assert out.shape == (3, 37)
    assert np.allclose(np.exp(out).sum(1), 1.0, atol=1e-5)
    assert score(np.zeros((0, 2048), np.float32)).shape == (0, 37)
    assert reader.OUTPUTS[-1] == "not a character" and reader.REJECT == 36


def _bar(h=40, w=8):
    return np.ones((h, w), bool)


def test_touch_makes_the_strokes_meet_and_keeps_the_truth():
    a, b = _bar(), _bar()
    pair, truth = reader.touch(a, b, run=0)
    assert pair.shape == (40, 16) and pair.all()  # side by side, no free column between them
    assert truth.sum() == a.sum() and truth[:, :8].all()
    overlapped, _ = reader.touch(a, b, run=3)
    assert overlapped.shape[1] == 13


def test_touching_pieces_are_labelled_halves_of_touching_pairs():
    masks = reader.to_masks(np.stack([_letter_t(), _letter_t()[:, ::-1]]))
    pieces, labels, rests = reader.touching_pieces(masks, np.array([3, 7]), 6, np.random.default_rng(2))
    assert 0 < len(pieces) <= 12 and len(pieces) == len(labels) == len(rests)
    assert set(labels.tolist()) <= {3, 7} and all(p.any() for p in pieces)
    # the rest of the pair beside each piece: the other piece, touching it
    assert all(r.shape == p.shape and r.any() and not (r & p).any() for p, r in zip(pieces, rests, strict=True))


def test_widened_widens_only_condensed_glyphs():
    narrow = np.zeros((40, 10), bool)
    narrow[:, :3] = narrow[:, 7:] = narrow[18:22] = True  # an H a quarter as wide as high
    label = 7  # H: typically nearly as wide as high
    out = reader.widened([narrow, narrow], np.array([label, label]), [1.0, 0.0], np.random.default_rng(0))
    assert out[0].shape[1] > 1.2 * narrow.shape[1] and out[1].shape == narrow.shape


def test_first_version_config_differs_in_the_training_data_and_the_network_size():
    first, now = reader.first_version_config(), reader.reader_config()
    assert first.spec.channels == (16, 32, 64) and first.spec.hidden == 128
    assert first.spec.in_channels == 1 and now.spec.in_channels == 2  # the crop alone; with its line's ink
    assert replace(first.spec, channels=now.spec.channels, hidden=now.spec.hidden, in_channels=2) == now.spec
    assert replace(first.train, epochs=now.train.epochs) == now.train
    assert first.styled_per_class == 0 and first.touching_fraction == 0 and first.families
    assert first.mined_pages == 0 < now.mined_pages
    assert reader.training_key(first) != reader.training_key(now)


def test_candidates_are_labelled_by_the_true_boxes():
    truth = np.array([[0, 0, 40, 20], [0, 22, 40, 44]])  # "M", "I" side by side
    boxes = np.array([
        [1, 1, 40, 20],   # the M: its class
        [0, 23, 39, 44],  # the I: its class
        [0, 0, 40, 44],   # both together: not a character
        [0, 0, 40, 6],    # a third of the M: not a character
        [0, 0, 40, 10],   # half of the M: not sure, left out
    ])
    labels = reader.label_candidates(boxes, truth, ["M", "I"])
    m, i = reader.CLASSES.index("M"), reader.CLASSES.index("I")
    assert labels.tolist() == [m, i, reader.REJECT, reader.REJECT, -1]
    assert reader.label_candidates(boxes[:0], truth, ["M", "I"]).shape == (0,)


def test_a_character_with_the_narrow_one_it_touches_is_not_labelled_as_it():
    truth = np.array([[0, 0, 40, 36], [0, 34, 40, 42]])  # a wide "M", a narrow "I" run into it
    boxes = np.array([[0, 0, 40, 36], [0, 0, 40, 42]])  # the M; the M with the I (IoU 0.86 with the M)
    m = reader.CLASSES.index("M")
    assert reader.label_candidates(boxes, truth, ["M", "I"]).tolist() == [m, reader.REJECT]


def test_a_candidate_missing_part_of_its_characters_width_is_not_labelled_as_it():
    truth = np.array([[0, 0, 40, 40]])  # an "O"
    boxes = np.array([[0, 0, 40, 40], [0, 0, 40, 30]])  # the whole O; the O less its right quarter
    o = reader.CLASSES.index("O")
    assert reader.label_candidates(boxes, truth, ["O"], whole_width=0.9).tolist() == [o, -1]
    assert reader.label_candidates(boxes, truth, ["O"], whole_width=0.0).tolist() == [o, o]


def test_mined_candidates_come_from_pages_in_training_lettering():
    from lib.data.synthetic import fonts as fontlib
    from lib.data.synthetic import unseen

    train = set(fontlib.split_fonts("train"))
    for i in range(8):
        spec = unseen.training_page_spec(i)
        assert spec.split == "training" and spec.fonts and {f.name for f in spec.fonts} <= train
        assert spec.seed not in {unseen.BASE_SEED[s] + k for s in unseen.SPLITS for k in range(4000)}
    assert unseen.training_page_spec(3) == unseen.training_page_spec(3)
    rows, labels = reader.mined_candidates([unseen.training_page_spec(0)])
    assert rows.shape == (len(labels), 1024) and len(labels) > 10
    assert (labels == reader.REJECT).any() and (labels < reader.REJECT).mean() > 0.3


def test_mined_pages_are_dealt_in_turn_then_more_of_touching_writing():
    from lib.data.synthetic import unseen

    cfg = replace(reader.reader_config(), mined_pages=6, mined_touching=3)
    specs = reader.mined_specs(cfg)
    assert [s.source for s in specs[:4]] == list(unseen.SOURCES)
    assert [s.source for s in specs[6:]] == ["touching"] * 3
    assert len({s.seed for s in specs}) == 9 and specs[:6] == reader.mined_specs(replace(cfg, mined_touching=0))
    assert reader.mined_specs(replace(cfg, mined_pages=0, mined_touching=0)) == []


def test_the_readers_key_neither_draws_the_mined_pages_nor_loads_emnist(monkeypatch):
    # loading the reader for reading computes its key: it must stay cheap (python -m lib.ocr's start-up)
    from lib.data import torch_datasets as td

    cfg = reader.reader_config()
    key = reader.training_key(cfg)

    def forbidden(*args, **kwargs):
        raise AssertionError("computing the reader's key must not build its training data")

    monkeypatch.setattr(reader, "mined_specs", forbidden)
    monkeypatch.setattr(td, "emnist", forbidden)
    assert reader.training_key(cfg) == key
    assert reader.code_for(cfg) == reader.PAGES_CODE and reader.mines_pages(cfg)
    assert reader.code_for(replace(cfg, mined_pages=0, mined_touching=1)) == reader.PAGES_CODE
    assert not reader.mines_pages(replace(cfg, mined_pages=0, mined_touching=0))


def test_how_candidates_are_chosen_is_not_part_of_the_readers_training(monkeypatch):
    from lib.ocr import recognize

    cfg = reader.reader_config()
    assert "lib.ocr.segment" in reader.code_for(cfg)
    assert not {"lib.ocr.choose", "lib.ocr.recognize", "lib.ocr.segmentation_params"} & set(reader.code_for(cfg))
    before = reader.data_fingerprint(cfg)
    params = recognize.MODEL_PARAMS["reader"]
    monkeypatch.setitem(recognize.MODEL_PARAMS, "reader", replace(params, char_bonus=params.char_bonus + 1.0))
    assert reader.data_fingerprint(cfg) == before
    monkeypatch.setitem(recognize.MODEL_PARAMS, "reader", replace(params, min_atom=params.min_atom + 0.01))
    assert reader.data_fingerprint(cfg) != before


def test_the_segmentation_defaults_training_cuts_with_are_part_of_its_data(monkeypatch):
    # touching_pieces and widened cut and widen with segmentation_params.DEFAULT, which is not in the
    # code key: its proposal values must be in the data's fingerprint, its choosing values not
    from lib.ocr import segmentation_params

    cfg = reader.reader_config()
    before = reader.data_fingerprint(cfg)
    default = segmentation_params.DEFAULT
    monkeypatch.setattr(segmentation_params, "DEFAULT", replace(default, char_bonus=default.char_bonus + 1.0))
    assert reader.data_fingerprint(cfg) == before
    monkeypatch.setattr(segmentation_params, "DEFAULT", replace(default, cut_ink=default.cut_ink + 1.0))
    assert reader.data_fingerprint(cfg) != before
