"""Optimizer: param_groups, defaults, per-parameter state, zero_grad, state_dict.

The built-in optimizers subclass it with one `_param_step` each; foreach, fused, capturable and
differentiable variants are not implemented (their keywords are accepted at their defaults).
"""

from __future__ import annotations

import warnings
from collections import defaultdict
from collections.abc import Callable, Iterable
from copy import deepcopy
from itertools import chain
from typing import Any, TypeAlias

from .._creation import tensor
from .._dtype import float32
from .._ops import bitwise_or, ne, where
from .._tensor import Tensor
from ..autograd.grad_mode import enable_grad, no_grad

__all__ = ["Optimizer", "required"]

# what an optimizer accepts as `params`, as torch.optim.optimizer.ParamsT
ParamsT: TypeAlias = Iterable[Tensor] | Iterable[dict[str, Any]] | Iterable[tuple[str, Tensor]]


class _RequiredParameter:
    """Singleton marking a hyperparameter that every param group must give."""

    def __repr__(self) -> str:
        return "<required parameter>"


required = _RequiredParameter()


def _typename(obj) -> str:
    """What torch.typename prints: `torch.FloatTensor` for a tensor, else the qualified name."""
    if isinstance(obj, Tensor):
        return obj.type()
    if not hasattr(obj, "__qualname__"):
        obj = type(obj)
    module = getattr(obj, "__module__", "") or ""
    return obj.__qualname__ if module in ("", "builtins") else f"{module}.{obj.__qualname__}"


def _scalar(x):
    """A hyperparameter given as a 1-element tensor, as a Python number."""
    return x.item() if isinstance(x, Tensor) else x


def _check_lr(lr) -> None:
    if isinstance(lr, Tensor) and lr.numel() != 1:
        raise ValueError("Tensor lr must be 1-element")
    if not 0.0 <= lr:
        raise ValueError(f"Invalid learning rate: {lr}")


def _check_nonnegative(**values) -> None:
    """torch's "Invalid <name> value: <v>" checks, in the order given."""
    for name, value in values.items():
        if not 0.0 <= value:
            raise ValueError(f"Invalid {name} value: {value}")


def _check_betas(betas) -> None:
    for i in (0, 1):
        if not 0.0 <= betas[i] < 1.0:
            raise ValueError(f"Invalid beta parameter at index {i}: {betas[i]}")


def _reject_variants(**flags) -> None:
    """foreach/fused/capturable/differentiable: accepted at their defaults only."""
    for name, value in flags.items():
        if value:
            raise NotImplementedError(f"mytorch.optim: {name}=True is not supported")


def _zero_step() -> Tensor:
    # torch keeps 'step' as a 0-d float32 tensor on the CPU (not a Python int)
    return tensor(0.0, dtype=float32)


def _written(*tensors: Tensor, times: int = 1) -> list:
    """The arrays behind `tensors`, for an update to write in place (under no_grad, where
    in-place ops would do no more), with their version counters bumped as `times` such ops
    would bump them."""
    for t in tensors:
        t._vc[0] += times
    return [t._data for t in tensors]


# in-place helpers spelled with the Tensor methods that exist, in torch's arithmetic order


def _lerp_(x: Tensor, end: Tensor, weight: float) -> Tensor:
    """x += weight * (end - x), torch's `x.lerp_(end, weight)` for weight < 0.5."""
    return x.add_(end - x, alpha=weight)


def _addcmul_(x: Tensor, a: Tensor, b: Tensor, value: float = 1) -> Tensor:
    """x += value * a * b, torch's `x.addcmul_(a, b, value=value)`."""
    return x.add_(a * b, alpha=value)


def _addcdiv_(x: Tensor, a: Tensor, b: Tensor, value: float = 1) -> Tensor:
    """x += value * a / b, torch's `x.addcdiv_(a, b, value=value)`."""
    return x.add_(a / b, alpha=value)


def _maximum(a: Tensor, b: Tensor) -> Tensor:
    """torch.maximum: elementwise max that propagates NaN."""
    return where(bitwise_or(a < b, ne(b, b)), b, a)


