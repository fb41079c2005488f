"""Xavier/Glorot uniform initialisation (Q2.1.2).

``W ~ U(-a, a)`` with ``a = sqrt(6 / (n_in + n_out))``, so ``Var[W] = a^2 / 3 = 2 / (n_in + n_out)``
(Glorot & Bengio 2010, eq. 16); biases start at zero.
"""

from __future__ import annotations

import numpy as np

__all__ = ["xavier_bound", "xavier_uniform"]


def xavier_bound(n_in: int, n_out: int) -> float:
    """The half-width ``a = sqrt(6 / (n_in + n_out))`` of the uniform distribution."""
    if n_in <= 0 or n_out <= 0:
        raise ValueError(f"layer sizes must be positive, got n_in={n_in}, n_out={n_out}")
    return float(np.sqrt(6.0 / (n_in + n_out)))


def xavier_uniform(
    n_in: int, n_out: int, rng: np.random.Generator | int | None = None, dtype=np.float32
) -> tuple[np.ndarray, np.ndarray]:
    """``(W (n_in, n_out), b (n_out,))`` with ``W ~ U(-a, a)`` and ``b = 0``.

    ``rng`` is a ``numpy.random.Generator`` (or a seed). The draw is made in float64 and then
    cast, so float32 and float64 initialisations from the same seed agree.
    """
    rng = rng if isinstance(rng, np.random.Generator) else np.random.default_rng(rng)
    a = xavier_bound(n_in, n_out)
    W = rng.uniform(-a, a, size=(n_in, n_out)).astype(dtype)
    b = np.zeros(n_out, dtype=dtype)
    return W, b
