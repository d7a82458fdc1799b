"""Discovery: which files a walk finds, with exclusions, matches the per-file definition."""

from __future__ import annotations

import fnmatch
import os
import tempfile
import time
from pathlib import Path

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from steplint.files.discovery import ALWAYS_SKIPPED_DIRS, discover
from steplint.files.paths import display_path

from tests.conftest import run_steplint

DIRECTORIES = st.lists(st.sampled_from(["steps", "specs", "legacy", "build", "gen"]), max_size=3)
FILES = st.sampled_from(["a_spec.py", "b.py", "c.pyi", "notes.txt", "x_test.py", "gen"])
PATTERNS = st.lists(st.sampled_from(["legacy", "legacy/", "*_test.py", "steps/gen/*", "gen", "steps/specs/a_spec.py",
                                     "specs/*.py", "steps/specs", "*.pyi", "nothing"]), max_size=3)
TREES = st.lists(st.tuples(DIRECTORIES, FILES).map(lambda pair: [*pair[0], pair[1]]), max_size=12)


def expected(root: Path, patterns) -> list:
    """The definition: every .py/.pyi file below ``root`` none of whose directories (nor
    itself) is always skipped or matches a pattern by name or by path relative to ``root``."""
    found = []
    for directory, dirnames, filenames in os.walk(root):
        for name in filenames:
            path = Path(directory, name)
            relative = path.relative_to(root)
            parts = relative.parts
            if not name.endswith((".py", ".pyi")):
                continue
            if any(part in ALWAYS_SKIPPED_DIRS for part in parts[:-1]):
                continue
            prefixes = ["/".join(parts[:end]) for end in range(1, len(parts) + 1)]
            if any(fnmatch.fnmatch(part, pattern.rstrip("/")) or fnmatch.fnmatch(prefix, pattern.rstrip("/"))
                   for part, prefix in zip(parts, prefixes) for pattern in patterns):
                continue
            found.append(relative.as_posix())
    return sorted(found)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(tree=TREES, patterns=PATTERNS)
@example(tree=[["steps", "specs", "a_spec.py"], ["steps", "specs", "b.py"]], patterns=["steps/specs/a_spec.py"])
@example(tree=[["steps", "specs", "b.py"], ["specs", "b.py"]], patterns=["specs/*.py"])
def test_walk_with_exclusions_finds_exactly_the_files_the_definition_names(tree, patterns):
    with tempfile.TemporaryDirectory() as temporary:
        root = Path(temporary)
        for parts in tree:
            *directories, leaf = parts
            if any(part.endswith((".py", ".pyi", ".txt")) for part in directories):
                continue
            folder = root.joinpath(*directories)
            if folder.is_file() or (folder / leaf).is_dir():
                continue
            folder.mkdir(parents=True, exist_ok=True)
            if not leaf.endswith((".py", ".pyi", ".txt")):
                (folder / leaf).mkdir(exist_ok=True)
            else:
                (folder / leaf).write_text("x = 1\n")
        found = discover([root], root, tuple(patterns)).files
        assert sorted(path.relative_to(root).as_posix() for path in found) == expected(root, patterns)


def test_symbolic_link_loops_end_and_linked_files_show_their_real_place(tmp_path, monkeypatch):
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "spec.py").write_text("x = 1\n")
    (tmp_path / "pkg" / "loop").symlink_to(tmp_path / "pkg")
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "linked.py").symlink_to(tmp_path / "pkg" / "spec.py")
    monkeypatch.chdir(tmp_path)
    found = discover([Path(".")], tmp_path, ()).files
    assert sorted(display_path(path) for path in found) == ["pkg/spec.py", "pkg/spec.py"]
    assert display_path(Path("missing.py")) == "missing.py"
    assert display_path(tmp_path.parent / "outside.py") == (tmp_path.parent / "outside.py").as_posix()


# Walks stay inside the project: through the command line, as a user runs it.

SPEC = ("class StepSpecification: ...\n\n"
        "{name} = StepSpecification(step_type=[n for n in 'ab'])\n")  # SL904: the file was checked


def outside_link_warnings(result) -> list:
    return [line for line in result.stderr.splitlines() if "outside the project; not followed" in line]


