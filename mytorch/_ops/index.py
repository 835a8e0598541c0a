"""Indexing: `__getitem__` and `__setitem__` with torch's index rules, the gather/scatter,
index_* and masked_* families, take, nonzero and searchsorted.

Also in-place writes through the views `__getitem__` makes: the base's history gets a
CopySlices node, as torch rebases it. Views made by other ops (transpose, reshape, ...) are not
tracked here.
"""

from __future__ import annotations

import operator
import warnings
import weakref
from types import EllipsisType
from typing import NamedTuple

from .. import _backend
from ..autograd import grad_mode
from . import _transforms, inplace, primitive
from .pointwise import copy
from .shape import expand, wrap_dim

xp = _backend.xp
_state = grad_mode._state

__all__ = [
    "argwhere",
    "bucketize",
    "gather",
    "getitem",
    "index_add",
    "index_add_",
    "index_copy",
    "index_copy_",
    "index_fill",
    "index_fill_",
    "index_put",
    "index_put_",
    "index_select",
    "masked_fill",
    "masked_fill_",
    "masked_scatter",
    "masked_scatter_",
    "masked_select",
    "nonzero",
    "scatter",
    "scatter_",
    "scatter_add",
    "scatter_add_",
    "scatter_reduce",
    "scatter_reduce_",
    "searchsorted",
    "setitem",
    "take",
    "take_along_dim",
    "unbind",
]


def _zeros(shape, dtype):
    from .._creation import zeros

    return zeros(shape, dtype=dtype)


def _no_out(out, fn: str) -> None:
    if out is not None:
        raise NotImplementedError(f"{fn}(): the out= argument is not supported")


# ---- parsing an index ---------------------------------------------------------------------------


class _Index(NamedTuple):
    """A parsed index. `basic`: numpy basic indices (ints, slices, None, a closing Ellipsis so a
    full selection stays a 0-d view), applied in turn: one for `x[...]`, more for a view of a
    view. `adv`: the advanced part over the dims of that result (int arrays and full slices)."""

    basic: tuple
    adv: tuple | None = None


def _apply(a, index: _Index):
    for b in index.basic:
        a = a[b]
    return a if index.adv is None else a[index.adv]


_NOT_AN_INDEX = (
    "only integers, slices (`:`), ellipsis (`...`), None and long or byte Variables are valid "
    "indices (got {})"
)
_BAD_INDEX_TENSOR = "tensors used as indices must be long, int, byte or bool tensors"
_ZERO_DIM_INT = (
    "invalid index of a 0-dim tensor. Use `tensor.item()` in Python or `tensor.item<T>()` in C++ "
    "to convert a 0-dim tensor to a number"
)
_SEQUENCE_AS_TUPLE = (
    "Using a non-tuple sequence for multidimensional indexing is deprecated and will be changed in "
    "pytorch 2.9; use x[tuple(seq)] instead of x[seq]. In pytorch 2.9 this will be interpreted as "
    "tensor index, x[torch.tensor(seq)], which will result either in an error or a different result"
)


def _items(index) -> tuple:
    if isinstance(index, tuple):
        return index
    # NOTE: torch (like numpy before 1.23) reads a short list holding sequences, slices, None or
    # Ellipsis as a tuple of indices: x[[[0, 1], [1, 2]]] is x[[0, 1], [1, 2]]
    if isinstance(index, list) and len(index) < 32:
        from .._tensor import Tensor

        for i in index:
            if (
                isinstance(i, (Tensor, list, tuple, slice))
                or i is None
                or i is Ellipsis
                or _backend.is_array(i)
            ):
                warnings.warn(_SEQUENCE_AS_TUPLE, UserWarning, stacklevel=4)
                return tuple(index)
    return (index,)


def _item(i):
    """One index item as torch reads it: None, Ellipsis, a slice, a Python int or bool, or an
    int or bool array (at least 1-d)."""
    if i is None or i is Ellipsis or isinstance(i, (slice, bool)):
        return i
    from .._tensor import Tensor

    if isinstance(i, Tensor):
        a = i._data
    elif isinstance(i, list):
        a = _backend.asarray(i)
        # torch builds a long tensor from a list unless it holds only bools
        if a.dtype.kind != "b":
            a = a.astype("int64")
    elif _backend.is_array(i):
        a = i
    elif isinstance(i, _backend.scalar_types) and i.dtype.kind == "b":
        return bool(i)
    elif isinstance(i, str):
        raise TypeError(f"new(): invalid data type '{type(i).__name__}'")
    else:
        try:
            return operator.index(i)
        except TypeError:
            raise IndexError(_NOT_AN_INDEX.format(type(i).__name__)) from None
    kind, name = a.dtype.kind, a.dtype.name
    if kind not in "biu" or (a.ndim and name in ("int8", "int16", "uint16", "uint32", "uint64")):
        raise IndexError(_BAD_INDEX_TENSOR)
    if name == "uint8":
        warnings.warn(
            "indexing with dtype torch.uint8 is now deprecated, please use a dtype torch.bool "
            "instead.",
            UserWarning,
            stacklevel=4,
        )
        a = a.astype(bool)
    if a.ndim == 0:
        return bool(a) if a.dtype.kind == "b" else int(a)
    return a


def _specified(i) -> int:
    """How many of the tensor's dims an index item uses up."""
    if i is None or i is Ellipsis or isinstance(i, bool):
        return 0
    if isinstance(i, (int, slice)):
        return 1
    return i.ndim if i.dtype.kind == "b" else 1


def _check_int(i: int, size: int, pos: int) -> int:
    if not -size <= i < size:
        raise IndexError(f"index {i} is out of bounds for dimension {pos} with size {size}")
    return i % size


def _check_ints(a, size: int, n: int):
    bad = (a < -size) | (a >= size)
    if bad.any():
        raise IndexError(f"index {a[bad][0]} is out of bounds for dimension {n} with size {size}")
    return a


def _adv_tuple(at: dict, shape, bounds) -> tuple:
    """The advanced part over a tensor of `shape`: broadcast check, then the bounds checks
    `bounds` ((array, size, n) each), which torch skips when the result is empty."""
    shapes = [a.shape for a in at.values()]
    try:
        common = xp(None).broadcast_shapes(*shapes)
    except ValueError:
        raise IndexError(
            "shape mismatch: indexing tensors could not be broadcast together with shapes "
            + ", ".join(str(list(s)) for s in shapes)
        ) from None
    if 0 in common or any(s == 0 for d, s in enumerate(shape) if d not in at):
        # nothing is read: any index value will do
        at = {d: xp(a).zeros(a.shape, dtype="int64") for d, a in at.items()}
    else:
        for args in bounds:
            _check_ints(*args)
    return tuple(at.get(d, slice(None)) for d in range(max(at) + 1))


class _Parsed(NamedTuple):
    idx: _Index  # not `index`, which would shadow tuple.index
    kind: str  # the node torch records last: select, slice, unsqueeze, alias or index
    view_kind: str  # the last view op before any advanced indexing
    viewed: bool  # whether any view op runs (full slices are skipped inside a tuple)
    lone_mask: bool  # whether the index is one bool mask


