"""Reductions, scans and sorting against torch: values, dtypes, node names, gradients of order 1
and 2 (a sample to order 3), float64 finite differences, drawn shapes and dims, and errors."""

import math
import warnings

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from oracle import assert_same, check_against_torch, make_inputs

import mytorch

P = "positive"
nan, inf = math.nan, math.inf
TIES = np.array([[1.0, 3.0, 3.0], [0.0, 0.0, -2.0]])
SORT_TIES = np.array([1.0, 0.0, 1.0, 0.0, 1.0])
ONE_ZERO = np.array([0.0, 2.0, 3.0, -1.5])
TWO_ZEROS = np.array([0.0, 2.0, 0.0, 3.0])
ZEROS_2D = np.array([[0.0, 2.0, 3.0], [1.0, 0.0, 0.0], [1.5, -2.0, 0.5]])
CUM_ZEROS = np.array([2.0, 0.0, 3.0, 0.0, 5.0])
NANS = np.array([[1.0, nan, 2.0], [nan, nan, 0.5], [3.0, 1.0, 2.0]])
NEG_INF = np.array([[-inf, -inf], [1.0, -inf], [inf, 2.0]])
BIG = np.array([[1000.0, 1000.5, -1000.0], [-800.0, -799.0, -801.0]])
ZERO_ROW = np.array([[0.0, 0.0, 0.0], [1.0, -2.0, 0.5]])
CONST_ROW = np.array([[1.5, 1.5, 1.5], [1.0, -2.0, 0.5]])
DISTINCT = np.array([[0.3, -1.2, 2.5, 0.9], [1.7, 0.1, -0.4, -2.2], [-0.8, 1.1, 0.6, 2.0]])
EMPTY = np.zeros((0, 3))
ONE_NAN = np.array([0.5, nan, -1.0, 2.0])


def _grad(fn):
    """A case whose output is the (differentiable) gradient of `fn`: its derivatives checked at
    order 2 are third derivatives of `fn`."""

    def case(lib, a):
        y = fn(lib, a)
        w = lib.tensor(np.linspace(-1.0, 1.5, y.numel()).reshape(tuple(y.shape)))
        # times 1: the node names inside a derivative are not part of the contract
        return lib.autograd.grad((y * w).sum(), a, create_graph=True)[0] * 1.0

    return case


