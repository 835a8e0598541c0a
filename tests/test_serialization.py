"""mytorch.save/load against torch.save/load (both directions, weights_only=True on torch's side),
the refusal of pickles that would run code, damaged files, and safetensors."""

import collections
import io
import os
import pickle
import struct
import zipfile

import numpy as np
import pytest
import torch

import mytorch
from mytorch import serialization

DTYPES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32", "float64"]


def _np(t):
    return np.array(t.detach().numpy())


def _sample(lib, dtype_name, shape=(2, 3)):
    data = (np.arange(np.prod(shape)).reshape(shape) % 5 - 2).astype(dtype_name)
    return lib.from_numpy(data)


def assert_same_tensor(m, t):
    assert isinstance(m, mytorch.Tensor) and isinstance(t, torch.Tensor)
    assert str(m.dtype).split(".")[-1] == str(t.dtype).split(".")[-1]
    assert tuple(m.shape) == tuple(t.shape)
    assert m.requires_grad == t.requires_grad
    np.testing.assert_array_equal(_np(m), _np(t))


def assert_same_tree(m, t):
    if isinstance(t, torch.Tensor):
        assert_same_tensor(m, t)
    elif isinstance(t, dict):
        assert type(m) is type(t) and list(m) == list(t)
        for k in t:
            assert_same_tree(m[k], t[k])
    elif isinstance(t, (list, tuple)):
        assert type(m) is type(t) and len(m) == len(t)
        for a, b in zip(m, t):
            assert_same_tree(a, b)
    else:
        assert m == t


def _shares_memory(a, b):
    return np.shares_memory(a.numpy(), b.numpy())


def _objects(lib):
    """The same checkpoint built with either library."""
    x = lib.arange(24, dtype=lib.float32).reshape(2, 3, 4)
    state = collections.OrderedDict(
        [("layer.weight", lib.ones(3, 2)), ("layer.bias", lib.zeros(3)), ("steps", lib.tensor(7))]
    )
    return {
        "state": state,
        "tensors": {name: _sample(lib, name) for name in DTYPES},
        "views": [x, x.permute(2, 0, 1), x[1], x[:, 1:, ::2], x.transpose(0, 2)[::2]],
        "scalar": lib.tensor(3.5),
        "empty": lib.zeros(0, 3),
        "nested": [1, (2.5, None, "s"), {"k": [True, False]}, -(2**40), 2**70],
        "epoch": 3,
        "lr": 1e-3,
        "name": "model ü",
        "bytes": b"\x00\xff",
        "set": {1, 2},
        "complex": 1 + 2j,
        "dtype": lib.float64,
        "size": lib.Size([2, 3]),
        "device": lib.device("cpu"),
    }


# ---- round trips -----------------------------------------------------------------------------


def test_mytorch_round_trip(tmp_path):
    obj = _objects(mytorch)
    mytorch.save(obj, tmp_path / "a.pt")
    back = mytorch.load(tmp_path / "a.pt")
    assert back.keys() == obj.keys()
    for name in DTYPES:
        t = back["tensors"][name]
        assert t.dtype is getattr(mytorch, name)
        np.testing.assert_array_equal(t.numpy(), obj["tensors"][name].numpy())
    for a, b in zip(back["views"], obj["views"]):
        assert a.shape == b.shape and a.stride() == b.stride()
        np.testing.assert_array_equal(a.numpy(), b.numpy())
    views = back["views"]
    assert all(_shares_memory(views[0], v) for v in views[1:])  # one storage, as saved
    assert back["nested"] == obj["nested"]
    assert back["dtype"] is mytorch.float64 and back["size"] == mytorch.Size([2, 3])
    assert type(back["size"]) is mytorch.Size and back["device"] == mytorch.device("cpu")
    assert back["bytes"] == b"\x00\xff" and back["set"] == {1, 2} and back["complex"] == 1 + 2j
    assert type(back["state"]) is collections.OrderedDict


def test_file_objects_and_requires_grad():
    buf = io.BytesIO()
    w = mytorch.ones(2, requires_grad=True)
    mytorch.save({"w": w, "y": w * 2, "again": w}, buf)
    buf.seek(0)
    back = mytorch.load(buf)
    assert back["w"].requires_grad and back["w"].is_leaf and back["y"].requires_grad
    assert back["again"] is back["w"]  # one object saved twice loads as one object


