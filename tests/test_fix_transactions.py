"""``--fix`` writes every file of a run or none, and a crash at any moment leaves every
fix wholly applied or wholly not: an immutable file, a file edited meanwhile, a full disk
and ``kill -9`` at random moments, then the next run's recovery from the journal."""

from __future__ import annotations

import ast
import errno
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import pytest
from steplint.cli import main as cli
from steplint.fixing import fixer, transaction

from tests.conftest import FIXTURES, REPO, run_steplint, write_project
from tests.test_fix_safety import steps_named

SPEC = "src/mlpipelines/pipeline_step_specs/pytorch_training_spec.py"
CONTRACT = "src/mlpipelines/pipeline_script_contracts/pytorch_train_contract.py"
GOLDEN = FIXTURES / "golden" / "legacy_layout"
PACKAGES = ("alpha", "beta", "gamma")
# Each SL101 fix edits a spec and its contract: the pairs that must agree.
PAIRS = [(SPEC, CONTRACT)] + [(f"{name}/specs/training_spec.py", f"{name}/contracts/training_contract.py")
                              for name in PACKAGES]


def legacy_copy(root: Path, packages=()) -> Path:
    """fixtures/legacy_layout at ``root``, plus the redundant-dependency project under each
    of ``packages`` (one more two-file fix each)."""
    shutil.copytree(FIXTURES / "legacy_layout", root)
    for name in packages:
        write_project(root, steps_named(name))
    return root


def snapshot(root: Path) -> dict:
    """Every file's bytes below ``root``, steplint's own cache aside."""
    return {path.relative_to(root).as_posix(): path.read_bytes() for path in sorted(root.rglob("*"))
            if path.is_file() and ".steplint_cache" not in path.parts}


def side_files(root: Path) -> list:
    """Temporary and backup files of steplint's transactions below ``root``."""
    return sorted(str(path) for pattern in ("*.steplint-tmp", "*.steplint-bak") for path in root.rglob(pattern))


def journals(state: Path | None = None) -> list:
    """The journal directory's files: this test's, or those below the state directory ``state``."""
    directory = transaction.journal_dir() if state is None else state / "steplint" / "journal"
    return sorted(os.listdir(directory)) if directory.is_dir() else []


def error_lines(stderr: str, path) -> list:
    return [line for line in stderr.splitlines() if str(path) in line]


def assert_all_parse(root: Path) -> None:
    for path in root.rglob("*.py"):
        ast.parse(path.read_bytes(), filename=str(path))


def check_in_process(root: Path, monkeypatch, capsys) -> str:
    """The report of a plain check of ``root`` as it is on disk."""
    monkeypatch.chdir(root)
    assert cli.main([".", "--no-cache"]) in (0, 1)
    return capsys.readouterr().out


@contextmanager
def immutable(path: Path):
    """``chattr +i`` on ``path`` for the block (skip when that is not possible here)."""
    if shutil.which("chattr") is None:
        pytest.skip("chattr is not installed")
    made = subprocess.run(["chattr", "+i", str(path)], capture_output=True, text=True)
    if made.returncode != 0:
        pytest.skip(f"chattr +i is not possible here (it needs root and a file system with attributes): "
                    f"{made.stderr.strip()}")
    try:
        yield
    finally:
        subprocess.run(["chattr", "-i", str(path)], check=True)


# ------------------------------------------------------------------ failures before writing


def test_an_immutable_file_stops_the_whole_fix_and_the_report_is_of_the_disk(tmp_path):
    root = legacy_copy(tmp_path / "project")
    before = snapshot(root)
    on_disk = run_steplint("--no-cache", ".", cwd=root)
    with immutable(root / SPEC):
        result = run_steplint("--fix", ".", cwd=root)
    assert result.returncode == 2, result.stdout + result.stderr
    [message] = error_lines(result.stderr, root / SPEC)
    assert message == f"steplint: error: {root / SPEC}: cannot write fix: Operation not permitted"
    assert "no fix was written" in result.stderr
    assert snapshot(root) == before  # the contract keeps its 'config' entry too
    assert "Fixed" not in result.stdout
    assert result.stdout == on_disk.stdout
    assert " SL101 " in result.stdout and " SL201 " in result.stdout
    assert side_files(root) == [] and journals() == []
    assert "Traceback" not in result.stderr


