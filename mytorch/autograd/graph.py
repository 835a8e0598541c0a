"""Graph nodes (`<Name>Backward<k>`, the leaves' AccumulateGrad), hook handles, and the optional
per-node extras: Node hooks, saved-tensors hooks (`saved_tensors_hooks`, `save_on_cpu`) and the
anomaly-mode record. Mirrors `torch.autograd.graph`.
"""

from __future__ import annotations

import contextlib
import itertools
import re
import threading
import weakref
from collections.abc import Callable
from typing import Any

from .grad_mode import no_grad

_next_seq = itertools.count().__next__

FREED = (
    "Trying to backward through the graph a second time (or directly access saved tensors after "
    "they have already been freed). Saved intermediate values of the graph are freed when you call "
    ".backward() or autograd.grad(). Specify retain_graph=True if you need to backward through the "
    "graph a second time or if you need to access saved tensors after calling backward."
)

# True while anomaly mode is on or a saved_tensors_hooks context is open on any thread: the one
# check a new node pays for these features when they are off
_extras = False
_anomaly = False
_open_hooks = 0
_lock = threading.Lock()


def _set_extras(*, anomaly: bool | None = None, hooks_delta: int = 0) -> None:
    global _extras, _anomaly, _open_hooks
    with _lock:
        if anomaly is not None:
            _anomaly = anomaly
        _open_hooks += hooks_delta
        _extras = _anomaly or _open_hooks > 0


_Tensor = None  # Tensor, once loaded: _tensor imports this module


def _tensor_class():
    global _Tensor
    from .._tensor import Tensor

    _Tensor = Tensor
    return Tensor


class RemovableHandle:
    """Mirrors `torch.utils.hooks.RemovableHandle`: `.remove()` takes the hook out again."""

    _ids = itertools.count()

    def __init__(self, hooks: dict):
        self._hooks = hooks
        self.id = next(RemovableHandle._ids)

    def remove(self) -> None:
        self._hooks.pop(self.id, None)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.remove()


