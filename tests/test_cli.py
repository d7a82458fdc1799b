"""The command line, run as a user runs it: output lines and exit codes."""

from __future__ import annotations

import json

from steplint.rules.specification import RedundantDependency

from tests.conftest import run_steplint, write_project

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
    assert lines[0].startswith(f"{SPEC_PATH}:15:9: SL101 redundant-dependency: dependency 'config' is redundant: ")
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


# The command line in ruff's style: commands, options and output.

WARNING_ONLY = {**CLEAN, "steps/notes.py": "RETRIES = 3  # steplint: ignore[SL101]\n"}  # SL903, a warning


def test_help_lists_the_commands_and_bare_paths_mean_check(project):
    root = project(BROKEN)
    help_text = run_steplint("--help", cwd=root).stdout
    for command in ("check", "rule", "rules"):
        assert f"\n  {command} " in help_text
    assert "--output-format" in help_text and "--show-files" in help_text
    assert run_steplint("check", "--help", cwd=root).stdout.startswith("usage: steplint check ")
    assert run_steplint("rule", "--help", cwd=root).stdout.startswith("usage: steplint rule ")
    bare, check = run_steplint(".", cwd=root), run_steplint("check", ".", cwd=root)
    assert (bare.returncode, bare.stdout) == (check.returncode, check.stdout) == (1, bare.stdout)
    assert "SL101" in bare.stdout
    assert run_steplint("check", cwd=root).stdout == bare.stdout


def test_a_first_argument_spelled_check_is_the_command(project):
    """As in ruff: ``steplint check`` runs the command on ``.``; the directory named
    ``check`` is checked with ``steplint check check`` or ``steplint ./check``."""
    root = project({**{f"check/{path}": text for path, text in BROKEN.items()}, "top.py": "x = 1\n"})
    command = run_steplint("check", "--show-files", cwd=root).stdout.splitlines()
    assert "top.py" in command and f"check/{SPEC_PATH}" in command
    directory = run_steplint("check", "check", "--show-files", cwd=root).stdout.splitlines()
    assert "top.py" not in directory and f"check/{SPEC_PATH}" in directory
    assert run_steplint("./check", "--show-files", cwd=root).stdout.splitlines() == directory
    result = run_steplint("check", "check", cwd=root)
    assert result.returncode == 1 and f"check/{SPEC_PATH}:15:9: SL101" in result.stdout


def test_output_format_and_its_alias_format(project):
    root = project(BROKEN)
    long, alias = run_steplint("--output-format", "json", cwd=root), run_steplint("--format", "json", cwd=root)
    assert json.loads(long.stdout) == json.loads(alias.stdout) and long.returncode == 1
    assert run_steplint("--output-format", "concise", cwd=root).stdout == run_steplint(cwd=root).stdout
    listing = run_steplint("rules", "--output-format", "json", cwd=root)
    assert {rule["code"] for rule in json.loads(listing.stdout)} >= {"SL101", "SL903"}


def test_full_format_adds_source_and_rationale_while_text_stays_one_line(project):
    root = project(BROKEN)
    text = run_steplint(cwd=root).stdout.splitlines()
    assert len(text) == 2 and text[0].startswith(f"{SPEC_PATH}:15:9: SL101")
    full = run_steplint("--output-format", "full", cwd=root)
    assert full.returncode == 1
    lines = full.stdout.splitlines()
    assert lines[0] == text[0]
    source_line = (root / SPEC_PATH).read_text().splitlines()[14]
    assert lines[1] == f"  15 | {source_line}" and lines[2].strip().startswith("| ") and "^" in lines[2]
    why_at = next(index for index, line in enumerate(lines) if line.startswith("  = why:"))
    help_text = " ".join(line.split("= help:")[-1].strip() for line in lines[3:why_at])
    assert lines[3].startswith("  = help: ") and "Remove the dependency and its 'config' entry" in help_text
    why = " ".join(line.split("= why:")[-1].strip() for line in lines[why_at:] if line.startswith("  ")
                   and not line.startswith("  = docs"))
    assert RedundantDependency.rationale.split()[:6] == why.split()[:6]
    assert "  = docs: steplint rule SL101" in lines and lines[-1] == text[-1]


def test_extend_select_and_extend_ignore(project):
    root = project({**BROKEN, "pyproject.toml": '[tool.steplint]\nselect = ["SL2"]\nextend-select = ["SL101"]\n'})
    assert run_steplint(cwd=root).returncode == 1
    assert run_steplint("--extend-ignore", "SL101", cwd=root).returncode == 0
    assert run_steplint("--select", "SL2", cwd=root).returncode == 0  # --select drops the file's extend-select
    root.joinpath("pyproject.toml").write_text('[tool.steplint]\nextend-ignore = ["SL1"]\n')
    assert run_steplint(cwd=root).returncode == 0
    assert run_steplint("--extend-select", "SL101", cwd=root).returncode == 1  # more specific than SL1
    assert run_steplint("--ignore", "SL2", cwd=root).returncode == 1  # --ignore drops the file's extend-ignore
    root.joinpath("pyproject.toml").write_text('[tool.steplint]\nextend-select = ["SL999"]\n')
    result = run_steplint(cwd=root)
    assert result.returncode == 2 and "unknown rule code 'SL999' in 'extend-select'" in result.stderr


