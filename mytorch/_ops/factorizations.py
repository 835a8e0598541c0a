"""`torch.linalg`'s inverse, determinants, solve and factorizations (cholesky, qr, eigh, svd),
and the matrix functions built on them (matrix_power, pinv, matrix_rank, norm).

Ops with several outputs (slogdet, eigh, svd, qr) give each output its own node: the factorization
runs once and every output's node keeps the arrays it needs, so a backward can rebuild a sibling
output as a Tensor (through a node of its own) without factorizing again.
"""

from __future__ import annotations

import operator
import warnings
from collections import namedtuple

from .. import _backend, _dtype
from . import primitive
from .linalg import (
    _broadcast_shapes,
    _eye,
    _no_out,
    _prod,
    _shape_str,
    _skew,
    _tril,
    matmul,
)

xp = _backend.xp

__all__: list[str] = [
    "cholesky_legacy",
    "det",
    "inverse",
    "logdet",
    "matrix_power",
    "pinverse",
    "qr_legacy",
    "slogdet_legacy",
    "svd_legacy",
]


class LinAlgError(RuntimeError):
    """Mirrors `torch.linalg.LinAlgError`: a matrix was singular or not positive-definite."""


# ---- factorization helpers ----------------------------------------------------------------------


def _check_matrix(fn: str, a, *, square=True, float_only=True, kernel=None):
    """torch's checks of a (batch of) matrices; `kernel` names the CPU kernel that torch's
    dispatcher reports for float16 (and for any other dtype it has no kernel for)."""
    if a.ndim < 2:
        raise RuntimeError(f"{fn}: The input tensor A must have at least 2 dimensions.")
    if square and a.shape[-1] != a.shape[-2]:
        raise RuntimeError(
            f"{fn}: A must be batches of square matrices, but they are {a.shape[-2]} by "
            f"{a.shape[-1]} matrices"
        )
    if not float_only:
        return
    if kernel == "linalg_eigh_cpu" and not a.dtype.is_floating_point:
        raise NotImplementedError(f"\"{kernel}\" not implemented for '{a.dtype._title}'")
    if not a.dtype.is_floating_point:
        raise RuntimeError(
            f"{fn}: Expected a floating point or complex tensor as input. Got {a.dtype._title}"
        )
    if a.dtype._name == "float16":
        if kernel:
            raise NotImplementedError(f"\"{kernel}\" not implemented for 'Half'")
        raise RuntimeError(f"{fn}: Low precision dtypes not supported. Got Half")


def _batch_prefix(index, batch_shape) -> str:
    return f"(Batch element {index}): " if batch_shape else ""


def _zero_pivot(m) -> int:
    """1-based index of the first zero pivot of an LU factorization with partial pivoting (as
    LAPACK's getrf reports it), or 0; only used to word the error for a singular matrix."""
    m = m.copy()
    n = m.shape[0]
    first = 0
    for j in range(n):
        p = j + int(abs(m[j:, j]).argmax())
        if m[p, j] == 0:
            first = first or j + 1
            continue
        m[[j, p]] = m[[p, j]]
        m[j + 1 :, j:] -= (m[j + 1 :, j] / m[j, j])[:, None] * m[j, j:]
    return first


def _singular_error(a, fn):
    """The LinAlgError torch raises for an exactly singular batch element of `a`."""
    batch = a.shape[:-2]
    flat = a.reshape((-1,) + a.shape[-2:])
    for i in range(flat.shape[0]):
        k = _zero_pivot(flat[i])
        if k:
            return LinAlgError(
                f"{fn}: {_batch_prefix(i, batch)}The diagonal element {k} is zero, the inversion "
                "could not be completed because the input matrix is singular."
            )
    return LinAlgError(f"{fn}: The input matrix is singular.")


def _inv_array(a):
    m = xp(a)
    try:
        return m.linalg.inv(a)
    except m.linalg.LinAlgError:
        raise _singular_error(a, "linalg.inv") from None


# ---- inverse, determinants, solve ---------------------------------------------------------------


@primitive("linalg_inv_ex", node_name="LinalgInvExBackward0")
def _inv(a):
    return _inv_array(a)


@_inv.backward
def _(ctx, grad):
    # d(A^-1) = -A^-1 dA A^-1, so the gradient is -A^-T grad A^-T
    inv_t = ctx.result.mT
    return -(inv_t @ grad @ inv_t)


