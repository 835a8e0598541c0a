"""Derivatives of whole functions: jacobian, hessian, vjp, jvp, hvp, vhp.

Mirrors `torch.autograd.functional`. Every call into `autograd.grad` passes `create_graph`,
`retain_graph` and `allow_unused` explicitly, so results follow torch, not mytorch's
higher-order default for `grad`. `vectorize=True` is accepted and computes the same rows one
backward pass at a time (torch batches them with vmap; the numbers are equal).
"""

from __future__ import annotations

# the package, not its members: this module is imported while mytorch itself is still loading
import mytorch

__all__ = ["vjp", "jvp", "jacobian", "hessian", "hvp", "vhp"]


def _tensors(value, what: str, fn: str | None) -> tuple[bool, tuple]:
    """`(was_tuple, tensors)`, with torch's TypeError for anything but a Tensor or tuple of them."""
    was_tuple = isinstance(value, tuple)
    items = value if was_tuple else (value,)
    for i, item in enumerate(items):
        if not isinstance(item, mytorch.Tensor):
            where = f"the value at index {i}" if was_tuple else f"the given {what}"
            raise TypeError(
                f"The {what} given to {fn} must be either a Tensor or a tuple of Tensors but "
                f"{where} has type {type(item)}."
            )
    return was_tuple, items


def _unpack(res, outer_tuple: bool, inner_tuple: bool | None = None):
    """Undo the tuple wrapping of arguments that the user passed as single Tensors."""
    if inner_tuple is not None and not inner_tuple:
        res = tuple(row[0] for row in res)
    return res if outer_tuple else res[0]


def _fresh(tensors, create_graph: bool, need_graph: bool) -> tuple:
    """Tensors to differentiate with respect to, leaving the caller's tensors untouched.

    With create_graph a tensor that already requires grad stays connected to its graph (through
    a view), so the result can be differentiated with respect to the caller's tensors.
    """
    return tuple(
        t.view_as(t) if create_graph and t.requires_grad else t.detach().requires_grad_(need_graph)
        for t in tensors
    )


def _done(res, create_graph: bool):
    """Results as handed back: detached unless create_graph (nested tuples for jacobians)."""
    if create_graph:
        return res
    return tuple(r.detach() if isinstance(r, mytorch.Tensor) else _done(r, False) for r in res)


def _check_v(v, other, other_is_tuple: bool) -> None:
    if len(v) != len(other):
        if other_is_tuple:
            raise RuntimeError(
                f"v is a tuple of invalid length: should be {len(other)} but got {len(v)}."
            )
        raise RuntimeError("The given v should contain a single Tensor.")
    for i, (v_i, o_i) in enumerate(zip(v, other)):
        if v_i.shape != o_i.shape:
            prefix = f"Entry {i} in " if other_is_tuple else ""
            raise RuntimeError(
                f"{prefix}v has invalid size: should be {o_i.size()} but got {v_i.size()}."
            )


def _grad(outputs, inputs, grad_outputs, create_graph: bool, retain_graph=None) -> tuple:
    """`autograd.grad` over the outputs that are part of a graph; None for unused inputs."""
    if grad_outputs is None:
        grad_outputs = (None,) * len(outputs)
    pairs = [(o, g) for o, g in zip(outputs, grad_outputs) if o is not None and o.requires_grad]
    if not pairs:
        return (None,) * len(inputs)
    # as torch's engine does, a cotangent takes its output's dtype
    grads = tuple(g if g is None or g.dtype == o.dtype else g.to(o.dtype) for o, g in pairs)
    return mytorch.autograd.grad(
        tuple(o for o, _ in pairs),
        inputs,
        grads,
        retain_graph=create_graph if retain_graph is None else retain_graph,
        create_graph=create_graph,
        allow_unused=True,
    )


def _require_grad(tensors, kind: str, strict: bool) -> None:
    """In strict mode, every tensor must exist and depend on the inputs (torch's messages)."""
    if not strict:
        return
    for i, t in enumerate(tensors):
        if t is None:
            raise RuntimeError(
                f"The output of the user-provided function is independent of input {i}. This is "
                "not allowed in strict mode."
            )
        if t.requires_grad:
            continue
        if kind == "jacobian":
            raise RuntimeError(
                "While computing the hessian, found that the jacobian of the user-provided "
                f"function with respect to input {i} is independent of the input. This is not "
                "allowed in strict mode. You should ensure that your function is twice "
                "differentiable and that the jacobian depends on the inputs (this would be "
                "violated by a linear function for example)."
            )
        if kind == "grad_inputs":
            raise RuntimeError(
                f"The gradient with respect to input {i} is independent of the inputs of the "
                "user-provided function. This is not allowed in strict mode."
            )
        raise RuntimeError(
            f"Output {i} of the user-provided function does not require gradients. The outputs "
            "must be computed in a differentiable manner from the input when running in strict "
            "mode."
        )


