"""nn's layers against torch with identical weights: outputs, input and parameter gradients, running
statistics, train and eval mode, reprs, initialisation, a second-order sample and errors."""

import math
import re
import warnings

import numpy as np
import pytest
import torch
from oracle import assert_same

import mytorch


def _copy_from_torch(t_mod, m_mod):
    """Load torch's initialised state (parameters and buffers) into the mytorch module."""
    state = {k: mytorch.tensor(v.detach().numpy().copy()) for k, v in t_mod.state_dict().items()}
    result = m_mod.load_state_dict(state)
    assert not result.missing_keys and not result.unexpected_keys


def _input(lib, arrays):
    """Leaves: floating arrays require grad, index arrays do not."""
    return [lib.tensor(a.copy(), requires_grad=a.dtype.kind == "f") for a in arrays]


def _arrays(specs, rng, dtype):
    out = []
    for spec in specs:
        if isinstance(spec, tuple) and spec and spec[0] == "index":
            out.append(rng.integers(0, spec[1], size=spec[2]))
        else:
            out.append(rng.standard_normal(spec).astype(dtype))
    return out


def _outputs(out):
    return list(out) if isinstance(out, tuple) else [out]


def compare_module(
    make,
    specs,
    *,
    modes=("train", "eval"),
    steps=2,
    dtype=np.float64,
    atol=None,
    rtol=None,
    call=None,
):
    """Build the module in both libraries, copy torch's weights over, and compare outputs, the
    gradients of every input and parameter (random cotangent) and the state after each step."""
    torch.manual_seed(0)
    t_mod, m_mod = make(torch.nn), make(mytorch.nn)
    _copy_from_torch(t_mod, m_mod)
    if dtype == np.float64:
        t_mod, m_mod = t_mod.double(), m_mod.double()
    call = call or (lambda mod, *xs: mod(*xs))
    rng = np.random.default_rng(0)
    for mode in modes:
        for mod in (t_mod, m_mod):
            mod.train(mode == "train")
        for step in range(steps):
            arrays = _arrays(specs, rng, dtype)
            t_in, m_in = _input(torch, arrays), _input(mytorch, arrays)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", UserWarning)
                t_out, m_out = _outputs(call(t_mod, *t_in)), _outputs(call(m_mod, *m_in))
            what = f"{mode} step {step}"
            for k, (m, t) in enumerate(zip(m_out, t_out)):
                assert_same(m, t, atol=atol, rtol=rtol, what=f"{what}: output {k}")
                t_name = type(t.grad_fn).__name__ if t.grad_fn is not None else None
                m_name = type(m.grad_fn).__name__ if m.grad_fn is not None else None
                assert m_name == t_name, f"{what}: grad_fn {m_name} != {t_name}"
            t_params = [p for p in t_mod.parameters() if p.requires_grad]
            m_params = [p for p in m_mod.parameters() if p.requires_grad]
            t_leaves = [x for x in t_in if x.requires_grad] + t_params
            m_leaves = [x for x in m_in if x.requires_grad] + m_params
            if t_out[0].requires_grad:
                v = rng.standard_normal(tuple(t_out[0].shape)).astype(dtype)
                t_g = torch.autograd.grad(t_out[0], t_leaves, torch.tensor(v), allow_unused=True)
                m_g = mytorch.autograd.grad(
                    m_out[0], m_leaves, mytorch.tensor(v), allow_unused=True
                )
                for k, (m, t) in enumerate(zip(m_g, t_g)):
                    if t is None:
                        assert m is None or not np.any(m.numpy()), f"{what}: grad {k}"
                    else:
                        assert_same(m, t, atol=atol, rtol=rtol, what=f"{what}: grad {k}")
            t_state, m_state = t_mod.state_dict(), m_mod.state_dict()
            assert list(m_state) == list(t_state)
            for key in t_state:
                assert_same(
                    m_state[key], t_state[key], atol=atol, rtol=rtol, what=f"{what}: state {key}"
                )


