"""Layers as pairs of pure functions: ``forward(...) -> (out, cache)``, ``backward(dout, cache)``.

Conventions (Q2.2.1, Q2.3.1)
----------------------------
* A batch is an ``(N, D)`` array, one example per row (the homework's ``X``).
* A fully connected layer computes ``x @ W + b`` with ``W`` of shape ``(D_in, D_out)`` and
  ``b`` of shape ``(D_out,)``.
* Activation pairs cache their *output* (the post-activation), and the backward pass takes the
  derivative from it: ``sigma'(a) = s (1 - s)``, ``tanh'(a) = 1 - t^2``, ``relu'(a) = [h > 0]``.
* ``dense_forward`` = linear + activation, the homework's ``forward(X, params, name, activation)``.

Every function keeps the dtype of its inputs (float32 to train, float64 to check gradients).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import numpy as np

__all__ = [
    "ACTIVATIONS",
    "DenseCache",
    "activation_pair",
    "dense_backward",
    "dense_forward",
    "identity_backward",
    "identity_forward",
    "linear_backward",
    "linear_forward",
    "relu",
    "relu_backward",
    "relu_forward",
    "sigmoid",
    "sigmoid_backward",
    "sigmoid_forward",
    "softmax_backward",
    "softmax_forward",
    "tanh_backward",
    "tanh_forward",
]


# --------------------------------------------------------------------------- linear layer
def linear_forward(x: np.ndarray, W: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, tuple]:
    """``x (N, D_in) -> x @ W + b (N, D_out)``; the cache is ``(x, W)``."""
    if x.ndim != 2 or W.ndim != 2 or x.shape[1] != W.shape[0]:
        raise ValueError(
            f"linear_forward: x has shape {x.shape} and W {W.shape}; expected x (N, D_in) and "
            "W (D_in, D_out) with matching D_in"
        )
    out = x @ W
    out += b  # in place: no second (N, D_out) temporary
    return out, (x, W)


def linear_backward(
    dout: np.ndarray, cache: tuple, need_dx: bool = True
) -> tuple[np.ndarray | None, np.ndarray, np.ndarray]:
    """``dout (N, D_out) -> dx (N, D_in), dW (D_in, D_out), db (D_out,)``.

    ``dx = dout W^T``, ``dW = x^T dout``, ``db = sum_n dout`` (Q1.5). With ``need_dx=False``
    (the first layer, whose input is data) ``dx`` is ``None`` and its matrix product is skipped.
    """
    x, W = cache
    dx = dout @ W.T if need_dx else None
    return dx, x.T @ dout, np.add.reduce(dout, axis=0)


# --------------------------------------------------------------------------- activations
def sigmoid(x: np.ndarray) -> np.ndarray:
    """``1 / (1 + exp(-x))`` elementwise, without overflow or warnings for any ``x``.

    Two branches, both written with ``z = exp(-|x|)``, which lies in ``(0, 1]`` and so never
    overflows (for ``|x|`` beyond about 745 it underflows to 0, which is harmless):

    * ``x >= 0``: ``1 / (1 + exp(-x)) = 1 / (1 + z)``;
    * ``x < 0``: multiply numerator and denominator by ``exp(x)``:
      ``exp(x) / (exp(x) + 1) = z / (1 + z)``.

    The textbook form computes ``exp(1000)`` for ``x = -1000``: infinity, with an overflow
    warning. The dtype of ``x`` is kept (float32 stays float32); integers are computed in float64.
    """
    x = np.asarray(x)
    if x.dtype.kind != "f":
        x = x.astype(np.float64)
    z = np.asarray(np.abs(x))  # an array even for a 0-d x: the steps below work in place
    np.negative(z, out=z)
    with np.errstate(under="ignore"):  # exp(-|x|) -> 0 for |x| > 745: the right limit
        np.exp(z, out=z)
    denominator = z + 1
    # The numerator, in z's buffer: 1 where x >= 0, else z. As z lies in [0, 1],
    # max(z, [x >= 0]) is exactly that, with no array of ones.
    np.maximum(z, x >= 0, out=z)
    z /= denominator
    return z


def sigmoid_forward(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The sigmoid layer: caches its output ``s``, from which the backward pass takes
    ``sigma'(x) = s (1 - s)`` (Q1.4)."""
    out = sigmoid(x)
    return out, out


