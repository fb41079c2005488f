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
