"""User-defined ops: `Function` with static forward/backward, as in `torch.autograd.Function`.

The node is the ctx. A forward with several outputs gets one small slot node per output, all
feeding the Function's node, so the engine keeps its one-output-per-node rule.
"""

from __future__ import annotations

import functools
import weakref

from . import graph as _graph
from .grad_mode import _state, no_grad
from .graph import FREED, Node, _next_seq, _Packed, _SavedTensor


class FunctionCtx(Node):
    """The `ctx` of a user-defined op. Mirrors `torch.autograd.function.FunctionCtx`."""

    _materialize = True
    _saved: tuple | None = ()  # None once freed
    _non_differentiable: tuple[int, ...] = ()  # ids of the outputs
    _dirty: tuple[int, ...] = ()
    _output_nodes: tuple = ()  # weak references to the outputs' nodes
    _forward_needs: tuple[bool, ...]  # set by Function.apply

    @property
    def needs_input_grad(self) -> tuple:
        return self._forward_needs  # fixed when forward ran, as in torch

    @needs_input_grad.setter
    def needs_input_grad(self, value) -> None:
        pass  # the engine's per-pass pruning does not apply to user code

    def save_for_forward(self, *tensors) -> None:
        """Mirrors `FunctionCtx.save_for_forward`: what `jvp` reads as `ctx.saved_tensors`."""
        self._saved_forward = tuple(tensors)

    def save_for_backward(self, *tensors) -> None:
        self._saved = tuple(tensors)
        self._saved_versions = tuple(None if t is None else t._version for t in tensors)

    @property
    def saved_tensors(self) -> tuple:
        if self.__dict__.get("_in_jvp"):
            return self.__dict__.get("_saved_forward", ())
        if self._saved is None:
            raise RuntimeError(FREED)
        if isinstance(self._saved, _Packed):  # saved-tensors hooks: torch checks no versions then
            return tuple(self._unpack_hooked(t) for t in self._saved)
        saved = tuple(self._unpack(t) for t in self._saved)
        for t, v in zip(saved, self._saved_versions):
            if t is not None:
                self._check(t, v, "")
        return saved

    def _unpack(self, t):
        # a saved output comes back with this op as its grad_fn, so higher orders flow through it
        if not isinstance(t, _SavedOutput):
            return t
        from .._tensor import Tensor

        node = self._output_nodes[t.index]()
        return Tensor._make(t.data, node is not None, node, t.vc)

    def _unpack_hooked(self, t):
        if isinstance(t, tuple):  # (output index, _SavedTensor): reconnects to that output's node
            node = self._output_nodes[t[0]]()
            return t[1].unpack(node)
        return t.unpack() if isinstance(t, _SavedTensor) else t

    def _pack(self, pack_hook, unpack_hook) -> None:
        from .._tensor import Tensor

        assert self._saved is not None  # packed as the node is made, before anything is freed
        packed: list = []
        for t in self._saved:
            if isinstance(t, _SavedOutput):
                out = self._unpack(t)
                packed.append((t.index, _SavedTensor(pack_hook(out), unpack_hook, None)))
            elif isinstance(t, Tensor):
                edge = t._edge_node() if t._rg else None
                packed.append(_SavedTensor(pack_hook(t), unpack_hook, edge))
            else:
                packed.append(t)
        self._saved = _Packed(packed)

    _slots = False  # the gradients arrive gathered (_Slots): forward returned a tuple

    def _grad_outputs(self, grad) -> tuple:
        return tuple(grad.grads) if self._slots else (grad,)

    def _from_grad_outputs(self, grads: tuple):
        return _Slots(list(grads)) if self._slots else grads[0]

    def mark_non_differentiable(self, *tensors) -> None:
        self._non_differentiable = tuple(id(t) for t in tensors)

    def mark_dirty(self, *tensors) -> None:
        self._dirty = tuple(id(t) for t in tensors)

    def set_materialize_grads(self, value: bool) -> None:
        self._materialize = bool(value)

    def release(self) -> None:
        self._saved = None


class _SavedOutput:
    """A saved output, kept as its array (a Tensor here would make a reference cycle)."""

    def __init__(self, index, tensor):
        self.index, self.data, self.vc = index, tensor._data, tensor._vc