_INDEPENDENT = {
    "back": "The output of the user-provided function is independent of input {i}. This is not "
    "allowed in strict mode.",
    "back_trick": "The gradient with respect to the input is independent of entry {i} in the "
    "grad_outputs when using the double backward trick to compute forward mode gradients. This "
    "is not allowed in strict mode.",
    "double_back": "The jacobian of the user-provided function is independent of input {i}. This "
    "is not allowed in strict mode.",
    "double_back_trick": "The hessian of the user-provided function is independent of entry {i} "
    "in the grad_jacobian. This is not allowed in strict mode as it prevents from using the "
    "double backward trick to replace forward mode AD.",
}


def _fill_zeros(grads, refs, strict: bool, create_graph: bool, stage: str) -> tuple:
    """Zeros for missing gradients (the mathematical value); strict mode refuses them instead."""
    res = []
    for i, (g, ref) in enumerate(zip(grads, refs)):
        if g is None:
            if strict:
                raise RuntimeError(_INDEPENDENT[stage].format(i=i))
            g = mytorch.zeros_like(ref)
        elif strict and create_graph and not g.requires_grad:
            what = "hessian" if stage.startswith("double") else "jacobian"
            raise RuntimeError(
                f"The {what} of the user-provided function is independent of input {i}. This is "
                "not allowed in strict mode when create_graph=True."
            )
        res.append(g)
    return tuple(res)


def _single_output(outputs, is_tuple: bool, fn: str) -> None:
    if is_tuple:
        raise RuntimeError(f"The function given to {fn} should return a single Tensor")
    if outputs[0].numel() != 1:
        raise RuntimeError(
            f"The Tensor returned by the function given to {fn} should contain a single element"
        )


def _v_or_default(v, against, against_is_tuple: bool, create_graph: bool, fn: str):
    """The vector v checked against the inputs (jvp, hvp, vhp); None only for one scalar input."""
    if v is None:
        if len(against) != 1 or against[0].numel() != 1:
            raise RuntimeError(
                "The vector v can only be None if the input to the user-provided function is a "
                "single Tensor with a single element."
            )
        return None
    v = _fresh(_tensors(v, "v", fn)[1], create_graph, need_graph=False)
    _check_v(v, against, against_is_tuple)
    return v


def vjp(func, inputs, v=None, create_graph=False, strict=False):
    """Mirrors `torch.autograd.functional.vjp`: `(func(inputs), v^T J)`."""
    with mytorch.enable_grad():
        is_inputs_tuple, inputs = _tensors(inputs, "inputs", "vjp")
        inputs = _fresh(inputs, create_graph, need_graph=True)
        outputs = func(*inputs)
        is_outputs_tuple, outputs = _tensors(
            outputs, "outputs of the user-provided function", "vjp"
        )
        _require_grad(outputs, "outputs", strict)
        if v is not None:
            v = _fresh(_tensors(v, "v", "vjp")[1], create_graph, need_graph=False)
            _check_v(v, outputs, is_outputs_tuple)
        elif len(outputs) != 1 or outputs[0].numel() != 1:
            raise RuntimeError(
                "The vector v can only be None if the user-provided function returns a single "
                "Tensor with a single element."
            )
        res = _grad(outputs, inputs, v, create_graph)
        res = _fill_zeros(res, inputs, strict, create_graph, "back")
    return (
        _unpack(_done(outputs, create_graph), is_outputs_tuple),
        _unpack(_done(res, create_graph), is_inputs_tuple),
    )


