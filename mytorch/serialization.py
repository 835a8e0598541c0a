"""Checkpoints: `save`/`load` in PyTorch's zip format, and the safetensors format.

A checkpoint is a zip archive of `<name>/data.pkl` (a protocol-2 pickle in which each tensor is
`torch._utils._rebuild_tensor_v2(storage, offset, size, stride, ...)` and each storage a
persistent id), `<name>/data/<key>` (each storage's raw little-endian bytes, 64-byte aligned),
`<name>/byteorder` and `<name>/version`. Neither direction imports torch or lets Python's
pickle machinery near the file: `save` writes the pickle opcodes itself, and `load` runs a small
opcode interpreter that builds only containers, numbers, strings and tensors, and resolves
globals through an allow-list (anything else raises `pickle.UnpicklingError`).
"""

from __future__ import annotations

import io
import json
import os
import pickle
import struct
import zlib
from collections import OrderedDict
from typing import IO, TYPE_CHECKING, Any

import numpy as np

from . import _dtype
from ._creation import device
from ._tensor import Size, Tensor

if TYPE_CHECKING:
    import zipfile

    from .types import FileLike

# ---- the zip container ------------------------------------------------------------------------

_ZIP64_LIMIT = 0xFFFFFFFF  # sizes and offsets from here on need zip64 fields (tests lower it)
_ALIGN = 64  # torch aligns each record's data to 64 bytes, so storages can be memory-mapped
_U32_MAX, _U16_MAX = 0xFFFFFFFF, 0xFFFF


class _ZipWriter:
    """Writes stored (uncompressed) records to a binary stream, as torch's writer lays them out:
    local headers padded with an "FB" extra field so every record's data starts 64-aligned, then
    the central directory and a zip64 end record."""

    def __init__(self, f) -> None:
        self._f = f
        self._pos = 0
        self._records: list[tuple[bytes, int, int, int]] = []  # (name, crc, size, offset)

    def _write(self, data) -> None:
        self._f.write(data)
        self._pos += len(data)

    def write_record(self, name: str, data) -> None:
        """`data` is bytes or a 1-D uint8 array."""
        encoded = name.encode()
        size, crc, offset = len(data), zlib.crc32(data), self._pos
        big = size >= _ZIP64_LIMIT
        extra = struct.pack("<HHQQ", 1, 16, size, size) if big else b""
        pad = -(offset + 30 + len(encoded) + len(extra) + 4) % _ALIGN
        extra += struct.pack("<HH", 0x4246, pad) + b"Z" * pad
        size32 = _U32_MAX if big else size
        self._write(struct.pack("<IHHHHHIIIHH", 0x04034B50, 45 if big else 20, 0, 0, 0, 0, crc,
                                size32, size32, len(encoded), len(extra)))  # fmt: skip
        self._write(encoded + extra)
        self._write(data)
        self._records.append((encoded, crc, size, offset))

    def finish(self) -> None:
        start = self._pos
        for encoded, crc, size, offset in self._records:
            wide = [v for v in (size, size, offset) if v >= _ZIP64_LIMIT]
            extra = struct.pack(f"<HH{len(wide)}Q", 1, 8 * len(wide), *wide) if wide else b""
            s32 = _U32_MAX if size >= _ZIP64_LIMIT else size
            o32 = _U32_MAX if offset >= _ZIP64_LIMIT else offset
            self._write(struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 45, 45 if wide else 20, 0,
                                    0, 0, 0, crc, s32, s32, len(encoded), len(extra), 0, 0, 0, 0,
                                    o32))  # fmt: skip
            self._write(encoded + extra)
        n, cd_size, end64 = len(self._records), self._pos - start, self._pos
        self._write(struct.pack("<IQHHIIQQQQ", 0x06064B50, 44, 45, 45, 0, 0, n, n, cd_size, start))
        self._write(struct.pack("<IIQI", 0x07064B50, 0, end64, 1))
        n16 = min(n, _U16_MAX)
        self._write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, n16, n16,
                                cd_size if cd_size < _ZIP64_LIMIT else _U32_MAX,
                                start if start < _ZIP64_LIMIT else _U32_MAX, 0))  # fmt: skip


# ---- save: a protocol-2 pickle written opcode by opcode -----------------------------------------


def _parameter_class():
    try:
        from .nn.parameter import Parameter
    except ImportError:  # nn is optional to this module
        return None
    return Parameter


