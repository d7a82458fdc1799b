"""Turn one parsed module into ``ModuleFacts``.

Module-level names are bound first (imports become references, assignments and
definitions become references to this module), then every binding, function, class and
script access is evaluated against that scope. Nothing is imported or executed.
"""

from __future__ import annotations

import re

import libcst as cst
from steplint.model.values import CallValue, LogicalName, ModuleRef, Ref, Span, Unknown
from steplint.readers.python import walk
from steplint.readers.python.builder_facts import builder_method_facts, logical_name_vars, spec_aliases
from steplint.readers.python.derived import contract_derived
from steplint.readers.python.evaluate import Evaluator, literal_string
from steplint.readers.python.facts import (
    Access,
    ArgumentFact,
    Binding,
    Channel,
    ClassFact,
    FunctionFact,
    MethodFact,
    ModuleFacts,
    PassedPaths,
)
from steplint.readers.python.names import resolve_relative
from steplint.readers.python.positions import NodePositions, index_positions

CONTAINER_PATH_PREFIX = "/opt/ml/"
SCRIPT_MARKERS = ("/opt/ml", "environ", "getenv", "add_argument", "_paths")


def extract_facts(
    module: cst.Module,
    span_of,
    *,
    path: str,
    module_name: str,
    is_package: bool,
    known_enums: frozenset[str],
    source_text: str,
    positions: NodePositions | None = None,
) -> ModuleFacts:
    """Extract the facts of one module (pure: no I/O, no imports); ``span_of`` maps nodes to spans.

    ``positions`` is the module's node index (built here when not given); collectors pick
    the nodes they look at from it instead of walking the tree.
    """
    if positions is None:
        positions = index_positions(module)
    scope: dict[str, object] = {}
    statements = list(_module_level_statements(module.body))
    for statement in statements:
        _bind_names(statement, scope, module_name, is_package)
    evaluator = Evaluator(scope, span_of, known_enums)

    bindings: dict[str, Binding] = {}
    functions: dict[str, FunctionFact] = {}
    classes: dict[str, ClassFact] = {}
    star_imports: list[str] = []
    imports: dict[str, object] = {}
    for statement in statements:
        if isinstance(statement, cst.ImportFrom) and isinstance(statement.names, cst.ImportStar):
            star_imports.append(_from_module(statement, module_name, is_package))
        elif isinstance(statement, (cst.Import, cst.ImportFrom)):
            _bind_imports(statement, imports, module_name, is_package)
        elif isinstance(statement, cst.FunctionDef):
            functions[statement.name.value] = _function_fact(statement, evaluator, module_name, is_package)
        elif isinstance(statement, cst.ClassDef):
            classes[statement.name.value] = _class_fact(statement, evaluator, module_name, is_package, positions)
        elif isinstance(statement, (cst.Assign, cst.AnnAssign)):
            for name, value_node in _assigned(statement):
                bindings[name] = Binding(name, evaluator.evaluate(value_node), span_of(statement))

    _mark_changed_later(module.body, bindings, span_of)

    accesses: tuple = ()
    arguments: tuple = ()
    argument_specs: tuple = ()
    unread_constants: frozenset = frozenset()
    passed_paths: tuple = ()
    if any(marker in source_text for marker in SCRIPT_MARKERS):
        collector = _ScriptAccessCollector(span_of, scope)
        collector.collect(positions, module)
        collector.record_unhandled_environ()
        unread_constants = collector.unread_constants(source_text)
        collector.drop_unread_constant_paths(unread_constants, collector.unread_entries(source_text))
        accesses, arguments = tuple(collector.accesses), tuple(collector.arguments)
        argument_specs = tuple(collector.argument_specs)
        passed_paths = _passed_paths(module, span_of)

    return ModuleFacts(
        path=path,
        module=module_name,
        is_package=is_package,
        bindings=bindings,
        functions=functions,
        classes=classes,
        imports=imports,
        star_imports=tuple(star_imports),
        accesses=accesses,
        arguments=arguments,
        argument_specs=argument_specs,
        unread_constants=unread_constants,
        passed_paths=passed_paths,
        main_guard=next((span_of(statement) for statement in module.body
                         if isinstance(statement, cst.If) and _is_main_guard(statement.test)), None),
    )


def _module_level_statements(body):
    """Yield small and compound statements at module level, looking inside if/try/with blocks."""
    for statement in body:
        if isinstance(statement, cst.SimpleStatementLine):
            yield from statement.body
        elif isinstance(statement, (cst.FunctionDef, cst.ClassDef)):
            yield statement
        elif isinstance(statement, cst.If):
            yield from _module_level_statements(statement.body.body)
            if statement.orelse is not None:
                orelse = statement.orelse
                yield from _module_level_statements(orelse.body.body if isinstance(orelse, cst.Else) else [orelse])
        elif isinstance(statement, cst.Try):
            body = list(_module_level_statements(statement.body.body))
            yield from body
            bound = set().union(*(_bound_names(small) for small in body))
            for handler in statement.handlers:
                fallback = _catches_import_error(handler)
                for small in _module_level_statements(handler.body.body):
                    names = _bound_names(small)
                    if not (fallback and names and names <= bound):
                        yield small
        elif isinstance(statement, cst.With):
            yield from _module_level_statements(statement.body.body)