# name: (fn(lib, *inputs), input specs)
CASES = {
    # sum, nansum, mean, nanmean
    "sum_dtype": (lambda lib, a: a.sum(dtype=lib.float32), [(2, 3)]),
    "sum_int": (lambda lib, a: lib.sum(a, 0), [("int", (3, 2))]),
    "sum_bool": (lambda lib, a: a.sum(), [("bool", (4,))]),
    "sum_empty": (lambda lib, a: a.sum(0), [EMPTY]),
    "nansum": (lambda lib, a: a.nansum(), [NANS]),
    "nansum_dim": (lambda lib, a: lib.nansum(a, (0, -1), keepdim=True), [NANS]),
    "nansum_0d": (lambda lib, a: a.nansum(0), [()]),
    "nansum_int": (lambda lib, a: a.nansum(1), [("int", (2, 3))]),
    "nansum_empty": (lambda lib, a: a.nansum(), [EMPTY]),
    "nanmean": (lambda lib, a: a.nanmean(), [NANS]),
    "nanmean_dim": (lambda lib, a: lib.nanmean(a, 1, keepdim=True), [NANS]),
    "nanmean_plain": (lambda lib, a: a.nanmean((0, 2)), [(2, 3, 2)]),
    "mean_empty": (lambda lib, a: a.mean(), [EMPTY]),
    # prod
    "prod": (lambda lib, a: a.prod(), [(2, 3)]),
    "prod_dim": (lambda lib, a: lib.prod(a, -1), [(2, 3)]),
    "prod_keepdim": (lambda lib, a: a.prod(0, keepdim=True), [(3, 2)]),
    "prod_0d": (lambda lib, a: a.prod(0), [()]),
    "prod_0d_all": (lambda lib, a: a.prod(), [()]),
    "prod_empty": (lambda lib, a: a.prod(), [EMPTY]),
    "prod_empty_dim": (lambda lib, a: a.prod(0), [EMPTY]),
    "prod_one_zero": (lambda lib, a: a.prod(), [ONE_ZERO]),
    "prod_two_zeros": (lambda lib, a: a.prod(), [TWO_ZEROS]),
    "prod_zeros_dim": (lambda lib, a: a.prod(1), [ZEROS_2D]),
    "prod_zeros_dim0": (lambda lib, a: a.prod(0, keepdim=True), [ZEROS_2D]),
    "prod_int": (lambda lib, a: a.prod(0), [("int", (3, 2))]),
    "prod_dtype": (lambda lib, a: a.float().prod(1, dtype=lib.float64), [(2, 3)]),
    "prod_broadcast": (lambda lib, a, b: (a * b).prod(0), [(3, 1), (2,)]),
    # amax, amin
    "amax": (lambda lib, a: a.amax(), [(2, 3)]),
    "amax_dims": (lambda lib, a: a.amax((0, -1), keepdim=True), [(2, 3, 2)]),
    "amax_ties": (lambda lib, a: a.amax(1), [TIES]),
    "amax_ties_all": (lambda lib, a: lib.amax(a), [TIES]),
    "amax_nan": (lambda lib, a: a.amax(1), [NANS]),
    "amin_ties": (lambda lib, a: lib.amin(a, 0), [TIES]),
    "amin_0d": (lambda lib, a: a.amin(0), [()]),
    "amax_empty_kept": (lambda lib, a: a.amax(1), [EMPTY]),
    "amax_int": (lambda lib, a: a.amax(0), [("int", (3, 2))]),
    "amax_broadcast": (lambda lib, a, b: lib.amax(a + b, -1), [(3, 1), (2,)]),
    # max, min
    "max": (lambda lib, a: a.max(), [(2, 3)]),
    "max_ties": (lambda lib, a: a.max(), [TIES]),
    "max_nan": (lambda lib, a: a.max(), [NANS]),
    "max_0d": (lambda lib, a: a.max(), [()]),
    "max_dim": (lambda lib, a: a.max(1).values, [(3, 4)]),
    "max_dim_keepdim": (lambda lib, a: lib.max(a, 0, keepdim=True)[0], [(3, 4)]),
    "max_dim_ties": (lambda lib, a: a.max(1).values, [TIES]),
    "max_dim_indices": (lambda lib, a: a.max(-1).indices, [TIES]),
    "max_dim_nan": (lambda lib, a: a.max(1).values, [NANS]),
    "max_dim_nan_indices": (lambda lib, a: a.max(1).indices, [NANS]),
    "max_dim_0d": (lambda lib, a: a.max(0).values, [()]),
    "max_dim_empty_kept": (lambda lib, a: a.max(1).values, [EMPTY]),
    "max_bool": (lambda lib, a: a.max(0).values, [("bool", (3, 2))]),
    "max_binary": (lambda lib, a, b: lib.max(a, b), [(2, 3), (3,)]),
    "min": (lambda lib, a: a.min(), [TIES]),
    "min_dim": (lambda lib, a: a.min(0).values, [(3, 4)]),
    "min_dim_indices": (lambda lib, a: lib.min(a, 0, True).indices, [TIES]),
    "min_binary": (lambda lib, a, b: a.min(b), [(2, 3), (2, 1)]),
    # argmax, argmin, aminmax
    "argmax": (lambda lib, a: a.argmax(), [TIES]),
    "argmax_dim": (lambda lib, a: lib.argmax(a, 1, keepdim=True), [TIES]),
    "argmax_keepdim_all": (lambda lib, a: a.argmax(keepdim=True), [(2, 3)]),
    "argmax_nan": (lambda lib, a: a.argmax(0), [NANS]),
    "argmin": (lambda lib, a: lib.argmin(a), [TIES]),
    "argmin_dim": (lambda lib, a: a.argmin(-2), [(3, 4)]),
    "argmax_0d": (lambda lib, a: a.argmax(0), [()]),
    "aminmax_min": (lambda lib, a: a.aminmax().min, [TIES]),
    "aminmax_max": (lambda lib, a: lib.aminmax(a, dim=1).max, [TIES]),
    "aminmax_keepdim": (lambda lib, a: a.aminmax(dim=0, keepdim=True)[1], [(3, 4)]),
    "aminmax_0d": (lambda lib, a: a.aminmax()[0], [()]),
    # var, std, var_mean, std_mean
    "var": (lambda lib, a: a.var(), [(2, 3)]),
    "var_dims": (lambda lib, a: a.var((0, 2), keepdim=True), [(2, 3, 2)]),
    "var_correction": (lambda lib, a: lib.var(a, 1, correction=0), [(2, 3)]),
    "var_correction_float": (lambda lib, a: a.var(0, correction=1.5), [(4, 2)]),
    "var_unbiased": (lambda lib, a: a.var(1, False, True), [(2, 3)]),
    "var_unbiased_positional": (lambda lib, a: a.var(False), [(2, 3)]),
    "var_const": (lambda lib, a: a.var(1), [CONST_ROW]),
    "var_broadcast": (lambda lib, a, b: (a + b).var(0), [(3, 1), (2,)]),
    "std": (lambda lib, a: a.std(), [(2, 3)]),
    "std_dim": (lambda lib, a: lib.std(a, -1, keepdim=True), [(3, 4)]),
    "std_correction": (lambda lib, a: a.std(0, correction=0), [(3, 2)]),
    "std_const": (lambda lib, a: a.std(1), [CONST_ROW]),
    "var_mean_var": (lambda lib, a: lib.var_mean(a, 1)[0], [(2, 3)]),
    "var_mean_mean": (lambda lib, a: lib.var_mean(a, 1, keepdim=True, correction=0)[1], [(2, 3)]),
    "std_mean_std": (lambda lib, a: lib.std_mean(a)[0], [(2, 3)]),
    "std_mean_mean": (lambda lib, a: lib.std_mean(a, dim=0, unbiased=False)[1], [(2, 3)]),
    # logsumexp
    "logsumexp": (lambda lib, a: a.logsumexp(1), [(2, 3)]),
    "logsumexp_dims": (lambda lib, a: lib.logsumexp(a, (0, -1), keepdim=True), [(2, 3, 2)]),
    "logsumexp_big": (lambda lib, a: a.logsumexp(1), [BIG]),
    "logsumexp_inf": (lambda lib, a: a.logsumexp(1), [NEG_INF]),
    "logsumexp_0d": (lambda lib, a: a.logsumexp(0), [()]),
    "logsumexp_empty": (lambda lib, a: a.logsumexp(0), [EMPTY]),
    "logsumexp_int": (lambda lib, a: a.logsumexp(0), [("int", (3,))]),
    "logsumexp_broadcast": (lambda lib, a, b: (a + b).logsumexp(0), [(3, 1), (2,)]),
    # norms
    "norm": (lambda lib, a: a.norm(), [(2, 3)]),
    "norm_dim": (lambda lib, a: a.norm(dim=1, keepdim=True), [(2, 3)]),
    "norm_p1": (lambda lib, a: lib.norm(a, 1), [(2, 3)]),
    "norm_p3": (lambda lib, a: a.norm(3, dim=0), [(2, 3)]),
    "norm_p_half": (lambda lib, a: a.norm(0.5), [(P, (4,))]),
    "norm_p_neg": (lambda lib, a: a.norm(-1.5), [(P, (4,))]),
    "norm_inf": (lambda lib, a: a.norm(inf, dim=1), [TIES]),
    "norm_ninf": (lambda lib, a: a.norm(-inf), [(2, 3)]),
    "norm_p0": (lambda lib, a: a.norm(0), [ONE_ZERO]),
    "norm_fro": (lambda lib, a: a.norm("fro", dim=(0, 1)), [(2, 3, 2)]),
    "norm_zero_vector": (lambda lib, a: a.norm(dim=1), [ZERO_ROW]),
    "norm_p1_zeros": (lambda lib, a: a.norm(1), [ONE_ZERO]),
    "norm_p3_zeros": (lambda lib, a: a.norm(3), [ONE_ZERO]),
    "norm_p_half_zeros": (lambda lib, a: a.norm(0.5), [ONE_ZERO]),
    "norm_0d": (lambda lib, a: a.norm(), [()]),
    "norm_empty": (lambda lib, a: a.norm(), [EMPTY]),
    "norm_broadcast": (lambda lib, a, b: (a * b).norm(dim=0), [(3, 1), (2,)]),
    "vector_norm": (lambda lib, a: lib.linalg.vector_norm(a), [(2, 3)]),
    "vector_norm_ord": (lambda lib, a: lib.linalg.vector_norm(a, 4, (0, 2), True), [(2, 3, 2)]),
    "vector_norm_dtype": (
        lambda lib, a: lib.linalg.vector_norm(a.float(), dtype=lib.float64),
        [(3,)],
    ),
    "vector_norm_inf": (lambda lib, a: lib.linalg.vector_norm(a, ord=-inf, dim=0), [(3, 2)]),
    "matrix_norm_fro": (lambda lib, a: lib.linalg.matrix_norm(a), [(2, 3, 2)]),
    "matrix_norm_1": (lambda lib, a: lib.linalg.matrix_norm(a, 1), [(2, 3, 2)]),
    "matrix_norm_m1": (lambda lib, a: lib.linalg.matrix_norm(a, -1, keepdim=True), [(3, 2)]),
    "matrix_norm_inf": (lambda lib, a: lib.linalg.matrix_norm(a, inf, dim=(0, 2)), [(3, 2, 4)]),
    "matrix_norm_ninf": (lambda lib, a: lib.linalg.matrix_norm(a, -inf, (2, 0), True), [(3, 2, 4)]),
    "matrix_norm_nuc": (lambda lib, a: lib.linalg.matrix_norm(a, "nuc"), [(2, 3, 2)]),
    "matrix_norm_2": (lambda lib, a: lib.linalg.matrix_norm(a, 2, keepdim=True), [(3, 2)]),
    "matrix_norm_m2": (lambda lib, a: lib.linalg.matrix_norm(a, -2, (2, 0), True), [(3, 2, 4)]),
    "norm_nuc": (lambda lib, a: lib.norm(a, p="nuc", dim=(0, 2)), [(3, 2, 4)]),
    # all, any, count_nonzero
    "all": (lambda lib, a: a.all(), [("bool", (2, 3))]),
    "all_dims": (lambda lib, a: lib.all(a > 0, (0, 1), keepdim=True), [(2, 3, 2)]),
    "all_empty_tuple": (lambda lib, a: a.all(()), [(2, 3)]),
    "all_uint8": (lambda lib, a: (a > 0).to(lib.uint8).all(1), [(2, 3)]),
    "all_empty": (lambda lib, a: a.all(), [EMPTY]),
    "any": (lambda lib, a: a.any(-1), [ONE_ZERO]),
    "any_empty": (lambda lib, a: lib.any(a), [EMPTY]),
    "any_int": (lambda lib, a: a.any(0), [("int", (3, 2))]),
    "count_nonzero": (lambda lib, a: a.count_nonzero(), [ZEROS_2D]),
    "count_nonzero_dims": (lambda lib, a: lib.count_nonzero(a, (0, 1)), [ZEROS_2D]),
    "count_nonzero_dim": (lambda lib, a: a.count_nonzero(-1), [ZEROS_2D]),
    # cumsum, cumprod, cummax, cummin, logcumsumexp
    "cumsum": (lambda lib, a: a.cumsum(1), [(2, 3)]),
    "cumsum_neg": (lambda lib, a: lib.cumsum(a, -2), [(3, 2)]),
    "cumsum_int": (lambda lib, a: a.cumsum(0), [("int", (4,))]),
    "cumsum_bool": (lambda lib, a: a.cumsum(0), [("bool", (4,))]),
    "cumsum_dtype": (lambda lib, a: a.cumsum(0, dtype=lib.float32), [("int", (4,))]),
    "cumsum_0d": (lambda lib, a: a.cumsum(0), [()]),
    "cumsum_empty": (lambda lib, a: a.cumsum(0), [EMPTY]),
    "cumsum_": (lambda lib, a: (a * 1.0).cumsum_(1), [(2, 3)]),
    "cumprod": (lambda lib, a: a.cumprod(1), [(2, 3)]),
    "cumprod_zeros": (lambda lib, a: a.cumprod(0), [CUM_ZEROS]),
    "cumprod_zeros_2d": (lambda lib, a: lib.cumprod(a, 1), [ZEROS_2D]),
    "cumprod_zeros_dim0": (lambda lib, a: a.cumprod(0), [ZEROS_2D]),
    "cumprod_0d": (lambda lib, a: a.cumprod(0), [()]),
    "cumprod_int": (lambda lib, a: a.cumprod(0), [("int", (4,))]),
    "cumprod_": (lambda lib, a: (a * 1.0).cumprod_(0), [(3, 2)]),
    "cummax": (lambda lib, a: a.cummax(1).values, [(2, 4)]),
    "cummax_ties": (lambda lib, a: a.cummax(0).values, [SORT_TIES]),
    "cummax_indices": (lambda lib, a: lib.cummax(a, 0).indices, [SORT_TIES]),
    "cummax_nan_indices": (lambda lib, a: a.cummax(1).indices, [NANS]),
    "cummin": (lambda lib, a: lib.cummin(a, 0)[0], [(4, 2)]),
    "cummin_indices": (lambda lib, a: a.cummin(-1).indices, [TIES]),
    "cummax_0d": (lambda lib, a: a.cummax(0).values, [()]),
    "logcumsumexp": (lambda lib, a: a.logcumsumexp(1), [(2, 3)]),
    "logcumsumexp_big": (lambda lib, a: lib.logcumsumexp(a, -1), [BIG]),
    "logcumsumexp_inf": (lambda lib, a: a.logcumsumexp(1), [NEG_INF]),
    "logcumsumexp_0d": (lambda lib, a: a.logcumsumexp(0), [()]),
    # diff
    "diff": (lambda lib, a: a.diff(), [(2, 4)]),
    "diff_n": (lambda lib, a: lib.diff(a, n=2, dim=0), [(4, 2)]),
    "diff_prepend": (lambda lib, a, b: a.diff(dim=0, prepend=b), [(3, 2), (1, 2)]),
    "diff_append": (lambda lib, a, b: lib.diff(a, append=b), [(2, 3), (2, 2)]),
    "diff_int": (lambda lib, a: a.diff(), [("int", (5,))]),
    "diff_bool": (lambda lib, a: a.diff(), [("bool", (5,))]),
    "diff_long": (lambda lib, a: a.diff(n=4), [(3,)]),
    # median, nanmedian
    "median": (lambda lib, a: a.median(), [(3, 3)]),
    "median_even": (lambda lib, a: a.median(), [(2, 2)]),
    "median_ties": (lambda lib, a: a.median(), [TIES]),
    "median_nan": (lambda lib, a: lib.median(a), [NANS]),
    "median_empty": (lambda lib, a: a.median(), [EMPTY]),
    "median_dim": (lambda lib, a: a.median(1).values, [DISTINCT]),
    "median_dim_indices": (lambda lib, a: lib.median(a, 0, keepdim=True).indices, [DISTINCT]),
    "median_dim_nan": (lambda lib, a: a.median(1).indices, [NANS]),
    "median_0d": (lambda lib, a: a.median(0).values, [()]),
    "median_int": (lambda lib, a: a.median(), [np.array([3, 1, 2, 2])]),
    "nanmedian": (lambda lib, a: a.nanmedian(), [NANS]),
    "nanmedian_dim": (lambda lib, a: lib.nanmedian(a, 1).values, [NANS]),
    "nanmedian_dim_indices": (lambda lib, a: a.nanmedian(0).indices, [DISTINCT]),
    # sort, argsort, msort, topk, kthvalue
    "sort": (lambda lib, a: a.sort().values, [(3, 4)]),
    "sort_dim": (lambda lib, a: lib.sort(a, 0, descending=True).values, [(3, 4)]),
    "sort_indices": (lambda lib, a: a.sort(1).indices, [DISTINCT]),
    "sort_ties": (lambda lib, a: a.sort().indices, [SORT_TIES]),
    "sort_ties_desc": (lambda lib, a: a.sort(descending=True).indices, [SORT_TIES]),
    "sort_stable": (lambda lib, a: lib.sort(a, stable=True, dim=0)[1], [SORT_TIES]),
    "sort_nan": (lambda lib, a: a.sort(1).values, [NANS]),
    "sort_nan_desc": (lambda lib, a: a.sort(1, True).indices, [NANS]),
    "sort_0d": (lambda lib, a: a.sort().values, [()]),
    "sort_empty": (lambda lib, a: a.sort(0).values, [EMPTY]),
    "sort_int": (lambda lib, a: a.sort().values, [("int", (6,))]),
    "argsort": (lambda lib, a: a.argsort(0, descending=True), [DISTINCT]),
    "argsort_fn": (lambda lib, a: lib.argsort(a, stable=True), [SORT_TIES]),
    "msort": (lambda lib, a: lib.msort(a), [(3, 2)]),
    "topk": (lambda lib, a: a.topk(2).values, [(3, 4)]),
    "topk_indices": (lambda lib, a: lib.topk(a, 2, dim=0, largest=False).indices, [DISTINCT]),
    "topk_smallest": (lambda lib, a: a.topk(3, largest=False).values, [(2, 4)]),
    "topk_zero": (lambda lib, a: a.topk(0).values, [(2, 4)]),
    "topk_nan": (lambda lib, a: a.topk(1).indices, [NANS]),
    "topk_0d": (lambda lib, a: a.topk(1).values, [()]),
    "kthvalue": (lambda lib, a: a.kthvalue(2).values, [(3, 4)]),
    "kthvalue_dim": (lambda lib, a: lib.kthvalue(a, 3, 0, keepdim=True).values, [(3, 4)]),
    "kthvalue_indices": (lambda lib, a: a.kthvalue(1, 1).indices, [DISTINCT]),
    "kthvalue_0d": (lambda lib, a: a.kthvalue(1).values, [()]),
    # unique: torch records a node without a derivative; see test_unique_has_no_derivative
    "unique": (lambda lib, a: lib.unique(a), [("int", (8,))]),
    "unique_inverse": (lambda lib, a: lib.unique(a, return_inverse=True)[1], [("int", (2, 4))]),
    "unique_counts": (lambda lib, a: a.unique(return_counts=True)[1], [("int", (8,))]),
    "unique_nan": (lambda lib, a: lib.unique(a.detach()), [NANS]),
    "unique_dim": (lambda lib, a: lib.unique(a, dim=0), [np.array([[1, 2], [1, 2], [0, 1]])]),
    "unique_dim_inverse": (
        lambda lib, a: lib.unique(a, return_inverse=True, dim=1)[1],
        [np.array([[1, 2, 1], [1, 3, 1]])],
    ),
    "unique_0d": (lambda lib, a: lib.unique(a, return_inverse=True)[1], [np.array(3)]),
    # derivatives of derivatives: third order at order 2
    "max_dim_grad": (_grad(lambda lib, a: a.max(1).values ** 3), [(2, 3)]),
    "sort_grad": (_grad(lambda lib, a: a.sort().values ** 2), [(4,)]),
    "prod_grad_zeros": (_grad(lambda lib, a: a.prod()), [TWO_ZEROS]),
    "cumprod_grad_zeros": (_grad(lambda lib, a: a.cumprod(0)), [CUM_ZEROS]),
    "logsumexp_grad": (_grad(lambda lib, a: a.logsumexp(0)), [(3,)]),
    "std_grad": (_grad(lambda lib, a: a.std(0)), [(4, 2)]),
    "norm_grad": (_grad(lambda lib, a: a.norm(3)), [(4,)]),
}


