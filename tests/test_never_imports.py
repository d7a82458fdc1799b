"""steplint never imports or runs the code it lints.

``fixtures/import_side_effects`` is a project whose every module, when imported, touches a
marker file in ``$STEPLINT_MARKER_DIR`` (some through ``os.system``) and some then exit the
interpreter. Checking and fixing it with every rule must leave no marker and exit normally.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest
from steplint.cli import main as cli

from tests.conftest import FIXTURES, run_steplint

FIXTURE = FIXTURES / "import_side_effects"


@pytest.fixture
def trap(tmp_path):
    """A copy of the fixture and an empty marker directory."""
    root = tmp_path / "project"
    shutil.copytree(FIXTURE, root)
    markers = tmp_path / "markers"
    markers.mkdir()
    return root, markers


def test_the_fixture_really_springs_when_imported(trap):
    """This test imports the fixture, on purpose, to show the traps work (so the tests
    below can fail)."""
    root, markers = trap
    imported = subprocess.run([sys.executable, "-c", "import claims_pipeline.specs.pytorch_training_spec"],
                              cwd=root, env={**os.environ, "STEPLINT_MARKER_DIR": str(markers)},
                              capture_output=True, text=True, timeout=60)
    assert imported.returncode == 3  # a module it pulls in calls sys.exit(3) at import
    assert {"package_imported", "specs_package_imported"} <= set(os.listdir(markers))


# --diff and JSON (the same analysis as --fix and the check, another output) are in the slow suite.
@pytest.mark.parametrize("arguments", [
    ("--select", "ALL"),
    ("--select", "ALL", "--fix", "--unsafe-fixes"),
    pytest.param(("--select", "ALL", "--diff", "--unsafe-fixes"), marks=pytest.mark.slow),
    pytest.param(("--select", "ALL", "--format", "json", "--no-cache"), marks=pytest.mark.slow),
], ids=["check", "fix-unsafe", "diff", "json"])
def test_a_full_run_leaves_no_marker(trap, arguments):
    root, markers = trap
    before = {path: path.read_bytes() for path in root.rglob("*.py")}
    result = run_steplint(".", *arguments, cwd=root, env={"STEPLINT_MARKER_DIR": str(markers)})
    output = result.stdout + result.stderr
    assert "Traceback" not in output, output
    assert result.returncode in (0, 1), output
    assert os.listdir(markers) == []
    assert not any((root / name).exists() for name in ("script_imported", "spec_imported"))
    if "--fix" in arguments:
        assert "Fixed " in result.stdout
        assert any(path.read_bytes() != data for path, data in before.items())
    else:
        assert all(path.read_bytes() == data for path, data in before.items())


def test_in_process_run_loads_no_module_of_the_project(trap, monkeypatch, capsys):
    root, markers = trap
    monkeypatch.setenv("STEPLINT_MARKER_DIR", str(markers))
    monkeypatch.chdir(root)
    modules_before = set(sys.modules)
    code = cli.main([".", "--select", "ALL", "--fix", "--unsafe-fixes", "--no-cache"])
    capsys.readouterr()
    assert code in (0, 1)
    new_modules = set(sys.modules) - modules_before
    assert not [name for name in new_modules if name.split(".")[0] in ("claims_pipeline", "train", "scripts")]
    assert os.listdir(markers) == []
