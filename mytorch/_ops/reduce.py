"""Reductions: sum/mean/prod and their nan forms, amax/amin, max/min (with indices), argmax,
aminmax, var/std, logsumexp, vector/matrix norms, all/any/count_nonzero.

Also the pieces the sort and scan ops share: torch's named result tuples and the
value-selecting gather (its derivative puts the gradient back at the selected indices).
"""

from __future__ import annotations

import builtins
import collections
import math
import warnings

from .. import _backend, _dtype
from . import primitive
from .pointwise import abs, exp, logical_and, logical_or, sign, where  # noqa: A004
from .shape import flip, keepdim_shape, reduce_dims, wrap_dim, wrap_dims

xp = _backend.xp

__all__ = [
    "all",
    "amax",
    "amin",
    "aminmax",
    "any",
    "argmax",
    "argmin",
    "count_nonzero",
    "logsumexp",
    "matrix_norm",
    "max",
    "mean",
    "min",
    "nanmean",
    "nansum",
    "norm",
    "prod",
    "std",
    "std_mean",
    "sum",
    "sum_to_size",
    "var",
    "var_mean",
    "vector_norm",
]


# ---- shared helpers -----------------------------------------------------------------------------


def _return_type(name: str, fields: tuple):
    """A tuple with named fields, printed as torch prints `torch.return_types.<name>`."""
    base = collections.namedtuple(name, fields)  # type: ignore[misc]  # names vary per op

    def __repr__(self):  # noqa: N807
        body = ",\n".join(f"{f}={v!r}" for f, v in zip(self._fields, self))
        return f"torch.return_types.{name}(\n{body})"

    return type(name, (base,), {"__slots__": (), "__repr__": __repr__,
                                "__module__": "mytorch.return_types"})  # fmt: skip


_SELECTIONS = ("max", "min", "median", "nanmedian", "kthvalue", "sort", "topk", "cummax", "cummin")
RETURN_TYPES = {name: _return_type(name, ("values", "indices")) for name in _SELECTIONS}
RETURN_TYPES["aminmax"] = _return_type("aminmax", ("min", "max"))


def _numel(shape) -> int:
    n = 1
    for d in shape:
        n *= d
    return n


def _kept(t, shape, dims, keepdim):
    """A reduction's result or gradient reshaped to broadcast against the input again."""
    return t if keepdim else t.reshape(keepdim_shape(shape, dims))


def _isnan(t):
    return t != t


def _has_zero(t) -> bool:
    return bool(_any(t == 0, dim=tuple(range(t.ndim)), keepdim=False))


def _safe_div(grad, denominator):
    """`grad / denominator`, and 0 where the denominator is 0.

    The inner `where` keeps the masked quotient finite, so its derivative is 0 and not 0 * inf.
    """
    zero = denominator == 0
    return where(zero, 0.0, grad / where(zero, 1.0, denominator))


def _float_only(x, fn: str) -> None:
    if not x.dtype.is_floating_point:
        raise RuntimeError(
            f"{fn}: Expected a floating point or complex tensor as input. Got {x.dtype._title}"
        )


def _no_empty_reduction(x, fn: str, dims, error=IndexError) -> None:
    """torch's errors for reductions without an identity (max, amax, argmax, ...) on empty input."""
    if dims is None:
        if x.numel() == 0:
            tail = ""
            if error is RuntimeError:
                tail = " Specify the reduction dim with the 'dim' argument."
            raise error(
                f"{fn}(): Expected reduction dim to be specified for input.numel() == 0.{tail}"
            )
        return
    shape = tuple(x.shape)
    for d in dims:
        if shape and shape[d] == 0:
            raise IndexError(f"{fn}(): Expected reduction dim {d} to have non-zero size.")


def _int_dim(dim, fn: str) -> int:
    if isinstance(dim, (tuple, list)):
        raise TypeError(f"{fn}(): argument 'dim' must be int, not {type(dim).__name__}")
    return dim


# ---- gather by index: the values of max(dim), sort, topk, median, cummax, ... ------------------


def _gather_forward(x, index, *, dim, keepdim):
    if x.ndim == 0:
        return x.copy()
    m = xp(x)
    idx = index if keepdim else m.expand_dims(index, dim)
    out = m.take_along_axis(x, idx, axis=dim)
    return out if keepdim else m.squeeze(out, axis=dim)


