"""mytorch.viz: the DOT text of autograd graphs, checked against torch's own graphs for the same
expressions (node names and edges from `grad_fn.next_functions`), and rendering where a Graphviz
program is installed.
"""

import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections import Counter

import numpy as np
import pytest
import torch

import mytorch
import mytorch.viz as viz

LEAF, OP, ROOT, SAVED = "lightblue", "lightgrey", "darkolivegreen1", "orange"
NODE = re.compile(r'\t(\w+) \[label="((?:[^"\\]|\\.)*)", fillcolor=(\w+)(?:, fontsize=\d+)?\]')
EDGE = re.compile(r"\t(\w+) -> (\w+)( \[style=dashed, arrowhead=none\])?")


def parse(graph):
    """DOT text -> ({id: (label lines, colour)} in order, [(tail, head)], [(saved, node)])."""
    nodes, edges, saved = {}, [], []
    lines = str(graph).splitlines()
    assert lines[0] == "digraph {" and lines[-1] == "}"
    for line in lines[2:-1]:
        if m := NODE.fullmatch(line):
            nodes[m[1]] = (unescape(m[2]).split("\n"), m[3])
        elif m := EDGE.fullmatch(line):
            (saved if m[3] else edges).append((m[1], m[2]))
        else:
            raise AssertionError(f"unexpected DOT line {line!r}")
    return nodes, edges, saved


def unescape(text):
    return re.sub(r"\\(.)", lambda m: "\n" if m[1] == "n" else m[1], text)


def ops(nodes):
    return {k: v for k, v in nodes.items() if v[1] != SAVED}


def names_and_edges(graph):
    """Node names and (input name, consumer name) edges, both as multisets."""
    nodes, edges, _ = parse(graph)
    ops_ = ops(nodes)
    return (
        Counter(lines[0] for lines, _ in ops_.values()),
        Counter((ops_[a][0][0], ops_[b][0][0]) for a, b in edges),
    )


def torch_names_and_edges(*roots):
    seen, stack, names, edges = set(), [t.grad_fn for t in roots], Counter(), Counter()
    while stack:
        node = stack.pop()
        if node in seen:
            continue
        seen.add(node)
        names[type(node).__name__] += 1
        for child, _ in node.next_functions:
            if child is not None:
                edges[type(child).__name__, type(node).__name__] += 1
                stack.append(child)
    return names, edges


def inputs(lib, *shapes):
    rng = np.random.default_rng(0)
    return [lib.tensor(rng.standard_normal(s), requires_grad=True) for s in shapes]


def test_sin_of_product_structure():
    a, b = inputs(mytorch, (2, 3), (2, 3))
    c = (a * b).sin().sum()
    nodes, edges, saved = parse(viz.draw(c, show_saved=False))
    assert list(nodes) == ["n0", "n1", "n2", "n3", "n4"]  # creation order
    assert list(nodes.values()) == [
        (["AccumulateGrad", "(2, 3) float64"], LEAF),
        (["AccumulateGrad", "(2, 3) float64"], LEAF),
        (["MulBackward0", "(2, 3) float64"], OP),
        (["SinBackward0", "(2, 3) float64"], OP),
        (["SumBackward0", "() float64"], ROOT),
    ]
    assert edges == [("n0", "n2"), ("n1", "n2"), ("n2", "n3"), ("n3", "n4")]
    assert saved == []


EXPRESSIONS = {
    "sin_mul_sum": (lambda lib, x, w, b: (x * x.exp()).sin().sum(), [(2, 3)]),
    "mlp": (
        lambda lib, x, w, b: (
            lib.nn.functional.relu(lib.nn.functional.linear(x, w, b)).pow(2).mean()
        ),
        [(2, 3), (4, 3), (4,)],
    ),
    "matmul_bias": (lambda lib, x, w, b: (x @ w.T + b).tanh().sum(1), [(2, 3), (4, 3), (4,)]),
    "select_scalar": (lambda lib, x, w, b: (w[:, 0] * 2 - b).exp().max(), [(2, 3), (4, 3), (4,)]),
    "softmax": (lambda lib, x, w, b: lib.softmax(x @ w.T, dim=1).log().sum(), [(2, 3), (4, 3)]),
    "rdiv_prod": (lambda lib, x, w, b: (2 / (x.sum(0) + 1)).sigmoid().prod(), [(2, 3)]),
    "cat_view": (lambda lib, x, w, b: lib.cat([x, w], 0).reshape(-1).abs().sum(), [(2, 3), (4, 3)]),
    "reuse": (lambda lib, x, w, b: x * x + x, [(3,)]),
}