IMPORT_ERRORS = frozenset({"ImportError", "ModuleNotFoundError"})


def _catches_import_error(handler: cst.ExceptHandler) -> bool:
    """Whether an ``except`` clause catches ImportError (alone or in a tuple)."""
    kinds = handler.type
    names = [element.value for element in kinds.elements] if isinstance(kinds, cst.Tuple) else [kinds]
    return any(isinstance(name, (cst.Name, cst.Attribute)) and _dotted(name).rsplit(".", 1)[-1] in IMPORT_ERRORS
               for name in names)


def _bound_names(statement) -> set:
    """The module names a small statement binds (imports and plain assignments).

    The fallback of an import (``except ImportError: X = None``) runs only when the import
    fails; in the checked tree the import is what a run sees, so statements of such a
    handler that only rebind names the ``try`` body bound are left out."""
    if isinstance(statement, (cst.Assign, cst.AnnAssign)):
        return {name for name, _ in _assigned(statement)}
    if isinstance(statement, cst.Import):
        return {alias.asname.name.value if alias.asname is not None else _dotted(alias.name).split(".", 1)[0]
                for alias in statement.names}
    if isinstance(statement, cst.ImportFrom) and not isinstance(statement.names, cst.ImportStar):
        return {alias.asname.name.value if alias.asname is not None else _dotted(alias.name)
                for alias in statement.names}
    return set()


MUTATING_METHODS = frozenset({"append", "extend", "insert", "update", "setdefault", "pop", "remove", "clear",
                              "add", "discard"})


def _mark_changed_later(body, bindings: dict, span_of) -> None:
    """A module-level name changed after it is bound (by a mutating method, an augmented or
    item assignment, or an assignment in a loop) is Unknown: its bound value is not what
    the module ends up with."""
    for name, node in _changes(body, in_loop=False):
        binding = bindings.get(name)
        if binding is not None and not isinstance(binding.value, Unknown):
            span = span_of(node)
            reason = f"'{name}' is changed after it is bound (line {span.line})"
            bindings[name] = Binding(name, Unknown(reason, span), binding.span)


def _changes(body, in_loop: bool):
    """``(name, node)`` for each statement at module level (loops included) that changes a name."""
    for statement in body:
        if isinstance(statement, cst.SimpleStatementLine):
            for small in statement.body:
                yield from _changed_names(small, in_loop)
        elif isinstance(statement, (cst.For, cst.While)):
            yield from _changes(statement.body.body, True)
            if statement.orelse is not None:
                yield from _changes(statement.orelse.body.body, True)
        elif isinstance(statement, (cst.If, cst.With)):
            yield from _changes(statement.body.body, in_loop)
            orelse = getattr(statement, "orelse", None)
            if orelse is not None:
                yield from _changes(orelse.body.body if isinstance(orelse, cst.Else) else [orelse], in_loop)
        elif isinstance(statement, cst.Try):
            yield from _changes(statement.body.body, in_loop)
            for handler in statement.handlers:
                yield from _changes(handler.body.body, in_loop)


def _changed_names(small, in_loop: bool):
    if isinstance(small, cst.Expr) and isinstance(small.value, cst.Call):
        func = small.value.func
        if (isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name)
                and func.attr.value in MUTATING_METHODS):
            yield func.value.value, small
        return
    if isinstance(small, cst.AugAssign):
        targets = [small.target]
    elif isinstance(small, cst.Assign):
        targets = [target.target for target in small.targets]
    else:
        return
    for target in targets:
        if isinstance(target, (cst.Subscript, cst.Attribute)) and isinstance(target.value, cst.Name):
            yield target.value.value, small
        elif isinstance(target, cst.Name) and (in_loop or isinstance(small, cst.AugAssign)):
            yield target.value, small


def _assigned(statement):
    """(name, value node) pairs for simple ``NAME = value`` and ``NAME: T = value``."""
    if isinstance(statement, cst.AnnAssign):
        if statement.value is not None and isinstance(statement.target, cst.Name):
            yield statement.target.value, statement.value
        return
    for target in statement.targets:
        if isinstance(target.target, cst.Name):
            yield target.target.value, statement.value


def _dotted(node) -> str:
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        return f"{_dotted(node.value)}.{node.attr.value}"
    return ""


def _from_module(statement: cst.ImportFrom, module_name: str, is_package: bool) -> str:
    target = _dotted(statement.module) if statement.module is not None else None
    return resolve_relative(module_name, is_package, len(statement.relative), target)


def _bind_imports(statement, scope: dict, module_name: str, is_package: bool) -> None:
    if isinstance(statement, cst.Import):
        for alias in statement.names:
            dotted = _dotted(alias.name)
            if alias.asname is not None:
                scope[alias.asname.name.value] = ModuleRef(dotted)
            else:
                top = dotted.split(".", 1)[0]
                scope[top] = ModuleRef(top)
    elif isinstance(statement, cst.ImportFrom) and not isinstance(statement.names, cst.ImportStar):
        source = _from_module(statement, module_name, is_package)
        for alias in statement.names:
            name = _dotted(alias.name)
            local = alias.asname.name.value if alias.asname is not None else name
            scope[local] = Ref(source, name)


