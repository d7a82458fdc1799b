"""Output formats and report options, run as a user (or a CI job) runs them."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from xml.etree import ElementTree

import jsonschema
import pytest
from hypothesis import given
from hypothesis import strategies as st
from steplint.findings.finding import Finding
from steplint.model.values import Span
from steplint.reporting.reporters import format_github
from steplint.rules import all_rules

from tests.conftest import FIXTURES, REPO, run_steplint

SCHEMA = json.loads((REPO / "tests" / "data" / "sarif-schema-2.1.0-subset.json").read_text())
SPEC = "src/mlpipelines/pipeline_step_specs/pytorch_training_spec.py"
CONTRACT = "src/mlpipelines/pipeline_script_contracts/pytorch_train_contract.py"


@pytest.fixture
def legacy(tmp_path) -> Path:
    """A copy of the legacy-layout fixture project (the founding defect: SL101, SL201, SL301)."""
    return Path(shutil.copytree(FIXTURES / "legacy_layout", tmp_path / "legacy_layout"))


def _json_findings(root: Path) -> list:
    return json.loads(run_steplint("--format", "json", ".", cwd=root).stdout)


def _validator():
    jsonschema.Draft7Validator.check_schema(SCHEMA)
    return jsonschema.Draft7Validator(SCHEMA, format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER)


def test_sarif_is_valid_and_carries_rules_and_fixes(legacy):
    result = run_steplint("--format", "sarif", ".", cwd=legacy)
    assert result.returncode == 1, result.stderr
    log = json.loads(result.stdout)
    assert list(_validator().iter_errors(log)) == []
    run = log["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert [rule["id"] for rule in rules] == [rule.code for rule in all_rules()]
    assert all(rule["shortDescription"]["text"] and rule["fullDescription"]["text"] for rule in rules)
    assert {(r["ruleId"], r["locations"][0]["physicalLocation"]["region"]["startLine"]) for r in run["results"]} \
        == {(f["code"], f["location"]["row"]) for f in _json_findings(legacy)}
    for sarif_result in run["results"]:
        assert rules[sarif_result["ruleIndex"]]["id"] == sarif_result["ruleId"]


def test_sarif_fix_replacements_reproduce_the_fix(legacy):
    """Applying a result's SARIF replacements gives what ``steplint --fix`` writes."""
    log = json.loads(run_steplint("--format", "sarif", ".", cwd=legacy).stdout)
    (sl101,) = [r for r in log["runs"][0]["results"] if r["ruleId"] == "SL101"]
    texts = {}
    for change in sl101["fixes"][0]["artifactChanges"]:
        path = change["artifactLocation"]["uri"]
        text = (legacy / path).read_text(encoding="utf-8")
        for replacement in sorted(change["replacements"], key=lambda r: -r["deletedRegion"]["charOffset"]):
            start = replacement["deletedRegion"]["charOffset"]
            end = start + replacement["deletedRegion"]["charLength"]
            text = text[:start] + replacement["insertedContent"]["text"] + text[end:]
        texts[path] = text
    assert set(texts) == {SPEC, CONTRACT}
    run_steplint("--fix", "--select", "SL101", ".", cwd=legacy)
    for path, text in texts.items():
        assert (legacy / path).read_text(encoding="utf-8") == text


def test_the_schema_rejects_a_broken_log(legacy):
    log = json.loads(run_steplint("--format", "sarif", ".", cwd=legacy).stdout)
    del log["runs"][0]["results"][0]["message"]
    log["runs"][0]["results"][1]["level"] = "fatal"
    assert len(list(_validator().iter_errors(log))) == 2


def test_sarif_of_a_clean_project_is_valid(tmp_path):
    root = Path(shutil.copytree(FIXTURES / "steps_layout", tmp_path / "steps_layout"))
    result = run_steplint("--format", "sarif", ".", cwd=root)
    log = json.loads(result.stdout)
    assert list(_validator().iter_errors(log)) == []
    assert log["runs"][0]["results"] == []