def test_links_out_of_the_project_are_not_followed_and_warned_about_once(tmp_path):
    """A link to ``/`` and links to a sibling directory and file: the run ends quickly,
    reads nothing outside (the canary outside would be reported if it did), warns once per
    link, and still checks the project's own files and its links that stay inside."""
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "canary_spec.py").write_text(SPEC.format(name="CANARY_SPEC"))
    root = tmp_path / "project"
    (root / "steps").mkdir(parents=True)
    (root / ".git").mkdir()
    (root / "steps" / "own_spec.py").write_text(SPEC.format(name="OWN_SPEC"))
    (root / "everything").symlink_to("/")
    (root / "steps" / "sibling").symlink_to(outside)
    (root / "steps" / "linked_spec.py").symlink_to(outside / "canary_spec.py")
    (root / "steps" / "again").symlink_to(root / "steps")  # a loop that stays inside
    (root / "steps" / "alias_spec.py").symlink_to("own_spec.py")  # a file link that stays inside
    (root / ".venv").symlink_to("/")  # skipped anyway: not worth a warning
    started = time.monotonic()
    result = run_steplint(".", "steps", cwd=root)  # two walks over the same links
    assert time.monotonic() - started < 30
    assert "Traceback" not in result.stderr and result.returncode == 0, result.stderr  # SL904 is a warning
    assert sorted(outside_link_warnings(result)) == [
        "steplint: warning: everything: symbolic link to / outside the project; not followed",
        f"steplint: warning: steps/linked_spec.py: symbolic link to {outside / 'canary_spec.py'} "
        f"outside the project; not followed",
        f"steplint: warning: steps/sibling: symbolic link to {outside} outside the project; not followed",
    ]
    assert len(result.stderr.splitlines()) == 3
    assert "CANARY_SPEC" not in result.stdout
    [own] = [line for line in result.stdout.splitlines() if "SL904" in line]  # the alias shows its real place
    assert own.startswith("steps/own_spec.py:3:")


def test_a_link_given_on_the_command_line_is_checked_wherever_it_points(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "canary_spec.py").write_text(SPEC.format(name="CANARY_SPEC"))
    root = tmp_path / "project"
    root.mkdir()
    (root / ".git").mkdir()
    (root / "sibling").symlink_to(outside)
    (root / "linked_spec.py").symlink_to(outside / "canary_spec.py")
    for argument in ("sibling", "linked_spec.py"):
        result = run_steplint(argument, cwd=root)
        assert result.returncode == 0, result.stderr  # SL904 is a warning
        assert "CANARY_SPEC" in result.stdout and not outside_link_warnings(result)


def test_links_out_of_the_project_are_warned_about_when_loaded_as_context(tmp_path):
    """A pre-commit style run on one file loads the rest of the project from its root:
    that walk does not follow links out either, and says so."""
    root = tmp_path / "project"
    (root / "steps").mkdir(parents=True)
    (root / ".git").mkdir()
    (root / "steps" / "own_spec.py").write_text(SPEC.format(name="OWN_SPEC"))
    (root / "everything").symlink_to("/")
    started = time.monotonic()
    result = run_steplint("steps/own_spec.py", cwd=root)
    assert time.monotonic() - started < 30
    assert result.returncode == 0 and "steps/own_spec.py:3:" in result.stdout  # SL904 is a warning
    assert outside_link_warnings(result) == [
        "steplint: warning: everything: symbolic link to / outside the project; not followed"]


def test_discover_lists_links_out_of_the_project_and_follows_those_inside(tmp_path):
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "spec.py").write_text("x = 1\n")
    (tmp_path / "pkg" / "up").symlink_to(tmp_path.parent)
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "more.py").write_text("x = 1\n")
    (tmp_path / "pkg" / "inside").symlink_to(tmp_path / "other")
    found = discover([tmp_path / "pkg"], tmp_path, ())
    assert sorted(path.name for path in found.files) == ["more.py", "spec.py"]
    assert [(link.path, link.target) for link in found.outside_links] == [
        (tmp_path / "pkg" / "up", os.path.realpath(tmp_path.parent))]
    # the root is inside the project too, but with a root elsewhere only the walked directory is
    found = discover([tmp_path / "pkg"], tmp_path / "pkg", ())
    assert [path.name for path in found.files] == ["spec.py"]
    assert sorted(link.path.name for link in found.outside_links) == ["inside", "up"]
