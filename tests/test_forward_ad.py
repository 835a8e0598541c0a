"""Forward-mode AD: every op's JVP against its VJP, and the public API against torch's."""

import importlib
from pathlib import Path

import numpy as np
import pytest
import torch
import torch.autograd.forward_ad as tfw
from oracle import make_inputs

import mytorch
import mytorch.autograd.forward_ad as fw

CASE_MODULES = sorted(p.stem for p in Path(__file__).parent.glob("test_ops*.py"))


def _cases():
    for name in CASE_MODULES:
        module = importlib.import_module(name)
        not_smooth = getattr(module, "NOT_SMOOTH", set())  # e.g. repeated indices: ties
        for key, case in getattr(module, "CASES", {}).items():
            if key not in not_smooth:
                yield f"{name}:{key}", case


CASES = dict(_cases())
# in-place writes into views refuse forward mode: the base's tangent would not follow
VIEW_WRITES = {
    "test_ops_index:" + k
    for k in ("setitem_augmented", "setitem_view_of_view",
              "view_mul_base", "view_mul_view", "view_of_view_add", "view_sibling_sees_change",
              "view_copy_into_constant", "view_unsqueeze_fill")
}  # fmt: skip


def _inputs(specs, rng):
    out = []
    for a in make_inputs(specs, rng):
        if isinstance(a, np.ndarray):
            out.append(mytorch.tensor(a.astype(np.float64) if a.dtype.kind == "f" else a))
        else:
            out.append(a)
    return out


def _float_tensors(xs):
    return [i for i, x in enumerate(xs) if isinstance(x, mytorch.Tensor) and x.is_floating_point()]


@pytest.mark.parametrize("name", sorted(CASES))
def test_jvp_of_every_op_matches_its_vjp(name):
    """<u, J v> = <J^T u, v>: the forward rule and the reverse rule describe the same Jacobian."""
    fn, specs = CASES[name]
    rng = np.random.default_rng(1)
    inputs = _inputs(specs, rng)
    idx = _float_tensors(inputs)
    if not idx:
        pytest.skip("no floating-point input")
    tangents = {i: mytorch.tensor(rng.standard_normal(inputs[i].shape)) for i in idx}
    if name in VIEW_WRITES:
        with fw.dual_level(), pytest.raises(NotImplementedError, match="forward-mode AD"):
            fn(mytorch, *[fw.make_dual(x, tangents[i]) if i in tangents else x
                          for i, x in enumerate(inputs)])  # fmt: skip
        return
    with fw.dual_level():
        duals = list(inputs)
        for i in idx:
            # leaves that require grad: cases that differentiate inside run forward-over-reverse
            duals[i] = fw.make_dual(inputs[i].detach().requires_grad_(), tangents[i])
        out = fn(mytorch, *duals)
        outs = out if isinstance(out, (tuple, list)) else (out,)
        pairs = [(o, fw.unpack_dual(o).tangent) for o in outs if isinstance(o, mytorch.Tensor)]
    checked = 0
    for o, jv in pairs:
        if not o.is_floating_point():
            continue
        leaves = [inputs[i].detach().requires_grad_() for i in idx]
        args = list(inputs)
        for i, leaf in zip(idx, leaves):
            args[i] = leaf
        res = fn(mytorch, *args)
        res = res if isinstance(res, (tuple, list)) else (res,)
        o2 = res[[k for k, p in enumerate(outs) if p is o][0]]
        if not o2.requires_grad:
            assert jv is None or not jv.abs().sum().item()
            continue
        u = mytorch.tensor(rng.standard_normal(o.shape))
        vjps = mytorch.autograd.grad(o2, leaves, u, allow_unused=True, create_graph=False)
        if jv is None:  # no tangent: only right where the derivative is zero
            assert all(g is None or not g.abs().sum().item() for g in vjps), "tangent missing"
            continue
        assert jv.shape == o.shape and jv.dtype == o.dtype
        lhs = (u * jv).sum().item()
        rhs = sum((g * tangents[i]).sum().item() for g, i in zip(vjps, idx) if g is not None)
        if not (np.isfinite(lhs) and np.isfinite(rhs)):
            continue  # cases planted with inf or nan: 0 * inf differs between the two sides
        tol = {mytorch.float16: 2e-2, mytorch.float32: 1e-4}.get(o.dtype, 1e-7)
        assert np.isclose(lhs, rhs, rtol=tol, atol=tol), (lhs, rhs)
        checked += 1
    if not checked:
        pytest.skip("no differentiable output")


def _pair(lib, fwmod, shape=(3,), seed=0):
    rng = np.random.default_rng(seed)
    x, t = rng.standard_normal(shape), rng.standard_normal(shape)
    return lib.tensor(x, requires_grad=True), lib.tensor(t)


