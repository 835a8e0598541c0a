"""Scans along one dim: cumsum, cumprod, cummax/cummin, logcumsumexp, and diff.

The derivative of cumprod is exact with zeros in the input, to every order: it is written with
a linear recurrence (`_linear_scan`) instead of dividing by the input.
"""

from __future__ import annotations

import math

from .. import _backend, _dtype
from . import primitive
from .pointwise import exp, where
from .reduce import RETURN_TYPES, _has_zero, _selecting
from .shape import cat, flip, wrap_dim

xp = _backend.xp

__all__ = [
    "cummax",
    "cummin",
    "cumprod",
    "cumsum",
    "diff",
    "logcumsumexp",
]


# ---- building blocks for the derivatives: shift, linear recurrence ------------------------


@primitive("_shift", node_name="ShiftBackward0")
def _shift(x, *, dim, step, fill):
    """Move the elements one place along `dim` (step 1: forwards, -1: backwards), filling in."""
    m = xp(x)
    out = m.full_like(x, fill)
    n = x.shape[dim]
    src = [slice(None)] * x.ndim
    dst = [slice(None)] * x.ndim
    src[dim], dst[dim] = (
        (slice(0, n - 1), slice(1, n)) if step == 1 else (slice(1, n), slice(0, n - 1))
    )
    out[tuple(dst)] = x[tuple(src)]
    return out


@_shift.backward
def _(ctx, grad):
    return _shift(grad, dim=ctx.dim, step=-ctx.step, fill=0.0)


@primitive("_linear_scan", node_name="LinearScanBackward0")
def _linear_scan(g, a, *, dim):
    """out[i] = g[i] + a[i] * out[i - 1] along `dim`, with out[-1] = 0."""
    m = xp(g)
    g, a = m.moveaxis(g, dim, 0), m.moveaxis(m.broadcast_to(a, g.shape), dim, 0)
    out = m.empty_like(g)
    carry = m.zeros_like(g[0]) if len(g) else None
    for i in range(len(g)):
        carry = g[i] + a[i] * carry
        out[i] = carry
    return m.moveaxis(out, 0, dim)


@_linear_scan.backward
def _(ctx, grad):
    _, a = ctx.inputs
    d = ctx.dim
    # the transposed recurrence runs backwards: r[i] = grad[i] + a[i + 1] * r[i + 1]
    r = _reverse_scan(grad, _shift(a, dim=d, step=-1, fill=0.0), d)
    # d out[k] / d a[i] = out[i - 1] * prod(a[i+1..k])
    return r, r * _shift(ctx.result, dim=d, step=1, fill=0.0)


def _reverse_scan(g, b, dim):
    """r[i] = g[i] + b[i] * r[i + 1], with r[n] = 0."""
    return flip(_linear_scan(flip(g, (dim,)), flip(b, (dim,)), dim=dim), (dim,))


def _reverse_cumsum(x, dim):
    return flip(cumsum(flip(x, (dim,)), dim), (dim,))


def _exclusive_cumprod(x, dim):
    """out[k] = prod(x[:k]) along `dim`."""
    return _shift(cumprod(x, dim), dim=dim, step=1, fill=1.0)


# ---- cumsum, cumprod ----------------------------------------------------------------------------


def _accumulate_dtype(x):
    return None if x.dtype.kind == "f" else _dtype.int64._np


@primitive("cumsum")
def _cumsum(x, *, dim):
    if x.ndim == 0:
        return x.astype(_accumulate_dtype(x) or x.dtype)
    return xp(x).cumsum(x, axis=dim, dtype=_accumulate_dtype(x))


@_cumsum.backward
def _(ctx, grad):
    return grad if not ctx.shapes[0] else _reverse_cumsum(grad, ctx.dim)


@primitive("cumprod")
def _cumprod(x, *, dim):
    if x.ndim == 0:
        return x.astype(_accumulate_dtype(x) or x.dtype)
    return xp(x).cumprod(x, axis=dim, dtype=_accumulate_dtype(x))


@_cumprod.backward
def _(ctx, grad):
    (x,) = ctx.inputs
    d = ctx.dim
    if not ctx.shapes[0]:
        return grad
    if not _has_zero(x):
        # d/dx_k sum_i g_i y_i = sum_{i >= k} g_i y_i / x_k
        return _reverse_cumsum(grad * ctx.result, d) / x
    # NOTE: with zeros, no division: d/dx_k = prod(x[:k]) * s_k, where
    # s_k = sum_{i >= k} g_i prod(x[k+1..i]) = g_k + x_{k+1} s_{k+1}; exact to every order
    s = _reverse_scan(grad, _shift(x, dim=d, step=-1, fill=0.0), d)
    return _shift(ctx.result, dim=d, step=1, fill=1.0) * s


def _scan_args(x, dim, dtype):
    x = x if dtype is None else x.to(dtype)
    return x, wrap_dim(dim, x.ndim)


