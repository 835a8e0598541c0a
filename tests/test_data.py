"""mytorch.utils.data against torch.utils.data: datasets, samplers, collation and DataLoader.

Unshuffled loaders must give identical batches (values, dtypes, shapes, container types);
shuffled ones are compared on structure and checked for reproducibility, since mytorch's random
streams are its own.
"""

import collections
import pickle
import warnings

import numpy as np
import pytest
import torch
import torch.utils.data as tdata

import mytorch
import mytorch.utils.data as mdata

Point = collections.namedtuple("Point", "x y")


def _plain(obj):
    """Batches in a library-neutral form: tensors become ("tensor", dtype name, array)."""
    if isinstance(obj, (torch.Tensor, mytorch.Tensor)):
        return ("tensor", str(obj.dtype).split(".")[-1], np.array(obj.detach().numpy()))
    if isinstance(obj, dict):
        return (type(obj).__name__, [(k, _plain(v)) for k, v in obj.items()])
    if isinstance(obj, (list, tuple)):
        return (type(obj).__name__, [_plain(v) for v in obj])
    return obj


def assert_same_batches(m, t):
    pm, pt = _plain(m), _plain(t)
    _assert_equal(pm, pt)


def _assert_equal(a, b):
    if isinstance(a, np.ndarray):
        assert isinstance(b, np.ndarray) and a.dtype == b.dtype and a.shape == b.shape
        np.testing.assert_array_equal(a, b)
    elif isinstance(a, (list, tuple)):
        assert type(a) is type(b) and len(a) == len(b), (a, b)
        for x, y in zip(a, b):
            _assert_equal(x, y)
    else:
        assert a == b, (a, b)


def _error(fn):
    try:
        fn()
    except Exception as e:  # noqa: BLE001 - comparing whatever each library raises
        return type(e), str(e)
    return None


def assert_same_error(fn_m, fn_t):
    em, et = _error(fn_m), _error(fn_t)
    assert et is not None, "torch did not raise"
    assert em == et


X = np.arange(30, dtype=np.float32).reshape(10, 3)
Y = np.arange(10, dtype=np.int64)


def _tensor_ds(lib):
    data = lib.utils.data
    return data.TensorDataset(lib.from_numpy(X.copy()), lib.from_numpy(Y.copy()))


class DictDataset:
    """A map-style dataset of dicts with numbers, arrays, strings and namedtuples."""

    def __len__(self):
        return 7

    def __getitem__(self, i):
        return {
            "id": i,
            "score": i / 2,
            "flag": i % 2 == 0,
            "vec": np.full(3, i, dtype=np.float32),
            "name": f"s{i}",
            "pair": Point(i, float(i)),
            "tup": (i, np.int32(i)),
        }


class Stream:
    """An iterable dataset built on demand for either library."""

    def __init__(self, lib, n, with_len=True):
        base = lib.utils.data.IterableDataset
        n_ = n

        class _S(base):
            def __iter__(self):
                return iter(np.arange(n_, dtype=np.int64))

            if with_len:

                def __len__(self):
                    return n_

        self.ds = _S()


# ---- DataLoader batches against torch -------------------------------------------------------


@pytest.mark.parametrize("batch_size", [1, 3, 4, 10, 11])
@pytest.mark.parametrize("drop_last", [False, True])
def test_tensor_dataset_batches_match_torch(batch_size, drop_last):
    m = mdata.DataLoader(_tensor_ds(mytorch), batch_size=batch_size, drop_last=drop_last)
    t = tdata.DataLoader(_tensor_ds(torch), batch_size=batch_size, drop_last=drop_last)
    assert len(m) == len(t)
    mb, tb = list(m), list(t)
    assert len(mb) == len(tb) == len(t)
    assert_same_batches(mb, tb)


def test_dict_dataset_batches_match_torch():
    m = list(mdata.DataLoader(DictDataset(), batch_size=3))
    t = list(tdata.DataLoader(DictDataset(), batch_size=3))
    assert_same_batches(m, t)
    assert type(m[0]["pair"]) is Point


def test_batch_size_none_converts_samples_like_torch():
    m = list(mdata.DataLoader(DictDataset(), batch_size=None))
    t = list(tdata.DataLoader(DictDataset(), batch_size=None))
    assert_same_batches(m, t)
    m = list(mdata.DataLoader(_tensor_ds(mytorch), batch_size=None))
    t = list(tdata.DataLoader(_tensor_ds(torch), batch_size=None))
    assert_same_batches(m, t)


