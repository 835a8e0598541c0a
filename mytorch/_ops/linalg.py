"""Matrix products: matmul and the dot/mv/mm/bmm forms torch names its nodes after, einsum,
tensordot, kron, cross, addmm and friends, plus helpers shared with `factorizations.py` (which
holds `torch.linalg`'s inverse, determinants, solve and factorizations)."""

from __future__ import annotations

import operator
import warnings

from .. import _backend
from . import primitive
from .shape import _reshape_copy, wrap_dim

xp = _backend.xp


__all__ = [
    "addbmm",
    "addmm",
    "addmv",
    "addr",
    "baddbmm",
    "bmm",
    "cross",
    "dot_checked",
    "inner",
    "kron",
    "matmul",
    "mm_checked",
    "mv_checked",
    "outer",
    "vdot",
]


# ---- helpers ------------------------------------------------------------------------------------

# torch's C++ type names, used by some of its dtype messages ("float != double")
_C_NAMES = {"float32": "float", "float64": "double", "int64": "long int", "int32": "int",
            "int16": "short int", "int8": "signed char", "uint8": "unsigned char",
            "float16": "c10::Half", "bool": "bool"}  # fmt: skip


def _cname(t) -> str:
    return _C_NAMES[t.dtype._name]


def _shape_str(shape) -> str:
    return "x".join(str(s) for s in shape)


def _no_out(out, fn: str) -> None:
    if out is not None:
        raise NotImplementedError(f"{fn}(): the out= argument is not supported")


def _broadcast_shapes(a, b):
    """torch's broadcast of two shapes, with its error text."""
    n = max(len(a), len(b))
    a, b = (1,) * (n - len(a)) + tuple(a), (1,) * (n - len(b)) + tuple(b)
    out = []
    for i, (x, y) in enumerate(zip(a, b)):
        if x != y and 1 not in (x, y):
            raise RuntimeError(
                f"The size of tensor a ({x}) must match the size of tensor b ({y}) at "
                f"non-singleton dimension {i}"
            )
        out.append(y if x == 1 else x)
    return tuple(out)


def _expandable(shape, target) -> None:
    """The error torch's expand gives when `shape` does not broadcast to `target`."""
    lead = len(target) - len(shape)
    if lead < 0:
        return  # the caller's expand reports this one
    for i, s in enumerate(shape):
        if s != 1 and s != target[lead + i]:
            raise RuntimeError(
                f"The expanded size of the tensor ({target[lead + i]}) must match the existing "
                f"size ({s}) at non-singleton dimension {lead + i}.  Target sizes: "
                f"{list(target)}.  Tensor sizes: {list(shape)}"
            )


def _scaled(x, factor, dtype):
    """x * factor for a Python number, keeping x's dtype (an integer x with alpha=2 stays int)."""
    if factor == 1:
        return x
    out = x * factor
    return out if out.dtype == dtype else out.astype(dtype)


@primitive("linalg_constant", differentiable=False)
def _constant(x, *, kind, rows, cols, k):
    """A constant matrix of x's dtype and array module: "eye" (ones on diagonal k), "tril"
    (ones on and below diagonal k) or "triu" (on and above it)."""
    m = xp(x)
    if kind == "eye":
        return m.eye(rows, cols, k, dtype=x.dtype)
    lower = m.tri(rows, cols, k, dtype=x.dtype)
    return lower if kind == "tril" else 1 - m.tri(rows, cols, k - 1, dtype=x.dtype)


def _eye(x, n=None, m=None, k=0):
    n = x.shape[-1] if n is None else n
    return _constant(x, kind="eye", rows=n, cols=n if m is None else m, k=k)


def _tril(x, k=0):
    return x * _constant(x, kind="tril", rows=x.shape[-2], cols=x.shape[-1], k=k)


def _diagonal(x):
    """(..., n, n) -> (..., n): the main diagonal, as a differentiable index."""
    from .._creation import arange

    idx = arange(x.shape[-1])
    return x[..., idx, idx]


def _skew(x):
    return x - x.mT


# ---- matrix products ----------------------------------------------------------------------------


def _matmul(a, b):
    return xp(a).matmul(a, b)


mm = primitive("mm", promote="binary")(_matmul)
mv = primitive("mv", promote="binary")(_matmul)
dot = primitive("dot", promote="binary")(_matmul)
_vdot = primitive("vdot", promote="binary")(_matmul)
_bmm = primitive("bmm", promote="binary")(_matmul)
# 1-d @ 2-d and batched products: torch's outermost node for these is a squeeze, a view or (for
# a matrix times a batch, computed transposed and then made contiguous) a clone
vm = primitive("matmul_vm", promote="binary", node_name="SqueezeBackward4")(_matmul)
batched = primitive("matmul", promote="binary", node_name="UnsafeViewBackward0")(_matmul)
batched_clone = primitive("matmul", 1, promote="binary", node_name="CloneBackward0")(_matmul)
batched_transpose = primitive("matmul", 2, promote="binary", node_name="TransposeBackward0")(
    _matmul
)


@mm.backward
def _(ctx, grad):
    a, b = ctx.inputs
    return (grad @ b.t() if ctx.needs_input_grad[0] else None), (
        a.t() @ grad if ctx.needs_input_grad[1] else None
    )


@mv.backward
def _(ctx, grad):
    a, v = ctx.inputs
    return (grad.unsqueeze(1) * v if ctx.needs_input_grad[0] else None), (
        a.t() @ grad if ctx.needs_input_grad[1] else None
    )


def _dot_back(ctx, grad):
    a, b = ctx.inputs
    return grad * b, grad * a


dot.backward(_dot_back)
_vdot.backward(_dot_back)


