"""The numerical gradient checker itself (Q2.5.1)."""

from __future__ import annotations

import numpy as np
import pytest

from lib.nn import check_gradients, numerical_gradient, relative_error


def _quadratic():
    rng = np.random.default_rng(0)
    A = rng.normal(size=(6, 6))
    params = {"w": rng.normal(size=(2, 3))}

    def loss(p):
        v = p["w"].reshape(-1)
        return v @ A @ v

    grad = ((A + A.T) @ params["w"].reshape(-1)).reshape(2, 3)
    return loss, params, grad


def test_exact_on_a_quadratic_and_restores_params():
    loss, params, grad = _quadratic()
    before = params["w"].copy()
    num = numerical_gradient(loss, params, "w")
    np.testing.assert_allclose(num, grad, rtol=1e-9)
    np.testing.assert_array_equal(params["w"], before)  # restored bit for bit


def test_subset_of_coordinates_and_order4():
    loss, params, grad = _quadratic()
    result = check_gradients(loss, params, {"w": grad}, max_coords=4, rng=1)
    assert result.checked == {"w": 4} and result.sizes == {"w": 6}
    assert result.passed(1e-9)
    result4 = check_gradients(lambda p: np.sin(p["w"]).sum(), params, {"w": np.cos(params["w"])},
                              eps=1e-3, order=4)
    assert result4.passed(1e-10)


def test_detects_a_wrong_gradient():
    loss, params, grad = _quadratic()
    wrong = grad.copy()
    wrong[1, 2] += 1e-3
    result = check_gradients(loss, params, {"w": wrong})
    assert not result.passed(1e-7)
    assert result.rows()[0]["parameter"] == "w"


def test_relative_error_definition():
    np.testing.assert_allclose(relative_error([1.0, 0.0, -2.0], [1.1, 0.0, 2.0]), [0.1 / 2.1, 0.0, 1.0])


def test_refuses_float32_and_wrong_shapes():
    loss, params, grad = _quadratic()
    with pytest.raises(TypeError, match="float64"):
        check_gradients(loss, {"w": params["w"].astype(np.float32)}, {"w": grad})
    with pytest.raises(ValueError, match="shape"):
        check_gradients(loss, params, {"w": grad.T})


def _classifier_with_tiny_inputs(scale_of_some_pixels: float):
    """The Q3 network in float64 on 4 random images whose first 100 pixels are scaled down:
    the gradients of the weights of those pixels shrink with them."""
    from lib.nn import NetworkSpec, as_dtype, init_params, loss_and_grads, loss_terms

    spec = NetworkSpec.classifier()
    params = as_dtype(init_params(spec, 0), np.float64)
    x = np.random.default_rng(1).random((4, 1024))
    x[:, :100] *= scale_of_some_pixels
    y = np.array([0, 5, 17, 35])
    _, grads, _ = loss_and_grads(params, spec, x, y, "sum")
    return (lambda p: loss_terms(p, spec, x, y)), params, grads


def test_floor_makes_the_verdict_independent_of_tiny_gradients():
    """Entries far below the rounding noise cannot be resolved to 1e-7 relative error; the
    floor judges them by their absolute error instead, so the verdict does not hinge on data."""
    loss, params, grads = _classifier_with_tiny_inputs(1e-9)
    names = ["W1"]
    plain = check_gradients(loss, params, grads, names=names, max_coords=300, rng=0, floor=0)
    floored = check_gradients(loss, params, grads, names=names, max_coords=300, rng=0)
    assert not plain.passed()  # pure rounding, read as a relative error
    assert floored.passed(), floored.errors
    assert floored.floor == pytest.approx(floored.noise / floored.tol)
    assert floored.below_floor["W1"] > 0


def test_floor_still_catches_a_wrong_gradient():
    loss, params, grads = _classifier_with_tiny_inputs(1.0)
    wrong = {k: v.copy() for k, v in grads.items()}
    wrong["b1"][3] *= 1 + 1e-5  # a relative error of 5e-6 in one entry
    result = check_gradients(loss, params, wrong, names=["b1"])
    assert not result.passed() and result.errors["b1"] > 1e-6


def test_rounding_noise_scales_with_the_loss_and_the_step():
    from lib.nn import rounding_noise

    eps_mach = np.finfo(np.float64).eps
    assert rounding_noise(np.array([1.0, -2.0]), 1e-4) == pytest.approx(3 * eps_mach / 1e-4)
    assert rounding_noise(3.0, 1e-3, order=4) == pytest.approx(1.5 * 3 * eps_mach / 1e-3)