# second derivatives at points where the function is not twice differentiable: torch's are nan
# there, ours 0 (norms at 0) or the other way round (logcumsumexp at +inf); first order is compared
FIRST_ORDER_ONLY = {"norm_zero_vector", "norm_p_half_zeros", "logcumsumexp_inf"}


@pytest.mark.parametrize("name", CASES)
def test_matches_torch(name):
    fn, specs = CASES[name]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        check_against_torch(fn, specs, order=1 if name in FIRST_ORDER_ONLY else 2)


# finite differences need smooth points: no ties, kinks, zeros of norms, nans or infs, and no
# piecewise-constant (integer, bool or index) outputs; derivative cases are checked separately
_NOT_SMOOTH_WORDS = {
    "ties", "zeros", "zero", "nan", "inf", "ninf", "indices", "int", "bool", "uint8", "const",
    "p1", "p0", "dtype", "grad", "inverse", "counts",
}  # fmt: skip
_NO_DERIVATIVE = ("arg", "all", "any", "count", "unique")
NOT_SMOOTH = {
    name
    for name in CASES
    if _NOT_SMOOTH_WORDS & set(name.split("_")) or name.startswith(_NO_DERIVATIVE)
} | {"nanmedian", "max_dim_nan", "amin_ties", "aminmax_min", "aminmax_max", "sort_stable"}


