"""nn.functional activations and losses (and their modules) against torch: values, dtypes,
shapes, first- and second-order gradients, every reduction, reprs and error classes."""

import warnings

import numpy as np
import pytest
import torch
from oracle import check_against_torch

import mytorch

EDGE = np.array([-4.0, -3.0, -1.5, -1.0, -0.0, 0.0, 0.5, 1.0, 3.0, 6.0, 7.0])
BIG = np.array([-800.0, -60.0, -25.0, -1.0, 0.0, 2.0, 19.9, 20.0, 21.0, 60.0, 800.0])
SMOOTH = np.array([-2.3, -1.1, -0.4, 0.2, 0.9, 1.7])


def F(lib):
    return lib.nn.functional


# (fn(lib, *inputs), specs, order): order 1 at kinks where torch's second derivative is its own
ACTIVATIONS = {
    "leaky_relu": (lambda lib, x: F(lib).leaky_relu(x, 0.2), [EDGE], 2),
    "leaky_relu_default": (lambda lib, x: F(lib).leaky_relu(x), [(2, 3)], 2),
    "relu6": (lambda lib, x: F(lib).relu6(x), [EDGE], 2),
    "elu": (lambda lib, x: F(lib).elu(x, 0.7), [EDGE], 1),
    "elu_smooth": (lambda lib, x: F(lib).elu(x, 0.7), [SMOOTH], 2),
    "elu_big": (lambda lib, x: F(lib).elu(x), [BIG], 1),
    "selu": (lambda lib, x: F(lib).selu(x), [SMOOTH], 2),
    "selu_edge": (lambda lib, x: F(lib).selu(x), [EDGE], 1),
    "celu": (lambda lib, x: F(lib).celu(x, 1.5), [SMOOTH], 2),
    "celu_edge": (lambda lib, x: F(lib).celu(x, 1.5), [EDGE], 1),
    "gelu": (lambda lib, x: F(lib).gelu(x), [EDGE], 2),
    "gelu_tanh": (lambda lib, x: F(lib).gelu(x, approximate="tanh"), [EDGE], 2),
    "gelu_0d": (lambda lib, x: F(lib).gelu(x), [()], 2),
    "silu": (lambda lib, x: F(lib).silu(x), [EDGE], 2),
    "silu_big": (lambda lib, x: F(lib).silu(x), [BIG], 2),
    "mish": (lambda lib, x: F(lib).mish(x), [EDGE], 2),
    "mish_big": (lambda lib, x: F(lib).mish(x), [BIG], 1),
    "softplus": (lambda lib, x: F(lib).softplus(x), [BIG], 2),
    "softplus_beta": (lambda lib, x: F(lib).softplus(x, beta=2.0, threshold=10.0), [BIG], 2),
    "softplus_2d": (lambda lib, x: F(lib).softplus(x, 0.5), [(3, 4)], 2),
    "softsign": (lambda lib, x: F(lib).softsign(x), [EDGE], 2),
    "hardtanh": (lambda lib, x: F(lib).hardtanh(x), [EDGE], 2),
    "hardtanh_args": (lambda lib, x: F(lib).hardtanh(x, -3.0, 0.5), [EDGE], 2),
    "hardsigmoid": (lambda lib, x: F(lib).hardsigmoid(x), [EDGE], 1),
    "hardswish": (lambda lib, x: F(lib).hardswish(x), [EDGE], 1),
    "hardswish_2nd": (lambda lib, x: F(lib).hardswish(x), [EDGE[EDGE != 3]], 2),
    "hardswish_smooth": (lambda lib, x: F(lib).hardswish(x), [SMOOTH * 2], 2),
    "logsigmoid": (lambda lib, x: F(lib).logsigmoid(x), [BIG], 2),
    "logsigmoid_edge": (lambda lib, x: F(lib).logsigmoid(x), [EDGE], 2),
    "softmin": (lambda lib, x: F(lib).softmin(x, dim=1), [(3, 4)], 2),
    "softmin_neg": (lambda lib, x: F(lib).softmin(x, -1, dtype=lib.float64), [(2, 5)], 2),
    "tanhshrink": (lambda lib, x: F(lib).tanhshrink(x), [EDGE], 2),
    "threshold": (lambda lib, x: F(lib).threshold(x, 0.5, -2.0), [EDGE], 2),
    "prelu_scalar": (lambda lib, x, w: F(lib).prelu(x, w), [EDGE, np.array([0.3])], 1),
    "prelu_scalar_2nd": (lambda lib, x, w: F(lib).prelu(x, w), [SMOOTH, np.array([0.3])], 2),
    "prelu_channels": (lambda lib, x, w: F(lib).prelu(x, w), [(2, 3, 4), (3,)], 2),
    "prelu_1d": (lambda lib, x, w: F(lib).prelu(x, w), [(3,), (1,)], 2),
    "prelu_0d": (lambda lib, x, w: F(lib).prelu(x, w), [(), (1,)], 2),
    "empty": (lambda lib, x: F(lib).gelu(x) + F(lib).mish(x), [(0, 3)], 2),
    "softmax2d": (lambda lib, x: lib.nn.Softmax2d()(x), [(2, 3, 2, 2)], 2),
}


