"""Shared test helpers: write small projects to disk and run steplint as a user does.

Also how the suite is selected: tests marked ``slow`` (real pre-commit hook environments and
runs over large installed packages, which pip-install and need the network; rendering
pipeline definitions with the real SageMaker SDK, offline; the full-size variants, all
examples, every case, many runs or megabyte inputs, of tests the fast suite runs smaller,
see ``fast_and_full``) are deselected
unless ``--slow`` is given (all tests) or the ``-m`` expression names ``slow``
(``-m slow``: only those). Every other test runs offline: ``no_network`` refuses any
connection or name lookup beyond this machine, in the test process and in its Python
subprocesses, and fails the test that tried (``tests/offline/network_guard.py``).
"""

from __future__ import annotations

import functools
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import strategies as st

from tests.offline import network_guard

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "fixtures"
OFFLINE = Path(network_guard.__file__).resolve().parent


def pytest_addoption(parser):
    parser.addoption("--slow", action="store_true", default=False,
                     help="also run the slow tests (marker 'slow': real pre-commit hook environments and runs over "
                          "installed packages, which pip-install and need the network; the SageMaker SDK's "
                          "rendering; the full-size variants of fast tests)")


def pytest_configure(config):
    """Compile steplint's own modules once, before any test runs (in the controlling process
    only). Most tests run steplint in a subprocess; where ``PYTHONDONTWRITEBYTECODE`` is set,
    as in many CI images, each of them would otherwise compile the whole package again
    (about 0.3 s of CPU a run). ``compileall`` writes the ``__pycache__`` files whatever that
    variable says, and the subprocesses still read them. The same for the network guard that
    every subprocess of the default tests loads at start-up (``tests/offline``)."""
    if hasattr(config, "workerinput"):
        return
    import compileall

    import steplint
    import steplint.rules

    for package in {Path(steplint.__file__).parent, Path(steplint.rules.__file__).parent, OFFLINE}:
        compileall.compile_dir(package, quiet=2)


def pytest_collection_modifyitems(config, items):
    if config.getoption("--slow") or "slow" in (config.getoption("markexpr") or ""):
        return
    slow = [item for item in items if item.get_closest_marker("slow") is not None]
    if slow:
        config.hook.pytest_deselected(items=slow)
        items[:] = [item for item in items if item.get_closest_marker("slow") is None]


@pytest.fixture(autouse=True)
def no_network(request, monkeypatch):
    """Outside the slow tests, refuse network access here and in Python subprocesses, and
    fail the test if it tried."""
    if request.node.get_closest_marker("slow") is not None:
        yield
        return
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, (str(OFFLINE), os.environ.get("PYTHONPATH")))))
    network_guard.ATTEMPTS.clear()
    network_guard.install()
    try:
        yield
    finally:
        network_guard.uninstall()
    if network_guard.ATTEMPTS:
        pytest.fail(f"the test tried to use the network: {network_guard.ATTEMPTS}")


def fast_and_full(fast: int, full: int):
    """Parametrize a property test over ``max_examples``: ``fast`` examples in the default
    suite, ``full`` under ``-m slow``. The test builds its ``@given`` check inside, with
    ``settings(max_examples=max_examples)``, and calls it: the cheap run keeps the property
    in every run of ``python -m pytest``; the full count, which costs a subprocess or a whole
    check per example, runs in CI's slow suite."""
    return pytest.mark.parametrize("max_examples", [
        pytest.param(fast, id=f"{fast}-examples"),
        pytest.param(full, id=f"{full}-examples", marks=pytest.mark.slow),
    ])


@functools.cache
def _grammar(auto_target: bool):
    import hypothesmith

    return hypothesmith.from_grammar(auto_target=auto_target)


def python_source(auto_target: bool = True) -> st.SearchStrategy[str]:
    """``hypothesmith.from_grammar(auto_target=...)``: syntactically valid Python modules.
    Building it compiles a Python grammar (about a second of CPU), so it is built on first
    draw, once per test process, not when each test module is collected."""
    return st.deferred(lambda: _grammar(auto_target))


def write_project(root: Path, files: dict) -> Path:
    """Write ``{relative path: str or bytes}`` below ``root`` and return ``root``."""
    for relative, content in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_bytes(content.encode("utf-8"))
    return root


def run_steplint(*arguments, cwd: Path, env: dict | None = None, input: str | None = None):
    """Run ``python -m steplint`` in a subprocess, as pre-commit or a terminal would."""
    environment = {**os.environ, **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "steplint", *map(str, arguments)],
        cwd=cwd, env=environment, capture_output=True, text=True, input=input, timeout=300,
    )


@pytest.fixture(autouse=True)
def user_dirs(tmp_path_factory, monkeypatch):
    """Every test gets its own per-user cache and state directories (steplint keeps its
    caches and fix journal there), so tests neither share state nor touch the real home."""
    base = tmp_path_factory.mktemp("user")
    monkeypatch.setenv("XDG_CACHE_HOME", str(base / "cache"))
    monkeypatch.setenv("XDG_STATE_HOME", str(base / "state"))
    return base


@pytest.fixture
def project(tmp_path):
    """A function that writes files into a fresh project directory."""

    def make(files: dict) -> Path:
        return write_project(tmp_path / "project", files)

    return make


@pytest.fixture(scope="session")
def fixture_report(tmp_path_factory):
    """name -> the findings of ``steplint --format json .`` in a copy of that fixture project
    (its exit code checked, no traceback), run once per test process: the tests that read a
    bundled project's findings share one run."""

    @functools.cache
    def report(name: str) -> tuple:
        root = tmp_path_factory.mktemp("fixture") / name
        shutil.copytree(FIXTURES / name, root)
        result = run_steplint("--format", "json", ".", cwd=root)
        assert result.returncode in (0, 1), result.stderr
        assert "Traceback" not in result.stderr
        return tuple(json.loads(result.stdout))

    return report


@pytest.fixture
def legacy_cwd(tmp_path, monkeypatch):
    """A copy of fixtures/legacy_layout, made the working directory."""
    root = tmp_path / "legacy_layout"
    shutil.copytree(FIXTURES / "legacy_layout", root)
    monkeypatch.chdir(root)
    return root