def _storage_of(a: np.ndarray):
    """(root, block, element offset, element strides) placing `a` inside the memory block it views,
    so tensors that share memory share one storage, as in torch; None when torch's strides
    cannot describe it (negative strides, a reinterpreted dtype): then `a` is saved as a copy."""
    root = a
    while isinstance(root.base, np.ndarray):
        root = root.base
    if a.size == 0 or root.dtype != a.dtype:
        return None
    if root.flags.c_contiguous:
        block = root.reshape(-1)
    elif root.flags.f_contiguous:
        block = root.T.reshape(-1)  # the transpose is C-ordered: its flat order is memory order
    else:
        return None
    item = a.itemsize
    offset = a.__array_interface__["data"][0] - block.__array_interface__["data"][0]
    if offset < 0 or offset % item or any(s < 0 or s % item for s in a.strides):
        return None
    offset //= item
    strides = tuple(s // item for s in a.strides)
    if offset + sum((n - 1) * s for n, s in zip(a.shape, strides)) >= block.size:
        return None
    return root, block, offset, strides


def _contiguous_strides(shape) -> tuple:
    strides, step = [], 1
    for n in reversed(shape):
        strides.append(step)
        step *= max(n, 1)
    return tuple(reversed(strides))


class _Pickler:
    """Emits exactly the opcodes torch.save does for the types torch.load(weights_only=True)
    accepts, and refuses every other type up front."""

    def __init__(self) -> None:
        self.out = bytearray(b"\x80\x02")  # PROTO 2
        self.memo: dict[int, tuple[int, Any]] = {}  # id -> (index, obj): the obj is kept alive
        # so its id stays unique
        self.storages: dict[int, tuple[str, np.ndarray, np.ndarray]] = {}  # id(root array) ->
        # (key, flat block, root array)
        self.parameter = _parameter_class()

    def dump(self, obj) -> bytes:
        self.save(obj)
        self.out += b"."  # STOP
        return bytes(self.out)

    def _put(self, obj) -> None:
        index = len(self.memo)
        self.memo[id(obj)] = (index, obj)
        self.out += b"q" + bytes([index]) if index < 256 else b"r" + struct.pack("<I", index)

    def _global(self, module: str, name: str) -> None:
        self.out += f"c{module}\n{name}\n".encode()

    def _int(self, n: int) -> None:
        if 0 <= n < 256:
            self.out += b"K" + bytes([n])
        elif 0 <= n < 65536:
            self.out += b"M" + struct.pack("<H", n)
        elif -(2**31) <= n < 2**31:
            self.out += b"J" + struct.pack("<i", n)
        else:
            data = n.to_bytes(n.bit_length() // 8 + 1, "little", signed=True)
            self.out += (b"\x8a" + bytes([len(data)]) if len(data) < 256
                         else b"\x8b" + struct.pack("<i", len(data))) + data  # fmt: skip

    def save(self, obj) -> None:
        t = type(obj)
        if obj is None:
            self.out += b"N"
        elif t is bool:
            self.out += b"\x88" if obj else b"\x89"
        elif t is int:
            self._int(obj)
        elif t is float:
            self.out += b"G" + struct.pack(">d", obj)
        elif t is str:
            data = obj.encode("utf-8", "surrogatepass")
            self.out += b"X" + struct.pack("<I", len(data)) + data
        elif id(obj) in self.memo:
            index = self.memo[id(obj)][0]
            self.out += b"h" + bytes([index]) if index < 256 else b"j" + struct.pack("<I", index)
        elif t is list:
            self.out += b"]"
            self._put(obj)
            if obj:
                self.out += b"("
                for item in obj:
                    self.save(item)
                self.out += b"e"  # APPENDS
        elif t is dict or t is OrderedDict:
            if t is dict:
                self.out += b"}"
            else:
                self._global("collections", "OrderedDict")
                self.out += b")R"
            self._put(obj)
            if obj:
                self.out += b"("
                for key, value in obj.items():
                    self.save(key)
                    self.save(value)
                self.out += b"u"  # SETITEMS
            if t is OrderedDict and vars(obj):  # a state_dict's _metadata travels as state
                self.save(dict(vars(obj)))
                self.out += b"b"  # BUILD
        elif t is tuple:
            if not obj:
                self.out += b")"
                return
            if len(obj) > 3:
                self.out += b"("
            for item in obj:
                self.save(item)
            self.out += b"t" if len(obj) > 3 else bytes([0x84 + len(obj)])  # TUPLE, TUPLE1..3
            self._put(obj)
        elif isinstance(obj, Tensor):
            self._tensor(obj)
        elif t is _dtype.dtype:
            self._global("torch", obj._name)
        else:
            self._reduced(obj)

    def _reduced(self, obj) -> None:
        t = type(obj)
        args: tuple
        if t is Size:
            call, args = ("torch", "Size"), (tuple(obj),)
        elif t is device:
            call = ("torch", "device")
            args = (obj.type,) if obj.index is None else (obj.type, obj.index)
        elif t is set:
            call, args = ("__builtin__", "set"), (list(obj),)
        elif t is complex:
            call, args = ("__builtin__", "complex"), (obj.real, obj.imag)
        elif t is bytes:  # protocol 2 has no bytes opcode that Python 2 could read
            call, args = ("_codecs", "encode"), (obj.decode("latin1"), "latin1")
        elif t is bytearray:
            call, args = ("__builtin__", "bytearray"), (bytes(obj),)
        else:
            raise TypeError(
                f"mytorch.save cannot save an object of type {t.__module__}.{t.__qualname__}: "
                "only tensors, dtypes, Size, device, dicts (OrderedDict too), lists, tuples, "
                "sets, numbers, strings, bytes and None, which torch.load(weights_only=True) "
                "also reads (for numpy values use .item() or mytorch.from_numpy)"
            )
        self._global(*call)
        self.save(args)
        self.out += b"R"
        self._put(obj)

    def _tensor(self, t: Tensor) -> None:
        param = self.parameter is not None and isinstance(t, self.parameter)
        if param:
            self._global("torch._utils", "_rebuild_parameter")
        a = np.asarray(t._data)
        placed = _storage_of(a)
        if placed is None:
            block = np.ascontiguousarray(a).reshape(-1)
            placed = block, block, 0, _contiguous_strides(a.shape)
        root, block, offset, strides = placed
        if id(root) not in self.storages:
            # NOTE: keyed by the root array, so views of one array land in one storage; the
            # entry keeps the root alive, so its id cannot be reused while saving
            self.storages[id(root)] = (str(len(self.storages)), block, root)
        key = self.storages[id(root)][0]
        self._global("torch._utils", "_rebuild_tensor_v2")
        self.out += b"(("
        self.save("storage")
        self._global("torch", _dtype._FROM_NP[a.dtype]._title + "Storage")
        self.save(key)
        self.save("cpu")
        self.save(int(block.size))
        self.out += b"tQ"  # the storage tuple, a persistent id
        self.save(offset)
        self.save(tuple(int(n) for n in a.shape))
        self.save(strides)
        self.save(bool(t.requires_grad) and not param)
        self._global("collections", "OrderedDict")
        self.out += b")Rt"
        self.out += b"R"
        if param:
            self.save(bool(t.requires_grad))
            self._global("collections", "OrderedDict")
            self.out += b")R\x87R"  # TUPLE3 of (tensor, requires_grad, hooks), then the call
        self._put(t)


def _open(f: FileLike, mode: str) -> tuple[IO[bytes], bool]:
    """The stream for `f`, and whether it was opened here (then the caller closes it)."""
    if isinstance(f, (str, os.PathLike)):
        return open(f, mode), True
    return f, False


def save(obj: object, f: FileLike, pickle_module: Any = pickle, pickle_protocol: int = 2,
         _use_new_zipfile_serialization: bool = True,
         _disable_byteorder_record: bool = False) -> None:  # fmt: skip
    """Mirrors `torch.save`, writing torch's zip format (`torch.load` reads the file).

    Only what `torch.load(weights_only=True)` accepts can be saved: tensors (Parameters stay
    Parameters, other subclasses become Tensors), dtypes, Size, device, dict, OrderedDict, list,
    tuple, set, numbers, strings, bytes and None; anything else raises TypeError before the
    file is touched. Only `pickle_protocol=2` (torch's default) and the zip format are written.
    """
    if pickle_module is not pickle:
        raise NotImplementedError("pickle_module: mytorch.save writes its pickles itself")
    if pickle_protocol != 2:
        raise NotImplementedError(f"pickle_protocol={pickle_protocol}: only 2 is written")
    if not _use_new_zipfile_serialization:
        raise NotImplementedError("_use_new_zipfile_serialization=False (the legacy format)")
    pickler = _Pickler()
    data_pkl = pickler.dump(obj)
    import hashlib  # here, not at import: it loads OpenSSL, which `import mytorch` needn't

    serialization_id = int.from_bytes(hashlib.sha1(data_pkl).digest(), "big") % 10**40
    records: list[tuple[str, bytes | np.ndarray]] = [
        ("data.pkl", data_pkl), (".format_version", b"1"), (".storage_alignment", b"64")
    ]  # fmt: skip
    if not _disable_byteorder_record:
        records.append(("byteorder", b"little"))
    for key, block, _ in pickler.storages.values():
        little = block.astype(block.dtype.newbyteorder("<"), copy=False)
        records.append((f"data/{key}", little.view(np.uint8)))
    records += [("version", b"3\n"), (".data/serialization_id", b"%040d" % serialization_id)]
    stream, opened = _open(f, "wb")
    try:
        writer = _ZipWriter(stream)
        for name, data in records:
            writer.write_record("archive/" + name, data)
        writer.finish()
    finally:
        if opened:
            stream.close()


# ---- load: an opcode interpreter that can only build safe objects -------------------------------

_CUDA_MESSAGE = (
    "Attempting to deserialize object on a CUDA device but mytorch runs on the CPU only. Use "
    "mytorch.load with map_location=mytorch.device('cpu') to map your storages to the CPU."
)


class _StorageType:
    """What `torch.FloatStorage` and friends resolve to: the dtype of a persistent storage."""

    __slots__ = ("dtype",)

    def __init__(self, dt: _dtype.dtype) -> None:
        self.dtype = dt


class _Storage:
    """A loaded storage: a 1-D array that the tensors built on it view."""

    __slots__ = ("array", "location")

    def __init__(self, array: np.ndarray, location: str) -> None:
        self.array = array
        self.location = location


def _index(v, what: str) -> int:
    if type(v) is not int or v < 0:
        raise pickle.UnpicklingError(f"invalid tensor {what}: {v!r}")
    return v


def _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, backward_hooks,
                       metadata=None) -> Tensor:  # fmt: skip
    if type(storage) is not _Storage:
        raise pickle.UnpicklingError("_rebuild_tensor_v2 expects a storage from the checkpoint")
    if type(size) is not tuple or type(stride) is not tuple or len(size) != len(stride):
        raise pickle.UnpicklingError(f"invalid tensor size {size!r} or stride {stride!r}")
    offset = _index(storage_offset, "storage offset")
    shape = tuple(_index(n, "size") for n in size)
    strides = tuple(_index(s, "stride") for s in stride)
    base = storage.array
    # NOTE: checked here for a clear message; numpy would refuse an out-of-bounds view too
    if 0 not in shape and offset + sum((n - 1) * s for n, s in zip(shape, strides)) >= base.size:
        raise RuntimeError(
            f"the checkpoint describes a tensor of size {list(shape)} and stride "
            f"{list(strides)} at offset {offset} that does not fit its storage of "
            f"{base.size} elements"
        )
    if 0 in shape:
        data = np.empty(shape, base.dtype)
    else:  # a view whose .base is the storage, so saving it again shares the storage again
        item = base.itemsize
        data = np.ndarray(shape, base.dtype, base, offset * item, tuple(s * item for s in strides))
    grad = bool(requires_grad) and data.dtype.kind == "f"
    return Tensor._make(data, grad)


def _rebuild_parameter(data, requires_grad, backward_hooks):
    if not isinstance(data, Tensor):
        raise pickle.UnpicklingError("_rebuild_parameter expects a tensor")
    parameter = _parameter_class()
    if parameter is None:
        return data.requires_grad_(bool(requires_grad))
    return parameter(data, bool(requires_grad))


def _rebuild_size(dims=()):
    return Size(_index(d, "size") for d in dims)


def _rebuild_device(type_, index=None):
    return device(str(type_), index)


def _codecs_encode(text, encoding="utf-8"):
    if type(text) is not str or encoding not in ("latin1", "latin-1"):
        raise pickle.UnpicklingError("_codecs.encode is allowed only for latin1 bytes")
    return text.encode("latin1")


def _bytearray(data=b""):
    if type(data) is not bytes:  # bytearray(10**12) would allocate whatever the file asks
        raise pickle.UnpicklingError("bytearray is allowed only from bytes")
    return bytearray(data)


def _set(items=()):
    return set(items)


def _complex(real=0.0, imag=0.0):
    if not all(type(x) in (int, float) for x in (real, imag)):
        raise pickle.UnpicklingError("complex is allowed only from two numbers")
    return complex(real, imag)


def _ordered_dict(items=()):
    return OrderedDict(items)


_CALLABLES = {
    ("collections", "OrderedDict"): _ordered_dict,
    ("torch._utils", "_rebuild_tensor_v2"): _rebuild_tensor_v2,
    ("torch._utils", "_rebuild_parameter"): _rebuild_parameter,
    ("torch", "Size"): _rebuild_size,
    ("torch", "device"): _rebuild_device,
    ("_codecs", "encode"): _codecs_encode,
}
for _module in ("builtins", "__builtin__"):
    _CALLABLES[(_module, "set")] = _set
    _CALLABLES[(_module, "complex")] = _complex
    _CALLABLES[(_module, "bytearray")] = _bytearray
_SAFE_CALLS = tuple(set(_CALLABLES.values()))
_STORAGES = {d._title + "Storage": _StorageType(d) for d in _dtype.ALL}
_DTYPES = {name: d for name, d in vars(_dtype).items() if isinstance(d, _dtype.dtype)}
_UNSUPPORTED_STORAGES = {
    "BFloat16Storage": "bfloat16", "ComplexFloatStorage": "complex64",
    "ComplexDoubleStorage": "complex128", "ComplexHalfStorage": "complex32",
}  # fmt: skip


def _find_class(module: str, name: str):
    """The allow-list: the few globals a checkpoint of tensors and containers needs."""
    if (module, name) in _CALLABLES:
        return _CALLABLES[(module, name)]
    if module == "torch" and name in _STORAGES:
        return _STORAGES[name]
    if module == "torch" and name in _DTYPES:
        return _DTYPES[name]
    if module == "torch" and (name in _UNSUPPORTED_STORAGES or name.endswith("Storage")):
        kind = _UNSUPPORTED_STORAGES.get(name, name)
        raise pickle.UnpicklingError(
            f"the checkpoint holds tensors stored as torch.{name} ({kind}), a dtype mytorch "
            "does not have"
        )
    raise pickle.UnpicklingError(
        f"Weights only load failed: mytorch.load never runs code from a file, and the "
        f"checkpoint asks for the unsupported GLOBAL {module}.{name}. Only tensors, "
        "dtypes, Size, device, dicts, OrderedDicts, lists, tuples, sets, numbers, strings, "
        "bytes and None can be loaded."
    )


class _Unpickler:
    """Runs the pickle opcodes that checkpoints use (protocols 2 to 5) on an explicit stack.

    Unlike `pickle.Unpickler`, which calls whatever a REDUCE, BUILD, APPEND or NEWOBJ names,
    this one calls only allow-listed functions, appends only to lists, sets items only on dicts
    and applies BUILD only as OrderedDict attributes (a state_dict's `_metadata`).
    """

    def __init__(self, data: bytes, persistent_load) -> None:
        self._data = data
        self._pos = 0
        self._persistent_load = persistent_load

    def _read(self, n: int) -> bytes:
        end = self._pos + n
        if n < 0 or end > len(self._data):
            raise pickle.UnpicklingError("pickle data was truncated")
        out = self._data[self._pos : end]
        self._pos = end
        return out

    def _line(self) -> str:
        end = self._data.find(b"\n", self._pos)
        if end < 0:
            raise pickle.UnpicklingError("pickle data was truncated")
        out = self._data[self._pos : end].decode("ascii")
        self._pos = end + 1
        return out

    def _unpack(self, fmt: str):
        return struct.unpack(fmt, self._read(struct.calcsize(fmt)))[0]

    def load(self):
        try:
            return self._run()
        except pickle.UnpicklingError:
            raise
        except (IndexError, KeyError, TypeError, ValueError, struct.error) as e:
            raise pickle.UnpicklingError(f"malformed pickle in the checkpoint: {e}") from None

    def _run(self):  # noqa: C901 - one branch per opcode reads best as one table
        stack, marks, memo = [], [], {}
        while True:
            op = self._read(1)
            if op == b"\x80":  # PROTO
                if self._read(1)[0] > 5:
                    raise pickle.UnpicklingError("unsupported pickle protocol")
            elif op == b"\x95":  # FRAME: a read-ahead hint only
                self._read(8)
            elif op == b".":  # STOP
                return stack.pop()
            elif op == b"(":  # MARK
                marks.append(stack)
                stack = []
            elif op == b"0":  # POP
                if stack:
                    stack.pop()
                else:
                    stack = marks.pop()
            elif op == b"1":  # POP_MARK
                stack = marks.pop()
            elif op == b"2":  # DUP
                stack.append(stack[-1])
            elif op == b"N":
                stack.append(None)
            elif op == b"\x88":
                stack.append(True)
            elif op == b"\x89":
                stack.append(False)
            elif op == b"K":
                stack.append(self._read(1)[0])
            elif op == b"M":
                stack.append(self._unpack("<H"))
            elif op == b"J":
                stack.append(self._unpack("<i"))
            elif op in (b"\x8a", b"\x8b"):  # LONG1, LONG4
                n = self._read(1)[0] if op == b"\x8a" else self._unpack("<i")
                stack.append(int.from_bytes(self._read(n), "little", signed=True))
            elif op == b"G":
                stack.append(self._unpack(">d"))
            elif op in (b"X", b"\x8c", b"\x8d"):  # BINUNICODE, SHORT_BINUNICODE, BINUNICODE8
                n = self._unpack({b"X": "<I", b"\x8c": "<B", b"\x8d": "<Q"}[op])
                stack.append(self._read(n).decode("utf-8", "surrogatepass"))
            elif op in (b"B", b"C", b"\x8e", b"\x96"):  # BINBYTES, SHORT_, 8, BYTEARRAY8
                n = self._unpack({b"B": "<I", b"C": "<B", b"\x8e": "<Q", b"\x96": "<Q"}[op])
                data = self._read(n)
                stack.append(bytearray(data) if op == b"\x96" else data)
            elif op == b"}":
                stack.append({})
            elif op == b"]":
                stack.append([])
            elif op == b")":
                stack.append(())
            elif op == b"\x8f":  # EMPTY_SET
                stack.append(set())
            elif op == b"t":
                items, stack = stack, marks.pop()
                stack.append(tuple(items))
            elif op in (b"\x85", b"\x86", b"\x87"):  # TUPLE1..3
                n = op[0] - 0x84
                items = tuple(stack[-n:])
                del stack[-n:]
                stack.append(items)
            elif op == b"l":  # LIST
                items, stack = stack, marks.pop()
                stack.append(items)
            elif op == b"d":  # DICT
                items, stack = stack, marks.pop()
                stack.append(dict(zip(items[::2], items[1::2])))
            elif op == b"\x91":  # FROZENSET
                items, stack = stack, marks.pop()
                stack.append(frozenset(items))
            elif op in (b"a", b"e"):  # APPEND, APPENDS
                if op == b"a":
                    items = [stack.pop()]
                else:
                    items, stack = stack, marks.pop()
                if type(stack[-1]) is not list:
                    raise pickle.UnpicklingError("APPEND is allowed only on lists")
                stack[-1].extend(items)
            elif op in (b"s", b"u"):  # SETITEM, SETITEMS
                if op == b"s":
                    items = stack[-2:]
                    del stack[-2:]
                else:
                    items, stack = stack, marks.pop()
                target = stack[-1]
                if type(target) not in (dict, OrderedDict):
                    raise pickle.UnpicklingError("SETITEM is allowed only on dicts")
                for i in range(0, len(items) - 1, 2):
                    target[items[i]] = items[i + 1]
            elif op == b"\x90":  # ADDITEMS
                items, stack = stack, marks.pop()
                if type(stack[-1]) is not set:
                    raise pickle.UnpicklingError("ADDITEMS is allowed only on sets")
                stack[-1].update(items)
            elif op == b"c":  # GLOBAL
                module = self._line()
                stack.append(_find_class(module, self._line()))
            elif op == b"\x93":  # STACK_GLOBAL
                name, module = stack.pop(), stack.pop()
                if type(name) is not str or type(module) is not str:
                    raise pickle.UnpicklingError("STACK_GLOBAL requires str")
                stack.append(_find_class(module, name))
            elif op == b"R":  # REDUCE
                args = stack.pop()
                func = stack[-1]
                if not any(func is c for c in _SAFE_CALLS) or type(args) is not tuple:
                    raise pickle.UnpicklingError(f"REDUCE on {type(func).__name__} is not allowed")
                stack[-1] = func(*args)
            elif op == b"b":  # BUILD
                state = stack.pop()
                target = stack[-1]
                if (
                    type(target) is not OrderedDict
                    or type(state) is not dict
                    or not all(type(k) is str and not k.startswith("__") for k in state)
                ):
                    raise pickle.UnpicklingError(
                        f"BUILD on {type(target).__name__} is not allowed (only attributes of "
                        "an OrderedDict)"
                    )
                vars(target).update(state)
            elif op == b"Q":  # BINPERSID
                stack.append(self._persistent_load(stack.pop()))
            elif op in (b"q", b"r", b"\x94"):  # BINPUT, LONG_BINPUT, MEMOIZE
                index = {b"q": lambda: self._read(1)[0], b"r": lambda: self._unpack("<I"),
                         b"\x94": lambda: len(memo)}[op]()  # fmt: skip
                memo[index] = stack[-1]
            elif op in (b"h", b"j"):  # BINGET, LONG_BINGET
                index = self._read(1)[0] if op == b"h" else self._unpack("<I")
                if index not in memo:
                    raise pickle.UnpicklingError(f"memo value {index} not found")
                stack.append(memo[index])
            else:
                raise pickle.UnpicklingError(
                    f"unsupported pickle opcode {op!r} at byte {self._pos - 1} of data.pkl "
                    "(mytorch.load reads the binary pickle protocols 2 to 5 torch.save writes)"
                )


def _target_location(map_location, location: str, storage: _Storage) -> str:
    if map_location is None:
        return location
    if isinstance(map_location, dict):
        return str(map_location.get(location, location))
    if isinstance(map_location, (str, device)):
        return str(map_location)
    if callable(map_location):
        if map_location(storage, location) is storage:
            return "cpu"
        raise NotImplementedError("map_location: a callable may only return the storage as is")
    raise TypeError(f"map_location: expected str, device, dict or callable, got {map_location!r}")


def _native(raw, file_dtype: np.dtype) -> np.ndarray:
    """A writable array in native byte order from bytes stored as `file_dtype`."""
    array = np.frombuffer(bytearray(raw), file_dtype)  # bytearray: a fast, writable copy
    return array if file_dtype.isnative else array.astype(file_dtype.newbyteorder("="))


def _read_record(zf: zipfile.ZipFile, name: str) -> bytes:
    import zipfile

    try:
        return zf.read(name)
    except KeyError:
        raise RuntimeError(f"the checkpoint has no record {name!r}: it is incomplete") from None
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, struct.error) as e:
        raise RuntimeError(
            f"failed reading record {name!r} of the checkpoint ({e}): the file is corrupt or "
            "truncated"
        ) from None