def _bind_names(statement, scope: dict, module_name: str, is_package: bool) -> None:
    if isinstance(statement, (cst.Import, cst.ImportFrom)):
        _bind_imports(statement, scope, module_name, is_package)
    elif isinstance(statement, (cst.FunctionDef, cst.ClassDef)):
        scope[statement.name.value] = Ref(module_name, statement.name.value)
    elif isinstance(statement, (cst.Assign, cst.AnnAssign)):
        for name, _ in _assigned(statement):
            scope[name] = Ref(module_name, name)


def _params(function: cst.FunctionDef) -> tuple:
    return tuple(param.name.value for param in function.params.params)


def _local_scope(function: cst.FunctionDef, scope: dict, module_name: str, is_package: bool) -> dict:
    """The module scope plus names imported inside the function body."""
    local = dict(scope)
    for param in function.params.params:
        local.pop(param.name.value, None)
    for node in _walk_statements(function.body.body):
        if isinstance(node, (cst.Import, cst.ImportFrom)):
            _bind_imports(node, local, module_name, is_package)
        elif isinstance(node, (cst.Assign, cst.AnnAssign)):
            for name, _ in _assigned(node):
                local.pop(name, None)
    return local


def _walk_statements(body):
    for statement in body:
        if isinstance(statement, cst.SimpleStatementLine):
            yield from statement.body
        elif isinstance(statement, (cst.If, cst.Try, cst.With, cst.For, cst.While)):
            yield from _walk_statements(statement.body.body)


def _function_fact(function: cst.FunctionDef, evaluator: Evaluator, module_name: str, is_package: bool) -> FunctionFact:
    """A function whose body is imports, a docstring and one ``return`` gets a static return value."""
    simple, returns = _simple_return(function, evaluator, module_name, is_package)
    if not simple:
        returns = Unknown(f"function '{function.name.value}' is not a simple getter", evaluator.span(function))
    return FunctionFact(function.name.value, _params(function), returns, evaluator.span(function))


def _simple_return(function: cst.FunctionDef, evaluator: Evaluator, module_name: str,
                   is_package: bool) -> tuple[bool, object]:
    """``(True, value)`` for a body made of imports, a docstring and one final ``return
    <value>`` (the value evaluated); ``(False, None)`` for any other body."""
    simple = []
    for statement in function.body.body:
        if not isinstance(statement, cst.SimpleStatementLine):
            simple = None
            break
        simple.extend(statement.body)
    if simple:
        kinds_ok = all(
            isinstance(s, (cst.Import, cst.ImportFrom, cst.Return))
            or (isinstance(s, cst.Expr) and isinstance(s.value, (cst.SimpleString, cst.ConcatenatedString)))
            for s in simple
        )
        last = simple[-1]
        if kinds_ok and isinstance(last, cst.Return) and last.value is not None:
            local = evaluator.with_scope(_local_scope(function, evaluator.scope, module_name, is_package))
            return True, local.evaluate(last.value)
    return False, None


def _class_fact(class_def: cst.ClassDef, evaluator: Evaluator, module_name: str, is_package: bool,
                positions: NodePositions) -> ClassFact:
    bases = tuple(evaluator.evaluate(arg.value) for arg in class_def.bases if arg.keyword is None)
    methods = {}
    for statement in class_def.body.body:
        if isinstance(statement, cst.FunctionDef):
            methods[statement.name.value] = _method_fact(statement, evaluator, module_name, is_package, positions)
    return ClassFact(class_def.name.value, bases, evaluator.span(class_def), methods)


CALL = frozenset({cst.Call})
NESTED_SCOPES = frozenset({cst.FunctionDef, cst.ClassDef})


def _is_super_init(call: cst.Call) -> bool:
    func = call.func
    return (
        isinstance(func, cst.Attribute)
        and func.attr.value == "__init__"
        and isinstance(func.value, cst.Call)
        and isinstance(func.value.func, cst.Name)
        and func.value.func.value == "super"
    )


def _method_fact(method: cst.FunctionDef, evaluator: Evaluator, module_name: str, is_package: bool,
                 positions: NodePositions) -> MethodFact:
    """A method's calls (in source order, outside nested functions and classes), its
    ``super().__init__`` call, the channels it builds and its builder facts. A call whose
    callee is Unknown and that passes no keyword argument (``self.helper()``,
    ``logger.info(...)``) is left out: rules read calls with an unresolvable callee only
    through their keyword arguments (``processor.run(inputs=[...])``)."""
    local = evaluator.with_scope(_local_scope(method, evaluator.scope, module_name, is_package))
    calls = []
    super_init = None
    for call in positions.select(method.body, CALL, skip=NESTED_SCOPES):
        is_super_init = _is_super_init(call)
        if (not is_super_init and not any(arg.keyword is not None for arg in call.args)
                and isinstance(local.evaluate(call.func), Unknown)):
            continue
        value = local.evaluate(call)
        if not isinstance(value, CallValue):
            continue
        if is_super_init:
            super_init = value
        else:
            calls.append(value)
    channels = _ChannelCollector(local, _channel_name_vars(method, positions))
    channels.collect(positions, method.body)
    builder = builder_method_facts(method, evaluator.span, evaluator.scope, positions)
    return MethodFact(method.name.value, _params(method), evaluator.span(method), tuple(calls), super_init,
                      tuple(channels.channels), builder=builder,
                      returns=_method_returns(method, evaluator, module_name, is_package),
                      local_values=_local_values(method, local, positions) if method.name.value == "__init__" else ())


