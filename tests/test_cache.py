"""The facts cache: warm runs reuse facts, stay correct across files, survive corruption and concurrency."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import steplint
import steplint.readers.python.parse as parse_module
from steplint.api import configure, load_workspace
from steplint.config import NameSettings
from steplint.engine.cache import MAX_DELTAS, STALE_SALT_SECONDS, FactsCache
from steplint.engine.run import Engine
from steplint.engine.userdirs import project_cache_dir
from steplint.rules import all_rules

from tests.conftest import run_steplint

CONTRACT = "src/mlpipelines/pipeline_script_contracts/pytorch_train_contract.py"
SPEC = "src/mlpipelines/pipeline_step_specs/pytorch_training_spec.py"


def findings(root, cache=True, names=None):
    config = configure(["."])
    if names is not None:
        config = type(config)(**{**config.__dict__, "names": names})
    facts_cache = FactsCache.for_root(root, config.names) if cache else None
    workspace, _ = load_workspace(["."], config)
    result = Engine(config, all_rules(), cache=facts_cache).check(workspace)
    return [(f.path, f.span, f.code, f.message) for f in result.findings], facts_cache


def test_cold_run_caches_outside_the_project_and_warm_run_extracts_nothing(legacy_cwd, monkeypatch, user_dirs):
    before = sorted(path for path in legacy_cwd.rglob("*"))
    cold, cache = findings(legacy_cwd)
    assert cache.hits == 0 and cache.misses > 0
    assert sorted(path for path in legacy_cwd.rglob("*")) == before  # nothing written into the project
    assert cache.directory.is_relative_to(user_dirs / "cache")
    assert (cache.directory / ".gitignore").read_text().splitlines()[-1] == "*"

    def no_extraction(*args, **kwargs):
        raise AssertionError("a warm run must read facts from the cache")

    monkeypatch.setattr(parse_module, "extract_source", no_extraction)
    warm, cache = findings(legacy_cwd)
    assert warm == cold
    assert cache.misses == 0 and cache.hits > 0


def test_changing_a_contract_rechecks_the_unchanged_spec_linked_to_it(legacy_cwd):
    before, _ = findings(legacy_cwd)
    contract = legacy_cwd / CONTRACT
    contract.write_text(contract.read_text().replace('"input_path": "/opt/ml/input/data"',
                                                     '"train_input": "/opt/ml/input/data"'))
    after, cache = findings(legacy_cwd)
    uncached, _ = findings(legacy_cwd, cache=False)
    assert cache.hits > 0
    assert after == uncached
    new_on_spec = {code for path, _, code, _ in set(after) - set(before) if path == SPEC}
    assert "SL403" in new_on_spec


def test_corrupt_and_truncated_entries_are_ignored_and_rebuilt(legacy_cwd):
    cold, _ = findings(legacy_cwd)
    entries = sorted(path for path in (project_cache_dir(legacy_cwd) / "facts").rglob("*") if path.is_file())
    assert entries
    for number, entry in enumerate(entries):
        data = entry.read_bytes()
        entry.write_bytes(b"\x80\x05garbage" if number % 2 else data[: len(data) // 2])
    rebuilt, cache = findings(legacy_cwd)
    assert rebuilt == cold
    assert cache.hits == 0
    again, cache = findings(legacy_cwd)
    assert again == cold and cache.misses == 0


def test_entries_built_with_other_names_settings_are_not_used(legacy_cwd):
    findings(legacy_cwd)
    renamed = NameSettings(builder_bases=("StepBuilderBase", "SomeOtherBase"))
    _, cache = findings(legacy_cwd, names=renamed)
    assert cache.hits == 0


def test_files_that_do_not_parse_are_cached_as_sl901(legacy_cwd):
    (legacy_cwd / "src/mlpipelines/pipeline_step_specs/broken_spec.py").write_text(
        "from x import StepSpecification\nSPEC = StepSpecification(\n")
    cold, _ = findings(legacy_cwd)
    warm, cache = findings(legacy_cwd)
    assert warm == cold
    assert cache.misses == 0
    assert any(code == "SL901" for _, _, code, _ in warm)


def test_no_cache_writes_nothing_and_cache_dir_moves_it(legacy_cwd, tmp_path):
    assert run_steplint("--no-cache", ".", cwd=legacy_cwd).returncode == 1
    assert not (project_cache_dir(legacy_cwd)).exists()
    elsewhere = tmp_path / "elsewhere"
    assert run_steplint("--cache-dir", elsewhere, ".", cwd=legacy_cwd).returncode == 1
    assert not (project_cache_dir(legacy_cwd)).exists()
    assert any((elsewhere / "facts").rglob("*"))


@pytest.mark.parametrize("runs", [2, pytest.param(4, marks=pytest.mark.slow)])
def test_concurrent_runs_agree_and_leave_a_valid_cache(legacy_cwd, runs):
    command = [sys.executable, "-m", "steplint", "--format", "json", "."]
    processes = [subprocess.Popen(command, cwd=legacy_cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                 for _ in range(runs)]
    outputs = [process.communicate(timeout=300) for process in processes]
    assert all(process.returncode == 1 for process in processes), [err for _, err in outputs]
    assert len({out for out, _ in outputs}) == 1
    assert not [path for path in (project_cache_dir(legacy_cwd)).rglob(".tmp-*")]
    warm = run_steplint("--format", "json", ".", cwd=legacy_cwd)
    assert json.loads(warm.stdout) == json.loads(outputs[0][0])
    _, cache = findings(legacy_cwd)
    assert cache.misses == 0


def cache_files(root):
    (salt_dir,) = [path for path in (project_cache_dir(root) / "facts").iterdir() if path.is_dir()]
    snapshot = salt_dir / "snapshot"
    return snapshot, sorted(path.name for path in salt_dir.iterdir() if path.name.startswith("delta-"))


# Two edits write two deltas; folding them needs more than MAX_DELTAS edits (18 runs): slow.
@pytest.mark.parametrize("edits", [pytest.param(2, id="two-edits"),
                                   pytest.param(MAX_DELTAS + 1, id="until-folded", marks=pytest.mark.slow)])
def test_a_run_that_re_extracts_one_file_writes_a_small_delta_and_deltas_are_folded_later(legacy_cwd, edits):
    findings(legacy_cwd)
    snapshot, deltas = cache_files(legacy_cwd)
    assert deltas == []
    before = snapshot.read_bytes()
    spec = legacy_cwd / SPEC
    original = spec.read_text()
    seen_deltas = []
    for edit in range(edits):
        spec.write_text(original + f"# edit {edit}\n")
        warm, cache = findings(legacy_cwd)
        assert cache.misses == 1
        assert warm == findings(legacy_cwd, cache=False)[0]
        seen_deltas.append(len(cache_files(legacy_cwd)[1]))
    assert seen_deltas[:MAX_DELTAS - 1] == list(range(1, min(edits, MAX_DELTAS - 1) + 1))
    if edits > MAX_DELTAS:
        assert max(seen_deltas) <= MAX_DELTAS and seen_deltas[-1] < seen_deltas[-2]
        assert snapshot.read_bytes() != before
    else:
        assert snapshot.read_bytes() == before  # the deltas alone hold the edits
    _, cache = findings(legacy_cwd)
    assert cache.misses == 0


def test_caches_of_other_settings_are_removed_only_when_unused_for_a_week(legacy_cwd):
    facts = project_cache_dir(legacy_cwd) / "facts"
    old, recent = facts / ("0" * 24), facts / ("1" * 24)
    for directory in (old, recent):
        directory.mkdir(parents=True)
        (directory / "snapshot").write_bytes(b"from another steplint")
    week_ago = time.time() - STALE_SALT_SECONDS - 60
    os.utime(old, (week_ago, week_ago))
    findings(legacy_cwd)
    assert not old.exists() and recent.exists()


def test_a_warm_run_reads_no_yaml_interface_or_sdk_pipeline_file_again(tmp_path, monkeypatch):
    """The registered readers' facts are cached like the Python reader's: an unchanged
    ``*.step.yaml`` or ``pipeline.py`` is not read again, and an edited one is."""
    import shutil

    from steplint.readers import readers

    from tests.conftest import FIXTURES

    for name in ("yaml_interface_defects", "sdk_pipeline_defects"):
        shutil.copytree(FIXTURES / name, tmp_path / name)
    (tmp_path / "pyproject.toml").write_text("")
    monkeypatch.chdir(tmp_path)
    cold, _ = findings(tmp_path)
    assert {code[:3] for _, _, code, _ in cold} >= {"SL6", "SL7"}
    read = {reader.name: [] for reader in readers()}
    for reader in readers():
        original = type(reader).read
        monkeypatch.setattr(type(reader), "read",
                            lambda self, source, original=original: read[self.name].append(source.display)
                            or original(self, source))
    warm, cache = findings(tmp_path)
    assert warm == cold and read == {"yaml": [], "pipeline": []} and cache.misses == 0
    pipeline = next((tmp_path / "sdk_pipeline_defects").rglob("pipeline*.py"))
    pipeline.write_text(pipeline.read_text() + "\n# edited\n")
    edited, _ = findings(tmp_path)
    assert edited == cold and read["pipeline"] == [pipeline.relative_to(tmp_path).as_posix()]


def test_the_salt_covers_every_module_extraction_runs():
    """Every steplint module that extracting facts imports, directly or not, is part of the
    facts cache's salt, so changing any of them never reads facts the old code made."""
    import ast

    from steplint.engine.cache import EXTRACTION_MODULES

    package = Path(steplint.__file__).parent
    pending, seen = ["readers/python/parse.py", "readers/python/extract.py"], set()
    while pending:
        relative = pending.pop()
        if relative in seen:
            continue
        seen.add(relative)
        for node in ast.walk(ast.parse((package / relative).read_text())):
            names = [node.module] if isinstance(node, ast.ImportFrom) and node.module else []
            if isinstance(node, ast.ImportFrom) and node.module == "steplint.readers.python":
                names = [f"steplint.readers.python.{alias.name}" for alias in node.names]
            for name in names:
                if name.startswith("steplint."):
                    path = name.split(".", 1)[1].replace(".", "/")
                    target = f"{path}.py" if (package / f"{path}.py").is_file() else f"{path}/__init__.py"
                    if target.startswith(("readers/python/", "model/")):
                        pending.append(target)
    assert seen - {"readers/python/__init__.py"} <= set(EXTRACTION_MODULES), sorted(seen - set(EXTRACTION_MODULES))