@_bmm.backward
def _(ctx, grad):
    a, b = ctx.inputs
    return (grad @ b.mT if ctx.needs_input_grad[0] else None), (
        a.mT @ grad if ctx.needs_input_grad[1] else None
    )


@vm.backward
def _(ctx, grad):
    v, m = ctx.inputs
    return (m @ grad if ctx.needs_input_grad[0] else None), (
        v.unsqueeze(1) * grad if ctx.needs_input_grad[1] else None
    )


def _batched_back(ctx, grad):
    # treat 1-d operands as a row (left) or a column (right); the engine sums broadcast batch dims
    a, b = ctx.inputs
    a2 = a.unsqueeze(0) if a.ndim == 1 else a
    b2 = b.unsqueeze(-1) if b.ndim == 1 else b
    g = grad.unsqueeze(-2) if a.ndim == 1 else grad
    g = g.unsqueeze(-1) if b.ndim == 1 else g
    ga = gb = None
    if ctx.needs_input_grad[0]:
        ga = g @ b2.mT
        ga = ga.squeeze(-2) if a.ndim == 1 else ga
    if ctx.needs_input_grad[1]:
        gb = a2.mT @ g
        gb = gb.squeeze(-1) if b.ndim == 1 else gb
    return ga, gb


batched.backward(_batched_back)
batched_clone.backward(_batched_back)
batched_transpose.backward(_batched_back)


def _prod(shape) -> int:
    n = 1
    for s in shape:
        n *= s
    return n


def _matmul_dtype_error(a, b):
    """torch's message depends on which kernel the ranks dispatch to."""
    na, nb = a.ndim, b.ndim
    if na == 1 and nb == 1:
        return f"dot : expected both vectors to have same dtype, but found {a.dtype._title} and " \
            f"{b.dtype._title}"  # fmt: skip
    if nb == 1:
        d = (b.dtype._title, a.dtype._title)
        return f"addmv input tensors must have the same dtype, but got {d[0]}, {d[1]}, and {d[0]}"
    if nb == 2:
        return f"expected m1 and m2 to have the same dtype, but got: {_cname(a)} != {_cname(b)}"
    return f"expected scalar type {a.dtype._title} but found {b.dtype._title}"


def _kernel_name(na, nb) -> str:
    if na == 1 and nb == 1:
        return "dot"
    if nb == 1:
        return "addmv_impl_cpu"
    return "addmm_impl_cpu_" if nb == 2 else "bmm"


def _no_bool(a, kernel):
    if a.dtype._name == "bool":
        raise NotImplementedError(f"\"{kernel}\" not implemented for 'Bool'")


def matmul(input, other, *, out=None):  # noqa: A002
    """Mirrors `torch.matmul` for every rank combination, with torch's node names and errors.

    The operands must have one dtype, as in torch (no promotion); integer products work.
    """
    from .._tensor import Tensor

    _no_out(out, "matmul")
    a, b = input, other
    if not isinstance(a, Tensor):
        raise TypeError(
            f"matmul(): argument 'input' (position 1) must be Tensor, not {type(a).__name__}"
        )
    if not isinstance(b, Tensor):
        raise TypeError(
            f"matmul(): argument 'other' (position 2) must be Tensor, not {type(b).__name__}"
        )
    na, nb = a.ndim, b.ndim
    if na == 0 or nb == 0:
        raise RuntimeError(
            f"both arguments to matmul need to be at least 1D, but they are {na}D and {nb}D"
        )
    if a.dtype is not b.dtype:
        raise RuntimeError(_matmul_dtype_error(a, b))
    _no_bool(a, _kernel_name(na, nb))
    if na == 1 and nb == 1:
        return dot_checked(a, b)
    if nb == 1:
        rows = _prod(a.shape[:-1])
        if a.shape[-1] != b.shape[0]:
            raise RuntimeError(
                f"size mismatch, got input ({rows}), mat ({rows}x{a.shape[-1]}), vec ({b.shape[0]})"
            )
        return mv(a, b) if na == 2 else batched(a, b)
    if nb == 2:
        rows = _prod(a.shape[:-1])
        if a.shape[-1] != b.shape[0]:
            raise RuntimeError(
                f"mat1 and mat2 shapes cannot be multiplied ({rows}x{a.shape[-1]} and "
                f"{_shape_str(b.shape)})"
            )
        return mm(a, b) if na == 2 else vm(a, b) if na == 1 else batched(a, b)
    batch = _broadcast_shapes(a.shape[:-2], b.shape[:-2])
    if a.shape[-1] != b.shape[-2]:
        n = _prod(batch)
        raise RuntimeError(
            f"Expected size for first two dimensions of batch2 tensor to be: [{n}, "
            f"{a.shape[-1]}] but got: [{n}, {b.shape[-2]}]."
        )
    if na == 2:
        # torch computes (b^T a^T)^T and makes it contiguous: a clone, unless the transposed
        # result already is contiguous (one row or column, or empty)
        n, p = a.shape[0], b.shape[-1]
        empty = 0 in (n, p) or 0 in batch
        return batched_transpose(a, b) if n == 1 or p == 1 or empty else batched_clone(a, b)
    return batched(a, b)


def mm_checked(input, mat2, *, out=None):  # noqa: A002
    """Mirrors `torch.mm`: 2-d by 2-d only."""
    _no_out(out, "mm")
    a, b = input, mat2
    if a.ndim != 2 or b.ndim != 2:
        raise RuntimeError("self must be a matrix" if a.ndim != 2 else "mat2 must be a matrix")
    if a.dtype is not b.dtype:
        raise RuntimeError(_matmul_dtype_error(a, b))
    if a.shape[1] != b.shape[0]:
        raise RuntimeError(
            f"mat1 and mat2 shapes cannot be multiplied ({_shape_str(a.shape)} and "
            f"{_shape_str(b.shape)})"
        )
    _no_bool(a, "addmm_impl_cpu_")
    return mm(a, b)


