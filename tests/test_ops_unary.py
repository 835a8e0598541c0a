"""One-input elementwise ops against torch: values, dtypes, node names and gradients of order 1
and 2 (3 on a sample) at ordinary and edge points; finite differences; errors; in-place forms."""

import math

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import array_shapes
from oracle import assert_same, check_against_torch, make_inputs

import mytorch

_rng = np.random.default_rng(1234)

# value domains: where each op is smooth and defined (shape -> float64 array)
_DRAWS = {
    "real": lambda shape: _rng.standard_normal(shape),
    "positive": lambda shape: _rng.uniform(0.3, 3.0, shape),
    "unit": lambda shape: _rng.uniform(-0.9, 0.9, shape),  # inside (-1, 1)
    "prob": lambda shape: _rng.uniform(0.1, 0.9, shape),  # inside (0, 1)
    "above1": lambda shape: _rng.uniform(1.2, 3.0, shape),
    "small": lambda shape: _rng.uniform(-1.2, 1.2, shape),  # tan: away from pi/2
    "fractional": lambda shape: _rng.integers(-3, 3, shape) + _rng.uniform(0.1, 0.9, shape),
}
DOMAINS = {
    name: (lambda shape, draw=draw: np.asarray(draw(shape), dtype=np.float64))
    for name, draw in _DRAWS.items()
}

# name: (fn(lib, x), domain, smooth). `smooth` False: piecewise constant or with kinks, where
# finite differences say nothing (their gradients are still compared with torch's)
UNARY = {
    "abs": (lambda lib, a: a.abs(), "real", True),
    "absolute": (lambda lib, a: lib.absolute(a), "real", True),
    "neg": (lambda lib, a: lib.neg(a), "real", True),
    "negative": (lambda lib, a: a.negative(), "real", True),
    "sign": (lambda lib, a: a.sign(), "real", False),
    "sgn": (lambda lib, a: lib.sgn(a), "real", False),
    "exp": (lambda lib, a: a.exp(), "real", True),
    "exp2": (lambda lib, a: lib.exp2(a), "real", True),
    "expm1": (lambda lib, a: a.expm1(), "real", True),
    "log": (lambda lib, a: lib.log(a), "positive", True),
    "log2": (lambda lib, a: a.log2(), "positive", True),
    "log10": (lambda lib, a: lib.log10(a), "positive", True),
    "log1p": (lambda lib, a: a.log1p(), "positive", True),
    "sqrt": (lambda lib, a: a.sqrt(), "positive", True),
    "rsqrt": (lambda lib, a: lib.rsqrt(a), "positive", True),
    "square": (lambda lib, a: a.square(), "real", True),
    "reciprocal": (lambda lib, a: lib.reciprocal(a), "positive", True),
    "sin": (lambda lib, a: lib.sin(a), "real", True),
    "cos": (lambda lib, a: a.cos(), "real", True),
    "tan": (lambda lib, a: lib.tan(a), "small", True),
    "asin": (lambda lib, a: a.asin(), "unit", True),
    "arcsin": (lambda lib, a: lib.arcsin(a), "unit", True),
    "acos": (lambda lib, a: lib.acos(a), "unit", True),
    "arccos": (lambda lib, a: a.arccos(), "unit", True),
    "atan": (lambda lib, a: a.atan(), "real", True),
    "arctan": (lambda lib, a: lib.arctan(a), "real", True),
    "sinh": (lambda lib, a: lib.sinh(a), "real", True),
    "cosh": (lambda lib, a: a.cosh(), "real", True),
    "tanh": (lambda lib, a: lib.tanh(a), "real", True),
    "asinh": (lambda lib, a: a.asinh(), "real", True),
    "arcsinh": (lambda lib, a: lib.arcsinh(a), "real", True),
    "acosh": (lambda lib, a: lib.acosh(a), "above1", True),
    "arccosh": (lambda lib, a: a.arccosh(), "above1", True),
    "atanh": (lambda lib, a: a.atanh(), "unit", True),
    "arctanh": (lambda lib, a: lib.arctanh(a), "unit", True),
    "sigmoid": (lambda lib, a: a.sigmoid(), "real", True),
    "logit": (lambda lib, a: lib.logit(a), "prob", True),
    "logit_eps": (lambda lib, a: a.logit(0.2), "prob", False),
    "erf": (lambda lib, a: lib.erf(a), "real", True),
    "erfc": (lambda lib, a: a.erfc(), "real", True),
    "erfinv": (lambda lib, a: lib.erfinv(a), "unit", True),
    "floor": (lambda lib, a: lib.floor(a), "real", False),
    "ceil": (lambda lib, a: a.ceil(), "real", False),
    "round": (lambda lib, a: lib.round(a), "real", False),
    "round_decimals": (lambda lib, a: a.round(decimals=2), "real", False),
    "round_negative_decimals": (lambda lib, a: lib.round(a * 1000, decimals=-2), "real", False),
    "trunc": (lambda lib, a: a.trunc(), "real", False),
    "fix": (lambda lib, a: lib.fix(a), "real", False),
    "frac": (lambda lib, a: lib.frac(a), "fractional", True),
    "relu": (lambda lib, a: a.relu(), "real", True),
    "nan_to_num": (lambda lib, a: lib.nan_to_num(a), "real", True),
    "nan_to_num_values": (lambda lib, a: a.nan_to_num(1.5, 2.0, -3.0), "real", True),
    "positive": (lambda lib, a: lib.positive(a), "real", True),
}
# boolean results: compared by value and dtype only
PREDICATES = {
    "isnan": lambda lib, a: lib.isnan(a),
    "isinf": lambda lib, a: a.isinf(),
    "isfinite": lambda lib, a: lib.isfinite(a),
    "isposinf": lambda lib, a: a.isposinf(),
    "isneginf": lambda lib, a: lib.isneginf(a),
    "isreal": lambda lib, a: lib.isreal(a),
    "signbit": lambda lib, a: a.signbit(),
    "logical_not": lambda lib, a: lib.logical_not(a),
}

