"""mytorch.optim.lr_scheduler against torch's: 30 steps of every scheduler under several options
give exactly torch's learning rates (and momentums where they cycle), state_dicts hold the same
entries and resume identically, and the errors and warnings match.
"""

import copy
import math
import warnings

import pytest
import torch

import mytorch


def make_optimizer(lib, kind="SGD"):
    """Two param groups with different learning rates; no gradients, so steps change nothing."""
    groups = [
        {"params": [lib.zeros(2, requires_grad=True)]},
        {"params": [lib.zeros(3, requires_grad=True)], "lr": 0.05},
    ]
    if kind == "SGD":
        return lib.optim.SGD(groups, lr=0.1, momentum=0.9)
    return lib.optim.Adam(groups, lr=0.1)


class Scale:
    """A callable object: its __dict__ goes into LambdaLR's state_dict."""

    def __init__(self, factor):
        self.factor = factor

    def __call__(self, epoch):
        return self.factor**epoch


def _lr_mod(lib):
    return lib.optim.lr_scheduler


SCHEDULERS = {
    "lambda": lambda lib, opt: _lr_mod(lib).LambdaLR(opt, lambda e: 1 / (1 + e)),
    "lambda_per_group": lambda lib, opt: _lr_mod(lib).LambdaLR(opt, [lambda e: 0.9**e, Scale(0.8)]),
    "multiplicative": lambda lib, opt: _lr_mod(lib).MultiplicativeLR(opt, lambda e: 0.95),
    "step": lambda lib, opt: _lr_mod(lib).StepLR(opt, step_size=4),
    "step_gamma": lambda lib, opt: _lr_mod(lib).StepLR(opt, step_size=3, gamma=0.7),
    "multistep": lambda lib, opt: _lr_mod(lib).MultiStepLR(opt, milestones=[3, 8, 8, 20]),
    "constant": lambda lib, opt: _lr_mod(lib).ConstantLR(opt),
    "constant_factor": lambda lib, opt: _lr_mod(lib).ConstantLR(opt, factor=0.3, total_iters=9),
    "linear": lambda lib, opt: _lr_mod(lib).LinearLR(opt),
    "linear_down": lambda lib, opt: _lr_mod(lib).LinearLR(
        opt, start_factor=1.0, end_factor=0.1, total_iters=17
    ),
    "exponential": lambda lib, opt: _lr_mod(lib).ExponentialLR(opt, gamma=0.9),
    "cosine": lambda lib, opt: _lr_mod(lib).CosineAnnealingLR(opt, T_max=10),
    "cosine_eta_min": lambda lib, opt: _lr_mod(lib).CosineAnnealingLR(opt, T_max=7, eta_min=0.01),
    "warm_restarts": lambda lib, opt: _lr_mod(lib).CosineAnnealingWarmRestarts(opt, T_0=5),
    "warm_restarts_mult": lambda lib, opt: _lr_mod(lib).CosineAnnealingWarmRestarts(
        opt, T_0=3, T_mult=2, eta_min=0.001
    ),
    "cyclic": lambda lib, opt: _lr_mod(lib).CyclicLR(opt, 0.01, 0.1, step_size_up=4),
    "cyclic_triangular2": lambda lib, opt: _lr_mod(lib).CyclicLR(
        opt, [0.01, 0.02], [0.1, 0.2], step_size_up=3, step_size_down=5, mode="triangular2"
    ),
    "cyclic_exp_range": lambda lib, opt: _lr_mod(lib).CyclicLR(
        opt, 0.01, 0.1, step_size_up=5, mode="exp_range", gamma=0.97, cycle_momentum=False
    ),
    "cyclic_scale_fn": lambda lib, opt: _lr_mod(lib).CyclicLR(
        opt, 0.01, 0.1, step_size_up=3, scale_fn=Scale(0.9), scale_mode="iterations"
    ),
    "one_cycle": lambda lib, opt: _lr_mod(lib).OneCycleLR(opt, max_lr=0.5, total_steps=31),
    "one_cycle_linear": lambda lib, opt: _lr_mod(lib).OneCycleLR(
        opt,
        max_lr=[0.5, 0.2],
        epochs=4,
        steps_per_epoch=8,
        anneal_strategy="linear",
        pct_start=0.4,
        div_factor=10.0,
    ),  # fmt: skip
    "one_cycle_three_phase": lambda lib, opt: _lr_mod(lib).OneCycleLR(
        opt, max_lr=0.5, total_steps=40, three_phase=True, final_div_factor=100.0
    ),
    "polynomial": lambda lib, opt: _lr_mod(lib).PolynomialLR(opt),
    "polynomial_power": lambda lib, opt: _lr_mod(lib).PolynomialLR(opt, total_iters=20, power=2.0),
    "sequential": lambda lib, opt: _lr_mod(lib).SequentialLR(
        opt,
        [_lr_mod(lib).LinearLR(opt, 0.1, total_iters=5), _lr_mod(lib).ExponentialLR(opt, 0.9)],
        milestones=[5],
    ),
    "sequential_three": lambda lib, opt: _lr_mod(lib).SequentialLR(
        opt,
        [
            _lr_mod(lib).ConstantLR(opt, factor=0.5, total_iters=3),
            _lr_mod(lib).CosineAnnealingLR(opt, T_max=8),
            _lr_mod(lib).StepLR(opt, 4),
        ],
        milestones=[4, 12],
    ),
    "chained": lambda lib, opt: _lr_mod(lib).ChainedScheduler(
        [
            _lr_mod(lib).ConstantLR(opt, factor=0.5, total_iters=6),
            _lr_mod(lib).ExponentialLR(opt, 0.9),
        ]
    ),
    "chained_multistep": lambda lib, opt: _lr_mod(lib).ChainedScheduler(
        [_lr_mod(lib).MultiStepLR(opt, [5, 10]), _lr_mod(lib).LinearLR(opt, total_iters=12)],
        optimizer=opt,
    ),
}
ADAM_CASES = {"cyclic", "one_cycle", "cyclic_triangular2"}  # beta1 cycles instead of momentum
CASES = [pytest.param(name, "SGD", id=name) for name in SCHEDULERS] + [
    pytest.param(name, "Adam", id=f"{name}-adam") for name in sorted(ADAM_CASES)
]