MODULES = {
    # convolution
    "Conv2d": (lambda nn: nn.Conv2d(3, 4, 3), [(2, 3, 6, 6)]),
    "Conv2d_all_args": (
        lambda nn: nn.Conv2d(
            4, 6, (3, 2), stride=(2, 1), padding=(1, 2), dilation=(1, 2), groups=2
        ),
        [(2, 4, 7, 6)],
    ),  # fmt: skip
    "Conv2d_same_even_nobias": (
        lambda nn: nn.Conv2d(2, 3, (4, 3), padding="same", bias=False),
        [(1, 2, 5, 5)],
    ),
    "Conv2d_valid_depthwise": (
        lambda nn: nn.Conv2d(3, 6, 2, padding="valid", groups=3),
        [(2, 3, 4, 5)],
    ),  # fmt: skip
    "Conv2d_reflect": (
        lambda nn: nn.Conv2d(2, 3, 3, padding=(1, 2), padding_mode="reflect"),
        [(1, 2, 5, 5)],
    ),  # fmt: skip
    "Conv2d_replicate": (
        lambda nn: nn.Conv2d(2, 3, 3, padding=1, padding_mode="replicate"),
        [(1, 2, 4, 4)],
    ),  # fmt: skip
    "Conv2d_circular_same": (
        lambda nn: nn.Conv2d(2, 3, 3, padding="same", padding_mode="circular"),
        [(1, 2, 4, 5)],
    ),
    "Conv2d_unbatched": (lambda nn: nn.Conv2d(3, 2, 3, stride=2), [(3, 7, 7)]),
    "Conv1d": (lambda nn: nn.Conv1d(3, 4, 3, stride=2, padding=1), [(2, 3, 9)]),
    "Conv1d_groups_dilation": (lambda nn: nn.Conv1d(4, 2, 2, dilation=3, groups=2), [(2, 4, 8)]),
    "ConvTranspose2d": (
        lambda nn: nn.ConvTranspose2d(4, 6, 3, stride=2, padding=1, output_padding=1, groups=2),
        [(2, 4, 3, 4)],
    ),
    "ConvTranspose2d_dilation": (
        lambda nn: nn.ConvTranspose2d(2, 3, (2, 3), dilation=(2, 1), bias=False),
        [(1, 2, 3, 3)],
    ),
    "ConvTranspose1d": (lambda nn: nn.ConvTranspose1d(2, 3, 4, stride=3), [(2, 2, 5)]),
    # pooling
    "MaxPool2d": (lambda nn: nn.MaxPool2d(2), [(2, 3, 6, 6)]),
    "MaxPool2d_all_args": (
        lambda nn: nn.MaxPool2d(
            (3, 2), stride=(2, 1), padding=1, dilation=(1, 2), ceil_mode=True, return_indices=True
        ),
        [(2, 2, 7, 6)],
    ),  # fmt: skip
    "MaxPool1d": (lambda nn: nn.MaxPool1d(3, 2, 1, ceil_mode=True), [(2, 3, 8)]),
    "AvgPool2d": (lambda nn: nn.AvgPool2d(3, 2, 1), [(2, 3, 7, 6)]),
    "AvgPool2d_ceil_exclude": (
        lambda nn: nn.AvgPool2d(3, 2, 1, ceil_mode=True, count_include_pad=False),
        [(1, 2, 6, 6)],
    ),
    "AvgPool2d_divisor": (lambda nn: nn.AvgPool2d(2, 1, divisor_override=3), [(1, 2, 4, 4)]),
    "AvgPool1d": (lambda nn: nn.AvgPool1d(2, 1, 1, count_include_pad=False), [(2, 2, 5)]),
    "AdaptiveAvgPool2d": (lambda nn: nn.AdaptiveAvgPool2d((3, None)), [(2, 2, 7, 5)]),
    "AdaptiveAvgPool2d_global": (lambda nn: nn.AdaptiveAvgPool2d(1), [(2, 2, 3, 3)]),
    "AdaptiveAvgPool1d": (lambda nn: nn.AdaptiveAvgPool1d(3), [(2, 2, 7)]),
    "AdaptiveMaxPool2d": (
        lambda nn: nn.AdaptiveMaxPool2d((2, 3), return_indices=True),
        [(2, 2, 5, 7)],
    ),  # fmt: skip
    "AdaptiveMaxPool1d": (lambda nn: nn.AdaptiveMaxPool1d(4), [(2, 2, 9)]),
    # normalisation
    "BatchNorm1d": (lambda nn: nn.BatchNorm1d(3), [(5, 3)]),
    "BatchNorm1d_3d_momentum_none": (lambda nn: nn.BatchNorm1d(3, momentum=None), [(4, 3, 2)]),
    "BatchNorm2d": (lambda nn: nn.BatchNorm2d(3, eps=1e-3, momentum=0.3), [(4, 3, 2, 3)]),
    "BatchNorm2d_no_affine": (lambda nn: nn.BatchNorm2d(3, affine=False), [(2, 3, 2, 2)]),
    "BatchNorm2d_no_bias": (lambda nn: nn.BatchNorm2d(3, bias=False), [(2, 3, 2, 2)]),
    "BatchNorm2d_no_tracking": (
        lambda nn: nn.BatchNorm2d(3, track_running_stats=False),
        [(2, 3, 2, 2)],
    ),  # fmt: skip
    "LayerNorm": (lambda nn: nn.LayerNorm(4), [(2, 3, 4)]),
    "LayerNorm_2d_shape_no_bias": (
        lambda nn: nn.LayerNorm([3, 4], eps=1e-3, bias=False),
        [(2, 3, 4)],
    ),  # fmt: skip
    "LayerNorm_no_affine": (lambda nn: nn.LayerNorm(5, elementwise_affine=False), [(3, 5)]),
    "GroupNorm": (lambda nn: nn.GroupNorm(2, 4), [(2, 4, 3, 2)]),
    "GroupNorm_no_affine": (lambda nn: nn.GroupNorm(3, 6, eps=1e-2, affine=False), [(2, 6, 4)]),
    # embedding
    "Embedding": (lambda nn: nn.Embedding(6, 3), [("index", 6, (2, 4))]),
    "Embedding_padding_idx": (
        lambda nn: nn.Embedding(6, 3, padding_idx=-2),
        [("index", 6, (3, 4))],
    ),  # fmt: skip
    "Embedding_max_norm": (lambda nn: nn.Embedding(6, 3, max_norm=1.0), [("index", 6, (5,))]),
    # padding
    "ZeroPad2d": (lambda nn: nn.ZeroPad2d((1, 2, 0, 1)), [(2, 2, 3, 3)]),
    "ZeroPad1d": (lambda nn: nn.ZeroPad1d(2), [(2, 3)]),
    "ConstantPad1d": (lambda nn: nn.ConstantPad1d((2, -1), 0.5), [(2, 3, 4)]),
    "ConstantPad2d": (lambda nn: nn.ConstantPad2d(1, -2.0), [(1, 2, 3)]),
    "ReflectionPad1d": (lambda nn: nn.ReflectionPad1d((2, 1)), [(2, 2, 4)]),
    "ReflectionPad2d": (lambda nn: nn.ReflectionPad2d(2), [(1, 2, 3, 4)]),
    "ReplicationPad1d": (lambda nn: nn.ReplicationPad1d(3), [(2, 5)]),
    "ReplicationPad2d": (lambda nn: nn.ReplicationPad2d((1, 0, 2, 3)), [(1, 1, 3, 3)]),
    "CircularPad2d": (lambda nn: nn.CircularPad2d((1, 2, 2, 0)), [(1, 2, 3, 4)]),
    # upsampling and shapes
    "Upsample_nearest": (lambda nn: nn.Upsample(scale_factor=2), [(1, 2, 3, 4)]),
    "Upsample_nearest_size_1d": (lambda nn: nn.Upsample(size=7), [(1, 2, 3)]),
    "Upsample_bilinear": (
        lambda nn: nn.Upsample(scale_factor=(1.5, 2), mode="bilinear"),
        [(2, 2, 3, 3)],
    ),  # fmt: skip
    "Upsample_linear_align": (
        lambda nn: nn.Upsample(size=6, mode="linear", align_corners=True),
        [(2, 2, 4)],
    ),
    "UpsamplingNearest2d": (lambda nn: nn.UpsamplingNearest2d(size=(5, 3)), [(1, 1, 2, 2)]),
    "UpsamplingBilinear2d": (lambda nn: nn.UpsamplingBilinear2d(scale_factor=2), [(1, 2, 2, 3)]),
    "Unflatten": (lambda nn: nn.Unflatten(1, (2, 3)), [(4, 6, 2)]),
    "Flatten": (lambda nn: nn.Flatten(0, 1), [(2, 3, 4)]),
    # distances
    "CosineSimilarity": (lambda nn: nn.CosineSimilarity(dim=-1), [(3, 4), (3, 4)]),
    "PairwiseDistance": (lambda nn: nn.PairwiseDistance(p=3.0, keepdim=True), [(3, 4), (3, 4)]),
    # dropout in eval mode is the identity in both
    "Dropout_eval": (lambda nn: nn.Dropout(0.3), [(2, 3)]),
    "Dropout2d_eval": (lambda nn: nn.Dropout2d(0.3), [(2, 3, 2, 2)]),
}