def _parse(shape: tuple, index, setting: bool = False) -> _Parsed:
    """The index as torch reads it.

    torch applies ints, slices and None one after another as views (an int is a select, never
    an advanced index, so x[1, ..., [0, 1]] keeps the advanced dim in place), skipping full
    slices inside a tuple, and then indexes with all tensors at once, placing their dims as numpy
    does.
    """
    if type(index) is int and shape:  # the common x[i], quickly
        return _Parsed(
            _Index(((_check_int(index, shape[0], 0), Ellipsis),)), "select", "select", True, False
        )
    items = [_item(i) for i in _items(index)]
    ndim = len(shape)
    if ndim == 0:
        for i in items:
            if type(i) is int:
                raise IndexError(_ZERO_DIM_INT)
            if isinstance(i, slice):
                raise IndexError("slice() cannot be applied to a 0-dim tensor.")
    specified = sum(_specified(i) for i in items)
    if specified > ndim:
        raise IndexError(f"too many indices for tensor of dimension {ndim}")
    basic: list[int | slice | EllipsisType | None] = []
    out_shape, adv, masks, bounds = [], {}, [], []
    real, n_adv, kind, viewed, seen_ellipsis = 0, 0, "alias", False, False
    lone_slice = isinstance(index, slice) and not setting  # x[:] records a slice, x[:] = v not
    for pos, i in enumerate(items):
        if i is None:
            basic.append(None)
            out_shape.append(1)
            kind, viewed = "unsqueeze", True
        elif i is Ellipsis:
            if not seen_ellipsis:  # torch expands the first Ellipsis; later ones cover no dims
                k = ndim - specified
                basic.extend([slice(None)] * k)
                out_shape.extend(shape[real : real + k])
                real += k
                seen_ellipsis = True
        elif isinstance(i, bool):
            # a bool adds a dim of size 1, indexed by a one-element mask
            basic.append(None)
            adv[len(out_shape)] = xp(None).arange(1 if i else 0)
            out_shape.append(1)
            n_adv += 1
            kind, viewed = "unsqueeze", True
        elif isinstance(i, int):
            basic.append(_check_int(i, shape[real], pos))
            real += 1
            kind, viewed = "select", True
        elif isinstance(i, slice):
            size = shape[real]
            step = 1 if i.step is None else operator.index(i.step)
            if step == 0:
                raise ValueError("slice step cannot be zero")
            if step < 0:
                raise ValueError("step must be greater than zero")
            # NOTE: torch skips a slice only when it is written as full: x[:, -4:] on 4 columns
            # still records SliceBackward0
            start, stop = (None if b is None else operator.index(b) for b in (i.start, i.stop))
            full = start in (None, 0) and step == 1 and (stop is None or stop >= size)
            n = len(range(*i.indices(size)))
            if lone_slice or not full:
                kind, viewed = "slice", True
            basic.append(i)
            out_shape.append(n)
            real += 1
        elif i.dtype.kind == "b":
            masks.append((i, len(out_shape), real))
            for k, a in enumerate(xp(i).nonzero(i)):
                adv[len(out_shape) + k] = a
            basic.extend([slice(None)] * i.ndim)  # the mask's dims, indexed after the views
            out_shape.extend(shape[real : real + i.ndim])
            real += i.ndim
            n_adv += i.ndim
        else:
            adv[len(out_shape)] = i
            bounds.append((i, shape[real], n_adv))
            basic.append(slice(None))
            out_shape.append(shape[real])
            real += 1
            n_adv += 1
    out_shape.extend(shape[real:])
    for mask, at, start in masks:
        for k, s in enumerate(mask.shape):
            if s != shape[start + k]:
                raise IndexError(
                    f"The shape of the mask {list(mask.shape)} at index {k} does not match the "
                    f"shape of the indexed tensor {out_shape} at index {at + k}"
                )
    basic.append(Ellipsis)
    view_kind = kind
    if adv:
        kind = "index"  # the tensors index last, whatever came after them
    idx = _Index((tuple(basic),), _adv_tuple(adv, out_shape, bounds) if adv else None)
    return _Parsed(idx, kind, view_kind, viewed, len(items) == 1 and len(masks) == 1)


# ---- __getitem__ ---------------------------------------------------------------------------------


@primitive("index_put_zeros")
def _index_backward(grad, *, shape, index):
    out = xp(grad).zeros(shape, dtype=grad.dtype)
    region = out
    for b in index.basic:
        region = region[b]
    if index.adv is None:
        region[...] = grad
    else:
        xp(grad).add.at(region, index.adv, grad)  # repeated indices accumulate, as in torch
    return out


@_index_backward.backward
def _(ctx, grad):
    return _getitems["index" if ctx.index.adv is not None else "alias"](grad, index=ctx.index)


def _getitem_primitive(kind, node_name, view=True):
    p = primitive("getitem_" + kind, view=view, node_name=node_name)(
        lambda x, *, index: _apply(x, index)
    )
    p.backward(lambda ctx, grad: _index_backward(grad, shape=ctx.shapes[0], index=ctx.index))
    return p


_getitems = {
    kind: _getitem_primitive(kind, f"{kind.capitalize()}Backward0", kind != "index")
    for kind in ("index", "alias", "unsqueeze", "select", "slice", "unbind")
}
# a view's history rebuilt from its base after an in-place change, named as torch names it
_view_replay = _getitem_primitive("as_strided", "AsStridedBackward0")


def getitem(x, index):
    """Mirrors `torch.Tensor.__getitem__`."""
    p = _parse(x._data.shape, index)
    out = _getitems[p.kind](x, index=p.idx)
    if p.kind != "index":
        _mark_view(out, x, p.idx.basic[0], p.kind)
    return out


def unbind(x, dim=0):
    """Mirrors `torch.unbind`.

    torch records one multi-output UnbindBackward0 node; here each output gets its own
    select-like node of that name, since the engine keeps one output per node.
    """
    dim = wrap_dim(dim, x.ndim)
    lead = (slice(None),) * dim
    select = _getitems["unbind"]
    outs = []
    for i in range(x._data.shape[dim]):
        basic = lead + (i, Ellipsis)
        out = select(x, index=_Index((basic,)))
        _mark_view(out, x, basic, "unbind", i)
        outs.append(out)
    return tuple(outs)


# ---- views of views, and in-place changes through them ------------------------------------------


class _View(NamedTuple):
    """What a view made by indexing remembers: its base (never itself such a view), the basic
    indices from the base, whether grad mode was on, and, for an output of unbind or a view of
    one, (output number, op name) for torch's error."""

    root: object
    chain: tuple
    made_with_grad: bool
    multi: tuple | None


def _mark_view(out, x, basic, kind, output=0):
    parent = x.__dict__.get("_view_of")
    multi = None
    if kind == "unbind":
        multi = (output, "Unbind")
    elif parent is not None and parent.multi is not None:
        multi = (0, kind.capitalize())
    if parent is None:
        rec = _View(x, (basic,), _state.enabled, multi)
    else:
        rec = _View(parent.root, parent.chain + (basic,), _state.enabled, multi)
    out.__dict__["_view_of"] = rec
    root = rec.root
    if _state.enabled and root._rg:
        # the views whose history must be rebuilt when the base changes in place
        views = root.__dict__.setdefault("_views", {})
        views[id(out)] = weakref.ref(out)
        if len(views) > root.__dict__.get("_views_limit", 64):
            for key in [k for k, r in views.items() if r() is None]:
                del views[key]
            root.__dict__["_views_limit"] = 2 * len(views) + 64


_VIEW_OF_LEAF = (
    "a view of a leaf Variable that requires grad is being used in an in-place operation."
)
_NO_GRAD_VIEW_START = (
    "A view was created in no_grad mode and is being modified inplace with grad mode enabled."
)
_NO_GRAD_VIEW = (
    f"{_NO_GRAD_VIEW_START} Given that this use case is ambiguous and error-prone, it is "
    "forbidden. You can clarify your code by moving both the view and the inplace either both "
    "inside the no_grad block (if you don't want the inplace to be tracked) or both outside (if "
    "you want the inplace to be tracked)."
)
_MULTI_OUTPUT = (
    "This view is the output of a function that returns multiple views. Such functions do not "
    "allow the output views to be modified inplace. You should replace the inplace operation by "
    "an out-of-place one."
)
_MULTI_OUTPUT_VIEW = "Output {} of {} is a view and is being modified inplace. " + _MULTI_OUTPUT