def mv_checked(input, vec, *, out=None):  # noqa: A002
    """Mirrors `torch.mv`."""
    _no_out(out, "mv")
    a, v = input, vec
    if a.ndim != 2 or v.ndim != 1:
        raise RuntimeError(f"vector + matrix @ vector expected, got 1, {a.ndim}, {v.ndim}")
    if a.dtype is not v.dtype:
        raise RuntimeError(_matmul_dtype_error(a, v))
    if a.shape[1] != v.shape[0]:
        raise RuntimeError(
            f"size mismatch, got input ({a.shape[0]}), mat ({_shape_str(a.shape)}), "
            f"vec ({v.shape[0]})"
        )
    _no_bool(a, "addmv_impl_cpu")
    return mv(a, v)


def _check_dot(a, b):
    if a.ndim != 1 or b.ndim != 1:
        raise RuntimeError(f"1D tensors expected, but got {a.ndim}D and {b.ndim}D tensors")
    if a.shape[0] != b.shape[0]:
        raise RuntimeError(
            "inconsistent tensor size, expected tensor [{0}] and src [{1}] to have the same "
            "number of elements, but got {0} and {1} elements respectively".format(
                a.shape[0], b.shape[0]
            )
        )
    if a.dtype is not b.dtype:
        raise RuntimeError(_matmul_dtype_error(a, b))
    _no_bool(a, "dot")


def dot_checked(input, tensor, *, out=None):  # noqa: A002
    """Mirrors `torch.dot`: two 1-d tensors of one length and dtype."""
    _no_out(out, "dot")
    _check_dot(input, tensor)
    return dot(input, tensor)


def vdot(input, other, *, out=None):  # noqa: A002
    """Mirrors `torch.vdot` (real tensors: the same value as `dot`, node VdotBackward0)."""
    _no_out(out, "vdot")
    _check_dot(input, other)
    return _vdot(input, other)


def bmm(input, mat2, *, out=None):  # noqa: A002
    """Mirrors `torch.bmm`: (b, n, m) @ (b, m, p), no broadcasting."""
    _no_out(out, "bmm")
    a, b = input, mat2
    for name, t in (("batch1", a), ("batch2", b)):
        if t.ndim != 3:
            raise RuntimeError(f"{name} must be a 3D tensor")
    if a.dtype is not b.dtype:
        raise RuntimeError(f"expected scalar type {a.dtype._title} but found {b.dtype._title}")
    if (b.shape[0], b.shape[1]) != (a.shape[0], a.shape[2]):
        raise RuntimeError(
            f"Expected size for first two dimensions of batch2 tensor to be: [{a.shape[0]}, "
            f"{a.shape[2]}] but got: [{b.shape[0]}, {b.shape[1]}]."
        )
    _no_bool(a, "bmm")
    return _bmm(a, b)


def outer(input, vec2, *, out=None):  # noqa: A002
    """Mirrors `torch.outer` (dtypes promote, as in torch)."""
    _no_out(out, "outer")
    for name, t in (("self", input), ("vec2", vec2)):
        if t.ndim != 1:
            raise RuntimeError(f"outer: Expected 1-D argument {name}, but got {t.ndim}-D")
    return input.unsqueeze(1) * vec2


def ger(input, vec2, *, out=None):  # noqa: A002
    """Mirrors `torch.ger`, an alias of `outer`."""
    return outer(input, vec2, out=out)


def inner(input, other, *, out=None):  # noqa: A002
    """Mirrors `torch.inner`."""
    _no_out(out, "inner")
    if input.ndim == 0 or other.ndim == 0:
        return input * other
    if input.shape[-1] != other.shape[-1]:
        raise RuntimeError(
            "inner() the last dimension must match on both input tensors but got shapes "
            f"{list(input.shape)} and {list(other.shape)}"
        )
    return tensordot(input, other, dims=([-1], [-1]))


def _dims_list(d):
    from .._tensor import Tensor

    if isinstance(d, Tensor):
        d = d.tolist()
    return (
        [operator.index(d)] if not isinstance(d, (list, tuple)) else [operator.index(i) for i in d]
    )


def tensordot(a, b, dims=2, out=None):
    """Mirrors `torch.tensordot` (dims: an int, or a pair of lists)."""
    from .._tensor import Tensor

    _no_out(out, "tensordot")
    if isinstance(dims, Tensor):
        dims = dims.item() if dims.ndim == 0 else dims.tolist()
    if isinstance(dims, (list, tuple)):
        if len(dims) != 2:
            raise RuntimeError("tensordot expects dims to be a pair of lists")
        dims_a, dims_b = _dims_list(dims[0]), _dims_list(dims[1])
    else:
        n = operator.index(dims)
        if n < 0:
            raise RuntimeError(f"tensordot expects dims >= 0, but got dims={n}")
        if n > a.ndim or n > b.ndim:
            raise RuntimeError(f"tensordot expects dims < ndim_a or ndim_b, but got dims={n}")
        dims_a, dims_b = list(range(-n, 0)), list(range(n))
    if len(dims_a) != len(dims_b):
        raise RuntimeError("both dimension lists should have same length")
    if a.dtype is not b.dtype:
        raise RuntimeError("both inputs should have same dtype")
    wa = [wrap_dim(d, a.ndim) for d in dims_a]
    wb = [wrap_dim(d, b.ndim) for d in dims_b]
    for w in (wa, wb):
        for i, d in enumerate(w):
            if d in w[:i]:
                raise RuntimeError(f"dim {d} appears multiple times in the list of dims")
    for da, db, ia, ib in zip(dims_a, dims_b, wa, wb):
        if a.shape[ia] != b.shape[ib]:
            raise RuntimeError(
                f"contracted dimensions need to match, but first has size {a.shape[ia]} in dim "
                f"{da} and second has size {b.shape[ib]} in dim {db}"
            )
    free_a = [d for d in range(a.ndim) if d not in wa]
    free_b = [d for d in range(b.ndim) if d not in wb]
    k = _prod(a.shape[d] for d in wa)
    fa = [a.shape[d] for d in free_a]
    fb = [b.shape[d] for d in free_b]
    x = _permuted(a, free_a + wa).reshape(_prod(fa), k)
    y = _permuted(b, wb + free_b).reshape(k, _prod(fb))
    return mm(x, y).reshape(fa + fb)


