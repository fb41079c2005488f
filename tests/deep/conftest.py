"""Fixtures shared by the lib.deep tests."""

from __future__ import annotations

import pytest


@pytest.fixture
def random_weights(monkeypatch):
    """Stand-in 'pretrained' weights (a seeded random SqueezeNet 1.1), so tests need no files."""
    import torch
    import torchvision

    from lib.deep import models

    torch.manual_seed(123)
    state = torchvision.models.squeezenet1_1(weights=None).state_dict()
    monkeypatch.setattr(models, "pretrained_weights", lambda: (state, "test weights", "digest-123"))
    return state
