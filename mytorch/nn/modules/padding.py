"""Constant, zero, reflection, replication and circular padding layers (1-d and 2-d)."""

from __future__ import annotations

from .. import functional as F  # noqa: N812
from .module import Module


def _expand(padding, n: int) -> tuple:
    return tuple(padding) if isinstance(padding, (tuple, list)) else (padding,) * (2 * n)


class _PadNd(Module):
    _n = 1
    _mode = "constant"

    def __init__(self, padding):
        super().__init__()
        self.padding = _expand(padding, self._n)

    def forward(self, input):  # noqa: A002
        return F.pad(input, self.padding, self._mode)

    def extra_repr(self) -> str:
        return f"{self.padding}"


class ConstantPad1d(_PadNd):
    """Mirrors `torch.nn.ConstantPad1d`."""

    def __init__(self, padding, value: float):
        super().__init__(padding)
        self.value = value

    def forward(self, input):  # noqa: A002
        return F.pad(input, self.padding, "constant", self.value)

    def extra_repr(self) -> str:
        return f"padding={self.padding}, value={self.value}"


class ConstantPad2d(ConstantPad1d):
    """Mirrors `torch.nn.ConstantPad2d`."""

    _n = 2


class ZeroPad1d(ConstantPad1d):
    """Mirrors `torch.nn.ZeroPad1d`."""

    def __init__(self, padding):
        super().__init__(padding, 0.0)

    def extra_repr(self) -> str:
        return f"{self.padding}"


class ZeroPad2d(ZeroPad1d):
    """Mirrors `torch.nn.ZeroPad2d`."""

    _n = 2


class ReflectionPad1d(_PadNd):
    """Mirrors `torch.nn.ReflectionPad1d`."""

    _mode = "reflect"


class ReflectionPad2d(ReflectionPad1d):
    """Mirrors `torch.nn.ReflectionPad2d`."""

    _n = 2


class ReplicationPad1d(_PadNd):
    """Mirrors `torch.nn.ReplicationPad1d`."""

    _mode = "replicate"


class ReplicationPad2d(ReplicationPad1d):
    """Mirrors `torch.nn.ReplicationPad2d`."""

    _n = 2


class CircularPad1d(_PadNd):
    """Mirrors `torch.nn.CircularPad1d`."""

    _mode = "circular"


class CircularPad2d(CircularPad1d):
    """Mirrors `torch.nn.CircularPad2d`."""

    _n = 2
