"""Time one training epoch of the Q3 network three ways, side by side, in one run.

The network is 1024-64-36 (sigmoid hidden layer, softmax + cross-entropy), trained with plain
SGD on mini-batches of 32 over 10,800 examples in float32 (NIST36's training set when it is
available, else random data of the same shape: timing does not depend on the values).

* **ours**: ``lib.nn.train_epoch`` (the code the book trains with);
* **torch**: the same network, loss and optimizer in PyTorch on the CPU, same batches, same
  number of threads;
* **naive**: a straightforward reference written here: the same maths, one example at a time
  (vector-matrix products, outer products accumulated over the batch, update per batch).

Each is timed ``--repeats`` times after a warm-up epoch and the *median* is reported. The
clock is the process's CPU time by default (``--clock cpu``): on a shared machine, wall time
mostly measures the other users' load, while CPU time measures the work each implementation
does (with ``--threads N`` it sums the threads, so it stays a fair comparison);
``--clock wall`` uses ``time.perf_counter``. Either way the numbers are measured under load. The naive version
runs on a slice of the epoch and is scaled to the full epoch. The last line is::

    ours_s=<seconds> torch_ratio=<ours/torch> naive_ratio=<naive/ours>

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

    # ---- floor: only the two large matrix products per batch (x W1 and x^T dA1), no overhead
    def run_gemm_floor(seed: int) -> float:
        W1 = params0["W1"]
        d1 = np.ones((bs, 64), dtype=np.float32)
        batches = [np.take(x, idx, axis=0) for idx in minibatches(n, bs, np.random.default_rng(seed))]
        start = clock()
        for xb in batches:
            xb @ W1
            xb.T @ d1[: len(xb)]
        return clock() - start

    results = {}
    for name, fn in (("ours", run_ours), ("torch", run_torch), ("naive", run_naive), ("gemm", run_gemm_floor)):
        fn(0)  # warm-up (allocations, BLAS/torch initialisation)
        reps = args.repeats if name != "naive" else max(1, min(args.repeats, 3))
        times = sorted(fn(r + 1) for r in range(reps))
        results[name] = times[len(times) // 2]
        print(f"{name:>6}: median {results[name] * 1e3:8.1f} ms/epoch  (min {times[0] * 1e3:.1f}, "
              f"max {times[-1] * 1e3:.1f}, {args.clock} clock, {reps} epochs{'' if name != 'naive' else f' of {m} examples, scaled'})")

    ours = results["ours"]
    print(f"the two 1024x64 matrix products per batch alone take {results['gemm'] * 1e3:.1f} ms/epoch "
          f"({results['gemm'] / ours:.0%} of ours): naive/ours can be at most "
          f"{results['naive'] / results['gemm']:.0f} with this BLAS")
    print(f"data: {source}; {n} examples, batch {bs}, float32, SGD lr={lr}, threads={args.threads}; "
          f"numpy {np.__version__}, torch {torch.__version__}; load average {os.getloadavg()[0]:.2f} "
          "(shared machine: measured under load)")
    print(f"ours/torch = {ours / results['torch']:.2f} (target <= 1.0), "
          f"naive/ours = {results['naive'] / ours:.1f} (target >= 20)")
    print(f"ours_s={ours:.4f} torch_ratio={ours / results['torch']:.3f} naive_ratio={results['naive'] / ours:.1f}")
    return 0


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
