"""repr/str of tensors against real torch: the texts must match up to the `mytorch.` prefix."""

import contextlib

import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import mytorch
from mytorch import _tensor_str

inf, nan = np.inf, np.nan

NP_DTYPES = {
    "bool": np.bool_,
    "uint8": np.uint8,
    "int8": np.int8,
    "int16": np.int16,
    "int32": np.int32,
    "int64": np.int64,
    "float16": np.float16,
    "float32": np.float32,
    "float64": np.float64,
}


@pytest.fixture(autouse=True)
def _restore_defaults():
    yield
    for lib in (torch, mytorch):
        lib.set_printoptions(profile="default")
        lib.set_default_dtype(lib.float32)


def _as(values, dtype: str) -> np.ndarray:
    with np.errstate(over="ignore", invalid="ignore"):  # float16 overflow to inf is wanted
        return np.asarray(values, dtype=np.float64 if dtype.startswith("float") else None).astype(
            NP_DTYPES[dtype]
        )


def _pair(arr: np.ndarray, requires_grad: bool = False):
    ours, theirs = mytorch.from_numpy(arr.copy()), torch.from_numpy(arr.copy())
    if requires_grad:
        ours.requires_grad_()
        theirs.requires_grad_()
    return ours, theirs


def _assert_same_text(ours, theirs) -> None:
    expected = repr(theirs).replace("torch.", "mytorch.")
    assert repr(ours) == expected
    assert str(ours) == expected


@contextlib.contextmanager
def _both_printoptions(**kwargs):
    for lib in (torch, mytorch):
        lib.set_printoptions(**kwargs)
    try:
        yield
    finally:
        for lib in (torch, mytorch):
            lib.set_printoptions(profile="default")


# name -> (values, dtype name, printoptions)
CASES = {
    "empty": ([], "float32", {}),
    "empty_2x0": (np.zeros((2, 0)), "float32", {}),
    "empty_0x3_int32": (np.zeros((0, 3)), "int32", {}),
    "empty_1x0x2_half": (np.zeros((1, 0, 2)), "float16", {}),
    "empty_edgeitems0": (np.zeros((3, 0)), "float32", {"edgeitems": 0}),
    "scalar_float": (1.0, "float32", {}),
    "scalar_half_frac": (1.5, "float16", {}),
    "scalar_neg_zero": (-0.0, "float32", {}),
    "scalar_nan": (nan, "float32", {}),
    "scalar_inf": (inf, "float64", {}),
    "scalar_tiny": (1e-5, "float32", {}),
    "scalar_huge": (123456789.0, "float32", {}),
    "scalar_bool": (True, "bool", {}),
    "scalar_int8": (-7, "int8", {}),
    "all_zero": ([0.0, 0.0], "float32", {}),
    "zero_and_inf": ([0.0, inf], "float32", {}),
    "nan_neg_inf": ([nan, -inf], "float32", {}),
    "neg_zero_int_mode": ([-0.0, 1.0], "float32", {}),
    "neg_zero_fixed": ([-0.0, 1.5], "float32", {}),
    "neg_zero_matrix": (np.full((2, 2), -0.0), "float64", {}),
    "int_valued_widths": ([1.0, -20.0, 300.0], "float32", {}),
    "int_valued_sci_ratio": ([1.0, 1001.0], "float32", {}),
    "int_valued_sci_big": ([1.0, 1e3, 1e8], "float64", {}),
    "sci_small": ([1e-5, 1.0], "float32", {}),
    "sci_negative": ([-1.5e10, 2.0], "float32", {}),
    "sci_with_inf": ([1e10, inf], "float32", {}),
    "sci_extreme_exponents": ([1e300, 1e-300], "float64", {}),
    "nan_in_int_mode": ([1.0, nan, 2.0], "float32", {}),
    "inf_in_fixed": ([1.5, inf, -2.25], "float32", {}),
    "half_fractions": ([0.1, 0.2, 65504.0], "float16", {}),
    "half_overflow": ([1e5, -1.0], "float16", {}),
    "bool_vector": ([True, False], "bool", {}),
    "uint8": ([0, 7, 255], "uint8", {}),
    "int8": ([1, -100, 3], "int8", {}),
    "int16": ([-32768, 5], "int16", {}),
    "int32": ([2**31 - 1, -1], "int32", {}),
    "int64": ([-(2**63), 0], "int64", {}),
    "wrap_fixed": (np.arange(100) * 1.1, "float32", {}),
    "wrap_int64": (np.arange(60) * 1000, "int64", {}),
    "nested_3d": (np.arange(30.0).reshape(2, 3, 5), "float32", {}),
    "nested_4d": (np.zeros((2, 2, 2, 2)), "float64", {}),
    "nested_size1": (np.full((3, 1, 4), 7.0), "float32", {}),
    "summarise_1d": (np.arange(2000.0), "float32", {}),
    "summarise_2d_int": (np.arange(2000).reshape(40, 50), "int64", {}),
    "summarise_3d": (np.arange(2000.0).reshape(10, 10, 20) * 0.37, "float64", {}),
    "summarise_uses_edges_only": (np.r_[np.arange(1000.0), 1e10, np.arange(1000.0)], "float32", {}),
    "sci_forced": ([1.0, 10.0, -100.0], "float32", {"sci_mode": True}),
    "sci_forced_nan": ([1.0, nan], "float32", {"sci_mode": True}),
    "sci_forced_zeros": ([0.0, -0.0, inf], "float32", {"sci_mode": True}),
    "sci_forced_int_dtype": ([1, 2], "int64", {"sci_mode": True}),
    "sci_off_huge": ([1e20, -1.0], "float32", {"sci_mode": False}),
    "sci_off_tiny": ([1e-8, 2.5], "float32", {"sci_mode": False}),
    "precision_0": ([1.5, 2.5, 1e-5], "float32", {"precision": 0}),
    "precision_0_fixed": ([1.5, 2.25], "float32", {"precision": 0}),
    "precision_10": ([1.1, 2.25], "float64", {"precision": 10}),
    "profile_short": (
        np.arange(2000.0).reshape(10, 10, 20) * 0.37,
        "float64",
        {"profile": "short"},
    ),
    "profile_full": (np.arange(1200), "int64", {"profile": "full"}),
    "linewidth_20": (np.arange(8.0) * 2, "float64", {"linewidth": 20}),
    "linewidth_1": (np.arange(6).reshape(2, 3), "int64", {"linewidth": 1}),
    "sci_forced_linewidth_30": (
        [1, 10, -100, 5, 6, 7, 8, 9],
        "float32",
        {"sci_mode": True, "linewidth": 30},
    ),
    "edgeitems_1": (np.arange(24.0).reshape(2, 3, 4), "float32", {"edgeitems": 1, "threshold": 3}),
    "edgeitems_0_summarised": (np.arange(10.0), "float64", {"threshold": 5, "edgeitems": 0}),
    "edgeitems_0_summarised_2d": (
        np.arange(6.0).reshape(2, 3),
        "float32",
        {"threshold": 5, "edgeitems": 0},
    ),
    "edgeitems_0_short": ([1.0, 2.0], "float32", {"edgeitems": 0}),
    "edgeitems_0_scalar": (5, "int32", {"threshold": 0, "edgeitems": 0}),
    "threshold_0": (np.arange(10.0), "float32", {"threshold": 0}),
    "threshold_0_scalar": (1.0, "float32", {"threshold": 0}),
}