def test_without_a_journal_no_fix_is_written(tmp_path):
    """The journal directory cannot be made (the state directory is a file): one line, exit 2."""
    root = legacy_copy(tmp_path / "project")
    before = snapshot(root)
    state = tmp_path / "state-is-a-file"
    state.write_text("")
    result = run_steplint("--fix", ".", cwd=root, env={"XDG_STATE_HOME": str(state)})
    assert result.returncode == 2
    [line] = result.stderr.splitlines()
    assert line.startswith(f"steplint: error: cannot keep a fix journal in {state / 'steplint' / 'journal'}: ")
    assert line.endswith("no fix was written (fixes are only written with a journal, so that a crash cannot "
                         "leave one half-applied)")
    assert snapshot(root) == before
    assert " SL101 " in result.stdout and "Fixed" not in result.stdout
    assert result.stdout == run_steplint("--no-cache", ".", cwd=root).stdout


def edit_spec(root: Path) -> bytes:
    """Edit the spec in place (as an editor saving over it would) and return its new bytes."""
    edited = b"# edited in the editor meanwhile\n" + (root / SPEC).read_bytes()
    with open(root / SPEC, "r+b") as stream:
        stream.write(edited)
    return edited


@pytest.mark.parametrize("moment", ["after-the-fix-is-computed", "while-the-fix-is-being-written"])
def test_a_file_edited_meanwhile_stops_the_whole_fix(tmp_path, monkeypatch, capsys, moment):
    root = legacy_copy(tmp_path / "project")
    before = snapshot(root)
    edited = []
    monkeypatch.chdir(root)
    with pytest.MonkeyPatch.context() as patch:
        if moment == "after-the-fix-is-computed":
            real_fix_workspace = fixer.fix_workspace

            def fix_workspace(*arguments, **options):
                outcome = real_fix_workspace(*arguments, **options)
                edited.append(edit_spec(root))
                return outcome

            patch.setattr(fixer, "fix_workspace", fix_workspace)
        else:
            real_link = os.link

            def link(source, target, **options):  # backups are made once a temporary file is written
                if not edited:
                    assert side_files(root), "no temporary file yet"
                    edited.append(edit_spec(root))
                return real_link(source, target, **options)

            patch.setattr(os, "link", link)
        code = cli.main([".", "--fix", "--no-cache"])
    output = capsys.readouterr()
    assert code == 2
    [message] = error_lines(output.err, root / SPEC)
    assert message == f"steplint: error: {root / SPEC}: changed on disk after steplint read it; not overwritten"
    assert (root / SPEC).read_bytes() == edited[0]
    assert (root / CONTRACT).read_bytes() == before[CONTRACT]
    assert side_files(root) == [] and journals() == []
    assert "Fixed" not in output.out
    assert output.out == check_in_process(root, monkeypatch, capsys)
    assert " SL201 " in output.out  # the contract entry is still there, and reported


# ------------------------------------------------------------------------------ full disk

IO_CALLS = ("write", "fsync", "replace", "rename", "link")


def run_with_failing_io(root: Path, monkeypatch, capsys, fail_at: int | None, calls=IO_CALLS,
                        persistent: bool = False) -> tuple[int, str, str, list]:
    """``steplint --fix`` in-process with the ``fail_at``-th call of ``calls`` (and, when
    ``persistent``, every later one) raising ENOSPC; the exit code, output and calls made."""
    made = []
    monkeypatch.chdir(root)
    with pytest.MonkeyPatch.context() as patch:
        for name in calls:
            real = getattr(os, name)

            def failing(*arguments, _name=name, _real=real, **options):
                made.append(_name)
                if fail_at is not None and (len(made) == fail_at or persistent and len(made) > fail_at):
                    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
                return _real(*arguments, **options)

            patch.setattr(os, name, failing)
        code = cli.main([".", "--fix", "--no-cache"])
    output = capsys.readouterr()
    return code, output.out, output.err, made


def two_fixes(root: Path) -> Path:
    """A small project with two two-file fixes (packages alpha and beta)."""
    return write_project(root, {**steps_named(PACKAGES[0]), **steps_named(PACKAGES[1])})


def findings(report: str) -> list:
    return [line for line in report.splitlines() if not line.startswith("Fixed ")]


# Failing every call (33 and 23 runs) is in the slow suite; the fast suite fails every fourth.
@pytest.mark.parametrize("stride", [pytest.param(4, id="every-4th-call"),
                                    pytest.param(1, id="every-call", marks=pytest.mark.slow)])
