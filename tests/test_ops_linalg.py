"""Linear algebra against torch: products (matmul in every rank combination, einsum, tensordot,
kron, cross, addmm and friends) and torch.linalg (inv, det, slogdet, solve, cholesky, qr, eigh,
svd, pinv, matrix_power, norm, matrix_rank): values, dtypes, node names, gradients of order 1 and
2, finite differences, a third-order sample and the errors.

Eigenvectors and singular vectors are fixed only up to sign (and the LAPACK builds of numpy and
torch may choose differently), so cases on them go through functions invariant to the choice.
"""

import warnings

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import mutually_broadcastable_shapes
from oracle import assert_same, check_against_torch, make_inputs

import mytorch

SINGULAR = np.array([[1.0, 2.0], [2.0, 4.0]])
WITH_NAN = np.array([[np.nan, 1.0], [2.0, np.inf]])
_R = np.random.default_rng(7).standard_normal((3, 3))
SPD = _R @ _R.T + 3 * np.eye(3)
SPD_UPPER_GARBAGE = SPD + np.triu(np.random.default_rng(8).standard_normal((3, 3)), 1)
SPD_LOWER_GARBAGE = SPD + np.tril(np.random.default_rng(9).standard_normal((3, 3)), -1)


def _eye(lib, x):
    return lib.eye(x.shape[-1], dtype=x.dtype)


def _wc(lib, a):
    """A well-conditioned square matrix (batch) from a random one."""
    return a + 3 * _eye(lib, a)


def _spd(lib, a):
    """A symmetric positive-definite matrix (batch) from a random square one."""
    return a @ a.mT + a.shape[-1] * _eye(lib, a)


def _inplace(method, **params):
    def fn(lib, a, *others):
        y = a * 1.0  # a non-leaf, so the in-place op is recorded
        getattr(y, method)(*others, **params)
        return y

    return fn


def _quiet(fn):
    """Run a deprecated function (chain_matmul, torch.cholesky, torch.qr) without its warning."""

    def run(lib, *args):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return fn(lib, *args)

    return run


