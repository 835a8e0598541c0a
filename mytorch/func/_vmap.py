"""`vmap`: run a function over a batch dimension as if it were written for one example.

Every op is batched by one rule that is correct for all of them: the function runs once per
example on slices of the batched inputs, and the results are stacked. The slices carry a mark
that every op passes on to its output, so data-dependent control flow on a batched value
(`if x.sum() > 0`, `.item()`) is caught and named instead of silently using one example.
"""

from __future__ import annotations

import functools

from .. import _ops
from .. import random as _random
from .._tensor import Tensor
from ._pytree import tree_flatten, tree_unflatten

_RANDOMNESS = ("error", "different", "same")


class _Level:
    """One active vmap: its randomness mode, and whether it is still running."""

    def __init__(self, randomness):
        self.randomness = randomness
        self.active = True


_levels = _random._vmap_levels  # random ops check it without importing this module


def _mark(prim, inputs, params, result) -> None:
    """The op registry's handler: an output computed from a batched value is batched too."""
    for x in inputs:
        if isinstance(x, Tensor):
            mark = x.__dict__.get("_batched")
            if mark is not None and mark[0].active:
                result.__dict__["_batched"] = (mark[0], prim.name)
                return


def refuse(tensor, what: str) -> None:
    """Raise torch's vmap error for `what` on a batched tensor, naming the op that made it."""
    mark = tensor.__dict__.get("_batched")
    if mark is None or not mark[0].active:
        return
    made_by = f" (the tensor was computed by {mark[1]}() inside vmap)" if mark[1] else ""
    if what == "item":
        raise RuntimeError(
            "vmap: It looks like you're calling .item() on a Tensor. We don't support vmap over "
            "calling .item() on a Tensor, please try to rewrite what you're doing with other "
            f"operations{made_by}."
        )
    raise RuntimeError(
        "vmap: It looks like you're attempting to use a Tensor in some data-dependent control "
        f"flow ({what}){made_by}. We don't support that yet: rewrite it with ops such as "
        "torch.where."
    )


def check_random() -> None:
    """Called by every random op: torch's error in vmap's default randomness mode."""
    if _levels and _levels[-1].randomness == "error":
        raise RuntimeError(
            "vmap: called random operation while in randomness error mode. Please either use "
            "the 'same' or 'different' randomness flags on vmap or perform the randomness "
            "operation out of vmap"
        )


def _name(func) -> str:
    return getattr(func, "__name__", repr(func))


def _dims_for(args, in_dims, fname):
    """One in_dim per flattened input leaf (an int or None applies to a whole argument)."""
    if isinstance(in_dims, int) or in_dims is None:
        in_dims = (in_dims,) * len(args)
    if not isinstance(in_dims, (tuple, list)) or len(in_dims) != len(args):
        raise ValueError(
            f"vmap({fname}, in_dims={in_dims}, ...)(<inputs>): in_dims is not compatible with "
            f"the structure of `inputs`: expected one entry per positional input ({len(args)}), "
            f"got {in_dims!r}"
        )
    leaves, dims = [], []
    for arg, dim in zip(args, in_dims):
        arg_leaves, spec = tree_flatten(arg)
        if isinstance(dim, int) or dim is None:
            arg_dims = [dim] * len(arg_leaves)
        else:
            arg_dims, dim_spec = tree_flatten(dim, none_is_leaf=True)
            if dim_spec != spec:
                raise ValueError(
                    f"vmap({fname}, in_dims={in_dims}, ...)(<inputs>): in_dims is not compatible "
                    "with the structure of `inputs`"
                )
        leaves.append((arg_leaves, spec))
        dims.append(arg_dims)
    return leaves, dims


