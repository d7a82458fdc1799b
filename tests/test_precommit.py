"""steplint as a pre-commit hook, run by real pre-commit in a temporary git repository
holding a copy of the legacy-layout fixture project.

pre-commit pip-installs steplint with its dependencies into a hook virtualenv: about two
minutes with a warm pip cache, hence ``slow``. ``pre-commit try-repo`` always builds it in a
throw-away store, so it runs once (both hooks in one call); the other scenarios use
``pre-commit run`` with a ``.pre-commit-config.yaml`` pointing at the same snapshot of this
working tree, through a ``PRE_COMMIT_HOME`` shared by the module, so they install once more.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import FIXTURES, REPO, run_steplint

pytestmark = pytest.mark.slow

SPEC = "src/mlpipelines/pipeline_step_specs/pytorch_training_spec.py"
CONTRACT = "src/mlpipelines/pipeline_script_contracts/pytorch_train_contract.py"
CLEAN_SPEC = "src/mlpipelines/pipeline_step_specs/xgboost_training_spec.py"
NOTES = "src/mlpipelines/notes.py"
GIT_IDENTITY = {"GIT_AUTHOR_NAME": "steplint tests", "GIT_AUTHOR_EMAIL": "tests@example.invalid",
                "GIT_COMMITTER_NAME": "steplint tests", "GIT_COMMITTER_EMAIL": "tests@example.invalid"}


@pytest.fixture(scope="module")
def pre_commit_home(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("pre-commit-home")


@pytest.fixture(scope="module")
def hook_repository(tmp_path_factory) -> Path:
    """This working tree (tracked and untracked, not ignored files) committed in a new repository."""
    target = tmp_path_factory.mktemp("steplint-hooks")
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=REPO,
                            check=True, capture_output=True, timeout=120).stdout.decode().split("\0")
    for relative in filter(None, listed):
        source = REPO / relative
        if source.is_file():
            (target / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / relative)
    _git(target, "init", "-q")
    _git(target, "add", ".")
    _git(target, "commit", "-q", "-m", "snapshot")
    return target


@pytest.fixture(scope="module")
def hooks(hook_repository, pre_commit_home) -> tuple:
    return hook_repository, pre_commit_home


@pytest.fixture
def repository(tmp_path, hooks) -> Path:
    """A git repository with the legacy-layout project, an unrelated file with a finding (an
    unused suppression) and a pre-commit configuration using both hooks of the snapshot."""
    hook_repository, _ = hooks
    root = Path(shutil.copytree(FIXTURES / "legacy_layout", tmp_path / "repo"))
    (root / NOTES).write_text("RETRIES = 3  # steplint: ignore[SL101]\n")
    revision = subprocess.run(["git", "rev-parse", "HEAD"], cwd=hook_repository, check=True, capture_output=True,
                              text=True, timeout=60).stdout.strip()
    (root / ".pre-commit-config.yaml").write_text(
        f"repos:\n  - repo: {hook_repository}\n    rev: {revision}\n"
        "    hooks:\n      - id: steplint\n      - id: steplint-fix\n")
    _git(root, "init", "-q")
    _git(root, "add", ".")
    _git(root, "commit", "-q", "-m", "project")
    return root


def _git(cwd: Path, *arguments: str) -> None:
    subprocess.run(["git", *arguments], cwd=cwd, check=True, env={**os.environ, **GIT_IDENTITY},
                   capture_output=True, timeout=120)


def _pre_commit(arguments, cwd: Path, hooks: tuple) -> subprocess.CompletedProcess:
    _, home = hooks
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", *arguments],
        cwd=cwd, env={**os.environ, **GIT_IDENTITY, "PRE_COMMIT_HOME": str(home)},
        capture_output=True, text=True, timeout=1800, check=False)


def _run(hook: str, files, cwd: Path, hooks: tuple) -> subprocess.CompletedProcess:
    return _pre_commit(["run", hook, "--files", *files], cwd, hooks)


def test_hook_file_declares_both_hooks():
    import yaml

    declared = {hook["id"]: hook for hook in yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())}
    assert set(declared) == {"steplint", "steplint-fix"}
    for hook in declared.values():
        assert hook["types_or"] == ["python", "pyi", "yaml"] and hook["require_serial"] is True
        assert hook["language"] == "python"
        assert hook["entry"].startswith("steplint check ") and "--force-exclude" in hook["entry"].split()


def test_try_repo_runs_both_hooks_on_a_changed_spec(repository, hooks):
    hook_repository, _ = hooks
    result = _pre_commit(["try-repo", str(hook_repository), "--files", SPEC], repository, hooks)
    output = result.stdout
    assert result.returncode == 1, output + result.stderr
    check, fix = output.index("\nsteplint....."), output.index("\nsteplint (fix)....")
    # SL101 needs the builder (its estimator takes hyperparameters=) and the contract: not passed, loaded.
    assert f"{SPEC}:39:9: SL101 redundant-dependency" in output[check:fix]
    assert NOTES not in output  # a finding in a file that was not passed stays unreported
    assert "files were modified by this hook" in output[fix:]
    assert 'logical_name="config"' not in (repository / SPEC).read_text()
    assert "/opt/ml/input/config/hyperparameters.json" not in (repository / CONTRACT).read_text()


def test_check_hook_loads_related_files_and_reports_on_the_passed_one(repository, hooks):
    result = _run("steplint", [SPEC], repository, hooks)
    assert result.returncode == 1, result.stdout + result.stderr
    assert f"{SPEC}:39:9: SL101 redundant-dependency" in result.stdout
    assert NOTES not in result.stdout


def test_check_hook_on_another_file_reports_only_that_file(repository, hooks):
    """The file's only finding is SL903, a warning: shown (with --verbose), not blocking."""
    result = _pre_commit(["run", "--verbose", "steplint", "--files", NOTES], repository, hooks)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Passed" in result.stdout
    assert f"{NOTES}:1:14: SL903 unused-suppression" in result.stdout
    assert "SL101 redundant-dependency" not in result.stdout and "SL301" not in result.stdout


