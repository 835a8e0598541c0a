"""Benchmarks: the same torch-API code on mytorch and on PyTorch (and hand-written NumPy where it
makes sense), interleaved, one BLAS thread by default, median of repeated rounds.

    python bench/run.py                 # every workload
    python bench/run.py --only scalar_expr op_overhead --rounds 9 --threads 1

Each workload checks that the libraries computed the same thing before a ratio is printed.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path


def _set_threads(n: int) -> None:
    # must happen before numpy or torch is imported
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = str(n)


def _time(fn, repeat: int) -> float:
    start = time.perf_counter()
    for _ in range(repeat):
        fn()
    return (time.perf_counter() - start) / repeat


# ---- workloads: each returns {variant: (callable, units per call, result for the check)} ------


def op_overhead(lib, shape):
    """A chain of 100 elementwise ops: µs per op without grad, recording, and with backward."""
    x = lib.full(shape, 0.5, requires_grad=True)

    def chain():
        y = x
        for _ in range(50):
            y = y * 1.001
            y = y + 0.001
        return y

    def no_grad():
        with lib.no_grad():
            return chain()

    def fwd_bwd():
        x.grad = None
        chain().sum().backward()
        return x.grad

    return {
        "forward, no grad": (no_grad, 100, lambda: no_grad().detach().numpy()),
        "forward, recording": (chain, 100, lambda: chain().detach().numpy()),
        "forward + backward": (fwd_bwd, 100, lambda: fwd_bwd().numpy()),
    }


def scalar_expr(lib):
    """c = 2 + (a + b**2) / (a + b + a*b): first and second derivatives."""
    a = lib.tensor(3.0, requires_grad=True)
    b = lib.tensor(10.0, requires_grad=True)

    def first():
        c = 2 + (a + b**2) / (a + b + a * b)
        return lib.autograd.grad(c, [a, b], create_graph=False)

    def second():
        c = 2 + (a + b**2) / (a + b + a * b)
        da, db = lib.autograd.grad(c, [a, b], create_graph=True)
        d2a = lib.autograd.grad(da, [a], retain_graph=True, create_graph=False)[0]
        return d2a, lib.autograd.grad(db, [b], create_graph=False)[0]

    def values(fn):
        return lambda: [float(t) for t in fn()]

    return {
        "first derivatives": (first, 1, values(first)),
        "second derivatives": (second, 1, values(second)),
    }


def mlp_wide(lib, np_module):
    """784-1024-1024-10 ReLU MLP, batch 256, squared error, one SGD step (BLAS-bound)."""
    rng = np_module.random.default_rng(0)
    sizes = [784, 1024, 1024, 10]
    init = [
        (rng.standard_normal((i, o)) / i**0.5).astype("float32") for i, o in zip(sizes, sizes[1:])
    ]
    xb = rng.standard_normal((256, 784)).astype("float32")
    yb = rng.standard_normal((256, 10)).astype("float32")
    if lib is None:
        return _mlp_numpy(np_module, init, xb, yb)
    ws = [lib.tensor(w.copy(), requires_grad=True) for w in init]
    x, y = lib.tensor(xb), lib.tensor(yb)

    def step():
        h = x
        for w in ws[:-1]:
            h = (h @ w).relu()
        loss = ((h @ ws[-1] - y) ** 2).mean()
        loss.backward()
        with lib.no_grad():
            for w in ws:
                w -= 0.01 * w.grad
                w.grad = None
        return loss

    return {"s/step": (step, 1, lambda: float(step()))}


def _mlp_numpy(np, init, xb, yb):
    ws = [w.copy() for w in init]

    def step():
        hs = [xb]
        for w in ws[:-1]:
            hs.append(np.maximum(hs[-1] @ w, 0))
        out = hs[-1] @ ws[-1]
        diff = out - yb
        loss = (diff**2).mean()
        g = 2 * diff / diff.size
        for i in range(len(ws) - 1, -1, -1):
            gw = hs[i].T @ g
            if i:
                g = (g @ ws[i].T) * (hs[i] > 0)
            ws[i] -= 0.01 * gw
        return loss

    return {"s/step": (step, 1, lambda: float(step()))}


def import_time(name: str) -> tuple[float, float]:
    """Wall time of `python -c "import <name>"` (best of 5) and its peak RSS in MB."""
    code = (
        "import resource, time; t = time.perf_counter(); import {0}; "
        "print(time.perf_counter() - t, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)"
    ).format(name)
    best, rss = 1e9, 0.0
    for _ in range(5):
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout
        t, r = out.split()
        best, rss = min(best, float(t)), float(r) / 1024
    return best, rss


# ---- the runner ----------------------------------------------------------------------------


def _compare(name, variant, results, rtol):
    import numpy as np

    ref = results.get("torch")
    for lib, value in results.items():
        if lib == "torch" or ref is None:
            continue
        if not np.allclose(np.asarray(value, dtype=float), np.asarray(ref, dtype=float), rtol=rtol):
            raise SystemExit(f"{name} / {variant}: {lib} computed {value}, torch {ref}")


def run(names, rounds: int) -> list[tuple]:
    import numpy as np
    import torch

    import mytorch

    libs = {"mytorch": mytorch, "torch": torch}
    workloads = {
        "op_overhead 0-d": lambda lib: op_overhead(lib, ()),
        "op_overhead (8,)": lambda lib: op_overhead(lib, (8,)),
        "scalar_expr": scalar_expr,
        "mlp_wide": lambda lib: mlp_wide(lib, np),
    }
    with_numpy = {"mlp_wide"}
    rows = []
    for name, make in workloads.items():
        if names and not any(name.startswith(n) for n in names):
            continue
        built = {k: make(lib) for k, lib in libs.items()}
        if name in with_numpy:
            built["numpy"] = mlp_wide(None, np)
        for variant in built["torch"]:
            calls = {k: v[variant] for k, v in built.items()}
            _compare(name, variant, {k: c[2]() for k, c in calls.items()}, rtol=1e-3)
            repeat = max(1, int(0.05 / max(_time(calls["torch"][0], 1), 1e-6)))
            samples = {k: [] for k in calls}
            for _ in range(rounds):  # interleaved, so drifting load hits every library alike
                for k, (fn, units, _) in calls.items():
                    samples[k].append(_time(fn, repeat) / units)
            med = {k: statistics.median(v) for k, v in samples.items()}
            rows.append((name, variant, med))
    if not names or "import" in names:
        rows.append(
            (
                "import",
                "s (best of 5)",
                {k: import_time(k)[0] for k in ("mytorch", "torch", "numpy")},
            )
        )
    return rows


def _fmt(seconds: float) -> str:
    return f"{seconds * 1e6:9.2f} µs" if seconds < 1e-2 else f"{seconds:9.4f} s "


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="*", default=[], help="workload name prefixes")
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    _set_threads(args.threads)
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    import torch

    torch.set_num_threads(args.threads)
    rows = run(args.only, args.rounds)
    print(
        f"{'workload':<18} {'variant':<20} {'mytorch':>12} {'torch':>12} {'numpy':>12} {'ratio':>7}"
    )
    for name, variant, med in rows:
        ratio = med["mytorch"] / med["torch"]
        numpy_col = _fmt(med["numpy"]) if "numpy" in med else " " * 12
        mine, theirs = _fmt(med["mytorch"]), _fmt(med["torch"])
        print(f"{name:<18} {variant:<20} {mine} {theirs} {numpy_col} {ratio:6.2f}x")


if __name__ == "__main__":
    main()
