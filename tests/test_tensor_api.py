"""Tensor attributes and methods, creation functions and random numbers, against real torch."""

import operator
import warnings

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import mytorch

NAMES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32", "float64"]
FLOATING = ["float16", "float32", "float64"]
TITLES = {
    "bool": "Bool",
    "uint8": "Byte",
    "int8": "Char",
    "int16": "Short",
    "int32": "Int",
    "int64": "Long",
    "float16": "Half",
    "float32": "Float",
    "float64": "Double",
}


@pytest.fixture(autouse=True)
def _restore_torch_default():
    yield
    torch.set_default_dtype(torch.float32)


def _name(d) -> str:
    return repr(d).replace("mytorch.", "torch.")


def _np_dtype(name: str) -> np.dtype:
    return np.dtype(np.bool_ if name == "bool" else name)


def _pair(arr: np.ndarray, requires_grad: bool = False):
    ours, theirs = mytorch.from_numpy(arr.copy()), torch.from_numpy(arr.copy())
    if requires_grad:
        ours.requires_grad_()
        theirs.requires_grad_()
    return ours, theirs


def _same(ours, theirs, values: bool = True) -> None:
    """Class, dtype, shape, requires_grad and (optionally) values equal torch's."""
    assert isinstance(ours, mytorch.Tensor), type(ours)
    assert _name(ours.dtype) == repr(theirs.dtype)
    assert tuple(ours.shape) == tuple(theirs.shape)
    assert ours.requires_grad == theirs.requires_grad
    if values:
        torch.testing.assert_close(
            torch.from_numpy(np.array(ours.detach().numpy())), theirs.detach(), equal_nan=True
        )


def _raises_like(fn, message: bool = True):
    """Run `fn(lib)` on both libraries: torch must raise; mytorch must raise the same class
    (and the same text where `message`)."""
    try:
        fn(torch)
    except Exception as e:
        expected = e
    else:
        raise AssertionError("the oracle does not raise")
    try:
        result = fn(mytorch)
    except Exception as e:
        assert type(e) is type(expected), f"torch: {expected!r}; mytorch: {e!r}"
        if message:
            assert str(e) == str(expected)
    else:
        raise AssertionError(f"torch raises {expected!r}; mytorch returns {result!r}")


def _any_elements(name: str):
    return hnp.from_dtype(_np_dtype(name), allow_nan=False, allow_infinity=False)


@st.composite
def _arrays(draw, names=tuple(NAMES), elements=None, max_dims=4):
    name = draw(st.sampled_from(names))
    shape = draw(hnp.array_shapes(min_dims=0, max_dims=max_dims, min_side=0, max_side=4))
    elems = (elements or _any_elements)(name)
    return draw(hnp.arrays(_np_dtype(name), shape, elements=elems))


# ---- metadata -----------------------------------------------------------------------------------


@given(arr=_arrays())
def test_metadata_matches_torch(arr):
    ours, theirs = _pair(arr)
    assert type(ours.shape) is mytorch.Size and isinstance(ours.shape, tuple)
    assert ours.shape == theirs.shape
    assert repr(ours.shape) == repr(theirs.shape)
    assert type(ours.size()) is mytorch.Size
    assert ours.size() == theirs.size()
    for d in range(-theirs.dim(), theirs.dim()):
        assert ours.size(d) == theirs.size(d)
    assert ours.dim() == ours.ndim == theirs.dim()
    assert ours.numel() == theirs.numel()
    assert _name(ours.dtype) == repr(theirs.dtype)
    assert str(ours.device) == str(theirs.device) == "cpu"
    assert ours.device == mytorch.device("cpu")
    assert ours.requires_grad is False and ours.is_leaf is True and ours.grad_fn is None
    assert ours.is_floating_point() == theirs.is_floating_point()
    assert ours.is_contiguous() == theirs.is_contiguous()
    if theirs.numel():
        assert ours.stride() == theirs.stride()
    if theirs.dim():
        assert len(ours) == len(theirs)
    assert ours.tolist() == theirs.tolist()


@pytest.mark.parametrize("dim", [2, -3, 5])
def test_size_out_of_range_raises_like_torch(dim):
    _raises_like(lambda lib: lib.zeros(2, 3).size(dim))


def test_size_repr_and_tuple_behaviour():
    for shape in [(), (0,), (2, 3), (1, 0, 4)]:
        ours, theirs = mytorch.zeros(shape).shape, torch.zeros(shape).shape
        assert repr(ours) == repr(theirs)
        assert ours == shape and theirs == shape
        assert ours.numel() == theirs.numel()
    assert repr(mytorch.zeros(2, 3).shape) == "torch.Size([2, 3])"
    assert mytorch.zeros(2, 3).shape[-1] == 3


def test_size_slicing_and_concatenation_give_size():
    ours, theirs = mytorch.zeros(2, 3, 4).shape, torch.zeros(2, 3, 4).shape
    assert repr(ours[1:]) == repr(theirs[1:])
    assert repr(ours + (5,)) == repr(theirs + (5,))


# ---- conversions --------------------------------------------------------------------------------


@given(arr=_arrays())
def test_numpy_conversions_match_torch(arr):
    src = arr.copy()
    ours, theirs = mytorch.from_numpy(src), torch.from_numpy(arr.copy())
    n = ours.numpy()
    assert isinstance(n, np.ndarray) and n.dtype == arr.dtype and n.shape == arr.shape
    np.testing.assert_array_equal(n, theirs.numpy())
    a = np.asarray(ours)
    assert a.dtype == arr.dtype and a.shape == arr.shape
    np.testing.assert_array_equal(a, arr)
    if arr.size:
        assert np.shares_memory(n, src)  # numpy() and from_numpy() share memory
        assert np.shares_memory(a, src)
    copied = mytorch.tensor(arr)
    _same(copied, torch.tensor(arr))
    if arr.size:
        assert not np.shares_memory(copied.numpy(), arr)  # tensor() always copies
    if arr.size == 1:
        assert ours.item() == theirs.item()
        assert type(ours.item()) is type(theirs.item())


