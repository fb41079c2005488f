"""The build includes trained weights only from the cache (never trains), and the course
scripts' shared choices agree with the book's."""

from __future__ import annotations

import numpy as np
import pytest

from course import build
from lib import config
from lib.nn import load_params
from tests.conftest import requires_data
from tests.course.helpers import load_course_module


@pytest.mark.parametrize("profile", ["", "quick"])
def test_course_choices_match_the_book(monkeypatch, profile):
    from lib.pipelines import autoencoder

    monkeypatch.setenv("QUARTO_PROFILE", profile)
    book = load_course_module("book")
    assert book.ae_config() == autoencoder.ae_config()
    assert book.SHOW_CLASSES == autoencoder.SHOW_CLASSES
    y = np.repeat(np.arange(36), 3)
    np.testing.assert_array_equal(book.example_indices(y), autoencoder.example_indices(y))


def _planted_run(valid_acc: float, seed: int) -> dict:
    """A stand-in for a cached ``lib.mlp.train_mlp`` result (same keys, small history)."""
    rng = np.random.default_rng(seed)
    params = {"W1": rng.normal(size=(1024, 64)), "b1": rng.normal(size=64),
              "W2": rng.normal(size=(64, 36)), "b2": rng.normal(size=36)}
    out = {k: v.astype(np.float32) for k, v in params.items()}
    out.update({f"init_{k}": v for k, v in out.items()})
    out.update(epoch=np.arange(3), train_loss=np.ones(3), valid_loss=np.ones(3), train_acc=np.full(3, 0.5),
               valid_acc=np.array([0.1, 0.2, valid_acc]), seconds=1.0)
    return out


@requires_data
def test_result_files_come_from_the_cache_and_never_train(tmp_path, monkeypatch):
    """Nothing cached: no weights and nothing trained. The whole search cached: the chosen
    network (highest validation accuracy) goes in, in the homework's input convention."""
    from lib import cache, mlp_search
    from lib.mlp import raw_input_params, train_mlp

    monkeypatch.setenv("HW5_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("QUARTO_PROFILE", "quick")
    assert build.result_files(tmp_path) == []
    assert not any((config.cache_dir() / "mlp").glob("*.npz"))  # nothing was trained

    base, grid = mlp_search.base_config(), mlp_search.lr_grid()
    runs = {lr: _planted_run(0.3 + 0.1 * k, k) for k, lr in enumerate(grid)}  # the last lr is best
    for lr, run in runs.items():
        cache.save_result(train_mlp.path(base.with_lr(lr)), run)
    files = build.result_files(tmp_path)  # a new cache folder: the search is not remembered
    assert [f.name for f in files] == ["q3_weights.npz"]
    saved = load_params(files[0])
    expected = raw_input_params(runs[grid[-1]], base.with_lr(grid[-1]))
    assert sorted(saved) == ["W1", "W2", "b1", "b2"]
    for k in saved:
        np.testing.assert_allclose(saved[k], expected[k], rtol=1e-6)
