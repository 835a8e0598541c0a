"""The fast paths of the nn kernels against torch, on randomly drawn arguments: convolution and its
transpose (the unit-stride and strided scatters, the weight gradient's own node), max-pool indices
at ties, nan and -inf with every padding/dilation/ceil combination, both embedding backward paths,
F.linear on batched input, and the optimizers' in-place updates (values and version counters)."""

import numpy as np
import pytest
import torch

import mytorch


def _grads(lib, fn, arrays, cotangent):
    leaves = [lib.tensor(a, requires_grad=True) for a in arrays]
    out = fn(lib, *leaves)
    grads = lib.autograd.grad(out, leaves, lib.tensor(cotangent), create_graph=False)
    return out.detach().numpy(), [g.numpy() for g in grads]


def _draw_conv(rng, transposed):
    nd = int(rng.integers(1, 3))
    groups, cg, og = (int(v) for v in rng.integers(1, 3, 3))
    kernel = tuple(int(v) for v in rng.integers(1, 4, nd))
    stride = tuple(int(v) for v in rng.integers(1, 3, nd)) if rng.random() < 0.5 else (1,) * nd
    dilation = tuple(int(v) for v in rng.integers(1, 3, nd))
    padding = tuple(int(v) for v in rng.integers(0, 3, nd))
    size = tuple(int(v) for v in rng.integers(1, 7, nd))
    x = rng.standard_normal((2, groups * cg, *size))
    if transposed:
        extra = tuple(int(rng.integers(0, max(s, d))) for s, d in zip(stride, dilation))
        w = rng.standard_normal((groups * cg, og, *kernel))
        kw = dict(stride=stride, padding=padding, output_padding=extra, groups=groups,
                  dilation=dilation)  # fmt: skip
        name = f"conv_transpose{nd}d"
    else:
        w = rng.standard_normal((groups * og, cg, *kernel))
        kw = dict(stride=stride, padding=padding, dilation=dilation, groups=groups)
        name = f"conv{nd}d"
    b = rng.standard_normal(w.shape[1] * groups if transposed else w.shape[0])
    return (lambda lib, x, w, b: getattr(lib.nn.functional, name)(x, w, b, **kw)), [x, w, b]


@pytest.mark.parametrize("transposed", [False, True])
def test_convolution_matches_torch_on_drawn_arguments(transposed):
    rng = np.random.default_rng(1 + transposed)
    checked = 0
    while checked < 40:
        fn, arrays = _draw_conv(rng, transposed)
        try:
            with torch.no_grad():
                shape = fn(torch, *(torch.tensor(a) for a in arrays)).shape
        except RuntimeError:  # an output too small for the kernel: torch refuses too
            continue
        v = rng.standard_normal(tuple(shape))
        ours, theirs = _grads(mytorch, fn, arrays, v), _grads(torch, fn, arrays, v)
        np.testing.assert_allclose(ours[0], theirs[0], rtol=1e-10, atol=1e-10)
        for a, b in zip(ours[1], theirs[1]):
            np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-10)
        checked += 1


def test_convolution_second_order_through_the_weight_gradient_node():
    rng = np.random.default_rng(3)
    x, w = rng.standard_normal((2, 4, 7, 6)), rng.standard_normal((4, 2, 3, 2))
    u, v = rng.standard_normal(w.shape), rng.standard_normal((2, 4, 4, 6))

    def run(lib):
        xt, wt = lib.tensor(x, requires_grad=True), lib.tensor(w, requires_grad=True)
        y = lib.nn.functional.conv2d(xt, wt, stride=(2, 1), padding=1, dilation=(1, 2), groups=2)
        vt = lib.tensor(v, requires_grad=True)
        (gw,) = lib.autograd.grad(y, wt, vt, create_graph=True)
        second = lib.autograd.grad((gw * lib.tensor(u)).sum(), (xt, vt))
        return type(gw.grad_fn).__name__, [g.detach().numpy() for g in second]

    (name, ours), (torch_name, theirs) = run(mytorch), run(torch)
    assert name == torch_name == "ConvolutionBackwardBackward0"
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-10)


