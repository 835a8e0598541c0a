"""SGD with momentum, dampening, Nesterov momentum, weight decay and maximize."""

from __future__ import annotations

from .._tensor import Tensor
from .optimizer import Optimizer, _check_lr, _reject_variants, _scalar, _written

__all__ = ["SGD"]


class SGD(Optimizer):
    """Mirrors `torch.optim.SGD` (the single-tensor path)."""

    _group_fallbacks = {"nesterov": False, "maximize": False, "foreach": None,
                        "differentiable": False, "fused": False}  # fmt: skip

    def __init__(
        self,
        params,
        lr: float | Tensor = 1e-3,
        momentum: float = 0,
        dampening: float = 0,
        weight_decay: float = 0,
        nesterov: bool = False,
        *,
        maximize: bool = False,
        foreach: bool | None = None,
        differentiable: bool = False,
        fused: bool | None = None,
    ) -> None:
        _check_lr(lr)
        if momentum < 0.0:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if weight_decay < 0.0:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        defaults = dict(lr=lr, momentum=momentum, dampening=dampening, weight_decay=weight_decay,
                        nesterov=nesterov, maximize=maximize, foreach=foreach,
                        differentiable=differentiable, fused=fused)  # fmt: skip
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        _reject_variants(foreach=foreach, differentiable=differentiable, fused=fused)
        super().__init__(params, defaults)

    def step(self, closure=None):
        """Mirrors `torch.optim.SGD.step`."""
        return self._step(closure)

    def _param_step(self, param, grad, group):
        momentum = group["momentum"]
        state = self.state[param] if momentum != 0 else {}
        buf = _sgd_update(
            param, grad, state.get("momentum_buffer"), lr=_scalar(group["lr"]),
            momentum=momentum, dampening=group["dampening"],
            weight_decay=group["weight_decay"], nesterov=group["nesterov"],
            maximize=group["maximize"],
        )  # fmt: skip
        if momentum != 0:
            state["momentum_buffer"] = buf


def _sgd_update(param, grad, buf, *, lr, momentum, dampening, weight_decay, nesterov, maximize):
    """One SGD step on one parameter, in place on its array in torch's arithmetic order. Returns
    the momentum buffer (None without momentum); on the first step it starts as a copy of the
    gradient."""
    p, g = _written(param)[0], grad._data
    if maximize:
        g = -g
    if weight_decay != 0:
        g = g + weight_decay * p
    if momentum != 0:
        if buf is None:
            buf = Tensor._make(g.copy())
        else:
            b = _written(buf, times=2)[0]  # torch's mul_ and add_
            b *= momentum
            b += g if dampening == 0 else (1 - dampening) * g
        g = g + momentum * buf._data if nesterov else buf._data
    p -= lr * g
    return buf
