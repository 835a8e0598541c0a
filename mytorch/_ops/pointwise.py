"""Elementwise ops: arithmetic, binary math (atan2, maximum, clamp, lerp, ...), unary math,
comparisons, selection, casts and the in-place writers. New unary ops live in unary.py."""

from __future__ import annotations

import functools
import math

from .. import _backend, _dtype
from .._tensor import Tensor
from . import inplace, primitive

xp = _backend.xp


__all__ = [
    "abs",
    "add",
    "add_alpha",
    "addcdiv",
    "addcmul",
    "allclose",
    "arctan2",
    "atan2",
    "bitwise_and",
    "bitwise_left_shift",
    "bitwise_not",
    "bitwise_or",
    "bitwise_right_shift",
    "bitwise_xor",
    "clamp",
    "clamp_",
    "clamp_max",
    "clamp_max_",
    "clamp_min",
    "clamp_min_",
    "clip",
    "clip_",
    "clone",
    "compare_",
    "copy",
    "copysign",
    "cos",
    "div",
    "div_mode",
    "eq",
    "equal",
    "exp",
    "fill",
    "float_power",
    "float_power_",
    "floor_divide",
    "fmax",
    "fmin",
    "fmod",
    "ge",
    "greater",
    "greater_equal",
    "gt",
    "hypot",
    "isclose",
    "le",
    "lerp",
    "less",
    "less_equal",
    "log",
    "logaddexp",
    "logaddexp2",
    "logical_and",
    "logical_or",
    "logical_xor",
    "lt",
    "maximum",
    "minimum",
    "mul",
    "ne",
    "neg",
    "not_equal",
    "pow",
    "reciprocal",
    "relu",
    "remainder",
    "rremainder",
    "rsub",
    "sigmoid",
    "sign",
    "sin",
    "sqrt",
    "sub",
    "sub_alpha",
    "tanh",
    "to_copy",
    "where",
    "xlogy",
    "xlogy_",
    "zero",
]


def _needs(ctx, i):
    return ctx.needs_input_grad[i]


def _zeros(grad):
    # a constant zero (grad * 0 would turn inf into nan)
    from .._creation import zeros_like

    return zeros_like(grad)


def _title(dt) -> str:
    # a mytorch dtype (from a Tensor) or a numpy one (from an array in a forward)
    return dt._title if isinstance(dt, _dtype.dtype) else _dtype._FROM_NP[dt]._title


def _not_implemented(kernel, x):
    """torch's error for a kernel without an implementation for x's dtype."""
    return NotImplementedError(f"\"{kernel}\" not implemented for '{_title(x.dtype)}'")


def _require_tensor(fn, name, position, x):
    if not isinstance(x, Tensor):
        raise TypeError(
            f"{fn}(): argument '{name}' (position {position}) must be Tensor, not "
            f"{type(x).__name__}"
        )


def _result_dtype(*operands):
    """torch's result dtype of tensors and numbers (None entries are skipped), as numpy's."""
    return _dtype.result_type_of(operands)._np


def _as(x, npdt):
    """An array or a Python number as an array (or numpy scalar) of dtype `npdt`."""
    if hasattr(x, "astype"):
        return x if x.dtype == npdt else x.astype(npdt)
    return npdt.type(x)


def _xp2(a, b):
    # the array module of whichever operand is an array (the other may be a number)
    return xp(a if _backend.is_array(a) else b)


def _shape_checked(forward):
    """For ops of three inputs: a broadcasting failure worded as torch's, which compares the
    shapes left to right (the registry words it for the first two inputs only)."""

    @functools.wraps(forward)
    def checked(*arrays, **params):
        try:
            return forward(*arrays, **params)
        except ValueError:
            acc = ()
            for shape in (x.shape for x in arrays if hasattr(x, "shape")):
                n = max(len(acc), len(shape))
                a, b = (1,) * (n - len(acc)) + acc, (1,) * (n - len(shape)) + shape
                for i in range(n - 1, -1, -1):
                    if a[i] != b[i] and 1 not in (a[i], b[i]):
                        raise RuntimeError(
                            f"The size of tensor a ({a[i]}) must match the size of tensor b "
                            f"({b[i]}) at non-singleton dimension {i}"
                        ) from None
                acc = tuple(y if x == 1 else x for x, y in zip(a, b))
            raise

    return checked


# ---- arithmetic ---------------------------------------------------------------------------------


@primitive("add", promote="binary")
def add(a, b, *, alpha=1):
    if alpha == 1:
        return a + b
    return (a + alpha * b).astype(a.dtype, copy=False)  # bool + 2 * bool stays bool, as in torch


@add.backward
def _(ctx, grad):
    alpha = getattr(ctx, "alpha", 1)
    return grad, (grad if alpha == 1 else grad * alpha)


@primitive("sub", promote="binary")
def _sub(a, b, *, alpha=1):
    return a - b if alpha == 1 else a - alpha * b


@_sub.backward
def _(ctx, grad):
    alpha = getattr(ctx, "alpha", 1)
    return grad, (-grad if alpha == 1 else grad * -alpha)


@primitive("rsub", 1, promote="binary", shown=(0,))
def _rsub(a, b):
    """`b - a`, what `2 - x` records in torch."""
    return b - a


@_rsub.backward
def _(ctx, grad):
    return -grad, grad


@primitive("mul", promote="binary")
def mul(a, b):
    return a * b


@mul.backward
def _(ctx, grad):
    a, b = ctx.inputs
    return (grad * b if _needs(ctx, 0) else None), (grad * a if _needs(ctx, 1) else None)


def _no_bool_subtraction(a, b):
    kinds = [x.dtype is _dtype.bool if hasattr(x, "dtype") else type(x) is bool for x in (a, b)]
    if kinds[0] and kinds[1]:
        raise RuntimeError(
            "Subtraction, the `-` operator, with two bool tensors is not supported. Use the `^` or "
            "`logical_xor()` operator instead."
        )
    if kinds[0] or kinds[1]:
        raise RuntimeError(
            "Subtraction, the `-` operator, with a bool tensor is not supported. If you are trying "
            "to invert a mask, use the `~` or `logical_not()` operator instead."
        )


