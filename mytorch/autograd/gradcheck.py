"""gradcheck and gradgradcheck: autograd's derivatives against central finite differences.

Mirrors `torch.autograd.gradcheck` (the module and its two functions): the slow mode compares
whole Jacobians, the fast mode one random projection `v^T J u` per input and output. Real
dtypes only, as mytorch has no complex ones; `masked` only changes the zero-gradient check.
The Jacobians are assembled on the host as float64 NumPy arrays.
"""

from __future__ import annotations

import warnings

import numpy as np

__all__ = ["gradcheck", "gradgradcheck", "GradcheckError"]


class GradcheckError(RuntimeError):
    """Mirrors `torch.autograd.gradcheck.GradcheckError`."""


# ---- inputs and outputs -----------------------------------------------------------------------


def _as_tuple(x) -> tuple:
    if isinstance(x, tuple):
        return x
    if isinstance(x, list):
        return tuple(x)
    return (x,)


def _is_tensor(x) -> bool:
    from .._tensor import Tensor

    return isinstance(x, Tensor)


def _diff_indices(inputs) -> list:
    return [i for i, x in enumerate(inputs) if _is_tensor(x) and x.requires_grad]


def _differentiable_outputs(out) -> tuple:
    return tuple(o for o in _as_tuple(out) if o.requires_grad)


def _check_inputs(inputs) -> None:
    any_requires_grad = False
    for idx, x in enumerate(inputs):
        if not (_is_tensor(x) and x.requires_grad):
            continue
        if x.dtype._name != "float64":
            warnings.warn(
                f"Input #{idx} requires gradient and is not a double precision floating point or "
                "complex. This check will likely fail if all the inputs are not of double "
                "precision floating point or complex. ",
                stacklevel=4,
            )
        overlapping = not all(st > 0 or sz <= 1 for st, sz in zip(x.stride(), x.shape))
        if overlapping and x.numel():  # an empty tensor overlaps nothing, whatever its strides
            raise RuntimeError(
                f"The {idx}th input has a dimension with stride 0. gradcheck only supports inputs "
                "that are non-overlapping to be able to compute the numerical gradients "
                "correctly. You should call .contiguous on the input before passing it to "
                "gradcheck."
            )
        any_requires_grad = True
    if not any_requires_grad:
        raise ValueError(
            "gradcheck expects at least one input tensor to require gradient, but none of them "
            "have requires_grad=True."
        )


def _as_host(t) -> np.ndarray:
    return np.array(t.detach()._data, dtype=np.float64).reshape(-1)


def _tensor(array: np.ndarray):
    from .._creation import tensor

    return tensor(array)


# ---- numerical derivatives --------------------------------------------------------------------


def _evaluate(func, inputs) -> list:
    """The outputs as (flat float64 copy, shape, dtype); copies, since an output may be a view
    of the input being perturbed."""
    return [(_as_host(o), o.shape, o.dtype) for o in _as_tuple(func(*inputs))]


def _central_difference(func, inputs, data, index, delta, eps, where="") -> list:
    """(f(x + delta) - f(x - delta)) / 2 eps per output, perturbing `data[index]` in place."""
    orig = np.array(data[index], copy=True)
    data[index] = orig - delta
    minus = _evaluate(func, inputs)
    data[index] = orig + delta
    plus = _evaluate(func, inputs)
    data[index] = orig
    columns = []
    for (a, shape_a, dtype_a), (b, shape_b, dtype_b) in zip(minus, plus):
        if shape_a != shape_b:
            raise AssertionError(
                "Expected `func` to return outputs with the same shape when inputs are perturbed "
                f"{where}by {eps}, but got: shapes {shape_a} and {shape_b}."
            )
        if dtype_a is not dtype_b:
            raise AssertionError(
                "Expected `func` to return outputs with the same dtype when inputs are perturbed "
                f"{where}by {eps}, but got: dtypes {dtype_a} and {dtype_b}."
            )
        columns.append((b - a) / (2 * eps))
    return columns