ASSIGN_NODES = frozenset({cst.Assign})


def _local_values(method: cst.FunctionDef, local: Evaluator, positions: NodePositions) -> tuple:
    """``(name, value)`` for every ``name = value`` in the method (outside nested functions),
    in source order; an if-expression gives one pair per arm, and branches of an ``if`` each
    give theirs (``spec = TRAIN_SPEC if job_type == "training" else VALID_SPEC``)."""
    found = []
    for node in positions.select(method.body, ASSIGN_NODES, skip=NESTED_SCOPES):
        if len(node.targets) != 1 or not isinstance(node.targets[0].target, cst.Name):
            continue
        name = node.targets[0].target.value
        arms = [node.value.body, node.value.orelse] if isinstance(node.value, cst.IfExp) else [node.value]
        found.extend((name, local.evaluate(arm)) for arm in arms)
    return tuple(found)


def _channel_name_vars(method: cst.FunctionDef, positions: NodePositions) -> frozenset:
    """Local names holding a logical name in a builder method that builds training channels
    (loop variables over ``self.spec.dependencies`` or over the inputs it is given)."""
    if not positions.select(method.body, CALL) or not any(
            _tail_name(call.func) == TRAINING_INPUT for call in positions.select(method.body, CALL)):
        return frozenset()
    params = [param.name.value for param in method.params.params]
    parameter = params[1] if len(params) > 1 else None
    return frozenset(logical_name_vars(method, parameter, spec_aliases(method, positions), positions))


def _method_returns(method: cst.FunctionDef, evaluator: Evaluator, module_name: str, is_package: bool) -> object:
    """A method's static return value: a simple ``return``, a collection built from the
    contract's declarations (``ContractDerived``), or None."""
    simple, value = _simple_return(method, evaluator, module_name, is_package)
    return value if simple else contract_derived(method)


TRAINING_INPUT = "TrainingInput"


class _ChannelCollector:
    """Channels a builder method constructs: ``{"name": TrainingInput(...)}`` and
    ``inputs["name"] = TrainingInput(...)``. A ``TrainingInput`` anywhere else (a dict
    comprehension, a list) yields a channel whose name is Unknown."""

    KINDS = frozenset({cst.Dict, cst.Assign, cst.Call})

    def __init__(self, evaluator: Evaluator, logical_name_vars: frozenset = frozenset()) -> None:
        self.evaluator = evaluator
        self.logical_name_vars = logical_name_vars
        self.channels: list[Channel] = []
        self._placed: set[int] = set()

    def collect(self, positions: NodePositions, body) -> None:
        """Visit the dicts, assignments and calls in ``body`` in source order (a dict or an
        assignment before the calls inside it)."""
        for node in positions.select(body, self.KINDS):
            kind = type(node)
            if kind is cst.Call:
                self.visit_Call(node)
            elif kind is cst.Dict:
                self.visit_Dict(node)
            else:
                self.visit_Assign(node)

    def _add(self, key_node, value_node) -> None:
        if isinstance(value_node, cst.Call) and _tail_name(value_node.func) == TRAINING_INPUT:
            self._placed.add(id(value_node))
            name = (LogicalName("dependencies") if isinstance(key_node, cst.Name)
                    and key_node.value in self.logical_name_vars else self.evaluator.evaluate(key_node))
            self.channels.append(Channel(name, self.evaluator.span(key_node)))

    def visit_Dict(self, node: cst.Dict) -> None:
        for element in node.elements:
            if isinstance(element, cst.DictElement):
                self._add(element.key, element.value)

    def visit_Assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            subscript = target.target
            if (isinstance(subscript, cst.Subscript) and len(subscript.slice) == 1
                    and isinstance(subscript.slice[0].slice, cst.Index)):
                self._add(subscript.slice[0].slice.value, node.value)

    def visit_Call(self, node: cst.Call) -> None:
        if _tail_name(node.func) == TRAINING_INPUT and id(node) not in self._placed:
            span = self.evaluator.span(node)
            self.channels.append(Channel(Unknown("a TrainingInput whose channel name is not a literal key", span),
                                         span))


def _module_constant_strings(module: cst.Module) -> dict:
    """``{id(string node): (name, entry key)}`` for the string literals inside the value of
    each module-level ``NAME = value`` (a path in a constant, or in a dict or list constant).
    ``entry key`` is the literal key of the entry of a dict constant the string is the value
    of (``NAME = {"KEY": "/opt/ml/..."}``), else None."""
    found = {}
    for statement in module.body:
        if not isinstance(statement, cst.SimpleStatementLine):
            continue
        for small in statement.body:
            if isinstance(small, cst.Assign) and len(small.targets) == 1 and isinstance(small.targets[0].target,
                                                                                        cst.Name):
                name = small.targets[0].target.value
                entries = {}
                if isinstance(small.value, cst.Dict):
                    entries = {id(element.value): literal_string(element.key) for element in small.value.elements
                               if isinstance(element, cst.DictElement)}
                stack = [(small.value, None)]
                while stack:
                    node, key = stack.pop()
                    key = entries.get(id(node), key)
                    if isinstance(node, cst.SimpleString):
                        found[id(node)] = (name, key)
                    stack.extend((child, key) for child in walk.children(node))
    return found


