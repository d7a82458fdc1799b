"""A CST-shaped tree from CPython's ``ast``, for extraction without LibCST's parser.

Extraction (``extract.py`` and the modules it calls) reads LibCST nodes: their types,
the fields that carry meaning (``Call.func``, ``Arg.keyword``, ``SimpleString.value``, ...)
and, through ``NodePositions``, each node's position and the pre-order index of the node
types it selects. ``cst_shaped`` builds exactly that from the tree ``ast.parse`` already
made for the parse guard: a node of the LibCST class LibCST would have made, with the
fields extraction reads set from the AST (the others keep their defaults; whitespace is
not modelled), and positions from the AST's, converted to LibCST's syntactic ones
(1-based lines, 0-based columns in code points, a node's own parentheses left out).
LibCST's parser and its code-generating positions pass are about three quarters of a
cold run; ``ast.parse`` is about a tenth of LibCST's parse.

What the AST does not say exactly is taken from LibCST itself: string literals written as
several pieces (one ``Constant`` or ``JoinedStr`` in the AST; a ``ConcatenatedString`` of
the pieces in LibCST) and f-strings (whose text parts LibCST keeps verbatim, and whose
inner positions CPython before 3.12 does not give reliably) are parsed by LibCST, all of
a file's in one call, and spliced in with their positions. Nodes are created without
LibCST's validation (``object.__new__``): they are never generated back into code.

``cst_shaped`` returns None ("decline") for code it does not model (``match``, type
parameters, identifiers that are not ASCII, a bracket layout it cannot pair); the file
then goes through LibCST as before. Facts are identical either way: ``tests/test_ast_route.py``
compares both routes on every fixture file and on generated programs.
"""

from __future__ import annotations

import ast
import dataclasses
import functools
import re
from bisect import bisect_right

import libcst as cst
from steplint.readers.python.positions import CONTAINERS, INDEXED, INDEXED_NAME, NodePositions, index_positions


class Decline(Exception):
    """The tree holds something this route does not model; LibCST reads the file instead."""


_DEFAULTS: dict = {}


def _defaults(kind: type) -> tuple:
    """``(field name, default)`` for every field of a LibCST node class (trivia such as
    white space keep LibCST's defaults, so every field reads as on a parsed node)."""
    found = _DEFAULTS.get(kind)
    if found is None:
        pairs = []
        for field in dataclasses.fields(kind):
            if field.name.startswith("__"):
                continue
            if field.default is not dataclasses.MISSING:
                default = field.default
            elif field.default_factory is not dataclasses.MISSING:
                default = field.default_factory()
            else:
                default = None
            pairs.append((field.name, default))
        found = _DEFAULTS[kind] = tuple(pairs)
    return found


_set = object.__setattr__


def _make(kind: type, **values):
    node = object.__new__(kind)
    for name, default in _defaults(kind):
        _set(node, name, values.get(name, default))
    return node


_BINARY = {ast.Add: cst.Add, ast.Sub: cst.Subtract, ast.Mult: cst.Multiply, ast.Div: cst.Divide,
           ast.FloorDiv: cst.FloorDivide, ast.Mod: cst.Modulo, ast.Pow: cst.Power, ast.LShift: cst.LeftShift,
           ast.RShift: cst.RightShift, ast.BitOr: cst.BitOr, ast.BitXor: cst.BitXor, ast.BitAnd: cst.BitAnd,
           ast.MatMult: cst.MatrixMultiply}
_AUGMENTED = {ast.Add: cst.AddAssign, ast.Sub: cst.SubtractAssign, ast.Mult: cst.MultiplyAssign,
              ast.Div: cst.DivideAssign, ast.FloorDiv: cst.FloorDivideAssign, ast.Mod: cst.ModuloAssign,
              ast.Pow: cst.PowerAssign, ast.LShift: cst.LeftShiftAssign, ast.RShift: cst.RightShiftAssign,
              ast.BitOr: cst.BitOrAssign, ast.BitXor: cst.BitXorAssign, ast.BitAnd: cst.BitAndAssign,
              ast.MatMult: cst.MatrixMultiplyAssign}
_UNARY = {ast.USub: cst.Minus, ast.UAdd: cst.Plus, ast.Invert: cst.BitInvert, ast.Not: cst.Not}
_COMPARE = {ast.Eq: cst.Equal, ast.NotEq: cst.NotEqual, ast.Lt: cst.LessThan, ast.LtE: cst.LessThanEqual,
            ast.Gt: cst.GreaterThan, ast.GtE: cst.GreaterThanEqual, ast.In: cst.In, ast.NotIn: cst.NotIn,
            ast.Is: cst.Is, ast.IsNot: cst.IsNot}
_BOOLEAN = {ast.And: cst.And, ast.Or: cst.Or}
_BINARY_OPERATORS = {kind: _make(node) for kind, node in _BINARY.items()}
_AUGMENTED_OPERATORS = {kind: _make(node) for kind, node in _AUGMENTED.items()}
_UNARY_OPERATORS = {kind: _make(node) for kind, node in _UNARY.items()}
_COMPARE_OPERATORS = {kind: _make(node) for kind, node in _COMPARE.items()}
_BOOLEAN_OPERATORS = {kind: _make(node) for kind, node in _BOOLEAN.items()}
_SMALL = (ast.Expr, ast.Assign, ast.AnnAssign, ast.AugAssign, ast.Return, ast.Raise, ast.Assert, ast.Delete,
          ast.Pass, ast.Break, ast.Continue, ast.Global, ast.Nonlocal, ast.Import, ast.ImportFrom)
