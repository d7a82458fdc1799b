"""Every rule's documented bad examples produce its finding; its good examples do not."""

from __future__ import annotations

import pytest
from steplint.api import check_paths, configure
from steplint.rules import all_rules

from tests.conftest import write_project

CASES = [
    pytest.param(rule, kind, index, example, id=f"{rule.code}-{kind}-{index}")
    for rule in all_rules()
    for kind, examples in (("bad", rule.bad_examples), ("good", rule.good_examples))
    for index, example in enumerate(examples)
]


def test_every_rule_has_bad_and_good_examples():
    for rule in all_rules():
        assert rule.bad_examples, f"{rule.code} has no bad example"
        assert rule.good_examples, f"{rule.code} has no good example"


@pytest.mark.parametrize(("rule", "kind", "index", "example"), CASES)
def test_examples(tmp_path, monkeypatch, rule, kind, index, example):
    root = write_project(tmp_path, example.files)
    monkeypatch.chdir(root)
    result = check_paths(["."], configure(["."]))
    codes = [finding.code for finding in result.findings if finding.code == rule.code]
    assert not result.internal_errors
    if kind == "bad":
        assert len(codes) == example.expect, [f.message for f in result.findings]
    else:
        assert codes == [], [f.message for f in result.findings]
