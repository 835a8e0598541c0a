"""Graph nodes: one per recorded op (`<Name>Backward<k>`), the leaves' AccumulateGrad, handles."""

from __future__ import annotations

import itertools
import re
import weakref

_next_seq = itertools.count().__next__

FREED = (
    "Trying to backward through the graph a second time (or directly access saved tensors after "
    "they have already been freed). Saved intermediate values of the graph are freed when you call "
    ".backward() or autograd.grad(). Specify retain_graph=True if you need to backward through the "
    "graph a second time or if you need to access saved tensors after calling backward."
)


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
    """A recorded op. It is also the `ctx` its derivative rule receives.

    Fields: `_edges` ((node or None, 0) per positional input; `next_functions` shows the ones
    torch shows),
    `_meta` ((shape, dtype) per input, so the engine can unbroadcast and cast), `_seq` (creation
    order, a valid topological order), and what the rule needs: the inputs, the output array and
    the op's keyword parameters as attributes.
    """

    _rule = None  # set per subclass by the op registry
    _hooks = None  # tensor hooks of the tensor this node produced: {handle id: fn}
    _retain_hook = None  # retain_grad's hook, which torch always runs last

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

    _shown = None  # indices of the inputs torch lists in next_functions; None: all

    @property
    def next_functions(self) -> tuple:
        if self._shown is None:
            return self._edges
        return tuple(self._edges[i] for i in self._shown)

    def name(self) -> str:
        return type(self).__name__

    def _op_name(self) -> str:
        # torch's in-place error names the op without the Backward<k> suffix
        return re.sub(r"Backward\d*$", "", self.name())

    def __repr__(self) -> str:
        return f"<{type(self).__name__} object at {id(self):#x}>"

    def _check(self, tensor, expected, which):
        if tensor._version != expected:
            raise RuntimeError(
                "one of the variables needed for gradient computation has been modified by an "
                f"inplace operation: [{tensor.type()} {list(tensor.shape)}]{which}, is at "
                f"version {tensor._version}; expected version {expected} instead. Hint: the "
                "operation that failed to compute its gradient is "
                f"{type(self).__name__}; its saved tensors must not be changed in place."
            )

    @property
    def inputs(self) -> tuple:
        """The op's positional inputs (Tensors, or Python numbers where the op took a number)."""
        if self._inputs is None:
            raise RuntimeError(FREED)
        for t, v in zip(self._inputs, self._versions):
            if v is not None:
                node = t.grad_fn
                self._check(t, v, f", which is output 0 of {node._op_name()}" if node else "")
        return self._inputs

    @property
    def shapes(self) -> tuple:
        """Input shapes; reading them never fails, as torch saves sizes separately."""
        return tuple(m[0] for m in self._meta)

    @property
    def result(self):
        """The op's output as a Tensor whose grad_fn is this node, so higher orders flow here."""
        if self._result is None:
            raise RuntimeError(FREED)
        from .._tensor import Tensor

        out = Tensor._make(self._result, True, self, self._result_vc)
        self._check(out, self._result_version, f", which is output 0 of {self._op_name()}")
        return out

    _result_version = 0

    def vjp(self, grad) -> tuple:
        grads = type(self)._rule(self, grad)
        return grads if isinstance(grads, tuple) else (grads,)

    def release(self) -> None:
        self._inputs = None
        self._result = None

    def register_hook(self, fn):
        raise NotImplementedError("Node.register_hook is not supported yet")


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

    def release(self) -> None:
        pass