# every special value at once: zeros of both signs, the ends of the real domains, tiny and huge
# magnitudes (overflow of exp and cosh, underflow of erfc), infinities and nan
EDGES = np.array(
    [0.0, -0.0, 1.0, -1.0, 0.5, -0.5, 2.5, -2.5, 1e-300, -1e-300, 3e-8, 0.9999999, 1.0000001,
     27.2, 30.0, -30.0, 745.0, 1e300, -1e300, np.inf, -np.inf, np.nan]
)  # fmt: skip


def _inplace(method, *args, **kwargs):
    def fn(lib, a):
        y = a * 1.0  # a non-leaf, so that the in-place op is recorded
        out = getattr(y, method)(*args, **kwargs)
        assert out is y
        return y

    return fn


def _detached_inplace(method):
    # torch records these in-place forms under a node without a derivative (see the test below)
    def fn(lib, a):
        y = a.detach().clone()
        assert getattr(y, method)() is y
        return y

    return fn


CASES = {}
for _name, (_fn, _domain, _) in UNARY.items():
    _draw = DOMAINS[_domain]
    CASES[_name] = (_fn, [_draw((2, 3))])
    CASES[f"{_name}_0d"] = (_fn, [_draw(())])
    CASES[f"{_name}_empty"] = (_fn, [np.zeros((0, 3))])
    CASES[f"{_name}_edges"] = (_fn, [EDGES])
    CASES[f"{_name}_float32"] = (lambda lib, a, _fn=_fn: _fn(lib, a.float()), [_draw((4,))])
    CASES[f"{_name}_float16"] = (lambda lib, a, _fn=_fn: _fn(lib, a.half()), [_draw((4,))])
for _name, _fn in PREDICATES.items():
    CASES[_name] = (_fn, [EDGES])
    CASES[f"{_name}_float16"] = (lambda lib, a, _fn=_fn: _fn(lib, a.half()), [EDGES])
    CASES[f"{_name}_empty"] = (_fn, [np.zeros((2, 0))])
    CASES[f"{_name}_0d"] = (_fn, [np.array(-0.0)])
