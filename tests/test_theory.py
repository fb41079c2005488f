"""Tests of lib.theory (chapter 1): the convolution gradients against torch autograd and
central differences, and the softmax, affine, sigmoid/tanh and finite-difference helpers."""

from __future__ import annotations

import numpy as np
import pytest

from lib import theory as T

torch = pytest.importorskip("torch")

# (batch or None, C, M, N, D, K): single and batched inputs, 1x1 to K = M kernels, non-square images
CONV_SHAPES = [
    (None, 1, 4, 4, 1, 2),
    (None, 3, 7, 5, 2, 3),
    (None, 2, 5, 6, 4, 5),
    (2, 3, 6, 6, 2, 1),
    (3, 2, 9, 7, 3, 3),
    (1, 4, 5, 8, 2, 4),
]


def _conv_inputs(shape, seed):
    B, C, M, N, D, K = shape
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((C, M, N) if B is None else (B, C, M, N))
    return x, rng.standard_normal((D, C, K, K)), rng.standard_normal(D), rng


def _torch_conv(x, W, b, delta):
    tx, tW, tb = (torch.tensor(a, dtype=torch.float64, requires_grad=True) for a in (x, W, b))
    batched = tx.ndim == 4
    ty = torch.nn.functional.conv2d(tx if batched else tx[None], tW, tb)
    ty = ty if batched else ty[0]
    ty.backward(torch.tensor(delta))
    return ty.detach().numpy(), tx.grad.numpy(), tW.grad.numpy(), tb.grad.numpy()


@pytest.mark.parametrize("shape", CONV_SHAPES, ids=lambda s: "B{}-C{}-{}x{}-D{}-K{}".format(*s))
def test_conv2d_matches_torch_autograd(shape):
    x, W, b, rng = _conv_inputs(shape, seed=sum(shape[1:]))
    y, cache = T.conv2d_forward(x, W, b)
    delta = rng.standard_normal(y.shape)
    dx, dW, db = T.conv2d_backward(delta, cache)
    ty, tdx, tdW, tdb = _torch_conv(x, W, b, delta)
    assert y.shape == ty.shape and dx.shape == x.shape and dW.shape == W.shape and db.shape == b.shape
    np.testing.assert_allclose(y, ty, rtol=0, atol=1e-12)
    np.testing.assert_allclose(dx, tdx, rtol=0, atol=1e-12)
    np.testing.assert_allclose(dW, tdW, rtol=0, atol=1e-12)
    np.testing.assert_allclose(db, tdb, rtol=0, atol=1e-12)


@pytest.mark.parametrize("shape", [CONV_SHAPES[1], CONV_SHAPES[4]], ids=["single", "batched"])
def test_conv2d_gradients_match_central_differences(shape):
    x, W, b, rng = _conv_inputs(shape, seed=1)
    y, cache = T.conv2d_forward(x, W, b)
    delta = rng.standard_normal(y.shape)
    dx, dW, db = T.conv2d_backward(delta, cache)

    def J():
        return float(np.sum(delta * T.conv2d_forward(x, W, b)[0]))

    for grad, arr in ((dx, x), (dW, W), (db, b)):
        assert T.max_abs_error(grad, T.central_difference(J, arr, eps=1e-5)) < 1e-7


def test_conv2d_equals_scalar_loops_and_full_correlation():
    x, W, b, rng = _conv_inputs((None, 2, 6, 5, 3, 3), seed=2)
    y, cache = T.conv2d_forward(x, W, b)
    np.testing.assert_allclose(y, T.conv2d_forward_loops(x, W, b), atol=1e-12)
    delta = rng.standard_normal(y.shape)
    dx, dW, db = T.conv2d_backward(delta, cache)
    for got, want in zip((dx, dW, db), T.conv2d_backward_loops(delta, x, W), strict=True):
        np.testing.assert_allclose(got, want, atol=1e-12)
    np.testing.assert_allclose(T.conv2d_input_grad_full(delta, W), dx, atol=1e-12)


def test_conv2d_batched_sums_weight_gradients_over_examples():
    x, W, b, rng = _conv_inputs((3, 2, 5, 5, 2, 2), seed=3)
    y, cache = T.conv2d_forward(x, W, b)
    delta = rng.standard_normal(y.shape)
    dx, dW, db = T.conv2d_backward(delta, cache)
    singles = [T.conv2d_backward(delta[i], T.conv2d_forward(x[i], W, b)[1]) for i in range(3)]
    np.testing.assert_allclose(dx, np.stack([s[0] for s in singles]), atol=1e-12)
    np.testing.assert_allclose(dW, sum(s[1] for s in singles), atol=1e-12)
    np.testing.assert_allclose(db, sum(s[2] for s in singles), atol=1e-12)