def _check_alpha(a, b, alpha):
    if alpha == 1 and type(alpha) is int:
        return
    dt = _dtype.result_type_of((a, b))
    if isinstance(alpha, bool):
        if dt is not _dtype.bool:
            raise RuntimeError("Boolean alpha only supported for Boolean results.")
    elif isinstance(alpha, float) and not dt.is_floating_point:
        raise RuntimeError(
            "For integral input tensors, argument alpha must not be a floating point number."
        )


def sub(a, b, *, alpha=1):
    """Mirrors `torch.sub`: `a - alpha * b`."""
    _no_bool_subtraction(a, b)
    _check_alpha(a, b, alpha)
    return _sub(a, b) if alpha == 1 else _sub(a, b, alpha=alpha)


def rsub(a, b):
    """`b - a` (torch's `rsub`)."""
    _no_bool_subtraction(a, b)
    return _rsub(a, b)


def _quietly(fn, *args):
    # inf and nan come silently in torch; numpy would warn
    with xp(args[0]).errstate(all="ignore"):
        return fn(*args)


def _nonzero_number(b):
    return not hasattr(b, "shape") or (b.ndim == 0 and b != 0)


def _is_bool(a, b):
    if a.dtype.kind != "b":
        return False
    xp(a).broadcast_shapes(a.shape, getattr(b, "shape", ()))  # shape errors come first
    return True


def _check_integer_divisor(a, b):
    kind = a.dtype.kind
    if _is_bool(a, b):
        return True
    if kind in "iu" and not xp(a).all(b):
        raise RuntimeError("ZeroDivisionError")
    return False


@primitive("div", promote="float")
def div(a, b):
    if _nonzero_number(b) or b.dtype.kind != "f":
        return a / b
    return _quietly(xp(a).true_divide, a, b)


@div.backward
def _(ctx, grad):
    a, b = ctx.inputs
    ga = grad / b if _needs(ctx, 0) else None
    # d/db a/b = -(a/b)/b; this grouping keeps torch's inf/nan at b = 0 in higher orders
    gb = -grad * ((a / b) / b) if _needs(ctx, 1) else None
    return ga, gb


@primitive("div", 2, promote="binary")
def _div_rounded(a, b, *, rounding_mode):
    m = xp(a)
    if _check_integer_divisor(a, b):
        raise NotImplementedError(f"\"div_{rounding_mode}_cpu\" not implemented for 'Bool'")
    if rounding_mode == "floor":
        return _quietly(m.floor_divide, a, b)
    if a.dtype.kind == "f":
        return m.trunc(_quietly(m.true_divide, a, b))
    return _quietly(m.trunc, a / b).astype(a.dtype)


@_div_rounded.backward
def _(ctx, grad):
    # NOTE: rounded quotients are piecewise constant; torch's gradient is zero
    return _zeros(grad), _zeros(grad)


@primitive("reciprocal", promote="float")
def reciprocal(x):
    return _quietly(xp(x).reciprocal, x)


@reciprocal.backward
def _(ctx, grad):
    r = ctx.result
    return -grad * r * r


@primitive("floor_divide", promote="binary", node_name="NotImplemented", shown=(0,))
def floor_divide(a, b):
    if _check_integer_divisor(a, b):
        raise NotImplementedError("\"div_floor_cpu\" not implemented for 'Bool'")
    return _quietly(xp(a).floor_divide, a, b)


@primitive("remainder", 0, promote="binary", shown=(0,))
def _remainder_scalar(a, b):
    return _remainder_forward(a, b)


@_remainder_scalar.backward
def _(ctx, grad):
    return grad, None


@primitive("remainder", 1, promote="binary")
def _remainder(a, b):
    return _remainder_forward(a, b)


def _remainder_forward(a, b):
    if _check_integer_divisor(a, b):
        raise NotImplementedError("\"remainder_cpu\" not implemented for 'Bool'")
    return _quietly(xp(a).remainder, a, b)


@_remainder.backward
def _(ctx, grad):
    a, b = ctx.inputs
    return grad, (-grad * _div_rounded(a, b, rounding_mode="floor") if _needs(ctx, 1) else None)


@primitive("rremainder", promote="binary", node_name="NotImplemented", shown=(0,))
def rremainder(a, b):
    """`b % a`: torch records no derivative for a number modulo a tensor."""
    return _remainder_forward(b, a)


@primitive("fmod", 0, promote="binary", shown=(0,))
def _fmod_scalar(a, b):
    return _fmod_forward(a, b)


@_fmod_scalar.backward
def _(ctx, grad):
    return grad, None


@primitive("fmod", 1, promote="binary")
def _fmod(a, b):
    return _fmod_forward(a, b)


def _fmod_forward(a, b):
    if _check_integer_divisor(a, b):
        raise _not_implemented("fmod_cpu", a)
    return _quietly(xp(a).fmod, a, b)


@_fmod.backward
def _(ctx, grad):
    # d/db fmod(a, b) = -trunc(a / b)
    a, b = ctx.inputs
    return grad, (-grad * _div_rounded(a, b, rounding_mode="trunc") if _needs(ctx, 1) else None)


@primitive("neg")
def neg(x):
    if x.dtype.kind == "b":
        raise RuntimeError(
            "Negation, the `-` operator, on a bool tensor is not supported. If you are trying to "
            "invert a mask, use the `~` or `logical_not()` operator instead."
        )
    return -x


@neg.backward
def _(ctx, grad):
    return -grad


@primitive("pow", 0, promote="binary", shown=(0,))
def _pow_scalar(x, exponent):
    if x.dtype.kind == "b":
        return x | ~exponent  # x ** e for booleans: True when e is False, else x
    return _power(x, exponent)


def _power(x, exponent):
    m = xp(x)
    if _is_bool(x, exponent):
        raise NotImplementedError("\"pow\" not implemented for 'Bool'")
    if x.dtype.kind in "iu" and m.any(exponent < 0):
        # torch: integer ** negative integer is 0, except for bases 1 and -1
        negative = exponent < 0
        odd = (exponent % 2) != 0
        inverse = m.where(x == 1, 1, m.where(x == -1, m.where(odd, -1, 1), 0))
        return m.where(negative, inverse, m.power(x, m.where(negative, 0, exponent))).astype(
            x.dtype
        )
    return _quietly(m.power, x, exponent)