def _momentum(group):
    return group["betas"][0] if "betas" in group else group["momentum"]


def run(lib, name, kind, steps, sched=None, opt=None):
    """Record [get_last_lr(), group lrs, momentums] after construction and after each step."""
    if sched is None:
        opt = make_optimizer(lib, kind)
        sched = SCHEDULERS[name](lib, opt)
    trace = []
    for i in range(steps + 1):
        if i:
            opt.step()
            sched.step()
        groups = opt.param_groups
        trace.append(
            (sched.get_last_lr(), [g["lr"] for g in groups], [_momentum(g) for g in groups])
        )
    return trace, sched, opt


@pytest.mark.parametrize("name, kind", CASES)
def test_30_steps_match_torch_exactly(name, kind):
    m_trace, m_sched, m_opt = run(mytorch, name, kind, 30)
    t_trace, t_sched, t_opt = run(torch, name, kind, 30)
    assert m_trace == t_trace
    assert getattr(m_sched, "last_epoch", None) == getattr(t_sched, "last_epoch", None)
    for m_group, t_group in zip(m_opt.param_groups, t_opt.param_groups):
        assert {k: v for k, v in m_group.items() if k != "params"} == {
            k: v for k, v in t_group.items() if k != "params"
        }


def _comparable(state):
    """A scheduler state_dict with functions and nested schedulers made comparable."""
    out = {}
    for key, value in state.items():
        if key == "_schedulers":
            value = [_comparable(s) for s in value]
        elif callable(value):
            value = "<callable>"
        out[key] = value
    return out


@pytest.mark.parametrize("name, kind", CASES)
def test_state_dict_matches_torch(name, kind):
    _, m_sched, _ = run(mytorch, name, kind, 7)
    _, t_sched, _ = run(torch, name, kind, 7)
    assert _comparable(m_sched.state_dict()) == _comparable(t_sched.state_dict())