def _load_zip(zf: zipfile.ZipFile, map_location):
    names = zf.namelist()
    prefix = names[0].split("/", 1)[0] if names else ""
    if f"{prefix}/data.pkl" not in names:
        kind = "a TorchScript archive" if f"{prefix}/constants.pkl" in names else "not a checkpoint"
        raise RuntimeError(f"the zip archive has no {prefix}/data.pkl record ({kind})")
    byteorder = "little"
    if f"{prefix}/byteorder" in names:
        byteorder = _read_record(zf, f"{prefix}/byteorder").decode().strip()
        if byteorder not in ("little", "big"):
            raise RuntimeError(f"the checkpoint has an unknown byteorder {byteorder!r}")
    storages: dict[str, _Storage] = {}

    def persistent_load(pid):
        if type(pid) is not tuple or len(pid) != 5 or pid[0] != "storage":
            raise pickle.UnpicklingError(f"unsupported persistent id {pid!r}")
        _, storage_type, key, location, numel = pid
        if type(storage_type) is not _StorageType or type(key) is not str:
            raise pickle.UnpicklingError(f"unsupported persistent id {pid!r}")
        if key in storages:
            return storages[key]
        dt = storage_type.dtype._np
        raw = _read_record(zf, f"{prefix}/data/{key}")
        if len(raw) != _index(numel, "storage size") * dt.itemsize:
            raise RuntimeError(
                f"storage {key} of the checkpoint holds {len(raw)} bytes, not the {numel} "
                f"elements of {dt.itemsize} bytes its tensors expect: the file is corrupt"
            )
        array = _native(raw, dt.newbyteorder("<" if byteorder == "little" else ">"))
        storage = _Storage(array, str(location))
        target = _target_location(map_location, storage.location, storage)
        if target.startswith("cuda"):
            raise RuntimeError(_CUDA_MESSAGE)
        if device(target).type != "cpu":
            raise NotImplementedError(f"map_location: {target!r}: mytorch loads to 'cpu' only")
        storages[key] = storage
        return storage

    return _Unpickler(_read_record(zf, f"{prefix}/data.pkl"), persistent_load).load()