def _small_nonnegative(name: str):
    # values every dtype can hold, so a cast is well defined in both libraries
    if name == "bool":
        return st.booleans()
    if name in FLOATING:
        return st.integers(0, 400).map(lambda v: v / 4)
    return st.integers(0, 100)


@given(arr=_arrays(elements=_small_nonnegative, max_dims=3), target=st.sampled_from(NAMES))
def test_to_dtype_matches_torch(arr, target):
    ours, theirs = _pair(arr)
    _same(ours.to(getattr(mytorch, target)), theirs.to(getattr(torch, target)))
    _same(ours.to(dtype=getattr(mytorch, target)), theirs.to(dtype=getattr(torch, target)))


def test_to_returns_self_when_nothing_changes():
    for lib in (mytorch, torch):
        x = lib.ones(2, 3)
        assert x.to(lib.float32) is x
        assert x.to("cpu") is x
        assert x.to(lib.float32, copy=True) is not x
        assert x.to(lib.tensor([1])).dtype is lib.int64


@pytest.mark.parametrize(
    "method", ["float", "double", "half", "long", "int", "short", "char", "byte", "bool"]
)
@pytest.mark.parametrize("name", ["bool", "int64", "float32", "float64"])
def test_cast_methods_match_torch(method, name):
    arr = np.array([0, 1, 2.75, 5], dtype=np.float64).astype(_np_dtype(name))
    ours, theirs = _pair(arr)
    _same(getattr(ours, method)(), getattr(theirs, method)())


@pytest.mark.parametrize("name", NAMES)
def test_type_string_matches_torch(name):
    ours, theirs = _pair(np.zeros(2, _np_dtype(name)))
    assert ours.type() == theirs.type() == f"torch.{TITLES[name]}Tensor"
    _same(ours.type(mytorch.float64), theirs.type(torch.float64))


def test_type_with_a_type_string_converts():
    ours, theirs = _pair(np.arange(3.0))
    _same(ours.type("torch.IntTensor"), theirs.type("torch.IntTensor"))


_SCALAR_VALUE = {"bool": True, "uint8": 7, "float16": -2.75, "float32": -2.75, "float64": -2.75}
_CONVERTERS = {
    "bool": bool,
    "float": float,
    "int": int,
    "index": operator.index,
    "item": lambda t: t.item(),
    "complex": complex,
}


@pytest.mark.parametrize("shape", [(), (1,), (1, 1), (2,), (0,), (2, 3)])
@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("conv", _CONVERTERS)
def test_python_scalar_conversions_match_torch(conv, name, shape):
    arr = np.full(shape, _SCALAR_VALUE.get(name, -3), dtype=_np_dtype(name))
    ours, theirs = _pair(arr)
    fn = _CONVERTERS[conv]
    try:
        expected = fn(theirs)
    except Exception as e:
        with pytest.raises(type(e)) as got:
            fn(ours)
        assert str(got.value) == str(e)
    else:
        result = fn(ours)
        assert result == expected and type(result) is type(expected)


def test_bool_of_zero_and_nan_like_torch():
    for value in (0.0, -0.0, 1e-30, float("nan")):
        assert bool(mytorch.tensor(value)) is bool(torch.tensor(value))
    assert list(range(10))[mytorch.tensor(3)] == 3  # __index__


@pytest.mark.parametrize("shape", [(3,), (2, 3), (2, 0), (0, 2), (2, 1, 3)])
def test_len_and_iteration_give_rows(shape):
    arr = np.arange(int(np.prod(shape)), dtype=np.float32).reshape(shape)
    ours, theirs = _pair(arr)
    assert len(ours) == len(theirs)
    rows, expected = list(ours), list(theirs)
    assert len(rows) == len(expected)
    for r, e in zip(rows, expected):
        _same(r, e)


def test_len_and_iteration_of_0d_raise_like_torch():
    _raises_like(lambda lib: len(lib.tensor(1.0)))
    _raises_like(lambda lib: iter(lib.tensor(1.0)))


def test_iterating_a_tensor_that_requires_grad_records_unbind():
    ours, theirs = _pair(np.ones((2, 3)), requires_grad=True)
    names = [type(r.grad_fn).__name__ for r in ours]
    assert names == [type(r.grad_fn).__name__ for r in theirs]


def _warned(fn) -> bool:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fn()
    return any(issubclass(w.category, UserWarning) for w in caught)


SHAPES_FOR_T = [(), (3,), (2, 3), (2, 3, 4), (0, 3)]


@pytest.mark.parametrize("shape", SHAPES_FOR_T, ids=str)
def test_T_matches_torch(shape):
    arr = np.arange(int(np.prod(shape)), dtype=np.float64).reshape(shape)
    ours, theirs = _pair(arr)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _same(ours.T, theirs.T)
    # torch deprecates T off 2-D with a UserWarning (it warns once per process, so the
    # oracle's own warning cannot be observed again here)
    assert _warned(lambda: ours.T) == (len(shape) != 2)


@pytest.mark.parametrize("shape", SHAPES_FOR_T, ids=str)
def test_mT_matches_torch(shape):
    arr = np.arange(int(np.prod(shape)), dtype=np.float64).reshape(shape)
    if len(shape) == 1:
        _raises_like(lambda lib: lib.from_numpy(arr.copy()).mT)
        return
    ours, theirs = _pair(arr)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch: "Tensor.mT is deprecated on 0-D tensors"
        _same(ours.mT, theirs.mT)


# ---- autograd fields and the methods around them ------------------------------------------------


