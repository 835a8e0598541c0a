"""mytorch.func against torch.func: grad, grad_and_value, vjp, jvp, jacrev, jacfwd, hessian, vmap
and functional_call, alone and composed, on the same float64 inputs in both libraries.

Each case is one function of `(lib, F, *tensors)` (`F` is `lib.func`), run on both libraries;
results are compared as trees: container types and keys, then per tensor shape, dtype,
`requires_grad` and values.
"""

import numpy as np
import pytest
import torch
import torch.func as tfunc
from hypothesis import given
from hypothesis import strategies as st

import mytorch
import mytorch.func as mfunc

LIBS = ((mytorch, mfunc), (torch, tfunc))
RTOL, ATOL = 1e-10, 1e-12


def _rng(seed=0):
    return np.random.default_rng(seed)


def _tensor(lib, a, requires_grad=False):
    a = np.asarray(a)
    return lib.tensor(a.astype(np.float64) if a.dtype.kind == "f" else a, requires_grad=requires_grad)  # fmt: skip


def assert_tree(m, t, path="out"):
    """A mytorch result against a torch result: same nesting, then same tensors."""
    if isinstance(t, torch.Tensor):
        assert isinstance(m, mytorch.Tensor), f"{path}: {type(m).__name__} is not a Tensor"
        assert tuple(m.shape) == tuple(t.shape), f"{path}: shape {tuple(m.shape)} != {tuple(t.shape)}"  # fmt: skip
        assert str(m.dtype).replace("mytorch.", "torch.") == str(t.dtype), f"{path}: dtype {m.dtype}"  # fmt: skip
        assert m.requires_grad == t.requires_grad, f"{path}: requires_grad {m.requires_grad}"
        np.testing.assert_allclose(
            m.detach().numpy(), t.detach().numpy(), rtol=RTOL, atol=ATOL, err_msg=path
        )
    elif isinstance(t, (tuple, list)):
        assert type(m) is type(t), f"{path}: {type(m).__name__} != {type(t).__name__}"
        assert len(m) == len(t), f"{path}: length {len(m)} != {len(t)}"
        for i, (a, b) in enumerate(zip(m, t)):
            assert_tree(a, b, f"{path}[{i}]")
    elif isinstance(t, dict):
        assert isinstance(m, dict), f"{path}: {type(m).__name__} is not a dict"
        assert list(m) == list(t), f"{path}: keys {list(m)} != {list(t)}"
        for k in t:
            assert_tree(m[k], t[k], f"{path}[{k!r}]")
    else:
        assert m == t, f"{path}: {m!r} != {t!r}"


def _run(lib, F, fn, arrays, requires_grad=False):
    return fn(lib, F, *[_tensor(lib, a, requires_grad) for a in arrays])


def check(fn, *arrays, requires_grad=False):
    """`fn(lib, F, *tensors)` gives the same tree of tensors in both libraries."""
    expected = _run(torch, tfunc, fn, arrays, requires_grad)
    actual = _run(mytorch, mfunc, fn, arrays, requires_grad)
    assert_tree(actual, expected)
    return actual, expected


def check_error(fn, *arrays, same_message=False, contains=None):
    """Both libraries raise the same exception class (and, if asked, the same message up to
    the library's name in it)."""
    with pytest.raises(Exception) as texc:
        _run(torch, tfunc, fn, arrays)
    with pytest.raises(Exception) as mexc:
        _run(mytorch, mfunc, fn, arrays)
    assert type(mexc.value) is type(texc.value), (
        f"mytorch raised {type(mexc.value).__name__}: {mexc.value}; torch raised "
        f"{type(texc.value).__name__}: {texc.value}"
    )
    message = str(mexc.value).replace("mytorch.", "torch.")
    if same_message:
        assert message == str(texc.value)
    if contains is not None:
        assert contains in message and contains in str(texc.value)
    return mexc.value, texc.value


# ---- 1. the issue's example --------------------------------------------------------------------


def test_issue_example_fourth_derivative():
    out = {}
    for lib, F in LIBS:
        g = lambda x: x.sin() * x**3  # noqa: E731
        out[lib] = F.grad(F.grad(F.grad(F.grad(g))))(lib.tensor(0.7, dtype=lib.float64))
    assert_tree(out[mytorch], out[torch])
    # the closed form, independent of torch: d4/dx4 (x^3 sin x)
    x = 0.7
    closed = (x**3 - 36 * x) * np.sin(x) + (-12 * x**2 + 24) * np.cos(x)
    np.testing.assert_allclose(out[mytorch].item(), closed, rtol=1e-12)


def test_issue_example_hessian():
    a = _rng().standard_normal(5)
    m, t = check(lambda lib, F, x: F.hessian(lambda x: (x.sin() * x**3).sum())(x), a)
    assert tuple(m.shape) == (5, 5)


def test_issue_example_per_sample_gradients():
    rng = _rng(1)
    w, xs = rng.standard_normal(3), rng.standard_normal((8, 3))
    m, _ = check(
        lambda lib, F, w, xs: F.vmap(F.grad(lambda w, xi: (w @ xi).tanh()), in_dims=(None, 0))(w, xs),  # fmt: skip
        w, xs,
    )  # fmt: skip
    assert tuple(m.shape) == (8, 3)


# ---- 2. grad and grad_and_value ----------------------------------------------------------------

X3, Y3 = _rng(2).standard_normal(3), _rng(3).standard_normal(3)