def _gather_backward(ctx, grad):
    # NOTE: the gradient goes only to the selected index (summed where indices repeat), not
    # split among ties as for max() without dim
    return _scatter_add(grad, ctx.inputs[1], dim=ctx.dim, keepdim=ctx.keepdim,
                        shape=ctx.shapes[0]), None  # fmt: skip


def _selecting(name: str, overload: int = 0, node_name: str | None = None):
    """A primitive `op(x, index, *, dim, keepdim)` that takes x's values at `index` along `dim`
    and records the node torch names `<Name>Backward<overload>`."""
    p = primitive(name, overload, node_name=node_name, shown=(0,))(_gather_forward)
    p.backward(_gather_backward)
    return p


_gather = _selecting("_gather", node_name="GatherBackward0")


@primitive("_scatter_add", node_name="ScatterAddBackward0", shown=(0,))
def _scatter_add(grad, index, *, dim, keepdim, shape):
    m = xp(grad)
    if not shape:
        return grad.copy()
    if not keepdim:
        grad, index = m.expand_dims(grad, dim), m.expand_dims(index, dim)
    out = m.zeros(shape, dtype=grad.dtype)
    grid = list(m.meshgrid(*(m.arange(s) for s in index.shape), indexing="ij", sparse=True))
    grid[dim] = index
    m.add.at(out, tuple(grid), grad)
    return out


@_scatter_add.backward
def _(ctx, grad):
    return _gather(grad, ctx.inputs[1], dim=ctx.dim, keepdim=ctx.keepdim), None


# ---- sum, mean, prod and their nan forms --------------------------------------------------------


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
    return _kept(grad, shape, ctx.dim, ctx.keepdim).expand(shape)


def _sum_dtype(x):
    # torch sums integers and bools into int64
    return None if x.dtype.kind in "fc" else _dtype.int64._np


@primitive("mean", 0)
def _mean_all(x):
    return _quiet_mean(x, None, False)


@_mean_all.backward
def _(ctx, grad):
    shape = ctx.shapes[0]
    return grad.expand(shape) / builtins.max(_numel(shape), 1)


@primitive("mean", 1)
def _mean_dim(x, *, dim, keepdim):
    return _quiet_mean(x, dim, keepdim)


def _quiet_mean(x, dim, keepdim):
    if x.size:
        return x.mean(axis=dim, keepdims=keepdim, dtype=x.dtype)
    with warnings.catch_warnings():  # nan for an empty mean, silently as in torch
        warnings.simplefilter("ignore", RuntimeWarning)
        return x.mean(axis=dim, keepdims=keepdim, dtype=x.dtype)


@_mean_dim.backward
def _(ctx, grad):
    shape = ctx.shapes[0]
    count = _numel(shape[d] for d in ctx.dim)
    return _kept(grad, shape, ctx.dim, ctx.keepdim).expand(shape) / count


@primitive("nansum")
def _nansum(x, *, dim, keepdim):
    return xp(x).nansum(x, axis=dim, keepdims=keepdim, dtype=_sum_dtype(x))


@_nansum.backward
def _(ctx, grad):
    (x,) = ctx.inputs
    return where(_isnan(x), 0.0, _kept(grad, ctx.shapes[0], ctx.dim, ctx.keepdim))


class _AllDims:
    """The default `dim` of sum and mean: torch records `dim=None` given explicitly as the dim
    overload (SumBackward1), and no dim at all as the full reduction (SumBackward0)."""

    def __repr__(self) -> str:
        return "<all dims>"


_ALL = _AllDims()


def _full_or_dims(x, dim, keepdim, fn: str):
    if dim is _ALL:
        if keepdim:
            raise TypeError(
                f"{fn}() received an invalid combination of arguments - got (keepdim=bool), but "
                "expected (tuple of ints dim, bool keepdim)"
            )
        return None
    return _reduction_dims(x, dim)


def sum(input, dim=_ALL, keepdim=False, *, dtype=None):  # noqa: A001, A002
    """Mirrors `torch.sum`."""
    x = input if dtype is None else input.to(dtype)
    dims = _full_or_dims(x, dim, keepdim, "sum")
    if dims is None:
        return _sum_all(x)
    return _sum_dim(x, dim=dims, keepdim=bool(keepdim))