@pytest.mark.parametrize("name, kind", CASES)
def test_state_dict_round_trip_resumes(name, kind):
    """Save optimizer and scheduler after 12 steps, load both into fresh ones, continue."""
    full, _, _ = run(mytorch, name, kind, 30)
    _, sched, opt = run(mytorch, name, kind, 12)
    sched_state = copy.deepcopy(_without_functions(sched.state_dict()))
    opt_state = copy.deepcopy(opt.state_dict())
    fresh_opt = make_optimizer(mytorch, kind)
    fresh = SCHEDULERS[name](mytorch, fresh_opt)
    fresh.load_state_dict(sched_state)
    fresh_opt.load_state_dict(opt_state)
    resumed, _, _ = run(mytorch, name, kind, 18, sched=fresh, opt=fresh_opt)
    assert resumed == full[12:]


def _without_functions(state):
    # bound methods and partials of the scheduler itself do not deepcopy into a fresh one
    return {k: v for k, v in state.items() if not callable(v)}


def test_initial_lr_is_set_and_base_lrs_taken_from_it():
    for lib in (mytorch, torch):
        opt = make_optimizer(lib)
        sched = lib.optim.lr_scheduler.StepLR(opt, 2)
        assert [g["initial_lr"] for g in opt.param_groups] == [0.1, 0.05]
        assert sched.base_lrs == [0.1, 0.05]
        opt.param_groups[0]["initial_lr"] = 1.0
        again = lib.optim.lr_scheduler.ExponentialLR(opt, 0.5, last_epoch=3)
        assert again.base_lrs == [1.0, 0.05]


@pytest.mark.parametrize(
    "name, make",
    [
        ("step", lambda m, o: m.StepLR(o, 3, gamma=0.5)),
        ("multistep", lambda m, o: m.MultiStepLR(o, [2, 5, 5])),
        ("constant", lambda m, o: m.ConstantLR(o, 0.5, 4)),
        ("linear", lambda m, o: m.LinearLR(o, 0.2, 0.9, 6)),
        ("exponential", lambda m, o: m.ExponentialLR(o, 0.8)),
        ("polynomial", lambda m, o: m.PolynomialLR(o, 6, 1.5)),
        ("cosine", lambda m, o: m.CosineAnnealingLR(o, 5, 0.01)),
        ("warm_restarts", lambda m, o: m.CosineAnnealingWarmRestarts(o, 2, 3)),
        ("lambda", lambda m, o: m.LambdaLR(o, lambda e: 0.5**e)),
    ],
)
def test_step_with_epoch_uses_the_closed_form(name, make):
    results = []
    for lib in (mytorch, torch):
        opt = make_optimizer(lib)
        sched = make(lib.optim.lr_scheduler, opt)
        values = []
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            for epoch in [3, 7, 1, 10, 4, 0, 9.5 if name == "warm_restarts" else 9]:
                opt.step()
                sched.step(epoch)
                values.append((sched.last_epoch, sched.get_last_lr()))
        results.append((values, sorted({str(w.message) for w in caught})))
    assert results[0] == results[1]


def test_warm_restarts_fractional_epochs():
    results = []
    for lib in (mytorch, torch):
        opt = make_optimizer(lib)
        sched = lib.optim.lr_scheduler.CosineAnnealingWarmRestarts(opt, T_0=4, T_mult=2)
        values = []
        for i in range(20):
            sched.step(i * 0.7)
            values.append(sched.get_last_lr())
        results.append(values)
    assert results[0] == results[1]


METRICS = [1.0, 0.9, 0.95, 0.95, 0.96, 0.97, 0.89, 0.9, 0.9, 0.9, 0.9, 0.9, 0.5, 0.6, 0.7]
METRICS = METRICS + METRICS[::-1]


