"""gradcheck/gradgradcheck as a public API, anomaly mode, saved-tensors hooks and Node hooks,
differential against real torch: the same code runs with `lib=mytorch` and `lib=torch`, and
results, exception classes, messages and warnings are compared."""

import inspect
import re
import sys
import warnings

import numpy as np
import pytest
import torch

import mytorch

LIBS = [pytest.param(mytorch, id="mytorch"), pytest.param(torch, id="torch")]
# the warnings these features give on purpose are compared by the tests, not shown
pytestmark = pytest.mark.filterwarnings(
    "ignore:Anomaly Detection has been enabled",
    "ignore:Error detected in",
    r"ignore:\s+Previous calculation was induced",
)


def both(fn):
    """`fn(lib)` for mytorch and torch."""
    return fn(mytorch), fn(torch)


def leaf(lib, values, dtype="float64"):
    return lib.tensor(values, dtype=getattr(lib, dtype), requires_grad=True)


def outcome(fn, lib):
    """(exception class name, message) of `fn(lib)`, or ("ok", result)."""
    try:
        return "ok", fn(lib)
    except Exception as e:  # noqa: BLE001 - the class is what gets compared
        return type(e).__name__, str(e)


def same_text(ours: str, theirs: str) -> bool:
    return ours.replace("mytorch.", "torch.") == theirs


def warnings_of(fn, lib) -> list:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            fn(lib)
        except Exception:  # noqa: BLE001, S110 - only the warnings are wanted here
            pass
    # torch's C++ warnings end with where they were raised
    return [
        re.sub(r" \(Triggered internally at [^()]*\)$", "", str(w.message))
        for w in caught
        if not issubclass(w.category, RuntimeWarning)
    ]


def user_functions(lib):
    """Custom Functions whose backward is wrong in one way each."""

    class Scaled(lib.autograd.Function):  # d/dy off by 10%
        @staticmethod
        def forward(ctx, x, y):
            ctx.save_for_backward(x, y)
            return x * y

        @staticmethod
        def backward(ctx, grad):
            x, y = ctx.saved_tensors
            return grad * y, grad * x * 1.1

    class Swapped(lib.autograd.Function):  # gradients of the two elements exchanged
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        def backward(ctx, grad):
            (x,) = ctx.saved_tensors
            return (grad * 2 * x).flip(0)

    class IgnoresZeros(lib.autograd.Function):  # a constant gradient when grad is all zero
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, grad):
            return grad * 2 if bool(grad.abs().sum() > 0) else lib.ones_like(grad)

    class Noisy(lib.autograd.Function):  # not deterministic
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, grad):
            return grad * 2 + lib.rand(tuple(grad.shape), dtype=grad.dtype) * 1e-9

    class FirstOrderOnly(lib.autograd.Function):  # right first derivative, constant in x
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x**3

        @staticmethod
        def backward(ctx, grad):
            (x,) = ctx.saved_tensors
            return grad * 3 * x.detach() ** 2

    return {"Scaled": Scaled, "Swapped": Swapped, "IgnoresZeros": IgnoresZeros,
            "Noisy": Noisy, "FirstOrderOnly": FirstOrderOnly}  # fmt: skip


# ---- gradcheck: API ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["gradcheck", "gradgradcheck"])
def test_signature_matches_torch(name):
    def params(fn):
        return [(p.name, p.kind, p.default) for p in inspect.signature(fn).parameters.values()]

    # the module's functions: the suite's conftest wraps `mytorch.autograd.gradcheck` to record
    # which ops were checked
    ours = getattr(sys.modules["mytorch.autograd.gradcheck"], name)
    assert params(ours) == params(getattr(torch.autograd, name))


def test_module_layout_matches_torch():
    # as in torch, `autograd.gradcheck` is the function and the module stays importable
    from mytorch.autograd.gradcheck import GradcheckError, gradcheck, gradgradcheck

    module = sys.modules["mytorch.autograd.gradcheck"]
    assert module.gradcheck is gradcheck and module.gradgradcheck is gradgradcheck
    assert callable(mytorch.autograd.gradcheck) and not inspect.ismodule(mytorch.autograd.gradcheck)
    assert issubclass(GradcheckError, RuntimeError)
    assert sorted(module.__all__) == sorted(["gradcheck", "gradgradcheck", "GradcheckError"])