def nansum(input, dim=None, keepdim=False, *, dtype=None):  # noqa: A002
    """Mirrors `torch.nansum`."""
    x = input if dtype is None else input.to(dtype)
    dims = tuple(range(x.ndim)) if dim is None else reduce_dims(dim, x.ndim)
    return _nansum(x, dim=dims, keepdim=bool(keepdim))


def mean(input, dim=_ALL, keepdim=False, *, dtype=None):  # noqa: A002
    """Mirrors `torch.mean`."""
    x = input if dtype is None else input.to(dtype)
    if not x.dtype.is_floating_point:
        raise RuntimeError(
            "mean(): could not infer output dtype. Input dtype must be either a floating point "
            f"or complex dtype. Got: {x.dtype._title}"
        )
    dims = _full_or_dims(x, dim, keepdim, "mean")
    if dims is None:
        return _mean_all(x)
    return _mean_dim(x, dim=dims, keepdim=bool(keepdim))


def nanmean(input, dim=None, keepdim=False, *, dtype=None):  # noqa: A002
    """Mirrors `torch.nanmean`: the sum of the non-nan values over their count."""
    x = input if dtype is None else input.to(dtype)
    if not x.dtype.is_floating_point:
        raise RuntimeError(
            f"nanmean(): expected input to have floating point or complex dtype but got "
            f"{x.dtype._title}"
        )
    count = sum(~_isnan(x), _reduction_dims(x, dim), keepdim)
    return nansum(x, dim, keepdim) / count


@primitive("prod", 0)
def _prod_all(x):
    return x.prod(dtype=_sum_dtype(x))


@_prod_all.backward
def _(ctx, grad):
    (x,) = ctx.inputs
    if not _has_zero(x):
        return grad * ctx.result / x
    return grad * _prod_of_others(x.reshape(-1), 0).reshape(ctx.shapes[0])


@primitive("prod", 1)
def _prod_dim(x, *, dim, keepdim):
    return x.prod(axis=dim, keepdims=keepdim, dtype=_sum_dtype(x))


@_prod_dim.backward
def _(ctx, grad):
    (x,) = ctx.inputs
    shape = ctx.shapes[0]
    grad = _kept(grad, shape, ctx.dim, ctx.keepdim)
    if not ctx.dim:  # a 0-d input
        return grad
    if not _has_zero(x):
        return grad * _kept(ctx.result, shape, ctx.dim, ctx.keepdim) / x
    return grad * _prod_of_others(x, ctx.dim[0])


def _prod_of_others(x, dim):
    """For each element, the product of all the others along `dim`, without dividing.

    Exclusive products from both ends: exact with any number of zeros, and to every order,
    which `prod / x` is not.
    """
    from .scan import _exclusive_cumprod

    before = _exclusive_cumprod(x, dim)
    after = flip(_exclusive_cumprod(flip(x, (dim,)), dim), (dim,))
    return before * after


def prod(input, dim=None, keepdim=False, *, dtype=None):  # noqa: A002
    """Mirrors `torch.prod` (dim is one int, as in torch)."""
    x = input if dtype is None else input.to(dtype)
    if dim is None:
        return _prod_all(x)
    dim = wrap_dim(_int_dim(dim, "prod"), x.ndim)
    return _prod_dim(x, dim=(dim,) if x.ndim else (), keepdim=bool(keepdim))


# ---- amax, amin, max, min, argmax, argmin, aminmax ----------------------------------------------


def _extremum(name: str, fn: str, node_name: str | None = None):
    p = primitive(name, node_name=node_name)(
        lambda x, *, dim, keepdim: getattr(xp(x), fn)(x, axis=dim, keepdims=keepdim)
    )
    p.backward(_split_among_ties)
    return p


def _split_among_ties(ctx, grad):
    # NOTE: tied extremes share the gradient evenly, as in torch ([1, 3, 3] -> [0, .5, .5]);
    # a nan result matches nothing, so the gradient is nan everywhere, also as in torch
    (x,) = ctx.inputs
    shape, dims, keepdim = ctx.shapes[0], ctx.dim, ctx.keepdim
    mask = x == _kept(ctx.result, shape, dims, keepdim)
    count = sum(mask, dims, keepdim=True)
    return _kept(grad, shape, dims, keepdim) * mask / count


_amax = _extremum("amax", "max")
_amin = _extremum("amin", "min")
_aminmax_min = _extremum("aminmax", "min")
_aminmax_max = _extremum("aminmax_max", "max", node_name="AminmaxBackward0")


