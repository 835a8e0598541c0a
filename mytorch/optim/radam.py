"""RAdam: Adam with a rectified adaptive learning rate."""

from __future__ import annotations

from .._creation import zeros_like
from .._tensor import Tensor
from .optimizer import (
    Optimizer,
    _addcmul_,
    _check_betas,
    _check_lr,
    _check_nonnegative,
    _lerp_,
    _reject_variants,
    _scalar,
    _zero_step,
)

__all__ = ["RAdam"]


class RAdam(Optimizer):
    """Mirrors `torch.optim.RAdam` (the single-tensor path)."""

    _group_fallbacks = {"foreach": None, "maximize": False, "differentiable": False,
                        "capturable": False, "decoupled_weight_decay": False}  # fmt: skip

    def __init__(
        self,
        params,
        lr: float | Tensor = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        decoupled_weight_decay: bool = False,
        *,
        foreach: bool | None = None,
        maximize: bool = False,
        capturable: bool = False,
        differentiable: bool = False,
    ) -> None:
        _check_lr(lr)
        _check_nonnegative(epsilon=eps)
        _check_betas(betas)
        _check_nonnegative(weight_decay=weight_decay)
        _reject_variants(foreach=foreach, capturable=capturable, differentiable=differentiable)
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, maximize=maximize,
                        foreach=foreach, capturable=capturable,
                        decoupled_weight_decay=decoupled_weight_decay,
                        differentiable=differentiable)  # fmt: skip
        super().__init__(params, defaults)

    def step(self, closure=None):
        """Mirrors `torch.optim.RAdam.step`."""
        return self._step(closure)

    def _param_step(self, param, grad, group):
        state = self.state[param]
        if len(state) == 0:
            state["step"] = _zero_step()
            state["exp_avg"] = zeros_like(param)
            state["exp_avg_sq"] = zeros_like(param)
        beta1, beta2 = group["betas"]
        _radam_update(
            param, grad, state["step"], state["exp_avg"], state["exp_avg_sq"],
            lr=_scalar(group["lr"]), beta1=beta1, beta2=beta2, eps=group["eps"],
            weight_decay=group["weight_decay"],
            decoupled_weight_decay=group["decoupled_weight_decay"], maximize=group["maximize"],
        )  # fmt: skip


def _radam_update(param, grad, step_t, exp_avg, exp_avg_sq, *, lr, beta1, beta2, eps,
                  weight_decay, decoupled_weight_decay, maximize):  # fmt: skip
    """One RAdam step on one parameter, in place."""
    if maximize:
        grad = -grad
    step_t += 1
    step = step_t.item()
    if weight_decay != 0:
        if decoupled_weight_decay:
            param.mul_(1 - lr * weight_decay)
        else:
            grad = grad.add(param, alpha=weight_decay)
    _lerp_(exp_avg, grad, 1 - beta1)
    _addcmul_(exp_avg_sq.mul_(beta2), grad, grad, 1 - beta2)
    bias_correction1 = 1 - beta1**step
    bias_correction2 = 1 - beta2**step
    bias_corrected_exp_avg = exp_avg / bias_correction1
    # length of the approximated simple moving average, and its limit
    rho_inf = 2 / (1 - beta2) - 1
    rho_t = rho_inf - 2 * step * (beta2**step) / bias_correction2
    if rho_t > 5.0:  # the variance is tractable: rectify the adaptive learning rate
        rect = (
            (rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t)
        ) ** 0.5
        adaptive_lr = (bias_correction2**0.5) / exp_avg_sq.sqrt().add_(eps)
        param.add_(bias_corrected_exp_avg * lr * adaptive_lr * rect, alpha=-1.0)
    else:
        param.add_(bias_corrected_exp_avg * lr, alpha=-1.0)