def test_list_dataset_and_custom_collate():
    data = [1.5, 2.5, 3.5, 4.5, 5.5]
    for kw in ({"batch_size": 2}, {"batch_size": 2, "collate_fn": lambda b: sum(b)}):
        assert_same_batches(list(mdata.DataLoader(data, **kw)), list(tdata.DataLoader(data, **kw)))


def test_sampler_and_batch_sampler_arguments():
    order = [3, 1, 4, 1, 5, 9, 2, 6]
    for lib, data in ((mytorch, mdata), (torch, tdata)):
        ds = _tensor_ds(lib)
        a = [b[1].tolist() for b in data.DataLoader(ds, batch_size=3, sampler=order)]
        bs = data.BatchSampler(order, 3, True)
        b = [b[1].tolist() for b in data.DataLoader(ds, batch_sampler=bs)]
        assert a == [[3, 1, 4], [1, 5, 9], [2, 6]]
        assert b == [[3, 1, 4], [1, 5, 9]]


def test_getitems_is_used_for_batches():
    class Batched(mdata.Dataset):
        calls = 0

        def __len__(self):
            return 5

        def __getitem__(self, i):
            raise AssertionError("__getitems__ should be used")

        def __getitems__(self, indices):
            Batched.calls += 1
            return [float(i) for i in indices]

    out = [b.tolist() for b in mdata.DataLoader(Batched(), batch_size=2)]
    assert out == [[0.0, 1.0], [2.0, 3.0], [4.0]] and Batched.calls == 3


@pytest.mark.parametrize("batch_size", [None, 1, 2, 3])
@pytest.mark.parametrize("drop_last", [False, True])
def test_iterable_dataset_matches_torch(batch_size, drop_last):
    if batch_size is None and drop_last:
        return
    kw = {"batch_size": batch_size, "drop_last": drop_last}
    m = mdata.DataLoader(Stream(mytorch, 7).ds, **kw)
    t = tdata.DataLoader(Stream(torch, 7).ds, **kw)
    assert len(m) == len(t)
    assert_same_batches(list(m), list(t))
    assert_same_batches(list(m), list(t))  # a second epoch restarts the stream


def test_iterable_dataset_without_len():
    m = mdata.DataLoader(Stream(mytorch, 5, with_len=False).ds, batch_size=2)
    t = tdata.DataLoader(Stream(torch, 5, with_len=False).ds, batch_size=2)
    assert_same_batches(list(m), list(t))
    assert_same_error(lambda: len(m), lambda: len(t))


def test_loader_attributes_match_torch():
    for kw in ({"batch_size": 4}, {"batch_size": None}, {"shuffle": True}):
        m, t = (
            mdata.DataLoader(_tensor_ds(mytorch), **kw),
            tdata.DataLoader(_tensor_ds(torch), **kw),
        )
        assert type(m.sampler).__name__ == type(t.sampler).__name__
        assert type(m.batch_sampler).__name__ == type(t.batch_sampler).__name__
        assert (m.batch_size, m.drop_last, m.num_workers) == (t.batch_size, t.drop_last, 0)
        assert m.collate_fn.__name__ == t.collate_fn.__name__
        assert len(iter(m)) == len(iter(t)) == len(t)


# ---- shuffling and reproducibility -----------------------------------------------------------


def _epoch(loader):
    return [b[1].tolist() for b in loader]


def test_shuffle_is_a_permutation_with_torch_batch_shapes():
    m = mdata.DataLoader(_tensor_ds(mytorch), batch_size=4, shuffle=True)
    t = tdata.DataLoader(_tensor_ds(torch), batch_size=4, shuffle=True)
    mb, tb = list(m), list(t)
    assert [tuple(b[0].shape) for b in mb] == [tuple(b[0].shape) for b in tb]
    assert [str(b[0].dtype)[-7:] for b in mb] == [str(b[0].dtype)[-7:] for b in tb]
    assert sorted(sum(_epoch(mb), [])) == list(range(10))


