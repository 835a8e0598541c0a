"""The backward pass: order the graph, sum gradients per node, call the rules, run hooks.

It knows nodes, edges, hooks and `release()`; it knows no op, array library or dtype rule.
Node hooks and anomaly mode live in graph.py and anomaly_mode.py, behind one check per node.
Broadcasting is undone here and only here, with `sum_to_size` (a recorded op).
"""

from __future__ import annotations

from .anomaly_mode import _state as _anomaly
from .grad_mode import set_grad_enabled
from .graph import AccumulateGrad


def _collect(start) -> list:
    """Every node reachable from `start`, without recursion (a 100,000-op chain is fine)."""
    seen = set(start)
    stack = list(start)
    while stack:
        node = stack.pop()
        for child, _ in node._edges:
            if child is not None and child not in seen:
                seen.add(child)
                stack.append(child)
    return sorted(seen, key=lambda n: n._seq)


def _reaching(nodes, targets) -> tuple:
    """The nodes from which a target can be reached (targets None: every leaf accumulator).

    A node's inputs were created before it, so one pass in creation order suffices. The same
    pass tells each rule which of its inputs lead anywhere (`needs_input_grad`).
    """
    reach, hit = {}, set()
    for node in nodes:
        edges = node._edges
        needs = tuple([child is not None and child in reach for child, _ in edges])
        node.needs_input_grad = needs
        is_target = isinstance(node, AccumulateGrad) if targets is None else node in targets
        if is_target:
            hit.add(node)
        if is_target or True in needs:
            reach[node] = needs
    return reach, hit


def run_backward(roots, root_grads, targets, *, create_graph: bool, retain_graph: bool) -> dict:
    """Propagate `root_grads` from `roots` (nodes); return {target node: gradient}."""
    nodes = _collect(roots)
    reach, hit = _reaching(nodes, targets)
    pending: dict = {}  # node -> the sum of the gradients that reached it so far
    for node, grad in zip(roots, root_grads):
        if node in reach:
            pending[node] = pending[node] + grad if node in pending else grad
    captured = {}
    anomaly = _anomaly.enabled
    with set_grad_enabled(create_graph):
        for node in reversed(nodes):
            grad = pending.pop(node, None)
            if grad is None:
                continue
            if node._hooks:
                for hook in tuple(node._hooks.values()):
                    replaced = hook(grad)
                    if replaced is not None:
                        grad = replaced
            if node._retain_hook is not None:
                node._retain_hook(grad)
            if node in hit:
                captured[node] = grad
            needs = reach[node]
            if True not in needs:
                continue
            if node._node_hooks is None and not anomaly:
                grads = node.vjp(grad)
            else:
                grads = node._vjp_with_extras(grad, needs, anomaly)
            for (child, _), meta, g, need in zip(node._edges, node._meta, grads, needs):
                if g is None or not need:
                    continue
                shape, dtype = meta
                if dtype is not None:  # None: a multi-output Function's gathered gradients
                    data = g._data
                    if data.shape != shape:
                        g = g.sum_to_size(shape)
                    if data.dtype != dtype._np:
                        g = g.to(dtype)
                old = pending.get(child)
                pending[child] = g if old is None else old + g
            if not retain_graph:
                node.release()
    return captured
