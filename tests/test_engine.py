"""Engine and autograd API, differential against real torch: the same code runs with `lib=mytorch`
and `lib=torch`, and values, exception classes and (where mytorch copies torch's text) messages
are compared. Graph shapes, backward()/grad() arguments, hooks, grad mode, version counters,
autograd.Function, and memory over a training loop.
"""

import gc
import os
import subprocess
import sys
import threading
import tracemalloc
import warnings
from pathlib import Path

import numpy as np
import pytest
import torch

import mytorch

LIBS = [pytest.param(mytorch, id="mytorch"), pytest.param(torch, id="torch")]
ROOT = Path(__file__).resolve().parent.parent


# ---- the differential harness -------------------------------------------------------------------


def _as_torch(t):
    """A mytorch tensor's values as a torch tensor (same dtype and shape)."""
    return torch.from_numpy(np.array(t.detach().numpy()))


def assert_same(ours, theirs, *, requires_grad=True):
    """`ours` (from mytorch) matches `theirs` (from torch): structure, None where None, values,
    dtypes and shapes (assert_close's dtype-aware tolerances) and, unless told not to, the
    requires_grad flag of every tensor."""
    if isinstance(theirs, (tuple, list)):
        assert isinstance(ours, (tuple, list)), (ours, theirs)
        assert len(ours) == len(theirs), (ours, theirs)
        for a, b in zip(ours, theirs):
            assert_same(a, b, requires_grad=requires_grad)
    elif isinstance(theirs, dict):
        assert isinstance(ours, dict) and ours.keys() == theirs.keys(), (ours, theirs)
        for key in theirs:
            assert_same(ours[key], theirs[key], requires_grad=requires_grad)
    elif isinstance(theirs, torch.Tensor):
        assert isinstance(ours, mytorch.Tensor), (ours, theirs)
        torch.testing.assert_close(_as_torch(ours), theirs.detach())
        if requires_grad:
            assert ours.requires_grad == theirs.requires_grad
    else:
        assert ours == theirs


def check(fn, *, requires_grad=True):
    """Run `fn(lib)` with both libraries and compare the results."""
    ours, theirs = fn(mytorch), fn(torch)
    assert_same(ours, theirs, requires_grad=requires_grad)
    return ours, theirs


def error_of(fn, lib):
    try:
        fn(lib)
    except Exception as e:  # noqa: BLE001 - the class is what gets compared
        return type(e), str(e)
    pytest.fail(f"{lib.__name__}: no exception raised")


def check_error(fn, exc=RuntimeError, *, same_text=True):
    """Both libraries raise `exc` (torch is checked too, so the test's premise is verified) and,
    with `same_text`, with the same message. Returns mytorch's message."""
    theirs = error_of(fn, torch)
    assert theirs[0] is exc, theirs
    ours = error_of(fn, mytorch)
    assert ours[0] is exc, ours
    if same_text:
        assert ours[1] == theirs[1]
    return ours[1]


@pytest.fixture(autouse=True)
def _grad_mode_restored():
    # a test that leaks a disabled grad mode must not make every later test fail
    yield
    for lib in (mytorch, torch):
        lib.set_grad_enabled(True)


def leaf(lib, values, dtype="float64"):
    return lib.tensor(values, dtype=getattr(lib, dtype), requires_grad=True)


def node_name(t):
    return None if t.grad_fn is None else type(t.grad_fn).__name__


# ---- graph shapes -------------------------------------------------------------------------------


def test_diamond_gradient_is_summed():
    def fn(lib):
        x = leaf(lib, [0.5, -1.0, 2.0])
        a = x * 3
        y = (a.sin() * a.exp() + a).sum()  # a feeds three ops
        y.backward()
        return x.grad

    ours, _ = check(fn)
    x = np.array([0.5, -1.0, 2.0])
    a = 3 * x
    expected = 3 * (np.cos(a) * np.exp(a) + np.sin(a) * np.exp(a) + 1)
    np.testing.assert_allclose(ours.numpy(), expected)


@pytest.mark.parametrize(
    "expr",
    [
        lambda x: x * x,
        lambda x: x + x,
        lambda x: x * x * x - x / (x + 2),
        lambda x: (x * 2) * (x * 2).exp(),
    ],
    ids=["x*x", "x+x", "poly", "shared_scaled"],
)
def test_input_used_twice(expr):
    def fn(lib):
        x = leaf(lib, [0.3, -1.5, 2.0])
        y = expr(x).sum()
        (g,) = lib.autograd.grad(y, x, create_graph=False)
        y2 = expr(x).sum()
        y2.backward()
        return g, x.grad

    ours, _ = check(fn)
    assert_same(ours[0], _as_torch(ours[1]))


def test_shared_subexpression_first_and_second_order():
    def fn(lib):
        x = leaf(lib, [0.2, -0.7, 1.1])
        w = leaf(lib, [1.5, 0.5, -2.0])
        s = (x * w).tanh()
        y = (s * s + (s * 2).exp() * s - s / w).sum()
        gx, gw = lib.autograd.grad(y, (x, w), create_graph=True)
        v = lib.tensor([0.3, -1.0, 2.0], dtype=lib.float64)
        hx, hw = lib.autograd.grad((gx * v).sum() + (gw * gw).sum(), (x, w), create_graph=True)
        return gx, gw, hx, hw

    check(fn)


def test_diamond_hooks_see_the_summed_gradient_once():
    def fn(lib):
        x = leaf(lib, [1.0, 2.0])
        a = x * 2
        seen = []
        a.register_hook(lambda g: seen.append(("a", g.tolist())))
        x.register_hook(lambda g: seen.append(("x", g.tolist())))
        (a * a + a.exp()).sum().backward()
        return seen

    check(fn)


N_CHAIN = 100_000


def test_deep_chain_has_no_recursion_limit():
    # one 100,000-op graph, differentiated by grad() (mytorch's default records the backward, so
    # with the cotangent depending on x that is another 100,000 nodes, and keeps the graph) and
    # then by backward()
    x = mytorch.tensor(1.0, dtype=mytorch.float64, requires_grad=True)
    y = x
    for _ in range(N_CHAIN):
        y = y * 1.0001
    expected = 1.0
    for _ in range(N_CHAIN):
        expected *= 1.0001
    (g,) = mytorch.autograd.grad(y * x, x)  # d/dx (c x²) = 2 c x
    assert g.requires_grad
    y.backward()
    np.testing.assert_allclose(float(y), expected, rtol=1e-12)
    np.testing.assert_allclose(float(g), 2 * expected, rtol=1e-12)
    np.testing.assert_allclose(float(x.grad), expected, rtol=1e-12)
    del g, y  # freeing a 100,000-deep graph must not overflow the C stack either


