"""nn.Module, Parameter, containers, init, Linear and the basic layers against torch."""

import copy
import math
from collections import OrderedDict

import numpy as np
import pytest
import torch

import mytorch


def _np(t):
    return t.detach().numpy()


def _copy_weights(src, dst):
    """Load torch module src's weights into mytorch module dst (same structure)."""
    state = OrderedDict(
        (k, mytorch.tensor(v.detach().numpy())) for k, v in src.state_dict().items()
    )
    dst.load_state_dict(state)


def _model(lib):
    nn = lib.nn
    return nn.Sequential(
        nn.Linear(4, 8), nn.ReLU(), nn.Sequential(nn.Linear(8, 3), nn.Tanh()), nn.LogSoftmax(dim=1)
    )


# ---- Parameter -------------------------------------------------------------------------------


def test_parameter_shares_memory_requires_grad_and_prints_like_torch():
    base = mytorch.ones(3)
    p = mytorch.nn.Parameter(base)
    assert p.requires_grad and p.is_leaf and isinstance(p, mytorch.Tensor)
    base.numpy()[0] = 5.0
    assert p.detach().numpy()[0] == 5.0
    tp = torch.nn.Parameter(torch.ones(3))
    assert repr(p * 1).startswith("tensor(")
    assert repr(mytorch.nn.Parameter(mytorch.ones(2))) == repr(torch.nn.Parameter(torch.ones(2)))
    assert repr(mytorch.nn.Parameter(mytorch.ones(2), requires_grad=False)) == repr(
        torch.nn.Parameter(torch.ones(2), requires_grad=False)
    )
    assert type(p * 2) is mytorch.Tensor and type(tp * 2) is torch.Tensor


def test_parameter_deepcopy_is_independent():
    p = mytorch.nn.Parameter(mytorch.ones(2))
    q = copy.deepcopy(p)
    q.detach().numpy()[0] = 3.0
    assert isinstance(q, mytorch.nn.Parameter) and p.detach().numpy()[0] == 1.0


# ---- registration and traversal ---------------------------------------------------------------


def test_named_parameters_modules_and_children_match_torch():
    ours, theirs = _model(mytorch), _model(torch)
    assert [n for n, _ in ours.named_parameters()] == [n for n, _ in theirs.named_parameters()]
    assert [n for n, _ in ours.named_modules()] == [n for n, _ in theirs.named_modules()]
    assert [n for n, _ in ours.named_children()] == [n for n, _ in theirs.named_children()]
    assert [tuple(p.shape) for p in ours.parameters()] == [
        tuple(p.shape) for p in theirs.parameters()
    ]
    assert [n for n, _ in ours.named_parameters(prefix="m", recurse=True)] == [
        n for n, _ in theirs.named_parameters(prefix="m", recurse=True)
    ]
    assert list(ours[0].named_parameters(recurse=False)) != []
    assert len(list(ours.parameters(recurse=False))) == 0


def test_shared_parameters_are_listed_once_unless_asked():
    for lib in (mytorch, torch):
        lin = lib.nn.Linear(2, 2)
        seq = lib.nn.Sequential(lin, lin)
        assert len(list(seq.parameters())) == 2
        assert len(list(seq.named_parameters(remove_duplicate=False))) == 4
        assert len(list(seq.named_modules(remove_duplicate=False))) == 3


def test_buffers_persistent_and_not():
    class M(mytorch.nn.Module):
        def __init__(self):
            super().__init__()
            self.register_buffer("running", mytorch.zeros(2))
            self.register_buffer("scratch", mytorch.ones(1), persistent=False)

    m = M()
    assert [n for n, _ in m.named_buffers()] == ["running", "scratch"]
    assert list(m.state_dict()) == ["running"]
    m.running = mytorch.ones(2)
    assert m._buffers["running"].numpy().tolist() == [1.0, 1.0]


