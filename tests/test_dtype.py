"""dtypes, type promotion and the result dtype (and values) of binary ops, against real torch."""

import copy
import itertools
import operator
import pickle
import warnings

import numpy as np
import pytest
import torch
from hypothesis import assume, given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import mytorch

NAMES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32", "float64"]
ALIASES = {
    "half": "float16",
    "float": "float32",
    "double": "float64",
    "short": "int16",
    "int": "int32",
    "long": "int64",
}
INTEGRAL = {"uint8", "int8", "int16", "int32", "int64"}
FLOATING = {"float16", "float32", "float64"}


@pytest.fixture(autouse=True)
def _restore_torch_default():
    # mytorch's default is restored by conftest.py; torch's is ours to restore
    yield
    torch.set_default_dtype(torch.float32)


def _name(d) -> str:
    """`torch.float32` for either library's dtype."""
    return repr(d).replace("mytorch.", "torch.")


def _np_dtype(name: str) -> np.dtype:
    return np.dtype(np.bool_ if name == "bool" else name)


# ---- the dtype objects --------------------------------------------------------------------------


@pytest.mark.parametrize("name", NAMES + list(ALIASES))
def test_dtype_attributes_match_torch(name):
    ours, theirs = getattr(mytorch, name), getattr(torch, name)
    assert isinstance(ours, mytorch.dtype)
    assert repr(ours) == "mytorch." + ALIASES.get(name, name)
    assert _name(ours) == repr(theirs)
    assert str(ours).replace("mytorch.", "torch.") == str(theirs)
    assert ours.is_floating_point is theirs.is_floating_point
    assert ours.is_signed is theirs.is_signed
    assert ours.is_complex is theirs.is_complex
    assert ours.itemsize == theirs.itemsize


@pytest.mark.parametrize("alias", ALIASES)
def test_aliases_are_the_same_object(alias):
    assert getattr(mytorch, alias) is getattr(mytorch, ALIASES[alias])
    assert getattr(torch, alias) is getattr(torch, ALIASES[alias])  # the oracle agrees


@pytest.mark.parametrize("name", NAMES)
def test_dtype_pickles_and_copies_to_the_same_object(name):
    d = getattr(mytorch, name)
    for protocol in range(pickle.HIGHEST_PROTOCOL + 1):
        assert pickle.loads(pickle.dumps(d, protocol)) is d
    assert copy.copy(d) is d
    assert copy.deepcopy(d) is d
    assert pickle.loads(pickle.dumps({"dt": [d]}))["dt"][0] is d


def test_dtypes_are_distinct_and_hashable():
    dts = [getattr(mytorch, n) for n in NAMES]
    assert len(set(dts)) == len(NAMES)
    assert {mytorch.float32: 1}[mytorch.float] == 1
    for a, b in itertools.combinations(dts, 2):
        assert a != b


def test_tensor_dtype_is_the_singleton():
    for name in NAMES:
        t = mytorch.from_numpy(np.zeros(2, _np_dtype(name)))
        assert t.dtype is getattr(mytorch, name)


# ---- promote_types and can_cast: every pair -----------------------------------------------------

PAIRS = list(itertools.product(NAMES, NAMES))


@pytest.mark.parametrize(("a", "b"), PAIRS)
def test_promote_types_matches_torch(a, b):
    ours = mytorch.promote_types(getattr(mytorch, a), getattr(mytorch, b))
    assert isinstance(ours, mytorch.dtype)
    assert _name(ours) == repr(torch.promote_types(getattr(torch, a), getattr(torch, b)))


@pytest.mark.parametrize(("a", "b"), PAIRS)
def test_can_cast_matches_torch(a, b):
    ours = mytorch.can_cast(getattr(mytorch, a), getattr(mytorch, b))
    assert ours is torch.can_cast(getattr(torch, a), getattr(torch, b))


# ---- operands: dimensioned tensors, 0-d tensors, size-0 tensors, Python numbers -----------------

