"""The reader CNN's data pipeline: restyled glyphs, mis-segmentations, normalisation, scores."""

from __future__ import annotations

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
    bad = reader.missegmented(masks, 6, rng)
    assert len(bad) == 6 and all(b.any() for b in bad)
    rows = reader.normalise(masks + bad, rng)
    assert rows.shape == (8, 1024) and rows.dtype == np.float32
    assert 0.0 <= rows.min() and rows.max() <= 1.0 and (rows < 0.5).any()


def test_classifier_returns_37_log_probabilities():
    spec = reader._spec(reader.ReaderConfig())
    from lib.deep import models

    torch.manual_seed(0)
    score = reader.classifier_from(models.build(spec).eval())
    out = score(np.ones((3, 1024), np.float32))
    assert out.shape == (3, 37)
    assert np.allclose(np.exp(out).sum(1), 1.0, atol=1e-5)
    assert score(np.zeros((0, 1024), np.float32)).shape == (0, 37)
    assert reader.OUTPUTS[-1] == "not a character" and reader.REJECT == 36
