"""Shape ops: reshape/view, expand, squeeze/unsqueeze, transpose/permute, flatten."""

from __future__ import annotations

import operator

from .. import _backend
from . import primitive

xp = _backend.xp


__all__ = [
    "expand",
    "flatten",
    "permute",
    "permute_T",
    "reshape",
    "squeeze",
    "t",
    "transpose",
    "unsqueeze",
    "view",
    "wrap_dim",
]


# ---- dimension helpers --------------------------------------------------------------------------


def wrap_dim(dim, ndim: int) -> int:
    """A possibly negative dim as an index, with torch's IndexError when out of range."""
    dim = operator.index(dim)
    n = max(ndim, 1)  # a 0-d tensor accepts dims -1 and 0
    if not -n <= dim < n:
        raise IndexError(
            f"Dimension out of range (expected to be in range of [{-n}, {n - 1}], but got {dim})"
        )
    return dim % n if ndim else 0


def wrap_dims(dims, ndim: int) -> tuple:
    if isinstance(dims, (tuple, list)):
        out = tuple(wrap_dim(d, ndim) for d in dims)
    else:
        out = (wrap_dim(dims, ndim),)
    if len(set(out)) != len(out):
        raise RuntimeError(f"dim {out[0]} appears multiple times in the list of dims")
    return out


def reduce_dims(dims, ndim: int) -> tuple:
    """Dims for a reduction; an empty tuple means all dims, as in torch. 0-d reduces nothing."""
    out = wrap_dims(dims, ndim)
    if not ndim:
        return ()
    return out or tuple(range(ndim))


def keepdim_shape(shape, dims) -> tuple:
    return tuple(1 if i in dims else s for i, s in enumerate(shape))


