"""Shape and view ops against torch: values, dtypes, node names, gradients of orders 1 to 3;
float64 finite differences; drawn shapes and dims; memory sharing of views; errors."""

import warnings

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from oracle import assert_same, check_against_torch, make_inputs

import mytorch

I = "int"  # noqa: E741 - an input spec kind, as in oracle.make_inputs
DIAG = np.arange(12.0).reshape(3, 4) - 5.5  # distinct values, so a wrong element shows


def _inplace(method, *args):
    def fn(lib, a):
        y = a * 1.0  # a non-leaf, so the in-place op is recorded
        getattr(y, method)(*args)
        return y

    return fn


def _pieces(fn):
    """One tensor from a multi-output op: every piece reaches the gradient, each weighted
    differently so that a piece's gradient landing in the wrong place shows."""

    def joined(lib, *xs):
        return lib.cat([p.reshape(-1) * (k + 1) for k, p in enumerate(fn(lib, *xs))])

    return joined


# name: (fn(lib, *inputs), input specs)
CASES = {
    # reshape, view, flatten, unflatten
    "reshape": (lambda lib, a: a.reshape(3, -1), [(2, 3)]),
    "reshape_fn": (lambda lib, a: lib.reshape(a, (6,)), [(2, 3)]),
    "reshape_0d": (lambda lib, a: a.reshape(1, 1), [()]),
    "reshape_to_0d": (lambda lib, a: a.reshape(()), [(1, 1)]),
    "reshape_empty": (lambda lib, a: a.reshape(3, 1, 0), [(0, 3)]),
    "reshape_noncontig_view": (lambda lib, a: a.permute(1, 0, 2).reshape(3, 8), [(2, 3, 4)]),
    "reshape_noncontig_alias": (lambda lib, a: a.transpose(0, 1).reshape(3, 2, 2, 2), [(2, 3, 4)]),
    "reshape_noncontig_copy": (lambda lib, a: a.t().reshape(6), [(2, 3)]),
    "reshape_as": (lambda lib, a, b: a.reshape_as(b), [(2, 3), (6,)]),
    "view": (lambda lib, a: a.view(6), [(2, 3)]),
    "view_tuple": (lambda lib, a: a.view((3, 2)), [(2, 3)]),
    "view_0d": (lambda lib, a: a.view(-1), [()]),
    "view_empty": (lambda lib, a: a.view(-1), [(0, 3)]),
    "view_as": (lambda lib, a, b: a.view_as(b), [(2, 3), (3, 2)]),
    "flatten": (lambda lib, a: a.flatten(), [(2, 3, 2)]),
    "flatten_range": (lambda lib, a: lib.flatten(a, 1, -2), [(2, 3, 2, 2)]),
    "flatten_0d": (lambda lib, a: a.flatten(), [()]),
    "flatten_empty": (lambda lib, a: a.flatten(0, 1), [(2, 0, 3)]),
    "ravel": (lambda lib, a: lib.ravel(a), [(2, 3)]),
    "ravel_noncontig": (lambda lib, a: a.t().ravel(), [(2, 3)]),
    "unflatten": (lambda lib, a: a.unflatten(1, (2, 2)), [(3, 4)]),
    "unflatten_infer": (lambda lib, a: lib.unflatten(a, -1, [-1, 2]), [(3, 4)]),
    "unflatten_empty": (lambda lib, a: a.unflatten(0, (0, 2)), [(0, 3)]),
    # squeeze, unsqueeze and their in-place forms
    "squeeze_0d": (lambda lib, a: a.squeeze(), [()]),
    "squeeze_dim_0d": (lambda lib, a: lib.squeeze(a, 0), [()]),
    "squeeze_dims_neg": (lambda lib, a: a.squeeze((-1, 0)), [(1, 3, 1)]),
    "squeeze_not_one": (lambda lib, a: a.squeeze(1), [(2, 3)]),
    "squeeze_empty": (lambda lib, a: a.squeeze(), [(0, 1)]),
    "unsqueeze_0d": (lambda lib, a: a.unsqueeze(0), [()]),
    "unsqueeze_neg": (lambda lib, a: lib.unsqueeze(a, -2), [(2, 3)]),
    "squeeze_": (_inplace("squeeze_"), [(2, 1, 3)]),
    "squeeze_dim_": (_inplace("squeeze_", 1), [(2, 1, 3)]),
    "squeeze_dims_": (_inplace("squeeze_", (0, 1)), [(1, 1, 3)]),
    "unsqueeze_": (_inplace("unsqueeze_", -1), [(2, 3)]),
    "t_": (_inplace("t_"), [(2, 3)]),
    "transpose_": (_inplace("transpose_", 0, 2), [(2, 3, 4)]),
    "swapaxes_": (_inplace("swapaxes_", 0, 1), [(2, 3)]),
    "swapdims_": (_inplace("swapdims_", -1, 0), [(2, 3)]),
    # transpose, permute, movedim, t, T, mT, mH, H, adjoint
    "transpose_fn": (lambda lib, a: lib.transpose(a, -1, 0), [(2, 3, 4)]),
    "transpose_same": (lambda lib, a: a.transpose(1, 1), [(2, 3)]),
    "transpose_0d": (lambda lib, a: a.transpose(0, -1), [()]),
    "swapaxes": (lambda lib, a: lib.swapaxes(a, 0, 1), [(2, 3)]),
    "swapdims": (lambda lib, a: a.swapdims(0, -1), [(2, 3, 4)]),
    "permute_neg": (lambda lib, a: lib.permute(a, (-1, 0, 1)), [(2, 3, 4)]),
    "permute_0d": (lambda lib, a: a.permute(()), [()]),
    "permute_empty": (lambda lib, a: a.permute(1, 0), [(0, 3)]),
    "movedim": (lambda lib, a: a.movedim(0, -1), [(2, 3, 4)]),
    "movedim_tuple": (lambda lib, a: lib.movedim(a, (0, 1), (2, 0)), [(2, 3, 4)]),
    "movedim_0d": (lambda lib, a: a.movedim(0, -1), [()]),
    "moveaxis": (lambda lib, a: lib.moveaxis(a, [-1], [0]), [(2, 3, 4)]),
    "t_1d": (lambda lib, a: a.t(), [(3,)]),
    "t_0d": (lambda lib, a: lib.t(a), [()]),
    "T_0d": (lambda lib, a: a.T * 1.0, [()]),
    "mT_empty": (lambda lib, a: a.mT, [(2, 0, 3)]),
    "mH": (lambda lib, a: a.mH, [(4, 2, 3)]),
    "H": (lambda lib, a: a.H, [(2, 3)]),
    "adjoint": (lambda lib, a: lib.adjoint(a), [(2, 3)]),
    # expand and broadcasting
    "expand_same": (lambda lib, a: a.expand(2, 3), [(2, 3)]),
    "expand_minus_one": (lambda lib, a: a.expand(2, -1, 4), [(3, 1)]),
    "expand_0d": (lambda lib, a: a.expand(2, 3), [()]),
    "expand_empty": (lambda lib, a: a.expand(0, 3), [(1, 3)]),
    "expand_as": (lambda lib, a, b: a.expand_as(b), [(3,), (2, 3)]),
    "broadcast_to": (lambda lib, a: lib.broadcast_to(a, (2, 3)), [(3,)]),
    "broadcast_to_method": (lambda lib, a: a.broadcast_to((4, -1, 3)), [(2, 1)]),
    "broadcast_tensors": (
        _pieces(lambda lib, a, b, c: lib.broadcast_tensors(a, b, c)),
        [(2, 1), (3,), ()],
    ),
    "broadcast_tensors_same": (lambda lib, a, b: lib.broadcast_tensors(a, b)[1], [(2, 3), (3,)]),
    # repeat, tile, repeat_interleave
    "repeat": (lambda lib, a: a.repeat(2, 3), [(2, 3)]),
    "repeat_lead": (lambda lib, a: a.repeat(2, 1, 2), [(2, 3)]),
    "repeat_tuple": (lambda lib, a: a.repeat((1, 2)), [(3,)]),
    "repeat_0d": (lambda lib, a: a.repeat(3), [()]),
    "repeat_0d_none": (lambda lib, a: a.repeat(()), [()]),
    "repeat_zero": (lambda lib, a: a.repeat(0, 2), [(2, 3)]),
    "repeat_ones": (lambda lib, a: a.repeat(1, 1), [(2, 3)]),
    "tile": (lambda lib, a: lib.tile(a, (2,)), [(2, 3)]),
    "tile_lead": (lambda lib, a: a.tile(2, 1, 1), [(2, 3)]),
    "tile_0d": (lambda lib, a: lib.tile(a, (2, 2)), [()]),
    "repeat_interleave": (lambda lib, a: a.repeat_interleave(2), [(2, 3)]),
    "repeat_interleave_dim": (lambda lib, a: lib.repeat_interleave(a, 3, dim=1), [(2, 3)]),
    "repeat_interleave_neg_dim": (lambda lib, a: a.repeat_interleave(2, -2), [(2, 3, 2)]),
    "repeat_interleave_zero": (lambda lib, a: a.repeat_interleave(0, dim=0), [(2, 3)]),
    "repeat_interleave_0d": (lambda lib, a: a.repeat_interleave(3), [()]),
    "repeat_interleave_out": (
        lambda lib, a: a.repeat_interleave(2, dim=0, output_size=4),
        [(2, 3)],
    ),
    "repeat_interleave_tensor": (
        lambda lib, a: a.repeat_interleave(lib.tensor([2, 0, 1]), dim=1),
        [(2, 3)],
    ),
    "repeat_interleave_tensor_0d": (
        lambda lib, a: lib.repeat_interleave(a, lib.tensor(2), dim=0),
        [(2, 3)],
    ),
    "repeat_interleave_tensor_flat": (
        lambda lib, a: a.repeat_interleave(lib.tensor([1, 2, 0, 3]), output_size=6),
        [(2, 2)],
    ),
    # flip, roll, rot90
    "flip": (lambda lib, a: a.flip(0), [(2, 3)]),
    "flip_dims": (lambda lib, a: lib.flip(a, (0, -1)), [(2, 3, 2)]),
    "flip_none": (lambda lib, a: lib.flip(a, ()), [(2, 3)]),
    "flip_0d": (lambda lib, a: a.flip(0), [()]),
    "flip_empty": (lambda lib, a: a.flip(1), [(0, 3)]),
    "fliplr": (lambda lib, a: a.fliplr(), [(2, 3)]),
    "flipud": (lambda lib, a: lib.flipud(a), [(3,)]),
    "roll": (lambda lib, a: a.roll(2), [(2, 3)]),
    "roll_dim": (lambda lib, a: lib.roll(a, -1, 1), [(2, 3)]),
    "roll_dims": (lambda lib, a: a.roll((1, -5), (0, -1)), [(2, 3)]),
    "roll_same_dim_twice": (lambda lib, a: a.roll((1, 1), (0, 0)), [(3, 2)]),
    "roll_big": (lambda lib, a: a.roll(7, 0), [(3, 2)]),
    "roll_0d": (lambda lib, a: a.roll(1), [()]),
    "roll_empty": (lambda lib, a: a.roll(1, 0), [(0, 3)]),
    "rot90": (lambda lib, a: a.rot90(), [(2, 3)]),
    "rot90_k2": (lambda lib, a: lib.rot90(a, 2), [(2, 3)]),
    "rot90_k3": (lambda lib, a: a.rot90(3, (1, 0)), [(2, 3)]),
    "rot90_neg": (lambda lib, a: a.rot90(-1, [-1, -2]), [(2, 3)]),
    "rot90_k0": (lambda lib, a: a.rot90(4), [(2, 3)]),
    "rot90_3d": (lambda lib, a: a.rot90(1, (0, 2)), [(2, 3, 2)]),
    "rot90_empty": (lambda lib, a: a.rot90(), [(0, 3)]),
    # cat and stack
    "cat": (lambda lib, a, b: lib.cat([a, b]), [(2, 3), (1, 3)]),
    "cat_dim": (lambda lib, a, b, c: lib.cat((a, b, c), 1), [(2, 3), (2, 1), (2, 2)]),
    "cat_neg_dim": (lambda lib, a, b: lib.cat([a, b], dim=-1), [(2, 3), (2, 2)]),
    "cat_one": (lambda lib, a: lib.cat([a]), [(2, 3)]),
    "cat_same_input": (lambda lib, a: lib.cat([a, a * 2, a]), [(2,)]),
    "cat_promote": (lambda lib, a, b: lib.cat([a.float(), b]), [(2, 3), (2, 3)]),
    "cat_int": (lambda lib, a, b: lib.concat([a, b]), [(2, 3), (I, (1, 3))]),
    "cat_empty_1d": (lambda lib, a, b: lib.cat([a, b, a]), [(2, 3), (0,)]),
    "cat_empty_rows": (lambda lib, a, b: lib.cat([a, b]), [(2, 3), (0, 3)]),
    "cat_all_empty": (lambda lib, a, b: lib.cat([a, b]), [(0,), (0,)]),
    "concatenate": (lambda lib, a, b: lib.concatenate((a, b), axis=1), [(2, 3), (2, 1)]),
    "stack": (lambda lib, a, b: lib.stack([a, b]), [(2, 3), (2, 3)]),
    "stack_dim": (lambda lib, a, b, c: lib.stack((a, b, c), dim=-1), [(2, 3), (2, 3), (2, 3)]),
    "stack_0d": (lambda lib, a, b: lib.stack([a, b]), [(), ()]),
    "stack_empty": (lambda lib, a, b: lib.stack([a, b], 1), [(0, 2), (0, 2)]),
    "stack_promote": (lambda lib, a, b: lib.stack([a, b.float()]), [(I, (3,)), (3,)]),
    "hstack": (lambda lib, a, b: lib.hstack([a, b]), [(2, 3), (2, 1)]),
    "hstack_1d": (lambda lib, a, b: lib.hstack((a, b)), [(3,), (2,)]),
    "hstack_0d": (lambda lib, a, b: lib.hstack([a, b]), [(), ()]),
    "vstack": (lambda lib, a, b: lib.vstack([a, b]), [(3,), (2, 3)]),
    "vstack_0d": (lambda lib, a, b: lib.row_stack([a, b]), [(), ()]),
    "dstack": (lambda lib, a, b: lib.dstack([a, b]), [(2, 3), (2, 3, 2)]),
    "dstack_1d": (lambda lib, a, b: lib.dstack([a, b]), [(3,), (3,)]),
    "column_stack": (lambda lib, a, b, c: lib.column_stack([a, b, c]), [(2,), (2, 3), (2,)]),
    "column_stack_0d": (lambda lib, a, b: lib.column_stack([a, b]), [(), ()]),
    # split, chunk, tensor_split, hsplit/vsplit/dsplit, unbind, narrow
    "split": (lambda lib, a: a.split(2)[1], [(5, 3)]),
    "split_first": (lambda lib, a: lib.split(a, 2, dim=1)[0], [(2, 3)]),
    "split_all": (_pieces(lambda lib, a: a.split(2)), [(5, 3)]),
    "split_sizes": (lambda lib, a: a.split([1, 3], 1)[1], [(2, 4)]),
    "split_sizes_all": (_pieces(lambda lib, a: lib.split(a, (2, 0, 3))), [(5, 2)]),
    "split_empty": (lambda lib, a: a.split(2)[0], [(0, 3)]),
    "chunk": (lambda lib, a: a.chunk(3)[2], [(7, 2)]),
    "chunk_all": (_pieces(lambda lib, a: lib.chunk(a, 4, dim=-1)), [(2, 6)]),
    "chunk_empty": (lambda lib, a: a.chunk(2)[1], [(0, 2)]),
    "tensor_split": (lambda lib, a: a.tensor_split(3)[1], [(7, 2)]),
    "tensor_split_all": (_pieces(lambda lib, a: lib.tensor_split(a, 4)), [(3, 2)]),
    "tensor_split_indices": (
        _pieces(lambda lib, a: lib.tensor_split(a, [1, -1, 7], dim=1)),
        [(2, 5)],
    ),
    "tensor_split_tensor": (
        _pieces(lambda lib, a: a.tensor_split(lib.tensor([2]), dim=0)),
        [(4, 2)],
    ),
    "tensor_split_keyword": (lambda lib, a: a.tensor_split(sections=2, dim=1)[0], [(2, 5)]),
    "hsplit": (_pieces(lambda lib, a: lib.hsplit(a, 2)), [(2, 4)]),
    "hsplit_1d": (_pieces(lambda lib, a: a.hsplit([1])), [(4,)]),
    "vsplit": (_pieces(lambda lib, a: a.vsplit(2)), [(4, 2)]),
    "dsplit": (_pieces(lambda lib, a: lib.dsplit(a, [1])), [(2, 1, 3)]),
    "unbind_all": (_pieces(lambda lib, a: lib.unbind(a, -1)), [(2, 3)]),
    "unbind_piece": (lambda lib, a: a.unbind()[1], [(3, 2)]),
    "narrow": (lambda lib, a: a.narrow(1, 1, 2), [(2, 4)]),
    "narrow_neg_start": (lambda lib, a: lib.narrow(a, -1, -2, 2), [(2, 4)]),
    "narrow_tensor_start": (lambda lib, a: a.narrow(0, lib.tensor(1), 2), [(3, 2)]),
    "narrow_empty": (lambda lib, a: a.narrow(0, 3, 0), [(3, 2)]),
    # triangles, diagonals, trace
    "tril": (lambda lib, a: a.tril(), [(3, 4)]),
    "tril_diag": (lambda lib, a: lib.tril(a, -1), [(4, 3)]),
    "tril_batched": (lambda lib, a: a.tril(diagonal=1), [(2, 3, 3)]),
    "tril_far": (lambda lib, a: a.tril(10), [(2, 3)]),
    "tril_empty": (lambda lib, a: a.tril(), [(0, 3)]),
    "triu": (lambda lib, a: a.triu(), [(3, 4)]),
    "triu_diag": (lambda lib, a: lib.triu(a, diagonal=2), [(3, 4)]),
    "triu_far_below": (lambda lib, a: a.triu(-5), [(2, 3)]),
    "tril_": (_inplace("tril_", 1), [(3, 3)]),
    "triu_": (_inplace("triu_"), [(2, 3, 3)]),
    "diag_1d": (lambda lib, a: a.diag(), [(3,)]),
    "diag_1d_offset": (lambda lib, a: lib.diag(a, -2), [(3,)]),
    "diag_2d": (lambda lib, a: a.diag(), [DIAG]),
    "diag_2d_offset": (lambda lib, a: lib.diag(a, diagonal=1), [DIAG]),
    "diag_2d_past_edge": (lambda lib, a: a.diag(7), [DIAG]),
    "diag_empty": (lambda lib, a: a.diag(), [(0,)]),
    "diagonal": (lambda lib, a: a.diagonal(), [DIAG]),
    "diagonal_offset": (lambda lib, a: lib.diagonal(a, -1), [DIAG]),
    "diagonal_dims": (lambda lib, a: a.diagonal(1, 2, 0), [(2, 3, 4)]),
    "diagonal_neg_dims": (lambda lib, a: a.diagonal(0, -1, -2), [(2, 3, 3)]),
    "diagonal_past_edge": (lambda lib, a: a.diagonal(-3), [DIAG]),
    "diag_embed": (lambda lib, a: a.diag_embed(), [(2, 3)]),
    "diag_embed_offset": (lambda lib, a: lib.diag_embed(a, 1, 0, 2), [(2, 3)]),
    "diag_embed_neg": (lambda lib, a: a.diag_embed(-2, dim1=-1, dim2=0), [(3,)]),
    "diag_embed_empty": (lambda lib, a: a.diag_embed(), [(2, 0)]),
    "diagflat": (lambda lib, a: lib.diagflat(a, 1), [(2, 2)]),
    "trace": (lambda lib, a: a.trace(), [(3, 3)]),
    "trace_rect": (lambda lib, a: lib.trace(a), [(2, 4)]),
    "trace_empty": (lambda lib, a: a.trace(), [(0, 3)]),
    "trace_int": (lambda lib, a: a.trace(), [(I, (3, 3))]),
    # meshgrid, atleast_nd
    "meshgrid_ij": (_pieces(lambda lib, a, b: lib.meshgrid(a, b, indexing="ij")), [(3,), (2,)]),
    "meshgrid_xy": (
        _pieces(lambda lib, a, b, c: lib.meshgrid([a, b, c], indexing="xy")),
        [(3,), (2,), (2,)],
    ),
    "meshgrid_0d": (lambda lib, a, b: lib.meshgrid(a, b, indexing="ij")[0], [(), (3,)]),
    "meshgrid_piece": (lambda lib, a, b: lib.meshgrid(a, b, indexing="xy")[1], [(3,), (2,)]),
    "atleast_1d": (lambda lib, a: lib.atleast_1d(a), [()]),
    "atleast_1d_same": (lambda lib, a: lib.atleast_1d(a) * 1.0, [(2,)]),
    "atleast_2d_0d": (lambda lib, a: lib.atleast_2d(a), [()]),
    "atleast_2d_1d": (lambda lib, a: lib.atleast_2d(a), [(3,)]),
    "atleast_3d_0d": (lambda lib, a: lib.atleast_3d(a), [()]),
    "atleast_3d_1d": (lambda lib, a: lib.atleast_3d(a), [(3,)]),
    "atleast_3d_2d": (lambda lib, a: lib.atleast_3d(a), [(2, 3)]),
    "atleast_many": (_pieces(lambda lib, a, b: lib.atleast_2d(a, b)), [(), (3,)]),
    "atleast_list": (_pieces(lambda lib, a, b: lib.atleast_3d([a, b])), [(2,), (2, 2)]),
    # copies and conversions
    "clone": (lambda lib, a: a.clone(), [(2, 3)]),
    "clone_0d": (lambda lib, a: lib.clone(a), [()]),
    "contiguous": (lambda lib, a: a.t().contiguous(), [(2, 3)]),
    "contiguous_already": (lambda lib, a: a.contiguous() * 1.0, [(2, 3)]),
    "type_as": (lambda lib, a, b: a.type_as(b), [(3,), (I, (2,))]),
    "type_as_float": (lambda lib, a, b: a.type_as(b.float()), [(3,), (2,)]),
}