def _numerical_jacobians(func, inputs, eps, func_out) -> list:
    """J[i][j], (numel of differentiable input i, numel of output j), for every output."""
    sizes = [o.numel() for o in _as_tuple(func_out)]
    jacobians = []
    for idx in _diff_indices(inputs):
        data = inputs[idx]._data
        per_output = [np.zeros((data.size, n)) for n in sizes]
        for k, pos in enumerate(np.ndindex(data.shape)):
            columns = _central_difference(func, inputs, data, pos, eps, eps, f"on index {pos} ")
            for jacobian, column in zip(per_output, columns):
                jacobian[k] = column
        jacobians.append(per_output)
    return jacobians


def _numerical_jvps(func, inputs, idx, u, eps) -> list:
    """J u per output for input `idx`, perturbing the whole input along `u`."""
    data = inputs[idx]._data
    delta = (eps * u).reshape(data.shape)
    return _central_difference(func, inputs, data, Ellipsis, delta, eps)


# ---- analytical derivatives -------------------------------------------------------------------


def _vjp_rows(output, diff_inputs, cotangents) -> tuple:
    """Rows v^T J of each input's Jacobian, one per cotangent, with torch's size/dtype flags."""
    from . import grad as autograd_grad

    rows = [np.zeros((x.numel(), len(cotangents))) for x in diff_inputs]
    sizes_ok = types_ok = True
    for k, v in enumerate(cotangents):
        grads = autograd_grad(
            output, diff_inputs, v, retain_graph=True, create_graph=False, allow_unused=True
        )
        for i, (g, x) in enumerate(zip(grads, diff_inputs)):
            if g is None:
                continue
            if g.shape != x.shape:
                sizes_ok = False
                continue
            if g.dtype is not x.dtype:
                types_ok = False
            rows[i][:, k] = _as_host(g)
    return rows, sizes_ok, types_ok


def _unit_cotangents(output) -> list:
    from .._creation import zeros

    basis = []
    for k in range(output.numel()):
        v = zeros(tuple(output.shape), dtype=output.dtype)
        v._data.reshape(-1)[k] = 1
        basis.append(v)
    return basis


FAILED_NONDET_MSG = """\n
NOTE: If your op relies on non-deterministic operations i.e., it is listed here:
https://pytorch.org/docs/stable/generated/torch.use_deterministic_algorithms.html
this failure might be expected.

If you are adding a new operator, please file an issue and then use one of the
workarounds. The workaround depends on how your test invokes gradcheck/gradgradcheck.
If the test
- manually invokes gradcheck/gradgradcheck, then call gradcheck/gradgradcheck
  with `nondet_tol=<tol>` as a keyword argument.
- is OpInfo-based (e.g., in test_ops_gradients.py), then modify the OpInfo for the test
  to have `gradcheck_nondet_tol=<tol>`.
- is a Module test (e.g., in common_nn.py), then modify the corresponding
  module_test entry to have `gradcheck_nondet_tol=<tol>`
"""


def _analytical_jacobians(inputs, output, nondet_tol, check_grad_dtypes, cotangents=None):
    """J^T columns per differentiable input (transposed like the numerical ones), computed twice
    to catch a backward that is not deterministic ("reentrant"), as torch does."""
    diff_inputs = [inputs[i] for i in _diff_indices(inputs)]
    if cotangents is None:
        cotangents = _unit_cotangents(output)
    first, sizes_ok, types_ok = _vjp_rows(output, diff_inputs, cotangents)
    second, _, _ = _vjp_rows(output, diff_inputs, cotangents)
    reentrant = all(a.size == 0 or np.abs(a - b).max() <= nondet_tol for a, b in zip(first, second))
    if not types_ok and check_grad_dtypes:
        raise GradcheckError("Gradient has dtype mismatch")
    if not sizes_ok:
        raise GradcheckError("Analytical gradient has incorrect size")
    if not reentrant:
        raise GradcheckError(
            "Backward is not reentrant, i.e., running backward with same input and grad_output "
            "multiple times gives different values, although analytical gradient matches "
            f"numerical gradient.The tolerance for nondeterminism was {nondet_tol}."
            + FAILED_NONDET_MSG
        )
    return first


