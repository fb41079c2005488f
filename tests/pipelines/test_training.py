"""Chapter 3 pipeline (quick profile, tiny data): search on validation, caching, records."""

from __future__ import annotations

import numpy as np
import pytest

from lib import results
from lib.data import load_nist36, nist36_fingerprint
from lib.mlp import train_mlp
from lib.nn import predict
from lib.pipelines import training


@pytest.fixture(scope="module")
def chapter(tiny_quick):
    return training.run()


def test_search_picks_the_best_validation_accuracy(chapter):
    s = chapter.search
    assert tuple(s["learning rate"]) == training.LR_GRID_QUICK
    best = s.loc[s["final valid acc."].idxmax(), "learning rate"]
    assert chapter.lr == best == training.best_lr()
    assert (s["chosen"] == "yes").sum() == 1


def test_three_learning_rates_are_best_tenfold_and_tenth(chapter):
    assert set(chapter.runs) == {"0.1x", "best", "10x"}
    for run in chapter.runs.values():
        assert len(run["epoch"]) == chapter.config.epochs + 1
    assert chapter.runs["best"]["valid_acc"][-1] == pytest.approx(chapter.search["final valid acc."].max())


def test_learns_the_tiny_classes(chapter):
    assert chapter.metrics["train_acc"] > 0.5
    assert chapter.metrics["test_acc"] > 0.3  # chance is 1/36


def test_best_mlp_takes_homework_convention_images(chapter):
    params, spec = training.best_mlp()
    X, y, _ = load_nist36("valid")
    acc = (predict(params, spec, np.asarray(X, np.float32)).argmax(axis=1) == y).mean()
    assert acc == pytest.approx(chapter.metrics["valid_acc"])
    assert spec.sizes == (1024, 64, 36)


def test_confusion_matrix_is_on_the_test_set(chapter):
    _, y_test, _ = load_nist36("test")
    assert chapter.cm.sum() == len(y_test)
    assert np.trace(chapter.cm) / len(y_test) == pytest.approx(chapter.metrics["test_acc"])


def test_figure_inputs(chapter):
    assert chapter.w1_init.shape == chapter.w1_trained.shape == (64, 32, 32)
    assert not np.allclose(chapter.w1_init, chapter.w1_trained)
    assert [d["class"] for d in chapter.layer2] == list(training.LAYER2_CLASSES)
    assert all(d["projection"].shape == (32, 32) for d in chapter.layer2)


def test_records_every_question(chapter):
    got = results.collect()
    for qid in ("Q3.1.1", "Q3.1.2", "Q3.1.3", "Q3.1.4", "Q3.1.5"):
        assert qid in got and got[qid]["data"] == chapter.source


def test_training_is_deterministic_and_cached(chapter):
    cfg = chapter.config
    again = train_mlp.__wrapped__(cfg)  # retrain, bypassing the cache
    cached = train_mlp(cfg)
    for k in ("W1", "b1", "W2", "b2", "valid_acc", "train_loss"):
        np.testing.assert_array_equal(again[k], cached[k])
    assert train_mlp.path(cfg).exists()


def test_the_test_split_plays_no_part_in_the_choice(chapter, tiny_quick):
    """Scrambling the test labels changes the data fingerprint, hence retrains every run,
    but the search's validation accuracies and the chosen learning rate stay the same."""
    import scipy.io

    from lib import mlp_search

    path = tiny_quick / "nist36_test.mat"
    original, before = path.read_bytes(), nist36_fingerprint()
    try:
        mat = scipy.io.loadmat(path)
        mat["test_labels"] = mat["test_labels"][np.random.default_rng(0).permutation(len(mat["test_labels"]))]
        scipy.io.savemat(path, {k: v for k, v in mat.items() if not k.startswith("__")})
        assert nist36_fingerprint() != before  # so every run below is trained afresh
        lr, rows = mlp_search.search()
        assert lr == chapter.lr
        assert [acc for _, acc in rows] == list(chapter.search["final valid acc."])
    finally:
        path.write_bytes(original)