def _evenly_full(name: str, overload: int, forward):
    """A full reduction selecting one value (max(), median()); ties and nans share the gradient."""
    p = primitive(name, overload)(forward)

    @p.backward
    def _(ctx, grad):
        # NOTE: a nan result gives the gradient to the nans, split evenly like ties
        (x,) = ctx.inputs
        r = ctx.result
        mask = logical_or(x == r, logical_and(_isnan(x), _isnan(r)))
        return grad * mask / sum(mask)

    return p


_max_all = _evenly_full("max", 1, lambda x: x.max())
_min_all = _evenly_full("min", 1, lambda x: x.min())
_max_dim = _selecting("max", 0)
_min_dim = _selecting("min", 0)


def _reduction_dims(x, dim):
    return tuple(range(x.ndim)) if dim is None else reduce_dims(dim, x.ndim)


def _amax_like(x, dim, keepdim, fn: str, op):
    dims = _reduction_dims(x, dim)
    _no_empty_reduction(x, fn, dims if _dims_given(dim) else None, RuntimeError)
    return op(x, dim=dims, keepdim=bool(keepdim))


def _dims_given(dim) -> bool:
    return dim is not None and not (isinstance(dim, (tuple, list)) and len(dim) == 0)


def amax(input, dim=(), keepdim=False):  # noqa: A002
    """Mirrors `torch.amax`: `dim=()` reduces all dims; tied maxima share the gradient."""
    return _amax_like(input, dim, keepdim, "amax", _amax)


def amin(input, dim=(), keepdim=False):  # noqa: A002
    """Mirrors `torch.amin`: `dim=()` reduces all dims; tied minima share the gradient."""
    return _amax_like(input, dim, keepdim, "amin", _amin)


@primitive("argmax", differentiable=False)
def _argmax(x, *, dim, keepdim):
    return _arg_extreme(x, dim, keepdim, "argmax")


@primitive("argmin", differentiable=False)
def _argmin(x, *, dim, keepdim):
    return _arg_extreme(x, dim, keepdim, "argmin")


def _arg_extreme(x, dim, keepdim, fn):
    m = xp(x)
    if dim is None:
        out = getattr(m, fn)(x)  # nan counts as the extreme, first occurrence wins, as in torch
        return m.asarray(out, dtype=m.int64).reshape((1,) * x.ndim if keepdim else ())
    if x.ndim == 0:
        return m.zeros((), dtype=m.int64)
    return getattr(m, fn)(x, axis=dim, keepdims=keepdim).astype(m.int64)


def _arg_checked(x, dim, keepdim, fn: str, op):
    if x.dtype is _dtype.bool and fn in ("argmax", "argmin"):
        raise RuntimeError(f"{fn}(): does not support bool input")
    if dim is None:
        _no_empty_reduction(x, fn, None)
        return op(x, dim=None, keepdim=bool(keepdim))
    d = wrap_dim(_int_dim(dim, fn), x.ndim)
    _no_empty_reduction(x, fn, (d,))
    return op(x, dim=d, keepdim=bool(keepdim))


def argmax(input, dim=None, keepdim=False):  # noqa: A002
    """Mirrors `torch.argmax`."""
    return _arg_checked(input, dim, keepdim, "argmax", _argmax)


def argmin(input, dim=None, keepdim=False):  # noqa: A002
    """Mirrors `torch.argmin`."""
    return _arg_checked(input, dim, keepdim, "argmin", _argmin)


def _extreme(x, dim, keepdim, other, fn: str):
    from .._tensor import Tensor

    if isinstance(dim, Tensor) or other is not None:
        other = dim if other is None else other
        from . import maximum, minimum  # the binary forms are pointwise ops

        return (maximum if fn == "max" else minimum)(x, other)
    if dim is None:
        if keepdim:
            raise TypeError(f"{fn}() received an invalid combination of arguments: keepdim "
                            "needs dim")  # fmt: skip
        _no_empty_reduction(x, fn, None, RuntimeError)
        return (_max_all if fn == "max" else _min_all)(x)
    if isinstance(dim, bool) or not hasattr(dim, "__index__"):
        raise TypeError(
            f"{fn}() received an invalid combination of arguments - got ({type(dim).__name__}), "
            "but expected one of: (), (Tensor other), (int dim, bool keepdim = False)"
        )
    d = wrap_dim(dim, x.ndim)
    _no_empty_reduction(x, fn, (d,))
    index = (_argmax if fn == "max" else _argmin)(x, dim=d, keepdim=bool(keepdim))
    values = (_max_dim if fn == "max" else _min_dim)(x, index, dim=d, keepdim=bool(keepdim))
    return RETURN_TYPES[fn](values, index)


