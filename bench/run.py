"""Benchmarks: the same torch-API code on mytorch and on PyTorch (and hand-written NumPy where it
makes sense), interleaved, one BLAS thread by default, median of repeated rounds.

    python bench/run.py                          # every workload (about 75 s on 2 cores)
    python bench/run.py mlp_digits cnn_small     # some workloads (name prefixes)
    python bench/run.py --quick                  # fewer rounds and shorter checks: a smoke test
    python bench/run.py --threads 2 --rounds 9 --markdown
    python bench/run.py --profile cnn_small      # mytorch's time: BLAS, other array work, Python

Each workload first checks that the libraries computed the same thing (from the same initial
weights), then times them. The table gives the median time per unit, the ratio mytorch/torch and
the target each row is held to.
"""

from __future__ import annotations

import argparse
import datetime
import gzip
import importlib
import os
import platform
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parent.parent
LIBS = ("mytorch", "torch", "numpy")


def _set_threads(n: int) -> None:
    # must happen before numpy or torch is imported
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = str(n)


# the process's CPU time when everything runs on one thread: on a shared machine it leaves out
# the time this process waits for a core; --wall (and --threads > 1) use wall-clock time
_clock = [time.process_time]


def _time(fn, repeat: int) -> float:
    clock = _clock[0]
    start = clock()
    for _ in range(repeat):
        fn()
    return (clock() - start) / repeat


@dataclass
class Case:
    """One timed variant: `fn` does `units` units of work; `check()` returns named values (numbers
    or arrays) that every library must agree on."""

    fn: Callable
    units: int
    check: Callable[[], dict]


@dataclass
class Workload:
    make: Callable  # (lib, np, quick) -> {variant: Case} or None; lib is None for NumPy
    numpy: bool = False  # whether make(None, ...) gives a hand-written NumPy version
    targets: dict = field(default_factory=dict)  # variant -> (against, max ratio)
    tol: dict = field(default_factory=dict)  # check key -> (rtol, atol), relative to max |torch|


# ---- per-op overhead ------------------------------------------------------------------------


def op_overhead(lib, np, quick, shape):
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
        "forward, no grad": Case(no_grad, 100, lambda: {"y": no_grad().detach().numpy()}),
        "forward, recording": Case(chain, 100, lambda: {"y": chain().detach().numpy()}),
        "forward + backward": Case(fwd_bwd, 100, lambda: {"grad": fwd_bwd().numpy()}),
    }


def scalar_expr(lib, np, quick):
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
        return lambda: {"derivatives": [t.item() for t in fn()]}

    return {
        "first derivatives": Case(first, 1, values(first)),
        "second derivatives": Case(second, 1, values(second)),
    }


# ---- training workloads: weights made by torch and copied to the others ----------------------


def _torch_init(build, seed: int = 0) -> dict:
    """The state dict of `build(torch)` made under a fixed seed, as NumPy arrays."""
    import torch

    torch.manual_seed(seed)
    return {k: v.detach().numpy().copy() for k, v in build(torch).state_dict().items()}


def _build(lib, build, init: dict):
    model = build(lib)
    model.load_state_dict({k: lib.tensor(v.copy()) for k, v in init.items()})
    return model


def _grads(model) -> dict:
    return {name: p.grad.numpy().copy() for name, p in model.named_parameters()}


def mlp_wide(lib, np, quick):
    """784-1024-1024-10 ReLU MLP, batch 256, squared error, one SGD step (BLAS-bound)."""
    rng = np.random.default_rng(0)
    sizes = [784, 1024, 1024, 10]
    init = [
        (rng.standard_normal((i, o)) / i**0.5).astype("float32") for i, o in zip(sizes, sizes[1:])
    ]
    xb = rng.standard_normal((256, 784)).astype("float32")
    yb = rng.standard_normal((256, 10)).astype("float32")
    if lib is None:
        return _mlp_wide_numpy(np, init, xb, yb)
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

    return {"s/step": Case(step, 1, lambda: {"loss": step().item()})}


def _mlp_wide_numpy(np, init, xb, yb):
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

    return {"s/step": Case(step, 1, lambda: {"loss": float(step())})}


