"""vmap over every registered op (each case of the tests/test_ops*.py files) against a Python
loop of the op, batching each argument in turn, and then all of them."""

import importlib
from pathlib import Path

import numpy as np
import pytest
from oracle import make_inputs

import mytorch
from mytorch.func import vmap

CASE_MODULES = sorted(p.stem for p in Path(__file__).parent.glob("test_ops*.py"))
B = 3


def _cases():
    for name in CASE_MODULES:
        module = importlib.import_module(name)
        for key, case in getattr(module, "CASES", {}).items():
            yield f"{name}:{key}", case


CASES = dict(_cases())


def _tensor(a):
    return mytorch.tensor(a.astype(np.float64) if a.dtype.kind == "f" else a)


def _outputs(out):
    outs = out if isinstance(out, (tuple, list)) else (out,)
    return [o for o in outs if isinstance(o, mytorch.Tensor)]


@pytest.mark.parametrize("name", sorted(CASES))
def test_vmap_of_every_op_matches_a_loop(name):
    fn, specs = CASES[name]
    rng = np.random.default_rng(2)
    examples = [make_inputs(specs, rng) for _ in range(B)]
    first = examples[0]
    positions = [i for i, a in enumerate(first) if isinstance(a, np.ndarray)]
    if not positions:
        pytest.skip("no tensor input")
    # each tensor argument batched alone (along its last dim when it has one), then all together
    for batched in [[i] for i in positions] + ([positions] if len(positions) > 1 else []):
        args, in_dims = [], []
        for i, a in enumerate(first):
            if i in batched:
                d = -1 if a.ndim else 0
                args.append(_tensor(np.stack([ex[i] for ex in examples], axis=d)))
                in_dims.append(d)
            else:
                args.append(_tensor(a) if isinstance(a, np.ndarray) else a)
                in_dims.append(None)
        expected = []
        mytorch.manual_seed(0)  # random ops: vmap's "different" mode draws as the loop does
        try:
            for b in range(B):
                call = [_tensor(examples[b][i]) if i in batched else x for i, x in enumerate(args)]
                expected.append(_outputs(fn(mytorch, *call)))
        except (RuntimeError, IndexError, ValueError, TypeError) as e:
            # the loop itself fails (e.g. a case that needs a particular shape): vmap must too
            with pytest.raises(type(e)):
                vmap(lambda *a: fn(mytorch, *a), in_dims=tuple(in_dims))(*args)
            continue
        mytorch.manual_seed(0)
        if any(len({tuple(e[k].shape) for e in expected}) > 1 for k in range(len(expected[0]))):
            # the output's shape depends on the data (nonzero, masks): vmap refuses, as torch's
            with pytest.raises(RuntimeError, match="different shape for different examples"):
                vmap(lambda *a: fn(mytorch, *a), in_dims=tuple(in_dims))(*args)
            continue
        mapped = vmap(lambda *a: fn(mytorch, *a), in_dims=tuple(in_dims), randomness="different")
        got = _outputs(mapped(*args))
        assert len(got) == len(expected[0])
        for k, g in enumerate(got):
            want = np.stack([e[k].detach().numpy() for e in expected])
            assert g.shape == want.shape and g.dtype == expected[0][k].dtype
            # strided slices may take another BLAS path: equal up to rounding
            np.testing.assert_allclose(g.detach().numpy(), want, rtol=1e-12, atol=1e-12)