def test_long_chain_of_additions_matches_torch():
    def fn(lib):
        x = lib.tensor([1.0, 2.0], dtype=lib.float64, requires_grad=True)
        y = x
        for _ in range(10_000):
            y = y + x
        y.sum().backward()
        return y, x.grad

    ours, _ = check(fn)
    np.testing.assert_array_equal(ours[1].numpy(), [10_001.0] * 2)


# ---- backward() ---------------------------------------------------------------------------------


def test_grad_accumulates_in_place_across_backward_calls():
    def fn(lib):
        x = leaf(lib, [1.0, -2.0, 3.0])
        (x * x).sum().backward()
        first = x.grad
        snapshot = first.clone()
        (x.exp()).sum().backward()
        return snapshot, x.grad, x.grad is first

    ours, _ = check(fn)
    assert ours[2] is True


def test_retain_graph_allows_a_second_backward_and_doubles():
    def fn(lib):
        x = leaf(lib, [0.5, 1.5])
        y = (x.sin() * x).sum()
        y.backward(retain_graph=True)
        once = x.grad.clone()
        y.backward()
        return once, x.grad

    ours, _ = check(fn)
    np.testing.assert_allclose(ours[1].numpy(), 2 * ours[0].numpy())


@pytest.mark.parametrize(
    "expr",
    [lambda x: x * 2, lambda x: x.exp(), lambda x: x * x, lambda x: (x * x).sin()],
    ids=["mul_scalar", "exp", "mul", "sin_mul"],
)
def test_second_backward_through_freed_graph_raises(expr):
    def fn(lib):
        x = leaf(lib, [1.0, 2.0])
        y = expr(x).sum()
        y.backward()
        y.backward()

    message = check_error(fn)
    assert message.startswith("Trying to backward through the graph a second time")


def test_grad_without_retain_graph_frees_the_graph():
    def fn(lib):
        x = leaf(lib, [1.0, 2.0])
        y = (x * x).sum()
        lib.autograd.grad(y, x, create_graph=False)
        y.backward()

    check_error(fn)


def test_backward_inputs_restricts_accumulation_to_leaves():
    def fn(lib):
        x = leaf(lib, [1.0, 2.0])
        w = leaf(lib, [3.0, -1.0])
        y = (x * w).exp().sum()
        y.backward(inputs=[x])
        after_x = (x.grad.clone(), w.grad)
        (x * w).sum().backward(inputs=w)
        return after_x, x.grad, w.grad

    ours, _ = check(fn)
    assert ours[0][1] is None


def test_backward_inputs_with_a_non_leaf():
    def fn(lib):
        x = leaf(lib, [1.0, 2.0])
        h = x * 3
        y = h.exp().sum()
        y.backward(inputs=[h])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return h.grad, x.grad

    ours, _ = check(fn)
    np.testing.assert_allclose(ours[0].numpy(), np.exp([3.0, 6.0]))
    assert ours[1] is None


def test_populated_non_leaf_grad_does_not_warn():
    # torch warns about a non-leaf's .grad only while it is undefined
    def fn(lib):
        x = leaf(lib, [1.0, 2.0])
        h = x * 3
        h.exp().sum().backward(inputs=[h])
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            g = h.grad
        return g, [str(w.message) for w in caught]

    check(fn)


def test_backward_on_non_scalar_needs_gradient():
    def fn(lib):
        x = leaf(lib, [1.0, 2.0])
        (x * 2).backward()

    message = check_error(fn)
    assert message == "grad can be implicitly created only for scalar outputs"


def test_backward_on_tensor_without_grad():
    message = check_error(lambda lib: lib.ones(3).sum().backward())
    assert message == "element 0 of tensors does not require grad and does not have a grad_fn"


def test_backward_gradient_of_wrong_shape():
    def fn(lib):
        x = leaf(lib, [1.0, 2.0])
        (x * 2).backward(lib.ones(3, dtype=lib.float64))

    check_error(fn)


def test_backward_with_explicit_gradient():
    def fn(lib):
        x = leaf(lib, [[1.0, 2.0], [3.0, 4.0]])
        v = lib.tensor([[0.5, -1.0], [2.0, 0.25]], dtype=lib.float64)
        (x * x).backward(v)
        return x.grad

    check(fn)


def test_backward_with_several_roots_sums_their_gradients():
    def fn(lib):
        x = leaf(lib, [1.0, 2.0])
        w = leaf(lib, [0.5, -1.0])
        a, b = x * w, (x * x).sum()
        lib.autograd.backward(
            [a, b], [lib.tensor([1.0, 3.0], dtype=lib.float64), None], retain_graph=True
        )
        g = lib.autograd.grad([a.sum(), b], [x, w], create_graph=False)
        return x.grad, w.grad, g

    check(fn)


def test_backward_on_a_leaf():
    def fn(lib):
        x = leaf(lib, [1.0, 2.0])
        x.backward(lib.tensor([3.0, 4.0], dtype=lib.float64))
        s = lib.tensor(2.0, requires_grad=True)
        s.backward()
        return x.grad, s.grad

    check(fn)


@pytest.mark.parametrize("lib", LIBS)
def test_non_leaf_grad_warns_and_is_none(lib):
    x = leaf(lib, [1.0, 2.0])
    h = x * 2
    h.sum().backward()
    with pytest.warns(UserWarning, match="is not a leaf Tensor is being accessed"):
        assert h.grad is None


def test_grad_carries_no_graph_after_backward():
    def fn(lib):
        x = leaf(lib, [1.0, 2.0])
        (x.exp() * x).sum().backward()
        return x.grad, x.grad.requires_grad, x.grad.grad_fn is None, x.grad.is_leaf

    ours, _ = check(fn)
    assert ours[1:] == (False, True, True)


def test_backward_create_graph_gives_grad_with_graph():
    def fn(lib):
        x = leaf(lib, [0.5, -1.0])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # torch warns about the reference cycle
            (x**3).sum().backward(create_graph=True)
        g = x.grad
        (gg,) = lib.autograd.grad(g.sum(), x, create_graph=False)
        x.grad = None
        return g, g.grad_fn is not None, gg

    ours, _ = check(fn)
    assert ours[0].requires_grad and ours[1]
    np.testing.assert_allclose(ours[2].numpy(), [3.0, -6.0])


# ---- autograd.grad ------------------------------------------------------------------------------