@pytest.mark.parametrize("name", CASES)
def test_matches_torch(name):
    values, dtype, options = CASES[name]
    with _both_printoptions(**options):
        _assert_same_text(*_pair(_as(values, dtype)))


@pytest.mark.parametrize(
    "values",
    [[1.0, 2.0], [], np.zeros((2, 0)), 3.5, np.arange(10.0).reshape(2, 5)],
    ids=["vector", "empty", "empty_2x0", "scalar", "matrix"],
)
@pytest.mark.parametrize("dtype", NP_DTYPES)
@pytest.mark.parametrize("default", ["float32", "float64"])
def test_dtype_suffix_follows_default_dtype(values, dtype, default):
    for lib in (torch, mytorch):
        lib.set_default_dtype(getattr(lib, default))
    _assert_same_text(*_pair(_as(values, dtype)))


@pytest.mark.parametrize("linewidth", [20, 30, 36, 37, 38, 80])
@pytest.mark.parametrize("values", [[1.0, 2.0], np.arange(8.0).reshape(2, 4), np.zeros((0, 2))])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_requires_grad_suffix_wraps_like_torch(linewidth, values, dtype):
    with _both_printoptions(linewidth=linewidth):
        _assert_same_text(*_pair(_as(values, dtype), requires_grad=True))


@pytest.mark.parametrize("linewidth", [30, 44, 45, 46, 80])
def test_grad_fn_suffix(linewidth):
    ours, theirs = (
        lib.tensor([[1.0, 2.0, 3.0, 4.0], [5.0, 6.0, 7.0, 8.0]], requires_grad=True)
        for lib in (mytorch, torch)
    )
    with _both_printoptions(linewidth=linewidth):
        _assert_same_text(ours * 2, theirs * 2)
        _assert_same_text((ours * 2).sum(), (theirs * 2).sum())
        _assert_same_text(ours.double() * 2, theirs.double() * 2)


def test_set_printoptions_semantics():
    for kwargs in (
        {"precision": 2, "sci_mode": True},
        {"precision": 6},  # sci_mode falls back to None whenever it is not passed
        {"profile": "short"},
        {"profile": "full", "linewidth": 100},
        {"profile": "no-such-profile"},  # ignored by torch rather than rejected
        {"threshold": 5, "edgeitems": 0},
    ):
        torch.set_printoptions(**kwargs)
        mytorch.set_printoptions(**kwargs)
        assert mytorch.get_printoptions() == torch._tensor_str.get_printoptions()


