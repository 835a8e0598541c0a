"""Creation functions: tensor, as_tensor, from_numpy, zeros/ones/full/empty (+ _like), ranges, eye."""

from __future__ import annotations

import math

from . import _backend, _dtype
from ._tensor import Tensor, _dims

_np_float64 = _dtype.float64._np


class device:  # noqa: N801 - torch spells it lowercase
    """Mirrors `torch.device`; only 'cpu' exists for now."""

    __slots__ = ("type", "index")

    def __init__(self, type: str, index: int | None = None):  # noqa: A002
        if isinstance(type, device):
            type, index = type.type, type.index  # noqa: A001
        name, _, idx = str(type).partition(":")
        self.type = name
        self.index = int(idx) if idx else index

    def __repr__(self) -> str:
        return (
            f"device(type='{self.type}')"
            if self.index is None
            else (f"device(type='{self.type}', index={self.index})")
        )

    def __str__(self) -> str:
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __eq__(self, other) -> bool:
        if isinstance(other, str):
            other = device(other)
        return isinstance(other, device) and (self.type, self.index) == (other.type, other.index)

    def __hash__(self) -> int:
        return hash((self.type, self.index))


def _check_device(dev) -> None:
    if dev is not None and device(dev).type != "cpu":
        raise RuntimeError(f"device {str(dev)!r} is not available: mytorch runs on 'cpu' only")


def _finish(data, dtype, requires_grad) -> Tensor:
    if dtype is not None and data.dtype != dtype._np:
        data = data.astype(dtype._np)
    if requires_grad and data.dtype.kind != "f":
        raise RuntimeError("Only Tensors of floating point and complex dtype can require gradients")
    return Tensor._make(data, bool(requires_grad))


def _infer_array(data):
    """An array from Python data with torch's dtype inference (floats -> the default dtype)."""
    if isinstance(data, Tensor):
        return data._data
    if _backend.is_array(data) or _backend.is_scalar_array(data):
        return _backend.asarray(data)
    arr = _backend.asarray(data)
    if arr.dtype.kind == "f":
        return arr.astype(_dtype.get_default_dtype()._np)
    if arr.dtype.kind in "iu":
        return arr.astype(_dtype.int64._np, copy=False)
    return arr


def tensor(data, *, dtype=None, device=None, requires_grad=False, pin_memory=False) -> Tensor:
    """Mirrors `torch.tensor`: always copies; Python floats become the default dtype."""
    _check_device(device)
    arr = _backend.array(_infer_array(data))
    if arr.dtype.kind not in "biuf":
        raise TypeError(f"Could not infer dtype of {type(data).__name__}")
    _dtype.from_numpy_dtype(arr.dtype)  # raises for dtypes torch has no name for
    return _finish(arr, dtype, requires_grad)


def as_tensor(data, dtype=None, device=None) -> Tensor:
    """Mirrors `torch.as_tensor`: shares memory with tensors and arrays when the dtype allows."""
    _check_device(device)
    if isinstance(data, Tensor):
        return data if dtype is None or dtype is data.dtype else data.to(dtype)
    if _backend.is_array(data):
        _dtype.from_numpy_dtype(data.dtype)
        return _finish(data, dtype, False)
    return tensor(data, dtype=dtype)


def from_numpy(ndarray) -> Tensor:
    """Mirrors `torch.from_numpy`: shares memory with the array."""
    if not _backend.is_array(ndarray):
        raise TypeError(f"expected np.ndarray (got {type(ndarray).__name__})")
    _dtype.from_numpy_dtype(ndarray.dtype)
    return Tensor._make(ndarray)


def _factory(fill):
    def make(*size, out=None, dtype=None, layout=None, device=None, requires_grad=False,
             pin_memory=False, memory_format=None) -> Tensor:  # fmt: skip
        _check_device(device)
        if out is not None:
            raise NotImplementedError("out= is not supported")
        dt = dtype or _dtype.get_default_dtype()
        shape = _dims(size)
        if any(s < 0 for s in shape):
            raise RuntimeError(
                f"Trying to create tensor with negative dimension {min(shape)}: {list(shape)}"
            )
        return _finish(fill(shape, dt._np), None, requires_grad)

    return make


