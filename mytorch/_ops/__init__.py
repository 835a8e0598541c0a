"""The op registry: the `primitive` decorator, the table of ops, and lookup by name.

A primitive's forward takes arrays (positional inputs, already promoted to one dtype) and
keyword-only parameters; its backward takes `(ctx, grad)` and returns one gradient per
positional input, written in mytorch ops so that it can itself be differentiated.
"""

from __future__ import annotations

import builtins  # the op modules' star imports shadow any, max, sum, ... in this namespace
import warnings

from .. import _backend
from .._dtype import _FROM_NP, can_cast, get_default_dtype, result_type_of
from .._tensor import Tensor
from ..autograd import grad_mode
from ..autograd.graph import Node

REGISTRY: dict[str, Primitive] = {}

# torch computes inf and nan silently; numpy's floating-point warnings from forwards are dropped
# by module, which costs nothing unless a warning is raised
warnings.filterwarnings("ignore", category=RuntimeWarning, module=r"mytorch\._ops\.")

_state = grad_mode._state
_is_array = _backend.is_array
_array_types = _backend.array_types
_new_tensor = object.__new__
_asarray = _backend.asarray


def _cast(x, npdt):
    if type(x) is Tensor or isinstance(x, Tensor):
        data = x._data
        return data if data.dtype == npdt else data.astype(npdt)
    if not isinstance(x, _NUMBERS):
        raise TypeError(f"expected a Tensor or a number as an operand, got {type(x).__name__}")
    try:
        return npdt.type(x)
    except OverflowError:
        # torch wraps an out-of-range Python int into the tensor's integer type
        return _backend.asarray(x).astype(npdt)[()]


_NUMBERS = (int, float, _backend.scalar_types)


def _not_differentiable(ctx, grad):
    raise RuntimeError(f"the derivative for '{ctx._op}' is not implemented.")


class Primitive:
    """A callable op with its own graph node class `<Name>Backward<overload>`."""

    def __init__(self, forward, name, overload, promote, differentiable, node_name, view, shown):
        self.forward = forward
        self.view = view
        self.name = name
        self.promote = promote
        self.differentiable = differentiable
        cls_name = (
            node_name or f"{''.join(w.capitalize() for w in name.split('_'))}Backward{overload}"
        )
        attrs = {"_rule": _not_differentiable, "_op": name, "_shown": shown}
        self.node_class = type(cls_name, (Node,), attrs)
        self.__name__ = name
        self.__doc__ = forward.__doc__

    def backward(self, rule):
        """Decorator: register the derivative rule `rule(ctx, grad) -> grads`."""
        self.node_class._rule = rule
        return rule

    def __call__(self, *inputs, **params):
        # the hot path of every op: keep it to dtype resolution, one forward call, one node
        promote = self.promote
        if len(inputs) == 1:
            x = inputs[0]
            if not isinstance(x, Tensor):
                raise TypeError(
                    f"{self.name}(): argument 'input' (position 1) must be Tensor, not "
                    f"{type(x).__name__}"
                )
            arrays = (x._data,)
            if promote == "float" and arrays[0].dtype.kind != "f":
                arrays = (arrays[0].astype(get_default_dtype()._np),)
        elif promote and len(inputs) == 2:
            arrays = _promote_pair(inputs[0], inputs[1], promote)
        elif promote:
            npdt = _common_dtype(inputs, promote)
            arrays = [_cast(x, npdt) for x in inputs]
        else:
            arrays = [x._data if isinstance(x, Tensor) else x for x in inputs]
        try:
            out = self.forward(*arrays, **params)
        except ValueError as e:
            raise _broadcast_error(e, arrays) from None
        if out.__class__ not in _array_types:
            out = _asarray(out)  # numpy answers 0-d arithmetic with a scalar
        vc = inputs[0]._vc if self.view and out.base is not None else None
        result = None
        # cheapest test first: most calls (rules, inference) record nothing
        for x in inputs:
            if isinstance(x, Tensor) and x._rg:
                if _state.enabled and self.differentiable and out.dtype.kind == "f":
                    result = self._record(inputs, out, params, vc)
                break
        if result is None:
            result = _new_tensor(Tensor)
            result._data, result._rg, result.grad_fn = out, False, None
            result._vc = [0] if vc is None else vc
        if vc is not None:
            result.__dict__["_view_op"] = self.name
        if _transforms:
            for handler in _transforms:
                handler(self, inputs, params, result)
        return result

    def _record(self, inputs, out, params, vc):
        edges, meta, versions, needs = [], [], [], []
        for x in inputs:
            if isinstance(x, Tensor):
                node = x._edge_node() if x._rg else None
                edges.append((node, 0))
                needs.append(node is not None)
                data = x._data
                meta.append((data.shape, _FROM_NP[data.dtype]))
                versions.append(x._vc[0])
            else:
                edges.append(_NO_EDGE)
                needs.append(False)
                meta.append(None)
                versions.append(None)
        result = Tensor._make(out, True, None, vc)
        result.grad_fn = self.node_class(
            inputs, tuple(edges), tuple(meta), tuple(needs), out, result._vc, tuple(versions),
            params,
        )  # fmt: skip
        return result


