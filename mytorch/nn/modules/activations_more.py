"""More activations: the functional forms (composites of mytorch ops) and their modules.

The functions are re-exported by `mytorch.nn.functional`; they live here, beside their modules,
so that the shared functional module only needs one import line for the whole family.
"""

from __future__ import annotations

import math

from ... import _ops
from ..._ops.nn import softmax
from ..parameter import Parameter
from .module import Module

__all__ = [
    "CELU", "ELU", "GELU", "Hardsigmoid", "Hardswish", "Hardtanh", "LeakyReLU", "LogSigmoid",
    "Mish", "PReLU", "ReLU6", "SELU", "SiLU", "Softmax2d", "Softmin", "Softplus", "Softsign",
    "Tanhshrink", "Threshold",
    "celu", "elu", "gelu", "hardsigmoid", "hardswish", "hardtanh", "leaky_relu", "logsigmoid",
    "mish", "prelu", "relu6", "selu", "silu", "softmin", "softplus", "softsign", "tanhshrink",
    "threshold",
]  # fmt: skip

_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


def _maybe_inplace(input, inplace, fn):  # noqa: A002
    return _ops.inplace(input, fn) if inplace else fn(input)


def _softplus_unit(x):
    """log(1 + exp(x)) without overflow: each branch of the where only sees safe arguments, so
    no inf reaches a backward through the branch that is not taken."""
    pos = x > 0
    xp = _ops.where(pos, x, 0.0)
    xn = _ops.where(pos, 0.0, x)
    return _ops.where(pos, xp + _ops.log1p(_ops.exp(-xp)), _ops.log1p(_ops.exp(xn)))


# ---- functional ---------------------------------------------------------------------------------


def leaky_relu(input, negative_slope: float = 0.01, inplace: bool = False):  # noqa: A002
    """Mirrors `torch.nn.functional.leaky_relu`."""
    # NOTE: the gradient at 0 is negative_slope, as in torch
    return _maybe_inplace(input, inplace, lambda x: _ops.where(x > 0, x, x * negative_slope))


def _elu(x, alpha, scale, input_scale):
    # the exp branch only sees x <= 0, so a large x cannot overflow into its (unused) gradient
    neg = _ops.where(x > 0, 0.0, x) * input_scale
    out = _ops.where(x > 0, x, _ops.expm1(neg) * alpha)
    return out if scale == 1 else out * scale


def elu(input, alpha: float = 1.0, inplace: bool = False):  # noqa: A002
    """Mirrors `torch.nn.functional.elu`."""
    return _maybe_inplace(input, inplace, lambda x: _elu(x, alpha, 1, 1))


def selu(input, inplace: bool = False):  # noqa: A002
    """Mirrors `torch.nn.functional.selu`."""
    return _maybe_inplace(input, inplace, lambda x: _elu(x, _SELU_ALPHA, _SELU_SCALE, 1))


def celu(input, alpha: float = 1.0, inplace: bool = False):  # noqa: A002
    """Mirrors `torch.nn.functional.celu`."""
    if alpha == 0:
        raise RuntimeError("ZeroDivisionError")
    return _maybe_inplace(input, inplace, lambda x: _elu(x, alpha, 1, 1.0 / alpha))


def gelu(input, approximate: str = "none"):  # noqa: A002
    """Mirrors `torch.nn.functional.gelu`: the exact erf form, or approximate='tanh'."""
    x = input
    if approximate == "none":
        return x * 0.5 * (1 + _ops.erf(x * (1 / math.sqrt(2))))
    if approximate == "tanh":
        inner = (x + x * x * x * 0.044715) * math.sqrt(2 / math.pi)
        return x * 0.5 * (1 + _ops.tanh(inner))
    raise RuntimeError("approximate argument must be either none or tanh.")


def silu(input, inplace: bool = False):  # noqa: A002
    """Mirrors `torch.nn.functional.silu`: x * sigmoid(x)."""
    return _maybe_inplace(input, inplace, lambda x: x * _ops.sigmoid(x))


def softplus(input, beta: float = 1.0, threshold: float = 20.0):  # noqa: A002
    """Mirrors `torch.nn.functional.softplus`: log(1 + exp(beta x)) / beta, linear above
    `threshold`."""
    bx = input * beta
    over = bx > threshold
    # the log1p(exp()) branch never sees the values above the threshold, so it cannot overflow
    soft = _ops.log1p(_ops.exp(_ops.where(over, 0.0, bx)))
    return _ops.where(over, input, soft if beta == 1 else soft / beta)


def mish(input, inplace: bool = False):  # noqa: A002
    """Mirrors `torch.nn.functional.mish`: x * tanh(softplus(x))."""
    return _maybe_inplace(input, inplace, lambda x: x * _ops.tanh(_softplus_unit(x)))


def softsign(input):  # noqa: A002
    """Mirrors `torch.nn.functional.softsign`: x / (1 + |x|)."""
    return input / (_ops.abs(input) + 1)


