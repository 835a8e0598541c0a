"""Activation modules (more arrive with their functional counterparts)."""

from __future__ import annotations

from .. import functional as F
from .module import Module


class ReLU(Module):
    """Mirrors `torch.nn.ReLU`."""

    def __init__(self, inplace: bool = False):
        super().__init__()
        self.inplace = inplace

    def forward(self, input):  # noqa: A002
        return F.relu(input, inplace=self.inplace)

    def extra_repr(self) -> str:
        return "inplace=True" if self.inplace else ""


class Sigmoid(Module):
    """Mirrors `torch.nn.Sigmoid`."""

    def forward(self, input):  # noqa: A002
        return F.sigmoid(input)


class Tanh(Module):
    """Mirrors `torch.nn.Tanh`."""

    def forward(self, input):  # noqa: A002
        return F.tanh(input)


class Softmax(Module):
    """Mirrors `torch.nn.Softmax`."""

    def __init__(self, dim=None):
        super().__init__()
        self.dim = dim

    def forward(self, input):  # noqa: A002
        return F.softmax(input, self.dim, _stacklevel=5)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class LogSoftmax(Softmax):
    """Mirrors `torch.nn.LogSoftmax`."""

    def forward(self, input):  # noqa: A002
        return F.log_softmax(input, self.dim, _stacklevel=5)