# (kind, dtype name) for tensors; ("py", value) for Python numbers
TENSOR_SPECS = [(kind, n) for kind in ("dim", "zero", "empty") for n in NAMES]
PY_SPECS = [("py", True), ("py", -3), ("py", -2.5)]
SPECS = TENSOR_SPECS + PY_SPECS

# fixed values with negatives wherever the dtype has them
_VALUES = {
    "bool": [True, False, True, True],
    "uint8": [0, 1, 5, 7],
    "signed": [-7, -1, 0, 5],
    "float": [-2.5, -1.0, 0.0, 3.75],
}
# integral divisors avoid 0 (torch raises ZeroDivisionError, tested on its own below);
# integral exponents avoid negatives (torch raises for Python ints, tested below)
_DIVISORS = {"bool": [True] * 4, "uint8": [1, 2, 5, 7], "signed": [-7, -1, 2, 5]}
_EXPONENTS = {"bool": [True, False, True, False], "uint8": [0, 1, 2, 3], "signed": [0, 1, 2, 3]}


def _family(name: str) -> str:
    if name in FLOATING:
        return "float"
    return name if name in ("bool", "uint8") else "signed"


def _spec_array(spec, role: str) -> np.ndarray:
    kind, name = spec
    fam = _family(name)
    table = {"div": _DIVISORS, "pow": _EXPONENTS}.get(role, {})
    values = table.get(fam, _VALUES[fam])
    arr = np.array(values, dtype=_np_dtype(name))
    return {"dim": arr, "zero": arr[:1].reshape(()).copy(), "empty": arr[:0]}[kind]


def _py_value(value, role: str, other):
    # uint8 with a negative Python int is its own test (torch wraps the scalar)
    if type(value) is int and (role in ("div", "pow") or other == "uint8"):
        return 3
    return value


def _build(spec, role: str, other=None):
    """The operand for both libraries: (mytorch value, torch value)."""
    if spec[0] == "py":
        v = _py_value(spec[1], role, other)
        return v, v
    arr = _spec_array(spec, role)
    return mytorch.from_numpy(arr.copy()), torch.from_numpy(arr.copy())


def _run(fn, *args):
    try:
        return fn(*args), None
    except Exception as e:  # the class is what we compare
        return None, e


def _mismatch(ours, theirs) -> str | None:
    """None when mytorch's result equals torch's in class, dtype, shape and values."""
    if not isinstance(ours, mytorch.Tensor):
        return f"got {type(ours).__name__}, torch gives a Tensor"
    if _name(ours.dtype) != repr(theirs.dtype):
        return f"dtype {_name(ours.dtype)} != {theirs.dtype}"
    if tuple(ours.shape) != tuple(theirs.shape):
        return f"shape {tuple(ours.shape)} != {tuple(theirs.shape)}"
    try:
        torch.testing.assert_close(torch.from_numpy(np.array(ours.numpy())), theirs, equal_nan=True)
    except AssertionError as e:
        return f"values differ: {ours.numpy()} vs {theirs.numpy()} ({str(e).splitlines()[0]})"
    return None