@pytest.mark.parametrize(
    "fn",
    [
        lambda lib, x: (x * 2).sin() * x.exp(),
        lambda lib, x: (x[:, None] @ x[None, :]).tanh().sum(0),
        lambda lib, x: lib.nn.functional.softplus(x).log() / (1 + x**2),
        lambda lib, x: lib.cat([x, x.cumsum(0)]).reshape(2, 3).prod(1),
        lambda lib, x: lib.linalg.vector_norm(x.abs().clamp(0.1, 1.0) ** 1.5, 3),
    ],
)
def test_tangents_and_their_gradients_match_torch(fn):
    out = {}
    for lib, fwmod in ((mytorch, fw), (torch, tfw)):
        x, t = _pair(lib, fwmod)
        with fwmod.dual_level():
            y = fn(lib, fwmod.make_dual(x, t))
            primal, tangent = fwmod.unpack_dual(y)
            # reverse-over-forward: the tangent is differentiable with respect to the primal
            (g,) = lib.autograd.grad(tangent.sum(), x, create_graph=True)
        out[lib] = primal.detach().numpy(), tangent.detach().numpy(), g.detach().numpy()
    for a, b in zip(out[mytorch], out[torch]):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)


def test_forward_over_reverse_gives_hessian_vector_products():
    out = {}
    for lib, fwmod in ((mytorch, fw), (torch, tfw)):
        x, v = _pair(lib, fwmod, (4,), seed=3)
        with fwmod.dual_level():
            d = fwmod.make_dual(x, v)
            (g,) = lib.autograd.grad((d.sin() * d**3).sum(), d, create_graph=True)
            out[lib] = fwmod.unpack_dual(g).tangent.detach().numpy()
    np.testing.assert_allclose(out[mytorch], out[torch], rtol=1e-10)


def test_api_errors_and_levels_match_torch():
    for lib, fwmod in ((mytorch, fw), (torch, tfw)):
        x, t = _pair(lib, fwmod)
        with pytest.raises(RuntimeError, match="no level exists"):
            fwmod.make_dual(x, t)
        assert fwmod.unpack_dual(x).tangent is None
        with fwmod.dual_level() as level:
            assert level == 0
            with pytest.raises(RuntimeError, match="Nested forward mode AD is not supported"):
                with fwmod.dual_level():
                    pass
            with pytest.raises(RuntimeError, match="is of size \\[3\\] while the given"):
                fwmod.make_dual(x, lib.zeros(2, dtype=lib.float64))
            with pytest.raises(ValueError, match="Expected tangent to be floating point"):
                fwmod.make_dual(x, lib.zeros(3, dtype=lib.int64))
            with pytest.raises(ValueError, match="Expected primal to be floating point"):
                fwmod.make_dual(lib.arange(3), lib.arange(3))
            d = fwmod.make_dual(x, t)
            unpacked = fwmod.unpack_dual(d)
            assert type(unpacked).__name__ == "UnpackedDualTensor"
            assert unpacked._fields == ("primal", "tangent")
            assert unpacked.tangent is t
            y = d * 3
            assert fwmod.unpack_dual(d.detach()).tangent is None
        # the level closed: tangents are gone
        assert fwmod.unpack_dual(y).tangent is None and fwmod.unpack_dual(d).tangent is None


def test_in_place_ops_carry_the_tangent_like_torch():
    out = {}
    for lib, fwmod in ((mytorch, fw), (torch, tfw)):
        x, t = _pair(lib, fwmod, (2, 3))
        with fwmod.dual_level():
            w = fwmod.make_dual(x, t).clone()
            w.mul_(3).exp_()
            w[0] = w[1] * 2  # a write into the base: its tangent follows
            w.t_()
            out[lib] = fwmod.unpack_dual(w).tangent.detach().numpy()
    np.testing.assert_allclose(out[mytorch], out[torch], rtol=1e-12)


def _square_function(lib, with_jvp):
    class Square(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x, scale):
            ctx.save_for_backward(x)
            ctx.save_for_forward(x)
            return lib.tensor(x.detach().numpy() ** 2 * scale)  # opaque to autograd

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return 2 * x * g, None

    if with_jvp:

        class SquareJ(Square):
            @staticmethod
            def jvp(ctx, t, scale_t):
                assert scale_t is None  # a non-tensor input has no tangent
                (x,) = ctx.saved_tensors
                return 2 * x * t * 3.0

        return SquareJ
    return Square


@pytest.mark.parametrize("requires_grad", [False, True])
def test_custom_function_jvp_matches_torch(requires_grad):
    out = {}
    for lib, fwmod in ((mytorch, fw), (torch, tfw)):
        x, t = _pair(lib, fwmod)
        x = x.detach().requires_grad_(requires_grad)
        with fwmod.dual_level():
            d = fwmod.make_dual(x, t)
            with pytest.raises(NotImplementedError, match="must implement the jvp function"):
                _square_function(lib, False).apply(d, 3.0)
            y = _square_function(lib, True).apply(d, 3.0)
            tangent = fwmod.unpack_dual(y).tangent
            out[lib] = (tangent.detach().numpy(), tangent.requires_grad, y.requires_grad)
    np.testing.assert_allclose(out[mytorch][0], out[torch][0], rtol=1e-12)
    assert out[mytorch][1:] == out[torch][1:]