@_pow_scalar.backward
def _(ctx, grad):
    x, e = ctx.inputs
    # NOTE: x ** 0 has gradient 0 even at x = 0, where e * x ** (e - 1) would give nan
    if e == 0:
        return _zeros(grad), None
    return grad * e * x ** (e - 1), None


@primitive("pow", 1, promote="binary")
def _pow(x, exponent):
    return _power(x, exponent)


@primitive("pow", 2, promote="binary", shown=(1,))
def _rpow(base, exponent):
    return _power(base, exponent)


def _pow_exponent_grad(grad, base, exponent, result):
    # NOTE: d/de b**e = b**e log b, taken as 0 where b == 0 and e >= 0 (torch's convention)
    if not isinstance(base, (int, float)):
        return grad * where((base == 0) & (exponent >= 0), 0.0, result * log(base))
    if base == 0:
        return grad * where(exponent >= 0, 0.0, result * float("-inf"))
    return grad * (result * (math.log(base) if base > 0 else float("nan")))


@_pow.backward
def _(ctx, grad):
    x, e = ctx.inputs
    gx = ge = None
    if _needs(ctx, 0):
        gx = grad * where(e == 0, 0.0, e * x ** (e - 1))
    if _needs(ctx, 1):
        ge = _pow_exponent_grad(grad, x, e, ctx.result)
    return gx, ge


@_rpow.backward
def _(ctx, grad):
    base, e = ctx.inputs
    return None, _pow_exponent_grad(grad, base, e, ctx.result)


# ---- binary math --------------------------------------------------------------------------------


def _floating_only(kernel, a):
    if a.dtype.kind != "f":
        raise _not_implemented(kernel, a)


@primitive("atan2", promote="float")
def _atan2(a, b):
    return xp(a).arctan2(a, b)


@_atan2.backward
def _(ctx, grad):
    # d/da atan2(a, b) = b / (a² + b²), d/db = -a / (a² + b²)
    a, b = ctx.inputs
    d = a * a + b * b
    # NOTE: 0 at a = b = 0 rather than 0/0, as torch gives
    r = where(d == 0, 0.0, d.reciprocal())
    return (grad * b * r if _needs(ctx, 0) else None), (grad * -a * r if _needs(ctx, 1) else None)


@primitive("maximum", promote="binary")
def _maximum(a, b):
    return xp(a).maximum(a, b)


@_maximum.backward
def _(ctx, grad):
    # NOTE: ties split the gradient evenly and a nan passes it to both inputs, as in torch
    a, b = ctx.inputs
    half = grad / 2
    ga = where(a == b, half, where(a < b, 0.0, grad)) if _needs(ctx, 0) else None
    gb = where(a == b, half, where(a > b, 0.0, grad)) if _needs(ctx, 1) else None
    return ga, gb


@primitive("minimum", promote="binary")
def _minimum(a, b):
    return xp(a).minimum(a, b)


@_minimum.backward
def _(ctx, grad):
    # NOTE: ties split the gradient evenly and a nan passes it to both inputs, as in torch
    a, b = ctx.inputs
    half = grad / 2
    ga = where(a == b, half, where(a > b, 0.0, grad)) if _needs(ctx, 0) else None
    gb = where(a == b, half, where(a < b, 0.0, grad)) if _needs(ctx, 1) else None
    return ga, gb


@primitive("fmax", promote="binary")
def _fmax(a, b):
    return xp(a).fmax(a, b)


@_fmax.backward
def _(ctx, grad):
    # NOTE: unlike maximum, a tie sends the whole gradient to the first input; a nan input
    # gets none unless both are nan
    a, b = ctx.inputs
    first = (a >= b) | (b != b)
    ga = where(first, grad, 0.0) if _needs(ctx, 0) else None
    return ga, (where(first, 0.0, grad) if _needs(ctx, 1) else None)


@primitive("fmin", promote="binary")
def _fmin(a, b):
    return xp(a).fmin(a, b)


@_fmin.backward
def _(ctx, grad):
    a, b = ctx.inputs
    first = (a <= b) | (b != b)
    ga = where(first, grad, 0.0) if _needs(ctx, 0) else None
    return ga, (where(first, 0.0, grad) if _needs(ctx, 1) else None)


@primitive("hypot", promote="binary")
def _hypot(a, b):
    _floating_only("hypot_cpu", a)
    return xp(a).hypot(a, b)


@_hypot.backward
def _(ctx, grad):
    a, b = ctx.inputs
    r = ctx.result
    return (grad * a / r if _needs(ctx, 0) else None), (grad * b / r if _needs(ctx, 1) else None)


@primitive("logaddexp", promote="binary")
def _logaddexp(a, b):
    _floating_only("logaddexp_cpu", a)
    return _quietly(xp(a).logaddexp, a, b)


@_logaddexp.backward
def _(ctx, grad):
    # d/da log(e^a + e^b) = 1 / (1 + e^(b - a)): 0 or 1 rather than nan for far-apart inputs
    a, b = ctx.inputs
    ga = grad / (1 + (b - a).exp()) if _needs(ctx, 0) else None
    gb = grad / (1 + (a - b).exp()) if _needs(ctx, 1) else None
    return ga, gb


@primitive("logaddexp2", promote="binary")
def _logaddexp2(a, b):
    _floating_only("logaddexp2_cpu", a)
    return _quietly(xp(a).logaddexp2, a, b)


@_logaddexp2.backward
def _(ctx, grad):
    # d/da log2(2^a + 2^b) = 1 / (1 + 2^(b - a))
    a, b = ctx.inputs
    ga = grad / (1 + 2 ** (b - a)) if _needs(ctx, 0) else None
    gb = grad / (1 + 2 ** (a - b)) if _needs(ctx, 1) else None
    return ga, gb


@primitive("copysign", 0, promote="float")
def _copysign(a, b):
    return xp(a).copysign(a, b)


@primitive("copysign", 1, promote="float", shown=(0,))
def _copysign_scalar(a, b):
    return xp(a).copysign(a, b)