def smooth_cases(lib):
    x = leaf(lib, [0.3, -0.7, 1.2])
    y = leaf(lib, [[0.5, 2.0, -1.0], [1.5, -0.2, 0.8]])
    return {
        "unary": (lambda a: a.sin().exp(), (x,)),
        "broadcast_two_outputs": (lambda a, b: (a * b, (a - b).tanh().sum()), (x, y)),
        "number_argument": (lambda a, k: a * k, (x, 3)),
        "output_without_grad": (lambda a: (a.sin(), (a > 0).double(), a.detach()), (x,)),
        "input_without_grad": (lambda a, b: a @ b.T, (x, y.detach())),
        "zero_dim": (lambda a: (a * a).sum().sqrt(), (x,)),
        "view_output": (lambda a: a[1:], (x,)),
    }


@pytest.mark.parametrize("fast_mode", [False, True], ids=["slow", "fast"])
@pytest.mark.parametrize("case", list(smooth_cases(mytorch)))
def test_correct_functions_pass(case, fast_mode):
    def run(lib):
        fn, inputs = smooth_cases(lib)[case]
        return (
            lib.autograd.gradcheck(fn, inputs, fast_mode=fast_mode),
            lib.autograd.gradgradcheck(fn, inputs, fast_mode=fast_mode),
        )

    assert both(run) == ((True, True), (True, True))


@pytest.mark.parametrize("x_requires_grad", [False, True])
def test_jacobian_mismatch_message_matches_torch(x_requires_grad):
    # the indices count differentiable inputs and outputs only, as torch's
    def run(lib):
        x = lib.tensor([1.0, 2.0], dtype=lib.float64, requires_grad=x_requires_grad)
        y = leaf(lib, [3.0, 4.0])
        scaled = user_functions(lib)["Scaled"]
        return outcome(lambda _: lib.autograd.gradcheck(scaled.apply, (x, y)), lib)

    ours, theirs = both(run)
    assert ours[0] == theirs[0] == "GradcheckError"
    assert same_text(ours[1], theirs[1]), (ours, theirs)
    assert theirs[1].startswith(
        f"Jacobian mismatch for output 0 with respect to input {int(x_requires_grad)},"
    )


@pytest.mark.parametrize("name", ["Scaled", "Swapped"])
def test_fast_mode_fails_where_slow_mode_fails(name):
    def run(lib):
        fn = user_functions(lib)[name]
        inputs = (leaf(lib, [1.0, 2.0]), leaf(lib, [3.0, 4.0]))[: 2 if name == "Scaled" else 1]
        return outcome(lambda _: lib.autograd.gradcheck(fn.apply, inputs, fast_mode=True), lib)

    ours, theirs = both(run)
    assert ours[0] == theirs[0] == "GradcheckError"
    # the random projections differ; the first line and the slow-mode recomputation agree
    assert ours[1].splitlines()[0] == theirs[1].splitlines()[0]
    slow = "The above quantities"
    assert same_text(ours[1][ours[1].index(slow) :], theirs[1][theirs[1].index(slow) :])


def test_raise_exception_false_returns_false():
    def run(lib):
        scaled = user_functions(lib)["Scaled"]
        inputs = (leaf(lib, [1.0, 2.0]), leaf(lib, [3.0, 4.0]))
        return [
            lib.autograd.gradcheck(scaled.apply, inputs, raise_exception=False, fast_mode=fast)
            for fast in (False, True)
        ]

    assert both(run) == ([False, False], [False, False])


@pytest.mark.parametrize(
    "name, expected",
    [("IgnoresZeros", "backward not multiplied by grad_output"),
     ("Noisy", "Backward is not reentrant, i.e., running backward with same input and")],
)  # fmt: skip
def test_backward_sanity_checks_match_torch(name, expected):
    def run(lib):
        fn = user_functions(lib)[name]
        return outcome(lambda _: lib.autograd.gradcheck(fn.apply, (leaf(lib, [1.0, 2.0]),)), lib)

    ours, theirs = both(run)
    assert ours == theirs and ours[0] == "GradcheckError" and ours[1].startswith(expected)


def test_gradgradcheck_catches_a_wrong_second_derivative():
    def run(lib):
        fn = user_functions(lib)["FirstOrderOnly"]
        x = leaf(lib, [0.5, -1.5])
        first = lib.autograd.gradcheck(fn.apply, (x,))
        return first, outcome(lambda _: lib.autograd.gradgradcheck(fn.apply, (x,)), lib)

    (ours_first, ours), (theirs_first, theirs) = both(run)
    assert ours_first is theirs_first is True
    assert ours[0] == theirs[0] == "GradcheckError"
    assert ours[1].splitlines()[0] == theirs[1].splitlines()[0]


