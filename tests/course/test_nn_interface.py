"""The course's nn.py/q4.py/util.py interfaces: names, signatures and the course's checks.

The graders call these functions by name with the course's conventions (a ``params`` dict of
``W<name>`` (in, out) and ``b<name>`` (out,), caches and gradients stored back in it), so the
tests use exactly those calls: shapes of forward and backward, softmax rows summing to 1, the
loss and accuracy, random batches, and a central-difference gradient check of a small network.
"""

from __future__ import annotations

import inspect

import numpy as np
import pytest

from tests.course.helpers import load_course_module

nn = load_course_module("nn")
util = load_course_module("util")


_ = inspect.Parameter.empty


def test_names_and_signatures_are_the_courses():
    expected = {
        "initialize_weights": [("in_size", _), ("out_size", _), ("params", _), ("name", "")],
        "sigmoid": [("x", _)],
        "forward": [("X", _), ("params", _), ("name", ""), ("activation", nn.sigmoid)],
        "softmax": [("x", _)],
        "compute_loss_and_acc": [("y", _), ("probs", _)],
        "sigmoid_deriv": [("post_act", _)],
        "backwards": [("delta", _), ("params", _), ("name", ""), ("activation_deriv", nn.sigmoid_deriv)],
        "get_random_batches": [("x", _), ("y", _), ("batch_size", _)],
    }
    for name, params in expected.items():
        found = [(p.name, p.default) for p in inspect.signature(getattr(nn, name)).parameters.values()]
        assert found == params, name
    q4 = load_course_module("q4")
    assert list(inspect.signature(q4.findLetters).parameters) == ["image"]


def _network(rng, sizes=(5, 7, 3), n=6):
    params = {}
    nn.initialize_weights(sizes[0], sizes[1], params, "layer1")
    nn.initialize_weights(sizes[1], sizes[2], params, "output")
    x = rng.normal(size=(n, sizes[0]))
    y = np.eye(sizes[2])[rng.integers(0, sizes[2], n)]
    return params, x, y


def test_initialize_weights_shapes_and_xavier_variance():
    params = {}
    nn.initialize_weights(1024, 64, params, "layer1")
    assert params["Wlayer1"].shape == (1024, 64) and params["blayer1"].shape == (64,)
    assert np.all(params["blayer1"] == 0)
    assert params["Wlayer1"].var() == pytest.approx(2 / (1024 + 64), rel=0.05)


def test_forward_backward_shapes_and_softmax_rows():
    rng = np.random.default_rng(0)
    params, x, y = _network(rng)
    h1 = nn.forward(x, params, "layer1")
    probs = nn.forward(h1, params, "output", nn.softmax)
    assert h1.shape == (6, 7) and probs.shape == (6, 3)
    assert np.all((h1 > 0) & (h1 < 1))
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, rtol=1e-12)
    X, pre, post = params["cache_layer1"]
    assert X is x and pre.shape == (6, 7) and post is h1
    # softmax is stable for large inputs and invariant to a constant shift per row
    big = np.array([[1000.0, 1001.0, 999.0], [-1000.0, 0.0, 1000.0]])
    s = nn.softmax(big)
    assert np.all(np.isfinite(s))
    np.testing.assert_allclose(s.sum(axis=1), 1.0)
    np.testing.assert_allclose(s, nn.softmax(big - 1000.0))
    loss, acc = nn.compute_loss_and_acc(y, probs)
    assert loss == pytest.approx(-np.sum(y * np.log(probs)))
    assert acc == pytest.approx(np.mean(probs.argmax(1) == y.argmax(1)))
    delta = nn.backwards(probs - y, params, "output", util.linear_deriv)
    dx = nn.backwards(delta, params, "layer1", nn.sigmoid_deriv)
    assert delta.shape == (6, 7) and dx.shape == (6, 5)
    for name in ("Wlayer1", "blayer1", "Woutput", "boutput"):
        assert params["grad_" + name].shape == params[name].shape


def _loss(params, x, y):
    h = nn.forward(x, params, "layer1")
    return nn.compute_loss_and_acc(y, nn.forward(h, params, "output", nn.softmax))[0]


def _analytic(params, x, y):
    h = nn.forward(x, params, "layer1")
    probs = nn.forward(h, params, "output", nn.softmax)
    delta = nn.backwards(probs - y, params, "output", util.linear_deriv)
    nn.backwards(delta, params, "layer1", nn.sigmoid_deriv)
    return {k: params["grad_" + k].copy() for k in ("Wlayer1", "blayer1", "Woutput", "boutput")}


def _numerical(params, x, y, eps=1e-6):
    grads = {}
    for name in ("Wlayer1", "blayer1", "Woutput", "boutput"):
        W = params[name]
        g = np.zeros_like(W)
        for i in np.ndindex(W.shape):
            old = W[i]
            W[i] = old + eps
            up = _loss(params, x, y)
            W[i] = old - eps
            down = _loss(params, x, y)
            W[i] = old
            g[i] = (up - down) / (2 * eps)
        grads[name] = g
    return grads


def _max_rel_error(a, b):
    return max(float(np.max(np.abs(a[k] - b[k]) / np.maximum(np.abs(a[k]) + np.abs(b[k]), 1e-8))) for k in a)


def test_gradients_match_central_differences():
    rng = np.random.default_rng(1)
    params, x, y = _network(rng)
    for name in ("blayer1", "boutput"):
        params[name] = rng.normal(scale=0.1, size=params[name].shape)
    analytic = _analytic(params, x, y)
    assert _max_rel_error(analytic, _numerical(params, x, y)) < 1e-6
    # ... and the check can fail: a wrong derivative of the activation is caught
    h = nn.forward(x, params, "layer1")
    probs = nn.forward(h, params, "output", nn.softmax)
    delta = nn.backwards(probs - y, params, "output", util.linear_deriv)
    nn.backwards(delta, params, "layer1", lambda post: post)  # wrong on purpose
    wrong = {k: params["grad_" + k].copy() for k in analytic}
    assert _max_rel_error(wrong, _numerical(params, x, y)) > 1e-2


def test_get_random_batches_cover_every_example_once():
    x = np.arange(23)[:, None].astype(float)
    y = np.eye(23)
    batches = nn.get_random_batches(x, y, 5)
    assert [len(bx) for bx, _ in batches] == [5, 5, 5, 5, 3]
    seen = np.concatenate([bx[:, 0] for bx, _ in batches])
    assert sorted(seen.tolist()) == list(range(23))
    for bx, by in batches:  # pairs stay together
        np.testing.assert_array_equal(by.argmax(1), bx[:, 0].astype(int))


def test_util_activations():
    x = np.array([[-2.0, 0.5, 3.0]])
    np.testing.assert_array_equal(util.relu(x), [[0.0, 0.5, 3.0]])
    np.testing.assert_array_equal(util.relu_deriv(x), [[0.0, 1.0, 1.0]])
    np.testing.assert_allclose(util.tanh_deriv(util.tanh(x)), 1 - np.tanh(x) ** 2)
    np.testing.assert_array_equal(util.linear_deriv(x), np.ones_like(x))