# multi-output ops: every output's value, dtype, shape and node name
MULTI = {
    "split": lambda lib, a: a.split(2),
    "split_sizes": lambda lib, a: a.split([1, 2, 2]),
    "split_dim": lambda lib, a: lib.split(a, 1, -1),
    "chunk": lambda lib, a: a.chunk(2),
    "chunk_more_than_size": lambda lib, a: a.chunk(9),
    "tensor_split": lambda lib, a: a.tensor_split(3),
    "tensor_split_indices": lambda lib, a: lib.tensor_split(a, (2, 1, 9)),
    "hsplit": lambda lib, a: a.hsplit(3),
    "vsplit": lambda lib, a: lib.vsplit(a, [1, 4]),
    "unbind": lambda lib, a: a.unbind(1),
    "broadcast_tensors": lambda lib, a: lib.broadcast_tensors(a, a[0], a[:, :1]),
    "meshgrid": lambda lib, a: lib.meshgrid(a[0], a[:, 0], indexing="xy"),
    "atleast_3d": lambda lib, a: lib.atleast_3d(a, a[0], a[0, 0]),
}


def _square(fn):
    # shape ops are linear: squaring the output makes the second derivative run through the
    # op's backward-of-backward, which the linear op alone never reaches
    return lambda lib, *xs: fn(lib, *xs) ** 2


