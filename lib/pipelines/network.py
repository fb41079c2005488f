"""Chapter 2 (the numpy network, Q2.1.1-Q2.5.1): every number and figure the chapter shows.

``run()`` returns a :class:`NetworkChapter` and records Q2.1.1 ... Q2.5.1 with
``lib.results.record``. The two training experiments (zero versus Xavier initialisation,
which is also the training-loop demonstration of Q2.4.1) are cached with ``lib.cache.cached``;
the checks (Xavier variance, overflow, softmax invariance, per-layer and whole-network
gradient checks, the step-size sweep) run live, in a few seconds, at every render.

The profile decides the sizes (``lib.config.pick``): the quick profile trains on a small
subset for a few epochs and checks fewer coordinates.
"""

from __future__ import annotations

import ast
import inspect
import textwrap
import time
import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from lib import cache, config, fmt, results
from lib.data import load_nist36, nist36_fingerprint, nist36_source
from lib.nn import (
    NetworkSpec,
    TrainConfig,
    as_dtype,
    check_gradients,
    dense_backward,
    dense_forward,
    evaluate,
    init_params,
    linear_backward,
    linear_forward,
    log_softmax,
    loss_and_grads,
    loss_terms,
    minibatches,
    relu_margin,
    sigmoid,
    softmax,
    softmax_cross_entropy,
    squared_error,
    train,
    xavier_uniform,
)
from lib.nn.gradcheck import TOL

#: The gradient checker's pass mark: largest relative error (with its rounding floor), float64.
GRAD_TOL = TOL


@dataclass(frozen=True)
class InitExperiment:
    """Q2.1.1 / Q2.4.1: train the Q3 network from zero and from Xavier initialisation."""

    n_train: int = 2000
    n_valid: int = 1000
    epochs: int = 10
    lr: float = 0.1
    batch_size: int = 32
    seed: int = config.SEED


def experiment_config() -> InitExperiment:
    return config.pick(
        full=InitExperiment(n_train=5400, n_valid=1800, epochs=15),
        quick=InitExperiment(n_train=600, n_valid=300, epochs=3),
    )


