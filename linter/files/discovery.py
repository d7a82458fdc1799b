"""Finding the files to check under the paths a user gives.

A walk collects files whose names end with one of the given ``suffixes`` (Python's, and
those of readers that select files by suffix) or whose path matches one of the given
``globs`` (readers that select files by pattern, such as the YAML reader's
``interface-globs``). Globs are gitignore-style patterns (``pathspec``'s ``GitIgnoreSpec``:
``**`` spans directories, a pattern without ``/`` matches at any depth, ``!`` negates) matched
against a file's real path relative to the configuration's root (``root_relative``), or its
path as walked when it is outside the root.

Walks stay inside the project. *The project*, for a walk, is every real path at or below
the real path of the configuration's root or of a directory given to ``discover`` (on the
command line, or the project root a run loads as context). While walking, a symbolic link
(to a directory or to a ``.py``/``.pyi`` file) whose real target lies outside the project
is not followed: it is listed in ``Discovered.outside_links`` (the command line prints one
warning per link) and the walk goes on. So a committed link to ``/`` or to another
checkout neither walks the filesystem nor reads files the project does not hold, as in
ruff. A path given explicitly is always checked, even when it is a link elsewhere: the
user named it. Links whose targets are inside the project are followed; each real
directory is walked once, so link loops end. Links that would be skipped anyway (excluded,
ignored, or in an always-skipped directory such as ``.venv``) are not reported.

What a walk skips: the ``ALWAYS_SKIPPED_DIRS``, what ``exclude`` patterns match (``fnmatch``
patterns, against an entry's name or its path relative to the root; compiled once into one
regular expression), and, with ``respect_gitignore``, what ignore files ignore
(``steplint.files.ignore_files``: ``.gitignore`` in a git work tree, ``.ignore``,
``.git/info/exclude``). Paths given explicitly are checked even when excluded or ignored,
unless ``force_exclude``.
"""

from __future__ import annotations

import fnmatch
import functools
import os
import re
from dataclasses import dataclass
from pathlib import Path

from steplint.files.ignore_files import IgnoreRules, Ignores
from steplint.files.projects import within

ALWAYS_SKIPPED_DIRS = frozenset({".git", ".hg", ".svn", "__pycache__", ".tox", ".nox", ".venv", "venv",
                                 ".mypy_cache", ".pytest_cache", ".ruff_cache", ".steplint_cache",
                                 "node_modules", "build", "dist", ".eggs", "site-packages"})
PYTHON_SUFFIXES = (".py", ".pyi")


@dataclass(frozen=True)
class OutsideLink:
    """A symbolic link found by a walk whose real target is outside the project."""

    path: Path  # the link, as the walk reached it
    target: str  # the real path it resolves to


@dataclass(frozen=True)
class Discovered:
    """Files to check, the path arguments that do not exist, the links not followed, and
    the ignore files not read (too large)."""

    files: tuple
    missing: tuple
    outside_links: tuple = ()  # OutsideLink, each link once, sorted by path
    unread_ignore_files: tuple = ()  # absolute paths, sorted


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
    pattern = _compiled(tuple(patterns))
    return pattern is not None and (pattern.match(name) is not None or pattern.match(relative) is not None)


@functools.lru_cache(maxsize=64)
def _compiled(patterns: tuple) -> re.Pattern | None:
    """One regular expression for ``fnmatch`` patterns (a trailing ``/`` dropped), matching
    exactly what ``fnmatch.fnmatch`` matches with any of them; None for no patterns."""
    if not patterns:
        return None
    return re.compile("|".join(fnmatch.translate(pattern.rstrip("/")) for pattern in patterns))


def glob_matcher(globs: tuple):
    """A function telling whether a relative posix path matches ``globs`` (gitignore-style
    patterns, the last matching one deciding, ``!`` negating), or None when there are none.
    Raises ``ValueError`` naming the first pattern that is not valid or matches nothing (empty,
    blank, a comment)."""
    return _glob_matcher(tuple(globs))


