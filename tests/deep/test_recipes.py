"""The chapter's recipes: both profiles defined, quick smaller than full, keys differ."""

from __future__ import annotations

import pytest

from lib.deep import recipes, train


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
        assert train.cache_key(name, q.cfg, (q.train_subset,)) != train.cache_key(name, f.cfg, (f.train_subset,))


def test_unknown_recipe_names_the_choices():
    with pytest.raises(ValueError, match="mnist-cnn"):
        recipes.recipe("cifar")


def test_fc_recipe_is_chapter_3s_network(monkeypatch):
    r = _full(monkeypatch)["nist36-fc"]
    assert (r.spec.inputs, r.spec.hidden, r.spec.classes, r.spec.activation) == (1024, 64, 36, "sigmoid")
    assert r.cfg.optimizer == "sgd" and r.cfg.batch_size == 32 and r.augment is None


def test_the_photo_model_is_augmented_and_has_47_outputs(monkeypatch):
    r = _full(monkeypatch)["emnist-cnn"]
    assert r.spec.classes == 47 and r.augment is not None and r.augment.p_squeeze > 0