@pytest.mark.parametrize(("calls", "persistent"), [(IO_CALLS, False), (("write", "fsync"), True)],
                         ids=["one-call-fails", "disk-stays-full"])
def test_a_full_disk_at_any_call_leaves_every_fix_wholly_applied_or_not(tmp_path, monkeypatch, capsys, calls,
                                                                         persistent, stride):
    reference = two_fixes(tmp_path / "reference")
    original = snapshot(reference)
    code, _, err, made = run_with_failing_io(reference, monkeypatch, capsys, None, calls)
    assert code in (0, 1) and err == ""
    fixed = snapshot(reference)
    pairs = PAIRS[1:3]
    assert all(fixed[path] != original[path] for pair in pairs for path in pair)
    assert len(made) >= 10, made
    outcomes = {"nothing written": 0, "all written": 0, "written, directories not flushed": 0}
    failing_calls = range(1, len(made) + 1, stride)
    for fail_at in failing_calls:
        root = two_fixes(tmp_path / f"run-{fail_at}")
        code, out, err, _ = run_with_failing_io(root, monkeypatch, capsys, fail_at, calls, persistent)
        context = f"call {fail_at} ({made[fail_at - 1]}) failed: exit {code}\n{err}"
        assert "Traceback" not in err, context
        if side_files(root):  # only when the directories could not be flushed after the renames
            assert code in (0, 1) and "steplint: warning: the fixes are written, but not every directory" in err
            assert [name for name in journals() if name.endswith(".json")], context
            outcomes["written, directories not flushed"] += 1
        now = {path: data for path, data in snapshot(root).items() if not path.endswith(".steplint-bak")}
        assert set(now) == set(original), context  # no file left behind, none lost
        for pair in pairs:
            assert all(now[path] == original[path] for path in pair) or all(
                now[path] == fixed[path] for path in pair), context
        assert_all_parse(root)
        if code == 2:
            assert now == original, context
            assert "No space left on device" in err and "no fix was written" in err, context
            assert side_files(root) == [] and journals() == [], context
            outcomes["nothing written"] += 1
        else:
            assert now == fixed, context
            outcomes["all written"] += 1
        assert findings(out) == findings(check_in_process(root, monkeypatch, capsys)), context
        assert side_files(root) == [] and journals() == [], context  # the check run recovered the rest
    print(f"\nfull disk ({'every call from' if persistent else 'only'} the k-th of {len(made)} "
          f"{'/'.join(calls)} calls, every {stride}): {outcomes}")
    assert outcomes["nothing written"] >= len(failing_calls) // 2


# ----------------------------------------------------------------------- crashes (kill -9)

INSTRUMENTED_RUN = textwrap.dedent("""
    '''steplint --fix, logging write events to $EVENTS and pausing $PAUSE seconds before
    each rename, link and fsync, so that a kill can land inside the write phase.'''
    import os, sys, time
    from steplint.cli import main as cli
    from steplint.fixing import fixer

    EVENTS, PAUSE = os.environ["EVENTS"], float(os.environ.get("PAUSE", "0"))
    PAUSED = os.environ.get("PAUSED", "replace,rename,link,fsync").split(",")
    KILL_AT = os.environ.get("KILL_AT")  # "<call>:<n>": SIGKILL itself at the n-th call
    FAIL_AT = os.environ.get("FAIL_AT")  # "<call>:<n>": the n-th call fails with EPERM
    real_open, real_write, real_close = os.open, os.write, os.close
    counts = {}

    def event(name):
        handle = real_open(EVENTS, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            real_write(handle, f"{time.monotonic():.6f} {name}\\n".encode())
        finally:
            real_close(handle)

    def instrumented(name, real):
        def call(*arguments, **options):
            counts[name] = counts.get(name, 0) + 1
            here = f"{name}:{counts[name]}"
            event(name)
            if here == KILL_AT:
                os.kill(os.getpid(), 9)
            if here == FAIL_AT:
                raise PermissionError(1, "Operation not permitted")
            if name in PAUSED:
                time.sleep(PAUSE)
            result = real(*arguments, **options)
            event(name + "-done")
            return result
        return call

    for name in ("replace", "rename", "link", "fsync"):
        setattr(os, name, instrumented(name, getattr(os, name)))
    real_apply = fixer.apply_transaction

    def apply(changes):
        event("write-start")
        warnings = real_apply(changes)
        event("write-end")
        return warnings

    fixer.apply_transaction = apply
    event("start")
    sys.exit(cli.main(sys.argv[1:]))
""")


