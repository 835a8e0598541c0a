"""The one seam between mytorch and array libraries: which module owns an array, and devices.

Only this module may import an array library by name; cupy support comes later.
"""

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


def is_array(value) -> bool:
    return isinstance(value, np.ndarray)


def is_scalar_array(value) -> bool:
    # numpy reductions and 0-d arithmetic return numpy scalars instead of 0-d arrays
    return isinstance(value, np.generic)
