"""Forward-mode AD: dual tensors carry a tangent, and every op pushes it forward.

Mirrors `torch.autograd.forward_ad`: `dual_level`, `make_dual`, `unpack_dual`. While a level is
open, each primitive call whose inputs carry tangents computes its output's tangent (the JVP)
right after its forward. Tangents are computed with mytorch ops, so they are themselves
differentiable: forward-over-reverse and reverse-over-forward both work.

Where a JVP comes from, fastest first:
- ops whose Jacobian is diagonal (elementwise ops): the VJP rule applied to the tangent;
- ops linear in their floating-point inputs (views, indexing, sums, cat): the op applied to the
  tangents;
- bilinear ops (matmul and friends): the product rule;
- every other op: derived from its VJP rule, which is linear in the cotangent `u`, as
  `J v = d/du <J^T u, v>` (one small reverse pass through the rule's own graph).
"""

from __future__ import annotations

import weakref
from collections import namedtuple

from .. import _ops
from .._creation import zeros_like
from .._tensor import Tensor
from . import grad_mode

__all__ = ["dual_level", "enter_dual_level", "exit_dual_level", "make_dual", "unpack_dual"]

UnpackedDualTensor = namedtuple("UnpackedDualTensor", ["primal", "tangent"])

_level: list[int | None] = [None]  # the open level (torch allows one at a time), or None
_duals: list = []  # weak references to every tensor given a tangent, cleared on exit


def enter_dual_level() -> int:
    if _level[0] is not None:
        raise RuntimeError("Nested forward mode AD is not supported at the moment")
    _level[0] = 0
    _ops._transforms.append(_push_forward)
    return 0


def exit_dual_level(*, level: int | None = None) -> None:
    if _level[0] is None or (level is not None and level != _level[0]):
        raise RuntimeError(f"Trying to exit a forward AD level ({level}) that was not entered")
    _ops._transforms.remove(_push_forward)
    for ref in _duals:
        t = ref()
        if t is not None:
            t.__dict__.pop("_fw", None)
    _duals.clear()
    _level[0] = None


class dual_level:  # noqa: N801 (torch's name)
    """Context manager for one forward-AD level; tangents are dropped when it closes."""

    def __enter__(self) -> int:
        return enter_dual_level()

    def __exit__(self, *exc) -> None:
        exit_dual_level()


def _set_tangent(t, tangent: Tensor) -> None:
    t.__dict__["_fw"] = tangent
    _duals.append(weakref.ref(t))


def make_dual(tensor: Tensor, tangent: Tensor, *, level: int | None = None) -> Tensor:
    """A view of `tensor` that carries `tangent` as its forward gradient."""
    if _level[0] is None:
        raise RuntimeError(
            "Trying to create a dual Tensor for forward AD but no level exists, make sure to "
            "enter_dual_level() first."
        )
    for what, t in (("primal", tensor), ("tangent", tangent)):
        if not isinstance(t, Tensor):
            raise TypeError(f"make_dual(): expected {what} to be a Tensor, got {type(t).__name__}")
        if not t.dtype.is_floating_point:
            raise ValueError(f"Expected {what} to be floating point or complex, but got: {t.dtype}")
    if tangent.shape != tensor.shape:
        raise RuntimeError(
            "Trying to set a forward gradient that has a different size than that of the "
            f"original Tensor, this is not supported. Tensor is of size {list(tensor.shape)} "
            f"while the given forward gradient is of size {list(tangent.shape)}."
        )
    with _suspended():
        dual = tensor.view_as(tensor)
    _set_tangent(dual, tangent.to(tensor.dtype))
    return dual


def unpack_dual(tensor: Tensor, *, level: int | None = None) -> UnpackedDualTensor:
    """`(primal, tangent)`: a view of `tensor` without its tangent, and the tangent (or None)."""
    tangent = tensor.__dict__.get("_fw") if _level[0] is not None else None
    if tangent is None:
        return UnpackedDualTensor(tensor, None)
    with _suspended():
        primal = tensor.view_as(tensor)
    return UnpackedDualTensor(primal, tangent)


class _suspended:  # noqa: N801 (used like a function)
    """No tangents are pushed while a JVP itself is computed (one level only, as in torch)."""

    def __enter__(self):
        self.active = _push_forward in _ops._transforms
        if self.active:
            _ops._transforms.remove(_push_forward)

    def __exit__(self, *exc):
        if self.active:
            _ops._transforms.append(_push_forward)


def _push_forward(prim, inputs, params, result) -> None:
    """The handler the op registry calls after each forward while a level is open."""
    tangents = [x.__dict__.get("_fw") if isinstance(x, Tensor) else None for x in inputs]
    if tangents.count(None) == len(tangents):
        return
    if (
        not prim.differentiable
        or result._data.dtype.kind != "f"
        or prim.node_class._rule is _ops._not_differentiable
    ):
        return
    with _suspended():
        tangent = _jvp(prim, inputs, params, result, tangents)
    if tangent is not None:
        if tangent._rg and not _any_requires_grad(inputs, tangents):
            tangent = tangent.detach()  # a rule reading `ctx.result` records a needless history
        if tangent.dtype is not result.dtype:
            tangent = tangent.to(result.dtype)
        _set_tangent(result, tangent)
        if isinstance(result.grad_fn, prim.node_class):  # so `ctx.result` in a rule has it too
            _set_tangent(result.grad_fn, tangent)


