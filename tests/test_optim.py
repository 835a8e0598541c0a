"""mytorch.optim against torch.optim: the same small problem from identical weights, trained by
each optimizer under each option, gives torch's parameters and state; state_dict round trips,
param groups, zero_grad and the errors (classes and messages) match too.
"""

import copy
import importlib
import warnings

import numpy as np
import pytest
import torch

import mytorch

LIBS = [pytest.param(mytorch, id="mytorch"), pytest.param(torch, id="torch")]

# ---- the problem: a 2-layer tanh network with a squared loss, written with plain leaves ----------

_RNG = np.random.default_rng(1234)
X = _RNG.standard_normal((8, 3))
Y = _RNG.standard_normal((8, 1))
INIT = [_RNG.standard_normal(s) * 0.5 for s in [(3, 4), (4,), (4, 1), (1,)]]


def make_params(lib, dtype="float64"):
    return [lib.tensor(a, dtype=getattr(lib, dtype), requires_grad=True) for a in INIT]


def loss_fn(lib, params, dtype="float64"):
    w1, b1, w2, b2 = params
    x = lib.tensor(X, dtype=getattr(lib, dtype))
    y = lib.tensor(Y, dtype=getattr(lib, dtype))
    hidden = lib.tanh(x @ w1 + b1)
    return ((hidden @ w2 + b2 - y) ** 2).mean()


def train(lib, opt, params, steps, dtype="float64"):
    for _ in range(steps):
        opt.zero_grad()
        loss_fn(lib, params, dtype).backward()
        opt.step()


def assert_tensor(ours, theirs, **tol):
    assert isinstance(ours, mytorch.Tensor), type(ours)
    assert str(ours.dtype).replace("mytorch", "torch") == str(theirs.dtype)
    assert tuple(ours.shape) == tuple(theirs.shape)
    torch.testing.assert_close(torch.from_numpy(np.array(ours.detach().numpy())), theirs, **tol)


def assert_same_state(ours, theirs, **tol):
    """Two optimizer state_dicts: the same param groups and per-parameter state."""
    assert ours["param_groups"] == theirs["param_groups"]
    assert list(ours["state"]) == list(theirs["state"])
    for key, t_state in theirs["state"].items():
        m_state = ours["state"][key]
        assert list(m_state) == list(t_state)
        for name, t_value in t_state.items():
            assert_tensor(m_state[name], t_value, **tol)


OPTIMIZERS = {
    "SGD": [
        {"lr": 0.1},
        {"lr": 0.1, "momentum": 0.9},
        {"lr": 0.1, "momentum": 0.9, "dampening": 0.5},
        {"lr": 0.1, "momentum": 0.9, "nesterov": True},
        {"lr": 0.1, "momentum": 0.5, "weight_decay": 0.1, "maximize": True},
    ],
    "Adam": [
        {},
        {"lr": 0.05, "betas": (0.8, 0.9), "eps": 1e-6},
        {"lr": 0.05, "amsgrad": True},
        {"lr": 0.05, "weight_decay": 0.1},
        {"lr": 0.05, "weight_decay": 0.1, "decoupled_weight_decay": True, "amsgrad": True},
        {"lr": 0.05, "maximize": True},
    ],
    "AdamW": [
        {"lr": 0.05},
        {"lr": 0.05, "weight_decay": 0.3, "amsgrad": True},
        {"lr": 0.05, "maximize": True},
    ],
    "RMSprop": [
        {},
        {"lr": 0.01, "alpha": 0.9, "eps": 1e-6},
        {"lr": 0.01, "centered": True},
        {"lr": 0.01, "momentum": 0.9},
        {"lr": 0.01, "momentum": 0.5, "centered": True, "weight_decay": 0.1, "maximize": True},
    ],
    "Adagrad": [
        {},
        {"lr": 0.1, "lr_decay": 0.01},
        {"lr": 0.1, "initial_accumulator_value": 0.5, "weight_decay": 0.1},
        {"lr": 0.1, "maximize": True, "eps": 1e-5},
    ],
    "Adadelta": [
        {},
        {"lr": 0.5, "rho": 0.8},
        {"lr": 0.5, "weight_decay": 0.1, "maximize": True, "eps": 1e-4},
    ],
    "Adamax": [
        {},
        {"lr": 0.05, "betas": (0.8, 0.95)},
        {"lr": 0.05, "weight_decay": 0.1, "maximize": True},
    ],
    "NAdam": [
        {},
        {"lr": 0.05, "momentum_decay": 0.01},
        {"lr": 0.05, "weight_decay": 0.1},
        {"lr": 0.05, "weight_decay": 0.1, "decoupled_weight_decay": True},
        {"lr": 0.05, "maximize": True, "betas": (0.8, 0.99)},
    ],
    "RAdam": [
        {},
        {"lr": 0.05, "betas": (0.8, 0.9)},  # rho_t passes 5 at step 3: both branches run
        {"lr": 0.05, "weight_decay": 0.1},
        {"lr": 0.05, "weight_decay": 0.1, "decoupled_weight_decay": True, "maximize": True},
    ],
}
CASES = [
    pytest.param(name, kwargs, id=f"{name}-{i}")
    for name, options in OPTIMIZERS.items()
    for i, kwargs in enumerate(options)
]