_WS = " \t\f\r\n"
_NEWLINE = re.compile(r"\r\n|\r|\n")
_COMMENT = re.compile(r"#[^\r\n]*")
_NOT_NEWLINE = re.compile(r"[^\r\n]")
_PAREN = re.compile(r"[()]")


class _Text:
    """The source, as offsets and positions, with strings and comments masked out so that
    parentheses can be paired."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.ascii = text.isascii()
        self.line_starts = [0] + [match.end() for match in _NEWLINE.finditer(text)]
        self._line_bytes: dict = {}
        self.masked = text
        self.match: dict = {}

    def mask(self, string_spans: list) -> None:
        """Mask the string literals at ``string_spans`` (sorted, not nested) and every comment,
        and pair the parentheses left."""
        text = self.text
        pieces = []
        done = 0
        for start, end in string_spans:
            pieces.append(text[done:start])
            pieces.append(_NOT_NEWLINE.sub("\x00", text[start:end]))
            done = end
        pieces.append(text[done:])
        masked = _COMMENT.sub(lambda match: " " * len(match.group()), "".join(pieces))
        self.masked = masked.replace("\\\r\n", "   ").replace("\\\n", "  ").replace("\\\r", "  ")
        stack = []
        for paren in _PAREN.finditer(masked):
            if paren.group() == "(":
                stack.append(paren.start())
            elif stack:
                opening = stack.pop()
                self.match[opening] = paren.start()
                self.match[paren.start()] = opening

    def offset(self, line: int, col: int) -> int:
        """The offset of a (1-based line, code-point column)."""
        return self.line_starts[line - 1] + col

    def column(self, line: int, byte_col: int) -> int:
        """CPython's UTF-8 byte column as a code-point column."""
        if self.ascii:
            return byte_col
        try:
            encoded = self._line_bytes[line]
        except KeyError:
            start = self.line_starts[line - 1]
            end = self.line_starts[line] if line < len(self.line_starts) else len(self.text)
            source = self.text[start:end]
            encoded = self._line_bytes[line] = None if source.isascii() else source.encode("utf-8")
        if encoded is None:
            return byte_col
        return len(encoded[:byte_col].decode("utf-8"))

    def before(self, offset: int) -> int:
        """The offset of the last character before ``offset`` that is not white space (or -1)."""
        masked = self.masked
        offset -= 1
        while offset >= 0 and masked[offset] in _WS:
            offset -= 1
        return offset

    def after(self, offset: int) -> int:
        """The offset of the first character at or after ``offset`` that is not white space."""
        masked = self.masked
        while offset < len(masked) and masked[offset] in _WS:
            offset += 1
        return offset