@pytest.mark.parametrize("create_graph", [False, True])
def test_grad_values_match_torch(create_graph):
    def fn(lib):
        x = leaf(lib, [[0.1, -0.4, 2.0], [1.0, 0.5, -3.0]])
        w = leaf(lib, [0.3, -0.2, 0.7])
        y = (x.sin() * w + x * x / (w * w + 1)).exp()
        v = lib.tensor([[1.0, -2.0, 0.5], [0.25, 3.0, -1.0]], dtype=lib.float64)
        return lib.autograd.grad(y, (x, w), v, create_graph=create_graph)

    check(fn)


def test_grad_and_backward_accept_a_dict_of_inputs():
    # torch 2.13: grad() returns a dict with the same keys; backward(inputs=dict) uses the values
    def fn(lib):
        x = leaf(lib, [1.0, 2.0])
        w = leaf(lib, [3.0, 4.0])
        y = (x * w * w).sum()
        grads = lib.autograd.grad(y, {"w": w, "x": x}, create_graph=False, retain_graph=True)
        y.backward(inputs={"x": x})
        return grads, x.grad, w.grad

    ours, _ = check(fn)
    assert list(ours[0]) == ["w", "x"]


def test_grad_default_values_match_torch_create_graph():
    x = leaf(mytorch, [0.2, 1.3])
    tx = leaf(torch, [0.2, 1.3])
    ours = mytorch.autograd.grad((x.exp() * x.sin()).sum(), x)
    theirs = torch.autograd.grad((tx.exp() * tx.sin()).sum(), tx, create_graph=True)
    assert_same(ours, theirs)


@pytest.mark.parametrize("create_graph", [None, False, True])
def test_grad_never_changes_dot_grad(create_graph):
    kwargs = {} if create_graph is None else {"create_graph": create_graph}
    x = leaf(mytorch, [1.0, 2.0])
    mytorch.autograd.grad((x * x).sum(), x, **kwargs)
    assert x.grad is None
    (x * x).sum().backward()
    before = x.grad
    mytorch.autograd.grad((x * x * x).sum(), x, **kwargs)
    assert x.grad is before
    np.testing.assert_array_equal(x.grad.numpy(), [2.0, 4.0])


@pytest.mark.parametrize("create_graph", [False, True])
@pytest.mark.parametrize("allow_unused", [None, False, True])
@pytest.mark.parametrize("materialize_grads", [None, False, True])
def test_allow_unused_and_materialize_grads_as_torch(create_graph, allow_unused, materialize_grads):
    kwargs = {"create_graph": create_graph}
    if allow_unused is not None:
        kwargs["allow_unused"] = allow_unused
    if materialize_grads is not None:
        kwargs["materialize_grads"] = materialize_grads

    def fn(lib):
        x = leaf(lib, [1.0, 2.0])
        unused = leaf(lib, [3.0])
        return lib.autograd.grad((x * x).sum(), (x, unused), **kwargs)

    if materialize_grads and allow_unused is False:
        message = check_error(fn, ValueError)
        assert "allow_unused" in message
    elif not allow_unused and not materialize_grads:
        message = check_error(fn)
        assert message == (
            "The differentiated Tensor at index 1 appears to not have been used in the graph. "
            "Set allow_unused=True if this is the desired behavior."
        )
    else:
        ours, _ = check(fn)
        if materialize_grads:
            np.testing.assert_array_equal(ours[1].detach().numpy(), [0.0])
        else:
            assert ours[1] is None


def _grads_up_to(lib, fn, order, **kwargs):
    x = leaf(lib, [0.3, -0.8, 1.4])
    out, g = [], fn(x).sum()
    for _ in range(order):
        (g,) = lib.autograd.grad(g.sum(), x, **kwargs)
        out.append(g)
    return out


def test_grad_default_differentiates_to_fourth_order():
    fn = lambda x: x.sin() * x.exp() + x * x * x * x  # noqa: E731
    ours = _grads_up_to(mytorch, fn, 4)
    theirs = _grads_up_to(torch, fn, 4, create_graph=True)
    assert_same(ours, theirs)
    assert all(g.requires_grad for g in ours)


def test_grad_default_fourth_derivative_of_cube_is_zeros():
    g1, g2, g3, g4 = _grads_up_to(mytorch, lambda x: x**3, 4)
    np.testing.assert_allclose(g1.numpy(force=True), 3 * np.array([0.3, -0.8, 1.4]) ** 2)
    np.testing.assert_allclose(g3.numpy(force=True), [6.0, 6.0, 6.0])
    assert g4.shape == (3,) and g4.dtype is mytorch.float64
    np.testing.assert_array_equal(g4.detach().numpy(), [0.0, 0.0, 0.0])


def test_grad_default_second_derivative_of_linear_is_zero():
    x = mytorch.tensor(3.0, requires_grad=True)
    (g,) = mytorch.autograd.grad(2 * x, x)
    (gg,) = mytorch.autograd.grad(g, x)
    assert float(g) == 2.0
    assert repr(gg) == "tensor(0.)"


def test_grad_default_unused_input_gives_zeros():
    x = leaf(mytorch, [1.0, 2.0])
    unused = leaf(mytorch, [[3.0, 4.0, 5.0]])
    gx, gu = mytorch.autograd.grad((x * 2).sum(), (x, unused))
    np.testing.assert_array_equal(gx.numpy(force=True), [2.0, 2.0])
    assert gu.shape == (1, 3)
    np.testing.assert_array_equal(gu.numpy(force=True), [[0.0, 0.0, 0.0]])


def test_grad_default_explicit_allow_unused_keeps_none():
    x = leaf(mytorch, [1.0, 2.0])
    unused = leaf(mytorch, [3.0])
    _, gu = mytorch.autograd.grad((x * 2).sum(), (x, unused), allow_unused=True)
    assert gu is None


def test_higher_order_default_off_gives_torch_defaults():
    mytorch.autograd.set_higher_order_default(False)
    assert mytorch.autograd.get_higher_order_default() is False

    def first(lib):
        x = leaf(lib, [0.5, 2.0])
        return lib.autograd.grad((x**3).sum(), x)

    ours, _ = check(first)
    assert not ours[0].requires_grad

    def unused(lib):
        x = leaf(lib, [0.5, 2.0])
        return lib.autograd.grad((x * 2).sum(), (x, leaf(lib, [1.0])))

    assert "appears to not have been used in the graph" in check_error(unused)

    def linear_twice(lib):
        x = lib.tensor(3.0, requires_grad=True)
        (g,) = lib.autograd.grad(2 * x, x)
        lib.autograd.grad(g, x)

    check_error(linear_twice)

    def freed(lib):
        x = leaf(lib, [0.5, 2.0])
        y = (x * x).sum()
        lib.autograd.grad(y, x)
        lib.autograd.grad(y, x)

    check_error(freed)


