"""Zero-copy exchange with NumPy and PyTorch (DLPack, `__array__`), mixed expressions, vs torch."""

import ctypes
import inspect
import warnings

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import mytorch
import mytorch.utils.dlpack

NAMES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32", "float64"]
LIBS = {mytorch: mytorch.utils.dlpack, torch: torch.utils.dlpack}

# torch 2.13's `__array__` and `__array_wrap__` predate NumPy 2's signatures
pytestmark = pytest.mark.filterwarnings("ignore:__array_:DeprecationWarning")


def _array(name: str) -> np.ndarray:
    return (np.arange(6) % 3).astype(name).reshape(2, 3)


def _new(name: str) -> np.ndarray:
    return np.array(True if name == "bool" else 7, dtype=name)


def _dtype(t) -> str:
    return repr(t.dtype).replace("mytorch.", "torch.")


def _raises(fn):
    try:
        fn()
    except Exception as e:  # noqa: BLE001 - the class is what gets compared
        return type(e), str(e)
    raise AssertionError("no exception")


# ---- the protocol itself -------------------------------------------------------------------------


def test_signatures_match_torch():
    for name in ("__dlpack__", "__dlpack_device__"):
        ours = inspect.signature(getattr(mytorch.Tensor, name)).parameters
        theirs = inspect.signature(getattr(torch.Tensor, name)).parameters
        assert [(p.name, p.kind, p.default) for p in ours.values()] == [
            (p.name, p.kind, p.default) for p in theirs.values()
        ]
    ours = inspect.signature(mytorch.from_dlpack).parameters
    theirs = inspect.signature(torch.from_dlpack).parameters
    assert [(p.name, p.kind, p.default) for p in ours.values()] == [
        (p.name, p.kind, p.default) for p in theirs.values()
    ]
    assert mytorch.utils.dlpack.from_dlpack is mytorch.from_dlpack
    assert torch.utils.dlpack.from_dlpack is torch.from_dlpack


def _kind(capsule) -> str:
    return repr(capsule).split(" at ")[0]  # '<capsule object "dltensor"'


def test_device_and_capsules_match_torch():
    ours, theirs = mytorch.zeros(3), torch.zeros(3)
    assert repr(ours.__dlpack_device__()) == repr(theirs.__dlpack_device__())
    assert {k.name: int(k) for k in mytorch.utils.dlpack.DLDeviceType} == {
        k.name: int(k) for k in torch.utils.dlpack.DLDeviceType
    }
    for kwargs in ({}, {"max_version": (1, 0)}, {"max_version": (0, 8)}, {"stream": None}):
        assert _kind(ours.__dlpack__(**kwargs)) == _kind(theirs.__dlpack__(**kwargs))
    assert _kind(mytorch.utils.dlpack.to_dlpack(ours)) == _kind(
        torch.utils.dlpack.to_dlpack(theirs)
    )


# ---- zero copy, both ways ------------------------------------------------------------------------


@pytest.mark.parametrize("name", NAMES)
def test_numpy_shares_memory_both_ways(name):
    t = mytorch.from_numpy(_array(name))
    a = np.from_dlpack(t)
    assert np.shares_memory(a, t.numpy()) and a.dtype == name
    a[0, 0] = _new(name)
    assert t[0, 0].item() == _new(name)
    t[1, 2] = _new(name).item()
    assert a[1, 2] == _new(name)

    a = _array(name)
    t = mytorch.from_dlpack(a)
    assert np.shares_memory(a, t.numpy()) and _dtype(t) == f"torch.{name}"
    a[1, 1] = _new(name)
    assert t[1, 1].item() == _new(name)
    t[0, 1] = _new(name).item()
    assert a[0, 1] == _new(name)


@pytest.mark.parametrize("name", NAMES)
def test_torch_shares_memory_both_ways(name):
    ours = mytorch.from_numpy(_array(name))
    theirs = torch.from_dlpack(ours)
    assert _dtype(theirs) == _dtype(ours) and theirs.stride() == ours.stride()
    assert np.shares_memory(theirs.numpy(), ours.numpy())
    theirs[0, 0] = _new(name).item()
    assert ours[0, 0].item() == _new(name)

    theirs = torch.from_numpy(_array(name))
    ours = mytorch.from_dlpack(theirs)
    assert _dtype(ours) == _dtype(theirs) and ours.stride() == theirs.stride()
    ours[1, 0] = _new(name).item()
    assert theirs[1, 0].item() == _new(name)
    assert torch.equal(torch.from_dlpack(mytorch.from_dlpack(theirs)), theirs)  # a round trip


