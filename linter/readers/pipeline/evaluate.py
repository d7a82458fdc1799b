"""A small static evaluator for plain SageMaker SDK pipeline files, over CPython's ``ast``.

Nothing is imported or run. It walks the module's statements in order (module level,
then every function and method body with its own local scope over the module's), binding
names as far as it can tell:

- literals, list/tuple/dict displays, f-strings and ``+`` over known strings, and a list
  comprehension with one ``for`` over a known list and no ``if``, item by item;
- names bound by straight-line assignments; parameters with a default (the default);
- ``if``/``else``: a name keeps its value only when both branches agree (the same object
  or the same constant), anything else makes it Unknown; names bound in loops, ``with``
  targets, ``except`` handlers and ``+=`` are Unknown; a list or dict changed in place
  (``append``, ``x[k] = v``) becomes Unknown;
- ``os.path.join`` / ``dirname`` / ``realpath`` / ``abspath`` over ``__file__``, giving
  paths relative to the pipeline file;
- calls: every call becomes an ``Obj`` (compared by identity); later method calls on a
  bound object (``estimator.set_hyperparameters(...)``) and attribute assignments are
  recorded on it; ``<step>.properties...`` chains become ``Prop``.

Everything else is an explicit ``Unknown``. ``Evaluator.objects`` lists every call made,
in source order, and ``props`` every property chain (the longest at each place).
"""

from __future__ import annotations

import ast
import posixpath
import re

from steplint.model.values import Span, Unknown
from steplint.readers.pipeline.values import Dict, File, Here, Key, Local, Name, Obj, Prop, Seq, StepName

_NEWLINE = re.compile(r"\r\n|\r|\n")
PATH_MODULES = ("os.path", "posixpath")
MUTATORS = frozenset({"append", "extend", "insert", "update", "pop", "remove", "clear", "setdefault", "add",
                      "__setitem__"})
MAX_DEPTH = 60
MAX_FOLDED_ITEMS = 100
PARAMETERS = "sagemaker.workflow.parameters."


