"""mytorch.func against torch.func: grad, grad_and_value, vjp, jvp, jacrev, jacfwd, hessian, vmap
and functional_call, alone and composed, on the same float64 inputs in both libraries.

Each case is a function of `(lib, func, *tensors)`, where `func` is `lib.func`, run on both
libraries. Results are compared as trees: container types and dict keys first, then each
tensor's shape, dtype, `requires_grad` and values.
"""

from collections import namedtuple

import numpy as np
import pytest
import torch
import torch.func
from hypothesis import given
from hypothesis import strategies as st

import mytorch
import mytorch.func

LIBS = ((mytorch, mytorch.func), (torch, torch.func))
RTOL, ATOL = 1e-10, 1e-12
Pair = namedtuple("Pair", "a b")


def _rng(seed=0):
    return np.random.default_rng(seed)


def _tensor(lib, a, requires_grad=False):
    a = np.asarray(a)
    a = a.astype(np.float64) if a.dtype.kind == "f" else a
    return lib.tensor(a, requires_grad=requires_grad)


def assert_tree(m, t, path="out"):
    """A mytorch result against a torch result: same nesting, then the same tensors."""
    if isinstance(t, torch.Tensor):
        assert isinstance(m, mytorch.Tensor), f"{path}: {type(m).__name__} is not a Tensor"
        assert tuple(m.shape) == tuple(t.shape), f"{path}: shape {tuple(m.shape)} != {t.shape}"
        assert str(m.dtype).replace("mytorch.", "torch.") == str(t.dtype), f"{path}: {m.dtype}"
        assert m.requires_grad == t.requires_grad, f"{path}: requires_grad {m.requires_grad}"
        np.testing.assert_allclose(
            m.detach().numpy(), t.detach().numpy(), rtol=RTOL, atol=ATOL, err_msg=path
        )
    elif isinstance(t, (tuple, list)):
        # torch.return_types.max and mytorch.return_types.max count as the same type
        assert type(m).__name__ == type(t).__name__, f"{path}: {type(m)} != {type(t)}"
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


def _run(lib, func, case, arrays, requires_grad):
    return case(lib, func, *[_tensor(lib, a, requires_grad) for a in arrays])


def check(case, *arrays, requires_grad=False):
    """`case(lib, func, *tensors)` gives the same tree of tensors in both libraries."""
    expected = _run(torch, torch.func, case, arrays, requires_grad)
    actual = _run(mytorch, mytorch.func, case, arrays, requires_grad)
    assert_tree(actual, expected)
    return actual, expected


def check_error(case, *arrays, same_message=False):
    """Both libraries raise the same exception class (and, if asked, the same message, up to
    the library's name in dtypes)."""
    with pytest.raises(Exception) as texc:
        _run(torch, torch.func, case, arrays, False)
    with pytest.raises(Exception) as mexc:
        _run(mytorch, mytorch.func, case, arrays, False)
    assert type(mexc.value) is type(texc.value), (
        f"mytorch raised {type(mexc.value).__name__}: {mexc.value}; torch raised "
        f"{type(texc.value).__name__}: {texc.value}"
    )
    if same_message:
        assert str(mexc.value).replace("mytorch.", "torch.") == str(texc.value)
    return mexc.value, texc.value


# ---- the issue's example -----------------------------------------------------------------------


def test_issue_example_fourth_derivative():
    out = {}
    for lib, func in LIBS:
        g = lambda x: x.sin() * x**3
        out[lib] = func.grad(func.grad(func.grad(func.grad(g))))(lib.tensor(0.7, dtype=lib.float64))
    assert_tree(out[mytorch], out[torch])
    # independent of torch: d^4/dx^4 (x^3 sin x)
    x = 0.7
    closed = (x**3 - 36 * x) * np.sin(x) + (24 - 12 * x**2) * np.cos(x)
    np.testing.assert_allclose(out[mytorch].item(), closed, rtol=1e-12)


def test_issue_example_hessian():
    m, _ = check(
        lambda lib, func, x: func.hessian(lambda x: (x.sin() * x**3).sum())(x),
        _rng().standard_normal(5),
    )
    assert tuple(m.shape) == (5, 5)


def test_issue_example_per_sample_gradients():
    rng = _rng(1)

    def case(lib, func, w, xs):
        per_example = func.grad(lambda w, xi: (w @ xi).tanh())
        return func.vmap(per_example, in_dims=(None, 0))(w, xs)

    m, _ = check(case, rng.standard_normal(3), rng.standard_normal((8, 3)))
    assert tuple(m.shape) == (8, 3)


# ---- grad and grad_and_value -------------------------------------------------------------------

X3, Y3 = _rng(2).standard_normal(3), _rng(3).standard_normal(3)


def _prod_sin(a, b):
    return (a * b.sin()).sum()


GRAD_CASES = {
    "argnums_int": lambda lib, func, a, b: func.grad(_prod_sin, argnums=1)(a, b),
    "argnums_tuple": lambda lib, func, a, b: func.grad(_prod_sin, argnums=(0, 1))(a, b),
    "argnums_negative": lambda lib, func, a, b: func.grad(_prod_sin, argnums=-2)(a, b),
    "argnums_reordered": lambda lib, func, a, b: func.grad(_prod_sin, argnums=(-1, 0))(a, b),
    "has_aux": lambda lib, func, a, b: func.grad(
        lambda a: ((a**2).sum(), {"c": a.cos(), "b": b}), has_aux=True
    )(a),
    "grad_and_value": lambda lib, func, a, b: func.grad_and_value(_prod_sin, argnums=(0, 1))(a, b),
    "grad_and_value_has_aux": lambda lib, func, a, b: func.grad_and_value(
        lambda a: ((a**3).sum(), (a.sin(), [a * b])), has_aux=True
    )(a),
    "has_aux_empty_aux": lambda lib, func, a, b: func.grad(
        lambda a: ((a**3).sum(), ()), has_aux=True
    )(a),
    "dict_input": lambda lib, func, a, b: func.grad(lambda d: (d["a"] * d["b"].tanh()).sum())(
        {"a": a, "b": b}
    ),
    "tuple_input": lambda lib, func, a, b: func.grad(lambda p: (p[0] * p[1]).sum())((a, b)),
    "list_input": lambda lib, func, a, b: func.grad(lambda p: (p[0] / (1 + p[1] ** 2)).sum())(
        [a, b]
    ),
    "nested_input": lambda lib, func, a, b: func.grad(
        lambda p: (p["x"][0] * p["x"][1] + p["y"]).sum()
    )({"x": (a, b), "y": a}),
    "closure": lambda lib, func, a, b: func.grad(lambda a: (a * b).sin().sum())(a),
    "kwargs_not_differentiated": lambda lib, func, a, b: func.grad(lambda a, *, s: (a * s).sum())(
        a, s=b
    ),
    "zero_gradient": lambda lib, func, a, b: func.grad(lambda a, b: (b**2).sum())(a, b),
    "constant_output": lambda lib, func, a, b: func.grad(
        lambda a: lib.tensor(3.0, dtype=lib.float64)
    )(a),
    "closure_output_value": lambda lib, func, a, b: func.grad_and_value(lambda a: b.sum())(a),
    "zero_dim": lambda lib, func, a, b: func.grad(lambda a: a.exp() * a)(a[0]),
    "sum": lambda lib, func, a, b: func.grad(lambda a: a.sum())(a),
    "namedtuple_input": lambda lib, func, a, b: func.grad(lambda p: (p.a * p.b.exp()).sum())(
        Pair(a, b)
    ),
}