def test_max_pool_indices_match_torch_on_drawn_arguments():
    rng = np.random.default_rng(4)
    checked = 0
    while checked < 150:
        kernel = tuple(int(v) for v in rng.integers(1, 4, 2))
        stride = tuple(int(v) for v in rng.integers(1, 4, 2))
        dilation = tuple(int(v) for v in rng.integers(1, 3, 2))
        padding = tuple(int(rng.integers(0, (d * (k - 1) + 1) // 2 + 1))
                        for k, d in zip(kernel, dilation))  # fmt: skip
        ceil = bool(rng.integers(0, 2))
        x = rng.integers(-2, 3, (2, 2, *rng.integers(3, 9, 2))).astype(np.float64)  # ties
        r = rng.random(x.shape)
        x[r < 0.05], x[(r > 0.05) & (r < 0.2)] = np.nan, -np.inf
        args = (kernel, stride, padding, dilation, ceil, True)
        try:
            values, indices = torch.nn.functional.max_pool2d(torch.tensor(x), *args)
        except RuntimeError:
            continue
        ours, our_indices = mytorch.nn.functional.max_pool2d(mytorch.tensor(x), *args)
        np.testing.assert_array_equal(our_indices.numpy(), indices.numpy())
        np.testing.assert_array_equal(ours.numpy(), values.numpy())
        checked += 1


@pytest.mark.parametrize("kernel, stride", [(2, 2), (3, 1), ((3, 2), (2, 1))])
def test_max_pool_backward_and_double_backward_match_torch(kernel, stride):
    rng = np.random.default_rng(5)
    x = rng.standard_normal((2, 3, 7, 6))

    def run(lib):
        xt = lib.tensor(x, requires_grad=True)
        y = lib.nn.functional.max_pool2d(xt, kernel, stride, padding=1)
        vt = lib.tensor(
            np.random.default_rng(6).standard_normal(tuple(y.shape)), requires_grad=True
        )
        (g,) = lib.autograd.grad(y, xt, vt, create_graph=True)
        (gg,) = lib.autograd.grad((g * lib.tensor(np.cos(x))).sum(), vt)
        return type(g.grad_fn).__name__, g.detach().numpy(), gg.detach().numpy()

    ours, theirs = run(mytorch), run(torch)
    assert ours[0] == theirs[0]
    np.testing.assert_allclose(ours[1], theirs[1])
    np.testing.assert_allclose(ours[2], theirs[2])


@pytest.mark.parametrize("rows", [7, 3000])  # a one-hot product, and index_add for a big table
def test_embedding_backward_matches_torch(rows):
    rng = np.random.default_rng(7)
    index = rng.integers(0, min(rows, 5), (4, 6))  # repeated rows
    w, v = rng.standard_normal((rows, 3)), rng.standard_normal((4, 6, 3))
    for kw in ({}, {"padding_idx": 2, "scale_grad_by_freq": True}):

        def fn(lib, w):
            return lib.nn.functional.embedding(lib.tensor(index), w, **kw)  # noqa: B023

        ours, theirs = _grads(mytorch, fn, [w], v), _grads(torch, fn, [w], v)
        np.testing.assert_allclose(ours[1][0], theirs[1][0], rtol=1e-12, atol=1e-12)


def _structure(node):
    if node is None:
        return None
    return type(node).__name__, tuple(_structure(child) for child, _ in node.next_functions)


@pytest.mark.parametrize("shape", [(4, 5, 3), (2, 2, 2, 3), (3,)])
@pytest.mark.parametrize("bias", [True, False])
def test_linear_on_batched_input_matches_torch(shape, bias):
    rng = np.random.default_rng(8)
    x, w, b = rng.standard_normal(shape), rng.standard_normal((2, 3)), rng.standard_normal(2)
    v = rng.standard_normal((*shape[:-1], 2))
    arrays = [x, w, b] if bias else [x, w]

    def fn(lib, *ts):
        return lib.nn.functional.linear(*ts)

    ours, theirs = _grads(mytorch, fn, arrays, v), _grads(torch, fn, arrays, v)
    np.testing.assert_allclose(ours[0], theirs[0], rtol=1e-12)
    for a, c in zip(ours[1], theirs[1]):
        np.testing.assert_allclose(a, c, rtol=1e-12, atol=1e-12)
    if len(shape) > 1:  # a 1-d input without bias keeps its own (documented) node names

        def structure(lib):
            ts = [lib.tensor(a, requires_grad=True) for a in arrays]
            return _structure(fn(lib, *ts).grad_fn)

        assert structure(mytorch) == structure(torch)


OPTIMIZERS = [
    ("SGD", {"lr": 0.1, "momentum": 0.9}),
    ("SGD", {"lr": 0.1, "momentum": 0.9, "nesterov": True, "weight_decay": 0.1}),
    ("Adam", {"lr": 0.05}),
    ("Adam", {"lr": 0.05, "weight_decay": 0.1, "amsgrad": True, "maximize": True}),
    ("AdamW", {"lr": 0.05}),
    ("AdamW", {"lr": 0.05, "weight_decay": 0.0}),
]


@pytest.mark.parametrize("name, kwargs", OPTIMIZERS)
def test_optimizer_updates_and_version_counters_match_torch(name, kwargs):
    rng = np.random.default_rng(9)
    start, grads = rng.standard_normal((3, 4)), [rng.standard_normal((3, 4)) for _ in range(3)]

    def run(lib):
        p = lib.nn.Parameter(lib.tensor(start))
        opt = getattr(lib.optim, name)([p], **kwargs)
        versions = []
        for g in grads:
            p.grad = lib.tensor(g)
            opt.step()
            state = opt.state[p]
            versions.append((p._version, {k: t._version for k, t in sorted(state.items())}))
        return p.detach().numpy(), versions

    (ours, our_versions), (theirs, their_versions) = run(mytorch), run(torch)
    np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-12)
    assert our_versions == their_versions
