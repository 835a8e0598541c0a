"""Elementwise ops of one tensor: exponentials and logarithms, trigonometric and hyperbolic
functions, the error function family, rounding, and the floating-point predicates.

The first unary ops (abs, neg, sign, exp, log, sqrt, sin, cos, tanh, sigmoid, relu, reciprocal)
live in pointwise.py; this module adds their aliases and everything else.
"""

from __future__ import annotations

import math

from .. import _backend, _dtype
from . import inplace, primitive
from .pointwise import abs, exp, neg, pow, where  # noqa: A004

xp = _backend.xp

__all__ = [
    "absolute",
    "acos",
    "acosh",
    "acosh_",
    "arccos",
    "arccosh",
    "arccosh_",
    "arcsin",
    "arcsinh",
    "arcsinh_",
    "arctan",
    "arctanh",
    "arctanh_",
    "asin",
    "asinh",
    "asinh_",
    "atan",
    "atanh",
    "atanh_",
    "ceil",
    "cosh",
    "erf",
    "erfc",
    "erfinv",
    "exp2",
    "expm1",
    "fix",
    "floor",
    "frac",
    "isfinite",
    "isinf",
    "isnan",
    "isneginf",
    "isposinf",
    "isreal",
    "log10",
    "log1p",
    "log2",
    "logical_not",
    "logit",
    "nan_to_num",
    "negative",
    "positive",
    "round",
    "rsqrt",
    "sgn",
    "signbit",
    "sinh",
    "square",
    "tan",
    "trunc",
]

_LN2 = math.log(2.0)
_LN10 = math.log(10.0)
_TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)
_SQRT_PI_OVER_TWO = math.sqrt(math.pi) / 2.0


def _zeros(grad):
    # a constant zero: grad * 0 would turn inf into nan, and torch's result does not require grad
    from .._creation import zeros_like

    return zeros_like(grad)


def _quietly(fn, x):
    with xp(x).errstate(all="ignore"):
        return fn(x)


def _half_as_float(fn, x):
    # torch evaluates float16 formulas in float32 and rounds once at the end; numpy would round
    # every intermediate step to float16
    if x.dtype.itemsize == 2:
        return fn(x.astype("float32")).astype(x.dtype)
    return fn(x)


def _not_implemented(kernel, x):
    return NotImplementedError(
        f"\"{kernel}\" not implemented for '{_dtype._FROM_NP[x.dtype]._title}'"
    )


# ---- exponentials and logarithms ----------------------------------------------------------------


@primitive("exp2", promote="float")
def exp2(x):
    return _quietly(xp(x).exp2, x)


@exp2.backward
def _(ctx, grad):
    # d/dx 2^x = 2^x ln 2
    return grad * ctx.result * _LN2


@primitive("expm1", promote="float")
def expm1(x):
    return _quietly(xp(x).expm1, x)


@expm1.backward
def _(ctx, grad):
    return grad * (ctx.result + 1)


@primitive("log2", promote="float")
def log2(x):
    return _quietly(xp(x).log2, x)


@log2.backward
def _(ctx, grad):
    return grad / (ctx.inputs[0] * _LN2)


@primitive("log10", promote="float")
def log10(x):
    return _quietly(xp(x).log10, x)


@log10.backward
def _(ctx, grad):
    return grad / (ctx.inputs[0] * _LN10)


@primitive("log1p", promote="float", node_name="Log1PBackward0")
def log1p(x):
    return _quietly(xp(x).log1p, x)


@log1p.backward
def _(ctx, grad):
    return grad / (ctx.inputs[0] + 1)


@primitive("rsqrt", promote="float")
def rsqrt(x):
    m = xp(x)
    return _quietly(lambda v: _half_as_float(lambda w: m.reciprocal(m.sqrt(w)), v), x)


@rsqrt.backward
def _(ctx, grad):
    # d/dx x^(-1/2) = -1/2 x^(-3/2), reusing the output
    return -0.5 * grad * ctx.result**3


def square(input):  # noqa: A002 - torch's keyword name
    """Mirrors `torch.square`: `input ** 2`, so bool becomes int64 and the node is PowBackward0."""
    return pow(input, 2)


# ---- trigonometric and hyperbolic -------------------------------------------------------------