def test_setattr_errors_match_torch():
    for lib in (mytorch, torch):
        m = lib.nn.Linear(2, 2)
        with pytest.raises(TypeError):
            m.weight = lib.ones(2, 2)  # a plain tensor where a Parameter is registered
        m.weight = None
        assert m.weight is None
        with pytest.raises(KeyError):
            m.register_buffer("a.b", lib.ones(1))
        with pytest.raises(TypeError):
            m.add_module("x", 3)


def test_attribute_error_names_the_module():
    with pytest.raises(AttributeError, match="'Linear' object has no attribute 'nope'"):
        mytorch.nn.Linear(2, 2).nope


def test_get_submodule_and_parameter():
    m = _model(mytorch)
    assert m.get_submodule("2.0") is m[2][0]
    assert m.get_parameter("2.0.bias") is m[2][0].bias
    with pytest.raises(AttributeError):
        m.get_submodule("2.7")


# ---- forward, values, gradients ----------------------------------------------------------------


def test_linear_matches_torch_with_same_weights_and_init_bounds():
    mytorch.manual_seed(0)
    ours, theirs = mytorch.nn.Linear(5, 3), torch.nn.Linear(5, 3)
    bound = 1 / math.sqrt(5)
    assert np.abs(_np(ours.weight)).max() <= bound and np.abs(_np(ours.bias)).max() <= bound
    _copy_weights(theirs, ours)
    x = np.random.default_rng(0).standard_normal((4, 5)).astype("float32")
    mo, to = ours(mytorch.tensor(x)), theirs(torch.tensor(x))
    np.testing.assert_allclose(_np(mo), _np(to), rtol=1e-5, atol=1e-6)
    mo.sum().backward()
    to.sum().backward()
    for a, b in zip(ours.parameters(), theirs.parameters()):
        np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=1e-5, atol=1e-6)


def test_sequential_model_forward_and_backward_match_torch():
    ours, theirs = _model(mytorch), _model(torch)
    _copy_weights(theirs, ours)
    rng = np.random.default_rng(1)
    x = rng.standard_normal((6, 4)).astype("float32")
    t = rng.integers(0, 3, 6)
    lm = mytorch.nn.NLLLoss()(ours(mytorch.tensor(x)), mytorch.tensor(t))
    lt = torch.nn.NLLLoss()(theirs(torch.tensor(x)), torch.tensor(t))
    np.testing.assert_allclose(lm.item(), lt.item(), rtol=1e-5)
    lm.backward()
    lt.backward()
    for (n, a), (_, b) in zip(ours.named_parameters(), theirs.named_parameters()):
        np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=1e-4, atol=1e-6, err_msg=n)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_loss_modules_match_torch(reduction):
    rng = np.random.default_rng(2)
    x = rng.standard_normal((5, 4))
    t = rng.integers(0, 4, 5)
    y = rng.standard_normal((5, 4))
    w = rng.uniform(0.5, 2.0, 4)
    pairs = [
        ("CrossEntropyLoss", {"weight": w, "label_smoothing": 0.1}, t),
        ("CrossEntropyLoss", {}, t),
        ("NLLLoss", {"weight": w}, t),
        ("MSELoss", {}, y),
        ("L1Loss", {}, y),
    ]
    for name, kwargs, target in pairs:
        results = []
        for lib in (mytorch, torch):
            kw = {k: lib.tensor(v) if isinstance(v, np.ndarray) else v for k, v in kwargs.items()}
            loss = getattr(lib.nn, name)(reduction=reduction, **kw)
            inp = lib.tensor(x, requires_grad=True)
            out = loss(inp, lib.tensor(target))
            out.sum().backward()
            results.append((_np(out), inp.grad.numpy()))
        np.testing.assert_allclose(results[0][0], results[1][0], rtol=1e-6, err_msg=name)
        np.testing.assert_allclose(results[0][1], results[1][1], rtol=1e-6, err_msg=name)


# ---- state_dict --------------------------------------------------------------------------------