@lru_cache(maxsize=None)
def _digits():
    """The shipped 8x8 digits, split 80/20 as examples/digits.py does (float32 in [0, 1])."""
    import numpy as np

    with gzip.open(ROOT / "examples" / "data" / "digits.csv.gz", "rt") as f:
        data = np.loadtxt(f, delimiter=",")
    x, y = (data[:, :64] / 16.0).astype(np.float32), data[:, 64].astype(np.int64)
    order = np.random.default_rng(0).permutation(len(y))
    split = int(0.8 * len(y))
    return x[order[:split]], y[order[:split]], x[order[split:]], y[order[split:]]


def _digits_mlp(lib):
    nn = lib.nn
    return nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 64), nn.ReLU(),
                         nn.Linear(64, 10))  # fmt: skip


def _epoch_batches(np, n: int, epochs: int, batch: int = 64):
    """Index batches for `epochs` shuffled epochs, the same for every library."""
    rng = np.random.default_rng(1)
    return [
        [perm[i : i + batch] for i in range(0, n, batch)]
        for perm in (rng.permutation(n) for _ in range(epochs))
    ]


def mlp_digits(lib, np, quick):
    """64-128-64-10 ReLU MLP on the shipped digits, cross-entropy, SGD momentum 0.9, lr 0.05,
    batch 64: seconds per epoch; the check trains a few epochs and compares loss and accuracy."""
    xs, ys, xt, yt = _digits()
    init = _torch_init(_digits_mlp)
    check_epochs = 2 if quick else 5
    orders = _epoch_batches(np, len(ys), check_epochs)
    if lib is None:
        return _mlp_digits_numpy(np, init, orders, xs, ys, xt, yt)
    F = lib.nn.functional  # noqa: N806
    batches = [[(lib.tensor(xs[i]), lib.tensor(ys[i])) for i in order] for order in orders]
    test_x, test_y = lib.tensor(xt), lib.tensor(yt)

    def trainer():
        model = _build(lib, _digits_mlp, init)
        opt = lib.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)

        def epoch(batches):
            total = 0.0
            for xb, yb in batches:
                opt.zero_grad()
                loss = F.cross_entropy(model(xb), yb)
                loss.backward()
                opt.step()
                total += loss.item()
            return total / len(batches)

        return model, epoch

    model, epoch = trainer()
    count = [0]

    def timed():
        count[0] += 1
        epoch(batches[count[0] % len(batches)])

    def check():
        model, epoch = trainer()
        losses = [epoch(b) for b in batches]
        with lib.no_grad():
            acc = (model(test_x).argmax(1) == test_y).float().mean().item()
        return {"loss": losses[-1], "accuracy": acc}

    return {"s/epoch": Case(timed, 1, check)}


def _sgd_momentum(np, params, grads, bufs, lr, momentum):
    for i, (p, g) in enumerate(zip(params, grads)):
        if bufs[i] is None:
            bufs[i] = g.copy()
        else:
            bufs[i] *= momentum
            bufs[i] += g
        p -= lr * bufs[i]


def _softmax_xent(np, logits, y):
    """Mean cross-entropy and its gradient w.r.t. the logits."""
    shifted = logits - logits.max(1, keepdims=True)
    logp = shifted - np.log(np.exp(shifted).sum(1, keepdims=True))
    rows = np.arange(len(y))
    grad = np.exp(logp)
    grad[rows, y] -= 1
    return -logp[rows, y].mean(), grad / len(y)


