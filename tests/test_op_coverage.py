"""Every registered op is exercised by some case in a tests/test_ops*.py file.

Each such file defines `CASES` ({name: (fn(lib, *inputs), input specs)}) and may define
`NO_DERIVATIVE` ({name: fn(lib, x)}) for ops torch records without a derivative.
"""

import importlib
from pathlib import Path

import numpy as np
from oracle import make_inputs

import mytorch
from mytorch._ops import REGISTRY, Primitive

CASE_MODULES = sorted(p.stem for p in Path(__file__).parent.glob("test_ops*.py"))


def _inputs(specs):
    arrays = make_inputs(specs, np.random.default_rng(0))
    return [
        mytorch.tensor(a.astype(np.float64), requires_grad=True)
        if isinstance(a, np.ndarray) and a.dtype.kind == "f"
        else mytorch.tensor(a)
        if isinstance(a, np.ndarray)
        else a
        for a in arrays
    ]


def _node_names(t, seen):
    stack = [t.grad_fn] if isinstance(t, mytorch.Tensor) and t.grad_fn is not None else []
    visited = set()
    while stack:
        node = stack.pop()
        if node is None or node in visited:
            continue
        visited.add(node)
        seen.add(type(node).__name__)
        stack.extend(n for n, _ in node._edges if n is not None)


def _all_cases():
    for name in CASE_MODULES:
        module = importlib.import_module(name)
        yield from getattr(module, "CASES", {}).values()
        yield from ((fn, [(5,)]) for fn in getattr(module, "NO_DERIVATIVE", {}).values())


def test_every_registered_op_has_a_case(monkeypatch):
    """A newly registered primitive fails here until a case calls it, directly or inside a
    derivative (the backward runs with a cotangent that requires grad, so its ops are recorded)."""
    seen = set()
    call = Primitive.__call__

    def tracking_call(self, *args, **kwargs):
        seen.add(self.node_class.__name__)
        return call(self, *args, **kwargs)

    monkeypatch.setattr(Primitive, "__call__", tracking_call)
    for fn, specs in _all_cases():
        inputs = _inputs(specs)
        out = fn(mytorch, *inputs)
        outs = out if isinstance(out, (tuple, list)) else (out,)
        for o in outs:
            _node_names(o, seen)
            if o.grad_fn is not None and o.grad_fn.name() != "NotImplemented":
                # a cotangent that requires grad makes the backward's own ops show up
                v = mytorch.ones_like(o).requires_grad_()
                diff = [x for x in inputs if isinstance(x, mytorch.Tensor) and x.requires_grad]
                for g in mytorch.autograd.grad(
                    o, diff, v, allow_unused=True, materialize_grads=False
                ):
                    _node_names(g, seen)
    registered = {p.node_class.__name__ for p in REGISTRY.values()}
    missing = registered - seen
    assert not missing, f"registered ops without a test case: {sorted(missing)}"


def test_ops_table_is_up_to_date():
    """docs/ops.md is generated from the registry; regenerate it with tools/ops_table.py."""
    import subprocess
    import sys

    root = Path(__file__).resolve().parent.parent
    done = subprocess.run(
        [sys.executable, str(root / "tools" / "ops_table.py"), "--check"],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout + done.stderr