class Node:
    """A recorded op. It is also the `ctx` its derivative rule receives. Mirrors
    `torch.autograd.graph.Node`.

    Fields: `_edges` ((node or None, 0) per positional input; `next_functions` shows the ones
    torch shows),
    `_meta` ((shape, dtype) per input, so the engine can unbroadcast and cast), `_seq` (creation
    order, a valid topological order), and what the rule needs: the inputs, the output array and
    the op's keyword parameters as attributes.
    """

    _rule: Callable[..., Any] = None  # type: ignore[assignment]  # set per subclass by the registry
    _hooks = None  # tensor hooks of the tensor this node produced: {handle id: fn}
    _retain_hook = None  # retain_grad's hook, which torch always runs last
    # ({id: prehook}, {id: hook}) once register_prehook/register_hook is used
    _node_hooks: tuple[dict[int, Callable], dict[int, Callable]] | None = None

    def __init__(self, inputs, edges, meta, needs, result, result_vc, versions, params):
        self._inputs = inputs
        self._edges = edges
        self._meta = meta
        self._result = result
        self._result_vc = result_vc
        self._versions = versions
        self.needs_input_grad = needs
        if params:
            self.__dict__.update(params)
        self._seq = _next_seq()
        if _extras:
            _on_create(self)

    _shown = None  # indices of the inputs torch lists in next_functions; None: all

    @property
    def next_functions(self) -> tuple:
        if self._shown is None:
            return self._edges
        return tuple(self._edges[i] for i in self._shown)

    def name(self) -> str:
        return type(self).__name__

    @property
    def metadata(self) -> dict:
        """Free-form per-node dict, as torch's; anomaly mode keeps "traceback_" and "parent_"."""
        meta = self.__dict__.get("_metadata")
        if meta is None:
            meta = self.__dict__["_metadata"] = {}
        return meta

    def _op_name(self) -> str:
        # torch's in-place error names the op without the Backward<k> suffix
        return re.sub(r"Backward\d*$", "", self.name())

    def __repr__(self) -> str:
        return f"<{type(self).__name__} object at {id(self):#x}>"

    def _modified(self, tensor, expected, which):
        raise RuntimeError(
            "one of the variables needed for gradient computation has been modified by an "
            f"inplace operation: [{tensor.type()} {list(tensor.shape)}]{which}, is at "
            f"version {tensor._version}; expected version {expected} instead. Hint: the "
            "operation that failed to compute its gradient is "
            f"{type(self).__name__}; its saved tensors must not be changed in place."
        )

    def _check(self, tensor, expected, which):
        if tensor._version != expected:
            self._modified(tensor, expected, which)

    @property
    def inputs(self) -> tuple:
        """The op's positional inputs (Tensors, or Python numbers where the op took a number)."""
        inputs = self._inputs
        if inputs.__class__ is not tuple:  # None once freed, or _Packed by saved-tensors hooks
            return self._unpacked_inputs()
        for t, v in zip(inputs, self._versions):
            if v is not None and t._vc[0] != v:
                node = t.grad_fn
                self._modified(t, v, f", which is output 0 of {node._op_name()}" if node else "")
        return inputs

    @property
    def shapes(self) -> tuple:
        """Input shapes; reading them never fails, as torch saves sizes separately."""
        return tuple(m[0] for m in self._meta)

    @property
    def result(self):
        """The op's output as a Tensor whose grad_fn is this node, so higher orders flow here."""
        data = self._result
        if data is None:
            raise RuntimeError(FREED)
        if data.__class__ is _SavedTensor:
            out = data.unpack(self)
        else:
            out = (_Tensor or _tensor_class())._make(data, True, self, self._result_vc)
            if out._vc[0] != self._result_version:
                which = f", which is output 0 of {self._op_name()}"
                self._modified(out, self._result_version, which)
        if "_fw" in self.__dict__:  # forward-mode AD gave the output a tangent: keep it
            out.__dict__["_fw"] = self.__dict__["_fw"]
        return out

    _result_version = 0

    def vjp(self, grad) -> tuple:
        grads = type(self)._rule(self, grad)
        return grads if isinstance(grads, tuple) else (grads,)

    def release(self) -> None:
        self._inputs = None
        self._result = None

    # ---- Node hooks ------------------------------------------------------------------------

    def register_prehook(self, fn) -> RemovableHandle:
        """Mirrors `torch.autograd.graph.Node.register_prehook`: `fn(grad_outputs)` runs before
        the node's backward and may return a tuple that replaces `grad_outputs`."""
        return self._add_node_hook(0, fn)

    def register_hook(self, fn) -> RemovableHandle:
        """Mirrors `torch.autograd.graph.Node.register_hook`: `fn(grad_inputs, grad_outputs)` runs
        after the node's backward and may return a tuple that replaces `grad_inputs`."""
        return self._add_node_hook(1, fn)

    def _add_node_hook(self, which: int, fn) -> RemovableHandle:
        if self._node_hooks is None:
            self._node_hooks = ({}, {})
        hooks = self._node_hooks[which]
        handle = RemovableHandle(hooks)
        hooks[handle.id] = fn
        return handle

    def _grad_outputs(self, grad) -> tuple:
        return (grad,)

    def _from_grad_outputs(self, grads: tuple):
        return grads[0]

    def _vjp_with_extras(self, grad, needs: tuple, anomaly: bool) -> tuple:
        """`vjp` with the Node hooks around it and, in anomaly mode, torch's checks (the engine's
        slow path, taken only when one of them is in use)."""
        if anomaly:
            from .anomaly_mode import _evaluate

            return _evaluate(self, grad, needs)
        return self._hooked_vjp(grad, needs)

    def _hooked_vjp(self, grad, needs: tuple) -> tuple:
        if self._node_hooks is None:
            return self.vjp(grad)
        pre, post = self._node_hooks
        if pre:
            grad_outputs = self._grad_outputs(grad)
            for fn in tuple(pre.values()):
                grad_outputs = _hook_result(fn, fn(grad_outputs), grad_outputs)
            grad = self._from_grad_outputs(grad_outputs)
        grads = self.vjp(grad)
        if not post:
            return grads
        # torch hands None for the inputs it was not asked to differentiate
        grad_inputs = tuple(g if need else None for g, need in zip(grads, needs))
        grad_outputs = self._grad_outputs(grad)
        for fn in tuple(post.values()):
            grad_inputs = _hook_result(fn, fn(grad_inputs, grad_outputs), grad_inputs)
        return grad_inputs

    # ---- saved-tensors hooks -----------------------------------------------------------------

    def _pack(self, pack_hook, unpack_hook) -> None:
        uses_inputs, uses_result = _saved_by_rule(type(self))
        if uses_inputs and self._inputs is not None:
            from .._tensor import Tensor

            self._inputs = _Packed(
                _SavedTensor(pack_hook(x), unpack_hook, edge) if isinstance(x, Tensor) else x
                for x, (edge, _) in zip(self._inputs, self._edges)
            )
        if uses_result and self._result is not None:
            from .._tensor import Tensor

            out = Tensor._make(self._result, True, self, self._result_vc)
            self._result = _SavedTensor(pack_hook(out), unpack_hook, None)

    def _unpacked_inputs(self) -> tuple:
        if self._inputs is None:
            raise RuntimeError(FREED)
        return tuple(x.unpack() if x.__class__ is _SavedTensor else x for x in self._inputs)