# ``**/*<suffix>`` with a plain suffix: what pathspec matches for it is a path one of whose
# components ends with the suffix (a file, or any file below a directory so named), which
# needs no pattern library (importing pathspec costs ~40 ms, noticeable on a warm run).
_SUFFIX_GLOB = re.compile(r"\*\*/\*([^*?\[\]\\!/#\s][^*?\[\]\\/]*)")


@functools.lru_cache(maxsize=16)
def _glob_matcher(globs: tuple):
    if not globs:
        return None
    plain = [_SUFFIX_GLOB.fullmatch(glob) for glob in globs]
    if all(plain) and not any(glob.endswith(" ") for glob in globs):
        suffixes = tuple(match.group(1) for match in plain)
        return lambda relative: any(part.endswith(suffixes) for part in relative.split("/"))
    from pathspec import GitIgnoreSpec  # imported on first use: most projects keep the default globs

    for glob in globs:
        try:
            patterns = GitIgnoreSpec.from_lines([glob]).patterns
        except ValueError:
            raise ValueError(f"'{glob}' is not a valid glob") from None
        if len(patterns) != 1 or patterns[0].include is None:
            raise ValueError(f"'{glob}' matches no file (empty, blank or a comment)")
    return GitIgnoreSpec.from_lines(list(globs)).match_file


def root_relative(path, real_root: str) -> str:
    """The path a glob is matched against: ``path``'s real path relative to ``real_root``
    (posix), or ``path`` as given (posix) when its real path is not below the root."""
    real = os.path.realpath(path)
    base = real_root.rstrip(os.sep)
    if real.startswith(base + os.sep):
        return Path(real[len(base) + 1:]).as_posix()
    return Path(path).as_posix()


def discover(paths, root: Path, exclude, force_exclude: bool = False, respect_gitignore: bool = True,
             suffixes: tuple = PYTHON_SUFFIXES, globs: tuple = ()) -> Discovered:
    """Files under ``paths`` whose names end with one of ``suffixes`` or whose path from the
    root matches one of ``globs`` (the forms the readers read:
    ``steplint.readers.source_suffixes()`` and ``source_globs(config)``); exclusions and ignore files apply to what the walk
    finds below a given path (and to the given paths too with ``force_exclude``), like
    ruff: ``steplint fixtures`` checks ``fixtures`` even when it is excluded from
    ``steplint .``. Walks do not follow links out of the project (see the module
    docstring). Output is sorted."""
    found: dict[Path, None] = {}
    missing = []
    given = []
    ignores = IgnoreRules(os.path.abspath(root)) if respect_gitignore else None
    for argument in paths:
        path = Path(argument)
        if not path.exists():  # also a broken or looping link
            missing.append(str(argument))
        elif not (force_exclude and (is_excluded_with_parents(path, root, exclude)
                                     or (ignores is not None and ignores.path_ignored(os.path.abspath(path))))):
            given.append(path)
    real_root = os.path.realpath(root)
    project = (real_root, *(os.path.realpath(path) for path in given if path.is_dir()))
    links: dict[str, OutsideLink] = {}
    for path in given:
        if path.is_dir():
            for file in _walk(path, real_root, project, exclude, links, ignores, suffixes, glob_matcher(globs)):
                found.setdefault(file, None)
        else:
            found.setdefault(path, None)
    return Discovered(tuple(sorted(found, key=lambda p: p.as_posix())), tuple(missing),
                      tuple(links[key] for key in sorted(links)),
                      tuple(sorted(set(ignores.unread))) if ignores is not None else ())


def is_ignored_explicitly(path: Path, root: Path, exclude, respect_gitignore: bool = True) -> bool:
    """Whether ``--force-exclude`` drops an explicitly given ``path``: an ``exclude``
    pattern matches it or a directory it is in, or (with ``respect_gitignore``) an ignore
    file ignores it or a directory it is in."""
    if is_excluded_with_parents(path, root, exclude):
        return True
    return respect_gitignore and IgnoreRules(os.path.abspath(root)).path_ignored(os.path.abspath(path))


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


