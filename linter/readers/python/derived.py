"""Builder methods that build a collection from the contract's own declarations.

The specification-driven design gives the container exactly what the contract declares:
a base builder's ``_get_environment_variables`` loops over
``self.contract.required_env_vars`` / ``optional_env_vars`` and fills a dict keyed by each
name; ``_get_job_arguments`` loops over ``self.contract.expected_arguments`` and appends
``f"--{name}"`` and a value. Such a method is recognised here, conservatively, and
summarised as a ``ContractDerived`` value: which contract fields the keys (or options) come
from, plus any string-literal keys. Anything else that writes to the collection (an
``update``, ``**``, a key that is neither the loop variable nor a literal, an ``extend``
with items that are not the ``--{name}`` / value pair) makes the method not recognised,
and its result stays unknown.
"""

from __future__ import annotations

import libcst as cst
from steplint.model.values import ContractDerived
from steplint.readers.python import walk
from steplint.readers.python.evaluate import literal_string

CONTRACT_OWNERS = ("contract", "script_contract")
MUTATORS = frozenset({"update", "setdefault", "extend", "append", "insert", "pop", "clear", "__setitem__"})


def contract_derived(method: cst.FunctionDef) -> ContractDerived | None:
    """The summary of a method that returns a dict or list built from contract fields, or None."""
    body = list(_statements(method.body.body))
    if not body or not isinstance(body[-1], cst.Return) or not isinstance(body[-1].value, cst.Name):
        return None
    name = body[-1].value.value
    kind = _initial_kind(body, name)
    if kind is None:
        return None
    fields: list[str] = []
    keys: list[str] = []
    for loop in _loops(method.body):
        field, variables = _contract_loop(loop)
        if field is None:
            if _writes_to(loop, name):
                return None
            continue
        writes = _writes(loop.body, name)
        if writes is None:
            return None
        for key in writes:
            if key in variables:
                fields.append(field)
            elif key is not None and key.startswith("literal:"):
                keys.append(key[len("literal:"):])
            else:
                return None
    outside = [statement for statement in body if not isinstance(statement, cst.For)]
    for statement in outside[:-1]:
        if _writes_to(statement, name) and not _is_initialisation(statement, name):
            return None
    if not fields and not keys:
        return None
    return ContractDerived(kind, tuple(dict.fromkeys(fields)), tuple(dict.fromkeys(keys)))


def _statements(body):
    for statement in body:
        if isinstance(statement, cst.SimpleStatementLine):
            yield from statement.body
        else:
            yield statement


def _initial_kind(body, name: str) -> str | None:
    """``mapping`` or ``options`` for ``name = {}`` / ``dict()`` / ``[]`` / ``list()`` at the top level."""
    for statement in body:
        if isinstance(statement, cst.Assign) and len(statement.targets) == 1 and _is_name(statement.targets[0].target,
                                                                                          name):
            value = statement.value
            if isinstance(value, cst.Dict) and not value.elements:
                return "mapping"
            if isinstance(value, cst.List) and not value.elements:
                return "options"
            if isinstance(value, cst.Call) and _is_name(value.func, "dict") and not value.args:
                return "mapping"
            if isinstance(value, cst.Call) and _is_name(value.func, "list") and not value.args:
                return "options"
            return None
    return None


def _is_initialisation(statement, name: str) -> bool:
    return (isinstance(statement, cst.Assign) and len(statement.targets) == 1
            and _is_name(statement.targets[0].target, name))


def _is_name(node, name: str) -> bool:
    return isinstance(node, cst.Name) and node.value == name


def _loops(body):
    """``for`` statements at any depth, outermost first."""
    for node in _walk(body):
        if isinstance(node, cst.For):
            yield node


def _walk(node):
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(reversed(walk.children(current)))


