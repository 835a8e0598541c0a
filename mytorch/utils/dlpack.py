"""DLPack exchange: tensors that share memory with NumPy, PyTorch and any other DLPack library.

Mirrors `torch.utils.dlpack`. Data of a dtype mytorch lacks (complex, bfloat16, ...) is refused.
"""

from __future__ import annotations

from .. import _backend, _dtype
from .._backend import DLDeviceType
from .._creation import _check_device
from .._tensor import Tensor

__all__ = ["DLDeviceType", "from_dlpack"]

_INVALID_CAPSULE = (
    "from_dlpack received an invalid capsule. Note that DLTensor capsules can be consumed only "
    "once, so you might have already constructed a tensor from it once."
)

_SUPPORTED = (
    "The only supported types are: float64, float32, float16, int64, int32, int16, int8, uint8, "
    "and bool."
)


class _Capsule:
    """A bare capsule from `to_dlpack`, presented through the `__dlpack__` protocol."""

    def __init__(self, capsule):
        self._capsule = capsule

    def __dlpack__(self, **kwargs):
        return self._capsule

    def __dlpack_device__(self):
        return DLDeviceType.kDLCPU, 0


def to_dlpack(tensor: Tensor):
    """Mirrors `torch.utils.dlpack.to_dlpack`: a legacy capsule, to be consumed only once.

    As in torch, a tensor that requires grad is exported (`__dlpack__` refuses it).
    """
    if not isinstance(tensor, Tensor):
        raise TypeError(
            f"_to_dlpack(): argument 'data' (position 1) must be Tensor, not "
            f"{type(tensor).__name__}"
        )
    return _backend.to_dlpack(tensor._data)


def from_dlpack(ext_tensor, *, device=None, copy: bool | None = None) -> Tensor:
    """Mirrors `torch.from_dlpack`: a Tensor sharing memory with `ext_tensor`.

    `ext_tensor` has `__dlpack__` (NumPy arrays, torch and mytorch tensors, ...) or is a capsule
    from `to_dlpack`.
    """
    if hasattr(ext_tensor, "__dlpack__"):
        _check_device(device)
        data = _import(ext_tensor, copy)
    else:
        if device is not None or copy is not None:
            raise AssertionError(
                "device and copy kwargs not supported when ext_tensor is already a DLPack capsule."
            )
        try:
            data = _import(_Capsule(ext_tensor), None)
        except ValueError:  # numpy's word for a used capsule or something else entirely
            raise RuntimeError(_INVALID_CAPSULE) from None
    if data.dtype not in _dtype._FROM_NP:
        raise BufferError(f"Unsupported dtype {data.dtype}. {_SUPPORTED}")
    return Tensor._make(data)


def _import(obj, copy):
    try:
        return _backend.from_dlpack(obj, copy=copy)
    except RuntimeError as e:
        # numpy refuses dtypes it lacks itself (bfloat16, float8); torch raises BufferError
        if "dtype" not in str(e):
            raise
        raise BufferError(f"{e} {_SUPPORTED}") from None
