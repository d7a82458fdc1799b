"""A small, explicit static evaluator for LibCST expressions.

It understands literals, displays, names bound at module level or by imports, attribute
access on modules and on the enums steplint knows, calls (kept symbolic as ``CallValue``),
string concatenation and f-strings. Anything else becomes ``Unknown`` with a reason.
"""

from __future__ import annotations

import ast
import warnings
from collections.abc import Mapping as MappingABC

import libcst as cst
from steplint.model.values import (
    CallValue,
    Concat,
    Entry,
    EnumMember,
    Mapping,
    ModuleRef,
    Ref,
    Seq,
    Span,
    Unknown,
)

MAX_DEPTH = 60


class Evaluator:
    """Evaluates expressions of one module against a name scope."""

    def __init__(self, scope: MappingABC, spans, known_enums: frozenset[str]):
        self.scope = scope
        self._spans = spans
        self.known_enums = known_enums

    def span(self, node: cst.CSTNode) -> Span:
        return self._spans(node)

    def with_scope(self, scope: MappingABC) -> "Evaluator":
        return Evaluator(scope, self._spans, self.known_enums)

    def evaluate(self, node: cst.BaseExpression, depth: int = 0) -> object:
        if depth > MAX_DEPTH:
            return Unknown("expression nested too deeply", self.span(node))
        method = getattr(self, "_eval_" + type(node).__name__, None)
        if method is None:
            return Unknown(f"{type(node).__name__} expressions are not evaluated statically", self.span(node))
        return method(node, depth + 1)

    def _eval_SimpleString(self, node: cst.SimpleString, depth: int) -> object:
        if "b" in node.prefix.lower():
            return Unknown("bytes literal", self.span(node))
        return string_value(node.value)

    def _eval_ConcatenatedString(self, node: cst.ConcatenatedString, depth: int) -> object:
        left = self.evaluate(node.left, depth)
        right = self.evaluate(node.right, depth)
        return _concat((left, right), self.span(node))

    def _eval_FormattedString(self, node: cst.FormattedString, depth: int) -> object:
        parts: list[object] = []
        for part in node.parts:
            if isinstance(part, cst.FormattedStringText):
                parts.append(part.value.replace("{{", "{").replace("}}", "}"))
            elif part.conversion is not None or part.format_spec is not None:
                return Unknown("f-string with a conversion or format spec", self.span(node))
            else:
                parts.append(self.evaluate(part.expression, depth))
        return _concat(tuple(parts), self.span(node))

    def _eval_Integer(self, node: cst.Integer, depth: int) -> object:
        return node.evaluated_value

    def _eval_Float(self, node: cst.Float, depth: int) -> object:
        return node.evaluated_value

    def _eval_Name(self, node: cst.Name, depth: int) -> object:
        if node.value in ("True", "False", "None"):
            return {"True": True, "False": False, "None": None}[node.value]
        value = self.scope.get(node.value)
        if value is None:
            return Unknown(f"name '{node.value}' is not bound at module level", self.span(node),
                           unbound_name=node.value)
        return value

    def _eval_Attribute(self, node: cst.Attribute, depth: int) -> object:
        base = self.evaluate(node.value, depth)
        attr = node.attr.value
        if isinstance(base, ModuleRef):
            return Ref(base.module, attr)
        if isinstance(base, Ref):
            if base.name in self.known_enums:
                return EnumMember(base.name, attr)
            return Ref(f"{base.module}.{base.name}" if base.module else base.name, attr)
        if isinstance(base, Unknown):
            is_self = isinstance(node.value, cst.Name) and node.value.value == "self" and "self" not in self.scope
            return Unknown(f"attribute '{attr}' of an unknown value ({base.reason})", self.span(node),
                           attr if is_self else None)
        return Unknown(f"attribute '{attr}' of a {type(base).__name__}", self.span(node))

    def _eval_List(self, node: cst.List, depth: int) -> object:
        return self._sequence("list", node.elements, node, depth)

    def _eval_Tuple(self, node: cst.Tuple, depth: int) -> object:
        return self._sequence("tuple", node.elements, node, depth)

    def _eval_Set(self, node: cst.Set, depth: int) -> object:
        return self._sequence("set", node.elements, node, depth)

    def _sequence(self, kind: str, elements, node: cst.CSTNode, depth: int) -> object:
        items = []
        for element in elements:
            if isinstance(element, cst.StarredElement):
                return Unknown(f"{kind} with a starred element", self.span(node))
            items.append(self.evaluate(element.value, depth))
        spans = tuple(self.span(element.value) for element in elements)
        return Seq(kind, tuple(items), spans, self.span(node))

    def _eval_Dict(self, node: cst.Dict, depth: int) -> object:
        entries = []
        for element in node.elements:
            if isinstance(element, cst.StarredDictElement):
                return Unknown("dict with ** unpacking", self.span(node))
            key = self.evaluate(element.key, depth)
            value = self.evaluate(element.value, depth)
            entries.append(Entry(key, value, self.span(element.key), self.span(element)))
        return Mapping(tuple(entries), self.span(node))

    def _eval_Call(self, node: cst.Call, depth: int) -> object:
        func = self.evaluate(node.func, depth)
        if _is_dict_builtin(node.func, func):
            return self._dict_call(node, depth)
        args = []
        kwargs = []
        kw_spans = []
        has_star = False
        for arg in node.args:
            if arg.star:
                has_star = True
                continue
            value = self.evaluate(arg.value, depth)
            if arg.keyword is None:
                args.append(value)
            else:
                kwargs.append((arg.keyword.value, value))
                kw_spans.append(self.span(arg))
        return CallValue(func, tuple(args), tuple(kwargs), tuple(kw_spans), self.span(node), has_star)

    def _dict_call(self, node: cst.Call, depth: int) -> object:
        if any(arg.keyword is None for arg in node.args):
            return Unknown("dict() with positional or ** arguments", self.span(node))
        entries = tuple(
            Entry(arg.keyword.value, self.evaluate(arg.value, depth), self.span(arg.keyword), self.span(arg))
            for arg in node.args
        )
        return Mapping(entries, self.span(node))

    def _eval_BinaryOperation(self, node: cst.BinaryOperation, depth: int) -> object:
        if isinstance(node.operator, cst.Add):
            left = self.evaluate(node.left, depth)
            right = self.evaluate(node.right, depth)
            if isinstance(left, (int, float)) and isinstance(right, (int, float)):
                return left + right
            return _concat((left, right), self.span(node))
        return Unknown("arithmetic other than + is not evaluated", self.span(node))

    def _eval_UnaryOperation(self, node: cst.UnaryOperation, depth: int) -> object:
        operand = self.evaluate(node.expression, depth)
        if isinstance(node.operator, cst.Minus) and isinstance(operand, (int, float)) and not isinstance(operand, bool):
            return -operand
        return Unknown("unary operation", self.span(node))


