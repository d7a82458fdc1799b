"""Whole-run results: an unchanged project reports the stored findings, and any change to
what findings depend on (a file, the configuration, the files reported on) is a miss."""

from __future__ import annotations

import json
import shutil

import steplint.engine as engine_module
from steplint.api import configure, load_workspace
from steplint.cache import CACHE_DIR_NAME, FactsCache
from steplint.engine import Engine
from steplint.result_cache import KEEP, RESULTS_DIR_NAME, ResultCache
from steplint.rules import all_rules
from tests.conftest import run_steplint

SPEC = "src/mlpipelines/pipeline_step_specs/pytorch_training_spec.py"


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


def test_an_unchanged_project_reports_the_stored_findings_with_their_fixes(legacy_cwd, monkeypatch):
    cold, results = run(legacy_cwd)
    assert results.hits == 0 and any(fix is not None for *_, fix in cold)
    forbid_extraction(monkeypatch)
    warm, results = run(legacy_cwd)
    assert results.hits == 1
    assert warm == cold


def test_the_command_line_prints_the_same_report_cold_and_warm(legacy_cwd):
    for arguments in (("--format", "json", "."), (".",), ("--format", "sarif", SPEC)):
        shutil.rmtree(legacy_cwd / CACHE_DIR_NAME, ignore_errors=True)
        cold = run_steplint(*arguments, cwd=legacy_cwd)
        warm = run_steplint(*arguments, cwd=legacy_cwd)
        uncached = run_steplint("--no-cache", *arguments, cwd=legacy_cwd)
        assert (warm.returncode, warm.stdout) == (cold.returncode, cold.stdout) == (uncached.returncode,
                                                                                 uncached.stdout)
    assert json.loads(run_steplint("--format", "json", ".", cwd=legacy_cwd).stdout)


def test_an_edited_file_another_selection_or_another_scope_is_a_miss(legacy_cwd, monkeypatch):
    run(legacy_cwd)
    spec = legacy_cwd / SPEC
    spec.write_text(spec.read_text().replace('"config"', '"hyperparameters"'))
    edited, results = run(legacy_cwd)
    assert results.hits == 0
    shutil.rmtree(legacy_cwd / CACHE_DIR_NAME)
    assert edited == run(legacy_cwd)[0]
    only_sl101, results = run(legacy_cwd, select=["SL101"])
    assert results.hits == 0 and {code for _, _, code, _, _ in only_sl101} == {"SL101"}
    scoped, results = run(legacy_cwd, report_paths=frozenset({SPEC}))
    assert results.hits == 0
    assert all(path == SPEC or code != "SL101" for path, _, code, _, _ in scoped)


def test_corrupt_entries_are_misses_and_only_the_newest_entries_are_kept(legacy_cwd):
    cold, _ = run(legacy_cwd)
    directory = legacy_cwd / CACHE_DIR_NAME / RESULTS_DIR_NAME
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
