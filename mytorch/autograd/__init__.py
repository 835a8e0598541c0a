"""`backward()` and `grad()`: check and normalise arguments, run the engine, deliver results.

The one deliberate difference from torch: `grad()` with `create_graph` not given records its own
backward pass (derivatives of any order), keeps the graph, and returns zeros for derivatives
that are identically zero. `set_higher_order_default(False)` or MYTORCH_HIGHER_ORDER_DEFAULT=0
restores torch's defaults.
"""

from __future__ import annotations

import os
import sys

from . import anomaly_mode, functional, grad_mode, graph
from .anomaly_mode import detect_anomaly, set_detect_anomaly
from .engine import run_backward
from .function import Function, FunctionCtx, once_differentiable
from .grad_mode import (
    enable_grad,
    inference_mode,
    is_grad_enabled,
    is_inference_mode_enabled,
    no_grad,
    set_grad_enabled,
)
from .gradcheck import gradcheck, gradgradcheck
from .graph import AccumulateGrad, Node

__all__ = [
    "Function", "FunctionCtx", "Node", "backward", "detect_anomaly", "enable_grad", "grad",
    "gradcheck", "gradgradcheck", "inference_mode", "is_grad_enabled", "is_inference_mode_enabled",
    "no_grad", "set_detect_anomaly",
    "once_differentiable", "set_grad_enabled", "set_higher_order_default",
    "get_higher_order_default", "functional",
]  # fmt: skip

_higher_order = [os.environ.get("MYTORCH_HIGHER_ORDER_DEFAULT", "1").strip() not in ("0", "false")]


def set_higher_order_default(enabled: bool) -> None:
    """Whether `grad()` without `create_graph` records its backward (mytorch's default: True)."""
    _higher_order[0] = bool(enabled)


def get_higher_order_default() -> bool:
    return _higher_order[0]


def _as_tuple(x) -> tuple:
    from .._tensor import Tensor

    if x is None:
        return ()
    if isinstance(x, Tensor):
        return (x,)
    return tuple(x)


def _root_grads(outputs, grad_outputs, create_graph):
    """The starting gradient of each output: given, or ones for a scalar output."""
    from .. import _backend
    from .._tensor import Tensor

    grads = _as_tuple(grad_outputs) if grad_outputs is not None else (None,) * len(outputs)
    if len(grads) != len(outputs):
        raise RuntimeError(
            "grad can be implicitly created only for scalar outputs"
            if not grads
            else f"Mismatch in number of grad_outputs: got {len(grads)} for {len(outputs)} outputs"
        )
    out = []
    for i, (o, g) in enumerate(zip(outputs, grads)):
        if g is None:
            if o.numel() != 1:
                raise RuntimeError("grad can be implicitly created only for scalar outputs")
            if not o.dtype.is_floating_point:
                raise RuntimeError(
                    f"grad can be implicitly created only for real scalar outputs but got {o.dtype}"
                )
            data = o._data  # ones, made directly: this runs on every backward()
            g = Tensor._make(_backend.xp(data).ones(data.shape, data.dtype))
        elif not isinstance(g, Tensor):
            raise TypeError(
                f"grad_outputs must be a sequence of Tensors or None, but got {type(g).__name__}"
            )
        elif g.shape != o.shape:
            raise RuntimeError(
                f"Mismatch in shape: grad_output[{i}] has a shape of {g.shape} and output[{i}] "
                f"has a shape of {o.shape}."
            )
        out.append(g if create_graph else g.detach())
    return out


def _check_outputs(outputs):
    for i, o in enumerate(outputs):
        if not o.requires_grad:
            raise RuntimeError(
                f"element {i} of tensors does not require grad and does not have a grad_fn"
            )


def backward(
    tensors,
    grad_tensors=None,
    retain_graph=None,
    create_graph=False,
    grad_variables=None,
    inputs=None,
) -> None:
    """Mirrors `torch.autograd.backward`: adds gradients into the leaves' (or `inputs`') `.grad`."""
    outputs = _as_tuple(tensors)
    if grad_variables is not None:
        grad_tensors = grad_variables
    if retain_graph is None:
        retain_graph = create_graph
    if inputs is not None:
        inputs = _as_tuple(inputs.values() if isinstance(inputs, dict) else inputs)
        if not inputs:
            raise RuntimeError("'inputs' argument to backward() cannot be empty.")
    roots_grads = _root_grads(outputs, grad_tensors, create_graph)
    _check_outputs(outputs)
    targets = None
    if inputs:
        for t in inputs:
            if not t.requires_grad:
                raise RuntimeError("One of the differentiated Tensors does not require grad")
        targets = {t._edge_node(): t for t in inputs}
    roots = [o._edge_node() for o in outputs]
    captured = run_backward(
        roots, roots_grads, targets, create_graph=create_graph, retain_graph=retain_graph
    )
    handed_out = {id(g._data) for g in roots_grads}
    for node, g in captured.items():
        tensor = targets[node] if targets is not None else node.variable
        if tensor is None:
            continue
        if node._node_hooks is not None and isinstance(node, AccumulateGrad):
            # its Node hooks run around the update, where torch runs the node
            node._accumulate_with_hooks(
                g, lambda g, t=tensor: _accumulate(t, g, create_graph, handed_out)
            )
        else:
            _accumulate(tensor, g, create_graph, handed_out)