def _mlp_digits_numpy(np, init, orders, xs, ys, xt, yt):
    keys = ["0", "2", "4"]

    def trainer():
        ws = [init[f"{k}.weight"].copy() for k in keys]
        bs = [init[f"{k}.bias"].copy() for k in keys]
        bufs = [None] * 6

        def step(x, y):
            hs = [x]
            for w, b in zip(ws[:-1], bs[:-1]):
                hs.append(np.maximum(hs[-1] @ w.T + b, 0))
            loss, g = _softmax_xent(np, hs[-1] @ ws[-1].T + bs[-1], y)
            gws, gbs = [None] * 3, [None] * 3
            for i in (2, 1, 0):
                gws[i], gbs[i] = g.T @ hs[i], g.sum(0)
                if i:
                    g = (g @ ws[i]) * (hs[i] > 0)
            _sgd_momentum(np, ws + bs, gws + gbs, bufs, 0.05, 0.9)
            return loss

        def predict(x):
            for w, b in zip(ws[:-1], bs[:-1]):
                x = np.maximum(x @ w.T + b, 0)
            return x @ ws[-1].T + bs[-1]

        def epoch(order):
            return sum(float(step(xs[i], ys[i])) for i in order) / len(order)

        return epoch, predict

    epoch, _ = trainer()
    count = [0]

    def timed():
        count[0] += 1
        epoch(orders[count[0] % len(orders)])

    def check():
        epoch, predict = trainer()
        losses = [epoch(order) for order in orders]
        return {"loss": losses[-1], "accuracy": float((predict(xt).argmax(1) == yt).mean())}

    return {"s/epoch": Case(timed, 1, check)}


def _cnn(lib):
    nn = lib.nn
    return nn.Sequential(
        nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(16 * 7 * 7, 10),
    )  # fmt: skip


def cnn_small(lib, np, quick):
    """conv(1->8)-ReLU-maxpool-conv(8->16)-ReLU-maxpool-linear on a 64x1x28x28 batch,
    cross-entropy, SGD momentum: seconds per step; the check compares loss and gradients."""
    rng = np.random.default_rng(0)
    xb = rng.standard_normal((64, 1, 28, 28)).astype(np.float32)
    yb = rng.integers(0, 10, 64)
    init = _torch_init(_cnn)
    if lib is None:
        return _cnn_numpy(np, init, xb, yb)
    F = lib.nn.functional  # noqa: N806
    x, y = lib.tensor(xb), lib.tensor(yb)

    def trainer():
        model = _build(lib, _cnn, init)
        opt = lib.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)

        def step():
            opt.zero_grad()
            loss = F.cross_entropy(model(x), y)
            loss.backward()
            opt.step()
            return loss

        return model, step

    _, step = trainer()

    def check():
        model, step = trainer()
        loss = step().item()
        return {"loss": loss, **_grads(model), "loss after 3 steps": [step().item() for _ in "ab"]}

    return {"s/step": Case(step, 1, check)}


