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
    failing = [case for case in root.findall("./testsuite/testcase") if case.find("failure") is not None]
    assert len(failing) == len(_json_findings(legacy)) == int(root.get("failures"))
    assert {case.find("failure").get("type") for case in failing} == {"SL101", "SL201", "SL301"}
    checked = run_steplint("--show-files", ".", cwd=legacy).stdout.splitlines()
    passing = {case.get("file") for case in root.findall("./testsuite/testcase") if case.find("failure") is None}
    assert passing == set(checked) - {case.get("file") for case in failing}
    assert int(root.get("tests")) == len(failing) + len(passing)


def test_junit_of_a_clean_run_has_a_passing_testcase_per_checked_file(tmp_path):
    """Jenkins fails a JUnit report without test cases; a clean run is a passing report."""
    root = Path(shutil.copytree(FIXTURES / "steps_layout", tmp_path / "steps_layout"))
    result = run_steplint("--output-format", "junit", ".", cwd=root)
    assert result.returncode == 0, result.stderr
    report = ElementTree.fromstring(result.stdout)
    cases = report.findall("./testsuite/testcase")
    checked = run_steplint("--show-files", ".", cwd=root).stdout.splitlines()
    assert len(checked) > 10
    assert sorted(case.get("file") for case in cases) == sorted(checked)
    assert all(case.find("failure") is None for case in cases)
    assert (report.get("tests"), report.get("failures")) == (str(len(checked)), "0")
    nothing = run_steplint("--output-format", "junit", "--force-exclude", "--exclude", "src", "src/buyer_models",
                           cwd=root)
    [case] = ElementTree.fromstring(nothing.stdout).findall("./testsuite/testcase")
    assert case.get("name") == "no files to check" and case.find("failure") is None


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


def test_statistics_mark_safe_and_unsafe_fixes_apart(legacy):
    """SL301's only fix is unsafe: ``[-]`` (``--fix`` leaves it), ``[*]`` once ``--unsafe-fixes`` is given."""
    markers = {row.split()[1]: row.split()[-1] for row in run_steplint("--statistics", ".", cwd=legacy).stdout.splitlines()}
    assert markers == {"SL101": "[*]", "SL201": "[*]", "SL301": "[-]"}
    unsafe = run_steplint("--statistics", "--unsafe-fixes", ".", cwd=legacy).stdout.splitlines()
    assert {row.split()[1]: row.split()[-1] for row in unsafe}["SL301"] == "[*]"


def test_statistics_as_json(legacy):
    result = run_steplint("--statistics", "--output-format", "json", ".", cwd=legacy)
    assert result.returncode == 1
    rows = {row["code"]: row for row in json.loads(result.stdout)}
    assert rows["SL301"] == {"code": "SL301", "name": "ad-hoc-get-inputs", "count": 1, "fixable": False,
                             "fix": "unsafe"}
    assert rows["SL101"]["fixable"] is True and rows["SL101"]["fix"] == "safe"
    refused = run_steplint("--statistics", "--output-format", "sarif", ".", cwd=legacy)
    assert refused.returncode == 2 and "--statistics prints text or json, not sarif" in refused.stderr


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


# CI formats: GitLab Code Quality, the JSON schema, SARIF paths from the repository's top.

GITLAB_SCHEMA = json.loads((REPO / "tests" / "data" / "gitlab-code-quality-schema.json").read_text())


def _schema_errors(schema: dict, document) -> list:
    jsonschema.Draft7Validator.check_schema(schema)
    validator = jsonschema.Draft7Validator(schema, format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER)
    return [error.message for error in validator.iter_errors(document)]


def test_gitlab_code_quality_report(legacy):
    result = run_steplint("--output-format", "gitlab", ".", cwd=legacy)
    assert result.returncode == 1, result.stderr
    issues = json.loads(result.stdout)
    assert _schema_errors(GITLAB_SCHEMA, issues) == []
    assert {(issue["check_name"], issue["location"]["path"], issue["location"]["lines"]["begin"])
            for issue in issues} == {(f["code"], f["filename"], f["location"]["row"]) for f in _json_findings(legacy)}
    assert {issue["severity"] for issue in issues} == {"major"}
    assert len({issue["fingerprint"] for issue in issues}) == len(issues)
    assert _schema_errors(GITLAB_SCHEMA, [{**issues[0], "severity": "high"}])  # the schema can fail


def test_gitlab_fingerprints_are_stable_across_runs_and_moved_lines(legacy):
    """GitLab tracks an issue by its fingerprint: the same finding keeps it when the run is
    repeated and when lines are inserted above it; a different finding gets another."""
    def fingerprints() -> dict:
        report = json.loads(run_steplint("--output-format", "gitlab", "--no-cache", ".", cwd=legacy).stdout)
        return {issue["check_name"]: (issue["fingerprint"], issue["location"]["lines"]["begin"]) for issue in report}

    first = fingerprints()
    assert fingerprints() == first
    path = legacy / CONTRACT
    path.write_text("# a comment\n# another\n" + path.read_text())
    moved = fingerprints()
    assert moved["SL201"][1] == first["SL201"][1] + 2
    assert {code: fingerprint for code, (fingerprint, _) in moved.items()} == \
        {code: fingerprint for code, (fingerprint, _) in first.items()}


