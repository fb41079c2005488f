"""Numerical gradient checker (Q2.5.1): central differences for any params dict and loss.

For every scalar parameter ``theta_k`` (or a random subset of them)::

    n_k = (f(theta + eps e_k) - f(theta - eps e_k)) / (2 eps)

and the check reports, per parameter array, the largest relative error against the analytic
gradient ``a_k``::

    rel_k = |n_k - a_k| / max(|n_k| + |a_k|, floor)

It works for a layer, the Q3 classifier and the Q5 autoencoder alike: ``loss_fn`` is any
closure ``params -> float`` that reads the arrays of ``params`` (which are perturbed in place
and restored bit for bit). Run it in float64: in float32 the differences drown in rounding.

The floor. ``n_k`` itself carries a rounding error: each evaluation of the loss is off by about
one unit in the last place of its terms, so the difference quotient is off by up to
``noise = eps_mach * sum_t |f_t(theta)| / eps`` (``eps_mach = 2.2e-16``; ``1.5`` times that for
the 4th-order stencil). A gradient entry much smaller than ``noise / tol`` cannot be resolved
to a relative error ``tol``, whatever the code: its relative error would measure rounding, and
which entries are that small depends on the data (an input pixel near 0 makes its weights'
gradients near 0). With ``floor = noise / tol`` such an entry passes exactly when its absolute
error is below ``noise``; every other entry is judged by its plain relative error. The floor
depends only on float64, the step and the size of the loss, never on which coordinates or
which data are checked. ``floor=0`` gives the plain relative error (used to study the step).

``loss_fn`` may return the loss as an array of terms (per example, or per output element) whose
sum is the loss. The checker then subtracts term by term, so the rounding error of a
difference is at the scale of one term instead of the whole sum (``ulp(170) = 3e-14`` for the
autoencoder's total squared error, divided by ``2 eps``, would otherwise swamp gradients of
``1e-5``); ``lib.nn.network.loss_terms`` gives such arrays.

>>> result = check_gradients(lambda p: loss_terms(p, spec, x, y), params64, grads64)
>>> result.passed()          # max relative error < result.tol (1e-7)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

__all__ = ["TOL", "GradCheck", "check_gradients", "numerical_gradient", "relative_error", "rounding_noise"]

#: The smallest denominator of a relative error: two zero gradients agree perfectly.
TINY = 1e-300
#: The default pass mark: largest relative error of a correct gradient in float64.
TOL = 1e-7


def relative_error(numeric: np.ndarray, analytic: np.ndarray, floor: float = TINY) -> np.ndarray:
    """Elementwise ``|n - a| / max(|n| + |a|, floor)``."""
    numeric, analytic = np.asarray(numeric, np.float64), np.asarray(analytic, np.float64)
    return np.abs(numeric - analytic) / np.maximum(np.abs(numeric) + np.abs(analytic), max(floor, TINY))


def rounding_noise(loss_value: np.ndarray | float, eps: float, order: int = 2) -> float:
    """Bound on the rounding error of the central difference around a loss of this size.

    Each of the two evaluations ``f(theta +- eps e_k)`` is off by about ``eps_mach |f_t|`` per
    term; their difference divided by ``2 eps`` is off by up to ``eps_mach sum_t |f_t| / eps``.
    The 4th-order stencil ``(8 D(eps) - D(2 eps)) / 12 eps`` weighs its four evaluations by
    ``(8 + 8 + 1 + 1) / 12 = 1.5`` of that.
    """
    scale = float(np.sum(np.abs(np.asarray(loss_value, dtype=np.float64))))
    return (1.0 if order == 2 else 1.5) * np.finfo(np.float64).eps * scale / eps


def numerical_gradient(
    loss_fn: Callable[[dict[str, np.ndarray]], float], params: dict[str, np.ndarray], name: str,
    coords: np.ndarray | None = None, eps: float = 1e-4, order: int = 2,
) -> np.ndarray:
    """Central-difference gradient of ``loss_fn`` w.r.t. ``params[name]``.

    ``coords`` are flat indices to perturb (default: all); returns the gradient at those
    coordinates (flat), or the full array shape when ``coords`` is None.

    ``order=2`` is the homework's ``(f(x+e) - f(x-e)) / 2e`` (error ``O(e^2)``); ``order=4`` is
    its Richardson extrapolation ``(8 D(e) - D(2e)) / 12 e`` with ``D(h) = f(x+h) - f(x-h)``
    (error ``O(e^4)``), which allows a larger ``eps`` and so less rounding error.

    The default ``eps = 1e-4`` balances the two errors of the 2nd-order formula in float64:
    truncation ``~ e^2 |f^(3)| / 6`` and rounding ``~ ulp(f) / e``; the textbook ``1e-6`` loses
    two digits to rounding on the Q3 network.
    """
    if order not in (2, 4):
        raise ValueError(f"order must be 2 or 4, got {order}")
    W = params[name]
    flat = W.reshape(-1)  # a view: perturbations are seen by loss_fn
    if not np.shares_memory(flat, W):
        raise ValueError(f"params[{name!r}] is not contiguous; cannot perturb it in place")
    idx = np.arange(W.size) if coords is None else np.asarray(coords)
    out = np.empty(len(idx), dtype=np.float64)

    def diff(k: int, h: float) -> float:
        old = flat[k]
        flat[k] = old + h
        plus = np.asarray(loss_fn(params), dtype=np.float64)
        flat[k] = old - h
        minus = np.asarray(loss_fn(params), dtype=np.float64)
        flat[k] = old
        return float(np.sum(plus - minus))  # term by term: rounding at the terms' scale

    for j, k in enumerate(idx):
        if order == 2:
            out[j] = diff(k, eps) / (2 * eps)
        else:
            out[j] = (8 * diff(k, eps) - diff(k, 2 * eps)) / (12 * eps)
    return out.reshape(W.shape) if coords is None else out


@dataclass
class GradCheck:
    """Result of ``check_gradients``: per-parameter max relative error and what was checked."""

    errors: dict[str, float]  # name -> max relative error over the checked coordinates
    checked: dict[str, int]  # name -> number of coordinates checked
    sizes: dict[str, int]  # name -> number of coordinates in the array
    eps: float
    order: int = 2
    tol: float = TOL
    noise: float = 0.0  # rounding bound of the numerical gradient (``rounding_noise``)
    floor: float = TINY  # denominator floor of the relative errors
    below_floor: dict[str, int] = field(default_factory=dict)  # name -> entries with |n| + |a| < floor
    details: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]] = field(default_factory=dict, repr=False)

    @property
    def max_error(self) -> float:
        return max(self.errors.values()) if self.errors else 0.0

    def passed(self, tol: float | None = None) -> bool:
        """Every checked coordinate within ``tol`` (default: the tolerance the floor was set for)."""
        return self.max_error < (self.tol if tol is None else tol)

    def rows(self) -> list[dict]:
        """One dict per parameter (for a table): name, shape size, checked, max relative error."""
        return [
            {"parameter": k, "size": self.sizes[k], "checked": self.checked[k], "max_rel_error": self.errors[k]}
            for k in self.errors
        ]


def check_gradients(
    loss_fn: Callable[[dict[str, np.ndarray]], float], params: dict[str, np.ndarray],
    grads: dict[str, np.ndarray], *, eps: float = 1e-4, max_coords: int | None = None,
    rng: np.random.Generator | int | None = 0, names: list[str] | None = None, order: int = 2,
    tol: float = TOL, floor: float | str = "rounding",
) -> GradCheck:
    """Compare ``grads`` with central differences of ``loss_fn`` around ``params``.

    ``max_coords`` checks at most that many coordinates per parameter, chosen at random with
    ``rng`` (always all of them when the array is smaller); ``names`` restricts the check to
    some parameters. ``params`` is perturbed in place and restored exactly.

    ``floor="rounding"`` (default) sets the relative error's floor to ``noise / tol``, where
    ``noise`` bounds the rounding error of the numerical gradient (see the module docstring);
    a number sets the floor directly (``0``: the plain relative error).
    """
    rng = rng if isinstance(rng, np.random.Generator) else np.random.default_rng(rng)
    names = list(names) if names is not None else [k for k in params if k in grads]
    noise = rounding_noise(loss_fn(params), eps, order)
    floor_value = noise / tol if floor == "rounding" else float(floor)
    errors, checked, sizes, details, below = {}, {}, {}, {}, {}
    for name in names:
        W, g = params[name], np.asarray(grads[name])
        if g.shape != W.shape:
            raise ValueError(f"grads[{name!r}] has shape {g.shape}; params[{name!r}] has {W.shape}")
        if W.dtype != np.float64:
            raise TypeError(f"params[{name!r}] is {W.dtype}; check gradients in float64 (see as_dtype)")
        coords = None
        if max_coords is not None and W.size > max_coords:
            coords = np.sort(rng.choice(W.size, size=max_coords, replace=False))
        num = numerical_gradient(loss_fn, params, name, coords, eps, order).reshape(-1)
        ana = g.reshape(-1) if coords is None else g.reshape(-1)[coords]
        rel = relative_error(num, ana, floor_value)
        errors[name] = float(rel.max()) if rel.size else 0.0
        checked[name], sizes[name] = int(rel.size), int(W.size)
        below[name] = int(np.sum(np.abs(num) + np.abs(ana) < floor_value))
        details[name] = (num, ana, rel)
    return GradCheck(errors, checked, sizes, eps, order, tol, noise, max(floor_value, TINY), below, details)
