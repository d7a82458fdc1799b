"""Edits for the builder rules: rewrite ``_get_inputs`` in the reference form, remove a dead branch.

The rewritten body is the reference builder's own method (``steplint.reference``), read
with LibCST; only the parameter name is adapted. A training builder that lacks
``_create_data_channel_from_source`` gets one built from its own channel construction
(the ``TrainingInput`` calls of the branch that handled the dependency mapped to the
channel root), or the reference one when that construction cannot be lifted out cleanly.
"""

from __future__ import annotations

import builtins
import json

import libcst as cst
from steplint.model.values import Ref
from steplint.readers.python.edits import minimal_edit
from steplint.readers.python.project import Builder, Contract
from steplint.reference.templates import method_template
from steplint.rule import Edit
from steplint.sagemaker.facts import TRAINING_CHANNEL_ROOT

HELPER = "_create_data_channel_from_source"
HELPER_DOC = '"""Channels for the S3 prefix of a dependency mapped to /opt/ml/input/data."""'


class RewriteError(Exception):
    """The rewrite cannot be built safely; the finding stays without a fix."""


# -- text helpers ----------------------------------------------------------------------
def _line_indent(text: str, offset: int) -> str:
    start = text.rfind("\n", 0, offset) + 1
    return text[start:offset]


def render_statement(parsed, node: cst.CSTNode, indent: str) -> str:
    """``node`` rendered at ``indent`` with the file's indentation unit and newline; the first
    line is not indented (it replaces text that starts after the indentation).

    The node is rendered inside a placeholder class indented by ``indent``, so multi-line
    string literals (docstrings) keep the text they had in the reference class."""
    module = parsed.module
    newline = module.default_newline
    wrapper = cst.ClassDef(name=cst.Name("_"), body=cst.IndentedBlock(body=[node], indent=indent or None))
    code = cst.Module(body=[wrapper], default_indent=module.default_indent, default_newline=newline).code
    body = code.split(newline, 1)[1].rstrip("\r\n")
    return body[len(indent or module.default_indent):]


def _find_function(parsed, span) -> cst.FunctionDef:
    node = parsed.find(span, cst.FunctionDef)
    if node is None:
        raise RewriteError("the method is not where its facts say")
    return node


class _Rename(cst.CSTTransformer):
    """Rename a variable or imported name; attribute names and keywords stay as they are."""

    def __init__(self, old: str, new: str) -> None:
        self.old, self.new = old, new

    def leave_Name(self, original: cst.Name, updated: cst.Name) -> cst.Name:
        return updated.with_changes(value=self.new) if updated.value == self.old else updated

    def leave_Attribute(self, original: cst.Attribute, updated: cst.Attribute) -> cst.Attribute:
        return updated.with_changes(attr=original.attr)

    def leave_Arg(self, original: cst.Arg, updated: cst.Arg) -> cst.Arg:
        return updated.with_changes(keyword=original.keyword)


