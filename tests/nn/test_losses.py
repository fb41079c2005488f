"""Softmax, cross-entropy, accuracy and squared error (Q2.2.2, Q2.2.3, Q5.1.1)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from lib.nn import (
    accuracy,
    check_gradients,
    cross_entropy,
    log_softmax,
    one_hot,
    softmax,
    softmax_cross_entropy,
    squared_error,
)


def test_softmax_is_translation_invariant_without_warnings():
    x = np.random.default_rng(0).normal(size=(5, 36))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        a, b = softmax(x), softmax(x + 1000)
        c = softmax(np.array([[1000.0, 0.0, -1000.0]]))
    np.testing.assert_allclose(a, b, rtol=1e-12, atol=0)
    np.testing.assert_allclose(a.sum(axis=1), 1.0, rtol=1e-12)
    assert np.all(np.isfinite(c)) and c[0, 0] == 1.0


def test_softmax_matches_the_definition_and_keeps_dtype():
    x = np.random.default_rng(1).normal(size=(3, 4)).astype(np.float32)
    expected = np.exp(x) / np.exp(x).sum(axis=1, keepdims=True)
    assert softmax(x).dtype == np.float32
    np.testing.assert_allclose(softmax(x), expected, rtol=1e-6)


def test_cross_entropy_sum_mean_and_onehot():
    probs = np.array([[0.7, 0.2, 0.1], [0.1, 0.1, 0.8]])
    y = np.array([0, 2])
    total = -(np.log(0.7) + np.log(0.8))
    assert cross_entropy(probs, y) == pytest.approx(total)
    assert cross_entropy(probs, y, "mean") == pytest.approx(total / 2)
    assert cross_entropy(probs, one_hot(y, 3)) == pytest.approx(total)
    with pytest.raises(ValueError, match="reduction"):
        cross_entropy(probs, y, "avg")


def test_cross_entropy_is_finite_when_a_probability_underflows():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for dtype in (np.float32, np.float64):
            probs = np.array([[1.0, 0.0]], dtype=dtype)
            loss = cross_entropy(probs, np.array([1]))
            assert np.isfinite(loss) and loss > 80
        loss, probs, _ = softmax_cross_entropy(np.array([[1000.0, -1000.0]]), np.array([1]))
    assert loss == pytest.approx(2000.0)  # exact through the log-softmax


def test_accuracy():
    scores = np.array([[0.1, 0.9], [0.8, 0.2], [0.3, 0.7], [0.6, 0.4]])
    assert accuracy(scores, np.array([1, 0, 0, 0])) == 0.75
    assert accuracy(scores, one_hot(np.array([1, 0, 0, 0]), 2)) == 0.75


@pytest.mark.parametrize("reduction", ["sum", "mean"])
def test_softmax_cross_entropy_fused_gradient(reduction):
    rng = np.random.default_rng(2)
    logits, y = rng.normal(size=(6, 5)) * 3, rng.integers(0, 5, size=6)
    loss, probs, dlogits = softmax_cross_entropy(logits, y, reduction)
    assert loss == pytest.approx(cross_entropy(softmax(logits), y, reduction), rel=1e-12)
    np.testing.assert_allclose(probs, softmax(logits), rtol=1e-12)
    scale = 1.0 if reduction == "sum" else 1.0 / 6

    def terms(p):
        return -log_softmax(p["z"])[np.arange(6), y] * scale

    result = check_gradients(terms, {"z": logits.copy()}, {"z": dlogits}, eps=1e-3, order=4)
    assert result.passed(1e-7), result.errors


def test_squared_error_and_gradient():
    rng = np.random.default_rng(3)
    pred, target = rng.random((4, 7)), rng.random((4, 7))
    loss, dpred = squared_error(pred, target)
    assert loss == pytest.approx(np.sum((pred - target) ** 2))
    result = check_gradients(lambda p: (p["y"] - target) ** 2, {"y": pred.copy()}, {"y": dpred})
    assert result.passed(1e-7), result.errors
    loss_mean, dmean = squared_error(pred, target, "mean")
    assert loss_mean == pytest.approx(loss / 4)
    np.testing.assert_allclose(dmean, dpred / 4)
    with pytest.raises(ValueError, match="shape"):
        squared_error(pred, target[:2])
