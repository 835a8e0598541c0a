"""RMSprop, plain or centered, with optional momentum."""

from __future__ import annotations

from .._creation import zeros_like
from .._tensor import Tensor
from .optimizer import (
    Optimizer,
    _addcdiv_,
    _addcmul_,
    _check_lr,
    _check_nonnegative,
    _lerp_,
    _reject_variants,
    _scalar,
    _zero_step,
)

__all__ = ["RMSprop"]


class RMSprop(Optimizer):
    """Mirrors `torch.optim.RMSprop` (the single-tensor path)."""

    _group_fallbacks = {"momentum": 0, "centered": False, "foreach": None, "maximize": False,
                        "differentiable": False, "capturable": False}  # fmt: skip

    def __init__(
        self,
        params,
        lr: float | Tensor = 1e-2,
        alpha: float = 0.99,
        eps: float = 1e-8,
        weight_decay: float = 0,
        momentum: float = 0,
        centered: bool = False,
        capturable: bool = False,
        foreach: bool | None = None,
        maximize: bool = False,
        differentiable: bool = False,
    ) -> None:
        _check_lr(lr)
        _check_nonnegative(epsilon=eps, momentum=momentum, weight_decay=weight_decay, alpha=alpha)
        _reject_variants(capturable=capturable, foreach=foreach, differentiable=differentiable)
        defaults = dict(lr=lr, momentum=momentum, alpha=alpha, eps=eps, centered=centered,
                        weight_decay=weight_decay, capturable=capturable, foreach=foreach,
                        maximize=maximize, differentiable=differentiable)  # fmt: skip
        super().__init__(params, defaults)

    def step(self, closure=None):
        """Mirrors `torch.optim.RMSprop.step`."""
        return self._step(closure)

    def _param_step(self, param, grad, group):
        state = self.state[param]
        if len(state) == 0:
            state["step"] = _zero_step()
            state["square_avg"] = zeros_like(param)
            if group["momentum"] > 0:
                state["momentum_buffer"] = zeros_like(param)
            if group["centered"]:
                state["grad_avg"] = zeros_like(param)
        _rmsprop_update(
            param, grad, state["step"], state["square_avg"],
            state["grad_avg"] if group["centered"] else None,
            state["momentum_buffer"] if group["momentum"] > 0 else None,
            lr=_scalar(group["lr"]), alpha=group["alpha"], eps=group["eps"],
            weight_decay=group["weight_decay"], momentum=group["momentum"],
            maximize=group["maximize"],
        )  # fmt: skip


def _rmsprop_update(param, grad, step_t, square_avg, grad_avg, buf, *, lr, alpha, eps,
                    weight_decay, momentum, maximize):  # fmt: skip
    """One RMSprop step on one parameter, in place. `grad_avg` is None unless centered, `buf`
    None without momentum."""
    if maximize:
        grad = -grad
    step_t += 1
    if weight_decay != 0:
        grad = grad.add(param, alpha=weight_decay)
    _addcmul_(square_avg.mul_(alpha), grad, grad, 1 - alpha)
    if grad_avg is not None:
        _lerp_(grad_avg, grad, 1 - alpha)
        avg = (square_avg - grad_avg * grad_avg).sqrt()  # variance estimate
    else:
        avg = square_avg.sqrt()
    avg = avg.add_(eps)
    if buf is not None:
        _addcdiv_(buf.mul_(momentum), grad, avg)
        param.add_(buf, alpha=-lr)
    else:
        _addcdiv_(param, grad, avg, -lr)
