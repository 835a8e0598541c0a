"""Indexing: `__getitem__` (basic and advanced indices) and its derivative."""

from __future__ import annotations

import operator

from .. import _backend
from . import primitive
from .shape import wrap_dim

xp = _backend.xp


__all__ = [
    "getitem",
    "unbind",
]


# ---- indexing -----------------------------------------------------------------------------------


def _index_node(index) -> str:
    items = index if isinstance(index, tuple) else (index,)
    if any(not isinstance(i, (int, slice, type(None), type(Ellipsis))) for i in items):
        return "index"
    last = [i for i in items if i is not Ellipsis]
    if not last:
        return "alias"
    if last[-1] is None:
        return "unsqueeze"
    return "select" if isinstance(last[-1], int) else "slice"


def _normalise_index(index):
    """Turn tensors and lists in an index into arrays numpy reads the way torch does."""
    from .._tensor import Tensor

    items = index if isinstance(index, tuple) else (index,)
    out = []
    for i in items:
        if isinstance(i, Tensor):
            if i.dtype.is_floating_point:
                raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
            i = i._data if i.ndim else (bool(i._data) if i.dtype._name == "bool" else int(i._data))
        elif isinstance(i, list):
            i = _backend.asarray(i)
        elif _backend.is_array(i):
            pass
        elif not isinstance(i, (slice, type(None), type(Ellipsis), bool)):
            i = operator.index(i)
        out.append(i)
    return tuple(out) if isinstance(index, tuple) or len(out) != 1 else out[0]


def _getitem_primitive(kind, node_name):
    p = primitive("getitem_" + kind, view=True, node_name=node_name)(lambda x, *, index: x[index])
    p.backward(
        lambda ctx, grad: _index_put_zeros(
            grad, shape=ctx.shapes[0], index=ctx.index, accumulate=kind == "index"
        )
    )
    return p


_getitems = {
    kind: _getitem_primitive(kind, f"{kind.capitalize()}Backward0")
    for kind in ("index", "alias", "unsqueeze", "select", "slice", "unbind")
}


@primitive("index_put_zeros")
def _index_put_zeros(grad, *, shape, index, accumulate):
    m = xp(grad)
    out = m.zeros(shape, dtype=grad.dtype)
    if accumulate:
        m.add.at(out, index, grad)  # repeated indices accumulate, as in torch
    else:
        out[index] = grad
    return out


@_index_put_zeros.backward
def _(ctx, grad):
    return grad[ctx.index]


def getitem(x, index):
    """Mirrors `torch.Tensor.__getitem__`."""
    kind = _index_node(index)
    index = _normalise_index(index)
    try:
        return _getitems[kind](x, index=index)
    except IndexError as e:
        raise IndexError(str(e).replace("axis", "dimension")) from None


def unbind(x, dim=0):
    """Mirrors `torch.unbind`.

    torch records one multi-output UnbindBackward0 node; here each output gets its own
    select-like node of that name, since the engine keeps one output per node.
    """
    dim = wrap_dim(dim, x.ndim)
    lead = (slice(None),) * dim
    select = _getitems["unbind"]
    return tuple(select(x, index=lead + (i,)) for i in range(x._data.shape[dim]))
