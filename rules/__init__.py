"""Built-in rules, one module per family (SL1xx specs, SL2xx contracts, SL9xx files)."""

from __future__ import annotations

from steplint.rules.contract import ManagedContractPath
from steplint.rules.files import SyntaxErrorRule, UnreadableFileRule
from steplint.rules.specification import RedundantDependency

ALL_RULES = (
    RedundantDependency,
    ManagedContractPath,
    SyntaxErrorRule,
    UnreadableFileRule,
)


def all_rules() -> list:
    """One instance of every built-in rule, ordered by code."""
    return sorted((rule() for rule in ALL_RULES), key=lambda rule: rule.code)


def rule_by_code(code: str):
    for rule in all_rules():
        if rule.code == code.upper() or rule.name == code:
            return rule
    return None