@pytest.mark.parametrize("name", CASES)
def test_matches_torch(name):
    fn, specs = CASES[name]
    check_against_torch(fn, specs, order=2)
    if fn(mytorch, *_inputs(specs)).dtype.is_floating_point:
        check_against_torch(_square(fn), specs, order=2, check_grad_fn=False)


def _inputs(specs, seed=0):
    arrays = make_inputs(specs, np.random.default_rng(seed))
    return [
        mytorch.tensor(a.astype(np.float64), requires_grad=True)
        if a.dtype.kind == "f"
        else mytorch.tensor(a)
        for a in arrays
    ]


# integer outputs, and float32 steps whose rounding finite differences in float64 would see
NO_GRADCHECK = {"trace_int", "type_as", "cat_promote", "stack_promote", "type_as_float"}


@pytest.mark.parametrize("name", sorted(set(CASES) - NO_GRADCHECK))
def test_gradcheck(name):
    fn, specs = CASES[name]
    assert mytorch.autograd.gradcheck(lambda *xs: fn(mytorch, *xs), _inputs(specs))


@pytest.mark.parametrize("name", sorted(set(CASES) - NO_GRADCHECK))
def test_gradgradcheck(name):
    fn, specs = CASES[name]
    assert mytorch.autograd.gradgradcheck(lambda *xs: fn(mytorch, *xs), _inputs(specs, seed=1))