def inplace_on_view(view, op, *args):
    """`inplace` for a view made by indexing, with grad mode on (`_ops.inplace` hands over).

    The new values are computed from the view's history, then written into the base through a
    CopySlices node, and every tracked view of the base gets its history rebuilt from the new
    base (AsStridedBackward0), as torch does.
    """
    from .._tensor import Tensor

    rec = view._view_of
    root = rec.root
    if not (view._rg or root._rg or any(isinstance(a, Tensor) and a._rg for a in args)):
        with grad_mode.no_grad():  # nothing to record: a plain write through the shared array
            return inplace(view, op, *args)
    if rec.multi is not None:
        if view._rg:
            raise RuntimeError(_MULTI_OUTPUT_VIEW.format(*rec.multi))
        # NOTE: torch's wording when only the new values require grad
        raise RuntimeError(f"{_NO_GRAD_VIEW_START} {_MULTI_OUTPUT}")
    if not rec.made_with_grad:
        raise RuntimeError(_NO_GRAD_VIEW)
    if root._rg and root.grad_fn is None:
        raise RuntimeError(_VIEW_OF_LEAF)
    _check_plain_base(root)
    index = _Index(rec.chain)
    current = _view_replay(root, index=index) if root._rg else view
    new = Tensor._make(view._data.copy(), current._rg, current.grad_fn)
    inplace(new, op, *args)  # checks dtype and shape, and raises, before anything is written
    inplace(root, lambda base, value: _copy_slices(base, value, index=index, accumulate=False), new)
    _refresh(view)
    return view


def _check_plain_base(root):
    from .._tensor import Tensor

    node = root.grad_fn
    inputs = getattr(node, "_inputs", None)
    if inputs and isinstance(inputs[0], Tensor) and inputs[0]._vc is root._vc:
        raise NotImplementedError(
            f"in-place change of an indexed view of a view made by {node.name()} while autograd "
            "records it: mytorch rebases only views made by indexing; index the base directly "
            "or use an out-of-place op"
        )


def refresh_views(root):
    """Rebuild the history of the live views of `root` after `root` changed in place."""
    views = root.__dict__.get("_views")
    for key, ref in list(views.items()):
        v = ref()
        if v is None:
            del views[key]
        elif v._view_of.root is root:
            _refresh(v)


def refresh_view_tangents(root):
    """Under forward-mode AD, the live views of `root` take their tangents from its new one."""
    from ..autograd.forward_ad import _set_tangent

    tangent = root.__dict__.get("_fw")
    for ref in list(root.__dict__["_views"].values()) if tangent is not None else ():
        v = ref()
        if v is not None and v._view_of.root is root and v._view_of.multi is None:
            _set_tangent(v, _view_replay(tangent, index=_Index(v._view_of.chain)))


def _refresh(view):
    rec = view._view_of
    if rec.multi is None and rec.root._rg:
        fresh = _view_replay(rec.root, index=_Index(rec.chain))
        view.grad_fn, view._rg = fresh.grad_fn, True


# ---- __setitem__ and index_put ------------------------------------------------------------------


def _put(x, value, *, index, accumulate=False):
    out = x.copy()
    region = out
    for b in index.basic:
        region = region[b]
    if index.adv is None:
        region[...] = value
    elif accumulate:
        xp(x).add.at(region, index.adv, value)
    else:
        region[index.adv] = value
    return out


def _put_backward(ctx, grad):
    gx = gv = None
    if ctx.needs_input_grad[0]:
        gx = grad if ctx.accumulate else _copy_slices(grad, 0.0, index=ctx.index, accumulate=False)
    if ctx.needs_input_grad[1]:
        gv = _getitems["index" if ctx.index.adv is not None else "alias"](grad, index=ctx.index)
    return gx, gv


_index_put = primitive("index_put")(_put)
_index_put.backward(_put_backward)
_copy_slices = primitive("copy_slices", node_name="CopySlices")(_put)
_copy_slices.backward(_put_backward)


@primitive("fill", 3)
def _fill_tensor(x, value):
    return xp(x).full_like(x, value)


@_fill_tensor.backward
def _(ctx, grad):
    from .._creation import zeros_like

    return zeros_like(grad), (grad.sum() if ctx.needs_input_grad[1] else None)


_C_NAMES = {
    "float32": "float",
    "float64": "double",
    "float16": "c10::Half",
    "bfloat16": "c10::BFloat16",
    "int64": "int64_t",
    "int32": "int",
    "int16": "int16_t",
    "int8": "int8_t",
    "uint8": "uint8_t",
}


def _check_scalar(value, dtype):
    """A Python number written into a tensor: torch's overflow errors."""
    if isinstance(value, int) and not -(2**63) <= value < 2**63:
        raise ValueError("Overflow when unpacking long long")
    name = dtype._name
    if isinstance(value, bool) or name == "bool":
        return
    if isinstance(value, complex):
        if value.imag != 0:
            # torch converts a complex number into a half tensor through double
            raise RuntimeError(
                f"value cannot be converted to type "
                f"{'double' if name == 'float16' else _C_NAMES[name]} without overflow"
            )
        value = value.real
    if dtype.is_floating_point:
        # float16 overflows to inf silently; float64 holds any Python float
        overflow = name == "float32" and 3.4028234663852886e38 < abs(value) < float("inf")
    elif isinstance(value, float):
        info = xp(None).iinfo(dtype._np)
        overflow = value != value or not info.min - 1 < value < info.max + 1
        overflow = overflow or (info.min == 0 and value < 0)
    else:
        info = xp(None).iinfo(dtype._np)
        # an unsigned type takes -max..max and wraps the negatives
        overflow = not (-info.max if info.min == 0 else info.min) <= value <= info.max
    if overflow:
        raise RuntimeError(f"value cannot be converted to type {_C_NAMES[name]} without overflow")


def _region_shape(x, index: _Index) -> tuple:
    if index.adv is None:
        return _apply(x, index).shape  # a view: cheap
    m = xp(x)  # indexing a zero-strided stand-in allocates only the (small) result
    return _apply(m.broadcast_to(m.zeros((), dtype=x.dtype), x.shape), index).shape


def _broadcasts_to(shape, region):
    try:
        return xp(None).broadcast_shapes(shape, region)
    except ValueError:
        return None


def _strip_leading_ones(v):
    k = 0
    while k < v.ndim and v._data.shape[k] == 1:
        k += 1
    return v.reshape(v._data.shape[k:]) if k else v