def test_gitlab_warnings_are_minor_and_paths_are_from_the_repository_top(legacy):
    (legacy / ".git").mkdir()  # the repository's top, above the directory steplint runs in
    (legacy / "src" / "notes.py").write_text("RETRIES = 3  # steplint: ignore[SL101]\n")  # SL903, a warning
    result = run_steplint("--output-format", "gitlab", ".", cwd=legacy / "src")
    issues = {issue["check_name"]: issue for issue in json.loads(result.stdout)}
    assert issues["SL903"]["severity"] == "minor" and issues["SL903"]["location"]["path"] == "src/notes.py"
    assert issues["SL201"]["location"]["path"] == CONTRACT


def test_json_output_follows_its_published_schema(legacy):
    from steplint.reporting.json_schema import SCHEMA, schema_text

    assert (REPO / "docs" / "json-output-v1.schema.json").read_text(encoding="utf-8") == schema_text(), (
        "docs/json-output-v1.schema.json is stale: run `python -m steplint.reporting.json_schema > "
        "docs/json-output-v1.schema.json`")
    findings = _json_findings(legacy)
    assert isinstance(findings, list) and findings
    assert _schema_errors(SCHEMA, findings) == []
    broken = [{**findings[0], "location": {"row": 0, "column": 1}}]
    assert _schema_errors(SCHEMA, broken)  # the schema can fail
    assert findings[0]["url"].endswith("#" + f"{findings[0]['code']}-{findings[0]['name']}".lower())


def test_json_edits_give_lines_and_columns_that_match_their_offsets(legacy):
    """An edit's ``start``/``end`` are code-point offsets; ``location``/``end_location`` are
    the same places as row and column (1-based), in files with non-ASCII text above them."""
    path = legacy / SPEC
    path.write_text("# Größe: 1–2 µm ✓\n" + path.read_text(encoding="utf-8"), encoding="utf-8")
    edits = [edit for finding in _json_findings(legacy) if finding["fix"] for edit in finding["fix"]["edits"]]
    assert edits
    for edit in edits:
        text = (legacy / edit["filename"]).read_text(encoding="utf-8")
        for offset, position in ((edit["start"], edit["location"]), (edit["end"], edit["end_location"])):
            lines = text.splitlines(keepends=True)
            assert sum(len(line) for line in lines[:position["row"] - 1]) + position["column"] - 1 == offset


def test_sarif_uris_are_relative_to_the_repository_top_with_help_links(legacy):
    (legacy / ".git").mkdir()
    result = run_steplint("--output-format", "sarif", "pipeline_step_specs", cwd=legacy / "src" / "mlpipelines")
    log = json.loads(result.stdout)
    assert list(_validator().iter_errors(log)) == []
    run = log["runs"][0]
    assert run["originalUriBaseIds"] == {"%SRCROOT%": {"uri": legacy.resolve().as_uri() + "/"}}
    locations = [r["locations"][0]["physicalLocation"]["artifactLocation"] for r in run["results"]]
    assert {"uri": SPEC, "uriBaseId": "%SRCROOT%"} in locations
    for rule in run["tool"]["driver"]["rules"]:
        assert rule["helpUri"].startswith("https://") and rule["helpUri"].endswith(
            f"/docs/rules.md#{rule['id'].lower()}-{rule['name']}")
    anchors = re.findall(r"\]\(#([a-z0-9-]+)\)", (REPO / "docs" / "rules.md").read_text(encoding="utf-8"))
    assert {rule["helpUri"].split("#")[1] for rule in run["tool"]["driver"]["rules"]} == set(anchors)
    headings = re.findall(r"^## (SL\d{3}) ([a-z-]+)$", (REPO / "docs" / "rules.md").read_text(encoding="utf-8"), re.M)
    assert {f"{code}-{name}".lower() for code, name in headings} == set(anchors)


def test_sarif_uris_with_spaces_are_percent_encoded(tmp_path):
    root = Path(shutil.copytree(FIXTURES / "legacy_layout", tmp_path / "my project"))
    (root / "src" / "odd #dir").mkdir()
    (root / "src" / "odd #dir" / "notes.py").write_text("RETRIES = 3  # steplint: ignore[SL101]\n")  # SL903
    log = json.loads(run_steplint("--output-format", "sarif", ".", cwd=root).stdout)
    assert list(_validator().iter_errors(log)) == []
    uris = [r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in log["runs"][0]["results"]]
    assert "src/odd%20%23dir/notes.py" in uris and SPEC in uris
    assert log["runs"][0]["originalUriBaseIds"]["%SRCROOT%"]["uri"].endswith("/my%20project/")
