"""``--fix`` never loses a byte: atomic writes that keep the file's mode, no overwriting of
files changed meanwhile, clear messages for files it may not write, whole files on
interruption, and line endings, BOM and encoding kept outside the edit."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
import textwrap

import pytest
from steplint.cli import main as cli
from steplint.fixing import fixer
from steplint.rules._examples import (
    CONFIG_DEPENDENCY,
    CONTRACT,
    DATA_DEPENDENCY,
    SPEC,
    training_project,
)

from tests.conftest import REPO, run_steplint, write_project

REDUNDANT = training_project(
    dependencies=DATA_DEPENDENCY + CONFIG_DEPENDENCY,
    input_paths='{"input_path": "/opt/ml/input/data", "config": "/opt/ml/input/data/config/hp.json"}',
)


def steps_named(prefix: str) -> dict:
    """The redundant-dependency project under the package ``prefix`` instead of ``steps``."""
    return {path.replace("steps/", f"{prefix}/", 1): text.replace("steps.", f"{prefix}.")
            for path, text in REDUNDANT.items()}


def fix_in_process(root, monkeypatch, capsys, *arguments):
    monkeypatch.chdir(root)
    code = cli.main([".", "--fix", "--no-cache", *arguments])
    return code, capsys.readouterr()


def test_writes_go_through_a_temporary_file_in_the_same_directory_and_keep_the_mode(tmp_path, monkeypatch, capsys):
    root = write_project(tmp_path / "project", REDUNDANT)
    (root / SPEC).chmod(0o640)
    replaced = []
    real_replace = os.replace

    def replace(source, target):
        replaced.append((os.path.dirname(source), os.path.basename(source), os.stat(source).st_mode, str(target)))
        return real_replace(source, target)

    monkeypatch.setattr(os, "replace", replace)
    code, output = fix_in_process(root, monkeypatch, capsys)
    assert code == 0, output
    assert {target for *_, target in replaced} == {str(root / SPEC), str(root / CONTRACT)}
    for directory, name, mode, target in replaced:
        assert directory == os.path.dirname(target)
        assert name.startswith(".") and name.endswith(".steplint-tmp")
    assert stat.S_IMODE((root / SPEC).stat().st_mode) == 0o640
    assert not list(root.rglob("*.steplint-tmp"))


def test_a_symlinked_file_stays_a_link(tmp_path, monkeypatch, capsys):
    """The link's target is in the project, in a directory the walk skips (``build``), so
    the link is the only way to it."""
    root = write_project(tmp_path / "project", REDUNDANT)
    real = root / "build" / "elsewhere_contract.py"
    real.parent.mkdir()
    shutil.move(root / CONTRACT, real)
    os.symlink(real, root / CONTRACT)
    code, output = fix_in_process(root, monkeypatch, capsys)
    assert code == 0, output
    assert (root / CONTRACT).is_symlink()
    assert '"config"' not in real.read_text()


def test_a_link_to_a_file_outside_the_project_is_neither_read_nor_written(tmp_path, monkeypatch, capsys):
    root = write_project(tmp_path / "project", REDUNDANT)
    real = tmp_path / "elsewhere_contract.py"
    shutil.move(root / CONTRACT, real)
    os.symlink(real, root / CONTRACT)
    before = real.read_bytes()
    _, output = fix_in_process(root, monkeypatch, capsys)
    assert real.read_bytes() == before and (root / CONTRACT).is_symlink()
    assert output.err.splitlines() == [f"steplint: warning: {CONTRACT}: symbolic link to {real} outside the project; "
                                       f"not followed"]


def test_a_file_changed_after_reading_is_not_overwritten(tmp_path, monkeypatch, capsys):
    root = write_project(tmp_path / "project", REDUNDANT)
    real_fix_workspace = fixer.fix_workspace
    edited = "# edited in the editor meanwhile\n" + (root / CONTRACT).read_text()

    def fix_workspace(*arguments, **options):
        outcome = real_fix_workspace(*arguments, **options)
        (root / CONTRACT).write_text(edited)
        return outcome

    monkeypatch.setattr(fixer, "fix_workspace", fix_workspace)
    code, output = fix_in_process(root, monkeypatch, capsys)
    assert code == 2
    assert f"steplint: error: {root / CONTRACT}: changed on disk after steplint read it; not overwritten" in output.err
    assert (root / CONTRACT).read_text() == edited
    assert "Traceback" not in output.err


def test_a_read_only_file_gets_a_clear_message(tmp_path, monkeypatch, capsys):
    """As root, permissions do not stop writes, so the file is made immutable with
    ``chattr +i`` when the file system allows it; otherwise ``os.access`` is made to report
    it read-only, as it does for a chmod 444 file owned by someone else."""
    root = write_project(tmp_path / "project", REDUNDANT)
    target = root / CONTRACT
    before = target.read_bytes()
    spec_before = (root / SPEC).read_bytes()
    immutable = False
    if os.geteuid() != 0:
        target.chmod(0o444)
    elif shutil.which("chattr") and subprocess.run(["chattr", "+i", str(target)], capture_output=True).returncode == 0:
        immutable = True
    else:
        real_access = os.access
        monkeypatch.setattr(os, "access", lambda path, mode: False if str(path) == str(target)
                            else real_access(path, mode))
    try:
        code, output = fix_in_process(root, monkeypatch, capsys)
    finally:
        if immutable:
            subprocess.run(["chattr", "-i", str(target)], check=True)
    assert code == 2
    [message] = [line for line in output.err.splitlines() if str(target) in line]
    assert message.startswith(f"steplint: error: {target}: cannot write fix: ")
    assert message.endswith(("file is read-only", "Operation not permitted", "Permission denied"))
    assert target.read_bytes() == before
    assert (root / SPEC).read_bytes() == spec_before  # the fix spans both files: written to all or none
    assert not list(root.rglob("*.steplint-tmp"))


INTERRUPTING_RUN = textwrap.dedent("""
    import os, signal, sys
    from steplint.cli import main as cli

    real = getattr(os, {hook!r})
    calls = []

    def hooked(*arguments):
        calls.append(arguments)
        if len(calls) == {after}:
            os.kill(os.getpid(), signal.SIGINT)
        return real(*arguments)

    setattr(os, {hook!r}, hooked)
    sys.exit(cli.main([".", "--fix", "--no-cache"]))
