"""Adamax: Adam with the infinity norm."""

from __future__ import annotations

from .._creation import zeros_like
from .._tensor import Tensor
from .optimizer import (
    Optimizer,
    _addcdiv_,
    _check_betas,
    _check_lr,
    _check_nonnegative,
    _lerp_,
    _maximum,
    _reject_variants,
    _scalar,
    _zero_step,
)

__all__ = ["Adamax"]


class Adamax(Optimizer):
    """Mirrors `torch.optim.Adamax` (the single-tensor path)."""

    _group_fallbacks = {"foreach": None, "maximize": False, "differentiable": False,
                        "capturable": False}  # fmt: skip

    def __init__(
        self,
        params,
        lr: float | Tensor = 2e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        foreach: bool | None = None,
        *,
        maximize: bool = False,
        differentiable: bool = False,
        capturable: bool = False,
    ) -> None:
        _check_lr(lr)
        _check_nonnegative(epsilon=eps)
        _check_betas(betas)
        _check_nonnegative(weight_decay=weight_decay)
        _reject_variants(foreach=foreach, differentiable=differentiable, capturable=capturable)
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, foreach=foreach,
                        maximize=maximize, differentiable=differentiable,
                        capturable=capturable)  # fmt: skip
        super().__init__(params, defaults)

    def step(self, closure=None):
        """Mirrors `torch.optim.Adamax.step`."""
        return self._step(closure)

    def _param_step(self, param, grad, group):
        state = self.state[param]
        if len(state) == 0:
            state["step"] = _zero_step()
            state["exp_avg"] = zeros_like(param)
            state["exp_inf"] = zeros_like(param)
        beta1, beta2 = group["betas"]
        _adamax_update(
            param, grad, state["step"], state["exp_avg"], state["exp_inf"],
            lr=_scalar(group["lr"]), beta1=beta1, beta2=beta2, eps=group["eps"],
            weight_decay=group["weight_decay"], maximize=group["maximize"],
        )  # fmt: skip


def _adamax_update(param, grad, step_t, exp_avg, exp_inf, *, lr, beta1, beta2, eps, weight_decay,
                   maximize):  # fmt: skip
    """One Adamax step on one parameter, in place."""
    if maximize:
        grad = -grad
    step_t += 1
    if weight_decay != 0:
        grad = grad.add(param, alpha=weight_decay)
    _lerp_(exp_avg, grad, 1 - beta1)
    exp_inf.copy_(_maximum(exp_inf.mul_(beta2), grad.abs().add_(eps)))
    clr = lr / (1 - beta1 ** step_t.item())
    _addcdiv_(param, exp_avg, exp_inf, -clr)