def test_numpy_shares_memory_and_refuses_requires_grad():
    x = mytorch.tensor([1.0, 2.0, 3.0])
    x.numpy()[0] = 42.0
    assert x.tolist() == [42.0, 2.0, 3.0]
    z = mytorch.tensor(5)
    z.numpy()[...] = 7
    assert z.item() == 7
    _raises_like(lambda lib: lib.ones(2, requires_grad=True).numpy())
    _raises_like(lambda lib: np.asarray(lib.ones(2, requires_grad=True)))
    y = mytorch.ones(2, requires_grad=True)
    np.testing.assert_array_equal(y.detach().numpy(), [1.0, 1.0])
    np.testing.assert_array_equal(y.numpy(force=True), [1.0, 1.0])


def test_array_protocol_with_dtype():
    ours, theirs = _pair(np.array([1, 2, 3], dtype=np.int32))
    a, e = np.asarray(ours, dtype=np.float64), np.asarray(theirs, dtype=np.float64)
    assert a.dtype == e.dtype
    np.testing.assert_array_equal(a, e)
    np.testing.assert_array_equal(np.add(ours.numpy(), 1), [2, 3, 4])


def test_requires_grad_is_leaf_and_grad_fn_match_torch():
    for lib in (mytorch, torch):
        x = lib.ones(2, 3, requires_grad=True)
        y = x * 2
        z = lib.ones(2) * 2
        assert (x.requires_grad, x.is_leaf, x.grad_fn) == (True, True, None)
        assert (y.requires_grad, y.is_leaf) == (True, False)
        assert type(y.grad_fn).__name__ == "MulBackward0"
        assert (z.requires_grad, z.is_leaf, z.grad_fn) == (False, True, None)


def test_requires_grad_method_matches_torch():
    for lib in (mytorch, torch):
        x = lib.zeros(3)
        assert x.requires_grad_() is x and x.requires_grad
        assert x.requires_grad_(False) is x and not x.requires_grad
        x.requires_grad = True
        assert x.requires_grad
    _raises_like(lambda lib: lib.tensor([1, 2]).requires_grad_())
    _raises_like(lambda lib: (lib.ones(2, requires_grad=True) * 2).requires_grad_(False))
    for lib in (mytorch, torch):
        y = lib.ones(2, requires_grad=True) * 2
        assert y.requires_grad_(True) is y
        assert lib.tensor([1, 2]).requires_grad_(False).requires_grad is False


def test_data_is_a_detached_tensor_sharing_memory():
    for lib in (mytorch, torch):
        x = lib.ones(3, requires_grad=True)
        y = x * 2
        for t in (x, y):
            d = t.data
            assert isinstance(d, lib.Tensor)
            assert (d.requires_grad, d.is_leaf, d.grad_fn) == (False, True, None)
        x.data.fill_(5.0)
        assert x.tolist() == [5.0, 5.0, 5.0] and x.requires_grad
        x.data = lib.tensor([1.0, 2.0, 3.0])
        assert x.tolist() == [1.0, 2.0, 3.0] and x.requires_grad and x.is_leaf


def test_detach_shares_memory_and_cuts_the_graph():
    for lib in (mytorch, torch):
        x = lib.ones(3, requires_grad=True)
        y = x * 2
        d = y.detach()
        assert (d.requires_grad, d.is_leaf, d.grad_fn) == (False, True, None)
        d.fill_(7.0)
        assert y.tolist() == [7.0, 7.0, 7.0]
        assert y._version == d._version == 1


def test_clone_copies_and_records_clone_backward():
    ours, theirs = _pair(np.arange(6.0).reshape(2, 3))
    c, e = ours.clone(), theirs.clone()
    _same(c, e)
    assert c.grad_fn is None and c.is_leaf
    ours.fill_(0.0)
    assert c.tolist() == e.tolist()  # a copy, not a view
    assert not np.shares_memory(c.numpy(), ours.numpy())
    ours, theirs = _pair(np.arange(6.0).reshape(2, 3), requires_grad=True)
    c, e = ours.clone(), theirs.clone()
    _same(c, e)
    assert type(c.grad_fn).__name__ == type(e.grad_fn).__name__ == "CloneBackward0"
    assert not c.is_leaf


def test_clone_preserves_strides_like_torch():
    ours, theirs = _pair(np.arange(6.0).reshape(2, 3))
    assert ours.T.clone().stride() == theirs.T.clone().stride()
    assert ours.T.clone().is_contiguous() == theirs.T.clone().is_contiguous()


def test_contiguous_matches_torch():
    ours, theirs = _pair(np.arange(6.0).reshape(2, 3))
    assert ours.contiguous() is ours and theirs.contiguous() is theirs
    ot, tt = ours.T, theirs.T
    assert ot.is_contiguous() == tt.is_contiguous() is False
    assert ot.stride() == tt.stride()
    oc, tc = ot.contiguous(), tt.contiguous()
    _same(oc, tc)
    assert oc.is_contiguous() and oc.stride() == tc.stride()
    ours, theirs = _pair(np.arange(6.0).reshape(2, 3), requires_grad=True)
    assert (
        type(ours.T.contiguous().grad_fn).__name__ == type(theirs.T.contiguous().grad_fn).__name__
    )


def test_to_records_to_copy_backward():
    ours, theirs = _pair(np.arange(3.0), requires_grad=True)
    for o, t in [
        (ours.to(mytorch.float32), theirs.to(torch.float32)),
        (ours.half(), theirs.half()),
    ]:
        _same(o, t)
        assert type(o.grad_fn).__name__ == type(t.grad_fn).__name__ == "ToCopyBackward0"
    assert ours.to(mytorch.float64) is ours


# ---- creation: tensor, as_tensor, from_numpy ----------------------------------------------------

