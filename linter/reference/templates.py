"""The reference builders' methods as LibCST nodes: what steplint's rewrite fixes generate code from.

The reference modules are read as text and parsed, never imported (they import the
SageMaker SDK), so the code a fix writes is exactly the code the reference runs.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import libcst as cst

_HERE = Path(__file__).resolve().parent

# (module file, class) holding the reference methods for each step kind.
REFERENCE_CLASSES = {
    "training": ("training.py", "TrainingStepBuilder"),
    "pytorch": ("pytorch_training.py", "PyTorchTrainingStepBuilder"),
    "xgboost": ("xgboost_training.py", "XGBoostTrainingStepBuilder"),
    "processing": ("processing.py", "ProcessingStepBuilder"),
}


@dataclass(frozen=True)
class MethodTemplate:
    """A reference method and the imports its body needs (local name -> ``from`` module)."""

    reference: str
    function: cst.FunctionDef
    imports: dict


@cache
def _module(file_name: str) -> cst.Module:
    return cst.parse_module((_HERE / file_name).read_text(encoding="utf-8"))


def _imported_names(module: cst.Module) -> dict:
    names = {}
    for statement in module.body:
        if not isinstance(statement, cst.SimpleStatementLine):
            continue
        for small in statement.body:
            if isinstance(small, cst.ImportFrom) and small.module is not None and not small.relative \
                    and not isinstance(small.names, cst.ImportStar):
                source = cst.Module([]).code_for_node(small.module)
                for alias in small.names:
                    local = alias.asname.name.value if alias.asname is not None else alias.name.value
                    names[local] = (source, alias.name.value)
    return names


def _module_constants(module: cst.Module) -> set:
    found = set()
    for statement in module.body:
        if isinstance(statement, cst.SimpleStatementLine):
            for small in statement.body:
                if isinstance(small, cst.Assign):
                    found.update(t.target.value for t in small.targets if isinstance(t.target, cst.Name))
    return found


class _Names(cst.CSTVisitor):
    def __init__(self) -> None:
        self.names: set = set()

    def visit_Name(self, node: cst.Name) -> None:
        self.names.add(node.value)

    def visit_Attribute(self, node: cst.Attribute) -> bool:
        node.value.visit(self)
        return False


def method_template(kind: str, method: str) -> MethodTemplate | None:
    """The reference ``method`` for ``kind`` (a key of ``REFERENCE_CLASSES``), or None."""
    if kind not in REFERENCE_CLASSES:
        return None
    file_name, class_name = REFERENCE_CLASSES[kind]
    module = _module(file_name)
    for statement in module.body:
        if isinstance(statement, cst.ClassDef) and statement.name.value == class_name:
            for member in statement.body.body:
                if isinstance(member, cst.FunctionDef) and member.name.value == method:
                    used = _Names()
                    member.body.visit(used)
                    available = _imported_names(module)
                    constants = _module_constants(module) & used.names
                    if constants:
                        raise ValueError(f"reference {class_name}.{method} uses module constants {constants}: "
                                         "a template must be self-contained")
                    imports = {name: available[name] for name in sorted(used.names & set(available))
                               if not available[name][0].startswith("steplint")}
                    return MethodTemplate(f"{class_name}.{method}", member, imports)
    return None
