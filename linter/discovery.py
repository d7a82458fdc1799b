"""Finding the Python files to check under the paths a user gives."""

from __future__ import annotations

import fnmatch
import os
from dataclasses import dataclass
from pathlib import Path

ALWAYS_SKIPPED_DIRS = frozenset({".git", ".hg", ".svn", "__pycache__", ".tox", ".nox", ".venv", "venv",
                                 ".mypy_cache", ".pytest_cache", ".ruff_cache", ".steplint_cache",
                                 "node_modules", "build", "dist", ".eggs", "site-packages"})


@dataclass(frozen=True)
class Discovered:
    """Files to check, and the path arguments that do not exist."""

    files: tuple
    missing: tuple


def is_excluded(path: Path, root: Path, patterns) -> bool:
    """True when a pattern matches the path's name or its path relative to ``root``."""
    if not patterns:
        return False
    try:
        relative = Path(os.path.realpath(path)).relative_to(os.path.realpath(root)).as_posix()
    except ValueError:
        relative = path.as_posix()
    return _matches(path.name, relative, patterns)


def _matches(name: str, relative: str, patterns) -> bool:
    for pattern in patterns:
        pattern = pattern.rstrip("/")
        if fnmatch.fnmatch(name, pattern) or fnmatch.fnmatch(relative, pattern):
            return True
    return False


def discover(paths, root: Path, exclude, force_exclude: bool = False) -> Discovered:
    """Python files under ``paths``; exclusions apply to what the walk finds below a given
    path (and to the given paths too with ``force_exclude``), like ruff: ``steplint fixtures``
    checks ``fixtures`` even when it is excluded from ``steplint .``. Output is sorted."""
    found: dict[Path, None] = {}
    missing = []
    for given in paths:
        path = Path(given)
        if path.is_symlink() and not path.exists():
            missing.append(str(given))
            continue
        if not path.exists():
            missing.append(str(given))
            continue
        if force_exclude and is_excluded_with_parents(path, root, exclude):
            continue
        if path.is_dir():
            for file in _walk(path, root, exclude):
                found.setdefault(file, None)
        else:
            found.setdefault(path, None)
    return Discovered(tuple(sorted(found, key=lambda p: p.as_posix())), tuple(missing))


def is_excluded_with_parents(path: Path, root: Path, patterns) -> bool:
    """Whether ``path`` or a directory it is in (below ``root``) is excluded, as a walk from
    ``root`` would have skipped it."""
    real, real_root = Path(os.path.realpath(path)), Path(os.path.realpath(root))
    for candidate in (real, *real.parents):
        if candidate == real_root or real_root not in candidate.parents:
            break
        if is_excluded(candidate, root, patterns):
            return True
    return is_excluded(path, root, patterns)


def _walk(top: Path, root: Path, exclude):
    """Python files below ``top``, each directory once (symbolic-link loops end), sorted by
    name per directory. Real paths are computed once per directory, not per file."""
    real_root = os.path.realpath(root)
    seen_dirs: set = set()
    for directory, dirnames, filenames in os.walk(top, followlinks=True):
        real = os.path.realpath(directory)
        if real in seen_dirs:
            dirnames[:] = []
            continue
        seen_dirs.add(real)
        base = Path(directory)
        dirnames[:] = sorted(
            name for name in dirnames
            if name not in ALWAYS_SKIPPED_DIRS and not name.endswith(".egg-info")
            and not (exclude and _excluded_entry(directory, real, real_root, name, exclude))
        )
        for name in sorted(filenames):
            if name.endswith((".py", ".pyi")):
                if not (exclude and _excluded_entry(directory, real, real_root, name, exclude)):
                    yield base / name


def _excluded_entry(directory: str, real_directory: str, real_root: str, name: str, exclude) -> bool:
    """``is_excluded`` for ``directory/name``, knowing the directory's real path already."""
    path = os.path.join(directory, name)
    if os.path.islink(path):
        return is_excluded(Path(path), Path(real_root), exclude)
    relative = os.path.relpath(os.path.join(real_directory, name), real_root)
    if relative == os.pardir or relative.startswith(os.pardir + os.sep):
        relative = Path(path).as_posix()
    else:
        relative = Path(relative).as_posix()
    return _matches(name, relative, exclude)