TENSOR_CASES = {
    "int": lambda lib: lib.tensor(3),
    "float": lambda lib: lib.tensor(2.5),
    "bool": lambda lib: lib.tensor(True),
    "ints": lambda lib: lib.tensor([[1, 2, 3], [4, 5, 6]]),
    "floats": lambda lib: lib.tensor([[1.5, -2.0], [0.0, 3.25]]),
    "bools": lambda lib: lib.tensor([[True, False], [False, True]]),
    "int_and_float": lambda lib: lib.tensor([1, 2.5, 3]),
    "int_and_bool": lambda lib: lib.tensor([1, True, False]),
    "float_and_bool": lambda lib: lib.tensor([True, 2.5]),
    "nested_3d": lambda lib: lib.tensor([[[1], [2]], [[3], [4]]]),
    "empty": lambda lib: lib.tensor([]),
    "empty_nested": lambda lib: lib.tensor([[], []]),
    "tuple": lambda lib: lib.tensor((1, 2)),
    "big_int": lambda lib: lib.tensor([2**40, -(2**40)]),
    "dtype_float64": lambda lib: lib.tensor([1, 2], dtype=lib.float64),
    "dtype_int_from_float": lambda lib: lib.tensor([1.7, -1.7, 2.5], dtype=lib.int64),
    "dtype_uint8": lambda lib: lib.tensor([1, 255], dtype=lib.uint8),
    "dtype_bool": lambda lib: lib.tensor([0, 2, -1], dtype=lib.bool),
    "dtype_half": lambda lib: lib.tensor([0.1, 65504.0], dtype=lib.half),
    "requires_grad": lambda lib: lib.tensor([1.0, 2.0], requires_grad=True),
    "requires_grad_float64": lambda lib: lib.tensor([1, 2], dtype=lib.float64, requires_grad=True),
    "np_float64_scalar": lambda lib: lib.tensor(np.float64(1.5)),
    "np_int32_scalar": lambda lib: lib.tensor(np.int32(3)),
    "np_bool_scalar": lambda lib: lib.tensor(np.bool_(True)),
    "np_float16_0d": lambda lib: lib.tensor(np.array(1.5, dtype=np.float16)),
    "list_of_0d_tensors": lambda lib: lib.tensor([lib.tensor(1.0), lib.tensor(2.0)]),
}


@pytest.mark.parametrize("case", TENSOR_CASES)
def test_tensor_matches_torch(case):
    ours, theirs = TENSOR_CASES[case](mytorch), TENSOR_CASES[case](torch)
    _same(ours, theirs)
    assert ours.is_leaf and ours.grad_fn is None


def test_tensor_from_a_list_of_numpy_scalars_keeps_their_dtype():
    for values in ([np.float64(1.5), np.float64(2)], [np.int32(1), np.int32(2)]):
        _same(mytorch.tensor(values), torch.tensor(values))


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("shape", [(), (0,), (3,), (2, 0, 3), (2, 3)])
def test_tensor_from_numpy_arrays_keeps_dtype_and_copies(name, shape):
    arr = (np.arange(int(np.prod(shape))).reshape(shape) % 3).astype(_np_dtype(name))
    ours, theirs = mytorch.tensor(arr), torch.tensor(arr)
    _same(ours, theirs)
    if arr.size:
        arr.reshape(-1)[0] = 1 - arr.reshape(-1)[0]
        assert ours.tolist() == theirs.tolist()  # a copy: the change is not seen


@pytest.mark.parametrize("make", ["tensor", "zeros", "ones", "full"])
def test_requires_grad_on_non_floating_raises_torch_message(make):
    for name in ("int64", "int32", "bool", "uint8"):

        def build(lib):
            dt = getattr(lib, name)
            if make == "tensor":
                return lib.tensor([1, 0], dtype=dt, requires_grad=True)
            if make == "full":
                return lib.full((2,), 1, dtype=dt, requires_grad=True)
            return getattr(lib, make)(2, dtype=dt, requires_grad=True)

        _raises_like(build)


def test_as_tensor_shares_memory_with_a_same_dtype_array():
    for dt in (np.float64, np.float32, np.int64, np.int16, np.bool_):
        arr = np.zeros(3, dtype=dt)
        t = mytorch.as_tensor(arr)
        assert _name(t.dtype) == repr(torch.as_tensor(arr).dtype)
        arr[1] = 1
        assert t.tolist() == torch.as_tensor(arr).tolist()
    arr = np.zeros(3)
    ours, theirs = (
        mytorch.as_tensor(arr, dtype=mytorch.float32),
        torch.as_tensor(arr, dtype=torch.float32),
    )
    _same(ours, theirs)
    arr[0] = 5.0
    assert ours.tolist() == theirs.tolist() == [0.0, 0.0, 0.0]  # a converted copy
    _same(mytorch.as_tensor([1, 2.5]), torch.as_tensor([1, 2.5]))
    _same(mytorch.as_tensor(3), torch.as_tensor(3))
    t = mytorch.ones(2)
    assert mytorch.as_tensor(t) is t
    _same(
        mytorch.as_tensor(t, dtype=mytorch.int64), torch.as_tensor(torch.ones(2), dtype=torch.int64)
    )


@pytest.mark.parametrize("name", NAMES)
def test_from_numpy_shares_memory_both_ways(name):
    arr = np.array([[0, 1, 0], [1, 0, 1]]).astype(_np_dtype(name))
    ours, theirs = mytorch.from_numpy(arr), torch.from_numpy(arr.copy())
    _same(ours, theirs)
    arr[0, 0] = 1  # the array writes through to the tensor
    assert ours.tolist()[0][0] == 1
    ours.fill_(0)  # and the tensor writes through to the array
    assert not arr.any()
    zero_d = np.array(1, dtype=_np_dtype(name))
    _same(mytorch.from_numpy(zero_d), torch.from_numpy(zero_d.copy()))


