"""Ops behind torch.nn.functional that need their own node for numerics or torch's node names:
softmax, log_softmax, nll_loss, mse_loss."""

from __future__ import annotations

from .. import _backend
from . import primitive
from .shape import wrap_dim

xp = _backend.xp

__all__ = ["log_softmax", "mse_loss", "nll_loss", "softmax"]


@primitive("softmax", promote="float")
def _softmax(x, *, dim):
    m = xp(x)
    # shifting by the max keeps exp from overflowing; a row of -inf stays nan as in torch
    e = m.exp(x - m.max(x, axis=dim, keepdims=True)) if x.size else x.copy()
    return e / e.sum(axis=dim, keepdims=True) if x.size else e


@_softmax.backward
def _(ctx, grad):
    y = ctx.result
    return y * (grad - (grad * y).sum(ctx.dim, keepdim=True))


@primitive("log_softmax", promote="float")
def _log_softmax(x, *, dim):
    m = xp(x)
    if not x.size:
        return x.copy()
    shifted = x - m.max(x, axis=dim, keepdims=True)
    return shifted - m.log(m.exp(shifted).sum(axis=dim, keepdims=True))


@_log_softmax.backward
def _(ctx, grad):
    return grad - ctx.result.exp() * grad.sum(ctx.dim, keepdim=True)


def _dim_for(x, dim, name):
    if dim is None:
        # torch's legacy implicit choice, with its warning
        import warnings

        warnings.warn(
            f"Implicit dimension choice for {name} has been deprecated. Change the call to "
            "include dim=X as an argument.",
            UserWarning,
            stacklevel=3,
        )
        dim = 0 if x.ndim in (0, 1, 3) else 1
    return wrap_dim(dim, x.ndim)


def softmax(input, dim=None, _stacklevel=3, dtype=None):  # noqa: A002
    """Mirrors `torch.softmax` / `torch.nn.functional.softmax`."""
    x = input if dtype is None else input.to(dtype)
    return _softmax(x, dim=_dim_for(x, dim, "softmax"))


def log_softmax(input, dim=None, _stacklevel=3, dtype=None):  # noqa: A002
    """Mirrors `torch.log_softmax` / `torch.nn.functional.log_softmax`."""
    x = input if dtype is None else input.to(dtype)
    return _log_softmax(x, dim=_dim_for(x, dim, "log_softmax"))


# ---- losses ---------------------------------------------------------------------------------


def _nll_weights(target, weight, ignore_index, dtype):
    """Each target's class weight (0 where ignored) and the targets made safe to index with."""
    m = xp(target)
    ignored = target == ignore_index
    safe = m.where(ignored, 0, target)
    w = m.ones(safe.shape, dtype) if weight is None else weight.astype(dtype)[safe]
    return m.where(ignored, 0, w).astype(dtype, copy=False), safe


def _nll_selection(shape, target, weight, ignore_index, reduction, dtype):
    """The constant d loss / d input (before scaling by the incoming gradient): -w[t] at each
    target position, zero elsewhere, divided by the total weight for 'mean'."""
    m = xp(target)
    picked, safe = _nll_weights(target, weight, ignore_index, dtype)
    sel = m.zeros(shape, dtype)
    scale = -picked / picked.sum() if reduction == "mean" else -picked
    m.put_along_axis(sel, m.expand_dims(safe, 1), m.expand_dims(scale, 1), axis=1)
    return sel


@primitive("nll_loss", promote="float")
def _nll_loss(x, *, target, weight, ignore_index, reduction):
    m = xp(x)
    picked, safe = _nll_weights(target, weight, ignore_index, x.dtype)
    chosen = m.take_along_axis(x, m.expand_dims(safe, 1), axis=1).squeeze(1)
    losses = -(chosen * picked)
    if reduction == "none":
        return losses
    total = losses.sum()
    # torch's mean divides the weighted sum by the total weight, afterwards
    return (total / picked.sum() if reduction == "mean" else total).astype(x.dtype)