class Text:
    """Line and column arithmetic for one file: CPython's AST gives UTF-8 byte columns;
    steplint's spans count characters."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.starts = [0] + [match.end() for match in _NEWLINE.finditer(text)]

    def line(self, number: int) -> str:
        start = self.starts[number - 1] if number - 1 < len(self.starts) else len(self.text)
        end = self.starts[number] if number < len(self.starts) else len(self.text)
        return self.text[start:end]

    def col(self, line: int, byte_col: int) -> int:
        return len(self.line(line).encode("utf-8", "surrogatepass")[:byte_col].decode("utf-8", "replace"))

    def span(self, node: ast.AST) -> Span:
        end_line = getattr(node, "end_lineno", None) or node.lineno
        end_col = getattr(node, "end_col_offset", None)
        return Span(node.lineno, self.col(node.lineno, node.col_offset), end_line,
                    self.col(end_line, end_col if end_col is not None else node.col_offset))

    def offset(self, line: int, col: int) -> int:
        return self.starts[line - 1] + col


def _same(first: object, second: object) -> bool:
    if first is second:
        return True
    if isinstance(first, (str, int, float, bool)) and type(first) is type(second):
        return first == second
    return isinstance(first, (Name, Here, Local, File)) and first == second


class Evaluator:
    """Evaluates one module. ``run()`` then read ``objects`` and ``props``."""

    def __init__(self, tree: ast.Module, text: Text, module: str = "") -> None:
        self.tree = tree
        self.text = text
        self.module = module
        self.objects: list = []
        self.props: dict = {}
        self.module_scope: dict = {}
        self.composed: list = []  # (string, span) of f-strings, + and os.path.join folded to a string

    # -- statements ------------------------------------------------------------------
    def run(self) -> None:
        functions: list = []
        self._block(self.tree.body, self.module_scope, None, functions)
        done = 0
        while done < len(functions):  # nested functions are appended while evaluating
            node, outer = functions[done]
            done += 1
            scope: dict = {}
            arguments = node.args
            positional = arguments.posonlyargs + arguments.args
            defaults = [None] * (len(positional) - len(arguments.defaults)) + list(arguments.defaults)
            for argument, default in zip(positional, defaults):
                scope[argument.arg] = (self.expr(default, outer or self.module_scope, None) if default is not None
                                       else Unknown(f"parameter {argument.arg}", self.text.span(argument)))
            for argument, default in zip(arguments.kwonlyargs, arguments.kw_defaults):
                scope[argument.arg] = (self.expr(default, outer or self.module_scope, None) if default is not None
                                       else Unknown(f"parameter {argument.arg}", self.text.span(argument)))
            for extra in (arguments.vararg, arguments.kwarg):
                if extra is not None:
                    scope[extra.arg] = Unknown(f"parameter {extra.arg}")
            self._block(node.body, scope, outer or self.module_scope, functions)

    def _block(self, body: list, scope: dict, outer: dict | None, functions: list) -> bool:
        """Runs statements; False when the block ends in a ``return``/``raise``."""
        for statement in body:
            if not self._statement(statement, scope, outer, functions):
                return False
        return True

    def _statement(self, node: ast.stmt, scope: dict, outer: dict | None, functions: list) -> bool:
        chain = self._chain(scope, outer)
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            functions.append((node, chain))
            scope[node.name] = Unknown(f"function {node.name}")
        elif isinstance(node, ast.ClassDef):
            scope[node.name] = Unknown(f"class {node.name}")
            for item in node.body:
                if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    functions.append((item, chain))
        elif isinstance(node, ast.Assign):
            value = self.expr(node.value, scope, outer)
            for target in node.targets:
                self._bind(target, value, scope, outer)
        elif isinstance(node, ast.AnnAssign):
            if node.value is not None:
                self._bind(node.target, self.expr(node.value, scope, outer), scope, outer)
        elif isinstance(node, ast.AugAssign):
            self.expr(node.value, scope, outer)
            self._bind(node.target, Unknown("augmented assignment", self.text.span(node)), scope, outer)
        elif isinstance(node, ast.Expr):
            self.expr(node.value, scope, outer)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            self._import(node, scope)
        elif isinstance(node, ast.If):
            self.expr(node.test, scope, outer)
            self._branches([node.body, node.orelse], scope, outer, functions)
        elif isinstance(node, ast.Try) or type(node).__name__ == "TryStar":
            self._block(node.body, scope, outer, functions)
            self._branches([handler.body for handler in node.handlers] + [node.orelse], scope, outer, functions,
                           keep_first=True)
            self._block(node.finalbody, scope, outer, functions)
        elif isinstance(node, (ast.For, ast.AsyncFor, ast.While)):
            inner = dict(scope)
            if isinstance(node, (ast.For, ast.AsyncFor)):
                self.expr(node.iter, scope, outer)
                self._bind(node.target, Unknown("loop variable", self.text.span(node.target)), inner, outer)
            self._block(node.body, inner, outer, functions)
            self._block(node.orelse, inner, outer, functions)
            self._forget_changes(scope, inner, "bound in a loop")
        elif isinstance(node, (ast.With, ast.AsyncWith)):
            for item in node.items:
                self.expr(item.context_expr, scope, outer)
                if item.optional_vars is not None:
                    self._bind(item.optional_vars, Unknown("with target"), scope, outer)
            return self._block(node.body, scope, outer, functions)
        elif isinstance(node, ast.Return):
            if node.value is not None:
                self.expr(node.value, scope, outer)
            return False
        elif isinstance(node, ast.Raise):
            return False
        elif isinstance(node, ast.Delete):
            for target in node.targets:
                self._bind(target, Unknown("deleted"), scope, outer)
        elif type(node).__name__ == "Match":
            self.expr(node.subject, scope, outer)
            self._branches([case.body for case in node.cases] + [[]], scope, outer, functions)
        return True

    def _branches(self, bodies: list, scope: dict, outer, functions, keep_first: bool = False) -> None:
        """Each body on a copy of ``scope``; a name keeps a value only when every branch that
        falls through agrees (``keep_first``: the current scope is one of the outcomes)."""
        outcomes = [dict(scope)] if keep_first else []
        for body in bodies:
            inner = dict(scope)
            if self._block(body, inner, outer, functions):
                outcomes.append(inner)
        if not outcomes:
            return
        names = set().union(*outcomes)
        for name in names:
            values = [outcome.get(name, _MISSING) for outcome in outcomes]
            first = values[0]
            if first is not _MISSING and all(_same(first, value) for value in values[1:]):
                scope[name] = first
            else:
                scope[name] = Unknown(f"{name} differs between branches")

    def _forget_changes(self, scope: dict, inner: dict, why: str) -> None:
        for name, value in inner.items():
            if name not in scope or not _same(scope[name], value):
                scope[name] = Unknown(f"{name} {why}")

    def _bind(self, target: ast.AST, value: object, scope: dict, outer) -> None:
        if isinstance(target, ast.Name):
            scope[target.id] = value
        elif isinstance(target, (ast.Tuple, ast.List)):
            items = value.items if isinstance(value, Seq) and len(value.items) == len(target.elts) else None
            for index, element in enumerate(target.elts):
                element = element.value if isinstance(element, ast.Starred) else element
                self._bind(element, items[index] if items is not None else Unknown("unpacked"), scope, outer)
        elif isinstance(target, ast.Attribute):
            base = self.expr(target.value, scope, outer)
            if isinstance(base, Obj):
                base.changed.add(target.attr)
        elif isinstance(target, ast.Subscript) and isinstance(target.value, ast.Name):
            self._mutated(target.value.id, scope, outer)

    def _mutated(self, name: str, scope: dict, outer) -> None:
        value = self._lookup(name, scope, outer)
        if isinstance(value, (Seq, Dict)):
            scope[name] = Unknown(f"{name} is changed in place")

    def _import(self, node, scope: dict) -> None:
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    scope[alias.asname] = Name(alias.name)
                else:
                    top = alias.name.split(".", 1)[0]
                    scope[top] = Name(top)
            return
        module = node.module or ""
        if node.level:
            base = self.module.rsplit(".", node.level)[0] if self.module.count(".") >= node.level else ""
            module = f"{base}.{module}".strip(".") if base else "." * node.level + module
        for alias in node.names:
            if alias.name != "*":
                scope[alias.asname or alias.name] = Name(f"{module}.{alias.name}")

    @staticmethod
    def _chain(scope: dict, outer) -> dict:
        if outer is None:
            return scope
        return {**outer, **scope}

    def _lookup(self, name: str, scope: dict, outer) -> object:
        if name in scope:
            return scope[name]
        if outer is not None and name in outer:
            return outer[name]
        if name in self.module_scope:
            return self.module_scope[name]
        if name == "__file__":
            return File()
        return Unknown(f"name {name} is not bound", unbound_name=name)

    # -- expressions -----------------------------------------------------------------
    def expr(self, node: ast.AST, scope: dict, outer, depth: int = 0) -> object:
        if depth > MAX_DEPTH:
            return Unknown("expression nested too deeply")
        try:
            return self._expr(node, scope, outer, depth + 1)
        except RecursionError:
            return Unknown("expression nested too deeply")

    def _expr(self, node, scope, outer, depth):
        span = self.text.span(node)
        if isinstance(node, ast.Constant):
            return node.value if isinstance(node.value, (str, int, float, bool, type(None))) else Unknown(
                "bytes or other constant", span)
        if isinstance(node, ast.Name):
            return self._lookup(node.id, scope, outer)
        if isinstance(node, (ast.List, ast.Tuple)):
            items = []
            for element in node.elts:
                if isinstance(element, ast.Starred):
                    inner = self.expr(element.value, scope, outer, depth)
                    if isinstance(inner, Seq):
                        items.extend(inner.items)
                    else:
                        items.append(Unknown("*iterable", span))
                else:
                    items.append(self.expr(element, scope, outer, depth))
            return Seq(tuple(items), span)
        if isinstance(node, ast.Dict):
            keys, values, key_spans = [], [], []
            for key, value in zip(node.keys, node.values):
                if key is None:
                    inner = self.expr(value, scope, outer, depth)
                    if isinstance(inner, Dict):
                        keys.extend(inner.keys), values.extend(inner.values), key_spans.extend(inner.key_spans)
                    else:
                        keys.append(Unknown("**mapping", span)), values.append(Unknown("**mapping", span))
                        key_spans.append(span)
                    continue
                keys.append(self.expr(key, scope, outer, depth))
                key_spans.append(self.text.span(key))
                values.append(self.expr(value, scope, outer, depth))
            return Dict(tuple(keys), tuple(values), tuple(key_spans), span)
        if isinstance(node, ast.JoinedStr):
            parts = []
            for value in node.values:
                part = (self.expr(value.value, scope, outer, depth) if isinstance(value, ast.FormattedValue)
                        else self.expr(value, scope, outer, depth))
                if isinstance(value, ast.FormattedValue) and (value.format_spec or value.conversion not in (-1, 115)):
                    return Unknown("formatted value", span)
                if not isinstance(part, str):
                    return Unknown("an f-string part is not known", span)
                parts.append(part)
            return self._composed("".join(parts), span)
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            left, right = self.expr(node.left, scope, outer, depth), self.expr(node.right, scope, outer, depth)
            if isinstance(left, str) and isinstance(right, str):
                return self._composed(left + right, span)
            if isinstance(left, Seq) and isinstance(right, Seq):
                return Seq(left.items + right.items, span)
            return Unknown("+ of values not known", span)
        if isinstance(node, ast.Attribute):
            return self._attribute(node, scope, outer, depth, span)
        if isinstance(node, ast.Subscript):
            return self._subscript(node, scope, outer, depth, span)
        if isinstance(node, ast.Call):
            return self._call(node, scope, outer, depth, span)
        if isinstance(node, ast.ListComp):
            return self._comprehension(node, scope, outer, depth, span)
        if isinstance(node, ast.IfExp):
            self.expr(node.test, scope, outer, depth)
            body, orelse = self.expr(node.body, scope, outer, depth), self.expr(node.orelse, scope, outer, depth)
            return body if _same(body, orelse) else Unknown("conditional expression", span)
        for child in ast.iter_child_nodes(node):  # still record the calls inside
            if isinstance(child, ast.expr):
                self.expr(child, scope, outer, depth)
        return Unknown(f"{type(node).__name__} is not evaluated", span)

    def _comprehension(self, node: ast.ListComp, scope, outer, depth, span):
        """``[elt for name in <known list>]`` (one ``for``, no ``if``) folded item by item;
        anything else is Unknown (its calls still recorded once, with the variable Unknown)."""
        generator = node.generators[0]
        iterable = self.expr(generator.iter, scope, outer, depth)
        simple = (len(node.generators) == 1 and not generator.ifs and not generator.is_async
                  and isinstance(generator.target, ast.Name) and isinstance(iterable, Seq)
                  and len(iterable.items) <= MAX_FOLDED_ITEMS)
        inner = dict(scope)
        if not simple:
            self._bind(generator.target, Unknown("comprehension variable"), inner, outer)
            self.expr(node.elt, inner, outer, depth)
            return Unknown("a comprehension steplint does not fold", span)
        items = []
        for item in iterable.items:
            inner[generator.target.id] = item
            items.append(self.expr(node.elt, inner, outer, depth))
        return Seq(tuple(items), span)

    def _attribute(self, node, scope, outer, depth, span):
        base = self.expr(node.value, scope, outer, depth)
        if isinstance(base, Name):
            return Name(f"{base.qualified}.{node.attr}")
        if isinstance(base, Obj) and node.attr in ("properties", "arguments"):
            return self._prop(Prop(base, (node.attr,), span))
        if isinstance(base, Obj) and node.attr == "name":
            return StepName(base)
        if isinstance(base, Obj) and node.attr == "default_value" and base.func.startswith(PARAMETERS):
            value = base.kwarg("default_value", 1)
            return value if value is not None else Unknown("parameter without a default", span)
        if isinstance(base, Prop):
            return self._prop(Prop(base.target, base.parts + (node.attr,), span))
        return Unknown(f"attribute {node.attr}", span)

    def _subscript(self, node, scope, outer, depth, span):
        base = self.expr(node.value, scope, outer, depth)
        index = self.expr(node.slice, scope, outer, depth)
        if isinstance(base, Prop):
            key_node = node.slice
            key_span = self.text.span(key_node)
            start = self.text.offset(key_span.line, key_span.col)
            end = self.text.offset(key_span.end_line, key_span.end_col)
            literal = self.text.text[start:end]
            quote = literal[0] if literal[:1] in ("'", '"') and literal[-1:] == literal[:1] else ""
            key = Key(index if isinstance(index, (str, int)) else Unknown("key", key_span), key_span, start, end,
                      quote if isinstance(index, str) and literal == quote + index + quote else "")
            return self._prop(Prop(base.target, base.parts + (key,), span))
        if isinstance(base, Dict) and isinstance(index, str):
            for key, value in zip(base.keys, base.values):
                if isinstance(key, Unknown):
                    return Unknown("mapping with unknown keys", span)
                if key == index:
                    return value
        if isinstance(base, Seq) and isinstance(index, int) and -len(base.items) <= index < len(base.items):
            return base.items[index]
        return Unknown("subscript", span)

    def _composed(self, value: str, span: Span) -> str:
        self.composed.append((value, span))
        return value

    def _prop(self, prop: Prop) -> Prop:
        key = (prop.span.line, prop.span.col)
        known = self.props.get(key)
        if known is None or len(known.parts) < len(prop.parts):
            self.props[key] = prop
        return prop

    def _call(self, node, scope, outer, depth, span):
        receiver = None
        if isinstance(node.func, ast.Attribute):
            receiver = self.expr(node.func.value, scope, outer, depth)
            func = Name(f"{receiver.qualified}.{node.func.attr}") if isinstance(receiver, Name) else None
            if isinstance(receiver, Prop):  # a method of the property (to_string()): not part of the path
                self.props[(receiver.span.line, receiver.span.col)] = receiver
        else:
            func = self.expr(node.func, scope, outer, depth)
        args = []
        star = False
        for argument in node.args:
            if isinstance(argument, ast.Starred):
                star = True
                self.expr(argument.value, scope, outer, depth)
            else:
                args.append(self.expr(argument, scope, outer, depth))
        kwargs, spans = {}, {}
        for keyword in node.keywords:
            value = self.expr(keyword.value, scope, outer, depth)
            if keyword.arg is None:
                if isinstance(value, Dict) and all(isinstance(key, str) for key in value.keys):
                    for key, item, key_span in zip(value.keys, value.values, value.key_spans):
                        kwargs[key], spans[key] = item, key_span
                else:
                    star = True
                continue
            kwargs[keyword.arg] = value
            spans[keyword.arg] = self.text.span(keyword)
        if isinstance(func, Name):
            folded = self._path_function(func.qualified, args, kwargs, star)
            if folded is not None:
                return self._composed(folded, span) if isinstance(folded, str) else folded
            obj = Obj(func.qualified, None, tuple(args), kwargs, spans, span, star)
        elif isinstance(node.func, ast.Attribute):
            method = node.func.attr
            if isinstance(node.func.value, ast.Name) and method in MUTATORS:
                self._mutated(node.func.value.id, scope, outer)
            if isinstance(receiver, str) and method == "format":
                return Unknown("str.format", span)
            obj = Obj("." + method, receiver, tuple(args), kwargs, spans, span, star)
            if isinstance(receiver, Obj):
                receiver.calls.append(obj)
        else:
            obj = Obj("?", func, tuple(args), kwargs, spans, span, star)
        self.objects.append(obj)
        return obj

    @staticmethod
    def _path_function(qualified: str, args: list, kwargs: dict, star: bool) -> object | None:
        """``os.path`` helpers over the pipeline file's location and known strings."""
        module, _, name = qualified.rpartition(".")
        if module not in PATH_MODULES or kwargs or star:
            return None
        if name in ("realpath", "abspath", "normpath") and len(args) == 1 and isinstance(args[0], (File, Here, Local)):
            return args[0]
        if name == "dirname" and len(args) == 1:
            if isinstance(args[0], File):
                return Here()
            if isinstance(args[0], str):
                return posixpath.dirname(args[0])
            return Unknown("dirname of a value not known")
        if name == "join" and args:
            first, rest = args[0], args[1:]
            if not all(isinstance(part, str) for part in rest):
                return Unknown("os.path.join of values not known")
            if isinstance(first, Here):
                return Local(posixpath.normpath(posixpath.join(*rest))) if rest else first
            if isinstance(first, Local):
                return Local(posixpath.normpath(posixpath.join(first.path, *rest)))
            if isinstance(first, str):
                return posixpath.join(first, *rest)
            return Unknown("os.path.join of values not known")
        return None


_MISSING = object()