@pytest.mark.parametrize("name", GRAD_CASES)
def test_grad_matches_torch(name):
    check(GRAD_CASES[name], X3, Y3)


def test_grad_of_inputs_requiring_grad_is_differentiable():
    def case(lib, func, a, b):
        g = func.grad(lambda a, b: (a.sin() * b).sum(), argnums=(0, 1))(a, b)
        # the result depends on a and b through the ordinary graph: differentiate it again
        return g, lib.autograd.grad((g[0] * g[1]).sum(), (a, b), create_graph=False)

    m, _ = check(case, X3, Y3, requires_grad=True)
    assert m[0][0].grad_fn is not None


def test_grad_closing_over_a_tensor_requiring_grad_is_differentiable():
    def case(lib, func, a, b):
        g = func.grad(lambda a: (a * b).tanh().sum())(a.detach())
        return g, lib.autograd.grad(g.sum(), b, create_graph=False)

    check(case, X3, Y3, requires_grad=True)


GRAD_ERRORS = {
    "non_scalar_output": lambda lib, func, a: func.grad(lambda a: a**2)(a),
    "one_element_output": lambda lib, func, a: func.grad(lambda a: a[:1].exp())(a),
    "non_tensor_output": lambda lib, func, a: func.grad(lambda a: 3.0)(a),
    "none_output": lambda lib, func, a: func.grad(lambda a: None)(a),
    "integer_input": lambda lib, func, a: func.grad(lambda a: (a**2).sum())(a.long()),
    "non_tensor_input": lambda lib, func, a: func.grad(lambda p: p[0].sum())((a, 3)),
    "argnums_too_large": lambda lib, func, a: func.grad(lambda a: a.sum(), argnums=1)(a),
    "argnums_too_negative": lambda lib, func, a: func.grad(lambda a: a.sum(), argnums=-2)(a),
    "argnums_empty": lambda lib, func, a: func.grad(lambda a: a.sum(), argnums=())(a),
    "argnums_float": lambda lib, func, a: func.grad(lambda a: a.sum(), argnums=1.0)(a),
    "argnums_list": lambda lib, func, a: func.grad(lambda a: a.sum(), argnums=[0])(a),
    "argnums_float_in_tuple": lambda lib, func, a: func.grad(lambda a: a.sum(), argnums=(0, 1.0))(
        a
    ),
    "has_aux_not_tuple": lambda lib, func, a: func.grad(lambda a: a.sum(), has_aux=True)(a),
    "has_aux_three_tuple": lambda lib, func, a: func.grad(lambda a: (a.sum(), a, a), has_aux=True)(
        a
    ),
    "has_aux_list": lambda lib, func, a: func.grad(lambda a: [a.sum(), a], has_aux=True)(a),
    "has_aux_non_tensor_aux": lambda lib, func, a: func.grad(
        lambda a: (a.sum(), {"n": 3}), has_aux=True
    )(a),
    "has_aux_none_aux": lambda lib, func, a: func.grad(lambda a: (a.sum(), None), has_aux=True)(a),
    "grad_and_value_non_scalar": lambda lib, func, a: func.grad_and_value(lambda a: a.sin())(a),
}


@pytest.mark.parametrize("name", GRAD_ERRORS)
def test_grad_errors_match_torch(name):
    check_error(GRAD_ERRORS[name], X3, same_message=True)


# ---- compositions to third order ---------------------------------------------------------------


def _f_scalar(x):
    return (x.sin() * x**3).sum() + (x[0] * x[-1]).tanh()


def _f_vector(x):
    return x.sin() * x.cos().sum() * x + x.flip(0) ** 2


COMPOSITIONS = {
    "grad3": lambda lib, func, x: func.grad(func.grad(func.grad(lambda t: t.sin() * t**3)))(x[0]),
    "jacrev_jacfwd": lambda lib, func, x: func.jacrev(func.jacfwd(_f_vector))(x),
    "jacfwd_jacrev": lambda lib, func, x: func.jacfwd(func.jacrev(_f_vector))(x),
    "jacrev_jacrev": lambda lib, func, x: func.jacrev(func.jacrev(_f_vector))(x),
    "jacfwd_jacfwd": lambda lib, func, x: func.jacfwd(func.jacfwd(_f_vector))(x),
    "hessian_scalar": lambda lib, func, x: func.hessian(_f_scalar)(x),
    "hessian_vector": lambda lib, func, x: func.hessian(_f_vector)(x),
    "jacrev_hessian": lambda lib, func, x: func.jacrev(func.hessian(_f_scalar))(x),
    "jacfwd_hessian": lambda lib, func, x: func.jacfwd(func.hessian(_f_scalar))(x),
    "jacfwd_grad": lambda lib, func, x: func.jacfwd(func.grad(_f_scalar))(x),
    "jvp_grad": lambda lib, func, x: func.jvp(func.grad(_f_scalar), (x,), (x.flip(0),)),
    "grad_jvp": lambda lib, func, x: func.grad(lambda t: func.jvp(_f_scalar, (t,), (t.cos(),))[1])(
        x
    ),
    "vjp_jacfwd": lambda lib, func, x: func.vjp(func.jacfwd(_f_vector), x)[1](x.outer(x)),
}


@pytest.mark.parametrize("name", COMPOSITIONS)
def test_compositions_match_torch(name):
    check(COMPOSITIONS[name], _rng(4).standard_normal(4))


B45, W5 = _rng(5).standard_normal((4, 5)), _rng(6).standard_normal(5)


def _tanh_dot(w, x):
    return (w * x).tanh().sum()


def _vmapped_loss(func, w, xs):
    return func.vmap(lambda x: _tanh_dot(w, x))(xs)