@pytest.mark.parametrize("name", ACTIVATIONS)
def test_activation(name):
    fn, specs, order = ACTIVATIONS[name]
    check_against_torch(fn, specs, order=order, check_grad_fn=False)


@pytest.mark.parametrize(
    "name",
    ["leaky_relu", "relu6", "elu", "selu", "celu", "silu", "mish", "hardtanh", "hardsigmoid",
     "hardswish", "threshold"],
)  # fmt: skip
def test_inplace_activation(name):
    args = {"threshold": (0.1, 5.0)}.get(name, ())
    m = mytorch.tensor(EDGE.copy())
    t = torch.tensor(EDGE.copy())
    mv, tv = m._version, t._version
    r_m = getattr(F(mytorch), name)(m, *args, inplace=True)
    getattr(F(torch), name)(t, *args, inplace=True)
    assert r_m is m
    np.testing.assert_allclose(m.numpy(), t.numpy(), rtol=1e-12, atol=1e-12)
    assert m._version > mv and t._version > tv
    # through the graph: in place on a non-leaf still differentiates like torch
    xm = mytorch.tensor(SMOOTH.copy(), requires_grad=True)
    xt = torch.tensor(SMOOTH.copy(), requires_grad=True)
    getattr(F(mytorch), name)(xm * 1, *args, inplace=True).sum().backward()
    getattr(F(torch), name)(xt * 1, *args, inplace=True).sum().backward()
    # torch's hardsigmoid backward uses a float32 1/6
    np.testing.assert_allclose(xm.grad.numpy(), xt.grad.numpy(), rtol=1e-7, atol=1e-12)


def test_float32_dtype_kept():
    x = np.array([-2.0, 0.0, 3.0], dtype=np.float32)
    for name in ["gelu", "silu", "softplus", "logsigmoid", "hardswish", "elu", "mish"]:
        m = getattr(F(mytorch), name)(mytorch.tensor(x))
        t = getattr(F(torch), name)(torch.tensor(x))
        assert str(m.dtype) == str(t.dtype).replace("torch", "mytorch"), name
        np.testing.assert_allclose(m.numpy(), t.numpy(), rtol=1e-6, atol=1e-6)


REDUCTIONS = ["none", "mean", "sum"]
PROBS = np.array([0.0, 1.0, 0.3, 1e-9, 0.999, 0.5])
TGT = np.array([1.0, 0.0, 0.2, 1.0, 0.0, 0.5])
SIGNS = np.array([1.0, -1.0, 1.0, -1.0])
W3 = np.array([0.5, 2.0, 1.3])


