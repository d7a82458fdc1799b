"""The command line, run as a user runs it: output lines and exit codes."""

from __future__ import annotations

import json

from steplint.rules.specification import RedundantDependency

from tests.conftest import run_steplint

BROKEN = RedundantDependency.bad_examples[0].files
CLEAN = RedundantDependency.good_examples[0].files
SPEC_PATH = "steps/specs/training_spec.py"
CONTRACT_PATH = "steps/contracts/training_contract.py"


def test_clean_project_exits_zero(project):
    root = project(CLEAN)
    result = run_steplint(cwd=root)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == "0 findings (0 fixable)"


def test_findings_are_reported_at_file_line_col_and_exit_one(project):
    root = project(BROKEN)
    result = run_steplint(".", cwd=root)
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert lines[0].startswith(f"{SPEC_PATH}:15:9: SL101 redundant-dependency: dependency 'config' (HYPERPARAMETERS)")
    assert "[fix: remove dependency 'config']" in lines[0]
    assert lines[-1] == "1 finding (1 fixable)"
    assert result.stderr == ""


def test_fix_writes_both_files_and_second_run_changes_nothing(project):
    root = project(BROKEN)
    first = run_steplint("--fix", cwd=root)
    assert first.returncode == 0, first.stdout + first.stderr
    assert first.stdout.startswith("Fixed 1 finding in 2 files.")
    spec = (root / SPEC_PATH).read_bytes()
    contract = (root / CONTRACT_PATH).read_bytes()
    assert b'"config"' not in spec and b'"config"' not in contract
    assert b'"input_path"' in spec and b'"input_path": "/opt/ml/input/data"' in contract
    second = run_steplint("--fix", cwd=root)
    assert second.returncode == 0
    assert "Fixed" not in second.stdout
    assert (root / SPEC_PATH).read_bytes() == spec and (root / CONTRACT_PATH).read_bytes() == contract


def test_diff_prints_the_fix_and_writes_nothing(project):
    root = project(BROKEN)
    before = {path: (root / path).read_bytes() for path in BROKEN}
    result = run_steplint("--diff", cwd=root)
    assert result.returncode == 1
    assert f"--- a/{SPEC_PATH}" in result.stdout and f"+++ b/{CONTRACT_PATH}" in result.stdout
    assert '-            logical_name="config",' in result.stdout
    assert {path: (root / path).read_bytes() for path in BROKEN} == before
    clean = run_steplint("--diff", cwd=project(CLEAN))
    assert (clean.returncode, clean.stdout) == (0, "")


def test_select_and_ignore(project):
    root = project(BROKEN)
    assert run_steplint("--select", "SL2", cwd=root).returncode == 0
    assert run_steplint("--ignore", "SL101", cwd=root).returncode == 0
    assert run_steplint("--select", "SL1", cwd=root).returncode == 1


def test_json_format(project):
    result = run_steplint("--format", "json", cwd=project(BROKEN))
    [finding] = json.loads(result.stdout)
    assert finding["code"] == "SL101" and finding["filename"] == SPEC_PATH
    assert finding["location"] == {"row": 15, "column": 9}
    assert finding["fix"]["applicability"] == "safe"
    assert {edit["filename"] for edit in finding["fix"]["edits"]} == {SPEC_PATH, CONTRACT_PATH}


def test_configuration_in_pyproject(project):
    root = project({**BROKEN, "pyproject.toml": '[tool.steplint]\nignore = ["SL101"]\n'})
    assert run_steplint(cwd=root).returncode == 0
    root.joinpath("pyproject.toml").write_text(
        '[tool.steplint]\nper-file-ignores = { "steps/specs/*" = ["SL1"] }\n')
    assert run_steplint(cwd=root).returncode == 0


def test_bad_configuration_is_a_clear_error(project):
    root = project({**BROKEN, "pyproject.toml": '[tool.steplint]\nselekt = ["SL1"]\n'})
    result = run_steplint(cwd=root)
    assert result.returncode == 2
    assert "unknown key 'selekt'" in result.stderr and "Traceback" not in result.stderr
    root.joinpath("pyproject.toml").write_text('[tool.steplint]\nignore = ["SL999"]\n')
    result = run_steplint(cwd=root)
    assert result.returncode == 2 and "unknown rule code 'SL999'" in result.stderr
    root.joinpath("pyproject.toml").write_text('[tool.steplint\nignore = \n')
    result = run_steplint(cwd=root)
    assert result.returncode == 2 and "invalid TOML" in result.stderr
    root.joinpath("pyproject.toml").write_text('[tool.steplint.names]\nspec-class = ["X"]\n')
    result = run_steplint(cwd=root)
    assert result.returncode == 2 and "unknown key 'spec-class' in [tool.steplint.names]" in result.stderr


def test_renamed_classes_are_configurable(project):
    renamed = {path: text.replace("StepSpecification", "StepSpec") for path, text in BROKEN.items()}
    root = project(renamed)
    assert run_steplint(cwd=root).returncode == 0
    root.joinpath("pyproject.toml").write_text('[tool.steplint.names]\nspec-classes = ["StepSpec"]\n')
    assert run_steplint(cwd=root).returncode == 1


def test_usage_errors_exit_two(project):
    root = project(CLEAN)
    result = run_steplint("--format", "yaml", cwd=root)
    assert result.returncode == 2 and "invalid choice" in result.stderr
    result = run_steplint("--select", "NOPE", cwd=root)
    assert result.returncode == 2 and "unknown rule code 'NOPE'" in result.stderr
    result = run_steplint("--config", "missing.toml", cwd=root)
    assert result.returncode == 2 and "not found" in result.stderr


def test_missing_path_is_reported_and_other_paths_still_checked(project):
    root = project(BROKEN)
    result = run_steplint("does_not_exist.py", "steps", cwd=root)
    assert result.returncode == 2
    assert "does_not_exist.py: no such file or directory" in result.stderr
    assert "SL101" in result.stdout


def test_version_and_module_entry_point(project):
    result = run_steplint("--version", cwd=project(CLEAN))
    assert result.returncode == 0 and result.stdout.startswith("steplint ")


def test_rule_documentation(project):
    root = project(CLEAN)
    result = run_steplint("rule", "SL101", cwd=root)
    assert result.returncode == 0
    assert result.stdout.startswith("## SL101 redundant-dependency")
    assert "hyperparameters.json" in result.stdout
    listing = json.loads(run_steplint("rules", "--format", "json", cwd=root).stdout)
    assert {"code": "SL201", "name": "managed-contract-path"}.items() <= next(
        rule for rule in listing if rule["code"] == "SL201").items()
    assert run_steplint("rule", "SL000", cwd=root).returncode == 2
