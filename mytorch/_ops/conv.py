"""Primitives behind torch.nn's layers: convolution, pooling, normalisation, embedding, padding,
upsampling and im2col/col2im, with the functional forms that check and normalise torch's
arguments. Convolution is im2col on a strided view and one broadcast matmul; everything that
scatters back (transposed convolution, avg-pool backward, fold) adds strided slices per kernel
offset. Losses and activations live in nn.py.
"""

# torch names the first argument of these functions "input"
# ruff: noqa: A001, A002

from __future__ import annotations

import itertools
import math
import numbers
import warnings

from .. import _backend
from .._tensor import Tensor
from ..autograd.grad_mode import no_grad
from . import primitive

xp = _backend.xp

# the names torch also has at its top level (torch.conv2d, torch.batch_norm, ...)
__all__ = [
    "batch_norm", "constant_pad_nd", "conv1d", "conv2d", "conv_transpose1d", "conv_transpose2d",
    "cosine_similarity", "embedding", "group_norm", "layer_norm", "pairwise_distance",
]  # fmt: skip


def _const(array) -> Tensor:
    """A constant Tensor (no history) for an index or weight array used inside a derivative."""
    return Tensor._make(array)


def _ntuple(value, n: int, name: str = "value") -> tuple:
    if isinstance(value, (tuple, list)):
        value = tuple(int(v) for v in value)
        if len(value) == 1 and n > 1:
            return value * n
        if len(value) != n:
            raise RuntimeError(
                f"expected {name} to be a single integer value or a list of {n} "
                f"values to match the convolution dimensions, but got "
                f"{name}={list(value)}"
            )
        return value
    return (int(value),) * n


# ---- strided windows and their scatter-add ---------------------------------------------------


def _windows(x, axis: int, kernel, stride, dilation, out):
    """A read-only view of `x` whose spatial axes `axis .. axis+len(kernel)` become output
    positions, with the kernel offsets appended as trailing axes (no copy)."""
    m = xp(x)
    nd = len(kernel)
    st = x.strides
    spatial = range(axis, axis + nd)
    shape = (*x.shape[:axis], *out, *x.shape[axis + nd :], *kernel)
    strides = (
        *st[:axis],
        *(st[a] * s for a, s in zip(spatial, stride)),
        *st[axis + nd :],
        *(st[a] * d for a, d in zip(spatial, dilation)),
    )
    return m.lib.stride_tricks.as_strided(x, shape, strides, writeable=False)


def _col2im(cols, axis: int, nd: int, full, stride, dilation):
    """The adjoint of `_windows`: add each window's values back at the positions it was read
    from. `cols` is (*lead, *positions, *tail, *kernel); the result is (*lead, *full, *tail)."""
    m = xp(cols)
    positions = cols.shape[axis : axis + nd]
    kernel = cols.shape[cols.ndim - nd :]
    out = m.zeros((*cols.shape[:axis], *full, *cols.shape[axis + nd : cols.ndim - nd]), cols.dtype)
    lead = (slice(None),) * axis
    # one strided add per kernel offset: kh*kw vectorised adds, never a loop over pixels
    for offset in itertools.product(*(range(k) for k in kernel)):
        target = tuple(
            slice(o * d, o * d + s * (n - 1) + 1, s)
            for o, d, s, n in zip(offset, dilation, stride, positions)
        )
        out[lead + target] += cols[(Ellipsis, *offset)]
    return out


def _pad_spatial(x, axis: int, before, after, value=0):
    if not any(before) and not any(after):
        return x
    shape = list(x.shape)
    for i, (lo, hi) in enumerate(zip(before, after)):
        shape[axis + i] += lo + hi
    # one fill and one copy: cheaper than numpy's pad, which is Python per axis
    out = xp(x).full(shape, value, x.dtype)
    inner = tuple(slice(lo, lo + n) for lo, n in zip(before, x.shape[axis : axis + len(before)]))
    out[(slice(None),) * axis + inner] = x
    return out


# ---- convolution -----------------------------------------------------------------------------
# Layout: NCHW throughout. im2col keeps each image's columns as (C/g * K, L) (K the kernel size,
# L the output positions), so the copy reads runs along the output width, and one broadcast
# matmul multiplies every image by the weight matrix, landing in NCHW with no transposes.


def _columns(x, groups, kernel, stride, padding, dilation, out=None):
    """im2col: (N, C, *sp) -> (N, g, C/g * K, L) for the output positions `out` (by default every
    one that fits), and `out`."""
    m = xp(x)
    n, c, nd = x.shape[0], x.shape[1], x.ndim - 2
    x = _pad_spatial(x, 2, padding, padding)
    if out is None:
        out = tuple(
            (x.shape[2 + i] - dilation[i] * (kernel[i] - 1) - 1) // stride[i] + 1 for i in range(nd)
        )
    cg, st = c // groups, x.strides
    view = m.lib.stride_tricks.as_strided(
        x,
        (n, groups, cg, *kernel, *out),
        (
            st[0],
            st[1] * cg,
            st[1],
            *(st[2 + i] * dilation[i] for i in range(nd)),
            *(st[2 + i] * stride[i] for i in range(nd)),
        ),
        writeable=False,
    )
    return view.reshape(n, groups, cg * math.prod(kernel), math.prod(out)), out