# dropout's masks come from different generators, so only eval mode can be compared exactly
EVAL_ONLY = {"Dropout_eval", "Dropout2d_eval"}


@pytest.mark.parametrize("name", MODULES)
def test_module_matches_torch(name):
    make, specs = MODULES[name]
    modes = ("eval",) if name in EVAL_ONLY else ("train", "eval")
    if name == "PairwiseDistance":  # torch's node is NormBackward1, mytorch's norm has its own
        _compare_pairwise_distance(make, specs)
        return
    compare_module(make, specs, modes=modes)


def _compare_pairwise_distance(make, specs):
    """PairwiseDistance: values and gradients as torch's; torch's node is NormBackward1."""
    rng = np.random.default_rng(0)
    arrays = _arrays(specs, rng, np.float64)
    outs = []
    for lib in (mytorch, torch):
        xs = _input(lib, arrays)
        y = make(lib.nn)(*xs)
        outs.append((y, *lib.autograd.grad(y.sum(), xs)))
    for m, t in zip(*outs):
        assert_same(m, t)


@pytest.mark.parametrize(
    "name",
    [
        "Conv2d_all_args",
        "ConvTranspose2d",
        "BatchNorm2d",
        "LayerNorm",
        "GroupNorm",
        "Embedding_padding_idx",
    ],
)
def test_module_matches_torch_in_float32(name):
    make, specs = MODULES[name]
    # float32 sums in a different order than torch's kernels: a few ulps of slack
    compare_module(make, specs, dtype=np.float32, atol=1e-5, rtol=1e-4, steps=1)