def _loss_cases():
    c = {}
    for r in REDUCTIONS:
        c[f"smooth_l1_{r}"] = (lambda lib, x, y, r=r: F(lib).smooth_l1_loss(x, y, reduction=r),
                               [(3, 4), (3, 4)], 2)  # fmt: skip
        c[f"smooth_l1_beta_{r}"] = (
            lambda lib, x, y, r=r: F(lib).smooth_l1_loss(x, y, reduction=r, beta=0.5),
            [(3, 4), (3, 4)], 2)  # fmt: skip
        c[f"huber_{r}"] = (lambda lib, x, y, r=r: F(lib).huber_loss(x, y, reduction=r, delta=0.7),
                           [(3, 4), (3, 4)], 2)  # fmt: skip
        c[f"bce_{r}"] = (
            lambda lib, x, y, r=r: F(lib).binary_cross_entropy(
                x.sigmoid(), y.sigmoid(), lib.tensor(W3, dtype=lib.float64), reduction=r),
            [(2, 3), (2, 3)], 2)  # fmt: skip
        c[f"bce_logits_{r}"] = (
            lambda lib, x, y, r=r: F(lib).binary_cross_entropy_with_logits(x, y, reduction=r),
            [BIG, np.linspace(0, 1, 11)], 2)  # fmt: skip
        c[f"bce_logits_w_{r}"] = (
            lambda lib, x, y, r=r: F(lib).binary_cross_entropy_with_logits(
                x, y, lib.tensor(W3[:2, None], dtype=lib.float64), reduction=r,
                pos_weight=lib.tensor(W3, dtype=lib.float64)),
            [(2, 3), ("positive", (2, 3))], 2)  # fmt: skip
        c[f"kl_div_{r}"] = (lambda lib, x, y, r=r: F(lib).kl_div(x, y, reduction=r),
                            [(2, 3), ("positive", (2, 3))], 2)  # fmt: skip
        c[f"kl_div_log_{r}"] = (
            lambda lib, x, y, r=r: F(lib).kl_div(x, y, reduction=r, log_target=True),
            [(2, 3), (2, 3)], 2)  # fmt: skip
        c[f"cosine_emb_{r}"] = (
            lambda lib, a, b, r=r: F(lib).cosine_embedding_loss(
                a, b, lib.tensor(SIGNS, dtype=lib.float64), margin=0.1, reduction=r),
            [(4, 3), (4, 3)], 2)  # fmt: skip
        c[f"margin_rank_{r}"] = (
            lambda lib, a, b, r=r: F(lib).margin_ranking_loss(
                a, b, lib.tensor(SIGNS, dtype=lib.float64), margin=0.3, reduction=r),
            [(4,), (4,)], 2)  # fmt: skip
        c[f"triplet_{r}"] = (
            lambda lib, a, p, n, r=r: F(lib).triplet_margin_loss(a, p, n, margin=2.0, reduction=r),
            [(4, 3), (4, 3), (4, 3)], 2)  # fmt: skip
        c[f"poisson_{r}"] = (lambda lib, x, y, r=r: F(lib).poisson_nll_loss(x, y, reduction=r),
                             [(2, 3), ("positive", (2, 3))], 2)  # fmt: skip
        c[f"gaussian_{r}"] = (
            lambda lib, x, y, v, r=r: F(lib).gaussian_nll_loss(x, y, v, reduction=r),
            [(2, 3), (2, 3), ("positive", (2, 3))], 2)  # fmt: skip
        c[f"hinge_emb_{r}"] = (
            lambda lib, x, r=r: F(lib).hinge_embedding_loss(
                x, lib.tensor(SIGNS, dtype=lib.float64), margin=0.5, reduction=r),
            [np.array([0.2, 0.3, -1.0, 0.8])], 2)  # fmt: skip
        c[f"soft_margin_{r}"] = (
            lambda lib, x, r=r: F(lib).soft_margin_loss(
                x, lib.tensor(SIGNS, dtype=lib.float64), reduction=r),
            [(4,)], 2)  # fmt: skip
        c[f"multilabel_soft_{r}"] = (
            lambda lib, x, y, r=r: F(lib).multilabel_soft_margin_loss(
                x, y, lib.tensor(W3, dtype=lib.float64), reduction=r),
            [(2, 3), ("positive", (2, 3))], 2)  # fmt: skip
    c["smooth_l1_beta0"] = (lambda lib, x, y: F(lib).smooth_l1_loss(x, y, beta=0.0),
                            [(5,), (5,)], 2)  # fmt: skip
    c["smooth_l1_tie"] = (lambda lib, x, y: F(lib).smooth_l1_loss(x, y, reduction="none"),
                          [SMOOTH, SMOOTH.copy()], 2)  # fmt: skip
    c["bce_endpoints"] = (lambda lib, x, y: F(lib).binary_cross_entropy(x, y, reduction="none"),
                          [PROBS, TGT], 0)  # fmt: skip
    c["bce_inner"] = (lambda lib, x, y: F(lib).binary_cross_entropy(x, y),
                      [PROBS[[2, 4, 5]], TGT[[2, 4, 5]]], 2)  # fmt: skip
    c["kl_div_batchmean"] = (lambda lib, x, y: F(lib).kl_div(x, y, reduction="batchmean"),
                             [(2, 3), ("positive", (2, 3))], 2)  # fmt: skip
    c["kl_div_zero_target"] = (lambda lib, x, y: F(lib).kl_div(x, y, reduction="sum"),
                               [(3,), np.array([0.0, 0.5, 0.5])], 1)  # fmt: skip
    c["triplet_swap_p1"] = (
        lambda lib, a, p, n: F(lib).triplet_margin_loss(a, p, n, p=1, swap=True, margin=3.0),
        [(4, 3), (4, 3), (4, 3)], 2)  # fmt: skip
    c["poisson_full"] = (
        lambda lib, x, y: F(lib).poisson_nll_loss(x, y, log_input=False, full=True),
        [("positive", (2, 3)), np.array([[0.2, 1.0, 2.0], [3.5, 0.5, 7.0]])], 2)  # fmt: skip
    c["gaussian_full_hom"] = (
        lambda lib, x, y, v: F(lib).gaussian_nll_loss(x, y, v, full=True, eps=0.3),
        [(2, 3), (2, 3), ("positive", (2, 1))], 2)  # fmt: skip
    c["gaussian_unsqueeze"] = (lambda lib, x, y, v: F(lib).gaussian_nll_loss(x, y, v),
                               [(2, 3), (2, 3), ("positive", (2,))], 2)  # fmt: skip
    c["cosine_emb_1d"] = (
        lambda lib, a, b: F(lib).cosine_embedding_loss(a, b, lib.tensor(-1.0, dtype=lib.float64)),
        [(3,), (3,)], 2)  # fmt: skip
    c["bce_logits_0d"] = (lambda lib, x, y: F(lib).binary_cross_entropy_with_logits(x, y),
                          [(), ("positive", ())], 2)  # fmt: skip
    return c