def _copysign_grad(ctx, grad):
    # d/da copysign(a, b) = copysign(1, b) * sign(a); NOTE: 0 at a = 0, as in torch
    a = ctx.inputs[0]
    return grad * where(a == 0, 0.0, ctx.result / a)


@_copysign.backward
def _(ctx, grad):
    ga = _copysign_grad(ctx, grad) if _needs(ctx, 0) else None
    return ga, (_zeros(grad) if _needs(ctx, 1) else None)


@_copysign_scalar.backward
def _(ctx, grad):
    return _copysign_grad(ctx, grad), None


def _xlogy_forward(a, b):
    m = _xp2(a, b)
    out = _quietly(m.multiply, a, _quietly(m.log, b))
    # NOTE: 0 where a == 0, even for b = 0 or inf; b = nan still gives nan
    return m.where((a == 0) & ~m.isnan(b), 0, out).astype(out.dtype, copy=False)


@primitive("xlogy", 0, promote="float")
def _xlogy(a, b):
    return _xlogy_forward(a, b)


@primitive("xlogy", 1, promote="float", shown=(1,))
def _xlogy_scalar_self(a, b):
    return _xlogy_forward(a, b)


@primitive("xlogy", 2, promote="float", shown=(0,))
def _xlogy_scalar_other(a, b):
    return _xlogy_forward(a, b)


def _log_number(v) -> float:
    return math.log(v) if v > 0 else -math.inf if v == 0 else math.nan


def _xlogy_grad_a(grad, a, b):
    # d/da a log b = log b; NOTE: 0 where a == 0 and b <= 0, as in torch
    if isinstance(b, Tensor):
        return grad * where((a == 0) & (b <= 0), 0.0, log(b))
    log_b = _log_number(b)
    return grad * (where(a == 0, 0.0, log_b) if b <= 0 else log_b)


@_xlogy.backward
def _(ctx, grad):
    a, b = ctx.inputs
    ga = _xlogy_grad_a(grad, a, b) if _needs(ctx, 0) else None
    return ga, (grad * a / b if _needs(ctx, 1) else None)


@_xlogy_scalar_self.backward
def _(ctx, grad):
    a, b = ctx.inputs
    return None, grad * a / b


@_xlogy_scalar_other.backward
def _(ctx, grad):
    a, b = ctx.inputs
    return _xlogy_grad_a(grad, a, b), None


def _lerp_forward(a, b, w):
    m = xp(a)
    w = _as(w, a.dtype) if _backend.is_array(w) else w
    # torch's two-sided formula: exact at both ends (w = 0 gives a, w = 1 gives b)
    diff = b - a
    out = m.where(m.abs(w) < 0.5, a + w * diff, b - diff * (1 - w))
    return out.astype(a.dtype, copy=False)


@primitive("lerp", 0)
def _lerp_scalar(a, b, *, weight):
    return _lerp_forward(a, b, weight)


@_lerp_scalar.backward
def _(ctx, grad):
    w = ctx.weight
    return (grad * (1 - w) if _needs(ctx, 0) else None), (grad * w if _needs(ctx, 1) else None)


@primitive("lerp", 1)
@_shape_checked
def _lerp(a, b, weight, *, dtype):
    return _lerp_forward(_as(a, dtype), _as(b, dtype), weight)


@_lerp.backward
def _(ctx, grad):
    a, b, w = ctx.inputs
    ga = grad * (1 - w) if _needs(ctx, 0) else None
    gb = grad * w if _needs(ctx, 1) else None
    return ga, gb, (grad * (b - a) if _needs(ctx, 2) else None)


# c10's spelling of dtypes in lerp's dtype errors
_CPP_NAMES = {
    _dtype.float16: "c10::Half", _dtype.float32: "float", _dtype.float64: "double",
    _dtype.int64: "long int", _dtype.int32: "int", _dtype.int16: "short int",
    _dtype.int8: "signed char", _dtype.uint8: "unsigned char", _dtype.bool: "bool",
}  # fmt: skip


def lerp(input, end, weight):  # noqa: A002 - torch's keyword names
    """Mirrors `torch.lerp`: `input + weight * (end - input)`; all tensors of one dtype."""
    _require_tensor("lerp", "input", 1, input)
    _require_tensor("lerp", "end", 2, end)
    scalar = not isinstance(weight, Tensor)
    for name, t in (("end", end), ("weight", None if scalar or weight.ndim == 0 else weight)):
        if t is not None and t.dtype is not input.dtype:
            raise RuntimeError(
                f"expected dtype {_CPP_NAMES[input.dtype]} for `{name}` but got dtype "
                f"{_CPP_NAMES[t.dtype]}"
            )
    if scalar:
        if not input.dtype.is_floating_point:
            raise _not_implemented("lerp_kernel_scalar", input)
        return _lerp_scalar(input, end, weight=weight)
    # a 0-d weight takes part in type promotion: lerp(int, int, 0-d double) computes in double
    dtype = _result_dtype(input, end, weight)
    if dtype.kind != "f":
        raise _not_implemented("lerp_kernel_tensor", input)
    return _lerp(input, end, weight, dtype=dtype)


def _scalar_for(value, npdt):
    # torch converts `value` to the result dtype: 2.5 becomes 2 for integer results
    if npdt.kind in "iu":
        return int(value)
    return value


@primitive("addcmul", promote="binary")
@_shape_checked
def _addcmul(a, t1, t2, *, value=1):
    if a.dtype.kind == "b":
        raise _not_implemented("addcmul_cpu_out", a)
    return a + _scalar_for(value, a.dtype) * t1 * t2


@_addcmul.backward
def _(ctx, grad):
    a, t1, t2 = ctx.inputs
    v = ctx.value
    g1 = grad * t2 * v if _needs(ctx, 1) else None
    return grad, g1, (grad * t1 * v if _needs(ctx, 2) else None)


@primitive("addcdiv", promote="binary")
@_shape_checked
def _addcdiv(a, t1, t2, *, value=1):
    return a + value * t1 / t2


