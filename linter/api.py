"""A small programmatic API: check or fix files the way the command line does."""

from __future__ import annotations

import functools
import os
import stat
from pathlib import Path

from steplint.config import Config, ConfigError, find_config_file, load_config
from steplint.discovery import Discovered, discover
from steplint.engine import Engine, RunResult, Workspace
from steplint.fixer import FixOutcome, allowed_applicabilities, fix_workspace
from steplint.projects import nearest_project
from steplint.sources import read_source


def display_path(path: Path, cwd: Path | None = None) -> str:
    """How a path is shown: relative to the working directory when below it; symbolic links
    are followed (a broken one keeps its own name)."""
    base = _real_directory(os.path.abspath(cwd or os.curdir)).rstrip(os.sep)
    real = _real_path(os.path.abspath(path))
    if real == base:
        return "."
    if real.startswith(base + os.sep):
        relative = real[len(base) + 1:]
        return relative if os.sep == "/" else Path(relative).as_posix()
    return Path(path).as_posix()


@functools.lru_cache(maxsize=4096)
def _real_directory(directory: str) -> str:
    return os.path.realpath(directory)


def forget_real_paths() -> None:
    """Drop the memoised real paths (a new run may see moved symbolic links)."""
    _real_directory.cache_clear()


def _real_path(absolute: str) -> str:
    """``os.path.realpath`` (which, unlike ``Path.resolve``, never raises on a link loop), with
    the directory part memoised; a path that does not exist stays as it is."""
    try:
        mode = os.lstat(absolute).st_mode
    except OSError:
        return absolute
    if stat.S_ISLNK(mode):
        return os.path.realpath(absolute) if os.path.exists(absolute) else absolute
    directory, name = os.path.split(absolute)
    return os.path.join(_real_directory(directory), name) if name else _real_directory(directory)


def configure(paths, config_path: Path | None = None, overrides: dict | None = None) -> Config:
    """The configuration for ``paths``: ``config_path`` or the nearest ``[tool.steplint]``.
    Without either, the root is the nearest project root at or above the paths' common
    directory (else the working directory). Raises ``ConfigError``."""
    from steplint.rules import all_rules

    start = checked_directory(paths)
    root = None
    if config_path is None:
        config_path = find_config_file(start)
    if config_path is None:
        root = nearest_project(start, {}) or Path.cwd()
    return load_config(config_path, [rule.code for rule in all_rules()], overrides, root=root)


def checked_directory(paths) -> Path:
    """The real path of the directory the paths have in common (a file's directory when
    there is one path and it is not a directory); ``.`` when there are none."""
    common = os.path.commonpath([os.path.abspath(path) for path in paths or ["."]])
    real = os.path.realpath(common)
    return Path(real if os.path.isdir(real) else os.path.dirname(real))


def load_workspace(paths, config: Config, force_exclude: bool = False) -> tuple[Workspace, Discovered]:
    forget_real_paths()
    discovered = discover(paths, config.root, config.exclude, force_exclude)
    workspace = Workspace.from_reads(read_source(path, display_path(path)) for path in discovered.files)
    return workspace, discovered


def make_engine(config: Config) -> Engine:
    from steplint.rules import all_rules

    return Engine(config, all_rules())


def check_paths(paths, config: Config | None = None) -> RunResult:
    """Findings for ``paths`` (nothing is written)."""
    config = config or configure(paths)
    workspace, _ = load_workspace(paths, config)
    return make_engine(config).check(workspace)


def fix_paths_in_memory(paths, config: Config | None = None, unsafe: bool = False) -> FixOutcome:
    """What ``--fix`` would do, without writing."""
    config = config or configure(paths)
    workspace, _ = load_workspace(paths, config)
    return fix_workspace(make_engine(config), workspace, allowed_applicabilities(unsafe))
