"""Pictures of autograd graphs: `draw(tensor)` gives DOT text, and SVG or PNG where Graphviz is.

Building the DOT text needs nothing; rendering runs Graphviz's `dot` program, or the
`graphviz-pure` program from PyPI (same flags) when no `dot` is installed.
"""

from __future__ import annotations

import shutil
import subprocess
import sysconfig
from pathlib import Path

from ._dtype import _FROM_NP
from ._tensor import Tensor
from .autograd.function import FunctionCtx, _OutputSlot, _SavedOutput
from .autograd.graph import AccumulateGrad

_COLOURS = {"op": "lightgrey", "leaf": "lightblue", "root": "darkolivegreen1", "saved": "orange"}


class Graph:
    """The autograd graph behind some tensors, as DOT text (`.source`, `str()`).

    `.pipe(format)` and `.render(path)` draw it with Graphviz; Jupyter shows it inline.
    """

    def __init__(self, source: str):
        self.source = source

    def __str__(self) -> str:
        return self.source

    def pipe(self, format: str = "svg") -> bytes:  # noqa: A002 (graphviz's name)
        """The picture as bytes in a Graphviz output format (svg, png, ...)."""
        done = subprocess.run(
            [_program(), f"-T{format}"], input=self.source.encode(), capture_output=True
        )
        if done.returncode != 0:
            raise RuntimeError(f"Graphviz failed: {done.stderr.decode(errors='replace').strip()}")
        return done.stdout

    def render(self, path, format: str | None = None) -> str:  # noqa: A002
        """Write the picture to `path`; the format defaults to the path's suffix, else svg.

        Unlike `graphviz.Digraph.render`, writes exactly `path` and no DOT file beside it.
        """
        fmt = format or Path(path).suffix.lstrip(".") or "svg"
        Path(path).write_bytes(self.pipe(fmt))
        return str(path)

    def to_graphviz(self):
        """The graph as a `graphviz.Source`, for code built on the graphviz Python package."""
        try:
            import graphviz
        except ImportError:
            raise ImportError(
                "to_graphviz() needs the graphviz Python package: pip install graphviz"
            ) from None
        return graphviz.Source(self.source)

    def _repr_svg_(self):
        try:
            return self.pipe("svg").decode()
        except RuntimeError:
            return None  # Jupyter then falls back to the text in the mimebundle

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict:
        svg = self._repr_svg_()
        bundle = {"text/plain": self.source}
        if svg is not None:
            bundle["image/svg+xml"] = svg
        return bundle


def _program() -> str:
    # pip puts graphviz-pure next to the interpreter, which need not be on PATH
    for name in ("dot", "graphviz-pure"):
        found = shutil.which(name) or shutil.which(name, path=sysconfig.get_path("scripts"))
        if found:
            return found
    raise RuntimeError(
        "rendering needs Graphviz's `dot` program (https://graphviz.org/download/) or "
        "`pip install graphviz-pure`; the DOT text is available without either as `.source`"
    )