@pytest.mark.parametrize("name", MULTI)
def test_multi_output_ops_match_torch(name):
    a = np.random.default_rng(0).standard_normal((5, 3))
    m_in = mytorch.tensor(a, requires_grad=True)
    t_in = torch.tensor(a, requires_grad=True)
    m_out, t_out = MULTI[name](mytorch, m_in), MULTI[name](torch, t_in)
    assert type(m_out) is tuple
    assert len(m_out) == len(t_out)
    for k, (m, t) in enumerate(zip(m_out, t_out)):
        assert_same(m, t, what=f"output {k}")
        names = [type(o.grad_fn).__name__ if o.grad_fn else None for o in (m, t)]
        assert names[0] == names[1], f"output {k}: grad_fn {names[0]} != {names[1]}"
        assert (m is m_in) == (t is t_in), f"output {k}: returned as is in one library only"


# ---- third order against torch --------------------------------------------------------------

THIRD_ORDER = ["split_all", "cat_dim", "stack_dim", "repeat_lead", "repeat_interleave_tensor",
               "roll_dims", "rot90_k3", "flip_dims", "tril_batched", "diag_embed_offset",
               "diagonal_dims", "trace_rect", "narrow", "expand_minus_one", "meshgrid_xy",
               "squeeze_dims_", "movedim_tuple"]  # fmt: skip


def _weights(shape):
    return np.cos(np.arange(int(np.prod(shape)))).reshape(shape)


def _third_order(lib, fn, arrays):
    xs = [lib.tensor(a.copy(), requires_grad=True) for a in arrays]
    y = fn(lib, *xs) ** 3  # cubed, so the third derivative is not identically zero
    out = (y * lib.tensor(_weights(tuple(y.shape)))).sum()
    for _ in range(2):
        gs = lib.autograd.grad(out, xs, create_graph=True, allow_unused=True)
        out = sum((g * lib.tensor(_weights(tuple(g.shape)))).sum() for g in gs if g is not None)
    return lib.autograd.grad(out, xs, allow_unused=True)


@pytest.mark.parametrize("name", THIRD_ORDER)
def test_third_order_matches_torch(name):
    fn, specs = CASES[name]
    arrays = make_inputs(specs, np.random.default_rng(3))
    for m, t in zip(_third_order(mytorch, fn, arrays), _third_order(torch, fn, arrays)):
        assert t is not None
        assert_same(m, t, what="third-order grad")


# ---- drawn shapes and dims --------------------------------------------------------------------

SHAPES = st.lists(st.integers(0, 3), min_size=0, max_size=3).map(tuple)
NONEMPTY = st.lists(st.integers(1, 3), min_size=1, max_size=3).map(tuple)


def _factor(n, data):
    """A random shape with `n` elements (any number of 1s and the prime factors)."""
    dims, rest = ([0], 1) if n == 0 else ([], n)
    for p in (2, 3):
        while rest % p == 0:
            dims.append(p)
            rest //= p
    shape = data.draw(st.permutations(dims + [1] * data.draw(st.integers(0, 1))))
    return tuple(shape)


