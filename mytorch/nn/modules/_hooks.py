"""Full backward hooks: identity autograd Functions around a module's inputs and outputs catch
the gradients flowing out of and into the module."""

from __future__ import annotations

from ..._tensor import Tensor
from ...autograd.function import Function


class BackwardHookFunction(Function):
    """Identity whose backward hands the gradients to a callback (torch's node name)."""

    @staticmethod
    def forward(ctx, callback, *tensors):
        ctx.callback = callback
        return tensors

    @staticmethod
    def backward(ctx, *grads):
        return (None,) + tuple(ctx.callback(grads))


class BackwardHook:
    """One module call's backward hooks: grad_output is caught at the outputs, then the hooks
    run when the gradients with respect to the inputs are known."""

    def __init__(self, module, hooks):
        self.module = module
        self.hooks = hooks
        self.grad_output = None
        self.n_inputs = 0

    def _run_hooks(self, grad_input):
        for hook in list(self.hooks.values()):
            result = hook(self.module, grad_input, self.grad_output)
            if result is not None:
                result = result if isinstance(result, tuple) else (result,)
                if len(result) != len(grad_input):
                    raise RuntimeError(
                        f"Backward hook returned an invalid number of grad_input, got "
                        f"{len(result)}, but expected {len(grad_input)}"
                    )
                grad_input = result
        return grad_input

    def _wrap(self, values, callback):
        positions = [i for i, v in enumerate(values) if isinstance(v, Tensor) and v.requires_grad]
        if not positions:
            return values, 0
        wrapped = BackwardHookFunction.apply(callback, *(values[i] for i in positions))
        out = list(values)
        for i, w in zip(positions, wrapped):
            out[i] = w
        return out, len(positions)

    def setup_input(self, args):
        def on_input(grads):
            return self._run_hooks(tuple(grads))

        out, self.n_inputs = self._wrap(list(args), on_input)
        return tuple(out)

    def setup_output(self, output):
        def on_output(grads):
            self.grad_output = tuple(grads)
            if not self.n_inputs:  # nothing flows back into the inputs: hooks run now
                self._run_hooks((None,))
            return grads

        single = isinstance(output, Tensor)
        out, _ = self._wrap([output] if single else list(output), on_output)
        return out[0] if single else type(output)(out)