@_addcdiv.backward
def _(ctx, grad):
    a, t1, t2 = ctx.inputs
    v = ctx.value
    g1 = grad * v / t2 if _needs(ctx, 1) else None
    return grad, g1, (-grad * v * t1 / (t2 * t2) if _needs(ctx, 2) else None)


def addcmul(input, tensor1, tensor2, *, value=1):  # noqa: A002
    """Mirrors `torch.addcmul`: `input + value * tensor1 * tensor2`."""
    for i, (name, t) in enumerate((("input", input), ("tensor1", tensor1), ("tensor2", tensor2))):
        _require_tensor("addcmul", name, i + 1, t)
    return _addcmul(input, tensor1, tensor2, value=value)


def addcdiv(input, tensor1, tensor2, *, value=1):  # noqa: A002
    """Mirrors `torch.addcdiv`: `input + value * tensor1 / tensor2`."""
    for i, (name, t) in enumerate((("input", input), ("tensor1", tensor1), ("tensor2", tensor2))):
        _require_tensor("addcdiv", name, i + 1, t)
    if not (tensor1.dtype.is_floating_point or tensor2.dtype.is_floating_point):
        raise RuntimeError(
            "Integer division with addcdiv is no longer supported, and in a future  release "
            "addcdiv will perform a true division of tensor1 and tensor2. The historic addcdiv "
            "behavior can be implemented as (input + value * torch.trunc(tensor1 / tensor2))."
            "to(input.dtype) for integer inputs and as (input + value * tensor1 / tensor2) for "
            "float inputs. The future addcdiv behavior is just the latter implementation: "
            "(input + value * tensor1 / tensor2), for all dtypes."
        )
    return _addcdiv(input, tensor1, tensor2, value=value)


# ---- clamp --------------------------------------------------------------------------------------


def _clamp_forward(x, lo, hi):
    m = xp(x)
    if lo is not None:
        x = m.maximum(x, lo)
    if hi is not None:
        x = m.minimum(x, hi)
    return x


# C names torch uses when a bound doesn't fit the integer dtype
_C_INT_NAMES = {"uint8": "uint8_t", "int8": "int8_t", "int16": "short", "int32": "int",
                "int64": "int64_t"}  # fmt: skip


def _check_bound(value, npdt):
    if value is None or npdt.kind not in "iu" or isinstance(value, float):
        return
    info = xp(None).iinfo(npdt)
    # torch wraps negative bounds into unsigned types but refuses anything else out of range
    low = -(2**63) if npdt.kind == "u" else info.min
    if not low <= value <= info.max:
        raise RuntimeError(
            f"value cannot be converted to type {_C_INT_NAMES[npdt.name]} without overflow"
        )


@primitive("clamp", 1, shown=(0,))
def _clamp_scalar(x, *, min, max, dtype):  # noqa: A002 - torch's names
    if x.dtype.kind == "b" and dtype.kind == "b":
        kernel = "clamp_scalar_cpu" if min is not None and max is not None else (
            "clamp_min_scalar_cpu" if min is not None else "clamp_max_scalar_cpu")  # fmt: skip
        raise _not_implemented(kernel, x)
    _check_bound(min, dtype)
    _check_bound(max, dtype)
    lo = None if min is None else _as_bound(min, dtype)
    hi = None if max is None else _as_bound(max, dtype)
    return _clamp_forward(_as(x, dtype), lo, hi)


def _as_bound(value, npdt):
    try:
        return npdt.type(value)
    except OverflowError:
        return _backend.asarray(value).astype(npdt)[()]  # a negative bound wraps, as in torch


def _clamp_mask(x, lo, hi):
    mask = None if lo is None else x >= lo
    if hi is not None:
        mask = x <= hi if mask is None else mask & (x <= hi)
    return mask


@_clamp_scalar.backward
def _(ctx, grad):
    # NOTE: the gradient passes on both boundaries (min <= x <= max), as in torch
    return where(_clamp_mask(ctx.inputs[0], ctx.min, ctx.max), grad, 0.0)


@primitive("clamp", 0)
@_shape_checked
def _clamp(x, lo, hi, *, dtype):
    return _clamp_forward(*(None if t is None else _as(t, dtype) for t in (x, lo, hi)))


@_clamp.backward
def _(ctx, grad):
    # NOTE: with min > max the output is max everywhere and the gradient goes to max; where
    # min == max and x < min nobody gets it, as in torch
    x, lo, hi = ctx.inputs
    gx = where(_clamp_mask(x, lo, hi), grad, 0.0) if _needs(ctx, 0) else None
    glo = ghi = None
    if lo is not None and _needs(ctx, 1):
        glo = where(x < lo if hi is None else (x < lo) & (lo < hi), grad, 0.0)
    if hi is not None and _needs(ctx, 2):
        ghi = where(x > hi if lo is None else (x > hi) | (hi < lo), grad, 0.0)
    return gx, glo, ghi


def clamp(input, min=None, max=None):  # noqa: A001, A002 - torch's names
    """Mirrors `torch.clamp`: bounds are numbers or tensors, either may be None."""
    _require_tensor("clamp", "input", 1, input)
    lo, hi = min, max
    if lo is None and hi is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    for name, v in (("min", lo), ("max", hi)):
        if v is not None and not isinstance(v, (Tensor, *_NUMBERS)):
            raise TypeError(
                f"clamp(): argument '{name}' must be Tensor or Number, not {type(v).__name__}"
            )
    lo_t, hi_t = isinstance(lo, Tensor), isinstance(hi, Tensor)
    if lo_t != hi_t and lo is not None and hi is not None:
        # torch reads a 0-d tensor next to a number as a number; otherwise it refuses the mix
        if (lo if lo_t else hi).ndim:
            raise TypeError(
                "clamp() received an invalid combination of arguments - got (Tensor, "
                f"{type(lo).__name__}, {type(hi).__name__})"
            )
        lo, hi, lo_t, hi_t = (lo.item() if lo_t else lo), (hi.item() if hi_t else hi), 0, 0
    dtype = _result_dtype(input, lo, hi)
    if lo_t or hi_t:
        return _clamp(input, lo, hi, dtype=dtype)
    return _clamp_scalar(input, min=lo, max=hi, dtype=dtype)