def _forward_ad():
    from . import forward_ad  # imported when used: it sits above the ops it differentiates

    return forward_ad


def _vmap():
    from ..func import vmap

    return vmap


def _forward_tangents(func, inputs, idx, tangent, out_idx) -> list:
    """The output tangents (flat float64) when input `idx` carries `tangent` and no other input
    carries one; an output without a tangent gives zeros."""
    fw = _forward_ad()
    with fw.dual_level():
        args = [
            (fw.make_dual(x.detach(), tangent) if i == idx else x.detach()) if _is_tensor(x) else x
            for i, x in enumerate(inputs)
        ]
        outs = _as_tuple(func(*args))
        result = []
        for j in out_idx:
            primal, t = fw.unpack_dual(outs[j])
            result.append(np.zeros(primal.numel()) if t is None else _as_host(t))
    return result


def _forward_jacobians(func, inputs, out_idx) -> list:
    """J[i][j] from forward mode, column by column (laid out as the numerical ones)."""
    from .._creation import zeros

    jacobians = []
    for idx in _diff_indices(inputs):
        x = inputs[idx]
        rows = []
        for k in range(x.numel()):
            tangent = zeros(tuple(x.shape), dtype=x.dtype)
            tangent._data.reshape(-1)[k] = 1
            rows.append(_forward_tangents(func, inputs, idx, tangent, out_idx))
        jacobians.append(
            [np.array([r[j] for r in rows]).reshape(len(rows), -1) for j in range(len(out_idx))]
        )
    return jacobians


# ---- the checks -------------------------------------------------------------------------------


def _notallclose_msg(analytical, numerical, output_idx, input_idx, forward=False) -> str:
    mode = "computed with forward mode " if forward else ""
    return (
        f"Jacobian {mode}mismatch for output {output_idx:d} with respect to input "
        f"{input_idx:d},\nnumerical:{numerical}\nanalytical:{analytical}\n"
    )


def _allclose(a, b, rtol, atol) -> bool:
    return bool(np.allclose(a, b, rtol=rtol, atol=atol))


def _check_no_differentiable_outputs(func, inputs, eps, func_out) -> None:
    for per_input in _numerical_jacobians(func, inputs, eps, func_out):
        for jacobian in per_input:
            if np.any(jacobian != 0):
                raise GradcheckError("Numerical gradient for function expected to be zero")


def _output_indices(func_out) -> list:
    return [j for j, o in enumerate(_as_tuple(func_out)) if _is_tensor(o) and o.requires_grad]


def _slow_gradcheck(func, func_out, inputs, outputs, eps, rtol, atol, check_grad_dtypes,
                    nondet_tol, use_forward_ad=False):  # fmt: skip
    if not outputs:
        return _check_no_differentiable_outputs(func, inputs, eps, func_out)
    out_idx = _output_indices(func_out)
    numerical = _numerical_jacobians(func, inputs, eps, func_out)
    numerical = [[per_input[j] for j in out_idx] for per_input in numerical]
    if use_forward_ad:
        analytical = _forward_jacobians(func, inputs, out_idx)
        for i, per_input in enumerate(numerical):
            for j, n in enumerate(per_input):
                a = analytical[i][j]
                if not _allclose(a, n, rtol, atol):
                    raise GradcheckError(
                        _notallclose_msg(_tensor(a), _tensor(n), j, i, forward=True)
                    )
        return
    for j, o in enumerate(outputs):
        analytical = _analytical_jacobians(inputs, o, nondet_tol, check_grad_dtypes)
        for i, a in enumerate(analytical):
            n = numerical[i][j]
            if not _allclose(a, n, rtol, atol):
                raise GradcheckError(_notallclose_msg(_tensor(a), _tensor(n), j, i))


