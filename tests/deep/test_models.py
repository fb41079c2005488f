"""Model output shapes, parameter counts and the printed summary."""

from __future__ import annotations

import pytest
import torch

from lib.deep import models


def test_fc_network_matches_chapter_3():
    spec = models.FCSpec()
    net = models.build(spec)
    assert net(torch.rand(5, 1024)).shape == (5, 36)
    assert models.count_parameters(net) == 1024 * 64 + 64 + 64 * 36 + 36
    assert isinstance(net[1], torch.nn.Sigmoid)
    bound = (6 / (1024 + 64)) ** 0.5  # Xavier/Glorot uniform, zero biases, as in chapter 3
    assert net[0].weight.abs().max() <= bound and torch.all(net[0].bias == 0)
    with pytest.raises(ValueError, match="init"):
        models.build(models.FCSpec(init="he"))


@pytest.mark.parametrize("size,classes,channels", [(28, 10, (16, 32, 64)), (32, 36, (16, 32, 64)), (28, 47, (8, 16))])
def test_cnn_output_shapes(size, classes, channels):
    spec = models.CNNSpec(classes=classes, image_size=size, channels=channels)
    net = models.build(spec)
    assert models.input_shape(spec) == (1, size, size)
    assert net(torch.rand(3, 1, size, size)).shape == (3, classes)


def test_cnn_normalises_with_the_spec_statistics():
    net = models.build(models.CNNSpec(classes=10, mean=0.5, std=0.25))
    x = torch.full((1, 1, 28, 28), 0.75)
    assert torch.allclose(net[0](x), torch.ones_like(x))
    assert not any(k.startswith("0.") for k in net.state_dict())  # preprocessing lives in the spec


def test_too_many_stages_is_an_error():
    with pytest.raises(ValueError, match="poolings"):
        models.build(models.CNNSpec(classes=10, image_size=8, channels=(4, 4, 4, 4)))


def test_summary_lists_layers_and_the_total():
    net = models.build(models.CNNSpec(classes=10))
    text = models.summary(net, (1, 28, 28))
    assert "Conv2d" in text and "(10,)" in text
    assert f"{models.count_parameters(net):,}" in text.splitlines()[-1]
    rows = models.summary_rows(net, (1, 28, 28))
    assert sum(p for _, _, p in rows) == models.count_parameters(net)
    assert net.training  # summary leaves the mode as it found it
