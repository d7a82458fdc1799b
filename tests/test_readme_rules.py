"""The README's rule table lists every rule with its fix applicability."""

from __future__ import annotations

import re

from steplint.rules import all_rules

from tests.conftest import REPO

ROW = re.compile(r"^\| (SL\d{3}) \| ([a-z-]+)(?: \(warning\))? \| (safe|unsafe|–) \|$", re.MULTILINE)


def test_readme_rule_table_matches_the_rules():
    table = {code: (name, fix) for code, name, fix in ROW.findall((REPO / "README.md").read_text())}
    expected = {rule.code: (rule.name, {"none": "–"}.get(rule.fix_applicability.value, rule.fix_applicability.value))
                for rule in all_rules()}
    assert table == expected
