"""class Tensor: an array plus autograd fields. Methods are thin calls into `_ops`.

`_ops` is imported at the bottom of this file, after the class body, to break the import cycle.
"""

from __future__ import annotations

import operator
import warnings
from typing import TYPE_CHECKING

from . import _backend, _dtype
from .autograd import grad_mode
from .autograd.graph import AccumulateGrad, RemovableHandle

if TYPE_CHECKING:
    from collections.abc import Iterator

    from typing_extensions import Self

    from .types import Number, _bool, _device

_state = grad_mode._state
_from_np = _dtype._FROM_NP

_NON_LEAF_GRAD = (
    "The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. Its .grad "
    "attribute won't be populated during autograd.backward(). If you indeed want the .grad field "
    "to be populated for a non-leaf Tensor, use .retain_grad() on the non-leaf Tensor. If you "
    "access the non-leaf Tensor by mistake, make sure you access the leaf Tensor instead."
)


def _dims(dims, fn: str = "size") -> tuple:
    """Accept sizes as varargs or as one tuple/list/Size, as torch does."""
    if len(dims) == 1 and isinstance(dims[0], (tuple, list)):
        dims = dims[0]
    return tuple(_size_int(d, fn, i) for i, d in enumerate(dims))


def _size_int(d, fn: str, pos: int) -> int:
    # torch takes anything with __index__ (numpy ints, integer tensors) but not floats or bools
    if not isinstance(d, bool):
        try:
            return operator.index(d)
        except TypeError:
            pass
    raise TypeError(
        f"{fn}(): argument 'size' (position 1) must be tuple of ints, but found element of type "
        f"{type(d).__name__} at pos {pos}"
    )


def _size_arg(size, fn: str, position: int) -> tuple:
    """A `size` argument that torch types as a tuple of ints, where a bare int is refused."""
    if not isinstance(size, (tuple, list)):
        raise TypeError(
            f"{fn}(): argument 'size' (position {position}) must be tuple of ints, not "
            f"{type(size).__name__}"
        )
    return _dims((size,), fn)


class Size(tuple):
    """Mirrors `torch.Size`: a tuple of ints that prints as `torch.Size([2, 3])`."""

    def __repr__(self) -> str:
        return f"torch.Size({list(self)})"

    def __getitem__(self, key):
        out = tuple.__getitem__(self, key)
        return Size(out) if isinstance(key, slice) else out

    def __add__(self, other):
        if not isinstance(other, tuple):
            raise TypeError(
                f"can only concatenate tuple (not {type(other).__name__}) to torch.Size"
            )
        return Size(tuple.__add__(self, other))

    def __radd__(self, other):
        if not isinstance(other, tuple):
            return NotImplemented
        return Size(tuple.__add__(other, self))

    def __mul__(self, n):
        return Size(tuple.__mul__(self, n))

    __rmul__ = __mul__

    def numel(self) -> int:
        n = 1
        for d in self:
            n *= d
        return n


# NOTE: as torch, the operators answer an array operand with NotImplemented, so NumPy computes
# `tensor + array` with its own promotion (`__array_wrap__` makes the result a Tensor), and
# `array + tensor` raises TypeError because both sides decline
_ARRAYS = _backend.array_types