GRAD_CASES = {
    "argnums_int": lambda lib, F, a, b: F.grad(lambda a, b: (a * b.sin()).sum(), argnums=1)(a, b),
    "argnums_tuple": lambda lib, F, a, b: F.grad(lambda a, b: (a * b.sin()).sum(), argnums=(0, 1))(a, b),  # fmt: skip
    "argnums_negative": lambda lib, F, a, b: F.grad(lambda a, b: (a.exp() * b).sum(), argnums=-2)(a, b),  # fmt: skip
    "argnums_mixed_order": lambda lib, F, a, b: F.grad(lambda a, b: (a * b.cos()).sum(), argnums=(-1, 0))(a, b),  # fmt: skip
    "has_aux": lambda lib, F, a, b: F.grad(lambda a: ((a**2).sum(), {"c": a.cos(), "b": b}), has_aux=True)(a),  # fmt: skip
    "grad_and_value": lambda lib, F, a, b: F.grad_and_value(lambda a, b: (a * b.exp()).sum(), argnums=(0, 1))(a, b),  # fmt: skip
    "grad_and_value_aux": lambda lib, F, a, b: F.grad_and_value(lambda a: ((a**3).sum(), (a.sin(), [a * b])), has_aux=True)(a),  # fmt: skip
    "dict_input": lambda lib, F, a, b: F.grad(lambda d: (d["a"] * d["b"].tanh()).sum())({"a": a, "b": b}),  # fmt: skip
    "tuple_input": lambda lib, F, a, b: F.grad(lambda p: (p[0] * p[1]).sum())((a, b)),
    "list_input": lambda lib, F, a, b: F.grad(lambda p: (p[0] / (1 + p[1] ** 2)).sum())([a, b]),
    "nested_input": lambda lib, F, a, b: F.grad(lambda p: (p["x"][0] * p["x"][1] + p["y"]).sum())({"x": (a, b), "y": a}),  # fmt: skip
    "closure": lambda lib, F, a, b: F.grad(lambda a: (a * b).sin().sum())(a),
    "kwargs_not_differentiated": lambda lib, F, a, b: F.grad(lambda a, *, s: (a * s).sum())(a, s=b),  # fmt: skip
    "zero_gradient": lambda lib, F, a, b: F.grad(lambda a, b: (b**2).sum())(a, b),
    "constant_output": lambda lib, F, a, b: F.grad(lambda a: lib.tensor(3.0, dtype=lib.float64))(a),  # fmt: skip
    "constant_output_value": lambda lib, F, a, b: F.grad_and_value(lambda a: b.sum())(a),
    "zero_dim": lambda lib, F, a, b: F.grad(lambda a: a.exp() * a)(a[0]),
    "returns_input_sum": lambda lib, F, a, b: F.grad(lambda a: a.sum())(a),
}


@pytest.mark.parametrize("name", GRAD_CASES)
def test_grad_matches_torch(name):
    check(GRAD_CASES[name], X3, Y3)


def test_grad_result_does_not_require_grad_but_is_differentiable_when_input_does():
    def fn(lib, F, a, b):
        g = F.grad(lambda a, b: (a.sin() * b).sum(), argnums=(0, 1))(a, b)
        # the result depends on a and b through the ordinary graph: differentiate it once more
        dg = lib.autograd.grad((g[0] * g[1]).sum(), (a, b), create_graph=False)
        return g, dg

    m, _ = check(fn, X3, Y3, requires_grad=True)
    assert m[0][0].requires_grad and m[0][0].grad_fn is not None


def test_grad_closure_over_tensor_requiring_grad_stays_differentiable():
    def fn(lib, F, a, b):
        g = F.grad(lambda a: (a * b).tanh().sum())(a.detach())
        return g, lib.autograd.grad(g.sum(), b, create_graph=False)

    check(fn, X3, Y3, requires_grad=True)


GRAD_ERRORS = {
    "non_scalar_output": (lambda lib, F, a: F.grad(lambda a: a**2)(a), True),
    "one_element_output": (lambda lib, F, a: F.grad(lambda a: a[:1].exp())(a), True),
    "non_tensor_output": (lambda lib, F, a: F.grad(lambda a: 3.0)(a), True),
    "none_output": (lambda lib, F, a: F.grad(lambda a: None)(a), True),
    "integer_input": (lambda lib, F, a: F.grad(lambda a: (a**2).sum())(a.long()), True),
    "argnums_too_large": (lambda lib, F, a: F.grad(lambda a: a.sum(), argnums=1)(a), True),
    "argnums_too_negative": (lambda lib, F, a: F.grad(lambda a: a.sum(), argnums=-2)(a), True),
    "argnums_empty": (lambda lib, F, a: F.grad(lambda a: a.sum(), argnums=())(a), False),
    "argnums_float_in_tuple": (lambda lib, F, a: F.grad(lambda a: a.sum(), argnums=(0, 1.0))(a), False),  # fmt: skip
    "has_aux_not_tuple": (lambda lib, F, a: F.grad(lambda a: a.sum(), has_aux=True)(a), True),
    "has_aux_three_tuple": (lambda lib, F, a: F.grad(lambda a: (a.sum(), a, a), has_aux=True)(a), True),  # fmt: skip
    "has_aux_list": (lambda lib, F, a: F.grad(lambda a: [a.sum(), a], has_aux=True)(a), True),
    "grad_and_value_non_scalar": (lambda lib, F, a: F.grad_and_value(lambda a: a.sin())(a), True),
}


@pytest.mark.parametrize("name", GRAD_ERRORS)
def test_grad_errors_match_torch(name):
    fn, same_message = GRAD_ERRORS[name]
    check_error(fn, X3, same_message=same_message)


# ---- 3. compositions to third order ------------------------------------------------------------


def _f_scalar(x):
    return (x.sin() * x**3).sum() + (x[0] * x[-1]).tanh()


def _f_vector(x):
    return x.sin() * x.cos().sum() * x + x.flip(0) ** 2


COMPOSITIONS = {
    "grad3": lambda lib, F, x: F.grad(F.grad(F.grad(lambda t: t.sin() * t**3)))(x[0]),
    "jacrev_jacfwd": lambda lib, F, x: F.jacrev(F.jacfwd(_f_vector))(x),
    "jacfwd_jacrev": lambda lib, F, x: F.jacfwd(F.jacrev(_f_vector))(x),
    "jacrev_jacrev": lambda lib, F, x: F.jacrev(F.jacrev(_f_vector))(x),
    "jacfwd_jacfwd": lambda lib, F, x: F.jacfwd(F.jacfwd(_f_vector))(x),
    "hessian_scalar": lambda lib, F, x: F.hessian(_f_scalar)(x),
    "hessian_vector": lambda lib, F, x: F.hessian(_f_vector)(x),
    "jacrev_hessian": lambda lib, F, x: F.jacrev(F.hessian(_f_scalar))(x),
    "jacfwd_hessian": lambda lib, F, x: F.jacfwd(F.hessian(_f_scalar))(x),
    "jacfwd_grad": lambda lib, F, x: F.jacfwd(F.grad(_f_scalar))(x),
    "jvp_grad": lambda lib, F, x: F.jvp(F.grad(_f_scalar), (x,), (x.flip(0),)),
    "grad_jvp": lambda lib, F, x: F.grad(lambda t: F.jvp(_f_scalar, (t,), (t.cos(),))[1])(x),
    "vjp_of_jacfwd": lambda lib, F, x: F.vjp(F.jacfwd(_f_vector), x)[1](x.outer(x)),
}


