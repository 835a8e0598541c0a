"""Derivatives as functions: mirrors `torch.func` (grad, vjp, jvp, jacrev, jacfwd, hessian,
vmap, functional_call).

The transforms are built on the tape: `grad(f)(x)` runs `f` on a differentiable alias of `x`
and asks the engine for the gradient with its graph kept, so any transform of it (another
`grad`, `jacrev`, `vmap`, `jacfwd`) composes, to any order. `jvp` and `jacfwd` use
forward-mode AD (`mytorch.autograd.forward_ad`); where a forward level is already open (forward
over forward), they fall back to the same numbers from two reverse passes.
"""

from __future__ import annotations

import functools

from .. import autograd
from .._creation import zeros_like
from .._tensor import Tensor
from ..autograd import forward_ad
from ..autograd.engine import _collect
from ..autograd.grad_mode import enable_grad
from ..autograd.graph import AccumulateGrad
from ._pytree import tree_flatten, tree_unflatten
from ._vmap import vmap

__all__ = [
    "functional_call",
    "grad",
    "grad_and_value",
    "hessian",
    "jacfwd",
    "jacrev",
    "jvp",
    "vjp",
    "vmap",
]


def _tracked(leaves, fname):
    """Differentiable stand-ins for the inputs: an alias where `x` already has a history (so the
    result stays differentiable with respect to it), a fresh leaf otherwise."""
    out = []
    for x in leaves:
        if not isinstance(x, Tensor):
            raise ValueError(f"Thing passed to transform API must be Tensor, got {type(x)}")
        if not x.dtype.is_floating_point:
            raise RuntimeError("only Tensors of floating point dtype can require gradients")
        if x.requires_grad:
            out.append(x.view_as(x))
            continue
        leaf = _detach(x).requires_grad_()
        leaf.__dict__["_transform_leaf"] = True
        out.append(leaf)
    return out


_depth = [0]  # how many transforms are running; only the outermost one detaches its results


class _transform(enable_grad):  # noqa: N801 (used like a function)
    """The scope of one transform call: gradients recorded, and nesting counted."""

    def __enter__(self):
        super().__enter__()
        _depth[0] += 1

    def __exit__(self, *exc):
        _depth[0] -= 1
        return super().__exit__(*exc)


def _finish(results, fresh=()):
    """Inside another transform, results keep their graphs (the outer one differentiates
    them). The outermost call returns plain tensors, as torch.func does, unless a result's
    history reaches a tensor of the caller's that requires grad."""
    tensors = [r for r in results if isinstance(r, Tensor) and r.grad_fn is not None]
    if not tensors or _depth[0] > 1:
        return results
    for node in _collect([t.grad_fn for t in tensors]):
        if isinstance(node, AccumulateGrad):
            leaf = node.variable
            if leaf is not None and "_transform_leaf" not in leaf.__dict__:
                return results
    return [_detach(r) if isinstance(r, Tensor) else r for r in results]


def _detach(t):
    """`t.detach()` keeping what enclosing transforms attached to `t`: the forward tangent of a
    jvp/jacfwd, and vmap's batch mark (so `.item()` inside `vmap(grad(f))` is still refused)."""
    out = t.detach()
    tangent = t.__dict__.get("_fw")
    if tangent is not None:
        forward_ad._set_tangent(out, tangent)
    if "_batched" in t.__dict__:
        out.__dict__["_batched"] = t.__dict__["_batched"]
    return out


def _split_aux(out, fname):
    """`(output, aux)` from a `has_aux` function, checked as torch checks it."""
    if not (isinstance(out, tuple) and len(out) == 2):
        raise RuntimeError(
            f"{fname}: output of function f should be a tuple: (output, aux) if has_aux is True"
        )
    for leaf in tree_flatten(out[1], none_is_leaf=True)[0]:
        if not isinstance(leaf, Tensor):
            raise RuntimeError(f"Expected tensors, got unsupported type {type(leaf)}")
    return out


def _argnums_inputs(args, argnums, fname):
    if not isinstance(argnums, (int, tuple)):
        raise RuntimeError(f"argnums must be int or Tuple[int, ...], got: {type(argnums)}")
    nums = (argnums,) if isinstance(argnums, int) else argnums
    if not nums:
        raise RuntimeError("argnums must be non-empty")
    for n in nums:
        if not isinstance(n, int):
            raise RuntimeError(f"argnum must be int, got: {type(n)}")
        if not -len(args) <= n < len(args):
            raise RuntimeError(f"Got argnum={n}, but only {len(args)} positional inputs")
    return [n % len(args) for n in nums]