def test_shuffle_reproducible_under_manual_seed():
    loader = mdata.DataLoader(_tensor_ds(mytorch), batch_size=3, shuffle=True)
    mytorch.manual_seed(7)
    first = [_epoch(loader), _epoch(loader)]
    mytorch.manual_seed(7)
    again = [_epoch(loader), _epoch(loader)]
    assert first == again
    assert first[0] != first[1]  # each epoch is shuffled anew
    mytorch.manual_seed(8)
    assert _epoch(loader) != first[0]


def test_shuffle_reproducible_with_generator():
    def epochs(seed):
        g = mytorch.Generator().manual_seed(seed)
        loader = mdata.DataLoader(_tensor_ds(mytorch), batch_size=4, shuffle=True, generator=g)
        return [_epoch(loader), _epoch(loader)]

    mytorch.manual_seed(0)
    a = epochs(3)
    mytorch.manual_seed(1)  # the global seed does not matter when a generator is given
    assert epochs(3) == a and a[0] != a[1]
    assert epochs(4) != a


def test_random_sampler_does_not_depend_on_other_generators():
    g = mytorch.Generator().manual_seed(5)
    first = list(mdata.RandomSampler(range(20), generator=g))
    mytorch.manual_seed(0)
    g.manual_seed(5)
    mytorch.rand(3)
    assert list(mdata.RandomSampler(range(20), generator=g)) == first


# ---- samplers --------------------------------------------------------------------------------


def test_sequential_and_batch_sampler_match_torch():
    assert list(mdata.SequentialSampler(range(5))) == list(tdata.SequentialSampler(range(5)))
    for size, drop in ((2, False), (2, True), (5, False), (6, True)):
        m, t = mdata.BatchSampler(range(5), size, drop), tdata.BatchSampler(range(5), size, drop)
        assert list(m) == list(t) and len(m) == len(t)


@pytest.mark.parametrize(
    "kwargs",
    [{}, {"num_samples": 7}, {"num_samples": 23}, {"replacement": True},
     {"replacement": True, "num_samples": 50}],
)  # fmt: skip
def test_random_sampler(kwargs):
    m = mdata.RandomSampler(range(10), generator=mytorch.Generator().manual_seed(0), **kwargs)
    t = tdata.RandomSampler(range(10), **kwargs)
    out = list(m)
    assert len(m) == len(t) == len(out) == len(list(t))
    assert all(type(i) is int and 0 <= i < 10 for i in out)
    if not kwargs.get("replacement"):
        full, rest = divmod(len(out), 10)
        for k in range(full):
            assert sorted(out[10 * k : 10 * (k + 1)]) == list(range(10))
        assert len(set(out[10 * full :])) == rest


def test_subset_random_sampler():
    g = mytorch.Generator().manual_seed(0)
    s = mdata.SubsetRandomSampler([5, 7, 9, 11], generator=g)
    assert sorted(s) == [5, 7, 9, 11] and len(s) == 4
    assert type(next(iter(s))) is int


def test_weighted_random_sampler():
    g = mytorch.Generator().manual_seed(0)
    s = mdata.WeightedRandomSampler([0.0, 1.0, 0.0, 3.0], 400, generator=g)
    out = list(s)
    assert len(s) == 400 and set(out) == {1, 3}
    assert 250 < out.count(3) < 350  # expected 300
    assert str(s.weights.dtype) == "mytorch.float64"
    no_repl = list(mdata.WeightedRandomSampler([1.0, 2.0, 0.0, 4.0], 4, replacement=False))
    assert sorted(no_repl) == [0, 1, 2, 3] and no_repl[-1] == 2  # zero weight drawn last


