"""Built-in rules, one module per family: SL1xx specifications, SL2xx contracts,
SL3xx builders, SL4xx alignment across artefacts, SL5xx SageMaker's own model, SL6xx YAML
step interfaces (*.step.yaml), SL9xx files.

Every public module of this package is scanned for ``Rule`` subclasses that define a
``code``; adding a rule is adding a class.
"""

from __future__ import annotations

import importlib
import pkgutil
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


def all_rules() -> list:
    """One instance of every built-in rule, ordered by code."""
    return [rule() for rule in rule_classes()]


def rule_by_code(code: str):
    for rule in all_rules():
        if rule.code == code.upper() or rule.name == code:
            return rule
    return None
