"""Creation functions: tensor, as_tensor, from_numpy, zeros/ones/full/empty and their _like forms,
ranges, eye."""

from __future__ import annotations

import math
import operator
from collections.abc import Callable
from itertools import chain
from typing import TYPE_CHECKING, Any

from . import _backend, _dtype
from ._tensor import Tensor, _dims, _size_arg

if TYPE_CHECKING:
    from .types import Device, Number, _size

_np_float64 = _dtype.float64._np


class device:  # noqa: N801 - torch spells it lowercase
    """Mirrors `torch.device`; only 'cpu' exists for now."""

    __slots__ = ("type", "index")
    type: str
    index: int | None

    def __init__(self, type: str | device, index: int | None = None) -> None:  # noqa: A002
        if isinstance(type, device):
            index = type.index
            type = type.type  # noqa: A001
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

    def __eq__(self, other: object) -> bool:
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
    if isinstance(data, (list, tuple)):
        if _all_python_floats(data):
            return _backend.asarray(data, _dtype.get_default_dtype()._np)
        arr = _backend.asarray(data)
        # numpy's integer promotion agrees with torch's; its float results do not (float64 for
        # Python floats, float32 for int16 with float16), so those are worked out from the leaves
        return arr.astype(_leaf_dtype(data)._np, copy=False) if arr.dtype.kind == "f" else arr
    arr = _backend.asarray(data)
    if arr.dtype.kind == "f":
        return arr.astype(_dtype.get_default_dtype()._np)
    if arr.dtype.kind in "iu":
        return arr.astype(_dtype.int64._np, copy=False)
    return arr


def _all_python_floats(data) -> bool:
    """Whether `data` is a nest of lists whose leaves are all Python floats (ragged or not).

    This is the common big input; counting types at C speed keeps `tensor()` about as fast as
    `np.asarray`, which alone cannot tell Python floats from float64 scalars.
    """
    level = data
    while level:
        first = level[0]
        n = len(level)
        if type(first) is float:
            return operator.countOf(map(type, level), float) == n
        if type(first) is not list or operator.countOf(map(type, level), list) != n:
            return False
        if first and type(first[0]) is float:  # the leaves: count them without building a list
            leaves = chain.from_iterable(level)
            return operator.countOf(map(type, leaves), float) == sum(map(len, level))
        level = list(chain.from_iterable(level))
    return False


_PY_SCALARS = {bool: _dtype.bool, int: _dtype.int64}


def _leaf_dtype(data) -> _dtype.dtype:
    """The promoted dtype of all leaves, as torch infers it: a Python float counts as the default
    dtype, a Python int as int64, a numpy scalar, array or Tensor as its own dtype."""
    default = _dtype.get_default_dtype()
    found = []
    level = data
    while level:
        nested = False
        for t in set(map(type, level)):
            if issubclass(t, (list, tuple)):
                nested = True
            elif t is float:
                found.append(default)
            elif t in _PY_SCALARS:
                found.append(_PY_SCALARS[t])
            elif issubclass(t, _backend.scalar_types):
                found.append(_dtype.from_numpy_dtype(_xp.dtype(t)))
            else:
                found.extend(
                    _dtype.from_numpy_dtype(_infer_array(x).dtype) for x in level if type(x) is t
                )
        if not nested:
            break
        level = list(chain.from_iterable(x for x in level if isinstance(x, (list, tuple))))
    out = None
    for d in found:
        out = d if out is None else _dtype.promote_types(out, d)
    return out or default


def tensor(data: Any, *, dtype: _dtype.dtype | None = None, device: Device = None,
           requires_grad: bool = False, pin_memory: bool = False) -> Tensor:  # fmt: skip
    """Mirrors `torch.tensor`: always copies; Python floats become the default dtype."""
    _check_device(device)
    if dtype is not None and isinstance(data, (float, list, tuple)):
        # straight to the requested dtype: a float64 tensor from 0.1 must not pass through float32
        try:
            return _finish(_backend.array(data, dtype=dtype._np), None, requires_grad)
        except (TypeError, ValueError):
            pass  # nested tensors or ragged data: the general path below explains the problem
    arr = _infer_array(data)
    if not isinstance(data, (list, tuple)):
        arr = _backend.array(arr)  # lists and tuples already gave a fresh array
    if arr.dtype.kind not in "biuf":
        raise TypeError(f"Could not infer dtype of {type(data).__name__}")
    _dtype.from_numpy_dtype(arr.dtype)  # raises for dtypes torch has no name for
    return _finish(arr, dtype, requires_grad)


