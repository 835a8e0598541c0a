"""NAdam: Adam with Nesterov momentum and a momentum-decay schedule."""

from __future__ import annotations

from .._creation import tensor, zeros_like
from .._dtype import float32
from .._tensor import Tensor
from .optimizer import (
    Optimizer,
    _addcdiv_,
    _addcmul_,
    _check_betas,
    _check_lr,
    _check_nonnegative,
    _lerp_,
    _reject_variants,
    _scalar,
    _zero_step,
)

__all__ = ["NAdam"]


class NAdam(Optimizer):
    """Mirrors `torch.optim.NAdam` (the single-tensor path)."""

    _group_fallbacks = {"maximize": False, "foreach": None, "capturable": False,
                        "differentiable": False, "decoupled_weight_decay": False}  # fmt: skip
    _scalar_state = ("step", "mu_product")

    def __init__(
        self,
        params,
        lr: float | Tensor = 2e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        momentum_decay: float = 4e-3,
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
        _check_nonnegative(weight_decay=weight_decay, momentum_decay=momentum_decay)
        _reject_variants(foreach=foreach, capturable=capturable, differentiable=differentiable)
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                        momentum_decay=momentum_decay,
                        decoupled_weight_decay=decoupled_weight_decay, maximize=maximize,
                        foreach=foreach, capturable=capturable,
                        differentiable=differentiable)  # fmt: skip
        super().__init__(params, defaults)

    def step(self, closure=None):
        """Mirrors `torch.optim.NAdam.step`."""
        return self._step(closure)

    def _param_step(self, param, grad, group):
        state = self.state[param]
        if len(state) == 0:
            state["step"] = _zero_step()
            state["mu_product"] = tensor(1.0, dtype=float32)
            state["exp_avg"] = zeros_like(param)
            state["exp_avg_sq"] = zeros_like(param)
        beta1, beta2 = group["betas"]
        _nadam_update(
            param, grad, state["step"], state["mu_product"], state["exp_avg"],
            state["exp_avg_sq"], lr=_scalar(group["lr"]), beta1=beta1, beta2=beta2,
            eps=group["eps"], weight_decay=group["weight_decay"],
            momentum_decay=group["momentum_decay"],
            decoupled_weight_decay=group["decoupled_weight_decay"], maximize=group["maximize"],
        )  # fmt: skip


def _nadam_update(param, grad, step_t, mu_product, exp_avg, exp_avg_sq, *, lr, beta1, beta2, eps,
                  weight_decay, momentum_decay, decoupled_weight_decay, maximize):  # fmt: skip
    """One NAdam step on one parameter, in place. `mu_product` (the product of the momentum
    coefficients so far) is a float32 0-d tensor, as in torch, so it rounds as torch's does."""
    if maximize:
        grad = -grad
    step_t += 1
    step = step_t.item()
    bias_correction2 = 1 - beta2**step
    if weight_decay != 0:
        if decoupled_weight_decay:
            param.mul_(1 - lr * weight_decay)
        else:
            grad = grad.add(param, alpha=weight_decay)
    mu = beta1 * (1.0 - 0.5 * (0.96 ** (step * momentum_decay)))
    mu_next = beta1 * (1.0 - 0.5 * (0.96 ** ((step + 1) * momentum_decay)))
    mu_product *= mu
    _lerp_(exp_avg, grad, 1 - beta1)
    _addcmul_(exp_avg_sq.mul_(beta2), grad, grad, 1 - beta2)
    denom = (exp_avg_sq / bias_correction2).sqrt().add_(eps)
    mu_prod = mu_product.item()
    _addcdiv_(param, grad, denom, -lr * (1.0 - mu) / (1.0 - mu_prod))
    _addcdiv_(param, exp_avg, denom, -lr * mu_next / (1.0 - mu_prod * mu_next))
