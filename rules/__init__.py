"""Built-in rules, one module per family: SL1xx specifications, SL2xx contracts,
SL3xx builders, SL4xx alignment across artefacts, SL5xx SageMaker's own model, SL6xx YAML
step interfaces (*.step.yaml), SL9xx files.

Every public module of this package is scanned for ``Rule`` subclasses that define a
``code``; adding a rule is adding a class.
"""

from __future__ import annotations

import importlib
import os
import pkgutil
import re
from collections.abc import Sequence
from functools import lru_cache

from steplint.rule import Rule


@lru_cache(maxsize=1)
def rule_classes() -> tuple:
    found = {}
    for info in pkgutil.iter_modules(__path__):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        for value in vars(module).values():
            if isinstance(value, type) and issubclass(value, Rule) and "code" in vars(value):
                found[value.code] = value
    return tuple(found[code] for code in sorted(found))


_CODE = re.compile(r'^    code = "(SL\d{3})"$', re.MULTILINE)


@lru_cache(maxsize=1)
def rule_codes() -> tuple:
    """The code of every built-in rule, sorted, read from the text of the rule modules
    without importing them: the configuration checks the codes it names before a run that
    the result cache may serve, which then needs no rule. A test holds it equal to the
    codes of ``rule_classes()``."""
    found = set()
    for info in pkgutil.iter_modules(__path__):
        if not info.name.startswith("_"):
            path = os.path.join(info.module_finder.path, f"{info.name}.py")
            with open(path, encoding="utf-8") as module:
                found.update(_CODE.findall(module.read()))
    return tuple(sorted(found))


def all_rules() -> list:
    """One instance of every built-in rule, ordered by code."""
    return [rule() for rule in rule_classes()]


class LazyRules(Sequence):
    """``all_rules()``, made on first use: a run that the result cache serves reads no rule
    and so imports no rule module (nor the readers and examples they import)."""

    def __init__(self) -> None:
        self._rules: list | None = None

    def _all(self) -> list:
        if self._rules is None:
            self._rules = all_rules()
        return self._rules

    def __getitem__(self, index):
        return self._all()[index]

    def __len__(self) -> int:
        return len(self._all())


def rule_by_code(code: str):
    for rule in all_rules():
        if rule.code == code.upper() or rule.name == code:
            return rule
    return None