def inv(A, *, out=None):  # noqa: N803
    """Mirrors `torch.linalg.inv`; raises `LinAlgError` for a singular matrix."""
    _no_out(out, "linalg.inv")
    _check_matrix("linalg.inv", A)
    return _inv(A)


def inverse(input, *, out=None):  # noqa: A002
    """Mirrors `torch.inverse`."""
    return inv(input, out=out)


linalg_inv_ex = namedtuple("linalg_inv_ex", ["inverse", "info"])


def inv_ex(A, *, check_errors=False, out=None):  # noqa: N803
    """Mirrors `torch.linalg.inv_ex`: `info` is 0, or the first zero pivot of a singular matrix
    (whose `inverse` is then left unspecified: here, zeros)."""
    from .._creation import tensor

    _no_out(out, "linalg.inv_ex")
    _check_matrix("linalg.inv", A)
    try:
        result = _inv(A)
        info = [0] * _prod(A.shape[:-2])
    except LinAlgError as e:
        if check_errors:
            raise LinAlgError(str(e).replace("linalg.inv", "linalg.inv_ex", 1)) from None
        flat = A.detach()._data.reshape((-1,) + tuple(A.shape[-2:]))
        info = [_zero_pivot(m) for m in flat]
        result = A.detach() * 0
    info = tensor(info, dtype=_dtype.int32).reshape(tuple(A.shape[:-2]))
    return linalg_inv_ex(result, info)


@primitive("linalg_det")
def _det(a):
    return xp(a).linalg.det(a)


@_det.backward
def _(ctx, grad):
    (a,) = ctx.inputs
    d = ctx.result
    g = grad.unsqueeze(-1).unsqueeze(-1)
    if not bool((d == 0).sum() > 0):
        # d det(A) = det(A) tr(A^-1 dA), so the gradient is grad * det(A) * A^-T
        return (g * d.unsqueeze(-1).unsqueeze(-1)) * _inv(a).mT
    return g * _cofactor_by_svd(a)


def _cofactor_by_svd(a):
    """The cofactor matrix det(A) A^-T, also where A is singular: with A = U S V^T it is
    det(U) det(V) U diag(prod_{j != i} s_j) V^T."""
    u, s, vh = svd(a, full_matrices=False)
    n = s.shape[-1]
    others = s.unsqueeze(-2) * (1 - _eye(s, n)) + _eye(s, n)  # row i: s with s_i replaced by 1
    p = others[..., 0]
    for j in range(1, n):
        p = p * others[..., j]
    sign = (_det(u) * _det(vh)).unsqueeze(-1).unsqueeze(-1)
    return sign * ((u * p.unsqueeze(-2)) @ vh)


def det(A, *, out=None):  # noqa: N803
    """Mirrors `torch.linalg.det`; differentiable also at singular matrices (via the SVD)."""
    _no_out(out, "linalg.det")
    _check_matrix("linalg.det", A, kernel="lu_cpu")
    return _det(A)


linalg_slogdet = namedtuple("linalg_slogdet", ["sign", "logabsdet"])


def _slogdet_output(index):
    p = primitive("linalg_slogdet", index, node_name="LinalgSlogdetBackward0")(
        lambda a, *, cache: cache[index].copy()
    )
    return p


_slogdet_sign, _slogdet_log = _slogdet_output(0), _slogdet_output(1)


@_slogdet_sign.backward
def _(ctx, grad):
    # the sign of a real determinant is locally constant
    from .._creation import zeros_like

    return zeros_like(ctx.inputs[0])


@_slogdet_log.backward
def _(ctx, grad):
    # d log|det A| = tr(A^-1 dA)
    (a,) = ctx.inputs
    return grad.unsqueeze(-1).unsqueeze(-1) * _inv(a).mT


def slogdet(A, *, out=None):  # noqa: N803
    """Mirrors `torch.linalg.slogdet`: a named tuple (sign, logabsdet)."""
    _no_out(out, "linalg.slogdet")
    _check_matrix("linalg.slogdet", A)
    sign, logabs = xp(A._data).linalg.slogdet(A._data)
    cache = (xp(sign).asarray(sign), xp(logabs).asarray(logabs))
    return linalg_slogdet(_slogdet_sign(A, cache=cache), _slogdet_log(A, cache=cache))


# named as torch.return_types.slogdet
slogdet_result = namedtuple("slogdet", ["sign", "logabsdet"])  # type: ignore[name-match]


def slogdet_legacy(input, *, out=None):  # noqa: A002
    """Mirrors `torch.slogdet`."""
    return slogdet_result(*slogdet(input, out=out))