def max(input, dim=None, keepdim=False, *, other=None):  # noqa: A001, A002
    """Mirrors `torch.max`: the whole tensor (MaxBackward1; tied maxima share the gradient), a
    `(values, indices)` tuple along `dim` (MaxBackward0), or `maximum(input, other)`."""
    return _extreme(input, dim, keepdim, other, "max")


def min(input, dim=None, keepdim=False, *, other=None):  # noqa: A001, A002
    """Mirrors `torch.min`; see `max`."""
    return _extreme(input, dim, keepdim, other, "min")


def aminmax(input, *, dim=None, keepdim=False):  # noqa: A002
    """Mirrors `torch.aminmax`: a `(min, max)` named tuple."""
    if input.numel() == 0:
        raise RuntimeError(
            "aminmax(): cannot compute aminmax over an empty dimension as the operation has no "
            "identity."
        )
    dims = tuple(range(input.ndim)) if dim is None else (wrap_dim(dim, input.ndim),)
    dims = dims if input.ndim else ()
    keepdim = bool(keepdim)
    lo = _aminmax_min(input, dim=dims, keepdim=keepdim)
    hi = _aminmax_max(input, dim=dims, keepdim=keepdim)
    return RETURN_TYPES["aminmax"](lo, hi)


# ---- var, std, var_mean, std_mean ---------------------------------------------------------------


def _moment(name: str, node_name: str | None, kind: str):
    """var or std (kind) with torch's correction; also the first output of var_mean/std_mean."""

    def forward(x, *, dim, correction, keepdim):
        m = xp(x)
        with m.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            out = m.var(x, axis=dim, ddof=correction, keepdims=keepdim)
            return m.sqrt(out) if kind == "std" else out

    p = primitive(name, node_name=node_name)(forward)

    @p.backward
    def _(ctx, grad):
        (x,) = ctx.inputs
        shape, dims, keepdim = ctx.shapes[0], ctx.dim, ctx.keepdim
        dof = builtins.max(_numel(shape[d] for d in dims) - ctx.correction, 0)
        centred = x - x.mean(dims, keepdim=True) if dims else x - x
        grad = _kept(grad, shape, dims, keepdim)
        if kind == "var":
            # d var / dx = 2 (x - mean) / (N - correction)
            return grad * centred * (2.0 / dof if dof else math.inf)
        # d std / dx = (x - mean) / (std (N - correction)); NOTE: 0 where std is 0, as in torch
        return _safe_div(grad * centred, _kept(ctx.result, shape, dims, keepdim) * float(dof))

    return p


_var = _moment("var", None, "var")
_std = _moment("std", None, "std")
_var_of_var_mean = _moment("var_mean", None, "var")
_std_of_std_mean = _moment("std_mean", None, "std")


def _mean_part(name: str):
    p = primitive(name, node_name=f"{name.split('_')[0].capitalize()}MeanBackward0")(
        lambda x, *, dim, keepdim: _quiet_mean(x, dim, keepdim)
    )

    @p.backward
    def _(ctx, grad):
        shape = ctx.shapes[0]
        count = builtins.max(_numel(shape[d] for d in ctx.dim), 1)
        return _kept(grad, shape, ctx.dim, ctx.keepdim).expand(shape) / count

    return p


_mean_of_var_mean = _mean_part("var_mean_mean")
_mean_of_std_mean = _mean_part("std_mean_mean")