def setitem(x, index, value) -> None:
    """Mirrors `torch.Tensor.__setitem__`: in place, and recorded as torch records it
    (CopySlices when a view is written, IndexPutBackward0, CopyBackwards or FillBackward3)."""
    from .._tensor import Tensor

    if index is False:
        return  # NOTE: torch skips `x[False] = v` entirely: nothing written, no version bump
    p = _parse(x._data.shape, index, setting=True)
    idx, viewed = p.idx, p.viewed
    if isinstance(value, Tensor):
        tensor_value = True
    elif isinstance(value, (int, float, complex, _backend.scalar_types)):
        tensor_value = False
        value = value.item() if isinstance(value, _backend.scalar_types) else value
        _check_scalar(value, x.dtype)
    else:
        raise TypeError(f"can't assign a {type(value).__name__} to a {x.type()}")
    region = _region_shape(x._data, idx)
    # torch copies a value of the region's shape, fills from a 0-d one, else copies it expanded
    fill = not viewed and idx.adv is None and region != () and (not tensor_value or value.ndim == 0)
    if tensor_value:
        v = _strip_leading_ones(value)
        if idx.adv is None and not fill:
            v = expand(v, region)
        else:
            # NOTE: torch fills a lone mask with a 0-d value (masked_fill), which converts dtypes
            if v.dtype is not x.dtype and not (p.lone_mask and v.ndim == 0):
                raise RuntimeError(
                    "Index put requires the source and destination dtypes match, got "
                    f"{x.dtype._title} for the destination and {v.dtype._title} for the source."
                )
            if _broadcasts_to(v._data.shape, region) != region:
                raise RuntimeError(
                    f"shape mismatch: value tensor of shape {list(v._data.shape)} cannot be "
                    f"broadcast to indexing result of shape {list(region)}"
                )
            if v.dtype is not x.dtype:
                v = v.to(x.dtype)
    else:
        v = value
    recording = _state.enabled and (x._rg or (tensor_value and value._rg))
    if not recording and not (_state.enabled and "_view_of" in x.__dict__) and not _transforms:
        # nothing to record: write straight into the array
        data = v._data if tensor_value else xp(None).asarray(v).astype(x._data.dtype)
        out = x._data
        for b in idx.basic:
            out = out[b]
        if idx.adv is None:
            out[...] = data
        else:
            out[idx.adv] = data
        x._vc[0] += 1
        return
    if viewed and x._rg and x.grad_fn is None and _state.enabled:
        raise RuntimeError(_VIEW_OF_LEAF)
    rec = x.__dict__.get("_view_of")
    if viewed and rec is not None and rec.multi is not None and x._rg and _state.enabled:
        # torch writes through a view of the view, and names that view's op
        raise RuntimeError(_MULTI_OUTPUT_VIEW.format(0, p.view_kind.capitalize()))
    if viewed:
        op = lambda base, val: _copy_slices(base, val, index=idx, accumulate=False)  # noqa: E731
    elif idx.adv is not None:
        op = lambda base, val: _index_put(base, val, index=idx, accumulate=False)  # noqa: E731
    elif fill:
        op = _fill_tensor
    else:
        op = copy
    inplace(x, op, v)


def _indices_index(x, indices, fn: str) -> _Index:
    """`index_put`'s tuple of index tensors as a parsed index."""
    from .._tensor import Tensor

    if not isinstance(indices, (tuple, list)):
        raise TypeError(
            f"{fn}(): argument 'indices' (position 2) must be tuple of Tensors, not "
            f"{type(indices).__name__}"
        )
    shape = x._data.shape
    adv, real, n_adv, bounds = {}, 0, 0, []
    for k, t in enumerate(indices):
        if not isinstance(t, Tensor):
            raise TypeError(
                f"expected Tensor as element {k} in argument 1, but got {type(t).__name__}"
            )
        a = t._data
        if a.dtype.kind not in "biu" or a.dtype.name in ("int8", "int16"):
            raise IndexError(_BAD_INDEX_TENSOR)
        if a.dtype.name == "uint8":
            a = a.astype(bool)
        n = a.ndim if a.dtype.kind == "b" else 1
        if real + n > len(shape):
            raise IndexError(
                f"too many indices for tensor of dimension {len(shape)} (got {len(indices)})"
            )
        if a.dtype.kind == "b":
            for j, s in enumerate(a.shape):
                if s != shape[real + j]:
                    raise IndexError(
                        f"The shape of the mask {list(a.shape)} at index {j} does not match the "
                        f"shape of the indexed tensor {list(shape)} at index {real + j}"
                    )
            for j, nz in enumerate(xp(a).nonzero(a)):
                adv[real + j] = nz
        else:
            adv[real] = a
            bounds.append((a, shape[real], n_adv))
        real += n
        n_adv += n
    return _Index(((Ellipsis,),), _adv_tuple(adv, shape, bounds) if adv else None)


def index_put(input, indices, values, accumulate=False):  # noqa: A002
    """Mirrors `torch.index_put`."""
    from .._tensor import Tensor

    idx = _indices_index(input, indices, "index_put")
    if not isinstance(values, Tensor):
        raise TypeError(
            "index_put(): argument 'values' (position 3) must be Tensor, not "
            f"{type(values).__name__}"
        )
    if values.dtype is not input.dtype:
        raise RuntimeError(
            "Index put requires the source and destination dtypes match, got "
            f"{input.dtype._title} for the destination and {values.dtype._title} for the source."
        )
    if idx.adv is None:
        idx = _Index(idx.basic, (slice(None),))
    region = _region_shape(input._data, idx)
    if _broadcasts_to(values._data.shape, region) != region:
        raise RuntimeError(
            f"shape mismatch: value tensor of shape {list(values.shape)} cannot be broadcast to "
            f"indexing result of shape {list(region)}"
        )
    return _index_put(input, values, index=idx, accumulate=bool(accumulate))


# ---- shared checks ------------------------------------------------------------------------------


def _int_index(index, fn: str, msg=None):
    if index.dtype._name not in ("int64", "int32"):
        raise RuntimeError(msg or f"{fn}(): Expected dtype int32/int64 for index")


def _same_dtype(x, src, msg: str):
    if src.dtype is not x.dtype:
        raise RuntimeError(msg)


def _dim_index(dim: int, index):
    """The numpy index that selects `index` along `dim`."""
    return (slice(None),) * dim + (index,)


def _as_1d(a):
    return a.reshape(1) if a.ndim == 0 else a


def _check_vector(index, fn):
    if index.ndim > 1:
        raise IndexError(f"{fn}(): Index is supposed to be a vector")


def _check_range(a, size, dim, *, error=RuntimeError, prefix="", negative=False):
    """Index values in range; `negative`: whether -size..-1 count from the end."""
    bad = ((a < -size) if negative else (a < 0)) | (a >= size)
    if bad.any():
        raise error(
            f"{prefix}index {a[bad][0]} is out of bounds for dimension {dim} with size {size}"
        )


# ---- index_select, index_add, index_copy, index_fill --------------------------------------------


@primitive("index_select")
def _index_select(x, index, *, dim):
    out = xp(x).take(_as_1d(x), index.reshape(-1), axis=dim)
    return out.reshape(()) if x.ndim == 0 else out


@_index_select.backward
def _(ctx, grad):
    x_shape = ctx.shapes[0]
    zeros = _zeros(x_shape, grad.dtype)
    return _index_add(zeros, ctx.inputs[1], grad, dim=ctx.dim, alpha=1), None


def index_select(input, dim, index, *, out=None):  # noqa: A002
    """Mirrors `torch.index_select`."""
    _no_out(out, "index_select")
    dim = wrap_dim(dim, input.ndim)
    _int_index(index, "index_select", msg="index_select(): Expected dtype int32 or int64 for index")
    _check_vector(index, "index_select")
    size = input._data.shape[dim] if input.ndim else 1
    if input.ndim == 0 and index.numel() != 1:
        raise RuntimeError(
            f"index_select(): Index to scalar can have only 1 value, got {index.numel()} value(s)"
        )
    a = index._data
    if (a >= size).any():
        raise IndexError("index out of range in self")
    if (a < 0).any():
        raise RuntimeError(
            f"INDICES element is out of DATA bounds, id={a[a < 0][0]} axis_dim={size}"
        )
    return _index_select(input, index, dim=dim)


@primitive("index_add")
def _index_add(x, index, source, *, dim, alpha=1):
    out = x.copy()
    xp(x).add.at(
        _as_1d(out), _dim_index(dim, index.reshape(-1)), source if alpha == 1 else source * alpha
    )
    return out


@_index_add.backward
def _(ctx, grad):
    gs = None
    if ctx.needs_input_grad[2]:
        gs = _index_select(grad, ctx.inputs[1], dim=ctx.dim)
        gs = gs if ctx.alpha == 1 else gs * ctx.alpha
        gs = gs.reshape(ctx.shapes[2])
    return grad, None, gs


def _sliced(shape, dim):
    return [s for k, s in enumerate(shape) if k != dim]