def logdet(input):  # noqa: A002
    """Mirrors `torch.logdet`: log det(A), nan where det(A) < 0."""
    from .pointwise import where

    sign, logabs = slogdet(input)
    return where(sign < 0, float("nan"), logabs)


@primitive("linalg_solve_ex", node_name="LinalgSolveExBackward0")
def _solve(a, b, *, left, vector):
    m = xp(a)
    if not left:  # X A = B  <=>  A^T X^T = B^T
        a = m.swapaxes(a, -1, -2)
        b = b if vector else m.swapaxes(b, -1, -2)
    try:
        x = m.linalg.solve(a, b[..., None] if vector else b)
    except m.linalg.LinAlgError:
        raise _solve_singular(a) from None
    if vector:
        return x[..., 0]
    return x if left else m.swapaxes(x, -1, -2)


def _solve_singular(a):
    batch = a.shape[:-2]
    flat = a.reshape((-1,) + a.shape[-2:])
    index = next((i for i in range(flat.shape[0]) if _zero_pivot(flat[i])), 0)
    return LinAlgError(
        f"torch.linalg.solve: {_batch_prefix(index, batch)}The solver failed because the input "
        "matrix is singular."
    )


@_solve.backward
def _(ctx, grad):
    # left: X = A^-1 B, so gB = A^-T grad and gA = -gB X^T; right: X = B A^-1, gB = grad A^-T and
    # gA = -X^T gB
    a, b = ctx.inputs
    left, vector = ctx.left, ctx.vector
    gb = _solve(a.mT, grad, left=left, vector=vector)
    ga = None
    if ctx.needs_input_grad[0]:
        x = ctx.result
        if vector:
            ga = (
                -(gb.unsqueeze(-1) * x.unsqueeze(-2))
                if left
                else -(x.unsqueeze(-1) * gb.unsqueeze(-2))
            )
        else:
            ga = -(gb @ x.mT) if left else -(x.mT @ gb)
    return ga, gb


def solve(A, B, *, left=True, out=None):  # noqa: N803
    """Mirrors `torch.linalg.solve`: B is a batch of vectors when it is 1-d or has A's batch
    shape with one dim fewer; batch dims broadcast."""
    _no_out(out, "linalg.solve")
    _check_matrix("linalg.solve", A, kernel="lu_cpu")
    if A.dtype is not B.dtype:
        raise RuntimeError(
            "linalg.solve: Expected A and B to have the same dtype, but found A of type "
            f"{A.dtype._title} and B of type {B.dtype._title} instead"
        )
    vector = B.ndim == 1 or (B.ndim == A.ndim - 1 and tuple(B.shape) == tuple(A.shape[:-1]))
    n = A.shape[-1]
    rows = B.shape[-1] if vector else B.shape[-2] if left else B.shape[-1]
    if rows != n or (vector and not left):
        shape = (B.shape[-1], 1) if vector else tuple(B.shape[-2:])
        eq = "AX = B" if left else "XA = B"
        raise RuntimeError(
            f"linalg.solve: Incompatible shapes of A and B for the equation {eq} "
            f"({n}x{n} and {_shape_str(shape)})"
        )
    _broadcast_shapes(B.shape[:-1] if vector else B.shape[:-2], A.shape[:-2])
    return _solve(A, B, left=left, vector=vector)


# ---- cholesky -----------------------------------------------------------------------------------


def _bad_minor(a) -> int:
    """The order of the first leading minor of the matrix `a` that is not positive-definite (as
    LAPACK's potrf reports it), or 0; only used to word errors and `info`."""
    m = xp(a)
    for k in range(1, a.shape[-1] + 1):
        try:
            m.linalg.cholesky(a[:k, :k])
        except m.linalg.LinAlgError:
            return k
    return 0


def _cholesky_array(a, fn):
    m = xp(a)
    try:
        return m.linalg.cholesky(a)
    except m.linalg.LinAlgError:
        pass
    flat = a.reshape((-1,) + a.shape[-2:])
    i, k = next((i, k) for i, k in enumerate(map(_bad_minor, flat)) if k)
    raise LinAlgError(
        f"{fn}: {_batch_prefix(i, a.shape[:-2])}The factorization could not be completed because "
        f"the input is not positive-definite (the leading minor of order {k} is not "
        "positive-definite)."
    )