def test_conv_transpose_output_size():
    torch.manual_seed(0)
    t_mod = torch.nn.ConvTranspose2d(2, 3, 3, stride=2)
    m_mod = mytorch.nn.ConvTranspose2d(2, 3, 3, stride=2)
    _copy_from_torch(t_mod, m_mod)
    x = np.random.default_rng(0).standard_normal((1, 2, 5, 5)).astype(np.float32)
    for size in ([12, 12], [1, 3, 11, 12]):
        t = t_mod(torch.tensor(x), output_size=size)
        m = m_mod(mytorch.tensor(x), output_size=size)
        assert_same(m, t, atol=1e-5, rtol=1e-4)
    for lib, mod in ((torch, t_mod), (mytorch, m_mod)):
        with pytest.raises(ValueError, match="valid sizes range from \\[11, 11\\] to \\[12, 12\\]"):
            mod(lib.tensor(x), output_size=[20, 20])


# ---- second order through layers


def test_gradient_penalty_through_conv_batchnorm_layernorm_matches_torch():
    """A double-backward sample: d/dθ of ||d loss / d x||² through Conv2d, BatchNorm2d, a
    pooling, GroupNorm and LayerNorm, compared with torch's create_graph=True."""

    def make(nn):
        return nn.Sequential(
            nn.Conv2d(2, 4, 3, padding=1),
            nn.BatchNorm2d(4),
            nn.Tanh(),
            nn.AvgPool2d(2),
            nn.GroupNorm(2, 4),
            nn.Flatten(),
            nn.LayerNorm(16),
            nn.Tanh(),
        )

    torch.manual_seed(0)
    t_mod, m_mod = make(torch.nn).double(), make(mytorch.nn)
    _copy_from_torch(t_mod, m_mod)
    m_mod = m_mod.double()
    x0 = np.random.default_rng(1).standard_normal((3, 2, 4, 4))
    results = []
    for lib, mod in ((torch, t_mod), (mytorch, m_mod)):
        x = lib.tensor(x0, requires_grad=True)
        loss = (mod(x) ** 2).sum()
        (gx,) = lib.autograd.grad(loss, x, create_graph=True)
        penalty = (gx**2).sum()
        penalty.backward()
        results.append([x.grad] + [p.grad for p in mod.parameters()])
    for k, (m, t) in enumerate(zip(results[1], results[0])):
        assert_same(m, t, what=f"second-order grad {k}")