ENV_CALLS = {"getenv", "get", "setdefault"}
# the mappings of the cursus script convention ``main(input_paths, output_paths, environ_vars,
# job_args)``: reads of their literal keys anywhere in a script are recorded by kind
PATH_MAPPINGS = {"input_paths": "input_key", "output_paths": "output_key", "environ_vars": "environ_key"}


class _ScriptAccessCollector:
    """Reads a script makes: env vars, container path literals, contract keys, argparse flags."""

    KINDS = frozenset({cst.Name, cst.Assign, cst.SimpleString, cst.Subscript, cst.Comparison, cst.Call, cst.If,
                       cst.IfExp, cst.IndentedBlock})
    IMPORTS = frozenset({cst.Import, cst.ImportFrom})

    def __init__(self, span_of, scope: dict) -> None:
        self.span_of = span_of
        self.scope = scope
        self.accesses: list[Access] = []
        self.arguments: list[Access] = []
        self.argument_specs: list[ArgumentFact] = []
        self._environ_names: list[cst.Name] = []
        self._handled: set[int] = set()
        self._writes: set[int] = set()
        self._fallbacks: set[int] = set()
        # (effect, what, region start, region end): effect ``guarded`` / ``checked`` with what =
        # (mapping kind, key), or ``unless`` with what = a group of (mapping kind, key)
        self._regions: list[tuple] = []
        self._constant_of: dict = {}  # id of a string node -> (module constant, dict entry key or None)
        self._path_constants: dict = {}  # index in accesses -> (constant, entry key) a path literal belongs to
        self._assigned_names: dict = {}
        self._keyed: dict = {}  # dict constant -> the literal keys code looks up in it
        self._keyed_mentions: dict = {}  # dict constant -> how many of its mentions are such lookups

    def _environ_name(self, node) -> cst.Name | None:
        if isinstance(node, cst.Attribute) and node.attr.value == "environ":
            return node.attr
        if isinstance(node, cst.Name) and node.value == "environ":
            return node
        return None

    def _is_environ(self, node) -> bool:
        name = self._environ_name(node)
        if name is not None:
            self._handled.add(id(name))
        return name is not None

    def collect(self, positions: NodePositions, module: cst.Module) -> None:
        """Visit the module's ``environ`` names, assignments, strings, subscripts,
        comparisons and calls in source order, outside imports."""
        handlers = {kind: getattr(self, "visit_" + kind.__name__) for kind in self.KINDS}
        self._constant_of = _module_constant_strings(module)
        for node in positions.select(module, self.KINDS, skip=self.IMPORTS):
            handlers[type(node)](node)

    def visit_Name(self, node: cst.Name) -> None:
        if node.value == "environ":
            self._environ_names.append(node)

    def unread_constants(self, source_text: str) -> frozenset:
        """Module constants no code reads: the name appears in the source only where it is
        assigned (any other mention, even in a comment or a string, counts as a read)."""
        names = {name for name, _ in self._constant_of.values()}
        return frozenset(name for name in names
                         if len(re.findall(rf"\b{re.escape(name)}\b", source_text)) <= self._assigned_names.get(name, 0))

    def drop_unread_constant_paths(self, unread: frozenset, unread_entries: frozenset = frozenset()) -> None:
        """A container path written only into a constant nothing reads, or into an entry of a
        dict constant that no code looks up, is not a use of it."""
        self.accesses = [access for index, access in enumerate(self.accesses)
                         if index not in self._path_constants
                         or (self._path_constants[index][0] not in unread
                             and self._path_constants[index] not in unread_entries)]

    def unread_entries(self, source_text: str) -> frozenset:
        """``(constant, key)`` for the entries of module dict constants that no code reads: the
        constant is mentioned only where it is assigned and in lookups by a literal key
        (``PATHS["KEY"]``, ``PATHS.get("KEY")``), and none of them looks ``key`` up. A
        constant used any other way (passed on, iterated, ``**PATHS``) reads all its entries."""
        unread = set()
        for name, key in set(self._constant_of.values()):
            if key is None or key in self._keyed.get(name, ()):
                continue
            mentions = len(re.findall(rf"\b{re.escape(name)}\b", source_text))
            if mentions <= self._assigned_names.get(name, 0) + self._keyed_mentions.get(name, 0):
                unread.add((name, key))
        return frozenset(unread)

    def _note_keyed(self, owner, key: str | None) -> None:
        """A lookup ``owner[key]`` / ``owner.get(key)`` of a module dict constant."""
        if isinstance(owner, cst.Name) and key is not None:
            self._keyed.setdefault(owner.value, set()).add(key)
            self._keyed_mentions[owner.value] = self._keyed_mentions.get(owner.value, 0) + 1

    def _membership(self, test) -> tuple | None:
        """``(positive, pairs)`` for a test made only of membership tests of literal names in
        a path mapping or ``os.environ``: ``"a" in m and "b" in m`` (positive: true only when
        every name is present) or ``"a" not in m or "b" not in m`` (negative: true when any
        is absent); ``pairs`` are ``(mapping kind, key)``. None for any other test."""
        if isinstance(test, cst.BooleanOperation):
            left, right = self._membership(test.left), self._membership(test.right)
            if left is None or right is None or left[0] != right[0]:
                return None
            if left[0] != isinstance(test.operator, cst.And):
                return None
            return left[0], left[1] + right[1]
        if not (isinstance(test, cst.Comparison) and len(test.comparisons) == 1
                and isinstance(test.comparisons[0].operator, (cst.In, cst.NotIn))):
            return None
        key = literal_string(test.left)
        owner = test.comparisons[0].comparator
        kind = "env" if self._environ_name(owner) is not None else PATH_MAPPINGS.get(_tail_name(owner))
        if key is None or kind is None:
            return None
        return isinstance(test.comparisons[0].operator, cst.In), ((kind, key),)

    def _region(self, effect: str, what, span) -> None:
        self._regions.append((effect, what, (span.line, span.col), (span.end_line, span.end_col)))

    def visit_If(self, node: cst.If) -> None:
        """``if "k" in input_paths:`` makes its body's reads of ``k`` guarded (made only when
        ``k`` is present) and its ``else`` a place the script reaches only when ``k`` is
        absent; ``if "k" not in input_paths:`` the other way round."""
        found = self._membership(node.test)
        if found is None:
            return
        positive, pairs = found
        orelse = node.orelse
        orelse_body = orelse.body if isinstance(orelse, cst.Else) else orelse
        present, absent = (node.body, orelse_body) if positive else (orelse_body, node.body)
        if present is not None:
            for pair in pairs:
                self._region("guarded", pair, self.span_of(present))
        if absent is not None:
            self._region("unless", pairs, self.span_of(absent))

    def visit_IfExp(self, node: cst.IfExp) -> None:
        """``a if "k" in mapping else b``: as ``visit_If``, ``a`` is read only when ``k`` is
        present and ``b`` only when it is absent (the other way round for ``not in``)."""
        found = self._membership(node.test)
        if found is None:
            return
        positive, pairs = found
        present, absent = (node.body, node.orelse) if positive else (node.orelse, node.body)
        for pair in pairs:
            self._region("guarded", pair, self.span_of(present))
        self._region("unless", pairs, self.span_of(absent))

    def visit_IndentedBlock(self, node: cst.IndentedBlock) -> None:
        """After ``if "k" not in paths: raise ...`` (or ``return``, ``continue``, ``break``)
        the rest of the block runs only when ``k`` is present: its reads of ``k`` are
        ``checked`` (after a ``raise``: an absent key fails at the script's own check) or
        ``guarded``. After ``if "k" in paths: return`` it runs only when ``k`` is absent."""
        end = self.span_of(node)
        for statement in node.body:
            if not isinstance(statement, cst.If) or statement.orelse is not None:
                continue
            found = self._membership(statement.test)
            ending = _ending(statement.body)
            if found is None or ending is None:
                continue
            positive, pairs = found
            start = self.span_of(statement)
            region = Span(start.end_line, start.end_col, end.end_line, end.end_col)
            if positive:
                self._region("unless", pairs, region)
            else:
                for pair in pairs:
                    self._region("checked" if ending == "raise" else "guarded", pair, region)

    def _how(self, kind: str, key: str, span, default: str) -> tuple:
        """``(how, unless)`` of a read of ``key`` in a mapping of ``kind`` at ``span``."""
        start, end = (span.line, span.col), (span.end_line, span.end_col)
        how = default
        unless = []
        for effect, what, region_start, region_end in self._regions:
            if not (region_start <= start and end <= region_end):
                continue
            if effect == "unless":
                unless.append(what)
            elif what == (kind, key) and (effect == "guarded" or how != "guarded"):
                how = effect
        if kind == "env":
            return ("guarded" if how == "guarded" else default), ()
        return how, tuple(unless)

    def visit_Assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            if isinstance(target.target, cst.Subscript):
                self._writes.add(id(target.target))
            elif isinstance(target.target, cst.Name):
                name = target.target.value
                self._assigned_names[name] = self._assigned_names.get(name, 0) + 1

    def record_unhandled_environ(self) -> None:
        """``os.environ`` used whole (copied, iterated, passed on): which variables are read is unknown."""
        for name in self._environ_names:
            if id(name) not in self._handled:
                self.accesses.append(Access("env_dynamic", "", self.span_of(name)))

    def visit_SimpleString(self, node: cst.SimpleString) -> None:
        value = literal_string(node)
        if value is not None and value.startswith(CONTAINER_PATH_PREFIX):
            if id(node) in self._constant_of:
                self._path_constants[len(self.accesses)] = self._constant_of[id(node)]
            self.accesses.append(Access("path", value, self.span_of(node)))

    def visit_Subscript(self, node: cst.Subscript) -> None:
        if len(node.slice) != 1 or not isinstance(node.slice[0].slice, cst.Index):
            return
        key = literal_string(node.slice[0].slice.value)
        if self._is_environ(node.value):
            kind = "env_dynamic" if key is None else "env_write" if id(node) in self._writes else "env"
            span = self.span_of(node)
            how = self._how("env", key, span, "subscript")[0] if kind == "env" else "subscript"
            self.accesses.append(Access(kind, key or "", span, how))
            return
        self._note_keyed(node.value, key)
        if key is not None and _tail_name(node.value) in PATH_MAPPINGS:
            kind, span = PATH_MAPPINGS[_tail_name(node.value)], self.span_of(node)
            self.accesses.append(Access(kind, key, span, *self._how(kind, key, span, "subscript")))

    def visit_Comparison(self, node: cst.Comparison) -> None:
        for target in node.comparisons:
            if isinstance(target.operator, (cst.In, cst.NotIn)) and self._is_environ(target.comparator):
                key = literal_string(node.left)
                if key is not None:
                    self.accesses.append(Access("env", key, self.span_of(node), "test"))

    def visit_Call(self, node: cst.Call) -> None:
        func = node.func
        if not isinstance(func, (cst.Attribute, cst.Name)) or not node.args:
            return
        name = func.attr.value if isinstance(func, cst.Attribute) else func.value
        if name == "add_argument":
            self.argument_specs.append(self._argument_fact(node))
        first = literal_string(node.args[0].value)
        reads_env = name == "getenv" or (isinstance(func, cst.Attribute) and name in ENV_CALLS
                                         and self._is_environ(func.value))
        if reads_env and first is None:
            self.accesses.append(Access("env_dynamic", "", self.span_of(node)))
        if first is None:
            return
        if reads_env:
            how = "subscript" if name == "setdefault" else "fallback" if id(node) in self._fallbacks else "get"
            self.accesses.append(Access("env", first, self.span_of(node), how))
            self._note_fallback(node, name)
        elif name == "get" and isinstance(func, cst.Attribute) and _tail_name(func.value) in PATH_MAPPINGS:
            kind, span = PATH_MAPPINGS[_tail_name(func.value)], self.span_of(node)
            how, unless = self._how(kind, first, span, "get")
            how = "fallback" if id(node) in self._fallbacks else how
            self.accesses.append(Access(kind, first, span, how, unless))
            self._note_fallback(node, name)
        elif name == "get" and isinstance(func, cst.Attribute):
            self._note_keyed(func.value, first)
        elif name == "add_argument":
            for arg in node.args:
                flag = literal_string(arg.value) if arg.keyword is None else None
                if flag is not None and flag.startswith("-"):
                    self.arguments.append(Access("argument", flag, self.span_of(node)))

    def _note_fallback(self, node: cst.Call, name: str) -> None:
        """Remember a lookup of the same kind passed as this ``.get``'s default: it is read
        only when this one's key is absent (``paths.get("new", paths.get("old"))``)."""
        if name not in ("get", "getenv") or len(node.args) < 2 or node.args[1].keyword is not None:
            return
        default = node.args[1].value
        if not (isinstance(default, cst.Call) and isinstance(default.func, (cst.Attribute, cst.Name))):
            return
        inner = default.func.attr.value if isinstance(default.func, cst.Attribute) else default.func.value
        outer_owner = _tail_name(node.func.value) if isinstance(node.func, cst.Attribute) else None
        inner_owner = _tail_name(default.func.value) if isinstance(default.func, cst.Attribute) else None
        if inner == name and inner_owner == outer_owner:
            self._fallbacks.add(id(default))

    def _argument_fact(self, node: cst.Call) -> ArgumentFact:
        """Option strings, ``dest`` and ``required`` of one ``add_argument`` call, as argparse derives them."""
        flags = []
        for arg in node.args:
            if arg.keyword is not None:
                continue
            flag = literal_string(arg.value) if not arg.star else None
            if flag is None:
                return ArgumentFact((), None, None, self.span_of(node))
            flags.append(flag)
        keywords = {arg.keyword.value: arg.value for arg in node.args if arg.keyword is not None}
        dest = literal_string(keywords["dest"]) if "dest" in keywords else None
        required: bool | None = False
        if "required" in keywords:
            value = keywords["required"]
            required = {"True": True, "False": False}.get(value.value) if isinstance(value, cst.Name) else None
        if flags and not flags[0].startswith("-"):
            required = keywords.get("nargs") is None or literal_string(keywords["nargs"]) not in ("?", "*")
        if dest is None and "dest" not in keywords and flags:
            long = [flag for flag in flags if flag.startswith("--")]
            dest = (long or flags)[0].lstrip("-").replace("-", "_")
        return ArgumentFact(tuple(flags), dest, required, self.span_of(node))