def _check_add_source(x, dim, index, source):
    xs, ss = list(x._data.shape), list(source._data.shape)
    if len(xs) != len(ss) or _sliced(xs, dim) != _sliced(ss, dim):
        raise RuntimeError(
            "source tensor shape must match self tensor shape, excluding the specified dimension. "
            f"Got self.shape = {xs} source.shape = {ss}"
        )
    n = ss[dim] if ss else 1
    if index.numel() != n:
        raise RuntimeError(
            f"index_add_(): Number of indices ({index.numel()}) should be equal to "
            f"source.size(dim): ({n}), for dim: {dim}"
        )


def _check_copy_source(x, dim, index, source):
    xs, ss = list(x._data.shape), list(source._data.shape)
    if xs and ss and len(xs) != len(ss):
        raise IndexError(
            "index_copy_(): When source and destination are not scalars, their dimensionality "
            f"must match. Source dimensionality ({len(ss)}), destination dimensionality ({len(xs)})"
        )
    if xs and ss and _sliced(xs, dim) != _sliced(ss, dim):
        raise RuntimeError(
            "index_copy_(): Source/destination tensor must have same slice shapes. Destination "
            f"slice shape: {' '.join(map(str, _sliced(xs, dim)))} at dimension {dim} and source "
            f"slice shape: {' '.join(map(str, _sliced(ss, 0)))} at dimension 0."
        )
    n = ss[dim] if ss else 1
    if index.numel() != n:
        raise IndexError(
            f"index_copy_(): Number of indices ({index.numel()}) should be equal to "
            f"source.size(dim) ({n})"
        )


def index_add(input, dim, index, source, *, alpha=1, out=None):  # noqa: A002
    """Mirrors `torch.index_add`."""
    _no_out(out, "index_add")
    dim = wrap_dim(dim, input.ndim)
    _int_index(index, "index_add_")
    _check_vector(index, "index_add_")
    _same_dtype(
        input,
        source,
        f"index_add_(): self ({input.dtype._title}) and source "
        f"({source.dtype._title}) must have the same scalar type",
    )
    _check_add_source(input, dim, index, source)
    _check_range(index._data, input._data.shape[dim] if input.ndim else 1, dim)
    return _index_add(input, index, source, dim=dim, alpha=alpha)


@primitive("index_copy")
def _index_copy(x, index, source, *, dim):
    out = x.copy()
    _as_1d(out)[_dim_index(dim, index.reshape(-1))] = source
    return out


@_index_copy.backward
def _(ctx, grad):
    index = ctx.inputs[1]
    gx = _index_fill(grad, index, dim=ctx.dim, value=0) if ctx.needs_input_grad[0] else None
    gs = None
    if ctx.needs_input_grad[2]:
        gs = _index_select(grad, index, dim=ctx.dim).reshape(ctx.shapes[2])
    return gx, None, gs


def index_copy(input, dim, index, source, *, out=None):  # noqa: A002
    """Mirrors `torch.index_copy`."""
    _no_out(out, "index_copy")
    dim = wrap_dim(dim, input.ndim)
    if index.dtype._name != "int64":
        raise RuntimeError(
            f"index_copy_(): Expected a long tensor for index, but got {index.dtype._title}"
        )
    _check_vector(index, "index_copy_")
    _same_dtype(
        input,
        source,
        "index_copy_(): self and source expected to have the same dtype, "
        f"but got (self) {input.dtype._title} and (source) {source.dtype._title}",
    )
    _check_copy_source(input, dim, index, source)
    _check_range(
        index._data,
        input._data.shape[dim] if input.ndim else 1,
        dim,
        error=IndexError,
        prefix="index_copy_(): ",
    )
    return _index_copy(input, index, source, dim=dim)


def _fill_along(x, index, value, dim):
    out = x.copy()
    _as_1d(out)[_dim_index(dim, index.reshape(-1))] = value
    return out


@primitive("index_fill", 0)
def _index_fill(x, index, *, dim, value):
    return _fill_along(x, index, value, dim)


@_index_fill.backward
def _(ctx, grad):
    return _index_fill(grad, ctx.inputs[1], dim=ctx.dim, value=0), None


@primitive("index_fill", 1)
def _index_fill_tensor(x, index, value, *, dim):
    return _fill_along(x, index, value, dim)


@_index_fill_tensor.backward
def _(ctx, grad):
    index = ctx.inputs[1]
    gx = _index_fill(grad, index, dim=ctx.dim, value=0) if ctx.needs_input_grad[0] else None
    gv = _index_select(grad, index, dim=ctx.dim).sum() if ctx.needs_input_grad[2] else None
    return gx, None, gv


def index_fill(input, dim, index, value):  # noqa: A002
    """Mirrors `torch.index_fill`."""
    from .._tensor import Tensor

    dim = wrap_dim(dim, input.ndim)
    if index.dtype._name != "int64":
        raise IndexError("index_fill_(): Expected dtype int64 for index.")
    _check_vector(index, "index_fill_")
    _check_range(
        index._data,
        input._data.shape[dim] if input.ndim else 1,
        dim,
        error=IndexError,
        negative=True,
    )
    if isinstance(value, Tensor):
        if value.ndim:
            raise RuntimeError(
                "index_fill_ only supports a 0-dimensional value tensor, but got tensor with "
                f"{value.ndim} dimension(s)."
            )
        return _index_fill_tensor(input, index, value, dim=dim)
    return _index_fill(input, index, dim=dim, value=value)


# ---- gather and scatter -------------------------------------------------------------------------


def _positions(index, dim: int) -> tuple:
    """For each element of `index`, where it points: an index tuple into the output."""
    m = xp(index)
    pos = list(m.ix_(*(m.arange(s) for s in index.shape)))
    pos[dim] = index
    return tuple(pos)


def _crop(a, shape):
    return a[tuple(slice(0, s) for s in shape)]


@primitive("gather")
def _gather(x, index, *, dim):
    if x.ndim == 0:
        return x.reshape(1)[index]
    return x[_positions(index, dim)]


@_gather.backward
def _(ctx, grad):
    zeros = _zeros(ctx.shapes[0], grad.dtype)
    return _scatter_add(zeros, ctx.inputs[1], grad, dim=ctx.dim), None


def _check_gather_shapes(x, index, dim, fn, src=None):
    xs, ids = x._data.shape, index._data.shape
    # a 0-d tensor counts as 1-d here
    if max(len(ids), 1) != max(len(xs), 1):
        raise RuntimeError(f"Index tensor must have the same number of dimensions as {fn} tensor")
    if src is not None:
        ss = src._data.shape
        if max(len(ids), 1) != max(len(ss), 1):
            raise RuntimeError("Index tensor must have the same number of dimensions as src tensor")
        if any(i > s for i, s in zip(ids, ss)) or any(
            i > s for k, (i, s) in enumerate(zip(ids, xs)) if k != dim
        ):
            raise RuntimeError(
                f"Expected index {list(ids)} to be no larger than self {list(xs)} apart from "
                f"dimension {dim} and to be no larger size than src {list(ss)}"
            )
    else:
        for k, (i, s) in enumerate(zip(ids, xs)):
            if k != dim and i > s:
                raise RuntimeError(
                    f"Size does not match at dimension {k} expected index {list(ids)} to be no "
                    f"larger than self {list(xs)} apart from dimension {dim}"
                )
    _check_range(index._data, xs[dim] if x.ndim else 1, dim)


def gather(input, dim, index, *, sparse_grad=False, out=None):  # noqa: A002
    """Mirrors `torch.gather`; `sparse_grad` changes nothing (gradients are dense)."""
    _no_out(out, "gather")
    dim = wrap_dim(dim, input.ndim)
    _int_index(index, "gather")
    _check_gather_shapes(input, index, dim, "input")
    return _gather(input, index, dim=dim)


