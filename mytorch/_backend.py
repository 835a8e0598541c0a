"""The one seam between mytorch and array libraries: which module owns an array, and devices.

Only this module may import an array library by name; cupy support comes later.
"""

import enum

import numpy as np

ndarray = np.ndarray
scalar_types = np.generic


def xp(array):
    """The array module (numpy today, cupy later) that owns `array`."""
    return np


def asarray(value, dtype=None):
    return np.asarray(value, dtype=dtype)


def array(value, dtype=None, copy=True):
    return np.array(value, dtype=dtype, copy=copy)


def device_of(array) -> str:
    return "cpu"


array_types = frozenset({np.ndarray})  # exact types, for hot paths that test `type(x) in`


def is_array(value) -> bool:
    return isinstance(value, np.ndarray)


def is_scalar_array(value) -> bool:
    # numpy reductions and 0-d arithmetic return numpy scalars instead of 0-d arrays
    return isinstance(value, np.generic)


# DLPack's device codes, spelled as `torch.utils.dlpack.DLDeviceType` spells them
DLDeviceType = enum.IntEnum(
    "DLDeviceType",
    {"kDLCPU": 1, "kDLCUDA": 2, "kDLCUDAHost": 3, "kDLOpenCL": 4, "kDLVulkan": 7, "kDLMetal": 8,
     "kDLVPI": 9, "kDLROCM": 10, "kDLROCMHost": 11, "kDLExtDev": 12, "kDLCUDAManaged": 13,
     "kDLOneAPI": 14, "kDLWebGPU": 15, "kDLHexagon": 16, "kDLMAIA": 17},
    module=__name__,
)  # fmt: skip


def dlpack_device(array) -> tuple:
    """The DLPack (device type, index) of `array`, as its own module reports it."""
    kind, index = array.__dlpack_device__()
    return DLDeviceType(kind), index


def to_dlpack(array, stream=None, max_version=None, dl_device=None, copy=None):
    """A DLPack capsule sharing `array`'s memory (unless `copy`)."""
    # NOTE: as torch, -1 counts as no stream on the CPU; numpy takes only None
    if stream is not None and stream != -1:
        raise AssertionError("stream should be None on cpu.")
    return array.__dlpack__(max_version=max_version, dl_device=dl_device, copy=copy)


def from_dlpack(obj, copy=None):
    """An array sharing the memory of `obj`, any object with `__dlpack__` on the CPU."""
    return np.from_dlpack(obj, copy=copy)