def _permuted(x, dims):
    dims = list(dims)
    return x if dims == list(range(x.ndim)) else x.permute(*dims)


def kron(input, other, *, out=None):  # noqa: A002
    """Mirrors `torch.kron` (dtypes promote)."""
    _no_out(out, "kron")
    a, b = input, other
    n = max(a.ndim, b.ndim)
    sa = (1,) * (n - a.ndim) + tuple(a.shape)
    sb = (1,) * (n - b.ndim) + tuple(b.shape)
    # a's dims first, then b's, then interleaved: (a0, b0, a1, b1, ...) read as (a0*b0, a1*b1, ...)
    prod = a.reshape(sa + (1,) * n) * b.reshape((1,) * n + sb)
    order = [i for d in range(n) for i in (d, n + d)]
    # torch's kron ends in a copying reshape whatever the layout
    return _reshape_copy(prod.permute(*order), shape=tuple(x * y for x, y in zip(sa, sb)))


@primitive("linalg_cross")
def _cross(a, b, *, dim):
    return xp(a).cross(a, b, axis=dim)


@_cross.backward
def _(ctx, grad):
    a, b = ctx.inputs
    d = ctx.dim
    return (
        _cross(b, grad, dim=d) if ctx.needs_input_grad[0] else None,
        _cross(grad, a, dim=d) if ctx.needs_input_grad[1] else None,
    )


def linalg_cross(input, other, *, dim=-1, out=None):  # noqa: A002
    """Mirrors `torch.linalg.cross`: inputs of one rank and dtype that broadcast."""
    _no_out(out, "linalg.cross")
    a, b = input, other
    if a.ndim != b.ndim:
        raise RuntimeError("linalg.cross: inputs must have the same number of dimensions.")
    if a.dtype is not b.dtype:
        raise RuntimeError(f"expected scalar type {a.dtype._title} but found {b.dtype._title}")
    d = wrap_dim(dim, a.ndim)
    if a.shape[d] != 3 or b.shape[d] != 3:
        raise RuntimeError(
            f"linalg.cross: inputs dimension {dim} must have length 3. Got {a.shape[d]} and "
            f"{b.shape[d]}"
        )
    _broadcast_shapes(a.shape, b.shape)
    return _cross(a, b, dim=d)


def cross(input, other, dim=None, *, out=None):  # noqa: A002
    """Mirrors `torch.cross`: without `dim`, the first dim of size 3 (deprecated by torch)."""
    if dim is None:
        warnings.warn(
            "Using torch.cross without specifying the dim arg is deprecated.\nPlease either pass "
            "the dim explicitly or simply use torch.linalg.cross.\nThe default value of dim will "
            "change to agree with that of linalg.cross in a future release.",
            UserWarning,
            stacklevel=2,
        )
        if input.ndim == other.ndim:
            shape = _broadcast_shapes(input.shape, other.shape)
            dim = next((i for i, s in enumerate(shape) if s == 3), None)
        else:
            dim = -1
        if dim is None:
            raise RuntimeError("no dimension of size 3 in input")
    return linalg_cross(input, other, dim=dim, out=out)


def vecdot(x, y, *, dim=-1, out=None):
    """Mirrors `torch.linalg.vecdot` (real tensors)."""
    _no_out(out, "linalg.vecdot")
    if x.dtype is not y.dtype:
        raise RuntimeError(
            "linalg.vecdot: Expected x and y to have the same dtype, but found x of type "
            f"{x.dtype._title} and y of type {y.dtype._title} instead"
        )
    return (x * y).sum(dim)


# ---- add + product: addmm, addmv, addr, addbmm, baddbmm -----------------------------------------


@primitive("addmm")
def _addmm(c, a, b, *, beta, alpha):
    out = _scaled(xp(a).matmul(a, b), alpha, a.dtype)
    # NOTE: beta == 0 ignores `input` entirely (nan and inf in it do not propagate), as in torch
    if beta != 0:
        out += _scaled(c, beta, a.dtype)  # a fresh array of the result's shape: no second one
    return out


def _times(t, scale):
    # F.linear's addmm has alpha = beta = 1: skipping the product saves an op per gradient
    return t if scale == 1 else t * scale


@_addmm.backward
def _(ctx, grad):
    c, a, b = ctx.inputs
    need = ctx.needs_input_grad
    return (
        _times(grad, ctx.beta) if need[0] else None,
        _times(grad @ b.mT, ctx.alpha) if need[1] else None,
        _times(a.mT @ grad, ctx.alpha) if need[2] else None,
    )


@primitive("addbmm")
def _addbmm(c, a, b, *, beta, alpha):
    out = _scaled(xp(a).matmul(a, b).sum(0), alpha, a.dtype)
    return out if beta == 0 else out + _scaled(c, beta, a.dtype)


@_addbmm.backward
def _(ctx, grad):
    c, a, b = ctx.inputs
    need = ctx.needs_input_grad
    g = grad.unsqueeze(0)
    return (
        grad * ctx.beta if need[0] else None,
        (g @ b.mT) * ctx.alpha if need[1] else None,
        (a.mT @ g) * ctx.alpha if need[2] else None,
    )


