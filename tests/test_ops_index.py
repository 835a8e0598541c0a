"""Indexing ops against torch: __getitem__/__setitem__ (drawn index expressions too), the
gather/scatter, index_* and masked_* families, take, nonzero, searchsorted; values, dtypes, node
names, gradients of orders 1 to 3; float64 finite differences; in place through views; errors."""

import warnings

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from oracle import assert_same, check_against_torch, make_inputs

import mytorch

warnings.filterwarnings("ignore", message="Using a non-tuple sequence", category=UserWarning)
warnings.filterwarnings(
    "ignore", message="The reduce argument of torch.scatter", category=UserWarning
)
warnings.filterwarnings("ignore", message="indexing with dtype torch.uint8", category=UserWarning)


def _i(*values):
    return np.array(values, dtype=np.int64)


def _t(lib, values, dtype=None):
    """An index tensor in either library."""
    return lib.tensor(values, dtype=dtype or lib.int64)


def _set(index, value=None):
    """`y[index] = value` on a non-leaf copy, so that the write is recorded; `index` may take
    lib, `value` None means the second input."""

    def fn(lib, a, *vals):
        y = a * 1.0
        y[index(lib) if callable(index) else index] = vals[0] if vals else value
        return y

    return fn


def _inplace(method, *args, value_input=True):
    """`y.method(*args, <second input>)` on a non-leaf copy; args may take lib."""

    def fn(lib, a, *vals):
        y = a * 1.0
        resolved = [x(lib) if callable(x) else x for x in args]
        getattr(y, method)(*resolved, *vals)
        return y

    return fn


ROW = _i(0, 2, 2)  # with a repeat: gradients must accumulate
G = np.array([[0, 1, 1], [2, 0, 3], [3, 3, 3]])  # gather / scatter_add index, repeats in rows
PERM = np.array([[1, 0, 3], [0, 2, 1], [3, 1, 2]])  # no repeats in a row: scatter is well defined
ZEROS = np.array([[0.0, 2.0, -1.0, 3.0], [1.5, 0.0, 0.0, 2.0], [0.5, -2.0, 1.0, 0.0]])
TIES = np.array([[1.0, 3.0, 3.0, 0.0], [2.0, 2.0, 2.0, 2.0], [-1.0, 0.5, 0.5, 4.0]])

