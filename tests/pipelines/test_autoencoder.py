"""Chapter 5 pipeline (quick profile, tiny data)."""

from __future__ import annotations

import numpy as np
import pytest

from lib import results
from lib.pipelines import autoencoder


@pytest.fixture(scope="module")
def chapter(tiny_quick):
    return autoencoder.run()


def test_checks_pass(chapter):
    assert chapter.gradcheck_error < 1e-6
    assert chapter.momentum_error < 1e-12


def test_history_and_psnr(chapter):
    h = chapter.history
    assert len(h["epoch"]) == chapter.config.epochs + 1
    assert h["train_loss"][-1] < h["train_loss"][0]
    assert chapter.valid_psnr.shape == (chapter.n_valid,)
    assert np.isfinite(chapter.mean_psnr) and chapter.mean_psnr > 5


def test_examples_are_five_classes_two_each(chapter):
    assert chapter.examples.shape == (10, 2, 32, 32)
    assert chapter.example_labels == [c for c in autoencoder.SHOW_CLASSES for _ in range(2)]


def test_records(chapter):
    got = results.collect()
    for qid in ("Q5.1.1", "Q5.1.2", "Q5.2", "Q5.3.1", "Q5.3.2"):
        assert qid in got
    assert got["Q5.3.2"]["value"] == pytest.approx(chapter.mean_psnr)


def test_rises_counts_epochs_whose_loss_went_up():
    loss = [np.nan, 10, 9, 8, 7, 6, 5, 5.5, 4, 4.4]
    n, largest = autoencoder.rises(loss, after=5)
    assert n == 2 and largest == pytest.approx(0.1)
    assert autoencoder.rises([np.nan, 5, 4, 3, 2, 1.5, 1.0], after=3) == (0, 0.0)


def test_comparison_is_the_same_network_trained_the_chapter3_way(chapter):
    assert chapter.comparison.reshuffle and chapter.comparison.lr_decay == 1.0
    assert not chapter.config.reshuffle and chapter.config.lr_decay < 1.0
    assert chapter.comparison_loss.shape == chapter.history["epoch_loss"].shape
    assert not np.array_equal(chapter.comparison_loss[1:], chapter.history["epoch_loss"][1:])
