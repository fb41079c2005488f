"""Xavier/Glorot uniform initialisation (Q2.1.2)."""

from __future__ import annotations

import numpy as np
import pytest

from lib.nn import NetworkSpec, init_params, xavier_bound, xavier_uniform


def test_xavier_variance_on_a_1000_by_1000_matrix():
    W, b = xavier_uniform(1000, 1000, np.random.default_rng(0), np.float64)
    target = 2 / (1000 + 1000)
    assert abs(W.var() / target - 1) < 0.05
    assert abs(W.mean()) < 1e-3
    assert np.abs(W).max() <= xavier_bound(1000, 1000)
    assert np.all(b == 0) and b.shape == (1000,)


def test_xavier_shape_dtype_and_seed():
    W1, _ = xavier_uniform(1024, 64, 7, np.float32)
    W2, _ = xavier_uniform(1024, 64, 7, np.float64)
    assert W1.shape == (1024, 64) and W1.dtype == np.float32
    np.testing.assert_array_equal(W1, W2.astype(np.float32))  # float32 is the cast of float64
    assert not np.array_equal(W1, xavier_uniform(1024, 64, 8)[0])
    assert xavier_bound(1024, 64) == pytest.approx(np.sqrt(6 / 1088))
    with pytest.raises(ValueError, match="positive"):
        xavier_uniform(0, 3)


def test_init_params_layers_and_reproducibility():
    spec = NetworkSpec.autoencoder()
    p = init_params(spec, seed=0)
    assert list(p) == ["W1", "b1", "W2", "b2", "W3", "b3", "W4", "b4"]
    assert [p[f"W{i}"].shape for i in range(1, 5)] == [(1024, 32), (32, 32), (32, 32), (32, 1024)]
    q = init_params(spec, seed=0)
    assert all(np.array_equal(p[k], q[k]) for k in p)
    assert not np.array_equal(p["W1"], init_params(spec, seed=1)["W1"])
