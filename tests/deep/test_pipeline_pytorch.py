"""Chapter 7.1's helpers on a fake section (no training): words, curves, tables."""

from __future__ import annotations

import types

import matplotlib

matplotlib.use("Agg")

import pytest  # noqa: E402

from lib.deep import augment, recipes, train  # noqa: E402
from lib.deep.recipes import recipe  # noqa: E402
from lib.mlp_search import base_config  # noqa: E402
from lib.pipelines import pytorch as pipeline  # noqa: E402


@pytest.fixture(autouse=True)
def chapter3_choice(monkeypatch):
    """Chapter 3's chosen configuration without running its learning-rate search."""
    monkeypatch.setattr(recipes, "best_config", lambda: base_config().with_lr(0.3))


def fake_section(name="mnist-cnn", epochs=3):
    h = train.History(
        train_loss=[1.0, 0.5, 0.3][:epochs], train_acc=[0.6, 0.8, 0.9][:epochs],
        valid_loss=[0.9, 0.6, 0.4][:epochs], valid_acc=[0.7, 0.8, 0.85][:epochs], seconds=[2.0] * epochs,
    )
    trained = types.SimpleNamespace(history=h, seconds=6.0, cached=True, meta={})
    return pipeline.Section(name, recipe(name), trained, "summary", 1234, {"test_acc": 0.84, "n_test": 10}, "toy")


def test_describe_training_states_optimiser_schedule_and_epochs():
    text = pipeline.describe_training(fake_section("emnist-cnn"))
    assert "AdamW" in text and "one-cycle" in text and "photo-like augmentation" in text
    assert "plain SGD" in pipeline.describe_training(fake_section("nist36-fc"))


def test_confused_pairs_and_error_share():
    sec = fake_section("nist36-cnn")
    sec.test.update(y_true=[0, 0, 0, 1, 2, 3], y_pred=[1, 1, 0, 0, 3, 3])  # A->B twice, B->A, C->D
    table = pipeline.confused_pairs(sec, k=2)
    assert list(table.index) == ["A/B", "C/D"]
    assert table.loc["A/B", "a read as b"] == 2 and table.loc["A/B", "b read as a"] == 1
    assert pipeline.error_share(sec, k=1) == 0.75


def test_group_accuracy_per_class_group_and_split():
    import numpy as np

    classes = ("A", "B", "C", "D")
    y = np.array([0, 0, 1, 1, 2, 2, 3, 3])
    by_split = {"training": (y, np.array([0, 1, 1, 1, 2, 2, 3, 3])),  # one A read as B
                "test": (y, np.array([1, 1, 0, 1, 2, 3, 3, 3]))}
    table = pipeline.group_accuracy(classes, [0, 1], by_split)
    assert list(table.index) == ["A", "B", "these 2 classes", "the other 2 classes", "all classes"]
    assert list(table.columns) == ["training %", "test %"]
    assert table.loc["A", "training %"] == 50.0 and table.loc["B", "training %"] == 100.0
    assert table.loc["these 2 classes", "test %"] == 25.0  # 1 of A, B's 4 right
    assert table.loc["the other 2 classes", "test %"] == 75.0
    assert table.loc["all classes", "training %"] == 87.5


def test_augmentation_words_and_plural():
    words = pipeline.augmentation_words(augment.AugmentSpec())
    assert "rotations up to 10 degrees" in words and "squeezes" in words
    assert pipeline.plural(1, "epoch") == "1 epoch" and pipeline.plural(3, "epoch") == "3 epochs"


def test_curves_figure_has_two_panels_with_train_and_valid_lines():
    fig = pipeline.plot_curves([fake_section(), fake_section("nist36-cnn")], ["a", "b"])
    loss, acc = fig.axes
    assert len(loss.lines) == 4 and len(acc.lines) == 4
    assert max(acc.lines[0].get_ydata()) == 90  # accuracy in percent


def test_results_table_in_percent():
    sec = fake_section()
    ch = pipeline.PyTorchChapter({"mnist-cnn": sec}, None, "", None, "", seconds=1.0)
    table = pipeline.results_table(ch)
    assert table.loc["mnist-cnn", "test %"] == 84.0 and table.loc["mnist-cnn", "epochs"] == 3
    assert pipeline.timing_table(ch).loc["mnist-cnn", "wall (s)"] == 6
    assert ch.training_minutes == 0.1
