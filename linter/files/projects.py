"""Splitting a run into projects.

Every directory tree with its own ``pyproject.toml``, ``setup.cfg`` or ``.git`` is a
project with its own model, so two projects in one run (a monorepo, or ``steplint
fixtures``) never resolve each other's modules, even when their package names are the same.
"""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_MARKERS = ("pyproject.toml", "setup.cfg", ".git")


def within(real: str, real_base: str) -> bool:
    """Whether the real path ``real`` is ``real_base`` or below it (both already real, as
    ``os.path.realpath`` gives them: compared as strings, no file system access)."""
    return real == real_base or real.startswith(real_base.rstrip(os.sep) + os.sep)


def nearest_project(directory: Path, memo: dict) -> Path | None:
    """The nearest directory at or above ``directory`` holding a project marker."""
    if directory in memo:
        return memo[directory]
    if any((directory / marker).exists() for marker in PROJECT_MARKERS):
        found = directory
    elif directory.parent == directory:
        found = None
    else:
        found = nearest_project(directory.parent, memo)
    memo[directory] = found
    return found


def split_by_project(workspace):
    """The workspace's files grouped by project, in a stable order (one group when there is one project)."""
    from steplint.files.workspace import Workspace

    memo: dict = {}
    groups: dict = {}
    project_of_directory: dict = {}

    def group(path: Path) -> Workspace:
        directory = os.path.dirname(os.path.abspath(path))
        if directory not in project_of_directory:
            project_of_directory[directory] = nearest_project(Path(directory), memo)
        return groups.setdefault(project_of_directory[directory], Workspace())

    for display, source in workspace.sources.items():
        group(source.path).sources[display] = source
    for problem in workspace.problems:
        group(problem.path).problems.append(problem)
    return [groups[key] for key in sorted(groups, key=lambda key: str(key))] or [workspace]