_baddbmm = primitive("baddbmm")(_addmm.forward)
_baddbmm.backward(_addmm.node_class._rule)
_addmv = primitive("addmv")(_addmm.forward)


@_addmv.backward
def _(ctx, grad):
    c, a, v = ctx.inputs
    need = ctx.needs_input_grad
    return (
        grad * ctx.beta if need[0] else None,
        grad.unsqueeze(1) * v * ctx.alpha if need[1] else None,
        (a.t() @ grad) * ctx.alpha if need[2] else None,
    )


@primitive("addr", promote="binary")
def _addr(c, a, b, *, beta, alpha):
    out = _scaled(a[:, None] * b[None, :], alpha, a.dtype)
    return out if beta == 0 else out + _scaled(c, beta, a.dtype)


@_addr.backward
def _(ctx, grad):
    # addr promotes, and matmul needs one dtype: work in the result's (the engine casts back)
    c, a, b = (x.to(grad.dtype) for x in ctx.inputs)
    need = ctx.needs_input_grad
    return (
        grad * ctx.beta if need[0] else None,
        (grad @ b) * ctx.alpha if need[1] else None,
        (grad.t() @ a) * ctx.alpha if need[2] else None,
    )


def _matrix_args(mat1, mat2):
    for name, t in (("mat1", mat1), ("mat2", mat2)):
        if t.ndim != 2:
            raise RuntimeError(f"{name} must be a matrix, got {t.ndim}-D tensor")


def addmm(input, mat1, mat2, *, beta=1, alpha=1, out=None):  # noqa: A002
    """Mirrors `torch.addmm`: beta * input + alpha * (mat1 @ mat2)."""
    _no_out(out, "addmm")
    _matrix_args(mat1, mat2)
    for name, t in (("self", input), ("mat1", mat1)):
        if t.dtype is not mat2.dtype:
            raise RuntimeError(
                f"{name} and mat2 must have the same dtype, but got {t.dtype._title} and "
                f"{mat2.dtype._title}"
            )
    if mat1.shape[1] != mat2.shape[0]:
        raise RuntimeError(
            f"mat1 and mat2 shapes cannot be multiplied ({_shape_str(mat1.shape)} and "
            f"{_shape_str(mat2.shape)})"
        )
    _expandable(input.shape, (mat1.shape[0], mat2.shape[1]))
    return _addmm(input, mat1, mat2, beta=beta, alpha=alpha)


def addmv(input, mat, vec, *, beta=1, alpha=1, out=None):  # noqa: A002
    """Mirrors `torch.addmv`: beta * input + alpha * (mat @ vec)."""
    _no_out(out, "addmv")
    if mat.ndim != 2 or vec.ndim != 1 or input.ndim > 1:
        raise RuntimeError(
            f"vector + matrix @ vector expected, got {input.ndim}, {mat.ndim}, {vec.ndim}"
        )
    if not input.dtype is mat.dtype is vec.dtype:
        raise RuntimeError(
            "addmv input tensors must have the same dtype, but got "
            f"{input.dtype._title}, {mat.dtype._title}, and {vec.dtype._title}"
        )
    if mat.shape[1] != vec.shape[0] or input.shape not in ((), (1,), (mat.shape[0],)):
        rows = input.shape[0] if input.ndim else 1
        raise RuntimeError(
            f"size mismatch, got input ({rows}), mat ({_shape_str(mat.shape)}), vec "
            f"({vec.shape[0]})"
        )
    return _addmv(input, mat, vec, beta=beta, alpha=alpha)


def addr(input, vec1, vec2, *, beta=1, alpha=1, out=None):  # noqa: A002
    """Mirrors `torch.addr`: beta * input + alpha * outer(vec1, vec2) (dtypes promote)."""
    _no_out(out, "addr")
    for name, t in (("vec1", vec1), ("vec2", vec2)):
        if t.ndim != 1:
            raise RuntimeError(f"addr: Expected 1-D argument {name}, but got {t.ndim}-D")
    _expandable(input.shape, (vec1.shape[0], vec2.shape[0]))
    return _addr(input, vec1, vec2, beta=beta, alpha=alpha)


def _batch_args(batch1, batch2):
    for name, t in (("batch1", batch1), ("batch2", batch2)):
        if t.ndim != 3:
            raise RuntimeError(f"{name} must be a 3D tensor")


def addbmm(input, batch1, batch2, *, beta=1, alpha=1, out=None):  # noqa: A002
    """Mirrors `torch.addbmm`: beta * input + alpha * sum_i(batch1[i] @ batch2[i])."""
    _no_out(out, "addbmm")
    if batch1.ndim >= 2 and batch2.ndim >= 3:
        _expandable(input.shape, (batch1.shape[1], batch2.shape[2]))
    _batch_args(batch1, batch2)
    if batch1.shape[0] != batch2.shape[0]:
        raise RuntimeError(
            "batch1 and batch2 must have same number of batches, got "
            f"{batch1.shape[0]} and {batch2.shape[0]}"
        )
    if batch1.shape[2] != batch2.shape[1]:
        raise RuntimeError(
            f"Incompatible matrix sizes for bmm ({batch1.shape[1]}x{batch1.shape[2]} and "
            f"{batch2.shape[1]}x{batch2.shape[2]})"
        )
    for name, t in (("self", input), ("self", batch1)):
        if t.dtype is not batch2.dtype:
            raise RuntimeError(
                f"{name} and mat2 must have the same dtype, but got {t.dtype._title} and "
                f"{batch2.dtype._title}"
            )
    _expandable(input.shape, (batch1.shape[1], batch2.shape[2]))
    return _addbmm(input, batch1, batch2, beta=beta, alpha=alpha)


