"""The README's set-up and test commands are what CI runs, slow tests are opt-in, and the
default run's network guard refuses before anything leaves the machine."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from tests.conftest import REPO, run_steplint
from tests.offline import network_guard


def setup_commands() -> list:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Set-up"):readme.index("\n## ", readme.index("## Set-up") + 1)]
    block = re.search(r"```bash\n(.*?)```", section, re.S).group(1)
    return [line for line in block.splitlines() if line.strip()]


def test_the_readme_has_two_set_up_commands_and_ci_runs_them():
    install, tests = setup_commands()
    assert install.startswith("python3 -m venv .venv && . .venv/bin/activate && ")
    assert install.endswith(" && steplint fixtures")
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    pip_install = re.search(r"python -m pip install (-e '\.\[test\]')", install).group(1)
    assert any(line.startswith("python -m pip install") and line.endswith(pip_install) for line in ci)
    assert tests in ci, "CI runs the README's test command exactly"
    assert ci.index(tests) < ci.index("python -m pytest -m slow")


def collected(*arguments: str) -> str:
    result = subprocess.run([sys.executable, "-m", "pytest", "--collect-only", "-q", "-n", "0", "-p", "no:cacheprovider",
                             "tests/test_precommit.py", "tests/test_real_code.py", *arguments],
                            cwd=REPO, capture_output=True, text=True, timeout=300)
    assert result.returncode in (0, 5), result.stdout + result.stderr
    return result.stdout


def test_slow_tests_run_only_when_asked_for():
    default = collected()
    assert "test_precommit.py::" not in default and "deselected" in default
    only_slow = collected("-m", "slow")
    assert "test_precommit.py::test_try_repo_runs_both_hooks_on_a_changed_spec" in only_slow
    assert "test_real_code.py::" in only_slow and "deselected" not in only_slow


@pytest.mark.slow  # a third pytest start (seconds): checked where --slow's tests run
def test_the_slow_option_runs_the_slow_tests_too():
    both = collected("--slow")
    assert "test_precommit.py::test_hook_file_declares_both_hooks" in both and "deselected" not in both


@pytest.mark.parametrize("host", ["192.0.2.1", "pypi.org", b"example.invalid", "10.0.0.1", "::ffff:8.8.8.8"])
def test_the_guard_refuses_other_hosts(host):
    assert not network_guard.is_local(host)


@pytest.mark.parametrize("host", ["127.0.0.1", "127.8.9.1", "::1", "localhost", None, "[::1]"])
def test_the_guard_allows_this_machine(host):
    assert network_guard.is_local(host)


def test_the_guard_is_active_here_and_in_subprocesses():
    import socket

    assert socket.getaddrinfo.__module__ == network_guard.__name__
    before = len(network_guard.ATTEMPTS)
    with pytest.raises(network_guard.NetworkAccessRefused):
        socket.getaddrinfo("pypi.org", 443)  # refused before any lookup is sent
    del network_guard.ATTEMPTS[before:]
    child = subprocess.run([sys.executable, "-c", "import socket; print(socket.getaddrinfo.__module__)"],
                           capture_output=True, text=True, timeout=60)
    assert child.stdout.strip() == "network_guard", child.stderr
    assert run_steplint("--version", cwd=REPO).returncode == 0