def test_conv2d_detects_a_wrong_gradient():
    """The comparison can fail: a kernel flipped in the backward pass is caught."""
    x, W, b, rng = _conv_inputs((None, 2, 6, 6, 2, 3), seed=4)
    y, cache = T.conv2d_forward(x, W, b)
    delta = rng.standard_normal(y.shape)
    wrong_cache = (cache[0], W[:, :, ::-1, ::-1], cache[2])
    dx_wrong, _, _ = T.conv2d_backward(delta, wrong_cache)
    _, tdx, _, _ = _torch_conv(x, W, b, delta)
    assert T.max_abs_error(dx_wrong, tdx) > 1e-3


def test_conv2d_rejects_bad_shapes():
    x, W, b, _ = _conv_inputs((None, 2, 5, 5, 3, 3), seed=5)
    with pytest.raises(ValueError, match="channels"):
        T.conv2d_forward(x[:1], W, b)
    with pytest.raises(ValueError, match="larger than"):
        T.conv2d_forward(x[:, :2, :2], W, b)
    with pytest.raises(ValueError, match="b has shape"):
        T.conv2d_forward(x, W, b[:2])
    with pytest.raises(ValueError, match="dy is"):
        T.conv2d_backward(np.zeros((3, 2, 2)), T.conv2d_forward(x, W, b)[1])


def test_softmax_translation_invariance_and_stability():
    rng = np.random.default_rng(0)
    x = rng.uniform(-20, 20, size=(50, 6))
    for c in (-30.0, 0.5, 40.0):
        assert T.max_abs_error(T.softmax_shifted(x, c), T.softmax_naive(x)) < 1e-12
    big = np.array([1000.0, 1001.0])
    assert np.isnan(T.softmax_naive(big)).all()  # the failure the shift avoids
    p = T.softmax_stable(big)
    np.testing.assert_allclose(p, [1 / (1 + np.e), np.e / (1 + np.e)], rtol=1e-14)
    p = T.softmax_stable(rng.normal(0, 100, size=(100, 5)))
    assert ((p >= 0) & (p <= 1)).all() and np.allclose(p.sum(axis=-1), 1, atol=1e-14)
    steps = T.softmax_steps(np.array([3.0, 1.0]))
    assert steps["s"].max() == 1.0 and 1.0 <= steps["S"][0] <= 2.0
    assert T.overflow_threshold() == pytest.approx(709.78, abs=0.01)


def test_affine_composition_and_least_squares():
    rng = np.random.default_rng(1)
    layers = T.random_affine_layers([4, 6, 5, 2], rng)
    X = rng.standard_normal((30, 4))
    W, b = T.compose_affine(layers)
    np.testing.assert_allclose(T.linear_network_forward(X, layers), X @ W + b, atol=1e-12)
    W_ls, b_ls = T.least_squares_affine(X, X @ W + b)
    np.testing.assert_allclose(W_ls, W, atol=1e-10)
    np.testing.assert_allclose(b_ls, b, atol=1e-10)
    with pytest.raises(ValueError):
        T.compose_affine([])


def test_linear_network_training_reaches_least_squares():
    rng = np.random.default_rng(2)
    X = rng.standard_normal((80, 3))
    Y = np.tanh(X) @ rng.standard_normal((3, 2))
    W_ls, b_ls = T.least_squares_affine(X, Y)
    _, losses = T.train_linear_network(X, Y, T.random_affine_layers([3, 5, 2], rng), lr=0.05, steps=1500)
    ls = T.mse(X @ W_ls + b_ls, Y)
    assert losses[-1] >= ls - 1e-12 and losses[-1] - ls < 1e-8 and losses[0] > losses[-1]


def test_affine_gradients_scalar_matrix_and_finite_differences():
    rng = np.random.default_rng(3)
    x, W, b, delta = (
        rng.standard_normal(5),
        rng.standard_normal((3, 5)),
        rng.standard_normal(3),
        rng.standard_normal(3),
    )
    _, cache = T.affine_forward_column(x, W, b)
    grads = T.affine_backward_column(delta, cache)
    for got, want in zip(grads, T.affine_backward_scalar(delta, cache), strict=True):
        np.testing.assert_allclose(got, want, atol=1e-14)

    def J():
        return float(delta @ T.affine_forward_column(x, W, b)[0])

    for got, arr in zip(grads, (W, x, b), strict=True):
        assert T.max_abs_error(got, T.central_difference(J, arr)) < 1e-8
    X, Wb, dY = rng.standard_normal((4, 5)), rng.standard_normal((5, 3)), rng.standard_normal((4, 3))
    dX, dW, db = T.linear_backward(dY, T.linear_forward(X, Wb, b)[1])
    np.testing.assert_allclose(dX, dY @ Wb.T)
    np.testing.assert_allclose(dW, sum(np.outer(X[n], dY[n]) for n in range(4)), atol=1e-14)
    with pytest.raises(ValueError, match="expected"):
        T.affine_forward_column(x, W.T, b)


