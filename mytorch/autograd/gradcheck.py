"""gradcheck and gradgradcheck: autograd's Jacobians against float64 central differences.

Mirrors `torch.autograd.gradcheck` / `gradgradcheck` in the slow (full Jacobian) mode.
"""

from __future__ import annotations

from .grad_mode import no_grad


class GradcheckError(RuntimeError):
    """Mirrors `torch.autograd.gradcheck.GradcheckError`."""


def _tensors(x):
    from .._tensor import Tensor

    if isinstance(x, Tensor):
        return (x,)
    return tuple(x)


def _numerical_jacobians(func, inputs, diff_idx, eps):
    """J[i][j] = d out_j / d in_i, one (numel_in, numel_out) array per (input, output)."""
    outs = _tensors(func(*inputs))
    jac = []
    for i in diff_idx:
        x = inputs[i]
        flat = x._data.reshape(-1)  # a view: perturbing it perturbs the input
        cols = [[] for _ in outs]
        for k in range(flat.size):
            orig = flat[k].item()
            flat[k] = orig + eps
            plus = _flat_outputs(func, inputs)
            flat[k] = orig - eps
            minus = _flat_outputs(func, inputs)
            flat[k] = orig
            for j in range(len(outs)):
                cols[j].append((plus[j] - minus[j]) / (2 * eps))
        jac.append([_stack(c, outs[j].numel()) for j, c in enumerate(cols)])
    return jac, outs


def _flat_outputs(func, inputs):
    return [o._data.astype("float64").reshape(-1) for o in _tensors(func(*inputs))]


def _stack(rows, n_out):
    import numpy as np

    return np.array(rows).reshape(len(rows), n_out)


def _analytical_jacobians(outs, inputs, diff_idx):
    import numpy as np

    from .._creation import zeros_like
    from . import grad as autograd_grad

    jac = [[np.zeros((inputs[i].numel(), o.numel())) for o in outs] for i in diff_idx]
    for j, o in enumerate(outs):
        if not o.requires_grad:
            continue
        for k in range(o.numel()):
            v = zeros_like(o)
            v._data.reshape(-1)[k] = 1
            grads = autograd_grad(
                o, [inputs[i] for i in diff_idx], v,
                retain_graph=True, create_graph=False, allow_unused=True,
            )  # fmt: skip
            for n, g in enumerate(grads):
                if g is not None:
                    jac[n][j][:, k] = g._data.astype("float64").reshape(-1)
    return jac


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
    fast_mode: bool = False,
    **unsupported,
) -> bool:
    """Mirrors `torch.autograd.gradcheck`; only the full-Jacobian (slow) mode exists."""
    import numpy as np

    for name, value in unsupported.items():
        if value:
            raise NotImplementedError(f"gradcheck: {name} is not supported")
    inputs = _tensors(inputs)
    diff_idx = [i for i, x in enumerate(inputs) if getattr(x, "requires_grad", False)]
    if not diff_idx:
        raise ValueError(
            "gradcheck expects at least one input tensor to require gradient, but none of the them "
            "have requires_grad=True."
        )
    for i in diff_idx:
        if inputs[i].dtype._name != "float64":
            import warnings

            warnings.warn(
                f"Input #{i} requires gradient and is not a double precision floating point. "
                "This check will likely fail if all the inputs are not of double precision "
                "floating point. ",
                UserWarning,
                stacklevel=2,
            )
    numerical, outs = _numerical_jacobians(func, inputs, diff_idx, eps)
    analytical = _analytical_jacobians(outs, inputs, diff_idx)
    for n, i in enumerate(diff_idx):
        for j in range(len(outs)):
            a, b = analytical[n][j], numerical[n][j]
            if not np.allclose(a, b, rtol=rtol, atol=atol, equal_nan=True):
                if raise_exception:
                    raise GradcheckError(
                        f"Jacobian mismatch for output {j} with respect to input {i},\n"
                        f"numerical:{b}\nanalytical:{a}\n"
                    )
                return False
    return True


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
    **kwargs,
) -> bool:
    """Mirrors `torch.autograd.gradgradcheck`: gradcheck of the vector-Jacobian product."""
    from ..random import randn
    from . import grad as autograd_grad

    inputs = _tensors(inputs)
    diff_idx = [i for i, x in enumerate(inputs) if getattr(x, "requires_grad", False)]
    if grad_outputs is None:
        with no_grad():
            outs = _tensors(func(*inputs))
        grad_outputs = tuple(
            randn(tuple(o.shape), dtype=o.dtype).requires_grad_(o.dtype.is_floating_point)
            for o in outs
        )
    grad_outputs = _tensors(grad_outputs)
    n_in = len(inputs)

    def vjp(*args):
        xs, vs = args[:n_in], args[n_in:]
        outs = _tensors(func(*xs))
        grads = autograd_grad(
            outs, [xs[i] for i in diff_idx], vs, create_graph=True, allow_unused=True
        )
        return tuple(g for g in grads if g is not None)

    return gradcheck(
        vjp, inputs + grad_outputs, eps=eps, atol=atol, rtol=rtol,
        raise_exception=raise_exception, **kwargs,
    )  # fmt: skip