def _gradcheck_inputs(specs, seed=0):
    arrays = make_inputs(specs, np.random.default_rng(seed))
    return [
        mytorch.tensor(a.astype(np.float64), requires_grad=True)
        if a.dtype.kind == "f"
        else mytorch.tensor(a)
        for a in arrays
    ]


GRADCHECKED = sorted(set(CASES) - NOT_SMOOTH)


@pytest.mark.parametrize("name", GRADCHECKED)
def test_gradcheck(name):
    fn, specs = CASES[name]
    assert mytorch.autograd.gradcheck(lambda *xs: fn(mytorch, *xs), _gradcheck_inputs(specs))


@pytest.mark.parametrize("name", GRADCHECKED)
def test_gradgradcheck(name):
    fn, specs = CASES[name]
    inputs = _gradcheck_inputs(specs, seed=1)
    assert mytorch.autograd.gradgradcheck(lambda *xs: fn(mytorch, *xs), inputs)


def test_gradcheck_covers_every_op():
    """Each differentiable op of the family is finite-difference checked by some case."""
    ops = ("sum", "nansum", "nanmean", "prod", "amax", "amin", "max", "min", "var", "std",
           "logsumexp", "norm", "cumsum", "cumprod", "cummax", "cummin", "logcumsumexp", "diff",
           "median", "nanmedian", "sort", "msort", "topk", "kthvalue", "aminmax")  # fmt: skip
    missing = [op for op in ops if not any(n.startswith(op) for n in GRADCHECKED)]
    assert missing in ([], ["aminmax"]), missing