ENDINGS = {cst.Raise: "raise", cst.Return: "return", cst.Continue: "continue", cst.Break: "break"}


def _ending(body) -> str | None:
    """``raise`` / ``return`` / ``continue`` / ``break`` when a block always ends with one."""
    statements = body.body
    last = statements[-1] if statements else None
    if isinstance(last, cst.SimpleStatementLine):
        last = last.body[-1] if last.body else None
    return ENDINGS.get(type(last))


PASSED_MAPPINGS = (("input_key", "input_paths"), ("output_key", "output_paths"), ("environ_key", "environ_vars"))


def _is_main_guard(test) -> bool:
    """``__name__ == "__main__"`` (either way round)."""
    if not (isinstance(test, cst.Comparison) and len(test.comparisons) == 1
            and isinstance(test.comparisons[0].operator, cst.Equal)):
        return False
    sides = (test.left, test.comparisons[0].comparator)
    return any(isinstance(a, cst.Name) and a.value == "__name__" and literal_string(b) == "__main__"
               for a, b in (sides, sides[::-1]))


def _main_nodes(node):
    """The nodes below ``node``, outside nested functions, classes and lambdas."""
    stack = list(reversed(walk.children(node)))
    while stack:
        current = stack.pop()
        yield current
        if not isinstance(current, (cst.FunctionDef, cst.ClassDef, cst.Lambda)):
            stack.extend(reversed(walk.children(current)))