def _cholesky_forward(a, *, upper):
    # LAPACK reads one triangle: the upper factor comes from the upper triangle, as in torch
    if not upper:
        return _cholesky_array(a, "linalg.cholesky")
    m = xp(a)
    return m.swapaxes(_cholesky_array(m.swapaxes(a, -1, -2), "linalg.cholesky"), -1, -2).copy()


def _cholesky_back(ctx, grad):
    # with A = L L^T: gA = L^-T Phi L^-1, where Phi is the symmetric matrix whose lower triangle
    # is tril(L^T gL) with the diagonal kept whole and the strict part halved
    low = ctx.result.mT if ctx.upper else ctx.result
    g = grad.mT if ctx.upper else grad
    phi = _tril(low.mT @ g)
    phi = (phi + _tril(phi, -1).mT) * 0.5
    low_inv = _inv(low)
    return low_inv.mT @ phi @ low_inv


_cholesky = primitive("linalg_cholesky_ex", node_name="LinalgCholeskyExBackward0")(
    _cholesky_forward
)
_cholesky.backward(_cholesky_back)
_cholesky_old = primitive("cholesky")(_cholesky_forward)
_cholesky_old.backward(_cholesky_back)


def cholesky(A, *, upper=False, out=None):  # noqa: N803
    """Mirrors `torch.linalg.cholesky`: only one triangle of A is read (the lower one, or the
    upper one when `upper`), as in torch."""
    _no_out(out, "linalg.cholesky")
    _check_matrix("linalg.cholesky", A, kernel="cholesky_cpu")
    return _cholesky(A, upper=bool(upper))


linalg_cholesky_ex = namedtuple("linalg_cholesky_ex", ["L", "info"])


def cholesky_ex(A, *, upper=False, check_errors=False, out=None):  # noqa: N803
    """Mirrors `torch.linalg.cholesky_ex`: `info` is 0, or the order of the first leading minor
    that is not positive-definite (L is then left unspecified: here, zeros)."""
    from .._creation import tensor

    _no_out(out, "linalg.cholesky_ex")
    _check_matrix("linalg.cholesky", A, kernel="cholesky_cpu")
    batch = tuple(A.shape[:-2])
    info = [0] * _prod(batch)
    try:
        result = _cholesky(A, upper=bool(upper))
    except LinAlgError as e:
        if check_errors:
            raise LinAlgError(str(e).replace("linalg.cholesky", "linalg.cholesky_ex", 1)) from None
        flat = A.detach()._data.reshape((-1,) + tuple(A.shape[-2:]))
        info = [_bad_minor(m.T if upper else m) for m in flat]
        result = A.detach() * 0
    return linalg_cholesky_ex(result, tensor(info, dtype=_dtype.int32).reshape(batch))


def cholesky_legacy(input, upper=False, *, out=None):  # noqa: A002
    """Mirrors the deprecated `torch.cholesky` (node CholeskyBackward0)."""
    warnings.warn(
        "torch.cholesky is deprecated in favor of torch.linalg.cholesky and will be removed in a "
        "future PyTorch release.",
        UserWarning,
        stacklevel=2,
    )
    _no_out(out, "cholesky")
    _check_matrix("linalg.cholesky", input, kernel="cholesky_cpu")
    return _cholesky_old(input, upper=bool(upper))


# ---- eigh ---------------------------------------------------------------------------------------

linalg_eigh = namedtuple("linalg_eigh", ["eigenvalues", "eigenvectors"])


def _eigh_output(index):
    return primitive("linalg_eigh", index, node_name="LinalgEighBackward0")(
        lambda a, *, cache: cache[index].copy()
    )


_eigh_values, _eigh_vectors = _eigh_output(0), _eigh_output(1)


@_eigh_values.backward
def _(ctx, grad):
    # dL = diag(V^T dA V)
    v = _eigh_vectors(ctx.inputs[0], cache=ctx.cache)
    return (v * grad.unsqueeze(-2)) @ v.mT


@_eigh_vectors.backward
def _(ctx, grad):
    # gA = V (skew(V^T gV) / 2 / E) V^T with E_ij = L_j - L_i, zero on the diagonal (distinct
    # eigenvalues assumed, as in torch)
    a = ctx.inputs[0]
    w = _eigh_values(a, cache=ctx.cache)
    v = _eigh_vectors(a, cache=ctx.cache)
    eye = _eye(w)
    inv_gap = (1 - eye) / (w.unsqueeze(-2) - w.unsqueeze(-1) + eye)
    return v @ (_skew(v.mT @ grad) * 0.5 * inv_gap) @ v.mT


