"""Adadelta."""

from __future__ import annotations

from .._creation import zeros_like
from .._tensor import Tensor
from .optimizer import (
    Optimizer,
    _addcmul_,
    _check_lr,
    _check_nonnegative,
    _reject_variants,
    _scalar,
    _zero_step,
)

__all__ = ["Adadelta"]


class Adadelta(Optimizer):
    """Mirrors `torch.optim.Adadelta` (the single-tensor path)."""

    _group_fallbacks = {"foreach": None, "maximize": False, "differentiable": False,
                        "capturable": False}  # fmt: skip

    def __init__(
        self,
        params,
        lr: float | Tensor = 1.0,
        rho: float = 0.9,
        eps: float = 1e-6,
        weight_decay: float = 0,
        foreach: bool | None = None,
        *,
        capturable: bool = False,
        maximize: bool = False,
        differentiable: bool = False,
    ) -> None:
        _check_lr(lr)
        if not 0.0 <= rho <= 1.0:
            raise ValueError(f"Invalid rho value: {rho}")
        _check_nonnegative(epsilon=eps, weight_decay=weight_decay)
        _reject_variants(foreach=foreach, capturable=capturable, differentiable=differentiable)
        defaults = dict(lr=lr, rho=rho, eps=eps, weight_decay=weight_decay, maximize=maximize,
                        capturable=capturable, foreach=foreach,
                        differentiable=differentiable)  # fmt: skip
        super().__init__(params, defaults)

    def step(self, closure=None):
        """Mirrors `torch.optim.Adadelta.step`."""
        return self._step(closure)

    def _param_step(self, param, grad, group):
        state = self.state[param]
        if len(state) == 0:
            state["step"] = _zero_step()
            state["square_avg"] = zeros_like(param)
            state["acc_delta"] = zeros_like(param)
        _adadelta_update(
            param, grad, state["step"], state["square_avg"], state["acc_delta"],
            lr=_scalar(group["lr"]), rho=group["rho"], eps=group["eps"],
            weight_decay=group["weight_decay"], maximize=group["maximize"],
        )  # fmt: skip


def _adadelta_update(param, grad, step_t, square_avg, acc_delta, *, lr, rho, eps, weight_decay,
                     maximize):  # fmt: skip
    """One Adadelta step on one parameter, in place."""
    step_t += 1
    if maximize:
        grad = -grad
    if weight_decay != 0:
        grad = grad.add(param, alpha=weight_decay)
    _addcmul_(square_avg.mul_(rho), grad, grad, 1 - rho)
    std = square_avg.add(eps).sqrt()
    delta = acc_delta.add(eps).sqrt() / std * grad  # RMS[dx] / RMS[g] * g
    _addcmul_(acc_delta.mul_(rho), delta, delta, 1 - rho)
    param.add_(delta, alpha=-lr)