def baddbmm(input, batch1, batch2, *, beta=1, alpha=1, out=None):  # noqa: A002
    """Mirrors `torch.baddbmm`: beta * input + alpha * (batch1 @ batch2), batch by batch."""
    _no_out(out, "baddbmm")
    _batch_args(batch1, batch2)
    if batch1.dtype is not batch2.dtype:
        raise RuntimeError(
            f"expected scalar type {batch1.dtype._title} but found {batch2.dtype._title}"
        )
    if input.dtype is not batch1.dtype:
        raise RuntimeError(
            f"Input dtypes must be the same, got: input {_cname(input)}, batch1: "
            f"{_cname(batch1)}, batch2: {_cname(batch2)}"
        )
    b, n, k = batch1.shape
    if (batch2.shape[0], batch2.shape[1]) != (b, k):
        raise RuntimeError(
            f"Expected size for first two dimensions of batch2 tensor to be: [{b}, {k}] but "
            f"got: [{batch2.shape[0]}, {batch2.shape[1]}]."
        )
    _expandable(input.shape, (b, n, batch2.shape[2]))
    return _baddbmm(input, batch1, batch2, beta=beta, alpha=alpha)


# ---- chains of products -------------------------------------------------------------------------


def _chain_order(dims):
    """The cheapest parenthesisation of a matrix chain (dims[i] x dims[i+1] for matrix i), as a
    nested tuple of indices; the classic O(n^3) dynamic programme."""
    n = len(dims) - 1
    cost = [[0] * n for _ in range(n)]
    split = [[0] * n for _ in range(n)]
    for length in range(1, n):
        for i in range(n - length):
            j = i + length
            cost[i][j] = None
            for k in range(i, j):
                c = cost[i][k] + cost[k + 1][j] + dims[i] * dims[k + 1] * dims[j + 1]
                if cost[i][j] is None or c < cost[i][j]:
                    cost[i][j], split[i][j] = c, k

    def build(i, j):
        if i == j:
            return i
        k = split[i][j]
        return (build(i, k), build(k + 1, j))

    return build(0, n - 1)


def multi_dot(tensors, *, out=None):
    """Mirrors `torch.linalg.multi_dot` (the first and last tensors may be 1-d)."""
    _no_out(out, "linalg.multi_dot")
    tensors = list(tensors)
    n = len(tensors)
    if n < 2:
        raise RuntimeError(f"multi_dot(): expected at least 2 tensors but got {n}")
    first, last = tensors[0], tensors[-1]
    if first.ndim not in (1, 2):
        raise RuntimeError(f"multi_dot(): the first tensor must be 1D or 2D but got {first.ndim}D")
    if last.ndim not in (1, 2):
        raise RuntimeError(f"multi_dot(): the last tensor must be 1D or 2D but got {last.ndim}D")
    for i, t in enumerate(tensors[1:-1], 1):
        if t.ndim != 2:
            raise RuntimeError(f"multi_dot(): tensor {i} must be 2D but got {t.ndim}D")
    for i, t in enumerate(tensors[1:], 1):
        if t.dtype is not first.dtype:
            raise RuntimeError(
                "multi_dot(): all tensors must have be the same dtype but tensor 0 is "
                f"{_cname(first)} and tensor {i} {_cname(t)}"
            )
    mats = list(tensors)
    if first.ndim == 1:
        mats[0] = first.unsqueeze(0)
    if last.ndim == 1:
        mats[-1] = last.unsqueeze(1)
    for i in range(n - 1):
        if mats[i].shape[1] != mats[i + 1].shape[0]:
            raise RuntimeError(
                f"multi_dot(): tensors {i} and {i + 1} with shapes {list(tensors[i].shape)} and "
                f"{list(tensors[i + 1].shape)} cannot be multiplied"
            )
    dims = [m.shape[0] for m in mats] + [mats[-1].shape[1]]

    def evaluate(node):
        if isinstance(node, int):
            return mats[node]
        return mm(evaluate(node[0]), evaluate(node[1]))

    shape = ([first.shape[0]] if first.ndim == 2 else []) + (
        [last.shape[1]] if last.ndim == 2 else []
    )
    return evaluate(_chain_order(dims)).reshape(shape)


def chain_matmul(*matrices, out=None):
    """Mirrors `torch.chain_matmul` (deprecated by torch in favour of `linalg.multi_dot`)."""
    warnings.warn(
        "torch.chain_matmul is deprecated and will be removed in a future PyTorch release. Use "
        "torch.linalg.multi_dot instead, which accepts a list of two or more tensors rather than "
        "multiple parameters.",
        UserWarning,
        stacklevel=2,
    )
    if len(matrices) == 1 and isinstance(matrices[0], (list, tuple)):
        matrices = tuple(matrices[0])
    for t in matrices:
        if t.ndim != 2:
            raise RuntimeError(f"Tensor dimension is {t.ndim}, expected 2 instead.")
    if len(matrices) == 1:
        return matrices[0].clone()
    return multi_dot(matrices, out=out)


# ---- einsum -------------------------------------------------------------------------------------

_ELLIPSIS = -1
_ELL_BASE = 1000  # labels of the dims an ellipsis covers: _ELL_BASE + position in the broadcast


def _label(c: str) -> int:
    # torch numbers A-Z before a-z; the implicit output is sorted by these numbers
    return ord(c) - ord("A") if c <= "Z" else 26 + ord(c) - ord("a")


def _letter(label: int) -> str:
    return chr(ord("A") + label) if label < 26 else chr(ord("a") + label - 26)