def test_identical_saves_give_identical_bytes():
    a, b = io.BytesIO(), io.BytesIO()
    mytorch.save(_objects(mytorch)["state"], a)
    mytorch.save(_objects(mytorch)["state"], b)
    assert a.getvalue() == b.getvalue()


def test_parameters_and_state_dict_metadata_round_trip():
    model = mytorch.nn.Linear(3, 2)
    buf = io.BytesIO()
    mytorch.save({"p": model.weight, "sd": model.state_dict()}, buf)
    back = mytorch.load(io.BytesIO(buf.getvalue()))
    assert type(back["p"]) is mytorch.nn.Parameter and back["p"].requires_grad
    fresh = mytorch.nn.Linear(3, 2)
    fresh.load_state_dict(back["sd"])
    np.testing.assert_array_equal(fresh.weight.detach().numpy(), model.weight.detach().numpy())
    tback = torch.load(io.BytesIO(buf.getvalue()), weights_only=True)
    assert type(tback["p"]) is torch.nn.Parameter and tback["p"].requires_grad
    torch.nn.Linear(3, 2).load_state_dict(tback["sd"])


# ---- mytorch -> torch ------------------------------------------------------------------------


def test_torch_reads_mytorch_files(tmp_path):
    path = tmp_path / "m.pt"
    mytorch.save(_objects(mytorch), path)
    t = torch.load(path, weights_only=True)
    m = mytorch.load(path)
    for name in DTYPES:
        assert_same_tensor(m["tensors"][name], t["tensors"][name])
    for a, b in zip(m["views"], t["views"]):
        assert_same_tensor(a, b)
        assert a.stride() == b.stride()
    ptr = t["views"][0].untyped_storage().data_ptr()
    assert all(v.untyped_storage().data_ptr() == ptr for v in t["views"])  # storage shared
    assert_same_tree(m["state"], t["state"])
    assert t["nested"] == m["nested"] and t["bytes"] == b"\x00\xff" and t["set"] == {1, 2}
    assert t["dtype"] is torch.float64 and t["size"] == torch.Size([2, 3])
    assert t["device"] == torch.device("cpu") and t["complex"] == 1 + 2j
    assert torch.load(path, weights_only=True, mmap=True)["views"][0].sum().item() == 276


def test_torch_reads_mytorch_views_and_copies():
    base = mytorch.arange(10.0)
    flipped = mytorch.from_numpy(base.numpy()[::-1])  # negative strides: saved as a copy
    fortran = mytorch.from_numpy(np.asfortranarray(np.arange(6.0).reshape(2, 3)))
    expanded = base[:3].unsqueeze(0).expand(4, 3)  # stride 0
    buf = io.BytesIO()
    mytorch.save([base, flipped, fortran, expanded], buf)
    t = torch.load(io.BytesIO(buf.getvalue()), weights_only=True)
    np.testing.assert_array_equal(t[1].numpy(), np.arange(10.0)[::-1])
    np.testing.assert_array_equal(t[2].numpy(), np.arange(6.0).reshape(2, 3))
    assert t[2].stride() == (1, 2) and t[3].stride() == (0, 1)
    np.testing.assert_array_equal(t[3].numpy(), np.tile(np.arange(3.0), (4, 1)))


def test_records_are_torch_layout_and_64_byte_aligned():
    buf = io.BytesIO()
    mytorch.save({"a": mytorch.ones(3), "b": mytorch.ones(5, dtype=mytorch.int8)}, buf)
    data = buf.getvalue()
    zf = zipfile.ZipFile(io.BytesIO(data))
    names = zf.namelist()
    assert names[0] == "archive/data.pkl"
    assert {"archive/version", "archive/byteorder", "archive/data/0", "archive/data/1"} <= set(
        names
    )
    assert zf.read("archive/byteorder") == b"little" and zf.read("archive/version") == b"3\n"
    for info in zf.infolist():
        assert info.compress_type == zipfile.ZIP_STORED
        name_len, extra_len = struct.unpack("<HH", data[info.header_offset + 26 :][:4])
        assert (info.header_offset + 30 + name_len + extra_len) % 64 == 0