def _scatter_into(out, index, src, dim, how=None):
    """Write (or with `how`, a numpy ufunc, combine) `src` into `out` where `index` points."""
    if out.ndim == 0:
        out, index, src = out.reshape(1), index.reshape(-1), _as_1d(src)
        dim = 0
    pos = _positions(index, dim)
    if src.ndim:
        src = _crop(src, index.shape)
    if how is None:
        out[pos] = src
    else:
        how.at(out, pos, src)


@primitive("scatter", 0)
def _scatter(x, index, src, *, dim):
    out = x.copy()
    _scatter_into(out, index, src, dim)
    return out


def _grad_shape_check(node, k, got, expected):
    if tuple(got) != tuple(expected):
        raise RuntimeError(
            f"Function {node} returned an invalid gradient at index {k} - got {list(got)} but "
            f"expected shape compatible with {list(expected)}"
        )


@_scatter.backward
def _(ctx, grad):
    index = ctx.inputs[1]
    gx = _scatter_value(grad, index, dim=ctx.dim, value=0) if ctx.needs_input_grad[0] else None
    gs = None
    if ctx.needs_input_grad[2]:
        gs = _gather(grad, index, dim=ctx.dim)
        _grad_shape_check("ScatterBackward0", 1, gs.shape, ctx.shapes[2])
    return gx, None, gs


@primitive("scatter", 1)
def _scatter_value(x, index, *, dim, value):
    out = x.copy()
    _scatter_into(out, index, xp(x).asarray(value, dtype=x.dtype), dim)
    return out


@_scatter_value.backward
def _(ctx, grad):
    return _scatter_value(grad, ctx.inputs[1], dim=ctx.dim, value=0), None


_REDUCE_UFUNCS = {"add": "add", "multiply": "multiply"}


@primitive("scatter_reduce_legacy", node_name="NotImplemented")
def _scatter_legacy(x, index, src, *, dim, reduce):
    out = x.copy()
    _scatter_into(
        out, index, xp(x).asarray(src, dtype=x.dtype), dim, getattr(xp(x), _REDUCE_UFUNCS[reduce])
    )
    return out


def scatter(input, dim, index, src=None, *, value=None, reduce=None, out=None):  # noqa: A002
    """Mirrors `torch.scatter` (a tensor `src` or a number `value`, `reduce='add'|'multiply'`)."""
    from .._tensor import Tensor

    _no_out(out, "scatter")
    if src is not None and value is not None:
        raise TypeError("scatter(): takes either src or value, not both")
    if src is not None and not isinstance(src, Tensor):
        src, value = None, src
    if src is None and value is None:
        raise TypeError("scatter(): missing the required argument 'src' or 'value'")
    dim = wrap_dim(dim, input.ndim)
    if index.dtype._name not in ("int64", "int32"):
        raise RuntimeError("scatter(): Expected dtype int32/int64 for index")
    if src is not None:
        _same_dtype(input, src, "scatter(): Expected self.dtype to be equal to src.dtype")
    _check_gather_shapes(input, index, dim, "self", src if src is not None else index)
    if reduce is not None:
        if reduce not in _REDUCE_UFUNCS:
            raise RuntimeError("reduce argument must be either add or multiply.")
        if src is not None:
            warnings.warn(
                "The reduce argument of torch.scatter with Tensor src is deprecated and will be "
                "removed in a future PyTorch release. Use torch.scatter_reduce instead for more "
                "reduction options.",
                UserWarning,
                stacklevel=2,
            )
        return _scatter_legacy(
            input, index, src if src is not None else value, dim=dim, reduce=reduce
        )
    if src is not None:
        return _scatter(input, index, src, dim=dim)
    return _scatter_value(input, index, dim=dim, value=value)


@primitive("scatter_add")
def _scatter_add(x, index, src, *, dim):
    out = x.copy()
    _scatter_into(out, index, src, dim, xp(x).add)
    return out


@_scatter_add.backward
def _(ctx, grad):
    gs = None
    if ctx.needs_input_grad[2]:
        gs = _gather(grad, ctx.inputs[1], dim=ctx.dim)
        _grad_shape_check("ScatterAddBackward0", 1, gs.shape, ctx.shapes[2])
    return grad, None, gs


def scatter_add(input, dim, index, src):  # noqa: A002
    """Mirrors `torch.scatter_add`."""
    from .._tensor import Tensor

    if not isinstance(src, Tensor):
        raise TypeError(
            f"scatter_add(): argument 'src' (position 4) must be Tensor, not {type(src).__name__}"
        )
    dim = wrap_dim(dim, input.ndim)
    if index.dtype._name not in ("int64", "int32"):
        raise RuntimeError("scatter(): Expected dtype int32/int64 for index")
    _same_dtype(input, src, "scatter(): Expected self.dtype to be equal to src.dtype")
    _check_gather_shapes(input, index, dim, "self", src)
    return _scatter_add(input, index, src, dim=dim)


_SCATTER_REDUCTIONS = ("sum", "prod", "mean", "amax", "amin")
_REDUCTION_ALIASES = {"max": "amax", "min": "amin"}  # torch takes these too, unlisted


@primitive("scatter_reduce")
def _scatter_reduce(x, index, src, *, dim, reduce, include_self):
    m = xp(x)
    out = x.copy()
    if not include_self:
        start = {"sum": 0, "mean": 0, "prod": 1}.get(reduce)
        if start is None and x.dtype.kind == "f":
            start = -m.inf if reduce == "amax" else m.inf
        elif start is None:
            info = m.iinfo(x.dtype)
            start = info.min if reduce == "amax" else info.max
        _scatter_into(out, index, m.asarray(start, dtype=x.dtype), dim)
    reduce = _REDUCTION_ALIASES.get(reduce, reduce)
    how = {"sum": m.add, "mean": m.add, "prod": m.multiply, "amax": m.maximum, "amin": m.minimum}
    _scatter_into(out, index, src, dim, how[reduce])
    if reduce == "mean":
        count = m.full(x.shape, 1 if include_self else 0, dtype=x.dtype)
        _scatter_into(count, index, m.ones(index.shape, dtype=x.dtype), dim, m.add)
        count[count == 0] = 1
        # NOTE: integer means round toward minus infinity, as torch's do
        out = out / count if x.dtype.kind == "f" else out // count
    return out


@_scatter_reduce.backward
def _(ctx, grad):
    x, index, src = ctx.inputs
    dim, reduce, include_self = ctx.dim, ctx.reduce, ctx.include_self
    if reduce not in _SCATTER_REDUCTIONS:
        raise RuntimeError(
            "Expected 'reduce' to be one of 'sum', 'prod', 'mean', 'amax', 'amin' but got "
            f"{reduce}."
        )
    if tuple(src.shape) != tuple(index.shape):
        # torch's formulas broadcast src against the index-shaped gradient, and fail the same way
        raise RuntimeError(
            f"The size of tensor a ({src.shape[dim]}) must match the size of tensor b "
            f"({index.shape[dim]}) at non-singleton dimension {dim}"
        )
    hit = _scatter_value(_zeros(x.shape, grad.dtype), index, dim=dim, value=1) > 0
    if reduce == "sum":
        gx = grad if include_self else masked_fill(grad, hit, 0)
        return gx, None, _gather(grad, index, dim=dim)
    if reduce == "mean":
        from .._creation import full, ones

        count = _scatter_add(
            full(tuple(x.shape), 1.0 if include_self else 0.0, dtype=grad.dtype),
            index,
            ones(tuple(index.shape), dtype=grad.dtype),
            dim=dim,
        )
        scaled = grad / masked_fill(count, count == 0, 1)
        gx = scaled if include_self else masked_fill(grad, hit, 0)
        return gx, None, _gather(scaled, index, dim=dim)
    result = ctx.result
    if reduce == "prod":
        return _prod_grads(grad, x, index, src, result, dim, include_self, hit)
    # amax, amin: the gradient is shared evenly among the elements equal to the result
    value = _gather(result, index, dim=dim)
    self_is = x == result
    if not include_self:
        self_is = self_is & ~hit
    src_is = src == value
    count = _scatter_add(self_is.to(grad.dtype), index, src_is.to(grad.dtype), dim=dim)
    share = grad / masked_fill(count, count == 0, 1)
    gx = masked_fill(share, ~self_is, 0)
    gs = masked_fill(_gather(share, index, dim=dim), ~src_is, 0)
    return gx, None, gs


