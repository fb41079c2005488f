"""Whole networks against central differences in float64 (Q2.3.1, Q2.5.1, Q5.1.1).

Acceptance: the 1024-64-36 sigmoid/softmax classifier and the 1024-32-32-32-1024
ReLU/sigmoid autoencoder with squared error, max relative error < 1e-7. Large matrices are
checked on a seeded random subset of coordinates (every coordinate of the small ones).
"""

from __future__ import annotations

import numpy as np
import pytest

from lib.nn import (
    NetworkSpec,
    as_dtype,
    backward,
    check_gradients,
    evaluate,
    forward,
    init_params,
    loss_and_grads,
    loss_terms,
    param_names,
    predict,
    relu_margin,
    softmax,
)

TOL = 1e-7


def _biased(params, seed):
    """Non-zero biases, so their gradient paths are exercised with generic values."""
    rng = np.random.default_rng(seed)
    return {k: (v + 0.1 * rng.normal(size=v.shape) if k.startswith("b") else v) for k, v in params.items()}


@pytest.mark.parametrize("reduction", ["sum", "mean"])
def test_classifier_gradients(reduction):
    spec = NetworkSpec.classifier()  # 1024-64-36, sigmoid, softmax + cross-entropy
    params = _biased(as_dtype(init_params(spec, seed=0), np.float64), 1)
    rng = np.random.default_rng(2)
    x, y = rng.random((3, 1024)), rng.integers(0, 36, size=3)
    loss, grads, probs = loss_and_grads(params, spec, x, y, reduction)
    scale = 1.0 if reduction == "sum" else 1 / 3
    result = check_gradients(lambda p: loss_terms(p, spec, x, y) * scale, params, grads, max_coords=250)
    assert list(result.errors) == param_names(spec)
    assert result.passed(TOL), result.errors
    assert loss == pytest.approx(loss_terms(params, spec, x, y).sum() * scale, rel=1e-12)
    np.testing.assert_allclose(probs.sum(axis=1), 1.0)


def test_autoencoder_gradients():
    spec = NetworkSpec.autoencoder()  # 1024-32-32-32-1024, ReLU, sigmoid + squared error
    params = _biased(as_dtype(init_params(spec, seed=0), np.float64), 3)
    candidates = np.random.default_rng(4).random((200, 1024))
    # the derivative exists only away from ReLU kinks: use examples whose every ReLU
    # pre-activation is at least 0.01 from zero (the stencil moves them by < 0.004)
    x = candidates[relu_margin(params, spec, candidates) > 0.01][:3]
    assert len(x) == 3
    loss, grads, out = loss_and_grads(params, spec, x, x)
    assert loss == pytest.approx(np.sum((out - x) ** 2))
    result = check_gradients(
        lambda p: loss_terms(p, spec, x, x), params, grads, max_coords=150, eps=1e-3, order=4
    )
    assert result.passed(TOL), result.errors


def test_gradient_check_catches_a_wrong_backward():
    spec = NetworkSpec.classifier(n_in=20, hidden=8, n_classes=5)
    params = as_dtype(init_params(spec, seed=0), np.float64)
    rng = np.random.default_rng(5)
    x, y = rng.random((4, 20)), rng.integers(0, 5, size=4)
    _, grads, _ = loss_and_grads(params, spec, x, y)
    grads["W1"] = grads["W1"] * 1.001  # a 0.1 % mistake
    result = check_gradients(lambda p: loss_terms(p, spec, x, y), params, grads)
    assert result.errors["W1"] > 1e-4 and result.errors["W2"] < TOL


def test_fused_head_equals_softmax_jacobian_path():
    spec = NetworkSpec.classifier(n_in=10, hidden=(7, 6), n_classes=4, activation="tanh")
    params = as_dtype(init_params(spec, seed=1), np.float64)
    rng = np.random.default_rng(6)
    x, y = rng.random((5, 10)), rng.integers(0, 4, size=5)
    _, fused, _ = loss_and_grads(params, spec, x, y)
    probs, caches = forward(params, spec, x)
    onehot = np.eye(4)[y]
    slow = backward(spec, caches, -onehot / probs)  # dJ/dp of -sum log p_y, through softmax
    for k in fused:
        np.testing.assert_allclose(fused[k], slow[k], rtol=1e-10, atol=1e-12)
    logits, _ = forward(params, spec, x, head=False)
    np.testing.assert_allclose(softmax(logits), probs)


def test_backward_can_return_dx():
    spec = NetworkSpec.autoencoder(n_in=12, hidden=(5,))
    params = as_dtype(init_params(spec, seed=2), np.float64)
    x = np.random.default_rng(7).random((3, 12)) + 0.5
    out, caches = forward(params, spec, x)
    grads = backward(spec, caches, 2 * (out - x), need_dx=True)
    assert grads["x"].shape == x.shape
    _, no_dx, _ = loss_and_grads(params, spec, x, x)
    assert "x" not in no_dx


def test_spec_validation_and_shapes():
    assert NetworkSpec.classifier().sizes == (1024, 64, 36)
    assert NetworkSpec.autoencoder().activations == ("relu", "relu", "relu", "sigmoid")
    assert NetworkSpec.classifier().loss == "cross_entropy"
    assert NetworkSpec.autoencoder().loss == "squared_error"
    with pytest.raises(ValueError, match="hidden"):
        NetworkSpec((4, 3, 2), hidden=("relu", "relu"))
    with pytest.raises(ValueError, match="head"):
        NetworkSpec((4, 2), head="softplus")
    spec = NetworkSpec.classifier(n_in=4, hidden=3, n_classes=2)
    params = init_params(spec)
    params["W1"] = params["W1"][:, :2]
    with pytest.raises(ValueError, match="W1"):
        forward(params, spec, np.zeros((1, 4), np.float32))


def test_predict_and_evaluate_agree_with_forward():
    spec = NetworkSpec.classifier(n_in=16, hidden=8, n_classes=3)
    params = init_params(spec, seed=0)
    rng = np.random.default_rng(8)
    x, y = rng.random((50, 16)).astype(np.float32), rng.integers(0, 3, size=50)
    np.testing.assert_allclose(predict(params, spec, x, batch_size=7), forward(params, spec, x)[0], rtol=1e-6)
    loss, acc = evaluate(params, spec, x, y, batch_size=7)
    probs = forward(params, spec, x)[0]
    assert loss == pytest.approx(-np.mean(np.log(probs[np.arange(50), y])), rel=1e-5)
    assert acc == pytest.approx(np.mean(probs.argmax(1) == y))
