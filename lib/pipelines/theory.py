"""Chapter 1 (Theory): every derived formula checked numerically, at every render.

``run()`` evaluates the formulas of ``lib.theory`` on random inputs (seed ``lib.config.SEED``)
and compares them with central differences and, for the convolution and the deep network,
with PyTorch autograd. It returns a :class:`TheoryResults` with one entry per question and a
table of all checks, records Q1.1 ... Q1.7 with ``lib.results.record``, and raises
:class:`TheoryCheckError` if any check exceeds its tolerance, so a wrong derivation stops the
build. Nothing is cached: the whole run takes about a second, most of it importing torch.
"""

from __future__ import annotations

import ast
import inspect
import textwrap
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from lib import config, results
from lib import theory as T
from lib.nn import layers, losses
from lib.tables import Table

#: What produced the chapter's numbers (no data set: random test inputs).
DATA = f"analytic (random test inputs, seed {config.SEED})"

#: Tolerance of checks in float64, and of checks that involve float32 PyTorch.
TOL64 = 1e-6
TOL32 = 1e-4

#: Q1.6 test shapes: (batch B or None for a single (C, M, N) example, C, M, N, D, K).
CONV_SHAPES: tuple[tuple[int | None, int, int, int, int, int], ...] = (
    (None, 1, 5, 5, 1, 3),
    (None, 3, 7, 6, 4, 3),
    (2, 2, 6, 9, 3, 1),
    (3, 2, 8, 8, 2, 5),
    (None, 2, 4, 5, 3, 4),
)

#: Q1.7 deep network: layers, width, examples.
DEEP_LAYERS, DEEP_WIDTH, DEEP_EXAMPLES = 12, 32, 64


def source_without_docstring(func) -> str:
    """The source of ``func`` without its docstring, for listing in the chapter."""
    source = textwrap.dedent(inspect.getsource(func))
    doc = ast.get_docstring(ast.parse(source).body[0], clean=False)
    if doc is None:
        return source
    lines = source.splitlines(keepends=True)
    node = ast.parse(source).body[0].body[0]
    return "".join(lines[: node.lineno - 1] + lines[node.end_lineno :])


class TheoryCheckError(AssertionError):
    """A numerical check of chapter 1 exceeded its tolerance: a formula or its code is wrong."""


@dataclass
class TheoryResults:
    """Everything chapter 1 shows. ``checks`` has one row per check (question, check, error, tol)."""

    checks: pd.DataFrame
    q1_1: dict[str, Any] = field(default_factory=dict)
    q1_2: dict[str, Any] = field(default_factory=dict)
    q1_3: dict[str, Any] = field(default_factory=dict)
    q1_4: dict[str, Any] = field(default_factory=dict)
    q1_5: dict[str, Any] = field(default_factory=dict)
    q1_6: dict[str, Any] = field(default_factory=dict)
    q1_7: dict[str, Any] = field(default_factory=dict)

    def table(self, question: str) -> Table:
        """The checks of one question ("Q1.6"), formatted for the chapter."""
        rows = self.checks[self.checks["question"] == question]
        return Table(
            pd.DataFrame(
                {
                    "Max error": [f"{e:.1e}" for e in rows["error"]],
                    "Tolerance": [f"{t:.0e}" for t in rows["tol"]],
                    "Passed": [
                        "yes" if e < t else "NO" for e, t in zip(rows["error"], rows["tol"], strict=True)
                    ],
                },
                index=pd.Index(rows["check"].to_numpy(), name=None),
            )
        )

    def max_error(self, question: str) -> float:
        return float(self.checks.loc[self.checks["question"] == question, "error"].max())


class _Checks:
    def __init__(self) -> None:
        self.rows: list[dict[str, Any]] = []

    def add(self, question: str, check: str, error: float, tol: float = TOL64) -> float:
        self.rows.append({"question": question, "check": check, "error": float(error), "tol": tol})
        return float(error)


# --------------------------------------------------------------------------------------------


def _vec(a: np.ndarray) -> str:
    """A short vector for a table cell: (0.2689, 0.7311), (inf, inf), (nan, nan)."""
    return "(" + ", ".join(f"{v:.4g}" for v in np.asarray(a, dtype=float)) + ")"


