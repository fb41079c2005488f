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