@pytest.mark.parametrize("name", NAMES)
def test_legacy_capsules_round_trip(name):
    for src, dst in [(mytorch, mytorch), (mytorch, torch), (torch, mytorch)]:
        t = src.from_numpy(_array(name))
        out = dst.from_dlpack(LIBS[src].to_dlpack(t))
        assert _dtype(out) == _dtype(t) and np.shares_memory(out.numpy(), t.numpy())
        np.testing.assert_array_equal(out.numpy(), _array(name))


def _views(lib, a):
    t = lib.from_numpy(a)
    if a.ndim < 2:
        return [t]
    return [t, t.T, t[:, ::2], t[1:], t[:0]] + ([t[0, 0]] if a.size else [])


@given(
    hnp.arrays(np.float64, hnp.array_shapes(min_dims=0, max_dims=2, min_side=0, max_side=4)),
    st.sampled_from(["to_numpy", "from_numpy", "to_torch", "from_torch"]),
)
def test_strided_views_like_torch(a, way):
    """Transposed, stepped, 0-d and empty views keep torch's strides and share memory.

    Empty tensors are left out of the strides: torch exports them as zeros, NumPy as they are.
    """
    for ours, theirs in zip(_views(mytorch, a.copy()), _views(torch, a.copy())):
        if way == "to_numpy":
            src, out, ref = ours.numpy(), np.from_dlpack(ours), np.from_dlpack(theirs)
            assert out.strides == ref.strides or not src.size
        else:
            src = ours.numpy() if way != "from_torch" else theirs.numpy()
            out, ref = {
                "from_numpy": (mytorch.from_dlpack(src), torch.from_dlpack(theirs.numpy())),
                "to_torch": (torch.from_dlpack(ours), torch.from_dlpack(theirs)),
                "from_torch": (mytorch.from_dlpack(theirs), torch.from_dlpack(theirs)),
            }[way]
            assert out.stride() == ref.stride() or not src.size
        assert tuple(out.shape) == tuple(ref.shape)
        np.testing.assert_array_equal(np.asarray(out), np.asarray(ref))
        assert np.shares_memory(np.asarray(out), src) == (src.size > 0)


def test_copy_and_device_keywords_like_torch():
    for lib in LIBS:
        a = np.arange(3.0)
        lib.from_dlpack(a, copy=True)[0] = 5.0
        assert a[0] == 0.0
        lib.from_dlpack(a, copy=False, device="cpu")[0] = 5.0
        assert a[0] == 5.0


# ---- errors --------------------------------------------------------------------------------------


def _same_error(fn):
    """fn(lib) raises the same class and message with mytorch as with torch."""
    assert _raises(lambda: fn(mytorch)) == _raises(lambda: fn(torch))


ERRORS = {
    "requires_grad": lambda lib: lib.ones(2, requires_grad=True).__dlpack__(),
    "requires_grad_numpy": lambda lib: np.from_dlpack(lib.ones(2, requires_grad=True)),
    "requires_grad_torch": lambda lib: torch.from_dlpack(lib.ones(2, requires_grad=True)),
    "requires_grad_self": lambda lib: lib.from_dlpack(lib.ones(2, requires_grad=True)),
    "stream_on_cpu": lambda lib: lib.ones(2).__dlpack__(stream=1),
    "stream_type": lambda lib: lib.ones(2).__dlpack__(stream="1"),
    "positional_stream": lambda lib: lib.ones(2).__dlpack__(None),
    "not_dlpack": lambda lib: lib.from_dlpack([1.0, 2.0]),
    "numpy_scalar": lambda lib: lib.from_dlpack(np.float64(1.0)),
    "capsule_copy": lambda lib: lib.from_dlpack(LIBS[lib].to_dlpack(lib.ones(2)), copy=True),
    "to_dlpack_list": lambda lib: LIBS[lib].to_dlpack([1.0]),
}


@pytest.mark.parametrize("case", ERRORS)
def test_errors_match_torch(case):
    _same_error(ERRORS[case])


def test_capsule_consumed_once_like_torch():
    def twice(lib):
        capsule = LIBS[lib].to_dlpack(lib.ones(2))
        lib.from_dlpack(capsule)
        lib.from_dlpack(capsule)

    _same_error(twice)