def _random_unit(n: int, rng) -> np.ndarray:
    v = rng.random(n)
    norm = np.linalg.norm(v)
    return v / norm if norm else v


FAST_FAIL_SLOW_OK_MSG = """
Fast gradcheck failed but element-wise differences are small. This means that the
test might've passed in slow_mode!

If you are adding a new operator, please file an issue and then use one of the
workarounds. The workaround depends on how your test invokes gradcheck/gradgradcheck:

If the test
- manually invokes gradcheck/gradgradcheck, then call gradcheck/gradgradcheck
  with `fast_mode=False` as a keyword argument.
- is OpInfo-based (e.g., in test_ops_gradients.py), then modify the OpInfo for the test
  to have `gradcheck_fast_mode=False`
- is a Module test (e.g., in common_nn.py), then modify the corresponding
  module_test entry to have `gradcheck_fast_mode=False`
""".strip()


def _slow_mode_error(func, func_out, inputs, outputs, i, j, rtol, atol, eps, forward) -> str:
    out_idx = _output_indices(func_out)
    numerical = _numerical_jacobians(func, inputs, eps, func_out)[i][out_idx[j]]
    if forward:
        analytical = _forward_jacobians(func, inputs, [out_idx[j]])[i][0]
    else:
        analytical = _analytical_jacobians(inputs, outputs[j], float("inf"), False)[i]
    max_diff = np.abs(numerical - analytical).max()
    msg = (
        "\nThe above quantities relating the numerical and analytical jacobians are computed \n"
        "in fast mode. See: https://github.com/pytorch/pytorch/issues/53876 for more background \n"
        "about fast mode. Below, we recompute numerical and analytical jacobians in slow mode:\n\n"
        f"Numerical:\n {_tensor(numerical)}\n"
        f"Analytical:\n{_tensor(analytical)}\n\n"
        f"The max per-element difference (slow mode) is: {max_diff}.\n"
    )
    if _allclose(analytical, numerical, rtol, atol):
        msg += FAST_FAIL_SLOW_OK_MSG
    return msg


def _fast_gradcheck(func, func_out, inputs, outputs, eps, rtol, atol, check_grad_dtypes,
                    nondet_tol, use_forward_ad=False):  # fmt: skip
    """Compare v^T J u: u per input, v per output, random and unit-norm; J u from central
    differences along u, v^T J from one backward (J u from forward mode instead)."""
    from .._creation import tensor

    rng = np.random.default_rng(0)  # its own generator: the user's random state stays put
    diff = _diff_indices(inputs)
    all_u = [_random_unit(inputs[i].numel(), rng) for i in diff]
    out_idx = _output_indices(func_out)
    if not outputs and not use_forward_ad:
        for i, u in zip(diff, all_u):
            for jvp in _numerical_jvps(func, inputs, i, u, eps):
                if jvp.size and np.abs(jvp).max() > nondet_tol:
                    raise GradcheckError("Numerical gradient for function expected to be zero")
        return
    all_v = None if use_forward_ad else [_random_unit(o.numel(), rng) for o in outputs]
    numerical = []  # [input][output]: v . J u, or J u in forward mode
    for i, u in zip(diff, all_u):
        jvps = _numerical_jvps(func, inputs, i, u, eps)
        jvps = [jvps[j] for j in out_idx]
        numerical.append(jvps if all_v is None else [v @ jvp for v, jvp in zip(all_v, jvps)])
    if use_forward_ad:
        analytical = []
        for i, u in zip(diff, all_u):
            x = inputs[i]
            tangent = tensor(u.reshape(tuple(x.shape)), dtype=x.dtype)
            analytical.append(_forward_tangents(func, inputs, i, tangent, out_idx))
    else:
        analytical = [[None] * len(outputs) for _ in diff]
        for j, (o, v) in enumerate(zip(outputs, all_v)):
            cotangent = tensor(v.reshape(tuple(o.shape)), dtype=o.dtype)
            vj = _analytical_jacobians(inputs, o, nondet_tol, check_grad_dtypes, [cotangent])
            for n, u in enumerate(all_u):
                analytical[n][j] = vj[n][:, 0] @ u
    for n, u in enumerate(all_u):
        for j in range(len(out_idx)):
            a, num = analytical[n][j], numerical[n][j]
            scale = u.sum() * (1.0 if all_v is None else all_v[j].sum())
            if not _allclose(a, num, rtol, atol * scale):
                shown = _tensor if use_forward_ad else float
                raise GradcheckError(
                    _notallclose_msg(shown(a), shown(num), j, n, forward=use_forward_ad)
                    + _slow_mode_error(
                        func, func_out, inputs, outputs, n, j, rtol, atol, eps, use_forward_ad
                    )
                )