# -- SL301: the rewrite ----------------------------------------------------------------
def rewrite_get_inputs(context, builder: Builder, facts, kind: str, contract) -> tuple:
    """The edits replacing ``_get_inputs`` with the reference form for ``kind``."""
    template = method_template(kind, "_get_inputs")
    if template is None:
        raise RewriteError(f"no reference _get_inputs for {kind} steps")
    parsed = context.parsed(builder.path)
    if parsed is None:
        raise RewriteError("the builder's file cannot be parsed")
    function = _find_function(parsed, facts.span)
    if function.decorators or function.asynchronous is not None:
        raise RewriteError("a decorated or async _get_inputs is not rewritten")
    params = function.params.params
    if len(params) < 2:
        raise RewriteError("_get_inputs takes no inputs parameter")
    body = template.function.body
    parameter = params[1].name.value
    if parameter != "inputs":
        body = body.visit(_Rename("inputs", parameter))
    imports, renames = _adapt_imports(builder, template.imports)
    for reference_name, local in renames.items():
        body = body.visit(_Rename(reference_name, local))
    new_function = function.with_changes(body=body.with_changes(header=function.body.header),
                                         decorators=(), leading_lines=(), lines_after_decorators=())
    text = parsed.source.text
    start = parsed.offset(facts.span.line, facts.span.col)
    end = parsed.offset(facts.span.end_line, facts.span.end_col)
    indent = _line_indent(text, start)
    replacement = render_statement(parsed, new_function, indent)
    if kind == "training" and not _has_method(context.model, builder, HELPER):
        helper, helper_imports = _channel_helper(context, parsed, builder, facts, function, contract)
        helper_imports, helper_renames = _adapt_imports(builder, helper_imports)
        for reference_name, local in helper_renames.items():
            helper = helper.visit(_Rename(reference_name, local))
        newline = parsed.module.default_newline
        replacement += newline + newline + indent + render_statement(parsed, helper, indent)
        imports.update(helper_imports)
    edits = [minimal_edit(builder.path, start, text[start:end], replacement)]
    edits.extend(_import_edits(parsed, imports))
    return tuple(edits)


def _has_method(model, builder: Builder, name: str) -> bool:
    """Whether the builder or one of its base classes in the tree defines ``name``."""
    if name in builder.cls.methods:
        return True
    pending = [model.resolve(base) for base in builder.cls.bases]
    seen = set()
    while pending and len(seen) < 40:
        base = pending.pop()
        if not isinstance(base, Ref) or base in seen:
            continue
        seen.add(base)
        fact = model.class_fact(base)
        if fact is None:
            continue
        if name in fact.methods:
            return True
        pending.extend(model.resolve(b) for b in fact.bases)
    return False


def _adapt_imports(builder: Builder, imports: dict) -> tuple[dict, dict]:
    """Split a template's imports into those to add and renames to names the module already
    imports (``from sagemaker.inputs import TrainingInput as TI`` renames TrainingInput to TI)."""
    to_add, renames = {}, {}
    bound = _bound_names(builder.module)
    for local, (module, name) in imports.items():
        aliases = sorted(alias for alias, value in builder.module.imports.items()
                         if isinstance(value, Ref) and value.name == name and value.module.split(".")[0] == "sagemaker")
        if local in aliases or (local in bound and not aliases):
            continue
        if aliases:
            renames[local] = aliases[0]
        else:
            to_add[local] = (module, name)
    return to_add, renames


def _bound_names(module_facts) -> set:
    return set(module_facts.bindings) | set(module_facts.imports) | set(module_facts.functions) \
        | set(module_facts.classes)


def _import_edits(parsed, imports: dict) -> list:
    """Insert ``from module import name`` lines after the module's SDK imports (or its last import)."""
    missing = [(module, name, local) for local, (module, name) in sorted(imports.items())]
    if not missing:
        return []
    newline = parsed.module.default_newline
    lines = "".join(f"from {module} import {name}" + (f" as {local}" if local != name else "") + newline
                    for module, name, local in missing)
    last_import = last_sdk_import = None
    for statement in parsed.module.body:
        if isinstance(statement, cst.SimpleStatementLine) and any(
                isinstance(small, (cst.Import, cst.ImportFrom)) for small in statement.body):
            last_import = statement
            if any(_imports_sdk(small) for small in statement.body):
                last_sdk_import = statement
    last_import = last_sdk_import or last_import
    if last_import is None:
        return [Edit(parsed.source.display, 0, 0, lines)]
    span = parsed.span_of(last_import)
    offset = parsed.offset(span.end_line, span.end_col)
    text = parsed.source.text
    offset = text.index("\n", offset) + 1 if "\n" in text[offset:] else len(text)
    return [Edit(parsed.source.display, offset, offset, lines)]


