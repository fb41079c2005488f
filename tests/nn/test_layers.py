"""Each layer's backward against central differences in float64 (Q2.2.1, Q2.3.1)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from lib.nn import (
    ACTIVATIONS,
    check_gradients,
    dense_backward,
    dense_forward,
    linear_backward,
    linear_forward,
    relu,
    sigmoid,
    sigmoid_forward,
)

TOL = 1e-7
#: 4th-order differences with a larger step: truncation and rounding both far below TOL
STENCIL = {"eps": 1e-3, "order": 4}


def _layer_case(seed: int = 0, n: int = 4, d_in: int = 5, d_out: int = 3):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, d_in))
    W = rng.normal(size=(d_in, d_out))
    b = rng.normal(size=d_out)
    R = rng.normal(size=(n, d_out))  # loss = sum(out * R), so dJ/dout = R
    return {"x": x, "W": W, "b": b}, R


def test_linear_gradients():
    p, R = _layer_case()
    out, cache = linear_forward(p["x"], p["W"], p["b"])
    dx, dW, db = linear_backward(R, cache)
    result = check_gradients(
        lambda q: linear_forward(q["x"], q["W"], q["b"])[0] * R, p, {"x": dx, "W": dW, "b": db}, **STENCIL
    )
    assert result.passed(TOL), result.errors
    assert (dx.shape, dW.shape, db.shape) == (p["x"].shape, p["W"].shape, p["b"].shape)


def test_linear_skips_dx_for_data():
    p, R = _layer_case()
    _, cache = linear_forward(p["x"], p["W"], p["b"])
    dx, dW, db = linear_backward(R, cache, need_dx=False)
    assert dx is None
    np.testing.assert_array_equal(dW, linear_backward(R, cache)[1])


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_activation_gradients(name):
    forward, backward = ACTIVATIONS[name]
    rng = np.random.default_rng(1)
    x = rng.normal(size=(4, 6))
    if name == "relu":  # keep away from the kink, where no derivative exists
        x = np.where(np.abs(x) < 0.1, 0.5, x)
    R = rng.normal(size=x.shape)
    out, cache = forward(x)
    dx = backward(R, cache)
    result = check_gradients(lambda q: forward(q["x"])[0] * R, {"x": x}, {"x": dx}, **STENCIL)
    assert result.passed(TOL), (name, result.errors)


@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "relu", "identity", "softmax"])
def test_dense_gradients(activation):
    p, R = _layer_case(seed=2)
    out, cache = dense_forward(p["x"], p["W"], p["b"], activation)
    dx, dW, db = dense_backward(R, cache)
    pre = p["x"] @ p["W"] + p["b"]
    assert np.abs(pre).min() > 0.05 or activation != "relu"  # the stencil moves it < 0.01
    result = check_gradients(
        lambda q: dense_forward(q["x"], q["W"], q["b"], activation)[0] * R, p, {"x": dx, "W": dW, "b": db}, **STENCIL
    )
    assert result.passed(TOL), (activation, result.errors)


def test_dense_is_activation_of_linear():
    p, _ = _layer_case(seed=3)
    out, _ = dense_forward(p["x"], p["W"], p["b"], "sigmoid")
    np.testing.assert_allclose(out, 1 / (1 + np.exp(-(p["x"] @ p["W"] + p["b"]))), rtol=1e-12)


def test_sigmoid_is_overflow_safe_and_keeps_dtype():
    x = np.array([-1000.0, -50.0, 0.0, 50.0, 1000.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for dtype in (np.float32, np.float64):
            s = sigmoid(x.astype(dtype))
            assert s.dtype == dtype
            assert np.all(np.isfinite(s))
            assert s[0] == 0.0 and s[2] == 0.5 and s[-1] == 1.0
    assert sigmoid(np.array([-50.0]))[0] == pytest.approx(np.exp(-50.0), rel=1e-12)


@pytest.mark.parametrize("dtype, ulps", [(np.float32, 8), (np.float64, 8)])
def test_sigmoid_matches_scipy_expit(dtype, ulps):
    """Our two-branch sigmoid against scipy's expit, within a few units in the last place,
    over the whole range (both branches, both limits), with every floating-point error raised."""
    from scipy.special import expit

    x = np.concatenate([np.linspace(-800, 800, 160_001), [-np.inf, np.inf, -0.0]]).astype(dtype)
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        ours = sigmoid(x)
    ref = expit(x)
    assert ours.dtype == dtype
    normal = ref >= np.finfo(dtype).tiny  # below that, values are subnormal: compare absolutely
    assert np.all(np.abs(ours - ref)[normal] <= ulps * np.spacing(ref[normal]))
    assert np.all(np.abs(ours - ref)[~normal] <= np.finfo(dtype).tiny)
    assert ours[-3] == 0.0 and ours[-2] == 1.0


@pytest.mark.parametrize("dtype, bits", [(np.float32, np.uint32), (np.float64, np.uint64)])
def test_sigmoid_is_bit_for_bit_the_two_branch_formula(dtype, bits):
    """The in-place sigmoid computes exactly the docstring's two branches (no rounding moved):
    ``1 / (1 + z)`` for ``x >= 0`` and ``z / (1 + z)`` below, ``z = exp(-|x|)``."""
    rng = np.random.default_rng(0)
    x = np.concatenate([rng.normal(scale=30, size=100_000), np.linspace(-800, 800, 20_001),
                        [-np.inf, np.inf, -0.0, 0.0, 1e-300, -1e-300, np.nan]]).astype(dtype)
    with np.errstate(under="ignore"):
        z = np.exp(-np.abs(x))
    reference = np.where(x >= 0, 1 / (1 + z), z / (1 + z)).astype(dtype)
    assert np.array_equal(sigmoid(x).view(bits), reference.view(bits))
    assert sigmoid(dtype(-3.0)).shape == ()  # 0-d in, 0-d out
    assert sigmoid(np.array([-800, 0, 800])).tolist() == [0.0, 0.5, 1.0]  # integers: float64


def test_sigmoid_is_our_own_code():
    """Q2.2.1 asks to implement the sigmoid: the layer must not call a library's."""
    import inspect

    from lib.nn import layers

    source = inspect.getsource(layers)
    assert "expit" not in source and "scipy" not in source