VMAP_COMPOSITIONS = {
    "vmap_grad": lambda lib, func, xs, w: func.vmap(func.grad(lambda x: (x.sin() * x).sum()))(xs),
    "vmap_grad_two_args": lambda lib, func, xs, w: func.vmap(
        func.grad(_tanh_dot), in_dims=(None, 0)
    )(w, xs),
    "vmap_grad_dict": lambda lib, func, xs, w: func.vmap(
        func.grad(lambda d, x: (d["w"] * x).sum() ** 2), in_dims=(None, 0)
    )({"w": w}, xs),
    "vmap_jacrev": lambda lib, func, xs, w: func.vmap(func.jacrev(lambda x: x.sin() * x.sum()))(xs),
    "vmap_jacfwd": lambda lib, func, xs, w: func.vmap(func.jacfwd(lambda x: x.sin() * x.sum()))(xs),
    "vmap_hessian": lambda lib, func, xs, w: func.vmap(
        func.hessian(lambda x: (x.sin() * x**2).sum())
    )(xs),
    "vmap_vjp": lambda lib, func, xs, w: func.vmap(
        lambda x, v: func.vjp(lambda x: x.sin() * x.sum(), x)[1](v)
    )(xs, xs.cos()),
    "vmap_jvp": lambda lib, func, xs, w: func.vmap(
        lambda x, v: func.jvp(lambda x: x.sin() * x.sum(), (x,), (v,))
    )(xs, xs.cos()),
    "grad_vmap": lambda lib, func, xs, w: func.grad(lambda w: _vmapped_loss(func, w, xs).sum())(w),
    "jacrev_vmap": lambda lib, func, xs, w: func.jacrev(lambda w: _vmapped_loss(func, w, xs))(w),
    "jacfwd_vmap": lambda lib, func, xs, w: func.jacfwd(lambda w: _vmapped_loss(func, w, xs))(w),
    "vjp_vmap": lambda lib, func, xs, w: func.vjp(lambda w: _vmapped_loss(func, w, xs), w)[1](
        xs[:, 0]
    ),
    "vmap_vmap": lambda lib, func, xs, w: func.vmap(
        func.vmap(lambda x, s: x.sin() * s, in_dims=(0, None)), in_dims=(0, None)
    )(xs, w[0]),
    "vmap_vmap_dims": lambda lib, func, xs, w: func.vmap(
        func.vmap(lambda x: x * x.sum(), in_dims=0, out_dims=0), in_dims=1, out_dims=1
    )(xs),
    "vmap_vmap_outer_product": lambda lib, func, xs, w: func.vmap(
        func.vmap(lambda a, b: a * b, in_dims=(None, 0)), in_dims=(0, None)
    )(xs[:, 0], w),
    "vmap_vmap_3d": lambda lib, func, xs, w: func.vmap(
        func.vmap(lambda x: x.exp().sum(), in_dims=-1), in_dims=1, out_dims=-1
    )(xs.reshape(2, 2, 5)),
}


@pytest.mark.parametrize("name", VMAP_COMPOSITIONS)
def test_vmap_compositions_match_torch(name):
    check(VMAP_COMPOSITIONS[name], B45, W5)


# ---- jacrev and jacfwd: argnums, pytree inputs and outputs, has_aux ----------------------------


def _two_outputs(a, b):
    return (a.sin() * b.sum(), {"s": (a * b).sum(), "m": a.outer(b)})


JACOBIANS = {
    "single": lambda jac, a, b: jac(lambda a: a.sin() * a.sum())(a),
    "argnums_1": lambda jac, a, b: jac(lambda a, b: a.outer(b).tanh(), argnums=1)(a, b),
    "argnums_tuple": lambda jac, a, b: jac(lambda a, b: a.outer(b).tanh(), argnums=(0, 1))(a, b),
    "tuple_dict_output": lambda jac, a, b: jac(_two_outputs, argnums=(0, 1))(a, b),
    "list_output": lambda jac, a, b: jac(lambda a: [a.exp(), a.sum()])(a),
    "dict_input": lambda jac, a, b: jac(lambda d: d["a"] * d["b"].sin())({"a": a, "b": b}),
    "scalar_output": lambda jac, a, b: jac(lambda a: (a**2).sum())(a),
    "scalar_input": lambda jac, a, b: jac(lambda t: t * a)(b[0]),
    "matrix_input": lambda jac, a, b: jac(lambda m: m @ b)(a.outer(b)),
    "has_aux": lambda jac, a, b: jac(lambda a: (a.sin(), {"aux": a.cos()}), has_aux=True)(a),
    "has_aux_argnums": lambda jac, a, b: jac(
        lambda a, b: (a * b, (a + b, a)), argnums=(0, 1), has_aux=True
    )(a, b),
    "unused_input": lambda jac, a, b: jac(lambda a, b: a.exp(), argnums=(0, 1))(a, b),
    "namedtuple_output": lambda jac, a, b: jac(lambda a: Pair(a.sin(), a.sum()))(a),
}


@pytest.mark.parametrize("transform", ["jacrev", "jacfwd"])
@pytest.mark.parametrize("name", JACOBIANS)
def test_jacobians_match_torch(name, transform):
    check(lambda lib, func, a, b: JACOBIANS[name](getattr(func, transform), a, b), X3, Y3)


@pytest.mark.parametrize("transform", ["jacrev", "jacfwd"])
def test_jacobian_negative_argnums(transform):
    """torch 2.13's jacfwd gives zeros for a negative argnum (its jacrev does not), so the
    reference is torch with the same argnum written as a positive one."""
    f = lambda a, b: a * b.exp()
    m = getattr(mytorch.func, transform)(f, argnums=(-1,))(*[_tensor(mytorch, x) for x in (X3, Y3)])
    t = getattr(torch.func, transform)(f, argnums=(1,))(*[_tensor(torch, x) for x in (X3, Y3)])
    assert_tree(m, t)


JACOBIAN_ERRORS = {
    "has_aux_not_tuple": lambda jac, a: jac(lambda a: a.sin(), has_aux=True)(a),
    "has_aux_three_tuple": lambda jac, a: jac(lambda a: (a.sin(), a, a), has_aux=True)(a),
    "has_aux_list": lambda jac, a: jac(lambda a: [a.sin(), a], has_aux=True)(a),
    "has_aux_non_tensor_aux": lambda jac, a: jac(lambda a: (a.sin(), [a, 3]), has_aux=True)(a),
    "non_tensor_output": lambda jac, a: jac(lambda a: 3.0)(a),
    "integer_input": lambda jac, a: jac(lambda a: a * 2)(a.long()),
    "argnums_out_of_range": lambda jac, a: jac(lambda a: a * 2, argnums=2)(a),
}


@pytest.mark.parametrize("transform", ["jacrev", "jacfwd"])
@pytest.mark.parametrize("name", JACOBIAN_ERRORS)
def test_jacobian_errors_match_torch(name, transform):
    same = name != "non_tensor_output" and (name != "integer_input" or transform == "jacrev")
    check_error(
        lambda lib, func, a: JACOBIAN_ERRORS[name](getattr(func, transform), a),
        X3,
        same_message=same,
    )


@pytest.mark.parametrize("transform", ["jacrev", "jacfwd"])
def test_jacobian_of_input_requiring_grad_is_differentiable(transform):
    def case(lib, func, a):
        jac = getattr(func, transform)(lambda a: a.sin() * a.sum())(a)
        return jac, lib.autograd.grad(jac.sum(), a, create_graph=False)

    check(case, X3, requires_grad=True)