LOSSES = _loss_cases()


@pytest.mark.parametrize("name", LOSSES)
def test_loss(name):
    fn, specs, order = LOSSES[name]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        check_against_torch(fn, specs, order=order, check_grad_fn=False)


def test_bce_endpoint_grads_are_finite():
    x = mytorch.tensor(PROBS, requires_grad=True)
    F(mytorch).binary_cross_entropy(x, mytorch.tensor(TGT)).backward()
    assert np.all(np.isfinite(x.grad.numpy()))


MODULES = [
    lambda nn: nn.LeakyReLU(), lambda nn: nn.LeakyReLU(0.2, True), lambda nn: nn.ReLU6(),
    lambda nn: nn.ReLU6(True), lambda nn: nn.ELU(), lambda nn: nn.ELU(0.5, True),
    lambda nn: nn.SELU(), lambda nn: nn.SELU(True), lambda nn: nn.CELU(2.0, True),
    lambda nn: nn.GELU(), lambda nn: nn.GELU("tanh"), lambda nn: nn.SiLU(True),
    lambda nn: nn.Mish(),
    lambda nn: nn.Softplus(), lambda nn: nn.Softplus(2, 10), lambda nn: nn.Softsign(),
    lambda nn: nn.Hardtanh(), lambda nn: nn.Hardtanh(-2, 3, True), lambda nn: nn.Hardsigmoid(True),
    lambda nn: nn.Hardswish(True), lambda nn: nn.LogSigmoid(), lambda nn: nn.Softmin(),
    lambda nn: nn.Softmin(1), lambda nn: nn.Tanhshrink(), lambda nn: nn.Threshold(0.1, 20),
    lambda nn: nn.Threshold(0.1, 20, True), lambda nn: nn.PReLU(), lambda nn: nn.PReLU(3, 0.1),
    lambda nn: nn.Softmax2d(), lambda nn: nn.SmoothL1Loss(beta=0.5), lambda nn: nn.HuberLoss(),
    lambda nn: nn.BCELoss(), lambda nn: nn.BCEWithLogitsLoss(), lambda nn: nn.KLDivLoss(),
    lambda nn: nn.KLDivLoss(reduction="batchmean"), lambda nn: nn.CosineEmbeddingLoss(),
    lambda nn: nn.MarginRankingLoss(), lambda nn: nn.TripletMarginLoss(),
    lambda nn: nn.PoissonNLLLoss(), lambda nn: nn.GaussianNLLLoss(),
    lambda nn: nn.HingeEmbeddingLoss(), lambda nn: nn.SoftMarginLoss(),
    lambda nn: nn.MultiLabelSoftMarginLoss(reduction="sum"),
]  # fmt: skip


@pytest.mark.parametrize("i", range(len(MODULES)))
def test_module_repr_and_attributes(i):
    m, t = MODULES[i](mytorch.nn), MODULES[i](torch.nn)
    assert repr(m) == repr(t)
    for k, v in vars(t).items():
        if not k.startswith("_"):
            assert getattr(m, k) == v, k


def test_prelu_module_parameter_and_forward():
    m, t = mytorch.nn.PReLU(3, 0.1), torch.nn.PReLU(3, 0.1)
    assert [n for n, _ in m.named_parameters()] == ["weight"]
    assert isinstance(m.weight, mytorch.nn.Parameter) and m.weight.requires_grad
    x = np.random.default_rng(0).standard_normal((2, 3, 2)).astype(np.float32)
    np.testing.assert_allclose(
        m(mytorch.tensor(x)).detach().numpy(), t(torch.tensor(x)).detach().numpy(), rtol=1e-6
    )