class _Slots:
    """The gradients of a multi-output Function's outputs, gathered as they arrive."""

    def __init__(self, grads):
        self.grads = grads

    def __add__(self, other):
        return _Slots(
            [a if b is None else b if a is None else a + b for a, b in zip(self.grads, other.grads)]
        )


class _OutputSlot(Node):
    def vjp(self, grad):
        grads = [None] * self._n
        grads[self._index] = grad
        return (_Slots(grads),)

    # torch has one node for all the outputs: Node hooks and metadata are the Function's

    def register_hook(self, fn):
        return self._edges[0][0].register_hook(fn)

    def register_prehook(self, fn):
        return self._edges[0][0].register_prehook(fn)

    @property
    def metadata(self) -> dict:
        return self._edges[0][0].metadata


class Function:
    """Base class for user-defined ops. Mirrors `torch.autograd.Function`."""

    @staticmethod
    def forward(ctx, *args, **kwargs):
        raise NotImplementedError(
            "You must implement the forward function for custom autograd.Function."
        )

    @staticmethod
    def backward(ctx, *grad_outputs):
        raise NotImplementedError(
            "You must implement either the backward or vjp method for your custom "
            "autograd.Function to use it with backward mode AD."
        )

    @staticmethod
    def jvp(ctx, *grad_inputs):
        raise NotImplementedError(
            "You must implement the jvp function for custom autograd.Function to use it with "
            "forward mode AD."
        )

    @classmethod
    def apply(cls, *args, **kwargs):
        from .._tensor import Tensor

        node_class = cls.__dict__.get("_node_class")
        if node_class is None:
            name = f"{cls.__name__}Backward"
            node_class = type(name, (FunctionCtx,), {"_function": cls, "vjp": _function_vjp})
            cls._node_class = node_class
            cls._slot_class = type(name, (_OutputSlot,), {})
        is_t = [isinstance(a, Tensor) for a in args]
        recording = _state.enabled and any(t and a._rg for t, a in zip(is_t, args))
        ctx = node_class.__new__(node_class)
        ctx._edges = tuple((a._edge_node() if t and a._rg else None, 0) for t, a in zip(is_t, args))
        ctx._meta = tuple((a.shape, a.dtype) if t else None for t, a in zip(is_t, args))
        ctx._forward_needs = tuple(e[0] is not None for e in ctx._edges)
        ctx._inputs = ctx._result = None
        dual = any(t and "_fw" in a.__dict__ for t, a in zip(is_t, args))
        if dual:  # forward-mode AD: forward sees primals only, and `jvp` gives the tangents
            from .forward_ad import _suspended

            with no_grad(), _suspended():
                outputs = cls.forward(ctx, *args, **kwargs)
        else:
            with no_grad():
                outputs = cls.forward(ctx, *args, **kwargs)
        single = not isinstance(outputs, tuple)
        outs = (outputs,) if single else outputs
        ctx._seq = _next_seq()
        marks = [
            a.__dict__["_batched"] for t, a in zip(is_t, args) if t and "_batched" in a.__dict__
        ]
        if not recording:
            if dual:
                _attach_tangents(cls, ctx, args, outs)
            _mark_batched(outs, marks, cls.__name__)
            return outputs
        ctx._n_outputs = len(outs)
        ctx._slots = not single
        ctx._output_meta = [(o.shape, o.dtype) if isinstance(o, Tensor) else None for o in outs]
        wrapped, nodes = [], []
        for i, o in enumerate(outs):
            if not isinstance(o, Tensor) or not o.dtype.is_floating_point:
                wrapped.append(o)
                continue
            if id(o) in ctx._non_differentiable:
                wrapped.append(o.detach())
                continue
            if single:
                node = ctx
            else:
                node = cls._slot_class.__new__(cls._slot_class)
                node._edges = ((ctx, 0),)
                node._meta = ((None, None),)
                node.needs_input_grad = (True,)
                node._inputs = node._result = None
                node._index, node._n = i, len(outs)
                node._seq = _next_seq()
            if id(o) in ctx._dirty:
                o.grad_fn, o._rg = node, True
                wrapped.append(o)
            else:
                wrapped.append(Tensor._make(o._data, True, node, o._vc))
            nodes.append((i, node))
        _remember_saved_outputs(ctx, outs, nodes)
        if _graph._extras:
            _graph._on_create(ctx)
        if dual:
            _attach_tangents(cls, ctx, args, wrapped)
        _mark_batched(wrapped, marks, cls.__name__)
        return wrapped[0] if single else tuple(wrapped)