def _compare_op(fn, a, b) -> str | None:
    """Run `fn` on both libraries; a raise in torch must be matched by the same class."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # numpy's 1/0 warnings (tested below)
        theirs, terr = _run(fn, a[1], b[1])
        ours, oerr = _run(fn, a[0], b[0])
    if terr is not None:
        if oerr is None:
            return f"torch raises {type(terr).__name__}: {terr}; mytorch returns {ours!r}"
        if type(oerr) is not type(terr):
            return f"torch raises {type(terr).__name__}, mytorch {type(oerr).__name__}: {oerr}"
        return None
    if oerr is not None:
        return f"mytorch raises {type(oerr).__name__}: {oerr}; torch gives {theirs!r}"
    return _mismatch(ours, theirs)


def _report(failures: list) -> str:
    head = "\n".join(f[:200] for f in failures[:25])
    return f"{len(failures)} mismatches with torch:\n{head}"


def _describe(spec) -> str:
    return f"{spec[1]!r}" if spec[0] == "py" else f"{spec[0]}-{spec[1]}"


# ---- result_type --------------------------------------------------------------------------------


@pytest.mark.parametrize("left", SPECS, ids=_describe)
def test_result_type_matches_torch_exhaustively(left):
    failures = []
    for right in SPECS:
        a, b = _build(left, "lhs"), _build(right, "rhs")
        theirs, terr = _run(torch.result_type, a[1], b[1])
        ours, oerr = _run(mytorch.result_type, a[0], b[0])
        if terr is not None:
            if oerr is None or type(oerr) is not type(terr):
                failures.append(f"{_describe(right)}: torch raises {terr!r}, mytorch {oerr!r}")
        elif oerr is not None or _name(ours) != repr(theirs):
            failures.append(f"{_describe(right)}: {ours if oerr is None else oerr!r} != {theirs}")
    assert not failures, _report(failures)


_ELEMENTS = {
    "bool": st.booleans(),
    "uint8": st.integers(0, 20),
    "signed": st.integers(-20, 20),
    # quarters are exact in float16, so both libraries see the same inputs
    "float": st.integers(-40, 40).map(lambda v: v / 4),
}


def _elements(name: str, role: str):
    fam = _family(name)
    base = _ELEMENTS[fam]
    if role == "div" and fam != "float":
        return st.just(True) if fam == "bool" else base.filter(lambda v: v != 0)
    if role == "pow" and fam != "float":
        return st.booleans() if fam == "bool" else st.integers(0, 3)
    return base


@st.composite
def _operand(draw, shape, role, other_dtype=None, allow_python=True):
    """(mytorch operand, torch operand, description)"""
    if allow_python and draw(st.booleans()):
        kind = draw(st.sampled_from(["bool", "int", "float"]))
        if kind == "bool":
            v = draw(st.booleans()) if role != "div" else True
        elif kind == "int":
            lo = 0 if other_dtype == "uint8" else -20
            v = draw(
                st.integers(1, 20)
                if role == "div"
                else st.integers(0, 3)
                if role == "pow"
                else st.integers(lo, 20)
            )
        else:
            v = draw(_ELEMENTS["float"])
        return v, v, repr(v)
    name = draw(st.sampled_from(NAMES))
    arr = draw(hnp.arrays(_np_dtype(name), shape, elements=_elements(name, role)))
    return mytorch.from_numpy(arr.copy()), torch.from_numpy(arr.copy()), f"{name}{arr.shape}"


@given(data=st.data(), shapes=hnp.mutually_broadcastable_shapes(num_shapes=2, max_side=3))
def test_result_type_matches_torch_on_drawn_operands(data, shapes):
    a = data.draw(_operand(shapes.input_shapes[0], "lhs"))
    b = data.draw(_operand(shapes.input_shapes[1], "rhs"))
    assert _name(mytorch.result_type(a[0], b[0])) == repr(torch.result_type(a[1], b[1]))


# ---- the result of binary ops -------------------------------------------------------------------

OPS = {
    "add": operator.add,
    "sub": operator.sub,
    "mul": operator.mul,
    "truediv": operator.truediv,
    "floordiv": operator.floordiv,
    "mod": operator.mod,
    "pow": operator.pow,
    "eq": operator.eq,
    "ne": operator.ne,
    "lt": operator.lt,
    "le": operator.le,
    "gt": operator.gt,
    "ge": operator.ge,
}
_ROLE = {"floordiv": "div", "mod": "div", "pow": "pow"}


def _tensor_dtype(spec):
    return None if spec[0] == "py" else spec[1]


@pytest.mark.parametrize("op", OPS)
def test_binary_op_dtype_and_values_match_torch_exhaustively(op):
    """Every (operand kind x dtype) pair with at least one tensor: result class, dtype, shape and
    values equal torch's; where torch raises, mytorch raises the same exception class."""
    fn, role = OPS[op], _ROLE.get(op, "rhs")
    failures = []
    for left, right in itertools.product(SPECS, SPECS):
        if left[0] == right[0] == "py":
            continue
        a = _build(left, "lhs", _tensor_dtype(right))
        b = _build(right, role, _tensor_dtype(left))
        problem = _compare_op(fn, a, b)
        if problem:
            failures.append(f"{_describe(left)} {op} {_describe(right)}: {problem}")
    assert not failures, _report(failures)