def _cnn_numpy(np, init, xb, yb):
    """The same network in NCHW: im2col on a sliding-window view and one broadcast matmul per
    convolution, col2im as nine shifted adds, the pool's gradient through an equality mask (a
    tie could only be between zeros after the ReLU, whose gradient is zero anyway)."""
    windows = np.lib.stride_tricks.sliding_window_view

    def conv(x, w, b):  # 3x3, padding 1: (N, C, H, W) -> (N, O, H, W)
        n, c, h, wd = x.shape
        cols = windows(np.pad(x, ((0, 0), (0, 0), (1, 1), (1, 1))), (3, 3), axis=(2, 3))
        cols = cols.transpose(0, 1, 4, 5, 2, 3).reshape(n, c * 9, h * wd)  # (C, kh, kw) rows
        y = w.reshape(len(w), -1) @ cols + b[:, None]
        return y.reshape(n, len(w), h, wd), cols

    def conv_back(g, cols, w, shape):
        n, c, h, wd = shape
        g2 = g.reshape(n, len(w), h * wd)
        gw, gb = (g2 @ cols.transpose(0, 2, 1)).sum(0).reshape(w.shape), g2.sum((0, 2))
        gcols = (w.reshape(len(w), -1).T @ g2).reshape(n, c, 3, 3, h, wd)
        gx = np.zeros((n, c, h + 2, wd + 2), g.dtype)
        for i in range(3):
            for j in range(3):
                gx[:, :, i : i + h, j : j + wd] += gcols[:, :, i, j]
        return gx[:, :, 1:-1, 1:-1], gw, gb

    def pool(x):  # 2x2 max pool, and the mask of each window's maximum
        # four strided slices: numpy's max over the small axes of a 6-d reshape is far slower
        top, bottom = np.maximum(x[..., ::2, ::2], x[..., ::2, 1::2]), x[..., 1::2, ::2]
        out = np.maximum(top, np.maximum(bottom, x[..., 1::2, 1::2]))
        return out, x == out.repeat(2, 2).repeat(2, 3)

    def pool_back(g, mask):
        return g.repeat(2, 2).repeat(2, 3) * mask

    names = ["0.weight", "0.bias", "3.weight", "3.bias", "7.weight", "7.bias"]

    def trainer():
        params = [init[k].copy() for k in names]
        bufs = [None] * 6

        def step():
            w1, b1, w2, b2, w3, b3 = params
            a1, cols1 = conv(xb, w1, b1)
            p1, mask1 = pool(np.maximum(a1, 0))
            a2, cols2 = conv(p1, w2, b2)
            p2, mask2 = pool(np.maximum(a2, 0))
            flat = p2.reshape(len(xb), -1)
            loss, g = _softmax_xent(np, flat @ w3.T + b3, yb)
            g3, gb3 = g.T @ flat, g.sum(0)
            g = pool_back((g @ w3).reshape(p2.shape), mask2) * (a2 > 0)
            g, g2, gb2 = conv_back(g, cols2, w2, p1.shape)
            g = pool_back(g, mask1) * (a1 > 0)
            _, g1, gb1 = conv_back(g, cols1, w1, xb.shape)
            grads = [g1, gb1, g2, gb2, g3, gb3]
            _sgd_momentum(np, params, grads, bufs, 0.01, 0.9)
            return loss, dict(zip(names, grads))

        return step

    step = trainer()

    def check():
        step = trainer()
        loss, grads = step()
        later = [float(step()[0]) for _ in "ab"]
        return {"loss": float(loss), **grads, "loss after 3 steps": later}

    return {"s/step": Case(step, 1, check)}


def hessian(lib, np, quick):
    """The 50x50 Hessian of sum(tanh(W x)^2) w.r.t. x through autograd.functional.hessian; the
    NumPy column is the closed form W^T diag(f''(W x)) W."""
    rng = np.random.default_rng(0)
    wa = (rng.standard_normal((50, 50)) / 50**0.5).astype(np.float32)
    xa = rng.standard_normal(50).astype(np.float32)
    if lib is None:

        def closed_form():
            t = np.tanh(wa @ xa)
            return wa.T @ ((2 * (1 - t * t) * (1 - 3 * t * t))[:, None] * wa)

        return {"s/hessian": Case(closed_form, 1, lambda: {"hessian": closed_form()})}
    try:
        functional = importlib.import_module(lib.__name__ + ".autograd.functional")
    except ImportError:
        return None
    w, x = lib.tensor(wa), lib.tensor(xa)

    def run():
        return functional.hessian(lambda v: (lib.tanh(w @ v) ** 2).sum(), x)

    return {"s/hessian": Case(run, 1, lambda: {"hessian": run().numpy()})}


_VOCAB = 64


def _transformer(lib):
    nn = lib.nn
    layer = nn.TransformerEncoderLayer(64, 2, dim_feedforward=256, dropout=0.0,
                                       batch_first=True, norm_first=True)  # fmt: skip
    return nn.Sequential(nn.Embedding(_VOCAB, 64), layer, nn.Linear(64, _VOCAB))


def transformer_tiny(lib, np, quick):
    """Embedding, one pre-norm encoder layer (d_model 64, 2 heads, feed-forward 256), a linear
    head and cross-entropy on a 16x32 batch of tokens, AdamW: seconds per step."""
    rng = np.random.default_rng(0)
    tokens = rng.integers(0, _VOCAB, (16, 32))
    targets = rng.integers(0, _VOCAB, (16, 32))
    init = _torch_init(_transformer)
    F = lib.nn.functional  # noqa: N806
    src, tgt = lib.tensor(tokens), lib.tensor(targets.reshape(-1))

    def trainer():
        model = _build(lib, _transformer, init)
        opt = lib.optim.AdamW(model.parameters(), lr=1e-3)

        def step():
            opt.zero_grad()
            loss = F.cross_entropy(model(src).reshape(-1, _VOCAB), tgt)
            loss.backward()
            opt.step()
            return loss

        return model, step

    _, step = trainer()

    def check():
        model, step = trainer()
        first = step().item()
        return {"loss": first, **_grads(model), "losses": [step().item() for _ in range(3)]}

    return {"s/step": Case(step, 1, check)}