def test_sigmoid_tanh_identities_and_derivatives():
    x = np.linspace(-30, 30, 601)
    s = T.sigmoid(x)
    assert np.all((s >= 0) & (s <= 1)) and np.isfinite(T.sigmoid(np.array([-1000.0, 1000.0]))).all()
    assert T.max_abs_error(T.sigmoid_grad_from_output(s), T.derivative_on_grid(T.sigmoid, x)) < 1e-9
    assert T.max_abs_error(T.tanh_via_sigmoid(x), np.tanh(x)) < 1e-15 * 10
    assert T.max_abs_error(T.tanh_grad_from_output(np.tanh(x)), T.derivative_on_grid(np.tanh, x)) < 1e-9
    assert T.sigmoid_grad_from_output(s).max() == pytest.approx(0.25)


def test_deep_network_gradients_match_torch_and_vanish_for_sigmoid():
    rng = np.random.default_rng(4)
    L, w, n = 8, 16, 20
    X, R = rng.standard_normal((n, w)), rng.standard_normal((n, w))
    weights = [T.orthogonal(w, rng) for _ in range(L)]
    np.testing.assert_allclose(weights[0] @ weights[0].T, np.eye(w), atol=1e-12)
    norms = {}
    for act, f in (("sigmoid", torch.sigmoid), ("tanh", torch.tanh)):
        g = T.deep_network_gradients(act, X, weights, R)
        tW = [torch.tensor(W, requires_grad=True) for W in weights]
        h = torch.tensor(X)
        for W in tW:
            h = f(h @ W)
        (h * torch.tensor(R)).sum().div(n).backward()
        for dW, W in zip(g["dW"], tW, strict=True):
            assert T.scaled_error(dW, W.grad.numpy()) < 1e-12
        norms[act] = np.array([np.linalg.norm(a) for a in g["dA"]])
    # ||dJ/da_l|| <= max f' ||dJ/da_(l+1)|| with orthogonal W
    assert np.all(norms["sigmoid"][:-1] <= 0.25 * norms["sigmoid"][1:] * (1 + 1e-12))
    assert norms["sigmoid"][0] / norms["sigmoid"][-1] < 0.25 ** (L - 1)
    assert norms["tanh"][0] / norms["tanh"][-1] > 100 * norms["sigmoid"][0] / norms["sigmoid"][-1]
    with pytest.raises(ValueError, match="activation"):
        T.deep_network_gradients("relu", X, weights, R)


def test_central_difference_and_error_measures():
    x = np.array([0.3, -1.2, 2.0])

    def f():
        return float(np.sum(x**3))

    np.testing.assert_allclose(T.central_difference(f, x), 3 * x**2, rtol=1e-8)
    np.testing.assert_array_equal(x, [0.3, -1.2, 2.0])  # restored after perturbation
    with pytest.raises(TypeError, match="float64"):
        T.central_difference(f, x.astype(np.float32))
    assert T.max_abs_error([1.0, 2.0], [1.0, 2.5]) == 0.5
    assert T.scaled_error([1.0, 2.0], [1.0, 4.0]) == 0.5
    assert T.max_rel_error([1.0], [2.0]) == 0.5
    with pytest.raises(ValueError, match="shapes"):
        T.max_abs_error(np.zeros(2), np.zeros(3))


def test_pipeline_runs_every_check_and_records_q1_1_to_q1_7():
    from lib import results
    from lib.pipelines import PIPELINES
    from lib.pipelines import theory as pipeline

    assert PIPELINES[0] == "theory"
    out = pipeline.run()
    assert (out.checks["error"] < out.checks["tol"]).all()
    recorded = results.collect()
    for q in ("Q1.1", "Q1.2", "Q1.3", "Q1.4", "Q1.5", "Q1.6", "Q1.7"):
        assert recorded[q]["pass"] is True and recorded[q]["value"] < 1e-4
        assert recorded[q]["data"] == pipeline.DATA
    assert len(out.q1_7["norms"]["sigmoid"]["dW"]) == pipeline.DEEP_LAYERS
