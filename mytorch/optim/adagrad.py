"""Adagrad with learning-rate decay and an initial accumulator value."""

from __future__ import annotations

from .._creation import full_like
from .._tensor import Tensor
from .optimizer import (
    Optimizer,
    _addcdiv_,
    _addcmul_,
    _check_lr,
    _check_nonnegative,
    _reject_variants,
    _scalar,
    _zero_step,
)

__all__ = ["Adagrad"]


class Adagrad(Optimizer):
    """Mirrors `torch.optim.Adagrad` (the single-tensor path, dense gradients).

    As in torch, the state of every parameter is created in the constructor.
    """

    _group_fallbacks = {"foreach": None, "maximize": False, "differentiable": False,
                        "fused": None}  # fmt: skip

    def __init__(
        self,
        params,
        lr: float | Tensor = 1e-2,
        lr_decay: float = 0,
        weight_decay: float = 0,
        initial_accumulator_value: float = 0,
        eps: float = 1e-10,
        foreach: bool | None = None,
        *,
        maximize: bool = False,
        differentiable: bool = False,
        fused: bool | None = None,
    ) -> None:
        _check_lr(lr)
        _check_nonnegative(lr_decay=lr_decay, weight_decay=weight_decay,
                           initial_accumulator_value=initial_accumulator_value,
                           epsilon=eps)  # fmt: skip
        _reject_variants(foreach=foreach, differentiable=differentiable, fused=fused)
        defaults = dict(lr=lr, lr_decay=lr_decay, eps=eps, weight_decay=weight_decay,
                        initial_accumulator_value=initial_accumulator_value, foreach=foreach,
                        maximize=maximize, differentiable=differentiable,
                        fused=fused)  # fmt: skip
        super().__init__(params, defaults)
        for group in self.param_groups:
            for p in group["params"]:
                self._init_state(p)

    def _init_state(self, param):
        state = self.state[param]
        state["step"] = _zero_step()
        # NOTE: torch reads the constructor's value here, not the param group's
        state["sum"] = full_like(param, self.defaults["initial_accumulator_value"])

    def step(self, closure=None):
        """Mirrors `torch.optim.Adagrad.step`."""
        return self._step(closure)

    def _param_step(self, param, grad, group):
        state = self.state[param]
        if len(state) == 0:
            self._init_state(param)
        _adagrad_update(
            param, grad, state["step"], state["sum"], lr=_scalar(group["lr"]),
            lr_decay=group["lr_decay"], weight_decay=group["weight_decay"], eps=group["eps"],
            maximize=group["maximize"],
        )  # fmt: skip


def _adagrad_update(param, grad, step_t, state_sum, *, lr, lr_decay, weight_decay, eps, maximize):
    """One Adagrad step on one parameter, in place."""
    step_t += 1
    step = step_t.item()
    if maximize:
        grad = -grad
    if weight_decay != 0:
        grad = grad.add(param, alpha=weight_decay)
    clr = lr / (1 + (step - 1) * lr_decay)
    _addcmul_(state_sum, grad, grad)
    std = state_sum.sqrt().add_(eps)
    _addcdiv_(param, grad, std, -clr)
