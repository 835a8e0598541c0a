"""Adam (with amsgrad, maximize, and optionally decoupled weight decay as AdamW uses)."""

from __future__ import annotations

from .._backend import xp
from .._creation import zeros_like
from .._tensor import Tensor
from .optimizer import (
    Optimizer,
    _check_betas,
    _check_lr,
    _check_nonnegative,
    _reject_variants,
    _scalar,
    _written,
    _zero_step,
)

__all__ = ["Adam"]


class Adam(Optimizer):
    """Mirrors `torch.optim.Adam` (the single-tensor path)."""

    _group_fallbacks = {"amsgrad": False, "maximize": False, "foreach": None, "capturable": False,
                        "differentiable": False, "decoupled_weight_decay": False,
                        "fused": None}  # fmt: skip

    def __init__(
        self,
        params,
        lr: float | Tensor = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        amsgrad: bool = False,
        *,
        foreach: bool | None = None,
        maximize: bool = False,
        capturable: bool = False,
        differentiable: bool = False,
        fused: bool | None = None,
        decoupled_weight_decay: bool = False,
    ) -> None:
        _check_lr(lr)
        _check_nonnegative(epsilon=eps)
        _check_betas(betas)
        _check_nonnegative(weight_decay=weight_decay)
        if not (
            all(isinstance(b, float) for b in betas) or all(isinstance(b, Tensor) for b in betas)
        ):
            raise ValueError("betas must be either both floats or both Tensors")
        for i, b in enumerate(betas):
            if isinstance(b, Tensor) and b.numel() != 1:
                raise ValueError(f"Tensor betas[{i}] must be 1-element")
        _reject_variants(foreach=foreach, capturable=capturable, differentiable=differentiable,
                         fused=fused)  # fmt: skip
        defaults = dict(lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay,
                        amsgrad=amsgrad, maximize=maximize, foreach=foreach,
                        capturable=capturable, differentiable=differentiable, fused=fused,
                        decoupled_weight_decay=decoupled_weight_decay)  # fmt: skip
        super().__init__(params, defaults)

    def step(self, closure=None):
        """Mirrors `torch.optim.Adam.step`."""
        return self._step(closure)

    def _param_step(self, param, grad, group):
        state = self.state[param]
        if len(state) == 0:
            state["step"] = _zero_step()
            state["exp_avg"] = zeros_like(param)
            state["exp_avg_sq"] = zeros_like(param)
            if group["amsgrad"]:
                state["max_exp_avg_sq"] = zeros_like(param)
        beta1, beta2 = (_scalar(b) for b in group["betas"])
        _adam_update(
            param, grad, state["step"], state["exp_avg"], state["exp_avg_sq"],
            state.get("max_exp_avg_sq") if group["amsgrad"] else None,
            lr=_scalar(group["lr"]), beta1=beta1, beta2=beta2, eps=group["eps"],
            weight_decay=group["weight_decay"], maximize=group["maximize"],
            decoupled_weight_decay=group["decoupled_weight_decay"],
        )  # fmt: skip


def _adam_update(param, grad, step_t, exp_avg, exp_avg_sq, max_exp_avg_sq, *, lr, beta1, beta2,
                 eps, weight_decay, maximize, decoupled_weight_decay):  # fmt: skip
    """One Adam step on one parameter; updates param, step and the moments in place on their
    arrays, in torch's arithmetic order. `max_exp_avg_sq` is None unless amsgrad is on."""
    decay = weight_decay != 0
    (p,) = _written(param, times=2 if decay and decoupled_weight_decay else 1)
    m1, step = _written(exp_avg, step_t)
    (m2,) = _written(exp_avg_sq, times=2)  # torch's mul_ and addcmul_
    g = -grad._data if maximize else grad._data
    step += 1
    if decay:
        if decoupled_weight_decay:
            p *= 1 - lr * weight_decay
        else:
            g = g + weight_decay * p
    m1 += (1 - beta1) * (g - m1)  # torch's lerp_ for a weight below 0.5
    m2 *= beta2
    m2 += (1 - beta2) * (g * g)
    bias_correction1 = 1 - beta1 ** float(step)
    bias_correction2_sqrt = (1 - beta2 ** float(step)) ** 0.5
    if max_exp_avg_sq is not None:
        (peak,) = _written(max_exp_avg_sq)
        xp(peak).maximum(peak, m2, out=peak)  # propagates nan, as torch.maximum
        m2 = peak
    denom = xp(m2).sqrt(m2) / bias_correction2_sqrt
    denom += eps
    p += (-lr / bias_correction1) * (m1 / denom)