def _conv_forward(x, w, stride, padding, dilation, groups):
    """(N, C, *sp) x (O, C/g, *k) -> (N, O, *out): im2col and one broadcast matmul."""
    cols, out = _columns(x, groups, w.shape[2:], stride, padding, dilation)
    wmat = w.reshape(groups, w.shape[0] // groups, cols.shape[2])  # (g, O/g, C/g*K)
    return xp(x).matmul(wmat, cols).reshape(x.shape[0], w.shape[0], *out)  # (N, g, O/g, L)


def _conv_transpose_forward(x, w, stride, padding, dilation, output_padding, groups):
    """(N, C, *sp) x (C, O/g, *k) -> (N, O, *out): one broadcast matmul gives each input pixel's
    contribution through each kernel offset, then one add per offset (col2im)."""
    m = xp(x)
    n, c, sp = x.shape[0], x.shape[1], x.shape[2:]
    nd, kernel, og = len(sp), w.shape[2:], w.shape[1]
    cg, big_k = c // groups, math.prod(kernel)
    full = tuple(
        (sp[i] - 1) * stride[i] + dilation[i] * (kernel[i] - 1) + 1 + output_padding[i]
        for i in range(nd)
    )
    unit = all(s == 1 for s in stride)
    if unit:
        # laid out on the output's grid (zeros past the input on every axis but the first), the
        # input's contributions through one kernel offset fill one contiguous run of the
        # flattened output, so each add is a long contiguous pass
        grid = (sp[0], *full[1:])
        x = _pad_spatial(x, 2, (0,) * nd, tuple(g - s for g, s in zip(grid, sp)))
    wmat = w.reshape(groups, cg, og * big_k).transpose(0, 2, 1)  # (g, O/g*K, C/g)
    cols = m.matmul(wmat, x.reshape(n, groups, cg, math.prod(x.shape[2:])))  # (N, g, O/g*K, L)
    both = (slice(None), slice(None))
    if unit:
        cols = cols.reshape(n, groups * og, big_k, cols.shape[-1])
        y = m.zeros((n, groups * og, math.prod(full)), cols.dtype)
        steps = [math.prod(full[i + 1 :]) * dilation[i] for i in range(nd)]
        for k, offset in enumerate(itertools.product(*(range(k) for k in kernel))):
            start = sum(o * s for o, s in zip(offset, steps))
            # what would run past the end is the zero padding of the input's last row
            stop = min(y.shape[-1], start + cols.shape[-1])
            y[..., start:stop] += cols[:, :, k, : stop - start]
        y = y.reshape(n, groups * og, *full)
    else:
        cols = cols.reshape(n, groups * og, *kernel, *sp)
        y = m.zeros((n, groups * og, *full), cols.dtype)
        for offset in itertools.product(*(range(k) for k in kernel)):
            target = tuple(
                slice(o * d, o * d + s * (size - 1) + 1, s)
                for o, d, s, size in zip(offset, dilation, stride, sp)
            )
            y[both + target] += cols[both + offset]
    if not any(padding):
        return y
    return m.ascontiguousarray(y[both + tuple(slice(p, f - p) for p, f in zip(padding, full))])


@primitive("convolution", node_name="ConvolutionBackward0")
def _convolution(x, w, b, *, stride, padding, dilation, transposed, output_padding, groups):
    if transposed:
        y = _conv_transpose_forward(x, w, stride, padding, dilation, output_padding, groups)
    else:
        y = _conv_forward(x, w, stride, padding, dilation, groups)
    if b is not None:
        y += b.reshape((1, -1) + (1,) * (y.ndim - 2))
    return y


@_convolution.backward
def _(ctx, grad):
    x, w, b = ctx.inputs
    need = ctx.needs_input_grad
    nd = x.ndim - 2
    kernel = tuple(w.shape[2:])
    geometry = dict(stride=ctx.stride, padding=ctx.padding, dilation=ctx.dilation)
    grad_x = grad_w = grad_b = None
    if not ctx.transposed:
        if need[0]:
            # the transposed convolution of grad, with the output padding that restores the
            # rows a strided forward never read
            grad_x = _convolution(grad, w, None, transposed=True, groups=ctx.groups,
                                  output_padding=_restoring(x, grad, kernel, **geometry),
                                  **geometry)  # fmt: skip
        if need[1]:
            grad_w = _conv_weight(x, grad, groups=ctx.groups, kernel=kernel, **geometry)
    else:
        if need[0]:
            grad_x = _convolution(grad, w, None, transposed=False, output_padding=(0,) * nd,
                                  groups=ctx.groups, **geometry)  # fmt: skip
            if tuple(grad_x.shape) != tuple(x.shape):  # output_padding >= stride (< dilation)
                grad_x = grad_x[(slice(None), slice(None), *(slice(0, s) for s in x.shape[2:]))]
        if need[1]:
            grad_w = _conv_weight(grad, x, groups=ctx.groups, kernel=kernel, **geometry)
    if b is not None and need[2]:
        grad_b = grad.sum((0, *range(2, grad.ndim)))
    return grad_x, grad_w, grad_b


def _restoring(a, v, kernel, *, stride, padding, dilation):
    """The output padding that makes the transposed convolution of `v` as large as `a`."""
    return tuple(
        n + 2 * padding[i] - dilation[i] * (kernel[i] - 1) - 1 - (o - 1) * stride[i]
        for i, (n, o) in enumerate(zip(a.shape[2:], v.shape[2:]))
    )


@primitive("convolution_backward_weight", node_name="ConvolutionBackwardBackward0")
def _conv_weight(a, v, *, groups, kernel, stride, padding, dilation):
    """R[(g, j), i, *k] = sum over n and positions p of v[n, (g, j), p] * a_padded[n, (g, i),
    p * stride + k * dilation]: the weight gradient of a convolution (a = input, v = grad) and of
    a transposed one (a = grad, v = input). One im2col of `a` and one broadcast matmul."""
    n, cv = a.shape[0], v.shape[1] // groups
    cols, _ = _columns(a, groups, kernel, stride, padding, dilation, out=v.shape[2:])
    vmat = v.reshape(n, groups, cv, math.prod(v.shape[2:]))  # (N, g, Cv/g, L)
    r = xp(a).matmul(vmat, cols.transpose(0, 1, 3, 2)).sum(axis=0)  # (g, Cv/g, Ca/g*K)
    return r.reshape(v.shape[1], a.shape[1] // groups, *kernel)


@_conv_weight.backward
def _(ctx, grad):
    # R is bilinear in (a, v): against v it is the convolution of a by grad, against a the
    # transposed convolution of v by grad; both are recorded, so every order is available
    a, v = ctx.inputs
    geometry = dict(stride=ctx.stride, padding=ctx.padding, dilation=ctx.dilation)
    grad_a = grad_v = None
    if ctx.needs_input_grad[0]:
        grad_a = _convolution(v, grad, None, transposed=True, groups=ctx.groups,
                              output_padding=_restoring(a, v, ctx.kernel, **geometry),
                              **geometry)  # fmt: skip
    if ctx.needs_input_grad[1]:
        grad_v = _convolution(a, grad, None, transposed=False, output_padding=(0,) * (a.ndim - 2),
                              groups=ctx.groups, **geometry)  # fmt: skip
        if tuple(grad_v.shape) != tuple(v.shape):  # a transposed forward's output padding
            grad_v = grad_v[(slice(None), slice(None), *(slice(0, s) for s in v.shape[2:]))]
    return grad_a, grad_v


def _conv(
    input, weight, bias, stride, padding, dilation, groups, nd, transposed=False, output_padding=0
):
    name = f"conv_transpose{nd}d" if transposed else f"conv{nd}d"
    if input.ndim not in (nd + 1, nd + 2):
        raise RuntimeError(
            f"Expected {nd + 1}D (unbatched) or {nd + 2}D (batched) input to {name}, but got "
            f"input of size: {list(input.shape)}"
        )
    if input.ndim == nd + 1:
        args = (stride, padding, dilation, groups, nd, transposed, output_padding)
        out = _conv(input.unsqueeze(0), weight, bias, *args)
        return out.squeeze(0)
    if weight.ndim != nd + 2:
        raise RuntimeError(
            f"Expected {nd + 2}-dimensional weight for {nd + 2}-dimensional input "
            f"{list(input.shape)}, but got weight of size {list(weight.shape)} instead"
        )
    if input.dtype is not weight.dtype:
        raise RuntimeError(
            f"Input type ({input.type()}) and weight type ({weight.type()}) should be the same "
            "or input should be a MKLDNN tensor and weight is a dense tensor"
        )
    if not input.dtype.is_floating_point:
        raise RuntimeError(f"\"{name}\" not implemented for '{input.dtype._title}'")
    if bias is not None and bias.dtype is not input.dtype:
        names = {"float32": "float", "float64": "double", "float16": "c10::Half"}
        raise RuntimeError(
            f"Input type ({names.get(input.dtype._name, input.dtype._title)}) and bias type "
            f"({names.get(bias.dtype._name, bias.dtype._title)}) should be the same"
        )
    groups = int(groups)
    if groups <= 0:
        raise RuntimeError("non-positive groups is not supported")
    stride, dilation = _ntuple(stride, nd, "stride"), _ntuple(dilation, nd, "dilation")
    if any(s <= 0 for s in stride):
        raise RuntimeError("non-positive stride is not supported")
    if any(d <= 0 for d in dilation):
        raise RuntimeError("dilation should be greater than zero")
    kernel = tuple(weight.shape[2:])
    w_shape, x_shape = list(weight.shape), list(input.shape)
    if transposed:
        expected, out_channels = weight.shape[0], weight.shape[1] * groups
        if input.shape[1] != expected:
            raise RuntimeError(
                f"Given transposed=1, weight of size {w_shape}, expected input{x_shape} to have "
                f"{expected} channels, but got {input.shape[1]} channels instead"
            )
    else:
        expected, out_channels = weight.shape[1] * groups, weight.shape[0]
        if weight.shape[0] % groups:
            raise RuntimeError(  # torch's message has the doubled brackets
                f"Given groups={groups}, expected weight to be divisible by {groups} at dimension "
                f"0, but got weight of size [{w_shape}] instead"
            )
        if input.shape[1] != expected:
            raise RuntimeError(
                f"Given groups={groups}, weight of size {w_shape}, expected input{x_shape} to have"
                f" {expected} channels, but got {input.shape[1]} channels instead"
            )
    if bias is not None and (bias.ndim != 1 or bias.shape[0] != out_channels):
        raise RuntimeError(
            f"Given weight of size {w_shape}, expected bias to be 1-dimensional with "
            f"{out_channels} elements, but got bias of size {list(bias.shape)} instead"
        )
    if isinstance(padding, str):
        if transposed:
            raise TypeError(f"{name}(): argument 'padding' must be tuple of ints, not str")
        input, padding = _string_padding(input, padding, stride, dilation, kernel)
    padding = _ntuple(padding, nd, "padding")
    if any(p < 0 for p in padding):
        raise RuntimeError("negative padding is not supported")
    output_padding = _ntuple(output_padding, nd, "output_padding")
    if transposed:
        if any(o >= s and o >= d for o, s, d in zip(output_padding, stride, dilation)):
            axes = ("height", "width") if nd == 2 else ("width",) if nd == 1 else ()
            parts = [f"output_padding_{a}: {o}" for a, o in zip(axes, output_padding)]
            parts += [f"stride_{a}: {s}" for a, s in zip(axes, stride)]
            parts += [f"dilation_{a}: {d}" for a, d in zip(axes, dilation)]
            raise RuntimeError(
                "output padding must be smaller than either stride or dilation, but got "
                + " ".join(parts)
            )
    else:
        padded = [input.shape[2 + i] + 2 * padding[i] for i in range(nd)]
        effective = [dilation[i] * (kernel[i] - 1) + 1 for i in range(nd)]
        if any(p < k for p, k in zip(padded, effective)):
            raise RuntimeError(
                f"Calculated padded input size per channel: ({' x '.join(map(str, padded))}). "
                f"Kernel size: ({' x '.join(map(str, effective))}). Kernel size can't be greater"
                " than actual input size"
            )
    geometry = dict(stride=stride, padding=padding, dilation=dilation, groups=groups)
    return _convolution(input, weight, bias, transposed=transposed, output_padding=output_padding,
                        **geometry)  # fmt: skip


def _string_padding(input, padding, stride, dilation, kernel):
    if padding == "valid":
        return input, 0
    if padding != "same":
        raise RuntimeError(f"Invalid padding string: '{padding}'")
    if any(s != 1 for s in stride):
        raise RuntimeError("padding='same' is not supported for strided convolutions")
    total = [d * (k - 1) for d, k in zip(dilation, kernel)]
    left = [t // 2 for t in total]
    if any(t % 2 for t in total):
        warnings.warn(
            "Using padding='same' with even kernel lengths and odd dilation may require a "
            "zero-padded copy of the input be created",
            UserWarning,
            stacklevel=4,
        )
        # the odd element of the total goes on the right, as in torch
        extra = []
        for t in reversed(total):
            extra += [0, t % 2]
        input = constant_pad_nd(input, extra)
    return input, tuple(left)


def conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """Mirrors `torch.nn.functional.conv1d`."""
    return _conv(input, weight, bias, stride, padding, dilation, groups, 1)


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """Mirrors `torch.nn.functional.conv2d`."""
    return _conv(input, weight, bias, stride, padding, dilation, groups, 2)


def conv_transpose1d(
    input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1
):
    """Mirrors `torch.nn.functional.conv_transpose1d`."""
    return _conv(input, weight, bias, stride, padding, dilation, groups, 1, True, output_padding)


def conv_transpose2d(
    input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1
):
    """Mirrors `torch.nn.functional.conv_transpose2d`."""
    return _conv(input, weight, bias, stride, padding, dilation, groups, 2, True, output_padding)


# ---- unfold / fold ---------------------------------------------------------------------------


def _blocks(size, kernel, dilation, padding, stride):
    return tuple(
        (s + 2 * p - d * (k - 1) - 1) // st + 1
        for s, k, d, p, st in zip(size, kernel, dilation, padding, stride)
    )


@primitive("im2col", node_name="Im2ColBackward0")
def _im2col(x, *, kernel, dilation, padding, stride):
    m = xp(x)
    lead = x.shape[:-3]
    c = x.shape[-3]
    blocks = _blocks(x.shape[-2:], kernel, dilation, padding, stride)
    xp_ = _pad_spatial(x, x.ndim - 2, padding, padding)
    view = _windows(xp_, x.ndim - 2, kernel, stride, dilation, blocks)  # (*lead, C, oh, ow, kh, kw)
    view = m.moveaxis(view, (-2, -1), (-4, -3))  # (*lead, C, kh, kw, oh, ow): torch's layout
    return view.reshape(*lead, c * math.prod(kernel), math.prod(blocks))


@primitive("col2im", node_name="Col2ImBackward0")
def _fold(cols, *, output_size, kernel, dilation, padding, stride):
    m = xp(cols)
    lead = cols.shape[:-2]
    c = cols.shape[-2] // math.prod(kernel)
    blocks = _blocks(output_size, kernel, dilation, padding, stride)
    view = cols.reshape(*lead, c, *kernel, *blocks)
    view = m.moveaxis(view, (-4, -3), (-2, -1))  # (*lead, C, oh, ow, kh, kw)
    full = tuple(s + 2 * p for s, p in zip(output_size, padding))
    y = _col2im(view, len(lead) + 1, 2, full, stride, dilation)
    return y[(Ellipsis, *(slice(p, p + s) for p, s in zip(padding, output_size)))]


@_im2col.backward
def _(ctx, grad):
    geometry = dict(
        kernel=ctx.kernel, dilation=ctx.dilation, padding=ctx.padding, stride=ctx.stride
    )
    return _fold(grad, output_size=tuple(ctx.shapes[0][-2:]), **geometry)


@_fold.backward
def _(ctx, grad):
    return _im2col(grad, kernel=ctx.kernel, dilation=ctx.dilation, padding=ctx.padding,
                   stride=ctx.stride)  # fmt: skip


def _fold_args(kernel_size, dilation, padding, stride):
    return (
        _ntuple(kernel_size, 2, "kernel_size"),
        _ntuple(dilation, 2, "dilation"),
        _ntuple(padding, 2, "padding"),
        _ntuple(stride, 2, "stride"),
    )


def unfold(input, kernel_size, dilation=1, padding=0, stride=1):
    """Mirrors `torch.nn.functional.unfold` (im2col for 3-D or 4-D input)."""
    if input.ndim not in (3, 4):
        raise NotImplementedError(
            f"Input Error: Only 3D or 4D input Tensors are supported (got {input.ndim}D)"
        )
    kernel, dilation, padding, stride = _fold_args(kernel_size, dilation, padding, stride)
    blocks = _blocks(input.shape[-2:], kernel, dilation, padding, stride)
    if any(b < 1 for b in blocks):
        raise RuntimeError(
            f"Given input with spatial size {tuple(input.shape[-2:])}, kernel_size={kernel}, "
            f"dilation={dilation}, padding={padding}, calculated shape of the array of sliding "
            f"blocks as {tuple(max(b, 0) for b in blocks)}, but its components must be at least"
            " one."
        )
    return _im2col(input, kernel=kernel, dilation=dilation, padding=padding, stride=stride)


def fold(input, output_size, kernel_size, dilation=1, padding=0, stride=1):
    """Mirrors `torch.nn.functional.fold` (col2im for 2-D or 3-D input)."""
    if input.ndim not in (2, 3):
        raise NotImplementedError(
            f"Input Error: Only unbatched (2D) or batched (3D) input Tensors are supported (got "
            f"{input.ndim}D)"
        )
    output_size = _ntuple(output_size, 2, "output_size")
    kernel, dilation, padding, stride = _fold_args(kernel_size, dilation, padding, stride)
    k = math.prod(kernel)
    if input.shape[-2] % k:
        raise RuntimeError(
            f"Expected size of input's dimension {input.ndim - 2} to be divisible by the product"
            f" of kernel_size, but got input.size({input.ndim - 2})={input.shape[-2]} and "
            f"kernel_size={kernel}."
        )
    blocks = _blocks(output_size, kernel, dilation, padding, stride)
    if math.prod(blocks) != input.shape[-1]:
        raise RuntimeError(
            f"Given output_size={output_size}, kernel_size={kernel}, dilation={dilation}, "
            f"padding={padding}, stride={stride}, expected size of input's dimension "
            f"{input.ndim - 1} to match the calculated number of sliding blocks {blocks[0]} * "
            f"{blocks[1]} = {math.prod(blocks)}, but got input.size({input.ndim - 1})="
            f"{input.shape[-1]}."
        )
    geometry = dict(kernel=kernel, dilation=dilation, padding=padding, stride=stride)
    return _fold(input, output_size=output_size, **geometry)


# ---- pooling ---------------------------------------------------------------------------------


def _pool_out(size, k, s, p, d, ceil_mode):
    out = (size + 2 * p - d * (k - 1) - 1 + (s - 1 if ceil_mode else 0)) // s + 1
    if ceil_mode and (out - 1) * s >= size + p:
        out -= 1  # the last window must start inside the input or its left padding
    return out


def _pool_args(name, input, kernel_size, stride, padding, dilation, ceil_mode):
    kernel = _ntuple(kernel_size, 2, "kernel_size")
    stride = kernel if stride is None or stride == [] or stride == () else _ntuple(stride, 2)
    padding, dilation = _ntuple(padding, 2, "padding"), _ntuple(dilation, 2, "dilation")
    if any(s == 0 for s in stride):
        raise RuntimeError("stride should not be zero")
    if any(k <= 0 for k in kernel):
        raise RuntimeError(
            f"kernel size should be greater than zero, but got kH: {kernel[0]} kW: {kernel[1]}"
        )
    if any(d <= 0 for d in dilation):
        raise RuntimeError(
            f"dilation should be greater than zero, but got dilationH: {dilation[0]} dilationW: "
            f"{dilation[1]}"
        )
    for p, k, d in zip(padding, kernel, dilation):
        if p > (d * (k - 1) + 1) // 2:
            raise RuntimeError(
                f"pad should be at most half of effective kernel size, but got pad={p}, "
                f"kernel_size={k} and dilation={d}"
            )
    if input.ndim not in (3, 4):
        if name == "avg":
            from .shape import wrap_dim

            wrap_dim(-3, input.ndim)  # torch's IndexError for too few dims
        raise RuntimeError("non-empty 3D or 4D (batch mode) tensor expected for input")
    if 0 in tuple(input.shape[-3:]):
        raise RuntimeError(
            "Expected 3D or 4D (batch mode) tensor with optional 0 dim batch size for input, but "
            f"got:{list(input.shape)}"
        )
    size = tuple(input.shape[-2:])
    out = tuple(_pool_out(*a, ceil_mode) for a in zip(size, kernel, stride, padding, dilation))
    if any(o < 1 for o in out):
        planes = input.shape[-3]
        raise RuntimeError(
            f"Given input size: ({planes}x{size[0]}x{size[1]}). Calculated output size: "
            f"({planes}x{max(out[0], 0)}x{max(out[1], 0)}). Output size is too small"
        )
    return kernel, stride, padding, dilation, out


def _window_argmax(view, first_valid, valid):
    """Flat argmax over each window (the trailing axis), the first maximum as torch takes it; a
    window holding nan takes its last nan, as torch's `val > max || isnan(val)` scan does."""
    m = xp(view)
    arg = m.argmax(view, axis=-1)
    nan = m.isnan(view)
    if nan.any():
        last_nan = view.shape[-1] - 1 - m.argmax(nan[..., ::-1], axis=-1)
        arg = m.where(nan.any(axis=-1), last_nan, arg)
    # NOTE: a window of -inf only reads padding first; torch keeps its first real element
    return m.where(m.take_along_axis(valid, arg[..., None], -1)[..., 0], arg, first_valid)


def _max_pool_indices(x, kernel, stride, padding, dilation, out):
    """torch's flat indices (into H*W) of each window's maximum: its first maximum, or its last
    nan, as torch's scan `val > max || isnan(val)` finds them. Padding never wins, so a window
    of -inf keeps its first element inside the input."""
    m = xp(x)
    h, w = x.shape[-2:]
    extra = [
        max(0, (o - 1) * s + d * (k - 1) + 1 - n - 2 * p)
        for o, s, d, k, n, p in zip(out, stride, dilation, kernel, (h, w), padding)
    ]
    after = [p + e for p, e in zip(padding, extra)]
    padded = _pad_spatial(x, x.ndim - 2, padding, after, -m.inf)
    view = _windows(padded, x.ndim - 2, kernel, stride, dilation, out)  # (..., oh, ow, kh, kw)
    offsets = list(itertools.product(range(kernel[0]), range(kernel[1])))
    best = view[..., 0, 0]
    for i, j in offsets[1:]:
        best = m.maximum(best, view[..., i, j])  # nan where a window holds one
    rows = (m.arange(out[0]) * stride[0] - padding[0])[:, None] + m.arange(kernel[0]) * dilation[0]
    cols = (m.arange(out[1]) * stride[1] - padding[1])[:, None] + m.arange(kernel[1]) * dilation[1]
    masked = any(padding) or any(extra)
    if masked:
        inside = ((rows >= 0) & (rows < h))[:, None, :, None] & ((cols >= 0) & (cols < w))[:, None]

    def first(hits):
        # the flat offset (from the window's corner) of the first offset where `hits` holds;
        # arithmetic on masks, since masked writes (where, copyto) are several times slower
        found, step = m.zeros(best.shape, bool), m.zeros(best.shape, m.int32)
        for i, j in offsets:
            hit = hits(i, j)
            if masked:
                hit &= inside[..., i, j]
            hit &= ~found
            found |= hit
            step += hit * m.int32(i * dilation[0] * w + j * dilation[1])
        return step

    step = first(lambda i, j: view[..., i, j] == best)
    nan = m.isnan(best)
    if nan.any():
        offsets.reverse()  # the last nan
        step = m.where(nan, first(lambda i, j: m.isnan(view[..., i, j])), step)
    return step + (rows[:, 0, None] * w + cols[:, 0])  # int64, as the corners are


@primitive("max_pool2d_with_indices", node_name="MaxPool2DWithIndicesBackward0")
def _max_pool2d(x, *, indices, overlap=True):
    # `overlap`: whether windows can share an element, for the backward
    m = xp(x)
    planes, area = math.prod(x.shape[:-2]), x.shape[-2] * x.shape[-1]
    flat = indices.reshape(planes, indices.shape[-2] * indices.shape[-1])
    flat = flat + (m.arange(planes) * area)[:, None]
    return m.take(x.reshape(planes * area), flat).reshape(indices.shape)


_adaptive_max_pool2d = primitive("adaptive_max_pool2d", node_name="AdaptiveMaxPool2DBackward0")(
    _max_pool2d.forward
)


def _scatter_to_indices(grad, *, indices, size, overlap):
    """(*lead, oh, ow) -> (*lead, H, W): each window's gradient added at its argmax."""
    m = xp(grad)
    planes, area = math.prod(grad.shape[:-2]), size[0] * size[1]
    flat = indices.reshape(planes, indices.shape[-2] * indices.shape[-1])
    flat = (flat + (m.arange(planes) * area)[:, None]).reshape(-1)
    if overlap:  # an index may repeat: bincount adds repeats in one pass (ufunc.at is slow)
        out = m.bincount(flat, weights=grad.reshape(-1), minlength=planes * area)
        return out.astype(grad.dtype).reshape(*grad.shape[:-2], *size)
    out = m.zeros(planes * area, grad.dtype)
    out[flat] = grad.reshape(-1)
    return out.reshape(*grad.shape[:-2], *size)


_max_pool2d_backward = primitive(
    "max_pool2d_with_indices_backward", node_name="MaxPool2DWithIndicesBackwardBackward0"
)(_scatter_to_indices)
_adaptive_max_pool2d_backward = primitive(
    "adaptive_max_pool2d_backward", node_name="AdaptiveMaxPool2DBackwardBackward0"
)(_scatter_to_indices)


@_max_pool2d.backward
def _(ctx, grad):
    ctx.inputs  # noqa: B018  torch saves the input, so changing it in place is an error
    return _max_pool2d_backward(grad, indices=ctx.indices, size=tuple(ctx.shapes[0][-2:]),
                                overlap=ctx.overlap)  # fmt: skip


@_adaptive_max_pool2d.backward
def _(ctx, grad):
    ctx.inputs  # noqa: B018
    return _adaptive_max_pool2d_backward(grad, indices=ctx.indices, size=tuple(ctx.shapes[0][-2:]),
                                         overlap=True)  # fmt: skip


# the scatter is linear: its adjoint gathers at the same indices
@_max_pool2d_backward.backward
def _(ctx, grad):
    return _max_pool2d(grad, indices=ctx.indices, overlap=ctx.overlap)


@_adaptive_max_pool2d_backward.backward
def _(ctx, grad):
    return _adaptive_max_pool2d(grad, indices=ctx.indices)


def _check_float(x, name):
    if not x.dtype.is_floating_point:
        raise RuntimeError(f"\"{name}\" not implemented for '{x.dtype._title}'")


def max_pool2d(
    input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False
):
    """Mirrors `torch.nn.functional.max_pool2d` (and `max_pool2d_with_indices`)."""
    kernel, stride, padding, dilation, out = _pool_args(
        "max", input, kernel_size, stride, padding, dilation, ceil_mode
    )
    _check_float(input, "max_pool2d")
    indices = _max_pool_indices(input._data, kernel, stride, padding, dilation, out)
    overlap = any(s < d * (k - 1) + 1 for s, d, k in zip(stride, dilation, kernel))
    values = _max_pool2d(input, indices=indices, overlap=overlap)
    return (values, Tensor._make(indices)) if return_indices else values


def _1d(value, unit):
    """A 1-d pooling argument as the 2-d one over (1, L)."""
    return (unit, _ntuple(value, 1)[0])


def _as_2d(input, name, fn):
    """Run a 2-d pooling on (N, C, L) or (C, L) as (..., 1, L), as torch's 1-d pools do."""
    if input.ndim not in (2, 3) or 0 in tuple(input.shape[-2:]):
        raise RuntimeError(
            f"{name}: Expected 2D or 3D (batch mode) tensor with optional 0 dim batch size for "
            f"input, but got:{list(input.shape)}"
        )
    out = fn(input.unsqueeze(-2))
    if isinstance(out, tuple):
        return tuple(o.squeeze(-2) for o in out)
    return out.squeeze(-2)


def max_pool1d(
    input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False
):
    """Mirrors `torch.nn.functional.max_pool1d`."""
    stride = kernel_size if stride is None or stride == [] or stride == () else stride
    args = (_1d(kernel_size, 1), _1d(stride, 1), _1d(padding, 0), _1d(dilation, 1))
    return _as_2d(input, "max_pool1d", lambda x: max_pool2d(x, *args, ceil_mode, return_indices))


def _avg_divisor(m, size, kernel, stride, padding, out, count_include_pad, divisor_override, dtype):
    if divisor_override is not None:
        return m.full(out, divisor_override, dtype=dtype)
    per_dim = []
    for n, k, s, p, o in zip(size, kernel, stride, padding, out):
        start = m.arange(o) * s - p
        end = m.minimum(start + k, n + p)
        if count_include_pad:
            per_dim.append(end - start)
        else:
            per_dim.append(m.minimum(end, n) - m.maximum(start, 0))
    return (per_dim[0][:, None] * per_dim[1][None, :]).astype(dtype)


def _avg_extra(size, kernel, stride, padding, out):
    return [max(0, (o - 1) * s + k - n - 2 * p)
            for o, s, k, n, p in zip(out, stride, kernel, size, padding)]  # fmt: skip


@primitive("avg_pool2d", node_name="AvgPool2DBackward0")
def _avg_pool2d(x, *, kernel, stride, padding, out, divisor):
    extra = _avg_extra(x.shape[-2:], kernel, stride, padding, out)
    padded = _pad_spatial(x, x.ndim - 2, padding, [p + e for p, e in zip(padding, extra)])
    view = _windows(padded, x.ndim - 2, kernel, stride, (1, 1), out)
    return (view.sum(axis=(-2, -1)) / divisor).astype(x.dtype)


@primitive("avg_pool2d_backward", node_name="AvgPool2DBackwardBackward0")
def _avg_pool2d_backward(grad, *, kernel, stride, padding, out, divisor, size):
    m = xp(grad)
    extra = _avg_extra(size, kernel, stride, padding, out)
    cols = m.broadcast_to((grad / divisor)[..., None, None], (*grad.shape, *kernel))
    full = tuple(n + 2 * p + e for n, p, e in zip(size, padding, extra))
    acc = _col2im(cols, grad.ndim - 2, 2, full, stride, (1, 1))
    return acc[(Ellipsis, *(slice(p, p + n) for p, n in zip(padding, size)))].astype(grad.dtype)


_AVG_PARAMS = ("kernel", "stride", "padding", "out", "divisor")


@_avg_pool2d.backward
def _(ctx, grad):
    params = {k: getattr(ctx, k) for k in _AVG_PARAMS}
    return _avg_pool2d_backward(grad, size=tuple(ctx.shapes[0][-2:]), **params)


@_avg_pool2d_backward.backward
def _(ctx, grad):
    return _avg_pool2d(grad, **{k: getattr(ctx, k) for k in _AVG_PARAMS})


def avg_pool2d(
    input,
    kernel_size,
    stride=None,
    padding=0,
    ceil_mode=False,
    count_include_pad=True,
    divisor_override=None,
):
    """Mirrors `torch.nn.functional.avg_pool2d`."""
    kernel, stride, padding, _, out = _pool_args(
        "avg", input, kernel_size, stride, padding, 1, ceil_mode
    )
    if divisor_override is not None and divisor_override == 0:
        raise RuntimeError("divisor must be not zero")
    _check_float(input, "avg_pool2d")
    m = xp(input._data)
    size, dtype = tuple(input.shape[-2:]), input._data.dtype
    divisor = _avg_divisor(m, size, kernel, stride, padding, out, count_include_pad,
                           divisor_override, dtype)  # fmt: skip
    return _avg_pool2d(input, kernel=kernel, stride=stride, padding=padding, out=out,
                       divisor=divisor)  # fmt: skip


def avg_pool1d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True):
    """Mirrors `torch.nn.functional.avg_pool1d`."""
    if input.ndim not in (2, 3):
        raise RuntimeError(
            f"Expected 2 to 3 dimensions, but got {input.ndim}-dimensional tensor for argument #1"
            " 'self' (while checking arguments for avg_pool1d)"
        )
    stride = kernel_size if stride is None or stride == [] or stride == () else stride
    args = (_1d(kernel_size, 1), _1d(stride, 1), _1d(padding, 0))
    return _as_2d(input, "avg_pool1d", lambda x: avg_pool2d(x, *args, ceil_mode, count_include_pad))


# ---- separable linear maps: adaptive average pooling and linear interpolation -----------------


@primitive("adaptive_avg_pool2d", node_name="AdaptiveAvgPool2DBackward0")
def _adaptive_avg_pool2d(x, *, rows, cols):
    # rows (oh, H) and cols (ow, W) hold each output's weights: y = rows @ x @ cols.T
    y = x if rows is None else xp(x).matmul(rows, x)
    return y if cols is None else xp(x).matmul(y, cols.T)


_upsample_bilinear2d = primitive("upsample_bilinear2d", node_name="UpsampleBilinear2DBackward0")(
    _adaptive_avg_pool2d.forward
)
_upsample_linear1d = primitive("upsample_linear1d", node_name="UpsampleLinear1DBackward0")(
    _adaptive_avg_pool2d.forward
)


@_adaptive_avg_pool2d.backward
@_upsample_bilinear2d.backward
@_upsample_linear1d.backward
def _(ctx, grad):
    # linear with constant matrices: the adjoint applies their transposes
    if ctx.cols is not None:
        grad = grad @ _const(ctx.cols)
    if ctx.rows is not None:
        grad = _const(ctx.rows.T) @ grad
    return grad


def _adaptive_matrix(m, n, o, dtype):
    """(o, n) averaging weights of torch's adaptive windows [floor(i n/o), ceil((i+1) n/o))."""
    i = m.arange(o)
    start = (i * n) // o
    end = -((-(i + 1) * n) // o)
    j = m.arange(n)
    inside = (j[None, :] >= start[:, None]) & (j[None, :] < end[:, None])
    return (inside / (end - start)[:, None]).astype(dtype)


def _adaptive_size(output_size, input, n):
    size = output_size if isinstance(output_size, (tuple, list)) else (output_size,) * n
    if len(size) != n:
        raise RuntimeError(f"adaptive_avg_pool{n}d: output_size must be {n}")
    return tuple(int(input.shape[-n + i]) if s is None else int(s) for i, s in enumerate(size))


def adaptive_avg_pool2d(input, output_size):
    """Mirrors `torch.nn.functional.adaptive_avg_pool2d`."""
    if input.ndim not in (3, 4):
        raise RuntimeError(
            f"adaptive_avg_pool2d(): Expected 3D or 4D tensor, but got {list(input.shape)}"
        )
    size = _adaptive_size(output_size, input, 2)
    if size == (1, 1):
        return input.mean((-1, -2), keepdim=True)  # torch's shortcut, hence its MeanBackward1
    _check_float(input, "adaptive_avg_pool2d")
    m, dt = xp(input._data), input._data.dtype
    h, w = input.shape[-2:]
    return _adaptive_avg_pool2d(
        input, rows=_adaptive_matrix(m, h, size[0], dt), cols=_adaptive_matrix(m, w, size[1], dt)
    )


def adaptive_avg_pool1d(input, output_size):
    """Mirrors `torch.nn.functional.adaptive_avg_pool1d`."""
    if input.ndim not in (2, 3):
        raise RuntimeError(
            f"Expected 2 to 3 dimensions, but got {input.ndim}-dimensional tensor for argument #1"
            " 'self' (while checking arguments for adaptive_avg_pool1d)"
        )
    size = _ntuple(output_size, 1, "output_size")[0]
    return adaptive_avg_pool2d(input.unsqueeze(-2), (1, size)).squeeze(-2)


def _adaptive_max_indices(x, out):
    m = xp(x)
    h, w = x.shape[-2:]
    spans = []
    for n, o in zip((h, w), out):
        i = m.arange(o)
        start, end = (i * n) // o, -((-(i + 1) * n) // o)
        width = int((end - start).max()) if o else 0
        # windows padded to the widest by repeating their last element (harmless for a max)
        spans.append(m.minimum(start[:, None] + m.arange(width), (end - 1)[:, None]))
    rows, cols = spans
    view = x[..., rows[:, :, None, None], cols[None, None, :, :]]  # (*lead, oh, kh, ow, kw)
    view = m.moveaxis(view, -3, -2)
    view = view.reshape(*view.shape[:-2], rows.shape[1] * cols.shape[1])
    arg = _window_argmax(view, 0, m.ones(view.shape, bool))
    a, b = m.divmod(arg, cols.shape[1])
    r, c = rows[m.arange(out[0])[:, None], a], cols[m.arange(out[1]), b]
    return (r * w + c).astype(m.int64)


def adaptive_max_pool2d(input, output_size, return_indices=False):
    """Mirrors `torch.nn.functional.adaptive_max_pool2d`."""
    if input.ndim not in (3, 4):
        raise RuntimeError(
            f"adaptive_max_pool2d(): Expected 3D or 4D tensor, but got: {list(input.shape)}"
        )
    size = _adaptive_size(output_size, input, 2)
    _check_float(input, "adaptive_max_pool2d")
    x = input._data
    if 0 in size or x.size == 0:
        indices = xp(x).zeros((*x.shape[:-2], *size), xp(x).int64)
    else:
        indices = _adaptive_max_indices(x, size)
    values = _adaptive_max_pool2d(input, indices=indices)
    return (values, Tensor._make(indices)) if return_indices else values


def adaptive_max_pool1d(input, output_size, return_indices=False):
    """Mirrors `torch.nn.functional.adaptive_max_pool1d`."""
    size = _ntuple(output_size, 1, "output_size")[0]
    return _as_2d(
        input, "adaptive_max_pool1d", lambda x: adaptive_max_pool2d(x, (1, size), return_indices)
    )


# ---- normalisation ---------------------------------------------------------------------------


def _standardized(x, dims, eps):
    """(x - mean) / sqrt(var + eps) and 1 / sqrt(var + eps) over `dims`, in mytorch ops, so the
    statistics' own dependence on x is differentiated at every order."""
    centred = x - x.mean(dims, keepdim=True)
    rstd = ((centred * centred).mean(dims, keepdim=True) + eps).rsqrt()
    return centred * rstd, rstd


def _standardized_grad(grad_xhat, xhat, rstd, dims):
    # d xhat / dx applied to grad_xhat: rstd * (g - mean(g) - xhat * mean(g * xhat))
    return rstd * (
        grad_xhat
        - grad_xhat.mean(dims, keepdim=True)
        - xhat * (grad_xhat * xhat).mean(dims, keepdim=True)
    )


def _sum_except(t, keep: int, ndim: int):
    dims = tuple(d for d in range(ndim) if d != keep)
    return t.sum(dims) if dims else t


@primitive("native_batch_norm", node_name="NativeBatchNormBackward0")
def _batch_norm(x, w, b, *, mean, invstd, training, eps):
    shape = (1, -1) + (1,) * (x.ndim - 2)
    y = (x - mean.reshape(shape)) * invstd.reshape(shape)
    if w is not None:
        y = y * w.reshape(shape)
    if b is not None:
        y = y + b.reshape(shape)
    return y.astype(x.dtype)


@_batch_norm.backward
def _(ctx, grad):
    x, w, b = ctx.inputs
    need = ctx.needs_input_grad
    shape = (1, -1) + (1,) * (x.ndim - 2)
    dims = (0, *range(2, x.ndim))
    grad_x = grad_w = grad_b = None
    if need[0] or (w is not None and need[1]):
        if ctx.training:
            xhat, rstd = _standardized(x, dims, ctx.eps)
        else:  # running statistics are constants
            rstd = _const(ctx.invstd.reshape(shape))
            xhat = (x - _const(ctx.mean.reshape(shape))) * rstd
        if need[0]:
            grad_xhat = grad if w is None else grad * w.reshape(shape)
            if ctx.training:
                grad_x = _standardized_grad(grad_xhat, xhat, rstd, dims)
            else:
                grad_x = grad_xhat * rstd
        if w is not None and need[1]:
            grad_w = (grad * xhat).sum(dims)
    if b is not None and need[2]:
        grad_b = grad.sum(dims)
    return grad_x, grad_w, grad_b


def batch_norm(
    input, running_mean, running_var, weight=None, bias=None, training=False, momentum=0.1, eps=1e-5
):
    """Mirrors `torch.nn.functional.batch_norm`: batch statistics when training (and then the
    running statistics are updated in place, the variance unbiased), running ones otherwise."""
    if input.ndim < 2:
        raise ValueError(f"Expected 2D or higher input (got {input.ndim}D input)")
    c = input.shape[1]
    for name, t in (
        ("running_mean", running_mean),
        ("running_var", running_var),
        ("weight", weight),
        ("bias", bias),
    ):
        if t is not None and t.numel() != c:
            raise RuntimeError(f"{name} should contain {c} elements not {t.numel()}")
    _check_float(input, "batch_norm")
    x = input._data
    m = xp(x)
    axes = (0, *range(2, x.ndim))
    if training:
        count = x.size // max(c, 1)
        if count <= 1:
            raise ValueError(
                "Expected more than 1 value per channel when training, got input size "
                f"{input.shape!r}"
            )
        mean = x.mean(axis=axes)
        var = x.var(axis=axes)
        with no_grad():
            if running_mean is not None:
                new = (1 - momentum) * running_mean._data + momentum * mean
                running_mean.copy_(Tensor._make(new.astype(running_mean._data.dtype)))
            if running_var is not None:
                unbiased = var * (count / (count - 1))
                new = (1 - momentum) * running_var._data + momentum * unbiased
                running_var.copy_(Tensor._make(new.astype(running_var._data.dtype)))
    else:
        if running_mean is None or running_var is None:
            raise RuntimeError("running_mean and running_var must be defined in evaluation mode")
        mean, var = running_mean._data, running_var._data
    invstd = (1 / m.sqrt(var + eps)).astype(x.dtype)
    mean = mean.astype(x.dtype)
    return _batch_norm(input, weight, bias, mean=mean, invstd=invstd, training=bool(training),
                       eps=eps)  # fmt: skip


@primitive("native_layer_norm", node_name="NativeLayerNormBackward0")
def _layer_norm(x, w, b, *, k, eps):
    m = xp(x)
    axes = tuple(range(x.ndim - k, x.ndim))
    centred = x - x.mean(axis=axes, keepdims=True)
    y = centred / m.sqrt((centred * centred).mean(axis=axes, keepdims=True) + eps)
    if w is not None:
        y = y * w
    if b is not None:
        y = y + b
    return y.astype(x.dtype)


@_layer_norm.backward
def _(ctx, grad):
    x, w, b = ctx.inputs
    need = ctx.needs_input_grad
    dims = tuple(range(x.ndim - ctx.k, x.ndim))
    lead = tuple(range(x.ndim - ctx.k))
    grad_x = grad_w = grad_b = None
    if need[0] or (w is not None and need[1]):
        xhat, rstd = _standardized(x, dims, ctx.eps)
        if need[0]:
            grad_x = _standardized_grad(grad if w is None else grad * w, xhat, rstd, dims)
        if w is not None and need[1]:
            grad_w = (grad * xhat).sum(lead) if lead else grad * xhat
    if b is not None and need[2]:
        grad_b = grad.sum(lead) if lead else grad
    return grad_x, grad_w, grad_b


def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-5):
    """Mirrors `torch.nn.functional.layer_norm`."""
    shape = (
        (normalized_shape,)
        if isinstance(normalized_shape, numbers.Integral)
        else tuple(normalized_shape)
    )
    k = len(shape)
    if k == 0 or input.ndim < k or tuple(input.shape[input.ndim - k :]) != shape:
        raise RuntimeError(
            f"Given normalized_shape={list(shape)}, expected input with shape "
            f"[*, {', '.join(map(str, shape))}], but got input of size{list(input.shape)}"
        )
    for name, t in (("weight", weight), ("bias", bias)):
        if t is not None and tuple(t.shape) != shape:
            raise RuntimeError(
                f"Expected {name} to be of same shape as normalized_shape, but got {name} of "
                f"shape {list(t.shape)} and normalized_shape = {list(shape)}"
            )
    _check_float(input, "layer_norm")
    return _layer_norm(input, weight, bias, k=k, eps=eps)


@primitive("native_group_norm", node_name="NativeGroupNormBackward0")
def _group_norm(x, w, b, *, groups, eps):
    m = xp(x)
    n, c = x.shape[:2]
    xg = x.reshape(n, groups, -1) if x.size else x.reshape(n, groups, 0)
    centred = xg - xg.mean(axis=2, keepdims=True)
    y = (centred / m.sqrt((centred * centred).mean(axis=2, keepdims=True) + eps)).reshape(x.shape)
    shape = (1, -1) + (1,) * (x.ndim - 2)
    if w is not None:
        y = y * w.reshape(shape)
    if b is not None:
        y = y + b.reshape(shape)
    return y.astype(x.dtype)


@_group_norm.backward
def _(ctx, grad):
    x, w, b = ctx.inputs
    need = ctx.needs_input_grad
    n, c = x.shape[:2]
    per_group = x.numel() // max(n * ctx.groups, 1)
    shape = (1, -1) + (1,) * (x.ndim - 2)
    grad_x = grad_w = grad_b = None
    if need[0] or (w is not None and need[1]):
        xhat, rstd = _standardized(x.reshape(n, ctx.groups, per_group), (2,), ctx.eps)
        if need[0]:
            grad_xhat = grad if w is None else grad * w.reshape(shape)
            grad_xhat = grad_xhat.reshape(n, ctx.groups, per_group)
            grad_x = _standardized_grad(grad_xhat, xhat, rstd, (2,)).reshape(x.shape)
        if w is not None and need[1]:
            grad_w = _sum_except(grad * xhat.reshape(x.shape), 1, x.ndim)
    if b is not None and need[2]:
        grad_b = _sum_except(grad, 1, x.ndim)
    return grad_x, grad_w, grad_b


def group_norm(input, num_groups, weight=None, bias=None, eps=1e-5):
    """Mirrors `torch.nn.functional.group_norm`."""
    if input.ndim < 2:
        raise RuntimeError(
            f"Expected at least 2 dimensions for input tensor but received {input.ndim}"
        )
    c = input.shape[1]
    if num_groups <= 0 or c % num_groups:
        raise RuntimeError(
            "Expected number of channels in input to be divisible by num_groups, but got input "
            f"of shape {list(input.shape)} and num_groups={num_groups}"
        )
    for name, t in (("weight", weight), ("bias", bias)):
        if t is not None and (t.ndim != 1 or t.numel() != c):
            raise RuntimeError(
                f"Expected {name} to be a vector of size equal to the number of channels in "
                f"input, but got {name} of shape {list(t.shape)} and input of shape "
                f"{list(input.shape)}"
            )
    _check_float(input, "group_norm")
    return _group_norm(input, weight, bias, groups=int(num_groups), eps=eps)


# ---- embedding and one_hot -------------------------------------------------------------------


@primitive("embedding", node_name="EmbeddingBackward0")
def _embedding(w, *, indices, padding_idx, scale_grad_by_freq):
    return xp(w).take(w, indices, axis=0)


@_embedding.backward
def _(ctx, grad):
    m = xp(ctx.indices)
    rows, dim = ctx.shapes[0]
    index = ctx.indices.reshape(-1)
    grad = grad.reshape(-1, dim)
    if ctx.padding_idx is not None or ctx.scale_grad_by_freq:
        scale = m.ones(index.shape, dtype=ctx._meta[0][1]._np)
        if ctx.scale_grad_by_freq:  # each row's gradient is averaged over its repeats
            scale = scale / m.bincount(index, minlength=rows)[index]
        if ctx.padding_idx is not None:  # NOTE: the padding row never receives a gradient
            scale = m.where(index == ctx.padding_idx, 0, scale).astype(scale.dtype)
        grad = grad * _const(scale[:, None])
    if rows <= 1024 and rows * index.size <= 1 << 20:
        # a small table: one GEMM with a one-hot matrix sums the repeats several times faster
        # than index_add's unbuffered scatter
        onehot = m.zeros((rows, index.size), dtype=ctx._meta[0][1]._np)
        onehot[index, m.arange(index.size)] = 1
        return _const(onehot) @ grad
    return grad.new_zeros((rows, dim)).index_add(0, _const(index), grad)


def embedding(
    input,
    weight,
    padding_idx=None,
    max_norm=None,
    norm_type=2.0,
    scale_grad_by_freq=False,
    sparse=False,
):
    """Mirrors `torch.nn.functional.embedding`; `sparse=True` is not supported."""
    if sparse:
        raise NotImplementedError("embedding: sparse gradients are not supported")
    if input.dtype._name not in ("int64", "int32"):
        raise RuntimeError(
            "Expected tensor for argument #1 'indices' to have one of the following scalar "
            f"types: Long, Int; but got {input.type()} instead (while checking arguments for "
            "embedding)"
        )
    rows = weight.shape[0]
    if padding_idx is not None:
        if padding_idx > 0:
            assert padding_idx < rows, "Padding_idx must be within num_embeddings"
        elif padding_idx < 0:
            assert padding_idx >= -rows, "Padding_idx must be within num_embeddings"
            padding_idx = rows + padding_idx
    index = input._data.astype(xp(input._data).int64)
    if index.size and (index.min() < 0 or index.max() >= rows):
        raise IndexError("index out of range in self")
    if max_norm is not None:
        _embedding_renorm(weight, index, max_norm, norm_type)
    return _embedding(
        weight, indices=index, padding_idx=padding_idx, scale_grad_by_freq=bool(scale_grad_by_freq)
    )


def _embedding_renorm(weight, index, max_norm, norm_type):
    """Rescale in place the looked-up rows whose norm exceeds max_norm, as torch does."""
    m = xp(index)
    rows = m.unique(index)
    data = weight._data[rows]
    norms = (m.abs(data) ** norm_type).sum(axis=1) ** (1.0 / norm_type)
    scale = m.where(norms > max_norm, max_norm / (norms + 1e-7), 1.0)
    with no_grad():
        weight[_const(rows)] = _const((data * scale[:, None]).astype(data.dtype))


def one_hot(tensor, num_classes=-1):
    """Mirrors `torch.nn.functional.one_hot`."""
    if tensor.dtype._name != "int64":
        raise RuntimeError("one_hot is only applicable to index tensor of type LongTensor.")
    x = tensor._data
    m = xp(x)
    if num_classes == -1:
        if x.size == 0:
            raise RuntimeError("Can not infer total number of classes from empty tensor.")
        num_classes = int(x.max()) + 1
    if x.size and x.min() < 0:
        raise RuntimeError("Class values must be non-negative.")
    if num_classes < 0 or (x.size and x.max() >= num_classes):
        raise RuntimeError("Class values must be smaller than num_classes.")
    return Tensor._make((x[..., None] == m.arange(num_classes)).astype(m.int64))


# ---- padding ---------------------------------------------------------------------------------


@primitive("constant_pad_nd", node_name="ConstantPadNdBackward0")
def _constant_pad_nd(x, *, pad, value):
    # pad pairs run from the last dim backwards; a negative entry crops
    m = xp(x)
    crop = [slice(None)] * x.ndim
    widths = [(0, 0)] * x.ndim
    for i in range(len(pad) // 2):
        axis, lo, hi = x.ndim - 1 - i, pad[2 * i], pad[2 * i + 1]
        crop[axis] = slice(max(-lo, 0), x.shape[axis] - max(-hi, 0))
        widths[axis] = (max(lo, 0), max(hi, 0))
    y = x[tuple(crop)]
    return m.pad(y, widths, constant_values=value) if y.ndim else y.copy()


@_constant_pad_nd.backward
def _(ctx, grad):
    return _constant_pad_nd(grad, pad=tuple(-p for p in ctx.pad), value=0)


def constant_pad_nd(input, pad, value=0):
    """Mirrors `torch.constant_pad_nd`."""
    pad = tuple(int(p) for p in pad)
    if len(pad) % 2:
        raise RuntimeError("Padding length must be divisible by 2")
    if len(pad) // 2 > input.ndim:
        raise RuntimeError(
            "Padding length should be less than or equal to two times the input dimension but "
            f"got padding length {len(pad)} and input of dimension {input.ndim}"
        )
    for i in range(len(pad) // 2):
        if input.shape[input.ndim - 1 - i] + pad[2 * i] + pad[2 * i + 1] < 0:
            raise RuntimeError("narrow(): length must be non-negative.")
    return _constant_pad_nd(input, pad=pad, value=value)


@primitive("reflection_pad1d", node_name="ReflectionPad1DBackward0")
def _reflection_pad1d(x, *, maps):
    # maps: ((axis, source index per output position), ...), applied in order
    m = xp(x)
    for axis, index in maps:
        x = m.take(x, index, axis=axis)
    return x


_INDEX_MAPS = {"reflection_pad1d": _reflection_pad1d}
for _name, _node in (
    ("reflection_pad2d", "ReflectionPad2DBackward0"),
    ("reflection_pad3d", "ReflectionPad3DBackward0"),
    ("replication_pad1d", "ReplicationPad1DBackward0"),
    ("replication_pad2d", "ReplicationPad2DBackward0"),
    ("replication_pad3d", "ReplicationPad3DBackward0"),
    ("upsample_nearest1d", "UpsampleNearest1DBackward0"),
    ("upsample_nearest2d", "UpsampleNearest2DBackward0"),
    ("upsample_nearest_exact1d", "UpsampleNearestExact1DBackward0"),
    ("upsample_nearest_exact2d", "UpsampleNearestExact2DBackward0"),
):
    _INDEX_MAPS[_name] = primitive(_name, node_name=_node)(_reflection_pad1d.forward)


def _index_map_backward(ctx, grad):
    # each output position was read from one source position: add the gradients back
    shape = ctx.shapes[0]
    for axis, index in reversed(ctx.maps):
        size = list(grad.shape)
        size[axis] = shape[axis]
        grad = grad.new_zeros(tuple(size)).index_add(axis, _const(index), grad)
    return grad


for _op in _INDEX_MAPS.values():
    _op.backward(_index_map_backward)


def _pad_sources(m, n, lo, hi, mode):
    j = m.arange(-lo, n + hi)
    if mode == "replicate":
        return m.clip(j, 0, n - 1)
    if mode == "circular":
        return j % n
    j = m.abs(j)  # reflect without repeating the edge
    return m.where(j > n - 1, 2 * (n - 1) - j, j)


_PAD_LIMITS = (
    "Supported combinations for non-constant padding:\n"
    "  - 2D or 3D input: padding size = 2 (pads last dimension)\n"
    "  - 3D or 4D input: padding size = 4 (pads last 2 dimensions)\n"
    "  - 4D or 5D input: padding size = 6 (pads last 3 dimensions)"
)


def pad(input, pad, mode="constant", value=None):
    """Mirrors `torch.nn.functional.pad` (constant, reflect, replicate, circular)."""
    pad = tuple(int(p) for p in pad)
    if mode == "constant":
        return constant_pad_nd(input, pad, 0 if value is None else value)
    if mode not in ("reflect", "replicate", "circular"):
        raise NotImplementedError(f"Unrecognised padding mode {mode}")
    if value is not None and value != 0:
        raise RuntimeError(f'Padding mode "{mode}" doesn\'t take in value argument')
    if len(pad) % 2:
        raise RuntimeError("Padding length must be divisible by 2")
    nd = len(pad) // 2
    if nd not in (1, 2, 3) or input.ndim not in (nd + 1, nd + 2):
        raise NotImplementedError(
            f"Padding size {len(pad)} is not supported for {input.ndim}D input tensor.\n"
            + _PAD_LIMITS
        )
    if mode == "circular":
        return _pad_circular(input, pad)
    dims = list(input.shape)
    if 0 in dims[input.ndim - nd - 1 :]:
        raise RuntimeError(
            f"Expected {nd + 1}D or {nd + 2}D (batch mode) tensor with possibly 0 batch size "
            f"and other non-zero dimensions for input, but got: {dims}"
        )
    m = xp(input._data)
    maps = []
    for i in range(nd):
        axis = input.ndim - 1 - i
        lo, hi, n = pad[2 * i], pad[2 * i + 1], dims[axis]
        if mode == "reflect" and (lo >= n or hi >= n):
            raise RuntimeError(
                f"Argument #4: Padding size should be less than the corresponding input "
                f"dimension, but got: padding ({lo}, {hi}) at dimension {axis} of input {dims}"
            )
        maps.append((axis - input.ndim, _pad_sources(m, n, lo, hi, mode)))
    kind = "reflection" if mode == "reflect" else "replication"
    return _INDEX_MAPS[f"{kind}_pad{nd}d"](input, maps=tuple(maps[::-1]))


def _pad_circular(input, pad):
    """Circular padding by slice assignment into a new tensor, dim by dim (torch's CopySlices
    history); negative entries crop first."""
    nd = len(pad) // 2
    x = input
    crop = [slice(None)] * x.ndim
    for i in range(nd):
        axis, lo, hi = x.ndim - 1 - i, pad[2 * i], pad[2 * i + 1]
        if lo > x.shape[axis] or hi > x.shape[axis]:
            raise RuntimeError("Padding value causes wrapping around more than once.")
        crop[axis] = slice(max(-lo, 0), x.shape[axis] - max(-hi, 0))
    if any(p < 0 for p in pad):
        x = x[tuple(crop)]
    lows = [max(pad[2 * i], 0) for i in range(nd)]
    highs = [max(pad[2 * i + 1], 0) for i in range(nd)]
    shape = list(x.shape)
    for i in range(nd):
        shape[x.ndim - 1 - i] += lows[i] + highs[i]
    out = x.new_zeros(tuple(shape))
    centre = [slice(None)] * x.ndim
    for i in range(nd):
        axis = x.ndim - 1 - i
        centre[axis] = slice(lows[i], lows[i] + x.shape[axis])
    out[tuple(centre)] = x
    for i in range(nd):
        axis, lo, hi, n = x.ndim - 1 - i, lows[i], highs[i], x.shape[x.ndim - 1 - i]
        whole = [slice(None)] * x.ndim
        if lo:
            dst, src = list(whole), list(whole)
            dst[axis], src[axis] = slice(0, lo), slice(n, n + lo)
            out[tuple(dst)] = out[tuple(src)]
        if hi:
            dst, src = list(whole), list(whole)
            dst[axis], src[axis] = slice(lo + n, lo + n + hi), slice(lo, lo + hi)
            out[tuple(dst)] = out[tuple(src)]
    return out


# ---- interpolation ---------------------------------------------------------------------------


def _linear_matrix(m, n, o, align_corners, scale, dtype):
    """(o, n) weights of torch's linear interpolation from n samples to o."""
    j = m.arange(o, dtype=dtype)
    if align_corners:
        src = j * ((n - 1) / (o - 1) if o > 1 else 0.0)
    else:
        ratio = dtype.type(1.0 / scale) if scale else dtype.type(n / o)
        src = m.maximum(ratio * (j + dtype.type(0.5)) - dtype.type(0.5), 0)
    lo = m.floor(src).astype(m.int64)
    lo = m.minimum(lo, n - 1)
    hi = m.minimum(lo + 1, n - 1)
    frac = (src - lo).astype(dtype)
    out = m.zeros((o, n), dtype)
    rows = m.arange(o)
    m.add.at(out, (rows, lo), 1 - frac)
    m.add.at(out, (rows, hi), frac)
    return out


def _nearest_sources(m, n, o, scale, exact):
    # torch computes the ratio and the products in float32
    f32 = m.float32
    ratio = f32(1.0 / scale) if scale else f32(n) / f32(o)
    j = m.arange(o, dtype=f32)
    src = m.floor((j + f32(0.5)) * ratio) if exact else m.floor(j * ratio)
    return m.minimum(src.astype(m.int64), n - 1)


_MODES = ("nearest", "linear", "bilinear", "bicubic", "trilinear", "area", "nearest-exact")


def interpolate(
    input,
    size=None,
    scale_factor=None,
    mode="nearest",
    align_corners=None,
    recompute_scale_factor=None,
    antialias=False,
):
    """Mirrors `torch.nn.functional.interpolate` for the modes nearest, nearest-exact, linear,
    bilinear and area; bicubic, trilinear and antialias are not supported."""
    if mode in ("nearest", "area", "nearest-exact"):
        if align_corners is not None:
            raise ValueError(
                "align_corners option can only be set with the interpolating modes: linear | "
                "bilinear | bicubic | trilinear"
            )
    elif align_corners is None:
        align_corners = False
    nd = input.ndim - 2
    if mode not in _MODES or nd not in (1, 2, 3):
        raise NotImplementedError(
            f"Input Error: Only 3D, 4D and 5D input Tensors supported (got {input.ndim}D) for the"
            " modes: nearest | linear | bilinear | bicubic | trilinear | lanczos | area | "
            f"nearest-exact (got {mode})"
        )
    if antialias or mode in ("bicubic", "trilinear") or nd == 3:
        raise NotImplementedError(
            f"interpolate: mode {mode!r} on {input.ndim}D input with "
            f"antialias={antialias} is not supported"
        )
    needs = {"linear": 1, "bilinear": 2}.get(mode)
    if needs is not None and nd != needs:
        raise NotImplementedError(
            f"Got {input.ndim}D input, but {mode} mode needs {needs + 2}D input"
        )
    in_size = tuple(input.shape[2:])
    if size is not None and scale_factor is not None:
        raise ValueError("only one of size or scale_factor should be defined")
    if size is not None:
        out = tuple(size) if isinstance(size, (tuple, list)) else (size,) * nd
        if len(out) != nd:
            raise ValueError(
                "Input and output must have the same number of spatial dimensions, but got "
                f"input with spatial dimensions of {list(in_size)} and output size of {size}. "
                "Please provide input tensor in (N, C, d1, d2, ...,dK) format and output size in "
                "(o1, o2, ...,oK) format."
            )
        scales = (None,) * nd
    elif scale_factor is not None:
        scales = (
            tuple(scale_factor)
            if isinstance(scale_factor, (tuple, list))
            else ((scale_factor,) * nd)
        )
        if len(scales) != nd:
            raise ValueError(
                "Input and scale_factor must have the same number of spatial dimensions, but got"
                f" input with spatial dimensions of {list(in_size)} and scale_factor of shape "
                f"{scale_factor}. Please provide input tensor in (N, C, d1, d2, ...,dK) format "
                "and scale_factor in (s1, s2, ...,sK) format."
            )
        out = tuple(int(math.floor(n * float(s))) for n, s in zip(in_size, scales))
        if recompute_scale_factor:
            scales = (None,) * nd
    else:
        raise ValueError("either size or scale_factor should be defined")
    out = tuple(int(o) for o in out)
    if mode == "area":
        pool = adaptive_avg_pool1d if nd == 1 else adaptive_avg_pool2d
        return pool(input, out if nd > 1 else out[0])
    _check_float(input, f"upsample_{mode}{nd}d")
    m, dt = xp(input._data), input._data.dtype
    if mode in ("nearest", "nearest-exact"):
        exact = mode == "nearest-exact"
        maps = tuple(
            (i - nd, _nearest_sources(m, n, o, s, exact))
            for i, (n, o, s) in enumerate(zip(in_size, out, scales))
        )
        name = f"upsample_nearest{'_exact' if exact else ''}{nd}d"
        return _INDEX_MAPS[name](input, maps=maps)
    mats = [_linear_matrix(m, n, o, align_corners, s, dt)
            for n, o, s in zip(in_size, out, scales)]  # fmt: skip
    if nd == 1:
        return _upsample_linear1d(input, rows=None, cols=mats[0])
    return _upsample_bilinear2d(input, rows=mats[0], cols=mats[1])


# ---- dropout ---------------------------------------------------------------------------------


def _check_p(p):
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")


def _feature_dropout(input, p, training, inplace, batched):
    """Zero whole channels: one draw per (batch, channel), the mask broadcast over the rest."""
    from .. import _ops
    from ..random import _rng

    if not training or p == 0.0:
        return input
    lead = 2 if batched else 1
    shape = tuple(input.shape[:lead]) + (1,) * (input.ndim - lead)
    keep = _rng(None).random(shape) >= p
    scale = 0.0 if p == 1.0 else 1.0 / (1.0 - p)
    mask = Tensor._make((keep * scale).astype(input._data.dtype))
    if inplace:
        return _ops.inplace(input, _ops.mul, mask)
    return input * mask


def dropout1d(input, p=0.5, training=True, inplace=False):
    """Mirrors `torch.nn.functional.dropout1d`."""
    _check_p(p)
    if input.ndim not in (2, 3):
        raise RuntimeError(
            f"dropout1d: Expected 2D or 3D input, but received a {input.ndim}D input. Note that "
            "dropout1d exists to provide channel-wise dropout on inputs with 1 spatial dimension,"
            " a channel dimension, and an optional batch dimension (i.e. 2D or 3D inputs)."
        )
    return _feature_dropout(input, p, training, inplace, input.ndim == 3)


def dropout2d(input, p=0.5, training=True, inplace=False):
    """Mirrors `torch.nn.functional.dropout2d`, warnings for 2-D, 3-D and 5-D input included."""
    _check_p(p)
    if input.ndim not in (3, 4):
        warnings.warn(
            f"dropout2d: Received a {input.ndim}-D input to dropout2d, which is deprecated and "
            "will result in an error in a future release. To retain the behavior and silence "
            "this warning, please use dropout instead. Note that dropout2d exists to provide "
            "channel-wise dropout on inputs with 2 spatial dimensions, a channel dimension, and "
            "an optional batch dimension (i.e. 3D or 4D inputs).",
            UserWarning,
            stacklevel=2,
        )
    if input.ndim == 3:
        warnings.warn(
            "dropout2d: Received a 3D input to dropout2d and assuming that channel-wise 1D "
            "dropout behavior is desired - input is interpreted as shape (N, C, L), where C is "
            "the channel dim. This behavior will change in a future release to interpret the "
            "input as one without a batch dimension, i.e. shape (C, H, W). To maintain the 1D "
            "channel-wise dropout behavior, please switch to using dropout1d instead.",
            UserWarning,
            stacklevel=2,
        )
    return _feature_dropout(input, p, training, inplace, input.ndim > 1)


# ---- distances -------------------------------------------------------------------------------


def normalize(input, p=2.0, dim=1, eps=1e-12, out=None):
    """Mirrors `torch.nn.functional.normalize`; `out=` is not supported."""
    if out is not None:
        raise NotImplementedError("normalize: out= is not supported")
    denom = input.norm(p, dim, keepdim=True).clamp_min(eps).expand_as(input)
    return input / denom


def _clamped_norm(x, dim, eps):
    """||x|| whose value is clamped below at eps while its gradient is the plain norm's, as
    torch clamps the norm in place under no_grad."""
    n = x.norm(2, dim, keepdim=True)
    return n + (n.clamp_min(eps) - n).detach()


def cosine_similarity(x1, x2, dim=1, eps=1e-8):
    """Mirrors `torch.nn.functional.cosine_similarity`: each input is divided by its (clamped)
    norm before the dot product."""
    from .shape import broadcast_tensors

    a, b = broadcast_tensors(x1, x2)
    if not a.dtype.is_floating_point:
        a, b = a.float(), b.float()
    return ((a / _clamped_norm(a, dim, eps)) * (b / _clamped_norm(b, dim, eps))).sum(dim)


def pairwise_distance(x1, x2, p=2.0, eps=1e-6, keepdim=False):
    """Mirrors `torch.nn.functional.pairwise_distance`: the p-norm of x1 - x2 + eps over the
    last dim."""
    d = x1 - x2 + eps
    return d.norm(p, -1, keepdim=keepdim)
