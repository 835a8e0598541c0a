"""Attention: F.scaled_dot_product_attention, F.multi_head_attention_forward, MultiheadAttention.

Composites of mytorch ops, so every output is differentiable to any order. The functions are
re-exported by mytorch.nn.functional. torch's fused fast paths (and their grad_fn names) have no
counterpart here: the results match them numerically.
"""

from __future__ import annotations

import math
import warnings

from ... import _creation, _dtype, _ops
from ..._tensor import Tensor
from .. import functional as F  # noqa: N812
from .. import init
from ..parameter import Parameter
from .linear import Linear
from .module import Module

__all__ = ["MultiheadAttention", "multi_head_attention_forward", "scaled_dot_product_attention"]

# c10's names, which torch's attention errors print
_C10_NAMES = {
    "float32": "float", "float64": "double", "float16": "c10::Half", "bfloat16": "c10::BFloat16",
    "int64": "long int", "int32": "int", "bool": "bool",
}  # fmt: skip


def _c10(dtype) -> str:
    name = repr(dtype).split(".")[-1]
    return _C10_NAMES.get(name, name)


def _masked_softmax(scores: Tensor) -> Tensor:
    """softmax over the last dim where a row whose every score is -inf gives zeros, not nan (and a
    zero gradient), as torch's scaled_dot_product_attention does."""
    dead = (scores == float("-inf")).all(-1, keepdim=True)
    if not dead.any():
        return F.softmax(scores, -1)
    return F.softmax(scores.masked_fill(dead, 0.0), -1).masked_fill(dead, 0.0)