_xp = _backend.xp(None)
zeros = _factory(lambda shape, npdt: _xp.zeros(shape, npdt))
ones = _factory(lambda shape, npdt: _xp.ones(shape, npdt))
empty = _factory(lambda shape, npdt: _xp.zeros(shape, npdt))
zeros.__doc__ = "Mirrors `torch.zeros`."
ones.__doc__ = "Mirrors `torch.ones`."
empty.__doc__ = "Mirrors `torch.empty` (filled with zeros)."


def _scalar_default_dtype(value):
    return _dtype._scalar_dtype(value)


def full(size, fill_value, *, out=None, dtype=None, layout=None, device=None,
         requires_grad=False, pin_memory=False) -> Tensor:  # fmt: skip
    """Mirrors `torch.full`: the dtype follows fill_value when not given."""
    _check_device(device)
    if isinstance(fill_value, Tensor):
        fill_value = fill_value.item()
    dt = dtype or _scalar_default_dtype(fill_value)
    return _finish(_xp.full(_dims((size,)), fill_value, dt._np), None, requires_grad)


def _like(maker):
    def make(input, *, dtype=None, layout=None, device=None, requires_grad=False,
             memory_format=None) -> Tensor:  # noqa: A002  # fmt: skip
        return maker(tuple(input.shape), dtype=dtype or input.dtype, device=device,
                     requires_grad=requires_grad)  # fmt: skip

    return make


zeros_like = _like(zeros)
ones_like = _like(ones)
empty_like = _like(empty)
zeros_like.__doc__ = "Mirrors `torch.zeros_like`."
ones_like.__doc__ = "Mirrors `torch.ones_like`."
empty_like.__doc__ = "Mirrors `torch.empty_like`."


def full_like(input, fill_value, *, dtype=None, layout=None, device=None, requires_grad=False,
              memory_format=None) -> Tensor:  # noqa: A002  # fmt: skip
    """Mirrors `torch.full_like`."""
    return full(tuple(input.shape), fill_value, dtype=dtype or input.dtype, device=device,
                requires_grad=requires_grad)  # fmt: skip


def _num(x):
    return x.item() if isinstance(x, Tensor) else x


def arange(start=0, end=None, step=1, *, out=None, dtype=None, layout=None, device=None,
           requires_grad=False) -> Tensor:  # fmt: skip
    """Mirrors `torch.arange`: integer arguments give int64, any float gives the default dtype."""
    _check_device(device)
    start, end, step = _num(start), _num(end), _num(step)
    if end is None:
        start, end = 0, start
    if step == 0:
        raise RuntimeError("step must be nonzero")
    if (end - start) * step < 0:
        raise RuntimeError("upper bound and larger bound inconsistent with step sign")
    is_float = any(isinstance(v, float) for v in (start, end, step))
    dt = dtype or (_dtype.get_default_dtype() if is_float else _dtype.int64)
    n = max(math.ceil((end - start) / step), 0)
    data = (
        start
        + _xp.arange(n, dtype=_np_float64 if is_float or dt.is_floating_point else None) * step
    )
    return _finish(data.astype(dt._np), None, requires_grad)


def linspace(start, end, steps, *, out=None, dtype=None, layout=None, device=None,
             requires_grad=False) -> Tensor:  # fmt: skip
    """Mirrors `torch.linspace`."""
    _check_device(device)
    if steps < 0:
        raise RuntimeError("number of steps must be non-negative")
    dt = dtype or _dtype.get_default_dtype()
    data = _xp.linspace(_num(start), _num(end), int(steps), dtype=_np_float64)
    return _finish(data.astype(dt._np), None, requires_grad)


def logspace(start, end, steps, base=10.0, *, out=None, dtype=None, layout=None, device=None,
             requires_grad=False) -> Tensor:  # fmt: skip
    """Mirrors `torch.logspace`."""
    _check_device(device)
    dt = dtype or _dtype.get_default_dtype()
    data = _xp.logspace(_num(start), _num(end), int(steps), base=base, dtype=_np_float64)
    return _finish(data.astype(dt._np), None, requires_grad)


def eye(n, m=None, *, out=None, dtype=None, layout=None, device=None,
        requires_grad=False) -> Tensor:  # fmt: skip
    """Mirrors `torch.eye`."""
    _check_device(device)
    dt = dtype or _dtype.get_default_dtype()
    return _finish(_xp.eye(n, n if m is None else m, dtype=dt._np), None, requires_grad)