def test_zip64_records(monkeypatch):
    monkeypatch.setattr(serialization, "_ZIP64_LIMIT", 64)  # every size/offset past 64 is "big"
    obj = {"w": mytorch.arange(100.0), "b": mytorch.ones(3)}
    buf = io.BytesIO()
    mytorch.save(obj, buf)
    zf = zipfile.ZipFile(io.BytesIO(buf.getvalue()))
    assert zf.testzip() is None
    assert zf.getinfo("archive/data/0").file_size == 400
    for back in (mytorch.load(io.BytesIO(buf.getvalue())), torch.load(io.BytesIO(buf.getvalue()))):
        assert back["w"].tolist() == list(np.arange(100.0)) and back["b"].tolist() == [1.0] * 3


# ---- torch -> mytorch ------------------------------------------------------------------------


@pytest.mark.parametrize("protocol", [2, 4, 5])
def test_mytorch_reads_torch_files(tmp_path, protocol):
    path = tmp_path / "t.pt"
    obj = _objects(torch)
    obj["param"] = torch.nn.Parameter(torch.ones(2))
    obj["linear"] = torch.nn.Linear(3, 2).state_dict()
    torch.save(obj, path, pickle_protocol=protocol)
    with open(path, "rb") as f:
        m = mytorch.load(f)
    assert_same_tree(m["state"], obj["state"])
    for name in DTYPES:
        assert_same_tensor(m["tensors"][name], obj["tensors"][name])
    for a, b in zip(m["views"], obj["views"]):
        assert_same_tensor(a, b)
        assert a.stride() == b.stride()
    views = m["views"]
    views[0].numpy()[1, 0, 0] = 100.0  # views still share one storage, as in torch
    assert views[2][0, 0].item() == 100.0 and views[1][0, 1, 0].item() == 100.0
    assert_same_tensor(m["scalar"], obj["scalar"])
    assert_same_tensor(m["empty"], obj["empty"])
    assert m["nested"] == obj["nested"] and m["bytes"] == obj["bytes"]
    assert m["set"] == obj["set"] and m["complex"] == obj["complex"]
    assert m["dtype"] is mytorch.float64 and m["size"] == (2, 3)
    assert type(m["param"]) is mytorch.nn.Parameter and m["param"].requires_grad
    assert m["linear"]._metadata == obj["linear"]._metadata
    assert_same_tree(m["linear"], obj["linear"])


def test_loaded_views_are_saved_again_as_one_storage():
    x = torch.arange(12.0).reshape(3, 4)
    buf = io.BytesIO()
    torch.save({"x": x, "t": x.t(), "row": x[1]}, buf)
    again = io.BytesIO()
    mytorch.save(mytorch.load(io.BytesIO(buf.getvalue())), again)
    names = zipfile.ZipFile(io.BytesIO(again.getvalue())).namelist()
    assert [n for n in names if "/data/" in n] == ["archive/data/0"]
    t = torch.load(io.BytesIO(again.getvalue()), weights_only=True)
    assert t["t"].stride() == (1, 4) and t["row"].storage_offset() == 4
    assert t["t"].untyped_storage().data_ptr() == t["x"].untyped_storage().data_ptr()


def test_mytorch_reads_torch_expand_offset_and_requires_grad():
    x = torch.arange(12.0)
    obj = [x[3:].view(3, 3), x[:2].unsqueeze(1).expand(2, 5), torch.ones(2, requires_grad=True)]
    buf = io.BytesIO()
    torch.save(obj, buf)
    m = mytorch.load(io.BytesIO(buf.getvalue()))
    for a, b in zip(m, obj):
        assert_same_tensor(a, b)
        assert a.stride() == b.stride()


def test_map_location():
    buf = io.BytesIO()
    torch.save({"x": torch.ones(2)}, buf)
    data = buf.getvalue()
    for loc in ("cpu", mytorch.device("cpu"), {"cpu": "cpu"}, lambda storage, where: storage):
        assert mytorch.load(io.BytesIO(data), map_location=loc)["x"].tolist() == [1.0, 1.0]
    with pytest.raises(RuntimeError, match="CUDA"):
        mytorch.load(io.BytesIO(data), map_location="cuda")
    cuda = _rezip(
        data, lambda name, d: d.replace(b"X\x03\x00\x00\x00cpu", b"X\x06\x00\x00\x00cuda:0")
    )
    with pytest.raises(RuntimeError, match="Attempting to deserialize object on a CUDA device"):
        mytorch.load(io.BytesIO(cuda))
    with pytest.raises(RuntimeError, match="Attempting to deserialize object on a CUDA device"):
        torch.load(io.BytesIO(cuda), weights_only=True)
    back = mytorch.load(io.BytesIO(cuda), map_location={"cuda:0": "cpu"})
    assert back["x"].tolist() == [1.0, 1.0]