class Tensor:
    """A multi-dimensional array with autograd. Mirrors `torch.Tensor`."""

    __slots__ = ("_data", "_rg", "grad_fn", "_vc", "__weakref__", "__dict__")

    # set on few tensors (leaves, retained grads), so they default at class level: creating a
    # tensor is on every op's hot path
    _grad = None
    _accumulator = None
    _retains_grad = False

    __array_priority__ = 1000  # numpy defers mixed expressions (array * tensor) to Tensor

    def __init__(self, *args) -> None:
        from ._creation import tensor as _tensor_fn

        if len(args) == 1 and not isinstance(args[0], int):
            data = _tensor_fn(args[0], dtype=_dtype.get_default_dtype())._data
        else:
            data = _backend.xp(None).empty(_dims(args), dtype=_dtype.get_default_dtype()._np)
        self._init(data)

    def _init(self, data, requires_grad=False, grad_fn=None, vc=None):
        self._data = data
        self._rg = requires_grad
        self.grad_fn = grad_fn
        self._vc = [0] if vc is None else vc

    @classmethod
    def _make(cls, data, requires_grad=False, grad_fn=None, vc=None) -> Self:
        t = object.__new__(cls)
        t._data = data
        t._rg = requires_grad
        t.grad_fn = grad_fn
        t._vc = [0] if vc is None else vc
        return t

    # ---- autograd fields ----------------------------------------------------------------------

    @property
    def requires_grad(self) -> bool:
        return self._rg

    @requires_grad.setter
    def requires_grad(self, value: bool) -> None:
        self.requires_grad_(value)

    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        """Mirrors `torch.Tensor.requires_grad_`."""
        if self.grad_fn is not None:
            if requires_grad:
                return self
            raise RuntimeError(
                "you can only change requires_grad flags of leaf variables. If you want to use a "
                "computed variable in a subgraph that doesn't require differentiation use "
                "var_no_grad = var.detach()."
            )
        if requires_grad and not self.dtype.is_floating_point:
            raise RuntimeError("only Tensors of floating point dtype can require gradients")
        self._rg = bool(requires_grad)
        return self

    @property
    def is_leaf(self) -> bool:
        return self.grad_fn is None

    @property
    def grad(self) -> Tensor | None:
        if self._grad is None and self.grad_fn is not None and not self._retains_grad:
            warnings.warn(_NON_LEAF_GRAD, UserWarning, stacklevel=2)
        return self._grad

    @grad.setter
    def grad(self, value) -> None:
        if value is not None:
            if not isinstance(value, Tensor):
                raise TypeError(
                    f"assigned grad expected to be a Tensor or None but got grad of type "
                    f"{type(value).__name__}"
                )
            if value.dtype is not self.dtype:
                raise RuntimeError("assigned grad has data of a different type")
            if value.shape != self.shape:
                raise RuntimeError("assigned grad has data of a different size")
        self._grad = value

    @property
    def retains_grad(self) -> bool:
        return self._retains_grad

    def _edge_node(self):
        """The node a new op's edge points at: grad_fn, or the leaf's (cached) accumulator."""
        if self.grad_fn is not None:
            return self.grad_fn
        acc = self._accumulator
        if acc is None:
            acc = self._accumulator = AccumulateGrad(self)
        return acc

    def retain_grad(self) -> None:
        """Mirrors `torch.Tensor.retain_grad`."""
        if not self._rg:
            raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
        if self.grad_fn is None or self._retains_grad:
            return
        import weakref

        ref = weakref.ref(self)

        def keep(grad):
            t = ref()
            if t is not None:
                g = grad.detach()
                t._grad = g if t._grad is None else t._grad + g
            return None

        self._retains_grad = True
        self.grad_fn._retain_hook = keep

    def register_hook(self, hook) -> RemovableHandle:
        """Mirrors `torch.Tensor.register_hook`: `hook(grad)` may return a replacement."""
        if not self._rg:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        return self._add_hook(hook)

    def _add_hook(self, fn) -> RemovableHandle:
        node = self._edge_node()
        if node._hooks is None:
            node._hooks = {}
        handle = RemovableHandle(node._hooks)
        node._hooks[handle.id] = fn
        return handle

    def backward(self, gradient=None, retain_graph=None, create_graph=False, inputs=None) -> None:
        """Mirrors `torch.Tensor.backward`."""
        from .autograd import backward

        backward(self, gradient, retain_graph, create_graph, inputs=inputs)

    def detach(self) -> Tensor:
        """Mirrors `torch.Tensor.detach`: shares data and the version counter."""
        return Tensor._make(self._data, False, None, self._vc)

    def detach_(self) -> Tensor:
        """Mirrors `torch.Tensor.detach_`."""
        self.grad_fn = None
        self._rg = False
        return self

    @property
    def data(self) -> Tensor:
        return self.detach()

    @data.setter
    def data(self, value: Tensor) -> None:
        self._data = value._data

    @property
    def _version(self) -> int:
        return self._vc[0]

    # ---- metadata -----------------------------------------------------------------------------

    @property
    def dtype(self) -> _dtype.dtype:
        return _from_np[self._data.dtype]

    @property
    def shape(self) -> Size:
        return Size(self._data.shape)

    def size(self, dim=None):
        """Mirrors `torch.Tensor.size`."""
        if dim is None:
            return Size(self._data.shape)
        return self._data.shape[_ops.wrap_dim(dim, self.ndim)]

    def dim(self) -> int:
        return self._data.ndim

    @property
    def ndim(self) -> int:
        return self._data.ndim

    def ndimension(self) -> int:
        return self._data.ndim

    def numel(self) -> int:
        return int(self._data.size)

    def nelement(self) -> int:
        return int(self._data.size)

    def element_size(self) -> int:
        return self._data.itemsize

    @property
    def itemsize(self) -> int:
        return self._data.itemsize

    @property
    def nbytes(self) -> int:
        return self._data.nbytes

    @property
    def device(self) -> _device:
        from ._creation import device

        return device(_backend.device_of(self._data))

    @property
    def is_cuda(self) -> bool:
        return False

    def is_floating_point(self) -> bool:
        return self.dtype.is_floating_point

    def is_complex(self) -> bool:
        return False

    def is_contiguous(self) -> bool:
        return bool(self._data.flags.c_contiguous)

    def stride(self, dim=None):
        if self._data.size == 0:  # torch gives an empty tensor contiguous strides (0 counts as 1)
            strides, step = [], 1
            for n in reversed(self._data.shape):
                strides.insert(0, step)
                step *= max(n, 1)
            strides = tuple(strides)
        else:
            strides = tuple(s // self._data.itemsize for s in self._data.strides)
        return strides if dim is None else strides[_ops.wrap_dim(dim, self.ndim)]

    def type(self, dtype=None, non_blocking=False):
        """Mirrors `torch.Tensor.type`: a dtype or a name such as "torch.IntTensor" converts."""
        if dtype is None:
            return f"torch.{self.dtype._title}Tensor"
        if isinstance(dtype, str):
            dtype = _dtype_of_type_name(dtype)
        return self.to(dtype)

    # ---- conversion ---------------------------------------------------------------------------

    def numpy(self, *, force: bool = False):
        """Mirrors `torch.Tensor.numpy`: shares memory, refuses when requires_grad is set."""
        if "_batched" in self.__dict__:
            _refuse_batched(self, "numpy()")
        if self._rg and not force:
            raise RuntimeError(
                "Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() "
                "instead."
            )
        return self._data

    def __array__(self, dtype=None, copy=None):
        """Mirrors `torch.Tensor.__array__`: `np.asarray(t)` shares memory.

        Also takes NumPy 2's `copy`, which torch 2.13 lacks (there `np.asarray(t, copy=False)`
        raises ValueError); here it shares memory, as `copy=False` asks.
        """
        return _backend.array(self.numpy(), dtype, copy)

    def __array_wrap__(self, array, context=None, return_scalar=False):
        """Mirrors `torch.Tensor.__array_wrap__`: `np.sin(t)` is a Tensor; bool comes back uint8."""
        array = array.astype("uint8") if array.dtype == bool else array
        _dtype.from_numpy_dtype(array.dtype)  # torch.from_numpy's TypeError for complex and such
        return Tensor._make(array)

    def __dlpack__(self, *, stream=-1, max_version=None, dl_device=None, copy=None):
        """Mirrors `torch.Tensor.__dlpack__`: a DLPack capsule sharing this tensor's memory."""
        if self._rg:
            raise BufferError("Can't export tensors that require gradient, use tensor.detach()")
        if stream is not None and type(stream) is not int:
            raise TypeError("stream must be ``int`` or ``none``")
        return _backend.to_dlpack(self._data, stream, max_version, dl_device, copy)

    def __dlpack_device__(self) -> tuple:
        """Mirrors `torch.Tensor.__dlpack_device__`: (DLDeviceType.kDLCPU, 0) on the CPU."""
        return _backend.dlpack_device(self._data)

    def item(self) -> Number:
        """Mirrors `torch.Tensor.item`."""
        if "_batched" in self.__dict__:
            _refuse_batched(self, "item")
        if self._data.size != 1:
            raise RuntimeError(
                f"a Tensor with {self._data.size} elements cannot be converted to Scalar"
            )
        return self._data.reshape(()).item()

    def tolist(self):
        if "_batched" in self.__dict__:
            _refuse_batched(self, "item")
        return self._data.tolist()

    def _scalar(self, kind: str):
        if "_batched" in self.__dict__:
            _refuse_batched(self, f"{kind}()")
        if self._data.size != 1:
            raise ValueError("only one element tensors can be converted to Python scalars")
        return self._data.reshape(()).item()

    def __float__(self) -> float:
        return float(self._scalar("float"))

    def __int__(self) -> int:
        return int(self._scalar("int"))

    def __complex__(self) -> complex:
        return complex(self._scalar("complex"))

    def __index__(self) -> int:
        # NOTE: torch lets one-element bool tensors through as 0 or 1, like Python's bools
        if "_batched" in self.__dict__:
            _refuse_batched(self, "__index__()")
        if self.dtype.is_floating_point or self._data.size != 1:
            raise TypeError("only integer tensors of a single element can be converted to an index")
        return int(self._data.reshape(()).item())

    def __bool__(self) -> bool:
        if "_batched" in self.__dict__:
            _refuse_batched(self, "bool()")
        if self._data.size != 1:
            raise RuntimeError(
                "Boolean value of Tensor with more than one value is ambiguous"
                if self._data.size
                else "Boolean value of Tensor with no values is ambiguous"
            )
        return bool(self._data.reshape(()).item())

    def __len__(self) -> int:
        if self._data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self._data.shape[0]

    def __iter__(self) -> Iterator[Tensor]:
        if self._data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return iter(self.unbind(0))

    def __hash__(self) -> int:
        return id(self)

    def __repr__(self) -> str:
        from ._tensor_str import tensor_repr

        return tensor_repr(self)

    __str__ = __repr__

    def __format__(self, spec: str) -> str:
        if self._data.ndim == 0:
            return self.item().__format__(spec)
        return object.__format__(self, spec)

    def __reduce_ex__(self, protocol):
        return (_rebuild, (self._data.copy(), self._rg))

    def __deepcopy__(self, memo):
        if not self.is_leaf:
            raise RuntimeError(
                "Only Tensors created explicitly by the user (graph leaves) support the deepcopy "
                "protocol at the moment."
            )
        out = Tensor._make(self._data.copy(), self._rg)
        if type(self) is not Tensor:
            out = type(self).__new__(type(self), out, self._rg)
        memo[id(self)] = out
        return out

    def to(self, *args, dtype=None, device=None, copy=False, non_blocking=False) -> Tensor:
        """Mirrors `torch.Tensor.to` for dtypes, 'cpu' and tensors; returns self when unchanged."""
        for a in args:
            if isinstance(a, _dtype.dtype):
                dtype = a
            elif isinstance(a, Tensor):
                dtype = a.dtype
            else:
                device = a
        if device is not None and str(device) != "cpu":
            raise NotImplementedError(f"device {device!r}: only 'cpu' is available")
        if dtype is None or dtype is self.dtype:
            return self.clone() if copy else self
        return _ops.to_copy(self, dtype=dtype)

    def cpu(self) -> Tensor:
        return self

    def float(self) -> Tensor:
        return self.to(_dtype.float32)

    def double(self) -> Tensor:
        return self.to(_dtype.float64)

    def half(self) -> Tensor:
        return self.to(_dtype.float16)

    def long(self) -> Tensor:
        return self.to(_dtype.int64)

    def int(self) -> Tensor:
        return self.to(_dtype.int32)

    def short(self) -> Tensor:
        return self.to(_dtype.int16)

    def char(self) -> Tensor:
        return self.to(_dtype.int8)

    def byte(self) -> Tensor:
        return self.to(_dtype.uint8)

    def bool(self) -> Tensor:
        return self.to(_dtype.bool)

    def type_as(self, other: Tensor) -> Tensor:
        return self.to(other.dtype)

    def clone(self, *, memory_format=None) -> Tensor:
        return _ops.clone(self)

    def contiguous(self, memory_format=None) -> Tensor:
        return self if self._data.flags.c_contiguous else _ops.clone(self, order="C")

    # ---- arithmetic ---------------------------------------------------------------------------

    def __add__(self, other) -> Tensor:
        if type(other) in _ARRAYS:
            return NotImplemented
        return _ops.add(self, other)

    def __radd__(self, other) -> Tensor:
        if type(other) in _ARRAYS:
            return NotImplemented
        return _ops.add(self, other)

    def __sub__(self, other) -> Tensor:
        if type(other) in _ARRAYS:
            return NotImplemented
        return _ops.sub(self, other)

    def __rsub__(self, other) -> Tensor:
        if type(other) in _ARRAYS:
            return NotImplemented
        return _ops.rsub(self, other)

    def __mul__(self, other) -> Tensor:
        if type(other) in _ARRAYS:
            return NotImplemented
        return _ops.mul(self, other)

    def __rmul__(self, other) -> Tensor:
        if type(other) in _ARRAYS:
            return NotImplemented
        return _ops.mul(self, other)

    def __truediv__(self, other) -> Tensor:
        if type(other) in _ARRAYS:
            return NotImplemented
        return _ops.div(self, other)

    def __rtruediv__(self, other) -> Tensor:
        # the `*` operator, as in torch: `array / tensor` then becomes `array * (1 / tensor)`
        return _ops.reciprocal(self) * other

    def __floordiv__(self, other) -> Tensor:
        if type(other) in _ARRAYS:
            return NotImplemented
        return _ops.floor_divide(self, other)

    def __rfloordiv__(self, other) -> Tensor:
        if type(other) in _ARRAYS:
            return NotImplemented
        return _ops.floor_divide(other, self)

    def __mod__(self, other) -> Tensor:
        if type(other) in _ARRAYS:
            return NotImplemented
        return _ops.remainder(self, other)

    def __rmod__(self, other) -> Tensor:
        if type(other) in _ARRAYS:
            return NotImplemented
        return _ops.rremainder(self, other)

    def __pow__(self, exponent) -> Tensor:
        if type(exponent) in _ARRAYS:
            return NotImplemented
        return _ops.pow(self, exponent)

    def __rpow__(self, base) -> Tensor:
        if type(base) in _ARRAYS:
            return NotImplemented
        return _ops.pow(base, self)

    def __matmul__(self, other) -> Tensor:
        if type(other) in _ARRAYS:
            return NotImplemented
        return _ops.matmul(self, other)

    def __rmatmul__(self, other) -> Tensor:
        if type(other) in _ARRAYS:
            return NotImplemented
        return _ops.matmul(other, self)

    def __neg__(self) -> Tensor:
        return _ops.neg(self)

    def __pos__(self) -> Tensor:
        return self

    def __abs__(self) -> Tensor:
        return _ops.abs(self)

    def __eq__(self, other):
        if not isinstance(other, _OPERANDS):
            return NotImplemented  # torch compares tensors with None or strings as unequal
        if _backend.is_array(other):  # unlike the other operators, torch compares with arrays
            _dtype.from_numpy_dtype(other.dtype)
            other = Tensor._make(other)
        return _ops.eq(self, other)

    def __ne__(self, other) -> Tensor:  # type: ignore[override]
        if not isinstance(other, _OPERANDS):
            return NotImplemented
        return _ops.ne(self, other)

    def __lt__(self, other) -> Tensor:
        if type(other) in _ARRAYS:
            return NotImplemented
        return _ops.lt(self, other)

    def __le__(self, other) -> Tensor:
        if type(other) in _ARRAYS:
            return NotImplemented
        return _ops.le(self, other)

    def __gt__(self, other) -> Tensor:
        if type(other) in _ARRAYS:
            return NotImplemented
        return _ops.gt(self, other)

    def __ge__(self, other) -> Tensor:
        if type(other) in _ARRAYS:
            return NotImplemented
        return _ops.ge(self, other)

    def __and__(self, other) -> Tensor:
        if type(other) in _ARRAYS:
            return NotImplemented
        return _ops.bitwise_and(self, other)

    __rand__ = __and__

    def __or__(self, other) -> Tensor:
        if type(other) in _ARRAYS:
            return NotImplemented
        return _ops.bitwise_or(self, other)

    __ror__ = __or__

    def __xor__(self, other) -> Tensor:
        if type(other) in _ARRAYS:
            return NotImplemented
        return _ops.bitwise_xor(self, other)

    __rxor__ = __xor__

    def __invert__(self) -> Tensor:
        if self.dtype.is_floating_point:
            raise TypeError(
                "~ (operator.invert) is only implemented on integer and Boolean-type tensors"
            )
        return _ops.bitwise_not(self)

    def __iadd__(self, other) -> Tensor:
        if type(other) in _ARRAYS:
            return NotImplemented
        return self.add_(other)

    def __isub__(self, other) -> Tensor:
        if type(other) in _ARRAYS:
            return NotImplemented
        return self.sub_(other)

    def __imul__(self, other) -> Tensor:
        if type(other) in _ARRAYS:
            return NotImplemented
        return self.mul_(other)

    def __itruediv__(self, other) -> Tensor:
        if type(other) in _ARRAYS:
            return NotImplemented
        return self.div_(other)

    def add(self, other, *, alpha=1) -> Tensor:
        return _ops.add_alpha(self, other, alpha)

    def sub(self, other, *, alpha=1) -> Tensor:
        return _ops.sub_alpha(self, other, alpha)

    def mul(self, other) -> Tensor:
        return _ops.mul(self, other)

    def div(self, other, *, rounding_mode=None) -> Tensor:
        return _ops.div_mode(self, other, rounding_mode)

    def true_divide(self, other) -> Tensor:
        return _ops.div(self, other)

    def floor_divide(self, other) -> Tensor:
        return _ops.floor_divide(self, other)

    def remainder(self, other) -> Tensor:
        return _ops.remainder(self, other)

    def pow(self, exponent) -> Tensor:
        return _ops.pow(self, exponent)

    def neg(self) -> Tensor:
        return _ops.neg(self)

    def eq(self, other) -> Tensor:
        return _ops.eq(self, other)

    def ne(self, other) -> Tensor:
        return _ops.ne(self, other)

    def lt(self, other) -> Tensor:
        return _ops.lt(self, other)

    def le(self, other) -> Tensor:
        return _ops.le(self, other)

    def gt(self, other) -> Tensor:
        return _ops.gt(self, other)

    def ge(self, other) -> Tensor:
        return _ops.ge(self, other)

    # binary and ternary pointwise ops (_ops/pointwise.py)

    def multiply(self, other) -> Tensor:
        return _ops.mul(self, other)

    def divide(self, other, *, rounding_mode=None) -> Tensor:
        return _ops.div_mode(self, other, rounding_mode)

    def subtract(self, other, *, alpha=1) -> Tensor:
        return _ops.sub_alpha(self, other, alpha)

    def fmod(self, other) -> Tensor:
        return _ops.fmod(self, other)

    def float_power(self, exponent) -> Tensor:
        return _ops.float_power(self, exponent)

    def atan2(self, other) -> Tensor:
        return _ops.atan2(self, other)

    arctan2 = atan2

    def maximum(self, other) -> Tensor:
        return _ops.maximum(self, other)

    def minimum(self, other) -> Tensor:
        return _ops.minimum(self, other)

    def fmax(self, other) -> Tensor:
        return _ops.fmax(self, other)

    def fmin(self, other) -> Tensor:
        return _ops.fmin(self, other)

    def hypot(self, other) -> Tensor:
        return _ops.hypot(self, other)

    def logaddexp(self, other) -> Tensor:
        return _ops.logaddexp(self, other)

    def logaddexp2(self, other) -> Tensor:
        return _ops.logaddexp2(self, other)

    def lerp(self, end, weight) -> Tensor:
        return _ops.lerp(self, end, weight)

    def copysign(self, other) -> Tensor:
        return _ops.copysign(self, other)

    def xlogy(self, other) -> Tensor:
        return _ops.xlogy(self, other)

    def clamp(self, min=None, max=None) -> Tensor:  # noqa: A002 - torch's names
        return _ops.clamp(self, min, max)

    clip = clamp

    def clamp_min(self, min) -> Tensor:  # noqa: A002
        return _ops.clamp_min(self, min)

    def clamp_max(self, max) -> Tensor:  # noqa: A002
        return _ops.clamp_max(self, max)

    def addcmul(self, tensor1, tensor2, *, value=1) -> Tensor:
        return _ops.addcmul(self, tensor1, tensor2, value=value)

    def addcdiv(self, tensor1, tensor2, *, value=1) -> Tensor:
        return _ops.addcdiv(self, tensor1, tensor2, value=value)

    def where(self, condition, other) -> Tensor:
        return _ops.where(condition, self, other)

    greater, greater_equal, less, less_equal, not_equal = gt, ge, lt, le, ne

    def logical_and(self, other) -> Tensor:
        return _ops.logical_and(self, other)

    def logical_or(self, other) -> Tensor:
        return _ops.logical_or(self, other)

    def logical_xor(self, other) -> Tensor:
        return _ops.logical_xor(self, other)

    def bitwise_and(self, other) -> Tensor:
        return _ops.bitwise_and(self, other)

    def bitwise_or(self, other) -> Tensor:
        return _ops.bitwise_or(self, other)

    def bitwise_xor(self, other) -> Tensor:
        return _ops.bitwise_xor(self, other)

    def bitwise_not(self) -> Tensor:
        return _ops.bitwise_not(self)

    def bitwise_left_shift(self, other) -> Tensor:
        return _ops.bitwise_left_shift(self, other)

    def bitwise_right_shift(self, other) -> Tensor:
        return _ops.bitwise_right_shift(self, other)

    def __lshift__(self, other) -> Tensor:
        if type(other) in _ARRAYS:
            return NotImplemented
        return _ops.bitwise_left_shift(self, other)

    def __rlshift__(self, other) -> Tensor:
        if type(other) in _ARRAYS:
            return NotImplemented
        return _ops.bitwise_left_shift(other, self)

    def __rshift__(self, other) -> Tensor:
        if type(other) in _ARRAYS:
            return NotImplemented
        return _ops.bitwise_right_shift(self, other)

    def __rrshift__(self, other) -> Tensor:
        if type(other) in _ARRAYS:
            return NotImplemented
        return _ops.bitwise_right_shift(other, self)

    def isclose(self, other, rtol=1e-05, atol=1e-08, equal_nan=False) -> Tensor:
        return _ops.isclose(self, other, rtol, atol, equal_nan)

    def allclose(self, other, rtol=1e-05, atol=1e-08, equal_nan=False) -> _bool:
        return _ops.allclose(self, other, rtol, atol, equal_nan)

    def equal(self, other) -> _bool:
        return _ops.equal(self, other)

    # in place, binary and ternary pointwise ops

    def __ipow__(self, exponent) -> Tensor:
        if type(exponent) in _ARRAYS:
            return NotImplemented
        return self.pow_(exponent)

    def __ifloordiv__(self, other) -> Tensor:
        if type(other) in _ARRAYS:
            return NotImplemented
        return self.floor_divide_(other)

    def __imod__(self, other) -> Tensor:
        if type(other) in _ARRAYS:
            return NotImplemented
        return self.remainder_(other)

    def __iand__(self, other) -> Tensor:
        if type(other) in _ARRAYS:
            return NotImplemented
        return self.bitwise_and_(other)

    def __ior__(self, other) -> Tensor:
        if type(other) in _ARRAYS:
            return NotImplemented
        return self.bitwise_or_(other)

    def __ixor__(self, other) -> Tensor:
        if type(other) in _ARRAYS:
            return NotImplemented
        return self.bitwise_xor_(other)

    def __ilshift__(self, other) -> Tensor:
        if type(other) in _ARRAYS:
            return NotImplemented
        return self.bitwise_left_shift_(other)

    def __irshift__(self, other) -> Tensor:
        if type(other) in _ARRAYS:
            return NotImplemented
        return self.bitwise_right_shift_(other)

    def multiply_(self, other) -> Tensor:
        return _ops.inplace(self, _ops.mul, other)

    def divide_(self, other, *, rounding_mode=None) -> Tensor:
        return _ops.inplace(self, _ops.div_mode, other, rounding_mode)

    def subtract_(self, other, *, alpha=1) -> Tensor:
        return _ops.inplace(self, _ops.sub_alpha, other, alpha)

    def true_divide_(self, other) -> Tensor:
        return _ops.inplace(self, _ops.div, other)

    def floor_divide_(self, other) -> Tensor:
        return _ops.inplace(self, _ops.floor_divide, other)

    def remainder_(self, other) -> Tensor:
        return _ops.inplace(self, _ops.remainder, other)

    def fmod_(self, other) -> Tensor:
        return _ops.inplace(self, _ops.fmod, other)

    def pow_(self, exponent) -> Tensor:
        return _ops.inplace(self, _ops.pow, exponent)

    def float_power_(self, exponent) -> Tensor:
        return _ops.float_power_(self, exponent)

    def atan2_(self, other) -> Tensor:
        return _ops.inplace(self, _ops.atan2, other)

    arctan2_ = atan2_

    def hypot_(self, other) -> Tensor:
        return _ops.inplace(self, _ops.hypot, other)

    def lerp_(self, end, weight) -> Tensor:
        return _ops.inplace(self, _ops.lerp, end, weight)

    def copysign_(self, other) -> Tensor:
        return _ops.inplace(self, _ops.copysign, other)

    def xlogy_(self, other) -> Tensor:
        return _ops.inplace(self, _ops.xlogy, other)

    def clamp_(self, min=None, max=None) -> Tensor:  # noqa: A002
        return _ops.inplace(self, _ops.clamp, min, max)

    clip_ = clamp_

    def clamp_min_(self, min) -> Tensor:  # noqa: A002
        return _ops.inplace(self, _ops.clamp_min, min)

    def clamp_max_(self, max) -> Tensor:  # noqa: A002
        return _ops.inplace(self, _ops.clamp_max, max)

    def addcmul_(self, tensor1, tensor2, *, value=1) -> Tensor:
        op = lambda s, a, b: _ops.addcmul(s, a, b, value=value)  # noqa: E731
        return _ops.inplace(self, op, tensor1, tensor2)

    def addcdiv_(self, tensor1, tensor2, *, value=1) -> Tensor:
        op = lambda s, a, b: _ops.addcdiv(s, a, b, value=value)  # noqa: E731
        return _ops.inplace(self, op, tensor1, tensor2)

    def eq_(self, other) -> Tensor:
        return _ops.compare_(self, "eq", other)

    def ne_(self, other) -> Tensor:
        return _ops.compare_(self, "ne", other)

    def lt_(self, other) -> Tensor:
        return _ops.compare_(self, "lt", other)

    def le_(self, other) -> Tensor:
        return _ops.compare_(self, "le", other)

    def gt_(self, other) -> Tensor:
        return _ops.compare_(self, "gt", other)

    def ge_(self, other) -> Tensor:
        return _ops.compare_(self, "ge", other)

    greater_, greater_equal_, less_, less_equal_, not_equal_ = gt_, ge_, lt_, le_, ne_

    def logical_and_(self, other) -> Tensor:
        return _ops.inplace(self, _ops.logical_and, other)

    def logical_or_(self, other) -> Tensor:
        return _ops.inplace(self, _ops.logical_or, other)

    def logical_xor_(self, other) -> Tensor:
        return _ops.inplace(self, _ops.logical_xor, other)

    def bitwise_and_(self, other) -> Tensor:
        return _ops.inplace(self, _ops.bitwise_and, other)

    def bitwise_or_(self, other) -> Tensor:
        return _ops.inplace(self, _ops.bitwise_or, other)

    def bitwise_xor_(self, other) -> Tensor:
        return _ops.inplace(self, _ops.bitwise_xor, other)

    def bitwise_not_(self) -> Tensor:
        return _ops.inplace(self, _ops.bitwise_not)

    def bitwise_left_shift_(self, other) -> Tensor:
        return _ops.inplace(self, _ops.bitwise_left_shift, other)

    def bitwise_right_shift_(self, other) -> Tensor:
        return _ops.inplace(self, _ops.bitwise_right_shift, other)

    def abs(self) -> Tensor:
        return _ops.abs(self)

    def exp(self) -> Tensor:
        return _ops.exp(self)

    def log(self) -> Tensor:
        return _ops.log(self)

    def sqrt(self) -> Tensor:
        return _ops.sqrt(self)

    def sin(self) -> Tensor:
        return _ops.sin(self)

    def cos(self) -> Tensor:
        return _ops.cos(self)

    def tanh(self) -> Tensor:
        return _ops.tanh(self)

    def sigmoid(self) -> Tensor:
        return _ops.sigmoid(self)

    def relu(self) -> Tensor:
        return _ops.relu(self)

    def reciprocal(self) -> Tensor:
        return _ops.reciprocal(self)

    def sign(self) -> Tensor:
        return _ops.sign(self)

    # ---- unary math (_ops/unary.py) ----------------------------------------------------------

    def negative(self) -> Tensor:
        return _ops.neg(self)

    def absolute(self) -> Tensor:
        return _ops.abs(self)

    def sgn(self) -> Tensor:
        return _ops.sgn(self)

    def exp2(self) -> Tensor:
        return _ops.exp2(self)

    def expm1(self) -> Tensor:
        return _ops.expm1(self)

    def log2(self) -> Tensor:
        return _ops.log2(self)

    def log10(self) -> Tensor:
        return _ops.log10(self)

    def log1p(self) -> Tensor:
        return _ops.log1p(self)

    def rsqrt(self) -> Tensor:
        return _ops.rsqrt(self)

    def square(self) -> Tensor:
        return _ops.square(self)

    def tan(self) -> Tensor:
        return _ops.tan(self)

    def asin(self) -> Tensor:
        return _ops.asin(self)

    def arcsin(self) -> Tensor:
        return _ops.arcsin(self)

    def acos(self) -> Tensor:
        return _ops.acos(self)

    def arccos(self) -> Tensor:
        return _ops.arccos(self)

    def atan(self) -> Tensor:
        return _ops.atan(self)

    def arctan(self) -> Tensor:
        return _ops.arctan(self)

    def sinh(self) -> Tensor:
        return _ops.sinh(self)

    def cosh(self) -> Tensor:
        return _ops.cosh(self)

    def asinh(self) -> Tensor:
        return _ops.asinh(self)

    def arcsinh(self) -> Tensor:
        return _ops.arcsinh(self)

    def acosh(self) -> Tensor:
        return _ops.acosh(self)

    def arccosh(self) -> Tensor:
        return _ops.arccosh(self)

    def atanh(self) -> Tensor:
        return _ops.atanh(self)

    def arctanh(self) -> Tensor:
        return _ops.arctanh(self)

    def erf(self) -> Tensor:
        return _ops.erf(self)

    def erfc(self) -> Tensor:
        return _ops.erfc(self)

    def erfinv(self) -> Tensor:
        return _ops.erfinv(self)

    def floor(self) -> Tensor:
        return _ops.floor(self)

    def ceil(self) -> Tensor:
        return _ops.ceil(self)

    def trunc(self) -> Tensor:
        return _ops.trunc(self)

    def fix(self) -> Tensor:
        return _ops.fix(self)

    def frac(self) -> Tensor:
        return _ops.frac(self)

    def isnan(self) -> Tensor:
        return _ops.isnan(self)

    def isinf(self) -> Tensor:
        return _ops.isinf(self)

    def isfinite(self) -> Tensor:
        return _ops.isfinite(self)

    def isposinf(self) -> Tensor:
        return _ops.isposinf(self)

    def isneginf(self) -> Tensor:
        return _ops.isneginf(self)

    def isreal(self) -> Tensor:
        return _ops.isreal(self)

    def signbit(self) -> Tensor:
        return _ops.signbit(self)

    def positive(self) -> Tensor:
        return _ops.positive(self)

    def logical_not(self) -> Tensor:
        return _ops.logical_not(self)

    def logit(self, eps=None) -> Tensor:
        return _ops.logit(self, eps)

    def round(self, *, decimals=None) -> Tensor:
        return _ops.round(self, decimals=decimals)

    def nan_to_num(self, nan=0.0, posinf=None, neginf=None) -> Tensor:
        return _ops.nan_to_num(self, nan, posinf, neginf)

    def abs_(self) -> Tensor:
        return _ops.inplace(self, _ops.abs)

    def absolute_(self) -> Tensor:
        return _ops.inplace(self, _ops.abs)

    def neg_(self) -> Tensor:
        return _ops.inplace(self, _ops.neg)

    def negative_(self) -> Tensor:
        return _ops.inplace(self, _ops.neg)

    def sign_(self) -> Tensor:
        return _ops.inplace(self, _ops.sign)

    def exp_(self) -> Tensor:
        return _ops.inplace(self, _ops.exp)

    def log_(self) -> Tensor:
        return _ops.inplace(self, _ops.log)

    def sqrt_(self) -> Tensor:
        return _ops.inplace(self, _ops.sqrt)

    def reciprocal_(self) -> Tensor:
        return _ops.inplace(self, _ops.reciprocal)

    def sin_(self) -> Tensor:
        return _ops.inplace(self, _ops.sin)

    def cos_(self) -> Tensor:
        return _ops.inplace(self, _ops.cos)

    def tanh_(self) -> Tensor:
        return _ops.inplace(self, _ops.tanh)

    def sigmoid_(self) -> Tensor:
        return _ops.inplace(self, _ops.sigmoid)

    def relu_(self) -> Tensor:
        return _ops.inplace(self, _ops.relu)

    def sgn_(self) -> Tensor:
        return _ops.inplace(self, _ops.sgn)

    def exp2_(self) -> Tensor:
        return _ops.inplace(self, _ops.exp2)

    def expm1_(self) -> Tensor:
        return _ops.inplace(self, _ops.expm1)

    def log2_(self) -> Tensor:
        return _ops.inplace(self, _ops.log2)

    def log10_(self) -> Tensor:
        return _ops.inplace(self, _ops.log10)

    def log1p_(self) -> Tensor:
        return _ops.inplace(self, _ops.log1p)

    def rsqrt_(self) -> Tensor:
        return _ops.inplace(self, _ops.rsqrt)

    def square_(self) -> Tensor:
        return _ops.inplace(self, _ops.square)

    def tan_(self) -> Tensor:
        return _ops.inplace(self, _ops.tan)

    def asin_(self) -> Tensor:
        return _ops.inplace(self, _ops.asin)

    def arcsin_(self) -> Tensor:
        return _ops.inplace(self, _ops.arcsin)

    def acos_(self) -> Tensor:
        return _ops.inplace(self, _ops.acos)

    def arccos_(self) -> Tensor:
        return _ops.inplace(self, _ops.arccos)

    def atan_(self) -> Tensor:
        return _ops.inplace(self, _ops.atan)

    def arctan_(self) -> Tensor:
        return _ops.inplace(self, _ops.arctan)

    def sinh_(self) -> Tensor:
        return _ops.inplace(self, _ops.sinh)

    def cosh_(self) -> Tensor:
        return _ops.inplace(self, _ops.cosh)

    def asinh_(self) -> Tensor:
        return _ops.asinh_(self)

    def arcsinh_(self) -> Tensor:
        return _ops.arcsinh_(self)

    def acosh_(self) -> Tensor:
        return _ops.acosh_(self)

    def arccosh_(self) -> Tensor:
        return _ops.arccosh_(self)

    def atanh_(self) -> Tensor:
        return _ops.atanh_(self)

    def arctanh_(self) -> Tensor:
        return _ops.arctanh_(self)

    def erf_(self) -> Tensor:
        return _ops.inplace(self, _ops.erf)

    def erfc_(self) -> Tensor:
        return _ops.inplace(self, _ops.erfc)

    def erfinv_(self) -> Tensor:
        return _ops.inplace(self, _ops.erfinv)

    def floor_(self) -> Tensor:
        return _ops.inplace(self, _ops.floor)

    def ceil_(self) -> Tensor:
        return _ops.inplace(self, _ops.ceil)

    def trunc_(self) -> Tensor:
        return _ops.inplace(self, _ops.trunc)

    def fix_(self) -> Tensor:
        return _ops.inplace(self, _ops.fix)

    def frac_(self) -> Tensor:
        return _ops.inplace(self, _ops.frac)

    def logical_not_(self) -> Tensor:
        return _ops.inplace(self, _ops.logical_not)

    def logit_(self, eps=None) -> Tensor:
        return _ops.inplace(self, _ops.logit, eps)

    def round_(self, *, decimals=None) -> Tensor:
        return _ops.inplace(self, lambda t: _ops.round(t, decimals=decimals))

    def nan_to_num_(self, nan=0.0, posinf=None, neginf=None) -> Tensor:
        return _ops.inplace(self, _ops.nan_to_num, nan, posinf, neginf)

    def softmax(self, dim, dtype=None) -> Tensor:
        return _ops.softmax(self, dim, dtype=dtype)

    def log_softmax(self, dim, dtype=None) -> Tensor:
        return _ops.log_softmax(self, dim, dtype=dtype)

    # ---- reductions ---------------------------------------------------------------------------

    def sum(self, *args, **kwargs) -> Tensor:
        # (dim, keepdim, *, dtype): no dim at all and dim=None give different nodes in torch
        return _ops.sum(self, *args, **kwargs)

    def mean(self, *args, **kwargs) -> Tensor:
        return _ops.mean(self, *args, **kwargs)

    def sum_to_size(self, *size) -> Tensor:
        return _ops.sum_to_size(self, _dims(size))

    def nansum(self, dim=None, keepdim=False, *, dtype=None) -> Tensor:
        return _ops.nansum(self, dim, keepdim, dtype=dtype)

    def nanmean(self, dim=None, keepdim=False, *, dtype=None) -> Tensor:
        return _ops.nanmean(self, dim, keepdim, dtype=dtype)

    def prod(self, dim=None, keepdim=False, *, dtype=None) -> Tensor:
        return _ops.prod(self, dim, keepdim, dtype=dtype)

    def amax(self, dim=(), keepdim=False) -> Tensor:
        return _ops.amax(self, dim, keepdim)

    def amin(self, dim=(), keepdim=False) -> Tensor:
        return _ops.amin(self, dim, keepdim)

    def max(self, dim=None, keepdim=False, *, other=None):
        return _ops.max(self, dim, keepdim, other=other)

    def min(self, dim=None, keepdim=False, *, other=None):
        return _ops.min(self, dim, keepdim, other=other)

    def argmax(self, dim=None, keepdim=False) -> Tensor:
        return _ops.argmax(self, dim, keepdim)

    def argmin(self, dim=None, keepdim=False) -> Tensor:
        return _ops.argmin(self, dim, keepdim)

    def aminmax(self, *, dim=None, keepdim=False):
        return _ops.aminmax(self, dim=dim, keepdim=keepdim)

    def var(self, dim=None, unbiased=None, keepdim=False, *, correction=None) -> Tensor:
        return _ops.var(self, dim, unbiased, keepdim, correction=correction)

    def std(self, dim=None, unbiased=None, keepdim=False, *, correction=None) -> Tensor:
        return _ops.std(self, dim, unbiased, keepdim, correction=correction)

    def logsumexp(self, dim, keepdim=False) -> Tensor:
        return _ops.logsumexp(self, dim, keepdim)

    def norm(self, p="fro", dim=None, keepdim=False, dtype=None) -> Tensor:
        return _ops.norm(self, p, dim, keepdim, dtype=dtype)

    def all(self, dim=None, keepdim=False) -> Tensor:
        return _ops.all(self, dim, keepdim)

    def any(self, dim=None, keepdim=False) -> Tensor:
        return _ops.any(self, dim, keepdim)

    def count_nonzero(self, dim=None) -> Tensor:
        return _ops.count_nonzero(self, dim)

    def cumsum(self, dim, *, dtype=None) -> Tensor:
        return _ops.cumsum(self, dim, dtype=dtype)

    def cumprod(self, dim, *, dtype=None) -> Tensor:
        return _ops.cumprod(self, dim, dtype=dtype)

    def cummax(self, dim):
        return _ops.cummax(self, dim)

    def cummin(self, dim):
        return _ops.cummin(self, dim)

    def logcumsumexp(self, dim) -> Tensor:
        return _ops.logcumsumexp(self, dim)

    def diff(self, n=1, dim=-1, prepend=None, append=None) -> Tensor:
        return _ops.diff(self, n, dim, prepend, append)

    def median(self, dim=None, keepdim=False):
        return _ops.median(self, dim, keepdim)

    def nanmedian(self, dim=None, keepdim=False):
        return _ops.nanmedian(self, dim, keepdim)

    def sort(self, dim=-1, descending=False, *, stable=False):
        return _ops.sort(self, dim, descending, stable)

    def argsort(self, dim=-1, descending=False, *, stable=False) -> Tensor:
        return _ops.argsort(self, dim, descending, stable)

    def msort(self) -> Tensor:
        return _ops.msort(self)

    def topk(self, k, dim=-1, largest=True, sorted=True):
        return _ops.topk(self, k, dim, largest, sorted)

    def kthvalue(self, k, dim=-1, keepdim=False):
        return _ops.kthvalue(self, k, dim, keepdim)

    def unique(self, sorted=True, return_inverse=False, return_counts=False, dim=None):
        return _ops.unique(self, sorted, return_inverse, return_counts, dim)

    def cumsum_(self, dim, *, dtype=None) -> Tensor:
        return _ops.inplace(self, lambda x: _ops.cumsum(x, dim, dtype=dtype))

    def cumprod_(self, dim, *, dtype=None) -> Tensor:
        return _ops.inplace(self, lambda x: _ops.cumprod(x, dim, dtype=dtype))

    # ---- shape --------------------------------------------------------------------------------

    def reshape(self, *shape) -> Tensor:
        if not shape:
            raise TypeError('reshape() missing 1 required positional arguments: "shape"')
        return _ops.reshape(self, _dims(shape))

    def view(self, *shape) -> Tensor:
        if not shape:
            raise TypeError(
                "view() received an invalid combination of arguments - got (), but "
                "expected one of:\n * (torch.dtype dtype)\n * (tuple of ints size)\n"
            )
        if len(shape) == 1 and isinstance(shape[0], _dtype.dtype):
            raise NotImplementedError("view(dtype) is not supported")
        return _ops.view(self, _dims(shape))

    def view_as(self, other) -> Tensor:
        return _ops.view(self, tuple(other.shape))

    def reshape_as(self, other) -> Tensor:
        return _ops.reshape(self, tuple(other.shape))

    def expand(self, *sizes) -> Tensor:
        return _ops.expand(self, _dims(sizes))

    def expand_as(self, other) -> Tensor:
        return _ops.expand(self, tuple(other.shape))

    def squeeze(self, dim=None) -> Tensor:
        return _ops.squeeze(self, dim)

    def unsqueeze(self, dim) -> Tensor:
        return _ops.unsqueeze(self, dim)

    def flatten(self, start_dim=0, end_dim=-1) -> Tensor:
        return _ops.flatten(self, start_dim, end_dim)

    def transpose(self, dim0, dim1) -> Tensor:
        return _ops.transpose(self, dim0, dim1)

    def swapaxes(self, axis0, axis1) -> Tensor:
        return _ops.transpose(self, axis0, axis1)

    def t(self) -> Tensor:
        return _ops.t(self)

    def permute(self, *dims) -> Tensor:
        return _ops.permute(self, _dims(dims))

    @property
    def T(self) -> Tensor:  # noqa: N802 - torch's name
        return _ops.permute_T(self)

    @property
    def mT(self) -> Tensor:  # noqa: N802 - torch's name
        if self.ndim == 0:
            warnings.warn(
                "Tensor.mT is deprecated on 0-D tensors. This function is the identity in these "
                "cases.",
                UserWarning,
                stacklevel=2,
            )
            return self  # torch returns the tensor itself here, not a view
        if self.ndim < 2:
            raise RuntimeError(
                "tensor.mT is only supported on matrices or batches of matrices. Got "
                f"{self.ndim}-D tensor."
            )
        return _ops.transpose(self, -2, -1)

    @property
    def mH(self) -> Tensor:  # noqa: N802 - torch's name
        return _ops.matrix_mH(self)

    @property
    def H(self) -> Tensor:  # noqa: N802 - torch's name
        return _ops.matrix_H(self)

    def adjoint(self) -> Tensor:
        return _ops.adjoint(self)

    def swapdims(self, dim0, dim1) -> Tensor:
        return _ops.transpose(self, dim0, dim1)

    def movedim(self, source, destination) -> Tensor:
        return _ops.movedim(self, source, destination)

    moveaxis = movedim

    def unflatten(self, dim, sizes) -> Tensor:
        return _ops.unflatten(self, dim, sizes)

    def ravel(self) -> Tensor:
        return _ops.ravel(self)

    def broadcast_to(self, size) -> Tensor:
        return _ops.broadcast_to(self, size)

    def repeat(self, *sizes, repeats=None) -> Tensor:
        if not sizes and repeats is None:
            raise TypeError('repeat() missing 1 required positional arguments: "repeats"')
        return _ops.repeat(self, _dims(sizes if repeats is None else (repeats,), "repeat"))

    def tile(self, *dims) -> Tensor:
        if not dims:
            raise TypeError('tile() missing 1 required positional arguments: "dims"')
        return _ops.tile(self, _dims(dims, "tile"))

    def repeat_interleave(self, repeats=None, dim=None, *, output_size=None) -> Tensor:
        return _ops.repeat_interleave(self, repeats, dim, output_size=output_size)

    def flip(self, *dims) -> Tensor:
        if not dims:
            raise TypeError('flip() missing 1 required positional arguments: "dims"')
        return _ops.flip(self, _dims(dims, "flip"))

    def fliplr(self) -> Tensor:
        return _ops.fliplr(self)

    def flipud(self) -> Tensor:
        return _ops.flipud(self)

    def roll(self, shifts, dims=None) -> Tensor:
        return _ops.roll(self, shifts, dims)

    def rot90(self, k=1, dims=(0, 1)) -> Tensor:
        return _ops.rot90(self, k, dims)

    def split(self, split_size, dim=0) -> tuple[Tensor, ...]:
        return _ops.split(self, split_size, dim)

    def chunk(self, chunks, dim=0) -> tuple[Tensor, ...]:
        return _ops.chunk(self, chunks, dim)

    def tensor_split(self, indices_or_sections=None, dim=0, **kwargs) -> tuple[Tensor, ...]:
        return _ops.tensor_split(self, indices_or_sections, dim, **kwargs)

    def hsplit(self, indices_or_sections) -> tuple[Tensor, ...]:
        return _ops.hsplit(self, indices_or_sections)

    def vsplit(self, indices_or_sections) -> tuple[Tensor, ...]:
        return _ops.vsplit(self, indices_or_sections)

    def dsplit(self, indices_or_sections) -> tuple[Tensor, ...]:
        return _ops.dsplit(self, indices_or_sections)

    def narrow(self, dim, start, length) -> Tensor:
        return _ops.narrow(self, dim, start, length)

    def tril(self, diagonal=0) -> Tensor:
        return _ops.tril(self, diagonal)

    def triu(self, diagonal=0) -> Tensor:
        return _ops.triu(self, diagonal)

    def diag(self, diagonal=0) -> Tensor:
        return _ops.diag(self, diagonal)

    def diagonal(self, offset=0, dim1=0, dim2=1) -> Tensor:
        return _ops.diagonal(self, offset, dim1, dim2)

    def diag_embed(self, offset=0, dim1=-2, dim2=-1) -> Tensor:
        return _ops.diag_embed(self, offset, dim1, dim2)

    def diagflat(self, offset=0) -> Tensor:
        return _ops.diagflat(self, offset)

    def trace(self) -> Tensor:
        return _ops.trace(self)

    def new_tensor(self, data, *, dtype=None, device=None, requires_grad=False, layout=None,
                   pin_memory=False) -> Tensor:  # fmt: skip
        return _ops.new_tensor(self, data, dtype, device, requires_grad)

    def new_zeros(self, *args, size=None, dtype=None, device=None, requires_grad=False,
                  layout=None, pin_memory=False) -> Tensor:  # fmt: skip
        size = args if size is None else (size,)
        return _ops.new_zeros(self, size, dtype, device, requires_grad)

    def new_ones(self, *args, size=None, dtype=None, device=None, requires_grad=False,
                 layout=None, pin_memory=False) -> Tensor:  # fmt: skip
        size = args if size is None else (size,)
        return _ops.new_ones(self, size, dtype, device, requires_grad)

    def new_empty(self, *args, size=None, dtype=None, device=None, requires_grad=False,
                  layout=None, pin_memory=False) -> Tensor:  # fmt: skip
        size = args if size is None else (size,)
        return _ops.new_empty(self, size, dtype, device, requires_grad)

    def new_full(self, size, fill_value, *, dtype=None, device=None, requires_grad=False,
                 layout=None, pin_memory=False) -> Tensor:  # fmt: skip
        return _ops.new_full(self, size, fill_value, dtype, device, requires_grad)

    def squeeze_(self, dim=None) -> Tensor:
        return _ops.squeeze_(self, dim)

    def unsqueeze_(self, dim) -> Tensor:
        return _ops.unsqueeze_(self, dim)

    def t_(self) -> Tensor:
        return _ops.t_(self)

    def transpose_(self, dim0, dim1) -> Tensor:
        return _ops.transpose_(self, dim0, dim1)

    swapaxes_ = swapdims_ = transpose_

    def tril_(self, diagonal=0) -> Tensor:
        return _ops.inplace(self, _ops.tril, diagonal)

    def triu_(self, diagonal=0) -> Tensor:
        return _ops.inplace(self, _ops.triu, diagonal)

    def unbind(self, dim=0) -> tuple[Tensor, ...]:
        return _ops.unbind(self, dim)

    def __getitem__(self, index) -> Tensor:
        return _ops.getitem(self, index)

    # ---- indexing (_ops/index.py) --------------------------------------------------------------

    def __setitem__(self, index, value) -> None:
        _ops.setitem(self, index, value)

    def index_select(self, dim, index) -> Tensor:
        return _ops.index_select(self, dim, index)

    def gather(self, dim, index, *, sparse_grad=False) -> Tensor:
        return _ops.gather(self, dim, index, sparse_grad=sparse_grad)

    def take(self, index) -> Tensor:
        return _ops.take(self, index)

    def take_along_dim(self, indices, dim=None) -> Tensor:
        return _ops.take_along_dim(self, indices, dim)

    def masked_select(self, mask) -> Tensor:
        return _ops.masked_select(self, mask)

    def masked_fill(self, mask, value) -> Tensor:
        return _ops.masked_fill(self, mask, value)

    def masked_fill_(self, mask, value) -> Tensor:
        return _ops.masked_fill_(self, mask, value)

    def masked_scatter(self, mask, source) -> Tensor:
        return _ops.masked_scatter(self, mask, source)

    def masked_scatter_(self, mask, source) -> Tensor:
        return _ops.masked_scatter_(self, mask, source)

    def scatter(self, dim, index, src=None, *, value=None, reduce=None) -> Tensor:
        return _ops.scatter(self, dim, index, src, value=value, reduce=reduce)

    def scatter_(self, dim, index, src=None, *, value=None, reduce=None) -> Tensor:
        return _ops.scatter_(self, dim, index, src, value=value, reduce=reduce)

    def scatter_add(self, dim, index, src) -> Tensor:
        return _ops.scatter_add(self, dim, index, src)

    def scatter_add_(self, dim, index, src) -> Tensor:
        return _ops.scatter_add_(self, dim, index, src)

    def scatter_reduce(self, dim, index, src, reduce, *, include_self=True) -> Tensor:
        return _ops.scatter_reduce(self, dim, index, src, reduce, include_self=include_self)

    def scatter_reduce_(self, dim, index, src, reduce, *, include_self=True) -> Tensor:
        return _ops.scatter_reduce_(self, dim, index, src, reduce, include_self=include_self)

    def index_add(self, dim, index, source, *, alpha=1) -> Tensor:
        return _ops.index_add(self, dim, index, source, alpha=alpha)

    def index_add_(self, dim, index, source, *, alpha=1) -> Tensor:
        return _ops.index_add_(self, dim, index, source, alpha=alpha)

    def index_copy(self, dim, index, source) -> Tensor:
        return _ops.index_copy(self, dim, index, source)

    def index_copy_(self, dim, index, source) -> Tensor:
        return _ops.index_copy_(self, dim, index, source)

    def index_fill(self, dim, index, value) -> Tensor:
        return _ops.index_fill(self, dim, index, value)

    def index_fill_(self, dim, index, value) -> Tensor:
        return _ops.index_fill_(self, dim, index, value)

    def index_put(self, indices, values, accumulate=False) -> Tensor:
        return _ops.index_put(self, indices, values, accumulate)

    def index_put_(self, indices, values, accumulate=False) -> Tensor:
        return _ops.index_put_(self, indices, values, accumulate)

    def nonzero(self, *, as_tuple=False):
        return _ops.nonzero(self, as_tuple=as_tuple)

    def argwhere(self) -> Tensor:
        return _ops.argwhere(self)

    def matmul(self, other) -> Tensor:
        return _ops.matmul(self, other)

    def mm(self, mat2) -> Tensor:
        return _ops.mm_checked(self, mat2)

    def dot(self, other) -> Tensor:
        return _ops.dot_checked(self, other)

    # ---- linear algebra -----------------------------------------------------------------------

    def bmm(self, mat2) -> Tensor:
        return _ops.bmm(self, mat2)

    def mv(self, vec) -> Tensor:
        return _ops.mv_checked(self, vec)

    def vdot(self, other) -> Tensor:
        return _ops.vdot(self, other)

    def outer(self, vec2) -> Tensor:
        return _ops.outer(self, vec2)

    def ger(self, vec2) -> Tensor:
        return _ops.outer(self, vec2)

    def inner(self, other) -> Tensor:
        return _ops.inner(self, other)

    def kron(self, other) -> Tensor:
        return _ops.kron(self, other)

    def cross(self, other, dim=None) -> Tensor:
        return _ops.cross(self, other, dim)

    def addmm(self, mat1, mat2, *, beta=1, alpha=1) -> Tensor:
        return _ops.addmm(self, mat1, mat2, beta=beta, alpha=alpha)

    def addmv(self, mat, vec, *, beta=1, alpha=1) -> Tensor:
        return _ops.addmv(self, mat, vec, beta=beta, alpha=alpha)

    def addr(self, vec1, vec2, *, beta=1, alpha=1) -> Tensor:
        return _ops.addr(self, vec1, vec2, beta=beta, alpha=alpha)

    def addbmm(self, batch1, batch2, *, beta=1, alpha=1) -> Tensor:
        return _ops.addbmm(self, batch1, batch2, beta=beta, alpha=alpha)

    def baddbmm(self, batch1, batch2, *, beta=1, alpha=1) -> Tensor:
        return _ops.baddbmm(self, batch1, batch2, beta=beta, alpha=alpha)

    def det(self):
        return _ops.det(self)

    def logdet(self):
        return _ops.logdet(self)

    def slogdet(self):
        return _ops.slogdet_legacy(self)

    def inverse(self):
        return _ops.inverse(self)

    def cholesky(self, upper=False):
        return _ops.cholesky_legacy(self, upper)

    def qr(self, some=True):
        return _ops.qr_legacy(self, some)

    def svd(self, some=True, compute_uv=True):
        return _ops.svd_legacy(self, some, compute_uv)

    def pinverse(self, rcond=1e-15):
        return _ops.pinverse(self, rcond)

    def matrix_power(self, n):
        return _ops.matrix_power(self, n)

    def addmm_(self, mat1, mat2, *, beta=1, alpha=1) -> Tensor:
        return _ops.inplace(self, _with(_ops.addmm, beta=beta, alpha=alpha), mat1, mat2)

    def addmv_(self, mat, vec, *, beta=1, alpha=1) -> Tensor:
        return _ops.inplace(self, _with(_ops.addmv, beta=beta, alpha=alpha), mat, vec)

    def addr_(self, vec1, vec2, *, beta=1, alpha=1) -> Tensor:
        return _ops.inplace(self, _with(_ops.addr, beta=beta, alpha=alpha), vec1, vec2)

    def addbmm_(self, batch1, batch2, *, beta=1, alpha=1) -> Tensor:
        return _ops.inplace(self, _with(_ops.addbmm, beta=beta, alpha=alpha), batch1, batch2)

    def baddbmm_(self, batch1, batch2, *, beta=1, alpha=1) -> Tensor:
        return _ops.inplace(self, _with(_ops.baddbmm, beta=beta, alpha=alpha), batch1, batch2)

    # ---- in place -----------------------------------------------------------------------------

    def add_(self, other, *, alpha=1) -> Tensor:
        return _ops.inplace(self, _ops.add_alpha, other, alpha)

    def sub_(self, other, *, alpha=1) -> Tensor:
        return _ops.inplace(self, _ops.sub_alpha, other, alpha)

    def mul_(self, other) -> Tensor:
        return _ops.inplace(self, _ops.mul, other)

    def div_(self, other, *, rounding_mode=None) -> Tensor:
        return _ops.inplace(self, _ops.div_mode, other, rounding_mode)

    def zero_(self) -> Tensor:
        return _ops.inplace(self, _ops.zero)

    def fill_(self, value) -> Tensor:
        return _ops.inplace(self, _ops.fill, value)

    def uniform_(self, a=0.0, b=1.0, *, generator=None, **kwargs) -> Tensor:
        """Mirrors `torch.Tensor.uniform_(from=0, to=1)`."""
        from .random import _random_fill

        a, b = kwargs.pop("from", a), kwargs.pop("to", b)
        return _random_fill(self, "uniform", a, b, generator)

    def normal_(self, mean=0.0, std=1.0, *, generator=None) -> Tensor:
        """Mirrors `torch.Tensor.normal_`."""
        from .random import _random_fill

        return _random_fill(self, "normal", mean, std, generator)

    def copy_(self, src, non_blocking=False) -> Tensor:
        return _ops.inplace(self, _ops.copy, src)


def _with(op, **params):
    """`op` with keyword parameters bound, for in-place methods (`inplace` passes inputs only)."""
    return lambda *args: op(*args, **params)


_TYPE_NAMES = {f"torch.{d._title}Tensor": d for d in _dtype.ALL}


def _dtype_of_type_name(name: str) -> _dtype.dtype:
    if name == "torch.Tensor":
        return _dtype.get_default_dtype()  # torch's default tensor type
    if name.startswith("torch.cuda."):
        raise RuntimeError(f"{name}: mytorch runs on 'cpu' only")
    try:
        return _TYPE_NAMES[name]
    except KeyError:
        raise ValueError(f"invalid type: '{name}'") from None


_OPERANDS = (Tensor, int, float, _backend.ndarray, _backend.scalar_types)


def _rebuild(data, requires_grad):
    return Tensor._make(data, requires_grad)


from . import _ops  # noqa: E402  (after the class: _ops needs Tensor)


def _refuse_batched(tensor, what):
    # a value inside vmap stands for a whole batch: Python control flow can't take one branch
    from .func._vmap import refuse

    refuse(tensor, what)
