"""clip_grad_norm_ and clip_grad_value_: rescale or clamp `.grad` in place under no_grad."""

from __future__ import annotations

import math
from collections.abc import Iterable

from ..._tensor import Tensor
from ...autograd.grad_mode import no_grad


def _params(parameters: Tensor | Iterable[Tensor]) -> list[Tensor]:
    return [parameters] if isinstance(parameters, Tensor) else list(parameters)


def clip_grad_norm_(parameters: Tensor | Iterable[Tensor], max_norm: float,
                    norm_type: float = 2.0, error_if_nonfinite: bool = False,
                    foreach: bool | None = None) -> Tensor:  # fmt: skip
    """Mirrors `torch.nn.utils.clip_grad_norm_`: returns the total norm before clipping."""
    from ... import _creation, linalg

    grads = [p.grad for p in _params(parameters) if p.grad is not None]
    norm_type = float(norm_type)
    if not grads:
        return _creation.tensor(0.0)
    with no_grad():
        norms = [linalg.vector_norm(g, norm_type) for g in grads]
        from ..._ops.shape import stack

        total = linalg.vector_norm(stack(norms), norm_type)
        value = total.item()
        if error_if_nonfinite and (math.isnan(value) or math.isinf(value)):
            raise RuntimeError(
                f"The total norm of order {norm_type} for gradients from `parameters` is "
                "non-finite, so it cannot be clipped. To disable this error and scale the "
                "gradients by the non-finite norm anyway, set `error_if_nonfinite=False`"
            )
        coef = (max_norm / (total + 1e-6)).clamp(max=1.0)
        for g in grads:
            g.mul_(coef.to(g.dtype))
    return total


def clip_grad_value_(parameters: Tensor | Iterable[Tensor], clip_value: float,
                     foreach: bool | None = None) -> None:  # fmt: skip
    """Mirrors `torch.nn.utils.clip_grad_value_`."""
    with no_grad():
        for p in _params(parameters):
            if p.grad is not None:
                p.grad.clamp_(min=-clip_value, max=clip_value)