# ---- refusing code ---------------------------------------------------------------------------


def _rezip(data, edit):
    """A copy of the zip checkpoint `data` with each record passed through edit(name, bytes)."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as dst:
        for name in src.namelist():
            dst.writestr(name, edit(name, src.read(name)))
    return out.getvalue()


def _with_pickle(pkl: bytes) -> bytes:
    """A checkpoint in torch's layout whose data.pkl is `pkl`, written by hand."""
    buf = io.BytesIO()
    torch.save({"x": torch.ones(1)}, buf)
    return _rezip(buf.getvalue(), lambda name, d: pkl if name.endswith("data.pkl") else d)


class _RunsCommand:
    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


@pytest.mark.parametrize("protocol", [2, 4])
def test_malicious_reduce_is_refused_and_not_run(tmp_path, protocol):
    marker = tmp_path / "pwned"
    evil = _with_pickle(pickle.dumps({"x": _RunsCommand(marker)}, protocol=protocol))
    path = tmp_path / "evil.pt"
    path.write_bytes(evil)
    for weights_only in (True, False):  # False does not unlock code either
        with pytest.raises(pickle.UnpicklingError, match=f"{os.system.__module__}.system"):
            mytorch.load(path, weights_only=weights_only)
    assert not marker.exists()
    with pytest.raises(pickle.UnpicklingError):
        torch.load(path, weights_only=True)  # the file is well-formed: torch refuses it too
    assert not marker.exists()


def _op_pickle(*parts: bytes) -> bytes:
    return b"\x80\x02" + b"".join(parts) + b"."


def _glob(module, name):
    return f"c{module}\n{name}\n".encode()


def _str(s):
    return b"X" + struct.pack("<I", len(s)) + s.encode()


MALICIOUS = {
    "builtins_eval": _op_pickle(_glob("builtins", "eval"), _str("1+1"), b"\x85R"),
    "getattr": _op_pickle(_glob("__builtin__", "getattr"), b")R"),
    "numpy": _op_pickle(_glob("numpy.core.multiarray", "_reconstruct"), b")R"),
    "stack_global_system": b"\x80\x04" + _str("os") + _str("system") + b"\x93" + b".",
    "reduce_on_dtype": _op_pickle(_glob("torch", "float32"), b")R"),
    "reduce_on_storage_type": _op_pickle(_glob("torch", "FloatStorage"), b")R"),
    "build_on_function": _op_pickle(
        _glob("torch._utils", "_rebuild_tensor_v2"), b"}", _str("__defaults__"), b")sb"
    ),
    "build_on_tuple": _op_pickle(b")}b"),
    "build_dunder_on_ordered_dict": _op_pickle(
        _glob("collections", "OrderedDict"), b")R}", _str("__class__"), b"Nsb"
    ),
    "append_on_set": _op_pickle(_glob("__builtin__", "set"), b")RNa"),
    "setitem_on_list": _op_pickle(b"]NNs"),
    "newobj": _op_pickle(_glob("collections", "OrderedDict"), b")\x81"),
    "huge_bytearray": _op_pickle(_glob("__builtin__", "bytearray"), b"J\xff\xff\xff\x7f\x85R"),
    "codecs_other_encoding": _op_pickle(
        _glob("_codecs", "encode"), _str("x"), _str("rot13"), b"\x86R"
    ),
    "bad_persistent_id": _op_pickle(_str("storage"), b"\x85Q"),
    "missing_memo": _op_pickle(b"h\x05"),
    "truncated": b"\x80\x02X\xff\x00\x00\x00ab",
    "text_protocol_0": b"cos\nsystem\n(S'echo hi'\ntR.",
}


@pytest.mark.parametrize("name", MALICIOUS)
def test_crafted_pickles_are_refused(name):
    with pytest.raises(pickle.UnpicklingError):
        mytorch.load(io.BytesIO(_with_pickle(MALICIOUS[name])))


