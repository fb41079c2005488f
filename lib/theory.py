"""Chapter 1 (Theory, Q1.1-Q1.7): the formulas derived in the chapter, written as numpy code.

Every function here is the direct transcription of an equation of ``report/01-theory.qmd``;
the pipeline ``lib.pipelines.theory`` checks each of them against central differences (and
against PyTorch autograd for the convolution), so a wrong derivation fails the build.

Conventions
-----------
* Softmax acts along the last axis.
* Q1.5 uses the handout's column-vector form ``y = W x + b`` with ``W`` of shape (k, d); the
  batched form the network code uses is ``Y = X W + b`` with ``X`` (n, d) and ``W`` (d, k).
* Q1.6 convolution is cross-correlation, stride 1, no padding:
  ``y[d, i, j] = b[d] + sum_{c, p, q} W[d, c, p, q] x[c, i + p, j + q]`` with
  ``x`` (C, M, N) or batched (B, C, M, N), ``W`` (D, C, K, K), ``b`` (D,).

Numpy only; nothing runs at import time.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

# --------------------------------------------------------------------------------------------
# Q1.1 / Q1.2 softmax
# --------------------------------------------------------------------------------------------


def softmax_naive(x: np.ndarray) -> np.ndarray:
    """exp(x_i) / sum_j exp(x_j) exactly as written (c = 0): overflows for x_i > ~709.78.

    Floating-point warnings are silenced: the point of this function is to show the inf/nan
    that the naive formula produces.
    """
    x = np.asarray(x, dtype=float)
    with np.errstate(over="ignore", invalid="ignore", under="ignore", divide="ignore"):
        s = np.exp(x)
        return s / s.sum(axis=-1, keepdims=True)


def exp_unguarded(x: np.ndarray) -> np.ndarray:
    """e^x with floating-point warnings silenced (the numerators of the naive softmax)."""
    with np.errstate(over="ignore", under="ignore"):
        return np.exp(np.asarray(x, dtype=float))


def softmax_shifted(x: np.ndarray, c: float | np.ndarray) -> np.ndarray:
    """softmax(x + c) computed with the naive formula (the left side of Q1.1's identity)."""
    return softmax_naive(np.asarray(x, dtype=float) + c)


def softmax_stable(x: np.ndarray) -> np.ndarray:
    """softmax(x) = softmax(x - max x): every numerator is in (0, 1], the sum is in [1, d]."""
    x = np.asarray(x, dtype=float)
    z = x - x.max(axis=-1, keepdims=True)
    s = np.exp(z)
    return s / s.sum(axis=-1, keepdims=True)


def softmax_steps(x: np.ndarray) -> dict[str, np.ndarray]:
    """The three steps of Q1.2 on a (stably shifted) vector: s_i = e^{x_i}, S = sum s_i, s_i / S."""
    x = np.asarray(x, dtype=float)
    s = np.exp(x - x.max(axis=-1, keepdims=True))
    S = s.sum(axis=-1, keepdims=True)
    return {"s": s, "S": S, "p": s / S}


def overflow_threshold(dtype=np.float64) -> float:
    """The largest x with finite exp(x): log of the largest finite number of ``dtype``."""
    return float(np.log(np.finfo(dtype).max))


# --------------------------------------------------------------------------------------------
# Q1.3 networks without non-linearities
# --------------------------------------------------------------------------------------------


def random_affine_layers(
    sizes: Sequence[int], rng: np.random.Generator
) -> list[tuple[np.ndarray, np.ndarray]]:
    """Layers (W, b) with ``W`` (sizes[l], sizes[l+1]) for the batched form ``h W + b``."""
    if len(sizes) < 2:
        raise ValueError(f"sizes={list(sizes)}: need at least an input and an output size")
    return [
        (rng.standard_normal((m, n)) / np.sqrt(m), rng.standard_normal(n))
        for m, n in zip(sizes[:-1], sizes[1:], strict=False)
    ]


def linear_network_forward(X: np.ndarray, layers: Sequence[tuple[np.ndarray, np.ndarray]]) -> np.ndarray:
    """A multi-layer network with the identity as activation: h_l = h_{l-1} W_l + b_l."""
    h = np.asarray(X, dtype=float)
    for W, b in layers:
        h = h @ W + b
    return h


def compose_affine(layers: Sequence[tuple[np.ndarray, np.ndarray]]) -> tuple[np.ndarray, np.ndarray]:
    """The single affine map (W, b) equal to the composition of ``layers``.

    W = W_1 W_2 ... W_L and b = (...((b_1 W_2 + b_2) W_3 + b_3) ...) W_L + b_L.
    """
    if not layers:
        raise ValueError("compose_affine: no layers given")
    W, b = (np.array(a, dtype=float) for a in layers[0])
    for W_l, b_l in layers[1:]:
        W, b = W @ W_l, b @ W_l + b_l
    return W, b


def least_squares_affine(X: np.ndarray, Y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Linear regression with intercept: the (W, b) minimising ||X W + b - Y||_F^2."""
    X = np.asarray(X, dtype=float)
    A = np.hstack([X, np.ones((X.shape[0], 1))])
    coef, *_ = np.linalg.lstsq(A, np.asarray(Y, dtype=float), rcond=None)
    return coef[:-1], coef[-1]


def mse(pred: np.ndarray, target: np.ndarray) -> float:
    """Mean over examples of the squared error summed over outputs, divided by 2."""
    diff = np.asarray(pred, dtype=float) - np.asarray(target, dtype=float)
    return float(0.5 * np.mean(np.sum(diff**2, axis=-1)))


def train_linear_network(
    X: np.ndarray,
    Y: np.ndarray,
    layers: Sequence[tuple[np.ndarray, np.ndarray]],
    lr: float,
    steps: int,
) -> tuple[list[tuple[np.ndarray, np.ndarray]], np.ndarray]:
    """Full-batch gradient descent on ``mse`` for a network without activations.

    Returns the trained layers and the loss before every step (length ``steps + 1``).
    The gradients are Q1.5's batched formulas applied layer by layer.
    """
    layers = [(W.astype(float).copy(), b.astype(float).copy()) for W, b in layers]
    n = X.shape[0]
    losses = np.empty(steps + 1)
    for t in range(steps + 1):
        hs = [np.asarray(X, dtype=float)]
        for W, b in layers:
            hs.append(hs[-1] @ W + b)
        losses[t] = mse(hs[-1], Y)
        if t == steps:
            break
        g = (hs[-1] - Y) / n
        for idx in range(len(layers) - 1, -1, -1):
            W, b = layers[idx]
            dW, db, g_next = hs[idx].T @ g, g.sum(axis=0), g @ W.T
            layers[idx] = (W - lr * dW, b - lr * db)
            g = g_next
    return layers, losses


# --------------------------------------------------------------------------------------------
# Q1.4 / Q1.7 sigmoid and tanh
# --------------------------------------------------------------------------------------------


def sigmoid(x: np.ndarray) -> np.ndarray:
    """sigma(x) = 1 / (1 + e^{-x}), evaluated without overflow for large |x|."""
    x = np.asarray(x, dtype=float)
    e = np.exp(-np.abs(x))  # in (0, 1]: never overflows
    return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def sigmoid_grad_from_output(s: np.ndarray) -> np.ndarray:
    """sigma'(x) written with sigma(x) only (Q1.4): s (1 - s)."""
    s = np.asarray(s, dtype=float)
    return s * (1.0 - s)


def tanh_grad_from_output(t: np.ndarray) -> np.ndarray:
    """tanh'(x) written with tanh(x) only: 1 - t^2."""
    t = np.asarray(t, dtype=float)
    return 1.0 - t**2


def tanh_via_sigmoid(x: np.ndarray) -> np.ndarray:
    """tanh(x) = 2 sigma(2x) - 1 (Q1.7.4)."""
    return 2.0 * sigmoid(2.0 * np.asarray(x, dtype=float)) - 1.0


ACTIVATIONS: dict[str, tuple[Callable[[np.ndarray], np.ndarray], Callable[[np.ndarray], np.ndarray]]] = {
    "sigmoid": (sigmoid, sigmoid_grad_from_output),
    "tanh": (np.tanh, tanh_grad_from_output),
}


def orthogonal(n: int, rng: np.random.Generator) -> np.ndarray:
    """A random n x n orthogonal matrix (spectral norm exactly 1)."""
    q, r = np.linalg.qr(rng.standard_normal((n, n)))
    return q * np.sign(np.diag(r))


def deep_network_gradients(
    activation: str,
    X: np.ndarray,
    weights: Sequence[np.ndarray],
    R: np.ndarray,
) -> dict[str, list[np.ndarray]]:
    """Back-propagation through h_l = f(h_{l-1} W_l), l = 1..L, for J = sum(R * h_L) / n.

    Returns, per layer (first to last), the pre-activation gradients ``dA`` (= dJ/da_l) and
    the weight gradients ``dW`` (= dJ/dW_l), computed with Q1.5's formulas and f'(a) written
    with the output f(a).
    """
    if activation not in ACTIVATIONS:
        raise ValueError(f"activation={activation!r}: expected one of {sorted(ACTIVATIONS)}")
    f, df_from_out = ACTIVATIONS[activation]
    hs = [np.asarray(X, dtype=float)]
    for W in weights:
        hs.append(f(hs[-1] @ W))
    g = np.asarray(R, dtype=float) / X.shape[0]  # dJ/dh_L
    dA: list[np.ndarray] = []
    dW: list[np.ndarray] = []
    for idx in range(len(weights) - 1, -1, -1):
        ga = g * df_from_out(hs[idx + 1])
        dA.append(ga)
        dW.append(hs[idx].T @ ga)
        g = ga @ weights[idx].T
    return {"dA": dA[::-1], "dW": dW[::-1], "h": hs}


# --------------------------------------------------------------------------------------------
# Q1.5 affine layer
# --------------------------------------------------------------------------------------------


def affine_forward_column(x: np.ndarray, W: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, tuple]:
    """y = W x + b with x (d,), W (k, d), b (k,): y_j = sum_i W_{ji} x_i + b_j."""
    x, W, b = (np.asarray(a, dtype=float) for a in (x, W, b))
    if W.ndim != 2 or x.shape != (W.shape[1],) or b.shape != (W.shape[0],):
        raise ValueError(
            f"affine_forward_column: x {x.shape}, W {W.shape}, b {b.shape}; expected (d,), (k, d), (k,)"
        )
    return W @ x + b, (x, W)


def affine_backward_column(delta: np.ndarray, cache: tuple) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """dJ/dW = delta x^T (k, d), dJ/dx = W^T delta (d,), dJ/db = delta (k,)."""
    x, W = cache
    delta = np.asarray(delta, dtype=float)
    return np.outer(delta, x), W.T @ delta, delta.copy()


def affine_backward_scalar(delta: np.ndarray, cache: tuple) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The same gradients element by element, as the scalar derivation writes them (loops)."""
    x, W = cache
    k, d = W.shape
    dW = np.empty((k, d))
    dx = np.zeros(d)
    db = np.empty(k)
    for j in range(k):
        db[j] = delta[j]
        for i in range(d):
            dW[j, i] = delta[j] * x[i]
            dx[i] += delta[j] * W[j, i]
    return dW, dx, db


def linear_forward(X: np.ndarray, W: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, tuple]:
    """Batched form used by the network code: X (n, d) -> X W + b (n, k), W (d, k)."""
    X, W = np.asarray(X, dtype=float), np.asarray(W, dtype=float)
    return X @ W + b, (X, W)


def linear_backward(dY: np.ndarray, cache: tuple) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """dX = dY W^T (n, d), dW = X^T dY (d, k), db = sum over rows of dY (k,)."""
    X, W = cache
    return dY @ W.T, X.T @ dY, dY.sum(axis=0)


# --------------------------------------------------------------------------------------------
# Q1.6 convolution (cross-correlation, stride 1, no padding)
# --------------------------------------------------------------------------------------------


def _as_batch(x: np.ndarray) -> tuple[np.ndarray, bool]:
    x = np.asarray(x)
    if x.dtype.kind in "iub":
        x = x.astype(np.float64)
    if x.ndim == 3:
        return x[None], True
    if x.ndim == 4:
        return x, False
    raise ValueError(f"conv2d: x has shape {x.shape}; expected (C, M, N) or (B, C, M, N)")


def conv2d_forward(x: np.ndarray, W: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, tuple]:
    """y[d, i, j] = b[d] + sum_{c, p, q} W[d, c, p, q] x[c, i + p, j + q].

    ``x`` (C, M, N) or (B, C, M, N), ``W`` (D, C, K, K), ``b`` (D,); returns ``y``
    (D, M - K + 1, N - K + 1) (with the batch axis first if ``x`` had one) and the cache.
    The sums over c (a matrix product) and over the image positions are vectorised; the
    K x K kernel offsets (p, q) are a loop, so each line reads as the scalar formula.
    """
    xb, single = _as_batch(x)
    W, b = np.asarray(W), np.asarray(b)
    if W.ndim != 4 or W.shape[2] != W.shape[3]:
        raise ValueError(f"conv2d: W has shape {W.shape}; expected (D, C, K, K)")
    B, C, M, N = xb.shape
    D, Cw, K, _ = W.shape
    if Cw != C:
        raise ValueError(f"conv2d: x has {C} channels but W expects {Cw} (W shape {W.shape})")
    if b.shape != (D,):
        raise ValueError(f"conv2d: b has shape {b.shape}; expected ({D},)")
    Mo, No = M - K + 1, N - K + 1
    if Mo < 1 or No < 1:
        raise ValueError(f"conv2d: kernel {K}x{K} larger than the {M}x{N} input")
    dtype = np.result_type(xb, W, b)
    y = np.empty((B, D, Mo, No), dtype=dtype)
    y[:] = b[None, :, None, None]
    for p in range(K):
        for q in range(K):
            # y[:, d, i, j] += sum_c W[d, c, p, q] x[:, c, i + p, j + q]
            y += np.einsum("dc,bcij->bdij", W[:, :, p, q], xb[:, :, p : p + Mo, q : q + No])
    cache = (xb, W, single)
    return (y[0] if single else y), cache


def conv2d_backward(dy: np.ndarray, cache: tuple) -> tuple[np.ndarray, ...]:
    """Gradients of Q1.6, given delta = dJ/dy of the same shape as ``y``:

    * dJ/db[d]          = sum_{i, j} delta[d, i, j]
    * dJ/dW[d, c, p, q] = sum_{i, j} delta[d, i, j] x[c, i + p, j + q]
    * dJ/dx[c, m, n]    = sum_{d, p, q} delta[d, m - p, n - q] W[d, c, p, q]
      (terms with m - p or n - q outside the output are absent)

    Returns (dx, dW, db). With a batch axis, dW and db are summed over the batch (the loss
    is a sum over examples).
    """
    x, W, single = cache  # x is (B, C, M, N)
    delta = np.asarray(dy)[None] if single else np.asarray(dy)
    B, C, M, N = x.shape
    D, _, K, _ = W.shape
    Mo, No = M - K + 1, N - K + 1
    if delta.shape != (B, D, Mo, No):
        got, want = np.shape(dy), (D, Mo, No) if single else (B, D, Mo, No)
        raise ValueError(f"conv2d_backward: dy is {got}, expected {want}")
    # dJ/db[d] = sum over examples and positions (i, j) of delta[d, i, j]
    db = delta.sum(axis=(0, 2, 3))
    dW = np.empty(W.shape, dtype=np.result_type(delta, x))
    dx = np.zeros(x.shape, dtype=np.result_type(delta, W))
    for p in range(K):
        for q in range(K):
            # dJ/dW[d, c, p, q] = sum_{i, j} delta[d, i, j] x[c, i + p, j + q]
            window = x[:, :, p : p + Mo, q : q + No]
            dW[:, :, p, q] = np.einsum("bdij,bcij->dc", delta, window)
            # x[c, m, n] with m = i + p, n = j + q gets delta[d, i, j] W[d, c, p, q]
            dx_win = np.einsum("bdij,dc->bcij", delta, W[:, :, p, q])
            dx[:, :, p : p + Mo, q : q + No] += dx_win
    return (dx[0] if single else dx), dW, db


def conv2d_forward_loops(x: np.ndarray, W: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Reference: the scalar formula with one loop per index (x (C, M, N); small sizes only)."""
    C, M, N = x.shape
    D, _, K, _ = W.shape
    Mo, No = M - K + 1, N - K + 1
    y = np.zeros((D, Mo, No))
    for d in range(D):
        for i in range(Mo):
            for j in range(No):
                total = b[d]
                for c in range(C):
                    for p in range(K):
                        for q in range(K):
                            total += W[d, c, p, q] * x[c, i + p, j + q]
                y[d, i, j] = total
    return y


def conv2d_backward_loops(
    delta: np.ndarray, x: np.ndarray, W: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Reference: dx, dW, db by the scalar formulas with one loop per index (single example)."""
    C, M, N = x.shape
    D, _, K, _ = W.shape
    Mo, No = M - K + 1, N - K + 1
    db = np.array([delta[d].sum() for d in range(D)])
    dW = np.zeros(W.shape)
    for d in range(D):
        for c in range(C):
            for p in range(K):
                for q in range(K):
                    dW[d, c, p, q] = sum(
                        delta[d, i, j] * x[c, i + p, j + q] for i in range(Mo) for j in range(No)
                    )
    dx = np.zeros(x.shape)
    for c in range(C):
        for m in range(M):
            for n in range(N):
                total = 0.0
                for d in range(D):
                    for p in range(K):
                        for q in range(K):
                            i, j = m - p, n - q
                            if 0 <= i < Mo and 0 <= j < No:
                                total += delta[d, i, j] * W[d, c, p, q]
                dx[c, m, n] = total
    return dx, dW, db


def conv2d_input_grad_full(delta: np.ndarray, W: np.ndarray) -> np.ndarray:
    """dJ/dx as a 'full' cross-correlation of the zero-padded delta with the kernel rotated 180°.

    dx[c, m, n] = sum_{d, u, v} delta_pad[d, m + u, n + v] W[d, c, K-1-u, K-1-v], where delta is
    padded by K - 1 zeros on every side: the same sum as ``conv2d_backward``'s, re-indexed.
    Single example: delta (D, Mo, No), W (D, C, K, K) -> (C, Mo + K - 1, No + K - 1).
    """
    D, C, K, _ = W.shape
    padded = np.pad(delta, ((0, 0), (K - 1, K - 1), (K - 1, K - 1)))
    rotated = W[:, :, ::-1, ::-1].transpose(1, 0, 2, 3)  # (C, D, K, K)
    dx, _ = conv2d_forward(padded, rotated, np.zeros(C))
    return dx


# --------------------------------------------------------------------------------------------
# Finite differences and error measures
# --------------------------------------------------------------------------------------------


def central_difference(f: Callable[[], float], x: np.ndarray, eps: float = 1e-6) -> np.ndarray:
    """dJ/dx for a scalar ``f()`` that reads the array ``x``, by (f(x + eps e_i) - f(x - eps e_i)) / 2 eps.

    ``x`` is perturbed in place, one entry at a time, and restored; it must be float64.
    """
    if x.dtype != np.float64:
        raise TypeError(f"central_difference: x has dtype {x.dtype}; use float64 for gradient checks")
    grad = np.empty_like(x)
    flat, gflat = x.reshape(-1), grad.reshape(-1)
    if not np.shares_memory(flat, x):
        raise ValueError("central_difference: x must be contiguous (it is perturbed in place)")
    for i in range(flat.size):
        old = flat[i]
        flat[i] = old + eps
        plus = f()
        flat[i] = old - eps
        minus = f()
        flat[i] = old
        gflat[i] = (plus - minus) / (2 * eps)
    return grad


def derivative_on_grid(f: Callable[[np.ndarray], np.ndarray], x: np.ndarray, eps: float = 1e-5) -> np.ndarray:
    """Central-difference derivative of an elementwise function at every point of ``x``."""
    x = np.asarray(x, dtype=float)
    return (f(x + eps) - f(x - eps)) / (2 * eps)


def max_abs_error(a: np.ndarray, b: np.ndarray) -> float:
    """max |a - b| over all entries (0 for empty arrays)."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if a.shape != b.shape:
        raise ValueError(f"max_abs_error: shapes {a.shape} and {b.shape} differ")
    return float(np.max(np.abs(a - b), initial=0.0))


def scaled_error(a: np.ndarray, b: np.ndarray) -> float:
    """max |a - b| / max |b|: the error relative to the size of the reference ``b``."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    scale = float(np.max(np.abs(b), initial=0.0))
    return max_abs_error(a, b) / scale if scale > 0 else max_abs_error(a, b)


def max_rel_error(a: np.ndarray, b: np.ndarray, floor: float = 1e-12) -> float:
    """max |a - b| / max(|a|, |b|, floor), entrywise: scale-free, for gradients of any size."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if a.shape != b.shape:
        raise ValueError(f"max_rel_error: shapes {a.shape} and {b.shape} differ")
    denom = np.maximum(np.maximum(np.abs(a), np.abs(b)), floor)
    return float(np.max(np.abs(a - b) / denom, initial=0.0))