def _q1_1(ck: _Checks, rng: np.random.Generator) -> dict[str, Any]:
    x = rng.uniform(-20, 20, size=(200, 10))
    c = rng.uniform(-50, 50, size=(200, 1))
    ck.add(
        "Q1.1",
        "softmax(x + c) vs softmax(x), 200 random x, c in [-50, 50]",
        T.max_abs_error(T.softmax_shifted(x, c), T.softmax_naive(x)),
    )
    ck.add(
        "Q1.1",
        "softmax(x - max x) vs softmax(x), same x",
        T.max_abs_error(T.softmax_stable(x), T.softmax_naive(x)),
    )
    demo_inputs = {
        "[1000, 1001]": np.array([1000.0, 1001.0]),
        "[-1000, -1001]": np.array([-1000.0, -1001.0]),
        "[1, 2]": np.array([1.0, 2.0]),
    }
    demo = pd.DataFrame(
        [
            {
                "exp(x), c = 0": _vec(T.exp_unguarded(x)),
                "softmax, c = 0": _vec(T.softmax_naive(x)),
                "exp(x - max x)": _vec(np.exp(x - x.max())),
                "softmax, c = -max x": _vec(T.softmax_stable(x)),
            }
            for x in demo_inputs.values()
        ],
        index=[f"x = {name}" for name in demo_inputs],
    )
    # the stable version of the overflowing input equals the naive one of the shifted input
    ck.add(
        "Q1.1",
        "stable softmax([1000, 1001]) vs softmax([0, 1])",
        T.max_abs_error(T.softmax_stable(demo_inputs["[1000, 1001]"]), T.softmax_naive(np.array([0.0, 1.0]))),
    )
    # the checks also confirm that the network code of Q2 (lib.nn) implements the formulas
    xs = np.vstack([x, [[1000.0, 1001.0] + [-1000.0] * 8]])
    ck.add(
        "Q1.1",
        "lib.nn.losses.softmax (used by Q2) vs softmax(x - max x), incl. x_1 = 1000",
        T.max_abs_error(losses.softmax(xs.copy()), T.softmax_stable(xs)),
    )
    return {
        "demo": demo,
        "overflow_at": T.overflow_threshold(),
        "overflow_at_32": T.overflow_threshold(np.float32),
        "big": T.softmax_stable(demo_inputs["[1000, 1001]"]),
    }


def _q1_2(ck: _Checks, rng: np.random.Generator) -> dict[str, Any]:
    count, dim, std = 1000, 8, 10.0
    x = rng.normal(0, std, size=(count, dim))
    p = T.softmax_stable(x)
    ck.add(
        "Q1.2",
        f"max |sum_i softmax(x)_i - 1|, {count} random x in R^{dim}",
        np.max(np.abs(p.sum(axis=-1) - 1)),
    )
    x_example = np.array([2.0, 1.0, 0.1, -1.0])
    steps = T.softmax_steps(x_example)
    example = pd.DataFrame(
        {
            "x_i": [f"{v:g}" for v in x_example],
            "s_i = exp(x_i - max x)": [f"{v:.4f}" for v in steps["s"]],
            "s_i / S": [f"{v:.4f}" for v in steps["p"]],
        },
        index=pd.RangeIndex(1, 5, name=None),
    )
    return {
        "min": float(p.min()),
        "max": float(p.max()),
        "all_positive": bool((p > 0).all()),
        "example": example,
        "S": float(steps["S"][0]),
        "count": count,
        "dim": dim,
        "std": std,
    }


def _q1_3(ck: _Checks, rng: np.random.Generator) -> dict[str, Any]:
    sizes = [5, 8, 8, 3]
    X = rng.standard_normal((200, sizes[0]))
    layers = T.random_affine_layers(sizes, rng)
    W, b = T.compose_affine(layers)
    out = T.linear_network_forward(X, layers)
    ck.add(
        "Q1.3",
        f"{len(layers)}-layer linear network vs one affine map X W + b",
        T.max_abs_error(out, X @ W + b),
    )
    W_ls, b_ls = T.least_squares_affine(X, out)
    ck.add(
        "Q1.3",
        "least squares on the network's outputs recovers (W, b)",
        max(T.max_abs_error(W_ls, W), T.max_abs_error(b_ls, b)),
    )
    # A non-linear target: the best any linear network can do is the least-squares fit.
    A = rng.standard_normal((sizes[0], sizes[-1]))
    Y = np.sin(X) @ A + 0.1 * rng.standard_normal((X.shape[0], sizes[-1]))
    W_fit, b_fit = T.least_squares_affine(X, Y)
    ls_loss = T.mse(X @ W_fit + b_fit, Y)
    steps = 1000
    trained, losses = T.train_linear_network(X, Y, T.random_affine_layers(sizes, rng), lr=0.05, steps=steps)
    W_net, b_net = T.compose_affine(trained)
    ck.add(
        "Q1.3",
        f"trained linear network's loss minus least-squares loss ({steps} steps)",
        losses[-1] - ls_loss,
    )
    ck.add(
        "Q1.3",
        "trained network's composed (W, b) vs least-squares (W, b)",
        max(T.max_abs_error(W_net, W_fit), T.max_abs_error(b_net, b_fit)),
    )
    return {
        "sizes": sizes,
        "n": X.shape[0],
        "losses": losses,
        "ls_loss": ls_loss,
        "steps": steps,
        "min_gap": float(np.min(losses - ls_loss)),
        "final_gap": float(losses[-1] - ls_loss),
    }