def _contract_loop(loop: cst.For) -> tuple[str | None, set]:
    """``(field, loop variables)`` for ``for n in self.contract.<field>`` (also ``.items()`` /
    ``.keys()``, and a tuple target whose first element is the name); ``(None, set())`` else."""
    iterable = loop.iter
    if isinstance(iterable, cst.Call) and isinstance(iterable.func, cst.Attribute) and not iterable.args \
            and iterable.func.attr.value in ("items", "keys"):
        iterable = iterable.func.value
    if not (isinstance(iterable, cst.Attribute) and _is_contract(iterable.value)):
        return None, set()
    target = loop.target
    if isinstance(target, cst.Tuple) and target.elements:
        target = target.elements[0].value
    if not isinstance(target, cst.Name):
        return None, set()
    return iterable.attr.value, {target.value}


def _is_contract(node) -> bool:
    """``self.contract`` or ``self.spec.script_contract``."""
    return (isinstance(node, cst.Attribute) and node.attr.value in CONTRACT_OWNERS
            and (isinstance(node.value, cst.Name) and node.value.value == "self"
                 or isinstance(node.value, cst.Attribute) and node.value.attr.value == "spec"))


def _writes(body, name: str) -> list | None:
    """The keys a loop body writes into ``name``: a loop variable's name, ``literal:<key>``,
    or None for a key that is neither; None overall for a write that is not understood."""
    keys: list = []
    for node in _walk(body):
        if isinstance(node, (cst.Assign, cst.AugAssign)):
            targets = [target.target for target in node.targets] if isinstance(node, cst.Assign) else [node.target]
            for target in targets:
                if _is_name(target, name):
                    return None
                if isinstance(target, cst.Subscript) and _is_name(target.value, name):
                    keys.append(_subscript_key(target))
        elif isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute) and _is_name(node.func.value, name):
            if node.func.attr.value not in MUTATORS:
                continue
            found = _list_write(node)
            if found is None:
                return None
            keys.extend(found)
    return keys


def _subscript_key(target: cst.Subscript) -> str | None:
    if len(target.slice) != 1 or not isinstance(target.slice[0].slice, cst.Index):
        return None
    key = target.slice[0].slice.value
    if isinstance(key, cst.Name):
        return key.value
    literal = literal_string(key)
    return f"literal:{literal}" if literal is not None else None


def _list_write(call: cst.Call) -> list | None:
    """Options an ``append``/``extend`` adds: ``f"--{n}"`` gives ``n``, a literal ``"--x"``
    gives ``literal:--x``; other items are values (nothing); anything else None."""
    method = call.func.attr.value
    if method == "append" and len(call.args) == 1:
        items = [call.args[0].value]
    elif method == "extend" and len(call.args) == 1 and isinstance(call.args[0].value, (cst.List, cst.Tuple)):
        items = [element.value for element in call.args[0].value.elements]
    else:
        return None
    found = []
    for item in items:
        option = _option_variable(item)
        if option is not None:
            found.append(option)
            continue
        literal = literal_string(item)
        if literal is not None and literal.startswith("-"):
            found.append(f"literal:{literal}")
    return found


def _option_variable(node) -> str | None:
    """``n`` for ``f"--{n}"``."""
    if not isinstance(node, cst.FormattedString) or len(node.parts) != 2:
        return None
    text, expression = node.parts
    if not (isinstance(text, cst.FormattedStringText) and text.value.startswith("-")
            and isinstance(expression, cst.FormattedStringExpression) and isinstance(expression.expression, cst.Name)
            and expression.conversion is None and expression.format_spec is None):
        return None
    return expression.expression.value


def _writes_to(node, name: str) -> bool:
    """Whether ``node`` assigns to ``name`` or its items, or calls a mutating method on it."""
    for sub in _walk(node):
        if isinstance(sub, (cst.Assign, cst.AugAssign)):
            targets = [target.target for target in sub.targets] if isinstance(sub, cst.Assign) else [sub.target]
            if any(_is_name(target, name) or isinstance(target, cst.Subscript) and _is_name(target.value, name)
                   for target in targets):
                return True
        if isinstance(sub, cst.Call) and isinstance(sub.func, cst.Attribute) and _is_name(sub.func.value, name) \
                and sub.func.attr.value in MUTATORS:
            return True
    return False