# name: (fn(lib, *inputs), input specs)
CASES = {
    # __getitem__: basic indices
    "getitem_int": (lambda lib, a: a[1], [(3, 4)]),
    "getitem_neg_ints": (lambda lib, a: a[-1, 2], [(3, 4)]),
    "getitem_all_ints": (lambda lib, a: a[1, 2, 0], [(2, 3, 2)]),
    "getitem_slice_steps": (lambda lib, a: a[::2, 1:4:2], [(5, 4)]),
    "getitem_slice_clamped": (lambda lib, a: a[-10:10, 1:], [(3, 4)]),
    "getitem_slice_empty": (lambda lib, a: a[2:1], [(3, 4)]),
    "getitem_lone_full_slice": (lambda lib, a: a[:], [(3, 4)]),
    "getitem_full_slices": (lambda lib, a: a[:, 0:4], [(3, 4)]),
    "getitem_select_full_slice": (lambda lib, a: a[0, :], [(3, 4)]),
    "getitem_none": (lambda lib, a: a[None, :, None], [(3, 4)]),
    "getitem_none_then_int": (lambda lib, a: a[None, 0], [(3, 4)]),
    "getitem_ellipsis": (lambda lib, a: a[..., 1], [(2, 3, 4)]),
    "getitem_two_ellipses": (lambda lib, a: a[0, ..., 1, ...], [(2, 3, 4)]),
    "getitem_alias": (lambda lib, a: a[...], [(3,)]),
    "getitem_empty_tuple": (lambda lib, a: a[()], [(3,)]),
    "getitem_0d_tensor_int": (lambda lib, a: a[_t(lib, 1)], [(3, 4)]),
    "getitem_0d_base": (lambda lib, a: a[None, ..., None], [()]),
    "getitem_empty_base": (lambda lib, a: a[:, 0], [(0, 3)]),
    # __getitem__: advanced indices
    "getitem_list": (lambda lib, a: a[[0, 2, 0]], [(3, 2)]),
    "getitem_tensor_2d": (lambda lib, a: a[_t(lib, [[0, 1], [1, 1]])], [(3, 2)]),
    "getitem_int32": (lambda lib, a: a[_t(lib, [2, 0], lib.int32)], [(3, 2)]),
    "getitem_neg_list": (lambda lib, a: a[[-1, 0]], [(3, 2)]),
    "getitem_empty_list": (lambda lib, a: a[[]], [(3, 2)]),
    "getitem_mask": (lambda lib, a: a[a > 0], [(3, 4)]),
    "getitem_mask_list": (lambda lib, a: a[[True, False, True]], [(3, 2)]),
    "getitem_mask_leading": (lambda lib, a: a[a[:, :, 0] > 0], [(3, 4, 2)]),
    "getitem_mask_after_slice": (lambda lib, a: a[:, a[0, :, 0] > 0], [(3, 4, 2)]),
    "getitem_adv_adjacent": (lambda lib, a: a[:, [0, 2], [1, 0]], [(2, 3, 4)]),
    "getitem_adv_separated": (lambda lib, a: a[:, [0, 1], :, [1, 0]], [(2, 3, 4, 2)]),
    "getitem_int_and_adv": (lambda lib, a: a[1, ..., [0, 1]], [(3, 4, 5)]),
    "getitem_int_slice_adv": (lambda lib, a: a[2, :, [1]], [(3, 4, 5)]),
    "getitem_adv_none_adv": (lambda lib, a: a[[0, 1], None, [0, 1]], [(3, 4, 5)]),
    "getitem_adv_broadcast": (lambda lib, a: a[_t(lib, [[0], [1]]), _t(lib, [0, 2, 1])], [(2, 3)]),
    "getitem_slice_adv_none": (lambda lib, a: a[1:2, [0, 1], None], [(3, 4, 5)]),
    "getitem_list_as_tuple": (lambda lib, a: a[[[0, 1], [1, 2]]], [(3, 4)]),
    "getitem_true": (lambda lib, a: a[True], [(3,)]),
    "getitem_false": (lambda lib, a: a[False], [(3,)]),
    "getitem_true_int": (lambda lib, a: a[True, 0], [(3, 2)]),
    "getitem_0d_mask": (lambda lib, a: a[a > 0], [()]),
    "getitem_mask_empty_base": (lambda lib, a: a[a > 0], [(0, 3)]),
    # __setitem__ (the written tensor is returned)
    "setitem_int": (_set(0), [(3, 4), (4,)]),
    "setitem_scalar": (_set(1, 2.5), [(3, 4)]),
    "setitem_int_scalar_value": (_set((0, 1), 7), [(3, 4)]),
    "setitem_broadcast": (_set((slice(None), slice(1, 3))), [(3, 4), (3, 1)]),
    "setitem_leading_ones": (_set(0), [(3, 4), (1, 1, 4)]),
    "setitem_step": (_set((slice(None, None, 2), 1)), [(5, 3), ()]),
    "setitem_list": (_set([0, 2]), [(3, 4), (2, 4)]),
    "setitem_list_repeated": (_set([1, 1]), [(3, 2), (2,)]),
    "setitem_mask_scalar": (lambda lib, a: _set(a.detach() > 0, 0.0)(lib, a), [(3, 4)]),
    "setitem_mask_0d": (lambda lib, a, v: _set(a.detach() > 0)(lib, a, v), [(3, 4), ()]),
    "setitem_mask_values": (lambda lib, a, v: _set(a.detach() > 5)(lib, a, v), [(3, 4), (0,)]),
    "setitem_fill_all": (_set(Ellipsis, 3.0), [(3, 4)]),
    "setitem_fill_0d_tensor": (_set(slice(None)), [(3, 4), ()]),
    "setitem_copy_all": (_set(slice(None)), [(3, 4), (4,)]),
    "setitem_slice_adv": (_set((slice(1, None), [0, 1])), [(3, 4), (2,)]),
    "setitem_adv_separated": (
        _set((slice(None), [0, 1], slice(None), [1, 0])),
        [(2, 3, 4, 2), (4,)],
    ),
    "setitem_none": (_set(None), [(3,), (3,)]),
    "setitem_true_int": (_set((True, 0)), [(3, 2), (2,)]),
    "setitem_0d_base": (_set(Ellipsis), [(), ()]),
    "setitem_float32_value": (lambda lib, a, v: _set(0)(lib, a, v.float()), [(3, 4), (4,)]),
    "setitem_view_of_view": (
        lambda lib, a: _setitem_chain(a * 1.0, lambda y: y[1], (0, slice(1, None)), 5.0),
        [(3, 4, 2)],
    ),
    "setitem_into_constant": (
        lambda lib, v: _setitem_chain(lib.zeros(3, 4, dtype=lib.float64), None, 1, v),
        [(4,)],
    ),
    "setitem_augmented": (lambda lib, a, b: _augmented(a * 1.0, b), [(3, 4), (4,)]),
    # in place through views made by indexing
    "view_mul_base": (lambda lib, a: _through_view(a * 1.0, lambda y: y[0], "mul_", 2.0), [(3, 4)]),
    "view_mul_view": (
        lambda lib, a: _through_view(a * 1.0, lambda y: y[:, 1], "mul_", 3.0, out="view"),
        [(3, 4)],
    ),
    "view_of_view_add": (
        lambda lib, a, b: _through_view(a * 1.0, lambda y: y[1][1:], "add_", b),
        [(3, 4), (3,)],
    ),
    "view_sibling_sees_change": (
        lambda lib, a: _through_view(a * 1.0, lambda y: y[0], "mul_", 3.0, out="sibling"),
        [(3, 4)],
    ),
    "base_change_seen_by_view": (lambda lib, a: _base_then_view(a * 1.0), [(3, 4)]),
    "view_copy_into_constant": (lambda lib, v: _copy_into_constant(lib, v), [(2,)]),
    "view_unsqueeze_fill": (
        lambda lib, a: _through_view(a * 1.0, lambda y: y[None, 1:], "fill_", 0.5),
        [(3, 2)],
    ),
    # index_select
    "index_select": (lambda lib, a, i: lib.index_select(a, 1, i), [(3, 4), ROW]),
    "index_select_method_neg_dim": (lambda lib, a, i: a.index_select(-2, i), [(3, 4), ROW]),
    "index_select_0d_index": (lambda lib, a: a.index_select(0, _t(lib, 1)), [(3, 4)]),
    "index_select_0d_input": (lambda lib, a: a.index_select(0, _t(lib, [0])), [()]),
    "index_select_empty_index": (lambda lib, a: a.index_select(0, _t(lib, [])), [(3, 4)]),
    "index_select_int32": (lambda lib, a: a.index_select(1, _t(lib, [3, 0], lib.int32)), [(3, 4)]),
    # gather
    "gather": (lambda lib, a, i: lib.gather(a, 1, i), [(3, 4), G]),
    "gather_dim0_smaller": (lambda lib, a, i: a.gather(0, i), [(4, 4), G[:2, :2]]),
    "gather_neg_dim": (lambda lib, a: a.gather(-1, _t(lib, [[0], [2], [2]])), [(3, 4)]),
    "gather_0d": (lambda lib, a: a.gather(0, _t(lib, 0)), [()]),
    "gather_empty": (lambda lib, a: a.gather(1, _t(lib, [[], [], []])), [(3, 4)]),
    "gather_int32": (lambda lib, a, i: a.gather(1, i.int()), [(3, 4), G]),
    # scatter, scatter_add, scatter_reduce
    "scatter_src": (lambda lib, a, i, s: lib.scatter(a, 1, i, s), [(3, 4), PERM, (3, 3)]),
    "scatter_src_dim0": (lambda lib, a, s: a.scatter(0, _t(lib, [[2, 0]]), s), [(3, 2), (1, 2)]),
    "scatter_src_larger": (
        lambda lib, a: a.scatter(1, _t(lib, [[1], [0]]), lib.arange(9.0).reshape(3, 3).double()),
        [(2, 3)],
    ),
    "scatter_value": (lambda lib, a, i: a.scatter(1, i, 1.5), [(3, 4), PERM]),
    "scatter_value_kw": (lambda lib, a, i: lib.scatter(a, 1, i, value=-2.0), [(3, 4), PERM]),
    "scatter_0d": (lambda lib, a, s: a.scatter(0, _t(lib, 0), s), [(), ()]),
    "scatter_add": (lambda lib, a, i, s: lib.scatter_add(a, 1, i, s), [(3, 4), G, (3, 3)]),
    "scatter_add_dim0": (
        lambda lib, a, s: a.scatter_add(0, _t(lib, [[1, 1, 0]]), s),
        [(2, 3), (1, 3)],
    ),
    "scatter_add_empty": (
        lambda lib, a, s: a.scatter_add(1, _t(lib, [[], []]), s),
        [(2, 3), (2, 0)],
    ),
    "scatter_reduce_sum": (
        lambda lib, a, s: a.scatter_reduce(1, _t(lib, G), s, "sum"),
        [(3, 4), (3, 3)],
    ),
    "scatter_reduce_sum_noself": (
        lambda lib, a, s: lib.scatter_reduce(a, 1, _t(lib, G), s, "sum", include_self=False),
        [(3, 4), (3, 3)],
    ),
    "scatter_reduce_mean": (
        lambda lib, a, s: a.scatter_reduce(1, _t(lib, G), s, "mean"),
        [(3, 4), (3, 3)],
    ),
    "scatter_reduce_mean_noself": (
        lambda lib, a, s: a.scatter_reduce(1, _t(lib, G), s, "mean", include_self=False),
        [(3, 4), (3, 3)],
    ),
    "scatter_reduce_prod": (
        lambda lib, a, s: a.scatter_reduce(1, _t(lib, G), s, "prod"),
        [(3, 4), (3, 3)],
    ),
    "scatter_reduce_prod_noself": (
        lambda lib, a, s: a.scatter_reduce(1, _t(lib, G), s, "prod", include_self=False),
        [(3, 4), (3, 3)],
    ),
    "scatter_reduce_prod_zeros": (
        lambda lib, a, s: a.scatter_reduce(1, _t(lib, G), s, "prod"),
        [ZEROS, np.array([[0.0, 2.0, 1.0], [3.0, 0.0, 1.0], [1.0, 2.0, 0.5]])],
    ),
    "scatter_reduce_amax": (
        lambda lib, a, s: a.scatter_reduce(1, _t(lib, G), s, "amax"),
        [(3, 4), (3, 3)],
    ),
    "scatter_reduce_amin_noself": (
        lambda lib, a, s: a.scatter_reduce(1, _t(lib, G), s, "amin", include_self=False),
        [(3, 4), (3, 3)],
    ),
    "scatter_reduce_amax_ties": (
        lambda lib, a, s: a.scatter_reduce(1, _t(lib, G), s, "amax"),
        [TIES, np.array([[3.0, 3.0, 1.0], [2.0, 2.0, 0.0], [0.5, 4.0, 4.0]])],
    ),
    # index_add, index_copy, index_fill
    "index_add": (lambda lib, a, i, s: lib.index_add(a, 0, i, s), [(3, 4), ROW, (3, 4)]),
    "index_add_alpha_dim1": (
        lambda lib, a, s: a.index_add(1, _t(lib, [3, 0]), s, alpha=-2.5),
        [(3, 4), (3, 2)],
    ),
    "index_add_int32": (
        lambda lib, a, s: a.index_add(0, _t(lib, [1], lib.int32), s),
        [(3, 4), (1, 4)],
    ),
    "index_add_0d": (lambda lib, a, s: a.index_add(0, _t(lib, [0]), s), [(), ()]),
    "index_add_one_row": (
        lambda lib, a, s: a.index_add(0, _t(lib, [2]), s),
        [(3, 4), (1, 4)],
    ),
    "index_copy": (lambda lib, a, s: lib.index_copy(a, 1, _t(lib, [3, 0]), s), [(3, 4), (3, 2)]),
    "index_copy_0d": (lambda lib, a, s: a.index_copy(0, _t(lib, [0]), s), [(), ()]),
    "index_fill": (lambda lib, a: lib.index_fill(a, 1, _t(lib, [0, -1, 0]), 1.5), [(3, 4)]),
    "index_fill_tensor": (lambda lib, a, v: a.index_fill(0, _t(lib, [2]), v), [(3, 4), ()]),
    "index_fill_empty": (lambda lib, a: a.index_fill(0, _t(lib, []), 2.0), [(3, 4)]),
    "index_fill_0d": (lambda lib, a: a.index_fill(0, _t(lib, [0]), 1.5), [()]),
    "index_add_empty": (lambda lib, a, s: a.index_add(0, _t(lib, []), s), [(2, 3), (0, 3)]),
    "index_copy_empty": (lambda lib, a, s: a.index_copy(0, _t(lib, []), s), [(0, 3), (0, 3)]),
    "index_put_empty": (lambda lib, a, v: a.index_put((_t(lib, []),), v), [(2, 3), (3,)]),
    "scatter_reduce_0d": (
        lambda lib, a, s: a.scatter_reduce(0, _t(lib, 0), s, "prod"),
        [(), ()],
    ),
    "scatter_reduce_empty": (
        lambda lib, a, s: a.scatter_reduce(1, _t(lib, [[], []]), s, "amax"),
        [(2, 3), (2, 0)],
    ),
    "masked_scatter_empty": (
        lambda lib, a, s: a.masked_scatter(a > 10, s),
        [(2, 3), (0,)],
    ),
    "take_along_dim_0d": (lambda lib, a: a.take_along_dim(_t(lib, 0)), [()]),
    "take_along_dim_empty": (
        lambda lib, a: a.take_along_dim(_t(lib, [[], []]), 1),
        [(2, 3)],
    ),
    # index_put
    "index_put": (lambda lib, a, v: lib.index_put(a, (_t(lib, [0, 2]),), v), [(3, 4), (4,)]),
    "index_put_accumulate": (
        lambda lib, a, v: a.index_put((_t(lib, [1, 1, 0]), _t(lib, [0, 0, 3])), v, accumulate=True),
        [(3, 4), (3,)],
    ),
    "index_put_mask": (lambda lib, a, v: a.index_put((a.detach() > 0,), v), [(3, 4), ()]),
    "index_put_0d_index": (lambda lib, a, v: a.index_put((_t(lib, 1),), v), [(3, 4), (4,)]),
    "index_put_leading_one": (lambda lib, a, v: a.index_put((_t(lib, [1]),), v), [(3, 4), (1, 4)]),
    # masked_fill, masked_select, masked_scatter
    "masked_fill": (lambda lib, a, m: lib.masked_fill(a, m, 0.5), [(3, 4), ("bool", (3, 4))]),
    "masked_fill_broadcast": (lambda lib, a, m: a.masked_fill(m, -1.0), [(4,), ("bool", (3, 4))]),
    "masked_fill_tensor": (lambda lib, a, m, v: a.masked_fill(m, v), [(3, 4), ("bool", (4,)), ()]),
    "masked_fill_0d": (lambda lib, a: a.masked_fill(a > 0, 2.0), [()]),
    "masked_fill_empty": (lambda lib, a: a.masked_fill(a > 0, 2.0), [(0, 2)]),
    "masked_select": (lambda lib, a, m: lib.masked_select(a, m), [(3, 4), ("bool", (3, 4))]),
    "masked_select_broadcast": (lambda lib, a, m: a.masked_select(m), [(4,), ("bool", (3, 4))]),
    "masked_select_0d": (lambda lib, a: a.masked_select(a < 10), [()]),
    "masked_select_none": (lambda lib, a: a.masked_select(a > 10), [(3, 4)]),
    "masked_scatter": (
        lambda lib, a, m, s: lib.masked_scatter(a, m, s),
        [(3, 4), ("bool", (3, 4)), (4, 4)],
    ),
    "masked_scatter_broadcast": (
        lambda lib, a, m, s: a.masked_scatter(m, s),
        [(4,), ("bool", (3, 1)), (12,)],
    ),
    "masked_scatter_0d": (lambda lib, a, s: a.masked_scatter(a < 10, s), [(), (2,)]),
    # take, take_along_dim
    "take": (lambda lib, a: lib.take(a, _t(lib, [[0, 11], [-1, 0]])), [(3, 4)]),
    "take_0d": (lambda lib, a: a.take(_t(lib, 0)), [()]),
    "take_empty": (lambda lib, a: a.take(_t(lib, [])), [(3, 4)]),
    "take_along_dim": (lambda lib, a: lib.take_along_dim(a, _t(lib, [[0], [3], [3]]), 1), [(3, 4)]),
    "take_along_dim_flat": (lambda lib, a: a.take_along_dim(_t(lib, [3, 0, 3])), [(3, 4)]),
    "take_along_dim_broadcast": (
        lambda lib, a: a.take_along_dim(_t(lib, [[[0, 1]]]), -1),
        [(2, 3, 4)],
    ),
    "take_along_dim_argsort_like": (
        lambda lib, a: lib.take_along_dim(a, _t(lib, [[2, 1, 0, 3]] * 3), dim=1),
        [(3, 4)],
    ),
    # in place
    "index_add_": (_inplace("index_add_", 0, lambda lib: _t(lib, [1, 1])), [(3, 4), (2, 4)]),
    "index_copy_": (_inplace("index_copy_", 1, lambda lib: _t(lib, [2])), [(3, 4), (3, 1)]),
    "index_fill_": (_inplace("index_fill_", 0, lambda lib: _t(lib, [0]), 2.0), [(3, 4)]),
    "index_fill_tensor_": (_inplace("index_fill_", 0, lambda lib: _t(lib, [1])), [(3, 4), ()]),
    "index_put_": (_inplace("index_put_", lambda lib: (_t(lib, [0, 0]),)), [(3, 4), (4,)]),
    "index_put_accumulate_": (
        lambda lib, a, v: (a * 1.0).index_put_((_t(lib, [0, 0]),), v, True),
        [(3, 4), (4,)],
    ),
    "masked_fill_": (lambda lib, a, m: (a * 1.0).masked_fill_(m, 3.0), [(3, 4), ("bool", (4,))]),
    "masked_fill_tensor_": (
        lambda lib, a, m, v: (a * 1.0).masked_fill_(m, v),
        [(3, 4), ("bool", (3, 4)), ()],
    ),
    "masked_scatter_": (
        lambda lib, a, m, s: (a * 1.0).masked_scatter_(m, s),
        [(3, 4), ("bool", (4,)), (12,)],
    ),
    "scatter_": (_inplace("scatter_", 1, lambda lib: _t(lib, PERM)), [(3, 4), (3, 3)]),
    "scatter_value_": (lambda lib, a: (a * 1.0).scatter_(1, _t(lib, PERM), value=0.25), [(3, 4)]),
    "scatter_add_": (_inplace("scatter_add_", 1, lambda lib: _t(lib, G)), [(3, 4), (3, 3)]),
    "scatter_reduce_": (
        lambda lib, a, s: (a * 1.0).scatter_reduce_(1, _t(lib, G), s, "mean", include_self=False),
        [(3, 4), (3, 3)],
    ),
    # index results and searches (no gradients)
    "nonzero": (lambda lib, a: lib.nonzero(a > 0), [(3, 4)]),
    "nonzero_0d": (lambda lib, a: (a > 10).nonzero(), [()]),
    "nonzero_as_tuple": (lambda lib, a: lib.nonzero(a > 0, as_tuple=True)[1], [(3, 4)]),
    "nonzero_as_tuple_0d": (lambda lib, a: (a < 10).nonzero(as_tuple=True)[0], [()]),
    "nonzero_empty": (lambda lib, a: lib.nonzero(a), [(0, 3)]),
    "argwhere": (lambda lib, a: lib.argwhere(a > 0), [(2, 3, 2)]),
    "where_one_arg": (lambda lib, a: lib.where(a > 0)[0], [(3, 4)]),
    "where_three_args": (lambda lib, a, b: lib.where(a > 0, a, b), [(3, 4), (4,)]),
    "searchsorted": (lambda lib, a: lib.searchsorted(_sorted(lib), a), [(3, 2)]),
    "searchsorted_ties_right": (
        lambda lib: lib.searchsorted(_sorted(lib), _sorted(lib), right=True),
        [],
    ),
    "searchsorted_side": (
        lambda lib: lib.searchsorted(_sorted(lib), _sorted(lib), side="left"),
        [],
    ),
    "searchsorted_sorter": (
        lambda lib, a: lib.searchsorted(
            _t(lib, [3.0, 1.0, 2.0], lib.float64), a, sorter=_t(lib, [1, 2, 0])
        ),
        [(4,)],
    ),
    "searchsorted_batched": (
        lambda lib, a: lib.searchsorted(lib.sort(a, dim=-1).values, a[:, :2], out_int32=True),
        [(3, 4)],
    ),
    "searchsorted_scalar": (lambda lib: lib.searchsorted(_sorted(lib), 0.5), []),
    "searchsorted_int_sequence": (lambda lib, a: lib.searchsorted(_t(lib, [-1, 0, 2]), a), [(5,)]),
    "bucketize": (lambda lib, a: lib.bucketize(a, _sorted(lib)), [(3, 2)]),
    "bucketize_right_int32": (
        lambda lib: lib.bucketize(_sorted(lib), _sorted(lib), right=True, out_int32=True),
        [],
    ),
}