def _any_requires_grad(inputs, tangents) -> bool:
    return any(isinstance(x, Tensor) and x._rg for x in inputs) or any(
        t is not None and t._rg for t in tangents
    )


def _jvp(prim, inputs, params, result, tangents):
    kind = _KIND.get(prim.name) or _kind_of_module(prim)
    if kind == "linear" and "value" in params:
        kind = "derived"  # a fill with a constant is affine, not linear
    if kind == "elementwise":
        return _elementwise(prim, inputs, params, result, tangents)
    if kind == "linear" or kind == "linear_data":
        # index tensors pass through; in cat/stack every tensor is data, so integers count as 0
        args = [
            (t if t is not None else zeros_like(x, dtype=result.dtype))
            if isinstance(x, Tensor) and (kind == "linear_data" or x.dtype.is_floating_point)
            else (0 if isinstance(x, (int, float)) and not isinstance(x, bool) else x)
            for x, t in zip(inputs, tangents)
        ]
        try:
            return prim(*args, **params)
        except RuntimeError:
            if not prim.view:
                raise
            # a tangent laid out unlike its primal may refuse a view; a contiguous one never does
            return prim(*[a.contiguous() if isinstance(a, Tensor) else a for a in args], **params)
    if kind == "bilinear":
        (a, b), (ta, tb) = inputs[:2], tangents[:2]
        terms = [prim(ta, b, **params) if ta is not None else None]
        terms.append(prim(a, tb, **params) if tb is not None else None)
        return _sum(terms)
    return _derived(prim, inputs, params, result, tangents)


def _ctx(prim, inputs, params, result):
    """A node of the op's class standing in as the `ctx` its VJP rule reads."""
    needs = tuple(isinstance(x, Tensor) and x.dtype.is_floating_point for x in inputs)
    meta = tuple((x.shape, x.dtype) if isinstance(x, Tensor) else None for x in inputs)
    versions = tuple(x._version if isinstance(x, Tensor) else None for x in inputs)
    # real edges, so that `ctx.result` inside the rule stays connected to the inputs' history
    edges = tuple((x._edge_node() if isinstance(x, Tensor) and x._rg else None, 0) for x in inputs)
    return prim.node_class(
        inputs, edges, meta, needs, result._data, result._vc, versions, params
    )  # fmt: skip


def _elementwise(prim, inputs, params, result, tangents):
    # a diagonal Jacobian is its own transpose: J v is the VJP rule applied to v
    ctx = _ctx(prim, inputs, params, result)
    shape = result.shape
    terms = []
    for i, t in enumerate(tangents):
        if t is not None:
            g = ctx.vjp(t if t.shape == shape else t.expand(shape))[i]
            terms.append(g if g is None or g.shape == shape else g.expand(shape))
    return _sum(terms)


def _derived(prim, inputs, params, result, tangents):
    """`J v` from any VJP rule: `u -> <J^T u, v>` is linear in `u`, and its gradient is `J v`."""
    from . import grad as _grad

    ctx = _ctx(prim, inputs, params, result)
    with grad_mode.enable_grad():
        u = zeros_like(result).requires_grad_()
        grads = ctx.vjp(u)
        total = None
        for g, t, x in zip(grads, tangents, inputs):
            if g is None or t is None:
                continue
            if g.shape != x.shape:
                g = g.sum_to_size(x.shape)
            term = (g * t).sum()
            total = term if total is None else total + term
    if total is None or not total.requires_grad:
        return zeros_like(result)
    (jv,) = _grad(total, u, create_graph=grad_mode.is_grad_enabled(), allow_unused=True)
    return jv if jv is not None else result.detach().zero_()


def _sum(terms):
    terms = [t for t in terms if t is not None]
    if not terms:
        return None
    total = terms[0]
    for t in terms[1:]:
        total = total + t
    return total


_NOT_ELEMENTWISE = {"zero", "fill", "copy"}
_LINEAR_ONLY = {"_scatter_add", "_gather", "_shift", "_linear_scan"}
_KIND = {
    **dict.fromkeys(
        ["sum", "mean", "cumsum", "trace", "index_select", "index_add", "index_copy",
         "index_fill", "gather", "scatter", "scatter_add", "masked_fill", "masked_select",
         "masked_scatter", "take", "index_put", "index_put_zeros", "copy_slices", "fill",
         "zero", "diag_embed", "diagonal_copy", "diagonal_backward", "linalg_constant",
         *_LINEAR_ONLY],
        "linear",
    ),
    "cat": "linear_data",
    "stack": "linear_data",
    **dict.fromkeys(
        ["mm", "mv", "dot", "vdot", "bmm", "matmul_vm", "matmul", "linalg_cross"], "bilinear"
    ),
}  # fmt: skip


def _kind_of_module(prim) -> str:
    family = prim.forward.__module__.rsplit(".", 1)[-1]
    if family in ("unary", "pointwise") and prim.name not in _NOT_ELEMENTWISE:
        kind = "elementwise"
    elif family in ("shape", "index") and prim.name not in (
        "scatter_reduce",
        "scatter_reduce_legacy",
    ):
        kind = "linear"
    else:
        kind = "derived"
    _KIND[prim.name] = kind
    return kind