CASES.update(
    {
        # broadcasting comes in through the argument, the gradient is un-broadcast by the engine
        "erf_broadcast": (lambda lib, a, b: lib.erf(a * b), [(2, 3), (3,)]),
        "logit_broadcast": (
            lambda lib, a, b: (a * b).logit(0.1),
            [(2, 1), (DOMAINS["prob"]((3,)))],
        ),
        # large magnitudes where the naive formula loses everything
        "expm1_tiny": (lambda lib, a: a.expm1(), [np.array([1e-10, -1e-12, 1e-20, 0.0])]),
        "log1p_tiny": (lambda lib, a: lib.log1p(a), [np.array([1e-10, -1e-12, 1e-20, -0.9999])]),
        "sigmoid_large": (lambda lib, a: a.sigmoid(), [np.array([-1000.0, -40.0, 40.0, 1000.0])]),
        "logit_near_bounds": (
            lambda lib, a: lib.logit(a),
            [np.array([1e-12, 1e-300, 1 - 1e-12, 0.5])],
        ),
        "erfc_tail": (lambda lib, a: a.erfc(), [np.array([5.0, 10.0, 20.0, 26.0, 27.0, -6.0])]),
        "erfinv_tails": (
            lambda lib, a: a.erfinv(),
            [np.array([1 - 1e-15, -(1 - 1e-12), 1e-200, 0.5, np.nextafter(1.0, 0.0)])],
        ),
        "logit_eps_bounds": (lambda lib, a: a.logit(eps=0.25), [np.array([0.25, 0.75, 0.1, 0.9])]),
        # ties: round half to even, also after scaling
        "round_ties": (
            lambda lib, a: a.round(),
            [np.array([0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 3.49999])],
        ),
        "round_decimals_ties": (
            lambda lib, a: lib.round(a, decimals=1),
            [np.array([0.25, 0.35, -0.25, 1.05, 2.675])],
        ),
        "round_decimals_zero": (lambda lib, a: a.round(decimals=0), [np.array([0.5, 1.5, -2.5])]),
        "round_decimals_overflow": (lambda lib, a: a.float().round(decimals=50), [(3,)]),
        "frac_signs": (lambda lib, a: a.frac(), [np.array([-2.5, 2.5, -0.0, 1e20, np.inf])]),
        "nan_to_num_float32_big": (
            lambda lib, a: lib.nan_to_num(a.float(), posinf=1e300, neginf=-1e39),
            [np.array([np.inf, -np.inf, np.nan, 1.0])],
        ),
        "nan_to_num_float16": (lambda lib, a: a.half().nan_to_num(), [EDGES]),
        # integer and bool inputs: float ops promote to the default dtype, rounding keeps the dtype
        "square_bool": (lambda lib, a: a.square(), [("bool", (4,))]),
        "sgn_bool": (lambda lib, a: lib.sgn(a), [("bool", (4,))]),
        "nan_to_num_int": (lambda lib, a: lib.nan_to_num(a, nan=1.5), [("int", (4,))]),
        "nan_to_num_bool": (lambda lib, a: a.nan_to_num(), [("bool", (4,))]),
        "exp_bool": (lambda lib, a: a.exp(), [("bool", (4,))]),
        "erf_bool": (lambda lib, a: lib.erf(a), [("bool", (4,))]),
        "signbit_int": (lambda lib, a: a.signbit(), [("int", (5,))]),
        "logical_not_int": (lambda lib, a: a.logical_not(), [("int", (5,))]),
        "isnan_bool": (lambda lib, a: a.isnan(), [("bool", (3,))]),
        "floor_uint8": (lambda lib, a: (a.abs().to(lib.uint8)).floor(), [("int", (5,))]),
        "default_float64": (
            lambda lib, a: _with_default_float64(lib, lambda: a.erfinv()),
            [("int", (3,))],
        ),
        # in place on non-leaves (node names, gradients through the new node)
        "abs_": (_inplace("abs_"), [(2, 3)]),
        "absolute_": (_inplace("absolute_"), [(3,)]),
        "neg_": (_inplace("neg_"), [(3,)]),
        "negative_": (_inplace("negative_"), [(3,)]),
        "sign_": (_inplace("sign_"), [(3,)]),
        "sgn_": (_inplace("sgn_"), [(3,)]),
        "exp_": (_inplace("exp_"), [(2, 3)]),
        "exp2_": (_inplace("exp2_"), [(3,)]),
        "expm1_": (_inplace("expm1_"), [(3,)]),
        "log_": (_inplace("log_"), [("positive", (3,))]),
        "log2_": (_inplace("log2_"), [("positive", (3,))]),
        "log10_": (_inplace("log10_"), [("positive", (3,))]),
        "log1p_": (_inplace("log1p_"), [("positive", (3,))]),
        "sqrt_": (_inplace("sqrt_"), [("positive", (3,))]),
        "rsqrt_": (_inplace("rsqrt_"), [("positive", (3,))]),
        "square_": (_inplace("square_"), [(3,)]),
        "reciprocal_": (_inplace("reciprocal_"), [("positive", (3,))]),
        "sin_": (_inplace("sin_"), [(3,)]),
        "cos_": (_inplace("cos_"), [(3,)]),
        "tan_": (_inplace("tan_"), [DOMAINS["small"]((3,))]),
        "asin_": (_inplace("asin_"), [DOMAINS["unit"]((3,))]),
        "arcsin_": (_inplace("arcsin_"), [DOMAINS["unit"]((3,))]),
        "acos_": (_inplace("acos_"), [DOMAINS["unit"]((3,))]),
        "arccos_": (_inplace("arccos_"), [DOMAINS["unit"]((3,))]),
        "atan_": (_inplace("atan_"), [(3,)]),
        "arctan_": (_inplace("arctan_"), [(3,)]),
        "sinh_": (_inplace("sinh_"), [(3,)]),
        "cosh_": (_inplace("cosh_"), [(3,)]),
        "tanh_": (_inplace("tanh_"), [(3,)]),
        "asinh_": (_detached_inplace("asinh_"), [DOMAINS["unit"]((3,))]),
        "arcsinh_": (_detached_inplace("arcsinh_"), [DOMAINS["unit"]((3,))]),
        "acosh_": (_detached_inplace("acosh_"), [DOMAINS["above1"]((3,))]),
        "arccosh_": (_detached_inplace("arccosh_"), [DOMAINS["above1"]((3,))]),
        "atanh_": (_detached_inplace("atanh_"), [DOMAINS["unit"]((3,))]),
        "arctanh_": (_detached_inplace("arctanh_"), [DOMAINS["unit"]((3,))]),
        "sigmoid_": (_inplace("sigmoid_"), [(3,)]),
        "logit_": (_inplace("logit_"), [DOMAINS["prob"]((3,))]),
        "logit_eps_": (_inplace("logit_", 0.3), [DOMAINS["prob"]((4,))]),
        "erf_": (_inplace("erf_"), [(3,)]),
        "erfc_": (_inplace("erfc_"), [(3,)]),
        "erfinv_": (_inplace("erfinv_"), [DOMAINS["unit"]((3,))]),
        "floor_": (_inplace("floor_"), [(3,)]),
        "ceil_": (_inplace("ceil_"), [(3,)]),
        "round_": (_inplace("round_"), [(3,)]),
        "round_decimals_": (_inplace("round_", decimals=1), [(3,)]),
        "trunc_": (_inplace("trunc_"), [(3,)]),
        "fix_": (_inplace("fix_"), [(3,)]),
        "frac_": (_inplace("frac_"), [(3,)]),
        "relu_": (_inplace("relu_"), [(3,)]),
        "nan_to_num_": (_inplace("nan_to_num_"), [EDGES]),
        "nan_to_num_values_": (_inplace("nan_to_num_", 0.5, posinf=7.0), [EDGES]),
        "logical_not_": (_inplace("logical_not_"), [EDGES]),
    }
)