def _sorted(lib):
    return lib.tensor([-1.0, 0.0, 0.0, 0.5, 2.0], dtype=lib.float64)


def _setitem_chain(y, view, index, value):
    """`view(y)[index] = value`, returning y."""
    target = y if view is None else view(y)
    target[index] = value
    return y


def _through_view(y, view, method, arg, out="base"):
    v = view(y)
    other = y[:, 0]  # made before the change, and overlapping the view
    getattr(v, method)(arg)
    return {"base": y, "view": v, "sibling": other}[out]


def _augmented(y, b):
    y[0] += b  # in place on the view, then written back
    y[[1, 2]] *= 2.0
    y[y > 1] -= 0.5
    return y


def _base_then_view(y):
    v = y[1:, 1]
    y.mul_(2.0)
    return v


def _copy_into_constant(lib, v):
    t = lib.zeros(3, dtype=lib.float64)
    t[1:].copy_(v)
    return t


def _square(fn):
    # most indexing ops are linear: squaring makes the second derivative run through the
    # backward-of-backward, which the linear op alone never reaches
    return lambda lib, *xs: fn(lib, *xs) ** 2


def _inputs(specs, seed=0):
    arrays = make_inputs(specs, np.random.default_rng(seed))
    return [
        mytorch.tensor(a.astype(np.float64), requires_grad=True)
        if a.dtype.kind == "f"
        else mytorch.tensor(a)
        for a in arrays
    ]


