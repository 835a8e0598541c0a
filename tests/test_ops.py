"""Every op against torch (values, dtypes, node names, gradients of order 1 and 2), float64
finite differences over the same cases, and a check that every registered op has a case."""

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import mutually_broadcastable_shapes
from oracle import check_against_torch, make_inputs

import mytorch

P = "positive"
TIES = np.array([[1.0, 3.0, 3.0], [0.0, 0.0, -2.0]])
WITH_ZEROS = np.array([-1.5, 0.0, 0.0, 2.0])


def _inplace(method, *args):
    def fn(lib, a, *others):
        y = a * 1.0  # a non-leaf, so the in-place op is recorded
        getattr(y, method)(*(others or args))
        return y

    return fn


# name: (fn(lib, *inputs), input specs)
CASES = {
    # arithmetic, incl. broadcasting, 0-d and Python scalars
    "add": (lambda lib, a, b: a + b, [(2, 3), (3,)]),
    "add_scalar": (lambda lib, a: a + 2, [(2, 3)]),
    "radd_scalar": (lambda lib, a: 2.5 + a, [(4,)]),
    "add_alpha": (lambda lib, a, b: lib.add(a, b, alpha=2.5), [(2, 3), (2, 1)]),
    "add_0d": (lambda lib, a, b: a + b, [(), (3,)]),
    "sub": (lambda lib, a, b: a - b, [(3, 1), (1, 4)]),
    "sub_alpha": (lambda lib, a, b: a.sub(b, alpha=3), [(2, 3), (3,)]),
    "rsub": (lambda lib, a: 2 - a, [(3,)]),
    "mul": (lambda lib, a, b: a * b, [(2, 3), (2, 1)]),
    "mul_0d": (lambda lib, a, b: a * b, [(), ()]),
    "rmul": (lambda lib, a: 3 * a, [(2,)]),
    "div": (lambda lib, a, b: a / b, [(2, 3), (P, (3,))]),
    "div_scalar": (lambda lib, a: a / 4, [(5,)]),
    "rdiv": (lambda lib, a: 2 / a, [(P, (3,))]),
    "div_floor": (lambda lib, a: lib.div(a * 3, 2.0, rounding_mode="floor"), [(4,)]),
    "div_trunc": (lambda lib, a, b: a.div(b, rounding_mode="trunc"), [(4,), (P, (4,))]),
    "floordiv": (lambda lib, a: (a // 0.7).detach(), [(5,)]),
    "floordiv_int": (lambda lib, a, b: a // b, [("int", (5,)), np.array([2, -3, 3, -2, 7])]),
    "remainder_int": (lambda lib, a, b: a % b, [("int", (5,)), np.array([2, -3, 3, -2, 7])]),
    "remainder_scalar": (lambda lib, a: a % 0.7, [(5,)]),
    "remainder": (lambda lib, a, b: a % b, [(2, 3), (P, (3,))]),
    "neg": (lambda lib, a: -a, [(2, 2)]),
    "pow_scalar": (lambda lib, a: a**3, [(2, 3)]),
    "pow_half": (lambda lib, a: a**0.5, [(P, (4,))]),
    "pow_zero": (lambda lib, a: a**0, [(np.array([0.0, 1.0, -2.0]))]),
    "pow_tensor": (lambda lib, a, b: a**b, [(P, (2, 3)), (3,)]),
    "pow_tensor_zero_base": (
        lambda lib, a, b: a**b,
        [np.array([0.0, 0.0, 1.5]), np.array([2.0, 0.0, 1.0])],
    ),
    "rpow": (lambda lib, a: 2**a, [(3,)]),
    "reciprocal": (lambda lib, a: a.reciprocal(), [(P, (3,))]),
    # unary math
    "abs": (lambda lib, a: a.abs(), [(3, 2)]),
    "abs_at_zero": (lambda lib, a: a.abs(), [WITH_ZEROS]),
    "exp": (lambda lib, a: a.exp(), [(2, 3)]),
    "log": (lambda lib, a: a.log(), [(P, (2, 3))]),
    "sqrt": (lambda lib, a: a.sqrt(), [(P, (4,))]),
    "sin": (lambda lib, a: a.sin(), [(2, 3)]),
    "cos": (lambda lib, a: lib.cos(a), [(2, 3)]),
    "tanh": (lambda lib, a: a.tanh(), [(2, 3)]),
    "tanh_large": (lambda lib, a: (a * 50).tanh(), [(6,)]),
    "sigmoid": (lambda lib, a: a.sigmoid(), [(2, 3)]),
    "sigmoid_large": (lambda lib, a: lib.sigmoid(a * 1000), [(6,)]),
    "relu": (lambda lib, a: a.relu(), [(3, 3)]),
    "relu_at_zero": (lambda lib, a: lib.relu(a), [WITH_ZEROS]),
    "sign": (lambda lib, a: a.sign(), [WITH_ZEROS]),
    # comparisons and selection
    "gt": (lambda lib, a, b: a > b, [(2, 3), (3,)]),
    "eq_scalar": (lambda lib, a: a == 0, [WITH_ZEROS]),
    "lt": (lambda lib, a, b: a < b, [(2, 3), (2, 1)]),
    "le": (lambda lib, a: a <= 0, [WITH_ZEROS]),
    "ne": (lambda lib, a: 0.0 != a, [WITH_ZEROS]),
    "ge": (lambda lib, a, b: lib.ge(a, b), [(3,), ()]),
    "bitwise": (lambda lib, a, b: ((a > 0) & (b > 0)) | ~(a > b) ^ (b < 0), [(2, 3), (3,)]),
    "logical": (
        lambda lib, a, b: lib.logical_or(lib.logical_and(a > 0, b > 0), a > 1),
        [(4,), (4,)],
    ),
    "where": (lambda lib, a, b: lib.where(a > 0, a, b), [(4,), (4,)]),
    "where_scalar": (lambda lib, a: lib.where(a > 0, a, 0.0), [(2, 3)]),
    # reductions
    "sum": (lambda lib, a: a.sum(), [(2, 3)]),
    "sum_dim": (lambda lib, a: a.sum(1), [(2, 3)]),
    "sum_dims_keepdim": (lambda lib, a: a.sum((0, 2), keepdim=True), [(2, 3, 4)]),
    "sum_neg_dim": (lambda lib, a: lib.sum(a, dim=-1), [(2, 3)]),
    "sum_0d": (lambda lib, a: a.sum(), [()]),
    "sum_to_size": (lambda lib, a: a.sum_to_size(1, 3), [(2, 3)]),
    "mean": (lambda lib, a: a.mean(), [(2, 3)]),
    "mean_dim": (lambda lib, a: a.mean(0, keepdim=True), [(2, 3)]),
    "mean_dims": (lambda lib, a: lib.mean(a, (1, 2)), [(2, 3, 4)]),
    # shapes
    "reshape": (lambda lib, a: a.reshape(3, -1), [(2, 3)]),
    "reshape_noncontig": (lambda lib, a: a.t().reshape(6), [(2, 3)]),
    "view": (lambda lib, a: a.view(6), [(2, 3)]),
    "flatten": (lambda lib, a: a.flatten(1), [(2, 3, 2)]),
    "transpose": (lambda lib, a: a.transpose(0, 2), [(2, 3, 4)]),
    "t": (lambda lib, a: a.t(), [(2, 3)]),
    "T": (lambda lib, a: a.T, [(2, 3)]),
    "mT": (lambda lib, a: a.mT, [(4, 2, 3)]),
    "permute": (lambda lib, a: a.permute(2, 0, 1), [(2, 3, 4)]),
    "expand": (lambda lib, a: a.expand(4, 2, 3), [(2, 1)]),
    "squeeze": (lambda lib, a: a.squeeze(), [(2, 1, 3)]),
    "squeeze_dim": (lambda lib, a: a.squeeze(1), [(2, 1, 3)]),
    "squeeze_dims": (lambda lib, a: a.squeeze((0, 1)), [(1, 1, 3)]),
    "unsqueeze": (lambda lib, a: a.unsqueeze(-1), [(2, 3)]),
    "select": (lambda lib, a: a[1], [(3, 2)]),
    "slice": (lambda lib, a: a[:, 1:], [(3, 4)]),
    "slice_step": (lambda lib, a: a[::2, 1], [(5, 2)]),
    "index_list": (lambda lib, a: a[[0, 2, 0]], [(3, 2)]),
    "index_mask": (lambda lib, a: a[a > 0], [(3, 4)]),
    "index_none": (lambda lib, a: a[None], [(3,)]),
    "index_ellipsis": (lambda lib, a: a[...], [(3,)]),
    "unbind": (lambda lib, a: a.unbind(1)[1], [(2, 3)]),
    # probabilities of exactly 0 and 1 make the draw deterministic in both libraries
    "bernoulli": (lambda lib, a: lib.bernoulli(a * 0 + (a > 0)), [(2, 3)]),
    "clone": (lambda lib, a: a.clone(), [(3,)]),
    "to_float32": (lambda lib, a: a.to(lib.float32), [(3,)]),
    "float_from_int": (lambda lib, a, b: a * b.float().double(), [(3,), ("int", (3,))]),
    # linear algebra
    "mm": (lambda lib, a, b: a @ b, [(2, 3), (3, 4)]),
    "mv": (lambda lib, a, b: a @ b, [(2, 3), (3,)]),
    "dot": (lambda lib, a, b: a @ b, [(3,), (3,)]),
    "vm": (lambda lib, a, b: lib.matmul(a, b), [(3,), (3, 2)]),
    "bmm": (lambda lib, a, b: a @ b, [(4, 2, 3), (4, 3, 2)]),
    "matmul_3d_2d": (lambda lib, a, b: a @ b, [(4, 2, 3), (3, 5)]),
    "matmul_1d_3d": (lambda lib, a, b: a @ b, [(3,), (2, 3, 4)]),
    "matmul_3d_1d": (lambda lib, a, b: a.matmul(b), [(2, 4, 3), (3,)]),
    "matmul_broadcast": (lambda lib, a, b: a @ b, [(5, 1, 2, 3), (4, 3, 2)]),
    "mm_fn": (lambda lib, a, b: lib.mm(a, b), [(2, 3), (3, 2)]),
    "dot_fn": (lambda lib, a, b: lib.dot(a, b), [(4,), (4,)]),
    # in place on non-leaves
    "add_": (_inplace("add_"), [(2, 3), (3,)]),
    "sub_": (_inplace("sub_"), [(2, 3), (2, 3)]),
    "mul_": (_inplace("mul_"), [(2, 3), (2, 3)]),
    "mul_scalar_": (_inplace("mul_", 2.5), [(2, 3)]),
    "div_": (_inplace("div_"), [(2, 3), (P, (3,))]),
    "zero_": (_inplace("zero_"), [(2, 3)]),
    "fill_": (_inplace("fill_", 1.5), [(2, 3)]),
    "copy_": (_inplace("copy_"), [(2, 3), (3,)]),
    "iadd": (lambda lib, a, b: _iadd(a * 1.0, b), [(2, 3), (2, 3)]),
    # the two examples
    "expr": (lambda lib, a, b: 2 + (a + b**2) / (a + b + a * b), [(P, ()), (P, ())]),
    "broadcast_add": (lambda lib, a, b: a + b, [(2, 3), (3,)]),
}


NO_DERIVATIVE = {
    "floordiv": lambda lib, a: a // 0.7,
    "rremainder": lambda lib, a: 5.0 % a,
}


@pytest.mark.parametrize("name", NO_DERIVATIVE)
def test_ops_without_derivative_match_torch(name):
    """torch records a `NotImplemented` node for these; backward through it raises."""
    fn = NO_DERIVATIVE[name]
    check_against_torch(fn, [(5,)], order=0)
    for lib in (torch, mytorch):
        out = fn(lib, lib.ones(5, requires_grad=True) * 1.5)
        with pytest.raises(RuntimeError, match="derivative for"):
            out.sum().backward()


def _iadd(y, b):
    y += b
    return y


@pytest.mark.parametrize("name", CASES)
def test_matches_torch(name):
    fn, specs = CASES[name]
    check_against_torch(fn, specs, order=2)


# finite differences need smooth points: skip cases built around kinks and piecewise constants
NOT_SMOOTH = {"abs_at_zero", "relu_at_zero", "pow_tensor_zero_base", "sign", "div_floor",
              "div_trunc", "floordiv", "remainder_scalar", "remainder", "rremainder",
              "index_mask", "gt", "eq_scalar", "where", "where_scalar", "pow_zero", "to_float32",
              "sigmoid_large", "tanh_large", "floordiv_int", "remainder_int", "lt", "le", "ne",
              "ge", "bitwise", "logical"}  # fmt: skip


def _gradcheck_inputs(specs, seed=0):
    arrays = make_inputs(specs, np.random.default_rng(seed))
    return [
        mytorch.tensor(a.astype(np.float64), requires_grad=True)
        if a.dtype.kind == "f"
        else mytorch.tensor(a)
        for a in arrays
    ]


@pytest.mark.parametrize("name", sorted(set(CASES) - NOT_SMOOTH))
def test_gradcheck(name):
    fn, specs = CASES[name]
    inputs = _gradcheck_inputs(specs)
    assert mytorch.autograd.gradcheck(lambda *xs: fn(mytorch, *xs), inputs)


@pytest.mark.parametrize("name", sorted(set(CASES) - NOT_SMOOTH))
def test_gradgradcheck(name):
    fn, specs = CASES[name]
    inputs = _gradcheck_inputs(specs, seed=1)
    assert mytorch.autograd.gradgradcheck(lambda *xs: fn(mytorch, *xs), inputs)


# ---- hypothesis: broadcasting ---------------------------------------------------------------

BINARY = {
    "add": lambda lib, a, b: a + b,
    "sub": lambda lib, a, b: a - b,
    "mul": lambda lib, a, b: a * b,
    "div": lambda lib, a, b: a / (b.abs() + 0.5),
    "pow": lambda lib, a, b: (a.abs() + 0.5) ** b,
    "where": lambda lib, a, b: lib.where(a > b, a, b),
}


@pytest.mark.parametrize("op", BINARY)
@given(shapes=mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=3, max_side=3))
def test_binary_broadcasting_matches_torch(op, shapes):
    check_against_torch(BINARY[op], list(shapes.input_shapes), order=2)


@given(
    shape=st.lists(st.integers(1, 3), min_size=1, max_size=3).map(tuple),
    keepdim=st.booleans(),
    data=st.data(),
)
def test_reductions_over_drawn_dims(shape, keepdim, data):
    dims = tuple(
        data.draw(
            st.lists(
                st.integers(-len(shape), len(shape) - 1),
                unique_by=lambda d: d % len(shape),
                max_size=len(shape),
            )
        )
    )
    check_against_torch(lambda lib, a: a.sum(dims, keepdim=keepdim), [shape], order=2)
    check_against_torch(lambda lib, a: a.mean(dims, keepdim=keepdim), [shape], order=2)


@given(shapes=mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=3, max_side=3))
def test_vjp_is_linear_in_the_cotangent(shapes):
    rng = np.random.default_rng(0)
    a, b = (mytorch.tensor(rng.standard_normal(s), requires_grad=True) for s in shapes.input_shapes)
    out = a * b + a.exp()
    v1, v2 = (mytorch.tensor(rng.standard_normal(tuple(out.shape))) for _ in range(2))
    g1 = mytorch.autograd.grad(out, [a, b], v1, create_graph=False, retain_graph=True)
    g2 = mytorch.autograd.grad(out, [a, b], v2, create_graph=False, retain_graph=True)
    g12 = mytorch.autograd.grad(out, [a, b], 2 * v1 + v2, create_graph=False)
    for x, y, z in zip(g1, g2, g12):
        assert tuple(z.shape) == tuple(x.shape)
        np.testing.assert_allclose(z.numpy(), 2 * x.numpy() + y.numpy(), atol=1e-10)


def test_mixed_second_derivatives_are_symmetric():
    x = mytorch.tensor(0.7, dtype=mytorch.float64, requires_grad=True)
    y = mytorch.tensor(-1.3, dtype=mytorch.float64, requires_grad=True)
    f = (x * y).sin() * x.exp() + y**3 * x
    fx, fy = mytorch.autograd.grad(f, [x, y])
    fxy = mytorch.autograd.grad(fx, [y])[0]
    fyx = mytorch.autograd.grad(fy, [x])[0]
    assert abs(fxy.item() - fyx.item()) < 1e-12


# ---- errors: same class as torch, nothing changed ---------------------------------------------

ERRORS = {
    "broadcast": lambda lib: lib.ones(2, 3) + lib.ones(3, 2),
    "view": lambda lib: lib.ones(2, 3).t().view(6),
    "reshape_size": lambda lib: lib.ones(2, 3).reshape(4),
    "dim_range": lambda lib: lib.ones(2, 3).sum(dim=3),
    "mm_shapes": lambda lib: lib.ones(2, 3) @ lib.ones(2, 3),
    "matmul_0d": lambda lib: lib.matmul(lib.tensor(1.0), lib.ones(2)),
    "dot_sizes": lambda lib: lib.dot(lib.ones(3), lib.ones(4)),
    "permute_dup": lambda lib: lib.ones(2, 3).permute(0, 0),
    "transpose_range": lambda lib: lib.ones(2, 3).transpose(0, 2),
    "mean_int": lambda lib: lib.tensor([1, 2]).mean(),
    "int_neg_pow": lambda lib: lib.tensor([2]) ** -1,
    "expand_bad": lambda lib: lib.ones(2, 3).expand(4, 3),
    "t_3d": lambda lib: lib.ones(2, 3, 4).t(),
    "index_out_of_range": lambda lib: lib.ones(2, 3)[5],
    "requires_grad_int": lambda lib: lib.tensor([1, 2], requires_grad=True),
}


@pytest.mark.parametrize("name", ERRORS)
def test_errors_match_torch_class(name):
    with pytest.raises(Exception) as t_err:
        ERRORS[name](torch)
    with pytest.raises(Exception) as m_err:
        ERRORS[name](mytorch)
    assert type(m_err.value) is type(t_err.value), (m_err.value, t_err.value)


def test_shape_error_names_both_shapes():
    with pytest.raises(RuntimeError, match=r"size of tensor a \(3\) must match .* b \(2\)"):
        mytorch.ones(2, 3) + mytorch.ones(3, 2)
    with pytest.raises(RuntimeError, match=r"\(2x3 and 2x3\)"):
        mytorch.ones(2, 3) @ mytorch.ones(2, 3)


# piecewise-constant ops and ops with a kink have valid finite differences away from the jumps
AWAY_FROM_JUMPS = np.array([[0.3, 1.2, -2.7], [4.4, -0.6, 2.2]])
PIECEWISE = {
    "floor": lambda x: x.floor(),
    "ceil": lambda x: mytorch.ceil(x),
    "round": lambda x: x.round(),
    "round_decimals": lambda x: x.round(decimals=1) * 0 + x.round(decimals=1),
    "trunc": lambda x: x.trunc(),
    "sgn": lambda x: x.sgn() * x,
    "remainder_scalar": lambda x: x % 1.7,
    "nanmedian": lambda x: x.nanmedian(),
    "nanmedian_dim": lambda x: x.nanmedian(1).values,
}


@pytest.mark.parametrize("name", PIECEWISE)
def test_piecewise_ops_pass_finite_differences_away_from_jumps(name):
    x = mytorch.tensor(AWAY_FROM_JUMPS + 0.013, requires_grad=True)
    assert mytorch.autograd.gradcheck(PIECEWISE[name], [x])
    assert mytorch.autograd.gradgradcheck(PIECEWISE[name], [x])