def start_instrumented(root: Path, script: Path, events: Path, state: Path | None = None,
                       **settings) -> subprocess.Popen:
    """The instrumented ``steplint --fix --no-cache .`` in ``root`` (with its own per-user
    state directory ``state``, when given)."""
    environment = {**os.environ, "PYTHONPATH": str(REPO), "EVENTS": str(events),
                   **{key: str(value) for key, value in settings.items()}}
    if state is not None:
        environment["XDG_STATE_HOME"] = str(state)
    return subprocess.Popen([sys.executable, str(script), "--fix", "--no-cache", "."], cwd=root,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=environment)


def read_events(events: Path) -> list:
    if not events.exists():
        return []
    return [(float(stamp), name) for stamp, name in (line.split() for line in events.read_text().splitlines())]


def phase(events: list) -> str:
    """Where a run was stopped, from its events: the journal's first rename makes the
    "prepare" record, its second one the "commit" record (the commit point)."""
    names = [name for _, name in events]
    if "write-end" in names:
        return "after writing"
    if "write-start" not in names:
        return "before writing"
    committed = names.count("rename-done") >= 2
    if committed:
        return "writing, after the commit point"
    if names.count("rename") >= 2:
        return "writing, at the commit point"  # killed inside the rename: either outcome is right
    return "writing, before the commit point"


def state_of(root: Path, original: dict, fixed: dict) -> str:
    """"old" or "new" when every fix is wholly one or the other; fails on a half-applied fix."""
    now = snapshot(root)
    pair_states = []
    for pair in PAIRS:
        if all(now[path] == original[path] for path in pair):
            pair_states.append("old")
        elif all(now[path] == fixed[path] for path in pair):
            pair_states.append("new")
        else:
            raise AssertionError(f"fix {pair} is half-applied")
    assert set(now) == set(original), sorted(set(now) ^ set(original))
    assert all(now[path] == original[path] for path in now if path not in {p for pair in PAIRS for p in pair})
    assert len(set(pair_states)) == 1, f"one run's fixes disagree: {pair_states}"
    return pair_states[0]


@pytest.fixture(scope="module")
def instrumented_script(tmp_path_factory) -> Path:
    script = tmp_path_factory.mktemp("script") / "instrumented_steplint.py"
    script.write_text(INSTRUMENTED_RUN)
    return script


@pytest.fixture(scope="module")
def reference(tmp_path_factory, instrumented_script) -> tuple[dict, dict, list]:
    """The project before and after a whole instrumented run, and that run's events
    (seconds from its start)."""
    base = tmp_path_factory.mktemp("reference")
    root = legacy_copy(base / "project", PACKAGES)
    original = snapshot(root)
    started = time.monotonic()
    run = start_instrumented(root, instrumented_script, base / "events", base / "state", PAUSE=0.01)
    out, err = run.communicate(timeout=300)
    assert run.returncode == 1 and "Fixed 4 findings in 8 files." in out, err
    fixed = snapshot(root)
    for relative in (SPEC, CONTRACT):
        assert fixed[relative] == (GOLDEN / relative).read_bytes()
    assert journals(base / "state") == [] and side_files(root) == []
    return original, fixed, [(stamp - started, name) for stamp, name in read_events(base / "events")]


def kill_and_recover(root: Path, script: Path, events: Path, state: Path, delay: float, since: str) -> dict:
    """Start the instrumented fix, SIGKILL it ``delay`` seconds after its start (``since``
    "start") or after it logged "write-start"; note where it was stopped and whether it left
    a journal, then run ``steplint .`` (which recovers)."""
    run = start_instrumented(root, script, events, state, PAUSE=0.01)
    if since == "write-start":
        deadline = time.monotonic() + 120
        while run.poll() is None and "write-start" not in [name for _, name in read_events(events)]:
            assert time.monotonic() < deadline
            time.sleep(0.002)
    time.sleep(delay)
    run.send_signal(signal.SIGKILL)
    run.communicate(timeout=300)
    had_journal = any(name.endswith(".json") for name in journals(state))
    recovery = run_steplint(".", cwd=root, env={"XDG_STATE_HOME": str(state)})
    return {"where": phase(read_events(events)), "had_journal": had_journal, "recovery": recovery}


