"""The ops behind nn.functional (softmax, log_softmax, nll_loss, mse_loss, cross_entropy, linear,
dropout) against torch, with finite-difference checks."""

import numpy as np
import pytest
import torch
from oracle import check_against_torch, make_inputs

import mytorch

TARGET = np.array([0, 2, 1, 2])
TARGET_IGNORE = np.array([0, -100, 1, 2])
WEIGHT = np.array([0.2, 1.0, 3.0])
PROBS = np.array([[0.2, 0.3, 0.5], [1.0, 0.0, 0.0], [0.1, 0.1, 0.8], [0.4, 0.4, 0.2]])


def _t(lib, a, dtype=None):
    return lib.tensor(a) if dtype is None else lib.tensor(a, dtype=dtype)


def F(lib):
    return lib.nn.functional


CASES = {
    "softmax": (lambda lib, a: F(lib).softmax(a, dim=1), [(3, 4)]),
    "softmax_neg_dim": (lambda lib, a: lib.softmax(a, -1), [(2, 3, 4)]),
    "softmax_large": (lambda lib, a: F(lib).softmax(a * 1000, dim=0), [(5,)]),
    "softmax_0d": (lambda lib, a: F(lib).softmax(a, dim=0), [()]),
    "log_softmax": (lambda lib, a: F(lib).log_softmax(a, dim=1), [(3, 4)]),
    "log_softmax_large": (lambda lib, a: lib.log_softmax(a * 1000, 0), [(5,)]),
    "nll_mean": (lambda lib, a: F(lib).nll_loss(a, _t(lib, TARGET)), [(4, 3)]),
    "nll_sum": (lambda lib, a: F(lib).nll_loss(a, _t(lib, TARGET), reduction="sum"), [(4, 3)]),
    "nll_none": (lambda lib, a: F(lib).nll_loss(a, _t(lib, TARGET), reduction="none"), [(4, 3)]),
    "nll_weight_ignore": (
        lambda lib, a: F(lib).nll_loss(
            a, _t(lib, TARGET_IGNORE), weight=_t(lib, WEIGHT), ignore_index=-100
        ),
        [(4, 3)],
    ),
    "nll_spatial": (
        lambda lib, a: F(lib).nll_loss(a, _t(lib, np.array([[0, 1], [2, 2]]))),
        [(2, 3, 2)],
    ),
    "nll_1d": (lambda lib, a: F(lib).nll_loss(a, _t(lib, np.array(1))), [(3,)]),
    "cross_entropy": (lambda lib, a: F(lib).cross_entropy(a, _t(lib, TARGET)), [(4, 3)]),
    "cross_entropy_probs": (
        lambda lib, a: F(lib).cross_entropy(a, _t(lib, PROBS)),
        [(4, 3)],
    ),
    "cross_entropy_smoothing": (
        lambda lib, a: F(lib).cross_entropy(
            a, _t(lib, TARGET_IGNORE), weight=_t(lib, WEIGHT), label_smoothing=0.1
        ),
        [(4, 3)],
    ),
    "cross_entropy_none_smoothing": (
        lambda lib, a: F(lib).cross_entropy(
            a, _t(lib, TARGET), reduction="none", label_smoothing=0.2
        ),
        [(4, 3)],
    ),
    "mse": (lambda lib, a, b: F(lib).mse_loss(a, b), [(2, 3), (2, 3)]),
    "mse_sum": (lambda lib, a, b: F(lib).mse_loss(a, b, reduction="sum"), [(4,), (4,)]),
    "mse_none": (lambda lib, a, b: F(lib).mse_loss(a, b, reduction="none"), [(4,), (4,)]),
    "l1": (lambda lib, a, b: F(lib).l1_loss(a, b), [(2, 3), (2, 3)]),
    "linear": (lambda lib, x, w, b: F(lib).linear(x, w, b), [(4, 3), (2, 3), (2,)]),
    "linear_nobias": (lambda lib, x, w: F(lib).linear(x, w), [(4, 3), (2, 3)]),
    "linear_3d": (lambda lib, x, w, b: F(lib).linear(x, w, b), [(2, 4, 3), (2, 3), (2,)]),
}

# the node name differs from torch's where mytorch composes torch's fused op
NAME_DIFFERS = {"linear", "linear_3d", "cross_entropy_probs", "l1"}


@pytest.mark.parametrize("name", CASES)
def test_matches_torch(name):
    fn, specs = CASES[name]
    check_against_torch(fn, specs, order=2, check_grad_fn=name not in NAME_DIFFERS)


NO_GRADCHECK = {"softmax_large", "log_softmax_large", "l1"}


def _inputs(specs, seed):
    return [
        mytorch.tensor(a, requires_grad=True)
        for a in make_inputs(specs, np.random.default_rng(seed))
    ]


@pytest.mark.parametrize("name", sorted(set(CASES) - NO_GRADCHECK))
def test_gradcheck(name):
    fn, specs = CASES[name]
    assert mytorch.autograd.gradcheck(lambda *xs: fn(mytorch, *xs), _inputs(specs, 0))
    assert mytorch.autograd.gradgradcheck(lambda *xs: fn(mytorch, *xs), _inputs(specs, 1))


def test_dropout_scales_kept_values_and_is_identity_in_eval():
    x = mytorch.ones(1000, requires_grad=True)
    y = mytorch.nn.functional.dropout(x, 0.25)
    kept = y.detach().numpy() != 0
    assert 0.65 < kept.mean() < 0.85
    np.testing.assert_allclose(y.detach().numpy()[kept], 1 / 0.75, rtol=1e-6)
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), y.detach().numpy(), rtol=1e-6)
    assert mytorch.nn.functional.dropout(x, 0.25, training=False) is x
    assert type(y.grad_fn).__name__ == "MulBackward0"


ERRORS = {
    "nll_target_out_of_range": lambda lib: lib.nn.functional.nll_loss(
        lib.zeros(2, 3), lib.tensor([0, 3])
    ),
    "nll_float_target": lambda lib: lib.nn.functional.nll_loss(
        lib.zeros(2, 3), lib.tensor([0.0, 1.0])
    ),
    "nll_batch_mismatch": lambda lib: lib.nn.functional.nll_loss(
        lib.zeros(2, 3), lib.tensor([0, 1, 1])
    ),
    "bad_reduction": lambda lib: lib.nn.functional.mse_loss(
        lib.zeros(2), lib.zeros(2), reduction="avg"
    ),
    "dropout_p": lambda lib: lib.nn.functional.dropout(lib.zeros(2), 1.5),
    "linear_shapes": lambda lib: lib.nn.functional.linear(lib.zeros(2, 3), lib.zeros(4, 5)),
}


@pytest.mark.parametrize("name", ERRORS)
def test_errors_match_torch_class(name):
    with pytest.raises(Exception) as t_err:
        ERRORS[name](torch)
    with pytest.raises(Exception) as m_err:
        ERRORS[name](mytorch)
    assert type(m_err.value) is type(t_err.value), (m_err.value, t_err.value)