@given(shape=SHAPES, data=st.data())
def test_reshape_over_drawn_shapes(shape, data):
    perm = data.draw(st.permutations(range(len(shape))))
    new = list(_factor(int(np.prod(shape)), data))
    if new and 0 not in new and data.draw(st.booleans()):
        new[data.draw(st.integers(0, len(new) - 1))] = -1
    # permuting first makes layouts that may or may not allow a view: the node name says which
    check_against_torch(lambda lib, a: a.permute(perm).reshape(new), [shape], order=1)


@given(shape=SHAPES, data=st.data())
def test_permute_and_movedim_over_drawn_dims(shape, data):
    n = len(shape)
    perm = data.draw(st.permutations(range(n)))
    perm = [d - n if data.draw(st.booleans()) else d for d in perm]
    check_against_torch(lambda lib, a: a.permute(perm), [shape], order=1)
    src = data.draw(st.lists(st.integers(0, max(n - 1, 0)), unique=True, max_size=n))
    dst = data.draw(st.permutations(range(n)))[: len(src)] if n else []
    check_against_torch(lambda lib, a: lib.movedim(a, src, dst), [shape], order=1)


@given(shape=SHAPES, data=st.data())
def test_flatten_over_drawn_dims(shape, data):
    n = max(len(shape), 1)
    s = data.draw(st.integers(-n, n - 1))
    e = data.draw(st.integers(-n, n - 1))
    if s % n > e % n:
        for lib in (mytorch, torch):
            with pytest.raises(RuntimeError, match="start_dim cannot come after end_dim"):
                lib.ones(shape).flatten(s, e)
        return
    check_against_torch(lambda lib, a: a.flatten(s, e) * 1.0, [shape], order=1)


@given(shape=NONEMPTY, n=st.integers(1, 3), data=st.data())
def test_cat_and_stack_over_drawn_shapes(shape, n, data):
    nd = len(shape)
    dim = data.draw(st.integers(-nd, nd - 1))
    sizes = data.draw(st.lists(st.integers(0, 3), min_size=n, max_size=n))
    specs = [tuple(s if i != dim % nd else k for i, s in enumerate(shape)) for k in sizes]
    check_against_torch(lambda lib, *xs: lib.cat(xs, dim), specs, order=2)
    sdim = data.draw(st.integers(-nd - 1, nd))
    check_against_torch(lambda lib, *xs: lib.stack(xs, sdim), [shape] * n, order=2)


@given(shape=NONEMPTY, data=st.data())
def test_split_over_drawn_sizes(shape, data):
    nd = len(shape)
    dim = data.draw(st.integers(-nd, nd - 1))
    size = shape[dim]
    if data.draw(st.booleans()):
        arg = data.draw(st.integers(1, 4))
    else:
        cuts = sorted(data.draw(st.lists(st.integers(0, size), max_size=3)))
        arg = [b - a for a, b in zip([0] + cuts, cuts + [size])]
    check_against_torch(_pieces(lambda lib, a: a.split(arg, dim)), [shape], order=1)
    names = {
        lib: [
            type(p.grad_fn).__name__
            for p in lib.split(lib.ones(shape, requires_grad=True), arg, dim)
        ]  # fmt: skip
        for lib in (mytorch, torch)
    }
    assert names[mytorch] == names[torch]


@given(shape=NONEMPTY, data=st.data())
def test_roll_and_flip_over_drawn_dims(shape, data):
    nd = len(shape)
    dims = data.draw(st.lists(st.integers(-nd, nd - 1), max_size=3))
    shifts = data.draw(st.lists(st.integers(-5, 5), min_size=len(dims), max_size=len(dims)))
    if dims:
        check_against_torch(lambda lib, a: a.roll(shifts, dims), [shape], order=1)
    else:
        check_against_torch(lambda lib, a: a.roll(shifts[0] if shifts else 3), [shape], order=1)
    flip = sorted({d % nd for d in dims})
    check_against_torch(lambda lib, a: lib.flip(a, flip), [shape], order=1)


# ---- memory sharing: views share data and the version counter, copies don't -------------------

VIEWS = {
    "view": lambda lib, b: b.view(4, 3),
    "reshape": lambda lib, b: b.reshape(-1),
    "reshape_noncontig": lambda lib, b: b.t().reshape(2, 2, 3),
    "flatten": lambda lib, b: b.flatten(),
    "unflatten": lambda lib, b: b.unflatten(1, (2, 2)),
    "ravel": lambda lib, b: b.ravel(),
    "squeeze": lambda lib, b: b.unsqueeze(0).squeeze(),
    "unsqueeze": lambda lib, b: b.unsqueeze(1),
    "transpose": lambda lib, b: b.transpose(0, 1),
    "t": lambda lib, b: b.t(),
    "T": lambda lib, b: b.T,
    "mT": lambda lib, b: b.mT,
    "permute": lambda lib, b: b.permute(1, 0),
    "movedim": lambda lib, b: b.movedim(0, 1),
    "expand_same": lambda lib, b: b.expand(3, 4),
    "narrow": lambda lib, b: b.narrow(1, 1, 2),
    "split": lambda lib, b: b.split(2)[1],
    "split_sizes": lambda lib, b: b.split([1, 3], 1)[1],
    "chunk": lambda lib, b: b.chunk(2, 1)[0],
    "tensor_split": lambda lib, b: b.tensor_split(2)[1],
    "unbind": lambda lib, b: b.unbind(1)[2],
    "diagonal": lambda lib, b: b.diagonal(1),
    "atleast_3d": lambda lib, b: lib.atleast_3d(b),
    "view_as": lambda lib, b: b.view_as(lib.ones(12)),
}
# views torch refuses to write through (they repeat elements): only writes to the base show
READ_ONLY_VIEWS = {
    "expand": lambda lib, b: b[:1].expand(2, 4),
    "broadcast_to": lambda lib, b: lib.broadcast_to(b, (2, 3, 4)),
    "meshgrid": lambda lib, b: lib.meshgrid(b[0], b[:, 0], indexing="ij")[1],
}
COPIES = {
    "reshape_copy": lambda lib, b: b.t().reshape(-1),
    "contiguous": lambda lib, b: b.t().contiguous(),
    "clone": lambda lib, b: b.clone(),
    "flip": lambda lib, b: b.flip(0),
    "fliplr": lambda lib, b: b.fliplr(),
    "roll": lambda lib, b: b.roll(1),
    "rot90": lambda lib, b: b.rot90(),
    "rot90_k0": lambda lib, b: b.rot90(0),
    "repeat": lambda lib, b: b.repeat(1, 1),
    "tile": lambda lib, b: b.tile(1),
    "repeat_interleave": lambda lib, b: b.repeat_interleave(1, 0),
    "cat": lambda lib, b: lib.cat([b]),
    "stack": lambda lib, b: lib.stack([b]),
    "tril": lambda lib, b: b.tril(5),
    "triu": lambda lib, b: b.triu(-5),
    "diag": lambda lib, b: b.diag(),
    "diag_embed": lambda lib, b: b.diag_embed(),
}


def _base(lib):
    return lib.arange(12.0).reshape(3, 4).clone()


