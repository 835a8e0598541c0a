"""Random numbers: Generator, manual_seed and the random creation functions.

Streams are reproducible within mytorch for a given seed; they are not torch's streams.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, cast, overload

import numpy as _np

from . import _dtype
from ._creation import _check_device, _finish, zeros_like
from ._ops import primitive
from ._tensor import Tensor, _dims, _size_arg

if TYPE_CHECKING:
    from .types import Device, _size


class Generator:
    """Mirrors `torch.Generator` (PCG64 underneath)."""

    def __init__(self, device: Device = "cpu") -> None:
        _check_device(device)
        self.device = device
        self.manual_seed(67280421310721)

    def manual_seed(self, seed: int) -> Generator:
        self._seed = int(seed)
        self._bits = None
        return self

    @property
    def _rng(self):
        # made on first use: importing numpy.random costs memory and time at `import mytorch`
        rng = self._bits
        if rng is None:
            rng = self._bits = _np.random.Generator(_np.random.PCG64(self._seed & (2**64 - 1)))
        return rng

    def seed(self) -> int:
        # entropy is an int when SeedSequence draws it itself
        seed = cast(int, _np.random.SeedSequence().entropy) & (2**63 - 1)
        self.manual_seed(seed)
        return seed

    def initial_seed(self) -> int:
        return self._seed

    def get_state(self) -> Tensor:
        # JSON rather than pickle: set_state must not run code hidden in a crafted ByteTensor
        state = json.dumps([self._seed, self._rng.bit_generator.state]).encode()
        return Tensor._make(_np.frombuffer(state, dtype=_np.uint8).copy())

    def set_state(self, new_state: Tensor) -> Generator:
        if not isinstance(new_state, Tensor):
            raise TypeError(f"expected a torch.ByteTensor, but got {type(new_state).__name__}")
        if new_state.dtype is not _dtype.uint8:
            raise TypeError("RNG state must be a torch.ByteTensor")
        try:
            seed, state = json.loads(new_state._data.tobytes())
            self._rng.bit_generator.state = state
        except (ValueError, TypeError, KeyError):
            raise RuntimeError(
                "the RNG state is not one that mytorch's get_state() returned"
            ) from None
        self._seed = seed
        return self


default_generator = Generator()


def manual_seed(seed: int) -> Generator:
    """Mirrors `torch.manual_seed`."""
    return default_generator.manual_seed(seed)


def seed() -> int:
    return default_generator.seed()


def initial_seed() -> int:
    return default_generator.initial_seed()


def get_rng_state() -> Tensor:
    return default_generator.get_state()


def set_rng_state(new_state: Tensor) -> None:
    default_generator.set_state(new_state)


def _rng(generator):
    if _vmap_levels:  # inside vmap, randomness follows its `randomness` mode
        from .func._vmap import check_random

        check_random()
    return (generator or default_generator)._rng


_vmap_levels: list = []  # the active vmaps' levels, shared with mytorch.func


def _float_dtype(dtype, name):
    dt = dtype or _dtype.get_default_dtype()
    _check_floating(dt, name)
    return dt


def _check_floating(dt, name):
    if not dt.is_floating_point:
        raise NotImplementedError(f"\"{name}\" not implemented for '{dt._title}'")


def rand(*size: int | _size, generator: Generator | None = None, out: Tensor | None = None,
         dtype: _dtype.dtype | None = None, layout: object = None, device: Device = None,
         requires_grad: bool = False, pin_memory: bool = False) -> Tensor:  # fmt: skip
    """Mirrors `torch.rand`: uniform on [0, 1)."""
    _check_device(device)
    dt = _float_dtype(dtype, "check_uniform_bounds")
    rng, shape = _rng(generator), _dims(size, "rand")
    if dt is _dtype.float16:
        # NOTE: a float64 draw rounded to float16 can reach 1.0; multiples of 2**-11 cannot
        data = rng.integers(0, 2**11, shape) * 2.0**-11
    else:
        data = rng.random(shape, dtype=dt._np)
    return _finish(data.astype(dt._np, copy=False), None, requires_grad)


def randn(*size: int | _size, generator: Generator | None = None, out: Tensor | None = None,
          dtype: _dtype.dtype | None = None, layout: object = None, device: Device = None,
          requires_grad: bool = False, pin_memory: bool = False) -> Tensor:  # fmt: skip
    """Mirrors `torch.randn`: standard normal."""
    _check_device(device)
    dt = _float_dtype(dtype, "normal_kernel_cpu")
    data = _rng(generator).standard_normal(_dims(size, "randn"))
    return _finish(data.astype(dt._np), None, requires_grad)


@overload
def randint(high: int, size: _size, /, *, generator: Generator | None = ...,
            out: Tensor | None = ..., dtype: _dtype.dtype | None = ..., layout: object = ...,
            device: Device = ..., requires_grad: bool = ...) -> Tensor: ...  # fmt: skip
@overload
def randint(low: int, high: int, size: _size, *, generator: Generator | None = ...,
            out: Tensor | None = ..., dtype: _dtype.dtype | None = ..., layout: object = ...,
            device: Device = ..., requires_grad: bool = ...) -> Tensor: ...  # fmt: skip
def randint(low: int = 0, high: Any = None, size: Any = None, *,
            generator: Generator | None = None, out: Tensor | None = None,
            dtype: _dtype.dtype | None = None, layout: object = None, device: Device = None,
            requires_grad: bool = False) -> Tensor:  # fmt: skip
    """Mirrors `torch.randint(low=0, high, size)`: int64 unless dtype is given."""
    _check_device(device)
    position = 3
    if size is None:
        low, high, size, position = 0, low, high, 2
    if high is None or size is None:
        raise TypeError("randint() missing required arguments 'high' and 'size'")
    shape = _size_arg(size, "randint", position)
    if low >= high:
        raise RuntimeError(
            f"random_ expects 'from' to be less than 'to', but got from={low} >= to={high}"
        )
    data = _rng(generator).integers(low, high, size=shape, dtype=_np.int64)
    return _finish(data, dtype or _dtype.int64, requires_grad)


def randperm(n: int, *, generator: Generator | None = None, out: Tensor | None = None,
             dtype: _dtype.dtype | None = None, layout: object = None, device: Device = None,
             requires_grad: bool = False, pin_memory: bool = False) -> Tensor:  # fmt: skip
    """Mirrors `torch.randperm`."""
    _check_device(device)
    if n < 0:
        raise RuntimeError(f"n must be non-negative, got{n}")
    return _finish(_rng(generator).permutation(int(n)), dtype or _dtype.int64, requires_grad)


def normal(mean: Tensor | float = 0.0, std: Tensor | float = 1.0, size: _size | None = None, *,
           generator: Generator | None = None, out: Tensor | None = None,
           dtype: _dtype.dtype | None = None, layout: object = None, device: Device = None,
           requires_grad: bool = False) -> Tensor:  # fmt: skip
    """Mirrors `torch.normal` (tensor or float mean and std, or floats with `size`)."""
    _check_device(device)
    m = mean._data if isinstance(mean, Tensor) else mean
    s = std._data if isinstance(std, Tensor) else std
    if size is None and not isinstance(mean, Tensor) and not isinstance(std, Tensor):
        raise TypeError("normal() received an invalid combination of arguments: give size")
    for t in (mean, std):
        if isinstance(t, Tensor):
            _check_floating(t.dtype, "normal_kernel_cpu")
    if isinstance(std, Tensor):
        if not _np.all(s >= 0.0):
            raise RuntimeError("normal expects all elements of std >= 0.0")
    elif not std >= 0.0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {std:g}")
    shape = (
        _size_arg(size, "normal", 3)
        if size is not None
        else _np.broadcast_shapes(_np.shape(m), _np.shape(s))
    )
    ref = mean if isinstance(mean, Tensor) else std if isinstance(std, Tensor) else None
    dt = dtype or (ref.dtype if ref is not None else _dtype.get_default_dtype())
    _check_floating(dt, "normal_kernel_cpu")
    data = m + s * _rng(generator).standard_normal(shape)
    return _finish(_np.asarray(data).astype(dt._np), None, requires_grad)


@primitive("bernoulli")
def _bernoulli(probs, *, generator):
    return (_rng(generator).random(probs.shape) < probs).astype(probs.dtype)


@_bernoulli.backward
def _(ctx, grad):
    # torch treats the draw as constant in its probabilities: a zero gradient, with no graph
    return zeros_like(grad)


# torch records a node without a derivative when p is a number
@primitive("bernoulli", 1, node_name="NotImplemented")
def _bernoulli_p(x, *, p, generator):
    return (_rng(generator).random(x.shape) < p).astype(x.dtype)


def bernoulli(input: Tensor, p: float | None = None, *, generator: Generator | None = None,  # noqa: A002
              out: Tensor | None = None) -> Tensor:  # fmt: skip
    """Mirrors `torch.bernoulli`: draws 1 with probability `input` (or `p`)."""
    if out is not None:
        raise NotImplementedError("out= is not supported")
    if p is not None:
        if not 0 <= p <= 1:
            raise RuntimeError(f"bernoulli_ expects p to be in [0, 1], but got p={p}")
        return _bernoulli_p(input, p=p, generator=generator)
    _check_floating(input.dtype, "bernoulli_tensor_cpu_p_")
    probs = input._data
    if _np.any((probs < 0) | (probs > 1)):
        raise RuntimeError("Expected p_in >= 0 && p_in <= 1 to be true, but got false.")
    return _bernoulli(input, generator=generator)


def rand_like(input: Tensor, *, dtype: _dtype.dtype | None = None, layout: object = None,  # noqa: A002
              device: Device = None, requires_grad: bool = False,
              memory_format: object = None) -> Tensor:  # fmt: skip
    return rand(tuple(input.shape), dtype=dtype or input.dtype, requires_grad=requires_grad)


def randn_like(input: Tensor, *, dtype: _dtype.dtype | None = None, layout: object = None,  # noqa: A002
               device: Device = None, requires_grad: bool = False,
               memory_format: object = None) -> Tensor:  # fmt: skip
    return randn(tuple(input.shape), dtype=dtype or input.dtype, requires_grad=requires_grad)


def randint_like(input: Tensor, low: int = 0, high: int | None = None, *,  # noqa: A002
                 dtype: _dtype.dtype | None = None, layout: object = None, device: Device = None,
                 requires_grad: bool = False, memory_format: object = None) -> Tensor:  # fmt: skip
    if high is None:
        low, high = 0, low
    return randint(low, high, tuple(input.shape), dtype=dtype or input.dtype)


def _random_fill(
    tensor: Tensor, kind: str, a: float, b: float, generator: Generator | None
) -> Tensor:
    """In-place uniform_/normal_: draw in float64, then write through the in-place machinery."""
    from . import _ops

    if not tensor.dtype.is_floating_point:
        raise NotImplementedError(f"\"{kind}_\" not implemented for '{tensor.dtype._title}'")
    rng = _rng(generator)
    shape = tuple(tensor.shape)
    if kind == "uniform":
        if a > b:
            raise RuntimeError(
                f"uniform_ expects to return a [from, to) range, but found from={a} > to={b}"
            )
        values = rng.uniform(a, b, size=shape)
    else:
        if b < 0:
            raise RuntimeError(f"normal expects std >= 0.0, but found std {b}")
        values = rng.normal(a, b, size=shape)
    return _ops.inplace(tensor, _ops.copy, Tensor._make(_np.asarray(values)))


def multinomial(input: Tensor, num_samples: int, replacement: bool = False, *,  # noqa: A002
                generator: Generator | None = None,
                out: Tensor | None = None) -> Tensor:  # fmt: skip
    """Mirrors `torch.multinomial`: indices drawn in proportion to the (unnormalised) weights."""
    if input.ndim not in (1, 2):
        raise RuntimeError("prob_dist must be 1 or 2 dim")
    if not input.dtype.is_floating_point:
        raise RuntimeError(f"multinomial only supports floating-point dtypes for input, got: "
                           f"{input.dtype._title}")  # fmt: skip
    weights = _np.atleast_2d(input._data.astype(_np.float64))
    if (weights < 0).any() or not _np.isfinite(weights).all():
        raise RuntimeError("probability tensor contains either `inf`, `nan` or element < 0")
    categories = weights.shape[1]
    if not replacement and num_samples > categories:
        raise RuntimeError(
            "cannot sample n_sample > prob_dist.size(-1) samples without replacement"
        )
    rng = _rng(generator)
    rows = []
    for w in weights:
        total = w.sum()
        if total <= 0:
            raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)")
        rows.append(rng.choice(categories, size=num_samples, replace=replacement, p=w / total))
    result = _np.asarray(rows, dtype=_np.int64)
    return Tensor._make(result if input.ndim == 2 else result[0])