FAILED_BATCHED_GRAD_MSG = """
gradcheck or gradgradcheck failed while testing batched gradient computation.
This could have been invoked in a number of ways (via a test that calls
gradcheck/gradgradcheck directly or via an autogenerated test).

If you are adding a new operator, please file an issue and then use one of the
workarounds. The workaround depends on how your test invokes gradcheck/gradgradcheck.
If the test
- manually invokes gradcheck/gradgradcheck, then call gradcheck/gradgradcheck
  with `check_batched_grad=False` as a keyword argument.
- is OpInfo-based (e.g., in test_ops_gradients.py), then modify the OpInfo for the test
  to have `check_batched_grad=False` and/or `check_batched_gradgrad=False`.

If you're modifying an existing operator that supports batched grad computation,
or wish to make a new operator work with batched grad computation, please read
the following.

To compute batched grads (e.g., jacobians, hessians), we vmap over the backward
computation. The most common failure case is if there is a 'vmap-incompatible
operation' in the backward pass. Please see
NOTE: [How to write vmap-compatible backward formulas]
in the codebase for an explanation of how to fix this.
""".strip()

FAILED_BATCHED_GRAD_MSG_FWD_AD = """
gradcheck failed while testing batched gradient computation with forward-mode AD.
This test is enabled automatically when both `check_batched_grad=True`
and `check_forward_ad=True`, but can be disabled in the following ways
dependong on how the test was invoked (via a test that calls gradcheck
directly or via an autogenerated test).

If you are adding a new operator, please file an issue and then use one of the
workarounds. The workaround depends on how your test invokes gradcheck/gradgradcheck.
If the test
- manually invokes gradcheck/gradgradcheck, then call gradcheck/gradgradcheck
  with `check_batched_forward_grad=False` as a keyword argument.
- is OpInfo-based (e.g., in test_ops_gradients.py), then modify the OpInfo for the test
  to have `check_batched_forward_grad=False`
"""


def _failed_batched_msg(output_idx, input_idx, res, exp, forward=False) -> str:
    text = FAILED_BATCHED_GRAD_MSG_FWD_AD if forward else FAILED_BATCHED_GRAD_MSG
    return (
        f"For output {output_idx} and input {input_idx}:\n\n{text}\n\nGot:\n{res}\n\n"
        f"Expected:\n{exp}"
    ).strip()


def _batched_matches(vmap, fn, samples, forward, output_idx=None) -> None:
    """vmap(fn) over the stacked samples equals fn on each sample, stacked."""
    from .. import stack

    expected = [stack(list(shards)) for shards in zip(*[fn(s) for s in samples])]
    try:
        result = vmap(fn)(stack(samples))
    except RuntimeError as ex:
        text = FAILED_BATCHED_GRAD_MSG_FWD_AD if forward else FAILED_BATCHED_GRAD_MSG
        raise GradcheckError(f"While computing batched gradients, got: {ex}\n\n{text}") from ex
    for idx, (res, exp) in enumerate(zip(_as_tuple(result), expected)):
        if not res.allclose(exp):
            where = idx if output_idx is None else output_idx
            raise GradcheckError(_failed_batched_msg(where, idx, res, exp, forward))