def test_to_dlpack_exports_requires_grad_like_torch():
    for lib in LIBS:
        out = lib.from_dlpack(LIBS[lib].to_dlpack(lib.ones(2, requires_grad=True)))
        assert not out.requires_grad and out.tolist() == [1.0, 1.0]


def _capsule(code: int, bits: int):
    """A DLPack capsule of two CPU elements of a dtype that neither library has."""

    class Managed(ctypes.Structure):  # DLManagedTensor: a DLTensor, manager_ctx, deleter
        _fields_ = [
            ("data", ctypes.c_void_p), ("device", ctypes.c_int32 * 2), ("ndim", ctypes.c_int32),
            ("dtype", ctypes.c_uint8 * 4), ("shape", ctypes.c_void_p), ("strides", ctypes.c_void_p),
            ("byte_offset", ctypes.c_uint64), ("manager_ctx", ctypes.c_void_p),
            ("deleter", ctypes.c_void_p),
        ]  # fmt: skip

    buffer, shape = (ctypes.c_uint8 * 64)(), (ctypes.c_int64 * 1)(2)
    managed = Managed(
        ctypes.addressof(buffer), (1, 0), 1, (code, bits, 1, 0), ctypes.addressof(shape)
    )
    new = ctypes.pythonapi.PyCapsule_New
    new.restype = ctypes.py_object
    new.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_void_p]
    _capsule.keep = (buffer, shape, managed)  # no deleter: the memory must outlive the capsule
    return new(ctypes.addressof(managed), b"dltensor", None)


@pytest.mark.parametrize("code, bits", [(2, 128), (0, 128), (9, 8)])
def test_unknown_dlpack_dtypes_raise_buffer_error_like_torch(code, bits):
    for lib in LIBS:
        with pytest.raises(BufferError):
            lib.from_dlpack(_capsule(code, bits))


@pytest.mark.parametrize(
    "source", [np.ones(2, np.complex64), np.ones(2, np.uint16), torch.ones(2, dtype=torch.bfloat16)]
)
def test_dtypes_mytorch_lacks_raise_buffer_error(source):
    """torch holds these; mytorch refuses them with the class torch gives dtypes it can't hold."""
    with pytest.raises(BufferError, match="Unsupported dtype"):
        mytorch.from_dlpack(source)


# ---- __array__ -----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", NAMES)
def test_asarray_shares_memory_like_torch(name):
    for lib in LIBS:
        t = lib.from_numpy(_array(name))
        a = np.asarray(t)
        assert np.shares_memory(a, t.numpy()) and a.dtype == name
        a[0, 0] = _new(name)
        assert t[0, 0].item() == _new(name)
        assert not np.shares_memory(np.array(t), t.numpy())  # np.array copies by default
        converted = np.asarray(t, dtype=np.float64)
        assert converted.dtype == np.float64 and np.shares_memory(converted, t.numpy()) == (
            name == "float64"
        )


def test_array_copy_keyword():
    """NumPy 2's `copy`, which torch 2.13's `__array__` lacks."""
    t = mytorch.arange(3.0)
    assert np.shares_memory(np.asarray(t, copy=False), t.numpy())
    assert not np.shares_memory(np.array(t, copy=True), t.numpy())
    with pytest.raises(ValueError):
        np.asarray(t, dtype=np.float64, copy=False)
    with pytest.raises(ValueError):  # the difference, pinned: torch can't avoid the copy
        np.asarray(torch.arange(3.0), copy=False)


def test_asarray_requires_grad_like_torch():
    _same_error(lambda lib: np.asarray(lib.ones(2, requires_grad=True)))
    _same_error(lambda lib: np.array(lib.ones(2, requires_grad=True)))


# ---- mixed expressions ---------------------------------------------------------------------------


