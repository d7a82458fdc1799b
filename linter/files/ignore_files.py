"""Ignore files, with git's semantics: ``.gitignore``, ``.git/info/exclude`` and ``.ignore``.

What is read, as ruff (and ripgrep) read it:

- ``.gitignore`` in every directory of a git work tree (a directory holding ``.git``, a
  directory or a file, and everything below it), and the repository's ``info/exclude``;
  outside a work tree ``.gitignore`` files mean nothing to git, and nothing to steplint.
- ``.ignore`` in any directory, inside a work tree or not; its patterns take precedence
  over the ``.gitignore`` beside it.
- The ignore files of the directories above a walked directory, up to the work tree's top
  (or, outside a work tree, up to the configuration's root when the walk starts below it).

Patterns follow gitignore(5); ``pathspec`` translates each into a regular expression: a
pattern is relative to the directory of its file; a pattern with a slash other than a
trailing one is anchored there; ``dir/`` matches directories only; ``!`` re-includes; the
last pattern matching an entry decides, and a deeper directory's files decide before
shallower ones. As in git, a pattern decides for the entry it matches itself: pathspec's
expressions for ``dir/`` also match everything below ``dir`` (they are made to filter
lists of files), so that part is cut off (the ``ps_d`` group pathspec marks a directory
match with is required to end the path); what lies below an ignored directory is ignored
because the walk never enters it, and a file in it cannot be re-included. The global
excludes file (git's ``core.excludesFile``) is not read.

Shapes: ``Ignores`` is the state a walk carries into a directory (immutable; ``enter``
returns a new one). Paths given to ``ignored`` are absolute, as ``os.path.abspath`` gives
them (the tree as it is walked, not where symbolic links point, as git sees it). Nothing
here raises for a file that cannot be read or a pattern git would reject: the file or the
pattern is left out, as git leaves it out. Ignore files larger than
``MAX_IGNORE_FILE_BYTES`` are not read; ``IgnoreRules.unread`` lists them.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass

MAX_IGNORE_FILE_BYTES = 1024 * 1024  # real ones are a few kilobytes; a huge one would slow every walk
_NAMED_GROUP = re.compile(r"\(\?P<\w+>")


@dataclass(frozen=True)
class Layer:
    """The patterns of one directory: ``base`` is its absolute path; ``from_git`` says they
    came from git's files (dropped when a walk enters a nested repository)."""

    base: str
    patterns: tuple  # (compiled expression, include) from the last pattern to the first
    prefilter: re.Pattern | None  # matches every path some pattern matches (None: try each)
    from_git: bool


@dataclass(frozen=True)
class Ignores:
    """The layers in force in a directory, shallowest first, and whether it is in a work tree."""

    layers: tuple = ()
    in_git: bool = False


class IgnoreRules:
    """Reads ignore files (each once) and answers whether a path is ignored."""

    def __init__(self, boundary: str | None = None) -> None:
        """``boundary``: the absolute directory above which ``start`` does not look for
        ``.ignore`` files outside a work tree (the configuration's root)."""
        self.boundary = boundary
        self.unread: list = []  # ignore files not read because they are too large
        self._layers: dict = {}

    def start(self, directory: str) -> Ignores:
        """The state for a walk starting at ``directory`` (absolute): the layers of the
        directories above it, the directory's own not included (``enter`` adds them). A
        directory that is itself ignored (it was given explicitly) is walked as if the
        ignore files above it were not there, as ripgrep and ruff walk one: its files are
        checked, the ignore files inside it still apply."""
        chain = self._ancestors(directory)
        state = Ignores()
        for position, ancestor in enumerate(chain):
            if position and self.ignored(state, ancestor, True):
                return Ignores((), state.in_git)
            if ancestor != directory:
                state = self.enter(state, ancestor)
        return state

    def _ancestors(self, directory: str) -> list:
        """``directory`` and the directories above it whose ignore files apply to it, from
        the top down: up to its work tree's top, else up to the boundary when it is below
        it, else ``directory`` alone."""
        stop = _work_tree_top(directory)
        if stop is None:
            stop = self.boundary if self.boundary is not None and _below(directory, self.boundary) else directory
        chain = [directory]
        while chain[-1] != stop:
            parent = os.path.dirname(chain[-1])
            if parent == chain[-1]:
                break
            chain.append(parent)
        return chain[::-1]

    def enter(self, state: Ignores, directory: str) -> Ignores:
        """``state`` with the ignore files of ``directory`` (absolute) added."""
        layers, in_git = state.layers, state.in_git
        if os.path.lexists(os.path.join(directory, ".git")):  # a work tree's top, maybe a nested one
            layers = tuple(layer for layer in layers if not layer.from_git)
            in_git = True
            layers += self._layer(directory, "git-info", (_info_exclude(directory),), True)
        if in_git:
            layers += self._layer(directory, ".gitignore", (os.path.join(directory, ".gitignore"),), True)
        layers += self._layer(directory, ".ignore", (os.path.join(directory, ".ignore"),), False)
        if layers is state.layers and in_git == state.in_git:
            return state
        return Ignores(layers, in_git)

    def ignored(self, state: Ignores, path: str, is_dir: bool) -> bool:
        """Whether ``path`` (absolute, in the directory ``state`` was entered for) is ignored;
        every layer's base is a directory above it."""
        for layer in reversed(state.layers):
            relative = path[len(layer.base):].lstrip("/")
            if not relative:
                continue
            if is_dir:
                relative += "/"
            if layer.prefilter is not None and layer.prefilter.search(relative) is None:
                continue
            for expression, include in layer.patterns:  # searched, as pathspec does
                if expression.search(relative) is not None:
                    return include
        return False

    def path_ignored(self, path: str) -> bool:
        """Whether an explicitly given ``path`` (absolute) is ignored, or lies in an ignored
        directory, as a walk from the top of its work tree would have found."""
        state = Ignores()
        for position, ancestor in enumerate(self._ancestors(os.path.dirname(path))):
            if position and self.ignored(state, ancestor, True):
                return True
            state = self.enter(state, ancestor)
        return self.ignored(state, path, os.path.isdir(path))

    def _layer(self, directory: str, kind: str, files: tuple, from_git: bool) -> tuple:
        key = (directory, kind)
        if key not in self._layers:
            lines = []
            for file in files:
                if file is not None:
                    lines.extend(self._read(file))
            layer = _make_layer(directory, lines, from_git) if lines else None
            self._layers[key] = (layer,) if layer is not None else ()
        return self._layers[key]

    def _read(self, path: str) -> list:
        try:
            with open(path, "rb") as handle:
                raw = handle.read(MAX_IGNORE_FILE_BYTES + 1)
        except OSError:  # absent (the usual case), a directory, unreadable: git skips it too
            return []
        if len(raw) > MAX_IGNORE_FILE_BYTES:
            self.unread.append(path)
            return []
        return raw.decode("utf-8", "replace").splitlines()