def _clamp_one_sided(which):
    @primitive(f"clamp_{which}", 0, promote="binary", shown=(0,))
    def scalar(x, bound):
        if x.dtype.kind == "b":
            raise _not_implemented(f"clamp_{which}_scalar_cpu", x)
        return _clamp_forward(x, *((bound, None) if which == "min" else (None, bound)))

    @primitive(f"clamp_{which}", 1, promote="binary")
    def tensor(x, bound):
        return _clamp_forward(x, *((bound, None) if which == "min" else (None, bound)))

    @scalar.backward
    def _(ctx, grad):
        x, bound = ctx.inputs
        return where(x >= bound if which == "min" else x <= bound, grad, 0.0), None

    @tensor.backward
    def _(ctx, grad):
        # NOTE: a tie passes the gradient to x; a nan on either side passes it to neither
        x, bound = ctx.inputs
        inside = x >= bound if which == "min" else x <= bound
        outside = x < bound if which == "min" else x > bound
        return where(inside, grad, 0.0), where(outside, grad, 0.0)

    return scalar, tensor


def _clamp_side(which, input, bound):  # noqa: A002
    _require_tensor(f"clamp_{which}", "input", 1, input)
    scalar, tensor = _CLAMP_SIDES[which]
    if isinstance(bound, Tensor):
        return tensor(input, bound)
    if not isinstance(bound, _NUMBERS):
        raise TypeError(
            f"clamp_{which}(): argument '{which}' must be Tensor or Number, not "
            f"{type(bound).__name__}"
        )
    _check_bound(bound, _result_dtype(input, bound))
    return scalar(input, bound)


def clamp_min(input, min):  # noqa: A001, A002 - torch's names
    """Mirrors `torch.clamp_min`."""
    return _clamp_side("min", input, min)


def clamp_max(input, max):  # noqa: A001, A002 - torch's names
    """Mirrors `torch.clamp_max`."""
    return _clamp_side("max", input, max)


_NUMBERS = (int, float, _backend.scalar_types)
_CLAMP_SIDES = {"min": _clamp_one_sided("min"), "max": _clamp_one_sided("max")}


# ---- public binary functions (torch's signatures; numbers where torch takes them) ----------------


def _binary(name, prim, *, scalar_other=None, scalar_self=None):
    """A `torch.<name>(input, other)` function over `prim`, refusing numbers where torch does."""

    def fn(input, other):  # noqa: A002
        if not isinstance(input, Tensor):
            if scalar_self is None or not isinstance(input, _NUMBERS):
                _require_tensor(name, "input", 1, input)
            _require_tensor(name, "other", 2, other)
            return scalar_self(input, other)
        if not isinstance(other, Tensor):
            if scalar_other is None:
                _require_tensor(name, "other", 2, other)
            return scalar_other(input, other)
        return prim(input, other)

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"Mirrors `torch.{name}`."
    return fn


atan2 = _binary("atan2", _atan2)
maximum = _binary("maximum", _maximum)
minimum = _binary("minimum", _minimum)
fmax = _binary("fmax", _fmax)
fmin = _binary("fmin", _fmin)
hypot = _binary("hypot", _hypot)
logaddexp = _binary("logaddexp", _logaddexp)
logaddexp2 = _binary("logaddexp2", _logaddexp2)
copysign = _binary("copysign", _copysign, scalar_other=_copysign_scalar)
xlogy = _binary("xlogy", _xlogy, scalar_other=_xlogy_scalar_other, scalar_self=_xlogy_scalar_self)
fmod = _binary("fmod", _fmod, scalar_other=_fmod_scalar)


def float_power(input, exponent):  # noqa: A002
    """Mirrors `torch.float_power`: computes in float64."""
    f64 = _dtype.float64
    if not isinstance(input, Tensor):
        _require_tensor("float_power", "exponent", 2, exponent)
        return _rpow(float(input), exponent.to(f64))
    return pow(input.to(f64), exponent.to(f64) if isinstance(exponent, Tensor) else exponent)


def float_power_(self, exponent):
    """Mirrors `torch.Tensor.float_power_`: the tensor must already be float64."""
    if self.dtype is not _dtype.float64:
        raise RuntimeError(
            f"the base given to float_power_ has dtype {self.dtype._title} but the operation's "
            "result requires dtype Double"
        )
    return inplace(self, float_power, exponent)


# ---- unary math ---------------------------------------------------------------------------------


@primitive("abs")
def abs(x):  # noqa: A001
    return xp(x).abs(x)


@abs.backward
def _(ctx, grad):
    # NOTE: sign(0) = 0, so the gradient at 0 is 0 as in torch
    return grad * sign(ctx.inputs[0])


@primitive("sign")
def sign(x):
    m = xp(x)
    if x.dtype.kind == "b":
        return x.copy()
    out = m.sign(x)
    if x.dtype.kind == "f":
        # NOTE: torch's sign(nan) is 0, so abs passes no nan gradient
        out = m.where(m.isnan(x), x.dtype.type(0), out)
    return out


@sign.backward
def _(ctx, grad):
    return _zeros(grad)


@primitive("exp", promote="float")
def exp(x):
    return xp(x).exp(x)


@exp.backward
def _(ctx, grad):
    return grad * ctx.result


@primitive("log", promote="float")
def log(x):
    return _quietly(xp(x).log, x)


@log.backward
def _(ctx, grad):
    return grad / ctx.inputs[0]


@primitive("sqrt", promote="float")
def sqrt(x):
    return _quietly(xp(x).sqrt, x)


@sqrt.backward
def _(ctx, grad):
    # NOTE: infinite at 0, as in torch
    return grad / (2 * ctx.result)


@primitive("sin", promote="float")
def sin(x):
    return xp(x).sin(x)


@sin.backward
def _(ctx, grad):
    return grad * cos(ctx.inputs[0])


@primitive("cos", promote="float")
def cos(x):
    return xp(x).cos(x)


@cos.backward
def _(ctx, grad):
    return grad * -sin(ctx.inputs[0])


@primitive("tanh", promote="float")
def tanh(x):
    return xp(x).tanh(x)