# ---- vjp and jvp -------------------------------------------------------------------------------


def _vjp_tree(lib, func, a, b):
    out, vjp_fn = func.vjp(_two_outputs, a, b)
    cotangents = (a.cos(), {"s": lib.tensor(0.5, dtype=lib.float64), "m": a.outer(b).exp()})
    return out, vjp_fn(cotangents), vjp_fn(cotangents)  # vjp_fn may be called again


def _vjp_aux(lib, func, a, b):
    out, vjp_fn, aux = func.vjp(lambda a: (a.sin(), {"c": a.cos()}), a, has_aux=True)
    return out, vjp_fn(b), aux


VJP_CASES = {
    "output": lambda lib, func, a, b: func.vjp(lambda a, b: a.sin() * b, a, b)[0],
    "vjp_fn": lambda lib, func, a, b: func.vjp(lambda a, b: a.sin() * b, a, b)[1](b.exp()),
    "tree": _vjp_tree,
    "has_aux": _vjp_aux,
    "dict_primal": lambda lib, func, a, b: func.vjp(lambda d: d["a"] * d["b"], {"a": a, "b": b})[1](
        a
    ),
    "unused_primal": lambda lib, func, a, b: func.vjp(lambda a, b: a.sin(), a, b)[1](b),
    "float32_cotangent": lambda lib, func, a, b: func.vjp(lambda a: a.sin(), a)[1](b.float()),
}


@pytest.mark.parametrize("name", VJP_CASES)
def test_vjp_matches_torch(name):
    check(VJP_CASES[name], X3, Y3)


VJP_ERRORS = {
    "cotangent_structure": lambda lib, func, a, b: func.vjp(_two_outputs, a, b)[1]((a, a)),
    "cotangent_dict_keys": lambda lib, func, a, b: func.vjp(_two_outputs, a, b)[1](
        (a, {"m": a, "t": a})
    ),
    "cotangent_list_for_tuple": lambda lib, func, a, b: func.vjp(lambda a: (a, a.sin()), a)[1](
        [a, a]
    ),
    "cotangent_shape": lambda lib, func, a, b: func.vjp(lambda a: a.sin(), a)[1](a.outer(b)),
    "non_tensor_cotangent": lambda lib, func, a, b: func.vjp(lambda a: a.sin(), a)[1](1.0),
    "non_tensor_output": lambda lib, func, a, b: func.vjp(lambda a: 3.0, a),
    "non_tensor_primal": lambda lib, func, a, b: func.vjp(lambda a, n: a * n, a, 2),
    "integer_primal": lambda lib, func, a, b: func.vjp(lambda a: a * 2, a.long()),
    "has_aux_not_tuple": lambda lib, func, a, b: func.vjp(lambda a: a.sin(), a, has_aux=True),
    "has_aux_non_tensor_aux": lambda lib, func, a, b: func.vjp(
        lambda a: (a.sin(), 3), a, has_aux=True
    ),
}


@pytest.mark.parametrize("name", VJP_ERRORS)
def test_vjp_errors_match_torch(name):
    same = name not in ("cotangent_structure", "cotangent_dict_keys", "cotangent_list_for_tuple")
    m, t = check_error(VJP_ERRORS[name], X3, Y3, same_message=same)
    if not same:  # the two libraries print tree structures differently
        prefix = "Expected pytree structure of cotangents to be the same as pytree structure of"
        assert str(m).startswith(prefix) and str(t).startswith(prefix)


A23, B34 = _rng(7).standard_normal((2, 3)), _rng(8).standard_normal((3, 4))

JVP_CASES = {
    "elementwise": lambda lib, func, a, b, u, v: func.jvp(lambda a: a.sin() * a, (a,), (u,)),
    "two_primals": lambda lib, func, a, b, u, v: func.jvp(
        lambda a, b: (a @ b).tanh(), (a, b), (u, v)
    ),
    "reduction": lambda lib, func, a, b, u, v: func.jvp(lambda a: a.exp().sum(0), (a,), (u,)),
    "tree_output": lambda lib, func, a, b, u, v: func.jvp(
        lambda a, b: (a @ b, {"s": a.sum(), "e": b.exp()}), (a, b), (u, v)
    ),
    "dict_primal": lambda lib, func, a, b, u, v: func.jvp(
        lambda d: d["a"].sin() @ d["b"], ({"a": a, "b": b},), ({"a": u, "b": v},)
    ),
    "has_aux": lambda lib, func, a, b, u, v: func.jvp(
        lambda a: (a.sin(), {"c": a.cos()}), (a,), (u,), has_aux=True
    ),
    "constant_output": lambda lib, func, a, b, u, v: func.jvp(lambda a: b * 2, (a,), (u,)),
    "strict": lambda lib, func, a, b, u, v: func.jvp(lambda a: a.tanh(), (a,), (u,), strict=True),
    "float32_tangent": lambda lib, func, a, b, u, v: func.jvp(
        lambda a: a.sin(), (a,), (u.float(),)
    ),
}


@pytest.mark.parametrize("name", JVP_CASES)
def test_jvp_matches_torch(name):
    check(JVP_CASES[name], A23, B34, A23[::-1].copy(), B34 * 0.5)


JVP_ERRORS = {
    "primals_not_tuple": lambda lib, func, a, b: func.jvp(lambda a: a.sin(), a, (b,)),
    "primals_list": lambda lib, func, a, b: func.jvp(lambda a: a.sin(), [a], [b]),
    "tangents_not_tuple": lambda lib, func, a, b: func.jvp(lambda a: a.sin(), (a,), b),
    "tangent_count": lambda lib, func, a, b: func.jvp(lambda a, c: a.sin(), (a, a), (b,)),
    "tangent_shape": lambda lib, func, a, b: func.jvp(lambda a: a.sin(), (a,), (b[:2],)),
    "integer_primal": lambda lib, func, a, b: func.jvp(lambda a: a * 2, (a.long(),), (b,)),
    "non_tensor_output": lambda lib, func, a, b: func.jvp(lambda a: 3.0, (a,), (b,)),
    "non_tensor_primal": lambda lib, func, a, b: func.jvp(lambda a, n: a * n, (a, 2.0), (b, 1.0)),
    "non_tensor_tangent": lambda lib, func, a, b: func.jvp(lambda a: a * 2, (a,), (1.0,)),
    "no_primals": lambda lib, func, a, b: func.jvp(lambda: a, (), ()),
    "has_aux_not_tuple": lambda lib, func, a, b: func.jvp(
        lambda a: a.sin(), (a,), (b,), has_aux=True
    ),
    "has_aux_non_tensor_aux": lambda lib, func, a, b: func.jvp(
        lambda a: (a, {"k": [a, 1]}), (a,), (b,), has_aux=True
    ),
}


