"""Source positions of every CST node, and an index of the nodes extraction looks for,
from one light code-generation pass.

LibCST's ``MetadataWrapper(...).resolve(PositionProvider)`` walks the whole tree with a
batched visitor and then generates code while recording a ``CodeRange`` object per node;
that costs about three times the parse itself. This pass runs LibCST's own ``_codegen``
(the same hooks ``PositionProvider`` uses) into one event list: tokens, each node when its
code starts and again when it ends (those hooks are bound ``list.append`` methods, not
Python functions), and syntactic-range marks. One replay of the list gives each node's
character range, keyed by ``id`` (the module keeps its nodes alive); ranges become
``((line, col), (end_line, end_col))`` only when asked for. The positions are identical to
``PositionProvider``'s syntactic (not whitespace-inclusive) ones: 1-based lines, 0-based
columns in code points.

The same replay lists, in pre-order (LibCST's visiting order), the nodes of the ``INDEXED``
types and ``Name`` nodes spelling ``environ``, with the extent of each ``CONTAINERS``
node in that list, so extractors select nodes by position in the list instead of walking
the tree again.
"""

from __future__ import annotations

import re
from bisect import bisect_right

import libcst as cst
from libcst._nodes.internal import CodegenState

CONTAINERS = frozenset({
    cst.Module, cst.FunctionDef, cst.ClassDef, cst.Import, cst.ImportFrom, cst.IndentedBlock,
    cst.SimpleStatementSuite,
})
INDEXED = CONTAINERS | {
    cst.Call, cst.Dict, cst.DictElement, cst.Assign, cst.Subscript, cst.SimpleString, cst.FormattedStringText,
    cst.Comparison, cst.Attribute, cst.If, cst.IfExp, cst.For, cst.CompFor,
}
INDEXED_NAME = "environ"
_NEWLINE = re.compile(r"\r\n|\r|\n")


class _SyntacticRecord:
    """The context manager LibCST's codegen enters to record a node's syntactic range; one
    per state: entering and leaving only mark the event list."""

    __slots__ = ("events",)

    def __init__(self, events: list) -> None:
        self.events = events

    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc_info) -> bool:
        self.events.append(_SYNTACTIC_END)
        return False


_SYNTACTIC_END = object()


class _PositionState(CodegenState):
    """Codegen state that only logs: tokens, each node when its code starts and again when it
    ends, and syntactic range marks, in one list. LibCST calls the hooks once per node, so
    they are bound ``list.append`` methods, not Python functions."""

    def __init__(self, default_indent: str, default_newline: str) -> None:
        super().__init__(default_indent=default_indent, default_newline=default_newline)
        self.events = self.tokens
        self.add_token = self.before_codegen = self.after_codegen = self.events.append
        self._record = _SyntacticRecord(self.events)

    def pop_trailing_newline(self) -> None:
        """Positions count the module's last newline, as ``PositionProvider``'s do."""

    def record_syntactic_position(self, node, *, start_node=None, end_node=None):
        self.events.append((node, start_node, end_node))
        return self._record

    def add_indent_tokens(self) -> None:
        self.events.extend(self.indent_tokens)


def _replay(events: list):
    """Character ranges ``{id(node): (start, end)}``, every node in pre-order, the indexed
    nodes in pre-order with their ends, and the generated code, from the event list."""
    ranges: dict = {}
    nodes: list = []
    found: list = []
    ends: list = []
    pieces: list = []
    open_nodes: list = []
    open_records: list = []
    offset = 0
    for item in events:
        kind = type(item)
        if kind is str:
            offset += len(item)
            pieces.append(item)
        elif kind is tuple:
            open_records.append((item, offset))
        elif item is _SYNTACTIC_END:
            (node, start_node, end_node), start = open_records.pop()
            if start_node is not None:
                start = ranges[id(start_node)][0]
            ranges[id(node)] = (start, ranges[id(end_node)][1] if end_node is not None else offset)
        elif open_nodes and open_nodes[-1][0] is item:
            _, start, index = open_nodes.pop()
            key = id(item)
            if key not in ranges:
                ranges[key] = (start, offset)
            if index is not None:
                ends[index] = len(found)
        else:
            nodes.append(item)
            index = None
            if kind in INDEXED or (kind is cst.Name and item.value == INDEXED_NAME):
                if kind in CONTAINERS:
                    index = len(found)
                found.append(item)
                ends.append(len(found))
            open_nodes.append((item, offset, index))
    return ranges, nodes, found, ends, "".join(pieces)


class NodePositions:
    """Where each node of one module is, and the indexed nodes in pre-order.

    ``found[i]`` is an indexed node; ``ends[i]`` is one past the last indexed node inside
    it (``i + 1`` for nodes that are not containers).
    """

    def __init__(self, events: list) -> None:
        self._ranges, self.nodes, self.found, self.ends, code = _replay(events)
        self._line_starts = [0] + [match.end() for match in _NEWLINE.finditer(code)]
        self._found_index: dict | None = None
        self._by_range: dict | None = None

    def _point(self, offset: int) -> tuple:
        line = bisect_right(self._line_starts, offset)
        return line, offset - self._line_starts[line - 1]

    def get(self, node) -> tuple | None:
        """``((line, col), (end_line, end_col))`` of ``node``, None if it is not in the module."""
        found = self._ranges.get(id(node))
        if found is None:
            return None
        return self._point(found[0]), self._point(found[1])

    def at(self, position: tuple) -> list:
        """The nodes whose position is exactly ``position``, in pre-order."""
        (line, col), (end_line, end_col) = position
        line_starts = self._line_starts
        if not (0 < line <= len(line_starts) and 0 < end_line <= len(line_starts)):
            return []
        if self._by_range is None:
            self._by_range = {}
            for node in self.nodes:
                self._by_range.setdefault(self._ranges[id(node)], []).append(node)
        candidates = self._by_range.get((line_starts[line - 1] + col, line_starts[end_line - 1] + end_col), ())
        return [node for node in candidates if self.get(node) == position]

    def __iter__(self):
        return iter(self.nodes)

    def items(self):
        """``(node, position)`` for every node, in pre-order."""
        for node in self.nodes:
            yield node, self.get(node)

    def as_dict(self) -> dict:
        return dict(self.items())

    def inside(self, node) -> tuple:
        """``(start, stop)``: the slice of ``found`` holding the indexed nodes inside ``node``
        (an indexed container)."""
        if self._found_index is None:
            self._found_index = {id(item): index for index, item in enumerate(self.found)}
        index = self._found_index[id(node)]
        return index + 1, self.ends[index]

    def select(self, node, kinds, skip=frozenset()) -> list:
        """Indexed nodes of ``kinds`` inside ``node`` in pre-order, leaving out nodes of the
        ``skip`` kinds and everything inside them."""
        start, stop = self.inside(node)
        found, ends = self.found, self.ends
        selected = []
        index = start
        while index < stop:
            item = found[index]
            kind = type(item)
            if kind in skip:
                index = ends[index]
                continue
            if kind in kinds:
                selected.append(item)
            index += 1
        return selected


def index_positions(node: cst.CSTNode) -> NodePositions:
    """Positions of every node of ``node`` (a module; for any other node they are relative
    to its start) and its indexed nodes."""
    if isinstance(node, cst.Module):
        state = _PositionState(node.default_indent, node.default_newline)
    else:
        state = _PositionState("    ", "\n")
    node._codegen(state)
    return NodePositions(state.events)


def node_positions(module: cst.Module) -> dict:
    """``{node: ((line, col), (end_line, end_col))}`` for every node of ``module``."""
    return index_positions(module).as_dict()