def _passed_paths(module: cst.Module, span_of) -> tuple:
    """The ``input_paths`` / ``output_paths`` / ``environ_vars`` mappings the script's ``if
    __name__ == "__main__":`` block builds itself: the dicts it passes as that parameter of a module
    function (``main(input_paths, output_paths, ...)``, by position or keyword), or, when it
    calls none, the dicts it binds to those names. Each value is known only as a dict
    literal with literal keys, bound in the block and changed there only by item
    assignments with literal keys."""
    guards = [statement for statement in module.body
              if isinstance(statement, cst.If) and _is_main_guard(statement.test)]
    if not guards:
        return ()
    params = {statement.name.value: [param.name.value for param in statement.params.params]
              for statement in module.body if isinstance(statement, cst.FunctionDef)}
    bound: dict = {}  # name -> value nodes bound to it in the block
    added: dict = {}  # name -> literal keys item-assigned (None: a key that is not a literal)
    changed: set = set()
    calls = []
    for guard in guards:
        for node in _main_nodes(guard.body):
            if isinstance(node, (cst.Assign, cst.AnnAssign, cst.AugAssign)):
                targets = ([target.target for target in node.targets] if isinstance(node, cst.Assign)
                           else [node.target])
                for target in targets:
                    if isinstance(target, cst.Name) and isinstance(node, cst.AugAssign):
                        changed.add(target.value)
                    elif isinstance(target, cst.Name) and node.value is not None:
                        bound.setdefault(target.value, []).append(node.value)
                    elif (isinstance(target, cst.Subscript) and isinstance(target.value, cst.Name)
                          and len(target.slice) == 1 and isinstance(target.slice[0].slice, cst.Index)):
                        added.setdefault(target.value.value, set()).add(
                            literal_string(target.slice[0].slice.value))
                    else:
                        changed.update(sub.value for sub in _main_nodes(target) if isinstance(sub, cst.Name))
                        if isinstance(target, cst.Name):
                            changed.add(target.value)
            elif isinstance(node, cst.Del):
                changed.update(sub.value for sub in _main_nodes(node) if isinstance(sub, cst.Name))
            elif isinstance(node, cst.Call):
                func = node.func
                if isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name) \
                        and func.attr.value in MUTATING_METHODS:
                    changed.add(func.value.value)
                elif isinstance(func, cst.Name) and func.value in params:
                    calls.append(node)
    found = []
    for kind, parameter in PASSED_MAPPINGS:
        values = [_argument(call, params[call.func.value], parameter) for call in calls
                  if parameter in params[call.func.value]]
        if not values and parameter in bound:
            values = [cst.Name(parameter)]
        if not values:
            continue
        variants = []
        for value in values:
            if isinstance(value, cst.Name) and value.value in bound:
                name = value.value
                extra = added.get(name, set())
                for bound_value in bound[name]:
                    keys, complete = _dict_keys(bound_value)
                    variants.append((keys | {key for key in extra if key is not None},
                                     complete and None not in extra and name not in changed))
            else:
                variants.append(_dict_keys(value))
        found.append(PassedPaths(kind, tuple(keys for keys, _ in variants),
                                 tuple(complete for _, complete in variants), span_of(guards[0])))
    return tuple(found)


def _argument(call: cst.Call, params: list, parameter: str):
    """The node ``call`` passes for ``parameter`` (None when it cannot be told)."""
    positional = []
    for arg in call.args:
        if arg.star:
            return None
        if arg.keyword is not None:
            if arg.keyword.value == parameter:
                return arg.value
        else:
            positional.append(arg.value)
    index = params.index(parameter)
    return positional[index] if index < len(positional) else None


def _dict_keys(value) -> tuple:
    """``(frozenset of literal keys, complete)`` of a dict literal; nothing known otherwise."""
    if not isinstance(value, cst.Dict):
        return frozenset(), False
    keys = set()
    complete = True
    for element in value.elements:
        key = literal_string(element.key) if isinstance(element, cst.DictElement) else None
        if key is None:
            complete = False
        else:
            keys.add(key)
    return frozenset(keys), complete


def _tail_name(node) -> str | None:
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        return node.attr.value
    return None

