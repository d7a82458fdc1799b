"""Discovery: which files a walk finds, with exclusions, matches the per-file definition."""

from __future__ import annotations

import fnmatch
import os
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from steplint.api import display_path
from steplint.discovery import ALWAYS_SKIPPED_DIRS, discover

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
