"""Discovery like ruff: ``.gitignore`` (with git itself as the judge), ``.ignore``,
``respect-gitignore``, ``extend-exclude``, ``--show-files`` and ``--force-exclude``."""

from __future__ import annotations

import os
import subprocess
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from steplint.files.discovery import ALWAYS_SKIPPED_DIRS, discover

from tests.conftest import run_steplint, write_project

GIT_ENVIRONMENT = {"GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull}  # no global excludes file

DIRECTORIES = st.lists(st.sampled_from(["steps", "specs", "gen", "deep", "a"]), max_size=3)
FILES = st.sampled_from(["a_spec.py", "keep.py", "x_test.py", "c.pyi", "top.py", "notes.txt"])
TREES = st.lists(st.tuples(DIRECTORIES, FILES).map(lambda pair: [*pair[0], pair[1]]), min_size=1, max_size=12)
PATTERNS = st.lists(st.sampled_from([
    "*.pyi", "gen/", "/top.py", "top.py", "specs/*.py", "!keep.py", "**/deep/*.py", "steps/**/a_spec.py", "*_test.py",
    "!x_test.py", "!specs/a_spec.py", "steps/", "!steps/keep.py", "deep", "/gen", "a/*", "# a comment", "",
    "\\!keep.py", "*.py", "!*/", "specs/", "!/steps/specs/", "deep/**", "!deep/keep.py", "**", "steps/*",
    "!steps/specs", "a/**/c.pyi", "!**/a_spec.py"]), max_size=4)


def git_visible(root: Path) -> list:
    """What git itself does not ignore: the untracked files ``git ls-files --others
    --exclude-standard`` lists, as steplint would walk them (Python files, outside the
    directories steplint always skips)."""
    listed = subprocess.run(["git", "ls-files", "-z", "--others", "--exclude-standard"], cwd=root, check=True,
                            capture_output=True, env={**os.environ, **GIT_ENVIRONMENT}, timeout=60).stdout
    return sorted(path for path in listed.decode().split("\0")
                  if path.endswith((".py", ".pyi")) and not set(path.split("/")[:-1]) & ALWAYS_SKIPPED_DIRS)


def write_tree(root: Path, tree) -> None:
    for parts in tree:
        *directories, leaf = parts
        folder = root.joinpath(*directories)
        if any(parent.is_file() for parent in (folder, *folder.parents)) or (folder / leaf).is_dir():
            continue
        folder.mkdir(parents=True, exist_ok=True)
        (folder / leaf).write_text("x = 1\n")


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(tree=TREES, top=PATTERNS, nested=PATTERNS, info=PATTERNS)
@example(tree=[["steps", "keep.py"], ["steps", "a_spec.py"]], top=["steps/", "!steps/keep.py"], nested=[], info=[])
@example(tree=[["steps", "specs", "a_spec.py"], ["specs", "a_spec.py"]], top=["/gen", "specs/"],
         nested=["!specs/"], info=[])
@example(tree=[["top.py"], ["steps", "top.py"], ["steps", "x_test.py"]], top=["/top.py", "*_test.py"],
         nested=["!x_test.py"], info=["top.py"])
def test_the_walk_skips_exactly_what_git_ignores(tree, top, nested, info):
    """Nested ``.gitignore`` files, negation, anchoring, directory patterns and
    ``.git/info/exclude``: what steplint walks is what git does not ignore."""
    with tempfile.TemporaryDirectory() as temporary:
        root = Path(temporary)
        subprocess.run(["git", "init", "-q"], cwd=root, check=True, timeout=60,
                       env={**os.environ, **GIT_ENVIRONMENT})
        write_tree(root, tree)
        (root / ".gitignore").write_text("\n".join(top) + "\n")
        if (root / "steps").is_dir():
            (root / "steps" / ".gitignore").write_text("\n".join(nested) + "\n")
        (root / ".git" / "info").mkdir(exist_ok=True)
        (root / ".git" / "info" / "exclude").write_text("\n".join(info) + "\n")
        found = discover([root], root, ()).files
        assert sorted(path.relative_to(root).as_posix() for path in found) == git_visible(root)
        # walking a subdirectory applies the ignore files above it too (unless it is ignored
        # itself: then it was named explicitly, and is walked, see the test below)
        ignored = subprocess.run(["git", "check-ignore", "-q", "steps"], cwd=root, timeout=60,
                                 env={**os.environ, **GIT_ENVIRONMENT}).returncode == 0
        if (root / "steps").is_dir() and not ignored:
            below = discover([root / "steps"], root, ()).files
            assert sorted(path.relative_to(root).as_posix() for path in below) == [
                path for path in git_visible(root) if path.startswith("steps/")]


SPEC = "class StepSpecification: ...\n\n{name} = StepSpecification(step_type=[n for n in 'ab'])\n"  # SL904


@pytest.fixture
def repository(tmp_path) -> Path:
    """A git work tree with a spec, a generated spec that .gitignore ignores and a vendored
    spec that .ignore ignores."""
    root = write_project(tmp_path / "repo", {
        "steps/own_spec.py": SPEC.format(name="OWN_SPEC"),
        "generated/gen_spec.py": SPEC.format(name="GEN_SPEC"),
        "vendor/lib_spec.py": SPEC.format(name="LIB_SPEC"),
        ".gitignore": "generated/\n",
        ".ignore": "vendor/\n",
    })
    subprocess.run(["git", "init", "-q"], cwd=root, check=True, timeout=60)
    return root


def test_show_files_lists_what_a_run_checks_and_skips_ignored_files(repository):
    result = run_steplint("--show-files", cwd=repository)
    assert (result.returncode, result.stdout, result.stderr) == (0, "steps/own_spec.py\n", "")
    check = run_steplint(cwd=repository)
    assert "OWN_SPEC" in check.stdout and "GEN_SPEC" not in check.stdout and "LIB_SPEC" not in check.stdout
    assert run_steplint("--show-files", "steps", "missing", cwd=repository).returncode == 2


def test_respect_gitignore_can_be_turned_off(repository):
    everything = ["generated/gen_spec.py", "steps/own_spec.py", "vendor/lib_spec.py"]
    assert run_steplint("--show-files", "--no-respect-gitignore", cwd=repository).stdout.split() == everything
    (repository / "pyproject.toml").write_text("[tool.steplint]\nrespect-gitignore = false\n")
    assert run_steplint("--show-files", cwd=repository).stdout.split() == everything
    assert run_steplint("--show-files", "--respect-gitignore", cwd=repository).stdout.split() == ["steps/own_spec.py"]
    (repository / "pyproject.toml").write_text('[tool.steplint]\nrespect-gitignore = "no"\n')
    result = run_steplint("--show-files", cwd=repository)
    assert result.returncode == 2 and "'respect-gitignore' must be true or false, not a string" in result.stderr


def test_gitignore_outside_a_work_tree_means_nothing_but_ignore_does(repository):
    """As for git, ruff and ripgrep: ``.gitignore`` applies in a git work tree; ``.ignore`` anywhere."""
    import shutil

    shutil.rmtree(repository / ".git")
    assert run_steplint("--show-files", cwd=repository).stdout.split() == ["generated/gen_spec.py",
                                                                          "steps/own_spec.py"]


def test_explicit_paths_are_checked_even_when_ignored_unless_force_exclude(repository):
    result = run_steplint("generated/gen_spec.py", cwd=repository)
    assert "GEN_SPEC" in result.stdout
    assert run_steplint("--show-files", "generated", cwd=repository).stdout == "generated/gen_spec.py\n"
    for path in ("generated/gen_spec.py", "generated", "vendor/lib_spec.py"):
        forced = run_steplint("--force-exclude", path, cwd=repository)
        assert forced.returncode == 0 and forced.stdout == "0 findings (0 fixable)\n", path
        assert run_steplint("--force-exclude", "--show-files", path, cwd=repository).stdout == ""
    stdin = run_steplint("--force-exclude", "--stdin-filename", "generated/new_spec.py", cwd=repository,
                         input=SPEC.format(name="STDIN_SPEC"))
    assert "STDIN_SPEC" not in stdin.stdout and stdin.returncode == 0


def test_extend_exclude_adds_to_exclude(repository):
    (repository / "steps" / "legacy_spec.py").write_text(SPEC.format(name="LEGACY_SPEC"))
    (repository / "pyproject.toml").write_text('[tool.steplint]\nextend-exclude = ["legacy_*"]\n')
    assert run_steplint("--show-files", cwd=repository).stdout.split() == ["steps/own_spec.py"]
    assert run_steplint("--show-files", "--extend-exclude", "own_*", cwd=repository).stdout == ""
    (repository / "pyproject.toml").write_text('[tool.steplint]\nexclude = ["own_*"]\n'
                                               'extend-exclude = ["legacy_*"]\n')
    assert run_steplint("--show-files", cwd=repository).stdout == ""
    assert run_steplint("--show-files", "--exclude", "nothing", cwd=repository).stdout.split() == [
        "steps/own_spec.py"]  # --exclude replaces the file's exclude; its extend-exclude stays


def test_a_huge_ignore_file_is_not_read_and_said_so(repository):
    (repository / ".ignore").write_bytes(b"# padding\n" * 120_000)
    result = run_steplint("--show-files", cwd=repository)
    assert result.stdout.split() == ["steps/own_spec.py", "vendor/lib_spec.py"]
    assert result.stderr == "steplint: warning: .ignore: ignore file larger than 1 MB; not read\n"