# name: (fn(lib, *inputs), input specs)
CASES = {
    # matmul in every rank combination, with torch's node names
    "matmul_dot": (lambda lib, a, b: a @ b, [(3,), (3,)]),
    "matmul_mv": (lambda lib, a, b: a @ b, [(2, 3), (3,)]),
    "matmul_vm": (lambda lib, a, b: lib.matmul(a, b), [(3,), (3, 2)]),
    "matmul_mm": (lambda lib, a, b: a.matmul(b), [(2, 3), (3, 4)]),
    "matmul_3d_1d": (lambda lib, a, b: a @ b, [(4, 2, 3), (3,)]),
    "matmul_1d_3d": (lambda lib, a, b: a @ b, [(3,), (4, 3, 2)]),
    "matmul_3d_2d": (lambda lib, a, b: a @ b, [(4, 2, 3), (3, 2)]),
    "matmul_2d_3d": (lambda lib, a, b: a @ b, [(2, 3), (4, 3, 2)]),
    "matmul_2d_4d": (lambda lib, a, b: a @ b, [(2, 3), (2, 1, 3, 2)]),
    "matmul_3d_3d": (lambda lib, a, b: a @ b, [(4, 2, 3), (4, 3, 2)]),
    "matmul_broadcast": (lambda lib, a, b: a @ b, [(5, 1, 2, 3), (4, 3, 2)]),
    "matmul_empty_batch": (lambda lib, a, b: a @ b, [(0, 2, 3), (3, 2)]),
    "matmul_empty_inner": (lambda lib, a, b: a @ b, [(2, 0), (0, 3)]),
    "matmul_int": (lambda lib, a, b: a @ b, [("int", (2, 3)), ("int", (3, 2))]),
    "matmul_int_batched": (lambda lib, a, b: a @ b, [("int", (2, 2, 3)), ("int", (3,))]),
    "matmul_inf": (lambda lib, a, b: a @ b, [WITH_NAN, (2, 2)]),
    "linalg_matmul": (lambda lib, a, b: lib.linalg.matmul(a, b), [(2, 3), (3,)]),
    "mm": (lambda lib, a, b: lib.mm(a, b), [(2, 3), (3, 4)]),
    "mm_method": (lambda lib, a, b: a.mm(b), [(1, 3), (3, 1)]),
    "bmm": (lambda lib, a, b: lib.bmm(a, b), [(4, 2, 3), (4, 3, 2)]),
    "bmm_method": (lambda lib, a, b: a.bmm(b), [(1, 1, 3), (1, 3, 2)]),
    "bmm_empty": (lambda lib, a, b: lib.bmm(a, b), [(0, 2, 3), (0, 3, 2)]),
    "mv": (lambda lib, a, b: lib.mv(a, b), [(2, 3), (3,)]),
    "mv_method": (lambda lib, a, b: a.mv(b), [(4, 2), (2,)]),
    "dot": (lambda lib, a, b: lib.dot(a, b), [(4,), (4,)]),
    "dot_empty": (lambda lib, a, b: a.dot(b), [(0,), (0,)]),
    "vdot": (lambda lib, a, b: lib.vdot(a, b), [(4,), (4,)]),
    "vdot_method": (lambda lib, a, b: a.vdot(b), [(2,), (2,)]),
    # outer products and contractions
    "outer": (lambda lib, a, b: lib.outer(a, b), [(3,), (4,)]),
    "outer_promotes": (lambda lib, a, b: a.outer(b), [(3,), ("int", (2,))]),
    "outer_empty": (lambda lib, a, b: lib.outer(a, b), [(0,), (2,)]),
    "ger": (lambda lib, a, b: lib.ger(a, b), [(2,), (3,)]),
    "ger_method": (lambda lib, a, b: a.ger(b), [(2,), (3,)]),
    "inner_1d": (lambda lib, a, b: lib.inner(a, b), [(3,), (3,)]),
    "inner_nd": (lambda lib, a, b: a.inner(b), [(2, 3), (4, 5, 3)]),
    "inner_0d": (lambda lib, a, b: lib.inner(a, b), [(), (2, 3)]),
    "tensordot_int": (lambda lib, a, b: lib.tensordot(a, b, dims=2), [(2, 3, 4), (3, 4, 5)]),
    "tensordot_lists": (
        lambda lib, a, b: lib.tensordot(a, b, dims=([0, 2], [1, 0])),
        [(2, 3, 4), (4, 2, 5)],
    ),
    "tensordot_neg_dims": (lambda lib, a, b: lib.tensordot(a, b, ([-1], [-2])), [(2, 3), (3, 2)]),
    "tensordot_0": (lambda lib, a, b: lib.tensordot(a, b, dims=0), [(2,), (3,)]),
    "tensordot_empty": (lambda lib, a, b: lib.tensordot(a, b, dims=1), [(2, 0), (0, 3)]),
    "kron": (lambda lib, a, b: lib.kron(a, b), [(2, 3), (3, 2)]),
    "kron_ranks": (lambda lib, a, b: a.kron(b), [(2, 3), (4,)]),
    "kron_0d": (lambda lib, a, b: lib.kron(a, b), [(), (2, 2)]),
    "kron_empty": (lambda lib, a, b: lib.kron(a, b), [(0, 2), (2, 2)]),
    "kron_promotes": (lambda lib, a, b: lib.kron(a, b), [(2,), ("int", (2,))]),
    "cross": (lambda lib, a, b: lib.linalg.cross(a, b), [(4, 3), (4, 3)]),
    "cross_broadcast": (lambda lib, a, b: lib.linalg.cross(a, b), [(2, 1, 3), (1, 4, 3)]),
    "cross_dim": (lambda lib, a, b: lib.cross(a, b, dim=0), [(3, 2), (3, 2)]),
    "cross_method": (lambda lib, a, b: a.cross(b, dim=-1), [(3,), (3,)]),
    "cross_empty": (lambda lib, a, b: lib.linalg.cross(a, b), [(0, 3), (0, 3)]),
    "cross_int": (lambda lib, a, b: lib.linalg.cross(a, b), [("int", (3,)), ("int", (3,))]),
    "vecdot": (lambda lib, a, b: lib.linalg.vecdot(a, b), [(2, 3), (3,)]),
    "vecdot_dim": (lambda lib, a, b: lib.linalg.vecdot(a, b, dim=0), [(3, 2), (3, 2)]),
    # add + product
    "addmm": (lambda lib, c, a, b: lib.addmm(c, a, b, beta=0.5, alpha=2), [(2, 4), (2, 3), (3, 4)]),
    "addmm_broadcast": (lambda lib, c, a, b: lib.addmm(c, a, b), [(4,), (2, 3), (3, 4)]),
    "addmm_0d": (lambda lib, c, a, b: c.addmm(a, b, alpha=-1), [(), (2, 3), (3, 2)]),
    "addmm_beta0_nan": (
        lambda lib, c, a, b: lib.addmm(c, a, b, beta=0),
        [WITH_NAN, (2, 3), (3, 2)],
    ),
    "addmm_empty": (lambda lib, c, a, b: lib.addmm(c, a, b), [(2, 2), (2, 0), (0, 2)]),
    "addmm_int": (
        lambda lib, c, a, b: lib.addmm(c, a, b, beta=2, alpha=3),
        [("int", (2, 2)), ("int", (2, 3)), ("int", (3, 2))],
    ),
    "addmm_": (_inplace("addmm_", beta=2.0), [(2, 2), (2, 3), (3, 2)]),
    "addmv": (lambda lib, c, a, b: lib.addmv(c, a, b, beta=2, alpha=0.5), [(2,), (2, 3), (3,)]),
    "addmv_0d": (lambda lib, c, a, b: c.addmv(a, b), [(), (2, 3), (3,)]),
    "addmv_": (_inplace("addmv_", alpha=3), [(2,), (2, 3), (3,)]),
    "addr": (lambda lib, c, a, b: lib.addr(c, a, b, beta=-1, alpha=2), [(2, 3), (2,), (3,)]),
    "addr_broadcast": (lambda lib, c, a, b: c.addr(a, b), [(1, 3), (2,), (3,)]),
    "addr_": (_inplace("addr_"), [(2, 3), (2,), (3,)]),
    # (torch's own backward fails when a float vector meets an integer one, so only c is float)
    "addr_promotes": (
        lambda lib, c, a, b: lib.addr(c, a, b),
        [(2, 3), ("int", (2,)), ("int", (3,))],
    ),
    "addbmm": (lambda lib, c, a, b: lib.addbmm(c, a, b, alpha=2), [(2, 3), (4, 2, 5), (4, 5, 3)]),
    "addbmm_broadcast": (lambda lib, c, a, b: c.addbmm(a, b), [(3,), (2, 2, 5), (2, 5, 3)]),
    "addbmm_": (_inplace("addbmm_", beta=0.5), [(2, 3), (4, 2, 5), (4, 5, 3)]),
    "baddbmm": (
        lambda lib, c, a, b: lib.baddbmm(c, a, b, beta=0.5, alpha=2),
        [(4, 2, 3), (4, 2, 5), (4, 5, 3)],
    ),
    "baddbmm_broadcast": (lambda lib, c, a, b: c.baddbmm(a, b), [(2, 3), (4, 2, 5), (4, 5, 3)]),
    "baddbmm_": (_inplace("baddbmm_"), [(4, 2, 3), (4, 2, 5), (4, 5, 3)]),
    # chains
    "multi_dot": (lambda lib, a, b, c: lib.linalg.multi_dot([a, b, c]), [(2, 3), (3, 5), (5, 2)]),
    "multi_dot_vectors": (
        lambda lib, a, b, c: lib.linalg.multi_dot([a, b, c]),
        [(3,), (3, 4), (4,)],
    ),
    "multi_dot_two": (lambda lib, a, b: lib.linalg.multi_dot((a, b)), [(2, 3), (3, 4)]),
    "multi_dot_four": (
        lambda lib, a, b, c, d: lib.linalg.multi_dot([a, b, c, d]),
        [(5, 1), (1, 4), (4, 3), (3, 2)],
    ),
    "chain_matmul": (
        _quiet(lambda lib, a, b, c: lib.chain_matmul(a, b, c)),
        [(2, 3), (3, 4), (4, 2)],
    ),
    # einsum
    "einsum_mm": (lambda lib, a, b: lib.einsum("ij,jk->ik", a, b), [(2, 3), (3, 4)]),
    "einsum_mm_transposed": (lambda lib, a, b: lib.einsum("ij,jk->ki", a, b), [(2, 3), (3, 4)]),
    "einsum_implicit": (lambda lib, a, b: lib.einsum("ij,jk", a, b), [(2, 3), (3, 4)]),
    "einsum_bmm": (lambda lib, a, b: lib.einsum("bij,bjk->bik", a, b), [(2, 2, 3), (2, 3, 4)]),
    "einsum_list": (lambda lib, a, b: lib.einsum("i,i", [a, b]), [(3,), (3,)]),
    "einsum_diag": (lambda lib, a: lib.einsum("ii->i", a), [(3, 3)]),
    "einsum_trace": (lambda lib, a: lib.einsum("ii", a), [(3, 3)]),
    "einsum_batch_diag": (lambda lib, a: lib.einsum("bii->bi", a), [(2, 3, 3)]),
    "einsum_transpose": (lambda lib, a: lib.einsum("ij->ji", a), [(2, 3)]),
    "einsum_identity": (lambda lib, a: lib.einsum("ij", a), [(2, 3)]),
    "einsum_sum": (lambda lib, a: lib.einsum("ij->j", a), [(2, 3)]),
    "einsum_outer": (lambda lib, a, b: lib.einsum("i,j->ij", a, b), [(2,), (3,)]),
    "einsum_hadamard": (lambda lib, a, b: lib.einsum("ij,ij->ij", a, b), [(2, 3), (2, 3)]),
    "einsum_frobenius": (lambda lib, a, b: lib.einsum("ij,ij->", a, b), [(2, 3), (2, 3)]),
    "einsum_three": (
        lambda lib, a, b, c: lib.einsum("ij,jk,kl->il", a, b, c),
        [(2, 3), (3, 4), (4, 2)],
    ),
    "einsum_triple_dot": (lambda lib, a, b, c: lib.einsum("i,i,i->", a, b, c), [(3,), (3,), (3,)]),
    "einsum_ellipsis": (lambda lib, a, b: lib.einsum("...ij,...jk", a, b), [(2, 2, 3), (3, 4)]),
    "einsum_ellipsis_broadcast": (
        lambda lib, a, b: lib.einsum("...ij,...jk->...ik", a, b),
        [(2, 1, 2, 3), (4, 3, 2)],
    ),
    "einsum_ellipsis_trace": (lambda lib, a: lib.einsum("...ii->...", a), [(2, 3, 3)]),
    "einsum_ellipsis_summed": (lambda lib, a: lib.einsum("i...->", a), [(2, 3)]),
    "einsum_uppercase": (lambda lib, a, b: lib.einsum("Ba,aB", a, b), [(2, 3), (3, 2)]),
    "einsum_repeated_mixed": (lambda lib, a, b: lib.einsum("iij,j->i", a, b), [(2, 2, 3), (3,)]),
    "einsum_0d": (lambda lib, a, b: lib.einsum("i,->i", a, b), [(3,), ()]),
    "einsum_empty": (lambda lib, a, b: lib.einsum("ij,jk->ik", a, b), [(2, 0), (0, 3)]),
    "einsum_size1_broadcast": (lambda lib, a, b: lib.einsum("ij,jk->ik", a, b), [(2, 1), (3, 4)]),
    "einsum_sublist": (
        lambda lib, a, b: lib.einsum(a, [0, 1], b, [1, 2], [0, 2]),
        [(2, 3), (3, 4)],
    ),
    "einsum_sublist_implicit": (lambda lib, a: lib.einsum(a, [..., 0, 1], [..., 1]), [(2, 3, 3)]),
    "einsum_spaces": (lambda lib, a, b: lib.einsum("i j , j -> i", a, b), [(2, 3), (3,)]),
    # inverse and determinants
    "inv": (lambda lib, a: lib.linalg.inv(_wc(lib, a)), [(3, 3)]),
    "inv_batch": (lambda lib, a: lib.linalg.inv(_wc(lib, a)), [(2, 3, 3)]),
    "inv_1x1": (lambda lib, a: lib.linalg.inv(a), [np.array([[2.5]])]),
    "inv_empty": (lambda lib, a: lib.linalg.inv(a), [(0, 0)]),
    "inv_ex": (lambda lib, a: lib.linalg.inv_ex(_wc(lib, a)).inverse, [(3, 3)]),
    "inverse": (lambda lib, a: lib.inverse(_wc(lib, a)), [(2, 2)]),
    "inverse_method": (lambda lib, a: _wc(lib, a).inverse(), [(2, 2)]),
    "det": (lambda lib, a: lib.linalg.det(a), [(3, 3)]),
    "det_batch": (lambda lib, a: lib.linalg.det(a), [(2, 4, 4)]),
    "det_singular": (lambda lib, a: lib.linalg.det(a), [SINGULAR]),
    "det_zero_rows": (lambda lib, a: lib.linalg.det(a * lib.tensor([1.0, 0.0, 1.0])), [(3, 3)]),
    "det_empty": (lambda lib, a: lib.linalg.det(a), [(0, 0)]),
    "det_torch": (lambda lib, a: lib.det(a), [(2, 2)]),
    "det_method": (lambda lib, a: a.det(), [(2, 3, 3)]),
    "slogdet_logabsdet": (lambda lib, a: lib.linalg.slogdet(a).logabsdet, [(3, 3)]),
    "slogdet_sign": (lambda lib, a: lib.linalg.slogdet(a).sign, [(2, 3, 3)]),
    "slogdet_both": (lambda lib, a: lib.linalg.slogdet(a)[0] * lib.linalg.slogdet(a)[1], [(3, 3)]),
    "slogdet_empty": (lambda lib, a: lib.linalg.slogdet(a)[1], [(0, 0)]),
    "slogdet_torch": (lambda lib, a: lib.slogdet(a).logabsdet, [(2, 2)]),
    "slogdet_method": (lambda lib, a: a.slogdet()[1], [(2, 2)]),
    "logdet": (lambda lib, a: lib.logdet(_spd(lib, a)), [(3, 3)]),
    "logdet_negative": (lambda lib, a: a.logdet(), [np.array([[0.0, 1.0], [1.0, 0.0]])]),
    # solve
    "solve": (lambda lib, a, b: lib.linalg.solve(_wc(lib, a), b), [(3, 3), (3, 2)]),
    "solve_vector": (lambda lib, a, b: lib.linalg.solve(_wc(lib, a), b), [(3, 3), (3,)]),
    "solve_batch_vectors": (
        lambda lib, a, b: lib.linalg.solve(_wc(lib, a), b),
        [(2, 3, 3), (2, 3)],
    ),
    "solve_broadcast_vector": (
        lambda lib, a, b: lib.linalg.solve(_wc(lib, a), b),
        [(2, 3, 3), (3,)],
    ),
    "solve_broadcast_a": (lambda lib, a, b: lib.linalg.solve(_wc(lib, a), b), [(3, 3), (2, 3, 4)]),
    "solve_broadcast_b": (lambda lib, a, b: lib.linalg.solve(_wc(lib, a), b), [(2, 3, 3), (3, 3)]),
    "solve_right": (
        lambda lib, a, b: lib.linalg.solve(_wc(lib, a), b, left=False),
        [(3, 3), (2, 3)],
    ),
    "solve_empty": (lambda lib, a, b: lib.linalg.solve(a, b), [(0, 0), (0, 2)]),
    # cholesky
    "cholesky": (lambda lib, a: lib.linalg.cholesky(_spd(lib, a)), [(3, 3)]),
    "cholesky_upper": (lambda lib, a: lib.linalg.cholesky(_spd(lib, a), upper=True), [(3, 3)]),
    "cholesky_batch": (lambda lib, a: lib.linalg.cholesky(_spd(lib, a)), [(2, 3, 3)]),
    # only one triangle is read; the gradient is the symmetric one torch gives
    "cholesky_reads_lower": (lambda lib, a: lib.linalg.cholesky(a), [SPD_UPPER_GARBAGE]),
    "cholesky_upper_reads_upper": (
        lambda lib, a: lib.linalg.cholesky(a, upper=True),
        [SPD_LOWER_GARBAGE],
    ),
    "cholesky_empty": (lambda lib, a: lib.linalg.cholesky(a), [(0, 0)]),
    "cholesky_ex": (lambda lib, a: lib.linalg.cholesky_ex(_spd(lib, a)).L, [(3, 3)]),
    "cholesky_legacy": (_quiet(lambda lib, a: lib.cholesky(_spd(lib, a), upper=True)), [(3, 3)]),
    "cholesky_method": (_quiet(lambda lib, a: _spd(lib, a).cholesky()), [(2, 2)]),
    # qr (Householder signs agree between the two LAPACK builds)
    "qr_q": (lambda lib, a: lib.linalg.qr(a).Q, [(4, 3)]),
    "qr_r": (lambda lib, a: lib.linalg.qr(a).R, [(4, 3)]),
    "qr_both": (lambda lib, a: lib.linalg.qr(a)[0] @ lib.linalg.qr(a)[1].exp(), [(3, 3)]),
    "qr_wide_q": (lambda lib, a: lib.linalg.qr(a).Q, [(2, 4)]),
    "qr_wide_r": (lambda lib, a: lib.linalg.qr(a).R, [(2, 4)]),
    "qr_complete_wide": (lambda lib, a: lib.linalg.qr(a, mode="complete").R, [(2, 3)]),
    "qr_batch": (lambda lib, a: (lambda q, r: q @ r.exp())(*lib.linalg.qr(a)), [(2, 4, 3)]),
    "qr_empty": (lambda lib, a: lib.linalg.qr(a).R, [(0, 3)]),
    "qr_legacy": (_quiet(lambda lib, a: lib.qr(a).R), [(3, 2)]),
    "qr_method": (_quiet(lambda lib, a: a.qr(some=False).Q), [(2, 3)]),
    # eigh
    "eigh_values": (lambda lib, a: lib.linalg.eigh(_spd(lib, a)).eigenvalues, [(3, 3)]),
    "eigh_vectors_squared": (
        lambda lib, a: lib.linalg.eigh(_spd(lib, a)).eigenvectors ** 2,
        [(3, 3)],
    ),
    "eigh_reconstruct": (
        lambda lib, a: (lambda w, v: (v * w.exp().unsqueeze(-2)) @ v.mT)(
            *lib.linalg.eigh(_spd(lib, a))
        ),
        [(2, 3, 3)],
    ),
    "eigh_upper": (lambda lib, a: lib.linalg.eigh(_spd(lib, a), UPLO="U")[0], [(3, 3)]),
    "eigh_reads_upper": (
        lambda lib, a: (lambda w, v: w * (v[0] ** 2))(*lib.linalg.eigh(a, UPLO="U")),
        [SPD_LOWER_GARBAGE],
    ),
    "eigh_reads_lower": (lambda lib, a: lib.linalg.eigvalsh(a), [SPD_UPPER_GARBAGE]),
    "eigh_empty": (lambda lib, a: lib.linalg.eigh(a)[0], [(0, 0)]),
    "eigvalsh": (lambda lib, a: lib.linalg.eigvalsh(_spd(lib, a)), [(2, 3, 3)]),
    # svd
    "svd_values": (lambda lib, a: lib.linalg.svd(a, full_matrices=False).S, [(4, 3)]),
    "svd_u_squared": (lambda lib, a: lib.linalg.svd(a, full_matrices=False).U ** 2, [(4, 3)]),
    "svd_vh_squared": (lambda lib, a: lib.linalg.svd(a, full_matrices=False).Vh ** 2, [(4, 3)]),
    "svd_wide_u": (lambda lib, a: lib.linalg.svd(a, full_matrices=False)[0] ** 2, [(2, 4)]),
    "svd_wide_vh": (lambda lib, a: lib.linalg.svd(a, full_matrices=False)[2] ** 2, [(2, 4)]),
    "svd_first_pair": (
        lambda lib, a: (lambda u, s, vh: u[..., :1] * vh[..., :1, :])(*lib.linalg.svd(a, False)),
        [(2, 3, 4)],
    ),
    "svd_reconstruct": (
        lambda lib, a: (lambda u, s, vh: (u * s.sqrt().unsqueeze(-2)) @ vh)(
            *lib.linalg.svd(a, False)
        ),
        [(3, 3)],
    ),
    "svd_full_values": (lambda lib, a: lib.linalg.svd(a).S, [(4, 2)]),
    "svd_full_pair": (
        lambda lib, a: (lambda u, s, vh: u[..., :1] * vh[..., :1, :])(*lib.linalg.svd(a)),
        [(4, 3)],
    ),
    "svd_empty": (lambda lib, a: lib.linalg.svd(a).S, [(0, 3)]),
    "svdvals": (lambda lib, a: lib.linalg.svdvals(a), [(2, 3, 2)]),
    "svd_legacy": (
        lambda lib, a: (lambda u, s, v: u[..., :1] * v.mT[..., :1, :])(*lib.svd(a)),
        [(3, 2)],
    ),
    "svd_legacy_no_uv": (lambda lib, a: lib.svd(a, compute_uv=False)[1], [(3, 2)]),
    "svd_method": (lambda lib, a: a.svd().S, [(2, 3)]),
    # matrix functions
    "matrix_power_0": (lambda lib, a: lib.linalg.matrix_power(a, 0), [(3, 3)]),
    "matrix_power_1": (lambda lib, a: lib.linalg.matrix_power(a, 1), [(3, 3)]),
    "matrix_power_2": (lambda lib, a: lib.linalg.matrix_power(a, 2), [(3, 3)]),
    "matrix_power_5": (lambda lib, a: lib.matrix_power(a, 5), [(2, 2)]),
    "matrix_power_batch": (lambda lib, a: a.matrix_power(3), [(2, 3, 3)]),
    "matrix_power_neg1": (lambda lib, a: lib.linalg.matrix_power(_wc(lib, a), -1), [(3, 3)]),
    "matrix_power_neg3": (lambda lib, a: lib.linalg.matrix_power(_wc(lib, a), -3), [(2, 3, 3)]),
    "matrix_power_empty": (lambda lib, a: lib.linalg.matrix_power(a, 2), [(0, 0)]),
    "matrix_power_int": (lambda lib, a: lib.linalg.matrix_power(a, 3), [("int", (2, 2))]),
    "pinv": (lambda lib, a: lib.linalg.pinv(a), [(4, 3)]),
    "pinv_wide": (lambda lib, a: lib.linalg.pinv(a), [(2, 2, 4)]),
    "pinv_hermitian": (lambda lib, a: lib.linalg.pinv(_spd(lib, a), hermitian=True), [(3, 3)]),
    "pinv_rank_deficient": (lambda lib, a: lib.linalg.pinv(a, atol=1e-8), [SINGULAR]),
    "pinv_empty": (lambda lib, a: lib.linalg.pinv(a), [(0, 3)]),
    "pinverse": (lambda lib, a: lib.pinverse(a), [(3, 2)]),
    "pinverse_method": (lambda lib, a: a.pinverse(), [(2, 3)]),
    "matrix_rank": (lambda lib, a: lib.linalg.matrix_rank(a), [(3, 4)]),
    "matrix_rank_singular": (lambda lib, a: lib.linalg.matrix_rank(a), [SINGULAR]),
    "matrix_rank_tol": (lambda lib, a: lib.linalg.matrix_rank(a, atol=1.0, rtol=0.0), [(2, 3, 3)]),
    "matrix_rank_hermitian": (
        lambda lib, a: lib.linalg.matrix_rank(_spd(lib, a), hermitian=True),
        [(3, 3)],
    ),
    "matrix_rank_empty": (lambda lib, a: lib.linalg.matrix_rank(a), [(0, 3)]),
}