def _prod_grads(grad, x, index, src, result, dim, include_self, hit):
    """d prod / d factor = the product of the other factors, computed so that zeros work: for
    self, the product with self set to 1; for a lone zero in src, the product with it set to 1;
    for any other src factor, result / factor."""
    from .._creation import zeros

    gx = masked_fill(grad, hit, 0)
    if include_self:
        masked_x = masked_fill(x, x == 0, 1)
        others = _scatter_reduce(masked_x, index, src, dim=dim, reduce="prod", include_self=True)
        gx = grad * others / masked_x
    src_zero = src == 0
    n_zeros = _scatter_add(
        zeros(tuple(x.shape), dtype=grad.dtype), index, src_zero.to(grad.dtype), dim=dim
    )
    lone = src_zero & (_gather(n_zeros, index, dim=dim) == 1)
    lone_result = _scatter_reduce(
        x, index, masked_fill(src, lone, 1), dim=dim, reduce="prod", include_self=include_self
    )
    gs = where(
        lone,
        _gather(grad * lone_result, index, dim=dim),
        _gather(grad * result, index, dim=dim) / masked_fill(src, src_zero, 1),
    )
    return gx, None, gs


def scatter_reduce(input, dim, index, src, reduce, *, include_self=True, out=None):  # noqa: A002
    """Mirrors `torch.scatter_reduce`."""
    _no_out(out, "scatter_reduce")
    dim = wrap_dim(dim, input.ndim)
    if _REDUCTION_ALIASES.get(reduce, reduce) not in _SCATTER_REDUCTIONS:
        raise RuntimeError(
            f"reduce argument must be either sum, prod, mean, amax or amin, got {reduce}"
        )
    if index.dtype._name not in ("int64", "int32"):
        raise RuntimeError("scatter(): Expected dtype int32/int64 for index")
    _same_dtype(input, src, "scatter(): Expected self.dtype to be equal to src.dtype")
    _check_gather_shapes(input, index, dim, "self", src)
    return _scatter_reduce(
        input, index, src, dim=dim, reduce=reduce, include_self=bool(include_self)
    )


# ---- masked_fill, masked_select, masked_scatter --------------------------------------------------


def _check_mask(mask, msg):
    if mask.dtype._name != "bool":
        raise RuntimeError(msg)


_MASK_NAMES = {
    "int64": "long int",
    "int32": "int",
    "int16": "short int",
    "int8": "signed char",
    "uint8": "unsigned char",
    "float32": "float",
    "float64": "double",
    "float16": "c10::Half",
}


@primitive("masked_fill", 0)
def _masked_fill(x, mask, *, value):
    return xp(x).where(mask, xp(x).asarray(value).astype(x.dtype), x)


@_masked_fill.backward
def _(ctx, grad):
    return _masked_fill(grad, ctx.inputs[1], value=0), None


@primitive("masked_fill", 1)
def _masked_fill_tensor(x, mask, value):
    return xp(x).where(mask, value.astype(x.dtype), x)


@_masked_fill_tensor.backward
def _(ctx, grad):
    mask = ctx.inputs[1]
    gx = _masked_fill(grad, mask, value=0) if ctx.needs_input_grad[0] else None
    gv = _masked_fill(grad, ~mask, value=0).sum() if ctx.needs_input_grad[2] else None
    return gx, None, gv


def masked_fill(input, mask, value):  # noqa: A002
    """Mirrors `torch.masked_fill`."""
    from .._tensor import Tensor

    _check_mask(
        mask,
        "masked_fill_ only supports boolean masks, but got mask with dtype "
        f"{_MASK_NAMES.get(mask.dtype._name, mask.dtype._name)}",
    )
    if isinstance(value, Tensor):
        if value.ndim:
            raise RuntimeError(
                "masked_fill_ only supports a 0-dimensional value tensor, but got tensor with "
                f"{value.ndim} dimension(s)."
            )
        return _masked_fill_tensor(input, mask, value)
    return _masked_fill(input, mask, value=value)


@primitive("masked_select")
def _masked_select(x, mask):
    m = xp(x)
    shape = m.broadcast_shapes(x.shape, mask.shape)
    return m.broadcast_to(x, shape)[m.broadcast_to(mask, shape)]


@_masked_select.backward
def _(ctx, grad):
    mask = ctx.inputs[1]
    shape = xp(None).broadcast_shapes(ctx.shapes[0], ctx.shapes[1])
    return _masked_scatter(_zeros(shape, grad.dtype), mask, grad), None


def masked_select(input, mask, *, out=None):  # noqa: A002
    """Mirrors `torch.masked_select`."""
    _no_out(out, "masked_select")
    _check_mask(mask, "masked_select: expected BoolTensor for mask")
    return _masked_select(input, mask)


@primitive("masked_scatter")
def _masked_scatter(x, mask, source):
    m = xp(x)
    shape = m.broadcast_shapes(x.shape, mask.shape)
    out = m.broadcast_to(x, shape).copy()
    mask = m.broadcast_to(mask, shape)
    out[mask] = source.reshape(-1)[: int(mask.sum())]
    return out


@_masked_scatter.backward
def _(ctx, grad):
    mask = ctx.inputs[1]
    gx = _masked_fill(grad, mask, value=0) if ctx.needs_input_grad[0] else None
    gs = None
    if ctx.needs_input_grad[2]:
        taken = _masked_select(grad, mask)
        n = 1
        for s in ctx.shapes[2]:
            n *= s
        flat = _copy_slices(
            _zeros((n,), grad.dtype),
            taken,
            index=_Index(((slice(0, taken.shape[0]), Ellipsis),)),
            accumulate=False,
        )
        gs = flat.reshape(ctx.shapes[2])
    return gx, None, gs


def masked_scatter(input, mask, source):  # noqa: A002
    """Mirrors `torch.masked_scatter`."""
    _check_mask(
        mask,
        f"masked_scatter_ only supports boolean masks, but got mask with dtype {mask.dtype._title}",
    )
    _same_dtype(
        input,
        source,
        "masked_scatter: expected self and source to have same dtypes but "
        f"got{input.dtype._title} and {source.dtype._title}",
    )
    m = xp(None)
    shape = m.broadcast_shapes(input._data.shape, mask._data.shape)
    if int(m.broadcast_to(mask._data, shape).sum()) > source.numel():
        raise RuntimeError("Number of elements of source < number of ones in mask")
    return _masked_scatter(input, mask, source)


# ---- take, take_along_dim -----------------------------------------------------------------------


@primitive("take")
def _take(x, index):
    return x.reshape(-1)[index]


@_take.backward
def _(ctx, grad):
    n = 1
    for s in ctx.shapes[0]:
        n *= s
    flat = index_put(
        _zeros((n,), grad.dtype), (ctx.inputs[1].reshape(-1),), grad.reshape(-1), accumulate=True
    )
    return flat.reshape(ctx.shapes[0]), None


def take(input, index):  # noqa: A002
    """Mirrors `torch.take`."""
    if index.dtype._name != "int64":
        raise RuntimeError(
            f"take(): Expected a long tensor for index, but got {index.dtype._title}"
        )
    n = input.numel()
    a = index._data
    bad = (a < -n) | (a >= n)
    if bad.any():
        raise IndexError(
            f"out of range: tried to access index {a[bad][0]} on a tensor of {n} elements."
        )
    return _take(input, index)