def load(f: FileLike, map_location: Any = None, pickle_module: Any = None, *,
         weights_only: bool | None = None, mmap: bool | None = None,
         **pickle_load_args: Any) -> Any:  # fmt: skip
    """Mirrors `torch.load` for checkpoints in torch's zip format, always as weights_only=True.

    Reading never runs code from the file: `weights_only=False` is accepted but changes
    nothing, and what the allow-list refuses raises `pickle.UnpicklingError`. Storages load to
    the CPU (`map_location` may map "cuda" locations to "cpu"); `mmap=True` and the legacy
    (pre-1.6) format are not supported. Records are CRC-checked, which torch does not do.
    """
    if pickle_module is not None:
        raise RuntimeError("Can not safely load weights when explicit pickle_module is specified")
    if mmap:
        raise NotImplementedError("mmap=True is not supported")
    unknown = set(pickle_load_args) - {"encoding"}  # encoding only affects Python 2 strings
    if unknown:
        raise NotImplementedError(f"mytorch.load does not support {sorted(unknown)[0]}=")
    stream, opened = _open(f, "rb")
    try:
        return _load_stream(stream, map_location)
    finally:
        if opened:
            stream.close()


def _load_stream(f, map_location):
    import zipfile  # here, not at import: `import mytorch` stays light

    seekable = getattr(f, "seekable", lambda: False)()
    if not seekable:
        f = io.BytesIO(f.read())
    start = f.tell()
    magic = f.read(4)
    f.seek(start)
    if not magic:
        raise EOFError("Ran out of input: the checkpoint file is empty")
    if not magic.startswith(b"PK"):
        raise pickle.UnpicklingError(
            "Weights only load failed: the file is not a zip archive, so it is not a checkpoint "
            "in torch's zip format (the legacy pre-1.6 torch.save format and plain pickles are "
            "not supported)"
        )
    try:
        zf = zipfile.ZipFile(f)
    except (zipfile.BadZipFile, OSError, EOFError, struct.error) as e:
        raise RuntimeError(
            f"failed reading zip archive: {e}. The checkpoint is truncated or corrupt: it may "
            "not have been saved completely or was damaged in transfer."
        ) from None
    with zf:
        return _load_zip(zf, map_location)