def scaled_dot_product_attention(query: Tensor, key: Tensor, value: Tensor,
                                 attn_mask: Tensor | None = None, dropout_p: float = 0.0,
                                 is_causal: bool = False, scale: float | None = None,
                                 enable_gqa: bool = False) -> Tensor:  # fmt: skip
    """Mirrors `torch.nn.functional.scaled_dot_product_attention`: softmax(q k^T * scale + mask)
    (dropped out) @ v. A boolean mask marks the positions that take part; a query whose every key
    is masked gets zeros, as torch's CPU kernels give."""
    if min(query.dim(), key.dim(), value.dim()) < 2:
        raise RuntimeError(
            "Expected query, key, and value to all be  at least 2 dimensional, but got query.dim: "
            f"{query.dim()} key.dim: {key.dim()} and value.dim: {value.dim()} instead."
        )
    if not query.dtype == key.dtype == value.dtype:
        raise RuntimeError(
            "Expected query, key, and value to have the same dtype, but got query.dtype: "
            f"{_c10(query.dtype)} key.dtype: {_c10(key.dtype)} and value.dtype: "
            f"{_c10(value.dtype)} instead."
        )
    if attn_mask is not None and attn_mask.dtype not in (_dtype.bool, query.dtype):
        if not attn_mask.dtype.is_floating_point:
            raise RuntimeError(
                "Expected attn_mask dtype to be bool or float or to match query dtype, but got "
                f"attn_mask.dtype: {_c10(attn_mask.dtype)} and  query.dtype: "
                f"{_c10(query.dtype)} instead."
            )
    if is_causal and attn_mask is not None:
        raise RuntimeError(
            "_scaled_dot_product_attention: Explicit attn_mask should not be set when "
            "is_causal=True"
        )
    if enable_gqa and query.dim() >= 3 and key.shape[-3] != query.shape[-3]:
        heads, kv_heads = query.shape[-3], key.shape[-3]
        if heads % kv_heads or value.shape[-3] != kv_heads:
            raise RuntimeError(
                "Number of heads in key and value must divide the number of heads in "
            )
        key = key.repeat_interleave(heads // kv_heads, -3)
        value = value.repeat_interleave(heads // kv_heads, -3)
    if scale is None:
        scale = 1.0 / math.sqrt(query.shape[-1])
    scores = (query @ key.transpose(-2, -1)) * scale
    target, source = query.shape[-2], key.shape[-2]
    if is_causal:
        # NOTE: aligned at the top left (query i sees keys 0..i) also when target != source
        attn_mask = _creation.ones((target, source), dtype=_dtype.bool).tril()
    if attn_mask is None:
        weights = F.softmax(scores, -1)
    else:
        if attn_mask.dtype == _dtype.bool:
            scores = scores.masked_fill(attn_mask.logical_not(), float("-inf"))
        else:
            scores = scores + attn_mask
        weights = _masked_softmax(scores)
    if dropout_p > 0.0:
        weights = F.dropout(weights, dropout_p, training=True)
    return weights @ value


# ---- multi-head attention -------------------------------------------------------------------


def _canonical_mask(mask, name, other, other_name, target_dtype):
    """A boolean mask (True = masked out) as an additive float mask; float masks pass through."""
    if mask is None:
        return None
    if mask.dtype != _dtype.bool and not mask.dtype.is_floating_point:
        raise AssertionError(f"only bool and floating types of {name} are supported")
    if other is not None and other.dtype != mask.dtype:
        warnings.warn(
            f"Support for mismatched {name} and {other_name} is deprecated. Use same type for "
            "both instead.",
            UserWarning,
            stacklevel=4,
        )
    if mask.dtype == _dtype.bool:
        return _creation.zeros(tuple(mask.shape), dtype=target_dtype).masked_fill(
            mask, float("-inf")
        )
    return mask


def _mha_shape_check(query, key, value, key_padding_mask, attn_mask, num_heads) -> bool:
    """torch's rank checks; returns whether the input is batched."""
    if query.dim() == 3:
        if key.dim() != 3 or value.dim() != 3:
            raise AssertionError(
                "For batched (3-D) `query`, expected `key` and `value` to be 3-D but found "
                f"{key.dim()}-D and {value.dim()}-D tensors respectively"
            )
        if key_padding_mask is not None and key_padding_mask.dim() != 2:
            raise AssertionError(
                "For batched (3-D) `query`, expected `key_padding_mask` to be `None` or 2-D but "
                f"found {key_padding_mask.dim()}-D tensor instead"
            )
        if attn_mask is not None and attn_mask.dim() not in (2, 3):
            raise AssertionError(
                "For batched (3-D) `query`, expected `attn_mask` to be `None`, 2-D or 3-D but "
                f"found {attn_mask.dim()}-D tensor instead"
            )
        return True
    if query.dim() == 2:
        if key.dim() != 2 or value.dim() != 2:
            raise AssertionError(
                "For unbatched (2-D) `query`, expected `key` and `value` to be 2-D but found "
                f"{key.dim()}-D and {value.dim()}-D tensors respectively"
            )
        if key_padding_mask is not None and key_padding_mask.dim() != 1:
            raise AssertionError(
                "For unbatched (2-D) `query`, expected `key_padding_mask` to be `None` or 1-D but "
                f"found {key_padding_mask.dim()}-D tensor instead"
            )
        if attn_mask is not None:
            if attn_mask.dim() not in (2, 3):
                raise AssertionError(
                    "For unbatched (2-D) `query`, expected `attn_mask` to be `None`, 2-D or 3-D "
                    f"but found {attn_mask.dim()}-D tensor instead"
                )
            expected = (num_heads, query.shape[0], key.shape[0])
            if attn_mask.dim() == 3 and tuple(attn_mask.shape) != expected:
                raise AssertionError(
                    f"Expected `attn_mask` shape to be {expected} but got {attn_mask.shape}"
                )
        return False
    raise AssertionError(
        f"query should be unbatched 2D or batched 3D tensor but received {query.dim()}-D query "
        "tensor"
    )


def _heads(x, batch, heads):
    """(S, N, E) -> (N, H, S, E / H)."""
    return x.reshape(x.shape[0], batch, heads, -1).permute(1, 2, 0, 3)


def _append_key(k, v, mask, pad_mask, k_extra, v_extra):
    """One more key/value position at the end; the masks let every query see it."""
    k, v = _ops.cat([k, k_extra], 2), _ops.cat([v, v_extra], 2)
    if mask is not None:
        mask = F.pad(mask, (0, 1))
    if pad_mask is not None:
        pad_mask = F.pad(pad_mask, (0, 1))
    return k, v, mask, pad_mask


def _proj_weight(w: Tensor | None, name: str, separate: bool) -> Tensor:
    if w is None:
        raise AssertionError(f"use_separate_proj_weight is {separate} but {name} is None")
    return w


def multi_head_attention_forward(query: Tensor, key: Tensor, value: Tensor,
                                 embed_dim_to_check: int, num_heads: int,
                                 in_proj_weight: Tensor | None, in_proj_bias: Tensor | None,
                                 bias_k: Tensor | None, bias_v: Tensor | None,
                                 add_zero_attn: bool, dropout_p: float, out_proj_weight: Tensor,
                                 out_proj_bias: Tensor | None, training: bool = True,
                                 key_padding_mask: Tensor | None = None, need_weights: bool = True,
                                 attn_mask: Tensor | None = None,
                                 use_separate_proj_weight: bool = False,
                                 q_proj_weight: Tensor | None = None,
                                 k_proj_weight: Tensor | None = None,
                                 v_proj_weight: Tensor | None = None,
                                 static_k: Tensor | None = None, static_v: Tensor | None = None,
                                 average_attn_weights: bool = True,
                                 is_causal: bool = False):  # fmt: skip
    """Mirrors `torch.nn.functional.multi_head_attention_forward` (sequence-first layout).

    `is_causal` is only a hint, as in torch: `attn_mask` must be given and is what is applied.
    Returned weights come after dropout and are nan for a query whose every key is masked, as
    torch's; with need_weights=False such a query gets zeros, as torch's."""
    is_batched = _mha_shape_check(query, key, value, key_padding_mask, attn_mask, num_heads)
    if not is_batched:
        if query is key and key is value:
            query = key = value = query.unsqueeze(1)
        else:
            query, key, value = query.unsqueeze(1), key.unsqueeze(1), value.unsqueeze(1)
        if key_padding_mask is not None:
            key_padding_mask = key_padding_mask.unsqueeze(0)
    target, batch, embed_dim = query.shape
    source = key.shape[0]
    key_padding_mask = _canonical_mask(
        key_padding_mask, "key_padding_mask", attn_mask, "attn_mask", query.dtype
    )
    if is_causal and attn_mask is None:
        raise RuntimeError(
            "Need attn_mask if specifying the is_causal hint. You may use the Transformer module "
            "method `generate_square_subsequent_mask` to create this mask."
        )
    attn_mask = _canonical_mask(attn_mask, "attn_mask", None, "", query.dtype)
    if embed_dim != embed_dim_to_check:
        raise AssertionError(
            f"was expecting embedding dimension of {embed_dim_to_check}, but got {embed_dim}"
        )
    head_dim = embed_dim // num_heads
    if head_dim * num_heads != embed_dim:
        raise AssertionError(f"embed_dim {embed_dim} not divisible by num_heads {num_heads}")
    if use_separate_proj_weight:
        if tuple(key.shape[:2]) != tuple(value.shape[:2]):
            raise AssertionError(
                f"key's sequence and batch dims {key.shape[:2]} do not match value's "
                f"{value.shape[:2]}"
            )
        w_q = _proj_weight(q_proj_weight, "q_proj_weight", True)
        w_k = _proj_weight(k_proj_weight, "k_proj_weight", True)
        w_v = _proj_weight(v_proj_weight, "v_proj_weight", True)
    else:
        if tuple(key.shape) != tuple(value.shape):
            raise AssertionError(f"key shape {key.shape} does not match value shape {value.shape}")
        w_in = _proj_weight(in_proj_weight, "in_proj_weight", False)
    if not use_separate_proj_weight and query is key and key is value:
        # self-attention: one projection for q, k and v together, as torch's packed path
        qkv = F.linear(query, w_in, in_proj_bias)
        qkv = qkv.reshape(target, batch, 3, num_heads, head_dim).permute(2, 1, 3, 0, 4)
        q, k, v = qkv[0], qkv[1], qkv[2]
    else:
        if not use_separate_proj_weight:
            w_q, w_k, w_v = w_in.chunk(3)
        b_q, b_k, b_v = (None,) * 3 if in_proj_bias is None else in_proj_bias.chunk(3)
        q = _heads(F.linear(query, w_q, b_q), batch, num_heads)
        k = _heads(F.linear(key, w_k, b_k), batch, num_heads)
        v = _heads(F.linear(value, w_v, b_v), batch, num_heads)

    if attn_mask is not None:
        if attn_mask.dim() == 2:
            if tuple(attn_mask.shape) != (target, source):
                raise RuntimeError(
                    f"The shape of the 2D attn_mask is {attn_mask.shape}, but should be "
                    f"{(target, source)}."
                )
            attn_mask = attn_mask.reshape(1, 1, target, source)
        elif attn_mask.dim() == 3:
            expected = (batch * num_heads, target, source)
            if tuple(attn_mask.shape) != expected:
                raise RuntimeError(
                    f"The shape of the 3D attn_mask is {attn_mask.shape}, but should be {expected}."
                )
            attn_mask = attn_mask.reshape(batch, num_heads, target, source)
        else:
            raise RuntimeError(f"attn_mask's dimension {attn_mask.dim()} is not supported")
    if bias_k is not None and bias_v is not None:
        if static_k is not None or static_v is not None:
            raise AssertionError("bias cannot be added to static key.")
        k, v, attn_mask, key_padding_mask = _append_key(
            k, v, attn_mask, key_padding_mask,
            _heads(bias_k.expand(1, batch, embed_dim), batch, num_heads),
            _heads(bias_v.expand(1, batch, embed_dim), batch, num_heads),
        )  # fmt: skip
    elif bias_k is not None or bias_v is not None:
        raise AssertionError("bias_k and bias_v must both be given or both be None")
    for name, static in (("static_k", static_k), ("static_v", static_v)):
        if static is not None:
            if static.shape[0] != batch * num_heads:
                raise AssertionError(
                    f"expecting {name}.size(0) of {batch * num_heads}, but got {static.shape[0]}"
                )
            if static.shape[2] != head_dim:
                raise AssertionError(
                    f"expecting {name}.size(2) of {head_dim}, but got {static.shape[2]}"
                )
            static = static.reshape(batch, num_heads, static.shape[1], head_dim)
            k, v = (static, v) if name == "static_k" else (k, static)
    if add_zero_attn:
        zeros = _creation.zeros((batch, num_heads, 1, head_dim), dtype=k.dtype)
        k, v, attn_mask, key_padding_mask = _append_key(
            k, v, attn_mask, key_padding_mask, zeros, zeros
        )
    source = k.shape[2]
    if key_padding_mask is not None:
        if tuple(key_padding_mask.shape) != (batch, source):
            raise AssertionError(
                f"expecting key_padding_mask shape of {(batch, source)}, but got "
                f"{key_padding_mask.shape}"
            )
        padding = key_padding_mask.reshape(batch, 1, 1, source)
        attn_mask = padding if attn_mask is None else attn_mask + padding
    if not training:
        dropout_p = 0.0

    if need_weights:
        scores = (q * math.sqrt(1.0 / head_dim)) @ k.transpose(-2, -1)
        if attn_mask is not None:
            scores = scores + attn_mask
        weights = F.softmax(scores, -1)
        if dropout_p > 0.0:
            weights = F.dropout(weights, dropout_p)
        out = weights @ v
    else:
        weights = None
        out = scaled_dot_product_attention(q, k, v, attn_mask, dropout_p)
    out = F.linear(out.permute(2, 0, 1, 3).reshape(target, batch, embed_dim), out_proj_weight,
                   out_proj_bias)  # fmt: skip
    if weights is not None and average_attn_weights:
        weights = weights.mean(1)
    if not is_batched:
        out = out.squeeze(1)
        weights = None if weights is None else weights.squeeze(0)
    return out, weights


class NonDynamicallyQuantizableLinear(Linear):
    """A Linear under torch's name for MultiheadAttention.out_proj (it shows in the repr)."""


class MultiheadAttention(Module):
    """Mirrors `torch.nn.MultiheadAttention`, with torch's parameter names (in_proj_weight or
    q/k/v_proj_weight, in_proj_bias, bias_k, bias_v, out_proj), so torch's state_dict loads.
    torch's inference fast path has no counterpart; results agree with it."""

    def __init__(self, embed_dim: int, num_heads: int, dropout: float = 0.0, bias: bool = True,
                 add_bias_kv: bool = False, add_zero_attn: bool = False, kdim: int | None = None,
                 vdim: int | None = None, batch_first: bool = False, device=None,
                 dtype=None) -> None:  # fmt: skip
        if embed_dim <= 0 or num_heads <= 0:
            raise ValueError(
                f"embed_dim and num_heads must be greater than 0, got embed_dim={embed_dim} and "
                f"num_heads={num_heads} instead"
            )
        super().__init__()
        self.embed_dim = embed_dim
        self.kdim = kdim if kdim is not None else embed_dim
        self.vdim = vdim if vdim is not None else embed_dim
        self._qkv_same_embed_dim = self.kdim == embed_dim and self.vdim == embed_dim
        self.num_heads = num_heads
        self.dropout = dropout
        self.batch_first = batch_first
        self.head_dim = embed_dim // num_heads
        if self.head_dim * num_heads != embed_dim:
            raise AssertionError("embed_dim must be divisible by num_heads")

        def new(*shape):
            return Parameter(_creation.empty(shape, dtype=dtype))

        if self._qkv_same_embed_dim:
            self.in_proj_weight = new(3 * embed_dim, embed_dim)
            for name in ("q_proj_weight", "k_proj_weight", "v_proj_weight"):
                self.register_parameter(name, None)
        else:
            self.q_proj_weight = new(embed_dim, embed_dim)
            self.k_proj_weight = new(embed_dim, self.kdim)
            self.v_proj_weight = new(embed_dim, self.vdim)
            self.register_parameter("in_proj_weight", None)
        if bias:
            self.in_proj_bias = new(3 * embed_dim)
        else:
            self.register_parameter("in_proj_bias", None)
        self.out_proj = NonDynamicallyQuantizableLinear(embed_dim, embed_dim, bias=bias,
                                                        dtype=dtype)  # fmt: skip
        if add_bias_kv:
            self.bias_k = new(1, 1, embed_dim)
            self.bias_v = new(1, 1, embed_dim)
        else:
            self.bias_k = self.bias_v = None
        self.add_zero_attn = add_zero_attn
        self._reset_parameters()

    def _reset_parameters(self) -> None:
        if self._qkv_same_embed_dim:
            init.xavier_uniform_(self.in_proj_weight)
        else:
            init.xavier_uniform_(self.q_proj_weight)
            init.xavier_uniform_(self.k_proj_weight)
            init.xavier_uniform_(self.v_proj_weight)
        if self.in_proj_bias is not None:
            init.constant_(self.in_proj_bias, 0.0)
            init.constant_(self.out_proj.bias, 0.0)
        if self.bias_k is not None:
            init.xavier_normal_(self.bias_k)
        if self.bias_v is not None:
            init.xavier_normal_(self.bias_v)

    def forward(self, query: Tensor, key: Tensor, value: Tensor,
                key_padding_mask: Tensor | None = None, need_weights: bool = True,
                attn_mask: Tensor | None = None, average_attn_weights: bool = True,
                is_causal: bool = False) -> tuple[Tensor, Tensor | None]:  # fmt: skip
        batched = query.dim() == 3
        if self.batch_first and batched:
            if query is key and key is value:  # one transpose, and the packed projection
                query = key = value = query.transpose(1, 0)
            else:
                query, key, value = (x.transpose(1, 0) for x in (query, key, value))
        separate = not self._qkv_same_embed_dim
        out, weights = multi_head_attention_forward(
            query, key, value, self.embed_dim, self.num_heads, self.in_proj_weight,
            self.in_proj_bias, self.bias_k, self.bias_v, self.add_zero_attn, self.dropout,
            self.out_proj.weight, self.out_proj.bias, training=self.training,
            key_padding_mask=key_padding_mask, need_weights=need_weights, attn_mask=attn_mask,
            use_separate_proj_weight=separate, q_proj_weight=self.q_proj_weight,
            k_proj_weight=self.k_proj_weight, v_proj_weight=self.v_proj_weight,
            average_attn_weights=average_attn_weights, is_causal=is_causal,
        )  # fmt: skip
        if self.batch_first and batched:
            out = out.transpose(1, 0)
        return out, weights