def hardtanh(input, min_val: float = -1.0, max_val: float = 1.0, inplace: bool = False):  # noqa: A002
    """Mirrors `torch.nn.functional.hardtanh`."""
    if min_val > max_val:
        raise ValueError("min_val cannot be greater than max_val")

    # NOTE: the gradient is 0 at both bounds (torch's hardtanh), unlike clamp's 1
    def fn(x):
        return _ops.where(x <= min_val, min_val, _ops.where(x >= max_val, max_val, x))

    return _maybe_inplace(input, inplace, fn)


def relu6(input, inplace: bool = False):  # noqa: A002
    """Mirrors `torch.nn.functional.relu6`."""
    return hardtanh(input, 0.0, 6.0, inplace)


def hardsigmoid(input, inplace: bool = False):  # noqa: A002
    """Mirrors `torch.nn.functional.hardsigmoid`: relu6(x + 3) / 6, gradient 0 at +-3."""

    def fn(x):
        return _ops.where(x <= -3, 0.0, _ops.where(x >= 3, 1.0, x / 6 + 0.5))

    return _maybe_inplace(input, inplace, fn)


def hardswish(input, inplace: bool = False):  # noqa: A002
    """Mirrors `torch.nn.functional.hardswish`: x * relu6(x + 3) / 6."""

    # NOTE: the outer pieces own both ends, so the gradient is 0 at -3 and 1 at 3, as in torch
    def fn(x):
        return _ops.where(x <= -3, 0.0, _ops.where(x < 3, x * (x + 3) / 6, x))

    return _maybe_inplace(input, inplace, fn)


def logsigmoid(input):  # noqa: A002
    """Mirrors `torch.nn.functional.logsigmoid`, stable for large |x|."""
    return -_softplus_unit(-input)


def softmin(input, dim=None, _stacklevel: int = 3, dtype=None):  # noqa: A002
    """Mirrors `torch.nn.functional.softmin`: softmax(-x)."""
    x = input if dtype is None else input.to(dtype)
    return softmax(-x, dim, _stacklevel + 1)


def tanhshrink(input):  # noqa: A002
    """Mirrors `torch.nn.functional.tanhshrink`: x - tanh(x)."""
    return input - _ops.tanh(input)


def threshold(input, threshold: float, value: float, inplace: bool = False):  # noqa: A002
    """Mirrors `torch.nn.functional.threshold`: x where x > threshold, else value."""
    return _maybe_inplace(input, inplace, lambda x: _ops.where(x > threshold, x, value))


def prelu(input, weight):  # noqa: A002
    """Mirrors `torch.nn.functional.prelu`: the weight runs along dim 1 (or is one number)."""
    n = weight.numel()
    if weight.ndim > 1:
        raise RuntimeError("prelu: Expected `weight` to be a scalar or 1D tensor, but got: ndim = "
                           f"{weight.ndim}")  # fmt: skip
    if n != 1:
        # NOTE: as in torch, a 1-d input has one channel, so only a one-number weight fits it
        channels = input.shape[1] if input.ndim >= 2 else 1
        if channels != n:
            raise RuntimeError(
                "Mismatch of parameter numbers and input channel size. Found parameter numbers = "
                f"{n} and channel size = {channels}."
            )
        shape = [1] * input.ndim
        shape[1] = n
        weight = weight.reshape(shape)
    elif weight.ndim == 1 and input.ndim == 0:
        weight = weight.reshape(())
    # NOTE: the gradient at 0 goes to the negative side (weight), as in torch
    return _ops.where(input > 0, input, input * weight)


# ---- modules ------------------------------------------------------------------------------------


class _Inplace(Module):
    def __init__(self, inplace: bool = False):
        super().__init__()
        self.inplace = inplace

    def extra_repr(self) -> str:
        return "inplace=True" if self.inplace else ""


class LeakyReLU(Module):
    """Mirrors `torch.nn.LeakyReLU`."""

    def __init__(self, negative_slope: float = 0.01, inplace: bool = False):
        super().__init__()
        self.negative_slope = negative_slope
        self.inplace = inplace

    def forward(self, input):  # noqa: A002
        return leaky_relu(input, self.negative_slope, self.inplace)

    def extra_repr(self) -> str:
        return f"negative_slope={self.negative_slope}" + (", inplace=True" if self.inplace else "")


class Hardtanh(Module):
    """Mirrors `torch.nn.Hardtanh`."""

    def __init__(self, min_val: float = -1.0, max_val: float = 1.0, inplace: bool = False,
                 min_value: float | None = None, max_value: float | None = None):  # fmt: skip
        super().__init__()
        if min_value is not None or max_value is not None:
            import warnings

            warnings.warn("keyword argument `min_value`/`max_value` is deprecated and will be "
                          "removed in future releases, please use `min_val`/`max_val` instead.",
                          FutureWarning, stacklevel=2)  # fmt: skip
        self.min_val = min_val if min_value is None else min_value
        self.max_val = max_val if max_value is None else max_value
        self.inplace = inplace
        if self.max_val <= self.min_val:
            raise AssertionError

    def forward(self, input):  # noqa: A002
        return hardtanh(input, self.min_val, self.max_val, self.inplace)

    def extra_repr(self) -> str:
        s = f"min_val={self.min_val}, max_val={self.max_val}"
        return s + (", inplace=True" if self.inplace else "")