@pytest.mark.parametrize("name", COMPOSITIONS)
def test_compositions_match_torch(name):
    check(COMPOSITIONS[name], _rng(4).standard_normal(4))


B45 = _rng(5).standard_normal((4, 5))
W5 = _rng(6).standard_normal(5)

VMAP_COMPOSITIONS = {
    "vmap_grad": lambda lib, F, xs, w: F.vmap(F.grad(lambda x: (x.sin() * x).sum()))(xs),
    "vmap_grad_two_args": lambda lib, F, xs, w: F.vmap(F.grad(lambda w, x: (w * x).tanh().sum()), in_dims=(None, 0))(w, xs),  # fmt: skip
    "vmap_grad_argnums_dict": lambda lib, F, xs, w: F.vmap(F.grad(lambda d, x: (d["w"] * x).sum() ** 2), in_dims=(None, 0))({"w": w}, xs),  # fmt: skip
    "vmap_jacrev": lambda lib, F, xs, w: F.vmap(F.jacrev(lambda x: x.sin() * x.sum()))(xs),
    "vmap_jacfwd": lambda lib, F, xs, w: F.vmap(F.jacfwd(lambda x: x.sin() * x.sum()))(xs),
    "vmap_hessian": lambda lib, F, xs, w: F.vmap(F.hessian(lambda x: (x.sin() * x**2).sum()))(xs),  # fmt: skip
    "vmap_vjp": lambda lib, F, xs, w: F.vmap(lambda x, v: F.vjp(lambda x: x.sin() * x.sum(), x)[1](v))(xs, xs.cos()),  # fmt: skip
    "vmap_jvp": lambda lib, F, xs, w: F.vmap(lambda x, v: F.jvp(lambda x: x.sin() * x.sum(), (x,), (v,)))(xs, xs.cos()),  # fmt: skip
    "grad_of_vmap": lambda lib, F, xs, w: F.grad(lambda w: F.vmap(lambda x: (w * x).tanh().sum())(xs).sum())(w),  # fmt: skip
    "jacrev_of_vmap": lambda lib, F, xs, w: F.jacrev(lambda w: F.vmap(lambda x: (w * x).tanh().sum())(xs))(w),  # fmt: skip
    "jacfwd_of_vmap": lambda lib, F, xs, w: F.jacfwd(lambda w: F.vmap(lambda x: (w * x).tanh().sum())(xs))(w),  # fmt: skip
    "vjp_of_vmap": lambda lib, F, xs, w: F.vjp(lambda w: F.vmap(lambda x: (w * x).tanh().sum())(xs), w)[1](xs[:, 0]),  # fmt: skip
    "vmap_vmap": lambda lib, F, xs, w: F.vmap(F.vmap(lambda x, w: x.sin() * w, in_dims=(0, None)), in_dims=(0, None))(xs, w[0]),  # fmt: skip
    "vmap_vmap_dims": lambda lib, F, xs, w: F.vmap(F.vmap(lambda x: x * x.sum(), in_dims=0, out_dims=0), in_dims=1, out_dims=1)(xs),  # fmt: skip
    "vmap_vmap_outer_product": lambda lib, F, xs, w: F.vmap(F.vmap(lambda a, b: a * b, in_dims=(None, 0)), in_dims=(0, None))(xs[:, 0], w),  # fmt: skip
    "vmap_vmap_3d": lambda lib, F, xs, w: F.vmap(F.vmap(lambda x: x.exp().sum(), in_dims=-1), in_dims=1, out_dims=-1)(xs.reshape(2, 2, 5)),  # fmt: skip
}


@pytest.mark.parametrize("name", VMAP_COMPOSITIONS)
def test_vmap_compositions_match_torch(name):
    check(VMAP_COMPOSITIONS[name], B45, W5)


def test_vmap_of_grad_refuses_data_dependent_control_flow_inside_grad():
    for lib, F in LIBS:
        xs = _tensor(lib, B45)
        with pytest.raises(RuntimeError, match="data-dependent control flow"):
            F.vmap(F.grad(lambda x: (x if x.sum() > 0 else -x).sum()))(xs)
        with pytest.raises(RuntimeError, match=r"\.item\(\)"):
            F.vmap(F.jacrev(lambda x: x * x.sum().item()))(xs)


# ---- 4. jacrev and jacfwd: argnums, pytree outputs, has_aux ------------------------------------


def _two_outputs(a, b):
    return (a.sin() * b.sum(), {"s": (a * b).sum(), "m": a.outer(b)})


JACOBIANS = {
    "single": lambda F, a, b: F(lambda a: a.sin() * a.sum())(a),
    "argnums_1": lambda F, a, b: F(lambda a, b: a.outer(b).tanh(), argnums=1)(a, b),
    "argnums_tuple": lambda F, a, b: F(lambda a, b: a.outer(b).tanh(), argnums=(0, 1))(a, b),
    "argnums_negative": lambda F, a, b: F(lambda a, b: a * b.exp(), argnums=(-1,))(a, b),
    "tuple_dict_output": lambda F, a, b: F(_two_outputs, argnums=(0, 1))(a, b),
    "list_output": lambda F, a, b: F(lambda a: [a.exp(), a.sum()])(a),
    "dict_input": lambda F, a, b: F(lambda d: d["a"] * d["b"].sin())({"a": a, "b": b}),
    "scalar_output": lambda F, a, b: F(lambda a: (a**2).sum())(a),
    "scalar_input": lambda F, a, b: F(lambda t: t * a)(b[0]),
    "matrix_input": lambda F, a, b: F(lambda m: m @ b)(a.outer(b)),
    "has_aux": lambda F, a, b: F(lambda a: (a.sin(), {"aux": a.cos()}), has_aux=True)(a),
    "has_aux_argnums": lambda F, a, b: F(lambda a, b: (a * b, (a + b, a)), argnums=(0, 1), has_aux=True)(a, b),  # fmt: skip
    "unused_input": lambda F, a, b: F(lambda a, b: a.exp(), argnums=(0, 1))(a, b),
}