def draw(tensors, params=None, show_saved: bool = True) -> Graph:
    """The autograd graph behind `tensors` (one Tensor, or a tuple or list of them).

    Op nodes show torch's node name and their output's shape and dtype; leaves show the name
    they have in `params` (`dict(model.named_parameters())`, or any (name, tensor) pairs);
    `show_saved` adds what each node keeps for its backward. Outputs are drawn in green.
    A tensor with no graph (no grad_fn, not requiring grad) raises RuntimeError, as backward does.
    Like torchviz's `make_dot`, arrows run from inputs to the ops that use them.
    """
    tensors = (tensors,) if isinstance(tensors, Tensor) else tuple(tensors)
    roots = []
    known: dict[object, list[tuple]] = {}  # node -> (shape, dtype) of each output
    for i, t in enumerate(tensors):
        if not isinstance(t, Tensor):
            raise TypeError(f"draw(): expected Tensors, got {type(t).__name__} at index {i}")
        if t.grad_fn is None and not t.requires_grad:
            raise RuntimeError(
                f"draw(): element {i} of tensors does not require grad and does not have a "
                "grad_fn, so it has no graph to draw"
            )
        node = _canonical(t._edge_node())
        roots.append(node)
        known.setdefault(node, [(t.shape, t.dtype)])
    nodes = _reachable(roots, known)
    root_set = set(roots)
    ids = {node: f"n{i}" for i, node in enumerate(nodes)}
    names = {id(t): name for name, t in dict(params or {}).items()}
    lines = [
        "digraph {",
        '\tnode [shape=box, style="filled,rounded", fillcolor=lightgrey, '
        "fontname=Courier, fontsize=10]",
    ]
    for node in nodes:
        kind = "root" if node in root_set else "leaf" if isinstance(node, AccumulateGrad) else "op"
        lines.append(_node_line(ids[node], _label(node, known, names), _COLOURS[kind]))
        if show_saved:
            for j, (what, value) in enumerate(_saved(node)):
                saved_id = f"{ids[node]}_s{j}"
                lines.append(_node_line(saved_id, [what, _describe(value)], _COLOURS["saved"], 8))
                lines.append(f"\t{saved_id} -> {ids[node]} [style=dashed, arrowhead=none]")
        for child, _ in node._edges:
            if child is not None:
                lines.append(f"\t{ids[_canonical(child)]} -> {ids[node]}")
    lines.append("}")
    return Graph("\n".join(lines) + "\n")


def _canonical(node):
    # a multi-output Function has one slot node per output; torch shows the one Function node
    return node._edges[0][0] if isinstance(node, _OutputSlot) else node


def _reachable(roots, known) -> list:
    """The nodes behind `roots` in creation order, noting each one's output (shape, dtype)."""
    seen, stack = set(), list(roots)
    while stack:  # iterative: a long chain must not hit the recursion limit
        node = stack.pop()
        if node in seen:
            continue
        seen.add(node)
        for (child, _), meta in zip(node._edges, node._meta):
            if child is None:
                continue
            child = _canonical(child)
            if meta is not None and meta[0] is not None:
                known.setdefault(child, [meta])
            stack.append(child)
    return sorted(seen, key=lambda node: node._seq)


def _outputs(node, known) -> list:
    if isinstance(node, AccumulateGrad):
        t = node.variable
        return [] if t is None else [(t.shape, t.dtype)]
    if isinstance(node, FunctionCtx):
        return [m for m in getattr(node, "_output_meta", ()) if m is not None]
    if node in known:
        return known[node]
    result = getattr(node, "_result", None)
    return [] if result is None else [(result.shape, _FROM_NP.get(result.dtype, result.dtype))]


def _label(node, known, names) -> list:
    leaf = node.variable if isinstance(node, AccumulateGrad) else None
    title = names.get(id(leaf), type(node).__name__) if leaf is not None else type(node).__name__
    return [title] + [_describe_meta(shape, dtype) for shape, dtype in _outputs(node, known)]


def _saved(node) -> list:
    """(what, value) for each value the node holds for its backward; nothing once freed."""
    if isinstance(node, FunctionCtx):
        saved = node._saved or ()
        return [(f"saved_tensors[{i}]", t) for i, t in enumerate(saved) if t is not None]
    inputs = getattr(node, "_inputs", None) or ()
    out = [(f"inputs[{i}]", x) for i, x in enumerate(inputs)]
    result = getattr(node, "_result", None)
    return out if result is None else out + [("result", result)]


def _describe(value) -> str:
    if isinstance(value, _SavedOutput):
        value = value.data
    if hasattr(value, "shape") and hasattr(value, "dtype"):
        return _describe_meta(value.shape, _FROM_NP.get(value.dtype, value.dtype))
    text = str(value)
    return text if len(text) <= 24 else text[:21] + "..."


def _describe_meta(shape, dtype) -> str:
    return f"{tuple(shape)} {str(dtype).rsplit('.', 1)[-1]}"


def _node_line(node_id: str, lines: list, colour: str, fontsize: int | None = None) -> str:
    label = "\\n".join(_escape(line) for line in lines)
    size = "" if fontsize is None else f", fontsize={fontsize}"
    return f'\t{node_id} [label="{label}", fillcolor={colour}{size}]'


def _escape(text: str) -> str:
    """Text as the inside of a DOT string: quotes and backslashes escaped, newlines kept."""
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