@pytest.mark.parametrize("name", CASES)
def test_matches_torch(name):
    fn, specs = CASES[name]
    check_against_torch(fn, specs, order=2)
    out = fn(mytorch, *_inputs(specs))
    if out.dtype.is_floating_point and out.requires_grad:
        check_against_torch(_square(fn), specs, order=2, check_grad_fn=False)


# finite differences need smooth points (ties of amax, zeros of prod); and where one position
# is written twice without accumulating, torch's gradient goes to both written values although
# only the last one shows, which finite differences cannot see; a float32 value is too coarse
NOT_SMOOTH = {"scatter_reduce_prod_zeros", "scatter_reduce_amax_ties", "index_put_",
              "setitem_list_repeated", "setitem_float32_value"}  # fmt: skip


def _differentiable(name):
    fn, specs = CASES[name]
    if not any(isinstance(s, tuple) and (not s or isinstance(s[0], int)) for s in specs):
        return False  # no float input
    out = fn(mytorch, *_inputs(specs))
    return out.requires_grad and out.numel() > 0


DIFFERENTIABLE = sorted(n for n in set(CASES) - NOT_SMOOTH if _differentiable(n))


@pytest.mark.parametrize("name", DIFFERENTIABLE)
def test_gradcheck(name):
    fn, specs = CASES[name]
    assert mytorch.autograd.gradcheck(lambda *xs: fn(mytorch, *xs), _inputs(specs))


@pytest.mark.parametrize("name", DIFFERENTIABLE)
def test_gradgradcheck(name):
    fn, specs = CASES[name]
    assert mytorch.autograd.gradgradcheck(
        lambda *xs: _square(fn)(mytorch, *xs), _inputs(specs, seed=1)
    )


def test_every_differentiable_case_is_checked():
    # a guard on the filter above: the families are all in the finite-difference runs
    for prefix in ("getitem", "setitem", "view", "index_", "gather", "scatter", "masked", "take"):
        assert any(n.startswith(prefix) for n in DIFFERENTIABLE), prefix


# ops torch records without a derivative (a node named NotImplemented)
NO_DERIVATIVE = {
    "scatter_reduce_add": lambda lib, a: a.scatter(0, _t(lib, [0, 0, 2]), a[:3] * 2, reduce="add"),
    "scatter_value_multiply": lambda lib, a: lib.scatter(
        a, 0, _t(lib, [1, 1]), 3.0, reduce="multiply"
    ),
}


@pytest.mark.parametrize("name", NO_DERIVATIVE)
def test_ops_without_derivative_match_torch(name):
    fn = NO_DERIVATIVE[name]
    check_against_torch(fn, [(5,)], order=0)
    for lib in (torch, mytorch):
        out = fn(lib, lib.ones(5, requires_grad=True) * 1.5)
        with pytest.raises(RuntimeError, match="derivative for"):
            out.sum().backward()


# ---- third order against torch --------------------------------------------------------------

THIRD_ORDER = ["getitem_adv_separated", "getitem_mask", "setitem_slice_adv", "view_of_view_add",
               "gather", "scatter_add", "scatter_reduce_prod", "scatter_reduce_mean", "index_add",
               "index_copy", "masked_scatter", "take", "index_put_accumulate"]  # fmt: skip


@pytest.mark.parametrize("name", THIRD_ORDER)
def test_third_order_matches_torch(name):
    fn, specs = CASES[name]
    arrays = make_inputs(specs, np.random.default_rng(3))
    results = []
    for lib in (mytorch, torch):
        xs = [lib.tensor(a.copy(), requires_grad=a.dtype.kind == "f") for a in arrays]
        diff = [x for x in xs if x.requires_grad]
        y = fn(lib, *xs) ** 3
        w = lib.tensor(np.cos(np.arange(y.numel())).reshape(tuple(y.shape)))
        grads = lib.autograd.grad((y * w).sum(), diff, create_graph=True)
        for _ in range(2):
            out = sum((g * lib.tensor(np.sin(np.arange(g.numel()) + 1.0).reshape(tuple(g.shape))))
                      .sum() for g in grads)  # fmt: skip
            grads = lib.autograd.grad(out, diff, create_graph=True, allow_unused=True)
            grads = [g if g is not None else lib.zeros_like(x) for g, x in zip(grads, diff)]
        results.append(grads)
    for m, t in zip(*results):
        assert_same(m, t, what="third-order grad")