def _moment_args(fn, x, dim, unbiased, keepdim, correction):
    if isinstance(dim, bool) and unbiased is None:
        dim, unbiased = None, dim  # var(input, unbiased): the legacy positional form
    if unbiased is not None and correction is not None:
        raise TypeError(f"{fn}() received an invalid combination of arguments - got both "
                        "'unbiased' and 'correction'")  # fmt: skip
    if correction is None:
        correction = 1 if unbiased is None else int(bool(unbiased))
    if not x.dtype.is_floating_point:
        raise RuntimeError("std and var only support floating point and complex dtypes")
    dims = tuple(range(x.ndim)) if dim is None else reduce_dims(dim, x.ndim)
    n = _numel(x.shape[d] for d in dims)
    if n - correction <= 0:
        warnings.warn(
            f"{fn.split('_')[0]}(): degrees of freedom is <= 0. Correction should be strictly "
            "less than the reduction factor (input numel divided by output numel).",
            UserWarning,
            stacklevel=3,
        )
    return dict(dim=dims, correction=correction, keepdim=bool(keepdim))


def var(input, dim=None, unbiased=None, keepdim=False, *, correction=None):  # noqa: A002
    """Mirrors `torch.var` (both the `correction=` and the legacy `unbiased` forms)."""
    return _var(input, **_moment_args("var", input, dim, unbiased, keepdim, correction))


def std(input, dim=None, unbiased=None, keepdim=False, *, correction=None):  # noqa: A002
    """Mirrors `torch.std`."""
    return _std(input, **_moment_args("std", input, dim, unbiased, keepdim, correction))


def var_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):  # noqa: A002
    """Mirrors `torch.var_mean`: a `(var, mean)` tuple, both recorded as VarMeanBackward0."""
    args = _moment_args("var_mean", input, dim, unbiased, keepdim, correction)
    mean_args = dict(dim=args["dim"], keepdim=args["keepdim"])
    return _var_of_var_mean(input, **args), _mean_of_var_mean(input, **mean_args)


def std_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):  # noqa: A002
    """Mirrors `torch.std_mean`: a `(std, mean)` tuple, both recorded as StdMeanBackward0."""
    args = _moment_args("std_mean", input, dim, unbiased, keepdim, correction)
    mean_args = dict(dim=args["dim"], keepdim=args["keepdim"])
    return _std_of_std_mean(input, **args), _mean_of_std_mean(input, **mean_args)


# ---- logsumexp ----------------------------------------------------------------------------------


@primitive("logsumexp", promote="float")
def _logsumexp(x, *, dim, keepdim):
    m = xp(x)
    if x.size == 0:
        return m.log(m.sum(m.exp(x), axis=dim, keepdims=keepdim))
    # shift by the maximum so exp never overflows; an infinite maximum is not subtracted, so
    # rows of -inf give -inf and rows holding +inf give +inf, as in torch
    top = m.max(x, axis=dim, keepdims=True)
    top = m.where(m.isinf(top), 0, top)
    with m.errstate(all="ignore"):
        out = m.log(m.sum(m.exp(x - top), axis=dim, keepdims=True)) + top
    return out if keepdim else m.squeeze(out, axis=dim)


@_logsumexp.backward
def _(ctx, grad):
    (x,) = ctx.inputs
    shape, dims, keepdim = ctx.shapes[0], ctx.dim, ctx.keepdim
    # softmax weights: d/dx log sum exp x = exp(x - lse)
    return _kept(grad, shape, dims, keepdim) * exp(x - _kept(ctx.result, shape, dims, keepdim))


def logsumexp(input, dim, keepdim=False):  # noqa: A002
    """Mirrors `torch.logsumexp` (integers give the default float dtype). `dim=()` reduces all
    dims, where torch 2.13 fails with a shape error."""
    if dim is None:
        raise TypeError(
            "logsumexp(): argument 'dim' (position 1) must be tuple of ints, not NoneType"
        )
    return _logsumexp(input, dim=_reduction_dims(input, dim), keepdim=bool(keepdim))


# ---- norms --------------------------------------------------------------------------------------


@primitive("linalg_vector_norm")
def _vector_norm(x, *, ord, dim, keepdim):  # noqa: A002
    m = xp(x)
    a = m.abs(x)
    with m.errstate(all="ignore"):
        if ord == 2:
            return m.sqrt(m.sum(a * a, axis=dim, keepdims=keepdim))
        if ord == 1:
            return m.sum(a, axis=dim, keepdims=keepdim)
        if ord == math.inf:
            return m.max(a, axis=dim, keepdims=keepdim)
        if ord == -math.inf:
            return m.min(a, axis=dim, keepdims=keepdim)
        if ord == 0:
            return m.sum(a != 0, axis=dim, keepdims=keepdim).astype(x.dtype)
        return m.power(m.sum(m.power(a, ord), axis=dim, keepdims=keepdim), 1.0 / ord)