def _mark_batched(outs, marks, name: str) -> None:
    # inside vmap, what a Function computes from a batched value is batched too (ops mark theirs)
    if marks:
        levels = tuple(dict.fromkeys(level for mark in marks for level in mark[0]))
        for o in outs:
            if hasattr(o, "_data"):
                o.__dict__["_batched"] = (levels, name)


def _attach_tangents(cls, ctx, args, outs) -> None:
    """Forward-mode AD through a custom Function: its `jvp` maps the inputs' tangents (zeros
    where an input has none, None for non-tensors) to one tangent per output."""
    from .._creation import zeros_like
    from .._tensor import Tensor
    from .forward_ad import _set_tangent, _suspended

    tangents = [
        (a.__dict__.get("_fw") if "_fw" in a.__dict__ else zeros_like(a))
        if isinstance(a, Tensor) and a.dtype.is_floating_point
        else None
        for a in args
    ]
    ctx._in_jvp = True
    try:
        with _suspended():
            result = cls.jvp(ctx, *tangents)
    finally:
        ctx._in_jvp = False
    result = result if isinstance(result, tuple) else (result,)
    if len(result) != len(outs):
        raise RuntimeError(
            f"jvp() returned {len(result)} tangents, but forward() returned {len(outs)} outputs"
        )
    for o, t in zip(outs, result):
        if isinstance(o, Tensor) and isinstance(t, Tensor):
            _set_tangent(o, t)


def _remember_saved_outputs(ctx, outs, nodes):
    if not ctx._saved:
        return
    refs = [None] * len(outs)
    for i, node in nodes:
        refs[i] = weakref.ref(node)
    ctx._output_nodes = tuple(refs)
    index = {id(o): i for i, node in nodes for o in (outs[i],)}
    ctx._saved = tuple(
        _SavedOutput(index[id(t)], t) if t is not None and id(t) in index else t for t in ctx._saved
    )


def _function_vjp(ctx, grad):
    from .._creation import zeros

    grads = grad.grads if isinstance(grad, _Slots) else [grad]
    if ctx._materialize:
        grads = [
            zeros(m[0], dtype=m[1]) if g is None and m is not None else g
            for g, m in zip(grads, ctx._output_meta)
        ]
    result = ctx._function.backward(ctx, *grads)
    result = result if isinstance(result, tuple) else (result,)
    n = len(ctx._edges)
    if len(result) != n:
        if len(result) > n and all(g is None for g in result[n:]):
            result = result[:n]
        else:
            raise RuntimeError(
                f"function {type(ctx).__name__} returned an incorrect number of gradients "
                f"(expected {n}, got {len(result)})"
            )
    return result


def once_differentiable(fn):
    """Mirrors `torch.autograd.function.once_differentiable`: backward runs without recording."""

    @functools.wraps(fn)
    def wrapper(ctx, *grads):
        from .._tensor import Tensor

        # torch marks the results when an incoming gradient has a graph; mytorch's implicit
        # higher-order mode marks them always, since it would otherwise read them as constants
        recording = _state.enabled and (
            _state.implicit_higher_order or any(isinstance(g, Tensor) and g._rg for g in grads)
        )
        with no_grad():
            result = fn(ctx, *grads)
        if not recording:
            return result
        # differentiating these results again must fail loudly, not read as zero
        single = not isinstance(result, tuple)
        out = tuple(_delayed_error(ctx, g) for g in ((result,) if single else result))
        return out[0] if single else out

    return wrapper


class _DelayedError(Node):
    def vjp(self, grad):
        raise RuntimeError(
            "trying to differentiate twice a function that was marked with @once_differentiable"
        )


def _delayed_error(ctx, grad):
    from .._tensor import Tensor

    if not isinstance(grad, Tensor) or not grad.dtype.is_floating_point:
        return grad
    node = _DelayedError.__new__(_DelayedError)
    node._edges = tuple(e for e in ctx._edges if e[0] is not None)
    node._meta = ((None, None),) * len(node._edges)
    node.needs_input_grad = (True,) * len(node._edges)
    node._inputs = node._result = None
    node._seq = _next_seq()
    return Tensor._make(grad._data, True, node)