def _is_bool(x) -> bool:
    return x is True or x is False or (isinstance(x, mytorch.Tensor) and x.dtype is mytorch.bool)


def _known_bool_error(op, a, b) -> bool:
    # torch refuses these; the exhaustive test above owns them, so that a drawn case can
    # find other differences instead of stopping at the same one every time
    if op == "sub":
        return _is_bool(a) or _is_bool(b)
    return op in ("floordiv", "mod", "pow") and _is_bool(a) and _is_bool(b)


def _dtype_name(x):
    return repr(x.dtype)[len("mytorch.") :] if isinstance(x, mytorch.Tensor) else None


@given(
    data=st.data(),
    op=st.sampled_from(list(OPS)),
    shapes=hnp.mutually_broadcastable_shapes(num_shapes=2, max_side=3),
)
def test_binary_op_matches_torch_on_drawn_operands(data, op, shapes):
    """Values on drawn broadcastable shapes (0-d and size-0 included) and dtypes."""
    role = _ROLE.get(op, "rhs")
    a = data.draw(_operand(shapes.input_shapes[0], "lhs", allow_python=data.draw(st.booleans())))
    b = data.draw(
        _operand(
            shapes.input_shapes[1],
            role,
            _dtype_name(a[0]),
            allow_python=_dtype_name(a[0]) is not None,
        )
    )
    if _dtype_name(b[0]) == "uint8" and type(a[0]) is int:
        a = (abs(a[0]), abs(a[0]), a[2])  # uint8 with a negative int: its own test below
    assume(not _known_bool_error(op, a[0], b[0]))
    problem = _compare_op(OPS[op], a, b)
    assert problem is None, f"{a[2]} {op} {b[2]}: {problem}"


# ---- edges where torch's integer semantics differ from NumPy's ----------------------------------


@pytest.mark.parametrize("op", ["floordiv", "mod"])
def test_integer_division_by_zero_raises_like_torch(op):
    fn = OPS[op]
    for name in sorted(INTEGRAL):
        arr, zeros = np.array([5, 0, 3], dtype=name), np.array([1, 0, 0], dtype=name)
        for lib in (torch, mytorch):
            for divisor in (0, lib.from_numpy(zeros.copy())):
                with pytest.raises(RuntimeError, match="ZeroDivisionError"):
                    fn(lib.from_numpy(arr.copy()), divisor)


@pytest.mark.parametrize(
    ("base", "exponent"),
    [([2, 1, -1, 0, 3], [-1, -1, -1, 2, -2]), ([2, 1, -1], [-3]), ([1, -1, 2], -1)],
    ids=["elementwise", "broadcast", "0-d exponent"],
)
def test_integer_tensor_to_negative_integer_tensor_power(base, exponent):
    """torch computes integer powers with negative tensor exponents (1, ±1 or 0); it raises only
    for a negative Python int exponent."""
    theirs = torch.tensor(base) ** torch.tensor(exponent)
    ours = mytorch.tensor(base) ** mytorch.tensor(exponent)
    assert _mismatch(ours, theirs) is None


def test_python_int_to_negative_integer_tensor_power():
    theirs = 2 ** torch.tensor([-1, 0, 2])
    ours = 2 ** mytorch.tensor([-1, 0, 2])
    assert _mismatch(ours, theirs) is None


@pytest.mark.parametrize("name", sorted(INTEGRAL | {"bool"}))
def test_integer_tensor_to_negative_python_int_raises(name):
    arr = np.array([1, 2], dtype=_np_dtype(name))
    with pytest.raises(RuntimeError) as expected:
        torch.from_numpy(arr.copy()) ** -2
    with pytest.raises(RuntimeError) as got:
        mytorch.from_numpy(arr) ** -2
    assert str(got.value) == str(expected.value)