def test_state_dict_keys_types_and_round_trip():
    ours, theirs = _model(mytorch), _model(torch)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    sd = ours.state_dict()
    assert isinstance(sd, OrderedDict)
    assert all(not v.requires_grad and type(v) is mytorch.Tensor for v in sd.values())
    other = _model(mytorch)
    result = other.load_state_dict(sd)
    assert repr(result) == "<All keys matched successfully>"
    for a, b in zip(ours.parameters(), other.parameters()):
        np.testing.assert_array_equal(_np(a), _np(b))
    # the state_dict shares memory with the parameters, as in torch
    sd["0.bias"].numpy()[0] = 123.0
    assert _np(ours[0].bias)[0] == 123.0


def _load_error(lib, sd_fn):
    m = lib.nn.Linear(3, 2)
    with pytest.raises(RuntimeError) as err:
        m.load_state_dict(sd_fn(lib))
    return str(err.value)


@pytest.mark.parametrize(
    "sd_fn",
    [
        lambda lib: {"weight": lib.ones(2, 3)},
        lambda lib: {"weight": lib.ones(3, 3), "bias": lib.ones(2), "x": lib.ones(1)},
        lambda lib: {"weight": lib.ones(2, 3), "bias": lib.ones(2), "extra": lib.ones(1)},
    ],
)
def test_load_state_dict_errors_match_torch_and_change_nothing(sd_fn):
    ours = _load_error(mytorch, sd_fn)
    theirs = _load_error(torch, sd_fn)
    assert ours == theirs.replace("torch.", "torch.")  # torch.Size prints the same in both
    m = mytorch.nn.Linear(3, 2)
    before = [_np(p).copy() for p in m.parameters()]
    with pytest.raises(RuntimeError):
        m.load_state_dict(sd_fn(mytorch))
    for b, p in zip(before, m.parameters()):
        np.testing.assert_array_equal(b, _np(p))


def test_load_state_dict_non_strict_reports_keys_like_torch():
    for lib in (mytorch, torch):
        m = lib.nn.Linear(3, 2)
        res = m.load_state_dict({"weight": lib.ones(2, 3), "extra": lib.ones(1)}, strict=False)
        assert res.missing_keys == ["bias"] and res.unexpected_keys == ["extra"]


# ---- modes, zero_grad, apply, dtype ---------------------------------------------------------


def test_train_eval_zero_grad_requires_grad_and_apply():
    m = _model(mytorch)
    assert all(x.training for x in m.modules())
    m.eval()
    assert not any(x.training for x in m.modules())
    m.train()
    m(mytorch.randn(2, 4)).sum().backward()
    assert all(p.grad is not None for p in m.parameters())
    m.zero_grad()
    assert all(p.grad is None for p in m.parameters())
    m(mytorch.randn(2, 4)).sum().backward()
    m.zero_grad(set_to_none=False)
    assert all(not p.grad.numpy().any() for p in m.parameters())
    m.requires_grad_(False)
    assert not any(p.requires_grad for p in m.parameters())
    seen = []
    m.apply(lambda mod: seen.append(type(mod).__name__))
    assert seen[-1] == "Sequential" and "Linear" in seen


def test_double_converts_parameters_and_keeps_them_parameters():
    m = mytorch.nn.Linear(2, 2).double()
    assert m.weight.dtype is mytorch.float64 and isinstance(m.weight, mytorch.nn.Parameter)
    assert m(mytorch.ones(1, 2, dtype=mytorch.float64)).dtype is mytorch.float64
    with pytest.raises(TypeError):
        m.to(mytorch.int64)


# ---- hooks -----------------------------------------------------------------------------------


def _hook_trace(lib):
    m = lib.nn.Linear(3, 2)
    calls = []
    h1 = m.register_forward_pre_hook(lambda mod, args: calls.append("pre") or (args[0] * 2,))
    h2 = m.register_forward_hook(lambda mod, args, out: calls.append("post") or out + 1)
    h3 = m.register_full_backward_hook(
        lambda mod, gin, gout: calls.append(("bw", tuple(g.shape for g in gout)))
    )
    x = lib.ones(4, 3, requires_grad=True)
    out = m(x)
    out.sum().backward()
    for h in (h1, h2, h3):
        h.remove()
    m(x)
    return calls