def _q1_4(ck: _Checks) -> dict[str, Any]:
    grid, eps = np.linspace(-10, 10, 2001), 1e-5
    s = T.sigmoid(grid)
    err = T.max_abs_error(T.sigmoid_grad_from_output(s), T.derivative_on_grid(T.sigmoid, grid, eps=eps))
    ck.add("Q1.4", f"sigma(x)(1 - sigma(x)) vs central difference, {grid.size} points in [-10, 10]", err)
    dout = np.ones_like(grid)
    ck.add(
        "Q1.4",
        "lib.nn.layers.sigmoid_backward (used by Q2) vs central difference",
        T.max_abs_error(
            layers.sigmoid_backward(dout, layers.sigmoid_forward(grid)[1]),
            T.derivative_on_grid(T.sigmoid, grid),
        ),
    )
    return {"grid": grid, "points": grid.size, "eps": eps, "lo": float(grid[0]), "hi": float(grid[-1])}


def _q1_5(ck: _Checks, rng: np.random.Generator) -> dict[str, Any]:
    k, d = 4, 6
    x, W, b, delta = (
        rng.standard_normal(d),
        rng.standard_normal((k, d)),
        rng.standard_normal(k),
        rng.standard_normal(k),
    )

    def J() -> float:  # dJ/dy = delta exactly
        return float(delta @ T.affine_forward_column(x, W, b)[0])

    _, cache = T.affine_forward_column(x, W, b)
    dW, dx, db = T.affine_backward_column(delta, cache)
    sW, sx, sb = T.affine_backward_scalar(delta, cache)
    ck.add(
        "Q1.5",
        "matrix form vs scalar form (dW, dx, db)",
        max(T.max_abs_error(dW, sW), T.max_abs_error(dx, sx), T.max_abs_error(db, sb)),
    )
    for name, arr, grad in (("W", W, dW), ("x", x, dx), ("b", b, db)):
        ck.add(
            "Q1.5",
            f"dJ/d{name} = {dict(W='delta x^T', x='W^T delta', b='delta')[name]} vs central difference",
            T.max_abs_error(grad, T.central_difference(J, arr)),
        )
    n = 5
    X, Wb, bb, dY = (
        rng.standard_normal((n, d)),
        rng.standard_normal((d, k)),
        rng.standard_normal(k),
        rng.standard_normal((n, k)),
    )

    def Jb() -> float:
        return float(np.sum(dY * T.linear_forward(X, Wb, bb)[0]))

    gX, gW, gb = T.linear_backward(dY, T.linear_forward(X, Wb, bb)[1])
    ck.add(
        "Q1.5",
        f"batched form (n = {n}): dX, dW, db vs central differences",
        max(
            T.max_abs_error(gX, T.central_difference(Jb, X)),
            T.max_abs_error(gW, T.central_difference(Jb, Wb)),
            T.max_abs_error(gb, T.central_difference(Jb, bb)),
        ),
    )
    out = layers.linear_backward(dY, layers.linear_forward(X, Wb, bb)[1])
    ck.add(
        "Q1.5",
        "lib.nn.layers.linear_backward (used by Q2) vs the batched formulas",
        max(T.max_abs_error(a, g) for a, g in zip(out, (gX, gW, gb), strict=True)),
    )
    return {"k": k, "d": d, "n": n}


def _q1_6(ck: _Checks, rng: np.random.Generator) -> dict[str, Any]:
    import torch  # only this check needs it

    # one thread: float32 sums in a fixed order, so the float32 errors are the same on every run
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        return _q1_6_checks(ck, rng, torch)
    finally:
        torch.set_num_threads(threads)


