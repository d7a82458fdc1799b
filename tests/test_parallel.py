"""Worker processes: same findings in the same order as one process; plain facts; no pool for a few files."""

from __future__ import annotations

import dataclasses
import faulthandler
import importlib.util
import multiprocessing
import os
import signal
import sys

import libcst as cst
import pytest
import steplint.engine.parallel as parallel
from steplint.api import configure, load_workspace
from steplint.config import NameSettings
from steplint.engine.run import Engine
from steplint.files.sources import read_source
from steplint.rules import all_rules

from tests.conftest import REPO, run_steplint


def _generator():
    spec = importlib.util.spec_from_file_location("bench_generate", REPO / "bench" / "generate.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("bench_generate", module)
    spec.loader.exec_module(module)
    return module


# enough steps for more files to parse than the pool's threshold (MIN_FILES_FOR_POOL)
STEPS = 12


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    root = tmp_path_factory.mktemp("generated") / "project"
    _generator().generate(root, STEPS)
    return root


def test_output_is_identical_with_one_and_two_workers(generated):
    one = run_steplint("--no-cache", "--jobs", "1", "--format", "json", ".", cwd=generated)
    two = run_steplint("--no-cache", "--jobs", "2", "--format", "json", ".", cwd=generated)
    assert one.returncode == two.returncode == 1, one.stderr + two.stderr
    assert one.stdout == two.stdout
    assert '"SL101"' in one.stdout


def test_the_pool_really_runs_and_returns_the_same_facts_as_one_process(generated, monkeypatch):
    monkeypatch.chdir(generated)
    config = configure(["."])
    workspace, _ = load_workspace(["."], config)
    calls = []
    real = parallel.extract_in_workers

    def spy(items, names, jobs, on_done=None):
        result = real(items, names, jobs, on_done)
        calls.append((len(items), result is not None))
        return result

    monkeypatch.setattr(parallel, "extract_in_workers", spy)
    parallel_engine = Engine(config, all_rules(), jobs=2)
    parallel_result = parallel_engine.check(workspace)
    assert calls and calls[0][0] >= parallel.MIN_FILES_FOR_POOL and calls[0][1]
    serial_engine = Engine(config, all_rules(), jobs=1)
    serial_result = serial_engine.check(workspace)
    assert parallel_result.findings == serial_result.findings
    assert parallel_engine._facts_memo == serial_engine._facts_memo


def _contains_cst(value, seen=None) -> bool:
    seen = seen if seen is not None else set()
    if id(value) in seen:
        return False
    seen.add(id(value))
    if isinstance(value, cst.CSTNode):
        return True
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return any(_contains_cst(getattr(value, field.name), seen) for field in dataclasses.fields(value))
    if isinstance(value, dict):
        return any(_contains_cst(k, seen) or _contains_cst(v, seen) for k, v in value.items())
    if isinstance(value, (list, tuple, set, frozenset)):
        return any(_contains_cst(item, seen) for item in value)
    return False


def test_workers_send_back_plain_facts_and_file_problems(tmp_path):
    items = []
    for number in range(parallel.MIN_FILES_FOR_POOL):
        path = tmp_path / f"module_{number}.py"
        body = "X = (\n" if number == 3 else f"class B{number}(Base):\n    def f(self):\n        return g(a=1)\n"
        path.write_text(body)
        items.append((read_source(path, path.name), f"module_{number}"))
    results = parallel.extract_in_workers(items, NameSettings(), 2)
    assert results is not None and len(results) == len(items)
    assert results[3][0] is None and results[3][1].code == "SL901"
    assert [facts.module for facts, _ in results if facts is not None] == [
        f"module_{number}" for number in range(len(items)) if number != 3]
    assert not _contains_cst(results)


def test_no_pool_for_a_handful_of_files(tmp_path, monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("no worker pool for a handful of files")

    monkeypatch.setattr(parallel, "ProcessPoolExecutor", refuse)
    path = tmp_path / "spec.py"
    path.write_text("from core import StepSpecification\nSPEC = StepSpecification(step_type='A')\n")
    items = [(read_source(path, "spec.py"), "spec")] * (parallel.MIN_FILES_FOR_POOL - 1)
    assert parallel.extract_in_workers(items, NameSettings(), 8) is None
    assert parallel.extract_in_workers(items * 2, NameSettings(), 1) is None


@pytest.mark.parametrize("value", ["0", "-2", "many"])
def test_jobs_must_be_a_positive_number(value, tmp_path):
    result = run_steplint("--jobs", value, ".", cwd=tmp_path)
    assert result.returncode == 2
    assert "--jobs" in result.stderr and "Traceback" not in result.stderr


def test_default_jobs_is_bounded():
    assert 1 <= parallel.default_jobs() <= parallel.MAX_DEFAULT_JOBS


needs_fork = pytest.mark.skipif("fork" not in multiprocessing.get_all_start_methods(),
                                reason="a monkeypatched worker function reaches workers only through fork")


def _builder_items(tmp_path, count: int) -> list:
    items = []
    for number in range(count):
        path = tmp_path / f"module_{number}.py"
        path.write_text(f"class B{number}(Base):\n    def f(self):\n        return g(a=1)\n")
        items.append((read_source(path, path.name), f"module_{number}"))
    return items


@needs_fork
def test_a_worker_killed_by_a_signal_costs_only_its_file(tmp_path, monkeypatch):
    """Two files kill their worker process (as a native parser crash would); they are
    reported as SL905 and every other file is extracted as in one process."""
    items = _builder_items(tmp_path, 3 * parallel.MIN_FILES_FOR_POOL)
    culprits = {"module_5.py", "module_120.py"}
    real = parallel._extract_one

    def crashing(item):
        if item[1] in culprits:
            faulthandler.disable()  # pytest's handler would print the dying worker's stack
            os.kill(os.getpid(), signal.SIGSEGV)
        return real(item)

    monkeypatch.setattr(parallel, "_extract_one", crashing)
    results = parallel.extract_in_workers(items, NameSettings(), 2)
    assert results is not None and len(results) == len(items)
    for (source, module_name), (facts, problem) in zip(items, results):
        if source.display in culprits:
            assert facts is None and problem.code == "SL905"
            assert problem.message == "the parser process died (signal 11, SIGSEGV) on this file; it is not checked"
        else:
            assert problem is None and facts.module == module_name and f"B{module_name[7:]}" in facts.classes


@needs_fork
def test_an_exception_in_a_worker_leaves_the_file_to_the_parent(tmp_path, monkeypatch):
    items = _builder_items(tmp_path, 2 * parallel.MIN_FILES_FOR_POOL)
    real = parallel._extract_one

    def failing(item):
        if item[1] == "module_7.py":
            raise ValueError("a bug in extraction")
        return real(item)

    monkeypatch.setattr(parallel, "_extract_one", failing)
    results = parallel.extract_in_workers(items, NameSettings(), 2)
    chunk = [index for index, result in enumerate(results) if result is None]
    assert 7 in chunk and len(chunk) < len(items) // 4  # the failing file's chunk only
    assert all(results[index][0] is not None for index in range(len(items)) if index not in chunk)


@needs_fork
def test_a_run_whose_worker_dies_reports_that_file_and_checks_the_rest(generated, monkeypatch):
    """The whole engine with two workers: the file whose worker dies is SL905, the other
    findings are those of a run where nothing dies, and nothing is re-parsed in process."""
    monkeypatch.chdir(generated)
    config = configure(["."])
    workspace, _ = load_workspace(["."], config)
    serial = Engine(config, all_rules(), jobs=1).check(workspace)
    victim = next(finding.path for finding in serial.findings if finding.code == "SL101")
    real = parallel._extract_one

    def crashing(item):
        if item[1] == victim:
            os.kill(os.getpid(), signal.SIGKILL)
        return real(item)

    monkeypatch.setattr(parallel, "_extract_one", crashing)
    result = Engine(config, all_rules(), jobs=2).check(workspace)
    assert not result.internal_errors
    [died] = [finding for finding in result.findings if finding.path == victim]
    assert died.code == "SL905" and "signal 9, SIGKILL" in died.message
    others = [finding for finding in serial.findings if finding.path != victim and victim not in finding.related_paths]
    assert set(map(_key, others)) <= set(map(_key, result.findings))


def _key(finding) -> tuple:
    return finding.code, finding.path, finding.span, finding.message