def take_along_dim(input, indices, dim=None, *, out=None):  # noqa: A002
    """Mirrors `torch.take_along_dim`."""
    _no_out(out, "take_along_dim")
    if indices.dtype._name not in ("int64", "int32"):
        raise RuntimeError(
            "torch.take_along_dim(): dtype of indices should be Long but got "
            f"{indices.dtype._title}"
        )
    if dim is None:
        return gather(input.reshape(-1), 0, indices.reshape(-1))
    if input.ndim != indices.ndim:
        raise RuntimeError(
            "torch.take_along_dim(): input and indices should have the same number of dimensions, "
            f"but got {input.ndim} dimensions for input, and {indices.ndim} dimensions for indices"
        )
    if input.ndim == 0:
        raise IndexError(f"Dimension specified as {dim} but tensor has no dimensions")
    dim = wrap_dim(dim, input.ndim)
    xs, ids = list(input.shape), list(indices.shape)
    xs[dim] = ids[dim] = 1
    try:
        common = list(xp(None).broadcast_shapes(tuple(xs), tuple(ids)))
    except ValueError:
        k = next(k for k in range(len(xs)) if xs[k] != ids[k] and 1 not in (xs[k], ids[k]))
        raise RuntimeError(
            f"The size of tensor a ({xs[k]}) must match the size of tensor b ({ids[k]}) at "
            f"non-singleton dimension {k}"
        ) from None
    common[dim] = input.shape[dim]
    x = input.expand(*common)
    common[dim] = indices.shape[dim]
    return gather(x, dim, indices.expand(*common))


# ---- nonzero, argwhere, where(condition) ---------------------------------------------------------


def nonzero(input, *, out=None, as_tuple=False):  # noqa: A002
    """Mirrors `torch.nonzero`."""
    from .._tensor import Tensor

    _no_out(out, "nonzero")
    a = input._data
    m = xp(a)
    if as_tuple:
        if a.ndim == 0:
            return (Tensor._make(m.zeros(int(bool(a)), dtype="int64")),)
        return tuple(Tensor._make(i.astype("int64")) for i in m.nonzero(a))
    if a.ndim == 0:
        return Tensor._make(m.zeros((int(bool(a)), 0), dtype="int64"))
    return Tensor._make(m.argwhere(a).astype("int64"))


def argwhere(input):  # noqa: A002
    """Mirrors `torch.argwhere`."""
    return nonzero(input)


def where(condition, input=None, other=None):  # noqa: A002
    """Mirrors `torch.where`, also its one-argument form `where(condition)` =
    `nonzero(condition, as_tuple=True)`."""
    if input is None and other is None:
        return nonzero(condition, as_tuple=True)
    from .pointwise import where as where3

    return where3(condition, input, other)


# ---- searchsorted, bucketize --------------------------------------------------------------------


def searchsorted(
    sorted_sequence,
    input,  # noqa: A002
    *,
    out_int32=False,
    right=False,
    side=None,
    out=None,
    sorter=None,
):
    """Mirrors `torch.searchsorted`."""
    from .._tensor import Tensor

    _no_out(out, "searchsorted")
    if side is not None:
        if side not in ("left", "right"):
            raise RuntimeError(
                f"torch.searchsorted(): side can only be 'left' or 'right' but got {side}"
            )
        if right and side == "left":
            raise RuntimeError(
                "torch.searchsorted(): side and right can't be set to opposites, got side of "
                "left while right was True"
            )
        right = side == "right"
    seq = sorted_sequence._data
    m = xp(seq)
    scalar = not isinstance(input, Tensor)
    values = m.asarray(input) if scalar else input._data
    if seq.ndim == 0:
        raise RuntimeError(
            "torch.searchsorted(): boundaries tensor should have positive dimension, but got 0 "
            "dimension"
        )
    if seq.ndim > 1 and (scalar or seq.shape[:-1] != values.shape[:-1]):
        raise RuntimeError(
            "torch.searchsorted(): boundaries tensor should be 1 dimension or the first N-1 "
            "dimensions of boundaries tensor and input value tensor must match, but we got "
            f"boundaries tensor {list(seq.shape)} and input value tensor {list(values.shape)}"
        )
    if sorter is not None:
        if sorter.dtype._name != "int64":
            raise RuntimeError(
                "torch.searchsorted(): sorter must be a tensor of long dtype but got dtype "
                f"{sorter.dtype._title}"
            )
        if sorter._data.shape != seq.shape:
            raise RuntimeError(
                "torch.searchsorted(): boundary and sorter must have the same size, but got "
                f"boundary tensor {list(seq.shape)}and got sorter tensor "
                f"{list(sorter._data.shape)}"
            )
        order = sorter._data
        if ((order < 0) | (order >= seq.shape[-1])).any():
            raise RuntimeError("torch.searchsorted(): sorter index out of range")
        seq = m.take_along_axis(seq, order, axis=-1)
    how = "right" if right else "left"
    if seq.ndim == 1:
        result = m.searchsorted(seq, values, side=how)
    else:
        rows = seq.reshape(-1, seq.shape[-1])
        vals = values.reshape(rows.shape[0], -1)
        result = m.stack([m.searchsorted(r, v, side=how) for r, v in zip(rows, vals)])
        result = result.reshape(values.shape)
    return Tensor._make(m.asarray(result, dtype="int32" if out_int32 else "int64"))


def bucketize(input, boundaries, *, out_int32=False, right=False, out=None):  # noqa: A002
    """Mirrors `torch.bucketize`."""
    _no_out(out, "bucketize")
    if boundaries.ndim != 1:
        raise RuntimeError(f"boundaries tensor must be 1 dimension, but got dim({boundaries.ndim})")
    return searchsorted(boundaries, input, out_int32=out_int32, right=right)


# ---- in-place forms: torch's `x.op_(...)` -------------------------------------------------------


def index_add_(x, dim, index, source, *, alpha=1):
    """Mirrors `torch.Tensor.index_add_`."""
    return inplace(x, lambda s, src: index_add(s, dim, index, src, alpha=alpha), source)


def index_copy_(x, dim, index, source):
    """Mirrors `torch.Tensor.index_copy_`."""
    return inplace(x, lambda s, src: index_copy(s, dim, index, src), source)


def index_fill_(x, dim, index, value):
    """Mirrors `torch.Tensor.index_fill_`."""
    return inplace(x, lambda s, v: index_fill(s, dim, index, v), value)


def index_put_(input, indices, values, accumulate=False):  # noqa: A002
    """Mirrors `torch.index_put_`."""
    return inplace(input, lambda s, v: index_put(s, indices, v, accumulate), values)


def masked_fill_(x, mask, value):
    """Mirrors `torch.Tensor.masked_fill_`: the mask broadcasts to x, not x to the mask."""
    return inplace(x, lambda s, v: masked_fill(s, mask, v), value)


def masked_scatter_(x, mask, source):
    """Mirrors `torch.Tensor.masked_scatter_`."""
    return inplace(x, lambda s, src: masked_scatter(s, mask, src), source)


def scatter_(x, dim, index, src=None, *, value=None, reduce=None):
    """Mirrors `torch.Tensor.scatter_`."""
    return inplace(
        x, lambda s, src, value: scatter(s, dim, index, src, value=value, reduce=reduce), src, value
    )


def scatter_add_(x, dim, index, src):
    """Mirrors `torch.Tensor.scatter_add_`."""
    return inplace(x, lambda s, src: scatter_add(s, dim, index, src), src)


def scatter_reduce_(x, dim, index, src, reduce, *, include_self=True):
    """Mirrors `torch.Tensor.scatter_reduce_`."""
    return inplace(
        x, lambda s, src: scatter_reduce(s, dim, index, src, reduce, include_self=include_self), src
    )
