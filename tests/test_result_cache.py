"""Whole-run results: an unchanged project reports the stored findings, and any change to
what findings depend on (a file, the configuration, the files reported on) is a miss."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest
import steplint.readers.python.parse as parse_module
from steplint.api import configure, load_workspace
from steplint.engine.cache import FactsCache
from steplint.engine.result_cache import KEEP, RESULTS_DIR_NAME, ResultCache
from steplint.engine.run import Engine
from steplint.engine.userdirs import project_cache_dir
from steplint.rules import all_rules

from tests.conftest import REPO, run_steplint

SPEC = "src/mlpipelines/pipeline_step_specs/pytorch_training_spec.py"


def run(root, select=None, report_paths=None):
    config = configure(["."], overrides={"select": select} if select else None)
    rules = all_rules()
    facts = FactsCache.for_root(root, config.names)
    results = ResultCache(facts.directory, config)
    workspace, _ = load_workspace(["."], config)
    result = Engine(config, rules, cache=facts, results=results).check(workspace, report_paths)
    return [(f.path, f.span, f.code, f.message, f.fix) for f in result.findings], results


def forbid_extraction(monkeypatch):
    def fail(*arguments):
        raise AssertionError("a stored result must be reported without parsing or extracting")

    monkeypatch.setattr(parse_module, "extract_source", fail)
    monkeypatch.setattr(parse_module, "parse_source", fail)


def test_an_unchanged_project_reports_the_stored_findings_with_their_fixes(legacy_cwd, monkeypatch):
    cold, results = run(legacy_cwd)
    assert results.hits == 0 and any(fix is not None for *_, fix in cold)
    forbid_extraction(monkeypatch)
    warm, results = run(legacy_cwd)
    assert results.hits == 1
    assert warm == cold


# The text report (what JSON holds, rendered otherwise) is in the slow suite.
@pytest.mark.parametrize("arguments", [("--format", "json", "."), pytest.param((".",), marks=pytest.mark.slow),
                                       ("--format", "sarif", SPEC)], ids=["json", "text", "sarif-one-file"])
def test_the_command_line_prints_the_same_report_cold_and_warm(legacy_cwd, arguments):
    shutil.rmtree(project_cache_dir(legacy_cwd), ignore_errors=True)
    cold = run_steplint(*arguments, cwd=legacy_cwd)
    warm = run_steplint(*arguments, cwd=legacy_cwd)
    uncached = run_steplint("--no-cache", *arguments, cwd=legacy_cwd)
    assert (warm.returncode, warm.stdout) == (cold.returncode, cold.stdout) == (uncached.returncode,
                                                                             uncached.stdout)
    if SPEC in arguments:  # a whole-project run after a run on one file still reports the project
        assert json.loads(run_steplint("--format", "json", ".", cwd=legacy_cwd).stdout)


def test_an_edited_file_another_selection_or_another_scope_is_a_miss(legacy_cwd, monkeypatch):
    run(legacy_cwd)
    spec = legacy_cwd / SPEC
    spec.write_text(spec.read_text().replace('"config"', '"hyperparameters"'))
    edited, results = run(legacy_cwd)
    assert results.hits == 0
    shutil.rmtree(project_cache_dir(legacy_cwd))
    assert edited == run(legacy_cwd)[0]
    only_sl101, results = run(legacy_cwd, select=["SL101"])
    assert results.hits == 0 and {code for _, _, code, _, _ in only_sl101} == {"SL101"}
    scoped, results = run(legacy_cwd, report_paths=frozenset({SPEC}))
    assert results.hits == 0
    assert all(path == SPEC or code != "SL101" for path, _, code, _, _ in scoped)


def test_corrupt_entries_are_misses_and_only_the_newest_entries_are_kept(legacy_cwd):
    cold, _ = run(legacy_cwd)
    directory = project_cache_dir(legacy_cwd) / RESULTS_DIR_NAME
    for entry in directory.iterdir():
        entry.write_bytes(b"\x80\x05garbage")
    again, results = run(legacy_cwd)
    assert results.hits == 0 and again == cold
    spec = legacy_cwd / SPEC
    original = spec.read_text()
    for edit in range(KEEP + 3):
        spec.write_text(original + f"# edit {edit}\n")
        run(legacy_cwd)
    assert len(list(directory.iterdir())) == KEEP


def editable_install(tmp_path):
    """A copy of steplint installed in editable mode into a fresh environment (offline: the
    environment sees this one's packages, nothing is downloaded); returns its python."""
    source = tmp_path / "steplint-src"
    for name in ("linter", "rules"):
        shutil.copytree(REPO / name, source / name, ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(REPO / name, source / name)
    environment = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", environment], check=True)
    python = environment / "bin" / "python"
    site_packages = subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                                   check=True, capture_output=True, text=True).stdout.strip()
    (Path(site_packages) / "zz-parent.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    subprocess.run([python, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation", "--no-index",
                    "-e", source], check=True, capture_output=True)
    return python, source


def test_editing_a_rule_of_an_editable_install_changes_the_report(tmp_path, legacy_cwd):
    python, source = editable_install(tmp_path)

    def messages():
        result = subprocess.run([python, "-m", "steplint", "--format", "json", "--select", "SL101", "."],
                                cwd=legacy_cwd, capture_output=True, text=True, timeout=300)
        assert result.returncode == 1, result.stderr
        return [finding["message"] for finding in json.loads(result.stdout)]

    assert all("is redundant" in message for message in messages())
    assert messages() == messages()  # warm: the stored result
    rule = source / "rules" / "specification.py"
    rule.write_text(rule.read_text().replace("' is redundant: {builder.name}", "' is not needed: {builder.name}"))
    assert all("is not needed" in message for message in messages())