def _test_batched_grad(inputs, output, output_idx) -> None:
    from .._creation import zeros
    from ..random import randn_like
    from . import grad as autograd_grad

    diff_inputs = [inputs[i] for i in _diff_indices(inputs)]

    def vjp(v):
        grads = autograd_grad(
            output, diff_inputs, v, retain_graph=True, create_graph=False, allow_unused=True
        )
        return tuple(
            g if g is not None else zeros(tuple(x.shape), dtype=x.dtype)
            for g, x in zip(grads, diff_inputs)
        )

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="There is a performance drop")
        _batched_matches(_vmap(), vjp, [randn_like(output) for _ in range(2)], False, output_idx)


def _test_batched_grad_forward_ad(func, inputs) -> None:
    from .._creation import zeros
    from ..random import randn_like

    fw = _forward_ad()
    for idx in _diff_indices(inputs):
        x = inputs[idx]

        def jvp(tangent, idx=idx, x=x):
            with fw.dual_level():
                args = [
                    (fw.make_dual(a.detach(), tangent) if i == idx else a.detach())
                    if _is_tensor(a)
                    else a
                    for i, a in enumerate(inputs)
                ]
                out = []
                for o in _as_tuple(func(*args)):
                    if o is None:
                        continue
                    primal, t = fw.unpack_dual(o)
                    out.append(
                        t if t is not None else zeros(tuple(primal.shape), dtype=primal.dtype)
                    )
                return tuple(out)

        _batched_matches(_vmap(), jvp, [randn_like(x) for _ in range(2)], True)


def _test_backward_mul_by_grad_output(outputs, inputs, masked) -> None:
    """Zero output gradients must give zero (or no) input gradients of the right kind."""
    from .._creation import zeros_like
    from . import grad as autograd_grad

    diff_inputs = [inputs[i] for i in _diff_indices(inputs)]
    if not diff_inputs:
        raise GradcheckError("no Tensors requiring grad found in input")
    grads = autograd_grad(
        outputs,
        diff_inputs,
        [zeros_like(o) for o in outputs],
        create_graph=False,
        allow_unused=True,
    )
    for gi, di in zip(grads, diff_inputs):
        if gi is None:
            continue
        if masked:
            if not gi.allclose(zeros_like(gi)):
                raise GradcheckError("backward not multiplied by grad_output")
        elif not bool((gi == 0).all()):
            raise GradcheckError("backward not multiplied by grad_output")
        if gi.dtype is not di.dtype:
            raise GradcheckError("grad is incorrect type")
        if gi.device != di.device:
            raise GradcheckError("grad is incorrect device")
        if gi.shape != di.shape:
            raise GradcheckError("grad is incorrect size")


_UNDEFINED_NOTE = 'Please look at "Notes about undefined output gradients" in ' + (
    '"tools/autograd/derivatives.yaml"'
)


def _warn_bc_breaking() -> None:
    warnings.warn(
        "Backwards compatibility: New undefined gradient support checking feature is enabled by "
        "default, but it may break existing callers of this function. If this is true for you, "
        'you can call this function with "check_undefined_grad=False" to disable the feature',
        stacklevel=5,
    )


def _test_undefined_backward_mode(func, outputs, inputs) -> None:
    """Rules must cope with outputs that get no gradient. In mytorch an output without a
    gradient sends nothing into the graph (torch sends an undefined tensor), so the cases are
    one output left out at a time; the rest get zeros, and every input gradient must be zero."""
    from .._creation import zeros_like
    from . import grad as autograd_grad

    diff_inputs = [inputs[i] for i in _diff_indices(inputs)]
    if not diff_inputs:
        raise GradcheckError("no Tensors requiring grad found in input")
    if len(outputs) < 2:
        return
    for left_out in range(len(outputs)):
        rest = [o for k, o in enumerate(_differentiable_outputs(func(*inputs))) if k != left_out]
        try:
            grads = autograd_grad(
                rest,
                diff_inputs,
                [zeros_like(o) for o in rest],
                create_graph=False,
                allow_unused=True,
            )
        except RuntimeError as e:
            _warn_bc_breaking()
            raise GradcheckError(
                f"Expected backward function to handle undefined output grads. {_UNDEFINED_NOTE}"
            ) from e
        for gi in grads:
            if gi is not None and not bool((gi == 0).all()):
                _warn_bc_breaking()
                raise GradcheckError(
                    "Expected all input grads to be undefined or zero when all output grads are "
                    f"undefined or zero. {_UNDEFINED_NOTE}"
                )