def _outcome(fn, lib):
    """What fn gives: an exception class, or the result's kind, dtype, values, requires_grad."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # NumPy's RuntimeWarnings too
        try:
            out = fn(lib)
        except Exception as e:  # noqa: BLE001 - the class is what gets compared
            return type(e)
    if isinstance(out, (mytorch.Tensor, torch.Tensor)):
        return "Tensor", _dtype(out), out.detach().numpy().tolist(), out.requires_grad
    if isinstance(out, tuple):
        return tuple(_outcome(lambda _, o=o: o, lib) for o in out)
    return type(out).__name__, str(out.dtype), np.asarray(out).tolist()


A = np.array([0.5, 1.0, 2.0])
I32 = np.array([1, 2, 3], dtype=np.int32)
MIXED = {
    "array + tensor": lambda lib: A + lib.arange(3.0),
    "array * tensor": lambda lib: A * lib.arange(3.0),
    "array @ tensor": lambda lib: A @ lib.arange(3.0),
    "array ** tensor": lambda lib: A ** lib.arange(3.0),
    "array / tensor": lambda lib: A / lib.arange(1.0, 4.0),
    "array > tensor": lambda lib: A > lib.arange(3.0),
    "tensor + array": lambda lib: lib.arange(3.0) + A,
    "tensor - array": lambda lib: lib.arange(3.0) - A,
    "tensor / array": lambda lib: lib.arange(3.0) / A,
    "tensor ** array": lambda lib: lib.arange(3.0) ** A,
    "tensor @ array": lambda lib: lib.arange(3.0) @ A,
    "tensor > array": lambda lib: lib.arange(3.0) > A,
    "tensor == array": lambda lib: lib.arange(3.0) == A,
    "array == tensor": lambda lib: A == lib.arange(3.0),
    "tensor + 0-d array": lambda lib: lib.arange(3.0) + np.array(2.0),
    "float32 tensor + int32 array": lambda lib: lib.arange(3.0) + I32,
    "int8 tensor + int64 array": lambda lib: lib.arange(3, dtype=lib.int8) + np.arange(3),
    "int tensor & int array": lambda lib: lib.arange(3) & np.arange(3),
    "float64 scalar * tensor": lambda lib: np.float64(2.0) * lib.arange(3.0),
    "tensor * float32 scalar": lambda lib: lib.arange(3.0) * np.float32(2.5),
    "int64 scalar + tensor": lambda lib: np.int64(2) + lib.arange(3.0),
    "bool scalar * tensor": lambda lib: np.bool_(True) * lib.arange(3.0),
    "float64 scalar * int tensor": lambda lib: np.float64(2.5) * lib.arange(3),
    "int8 scalar + int8 tensor": lambda lib: np.int8(1) + lib.arange(3, dtype=lib.int8),
    "float64 scalar * grad tensor": lambda lib: np.float64(2.0) * lib.ones(3, requires_grad=True),
    "grad tensor + array": lambda lib: lib.ones(3, requires_grad=True) + A,
    "grad tensor == array": lambda lib: lib.ones(3, requires_grad=True) == A,
    "np.sin(tensor)": lambda lib: np.sin(lib.arange(3.0)),
    "np.sin(int tensor)": lambda lib: np.sin(lib.arange(3)),
    "np.sin(0-d tensor)": lambda lib: np.sin(lib.tensor(1.0)),
    "np.add(tensor, 1)": lambda lib: np.add(lib.arange(3.0), 1),
    "np.add(array, tensor)": lambda lib: np.add(A, lib.arange(3.0)),
    "np.greater(tensor, 1)": lambda lib: np.greater(lib.arange(3.0), 1),
    "np.modf(tensor)": lambda lib: np.modf(lib.arange(3.0) / 2),
    "np.add.reduce(tensor)": lambda lib: np.add.reduce(lib.arange(3.0)),
    "np.exp(grad tensor)": lambda lib: np.exp(lib.ones(3, requires_grad=True)),
    "np.sum(tensor)": lambda lib: np.sum(lib.arange(3.0)),
    "np.concatenate": lambda lib: np.concatenate([lib.arange(3.0), lib.arange(2.0)]),
    "np.dot": lambda lib: np.dot(lib.arange(3.0), lib.arange(3.0)),
    "np.where": lambda lib: np.where(lib.arange(3.0) > 1, lib.arange(3.0), 0),
    "tensor[bool array]": lambda lib: lib.arange(3.0)[np.array([False, True, True])],
}


@pytest.mark.parametrize("case", MIXED)
def test_mixed_expressions_match_torch(case):
    assert _outcome(MIXED[case], mytorch) == _outcome(MIXED[case], torch)


def test_inplace_with_array_rebinds_like_torch():
    """`t += array` falls back to `t = t + array`, a new tensor; the original stays as it was."""
    for lib in LIBS:
        t = original = lib.arange(3.0)
        t += A
        assert t is not original and _dtype(t) == "torch.float64"
        assert original.tolist() == [0.0, 1.0, 2.0] and t.tolist() == [0.5, 2.0, 4.0]
