"""A small programmatic API: check or fix files the way the command line does."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from steplint.config import Config, find_config_file, load_config
from steplint.engine.run import Engine, RunResult
from steplint.files.discovery import Discovered, discover
from steplint.files.paths import display_path, forget_real_paths
from steplint.files.projects import nearest_project
from steplint.files.sources import read_source
from steplint.files.workspace import Workspace
from steplint.readers import source_globs, source_suffixes

if TYPE_CHECKING:
    from steplint.fixing.fixer import FixOutcome


def configure(paths, config_path: Path | None = None, overrides: dict | None = None) -> Config:
    """The configuration for ``paths``: ``config_path`` or the nearest ``[tool.steplint]``.
    Without either, the root is the nearest project root at or above the paths' common
    directory (else the working directory). Raises ``ConfigError``."""
    from steplint.rules import rule_codes

    start = checked_directory(paths)
    root = None
    if config_path is None:
        config_path = find_config_file(start)
    if config_path is None:
        root = nearest_project(start, {}) or Path.cwd()
    return load_config(config_path, list(rule_codes()), overrides, root=root)


def checked_directory(paths) -> Path:
    """The real path of the directory the paths have in common (a file's directory when
    there is one path and it is not a directory); ``.`` when there are none."""
    common = os.path.commonpath([os.path.abspath(path) for path in paths or ["."]])
    real = os.path.realpath(common)
    return Path(real if os.path.isdir(real) else os.path.dirname(real))


def load_workspace(paths, config: Config, force_exclude: bool = False) -> tuple[Workspace, Discovered]:
    forget_real_paths()
    discovered = discover(paths, config.root, config.exclude, force_exclude, config.respect_gitignore,
                          source_suffixes(), source_globs(config))
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
    from steplint.fixing.fixer import allowed_applicabilities, fix_workspace

    return fix_workspace(make_engine(config), workspace, allowed_applicabilities(unsafe))