@pytest.mark.parametrize(
    "expr",
    [
        lambda lib: lib.tensor([True, False]) - lib.tensor([True, True]),
        lambda lib: lib.tensor([True, False]) - True,
        lambda lib: True - lib.tensor([1, 2]),
        lambda lib: lib.tensor([True]) // lib.tensor([True]),
        lambda lib: lib.tensor([True]) % lib.tensor([True]),
        lambda lib: lib.tensor([True]) ** lib.tensor([True]),
    ],
    ids=["bool-bool", "bool-True", "True-int", "bool//bool", "bool%bool", "bool**bool"],
)
def test_bool_arithmetic_errors_match_torch(expr):
    _, expected = _run(expr, torch)
    assert expected is not None  # the oracle raises
    _, got = _run(expr, mytorch)
    assert type(got) is type(expected), f"torch: {expected!r}; mytorch: {got!r}"
    if isinstance(expected, RuntimeError):  # torch's own wording for bool subtraction
        assert str(got) == str(expected)


@pytest.mark.parametrize(
    ("name", "scalar"),
    [("uint8", -3), ("uint8", -1), ("uint8", 300), ("int8", 200), ("int8", -200), ("int16", 40000)],
)
def test_out_of_range_python_int_wraps_like_torch(name, scalar):
    """torch casts a Python int to the tensor's integer dtype (wrapping); it does not raise."""
    arr = np.array([1, 2, 100], dtype=name)
    failures = []
    for op in ("add", "sub", "mul", "eq", "lt", "ge"):
        for swap in (False, True):
            a = (mytorch.from_numpy(arr.copy()), torch.from_numpy(arr.copy()))
            b = (scalar, scalar)
            problem = _compare_op(OPS[op], *((b, a) if swap else (a, b)))
            if problem:
                failures.append(f"{op} (swapped={swap}): {problem}")
    assert not failures, _report(failures)