def _walk(top: Path, real_root: str, project: tuple, exclude, links: dict, ignores: IgnoreRules | None = None,
          suffixes: tuple = PYTHON_SUFFIXES, globbed=None):
    """Files with one of ``suffixes`` (or whose path from the root ``globbed`` accepts) below
    ``top``, depth first, sorted by name per directory; each real
    directory once (link loops end). Links whose real targets are outside every ``project``
    path are recorded in ``links`` (keyed by the link's absolute path) and not followed.
    With ``ignores``, what ignore files ignore is skipped (judged on the walked path,
    ``top`` made absolute, as git sees the tree).

    Real paths cost a system call per path component, so they are computed only for
    ``top`` and for links: a plain entry's real path is its directory's real path joined
    with its name."""
    seen_dirs: set = set()
    excluded = _compiled(tuple(exclude))
    absolute_top = os.path.abspath(top)
    state = ignores.start(absolute_top) if ignores is not None else Ignores()
    pending = [(str(top), os.path.realpath(top), absolute_top, state)]
    while pending:
        directory, real, absolute, state = pending.pop()
        if real in seen_dirs:
            continue
        seen_dirs.add(real)
        if ignores is not None:
            state = ignores.enter(state, absolute)
        prefix = _relative_prefix(real, real_root) if excluded is not None or globbed is not None else None
        base = Path(directory)
        subdirectories = []
        for name, is_link, is_dir in _entries(directory):
            if is_dir:
                if name in ALWAYS_SKIPPED_DIRS or name.endswith(".egg-info"):
                    continue
            elif not name.endswith(suffixes) and not (globbed is not None and globbed(
                    root_relative(os.path.join(directory, name), real_root) if is_link or prefix is None
                    else prefix + name)):
                continue
            if excluded is not None and (excluded.match(name) is not None or (
                    is_excluded(Path(directory, name), Path(real_root), exclude) if is_link
                    else excluded.match(prefix + name if prefix is not None else Path(directory, name).as_posix())
                    is not None)):
                continue
            if state.layers and ignores.ignored(state, os.path.join(absolute, name), is_dir):
                continue
            if is_link:
                path = os.path.join(directory, name)
                entry_real = os.path.realpath(path)
                if not any(within(entry_real, area) for area in project):
                    links.setdefault(os.path.abspath(path), OutsideLink(base / name, entry_real))
                    continue
            elif is_dir:
                entry_real = os.path.join(real, name)
            if is_dir:
                subdirectories.append((os.path.join(directory, name), entry_real, os.path.join(absolute, name), state))
            else:
                yield base / name
        pending.extend(reversed(subdirectories))


def _entries(directory: str) -> list:
    """``(name, is_link, is_dir)`` for each entry of ``directory``, sorted by name; ``is_dir``
    follows links (a broken or looping link is not a directory). An unreadable directory
    has no entries, as in ``os.walk``."""
    found = []
    try:
        with os.scandir(directory) as scanner:
            for entry in scanner:
                found.append((entry.name, _is_link(entry), _is_dir(entry)))
    except OSError:
        return []
    found.sort()
    return found


def _is_link(entry: os.DirEntry) -> bool:
    try:
        return entry.is_symlink()
    except OSError:
        return False


def _is_dir(entry: os.DirEntry) -> bool:
    try:
        return entry.is_dir()
    except OSError:  # a link loop, or a directory that vanished
        return False


def _relative_prefix(real_directory: str, real_root: str) -> str | None:
    """``real_directory`` relative to ``real_root`` as a prefix for its entries' names
    (``""`` for the root itself, ``"a/b/"`` below it); None when it is not below the root,
    where patterns are matched against the walked path instead."""
    base = real_root.rstrip(os.sep)
    if real_directory == real_root or real_directory == base:
        return ""
    if not real_directory.startswith(base + os.sep):
        return None
    return Path(real_directory[len(base) + 1:]).as_posix() + "/"