@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"patience": 2},
        {"patience": 1, "factor": 0.5, "cooldown": 2},
        {"mode": "max", "patience": 1, "threshold": 0.05},
        {"patience": 0, "threshold_mode": "abs", "threshold": 0.02, "min_lr": [0.01, 0.02]},
        {"patience": 0, "factor": 0.2, "min_lr": 0.004, "eps": 1e-3},
    ],
)
def test_reduce_lr_on_plateau(kwargs):
    results = []
    for lib in (mytorch, torch):
        opt = make_optimizer(lib)
        sched = lib.optim.lr_scheduler.ReduceLROnPlateau(opt, **kwargs)
        trace = []
        for metric in METRICS:
            opt.step()
            sched.step(lib.tensor(metric) if metric > 0.9 else metric)
            trace.append((sched.get_last_lr(), sched.num_bad_epochs, sched.cooldown_counter))
        results.append((trace, sched.state_dict()))
    assert results[0] == results[1]


def test_reduce_lr_on_plateau_state_dict_round_trip():
    full = []
    opt = make_optimizer(mytorch)
    sched = mytorch.optim.lr_scheduler.ReduceLROnPlateau(opt, patience=1, cooldown=1)
    for i, metric in enumerate(METRICS):
        if i == 10:
            saved = copy.deepcopy(sched.state_dict())
            saved_opt = copy.deepcopy(opt.state_dict())
        sched.step(metric)
        full.append(sched.get_last_lr())
    opt = make_optimizer(mytorch)
    opt.load_state_dict(saved_opt)
    sched = mytorch.optim.lr_scheduler.ReduceLROnPlateau(opt)
    sched.load_state_dict(saved)
    resumed = []
    for metric in METRICS[10:]:
        sched.step(metric)
        resumed.append(sched.get_last_lr())
    assert resumed == full[10:]


def test_tensor_learning_rate_is_updated_in_place():
    for lib in (mytorch, torch):
        lr = lib.tensor(0.1)
        opt = lib.optim.SGD([lib.zeros(2, requires_grad=True)], lr=lr)
        sched = lib.optim.lr_scheduler.StepLR(opt, 1, gamma=0.5)
        opt.step()
        sched.step()
        assert opt.param_groups[0]["lr"] is lr
        assert math.isclose(lr.item(), 0.05, rel_tol=1e-6)
        last = sched.get_last_lr()[0]
        assert isinstance(last, lib.Tensor) and last is not lr


# ---- warnings and errors -------------------------------------------------------------------------


def _warnings(fn):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fn()
    return [str(w.message) for w in caught]


def test_warns_when_stepped_before_the_optimizer():
    messages = []
    for lib in (mytorch, torch):
        sched = lib.optim.lr_scheduler.StepLR(make_optimizer(lib), 2)
        messages.append(_warnings(sched.step))
    assert messages[0] == messages[1] and "before `optimizer.step()`" in messages[0][0]


def test_no_warning_in_the_right_order_and_get_lr_outside_step_warns():
    for lib in (mytorch, torch):
        opt = make_optimizer(lib)
        sched = lib.optim.lr_scheduler.ExponentialLR(opt, 0.5)
        assert _warnings(lambda: (opt.step(), sched.step())) == []
        assert _warnings(sched.get_lr) == [
            "To get the last learning rate computed by the scheduler, please use `get_last_lr()`."
        ]


def _error(fn, lib):
    with pytest.raises(Exception) as info:
        fn(lib.optim.lr_scheduler, make_optimizer(lib))
    return type(info.value).__name__, str(info.value)