def _test_undefined_forward_mode(func, inputs) -> None:
    """With the other inputs carrying random tangents, an input with a zero tangent and one
    without a tangent must give the same output tangents."""
    from .._creation import tensor, zeros_like

    fw = _forward_ad()
    rng = np.random.default_rng(0)
    diff = _diff_indices(inputs)
    tangents = {
        i: tensor(_random_unit(inputs[i].numel(), rng).reshape(tuple(inputs[i].shape)),
                  dtype=inputs[i].dtype)
        for i in diff
    }  # fmt: skip
    for idx in diff:
        with fw.dual_level():
            results = []
            for zero_tangent in (True, False):
                args = []
                for i, x in enumerate(inputs):
                    if i == idx:
                        x = fw.make_dual(x.detach(), zeros_like(x)) if zero_tangent else x.detach()
                    elif i in tangents:
                        x = fw.make_dual(x.detach(), tangents[i])
                    args.append(x)
                outs = [
                    o for o in _as_tuple(func(*args)) if _is_tensor(o) and o.is_floating_point()
                ]
                results.append([fw.unpack_dual(o).tangent for o in outs])
            for index_o, (res1, res2) in enumerate(zip(*results)):
                if res1 is not None and res2 is not None and not res1.allclose(res2):
                    raise GradcheckError(
                        f"Mismatch in tangent values for output with index: {index_o} when input: "
                        f"{inputs[idx]} has an undefined tangent value.  Got: {res1} but "
                        f"expected: {res2}"
                    )


def gradcheck(
    func,
    inputs,
    *,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    raise_exception: bool = True,
    nondet_tol: float = 0.0,
    check_undefined_grad: bool = True,
    check_grad_dtypes: bool = False,
    check_batched_grad: bool = False,
    check_batched_forward_grad: bool = False,
    check_forward_ad: bool = False,
    check_backward_ad: bool = True,
    fast_mode: bool = False,
    masked: bool | None = None,
) -> bool:
    """Mirrors `torch.autograd.gradcheck`. The batched checks need `mytorch.func.vmap`."""
    if not (check_forward_ad or check_backward_ad):
        raise AssertionError(
            "Expected at least one of check_forward_ad or check_backward_ad to be True"
        )
    if check_batched_grad and not check_backward_ad:
        raise AssertionError(
            "Setting check_batched_grad=True requires check_backward_ad to be True"
        )
    if check_batched_forward_grad and not check_forward_ad:
        raise AssertionError(
            "Setting check_batched_forward_grad=True requires check_forward_ad to be True"
        )
    try:
        _gradcheck(
            func, _as_tuple(inputs), eps, atol, rtol, nondet_tol, check_undefined_grad,
            check_grad_dtypes, check_batched_grad, check_batched_forward_grad, check_forward_ad,
            check_backward_ad, fast_mode, masked,
        )  # fmt: skip
    except GradcheckError:
        if raise_exception:
            raise
        return False
    return True