def jvp(func, inputs, v=None, create_graph=False, strict=False):
    """Mirrors `torch.autograd.functional.jvp`: `(func(inputs), J v)`.

    As torch does, by the double-backward trick: `u -> J^T u` is linear, so its vjp with v is J v.
    """
    with mytorch.enable_grad():
        is_inputs_tuple, inputs = _tensors(inputs, "inputs", "jvp")
        inputs = _fresh(inputs, create_graph, need_graph=True)
        v = _v_or_default(v, inputs, is_inputs_tuple, create_graph, "jvp")
        outputs = func(*inputs)
        is_outputs_tuple, outputs = _tensors(
            outputs, "outputs of the user-provided function", "jvp"
        )
        _require_grad(outputs, "outputs", strict)
        # any finite u works: J^T u is linear in u, so u's value never reaches the result
        u = tuple(mytorch.zeros_like(o, requires_grad=True) for o in outputs)
        grad_inputs = _grad(outputs, inputs, u, create_graph=True)
        _require_grad(grad_inputs, "grad_inputs", strict)
        res = _grad(grad_inputs, u, v, create_graph)
        res = _fill_zeros(res, outputs, strict, create_graph, "back_trick")
    return (
        _unpack(_done(outputs, create_graph), is_outputs_tuple),
        _unpack(_done(res, create_graph), is_outputs_tuple),
    )


def _gradient_of_scalar(func, inputs, v, create_graph, strict, name):
    """The shared first half of vhp and hvp: checked inputs and v, the scalar output and its
    gradient (with a graph, to be differentiated again)."""
    is_inputs_tuple, inputs = _tensors(inputs, "inputs", name)
    inputs = _fresh(inputs, create_graph, need_graph=True)
    v = _v_or_default(v, inputs, is_inputs_tuple, create_graph, name)
    outputs = func(*inputs)
    is_outputs_tuple, outputs = _tensors(outputs, "outputs of the user-provided function", name)
    _require_grad(outputs, "outputs", strict)
    _single_output(outputs, is_outputs_tuple, name)
    jac = _grad(outputs, inputs, None, create_graph=True)
    _require_grad(jac, "jacobian", strict)
    return inputs, v, outputs, jac, (is_inputs_tuple, is_outputs_tuple)


def vhp(func, inputs, v=None, create_graph=False, strict=False):
    """Mirrors `torch.autograd.functional.vhp`: `(func(inputs), v^T H)` for a scalar func."""
    with mytorch.enable_grad():
        inputs, v, outputs, jac, tuples = _gradient_of_scalar(
            func, inputs, v, create_graph, strict, "vhp"
        )
        is_inputs_tuple, is_outputs_tuple = tuples
        res = _grad(jac, inputs, v, create_graph)
        res = _fill_zeros(res, inputs, strict, create_graph, "double_back")
    return (
        _unpack(_done(outputs, create_graph), is_outputs_tuple),
        _unpack(_done(res, create_graph), is_inputs_tuple),
    )


def hvp(func, inputs, v=None, create_graph=False, strict=False):
    """Mirrors `torch.autograd.functional.hvp`: `(func(inputs), H v)` for a scalar func.

    As torch does, H v is the vjp of `u -> H u` (double backward), not `v^T H` transposed.
    """
    with mytorch.enable_grad():
        inputs, v, outputs, jac, tuples = _gradient_of_scalar(
            func, inputs, v, create_graph, strict, "hvp"
        )
        is_inputs_tuple, is_outputs_tuple = tuples
        u = tuple(mytorch.zeros_like(t, requires_grad=True) for t in inputs)
        double_back = _grad(jac, inputs, u, create_graph=True)
        res = _grad(double_back, u, v, create_graph)
        res = _fill_zeros(res, inputs, strict, create_graph, "double_back_trick")
    return (
        _unpack(_done(outputs, create_graph), is_outputs_tuple),
        _unpack(_done(res, create_graph), is_inputs_tuple),
    )


def _jacobian_rows(out, i: int, inputs, create_graph: bool, strict: bool) -> list:
    """Rows of d out / d input for every input: one backward pass per element, one graph."""
    n = out.numel()
    if not out.requires_grad:
        return [[mytorch.zeros_like(inp)] * n for inp in inputs]
    rows: list[list] = [[] for _ in inputs]
    one_hots = mytorch.eye(n, dtype=out.dtype, device=out.device).view((n, *out.shape))
    for j in range(n):
        grads = mytorch.autograd.grad(
            out,
            inputs,
            one_hots[j],
            retain_graph=True,
            create_graph=create_graph,
            allow_unused=True,
        )
        for k, g in enumerate(grads):
            if g is None:
                if strict:
                    raise RuntimeError(
                        f"Output {i} of the user-provided function is independent of input {k}. "
                        "This is not allowed in strict mode."
                    )
                g = mytorch.zeros_like(inputs[k])
            elif strict and create_graph and not g.requires_grad:
                # NOTE: torch names the output's index here, not the input's
                raise RuntimeError(
                    f"The jacobian of the user-provided function is independent of input {i}. "
                    "This is not allowed in strict mode when create_graph=True."
                )
            rows[k].append(g)
    return rows