def test_printoptions_context_restores():
    _tensor_str.set_printoptions(precision=6, sci_mode=True)
    before = _tensor_str.get_printoptions()
    with _tensor_str.printoptions(precision=2):
        # like torch, the block starts from sci_mode=None because it was not passed
        assert _tensor_str.get_printoptions() == {**before, "precision": 2, "sci_mode": None}
        assert repr(mytorch.from_numpy(np.array([1.0 / 3]))) == (
            "tensor([0.33], dtype=mytorch.float64)"
        )
    assert _tensor_str.get_printoptions() == before
    with pytest.raises(ZeroDivisionError), _tensor_str.printoptions(linewidth=1):
        1 / 0
    assert _tensor_str.get_printoptions() == before


def test_public_reexport():
    assert mytorch.set_printoptions is _tensor_str.set_printoptions
    assert mytorch.get_printoptions is _tensor_str.get_printoptions


# values drawn across the regimes that pick the float format: zeros, tiny, integer-valued,
# fractional, huge, and the non-finite values
_FLOAT_VALUES = st.one_of(
    st.sampled_from([0.0, -0.0, inf, -inf, nan, 1.0, -1.0]),
    st.integers(-2000, 2000).map(float),
    st.floats(-10, 10),
    st.floats(-1e-3, 1e-3),
    st.floats(-1e12, 1e12),
    st.floats(allow_nan=False, allow_infinity=False),
)
_SHAPES = hnp.array_shapes(min_dims=0, max_dims=4, min_side=0, max_side=5)


@st.composite
def _arrays(draw, dtype: str, shapes=_SHAPES) -> np.ndarray:
    np_dtype = np.dtype(NP_DTYPES[dtype])
    shape = draw(shapes)
    if np_dtype.kind == "f":
        # drawn as float64 and cast, so float16 and float32 also meet their overflow to inf
        return _as(draw(hnp.arrays(np.float64, shape, elements=_FLOAT_VALUES)), dtype)
    if np_dtype.kind == "b":
        return draw(hnp.arrays(np_dtype, shape))
    info = np.iinfo(np_dtype)
    small = st.integers(max(info.min, -9), min(info.max, 9))
    return draw(hnp.arrays(np_dtype, shape, elements=st.one_of(small, hnp.from_dtype(np_dtype))))


@st.composite
def _big_arrays(draw, dtype: str) -> np.ndarray:
    """Arrays past the default threshold of 1000 elements; filled by numpy to stay fast."""
    shape = draw(st.sampled_from([(1001,), (3, 400), (2, 3, 200), (11, 10, 10), (2, 4, 5, 30)]))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    np_dtype = np.dtype(NP_DTYPES[dtype])
    if np_dtype.kind == "f":
        scale = draw(st.sampled_from([1e-6, 1.0, 100.0, 1e10]))
        values = rng.standard_normal(shape) * scale
        if draw(st.booleans()):
            values = np.round(values)
        flat = values.reshape(-1)
        for special in draw(st.lists(st.sampled_from([0.0, -0.0, inf, -inf, nan]), max_size=4)):
            flat[rng.integers(flat.size)] = special
        return _as(values, dtype)
    if np_dtype.kind == "b":
        return rng.random(shape) < 0.5
    info = np.iinfo(np_dtype)
    return rng.integers(info.min, info.max, size=shape, dtype=np_dtype, endpoint=True)


_SETTINGS = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@pytest.mark.parametrize("dtype", NP_DTYPES)
@_SETTINGS
@given(data=st.data())
def test_random_arrays_match_torch(dtype, data):
    summarised = data.draw(st.integers(0, 9)) == 0  # big arrays are slow to print; keep them rare
    arr = data.draw(_big_arrays(dtype) if summarised else _arrays(dtype))
    requires_grad = dtype.startswith("float") and data.draw(st.booleans())
    _assert_same_text(*_pair(arr, requires_grad))


@pytest.mark.parametrize("dtype", ["bool", "int16", "float16", "float32", "float64"])
@_SETTINGS
@given(data=st.data())
def test_random_printoptions_match_torch(dtype, data):
    options = data.draw(
        st.fixed_dictionaries(
            {},
            optional={
                "precision": st.integers(0, 8),
                "threshold": st.integers(0, 60),
                "edgeitems": st.integers(0, 4),
                "linewidth": st.integers(1, 120),
                "sci_mode": st.booleans(),
            },
        )
    )
    arr = data.draw(_arrays(dtype, hnp.array_shapes(min_dims=0, max_dims=4, max_side=9)))
    requires_grad = dtype.startswith("float") and data.draw(st.booleans())
    with _both_printoptions(**options):
        _assert_same_text(*_pair(arr, requires_grad))