NORM_CASES = {
    "norm_vector": (lambda lib, a: lib.linalg.norm(a), [(4,)]),
    "norm_flat": (lambda lib, a: lib.linalg.norm(a), [(2, 3)]),
    "norm_vector_ord": (lambda lib, a: lib.linalg.norm(a, 3), [(4,)]),
    "norm_dim": (lambda lib, a: lib.linalg.norm(a, dim=1, keepdim=True), [(2, 3)]),
    "norm_fro": (lambda lib, a: lib.linalg.norm(a, "fro"), [(2, 3)]),
    "norm_nuc": (lambda lib, a: lib.linalg.norm(a, "nuc"), [(3, 2)]),
    "norm_spectral": (lambda lib, a: lib.linalg.norm(a, 2), [(3, 2)]),
    "norm_matrix_dims": (lambda lib, a: lib.linalg.norm(a, 1, dim=(0, 2)), [(2, 3, 2)]),
}
# vector_norm and matrix_norm belong to the reductions; cover linalg.norm once they exist
if hasattr(mytorch.linalg, "vector_norm") and hasattr(mytorch.linalg, "matrix_norm"):
    CASES.update(NORM_CASES)

# (name: atol) where products of several factorization derivatives lose a few digits
TOLERANCES = {"eigh_vectors_squared": 1e-6, "svd_u_squared": 1e-6, "svd_vh_squared": 1e-6}