def as_tensor(data: Any, dtype: _dtype.dtype | None = None, device: Device = None) -> Tensor:
    """Mirrors `torch.as_tensor`: shares memory with tensors and arrays when the dtype allows."""
    _check_device(device)
    if isinstance(data, Tensor):
        return data if dtype is None or dtype is data.dtype else data.to(dtype)
    if _backend.is_array(data):
        _dtype.from_numpy_dtype(data.dtype)
        return _finish(data, dtype, False)
    return tensor(data, dtype=dtype)


def from_numpy(ndarray: _backend.ndarray) -> Tensor:
    """Mirrors `torch.from_numpy`: shares memory with the array."""
    if not _backend.is_array(ndarray):
        raise TypeError(f"expected np.ndarray (got {type(ndarray).__name__})")
    _dtype.from_numpy_dtype(ndarray.dtype)
    return Tensor._make(ndarray)


def _check_shape(shape: tuple) -> tuple:
    for s in shape:
        if s < 0:
            raise RuntimeError(
                f"Trying to create tensor with negative dimension {s}: {list(shape)}"
            )
    return shape


def _factory(name: str, fill: Callable[[tuple, Any], Any]) -> Callable[..., Tensor]:
    def make(*size: int | _size, out: Tensor | None = None, dtype: _dtype.dtype | None = None,
             layout: object = None, device: Device = None, requires_grad: bool = False,
             pin_memory: bool = False, memory_format: object = None) -> Tensor:  # fmt: skip
        _check_device(device)
        if out is not None:
            raise NotImplementedError("out= is not supported")
        dt = dtype or _dtype.get_default_dtype()
        shape = _check_shape(_dims(size, name))
        return _finish(fill(shape, dt._np), None, requires_grad)

    return make


_xp = _backend.xp(None)
zeros = _factory("zeros", lambda shape, npdt: _xp.zeros(shape, npdt))
ones = _factory("ones", lambda shape, npdt: _xp.ones(shape, npdt))
empty = _factory("empty", lambda shape, npdt: _xp.zeros(shape, npdt))
zeros.__doc__ = "Mirrors `torch.zeros`."
ones.__doc__ = "Mirrors `torch.ones`."
empty.__doc__ = "Mirrors `torch.empty` (filled with zeros)."


def _scalar_default_dtype(value):
    return _dtype._scalar_dtype(value)


def full(size: _size, fill_value: Number | Tensor, *, out: Tensor | None = None,
         dtype: _dtype.dtype | None = None, layout: object = None, device: Device = None,
         requires_grad: bool = False, pin_memory: bool = False) -> Tensor:  # fmt: skip
    """Mirrors `torch.full`: the dtype follows fill_value when not given."""
    _check_device(device)
    if isinstance(fill_value, Tensor):
        fill_value = fill_value.item()
    dt = dtype or _scalar_default_dtype(fill_value)
    shape = _check_shape(_size_arg(size, "full", 1))
    return _finish(_xp.full(shape, fill_value, dt._np), None, requires_grad)


def _like(maker: Callable[..., Tensor]) -> Callable[..., Tensor]:
    def make(input: Tensor, *, dtype: _dtype.dtype | None = None, layout: object = None,  # noqa: A002
             device: Device = None, requires_grad: bool = False,
             memory_format: object = None) -> Tensor:  # fmt: skip
        return maker(tuple(input.shape), dtype=dtype or input.dtype, device=device,
                     requires_grad=requires_grad)  # fmt: skip

    return make


zeros_like = _like(zeros)
ones_like = _like(ones)
empty_like = _like(empty)
zeros_like.__doc__ = "Mirrors `torch.zeros_like`."
ones_like.__doc__ = "Mirrors `torch.ones_like`."
empty_like.__doc__ = "Mirrors `torch.empty_like`."


def full_like(input: Tensor, fill_value: Number | Tensor, *,  # noqa: A002
              dtype: _dtype.dtype | None = None, layout: object = None, device: Device = None,
              requires_grad: bool = False, memory_format: object = None) -> Tensor:  # fmt: skip
    """Mirrors `torch.full_like`."""
    return full(tuple(input.shape), fill_value, dtype=dtype or input.dtype, device=device,
                requires_grad=requires_grad)  # fmt: skip


def _num(x):
    return x.item() if isinstance(x, Tensor) else x