# ---- train/eval behaviour, initialisation, constructors


def test_dropout_modules_follow_train_and_eval():
    x = mytorch.ones(16, 8, 4, 4)
    for cls, per_channel in ((mytorch.nn.Dropout, False), (mytorch.nn.Dropout2d, True)):
        mod = cls(0.5)
        y = mod(x).numpy()
        assert set(np.unique(y)) <= {0.0, 2.0} and 0.3 < (y == 0).mean() < 0.7
        if per_channel:
            flat = y.reshape(16, 8, 16)
            assert np.all((flat == 0).all(-1) | (flat == 2).all(-1))
        mod.eval()
        assert mod(x) is x
    d = mytorch.nn.Dropout(0.5, inplace=True)
    z = mytorch.ones(100)
    assert d(z) is z and z._version == 1 and set(np.unique(z.numpy())) <= {0.0, 2.0}


def test_batchnorm_momentum_none_is_a_cumulative_average():
    bn = mytorch.nn.BatchNorm1d(2, momentum=None)
    rng = np.random.default_rng(0)
    means = []
    for _ in range(3):
        x = rng.standard_normal((8, 2)) + 3
        means.append(x.mean(0))
        bn(mytorch.tensor(x, dtype=mytorch.float32))
    assert int(bn.num_batches_tracked) == 3
    np.testing.assert_allclose(bn.running_mean.numpy(), np.mean(means, 0), rtol=1e-5)