def test_from_numpy_of_a_strided_view():
    base = np.arange(12.0).reshape(3, 4)
    for view in (base[::2], base[:, 1::2], base.T):
        ours, theirs = mytorch.from_numpy(view), torch.from_numpy(view)
        _same(ours, theirs)
        assert ours.stride() == theirs.stride()
        assert np.shares_memory(ours.numpy(), base)


@pytest.mark.parametrize("dt", [np.uint16, np.uint32, np.uint64, np.complex64, np.complex128])
def test_from_numpy_refuses_dtypes_mytorch_lacks(dt):
    # torch 2.13 has these dtypes; mytorch does not (yet) and says so with a TypeError
    with pytest.raises(TypeError, match="can't convert np.ndarray of type"):
        mytorch.from_numpy(np.zeros(2, dtype=dt))
    with pytest.raises(TypeError):
        mytorch.tensor(np.zeros(2, dtype=dt))


@pytest.mark.parametrize(
    "arg",
    [np.zeros(2, dtype=np.longdouble), np.array([1, "a"], dtype=object), [1, 2], 3.0],
    ids=["longdouble", "object", "list", "float"],
)
def test_from_numpy_errors_match_torch(arg):
    _raises_like(lambda lib: lib.from_numpy(arg), message=isinstance(arg, (list, float)))


# ---- creation: factories ------------------------------------------------------------------------

SIZES = {
    "varargs": ((2, 3), (2, 3)),
    "tuple": (((2, 3),), ((2, 3),)),
    "list": (([2, 3],), ([2, 3],)),
    "size": ((mytorch.Size((2, 3)),), (torch.Size((2, 3)),)),
    "one_int": ((4,), (4,)),
    "zero_d": (((),), ((),)),
    "empty_list": (([],), ([],)),
    "size_zero": ((2, 0, 3), (2, 0, 3)),
}


@pytest.mark.parametrize("sizes", SIZES)
@pytest.mark.parametrize("fn", ["zeros", "ones", "empty"])
@pytest.mark.parametrize("dtype", [None, "float64", "int32", "bool", "float16"])
def test_zeros_ones_empty_match_torch(fn, sizes, dtype):
    ours_args, theirs_args = SIZES[sizes]
    kw = lambda lib: {} if dtype is None else {"dtype": getattr(lib, dtype)}
    ours = getattr(mytorch, fn)(*ours_args, **kw(mytorch))
    theirs = getattr(torch, fn)(*theirs_args, **kw(torch))
    _same(ours, theirs, values=fn != "empty")


@pytest.mark.parametrize("fn", ["zeros", "ones", "empty", "rand", "randn"])
def test_factory_requires_grad(fn):
    ours, theirs = (
        getattr(mytorch, fn)(2, requires_grad=True),
        getattr(torch, fn)(2, requires_grad=True),
    )
    _same(ours, theirs, values=False)
    assert ours.is_leaf and ours.grad_fn is None


FULL_CASES = {
    "int": lambda lib: lib.full((2, 3), 7),
    "float": lambda lib: lib.full((2,), 2.5),
    "bool": lambda lib: lib.full([3], True),
    "negative": lambda lib: lib.full((2,), -4),
    "zero_d": lambda lib: lib.full((), 1.5),
    "size_zero": lambda lib: lib.full((0, 2), 1),
    "dtype_int_from_float": lambda lib: lib.full((2,), 2.7, dtype=lib.int64),
    "dtype_float_from_int": lambda lib: lib.full((2,), 3, dtype=lib.float64),
    "dtype_bool_from_int": lambda lib: lib.full((2,), 2, dtype=lib.bool),
    "dtype_uint8": lambda lib: lib.full((2,), 200, dtype=lib.uint8),
    "requires_grad": lambda lib: lib.full((2,), 1.0, requires_grad=True),
    "0d_tensor_fill": lambda lib: lib.full((2,), lib.tensor(2.5)),
}


@pytest.mark.parametrize("case", FULL_CASES)
def test_full_matches_torch(case):
    _same(FULL_CASES[case](mytorch), FULL_CASES[case](torch))


def test_full_dtype_follows_the_default_for_floats():
    torch.set_default_dtype(torch.float64)
    mytorch.set_default_dtype(mytorch.float64)
    for fill in (1.5, 2, False):
        _same(mytorch.full((2,), fill), torch.full((2,), fill))


LIKE_CASES = {
    "zeros_like": lambda lib, x: lib.zeros_like(x),
    "ones_like": lambda lib, x: lib.ones_like(x),
    "full_like": lambda lib, x: lib.full_like(x, 2.7),
    "full_like_int_fill": lambda lib, x: lib.full_like(x, 3),
    "zeros_like_dtype": lambda lib, x: lib.zeros_like(x, dtype=lib.float16),
    "ones_like_dtype_bool": lambda lib, x: lib.ones_like(x, dtype=lib.bool),
    "full_like_dtype": lambda lib, x: lib.full_like(x, 2.7, dtype=lib.float64),
}


@pytest.mark.parametrize("case", LIKE_CASES)
@pytest.mark.parametrize("name", ["int64", "float32", "float64", "bool", "uint8"])
@pytest.mark.parametrize("shape", [(), (2, 3), (0, 2)])
def test_like_functions_match_torch(case, name, shape):
    arr = np.ones(shape, dtype=_np_dtype(name))
    ours, theirs = _pair(arr)
    _same(LIKE_CASES[case](mytorch, ours), LIKE_CASES[case](torch, theirs))


