"""dtype objects with PyTorch's names, the default dtype, and PyTorch's type promotion.

Complex and bfloat16 dtypes are not provided yet.
"""

from __future__ import annotations

import builtins
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from numpy.typing import DTypeLike

    from ._tensor import Tensor
    from .types import Number


class dtype:  # noqa: N801 - torch spells it lowercase
    """A tensor element type. Mirrors `torch.dtype`; prints as `mytorch.float32`."""

    __slots__ = (
        "_name", "_np", "is_floating_point", "is_complex", "is_signed", "itemsize", "_rank",
        "_title",
    )  # fmt: skip

    def __init__(self, name: str, np_dtype: DTypeLike, rank: builtins.int, title: str) -> None:
        self._name = name
        self._title = title  # torch's C++ name: "Float" in messages, "FloatTensor" in type()
        self._np = np.dtype(np_dtype)
        kind = self._np.kind
        self.is_floating_point = kind == "f"
        self.is_complex = kind == "c"
        self.is_signed = kind in "fic"
        self.itemsize = self._np.itemsize
        self._rank = rank  # order inside a category, used by promotion

    def __repr__(self) -> str:
        return "mytorch." + self._name

    def __reduce__(self) -> str:
        return self._name  # pickles as the module-level singleton

    @property
    def _category(self) -> builtins.int:
        return 0 if self is bool else 1 if not self.is_floating_point else 2


bool = dtype("bool", np.bool_, 0, "Bool")  # noqa: A001 - torch.bool
uint8 = dtype("uint8", np.uint8, 1, "Byte")
int8 = dtype("int8", np.int8, 1, "Char")
int16 = dtype("int16", np.int16, 2, "Short")
int32 = dtype("int32", np.int32, 3, "Int")
int64 = dtype("int64", np.int64, 4, "Long")
float16 = dtype("float16", np.float16, 1, "Half")
float32 = dtype("float32", np.float32, 2, "Float")
float64 = dtype("float64", np.float64, 3, "Double")

# torch's aliases
half, float, double = float16, float32, float64  # noqa: A001
short, int, long = int16, int32, int64  # noqa: A001

ALL = (bool, uint8, int8, int16, int32, int64, float16, float32, float64)
_FROM_NP = {d._np: d for d in ALL}

_default = [float32]


def from_numpy_dtype(np_dtype: np.dtype) -> dtype:
    try:
        return _FROM_NP[np_dtype]
    except KeyError:
        raise TypeError(
            f"can't convert np.ndarray of type numpy.{np.dtype(np_dtype)}. The only supported "
            "types are: float64, float32, float16, int64, int32, int16, int8, uint8, and bool."
        ) from None


def get_default_dtype() -> dtype:
    """Mirrors `torch.get_default_dtype`."""
    return _default[0]


def set_default_dtype(d: dtype) -> None:
    """Mirrors `torch.set_default_dtype` (float32 or float64)."""
    if not isinstance(d, dtype) or not d.is_floating_point:
        raise TypeError(f"only floating-point types are supported as the default type, got {d}")
    if d is float16:
        raise TypeError("only floating-point types float32 and float64 are supported here")
    _default[0] = d


def _promote(a: dtype, b: dtype) -> dtype:
    if a is b:
        return a
    ca, cb = a._category, b._category
    if ca != cb:
        return a if ca > cb else b
    if ca == 1 and (a is uint8) != (b is uint8):
        other = b if a is uint8 else a
        # uint8 and a signed type: the signed type must hold 0..255
        return int16 if other is int8 else other
    return a if a._rank > b._rank else b


_PROMOTE = {(a, b): _promote(a, b) for a in ALL for b in ALL}


def promote_types(type1: dtype, type2: dtype) -> dtype:
    """Mirrors `torch.promote_types`."""
    return _PROMOTE[(type1, type2)]


def can_cast(from_: dtype, to: dtype) -> builtins.bool:
    """Mirrors `torch.can_cast`: no float -> integral and no non-bool -> bool."""
    return from_._category <= to._category


_pybool, _pyint = type(True), type(1)


def _scalar_dtype(value) -> dtype:
    # Python numbers are "weak": they contribute only their category
    if isinstance(value, (_pybool, np.bool_)):
        return bool
    if isinstance(value, (_pyint, np.integer)):
        return int64
    return _default[0]


def _combine(higher, lower):
    # higher-priority class (dimensioned tensors) wins unless the lower one has a higher category
    if higher is None:
        return lower
    if lower is None:
        return higher
    if higher.is_floating_point:
        return higher
    if higher is bool or lower.is_floating_point:
        return _PROMOTE[(higher, lower)]
    return higher


def result_type_of(operands) -> dtype:
    """torch's result type for a mix of tensors (dimensioned, 0-d) and Python numbers."""
    dim = zero = wrapped = None
    for x in operands:
        d = getattr(x, "dtype", None)
        if isinstance(d, dtype):
            if x.ndim:
                dim = d if dim is None else _PROMOTE[(dim, d)]
            else:
                zero = d if zero is None else _PROMOTE[(zero, d)]
        elif x is not None:
            s = _scalar_dtype(x)
            wrapped = s if wrapped is None else _PROMOTE[(wrapped, s)]
    return _combine(dim, _combine(zero, wrapped))


def result_type(tensor1: Tensor | Number, tensor2: Tensor | Number) -> dtype:
    """Mirrors `torch.result_type`."""
    return result_type_of((tensor1, tensor2))