@tanh.backward
def _(ctx, grad):
    # d/dx tanh x = 1 - tanh² x
    r = ctx.result
    return grad * (1 - r * r)


@primitive("sigmoid", promote="float")
def sigmoid(x):
    m = xp(x)
    # split by sign so that exp never overflows: sigmoid(-1000) is 0, not nan
    e = m.exp(-m.abs(x))
    return m.where(x >= 0, 1 / (1 + e), e / (1 + e)).astype(x.dtype, copy=False)


@sigmoid.backward
def _(ctx, grad):
    r = ctx.result
    return grad * r * (1 - r)


@primitive("relu")
def relu(x):
    return xp(x).maximum(x, 0).astype(x.dtype, copy=False)


@relu.backward
def _(ctx, grad):
    # NOTE: the gradient at 0 is 0, as in torch
    # NOTE: `not (y <= 0)` rather than `y > 0`: a nan output passes its gradient, as in torch;
    # a product with the mask is several times faster than `where` on a random mask
    return grad * ~(ctx.result <= 0)


# ---- comparisons, logical and bitwise ops -------------------------------------------------------


def _compare(name, fn):
    return primitive(name, promote="binary", differentiable=False)(fn)


eq = _compare("eq", lambda a, b: a == b)
ne = _compare("ne", lambda a, b: a != b)
lt = _compare("lt", lambda a, b: a < b)
le = _compare("le", lambda a, b: a <= b)
gt = _compare("gt", lambda a, b: a > b)
ge = _compare("ge", lambda a, b: a >= b)
_COMPARISONS = {"eq": eq, "ne": ne, "lt": lt, "le": le, "gt": gt, "ge": ge}


def _compare_into(name, overload):
    # `y.eq_(x)` writes the comparison into y's own dtype; when y requires grad torch records a
    # node (EqBackward0 for a number, EqBackward1 for a tensor) whose gradients are zero
    op = _COMPARISONS[name].forward

    @primitive(f"{name}_", overload, node_name=f"{name.capitalize()}Backward{overload}")
    def into(a, b):
        return op(a, b).astype(a.dtype)

    @into.backward
    def _(ctx, grad):
        return _zeros(grad), (_zeros(grad) if overload else None)

    return into


_COMPARE_INTO = {name: (_compare_into(name, 0), _compare_into(name, 1)) for name in _COMPARISONS}


def compare_(self, name, other):
    """`self.eq_(other)` and friends: the comparison written into `self` as 1 and 0."""
    if isinstance(self, Tensor) and not self.dtype.is_floating_point:
        return inplace(self, _COMPARISONS[name], other)
    return inplace(self, _COMPARE_INTO[name][isinstance(other, Tensor)], other)


def _logical(name, fn):
    prim = primitive(name, promote="binary", differentiable=False)(fn)

    def public(input, other):  # noqa: A002
        _require_tensor(name, "other", 2, other)
        return prim(input, other)

    public.__name__ = public.__qualname__ = name
    public.__doc__ = f"Mirrors `torch.{name}`."
    return public


logical_and = _logical("logical_and", lambda a, b: xp(a).logical_and(a, b))
logical_or = _logical("logical_or", lambda a, b: xp(a).logical_or(a, b))
logical_xor = _logical("logical_xor", lambda a, b: xp(a).logical_xor(a, b))


def _bitwise(name, fn, kernel):
    def forward(a, b):
        if a.dtype.kind == "f":
            raise _not_implemented(kernel, a)
        return fn(a, b)

    return primitive(name, promote="binary", differentiable=False)(forward)


bitwise_and = _bitwise("bitwise_and", lambda a, b: a & b, "bitwise_and_cpu")
bitwise_or = _bitwise("bitwise_or", lambda a, b: a | b, "bitwise_or_cpu")
bitwise_xor = _bitwise("bitwise_xor", lambda a, b: a ^ b, "bitwise_xor_cpu")


def _shift(a, b, left):
    if a.dtype.kind not in "iu":
        raise _not_implemented("lshift_cpu" if left else "rshift_cpu", a)
    m = xp(a)
    bits = a.dtype.itemsize * 8
    # NOTE: shifting by a negative amount or by the width or more gives 0 (or -1 for a negative
    # number shifted right), as torch defines it; C leaves these undefined
    out_of_range = (b < 0) | (b >= bits)
    within = m.where(out_of_range, 0, b).astype(a.dtype, copy=False)
    if left:
        return m.where(out_of_range, 0, m.left_shift(a, within)).astype(a.dtype, copy=False)
    overflow = m.where(a < 0, -1, 0) if a.dtype.kind == "i" else 0
    return m.where(out_of_range, overflow, m.right_shift(a, within)).astype(a.dtype, copy=False)


bitwise_left_shift = primitive("bitwise_left_shift", promote="binary", differentiable=False)(
    lambda a, b: _shift(a, b, True)
)
bitwise_right_shift = primitive("bitwise_right_shift", promote="binary", differentiable=False)(
    lambda a, b: _shift(a, b, False)
)


@primitive("bitwise_not", differentiable=False)
def bitwise_not(x):
    if x.dtype.kind == "f":
        raise _not_implemented("bitwise_not_cpu", x)
    return ~x


@primitive("isclose", differentiable=False)
def _isclose(a, b, *, rtol, atol, equal_nan):
    m = xp(a)
    close = a == b
    if a.dtype.kind != "b" and (rtol or atol):
        if a.dtype.kind != "f":
            a, b = a.astype("float64"), b.astype("float64")
        diff = m.abs(a - b)
        # NOTE: an infinite difference is never close, whatever the tolerance
        close = close | (m.isfinite(diff) & (diff <= atol + rtol * m.abs(b)))
    if equal_nan:
        close = close | (m.isnan(a) & m.isnan(b))
    return close


def isclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):  # noqa: A002
    """Mirrors `torch.isclose`: both tensors of one dtype."""
    _require_tensor("isclose", "input", 1, input)
    _require_tensor("isclose", "other", 2, other)
    if input.dtype is not other.dtype:
        raise RuntimeError(f"{input.dtype._title} did not match {other.dtype._title}")
    for name, tol in (("rtol", rtol), ("atol", atol)):
        if tol < 0:
            raise RuntimeError(f"{name} must be greater than or equal to zero, but got {tol}")
    return _isclose(input, other, rtol=rtol, atol=atol, equal_nan=equal_nan)


def allclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False) -> bool:  # noqa: A002
    """Mirrors `torch.allclose`."""
    close = isclose(input, other, rtol, atol, equal_nan)
    return bool(xp(close._data).all(close._data))


def equal(input, other) -> bool:  # noqa: A002
    """Mirrors `torch.equal`: same shape and values (dtypes may differ; nan is never equal)."""
    _require_tensor("equal", "input", 1, input)
    _require_tensor("equal", "other", 2, other)
    a, b = input._data, other._data
    return a.shape == b.shape and bool(xp(a).all(a == b))


# ---- selection ----------------------------------------------------------------------------------


@primitive("where", shown=(1, 2))
@_shape_checked
def _where(condition, a, b, *, dtype):
    return xp(condition).where(condition, _as(a, dtype), _as(b, dtype))


@_where.backward
def _(ctx, grad):
    # NOTE: the unused branch gets an exact 0, not grad * 0: an inf or nan there stays out
    c = ctx.inputs[0]
    ga = where(c, grad, 0.0) if _needs(ctx, 1) else None
    return None, ga, (where(c, 0.0, grad) if _needs(ctx, 2) else None)


def where(condition, input=None, other=None):  # noqa: A002 - torch's keyword names
    """Mirrors `torch.where(condition, input, other)`, numbers weak as in torch; with the
    condition alone, the indices where it holds (as `nonzero(as_tuple=True)`)."""
    _require_tensor("where", "condition", 1, condition)
    if input is None and other is None:
        return tuple(
            Tensor._make(i.astype(_dtype.int64._np)) for i in xp(condition._data).nonzero(
                condition._data)
        )  # fmt: skip
    kind = condition._data.dtype.kind
    if kind != "b":
        if condition.dtype is not _dtype.uint8:
            raise RuntimeError(
                "where expected condition to be a boolean tensor, but got a tensor with dtype "
                f"{condition.dtype._title}"
            )
        import warnings

        warnings.warn(
            "where received a uint8 condition tensor. This behavior is deprecated and will be "
            "removed in a future version of PyTorch. Use a boolean condition instead.",
            UserWarning,
            stacklevel=2,
        )
        condition = condition.bool()
    return _where(condition, input, other, dtype=_result_dtype(input, other))


# ---- casts and copies ---------------------------------------------------------------------------


@primitive("to_copy")
def to_copy(x, *, dtype):
    return x.astype(dtype._np)


@to_copy.backward
def _(ctx, grad):
    return grad.to(ctx._meta[0][1])


@primitive("clone")
def clone(x, *, order="K"):
    return x.copy(order=order)  # "K" keeps the layout, as torch's clone keeps strides


@clone.backward
def _(ctx, grad):
    return grad


@primitive("zero")
def zero(x):
    return xp(x).zeros_like(x)


@zero.backward
def _(ctx, grad):
    return _zeros(grad)


@primitive("fill", 2, shown=(0,))
def fill(x, value):
    return xp(x).full_like(x, value)


@fill.backward
def _(ctx, grad):
    return _zeros(grad), None


@primitive("copy", node_name="CopyBackwards")
def copy(dst, src):
    return xp(dst).broadcast_to(src, dst.shape).astype(dst.dtype)


@copy.backward
def _(ctx, grad):
    return _zeros(grad), grad


# ---- argument handling for the Tensor methods ---------------------------------------------------


def add_alpha(a, b, alpha=1):
    """Mirrors `torch.add(input, other, alpha=...)`."""
    if alpha == 1 and type(alpha) is int:
        return add(a, b)
    _check_alpha(a, b, alpha)
    return add(a, b, alpha=alpha)


def sub_alpha(a, b, alpha=1):
    """Mirrors `torch.sub(input, other, alpha=...)`."""
    return sub(a, b, alpha=alpha)


def div_mode(a, b, rounding_mode=None):
    """Mirrors `torch.div(input, other, rounding_mode=...)`."""
    if rounding_mode is None:
        return div(a, b)
    if rounding_mode not in ("trunc", "floor"):
        raise RuntimeError(
            "div expected rounding_mode to be one of None, 'trunc', or 'floor' but found "
            f"'{rounding_mode}'"
        )
    return _div_rounded(a, b, rounding_mode=rounding_mode)


def remainder(input, other):  # noqa: A002
    """Mirrors `torch.remainder`: the sign follows the divisor."""
    if not isinstance(input, Tensor):
        _require_tensor("remainder", "other", 2, other)
        return rremainder(other, input)
    return (
        _remainder(input, other) if isinstance(other, Tensor) else _remainder_scalar(input, other)
    )


def pow(input, exponent):  # noqa: A001, A002
    """Mirrors `torch.pow`."""
    if not isinstance(input, Tensor):
        return _rpow(input, exponent)
    if isinstance(exponent, Tensor):
        return _pow(input, exponent)
    if (
        not input.dtype.is_floating_point
        and isinstance(exponent, int)
        and not isinstance(exponent, float)
        and exponent < 0
    ):
        raise RuntimeError("Integers to negative integer powers are not allowed.")
    return _pow_scalar(input, exponent)


# ---- torch's aliases and in-place functions -----------------------------------------------------

arctan2 = atan2
clip = clamp
greater, greater_equal, less, less_equal, not_equal = gt, ge, lt, le, ne


def clamp_(input, min=None, max=None):  # noqa: A001, A002
    """Mirrors `torch.clamp_`."""
    return inplace(input, clamp, min, max)


def clamp_min_(input, min):  # noqa: A001, A002
    """Mirrors `torch.clamp_min_`."""
    return inplace(input, clamp_min, min)


def clamp_max_(input, max):  # noqa: A001, A002
    """Mirrors `torch.clamp_max_`."""
    return inplace(input, clamp_max, max)


def xlogy_(input, other):  # noqa: A002
    """Mirrors `torch.xlogy_`."""
    return inplace(input, xlogy, other)


clip_ = clamp_
