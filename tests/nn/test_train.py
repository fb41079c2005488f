"""Mini-batches, optimizers and the training loop (Q2.4.1, Q5.1.2)."""

from __future__ import annotations

import numpy as np
import pytest

from lib.nn import (
    SGD,
    Momentum,
    NetworkSpec,
    TrainConfig,
    init_params,
    loss_and_grads,
    minibatches,
    train,
    train_epoch,
)


@pytest.mark.parametrize("n, batch_size", [(100, 32), (64, 16), (5, 10)])
def test_each_example_exactly_once_per_epoch(n, batch_size):
    rng = np.random.default_rng(0)
    epochs = [np.concatenate(list(minibatches(n, batch_size, rng))) for _ in range(3)]
    for seen in epochs:
        np.testing.assert_array_equal(np.sort(seen), np.arange(n))
    assert not np.array_equal(epochs[0], epochs[1])  # a fresh permutation each epoch
    sizes = [len(b) for b in minibatches(n, batch_size, rng)]
    assert sizes[:-1] == [batch_size] * (len(sizes) - 1) and sum(sizes) == n


def test_minibatches_are_seeded():
    a = list(minibatches(50, 8, np.random.default_rng(3)))
    b = list(minibatches(50, 8, np.random.default_rng(3)))
    assert all(np.array_equal(u, v) for u, v in zip(a, b, strict=True))


def test_sgd_and_momentum_updates():
    W0, g = np.array([1.0, 2.0]), np.array([0.5, -1.0])
    p = {"W": W0.copy()}
    SGD(0.1).step(p, {"W": g})
    np.testing.assert_allclose(p["W"], W0 - 0.1 * g)
    p, opt = {"W": W0.copy()}, Momentum(0.1, 0.9)
    opt.step(p, {"W": g})  # M = -0.1 g
    opt.step(p, {"W": g})  # M = 0.9 (-0.1 g) - 0.1 g
    M = 0.9 * (-0.1 * g) - 0.1 * g
    np.testing.assert_allclose(opt.velocity["W"], M)
    np.testing.assert_allclose(p["W"], W0 - 0.1 * g + M)
    np.testing.assert_array_equal(g, [0.5, -1.0])  # gradients untouched


def _separable(seed=0, n=240, d=8, classes=3):
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(classes, d)) * 4
    y = rng.integers(0, classes, size=n)
    x = centres[y] + rng.normal(size=(n, d)) * 0.5
    return x.astype(np.float32), y


@pytest.mark.parametrize("momentum", [0.0, 0.9])
def test_learns_a_separable_problem_to_100_percent(momentum):
    x, y = _separable()
    spec = NetworkSpec.classifier(n_in=8, hidden=16, n_classes=3)
    cfg = TrainConfig(lr=0.5 if momentum == 0 else 0.05, batch_size=16, epochs=30, momentum=momentum)
    params, history = train(spec, cfg, x[:180], y[:180], x[180:], y[180:])
    assert history["train_acc"][-1] == 1.0 and history["valid_acc"][-1] == 1.0
    assert history["train_loss"][-1] < history["train_loss"][0] / 10
    assert all(v.dtype == np.float32 for v in params.values())


def test_history_is_reproducible_and_complete():
    x, y = _separable(seed=1, n=60)
    spec = NetworkSpec.classifier(n_in=8, hidden=4, n_classes=3)
    cfg = TrainConfig(lr=0.2, batch_size=8, epochs=3, seed=5)
    p1, h1 = train(spec, cfg, x, y, x, y, keep_initial=True)
    p2, h2 = train(spec, cfg, x, y, x, y)
    assert all(np.array_equal(p1[k], p2[k]) for k in p1)
    np.testing.assert_array_equal(h1["epoch"], [0, 1, 2, 3])
    for key in ("train_loss", "valid_loss", "train_acc", "valid_acc"):
        assert h1[key].shape == (4,) and np.array_equal(h1[key], h2[key])
    assert {"init_W1", "init_b1", "init_W2", "init_b2"} <= set(h1) and "init_W1" not in h2
    assert not np.array_equal(h1["init_W1"], p1["W1"])
    _, h3 = train(spec, TrainConfig(lr=0.2, batch_size=8, epochs=3, seed=6), x, y, x, y)
    assert not np.array_equal(h1["train_loss"], h3["train_loss"])


def test_autoencoder_trains_with_squared_error():
    rng = np.random.default_rng(2)
    codes = rng.random((200, 3))
    x = (1 / (1 + np.exp(-(codes @ rng.normal(size=(3, 20)) * 2)))).astype(np.float32)
    spec = NetworkSpec.autoencoder(n_in=20, hidden=(8, 4, 8))
    cfg = TrainConfig(lr=1e-3, batch_size=10, epochs=20, momentum=0.9, reduction="sum")
    params, history = train(spec, cfg, x, x, x, x)
    assert "train_acc" not in history
    assert history["valid_loss"][-1] < 0.5 * history["valid_loss"][0]


def test_config_is_validated():
    with pytest.raises(ValueError, match="reduction"):
        TrainConfig(reduction="avg")
    with pytest.raises(ValueError, match="batch_size"):
        TrainConfig(batch_size=0)


def test_progress_wrapper_sees_every_epoch():
    x, y = _separable(seed=2, n=40)
    seen = []

    def progress(iterable, desc=""):
        assert "8-4-3" in desc
        for epoch in iterable:
            seen.append(epoch)
            yield epoch

    spec = NetworkSpec.classifier(n_in=8, hidden=4, n_classes=3)
    train(spec, TrainConfig(lr=0.1, batch_size=8, epochs=2), x, y, progress=progress)
    assert seen == [1, 2]


@pytest.mark.parametrize("autoencoder", [False, True])
def test_train_epoch_is_bit_for_bit_the_plain_loop(autoencoder):
    """``train_epoch``'s shortcuts (one gather when the target is the input) change no bit:
    it equals gathering each batch, ``loss_and_grads`` and ``optimizer.step`` written out."""
    rng = np.random.default_rng(0)
    x = rng.random((70, 12), dtype=np.float32)
    if autoencoder:
        spec, y, reduction, make_opt = NetworkSpec.autoencoder(12, (5, 4, 5)), x, "sum", lambda: Momentum(1e-3)
    else:
        spec, y, reduction, make_opt = NetworkSpec.classifier(12, 6, 4), rng.integers(0, 4, 70), "mean", lambda: SGD(0.3)
    fast, plain = init_params(spec, 1), init_params(spec, 1)
    fast_opt, plain_opt = make_opt(), make_opt()
    for epoch in range(3):
        total = train_epoch(fast, spec, x, y, fast_opt, 16, np.random.default_rng(epoch), reduction)
        expected = 0.0
        for idx in minibatches(len(x), 16, np.random.default_rng(epoch)):
            loss, grads, _ = loss_and_grads(plain, spec, x[idx], y[idx], reduction)
            plain_opt.step(plain, grads)
            expected += loss
        assert total == expected
        for name in plain:
            assert np.array_equal(fast[name], plain[name]), (epoch, name)