def test_sampler_errors_match_torch():
    cases = [
        lambda d: d.RandomSampler(range(3), num_samples=0),
        lambda d: d.RandomSampler(range(3), num_samples=1.5),
        lambda d: d.RandomSampler(range(3), replacement=1),
        lambda d: d.RandomSampler(range(0)),
        lambda d: d.WeightedRandomSampler([1, 2], 0),
        lambda d: d.WeightedRandomSampler([1, 2], True),
        lambda d: d.WeightedRandomSampler([1, 2], 3, replacement=1),
        lambda d: d.WeightedRandomSampler([[1, 2]], 3),
        lambda d: list(d.WeightedRandomSampler([1, 2], 3, replacement=False)),
        lambda d: list(d.WeightedRandomSampler([-1, 2], 3)),
        lambda d: list(d.WeightedRandomSampler([0, 0], 3)),
        lambda d: list(d.WeightedRandomSampler([1, float("nan")], 3)),
        lambda d: list(d.WeightedRandomSampler([1, float("inf")], 3)),
        lambda d: list(d.WeightedRandomSampler([1, float("inf")], 2, replacement=False)),
        lambda d: list(d.WeightedRandomSampler([0, 0], 2, replacement=False)),
        lambda d: d.BatchSampler(range(3), 0, False),
        lambda d: d.BatchSampler(range(3), True, False),
        lambda d: d.BatchSampler(range(3), 2.0, False),
        lambda d: d.BatchSampler(range(3), 2, 1),
        lambda d: iter(d.Sampler()).__next__(),
    ]
    for case in cases:
        assert_same_error(lambda: case(mdata), lambda: case(tdata))


# ---- collation -------------------------------------------------------------------------------

COLLATE_CASES = {
    "ints": [1, 2, 3],
    "floats": [1.0, 2.5],
    "bools": [True, False],
    "int_then_float": [1, 2.0],
    "float_then_int": [1.0, 2],
    "bool_then_int": [True, 2],
    "np_float32_scalars": [np.float32(1), np.float32(2)],
    "np_int32_scalars": [np.int32(1), np.int32(5)],
    "np_bool_scalars": [np.bool_(True), np.bool_(False)],
    "np_arrays": [np.ones((2, 2), np.float32), np.zeros((2, 2), np.float32)],
    "np_0d_arrays": [np.array(1.0), np.array(2.0)],
    "np_mixed_ints": [np.ones(2, np.uint8), np.ones(2, np.int8)],
    "strings": ["a", "b"],
    "np_strings": [np.str_("a"), np.str_("b")],
    "bytes": [b"a", b"b"],
    "dicts": [{"a": 1, "b": "x"}, {"a": 2, "b": "y"}],
    "ordered": [collections.OrderedDict(a=1.0), collections.OrderedDict(a=2.0)],
    "namedtuples": [Point(1, 2.0), Point(3, 4.0)],
    "tuples": [(1, 2), (3, 4)],
    "lists": [[1, 2], [3, 4]],
    "nested": [{"x": [np.zeros(2), (1, "s")]}, {"x": [np.ones(2), (2, "t")]}],
}


@pytest.mark.parametrize("name", COLLATE_CASES)
def test_default_collate_matches_torch(name):
    batch = COLLATE_CASES[name]
    assert_same_batches(mdata.default_collate(batch), tdata.default_collate(batch))


@pytest.mark.parametrize(
    "make",
    [
        lambda lib: [lib.ones(2), lib.zeros(2)],
        lambda lib: [lib.tensor(1), lib.tensor(2)],
        lambda lib: [lib.ones(2), lib.ones(2, dtype=lib.float64)],
        lambda lib: [lib.ones(2, dtype=lib.float16), lib.ones(2, dtype=lib.int64)],
        lambda lib: [lib.ones(2, dtype=lib.uint8), lib.ones(2, dtype=lib.int8)],
        lambda lib: [(lib.ones(3), 1), (lib.zeros(3), 2)],
    ],
)
def test_default_collate_tensors_match_torch(make):
    assert_same_batches(mdata.default_collate(make(mytorch)), tdata.default_collate(make(torch)))


def test_default_collate_autograd_as_torch():
    out = mdata.default_collate([mytorch.ones(2), mytorch.zeros(2)])
    assert out.grad_fn is None and not out.requires_grad
    names = []
    for lib, data in ((mytorch, mdata), (torch, tdata)):
        w = lib.ones(2, requires_grad=True)
        batch = data.default_collate([w, w * 2])
        batch.sum().backward()
        names.append(type(batch.grad_fn).__name__)
        assert w.grad.tolist() == [3.0, 3.0]
    assert names[0] == names[1] == "StackBackward0"