# ---- drawn index expressions ----------------------------------------------------------------

SHAPES = st.lists(st.integers(1, 4), min_size=1, max_size=4).map(tuple)


@st.composite
def index_expressions(draw, shape):
    """An index for `shape`: a mix of ints, slices with steps, None, one Ellipsis, int lists and
    tensors, bool masks and bools, described so both libraries can build it."""
    items, dim, ellipsis = [], 0, False
    while dim < len(shape) and draw(st.integers(0, 4)):
        size = shape[dim]
        kind = draw(st.sampled_from(
            ["int", "slice", "none", "ellipsis", "list", "tensor", "mask", "bool", "int0d"]
        ))  # fmt: skip
        if kind == "int":
            items.append(("int", draw(st.integers(-size, size - 1))))
        elif kind == "int0d":
            items.append(("int0d", draw(st.integers(-size, size - 1))))
        elif kind == "slice":
            bound = st.one_of(st.none(), st.integers(-size - 1, size + 1))
            step = st.one_of(st.none(), st.integers(1, 3))
            items.append(("slice", (draw(bound), draw(bound), draw(step))))
        elif kind == "none":
            items.append(("none", None))
            continue
        elif kind == "ellipsis":
            if ellipsis:
                continue
            ellipsis = True
            items.append(("ellipsis", None))
            dim = max(dim, len(shape) - draw(st.integers(0, len(shape) - dim)))
            continue
        elif kind == "bool":
            items.append(("bool", draw(st.booleans())))
            continue
        elif kind in ("list", "tensor"):
            n = draw(st.integers(0, 3))
            items.append(
                (kind, draw(st.lists(st.integers(-size, size - 1), min_size=n, max_size=n)))
            )
        else:
            k = draw(st.integers(1, min(2, len(shape) - dim)))
            mask_shape = shape[dim : dim + k]
            count = int(np.prod(mask_shape))
            bits = draw(st.lists(st.booleans(), min_size=count, max_size=count))
            items.append(("mask", np.array(bits, dtype=bool).reshape(mask_shape)))
            dim += k
            continue
        dim += 1
    as_tuple = draw(st.booleans()) or len(items) != 1
    return items, as_tuple


def _build(lib, items, as_tuple):
    out = []
    for kind, v in items:
        if kind in ("int", "bool"):
            out.append(v)
        elif kind == "int0d":
            out.append(_t(lib, v))
        elif kind == "slice":
            out.append(slice(*v))
        elif kind == "none":
            out.append(None)
        elif kind == "ellipsis":
            out.append(Ellipsis)
        elif kind == "list":
            out.append(list(v))
        elif kind == "tensor":
            out.append(_t(lib, v))
        else:
            out.append(lib.tensor(v))
    return tuple(out) if as_tuple else out[0]


def _same_outcome(m_fn, t_fn):
    """Run both; when torch raises, mytorch must raise the same class and message."""
    try:
        t_out = t_fn()
    except Exception as t_err:  # noqa: BLE001 - any error torch raises must be mirrored
        with pytest.raises(type(t_err)) as m_err:
            m_fn()
        assert str(m_err.value) == str(t_err), (m_err.value, t_err)
        return None
    return m_fn(), t_out


@given(shape=SHAPES, data=st.data())
def test_getitem_over_drawn_indices(shape, data):
    items, as_tuple = data.draw(index_expressions(shape))
    specs = [shape]
    fn = lambda lib, a: a[_build(lib, items, as_tuple)]  # noqa: E731
    a = np.random.default_rng(0).standard_normal(shape)
    m_base, t_base = mytorch.tensor(a), torch.tensor(a)
    outcome = _same_outcome(lambda: fn(mytorch, m_base), lambda: fn(torch, t_base))
    if outcome is not None:
        check_against_torch(fn, specs, order=2)
        m, t = outcome
        if t.numel():  # a view in torch is a view here: same memory, same version counter
            assert np.shares_memory(m.numpy(), m_base.numpy()) == t._is_view()
            assert (m._vc is m_base._vc) == t._is_view()


@given(shape=SHAPES, data=st.data(), scalar=st.booleans())
def test_setitem_over_drawn_indices(shape, data, scalar):
    items, as_tuple = data.draw(index_expressions(shape))
    a = np.random.default_rng(1).standard_normal(shape)

    def region(lib):
        return lib.tensor(a)[_build(lib, items, as_tuple)]

    outcome = _same_outcome(lambda: region(mytorch), lambda: region(torch))
    if outcome is None:
        return
    # repeated positions are written in an order torch leaves unspecified: write one number
    scalar = scalar or _has_duplicates(items)
    value_shape = tuple(outcome[1].shape)
    # a value of the region's shape with some leading dims dropped or set to 1, to broadcast
    cut = data.draw(st.integers(0, len(value_shape)))
    vshape = tuple(1 if data.draw(st.booleans()) else s for s in value_shape[cut:])
    v = np.random.default_rng(2).standard_normal(vshape)

    def write(lib, x, *vals):
        y = x * 1.0
        y[_build(lib, items, as_tuple)] = 0.75 if scalar else vals[0]
        return y

    check_against_torch(write, [shape] if scalar else [shape, v], order=2)
    written = []
    for lib in (mytorch, torch):  # without grad: straight into the array, version bumped
        x = lib.tensor(a.copy())
        x[_build(lib, items, as_tuple)] = 0.75 if scalar else lib.tensor(v)
        written.append((x.tolist(), x._version))
    assert written[0] == written[1]


def _has_duplicates(items):
    return any(kind in ("list", "tensor") and len(set(v)) != len(v) for kind, v in items) or (
        sum(kind in ("list", "tensor", "mask") for kind, _ in items) > 1
    )


@given(shape=st.lists(st.integers(1, 3), min_size=1, max_size=3).map(tuple), data=st.data())
def test_gather_and_scatter_over_drawn_dims(shape, data):
    dim = data.draw(st.integers(-len(shape), len(shape) - 1))
    d = dim % len(shape)
    ishape = tuple(data.draw(st.integers(1, s)) if k != d else data.draw(st.integers(0, 4))
                   for k, s in enumerate(shape))  # fmt: skip
    rng = np.random.default_rng(data.draw(st.integers(0, 100)))
    index = rng.integers(0, shape[d], size=ishape)
    check_against_torch(lambda lib, a, i: a.gather(dim, i), [shape, index], order=2)
    check_against_torch(lambda lib, a, i, s: a.scatter_add(dim, i, s),
                        [shape, index, ishape], order=2)  # fmt: skip
    reduce = data.draw(st.sampled_from(["sum", "prod", "mean", "amax", "amin"]))
    include_self = data.draw(st.booleans())
    check_against_torch(
        lambda lib, a, i, s: a.scatter_reduce(dim, i, s, reduce, include_self=include_self),
        [shape, index, ishape], order=1,
    )  # fmt: skip
    picks = rng.integers(0, shape[d], size=data.draw(st.integers(0, 4)))
    check_against_torch(lambda lib, a, i: a.index_select(dim, i), [shape, picks], order=2)


# ---- views and in-place writes --------------------------------------------------------------