@pytest.mark.parametrize("transform", ["jacrev", "jacfwd"])
@pytest.mark.parametrize("name", JACOBIANS)
def test_jacobians_match_torch(name, transform):
    check(lambda lib, F, a, b: JACOBIANS[name](getattr(F, transform), a, b), X3, Y3[:2])


@pytest.mark.parametrize("transform", ["jacrev", "jacfwd"])
def test_jacobian_of_input_requiring_grad_is_differentiable(transform):
    def fn(lib, F, a):
        jac = getattr(F, transform)(lambda a: a.sin() * a.sum())(a)
        return jac, lib.autograd.grad(jac.sum(), a, create_graph=False)

    check(fn, X3, requires_grad=True)


# ---- 5. vjp and jvp ----------------------------------------------------------------------------


def _vjp_tree(lib, F, a, b):
    out, fn = F.vjp(_two_outputs, a, b)
    cot = (a.cos(), {"s": lib.tensor(0.5, dtype=lib.float64), "m": a.outer(b).exp()})
    return out, fn(cot), fn(cot)  # vjp_fn may be called twice


VJP_CASES = {
    "values": lambda lib, F, a, b: F.vjp(lambda a, b: a.sin() * b, a, b)[0],
    "vjp_fn": lambda lib, F, a, b: F.vjp(lambda a, b: a.sin() * b, a, b)[1](b.exp()),
    "tree": _vjp_tree,
    "dict_primal": lambda lib, F, a, b: F.vjp(lambda d: d["a"] * d["b"], {"a": a, "b": b})[1](a),
    "unused_primal": lambda lib, F, a, b: F.vjp(lambda a, b: a.sin(), a, b)[1](b),
    "has_aux": lambda lib, F, a, b: (lambda o, fn, aux: (o, fn(b), aux))(*F.vjp(lambda a: (a.sin(), {"c": a.cos()}), a, has_aux=True)),  # fmt: skip
    "float32_cotangent": lambda lib, F, a, b: F.vjp(lambda a: a.sin(), a)[1](b.float()),
}


@pytest.mark.parametrize("name", VJP_CASES)
def test_vjp_matches_torch(name):
    check(VJP_CASES[name], X3, Y3)


VJP_ERRORS = {
    "cotangent_structure": lambda lib, F, a, b: F.vjp(_two_outputs, a, b)[1]((a, a)),
    "cotangent_dict_keys": lambda lib, F, a, b: F.vjp(_two_outputs, a, b)[1]((a, {"m": a, "s": a})),  # fmt: skip
    "cotangent_list_for_tuple": lambda lib, F, a, b: F.vjp(lambda a: (a, a.sin()), a)[1]([a, a]),
    "cotangent_shape": lambda lib, F, a, b: F.vjp(lambda a: a.sin(), a)[1](a.outer(b)),
    "non_tensor_output": lambda lib, F, a, b: F.vjp(lambda a: 3.0, a),
    "integer_primal": lambda lib, F, a, b: F.vjp(lambda a: a * 2, a.long()),
    "has_aux_not_tuple": lambda lib, F, a, b: F.vjp(lambda a: a.sin(), a, has_aux=True),
}


@pytest.mark.parametrize("name", VJP_ERRORS)
def test_vjp_errors_match_torch(name):
    check_error(VJP_ERRORS[name], X3, Y3)


def test_vjp_cotangent_structure_message():
    m, t = check_error(VJP_ERRORS["cotangent_structure"], X3, Y3)
    prefix = "Expected pytree structure of cotangents to be the same as pytree structure of outputs"
    assert str(m).startswith(prefix) and str(t).startswith(prefix)


A23, B34 = _rng(7).standard_normal((2, 3)), _rng(8).standard_normal((3, 4))

JVP_CASES = {
    "elementwise": lambda lib, F, a, b, u, v: F.jvp(lambda a: a.sin() * a, (a,), (u,)),
    "two_primals": lambda lib, F, a, b, u, v: F.jvp(lambda a, b: (a @ b).tanh(), (a, b), (u, v)),
    "exp_tangent": lambda lib, F, a, b, u, v: F.jvp(lambda a: a.exp().sum(0), (a,), (u,)),
    "tree_output": lambda lib, F, a, b, u, v: F.jvp(lambda a, b: (a @ b, {"s": a.sum(), "e": b.exp()}), (a, b), (u, v)),  # fmt: skip
    "dict_primal": lambda lib, F, a, b, u, v: F.jvp(lambda d: d["a"].sin() @ d["b"], ({"a": a, "b": b},), ({"a": u, "b": v},)),  # fmt: skip
    "has_aux": lambda lib, F, a, b, u, v: F.jvp(lambda a: (a.sin(), {"c": a.cos()}), (a,), (u,), has_aux=True),  # fmt: skip
    "constant_output": lambda lib, F, a, b, u, v: F.jvp(lambda a: b * 2, (a,), (u,)),
    "strict": lambda lib, F, a, b, u, v: F.jvp(lambda a: a.tanh(), (a,), (u,), strict=True),
    "float32_tangent": lambda lib, F, a, b, u, v: F.jvp(lambda a: a.sin(), (a,), (u.float(),)),
}


@pytest.mark.parametrize("name", JVP_CASES)
def test_jvp_matches_torch(name):
    check(JVP_CASES[name], A23, B34, A23[::-1].copy(), B34 * 0.5)


