"""Read-only CST walks without LibCST's visit machinery.

``node.visit(visitor)`` in LibCST rebuilds and re-validates every node it passes (the
same code path serves transformers), and ``node.children`` runs such a visit; on step
code that costs several times the parse. ``visit`` here calls the same ``visit_X`` /
``leave_X`` methods of a ``CSTVisitor`` in the same order (children in source order, as
LibCST's ``_visit_and_replace_children`` visits them; ``visit_X`` returning False skips the
children) without building anything, and skips whitespace, operator and bracket nodes
unless the visitor has a method for them. Attribute hooks (``visit_X_attr``) are not
called. ``children`` returns exactly ``node.children``.
"""

from __future__ import annotations

import libcst as cst
from libcst._nodes import op as _op_nodes
from libcst._nodes import whitespace as _whitespace_nodes

_FIELDS: dict = {}
_NODE_TYPES: dict = {}
_PLANS: dict = {}

TRIVIA = frozenset(
    value for module in (_op_nodes, _whitespace_nodes) for value in vars(module).values()
    if isinstance(value, type) and issubclass(value, cst.CSTNode)
) | {cst.LeftParen, cst.RightParen, cst.LeftSquareBracket, cst.RightSquareBracket, cst.LeftCurlyBrace,
     cst.RightCurlyBrace}


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


def visit(node: cst.CSTNode, visitor: cst.CSTVisitor) -> None:
    """Walk ``node`` with ``visitor`` as ``node.visit(visitor)`` would, read-only."""
    plan = _PLANS.get(type(visitor))
    if plan is None:
        hooked = {name[6:] for name in dir(type(visitor)) if name.startswith(("visit_", "leave_"))}
        walkable = {kind: False for kind in TRIVIA if kind.__name__ not in hooked}
        plan = _PLANS[type(visitor)] = ({}, walkable)
    _visit(node, visitor, type(visitor), plan[0], plan[1])


def _visit(node, visitor, visitor_type, hooks: dict, walkable: dict) -> None:
    kind = type(node)
    pair = hooks.get(kind)
    if pair is None:
        name = kind.__name__
        pair = hooks[kind] = (getattr(visitor_type, "visit_" + name, None), getattr(visitor_type, "leave_" + name, None))
    if pair[0] is None or pair[0](visitor, node) is not False:
        for name in _FIELDS.get(kind) or _fields(node):
            value = getattr(node, name)
            value_type = type(value)
            if value_type is list or value_type is tuple:
                for item in value:
                    item_type = type(item)
                    ok = walkable.get(item_type)
                    if ok is None:
                        ok = walkable[item_type] = issubclass(item_type, cst.CSTNode)
                    if ok:
                        _visit(item, visitor, visitor_type, hooks, walkable)
            else:
                ok = walkable.get(value_type)
                if ok is None:
                    ok = walkable[value_type] = issubclass(value_type, cst.CSTNode)
                if ok:
                    _visit(value, visitor, visitor_type, hooks, walkable)
    if pair[1] is not None:
        pair[1](visitor, node)
