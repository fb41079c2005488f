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


def test_count_parameters_trainable_or_all():
    net = models.build(models.FCSpec(inputs=8, hidden=4, classes=3))
    net[0].weight.requires_grad_(False)
    assert models.count_parameters(net) == 4 + 4 * 3 + 3
    assert models.count_parameters(net, trainable_only=False) == 8 * 4 + 4 + 4 * 3 + 3


def test_flowers_cnn_has_three_conv_and_two_fc_layers_with_dropout_before_each():
    spec = models.CNNSpec(classes=17, image_size=64, in_channels=3, channels=(8, 16, 32), hidden=32,
                          dropout=0.5, feature_dropout=0.5)
    net = models.build(spec)
    kinds = [type(m).__name__ for m in net]
    assert kinds.count("Conv2d") == 3 and kinds.count("Linear") == 2
    assert kinds[kinds.index("Flatten"):] == ["Flatten", "Dropout", "Linear", "ReLU", "Dropout", "Linear"]
    assert net(torch.randn(2, 3, 64, 64)).shape == (2, 17)
    plain = [type(m).__name__ for m in models.build(models.CNNSpec(classes=10))]
    assert plain[plain.index("Flatten"):] == ["Flatten", "Linear", "ReLU", "Dropout", "Linear"]


def test_classifier_is_replaced_and_nothing_else_changes(random_weights):
    model = models.squeezenet17(pretrained=True)
    after = model.state_dict()
    new = {"classifier.1.weight", "classifier.1.bias"}
    assert set(after) == set(random_weights)
    for name, tensor in random_weights.items():
        if name not in new:
            assert torch.equal(after[name], tensor), name
    assert after["classifier.1.weight"].shape == (17, 512, 1, 1)
    assert random_weights["classifier.1.weight"].shape == (1000, 512, 1, 1)
    assert isinstance(model.classifier[2], torch.nn.Identity)
    with torch.no_grad():
        out = model.eval()(torch.randn(2, 3, 96, 96))
    assert out.shape == (2, 17)


def test_missing_weights_say_why(monkeypatch):
    from lib.data import DataError

    monkeypatch.setattr(models, "pretrained_weights", lambda: (None, "no weights at /x and no download", ""))
    with pytest.raises(DataError, match="no weights at /x"):
        models.squeezenet17(pretrained=True)


def test_head_on_pooled_features_equals_the_network(random_weights):
    """The linear head trained on pooled features, copied into the conv, gives the same scores."""
    import numpy as np

    model = models.squeezenet17().eval()
    head = models.linear_head(dropout=0.5).eval()
    models.head_into_model(model, head[1].weight.detach().numpy(), head[1].bias.detach().numpy())
    x = torch.randn(3, 3, 96, 96)
    with torch.no_grad():
        pooled = model.features(x).mean(dim=(2, 3))
        np.testing.assert_allclose(model(x).numpy(), head(pooled).numpy(), rtol=1e-4, atol=1e-4)