def test_gradcheck_at_tie_free_points():
    """aminmax, cummax, prod with one zero and cumprod with zeros, where differences are valid."""
    x = mytorch.tensor([[0.3, -1.2, 2.5], [1.7, 0.1, -0.4]], dtype=mytorch.float64,
                       requires_grad=True)  # fmt: skip
    for f in (lambda a: a.aminmax(dim=1).max, lambda a: a.aminmax().min,
              lambda a: a.cummax(1).values, lambda a: a.cummin(0).values):  # fmt: skip
        assert mytorch.autograd.gradcheck(f, [x])
        assert mytorch.autograd.gradgradcheck(f, [x])
    # a zero inside the product: prod and cumprod stay polynomials, so differences are exact
    z = mytorch.tensor([2.0, 0.0, 3.0, 0.0, 5.0], dtype=mytorch.float64, requires_grad=True)
    for f in (lambda a: a.prod(), lambda a: a.cumprod(0), lambda a: a.reshape(5, 1).prod(0)):
        assert mytorch.autograd.gradcheck(f, [z])
        assert mytorch.autograd.gradgradcheck(f, [z])


# ---- third order against torch ----------------------------------------------------------------

THIRD_ORDER = {
    "prod_two_zeros": (lambda lib, a: a.prod(), TWO_ZEROS),
    "prod_dim_zeros": (lambda lib, a: a.prod(1), ZEROS_2D),
    "cumprod_zeros": (lambda lib, a: a.cumprod(0), CUM_ZEROS),
    "logsumexp": (lambda lib, a: a.logsumexp(1), DISTINCT),
    "std": (lambda lib, a: a.std(1), DISTINCT),
    "var": (lambda lib, a: a.var(0), DISTINCT),
    "norm_p3": (lambda lib, a: a.norm(3, dim=0), DISTINCT),
    "max_dim": (lambda lib, a: a.max(0).values ** 3, DISTINCT),
}


