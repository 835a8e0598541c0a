"""Shape and view ops: reshape/view, expand, squeeze/unsqueeze, transpose/permute/movedim,
flatten; joining (cat, stack), splitting (split, chunk, tensor_split, narrow), repeat/tile, flip,
roll, rot90, tril/triu, diagonals and trace; meshgrid, atleast_nd; new_* conversions.

Views (`view=True`) share memory and the version counter with their input, as torch's do. Ops
that torch computes into new memory copy, even where numpy would hand back a view (flip, rot90).
Split-like ops return several tensors; the engine keeps one output per node, so each output is
its own slicing node, named as torch names the outputs' grad_fn.
"""

from __future__ import annotations

import operator
import warnings

from .. import _backend
from . import _carry, _transforms, primitive

xp = _backend.xp


__all__ = [
    "adjoint",
    "atleast_1d",
    "atleast_2d",
    "atleast_3d",
    "broadcast_shapes",
    "broadcast_tensors",
    "broadcast_to",
    "cat",
    "chunk",
    "column_stack",
    "concat",
    "concatenate",
    "diag",
    "diag_embed",
    "diagflat",
    "diagonal",
    "dsplit",
    "dstack",
    "expand",
    "flatten",
    "flip",
    "fliplr",
    "flipud",
    "hsplit",
    "hstack",
    "matrix_H",
    "matrix_mH",
    "meshgrid",
    "moveaxis",
    "movedim",
    "narrow",
    "new_empty",
    "new_full",
    "new_ones",
    "new_tensor",
    "new_zeros",
    "permute",
    "permute_T",
    "ravel",
    "repeat",
    "repeat_interleave",
    "reshape",
    "roll",
    "rot90",
    "row_stack",
    "split",
    "squeeze",
    "squeeze_",
    "stack",
    "swapaxes",
    "swapdims",
    "t",
    "t_",
    "tensor_split",
    "tile",
    "trace",
    "transpose",
    "transpose_",
    "tril",
    "triu",
    "unflatten",
    "unsqueeze",
    "unsqueeze_",
    "view",
    "vsplit",
    "vstack",
    "wrap_dim",
]


def _tensor_cls():
    from .._tensor import Tensor

    return Tensor


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
        dup = next(d for d in out if out.count(d) > 1)
        raise RuntimeError(f"dim {dup} appears multiple times in the list of dims")
    return out


def reduce_dims(dims, ndim: int) -> tuple:
    """Dims for a reduction; an empty tuple means all dims, as in torch. 0-d reduces nothing."""
    out = wrap_dims(dims, ndim)
    if not ndim:
        return ()
    return out or tuple(range(ndim))


def keepdim_shape(shape, dims) -> tuple:
    return tuple(1 if i in dims else s for i, s in enumerate(shape))


def _ints(values, fn: str, arg: str) -> tuple:
    """A tuple of ints from an int or a sequence, as torch's `int[]` arguments accept."""
    if not isinstance(values, (tuple, list)):
        values = (values,)
    try:
        return tuple(operator.index(v) for v in values)
    except TypeError:
        raise TypeError(f"{fn}(): argument '{arg}' must be tuple of ints") from None


def _numel(shape) -> int:
    n = 1
    for s in shape:
        n *= s
    return n