ERROR_CASES = {
    "tensor_sizes": lambda lib: [lib.ones(2), lib.ones(3)],
    "tensor_sizes_later": lambda lib: [lib.ones(2, 2), lib.ones(2, 2), lib.ones(3)],
    "tensor_then_int": lambda lib: [lib.ones(2), 3],
    "array_sizes": lambda lib: [np.ones(2, np.float32), np.ones(3, np.float32)],
    "array_then_int": lambda lib: [np.ones(2), 3],
    "list_sizes": lambda lib: [[1, 2], [3]],
    "object": lambda lib: [object(), object()],
    "none": lambda lib: [None, None],
    "set": lambda lib: [{1}, {2}],
    "np_str_array": lambda lib: [np.array(["a"]), np.array(["b"])],
    "np_object_array": lambda lib: [np.array([None]), np.array([None])],
    "missing_key": lambda lib: [{"a": 1}, {"b": 2}],
    "empty": lambda lib: [],
}


@pytest.mark.parametrize("name", ERROR_CASES)
def test_default_collate_errors_match_torch(name):
    make = ERROR_CASES[name]
    assert_same_error(
        lambda: mdata.default_collate(make(mytorch)), lambda: tdata.default_collate(make(torch))
    )


@pytest.mark.parametrize(
    "data",
    [
        np.ones(2),
        np.float64(1.5),
        np.array(3),
        np.array(["a"]),
        [np.ones(2), 1, "a", (np.zeros(1),)],
        (np.zeros(1), 2),
        {"a": np.ones(1), "b": [np.int32(2)]},
        Point(np.ones(1), 2),
        "text",
        3,
    ],
    ids=range(10),
)
def test_default_convert_matches_torch(data):
    assert_same_batches(mdata.default_convert(data), tdata.default_convert(data))


# ---- datasets --------------------------------------------------------------------------------


def test_tensor_dataset():
    for lib, d in ((mytorch, mdata), (torch, tdata)):
        ds = _tensor_ds(lib)
        assert len(ds) == 10 and isinstance(ds, d.Dataset)
        x, y = ds[3]
        assert x.tolist() == [9.0, 10.0, 11.0] and y.item() == 3
    assert_same_error(
        lambda: mdata.TensorDataset(mytorch.ones(3), mytorch.ones(4)),
        lambda: tdata.TensorDataset(torch.ones(3), torch.ones(4)),
    )
    assert_same_error(lambda: len(mdata.TensorDataset()), lambda: len(tdata.TensorDataset()))


def test_concat_subset_stack_chain_match_torch():
    parts = [range(3), range(10, 12)]
    m, t = mdata.ConcatDataset(parts), tdata.ConcatDataset(parts)
    assert len(m) == len(t) and m.cumulative_sizes == t.cumulative_sizes
    assert [m[i] for i in range(-5, 5)] == [t[i] for i in range(-5, 5)]
    assert_same_error(lambda: m[-6], lambda: t[-6])
    assert_same_error(lambda: m[5], lambda: t[5])
    assert_same_error(lambda: mdata.ConcatDataset([]), lambda: tdata.ConcatDataset([]))
    assert_same_error(
        lambda: mdata.ConcatDataset([Stream(mytorch, 2).ds]),
        lambda: tdata.ConcatDataset([Stream(torch, 2).ds]),
    )
    sub = mdata.Subset(list(range(10)), [1, 3, 5])
    assert len(sub) == 3 and sub[1] == 3 and sub.__getitems__([0, 2]) == [1, 5]
    assert mdata.StackDataset(a=range(3), b=range(3))[1] == {"a": 1, "b": 1}
    assert mdata.StackDataset(range(3), range(3))[2] == (2, 2)
    for case in (
        lambda d: d.StackDataset(range(3), b=range(3)),
        lambda d: d.StackDataset(range(3), range(2)),
        lambda d: d.StackDataset(),
    ):
        assert_same_error(lambda: case(mdata), lambda: case(tdata))
    chain = Stream(mytorch, 2).ds + Stream(mytorch, 3).ds
    assert type(chain).__name__ == "ChainDataset" and len(chain) == 5
    assert [int(v) for v in chain] == [0, 1, 0, 1, 2]
    concat = mdata.TensorDataset(mytorch.ones(2)) + mdata.TensorDataset(mytorch.zeros(3))
    assert type(concat).__name__ == "ConcatDataset" and len(concat) == 5


def test_base_classes_match_torch():
    assert_same_error(lambda: mdata.Dataset()[0], lambda: tdata.Dataset()[0])
    assert_same_error(lambda: mdata.IterableDataset(), lambda: tdata.IterableDataset())
    assert mdata.get_worker_info() is None