def _parse_equation(eq: str):
    terms: list[list[int]] = [[]]
    out: list[int] | None = None
    current = terms[0]
    i = 0
    while i < len(eq):
        c = eq[i]
        if c == " ":
            pass
        elif c == ".":
            where = "output" if out is not None else f"operand {len(terms) - 1}"
            if eq[i : i + 3] != "...":
                raise RuntimeError(
                    f"einsum(): found '.' for {where} that is not part of any ellipsis"
                )
            if _ELLIPSIS in current:
                raise RuntimeError(
                    f"einsum(): found '.' for {where} for which an ellipsis was already found"
                )
            current.append(_ELLIPSIS)
            i += 3
            continue
        elif c == "," and out is None:
            terms.append([])
            current = terms[-1]
        elif c == "-" and eq[i + 1 : i + 2] == ">" and out is None:
            out = []
            current = out
            i += 2
            continue
        elif c.isascii() and c.isalpha():
            current.append(_label(c))
        else:
            raise RuntimeError(
                f"einsum(): invalid subscript given at index {i} in the equation string, "
                "subscripts must be in [a-zA-Z]"
            )
        i += 1
    return terms, out


def _sublist_labels(sub):
    out = []
    for s in sub:
        if s is Ellipsis:
            out.append(_ELLIPSIS)
        elif not 0 <= operator.index(s) < 52:
            raise RuntimeError(
                f"einsum(): expected subscript to be within the range [0, 52) but got {s}"
            )
        else:
            out.append(operator.index(s))
    return out


def _einsum_args(args):
    from .._tensor import Tensor

    if not args or (isinstance(args[0], str) and len(args) == 1):
        raise ValueError(
            "einsum(): must specify the equation string and at least one operand, or at least "
            "one operand and its subscripts list"
        )
    if isinstance(args[0], str):
        operands = args[1:]
        if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
            operands = tuple(operands[0])
        terms, out = _parse_equation(args[0])
        return terms, out, list(operands)
    # sublist form: op1, sub1, op2, sub2, ..., [out]
    operands, terms = list(args[0::2]), [_sublist_labels(s) for s in args[1::2]]
    out = None
    if len(operands) > len(terms):
        out = _sublist_labels(operands.pop()) if not isinstance(operands[-1], Tensor) else None
    return terms, out, operands


def einsum(*args):
    """Mirrors `torch.einsum` (equation strings incl. ellipsis and repeated indices, and the
    sublist form), as a composite of diagonals, permutes, sums, products and matmuls, so it is
    differentiable to any order."""
    terms, out, operands = _einsum_args(args)
    if len(operands) > len(terms):
        raise RuntimeError("einsum(): more operands were provided than specified in the equation")
    if len(operands) < len(terms):
        raise RuntimeError("einsum(): fewer operands were provided than specified in the equation")
    first = operands[0]
    for t in operands[1:]:
        if t.dtype is not first.dtype:
            raise RuntimeError(
                f"expected scalar type {first.dtype._title} but found {t.dtype._title}"
            )
    # the ellipsis of every operand covers the trailing dims of one broadcast ellipsis shape
    n_ell = []
    for k, (labels, t) in enumerate(zip(terms, operands)):
        named = len(labels) - (_ELLIPSIS in labels)
        if _ELLIPSIS in labels:
            if named > t.ndim:
                raise RuntimeError(
                    f"einsum(): the number of subscripts in the equation ({named}) is more than "
                    f"the number of dimensions ({t.ndim}) for operand {k}"
                )
        elif named != t.ndim:
            raise RuntimeError(
                f"einsum(): the number of subscripts in the equation ({named}) does not match "
                f"the number of dimensions ({t.ndim}) for operand {k} and no ellipsis was given"
            )
        n_ell.append(t.ndim - named)
    width = max(n_ell)
    ell_sizes = [1] * width
    sizes = {}
    expanded = []
    for k, (labels, t, ne) in enumerate(zip(terms, operands, n_ell)):
        full = []
        for lab in labels:
            if lab == _ELLIPSIS:
                full.extend(_ELL_BASE + width - ne + j for j in range(ne))
            else:
                full.append(lab)
        seen_here = {}
        for lab, size in zip(full, t.shape):
            if lab >= _ELL_BASE:
                j = lab - _ELL_BASE
                if size != ell_sizes[j] and 1 not in (size, ell_sizes[j]):
                    raise RuntimeError(
                        f"einsum(): dimension {j - width + ne} covered by ellipsis in operand "
                        f"{k}has size {size} which does not broadcast with previously seen "
                        f"ellipsis with size {ell_sizes[j]} for the respective dimension"
                    )
                ell_sizes[j] = max(ell_sizes[j], size) if 1 in (size, ell_sizes[j]) else size
                continue
            if lab in seen_here and seen_here[lab] != size:
                raise RuntimeError(
                    f"einsum(): subscript {_letter(lab)} is repeated for operand {k} but the "
                    f"sizes don't match, {size} != {seen_here[lab]}"
                )
            seen_here[lab] = size
            if lab in sizes and size != sizes[lab] and 1 not in (size, sizes[lab]):
                raise RuntimeError(
                    f"einsum(): subscript {_letter(lab)} has size {size} for operand {k} which "
                    f"does not broadcast with previously seen size {sizes[lab]}"
                )
            sizes[lab] = size if lab not in sizes or sizes[lab] == 1 else sizes[lab]
        expanded.append(full)
    ell_labels = [_ELL_BASE + j for j in range(width)]
    if out is None:
        counts = {}
        for full in expanded:
            for lab in full:
                counts[lab] = counts.get(lab, 0) + 1
        output = ell_labels + sorted(lab for lab, c in counts.items() if c == 1 and lab < _ELL_BASE)
    else:
        output = []
        for lab in out:
            if lab == _ELLIPSIS:
                output.extend(ell_labels)
                continue
            if lab in output:
                raise RuntimeError(
                    f"einsum(): output subscript {_letter(lab)} appears more than once in the "
                    "output"
                )
            if lab not in sizes:
                raise RuntimeError(
                    f"einsum(): output subscript {_letter(lab)} does not appear in the equation "
                    "for any input operand"
                )
            output.append(lab)
    items = [_take_diagonals(t, full) for t, full in zip(operands, expanded)]
    if len(items) == 1:
        x, labels = items[0]
        summed = [lab for lab in labels if lab not in output]
        x = x.permute(*[labels.index(lab) for lab in output + summed])
        return x.sum(tuple(range(len(output), x.ndim))) if summed else x
    return _contract_all(items, output)