JVP_ERRORS = {
    "primals_not_tuple": (lambda lib, F, a, b: F.jvp(lambda a: a.sin(), a, (b,)), True),
    "primals_list": (lambda lib, F, a, b: F.jvp(lambda a: a.sin(), [a], [b]), True),
    "tangents_not_tuple": (lambda lib, F, a, b: F.jvp(lambda a: a.sin(), (a,), b), False),
    "tangent_count": (lambda lib, F, a, b: F.jvp(lambda a, c: a.sin(), (a, a), (b,)), False),
    "tangent_shape": (lambda lib, F, a, b: F.jvp(lambda a: a.sin(), (a,), (b[:2],)), True),
    "integer_primal": (lambda lib, F, a, b: F.jvp(lambda a: a * 2, (a.long(),), (b,)), True),
    "non_tensor_output": (lambda lib, F, a, b: F.jvp(lambda a: 3.0, (a,), (b,)), True),
}


@pytest.mark.parametrize("name", JVP_ERRORS)
def test_jvp_errors_match_torch(name):
    fn, same_message = JVP_ERRORS[name]
    check_error(fn, X3, Y3, same_message=same_message)


def test_jvp_against_input_requiring_grad():
    def fn(lib, F, a, u):
        out, tangent = F.jvp(lambda a: a.sin() * a.sum(), (a,), (u.detach(),))
        return out, tangent, lib.autograd.grad(tangent.sum(), a, create_graph=False)

    check(fn, X3, Y3, requires_grad=True)


# ---- 6. vmap -----------------------------------------------------------------------------------

A234, C54 = _rng(9).standard_normal((2, 3, 4)), _rng(10).standard_normal((5, 4))

VMAP_CASES = {
    "default": lambda lib, F, a, b, c: F.vmap(lambda x: x.sin() * x.sum())(a),
    "in_dims_1": lambda lib, F, a, b, c: F.vmap(lambda x: x.sin() * x.sum(), in_dims=1)(a),
    "in_dims_negative": lambda lib, F, a, b, c: F.vmap(lambda x: x.softmax(0), in_dims=-1)(a),
    "in_dims_none": lambda lib, F, a, b, c: F.vmap(lambda x, y: x @ y, in_dims=(0, None))(a, c),
    "in_dims_tuple": lambda lib, F, a, b, c: F.vmap(lambda x, y: x * y.sum(), in_dims=(2, 1))(a, c),  # fmt: skip
    "in_dims_nested_dict": lambda lib, F, a, b, c: F.vmap(lambda d: d["x"] @ d["y"], in_dims=({"x": 0, "y": None},))({"x": a, "y": c}),  # fmt: skip
    "in_dims_nested_tuple": lambda lib, F, a, b, c: F.vmap(lambda p: p[0].sum() * p[1], in_dims=((0, -1),))((a, b)),  # fmt: skip
    "in_dims_none_non_tensor": lambda lib, F, a, b, c: F.vmap(lambda x, n: x * n, in_dims=(0, None))(a, 2.5),  # fmt: skip
    "out_dims_1": lambda lib, F, a, b, c: F.vmap(lambda x: x * 2, out_dims=1)(a),
    "out_dims_negative": lambda lib, F, a, b, c: F.vmap(lambda x: x.exp(), in_dims=1, out_dims=-1)(a),  # fmt: skip
    "out_dims_tuple": lambda lib, F, a, b, c: F.vmap(lambda x: (x * 2, x.sum()), out_dims=(2, 0))(a),  # fmt: skip
    "out_dims_one_tuple": lambda lib, F, a, b, c: F.vmap(lambda x: x * 2, out_dims=(1,))(a),
    "out_dims_none": lambda lib, F, a, b, c: F.vmap(lambda x: (x * 2, c), out_dims=(0, None))(a),  # fmt: skip
    "dict_output": lambda lib, F, a, b, c: F.vmap(lambda x: {"a": x * 2, "b": x.sum()})(a),
    "list_output": lambda lib, F, a, b, c: F.vmap(lambda x: [x * 2, x.amax(1)])(a),
    "kwargs_unbatched": lambda lib, F, a, b, c: F.vmap(lambda x, *, w: x @ w)(a, w=c.T),
    "returns_unbatched_closure": lambda lib, F, a, b, c: F.vmap(lambda x: c * 2)(a),
    "returns_input": lambda lib, F, a, b, c: F.vmap(lambda x: x)(a),
    "integer_input": lambda lib, F, a, b, c: F.vmap(lambda x: x * 2 + x.sum())(a.long()),
    "chunk_size": lambda lib, F, a, b, c: F.vmap(lambda x: x.sin(), in_dims=2, chunk_size=3)(a),
    "input_requires_grad": lambda lib, F, a, b, c: F.vmap(lambda x: x.sin() * x.sum())(a.requires_grad_()),  # fmt: skip
    "unbatched_control_flow": lambda lib, F, a, b, c: F.vmap(lambda x: x * (1 if c.sum() > 0 else -1))(a),  # fmt: skip
    "unbatched_item": lambda lib, F, a, b, c: F.vmap(lambda x: x * c.sum().item())(a),
}


@pytest.mark.parametrize("name", VMAP_CASES)
def test_vmap_matches_torch(name):
    check(VMAP_CASES[name], A234, A234[0, 0], C54)