WORKLOADS = {
    "op_overhead 0-d": Workload(
        lambda lib, np, quick: op_overhead(lib, np, quick, ()),
        targets={"forward + backward": ("torch", 0.5)},
    ),
    "op_overhead (8,)": Workload(
        lambda lib, np, quick: op_overhead(lib, np, quick, (8,)),
        targets={"forward + backward": ("torch", 0.5)},
    ),
    "scalar_expr": Workload(
        scalar_expr,
        targets={"first derivatives": ("torch", 0.5), "second derivatives": ("torch", 1.0)},
    ),
    "mlp_digits": Workload(
        mlp_digits,
        numpy=True,
        targets={"s/epoch": ("torch", 0.6)},
        # float32 sums in different orders drift apart over a few hundred steps
        tol={"loss": (0.05, 0.0), "accuracy": (0.0, 0.02)},
    ),
    "mlp_wide": Workload(mlp_wide, numpy=True, targets={"s/step": ("numpy", 1.05)}),
    "cnn_small": Workload(
        cnn_small,
        numpy=True,
        targets={"s/step": ("torch", 2.0)},
        tol={"loss after 3 steps": (0.01, 0.0)},  # fmt: skip
    ),
    "hessian": Workload(hessian, numpy=True, targets={"s/hessian": ("torch", 1.0)}),
    "transformer_tiny": Workload(
        transformer_tiny, targets={"s/step": ("torch", 1.2)}, tol={"losses": (0.01, 0.0)}
    ),
}


# ---- import time, memory and size ----------------------------------------------------------


def _import_stats(name: str, tries: int) -> tuple[float, float]:
    """Best time (the benchmark's clock) of `import <name>` in a fresh interpreter, and that
    interpreter's peak RSS in MB. The peak is VmHWM from /proc: ru_maxrss would carry over this
    process's own peak, which Linux keeps across the child's exec."""
    clock = "perf_counter" if _clock[0] is time.perf_counter else "process_time"
    code = (
        "import time; t = time.{0}(); {1}; t = time.{0}() - t; "
        "hwm = [l for l in open('/proc/self/status') if l.startswith('VmHWM')][0]; "
        "print(t, hwm.split()[1])"
    ).format(clock, f"import {name}" if name else "pass")
    best, rss = 1e9, 0.0
    for _ in range(tries):
        out = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True
        ).stdout
        t, r = out.split()
        best, rss = min(best, float(t)), max(rss, float(r) / 1024)
    return best, rss


def _package_size(name: str, suffixes: tuple[str, ...] | None) -> float:
    """MB on disk of a package directory: its .py files only, or every file (`suffixes` None)."""
    spec = importlib.util.find_spec(name)
    root = Path(spec.origin).parent
    total = 0
    for path in root.rglob("*"):
        if path.is_file() and "__pycache__" not in path.parts:
            if suffixes is None or path.suffix in suffixes:
                total += path.stat().st_size
    return total / 2**20


def import_rows(quick: bool) -> list[tuple]:
    tries = 2 if quick else 5
    # byte-compiled first, as after any first import (and as CI measures it)
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "mytorch")], check=True)
    stats = {k: _import_stats(k, tries) for k in LIBS}
    bare = _import_stats("", 1)[1]
    times = {k: v[0] for k, v in stats.items()}
    rss = {k: v[1] for k, v in stats.items()}
    sizes = {
        "mytorch": _package_size("mytorch", (".py",)),
        "torch": _package_size("torch", None),
        "numpy": _package_size("numpy", None),
    }
    return [
        ("import", f"s (best of {tries})", times, "s", ("abs", 0.2)),
        ("import", f"peak RSS MB (bare {bare:.0f})", rss, "MB", ("numpy+", 10.0)),
        ("installed size", "MB (mytorch: .py)", sizes, "MB", None),
    ]