def _run(fn, lib, shapes):
    args = inputs(lib, *shapes)
    return fn(lib, *args, *[None] * (3 - len(args)))


@pytest.mark.parametrize("name", EXPRESSIONS)
def test_nodes_and_edges_match_torch(name):
    fn, shapes = EXPRESSIONS[name]
    ours = names_and_edges(viz.draw(_run(fn, mytorch, shapes), show_saved=False))
    assert ours == torch_names_and_edges(_run(fn, torch, shapes))


def test_gradient_graph_matches_torch():
    # mytorch's default higher-order grad records the backward pass, like torch's create_graph=True
    (x,), (tx,) = inputs(mytorch, (3,)), inputs(torch, (3,))
    (g,) = mytorch.autograd.grad((x * x).sin().sum(), x)
    (tg,) = torch.autograd.grad((tx * tx).sin().sum(), tx, create_graph=True)
    graph = viz.draw(g, show_saved=False)
    names, edges = names_and_edges(graph)
    assert (names, edges) == torch_names_and_edges(tg)
    assert names["CosBackward0"] == 1 and names["AccumulateGrad"] == 1
    nodes, _, _ = parse(graph)
    [root] = [lines for lines, colour in nodes.values() if colour == ROOT]
    assert root == [type(g.grad_fn).__name__, "(3,) float64"]


def test_parameter_names_from_a_model():
    def build(lib):
        lib.manual_seed(0)
        model = lib.nn.Sequential(lib.nn.Linear(3, 4), lib.nn.Tanh(), lib.nn.Linear(4, 1))
        return model, model(lib.ones(5, 3)).sum()

    model, out = build(mytorch)
    nodes, _, _ = parse(viz.draw(out, params=dict(model.named_parameters())))
    leaves = sorted(lines for lines, colour in nodes.values() if colour == LEAF)
    assert leaves == [
        ["0.bias", "(4,) float32"],
        ["0.weight", "(4, 3) float32"],
        ["2.bias", "(1,) float32"],
        ["2.weight", "(1, 4) float32"],
    ]
    # (name, tensor) pairs work too
    assert parse(viz.draw(out, params=model.named_parameters()))[0] == nodes
    ours = names_and_edges(viz.draw(out, show_saved=False))
    assert ours == torch_names_and_edges(build(torch)[1])


def test_saved_values_shown_then_freed():
    (x,) = inputs(mytorch, (2, 3))
    y = (x * 2).sum()
    nodes, _, saved = parse(viz.draw(y))
    mul = next(k for k, (lines, _) in nodes.items() if lines[0] == "MulBackward0")
    assert [nodes[s][0] for s, node in saved if node == mul] == [
        ["inputs[0]", "(2, 3) float64"],
        ["inputs[1]", "2"],
        ["result", "(2, 3) float64"],
    ]
    assert all(nodes[s][1] == SAVED for s, _ in saved)
    assert parse(viz.draw(y, show_saved=False))[2] == []
    y.backward()  # frees what the nodes kept
    nodes, edges, saved = parse(viz.draw(y))
    assert saved == [] and len(edges) == 2
    assert [lines[0] for lines, _ in nodes.values()] == [
        "AccumulateGrad", "MulBackward0", "SumBackward0"
    ]  # fmt: skip


def test_leaf_and_no_graph():
    (x,) = inputs(mytorch, (3,))
    nodes, edges, saved = parse(viz.draw(x, params={"x": x}))
    assert list(nodes.values()) == [(["x", "(3,) float64"], ROOT)] and edges == saved == []
    with pytest.raises(RuntimeError, match="element 1 of tensors does not require grad"):
        viz.draw([x, mytorch.ones(2)])
    with pytest.raises(TypeError, match="expected Tensors, got int"):
        viz.draw((x, 3))


def test_several_roots_share_one_graph():
    (x,) = inputs(mytorch, (3,))
    h = x.exp()
    nodes, edges, _ = parse(viz.draw((h.sin(), h.cos(), h.sin()), show_saved=False))
    labels = Counter((lines[0], colour) for lines, colour in nodes.values())
    assert labels == Counter(
        {("AccumulateGrad", LEAF): 1, ("ExpBackward0", OP): 1, ("SinBackward0", ROOT): 2,
         ("CosBackward0", ROOT): 1}
    )  # fmt: skip
    assert len(edges) == 4