@pytest.mark.parametrize("name", THIRD_ORDER)
def test_third_order_matches_torch(name):
    fn, x0 = THIRD_ORDER[name]
    rng = np.random.default_rng(3)
    results = []
    for lib in (mytorch, torch):
        x = lib.tensor(x0.copy(), requires_grad=True)
        y = fn(lib, x)
        ws = [lib.tensor(rng.standard_normal(s)) for s in (tuple(y.shape),) + (x0.shape,) * 2]
        g = lib.autograd.grad((y * ws[0]).sum(), x, create_graph=True)[0]
        g = lib.autograd.grad((g * ws[1]).sum(), x, create_graph=True)[0]
        third = (g * ws[2]).sum()
        # torch's second derivative may be a constant, with nothing left to differentiate
        results.append(lib.autograd.grad(third, x)[0] if third.requires_grad else None)
        rng = np.random.default_rng(3)
    m, t = results
    if t is None:
        assert m is None or not np.any(m.numpy())
    else:
        assert_same(m, t, what="third-order grad")


def test_third_order_of_logcumsumexp_by_finite_differences():
    """torch's third derivative of logcumsumexp is nan even at finite inputs, so ours is checked
    against central differences of its second derivative instead."""
    rng = np.random.default_rng(5)
    x0 = np.array([0.3, -1.2, 2.5, 0.7])
    v, u, w = (mytorch.tensor(rng.standard_normal(4)) for _ in range(3))

    def second(x):  # <d2 f(x) v, u>, as a function of x
        g = mytorch.autograd.grad(x.logcumsumexp(0), x, v, create_graph=True)[0]
        return mytorch.autograd.grad((g * u).sum(), x, create_graph=True)[0]

    x = mytorch.tensor(x0.copy(), requires_grad=True)
    third = mytorch.autograd.grad((second(x) * w).sum(), x)[0].detach().numpy()
    eps = 1e-6
    for k in range(4):
        step = np.eye(4)[k] * eps
        hi, lo = (second(mytorch.tensor(x0 + d, requires_grad=True)) for d in (step, -step))
        fd = ((hi - lo) * w).sum().item() / (2 * eps)
        assert abs(fd - third[k]) < 1e-6


# ---- hypothesis: shapes, dims, keepdim ---------------------------------------------------------

DIM_REDUCTIONS = {
    "sum": lambda lib, a, d, k: a.sum(d, keepdim=k),
    "nansum": lambda lib, a, d, k: a.nansum(d, keepdim=k),
    "mean": lambda lib, a, d, k: a.mean(d, keepdim=k),
    "amax": lambda lib, a, d, k: a.amax(d, keepdim=k),
    "amin": lambda lib, a, d, k: lib.amin(a, d, k),
    "var": lambda lib, a, d, k: a.var(d, keepdim=k, correction=0),
    "std": lambda lib, a, d, k: lib.std(a, d, keepdim=k, correction=0),
    "logsumexp": lambda lib, a, d, k: a.logsumexp(d, keepdim=k),
    "norm": lambda lib, a, d, k: a.norm(dim=d, keepdim=k),
    "norm3": lambda lib, a, d, k: lib.linalg.vector_norm(a, 3, d, k),
    "all": lambda lib, a, d, k: (a > 0).all(d, keepdim=k),
    "any": lambda lib, a, d, k: lib.any(a > 0, d, keepdim=k),
    "count_nonzero": lambda lib, a, d, k: lib.count_nonzero(a > 0, d),
}

ONE_DIM_OPS = {
    "prod": lambda lib, a, d, k: a.prod(d, keepdim=k),
    "max": lambda lib, a, d, k: a.max(d, keepdim=k).values,
    "min_indices": lambda lib, a, d, k: a.min(d, keepdim=k).indices,
    "argmax": lambda lib, a, d, k: a.argmax(d, keepdim=k),
    "median": lambda lib, a, d, k: a.median(d, keepdim=k).values,
    "kthvalue": lambda lib, a, d, k: a.kthvalue(1, d, keepdim=k).values,
    "cumsum": lambda lib, a, d, k: a.cumsum(d),
    "cumprod": lambda lib, a, d, k: a.cumprod(d),
    "cummax": lambda lib, a, d, k: a.cummax(d).values,
    "logcumsumexp": lambda lib, a, d, k: a.logcumsumexp(d),
    "sort": lambda lib, a, d, k: a.sort(d, descending=k).values,
    "topk": lambda lib, a, d, k: a.topk(1, d, largest=k).values,
    "diff": lambda lib, a, d, k: a.diff(dim=d),
}

shapes = st.lists(st.integers(1, 3), min_size=0, max_size=3).map(tuple)


@given(shape=shapes, keepdim=st.booleans(), data=st.data())
def test_reductions_over_drawn_dims(shape, keepdim, data):
    n = max(len(shape), 1)
    dims = data.draw(
        st.one_of(
            st.none(),
            st.integers(-n, n - 1),
            st.lists(st.integers(-n, n - 1), unique_by=lambda d: d % n, max_size=n).map(tuple),
        )
    )
    for name, op in DIM_REDUCTIONS.items():
        if dims is None and name in ("amax", "amin", "logsumexp"):
            continue  # amax's dim is a tuple (torch refuses None); logsumexp needs dims
        if dims == () and name in ("var", "std", "logsumexp"):
            continue  # torch 2.13: infinite gradients for var/std, a shape error for logsumexp
        if name == "norm" and isinstance(dims, tuple) and len(dims) > 2:
            for lib in (torch, mytorch):  # 'fro' over more than two dims is refused
                with pytest.raises(RuntimeError, match="dim must be a 2-tuple"):
                    op(lib, lib.ones(shape), dims, keepdim)
            continue
        check_against_torch(lambda lib, a: op(lib, a, dims, keepdim), [shape], order=2)


@given(shape=shapes.filter(len), keepdim=st.booleans(), data=st.data())
def test_one_dim_ops_over_drawn_dims(shape, keepdim, data):
    dim = data.draw(st.integers(-len(shape), len(shape) - 1))
    for op in ONE_DIM_OPS.values():
        check_against_torch(lambda lib, a: op(lib, a, dim, keepdim), [shape], order=2)


