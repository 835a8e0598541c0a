"""Nested tuples, lists and dicts of tensors ("pytrees") flattened to a list and back."""

from __future__ import annotations


class TreeSpec:
    """The shape of a pytree: its container type, keys and children (None for a leaf)."""

    def __init__(self, kind, keys, children):
        self.kind, self.keys, self.children = kind, keys, children

    def __eq__(self, other):
        return isinstance(other, TreeSpec) and (self.kind, self.keys, self.children) == (
            other.kind,
            other.keys,
            other.children,
        )

    def __repr__(self):
        if self.kind is None:
            return "*"
        return f"TreeSpec({self.kind.__name__}, {self.keys}, {self.children})"


_LEAF = TreeSpec(None, None, None)


def tree_flatten(tree, *, none_is_leaf: bool = False) -> tuple:
    """`(leaves, spec)`. `None` is an empty subtree, as in torch, unless `none_is_leaf`."""
    if isinstance(tree, (tuple, list)):
        leaves, children = [], []
        for item in tree:
            sub, spec = tree_flatten(item, none_is_leaf=none_is_leaf)
            leaves += sub
            children.append(spec)
        return leaves, TreeSpec(type(tree), None, children)  # a namedtuple keeps its class
    if isinstance(tree, dict):
        leaves, children = [], []
        for key in tree:
            sub, spec = tree_flatten(tree[key], none_is_leaf=none_is_leaf)
            leaves += sub
            children.append(spec)
        return leaves, TreeSpec(dict, tuple(tree), children)
    if tree is None and not none_is_leaf:
        return [], TreeSpec(type(None), None, [])
    return [tree], _LEAF


def tree_unflatten(leaves, spec: TreeSpec):
    it = iter(leaves)
    out = _build(it, spec)
    return out


def _build(it, spec):
    if spec.kind is None:
        return next(it)
    if spec.kind is type(None):
        return None
    items = [_build(it, child) for child in spec.children]
    if spec.kind is dict:
        return dict(zip(spec.keys, items))
    if hasattr(spec.kind, "_fields"):
        return spec.kind(*items)
    return spec.kind(items)


def broadcast_prefix(prefix, spec: TreeSpec) -> list | None:
    """One entry per leaf of the tree that `spec` describes, where a leaf of the pytree `prefix`
    (an int or None in vmap's `in_dims`/`out_dims`) covers a whole subtree, as in torch; None
    where `prefix` is not a prefix of that structure."""
    if not isinstance(prefix, (tuple, list, dict)):
        return [prefix] * _count(spec)
    if isinstance(prefix, dict):
        if spec.kind is not dict or set(prefix) != set(spec.keys):
            return None
        parts = [prefix[k] for k in spec.keys]
    else:
        if spec.kind is not type(prefix) or len(prefix) != len(spec.children):
            return None
        parts = list(prefix)
    out = []
    for part, child in zip(parts, spec.children):
        sub = broadcast_prefix(part, child)
        if sub is None:
            return None
        out += sub
    return out


def _count(spec: TreeSpec) -> int:
    return 1 if spec.kind is None else sum(_count(child) for child in spec.children)
