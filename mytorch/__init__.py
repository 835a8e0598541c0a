"""mytorch: the PyTorch API on NumPy, with a small graph-based autograd of any order.

`import mytorch as torch` and write the code you already write. See README.md for what differs.
"""

import builtins

from . import (
    _dtype,
    autograd,
    linalg,  # noqa: E402, I001
)
from ._creation import (
    arange,
    as_tensor,
    device,
    empty,
    empty_like,
    eye,
    from_numpy,
    full,
    full_like,
    linspace,
    logspace,
    ones,
    ones_like,
    tensor,
    zeros,
    zeros_like,
)  # fmt: skip
from ._dtype import (
    bool,
    can_cast,
    double,
    dtype,
    float,
    float16,
    float32,
    float64,
    get_default_dtype,
    half,
    int,
    int8,
    int16,
    int32,
    int64,
    long,
    promote_types,
    result_type,
    set_default_dtype,
    short,
    uint8,
)  # fmt: skip
from ._ops import (
    abs,
    add_alpha,
    bitwise_and,
    bitwise_not,
    bitwise_or,
    bitwise_xor,
    clone,
    cos,
    div_mode,
    eq,
    exp,
    flatten,
    floor_divide,
    ge,
    gt,
    le,
    log,
    logical_and,
    logical_or,
    lt,
    mean,
    mul,
    ne,
    neg,
    permute,
    pow,
    reciprocal,
    relu,
    remainder,
    reshape,
    sigmoid,
    sign,
    sin,
    sqrt,
    squeeze,
    sub_alpha,
    sum,
    t,
    tanh,
    transpose,
    unbind,
    unsqueeze,
    where,
)  # fmt: skip
from ._ops.factorizations import cholesky_legacy as cholesky
from ._ops.factorizations import det, inverse, logdet, matrix_power, pinverse
from ._ops.factorizations import qr_legacy as qr
from ._ops.factorizations import slogdet_legacy as slogdet
from ._ops.factorizations import svd_legacy as svd
from ._ops.index import (
    argwhere,
    bucketize,
    gather,
    index_add,
    index_copy,
    index_fill,
    index_put,
    index_put_,
    index_select,
    masked_fill,
    masked_scatter,
    masked_select,
    nonzero,
    scatter,
    scatter_add,
    scatter_reduce,
    searchsorted,
    take,
    take_along_dim,
    where,  # noqa: F811 - torch's where, with its one-argument form
)  # fmt: skip
from ._ops.linalg import (
    addbmm,
    addmm,
    addmv,
    addr,
    baddbmm,
    bmm,
    chain_matmul,
    cross,
    einsum,
    ger,
    inner,
    kron,
    matmul,
    outer,
    tensordot,
    vdot,
)  # fmt: skip
from ._ops.linalg import dot_checked as dot
from ._ops.linalg import mm_checked as mm
from ._ops.linalg import mv_checked as mv
from ._ops.pointwise import (
    addcdiv,
    addcmul,
    allclose,
    arctan2,
    atan2,
    bitwise_left_shift,
    bitwise_right_shift,
    clamp,
    clamp_,
    clamp_max,
    clamp_max_,
    clamp_min,
    clamp_min_,
    clip,
    clip_,
    copysign,
    equal,
    float_power,
    fmax,
    fmin,
    fmod,
    greater,
    greater_equal,
    hypot,
    isclose,
    lerp,
    less,
    less_equal,
    logaddexp,
    logaddexp2,
    logical_xor,
    maximum,
    minimum,
    not_equal,
    xlogy,
    xlogy_,
)  # fmt: skip
from ._ops.reduce import (
    all,
    amax,
    amin,
    aminmax,
    any,
    argmax,
    argmin,
    count_nonzero,
    logsumexp,
    max,
    min,
    nanmean,
    nansum,
    norm,
    prod,
    std,
    std_mean,
    var,
    var_mean,
)  # fmt: skip
from ._ops.scan import cummax, cummin, cumprod, cumsum, diff, logcumsumexp
from ._ops.shape import (
    adjoint,
    atleast_1d,
    atleast_2d,
    atleast_3d,
    broadcast_shapes,
    broadcast_tensors,
    broadcast_to,
    cat,
    chunk,
    column_stack,
    concat,
    concatenate,
    diag,
    diag_embed,
    diagflat,
    diagonal,
    dsplit,
    dstack,
    flip,
    fliplr,
    flipud,
    hsplit,
    hstack,
    meshgrid,
    moveaxis,
    movedim,
    narrow,
    ravel,
    repeat_interleave,
    roll,
    rot90,
    row_stack,
    split,
    stack,
    swapaxes,
    swapdims,
    tensor_split,
    tile,
    trace,
    tril,
    triu,
    unflatten,
    vsplit,
    vstack,
)  # fmt: skip
from ._ops.sort import argsort, kthvalue, median, msort, nanmedian, sort, topk, unique
from ._ops.unary import (
    absolute,
    acos,
    acosh,
    arccos,
    arccosh,
    arcsin,
    arcsinh,
    arctan,
    arctanh,
    asin,
    asinh,
    atan,
    atanh,
    ceil,
    cosh,
    erf,
    erfc,
    erfinv,
    exp2,
    expm1,
    fix,
    floor,
    frac,
    isfinite,
    isinf,
    isnan,
    isneginf,
    isposinf,
    isreal,
    log1p,
    log2,
    log10,
    logical_not,
    logit,
    nan_to_num,
    positive,
    round,
    rsqrt,
    sgn,
    signbit,
    sinh,
    square,
    tan,
    trunc,
)  # fmt: skip
from ._tensor import Size, Tensor
from ._tensor_str import get_printoptions, set_printoptions
from .autograd.grad_mode import (
    enable_grad,
    inference_mode,
    is_grad_enabled,
    is_inference_mode_enabled,
    no_grad,
    set_grad_enabled,
)  # fmt: skip
from .random import (
    Generator,
    bernoulli,
    default_generator,
    get_rng_state,
    initial_seed,
    manual_seed,
    multinomial,
    normal,
    rand,
    rand_like,
    randint,
    randint_like,
    randn,
    randn_like,
    randperm,
    seed,
    set_rng_state,
)  # fmt: skip