# ---- the runner ----------------------------------------------------------------------------


def _compare(name, variant, results, tol) -> list[str]:
    """Check every library against torch, key by key: max |a - b| <= atol + rtol * max |torch|.
    Returns printable lines of the checked scalar values."""
    import numpy as np

    ref = results["torch"]
    for lib, values in results.items():
        for key, value in values.items():
            rtol, atol = tol.get(key, (1e-3, 1e-6))
            a, b = np.asarray(value, dtype=float), np.asarray(ref[key], dtype=float)
            if a.shape != b.shape or np.abs(a - b).max() > atol + rtol * np.abs(b).max():
                raise SystemExit(f"{name} / {variant} / {key}: {lib} computed {a}, torch {b}")
    scalars = [k for k, v in ref.items() if np.ndim(v) == 0 or k.startswith("loss")]
    lines = []
    for key in scalars:
        shown = ", ".join(
            f"{lib} {np.round(np.asarray(v[key], dtype=float), 4)}" for lib, v in results.items()
        )
        lines.append(f"  {name} / {variant}: {key}: {shown}")
    return lines


def run(names, rounds: int, quick: bool, verbose: bool = True) -> list[tuple]:
    import numpy as np
    import torch

    import mytorch

    libs = {"mytorch": mytorch, "torch": torch}
    rows = []
    for name, work in WORKLOADS.items():
        if names and not any(name.startswith(n) for n in names):
            continue
        built = {k: work.make(lib, np, quick) for k, lib in libs.items()}
        if work.numpy:
            built["numpy"] = work.make(None, np, quick)
        built = {k: v for k, v in built.items() if v is not None}
        for variant in built["torch"]:
            calls = {k: v[variant] for k, v in built.items()}
            checked = _compare(name, variant, {k: c.check() for k, c in calls.items()}, work.tol)
            if verbose and checked:
                print("\n".join(checked), file=sys.stderr)
            target_s = 0.02 if quick else 0.2
            repeat = max(1, int(target_s / max(_time(calls["torch"].fn, 1), 1e-6)))
            samples = {k: [] for k in calls}
            for _ in range(rounds):  # interleaved, so drifting load hits every library alike
                for k, case in calls.items():
                    samples[k].append(_time(case.fn, repeat) / case.units)
            med = {k: statistics.median(v) for k, v in samples.items()}
            rows.append((name, variant, med, "s", work.targets.get(variant)))
    if not names or any("import".startswith(n) or "installed".startswith(n) for n in names):
        rows += import_rows(quick)
    return rows


_BLAS_OPS = {"mm", "mv", "dot", "bmm", "matmul", "matmul_vm", "addmm", "addbmm", "baddbmm",
             "addmv", "convolution", "convolution_backward_weight"}  # fmt: skip


def profile(names, quick: bool) -> None:
    """Where mytorch's time goes in each workload: inside op forwards (NumPy and BLAS work, the
    matrix products and convolutions counted apart) and everything else (Python: dispatch,
    graph recording, the backward engine, modules, optimizers)."""
    import numpy as np

    import mytorch
    from mytorch._ops import REGISTRY

    spent = {"blas": 0.0, "array": 0.0}
    clock = _clock[0]

    def timed(forward, kind):
        def run(*args, **kwargs):
            start = clock()
            try:
                return forward(*args, **kwargs)
            finally:
                spent[kind] += clock() - start

        return run

    originals = {p: p.forward for p in REGISTRY.values()}
    print(f"{'workload':<18} {'variant':<20} {'total':>10}  in BLAS ops  other array ops  Python")
    try:
        for p in REGISTRY.values():
            p.forward = timed(p.forward, "blas" if p.name in _BLAS_OPS else "array")
        for name, work in WORKLOADS.items():
            if names and not any(name.startswith(n) for n in names):
                continue
            cases = work.make(mytorch, np, quick)
            for variant, case in (cases or {}).items():
                case.fn()
                repeat = max(1, int(0.5 / max(_time(case.fn, 1), 1e-6)))
                spent.update(blas=0.0, array=0.0)
                total = _time(case.fn, repeat) * repeat
                blas, array = spent["blas"] / total, spent["array"] / total
                print(f"{name:<18} {variant:<20} {_fmt(total / repeat / case.units, 's'):>10}  "
                      f"{blas:10.0%}  {array:15.0%}  {1 - blas - array:6.0%}")  # fmt: skip
    finally:
        for p, forward in originals.items():
            p.forward = forward