@pytest.mark.parametrize("name", CASES)
def test_matches_torch(name):
    fn, specs = CASES[name]
    atol = TOLERANCES.get(name)
    check_against_torch(fn, specs, order=2, atol=atol, rtol=atol and 1e-5)


# finite differences need smooth points with float inputs
NOT_SMOOTH = {"matmul_int", "matmul_int_batched", "addmm_int", "cross_int", "matrix_power_int",
              "matrix_rank", "matrix_rank_singular", "matrix_rank_tol", "matrix_rank_hermitian",
              "matrix_rank_empty", "matmul_inf", "addmm_beta0_nan", "slogdet_sign",
              "logdet_negative", "pinv_rank_deficient", "det_singular"}  # fmt: skip
# cholesky and eigh read one triangle, yet torch's gradient is the symmetric one, not the partial
# derivatives finite differences see
NOT_SMOOTH |= {"cholesky_reads_lower", "cholesky_upper_reads_upper", "eigh_reads_upper",
               "eigh_reads_lower"}  # fmt: skip


def _gradcheck_inputs(specs, seed=0):
    arrays = make_inputs(specs, np.random.default_rng(seed))
    return [
        mytorch.tensor(a.astype(np.float64), requires_grad=True)
        if a.dtype.kind == "f"
        else mytorch.tensor(a)
        for a in arrays
    ]


@pytest.mark.parametrize("name", sorted(set(CASES) - NOT_SMOOTH))
def test_gradcheck(name):
    fn, specs = CASES[name]
    inputs = _gradcheck_inputs(specs)
    assert mytorch.autograd.gradcheck(lambda *xs: fn(mytorch, *xs), inputs)