def _q1_6_checks(ck: _Checks, rng: np.random.Generator, torch) -> dict[str, Any]:
    rows = []
    for B, C, M, N, D, K in CONV_SHAPES:
        shape_x = (C, M, N) if B is None else (B, C, M, N)
        x, W, b = rng.standard_normal(shape_x), rng.standard_normal((D, C, K, K)), rng.standard_normal(D)
        y, cache = T.conv2d_forward(x, W, b)
        delta = rng.standard_normal(y.shape)
        dx, dW, db = T.conv2d_backward(delta, cache)

        def J(x=x, W=W, b=b, delta=delta) -> float:
            return float(np.sum(delta * T.conv2d_forward(x, W, b)[0]))

        fd = max(
            T.max_abs_error(dx, T.central_difference(J, x, eps=1e-5)),
            T.max_abs_error(dW, T.central_difference(J, W, eps=1e-5)),
            T.max_abs_error(db, T.central_difference(J, b, eps=1e-5)),
        )
        errs = {}
        for dtype in (torch.float64, torch.float32):
            tx, tW, tb = (torch.tensor(a, dtype=dtype, requires_grad=True) for a in (x, W, b))
            ty = torch.nn.functional.conv2d(tx if B is not None else tx[None], tW, tb)
            ty = ty if B is not None else ty[0]
            ty.backward(torch.tensor(delta, dtype=dtype))
            # scaled error for float32: the gradients are sums of up to C K^2 or B Mo No terms
            err = T.scaled_error if dtype == torch.float32 else T.max_abs_error
            errs[dtype] = max(
                err(y, ty.detach().double().numpy()),
                err(dx, tx.grad.double().numpy()),
                err(dW, tW.grad.double().numpy()),
                err(db, tb.grad.double().numpy()),
            )
        # the scalar-loop reference and the full-correlation form, one example at a time
        xs, ys, ds, dxs = (x[None], y[None], delta[None], dx[None]) if B is None else (x, y, delta, dx)
        loops = full = 0.0
        lW_sum, lb_sum = np.zeros_like(W), np.zeros_like(b)
        for xe, ye, de, dxe in zip(xs, ys, ds, dxs, strict=True):
            lx, lW, lb = T.conv2d_backward_loops(de, xe, W)
            lW_sum += lW
            lb_sum += lb
            loops = max(
                loops, T.max_abs_error(ye, T.conv2d_forward_loops(xe, W, b)), T.max_abs_error(lx, dxe)
            )
            full = max(full, T.max_abs_error(T.conv2d_input_grad_full(de, W), dxe))
        loops = max(loops, T.max_abs_error(lW_sum, dW), T.max_abs_error(lb_sum, db))
        times = "\u00d7"
        name = f"x {times.join(map(str, shape_x))}, W {times.join(map(str, W.shape))}"
        rows.append(
            {
                "Shapes": name,
                "output y": times.join(map(str, y.shape)),
                "vs scalar loops": loops,
                "vs central differences": fd,
                "vs torch, float64": errs[torch.float64],
                "vs torch, float32 (relative)": errs[torch.float32],
                "dx by full correlation": full,
            }
        )
        ck.add("Q1.6", f"{name}: numpy vs scalar loops", loops)
        ck.add("Q1.6", f"{name}: dx, dW, db vs central differences", fd)
        ck.add("Q1.6", f"{name}: y, dx, dW, db vs torch conv2d autograd, float64", errs[torch.float64])
        ck.add(
            "Q1.6",
            f"{name}: y, dx, dW, db vs torch conv2d autograd, float32 (relative)",
            errs[torch.float32],
            tol=TOL32,
        )
        ck.add("Q1.6", f"{name}: dx as full correlation with rotated kernel", full)
    table = pd.DataFrame(rows).set_index("Shapes")
    for col in table.columns[1:]:
        table[col] = [f"{v:.1e}" for v in table[col]]
    table = table.T  # one column per shape, one row per reference: narrow enough for a page
    table.columns.name = None
    return {"table": table, "shapes": len(CONV_SHAPES)}