""")


@pytest.mark.parametrize(("hook", "after"), [("replace", 1), ("fsync", 2), ("replace", 3)],
                         ids=["after-first-file", "while-writing-second", "after-third"])
def test_an_interrupted_fix_leaves_every_file_wholly_old_or_wholly_new(tmp_path, hook, after):
    files = {**steps_named("alpha"), **steps_named("beta"), **steps_named("gamma")}
    fixed_root = write_project(tmp_path / "reference", files)
    assert run_steplint(".", "--fix", "--no-cache", cwd=fixed_root).returncode == 0
    fixed = {relative: (fixed_root / relative).read_bytes() for relative in files}
    root = write_project(tmp_path / "project", files)
    original = {relative: (root / relative).read_bytes() for relative in files}
    assert sum(original[relative] != fixed[relative] for relative in files) == 6

    result = subprocess.run([sys.executable, "-c", INTERRUPTING_RUN.format(hook=hook, after=after)], cwd=root,
                            capture_output=True, text=True, timeout=300,
                            env={**os.environ, "PYTHONPATH": str(REPO)})
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode == 130, result.stderr
    assert "steplint: interrupted" in result.stderr
    now = {relative: (root / relative).read_bytes() for relative in files}
    assert all(now[relative] in (original[relative], fixed[relative]) for relative in files)
    written = sum(now[relative] == fixed[relative] != original[relative] for relative in files)
    assert written == 6  # the signal is held until the run's one transaction is done
    assert not list(root.rglob("*.steplint-tmp")) and not list(root.rglob("*.steplint-bak"))


def crlf_bom(data: bytes) -> bytes:
    return b"\xef\xbb\xbf" + data.replace(b"\n", b"\r\n")


def latin1_with_cookie(data: bytes) -> bytes:
    text = "# -*- coding: latin-1 -*-\n# Vertragsprüfung für das Training (Größe, Maße)\n" + data.decode()
    return text.encode("latin-1")


@pytest.mark.parametrize("transform", [crlf_bom, latin1_with_cookie], ids=["crlf-bom", "latin1-cookie"])
def test_line_endings_bom_and_encoding_survive_the_fix(tmp_path, transform):
    """The same project fixed twice, once plain (UTF-8, LF) and once with the spec and
    contract transformed: the transformed result is exactly the plain result transformed."""
    plain = write_project(tmp_path / "plain", REDUNDANT)
    odd_files = {**REDUNDANT, SPEC: transform(REDUNDANT[SPEC].encode()),
                 CONTRACT: transform(REDUNDANT[CONTRACT].encode())}
    odd = write_project(tmp_path / "odd", odd_files)
    for root in (plain, odd):
        result = run_steplint(".", "--fix", "--no-cache", cwd=root)
        assert result.returncode == 0, result.stdout + result.stderr
        assert "Fixed 1 finding in 2 files." in result.stdout
    for relative in (SPEC, CONTRACT):
        assert (odd / relative).read_bytes() == transform((plain / relative).read_bytes())
        assert (plain / relative).read_bytes() != REDUNDANT[relative].encode()


def test_a_fix_the_encoding_cannot_hold_is_refused(tmp_path, monkeypatch, capsys):
    """A latin-1 file whose fix would need a character latin-1 lacks is left alone, with a message."""
    root = write_project(tmp_path / "project", {**REDUNDANT, CONTRACT: latin1_with_cookie(REDUNDANT[CONTRACT].encode())})
    real_fix_workspace = fixer.fix_workspace

    def fix_workspace(*arguments, **options):
        outcome = real_fix_workspace(*arguments, **options)
        for display in outcome.changed:
            if display.endswith("training_contract.py"):
                source = outcome.workspace.sources[display]
                outcome.workspace.sources[display] = source.with_text(source.text + "# \u20ac\n")
        return outcome

    monkeypatch.setattr(fixer, "fix_workspace", fix_workspace)
    before = (root / CONTRACT).read_bytes()
    code, output = fix_in_process(root, monkeypatch, capsys)
    assert code == 2
    assert "that the file's encoding iso-8859-1 cannot hold" in output.err
    assert (root / CONTRACT).read_bytes() == before
    assert "Traceback" not in output.err