@primitive("tan", promote="float")
def tan(x):
    return xp(x).tan(x)


@tan.backward
def _(ctx, grad):
    # d/dx tan x = 1 + tan² x
    return grad * (ctx.result**2 + 1)


@primitive("asin", promote="float")
def asin(x):
    return _quietly(xp(x).arcsin, x)


@asin.backward
def _(ctx, grad):
    x = ctx.inputs[0]
    return grad * rsqrt(1 - x * x)


@primitive("acos", promote="float")
def acos(x):
    return _quietly(xp(x).arccos, x)


@acos.backward
def _(ctx, grad):
    x = ctx.inputs[0]
    return grad * -rsqrt(1 - x * x)


@primitive("atan", promote="float")
def atan(x):
    return xp(x).arctan(x)


@atan.backward
def _(ctx, grad):
    x = ctx.inputs[0]
    return grad / (x * x + 1)


@primitive("sinh", promote="float")
def sinh(x):
    return _quietly(xp(x).sinh, x)


@sinh.backward
def _(ctx, grad):
    return grad * cosh(ctx.inputs[0])


@primitive("cosh", promote="float")
def cosh(x):
    return _quietly(xp(x).cosh, x)


@cosh.backward
def _(ctx, grad):
    return grad * sinh(ctx.inputs[0])


@primitive("asinh", promote="float")
def asinh(x):
    return xp(x).arcsinh(x)


@asinh.backward
def _(ctx, grad):
    x = ctx.inputs[0]
    return grad * rsqrt(x**2 + 1)


@primitive("acosh", promote="float")
def acosh(x):
    return _quietly(xp(x).arccosh, x)


@acosh.backward
def _(ctx, grad):
    x = ctx.inputs[0]
    return grad * rsqrt(x * x - 1)


@primitive("atanh", promote="float")
def atanh(x):
    return _quietly(xp(x).arctanh, x)


@atanh.backward
def _(ctx, grad):
    x = ctx.inputs[0]
    return grad / (1 - x**2)


def _without_inplace_derivative(name, forward):
    """torch records `<name>_` under its own node (overload 1) whose derivative is missing: the
    input it would need is overwritten."""
    op = primitive(name, 1, promote="float")(forward)

    @op.backward
    def _(ctx, grad):
        raise NotImplementedError(
            f"the derivative for 'inplace version of {name}' is not implemented."
        )

    return op


_asinh_inplace = _without_inplace_derivative("asinh", lambda x: xp(x).arcsinh(x))
_acosh_inplace = _without_inplace_derivative("acosh", lambda x: _quietly(xp(x).arccosh, x))
_atanh_inplace = _without_inplace_derivative("atanh", lambda x: _quietly(xp(x).arctanh, x))


def asinh_(input):  # noqa: A002
    """Mirrors `torch.asinh_`: as torch, the recorded node has no derivative."""
    return inplace(input, _asinh_inplace)


def acosh_(input):  # noqa: A002
    """Mirrors `torch.acosh_`: as torch, the recorded node has no derivative."""
    return inplace(input, _acosh_inplace)


def atanh_(input):  # noqa: A002
    """Mirrors `torch.atanh_`: as torch, the recorded node has no derivative."""
    return inplace(input, _atanh_inplace)


@primitive("logit", promote="float")
def _logit(x, *, eps):
    m = xp(x)
    if eps is not None:
        x = m.clip(x, eps, 1 - eps)  # clip keeps nan, as torch's clamp does
    # NOTE: float16 stays float16 at every step here, as in torch's kernel
    return _quietly(lambda v: m.log(v / (1 - v)), x)


@_logit.backward
def _(ctx, grad):
    x = ctx.inputs[0]
    eps = ctx.eps
    lo, hi, outside = (0.0, 1.0, math.nan) if eps is None else (eps, 1.0 - eps, 0.0)
    # NOTE: written as torch writes it (a where over grad / (x (1 - x))), so that the second
    # derivative is nan where x(1 - x) is 0 and 0 elsewhere outside the range, as in torch
    return where((x >= lo) & (x <= hi), grad / (x * (1 - x)), outside)