ERRORS = {
    "not_optimizer": lambda m, o: m.StepLR(object(), 2),
    "resume_without_initial_lr": lambda m, o: m.StepLR(o, 2, last_epoch=4),
    "lambda_count": lambda m, o: m.LambdaLR(o, [lambda e: 1.0]),
    "multiplicative_not_callable": lambda m, o: m.MultiplicativeLR(o, [1.0, 2.0]),
    "constant_factor": lambda m, o: m.ConstantLR(o, factor=1.5),
    "linear_start": lambda m, o: m.LinearLR(o, start_factor=0),
    "linear_end": lambda m, o: m.LinearLR(o, end_factor=2),
    "warm_restarts_T_0": lambda m, o: m.CosineAnnealingWarmRestarts(o, T_0=0),
    "warm_restarts_T_mult": lambda m, o: m.CosineAnnealingWarmRestarts(o, 2, T_mult=0),
    "warm_restarts_eta_min": lambda m, o: m.CosineAnnealingWarmRestarts(o, 2, eta_min="0"),
    "warm_restarts_negative_epoch": lambda m, o: m.CosineAnnealingWarmRestarts(o, 2).step(-1),
    "cyclic_mode": lambda m, o: m.CyclicLR(o, 0.1, 1.0, mode="sine"),
    "cyclic_lengths": lambda m, o: m.CyclicLR(o, [0.1], 1.0),
    "cyclic_no_momentum": lambda m, o: m.CyclicLR(m_adagrad(m, o), 0.1, 1.0),
    "one_cycle_steps": lambda m, o: m.OneCycleLR(o, 0.1),
    "one_cycle_total": lambda m, o: m.OneCycleLR(o, 0.1, total_steps=0),
    "one_cycle_epochs": lambda m, o: m.OneCycleLR(o, 0.1, epochs=0, steps_per_epoch=2),
    "one_cycle_pct": lambda m, o: m.OneCycleLR(o, 0.1, total_steps=5, pct_start=1.5),
    "one_cycle_anneal": lambda m, o: m.OneCycleLR(o, 0.1, total_steps=5, anneal_strategy="x"),
    "one_cycle_momentum_lengths": lambda m, o: m.OneCycleLR(
        o, 0.1, total_steps=5, base_momentum=[0.8], max_momentum=[0.9]
    ),
    "one_cycle_overrun": lambda m, o: _step_n(m.OneCycleLR(o, 0.1, total_steps=2), 3),
    "plateau_factor": lambda m, o: m.ReduceLROnPlateau(o, factor=1.0),
    "plateau_mode": lambda m, o: m.ReduceLROnPlateau(o, mode="middle"),
    "plateau_threshold_mode": lambda m, o: m.ReduceLROnPlateau(o, threshold_mode="x"),
    "plateau_min_lrs": lambda m, o: m.ReduceLROnPlateau(o, min_lr=[0.1]),
    "sequential_empty": lambda m, o: m.SequentialLR(o, [], []),
    "sequential_milestones": lambda m, o: m.SequentialLR(o, [m.StepLR(o, 2)], [3]),
    "sequential_plateau": lambda m, o: m.SequentialLR(o, [m.ReduceLROnPlateau(o)], []),
    "sequential_other_optimizer": lambda m, o: m.SequentialLR(
        o, [m.StepLR(o, 2), m.StepLR(m_sgd(m), 2)], [3]
    ),
    "chained_empty": lambda m, o: m.ChainedScheduler([]),
    "chained_not_scheduler": lambda m, o: m.ChainedScheduler([m.StepLR(o, 2), 3]),
    "base_get_lr": lambda m, o: m.LRScheduler(o),
}


def _step_n(sched, n):
    for _ in range(n):
        sched.step()


def _lib_of(module):
    return mytorch if module.__name__.startswith("mytorch") else torch


def m_adagrad(m, o):
    lib = _lib_of(m)
    return lib.optim.Adagrad([lib.zeros(2, requires_grad=True)])


def m_sgd(m):
    lib = _lib_of(m)
    return lib.optim.SGD([lib.zeros(2, requires_grad=True)])


@pytest.mark.parametrize("case", list(ERRORS))
def test_errors_match_torch(case):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert _error(ERRORS[case], mytorch) == _error(ERRORS[case], torch)


def test_public_names():
    for name in torch.optim.lr_scheduler.__all__:
        assert hasattr(mytorch.optim.lr_scheduler, name), name
    assert issubclass(mytorch.optim.lr_scheduler.StepLR, mytorch.optim.lr_scheduler.LRScheduler)