def vmap(func, in_dims=0, out_dims=0, randomness="error", *, chunk_size=None):
    """Mirrors `torch.func.vmap`. Each example runs separately (see the module docstring), so
    `chunk_size` changes nothing."""
    if randomness not in _RANDOMNESS:
        raise RuntimeError(
            "Only allowed values for randomness are 'error', 'different', or 'same'. Got "
            f"{randomness}"
        )
    if chunk_size is not None and (not isinstance(chunk_size, int) or chunk_size <= 0):
        raise ValueError(f"vmap: chunk_size should be None or greater than 0. (got {chunk_size})")

    @functools.wraps(func)
    def wrapped(*args, **kwargs):
        fname = _name(func)
        leaves, dims = _dims_for(args, in_dims, fname)
        size = None
        sizes = []
        for (arg_leaves, _), arg_dims in zip(leaves, dims):
            for i, (x, d) in enumerate(zip(arg_leaves, arg_dims)):
                if d is None:
                    continue
                if not isinstance(x, Tensor):
                    raise ValueError(
                        f"vmap({fname}, in_dims={in_dims}, ...)(<inputs>): Got in_dim={d} for an "
                        f"input but the input is of type {type(x)}. We cannot vmap over "
                        "non-Tensor arguments, please use None as the respective in_dim"
                    )
                if not -x.ndim <= d < max(x.ndim, 1) or x.ndim == 0:
                    raise ValueError(
                        f"vmap({fname}, in_dims={in_dims}, ...)(<inputs>): Got in_dim={d} for "
                        f"some input, but that input is a Tensor of dimensionality {x.ndim} so "
                        f"expected in_dim to satisfy -{x.ndim} <= in_dim < {x.ndim}."
                    )
                sizes.append(x.shape[d])
        if not sizes:
            raise ValueError(
                f"vmap({fname}, in_dims={in_dims}, ...)(<inputs>): Got all inputs with in_dim="
                "None; at least one input must be batched (have an in_dim that is not None)"
            )
        if len(set(sizes)) > 1:
            raise ValueError(
                "vmap: Expected all tensors to have the same size in the mapped dimension, got "
                f"sizes {sizes} for the mapped dimension"
            )
        size = sizes[0]
        level = _Level(randomness)
        results = []
        from ..random import default_generator

        state = default_generator.get_state() if randomness == "same" else None
        _levels.append(level)
        _ops._transforms.append(_mark)
        try:
            for b in range(size):
                if state is not None:
                    default_generator.set_state(state)  # every example draws the same numbers
                call_args = []
                for (arg_leaves, spec), arg_dims in zip(leaves, dims):
                    sliced = [
                        x if d is None else _slice(x, d, b, level)
                        for x, d in zip(arg_leaves, arg_dims)
                    ]
                    call_args.append(tree_unflatten(sliced, spec))
                results.append(func(*call_args, **kwargs))
        finally:
            level.active = False
            _ops._transforms.remove(_mark)
            _levels.pop()
        return _stack(results, out_dims, fname)

    return wrapped


def _slice(x, dim, b, level):
    s = x[(slice(None),) * (dim % x.ndim) + (b,)]
    s.__dict__["_batched"] = (level, None)
    return s


def _stack(results, out_dims, fname):
    flat = [tree_flatten(r, none_is_leaf=True) for r in results]
    spec = flat[0][1]
    n = len(flat[0][0])
    if isinstance(out_dims, int) or out_dims is None:
        dims = [out_dims] * n
    else:
        dims, dim_spec = tree_flatten(out_dims, none_is_leaf=True)
        if len(dims) != n:
            if len(out_dims) == 1 and not isinstance(results[0], (tuple, list)):
                dims = list(out_dims)
            else:
                raise ValueError(
                    f"vmap({fname}, ..., out_dims={out_dims})(<inputs>): out_dims is not "
                    "compatible with the structure of `outputs`"
                )
    stacked = []
    for k in range(n):
        column = [leaves[k] for leaves, _ in flat]
        d = dims[k]
        if d is None:
            stacked.append(column[0])
            continue
        if not isinstance(column[0], Tensor):
            raise ValueError(
                f"vmap({fname}, ...): `{fname}` must only return Tensors, got type "
                f"{type(column[0])}. Did you mean to set out_dims= to None for output?"
            )
        from .._ops import stack

        shapes = {tuple(c.shape) for c in column}
        if len(shapes) > 1:
            raise RuntimeError(
                f"vmap({fname}, ...): output {k} has a different shape for different examples "
                f"({sorted(shapes)}); vmap needs one shape per output, so ops whose output shape "
                "depends on the data (nonzero, masked_select, boolean-mask indexing) can't be "
                "batched"
            )
        ndim = column[0].ndim + 1
        if not -ndim <= d < ndim:
            raise IndexError(
                f"Dimension out of range (expected to be in range of [{-ndim}, {ndim - 1}], but "
                f"got {d})"
            )
        stacked.append(stack(column, d))
    return tree_unflatten(stacked, spec)
