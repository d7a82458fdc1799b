"""The README's rule table lists every rule with its fix applicability and the source forms it checks."""

from __future__ import annotations

import re

from steplint.rule import source_form
from steplint.rules import all_rules

from tests.conftest import REPO

ROW = re.compile(r"^\| (SL\d{3}) \| ([a-z-]+)(?: \(warning\))? \| (safe|unsafe|–) \| ([A-Za-z ]+) \|$", re.MULTILINE)



def test_readme_rule_table_matches_the_rules():
    table = {code: (name, fix, form) for code, name, fix, form in ROW.findall((REPO / "README.md").read_text())}
    expected = {rule.code: (rule.name, {"none": "–"}.get(rule.fix_applicability.value, rule.fix_applicability.value),
                            source_form(rule)) for rule in all_rules()}
    assert table == expected