def _differentiable_call(func, args, argnums, fname):
    """Run `func` with the `argnums` inputs replaced by tracked stand-ins.

    Returns `(output, tracked leaves, rebuild)`, where `rebuild(flat)` puts a flat list shaped
    like the tracked leaves back into the structure of the `argnums` inputs.
    """
    nums = _argnums_inputs(args, argnums, fname)
    args = list(args)
    flats = [tree_flatten(args[n]) for n in nums]
    fresh_all = []
    for n, (leaves, spec) in zip(nums, flats):
        fresh = _tracked(leaves, fname)
        fresh_all += fresh
        args[n] = tree_unflatten(fresh, spec)

    def rebuild(flat):
        out, k = [], 0
        for leaves, spec in flats:
            out.append(tree_unflatten(flat[k : k + len(leaves)], spec))
            k += len(leaves)
        return out[0] if isinstance(argnums, int) else tuple(out)

    return func(*args), fresh_all, rebuild


def _grads(outputs, inputs, cotangents):
    """Gradients with graphs kept; a derivative that is identically zero is zeros."""
    pairs = [(o, c) for o, c in zip(outputs, cotangents) if o.requires_grad]
    if not pairs:
        return [zeros_like(x) for x in inputs]
    grads = autograd.grad(
        [o for o, _ in pairs],
        inputs,
        [c for _, c in pairs],
        create_graph=True,
        retain_graph=True,
        allow_unused=True,
    )
    return [zeros_like(x) if g is None else g for g, x in zip(grads, inputs)]