def _run_both(name, kwargs, steps, dtype="float64"):
    out = []
    for lib in (mytorch, torch):
        params = make_params(lib, dtype)
        opt = getattr(lib.optim, name)(params, **kwargs)
        train(lib, opt, params, steps, dtype)
        out.append((params, opt))
    return out


@pytest.mark.parametrize("name, kwargs", CASES)
def test_20_steps_match_torch(name, kwargs):
    (m_params, m_opt), (t_params, t_opt) = _run_both(name, kwargs, 20)
    for m, t in zip(m_params, t_params):
        assert_tensor(m, t)
    assert_same_state(m_opt.state_dict(), t_opt.state_dict())
    assert m_opt.defaults == t_opt.defaults


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_float32_matches_torch(name):
    kwargs = OPTIMIZERS[name][1]  # not maximize: gradient ascent diverges and amplifies rounding
    (m_params, m_opt), (t_params, t_opt) = _run_both(name, kwargs, 20, "float32")
    for m, t in zip(m_params, t_params):
        assert_tensor(m, t, rtol=1e-5, atol=1e-5)  # rounding order differs from torch's kernels
    for state in m_opt.state.values():
        assert all(v.dtype == mytorch.float32 for v in state.values())


@pytest.mark.parametrize("name, kwargs", CASES)
def test_state_dict_round_trip_resumes(name, kwargs):
    """Save after 10 steps, load into a fresh optimizer, continue: the same as 20 steps."""
    (t_params, _) = _run_both(name, kwargs, 20)[1]
    params = make_params(mytorch)
    opt = getattr(mytorch.optim, name)(params, **kwargs)
    train(mytorch, opt, params, 10)
    saved = copy.deepcopy(opt.state_dict())
    fresh = getattr(mytorch.optim, name)(params, **kwargs)
    fresh.load_state_dict(saved)
    assert fresh.state_dict()["param_groups"] == saved["param_groups"]
    train(mytorch, fresh, params, 10)
    for m, t in zip(params, t_params):
        assert_tensor(m, t)


def test_loaded_state_is_keyed_by_the_new_parameters():
    params = make_params(mytorch)
    opt = mytorch.optim.Adam(params, lr=0.1)
    train(mytorch, opt, params, 3)
    other = [p.detach().clone().requires_grad_() for p in params]
    fresh = mytorch.optim.Adam(other, lr=0.5)
    fresh.load_state_dict(opt.state_dict())
    assert set(map(id, fresh.state)) == set(map(id, other))
    assert fresh.param_groups[0]["params"] == other and fresh.param_groups[0]["lr"] == 0.1
    assert fresh.state[other[0]]["step"].dtype == mytorch.float32


def test_state_dict_casts_state_to_the_parameter_dtype():
    for lib in (mytorch, torch):
        params = make_params(lib)
        opt = lib.optim.Adam(params)
        train(lib, opt, params, 1)
        sd = opt.state_dict()
        p32 = [p.detach().float().requires_grad_() for p in params]
        fresh = lib.optim.Adam(p32)
        fresh.load_state_dict(sd)
        assert fresh.state[p32[0]]["exp_avg"].dtype == lib.float32
        assert fresh.state[p32[0]]["step"].dtype == lib.float32


