"""The bundled fixture projects: exactly the expected findings, and fixes that match golden files."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.conftest import FIXTURES, run_steplint

PROJECTS = sorted(path.parent.name for path in FIXTURES.glob("*/expected_findings.txt"))
GOLDEN = FIXTURES / "golden"


def copy_project(name: str, tmp_path: Path) -> Path:
    target = tmp_path / name
    shutil.copytree(FIXTURES / name, target)
    return target


def expected_findings(name: str) -> list[str]:
    lines = (FIXTURES / name / "expected_findings.txt").read_text().splitlines()
    return sorted(line.strip() for line in lines if line.strip() and not line.startswith("#"))


def json_report(root: Path) -> list[dict]:
    """The findings of ``steplint --format json .`` run in ``root``."""
    result = run_steplint("--format", "json", ".", cwd=root)
    assert result.returncode in (0, 1), result.stderr
    assert "Traceback" not in result.stderr
    return json.loads(result.stdout)


def reported_findings(root: Path) -> list[str]:
    return sorted(f"{f['filename']}:{f['location']['row']}:{f['location']['column']}: {f['code']}"
                  for f in json_report(root))


def snapshot(root: Path) -> dict:
    """Every project file's bytes (steplint's own cache directory aside)."""
    return {path.relative_to(root).as_posix(): path.read_bytes() for path in sorted(root.rglob("*"))
            if path.is_file() and ".steplint_cache" not in path.parts}


def test_both_layouts_and_the_side_effect_project_are_present():
    assert {"legacy_layout", "steps_layout", "import_side_effects"} <= set(PROJECTS)


@pytest.mark.parametrize("name", PROJECTS)
def test_exactly_the_expected_findings(name, fixture_report):
    reported = sorted(f"{f['filename']}:{f['location']['row']}:{f['location']['column']}: {f['code']}"
                      for f in fixture_report(name))
    assert reported == expected_findings(name)


MESSAGE_LIMIT = 120  # characters of the one line every format shows (as ruff keeps its own short)


@pytest.mark.parametrize("name", [name for name in PROJECTS if expected_findings(name)])
def test_every_message_is_one_short_line_and_the_rest_is_help(name, fixture_report):
    for finding in fixture_report(name):
        message = finding["message"]
        where = f"{finding['filename']}:{finding['location']['row']} {finding['code']}"
        assert "\n" not in message and len(message) <= MESSAGE_LIMIT, (where, len(message), message)
        assert finding["help"] is None or finding["help"].strip(), where


def golden_files(directory: Path, prefix: str = "") -> dict:
    return {prefix + path.relative_to(directory).as_posix(): path.read_bytes()
            for path in directory.rglob("*") if path.is_file()}


# name: (the fixture project fixed, the extra options, {path in the project: golden bytes}).
# legacy_layout's safe fixes edit its spec and contract; with --unsafe-fixes the SL301 rewrite
# of its PyTorch builder (fixtures/golden/builder_rewrite, whose behaviour
# tests/test_rewrite_behaviour.py proves unchanged) is applied on top of them.
GOLDEN_RUNS = {
    "legacy_layout": ("legacy_layout", (), golden_files(GOLDEN / "legacy_layout")),
    "builder_rewrite": ("legacy_layout", ("--unsafe-fixes",), {
        **golden_files(GOLDEN / "legacy_layout"),
        **golden_files(GOLDEN / "builder_rewrite", "src/mlpipelines/pipeline_steps/")}),
    "yaml_interface_defects": ("yaml_interface_defects", (), golden_files(GOLDEN / "yaml_interface_defects")),
    "sdk_pipeline_defects": ("sdk_pipeline_defects", (), golden_files(GOLDEN / "sdk_pipeline_defects")),
}


def test_every_golden_directory_is_run():
    assert set(GOLDEN_RUNS) == {path.name for path in GOLDEN.iterdir()}


@pytest.mark.parametrize("name", sorted(GOLDEN_RUNS))
def test_fix_matches_golden_files_and_preserves_everything_else(name, tmp_path):
    project, options, golden = GOLDEN_RUNS[name]
    root = copy_project(project, tmp_path)
    before = snapshot(root)
    assert set(golden) <= set(before)
    first = run_steplint("--fix", *options, ".", cwd=root)
    assert first.returncode in (0, 1), first.stderr
    assert "Traceback" not in first.stderr
    after = snapshot(root)
    for relative, content in golden.items():
        assert after[relative] == content, f"{relative} differs from its golden file"
    untouched = {relative: content for relative, content in before.items() if relative not in golden}
    assert {relative: after[relative] for relative in untouched} == untouched

    second = run_steplint("--fix", *options, ".", cwd=root)
    assert "Fixed" not in second.stdout
    assert snapshot(root) == after


@pytest.mark.parametrize("name", sorted(GOLDEN_RUNS))
def test_diff_shows_the_fix_and_writes_nothing(name, tmp_path):
    project, options, golden = GOLDEN_RUNS[name]
    root = copy_project(project, tmp_path)
    before = snapshot(root)
    result = run_steplint("--diff", *options, ".", cwd=root)
    assert result.returncode == 1
    assert snapshot(root) == before
    shown = sorted(line[len("--- a/"):] for line in result.stdout.splitlines() if line.startswith("--- a/"))
    assert shown == sorted(golden)


# Three pairs of projects that share a package name (fraud_pipelines, orchard, and the SDK
# pipelines' pipelines), one with findings and one without or with others; every project in
# one run is in the slow suite.
SAME_NAMES = ("catalog_clean", "catalog_defects", "kind_evidence", "own_path_tables", "sdk_pipeline_clean",
              "sdk_pipeline_defects")


@pytest.mark.parametrize("names", [pytest.param(SAME_NAMES, id="pairs-sharing-package-names"),
                                   pytest.param(PROJECTS, id="every-project", marks=pytest.mark.slow)])
def test_all_fixture_projects_in_one_run_keep_to_their_own_modules(tmp_path, names):
    """Several projects with the same package names in one run: each is its own model."""
    for name in names:
        shutil.copytree(FIXTURES / name, tmp_path / "fixtures" / name, ignore=shutil.ignore_patterns(".steplint_cache"))
    expected = sorted(f"fixtures/{name}/{line}" for name in names for line in expected_findings(name))
    assert reported_findings(tmp_path) == expected