def _gradcheck(func, inputs, eps, atol, rtol, nondet_tol, check_undefined_grad,
               check_grad_dtypes, check_batched_grad, check_batched_forward_grad,
               check_forward_ad, check_backward_ad, fast_mode, masked) -> None:  # fmt: skip
    _check_inputs(inputs)
    func_out = func(*inputs)
    outputs = _differentiable_outputs(func_out)
    check = _fast_gradcheck if fast_mode else _slow_gradcheck
    args = (func, func_out, inputs, outputs, eps, rtol, atol, check_grad_dtypes, nondet_tol)
    if check_backward_ad:
        check(*args)
    if check_forward_ad:
        check(*args, use_forward_ad=True)
        if check_undefined_grad:
            _test_undefined_forward_mode(func, inputs)
    if check_batched_forward_grad:
        _test_batched_grad_forward_ad(func, inputs)
    if not check_backward_ad:
        return
    if check_batched_grad:
        for j, o in enumerate(outputs):
            _test_batched_grad(inputs, o, j)
    _test_backward_mul_by_grad_output(outputs, inputs, masked)
    if check_undefined_grad:
        _test_undefined_backward_mode(func, outputs, inputs)


def gradgradcheck(
    func,
    inputs,
    grad_outputs=None,
    *,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    gen_non_contig_grad_outputs: bool = False,
    raise_exception: bool = True,
    nondet_tol: float = 0.0,
    check_undefined_grad: bool = True,
    check_grad_dtypes: bool = False,
    check_batched_grad: bool = False,
    check_fwd_over_rev: bool = False,
    check_rev_over_rev: bool = True,
    fast_mode: bool = False,
    masked: bool = False,
) -> bool:
    """Mirrors `torch.autograd.gradgradcheck`: gradcheck of the vector-Jacobian product, with
    random `grad_outputs` (uniform in [-1, 1), as torch's) when none are given."""
    from .. import float64
    from . import grad as autograd_grad

    if not (check_fwd_over_rev or check_rev_over_rev):
        raise AssertionError(
            "Expected at least one of check_fwd_over_rev or check_rev_over_rev to be True"
        )
    if check_undefined_grad and not check_rev_over_rev:
        raise AssertionError(
            "Setting check_undefined_grad=True requires check_rev_over_rev to be True"
        )
    if check_batched_grad and not check_rev_over_rev:
        raise AssertionError(
            "Setting check_batched_grad=True requires check_rev_over_rev to be True"
        )
    inputs = _as_tuple(inputs)
    if grad_outputs is None:
        from ..random import rand

        outs = _differentiable_outputs(func(*inputs))
        grad_outputs = []
        for o in outs:
            dtype = o.dtype if o.dtype.is_floating_point else float64
            shape = tuple(o.shape)
            if gen_non_contig_grad_outputs and o.numel() > 1:
                # every other element of a buffer twice as long: not contiguous
                g = (rand((*shape[:-1], 2 * shape[-1]), dtype=dtype) * 2 - 1)[..., ::2]
            else:
                g = rand(shape, dtype=dtype) * 2 - 1
            grad_outputs.append(g.requires_grad_())
        grad_outputs = tuple(grad_outputs)
    else:
        grad_outputs = _as_tuple(grad_outputs)
    n_in = len(inputs)
    diff_inputs = {i for i, x in enumerate(inputs) if _is_tensor(x) and x.requires_grad}
    diff_grads = {i for i, g in enumerate(grad_outputs) if g.requires_grad}

    def new_func(*args):
        xs = tuple(x.requires_grad_() if i in diff_inputs else x for i, x in enumerate(args[:n_in]))
        outputs = _differentiable_outputs(func(*xs))
        vs = tuple(v.requires_grad_() if i in diff_grads else v for i, v in enumerate(args[n_in:]))
        grads = autograd_grad(
            outputs, [xs[i] for i in sorted(diff_inputs)], vs, create_graph=True,
            allow_unused=True,
        )  # fmt: skip
        return tuple(g for g in grads if g is not None)

    return gradcheck(
        new_func, inputs + grad_outputs, eps=eps, atol=atol, rtol=rtol,
        raise_exception=raise_exception, nondet_tol=nondet_tol,
        check_undefined_grad=check_undefined_grad, check_grad_dtypes=check_grad_dtypes,
        check_batched_grad=check_batched_grad, fast_mode=fast_mode,
        check_forward_ad=check_fwd_over_rev, check_backward_ad=check_rev_over_rev, masked=masked,
    )  # fmt: skip
