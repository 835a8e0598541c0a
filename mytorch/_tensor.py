"""class Tensor: an array plus autograd fields. Methods are thin calls into `_ops`.

`_ops` is imported at the bottom of this file, after the class body, to break the import cycle.
"""

from __future__ import annotations

import operator
import warnings

from . import _backend, _dtype
from .autograd import grad_mode
from .autograd.graph import AccumulateGrad, RemovableHandle

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


class Tensor:
    """A multi-dimensional array with autograd. Mirrors `torch.Tensor`."""

    __slots__ = ("_data", "_rg", "grad_fn", "_vc", "__weakref__", "__dict__")

    # set on few tensors (leaves, retained grads), so they default at class level: creating a
    # tensor is on every op's hot path
    _grad = None
    _accumulator = None
    _retains_grad = False

    __array_priority__ = 1000  # numpy defers mixed expressions (array * tensor) to Tensor

    def __init__(self, *args):
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
    def _make(cls, data, requires_grad=False, grad_fn=None, vc=None) -> Tensor:
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
    def grad(self):
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
    def device(self):
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
        if self._rg and not force:
            raise RuntimeError(
                "Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() "
                "instead."
            )
        return self._data

    def __array__(self, dtype=None, copy=None):
        if self._rg:
            raise RuntimeError(
                "Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() "
                "instead."
            )
        return self._data if dtype is None else self._data.astype(dtype, copy=False)

    def item(self):
        """Mirrors `torch.Tensor.item`."""
        if self._data.size != 1:
            raise RuntimeError(
                f"a Tensor with {self._data.size} elements cannot be converted to Scalar"
            )
        return self._data.reshape(()).item()

    def tolist(self):
        return self._data.tolist()

    def _scalar(self, kind: str):
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
        if self.dtype.is_floating_point or self._data.size != 1:
            raise TypeError("only integer tensors of a single element can be converted to an index")
        return int(self._data.reshape(()).item())

    def __bool__(self) -> bool:
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

    def __iter__(self):
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

    def __add__(self, other):
        return _ops.add(self, other)

    def __radd__(self, other):
        return _ops.add(self, other)

    def __sub__(self, other):
        return _ops.sub(self, other)

    def __rsub__(self, other):
        return _ops.rsub(self, other)

    def __mul__(self, other):
        return _ops.mul(self, other)

    def __rmul__(self, other):
        return _ops.mul(self, other)

    def __truediv__(self, other):
        return _ops.div(self, other)

    def __rtruediv__(self, other):
        return _ops.mul(_ops.reciprocal(self), other)

    def __floordiv__(self, other):
        return _ops.floor_divide(self, other)

    def __rfloordiv__(self, other):
        return _ops.floor_divide(other, self)

    def __mod__(self, other):
        return _ops.remainder(self, other)

    def __rmod__(self, other):
        return _ops.rremainder(self, other)

    def __pow__(self, exponent):
        return _ops.pow(self, exponent)

    def __rpow__(self, base):
        return _ops.pow(base, self)

    def __matmul__(self, other):
        return _ops.matmul(self, other)

    def __rmatmul__(self, other):
        return _ops.matmul(other, self)

    def __neg__(self):
        return _ops.neg(self)

    def __pos__(self):
        return self

    def __abs__(self):
        return _ops.abs(self)

    def __eq__(self, other):
        if not isinstance(other, _OPERANDS):
            return NotImplemented  # torch compares tensors with None or strings as unequal
        return _ops.eq(self, other)

    def __ne__(self, other):
        if not isinstance(other, _OPERANDS):
            return NotImplemented
        return _ops.ne(self, other)

    def __lt__(self, other):
        return _ops.lt(self, other)

    def __le__(self, other):
        return _ops.le(self, other)

    def __gt__(self, other):
        return _ops.gt(self, other)

    def __ge__(self, other):
        return _ops.ge(self, other)

    def __and__(self, other):
        return _ops.bitwise_and(self, other)

    __rand__ = __and__

    def __or__(self, other):
        return _ops.bitwise_or(self, other)

    __ror__ = __or__

    def __xor__(self, other):
        return _ops.bitwise_xor(self, other)

    __rxor__ = __xor__

    def __invert__(self):
        return _ops.bitwise_not(self)

    def __iadd__(self, other):
        return self.add_(other)

    def __isub__(self, other):
        return self.sub_(other)

    def __imul__(self, other):
        return self.mul_(other)

    def __itruediv__(self, other):
        return self.div_(other)

    def add(self, other, *, alpha=1):
        return _ops.add_alpha(self, other, alpha)

    def sub(self, other, *, alpha=1):
        return _ops.sub_alpha(self, other, alpha)

    def mul(self, other):
        return _ops.mul(self, other)

    def div(self, other, *, rounding_mode=None):
        return _ops.div_mode(self, other, rounding_mode)

    def true_divide(self, other):
        return _ops.div(self, other)

    def floor_divide(self, other):
        return _ops.floor_divide(self, other)

    def remainder(self, other):
        return _ops.remainder(self, other)

    def pow(self, exponent):
        return _ops.pow(self, exponent)

    def neg(self):
        return _ops.neg(self)

    def eq(self, other):
        return _ops.eq(self, other)

    def ne(self, other):
        return _ops.ne(self, other)

    def lt(self, other):
        return _ops.lt(self, other)

    def le(self, other):
        return _ops.le(self, other)

    def gt(self, other):
        return _ops.gt(self, other)

    def ge(self, other):
        return _ops.ge(self, other)

    def abs(self):
        return _ops.abs(self)

    def exp(self):
        return _ops.exp(self)

    def log(self):
        return _ops.log(self)

    def sqrt(self):
        return _ops.sqrt(self)

    def sin(self):
        return _ops.sin(self)

    def cos(self):
        return _ops.cos(self)

    def tanh(self):
        return _ops.tanh(self)

    def sigmoid(self):
        return _ops.sigmoid(self)

    def relu(self):
        return _ops.relu(self)

    def reciprocal(self):
        return _ops.reciprocal(self)

    def sign(self):
        return _ops.sign(self)

    # ---- reductions ---------------------------------------------------------------------------

    def sum(self, dim=None, keepdim=False, *, dtype=None):
        return _ops.sum(self, dim, keepdim, dtype=dtype)

    def mean(self, dim=None, keepdim=False, *, dtype=None):
        return _ops.mean(self, dim, keepdim, dtype=dtype)

    def sum_to_size(self, *size):
        return _ops.sum_to_size(self, _dims(size))

    # ---- shape --------------------------------------------------------------------------------

    def reshape(self, *shape):
        return _ops.reshape(self, _dims(shape))

    def view(self, *shape):
        if len(shape) == 1 and isinstance(shape[0], _dtype.dtype):
            raise NotImplementedError("view(dtype) is not supported")
        return _ops.view(self, _dims(shape))

    def view_as(self, other):
        return _ops.view(self, tuple(other.shape))

    def reshape_as(self, other):
        return _ops.reshape(self, tuple(other.shape))

    def expand(self, *sizes):
        return _ops.expand(self, _dims(sizes))

    def expand_as(self, other):
        return _ops.expand(self, tuple(other.shape))

    def squeeze(self, dim=None):
        return _ops.squeeze(self, dim)

    def unsqueeze(self, dim):
        return _ops.unsqueeze(self, dim)

    def flatten(self, start_dim=0, end_dim=-1):
        return _ops.flatten(self, start_dim, end_dim)

    def transpose(self, dim0, dim1):
        return _ops.transpose(self, dim0, dim1)

    def swapaxes(self, axis0, axis1):
        return _ops.transpose(self, axis0, axis1)

    def t(self):
        return _ops.t(self)

    def permute(self, *dims):
        return _ops.permute(self, _dims(dims))

    @property
    def T(self):  # noqa: N802 - torch's name
        return _ops.permute_T(self)

    @property
    def mT(self):  # noqa: N802 - torch's name
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

    def unbind(self, dim=0):
        return _ops.unbind(self, dim)

    def __getitem__(self, index):
        return _ops.getitem(self, index)

    def matmul(self, other):
        return _ops.matmul(self, other)

    def mm(self, mat2):
        return _ops.mm_checked(self, mat2)

    def dot(self, other):
        return _ops.dot_checked(self, other)

    # ---- in place -----------------------------------------------------------------------------

    def add_(self, other, *, alpha=1):
        return _ops.inplace(self, _ops.add_alpha, other, alpha)

    def sub_(self, other, *, alpha=1):
        return _ops.inplace(self, _ops.sub_alpha, other, alpha)

    def mul_(self, other):
        return _ops.inplace(self, _ops.mul, other)

    def div_(self, other, *, rounding_mode=None):
        return _ops.inplace(self, _ops.div_mode, other, rounding_mode)

    def zero_(self):
        return _ops.inplace(self, _ops.zero)

    def fill_(self, value):
        return _ops.inplace(self, _ops.fill, value)

    def copy_(self, src, non_blocking=False):
        return _ops.inplace(self, _ops.copy, src)


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