@pytest.mark.parametrize("name", JVP_ERRORS)
def test_jvp_errors_match_torch(name):
    # torch reports a non-tuple `tangents` and a count mismatch as one structure error
    same = name not in ("tangents_not_tuple", "tangent_count")
    check_error(JVP_ERRORS[name], X3, Y3, same_message=same)


def test_jvp_of_input_requiring_grad_is_differentiable():
    def case(lib, func, a, u):
        out, tangent = func.jvp(lambda a: a.sin() * a.sum(), (a,), (u.detach(),))
        return out, tangent, lib.autograd.grad(tangent.sum(), a, create_graph=False)

    check(case, X3, Y3, requires_grad=True)


# ---- vmap --------------------------------------------------------------------------------------

A234, C54 = _rng(9).standard_normal((2, 3, 4)), _rng(10).standard_normal((5, 4))

VMAP_CASES = {
    "default": lambda lib, func, a, b, c: func.vmap(lambda x: x.sin() * x.sum())(a),
    "in_dims_1": lambda lib, func, a, b, c: func.vmap(lambda x: x.sin() * x.sum(), in_dims=1)(a),
    "in_dims_negative": lambda lib, func, a, b, c: func.vmap(lambda x: x.softmax(0), in_dims=-1)(a),
    "in_dims_none": lambda lib, func, a, b, c: func.vmap(lambda x, y: x @ y.T, in_dims=(0, None))(
        a, c
    ),
    "in_dims_tuple": lambda lib, func, a, b, c: func.vmap(lambda x, y: x * y.sum(), in_dims=(2, 1))(
        a, c
    ),
    "in_dims_nested_dict": lambda lib, func, a, b, c: func.vmap(
        lambda d: d["x"] @ d["y"], in_dims=({"x": 0, "y": None},)
    )({"x": a, "y": c.T}),
    "in_dims_nested_tuple": lambda lib, func, a, b, c: func.vmap(
        lambda p: p[0].sum() * p[1], in_dims=((0, -1),)
    )((a, b)),
    "in_dims_prefix": lambda lib, func, a, b, c: func.vmap(
        lambda p: p[0][0] * p[0][1] + p[1], in_dims=((1, None),)
    )(((a, a * 2), a[0, 0])),
    "in_dims_list_inside_tuple": lambda lib, func, a, b, c: func.vmap(
        lambda p: p[0] + p[1], in_dims=([0, None],)
    )([a, a[0]]),
    "in_dims_none_non_tensor": lambda lib, func, a, b, c: func.vmap(
        lambda x, n: x * n, in_dims=(0, None)
    )(a, 2.5),
    "out_dims_1": lambda lib, func, a, b, c: func.vmap(lambda x: x * 2, out_dims=1)(a),
    "out_dims_negative": lambda lib, func, a, b, c: func.vmap(
        lambda x: x.exp(), in_dims=1, out_dims=-1
    )(a),
    "out_dims_tuple": lambda lib, func, a, b, c: func.vmap(
        lambda x: (x * 2, x.sum()), out_dims=(2, 0)
    )(a),
    "out_dims_one_tuple": lambda lib, func, a, b, c: func.vmap(lambda x: x * 2, out_dims=(1,))(a),
    "out_dims_prefix": lambda lib, func, a, b, c: func.vmap(
        lambda x: ((x, x * 2), x.sum()), out_dims=(1, 0)
    )(a),
    "out_dims_dict": lambda lib, func, a, b, c: func.vmap(
        lambda x: {"u": x, "v": x.sum()}, out_dims={"u": 2, "v": 0}
    )(a),
    "out_dims_list": lambda lib, func, a, b, c: func.vmap(lambda x: [x, x.exp()], out_dims=[1, 0])(
        a
    ),
    "out_dims_none_unbatched": lambda lib, func, a, b, c: func.vmap(
        lambda x: (x, c * 2), out_dims=(0, None)
    )(a),
    "dict_output": lambda lib, func, a, b, c: func.vmap(lambda x: {"a": x * 2, "b": x.sum()})(a),
    "namedtuple_output": lambda lib, func, a, b, c: func.vmap(
        lambda x: Pair(x, x.sum()), out_dims=Pair(2, 0)
    )(a),
    "return_types_output": lambda lib, func, a, b, c: func.vmap(lambda x: x.max(0))(a),
    "list_output": lambda lib, func, a, b, c: func.vmap(lambda x: [x * 2, x.amax(1)])(a),
    "kwargs_unbatched": lambda lib, func, a, b, c: func.vmap(lambda x, *, w: x @ w)(a, w=c.T),
    "returns_unbatched_closure": lambda lib, func, a, b, c: func.vmap(lambda x: c * 2)(a),
    "returns_input": lambda lib, func, a, b, c: func.vmap(lambda x: x)(a),
    "integer_input": lambda lib, func, a, b, c: func.vmap(lambda x: x * 2 + x.sum())(a.long()),
    "chunk_size": lambda lib, func, a, b, c: func.vmap(lambda x: x.sin(), in_dims=2, chunk_size=3)(
        a
    ),
    "input_requires_grad": lambda lib, func, a, b, c: func.vmap(lambda x: x.sin() * x.sum())(
        a.requires_grad_()
    ),
    "unbatched_control_flow": lambda lib, func, a, b, c: func.vmap(
        lambda x: x * (1 if c.sum() > 0 else -1)
    )(a),
    "unbatched_item": lambda lib, func, a, b, c: func.vmap(lambda x: x * c.sum().item())(a),
    "empty_batch": lambda lib, func, a, b, c: func.vmap(lambda x: x.sum(0))(a[:0]),
    "empty_batch_tuple_out": lambda lib, func, a, b, c: func.vmap(
        lambda x: (x * 2, x.sum()), out_dims=(2, 0)
    )(a[:0]),
    "empty_batch_in_dim_1": lambda lib, func, a, b, c: func.vmap(
        lambda x, w: x @ w, in_dims=(1, None)
    )(a[:, :0], c.T),
    "empty_batch_grad": lambda lib, func, a, b, c: func.vmap(func.grad(lambda x: (x**2).sum()))(
        a[:0]
    ),
}


@pytest.mark.parametrize("name", VMAP_CASES)
def test_vmap_matches_torch(name):
    check(VMAP_CASES[name], A234, A234[:, 0, 0], C54)


def _random_in(lib, inner, outer="error"):
    return lambda func, a: func.vmap(
        func.vmap(lambda x: x + lib.rand(()), randomness=inner), randomness=outer
    )(a)


