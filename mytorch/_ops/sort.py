"""Sorting and selection: sort, argsort, msort, topk, kthvalue, median, nanmedian, unique.

Indices come from one stable sort. Where torch's index among tied values is an implementation
detail ("not necessarily the first occurrence": kthvalue, median and topk with ties), ours is
the first in stable order. Values are gathered at the indices, so their gradient goes there.
"""

from __future__ import annotations

import math

from .. import _backend
from . import primitive
from .reduce import RETURN_TYPES, _evenly_full, _int_dim, _selecting
from .shape import wrap_dim

xp = _backend.xp

__all__ = [
    "argsort",
    "kthvalue",
    "median",
    "msort",
    "nanmedian",
    "sort",
    "topk",
    "unique",
]


@primitive("argsort", differentiable=False)
def _argsort(x, *, dim, descending):
    m = xp(x)
    if x.ndim == 0:
        return m.zeros((), dtype=m.int64)
    if not descending:
        return m.argsort(x, axis=dim, kind="stable").astype(m.int64)
    # sorting the reversed input and reversing the order keeps ties in their original order and
    # puts nan first, as torch's descending sort does
    n = x.shape[dim]
    order = m.argsort(m.flip(x, axis=dim), axis=dim, kind="stable")
    return m.flip(n - 1 - order, axis=dim).astype(m.int64)


_sort_values = _selecting("sort")
_topk_values = _selecting("topk")
_kthvalue_values = _selecting("kthvalue")
_median_values = _selecting("median", 1)
_nanmedian_values = _selecting("nanmedian", 1)


def _size(x, d) -> int:
    return x.shape[d] if x.ndim else 1


def sort(input, dim=-1, descending=False, stable=False):  # noqa: A002
    """Mirrors `torch.sort`: a `(values, indices)` named tuple (always a stable sort)."""
    d = wrap_dim(_int_dim(dim, "sort"), input.ndim)
    index = _argsort(input, dim=d, descending=bool(descending))
    return RETURN_TYPES["sort"](_sort_values(input, index, dim=d, keepdim=True), index)


def argsort(input, dim=-1, descending=False, stable=False):  # noqa: A002
    """Mirrors `torch.argsort` (always a stable sort)."""
    return _argsort(input, dim=wrap_dim(_int_dim(dim, "argsort"), input.ndim),
                    descending=bool(descending))  # fmt: skip


def msort(input):  # noqa: A002
    """Mirrors `torch.msort`: sorted along dim 0."""
    return sort(input, 0).values


@primitive("take_first", differentiable=False)
def _take_first(index, *, dim, k):
    return index if index.ndim == 0 else xp(index).take(index, range(k), axis=dim)


def topk(input, k, dim=-1, largest=True, sorted=True):  # noqa: A002
    """Mirrors `torch.topk`; the result is in sorted order also for `sorted=False`."""
    d = wrap_dim(_int_dim(dim, "topk"), input.ndim)
    if not 0 <= k <= _size(input, d):
        raise RuntimeError("selected index k out of range")
    order = _argsort(input, dim=d, descending=bool(largest))
    index = _take_first(order, dim=d, k=k)
    return RETURN_TYPES["topk"](_topk_values(input, index, dim=d, keepdim=True), index)