@pytest.mark.parametrize("name", ["int64", "float32", "float64", "uint8"])
def test_random_like_dtypes_match_torch(name):
    ours, theirs = _pair(np.ones((2, 3), dtype=_np_dtype(name)))
    _same(mytorch.empty_like(ours), torch.empty_like(theirs), values=False)
    _same(mytorch.randint_like(ours, 5), torch.randint_like(theirs, 5), values=False)
    _same(mytorch.randint_like(ours, 3, 5), torch.randint_like(theirs, 3, 5), values=False)
    if name.startswith("float"):
        _same(mytorch.rand_like(ours), torch.rand_like(theirs), values=False)
        _same(mytorch.randn_like(ours), torch.randn_like(theirs), values=False)
    _same(
        mytorch.rand_like(ours, dtype=mytorch.float64),
        torch.rand_like(theirs, dtype=torch.float64),
        values=False,
    )


ARANGE_CASES = [
    (5,),
    (0,),
    (2, 9),
    (2, 9, 3),
    (-3, 3, 2),
    (10, 0, -3),
    (0, -5, -2),
    (5.0,),
    (0, 1, 0.1),
    (0.0, 1.0, 0.1),
    (0, 0.3, 0.1),
    (1, 2.5, 0.5),
    (-1, 1, 0.3),
    (10, 0, -1.5),
    (1.0, 1.0),
    (0, 1e-3, 1e-4),
    (0.5, 3.2),
    (-2.5, 2.5, 0.7),
]


@pytest.mark.parametrize("args", ARANGE_CASES, ids=str)
def test_arange_matches_torch(args):
    _same(mytorch.arange(*args), torch.arange(*args))


@pytest.mark.parametrize(
    ("args", "name"),
    [
        ((5,), "float64"),
        ((5,), "uint8"),
        ((1, 4), "float16"),
        ((0.0, 2.0, 0.5), "float64"),
        ((0, 3, 1.5), "int32"),
        ((0.5, 5, 1.5), "int64"),
        ((-2.5, 2.5, 1.0), "int64"),
    ],
    ids=str,
)
def test_arange_with_dtype_matches_torch(args, name):
    _same(
        mytorch.arange(*args, dtype=getattr(mytorch, name)),
        torch.arange(*args, dtype=getattr(torch, name)),
    )


def test_arange_with_requires_grad_and_tensor_bounds():
    _same(mytorch.arange(3.0, requires_grad=True), torch.arange(3.0, requires_grad=True))
    _same(mytorch.arange(mytorch.tensor(4)), torch.arange(torch.tensor(4)))


LINSPACE_CASES = {
    "unit": lambda lib: lib.linspace(0, 1, 5),
    "one_step": lambda lib: lib.linspace(-1, 1, 1),
    "no_steps": lambda lib: lib.linspace(0, 1, 0),
    "decreasing": lambda lib: lib.linspace(10, 0, 6),
    "thirds": lambda lib: lib.linspace(0, 10, 4),
    "int_dtype": lambda lib: lib.linspace(-5, 5, 4, dtype=lib.int64),
    "float64": lambda lib: lib.linspace(0.1, 0.7, 7, dtype=lib.float64),
    "requires_grad": lambda lib: lib.linspace(0, 1, 3, requires_grad=True),
    "log_default": lambda lib: lib.logspace(0, 2, 3),
    "log_base2": lambda lib: lib.logspace(0, 3, 4, base=2),
    "log_negative": lambda lib: lib.logspace(-1, 1, 5),
    "log_float64": lambda lib: lib.logspace(-2, 2, 9, dtype=lib.float64),
    "log_one": lambda lib: lib.logspace(1, 5, 1),
    "log_int": lambda lib: lib.logspace(0, 3, 4, dtype=lib.int64),
}


@pytest.mark.parametrize("case", LINSPACE_CASES)
def test_linspace_logspace_match_torch(case):
    _same(LINSPACE_CASES[case](mytorch), LINSPACE_CASES[case](torch))


EYE_CASES = {
    "square": lambda lib: lib.eye(3),
    "one": lambda lib: lib.eye(1),
    "zero": lambda lib: lib.eye(0),
    "wide": lambda lib: lib.eye(2, 4),
    "tall": lambda lib: lib.eye(4, 2),
    "zero_cols": lambda lib: lib.eye(3, 0),
    "int": lambda lib: lib.eye(3, dtype=lib.int64),
    "bool": lambda lib: lib.eye(2, 3, dtype=lib.bool),
    "float64": lambda lib: lib.eye(2, dtype=lib.float64),
    "requires_grad": lambda lib: lib.eye(2, requires_grad=True),
}


@pytest.mark.parametrize("case", EYE_CASES)
def test_eye_matches_torch(case):
    _same(EYE_CASES[case](mytorch), EYE_CASES[case](torch))


CREATION_ERRORS = {
    # name: (expression, compare the message too)
    "arange_wrong_sign": (lambda lib: lib.arange(0, 5, -1), True),
    "arange_zero_step": (lambda lib: lib.arange(0, 5, 0), True),
    "arange_step_truncates_to_zero": (lambda lib: lib.arange(0, 2.5, 0.5, dtype=lib.int64), True),
    "arange_bool": (lambda lib: lib.arange(2, dtype=lib.bool), False),
    "linspace_negative_steps": (lambda lib: lib.linspace(0, 1, -1), True),
    "eye_negative": (lambda lib: lib.eye(-1), True),
    "zeros_negative": (lambda lib: lib.zeros(-1, 2), False),
    "ones_negative": (lambda lib: lib.ones(-1), True),
    "empty_negative": (lambda lib: lib.empty(2, -3), True),
    "full_negative": (lambda lib: lib.full((-1,), 2.0), True),
    "zeros_float_size": (lambda lib: lib.zeros(2.5), False),
    "full_int_size": (lambda lib: lib.full(2, 3.0), False),
    "ragged": (lambda lib: lib.tensor([[1, 2], [3]]), False),
    "string": (lambda lib: lib.tensor("abc"), False),
}