def arange(start: Number | Tensor = 0, end: Number | Tensor | None = None,
           step: Number | Tensor = 1, *, out: Tensor | None = None,
           dtype: _dtype.dtype | None = None, layout: object = None, device: Device = None,
           requires_grad: bool = False) -> Tensor:  # fmt: skip
    """Mirrors `torch.arange`: integer arguments give int64, any float gives the default dtype."""
    _check_device(device)
    start, end, step = _num(start), _num(end), _num(step)
    if end is None:
        start, end = 0, start
    is_float = any(isinstance(v, float) for v in (start, end, step))
    dt = dtype or (_dtype.get_default_dtype() if is_float else _dtype.int64)
    if dt is _dtype.bool:
        raise NotImplementedError(f"\"arange_cpu\" not implemented for '{dt._title}'")
    if step == 0:
        raise RuntimeError("step must be nonzero")
    if not (math.isfinite(start) and math.isfinite(end)):
        raise RuntimeError(f"unsupported range: {_fmt(start)} -> {_fmt(end)}")
    if (end - start) * step < 0:
        raise RuntimeError("upper bound and lower bound inconsistent with step sign")
    if dt.is_floating_point:
        n = math.ceil((end - start) / step)
        data = start + _xp.arange(n, dtype=_np_float64) * step
    elif not is_float:
        data = start + _xp.arange(-((start - end) // step), dtype=_xp.int64) * step
    elif dt is _dtype.int64:
        # NOTE: for int64 torch truncates float bounds and step before anything else, so a step
        # that truncates to 0 raises (a ValueError, unlike the zero step above)
        start, end, step = (_int64(v) for v in (start, end, step))
        if step == 0:
            raise ValueError("step must be nonzero")
        data = start + _xp.arange(-((start - end) // step), dtype=_xp.int64) * step
    else:
        # NOTE: other integer dtypes take the length from the float values and the elements
        # from the truncated start and step: arange(0, 2.5, 0.5, dtype=int32) is five zeros
        n = math.ceil((end - start) / step)
        data = int(start) + _xp.arange(n, dtype=_xp.int64) * int(step)
    return _finish(data.astype(dt._np), None, requires_grad)


def _fmt(v) -> str:
    return f"{v:g}" if isinstance(v, float) else str(v)


def _int64(v) -> int:
    if not -(2**63) <= v < 2**63:
        raise RuntimeError("value cannot be converted to type int64_t without overflow")
    return int(v)


def linspace(start: Number | Tensor, end: Number | Tensor, steps: int, *,
             out: Tensor | None = None, dtype: _dtype.dtype | None = None,
             layout: object = None, device: Device = None,
             requires_grad: bool = False) -> Tensor:  # fmt: skip
    """Mirrors `torch.linspace`."""
    _check_device(device)
    if steps < 0:
        raise RuntimeError("number of steps must be non-negative")
    dt = dtype or _dtype.get_default_dtype()
    data = _xp.linspace(_num(start), _num(end), int(steps), dtype=_np_float64)
    return _finish(data.astype(dt._np), None, requires_grad)


def logspace(start: Number | Tensor, end: Number | Tensor, steps: int, base: float = 10.0, *,
             out: Tensor | None = None, dtype: _dtype.dtype | None = None,
             layout: object = None, device: Device = None,
             requires_grad: bool = False) -> Tensor:  # fmt: skip
    """Mirrors `torch.logspace`."""
    _check_device(device)
    dt = dtype or _dtype.get_default_dtype()
    data = _xp.logspace(_num(start), _num(end), int(steps), base=base, dtype=_np_float64)
    return _finish(data.astype(dt._np), None, requires_grad)


def eye(n: int, m: int | None = None, *, out: Tensor | None = None,
        dtype: _dtype.dtype | None = None, layout: object = None, device: Device = None,
        requires_grad: bool = False) -> Tensor:  # fmt: skip
    """Mirrors `torch.eye`."""
    _check_device(device)
    n = _eye_size(n, "n", 1)
    m = n if m is None else _eye_size(m, "m", 2)
    dt = dtype or _dtype.get_default_dtype()
    return _finish(_xp.eye(n, m, dtype=dt._np), None, requires_grad)


def _eye_size(v, name: str, position: int) -> int:
    if isinstance(v, bool) or not hasattr(v, "__index__"):
        raise TypeError(
            f"eye(): argument '{name}' (position {position}) must be int, not {type(v).__name__}"
        )
    v = operator.index(v)
    if v < 0:
        raise RuntimeError(f"{name} must be greater or equal to 0, got {v}")
    return v