def _with_default_float64(lib, fn):
    old = lib.get_default_dtype()
    lib.set_default_dtype(lib.float64)
    try:
        return fn()
    finally:
        lib.set_default_dtype(old)


# torch's values where mytorch's existing pointwise.py ops still differ (not this module's ops)
KNOWN_POINTWISE_GAPS = {}
# float32 inside, float64 leaves: the gradients are float64 but carry float32 rounding
TOLERANCES = {name: {"rtol": 1e-5, "atol": 1e-6} for name in CASES if name.endswith("_float32")}
TOLERANCES.update({n: {"rtol": 2e-3, "atol": 1e-3} for n in CASES if n.endswith("_float16")})


def _case_params(names):
    return [
        pytest.param(n, marks=pytest.mark.xfail(reason=KNOWN_POINTWISE_GAPS[n], strict=True))
        if n in KNOWN_POINTWISE_GAPS
        else n
        for n in names
    ]


@pytest.mark.parametrize("name", _case_params(CASES))
def test_matches_torch(name):
    fn, specs = CASES[name]
    check_against_torch(fn, specs, order=2, **TOLERANCES.get(name, {}))


# ---- finite differences (independent of torch) --------------------------------------------------

# abs and relu have their kink at 0 only, which the drawn points miss
SMOOTH = [n for n, (_, _, smooth) in UNARY.items() if smooth]