@pytest.mark.parametrize("case", CREATION_ERRORS)
def test_creation_errors_match_torch(case):
    fn, message = CREATION_ERRORS[case]
    _raises_like(fn, message=message)


# ---- random -------------------------------------------------------------------------------------

RANDOM_CALLS = {
    "rand": lambda lib, **kw: lib.rand(3, 4, **kw),
    "randn": lambda lib, **kw: lib.randn((3, 4), **kw),
    "randint": lambda lib, **kw: lib.randint(-5, 5, (3, 4), **kw),
    "randperm": lambda lib, **kw: lib.randperm(12, **kw),
    "normal": lambda lib, **kw: lib.normal(1.0, 2.0, (3, 4), **kw),
    "bernoulli": lambda lib, **kw: lib.bernoulli(lib.full((3, 4), 0.5), **kw),
}


@pytest.mark.parametrize("fn", RANDOM_CALLS)
def test_manual_seed_makes_draws_reproducible(fn):
    make = RANDOM_CALLS[fn]
    mytorch.manual_seed(1234)
    a, b = make(mytorch), make(mytorch)
    mytorch.manual_seed(1234)
    a2, b2 = make(mytorch), make(mytorch)
    assert a.tolist() == a2.tolist() and b.tolist() == b2.tolist()
    assert a.tolist() != b.tolist()  # the stream moves on
    mytorch.manual_seed(4321)
    assert make(mytorch).tolist() != a.tolist()
    assert mytorch.initial_seed() == 4321


@pytest.mark.parametrize("fn", RANDOM_CALLS)
def test_generator_is_independent_of_the_global_stream(fn):
    make = RANDOM_CALLS[fn]
    g = mytorch.Generator()
    assert g.manual_seed(7) is g and g.initial_seed() == 7
    mytorch.manual_seed(0)
    first = make(mytorch, generator=g)
    mytorch.manual_seed(0)
    global_a = make(mytorch)
    g.manual_seed(7)
    mytorch.manual_seed(99)  # reseeding the global stream must not move g
    again = make(mytorch, generator=g)
    assert first.tolist() == again.tolist()
    mytorch.manual_seed(0)
    make(mytorch, generator=mytorch.Generator().manual_seed(5))  # nor must drawing from g
    assert make(mytorch).tolist() == global_a.tolist()
    h = mytorch.Generator().manual_seed(7)
    assert make(mytorch, generator=h).tolist() == first.tolist()


RANDOM_SHAPES = {
    "rand_varargs": lambda lib, g: lib.rand(2, 3, generator=g),
    "rand_tuple": lambda lib, g: lib.rand((2, 3), generator=g),
    "rand_list": lambda lib, g: lib.rand([4], generator=g),
    "rand_0d": lambda lib, g: lib.rand((), generator=g),
    "rand_size0": lambda lib, g: lib.rand(0, 3, generator=g),
    "rand_float64": lambda lib, g: lib.rand(2, dtype=lib.float64, generator=g),
    "rand_half": lambda lib, g: lib.rand(2, dtype=lib.float16, generator=g),
    "randn": lambda lib, g: lib.randn(2, 3, generator=g),
    "randn_float64": lambda lib, g: lib.randn(3, dtype=lib.float64, generator=g),
    "randint_high_size": lambda lib, g: lib.randint(5, (2, 3), generator=g),
    "randint_low_high": lambda lib, g: lib.randint(2, 5, [4], generator=g),
    "randint_dtype": lambda lib, g: lib.randint(0, 5, (3,), dtype=lib.int16, generator=g),
    "randint_float": lambda lib, g: lib.randint(0, 5, (3,), dtype=lib.float32, generator=g),
    "randperm": lambda lib, g: lib.randperm(6, generator=g),
    "randperm_0": lambda lib, g: lib.randperm(0, generator=g),
    "randperm_dtype": lambda lib, g: lib.randperm(4, dtype=lib.int32, generator=g),
    "normal_floats": lambda lib, g: lib.normal(2.0, 3.0, (2, 3), generator=g),
    "normal_tensor_mean": lambda lib, g: lib.normal(lib.zeros(3), 1.0, generator=g),
    "normal_tensor_std": lambda lib, g: lib.normal(
        0.0, lib.ones(2, 2, dtype=lib.float64), generator=g
    ),
    "normal_broadcast": lambda lib, g: lib.normal(lib.zeros(3), lib.ones(2, 1), generator=g),
    "bernoulli": lambda lib, g: lib.bernoulli(lib.full((2, 3), 0.5), generator=g),
    "bernoulli_float64": lambda lib, g: lib.bernoulli(lib.zeros(2, dtype=lib.float64), generator=g),
    "bernoulli_p": lambda lib, g: lib.bernoulli(lib.zeros(3), 0.5, generator=g),
    "rand_like": lambda lib, g: lib.rand_like(lib.zeros(2, 2, dtype=lib.float64)),
    "randn_like": lambda lib, g: lib.randn_like(lib.zeros(3)),
    "randint_like": lambda lib, g: lib.randint_like(lib.zeros(3), 0, 4),
    "rand_requires_grad": lambda lib, g: lib.rand(2, requires_grad=True, generator=g),
    "bernoulli_of_requires_grad": lambda lib, g: lib.bernoulli(
        lib.full((2,), 0.5, requires_grad=True)
    ),
}


@pytest.mark.parametrize("case", RANDOM_SHAPES)
def test_random_shapes_and_dtypes_match_torch(case):
    make = RANDOM_SHAPES[case]
    _same(
        make(mytorch, mytorch.Generator().manual_seed(0)),
        make(torch, torch.Generator().manual_seed(0)),
        values=False,
    )