def _hook_result(fn, value, current: tuple) -> tuple:
    """A Node hook's return value as torch checks it: None keeps `current`, else a tuple of the
    same length."""
    if value is None:
        return current
    if not isinstance(value, tuple):
        raise TypeError(f"expected tuple, but hook returned '{type(value).__name__}'")
    if len(value) != len(current):
        raise RuntimeError(
            f"hook '{getattr(fn, '__name__', fn)}' has returned an incorrect number of values "
            f"(got {len(value)}, but expected {len(current)})"
        )
    return value


class AccumulateGrad(Node):
    """The node standing for a leaf tensor; the engine's `backward` writes its `.grad`."""

    def __init__(self, tensor):
        self._variable = weakref.ref(tensor)
        self._edges = ()
        self._meta = ()
        self.needs_input_grad = ()
        self._seq = _next_seq()
        self._inputs = self._result = None

    @property
    def variable(self):
        return self._variable()

    def name(self) -> str:
        return "torch::autograd::AccumulateGrad"  # torch's C++ name

    def release(self) -> None:
        pass

    def _accumulate_with_hooks(self, grad, accumulate) -> None:
        """`accumulate(grad)` between this node's prehooks and hooks, which see `.grad` before
        and after the update (torch calls the hooks `(grad_inputs=(), grad_outputs=(grad,))`)."""
        assert self._node_hooks is not None  # the engine comes here only when hooks are set
        pre, post = self._node_hooks
        grad_outputs = (grad,)
        for fn in tuple(pre.values()):
            grad_outputs = _hook_result(fn, fn(grad_outputs), grad_outputs)
        accumulate(grad_outputs[0])
        for fn in tuple(post.values()):
            _hook_result(fn, fn((), grad_outputs), ())


# ---- saved-tensors hooks --------------------------------------------------------------------


class _HookState(threading.local):
    # (pack_hook, unpack_hook) of the open contexts, innermost last
    stack: list[tuple[Callable, Callable]]
    disabled: str | None = None  # disable_saved_tensors_hooks' message while it is active

    def __init__(self):
        self.stack = []


_hook_state = _HookState()


class _Packed(tuple):
    """A node's inputs after a pack hook took the Tensors among them (`_SavedTensor`s)."""