def test_hooks_run_in_torch_order_and_remove():
    assert _hook_trace(mytorch) == _hook_trace(torch)


def test_full_backward_hook_can_replace_grad_input():
    for lib in (mytorch, torch):
        m = lib.nn.Linear(3, 2)
        m.register_full_backward_hook(lambda mod, gin, gout: (gin[0] * 0,))
        x = lib.ones(1, 3, requires_grad=True)
        m(x).sum().backward()
        assert not x.grad.numpy().any()


# ---- printing ---------------------------------------------------------------------------------


def test_nested_repr_matches_torch():
    assert repr(_model(mytorch)) == repr(_model(torch))
    assert repr(mytorch.nn.Linear(2, 3, bias=False)) == repr(torch.nn.Linear(2, 3, bias=False))
    assert repr(mytorch.nn.ReLU(inplace=True)) == repr(torch.nn.ReLU(inplace=True))


# ---- containers -------------------------------------------------------------------------------


def test_containers_behave_like_torch():
    for lib in (mytorch, torch):
        nn = lib.nn
        seq = nn.Sequential(nn.Linear(2, 2), nn.ReLU(), nn.Linear(2, 1))
        assert len(seq) == 3 and isinstance(seq[-1], nn.Linear)
        assert len(seq[1:]) == 2 and isinstance(seq[1:], nn.Sequential)
        seq.append(nn.Tanh())
        del seq[1]
        assert [type(m).__name__ for m in seq] == ["Linear", "Linear", "Tanh"]
        ml = nn.ModuleList([nn.Linear(1, 1)])
        ml.append(nn.ReLU())
        ml.extend([nn.Tanh()])
        assert len(ml) == 3 and len(list(ml.parameters())) == 2
        md = nn.ModuleDict({"a": nn.Linear(1, 1)})
        md["b"] = nn.ReLU()
        assert list(md.keys()) == ["a", "b"] and "a" in md
        pl = nn.ParameterList([nn.Parameter(lib.ones(2)), lib.zeros(3)])
        assert len(pl) == 2 and isinstance(pl[1], nn.Parameter)
        pd = nn.ParameterDict({"w": nn.Parameter(lib.ones(1))})
        assert list(pd.keys()) == ["w"] and len(list(pd.parameters())) == 1
    named = mytorch.nn.Sequential(OrderedDict(a=mytorch.nn.ReLU(), b=mytorch.nn.Tanh()))
    assert [n for n, _ in named.named_children()] == ["a", "b"]


# ---- init -------------------------------------------------------------------------------------


def test_init_functions_bounds_and_statistics():
    init = mytorch.nn.init
    w = mytorch.empty(200, 300)
    init.xavier_uniform_(w)
    bound = math.sqrt(6 / 500)
    assert np.abs(w.numpy()).max() <= bound and w.numpy().std() > bound / 3
    init.kaiming_normal_(w, nonlinearity="relu")
    assert abs(w.numpy().std() - math.sqrt(2 / 300)) < 0.01
    init.constant_(w, 0.5)
    assert (w.numpy() == 0.5).all()
    q = mytorch.empty(4, 6)
    init.orthogonal_(q)
    np.testing.assert_allclose(q.numpy() @ q.numpy().T, np.eye(4), atol=1e-5)
    t = mytorch.empty(1000)
    init.trunc_normal_(t, std=1.0, a=-0.5, b=0.5)
    assert np.abs(t.numpy()).max() <= 0.5
    assert init.calculate_gain("leaky_relu", 0.2) == torch.nn.init.calculate_gain("leaky_relu", 0.2)
    assert init.calculate_gain("tanh") == torch.nn.init.calculate_gain("tanh")
    e = mytorch.empty(3, 3)
    init.eye_(e)
    np.testing.assert_array_equal(e.numpy(), np.eye(3))