VMAP_ERRORS = {
    "mismatched_batch_sizes": lambda lib, func, a, c: func.vmap(lambda x, y: x)(a, c),
    "in_dim_on_non_tensor": lambda lib, func, a, c: func.vmap(lambda x, n: x * n, in_dims=(0, 0))(
        a, 2.0
    ),
    "in_dim_out_of_range": lambda lib, func, a, c: func.vmap(lambda x: x, in_dims=3)(a),
    "in_dim_out_of_range_negative": lambda lib, func, a, c: func.vmap(lambda x: x, in_dims=-4)(a),
    "in_dim_on_zero_dim": lambda lib, func, a, c: func.vmap(lambda x: x)(a.sum()),
    "in_dims_wrong_length": lambda lib, func, a, c: func.vmap(lambda x, y: x, in_dims=(0,))(a, a),
    "in_dims_all_none": lambda lib, func, a, c: func.vmap(lambda x: x, in_dims=(None,))(a),
    "in_dims_none": lambda lib, func, a, c: func.vmap(lambda x: x, in_dims=None)(a),
    "in_dims_float": lambda lib, func, a, c: func.vmap(lambda x: x, in_dims=0.0)(a),
    "in_dims_list": lambda lib, func, a, c: func.vmap(lambda x, y: x + y, in_dims=[0, None])(
        a, a[0]
    ),
    "in_dim_float_inside_tuple": lambda lib, func, a, c: func.vmap(lambda x: x, in_dims=(0.0,))(a),
    "in_dims_dict_keys": lambda lib, func, a, c: func.vmap(
        lambda d: d["a"], in_dims=({"a": 0, "c": None},)
    )({"a": a, "b": a}),
    "non_tensor_output": lambda lib, func, a, c: func.vmap(lambda x: 3.0)(a),
    "none_output": lambda lib, func, a, c: func.vmap(lambda x: None)(a),
    "out_dims_structure": lambda lib, func, a, c: func.vmap(lambda x: (x, x, x), out_dims=(0, 1))(
        a
    ),
    "out_dims_list_for_tuple": lambda lib, func, a, c: func.vmap(lambda x: (x, x), out_dims=[1, 0])(
        a
    ),
    "out_dims_tuple_for_namedtuple": lambda lib, func, a, c: func.vmap(
        lambda x: Pair(x, x), out_dims=(1, 0)
    )(a),
    "out_dims_out_of_range": lambda lib, func, a, c: func.vmap(lambda x: x, out_dims=4)(a),
    "out_dims_float": lambda lib, func, a, c: func.vmap(lambda x: x, out_dims=0.0)(a),
    "out_dims_none_batched": lambda lib, func, a, c: func.vmap(
        lambda x: (x, x.sum()), out_dims=(0, None)
    )(a),
    "nested_out_dims_none_batched_outside": lambda lib, func, a, c: func.vmap(
        lambda y: func.vmap(lambda x: x * y, out_dims=None)(c)
    )(a),
    "bad_randomness": lambda lib, func, a, c: func.vmap(lambda x: x, randomness="foo")(a),
    "chunk_size_zero": lambda lib, func, a, c: func.vmap(lambda x: x, chunk_size=0)(a),
    "data_dependent_if": lambda lib, func, a, c: func.vmap(lambda x: x if x.sum() > 0 else -x)(a),
    "item": lambda lib, func, a, c: func.vmap(lambda x: x * x.sum().item())(a),
    "float": lambda lib, func, a, c: func.vmap(lambda x: x * float(x.sum()))(a),
    "nested_item": lambda lib, func, a, c: func.vmap(func.vmap(lambda x: x * x.sum().item()))(a),
    "nested_item_batched_outside": lambda lib, func, a, c: func.vmap(
        lambda y: func.vmap(lambda x: x * y.sum())(c).sum().item()
    )(a),
    "nested_if_on_inner_result": lambda lib, func, a, c: func.vmap(
        lambda y: y if func.vmap(lambda x: x * 2)(y).sum() > 0 else -y
    )(a),
    "item_inside_grad": lambda lib, func, a, c: func.vmap(
        func.grad(lambda x: (x * x.sum().item()).sum())
    )(a),
    "if_inside_grad": lambda lib, func, a, c: func.vmap(
        func.grad(lambda x: (x if x.sum() > 0 else -x).sum())
    )(a),
    "item_inside_jacrev": lambda lib, func, a, c: func.vmap(
        func.jacrev(lambda x: x * x.sum().item())
    )(a),
    "if_on_grad_result": lambda lib, func, a, c: func.vmap(
        lambda x: x if func.grad(lambda t: (t**2).sum())(x).sum() > 0 else -x
    )(a),
    "random_in_error_mode": lambda lib, func, a, c: func.vmap(
        lambda x: x + lib.rand(4, dtype=lib.float64)
    )(a),
    "random_like_in_error_mode": lambda lib, func, a, c: func.vmap(lambda x: x + lib.randn_like(x))(
        a
    ),
    "random_same_inside_error": lambda lib, func, a, c: _random_in(lib, "same")(func, a),
    "random_different_inside_error": lambda lib, func, a, c: _random_in(lib, "different")(func, a),
    "random_error_inside_same": lambda lib, func, a, c: _random_in(lib, "error", "same")(func, a),
}

# messages compared whole; the others differ in wording (mytorch names the op that made the
# batched value, and prints pytree structures its own way)
VMAP_SAME_MESSAGE = {
    "mismatched_batch_sizes", "in_dim_on_non_tensor", "in_dim_out_of_range", "in_dim_on_zero_dim",
    "in_dims_none", "in_dims_float", "in_dims_list", "in_dim_float_inside_tuple",
    "non_tensor_output", "out_dims_out_of_range", "out_dims_float", "out_dims_none_batched",
    "nested_out_dims_none_batched_outside", "bad_randomness", "chunk_size_zero",
    "random_in_error_mode", "random_same_inside_error", "random_error_inside_same",
}  # fmt: skip


@pytest.mark.parametrize("name", VMAP_ERRORS)
def test_vmap_errors_match_torch(name):
    check_error(VMAP_ERRORS[name], A234, C54, same_message=name in VMAP_SAME_MESSAGE)


@pytest.mark.parametrize(
    "name", ["item", "nested_item_batched_outside", "item_inside_grad", "item_inside_jacrev"]
)
def test_vmap_item_error_message(name):
    """torch's text (its wording under grad differs a little), then, a mytorch addition, the op
    that computed the batched value."""
    m, t = check_error(VMAP_ERRORS[name], A234, C54)
    start = "vmap: It looks like you're calling .item() on a Tensor. We don't support vmap over "
    assert str(m).startswith(start) and "calling .item() on a Tensor" in str(t)
    assert "computed by sum()" in str(m)


@pytest.mark.parametrize(
    "name", ["data_dependent_if", "nested_if_on_inner_result", "if_inside_grad"]
)
def test_vmap_data_dependent_control_flow_message(name):
    m, t = check_error(VMAP_ERRORS[name], A234, C54)
    assert "data-dependent control flow" in str(m) and "data-dependent control flow" in str(t)
    assert "computed by gt()" in str(m)