@pytest.mark.parametrize(("low", "high"), [(0, 1), (0, 2), (-5, 5), (3, 10), (-(2**40), 2**40)])
def test_randint_values_lie_in_the_half_open_range(low, high):
    x = mytorch.randint(low, high, (10_000,)).numpy()
    assert x.min() >= low and x.max() < high
    if high - low <= 10:
        assert set(x.tolist()) == set(range(low, high))  # every value turns up
    y = mytorch.randint(high - low, (1000,)).numpy()
    assert y.min() >= 0 and y.max() < high - low


@pytest.mark.parametrize("n", [0, 1, 2, 10, 1000])
def test_randperm_is_a_permutation(n):
    p = mytorch.randperm(n)
    assert p.dtype is mytorch.int64 and tuple(p.shape) == (n,)
    assert sorted(p.tolist()) == list(range(n))
    if n >= 10:
        assert p.tolist() != list(range(n))


def test_rand_lies_in_zero_one():
    for dt in (mytorch.float32, mytorch.float64, mytorch.float16):
        x = mytorch.rand(100_000, dtype=dt).numpy()
        assert x.min() >= 0 and x.max() < 1


def test_bernoulli_of_zero_and_one():
    p = mytorch.tensor([[0.0, 1.0, 0.0], [1.0, 1.0, 0.0]])
    for _ in range(5):
        assert mytorch.bernoulli(p).tolist() == p.tolist()
    assert mytorch.bernoulli(mytorch.zeros(5), 1.0).tolist() == [1.0] * 5
    assert mytorch.bernoulli(mytorch.ones(5), 0.0).tolist() == [0.0] * 5


N = 100_000


@pytest.mark.parametrize(
    ("draw", "mean", "std"),
    [
        (lambda: mytorch.randn(N, dtype=mytorch.float64), 0.0, 1.0),
        (lambda: mytorch.rand(N, dtype=mytorch.float64), 0.5, (1 / 12) ** 0.5),
        (lambda: mytorch.normal(2.0, 3.0, (N,), dtype=mytorch.float64), 2.0, 3.0),
        (lambda: mytorch.normal(mytorch.full((N,), -1.0), 0.5), -1.0, 0.5),
        (lambda: mytorch.randint(0, 10, (N,)), 4.5, (99 / 12) ** 0.5),
        (lambda: mytorch.bernoulli(mytorch.full((N,), 0.3)), 0.3, 0.21**0.5),
    ],
    ids=["randn", "rand", "normal", "normal_tensor", "randint", "bernoulli"],
)
def test_random_statistics(draw, mean, std):
    x = draw().numpy().astype(np.float64)
    se_mean = std / N**0.5
    assert abs(x.mean() - mean) < 5 * se_mean
    se_std = std / (2 * N) ** 0.5 * 2  # loose for non-normal data
    assert abs(x.std() - std) < 5 * se_std


def test_rng_state_round_trip():
    state = mytorch.get_rng_state()
    theirs = torch.get_rng_state()
    assert _name(state.dtype) == repr(theirs.dtype) and state.dim() == theirs.dim() == 1
    a = mytorch.rand(5)
    b = mytorch.randn(3)
    mytorch.set_rng_state(state)
    assert mytorch.rand(5).tolist() == a.tolist()
    assert mytorch.randn(3).tolist() == b.tolist()
    g = mytorch.Generator().manual_seed(11)
    s = g.get_state()
    x = mytorch.randint(0, 100, (6,), generator=g)
    assert g.set_state(s) is g
    assert mytorch.randint(0, 100, (6,), generator=g).tolist() == x.tolist()


RANDOM_ERRORS = {
    "randint_empty_range": (lambda lib: lib.randint(3, 3, (2,)), True),
    "rand_int_dtype": (lambda lib: lib.rand(2, dtype=lib.int64), True),
    "randn_int_dtype": (lambda lib: lib.randn(2, dtype=lib.int64), True),
    "rand_like_int": (lambda lib: lib.rand_like(lib.tensor([1, 2])), True),
    "bernoulli_int": (lambda lib: lib.bernoulli(lib.tensor([0, 1])), True),
    "bernoulli_out_of_range": (lambda lib: lib.bernoulli(lib.tensor([1.5])), False),
    "normal_negative_std": (lambda lib: lib.normal(0.0, -1.0, (2,)), True),
    "normal_int_mean": (lambda lib: lib.normal(lib.zeros(3, dtype=lib.int64), 1.0), False),
    "randperm_negative": (lambda lib: lib.randperm(-1), False),
    "set_rng_state_not_bytes": (lambda lib: lib.set_rng_state(lib.zeros(3)), False),
    "randint_int_size": (lambda lib: lib.randint(0, 5, 3), False),
}


@pytest.mark.parametrize("case", RANDOM_ERRORS)
def test_random_errors_match_torch(case):
    fn, message = RANDOM_ERRORS[case]
    _raises_like(fn, message=message)


def test_multinomial_shapes_dtype_and_frequencies_like_torch():
    probs = np.array([[0.1, 0.0, 0.9], [0.5, 0.5, 0.0]])
    for lib in (mytorch, torch):
        lib.manual_seed(0)
        draws = lib.multinomial(lib.tensor(probs), 2000, replacement=True)
        assert tuple(draws.shape) == (2, 2000) and str(draws.dtype).endswith("int64")
        counts = np.stack([np.bincount(r, minlength=3) for r in draws.numpy()]) / 2000
        np.testing.assert_allclose(counts, probs, atol=0.04)
        once = lib.multinomial(lib.tensor([1.0, 2.0, 3.0]), 3)
        assert sorted(once.tolist()) == [0, 1, 2]  # without replacement: each index once
    with pytest.raises(RuntimeError):
        mytorch.multinomial(mytorch.tensor([1.0, 2.0]), 3)
