"""Time one training epoch of the Q3 network, side by side with its floor and two references.

The network is 1024-64-36 (sigmoid hidden layer, softmax + cross-entropy), trained with plain
SGD on mini-batches of 32 over 10,800 examples in float32 (NIST36's training set when it is
available, else random data of the same shape: timing does not depend on the values).

* **ours**: ``lib.nn.train_epoch`` (the code the book trains with);
* **floor**: only the matrix products of that epoch, on the same batches and shapes: per batch,
  the forward ``h @ W`` of every layer and the backward ``h^T d`` (every ``dW``) and ``d W^T``
  (every ``dh`` but the input's), written into preallocated arrays. Nothing else: no gather of
  the batch, no bias, activation, loss or update. No implementation of this network can do one
  epoch faster with this BLAS on this CPU, so ``ours/floor`` says how much our code adds to the
  unavoidable work (goal: ``<= 1.5``);
* **torch**: the same network, loss and optimizer in PyTorch on the CPU, same batches, same
  number of threads (goal: ``ours/torch <= 1``);
* **naive**: a straightforward reference written here, a comparison without a goal: the same
  maths, one example at a time (vector-matrix products, outer products accumulated over the
  batch, update per batch).

Each is timed ``--repeats`` times after a warm-up epoch, in turns (ours, floor, torch, ours, ...,
so that a change of the machine's load hits all of them alike), and the *median* is reported.
The clock is the process's CPU time by default (``--clock cpu``): on a shared machine, wall
time mostly measures the other users' load, while CPU time measures the work each
implementation does (with ``--threads N`` it sums the threads, so it stays a fair comparison);
``--clock wall`` uses ``time.perf_counter``. Either way the numbers are measured under load.
The naive version runs on a slice of the epoch and is scaled to the full epoch. The last line
is::

    ours_s=<seconds> floor_ratio=<ours/floor> torch_ratio=<ours/torch> naive_ratio=<naive/ours>

Threads: keep ``--threads 1`` (the default). With two BLAS threads on this project's 2-core
virtual machine, numpy's worker threads turn every small matrix product into a hand-off: one
epoch of ours took 3.6 s of wall time instead of 73 ms on the idle machine (``--threads 2
--clock wall``), and under a load average of about 15 it took 72 s. That is why the project's
``_environment`` (read by Quarto and qrender) and the Makefile set ``OPENBLAS_NUM_THREADS=1``.

Usage: ``python bench/nn_epoch.py [--threads 1] [--repeats 5] [--naive-examples 2000]``.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path


def _set_threads(n: int) -> None:
    """Before numpy/torch load: the same thread count for every BLAS in the process."""
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS"):
        os.environ[var] = str(n)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--threads", type=int, default=1, help="threads for numpy's BLAS and torch (default 1)")
    parser.add_argument("--repeats", type=int, default=5, help="timed epochs per implementation (median)")
    parser.add_argument("--naive-examples", type=int, default=2000,
                        help="examples the naive loop runs (timed, then scaled to the epoch)")
    parser.add_argument("--n", type=int, default=10_800, help="examples per epoch")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--lr", type=float, default=0.1)
    parser.add_argument("--clock", choices=("cpu", "wall"), default="cpu",
                        help="cpu: process CPU time (default, robust to load); wall: perf_counter")
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    _set_threads(args.threads)
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

    import numpy as np
    import torch

    from lib.nn import SGD, NetworkSpec, init_params, minibatches, train_epoch

    torch.set_num_threads(args.threads)
    clock = time.process_time if args.clock == "cpu" else time.perf_counter
    x, y, source = _data(args.n)
    spec = NetworkSpec.classifier()
    params0 = init_params(spec, seed=0)
    n, bs, lr = len(x), args.batch_size, args.lr

    # ---- ours
    def run_ours(seed: int) -> float:
        params = {k: v.copy() for k, v in params0.items()}
        rng = np.random.default_rng(seed)
        start = clock()
        train_epoch(params, spec, x, y, SGD(lr), bs, rng, "mean")
        return clock() - start

    # ---- torch: same layers, loss, optimizer and batches
    xt, yt = torch.from_numpy(np.ascontiguousarray(x)), torch.from_numpy(y)

    def run_torch(seed: int) -> float:
        model = torch.nn.Sequential(torch.nn.Linear(1024, 64), torch.nn.Sigmoid(), torch.nn.Linear(64, 36))
        with torch.no_grad():
            for layer, i in ((model[0], 1), (model[2], 2)):
                layer.weight.copy_(torch.from_numpy(params0[f"W{i}"].T.copy()))
                layer.bias.copy_(torch.from_numpy(params0[f"b{i}"]))
        opt = torch.optim.SGD(model.parameters(), lr=lr)
        loss_fn = torch.nn.CrossEntropyLoss(reduction="mean")
        batches = [torch.from_numpy(idx) for idx in minibatches(n, bs, np.random.default_rng(seed))]
        start = clock()
        for idx in batches:
            loss = loss_fn(model(xt[idx]), yt[idx])
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
        return clock() - start

    # ---- naive: one example at a time (the reference)
    m = min(args.naive_examples, n)

    def run_naive(seed: int) -> float:
        W1, b1, W2, b2 = (params0[k].copy() for k in ("W1", "b1", "W2", "b2"))
        rng = np.random.default_rng(seed)
        order = rng.permutation(n)[:m]
        start = clock()
        for s in range(0, m, bs):
            gW1, gb1 = np.zeros_like(W1), np.zeros_like(b1)
            gW2, gb2 = np.zeros_like(W2), np.zeros_like(b2)
            batch = order[s : s + bs]
            for i in batch:
                xi = x[i]
                h = 1.0 / (1.0 + np.exp(-(xi @ W1 + b1)))
                z = h @ W2 + b2
                p = np.exp(z - z.max())
                p /= p.sum()
                d2 = p.copy()
                d2[y[i]] -= 1.0
                d2 /= len(batch)
                gW2 += np.outer(h, d2)
                gb2 += d2
                d1 = (W2 @ d2) * h * (1.0 - h)
                gW1 += np.outer(xi, d1)
                gb1 += d1
            W1 -= lr * gW1
            b1 -= lr * gb1
            W2 -= lr * gW2
            b2 -= lr * gb2
        return (clock() - start) * n / m

    # ---- floor: the epoch's matrix products alone (same batches, shapes and dtype as ours)
    def run_floor(seed: int) -> float:
        return _gemm_epoch(params0, spec, x, minibatches(n, bs, np.random.default_rng(seed)), clock)

    runs = {"ours": run_ours, "floor": run_floor, "torch": run_torch, "naive": run_naive}
    times: dict[str, list[float]] = {name: [] for name in runs}
    load_before = os.getloadavg()[0]
    for fn in runs.values():
        fn(0)  # warm-up (allocations, BLAS/torch initialisation)
    naive_reps = max(1, min(args.repeats, 3))
    for r in range(args.repeats):
        for name, fn in runs.items():
            if name != "naive" or r < naive_reps:
                times[name].append(fn(r + 1))
    results = {}
    for name, ts in times.items():
        ts.sort()
        results[name] = ts[len(ts) // 2]
        scaled = f" of {m} examples, scaled" if name == "naive" else ""
        print(f"{name:>6}: median {results[name] * 1e3:8.1f} ms/epoch  (min {ts[0] * 1e3:.1f}, "
              f"max {ts[-1] * 1e3:.1f}, {args.clock} clock, {len(ts)} epochs{scaled})")

    ours, floor = results["ours"], results["floor"]
    print(f"data: {source}; {n} examples, batch {bs}, float32, SGD lr={lr}, threads={args.threads}; "
          f"numpy {np.__version__}, torch {torch.__version__}; load average {load_before:.2f} before, "
          f"{os.getloadavg()[0]:.2f} after (shared machine: measured under load)")
    print(f"ours/floor = {ours / floor:.2f} (goal <= 1.5), ours/torch = {ours / results['torch']:.2f} "
          f"(goal <= 1.0), naive/ours = {results['naive'] / ours:.1f} (a comparison, no goal)")
    print(f"ours_s={ours:.4f} floor_ratio={ours / floor:.3f} torch_ratio={ours / results['torch']:.3f} "
          f"naive_ratio={results['naive'] / ours:.1f}")
    return 0


def _gemm_epoch(params, spec, x, batches, clock) -> float:
    """Seconds for the matrix products of one epoch of ``spec`` over ``batches`` (index arrays).

    Per batch and layer ``i`` (input ``h`` of width ``D_in``, weights ``W (D_in, D_out)``):
    forward ``h @ W``; backward ``h^T @ d`` (``dW``) and, for every layer but the first,
    ``d @ W^T`` (``dh``: the first layer's input is data, whose gradient no one needs, as in
    ``lib.nn.backward``). Inputs and outputs are preallocated, and the batches are gathered
    before the clock starts: what is timed is the matrix products and nothing else.
    """
    import numpy as np

    xbs = [np.take(x, idx, axis=0) for idx in batches]
    rng = np.random.default_rng(0)
    Ws = [params[f"W{i}"] for i, *_ in spec.layers()]
    widths = spec.sizes
    m = max(len(xb) for xb in xbs)
    # activations and deltas of every layer: values in [0, 1) (no denormals, no special cases)
    acts = [None] + [rng.random((m, w), dtype=np.float32) for w in widths[1:]]
    deltas = [None] + [rng.random((m, w), dtype=np.float32) for w in widths[1:]]
    dWs = [np.empty_like(W) for W in Ws]
    start = clock()
    for xb in xbs:
        k = len(xb)
        h = xb
        for i, W in enumerate(Ws, start=1):  # forward
            np.matmul(h, W, out=acts[i][:k])
            h = acts[i][:k]
        for i in range(len(Ws), 0, -1):  # backward
            d = deltas[i][:k]
            np.matmul((xb if i == 1 else acts[i - 1][:k]).T, d, out=dWs[i - 1])
            if i > 1:
                np.matmul(d, Ws[i - 1].T, out=deltas[i - 1][:k])
    return clock() - start


def _data(n: int):
    """NIST36 training images (float32, labels) when available, else random data of that shape."""
    import numpy as np

    try:
        from lib.data import load_nist36, nist36_source

        x, y, _ = load_nist36("train")
        source = nist36_source()
    except Exception as exc:  # the benchmark runs without the data too
        rng = np.random.default_rng(0)
        x, y = rng.random((n, 1024), dtype=np.float32), rng.integers(0, 36, size=n)
        source = f"random data ({type(exc).__name__}: NIST36 not available)"
    reps = -(-n // len(x))
    x = np.ascontiguousarray(np.concatenate([x] * reps)[:n], dtype=np.float32)
    y = np.concatenate([y] * reps)[:n].astype(np.int64)
    return x, y, source


if __name__ == "__main__":
    sys.exit(main())