def _q1_7(ck: _Checks, rng: np.random.Generator) -> dict[str, Any]:
    import torch

    grid = np.linspace(-6, 6, 1201)
    s, t = T.sigmoid(grid), np.tanh(grid)
    ck.add("Q1.7", "tanh(x) vs 2 sigma(2x) - 1 on [-6, 6]", T.max_abs_error(T.tanh_via_sigmoid(grid), t))
    ck.add(
        "Q1.7",
        "tanh'(x) = 1 - tanh(x)^2 vs central difference",
        T.max_abs_error(T.tanh_grad_from_output(t), T.derivative_on_grid(np.tanh, grid)),
    )
    ck.add(
        "Q1.7",
        "tanh'(x) vs 4 sigma'(2x)",
        T.max_abs_error(T.tanh_grad_from_output(t), 4 * T.sigmoid_grad_from_output(T.sigmoid(2 * grid))),
    )
    ds, dt = T.sigmoid_grad_from_output(s), T.tanh_grad_from_output(t)
    ck.add(
        "Q1.7", "max of sigma' on the grid vs 1/4 (at x = 0)", abs(ds.max() - 0.25) + abs(grid[ds.argmax()])
    )

    L, width, n = DEEP_LAYERS, DEEP_WIDTH, DEEP_EXAMPLES
    X = rng.standard_normal((n, width))
    weights = [T.orthogonal(width, rng) for _ in range(L)]
    R = rng.standard_normal((n, width))
    norms = {}
    for act in ("sigmoid", "tanh"):
        g = T.deep_network_gradients(act, X, weights, R)
        # the same network in torch, gradients by autograd (float64)
        tX = torch.tensor(X)
        tW = [torch.tensor(W, requires_grad=True) for W in weights]
        h = tX
        for W in tW:
            h = torch.sigmoid(h @ W) if act == "sigmoid" else torch.tanh(h @ W)
        (h * torch.tensor(R)).sum().div(n).backward()
        err = max(T.scaled_error(dW, W.grad.numpy()) for dW, W in zip(g["dW"], tW, strict=True))
        ck.add("Q1.7", f"{L}-layer {act} network: dJ/dW_l per layer vs torch autograd (relative)", err)
        norms[act] = {
            "dW": np.array([np.linalg.norm(dW) for dW in g["dW"]]),
            "dA": np.array([np.linalg.norm(dA) for dA in g["dA"]]),
            # root mean square of each layer's input h_{l-1} (h_0 = X): dJ/dW_l = h_{l-1}^T dJ/da_l
            "h_rms": np.array([float(np.sqrt(np.mean(h**2))) for h in g["h"][:-1]]),
        }
        # with orthogonal W, ||dJ/da_l|| <= max f' * ||dJ/da_{l+1}||: check the ratio bound
        ratios = norms[act]["dA"][:-1] / norms[act]["dA"][1:]
        norms[act]["ratio"] = ratios
        norms[act]["mean_ratio"] = float(np.exp(np.mean(np.log(ratios))))
    bound_violation = max(
        0.0, float(np.max(norms["sigmoid"]["ratio"] - 0.25)), float(np.max(norms["tanh"]["ratio"] - 1.0))
    )
    ck.add(
        "Q1.7",
        "norm of dJ/da_l over norm of dJ/da_(l+1), above its bound max f' (1/4 sigmoid, 1 tanh)",
        bound_violation,
    )
    return {
        "grid": grid,
        "sigmoid": s,
        "tanh": t,
        "dsigmoid": ds,
        "dtanh": dt,
        "norms": norms,
        "layers": L,
        "width": width,
        "n": n,
        # first layer over last layer: of the back-propagated gradient dJ/da (the quantity the
        # per-layer factor and the bound describe; equals mean_ratio ** (L - 1)) and of dJ/dW
        "first_over_last_dA": {a: float(norms[a]["dA"][0] / norms[a]["dA"][-1]) for a in norms},
        "first_over_last": {a: float(norms[a]["dW"][0] / norms[a]["dW"][-1]) for a in norms},
    }


# --------------------------------------------------------------------------------------------


def run() -> TheoryResults:
    """Compute every check of chapter 1, record Q1.1 ... Q1.7, and fail if any is off."""
    rng = np.random.default_rng(config.SEED)
    ck = _Checks()
    parts = {
        "q1_1": _q1_1(ck, rng),
        "q1_2": _q1_2(ck, rng),
        "q1_3": _q1_3(ck, rng),
        "q1_4": _q1_4(ck),
        "q1_5": _q1_5(ck, rng),
        "q1_6": _q1_6(ck, rng),
        "q1_7": _q1_7(ck, rng),
    }
    checks = pd.DataFrame(ck.rows)
    out = TheoryResults(checks=checks, **parts)
    failed = checks[~(checks["error"] < checks["tol"])]
    for question in sorted(set(checks["question"]), key=results.question_order):
        rows = checks[checks["question"] == question]
        worst = float(rows["error"].max())
        ok = bool((rows["error"] < rows["tol"]).all())
        results.record(
            question,
            value=worst,
            data=DATA,
            goal=float(rows["tol"].max()),
            higher_is_better=False,
            passed=ok,
            display=f"verified: max error {worst:.1e} ({len(rows)} checks)"
            if ok
            else f"CHECK FAILED (max error {worst:.1e})",
            checks=len(rows),
        )
    if len(failed):
        lines = "\n".join(
            f"  {r.question}: {r.check}: error {r.error:.3e} >= {r.tol:.0e}" for r in failed.itertuples()
        )
        raise TheoryCheckError(
            f"chapter 1 checks failed (lib/theory.py or its derivation is wrong):\n{lines}"
        )
    return out
