"""Plain SageMaker SDK pipelines: the SL7xx rules' fix, and the step-model rules on this form."""

from __future__ import annotations

import ast
import shutil
from pathlib import Path

import pytest
from steplint.api import check_paths, configure, fix_paths_in_memory
from steplint.rules import all_rules

from tests.conftest import write_project

CASES = Path("/work/shared/cases")
PIPELINE_RULES = [rule for rule in all_rules() if rule.code.startswith("SL7")]


def findings(root: Path, monkeypatch) -> list:
    monkeypatch.chdir(root)
    result = check_paths(["."], configure(["."]))
    assert not result.internal_errors
    return result.findings


@pytest.mark.parametrize("rule", PIPELINE_RULES, ids=[rule.code for rule in PIPELINE_RULES])
def test_pipeline_rules_are_documented(rule):
    assert rule.bad_examples and rule.good_examples and rule.rationale


def test_the_case_fix_renames_the_output_key_and_is_idempotent(tmp_path, monkeypatch):
    [example] = [example for rule in PIPELINE_RULES for example in rule.bad_examples if example.fixed is not None]
    monkeypatch.chdir(write_project(tmp_path, example.files))
    outcome = fix_paths_in_memory(["."], configure(["."]))
    fixed = {path: source.text for path, source in outcome.workspace.sources.items()}
    assert fixed == example.fixed
    for text in outcome.changed.values():
        ast.parse(text)
    assert not [f for f in outcome.result.findings if f.code == "SL701"]
    write_project(tmp_path, outcome.changed)
    again = fix_paths_in_memory(["."], configure(["."]))
    assert not again.changed


def test_a_close_but_not_case_only_key_is_reported_without_a_fix(tmp_path, monkeypatch):
    from steplint.rules._pipeline_examples import pipeline_project

    root = write_project(tmp_path, pipeline_project(('Outputs["train"].S3Output', 'Outputs["trian"].S3Output')))
    [finding] = [f for f in findings(root, monkeypatch) if f.code == "SL701"]
    assert finding.fix is None and "close to 'train'" in finding.message


@pytest.mark.skipif(not CASES.is_dir(), reason="the shared cases are not on this machine")
@pytest.mark.parametrize(("case", "codes", "where"), [
    ("public-processing-dest-outside", {"SL202"}, "pipeline.py"),
    ("public-output-name-not-in-job", {"SL701", "SL702"}, "pipeline.py"),
    ("public-eleven-processing-inputs", {"SL506"}, "pipeline.py"),
    ("public-sm-channel-default", {"SL405"}, "code/risk_train.py"),
])
def test_the_plain_form_of_each_public_case_is_caught(tmp_path, monkeypatch, case, codes, where):
    root = Path(shutil.copytree(CASES / case / "plain", tmp_path / "plain"))
    # the finding's own file or a related one (SL405 reports a script's read at the step that declares it)
    found = {(f.code, path) for f in findings(root, monkeypatch) for path in (f.path, *f.related_paths)}
    assert {(code, where) for code in codes} <= found, found
