"""Whole-run results: an unchanged project reports the stored findings, and any change to
what findings depend on (a file, the configuration, the files reported on) is a miss."""

from __future__ import annotations

import json
import shutil

import pytest

import steplint.engine as engine_module
from steplint.api import configure, load_workspace
from steplint.cache import CACHE_DIR_NAME, FactsCache
from steplint.engine import Engine
from steplint.result_cache import KEEP, RESULTS_DIR_NAME, ResultCache
from steplint.rules import all_rules
from tests.conftest import FIXTURES, run_steplint

SPEC = "src/mlpipelines/pipeline_step_specs/pytorch_training_spec.py"


@pytest.fixture
def legacy(tmp_path, monkeypatch):
    root = tmp_path / "legacy_layout"
    shutil.copytree(FIXTURES / "legacy_layout", root)
    monkeypatch.chdir(root)
    return root


def run(root, select=None, report_paths=None):
    config = configure(["."], overrides={"select": select} if select else None)
    rules = all_rules()
    facts = FactsCache.for_root(root, config.names)
    results = ResultCache(facts.directory, config, rules)
    workspace, _ = load_workspace(["."], config)
    result = Engine(config, rules, cache=facts, results=results).check(workspace, report_paths)
    return [(f.path, f.span, f.code, f.message, f.fix) for f in result.findings], results


def forbid_extraction(monkeypatch):
    def fail(*arguments):
        raise AssertionError("a stored result must be reported without parsing or extracting")

    monkeypatch.setattr(engine_module, "extract_source", fail)
    monkeypatch.setattr(engine_module, "_parse", fail)


def test_an_unchanged_project_reports_the_stored_findings_with_their_fixes(legacy, monkeypatch):
    cold, results = run(legacy)
    assert results.hits == 0 and any(fix is not None for *_, fix in cold)
    forbid_extraction(monkeypatch)
    warm, results = run(legacy)
    assert results.hits == 1
    assert warm == cold


def test_the_command_line_prints_the_same_report_cold_and_warm(legacy):
    for arguments in (("--format", "json", "."), (".",), ("--format", "sarif", SPEC)):
        shutil.rmtree(legacy / CACHE_DIR_NAME, ignore_errors=True)
        cold = run_steplint(*arguments, cwd=legacy)
        warm = run_steplint(*arguments, cwd=legacy)
        uncached = run_steplint("--no-cache", *arguments, cwd=legacy)
        assert (warm.returncode, warm.stdout) == (cold.returncode, cold.stdout) == (uncached.returncode,
                                                                                 uncached.stdout)
    assert json.loads(run_steplint("--format", "json", ".", cwd=legacy).stdout)


def test_an_edited_file_another_selection_or_another_scope_is_a_miss(legacy, monkeypatch):
    run(legacy)
    spec = legacy / SPEC
    spec.write_text(spec.read_text().replace('"config"', '"hyperparameters"'))
    edited, results = run(legacy)
    assert results.hits == 0
    shutil.rmtree(legacy / CACHE_DIR_NAME)
    assert edited == run(legacy)[0]
    only_sl101, results = run(legacy, select=["SL101"])
    assert results.hits == 0 and {code for _, _, code, _, _ in only_sl101} == {"SL101"}
    scoped, results = run(legacy, report_paths=frozenset({SPEC}))
    assert results.hits == 0
    assert all(path == SPEC or code != "SL101" for path, _, code, _, _ in scoped)


def test_corrupt_entries_are_misses_and_only_the_newest_entries_are_kept(legacy):
    cold, _ = run(legacy)
    directory = legacy / CACHE_DIR_NAME / RESULTS_DIR_NAME
    for entry in directory.iterdir():
        entry.write_bytes(b"\x80\x05garbage")
    again, results = run(legacy)
    assert results.hits == 0 and again == cold
    spec = legacy / SPEC
    original = spec.read_text()
    for edit in range(KEEP + 3):
        spec.write_text(original + f"# edit {edit}\n")
        run(legacy)
    assert len(list(directory.iterdir())) == KEEP