class _Builder:
    """Builds the CST-shaped tree of one module in LibCST's visiting order (a node, then its
    children in source order), recording each node's character range (``ranges``, keyed by
    ``id``) and the indexed nodes with their extents (``found`` / ``ends``, as
    ``NodePositions`` holds them). Raises ``Decline`` for what it does not model."""

    def __init__(self, tree: ast.Module, text: str, strings: list) -> None:
        self.tree = tree
        self.text = _Text(text)
        spans = []
        outer = []
        done = -1
        for start, end, node in sorted(((self._start(node), self._end(node), node) for node in strings),
                                       key=lambda item: (item[0], -item[1])):
            if start < done:
                continue  # inside an f-string: LibCST reads it with the f-string
            spans.append((start, end))
            outer.append(node)
            done = end
        self.text.mask(spans)
        self._strings = {id(node) for node in outer}
        self.ranges: dict = {}
        self.found: list = []
        self.ends: list = []
        self.not_grouping: set = set()
        self._spliced = self._splice_strings(outer, spans)

    # positions -------------------------------------------------------------------------

    def _start(self, node) -> int:
        text = self.text
        if text.ascii:
            return text.line_starts[node.lineno - 1] + node.col_offset
        return text.offset(node.lineno, text.column(node.lineno, node.col_offset))

    def _end(self, node) -> int:
        text = self.text
        if text.ascii:
            return text.line_starts[node.end_lineno - 1] + node.end_col_offset
        return text.offset(node.end_lineno, text.column(node.end_lineno, node.end_col_offset))

    def _record(self, node, start: int, end: int) -> None:
        """``node`` spans the characters ``[start, end)``."""
        self.ranges[id(node)] = (start, end)

    def _outer(self, start: int, end: int) -> tuple:
        """The extent of an expression at ``[start, end)`` with the grouping parentheses
        around it (LibCST's ``lpar``/``rpar``, which belong to the expression)."""
        text = self.text
        while True:
            opening = text.before(start)
            if opening < 0 or text.masked[opening] != "(" or opening in self.not_grouping:
                return start, end
            closing = text.match.get(opening)
            if closing is None or closing != text.after(end):
                return start, end
            start, end = opening, closing + 1

    # strings ---------------------------------------------------------------------------

    def _splice_strings(self, strings: list, spans: list) -> dict:
        """``{id(ast node): (LibCST node, its NodePositions, offset)}`` for the string literals
        LibCST must read (f-strings, literals of several pieces), parsed in one module of
        ``(literal)`` lines; the offset is where the literal starts in the file."""
        wanted = []
        text = self.text.text
        for node, (start, end) in zip(strings, spans):
            segment = text[start:end]
            if type(node) is ast.JoinedStr or not _single_piece(segment):
                wanted.append((node, start, end, segment))
        if not wanted:
            return {}
        if any("\r" in segment for _, _, _, segment in wanted):
            raise Decline("a literal of several lines in a file with carriage returns")
        module = cst.parse_module("\n".join(f"({segment})" for _, _, _, segment in wanted) + "\n")
        spliced = {}
        for (node, start, _, _), statement in zip(wanted, module.body):
            expression = statement.body[0].value
            spliced[id(node)] = (expression, index_positions(expression), start)
        return spliced

    # tree --------------------------------------------------------------------------------

    def build(self):
        index = self._open(cst.Module)
        body = self._body(self.tree.body)
        module = _make(cst.Module, body=body)
        self._close(index, module)
        self.ranges[id(module)] = (0, len(self.text.text))
        return module

    def _own_paren(self, offset: int) -> None:
        """Note a ``(`` that does not group an expression (a call's, a definition's, class
        bases', a ``from`` import's, ``with`` items', a tuple's or generator expression's own);
        noted before the expressions inside it are built."""
        self.not_grouping.add(offset)

    def _class_paren(self, node) -> int:
        """The offset of the ``(`` of a class statement's bases, or -1 when it has none."""
        name_at = self._find(node.name, self._start(node) + len("class"))
        after = self.text.after(name_at + len(node.name))
        return after if self.text.masked[after] == "(" else -1

    def _open(self, kind: type, name: str | None = None) -> int | None:
        """Reserve a node's place in ``found`` when its kind is indexed (before its children)."""
        if kind in INDEXED or (name == INDEXED_NAME and kind is cst.Name):
            self.found.append(None)
            self.ends.append(None)
            return len(self.found) - 1
        return None

    def _close(self, index: int | None, node) -> None:
        if index is not None:
            self.found[index] = node
            self.ends[index] = len(self.found) if type(node) in CONTAINERS else index + 1

    def _leaf(self, kind: type, start: int, end: int, **values):
        index = self._open(kind, values.get("value"))
        node = _make(kind, **values)
        self._close(index, node)
        self._record(node, start, end)
        return node

    def _name(self, value: str, start: int):
        return self._leaf(cst.Name, start, start + len(value), value=value)

    def _body(self, statements: list) -> list:
        """Statements as LibCST holds them: small statements on one line (``a; b``) in one
        ``SimpleStatementLine``."""
        body = []
        line = []
        previous_end = None
        for statement in statements:
            if isinstance(statement, _SMALL):
                if line and statement.lineno == previous_end:
                    line.append(statement)
                else:
                    if line:
                        body.append(self._simple_line(line))
                    line = [statement]
                previous_end = statement.end_lineno
                continue
            if line:
                body.append(self._simple_line(line))
                line = []
            body.append(self._compound(statement))
        if line:
            body.append(self._simple_line(line))
        return body

    def _simple_line(self, smalls: list):
        node = _make(cst.SimpleStatementLine, body=[self._small(small) for small in smalls])
        self._record(node, self._start(smalls[0]), self._end(smalls[-1]))
        return node

    def _block(self, statements: list):
        """A compound statement's body: ``IndentedBlock``, or ``SimpleStatementSuite`` when
        it is written on the header's line."""
        text = self.text
        first = self._start(statements[0])
        colon = text.before(first)
        start, end = first, self._end(statements[-1])
        if colon >= 0 and text.masked[colon] == ":" and "\n" not in text.text[colon:first] \
                and "\r" not in text.text[colon:first]:
            index = self._open(cst.SimpleStatementSuite)
            node = _make(cst.SimpleStatementSuite, body=[self._small(small) for small in statements])
        else:
            index = self._open(cst.IndentedBlock)
            node = _make(cst.IndentedBlock, body=self._body(statements))
        self._close(index, node)
        self._record(node, start, end)
        return node

    def _else(self, statements: list):
        if not statements:
            return None
        node = _make(cst.Else, body=self._block(statements))
        self._record(node, self.text.before(self._start(statements[0])), self._end(statements[-1]))
        return node

    def _compound(self, statement):
        kind = type(statement)
        if kind in (ast.FunctionDef, ast.AsyncFunctionDef):
            return self._function(statement)
        if kind is ast.ClassDef:
            return self._class(statement)
        if kind is ast.If:
            return self._if(statement)
        if kind in (ast.For, ast.AsyncFor):
            return self._composite(cst.For, *self._span(statement), lambda: {
                "target": self.expr(statement.target), "iter": self.expr(statement.iter),
                "body": self._block(statement.body), "orelse": self._else(statement.orelse)})
        if kind is ast.While:
            return self._composite(cst.While, *self._span(statement), lambda: {
                "test": self.expr(statement.test), "body": self._block(statement.body),
                "orelse": self._else(statement.orelse)})
        if kind in (ast.Try, getattr(ast, "TryStar", ast.Try)):
            return self._try(statement, cst.Try if kind is ast.Try else cst.TryStar)
        if kind in (ast.With, ast.AsyncWith):
            text = self.text
            paren = text.after(self._start(statement) + (len("async with") if kind is ast.AsyncWith else len("with")))
            if text.masked[paren] == "(" and text.masked[text.after(text.match.get(paren, paren) + 1)] == ":":
                self._own_paren(paren)
            return self._composite(cst.With, *self._span(statement), lambda: {
                "items": [self._with_item(item) for item in statement.items], "body": self._block(statement.body)})
        raise Decline(f"{kind.__name__} statements are not modelled")

    def _with_item(self, item):
        value = self.expr(item.context_expr)
        asname = None
        if item.optional_vars is not None:
            asname = _make(cst.AsName, name=self.expr(item.optional_vars))
        return _make(cst.WithItem, item=value, asname=asname)

    def _if(self, statement):
        index = self._open(cst.If)
        test = self.expr(statement.test)
        body = self._block(statement.body)
        orelse = None
        if statement.orelse:
            first = statement.orelse[0]
            if (len(statement.orelse) == 1 and type(first) is ast.If
                    and self.text.text.startswith("elif", self._start(first))):
                orelse = self._if(first)
            else:
                orelse = self._else(statement.orelse)
        node = _make(cst.If, test=test, body=body, orelse=orelse)
        self._close(index, node)
        self._record(node, self._start(statement), self._end(statement))
        return node

    def _try(self, statement, kind: type):
        index = self._open(kind)
        body = self._block(statement.body)
        handlers = []
        for handler in statement.handlers:
            handler_type = self.expr(handler.type) if handler.type is not None else None
            name = None
            if handler.name is not None:
                name = _make(cst.AsName, name=self._name(handler.name, self._find(handler.name,
                                                                                  self._end(handler.type))))
            node = _make(cst.ExceptHandler if kind is cst.Try else cst.ExceptStarHandler, type=handler_type,
                         name=name, body=self._block(handler.body))
            self._record(node, self._start(handler), self._end(handler))
            handlers.append(node)
        orelse = self._else(statement.orelse)
        finalbody = None
        if statement.finalbody:
            finalbody = _make(cst.Finally, body=self._block(statement.finalbody))
        node = _make(kind, body=body, handlers=handlers, orelse=orelse, finalbody=finalbody)
        self._close(index, node)
        self._record(node, self._start(statement), self._end(statement))
        return node

    def _find(self, word: str, start: int) -> int:
        """The offset of identifier ``word`` at or after ``start`` (outside strings and comments)."""
        masked = self.text.masked
        at = masked.find(word, start)
        while at >= 0:
            before = masked[at - 1] if at > 0 else " "
            after = masked[at + len(word)] if at + len(word) < len(masked) else " "
            if not (before.isalnum() or before == "_" or after.isalnum() or after == "_"):
                return at
            at = masked.find(word, at + 1)
        raise Decline(f"cannot place '{word}'")

    def _decorators(self, node) -> list:
        found = []
        for decorator in node.decorator_list:
            value = self.expr(decorator)
            item = _make(cst.Decorator, decorator=value)
            at = self.text.before(self._outer(self._start(decorator), self._end(decorator))[0])
            self._record(item, at, self._end(decorator))
            found.append(item)
        return found

    def _header(self, statement, kind: type) -> tuple:
        """``(index, decorators, start, name)`` of a function or class statement, built in
        LibCST's order (decorators first)."""
        if getattr(statement, "type_params", None):
            raise Decline("type parameters are not modelled")
        index = self._open(kind)
        decorators = self._decorators(statement)
        start = self._start(statement)
        keyword = len("class") if kind is cst.ClassDef else len("def")
        return index, decorators, start, self._name(statement.name, self._find(statement.name, start + keyword))

    def _function(self, statement):
        index, decorators, start, name = self._header(statement, cst.FunctionDef)
        self._own_paren(self.text.masked.index("(", start))
        params = self._parameters(statement.args)
        returns = None
        if statement.returns is not None:
            returns = _make(cst.Annotation, annotation=self.expr(statement.returns))
        body = self._block(statement.body)
        node = _make(cst.FunctionDef, name=name, params=params, body=body, decorators=decorators, returns=returns,
                     asynchronous=_make(cst.Asynchronous) if type(statement) is ast.AsyncFunctionDef else None)
        self._close(index, node)
        self._record(node, start, self._end(statement))
        return node

    def _parameters(self, arguments):
        positional = arguments.posonlyargs + arguments.args
        defaults = [None] * (len(positional) - len(arguments.defaults)) + list(arguments.defaults)
        converted = [self._param(arg, default) for arg, default in zip(positional, defaults)]
        posonly = converted[:len(arguments.posonlyargs)]
        params = converted[len(arguments.posonlyargs):]
        star_arg = self._param(arguments.vararg, None, "*") if arguments.vararg is not None else None
        kwonly = [self._param(arg, default) for arg, default in zip(arguments.kwonlyargs, arguments.kw_defaults)]
        if star_arg is None and kwonly:
            star_arg = _make(cst.ParamStar)
        star_kwarg = self._param(arguments.kwarg, None, "**") if arguments.kwarg is not None else None
        return _make(cst.Parameters, params=params, star_arg=star_arg if star_arg is not None else
                     cst.MaybeSentinel.DEFAULT, kwonly_params=kwonly, star_kwarg=star_kwarg, posonly_params=posonly,
                     posonly_ind=_make(cst.ParamSlash) if posonly else cst.MaybeSentinel.DEFAULT)

    def _param(self, arg, default, star: str = ""):
        start = self._start(arg)
        name = self._name(arg.arg, start)
        annotation = _make(cst.Annotation, annotation=self.expr(arg.annotation)) if arg.annotation else None
        value = self.expr(default) if default is not None else None
        node = _make(cst.Param, name=name, annotation=annotation, default=value, star=star)
        self._record(node, start, self._outer(self._start(default), self._end(default))[1] if default is not None
                     else self._end(arg))
        return node

    def _class(self, statement):
        index, decorators, start, name = self._header(statement, cst.ClassDef)
        self._own_paren(self._class_paren(statement))
        bases = [self._argument(base) for base in statement.bases]
        keywords = [self._keyword(keyword) for keyword in statement.keywords]
        body = self._block(statement.body)
        node = _make(cst.ClassDef, name=name, body=body, bases=bases, keywords=keywords, decorators=decorators)
        self._close(index, node)
        self._record(node, start, self._end(statement))
        return node

    # small statements --------------------------------------------------------------------

    def _small(self, statement):
        kind = type(statement)
        handler = self._SMALL_HANDLERS.get(kind)
        if handler is None:
            raise Decline(f"{kind.__name__} statements are not modelled")
        target, build = handler
        index = self._open(target)
        node = _make(target, **build(self, statement))
        self._close(index, node)
        self._record(node, self._start(statement), self._end(statement))
        return node

    def _delete(self, statement) -> dict:
        targets = [self._element(target) for target in statement.targets]
        if len(targets) == 1:
            return {"target": targets[0].value}
        tuple_node = _make(cst.Tuple, elements=targets)
        self._record(tuple_node, self._start(statement.targets[0]), self._end(statement.targets[-1]))
        return {"target": tuple_node}

    def _names(self, statement) -> dict:
        start = self._start(statement) + len(type(statement).__name__)
        items = []
        for name in statement.names:
            at = self._find(name, start)
            items.append(_make(cst.NameItem, name=self._name(name, at)))
            start = at + len(name)
        return {"names": items}

    def _dotted(self, dotted: str, start: int):
        if self.text.text[start:start + len(dotted)] != dotted:
            raise Decline("a dotted name written with spaces")
        parts = dotted.split(".")
        node = self._name(parts[0], start)
        offset = start + len(parts[0])
        for part in parts[1:]:
            index = self._open(cst.Attribute)
            attr = self._name(part, offset + 1)
            attribute = _make(cst.Attribute, value=node, attr=attr)
            self._close(index, attribute)
            offset += 1 + len(part)
            self._record(attribute, start, offset)
            node = attribute
        return node

    def _alias(self, alias):
        start = self._start(alias)
        name = self._dotted(alias.name, start)
        asname = None
        if alias.asname is not None:
            at = self._find(alias.asname, start + len(alias.name))
            asname = _make(cst.AsName, name=self._name(alias.asname, at))
        node = _make(cst.ImportAlias, name=name, asname=asname)
        self._record(node, start, self._end(alias))
        return node

    def _import(self, statement) -> dict:
        return {"names": [self._alias(alias) for alias in statement.names]}

    def _import_from(self, statement) -> dict:
        text = self.text
        self._own_paren(text.masked.find("(", self._start(statement), self._end(statement)))
        offset = text.after(self._start(statement) + len("from"))
        level = 0
        while level < statement.level:
            if text.masked[offset] != ".":
                raise Decline("relative import dots not in place")
            level += 1
            offset = text.after(offset + 1)
        module = self._dotted(statement.module, offset) if statement.module is not None else None
        if len(statement.names) == 1 and statement.names[0].name == "*":
            names = _make(cst.ImportStar)
        else:
            names = [self._alias(alias) for alias in statement.names]
        return {"module": module, "names": names, "relative": [_make(cst.Dot) for _ in range(statement.level)]}

    def _assign(self, statement) -> dict:
        targets = []
        for target in statement.targets:
            node = _make(cst.AssignTarget, target=self.expr(target))
            targets.append(node)
        return {"targets": targets, "value": self.expr(statement.value)}

    _SMALL_HANDLERS = {
        ast.Expr: (cst.Expr, lambda self, s: {"value": self.expr(s.value)}),
        ast.Assign: (cst.Assign, _assign),
        ast.AnnAssign: (cst.AnnAssign, lambda self, s: {
            "target": self.expr(s.target), "annotation": _make(cst.Annotation, annotation=self.expr(s.annotation)),
            "value": self.expr(s.value) if s.value is not None else None}),
        ast.AugAssign: (cst.AugAssign, lambda self, s: {
            "target": self.expr(s.target), "operator": _AUGMENTED_OPERATORS[type(s.op)], "value": self.expr(s.value)}),
        ast.Return: (cst.Return, lambda self, s: {"value": self.expr(s.value) if s.value is not None else None}),
        ast.Raise: (cst.Raise, lambda self, s: {
            "exc": self.expr(s.exc) if s.exc is not None else None,
            "cause": _make(cst.From, item=self.expr(s.cause)) if s.cause is not None else None}),
        ast.Assert: (cst.Assert, lambda self, s: {
            "test": self.expr(s.test), "msg": self.expr(s.msg) if s.msg is not None else None}),
        ast.Delete: (cst.Del, _delete),
        ast.Pass: (cst.Pass, lambda self, s: {}),
        ast.Break: (cst.Break, lambda self, s: {}),
        ast.Continue: (cst.Continue, lambda self, s: {}),
        ast.Global: (cst.Global, _names),
        ast.Nonlocal: (cst.Nonlocal, _names),
        ast.Import: (cst.Import, _import),
        ast.ImportFrom: (cst.ImportFrom, _import_from),
    }

    # expressions -------------------------------------------------------------------------

    def expr(self, node):
        kind = type(node)
        handler = self._EXPRESSIONS.get(kind)
        if handler is None:
            raise Decline(f"{kind.__name__} expressions are not modelled")
        return handler(self, node)

    def _composite(self, kind: type, start: int, end: int, build):
        index = self._open(kind)
        node = _make(kind, **build())
        self._close(index, node)
        self._record(node, start, end)
        return node

    def _span(self, node) -> tuple:
        return self._start(node), self._end(node)

    def _inner(self, start: int, end: int) -> tuple:
        """The extent inside a node's own parentheses at ``start`` and ``end - 1``."""
        text = self.text
        inner_start = text.after(start + 1)
        inner_end = text.before(end - 1) + 1
        return inner_start, max(inner_end, inner_start)

    def _constant(self, node):
        value = node.value
        if id(node) in self._spliced:
            return self._splice(node)
        start, end = self._span(node)
        if value is True or value is False or value is None:
            return self._leaf(cst.Name, start, end, value=repr(value))
        if value is Ellipsis:
            return self._leaf(cst.Ellipsis, start, end)
        segment = self.text.text[start:end]
        if isinstance(value, (str, bytes)):
            if id(node) not in self._strings:
                raise Decline("a string literal the parse guard did not list")
            return self._leaf(cst.SimpleString, start, end, value=segment)
        if isinstance(value, bool) or not isinstance(value, (int, float, complex)):
            raise Decline("a constant of an unknown kind")
        kind = cst.Integer if isinstance(value, int) else cst.Float if isinstance(value, float) else cst.Imaginary
        return self._leaf(kind, start, end, value=segment)

    def _splice(self, node):
        if id(node) not in self._spliced:
            raise Decline("a string literal the parse guard did not list")
        expression, positions, start = self._spliced[id(node)]
        base = len(self.found)
        self.found.extend(positions.found)
        self.ends.extend(end + base for end in positions.ends)
        line_starts = self.text.line_starts
        shift = functools.partial(_shift, base=start - 1, segment_lines=positions._line_starts,
                                  line_starts=line_starts, line0=bisect_right(line_starts, start))
        ranges = self.ranges
        for key, (node_start, node_end) in positions._ranges.items():
            ranges[key] = (shift(node_start), shift(node_end))
        return expression

    def _name_expr(self, node):
        if not node.id.isascii():
            raise Decline("an identifier that is not ASCII")
        start, end = self._span(node)
        return self._leaf(cst.Name, start, end, value=node.id)

    def _attribute(self, node):
        start, end = self._span(node)

        def build():
            value = self.expr(node.value)
            if not node.attr.isascii():
                raise Decline("an identifier that is not ASCII")
            return {"value": value, "attr": self._name(node.attr, end - len(node.attr))}
        return self._composite(cst.Attribute, start, end, build)

    def _argument(self, item):
        """A positional argument (or ``*args``) of a call or a class statement."""
        if type(item) is ast.Starred:
            start, end = self._span(item)
            node = _make(cst.Arg, value=self.expr(item.value), star="*")
        else:
            start, end = self._outer(*self._span(item))
            node = _make(cst.Arg, value=self.expr(item))
        self._record(node, start, end)
        return node

    def _keyword(self, item):
        start, end = self._span(item)
        if item.arg is None:
            node = _make(cst.Arg, value=self.expr(item.value), star="**")
        else:
            if not item.arg.isascii():
                raise Decline("an identifier that is not ASCII")
            keyword = self._name(item.arg, start)
            node = _make(cst.Arg, value=self.expr(item.value), keyword=keyword)
        self._record(node, start, end)
        return node

    def _call(self, node):
        start, end = self._span(node)

        def build():
            func = self.expr(node.func)
            self._own_paren(self.text.after(self._end(node.func)))
            items = sorted([(argument.lineno, argument.col_offset, 0, argument) for argument in node.args]
                           + [(keyword.lineno, keyword.col_offset, 1, keyword) for keyword in node.keywords],
                           key=lambda item: item[:2])
            args = [self._argument(item) if kind == 0 else self._keyword(item) for _, _, kind, item in items]
            return {"func": func, "args": args}
        return self._composite(cst.Call, start, end, build)

    def _element(self, item):
        if type(item) is ast.Starred:
            node = _make(cst.StarredElement, value=self.expr(item.value))
            self._record(node, *self._span(item))
        else:
            node = _make(cst.Element, value=self.expr(item))
            self._record(node, *self._outer(*self._span(item)))
        return node

    def _sequence(self, kind: type, node, own_parens: bool = False):
        start, end = self._span(node)
        if own_parens:
            start, end = self._inner(start, end)
        return self._composite(kind, start, end, lambda: {"elements": [self._element(item) for item in node.elts]})

    def _tuple(self, node):
        return self._sequence(cst.Tuple, node, own_parens=self._parenthesized(node))

    def _parenthesized(self, node) -> bool:
        """Whether a tuple or generator expression's span is its own parentheses (noted)."""
        text = self.text
        start = self._start(node)
        if text.masked[start] == "(" and text.match.get(start) == self._end(node) - 1:
            self._own_paren(start)
            return True
        return False

    def _dict(self, node):
        start, end = self._span(node)

        def build():
            elements = []
            for key, value in zip(node.keys, node.values):
                if key is None:
                    element = _make(cst.StarredDictElement, value=self.expr(value))
                    self._record(element, self.text.before(self._outer(*self._span(value))[0]) - 1,
                                 self._outer(*self._span(value))[1])
                else:
                    index = self._open(cst.DictElement)
                    key_node = self.expr(key)
                    value_node = self.expr(value)
                    element = _make(cst.DictElement, key=key_node, value=value_node)
                    self._close(index, element)
                    self._record(element, self._outer(*self._span(key))[0], self._outer(*self._span(value))[1])
                elements.append(element)
            return {"elements": elements}
        return self._composite(cst.Dict, start, end, build)

    def _subscript(self, node):
        start, end = self._span(node)

        def build():
            value = self.expr(node.value)
            index = node.slice
            if type(index) is ast.Tuple and index.elts and not self._parenthesized(index):
                items = index.elts
            else:
                items = [index]
            elements = []
            for item in items:
                if type(item) is ast.Slice:
                    inner = self._composite(cst.Slice, *self._span(item), lambda item=item: {
                        "lower": self.expr(item.lower) if item.lower is not None else None,
                        "upper": self.expr(item.upper) if item.upper is not None else None,
                        "step": self.expr(item.step) if item.step is not None else None})
                else:
                    inner = _make(cst.Index, value=self.expr(item))
                    self._record(inner, *self._outer(*self._span(item)))
                element = _make(cst.SubscriptElement, slice=inner)
                self.ranges[id(element)] = self.ranges[id(inner)]
                elements.append(element)
            return {"value": value, "slice": elements}
        return self._composite(cst.Subscript, start, end, build)

    def _binary(self, node):
        return self._composite(cst.BinaryOperation, *self._span(node), lambda: {
            "left": self.expr(node.left), "operator": _BINARY_OPERATORS[type(node.op)], "right": self.expr(node.right)})

    def _unary(self, node):
        return self._composite(cst.UnaryOperation, *self._span(node), lambda: {
            "operator": _UNARY_OPERATORS[type(node.op)], "expression": self.expr(node.operand)})

    def _boolean(self, node):
        """``a or b or c`` as LibCST nests it, ``(a or b) or c`` (operations are not indexed,
        so they are built after their operands)."""
        operator = _BOOLEAN_OPERATORS[type(node.op)]
        values = node.values
        start = self._outer(*self._span(values[0]))[0]
        if self._start(node) != start:
            raise Decline("a boolean operation whose first operand is not where it starts")
        result = self.expr(values[0])
        for count, value in enumerate(values[1:], start=2):
            right = self.expr(value)
            result = _make(cst.BooleanOperation, left=result, operator=operator, right=right)
            self._record(result, start, self._end(node) if count == len(values)
                         else self._outer(*self._span(value))[1])
        return result

    def _compare(self, node):
        def build():
            left = self.expr(node.left)
            targets = []
            for operator, comparator in zip(node.ops, node.comparators):
                value = self.expr(comparator)
                target = _make(cst.ComparisonTarget, operator=_COMPARE_OPERATORS[type(operator)], comparator=value)
                targets.append(target)
            return {"left": left, "comparisons": targets}
        return self._composite(cst.Comparison, *self._span(node), build)

    def _if_exp(self, node):
        def build():
            body = self.expr(node.body)
            test = self.expr(node.test)
            return {"body": body, "test": test, "orelse": self.expr(node.orelse)}
        return self._composite(cst.IfExp, *self._span(node), build)

    def _lambda(self, node):
        return self._composite(cst.Lambda, *self._span(node), lambda: {
            "params": self._parameters(node.args), "body": self.expr(node.body)})

    def _comp_for(self, generators: list, end: int):
        generator = generators[0]
        target_start = self._outer(*self._span(generator.target))[0]
        start = self.text.before(target_start) - 2
        if self.text.text[start:start + 3] != "for":
            raise Decline("a comprehension's 'for' not in place")
        if generator.is_async:
            start = self.text.before(start) - 4
            if self.text.text[start:start + 5] != "async":
                raise Decline("a comprehension's 'async' not in place")
        index = self._open(cst.CompFor)
        target = self.expr(generator.target)
        iterator = self.expr(generator.iter)
        ifs = []
        for test in generator.ifs:
            value = self.expr(test)
            ifs.append(_make(cst.CompIf, test=value))
        inner = self._comp_for(generators[1:], end) if len(generators) > 1 else None
        node = _make(cst.CompFor, target=target, iter=iterator, ifs=ifs, inner_for_in=inner,
                     asynchronous=_make(cst.Asynchronous) if generator.is_async else None)
        self._close(index, node)
        self._record(node, start, end)
        return node

    def _comprehension(self, kind: type, node, parts):
        start, end = self._span(node)
        last = node.generators[-1]
        content_end = self._outer(*self._span(last.ifs[-1] if last.ifs else last.iter))[1]
        if kind is cst.GeneratorExp and self._parenthesized(node):
            start, end = self._inner(start, end)

        def build():
            values = {name: self.expr(getattr(node, field)) for name, field in parts}
            values["for_in"] = self._comp_for(node.generators, content_end)
            return values
        return self._composite(kind, start, end, build)

    def _named(self, node):
        return self._composite(cst.NamedExpr, *self._span(node), lambda: {
            "target": self.expr(node.target), "value": self.expr(node.value)})

    def _await(self, node):
        return self._composite(cst.Await, *self._span(node), lambda: {"expression": self.expr(node.value)})

    def _yield(self, node):
        def build():
            if node.value is None:
                return {"value": None}
            value = self.expr(node.value)
            return {"value": _make(cst.From, item=value) if type(node) is ast.YieldFrom else value}
        return self._composite(cst.Yield, *self._span(node), build)

    def _starred(self, node):
        raise Decline("a starred expression outside a display or call")

    _EXPRESSIONS = {
        ast.Constant: _constant,
        ast.JoinedStr: _splice,
        ast.Name: _name_expr,
        ast.Attribute: _attribute,
        ast.Call: _call,
        ast.List: lambda self, node: self._sequence(cst.List, node),
        ast.Set: lambda self, node: self._sequence(cst.Set, node),
        ast.Tuple: _tuple,
        ast.Dict: _dict,
        ast.Subscript: _subscript,
        ast.BinOp: _binary,
        ast.UnaryOp: _unary,
        ast.BoolOp: _boolean,
        ast.Compare: _compare,
        ast.IfExp: _if_exp,
        ast.Lambda: _lambda,
        ast.ListComp: lambda self, node: self._comprehension(cst.ListComp, node, (("elt", "elt"),)),
        ast.SetComp: lambda self, node: self._comprehension(cst.SetComp, node, (("elt", "elt"),)),
        ast.GeneratorExp: lambda self, node: self._comprehension(cst.GeneratorExp, node, (("elt", "elt"),)),
        ast.DictComp: lambda self, node: self._comprehension(cst.DictComp, node, (("key", "key"), ("value", "value"))),
        ast.NamedExpr: _named,
        ast.Await: _await,
        ast.Yield: _yield,
        ast.YieldFrom: _yield,
        ast.Starred: _starred,
    }