def test_higher_order_default_on_keeps_the_graph():
    assert mytorch.autograd.get_higher_order_default() is True
    x = leaf(mytorch, [0.5, 2.0])
    y = (x * x).sum()
    (a,) = mytorch.autograd.grad(y, x)
    (b,) = mytorch.autograd.grad(y, x)
    np.testing.assert_array_equal(a.numpy(force=True), b.numpy(force=True))


_ENV_SCRIPT = """
import mytorch
x = mytorch.tensor([1.0, 2.0], requires_grad=True)
(g,) = mytorch.autograd.grad((x * x).sum(), x)
print(mytorch.autograd.get_higher_order_default(), g.requires_grad)
try:
    mytorch.autograd.grad((x * 2).sum(), (x, mytorch.ones(1, requires_grad=True)))
    print("zeros")
except RuntimeError as e:
    print(type(e).__name__)
"""


@pytest.mark.parametrize(
    "value, expected",
    [("0", "False False\nRuntimeError"), ("1", "True True\nzeros"), (None, "True True\nzeros")],
)
def test_higher_order_default_environment_variable(value, expected):
    env = {k: v for k, v in os.environ.items() if k != "MYTORCH_HIGHER_ORDER_DEFAULT"}
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")])
    if value is not None:
        env["MYTORCH_HIGHER_ORDER_DEFAULT"] = value
    done = subprocess.run(
        [sys.executable, "-c", _ENV_SCRIPT],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == expected


# ---- the README examples ------------------------------------------------------------------------


def test_readme_example_derivatives():
    def fn(lib):
        a = lib.tensor(3.0, requires_grad=True)
        b = lib.tensor(10.0, requires_grad=True)
        c = 2 + (a + b**2) / (a + b + a * b)
        ga, gb = lib.autograd.grad(c, (a, b), create_graph=True)
        gaa, gab = lib.autograd.grad(ga, (a, b), create_graph=True)
        gba, gbb = lib.autograd.grad(gb, (a, b), create_graph=True)
        text = repr(c).replace("torch.", "mytorch.")
        return c, text, node_name(c), (ga, gb), (gaa, gab, gba, gbb)

    ours, _ = check(fn)
    c, text, name, (ga, gb), (gaa, _, _, gbb) = ours
    assert text == "tensor(4.3953, grad_fn=<AddBackward0>)"
    assert name == "AddBackward0"
    assert c.dtype is mytorch.float32
    assert round(float(ga), 4) == -0.5895 and round(float(gb), 4) == 0.2423
    assert round(float(gaa), 4) == 0.3016 and round(float(gbb), 4) == 0.0014


def test_readme_example_broadcast():
    def fn(lib):
        a = lib.ones(2, 3, requires_grad=True)
        b = lib.ones(3, requires_grad=True)
        c = a + b
        c.backward(lib.ones(2, 3))
        return a.grad, b.grad

    ours, _ = check(fn)
    np.testing.assert_array_equal(ours[1].numpy(), [2.0, 2.0, 2.0])


# ---- hooks --------------------------------------------------------------------------------------


def test_hook_on_leaf_replaces_the_accumulated_gradient():
    def fn(lib):
        x = leaf(lib, [1.0, 2.0])
        seen = []
        x.register_hook(lambda g: seen.append(g.tolist()))
        x.register_hook(lambda g: g * 10)
        (x * x).sum().backward()
        return seen, x.grad

    ours, _ = check(fn)
    np.testing.assert_array_equal(ours[1].numpy(), [20.0, 40.0])


def test_hook_on_non_leaf_changes_upstream_gradients():
    def fn(lib):
        x = leaf(lib, [1.0, -2.0])
        h = x.exp()
        h.register_hook(lambda g: g + 1)
        (h * 3).sum().backward()
        return x.grad

    check(fn)


def test_several_hooks_run_in_order_each_seeing_the_last_result():
    def fn(lib):
        x = leaf(lib, [1.0, 2.0])
        h = x * 2
        log = []

        def make(name, factor):
            def hook(g):
                log.append((name, g.tolist()))
                return None if factor is None else g * factor

            return hook

        h.register_hook(make("first", 2))
        h.register_hook(make("second", None))
        h.register_hook(make("third", 5))
        x.register_hook(make("leaf", None))
        (h * h).sum().backward()
        return log, x.grad

    ours, _ = check(fn)
    assert [name for name, _ in ours[0]] == ["first", "second", "third", "leaf"]


def test_removed_hook_does_not_run():
    def fn(lib):
        x = leaf(lib, [1.0, 2.0])
        calls = []
        handle = x.register_hook(lambda g: calls.append("removed") or g * 100)
        x.register_hook(lambda g: calls.append("kept"))
        handle.remove()
        handle.remove()  # a second remove is harmless
        (x * 3).sum().backward()
        return calls, x.grad

    ours, _ = check(fn)
    assert ours[0] == ["kept"]


@pytest.mark.parametrize(
    "retain_first", [True, False], ids=["retain_then_hook", "hook_then_retain"]
)
def test_retain_grad_sees_the_hooked_gradient(retain_first):
    def fn(lib):
        x = leaf(lib, [1.0, 2.0])
        h = x * 2
        if retain_first:
            h.retain_grad()
        h.register_hook(lambda g: g * 10)
        if not retain_first:
            h.retain_grad()
        h.sum().backward()
        return h.retains_grad, h.grad, x.grad

    ours, _ = check(fn)
    np.testing.assert_array_equal(ours[1].numpy(), [10.0, 10.0])


def test_retain_grad_accumulates_and_has_no_graph():
    def fn(lib):
        x = leaf(lib, [1.0, 2.0])
        h = x.sin()
        h.retain_grad()
        y = (h * h).sum()
        y.backward(retain_graph=True)
        first = h.grad.clone()
        y.backward()
        return first, h.grad, h.grad.requires_grad, x.retains_grad

    check(fn)


def test_retain_grad_on_leaf_is_a_no_op():
    def fn(lib):
        x = leaf(lib, [1.0, 2.0])
        x.retain_grad()
        (x * 2).sum().backward()
        return x.retains_grad, x.grad

    check(fn)


def test_hook_on_tensor_without_grad_raises():
    message = check_error(lambda lib: lib.ones(2).register_hook(lambda g: g))
    assert message == "cannot register a hook on a tensor that doesn't require gradient"


def test_retain_grad_on_tensor_without_grad_raises():
    check_error(lambda lib: lib.ones(2).retain_grad())


def test_hooks_run_under_autograd_grad_too():
    def fn(lib):
        x = leaf(lib, [1.0, 2.0])
        h = x * x
        h.register_hook(lambda g: g * 3)
        return lib.autograd.grad(h.sum(), x, create_graph=False)

    check(fn)


# ---- grad mode ----------------------------------------------------------------------------------


def test_grad_mode_nesting():
    def fn(lib):
        x = leaf(lib, [1.0])
        log = []

        def note():
            log.append((lib.is_grad_enabled(), (x * 2).requires_grad))

        note()
        with lib.no_grad():
            note()
            with lib.enable_grad():
                note()
                with lib.set_grad_enabled(False):
                    note()
                note()
            note()
            with lib.set_grad_enabled(True):
                note()
            note()
        note()
        return log

    ours, _ = check(fn)
    assert ours == [
        (True, True),
        (False, False),
        (True, True),
        (False, False),
        (True, True),
        (False, False),
        (True, True),
        (False, False),
        (True, True),
    ]


def test_set_grad_enabled_as_a_function_call():
    def fn(lib):
        x = leaf(lib, [1.0])
        try:
            lib.set_grad_enabled(False)
            off = (lib.is_grad_enabled(), (x * 2).requires_grad)
        finally:
            lib.set_grad_enabled(True)
        return off, lib.is_grad_enabled()

    ours, _ = check(fn)
    assert ours == ((False, False), True)


def test_grad_mode_is_restored_after_an_exception():
    def fn(lib):
        with pytest.raises(ZeroDivisionError):
            with lib.no_grad():
                1 / 0
        return lib.is_grad_enabled()

    assert check(fn)[0] is True


def test_grad_mode_decorators():
    def fn(lib):
        x = leaf(lib, [1.0])

        @lib.no_grad()
        def called(t):
            return t * 2

        @lib.no_grad
        def bare(t):
            """Doc."""
            return t * 2

        @lib.enable_grad()
        def enabled(t):
            return t * 2

        @lib.set_grad_enabled(False)
        def disabled(t):
            return t * 2

        with lib.no_grad():
            inside = enabled(x).requires_grad
        return (
            called(x).requires_grad,
            bare(x).requires_grad,
            bare.__name__,
            bare.__doc__,
            inside,
            disabled(x).requires_grad,
            lib.is_grad_enabled(),
        )

    ours, _ = check(fn)
    assert ours == (False, False, "bare", "Doc.", True, False, True)


def test_inference_mode():
    def fn(lib):
        x = leaf(lib, [1.0, 2.0])
        with lib.inference_mode():
            inside = (lib.is_inference_mode_enabled(), lib.is_grad_enabled(), (x * 2).requires_grad)
        with lib.inference_mode(False):
            off = (lib.is_inference_mode_enabled(), (x * 2).requires_grad)

        @lib.inference_mode()
        def called(t):
            return t * 2

        @lib.inference_mode
        def bare(t):
            return t * 2

        return (
            inside,
            off,
            called(x).requires_grad,
            bare(x).requires_grad,
            (
                lib.is_inference_mode_enabled(),
                lib.is_grad_enabled(),
            ),
        )

    ours, _ = check(fn)
    assert ours == ((True, False, False), (False, True), False, False, (False, True))


@pytest.mark.parametrize("lib", LIBS)
def test_grad_mode_is_thread_local(lib):
    x = lib.ones(2, requires_grad=True)
    entered, release = threading.Event(), threading.Event()
    seen = {}

    def worker():
        with lib.no_grad():
            seen["thread"] = (lib.is_grad_enabled(), (x * 2).requires_grad)
            entered.set()
            release.wait(10)
        seen["thread_after"] = lib.is_grad_enabled()

    thread = threading.Thread(target=worker)
    thread.start()
    try:
        assert entered.wait(10)
        main = (lib.is_grad_enabled(), (x * 2).requires_grad)
    finally:
        release.set()
        thread.join(10)
    assert seen == {"thread": (False, False), "thread_after": True}
    assert main == (True, True)


@pytest.mark.parametrize("lib", LIBS)
def test_new_thread_starts_with_grad_enabled(lib):
    seen = []
    with lib.no_grad():
        thread = threading.Thread(target=lambda: seen.append(lib.is_grad_enabled()))
        thread.start()
        thread.join(10)
        assert not lib.is_grad_enabled()
    assert seen == [True]


def test_detach_cuts_the_graph_and_shares_data():
    def fn(lib):
        x = leaf(lib, [1.0, 2.0])
        y = x * 3
        d = y.detach()
        meta = (d.requires_grad, d.grad_fn is None, d.is_leaf)
        z = (d * x + y).sum()
        z.backward()
        with lib.no_grad():
            d.add_(1)  # shares memory with y
        return meta, x.grad, y.detach().clone(), d._version == y._version

    ours, _ = check(fn)
    assert ours[0] == (False, True, True)
    np.testing.assert_array_equal(ours[1].numpy(), [6.0, 9.0])  # d is a constant: 3x + 3


def test_detach_in_place():
    def fn(lib):
        x = leaf(lib, [1.0, 2.0])
        y = x * 3
        out = y.detach_()
        return out is y, y.requires_grad, y.grad_fn is None, y.is_leaf, (y * x).requires_grad

    ours, _ = check(fn)
    assert ours == (True, False, True, True, True)


def test_requires_grad_on_integer_tensor_raises():
    check_error(lambda lib: lib.tensor([1, 2]).requires_grad_())
    check_error(lambda lib: lib.tensor([1, 2], requires_grad=True))


def test_requires_grad_false_on_non_leaf_raises():
    def fn(lib):
        x = leaf(lib, [1.0])
        (x * 2).requires_grad_(False)

    message = check_error(fn)
    assert message.startswith("you can only change requires_grad flags of leaf variables.")


def test_requires_grad_true_on_non_leaf_is_allowed():
    def fn(lib):
        x = leaf(lib, [1.0])
        y = (x * 2).requires_grad_()
        return y.requires_grad, node_name(y)

    check(fn)


# ---- version counter and in-place ops -----------------------------------------------------------


def _exp_then_add(lib):
    x = leaf(lib, [1.0, 2.0], "float32")
    y = x.exp()
    y.add_(1)
    y.sum().backward()


def _mul_saved_then_mul(lib):
    x = leaf(lib, [1.0, 2.0], "float32")
    y = x * 2
    z = y * y
    y.mul_(2)
    z.sum().backward()


def _sin_saved_then_add(lib):
    x = leaf(lib, [1.0, 2.0], "float32")
    y = x.sin()
    z = y.cos()
    y.add_(1)
    z.sum().backward()


MODIFIED = {
    "exp_result": _exp_then_add,
    "mul_input": _mul_saved_then_mul,
    "cos_input": _sin_saved_then_add,
}


@pytest.mark.parametrize("case", MODIFIED)
def test_modified_saved_tensor_raises(case):
    message = check_error(MODIFIED[case], same_text=False)
    assert message.startswith(
        "one of the variables needed for gradient computation has been modified by an inplace "
        "operation: [torch.FloatTensor [2]]"
    )
    assert "is at version 1; expected version 0 instead." in message


@pytest.mark.parametrize("case", MODIFIED)
def test_modified_saved_tensor_message_matches_torch(case):
    ours, theirs = (error_of(MODIFIED[case], lib)[1] for lib in (mytorch, torch))
    assert ours.split(" Hint:")[0] == theirs.split(" Hint:")[0]


def test_in_place_on_a_tensor_nobody_saved_is_allowed():
    def fn(lib):
        x = leaf(lib, [1.0, 2.0])
        y = x + 1
        z = y + 1  # add saves nothing
        y.add_(1)
        z.sum().backward()
        return x.grad, y._version, node_name(y)

    check(fn)


def test_in_place_on_leaf_requiring_grad_raises():
    def fn(lib):
        leaf(lib, [1.0, 2.0]).add_(1)

    message = check_error(fn)
    assert message == "a leaf Variable that requires grad is being used in an in-place operation."


def test_in_place_on_leaf_under_no_grad_bumps_version():
    def fn(lib):
        w = leaf(lib, [1.0, 2.0])
        (w * w).sum().backward()
        before = w._version
        with lib.no_grad():
            w.sub_(0.1 * w.grad)
            w -= 0.5
            w.mul_(2)
        return w, w.requires_grad, w.is_leaf, w.grad_fn is None, w._version - before

    ours, _ = check(fn)
    assert ours[4] == 3


@pytest.mark.parametrize(
    "op, name",
    [
        (lambda y, x: y.add_(x), "AddBackward0"),
        (lambda y, x: y.add_(2.0), "AddBackward0"),
        (lambda y, x: y.sub_(x), "SubBackward0"),
        (lambda y, x: y.mul_(x), "MulBackward0"),
        (lambda y, x: y.mul_(3.0), "MulBackward0"),
        (lambda y, x: y.div_(x), "DivBackward0"),
        (lambda y, x: y.copy_(x * 5), "CopyBackwards"),
        (lambda y, x: y.zero_(), "ZeroBackward0"),
        (lambda y, x: y.fill_(2.5), "FillBackward2"),
    ],
    ids=["add_", "add_scalar", "sub_", "mul_", "mul_scalar", "div_", "copy_", "zero_", "fill_"],
)
def test_in_place_on_non_leaf_records_a_node(op, name):
    def fn(lib):
        x = leaf(lib, [0.5, -1.5, 2.0])
        w = leaf(lib, [1.0, 2.0, 3.0])
        y = x * w
        out = op(y, x)
        z = (y.sin() * x).sum()
        z.backward()
        return out is y, node_name(y), y._version, x.grad, w.grad

    ours, _ = check(fn)
    assert ours[1] == name


def test_gradients_through_in_place_chain():
    def fn(lib):
        x = leaf(lib, [0.5, -1.5, 2.0])
        w = leaf(lib, [1.0, 2.0, 3.0])
        y = x * 1
        y.mul_(w)
        y.add_(x.exp(), alpha=2)
        y.sub_(w)
        y.div_(2.0)
        y += x
        y *= w
        z = y.tanh()
        gx, gw = lib.autograd.grad(z.sum(), (x, w), create_graph=True)
        hx, hw = lib.autograd.grad((gx * gw).sum(), (x, w), create_graph=True)
        return node_name(y), y._version, gx, gw, hx, hw

    check(fn)


def test_in_place_on_plain_tensor_with_grad_argument():
    def fn(lib):
        x = leaf(lib, [1.0, 2.0])
        acc = lib.zeros(2, dtype=lib.float64)
        acc.add_(x * x)
        acc.mul_(x)
        meta = (acc.requires_grad, acc.is_leaf, node_name(acc))
        acc.sum().backward()
        return meta, x.grad

    check(fn)


def test_in_place_integer_add_float_raises():
    message = check_error(lambda lib: lib.tensor([1, 2]).add_(1.5))
    assert message == "result type Float can't be cast to the desired output type Long"


@pytest.mark.parametrize(
    "make, op",
    [
        (lambda lib: lib.ones(2), lambda lib, t: t.add_(lib.ones(2, 2))),
        (lambda lib: lib.tensor([1, 2]), lambda lib, t: t.add_(1.5)),
        (lambda lib: lib.tensor([1, 2]), lambda lib, t: t.mul_(lib.tensor([0.5, 0.5]))),
        (lambda lib: lib.ones(3), lambda lib, t: t.copy_(lib.ones(2))),
    ],
    ids=["shape", "int_float_scalar", "int_float_tensor", "copy_shape"],
)
def test_failed_in_place_leaves_the_tensor_unchanged(make, op):
    def fn(lib):
        t = make(lib)
        before = t.clone()
        try:
            op(lib, t)
        except RuntimeError as e:
            return type(e).__name__, str(e), t, before, t._version
        return "no error"

    ours, _ = check(fn)
    assert ours[0] == "RuntimeError"
    assert_same(ours[2], _as_torch(ours[3]))


def test_version_counter_is_shared_with_views_and_detach():
    def fn(lib):
        x = lib.zeros(2, 3)
        v = x[0]
        d = x.detach()
        with lib.no_grad():
            v.add_(1)
            d.mul_(2)
        return x, x._version, v._version, d._version

    check(fn)


# ---- next_functions and names -------------------------------------------------------------------


def _structure(node, depth=3):
    """(name, [(child structure, index), ...]) down to `depth`."""
    if node is None:
        return None
    if depth == 0:
        return type(node).__name__
    return (
        type(node).__name__,
        tuple((_structure(child, depth - 1), i) for child, i in node.next_functions),
    )


NEXT_FUNCTIONS = {
    "x*2": lambda lib, x, w, c: x * 2,
    "2*x": lambda lib, x, w, c: 2 * x,
    "1+x": lambda lib, x, w, c: 1 + x,
    "x/2": lambda lib, x, w, c: x / 2,
    "x*w": lambda lib, x, w, c: x * w,
    "x+c": lambda lib, x, w, c: x + c,
    "c*x": lambda lib, x, w, c: c * x,
    "2-x": lambda lib, x, w, c: 2 - x,
    "2/x": lambda lib, x, w, c: 2 / x,
    "x**2": lambda lib, x, w, c: x**2,
    "2**x": lambda lib, x, w, c: 2**x,
    "x**w": lambda lib, x, w, c: x**w,
    "x%2": lambda lib, x, w, c: x % 2,
    "add_alpha": lambda lib, x, w, c: x.add(w, alpha=2),
    "where": lambda lib, x, w, c: lib.where(x > 1, x, 0.0),
    "sum_exp": lambda lib, x, w, c: (x * w).exp().sum(),
    "diamond": lambda lib, x, w, c: (x + w) * (x - w),
    "sin_div": lambda lib, x, w, c: x.sin() / w,
    "mean": lambda lib, x, w, c: x.mean(),
    "sum_dim": lambda lib, x, w, c: x.reshape(3, 1).sum(0),
    "reshape_mul": lambda lib, x, w, c: x.reshape(3, 1) * w,
    "getitem": lambda lib, x, w, c: x[0] + x[1:],
    "to": lambda lib, x, w, c: x.to(lib.float32),
}


@pytest.mark.parametrize("expr", NEXT_FUNCTIONS)
def test_next_functions_match_torch(expr):
    def fn(lib):
        x = leaf(lib, [1.0, 2.0, 3.0])
        w = leaf(lib, [0.5, 1.5, 2.5])
        c = lib.tensor([1.0, 1.0, 1.0], dtype=lib.float64)
        y = NEXT_FUNCTIONS[expr](lib, x, w, c)
        return _structure(y.grad_fn), y.grad_fn.name()

    check(fn)


def test_next_functions_point_at_the_same_nodes():
    def fn(lib):
        x = leaf(lib, [1.0, 2.0])
        w = leaf(lib, [3.0, 4.0])
        a = x * 2
        b = a.exp()
        c = x * w
        acc = a.grad_fn.next_functions[0][0]
        return (
            a.grad_fn.next_functions,
            b.grad_fn.next_functions[0][0] is a.grad_fn,
            acc is c.grad_fn.next_functions[0][0],
            acc.variable is x,
            c.grad_fn.next_functions[1][0].variable is w,
            acc.next_functions,
            x.grad_fn,
            x.is_leaf,
            a.is_leaf,
        )

    ours, theirs = fn(mytorch), fn(torch)
    names = [(type(n).__name__ if n else None, i) for n, i in ours[0]]
    assert names == [("AccumulateGrad", 0), (None, 0)]
    assert names == [(type(n).__name__ if n else None, i) for n, i in theirs[0]]
    assert ours[1:] == theirs[1:] == (True, True, True, True, (), None, True, False)


# ---- autograd.Function --------------------------------------------------------------------------


def functions(lib):
    """The same user-defined ops, written once, for either library."""
    F = lib.autograd.Function
    once = lib.autograd.function.once_differentiable
    log = []

    class Exp(F):
        @staticmethod
        def forward(ctx, x):
            y = x.exp()
            ctx.save_for_backward(y)
            return y

        @staticmethod
        def backward(ctx, grad):
            (y,) = ctx.saved_tensors
            return grad * y

    class Square(F):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        def backward(ctx, grad):
            (x,) = ctx.saved_tensors
            return grad * 2 * x

    class MulAdd(F):
        @staticmethod
        def forward(ctx, a, b):
            log.append(("forward", tuple(ctx.needs_input_grad)))
            ctx.save_for_backward(a, b)
            return a * b + a

        @staticmethod
        def backward(ctx, grad):
            log.append(("backward", tuple(ctx.needs_input_grad)))
            a, b = ctx.saved_tensors
            ga = grad * (b + 1) if ctx.needs_input_grad[0] else None
            gb = grad * a if ctx.needs_input_grad[1] else None
            return ga, gb

    class Scale(F):
        @staticmethod
        def forward(ctx, x, factor):
            ctx.factor = factor
            return x * factor

        @staticmethod
        def backward(ctx, grad):
            return grad * ctx.factor, None

    class SinCos(F):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x.sin(), x.cos()

        @staticmethod
        def backward(ctx, g_sin, g_cos):
            log.append(("sincos", g_sin is None, g_cos is None))
            (x,) = ctx.saved_tensors
            return g_sin * x.cos() - g_cos * x.sin()

    class SinCosLazy(F):
        @staticmethod
        def forward(ctx, x):
            ctx.set_materialize_grads(False)
            ctx.save_for_backward(x)
            return x.sin(), x.cos()

        @staticmethod
        def backward(ctx, g_sin, g_cos):
            log.append(("lazy", g_sin is None, g_cos is None))
            (x,) = ctx.saved_tensors
            out = None
            if g_sin is not None:
                out = g_sin * x.cos()
            if g_cos is not None:
                out = -g_cos * x.sin() if out is None else out - g_cos * x.sin()
            return out

    class WithMask(F):
        @staticmethod
        def forward(ctx, x):
            y, mask = x * 2, x * 0
            ctx.mark_non_differentiable(mask)
            return y, mask

        @staticmethod
        def backward(ctx, g_y, g_mask):
            log.append(("mask", g_mask is None))
            return g_y * 2

    class Once(F):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        @once
        def backward(ctx, grad):
            (x,) = ctx.saved_tensors
            log.append(("once", grad.requires_grad, lib.is_grad_enabled()))
            return grad * 2 * x

    class Wrong(F):
        @staticmethod
        def forward(ctx, a, b):
            return a + b

        @staticmethod
        def backward(ctx, grad):
            return grad

    return dict(locals())


def test_function_single_input_saving_its_result():
    def fn(lib):
        f = functions(lib)
        x = leaf(lib, [0.5, -1.0, 2.0])
        y = f["Exp"].apply(x)
        v = lib.tensor([1.0, 2.0, -0.5], dtype=lib.float64)
        (g,) = lib.autograd.grad(y, x, v, create_graph=False)
        return y, node_name(y), y.grad_fn.name(), g

    ours, _ = check(fn)
    assert ours[1] == "ExpBackward"


@pytest.mark.parametrize("name", ["Square", "Exp"])
def test_function_second_order(name):
    # the backward is written in library ops, so it is recorded with create_graph=True; a saved
    # output unpacks with the Function's node as its grad_fn, so d²/dx² exp = exp
    def fn(lib):
        f = functions(lib)
        x = leaf(lib, [0.5, -1.0, 2.0])
        y = f[name].apply(x).sin()
        (g,) = lib.autograd.grad(y.sum(), x, create_graph=True)
        (gg,) = lib.autograd.grad(g.sum(), x, create_graph=True)
        return g, gg

    check(fn)


def test_function_saved_tensors_are_freed_after_backward():
    def fn(lib):
        x = leaf(lib, [0.5, -1.0])
        y = functions(lib)["Exp"].apply(x)
        y.sum().backward()
        return y.grad_fn.saved_tensors

    assert check_error(fn).startswith("Trying to backward through the graph a second time")


def test_function_two_inputs_and_needs_input_grad():
    def fn(lib):
        f = functions(lib)
        x = leaf(lib, [0.5, -1.0])
        w = leaf(lib, [2.0, 3.0])
        c = lib.tensor([4.0, 5.0], dtype=lib.float64)
        y = f["MulAdd"].apply(x, w)
        (y * y).sum().backward()
        z = f["MulAdd"].apply(c, x)
        z.sum().backward()
        return y, x.grad, w.grad, f["log"]

    ours, _ = check(fn)
    assert ours[3] == [
        ("forward", (True, True)),
        ("backward", (True, True)),
        ("forward", (False, True)),
        ("backward", (False, True)),
    ]


def test_function_needs_input_grad_is_fixed_at_forward():
    # torch sets ctx.needs_input_grad from requires_grad when the op runs, not per backward call
    def fn(lib):
        f = functions(lib)
        x = leaf(lib, [0.5, -1.0])
        w = leaf(lib, [2.0, 3.0])
        y = f["MulAdd"].apply(x, w)
        g = lib.autograd.grad(y.sum(), x, create_graph=False)
        return g, f["log"]

    check(fn)


def test_function_with_a_non_tensor_argument():
    def fn(lib):
        x = leaf(lib, [0.5, -1.0])
        y = functions(lib)["Scale"].apply(x, 3.0)
        y.sum().backward()
        return y, node_name(y), x.grad

    check(fn)


def test_function_two_outputs():
    def fn(lib):
        f = functions(lib)
        x = leaf(lib, [0.5, -1.0, 2.0])
        s, c = f["SinCos"].apply(x)
        names = (node_name(s), node_name(c))
        (s * 2 + c * c).sum().backward()
        both = x.grad.clone()
        x.grad = None
        s, c = f["SinCos"].apply(x)
        c.sum().backward()  # the sine's gradient is materialised as zeros
        return s, c, names, both, x.grad, f["log"]

    ours, _ = check(fn)
    assert ours[2] == ("SinCosBackward", "SinCosBackward")


def test_function_set_materialize_grads_false_passes_none():
    def fn(lib):
        f = functions(lib)
        x = leaf(lib, [0.5, -1.0, 2.0])
        s, c = f["SinCosLazy"].apply(x)
        c.sum().backward()
        first = x.grad.clone()
        s, c = f["SinCosLazy"].apply(x)
        s.sum().backward()
        return first, x.grad, f["log"]

    ours, _ = check(fn)
    assert ours[2] == [("lazy", True, False), ("lazy", False, True)]


def test_function_mark_non_differentiable():
    def fn(lib):
        f = functions(lib)
        x = leaf(lib, [0.5, -1.0])
        y, mask = f["WithMask"].apply(x)
        meta = (y.requires_grad, mask.requires_grad, node_name(mask))
        (y + mask).sum().backward()
        return meta, x.grad, f["log"]

    ours, _ = check(fn)
    assert ours[0] == (True, False, None)


def test_function_once_differentiable_first_order():
    def fn(lib):
        f = functions(lib)
        x = leaf(lib, [0.5, -1.0])
        (g,) = lib.autograd.grad(f["Once"].apply(x).sum(), x, create_graph=True)
        return g, f["log"]

    check(fn)


def test_function_once_differentiable_second_order_raises():
    def fn(lib):
        x = leaf(lib, [0.5, -1.0])
        (g,) = lib.autograd.grad(functions(lib)["Once"].apply(x).sum(), x, create_graph=True)
        lib.autograd.grad(g.sum(), x, create_graph=False)

    check_error(fn)


def test_function_once_differentiable_second_order_not_silently_zero_by_default():
    # with mytorch's higher-order default, an unknown second derivative must not read as zeros
    x = leaf(mytorch, [0.5, -1.0])
    (g,) = mytorch.autograd.grad(functions(mytorch)["Once"].apply(x).sum(), x)
    np.testing.assert_array_equal(g.detach().numpy(), [1.0, -2.0])
    with pytest.raises(RuntimeError):
        mytorch.autograd.grad(g.sum(), x)


def test_function_incorrect_number_of_gradients():
    def fn(lib):
        x, w = leaf(lib, [0.5]), leaf(lib, [1.0])
        functions(lib)["Wrong"].apply(x, w).sum().backward()

    message = check_error(fn)
    assert (
        message
        == "function WrongBackward returned an incorrect number of gradients (expected 2, got 1)"
    )


def test_function_without_grad_inputs_records_nothing():
    def fn(lib):
        y = functions(lib)["Exp"].apply(lib.tensor([1.0, 2.0]))
        return y, y.grad_fn is None

    check(fn)


# ---- memory -------------------------------------------------------------------------------------


def _train(lib, steps, *, on_step=None):
    rng = np.random.default_rng(0)
    X = lib.tensor(rng.standard_normal((32, 3)), dtype=lib.float32)
    Y = X @ lib.tensor([[1.5], [-2.0], [0.5]]) + 0.25
    w = lib.zeros(3, 1, requires_grad=True)
    b = lib.zeros(1, requires_grad=True)
    for step in range(1, steps + 1):
        loss = ((X @ w + b - Y) ** 2).mean()
        loss.backward()
        with lib.no_grad():
            w.sub_(0.05 * w.grad)
            b.sub_(0.05 * b.grad)
        w.grad = None
        b.grad = None
        if on_step is not None:
            on_step(step)
    return w, b, loss


def test_training_loop_memory_stays_flat():
    marks = {}

    def on_step(step):
        if step in (100, 1000):
            marks[step] = tracemalloc.get_traced_memory()[0]
        if step == 100:
            tracemalloc.reset_peak()

    gc.collect()
    gc.disable()
    tracemalloc.start()
    try:
        w, b, loss = _train(mytorch, 1000, on_step=on_step)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
        unreachable = gc.collect()
        gc.enable()
    assert marks[1000] - marks[100] < 1_000_000, marks
    assert peak - marks[100] < 1_000_000, (peak, marks)
    assert unreachable < 50, f"{unreachable} objects in reference cycles after 1,000 steps"
    assert w.is_leaf and w.grad is None and w._version == 1000
    assert_same((w, b, loss), _train(torch, 1000))