def test_sigmoid_derivative_from_post_activation():
    _, backward = ACTIVATIONS["sigmoid"]
    x = np.linspace(-5, 5, 11)
    s, cache = sigmoid_forward(x)
    np.testing.assert_allclose(backward(np.ones_like(x), cache), np.exp(-x) / (1 + np.exp(-x)) ** 2, rtol=1e-12)


def test_relu_values_and_dtype():
    x = np.array([-2.0, 0.0, 3.0], dtype=np.float32)
    np.testing.assert_array_equal(relu(x), [0.0, 0.0, 3.0])
    out, cache = ACTIVATIONS["relu"][0](x)
    assert ACTIVATIONS["relu"][1](np.ones_like(x), cache).dtype == np.float32


def test_float32_stays_float32():
    p, R = _layer_case()
    p32 = {k: v.astype(np.float32) for k, v in p.items()}
    out, cache = dense_forward(p32["x"], p32["W"], p32["b"], "sigmoid")
    grads = dense_backward(R.astype(np.float32), cache)
    assert out.dtype == np.float32 and all(g.dtype == np.float32 for g in grads)


def test_bad_shapes_and_names_are_explained():
    with pytest.raises(ValueError, match="D_in"):
        linear_forward(np.zeros((2, 3)), np.zeros((4, 5)), np.zeros(5))
    with pytest.raises(ValueError, match="unknown activation"):
        dense_forward(np.zeros((2, 3)), np.zeros((3, 5)), np.zeros(5), "swish")
