"""The differential harness: run one function on mytorch and on torch, compare everything.

Compared: forward value, dtype and shape; the grad_fn class name; first-order gradients for a
random cotangent v; second-order gradients of <g, u> for a random u.
"""

from __future__ import annotations

import numpy as np
import torch

import mytorch


def _to_numpy(t):
    if isinstance(t, torch.Tensor):
        return t.detach().numpy()
    return t.detach().numpy()


def assert_same(m, t, *, atol=None, rtol=None, what="value"):
    """One mytorch tensor against one torch tensor: dtype, shape and values."""
    assert isinstance(m, mytorch.Tensor), f"{what}: expected a mytorch.Tensor, got {type(m)}"
    assert repr(m.dtype).replace("mytorch.", "torch.") == repr(t.dtype), (
        f"{what}: dtype {m.dtype} != {t.dtype}"
    )
    assert tuple(m.shape) == tuple(t.shape), f"{what}: shape {tuple(m.shape)} != {tuple(t.shape)}"
    torch.testing.assert_close(
        torch.from_numpy(np.array(_to_numpy(m))),
        t.detach(),
        atol=atol,
        rtol=rtol,
        equal_nan=True,
        msg=lambda s: f"{what}: {s}",
    )


def make_inputs(specs, rng):
    """Arrays from specs: a shape (float64 normal), an array, or ("positive"|"int"|"bool", shape)"""
    out = []
    for spec in specs:
        if isinstance(spec, np.ndarray):
            out.append(spec)
        elif isinstance(spec, tuple) and spec and isinstance(spec[0], str):
            kind, shape = spec
            if kind == "positive":
                out.append(rng.uniform(0.5, 2.0, size=shape))
            elif kind == "int":
                out.append(rng.integers(-5, 6, size=shape))
            elif kind == "bool":
                out.append(rng.random(size=shape) > 0.5)
            else:
                raise ValueError(kind)
        else:
            out.append(rng.standard_normal(spec))
    return out


def _leaves(lib, arrays):
    return [
        lib.tensor(a.copy(), requires_grad=a.dtype.kind == "f") if isinstance(a, np.ndarray) else a
        for a in arrays
    ]


def check_against_torch(fn, specs, *, order=2, atol=None, rtol=None, seed=0, check_grad_fn=True):
    """Run `fn(lib, *inputs)` on mytorch and on torch with equal inputs; compare up to `order`."""
    rng = np.random.default_rng(seed)
    arrays = make_inputs(specs, rng)
    m_in, t_in = _leaves(mytorch, arrays), _leaves(torch, arrays)
    m_out, t_out = fn(mytorch, *m_in), fn(torch, *t_in)
    assert_same(m_out, t_out, atol=atol, rtol=rtol, what="forward")
    if check_grad_fn:
        t_name = type(t_out.grad_fn).__name__ if t_out.grad_fn is not None else None
        m_name = type(m_out.grad_fn).__name__ if m_out.grad_fn is not None else None
        assert m_name == t_name, f"grad_fn {m_name} != {t_name}"
    assert m_out.requires_grad == t_out.requires_grad
    if order < 1 or not t_out.requires_grad:
        return
    idx = [i for i, a in enumerate(t_in) if isinstance(a, torch.Tensor) and a.requires_grad]
    v = rng.standard_normal(tuple(t_out.shape)).astype(arrays[idx[0]].dtype)
    m_g = mytorch.autograd.grad(
        m_out, [m_in[i] for i in idx], mytorch.tensor(v, dtype=m_out.dtype),
        create_graph=True, allow_unused=True,
    )  # fmt: skip
    t_g = torch.autograd.grad(
        t_out, [t_in[i] for i in idx], torch.tensor(v, dtype=t_out.dtype),
        create_graph=True, allow_unused=True,
    )  # fmt: skip
    for k, (mg, tg) in enumerate(zip(m_g, t_g)):
        if tg is None:
            assert mg is None or not np.any(mg.detach().numpy()), f"grad {k}: torch has None"
            continue
        assert mg is not None, f"grad {k}: mytorch has None, torch has a value"
        assert_same(mg, tg, atol=atol, rtol=rtol, what=f"grad {k}")
    if order < 2:
        return
    pairs = [(mg, tg) for mg, tg in zip(m_g, t_g) if tg is not None and tg.requires_grad]
    if not pairs:
        return
    us = [rng.standard_normal(tuple(tg.shape)).astype(arrays[idx[0]].dtype) for _, tg in pairs]
    m_s = sum((mg * mytorch.tensor(u, dtype=mg.dtype)).sum() for (mg, _), u in zip(pairs, us))
    t_s = sum((tg * torch.tensor(u, dtype=tg.dtype)).sum() for (_, tg), u in zip(pairs, us))
    # mytorch's default mode: a constant first derivative gives zeros here rather than an error
    m_gg = mytorch.autograd.grad(m_s, [m_in[i] for i in idx])
    t_gg = torch.autograd.grad(t_s, [t_in[i] for i in idx], allow_unused=True)
    for k, (mg, tg) in enumerate(zip(m_gg, t_gg)):
        if tg is None:
            assert not np.any(mg.detach().numpy()), f"second-order grad {k}: torch has None"
            continue
        assert_same(mg, tg, atol=atol, rtol=rtol, what=f"second-order grad {k}")