VMAP_ERRORS = {
    "mismatched_batch_sizes": (lambda lib, F, a, c: F.vmap(lambda x, y: x)(a, c), ValueError),
    "in_dim_on_non_tensor": (lambda lib, F, a, c: F.vmap(lambda x, n: x * n, in_dims=(0, 0))(a, 2.0), ValueError),  # fmt: skip
    "in_dim_out_of_range": (lambda lib, F, a, c: F.vmap(lambda x: x, in_dims=3)(a), ValueError),
    "in_dim_out_of_range_negative": (lambda lib, F, a, c: F.vmap(lambda x: x, in_dims=-4)(a), ValueError),  # fmt: skip
    "in_dim_on_zero_dim": (lambda lib, F, a, c: F.vmap(lambda x: x)(a.sum()), ValueError),
    "in_dims_wrong_length": (lambda lib, F, a, c: F.vmap(lambda x, y: x, in_dims=(0,))(a, a), ValueError),  # fmt: skip
    "in_dims_all_none": (lambda lib, F, a, c: F.vmap(lambda x: x, in_dims=None)(a), ValueError),
    "in_dims_float": (lambda lib, F, a, c: F.vmap(lambda x: x, in_dims=0.0)(a), ValueError),
    "non_tensor_output": (lambda lib, F, a, c: F.vmap(lambda x: 3.0)(a), ValueError),
    "none_output": (lambda lib, F, a, c: F.vmap(lambda x: None)(a), ValueError),
    "out_dims_structure": (lambda lib, F, a, c: F.vmap(lambda x: (x, x, x), out_dims=(0, 1))(a), ValueError),  # fmt: skip
    "out_dims_out_of_range": (lambda lib, F, a, c: F.vmap(lambda x: x, out_dims=4)(a), IndexError),  # fmt: skip
    "bad_randomness": (lambda lib, F, a, c: F.vmap(lambda x: x, randomness="foo")(a), RuntimeError),  # fmt: skip
    "chunk_size_zero": (lambda lib, F, a, c: F.vmap(lambda x: x, chunk_size=0)(a), ValueError),
    "data_dependent_if": (lambda lib, F, a, c: F.vmap(lambda x: x if x.sum() > 0 else -x)(a), RuntimeError),  # fmt: skip
    "item": (lambda lib, F, a, c: F.vmap(lambda x: x * x.sum().item())(a), RuntimeError),
    "float": (lambda lib, F, a, c: F.vmap(lambda x: x * float(x.sum()))(a), RuntimeError),
    "nested_item": (lambda lib, F, a, c: F.vmap(F.vmap(lambda x: x * x.sum().item()))(a), RuntimeError),  # fmt: skip
    "random_in_error_mode": (lambda lib, F, a, c: F.vmap(lambda x: x + lib.rand(4, dtype=lib.float64))(a), RuntimeError),  # fmt: skip
    "random_like_in_error_mode": (lambda lib, F, a, c: F.vmap(lambda x: x + lib.randn_like(x))(a), RuntimeError),  # fmt: skip
    "random_inside_same_inside_error": (lambda lib, F, a, c: F.vmap(F.vmap(lambda x: x + lib.rand(()), randomness="same"))(a), RuntimeError),  # fmt: skip
}


@pytest.mark.parametrize("name", VMAP_ERRORS)
def test_vmap_errors_match_torch(name):
    fn, cls = VMAP_ERRORS[name]
    m, t = check_error(fn, A234, C54)
    assert isinstance(t, cls)


@pytest.mark.parametrize(
    "name, message",
    [
        ("mismatched_batch_sizes", True),
        ("in_dim_on_non_tensor", True),
        ("in_dim_out_of_range", True),
        ("non_tensor_output", True),
        ("out_dims_out_of_range", True),
        ("random_in_error_mode", True),
        ("item", True),
        ("data_dependent_if", False),
    ],
)
def test_vmap_error_messages(name, message):
    fn, _ = VMAP_ERRORS[name]
    if message:
        check_error(fn, A234, C54, same_message=True)
    else:
        check_error(fn, A234, C54, contains="data-dependent control flow")


def test_vmap_data_dependent_error_names_the_op():
    with pytest.raises(RuntimeError, match="sum"):
        mfunc.vmap(lambda x: x if x.sum() > 0 else -x)(mytorch.zeros(3, 2))
    # a batched value's mark ends with its vmap: the result is an ordinary tensor
    out = mfunc.vmap(lambda x: x * 2)(mytorch.ones(3, 2))
    assert bool(out.sum() > 0) and out.sum().item() == 12.0


RANDOM_OPS = {
    "rand": lambda lib, x: x + lib.rand(5, dtype=lib.float64),
    "randn_like": lambda lib, x: x + lib.randn_like(x),
    "dropout": lambda lib, x: lib.nn.functional.dropout(x + 1, 0.5),
    "normal_": lambda lib, x: (x * 1).normal_(),
    "unbatched_shape": lambda lib, x: lib.rand(3, dtype=lib.float64),
}


@pytest.mark.parametrize("randomness", ["same", "different"])
@pytest.mark.parametrize("op", RANDOM_OPS)
def test_vmap_randomness_pattern_matches_torch(op, randomness):
    """'same': every example draws the same numbers; 'different': they differ. The streams of
    the two libraries differ, so the pattern is compared, not the values."""
    patterns = []
    for lib, F in LIBS:
        lib.manual_seed(0)
        out = F.vmap(lambda x: RANDOM_OPS[op](lib, x), randomness=randomness)(lib.zeros(4, 5, dtype=lib.float64))  # fmt: skip
        rows = out.numpy()
        patterns.append((tuple(rows.shape), all(np.array_equal(rows[0], r) for r in rows[1:])))
    assert patterns[0] == patterns[1]
    assert patterns[0][1] == (randomness == "same")


def test_vmap_nested_randomness_matches_torch():
    patterns = []
    for lib, F in LIBS:
        inner_same = F.vmap(F.vmap(lambda x: x + lib.rand(()), randomness="same"), randomness="different")  # fmt: skip
        inner_diff = F.vmap(F.vmap(lambda x: x + lib.rand(()), randomness="different"), randomness="same")  # fmt: skip
        a = inner_same(lib.zeros(3, 4)).numpy()
        b = inner_diff(lib.zeros(3, 4)).numpy()
        patterns.append(([len(set(r)) for r in a], [len(set(r)) for r in b], np.array_equal(b[0], b[1])))  # fmt: skip
    assert patterns[0] == patterns[1] == ([1, 1, 1], [4, 4, 4], True)


def test_vmap_randomness_advances_the_generator_like_torch():
    """After vmap, the global stream is where torch leaves it: one draw for 'same', one per
    example for 'different'."""
    for lib, F in LIBS:
        lib.manual_seed(0)
        F.vmap(lambda x: x + lib.rand(()), randomness="same")(lib.zeros(4))
        after_same = lib.rand(3).numpy()
        lib.manual_seed(0)
        F.vmap(lambda x: x + lib.rand(()), randomness="different")(lib.zeros(4))
        after_different = lib.rand(3).numpy()
        lib.manual_seed(0)
        lib.rand(())
        one = lib.rand(3).numpy()
        lib.manual_seed(0)
        lib.rand(4)
        four = lib.rand(3).numpy()
        np.testing.assert_array_equal(after_same, one)
        np.testing.assert_array_equal(after_different, four)