@given(shape=shapes.filter(len), data=st.data())
def test_duplicate_dims_raise_as_in_torch(shape, data):
    d = data.draw(st.integers(0, len(shape) - 1))
    dims = (d, d - len(shape))  # the same dim, once negative
    for op in DIM_REDUCTIONS.values():
        errors = []
        for lib in (torch, mytorch):
            with pytest.raises(RuntimeError) as e:
                op(lib, lib.ones(shape), dims, False)
            errors.append(str(e.value))
        assert errors[0] == errors[1]


# ---- named tuples, warnings, no-derivative nodes, in place --------------------------------------


def test_named_tuples_unpack_and_print_as_torch():
    data = np.array([[1.0, 3.0, 2.0], [4.0, 0.0, 5.0]], dtype=np.float32)
    for fn in (lambda lib, a: a.max(1), lambda lib, a: lib.min(a, 0, True),
               lambda lib, a: a.sort(1), lambda lib, a: a.topk(2), lambda lib, a: a.kthvalue(1),
               lambda lib, a: a.median(1), lambda lib, a: a.cummax(1),
               lambda lib, a: a.aminmax(dim=0), lambda lib, a: a.nanmedian(0)):  # fmt: skip
        m, t = fn(mytorch, mytorch.tensor(data)), fn(torch, torch.tensor(data))
        assert repr(m) == repr(t)
        assert m._fields == tuple(t._fields if hasattr(t, "_fields") else m._fields)
        first, second = m
        assert first is m[0] and second is m[1] and isinstance(m, tuple)
        assert_same(getattr(m, m._fields[0]), getattr(t, m._fields[0]))


def test_var_warns_when_degrees_of_freedom_run_out():
    for lib in (torch, mytorch):
        with pytest.warns(UserWarning, match=r"var\(\): degrees of freedom is <= 0"):
            out = lib.ones(1).var()
        assert math.isnan(out.item())
        with pytest.warns(UserWarning, match=r"std\(\): degrees of freedom is <= 0"):
            lib.ones(2, 3).std(0, correction=2)


def test_unique_has_no_derivative():
    for lib in (torch, mytorch):
        x = lib.tensor([3.0, 1.0, 3.0], requires_grad=True)
        y = lib.unique(x)
        assert type(y.grad_fn).__name__ == "Unique2Backward0"
        with pytest.raises(NotImplementedError, match="derivative for '_unique2'"):
            y.sum().backward()
        y = lib.unique(x.reshape(3, 1), dim=0)
        assert type(y.grad_fn).__name__ == "UniqueDimBackward0"
        with pytest.raises(NotImplementedError, match="derivative for 'unique_dim'"):
            y.sum().backward()


def test_norm_p0_leaves_the_input_unused():
    for lib in (torch, mytorch):
        x = lib.tensor([1.0, 0.0, 2.0], requires_grad=True)
        y = x.norm(0)
        assert type(y.grad_fn).__name__ == "LinalgVectorNormBackward0"
        assert lib.autograd.grad(y, x, allow_unused=True)[0] is None


def test_inplace_scans_record_and_failures_change_nothing():
    x = mytorch.tensor([[1.0, 2.0], [3.0, 4.0]])
    y = x.clone()
    assert y.cumsum_(0) is y and y._version == 1
    assert y.tolist() == [[1.0, 2.0], [4.0, 6.0]]
    for lib in (torch, mytorch):
        z = lib.tensor([1, 2, 3])
        version = z._version
        with pytest.raises(IndexError):
            z.cumsum_(1)
        with pytest.raises(RuntimeError):
            z.cumprod_(0, dtype=lib.float32)
        assert z.tolist() == [1, 2, 3] and z._version == version


def test_results_do_not_alias_inputs():
    x = mytorch.tensor([3.0, 1.0, 2.0])
    for out in (x.sort().values, x.max(0).values, x.cummax(0).values, x.topk(3).values,
                x.median(0).values, x.kthvalue(1).values, x.amax(0), x.cumsum(0)):  # fmt: skip
        out._data[...] = 0
        assert x.tolist() == [3.0, 1.0, 2.0]


# ---- errors: same class and message as torch ----------------------------------------------------