def _shift(offset: int, base: int, segment_lines: list, line_starts: list, line0: int) -> int:
    """An offset in a spliced literal's generated code (which starts with a ``(`` put there,
    the literal's first character at file offset ``base + 1``, on file line ``line0``) as an
    offset in the file."""
    if len(segment_lines) == 1 or offset < segment_lines[1]:
        return base + offset
    line = bisect_right(segment_lines, offset)
    return line_starts[line0 + line - 2] + offset - segment_lines[line - 1]


# one string literal token: a prefix, then triple-quoted text that does not hold its own
# closing quotes (escapes aside), or single-quoted text on one line
_SINGLE_PIECE = re.compile(r"""[A-Za-z]{0,2}(?:'''(?:\\.|(?!''')[^\\])*'''|\"\"\"(?:\\.|(?!\"\"\")[^\\])*\"\"\""""
                           r"""|'(?:\\.|[^\\'\r\n])*'|"(?:\\.|[^\\"\r\n])*")""", re.DOTALL)


def _single_piece(segment: str) -> bool:
    """Whether a string literal's source is one piece (not ``"a" "b"``)."""
    return _SINGLE_PIECE.fullmatch(segment) is not None


class AstPositions(NodePositions):
    """``NodePositions`` of a CST-shaped tree: character ranges given, not generated."""

    def __init__(self, ranges: dict, found: list, ends: list, line_starts: list) -> None:
        self._ranges = ranges
        self.nodes = []
        self.found = found
        self.ends = ends
        self._line_starts = line_starts
        self._found_index = None
        self._by_range = None

    def at(self, position: tuple) -> list:
        raise NotImplementedError("positions of a CST-shaped tree do not locate nodes for edits")


def cst_shaped(tree: ast.Module, text: str, strings: list) -> tuple | None:
    """``(module, positions)``: the CST-shaped tree of ``text`` (whose ``ast.parse`` is
    ``tree``, whose string literal nodes ``parse_guard.measure`` collected in ``strings``)
    and its ``AstPositions``; None when this route declines the file."""
    try:
        builder = _Builder(tree, text, strings)
        module = builder.build()
    except (Decline, cst.ParserSyntaxError, RecursionError, MemoryError):
        return None
    return module, AstPositions(builder.ranges, builder.found, builder.ends, builder.text.line_starts)