def _functions(lib):
    class Square(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        def backward(ctx, grad):
            (x,) = ctx.saved_tensors
            return 2 * x * grad

    class Halves(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x[:2] * 1, x[2:] * 1

        @staticmethod
        def backward(ctx, grad_a, grad_b):
            return lib.cat([grad_a, grad_b])

    return Square, Halves


def test_autograd_functions_match_torch():
    def run(lib):
        square, halves = _functions(lib)
        (x,) = inputs(lib, (4,))
        a, b = halves.apply(square.apply(x))
        return (a * b).sum() + a.sum()

    ours = run(mytorch)
    graph = viz.draw(ours)
    assert names_and_edges(graph) == torch_names_and_edges(run(torch))
    nodes, _, saved = parse(graph)
    halves = [k for k, (lines, _) in nodes.items() if lines[0] == "HalvesBackward"]
    assert [nodes[k][0][1:] for k in halves] == [["(2,) float64", "(2,) float64"]]
    square = next(k for k, (lines, _) in nodes.items() if lines[0] == "SquareBackward")
    assert [nodes[s][0] for s, node in saved if node == square] == [
        ["saved_tensors[0]", "(4,) float64"]
    ]
    ours.backward()
    assert not [s for s, node in parse(viz.draw(ours))[2] if node == square]


def test_labels_are_escaped():
    (x,) = inputs(mytorch, (2,))
    name = 'w"\\n\n<b>{}'
    nodes, _, _ = parse(viz.draw(x.sum(), params={name: x}))
    assert nodes["n0"][0] == [*name.split("\n"), "(2,) float64"]


def test_deterministic_and_long_chain():
    def chain(n):
        (x,) = inputs(mytorch, (2,))
        for _ in range(n):
            x = x * 1.0
        return x

    assert str(viz.draw(chain(50))) == str(viz.draw(chain(50)))
    nodes, edges, _ = parse(viz.draw(chain(5000), show_saved=False))  # deeper than recursion
    assert len(nodes) == 5001 and len(edges) == 5000
    assert edges[:2] == [("n0", "n1"), ("n1", "n2")]


def test_not_imported_by_mytorch():
    code = "import sys, mytorch; print('mytorch.viz' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout == (
        "False\n"
    )


def _graph():
    (x,) = inputs(mytorch, (2, 3))
    return viz.draw((x * x).sum())


def test_without_graphviz(monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda *args, **kwargs: None)
    graph = _graph()
    with pytest.raises(RuntimeError, match=r"`dot` program.*pip install graphviz-pure"):
        graph.pipe("svg")
    assert graph._repr_svg_() is None
    assert graph._repr_mimebundle_() == {"text/plain": graph.source}


def _has_graphviz():
    try:
        return bool(viz._program())
    except RuntimeError:
        return False


@pytest.mark.skipif(not _has_graphviz(), reason="needs Graphviz's dot or graphviz-pure")
def test_renders_svg_and_png(tmp_path):
    graph = _graph()
    root = ET.fromstring(graph.pipe("svg"))
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    titles = [t.text for t in root.iter("{http://www.w3.org/2000/svg}title")]
    assert {"n0", "n1", "n2", "n0->n1"} <= set(titles)  # the nodes and edges made it to the picture
    bundle = graph._repr_mimebundle_()
    assert ET.fromstring(bundle["image/svg+xml"]).tag == root.tag
    assert bundle["text/plain"] == graph.source
    path = graph.render(tmp_path / "graph.png")
    assert open(path, "rb").read(8) == b"\x89PNG\r\n\x1a\n"
    assert ET.fromstring(open(graph.render(tmp_path / "g", format="svg"), "rb").read()).tag == (
        root.tag
    )
    with pytest.raises(RuntimeError, match="Graphviz failed"):
        graph.pipe("no-such-format")


def test_to_graphviz_gives_a_graphviz_source_with_the_same_text():
    graphviz = pytest.importorskip("graphviz")
    a = mytorch.tensor([1.0, 2.0], requires_grad=True)
    g = mytorch.viz.draw((a * a).sum())
    src = g.to_graphviz()
    assert isinstance(src, graphviz.Source) and src.source == g.source