def test_refusal_does_not_touch_allowed_globals():
    before = serialization._rebuild_tensor_v2.__defaults__
    with pytest.raises(pickle.UnpicklingError):
        mytorch.load(io.BytesIO(_with_pickle(MALICIOUS["build_on_function"])))
    assert serialization._rebuild_tensor_v2.__defaults__ == before


def _tensor_pickle(offset, size, stride, numel=4):
    pid = b"(" + _str("storage") + _glob("torch", "FloatStorage") + _str("0") + _str("cpu")
    pid += b"K" + bytes([numel]) + b"tQ"
    ints = lambda xs: b"(" + b"".join(b"K" + bytes([x]) for x in xs) + b"t"  # noqa: E731
    return _op_pickle(
        _glob("torch._utils", "_rebuild_tensor_v2"), b"(", pid, b"K" + bytes([offset]),
        ints(size), ints(stride), b"\x89", _glob("collections", "OrderedDict"), b")Rt", b"R",
    )  # fmt: skip


def test_tensor_outside_its_storage_is_refused():
    ok = mytorch.load(io.BytesIO(_with_pickle(_tensor_pickle(0, [1], [1], numel=1))))
    assert ok.tolist() == [1.0]
    for offset, size, stride in ((0, [5], [1]), (1, [1], [1]), (0, [2, 2], [1, 1])):
        with pytest.raises(RuntimeError, match="does not fit its storage"):
            mytorch.load(io.BytesIO(_with_pickle(_tensor_pickle(offset, size, stride, 1))))
    with pytest.raises(RuntimeError, match="corrupt"):  # storage length disagrees with numel
        mytorch.load(io.BytesIO(_with_pickle(_tensor_pickle(0, [1], [1], numel=4))))


def test_unsupported_dtype_is_named():
    buf = io.BytesIO()
    torch.save(torch.ones(2, dtype=torch.bfloat16), buf)
    with pytest.raises(pickle.UnpicklingError, match="bfloat16"):
        mytorch.load(io.BytesIO(buf.getvalue()))


# ---- damaged files ---------------------------------------------------------------------------


def _good_file():
    buf = io.BytesIO()
    mytorch.save({"w": mytorch.arange(100.0), "b": mytorch.ones(3)}, buf)
    return buf.getvalue()


@pytest.mark.parametrize("fraction", [0.99, 0.5, 0.1])
def test_truncated_files_raise(tmp_path, fraction):
    data = _good_file()
    path = tmp_path / "cut.pt"
    path.write_bytes(data[: int(len(data) * fraction)])
    with pytest.raises(RuntimeError, match="truncated or corrupt"):
        mytorch.load(path)
    with pytest.raises(RuntimeError):
        torch.load(path, weights_only=True)


def test_empty_corrupt_and_foreign_files(tmp_path):
    with pytest.raises(EOFError):
        mytorch.load(io.BytesIO(b""))
    with pytest.raises(pickle.UnpicklingError, match="not a zip archive"):
        mytorch.load(io.BytesIO(b"garbage garbage garbage"))
    with pytest.raises(pickle.UnpicklingError, match="not a zip archive"):
        mytorch.load(io.BytesIO(pickle.dumps({"a": 1})))
    data = bytearray(_good_file())
    at = data.find(np.arange(100, dtype=np.float32).tobytes())
    assert at > 0
    data[at + 8] ^= 0xFF  # flip bits inside storage 0
    with pytest.raises(RuntimeError, match="corrupt"):
        mytorch.load(io.BytesIO(bytes(data)))
    script = io.BytesIO()
    with zipfile.ZipFile(script, "w") as zf:
        zf.writestr("model/constants.pkl", b"")
    with pytest.raises(RuntimeError, match="TorchScript"):
        mytorch.load(io.BytesIO(script.getvalue()))
    with pytest.raises(FileNotFoundError):
        mytorch.load(tmp_path / "missing.pt")


def test_unsupported_objects_are_refused_before_writing(tmp_path):
    path = tmp_path / "x.pt"
    point = collections.namedtuple("P", "a")(1)
    for obj in ({"a": np.ones(2)}, [object()], point, collections.defaultdict(list), slice(1)):
        with pytest.raises(TypeError, match="mytorch.save cannot save"):
            mytorch.save(obj, path)
    assert not path.exists()
    with pytest.raises(NotImplementedError, match="pickle_protocol"):
        mytorch.save({}, io.BytesIO(), pickle_protocol=4)
    with pytest.raises(RuntimeError, match="pickle_module"):
        mytorch.load(io.BytesIO(_good_file()), pickle_module=pickle)
    with pytest.raises(NotImplementedError, match="mmap"):
        mytorch.load(io.BytesIO(_good_file()), mmap=True)


