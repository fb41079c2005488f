"""Every network of chapter 7, each built from a small frozen spec (the spec enters cache keys).

* :class:`FCSpec` -- chapter 3's network, 1024-64-36 with a sigmoid hidden layer and a softmax
  output (the softmax lives in the cross-entropy loss, so the model returns logits).
* :class:`CNNSpec` -- the family of small CNNs of chapters 7.1 and 7.2: ``len(channels)`` stages
  of ``convs_per_stage`` x (3x3 conv, batch norm, ReLU) followed by 2x2 max pooling, then
  ``[Dropout ->] Linear -> ReLU -> Dropout -> Linear``. The first layer normalises pixels with
  the training set's mean and std (stored in the spec, so a saved model carries its
  preprocessing); the Flowers-17 CNN gets images already normalised per colour channel
  (``lib.data.flowers_torch``), so its spec keeps mean 0 and std 1.
* SqueezeNet 1.1 with a new classifier (:func:`squeezenet17`): torchvision's model and the
  ImageNet weights that ``lib.data.load_squeezenet_state_dict()`` resolves, its final 1x1
  convolution replaced for the 17 flower classes (:func:`replace_classifier`), and the linear
  head that is trained in its place on pooled features (:func:`linear_head`,
  :func:`head_into_model`; ``lib.deep.finetune`` says why the two are the same).

``build(spec)`` makes the module; ``summary(model, input_shape)`` prints layer output shapes and
parameter counts.
"""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from lib import config
from lib.data.flowers import CLASSES as FLOWER_NAMES

#: Channels of SqueezeNet 1.1's last feature map (the input of its classifier).
SQUEEZENET_FEATURES = 512
FLOWER_CLASSES = len(FLOWER_NAMES)


@dataclass(frozen=True)
class FCSpec:
    inputs: int = 1024
    hidden: int = 64
    classes: int = 36
    activation: str = "sigmoid"  # chapter 3's choice; "relu" for comparison
    init: str = "xavier"  # chapter 3's Xavier/Glorot uniform weights, zero biases; "torch" = default
    kind: str = "fc"


@dataclass(frozen=True)
class CNNSpec:
    classes: int
    image_size: int = 28
    in_channels: int = 1
    channels: tuple[int, ...] = (32, 64)
    convs_per_stage: int = 1
    hidden: int = 128
    dropout: float = 0.25  # before the output layer
    feature_dropout: float = 0.0  # before the hidden layer (on the flattened feature maps)
    mean: float = 0.0  # pixel normalisation (the training split's statistics)
    std: float = 1.0
    kind: str = "cnn"


class Normalize(nn.Module):
    """``(x - mean) / std`` with fixed scalars (not parameters, not in the state_dict)."""

    def __init__(self, mean: float, std: float):
        super().__init__()
        self.mean, self.std = float(mean), float(std)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return (x - self.mean) / self.std

    def extra_repr(self) -> str:
        return f"mean={self.mean:.4f}, std={self.std:.4f}"


def fc_network(spec: FCSpec) -> nn.Sequential:
    act = {"sigmoid": nn.Sigmoid, "relu": nn.ReLU, "tanh": nn.Tanh}[spec.activation]
    net = nn.Sequential(
        nn.Linear(spec.inputs, spec.hidden),
        act(),
        nn.Linear(spec.hidden, spec.classes),
    )
    if spec.init == "xavier":
        for layer in (net[0], net[2]):
            nn.init.xavier_uniform_(layer.weight)
            nn.init.zeros_(layer.bias)
    elif spec.init != "torch":
        raise ValueError(f"FCSpec.init={spec.init!r}; expected 'xavier' or 'torch'")
    return net


def cnn(spec: CNNSpec) -> nn.Sequential:
    layers: list[nn.Module] = [Normalize(spec.mean, spec.std)]
    c_in, size = spec.in_channels, spec.image_size
    for c_out in spec.channels:
        for _ in range(spec.convs_per_stage):
            layers += [nn.Conv2d(c_in, c_out, 3, padding=1, bias=False), nn.BatchNorm2d(c_out), nn.ReLU(inplace=True)]
            c_in = c_out
        layers.append(nn.MaxPool2d(2))
        size //= 2
    if size < 1:
        raise ValueError(f"{spec}: {len(spec.channels)} poolings shrink {spec.image_size}px images to nothing")
    layers.append(nn.Flatten())
    if spec.feature_dropout:
        layers.append(nn.Dropout(spec.feature_dropout))
    layers += [
        nn.Linear(c_in * size * size, spec.hidden),
        nn.ReLU(inplace=True),
        nn.Dropout(spec.dropout),
        nn.Linear(spec.hidden, spec.classes),
    ]
    return nn.Sequential(*layers)


def build(spec: FCSpec | CNNSpec) -> nn.Module:
    """The module a spec describes, freshly initialised (seed torch before calling)."""
    if isinstance(spec, FCSpec):
        return fc_network(spec)
    if isinstance(spec, CNNSpec):
        return cnn(spec)
    raise TypeError(f"no model for {type(spec).__name__}; expected FCSpec or CNNSpec")