def test_gradgradcheck_options():
    def run(lib):
        x = leaf(lib, [[0.5, -1.5, 2.0], [1.0, 0.1, -0.3]])
        fn = lambda a: (a.sin() * a).sum(1)  # noqa: E731
        v = lib.tensor([0.3, -2.0], dtype=lib.float64, requires_grad=True)
        return (
            lib.autograd.gradgradcheck(fn, (x,), gen_non_contig_grad_outputs=True),
            lib.autograd.gradgradcheck(fn, (x,), (v,)),
            lib.autograd.gradgradcheck(fn, (x,), (v.detach(),)),
            lib.autograd.gradgradcheck(fn, (x,), fast_mode=True),
        )

    assert both(run) == ((True,) * 4,) * 2


@pytest.mark.parametrize(
    "call",
    [
        lambda lib: lib.autograd.gradcheck(lambda a: a, (lib.ones(2, dtype=lib.float64),)),
        lambda lib: lib.autograd.gradcheck(
            lambda a: a, (lib.ones(1, dtype=lib.float64, requires_grad=True).expand(3),)
        ),
        lambda lib: lib.autograd.gradcheck(
            lambda a: a, (leaf(lib, [1.0]),), check_backward_ad=False
        ),
        lambda lib: lib.autograd.gradcheck(
            lambda a: a, (leaf(lib, [1.0]),), check_batched_forward_grad=True
        ),
        lambda lib: lib.autograd.gradgradcheck(
            lambda a: a, (leaf(lib, [1.0]),), check_rev_over_rev=False
        ),
        lambda lib: lib.autograd.gradcheck(lambda a: (a * 2).detach(), (leaf(lib, [1.0]),)),
        lambda lib: lib.autograd.gradcheck(
            lambda a: a[: int(a.sum() > 1) + 1], (leaf(lib, [0.5, 0.5]),)
        ),
    ],
    ids=["no_input_requires_grad", "stride_0", "no_mode", "batched_fwd_without_fwd",
         "gradgrad_no_mode", "no_differentiable_output", "shape_changes"],
)  # fmt: skip
def test_argument_and_input_errors_match_torch(call):
    ours, theirs = outcome(call, mytorch), outcome(call, torch)
    assert ours[0] == theirs[0] and ours[0] != "ok"
    assert same_text(ours[1], theirs[1]), (ours, theirs)


def test_single_precision_warning_matches_torch():
    def call(lib):
        lib.autograd.gradcheck(lambda a: a * 2, (lib.ones(2, requires_grad=True),))

    ours, theirs = warnings_of(call, mytorch), warnings_of(call, torch)
    assert ours and ours == theirs
    assert ours[0].startswith("Input #0 requires gradient and is not a double precision")


def test_an_empty_input_is_checked():
    def run(lib):
        return lib.autograd.gradcheck(
            lambda a: a.sin().sum(0), (lib.zeros(0, 3, dtype=lib.float64, requires_grad=True),)
        )

    assert both(run) == (True, True)