def sigmoid_backward(dout: np.ndarray, cache: np.ndarray) -> np.ndarray:
    """``dx = dout * s * (1 - s)`` with ``s`` the cached sigmoid output (Q1.4)."""
    s = cache
    dx = 1.0 - s  # one temporary, then in place: (1 - s) * s * dout
    dx *= s
    dx *= dout
    return dx


def tanh_forward(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    out = np.tanh(x)
    return out, out


def tanh_backward(dout: np.ndarray, cache: np.ndarray) -> np.ndarray:
    """``dx = dout * (1 - t^2)`` with ``t`` the cached tanh output."""
    t = cache
    dx = t * t
    np.subtract(1.0, dx, out=dx)
    dx *= dout
    return dx


def relu(x: np.ndarray) -> np.ndarray:
    return np.maximum(x, 0)


def relu_forward(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    out = np.maximum(x, 0)
    return out, out


def relu_backward(dout: np.ndarray, cache: np.ndarray) -> np.ndarray:
    """``dx = dout * [h > 0]`` (the subgradient 0 is used at 0)."""
    return np.where(cache > 0, dout, 0).astype(dout.dtype, copy=False)


def identity_forward(x: np.ndarray) -> tuple[np.ndarray, None]:
    return x, None


def identity_backward(dout: np.ndarray, cache: None) -> np.ndarray:
    return dout


def softmax_forward(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Row-wise softmax as an output activation; see ``lib.nn.losses.softmax``."""
    from lib.nn.losses import softmax

    out = softmax(x)
    return out, out


def softmax_backward(dout: np.ndarray, cache: np.ndarray) -> np.ndarray:
    """Vector-Jacobian product of the row-wise softmax: ``p * (dout - sum_j dout_j p_j)``.

    Combined with cross-entropy this reduces to ``p - onehot``; ``lib.nn.losses
    .softmax_cross_entropy`` computes that fused form directly.
    """
    p = cache
    return p * (dout - np.sum(dout * p, axis=1, keepdims=True))


Forward = Callable[[np.ndarray], tuple[np.ndarray, object]]
Backward = Callable[[np.ndarray, object], np.ndarray]

#: ``ACTIVATIONS[name] -> (forward, backward)``; forward caches what backward needs.
ACTIVATIONS: dict[str, tuple[Forward, Backward]] = {
    "sigmoid": (sigmoid_forward, sigmoid_backward),
    "tanh": (tanh_forward, tanh_backward),
    "relu": (relu_forward, relu_backward),
    "identity": (identity_forward, identity_backward),
    "softmax": (softmax_forward, softmax_backward),
}


def activation_pair(name: str) -> tuple[Forward, Backward]:
    """``(forward, backward)`` for an activation name, with a helpful error."""
    try:
        return ACTIVATIONS[name]
    except KeyError:
        raise ValueError(f"unknown activation {name!r}; choose from {sorted(ACTIVATIONS)}") from None


# --------------------------------------------------------------------------- dense = linear + activation
class DenseCache(NamedTuple):
    """What ``dense_backward`` needs: the linear cache, the activation name and its cache."""

    linear: tuple
    activation: str
    act: object


def dense_forward(
    x: np.ndarray, W: np.ndarray, b: np.ndarray, activation: str = "sigmoid"
) -> tuple[np.ndarray, DenseCache]:
    """``y = g(x W + b)`` for a batch ``x (N, D_in)`` (Q2.2.1); returns ``(y, cache)``."""
    act_forward, _ = activation_pair(activation)
    pre, lin_cache = linear_forward(x, W, b)
    out, act_cache = act_forward(pre)
    return out, DenseCache(lin_cache, activation, act_cache)


def dense_backward(
    dout: np.ndarray, cache: DenseCache, need_dx: bool = True
) -> tuple[np.ndarray | None, np.ndarray, np.ndarray]:
    """Gradients of ``dense_forward`` given ``dout = dJ/dy``: ``(dx, dW, db)`` (Q2.3.1)."""
    _, act_backward = activation_pair(cache.activation)
    dpre = act_backward(dout, cache.act)
    return linear_backward(dpre, cache.linear, need_dx=need_dx)