def _leaves(specs):
    arrays = make_inputs(specs, np.random.default_rng(0))
    return [mytorch.tensor(a, requires_grad=True) for a in arrays]


@pytest.mark.parametrize("name", SMOOTH)
def test_gradcheck(name):
    fn, specs = CASES[name]
    inputs = _leaves(specs)
    assert mytorch.autograd.gradcheck(lambda *xs: fn(mytorch, *xs), inputs)
    assert mytorch.autograd.gradcheck(lambda x: fn(mytorch, x), _leaves(CASES[f"{name}_0d"][1]))


def test_gradcheck_broadcast():
    fn, specs = CASES["erf_broadcast"]
    assert mytorch.autograd.gradcheck(lambda *xs: fn(mytorch, *xs), _leaves(specs))
    assert mytorch.autograd.gradgradcheck(lambda *xs: fn(mytorch, *xs), _leaves(specs))


@pytest.mark.parametrize("name", SMOOTH)
def test_gradgradcheck(name):
    fn, specs = CASES[name]
    inputs = _leaves(specs)
    assert mytorch.autograd.gradgradcheck(lambda *xs: fn(mytorch, *xs), inputs)


def test_gradcheck_catches_a_wrong_rule(monkeypatch):
    """The finite-difference checks can fail: a derivative off by 10% is reported."""
    node = mytorch._ops.unary.erf.node_class
    right = node._rule
    x = mytorch.tensor([0.3, -0.7], dtype=mytorch.float64, requires_grad=True)
    assert mytorch.autograd.gradcheck(mytorch.erf, [x])
    monkeypatch.setattr(node, "_rule", lambda ctx, grad: right(ctx, grad) * 1.1)
    assert not mytorch.autograd.gradcheck(mytorch.erf, [x], raise_exception=False)


# ---- third order against torch ------------------------------------------------------------------

THIRD_ORDER = ["erf", "erfc", "erfinv", "logit", "tan", "asin", "acosh", "atanh", "log1p",
               "expm1", "rsqrt", "exp2", "asinh", "log10"]  # fmt: skip


@pytest.mark.parametrize("name", THIRD_ORDER)
def test_third_order_matches_torch(name):
    fn, specs = CASES[name]
    (x,) = specs
    rng = np.random.default_rng(7)
    v, u, w = (rng.standard_normal(x.shape) for _ in range(3))
    results = []
    for lib in (mytorch, torch):
        t = lib.tensor(x, requires_grad=True)
        (g1,) = lib.autograd.grad(fn(lib, t), [t], lib.tensor(v), create_graph=True)
        (g2,) = lib.autograd.grad(g1, [t], lib.tensor(u), create_graph=True)
        (g3,) = lib.autograd.grad(g2, [t], lib.tensor(w), create_graph=True)
        results.append((g1, g2, g3))
    for k, (m, t) in enumerate(zip(*results)):
        assert_same(m, t, what=f"order {k + 1}")


