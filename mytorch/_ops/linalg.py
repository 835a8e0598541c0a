"""Matrix products: matmul and the dot/mv/mm/bmm forms torch names its nodes after."""

from __future__ import annotations

from .. import _backend
from . import primitive

xp = _backend.xp


__all__ = [
    "dot_checked",
    "matmul",
    "mm_checked",
]


def _matmul(a, b):
    return xp(a).matmul(a, b)


mm = primitive("mm", promote="binary")(_matmul)
mv = primitive("mv", promote="binary")(_matmul)
dot = primitive("dot", promote="binary")(_matmul)
# 1-d @ 2-d and batched products: torch's outermost node for these is a squeeze or a view
vm = primitive("matmul_vm", promote="binary", node_name="SqueezeBackward4")(_matmul)
batched = primitive("matmul", promote="binary", node_name="UnsafeViewBackward0")(_matmul)


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


@dot.backward
def _(ctx, grad):
    a, b = ctx.inputs
    return grad * b, grad * a


@vm.backward
def _(ctx, grad):
    v, m = ctx.inputs
    return (m @ grad if ctx.needs_input_grad[0] else None), (
        v.unsqueeze(1) * grad if ctx.needs_input_grad[1] else None
    )


@batched.backward
def _(ctx, grad):
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


def _shape_str(shape):
    return "x".join(str(s) for s in shape)


def matmul(a, b):
    """Mirrors `torch.matmul` for every rank combination, with torch's node names."""
    from .._tensor import Tensor

    if not isinstance(a, Tensor) or not isinstance(b, Tensor):
        raise TypeError(
            f"matmul(): argument 'other' (position 1) must be Tensor, not {type(b).__name__}"
        )
    na, nb = a.ndim, b.ndim
    if na == 0 or nb == 0:
        raise RuntimeError(
            f"both arguments to matmul need to be at least 1D, but they are {na}D and {nb}D"
        )
    if na == 1 and nb == 1:
        return dot_checked(a, b)
    if na == 2 and nb == 1:
        if a.shape[1] != b.shape[0]:
            raise RuntimeError(
                f"size mismatch, got input ({a.shape[0]}), mat ({_shape_str(a.shape)}), "
                f"vec ({b.shape[0]})"
            )
        return mv(a, b)
    if na == 2 and nb == 2:
        return mm_checked(a, b)
    k_a = a.shape[-1]
    k_b = b.shape[-2] if nb > 1 else b.shape[0]
    if k_a != k_b:
        raise RuntimeError(
            f"mat1 and mat2 shapes cannot be multiplied ({_shape_str(a.shape)} and "
            f"{_shape_str(b.shape)})"
        )
    if na == 1 and nb == 2:
        return vm(a, b)
    return batched(a, b)


def mm_checked(a, b):
    """Mirrors `torch.mm`: 2-d by 2-d only."""
    if a.ndim != 2 or b.ndim != 2:
        raise RuntimeError("self must be a matrix" if a.ndim != 2 else "mat2 must be a matrix")
    if a.shape[1] != b.shape[0]:
        raise RuntimeError(
            f"mat1 and mat2 shapes cannot be multiplied ({_shape_str(a.shape)} and "
            f"{_shape_str(b.shape)})"
        )
    return mm(a, b)


def dot_checked(a, b):
    """Mirrors `torch.dot`: two 1-d tensors of one length."""
    if a.ndim != 1 or b.ndim != 1:
        raise RuntimeError(f"1D tensors expected, but got {a.ndim}D and {b.ndim}D tensors")
    if a.shape[0] != b.shape[0]:
        raise RuntimeError(
            "inconsistent tensor size, expected tensor [{0}] and src [{1}] to have the same "
            "number of elements, but got {0} and {1} elements respectively".format(
                a.shape[0], b.shape[0]
            )
        )
    return dot(a, b)
