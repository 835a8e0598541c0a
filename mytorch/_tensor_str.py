"""Tensor repr/str with PyTorch's print rules, plus set_printoptions and friends.

Only dense real tensors exist in mytorch, so there is no sparse, complex, named or device text.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import numpy as np

from . import _dtype

if TYPE_CHECKING:
    from ._tensor import Tensor

_PROFILES: dict[str, dict[str, Any]] = {
    "default": {"precision": 4, "threshold": 1000, "edgeitems": 3, "linewidth": 80},
    "short": {"precision": 2, "threshold": 1000, "edgeitems": 2, "linewidth": 80},
    "full": {"precision": 4, "threshold": math.inf, "edgeitems": 3, "linewidth": 80},
}

_opts: dict[str, Any] = {**_PROFILES["default"], "sci_mode": None}


def set_printoptions(
    precision: int | None = None,
    threshold: float | None = None,
    edgeitems: int | None = None,
    linewidth: int | None = None,
    profile: str | None = None,
    sci_mode: bool | None = None,
) -> None:
    """Mirrors `torch.set_printoptions`."""
    # NOTE: torch ignores an unknown profile name rather than raising, and always assigns
    # sci_mode, so any call without it goes back to automatic sci mode.
    if profile in _PROFILES:
        _opts.update(_PROFILES[profile])
    for key, value in (
        ("precision", precision),
        ("threshold", threshold),
        ("edgeitems", edgeitems),
        ("linewidth", linewidth),
    ):
        if value is not None:
            _opts[key] = value
    _opts["sci_mode"] = sci_mode


def get_printoptions() -> dict[str, Any]:
    """Mirrors `torch._tensor_str.get_printoptions`: a dict fit for `set_printoptions(**d)`."""
    return dict(_opts)


@contextlib.contextmanager
def printoptions(**kwargs: Any) -> Iterator[None]:
    """Mirrors `torch._tensor_str.printoptions`: set_printoptions for the `with` block only."""
    saved = get_printoptions()
    set_printoptions(**kwargs)
    try:
        yield
    finally:
        set_printoptions(**saved)


def _float_formatter(values: np.ndarray):
    """Return (format one float, common width) for a float array, as torch chooses them."""
    finite = values[np.isfinite(values) & (values != 0)]
    if finite.size == 0:
        # NOTE: with nothing finite and nonzero torch prints integer style at width 1 and
        # ignores a forced sci_mode; keep this even though it looks like a missing case.
        return _fixed_int, 1
    precision = _opts["precision"]
    mag = np.abs(finite)
    hi, lo = mag.max(), mag.min()
    with np.errstate(over="ignore"):
        wide_range = hi / lo > 1000.0 or hi > 1.0e8
    int_valued = bool(np.all(finite == np.ceil(finite)))
    sci = wide_range if int_valued else wide_range or lo < 1.0e-4
    if _opts["sci_mode"] is not None:
        sci = _opts["sci_mode"]

    if sci:

        def fmt(v: float) -> str:
            return f"{v:.{precision}e}"
    elif int_valued:
        fmt = _fixed_int
    else:

        def fmt(v: float) -> str:
            return f"{v:.{precision}f}"

    # the width comes from finite nonzero values only, so nan/inf/0 never widen a column
    return fmt, max(len(fmt(v)) for v in finite.tolist())


def _fixed_int(v: float) -> str:
    text = f"{v:.0f}"
    return text + "." if math.isfinite(v) else text


def _keep_edges(data: np.ndarray, cut: list[bool], edge: int) -> np.ndarray:
    for axis, is_cut in enumerate(cut):
        if is_cut:
            n = data.shape[axis]
            data = np.take(data, list(range(edge)) + list(range(n - edge, n)), axis=axis)
    return data


def _layout(cells: np.ndarray, cut: list[bool], edge: int, width: int, indent: int) -> str:
    """Bracket and wrap an array of already padded strings."""
    if cells.ndim == 0:
        return cells.item()
    if cells.ndim == 1:
        items = cells.tolist()
        if cut[0]:
            items[edge:edge] = [" ..."]
        per_line = max(1, math.floor((_opts["linewidth"] - indent) / (width + 2)))
        lines = [", ".join(items[i : i + per_line]) for i in range(0, len(items), per_line)]
        return "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"
    rows = [_layout(sub, cut[1:], edge, width, indent + 1) for sub in cells]
    if cut[0]:
        rows[edge:edge] = ["..."]
    # one blank line between 3-d blocks, two between 4-d blocks, and so on
    return "[" + ("," + "\n" * (cells.ndim - 1) + " " * (indent + 1)).join(rows) + "]"


def _body(data: np.ndarray, dt, indent: int) -> str:
    summarize = data.size > _opts["threshold"]
    edge = _opts["edgeitems"]
    if summarize and edge == 0 and data.ndim > 0:
        return "[...]"
    cut = [summarize and n > 2 * edge for n in data.shape]
    shown = _keep_edges(data, cut, edge)
    if dt.is_floating_point:
        shown = shown.astype(np.float64)
        fmt, width = _float_formatter(shown.ravel())
    else:
        fmt = str
        width = max([len(str(v)) for v in shown.ravel().tolist()], default=1)
    cells = np.empty(shown.shape, dtype=object)
    flat = cells.reshape(-1)
    for i, v in enumerate(shown.ravel().tolist()):
        flat[i] = fmt(v).rjust(width)
    return _layout(cells, cut, edge, width, indent)


def _append_suffixes(text: str, suffixes: list[str], indent: int) -> str:
    # NOTE: torch measures the last line as two characters longer than it is; matching that
    # decides where `requires_grad=True` wraps.
    # A dtype is measured as torch spells it ("torch.float64"), so that the lines break where
    # torch's do and the texts differ only in that prefix.
    line_len = len(text) - text.rfind("\n") + 1
    for suffix in suffixes:
        size = len(suffix.replace("mytorch.", "torch."))
        if line_len + size + 2 > _opts["linewidth"]:
            text += ",\n" + " " * indent + suffix
            line_len = indent + size
        else:
            text += ", " + suffix
            line_len += size + 2
    return text + ")"


def tensor_repr(t: Tensor) -> str:
    """The text of `repr(t)` and `str(t)`; mirrors `torch.Tensor.__repr__`."""
    prefix = "tensor("
    data, dt = t._data, t.dtype
    default = _dtype.get_default_dtype()
    suffixes = []
    if data.size == 0:
        if data.ndim != 1:
            suffixes.append(f"size={tuple(data.shape)}")
        # with no values to show, only the default float dtype goes without saying
        if dt is not default:
            suffixes.append(f"dtype={dt!r}")
        body = "[]"
    else:
        # with edgeitems=0 nothing tells the shape, so torch always states it
        if _opts["edgeitems"] == 0:
            suffixes.append(f"size={tuple(data.shape)}")
        if dt is not default and dt is not _dtype.int64 and dt is not _dtype.bool:
            suffixes.append(f"dtype={dt!r}")
        body = _body(data, dt, len(prefix))
    if t.grad_fn is not None:
        suffixes.append(f"grad_fn=<{type(t.grad_fn).__name__}>")
    elif t.requires_grad:
        suffixes.append("requires_grad=True")
    return _append_suffixes(prefix + body, suffixes, len(prefix))
