"""The layout shows the data flow: no module imports another that (through any chain)
imports it back, and each stage depends only on the stages before it.

Imports are read statically from the source (``ast``), every ``import`` and ``from``
anywhere in a module, function-local ones included; only imports under
``if TYPE_CHECKING:`` are left out, since they never run.
"""

from __future__ import annotations

import ast
from pathlib import Path

from tests.conftest import REPO

PACKAGES = {"steplint": REPO / "linter", "steplint.rules": REPO / "rules"}


def modules() -> dict:
    """``{module name: path}`` for every module of steplint and its rules."""
    found = {}
    for package, root in PACKAGES.items():
        for path in sorted(root.rglob("*.py")):
            parts = [part for part in path.relative_to(root).with_suffix("").parts if part != "__init__"]
            found[".".join([package, *parts])] = path
    return found


def _type_checking_nodes(tree: ast.AST) -> set:
    skipped = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skipped.update(id(child) for child in ast.walk(node))
    return skipped


def imports_of(name: str, path: Path, known: dict) -> set:
    """The steplint modules ``name`` imports."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skipped = _type_checking_nodes(tree)
    found = set()
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
                base = base[:len(base) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            candidates = [target] + [f"{target}.{alias.name}" for alias in node.names]
        elif isinstance(node, ast.Import):
            candidates = [alias.name for alias in node.names]
        else:
            continue
        found.update(candidate for candidate in candidates if candidate in known and candidate != name)
    return found


def import_graph() -> dict:
    known = modules()
    return {name: imports_of(name, path, known) for name, path in known.items()}


def cycles(graph: dict) -> list:
    """The strongly connected components of more than one module (Tarjan, iterative)."""
    index, low, on_stack, stack, found = {}, {}, set(), [], []
    counter = 0
    for start in graph:
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_no_import_cycles():
    assert cycles(import_graph()) == []


def test_the_cycle_finder_finds_a_cycle():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


# Each stage may import only the stages listed (and itself); top-level modules are named whole.
ALLOWED = {
    "steplint.model": set(),
    "steplint.sagemaker": set(),
    "steplint.findings": {"steplint.model"},
    "steplint.files": {"steplint.model"},
    "steplint.config": {"steplint.files"},
    "steplint.readers": {"steplint.model", "steplint.files", "steplint.config", "steplint.findings",
                         "steplint.sagemaker"},
    "steplint.rule": {"steplint.model", "steplint.findings", "steplint.readers"},
    "steplint.engine": {"steplint.model", "steplint.files", "steplint.config", "steplint.findings",
                        "steplint.readers", "steplint.rule", "steplint.sagemaker"},
    "steplint.fixing": {"steplint.model", "steplint.files", "steplint.findings", "steplint.readers",
                        "steplint.engine"},
    "steplint.reporting": {"steplint.model", "steplint.findings", "steplint.rule"},
}


def stage(module: str) -> str:
    for name in sorted(ALLOWED, key=len, reverse=True):
        if module == name or module.startswith(name + "."):
            return name
    return module


def test_each_stage_imports_only_earlier_stages():
    wrong = []
    for module, targets in import_graph().items():
        own = stage(module)
        if own not in ALLOWED:
            continue
        for target in targets:
            other = stage(target)
            if other != own and other != "steplint" and other not in ALLOWED[own]:
                wrong.append(f"{module} imports {target}")
    assert wrong == []


STEP_MODEL_RULE_IMPORTS = ("steplint.model", "steplint.rule", "steplint.sagemaker")
# Modules of step-model rules allowed one more import, and why.
IMPORT_EXEMPTIONS = {
    "steplint.rules.files": "the file-problem rules (SL901, SL902, SL905-SL907) report what every reader found; their "
                            "rationale quotes the readers' size and depth limits",
    "steplint.rules.suppressions": "SL903 judges suppression comments: it reads their syntax, asks the rule registry "
                                   "which codes ran, and its example is SL101's with a directive added",
}


def rule_modules() -> dict:
    """``{module name: [rule classes]}`` of every module of ``steplint.rules`` defining rules."""
    from steplint.rules import rule_classes

    found: dict = {}
    for rule in rule_classes():
        found.setdefault(rule.__module__, []).append(rule)
    return found


def test_step_model_rules_import_only_the_step_model_the_rule_api_and_sagemaker_facts():
    """A module whose rules declare no reader (``Rule.reader`` None) holds for every source form."""
    graph = import_graph()
    examples = {name for name in graph if name.startswith("steplint.rules._") and "examples" in name}
    step_model_modules = [module for module, rules in rule_modules().items()
                          if all(rule.reader is None for rule in rules) and module not in IMPORT_EXEMPTIONS]
    assert {"steplint.rules.alignment", "steplint.rules.pipeline", "steplint.rules.container_paths",
            "steplint.rules.logical_names", "steplint.rules.scripts"} <= set(step_model_modules)
    wrong = []
    for module in step_model_modules:
        for target in graph[module]:
            if target in examples:
                continue
            if not any(target == allowed or target.startswith(allowed + ".") for allowed in STEP_MODEL_RULE_IMPORTS):
                wrong.append(f"{module} imports {target}")
    assert wrong == []


READER_ONLY_ATTRIBUTES = {"model": "python", "reader_facts": None}


def reader_uses(rule) -> set:
    """The readers whose own facts the class body of ``rule`` reads: ``context.model`` (the
    Python reader's index) and ``context.reader_facts(...)`` (a registered reader's facts)."""
    import inspect
    import textwrap

    tree = ast.parse(textwrap.dedent(inspect.getsource(rule)))
    return {READER_ONLY_ATTRIBUTES[node.attr] or "registered" for node in ast.walk(tree)
            if isinstance(node, ast.Attribute) and node.attr in READER_ONLY_ATTRIBUTES
            and isinstance(node.value, ast.Name) and node.value.id == "context"}


def test_a_rule_reading_a_readers_own_facts_declares_that_reader():
    undeclared = {rule.code for rules in rule_modules().values() for rule in rules
                  if reader_uses(rule) and rule.reader is None}
    assert undeclared == set()


def test_a_reader_specific_rule_names_a_known_source_form():
    from steplint.readers import readers
    from steplint.rule import SOURCE_FORMS

    assert set(SOURCE_FORMS) == {"python"} | {reader.name for reader in readers()}
    unknown = [rule.code for rules in rule_modules().values() for rule in rules
               if rule.reader is not None and rule.reader not in SOURCE_FORMS]
    assert unknown == []


def test_the_reader_use_check_sees_context_model():
    from steplint.rule import Rule

    class Reads(Rule):
        code = "SL000"

        def check(self, context):
            return context.model.specs

    class Pure(Rule):
        code = "SL000"

        def check(self, context):
            return context.steps

    assert reader_uses(Reads) == {"python"} and reader_uses(Pure) == set()


def test_the_rule_codes_read_from_the_module_text_are_the_rules_codes():
    from steplint.rules import rule_classes, rule_codes

    assert rule_codes() == tuple(rule.code for rule in rule_classes())