# ---- hypothesis: shapes, values -----------------------------------------------------------------


@given(
    name=st.sampled_from(sorted(UNARY)),
    shape=array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=3),
)
def test_any_shape_matches_torch(name, shape):
    fn, domain, _ = UNARY[name]
    check_against_torch(fn, [DOMAINS[domain](shape)], order=1)


@given(st.lists(st.floats(-30, 30), min_size=1, max_size=20))
def test_erf_erfc_match_torch_to_float64_precision(values):
    x = np.array(values)
    for name in ("erf", "erfc"):
        got = getattr(mytorch, name)(mytorch.tensor(x)).numpy()
        want = getattr(torch, name)(torch.tensor(x)).numpy()
        np.testing.assert_allclose(got, want, rtol=4e-15, atol=1e-300)


@given(st.lists(st.floats(-1, 1), min_size=1, max_size=20))
def test_erfinv_inverts_erf(values):
    y = np.array(values)
    x = mytorch.erfinv(mytorch.tensor(y))
    np.testing.assert_allclose(x.numpy(), torch.erfinv(torch.tensor(y)).numpy(), rtol=1e-13)
    inner = np.abs(y) < 0.999
    np.testing.assert_allclose(mytorch.erf(x).numpy()[inner], y[inner], rtol=1e-15, atol=1e-300)


def test_erf_family_dense_grid():
    """The Taylor grid of erfc is checked across all its cells, incl. cell edges."""
    x = np.concatenate([np.arange(-6, 28, 1 / 64), np.arange(0.46, 0.54, 1e-3)])
    for name in ("erf", "erfc"):
        got = getattr(mytorch, name)(mytorch.tensor(x)).numpy()
        want = getattr(torch, name)(torch.tensor(x)).numpy()
        np.testing.assert_allclose(got, want, rtol=4e-15, atol=1e-300)
    y = np.concatenate([np.linspace(-1, 1, 2001), 1 - np.logspace(-16, -1, 200)])
    got = mytorch.erfinv(mytorch.tensor(y)).numpy()
    np.testing.assert_allclose(got, torch.erfinv(torch.tensor(y)).numpy(), rtol=1e-13)


# ---- errors: same class as torch, key message parts ---------------------------------------------

ERRORS = {
    "floor_bool": (lambda lib: lib.floor(lib.tensor([True])), "floor_vml_cpu"),
    "ceil_bool": (lambda lib: lib.tensor([True]).ceil(), "not implemented for 'Bool'"),
    "round_bool": (lambda lib: lib.round(lib.tensor([True])), "round_vml_cpu"),
    "trunc_bool": (lambda lib: lib.tensor([False]).trunc(), "trunc_vml_cpu"),
    "round_decimals_int": (lambda lib: lib.tensor([15]).round(decimals=-1), "'Long'"),
    "round_decimals_uint8": (
        lambda lib: lib.round(lib.tensor([1], dtype=lib.uint8), decimals=1),
        "round_cpu\" not implemented for 'Byte'",
    ),
    "round_decimals_float": (lambda lib: lib.tensor([1.0]).round(decimals=1.5), "round()"),
    "frac_int": (lambda lib: lib.tensor([1, 2]).frac(), "frac_cpu\" not implemented for 'Long'"),
    "frac_int8": (lambda lib: lib.frac(lib.tensor([1], dtype=lib.int8)), "'Char'"),
    "positive_bool": (lambda lib: lib.positive(lib.tensor([True])), "on a bool tensor"),
    "neg_bool": (lambda lib: lib.tensor([True]).negative(), "Negation"),
    "nan_to_num_str": (
        lambda lib: lib.nan_to_num(lib.ones(2), nan="a"),
        "argument 'nan' must be float, not str",
    ),
    "nan_to_num_posinf_str": (
        lambda lib: lib.ones(2).nan_to_num(posinf="x"),
        "argument 'posinf' must be float",
    ),
    "exp_int_inplace": (lambda lib: lib.tensor([1, 2]).exp_(), "can't be cast to the desired"),
    "erfinv_bool_inplace": (lambda lib: lib.tensor([True]).erfinv_(), "result type Float"),
    "square_bool_inplace": (lambda lib: lib.tensor([True]).square_(), "result type Long"),
    "leaf_inplace": (
        lambda lib: lib.ones(2, requires_grad=True).sigmoid_(),
        "a leaf Variable that requires grad is being used in an in-place operation.",
    ),
    "leaf_inplace_floor": (
        lambda lib: lib.ones(2, requires_grad=True).floor_(),
        "a leaf Variable that requires grad",
    ),
    "saved_result_modified": (
        lambda lib: _backward_after_modifying_saved_result(lib),
        "modified by an inplace operation",
    ),
}