def _accumulate(tensor, grad, create_graph: bool, handed_out: set) -> None:
    """Add `grad` into `tensor.grad`, in place when nobody else can see the buffer (as torch)."""
    old = tensor._grad
    if create_graph:
        tensor._grad = grad if old is None else old + grad
        return
    if old is None:
        # take the buffer when the engine made it and nothing else refers to it; else copy
        data = grad._data
        owned = data.base is None and id(data) not in handed_out and sys.getrefcount(data) <= 3
        tensor._grad = grad.detach() if owned else grad.detach().clone()
        handed_out.add(id(tensor._grad._data))
    elif old.requires_grad:
        tensor._grad = old.detach() + grad
    else:
        old._data += grad._data
        old._vc[0] += 1


def grad(
    outputs,
    inputs,
    grad_outputs=None,
    retain_graph=None,
    create_graph=None,
    only_inputs=True,
    allow_unused=None,
    is_grads_batched=False,
    materialize_grads=None,
):
    """Mirrors `torch.autograd.grad`, except for the higher-order default described above."""
    from .._creation import zeros_like

    outputs = _as_tuple(outputs)
    if isinstance(inputs, dict):
        keys = list(inputs)
        values = grad(outputs, list(inputs.values()), grad_outputs, retain_graph, create_graph,
                      only_inputs, allow_unused, is_grads_batched, materialize_grads)  # fmt: skip
        return dict(zip(keys, values))
    inputs_t = _as_tuple(inputs)
    if is_grads_batched:
        return _grad_batched(outputs, inputs_t, grad_outputs, retain_graph, create_graph,
                             allow_unused, materialize_grads)  # fmt: skip
    implicit = create_graph is None and _higher_order[0]
    if create_graph is None:
        create_graph = implicit
    if materialize_grads is None:
        materialize_grads = implicit and allow_unused is None
    if allow_unused is None:
        allow_unused = materialize_grads
    elif materialize_grads and not allow_unused:
        raise ValueError(
            "Expected allow_unused to be True or not passed when materialize_grads=True, but got: "
            "allow_unused=False."
        )
    if retain_graph is None:
        retain_graph = create_graph
    if not inputs_t:
        raise RuntimeError("grad requires non-empty inputs.")
    for t in inputs_t:
        if not t.requires_grad:
            raise RuntimeError("One of the differentiated Tensors does not require grad")
    root_grads = _root_grads(outputs, grad_outputs, create_graph)
    live = [i for i, o in enumerate(outputs) if o.requires_grad]
    if not implicit:
        _check_outputs(outputs)
    targets = {t._edge_node(): t for t in inputs_t}
    state = grad_mode._state
    outer, state.implicit_higher_order = state.implicit_higher_order, implicit
    try:
        captured = run_backward(
            [outputs[i]._edge_node() for i in live],
            [root_grads[i] for i in live],
            targets,
            create_graph=create_graph,
            retain_graph=retain_graph,
        )
    finally:
        state.implicit_higher_order = outer
    result = []
    for i, t in enumerate(inputs_t):
        g = captured.get(t._edge_node())
        if g is None:
            if not allow_unused:
                raise RuntimeError(
                    f"The differentiated Tensor at index {i} appears to not have been used in the "
                    "graph. Set allow_unused=True if this is the desired behavior."
                )
            if materialize_grads:
                # torch's zeros take part in a recorded graph; the implicit mode's are constants
                g = zeros_like(t, requires_grad=create_graph and not implicit)
        result.append(g)
    return tuple(result)


def _grad_batched(outputs, inputs, grad_outputs, retain_graph, create_graph, allow_unused,
                  materialize_grads):  # fmt: skip
    """`grad(..., is_grads_batched=True)`: one backward pass per slice of the grad_outputs'
    first dimension, stacked. Mirrors torch's results; torch batches the passes with vmap."""
    from .._ops import stack

    grads = _as_tuple(grad_outputs)
    for i, (o, g) in enumerate(zip(outputs, grads)):
        if g is not None and tuple(g.shape[1:]) != tuple(o.shape):
            raise RuntimeError(
                "If `is_grads_batched=True`, we interpret the first dimension of each "
                "grad_output as the batch dimension. The sizes of the remaining dimensions are "
                "expected to match the shape of corresponding output, but a mismatch was "
                f"detected: grad_output[{i}] has a shape of {g.shape[1:]} and output[{i}] has a "
                f"shape of {o.shape}. If you only want some tensors in `grad_output` to be "
                "considered batched, consider using vmap."
            )
    sizes = {g.shape[0] for g in grads if g is not None}
    n = sizes.pop() if len(sizes) == 1 else None
    if n is None:
        raise RuntimeError("is_grads_batched=True needs grad_outputs with one batch size")
    rows = []
    for b in range(n):
        last = b == n - 1
        rows.append(
            grad(
                outputs,
                inputs,
                [None if g is None else g[b] for g in grads],
                retain_graph=retain_graph if last else True,
                create_graph=create_graph,
                allow_unused=allow_unused,
                materialize_grads=materialize_grads,
            )  # fmt: skip
        )
    return tuple(None if column[0] is None else stack(column) for column in zip(*rows))


_ = grad_mode, anomaly_mode, graph  # re-exported modules