def grad_and_value(func, argnums=0, has_aux=False):
    """Mirrors `torch.func.grad_and_value`."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        fname = "grad_and_value(f)(*args)"
        with _transform():
            f = functools.partial(func, **kwargs) if kwargs else func
            out, fresh, rebuild = _differentiable_call(f, args, argnums, fname)
            aux = None
            if has_aux:
                out, aux = _split_aux(out, fname)
            if not isinstance(out, Tensor):
                raise RuntimeError(
                    f"{fname}: Expected f(*args) to return a Tensor, got {type(out)}"
                )
            if out.ndim != 0:
                raise RuntimeError(
                    f"{fname}: Expected f(*args) to return a scalar Tensor, got tensor with "
                    f"{out.ndim} dims. Maybe you wanted to use the vjp or jacrev APIs instead?"
                )
            grads = _grads([out], fresh, [None])
            aux_leaves, aux_spec = tree_flatten(aux)
            finished = _finish([*grads, out, *aux_leaves])
        n = len(grads)
        grads, value = finished[:n], finished[n]
        if has_aux:
            return rebuild(grads), (value, tree_unflatten(finished[n + 1 :], aux_spec))
        return rebuild(grads), value

    return wrapper


def grad(func, argnums=0, has_aux=False):
    """Mirrors `torch.func.grad`: the gradient of a scalar function, as a function."""
    inner = grad_and_value(func, argnums, has_aux)

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        g, value = inner(*args, **kwargs)
        return (g, value[1]) if has_aux else g

    return wrapper


def _tensor_outputs(out, has_aux):
    """`(output leaves, their structure, aux)` of a function given to vjp or jacrev."""
    aux = None
    if has_aux:
        out, aux = _split_aux(out, "vjp(f, *primals)")
    out_leaves, out_spec = tree_flatten(out)
    for o in out_leaves:
        if not isinstance(o, Tensor):
            raise RuntimeError(
                "vjp(f, *primals): expected f(*primals) to return only tensors, got "
                f"unsupported type {type(o)}"
            )
    return out_leaves, out_spec, aux


def vjp(func, *primals, has_aux=False):
    """Mirrors `torch.func.vjp`: `(output, vjp_fn)`, and `aux` with `has_aux=True`."""
    with _transform():
        out, fresh, rebuild = _differentiable_call(func, primals, tuple(range(len(primals))), "vjp")
        out_leaves, out_spec, aux = _tensor_outputs(out, has_aux)
        aux_leaves, aux_spec = tree_flatten(aux)
        shown = _finish([*out_leaves, *aux_leaves])

    def vjp_fn(cotangents, *, retain_graph=True, create_graph=None):
        co_leaves, co_spec = tree_flatten(cotangents)
        if co_spec != out_spec:
            raise RuntimeError(
                "Expected pytree structure of cotangents to be the same as pytree structure of "
                f"outputs to the function. cotangents: {co_spec}, primal output: {out_spec}"
            )
        for i, (o, c) in enumerate(zip(out_leaves, co_leaves)):
            if not isinstance(c, Tensor):
                raise TypeError(
                    f"gradients can be either Tensors or None, but got {type(c).__name__}"
                )
            if c.shape != o.shape:
                raise RuntimeError(
                    f"Mismatch in shape: grad_output[{i}] has a shape of {c.shape} and "
                    f"output[{i}] has a shape of {o.shape}."
                )
        with _transform():
            grads = _finish(_grads(out_leaves, fresh, co_leaves))
        return tuple(rebuild(grads))

    n = len(out_leaves)
    if has_aux:
        aux = tree_unflatten(shown[n:], aux_spec)
        return tree_unflatten(shown[:n], out_spec), vjp_fn, aux
    return tree_unflatten(shown[:n], out_spec), vjp_fn


def jvp(func, primals, tangents, *, strict=False, has_aux=False):
    """Mirrors `torch.func.jvp`: `(output, jvp_out)`, by forward-mode AD."""
    for what, value in (("primals", primals), ("tangents", tangents)):
        if not isinstance(value, tuple):
            raise RuntimeError(
                f"jvp(f, primals, tangents): Expected {what} to be a tuple. E.g. it should be "
                "valid to call f(*primals)."
            )
    p_leaves, p_spec = tree_flatten(primals)
    t_leaves, t_spec = tree_flatten(tangents)
    for what, leaves in (("primals", p_leaves), ("tangents", t_leaves)):
        for leaf in leaves:
            if not isinstance(leaf, Tensor):
                raise RuntimeError(
                    f"jvp(f, primals, tangents): Expected {what} to only contain Tensors, got "
                    f"{type(leaf)}"
                )
    if not p_leaves:
        raise RuntimeError(
            "jvp(f, primals, tangents): Expected primals to contain at least one Tensor."
        )
    if p_spec != t_spec:
        raise RuntimeError(
            "jvp(f, primals, tangents): Expected primals and tangents to have the same python "
            f"structure. For example, if primals is a tuple of 3 tensors, tangents also must be. "
            f"Got primals with structure {p_spec} and tangents with structure {t_spec}"
        )
    if forward_ad._level[0] is not None:
        return _jvp_by_reverse(func, primals, t_leaves, has_aux)
    with _transform(), forward_ad.dual_level():
        duals = [forward_ad.make_dual(p, t) for p, t in zip(p_leaves, t_leaves)]
        out = func(*tree_unflatten(duals, p_spec))
        aux = None
        if has_aux:
            out, aux = _split_aux(out, "jvp(f, primals, tangents)")
        o_leaves, o_spec = tree_flatten(out)
        primal_out, tangent_out = [], []
        for o in o_leaves:
            if not isinstance(o, Tensor):
                raise RuntimeError(
                    "jvp(f, primals, tangents): expected f(*primals) to return only tensors, got "
                    f"unsupported type {type(o)}"
                )
            p, t = forward_ad.unpack_dual(o)
            primal_out.append(p)
            tangent_out.append(zeros_like(o) if t is None else t)
        aux_leaves, aux_spec = tree_flatten(aux)
        flat = _finish([*primal_out, *tangent_out, *aux_leaves])
    n = len(o_leaves)
    result = tree_unflatten(flat[:n], o_spec), tree_unflatten(flat[n : 2 * n], o_spec)
    return (*result, tree_unflatten(flat[2 * n :], aux_spec)) if has_aux else result


def _jvp_by_reverse(func, primals, t_leaves, has_aux):
    """J v as d/du <J^T u, v>, by two reverse passes: forward over forward, where one level of
    forward-mode AD is already open."""
    with _transform():
        out, vjp_fn, *aux = vjp(func, *primals, has_aux=has_aux)
        o_leaves, o_spec = tree_flatten(out)
        us = [zeros_like(o).requires_grad_() for o in o_leaves]
        gs = tree_flatten(vjp_fn(tree_unflatten(us, o_spec)))[0]
        total = sum((g * t).sum() for g, t in zip(gs, t_leaves))
        jv = (
            _grads([total], us, [None])
            if isinstance(total, Tensor)
            else [zeros_like(u) for u in us]
        )
        jv = _finish(jv)
    return (out, tree_unflatten(jv, o_spec), *aux)


def _jacobian_tree(out_leaves, out_spec, in_leaves, rows, rebuild):
    """Jacobian blocks `rows[i][j]` (output i, input j) put in torch's nesting: the output
    structure outside, the input structure inside."""
    per_output = [rebuild(rows[i]) for i in range(len(out_leaves))]
    return tree_unflatten(per_output, out_spec)


def jacrev(func, argnums=0, *, has_aux=False, chunk_size=None, _preallocate_and_copy=False):
    """Mirrors `torch.func.jacrev`: one reverse pass per output element."""

    @functools.wraps(func)
    def wrapper(*args):
        with _transform():
            out, fresh, rebuild = _differentiable_call(func, args, argnums, "jacrev")
            out_leaves, out_spec, aux = _tensor_outputs(out, has_aux)
            rows = []
            for o in out_leaves:
                flat_o = o.reshape(-1)
                per_input = [[] for _ in fresh]
                eye = _basis(o)
                for k in range(o.numel()):
                    for j, g in enumerate(_grads([flat_o], fresh, [eye[k]])):
                        per_input[j].append(g)
                rows.append(
                    [_assemble(cols, o.shape, x.shape) for cols, x in zip(per_input, fresh)]
                )
            aux_leaves, aux_spec = tree_flatten(aux)
            flat = _finish([b for row in rows for b in row] + aux_leaves)
            n = len(fresh)
            rows = [flat[i * n : (i + 1) * n] for i in range(len(out_leaves))]
        jac = _jacobian_tree(out_leaves, out_spec, fresh, rows, rebuild)
        if has_aux:
            return jac, tree_unflatten(flat[n * len(out_leaves) :], aux_spec)
        return jac

    return wrapper


def _basis(o):
    from .._creation import eye

    n = o.numel()
    return eye(n, dtype=o.dtype) if n else []


def _assemble(columns, out_shape, in_shape):
    """Stack per-element derivatives into a block of shape out_shape + in_shape."""
    from .._ops import stack

    if not columns:
        from .._creation import zeros

        return zeros(tuple(out_shape) + tuple(in_shape))
    return stack(columns).reshape(tuple(out_shape) + tuple(in_shape))


def jacfwd(func, argnums=0, has_aux=False, *, randomness="error"):
    """Mirrors `torch.func.jacfwd`: one forward-mode pass per input element."""

    @functools.wraps(func)
    def wrapper(*args):
        nums = _argnums_inputs(args, argnums, "jacfwd")
        flats = [tree_flatten(args[n]) for n in nums]
        inputs = [x for leaves, _ in flats for x in leaves]
        for x in inputs:
            if not isinstance(x, Tensor):
                raise ValueError(f"Thing passed to transform API must be Tensor, got {type(x)}")
            if not x.dtype.is_floating_point:
                raise ValueError(
                    f"Expected primal to be floating point or complex, but got: {x.dtype}"
                )

        def call(flat):
            call_args, k = list(args), 0
            for n, (leaves, spec) in zip(nums, flats):
                call_args[n] = tree_unflatten(flat[k : k + len(leaves)], spec)
                k += len(leaves)
            out = func(*call_args)
            return _split_aux(out, "jvp(f, primals, tangents)") if has_aux else (out, None)

        with _transform():
            return _jacfwd_body(call, inputs, flats, argnums, has_aux)

    return wrapper


def _jacfwd_body(call, inputs, flats, argnums, has_aux):
    columns, out, aux = None, None, None
    for j, x in enumerate(inputs):
        eye = _basis(x)
        for k in range(x.numel()):
            tangents = [zeros_like(y) for y in inputs]
            tangents[j] = eye[k].reshape(x.shape)
            (out, aux), (tan, _) = jvp(
                lambda *flat: _pair(call(list(flat))), tuple(inputs), tuple(tangents)
            )
            o_leaves, o_spec = tree_flatten(out)
            t_leaves = tree_flatten(tan)[0]
            if columns is None:
                columns = [[[] for _ in inputs] for _ in o_leaves]
            for i, t in enumerate(t_leaves):
                columns[i][j].append(t)
    if out is None:  # no input elements at all: evaluate once for the output's shape
        out, aux = call(inputs)
    o_leaves, o_spec = tree_flatten(out)
    blocks = []
    for i, o in enumerate(o_leaves):
        row = []
        for j, x in enumerate(inputs):
            cols = columns[i][j] if columns else []
            if cols:
                block = _stack_last(cols, o.shape, x.shape)
            else:
                from .._creation import zeros

                block = zeros(tuple(o.shape) + tuple(x.shape), dtype=o.dtype)
            row.append(block)
        blocks.append(row)

    def rebuild(flat):
        res, k = [], 0
        for leaves, spec in flats:
            res.append(tree_unflatten(flat[k : k + len(leaves)], spec))
            k += len(leaves)
        return res[0] if isinstance(argnums, int) else tuple(res)

    shapes = [len(row) for row in blocks]
    aux_leaves, aux_spec = tree_flatten(aux)
    flat = _finish([b for row in blocks for b in row] + aux_leaves)
    k, blocks = 0, []
    for n in shapes:
        blocks.append(flat[k : k + n])
        k += n
    jac = tree_unflatten([rebuild(row) for row in blocks], o_spec)
    return (jac, tree_unflatten(flat[k:], aux_spec)) if has_aux else jac


def _pair(out_aux):
    out, aux = out_aux
    return out, aux


def _stack_last(columns, out_shape, in_shape):
    from .._ops import stack

    return stack(columns, -1).reshape(tuple(out_shape) + tuple(in_shape))


def hessian(func, argnums=0):
    """Mirrors `torch.func.hessian`: forward-mode over reverse-mode, `jacfwd(jacrev(f))`."""
    return jacfwd(jacrev(func, argnums), argnums)


def functional_call(
    module, parameter_and_buffer_dicts, args=None, kwargs=None, *, tie_weights=True, strict=False
):
    """Mirrors `torch.func.functional_call`: call `module` with some parameters and buffers
    replaced by the given tensors; the module is restored afterwards, even on error."""
    dicts = parameter_and_buffer_dicts
    if isinstance(dicts, dict):
        values = dict(dicts)
    else:
        values, keys = {}, []
        for d in dicts:
            keys += list(d)
            values.update(d)
        repeated = [k for k in values if keys.count(k) > 1]
        if repeated:
            raise ValueError(
                f"{repeated} appeared in multiple dictionaries; behavior of functional call is "
                "ambiguous"
            )
    for value in values.values():
        if not isinstance(value, Tensor):
            raise TypeError(f"{value} is not an instance of torch.Tensor")
    if tie_weights:
        # a tensor shared under several names is replaced under all of them
        by_id: dict = {}
        named = list(module.named_parameters(remove_duplicate=False))
        named += list(module.named_buffers(remove_duplicate=False))
        for name, t in named:
            by_id.setdefault(id(t), []).append(name)
        for names in by_id.values():
            given = [n for n in names if n in values]
            if len({id(values[n]) for n in given}) > 1:
                raise ValueError(
                    f"functional_call got multiple values for keys {given}, which are tied. "
                    "Consider using tie_weights=False"
                )
            for n in names:
                if given and n not in values:
                    values[n] = values[given[0]]
    if strict:
        expected = {n for n, _ in module.named_parameters(remove_duplicate=False)}
        expected |= {n for n, _ in module.named_buffers(remove_duplicate=False)}
        missing = sorted(expected - set(values))
        unexpected = sorted(set(values) - expected)
        if missing or unexpected:
            lines = [f"Error(s) in reparametrizing for {type(module).__name__}:"]
            if unexpected:
                lines.append(
                    "\tUnexpected key(s): " + ", ".join(f"'{k}'" for k in unexpected) + "."
                )
            if missing:
                lines.append("\tMissing key(s): " + ", ".join(f"'{k}'" for k in missing) + ".")
            raise RuntimeError("\n".join(lines))
    saved = []
    try:
        for name, value in values.items():
            owner, attr = _owner(module, name)
            store = _store_of(owner, attr)
            saved.append((owner, attr, store, store.get(attr) if store is not None else None))
            if store is None:
                object.__setattr__(owner, attr, value)
            else:
                store[attr] = value
        args = () if args is None else args if isinstance(args, tuple) else (args,)
        return module(*args, **(kwargs or {}))
    finally:
        for owner, attr, store, old in reversed(saved):
            if store is None:
                object.__delattr__(owner, attr)
            else:
                store[attr] = old


def _owner(module, name):
    *path, attr = name.split(".")
    owner = module
    for p in path:
        owner = getattr(owner, p)
    return owner, attr


def _store_of(owner, attr):
    for store in (owner.__dict__.get("_parameters"), owner.__dict__.get("_buffers")):
        if store is not None and attr in store:
            return store
    return None