# ---- safetensors --------------------------------------------------------------------------------

_ST_DTYPES = {
    _dtype.bool: "BOOL", _dtype.uint8: "U8", _dtype.int8: "I8", _dtype.int16: "I16",
    _dtype.int32: "I32", _dtype.int64: "I64", _dtype.float16: "F16", _dtype.float32: "F32",
    _dtype.float64: "F64",
}  # fmt: skip
_ST_FROM_NAME = {name: d for d, name in _ST_DTYPES.items()}
_ST_MAX_HEADER = 100_000_000  # the reference implementation's limit


def save_safetensors(
    tensors: dict[str, Tensor], path: FileLike, metadata: dict[str, str] | None = None
) -> None:
    """Writes `tensors` (a dict of str -> Tensor) in the safetensors format.

    Mirrors `safetensors.torch.save_file(tensors, filename, metadata=None)`: an 8-byte
    little-endian header length, a JSON header of dtype/shape/data_offsets (padded with spaces
    to 8 bytes), then the raw little-endian data. `path` may also be a binary file object.
    Tensors that share memory are written as separate copies.
    """
    if not isinstance(tensors, dict):
        raise TypeError(f"tensors must be a dict of str -> Tensor, got {type(tensors).__name__}")
    if metadata is not None and not (
        isinstance(metadata, dict)
        and all(isinstance(k, str) and isinstance(v, str) for k, v in metadata.items())
    ):
        raise TypeError("metadata must be a dict of str -> str")
    for name, t in tensors.items():
        if not isinstance(name, str) or name == "__metadata__":
            raise TypeError(f"tensor names must be str other than '__metadata__', got {name!r}")
        if not isinstance(t, Tensor):
            raise TypeError(f"{name!r} is a {type(t).__name__}, not a Tensor")
    # largest items first keeps every tensor aligned to its itemsize, as the reference writer does
    order = sorted(tensors, key=lambda k: (-tensors[k].element_size(), k))
    header: dict[str, Any] = {}
    arrays: list[np.ndarray] = []
    offset = 0
    if metadata is not None:
        header["__metadata__"] = metadata
    for name in order:
        t = tensors[name]
        a = np.asarray(t._data)  # not ascontiguousarray: that turns 0-d into 1-d
        a = a.astype(a.dtype.newbyteorder("<"), order="C", copy=False)
        header[name] = {
            "dtype": _ST_DTYPES[t.dtype],
            "shape": list(a.shape),
            "data_offsets": [offset, offset + a.nbytes],
        }
        arrays.append(a.reshape(-1).view(np.uint8))
        offset += a.nbytes
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    out, opened = _open(path, "wb")
    try:
        out.write(struct.pack("<Q", len(text)))
        out.write(text)
        for a in arrays:
            out.write(a.data)
    finally:
        if opened:
            out.close()