def _fmt(value, unit: str) -> str:
    if value is None:
        return "n/a"
    if unit == "MB":
        return f"{value:.1f} MB"
    return f"{value * 1e6:.2f} µs" if value < 1e-2 else f"{value:.4f} s"


def _judge(med: dict, target) -> tuple[str, str]:
    """The target as text and whether it is met."""
    if target is None:
        return "", ""
    kind, limit = target
    mine = med.get("mytorch")
    if kind == "abs":
        text, ok = f"<= {limit} s", mine is not None and mine <= limit
    elif kind == "numpy+":
        text, ok = f"<= numpy + {limit:g} MB", mine is not None and mine <= med["numpy"] + limit
    else:
        text = f"<= {limit}x {kind}"
        ok = mine is not None and mine / med[kind] <= limit
    return text, ("yes" if ok else "no")


def table(rows, markdown: bool) -> str:
    head = ("workload", "variant", "mytorch", "torch", "numpy", "ratio", "target", "met")
    body = []
    for name, variant, med, unit, target in rows:
        mine, theirs = med.get("mytorch"), med.get("torch")
        ratio = f"{mine / theirs:.2f}x" if mine is not None and theirs else "n/a"
        if mine is None:
            variant += " (mytorch: not available)"
        cells = [_fmt(med.get(k), unit) for k in LIBS]
        body.append((name, variant, *cells, ratio, *_judge(med, target)))
    if markdown:
        lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
        return "\n".join(lines + ["| " + " | ".join(r) + " |" for r in body])
    widths = [max(len(r[i]) for r in [head, *body]) for i in range(len(head))]
    align = ["<", "<", ">", ">", ">", ">", "<", "<"]
    return "\n".join(
        "  ".join(f"{c:{a}{w}}" for c, a, w in zip(r, align, widths)) for r in [head, *body]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("workloads", nargs="*", help="workload name prefixes (default: all)")
    parser.add_argument("--only", nargs="*", default=[], help="same as the positional names")
    parser.add_argument("--rounds", type=int, default=None, help="rounds (default 9, quick 3)")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--quick", action="store_true", help="fewer rounds and shorter checks")
    parser.add_argument("--markdown", action="store_true", help="print the table as Markdown")
    parser.add_argument("--wall", action="store_true", help="wall-clock time, not CPU time")
    parser.add_argument(
        "--profile", action="store_true", help="where mytorch's time goes, instead of the table"
    )
    args = parser.parse_args()
    _set_threads(args.threads)
    if args.wall or args.threads > 1:
        _clock[0] = time.perf_counter
    sys.path.insert(0, str(ROOT))
    import numpy
    import torch

    torch.set_num_threads(args.threads)
    rounds = args.rounds or (3 if args.quick else 9)
    names = args.workloads + args.only
    known = [*WORKLOADS, "import", "installed"]
    unknown = [n for n in names if not any(w.startswith(n) for w in known)]
    if unknown:
        parser.error(f"unknown workload {unknown}; choose from {list(WORKLOADS)} or import")
    if args.profile:
        profile(names, args.quick)
        return
    start = time.perf_counter()
    rows = run(names, rounds, args.quick)
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(line.split(":", 1)[1].strip() for line in f if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    clock = "wall" if _clock[0] is time.perf_counter else "CPU"
    print(
        f"{datetime.date.today()}  {cpu}, {os.cpu_count()} cores, {args.threads} thread(s), "
        f"{clock} time, median of {rounds} rounds; Python {platform.python_version()}, "
        f"numpy {numpy.__version__}, torch {torch.__version__}; "
        f"{time.perf_counter() - start:.0f} s"
    )
    print(table(rows, args.markdown))


if __name__ == "__main__":
    main()