_NO_EDGE = (None, 0)

# handlers run after every op while forward-mode AD or vmap is active: (prim, inputs, params, out)
_transforms: list = []
# what those handlers keep on a tensor; an in-place op carries it over to the written tensor
_TRANSFORM_FIELDS = ("_fw", "_batched")


def _promote_pair(a, b, promote):
    """Two inputs as arrays of their common dtype, with fast paths for the usual cases."""
    if isinstance(a, Tensor):
        da = a._data
        if isinstance(b, Tensor):
            db = b._data
            if da.dtype == db.dtype and (promote != "float" or da.dtype.kind == "f"):
                return da, db
        elif type(b) is float or type(b) is int:
            dt = da.dtype
            if dt.kind == "f":
                return da, dt.type(b)  # a weak Python number never changes a float dtype
    npdt = _common_dtype((a, b), promote)
    return _cast(a, npdt), _cast(b, npdt)


def _common_dtype(inputs, promote):
    """The numpy dtype all inputs are cast to: torch's rules (`result_type_of`), with a fast
    path for one input."""
    if len(inputs) == 1:
        npdt = inputs[0]._data.dtype
        if promote == "float" and npdt.kind != "f":
            return get_default_dtype()._np
        return npdt
    dt = result_type_of(inputs)
    if promote == "float" and not dt.is_floating_point:
        dt = get_default_dtype()
    return dt._np


def primitive(
    name: str,
    overload: int = 0,
    *,
    promote: str | None = None,
    differentiable: bool = True,
    node_name: str | None = None,
    view: bool = False,
    shown: tuple | None = None,
):
    """Register an op. `promote`: None (inputs as given), "binary" (torch's common dtype) or
    "float" (common dtype, integers to the default float). `node_name` overrides the
    `<Name>Backward<k>` class name where torch's differs. `view`: the output may share memory
    with the first input, and then shares its version counter. `shown`: the inputs torch lists
    in `next_functions` where it leaves some out (numbers it takes as plain arguments)."""

    def wrap(forward):
        p = Primitive(forward, name, overload, promote, differentiable, node_name, view, shown)
        key = f"{name}.{overload}"
        assert key not in REGISTRY, key
        REGISTRY[key] = p
        return p

    return wrap


def _broadcast_error(error, arrays):
    """numpy's broadcasting ValueError, worded and classed as torch's."""
    if "broadcast" not in str(error) or len(arrays) < 2:
        return error
    a, b = (getattr(x, "shape", ()) for x in arrays[:2])
    n = builtins.max(len(a), len(b))
    a, b = (1,) * (n - len(a)) + tuple(a), (1,) * (n - len(b)) + tuple(b)
    for i in range(n - 1, -1, -1):
        if a[i] != b[i] and 1 not in (a[i], b[i]):
            return RuntimeError(
                f"The size of tensor a ({a[i]}) must match the size of tensor b ({b[i]}) at "
                f"non-singleton dimension {i}"
            )
    return RuntimeError(str(error))


