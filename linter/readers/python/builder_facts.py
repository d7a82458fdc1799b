"""Facts about a step builder's ``_get_inputs`` / ``_get_outputs``: how spec-driven they are.

Only those two methods are analysed (extraction stays cheap for every other method and
class). The facts say whether the method walks ``self.spec.dependencies`` / ``outputs``,
where it treats a logical name as a string literal (comparisons, ``"x" in inputs``,
``inputs["x"]``) and which ``if`` branch such a comparison guards, which channels it names
with literals, the ``ProcessingInput``/``ProcessingOutput`` it builds, the container paths,
S3 buckets and dates it writes as literals, and whether it reads the contract's paths.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import libcst as cst
from steplint.model.values import Ref, Span
from steplint.readers.python import walk
from steplint.readers.python.evaluate import literal_string
from steplint.readers.python.positions import NodePositions, index_positions

BUILDER_METHODS = ("_get_inputs", "_get_outputs")
CHANNEL_CLASSES = ("TrainingInput", "FileSystemInput")
PROCESSING_CLASSES = {"ProcessingInput": ("input_name", "destination"), "ProcessingOutput": ("output_name", "source")}
SPEC_COLLECTIONS = {"dependencies": "dependencies", "outputs": "outputs",
                    "list_required_dependencies": "dependencies", "list_optional_dependencies": "dependencies",
                    "list_dependencies": "dependencies", "list_outputs": "outputs"}
CONTRACT_ATTRIBUTES = {"expected_input_paths": "inputs", "get_input_path": "inputs",
                       "expected_output_paths": "outputs", "get_output_path": "outputs"}
CONTAINER_PREFIX = "/opt/ml/"
_S3_BUCKET = re.compile(r"s3://[a-z0-9][a-z0-9.\-]{1,61}[a-z0-9]")
_DATE = re.compile(r"(?<!\d)(?:19|20)\d{2}[-_/]?(?:0[1-9]|1[0-2])[-_/]?(?:0[1-9]|[12]\d|3[01])(?!\d)")


@dataclass(frozen=True, slots=True)
class NameLiteral:
    """A logical name written as a string literal.

    ``how`` is ``compare`` (``name == "x"``), ``membership`` (``"x" in inputs``) or ``lookup``
    (``inputs["x"]``, ``inputs.get("x")``). ``branch`` is the ``if``/``elif`` whose whole
    test is this comparison (``branch_else`` tells whether it has an ``else``).
    """

    value: str
    how: str
    span: Span
    branch: Span | None = None
    negated: bool = False


@dataclass(frozen=True, slots=True)
class ChannelLiteral:
    """A training channel named by a literal: ``{"data": TrainingInput(...)}`` or ``ch["data"] = ...``.

    ``under`` is the logical name of the literal branch it is built in, if any.
    """

    name: str
    span: Span
    call: Span
    under: str | None = None


@dataclass(frozen=True, slots=True)
class ProcessingIO:
    """A ``ProcessingInput``/``ProcessingOutput`` call: its name and container path arguments.

    ``name_kind`` is ``literal``, ``logical`` (a logical-name expression), ``missing`` or ``other``.
    """

    kind: str
    name_kind: str
    name: str | None
    path: str | None
    span: Span
    name_span: Span | None = None


@dataclass(frozen=True, slots=True)
class LiteralUse:
    """A literal worth reporting: ``container-path``, ``s3-bucket`` or ``date``."""

    kind: str
    value: str
    span: Span


@dataclass(frozen=True, slots=True)
class BuilderMethodFacts:
    """What a builder's ``_get_inputs``/``_get_outputs`` does with the spec and contract.

    ``walks`` holds ``dependencies``/``outputs`` for loops over the spec's collections and
    ``parameter`` for loops over the ``inputs``/``outputs`` the method is given. ``skipped``
    are the logical names the method always leaves out: a loop over the spec's collection or
    the given inputs whose body starts a branch ``if logical_name == "x": ... continue``
    (no ``else``), where the method names ``"x"`` nowhere else. ``hands_over`` is true when a
    top-level ``return`` statement returns a call that is given the method's ``inputs``/``outputs``
    parameter itself (``return self._handler.get_inputs(self, inputs)``): the work is done by
    that call.
    """

    name: str
    span: Span
    parameter: str | None
    walks: frozenset
    contract_reads: frozenset
    name_literals: tuple = ()
    channels: tuple = ()
    processing: tuple = ()
    literals: tuple = ()
    self_calls: tuple = ()
    skipped: tuple = ()
    hands_over: bool = False


def builder_method_facts(method: cst.FunctionDef, span_of, scope=None,
                         positions: NodePositions | None = None) -> BuilderMethodFacts | None:
    """Facts for ``_get_inputs``/``_get_outputs``; None for every other method.

    ``scope`` (the module's names) lets imports under another name count:
    ``from sagemaker.inputs import TrainingInput as TI`` makes ``TI(...)`` a channel.
    ``positions`` indexes the method's nodes (the module's index, or one built here).
    """
    if method.name.value not in BUILDER_METHODS:
        return None
    if positions is None:
        positions = index_positions(method)
    known = set(CHANNEL_CLASSES) | set(PROCESSING_CLASSES)
    class_aliases = {local: value.name for local, value in (scope or {}).items()
                     if isinstance(value, Ref) and value.name in known}
    params = [param.name.value for param in method.params.params]
    parameter = params[1] if len(params) > 1 else None
    collector = _Collector(span_of, parameter, spec_aliases(method, positions), class_aliases)
    collector.name_vars |= logical_name_vars(method, parameter, collector.aliases, positions)
    collector.collect(positions, method.body)
    return BuilderMethodFacts(
        name=method.name.value,
        span=span_of(method),
        parameter=parameter,
        walks=frozenset(collector.walks),
        contract_reads=frozenset(collector.contract_reads),
        name_literals=tuple(collector.name_literals),
        channels=tuple(collector.channels),
        processing=tuple(collector.processing),
        literals=tuple(collector.literals),
        self_calls=tuple(dict.fromkeys(collector.self_calls)),
        skipped=_skipped(collector, positions, method),
        hands_over=_hands_over(method, parameter),
    )


def _hands_over(method: cst.FunctionDef, parameter: str | None) -> bool:
    """Whether a ``return`` statement at the top of the method's body returns a call given
    ``parameter`` as an argument."""
    if parameter is None or not isinstance(method.body, cst.IndentedBlock):
        return False
    returns = [small.value for line in method.body.body if isinstance(line, cst.SimpleStatementLine)
               for small in line.body if isinstance(small, cst.Return)]
    return any(isinstance(value, cst.Call)
               and any(isinstance(arg.value, cst.Name) and arg.value.value == parameter for arg in value.args)
               for value in returns)


FOR = frozenset({cst.For})


def _skipped(collector, positions: NodePositions, method: cst.FunctionDef) -> tuple:
    """Logical names a spec or inputs loop of the method always skips (see ``BuilderMethodFacts``)."""
    skipped = []
    tests = set()
    for loop in positions.select(method.body, FOR):
        walks = _spec_collection(loop.iter, collector.aliases) is not None or (
            collector.parameter is not None and _dotted(loop.iter) in {
                collector.parameter, *(f"{collector.parameter}.{view}()" for view in ("items", "keys", "values"))})
        if not walks or not isinstance(loop.body, cst.IndentedBlock):
            continue
        for statement in loop.body.body:
            if not (isinstance(statement, cst.If) and statement.orelse is None
                    and isinstance(statement.test, cst.Comparison) and _ends_with_continue(statement.body)):
                continue
            found = collector._comparison_literals(statement.test)
            if len(found) == 1 and found[0][1] == "compare" and not found[0][2]:
                skipped.append(found[0][0])
                tests.add(collector.span_of(statement.test))
    return tuple(name for name in dict.fromkeys(skipped)
                 if all(literal.span in tests for literal in collector.name_literals if literal.value == name))


def _ends_with_continue(body) -> bool:
    statements = body.body
    last = statements[-1] if statements else None
    if isinstance(last, cst.SimpleStatementLine):
        last = last.body[-1] if last.body else None
    return isinstance(last, cst.Continue)


def _dotted(node) -> str:
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        inner = _dotted(node.value)
        return f"{inner}.{node.attr.value}" if inner else ""
    if isinstance(node, cst.Call):
        inner = _dotted(node.func)
        return f"{inner}()" if inner else ""
    return ""


def _callee(node: cst.Call) -> str | None:
    func = node.func
    if isinstance(func, cst.Name):
        return func.value
    if isinstance(func, cst.Attribute):
        return func.attr.value
    return None


def _spec_collection(node, aliases=None) -> str | None:
    """``dependencies``/``outputs`` when ``node`` mentions the spec's collection (directly or
    through a local alias such as ``dependencies = self.spec.dependencies``), else None."""
    for sub in _walk(node):
        if (isinstance(sub, cst.Attribute) and sub.attr.value in SPEC_COLLECTIONS
                and _dotted(sub.value).split(".")[-1] in ("spec", "specification", "spec()")):
            return SPEC_COLLECTIONS[sub.attr.value]
        if aliases and isinstance(sub, cst.Name) and sub.value in aliases:
            return aliases[sub.value]
    return None


ASSIGN = frozenset({cst.Assign})
LOOPS_AND_ASSIGNMENTS = frozenset({cst.For, cst.CompFor, cst.Assign})


def spec_aliases(method: cst.FunctionDef, positions: NodePositions) -> dict:
    """Local names bound to the spec's collections: ``dependencies = self.spec.dependencies``;
    the first assignment in the source wins."""
    aliases = {}
    for node in reversed(positions.select(method.body, ASSIGN)):
        collection = _spec_collection(node.value)
        if collection is not None:
            for target in node.targets:
                if isinstance(target.target, cst.Name):
                    aliases[target.target.value] = collection
    return aliases


def _walk(node):
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(walk.children(current))


def _targets(target) -> list:
    if isinstance(target, cst.Name):
        return [target.value]
    if isinstance(target, (cst.Tuple, cst.List)):
        return [element.value.value for element in target.elements if isinstance(element.value, cst.Name)]
    return []


def logical_name_vars(method: cst.FunctionDef, parameter: str | None, aliases: dict,
                       positions: NodePositions) -> set:
    """Local names that hold a logical name: loop keys over the spec or the inputs, and
    names assigned from ``x.logical_name``."""
    names = {"logical_name"}
    for node in positions.select(method.body, LOOPS_AND_ASSIGNMENTS):
        if isinstance(node, (cst.For, cst.CompFor)):
            targets = _targets(node.target)
            iterated = node.iter
            over_inputs = parameter is not None and (
                (isinstance(iterated, cst.Name) and iterated.value == parameter)
                or _dotted(iterated) in (f"{parameter}.keys()", f"{parameter}.items()"))
            if targets and (over_inputs or _spec_collection(iterated, aliases) is not None):
                names.add(targets[0])
        elif isinstance(node, cst.Assign) and isinstance(node.value, cst.Attribute) \
                and node.value.attr.value == "logical_name":
            for target in node.targets:
                names.update(_targets(target.target))
    return names


class _Collector:
    KINDS = frozenset({cst.Comparison, cst.Subscript, cst.For, cst.CompFor, cst.Attribute, cst.Call,
                       cst.SimpleString, cst.FormattedStringText, cst.DictElement, cst.Assign})

    def __init__(self, span_of, parameter: str | None, aliases: dict, class_aliases: dict) -> None:
        self.span_of = span_of
        self.parameter = parameter
        self.aliases = aliases
        self.class_aliases = class_aliases
        self.name_vars: set = set()
        self.walks: set = set()
        self.contract_reads: set = set()
        self.name_literals: list = []
        self.channels: list = []
        self.processing: list = []
        self.literals: list = []
        self.self_calls: list = []
        self._branches: list = []
        self._seen: set = set()

    # -- what holds a logical name -------------------------------------------------------
    def _is_logical(self, node) -> bool:
        if isinstance(node, cst.Name):
            return node.value in self.name_vars
        return isinstance(node, cst.Attribute) and node.attr.value == "logical_name"

    def _is_inputs(self, node) -> bool:
        if self.parameter is None:
            return False
        return (isinstance(node, cst.Name) and node.value == self.parameter) or \
            _dotted(node) == f"{self.parameter}.keys()"

    def _comparison_literals(self, node: cst.Comparison) -> list:
        """(literal, how, negated) for each logical name compared with a literal in ``node``."""
        found = []
        left = node.left
        for target in node.comparisons:
            right = target.comparator
            operator = target.operator
            if isinstance(operator, (cst.Equal, cst.NotEqual)):
                for a, b in ((left, right), (right, left)):
                    value = literal_string(b)
                    if value is not None and self._is_logical(a):
                        found.append((value, "compare", isinstance(operator, cst.NotEqual)))
            elif isinstance(operator, (cst.In, cst.NotIn)):
                negated = isinstance(operator, cst.NotIn)
                value = literal_string(left)
                if value is not None and self._is_inputs(right):
                    found.append((value, "membership", negated))
                elif self._is_logical(left) and isinstance(right, (cst.Tuple, cst.List, cst.Set)):
                    for element in right.elements:
                        element_value = literal_string(element.value)
                        if element_value is not None:
                            found.append((element_value, "compare", negated))
            left = right
        return found

    def collect(self, positions: NodePositions, body) -> None:
        """Visit the nodes of ``body`` in source order; the body of an ``if`` that compares a
        logical name with one literal is visited under that literal's branch."""
        handlers = {kind: getattr(self, "visit_" + kind.__name__) for kind in self.KINDS}
        found = positions.found
        start, stop = positions.inside(body)
        branch_ends: list = []
        branch_bodies: dict = {}
        for index in range(start, stop):
            while branch_ends and branch_ends[-1] <= index:
                branch_ends.pop()
                self._branches.pop()
            if index in branch_bodies:
                value, end = branch_bodies.pop(index)
                self._branches.append(value)
                branch_ends.append(end)
            node = found[index]
            kind = type(node)
            if kind is cst.If:
                value = self._branch(node)
                if value is not None:
                    body_start, body_end = positions.inside(node.body)
                    branch_bodies[body_start - 1] = (value, body_end)
            elif kind in handlers:
                handlers[kind](node)
        del self._branches[len(self._branches) - len(branch_ends):]

    # -- branches ------------------------------------------------------------------------
    def _branch(self, node: cst.If) -> str | None:
        """The literal of an ``if`` whose whole test compares a logical name with it, else None."""
        test = node.test
        literals = self._comparison_literals(test) if isinstance(test, cst.Comparison) else []
        if len(literals) != 1 or literals[0][2]:
            return None
        value, how, negated = literals[0]
        self._seen.add(id(test))
        self.name_literals.append(NameLiteral(value, how, self.span_of(test), self.span_of(node), negated))
        return value

    def visit_Comparison(self, node: cst.Comparison) -> None:
        if id(node) in self._seen:
            return
        for value, how, negated in self._comparison_literals(node):
            self.name_literals.append(NameLiteral(value, how, self.span_of(node), None, negated))

    def visit_Subscript(self, node: cst.Subscript) -> None:
        if self._is_inputs(node.value) and len(node.slice) == 1 and isinstance(node.slice[0].slice, cst.Index):
            value = literal_string(node.slice[0].slice.value)
            if value is not None:
                self.name_literals.append(NameLiteral(value, "lookup", self.span_of(node)))

    # -- loops ---------------------------------------------------------------------------
    def visit_For(self, node: cst.For) -> None:
        self._note_walk(node.iter)

    def visit_CompFor(self, node: cst.CompFor) -> None:
        self._note_walk(node.iter)

    def _note_walk(self, iterated) -> None:
        collection = _spec_collection(iterated, self.aliases)
        if collection is not None:
            self.walks.add(collection)
        elif self.parameter is not None and _dotted(iterated) in {
                self.parameter, *(f"{self.parameter}.{view}()" for view in ("items", "keys", "values"))}:
            self.walks.add("parameter")

    # -- calls, attributes, literals -----------------------------------------------------
    def visit_Attribute(self, node: cst.Attribute) -> None:
        if node.attr.value in CONTRACT_ATTRIBUTES:
            self.contract_reads.add(CONTRACT_ATTRIBUTES[node.attr.value])

    def visit_Call(self, node: cst.Call) -> None:
        callee = self._class(node)
        func = node.func
        if isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name) and func.value.value == "self":
            self.self_calls.append(func.attr.value)
        if callee == "get" and isinstance(func, cst.Attribute) and self._is_inputs(func.value) and node.args:
            value = literal_string(node.args[0].value)
            if value is not None:
                self.name_literals.append(NameLiteral(value, "lookup", self.span_of(node)))
        if callee in PROCESSING_CLASSES:
            self._processing(node, callee)
        if callee in CHANNEL_CLASSES or callee in PROCESSING_CLASSES:
            for arg in node.args:
                self._container_literals(arg.value)

    def _processing(self, node: cst.Call, callee: str) -> None:
        name_arg, path_arg = PROCESSING_CLASSES[callee]
        order = ("source", "destination", name_arg)
        values = {}
        for position, arg in enumerate(node.args):
            if arg.star:
                continue
            key = arg.keyword.value if arg.keyword is not None else (order[position] if position < 3 else None)
            if key is not None:
                values[key] = arg.value
        name_node = values.get(name_arg)
        if name_node is None:
            name_kind, name = "missing", None
        elif literal_string(name_node) is not None:
            name_kind, name = "literal", literal_string(name_node)
        elif self._is_logical(name_node):
            name_kind, name = "logical", None
        else:
            name_kind, name = "other", None
        path_node = values.get(path_arg)
        path = literal_string(path_node) if path_node is not None else None
        self.processing.append(ProcessingIO(callee, name_kind, name, path, self.span_of(node),
                                            self.span_of(name_node) if name_node is not None else None))

    def _container_literals(self, node) -> None:
        for sub in _walk(node):
            text = literal_string(sub) if isinstance(sub, cst.SimpleString) else (
                sub.value if isinstance(sub, cst.FormattedStringText) else None)
            if text is not None and text.startswith(CONTAINER_PREFIX):
                self.literals.append(LiteralUse("container-path", text, self.span_of(sub)))

    def visit_SimpleString(self, node: cst.SimpleString) -> None:
        self._s3_and_dates(literal_string(node), node)

    def visit_FormattedStringText(self, node: cst.FormattedStringText) -> None:
        self._s3_and_dates(node.value, node)

    def _s3_and_dates(self, text: str | None, node) -> None:
        if not text:
            return
        bucket = _S3_BUCKET.search(text)
        if bucket is not None:
            self.literals.append(LiteralUse("s3-bucket", bucket.group(0), self.span_of(node)))
        date = _DATE.search(text)
        if date is not None:
            self.literals.append(LiteralUse("date", date.group(0), self.span_of(node)))

    # -- channels ------------------------------------------------------------------------
    def _channel_call(self, node) -> bool:
        return isinstance(node, cst.Call) and self._class(node) in CHANNEL_CLASSES

    def _class(self, node: cst.Call) -> str | None:
        callee = _callee(node)
        return self.class_aliases.get(callee, callee) if isinstance(node.func, cst.Name) else callee

    def visit_DictElement(self, node: cst.DictElement) -> None:
        name = literal_string(node.key)
        if name is not None and self._channel_call(node.value):
            self._add_channel(name, node.key, node.value)

    def visit_Assign(self, node: cst.Assign) -> None:
        if not self._channel_call(node.value):
            return
        for target in node.targets:
            subscript = target.target
            if isinstance(subscript, cst.Subscript) and len(subscript.slice) == 1 \
                    and isinstance(subscript.slice[0].slice, cst.Index):
                name = literal_string(subscript.slice[0].slice.value)
                if name is not None:
                    self._add_channel(name, subscript.slice[0].slice.value, node.value)

    def _add_channel(self, name: str, key, call) -> None:
        under = self._branches[-1] if self._branches else None
        self.channels.append(ChannelLiteral(name, self.span_of(key), self.span_of(call), under))