def test_vmap_batch_mark_ends_with_vmap():
    out = mytorch.func.vmap(lambda x: x * 2)(mytorch.ones(3, 2))
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
    """'same': every example draws the same numbers; 'different': they differ. The random
    streams of the two libraries differ, so the pattern is compared, not the values."""
    patterns = []
    for lib, func in LIBS:
        lib.manual_seed(0)
        draw = func.vmap(lambda x: RANDOM_OPS[op](lib, x), randomness=randomness)
        rows = draw(lib.zeros(4, 5, dtype=lib.float64)).numpy()
        patterns.append((rows.shape, all(np.array_equal(rows[0], r) for r in rows[1:])))
    assert patterns[0] == patterns[1]
    assert patterns[0][1] == (randomness == "same")


def test_vmap_nested_randomness_matches_torch():
    patterns = []
    for lib, func in LIBS:
        a = _random_in(lib, "same", "different")(func, lib.zeros(3, 4)).numpy()
        b = _random_in(lib, "different", "same")(func, lib.zeros(3, 4)).numpy()
        rows_a, rows_b = [len(set(r)) for r in a], [len(set(r)) for r in b]
        patterns.append((rows_a, rows_b, np.array_equal(b[0], b[1])))
    assert patterns[0] == patterns[1] == ([1, 1, 1], [4, 4, 4], True)


def test_vmap_randomness_advances_the_generator_like_torch():
    """After vmap the global stream is where torch leaves it: one draw for 'same', one per
    example for 'different'."""
    for lib, func in LIBS:
        streams = []
        for mode in ("same", "different"):
            lib.manual_seed(0)
            func.vmap(lambda x: x + lib.rand(()), randomness=mode)(lib.zeros(4))
            streams.append(lib.rand(3).numpy())
        for size in ((), (4,)):
            lib.manual_seed(0)
            lib.rand(size)
            streams.append(lib.rand(3).numpy())
        np.testing.assert_array_equal(streams[0], streams[2])
        np.testing.assert_array_equal(streams[1], streams[3])


@st.composite
def _vmap_problem(draw):
    """A batch size, an example shape, and where the batch dim sits in each input and output."""
    size = draw(st.integers(1, 4))
    shape = tuple(draw(st.lists(st.integers(1, 3), min_size=1, max_size=3)))
    ndim = len(shape) + 1
    in_x = draw(st.integers(-ndim, ndim - 1))
    in_y = draw(st.one_of(st.none(), st.integers(-ndim, ndim - 1)))
    out = draw(st.integers(-ndim, ndim - 1))
    return size, shape, in_x, in_y, out, draw(st.integers(0, 2**16))


def _composite(x, y):
    return (x.sin() * y.exp().sum() + x.mean(0, keepdim=True)).tanh() * y.flip(0)


@given(_vmap_problem())
def test_vmap_hypothesis_in_dims_and_out_dims(problem):
    size, shape, in_x, in_y, out, seed = problem
    rng = _rng(seed)

    def batched(d):
        full = list(shape)
        if d is not None:
            full.insert(d % (len(shape) + 1), size)
        return rng.standard_normal(full)

    check(
        lambda lib, func, x, y: func.vmap(_composite, in_dims=(in_x, in_y), out_dims=out)(x, y),
        batched(in_x),
        batched(in_y),
    )


@given(
    st.lists(st.integers(1, 3), min_size=0, max_size=3),
    st.integers(0, 2**16),
    st.sampled_from(["grad", "jacrev", "jacfwd", "vmap_grad"]),
)
def test_transforms_hypothesis_shapes(shape, seed, transform):
    x = _rng(seed).standard_normal(shape)

    def case(lib, func, x):
        if transform == "grad":
            return func.grad(lambda t: (t.sin() * t.exp()).sum())(x)
        if transform == "vmap_grad":
            if x.ndim == 0:
                return x
            return func.vmap(func.grad(lambda t: (t.sin() * t.sum()).sum()))(x)
        return getattr(func, transform)(lambda t: t.tanh() * t.sum())(x)

    check(case, x)


# ---- per-sample gradients and the Hessian of a model's loss ------------------------------------


def _model(lib, sizes, state):
    layers = []
    for a, b in zip(sizes, sizes[1:]):
        layers += [lib.nn.Linear(a, b).double(), lib.nn.Tanh()]
    model = lib.nn.Sequential(*layers[:-1])
    model.load_state_dict({k: lib.tensor(v) for k, v in state.items()})
    return model


def _state(sizes, seed):
    rng, state = _rng(seed), {}
    for i, (a, b) in enumerate(zip(sizes, sizes[1:])):
        state[f"{2 * i}.weight"] = rng.standard_normal((b, a))
        state[f"{2 * i}.bias"] = rng.standard_normal(b)
    return state


def test_per_sample_gradients_of_a_model():
    sizes = (3, 4, 2)
    state = _state(sizes, 11)
    rng = _rng(12)

    def case(lib, func, xs, ys):
        model = _model(lib, sizes, state)
        params = {k: v.detach() for k, v in model.named_parameters()}

        def loss(params, x, y):
            return ((func.functional_call(model, params, (x,)) - y) ** 2).mean()

        per_sample = func.vmap(func.grad(loss), in_dims=(None, 0, 0))(params, xs, ys)
        batch = func.grad(loss)(params, xs, ys)
        return per_sample, batch, {k: v.mean(0) for k, v in per_sample.items()}

    m, _ = check(case, rng.standard_normal((6, 3)), rng.standard_normal((6, 2)))
    assert tuple(m[0]["0.weight"].shape) == (6, 4, 3)
    for k in m[1]:  # the mean of the per-sample gradients is the batch gradient
        np.testing.assert_allclose(m[2][k].numpy(), m[1][k].numpy(), rtol=1e-10)


def test_hessian_of_a_model_loss_with_respect_to_a_parameter_dict():
    sizes = (3, 2, 1)
    state = _state(sizes, 13)
    rng = _rng(14)

    def case(lib, func, xs, ys):
        model = _model(lib, sizes, state)
        params = {k: v.detach() for k, v in model.named_parameters()}
        loss = lambda p: ((func.functional_call(model, p, (xs,)) - ys) ** 2).mean()
        return func.hessian(loss)(params)

    m, _ = check(case, rng.standard_normal((5, 3)), rng.standard_normal((5, 1)))
    assert list(m) == list(m["0.weight"]) == ["0.weight", "0.bias", "2.weight", "2.bias"]
    assert tuple(m["0.weight"]["2.weight"].shape) == (2, 3, 1, 2)


# ---- functional_call ---------------------------------------------------------------------------

SIZES = (3, 4, 2)
STATE, NEW = _state(SIZES, 15), _state(SIZES, 16)
XS = _rng(17).standard_normal((5, 3))


def _state_of(model):
    return {k: v.detach().clone() for k, v in model.state_dict().items()}


def _new(lib, **kwargs):
    return {k: _tensor(lib, v, **kwargs) for k, v in NEW.items()}


