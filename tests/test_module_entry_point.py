"""``python -m steplint`` run inside the project it checks imports nothing from it.

``python -m`` puts the working directory first on ``sys.path``; the modules below would
shadow the standard library and LibCST there. Each writes a marker file when imported
(a harmless stand-in for whatever an untrusted repository could run)."""

from __future__ import annotations

import sysconfig
from pathlib import Path

from tests.conftest import REPO, run_steplint, write_project

SHADOWED = ("libcst", "argparse", "json", "tomllib", "enum", "dataclasses", "difflib", "fnmatch", "platformdirs",
            "pathlib", "typing", "functools", "hashlib", "pickle", "tokenize", "concurrent", "multiprocessing")
SPEC = ("class StepSpecification: ...\n\n"
        "DYNAMIC_SPEC = StepSpecification(step_type=[n for n in 'ab'])\n")  # SL904 when checked


def shadowing_project(root: Path) -> Path:
    """A project whose top level holds a module (or package) named like each of ``SHADOWED``."""
    files = {"steps/dynamic_spec.py": SPEC, "pyproject.toml": "[project]\nname = 'shadow'\n"}
    for name in SHADOWED:
        module = f"{name}/__init__.py" if name in ("concurrent", "multiprocessing") else f"{name}.py"
        files[module] = f"open({str(root / ('imported-' + name))!r}, 'w').close()\n"
    return write_project(root, files)


def markers(root: Path) -> list:
    return sorted(path.name for path in root.glob("imported-*"))


def test_modules_in_the_working_directory_are_not_imported(tmp_path):
    root = shadowing_project(tmp_path / "project")
    result = run_steplint(".", cwd=root)
    assert markers(root) == []
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode == 0  # SL904 is a warning
    assert result.stdout.splitlines()[0].startswith("steps/dynamic_spec.py:3:")
    result = run_steplint("--version", cwd=root)
    assert result.returncode == 0 and result.stdout.startswith("steplint ")
    assert markers(root) == []


def test_a_module_already_imported_from_the_working_directory_stops_the_run(tmp_path):
    """With the working directory on ``PYTHONPATH``, ``site`` imports its
    ``sitecustomize.py`` before steplint starts: that cannot be undone, so steplint refuses
    to go on (exit 2, one line) rather than run next to it."""
    root = write_project(tmp_path / "project", {
        "steps/dynamic_spec.py": SPEC,
        "sitecustomize.py": f"open({str(tmp_path / 'project' / 'imported-sitecustomize')!r}, 'w').close()\n"})
    result = run_steplint(".", cwd=root, env={"PYTHONPATH": "."})
    assert markers(root) == ["imported-sitecustomize"]  # it ran before steplint could do anything
    assert "Traceback" not in result.stderr and result.returncode == 2
    [line] = result.stderr.splitlines()
    assert line.startswith("steplint: error: module 'sitecustomize' was imported from the working directory")
    assert result.stdout == ""


def test_runs_from_its_own_checkout(tmp_path):
    """From steplint's repository root (an editable install maps the package there, as in
    the README's set-up), steplint's own modules are not mistaken for shadowing ones."""
    result = run_steplint("--version", cwd=REPO)
    assert result.returncode == 0 and result.stdout.startswith("steplint "), result.stderr
    result = run_steplint("--statistics", "fixtures/legacy_layout", cwd=REPO)
    assert result.returncode == 1 and "SL101" in result.stdout, result.stdout + result.stderr


def test_runs_from_inside_the_interpreters_own_installation():
    """Checking an installed package in place (the working directory is ``site-packages``):
    what is there is what the interpreter imports anyway, so nothing is taken off
    ``sys.path`` and nothing found there is refused."""
    site_packages = Path(sysconfig.get_paths()["purelib"])
    result = run_steplint("--version", cwd=site_packages)
    assert result.returncode == 0 and result.stdout.startswith("steplint "), result.stderr