@pytest.mark.parametrize("name", ["SGD", "Adam", "Adagrad"])
def test_state_dict_structure_before_and_after_steps(name):
    kwargs = {"lr": 0.1, "momentum": 0.9} if name == "SGD" else {}
    results = []
    for lib in (mytorch, torch):
        params = make_params(lib)
        opt = getattr(lib.optim, name)([{"params": params[:2]}, {"params": params[2:]}], **kwargs)
        before = opt.state_dict()
        train(lib, opt, params, 2)
        results.append((before, opt.state_dict()))
    (m_before, m_after), (t_before, t_after) = results
    assert_same_state(m_before, t_before)
    assert_same_state(m_after, t_after)
    assert t_after["param_groups"][1]["params"] == [2, 3]


def test_state_is_keyed_by_tensor_and_step_is_a_float32_scalar():
    params = make_params(mytorch)
    opt = mytorch.optim.Adam(params)
    train(mytorch, opt, params, 2)
    state = opt.state[params[0]]
    assert list(state) == ["step", "exp_avg", "exp_avg_sq"]
    assert state["step"].dtype == mytorch.float32 and state["step"].shape == ()
    assert state["step"].item() == 2.0


def test_per_group_options():
    out = []
    for lib in (mytorch, torch):
        params = make_params(lib)
        groups = [
            {"params": params[:2], "lr": 0.01, "momentum": 0.5},
            {"params": params[2:], "weight_decay": 0.2, "nesterov": True},
        ]
        opt = lib.optim.SGD(groups, lr=0.1, momentum=0.9)
        train(lib, opt, params, 20)
        out.append((params, opt))
    (m_params, m_opt), (t_params, t_opt) = out
    for m, t in zip(m_params, t_params):
        assert_tensor(m, t)
    assert_same_state(m_opt.state_dict(), t_opt.state_dict())


def test_add_param_group_and_named_parameters():
    out = []
    for lib in (mytorch, torch):
        params = make_params(lib)
        opt = lib.optim.Adam([("w1", params[0]), ("b1", params[1])], lr=0.05)
        opt.add_param_group({"params": [("w2", params[2]), ("b2", params[3])], "lr": 0.01})
        train(lib, opt, params, 5)
        out.append((params, opt.state_dict()))
    (m_params, m_sd), (t_params, t_sd) = out
    assert m_sd["param_groups"][1]["param_names"] == ["w2", "b2"]
    assert_same_state(m_sd, t_sd)
    for m, t in zip(m_params, t_params):
        assert_tensor(m, t)


def test_params_without_grad_are_skipped():
    out = []
    for lib in (mytorch, torch):
        params = make_params(lib)
        opt = lib.optim.Adam(params, lr=0.1)
        for _ in range(3):
            opt.zero_grad()
            loss_fn(lib, params).backward()
            params[1].grad = None  # b1 takes no step and gets no state
            opt.step()
        out.append((params, opt.state_dict()))
    (m_params, m_sd), (t_params, t_sd) = out
    assert list(m_sd["state"]) == list(t_sd["state"]) == [0, 2, 3]
    for m, t in zip(m_params, t_params):
        assert_tensor(m, t)


def test_adagrad_creates_state_in_the_constructor():
    for lib in (mytorch, torch):
        opt = lib.optim.Adagrad(make_params(lib), initial_accumulator_value=0.25)
        state = opt.state_dict()["state"]
        assert list(state) == [0, 1, 2, 3]
        assert float(state[1]["sum"][0]) == 0.25 and float(state[1]["step"]) == 0.0


@pytest.mark.parametrize("set_to_none", [True, False])
def test_zero_grad(set_to_none):
    for lib in (mytorch, torch):
        params = make_params(lib)
        opt = lib.optim.SGD(params, lr=0.1)
        loss_fn(lib, params).backward()
        grads = [p.grad for p in params]
        opt.zero_grad(set_to_none=set_to_none)
        for p, g in zip(params, grads):
            if set_to_none:
                assert p.grad is None
            else:
                assert p.grad is g and not p.grad.requires_grad
                assert not np.any(p.grad.numpy())


def test_zero_grad_default_sets_none():
    params = make_params(mytorch)
    opt = mytorch.optim.SGD(params)
    loss_fn(mytorch, params).backward()
    opt.zero_grad()
    assert all(p.grad is None for p in params)


