"""Building ``Edit``s from CST changes: locate a node by span, change it, emit minimal text edits."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import libcst as cst
from steplint.files.sources import SourceFile
from steplint.findings.finding import Edit
from steplint.model.values import Span
from steplint.readers.python.positions import NodePositions, index_positions

_NEWLINE = re.compile(r"\r\n|\r|\n")


@dataclass
class ParsedFile:
    """A source file with its CST; positions are computed on first use."""

    source: SourceFile
    module: cst.Module
    _positions: object = field(default=None, repr=False)
    _line_starts: list | None = field(default=None, repr=False)

    @property
    def positions(self) -> NodePositions:
        if self._positions is None:
            self._positions = index_positions(self.module)
        return self._positions

    def span_of(self, node: cst.CSTNode) -> Span:
        found = self.positions.get(node)
        if found is None:
            return Span(1, 0, 1, 0)
        (line, col), (end_line, end_col) = found
        return Span(line, col, end_line, end_col)

    def offset(self, line: int, col: int) -> int:
        if self._line_starts is None:
            self._line_starts = [0] + [match.end() for match in _NEWLINE.finditer(self.source.text)]
        return self._line_starts[line - 1] + col

    def find(self, span: Span, node_type: type) -> cst.CSTNode | None:
        wanted = ((span.line, span.col), (span.end_line, span.end_col))
        for node in self.positions.at(wanted):
            if isinstance(node, node_type):
                return node
        return None

    def replace(self, node: cst.CSTNode, new_node: cst.CSTNode) -> Edit | None:
        """A minimal edit turning ``node`` into ``new_node``; None if positions do not match the text.

        A parenthesized node's position excludes its parentheses (``lpar``/``rpar``, also a
        tuple's own), while its code includes them: both sides are compared and rewritten
        without them, so the parentheses stay as they are in the text."""
        span = self.span_of(node)
        start, end = self.offset(span.line, span.col), self.offset(span.end_line, span.end_col)
        old = self.source.text[start:end]
        node, new_node = _unparenthesized(node), _unparenthesized(new_node)
        if old != self.module.code_for_node(node):
            return None
        new = self.module.code_for_node(new_node)
        return minimal_edit(self.source.display, start, old, new)


def _unparenthesized(node: cst.CSTNode) -> cst.CSTNode:
    """``node`` without the parentheses around it, when it has any."""
    if getattr(node, "lpar", None) or getattr(node, "rpar", None):
        return node.with_changes(lpar=(), rpar=())
    return node


def minimal_edit(path: str, start: int, old: str, new: str) -> Edit:
    """Trim the common prefix and suffix of ``old`` and ``new`` so edits stay small."""
    prefix = 0
    limit = min(len(old), len(new))
    while prefix < limit and old[prefix] == new[prefix]:
        prefix += 1
    suffix = 0
    while suffix < limit - prefix and old[len(old) - 1 - suffix] == new[len(new) - 1 - suffix]:
        suffix += 1
    return Edit(path, start + prefix, start + len(old) - suffix, new[prefix:len(new) - suffix])


def _is_multiline(whitespace) -> bool:
    return isinstance(whitespace, cst.ParenthesizedWhitespace)


def _merged_comma(previous, removed):
    """The comma the previous element gets: the removed element's, but keeping the previous
    element's own end-of-line comment."""
    if (isinstance(previous, cst.Comma) and isinstance(removed, cst.Comma)
            and _is_multiline(previous.whitespace_after) and _is_multiline(removed.whitespace_after)):
        return removed.with_changes(whitespace_after=removed.whitespace_after.with_changes(
            first_line=previous.whitespace_after.first_line))
    return removed


def _keeps_comment_before_closer(previous, removed, closer) -> bool:
    """Removing the last element when the line break before the closing bracket belongs to
    the bracket: the previous element's end-of-line comment moves there."""
    comma = previous.comma
    removed_multiline = isinstance(removed.comma, cst.Comma) and _is_multiline(removed.comma.whitespace_after)
    return (not removed_multiline and isinstance(comma, cst.Comma)
            and _is_multiline(comma.whitespace_after) and comma.whitespace_after.first_line.comment is not None
            and _is_multiline(closer.whitespace_before))


def without_element(node, index: int):
    """``node`` (List, Tuple, Set, Dict or Call) without its ``index``-th element or argument.

    The neighbour before the removed element takes over its comma, so trailing commas,
    line breaks and comments leading to the next element stay as they were; comment
    lines directly above the removed element go with it.
    """
    attribute = "args" if isinstance(node, cst.Call) else "elements"
    elements = list(getattr(node, attribute))
    removed = elements.pop(index)
    if index > 0:
        previous = elements[index - 1]
        elements[index - 1] = previous.with_changes(comma=_merged_comma(previous.comma, removed.comma))
    changes = {attribute: elements}
    if isinstance(node, (cst.List, cst.Set, cst.Dict)) or isinstance(node, cst.Tuple):
        open_name = {cst.List: "lbracket", cst.Set: "lbrace", cst.Dict: "lbrace"}.get(type(node))
        if open_name is not None:
            opener = getattr(node, open_name)
            closer_name = open_name.replace("l", "r", 1)
            closer = getattr(node, closer_name)
            if not elements:
                changes[open_name] = opener.with_changes(whitespace_after=cst.SimpleWhitespace(""))
                changes[closer_name] = closer.with_changes(whitespace_before=cst.SimpleWhitespace(""))
            elif index == len(elements) and _keeps_comment_before_closer(
                    getattr(node, attribute)[index - 1], removed, closer):
                previous_comma = getattr(node, attribute)[index - 1].comma
                changes[closer_name] = closer.with_changes(whitespace_before=closer.whitespace_before.with_changes(
                    first_line=previous_comma.whitespace_after.first_line))
            elif index == 0 and isinstance(removed.comma, cst.Comma) and _is_multiline(opener.whitespace_after) \
                    and _is_multiline(removed.comma.whitespace_after):
                changes[open_name] = opener.with_changes(whitespace_after=removed.comma.whitespace_after)
    return node.with_changes(**changes)


def string_edit(parsed: ParsedFile, span: Span, value: str) -> Edit | None:
    """An edit making the plain string literal at ``span`` (the literal itself, or a keyword
    argument whose value it is: ``property_path="..."``) read ``value``, keeping its prefix
    and quote; None when there is no such literal, or ``value`` would need escaping (a quote
    of the literal's kind or a backslash) or the literal is a bytes literal."""
    arg = parsed.find(span, cst.Arg)
    node = arg.value if arg is not None else parsed.find(span, cst.SimpleString)
    if not isinstance(node, cst.SimpleString):
        return None
    quote = node.quote
    if quote not in ('"', "'") or quote in value or "\\" in value or "b" in node.prefix.lower():
        return None
    return parsed.replace(node, node.with_changes(value=f"{node.prefix}{quote}{value}{quote}"))