@pytest.mark.parametrize("name", list(VIEWS))
def test_writing_through_a_view_changes_the_base(name):
    seen = []
    for lib in (mytorch, torch):
        base = _base(lib)
        v = VIEWS[name](lib, base)
        with lib.no_grad():
            v.mul_(-1).add_(100)
        seen.append((base.clone(), v.clone(), base._version, v._version))
    m, t = seen
    assert_same(m[0], t[0], what="base")
    assert_same(m[1], t[1], what="view")
    assert m[2:] == t[2:], f"versions (base, view) {m[2:]} != {t[2:]}"
    assert t[2] > 0  # torch counts the write on the base too: the test means something


@pytest.mark.parametrize("name", list(VIEWS) + list(READ_ONLY_VIEWS))
def test_writing_the_base_shows_in_the_view(name):
    fn = VIEWS.get(name) or READ_ONLY_VIEWS[name]
    seen = []
    for lib in (mytorch, torch):
        base = _base(lib)
        v = fn(lib, base)
        base.mul_(2).sub_(1)
        seen.append((v.clone(), v._version))
    assert_same(seen[0][0], seen[1][0], what="view after the base changed")
    assert seen[0][1] == seen[1][1] == 2


@pytest.mark.parametrize("name", COPIES)
def test_copies_do_not_share_memory(name):
    for lib in (mytorch, torch):
        base = _base(lib)
        out = COPIES[name](lib, base)
        out.add_(1)
        assert base._version == 0
        assert np.array_equal(np.asarray(base.tolist()), np.arange(12.0).reshape(3, 4)), lib


def test_view_of_a_view_shares_one_version_counter():
    base = mytorch.zeros(2, 3, 4)
    a = base.transpose(0, 2)
    b = a.split(2)[1].diagonal()  # (2, 3, 2) -> diagonal over dims 0, 1: 2 x 2 elements
    b.add_(1)
    assert base._version == a._version == b._version == 1
    assert base.sum().item() == 4.0
    assert base[:, 0, 2].tolist() == base[:, 1, 3].tolist() == [1.0, 1.0]


def test_inplace_view_ops_change_the_tensor_and_bump_its_version():
    for lib in (mytorch, torch):
        base = lib.zeros(3, 4)
        v = base.view(12)
        v.unsqueeze_(0)
        assert tuple(v.shape) == (1, 12) and tuple(base.shape) == (3, 4)
        assert v._version == base._version == 1
        v.t_()
        v.squeeze_()
        v.add_(2)
        assert tuple(v.shape) == (12,) and base.sum().item() == 24.0
        assert v._version == base._version == 4


def test_inplace_view_on_a_leaf_that_requires_grad():
    for lib in (mytorch, torch):
        x = lib.ones(2, 3, requires_grad=True)
        with pytest.raises(RuntimeError, match="a leaf Variable that requires grad"):
            x.t_()
        assert tuple(x.shape) == (2, 3) and x._version == 0
        with lib.no_grad():
            x.t_()
        assert tuple(x.shape) == (3, 2) and x.grad_fn is None


def test_gradient_flows_through_inplace_view_ops():
    results = []
    for lib in (mytorch, torch):
        x = lib.tensor(np.arange(6.0).reshape(2, 3), requires_grad=True)
        y = x * 2
        y.unsqueeze_(0).transpose_(0, 2).squeeze_(2)
        (y * lib.tensor(np.arange(6.0).reshape(3, 2))).sum().backward()
        results.append((type(y.grad_fn).__name__, x.grad))
    assert results[0][0] == results[1][0] == "SqueezeBackward4"
    assert_same(results[0][1], results[1][1], what="grad")


# ---- new_* conversions ------------------------------------------------------------------------

NEW = {
    "new_tensor": lambda lib, a: a.new_tensor([1, 2]),
    "new_tensor_float_into_int": lambda lib, a: a.long().new_tensor([1.7, -2.5]),
    "new_tensor_dtype": lambda lib, a: a.new_tensor([[1.5]], dtype=lib.int32),
    "new_tensor_grad": lambda lib, a: a.new_tensor(2.0, requires_grad=True),
    "new_zeros": lambda lib, a: a.new_zeros(2, 3),
    "new_zeros_tuple": lambda lib, a: a.new_zeros((2,)),
    "new_zeros_size": lambda lib, a: a.new_zeros(a.shape),
    "new_zeros_0d": lambda lib, a: a.new_zeros(()),
    "new_zeros_keyword": lambda lib, a: a.new_zeros(size=(2, 1)),
    "new_ones": lambda lib, a: a.new_ones([3], dtype=lib.int64),
    "new_ones_grad": lambda lib, a: a.new_ones(2, requires_grad=True),
    "new_empty": lambda lib, a: a.new_empty(0, 2),
    "new_full": lambda lib, a: a.new_full((2,), 3),
    "new_full_int": lambda lib, a: a.int().new_full([2], 3.7),
    "new_full_bool": lambda lib, a: a.bool().new_full((1,), 2),
    "new_full_dtype": lambda lib, a: a.new_full((2,), 1, dtype=lib.float16),
}


@pytest.mark.parametrize("name", NEW)
def test_new_tensors_match_torch(name):
    a = np.array([[1.0, -2.0]], dtype=np.float32)
    m_src = mytorch.tensor(a, requires_grad=True)
    t_src = torch.tensor(a, requires_grad=True)
    m, t = NEW[name](mytorch, m_src), NEW[name](torch, t_src)
    if name != "new_empty":
        assert_same(m, t, what=name)
    assert tuple(m.shape) == tuple(t.shape) and str(m.dtype)[8:] == str(t.dtype)[6:]
    assert m.requires_grad == t.requires_grad and m.grad_fn is None and m.is_leaf


def test_new_tensor_copies_and_warns_for_a_tensor():
    src = mytorch.tensor([1.0, 2.0], requires_grad=True)
    with pytest.warns(UserWarning, match="sourceTensor.detach"):
        out = src.new_tensor(src)
    out.add_(1)
    assert src.tolist() == [1.0, 2.0] and not out.requires_grad


# ---- errors: same class as torch, and the same message ----------------------------------------