def _stack_rows(rows: list, shape: tuple):
    # a gradient (one row) is returned as it is: fewer nodes for the next derivative to walk
    if len(rows) == 1:
        return rows[0] if tuple(rows[0].shape) == shape else rows[0].view(shape)
    return mytorch.stack(rows).view(shape)


def _jacobian_blocks(outputs, inputs, create_graph: bool, strict: bool, vectorize: bool):
    """`blocks[i][k]`, the Jacobian of outputs[i] with respect to inputs[k]."""
    rows = [_jacobian_rows(out, i, inputs, create_graph, strict) for i, out in enumerate(outputs)]
    shapes = [[tuple(out.shape) + tuple(inp.shape) for inp in inputs] for out in outputs]
    # an output without elements fails in stack, as in torch
    if not vectorize:
        return tuple(
            tuple(_stack_rows(r, s) for r, s in zip(rows_i, shapes_i))
            for rows_i, shapes_i in zip(rows, shapes)
        )
    # torch's vectorized path makes one tensor per input and hands out views of it, so with
    # create_graph a block of zeros requires grad when its neighbours do; keep that
    columns = [mytorch.stack([r for rows_i in rows for r in rows_i[k]]) for k in range(len(inputs))]
    blocks, start = [], 0
    for out, shapes_i in zip(outputs, shapes):
        n = out.numel()
        blocks.append(tuple(c[start : start + n].view(s) for c, s in zip(columns, shapes_i)))
        start += n
    return tuple(blocks)


def _reverse_jacobian(func, inputs, create_graph, strict, vectorize, what, fn):
    """`(is_outputs_tuple, outputs, blocks)` with `blocks[i][k]` = d outputs[i] / d inputs[k]."""
    with mytorch.enable_grad():
        inputs = _fresh(inputs, create_graph, need_graph=True)
        is_outputs_tuple, outputs = _tensors(func(*inputs), what, fn)
        _require_grad(outputs, "outputs", strict)
        if vectorize and strict:
            raise RuntimeError(
                "torch.autograd.functional.jacobian: `strict=True` and `vectorized=True` are not "
                "supported together. Please either set `strict=False` or `vectorize=False`."
            )
        blocks = _jacobian_blocks(outputs, inputs, create_graph, strict, vectorize)
    return is_outputs_tuple, outputs, _done(blocks, create_graph)


def _forward_ad():
    try:
        from . import forward_ad
    except ImportError:
        return None
    return forward_ad


def _forward_jacobian(func, inputs):
    """Forward mode: one JVP per input element.

    As in torch, blocks take the output's dtype and come back in lists rather than tuples.
    """
    fwd = _forward_ad()
    if fwd is None:  # the same numbers by reverse mode; which results require grad may differ
        is_outputs_tuple, outputs, blocks = _reverse_jacobian(
            func, inputs, False, False, True, "outputs", None
        )
        return is_outputs_tuple, [[b.to(o.dtype) for b in row] for row, o in zip(blocks, outputs)]
    columns = []  # for each input element: the tangent of every output
    outputs = is_outputs_tuple = None
    with fwd.dual_level():
        for k, inp in enumerate(inputs):
            basis = mytorch.eye(inp.numel(), dtype=inp.dtype, device=inp.device)
            for e in range(inp.numel()):
                # every input gets a tangent (zeros but one), as in torch: which results
                # require grad depends on it
                args = tuple(
                    fwd.make_dual(x, basis[e].view(x.shape) if m == k else mytorch.zeros_like(x))
                    for m, x in enumerate(inputs)
                )
                is_outputs_tuple, duals = _tensors(func(*args), "outputs", None)
                unpacked = [fwd.unpack_dual(d) for d in duals]
                outputs = tuple(p for p, _ in unpacked)
                columns.append(
                    tuple(t if t is not None else mytorch.zeros_like(p) for p, t in unpacked)
                )
        if outputs is None:
            is_outputs_tuple, outputs = _tensors(
                func(*(x.view_as(x) for x in inputs)), "outputs", None
            )
    blocks = []
    for i, out in enumerate(outputs):
        # one tensor per output, sliced per input, as torch does (an empty block of a tensor
        # that requires grad requires grad too)
        if columns:
            stacked = mytorch.stack([c[i] for c in columns])
        else:
            stacked = mytorch.zeros((0, *out.shape), dtype=out.dtype, device=out.device)
        row, start = [], 0
        for inp in inputs:
            block = stacked[start : start + inp.numel()].movedim(0, -1)
            row.append(block.reshape(tuple(out.shape) + tuple(inp.shape)))
            start += inp.numel()
        blocks.append(row)
    return is_outputs_tuple, blocks


