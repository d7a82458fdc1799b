"""Source positions of every CST node from one light code-generation pass.

LibCST's ``MetadataWrapper(...).resolve(PositionProvider)`` walks the whole tree with a
batched visitor and then generates code while recording a ``CodeRange`` object per node;
that costs about three times the parse itself. This pass generates the code once with a
state that only counts lines and columns and records ``((line, col), (end_line, end_col))``
tuples. It reuses LibCST's own ``_codegen`` (the same hooks ``PositionProvider`` uses), so
the positions are identical to ``PositionProvider``'s, syntactic (not whitespace-inclusive)
ones: 1-based lines, 0-based columns in code points.
"""

from __future__ import annotations

import libcst as cst
from libcst._nodes.internal import CodegenState


class _SyntacticRecord:
    """The context manager LibCST's codegen enters to record a node's syntactic range."""

    __slots__ = ("state", "node", "start_node", "end_node", "start")

    def __init__(self, state: "_PositionState", node, start_node, end_node) -> None:
        self.state, self.node, self.start_node, self.end_node = state, node, start_node, end_node

    def __enter__(self) -> None:
        self.start = (self.state.line, self.state.column)

    def __exit__(self, *exc_info) -> bool:
        computed = self.state.computed
        start = computed[self.start_node][0] if self.start_node is not None else self.start
        end = computed[self.end_node][1] if self.end_node is not None else (self.state.line, self.state.column)
        computed[self.node] = (start, end)
        return False


class _PositionState(CodegenState):
    def __init__(self, module: cst.Module) -> None:
        super().__init__(default_indent=module.default_indent, default_newline=module.default_newline)
        self.line = 1
        self.column = 0
        self.computed: dict = {}
        self._stack: list = []

    def add_indent_tokens(self) -> None:
        for token in self.indent_tokens:
            self.add_token(token)

    def add_token(self, value: str) -> None:
        self.tokens.append(value)
        if "\n" in value or "\r" in value:
            value = value.replace("\r\n", "\n").replace("\r", "\n")
            self.line += value.count("\n")
            self.column = len(value) - value.rfind("\n") - 1
        else:
            self.column += len(value)

    def before_codegen(self, node) -> None:
        self._stack.append((self.line, self.column))

    def after_codegen(self, node) -> None:
        start = self._stack.pop()
        if node not in self.computed:
            self.computed[node] = (start, (self.line, self.column))

    def record_syntactic_position(self, node, *, start_node=None, end_node=None):
        return _SyntacticRecord(self, node, start_node, end_node)


def node_positions(module: cst.Module) -> dict:
    """``{node: ((line, col), (end_line, end_col))}`` for every node of ``module``."""
    state = _PositionState(module)
    module._codegen(state)
    return state.computed