def _subset(split: str, n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    X, y, _ = load_nist36(split)
    if n < len(X):
        idx = np.sort(np.random.default_rng(seed).permutation(len(X))[:n])
        X, y = X[idx], y[idx]
    return np.ascontiguousarray(X, dtype=np.float32), np.asarray(y)


@cache.cached("network-init", code=("lib.nn",), data=(nist36_fingerprint,))
def init_experiment(cfg: InitExperiment) -> dict[str, Any]:
    """Histories of the zero-initialised and the Xavier-initialised network, same batches.

    Returns ``{zero,xavier}_{train,valid}_{loss,acc}`` and ``epoch`` arrays, the zero network's
    ``zero_W1`` / ``zero_W2`` after training, and ``{zero,xavier}_w1_spread``: the largest
    difference between any hidden unit's incoming weights and unit 0's.
    """
    x_train, y_train = _subset("train", cfg.n_train, cfg.seed)
    x_valid, y_valid = _subset("valid", cfg.n_valid, cfg.seed + 1)
    spec = NetworkSpec.classifier()
    tcfg = TrainConfig(lr=cfg.lr, batch_size=cfg.batch_size, epochs=cfg.epochs, seed=cfg.seed)
    zeros = {k: np.zeros_like(v) for k, v in init_params(spec, cfg.seed).items()}
    out: dict[str, Any] = {}
    for name, start in (("zero", zeros), ("xavier", None)):
        params, history = train(spec, tcfg, x_train, y_train, x_valid, y_valid, params=start)
        for key in ("train_loss", "valid_loss", "train_acc", "valid_acc"):
            out[f"{name}_{key}"] = history[key]
        out["epoch"] = history["epoch"]
        W1 = params["W1"].astype(np.float64)
        out[f"{name}_w1_spread"] = float(np.abs(W1 - W1[:, :1]).max())
        out[f"{name}_w1_scale"] = float(np.abs(W1).max())
        if name == "zero":
            out["zero_W1"], out["zero_W2"] = params["W1"], params["W2"]
            out["zero_w2_row_spread"] = float(np.abs(params["W2"] - params["W2"][:1]).max())
    return out


# ------------------------------------------------------------------------------------ results
@dataclass
class NetworkChapter:
    """What chapter 2 shows; each field is documented where ``run()`` fills it."""

    data: str
    init: dict[str, Any]  # Q2.1.1 / Q2.4.1 training experiment (see init_experiment)
    init_cfg: InitExperiment
    xavier: pd.DataFrame  # Q2.1.2 empirical vs. target variance
    scaling: pd.DataFrame  # Q2.1.3 per-layer std of activations and gradients per init
    scaling_depth: int
    sigmoid_check: dict[str, Any]  # Q2.2.1
    softmax_check: dict[str, Any]  # Q2.2.2
    initial_loss: dict[str, Any]  # Q2.2.3 untrained network on the validation set
    layer_checks: pd.DataFrame  # Q2.3.1 per-layer gradient checks
    minibatch_check: dict[str, Any]  # Q2.4.1
    gradcheck: pd.DataFrame  # Q2.5.1 per-parameter table on the Q3 network
    gradcheck_info: dict[str, Any]
    eps_sweep: pd.DataFrame  # Q2.5.1 max relative error vs. step size, order 2 and 4
    ae_terms: dict[str, Any]  # Q2.5.1 autoencoder check: summed loss vs. term by term
    sources: dict[str, str] = field(default_factory=dict)


def _is_check(node: ast.AST) -> bool:
    """An argument check: ``if <condition>: raise ...`` with nothing else in it."""
    return (isinstance(node, ast.If) and not node.orelse and len(node.body) == 1
            and isinstance(node.body[0], ast.Raise))


def source_of(func, docstring: bool = False, checks: bool = False) -> str:
    """The source of ``func`` for listing in the chapter, by default without its docstring and
    without its argument checks (``if ...: raise ...``), which guard the code but do not
    explain it."""
    source = textwrap.dedent(inspect.getsource(func))
    node = ast.parse(source).body[0]
    drop: set[int] = set()  # 1-based line numbers
    if not docstring and ast.get_docstring(node, clean=False) is not None:
        first = node.body[0]
        drop.update(range(first.lineno, first.end_lineno + 1))
    if not checks:
        for sub in ast.walk(node):
            if _is_check(sub):
                drop.update(range(sub.lineno, sub.end_lineno + 1))
    lines = source.splitlines(keepends=True)
    return "".join(line for number, line in enumerate(lines, 1) if number not in drop)


def code_block(*funcs) -> str:
    """A markdown python code block with the sources of ``funcs`` (for ``output: asis``)."""
    return "```python\n" + "\n\n".join(source_of(f).rstrip() for f in funcs) + "\n```\n"


# ------------------------------------------------------------------------------------ Q2.1.2
def xavier_table(seed: int = config.SEED) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    for n_in, n_out, what in ((1024, 64, "Q3 layer 1"), (64, 36, "Q3 layer 2"), (1000, 1000, "1000 x 1000")):
        W, b = xavier_uniform(n_in, n_out, rng, np.float64)
        target = 2 / (n_in + n_out)
        rows.append({
            "layer": what, "shape": f"{n_in} x {n_out}", "bound a": np.sqrt(6 / (n_in + n_out)),
            "target Var": target, "empirical Var": float(W.var()),
            "relative deviation": float(abs(W.var() / target - 1)), "bias": float(np.abs(b).max()),
        })
    return pd.DataFrame(rows)


# ------------------------------------------------------------------------------------ Q2.1.3
SCALING_INITS = {
    "N(0, 0.01²)": lambda n_in, n_out, rng: rng.normal(0, 0.01, (n_in, n_out)),
    "U(-1, 1)": lambda n_in, n_out, rng: rng.uniform(-1, 1, (n_in, n_out)),
    "U(±1/√n_in)": lambda n_in, n_out, rng: rng.uniform(-1, 1, (n_in, n_out)) / np.sqrt(n_in),
    "Xavier": lambda n_in, n_out, rng: xavier_uniform(n_in, n_out, rng, np.float64)[0],
}


def scaling_experiment(x: np.ndarray, y: np.ndarray, depth: int, width: int, seed: int) -> pd.DataFrame:
    """Std of each layer's activations (forward) and weight gradients (backward) per init.

    A ``depth``-layer tanh network ``1024 - width - ... - width - 36`` (softmax + cross-entropy,
    Glorot and Bengio's setting) on one batch of NIST36 images, built from ``lib.nn`` layers.
    """
    sizes = (x.shape[1], *([width] * depth), 36)
    rows = []
    for name, draw in SCALING_INITS.items():
        rng = np.random.default_rng(seed)
        params = [(draw(a, b, rng), np.zeros(b)) for a, b in zip(sizes[:-1], sizes[1:], strict=True)]
        h, caches = x, []
        for i, (W, b) in enumerate(params):
            act = "tanh" if i < len(params) - 1 else "identity"
            h, c = dense_forward(h, W, b, act)
            caches.append(c)
        _, _, d = softmax_cross_entropy(h, y, "mean")
        grads = [None] * len(params)
        for i in range(len(params) - 1, -1, -1):
            d, dW, _ = dense_backward(d, caches[i])
            grads[i] = dW
        for i in range(depth):
            rows.append({
                "init": name, "layer": i + 1, "activation std": float(caches[i].act.std()),
                "saturated": float(np.mean(np.abs(caches[i].act) > 0.99)),
                "gradient std": float(grads[i].std()),
            })
    return pd.DataFrame(rows)


# ------------------------------------------------------------------------------------ Q2.2
def sigmoid_check() -> dict[str, Any]:
    """Q2.2.1: our sigmoid at extreme inputs (no warning), the textbook formula (overflow), and
    the largest difference from ``scipy.special.expit`` over [-800, 800], in units in the last
    place, in float32 and float64."""
    from scipy.special import expit

    x = np.array([-1000.0, -30.0, 0.0, 30.0, 1000.0])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        s64, s32 = sigmoid(x), sigmoid(x.astype(np.float32))
        with np.errstate(all="ignore"):
            naive = 1 / (1 + np.exp(-x))
    with warnings.catch_warnings(record=True) as naive_caught:
        warnings.simplefilter("always")
        with np.errstate(over="warn"):
            1 / (1 + np.exp(-x))
    ulps = {}
    for dtype in (np.float32, np.float64):
        grid = np.linspace(-800, 800, 160_001).astype(dtype)
        ref = expit(grid)
        normal = ref >= np.finfo(dtype).tiny  # subnormal results differ by less than the smallest normal
        ulps[np.dtype(dtype).name] = float((np.abs(sigmoid(grid) - ref)[normal] / np.spacing(ref[normal])).max())
    return {
        "x": x, "ours": s64, "ours32": s32, "naive": naive, "warnings": len(caught),
        "naive_warnings": [str(w.message) for w in naive_caught],
        "finite": bool(np.all(np.isfinite(s64)) and np.all(np.isfinite(s32))),
        "ulps_vs_scipy": ulps, "grid_points": 160_001,
    }


def softmax_check(seed: int = config.SEED) -> dict[str, Any]:
    x = np.random.default_rng(seed).normal(size=(5, 36))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        a, b = softmax(x), softmax(x + 1000.0)
        extreme = softmax(np.array([[1000.0, 1001.0, -1000.0]]))
    return {
        "max_diff": float(np.abs(a - b).max()), "row_sum_error": float(np.abs(a.sum(1) - 1).max()),
        "warnings": len(caught), "extreme": extreme[0],
    }


def initial_loss(x: np.ndarray, y: np.ndarray, seed: int) -> dict[str, Any]:
    spec = NetworkSpec.classifier()
    loss, acc = evaluate(init_params(spec, seed), spec, x, y)
    return {"loss": loss, "acc": acc, "log36": float(np.log(36)), "chance": 1 / 36, "n": len(x)}


# ------------------------------------------------------------------------------------ Q2.3.1
def layer_checks(seed: int = config.SEED) -> pd.DataFrame:
    """Gradient check of every layer type and loss (float64, all coordinates)."""
    rng = np.random.default_rng(seed)
    n, d_in, d_out = 4, 6, 5
    x, W, b = rng.normal(size=(n, d_in)), rng.normal(size=(d_in, d_out)) * 0.5, rng.normal(size=d_out)
    R = rng.normal(size=(n, d_out))  # J = sum(out * R), so dJ/dout = R
    stencil = {"eps": 1e-3, "order": 4}
    rows = []

    def add(name, result):
        rows.append({"layer": name, "coordinates": sum(result.checked.values()),
                     "max relative error": result.max_error})

    _, cache_lin = linear_forward(x, W, b)
    dx, dW, db = linear_backward(R, cache_lin)
    add("linear x W + b", check_gradients(lambda p: linear_forward(p["x"], p["W"], p["b"])[0] * R,
                                           {"x": x.copy(), "W": W.copy(), "b": b.copy()},
                                           {"x": dx, "W": dW, "b": db}, **stencil))
    for act in ("sigmoid", "tanh", "relu", "identity", "softmax"):
        pre = x @ W + b
        if act == "relu" and np.abs(pre).min() < 0.05:  # the stencil must not cross the kink
            raise RuntimeError(f"layer_checks(seed={seed}): a ReLU input is within 0.05 of 0; pick another seed")
        out, c = dense_forward(x, W, b, act)
        grads = dense_backward(R, c)
        add(f"dense + {act}", check_gradients(
            lambda p, a=act: dense_forward(p["x"], p["W"], p["b"], a)[0] * R,
            {"x": x.copy(), "W": W.copy(), "b": b.copy()}, dict(zip(("x", "W", "b"), grads, strict=True)),
            **stencil))
    labels = rng.integers(0, d_out, size=n)
    logits = rng.normal(size=(n, d_out)) * 2
    _, _, dz = softmax_cross_entropy(logits, labels, "sum")
    add("softmax + cross-entropy (fused)", check_gradients(
        lambda p: -log_softmax(p["z"])[np.arange(n), labels], {"z": logits.copy()}, {"z": dz}, **stencil))
    target = rng.random((n, d_out))
    pred = rng.random((n, d_out))
    _, dpred = squared_error(pred, target)
    add("squared error", check_gradients(lambda p: (p["y"] - target) ** 2, {"y": pred.copy()},
                                         {"y": dpred}, **stencil))
    return pd.DataFrame(rows)


def minibatch_check(n: int, batch_size: int, epochs: int = 3, seed: int = config.SEED) -> dict[str, Any]:
    rng = np.random.default_rng(seed)
    ok, firsts = True, []
    for _ in range(epochs):
        batches = list(minibatches(n, batch_size, rng))
        seen = np.concatenate(batches)
        ok &= bool(np.array_equal(np.sort(seen), np.arange(n)))
        firsts.append(batches[0][:5].tolist())
    return {"n": n, "batch_size": batch_size, "batches": len(batches), "epochs": epochs,
            "exactly_once": ok, "first_indices": firsts}


# ------------------------------------------------------------------------------------ Q2.5.1
@dataclass(frozen=True)
class GradcheckConfig:
    """Q2.5.1: the Q3 network checked at its Xavier initialisation on a few validation images."""

    n_examples: int = 4
    max_coords: int | None = None  # None: every coordinate of every parameter
    eps: float = 1e-4
    seed: int = config.SEED


def gradcheck_config() -> GradcheckConfig:
    return config.pick(full=GradcheckConfig(), quick=GradcheckConfig(max_coords=500))


@cache.cached("q3-gradcheck", code=("lib.nn",), data=(nist36_fingerprint,))
def q3_gradcheck(cfg: GradcheckConfig) -> dict[str, Any]:
    """The Q3 network (1024-64-36) in float64 at its Xavier initialisation, on the first
    ``n_examples`` validation images: numerical against analytic gradient, per parameter.

    Cached (data, configuration and ``lib.nn``'s code): checking all 67,940 coordinates takes
    two loss evaluations each. ``seconds`` is the wall time of the check when it ran.
    """
    X, y, _ = load_nist36("valid")
    x, y = np.asarray(X[: cfg.n_examples], dtype=np.float64), np.asarray(y[: cfg.n_examples])
    spec = NetworkSpec.classifier()
    params = as_dtype(init_params(spec, cfg.seed), np.float64)
    loss, grads, _ = loss_and_grads(params, spec, x, y, "sum")
    start = time.perf_counter()
    result = check_gradients(lambda p: loss_terms(p, spec, x, y), params, grads, eps=cfg.eps,
                             max_coords=cfg.max_coords, rng=cfg.seed)
    seconds = time.perf_counter() - start
    rows = []
    for k in result.errors:
        num, ana, _ = result.details[k]
        rows.append({
            "parameter": k, "shape": " x ".join(map(str, params[k].shape)), "coordinates": result.sizes[k],
            "checked": result.checked[k], "max |analytic|": float(np.abs(ana).max()),
            "max |numeric - analytic|": float(np.abs(num - ana).max()), "below floor": result.below_floor[k],
            "max relative error": result.errors[k],
        })
    return {
        "rows": rows, "loss": float(loss), "n": len(x), "eps": result.eps, "order": result.order,
        "max_coords": cfg.max_coords, "max_error": result.max_error, "tol": result.tol,
        "noise": result.noise, "floor": result.floor, "below_floor": sum(result.below_floor.values()),
        "checked": sum(result.checked.values()), "total": sum(result.sizes.values()),
        "seconds": seconds,
    }


def network_gradcheck(cfg: GradcheckConfig) -> tuple[pd.DataFrame, dict]:
    """``(per-parameter table, summary)`` of :func:`q3_gradcheck` (computed once, then cached)."""
    out = q3_gradcheck(cfg)
    info = {k: v for k, v in out.items() if k != "rows"}
    return pd.DataFrame(out["rows"]), info


def eps_sweep(x: np.ndarray, y: np.ndarray, coords: int, seed: int) -> pd.DataFrame:
    """Max relative error on the Q3 network for step sizes 1e-1 ... 1e-9, 2nd and 4th order."""
    spec = NetworkSpec.classifier()
    params = as_dtype(init_params(spec, seed), np.float64)
    x = x.astype(np.float64)
    _, grads, _ = loss_and_grads(params, spec, x, y, "sum")
    rows = []
    for order in (2, 4):
        for eps in 10.0 ** -np.arange(1, 10):
            r = check_gradients(lambda p: loss_terms(p, spec, x, y), params, grads,
                                eps=float(eps), order=order, max_coords=coords, rng=seed, floor=0)
            rows.append({"order": order, "eps": float(eps), "max relative error": r.max_error})
    return pd.DataFrame(rows)


def autoencoder_terms_demo(seed: int, coords: int) -> dict[str, Any]:
    """Q2.5.1: the autoencoder's check with the loss as one sum versus as an array of terms.

    Same parameters, examples (random images whose ReLU pre-activations are all at least
    0.01 from zero), coordinates and step (``1e-4``, central differences); only the way the
    loss difference is formed changes.
    """
    spec = NetworkSpec.autoencoder()
    rng = np.random.default_rng(seed)
    params = as_dtype(init_params(spec, seed), np.float64)
    params = {k: (v + 0.1 * rng.normal(size=v.shape) if k.startswith("b") else v) for k, v in params.items()}
    candidates = rng.random((200, 1024))
    x = candidates[relu_margin(params, spec, candidates) > 0.01][:3]
    loss, grads, _ = loss_and_grads(params, spec, x, x)
    total = check_gradients(lambda p: float(loss_terms(p, spec, x, x).sum()), params, grads,
                            max_coords=coords, rng=seed, floor=0)
    terms = check_gradients(lambda p: loss_terms(p, spec, x, x), params, grads, max_coords=coords, rng=seed,
                            floor=0)
    return {"loss": loss, "n": len(x), "sum_error": total.max_error, "terms_error": terms.max_error,
            "coords": coords}


# ------------------------------------------------------------------------------------ run
def run() -> NetworkChapter:
    """Compute chapter 2 (cached training, live checks) and record Q2.1.1 ... Q2.5.1."""
    data = nist36_source()
    seed = config.SEED
    cfg = experiment_config()
    init = init_experiment(cfg)

    x_valid, y_valid = _subset("valid", config.pick(full=3600, quick=500), seed)
    depth = 8
    scaling = scaling_experiment(x_valid[:256].astype(np.float64), y_valid[:256], depth, 256, seed)
    xv = xavier_table(seed)
    sig, smx = sigmoid_check(), softmax_check(seed)
    init_loss = initial_loss(x_valid, y_valid, seed)
    layers = layer_checks(seed)
    mb = minibatch_check(cfg.n_train, cfg.batch_size, seed=seed)
    gcfg = gradcheck_config()
    X_all, y_all, _ = load_nist36("valid")  # the gradient check's images: the first of the split
    x_check, y_check = np.asarray(X_all[: gcfg.n_examples], np.float64), np.asarray(y_all[: gcfg.n_examples])
    grad_table, grad_info = network_gradcheck(gcfg)
    sweep = eps_sweep(x_check, y_check, config.pick(full=40, quick=8), seed)
    ae_terms = autoencoder_terms_demo(seed, config.pick(full=60, quick=10))

    out = NetworkChapter(
        data=data, init=init, init_cfg=cfg, xavier=xv, scaling=scaling, scaling_depth=depth,
        sigmoid_check=sig, softmax_check=smx, initial_loss=init_loss, layer_checks=layers,
        minibatch_check=mb, gradcheck=grad_table, gradcheck_info=grad_info, eps_sweep=sweep,
        ae_terms=ae_terms,
    )
    _record(out)
    return out


def _record(r: NetworkChapter) -> None:
    init = r.init
    zero_acc, xavier_acc = float(init["zero_valid_acc"][-1]), float(init["xavier_valid_acc"][-1])
    results.record(
        "Q2.1.1", zero_acc, data=r.data, passed=bool(init["zero_w1_spread"] == 0 and zero_acc < xavier_acc),
        display=f"zeros: 64 identical units, {fmt.pct(zero_acc)} vs {fmt.pct(xavier_acc)} (Xavier)",
        xavier_valid_acc=xavier_acc, zero_w1_spread=init["zero_w1_spread"],
    )
    worst = float(r.xavier["relative deviation"].max())
    results.record("Q2.1.2", worst, data="random draws (seeded)", goal=0.05, higher_is_better=False,
                   display=f"Var[W] within {fmt.pct(worst)} of 2/(n_in + n_out)")
    xavier_grads = r.scaling[r.scaling["init"] == "Xavier"]["gradient std"]
    spread = float(xavier_grads.max() / xavier_grads.min())
    results.record("Q2.1.3", spread, data=r.data, passed=True,
                   display=f"Xavier: gradient std within {spread:.1f}x over {r.scaling_depth} tanh layers; "
                           "N(0, 0.01²) vanishes, U(-1, 1) saturates")
    sig = r.sigmoid_check
    worst_ulps = max(sig["ulps_vs_scipy"].values())
    results.record("Q2.2.1", float(sig["warnings"]), data="analytic",
                   passed=bool(sig["finite"] and not sig["warnings"] and worst_ulps <= 8),
                   display=f"own sigmoid: no overflow at ±1000, ≤ {worst_ulps:.0f} ulp from scipy; "
                           "layer forward implemented")
    smx = r.softmax_check
    results.record("Q2.2.2", smx["max_diff"], data="random inputs (seeded)", goal=1e-12, higher_is_better=False,
                   passed=bool(smx["max_diff"] < 1e-12 and not smx["warnings"]),
                   display=f"softmax(x) = softmax(x + 1000) to {smx['max_diff']:.0e}, no warnings")
    il = r.initial_loss
    results.record("Q2.2.3", il["loss"], data=r.data, passed=bool(abs(il["loss"] - il["log36"]) < 0.5 and il["acc"] < 0.1),
                   display=f"untrained loss {il['loss']:.3f} ≈ ln 36 = {il['log36']:.3f}, accuracy {fmt.pct(il['acc'])}")
    lw = float(r.layer_checks["max relative error"].max())
    results.record("Q2.3.1", lw, data="random inputs (seeded)", goal=GRAD_TOL, higher_is_better=False,
                   passed=bool(lw < GRAD_TOL),
                   display=f"every layer's backward matches central differences ({lw:.0e})")
    results.record("Q2.4.1", xavier_acc, data=r.data, passed=bool(r.minibatch_check["exactly_once"]),
                   display=f"each example once per epoch; {fmt.pct(xavier_acc)} valid after {r.init_cfg.epochs} epochs")
    g = r.gradcheck_info
    results.record("Q2.5.1", g["max_error"], data=r.data, goal=GRAD_TOL, higher_is_better=False,
                   passed=bool(g["max_error"] < GRAD_TOL),
                   display=f"{fmt.count(g['checked'])} of {fmt.count(g['total'])} parameters, max rel. error {g['max_error']:.1e}",
                   checked=g["checked"], total=g["total"], seconds=g["seconds"])
