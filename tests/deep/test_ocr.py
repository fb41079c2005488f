"""The EMNIST CNN as a NIST36 classifier: input conversion and the 47 -> 36 class rule."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from lib.data.nist36 import CLASSES, to_row
from lib.data.torch_datasets import EMNIST_BALANCED_CLASSES
from lib.deep import ocr


def letter_l(size=28):
    """An upright 'L' in the EMNIST convention: bright ink on black; asymmetric on both axes."""
    img = np.zeros((size, size), np.float32)
    img[4:24, 6:10] = 1.0  # vertical stroke, left
    img[20:24, 6:22] = 1.0  # horizontal stroke, bottom
    return img


def as_nist36_row(upright_bright: np.ndarray) -> np.ndarray:
    """What the homework's files hold: 32x32, dark ink on 1.0, column-major."""
    t = torch.from_numpy(upright_bright)[None, None]
    big = torch.nn.functional.interpolate(t, size=(32, 32), mode="bilinear", align_corners=False)[0, 0].numpy()
    return to_row(1.0 - big)


def test_rows_to_emnist_undoes_the_nist36_convention():
    img = letter_l()
    back = ocr.rows_to_emnist(as_nist36_row(img)[None])[0, 0].numpy()
    assert back.shape == (28, 28) and back.min() >= 0 and back.max() <= 1
    assert np.abs(back - img).mean() < 0.08
    # orientation: ink in the left columns and the bottom rows, not transposed or flipped
    assert back[:, :12].sum() > 2 * back[:, 16:].sum()
    assert back[18:, :].sum() > back[:10, :].sum()
    assert np.abs(back - img.T).mean() > 0.2


def test_values_outside_unit_range_are_clipped():
    row = np.full((1, 1024), 1.13, np.float32)
    row[0, :10] = -0.16
    out = ocr.rows_to_emnist(row)
    assert out.min() >= 0 and out.max() <= 1


def test_class_map_covers_the_36_classes_in_nist36_order():
    assert len(ocr.EMNIST_INDEX) == 36 == len(set(ocr.EMNIST_INDEX))
    assert [EMNIST_BALANCED_CLASSES[i] for i in ocr.EMNIST_INDEX] == list(CLASSES)


def test_restrict_scores_ignores_lower_case_and_reorders():
    logits = torch.zeros(2, 47)
    logits[0, EMNIST_BALANCED_CLASSES.index("a")] = 50  # lower-case: dropped by the rule
    logits[0, EMNIST_BALANCED_CLASSES.index("Q")] = 5
    logits[1, EMNIST_BALANCED_CLASSES.index("7")] = 5
    scores = ocr.restrict_scores(logits)
    assert scores.shape == (2, 36)
    assert CLASSES[int(scores[0].argmax())] == "Q" and CLASSES[int(scores[1].argmax())] == "7"
    assert torch.allclose(scores.exp().sum(1), torch.ones(2))
    with pytest.raises(ValueError):
        ocr.restrict_scores(torch.zeros(2, 36))


def test_classifier_from_maps_rows_to_36_scores():
    seen = {}

    class Spy(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.w = torch.nn.Parameter(torch.zeros(1))

        def forward(self, x):
            seen["shape"] = tuple(x.shape)
            out = torch.zeros(len(x), 47)
            out[:, EMNIST_BALANCED_CLASSES.index("L")] = x.mean(dim=(1, 2, 3)) * 100
            return out

    score = ocr.classifier_from(Spy())
    rows = np.stack([as_nist36_row(letter_l())] * 3)
    out = score(rows)
    assert seen["shape"] == (3, 1, 28, 28)
    assert out.shape == (3, 36) and out.dtype == np.float32
    assert [CLASSES[i] for i in out.argmax(1)] == ["L"] * 3
    assert score(np.zeros((0, 1024), np.float32)).shape == (0, 36)
    assert "restrict" in score.rule
    with pytest.raises(ValueError, match="1024"):
        score(np.zeros((2, 784), np.float32))