def input_shape(spec: FCSpec | CNNSpec) -> tuple[int, ...]:
    """Shape of one input item (without the batch dimension)."""
    if isinstance(spec, FCSpec):
        return (spec.inputs,)
    return (spec.in_channels, spec.image_size, spec.image_size)


# --------------------------------------------------------------------------- SqueezeNet 1.1


@functools.lru_cache(maxsize=1)
def pretrained_weights() -> tuple[dict | None, str, str]:
    """``(state_dict or None, where it came from, digest of the tensors)``; read once per process."""
    from lib.data import load_squeezenet_state_dict

    state, origin = load_squeezenet_state_dict()
    if state is None:
        return None, origin, ""
    h = hashlib.sha256()
    for name in sorted(state):
        h.update(name.encode())
        h.update(state[name].detach().cpu().numpy().tobytes())
    return state, origin, h.hexdigest()[:20]


def replace_classifier(model: nn.Module, n_classes: int = FLOWER_CLASSES, seed: int = config.SEED) -> nn.Module:
    """Replace SqueezeNet's final 1x1 conv by a fresh one with ``n_classes`` outputs (in place).

    The ReLU after it becomes the identity: a ReLU on the class scores would forbid negative
    logits, and without it the classifier is linear in the features. Every other weight is left
    as it was.
    """
    old = model.classifier[1]
    gen = torch.Generator().manual_seed(seed)
    new = nn.Conv2d(old.in_channels, n_classes, kernel_size=1)
    with torch.no_grad():
        new.weight.normal_(0.0, 0.01, generator=gen)
        new.bias.zero_()
    model.classifier[1] = new
    model.classifier[2] = nn.Identity()
    model.num_classes = n_classes
    return model


def squeezenet17(pretrained: bool = True, seed: int = config.SEED) -> nn.Module:
    """torchvision's SqueezeNet 1.1 with the ImageNet weights and a new 17-class classifier.

    Raises ``lib.data.DataError`` when ``pretrained`` and no weights can be found.
    """
    import torchvision  # only here: the other models need none of it

    model = torchvision.models.squeezenet1_1(weights=None)
    if pretrained:
        state, origin, _ = pretrained_weights()
        if state is None:
            from lib.data import DataError

            raise DataError(f"SqueezeNet 1.1 ImageNet weights unavailable: {origin}")
        model.load_state_dict(state)
    return replace_classifier(model, FLOWER_CLASSES, seed)


def linear_head(dropout: float) -> nn.Sequential:
    """What is trained on SqueezeNet's pooled features: ``Dropout -> Linear(512, 17)``, the new
    1x1 convolution (:func:`head_into_model` copies it there)."""
    return nn.Sequential(nn.Dropout(dropout), nn.Linear(SQUEEZENET_FEATURES, FLOWER_CLASSES))


def head_into_model(model: nn.Module, weight: np.ndarray, bias: np.ndarray) -> nn.Module:
    """Copy a trained linear head (17, 512), (17,) into the model's 1x1 classifier conv."""
    conv = model.classifier[1]
    with torch.no_grad():
        conv.weight.copy_(torch.as_tensor(weight, dtype=torch.float32).reshape(conv.weight.shape))
        conv.bias.copy_(torch.as_tensor(bias, dtype=torch.float32))
    return model


# --------------------------------------------------------------------------- size


def count_parameters(model: nn.Module, trainable_only: bool = True) -> int:
    """Parameters of ``model``: those that require gradients, or all of them."""
    return int(sum(p.numel() for p in model.parameters() if p.requires_grad or not trainable_only))


def summary_rows(model: nn.Module, shape: tuple[int, ...]) -> list[tuple[str, str, int]]:
    """(layer, output shape, parameters) for each leaf module, from one forward pass."""
    rows: list[tuple[str, str, int]] = []
    hooks = []
    for name, module in model.named_modules():
        if len(list(module.children())) == 0:
            def hook(mod, _inp, out, name=name):
                params = sum(p.numel() for p in mod.parameters(recurse=False))
                rows.append((f"{name}: {type(mod).__name__}", str(tuple(out.shape[1:])), params))
            hooks.append(module.register_forward_hook(hook))
    was_training = model.training
    model.eval()
    try:
        with torch.no_grad():
            device = next(model.parameters()).device
            model(torch.zeros((1, *shape), device=device))
    finally:
        for h in hooks:
            h.remove()
        model.train(was_training)
    return rows


def summary(model: nn.Module, shape: tuple[int, ...]) -> str:
    """A printable table: every layer, its output shape and parameter count, and the total."""
    rows = summary_rows(model, shape)
    width = max(len(r[0]) for r in rows) + 2
    lines = [f"{'layer':<{width}}{'output':<18}{'params':>10}", "-" * (width + 28)]
    lines += [f"{n:<{width}}{s:<18}{p:>10,}" for n, s, p in rows]
    lines += ["-" * (width + 28), f"{'total (trainable)':<{width + 18}}{count_parameters(model):>10,}"]
    return "\n".join(lines)