def _take_diagonals(x, labels):
    """Repeated labels of one operand ('ii') become one dim: the diagonal, moved to the end."""
    labels = list(labels)
    while len(set(labels)) != len(labels):
        lab = next(lab for i, lab in enumerate(labels) if lab in labels[:i])
        pos = [i for i, other in enumerate(labels) if other == lab][:2]
        rest = [i for i in range(x.ndim) if i not in pos]
        x = _diagonal(x.permute(*(rest + pos)))
        labels = [labels[i] for i in rest] + [lab]
    return x, labels


def _sum_labels(x, labels, drop):
    dims = tuple(i for i, lab in enumerate(labels) if lab in drop)
    if not dims:
        return x, labels
    return x.sum(dims), [lab for lab in labels if lab not in drop]


def _contract_all(items, output):
    items = list(items)
    for k, (x, labels) in enumerate(items):
        others = {lab for j, (_, ls) in enumerate(items) if j != k for lab in ls}
        items[k] = _sum_labels(
            x, labels, {lab for lab in labels if lab not in others} - set(output)
        )
    x, lx = items[0]
    for k in range(1, len(items)):
        y, ly = items[k]
        keep = set(output) | {lab for _, ls in items[k + 1 :] for lab in ls}
        x, lx = _contract_pair(x, lx, y, ly, keep, output)
    x, lx = _sum_labels(x, lx, set(lx) - set(output))
    if lx != output:
        x = x.permute(*[lx.index(lab) for lab in output])
    return x


def _contract_pair(x, lx, y, ly, keep, output):
    """Two operands with unique labels -> their product summed over the labels no longer needed.
    Without such labels it is a broadcast product laid out in output order. Otherwise it is a
    matmul of (batch..., free_x, contracted) by (batch..., contracted, free_y), viewed back; the
    batch dims broadcast, and the labels are grouped so that the result comes out in output order
    whenever the output allows it."""
    x, lx = _sum_labels(x, lx, set(lx) - set(ly) - keep)
    y, ly = _sum_labels(y, ly, set(ly) - set(lx) - keep)
    order = {lab: i for i, lab in enumerate(output)}
    rank = lambda lab: (order.get(lab, len(order)), lab)  # noqa: E731
    contracted = sorted((lab for lab in lx if lab in ly and lab not in keep), key=rank)
    kept = sorted((set(lx) | set(ly)) - set(contracted), key=rank)
    if not contracted:
        return _aligned(x, lx, kept) * _aligned(y, ly, kept), kept
    batch, free_x, free_y = _matmul_groups(kept, lx, ly)
    if free_y and free_x and kept.index(free_y[0]) < kept.index(free_x[0]):
        x, lx, y, ly, free_x, free_y = y, ly, x, lx, free_y, free_x  # the result comes out in order
    size = {}
    for t, ls in ((x, lx), (y, ly)):
        for lab, s in zip(ls, t.shape):
            size[lab] = s if size.get(lab, 1) == 1 else size[lab]
    k_shape = [size[lab] for lab in contracted]
    fx, fy = [size[lab] for lab in free_x], [size[lab] for lab in free_y]
    xm = _aligned(x, lx, batch + free_x + contracted)
    xm = xm.expand(*(list(xm.shape[: len(batch) + len(free_x)]) + k_shape))
    ym = _aligned(y, ly, batch + contracted + free_y)
    ym = ym.expand(*(list(ym.shape[: len(batch)]) + k_shape + fy))
    xb, yb = list(xm.shape[: len(batch)]), list(ym.shape[: len(batch)])
    k = _prod(k_shape)
    xm = xm.reshape(xb + [_prod(fx), k])
    ym = ym.reshape(yb + [k, _prod(fy)])
    prod = mm(xm, ym) if not batch else matmul(xm, ym)
    return prod.reshape(list(prod.shape[: len(batch)]) + fx + fy), batch + free_x + free_y


def _matmul_groups(kept, lx, ly):
    """Split the kept labels (in output order) into batch labels and trailing runs of labels
    found in one operand only, the longest such suffix (free_x, free_y; or the other way)."""
    for p in range(len(kept) + 1):
        tail = kept[p:]
        if any(lab in lx and lab in ly for lab in tail):
            continue
        for first, second in ((lx, ly), (ly, lx)):
            cut = 0
            while cut < len(tail) and tail[cut] in first:
                cut += 1
            if all(lab in second for lab in tail[cut:]):
                run_a, run_b = tail[:cut], tail[cut:]
                if first is lx:
                    return kept[:p], run_a, run_b
                return kept[:p], run_b, run_a
    return kept, [], []


def _aligned(x, labels, target):
    """x with its dims permuted into `target` order and size-1 dims for the labels it lacks."""
    x = _permuted(x, [labels.index(lab) for lab in target if lab in labels])
    shape = [x.shape[[lab for lab in target if lab in labels].index(lab)] if lab in labels else 1
             for lab in target]  # fmt: skip
    return x if list(x.shape) == shape else x.reshape(shape)


# the factorizations build on the helpers above; Tensor methods reach them through this module
from . import factorizations  # noqa: E402
from .factorizations import *  # noqa: E402, F403

__all__ += factorizations.__all__
