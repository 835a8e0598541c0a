"""torch.nn.functional: activations, losses and layers as functions, mostly composites of ops.

Mirrors `torch.nn.functional`.
"""

from __future__ import annotations

from .. import _ops
from .._ops.nn import _legacy_reduction, log_softmax, mse_loss, nll_loss, softmax
from .._ops.shape import _reshape_copy
from .._tensor import Tensor

__all__ = [
    "bilinear",
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
    if input.ndim == 2:
        return input @ weight.t() if bias is None else _ops.addmm(bias, input, weight.t())
    if bias is None and input.ndim == 1:
        return input @ weight.t()
    # as torch: the batch dims folded into one matrix product (one GEMM, not one per matrix)
    rows = _rows(input)
    shape = (*input.shape[:-1], weight.shape[0])
    flat = input.reshape(rows)
    if bias is None:
        return _reshape_copy(flat @ weight.t(), shape=shape)  # UnsafeViewBackward0, as torch
    return _ops.addmm(bias, flat, weight.t()).view(shape)


def bilinear(input1, input2, weight, bias=None):
    """Mirrors `torch.nn.functional.bilinear`: x1^T A_o x2 (+ b_o) for each output o."""
    from .._ops.linalg import einsum

    if input1.shape[:-1] != input2.shape[:-1]:
        raise RuntimeError(
            f"bilinear(): input batch dimensions do not match: got {list(input1.shape[:-1])} "
            f"and {list(input2.shape[:-1])}"
        )
    out = einsum("...i,oij,...j->...o", input1, weight, input2)
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


# ---- layers: convolution, pooling, normalisation, embedding, padding, upsampling, distances ----
from .._ops.conv import (  # noqa: E402
    adaptive_avg_pool1d,
    adaptive_avg_pool2d,
    adaptive_max_pool1d,
    adaptive_max_pool2d,
    avg_pool1d,
    avg_pool2d,
    batch_norm,
    conv1d,
    conv2d,
    conv_transpose1d,
    conv_transpose2d,
    cosine_similarity,
    dropout1d,
    dropout2d,
    embedding,
    fold,
    group_norm,
    interpolate,
    layer_norm,
    max_pool1d,
    max_pool2d,
    normalize,
    one_hot,
    pad,
    pairwise_distance,
    unfold,
)  # fmt: skip

__all__ += [
    "adaptive_avg_pool1d", "adaptive_avg_pool2d", "adaptive_max_pool1d", "adaptive_max_pool2d",
    "avg_pool1d", "avg_pool2d", "batch_norm", "conv1d", "conv2d", "conv_transpose1d",
    "conv_transpose2d", "cosine_similarity", "dropout1d", "dropout2d", "embedding", "fold",
    "group_norm", "interpolate", "layer_norm", "max_pool1d", "max_pool2d", "normalize", "one_hot",
    "pad", "pairwise_distance", "unfold",
]  # fmt: skip


# ---- attention (implemented beside MultiheadAttention; imported last: it imports the modules) --
from .modules.attention import (  # noqa: E402
    multi_head_attention_forward,
    scaled_dot_product_attention,
)

__all__ += ["multi_head_attention_forward", "scaled_dot_product_attention"]


# ---- more activations and losses (implemented beside their modules) ----------------------------
from .modules.activations_more import (  # noqa: E402
    celu,
    elu,
    gelu,
    hardsigmoid,
    hardswish,
    hardtanh,
    leaky_relu,
    logsigmoid,
    mish,
    prelu,
    relu6,
    selu,
    silu,
    softmin,
    softplus,
    softsign,
    tanhshrink,
    threshold,
)  # fmt: skip
from .modules.losses_more import (  # noqa: E402
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    cosine_embedding_loss,
    gaussian_nll_loss,
    hinge_embedding_loss,
    huber_loss,
    kl_div,
    margin_ranking_loss,
    multilabel_soft_margin_loss,
    poisson_nll_loss,
    smooth_l1_loss,
    soft_margin_loss,
    triplet_margin_loss,
)  # fmt: skip

__all__ += [
    "celu", "elu", "gelu", "hardsigmoid", "hardswish", "hardtanh", "leaky_relu", "logsigmoid",
    "mish", "prelu", "relu6", "selu", "silu", "softmin", "softplus", "softsign", "tanhshrink",
    "threshold", "binary_cross_entropy", "binary_cross_entropy_with_logits",
    "cosine_embedding_loss", "gaussian_nll_loss", "hinge_embedding_loss", "huber_loss", "kl_div",
    "margin_ranking_loss", "multilabel_soft_margin_loss", "poisson_nll_loss", "smooth_l1_loss",
    "soft_margin_loss", "triplet_margin_loss",
]  # fmt: skip