def _check_uplo(uplo):
    if uplo not in ("L", "U"):
        raise RuntimeError(f"Expected UPLO argument to be 'L' or 'U', but got {uplo}")


def eigh(A, UPLO="L", *, out=None):  # noqa: N803
    """Mirrors `torch.linalg.eigh`: named tuple (eigenvalues ascending, eigenvectors as columns).
    Eigenvector signs follow the LAPACK build numpy uses, which may differ from torch's."""
    _no_out(out, "linalg.eigh")
    _check_uplo(UPLO)
    _check_matrix("linalg.eigh", A, kernel="linalg_eigh_cpu")
    w, v = xp(A._data).linalg.eigh(A._data, UPLO=UPLO)
    cache = (w, v)
    return linalg_eigh(_eigh_values(A, cache=cache), _eigh_vectors(A, cache=cache))


def eigvalsh(A, UPLO="L", *, out=None):  # noqa: N803
    """Mirrors `torch.linalg.eigvalsh`."""
    return eigh(A, UPLO, out=out).eigenvalues


# ---- svd ----------------------------------------------------------------------------------------

linalg_svd = namedtuple("linalg_svd", ["U", "S", "Vh"])
# named as torch.return_types.svd
svd_result = namedtuple("svd", ["U", "S", "V"])  # type: ignore[name-match]


def _svd_output(index):
    return primitive("linalg_svd", index, node_name="LinalgSvdBackward0")(
        lambda a, *, cache: cache[index].copy()
    )


_svd_u, _svd_s, _svd_vh = _svd_output(0), _svd_output(1), _svd_output(2)


def _svd_parts(ctx):
    """U, S, Vh of the reduced SVD as Tensors on this graph (narrowed when full_matrices)."""
    a = ctx.inputs[0]
    u, s, vh = (f(a, cache=ctx.cache) for f in (_svd_u, _svd_s, _svd_vh))
    k = s.shape[-1]
    if u.shape[-1] != k:
        u = u[..., :k]
    if vh.shape[-2] != k:
        vh = vh[..., :k, :]
    return a, u, s, vh


def _inv_gap_squares(s):
    # 1 / (s_j^2 - s_i^2) off the diagonal, 0 on it
    eye = _eye(s)
    sq = s * s
    return (1 - eye) / (sq.unsqueeze(-2) - sq.unsqueeze(-1) + eye)


@_svd_s.backward
def _(ctx, grad):
    _, u, s, vh = _svd_parts(ctx)
    return (u * grad.unsqueeze(-2)) @ vh


@_svd_u.backward
def _(ctx, grad):
    # gA = U (skew(U^T gU) / E) S V^T + (I - U U^T) gU S^-1 V^T, with E_ij = s_j^2 - s_i^2
    a, u, s, vh = _svd_parts(ctx)
    k = s.shape[-1]
    g = grad[..., :k] if grad.shape[-1] != k else grad
    inner_ = _skew(u.mT @ g) * _inv_gap_squares(s) * s.unsqueeze(-2)
    out = u @ inner_ @ vh
    if a.shape[-2] > k:
        out = out + ((g - u @ (u.mT @ g)) / s.unsqueeze(-2)) @ vh
    return out


@_svd_vh.backward
def _(ctx, grad):
    # with V = Vh^T: gA = U S (skew(V^T gV) / E) V^T + U S^-1 gV^T (I - V V^T)
    a, u, s, vh = _svd_parts(ctx)
    k = s.shape[-1]
    g = grad[..., :k, :] if grad.shape[-2] != k else grad  # gVh = gV^T
    inner_ = s.unsqueeze(-1) * (_skew(vh @ g.mT) * _inv_gap_squares(s))
    out = u @ inner_ @ vh
    if a.shape[-1] > k:
        out = out + u @ ((g - (g @ vh.mT) @ vh) / s.unsqueeze(-1))
    return out


def _svd_cache(a, full_matrices):
    m = xp(a)
    if 0 in a.shape[-2:]:
        # LAPACK is not called for empty matrices; torch returns identities for the full factors
        rows, cols = a.shape[-2:]
        batch = a.shape[:-2]
        ru, cv = (rows, cols) if full_matrices else (0, 0)
        u = m.broadcast_to(m.eye(rows, ru, dtype=a.dtype), batch + (rows, ru)).copy()
        vh = m.broadcast_to(m.eye(cv, cols, dtype=a.dtype), batch + (cv, cols)).copy()
        return u, m.zeros(batch + (0,), dtype=a.dtype), vh
    return m.linalg.svd(a, full_matrices=full_matrices)