class ReLU6(Hardtanh):
    """Mirrors `torch.nn.ReLU6`."""

    def __init__(self, inplace: bool = False):
        super().__init__(0.0, 6.0, inplace)

    def extra_repr(self) -> str:
        return "inplace=True" if self.inplace else ""


class ELU(Module):
    """Mirrors `torch.nn.ELU`."""

    _fn = staticmethod(elu)

    def __init__(self, alpha: float = 1.0, inplace: bool = False):
        super().__init__()
        self.alpha = alpha
        self.inplace = inplace

    def forward(self, input):  # noqa: A002
        return self._fn(input, self.alpha, self.inplace)

    def extra_repr(self) -> str:
        return f"alpha={self.alpha}" + (", inplace=True" if self.inplace else "")


class CELU(ELU):
    """Mirrors `torch.nn.CELU`."""

    _fn = staticmethod(celu)


class SELU(_Inplace):
    """Mirrors `torch.nn.SELU`."""

    def forward(self, input):  # noqa: A002
        return selu(input, self.inplace)


class SiLU(_Inplace):
    """Mirrors `torch.nn.SiLU`."""

    def forward(self, input):  # noqa: A002
        return silu(input, self.inplace)


class Mish(_Inplace):
    """Mirrors `torch.nn.Mish`."""

    def forward(self, input):  # noqa: A002
        return mish(input, self.inplace)


class Hardsigmoid(_Inplace):
    """Mirrors `torch.nn.Hardsigmoid` (torch's repr leaves `inplace` out)."""

    def forward(self, input):  # noqa: A002
        return hardsigmoid(input, self.inplace)

    def extra_repr(self) -> str:
        return ""


class Hardswish(Hardsigmoid):
    """Mirrors `torch.nn.Hardswish` (torch's repr leaves `inplace` out)."""

    def forward(self, input):  # noqa: A002
        return hardswish(input, self.inplace)


class GELU(Module):
    """Mirrors `torch.nn.GELU`."""

    def __init__(self, approximate: str = "none"):
        super().__init__()
        self.approximate = approximate

    def forward(self, input):  # noqa: A002
        return gelu(input, approximate=self.approximate)

    def extra_repr(self) -> str:
        return f"approximate={self.approximate!r}"


class Softplus(Module):
    """Mirrors `torch.nn.Softplus`."""

    def __init__(self, beta: float = 1.0, threshold: float = 20.0):
        super().__init__()
        self.beta = beta
        self.threshold = threshold

    def forward(self, input):  # noqa: A002
        return softplus(input, self.beta, self.threshold)

    def extra_repr(self) -> str:
        return f"beta={self.beta}, threshold={self.threshold}"


class Softsign(Module):
    """Mirrors `torch.nn.Softsign`."""

    def forward(self, input):  # noqa: A002
        return softsign(input)


class LogSigmoid(Module):
    """Mirrors `torch.nn.LogSigmoid`."""

    def forward(self, input):  # noqa: A002
        return logsigmoid(input)


class Tanhshrink(Module):
    """Mirrors `torch.nn.Tanhshrink`."""

    def forward(self, input):  # noqa: A002
        return tanhshrink(input)


class Softmin(Module):
    """Mirrors `torch.nn.Softmin`."""

    def __init__(self, dim=None):
        super().__init__()
        self.dim = dim

    def forward(self, input):  # noqa: A002
        return softmin(input, self.dim, _stacklevel=5)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class Softmax2d(Module):
    """Mirrors `torch.nn.Softmax2d`: softmax over the channel dim of (C, H, W) or (N, C, H, W)."""

    def forward(self, input):  # noqa: A002
        if input.ndim not in (3, 4):
            raise ValueError(f"Softmax2d: expected input to be 3D or 4D, got {input.ndim}D instead")
        return softmax(input, -3, _stacklevel=5)


class Threshold(Module):
    """Mirrors `torch.nn.Threshold`."""

    def __init__(self, threshold: float, value: float, inplace: bool = False):
        super().__init__()
        self.threshold = threshold
        self.value = value
        self.inplace = inplace

    def forward(self, input):  # noqa: A002
        return threshold(input, self.threshold, self.value, self.inplace)

    def extra_repr(self) -> str:
        s = f"threshold={self.threshold}, value={self.value}"
        return s + (", inplace=True" if self.inplace else "")


class PReLU(Module):
    """Mirrors `torch.nn.PReLU`."""

    def __init__(self, num_parameters: int = 1, init: float = 0.25, device=None, dtype=None):
        super().__init__()
        from ... import _creation

        self.num_parameters = num_parameters
        self.init = init
        self.weight = Parameter(_creation.full((num_parameters,), init, device=device,
                                               dtype=dtype))  # fmt: skip

    def reset_parameters(self):
        from ... import no_grad

        with no_grad():
            self.weight.fill_(self.init)

    def forward(self, input):  # noqa: A002
        return prelu(input, self.weight)

    def extra_repr(self) -> str:
        return f"num_parameters={self.num_parameters}"