# ---- safetensors -----------------------------------------------------------------------------


def test_safetensors_round_trip(tmp_path):
    tensors = {name: _sample(mytorch, name, (3, 2)) for name in DTYPES}
    tensors["scalar"] = mytorch.tensor(2.5)
    tensors["empty"] = mytorch.zeros(0, 4)
    tensors["strided"] = mytorch.arange(12.0).reshape(3, 4).t()
    path = tmp_path / "m.safetensors"
    mytorch.save_safetensors(tensors, path, metadata={"format": "pt"})
    back = mytorch.load_safetensors(path)
    assert set(back) == set(tensors)
    for k, t in tensors.items():
        assert back[k].dtype is t.dtype and back[k].shape == t.shape
        np.testing.assert_array_equal(back[k].numpy(), t.numpy())
    raw = path.read_bytes()
    (n,) = struct.unpack("<Q", raw[:8])
    assert n % 8 == 0 and raw[8:9] == b"{"
    header = __import__("json").loads(raw[8 : 8 + n])
    assert header["__metadata__"] == {"format": "pt"}
    assert header["float32"]["dtype"] == "F32" and header["float32"]["shape"] == [3, 2]
    for k, info in header.items():
        if k != "__metadata__":
            itemsize = tensors[k].element_size()
            assert info["data_offsets"][0] % itemsize == 0  # aligned, as the reference writes


def test_safetensors_against_reference_package(tmp_path):
    st = pytest.importorskip("safetensors.numpy")
    tensors = {"a": mytorch.arange(6.0).reshape(2, 3), "b": mytorch.tensor([1, 2])}
    mytorch.save_safetensors(tensors, tmp_path / "m.safetensors")
    ref = st.load_file(str(tmp_path / "m.safetensors"))
    np.testing.assert_array_equal(ref["a"], tensors["a"].numpy())
    st.save_file({"x": np.ones((2, 2), np.float16)}, str(tmp_path / "r.safetensors"))
    assert mytorch.load_safetensors(tmp_path / "r.safetensors")["x"].dtype is mytorch.float16


def _st_file(header: dict, data: bytes) -> io.BytesIO:
    text = __import__("json").dumps(header).encode()
    return io.BytesIO(struct.pack("<Q", len(text)) + text + data)


@pytest.mark.parametrize(
    "header, data",
    [
        ({"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}}, b"\0" * 4),
        ({"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 4]}}, b"\0" * 4),
        ({"a": {"dtype": "Q9", "shape": [1], "data_offsets": [0, 4]}}, b"\0" * 4),
        ({"a": {"dtype": "U8", "shape": [2], "data_offsets": [0, 2]},
          "b": {"dtype": "U8", "shape": [2], "data_offsets": [1, 3]}}, b"\0" * 3),
        ({"a": {"dtype": "U8", "shape": [-1], "data_offsets": [0, 1]}}, b"\0"),
        ({"a": {"dtype": "U8", "shape": [1], "data_offsets": [0, 1]}}, b"\0\0"),
        ([1, 2], b""),
    ],
    ids=range(7),
)  # fmt: skip
def test_safetensors_invalid_files(header, data):
    with pytest.raises(RuntimeError, match="invalid safetensors file"):
        mytorch.load_safetensors(_st_file(header, data))


def test_safetensors_truncated_and_bad_input(tmp_path):
    path = tmp_path / "m.safetensors"
    mytorch.save_safetensors({"a": mytorch.ones(4)}, path)
    raw = path.read_bytes()
    for cut in (4, 12, len(raw) - 1):
        with pytest.raises(RuntimeError, match="invalid safetensors file"):
            mytorch.load_safetensors(io.BytesIO(raw[:cut]))
    with pytest.raises(TypeError):
        mytorch.save_safetensors({"a": np.ones(2)}, tmp_path / "x")
    with pytest.raises(TypeError):
        mytorch.save_safetensors({1: mytorch.ones(2)}, tmp_path / "x")