@st.composite
def _vmap_problem(draw):
    """A batch size, an example shape, and where the batch dim sits in each input and output."""
    size = draw(st.integers(1, 4))
    shape = draw(st.lists(st.integers(1, 3), min_size=1, max_size=3))
    ndim = len(shape) + 1
    in_x = draw(st.integers(-ndim, ndim - 1))
    in_y = draw(st.one_of(st.none(), st.integers(-ndim, ndim - 1)))
    out = draw(st.integers(-ndim, ndim - 1))
    seed = draw(st.integers(0, 2**16))
    return size, tuple(shape), in_x, in_y, out, seed


def _composite(lib, x, y):
    return (x.sin() * y.exp().sum() + x.mean(0, keepdim=True)).tanh() * y.flip(0)


@given(_vmap_problem())
def test_vmap_hypothesis_in_dims_out_dims(problem):
    size, shape, in_x, in_y, out, seed = problem
    rng = _rng(seed)

    def batched(d):
        full = list(shape)
        if d is None:
            return rng.standard_normal(full)
        full.insert(d % (len(shape) + 1), size)
        return rng.standard_normal(full)

    x, y = batched(in_x), batched(in_y)
    check(
        lambda lib, F, x, y: F.vmap(lambda a, b: _composite(lib, a, b), in_dims=(in_x, in_y), out_dims=out)(x, y),  # fmt: skip
        x, y,
    )  # fmt: skip


@given(
    st.lists(st.integers(1, 3), min_size=0, max_size=3),
    st.integers(0, 2**16),
    st.sampled_from(["grad", "jacrev", "jacfwd"]),
)
def test_transforms_hypothesis_shapes(shape, seed, transform):
    """grad of a reduction and the Jacobians of an elementwise-and-reduce function on any shape."""
    x = _rng(seed).standard_normal(shape)

    def fn(lib, F, x):
        if transform == "grad":
            return F.grad(lambda t: (t.sin() * t.exp()).sum())(x)
        return getattr(F, transform)(lambda t: t.tanh() * t.sum())(x)

    check(fn, x)


# ---- per-sample gradients and the Hessian of a model's loss ------------------------------------


def _model(lib, sizes, state):
    lib.manual_seed(0)
    layers = []
    for i, (a, b) in enumerate(zip(sizes, sizes[1:])):
        layers += [lib.nn.Linear(a, b).double()] + ([lib.nn.Tanh()] if i < len(sizes) - 2 else [])  # fmt: skip
    model = lib.nn.Sequential(*layers)
    model.load_state_dict({k: lib.tensor(v) for k, v in state.items()})
    return model


def _state(sizes, seed):
    rng = _rng(seed)
    ref = _model_shapes(sizes)
    return {k: rng.standard_normal(s) for k, s in ref.items()}


def _model_shapes(sizes):
    shapes, i = {}, 0
    for a, b in zip(sizes, sizes[1:]):
        shapes[f"{i}.weight"], shapes[f"{i}.bias"] = (b, a), (b,)
        i += 2
    return shapes


def test_per_sample_gradients_of_a_model():
    sizes = (3, 4, 2)
    state = _state(sizes, 11)
    rng = _rng(12)
    xs, ys = rng.standard_normal((6, 3)), rng.standard_normal((6, 2))

    def fn(lib, F, xs, ys):
        model = _model(lib, sizes, state)
        params = {k: v.detach() for k, v in model.named_parameters()}

        def loss(params, xi, yi):
            return ((F.functional_call(model, params, (xi,)) - yi) ** 2).mean()

        per_sample = F.vmap(F.grad(loss), in_dims=(None, 0, 0))(params, xs, ys)
        # the mean of per-sample gradients is the batch gradient
        batch = F.grad(lambda p: ((F.functional_call(model, p, (xs,)) - ys) ** 2).mean(1).mean())(params)  # fmt: skip
        return per_sample, batch, {k: v.mean(0) for k, v in per_sample.items()}

    m, _ = check(fn, xs, ys)
    for k in m[1]:
        np.testing.assert_allclose(m[2][k].numpy(), m[1][k].numpy(), rtol=1e-10)
    assert tuple(m[0]["0.weight"].shape) == (6, 4, 3)


def test_hessian_of_a_model_loss_with_respect_to_a_parameter_dict():
    sizes = (3, 2, 1)
    state = _state(sizes, 13)
    rng = _rng(14)
    xs, ys = rng.standard_normal((5, 3)), rng.standard_normal((5, 1))

    def fn(lib, F, xs, ys):
        model = _model(lib, sizes, state)
        params = {k: v.detach() for k, v in model.named_parameters()}

        def loss(params):
            return ((F.functional_call(model, params, (xs,)) - ys) ** 2).mean()

        return F.hessian(loss)(params)

    m, _ = check(fn, xs, ys)
    assert list(m) == list(m["0.weight"]) == ["0.weight", "0.bias", "2.weight", "2.bias"]
    assert tuple(m["0.weight"]["2.weight"].shape) == (2, 3, 1, 2)


# ---- 8. functional_call ------------------------------------------------------------------------

SIZES = (3, 4, 2)
STATE = _state(SIZES, 15)
NEW = _state(SIZES, 16)
XS = _rng(17).standard_normal((5, 3))


def _state_of(model):
    return {k: v.detach().clone() for k, v in model.state_dict().items()}


def _fc_all(lib, F, x):
    model = _model(lib, SIZES, STATE)
    out = F.functional_call(model, {k: _tensor(lib, v) for k, v in NEW.items()}, (x,))
    return out, _state_of(model), [type(p).__name__ for p in model.parameters()]


def _fc_partial(lib, F, x):
    model = _model(lib, SIZES, STATE)
    return F.functional_call(model, {"0.weight": _tensor(lib, NEW["0.weight"])}, x)