def test_committing_an_excluded_file_passes_both_hooks(repository, hooks):
    """pre-commit passes files explicitly; the hooks' --force-exclude applies the project's
    exclude to them, so an excluded file that steplint would fail is committed."""
    broken = "legacy/old_spec.py"
    (repository / "legacy").mkdir()
    (repository / broken).write_text("from x import StepSpecification\nOLD_SPEC = StepSpecification(\n")  # SL901
    with (repository / "pyproject.toml").open("a") as handle:
        handle.write('\n[tool.steplint]\nexclude = ["legacy"]\n')
    _git(repository, "add", "pyproject.toml")
    _git(repository, "commit", "-q", "-m", "exclude legacy")
    direct = run_steplint(broken, cwd=repository)  # named without --force-exclude, it is checked and fails
    assert direct.returncode == 1 and f"{broken}:2:29: SL901 syntax-error" in direct.stdout, direct.stdout
    installed = _pre_commit(["install"], repository, hooks)
    assert installed.returncode == 0, installed.stdout + installed.stderr
    _git(repository, "add", broken)
    _, home = hooks
    commit = subprocess.run(["git", "commit", "-m", "keep the old spec"], cwd=repository, capture_output=True,
                            text=True, timeout=1800, env={**os.environ, **GIT_IDENTITY, "PRE_COMMIT_HOME": str(home)})
    assert commit.returncode == 0, commit.stdout + commit.stderr
    assert "steplint" in commit.stdout + commit.stderr and "Passed" in commit.stdout + commit.stderr
    log = subprocess.run(["git", "log", "-1", "--name-only", "--format=%s"], cwd=repository, capture_output=True,
                         text=True, timeout=60, check=True).stdout.split()
    assert broken in log


def test_check_hook_passes_on_a_clean_file(repository, hooks):
    result = _run("steplint", [CLEAN_SPEC], repository, hooks)
    assert result.returncode == 0, result.stdout
    assert "Passed" in result.stdout


def test_fix_hook_fixes_across_files_then_reports_what_remains(repository, hooks):
    first = _run("steplint-fix", [SPEC], repository, hooks)
    assert first.returncode == 1
    assert "files were modified by this hook" in first.stdout
    assert 'logical_name="config"' not in (repository / SPEC).read_text()
    assert "/opt/ml/input/config/hyperparameters.json" not in (repository / CONTRACT).read_text()
    _git(repository, "add", ".")
    second = _run("steplint-fix", [SPEC], repository, hooks)
    assert "files were modified by this hook" not in second.stdout
    assert "SL301 ad-hoc-get-inputs" in second.stdout  # unsafe: reported, never applied by the hook
    assert second.returncode == 1