def test_undefined_output_gradients_must_be_handled():
    # a two-output Function whose backward cannot take a missing gradient fails the check
    def functions(lib):
        class Fragile(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                ctx.set_materialize_grads(False)
                return x * 2, x * 3

            @staticmethod
            def backward(ctx, g1, g2):
                return g1 * 2 + g2 * 3

        class Careful(Fragile):
            @staticmethod
            def backward(ctx, g1, g2):
                terms = [g * k for g, k in ((g1, 2), (g2, 3)) if g is not None]
                return sum(terms[1:], terms[0]) if terms else None

        return Fragile, Careful

    def run(lib):
        fragile, careful = functions(lib)
        x = leaf(lib, [1.0, 2.0])
        return (
            outcome(lambda _: lib.autograd.gradcheck(fragile.apply, (x,)), lib)[0],
            lib.autograd.gradcheck(careful.apply, (x,)),
            lib.autograd.gradgradcheck(careful.apply, (x,)),
        )

    ours, theirs = both(run)
    assert ours == theirs == ("TypeError", True, True)


def test_forward_mode_checks():
    def run(lib):
        x = leaf(lib, [0.3, -0.7, 1.2])
        y = leaf(lib, [0.5, 2.0, -1.0])
        fn = lambda a, b: (a.sin() * b, (a * b).sum())  # noqa: E731
        gc, ggc = lib.autograd.gradcheck, lib.autograd.gradgradcheck
        return (
            gc(fn, (x, y), check_forward_ad=True),
            gc(fn, (x, y), check_forward_ad=True, fast_mode=True),
            gc(fn, (x, y), check_forward_ad=True, check_backward_ad=False),
            gc(fn, (x, y), check_forward_ad=True, check_batched_forward_grad=True),
            ggc(fn, (x, y), check_fwd_over_rev=True),
        )

    assert both(run) == ((True,) * 5,) * 2


def test_batched_gradient_checks():
    def run(lib):
        x = leaf(lib, [0.3, -0.7, 1.2])
        y = leaf(lib, [[0.5, 2.0, -1.0]])
        fn = lambda a, b: ((a * b).tanh(), (a + b).sum())  # noqa: E731
        return (
            lib.autograd.gradcheck(fn, (x, y), check_batched_grad=True),
            lib.autograd.gradgradcheck(fn, (x, y), check_batched_grad=True),
        )

    assert both(run) == ((True, True),) * 2


def test_fast_mode_leaves_the_random_state_alone():
    mytorch.manual_seed(3)
    expected = mytorch.rand(3)
    mytorch.manual_seed(3)
    assert mytorch.autograd.gradcheck(
        lambda a: a.exp(), (leaf(mytorch, [0.1, 0.2]),), fast_mode=True
    )
    assert mytorch.rand(3).equal(expected)


# ---- anomaly mode --------------------------------------------------------------------------------


def anomaly_flags(lib):
    # torch has these at the top level; mytorch in autograd.anomaly_mode
    module = torch if lib is torch else mytorch.autograd.anomaly_mode
    return module.is_anomaly_enabled(), module.is_anomaly_check_nan_enabled()


@pytest.fixture(autouse=True)
def _anomaly_mode_restored():
    yield
    for lib in (mytorch, torch):
        lib.autograd.set_detect_anomaly(False)


PLANTED_NANS = {
    "sqrt_at_0_times_0": lambda lib, x: (x.sqrt() * 0).sum(),
    "mul_by_inf_masked": lambda lib, x: lib.where(
        x > 0.5, x * float("inf"), lib.zeros_like(x)
    ).sum(),
    "x_over_x": lambda lib, x: (x / x).sum(),
    "log_at_0_times_0": lambda lib, x: (x.log() * 0).sum(),
}


ENTER_WARNING = (
    "Anomaly Detection has been enabled. This mode will increase the runtime and should only be "
    "enabled for debugging."
)


def _nan_run(expr):
    def run(lib):
        x = leaf(lib, [0.0, 1.0])
        with lib.autograd.detect_anomaly():
            y = expr(lib, x)
            errors = outcome(lambda _: y.backward(), lib)
        return errors

    return run


@pytest.mark.parametrize("name", PLANTED_NANS)
def test_nan_names_the_node_as_torch_does(name):
    run = _nan_run(PLANTED_NANS[name])
    ours, theirs = outcome(run, mytorch)[1], outcome(run, torch)[1]
    assert ours == theirs and ours[0] == "RuntimeError"
    assert re.fullmatch(
        r"Function '\w+Backward\d' returned nan values in its \dth output\.", ours[1]
    )


@pytest.mark.parametrize("name", PLANTED_NANS)
def test_nan_warning_shows_the_forward_line(name):
    run = _nan_run(PLANTED_NANS[name])
    ours, theirs = warnings_of(run, mytorch), warnings_of(run, torch)
    assert ours[0] == theirs[0] == ENTER_WARNING
    head = theirs[1].split("\n")[0]
    assert head.startswith("Error detected in ") and ours[1].split("\n")[0] == head
    # the innermost frame is the user's expression, the same line for both libraries
    frame = re.findall(r'  File "[^"]+", line \d+, in <lambda>\n    .*\n', theirs[1])
    assert frame and frame[-1] in ours[1]


def test_error_in_custom_backward_shows_the_forward_traceback():
    def make(lib):
        class Bad(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                return x * 2

            @staticmethod
            def backward(ctx, grad):
                raise ValueError("boom")

        return Bad

    def run(lib):
        x = leaf(lib, [0.0, 1.0])
        with lib.autograd.detect_anomaly():
            y = make(lib).apply(x).sum()
            return outcome(lambda _: y.backward(), lib)

    assert outcome(run, mytorch) == outcome(run, torch) == ("ok", ("ValueError", "boom"))
    ours, theirs = warnings_of(run, mytorch), warnings_of(run, torch)
    assert len(ours) == len(theirs) == 2
    assert (
        ours[1].split("\n")[0]
        == theirs[1].split("\n")[0]
        == ("Error detected in BadBackward. Traceback of forward call that caused the error:")
    )
    assert "y = make(lib).apply(x).sum()" in ours[1]


def test_nan_in_double_backward_names_the_inducing_node():
    def run(lib):
        x = leaf(lib, [0.0, 1.0])
        with lib.autograd.detect_anomaly():
            (g,) = lib.autograd.grad(x.sqrt().sum(), x, create_graph=True)
            return outcome(lambda _: (g * 0).sum().backward(), lib)

    assert outcome(run, mytorch) == outcome(run, torch)
    ours, theirs = warnings_of(run, mytorch), warnings_of(run, torch)
    assert [w.split("\n")[0] for w in ours] == [w.split("\n")[0] for w in theirs]
    assert ours[2].startswith(
        "\n\nPrevious calculation was induced by SqrtBackward0. Traceback of forward call that "
        "induced the previous calculation:\n"
    )
    assert "x.sqrt().sum()" in ours[2]


def test_check_nan_false_and_nodes_recorded_outside_anomaly_mode():
    def run(lib):
        x = leaf(lib, [0.0, 1.0])
        with lib.autograd.detect_anomaly(check_nan=False):
            flags = anomaly_flags(lib)
            (x.sqrt() * 0).sum().backward()
        unrecorded = (x.sqrt() * 0).sum()
        with lib.autograd.detect_anomaly():
            error = outcome(lambda _: unrecorded.backward(), lib)
        return flags, x.grad.isnan().tolist(), error

    assert outcome(run, mytorch) == outcome(run, torch)
    # a node recorded outside anomaly mode has no traceback to show
    ours = warnings_of(run, mytorch)
    assert ours == warnings_of(run, torch) and len(ours) == 3
    assert ours[2] == (
        "Error detected in SqrtBackward0. No forward pass information available. Enable detect "
        "anomaly during forward pass for more information."
    )


def test_set_detect_anomaly_as_call_and_context():
    def run(lib):
        seen = [anomaly_flags(lib)]
        lib.autograd.set_detect_anomaly(True)
        seen.append(anomaly_flags(lib))
        with lib.autograd.set_detect_anomaly(False, check_nan=False):
            seen.append(anomaly_flags(lib))
        seen.append(anomaly_flags(lib))
        lib.autograd.set_detect_anomaly(False)
        seen.append(anomaly_flags(lib))
        return seen

    expected = [(False, True), (True, True), (False, False), (True, True), (False, True)]
    assert both(run) == (expected, expected)


def test_detect_anomaly_is_not_a_decorator_as_in_torch():
    ours = outcome(lambda lib: lib.autograd.detect_anomaly()(len), mytorch)
    theirs = outcome(lambda lib: lib.autograd.detect_anomaly()(len), torch)
    assert ours == theirs and ours[0] == "TypeError"


def test_metadata_keys_match_torch():
    def run(lib):
        x = leaf(lib, [1.0, 4.0])
        plain = x.sqrt()
        plain.grad_fn.metadata["mine"] = 1
        with lib.autograd.detect_anomaly():
            y = x.sqrt()
            (g,) = lib.autograd.grad(y.sum(), x, create_graph=True)
        return (
            plain.grad_fn.metadata, x.exp().grad_fn.metadata, sorted(y.grad_fn.metadata),
            sorted(g.grad_fn.metadata), g.grad_fn.metadata["parent_"] is y.grad_fn,
            any("y = x.sqrt()" in frame for frame in y.grad_fn.metadata["traceback_"]),
        )  # fmt: skip

    assert (
        both(run)[0]
        == both(run)[1]
        == ({"mine": 1}, {}, ["traceback_"], ["parent_", "traceback_"], True, True)
    )


# ---- saved-tensors hooks -------------------------------------------------------------------------

PACKED = {
    "mul": lambda a, b: a * b,
    "mul_scalar": lambda a, b: a * 2,
    "exp": lambda a, b: a.exp(),
    "tanh": lambda a, b: a.tanh(),
    "sigmoid": lambda a, b: a.sigmoid(),
    "relu": lambda a, b: a.relu(),
    "sin": lambda a, b: a.sin(),
    "add": lambda a, b: a + b,
    "sum": lambda a, b: a.sum(),
    "div": lambda a, b: a / b,
    "dot": lambda a, b: a @ b,
    "sqrt_abs": lambda a, b: a.abs().sqrt(),
    "chain": lambda a, b: (a * b).exp().sum(),
}
PACKS_MORE = {"mul_scalar"}  # torch keeps the number 2 as a constant; mytorch packs a


def _pack_log(lib, expr):
    from_graph = lib.autograd.graph
    log = []

    def pack(t):
        log.append(("pack", tuple(t.shape), t.is_leaf, t.grad_fn and type(t.grad_fn).__name__))
        return ("key", t.detach().clone())

    def unpack(packed):
        log.append(("unpack",))
        return packed[1]

    a = leaf(lib, [0.5, -1.5, 2.0])
    b = leaf(lib, [1.5, 0.3, -0.7])
    with from_graph.saved_tensors_hooks(pack, unpack):
        y = expr(a, b)
    y.sum().backward()
    return log, a.grad, b.grad


@pytest.mark.parametrize("name", PACKED)
def test_what_is_packed_matches_torch(name):
    (ours, oa, ob), (theirs, ta, tb) = both(lambda lib: _pack_log(lib, PACKED[name]))
    packs = [e for e in ours if e[0] == "pack"]
    assert len([e for e in ours if e[0] == "unpack"]) == len(packs)
    if name in PACKS_MORE:
        assert len(packs) > len([e for e in theirs if e[0] == "pack"])
    else:
        assert ours == theirs
    # the gradients come from the unpacked values and are right
    for mine, real in ((oa, ta), (ob, tb)):
        if real is None:
            assert mine is None
        else:
            np.testing.assert_allclose(mine.numpy(), real.numpy())


@pytest.mark.parametrize("lib", LIBS)
def test_an_unpack_hook_that_changes_the_value_changes_the_gradient(lib):
    a, b = leaf(lib, [1.0, 2.0]), leaf(lib, [3.0, -4.0])
    with lib.autograd.graph.saved_tensors_hooks(lambda t: t, lambda t: t * 2):
        y = (a * b).sum()
    y.backward()
    assert a.grad.tolist() == [6.0, -8.0] and b.grad.tolist() == [2.0, 4.0]


@pytest.mark.parametrize("lib", LIBS)
def test_packed_saved_state_with_higher_orders_and_frees(lib):
    store = {}

    def pack(t):
        store[len(store)] = t.detach()
        return len(store) - 1

    x = leaf(lib, [0.5, -2.0])
    with lib.autograd.graph.saved_tensors_hooks(pack, store.__getitem__):
        y = (x * x * x).sum()
    (g,) = lib.autograd.grad(y, x, create_graph=True)
    (h,) = lib.autograd.grad(g.sum(), x)
    assert g.tolist() == [0.75, 12.0] and h.tolist() == [3.0, -12.0] and len(store) == 4
    with lib.autograd.graph.saved_tensors_hooks(pack, store.__getitem__):
        z = (x * x).sum()
    z.backward()
    message = outcome(lambda _: z.backward(), lib)
    assert message[0] == "RuntimeError" and message[1].startswith("Trying to backward through")


def test_saved_tensor_hook_semantics_match_torch():
    def run(lib):
        graph = lib.autograd.graph
        a = leaf(lib, [1.0, 2.0])
        seen = []
        results = []
        with graph.saved_tensors_hooks(
            lambda t: seen.append(lib.is_grad_enabled()) or t, lambda t: t
        ):
            w = a.clone()
            y = (w * w).sum()
        w.add_(1)  # no version check on packed tensors
        results.append(outcome(lambda _: y.backward(), lib)[0])
        with graph.saved_tensors_hooks(lambda t: t, lambda t: 3):
            y = (a * a).sum()
        results.append(outcome(lambda _: y.backward(), lib))
        log = []
        with graph.saved_tensors_hooks(lambda t: log.append("outer") or t, lambda t: t):
            with graph.saved_tensors_hooks(lambda t: log.append("inner") or t, lambda t: t):
                a.exp()
            a.exp()
        with graph.disable_saved_tensors_hooks("no hooks here"):
            results.append(outcome(lambda _: graph.saved_tensors_hooks(id, id).__enter__(), lib))
            with graph.disable_saved_tensors_hooks("inner message"):
                results.append(outcome(lambda _: graph.save_on_cpu().__enter__(), lib))
            results.append(outcome(lambda _: graph.save_on_cpu().__enter__(), lib))
        with graph.saved_tensors_hooks(id, id):
            results.append(
                outcome(lambda _: graph.disable_saved_tensors_hooks("busy").__enter__(), lib)
            )
        return seen, results, log

    assert both(run)[0] == both(run)[1]
    assert both(run)[0][0] == [False, False]  # w * w packs w twice


@pytest.mark.parametrize("pin_memory", [False, True])
def test_save_on_cpu(pin_memory):
    def run(lib):
        a, b = leaf(lib, [1.0, 2.0]), leaf(lib, [3.0, -4.0])
        with lib.autograd.graph.save_on_cpu(pin_memory=pin_memory):
            y = (a * b).exp().sum()
        y.backward()
        return a.grad.tolist(), b.grad.tolist()

    ours, theirs = both(run)
    np.testing.assert_allclose(ours, theirs)
    assert issubclass(
        mytorch.autograd.graph.save_on_cpu, mytorch.autograd.graph.saved_tensors_hooks
    )


def test_custom_function_saved_tensors_are_packed():
    def run(lib):
        class Cube(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                y = x**3
                ctx.save_for_backward(x, y)
                return y

            @staticmethod
            def backward(ctx, grad):
                x, y = ctx.saved_tensors
                return grad * 3 * y / x

        log = []

        def pack(t):
            log.append(("pack", t.is_leaf))
            return t

        def unpack(t):
            log.append("unpack")
            return t * 10

        x = leaf(lib, [1.0, 2.0])
        with lib.autograd.graph.saved_tensors_hooks(pack, unpack):
            y = Cube.apply(x)
        y.sum().backward()
        return log, x.grad.tolist()

    ours, theirs = both(run)
    assert ours == theirs and ours[1] == [3.0, 12.0]


# ---- Node hooks ----------------------------------------------------------------------------------


def _values(grads):
    return tuple(None if g is None else g.tolist() for g in grads)


def test_node_hook_arguments_and_order_match_torch():
    def run(lib):
        a, b = leaf(lib, [1.0, 2.0]), leaf(lib, [3.0, 4.0])
        c = lib.tensor([5.0, 6.0], dtype=lib.float64)
        y = a * b
        z = a * c
        log = []
        y.register_hook(lambda g: log.append("tensor hook") or g * 2)
        y.grad_fn.register_prehook(lambda go: log.append(("pre", _values(go))))
        y.grad_fn.register_hook(lambda gi, go: log.append(("post", _values(gi), _values(go))))
        z.grad_fn.register_hook(lambda gi, go: log.append(("partial", _values(gi))))
        (y.sum() + z.sum()).backward()
        return log, a.grad.tolist(), b.grad.tolist()

    ours, theirs = both(run)
    assert ours == theirs
    assert ours[0][:2] == [("partial", ([5.0, 6.0], None)), "tensor hook"]
    assert ours[0][2] == ("pre", ([2.0, 2.0],))


def test_node_hooks_replace_gradients_and_are_removable():
    def run(lib):
        a, b = leaf(lib, [1.0, 2.0]), leaf(lib, [3.0, 4.0])
        y = a * b
        pre = y.grad_fn.register_prehook(lambda go: (go[0] * 10,))
        y.grad_fn.register_hook(lambda gi, go: (gi[0], gi[1] * 0))
        y.sum().backward(retain_graph=True)
        first = a.grad.tolist(), b.grad.tolist()
        pre.remove()
        y.sum().backward()
        return first, a.grad.tolist(), b.grad.tolist()

    assert both(run)[0] == both(run)[1] == (([30.0, 40.0], [0.0, 0.0]), [33.0, 44.0], [0.0, 0.0])


@pytest.mark.parametrize(
    "register",
    [
        lambda node: node.register_prehook(lambda go: go[0]),
        lambda node: node.register_prehook(lambda go: (go[0], go[0])),
        lambda node: node.register_hook(lambda gi, go: (gi[0],)),
        lambda node: node.register_hook(lambda gi, go: gi[0]),
    ],
    ids=["pre_not_tuple", "pre_too_many", "post_too_few", "post_not_tuple"],
)
def test_bad_hook_results_match_torch(register):
    def run(lib):
        y = leaf(lib, [1.0, 2.0]) * leaf(lib, [3.0, 4.0])
        register(y.grad_fn)
        y.sum().backward()

    ours, theirs = outcome(run, mytorch), outcome(run, torch)
    assert ours == theirs and ours[0] in ("TypeError", "RuntimeError")


def test_accumulate_grad_hooks_match_torch():
    def run(lib):
        a, b = leaf(lib, [1.0, 2.0]), leaf(lib, [3.0, 4.0])
        y = a * b
        log = []
        acc_a, acc_b = (e[0] for e in y.grad_fn.next_functions)

        def seen():
            return None if a.grad is None else a.grad.tolist()

        acc_a.register_prehook(lambda go: log.append(("pre", _values(go), seen())))
        acc_a.register_hook(lambda gi, go: log.append(("post", gi, _values(go), seen())))
        acc_b.register_prehook(lambda go: (go[0] * 100,))
        y.sum().backward(retain_graph=True)
        lib.autograd.grad(y.sum(), [a, b])  # grad() runs no AccumulateGrad
        return log, b.grad.tolist(), type(acc_a).__name__, acc_a.name()

    assert both(run)[0] == both(run)[1] == (
        [("pre", ([3.0, 4.0],), None), ("post", (), ([3.0, 4.0],), [3.0, 4.0])],
        [100.0, 200.0], "AccumulateGrad", "torch::autograd::AccumulateGrad",
    )  # fmt: skip


def test_grad_captures_before_the_node_prehook():
    def run(lib):
        a, b = leaf(lib, [1.0, 2.0]), leaf(lib, [3.0, 4.0])
        z = a * b
        w = z * 2
        z.grad_fn.register_prehook(lambda go: (go[0] * 1000,))
        gz, ga = lib.autograd.grad(w.sum(), [z, a], create_graph=False)
        return gz.tolist(), ga.tolist()

    assert both(run)[0] == both(run)[1] == ([2.0, 2.0], [6000.0, 8000.0])


def test_multi_output_function_node_hooks_match_torch():
    def run(lib):
        class Two(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                return x * 2, x * 3

            @staticmethod
            def backward(ctx, g1, g2):
                return g1 * 2 + g2 * 3

        x = leaf(lib, [1.0, 2.0])
        a, b = Two.apply(x)
        log = []
        a.grad_fn.register_prehook(lambda go: log.append(_values(go)) or (go[0], go[1] * 0))
        a.grad_fn.register_hook(lambda gi, go: log.append((_values(gi), _values(go))))
        (a.sum() + 10 * b.sum()).backward()
        return log, x.grad.tolist(), type(a.grad_fn).__name__

    assert both(run)[0] == both(run)[1]


def test_node_hooks_run_in_anomaly_mode():
    def run(lib):
        a = leaf(lib, [1.0, 2.0])
        with lib.autograd.detect_anomaly():
            y = a * a
            y.grad_fn.register_hook(lambda gi, go: (gi[0] * 0 + float("nan"), gi[1]))
            return outcome(lambda _: y.sum().backward(), lib)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert outcome(run, mytorch) == outcome(run, torch)


def test_grad_with_batched_grad_outputs_matches_torch():
    """`is_grads_batched=True`: each slice of the grad_outputs' first dim is one backward pass."""
    rng = np.random.default_rng(5)
    xs, ws, vs = rng.standard_normal(3), rng.standard_normal((3, 2)), rng.standard_normal((4, 2))
    got = {}
    for lib in (mytorch, torch):
        x = lib.tensor(xs, requires_grad=True)
        w = lib.tensor(ws, requires_grad=True)
        y = (x.sin() @ w).tanh()
        gx, gw = lib.autograd.grad(
            y, (x, w), lib.tensor(vs), is_grads_batched=True, create_graph=True
        )
        (second,) = lib.autograd.grad(gx.sum(), x)  # the batched result stays differentiable
        got[lib] = [t.detach().numpy() for t in (gx, gw, second)]
        with pytest.raises(RuntimeError, match="interpret the first dimension"):
            lib.autograd.grad(y, x, lib.ones(2, dtype=lib.float64), is_grads_batched=True)
    for a, b in zip(got[mytorch], got[torch]):
        assert a.shape == b.shape
        np.testing.assert_allclose(a, b, rtol=1e-12)
