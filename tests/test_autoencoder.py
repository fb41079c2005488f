"""lib.autoencoder: the Q5 network from lib.nn layers, momentum training, parameter count."""

from __future__ import annotations

import numpy as np
import pytest

from lib.autoencoder import AEConfig, n_parameters, params_of, reconstruct, spec_of, train_autoencoder
from lib.nn import init_params
from tests import tiny_nist36


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    with tiny_nist36.in_use(tmp_path_factory.mktemp("tiny_ae")) as folder:
        yield folder


def test_architecture_is_the_handouts():
    spec = spec_of(AEConfig())
    assert spec.sizes == (1024, 32, 32, 32, 1024)
    assert spec.activations == ("relu", "relu", "relu", "sigmoid")
    assert spec.loss == "squared_error"


def test_defaults_are_the_handouts():
    cfg = AEConfig()
    assert (cfg.batch_size, cfg.lr, cfg.momentum, cfg.hidden, cfg.epochs) == (36, 3e-5, 0.9, 32, 100)
    # the starter script's loop: batches drawn once; lr *= 0.9 after every 20th epoch
    assert (cfg.reshuffle, cfg.lr_decay, cfg.lr_decay_every) == (False, 0.9, 20)
    assert [cfg.lr_at(e) for e in (1, 20)] == [3e-5, 3e-5]
    assert cfg.lr_at(21) == pytest.approx(2.7e-5) and cfg.lr_at(100) == pytest.approx(3e-5 * 0.9**4)


def test_bad_schedule_is_refused():
    with pytest.raises(ValueError, match="lr_decay"):
        AEConfig(lr_decay=0.0)
    with pytest.raises(ValueError, match="lr_decay_every"):
        AEConfig(lr_decay_every=0)


def test_batches_repeat_unless_reshuffled(tiny, monkeypatch):
    """reshuffle=False visits the same batches in the same order every epoch (the starter
    script's habit), reshuffle=True a new permutation each epoch; lr follows lr_at."""
    import lib.autoencoder as ae

    seen, rates = [], []
    real = ae.train_epoch

    def spy(params, spec, x, y, optimizer, batch_size, rng, reduction):
        state = rng.bit_generator.state
        seen.append(rng.permutation(len(x)))
        rng.bit_generator.state = state
        rates.append(optimizer.lr)
        return real(params, spec, x, y, optimizer, batch_size, rng, reduction)

    monkeypatch.setattr(ae, "train_epoch", spy)
    ae.train_autoencoder.__wrapped__(AEConfig(epochs=3, lr_decay=0.5, lr_decay_every=2))
    assert all(np.array_equal(seen[0], o) for o in seen[1:])
    assert rates == pytest.approx([3e-5, 3e-5, 1.5e-5])
    seen.clear()
    ae.train_autoencoder.__wrapped__(AEConfig(epochs=3, reshuffle=True))
    assert not np.array_equal(seen[0], seen[1]) and not np.array_equal(seen[1], seen[2])


def test_parameter_count_is_counted_from_arrays():
    params = init_params(spec_of(AEConfig()), seed=0)
    assert n_parameters(params) == sum(v.size for v in params.values()) == 68704
    assert n_parameters({"W1": np.zeros((2, 3)), "b1": np.zeros(3)}) == 9


def test_training_loss_falls_and_reruns_identically(tiny):
    cfg = AEConfig(epochs=12)  # the handout's learning rate, momentum and batch size
    result = train_autoencoder(cfg)
    loss = result["train_loss"]
    assert loss[-1] < 0.5 * loss[0]
    assert np.all(np.diff(loss[3:]) < 0), loss  # monotonic after the first epochs
    running = result["epoch_loss"]  # the handout's plotted loss: summed while training
    assert np.isnan(running[0]) and running[-1] < running[1]
    again = train_autoencoder.__wrapped__(cfg)
    np.testing.assert_array_equal(again["W1"], result["W1"])


def test_momentum_matters(tiny):
    """momentum=0 trains a different (here: slower) network: the accumulator is really used."""
    fast = train_autoencoder(AEConfig(epochs=4, lr=3e-5))
    slow = train_autoencoder(AEConfig(epochs=4, lr=3e-5, momentum=0.0))
    assert fast["train_loss"][-1] < slow["train_loss"][-1]


def test_reconstruct_shape_and_range(tiny):
    params = params_of(train_autoencoder(AEConfig(epochs=2)))
    X = np.random.default_rng(0).random((5, 1024))
    out = reconstruct(params, X)
    assert out.shape == (5, 1024) and np.all((out > 0) & (out < 1))