def logit(input, eps=None):  # noqa: A002
    """Mirrors `torch.logit`: with `eps`, the input is first clamped to [eps, 1 - eps]."""
    if eps is not None and not isinstance(eps, (int, float)):
        raise TypeError(f"logit(): argument 'eps' must be float, not {type(eps).__name__}")
    return _logit(input, eps=None if eps is None else float(eps))


# ---- the error function family ----------------------------------------------------------------
#
# numpy has no erf. erf(x) for |x| < 0.5 is its Maclaurin series. Above that, erfc(x) =
# exp(-x²) erfcx(x), where the scaled function erfcx is smooth and slowly varying: it is a Taylor
# polynomial around the grid point x0 = k/16 at or just above x. Its coefficients follow from
# erfcx' = 2x erfcx - 2/sqrt(pi), which gives (n+1) a[n+1] = 2 x0 a[n] + 2 a[n-1]; the values
# erfcx(x0) come from the standard library's (scalar, accurate to about 1 ulp) math.erfc
# once at import. Expanding downwards from x0 keeps the recurrence stable, since erfcx is the
# decaying solution of that equation. Relative error is below 5e-16 over the whole range.

_GRID = 16  # grid points per unit
_TOP = 27.5  # erfc(x) underflows to 0 beyond about 27.3
_TERMS = 16  # (|x - x0| <= 1/16): the 16th term is far below float64 precision


def _erfcx_at(x0: float) -> float:
    if x0 < 26:
        return math.exp(x0 * x0) * math.erfc(x0)  # x0 * x0 is exact on the grid
    # out where erfc(x0) is subnormal: Laplace's continued fraction, which converges fast here
    t = x0
    for n in range(60, 0, -1):
        t = x0 + (n / 2) / t
    return 1 / (math.sqrt(math.pi) * t)


def _erfcx_taylor_table() -> list:
    columns = []
    for i in range(int(_TOP * _GRID) + 1):
        x0 = i / _GRID
        a = [_erfcx_at(x0)]
        a.append(2 * x0 * a[0] - _TWO_OVER_SQRT_PI)
        for n in range(1, _TERMS - 1):
            a.append((2 * x0 * a[n] + 2 * a[n - 1]) / (n + 1))
        columns.append(a)
    return [list(row) for row in zip(*columns)]  # row n: the n-th coefficient at every x0


_ERFCX_TABLE = _erfcx_taylor_table()
_ERFCX_ARRAYS: dict = {}  # array module -> the table as one array


def _erfc_nonnegative(x):
    """erfc for x >= 0 in float64 (nan comes back as a number: the callers put it back)."""
    m = xp(x)
    table = _ERFCX_ARRAYS.get(m)
    if table is None:
        table = _ERFCX_ARRAYS[m] = m.asarray(_ERFCX_TABLE, dtype=m.float64)
    xc = m.fmin(x, _TOP)
    k = m.ceil(xc * _GRID)
    dx = xc - k / _GRID
    k = k.astype(m.intp)
    s = table[_TERMS - 1][k]
    for n in range(_TERMS - 2, -1, -1):
        s = s * dx + table[n][k]
    return m.where(x > _TOP, 0.0, _exp_minus_square(xc) * s)


def _exp_minus_square(x):
    # exp(-x²) with x² split into an exact head and a small tail: the rounding error of x² alone
    # would cost up to 27² ulp at the top of the range
    m = xp(x)
    head = m.floor(x * 2.0**20) / 2.0**20
    return m.exp(-head * head) * m.exp(-(x - head) * (x + head))


_ERF_SERIES = [(-1) ** n / (math.factorial(n) * (2 * n + 1)) for n in range(14)]


def _erf_small(x):
    """erf for |x| <= 0.5 (and a little beyond): the Maclaurin series, in Horner form."""
    z = x * x
    s = _ERF_SERIES[-1]
    for c in reversed(_ERF_SERIES[:-1]):
        s = s * z + c
    return _TWO_OVER_SQRT_PI * x * s


def _in_float64(fn, x):
    m = xp(x)
    out = fn(m.asarray(x, dtype=m.float64).reshape(-1))
    return out.reshape(x.shape).astype(x.dtype, copy=False)