def _infer_shape(shape, numel: int) -> tuple:
    shape = tuple(shape)
    if shape.count(-1) > 1:
        raise RuntimeError("only one dimension can be inferred")
    known = 1
    for i, s in enumerate(shape):
        if s != -1:
            if s < 0:
                raise RuntimeError(
                    f"invalid shape dimension {s} at index {i} of shape {list(shape)}"
                )
            known *= s
    if -1 in shape:
        if known == 0:
            if numel == 0:
                raise RuntimeError(
                    f"cannot reshape tensor of 0 elements into shape {list(shape)} because the "
                    "unspecified dimension size -1 can be any value and is ambiguous"
                )
            raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {numel}")
        if numel % known:
            raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {numel}")
        shape = tuple(numel // known if s == -1 else s for s in shape)
    elif known != numel:
        raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {numel}")
    return shape


# ---- reshape and view ---------------------------------------------------------------------------


def _reshape_back(ctx, grad):
    return grad.reshape(ctx.shapes[0])


def _view_of(x, shape):
    """`x` with a new shape and no copy, or None where its strides don't allow it."""
    out = x.view()
    try:
        out.shape = shape  # numpy refuses instead of copying, as torch's view does
    except AttributeError:
        return None
    return out


@primitive("view", view=True)
def _view(x, *, shape):
    out = _view_of(x, shape)
    if out is None:
        raise RuntimeError(
            "view size is not compatible with input tensor's size and stride (at least one "
            "dimension spans across two contiguous subspaces). Use .reshape(...) instead."
        )
    return out


@primitive("unsafe_view")
def _reshape_copy(x, *, shape):
    return x.reshape(shape)


# torch's reshape of a non-contiguous tensor whose strides allow a view
_reshape_alias = primitive("reshape_alias", view=True)(_view.forward)

_view.backward(_reshape_back)
_reshape_copy.backward(_reshape_back)
_reshape_alias.backward(_reshape_back)


def view(x, shape):
    """Mirrors `torch.Tensor.view(*shape)`."""
    return _view(x, shape=_infer_shape(shape, x.numel()))


def reshape(x, shape):
    """Mirrors `torch.reshape`: a view when the strides allow it, else a copy."""
    shape = _infer_shape(shape, x.numel())
    data = x._data
    if data.flags.c_contiguous:
        return _view(x, shape=shape)
    if _view_of(data, shape) is not None:
        return _reshape_alias(x, shape=shape)
    return _reshape_copy(x, shape=shape)


def flatten(x, start_dim=0, end_dim=-1):
    """Mirrors `torch.flatten`: returns `x` itself when there is nothing to merge."""
    if x.ndim == 0:
        wrap_dim(start_dim, 0), wrap_dim(end_dim, 0)
        return reshape(x, (1,))
    s, e = wrap_dim(start_dim, x.ndim), wrap_dim(end_dim, x.ndim)
    if s > e:
        raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
    if s == e:
        return x
    shape = tuple(x.shape)
    return reshape(x, shape[:s] + (-1,) + shape[e + 1 :])


def ravel(x):
    """Mirrors `torch.ravel`: a flat view of the contiguous tensor."""
    return _view(x.contiguous(), shape=(x.numel(),))


def unflatten(x, dim, sizes):
    """Mirrors `torch.unflatten`."""
    if not isinstance(sizes, (tuple, list)):
        raise TypeError(
            "unflatten(): argument 'sizes' (position 2) must be tuple of ints, not "
            f"{type(sizes).__name__}"
        )
    if x.ndim == 0:
        raise RuntimeError(
            "unflatten got an unexpected error:\nDimension specified as 0 but tensor has no "
            "dimensions"
        )
    dim = wrap_dim(dim, x.ndim)
    sizes = tuple(operator.index(s) for s in sizes)
    if not sizes:
        raise RuntimeError("unflatten: sizes must be non-empty")
    size = x.shape[dim]
    if -1 not in sizes and _numel(sizes) != size:
        raise RuntimeError(
            f"unflatten: Provided sizes {list(sizes)} don't multiply up to the size of dim {dim} "
            f"({size}) in the input tensor"
        )
    try:
        sizes = _infer_shape(sizes, size)
    except RuntimeError as e:
        raise RuntimeError(f"unflatten got an unexpected error:\n{e}") from None
    shape = tuple(x.shape)
    return view(x, shape[:dim] + sizes + shape[dim + 1 :])


# ---- expand and broadcasting --------------------------------------------------------------------


@primitive("expand", view=True)
def _expand(x, *, shape):
    if shape == x.shape:
        return x.view()  # writable, as torch's expand to the same shape is
    return xp(x).broadcast_to(x, shape)


@_expand.backward
def _(ctx, grad):
    return grad.sum_to_size(ctx.shapes[0])


def expand(x, sizes):
    """Mirrors `torch.Tensor.expand` (-1 keeps a dim); always a new view, as in torch."""
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
    return _expand(x, shape=tuple(out))


def broadcast_to(input, size):  # noqa: A002
    """Mirrors `torch.broadcast_to`."""
    return expand(input, _ints(size, "broadcast_to", "size"))


def broadcast_shapes(*shapes):
    """Mirrors `torch.broadcast_shapes` (an int stands for a 1-d shape)."""
    from .._tensor import Size

    shapes = [(s,) if isinstance(s, int) else tuple(s) for s in shapes]
    for s in shapes:
        for d in s:
            if not isinstance(d, int) or isinstance(d, bool):
                raise TypeError(
                    f"torch.Size() takes an iterable of 'int' (item 0 is '{type(d).__name__}')"
                )
            if d < 0:
                raise ValueError("Attempting to broadcast a dimension with negative length!")
    out = ()
    for k, s in enumerate(shapes):
        n = max(len(out), len(s))
        a, b = (1,) * (n - len(out)) + out, (1,) * (n - len(s)) + s
        for i in range(n):
            if a[i] != b[i] and 1 not in (a[i], b[i]):
                raise RuntimeError(
                    f"Attempting to broadcast a dimension of length {b[i]} at {i - n}! "
                    f"Mismatching argument at index {k} had {s}; but expected shape should be "
                    f"broadcastable to {list(out)}"
                )
        out = tuple(y if x == 1 else x for x, y in zip(a, b))
    return Size(out)


def broadcast_tensors(*tensors):
    """Mirrors `torch.broadcast_tensors`: tensors already of the full shape come back as is."""
    tensor_cls = _tensor_cls()
    out = ()
    for k, t in enumerate(tensors):
        if not isinstance(t, tensor_cls):
            raise TypeError(
                f"expected Tensor as element {k} in argument 0, but got {type(t).__name__}"
            )
        s = tuple(t.shape)
        n = max(len(out), len(s))
        a, b = (1,) * (n - len(out)) + out, (1,) * (n - len(s)) + s
        for i in range(n):
            if a[i] != b[i] and 1 not in (a[i], b[i]):
                raise RuntimeError(
                    f"The size of tensor a ({a[i]}) must match the size of tensor b ({b[i]}) at "
                    f"non-singleton dimension {i}"
                )
        out = tuple(y if x == 1 else x for x, y in zip(a, b))
    return tuple(t if tuple(t.shape) == out else _expand(t, shape=out) for t in tensors)


# ---- squeeze and unsqueeze ----------------------------------------------------------------------


def _squeezer(overload):
    p = primitive("squeeze", overload, view=True)(
        lambda x, *, dims: x.reshape(tuple(s for i, s in enumerate(x.shape) if i not in dims))
    )
    p.backward(_reshape_back)
    return p


# overloads 0-2 are squeeze(), squeeze(dim), squeeze(dims); 3-5 the same in place
_squeezers = [_squeezer(k) for k in range(6)]


def _squeeze_args(x, dim):
    shape = tuple(x.shape)
    if dim is None:
        return 0, tuple(i for i, s in enumerate(shape) if s == 1)
    k = 2 if isinstance(dim, (tuple, list)) else 1
    return k, tuple(d for d in wrap_dims(dim, x.ndim) if x.ndim and shape[d] == 1)


def squeeze(x, dim=None):
    """Mirrors `torch.squeeze` (dim None, int or tuple)."""
    k, dims = _squeeze_args(x, dim)
    return _squeezers[k](x, dims=dims)


def squeeze_(x, dim=None):
    """Mirrors `torch.Tensor.squeeze_`."""
    k, dims = _squeeze_args(x, dim)
    return _inplace_view(x, _squeezers[k + 3], dims=dims)


def _unsqueezer(overload):
    p = primitive("unsqueeze", overload, view=True)(lambda x, *, dim: xp(x).expand_dims(x, dim))
    p.backward(lambda ctx, grad: grad.squeeze(ctx.dim))
    return p


_unsqueeze, _unsqueeze_inplace = _unsqueezer(0), _unsqueezer(1)


def unsqueeze(x, dim):
    """Mirrors `torch.unsqueeze`."""
    return _unsqueeze(x, dim=wrap_dim(dim, x.ndim + 1))


def unsqueeze_(x, dim):
    """Mirrors `torch.Tensor.unsqueeze_`."""
    return _inplace_view(x, _unsqueeze_inplace, dim=wrap_dim(dim, x.ndim + 1))


def _inplace_view(x, op, **params):
    """`x.op_()` for ops that change only the shape: `x` becomes the view, its version bumps.

    The node sees an alias of `x` as it was, so `x`'s new shape cannot leak into the rule.
    """
    from ..autograd.grad_mode import is_grad_enabled

    recording = x._rg and is_grad_enabled()
    if recording and x.grad_fn is None:
        raise RuntimeError(
            "a leaf Variable that requires grad is being used in an in-place operation."
        )
    source = _tensor_cls()._make(x._data, x._rg, x.grad_fn) if recording else x
    if _transforms and recording:
        _carry(x, source)
    out = op(source, **params)
    x._data = out._data
    x._vc[0] += 1
    if out._rg:
        x.grad_fn = out.grad_fn
    if _transforms:
        _carry(out, x)
    return x


# ---- transpose, permute, movedim ----------------------------------------------------------------


def _transposer(overload):
    p = primitive("transpose", overload, view=True)(
        lambda x, *, dim0, dim1: xp(x).swapaxes(x, dim0, dim1) if x.ndim else x.view()
    )
    p.backward(lambda ctx, grad: grad.transpose(ctx.dim0, ctx.dim1))
    return p


_transpose, _transpose_inplace = _transposer(0), _transposer(1)


def transpose(x, dim0, dim1):
    """Mirrors `torch.transpose`."""
    return _transpose(x, dim0=wrap_dim(dim0, x.ndim), dim1=wrap_dim(dim1, x.ndim))


def transpose_(x, dim0, dim1):
    """Mirrors `torch.Tensor.transpose_`."""
    dim0, dim1 = wrap_dim(dim0, x.ndim), wrap_dim(dim1, x.ndim)
    return _inplace_view(x, _transpose_inplace, dim0=dim0, dim1=dim1)


swapaxes = swapdims = transpose


def _t_primitive(overload):
    p = primitive("t", overload, view=True)(lambda x: x.T)
    p.backward(lambda ctx, grad: grad.t())
    return p


_t, _t_inplace = _t_primitive(0), _t_primitive(1)


def _check_t(x):
    if x.ndim > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {x.ndim}D")


def t(x):
    """Mirrors `torch.t`: 0-d, 1-d and 2-d tensors only."""
    _check_t(x)
    return _t(x)


def t_(x):
    """Mirrors `torch.Tensor.t_`."""
    _check_t(x)
    return _inplace_view(x, _t_inplace)


@primitive("permute", view=True)
def _permute(x, *, dims):
    return x.transpose(dims)


@_permute.backward
def _(ctx, grad):
    inverse = [0] * len(ctx.dims)
    for i, d in enumerate(ctx.dims):
        inverse[d] = i
    return _permute(grad, dims=tuple(inverse))


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


@primitive("movedim_alias", view=True, node_name="AliasBackward0")
def _alias(x):
    return x.view()


@_alias.backward
def _(ctx, grad):
    return grad


def movedim(input, source, destination):  # noqa: A002
    """Mirrors `torch.movedim`: a permute; on a 0-d tensor an alias, as in torch."""
    src = _ints(source, "movedim", "source")
    dst = _ints(destination, "movedim", "destination")
    n = input.ndim
    if len(src) != len(dst):
        raise RuntimeError(
            f"movedim: Invalid source or destination dims: source ({list(src)} dims) should "
            f"contain the same number of dims as destination ({list(dst)} dims)"
        )
    src = tuple(wrap_dim(d, n) for d in src)
    dst = tuple(wrap_dim(d, n) for d in dst)
    for name, dims in (("source", src), ("destination", dst)):
        if len(set(dims)) != len(dims):
            raise RuntimeError(f"movedim: repeated dim in `{name}` ({list(dims)})")
    if n == 0:
        return _alias(input)
    order = [None] * n
    for s, d in zip(src, dst):
        order[d] = s
    rest = iter(d for d in range(n) if d not in src)
    return _permute(input, dims=tuple(next(rest) if o is None else o for o in order))


moveaxis = movedim


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
        warnings.warn(_T_0D if x.ndim == 0 else _T_OFF_2D, UserWarning, stacklevel=3)
    return _permute(x, dims=tuple(range(x.ndim - 1, -1, -1)))


def _last_two_transposed(x, what: str, batches: bool):
    """mH, H and adjoint: for real tensors the transpose of the last two dims."""
    if x.ndim == 0:
        name = "adjoint()" if what == "adjoint" else f"Tensor.{what}"
        warnings.warn(
            f"{name} is deprecated on 0-D tensors. Consider using x.conj().", UserWarning,
            stacklevel=3,
        )  # fmt: skip
        return x  # torch returns the tensor itself here, not a view
    if batches and x.ndim < 2:
        name = "tensor.adjoint()" if what == "adjoint" else f"tensor.{what}"
        raise RuntimeError(
            f"{name} is only supported on matrices or batches of matrices. Got {x.ndim}-D tensor."
        )
    if not batches and x.ndim != 2:
        raise RuntimeError(
            f"tensor.H is only supported on matrices (2-D tensors). Got {x.ndim}-D tensor."
            + (" For batches of matrices, consider using tensor.mH" if x.ndim > 2 else "")
        )
    return transpose(x, -2, -1)


def matrix_mH(x):  # noqa: N802
    """`Tensor.mH`: the conjugate transpose of the last two dims (a transpose for real dtypes)."""
    return _last_two_transposed(x, "mH", True)


def matrix_H(x):  # noqa: N802
    """`Tensor.H`: the conjugate transpose of a matrix (a transpose for real dtypes)."""
    return _last_two_transposed(x, "H", False)


def adjoint(input):  # noqa: A002
    """Mirrors `torch.adjoint`."""
    return _last_two_transposed(input, "adjoint", True)


# ---- slicing: narrow, split, chunk, tensor_split ------------------------------------------------


def _slice_forward(x, *, dim, start, stop):
    return x[(slice(None),) * dim + (slice(start, stop),)]


def _slice_back(ctx, grad):
    return _slice_backward(grad, shape=ctx.shapes[0], dim=ctx.dim, start=ctx.start)


def _slicer(name, node_name=None):
    p = primitive(name, view=True, node_name=node_name)(_slice_forward)
    p.backward(_slice_back)
    return p


# one forward, three node names: torch names narrow's and tensor_split's outputs SliceBackward0
_narrow = _slicer("narrow", "SliceBackward0")
_split = _slicer("split")
_split_with_sizes = _slicer("split_with_sizes")


@primitive("slice_backward")
def _slice_backward(grad, *, shape, dim, start):
    out = xp(grad).zeros(shape, dtype=grad.dtype)
    out[(slice(None),) * dim + (slice(start, start + grad.shape[dim]),)] = grad
    return out


@_slice_backward.backward
def _(ctx, grad):
    stop = ctx.start + ctx.shapes[0][ctx.dim]
    return _narrow(grad, dim=ctx.dim, start=ctx.start, stop=stop)


def narrow(input, dim, start, length):  # noqa: A002
    """Mirrors `torch.narrow` (start may be a 0-d integer tensor)."""
    if input.ndim == 0:
        raise RuntimeError("narrow() cannot be applied to a 0-dim tensor.")
    length = operator.index(length)
    if length < 0:
        raise RuntimeError("narrow(): length must be non-negative.")
    dim = wrap_dim(dim, input.ndim)
    size = input.shape[dim]
    start = operator.index(start)
    if not -size <= start <= size:
        raise IndexError(
            f"start out of range (expected to be in range of [{-size}, {size}], but got {start})"
        )
    if start < 0:
        start += size
    if start + length > size:
        raise RuntimeError(f"start ({start}) + length ({length}) exceeds dimension size ({size}).")
    return _narrow(input, dim=dim, start=start, stop=start + length)


def _pieces(x, op, dim, sizes):
    out, start = [], 0
    for s in sizes:
        out.append(op(x, dim=dim, start=start, stop=start + s))
        start += s
    return tuple(out)


def split(tensor, split_size_or_sections, dim=0):
    """Mirrors `torch.split`: an int gives equal pieces (the last may be smaller), a list of
    sizes gives those pieces."""
    if tensor.ndim == 0:
        raise RuntimeError("split expects at least a 1-dimensional tensor")
    dim = wrap_dim(dim, tensor.ndim)
    size = tensor.shape[dim]
    if isinstance(split_size_or_sections, (tuple, list)):
        sizes = tuple(operator.index(s) for s in split_size_or_sections)
        if any(s < 0 for s in sizes):
            raise RuntimeError(
                "split_with_sizes expects split_sizes have only non-negative entries, but got "
                f"split_sizes={list(sizes)}"
            )
        if sum(sizes) != size:
            raise RuntimeError(
                f"split_with_sizes expects split_sizes to sum exactly to {size} (input tensor's "
                f"size at dimension {dim}), but got split_sizes={list(sizes)}"
            )
        return _pieces(tensor, _split_with_sizes, dim, sizes)
    step = operator.index(split_size_or_sections)
    if step < 0:
        raise RuntimeError(f"split expects split_size be non-negative, but got split_size={step}")
    if step == 0 and size:
        raise RuntimeError(
            f"split_size can only be 0 if dimension size is 0, but got dimension size of {size}"
        )
    if size == 0:
        return (_split(tensor, dim=dim, start=0, stop=0),)
    sizes = [step] * (size // step) + ([size % step] if size % step else [])
    return _pieces(tensor, _split, dim, sizes)


def chunk(input, chunks, dim=0):  # noqa: A002
    """Mirrors `torch.chunk`: pieces of ceil(size / chunks), so there may be fewer than chunks."""
    if input.ndim == 0:
        raise RuntimeError("chunk expects at least a 1-dimensional tensor")
    chunks = operator.index(chunks)
    if chunks <= 0:
        raise RuntimeError(f"chunk expects `chunks` to be greater than 0, got: {chunks}")
    dim = wrap_dim(dim, input.ndim)
    size = input.shape[dim]
    if size == 0:  # torch gives `chunks` empty pieces here, through split_with_sizes
        return _pieces(input, _split_with_sizes, dim, [0] * chunks)
    return split(input, -(-size // chunks), dim)


def tensor_split(input, indices_or_sections=None, dim=0, *, sections=None, indices=None,  # noqa: A002
                 tensor_indices_or_sections=None):  # fmt: skip
    """Mirrors `torch.tensor_split`: n sections (the first size % n one longer) or pieces
    between indices (clamped like Python slices)."""
    tensor_cls = _tensor_cls()
    arg = next(
        (a for a in (indices_or_sections, sections, indices, tensor_indices_or_sections)
         if a is not None), None,
    )  # fmt: skip
    if input.ndim == 0:
        raise RuntimeError(
            "tensor_split expected at least a 1-dimensional tensor, but got a tensor with 0 dims"
        )
    if isinstance(arg, tensor_cls):
        if arg.dtype._name != "int64":
            raise RuntimeError(
                "tensor_split expected tensor_indices_or_sections to have dtype of long, but got "
                f"{arg.dtype._title}"
            )
        if arg.ndim > 1:
            raise RuntimeError(
                "tensor_split expected tensor_indices_or_sections to be a zero-dimensional or "
                f"one-dimensional tensor, but got a tensor with {arg.ndim} dims"
            )
        arg = arg.item() if arg.ndim == 0 else arg.tolist()
    if isinstance(arg, float) or arg is None:
        raise TypeError(
            "tensor_split() received an invalid combination of arguments - got "
            f"({type(arg).__name__}), but expected one of:\n * (tuple of ints indices, int dim = 0)"
            "\n * (Tensor tensor_indices_or_sections, int dim = 0)\n * (int sections, int dim = 0)"
        )
    dim = wrap_dim(dim, input.ndim)
    size = input.shape[dim]
    if isinstance(arg, (tuple, list)):
        bounds = [0] + [operator.index(i) for i in arg] + [None]
        pieces = []
        for a, b in zip(bounds, bounds[1:]):
            start, stop, _ = slice(a, b).indices(size)
            pieces.append(_narrow(input, dim=dim, start=start, stop=max(start, stop)))
        return tuple(pieces)
    n = operator.index(arg)
    if n <= 0:
        raise RuntimeError(f"number of sections must be larger than 0, got {n}")
    q, r = divmod(size, n)
    return _pieces(input, _narrow, dim, [q + 1] * r + [q] * (n - r))


def _split_along(name, input, indices_or_sections, dim, min_dims):  # noqa: A002
    if input.ndim < min_dims:
        raise RuntimeError(
            f"torch.{name} requires a tensor with at least {min_dims} dimension, but got a "
            f"tensor with {input.ndim} dimensions!"
        )
    if not isinstance(indices_or_sections, (tuple, list)):
        n = operator.index(indices_or_sections)
        size = input.shape[dim]
        if n == 0 or size % n:
            raise RuntimeError(
                f"torch.{name} attempted to split along dimension {dim}, but the size of the "
                f"dimension {size} is not divisible by the split_size {n}!"
            )
    return tensor_split(input, indices_or_sections, dim)


def hsplit(input, indices_or_sections):  # noqa: A002
    """Mirrors `torch.hsplit`."""
    return _split_along("hsplit", input, indices_or_sections, 1 if input.ndim > 1 else 0, 1)


def vsplit(input, indices_or_sections):  # noqa: A002
    """Mirrors `torch.vsplit`."""
    return _split_along("vsplit", input, indices_or_sections, 0, 2)


def dsplit(input, indices_or_sections):  # noqa: A002
    """Mirrors `torch.dsplit`."""
    return _split_along("dsplit", input, indices_or_sections, 2, 3)


# ---- joining: cat and stack ---------------------------------------------------------------------


def _skipped(shape) -> bool:
    # torch's legacy rule: 1-d empty tensors are left out of cat's shape checks (not its dtype)
    return tuple(shape) == (0,)


@primitive("cat", promote="binary")
def _cat(*xs, dim):
    kept = [x for x in xs if not _skipped(x.shape)] or xs[:1]
    return xp(xs[0]).concatenate(kept, axis=dim)


@_cat.backward
def _(ctx, grad):
    out, start = [], 0
    for shape, needed in zip(ctx.shapes, ctx.needs_input_grad):
        if _skipped(shape):
            out.append(grad.new_zeros(shape) if needed else None)
            continue
        stop = start + shape[ctx.dim]
        out.append(_narrow(grad, dim=ctx.dim, start=start, stop=stop) if needed else None)
        start = stop
    return tuple(out)


def _tensor_list(tensors, fn: str):
    tensor_cls = _tensor_cls()
    if not isinstance(tensors, (tuple, list)):
        raise TypeError(
            f"{fn}(): argument 'tensors' (position 1) must be tuple of Tensors, not "
            f"{type(tensors).__name__}"
        )
    for k, t in enumerate(tensors):
        if not isinstance(t, tensor_cls):
            raise TypeError(
                f"expected Tensor as element {k} in argument 0, but got {type(t).__name__}"
            )
    return tuple(tensors)


def cat(tensors, dim=0, *, out=None):
    """Mirrors `torch.cat`: dtypes promote; 1-d empty tensors are skipped in the shape checks."""
    tensors = _tensor_list(tensors, "cat")
    if out is not None:
        raise NotImplementedError("cat(): out= is not supported")
    if not tensors:
        raise ValueError("torch.cat(): expected a non-empty list of Tensors")
    for k, t in enumerate(tensors):
        if t.ndim == 0:
            raise RuntimeError(f"zero-dimensional tensor (at position {k}) cannot be concatenated")
    kept = [(k, t) for k, t in enumerate(tensors) if not _skipped(t.shape)]
    if not kept:
        return _cat(*tensors, dim=0)
    k0, first = kept[0]
    dim = wrap_dim(dim, first.ndim)
    ref = tuple(first.shape)
    for k, t in kept[1:]:
        if t.ndim != first.ndim:
            raise RuntimeError(
                f"Tensors must have same number of dimensions: got {first.ndim} and {t.ndim}"
            )
        for i, (a, b) in enumerate(zip(ref, t.shape)):
            if i != dim and a != b:
                raise RuntimeError(
                    f"Sizes of tensors must match except in dimension {dim}. Expected size {a} "
                    f"but got size {b} for tensor number {k} in the list."
                )
    return _cat(*tensors, dim=dim)


concat = cat


def concatenate(tensors, axis=0, out=None):
    """Mirrors `torch.concatenate`."""
    return cat(tensors, axis, out=out)


@primitive("stack", promote="binary")
def _stack(*xs, dim):
    return xp(xs[0]).stack(xs, axis=dim)


@_stack.backward
def _(ctx, grad):
    return grad.unbind(ctx.dim)


def stack(tensors, dim=0, *, out=None):
    """Mirrors `torch.stack`."""
    tensors = _tensor_list(tensors, "stack")
    if out is not None:
        raise NotImplementedError("stack(): out= is not supported")
    if not tensors:
        raise RuntimeError("stack expects a non-empty TensorList")
    ref = tuple(tensors[0].shape)
    for k, t in enumerate(tensors[1:], 1):
        if tuple(t.shape) != ref:
            raise RuntimeError(
                f"stack expects each tensor to be equal size, but got {list(ref)} at entry 0 and "
                f"{list(t.shape)} at entry {k}"
            )
    return _stack(*tensors, dim=wrap_dim(dim, len(ref) + 1))


def hstack(tensors, *, out=None):
    """Mirrors `torch.hstack`."""
    tensors = atleast_1d(_tensor_list(tensors, "hstack"))
    return cat(tensors, 0 if tensors and tensors[0].ndim == 1 else 1, out=out)


def vstack(tensors, *, out=None):
    """Mirrors `torch.vstack`."""
    return cat(atleast_2d(_tensor_list(tensors, "vstack")), 0, out=out)


row_stack = vstack


def dstack(tensors, *, out=None):
    """Mirrors `torch.dstack`."""
    return cat(atleast_3d(_tensor_list(tensors, "dstack")), 2, out=out)


def column_stack(tensors, *, out=None):
    """Mirrors `torch.column_stack`: 0-d and 1-d tensors become columns."""
    tensors = _tensor_list(tensors, "column_stack")
    cols = tuple(reshape(t, (t.numel(), 1)) if t.ndim <= 1 else t for t in tensors)
    return cat(cols, 1, out=out)


def atleast_1d(*tensors):
    """Mirrors `torch.atleast_1d`."""
    return _atleast(tensors, lambda t: reshape(t, (1,)) if t.ndim == 0 else t)


def atleast_2d(*tensors):
    """Mirrors `torch.atleast_2d`."""

    def one(t):
        if t.ndim == 0:
            return reshape(t, (1, 1))
        return unsqueeze(t, 0) if t.ndim == 1 else t

    return _atleast(tensors, one)


def atleast_3d(*tensors):
    """Mirrors `torch.atleast_3d`."""

    def one(t):
        if t.ndim == 0:
            return reshape(t, (1, 1, 1))
        if t.ndim == 1:
            return unsqueeze(unsqueeze(t, 0), -1)
        return unsqueeze(t, -1) if t.ndim == 2 else t

    return _atleast(tensors, one)


def _atleast(tensors, one):
    if len(tensors) == 1:
        if isinstance(tensors[0], (tuple, list)):
            return tuple(one(t) for t in tensors[0])
        return one(tensors[0])
    return tuple(one(t) for t in tensors)


# ---- meshgrid -----------------------------------------------------------------------------------


def meshgrid(*tensors, indexing=None):
    """Mirrors `torch.meshgrid`: expanded views of 0-d/1-d tensors; 'ij' unless told 'xy'."""
    if len(tensors) == 1 and isinstance(tensors[0], (tuple, list)):
        tensors = tuple(tensors[0])
    if indexing is None:
        warnings.warn(
            "torch.meshgrid: in an upcoming release, it will be required to pass the indexing "
            "argument.",
            UserWarning,
            stacklevel=2,
        )
        indexing = "ij"
    if indexing not in ("ij", "xy"):
        raise RuntimeError(
            f'torch.meshgrid: indexing must be one of "xy" or "ij", but received: {indexing}'
        )
    if not tensors:
        raise RuntimeError("meshgrid expects a non-empty TensorList")
    for t in tensors:
        if t.ndim > 1:
            raise RuntimeError(
                f"torch.meshgrid: Expected 0D or 1D tensor in the tensor list but got: {t}"
            )
        if t.dtype is not tensors[0].dtype:
            raise RuntimeError("meshgrid expects all tensors to have the same dtype")
    order = list(range(len(tensors)))
    if indexing == "xy" and len(tensors) > 1:
        order[0], order[1] = 1, 0  # the first two inputs trade places in the output's dims
    shape = [0] * len(tensors)
    for i, t in enumerate(tensors):
        shape[order[i]] = t.numel()
    out = []
    for i, t in enumerate(tensors):
        one = [1] * len(tensors)
        one[order[i]] = -1
        out.append(expand(view(t, _infer_shape(one, t.numel())), tuple(shape)))
    return tuple(out)


# ---- repeat, tile, repeat_interleave ------------------------------------------------------------


@primitive("repeat")
def _repeat(x, *, repeats):
    return xp(x).tile(x, repeats)


@_repeat.backward
def _(ctx, grad):
    shape = ctx.shapes[0]
    n = len(ctx.repeats)
    if n == 0:
        return grad
    padded = (1,) * (n - len(shape)) + tuple(shape)
    split = []
    for r, s in zip(ctx.repeats, padded):
        split += [r, s]  # each output dim is (repeat index, input index)
    grad = grad.reshape(split).sum(tuple(range(0, 2 * n, 2)))
    return grad.reshape(shape)


def repeat(x, repeats):
    """Mirrors `torch.Tensor.repeat(*sizes)`."""
    repeats = tuple(repeats)
    if len(repeats) < x.ndim:
        raise RuntimeError(
            "Number of dimensions of repeat dims can not be smaller than number of dimensions of "
            "tensor"
        )
    padded = (1,) * (len(repeats) - x.ndim) + tuple(x.shape)
    out = [r * s for r, s in zip(repeats, padded)]
    if any(r < 0 for r in repeats):
        raise RuntimeError(f"Trying to create tensor with negative dimension {min(out)}: {out}")
    return _repeat(x, repeats=repeats)


def tile(input, dims):  # noqa: A002
    """Mirrors `torch.tile`: repeat, with missing leading dims of `dims` taken as 1."""
    dims = _ints(dims, "tile", "dims")
    return repeat(input, (1,) * (input.ndim - len(dims)) + dims)


@primitive("repeat_interleave_select", node_name="IndexSelectBackward0")
def _index_select(x, *, dim, index):
    return xp(x).take(x, index, axis=dim)


@_index_select.backward
def _(ctx, grad):
    return _index_add_zeros(grad, shape=ctx.shapes[0], dim=ctx.dim, index=ctx.index)


@primitive("repeat_interleave_backward")
def _index_add_zeros(grad, *, shape, dim, index):
    m = xp(grad)
    out = m.zeros(shape, dtype=grad.dtype)
    m.add.at(out, (slice(None),) * dim + (index,), grad)
    return out


@_index_add_zeros.backward
def _(ctx, grad):
    return _index_select(grad, dim=ctx.dim, index=ctx.index)


def repeat_interleave(input, repeats=None, dim=None, *, output_size=None):  # noqa: A002
    """Mirrors `torch.repeat_interleave`; `repeat_interleave(repeats)` gives the indices."""
    tensor_cls = _tensor_cls()
    if repeats is None:  # the one-argument form: each index i repeated repeats[i] times
        counts = _repeat_counts(input, input.numel())
        m = xp(counts)
        return tensor_cls._make(m.repeat(m.arange(counts.shape[0]), counts))
    x = input
    if dim is None:
        x, dim = reshape(x, (-1,)), 0
    dim = wrap_dim(dim, x.ndim)
    if x.ndim == 0:
        wrap_dim(dim + 1, 1)  # torch unsqueezes at dim + 1, out of range for a 0-d tensor
    size = x.shape[dim]
    if isinstance(repeats, tensor_cls):
        counts = _repeat_counts(repeats, size, dim)
        index = xp(counts).repeat(xp(counts).arange(size), counts)
        if output_size is not None and output_size != index.shape[0]:
            raise RuntimeError("allocated size does not match required size")
        return _index_select(x, dim=dim, index=index)
    r = operator.index(repeats)
    if r < 0:
        raise RuntimeError("Repeats must be non-negative")
    if output_size is not None and output_size != r * size:
        raise RuntimeError(
            f"repeat_interleave: Invalid output_size, expected {r * size} but got {output_size}"
        )
    from .pointwise import clone

    # each element followed by its copies: a new dim of size r after `dim`, merged into it
    shape = tuple(x.shape)
    wide = expand(unsqueeze(x, dim + 1), shape[: dim + 1] + (r,) + shape[dim + 1 :])
    return view(clone(wide, order="C"), shape[:dim] + (r * size,) + shape[dim + 1 :])


def _repeat_counts(repeats, size, dim=None):
    """repeats as an int64 array of length `size`, with torch's checks."""
    if repeats.dtype.is_floating_point:
        raise NotImplementedError(
            f"\"repeat_interleave_cpu\" not implemented for '{repeats.dtype._title}'"
        )
    if repeats.ndim > 1:
        raise RuntimeError("repeats must be 0-dim or 1-dim tensor")
    counts = repeats._data.astype("int64").reshape(-1)
    if dim is not None and counts.shape[0] == 1:
        counts = xp(counts).full(size, counts[0])
    if dim is not None and counts.shape[0] != size:
        raise RuntimeError(
            "repeats must have the same size as input along dim, but got repeats.size(0) = "
            f"{counts.shape[0]} and input.size({dim}) = {size}"
        )
    if (counts < 0).any():
        raise RuntimeError("repeats can not be negative")
    return counts


# ---- flip, roll, rot90 --------------------------------------------------------------------------


@primitive("flip")
def _flip(x, *, dims):
    return xp(x).flip(x, axis=dims).copy()  # numpy's flip is a view; torch's is a copy


@_flip.backward
def _(ctx, grad):
    return _flip(grad, dims=ctx.dims)


def flip(input, dims):  # noqa: A002
    """Mirrors `torch.flip`."""
    if not isinstance(dims, (tuple, list)):
        raise TypeError(
            f"flip(): argument 'dims' (position 2) must be tuple of ints, not {type(dims).__name__}"
        )
    dims = wrap_dims(tuple(dims), input.ndim)
    return _flip(input, dims=dims if input.ndim else ())


def fliplr(input):  # noqa: A002
    """Mirrors `torch.fliplr`."""
    if input.ndim < 2:
        raise RuntimeError("Input must be >= 2-d.")
    return _flip(input, dims=(1,))


def flipud(input):  # noqa: A002
    """Mirrors `torch.flipud`."""
    if input.ndim < 1:
        raise RuntimeError("Input must be >= 1-d.")
    return _flip(input, dims=(0,))


@primitive("roll")
def _roll(x, *, shifts, dims):
    if dims is None:
        return xp(x).roll(x, shifts[0])  # flattened, rolled, shaped back
    return xp(x).roll(x, shifts, axis=dims)


@_roll.backward
def _(ctx, grad):
    return _roll(grad, shifts=tuple(-s for s in ctx.shifts), dims=ctx.dims)


def roll(input, shifts, dims=None):  # noqa: A002
    """Mirrors `torch.roll`: without dims the flattened tensor is rolled."""
    shifts = _ints(shifts, "roll", "shifts")
    if dims is not None:
        dims = _ints(dims, "roll", "dims")
    if not shifts:
        raise RuntimeError("`shifts` required")
    if dims is None and len(shifts) == 1:
        return _roll(input, shifts=shifts, dims=None)
    ndims = len(dims or ())
    if len(shifts) != ndims:
        raise RuntimeError(f"shifts and dimensions must align. shifts: {len(shifts)}, dims:{ndims}")
    if input.ndim == 0:
        raise IndexError(f"Dimension specified as {dims[0]} but tensor has no dimensions")
    return _roll(input, shifts=shifts, dims=tuple(wrap_dim(d, input.ndim) for d in dims))


@primitive("rot90")
def _rot90(x, *, k, dims):
    return xp(x).rot90(x, k, axes=dims).copy()


@_rot90.backward
def _(ctx, grad):
    return _rot90(grad, k=(4 - ctx.k) % 4, dims=ctx.dims)


def rot90(input, k=1, dims=(0, 1)):  # noqa: A002
    """Mirrors `torch.rot90`: rotates from the first towards the second of `dims`."""
    dims = _ints(dims, "rot90", "dims")
    if len(dims) != 2:
        raise RuntimeError(f"expected total rotation dims == 2, but got dims = {len(dims)}")
    if input.ndim < 2:
        raise RuntimeError(f"expected total dims >= 2, but got total dims = {input.ndim}")
    d0, d1 = wrap_dim(dims[0], input.ndim), wrap_dim(dims[1], input.ndim)
    if d0 == d1:
        raise RuntimeError(
            f"expected rotation dims to be different, but got dim0 = {dims[0]} and dim1 = {dims[1]}"
        )
    return _rot90(input, k=operator.index(k) % 4, dims=(d0, d1))


# ---- triangles, diagonals, trace ----------------------------------------------------------------


def _triangle(name):
    p = primitive(name)(lambda x, *, diagonal: getattr(xp(x), name)(x, k=diagonal))
    p.backward(lambda ctx, grad: getattr(grad, name)(ctx.diagonal))
    return p


_tril, _triu = _triangle("tril"), _triangle("triu")


def _check_triangle(x, name):
    if x.ndim < 2:
        raise RuntimeError(f"{name}: input tensor must have at least 2 dimensions")


def tril(input, diagonal=0, *, out=None):  # noqa: A002
    """Mirrors `torch.tril` (over the last two dims)."""
    _check_triangle(input, "tril")
    if out is not None:
        raise NotImplementedError("tril(): out= is not supported")
    return _tril(input, diagonal=operator.index(diagonal))


def triu(input, diagonal=0, *, out=None):  # noqa: A002
    """Mirrors `torch.triu` (over the last two dims)."""
    _check_triangle(input, "triu")
    if out is not None:
        raise NotImplementedError("triu(): out= is not supported")
    return _triu(input, diagonal=operator.index(diagonal))


def _diag_view(a, offset, dim1, dim2):
    out = xp(a).diagonal(a, offset, dim1, dim2)
    flags = out.flags
    if not getattr(flags, "writeable", True) and a.flags.writeable:
        flags.writeable = True  # numpy hands out read-only diagonals; torch's are writable views
    return out


def _diagonal_forward(x, *, offset, dim1, dim2):
    return _diag_view(x, offset, dim1, dim2)


def _diagonal_back(ctx, grad):
    return _diagonal_backward(
        grad, shape=ctx.shapes[0], offset=ctx.offset, dim1=ctx.dim1, dim2=ctx.dim2
    )


_diagonal = primitive("diagonal", view=True)(_diagonal_forward)
_diagonal.backward(_diagonal_back)
# NOTE: torch 2.13 names the node of diag() on a matrix DiagonalBackward0_copy; it is a copy
_diagonal_copy = primitive("diagonal_copy", node_name="DiagonalBackward0_copy")(
    lambda x, *, offset, dim1, dim2: _diag_view(x, offset, dim1, dim2).copy()
)
_diagonal_copy.backward(_diagonal_back)


@primitive("diagonal_backward")
def _diagonal_backward(grad, *, shape, offset, dim1, dim2):
    out = xp(grad).zeros(shape, dtype=grad.dtype)
    _diag_view(out, offset, dim1, dim2)[...] = grad
    return out


@_diagonal_backward.backward
def _(ctx, grad):
    return _diagonal(grad, offset=ctx.offset, dim1=ctx.dim1, dim2=ctx.dim2)


def _diag_dims(dim1, dim2, ndim):
    d1, d2 = wrap_dim(dim1, ndim), wrap_dim(dim2, ndim)
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    return d1, d2


def diagonal(input, offset=0, dim1=0, dim2=1):  # noqa: A002
    """Mirrors `torch.diagonal`: a view, with the diagonal as the last dim."""
    d1, d2 = _diag_dims(dim1, dim2, input.ndim)
    return _diagonal(input, offset=operator.index(offset), dim1=d1, dim2=d2)


@primitive("diag_embed")
def _diag_embed(x, *, offset, dim1, dim2):
    n = x.shape[-1] + abs(offset)
    shape = list(x.shape[:-1])
    for d in sorted((dim1, dim2)):
        shape.insert(d, n)
    out = xp(x).zeros(shape, dtype=x.dtype)
    _diag_view(out, offset, dim1, dim2)[...] = x
    return out


@_diag_embed.backward
def _(ctx, grad):
    return _diagonal(grad, offset=ctx.offset, dim1=ctx.dim1, dim2=ctx.dim2)


def diag_embed(input, offset=0, dim1=-2, dim2=-1):  # noqa: A002
    """Mirrors `torch.diag_embed`: the last dim of `input` becomes diagonals of new dims."""
    d1, d2 = _diag_dims(dim1, dim2, input.ndim + 1)
    return _diag_embed(input, offset=operator.index(offset), dim1=d1, dim2=d2)


def diag(input, diagonal=0, *, out=None):  # noqa: A002
    """Mirrors `torch.diag`: a vector becomes a matrix, a matrix gives its diagonal (a copy)."""
    if input.ndim not in (1, 2):
        raise RuntimeError(f"diag(): Supports 1D or 2D tensors. Got {input.ndim}D")
    if out is not None:
        raise NotImplementedError("diag(): out= is not supported")
    k = operator.index(diagonal)
    if input.ndim == 1:
        return _diag_embed(input, offset=k, dim1=0, dim2=1)
    return _diagonal_copy(input, offset=k, dim1=0, dim2=1)


def diagflat(input, offset=0):  # noqa: A002
    """Mirrors `torch.diagflat`."""
    return _diag_embed(reshape(input, (-1,)), offset=operator.index(offset), dim1=0, dim2=1)


@primitive("trace")
def _trace(x):
    # torch sums integers into int64, as its sum does
    return xp(x).trace(x, dtype=None if x.dtype.kind == "f" else "int64")


@_trace.backward
def _(ctx, grad):
    shape = ctx.shapes[0]
    return _diagonal_backward(grad.expand(min(shape)), shape=shape, offset=0, dim1=0, dim2=1)


def trace(input):  # noqa: A002
    """Mirrors `torch.trace` (matrices only)."""
    if input.ndim != 2:
        raise RuntimeError(f"trace: expected a matrix, but got tensor with dim {input.ndim}")
    if input.dtype._name == "bool":
        raise NotImplementedError("\"trace\" not implemented for 'Bool'")
    return _trace(input)


# ---- new_* conversions --------------------------------------------------------------------------


def new_tensor(x, data, dtype=None, device=None, requires_grad=False):
    """Mirrors `torch.Tensor.new_tensor`: a copy of `data` with x's dtype unless told."""
    from .._creation import tensor

    if isinstance(data, _tensor_cls()):
        warnings.warn(
            "To copy construct from a tensor, it is recommended to use "
            "sourceTensor.detach().clone() or sourceTensor.detach().clone().requires_grad_(True), "
            "rather than tensor.new_tensor(sourceTensor).",
            UserWarning,
            stacklevel=3,
        )
        data = data.detach()
    return tensor(data, dtype=dtype or x.dtype, device=device, requires_grad=requires_grad)


def _new_size(size, fn):
    """new_zeros/new_ones/new_empty take sizes as varargs or one sequence, as torch does."""
    if len(size) == 1 and not isinstance(size[0], (tuple, list)):
        try:
            operator.index(size[0])
        except TypeError:
            raise TypeError(
                f"{fn}(): argument 'size' (position 1) must be tuple of ints, not "
                f"{type(size[0]).__name__}"
            ) from None
    from .._tensor import _dims

    return _dims(size, fn)


def _new_factory(name):
    def make(x, size, dtype=None, device=None, requires_grad=False):
        from .. import _creation

        return getattr(_creation, name)(
            _new_size(size, f"new_{name}"), dtype=dtype or x.dtype, device=device,
            requires_grad=requires_grad,
        )  # fmt: skip

    make.__name__ = f"new_{name}"
    make.__doc__ = f"Mirrors `torch.Tensor.new_{name}`: x's dtype unless told."
    return make


new_zeros, new_ones, new_empty = (_new_factory(n) for n in ("zeros", "ones", "empty"))


def new_full(x, size, fill_value, dtype=None, device=None, requires_grad=False):
    """Mirrors `torch.Tensor.new_full`: x's dtype unless told (not the fill value's)."""
    from .._creation import full
    from .._tensor import _size_arg

    return full(_size_arg(size, "new_full", 1), fill_value, dtype=dtype or x.dtype, device=device,
                requires_grad=requires_grad)  # fmt: skip
