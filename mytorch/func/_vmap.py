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
from ._pytree import broadcast_prefix, tree_flatten, tree_unflatten

_RANDOMNESS = ("error", "different", "same")


class _Level:
    """One active vmap: its randomness mode, and whether it is still running."""

    def __init__(self, randomness):
        self.randomness = randomness
        self.active = True


_levels = _random._vmap_levels  # random ops check it without importing this module


# A batched tensor carries `_batched = (levels, op name)`: every running vmap it is batched
# over (an inner vmap's result stays batched over the outer ones), and the op that made it.


def _active_levels(x) -> tuple:
    mark = x.__dict__.get("_batched") if isinstance(x, Tensor) else None
    return tuple(level for level in mark[0] if level.active) if mark is not None else ()


def _mark(prim, inputs, params, result) -> None:
    """The op registry's handler: an output computed from a batched value is batched too."""
    levels = ()
    for x in inputs:
        levels += tuple(level for level in _active_levels(x) if level not in levels)
    if levels:
        result.__dict__["_batched"] = (levels, prim.name)


def refuse(tensor, what: str) -> None:
    """Raise torch's vmap error for `what` on a batched tensor, naming the op that made it."""
    if not _active_levels(tensor):
        return
    mark = tensor.__dict__["_batched"]
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
    """Called by every random op: torch's error when any running vmap is in the default
    randomness mode (an inner 'same' or 'different' does not lift an outer 'error')."""
    if any(level.randomness == "error" for level in _levels):
        raise RuntimeError(
            "vmap: called random operation while in randomness error mode. Please either use "
            "the 'same' or 'different' randomness flags on vmap or perform the randomness "
            "operation out of vmap"
        )


def _name(func) -> str:
    return getattr(func, "__name__", repr(func))


def _dims_for(args, in_dims, fname):
    """One in_dim per flattened input leaf (an int or None covers a whole subtree)."""
    if not isinstance(in_dims, (int, tuple)):
        raise ValueError(
            f"vmap({fname}, in_dims={in_dims}, ...)(<inputs>): expected `in_dims` to be int or a "
            "(potentially nested) tuple matching the structure of inputs, got: "
            f"{type(in_dims)}."
        )
    if isinstance(in_dims, int):
        in_dims = (in_dims,) * len(args)
    incompatible = ValueError(
        f"vmap({fname}, in_dims={in_dims}, ...)(<inputs>): in_dims is not compatible with the "
        "structure of `inputs`."
    )
    if len(in_dims) != len(args):
        raise incompatible
    leaves, dims = [], []
    for arg, dim in zip(args, in_dims):
        arg_leaves, spec = tree_flatten(arg)
        arg_dims = broadcast_prefix(dim, spec)
        if arg_dims is None:
            raise incompatible
        for d in arg_dims:
            if d is not None and not isinstance(d, int):
                raise ValueError(
                    f"vmap({fname}, in_dims={in_dims}, ...)(<inputs>): Got in_dim={d} for an "
                    "input but in_dim must be either an integer dimension or None."
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
            # an empty batch runs one example of zeros, for the outputs' structure and shapes
            for b in range(size) if size else [None]:
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
        return _stack(results, out_dims, fname, level, empty=not size)

    return wrapped


def _slice(x, dim, b, level):
    """Example `b` of `x` (None: a zero example, standing in for an empty batch), batched over
    `level` and every outer vmap that `x` is batched over."""
    dim %= x.ndim
    if b is None:
        from .._creation import zeros

        s = zeros(tuple(x.shape[:dim]) + tuple(x.shape[dim + 1 :]), dtype=x.dtype)
    else:
        s = x[(slice(None),) * dim + (b,)]
    s.__dict__["_batched"] = (_active_levels(x) + (level,), None)
    return s


def _stack(results, out_dims, fname, level, empty=False):
    flat = [tree_flatten(r, none_is_leaf=True) for r in results]
    spec = flat[0][1]
    n = len(flat[0][0])
    if isinstance(out_dims, tuple) and len(out_dims) == 1 and spec.kind is None:
        out_dims = out_dims[0]  # torch takes (d,) for a function returning one tensor
    dims = broadcast_prefix(out_dims, spec)
    if dims is None:
        raise ValueError(
            f"vmap({fname}, ..., out_dims={out_dims})(<inputs>): out_dims is not compatible with "
            "the structure of `outputs`."
        )
    if any(d is not None and not isinstance(d, int) for d in dims):
        raise ValueError(
            f"vmap({fname}, ..., out_dims={out_dims}): `out_dims` must be an int, None or a "
            "python collection of ints representing where in the outputs the vmapped dimension "
            "should appear."
        )
    stacked = []
    for k in range(n):
        column = [leaves[k] for leaves, _ in flat]
        d = dims[k]
        if d is None:
            mark = column[0].__dict__.get("_batched") if isinstance(column[0], Tensor) else None
            if mark is not None and level in mark[0]:
                raise ValueError(
                    f"vmap({fname}, ...): `{fname}` can not return a BatchedTensor when out_dim "
                    "is None"
                )
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
        out = stack(column, d)
        stacked.append(out[(slice(None),) * (d % ndim) + (slice(0, 0),)] if empty else out)
    return tree_unflatten(stacked, spec)
