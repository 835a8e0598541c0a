"""Type aliases for annotating code that uses mytorch. Mirrors `torch.types` (a subset)."""

import builtins
import os
from collections.abc import Sequence
from typing import IO, TypeAlias

from ._creation import device
from ._dtype import dtype
from ._tensor import Size, Tensor

# Tensor has methods named bool, int and float, which hide the builtins inside its class body
_bool: TypeAlias = builtins.bool
_int: TypeAlias = builtins.int
_float: TypeAlias = builtins.float
_complex: TypeAlias = builtins.complex
_dtype: TypeAlias = dtype
_device: TypeAlias = device

Number: TypeAlias = builtins.int | builtins.float | builtins.bool
_size: TypeAlias = Size | list[builtins.int] | tuple[builtins.int, ...]
Device: TypeAlias = device | str | builtins.int | None
FileLike: TypeAlias = str | os.PathLike[str] | IO[bytes]
_TensorOrTensors: TypeAlias = Tensor | Sequence[Tensor]
