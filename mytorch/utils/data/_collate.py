"""default_collate and default_convert: samples to batches. Mirrors
`torch.utils.data.default_collate` and `default_convert`."""

from __future__ import annotations

import copy
from collections.abc import Mapping, MutableMapping, MutableSequence, Sequence
from typing import Any

import numpy as np

from ... import _dtype
from ..._creation import as_tensor, from_numpy, tensor
from ..._ops import stack
from ..._tensor import Tensor

_COLLATE_TYPE_ERROR = (
    "default_collate: batch must contain tensors, numpy arrays, numbers, dicts or lists; found {}"
)


def _is_text_array(x: np.ndarray) -> bool:
    return x.dtype.kind in "SaUO"


def _map_like(elem: Mapping, items: dict):
    """A mapping of elem's type holding `items` (a plain dict when the type won't rebuild)."""
    if isinstance(elem, MutableMapping):
        clone = copy.copy(elem)  # keeps the type and any attributes (an OrderedDict's _metadata)
        clone.update(items)
        return clone
    rebuild: Any = type(elem)  # a subclass may take the items in its constructor, or not
    try:
        return rebuild(items)
    except TypeError:
        return items


def _sequence_like(elem: Sequence, items: list):
    if isinstance(elem, tuple):  # NOTE: torch turns plain tuples into lists
        return items
    if isinstance(elem, MutableSequence):
        try:
            clone = copy.copy(elem)
            clone[:] = items
            return clone
        except TypeError:
            return items
    rebuild: Any = type(elem)
    try:
        return rebuild(items)
    except TypeError:
        return items


def default_collate(batch):
    """Mirrors `torch.utils.data.default_collate`: stacks tensors and arrays, turns numbers into
    tensors (int -> int64, float -> float64), keeps strings as lists, recurses into dicts,
    namedtuples, tuples and lists."""
    elem = batch[0]
    if isinstance(elem, Tensor):
        return stack(batch)  # torch.stack: promotes dtypes, raises on unequal sizes
    if isinstance(elem, (str, bytes)):
        return batch
    if isinstance(elem, np.ndarray):
        if _is_text_array(elem):
            raise TypeError(_COLLATE_TYPE_ERROR.format(elem.dtype))
        return stack([as_tensor(b) for b in batch])
    if isinstance(elem, np.generic):
        if _is_text_array(np.asarray(elem)):
            raise TypeError(_COLLATE_TYPE_ERROR.format(elem.dtype))
        return from_numpy(np.array(batch))
    if isinstance(elem, float):
        return tensor(batch, dtype=_dtype.float64)
    if isinstance(elem, int):  # bool too: all bools give a bool tensor
        return tensor(batch)
    if isinstance(elem, Mapping):
        return _map_like(elem, {key: default_collate([d[key] for d in batch]) for key in elem})
    if isinstance(elem, tuple) and hasattr(elem, "_fields"):  # namedtuple
        return type(elem)(*(default_collate(samples) for samples in zip(*batch)))
    if isinstance(elem, Sequence):
        size = len(elem)
        if any(len(e) != size for e in batch):
            raise RuntimeError("each element in list of batch should be of equal size")
        return _sequence_like(elem, [default_collate(s) for s in zip(*batch)])
    raise TypeError(_COLLATE_TYPE_ERROR.format(type(elem)))


def default_convert(data):
    """Mirrors `torch.utils.data.default_convert`: numpy arrays and scalars become tensors,
    containers are converted recursively, everything else is returned as it is."""
    if isinstance(data, Tensor) or isinstance(data, (str, bytes)):
        return data
    if isinstance(data, (np.ndarray, np.generic)):
        return data if _is_text_array(np.asarray(data)) else as_tensor(np.asarray(data))
    if isinstance(data, Mapping):
        return _map_like(data, {key: default_convert(data[key]) for key in data})
    if isinstance(data, tuple) and hasattr(data, "_fields"):
        return type(data)(*(default_convert(d) for d in data))
    if isinstance(data, Sequence):
        return _sequence_like(data, [default_convert(d) for d in data])
    return data
