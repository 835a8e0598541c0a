"""Elementwise ops: arithmetic, unary math, comparisons, casts and the in-place writers."""

from __future__ import annotations

import math

from .. import _backend, _dtype
from . import primitive

xp = _backend.xp


__all__ = [
    "abs",
    "add",
    "add_alpha",
    "bitwise_and",
    "bitwise_not",
    "bitwise_or",
    "bitwise_xor",
    "clone",
    "copy",
    "cos",
    "div",
    "div_mode",
    "eq",
    "exp",
    "fill",
    "floor_divide",
    "ge",
    "gt",
    "le",
    "log",
    "logical_and",
    "logical_or",
    "lt",
    "mul",
    "ne",
    "neg",
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
    "zero",
]


def _needs(ctx, i):
    return ctx.needs_input_grad[i]


def _zeros(grad):
    # a constant zero (grad * 0 would turn inf into nan)
    from .._creation import zeros_like

    return zeros_like(grad)


# ---- arithmetic ---------------------------------------------------------------------------------


@primitive("add", promote="binary")
def add(a, b, *, alpha=1):
    return a + b if alpha == 1 else a + alpha * b


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


def sub(a, b, *, alpha=1):
    """Mirrors `torch.sub`: `a - alpha * b`."""
    _no_bool_subtraction(a, b)
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
    gb = -grad * a / (b * b) if _needs(ctx, 1) else None
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
    return xp(x).sign(x)


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
    return grad * (ctx.result > 0)


# ---- comparisons and selection ------------------------------------------------------------------


def _compare(name, fn):
    return primitive(name, promote="binary", differentiable=False)(fn)


eq = _compare("eq", lambda a, b: a == b)
ne = _compare("ne", lambda a, b: a != b)
lt = _compare("lt", lambda a, b: a < b)
le = _compare("le", lambda a, b: a <= b)
gt = _compare("gt", lambda a, b: a > b)
ge = _compare("ge", lambda a, b: a >= b)
logical_and = _compare("logical_and", lambda a, b: xp(a).logical_and(a, b))
logical_or = _compare("logical_or", lambda a, b: xp(a).logical_or(a, b))
bitwise_and = _compare("bitwise_and", lambda a, b: a & b)
bitwise_or = _compare("bitwise_or", lambda a, b: a | b)
bitwise_xor = _compare("bitwise_xor", lambda a, b: a ^ b)


@primitive("bitwise_not", differentiable=False)
def bitwise_not(x):
    return ~x


@primitive("where", shown=(1, 2))
def _where(condition, a, b):
    return xp(a).where(condition, a, b)


@_where.backward
def _(ctx, grad):
    c = ctx.inputs[0]
    return None, where(c, grad, 0.0), where(c, 0.0, grad)


def where(condition, input, other):  # noqa: A002 - torch's keyword names
    """Mirrors `torch.where(condition, input, other)`; numbers are weak as in torch."""
    from .._dtype import result_type_of
    from .._tensor import Tensor

    dt = result_type_of((input, other))
    a = input.to(dt) if isinstance(input, Tensor) else Tensor._make(_backend.asarray(input, dt._np))
    b = other.to(dt) if isinstance(other, Tensor) else Tensor._make(_backend.asarray(other, dt._np))
    return _where(condition, a, b)


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
    return add(a, b) if alpha == 1 else add(a, b, alpha=alpha)


def sub_alpha(a, b, alpha=1):
    """Mirrors `torch.sub(input, other, alpha=...)`."""
    return sub(a, b, alpha=alpha)


def div_mode(a, b, rounding_mode=None):
    """Mirrors `torch.div(input, other, rounding_mode=...)`."""
    if rounding_mode is None:
        return div(a, b)
    if rounding_mode not in ("trunc", "floor"):
        raise ValueError(
            "div expected rounding_mode to be one of None, 'trunc', or 'floor' but found "
            f"'{rounding_mode}'"
        )
    return _div_rounded(a, b, rounding_mode=rounding_mode)


def remainder(a, b):
    """Mirrors `torch.remainder`: the sign follows the divisor."""
    from .._tensor import Tensor

    return _remainder(a, b) if isinstance(b, Tensor) else _remainder_scalar(a, b)


def pow(input, exponent):  # noqa: A001, A002
    """Mirrors `torch.pow`."""
    from .._tensor import Tensor

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