def svd(A, full_matrices=True, *, driver=None, out=None):  # noqa: N803
    """Mirrors `torch.linalg.svd`: named tuple (U, S, Vh). Singular-vector signs follow the
    LAPACK build numpy uses, which may differ from torch's."""
    _no_out(out, "linalg.svd")
    if driver is not None:
        raise RuntimeError(
            "torch.linalg.svd: keyword argument `driver=` is only supported on CUDA inputs with "
            "cuSOLVER backend."
        )
    _check_matrix("linalg.svd", A, square=False, kernel="linalg_svd_cpu")
    cache = tuple(_svd_cache(A._data, bool(full_matrices)))
    return linalg_svd(*(f(A, cache=cache) for f in (_svd_u, _svd_s, _svd_vh)))


def svdvals(A, *, driver=None, out=None):  # noqa: N803
    """Mirrors `torch.linalg.svdvals`."""
    return svd(A, full_matrices=False, driver=driver, out=out).S


def svd_legacy(input, some=True, compute_uv=True, *, out=None):  # noqa: A002
    """Mirrors `torch.svd`: (U, S, V) with V = Vh^T; `some=False` gives the full factors and
    `compute_uv=False` zero-filled ones, as in torch."""
    from .._creation import zeros

    _no_out(out, "svd")
    u, s, vh = svd(input, full_matrices=not some)
    if not compute_uv:
        shape = tuple(input.shape)
        m, n = shape[-2:]
        return svd_result(
            zeros(shape[:-2] + (m, m), dtype=input.dtype), s,
            zeros(shape[:-2] + (n, n), dtype=input.dtype),
        )  # fmt: skip
    return svd_result(u, s, vh.mT)


# ---- qr -----------------------------------------------------------------------------------------

linalg_qr = namedtuple("linalg_qr", ["Q", "R"])


def _qr_output(index):
    return primitive("linalg_qr", index, node_name="LinalgQrBackward0")(
        lambda a, *, cache, mode: cache[index].copy()
    )


_qr_q, _qr_r = _qr_output(0), _qr_output(1)


def _qr_tall_back(q, r, gq, gr):
    """QR backward for m >= n (Q m x n, R n x n upper):
    gA = (gQ + Q copyltu(M)) R^-T with M = R gR^T - gQ^T Q, copyltu(M) = tril(M) + tril(M, -1)^T.
    gq or gr may be None."""
    m = None
    if gr is not None:
        m = r @ gr.mT
    if gq is not None:
        m = -(gq.mT @ q) if m is None else m - gq.mT @ q
    low = _tril(m)
    b = q @ (low + _tril(m, -1).mT)
    if gq is not None:
        b = b + gq
    # b R^-T: solve X R^T = b
    return _solve(r.mT, b, left=False, vector=False)


def _qr_back(ctx, gq, gr):
    if ctx.mode == "r":
        raise RuntimeError(
            "The derivative of linalg.qr depends on Q, which is not computed when mode='r'. "
            "Please use linalg.qr(A, mode='reduced') if you are going to differentiate through "
            "linalg.qr."
        )
    a = ctx.inputs[0]
    rows, cols = a.shape[-2:]
    if ctx.mode == "complete" and rows > cols:
        raise RuntimeError(
            "The QR decomposition is not differentiable when mode='complete' and nrows > ncols."
        )
    q = _qr_q(a, cache=ctx.cache, mode=ctx.mode)
    r = _qr_r(a, cache=ctx.cache, mode=ctx.mode)
    if rows >= cols:
        return _qr_tall_back(q, r, gq, gr)
    # wide: A = [X | Y] with X = Q U square, Y = Q V; then gY = Q gV and X sees gQ + Y gV^T
    x_r = r[..., :rows]
    y = a[..., rows:]
    gv = gr[..., rows:] if gr is not None else None
    gu = gr[..., :rows] if gr is not None else None
    if gv is not None:
        gq = y @ gv.mT if gq is None else gq + y @ gv.mT
    gx = _qr_tall_back(q, x_r, gq, gu)
    out = gx @ _eye(gx, rows, cols)
    if gv is not None:
        out = out + (q @ gv) @ _eye(gv, cols - rows, cols, rows)
    return out


_qr_q.backward(lambda ctx, grad: _qr_back(ctx, grad, None))
_qr_r.backward(lambda ctx, grad: _qr_back(ctx, None, grad))


