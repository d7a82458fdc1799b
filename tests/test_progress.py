"""The progress line: on a terminal, for runs longer than a second; never on a pipe.

stderr is a pseudo-terminal (``pty``) as in an interactive shell; stdout stays a pipe, so
the report can be compared with a run whose stderr is piped too. The project is made by
``bench/generate.py`` and checked cold with ``--no-cache``, which takes several seconds.
"""

from __future__ import annotations

import os
import pty
import re
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from tests.conftest import REPO, run_steplint

ERASE = "\r\x1b[2K"
LINE = re.compile(r"steplint: (parsing files|running rules) (\d+)/(\d+)")


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("progress") / "project"
    subprocess.run([sys.executable, str(REPO / "bench" / "generate.py"), str(root), "--steps", "40"], check=True,
                   capture_output=True, timeout=300)
    return root


def run_on_terminal(*arguments, cwd: Path, env: dict | None = None) -> tuple:
    """``(exit code, stdout, what was written to the terminal)`` of steplint run with its
    stderr on a pseudo-terminal and its stdout on a pipe."""
    leader, follower = pty.openpty()
    environment = {**os.environ, "TERM": "xterm", "NO_COLOR": "", "FORCE_COLOR": "", **(env or {})}
    process = subprocess.Popen([sys.executable, "-m", "steplint", *arguments], cwd=cwd, env=environment,
                               stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=follower)
    os.close(follower)
    chunks: list = []

    def drain() -> None:
        while True:
            try:
                data = os.read(leader, 65536)
            except OSError:  # EIO: the process closed the terminal
                return
            if not data:
                return
            chunks.append(data)

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    stdout, _ = process.communicate(timeout=600)
    reader.join(timeout=60)
    os.close(leader)
    return process.returncode, stdout.decode(), b"".join(chunks).decode("utf-8", "replace")


@pytest.fixture(scope="module")
def on_terminal(generated) -> tuple:
    """``steplint --no-cache --jobs 2 .`` on the generated project, stderr a terminal (with
    ``NO_COLOR`` empty): one run that two tests read."""
    return run_on_terminal("--no-cache", "--jobs", "2", ".", cwd=generated)


def test_a_slow_run_shows_progress_on_the_terminal_and_erases_it(generated, on_terminal):
    code, stdout, terminal = on_terminal
    piped = run_steplint("--no-cache", "--jobs", "2", ".", cwd=generated)
    assert (code, stdout) == (piped.returncode, piped.stdout) and code == 1
    assert piped.stderr == ""  # never on a pipe
    shown = LINE.findall(terminal)
    assert shown, terminal
    stages = [stage for stage, _, _ in shown]
    assert "parsing files" in stages and stages[-1] == "running rules"
    assert stages.index("running rules") > stages.index("parsing files")
    parsed = [int(done) for stage, done, _ in shown if stage == "parsing files"]
    assert parsed == sorted(parsed) and all(int(done) <= int(total) for _, done, total in shown)
    assert all(before != after for before, after in zip(shown, shown[1:]))  # nothing drawn twice in a row
    assert terminal.endswith(ERASE) and "\n" not in terminal  # one line, gone when the report comes


def test_progress_is_dim_unless_no_color(generated, on_terminal):
    _, _, terminal = on_terminal
    assert "\x1b[2msteplint: parsing files " in terminal
    _, _, plain = run_on_terminal("--no-cache", ".", cwd=generated, env={"NO_COLOR": "1"})
    assert LINE.search(plain) and "\x1b[2m" not in plain


# Each is a run of several seconds: --silent and sarif (as --quiet and json) are in the slow suite.
@pytest.mark.parametrize("arguments", [("--quiet",), pytest.param(("--silent",), marks=pytest.mark.slow),
                                       ("--output-format", "json"),
                                       pytest.param(("--output-format", "sarif"), marks=pytest.mark.slow)])
def test_no_progress_when_quiet_or_for_machine_formats(generated, arguments):
    code, _, terminal = run_on_terminal("--no-cache", *arguments, ".", cwd=generated)
    assert code == 1 and terminal == ""


def test_a_quick_run_shows_nothing(generated):
    run_steplint(".", cwd=generated)  # fills the caches
    code, stdout, terminal = run_on_terminal(".", cwd=generated)
    assert code == 1 and stdout and terminal == ""


def test_a_dumb_terminal_gets_no_progress(generated):
    _, _, terminal = run_on_terminal("--no-cache", ".", cwd=generated, env={"TERM": "dumb"})
    assert terminal == ""