def test_initialisation_follows_torch_defaults():
    """Same shapes, dtypes, buffers and distributions as torch (values come from mytorch's RNG)."""
    cases = [
        (lambda nn: nn.Conv2d(3, 8, (3, 2), groups=1), 3 * 3 * 2),
        (lambda nn: nn.Conv1d(4, 6, 5, groups=2), 2 * 5),
        (lambda nn: nn.ConvTranspose2d(4, 6, 3, groups=2), 3 * 3 * 3),
    ]
    for make, fan_in in cases:
        m_mod, t_mod = make(mytorch.nn), make(torch.nn)
        bound = 1 / math.sqrt(fan_in)  # kaiming-uniform with a = sqrt(5) gives 1 / sqrt(fan_in)
        for (name, m), (t_name, t) in zip(m_mod.named_parameters(), t_mod.named_parameters()):
            assert name == t_name and tuple(m.shape) == tuple(t.shape) and m.requires_grad
            values = m.detach().numpy()
            assert np.abs(values).max() <= bound and np.unique(values).size == values.size
    bn = mytorch.nn.BatchNorm2d(3)
    assert bn.weight.tolist() == [1.0] * 3 and bn.bias.tolist() == [0.0] * 3
    assert bn.num_batches_tracked.dtype == mytorch.int64 and bn.running_var.tolist() == [1.0] * 3
    ln = mytorch.nn.LayerNorm((2, 3))
    assert ln.weight.shape == (2, 3) and not ln.bias.detach().numpy().any()
    emb = mytorch.nn.Embedding(50, 4, padding_idx=3)
    w = emb.weight.detach().numpy()
    assert not w[3].any() and 0.5 < w.std() < 1.5
    mytorch.manual_seed(0)
    assert mytorch.nn.Embedding(2, 2).weight.dtype == mytorch.float32
    assert mytorch.nn.Conv2d(1, 1, 1, dtype=mytorch.float64).weight.dtype == mytorch.float64


def test_embedding_from_pretrained():
    w = mytorch.tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    emb = mytorch.nn.Embedding.from_pretrained(w, padding_idx=1)
    assert not emb.weight.requires_grad and repr(emb) == "Embedding(3, 2, padding_idx=1)"
    assert emb(mytorch.tensor([2, 0])).tolist() == [[5.0, 6.0], [1.0, 2.0]]
    trainable = mytorch.nn.Embedding.from_pretrained(w, freeze=False, padding_idx=1)
    trainable(mytorch.tensor([1, 2, 1])).sum().backward()
    assert trainable.weight.grad.tolist() == [[0.0, 0.0], [0.0, 0.0], [1.0, 1.0]]


REPRS = [
    lambda nn: nn.Conv2d(3, 4, 3),
    lambda nn: nn.Conv2d(3, 4, (3, 2), stride=2, padding=1, dilation=2, bias=False,
                         padding_mode="reflect"),
    lambda nn: nn.Conv1d(2, 4, 3, padding="same"),
    lambda nn: nn.Conv2d(3, 6, 3, padding="valid", groups=3),
    lambda nn: nn.ConvTranspose2d(2, 4, 3, output_padding=1, stride=2),
    lambda nn: nn.ConvTranspose1d(2, 4, 3, dilation=2, groups=2),
    lambda nn: nn.MaxPool2d(2),
    lambda nn: nn.MaxPool1d(3, 1, 1),
    lambda nn: nn.MaxPool2d((2, 3), return_indices=True, ceil_mode=True),
    lambda nn: nn.AvgPool2d(3, 2, 1, True, False, 2),
    lambda nn: nn.AvgPool1d(2),
    lambda nn: nn.AdaptiveAvgPool2d((2, None)),
    lambda nn: nn.AdaptiveAvgPool1d(3),
    lambda nn: nn.AdaptiveMaxPool2d(2, True),
    lambda nn: nn.AdaptiveMaxPool1d(4),
    lambda nn: nn.BatchNorm2d(3),
    lambda nn: nn.BatchNorm1d(3, momentum=None, affine=False, track_running_stats=False),
    lambda nn: nn.BatchNorm2d(3, bias=False),
    lambda nn: nn.LayerNorm(4),
    lambda nn: nn.LayerNorm((3, 4), elementwise_affine=False, bias=False),
    lambda nn: nn.GroupNorm(2, 4, affine=False),
    lambda nn: nn.Embedding(3, 2),
    lambda nn: nn.Embedding(3, 2, padding_idx=1, max_norm=1.0, norm_type=3.0,
                            scale_grad_by_freq=True, sparse=True),
    lambda nn: nn.Dropout(),
    lambda nn: nn.Dropout2d(0.2, True),
    lambda nn: nn.Dropout1d(),
    lambda nn: nn.ZeroPad2d(1),
    lambda nn: nn.ZeroPad2d((1, 2, 3, 4)),
    lambda nn: nn.ConstantPad1d(2, 0.5),
    lambda nn: nn.ConstantPad2d((1, 2), 1.0),
    lambda nn: nn.ReflectionPad1d(2),
    lambda nn: nn.ReflectionPad2d((1, 1, 2, 0)),
    lambda nn: nn.ReplicationPad1d(1),
    lambda nn: nn.ReplicationPad2d(2),
    lambda nn: nn.CircularPad2d(1),
    lambda nn: nn.Upsample(scale_factor=2),
    lambda nn: nn.Upsample(size=3, mode="bilinear", align_corners=True),
    lambda nn: nn.Upsample(scale_factor=(2, 3)),
    lambda nn: nn.UpsamplingNearest2d(scale_factor=2),
    lambda nn: nn.UpsamplingBilinear2d(size=(2, 3)),
    lambda nn: nn.Unflatten(1, (2, 3)),
    lambda nn: nn.CosineSimilarity(),
    lambda nn: nn.PairwiseDistance(),
    lambda nn: nn.Sequential(nn.Conv2d(1, 2, 3), nn.BatchNorm2d(2), nn.MaxPool2d(2)),
]  # fmt: skip