def _backward_after_modifying_saved_result(lib):
    x = lib.tensor([0.5, 1.0], requires_grad=True)
    y = (x * 0.5).exp2()  # exp2 saves its result
    y.mul_(2)
    y.sum().backward()


@pytest.mark.parametrize("name", ERRORS)
def test_errors_match_torch(name):
    fn, message = ERRORS[name]
    with pytest.raises(Exception) as t_err:
        fn(torch)
    with pytest.raises(Exception) as m_err:
        fn(mytorch)
    assert type(m_err.value) is type(t_err.value), (m_err.value, t_err.value)
    assert message in str(t_err.value), t_err.value  # the key part is torch's own text
    assert message in str(m_err.value), m_err.value


# ---- in place: versions, failures change nothing ------------------------------------------------

INPLACE_METHODS = """abs_ absolute_ neg_ negative_ sign_ sgn_ exp_ exp2_ expm1_ log_ log2_ log10_
    log1p_ sqrt_ rsqrt_ square_ reciprocal_ sin_ cos_ tan_ asin_ arcsin_ acos_ arccos_ atan_ arctan_
    sinh_ cosh_ tanh_ asinh_ arcsinh_ acosh_ arccosh_ atanh_ arctanh_ sigmoid_ logit_ erf_ erfc_
    erfinv_ floor_ ceil_ round_ trunc_ fix_ frac_ relu_ nan_to_num_ logical_not_""".split()
FUNCTIONS = """abs absolute neg negative sign sgn exp exp2 expm1 log log2 log10 log1p sqrt rsqrt
    square reciprocal sin cos tan asin arcsin acos arccos atan arctan sinh cosh tanh asinh arcsinh
    acosh arccosh atanh arctanh sigmoid logit erf erfc erfinv floor ceil round trunc fix frac relu
    nan_to_num isnan isinf isfinite isposinf isneginf isreal signbit positive logical_not""".split()


@pytest.mark.parametrize("method", ["exp_", "floor_", "round_", "logical_not_", "erfinv_", "sgn_"])
def test_inplace_bumps_version_like_torch(method):
    data = np.array([0.25, -0.5, 0.75])
    seen = []
    for lib in (mytorch, torch):
        t = lib.tensor(data)
        view = t[1:]
        before = t._version
        assert getattr(t, method)() is t
        seen.append((t, (before, t._version, view._version)))
    (m, m_versions), (t, t_versions) = seen
    assert_same(m, t)
    assert m_versions == t_versions
    assert m_versions[1] == m_versions[0] + 1


@pytest.mark.parametrize(
    "dtype, method",
    [("int64", "exp_"), ("int32", "sqrt_"), ("bool", "square_"), ("int64", "frac_"),
     ("bool", "floor_"), ("int64", "erfinv_"), ("int64", "logit_"), ("bool", "round_")],
)  # fmt: skip
def test_failing_inplace_changes_nothing(dtype, method):
    data = np.array([1, 0, 3]).astype(dtype)
    for lib in (torch, mytorch):
        t = lib.tensor(data)
        before = t._version
        with pytest.raises((RuntimeError, NotImplementedError)):
            getattr(t, method)()
        assert t._version == before
        np.testing.assert_array_equal(np.asarray(t), data)