def test_getitem_views_share_memory_and_version():
    x = mytorch.zeros(3, 4)
    v = x[1, ::2]
    v.fill_(5.0)
    assert x[1].tolist() == [5.0, 0.0, 5.0, 0.0]
    assert x._version == v._version == 1
    w = v[None]  # a view of a view: the same memory and counter
    w.add_(1.0)
    assert x[1, 0].item() == 6.0 and x._version == 2
    c = x[[0, 1]]  # advanced indexing copies
    c.fill_(-1.0)
    assert x._version == 2 and x[0, 0].item() == 0.0


def test_inplace_on_a_view_under_no_grad_writes_through():
    for lib in (mytorch, torch):
        x = lib.ones(3, 4, requires_grad=True)
        with lib.no_grad():
            x[0].mul_(3.0)
            x[1, 1:] = 0.0
        assert x._version == 2 and x.grad_fn is None and x.requires_grad
        assert x.sum().item() == 12 + 1 + 4


def test_inplace_on_a_view_rebuilds_the_base_history():
    results = []
    for lib in (mytorch, torch):
        x = lib.tensor(np.arange(12.0).reshape(3, 4), requires_grad=True)
        y = x * 1.0
        row, col = y[0], y[:, 1]
        row.mul_(2.0)
        names = [type(t.grad_fn).__name__ for t in (y, row, col)]
        (y * lib.arange(12.0).reshape(3, 4)).sum().backward(retain_graph=True)
        g1 = x.grad.clone()
        x.grad = None
        (col * lib.tensor([1.0, 2.0, 3.0])).sum().backward()
        results.append((names, g1.tolist(), x.grad.tolist(), col.tolist()))
    assert results[0] == results[1]
    assert results[0][0] == ["CopySlices", "AsStridedBackward0", "AsStridedBackward0"]


def test_unbind_outputs_cannot_change_in_place():
    for lib in (mytorch, torch):
        y = lib.ones(2, 3, requires_grad=True) * 1.0
        a, _ = y.unbind(0)
        with pytest.raises(RuntimeError, match="Output 0 of Unbind"):
            a.mul_(2.0)
        with pytest.raises(RuntimeError, match="Output 0 of Select is a view"):
            for row in y:
                row[0] = 1.0
        with pytest.raises(RuntimeError, match="Output 0 of Slice is a view"):
            y.unbind(1)[2][1:].mul_(2.0)
        with lib.no_grad():
            y.unbind(0)[1].fill_(4.0)
        assert y.sum().item() == 3 + 12
        t = lib.zeros(2, 3)  # nothing requires grad: rows change freely
        for row in t:
            row[0] = 1.0
            row[1:].add_(2.0)
        assert t.tolist() == [[1.0, 2.0, 2.0]] * 2
        with pytest.raises(RuntimeError, match="created in no_grad mode .* multiple views"):
            t.unbind(0)[0][0] = lib.ones((), requires_grad=True)


def test_inplace_errors_on_views():
    for lib in (mytorch, torch):
        x = lib.ones(3, 4, requires_grad=True)
        with pytest.raises(RuntimeError, match="a view of a leaf Variable that requires grad"):
            x[0].mul_(2.0)
        with pytest.raises(RuntimeError, match="a view of a leaf Variable that requires grad"):
            x[0] = 1.0
        with pytest.raises(RuntimeError, match="^a leaf Variable that requires grad"):
            x[[0]] = 1.0
        y = x * 1.0
        with lib.no_grad():
            v = y[0]
        with pytest.raises(RuntimeError, match="A view was created in no_grad mode"):
            v.mul_(2.0)
        assert x._version == 0 and y._version == 0


def test_inplace_on_an_indexed_view_of_another_view_is_refused():
    y = mytorch.ones(3, 4, requires_grad=True) * 1.0
    v = y.t()[0]
    with pytest.raises(NotImplementedError, match="TBackward0|PermuteBackward0"):
        v.mul_(2.0)
    assert y._version == 0


def test_setitem_version_and_grad_fn_like_torch():
    for index, value in [(0, 1.0), ([0, 1], 2.0), (Ellipsis, 3.0), (slice(None), None),
                         (False, 1.0), ((False, 0), 1.0), (slice(0, 3), 1.0)]:  # fmt: skip
        seen = []
        for lib in (mytorch, torch):
            y = lib.ones(3, 4, requires_grad=True) * 1.0
            y[index] = lib.ones(4) if value is None else value
            seen.append((y._version, type(y.grad_fn).__name__, y.tolist()))
        assert seen[0] == seen[1], (index, seen)


def test_setitem_scalar_conversions_match_torch():
    cases = [(lib_dtype, v) for lib_dtype in ("float32", "float64", "float16", "int64", "int32",
                                              "int8", "uint8", "bool")
             for v in (float("inf"), float("nan"), 1e300, 300, -1, 2**40, 2.7, True, -2.7, 2**70,
                       1 + 2j)]  # fmt: skip
    for name, v in cases:
        outcome = _same_outcome(
            lambda: _write_scalar(mytorch, name, v), lambda: _write_scalar(torch, name, v)
        )
        if outcome is not None:
            np.testing.assert_array_equal(outcome[0].numpy(), outcome[1].numpy())


def _write_scalar(lib, dtype, v):
    x = lib.zeros(3, dtype=getattr(lib, dtype))
    x[0] = v
    x[[1]] = v
    return x


def test_getitem_repeated_indices_accumulate():
    for lib in (mytorch, torch):
        x = lib.ones(3, requires_grad=True)
        x[[0, 0, 2, 0]].sum().backward()
        assert x.grad.tolist() == [3.0, 0.0, 1.0]
        y = lib.zeros(2, 2, requires_grad=True)
        y.index_select(1, lib.tensor([1, 1])).gather(0, lib.tensor([[1, 1]])).sum().backward()
        assert y.grad.tolist() == [[0.0, 0.0], [0.0, 2.0]]


# ---- errors: class and message as torch ---------------------------------------------------------


def _x(lib):
    return lib.arange(12.0).reshape(3, 4)


I0 = [[0, 1, 2, 0], [1, 0, 0, 2]]