def qr(A, mode="reduced", *, out=None):  # noqa: N803
    """Mirrors `torch.linalg.qr` (mode 'reduced', 'complete' or 'r'): named tuple (Q, R)."""
    _no_out(out, "linalg.qr")
    if mode not in ("reduced", "complete", "r"):
        raise RuntimeError(
            f"qr received unrecognized mode '{mode}' but expected one of 'reduced' (default), "
            "'r', or 'complete'"
        )
    _check_matrix("linalg.qr", A, square=False, kernel="geqrf_cpu")
    a = A._data
    m = xp(a)
    rows, cols = a.shape[-2:]
    if 0 in a.shape[-2:]:
        k = rows if mode == "complete" else min(rows, cols)
        batch = a.shape[:-2]
        q = m.broadcast_to(m.eye(rows, k, dtype=a.dtype), batch + (rows, k)).copy()
        r = m.zeros(batch + (k, cols), dtype=a.dtype)
    else:
        q, r = m.linalg.qr(a, mode="complete" if mode == "complete" else "reduced")
    if mode == "r":
        q = m.zeros((0,), dtype=a.dtype)
    cache = (q, r)
    return linalg_qr(_qr_q(A, cache=cache, mode=mode), _qr_r(A, cache=cache, mode=mode))


# named as torch.return_types.qr
qr_result = namedtuple("qr", ["Q", "R"])  # type: ignore[name-match]


def qr_legacy(input, some=True, *, out=None):  # noqa: A002
    """Mirrors the deprecated `torch.qr`."""
    warnings.warn(
        "torch.qr is deprecated in favor of torch.linalg.qr and will be removed in a future "
        "PyTorch release.",
        UserWarning,
        stacklevel=2,
    )
    return qr_result(*qr(input, "reduced" if some else "complete", out=out))


# ---- matrix functions: power, pinv, rank, norm --------------------------------------------------


@primitive("matrix_power_zero", node_name="CopyBackwards")
def _identity_like(a):
    m = xp(a)
    return m.broadcast_to(m.eye(a.shape[-1], dtype=a.dtype), a.shape).copy()


@_identity_like.backward
def _(ctx, grad):
    from .._creation import zeros_like

    return zeros_like(ctx.inputs[0])


def matrix_power(A, n, *, out=None):  # noqa: N803
    """Mirrors `torch.linalg.matrix_power`: repeated squaring with matmul; n < 0 inverts first."""
    _no_out(out, "linalg.matrix_power")
    if isinstance(n, bool) or not isinstance(n, int):
        try:
            n = operator.index(n)
        except TypeError:
            raise TypeError(
                "linalg_matrix_power(): argument 'n' (position 2) must be int, not "
                f"{type(n).__name__}"
            ) from None
    _check_matrix("linalg.matrix_power", A, float_only=False)
    if n == 0:
        return _identity_like(A)
    if n == 1:
        return A.clone()
    if n < 0:
        A = inv(A)  # noqa: N806
        n = -n
    result, z = None, None
    while n:
        z = A if z is None else matmul(z, z)
        if n & 1:
            result = z if result is None else matmul(result, z)
        n >>= 1
    return result


def _default_rtol(a, atol, rtol):
    if rtol is not None:
        return rtol
    if atol is not None and atol > 0:
        return 0.0
    finfo = xp(a).finfo(a.dtype)
    return float(finfo.eps) * max(a.shape[-2:])


def _float_arg(x):
    from .._tensor import Tensor

    return float(x) if isinstance(x, Tensor) else x


@primitive("linalg_pinv")
def _pinv(a, *, atol, rtol, hermitian):
    m = xp(a)
    rows, cols = a.shape[-2:]
    if 0 in (rows, cols):
        return m.zeros(a.shape[:-2] + (cols, rows), dtype=a.dtype)
    if hermitian:
        w, v = m.linalg.eigh(a)
        s = m.abs(w)
    else:
        u, s, vh = m.linalg.svd(a, full_matrices=False)
    cutoff = m.maximum(atol or 0.0, rtol * s.max(axis=-1, keepdims=True))
    keep = s > cutoff
    s_inv = m.where(keep, 1 / m.where(keep, s if not hermitian else w, 1), 0).astype(a.dtype)
    if hermitian:
        return (v * s_inv[..., None, :]) @ m.swapaxes(v, -1, -2)
    return (m.swapaxes(vh, -1, -2) * s_inv[..., None, :]) @ m.swapaxes(u, -1, -2)


