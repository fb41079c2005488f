"""The training loop on tiny random problems; cache hit/miss behaviour of fit_cached."""

from __future__ import annotations

import math

import pytest
import torch

from lib.deep import models, train


def blobs(n=256, d=8, classes=3, seed=0):
    """Separable Gaussian blobs: a problem any working loop learns in a few epochs."""
    centres = torch.randn(classes, d, generator=torch.Generator().manual_seed(123)) * 4
    g = torch.Generator().manual_seed(seed)
    y = torch.randint(0, classes, (n,), generator=g)
    x = centres[y] + torch.randn(n, d, generator=g)
    return x, y


def small_mlp(d=8, classes=3):
    return models.build(models.FCSpec(inputs=d, hidden=16, classes=classes))


def loaders(bs=32):
    x, y = blobs()
    xv, yv = blobs(seed=1)
    return train.TensorLoader(x, y, bs, shuffle=True), train.TensorLoader(xv, yv, 128)


CFG = train.TrainConfig(epochs=4, batch_size=32, lr=0.05, schedule="onecycle", device="cpu")


def test_fit_learns_a_separable_problem_and_records_history():
    torch.manual_seed(0)
    model = small_mlp()
    tl, vl = loaders()
    before = train.evaluate(model, vl)[1]
    hist = train.fit(model, tl, vl, CFG)
    assert hist.epochs == 4
    assert all(len(v) == 4 for v in hist.as_dict().values())
    assert hist.valid_acc[-1] > 0.95 > before
    assert hist.train_loss[-1] < hist.train_loss[0]
    assert all(s > 0 for s in hist.seconds)
    assert not model.training  # fit leaves the model in eval mode


def test_fit_is_reproducible_with_the_same_seed():
    runs = []
    for _ in range(2):
        torch.manual_seed(CFG.seed)
        model = small_mlp()
        tl, vl = loaders()
        runs.append(train.fit(model, tl, vl, CFG).train_loss)
    assert runs[0] == runs[1]


@pytest.mark.parametrize("opt,sched", [("sgd", "constant"), ("adam", "cosine"), ("adamw", "onecycle")])
def test_optimisers_and_schedules(opt, sched):
    cfg = train.TrainConfig(epochs=2, lr=0.02, optimizer=opt, schedule=sched, device="cpu")
    torch.manual_seed(0)
    hist = train.fit(small_mlp(), *loaders(), cfg)
    assert math.isfinite(hist.train_loss[-1])


def test_bad_config_names_the_field():
    with pytest.raises(ValueError, match="optimizer"):
        train.fit(small_mlp(), *loaders(), train.TrainConfig(optimizer="lbfgs", device="cpu"))


def test_augment_is_applied_to_training_batches_only():
    calls = []

    def augment(x):
        calls.append(len(x))
        return x

    tl, vl = loaders(bs=64)
    train.fit(small_mlp(), tl, vl, train.TrainConfig(epochs=1, device="cpu"), augment=augment)
    assert sum(calls) == 256  # every training item once, no validation item


def test_tensor_loader_batches_cover_the_data_once_per_epoch():
    x, y = torch.arange(10.0).view(10, 1), torch.arange(10)
    tl = train.TensorLoader(x, y, batch_size=4, shuffle=True, seed=3)
    assert len(tl) == 3
    first = torch.cat([b[1] for b in tl])
    second = torch.cat([b[1] for b in tl])
    assert sorted(first.tolist()) == list(range(10)) == sorted(second.tolist())
    assert first.tolist() != second.tolist()  # reshuffled each epoch
    with pytest.raises(ValueError):
        train.TensorLoader(x, y[:5])


def test_fit_cached_miss_then_hit_then_miss_on_change(tmp_path, monkeypatch):
    monkeypatch.setenv("HW5_CACHE", str(tmp_path))
    made = []

    def make_loaders():
        made.append(1)
        return loaders()

    first = train.fit_cached("toy", small_mlp, make_loaders, CFG, specs=("blobs",), data=("seed 0",))
    assert not first.cached and first.path.exists() and first.path.suffix == ".pt"
    second = train.fit_cached("toy", small_mlp, make_loaders, CFG, specs=("blobs",), data=("seed 0",))
    assert second.cached and len(made) == 1  # the hit does not even build the loaders
    assert second.history.as_dict() == first.history.as_dict()
    assert second.seconds == pytest.approx(first.seconds)
    for a, b in zip(first.model.state_dict().values(), second.model.state_dict().values(), strict=True):
        assert torch.equal(a, b)
    x, _ = blobs(seed=2)
    assert torch.allclose(train.predict(first.model, x), train.predict(second.model, x))
    # another config, another data fingerprint: each trains again
    train.fit_cached("toy", small_mlp, make_loaders, train.TrainConfig(epochs=1, device="cpu"), specs=("blobs",), data=("seed 0",))
    train.fit_cached("toy", small_mlp, make_loaders, CFG, specs=("blobs",), data=("seed 1",))
    assert len(made) == 3
    # the file loads with weights_only=True (no pickled objects)
    saved = torch.load(first.path, weights_only=True)
    assert set(saved) == {"state_dict", "history", "meta"}


def test_fit_trains_with_the_fixed_thread_count_and_the_meta_says_so(tmp_path, monkeypatch):
    """fit runs on thread_count() threads whatever the process uses, and fit_cached records that
    count (not the process's, which torch_threads restores after fit)."""
    monkeypatch.setenv("HW5_CACHE", str(tmp_path))
    monkeypatch.setenv("HW5_TORCH_THREADS", "1")
    seen = []

    def augment(x):
        seen.append(torch.get_num_threads())
        return x

    before = torch.get_num_threads()
    torch.set_num_threads(2)
    try:
        trained = train.fit_cached("toy", small_mlp, loaders, train.TrainConfig(epochs=1, device="cpu"),
                                   specs=("threads",), augment=augment)
        assert set(seen) == {1} and torch.get_num_threads() == 2
        assert trained.meta["threads"] == 1
    finally:
        torch.set_num_threads(before)


def test_fit_cached_key_depends_on_code(monkeypatch):
    k1 = train.training_key("toy", CFG, "k")
    monkeypatch.setattr(train.cache, "source_hash", lambda *m: "changed")
    assert train.training_key("toy", CFG, "k") != k1


def test_resolve_device():
    assert train.resolve_device("cpu") == torch.device("cpu")
    expected = "cuda" if torch.cuda.is_available() else "cpu"
    assert train.resolve_device("auto").type == expected