def _imports_sdk(statement) -> bool:
    if isinstance(statement, cst.ImportFrom):
        return not statement.relative and statement.module is not None \
            and cst.Module([]).code_for_node(statement.module).split(".")[0] == "sagemaker"
    if isinstance(statement, cst.Import):
        return any(cst.Module([]).code_for_node(alias.name).split(".")[0] == "sagemaker" for alias in statement.names)
    return False


# -- the channel helper ----------------------------------------------------------------
def _root_dependencies(model, contract) -> set:
    if not isinstance(contract, Contract) or not hasattr(contract.input_paths, "entries"):
        return set()
    names = set()
    for entry in contract.input_paths.entries:
        key, path = model.resolve(entry.key), model.resolve(entry.value)
        if isinstance(key, str) and isinstance(path, str) and path.rstrip("/") == TRAINING_CHANNEL_ROOT:
            names.add(key)
    return names


def _channel_helper(context, parsed, builder: Builder, facts, function: cst.FunctionDef, contract):
    """The ``_create_data_channel_from_source`` method to add, and the imports it needs."""
    roots = _root_dependencies(context.model, contract)
    channels = [channel for channel in facts.channels if channel.under in roots] if len(roots) == 1 else []
    if channels:
        lifted = _lift_channels(parsed, builder, facts, function, channels)
        if lifted is not None:
            return lifted, {}
    estimator = {constructed.class_name for constructed in builder.constructed if constructed.kind == "estimator"}
    template = method_template("xgboost" if estimator == {"XGBoost"} else "pytorch", HELPER)
    return template.function.with_changes(leading_lines=()), dict(template.imports)


class _SourceToBasePath(cst.CSTTransformer):
    """Replace the expressions that held the dependency's S3 location with ``base_path``."""

    def __init__(self, parameter: str, sources: set) -> None:
        self.parameter, self.sources = parameter, sources

    def _is_source(self, node) -> bool:
        if isinstance(node, cst.Name):
            return node.value in self.sources
        if isinstance(node, cst.Subscript):
            return isinstance(node.value, cst.Name) and node.value.value == self.parameter
        if isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute):
            return node.func.attr.value == "get" and isinstance(node.func.value, cst.Name) \
                and node.func.value.value == self.parameter
        return False

    def on_leave(self, original, updated):
        if isinstance(original, (cst.Name, cst.Subscript, cst.Call)) and self._is_source(original):
            return cst.Name("base_path")
        if isinstance(original, cst.Attribute):
            return updated.with_changes(attr=original.attr)
        if isinstance(original, cst.Arg):
            return updated.with_changes(keyword=original.keyword)
        return updated


def _source_names(function: cst.FunctionDef, parameter: str) -> set:
    """Locals holding an input's location: ``for k, v in inputs.items()`` and ``x = inputs[...]``."""
    names = set()
    for node in _walk(function.body):
        if isinstance(node, cst.For) and isinstance(node.target, cst.Tuple) and len(node.target.elements) == 2:
            iterated = node.iter
            if isinstance(iterated, cst.Call) and isinstance(iterated.func, cst.Attribute) \
                    and iterated.func.attr.value == "items" and isinstance(iterated.func.value, cst.Name) \
                    and iterated.func.value.value == parameter:
                value = node.target.elements[1].value
                if isinstance(value, cst.Name):
                    names.add(value.value)
        elif isinstance(node, cst.Assign) and len(node.targets) == 1 and isinstance(node.targets[0].target, cst.Name):
            value = node.value
            if (isinstance(value, cst.Subscript) and isinstance(value.value, cst.Name)
                    and value.value.value == parameter):
                names.add(node.targets[0].target.value)
    return names


def _walk(node):
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(current.children)


def _free_names(node) -> set:
    names = set()
    for sub in _walk(node):
        if isinstance(sub, cst.Attribute):
            continue
        if isinstance(sub, cst.Name):
            names.add(sub.value)
    attributes = {sub.attr.value for sub in _walk(node) if isinstance(sub, cst.Attribute)}
    keywords = {sub.keyword.value for sub in _walk(node) if isinstance(sub, cst.Arg) and sub.keyword is not None}
    return names - attributes - keywords