def test_float_division_by_zero_is_silent():
    """torch gives inf/nan without warnings; NumPy's RuntimeWarnings should not leak."""
    x = mytorch.tensor([1.0, 0.0, -1.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        q = x / 0.0
        f = x // 0.0
        r = x % 0.0
    for ours, theirs in [
        (q, torch.tensor([1.0, 0.0, -1.0]) / 0.0),
        (f, torch.tensor([1.0, 0.0, -1.0]) // 0.0),
        (r, torch.tensor([1.0, 0.0, -1.0]) % 0.0),
    ]:
        assert _mismatch(ours, theirs) is None


@pytest.mark.parametrize(
    "expr",
    [
        lambda lib: lib.tensor([-7, 7, -8, 8, 0]) // lib.tensor([2, -2, -3, 3, -5]),
        lambda lib: lib.tensor([-7, 7, -8, 8, 0]) % lib.tensor([2, -2, -3, 3, -5]),
        lambda lib: lib.tensor([-7, 7]) // 2,
        lambda lib: lib.tensor([-7, 7]) % -2,
        lambda lib: -7 // lib.tensor([2, -2]),
        lambda lib: -7 % lib.tensor([2, -2]),
        lambda lib: lib.tensor([-7.5, 7.5, -0.0]) // lib.tensor([2.0, -2.0, 3.0]),
        lambda lib: lib.tensor([-7.5, 7.5, -0.0]) % lib.tensor([2.0, -2.0, 3.0]),
        lambda lib: lib.tensor([-7, 7]) / 2,
        lambda lib: lib.tensor([-7, 7], dtype=lib.int8) / lib.tensor([2], dtype=lib.int8),
        lambda lib: lib.tensor([1, 2]) / lib.tensor(3),
        lambda lib: 1 / lib.tensor([2, 4]),
        lambda lib: lib.div(lib.tensor([-7, 7]), 2, rounding_mode="floor"),
        lambda lib: lib.div(lib.tensor([-7, 7]), 2, rounding_mode="trunc"),
        lambda lib: lib.div(lib.tensor([-7.5, 7.5]), 2, rounding_mode="trunc"),
    ],
)
def test_division_semantics_match_torch(expr):
    assert _mismatch(expr(mytorch), expr(torch)) is None


# ---- the default dtype --------------------------------------------------------------------------

DEFAULT_CASES = {
    "tensor_float": lambda lib: lib.tensor(1.0),
    "tensor_list": lambda lib: lib.tensor([1, 2.5]),
    "tensor_int": lambda lib: lib.tensor([1, 2]),
    "tensor_np_float32": lambda lib: lib.tensor(np.ones(2, np.float32)),
    "zeros": lambda lib: lib.zeros(2, 3),
    "ones": lambda lib: lib.ones(2),
    "full_float": lambda lib: lib.full((2,), 1.5),
    "full_int": lambda lib: lib.full((2,), 3),
    "eye": lambda lib: lib.eye(2),
    "arange_float": lambda lib: lib.arange(0.0, 1.0, 0.1),
    "arange_int": lambda lib: lib.arange(5),
    "linspace": lambda lib: lib.linspace(0, 1, 5),
    "logspace": lambda lib: lib.logspace(0, 2, 3),
    "int_div_int": lambda lib: lib.tensor([1, 2, 3]) / 2,
    "int_div_int_tensor": lambda lib: lib.tensor([1, 2]) / lib.tensor([3, 4]),
    "int_mul_float": lambda lib: lib.tensor([1, 2, 3]) * 2.5,
    "float_rsub_int": lambda lib: 0.5 - lib.tensor([1, 2]),
    "int_pow_float": lambda lib: lib.tensor([1, 4]) ** 0.5,
    "int_sqrt": lambda lib: lib.sqrt(lib.tensor([1, 4])),
    "float32_mul_float": lambda lib: lib.ones(2, dtype=lib.float32) * 2.5,
    "float16_add_float": lambda lib: lib.ones(2, dtype=lib.float16) + 2.5,
    "int_add_0d_default_float": lambda lib: lib.tensor([1, 2]) + lib.tensor(0.5),
    "zeros_like_int": lambda lib: lib.zeros_like(lib.tensor([1, 2])),
}


@pytest.mark.parametrize("default", ["float32", "float64"])
@pytest.mark.parametrize("case", DEFAULT_CASES)
def test_default_dtype_drives_creation_and_promotion(default, case):
    torch.set_default_dtype(getattr(torch, default))
    mytorch.set_default_dtype(getattr(mytorch, default))
    assert mytorch.get_default_dtype() is getattr(mytorch, default)
    ours, theirs = DEFAULT_CASES[case](mytorch), DEFAULT_CASES[case](torch)
    assert _mismatch(ours, theirs) is None, _mismatch(ours, theirs)


@pytest.mark.parametrize("default", ["float32", "float64"])
def test_default_dtype_for_random_and_empty(default):
    torch.set_default_dtype(getattr(torch, default))
    mytorch.set_default_dtype(getattr(mytorch, default))
    for make in (
        lambda lib: lib.empty(2, 3),
        lambda lib: lib.rand(2),
        lambda lib: lib.randn(2),
        lambda lib: lib.normal(0.0, 1.0, (2,)),
        lambda lib: lib.Tensor(2, 3),
    ):
        ours, theirs = make(mytorch), make(torch)
        assert _name(ours.dtype) == repr(theirs.dtype)
        assert tuple(ours.shape) == tuple(theirs.shape)
    assert _name(mytorch.result_type(mytorch.tensor([1]), 1.0)) == repr(
        torch.result_type(torch.tensor([1]), 1.0)
    )


def test_default_dtype_is_float32_and_settable():
    assert mytorch.get_default_dtype() is mytorch.float32
    mytorch.set_default_dtype(mytorch.float64)
    assert mytorch.get_default_dtype() is mytorch.float64
    assert mytorch.tensor(1.0).dtype is mytorch.float64
    mytorch.set_default_dtype(mytorch.float32)
    assert mytorch.tensor(1.0).dtype is mytorch.float32


@pytest.mark.parametrize("name", ["int64", "int32", "bool", "uint8"])
def test_set_default_dtype_refuses_non_floating(name):
    with pytest.raises(TypeError) as expected:
        torch.set_default_dtype(getattr(torch, name))
    with pytest.raises(TypeError) as got:
        mytorch.set_default_dtype(getattr(mytorch, name))
    assert str(got.value).startswith(str(expected.value))
    assert mytorch.get_default_dtype() is mytorch.float32