def _is_dict_builtin(func_node: cst.BaseExpression, func: object) -> bool:
    return isinstance(func_node, cst.Name) and func_node.value == "dict" and isinstance(func, Unknown)


def _concat(parts: tuple, span: Span) -> object:
    """Join string parts now when all are strings; otherwise defer to the project model."""
    flat: list[object] = []
    for part in parts:
        if isinstance(part, Concat):
            flat.extend(part.parts)
        else:
            flat.append(part)
    for part in flat:
        if isinstance(part, Unknown):
            return Unknown(f"string built from an unknown part ({part.reason})", span)
        if not isinstance(part, (str, Ref, Concat, int, float)) or isinstance(part, bool):
            return Unknown("string built from a non-string part", span)
    if all(isinstance(part, (str, int, float)) for part in flat):
        return "".join(str(part) for part in flat)
    return Concat(tuple(flat), span)


def string_value(text: str) -> object:
    """``ast.literal_eval(text)`` of a string literal's source; a literal without prefix,
    escapes or carriage returns, in ASCII, is its text between the quotes (no compile).
    Warnings about the literal (an invalid escape) are Python's to give at import time:
    they are not raised here even when warnings are errors (``-W error``)."""
    quote = text[0]
    if (quote == "'" or quote == '"') and text.isascii() and "\\" not in text and "\r" not in text \
            and "\x00" not in text:
        return text[3:-3] if len(text) >= 6 and text.startswith(quote * 3) else text[1:-1]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return ast.literal_eval(text)


def literal_string(node: cst.BaseExpression) -> str | None:
    """The value of a plain string literal node, else None."""
    if isinstance(node, cst.SimpleString) and "b" not in node.prefix.lower():
        try:
            return string_value(node.value)
        except (ValueError, SyntaxError):
            return None
    if isinstance(node, cst.ConcatenatedString):
        left, right = literal_string(node.left), literal_string(node.right)
        if left is not None and right is not None:
            return left + right
    return None
