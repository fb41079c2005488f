"""lib.metrics: PSNR, confusion matrix, most confused pairs, box matching, recall and precision."""

import numpy as np
import pytest
from skimage.metrics import peak_signal_noise_ratio

from lib.metrics import (
    box_iou,
    broadcast_box_iou,
    confusion_matrix,
    match_boxes,
    most_confused_pairs,
    psnr,
    psnr_per_image,
    recall_precision,
)


@pytest.mark.parametrize("max_value", [1.0, 2.0, 255.0])
def test_psnr_matches_skimage(max_value):
    rng = np.random.default_rng(0)
    a = rng.uniform(0, max_value, size=(32, 32))
    b = np.clip(a + rng.normal(scale=0.05 * max_value, size=a.shape), 0, max_value)
    assert psnr(a, b, max_value) == pytest.approx(peak_signal_noise_ratio(a, b, data_range=max_value), rel=1e-12)


def test_psnr_known_value_and_identical():
    a = np.zeros((4, 4))
    assert psnr(a, a + 0.1, 1.0) == pytest.approx(20.0)  # MSE 0.01 -> 20 dB
    assert psnr(a, a) == float("inf")
    with pytest.raises(ValueError, match="shape"):
        psnr(a, np.zeros((4, 5)))


def test_psnr_per_image_is_rowwise():
    rng = np.random.default_rng(1)
    a, b = rng.uniform(size=(5, 16)), rng.uniform(size=(5, 16))
    np.testing.assert_allclose(psnr_per_image(a, b), [psnr(x, y) for x, y in zip(a, b, strict=True)])


def test_confusion_matrix_counts():
    cm = confusion_matrix([0, 0, 1, 2, 2, 2], [0, 1, 1, 2, 0, 2], 3)
    np.testing.assert_array_equal(cm, [[1, 1, 0], [0, 1, 0], [1, 0, 2]])
    assert cm.sum() == 6
    with pytest.raises(ValueError, match="outside"):
        confusion_matrix([0, 3], [0, 0], 3)


def test_most_confused_pairs_orders_and_sums_both_directions():
    cm = np.array([[9, 1, 3], [4, 5, 0], [0, 2, 7]])
    pairs = most_confused_pairs(cm, ["A", "B", "C"], k=5)
    assert [p.label for p in pairs] == ["A/B", "A/C", "B/C"]
    assert (pairs[0].a_as_b, pairs[0].b_as_a, pairs[0].total) == (1, 4, 5)
    assert most_confused_pairs(np.eye(3, dtype=int), "ABC", k=2) == []


def test_box_iou_pairwise_and_broadcast_agree():
    a = np.array([[0, 0, 10, 10], [0, 5, 10, 15]])
    b = np.array([[0, 0, 10, 10], [0, 10, 10, 20], [50, 50, 60, 60]])
    iou = box_iou(a, b)
    assert iou.shape == (2, 3)
    np.testing.assert_allclose(iou, [[1.0, 0.0, 0.0], [1 / 3, 1 / 3, 0.0]])
    # each box against boxes of its own (N, M, 4): the diagonal of the pairwise table
    own = np.stack([b, b[::-1]])
    np.testing.assert_allclose(broadcast_box_iou(a[:, None], own), [iou[0], box_iou(a[1:], b[::-1])[0]])


def test_match_boxes_is_one_to_one_best_first():
    expected = np.array([[0, 0, 10, 10], [0, 20, 10, 30], [40, 40, 50, 50]])
    found = np.array([[0, 0, 10, 10], [0, 1, 10, 11], [0, 21, 10, 31], [100, 100, 110, 110]])
    # two found boxes overlap the first expected one: only the better is matched
    assert match_boxes(found, expected) == 2
    assert match_boxes(found, expected, threshold=0.95) == 1
    assert match_boxes(found[:0], expected) == 0 and match_boxes(found, expected[:0]) == 0
    # greedy by IoU: a found box that is second best for one character does not steal it
    a = np.array([[0, 0, 10, 10], [0, 2, 10, 12]])
    assert match_boxes(a, a) == 2


def test_recall_precision():
    assert recall_precision(8, 10, 16) == (0.8, 0.5)
    assert recall_precision(0, 5, 0) == (0.0, 0.0)
    recall, precision = recall_precision(0, 0, 3)
    assert np.isnan(recall) and precision == 0.0