def inplace(self, op, *args):
    """Run `op(self, *args)` and write the result into `self`, as torch's `x.op_(...)` does.

    When the op is recorded, its node sees a snapshot of `self`, so the new node stays correct
    while nodes that saved `self` earlier see the version bump and refuse to run.
    """
    if not self._data.flags.writeable:
        raise RuntimeError(
            "unsupported operation: more than one element of the written-to tensor refers to a "
            "single memory location. Please clone() the tensor before performing the operation."
        )
    if _transforms and ("_view_of" in self.__dict__ or "_view_op" in self.__dict__):
        _refuse_dual_view_write(self, args)
    if _state.enabled and self.__dict__.get("_view_of") is not None:
        from .index import inplace_on_view  # a view made by indexing: its base's history changes

        return inplace_on_view(self, op, *args)
    view_op = self.__dict__.get("_view_op")
    if (
        view_op is not None
        and self.__dict__.get("_view_of") is None
        and _state.enabled
        and (self._rg or builtins.any(isinstance(a, Tensor) and a._rg for a in args))
    ):
        # recording would leave the base's history stale and its gradient silently wrong
        raise NotImplementedError(
            f"in-place operation on a view made by {view_op}() while "
            "recording gradients is not supported yet (views made by indexing are); write to "
            "the base tensor, or use an out-of-place op"
        )
    recording = _state.enabled and (
        self._rg or builtins.any(isinstance(a, Tensor) and a._rg for a in args)
    )
    if recording and self._rg and self.grad_fn is None:
        raise RuntimeError(
            "a leaf Variable that requires grad is being used in an in-place operation."
        )
    if not recording and not _transforms and _write_with_ufunc(self, op, args):
        self._vc[0] += 1
        return self
    source = Tensor._make(self._data.copy(), self._rg, self.grad_fn) if recording else self
    if _transforms and recording:
        _carry(self, source)
    out = op(source, *args)
    if out.dtype is not self.dtype:
        if not can_cast(out.dtype, self.dtype):
            raise RuntimeError(
                f"result type {out.dtype._title} can't be cast to the desired output type "
                f"{self.dtype._title}"
            )
        out = out.to(self.dtype)
    if out._data.shape != self._data.shape:
        raise RuntimeError(
            f"output with shape {list(self._data.shape)} doesn't match the broadcast shape "
            f"{list(out._data.shape)}"
        )
    self._data[...] = out._data
    self._vc[0] += 1
    if _transforms:
        _carry(out, self)
        if self.__dict__.get("_views"):
            from .index import refresh_view_tangents

            refresh_view_tangents(self)
    if out._rg:
        self.grad_fn = out.grad_fn
        self._rg = True
        if self.__dict__.get("_views"):
            from .index import refresh_views  # views made by indexing see the new history

            refresh_views(self)
    return self


_UFUNCS: dict = {}  # in-place ops numpy can do in place: {op: (ufunc name, default extra args)}


def _write_with_ufunc(self, op, args) -> bool:
    """Compute `self.op_(other)` straight into self's array when a numpy ufunc gives the same
    result, so `w -= lr * w.grad` under no_grad needs no temporary and no copy; False when the
    general path must run (other dtypes, alpha, broadcasting that grows self, ...)."""
    if not _UFUNCS:
        from . import pointwise as p

        _UFUNCS.update({p.add_alpha: ("add", (1,)), p.sub_alpha: ("subtract", (1,)),
                        p.mul: ("multiply", ()), p.div_mode: ("true_divide", (None,))})  # fmt: skip
    entry = _UFUNCS.get(op)
    data = self._data
    if entry is None or data.dtype.kind != "f" or not data.ndim:
        return False
    name, extra = entry
    other, rest = args[0], args[1:]
    if rest != extra:
        return False  # alpha other than 1, or a rounding mode
    if isinstance(other, Tensor):
        other = other._data
        if other.dtype != data.dtype:
            return False
    elif type(other) is not float and type(other) is not int:
        return False
    try:
        getattr(_backend.xp(data), name)(data, other, out=data)
    except ValueError:  # other broadcasts to a larger shape: the general path says so as torch
        return False
    return True


def _refuse_dual_view_write(view, args) -> None:
    if "_fw" in view.__dict__ or builtins.any(
        isinstance(a, Tensor) and "_fw" in a.__dict__ for a in args
    ):
        raise NotImplementedError(
            "forward-mode AD through an in-place write to a view is not supported yet: the "
            "base's tangent would not see it; write to the base tensor, or use out-of-place ops"
        )


def _carry(src, dst) -> None:
    # an op that gives no tangent (not differentiable) leaves the old one, as torch does
    for field in _TRANSFORM_FIELDS:
        value = src.__dict__.get(field)
        if value is not None:
            dst.__dict__[field] = value


# each op module's __all__ lists what Tensor's methods and the package namespace use
from .conv import *  # noqa: E402, F403
from .index import *  # noqa: E402, F403
from .linalg import *  # noqa: E402, F403
from .nn import *  # noqa: E402, F403
from .pointwise import *  # noqa: E402, F403
from .reduce import *  # noqa: E402, F403
from .scan import *  # noqa: E402, F403
from .shape import *  # noqa: E402, F403
from .sort import *  # noqa: E402, F403
from .unary import *  # noqa: E402, F403