def _st_error(msg: str) -> RuntimeError:
    return RuntimeError(f"invalid safetensors file: {msg}")


def load_safetensors(path: FileLike) -> dict[str, Tensor]:
    """Reads a safetensors file into a dict of str -> Tensor (in the file's data order).

    Mirrors `safetensors.torch.load_file(filename)` on the CPU; the header is validated as the
    reference implementation does (known dtypes, offsets that tile the data exactly).
    `path` may also be a binary file object.
    """
    stream, opened = _open(path, "rb")
    try:
        raw = stream.read()
    finally:
        if opened:
            stream.close()
    if len(raw) < 8:
        raise _st_error("shorter than the 8-byte header length")
    (n,) = struct.unpack("<Q", raw[:8])
    if n > _ST_MAX_HEADER or 8 + n > len(raw):
        raise _st_error(f"header length {n} is larger than the file allows")
    try:
        header = json.loads(raw[8 : 8 + n].decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as e:
        raise _st_error(f"the header is not valid JSON ({e})") from None
    if not isinstance(header, dict):
        raise _st_error("the header is not a JSON object")
    header.pop("__metadata__", None)
    data = memoryview(raw)[8 + n :]
    entries = []
    for name, info in header.items():
        try:
            dt = _ST_FROM_NAME[info["dtype"]]
            shape = tuple(info["shape"])
            begin, end = info["data_offsets"]
        except (KeyError, TypeError, ValueError):
            raise _st_error(f"bad or unsupported entry for {name!r}: {info!r}") from None
        if not all(type(v) is int and v >= 0 for v in (*shape, begin, end)):
            raise _st_error(f"bad shape or offsets for {name!r}")
        if end - begin != int(np.prod(shape, dtype=np.int64)) * dt.itemsize:
            raise _st_error(f"{name!r}: data_offsets do not match its shape and dtype")
        entries.append((begin, end, name, dt, shape))
    entries.sort(key=lambda e: (e[0], e[1]))
    position = 0
    for begin, end, name, *_ in entries:
        if begin != position:
            raise _st_error(f"{name!r}: tensors overlap or leave a gap in the data")
        position = end
    if position != len(data):
        raise _st_error(f"the data holds {len(data)} bytes but the header describes {position}")
    out = {}
    for begin, end, name, dt, shape in entries:
        array = _native(data[begin:end], dt._np.newbyteorder("<"))
        out[name] = Tensor._make(array.reshape(shape))
    return out