def _infer_shape(shape, numel: int) -> tuple:
    shape = tuple(shape)
    if shape.count(-1) > 1:
        raise RuntimeError("only one dimension can be inferred")
    known = 1
    for s in shape:
        if s != -1:
            if s < 0:
                raise RuntimeError(f"invalid shape dimension {s}")
            known *= s
    if -1 in shape:
        if known == 0 or numel % known:
            raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {numel}")
        shape = tuple(numel // known if s == -1 else s for s in shape)
    elif known != numel:
        raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {numel}")
    return shape


# ---- reshape and view ---------------------------------------------------------------------------


def _reshape_back(ctx, grad):
    return grad.reshape(ctx.shapes[0])


@primitive("view", view=True)
def _view(x, *, shape):
    out = x.view()
    try:
        out.shape = shape  # raises instead of copying when strides don't allow a view
    except AttributeError:
        raise RuntimeError(
            "view size is not compatible with input tensor's size and stride (at least one "
            "dimension spans across two contiguous subspaces). Use .reshape(...) instead."
        ) from None
    return out


@primitive("unsafe_view")
def _reshape_copy(x, *, shape):
    return x.reshape(shape)


_view.backward(_reshape_back)
_reshape_copy.backward(_reshape_back)


def view(x, shape):
    """Mirrors `torch.Tensor.view(*shape)`."""
    return _view(x, shape=_infer_shape(shape, x.numel()))


def reshape(x, shape):
    """Mirrors `torch.reshape`: a view when the layout allows it, else a copy."""
    shape = _infer_shape(shape, x.numel())
    if x._data.flags.c_contiguous:
        return _view(x, shape=shape)
    return _reshape_copy(x, shape=shape)


def flatten(x, start_dim=0, end_dim=-1):
    """Mirrors `torch.flatten`."""
    if x.ndim == 0:
        return reshape(x, (1,))
    s, e = wrap_dim(start_dim, x.ndim), wrap_dim(end_dim, x.ndim)
    if s > e:
        raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
    if s == e:
        return x
    shape = tuple(x.shape)
    return reshape(x, shape[:s] + (-1,) + shape[e + 1 :])


# ---- expand, squeeze, unsqueeze -----------------------------------------------------------------


@primitive("expand", view=True)
def _expand(x, *, shape):
    return xp(x).broadcast_to(x, shape)


@_expand.backward
def _(ctx, grad):
    return grad.sum_to_size(ctx.shapes[0])


def expand(x, sizes):
    """Mirrors `torch.Tensor.expand` (-1 keeps a dim)."""
    shape = tuple(x.shape)
    if len(sizes) < len(shape):
        raise RuntimeError(
            f"expand({x.type()}{{{list(shape)}}}, size={list(sizes)}): the number of sizes "
            f"provided ({len(sizes)}) must be greater or equal to the number of dimensions in the "
            f"tensor ({len(shape)})"
        )
    lead = len(sizes) - len(shape)
    out = []
    for i, s in enumerate(sizes):
        if i < lead:
            if s < 0:
                raise RuntimeError(
                    f"The expanded size of the tensor ({s}) isn't allowed in a leading, "
                    "non-existing dimension 0"
                )
            out.append(s)
            continue
        d = shape[i - lead]
        if s == -1:
            s = d
        elif d != 1 and s != d:
            raise RuntimeError(
                f"The expanded size of the tensor ({s}) must match the existing size ({d}) at "
                f"non-singleton dimension {i}.  Target sizes: {list(sizes)}.  Tensor sizes: "
                f"{list(shape)}"
            )
        out.append(s)
    out = tuple(out)
    return x if out == shape else _expand(x, shape=out)


def _squeeze_back(ctx, grad):
    return grad.reshape(ctx.shapes[0])


def _squeezer(overload):
    p = primitive("squeeze", overload, view=True)(
        lambda x, *, dims: x.reshape(tuple(s for i, s in enumerate(x.shape) if i not in dims))
    )
    p.backward(_squeeze_back)
    return p


_squeeze_all, _squeeze_dim, _squeeze_dims = _squeezer(0), _squeezer(1), _squeezer(2)


def squeeze(x, dim=None):
    """Mirrors `torch.squeeze` (dim None, int or tuple)."""
    shape = tuple(x.shape)
    if dim is None:
        op, dims = _squeeze_all, tuple(i for i, s in enumerate(shape) if s == 1)
    else:
        op = _squeeze_dims if isinstance(dim, (tuple, list)) else _squeeze_dim
        dims = tuple(d for d in wrap_dims(dim, x.ndim) if x.ndim and shape[d] == 1)
    return op(x, dims=dims)


@primitive("unsqueeze", view=True)
def _unsqueeze(x, *, dim):
    return xp(x).expand_dims(x, dim)


@_unsqueeze.backward
def _(ctx, grad):
    return grad.squeeze(ctx.dim)


def unsqueeze(x, dim):
    """Mirrors `torch.unsqueeze`."""
    return _unsqueeze(x, dim=wrap_dim(dim, x.ndim + 1))


# ---- transpose and permute ----------------------------------------------------------------------


@primitive("transpose", view=True)
def _transpose(x, *, dim0, dim1):
    return xp(x).swapaxes(x, dim0, dim1)


@_transpose.backward
def _(ctx, grad):
    return grad.transpose(ctx.dim0, ctx.dim1)


def transpose(x, dim0, dim1):
    """Mirrors `torch.transpose`."""
    return _transpose(x, dim0=wrap_dim(dim0, x.ndim), dim1=wrap_dim(dim1, x.ndim))


@primitive("t", view=True)
def _t(x):
    return x.T


@_t.backward
def _(ctx, grad):
    return grad.t()


def t(x):
    """Mirrors `torch.t`: 0-d, 1-d and 2-d tensors only."""
    if x.ndim > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {x.ndim}D")
    return _t(x)


@primitive("permute", view=True)
def _permute(x, *, dims):
    return x.transpose(dims)


@_permute.backward
def _(ctx, grad):
    inverse = [0] * len(ctx.dims)
    for i, d in enumerate(ctx.dims):
        inverse[d] = i
    return grad.permute(*inverse)


def permute(x, dims):
    """Mirrors `torch.permute`."""
    if len(dims) != x.ndim:
        raise RuntimeError(
            "permute(sparse_coo): number of dimensions in the tensor input does not match the "
            f"length of the desired ordering of dimensions i.e. input.dim() = {x.ndim} is not "
            f"equal to len(dims) = {len(dims)}"
        )
    dims = tuple(wrap_dim(d, x.ndim) for d in dims)
    if len(set(dims)) != len(dims):
        raise RuntimeError("permute(): duplicate dims are not allowed.")
    return _permute(x, dims=dims)


_T_OFF_2D = (
    "The use of `x.T` on tensors of dimension other than 2 to reverse their shape is deprecated "
    "and it will throw an error in a future release. Consider `x.mT` to transpose batches of "
    "matrices or `x.permute(*torch.arange(x.ndim - 1, -1, -1))` to reverse the dimensions of a "
    "tensor."
)
_T_0D = "Tensor.T is deprecated on 0-D tensors. This function is the identity in these cases."


def permute_T(x):  # noqa: N802
    """`Tensor.T`: all dims reversed."""
    if x.ndim != 2:
        import warnings

        warnings.warn(_T_0D if x.ndim == 0 else _T_OFF_2D, UserWarning, stacklevel=3)
    return _permute(x, dims=tuple(range(x.ndim - 1, -1, -1)))