@_vector_norm.backward
def _(ctx, grad):
    (x,) = ctx.inputs
    p, shape, dims, keepdim = ctx.ord, ctx.shapes[0], ctx.dim, ctx.keepdim
    if p == 0:
        return None  # a count: torch leaves the input unused
    grad = _kept(grad, shape, dims, keepdim)
    norm = _kept(ctx.result, shape, dims, keepdim)
    if p == 1:
        return grad * sign(x)
    if p == 2:
        # NOTE: 0 for the zero vector, not nan, as in torch. The safe denominator keeps the
        # derivative with respect to `grad` finite there too (torch's is); torch's second
        # derivative with respect to x at the zero vector is nan, this one's is 0
        return x * where(norm == 0, 0.0, grad / where(norm == 0, 1.0, norm))
    if math.isinf(p):
        # NOTE: tied extremes share the gradient evenly, as for amax
        mask = abs(x) == norm
        return grad * sign(x) * mask / sum(mask, dims, keepdim=True)
    # d/dx_i (sum |x|^p)^(1/p) = sign(x_i) |x_i|^(p-1) / norm^(p-1); NOTE: 0 where x_i or the
    # norm is 0, as in torch (|0|^(p-1) is infinite for p < 1)
    power = where(x == 0, 0.0, sign(x) * abs(x) ** (p - 1))
    return power * where(norm == 0, 0.0, grad / where(norm == 0, 1.0, norm) ** (p - 1))


def vector_norm(x, ord=2, dim=None, keepdim=False, *, dtype=None):  # noqa: A002
    """Mirrors `torch.linalg.vector_norm`."""
    if not isinstance(ord, (int, float)):
        raise TypeError(
            f"linalg_vector_norm(): argument 'ord' (position 2) must be Number, not "
            f"{type(ord).__name__}"
        )
    if dtype is not None and not dtype.is_floating_point:
        raise RuntimeError(
            f"linalg.vector_norm: dtype should be floating point or complex, but got {dtype._title}"
        )
    _float_only(x, "linalg.vector_norm")
    if dtype is not None:
        if _dtype.promote_types(x.dtype, dtype) is not dtype:
            raise RuntimeError(
                f"linalg.vector_norm: the dtype of the input ({x.dtype._title}) should be "
                f"convertible without narrowing to the specified dtype ({dtype._title})"
            )
        x = x.to(dtype)
    dims = _reduction_dims(x, dim)
    if math.isinf(ord) and x.numel() == 0:
        raise RuntimeError(
            f"linalg.vector_norm cannot compute the {'' if ord > 0 else '-'}inf norm on an empty "
            "tensor because the operation does not have an identity"
        )
    return _vector_norm(x, ord=float(ord), dim=dims, keepdim=bool(keepdim))


def matrix_norm(A, ord="fro", dim=(-2, -1), keepdim=False, *, dtype=None):  # noqa: A002, N803
    """Mirrors `torch.linalg.matrix_norm`.

    'nuc', 2 and -2 take the singular values from `mytorch.linalg.svdvals`.
    """
    a = A
    if a.ndim < 2:
        raise RuntimeError(
            "linalg.matrix_norm: The input tensor A must have at least 2 dimensions."
        )
    if not isinstance(dim, (tuple, list)) or len(dim) != 2:
        raise RuntimeError(f"linalg.matrix_norm: dim must be a 2-tuple. Got {dim}")
    d0, d1 = wrap_dims(dim, a.ndim)
    if dtype is not None:
        a = a.to(dtype)
    if ord == "fro":
        return vector_norm(a, 2, (d0, d1), keepdim)
    if ord in ("nuc", 2, -2):
        return _singular_value_norm(a, ord, d0, d1, keepdim)
    if ord not in (1, -1, math.inf, -math.inf):
        raise RuntimeError(f"linalg.matrix_norm: Order {ord} not supported.")
    _float_only(a, "linalg.matrix_norm")
    # max (min) over columns of the column sums for 1 (-1), over rows of the row sums for inf;
    # amax comes last so that the result's node is AmaxBackward0, as in torch
    summed, kept = (d0, d1) if ord in (1, -1) else (d1, d0)
    sums = sum(abs(a), summed, keepdim=keepdim)
    if not keepdim and kept > summed:
        kept -= 1
    return (amax if ord > 0 else amin)(sums, kept, keepdim)