ANNOTATION = re.compile(r"^::(error|warning) file=([^,]+),line=(\d+),col=(\d+),endLine=\d+,endColumn=\d+,"
                        r"title=(SL\d{3}) [a-z-]+::(SL\d{3}) .+$")


def test_github_annotations_one_per_finding(legacy):
    result = run_steplint("--format", "github", ".", cwd=legacy)
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    expected = {(f["filename"], f["location"]["row"], f["location"]["column"], f["code"])
                for f in _json_findings(legacy)}
    parsed = set()
    for line in lines:
        match = ANNOTATION.match(line)
        assert match, line
        parsed.add((match.group(2), int(match.group(3)), int(match.group(4)), match.group(5)))
    assert parsed == expected and len(lines) == len(expected)


def _unescape(value: str) -> str:
    return value.replace("%0A", "\n").replace("%0D", "\r").replace("%3A", ":").replace("%2C", ",").replace("%25", "%")


@given(st.text(), st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1))
def test_github_escaping_keeps_one_line_and_the_text(message, path):
    finding = Finding("SL101", "redundant-dependency", message, path, Span(3, 4, 3, 9))
    output = format_github([finding])
    assert output.count("\n") == 1 and "\r" not in output
    head, body = output.rstrip("\n").split("::", 2)[1:]
    assert _unescape(body) == f"SL101 {message}"
    assert _unescape(head.split("file=", 1)[1].split(",line=", 1)[0]) == path


def test_junit_has_a_failing_testcase_per_finding(legacy):
    result = run_steplint("--format", "junit", ".", cwd=legacy)
    root = ElementTree.fromstring(result.stdout)
    cases = root.findall("./testsuite/testcase")
    assert len(cases) == len(_json_findings(legacy)) == int(root.get("failures"))
    assert all(case.find("failure") is not None for case in cases)
    assert {case.find("failure").get("type") for case in cases} == {"SL101", "SL201", "SL301"}


def test_show_source_puts_a_caret_under_the_column(legacy):
    result = run_steplint("--show-source", "--select", "SL201", ".", cwd=legacy)
    lines = result.stdout.splitlines()
    header = next(index for index, line in enumerate(lines) if " SL201 " in line)
    column = int(lines[header].split(":")[2])
    source_line, caret_line = lines[header + 1], lines[header + 2]
    code = (legacy / CONTRACT).read_text().splitlines()[int(lines[header].split(":")[1]) - 1]
    assert source_line.endswith(code)
    offset = source_line.index("| ") + 2
    assert caret_line.index("^") - offset == column - 1
    assert caret_line[caret_line.index("^"):] == "^" * len('"config"')


def test_statistics_counts_per_rule(legacy):
    result = run_steplint("--statistics", ".", cwd=legacy)
    assert result.returncode == 1
    rows = [line.split() for line in result.stdout.splitlines()]
    assert sorted((row[1], int(row[0])) for row in rows) == [("SL101", 1), ("SL201", 1), ("SL301", 1)]


def test_output_file_and_exit_zero(legacy):
    result = run_steplint("--format", "sarif", "--output-file", "report.sarif", "--exit-zero", ".", cwd=legacy)
    assert result.returncode == 0 and result.stdout == ""
    assert len(json.loads((legacy / "report.sarif").read_text())["runs"][0]["results"]) == 3


def test_exit_zero_still_reports_errors(legacy):
    result = run_steplint("--exit-zero", "missing.py", ".", cwd=legacy)
    assert result.returncode == 2
    assert "missing.py: no such file or directory" in result.stderr


def test_unwritable_output_file_is_an_error(legacy):
    result = run_steplint("--output-file", "no/such/dir/report.txt", ".", cwd=legacy)
    assert result.returncode == 2 and "cannot write report" in result.stderr and "Traceback" not in result.stderr