@pytest.mark.slow  # 24 killed runs and recoveries: about a minute and a half on two loaded CPUs
def test_kill_9_at_random_moments_then_recovery_leaves_every_fix_whole(tmp_path, instrumented_script, reference):
    """SIGKILL at a random moment: half of the runs after a delay spread over a whole run,
    half after a delay spread over the write phase (counted from the run's "write-start"
    event, so that two runs at a time on a loaded machine still land there); then
    ``steplint .`` (which recovers) and the project is checked: every fix wholly applied
    (killed after the commit point) or wholly not (before it)."""
    original, fixed, timeline = reference
    duration = timeline[-1][0]
    write_start = next(stamp for stamp, name in timeline if name == "write-start")
    write_end = next(stamp for stamp, name in timeline if name == "write-end")
    randomness = random.Random(20240611)
    kills = [("write-start", randomness.uniform(0, write_end - write_start)) if iteration % 2
             else ("start", randomness.uniform(0, duration + 0.2)) for iteration in range(24)]

    def iteration(number: int) -> dict:
        base = tmp_path / f"run-{number}"
        root = legacy_copy(base / "project", PACKAGES)
        since, delay = kills[number]
        return {"root": root, "state": base / "state", "kill": f"{delay:.3f}s after {since}",
                **kill_and_recover(root, instrumented_script, base / "events", base / "state", delay, since)}

    with ThreadPoolExecutor(max_workers=2) as pool:  # two runs at a time: half the wall-clock time
        runs = list(pool.map(iteration, range(len(kills))))
    tally: dict = {}
    for number, run in enumerate(runs):
        root, where, recovery = run["root"], run["where"], run["recovery"]
        context = f"run {number}, killed {run['kill']}, {where}: {recovery.stderr}"
        assert recovery.returncode in (0, 1), context
        state = state_of(root, original, fixed)
        expected = {"before writing": "old", "writing, before the commit point": "old",
                    "writing, after the commit point": "new", "after writing": "new"}.get(where, state)
        assert state == expected, context
        if run["had_journal"]:
            done = "completed" if state == "new" else "rolled back"
            assert f"steplint: {done} a fix interrupted" in recovery.stderr, context
        assert_all_parse(root)
        assert side_files(root) == [], context
        assert journals(run["state"]) == [], context
        tally.setdefault(where, {}).setdefault(state, 0)
        tally[where][state] += 1
    print(f"\nkill -9: one run {duration:.2f}s, write phase {write_start:.2f}-{write_end:.2f}s; {tally}")
    inside = sum(sum(states.values()) for where, states in tally.items() if where.startswith("writing"))
    assert inside >= 6, tally


@pytest.mark.parametrize(("settings", "expected", "message"), [
    ({"KILL_AT": "link:3"}, "old", "rolled back a fix interrupted before its commit point (no file had been changed)"),
    ({"KILL_AT": "replace:1"}, "new", "completed a fix interrupted after its commit point"),
    # as at-the-first-rename, with some targets already renamed: in the slow suite
    pytest.param({"KILL_AT": "replace:5"}, "new", "completed a fix interrupted after its commit point",
                 marks=pytest.mark.slow),
    # the 3rd rename fails, the run puts back the 2nd target and is killed putting back the 1st
    ({"FAIL_AT": "replace:3", "KILL_AT": "replace:5"}, "old", "rolled back a fix interrupted after its commit point"),
], ids=["while-staging", "at-the-first-rename", "among-the-renames", "while-rolling-back"])
def test_recovery_after_a_crash_at_a_known_moment(tmp_path, instrumented_script, reference, settings, expected, message):
    original, fixed, _ = reference
    root = legacy_copy(tmp_path / "project", PACKAGES)
    run = start_instrumented(root, instrumented_script, tmp_path / "events", **settings)
    run.communicate(timeout=300)
    assert run.returncode == -signal.SIGKILL
    assert [name for name in journals() if name.endswith(".json")], "the crash left no journal"
    assert side_files(root), "the crash left no temporary or backup file"
    recovery = run_steplint(".", cwd=root)
    assert recovery.returncode in (0, 1), recovery.stderr
    [line] = recovery.stderr.splitlines()
    assert line.startswith(f"steplint: {message}: {root / 'alpha'}"), line
    assert line.endswith(" and 3 more"), line
    assert state_of(root, original, fixed) == expected
    assert side_files(root) == [] and journals() == []
    again = run_steplint(".", cwd=root)
    assert again.stderr == "" and again.stdout == recovery.stdout