def _fc_tuple_of_dicts(lib, F, x):
    model = _model(lib, SIZES, STATE)
    new = {k: _tensor(lib, v) for k, v in NEW.items()}
    names = list(new)
    first, second = {k: new[k] for k in names[:1]}, {k: new[k] for k in names[1:]}
    return F.functional_call(model, (first, second), (x,))


def _fc_kwargs(lib, F, x):
    class Scaled(lib.nn.Module):
        def __init__(self):
            super().__init__()
            self.w = lib.nn.Parameter(lib.ones(3, dtype=lib.float64))

        def forward(self, x, scale=1.0):
            return self.w * x * scale

    return F.functional_call(Scaled(), {"w": x[0]}, (x,), {"scale": 3.0})


def _fc_restored_after_error(lib, F, x):
    model = _model(lib, SIZES, STATE)
    with pytest.raises(RuntimeError):
        F.functional_call(model, {k: _tensor(lib, v) for k, v in NEW.items()}, (x[:, :2],))
    return _state_of(model), [type(p).__name__ for p in model.parameters()], model(x)


def _fc_unexpected_not_strict(lib, F, x):
    model = _model(lib, SIZES, STATE)
    extra = {"0.weight": _tensor(lib, NEW["0.weight"]), "extra": x.sum()}
    return F.functional_call(model, extra, (x,)), hasattr(model, "extra")


def _fc_autograd(lib, F, x):
    model = _model(lib, SIZES, STATE)
    params = {k: _tensor(lib, v, requires_grad=True) for k, v in NEW.items()}
    out = F.functional_call(model, params, (x,))
    grads = lib.autograd.grad((out**2).sum(), list(params.values()), create_graph=False)
    return out, grads, [p.grad is None for p in model.parameters()]


def _fc_grad(lib, F, x):
    model = _model(lib, SIZES, STATE)
    params = {k: _tensor(lib, v) for k, v in NEW.items()}
    return F.grad(lambda p: (F.functional_call(model, p, (x,)) ** 2).sum())(params)


def _tied(lib):
    class Tied(lib.nn.Module):
        def __init__(self):
            super().__init__()
            self.a = lib.nn.Linear(3, 3, bias=False).double()
            self.b = lib.nn.Linear(3, 3, bias=False).double()
            self.b.weight = self.a.weight

        def forward(self, x):
            return self.b(self.a(x))

    model = Tied()
    with lib.no_grad():
        model.a.weight.copy_(_tensor(lib, STATE["0.weight"][:3]))
    return model


def _fc_tied(lib, F, x):
    model = _tied(lib)
    eye2 = _tensor(lib, 2 * np.eye(3))
    return (
        F.functional_call(model, {"a.weight": eye2}, (x,)),  # replaces b.weight too
        F.functional_call(model, {"b.weight": eye2}, (x,)),
        F.functional_call(model, {"a.weight": eye2}, (x,), tie_weights=False),
        F.functional_call(model, {"a.weight": eye2, "b.weight": eye2}, (x,)),
        _state_of(model),
    )


def _fc_batchnorm(lib, F, x):
    bn = lib.nn.BatchNorm1d(3).double()
    buffers = {
        "running_mean": _tensor(lib, np.ones(3)),
        "running_var": _tensor(lib, 2 * np.ones(3)),
        "num_batches_tracked": lib.tensor(5),
    }
    train = F.functional_call(bn, buffers, (x,))  # updates the given buffers, not the module's
    evaluated = F.functional_call(bn.eval(), buffers, (x,))
    return train, buffers, evaluated, _state_of(bn)


FUNCTIONAL_CALL_CASES = {
    "all_parameters": _fc_all,
    "some_parameters_non_tuple_args": _fc_partial,
    "tuple_of_dicts": _fc_tuple_of_dicts,
    "kwargs": _fc_kwargs,
    "restored_after_error": _fc_restored_after_error,
    "unexpected_key_not_strict": _fc_unexpected_not_strict,
    "autograd_through_parameters": _fc_autograd,
    "grad_over_parameter_dict": _fc_grad,
    "tie_weights": _fc_tied,
    "batchnorm_buffers": _fc_batchnorm,
}


@pytest.mark.parametrize("name", FUNCTIONAL_CALL_CASES)
def test_functional_call_matches_torch(name):
    check(FUNCTIONAL_CALL_CASES[name], XS)


def _fc_strict(drop=(), extra=()):
    def fn(lib, F, x):
        model = _model(lib, SIZES, STATE)
        params = {k: _tensor(lib, v) for k, v in NEW.items() if k not in drop}
        params.update({k: x.sum() for k in extra})
        return F.functional_call(model, params, (x,), strict=True)

    return fn


FUNCTIONAL_CALL_ERRORS = {
    "strict_missing": (_fc_strict(drop=("0.bias", "2.weight")), RuntimeError, True),
    "strict_unexpected": (_fc_strict(extra=("foo",)), RuntimeError, True),
    "strict_both": (_fc_strict(drop=("2.bias",), extra=("foo", "bar")), RuntimeError, True),
    "key_in_two_dicts": (
        lambda lib, F, x: F.functional_call(_model(lib, SIZES, STATE), ({"0.bias": x[0, :1]}, {"0.bias": x[1, :1]}), (x,)),  # fmt: skip
        ValueError, False,
    ),  # fmt: skip
}


@pytest.mark.parametrize("name", FUNCTIONAL_CALL_ERRORS)
def test_functional_call_errors_match_torch(name):
    fn, cls, same_message = FUNCTIONAL_CALL_ERRORS[name]
    m, t = check_error(fn, XS, same_message=same_message)
    assert isinstance(t, cls)


def test_functional_call_strict_success_and_strict_error_restores_module():
    for lib, F in LIBS:
        model = _model(lib, SIZES, STATE)
        before = _state_of(model)
        with pytest.raises(RuntimeError, match="Missing key"):
            F.functional_call(model, {"0.weight": _tensor(lib, NEW["0.weight"])}, (lib.zeros(1, 3, dtype=lib.float64),), strict=True)  # fmt: skip
        after = _state_of(model)
        for k in before:
            np.testing.assert_array_equal(before[k].numpy(), after[k].numpy())