# second-order finite differences over the heavier factorizations cost seconds each: a sample
HEAVY = ("einsum_", "svd_", "eigh_", "qr_", "pinv", "matrix_power_")
GRADGRAD = sorted(name for name in set(CASES) - NOT_SMOOTH if not name.startswith(HEAVY)) + [
    "einsum_diag", "einsum_three", "einsum_ellipsis_broadcast", "svd_values", "svd_first_pair",
    "eigh_values", "eigh_vectors_squared", "qr_q", "qr_wide_r", "pinv", "matrix_power_neg3",
]  # fmt: skip


@pytest.mark.parametrize("name", GRADGRAD)
def test_gradgradcheck(name):
    fn, specs = CASES[name]
    inputs = _gradcheck_inputs(specs, seed=1)
    assert mytorch.autograd.gradgradcheck(lambda *xs: fn(mytorch, *xs), inputs)


# ---- third order against torch ------------------------------------------------------------------

THIRD_ORDER = {
    "det": (lambda lib, a: lib.linalg.det(a), (3, 3)),
    "inv": (lambda lib, a: lib.linalg.inv(_wc(lib, a)).sum(), (3, 3)),
    "slogdet": (lambda lib, a: lib.linalg.slogdet(_wc(lib, a)).logabsdet, (3, 3)),
    "solve": (lambda lib, a: lib.linalg.solve(_wc(lib, a), a[:, 0]).sum(), (3, 3)),
    "cholesky": (lambda lib, a: lib.linalg.cholesky(_spd(lib, a)).sum(), (3, 3)),
    "eigh": (lambda lib, a: lib.linalg.eigvalsh(_spd(lib, a))[-1], (3, 3)),
    "einsum": (lambda lib, a: lib.einsum("ij,jk,ki->", a, a, a), (3, 3)),
}


@pytest.mark.parametrize("name", THIRD_ORDER)
def test_third_order_matches_torch(name):
    fn, shape = THIRD_ORDER[name]
    rng = np.random.default_rng(3)
    a = rng.standard_normal(shape)
    u, w = rng.standard_normal(shape), rng.standard_normal(shape)
    results = []
    for lib in (mytorch, torch):
        x = lib.tensor(a, requires_grad=True)
        (g1,) = lib.autograd.grad(fn(lib, x), [x], create_graph=True)
        (g2,) = lib.autograd.grad((g1 * lib.tensor(u)).sum(), [x], create_graph=True)
        (g3,) = lib.autograd.grad((g2 * lib.tensor(w)).sum(), [x])
        results.append(g3)
    assert_same(results[0], results[1], what="third-order grad")


# ---- hypothesis: ranks, batch broadcasting, contraction dims ------------------------------------


@settings(max_examples=40)
@given(
    shapes=mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=2, max_side=3),
    ranks=st.tuples(st.integers(1, 2), st.integers(1, 2)),
    sizes=st.tuples(st.integers(0, 3), st.integers(1, 3), st.integers(0, 3)),
)
def test_matmul_over_ranks_and_batches(shapes, ranks, sizes):
    n, k, m = sizes
    batch_a, batch_b = shapes.input_shapes
    a = tuple(batch_a) + ((n, k) if ranks[0] == 2 else (k,))
    b = tuple(batch_b) + ((k, m) if ranks[1] == 2 else (k,))
    if len(batch_a) and ranks[0] == 1 or len(batch_b) and ranks[1] == 1:
        a, b = a[-ranks[0] :], b[-ranks[1] :]  # a 1-d operand has no batch dims
    check_against_torch(lambda lib, x, y: x @ y, [a, b], order=2)


@settings(max_examples=30)
@given(data=st.data())
def test_tensordot_over_drawn_dims(data):
    ndim_a = data.draw(st.integers(1, 3))
    shape_a = tuple(data.draw(st.lists(st.integers(1, 3), min_size=ndim_a, max_size=ndim_a)))
    count = data.draw(st.integers(0, ndim_a))
    dims_a = data.draw(st.permutations(range(ndim_a)))[:count]
    extra = tuple(data.draw(st.lists(st.integers(1, 3), max_size=2)))
    order = data.draw(st.permutations(range(count + len(extra))))
    pieces = [shape_a[d] for d in dims_a] + list(extra)
    shape_b = tuple(pieces[i] for i in order)
    dims_b = [order.index(i) for i in range(count)]
    dims_a = [d - ndim_a if data.draw(st.booleans()) else d for d in dims_a]  # negative dims too
    check_against_torch(
        lambda lib, x, y: lib.tensordot(x, y, dims=(dims_a, dims_b)), [shape_a, shape_b], order=2
    )


EQUATIONS = ["ij,jk->ik", "ij,kj->ik", "bij,bjk->bik", "ii->i", "ij->", "i,j->ij", "ij,ij->i",
             "...ij,...jk->...ik", "ijk,kj->i", "ab,bc,cd->ad", "iji->j", "ij,j->ij"]  # fmt: skip


@pytest.mark.parametrize("equation", EQUATIONS)
def test_einsum_equations_against_numpy(equation):
    """The values also agree with numpy's einsum (a third opinion)."""
    rng = np.random.default_rng(0)
    sizes = {c: 2 + i % 3 for i, c in enumerate("abcdijk")}
    lhs = equation.split("->")[0].split(",")
    arrays = [rng.standard_normal([sizes[c] for c in term.replace("...", "")]) for term in lhs]
    if "..." in equation:
        arrays = [rng.standard_normal((2,) + a.shape) for a in arrays]
    out = mytorch.einsum(equation, *[mytorch.tensor(a) for a in arrays])
    np.testing.assert_allclose(out.numpy(), np.einsum(equation, *arrays), atol=1e-12)


# ---- results: named tuples, shapes of the factorizations ----------------------------------------


def test_named_tuples_match_torch():
    a = np.random.default_rng(0).standard_normal((3, 3))
    spd = a @ a.T + 3 * np.eye(3)
    for fn, arg in [
        (lambda lib, x: lib.linalg.slogdet(x), a),
        (lambda lib, x: lib.linalg.eigh(x), spd),
        (lambda lib, x: lib.linalg.svd(x), a),
        (lambda lib, x: lib.linalg.qr(x), a),
        (lambda lib, x: lib.linalg.inv_ex(x), a),
        (lambda lib, x: lib.linalg.cholesky_ex(x), spd),
        (lambda lib, x: lib.slogdet(x), a),
        (lambda lib, x: lib.svd(x), a),
    ]:
        m, t = fn(mytorch, mytorch.tensor(arg)), fn(torch, torch.tensor(arg))
        assert type(m).__name__ == type(t).__name__ and len(m) == len(t)
        for field in m._fields:
            mf, tf = getattr(m, field), getattr(t, field)
            assert tuple(mf.shape) == tuple(tf.shape) and repr(mf.dtype)[8:] == repr(tf.dtype)[6:]


@pytest.mark.parametrize("shape", [(4, 2), (2, 4), (3, 3), (2, 0), (0, 3)])
@pytest.mark.parametrize("full", [True, False])
def test_factor_shapes_match_torch(shape, full):
    a = np.random.default_rng(0).standard_normal(shape)
    for mode in ("reduced", "complete", "r"):
        m, t = mytorch.linalg.qr(mytorch.tensor(a), mode), torch.linalg.qr(torch.tensor(a), mode)
        assert [tuple(x.shape) for x in m] == [tuple(x.shape) for x in t]
    m, t = mytorch.linalg.svd(mytorch.tensor(a), full), torch.linalg.svd(torch.tensor(a), full)
    assert [tuple(x.shape) for x in m] == [tuple(x.shape) for x in t]
    # the factors reproduce A whatever the signs
    u, s, vh = (x.numpy() for x in m)
    k = s.shape[-1]
    np.testing.assert_allclose((u[:, :k] * s) @ vh[:k], a, atol=1e-12)


def test_info_of_failing_factorizations_matches_torch():
    bad = np.stack([np.eye(3), -np.eye(3), np.diag([1.0, 1.0, 0.0])])
    for lib_fn in (lambda lib: lib.linalg.inv_ex, lambda lib: lib.linalg.cholesky_ex):
        m = lib_fn(mytorch)(mytorch.tensor(bad)).info
        t = lib_fn(torch)(torch.tensor(bad)).info
        assert m.dtype is mytorch.int32 and m.tolist() == t.tolist()


