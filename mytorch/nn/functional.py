"""torch.nn.functional: activations, losses and layers as functions, mostly composites of ops.

Mirrors `torch.nn.functional`.
"""

from __future__ import annotations

from .. import _ops
from .._ops.nn import _legacy_reduction, log_softmax, mse_loss, nll_loss, softmax
from .._tensor import Tensor

__all__ = [
    "cross_entropy", "dropout", "linear", "log_softmax", "mse_loss", "nll_loss", "relu",
    "sigmoid", "softmax", "tanh", "l1_loss",
]  # fmt: skip


def linear(input: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:  # noqa: A002
    """Mirrors `torch.nn.functional.linear`: input @ weight.T + bias."""
    if input.shape[-1] != weight.shape[-1]:
        raise RuntimeError(
            f"mat1 and mat2 shapes cannot be multiplied "
            f"({'x'.join(str(s) for s in _rows(input))} and "
            f"{weight.shape[1]}x{weight.shape[0]})"
        )
    addmm = getattr(_ops, "addmm", None)
    if input.ndim == 2 and bias is not None and addmm is not None:
        return addmm(bias, input, weight.t())
    out = input @ weight.t()
    return out if bias is None else out + bias


def _rows(x):
    n = 1
    for s in tuple(x.shape)[:-1]:
        n *= s
    return (n, x.shape[-1])


def relu(input: Tensor, inplace: bool = False) -> Tensor:  # noqa: A002
    """Mirrors `torch.nn.functional.relu`."""
    if inplace:
        return _ops.inplace(input, _ops.relu)
    return _ops.relu(input)


def sigmoid(input: Tensor) -> Tensor:  # noqa: A002
    return _ops.sigmoid(input)


def tanh(input: Tensor) -> Tensor:  # noqa: A002
    return _ops.tanh(input)


def dropout(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False):  # noqa: A002
    """Mirrors `torch.nn.functional.dropout`: zeroes with probability p, scales by 1/(1-p)."""
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    if not training or p == 0.0:
        return input
    from ..random import _rng

    keep = _rng(None).random(tuple(input.shape)) >= p
    scale = 0.0 if p == 1.0 else 1.0 / (1.0 - p)
    mask = Tensor._make((keep * scale).astype(input._data.dtype))
    if inplace:
        return _ops.inplace(input, _ops.mul, mask)
    return input * mask


def l1_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):  # noqa: A002
    """Mirrors `torch.nn.functional.l1_loss`."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    d = (input - target).abs()
    return d if reduction == "none" else d.mean() if reduction == "mean" else d.sum()


def cross_entropy(input, target, weight=None, size_average=None, ignore_index=-100,  # noqa: A002
                  reduce=None, reduction="mean", label_smoothing=0.0):  # fmt: skip
    """Mirrors `torch.nn.functional.cross_entropy` for class indices and class probabilities."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    if not 0.0 <= label_smoothing <= 1.0:
        raise ValueError(f"label_smoothing must be between 0.0 and 1.0. Got: {label_smoothing}")
    class_dim = 0 if input.ndim == 1 else 1
    logp = log_softmax(input, class_dim)
    classes = input.shape[class_dim]
    if target.dtype.is_floating_point:
        # class probabilities
        if tuple(target.shape) != tuple(input.shape):
            raise RuntimeError(
                f"Expected target size {list(input.shape)}, got {list(target.shape)}"
            )
        if label_smoothing > 0:
            target = target * (1 - label_smoothing) + label_smoothing / classes
        w = 1 if weight is None else _class_shaped(weight, input.ndim, class_dim)
        loss = -(logp * target * w).sum(class_dim)
        if reduction == "none":
            return loss
        if reduction == "sum":
            return loss.sum()
        return loss.sum() / (loss.numel() if input.ndim > 1 else 1)
    loss = nll_loss(logp, target, weight, ignore_index=ignore_index, reduction=reduction)
    if label_smoothing <= 0:
        return loss
    w = 1 if weight is None else _class_shaped(weight, input.ndim, class_dim)
    smooth = -(logp * w).sum(class_dim)
    keep = target != ignore_index
    smooth = smooth * keep
    if reduction == "mean":
        if weight is None:
            smooth = smooth.sum() / keep.sum()
        else:
            from .. import _ops as ops

            denom = ops.where(keep, weight[ops.where(keep, target, 0)], 0.0).sum()
            smooth = smooth.sum() / denom
    elif reduction == "sum":
        smooth = smooth.sum()
    return (1 - label_smoothing) * loss + (label_smoothing / classes) * smooth


def _class_shaped(weight, ndim, class_dim):
    shape = [1] * ndim
    shape[class_dim] = weight.shape[0]
    return weight.reshape(shape)
