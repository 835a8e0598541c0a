"""mytorch: the PyTorch API on NumPy, with a small graph-based autograd of any order.

`import mytorch as torch` and write the code you already write. See README.md for what differs.
"""

from . import _dtype, autograd
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
from ._ops.linalg import dot_checked as dot
from ._ops.linalg import matmul
from ._ops.linalg import mm_checked as mm
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

negative = neg


def add(input, other, *, alpha=1, out=None):  # noqa: A002
    """Mirrors `torch.add`."""
    return add_alpha(_as_tensor_arg(input), other, alpha)


def sub(input, other, *, alpha=1, out=None):  # noqa: A002
    """Mirrors `torch.sub`."""
    return sub_alpha(_as_tensor_arg(input), other, alpha)


subtract = sub


def div(input, other, *, rounding_mode=None, out=None):  # noqa: A002
    """Mirrors `torch.div`."""
    return div_mode(_as_tensor_arg(input), other, rounding_mode)


divide = div


def _as_tensor_arg(x):
    return x if isinstance(x, Tensor) else tensor(x)


multiply = mul


def true_divide(input, other):  # noqa: A002
    """Mirrors `torch.true_divide`."""
    return div_mode(_as_tensor_arg(input), other)


def is_tensor(obj) -> bool:
    """Mirrors `torch.is_tensor`."""
    return isinstance(obj, Tensor)


def is_floating_point(input) -> bool:  # noqa: A002
    return input.dtype.is_floating_point


def numel(input) -> int:  # noqa: A002
    return input.numel()