def test_qr_r_mode_and_complete_tall_are_not_differentiable():
    for mode, match in (("r", "mode='r'"), ("complete", "nrows > ncols")):
        for lib in (mytorch, torch):
            a = lib.tensor(np.random.default_rng(0).standard_normal((3, 2)), requires_grad=True)
            with pytest.raises(RuntimeError, match=match):
                lib.linalg.qr(a, mode=mode).R.sum().backward()


def test_gradient_through_any_subset_of_outputs():
    """Each output of a factorization has its own node; using several sums their parts."""
    a = np.random.default_rng(1).standard_normal((3, 3))
    spd = a @ a.T + 3 * np.eye(3)
    grads = []
    for lib in (mytorch, torch):
        x = lib.tensor(spd, requires_grad=True)
        w, v = lib.linalg.eigh(x)
        u, s, vh = lib.linalg.svd(x + x.mT * 0.5)
        q, r = lib.linalg.qr(x)
        loss = (w * w).sum() + ((v @ v.mT) * x).sum() + (u[:, 0:1] * vh[0:1]).sum() + s.sum()
        loss = loss + (q @ r).sum() + lib.linalg.slogdet(x)[1]
        grads.append(lib.autograd.grad(loss, [x])[0])
    assert_same(grads[0], grads[1], what="grad")


# ---- errors -------------------------------------------------------------------------------------


def _ones(lib, *shape, dtype=None):
    return lib.ones(*shape, dtype=dtype or lib.float32)


