"""Models of chapter 7.1, each built from a small frozen spec (the spec is part of cache keys).

* :class:`FCSpec` -- chapter 3's network, 1024-64-36 with a sigmoid hidden layer and a softmax
  output (the softmax lives in the cross-entropy loss, so the model returns logits).
* :class:`CNNSpec` -- a family of small CNNs: ``len(channels)`` stages of
  ``convs_per_stage`` x (3x3 conv, batch norm, ReLU) followed by 2x2 max pooling, then
  ``Linear -> ReLU -> Dropout -> Linear``. The first layer normalises pixels with the
  training set's mean and std (stored in the spec, so a saved model carries its preprocessing).

``build(spec)`` makes the module; ``summary(model, input_shape)`` prints layer output shapes and
parameter counts.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn


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
    dropout: float = 0.25
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
    layers += [
        nn.Flatten(),
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


def count_parameters(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters() if p.requires_grad)


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