def _singular_value_norm(a, ord, d0, d1, keepdim):  # noqa: A002
    from ..linalg import svdvals

    # the two matrix dims go last; with keepdim they come back as 1s by the inverse permutation
    perm = [i for i in range(a.ndim) if i not in (d0, d1)] + [d0, d1]
    if perm != list(range(a.ndim)):
        a = a.permute(*perm)
    s = svdvals(a)
    if ord == "nuc":
        out = s.sum(-1, keepdim=keepdim)
    else:
        out = (amax if ord == 2 else amin)(s, -1, keepdim)
    if keepdim:
        out = out.unsqueeze(-1).permute(*(perm.index(i) for i in range(len(perm))))
    return out


def norm(input, p="fro", dim=None, keepdim=False, out=None, dtype=None):  # noqa: A002
    """Mirrors `torch.norm`: numbers and 'fro' are vector norms (LinalgVectorNormBackward0),
    'nuc' is the nuclear matrix norm."""
    if out is not None:
        raise NotImplementedError("norm(): out= is not supported")
    if isinstance(p, str):
        if p not in ("fro", "nuc"):
            raise RuntimeError(f"linalg.matrix_norm: Order {p} not supported.")
        dims = (-2, -1) if dim is None and p == "nuc" else dim
        listed = isinstance(dims, (tuple, list))
        # 'fro' takes up to two dims (then it is the vector 2-norm), 'nuc' exactly two
        if (len(dims) > 2 if listed else False) or (p == "nuc" and not (listed and len(dims) == 2)):
            got = " ".join(map(str, dims)) if listed else dims
            raise RuntimeError(f"linalg.matrix_norm: dim must be a 2-tuple. Got {got}")
        if p == "fro":
            return vector_norm(input, 2, dim, keepdim, dtype=dtype)
        return matrix_norm(input, "nuc", dims, keepdim, dtype=dtype)
    return vector_norm(input, 2 if p is None else p, dim, keepdim, dtype=dtype)


# ---- all, any, count_nonzero --------------------------------------------------------------------


def _logical_reduction(name: str):
    def forward(x, *, dim, keepdim):
        m = xp(x)
        out = getattr(m, name)(x, axis=dim, keepdims=keepdim)
        # torch keeps uint8 for uint8 input, and gives bool otherwise
        return m.asarray(out, dtype=m.uint8 if x.dtype == m.uint8 else m.bool_)

    return primitive(name, differentiable=False)(forward)


_all = _logical_reduction("all")
_any = _logical_reduction("any")


def _logical_dims(x, dim):
    # NOTE: unlike sum, all/any with dim=() reduce nothing, as in torch
    if dim is None:
        return tuple(range(x.ndim))
    return wrap_dims(dim, x.ndim) if x.ndim else ()


def all(input, dim=None, keepdim=False):  # noqa: A001, A002
    """Mirrors `torch.all`."""
    return _all(input, dim=_logical_dims(input, dim), keepdim=bool(keepdim))


def any(input, dim=None, keepdim=False):  # noqa: A001, A002
    """Mirrors `torch.any`."""
    return _any(input, dim=_logical_dims(input, dim), keepdim=bool(keepdim))


@primitive("count_nonzero", differentiable=False)
def _count_nonzero(x, *, dim):
    m = xp(x)
    return m.asarray(m.count_nonzero(x, axis=dim), dtype=m.int64)


def count_nonzero(input, dim=None):  # noqa: A002
    """Mirrors `torch.count_nonzero`."""
    return _count_nonzero(input, dim=_reduction_dims(input, dim))


def sum_to_size(x, size):
    """Mirrors `torch.Tensor.sum_to_size`: sum broadcast dims away so that x has `size`."""
    shape = tuple(x.shape)
    size = tuple(size)
    if shape == size:
        return x
    lead = len(shape) - len(size)
    if lead < 0 or builtins.any(s != 1 and s != d for s, d in zip(size, shape[lead:])):
        raise RuntimeError(f"size {list(size)} is not expandable to size {list(shape)}.")
    dims = tuple(range(lead)) + tuple(
        lead + i for i, s in enumerate(size) if s == 1 and shape[lead + i] != 1
    )
    out = _sum_dim(x, dim=dims, keepdim=True)
    return out.reshape(size) if lead else out