def jacobian(
    func, inputs, create_graph=False, strict=False, vectorize=False, strategy="reverse-mode"
):
    """Mirrors `torch.autograd.functional.jacobian`.

    The result is indexed `[output][input]`, each block of shape `output.shape + input.shape`,
    with the tuple levels dropped where func returned, or was given, a single Tensor.
    """
    if strategy not in ("forward-mode", "reverse-mode"):
        raise AssertionError(
            'Expected strategy to be either "forward-mode" or "reverse-mode". Hint: If your '
            'function has more outputs than inputs, "forward-mode" tends to be more performant. '
            'Otherwise, prefer to use "reverse-mode".'
        )
    if strategy == "forward-mode":
        if create_graph:
            raise NotImplementedError(
                "torch.autograd.functional.jacobian: `create_graph=True` and "
                '`strategy="forward-mode"` are not supported together (yet). Please either set '
                '`create_graph=False` or `strategy="reverse-mode"`.'
            )
        if strict:
            raise RuntimeError(
                "torch.autograd.functional.jacobian: `strict=True` and "
                '`strategy="forward-mode"` are not supported together (yet). Please either set '
                '`strict=False` or `strategy="reverse-mode"`.'
            )
        is_inputs_tuple, inputs = _tensors(inputs, "inputs", "jacobian")
        if not vectorize:
            # NOTE: the missing space after "is" is torch's
            raise NotImplementedError(
                "Computing Jacobian using forward-AD or forward-over-reverse Hessian is"
                "only implemented for `vectorize=True`."
            )
        is_outputs_tuple, blocks = _forward_jacobian(func, inputs)
        return _unpack(blocks, is_outputs_tuple, is_inputs_tuple)
    is_inputs_tuple, inputs = _tensors(inputs, "inputs", "jacobian")
    is_outputs_tuple, _, blocks = _reverse_jacobian(
        func,
        inputs,
        create_graph,
        strict,
        vectorize,
        "outputs of the user-provided function",
        "jacobian",
    )
    return _unpack(blocks, is_outputs_tuple, is_inputs_tuple)


def hessian(
    func,
    inputs,
    create_graph=False,
    strict=False,
    vectorize=False,
    outer_jacobian_strategy="reverse-mode",
):
    """Mirrors `torch.autograd.functional.hessian`: the jacobian of the gradient of a scalar func.

    The result is indexed `[input][input]`, each block of shape `input_i.shape + input_j.shape`.
    """
    is_inputs_tuple, inputs = _tensors(inputs, "inputs", "hessian")
    if outer_jacobian_strategy not in ("forward-mode", "reverse-mode"):
        raise AssertionError('Expected strategy to be either "forward-mode" or "reverse-mode".')

    def scalar_func(*args):
        out = func(*args)
        is_tuple, outs = _tensors(out, "outputs of the user-provided function", "hessian")
        _require_grad(outs, "outputs", strict)
        _single_output(outs, is_tuple, "hessian")
        return out.squeeze()

    def gradient(*args):
        if outer_jacobian_strategy == "forward-mode":
            # the inner reverse pass must see inputs in a graph, or it would detach the tangents
            args = tuple(a if a.requires_grad else a.requires_grad_(True) for a in args)
        grads = jacobian(scalar_func, args, create_graph=True)
        _require_grad(grads, "jacobian", strict)
        return grads

    res = jacobian(
        gradient,
        inputs,
        create_graph=create_graph,
        strict=strict,
        vectorize=vectorize,
        strategy=outer_jacobian_strategy,
    )
    return _unpack(res, is_inputs_tuple, is_inputs_tuple)
