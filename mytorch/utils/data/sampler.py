"""Samplers: the orders in which a DataLoader visits indices. Mirrors `torch.utils.data.sampler`.

Random samplers draw from `mytorch.Generator`s, so they are reproducible under
`mytorch.manual_seed`; the streams are not torch's.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence, Sized
from typing import cast

import numpy as np

from ... import _dtype
from ..._creation import as_tensor
from ...random import Generator, _rng, randint, randperm


class Sampler:
    """Mirrors `torch.utils.data.Sampler`: subclasses implement `__iter__` (and `__len__`)."""

    def __init__(self, data_source: Sized | None = None) -> None:
        pass

    def __iter__(self) -> Iterator:
        raise NotImplementedError


class SequentialSampler(Sampler):
    """Mirrors `torch.utils.data.SequentialSampler`: 0, 1, ..., len(data_source) - 1."""

    def __init__(self, data_source: Sized) -> None:
        self.data_source = data_source

    def __iter__(self) -> Iterator[int]:
        return iter(range(len(self.data_source)))

    def __len__(self) -> int:
        return len(self.data_source)


class RandomSampler(Sampler):
    """Mirrors `torch.utils.data.RandomSampler`.

    Without a generator, each iteration seeds a fresh one from the default generator, so every
    epoch is shuffled anew and `mytorch.manual_seed` replays the whole sequence of epochs.
    """

    def __init__(self, data_source: Sized, replacement: bool = False,
                 num_samples: int | None = None,
                 generator: Generator | None = None) -> None:  # fmt: skip
        self.data_source = data_source
        self.replacement = replacement
        self._num_samples = num_samples
        self.generator = generator
        if not isinstance(replacement, bool):
            raise TypeError(
                f"replacement should be a boolean value, but got replacement={replacement}"
            )
        if not isinstance(self.num_samples, int) or self.num_samples <= 0:
            raise ValueError(
                f"num_samples should be a positive integer value, but got "
                f"num_samples={self.num_samples}"
            )

    @property
    def num_samples(self) -> int:
        return len(self.data_source) if self._num_samples is None else self._num_samples

    def __iter__(self) -> Iterator[int]:
        n = len(self.data_source)
        generator = self.generator
        if generator is None:
            seed = int(randint(2**62, (), dtype=_dtype.int64).item())
            generator = Generator().manual_seed(seed)
        if self.replacement:
            yield from randint(n, (self.num_samples,), generator=generator).tolist()
            return
        for _ in range(self.num_samples // n):
            yield from randperm(n, generator=generator).tolist()
        yield from randperm(n, generator=generator).tolist()[: self.num_samples % n]

    def __len__(self) -> int:
        return self.num_samples


class SubsetRandomSampler(Sampler):
    """Mirrors `torch.utils.data.SubsetRandomSampler`: `indices` in a random order."""

    def __init__(self, indices: Sequence[int], generator: Generator | None = None) -> None:
        self.indices = indices
        self.generator = generator

    def __iter__(self) -> Iterator[int]:
        for i in randperm(len(self.indices), generator=self.generator).tolist():
            yield self.indices[i]

    def __len__(self) -> int:
        return len(self.indices)


def _check_num_samples(num_samples) -> None:
    if not isinstance(num_samples, int) or isinstance(num_samples, bool) or num_samples <= 0:
        raise ValueError(
            f"num_samples should be a positive integer value, but got num_samples={num_samples}"
        )


class WeightedRandomSampler(Sampler):
    """Mirrors `torch.utils.data.WeightedRandomSampler`: index i with probability weights[i]."""

    def __init__(self, weights: Sequence[float], num_samples: int, replacement: bool = True,
                 generator: Generator | None = None) -> None:  # fmt: skip
        _check_num_samples(num_samples)
        if not isinstance(replacement, bool):
            raise ValueError(
                f"replacement should be a boolean value, but got replacement={replacement}"
            )
        weights_tensor = as_tensor(weights, dtype=_dtype.float64)
        if weights_tensor.ndim != 1:
            raise ValueError(
                f"weights should be a 1d sequence but given weights have shape "
                f"{tuple(weights_tensor.shape)}"
            )
        self.weights = weights_tensor
        self.num_samples = num_samples
        self.replacement = replacement
        self.generator = generator

    def __iter__(self) -> Iterator[int]:
        yield from _multinomial(self.weights._data, self.num_samples, self.replacement,
                                self.generator)  # fmt: skip

    def __len__(self) -> int:
        return self.num_samples


def _multinomial(weights: np.ndarray, n: int, replacement: bool, generator) -> list:
    """Draws as `torch.multinomial` does, with its errors (mytorch has no multinomial yet)."""
    if not replacement:
        if n > len(weights):
            raise RuntimeError(
                "cannot sample n_sample > prob_dist.size(-1) samples without replacement"
            )
        if not (np.all(weights >= 0) and np.isfinite(weights).all()):
            raise RuntimeError("probability tensor contains either `inf`, `nan` or element < 0")
    if not np.all(weights >= 0):  # NOTE: NaN fails this too, and torch reports it the same way
        raise RuntimeError("invalid multinomial distribution (encountering probability entry < 0)")
    if np.isinf(weights).any():
        raise RuntimeError(
            "invalid multinomial distribution (encountering probability entry = infinity or NaN)"
        )
    total = weights.sum()
    if not total > 0:
        raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)")
    rng = _rng(generator)
    if replacement:
        return rng.choice(len(weights), size=n, p=weights / total).tolist()
    # exponential race: item i finishes at E_i / w_i; the first n to finish are a weighted draw
    # without replacement, and zero weights (time inf) come last, as torch lets them
    with np.errstate(divide="ignore"):
        times = rng.standard_exponential(len(weights)) / weights
    return np.argsort(times, kind="stable")[:n].tolist()


class BatchSampler(Sampler):
    """Mirrors `torch.utils.data.BatchSampler`: groups another sampler's indices into lists."""

    def __init__(self, sampler: Sampler | Iterable[int], batch_size: int,
                 drop_last: bool) -> None:  # fmt: skip
        if not isinstance(batch_size, int) or isinstance(batch_size, bool) or batch_size <= 0:
            raise ValueError(
                f"batch_size should be a positive integer value, but got batch_size={batch_size}"
            )
        if not isinstance(drop_last, bool):
            raise ValueError(f"drop_last should be a boolean value, but got drop_last={drop_last}")
        self.sampler = sampler
        self.batch_size = batch_size
        self.drop_last = drop_last

    def __iter__(self) -> Iterator[list[int]]:
        batch = []
        for idx in self.sampler:
            batch.append(idx)
            if len(batch) == self.batch_size:
                yield batch
                batch = []
        if batch and not self.drop_last:
            yield batch

    def __len__(self) -> int:
        if self.drop_last:
            return len(cast(Sized, self.sampler)) // self.batch_size
        return (len(cast(Sized, self.sampler)) + self.batch_size - 1) // self.batch_size
