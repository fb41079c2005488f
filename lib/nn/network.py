"""A fully connected network as a plain dict of arrays plus a small frozen spec.

Parameters are ``{"W1": (D0, D1), "b1": (D1,), "W2": ..., ...}`` (layer ``i`` maps size
``sizes[i-1]`` to ``sizes[i]``); the ``NetworkSpec`` says the sizes, the hidden activations and
the output head. Two heads, each with its loss:

* ``head="softmax"``: the last layer's pre-activations are logits, the output is
  ``softmax(logits)`` and the loss is cross-entropy (``y`` = class indices or one-hot) — the
  1024-64-36 classifier of Q2/Q3: ``NetworkSpec.classifier()``.
* ``head="sigmoid"`` (or ``"identity"``, ``"relu"``, ``"tanh"``): the output is that
  activation of the last layer and the loss is the total squared error against a target of the
  same shape — the 1024-32-32-32-1024 autoencoder of Q5: ``NetworkSpec.autoencoder()``.

>>> spec = NetworkSpec.classifier()                 # 1024-64-36, sigmoid hidden, softmax out
>>> params = init_params(spec, seed=0)              # float32, Xavier
>>> loss, grads, probs = loss_and_grads(params, spec, X, y, reduction="mean")
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np

from lib.nn.init import xavier_uniform
from lib.nn.layers import ACTIVATIONS, DenseCache, dense_backward, dense_forward, linear_backward
from lib.nn.losses import accuracy, softmax_cross_entropy, squared_error

__all__ = [
    "HEADS",
    "NetworkSpec",
    "as_dtype",
    "backward",
    "evaluate",
    "forward",
    "init_params",
    "loss_and_grads",
    "loss_terms",
    "param_names",
    "predict",
    "relu_margin",
]

#: Output heads and the loss each one is trained with.
HEADS = {
    "softmax": "cross_entropy",
    "sigmoid": "squared_error",
    "identity": "squared_error",
    "relu": "squared_error",
    "tanh": "squared_error",
}


class _Layer(NamedTuple):
    """What the forward and backward passes need to know of layer ``i``, worked out once."""

    W: str  # "W{i}"
    b: str  # "b{i}"
    W_shape: tuple[int, int]
    b_shape: tuple[int]
    activation: str


@dataclass(frozen=True)
class NetworkSpec:
    """Layer sizes ``(D0, D1, ..., DL)``, hidden activation(s) and the output head.

    ``hidden`` is one activation name for every hidden layer, or a tuple with one per hidden
    layer (``len(sizes) - 2`` of them); it is stored as that tuple.
    """

    sizes: tuple[int, ...] = (1024, 64, 36)
    hidden: tuple[str, ...] | str = "sigmoid"
    head: str = "softmax"
    loss: str = field(init=False)

    def __post_init__(self) -> None:
        sizes = tuple(int(s) for s in self.sizes)
        if len(sizes) < 2 or min(sizes) <= 0:
            raise ValueError(f"NetworkSpec.sizes must hold >= 2 positive sizes, got {self.sizes}")
        n_hidden = len(sizes) - 2
        hidden = (self.hidden,) * n_hidden if isinstance(self.hidden, str) else tuple(self.hidden)
        if len(hidden) != n_hidden:
            raise ValueError(f"NetworkSpec.hidden: {len(hidden)} activations for {n_hidden} hidden layers")
        for name in hidden:
            if name not in ACTIVATIONS or name == "softmax":
                choices = sorted(set(ACTIVATIONS) - {"softmax"})
                raise ValueError(f"NetworkSpec.hidden: unknown activation {name!r}; choose from {choices}")
        if self.head not in HEADS:
            raise ValueError(f"NetworkSpec.head must be one of {sorted(HEADS)}, not {self.head!r}")
        object.__setattr__(self, "sizes", sizes)
        object.__setattr__(self, "hidden", hidden)
        object.__setattr__(self, "loss", HEADS[self.head])
        # Not a field (so not compared, hashed or shown): the per-layer names and shapes, built
        # here once instead of in every forward and backward pass of training.
        plan = tuple(
            _Layer(f"W{i}", f"b{i}", (sizes[i - 1], sizes[i]), (sizes[i],), act)
            for i, act in enumerate((*hidden, self.head), start=1)
        )
        object.__setattr__(self, "_plan", plan)
        object.__setattr__(self, "_param_names", tuple(name for layer in plan for name in (layer.W, layer.b)))

    @classmethod
    def classifier(
        cls, n_in: int = 1024, hidden: int | tuple[int, ...] = 64, n_classes: int = 36,
        activation: str = "sigmoid",
    ) -> NetworkSpec:
        """The Q2/Q3 classifier: ``n_in - hidden - n_classes``, sigmoid hidden, softmax head."""
        hidden = (hidden,) if isinstance(hidden, int) else tuple(hidden)
        return cls((n_in, *hidden, n_classes), activation, "softmax")

    @classmethod
    def autoencoder(
        cls, n_in: int = 1024, hidden: tuple[int, ...] = (32, 32, 32), activation: str = "relu",
        head: str = "sigmoid",
    ) -> NetworkSpec:
        """The Q5 autoencoder: ``1024-32-32-32-1024``, ReLU hidden, sigmoid output, squared error."""
        return cls((n_in, *hidden, n_in), activation, head)

    @property
    def n_layers(self) -> int:
        return len(self.sizes) - 1

    @property
    def activations(self) -> tuple[str, ...]:
        """One activation per layer: the hidden ones, then the head."""
        return (*self.hidden, self.head)

    @property
    def is_classifier(self) -> bool:
        return self.head == "softmax"

    def layers(self) -> Iterator[tuple[int, int, int, str]]:
        """``(i, n_in, n_out, activation)`` for layers ``i = 1..L``."""
        for i, layer in enumerate(self._plan, start=1):
            yield i, *layer.W_shape, layer.activation


def param_names(spec: NetworkSpec) -> list[str]:
    """``["W1", "b1", "W2", "b2", ...]`` in layer order."""
    return list(spec._param_names)


def init_params(spec: NetworkSpec, seed: int = 0, dtype=np.float32) -> dict[str, np.ndarray]:
    """Xavier-uniform weights and zero biases for every layer, from one seeded generator."""
    rng = np.random.default_rng(seed)
    params: dict[str, np.ndarray] = {}
    for i, n_in, n_out, _ in spec.layers():
        params[f"W{i}"], params[f"b{i}"] = xavier_uniform(n_in, n_out, rng, dtype)
    return params


def as_dtype(params: dict[str, np.ndarray], dtype) -> dict[str, np.ndarray]:
    """A copy of ``params`` in ``dtype`` (float64 for gradient checks)."""
    return {k: np.array(v, dtype=dtype) for k, v in params.items()}


def _check_params(params: dict[str, np.ndarray], spec: NetworkSpec) -> None:
    for layer in spec._plan:
        for name, shape in ((layer.W, layer.W_shape), (layer.b, layer.b_shape)):
            if name not in params:
                raise KeyError(f"params has no {name!r} (found {sorted(params)}); spec sizes {spec.sizes}")
            if params[name].shape != shape:
                raise ValueError(f"params[{name!r}] has shape {params[name].shape}; spec expects {shape}")


def forward(
    params: dict[str, np.ndarray], spec: NetworkSpec, x: np.ndarray, *, head: bool = True
) -> tuple[np.ndarray, list[DenseCache]]:
    """Run the batch ``x (N, D0)`` through every layer: ``(output, caches)``.

    The output is the head's activation (class probabilities for a softmax head);
    ``head=False`` stops before it and returns the last pre-activation (the logits).
    ``caches[i-1]`` is layer ``i``'s ``DenseCache``.
    """
    _check_params(params, spec)
    caches: list[DenseCache] = []
    h = x
    last = spec._plan[-1]
    for layer in spec._plan:
        act = "identity" if layer is last and not head else layer.activation
        h, cache = dense_forward(h, params[layer.W], params[layer.b], act)
        caches.append(cache)
    return h, caches


def backward(
    spec: NetworkSpec, caches: list[DenseCache], dout: np.ndarray, *,
    pre_activation: bool = False, need_dx: bool = False,
) -> dict[str, np.ndarray]:
    """Gradients ``{"W1": dJ/dW1, "b1": ..., ...}`` from ``dout`` and ``forward``'s caches.

    ``dout`` is ``dJ/d(output)``, or, with ``pre_activation=True``, the gradient with respect to
    the last layer's pre-activation (the fused softmax + cross-entropy ``probs - onehot``).
    ``need_dx=True`` also returns ``"x"``: ``dJ/dx`` for the input batch.
    """
    plan = spec._plan
    grads: dict[str, np.ndarray] = {}
    d = dout
    for i in range(len(plan) - 1, -1, -1):
        want_dx = i > 0 or need_dx
        if i == len(plan) - 1 and pre_activation:
            d, dW, db = linear_backward(d, caches[i].linear, need_dx=want_dx)
        else:
            d, dW, db = dense_backward(d, caches[i], need_dx=want_dx)
        grads[plan[i].W], grads[plan[i].b] = dW, db
    ordered = {name: grads[name] for name in spec._param_names}
    if need_dx:
        ordered["x"] = d
    return ordered


def loss_and_grads(
    params: dict[str, np.ndarray], spec: NetworkSpec, x: np.ndarray, y_or_target: np.ndarray,
    reduction: str = "sum",
) -> tuple[float, dict[str, np.ndarray], np.ndarray]:
    """One forward and backward pass: ``(loss, grads, output)``.

    Softmax head: cross-entropy against labels (indices or one-hot), gradient through the fused
    ``probs - onehot``. Other heads: total squared error against ``y_or_target`` (for the
    autoencoder, ``x`` itself). ``reduction`` is ``"sum"`` (the homework's) or ``"mean"``.
    """
    if spec.is_classifier:
        logits, caches = forward(params, spec, x, head=False)
        loss, out, dlogits = softmax_cross_entropy(logits, y_or_target, reduction)
        grads = backward(spec, caches, dlogits, pre_activation=True)
    else:
        out, caches = forward(params, spec, x)
        loss, dout = squared_error(out, y_or_target, reduction)
        grads = backward(spec, caches, dout)
    return loss, grads, out


def loss_terms(
    params: dict[str, np.ndarray], spec: NetworkSpec, x: np.ndarray, y_or_target: np.ndarray,
) -> np.ndarray:
    """The summed loss of ``loss_and_grads`` as an array of its terms (their sum is the loss).

    Per-example cross-entropy ``(N,)`` for a classifier (from the log-softmax), per-element
    squared error ``(N, D)`` otherwise. The gradient checker differences these term by term.
    """
    if spec.is_classifier:
        from lib.nn.losses import _labels, log_softmax

        logits, _ = forward(params, spec, x, head=False)
        labels = _labels(y_or_target, len(x), logits.shape[1])
        return -log_softmax(logits)[np.arange(len(x)), labels]
    out, _ = forward(params, spec, x)
    return (out - y_or_target) ** 2


def relu_margin(params: dict[str, np.ndarray], spec: NetworkSpec, x: np.ndarray) -> np.ndarray:
    """Per example, the smallest ``|pre-activation|`` over the ReLU layers (``inf`` if none).

    A numerical gradient is only meaningful where the loss is differentiable within the
    finite-difference stencil; examples with a small margin sit near a ReLU kink.
    """
    margin = np.full(len(x), np.inf)
    h = x
    for i, _, _, act in spec.layers():
        pre, _ = dense_forward(h, params[f"W{i}"], params[f"b{i}"], "identity")
        if act == "relu":
            margin = np.minimum(margin, np.abs(pre).min(axis=1))
        h = ACTIVATIONS[act][0](pre)[0]
    return margin


def predict(params: dict[str, np.ndarray], spec: NetworkSpec, x: np.ndarray, batch_size: int = 4096) -> np.ndarray:
    """The network's output for ``x`` (probabilities or reconstructions), in chunks."""
    outs = [forward(params, spec, x[i : i + batch_size])[0] for i in range(0, len(x), batch_size)]
    return np.concatenate(outs) if outs else np.empty((0, spec.sizes[-1]), dtype=x.dtype)


def evaluate(
    params: dict[str, np.ndarray], spec: NetworkSpec, x: np.ndarray, y_or_target: np.ndarray,
    batch_size: int = 4096,
) -> tuple[float, float]:
    """``(loss averaged over the examples, accuracy)``; accuracy is NaN for non-classifiers.

    Cross-entropy is computed from the logits (log-softmax), so it is exact and finite.
    """
    if spec.is_classifier:
        total, correct = 0.0, 0
        for i in range(0, len(x), batch_size):
            logits, _ = forward(params, spec, x[i : i + batch_size], head=False)
            yb = y_or_target[i : i + batch_size]
            total += softmax_cross_entropy(logits, yb, "sum")[0]
            correct += accuracy(logits, yb) * len(logits)
        return total / len(x), correct / len(x)
    return squared_error(predict(params, spec, x, batch_size), y_or_target, "mean")[0], float("nan")