def test_reprs_match_torch():
    for make in REPRS:
        assert repr(make(mytorch.nn)) == repr(make(torch.nn))


def test_functional_forms_are_exported():
    for name in (
        "conv1d",
        "conv2d",
        "conv_transpose1d",
        "conv_transpose2d",
        "max_pool1d",
        "max_pool2d",
        "avg_pool1d",
        "avg_pool2d",
        "adaptive_avg_pool1d",
        "adaptive_avg_pool2d",
        "adaptive_max_pool1d",
        "adaptive_max_pool2d",
        "batch_norm",
        "layer_norm",
        "group_norm",
        "embedding",
        "one_hot",
        "pad",
        "interpolate",
        "unfold",
        "fold",
        "normalize",
        "cosine_similarity",
        "pairwise_distance",
        "dropout1d",
        "dropout2d",
    ):
        assert name in mytorch.nn.functional.__all__ and callable(
            getattr(mytorch.nn.functional, name)
        )


# ---- errors


def _z(lib, *shape):
    return lib.zeros(*shape)


ERRORS = {
    "conv2d_rank": lambda lib: lib.nn.Conv2d(3, 4, 3)(_z(lib, 6, 6)),
    "conv2d_channels": lambda lib: lib.nn.Conv2d(3, 4, 3)(_z(lib, 2, 2, 6, 6)),
    "conv2d_too_small": lambda lib: lib.nn.Conv2d(3, 4, 3)(_z(lib, 1, 3, 2, 2)),
    "conv1d_rank": lambda lib: lib.nn.Conv1d(3, 4, 3)(_z(lib, 2, 3, 6, 6)),
    "conv1d_unbatched_channels": lambda lib: lib.nn.Conv1d(3, 4, 3)(_z(lib, 6, 6)),
    "conv_transpose2d_channels": lambda lib: lib.nn.ConvTranspose2d(3, 4, 3)(_z(lib, 1, 2, 4, 4)),
    "conv_groups": lambda lib: lib.nn.Conv2d(3, 4, 3, groups=2),
    "conv_out_groups": lambda lib: lib.nn.Conv2d(4, 3, 3, groups=2),
    "conv_groups_zero": lambda lib: lib.nn.Conv2d(3, 4, 3, groups=0),
    "conv_padding_mode": lambda lib: lib.nn.Conv2d(3, 4, 3, padding_mode="foo"),
    "conv_padding_string": lambda lib: lib.nn.Conv2d(3, 4, 3, padding="full"),
    "conv_same_strided": lambda lib: lib.nn.Conv2d(3, 4, 3, padding="same", stride=2),
    "conv_transpose_padding_mode": lambda lib: lib.nn.ConvTranspose2d(3, 4, 3,
                                                                      padding_mode="reflect"),
    "maxpool_rank": lambda lib: lib.nn.MaxPool2d(2)(_z(lib, 6, 6)),
    "maxpool_small": lambda lib: lib.nn.MaxPool2d(3)(_z(lib, 1, 2, 2, 2)),
    "maxpool1d_rank": lambda lib: lib.nn.MaxPool1d(2)(_z(lib, 1, 1, 4, 4)),
    "avgpool_pad": lambda lib: lib.nn.AvgPool2d(2, padding=2)(_z(lib, 1, 1, 4, 4)),
    "adaptive_rank": lambda lib: lib.nn.AdaptiveAvgPool2d(2)(_z(lib, 4, 4)),
    "batchnorm1d_rank": lambda lib: lib.nn.BatchNorm1d(3)(_z(lib, 2, 3, 4, 4)),
    "batchnorm2d_rank": lambda lib: lib.nn.BatchNorm2d(3)(_z(lib, 3, 4, 4)),
    "batchnorm2d_channels": lambda lib: lib.nn.BatchNorm2d(3)(_z(lib, 2, 4, 2, 2)),
    "batchnorm_single_value": lambda lib: lib.nn.BatchNorm1d(3)(_z(lib, 1, 3)),
    "layernorm_shape": lambda lib: lib.nn.LayerNorm(5)(_z(lib, 2, 4)),
    "groupnorm_divisible": lambda lib: lib.nn.GroupNorm(2, 3),
    "groupnorm_channels": lambda lib: lib.nn.GroupNorm(2, 4)(_z(lib, 2, 6, 3)),
    "embedding_padding_idx": lambda lib: lib.nn.Embedding(3, 2, padding_idx=3),
    "embedding_index_range": lambda lib: lib.nn.Embedding(3, 2)(lib.tensor([3])),
    "embedding_float_index": lambda lib: lib.nn.Embedding(3, 2)(lib.tensor([1.0])),
    "dropout_p": lambda lib: lib.nn.Dropout(1.5),
    "dropout2d_p": lambda lib: lib.nn.Dropout2d(-0.1),
    "reflection_pad_too_big": lambda lib: lib.nn.ReflectionPad2d(3)(_z(lib, 1, 1, 3, 3)),
    "upsample_bilinear_rank": lambda lib: lib.nn.Upsample(scale_factor=2, mode="bilinear")(
        _z(lib, 1, 2, 3)),
    "unflatten_size": lambda lib: lib.nn.Unflatten(1, 3),
    "unflatten_product": lambda lib: lib.nn.Unflatten(1, (2, 2))(_z(lib, 2, 6)),
}  # fmt: skip


def _outcome(fn, lib):
    try:
        fn(lib)
    except Exception as e:  # noqa: BLE001
        return type(e), str(e)
    return None, None


def _sorted_sets(message):
    # torch prints Python sets of strings, whose order changes from process to process
    return re.sub(r"\{('[^{}]*')\}", lambda m: str(sorted(m.group(1).split(", "))), message)


@pytest.mark.parametrize("name", ERRORS)
def test_errors_match_torch(name):
    m_cls, m_msg = _outcome(ERRORS[name], mytorch)
    t_cls, t_msg = _outcome(ERRORS[name], torch)
    assert t_cls is not None, "torch raised nothing"
    assert m_cls is t_cls, (m_cls, m_msg, t_cls, t_msg)
    assert _sorted_sets(m_msg.replace("mytorch", "torch")) == _sorted_sets(t_msg), (m_msg, t_msg)