def test_closure_is_evaluated_with_grad_and_its_loss_returned():
    out = []
    for lib in (mytorch, torch):
        params = make_params(lib)
        opt = lib.optim.SGD(params, lr=0.1)

        def closure():
            opt.zero_grad()
            loss = loss_fn(lib, params)
            loss.backward()
            return loss

        with lib.no_grad():
            loss = opt.step(closure)
        out.append((loss.item(), params))
    (m_loss, m_params), (t_loss, t_params) = out
    assert m_loss == pytest.approx(t_loss, rel=1e-12)
    for m, t in zip(m_params, t_params):
        assert_tensor(m, t)


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_step_updates_in_place_and_bumps_the_version(name):
    for lib in (mytorch, torch):
        params = make_params(lib)
        data = [p.detach() for p in params]  # share storage and the version counter
        versions = [p._version for p in params]
        opt = getattr(lib.optim, name)(params)
        train(lib, opt, params, 1)
        for p, d, v in zip(params, data, versions):
            assert p._version > v
            assert np.array_equal(d.numpy(), p.detach().numpy())
            assert p.grad_fn is None and p.requires_grad


def test_step_records_no_graph():
    params = make_params(mytorch)
    opt = mytorch.optim.Adam(params)
    train(mytorch, opt, params, 2)
    for state in opt.state.values():
        for v in state.values():
            assert v.grad_fn is None and not v.requires_grad


def test_repr():
    reprs = []
    for lib in (mytorch, torch):
        opt = lib.optim.SGD(make_params(lib), lr=0.1, momentum=0.9)
        opt.add_param_group({"params": [lib.zeros(2, requires_grad=True)], "lr": 0.5})
        reprs.append(repr(opt))
    assert reprs[0] == reprs[1]


# ---- errors: the same class and message as torch -------------------------------------------


def _error(fn, lib):
    with pytest.raises(Exception) as info:
        fn(lib)
    return type(info.value).__name__, str(info.value)


def _optimizer_module(lib):
    return importlib.import_module(f"{lib.__name__}.optim.optimizer")


def _leaf(lib):
    return lib.zeros(2, requires_grad=True)


ERRORS = {
    "empty": lambda lib: lib.optim.SGD([], lr=0.1),
    "empty_generator": lambda lib: lib.optim.Adam(iter([])),
    "tensor_params": lambda lib: lib.optim.SGD(lib.zeros(2, requires_grad=True)),
    "non_tensor": lambda lib: lib.optim.SGD([_leaf(lib), 1.0]),
    "non_leaf": lambda lib: lib.optim.SGD([_leaf(lib) * 2]),
    "set_of_params": lambda lib: lib.optim.SGD([{"params": {_leaf(lib)}}]),
    "lr": lambda lib: lib.optim.SGD([_leaf(lib)], lr=-1.0),
    "adam_lr": lambda lib: lib.optim.Adam([_leaf(lib)], lr=-0.5),
    "momentum": lambda lib: lib.optim.SGD([_leaf(lib)], momentum=-0.1),
    "weight_decay": lambda lib: lib.optim.SGD([_leaf(lib)], weight_decay=-1e-3),
    "nesterov": lambda lib: lib.optim.SGD([_leaf(lib)], nesterov=True),
    "nesterov_dampening": lambda lib: lib.optim.SGD(
        [_leaf(lib)], momentum=0.9, dampening=0.1, nesterov=True
    ),
    "beta0": lambda lib: lib.optim.Adam([_leaf(lib)], betas=(1.0, 0.999)),
    "beta1": lambda lib: lib.optim.AdamW([_leaf(lib)], betas=(0.9, -0.1)),
    "betas_int": lambda lib: lib.optim.Adam([_leaf(lib)], betas=(0, 0.9)),
    "eps": lambda lib: lib.optim.Adam([_leaf(lib)], eps=-1e-8),
    "adam_wd": lambda lib: lib.optim.Adam([_leaf(lib)], weight_decay=-1),
    "rmsprop_alpha": lambda lib: lib.optim.RMSprop([_leaf(lib)], alpha=-0.5),
    "rmsprop_momentum": lambda lib: lib.optim.RMSprop([_leaf(lib)], momentum=-0.5),
    "adagrad_lr_decay": lambda lib: lib.optim.Adagrad([_leaf(lib)], lr_decay=-1),
    "adagrad_init": lambda lib: lib.optim.Adagrad([_leaf(lib)], initial_accumulator_value=-1),
    "adadelta_rho": lambda lib: lib.optim.Adadelta([_leaf(lib)], rho=1.5),
    "adamax_beta": lambda lib: lib.optim.Adamax([_leaf(lib)], betas=(0.9, 1.0)),
    "nadam_momentum_decay": lambda lib: lib.optim.NAdam([_leaf(lib)], momentum_decay=-1),
    "radam_eps": lambda lib: lib.optim.RAdam([_leaf(lib)], eps=-1),
    "duplicate_groups": lambda lib: (lambda p: lib.optim.SGD([{"params": [p]}, {"params": p}]))(
        _leaf(lib)
    ),
    "add_group_duplicate": lambda lib: (
        lambda p: lib.optim.SGD([p]).add_param_group({"params": [p], "lr": 0.1})
    )(_leaf(lib)),
    "add_group_not_dict": lambda lib: lib.optim.SGD([_leaf(lib)]).add_param_group([_leaf(lib)]),
    "names_missing": lambda lib: lib.optim.SGD([("a", _leaf(lib)), _leaf(lib)]),
    "names_mixed_groups": lambda lib: lib.optim.SGD([("a", _leaf(lib))]).add_param_group(
        {"params": [_leaf(lib)]}
    ),
    "required": lambda lib: lib.optim.Optimizer(
        [_leaf(lib)], {"lr": _optimizer_module(lib).required}
    ),
    "base_step": lambda lib: lib.optim.Optimizer([_leaf(lib)], {}).step(),
}