def _make_layer(directory: str, lines: list, from_git: bool) -> Layer | None:
    """The layer for ``lines`` of ignore files in ``directory``; None when they hold no
    pattern (only comments and blank lines, as a new repository's ``info/exclude``)."""
    from pathspec import GitIgnoreSpec  # imported on first use: most runs meet no ignore file

    compiled = []
    for line in lines:
        try:
            [pattern] = GitIgnoreSpec.from_lines([line]).patterns
        except ValueError:  # a pattern git would reject: the others still count, as in git
            continue
        if pattern.include is not None and isinstance(getattr(pattern, "regex", None), re.Pattern):
            compiled.append((pattern.regex, pattern.include))
    if not compiled:
        return None
    patterns = tuple((_entry_itself(regex), include) for regex, include in reversed(compiled))
    return Layer(directory, patterns, _prefilter([regex for regex, _ in compiled]), from_git)


_DIRECTORY_MARK = "(?P<ps_d>/)"


def _entry_itself(regex: re.Pattern) -> re.Pattern:
    """``regex`` (pathspec's, matching a path or anything below it) made to match the path
    itself only: its directory mark must end the path (``a/b/`` for a directory)."""
    if _DIRECTORY_MARK not in regex.pattern:
        return regex
    return re.compile(regex.pattern.replace(_DIRECTORY_MARK, r"/\Z"), regex.flags)


def _prefilter(expressions: list) -> re.Pattern | None:
    """One regular expression matching whatever any of ``expressions`` matches: most paths
    match no pattern, and one search answers that for all of them at once. None when
    they cannot be joined."""
    if any(expression.flags & ~re.UNICODE for expression in expressions):
        return None
    try:
        return re.compile("|".join("(?:" + _NAMED_GROUP.sub("(?:", expression.pattern) + ")"
                                   for expression in expressions))
    except re.error:
        return None


def _work_tree_top(directory: str) -> str | None:
    """The nearest directory at or above ``directory`` holding ``.git``, or None."""
    current = directory
    while True:
        if os.path.lexists(os.path.join(current, ".git")):
            return current
        parent = os.path.dirname(current)
        if parent == current:
            return None
        current = parent


def _below(path: str, base: str) -> bool:
    return path == base or path.startswith(base.rstrip("/") + "/")


def _info_exclude(top: str) -> str | None:
    """The ``info/exclude`` file of the repository whose work tree's top is ``top``: in
    ``.git/``, or, when ``.git`` is a file (a linked worktree or a submodule), in the git
    directory it names (the common directory for a worktree)."""
    dot_git = os.path.join(top, ".git")
    if os.path.isdir(dot_git):
        return os.path.join(dot_git, "info", "exclude")
    try:
        with open(dot_git, encoding="utf-8", errors="replace") as handle:
            first = handle.readline(4096).strip()
    except OSError:
        return None
    if not first.startswith("gitdir:"):
        return None
    git_dir = os.path.join(top, first[len("gitdir:"):].strip())
    try:
        with open(os.path.join(git_dir, "commondir"), encoding="utf-8", errors="replace") as handle:
            git_dir = os.path.join(git_dir, handle.readline(4096).strip())
    except OSError:
        pass  # no commondir: a submodule's own git directory
    return os.path.join(git_dir, "info", "exclude")
