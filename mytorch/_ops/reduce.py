"""Reductions: sum and mean (whole tensor, or over dims with keepdim)."""

from __future__ import annotations

from .. import _dtype
from . import primitive
from .shape import keepdim_shape, reduce_dims

__all__ = [
    "mean",
    "sum",
    "sum_to_size",
]


@primitive("sum", 0)
def _sum_all(x):
    return x.sum(dtype=_sum_dtype(x))


@_sum_all.backward
def _(ctx, grad):
    return grad.expand(ctx.shapes[0])


@primitive("sum", 1)
def _sum_dim(x, *, dim, keepdim):
    return x.sum(axis=dim, keepdims=keepdim, dtype=_sum_dtype(x))


@_sum_dim.backward
def _(ctx, grad):
    shape = ctx.shapes[0]
    if not ctx.keepdim:
        grad = grad.reshape(keepdim_shape(shape, ctx.dim))
    return grad.expand(shape)


def _sum_dtype(x):
    # torch sums integers and bools into int64
    return None if x.dtype.kind in "fc" else _dtype.int64._np


@primitive("mean", 0)
def _mean_all(x):
    return x.mean(dtype=x.dtype)


@_mean_all.backward
def _(ctx, grad):
    shape = ctx.shapes[0]
    return grad.expand(shape) / max(_numel(shape), 1)


@primitive("mean", 1)
def _mean_dim(x, *, dim, keepdim):
    return x.mean(axis=dim, keepdims=keepdim, dtype=x.dtype)


@_mean_dim.backward
def _(ctx, grad):
    shape = ctx.shapes[0]
    if not ctx.keepdim:
        grad = grad.reshape(keepdim_shape(shape, ctx.dim))
    count = 1
    for d in ctx.dim:
        count *= shape[d]
    return grad.expand(shape) / count


def _numel(shape):
    n = 1
    for d in shape:
        n *= d
    return n


def sum(input, dim=None, keepdim=False, *, dtype=None):  # noqa: A001, A002
    """Mirrors `torch.sum`."""
    x = input if dtype is None else input.to(dtype)
    if dim is None:
        return _sum_all(x)
    return _sum_dim(x, dim=reduce_dims(dim, x.ndim), keepdim=bool(keepdim))


def mean(input, dim=None, keepdim=False, *, dtype=None):  # noqa: A002
    """Mirrors `torch.mean`."""
    x = input if dtype is None else input.to(dtype)
    if not x.dtype.is_floating_point:
        raise RuntimeError(
            "mean(): could not infer output dtype. Input dtype must be either a floating point "
            f"or complex dtype. Got: {x.dtype._title}"
        )
    if dim is None:
        return _mean_all(x)
    return _mean_dim(x, dim=reduce_dims(dim, x.ndim), keepdim=bool(keepdim))


def sum_to_size(x, size):
    """Mirrors `torch.Tensor.sum_to_size`: sum broadcast dims away so that x has `size`."""
    shape = tuple(x.shape)
    size = tuple(size)
    if shape == size:
        return x
    lead = len(shape) - len(size)
    if lead < 0 or any(s != 1 and s != d for s, d in zip(size, shape[lead:])):
        raise RuntimeError(f"size {list(size)} is not expandable to size {list(shape)}.")
    dims = tuple(range(lead)) + tuple(
        lead + i for i, s in enumerate(size) if s == 1 and shape[lead + i] != 1
    )
    out = _sum_dim(x, dim=dims, keepdim=True)
    return out.reshape(size) if lead else out