def cumsum(input, dim, *, dtype=None):  # noqa: A002
    """Mirrors `torch.cumsum` (integers and bools accumulate in int64)."""
    x, d = _scan_args(input, dim, dtype)
    return _cumsum(x, dim=d)


def cumprod(input, dim, *, dtype=None):  # noqa: A002
    """Mirrors `torch.cumprod`; the gradient is exact with zeros in the input."""
    x, d = _scan_args(input, dim, dtype)
    return _cumprod(x, dim=d)


# ---- cummax, cummin -----------------------------------------------------------------------------


@primitive("cum_extreme_index", differentiable=False)
def _cum_extreme_index(x, *, dim, largest):
    m = xp(x)
    if x.ndim == 0:
        return m.zeros((), dtype=m.int64)
    values = (m.maximum if largest else m.minimum).accumulate(x, axis=dim)
    # NOTE: the index moves on ties and on every nan, as in torch: it is the last position so
    # far holding the running extreme
    hits = x == values
    if x.dtype.kind == "f":
        hits |= m.isnan(x)
    shape = [1] * x.ndim
    shape[dim] = x.shape[dim]
    positions = m.where(hits, m.arange(x.shape[dim]).reshape(shape), 0)
    return m.maximum.accumulate(positions, axis=dim).astype(m.int64)


_cummax_values = _selecting("cummax")
_cummin_values = _selecting("cummin")


def cummax(input, dim):  # noqa: A002
    """Mirrors `torch.cummax`: a `(values, indices)` named tuple."""
    d = wrap_dim(dim, input.ndim)
    index = _cum_extreme_index(input, dim=d, largest=True)
    return RETURN_TYPES["cummax"](_cummax_values(input, index, dim=d, keepdim=True), index)


def cummin(input, dim):  # noqa: A002
    """Mirrors `torch.cummin`: a `(values, indices)` named tuple."""
    d = wrap_dim(dim, input.ndim)
    index = _cum_extreme_index(input, dim=d, largest=False)
    return RETURN_TYPES["cummin"](_cummin_values(input, index, dim=d, keepdim=True), index)


# ---- logcumsumexp -------------------------------------------------------------------------------


@primitive("logcumsumexp")
def _logcumsumexp(x, *, dim):
    m = xp(x)
    if x.ndim == 0:
        return x.copy()
    with m.errstate(all="ignore"):
        return m.logaddexp.accumulate(x, axis=dim)


@_logcumsumexp.backward
def _(ctx, grad):
    (x,) = ctx.inputs
    d = ctx.dim
    if not ctx.shapes[0]:
        return grad
    y = ctx.result
    # d/dx_k = sum_{i >= k} g_i exp(x_k - y_i) = exp(x_k - y_k) s_k, where
    # s_k = g_k + exp(y_k - y_{k+1}) s_{k+1}: y never decreases, so no factor exceeds 1 and
    # nothing overflows; past a +inf the terms vanish (torch: nan only at the inf itself)
    following = _shift(y, dim=d, step=-1, fill=math.inf)
    decay = where(following == math.inf, 0.0, exp(y - following))
    return exp(x - y) * _reverse_scan(grad, decay, d)


def logcumsumexp(input, dim):  # noqa: A002
    """Mirrors `torch.logcumsumexp`."""
    if not input.dtype.is_floating_point:
        raise NotImplementedError(
            f"\"logcumsumexp_out_cpu\" not implemented for '{input.dtype._title}'"
        )
    return _logcumsumexp(input, dim=wrap_dim(dim, input.ndim))


# ---- diff ---------------------------------------------------------------------------------------


def diff(input, n=1, dim=-1, prepend=None, append=None):  # noqa: A002
    """Mirrors `torch.diff`: differences of neighbours (`!=` for bools), n times."""
    if input.ndim == 0:
        raise RuntimeError("diff expects input to be at least one-dimensional")
    if n < 0:
        raise RuntimeError(f"order must be non-negative but got {n}")
    d = wrap_dim(dim, input.ndim)
    x = input
    if prepend is not None or append is not None:
        parts = [_diff_part(t, input, d) for t in (prepend,) if t is not None]
        parts += [input] + [_diff_part(t, input, d) for t in (append,) if t is not None]
        x = cat(parts, d)
    lead = (slice(None),) * d
    for _ in range(n):
        if x.shape[d] == 0:
            break
        later, earlier = x[lead + (slice(1, None),)], x[lead + (slice(None, -1),)]
        x = later != earlier if x.dtype is _dtype.bool else later - earlier
    return x


def _diff_part(t, x, dim):
    from .._tensor import Tensor

    if not isinstance(t, Tensor) or t.ndim != x.ndim:
        raise RuntimeError("diff expects prepend or append to be the same dimension as input")
    for i, (a, b) in enumerate(zip(x.shape, t.shape)):
        if i != dim and a != b:
            raise RuntimeError(
                "diff expects the shape of tensor to prepend or append to match that of input "
                f"except along the differencing dimension; input.size({i}) = {a}, but got "
                f"tensor.size({i}) = {b}"
            )
    return t
