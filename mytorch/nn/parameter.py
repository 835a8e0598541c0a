"""Parameter: a Tensor that a Module registers as one of its parameters."""

from __future__ import annotations

from .._tensor import Tensor


class Parameter(Tensor):
    """Mirrors `torch.nn.Parameter`: shares memory with `data`, requires grad by default."""

    def __new__(cls, data: Tensor | None = None, requires_grad: bool = True) -> Parameter:
        if data is None:
            from .._creation import empty

            data = empty(0)
        if not isinstance(data, Tensor):
            raise TypeError(
                f"Parameter.__new__ expects a Tensor as data, got {type(data).__name__}"
            )
        param = cls._make(data._data, False, None, data._vc)
        if requires_grad:
            param.requires_grad_(True)
        return param

    def __init__(self, data: Tensor | None = None, requires_grad: bool = True) -> None:
        pass  # everything happens in __new__

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()

    __str__ = __repr__

    def __reduce_ex__(self, protocol):
        return (Parameter, (Tensor._make(self._data.copy()), self.requires_grad))

    def __deepcopy__(self, memo):
        if id(self) in memo:
            return memo[id(self)]
        out = Parameter(Tensor._make(self._data.copy()), self.requires_grad)
        memo[id(self)] = out
        return out


class Buffer(Tensor):
    """Mirrors `torch.nn.Buffer`: marks a tensor to be registered as a buffer on assignment."""

    persistent: bool

    def __new__(cls, data: Tensor, *, persistent: bool = True) -> Buffer:
        buf = cls._make(data._data, data.requires_grad, None, data._vc)
        buf.persistent = persistent
        return buf

    def __init__(self, data: Tensor, *, persistent: bool = True) -> None:
        pass