# name: (fn(lib), None to compare whole messages or a part both must contain)
ERRORS = {
    "getitem_int_bounds": (lambda lib: _x(lib)[5], None),
    "getitem_neg_int_bounds": (lambda lib: _x(lib)[-4], None),
    "getitem_second_int_bounds": (lambda lib: _x(lib)[0, 9], None),
    "getitem_bounds_after_none": (lambda lib: _x(lib)[None, None, 9], None),
    "getitem_bounds_after_ellipsis": (lambda lib: _x(lib)[..., 9], None),
    "getitem_list_bounds": (lambda lib: _x(lib)[[0, 5]], None),
    "getitem_second_list_bounds": (lambda lib: _x(lib)[[0, 1], [0, 9]], None),
    "getitem_list_bounds_after_slice": (lambda lib: _x(lib)[:, [7, 9]], None),
    "getitem_neg_step": (lambda lib: _x(lib)[::-1], None),
    "getitem_zero_step": (lambda lib: _x(lib)[::0], None),
    "getitem_float": (lambda lib: _x(lib)[1.0], None),
    "getitem_float_tensor": (lambda lib: _x(lib)[lib.tensor([1.0])], None),
    "getitem_int16_tensor": (lambda lib: _x(lib)[lib.tensor([0], dtype=lib.int16)], None),
    "getitem_too_many": (lambda lib: _x(lib)[0, 0, 0], None),
    "getitem_too_many_lists": (lambda lib: _x(lib)[:, :, [0]], None),
    "getitem_mask_shape": (lambda lib: _x(lib)[lib.tensor([True, False])], None),
    "getitem_mask_shape_second_dim": (lambda lib: _x(lib)[:, lib.ones(3, dtype=lib.bool)], None),
    "getitem_mask_2d_shape": (lambda lib: _x(lib)[lib.ones(3, 3, dtype=lib.bool)], None),
    "getitem_broadcast": (lambda lib: _x(lib)[[0, 1], [0, 1, 2]], None),
    "getitem_0d_int": (lambda lib: lib.tensor(1.0)[0], None),
    "getitem_0d_slice": (lambda lib: lib.tensor(1.0)[:], None),
    "getitem_0d_list": (lambda lib: lib.tensor(1.0)[[0]], None),
    "getitem_str": (lambda lib: _x(lib)["a"], "invalid data type"),
    "setitem_value_shape": (lambda lib: _setitem(_x(lib), 0, lib.ones(3)), None),
    "setitem_value_ndim": (lambda lib: _setitem(_x(lib), 0, lib.ones(2, 4)), None),
    "setitem_adv_value_shape": (lambda lib: _setitem(_x(lib), [0, 1], lib.ones(3, 4)), None),
    "setitem_adv_value_dtype": (
        lambda lib: _setitem(_x(lib), [0, 1], lib.ones(4, dtype=lib.int64)),
        None,
    ),
    "setitem_adv_0d_value_dtype": (lambda lib: _setitem(_x(lib), [0], lib.tensor(2)), None),
    "setitem_str": (lambda lib: _setitem(_x(lib), 0, "a"), None),
    "setitem_list_value": (lambda lib: _setitem(_x(lib), 0, [1.0, 2.0, 3.0, 4.0]), None),
    "setitem_none_value": (lambda lib: _setitem(_x(lib), 0, None), None),
    "setitem_bounds": (lambda lib: _setitem(_x(lib), 5, 1.0), None),
    "setitem_list_bounds": (lambda lib: _setitem(_x(lib), [5], 1.0), None),
    "setitem_overflow": (lambda lib: _setitem(_x(lib), 0, 1e300), None),
    "setitem_int_overflow": (lambda lib: _setitem(_x(lib).long(), 0, float("inf")), None),
    "setitem_huge_int": (lambda lib: _setitem(_x(lib), 0, 2**70), None),
    "setitem_complex": (lambda lib: _setitem(_x(lib), [0], 1 + 2j), None),
    "setitem_leaf": (lambda lib: _setitem(lib.ones(3, requires_grad=True), [0], 1.0), None),
    "setitem_view_of_leaf": (lambda lib: _setitem(lib.ones(3, requires_grad=True), 0, 1.0), None),
    "index_select_dtype": (lambda lib: _x(lib).index_select(0, lib.tensor([0.0])), None),
    "index_select_int16": (
        lambda lib: _x(lib).index_select(0, lib.tensor([0], dtype=lib.int16)),
        None,
    ),
    "index_select_2d_index": (lambda lib: _x(lib).index_select(0, lib.tensor([[0]])), None),
    "index_select_bounds": (lambda lib: _x(lib).index_select(0, lib.tensor([3])), None),
    "index_select_negative": (lambda lib: _x(lib).index_select(1, lib.tensor([-1])), None),
    "index_select_dim": (lambda lib: _x(lib).index_select(2, lib.tensor([0])), None),
    "index_select_0d_many": (lambda lib: lib.tensor(1.0).index_select(0, lib.tensor([0, 0])), None),
    "gather_dtype": (lambda lib: _x(lib).gather(1, lib.tensor(I0).float()), None),
    "gather_bounds": (lambda lib: _x(lib).gather(1, lib.tensor([[5]])), None),
    "gather_negative": (lambda lib: _x(lib).gather(1, lib.tensor([[-1]])), None),
    "gather_ndim": (lambda lib: _x(lib).gather(1, lib.tensor([0])), None),
    "gather_size": (lambda lib: _x(lib).gather(1, lib.tensor([[0]] * 4)), None),
    "gather_dim": (lambda lib: lib.gather(_x(lib), 2, lib.tensor([[1]])), None),
    "scatter_dtype": (lambda lib: _x(lib).scatter(1, lib.tensor(I0), _x(lib).double()), None),
    "scatter_index_dtype": (lambda lib: _x(lib).scatter(1, lib.tensor(I0).float(), 1.0), None),
    "scatter_index_int16": (lambda lib: _x(lib).scatter(1, lib.tensor(I0).short(), 1.0), None),
    "scatter_src_ndim": (lambda lib: _x(lib).scatter(1, lib.tensor(I0), lib.tensor(2.0)), None),
    "scatter_index_size": (
        lambda lib: _x(lib).scatter(1, lib.tensor([[0, 1, 2, 0, 1]]), _x(lib)),
        None,
    ),
    "scatter_bounds": (lambda lib: _x(lib).scatter(1, lib.tensor([[-1]]), 1.0), None),
    "scatter_reduce_name": (
        lambda lib: _x(lib).scatter(1, lib.tensor(I0), _x(lib), reduce="mean"),
        None,
    ),
    "scatter_backward_src_larger": (lambda lib: _scatter_grad(lib, "scatter"), None),
    "scatter_reduce_max_backward": (lambda lib: _scatter_reduce_grad(lib, "max"), None),
    "scatter_add_backward_src_larger": (lambda lib: _scatter_grad(lib, "scatter_add"), None),
    "scatter_add_number": (lambda lib: lib.scatter_add(_x(lib), 1, lib.tensor(I0), 1.5), None),
    "scatter_add_dtype": (
        lambda lib: _x(lib).scatter_add(1, lib.tensor(I0), _x(lib).double()),
        None,
    ),
    "scatter_reduce_reduction": (
        lambda lib: _x(lib).scatter_reduce(1, lib.tensor(I0), _x(lib)[:2], "add"),
        None,
    ),
    "scatter_reduce_dtype": (
        lambda lib: _x(lib).scatter_reduce(1, lib.tensor(I0), _x(lib).double(), "sum"),
        None,
    ),
    "index_add_count": (lambda lib: _x(lib).index_add(0, lib.tensor([0, 0]), _x(lib)), None),
    "index_add_dtype": (
        lambda lib: _x(lib).index_add(0, lib.tensor([0]), _x(lib)[:1].double()),
        None,
    ),
    "index_add_shape": (lambda lib: _x(lib).index_add(0, lib.tensor([0]), _x(lib)[:1, :2]), None),
    "index_add_bounds": (lambda lib: _x(lib).index_add(0, lib.tensor([3]), _x(lib)[:1]), None),
    "index_add_negative": (lambda lib: _x(lib).index_add(0, lib.tensor([-1]), _x(lib)[:1]), None),
    "index_copy_int32": (
        lambda lib: _x(lib).index_copy(0, lib.tensor([0]).int(), _x(lib)[:1]),
        None,
    ),
    "index_copy_dtype": (
        lambda lib: _x(lib).index_copy(0, lib.tensor([0]), _x(lib)[:1].double()),
        None,
    ),
    "index_copy_shape": (lambda lib: _x(lib).index_copy(0, lib.tensor([0]), _x(lib)[:1, :2]), None),
    "index_copy_bounds": (lambda lib: _x(lib).index_copy(0, lib.tensor([3]), _x(lib)[:1]), None),
    "index_copy_negative": (lambda lib: _x(lib).index_copy(0, lib.tensor([-1]), _x(lib)[:1]), None),
    "index_fill_int32": (lambda lib: _x(lib).index_fill(0, lib.tensor([0]).int(), 1.0), None),
    "index_fill_value_1d": (
        lambda lib: _x(lib).index_fill(0, lib.tensor([0]), lib.tensor([1.0])),
        None,
    ),
    "index_fill_bounds": (lambda lib: _x(lib).index_fill(0, lib.tensor([3]), 1.0), None),
    "index_put_values_number": (lambda lib: lib.index_put(_x(lib), (lib.tensor([0]),), 1.0), None),
    "index_put_indices_tensor": (
        lambda lib: lib.index_put(_x(lib), lib.tensor([0]), lib.tensor(1.0)),
        None,
    ),
    "index_put_none_index": (
        lambda lib: lib.index_put(_x(lib), (None, lib.tensor([0])), lib.tensor(1.0)),
        None,
    ),
    "index_put_too_many": (
        lambda lib: _x(lib).index_put((lib.tensor([0]),) * 3, lib.tensor(1.0)),
        None,
    ),
    "index_put_broadcast": (
        lambda lib: _x(lib).index_put((lib.tensor([0, 1]), lib.tensor([0, 1, 2])), lib.tensor(1.0)),
        None,
    ),
    "index_put_float_index": (
        lambda lib: _x(lib).index_put((lib.tensor([0.0]),), lib.tensor(1.0)),
        None,
    ),
    "index_put_bounds": (lambda lib: _x(lib).index_put((lib.tensor([5]),), lib.tensor(1.0)), None),
    "index_put_value_shape": (lambda lib: _x(lib).index_put((lib.tensor([0]),), lib.ones(3)), None),
    "index_put_value_dtype": (
        lambda lib: _x(lib).index_put((lib.tensor([0]),), lib.ones(4, dtype=lib.float64)),
        None,
    ),
    "masked_fill_mask_dtype": (lambda lib: _x(lib).masked_fill(_x(lib).long(), 1.0), None),
    "masked_fill_uint8_mask": (
        lambda lib: _x(lib).masked_fill((_x(lib) > 0).to(lib.uint8), 1.0),
        None,
    ),
    "masked_fill_value_1d": (lambda lib: _x(lib).masked_fill(_x(lib) > 0, lib.tensor([1.0])), None),
    "masked_fill__broadcast": (lambda lib: _x(lib)[0].masked_fill_(_x(lib) > 0, 1.0), None),
    "masked_select_mask_dtype": (
        lambda lib: _x(lib).masked_select((_x(lib) > 0).to(lib.uint8)),
        None,
    ),
    "masked_scatter_mask_dtype": (
        lambda lib: _x(lib).masked_scatter((_x(lib) > 0).int(), _x(lib)),
        None,
    ),
    "masked_scatter_dtype": (
        lambda lib: _x(lib).masked_scatter(_x(lib) > 0, _x(lib).double()),
        None,
    ),
    "masked_scatter_few": (lambda lib: _x(lib).masked_scatter(_x(lib) > 0, _x(lib)[:1]), None),
    "take_int32": (lambda lib: _x(lib).take(lib.tensor([0]).int()), None),
    "take_bounds": (lambda lib: _x(lib).take(lib.tensor([12])), None),
    "take_neg_bounds": (lambda lib: _x(lib).take(lib.tensor([-13])), None),
    "take_along_dim_dtype": (lambda lib: lib.take_along_dim(_x(lib), lib.tensor([[0.0]]), 0), None),
    "take_along_dim_ndim": (lambda lib: lib.take_along_dim(_x(lib), lib.tensor([0]), 0), None),
    "take_along_dim_broadcast": (lambda lib: lib.take_along_dim(_x(lib), lib.tensor(I0), 1), None),
    "take_along_dim_dim": (lambda lib: lib.take_along_dim(_x(lib), lib.tensor([[1]]), 2), None),
    "take_along_dim_0d_dim": (
        lambda lib: lib.take_along_dim(lib.tensor(2.0), lib.tensor(0), 0),
        None,
    ),
    "searchsorted_side_right": (
        lambda lib: lib.searchsorted(_sorted(lib), _sorted(lib), side="left", right=True),
        None,
    ),
    "searchsorted_side_name": (
        lambda lib: lib.searchsorted(_sorted(lib), _sorted(lib), side="mid"),
        None,
    ),
    "searchsorted_sorter_size": (
        lambda lib: lib.searchsorted(_sorted(lib), _sorted(lib), sorter=lib.tensor([0])),
        None,
    ),
    "searchsorted_sorter_dtype": (
        lambda lib: lib.searchsorted(_sorted(lib), _sorted(lib), sorter=_sorted(lib)),
        None,
    ),
    "searchsorted_sorter_range": (
        lambda lib: lib.searchsorted(
            _sorted(lib), _sorted(lib), sorter=lib.tensor([0, 1, 2, 3, 9])
        ),
        None,
    ),
    "searchsorted_0d": (lambda lib: lib.searchsorted(lib.tensor(1.0), lib.tensor([1.0])), None),
    "searchsorted_batch_shape": (lambda lib: lib.searchsorted(_x(lib), lib.tensor([2.0])), None),
    "bucketize_2d": (lambda lib: lib.bucketize(lib.tensor([1.0]), _x(lib)), None),
    "bucketize_0d": (lambda lib: lib.bucketize(lib.tensor([1.0]), lib.tensor(1.0)), None),
}