# name: (fn(lib), a part of the message both must contain, or None: the whole message agrees)
ERRORS = {
    "view_bad_size": (lambda lib: lib.ones(2, 3).view(4), None),
    "view_two_infer": (lambda lib: lib.ones(2, 3).view(-1, -1), None),
    "view_negative": (lambda lib: lib.ones(2, 3).reshape(-2, 3), None),
    "view_zero_ambiguous": (lambda lib: lib.ones(0, 3).view(-1, 0), None),
    "view_strides": (lambda lib: lib.ones(2, 3).t().view(6), "view size is not compatible"),
    "flatten_order": (lambda lib: lib.ones(2, 3, 4).flatten(2, 1), None),
    "flatten_dim": (lambda lib: lib.ones(2, 3).flatten(0, 2), None),
    "unflatten_sizes": (lambda lib: lib.ones(3, 4).unflatten(1, (3, 2)), None),
    "unflatten_empty": (lambda lib: lib.ones(3, 4).unflatten(1, ()), None),
    "unflatten_int": (lambda lib: lib.ones(3, 4).unflatten(1, 4), None),
    "unflatten_0d": (lambda lib: lib.tensor(1.0).unflatten(0, (1,)), "tensor has no dimensions"),
    "squeeze_dim": (lambda lib: lib.ones(2, 3).squeeze(2), None),
    "squeeze_dims_repeat": (lambda lib: lib.ones(1, 3).squeeze((0, -2)), None),
    "unsqueeze_dim": (lambda lib: lib.ones(2, 3).unsqueeze(4), None),
    "transpose_dim": (lambda lib: lib.transpose(lib.ones(2), 0, 1), None),
    "permute_length": (lambda lib: lib.ones(2, 3).permute(0), None),
    "permute_dup": (lambda lib: lib.ones(2, 3).permute(1, 1), None),
    "movedim_lengths": (lambda lib: lib.ones(2, 3).movedim((0, 1), (1,)), None),
    "movedim_repeat_source": (lambda lib: lib.ones(2, 3).movedim((0, 0), (1, 0)), None),
    "movedim_repeat_destination": (lambda lib: lib.ones(2, 3).movedim((0, 1), (1, 1)), None),
    "movedim_range": (lambda lib: lib.movedim(lib.ones(2, 3), 2, 0), None),
    "t_3d": (lambda lib: lib.ones(2, 3, 4).t(), None),
    "mT_1d": (lambda lib: lib.ones(3).mT, None),
    "mH_1d": (lambda lib: lib.ones(3).mH, None),
    "H_3d": (lambda lib: lib.ones(2, 3, 4).H, None),
    "adjoint_1d": (lambda lib: lib.ones(3).adjoint(), None),
    "expand_fewer": (lambda lib: lib.ones(2, 3).expand(3), None),
    "expand_mismatch": (lambda lib: lib.ones(2, 3).expand(2, 4), None),
    "expand_lead_minus_one": (lambda lib: lib.ones(3).expand(-1, 3), None),
    "broadcast_to": (lambda lib: lib.broadcast_to(lib.ones(4), (3, 5)), None),
    "broadcast_tensors": (
        lambda lib: lib.broadcast_tensors(lib.ones(2, 1), lib.ones(3), lib.ones(4, 1)),
        None,
    ),
    "broadcast_tensors_list": (lambda lib: lib.broadcast_tensors([lib.ones(2)]), None),
    "broadcast_shapes": (lambda lib: lib.broadcast_shapes((2, 1), (3,), (4, 1)), None),
    "broadcast_shapes_int": (lambda lib: lib.broadcast_shapes((3, 4), 2), None),
    "broadcast_shapes_negative": (lambda lib: lib.broadcast_shapes((-1,)), None),
    "repeat_fewer": (lambda lib: lib.ones(2, 3).repeat(2), None),
    "repeat_negative": (lambda lib: lib.ones(2, 3).repeat(-1, 1), None),
    "tile_negative": (lambda lib: lib.ones(2, 3).tile(-1), None),
    "repeat_interleave_negative": (lambda lib: lib.ones(2).repeat_interleave(-1), None),
    "repeat_interleave_size": (
        lambda lib: lib.ones(3, 4).repeat_interleave(lib.tensor([2, 1]), dim=1),
        None,
    ),
    "repeat_interleave_negative_tensor": (
        lambda lib: lib.ones(3).repeat_interleave(lib.tensor([2, -1, 1])),
        None,
    ),
    "repeat_interleave_float": (
        lambda lib: lib.ones(3).repeat_interleave(lib.tensor([2.0, 1.0, 1.0])),
        None,
    ),
    "repeat_interleave_2d": (
        lambda lib: lib.ones(3).repeat_interleave(lib.tensor([[1, 1, 1]]), dim=0),
        None,
    ),
    "repeat_interleave_output_size": (
        lambda lib: lib.ones(3, 4).repeat_interleave(2, dim=0, output_size=5),
        None,
    ),
    "repeat_interleave_output_size_tensor": (
        lambda lib: lib.ones(3).repeat_interleave(lib.tensor([1, 2, 0]), output_size=5),
        None,
    ),
    "repeat_interleave_dim": (lambda lib: lib.ones(3, 4).repeat_interleave(2, dim=2), None),
    "flip_dup": (lambda lib: lib.ones(2, 3).flip(0, -2), None),
    "flip_range": (lambda lib: lib.ones(2, 3).flip(2), None),
    "flip_int": (lambda lib: lib.flip(lib.ones(2, 3), 0), None),
    "flip_missing": (lambda lib: lib.ones(2).flip(), None),
    "view_missing": (lambda lib: lib.ones(2).view(), None),
    "reshape_missing": (lambda lib: lib.ones(2).reshape(), None),
    "repeat_missing": (lambda lib: lib.ones(2).repeat(), None),
    "tile_missing": (lambda lib: lib.ones(2).tile(), None),
    "fliplr_1d": (lambda lib: lib.ones(3).fliplr(), None),
    "flipud_0d": (lambda lib: lib.flipud(lib.tensor(1.0)), None),
    "roll_mismatch": (lambda lib: lib.ones(2, 3).roll((1, 2), 0), None),
    "roll_shifts_without_dims": (lambda lib: lib.ones(2, 3).roll((1, 2)), None),
    "roll_no_shifts": (lambda lib: lib.ones(2, 3).roll((), ()), None),
    "roll_0d_dim": (lambda lib: lib.tensor(1.0).roll(1, 0), None),
    "roll_range": (lambda lib: lib.ones(2, 3).roll(1, 2), None),
    "rot90_1d": (lambda lib: lib.ones(3).rot90(), None),
    "rot90_three_dims": (lambda lib: lib.ones(2, 3).rot90(1, (0, 1, 0)), None),
    "rot90_same_dims": (lambda lib: lib.ones(2, 3).rot90(1, (0, -2)), None),
    "rot90_range": (lambda lib: lib.rot90(lib.ones(2, 3), 1, (0, 2)), None),
    "cat_tensor": (lambda lib: lib.cat(lib.ones(2, 3)), None),
    "cat_none": (lambda lib: lib.cat([]), None),
    "cat_0d": (lambda lib: lib.cat([lib.ones(2), lib.tensor(1.0)]), None),
    "cat_sizes": (lambda lib: lib.cat([lib.ones(2, 3), lib.ones(2, 4)]), None),
    "cat_sizes_dim1": (lambda lib: lib.cat([lib.ones(2, 3), lib.ones(3, 4)], dim=1), None),
    "cat_ndim": (lambda lib: lib.cat([lib.ones(2, 3), lib.ones(2, 3, 1)]), None),
    "cat_dim": (lambda lib: lib.cat([lib.zeros(0), lib.ones(2, 3)], dim=2), None),
    "cat_empty_2d": (lambda lib: lib.cat([lib.ones(2, 3), lib.zeros(0, 2)]), None),
    "cat_number": (lambda lib: lib.cat([lib.ones(2), 1]), None),
    "stack_sizes": (lambda lib: lib.stack([lib.ones(2), lib.ones(2), lib.ones(3)]), None),
    "stack_none": (lambda lib: lib.stack([]), None),
    "stack_dim": (lambda lib: lib.stack([lib.ones(2, 3)], dim=3), None),
    "hstack_sizes": (lambda lib: lib.hstack([lib.ones(2, 3), lib.ones(3, 3)]), None),
    "column_stack_sizes": (
        lambda lib: lib.column_stack([lib.ones(4), lib.ones(4, 2), lib.tensor(1.0)]),
        None,
    ),
    "split_sizes_sum": (lambda lib: lib.ones(3, 4).split([1, 1]), None),
    "split_sizes_negative": (lambda lib: lib.ones(3, 4).split([4, -1]), None),
    "split_zero": (lambda lib: lib.ones(3, 4).split(0), None),
    "split_negative": (lambda lib: lib.ones(3, 4).split(-1), None),
    "split_0d": (lambda lib: lib.split(lib.tensor(1.0), 1), None),
    "split_dim": (lambda lib: lib.ones(3, 4).split(1, 2), None),
    "chunk_zero": (lambda lib: lib.ones(3).chunk(0), None),
    "chunk_0d": (lambda lib: lib.tensor(1.0).chunk(1), None),
    "tensor_split_zero": (lambda lib: lib.ones(3).tensor_split(0), None),
    "tensor_split_0d": (lambda lib: lib.tensor_split(lib.tensor(1.0), 1), None),
    "tensor_split_float_tensor": (lambda lib: lib.ones(3).tensor_split(lib.tensor([1.0])), None),
    "tensor_split_2d_tensor": (lambda lib: lib.ones(3).tensor_split(lib.tensor([[1]])), None),
    "tensor_split_float": (lambda lib: lib.ones(3).tensor_split(2.0), "invalid combination"),
    "hsplit_divisible": (lambda lib: lib.hsplit(lib.ones(3, 4), 3), None),
    "hsplit_0d": (lambda lib: lib.hsplit(lib.tensor(1.0), 1), None),
    "vsplit_1d": (lambda lib: lib.ones(4).vsplit(2), None),
    "dsplit_2d": (lambda lib: lib.dsplit(lib.ones(2, 2), 2), None),
    "narrow_0d": (lambda lib: lib.tensor(1.0).narrow(0, 0, 1), None),
    "narrow_length": (lambda lib: lib.ones(3, 4).narrow(0, 4, -1), None),
    "narrow_start": (lambda lib: lib.ones(3, 4).narrow(0, 4, 0), None),
    "narrow_negative_start": (lambda lib: lib.ones(3, 4).narrow(0, -4, 1), None),
    "narrow_past_end": (lambda lib: lib.ones(3, 4).narrow(0, 2, 2), None),
    "narrow_dim": (lambda lib: lib.narrow(lib.ones(3, 4), 2, 0, 1), None),
    "tril_1d": (lambda lib: lib.ones(3).tril(), None),
    "triu_0d": (lambda lib: lib.triu(lib.tensor(1.0)), None),
    "diag_0d": (lambda lib: lib.tensor(1.0).diag(), None),
    "diag_3d": (lambda lib: lib.diag(lib.ones(2, 2, 2)), None),
    "diagonal_same_dims": (lambda lib: lib.ones(2, 3).diagonal(0, 1, -1), None),
    "diagonal_1d": (lambda lib: lib.ones(3).diagonal(), None),
    "diag_embed_0d": (lambda lib: lib.tensor(1.0).diag_embed(), None),
    "diag_embed_same_dims": (lambda lib: lib.ones(3).diag_embed(0, 0, 0), None),
    "diag_embed_range": (lambda lib: lib.ones(3).diag_embed(0, 0, 2), None),
    "trace_1d": (lambda lib: lib.ones(3).trace(), None),
    "trace_3d": (lambda lib: lib.trace(lib.ones(2, 2, 2)), None),
    "trace_bool": (lambda lib: lib.ones(2, 2, dtype=lib.bool).trace(), None),
    "meshgrid_2d": (lambda lib: lib.meshgrid(lib.ones(2, 2), indexing="ij"), "Expected 0D or 1D"),
    "meshgrid_indexing": (lambda lib: lib.meshgrid(lib.ones(2), indexing="ab"), None),
    "meshgrid_none": (lambda lib: lib.meshgrid(indexing="ij"), None),
    "meshgrid_dtypes": (
        lambda lib: lib.meshgrid(lib.ones(2), lib.ones(2, dtype=lib.int64), indexing="ij"),
        None,
    ),
    "new_zeros_negative": (lambda lib: lib.ones(2).new_zeros(-1), None),
    "new_zeros_float": (lambda lib: lib.ones(2).new_zeros(2.0), None),
    "new_full_int_size": (lambda lib: lib.ones(2).new_full(2, 3), None),
    "new_zeros_int_grad": (
        lambda lib: lib.ones(2).new_zeros(2, dtype=lib.int64, requires_grad=True),
        None,
    ),
}