def test_loss_modules_forward_match():
    rng = np.random.default_rng(1)
    x, y = rng.standard_normal((3, 4)), rng.uniform(0.1, 0.9, (3, 4))
    for name, args in [("SmoothL1Loss", {"beta": 0.5}), ("HuberLoss", {"delta": 0.3}),
                       ("BCEWithLogitsLoss", {}), ("KLDivLoss", {"reduction": "batchmean"}),
                       ("PoissonNLLLoss", {"reduction": "none"}), ("SoftMarginLoss", {}),
                       ("MultiLabelSoftMarginLoss", {})]:  # fmt: skip
        m = getattr(mytorch.nn, name)(**args)(mytorch.tensor(x), mytorch.tensor(y))
        t = getattr(torch.nn, name)(**args)(torch.tensor(x), torch.tensor(y))
        np.testing.assert_allclose(m.numpy(), t.numpy(), rtol=1e-10, err_msg=name)
    p = rng.uniform(0.1, 0.9, (3, 4))
    m = mytorch.nn.BCELoss(weight=mytorch.tensor(y[0]))(mytorch.tensor(p), mytorch.tensor(y))
    t = torch.nn.BCELoss(weight=torch.tensor(y[0]))(torch.tensor(p), torch.tensor(y))
    np.testing.assert_allclose(m.numpy(), t.numpy(), rtol=1e-10)


def _x(lib, *shape):
    return lib.ones(*shape, dtype=lib.float64)


ERRORS = {
    "bad_reduction": lambda lib: F(lib).smooth_l1_loss(_x(lib, 3), _x(lib, 3), reduction="x"),
    "bad_reduction_huber": lambda lib: F(lib).huber_loss(_x(lib, 3), _x(lib, 3), reduction="x"),
    "bad_reduction_kl": lambda lib: F(lib).kl_div(_x(lib, 3), _x(lib, 3), reduction="bad"),
    "bad_reduction_gauss": lambda lib: F(lib).gaussian_nll_loss(
        _x(lib, 3), _x(lib, 3), _x(lib, 3), reduction="x"
    ),
    "bce_input_range": lambda lib: F(lib).binary_cross_entropy(_x(lib, 3) * 2, _x(lib, 3)),
    "bce_target_range": lambda lib: F(lib).binary_cross_entropy(_x(lib, 3) / 2, -_x(lib, 3)),
    "prelu_1d_channels": lambda lib: F(lib).prelu(_x(lib, 3), _x(lib, 3)),
    "bce_shape": lambda lib: F(lib).binary_cross_entropy(_x(lib, 3) / 2, _x(lib, 2)),
    "bce_logits_shape": lambda lib: F(lib).binary_cross_entropy_with_logits(_x(lib, 3), _x(lib, 2)),
    "smooth_l1_broadcast": lambda lib: F(lib).smooth_l1_loss(_x(lib, 3), _x(lib, 2)),
    "gauss_negative_var": lambda lib: F(lib).gaussian_nll_loss(_x(lib, 3), _x(lib, 3), -_x(lib, 3)),
    "gauss_var_size": lambda lib: F(lib).gaussian_nll_loss(_x(lib, 3), _x(lib, 3), _x(lib, 2)),
    "margin_rank_dims": lambda lib: F(lib).margin_ranking_loss(
        _x(lib, 3), _x(lib, 3), _x(lib, 3, 1)
    ),
    "cosine_emb_dims": lambda lib: F(lib).cosine_embedding_loss(_x(lib, 3), _x(lib, 3), _x(lib, 3)),
    "triplet_shape": lambda lib: F(lib).triplet_margin_loss(_x(lib, 3), _x(lib, 3), _x(lib, 2)),
    "gelu_approximate": lambda lib: F(lib).gelu(_x(lib, 3), approximate="x"),
    "prelu_channels": lambda lib: F(lib).prelu(_x(lib, 2, 3), _x(lib, 2)),
    "hardtanh_module_bounds": lambda lib: lib.nn.Hardtanh(1.0, -1.0),
}


@pytest.mark.parametrize("name", ERRORS)
def test_errors(name):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(Exception) as t_err:
            ERRORS[name](torch)
        with pytest.raises(Exception) as m_err:
            ERRORS[name](mytorch)
    assert type(m_err.value) is type(t_err.value), (m_err.value, t_err.value)
    if t_err.type is ValueError:
        assert str(m_err.value) == str(t_err.value)


def test_size_mismatch_warns():
    with pytest.warns(UserWarning, match="different to the input size"):
        F(mytorch).smooth_l1_loss(_x(mytorch, 3), _x(mytorch, 1))