def test_recovery_leaves_a_transaction_in_progress_alone(tmp_path, instrumented_script, reference):
    """While one run is paused among its renames, another run's recovery must not touch
    its journal or files; the first run then finishes normally."""
    original, fixed, _ = reference
    root = legacy_copy(tmp_path / "project", PACKAGES)
    events = tmp_path / "events"
    run = start_instrumented(root, instrumented_script, events, PAUSE=0.3, PAUSED="replace")
    # the run pauses before each of its renames (after its commit point): stop it there
    deadline = time.monotonic() + 120
    while "replace" not in [name for _, name in read_events(events)]:
        assert run.poll() is None and time.monotonic() < deadline, run.communicate()
        time.sleep(0.005)
    run.send_signal(signal.SIGSTOP)
    try:
        held = journals()
        staged = side_files(root)
        assert held and staged
        other = run_steplint(".", cwd=root)
        assert other.returncode in (0, 1), other.stderr
        assert other.stderr == ""
        assert journals() == held and side_files(root) == staged
    finally:
        run.send_signal(signal.SIGCONT)
    out, err = run.communicate(timeout=300)
    assert run.returncode == 1 and "Fixed 4 findings in 8 files." in out, err
    assert state_of(root, original, fixed) == "new"
    assert side_files(root) == [] and journals() == []


def test_a_target_edited_after_the_crash_is_left_alone_with_a_warning(tmp_path, instrumented_script, reference):
    original, fixed, _ = reference
    root = legacy_copy(tmp_path / "project")
    run = start_instrumented(root, instrumented_script, tmp_path / "events", KILL_AT="replace:1")
    run.communicate(timeout=300)
    assert run.returncode == -signal.SIGKILL
    edited = edit_spec(root)
    recovery = run_steplint(".", cwd=root)
    assert recovery.returncode == 1, recovery.stderr
    lines = recovery.stderr.splitlines()
    assert f"steplint: warning: {root / SPEC}: changed since an interrupted fix was committed; left alone" in lines
    assert (root / SPEC).read_bytes() == edited
    assert (root / CONTRACT).read_bytes() == fixed[CONTRACT]  # the rest of the fix was completed
    assert side_files(root) == [] and journals() == []
    assert " SL403 " in recovery.stdout  # and the drift this leaves is reported


# ------------------------------------------------------------------------ forged journals


def plant_journal(record: dict) -> Path:
    directory = transaction.journal_dir()
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"txn-{'0' * 32}.json"
    path.write_text(json.dumps(record))
    return path


def test_recovery_renames_and_removes_only_side_files_it_names_itself(tmp_path):
    """A journal naming a project file as its "temporary" is not steplint's: left alone,
    with a warning; a listed temporary that is a symbolic link is never followed."""
    root = legacy_copy(tmp_path / "project")
    before = snapshot(root)
    target, victim = str(root / SPEC), str(root / CONTRACT)
    forged = plant_journal({"format": 1, "state": "commit", "files": [
        {"target": target, "temp": victim, "backup": victim, "old": "0", "new": "1"}]})
    result = run_steplint(".", cwd=root)
    assert f"steplint: warning: {forged}: not a fix journal steplint wrote; left alone" in result.stderr.splitlines()
    assert snapshot(root) == before and forged.exists()
    forged.unlink()

    outside = tmp_path / "outside.py"
    outside.write_text("keep me\n")
    link = root / "src/mlpipelines/pipeline_step_specs/.pytorch_training_spec.py.0123456789ab.steplint-tmp"
    link.symlink_to(outside)
    plant_journal({"format": 1, "state": "prepare", "files": [
        {"target": target, "temp": str(link), "backup": str(link).replace("-tmp", "-bak"), "old": "0", "new": "1"}]})
    result = run_steplint(".", cwd=root)
    assert f"steplint: rolled back a fix interrupted before its commit point (no file had been changed): {target}" \
        in result.stderr.splitlines()
    assert link.is_symlink() and outside.read_text() == "keep me\n"
    assert journals() == []