@pytest.mark.parametrize("name", ERRORS)
def test_errors_match_torch(name):
    fn, part = ERRORS[name]
    with pytest.raises(Exception) as t_err:
        fn(torch)
    with pytest.raises(Exception) as m_err:
        fn(mytorch)
    assert type(m_err.value) is type(t_err.value), (m_err.value, t_err.value)
    m_msg, t_msg = str(m_err.value), str(t_err.value)
    if part is None:
        assert m_msg == t_msg
    else:
        assert part in m_msg and part in t_msg, (m_msg, t_msg)


# failing in-place ops leave the tensor, its shape and its version as they were
FAILING_INPLACE = {
    "squeeze_": lambda y: y.squeeze_(5),
    "unsqueeze_": lambda y: y.unsqueeze_(-5),
    "t_": lambda y: y.t_(),
    "transpose_": lambda y: y.transpose_(0, 3),
    "swapdims_": lambda y: y.swapdims_(-4, 0),
    "tril_": lambda y: y[0, 0].tril_(),  # a view: a write would show in y
    "triu_": lambda y: y.triu_(diagonal=1.5),
}


@pytest.mark.parametrize("name", FAILING_INPLACE)
def test_failing_inplace_op_changes_nothing(name):
    for lib in (mytorch, torch):
        x = lib.tensor(np.arange(6.0).reshape(2, 3, 1), requires_grad=True)
        y = x * 1.0
        before = (y.clone(), tuple(y.shape), y._version, type(y.grad_fn).__name__)
        with pytest.raises((RuntimeError, IndexError, TypeError)):
            FAILING_INPLACE[name](y)
        assert tuple(y.shape) == before[1] and y._version == before[2]
        assert type(y.grad_fn).__name__ == before[3]
        assert y.tolist() == before[0].tolist()


def test_meshgrid_without_indexing_warns_and_uses_ij():
    for lib in (mytorch, torch):
        with pytest.warns(UserWarning, match="indexing argument"):
            a, b = lib.meshgrid(lib.ones(2), lib.ones(3))
        assert tuple(a.shape) == (2, 3)


def test_deprecation_warnings_on_0d_transposes():
    for lib in (mytorch, torch):
        x = lib.tensor(1.0)
        for get in (lambda: x.H, lambda: x.mH, lambda: x.adjoint()):
            with warnings.catch_warnings(record=True) as w:
                warnings.simplefilter("always")
                assert get() is x
            assert "deprecated on 0-D tensors" in str(w[0].message)