# torch records inputs with spatial dims under a node of their own name
_nll_loss2d = primitive("nll_loss2d", promote="float", node_name="NllLoss2DBackward0")(
    _nll_loss.forward
)


@_nll_loss.backward
@_nll_loss2d.backward
def _(ctx, grad):
    from .._tensor import Tensor

    sel = _nll_selection(
        ctx.shapes[0], ctx.target, ctx.weight, ctx.ignore_index, ctx.reduction, ctx._meta[0][1]._np
    )
    sel = Tensor._make(sel)  # a constant: nll_loss is linear in its input
    if ctx.reduction == "none":
        return grad.unsqueeze(1) * sel
    return grad * sel


def nll_loss(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None,  # noqa: A002
             reduction="mean"):  # fmt: skip
    """Mirrors `torch.nn.functional.nll_loss` for class indices, (N, C) or (N, C, d1, ...)."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    x = input
    if x.ndim == 1:
        x, target = x.unsqueeze(0), target.unsqueeze(0)
        out = nll_loss(x, target, weight, ignore_index=ignore_index, reduction=reduction)
        return out.squeeze(0) if reduction == "none" else out
    if x.ndim < 1 or target.ndim != x.ndim - 1:
        raise ValueError(
            f"Expected input batch_size ({x.shape[0]}) to match target batch_size "
            f"({target.shape[0] if target.ndim else 0})."
            if target.ndim and x.shape[0] != target.shape[0]
            else f"Expected target size {[x.shape[0]] + list(x.shape[2:])}, got "
            f"{list(target.shape)}"
        )
    if x.shape[0] != target.shape[0]:
        raise ValueError(
            f"Expected input batch_size ({x.shape[0]}) to match target batch_size "
            f"({target.shape[0]})."
        )
    if target.dtype.is_floating_point or target.dtype._name == "bool":
        raise RuntimeError(f"expected scalar type Long but found {target.dtype._title}")
    t = target._data
    classes = x.shape[1]
    if t.size and not (0 <= t.min() and t.max() < classes):  # one check when all are in range
        valid = t[t != ignore_index]
        if valid.size and (valid.min() < 0 or valid.max() >= classes):
            bad = valid.max() if valid.max() >= classes else valid.min()
            raise IndexError(f"Target {int(bad)} is out of bounds.")
    w = None if weight is None else weight._data
    op = _nll_loss if x.ndim == 2 else _nll_loss2d
    out = op(x, target=t, weight=w, ignore_index=ignore_index, reduction=reduction)
    if x.ndim > 2 and x.ndim != 4 and reduction == "none":
        out = out.view(tuple(out.shape))  # torch folds to 4-d and views back
    return out


def _legacy_reduction(size_average, reduce, reduction):
    if size_average is None and reduce is None:
        if reduction not in ("none", "mean", "sum"):
            raise ValueError(f"{reduction} is not a valid value for reduction")
        return reduction
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    return "none" if not reduce else "mean" if size_average else "sum"


@primitive("mse_loss", promote="float")
def _mse_loss(a, b, *, reduction):
    d = (a - b) ** 2
    if reduction == "none":
        return d
    return d.mean(dtype=d.dtype) if reduction == "mean" else d.sum(dtype=d.dtype)


@_mse_loss.backward
def _(ctx, grad):
    a, b = ctx.inputs
    diff = a - b
    n = diff.numel() if ctx.reduction == "mean" else 1
    g = grad * diff * (2.0 / max(n, 1))
    return g, -g


def mse_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):  # noqa: A002
    """Mirrors `torch.nn.functional.mse_loss`."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    if weight is not None:
        raise NotImplementedError("mse_loss: weight is not supported")
    if tuple(input.shape) != tuple(target.shape):
        import warnings

        warnings.warn(
            f"Using a target size ({target.shape}) that is different to the input size "
            f"({input.shape}). This will likely lead to incorrect results due to broadcasting. "
            "Please ensure they have the same size.",
            UserWarning,
            stacklevel=2,
        )
    return _mse_loss(input, target, reduction=reduction)