def _one_line(call: cst.Call) -> cst.Call:
    """A call whose arguments were spread over lines, on one line (it moves to another indentation)."""
    if "\n" not in cst.Module([]).code_for_node(call):
        return call
    args = [arg.with_changes(whitespace_after_arg=cst.SimpleWhitespace(""),
                             comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")))
            for arg in call.args]
    if args:
        args[-1] = args[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
    return call.with_changes(args=args, whitespace_before_args=cst.SimpleWhitespace(""))


def _lift_channels(parsed, builder: Builder, facts, function: cst.FunctionDef, channels) -> cst.FunctionDef | None:
    """A helper returning the builder's own channels with the source replaced by ``base_path``."""
    parameter = facts.parameter
    transformer = _SourceToBasePath(parameter, _source_names(function, parameter))
    allowed = {"base_path", "self"} | _bound_names(builder.module) | set(dir(builtins))
    entries = []
    for channel in channels:
        call = parsed.find(channel.call, cst.Call)
        if call is None:
            return None
        lifted = call.visit(transformer)
        if "base_path" not in _free_names(lifted) or not _free_names(lifted) <= allowed:
            return None
        entries.append(f"{json.dumps(channel.name)}: {cst.Module([]).code_for_node(_one_line(lifted))}")
    if len(entries) == 1:
        channels_code = "{" + entries[0] + "}"
    else:
        channels_code = "{\n" + "".join(f"        {entry},\n" for entry in entries) + "    }"
    return cst.parse_statement(f"def {HELPER}(self, base_path):\n    {HELPER_DOC}\n    return {channels_code}\n")


# -- SL303: remove a dead branch -------------------------------------------------------
class _RemoveBranch(cst.CSTTransformer):
    """Remove the ``if``/``elif`` ``target``; what runs when its test is false takes its place."""

    def __init__(self, target: cst.If) -> None:
        self.target = target
        self.elif_parent: cst.If | None = None
        self.done = False

    def visit_If(self, node: cst.If) -> None:
        if node.orelse is self.target:
            self.elif_parent = node

    def leave_If(self, original: cst.If, updated: cst.If):
        if original is self.elif_parent:
            self.done = True
            return updated.with_changes(orelse=updated.orelse.orelse)
        if original is not self.target or self.elif_parent is not None:
            return updated
        self.done = True
        orelse = updated.orelse
        if orelse is None:
            return cst.RemoveFromParent()
        if isinstance(orelse, cst.If):
            return orelse.with_changes(leading_lines=updated.leading_lines)
        return cst.FlattenSentinel(list(orelse.body.body))

    def leave_IndentedBlock(self, original: cst.IndentedBlock, updated: cst.IndentedBlock):
        if not updated.body:
            return updated.with_changes(body=[cst.SimpleStatementLine([cst.Pass()])])
        return updated


def remove_branch(context, path: str, method_span, branch_span) -> Edit | None:
    """The edit removing the ``if``/``elif`` at ``branch_span`` from the method at ``method_span``."""
    parsed = context.parsed(path)
    if parsed is None:
        return None
    function = parsed.find(method_span, cst.FunctionDef)
    target = parsed.find(branch_span, cst.If)
    if function is None or target is None:
        return None
    transformer = _RemoveBranch(target)
    new_function = function.visit(transformer)
    if not transformer.done:
        return None
    new_function = new_function.with_changes(decorators=(), leading_lines=(), lines_after_decorators=())
    text = parsed.source.text
    start = parsed.offset(method_span.line, method_span.col)
    end = parsed.offset(method_span.end_line, method_span.end_col)
    replacement = render_statement(parsed, new_function, _line_indent(text, start))
    return minimal_edit(path, start, text[start:end], replacement)