ERRORS = {
    "matmul_dtype_mm": lambda lib: _ones(lib, 2, 3) @ _ones(lib, 3, 2, dtype=lib.float64),
    "matmul_dtype_mv": lambda lib: _ones(lib, 2, 3) @ _ones(lib, 3, dtype=lib.float64),
    "matmul_dtype_dot": lambda lib: _ones(lib, 3) @ _ones(lib, 3, dtype=lib.float64),
    "matmul_dtype_vm": lambda lib: _ones(lib, 3, dtype=lib.int64) @ _ones(lib, 3, 2),
    "matmul_dtype_bmm": lambda lib: _ones(lib, 2, 2, 3) @ _ones(lib, 2, 3, 2, dtype=lib.float64),
    "matmul_dtype_3d_1d": lambda lib: _ones(lib, 2, 2, 3, dtype=lib.float64) @ _ones(lib, 3),
    "matmul_dtype_int": lambda lib: (
        _ones(lib, 2, 3, dtype=lib.int32) @ _ones(lib, 3, 2, dtype=lib.int64)
    ),
    "matmul_0d": lambda lib: lib.matmul(lib.tensor(1.0), _ones(lib, 2)),
    "matmul_mm_shapes": lambda lib: _ones(lib, 2, 3) @ _ones(lib, 2, 3),
    "matmul_vm_shapes": lambda lib: _ones(lib, 4) @ _ones(lib, 3, 2),
    "matmul_3d_1d_shapes": lambda lib: _ones(lib, 2, 2, 3) @ _ones(lib, 4),
    "matmul_3d_2d_shapes": lambda lib: _ones(lib, 2, 2, 3) @ _ones(lib, 4, 2),
    "matmul_batch_shapes": lambda lib: _ones(lib, 5, 2, 2, 4) @ _ones(lib, 2, 3, 2),
    "matmul_batch_broadcast": lambda lib: _ones(lib, 2, 2, 4) @ _ones(lib, 3, 4, 2),
    "matmul_number": lambda lib: lib.matmul(_ones(lib, 2), 2.0),
    "mm_3d": lambda lib: lib.mm(_ones(lib, 2, 2, 3), _ones(lib, 3, 2)),
    "mm_1d": lambda lib: lib.mm(_ones(lib, 2, 3), _ones(lib, 3)),
    "mm_dtype": lambda lib: lib.mm(_ones(lib, 2, 3, dtype=lib.float64), _ones(lib, 3, 2)),
    "mm_bool": lambda lib: lib.mm(
        _ones(lib, 2, 3, dtype=lib.bool), _ones(lib, 3, 2, dtype=lib.bool)
    ),
    "matmul_bool_dot": lambda lib: _ones(lib, 3, dtype=lib.bool) @ _ones(lib, 3, dtype=lib.bool),
    "matmul_bool_mv": lambda lib: _ones(lib, 2, 3, dtype=lib.bool) @ _ones(lib, 3, dtype=lib.bool),
    "matmul_bool_bmm": lambda lib: (
        _ones(lib, 2, 3, dtype=lib.bool) @ _ones(lib, 2, 3, 2, dtype=lib.bool)
    ),
    "bmm_2d": lambda lib: lib.bmm(_ones(lib, 2, 3), _ones(lib, 3, 2)),
    "bmm_batch2_2d": lambda lib: lib.bmm(_ones(lib, 2, 2, 3), _ones(lib, 3, 2)),
    "bmm_batches": lambda lib: lib.bmm(_ones(lib, 2, 2, 3), _ones(lib, 3, 3, 2)),
    "bmm_inner": lambda lib: lib.bmm(_ones(lib, 2, 2, 3), _ones(lib, 2, 4, 2)),
    "bmm_dtype": lambda lib: lib.bmm(_ones(lib, 2, 2, 3), _ones(lib, 2, 3, 2, dtype=lib.float64)),
    "mv_1d": lambda lib: lib.mv(_ones(lib, 3), _ones(lib, 3)),
    "mv_size": lambda lib: lib.mv(_ones(lib, 2, 3), _ones(lib, 4)),
    "mv_dtype": lambda lib: lib.mv(_ones(lib, 2, 3), _ones(lib, 3, dtype=lib.float64)),
    "dot_2d": lambda lib: lib.dot(_ones(lib, 3, 3), _ones(lib, 3)),
    "dot_sizes": lambda lib: lib.dot(_ones(lib, 3), _ones(lib, 4)),
    "dot_dtype": lambda lib: lib.dot(_ones(lib, 3), _ones(lib, 3, dtype=lib.float64)),
    "vdot_sizes": lambda lib: lib.vdot(_ones(lib, 3), _ones(lib, 4)),
    "outer_2d": lambda lib: lib.outer(_ones(lib, 2, 2), _ones(lib, 3)),
    "outer_vec2_2d": lambda lib: lib.outer(_ones(lib, 3), _ones(lib, 3, 2)),
    "inner_shapes": lambda lib: lib.inner(_ones(lib, 3, 3), _ones(lib, 4)),
    "inner_dtype": lambda lib: lib.inner(_ones(lib, 3, dtype=lib.float64), _ones(lib, 3)),
    "tensordot_sizes": lambda lib: lib.tensordot(_ones(lib, 3, 3), _ones(lib, 4, 3), dims=1),
    "tensordot_too_many": lambda lib: lib.tensordot(_ones(lib, 3, 3), _ones(lib, 3, 3), dims=3),
    "tensordot_negative": lambda lib: lib.tensordot(_ones(lib, 3), _ones(lib, 3), dims=-1),
    "tensordot_lengths": lambda lib: lib.tensordot(
        _ones(lib, 3, 3), _ones(lib, 3, 3), ([0], [0, 1])
    ),
    "tensordot_repeated": lambda lib: lib.tensordot(
        _ones(lib, 3, 3), _ones(lib, 3, 3), ([0, 0], [0, 1])
    ),
    "tensordot_dim_range": lambda lib: lib.tensordot(
        _ones(lib, 3, 3), _ones(lib, 3, 3), ([5], [0])
    ),
    "tensordot_dtype": lambda lib: lib.tensordot(_ones(lib, 2, dtype=lib.int64), _ones(lib, 2), 1),
    "cross_length": lambda lib: lib.linalg.cross(_ones(lib, 2, 4), _ones(lib, 2, 4)),
    "cross_length_one": lambda lib: lib.linalg.cross(_ones(lib, 2, 1), _ones(lib, 2, 3)),
    "cross_ranks": lambda lib: lib.linalg.cross(_ones(lib, 2, 3), _ones(lib, 4, 1, 3)),
    "cross_dtype": lambda lib: lib.linalg.cross(_ones(lib, 3), _ones(lib, 3, dtype=lib.float64)),
    "cross_dim_range": lambda lib: lib.linalg.cross(_ones(lib, 3, 2), _ones(lib, 3, 2), dim=2),
    "cross_no_size_3": lambda lib: _quiet(
        lambda lib: lib.cross(_ones(lib, 2, 2), _ones(lib, 2, 2))
    )(lib),
    "vecdot_dtype": lambda lib: lib.linalg.vecdot(_ones(lib, 3), _ones(lib, 3, dtype=lib.float64)),
    "addmm_dtype_self": lambda lib: lib.addmm(
        _ones(lib, 2, 2), _ones(lib, 2, 3, dtype=lib.float64), _ones(lib, 3, 2, dtype=lib.float64)
    ),
    "addmm_dtype_mat1": lambda lib: lib.addmm(
        _ones(lib, 2, 2, dtype=lib.float64), _ones(lib, 2, 3), _ones(lib, 3, 2, dtype=lib.float64)
    ),
    "addmm_shapes": lambda lib: lib.addmm(_ones(lib, 3, 3), _ones(lib, 3, 3), _ones(lib, 4, 3)),
    "addmm_1d": lambda lib: lib.addmm(_ones(lib, 2, 2), _ones(lib, 2), _ones(lib, 2, 2)),
    "addmm_input": lambda lib: lib.addmm(_ones(lib, 3), _ones(lib, 2, 3), _ones(lib, 3, 2)),
    "addmv_dims": lambda lib: lib.addmv(_ones(lib, 3), _ones(lib, 3, 3), _ones(lib, 3, 3)),
    "addmv_size": lambda lib: lib.addmv(_ones(lib, 3), _ones(lib, 3, 3), _ones(lib, 4)),
    "addmv_input": lambda lib: lib.addmv(_ones(lib, 3), _ones(lib, 2, 3), _ones(lib, 3)),
    "addmv_dtype": lambda lib: lib.addmv(
        _ones(lib, 2, dtype=lib.float64), _ones(lib, 2, 3), _ones(lib, 3)
    ),
    "addr_2d": lambda lib: lib.addr(_ones(lib, 2, 2), _ones(lib, 2, 1), _ones(lib, 2)),
    "addr_input": lambda lib: lib.addr(_ones(lib, 3, 2), _ones(lib, 2), _ones(lib, 2)),
    "addbmm_batches": lambda lib: lib.addbmm(
        _ones(lib, 3, 3), _ones(lib, 2, 3, 3), _ones(lib, 3, 3, 3)
    ),
    "addbmm_inner": lambda lib: lib.addbmm(
        _ones(lib, 2, 2), _ones(lib, 2, 2, 3), _ones(lib, 2, 4, 2)
    ),
    "addbmm_2d": lambda lib: lib.addbmm(_ones(lib, 2, 2), _ones(lib, 2, 3), _ones(lib, 2, 4, 2)),
    "addbmm_dtype": lambda lib: lib.addbmm(
        _ones(lib, 2, 2, dtype=lib.float64), _ones(lib, 2, 2, 3), _ones(lib, 2, 3, 2)
    ),
    "baddbmm_dtype_batch": lambda lib: lib.baddbmm(
        _ones(lib, 2, 2, 2), _ones(lib, 2, 2, 3), _ones(lib, 2, 3, 2, dtype=lib.float64)
    ),
    "baddbmm_dtype_input": lambda lib: lib.baddbmm(
        _ones(lib, 2, 2, 2, dtype=lib.float64), _ones(lib, 2, 2, 3), _ones(lib, 2, 3, 2)
    ),
    "baddbmm_shapes": lambda lib: lib.baddbmm(
        _ones(lib, 2, 2, 2), _ones(lib, 2, 2, 3), _ones(lib, 2, 4, 2)
    ),
    "baddbmm_input": lambda lib: lib.baddbmm(
        _ones(lib, 3, 2, 2), _ones(lib, 2, 2, 3), _ones(lib, 2, 3, 2)
    ),
    "multi_dot_one": lambda lib: lib.linalg.multi_dot([_ones(lib, 2, 2)]),
    "multi_dot_first_3d": lambda lib: lib.linalg.multi_dot([_ones(lib, 2, 2, 2), _ones(lib, 2, 2)]),
    "multi_dot_last_3d": lambda lib: lib.linalg.multi_dot([_ones(lib, 2, 2), _ones(lib, 2, 2, 2)]),
    "multi_dot_middle_1d": lambda lib: lib.linalg.multi_dot(
        [_ones(lib, 2, 2), _ones(lib, 2), _ones(lib, 2, 2)]
    ),
    "multi_dot_dtype": lambda lib: lib.linalg.multi_dot(
        [_ones(lib, 2, 2, dtype=lib.float64), _ones(lib, 2, 2)]
    ),
    "multi_dot_shapes": lambda lib: lib.linalg.multi_dot([_ones(lib, 3, 3), _ones(lib, 4, 2)]),
    "chain_matmul_1d": lambda lib: _quiet(
        lambda lib: lib.chain_matmul(_ones(lib, 3), _ones(lib, 3, 3))
    )(lib),
    "einsum_ndim": lambda lib: lib.einsum("ij", _ones(lib, 2)),
    "einsum_fewer": lambda lib: lib.einsum("ij,jk", _ones(lib, 2, 3)),
    "einsum_more": lambda lib: lib.einsum("ij", _ones(lib, 2, 3), _ones(lib, 3, 4)),
    "einsum_broadcast": lambda lib: lib.einsum("i,i", _ones(lib, 2), _ones(lib, 3)),
    "einsum_repeated_sizes": lambda lib: lib.einsum("ii", _ones(lib, 2, 3)),
    "einsum_output_twice": lambda lib: lib.einsum("ij->ii", _ones(lib, 2, 2)),
    "einsum_output_unknown": lambda lib: lib.einsum("ij->k", _ones(lib, 2, 2)),
    "einsum_bad_char": lambda lib: lib.einsum("i1", _ones(lib, 2, 2)),
    "einsum_two_arrows": lambda lib: lib.einsum("i->->", _ones(lib, 2)),
    "einsum_dot": lambda lib: lib.einsum("i.j", _ones(lib, 2, 2)),
    "einsum_ellipsis_broadcast": lambda lib: lib.einsum(
        "...i,...i", _ones(lib, 2, 3), _ones(lib, 4, 3)
    ),
    "einsum_ellipsis_too_many": lambda lib: lib.einsum("...ij", _ones(lib, 2)),
    "einsum_no_operands": lambda lib: lib.einsum("i,j->"),
    "einsum_dtype": lambda lib: lib.einsum("i,i", _ones(lib, 2, dtype=lib.int64), _ones(lib, 2)),
    "inv_singular": lambda lib: lib.linalg.inv(lib.tensor([[1.0, 2.0], [2.0, 4.0]])),
    "inv_zero": lambda lib: lib.linalg.inv(lib.zeros(2, 2)),
    "inv_singular_3": lambda lib: lib.linalg.inv(lib.tensor([[1.0, 2, 3], [2, 4, 6], [1, 1, 1]])),
    "inv_singular_batch": lambda lib: (
        lib.linalg.inv(lib.stack([lib.eye(2), lib.ones(2, 2)]))
        if hasattr(lib, "stack")
        else lib.linalg.inv(lib.tensor([[[1.0, 0], [0, 1]], [[1, 1], [1, 1]]]))
    ),
    "inverse_singular": lambda lib: lib.inverse(lib.zeros(2, 2)),
    "inv_non_square": lambda lib: lib.linalg.inv(_ones(lib, 2, 3)),
    "inv_1d": lambda lib: lib.linalg.inv(_ones(lib, 3)),
    "inv_int": lambda lib: lib.linalg.inv(lib.eye(2, dtype=lib.int64)),
    "inv_half": lambda lib: lib.linalg.inv(_ones(lib, 2, 2, dtype=lib.float16)),
    "det_non_square": lambda lib: lib.linalg.det(_ones(lib, 2, 3)),
    "det_int": lambda lib: lib.linalg.det(lib.eye(2, dtype=lib.int64)),
    "slogdet_1d": lambda lib: lib.linalg.slogdet(_ones(lib, 2)),
    "solve_singular": lambda lib: lib.linalg.solve(
        lib.tensor([[1.0, 2.0], [2.0, 4.0]]), _ones(lib, 2)
    ),
    "solve_singular_batch": lambda lib: lib.linalg.solve(
        lib.tensor([[[1.0, 0], [0, 1]], [[1, 1], [1, 1]]]), _ones(lib, 2)
    ),
    "solve_shapes": lambda lib: lib.linalg.solve(lib.eye(2), _ones(lib, 3)),
    "solve_shapes_matrix": lambda lib: lib.linalg.solve(lib.eye(2), _ones(lib, 3, 2)),
    "solve_right_vector": lambda lib: lib.linalg.solve(lib.eye(2), _ones(lib, 2), left=False),
    "solve_dtype": lambda lib: lib.linalg.solve(lib.eye(2), _ones(lib, 2, dtype=lib.float64)),
    "solve_non_square": lambda lib: lib.linalg.solve(_ones(lib, 2, 3), _ones(lib, 2)),
    "solve_batch": lambda lib: lib.linalg.solve(lib.eye(2).expand(3, 2, 2), _ones(lib, 4, 2, 2)),
    "cholesky_not_pd": lambda lib: lib.linalg.cholesky(-lib.eye(3)),
    "cholesky_minor_2": lambda lib: lib.linalg.cholesky(lib.tensor([[1.0, 2.0], [2.0, 1.0]])),
    "cholesky_not_pd_batch": lambda lib: lib.linalg.cholesky(
        lib.tensor([[[1.0, 0], [0, 1]], [[1, 0], [0, -1]]])
    ),
    "cholesky_non_square": lambda lib: lib.linalg.cholesky(_ones(lib, 2, 3)),
    "cholesky_int": lambda lib: lib.linalg.cholesky(lib.eye(2, dtype=lib.int64)),
    "cholesky_ex_check": lambda lib: lib.linalg.cholesky_ex(-lib.eye(2), check_errors=True),
    "inv_ex_check": lambda lib: lib.linalg.inv_ex(lib.zeros(2, 2), check_errors=True),
    "qr_mode": lambda lib: lib.linalg.qr(_ones(lib, 3, 2), mode="bad"),
    "qr_1d": lambda lib: lib.linalg.qr(_ones(lib, 3)),
    "eigh_uplo": lambda lib: lib.linalg.eigh(lib.eye(2), UPLO="X"),
    "eigh_non_square": lambda lib: lib.linalg.eigh(_ones(lib, 2, 3)),
    "svd_1d": lambda lib: lib.linalg.svd(_ones(lib, 3)),
    "svd_driver": lambda lib: lib.linalg.svd(_ones(lib, 2, 3), driver="gesvd"),
    "svdvals_int": lambda lib: lib.linalg.svdvals(lib.eye(2, dtype=lib.int64)),
    "matrix_power_non_square": lambda lib: lib.linalg.matrix_power(_ones(lib, 2, 3), 2),
    "matrix_power_float_n": lambda lib: lib.linalg.matrix_power(lib.eye(2), 2.0),
    "matrix_power_singular": lambda lib: lib.linalg.matrix_power(lib.zeros(2, 2), -1),
    "matrix_power_int_negative": lambda lib: lib.linalg.matrix_power(
        lib.eye(2, dtype=lib.int64), -1
    ),
    "pinv_int": lambda lib: lib.linalg.pinv(lib.eye(2, dtype=lib.int64)),
    "matrix_rank_int": lambda lib: lib.linalg.matrix_rank(lib.eye(2, dtype=lib.int64)),
    "eigh_int": lambda lib: lib.linalg.eigh(lib.eye(2, dtype=lib.int64)),
    **{
        f"{name}_half": (lambda fn: lambda lib: fn(lib)(_ones(lib, 2, 2, dtype=lib.float16)))(fn)
        for name, fn in {
            "inv": lambda lib: lib.linalg.inv,
            "det": lambda lib: lib.linalg.det,
            "slogdet": lambda lib: lib.linalg.slogdet,
            "cholesky": lambda lib: lib.linalg.cholesky,
            "qr": lambda lib: lib.linalg.qr,
            "eigh": lambda lib: lib.linalg.eigh,
            "svd": lambda lib: lib.linalg.svd,
            "pinv": lambda lib: lib.linalg.pinv,
            "matrix_rank": lambda lib: lib.linalg.matrix_rank,
            "solve": lambda lib: lambda a: lib.linalg.solve(a, a),
        }.items()
    },
    "norm_ord_3d": lambda lib: lib.linalg.norm(_ones(lib, 2, 2, 2), ord=2),
}