@primitive("order_statistic_index", differentiable=False)
def _order_statistic_index(x, *, dim, keepdim, k, nan):
    """The index of the k-th smallest (0-based) along `dim`; `nan`: "first" (median: nan
    wins), "skip" (nanmedian: lower median of the rest) or "last" (kthvalue: nan is largest)."""
    m = xp(x)
    if x.ndim == 0:
        return m.zeros((), dtype=m.int64)
    order = m.argsort(x, axis=dim, kind="stable")  # nans sort last
    n = x.shape[dim]
    if nan == "last" or x.dtype.kind != "f":
        pos = m.full(order.shape[:dim] + (1,) + order.shape[dim + 1 :], k if k >= 0 else
                     (n - 1) // 2)  # fmt: skip
    else:
        nans = m.isnan(x).sum(axis=dim, keepdims=True)
        if nan == "first":
            pos = m.where(nans > 0, n - nans, (n - 1) // 2)
        else:
            pos = m.maximum((n - nans - 1) // 2, 0)
    out = m.take_along_axis(order, pos, axis=dim).astype(m.int64)
    return out if keepdim else m.squeeze(out, axis=dim)


def _dim_selection(x, dim, keepdim, fn: str, values_op, *, k, nan):
    d = wrap_dim(_int_dim(dim, fn), x.ndim)
    if x.ndim and x.shape[d] == 0:
        raise IndexError(f"{fn}(): Expected reduction dim {d} to have non-zero size.")
    index = _order_statistic_index(x, dim=d, keepdim=bool(keepdim), k=k, nan=nan)
    values = values_op(x, index, dim=d, keepdim=bool(keepdim))
    return RETURN_TYPES[fn](values, index)


def kthvalue(input, k, dim=-1, keepdim=False):  # noqa: A002
    """Mirrors `torch.kthvalue`: the k-th smallest (1-based) and its index."""
    d = wrap_dim(_int_dim(dim, "kthvalue"), input.ndim)
    if input.ndim and input.shape[d] == 0:
        raise IndexError(f"kthvalue(): Expected reduction dim {d} to have non-zero size.")
    if not 1 <= k <= _size(input, d):
        raise RuntimeError(f"kthvalue(): selected number k out of range for dimension {d}")
    return _dim_selection(input, d, keepdim, "kthvalue", _kthvalue_values, k=k - 1, nan="last")


def _lower_median(x, skip_nan: bool):
    m = xp(x)
    flat = x.reshape(-1)
    if x.dtype.kind == "f":
        nans = m.isnan(flat)
        if skip_nan:
            flat = flat[~nans]
        elif nans.any():
            return m.asarray(math.nan, dtype=x.dtype)
        if flat.size == 0:
            return m.asarray(math.nan, dtype=x.dtype)
    k = (flat.size - 1) // 2
    return m.partition(flat, k)[k]


_median_all = _evenly_full("median", 0, lambda x: _lower_median(x, False))
_nanmedian_all = _evenly_full("nanmedian", 0, lambda x: _lower_median(x, True))


def median(input, dim=None, keepdim=False):  # noqa: A002
    """Mirrors `torch.median`: the lower median; nan if any value is nan. Without dim, tied
    medians share the gradient (MedianBackward0); with dim, a `(values, indices)` tuple."""
    if dim is None:
        return _median_all(input)
    return _dim_selection(input, dim, keepdim, "median", _median_values, k=-1, nan="first")


def nanmedian(input, dim=None, keepdim=False):  # noqa: A002
    """Mirrors `torch.nanmedian`: the lower median of the values that are not nan."""
    if dim is None:
        return _nanmedian_all(input)
    return _dim_selection(input, dim, keepdim, "nanmedian", _nanmedian_values, k=-1, nan="skip")


# ---- unique -------------------------------------------------------------------------------------


def _unique_node(name: str, message_name: str):
    # the forward gets the values computed by `unique` beside the inverse and the counts
    p = primitive(name)(lambda x, *, values: values)

    @p.backward
    def _(ctx, grad):
        raise NotImplementedError(f"the derivative for '{message_name}' is not implemented.")

    return p


_unique_flat = _unique_node("_unique2", "_unique2")
_unique_dim = _unique_node("unique_dim", "unique_dim")


def unique(input, sorted=True, return_inverse=False, return_counts=False, dim=None):  # noqa: A002
    """Mirrors `torch.unique`: the values come out sorted, also for `sorted=False` (torch's
    order there is unspecified); every nan is its own value, as in torch."""
    from .._tensor import Tensor

    data = input._data
    m = xp(data)
    if dim is None:
        values, inverse, counts = m.unique(
            data.reshape(-1), return_inverse=True, return_counts=True, equal_nan=False
        )
        inverse = inverse.reshape(data.shape)
        out = _unique_flat(input, values=values)
    else:
        d = wrap_dim(dim, input.ndim)
        values, inverse, counts = m.unique(
            data, return_inverse=True, return_counts=True, axis=d, equal_nan=False
        )
        out = _unique_dim(input, values=values)
    extras = []
    if return_inverse:
        extras.append(Tensor._make(inverse.reshape(-1) if dim is not None else inverse)
                      .long())  # fmt: skip
    if return_counts:
        extras.append(Tensor._make(counts).long())
    return (out, *extras) if extras else out