@_pinv.backward
def _(ctx, grad):
    # for X = pinv(A) at constant rank: dX = -X dA X + X X^T dA^T (I - A X) + (I - X A) dA^T X^T X
    (a,) = ctx.inputs
    x = ctx.result
    out = -(x.mT @ grad @ x.mT)
    out = out + (grad.mT - a @ (x @ grad.mT)) @ (x @ x.mT)
    out = out + (x.mT @ x) @ (grad.mT - (grad.mT @ x) @ a)
    return out


def pinv(A, *, atol=None, rtol=None, hermitian=False, out=None):  # noqa: N803
    """Mirrors `torch.linalg.pinv` (atol/rtol as numbers)."""
    _no_out(out, "linalg.pinv")
    if A.ndim < 2 or not A.dtype.is_floating_point or A.dtype._name == "float16":
        raise RuntimeError(
            f"linalg.pinv({A.dtype._title}{{{list(A.shape)}}}): expected a tensor with 2 or more "
            "dimensions of float, double, cfloat or cdouble types"
        )
    atol, rtol = _float_arg(atol), _float_arg(rtol)
    rtol = _default_rtol(A._data, atol, rtol)
    return _pinv(A, atol=atol, rtol=rtol, hermitian=bool(hermitian))


def pinverse(input, rcond=1e-15):  # noqa: A002
    """Mirrors `torch.pinverse`."""
    return pinv(input, rtol=rcond)


@primitive("linalg_matrix_rank", differentiable=False)
def _matrix_rank(a, *, atol, rtol, hermitian):
    m = xp(a)
    if 0 in a.shape[-2:]:
        return m.zeros(a.shape[:-2], dtype="int64")
    s = m.abs(m.linalg.eigvalsh(a)) if hermitian else m.linalg.svd(a, compute_uv=False)
    cutoff = m.maximum(atol or 0.0, rtol * s.max(axis=-1, keepdims=True))
    return (s > cutoff).sum(axis=-1).astype("int64")


def matrix_rank(A, tol=None, *, atol=None, rtol=None, hermitian=False, out=None):  # noqa: N803
    """Mirrors `torch.linalg.matrix_rank` (atol/rtol as numbers; the legacy `tol` is atol with
    rtol = 0)."""
    _no_out(out, "linalg.matrix_rank")
    if A.ndim < 2:
        raise RuntimeError(
            "linalg.matrix_rank: The input tensor A must have at least 2 dimensions."
        )
    if not A.dtype.is_floating_point or A.dtype._name == "float16":
        raise RuntimeError("This function doesn't handle types other than float and double")
    if tol is not None:
        atol, rtol = _float_arg(tol), 0.0
    atol, rtol = _float_arg(atol), _float_arg(rtol)
    rtol = _default_rtol(A._data, atol, rtol)
    return _matrix_rank(A, atol=atol, rtol=rtol, hermitian=bool(hermitian))


def norm(A, ord=None, dim=None, keepdim=False, *, out=None, dtype=None):  # noqa: A002, N803
    """Mirrors `torch.linalg.norm`: a matrix norm for a string `ord`, a 2-tuple `dim`, or a 2-d
    input with `ord` but no `dim`; a vector norm otherwise (over everything when both are None).
    The norms themselves are `linalg.vector_norm` and `linalg.matrix_norm`."""
    from .. import linalg as namespace

    _no_out(out, "linalg.norm")
    if dim is None:
        if ord is not None and A.ndim not in (1, 2):
            raise RuntimeError(
                "linalg.norm: If dim is not specified but ord is, the input must be 1D or 2D. "
                f"Got {A.ndim}D."
            )
        matrix = isinstance(ord, str) or (ord is not None and A.ndim == 2)
        dims = (-2, -1) if matrix else None
    else:
        dims = tuple(dim) if isinstance(dim, (tuple, list)) else dim
        if isinstance(dims, tuple) and len(dims) not in (1, 2):
            raise RuntimeError(
                f"linalg.norm: If dim is specified, it must be of length 1 or 2. Got {list(dims)}"
            )
        matrix = isinstance(ord, str) or (isinstance(dims, tuple) and len(dims) == 2)
    if matrix:
        ord = "fro" if ord is None else ord  # noqa: A001
        return namespace.matrix_norm(A, ord=ord, dim=dims, keepdim=keepdim, dtype=dtype)
    ord = 2 if ord is None else ord  # noqa: A001
    return namespace.vector_norm(A, ord=ord, dim=dims, keepdim=keepdim, dtype=dtype)