def test_inplace_on_integers_keeps_dtype():
    data = np.array([-3, 0, 4])
    for method in ("floor_", "ceil_", "round_", "trunc_", "neg_", "abs_", "sgn_", "square_",
                   "nan_to_num_", "logical_not_"):  # fmt: skip
        m = getattr(mytorch.tensor(data), method)()
        t = getattr(torch.tensor(data), method)()
        assert_same(m, t, what=method)


def test_inplace_records_through_a_view():
    """An in-place op on a view of a non-leaf changes the base and its gradient, as in torch."""
    grads = []
    for lib in (mytorch, torch):
        x = lib.tensor([0.2, 0.4, 0.6], dtype=lib.float64, requires_grad=True)
        y = x * 1.0
        y[1:].erf_()
        (y * lib.tensor([1.0, 2.0, 3.0], dtype=lib.float64)).sum().backward()
        grads.append((y, type(y.grad_fn).__name__, x.grad))
    (my, m_name, m_grad), (ty, t_name, t_grad) = grads
    assert m_name == t_name == "CopySlices"
    assert_same(my, ty)
    assert_same(m_grad, t_grad)


def test_changing_an_output_that_is_not_saved_is_allowed():
    """erfinv, like torch's, saves its input, not its output: changing the output in place later
    leaves the gradient intact."""
    grads = []
    for lib in (mytorch, torch):
        x = lib.tensor([0.2, -0.6], dtype=lib.float64, requires_grad=True)
        y = (x * 1.0).erfinv()
        z = y + 1  # add saves nothing
        y.mul_(3)
        grads.append(lib.autograd.grad(z.sum(), [x])[0])
    assert_same(*grads)


@pytest.mark.parametrize(
    "method, data",
    [("asinh_", [0.5, -1.0]), ("arcsinh_", [0.5, 2.0]), ("acosh_", [1.5, 3.0]),
     ("arccosh_", [2.0, 1.25]), ("atanh_", [0.5, -0.25]), ("arctanh_", [0.1, 0.7])],
)  # fmt: skip
def test_inverse_hyperbolic_inplace_has_no_derivative(method, data):
    """torch records asinh_/acosh_/atanh_ as <Name>Backward1 without a derivative."""
    results = []
    for lib in (mytorch, torch):
        x = lib.tensor(data, dtype=lib.float64, requires_grad=True)
        y = x * 1.0
        getattr(y, method)()
        with pytest.raises(NotImplementedError, match="inplace version of a"):
            y.sum().backward()
        results.append((y, type(y.grad_fn).__name__))
    (m, m_name), (t, t_name) = results
    assert m_name == t_name
    assert_same(m, t)


def test_positive_returns_the_input_itself():
    x = mytorch.tensor([1.0, -2.0], requires_grad=True)
    assert mytorch.positive(x) is x and x.positive() is x
    y = torch.tensor([1.0, -2.0], requires_grad=True)
    assert torch.positive(y) is y  # the reference does the same


def test_names_exist_as_in_torch():
    for name in FUNCTIONS:
        assert hasattr(torch, name) and hasattr(torch.Tensor, name), name
        assert callable(getattr(mytorch, name)), name
        assert callable(getattr(mytorch.Tensor, name)), name
    for name in INPLACE_METHODS:
        assert hasattr(torch.Tensor, name), name
        assert callable(getattr(mytorch.Tensor, name)), name


def test_erf_constants_are_the_closed_forms():
    """Known exact values: erf(inf) = 1, erfc(0) = 1, erfinv(0.5) from the literature."""
    assert mytorch.erf(mytorch.tensor(math.inf)).item() == 1.0
    assert mytorch.erfc(mytorch.tensor(0.0, dtype=mytorch.float64)).item() == 1.0
    x = mytorch.erfinv(mytorch.tensor(0.5, dtype=mytorch.float64)).item()
    assert abs(x - 0.4769362762044699) < 1e-16