# messages torch words through its own internals that are not worth copying
MESSAGE_DIFFERS = set()


def _class_name(e):
    return "LinAlgError" if type(e).__name__ == "_LinAlgError" else type(e).__name__


@pytest.mark.parametrize("name", ERRORS)
def test_errors_match_torch(name):
    with pytest.raises(Exception) as t_err:
        ERRORS[name](torch)
    with pytest.raises(Exception) as m_err:
        ERRORS[name](mytorch)
    assert _class_name(m_err.value) == _class_name(t_err.value), (m_err.value, t_err.value)
    assert isinstance(m_err.value, RuntimeError) == isinstance(t_err.value, RuntimeError)
    if name not in MESSAGE_DIFFERS:
        expected = str(t_err.value).split("\n")[0].split(" (Triggered internally")[0]
        assert str(m_err.value).startswith(expected), (str(m_err.value), expected)


def test_linalg_error_is_a_runtime_error():
    assert issubclass(mytorch.linalg.LinAlgError, RuntimeError)
    with pytest.raises(mytorch.linalg.LinAlgError):
        mytorch.linalg.cholesky(-mytorch.eye(2))


@pytest.mark.parametrize(
    "method, args",
    [
        ("addmm_", lambda lib: (lib.ones(2, 4), lib.ones(3, 2))),  # shapes do not multiply
        ("addmm_", lambda lib: (lib.ones(3, 3), lib.ones(3, 3))),  # result larger than self
        ("addmv_", lambda lib: (lib.ones(2, 2, dtype=lib.float64), lib.ones(2))),  # dtypes
        ("baddbmm_", lambda lib: (lib.ones(2, 3, 4), lib.ones(2, 4, 3))),
    ],
)
def test_failing_inplace_leaves_tensor_unchanged(method, args):
    for lib in (torch, mytorch):
        x = lib.tensor([[1.0, 2.0], [3.0, 4.0]]) if method != "baddbmm_" else lib.ones(2, 2, 2)
        before, version = x.clone(), x._version
        with pytest.raises(RuntimeError):
            getattr(x, method)(*args(lib))
        assert x._version == version
        assert (
            bool((x == before).all())
            if hasattr(x, "all")
            else np.array_equal(x.numpy(), before.numpy())
        )


def test_deprecated_functions_warn_like_torch():
    a = mytorch.eye(2)
    for fn in (
        lambda: mytorch.chain_matmul(a, a),
        lambda: mytorch.cholesky(a),
        lambda: mytorch.qr(a),
    ):
        with pytest.warns(UserWarning, match="deprecated"):
            fn()