@pytest.mark.parametrize("case", list(ERRORS))
def test_errors_match_torch(case):
    assert _error(ERRORS[case], mytorch) == _error(ERRORS[case], torch)


def test_duplicate_in_one_group_warns_like_torch():
    messages = []
    for lib in (mytorch, torch):
        p = _leaf(lib)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            lib.optim.SGD([p, p])
        messages.append([str(w.message) for w in caught])
    assert messages[0] == messages[1] and len(messages[0]) == 1


def _two_groups(lib):
    params = make_params(lib)
    return params, lib.optim.SGD([{"params": params[:2]}, {"params": params[2:]}], momentum=0.9)


@pytest.mark.parametrize(
    "mangle",
    [
        pytest.param(lambda sd: sd["param_groups"].pop(), id="group_count"),
        pytest.param(lambda sd: sd["param_groups"][0]["params"].pop(), id="group_size"),
    ],
)
def test_load_state_dict_errors_leave_the_optimizer_unchanged(mangle):
    errors = []
    for lib in (mytorch, torch):
        params, opt = _two_groups(lib)
        train(lib, opt, params, 2)
        sd = copy.deepcopy(opt.state_dict())
        for group in sd["param_groups"]:
            group["lr"] = 0.5
        mangle(sd)
        before = copy.deepcopy(opt.state_dict())
        errors.append(_error(lambda lib: opt.load_state_dict(sd), lib))
        after = opt.state_dict()
        assert after["param_groups"] == before["param_groups"]
        assert list(after["state"]) == list(before["state"])
    assert errors[0] == errors[1]


@pytest.mark.parametrize(
    "name, flag",
    [("SGD", "foreach"), ("SGD", "fused"), ("Adam", "capturable"), ("AdamW", "differentiable"),
     ("RMSprop", "foreach"), ("Adagrad", "fused"), ("Adadelta", "capturable"),
     ("Adamax", "foreach"), ("NAdam", "differentiable"), ("RAdam", "capturable")],
)  # fmt: skip
def test_unsupported_variants_raise_not_implemented(name, flag):
    with pytest.raises(NotImplementedError, match=flag):
        getattr(mytorch.optim, name)(make_params(mytorch), **{flag: True})
    # and the keyword at its default value is accepted
    default = False if flag in ("capturable", "differentiable") else None
    getattr(mytorch.optim, name)(make_params(mytorch), **{flag: default})


def test_public_names():
    for name in list(OPTIMIZERS) + ["Optimizer", "lr_scheduler"]:
        assert hasattr(mytorch.optim, name) and hasattr(torch.optim, name)
    assert mytorch.optim.Optimizer.__name__ == "Optimizer"
    assert issubclass(mytorch.optim.AdamW, mytorch.optim.Adam)
    assert repr(_optimizer_module(mytorch).required) == repr(_optimizer_module(torch).required)