def _erf_forward(x):
    m = xp(x)
    a = m.abs(x)
    small = a < 0.5
    big = m.copysign(1 - _erfc_nonnegative(m.where(small, 1.0, a)), x)
    out = m.where(small, _erf_small(m.where(small, x, 0.0)), big)
    return m.where(m.isnan(x), x, out)


def _erfc_forward(x):
    m = xp(x)
    a = m.abs(x)
    small = a < 0.5
    big = _erfc_nonnegative(m.where(small, 1.0, a))
    out = m.where(small, 1 - _erf_small(m.where(small, x, 0.0)), m.where(x < 0, 2 - big, big))
    return m.where(m.isnan(x), x, out)


def _erfinv_forward(y):
    m = xp(y)
    with m.errstate(all="ignore"):
        a = m.abs(y)
        # Winitzki's closed form (constant 0.147) is the starting point, good to about 2e-3
        w = m.log((1 - a) * (1 + a))
        t = 2 / (math.pi * 0.147) + w / 2
        x = m.sqrt(m.sqrt(t * t - w / 0.147) - t)
        # Halley's method on erf(x) = a; in the tail the residual goes through erfc, where 1 - a
        # is exact, so that x keeps its relative precision as a approaches 1
        tail = (a > 0.5) & (a < 1)
        x[tail] = _halley(x[tail], 1 - a[tail], lambda x, b: b - _erfc_nonnegative(x))
        body = a <= 0.5
        x[body] = _halley(x[body], a[body], lambda x, b: _erf_small(x) - b)
        out = m.where(a < 1, x, m.where(a == 1, m.inf, m.nan))
    return m.copysign(out, y)


def _halley(x, b, residual):
    # for f = erf - b: f'' / f' = -2x, so Halley's step is d / (1 + x d) with d = f / f'
    for _ in range(3):
        d = residual(x, b) * _SQRT_PI_OVER_TWO * xp(x).exp(x * x)
        x = x - d / (1 + x * d)
    return x


@primitive("erf", promote="float")
def erf(x):
    return _in_float64(_erf_forward, x)


@erf.backward
def _(ctx, grad):
    # d/dx erf x = 2/sqrt(pi) exp(-x²)
    return _TWO_OVER_SQRT_PI * exp(-(ctx.inputs[0] ** 2)) * grad


@primitive("erfc", promote="float")
def erfc(x):
    return _in_float64(_erfc_forward, x)


@erfc.backward
def _(ctx, grad):
    return -_TWO_OVER_SQRT_PI * exp(-(ctx.inputs[0] ** 2)) * grad


@primitive("erfinv", promote="float")
def erfinv(x):
    return _in_float64(_erfinv_forward, x)


@erfinv.backward
def _(ctx, grad):
    # the inverse function's derivative: 1 / erf'(erfinv x) = sqrt(pi)/2 exp(erfinv(x)²); erfinv
    # is taken again from the input rather than the saved output, as torch does, so that changing
    # the output in place does not invalidate this node
    return _SQRT_PI_OVER_TWO * exp(erfinv(ctx.inputs[0]) ** 2) * grad


# ---- rounding -----------------------------------------------------------------------------------


def _rounding(name, fn):
    """floor, ceil, round and trunc: integers come back unchanged (a copy), bool is refused."""

    def forward(x):
        if x.dtype.kind == "b":
            raise _not_implemented(f"{name}_vml_cpu", x)
        if x.dtype.kind != "f":
            return x.copy()
        return fn(xp(x), x)

    forward.__name__ = name
    op = primitive(name)(forward)

    @op.backward
    def _(ctx, grad):
        # NOTE: piecewise constant, so the gradient is zero everywhere (torch's convention)
        return _zeros(grad)

    return op


floor = _rounding("floor", lambda m, x: m.floor(x))
ceil = _rounding("ceil", lambda m, x: m.ceil(x))
_round = _rounding("round", lambda m, x: m.rint(x))  # rint: ties to even, as torch
trunc = _rounding("trunc", lambda m, x: m.trunc(x))


@primitive("round", 1)
def _round_decimals(x, *, decimals):
    if x.dtype.kind != "f":
        raise _not_implemented("round_cpu", x)
    return _half_as_float(lambda v: _round_scaled(v, decimals), x)