def _fc_all(lib, func, x):
    model = _model(lib, SIZES, STATE)
    out = func.functional_call(model, _new(lib), (x,))
    return out, _state_of(model), [type(p).__name__ for p in model.parameters()]


def _fc_some_parameters(lib, func, x):
    model = _model(lib, SIZES, STATE)
    return func.functional_call(model, {"0.weight": _tensor(lib, NEW["0.weight"])}, x)


def _fc_tuple_of_dicts(lib, func, x):
    new = _new(lib)
    first, second = dict(list(new.items())[:1]), dict(list(new.items())[1:])
    return func.functional_call(_model(lib, SIZES, STATE), (first, second), (x,))


def _fc_kwargs(lib, func, x):
    class Scaled(lib.nn.Module):
        def __init__(self):
            super().__init__()
            self.w = lib.nn.Parameter(lib.ones(3, dtype=lib.float64))

        def forward(self, x, scale=1.0):
            return self.w * x * scale

    return func.functional_call(Scaled(), {"w": x[0]}, (x,), {"scale": 3.0})


def _fc_restored_after_error(lib, func, x):
    model = _model(lib, SIZES, STATE)
    with pytest.raises(RuntimeError):
        func.functional_call(model, _new(lib), (x[:, :2],))
    return _state_of(model), [type(p).__name__ for p in model.parameters()], model(x)


def _fc_unexpected_key_not_strict(lib, func, x):
    model = _model(lib, SIZES, STATE)
    given = {"0.weight": _tensor(lib, NEW["0.weight"]), "extra": x.sum()}
    return func.functional_call(model, given, (x,)), hasattr(model, "extra")


def _fc_autograd(lib, func, x):
    model = _model(lib, SIZES, STATE)
    params = _new(lib, requires_grad=True)
    out = func.functional_call(model, params, (x,))
    grads = lib.autograd.grad((out**2).sum(), list(params.values()), create_graph=False)
    return out, grads, [p.grad is None for p in model.parameters()]


def _fc_grad(lib, func, x):
    model = _model(lib, SIZES, STATE)
    return func.grad(lambda p: (func.functional_call(model, p, (x,)) ** 2).sum())(_new(lib))


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


def _fc_tied(lib, func, x):
    model = _tied(lib)
    w = _tensor(lib, 2 * np.eye(3))
    return (
        func.functional_call(model, {"a.weight": w}, (x,)),  # replaces b.weight too
        func.functional_call(model, {"b.weight": w}, (x,)),
        func.functional_call(model, {"a.weight": w}, (x,), tie_weights=False),
        func.functional_call(model, {"a.weight": w, "b.weight": w}, (x,)),
        func.functional_call(model, {"a.weight": w}, (x,), strict=True),  # b.weight by the tie
        _state_of(model),
    )


def _fc_batchnorm(lib, func, x):
    bn = lib.nn.BatchNorm1d(3).double()
    buffers = {
        "running_mean": _tensor(lib, np.ones(3)),
        "running_var": _tensor(lib, 2 * np.ones(3)),
        "num_batches_tracked": lib.tensor(5),
    }
    train = func.functional_call(bn, buffers, (x,))  # updates the given buffers in place
    evaluated = func.functional_call(bn.eval(), buffers, (x,))
    return train, buffers, evaluated, _state_of(bn)


FUNCTIONAL_CALL_CASES = {
    "all_parameters": _fc_all,
    "some_parameters_non_tuple_args": _fc_some_parameters,
    "tuple_of_dicts": _fc_tuple_of_dicts,
    "kwargs": _fc_kwargs,
    "restored_after_error": _fc_restored_after_error,
    "unexpected_key_not_strict": _fc_unexpected_key_not_strict,
    "autograd_through_parameters": _fc_autograd,
    "grad_over_parameter_dict": _fc_grad,
    "tie_weights": _fc_tied,
    "batchnorm_buffers": _fc_batchnorm,
}


@pytest.mark.parametrize("name", FUNCTIONAL_CALL_CASES)
def test_functional_call_matches_torch(name):
    check(FUNCTIONAL_CALL_CASES[name], XS)


def _fc_strict(drop=(), extra=()):
    def case(lib, func, x):
        params = {k: v for k, v in _new(lib).items() if k not in drop}
        params.update({k: x.sum() for k in extra})
        return func.functional_call(_model(lib, SIZES, STATE), params, (x,), strict=True)

    return case


def _fc_in_two_dicts(lib, func, x):
    dicts = ({"2.bias": x[0, :2], "0.bias": x[0, :4]}, {"0.bias": x[1, :4]}, {"2.bias": x[0, :2]})
    return func.functional_call(_model(lib, SIZES, STATE), dicts, (x,))


FUNCTIONAL_CALL_ERRORS = {
    "strict_missing": _fc_strict(drop=("0.bias", "2.weight")),
    "strict_unexpected": _fc_strict(extra=("foo",)),
    "strict_missing_and_unexpected": _fc_strict(drop=("2.bias",), extra=("foo", "bar")),
    "keys_in_two_dicts": _fc_in_two_dicts,
    "tied_names_given_different_tensors": lambda lib, func, x: func.functional_call(
        _tied(lib), {"a.weight": x[:3], "b.weight": x[:3].clone()}, (x,)
    ),
    "tied_name_missing_without_tie_weights": lambda lib, func, x: func.functional_call(
        _tied(lib), {"a.weight": x[:3]}, (x,), strict=True, tie_weights=False
    ),
    "non_tensor_value": lambda lib, func, x: func.functional_call(
        _model(lib, SIZES, STATE), {"0.bias": 3.0}, (x,)
    ),
}


@pytest.mark.parametrize("name", FUNCTIONAL_CALL_ERRORS)
def test_functional_call_errors_match_torch(name):
    check_error(FUNCTIONAL_CALL_ERRORS[name], XS, same_message=True)


def test_functional_call_strict_error_leaves_module_unchanged():
    for lib, func in LIBS:
        model = _model(lib, SIZES, STATE)
        x = lib.zeros(1, 3, dtype=lib.float64)
        with pytest.raises(RuntimeError, match="Missing key"):
            func.functional_call(model, {"0.weight": x.expand(4, 3)}, (x,), strict=True)
        for k, v in _state_of(model).items():
            np.testing.assert_array_equal(v.numpy(), STATE[k])


def test_vmap_marks_what_a_custom_function_returns():
    class Double(mytorch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return g * 2

    xs = mytorch.arange(6.0).reshape(3, 2)
    vmap = mytorch.func.vmap
    out = vmap(lambda x: Double.apply(x) + 1)(xs)
    np.testing.assert_array_equal(out.numpy(), xs.numpy() * 2 + 1)
    with pytest.raises(RuntimeError, match="Double"):
        vmap(lambda x: x * Double.apply(x.sum()).item())(xs)
    with pytest.raises(RuntimeError, match="data-dependent control flow"):
        vmap(lambda x: x if Double.apply(x.sum() * 0 + x[0]) > 0 else -x)(xs)
