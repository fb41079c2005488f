"""lib.mlp: chapter 3's input convention, shifts and the exact folding of the input change."""

from __future__ import annotations

import numpy as np

from lib.mlp import MLPConfig, raw_input_params, shift_images, spec_of, to_model_input
from lib.nn import forward, init_params


def test_folding_the_ink_convention_is_exact():
    cfg = MLPConfig(ink_positive=True)
    spec = spec_of(cfg)
    params = init_params(spec, seed=1, dtype=np.float64)
    params["b1"] += 0.3
    X = np.random.default_rng(0).random((7, 1024))
    model, _ = forward(params, spec, 1.0 - X, head=False)  # what the network saw, in float64
    assert np.allclose(to_model_input(X, cfg), 1.0 - X, atol=1e-6)
    raw, _ = forward(raw_input_params(params, cfg), spec, X, head=False)
    np.testing.assert_allclose(raw, model, rtol=1e-10, atol=1e-10)


def test_no_folding_without_ink_convention():
    cfg = MLPConfig(ink_positive=False)
    params = init_params(spec_of(cfg), seed=1)
    out = raw_input_params(dict(params, init_W1=params["W1"]), cfg)
    assert set(out) == {"W1", "b1", "W2", "b2"}
    np.testing.assert_array_equal(out["W1"], params["W1"])


def test_shifts_move_whole_images_by_at_most_max_shift():
    rng = np.random.default_rng(0)
    X = np.zeros((50, 32, 32), np.float32)
    X[:, 15, 16] = 1.0  # one ink pixel in the middle of each image
    out = shift_images(X.reshape(50, 1024), 1, rng, fill=0.0).reshape(50, 32, 32)
    assert np.all(out.sum(axis=(1, 2)) == 1.0)  # nothing lost, nothing added
    r, c = np.nonzero(out)[1:]
    assert np.all(np.abs(r - 15) <= 1) and np.all(np.abs(c - 16) <= 1)
    assert len({(a, b) for a, b in zip(r, c, strict=True)}) > 4  # several different shifts
    np.testing.assert_array_equal(shift_images(X.reshape(50, 1024), 0, rng, 0.0), X.reshape(50, 1024))


def test_shifts_fill_with_paper():
    X = np.zeros((20, 1024), np.float32)  # all ink
    out = shift_images(X, 2, np.random.default_rng(1), fill=1.0)
    assert out.max() == 1.0  # some border filled with paper