def _round_scaled(x, decimals):
    m = xp(x)
    # NOTE: the power of ten is taken in the input's dtype, so it overflows as in torch (float32
    # with decimals=50 gives nan)
    with m.errstate(all="ignore"):
        if decimals > 0:
            scale = x.dtype.type(10.0**decimals)
            return m.rint(x * scale) / scale
        scale = x.dtype.type(10.0**-decimals)
        return m.rint(x / scale) * scale


@_round_decimals.backward
def _(ctx, grad):
    return _zeros(grad)


def round(input, *, decimals=None):  # noqa: A001, A002
    """Mirrors `torch.round`. Giving `decimals` (even 0) records RoundBackward1, as torch does."""
    if decimals is None:
        return _round(input)
    if isinstance(decimals, bool) or not isinstance(decimals, int):
        raise TypeError(
            "round() received an invalid combination of arguments - got (Tensor, decimals="
            f"{type(decimals).__name__}), but expected one of: (Tensor input, *, int decimals)"
        )
    return _round_decimals(input, decimals=decimals)


@primitive("frac")
def frac(x):
    if x.dtype.kind != "f":
        raise _not_implemented("frac_cpu", x)
    return x - xp(x).trunc(x)


@frac.backward
def _(ctx, grad):
    return grad


# ---- signs, finiteness and predicates -----------------------------------------------------------


@primitive("sgn")
def sgn(x):
    if x.dtype.kind == "b":
        return x.copy()
    # NOTE: torch's sign of nan is 0 and of -0.0 is +0.0, where numpy's sign keeps both
    return (x > 0).astype(x.dtype) - (x < 0).astype(x.dtype)


@sgn.backward
def _(ctx, grad):
    return _zeros(grad)


@primitive("nan_to_num")
def _nan_to_num(x, *, nan, posinf, neginf):
    if x.dtype.kind != "f":
        return x.copy()
    m = xp(x)
    info = m.finfo(x.dtype)
    with m.errstate(all="ignore"):  # a replacement beyond the dtype's range becomes inf
        out = m.where(m.isnan(x), x.dtype.type(nan), x)
        out = m.where(out == m.inf, x.dtype.type(info.max if posinf is None else posinf), out)
        return m.where(out == -m.inf, x.dtype.type(info.min if neginf is None else neginf), out)


@_nan_to_num.backward
def _(ctx, grad):
    return grad * isfinite(ctx.inputs[0])


def nan_to_num(input, nan=0.0, posinf=None, neginf=None):  # noqa: A002
    """Mirrors `torch.nan_to_num`."""
    for name, value in (("nan", nan), ("posinf", posinf), ("neginf", neginf)):
        if value is not None and not isinstance(value, (int, float)):
            raise TypeError(
                f"nan_to_num(): argument '{name}' must be float, not {type(value).__name__}"
            )
    return _nan_to_num(input, nan=0.0 if nan is None else nan, posinf=posinf, neginf=neginf)


def _predicate(name, fn):
    forward = lambda x: fn(xp(x), x)  # noqa: E731
    forward.__name__ = name
    return primitive(name, differentiable=False)(forward)


isnan = _predicate("isnan", lambda m, x: m.isnan(x))
isinf = _predicate("isinf", lambda m, x: m.isinf(x))
isposinf = _predicate("isposinf", lambda m, x: m.isposinf(x))
isneginf = _predicate("isneginf", lambda m, x: m.isneginf(x))
isfinite = _predicate("isfinite", lambda m, x: m.isfinite(x))
isreal = _predicate("isreal", lambda m, x: m.ones(x.shape, dtype=bool))  # no complex dtypes yet
signbit = _predicate("signbit", lambda m, x: m.signbit(x))
logical_not = _predicate("logical_not", lambda m, x: m.logical_not(x))


def positive(input):  # noqa: A002
    """Mirrors `torch.positive`: the input itself."""
    if input.dtype is _dtype.bool:
        raise RuntimeError("The `+` operator, on a bool tensor is not supported.")
    return input


# ---- torch's aliases ----------------------------------------------------------------------------

absolute = abs
negative = neg
arcsin, arccos, arctan = asin, acos, atan
arcsinh, arccosh, arctanh = asinh, acosh, atanh
arcsinh_, arccosh_, arctanh_ = asinh_, acosh_, atanh_
fix = trunc
