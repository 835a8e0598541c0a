"""`mytorch.linalg`: mirrors `torch.linalg`. The norms live with the reductions (_ops/reduce.py)."""

from ._ops.factorizations import (  # noqa: F401
    LinAlgError,
    cholesky,
    cholesky_ex,
    det,
    eigh,
    eigvalsh,
    inv,
    inv_ex,
    matrix_power,
    matrix_rank,
    norm,
    pinv,
    qr,
    slogdet,
    solve,
    svd,
    svdvals,
)  # fmt: skip
from ._ops.linalg import linalg_cross as cross  # noqa: F401
from ._ops.linalg import matmul, multi_dot, vecdot  # noqa: F401
from ._ops.reduce import matrix_norm, vector_norm  # noqa: F401
