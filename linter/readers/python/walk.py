"""A node's children without LibCST's visit machinery.

``node.children`` in LibCST runs a visit that rebuilds and re-validates the node (the same
code path serves transformers). ``children`` here reads the fields in the order LibCST's
``_visit_and_replace_children`` visits them and returns exactly ``node.children``.
"""

from __future__ import annotations

import libcst as cst

_FIELDS: dict = {}
_NODE_TYPES: dict = {}


class _AttributeOrder(cst.CSTVisitor):
    """Records the order in which LibCST visits a node's attributes."""

    def __init__(self) -> None:
        self.order: list = []

    def on_visit(self, node) -> bool:
        return False

    def on_visit_attribute(self, node, attribute: str) -> None:
        if not self.order or self.order[-1] != attribute:
            self.order.append(attribute)


def _fields(node) -> tuple:
    """A node type's fields in LibCST's visiting order; fields it skipped on this instance
    (an absent optional part) follow in declaration order."""
    recorder = _AttributeOrder()
    node._visit_and_replace_children(recorder)
    rest = tuple(name for name in type(node).__dataclass_fields__ if name not in recorder.order)
    found = _FIELDS[type(node)] = tuple(recorder.order) + rest
    return found


def _is_node_type(kind: type) -> bool:
    found = _NODE_TYPES.get(kind)
    if found is None:
        found = _NODE_TYPES[kind] = issubclass(kind, cst.CSTNode)
    return found


def children(node: cst.CSTNode) -> list:
    """The node's children, as ``node.children`` returns them."""
    found = []
    for name in _FIELDS.get(type(node)) or _fields(node):
        value = getattr(node, name)
        kind = type(value)
        if kind is list or kind is tuple:
            for item in value:
                if _is_node_type(type(item)):
                    found.append(item)
        elif _is_node_type(kind):
            found.append(value)
    return found
