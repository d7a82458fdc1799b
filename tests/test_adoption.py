"""Adopting steplint in a code base that already has findings: --add-suppressions, SL903,
--stdin-filename for editors, --force-exclude, and file arguments checked in their project."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from steplint.fixing.adoption import add_suppressions
from steplint.rules.specification import RedundantDependency

from tests.conftest import FIXTURES, run_steplint

SPEC = "src/mlpipelines/pipeline_step_specs/pytorch_training_spec.py"
EXAMPLE_SPEC = "steps/specs/training_spec.py"
DEPENDENCY_LINE = "        DependencySpec(\n            logical_name=\"config\""


@pytest.fixture
def legacy(tmp_path) -> Path:
    return Path(shutil.copytree(FIXTURES / "legacy_layout", tmp_path / "legacy_layout"))


def _snapshot(root: Path) -> dict:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*.py"))}


def _codes(result) -> list:
    return sorted(f"{f['filename']}:{f['location']['row']}: {f['code']}" for f in json.loads(result.stdout))


def test_add_suppressions_silences_every_finding_and_only_adds_comments(legacy):
    before = _snapshot(legacy)
    findings = _codes(run_steplint("--format", "json", ".", cwd=legacy))
    result = run_steplint("--add-suppressions", ".", cwd=legacy)
    assert result.returncode == 0, result.stderr
    assert f"Added {len(findings)} suppression comments" in result.stdout
    after = _snapshot(legacy)
    for path, content in before.items():
        old_lines, new_lines = content.decode().splitlines(), after[path].decode().splitlines()
        assert len(old_lines) == len(new_lines)
        for old, new in zip(old_lines, new_lines):
            assert new == old or (new.startswith(old + "  # steplint: ignore[") and new.endswith("]"))
    assert run_steplint(".", cwd=legacy).returncode == 0


def test_add_suppressions_is_idempotent(legacy):
    run_steplint("--add-suppressions", ".", cwd=legacy)
    once = _snapshot(legacy)
    second = run_steplint("--add-suppressions", ".", cwd=legacy)
    assert "Added 0 suppression comments" in second.stdout
    assert _snapshot(legacy) == once


def test_add_suppressions_merges_into_an_existing_directive(project):
    files = dict(RedundantDependency.bad_examples[0].files)
    files[EXAMPLE_SPEC] = files[EXAMPLE_SPEC].replace(
        DEPENDENCY_LINE, DEPENDENCY_LINE.replace("(\n", "(  # steplint: ignore[SL2]  # why: legacy\n", 1))
    root = project(files)
    assert run_steplint("--add-suppressions", "--ignore", "SL903", cwd=root).returncode == 0
    text = (root / EXAMPLE_SPEC).read_text()
    assert "DependencySpec(  # steplint: ignore[SL101, SL2]  # why: legacy\n" in text
    assert run_steplint("--ignore", "SL903", cwd=root).returncode == 0


def test_add_suppressions_keeps_crlf_line_endings(project):
    files = {path: text.replace("\n", "\r\n") for path, text in RedundantDependency.bad_examples[0].files.items()}
    root = project(files)
    run_steplint("--add-suppressions", cwd=root)
    data = (root / EXAMPLE_SPEC).read_bytes()
    assert b"DependencySpec(  # steplint: ignore[SL101]\r\n" in data
    assert data.count(b"\n") == data.count(b"\r\n")


def test_a_line_ending_inside_a_string_gets_the_directive_above():
    text = 'x = 1\nNOTE = """first\nsecond"""\n'
    added = add_suppressions(text, {2: {"SL101"}})
    assert added.text == 'x = 1\n# steplint: ignore[SL101]\nNOTE = """first\nsecond"""\n'
    assert added.skipped == []


def test_a_line_inside_a_string_is_skipped_not_corrupted():
    text = 'NOTE = """first\nsecond\nthird"""\n'
    added = add_suppressions(text, {2: {"SL101"}})
    assert added.text == text and added.skipped == [2]


def test_a_backslash_continuation_is_not_broken():
    text = "VALUE = 1 + \\\n    2\n"
    added = add_suppressions(text, {1: {"SL101"}})
    assert added.text == "# steplint: ignore[SL101]\nVALUE = 1 + \\\n    2\n"


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(st.lists(st.sampled_from(["a = 1", "b = (", "    2,", ")", 's = """x', 'y"""', "# c", "", "if a:", "    pass"]),
                min_size=1, max_size=12),
       st.sets(st.integers(min_value=1, max_value=12), max_size=4))
def test_added_directives_never_change_code(lines, targets):
    import ast

    text = "\n".join(lines) + "\n"
    try:
        tree = ast.dump(ast.parse(text))
    except SyntaxError:
        tree = None
    assume(tree is not None)
    added = add_suppressions(text, {line: {"SL101"} for line in targets})
    assert ast.dump(ast.parse(added.text)) == tree
    assert add_suppressions(text, {}).text == text


def test_unused_suppression_is_reported_and_fixed(project):
    files = dict(RedundantDependency.good_examples[0].files)
    files[EXAMPLE_SPEC] += "BATCH = 32  # steplint: ignore[SL101]\n"
    root = project(files)
    result = run_steplint(cwd=root)
    assert result.returncode == 0  # a warning: reported, not failing the run
    assert f"{EXAMPLE_SPEC}:" in result.stdout and "SL903 unused-suppression" in result.stdout
    assert run_steplint("--fail-on", "warning", cwd=root).returncode == 1
    fixed = run_steplint("--fix", cwd=root)
    assert fixed.returncode == 0, fixed.stdout
    assert (root / EXAMPLE_SPEC).read_text().endswith("BATCH = 32\n")


def test_used_suppression_is_not_reported_and_unused_codes_are_trimmed(project):
    files = dict(RedundantDependency.bad_examples[0].files)
    files[EXAMPLE_SPEC] = files[EXAMPLE_SPEC].replace(
        DEPENDENCY_LINE, DEPENDENCY_LINE.replace("(\n", "(  # steplint: ignore[SL101, SL102]\n", 1))
    root = project(files)
    result = run_steplint(cwd=root)
    assert "SL903" in result.stdout and "for SL102 " in result.stdout and "SL101 redundant" not in result.stdout
    run_steplint("--fix", cwd=root)
    assert "DependencySpec(  # steplint: ignore[SL101]\n" in (root / EXAMPLE_SPEC).read_text()
    assert run_steplint(cwd=root).returncode == 0


def test_suppressions_of_rules_not_run_are_not_judged(project):
    files = dict(RedundantDependency.good_examples[0].files)
    files[EXAMPLE_SPEC] += "BATCH = 32  # steplint: ignore[SL101]\n"
    assert run_steplint("--ignore", "SL101", cwd=project(files)).returncode == 0


def test_stdin_filename_reads_stdin_and_the_project_from_disk(legacy):
    broken = (legacy / SPEC).read_text()
    run_steplint("--fix", ".", cwd=legacy)  # the files on disk are now fixed
    assert "SL101" not in run_steplint(SPEC, cwd=legacy).stdout
    result = run_steplint("--stdin-filename", SPEC, cwd=legacy, input=broken)
    assert result.returncode == 1
    assert f"{SPEC}:39:9: SL101 redundant-dependency" in result.stdout
    assert "builder_training_step_pytorch.py:79:5: SL301" in result.stdout  # the builder's spec is involved


def test_stdin_filename_with_fix_prints_the_fixed_source(legacy):
    source = (legacy / SPEC).read_text()
    result = run_steplint("--stdin-filename", SPEC, "--fix", "--select", "SL101", cwd=legacy, input=source)
    assert 'logical_name="config"' in source and 'logical_name="config"' not in result.stdout
    assert (legacy / SPEC).read_text() == source  # nothing written


def test_force_exclude_keeps_excluded_files_out(legacy):
    with open(legacy / "pyproject.toml", "a") as handle:
        handle.write('\n[tool.steplint]\nexclude = ["pipeline_step_specs"]\n')
    assert "SL101" in run_steplint(SPEC, cwd=legacy).stdout
    forced = run_steplint("--force-exclude", SPEC, cwd=legacy)
    assert forced.returncode == 0 and "SL101" not in forced.stdout
    piped = run_steplint("--force-exclude", "--stdin-filename", SPEC, cwd=legacy, input=(legacy / SPEC).read_text())
    assert piped.returncode == 0


def test_a_file_argument_is_checked_against_its_project(legacy):
    (legacy / "src/mlpipelines/notes.py").write_text("LIMIT = 3  # steplint: ignore[SL101]\n")
    result = run_steplint("--format", "json", SPEC, cwd=legacy)
    codes = _codes(result)
    assert f"{SPEC}:39: SL101" in codes  # needs the builder and contract, which were not passed
    assert not any("notes.py" in code for code in codes)  # a finding elsewhere is not reported
    alone = _codes(run_steplint("--format", "json", "--no-project-context", SPEC, cwd=legacy))
    assert f"{SPEC}:39: SL101" not in alone
