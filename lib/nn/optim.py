"""Gradient-descent updates, in place on a params dict (Q2.4.1, Q5.1.2).

* ``SGD(lr)``: ``W <- W - lr dJ/dW``.
* ``Momentum(lr, momentum=0.9)``: ``M <- 0.9 M - lr dJ/dW``, ``W <- W + M``, one zero-initialised
  accumulator ``M`` per parameter (the homework's momentum, Q5.1.2).

``step(params, grads)`` updates ``params`` in place (no new arrays after the first step) and
leaves ``grads`` untouched; keys of ``grads`` that are not parameters (e.g. ``"x"``) are ignored.
"""

from __future__ import annotations

import numpy as np
from scipy.linalg import blas

__all__ = ["SGD", "Momentum", "make_optimizer"]


_AXPY = {np.dtype(np.float32): blas.saxpy, np.dtype(np.float64): blas.daxpy}


def axpy(a: float, x: np.ndarray, y: np.ndarray) -> None:
    """``y += a * x`` in place, in one BLAS pass without a temporary when possible."""
    fn = _AXPY.get(y.dtype)
    if fn is not None and x.dtype == y.dtype and y.flags.c_contiguous and x.flags.c_contiguous:
        flat = y.reshape(-1)
        out = fn(x.reshape(-1), flat, a=a)
        if out is not flat:  # f2py worked on a copy (it returns its input when it did not)
            y[...] = out.reshape(y.shape)
        return
    y += a * x


class SGD:
    """Plain (mini-batch) gradient descent."""

    def __init__(self, lr: float):
        if not lr > 0:
            raise ValueError(f"learning rate must be positive, got {lr}")
        self.lr = float(lr)

    def step(self, params: dict[str, np.ndarray], grads: dict[str, np.ndarray]) -> None:
        for name, W in params.items():
            axpy(-self.lr, grads[name], W)


class Momentum(SGD):
    """Momentum: ``M = momentum * M - lr * g``, ``W = W + M``; ``velocity[name]`` holds ``M``."""

    def __init__(self, lr: float, momentum: float = 0.9):
        super().__init__(lr)
        if not 0 <= momentum < 1:
            raise ValueError(f"momentum must be in [0, 1), got {momentum}")
        self.momentum = float(momentum)
        self.velocity: dict[str, np.ndarray] = {}

    def step(self, params: dict[str, np.ndarray], grads: dict[str, np.ndarray]) -> None:
        for name, W in params.items():
            M = self.velocity.get(name)
            if M is None:
                M = self.velocity[name] = np.zeros_like(W)
            M *= self.momentum
            axpy(-self.lr, grads[name], M)
            W += M


def make_optimizer(lr: float, momentum: float = 0.0) -> SGD:
    """``SGD(lr)`` when ``momentum == 0``, else ``Momentum(lr, momentum)``."""
    return Momentum(lr, momentum) if momentum else SGD(lr)