class Optimizer:
    """Base class of all optimizers. Mirrors `torch.optim.Optimizer`.

    Step hooks and state_dict hooks are not implemented.
    """

    def __init__(self, params: ParamsT, defaults: dict[str, Any]) -> None:
        self.defaults = defaults
        if isinstance(params, Tensor):
            raise TypeError(
                "params argument given to the optimizer should be an iterable of Tensors or "
                f"dicts, but got {_typename(params)}"
            )
        self.state: defaultdict[Tensor, Any] = defaultdict(dict)
        self.param_groups: list[dict[str, Any]] = []
        param_groups: list[Any] = list(params)
        if len(param_groups) == 0:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(param_groups[0], dict):
            param_groups = [{"params": param_groups}]
        for param_group in param_groups:
            self.add_param_group(param_group)

    def __getstate__(self) -> dict[str, Any]:
        return {"defaults": self.defaults, "state": self.state, "param_groups": self.param_groups}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self.defaults.setdefault("differentiable", False)
        for group in self.param_groups:
            for name, default in self._group_fallbacks.items():
                group.setdefault(name, default)
            for p in group["params"]:
                p_state = self.state.get(p, {})
                for key in self._scalar_state:
                    # old checkpoints kept these as Python numbers
                    if key in p_state and not isinstance(p_state[key], Tensor):
                        p_state[key] = tensor(float(p_state[key]), dtype=float32)

    # filled in by __setstate__ for groups saved before a hyperparameter existed
    _group_fallbacks: dict[str, Any] = {}
    # per-parameter state entries that torch keeps as 0-d float32 tensors
    _scalar_state: tuple[str, ...] = ("step",)

    def __repr__(self) -> str:
        text = f"{type(self).__name__} ("
        for i, group in enumerate(self.param_groups):
            text += f"\nParameter Group {i}\n"
            text += "".join(f"    {k}: {group[k]}\n" for k in sorted(group) if k != "params")
        return text + ")"

    def add_param_group(self, param_group: dict[str, Any]) -> None:
        """Mirrors `torch.optim.Optimizer.add_param_group`."""
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, but got {type(param_group)}")
        params = param_group["params"]
        if isinstance(params, Tensor):
            params = [params]
        elif isinstance(params, set):
            raise TypeError(
                "optimizer parameters need to be organized in ordered collections, but the "
                "ordering of tensors in sets will change between runs. Please use a list instead."
            )
        else:
            params = list(params)
        names = [p[0] for p in params if isinstance(p, tuple)]
        params = [p[1] if isinstance(p, tuple) else p for p in params]
        param_group["params"] = params
        if names:
            if len(names) != len(params):
                raise ValueError(
                    "all optimizer params should be with/without names. Some param names are "
                    "missing"
                )
            param_group["param_names"] = names

        for param in params:
            if not isinstance(param, Tensor):
                raise TypeError(
                    "optimizer can only optimize Tensors, but one of the params is "
                    + _typename(param)
                )
            if not self.defaults.get("differentiable", None) and not (
                param.is_leaf or param.retains_grad
            ):
                raise ValueError("can't optimize a non-leaf Tensor")

        for name, default in self.defaults.items():
            if default is required and name not in param_group:
                raise ValueError(
                    "parameter group didn't specify a value of required optimization parameter "
                    + name
                )
            param_group.setdefault(name, default)

        if len(params) != len(set(params)):
            warnings.warn(
                "optimizer contains a parameter group with duplicate parameters; in future, this "
                "will cause an error; see github.com/pytorch/pytorch/issues/40967 for more "
                "information",
                stacklevel=3,
            )
        seen: set[Tensor] = set()
        for group in self.param_groups:
            seen.update(group["params"])
            if ("param_names" in param_group) != ("param_names" in group):
                kind = "with names" if "param_names" in param_group else "without names"
                raise ValueError(
                    "all optimizer param groups should be with/without names. cannot add param "
                    f"group {kind} to the optimizer"
                )
        if not seen.isdisjoint(params):
            raise ValueError("some parameters appear in more than one parameter group")
        self.param_groups.append(param_group)

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Mirrors `torch.optim.Optimizer.zero_grad`."""
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                if set_to_none:
                    p.grad = None
                    continue
                if p.grad.grad_fn is not None:
                    p.grad.detach_()
                else:
                    p.grad.requires_grad_(False)
                p.grad.zero_()

    def state_dict(self) -> dict[str, Any]:
        """Mirrors `torch.optim.Optimizer.state_dict`: parameters become integer ids.

        As in torch, the state tensors are shared with the optimizer, not copied.
        """
        ids: dict[int, int] = {}
        groups, start = [], 0
        for group in self.param_groups:
            # ids count positions across groups; a parameter keeps the id it first got
            new = {id(p): i for i, p in enumerate(group["params"], start) if id(p) not in ids}
            ids.update(new)
            packed = {k: v for k, v in group.items() if k != "params"}
            packed["params"] = [ids[id(p)] for p in group["params"]]
            groups.append(packed)
            start += len(packed["params"])
        state = {(ids[id(k)] if isinstance(k, Tensor) else k): v for k, v in self.state.items()}
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Mirrors `torch.optim.Optimizer.load_state_dict`; on error nothing changes."""
        state_dict = state_dict.copy()
        groups = self.param_groups
        saved_groups = deepcopy(state_dict["param_groups"])
        if len(groups) != len(saved_groups):
            raise ValueError("loaded state dict has a different number of parameter groups")
        if any(len(g["params"]) != len(s["params"]) for g, s in zip(groups, saved_groups)):
            raise ValueError(
                "loaded state dict contains a parameter group that doesn't match the size of "
                "optimizer's group"
            )
        id_map = dict(
            zip(
                chain.from_iterable(g["params"] for g in saved_groups),
                chain.from_iterable(g["params"] for g in groups),
            )
        )
        state: defaultdict[Any, Any] = defaultdict(dict)
        for key, value in state_dict["state"].items():
            if key in id_map:
                param = id_map[key]
                state[param] = _cast_state(param, value)
            else:
                state[key] = value
        for group, saved in zip(groups, saved_groups):
            saved["params"] = group["params"]
            if "param_names" in group and "param_names" not in saved:
                saved["param_names"] = group["param_names"]
        self.__setstate__({"state": state, "param_groups": saved_groups})

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Mirrors `torch.optim.Optimizer.step`: subclasses implement it."""
        raise NotImplementedError

    def _step(self, closure: Callable[[], Any] | None) -> Any:
        """The step shared by the built-in optimizers: evaluate the closure with grad enabled,
        then update each parameter that has a gradient under no_grad."""
        loss = None
        if closure is not None:
            with enable_grad():
                loss = closure()
        with no_grad():
            for group in self.param_groups:
                for p in group["params"]:
                    if p.grad is not None:
                        self._param_step(p, p.grad, group)
        return loss

    def _param_step(self, param: Tensor, grad: Tensor, group: dict[str, Any]) -> None:
        raise NotImplementedError


def _cast_state(param: Tensor, value, key=None):
    """A loaded state value for `param`: tensors take the parameter's floating dtype (except
    'step'); containers are rebuilt; anything else is kept as it is."""
    if isinstance(value, Tensor):
        if key == "step" or not param.is_floating_point():
            return value
        return value.to(param.dtype)
    if isinstance(value, dict):
        return {k: _cast_state(param, v, k) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_cast_state(param, v) for v in value)
    return value