__version__ = "0.1.0"
from . import (  # noqa: E402
    nn,
    optim,
    utils,  # noqa: E402
)
from ._ops.nn import log_softmax, softmax  # noqa: E402
from .serialization import load, load_safetensors, save, save_safetensors  # noqa: E402
from .utils.dlpack import from_dlpack  # noqa: E402

negative = neg


def add(input, other, *, alpha=1) -> Tensor:  # noqa: A002
    """Mirrors `torch.add`."""
    return add_alpha(_as_tensor_arg(input), other, alpha)


def sub(input, other, *, alpha=1) -> Tensor:  # noqa: A002
    """Mirrors `torch.sub`."""
    return sub_alpha(_as_tensor_arg(input), other, alpha)


subtract = sub


def div(input, other, *, rounding_mode=None) -> Tensor:  # noqa: A002
    """Mirrors `torch.div`."""
    return div_mode(_as_tensor_arg(input), other, rounding_mode)


divide = div


def _as_tensor_arg(x):
    return x if isinstance(x, Tensor) else tensor(x)


multiply = mul


def true_divide(input, other) -> Tensor:  # noqa: A002
    """Mirrors `torch.true_divide`."""
    return div_mode(_as_tensor_arg(input), other)


def is_tensor(obj: object) -> builtins.bool:
    """Mirrors `torch.is_tensor`."""
    return isinstance(obj, Tensor)


def is_floating_point(input: Tensor) -> builtins.bool:  # noqa: A002
    return input.dtype.is_floating_point


def numel(input: Tensor) -> builtins.int:  # noqa: A002
    return input.numel()


# derivatives as functions sit above the ops they transform, so they load last
from . import func  # noqa: E402
from .autograd import forward_ad  # noqa: E402
from .autograd.anomaly_mode import (  # noqa: E402
    is_anomaly_check_nan_enabled,
    is_anomaly_enabled,
)
from .autograd.anomaly_mode import (  # noqa: E402
    set_detect_anomaly as set_anomaly_enabled,
)