def test_warnings_do_not_fail_a_run_unless_asked(project, tmp_path):
    root = project(WARNING_ONLY)
    result = run_steplint(cwd=root)
    assert result.returncode == 0 and "steps/notes.py:1:14: SL903 unused-suppression" in result.stdout
    assert run_steplint("--fail-on", "warning", cwd=root).returncode == 1
    assert run_steplint("--fail-on", "error", cwd=root).returncode == 0
    root.joinpath("pyproject.toml").write_text('[tool.steplint]\nfail-on = "warning"\n')
    assert run_steplint(cwd=root).returncode == 1
    assert run_steplint("--fail-on", "error", cwd=root).returncode == 0  # the command line wins
    assert run_steplint("--exit-zero", cwd=root).returncode == 0
    root.joinpath("pyproject.toml").write_text('[tool.steplint]\nfail-on = "warnings"\n')
    result = run_steplint(cwd=root)
    assert result.returncode == 2 and "'fail-on' must be one of 'error', 'warning', not 'warnings'" in result.stderr
    errors = write_project(tmp_path / "errors", {**BROKEN, "steps/notes.py": WARNING_ONLY["steps/notes.py"]})
    assert run_steplint(cwd=errors).returncode == 1  # an error still fails


def test_quiet_prints_only_findings_and_silent_nothing(project, tmp_path):
    root = project(BROKEN)
    normal = run_steplint(cwd=root).stdout.splitlines()
    quiet = run_steplint("-q", cwd=root)
    assert quiet.returncode == 1 and quiet.stdout.splitlines() == normal[:-1]
    assert run_steplint("--quiet", cwd=write_project(tmp_path / "clean", CLEAN)).stdout == ""
    silent = run_steplint("--silent", cwd=root)
    assert (silent.returncode, silent.stdout, silent.stderr) == (1, "", "")
    silent = run_steplint("-s", "--output-format", "json", "-o", "report.json", cwd=root)
    assert silent.stdout == "" and json.loads((root / "report.json").read_text())[0]["code"] == "SL101"
    run_steplint("-s", "-o", "report.txt", cwd=root)  # the file is the whole report
    assert (root / "report.txt").read_text().splitlines() == normal


def test_show_fixes_lists_what_fix_fixed(project):
    root = project(BROKEN)
    result = run_steplint("--fix", "--show-fixes", cwd=root)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[:3] == ["Fixed 1 finding in 2 files:", f"- {SPEC_PATH}:",
                                              "    1 × SL101 (redundant-dependency)"]


def test_fix_with_a_machine_format_keeps_stdout_parseable(project):
    root = project(BROKEN)
    result = run_steplint("--fix", "--output-format", "json", cwd=root)
    assert json.loads(result.stdout) == [] and result.stderr == "Fixed 1 finding in 2 files.\n"


def test_colour_follows_force_color_and_no_color(project):
    root = project(BROKEN)
    assert "\x1b[" not in run_steplint(cwd=root).stdout  # a pipe: no colour
    coloured = run_steplint(cwd=root, env={"FORCE_COLOR": "1", "NO_COLOR": ""}).stdout
    assert "\x1b[1;31mSL101\x1b[0m" in coloured and f"\x1b[1m{SPEC_PATH}\x1b[0m:15:9:" in coloured
    assert "\x1b[" not in run_steplint(cwd=root, env={"FORCE_COLOR": "1", "NO_COLOR": "1"}).stdout
    assert "\x1b[" not in run_steplint("--output-format", "json", cwd=root, env={"FORCE_COLOR": "1"}).stdout
    run_steplint("-o", "report.txt", cwd=root, env={"FORCE_COLOR": "1", "NO_COLOR": ""})
    assert "\x1b[" not in (root / "report.txt").read_text() and "SL101" in (root / "report.txt").read_text()


def test_show_settings_prints_the_effective_configuration_as_toml(project):
    import tomllib

    root = project({**BROKEN, "pyproject.toml": '[tool.steplint]\nselect = ["SL1"]\nextend-select = ["SL2"]\n'
                                                'extend-exclude = ["legacy"]\n'})
    result = run_steplint("--show-settings", "--extend-ignore", "SL104", "--fail-on", "warning", cwd=root)
    assert result.returncode == 0 and f"# configuration file: {root / 'pyproject.toml'}" in result.stdout
    settings = tomllib.loads(result.stdout)["tool"]["steplint"]
    assert settings["select"] == ["SL1", "SL2"] and settings["ignore"] == ["SL104"]
    assert settings["exclude"] == ["legacy"] and settings["fail-on"] == "warning"
    assert settings["respect-gitignore"] is True and settings["names"]["spec-classes"] == ["StepSpecification"]


def test_full_format_gives_a_rules_rationale_once(tmp_path):
    """Several findings of one rule: the rationale under the first, a pointer under the others."""
    import shutil

    from tests.conftest import FIXTURES

    shutil.copytree(FIXTURES / "sdk_pipeline_defects", tmp_path / "project")
    full = run_steplint("--output-format", "full", "--select", "SL405", ".", cwd=tmp_path / "project").stdout
    findings = [line for line in full.splitlines() if ": SL405 " in line]
    whys = [line for line in full.splitlines() if line.startswith("  = why: ")]
    assert len(findings) >= 2 and len(whys) == len(findings)
    assert not whys[0].startswith("  = why: as for") and whys[1:] == ["  = why: as for the first SL405 finding above"] * (
        len(findings) - 1)


def test_show_settings_says_which_sdk_release_sl504_checks_against(tmp_path):
    import tomllib
    from steplint.sagemaker import data

    (tmp_path / "pyproject.toml").write_text("[tool.steplint]\n")
    unset = run_steplint("--show-settings", cwd=tmp_path).stdout
    assert "# sagemaker-version: not set; SL504 checks against each project's pinned SDK release" in unset
    assert f"else sagemaker {data.sdk_version()}" in unset
    (tmp_path / "pyproject.toml").write_text('[tool.steplint]\nsagemaker-version = "2.200.0"\n')
    pinned = run_steplint("--show-settings", cwd=tmp_path).stdout
    assert tomllib.loads(pinned)["tool"]["steplint"]["sagemaker-version"] == "2.200.0"
