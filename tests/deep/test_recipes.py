"""The chapter's recipes: both profiles defined, quick smaller than full, keys differ."""

from __future__ import annotations

import pytest

from lib.deep import augment, recipes, train
from lib.mlp_search import base_config


@pytest.fixture(autouse=True)
def chapter3_choice(monkeypatch):
    """Chapter 3's chosen configuration without running its search (which trains networks):
    the profile's base recipe with a learning rate the search could have chosen."""
    monkeypatch.setattr(recipes, "best_config", lambda: base_config().with_lr(0.3))


@pytest.fixture
def quick(monkeypatch):
    monkeypatch.setenv("QUARTO_PROFILE", "quick")


def _full(monkeypatch):
    monkeypatch.delenv("QUARTO_PROFILE", raising=False)
    return {n: recipes.recipe(n) for n in recipes.NAMES}


def test_quick_recipes_are_smaller(monkeypatch):
    full = _full(monkeypatch)
    monkeypatch.setenv("QUARTO_PROFILE", "quick")
    for name in recipes.NAMES:
        q, f = recipes.recipe(name), full[name]
        assert q.cfg.epochs <= f.cfg.epochs
        assert q.spec == f.spec  # same architecture: only the amount of training changes
        if f.train_subset is None and name != "nist36-fc":
            assert q.train_subset is not None
        assert train.training_key(name, q.cfg, q.train_subset) != train.training_key(name, f.cfg, f.train_subset)


def test_unknown_recipe_names_the_choices():
    with pytest.raises(ValueError, match="mnist-cnn"):
        recipes.recipe("cifar")


def test_fc_recipe_is_chapter_3s_network_and_recipe(monkeypatch):
    """Q7.1.1 compares like for like: every setting comes from chapter 3's configuration."""
    r = _full(monkeypatch)["nist36-fc"]
    ch3 = recipes.best_config()
    assert (r.spec.inputs, r.spec.hidden, r.spec.classes, r.spec.activation, r.spec.init) == \
        (1024, ch3.hidden, 36, "sigmoid", "xavier")
    assert (r.cfg.optimizer, r.cfg.momentum, r.cfg.weight_decay, r.cfg.schedule) == ("sgd", 0.0, 0.0, "constant")
    assert (r.cfg.lr, r.cfg.batch_size, r.cfg.epochs, r.cfg.label_smoothing) == \
        (ch3.lr, ch3.batch_size, ch3.epochs, 0.0)
    assert r.dataset == "nist36-ink" and r.augment == augment.RowShiftSpec(ch3.max_shift, fill=0.0)


def test_the_photo_model_is_augmented_and_has_47_outputs(monkeypatch):
    r = _full(monkeypatch)["emnist-cnn"]
    assert r.spec.classes == 47 and r.augment is not None and r.augment.p_squeeze > 0
