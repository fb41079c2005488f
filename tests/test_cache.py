"""lib.cache: computed once per key, reused after, recomputed when config or code change."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from lib import cache


@dataclasses.dataclass(frozen=True)
class Cfg:
    lr: float = 0.1
    epochs: int = 2


def test_fingerprint_is_stable_and_sensitive():
    a = np.arange(6.0)
    assert cache.fingerprint(Cfg(), a) == cache.fingerprint(Cfg(), a.copy())
    assert cache.fingerprint(Cfg(), a) != cache.fingerprint(Cfg(lr=0.2), a)
    assert cache.fingerprint(a) != cache.fingerprint(a.astype(np.float32))
    assert cache.fingerprint({"b": 1, "a": 2}) == cache.fingerprint({"a": 2, "b": 1})


def test_fingerprint_refuses_unknown_objects():
    with pytest.raises(TypeError, match="cannot fingerprint object"):
        cache.fingerprint(object())


def test_cached_computes_once_and_round_trips_arrays_and_metadata():
    calls = []

    @cache.cached("test-roundtrip")
    def compute(cfg: Cfg, x: np.ndarray):
        calls.append(cfg)
        return {"w": x * cfg.lr, "history": {"loss": [1.0, 0.5]}, "seconds": 1.25}

    x = np.arange(4, dtype=np.float32)
    first = compute(Cfg(), x)
    second = compute(Cfg(), x)
    assert len(calls) == 1
    assert np.array_equal(first["w"], second["w"]) and second["w"].dtype == np.float32
    assert second["history"] == {"loss": [1.0, 0.5]} and second["seconds"] == 1.25
    compute(Cfg(lr=0.5), x)
    assert len(calls) == 2
    assert compute.path(Cfg(), x).exists()


def test_atomic_write_leaves_no_partial_file(tmp_path):
    target = tmp_path / "out.txt"

    def broken(tmp):
        tmp.write_text("half")
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        cache.atomic_write(target, broken)
    assert not target.exists()
    assert list(tmp_path.iterdir()) == []


def test_saved_results_load_without_pickle(tmp_path):
    path = tmp_path / "r.npz"
    cache.save_result(path, {"a": np.ones(3), "meta": "text"})
    with np.load(path, allow_pickle=False) as npz:
        assert set(npz.files) == {"a", "__meta__"}