# ---- random_split ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "n, lengths",
    [(10, [3, 7]), (10, [0.33, 0.33, 0.34]), (7, [0.25] * 4), (3, [0.1, 0.1, 0.8]),
     (10, [0.5, 0.5]), (5, [5, 0]), (1, [1.0])],
)  # fmt: skip
def test_random_split_sizes_match_torch(n, lengths):
    with warnings.catch_warnings(record=True) as wm:
        warnings.simplefilter("always")
        m = mdata.random_split(range(n), lengths)
    with warnings.catch_warnings(record=True) as wt:
        warnings.simplefilter("always")
        t = tdata.random_split(range(n), lengths)
    assert [len(s) for s in m] == [len(s) for s in t]
    assert [str(w.message) for w in wm] == [str(w.message) for w in wt]
    assert sorted(i for s in m for i in s) == list(range(n))


def test_random_split_reproducible_and_errors():
    def split(seed):
        g = mytorch.Generator().manual_seed(seed)
        return [list(s) for s in mdata.random_split(range(20), [5, 15], generator=g)]

    assert split(1) == split(1) and split(1) != split(2)
    mytorch.manual_seed(3)
    a = [list(s) for s in mdata.random_split(range(20), [0.5, 0.5])]
    mytorch.manual_seed(3)
    assert a == [list(s) for s in mdata.random_split(range(20), [0.5, 0.5])]
    for lengths in ([3, 3], [0.5, 0.6], [-0.5, 1.5]):
        assert_same_error(
            lambda: mdata.random_split(range(10), lengths),
            lambda: tdata.random_split(range(10), lengths),
        )


# ---- DataLoader arguments --------------------------------------------------------------------


@pytest.mark.parametrize(
    "kwargs",
    [
        {"shuffle": True, "sampler": [0, 1]},
        {"batch_sampler": [[0, 1]], "batch_size": 3},
        {"batch_sampler": [[0, 1]], "shuffle": True},
        {"batch_sampler": [[0, 1]], "drop_last": True},
        {"batch_sampler": [[0, 1]], "sampler": [1]},
        {"batch_size": None, "drop_last": True},
        {"num_workers": -1},
        {"timeout": -1},
        {"prefetch_factor": 2},
        {"persistent_workers": True},
        {"multiprocessing_context": "spawn"},
        {"batch_size": 0},
        {"batch_size": -1},
        {"batch_size": 2.0},
    ],
    ids=range(14),
)
def test_loader_argument_errors_match_torch(kwargs):
    assert_same_error(
        lambda: mdata.DataLoader(_tensor_ds(mytorch), **kwargs),
        lambda: tdata.DataLoader(_tensor_ds(torch), **kwargs),
    )


@pytest.mark.parametrize(
    "kwargs", [{"shuffle": True}, {"sampler": [1]}, {"batch_sampler": [[1]]}], ids=range(3)
)
def test_iterable_loader_errors_match_torch(kwargs):
    assert_same_error(
        lambda: mdata.DataLoader(Stream(mytorch, 3).ds, **kwargs),
        lambda: tdata.DataLoader(Stream(torch, 3).ds, **kwargs),
    )


def test_num_workers_not_supported():
    with pytest.raises(NotImplementedError, match="num_workers=2"):
        mdata.DataLoader(_tensor_ds(mytorch), num_workers=2)


def test_frozen_attributes_match_torch():
    m, t = mdata.DataLoader(_tensor_ds(mytorch)), tdata.DataLoader(_tensor_ds(torch))
    for attr in ("dataset", "sampler", "batch_sampler", "drop_last", "batch_size"):
        assert_same_error(lambda: setattr(m, attr, None), lambda: setattr(t, attr, None))
    m.collate_fn = len  # allowed, as in torch
    assert list(m)[0] == 1


def test_pin_memory_warns_like_torch_without_accelerator():
    with pytest.warns(UserWarning, match="pin_memory"):
        list(mdata.DataLoader([1, 2], pin_memory=True))


def test_loader_pickles_its_batches():
    # batches are ordinary tensors: they survive a pickle round trip
    batch = next(iter(mdata.DataLoader(_tensor_ds(mytorch), batch_size=4)))
    again = pickle.loads(pickle.dumps(batch))
    assert again[0].tolist() == batch[0].tolist()