ERRORS = {
    "max_empty": (lambda lib: lib.zeros(0).max(), "max\\(\\): Expected reduction dim to be"),
    "min_empty": (lambda lib: lib.zeros(0).min(), "Specify the reduction dim"),
    "amax_empty": (lambda lib: lib.zeros(0).amax(), "amax\\(\\): Expected reduction dim"),
    "amax_empty_dim": (lambda lib: lib.zeros(0, 3).amax(0), "dim 0 to have non-zero size"),
    "argmax_empty": (lambda lib: lib.zeros(0).argmax(), "argmax\\(\\): Expected reduction dim"),
    "argmin_empty_dim": (lambda lib: lib.zeros(0, 3).argmin(0), "non-zero size"),
    "max_empty_dim": (lambda lib: lib.zeros(0, 3).max(0), "max\\(\\): Expected reduction dim 0"),
    "aminmax_empty": (lambda lib: lib.zeros(0).aminmax(), "no identity"),
    "median_empty_dim": (lambda lib: lib.zeros(0, 2).median(0), "non-zero size"),
    "kthvalue_empty_dim": (lambda lib: lib.zeros(0).kthvalue(1), "non-zero size"),
    "kthvalue_k": (lambda lib: lib.zeros(3).kthvalue(4), "k out of range for dimension 0"),
    "kthvalue_k0": (lambda lib: lib.zeros(3).kthvalue(0), "k out of range"),
    "kthvalue_0d": (lambda lib: lib.tensor(3.0).kthvalue(2), "k out of range"),
    "topk_k": (lambda lib: lib.zeros(3).topk(4), "selected index k out of range"),
    "topk_neg": (lambda lib: lib.zeros(3).topk(-1), "selected index k out of range"),
    "topk_dim_tuple": (lambda lib: lib.zeros(3).topk(1, dim=(0,)), "must be int"),
    "argmax_dim_tuple": (lambda lib: lib.zeros(2, 3).argmax((0, 1)), "must be int, not tuple"),
    "argmax_bool": (lambda lib: lib.tensor([True]).argmax(), "does not support bool"),
    "prod_tuple": (lambda lib: lib.ones(2, 3).prod((0, 1)), None),
    "prod_dim_range": (lambda lib: lib.ones(2, 3).prod(5), "Dimension out of range"),
    "max_dim_range": (lambda lib: lib.ones(2, 3).max(2), "but got 2"),
    "max_dim_range_0d": (lambda lib: lib.tensor(3.0).max(1), "range of \\[-1, 0\\]"),
    "max_number": (lambda lib: lib.max(lib.ones(2), 2.0), None),
    "max_binary_shapes": (lambda lib: lib.max(lib.ones(2, 3), lib.ones(2)), "size of tensor a"),
    "sum_dup": (lambda lib: lib.ones(2, 3).sum((0, -2)), "dim 0 appears multiple times"),
    "amax_dup": (lambda lib: lib.ones(2, 3).amax((1, 1)), "dim 1 appears multiple times"),
    "var_int": (lambda lib: lib.tensor([1, 2]).var(), "only support floating point"),
    "std_int": (lambda lib: lib.tensor([1, 2]).std(), "only support floating point"),
    "var_both": (lambda lib: lib.ones(3).var(0, True, correction=1), None),
    "mean_int": (lambda lib: lib.tensor([1, 2]).mean(), "Got: Long"),
    "nanmean_int": (lambda lib: lib.tensor([1, 2]).nanmean(), "but got Long"),
    "norm_int": (lambda lib: lib.tensor([1, 2]).norm(), "Expected a floating point or complex"),
    "vector_norm_int_dtype": (
        lambda lib: lib.linalg.vector_norm(lib.ones(2), dtype=lib.int64),
        "dtype should be floating point",
    ),
    "vector_norm_str": (lambda lib: lib.linalg.vector_norm(lib.ones(2), "fro"), "must be Number"),
    "vector_norm_narrowing": (
        lambda lib: lib.linalg.vector_norm(lib.ones(2, dtype=lib.float64), dtype=lib.float32),
        "the dtype of the input \\(Double\\) should be convertible without narrowing",
    ),
    "vector_norm_inf_empty": (lambda lib: lib.zeros(0).norm(inf), "inf norm on an empty tensor"),
    "vector_norm_ninf_empty": (lambda lib: lib.zeros(0).norm(-inf), "-inf norm on an empty"),
    "norm_bad_order": (lambda lib: lib.ones(2, 2).norm(p="abc"), "Order abc not supported"),
    "norm_nuc_dim": (lambda lib: lib.ones(2, 2).norm(p="nuc", dim=1), "dim must be a 2-tuple"),
    "norm_fro_3_dims": (lambda lib: lib.ones(2, 2, 2).norm(dim=(0, 1, 2)), "Got 0 1 2"),
    "matrix_norm_1d": (lambda lib: lib.linalg.matrix_norm(lib.ones(3)), "at least 2 dimensions"),
    "matrix_norm_order": (lambda lib: lib.linalg.matrix_norm(lib.ones(2, 2), 3), "Order 3 not"),
    "logsumexp_no_dim": (lambda lib: lib.logsumexp(lib.ones(3)), None),
    "logcumsumexp_int": (lambda lib: lib.tensor([1, 2]).logcumsumexp(0), "not implemented for"),
    "cumsum_no_dim": (lambda lib: lib.ones(3).cumsum(), None),
    "cumsum_range": (lambda lib: lib.ones(2, 3).cumsum(2), "but got 2"),
    "cumsum_0d_range": (lambda lib: lib.tensor(2.0).cumsum(1), "Dimension out of range"),
    "sort_range": (lambda lib: lib.ones(2, 3).sort(3), "Dimension out of range"),
    "diff_0d": (lambda lib: lib.tensor(1.0).diff(), "at least one-dimensional"),
    "diff_negative_n": (lambda lib: lib.ones(3).diff(n=-1), "must be non-negative but got -1"),
    "diff_prepend_ndim": (lambda lib: lib.ones(2, 3).diff(prepend=lib.ones(3)), "same dimension"),
    "diff_prepend_shape": (
        lambda lib: lib.ones(3, 4).diff(prepend=lib.ones(2, 4), dim=1),
        "input.size\\(0\\) = 3, but got tensor.size\\(0\\) = 2",
    ),
    "unique_dim_range": (lambda lib: lib.unique(lib.ones(2, 3), dim=5), "Dimension out of range"),
    "count_nonzero_dup": (lambda lib: lib.ones(2).count_nonzero((0, 0)), "appears multiple"),
    "all_dup": (lambda lib: lib.ones(2, 3).all((0, 0)), "appears multiple times"),
    "max_backward_freed": (
        lambda lib: _backward_twice(lib, lambda x: x.max(0).values),
        "Trying to backward through the graph a second time",
    ),
}


def _backward_twice(lib, fn):
    x = lib.ones(3, requires_grad=True)
    y = fn(x * 2)
    y.backward()
    y.backward()


@pytest.mark.parametrize("name", ERRORS)
def test_errors_match_torch(name):
    fn, message = ERRORS[name]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(Exception) as t_err:
            fn(torch)
        with pytest.raises(Exception) as m_err:
            fn(mytorch)
    assert type(m_err.value) is type(t_err.value), (m_err.value, t_err.value)
    if message is not None:
        assert t_err.match(message)
        assert m_err.match(message)