class _SavedTensor:
    """What a pack hook returned for one saved Tensor, and where the unpacked value reconnects
    to the graph: `edge` is the original's grad_fn or leaf accumulator (None: no grad), and a
    saved output reconnects to its own node."""

    __slots__ = ("packed", "unpack_hook", "edge")

    def __init__(self, packed, unpack_hook, edge):
        self.packed, self.unpack_hook, self.edge = packed, unpack_hook, edge

    def unpack(self, output_of=None):
        from .._tensor import Tensor

        value = self.unpack_hook(self.packed)
        if not isinstance(value, Tensor):
            raise TypeError(
                "Output of saved tensor unpack_hook expected to be a Tensor but got result of "
                f"type {type(value).__name__}"
            )
        # as torch, the value is the hook's and the autograd identity the original's
        edge = output_of if output_of is not None else self.edge
        if edge is None:
            return Tensor._make(value._data)
        if isinstance(edge, AccumulateGrad):
            out = Tensor._make(value._data, True)
            out._accumulator = edge
            return out
        return Tensor._make(value._data, True, edge)


def _rule_names(code) -> set:
    names = set(code.co_names)
    for const in code.co_consts:
        if hasattr(const, "co_names"):
            names |= _rule_names(const)
    return names


def _saved_by_rule(cls) -> tuple:
    """(packs inputs, packs result): whether the node's rule reads `ctx.inputs` / `ctx.result`.

    torch packs only what a derivative formula saves (both inputs of `a * b`, the output of
    `exp`); reading the rule's names gets the same for most ops. State a rule reaches only
    through a helper it passes `ctx` to is kept unpacked.
    """
    rule = cls._rule
    cached = cls.__dict__.get("_saved_cache")
    if cached is None or cached[0] is not rule:
        code = getattr(rule, "__code__", None)
        names = _rule_names(code) if code is not None else {"inputs", "result"}
        cached = (rule, ("inputs" in names, "result" in names))
        cls._saved_cache = cached
    return cached[1]


def _on_create(node) -> None:
    """A new node's extras: the anomaly-mode record, and packing its saved tensors."""
    if _anomaly:
        from .anomaly_mode import _record

        _record(node)
    stack = _hook_state.stack
    if stack:
        pack_hook, unpack_hook = stack[-1]
        with no_grad():  # as torch: what a pack hook computes is not recorded
            node._pack(pack_hook, unpack_hook)


class saved_tensors_hooks:  # noqa: N801
    """Mirrors `torch.autograd.graph.saved_tensors_hooks`.

    mytorch keeps an op's inputs (`ctx.inputs`) and output (`ctx.result`) rather than a per-op
    list of saved tensors: a node packs its Tensor inputs when its rule reads `ctx.inputs`, its
    output when the rule reads `ctx.result`, and a custom Function's `save_for_backward`
    tensors. That matches torch for most ops (`a * b` packs a and b, `exp` its output) but can
    pack more: `a * b.detach()` packs both, and `x * 2` packs x.
    """

    def __init__(self, pack_hook, unpack_hook):
        self.pack_hook = pack_hook
        self.unpack_hook = unpack_hook

    def __enter__(self) -> None:
        if _hook_state.disabled is not None:
            raise RuntimeError(_hook_state.disabled)
        _hook_state.stack.append((self.pack_hook, self.unpack_hook))
        _set_extras(hooks_delta=1)

    def __exit__(self, *args) -> None:
        _hook_state.stack.pop()
        _set_extras(hooks_delta=-1)


class save_on_cpu(saved_tensors_hooks):  # noqa: N801
    """Mirrors `torch.autograd.graph.save_on_cpu`; every tensor is on the CPU here, so packing
    keeps the tensor (a copy with `pin_memory=True`, as torch's staging buffer)."""

    def __init__(self, pin_memory: bool = False, device_type: str = "cuda") -> None:
        def pack_to_cpu(tensor):
            if not pin_memory:
                return (tensor.device, tensor.cpu())
            return (tensor.device, tensor.detach().clone())

        def unpack_from_cpu(packed):
            device, tensor = packed
            return tensor.to(device, non_blocking=pin_memory)

        super().__init__(pack_to_cpu, unpack_from_cpu)


@contextlib.contextmanager
def disable_saved_tensors_hooks(error_message: str):
    """Mirrors `torch.autograd.graph.disable_saved_tensors_hooks`."""
    if _hook_state.stack:
        raise RuntimeError(error_message)
    previous = _hook_state.disabled
    _hook_state.disabled = error_message
    try:
        yield
    finally:
        _hook_state.disabled = previous