def test_init_on_a_parameter_bumps_version_and_keeps_it_a_leaf():
    p = mytorch.nn.Parameter(mytorch.zeros(3))
    v = p._version
    mytorch.nn.init.uniform_(p, -1, 1)
    assert p._version > v and p.is_leaf and p.requires_grad
    with pytest.raises(RuntimeError, match="leaf Variable"):
        p.uniform_()  # outside no_grad, as in torch


def test_module_list_repr_groups_identical_children_like_torch():
    for lib in (mytorch, torch):
        layer = lib.nn.Linear(2, 2)
        ml = lib.nn.ModuleList([layer, copy.deepcopy(layer), lib.nn.ReLU()])
        if lib is torch:
            expected = repr(ml)
    assert (
        repr(
            mytorch.nn.ModuleList(
                [mytorch.nn.Linear(2, 2), mytorch.nn.Linear(2, 2), mytorch.nn.ReLU()]
            )
        )
        == expected
    )


@pytest.mark.parametrize("norm_type", [2.0, 1.0, float("inf")])
def test_clip_grad_norm_matches_torch(norm_type):
    results = []
    for lib in (mytorch, torch):
        lib.manual_seed(0)
        ws = [lib.tensor(np.arange(6.0).reshape(2, 3), requires_grad=True),
              lib.tensor(np.array([1.0, -2.0]), requires_grad=True)]  # fmt: skip
        ((ws[0] ** 2).sum() + (ws[1] * 3).sum()).backward()
        total = lib.nn.utils.clip_grad_norm_(ws, max_norm=1.5, norm_type=norm_type)
        results.append((float(total), [w.grad.numpy().copy() for w in ws]))
    np.testing.assert_allclose(results[0][0], results[1][0], rtol=1e-6)
    for a, b in zip(results[0][1], results[1][1]):
        np.testing.assert_allclose(a, b, rtol=1e-6)


def test_clip_grad_value_and_vector_conversion_match_torch():
    out = []
    for lib in (mytorch, torch):
        m = lib.nn.Linear(3, 2)
        with lib.no_grad():
            m.weight.copy_(lib.tensor(np.arange(6.0).reshape(2, 3), dtype=lib.float32))
            m.bias.fill_(0.5)
        m(lib.ones(4, 3)).pow(2).sum().backward()
        lib.nn.utils.clip_grad_value_(m.parameters(), 2.0)
        vec = lib.nn.utils.parameters_to_vector(m.parameters())
        lib.nn.utils.vector_to_parameters(vec * 2, m.parameters())
        out.append((m.weight.grad.numpy().copy(), vec.detach().numpy(), m.bias.detach().numpy()))
    for a, b in zip(*out):
        np.testing.assert_allclose(a, b, rtol=1e-6)


def test_bilinear_matches_torch():
    torch.manual_seed(0)
    theirs = torch.nn.Bilinear(3, 4, 2)
    ours = mytorch.nn.Bilinear(3, 4, 2)
    assert repr(ours) == repr(theirs)
    bound = 1 / math.sqrt(3)
    assert np.abs(_np(ours.weight)).max() <= bound
    _copy_weights(theirs, ours)
    rng = np.random.default_rng(3)
    a, b = (
        rng.standard_normal((5, 3)).astype("float32"),
        rng.standard_normal((5, 4)).astype("float32"),
    )
    xa, ta = mytorch.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    mo, to = ours(xa, mytorch.tensor(b)), theirs(ta, torch.tensor(b))
    np.testing.assert_allclose(_np(mo), _np(to), rtol=1e-5, atol=1e-6)
    mo.pow(2).sum().backward()
    to.pow(2).sum().backward()
    np.testing.assert_allclose(xa.grad.numpy(), ta.grad.numpy(), rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(
        ours.weight.grad.numpy(), theirs.weight.grad.numpy(), rtol=1e-4, atol=1e-5
    )