def _setitem(x, index, value):
    x[index] = value


def _scatter_grad(lib, op):
    x = lib.ones(3, 4, requires_grad=True)
    src = lib.ones(3, 5, requires_grad=True)
    y = getattr(lib, op)(x, 1, lib.tensor([[0, 1], [1, 0], [2, 3]]), src)
    lib.autograd.grad(y.sum(), [x, src])


def _scatter_reduce_grad(lib, reduce):
    x = lib.tensor(ZEROS, requires_grad=True)
    y = x.scatter_reduce(1, lib.tensor(G), lib.tensor(TIES[:, :3]), reduce)
    lib.autograd.grad(y.sum(), [x])


def test_scatter_reduce_takes_max_and_min_forward_only():
    # torch computes "max" and "min" as amax and amin, then refuses to differentiate them
    for name in ("max", "min"):
        check_against_torch(lambda lib, a, s: a.scatter_reduce(1, _t(lib, G), s, name),
                            [(3, 4), (3, 3)], order=0)  # fmt: skip


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


# failing in-place ops leave the tensor, its version and its history as they were
FAILING_INPLACE = {
    "setitem_shape": lambda lib, y: _setitem(y, 0, lib.ones(4)),
    "setitem_adv_dtype": lambda lib, y: _setitem(y, [0], lib.ones(3, dtype=lib.int64)),
    "setitem_view_shape": lambda lib, y: _setitem(y[0], slice(None), lib.ones(2)),
    "view_mul_shape": lambda lib, y: y[:, 0].mul_(lib.ones(3)),
    "index_add_": lambda lib, y: y.index_add_(0, lib.tensor([5]), lib.ones(1, 3)),
    "index_copy_": lambda lib, y: y.index_copy_(0, lib.tensor([0]), lib.ones(1, 2)),
    "index_fill_": lambda lib, y: y.index_fill_(0, lib.tensor([0]).int(), 1.0),
    "index_put_": lambda lib, y: y.index_put_((lib.tensor([0]),), lib.ones(3, dtype=lib.float32)),
    "masked_fill_": lambda lib, y: y.masked_fill_(lib.ones(3, 2, 3, dtype=lib.bool), 1.0),
    "masked_scatter_": lambda lib, y: y.masked_scatter_(y > -1, lib.ones(2)),
    "scatter_": lambda lib, y: y.scatter_(1, lib.tensor([[3]]), 1.0),
    "scatter_add_": lambda lib, y: y.scatter_add_(1, lib.tensor([[0]]), lib.ones(1, 1)),
    "scatter_reduce_": lambda lib, y: y.scatter_reduce_(1, lib.tensor([[0]]), y, "maximum"),
}


@pytest.mark.parametrize("name", FAILING_INPLACE)
def test_failing_inplace_op_changes_nothing(name):
    for lib in (mytorch, torch):
        x = lib.tensor(np.arange(6.0).reshape(2, 3), requires_grad=True)
        y = x * 1.0
        before = (y.tolist(), y._version, type(y.grad_fn).__name__)
        with pytest.raises((RuntimeError, IndexError, TypeError)):
            FAILING_INPLACE[name](lib, y)
        assert (y.tolist(), y._version, type(y.grad_fn).__name__) == before, lib.__name__
