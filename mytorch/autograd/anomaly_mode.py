"""Anomaly mode: nodes remember the forward traceback that created them, and an error in a
node's backward (a NaN result included) shows it. Mirrors `torch.autograd.anomaly_mode`.

Off, it costs one flag check per recorded op; the engine's slow path (graph.py) calls `_evaluate`.
"""

from __future__ import annotations

import os
import threading
import traceback
import warnings

from . import graph
from .grad_mode import no_grad

__all__ = ["detect_anomaly", "set_detect_anomaly"]


class _State:
    enabled = False  # process-wide, as torch's flag
    check_nan = True


_state = _State()
_running = threading.local()  # .node: the node whose backward runs on this thread


def is_anomaly_enabled() -> bool:
    """Mirrors `torch.is_anomaly_enabled`."""
    return _state.enabled


def is_anomaly_check_nan_enabled() -> bool:
    """Mirrors `torch.is_anomaly_check_nan_enabled`."""
    return _state.check_nan


def _set(enabled: bool, check_nan: bool) -> None:
    _state.enabled, _state.check_nan = bool(enabled), bool(check_nan)
    graph._set_extras(anomaly=_state.enabled)


class detect_anomaly:  # noqa: N801
    """Mirrors `torch.autograd.detect_anomaly`: a context manager (torch's is not a decorator)."""

    def __init__(self, check_nan: bool = True) -> None:
        self.prev = is_anomaly_enabled()
        self.check_nan = check_nan
        self.prev_check_nan = is_anomaly_check_nan_enabled()
        warnings.warn(
            "Anomaly Detection has been enabled. This mode will increase the runtime and should "
            "only be enabled for debugging.",
            stacklevel=2,
        )

    def __enter__(self) -> None:
        _set(True, self.check_nan)

    def __exit__(self, *args) -> None:
        _set(self.prev, self.prev_check_nan)


class set_detect_anomaly:  # noqa: N801
    """Mirrors `torch.autograd.set_detect_anomaly`: takes effect at once; also a context manager."""

    def __init__(self, mode: bool, check_nan: bool = True) -> None:
        self.prev = is_anomaly_enabled()
        self.prev_check_nan = is_anomaly_check_nan_enabled()
        _set(mode, check_nan)

    def __enter__(self) -> None:
        pass

    def __exit__(self, *args) -> None:
        _set(self.prev, self.prev_check_nan)


_PACKAGE = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep
_SHOWN = tuple(_PACKAGE + d + os.sep for d in ("nn", "optim", "utils"))


def _machinery(filename: str) -> bool:
    # torch's ops, engine and Tensor methods are C++ and absent from its tracebacks; mytorch's
    # Python equivalents are left out the same way, while nn code stays as torch's Python does
    path = os.path.abspath(filename)
    return path.startswith(_PACKAGE) and not path.startswith(_SHOWN)


def _record(node) -> None:
    """Keep the forward traceback on `node.metadata`, and the node whose backward created it."""
    stack = traceback.extract_stack()
    end = len(stack)
    while end and _machinery(stack[end - 1].filename):
        end -= 1
    meta = node.metadata
    meta["traceback_"] = traceback.format_list(stack[:end])
    parent = getattr(_running, "node", None)
    if parent is not None:
        meta["parent_"] = parent


def _warn_traceback(node) -> None:
    """torch's warnings for an error in `node`'s backward: where the node was created, then where
    each node whose backward created it was."""
    header = "Error detected in {}. Traceback of forward call that caused the error:\n"
    while node is not None:
        meta = node.__dict__.get("_metadata") or {}
        if "traceback_" in meta:
            text = header.format(node.name()) + "".join(meta["traceback_"])
        else:
            text = (
                f"Error detected in {node.name()}. No forward pass information available. Enable "
                "detect anomaly during forward pass for more information."
            )
        warnings.warn(text, stacklevel=3)
        header = (
            "\n\nPrevious calculation was induced by {}. Traceback of forward call that induced "
            "the previous calculation:\n"
        )
        node = meta.get("parent_")


def _evaluate(node, grad, needs: tuple) -> tuple:
    """Run `node`'s backward (with its Node hooks) in anomaly mode: a NaN gradient raises, and
    any error is preceded by a warning with the node's forward traceback."""
    from .._tensor import Tensor

    outer = getattr(_running, "node", None)
    _running.node = node
    try:
        grads = node._hooked_vjp(grad, needs)
        if _state.check_nan:
            with no_grad():
                for i, (g, need) in enumerate(zip(grads, needs)):
                    if need and isinstance(g, Tensor) and g.isnan().any():
                        raise RuntimeError(
                            f"Function '{node.name()}' returned nan values in its {i}th output."
                        )
        return grads
    except Exception:
        _warn_traceback(node)
        raise
    finally:
        _running.node = outer
