"""What a run loads and what it reports on.

Rules are cross-file: a spec is only judged against its contract, builder and script. When
the user (or pre-commit) passes individual files, steplint still loads the rest of the
project from its root (the nearest directory above the files holding ``pyproject.toml``,
``setup.cfg`` or ``.git``, else the configuration's root) as context, and reports only the
findings that involve the passed files.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path

from steplint.config import Config
from steplint.files.discovery import (
    Discovered,
    OutsideLink,
    discover,
    is_ignored_explicitly,
)
from steplint.files.paths import display_path, forget_real_paths
from steplint.files.projects import nearest_project
from steplint.files.sources import ReadProblem, SourceFile, decode_source, read_source
from steplint.files.workspace import LazySources, Workspace
from steplint.readers import source_globs, source_suffixes


@dataclass(frozen=True)
class Scope:
    """A run's workspace, what discovery found (the context's links not followed included),
    and the displays to report on (None = all)."""

    workspace: Workspace
    discovered: Discovered
    report_paths: frozenset | None

    @property
    def warnings(self) -> tuple:
        """One message per symbolic link a walk did not follow and per ignore file it did not
        read (without ``steplint: warning:``)."""
        return (tuple(link_warning(link) for link in self.discovered.outside_links)
                + tuple(f"{display_path(Path(path))}: ignore file larger than 1 MB; not read"
                        for path in self.discovered.unread_ignore_files))


def link_warning(link: OutsideLink) -> str:
    """``<link>: symbolic link to <target> outside the project; not followed``, the link
    shown where it is (relative to the working directory when below it), not where it points."""
    shown = Path(display_path(link.path.parent), link.path.name).as_posix()
    message = f"{shown}: symbolic link to {link.target} outside the project; not followed"
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in message)  # one line, whatever the names


def project_root(files, config: Config) -> Path | None:
    """The nearest directory at or above the files' common directory with a project marker;
    the configuration's root when there is none but a configuration file was found."""
    start = Path(os.path.commonpath([os.path.realpath(file) for file in files]))
    if not start.is_dir():
        start = start.parent
    found = nearest_project(start, {})
    if found is not None:
        return found
    return config.root if config.source is not None else None


def read_stdin_source(raw: bytes, filename: str) -> SourceFile | ReadProblem:
    """Source text piped in by an editor, shown as ``filename``."""
    path = Path(filename)
    display = display_path(path)
    try:
        text, encoding, bom = decode_source(raw)
    except ValueError as error:
        return ReadProblem(path, display, str(error))
    return SourceFile(path, display, text, encoding, bom, raw)


def discovery_scope(paths, config: Config, force_exclude: bool = False, stdin_filename: str | None = None) -> tuple:
    """What discovery alone finds, without reading a file: ``(Discovered, warnings, display
    paths of the files a run would report on)``, sorted; with ``stdin_filename``, that
    name (unless ``force_exclude`` drops it)."""
    forget_real_paths()
    if stdin_filename is not None:
        path = Path(stdin_filename)
        excluded = force_exclude and is_ignored_explicitly(path, config.root, config.exclude, config.respect_gitignore)
        return Discovered((), ()), (), [] if excluded else [display_path(path)]
    discovered = discover(paths, config.root, config.exclude, force_exclude, config.respect_gitignore,
                          source_suffixes(), source_globs(config))
    scope = Scope(Workspace(), discovered, None)
    return discovered, scope.warnings, sorted({display_path(path) for path in discovered.files})


def load_scope(paths, config: Config, force_exclude: bool = False, stdin: SourceFile | ReadProblem | None = None,
               project_context: bool = True) -> Scope:
    """Load the files to check; with file arguments (or stdin), the project around them too."""
    forget_real_paths()
    discovered = discover(paths, config.root, config.exclude, force_exclude, config.respect_gitignore,
                          source_suffixes(), source_globs(config))
    given = {display_path(path): path for path in discovered.files}
    if stdin is not None:
        excluded = force_exclude and is_ignored_explicitly(Path(stdin.path), config.root, config.exclude,
                                                           config.respect_gitignore)
        given = {} if excluded else {stdin.display: stdin.path}
    files_given = stdin is not None or any(Path(path).is_file() for path in paths)
    context: dict = {}
    outside_links = {os.path.abspath(link.path): link for link in discovered.outside_links}
    if project_context and files_given and (given or stdin is not None):
        anchors = list(given.values()) or [Path(stdin.path)]
        root = project_root([Path(p).absolute() for p in anchors], config)
        if root is not None:
            around = discover([root], config.root, config.exclude, respect_gitignore=config.respect_gitignore,
                              suffixes=source_suffixes(), globs=source_globs(config))
            for path in around.files:
                context.setdefault(display_path(path), path)
            for link in around.outside_links:
                outside_links.setdefault(os.path.abspath(link.path), link)
            discovered = Discovered(discovered.files, discovered.missing,
                                    tuple(outside_links[key] for key in sorted(outside_links)),
                                    tuple(sorted({*discovered.unread_ignore_files, *around.unread_ignore_files})))
    read_at_ns = time.time_ns()
    reads = []
    for display, path in given.items():
        if stdin is not None and display == stdin.display:
            reads.append(stdin)
        else:
            reads.append(read_source(path, display))
    workspace = Workspace.from_reads(reads)
    if context:  # the project around the given files: read when a rule asks (see steplint.engine.scoped)
        paths = {display: path for display, path in {**context, **given}.items()
                 if display in workspace.sources or display not in given}
        workspace = Workspace(LazySources(paths, dict(workspace.sources), workspace.problems), workspace.problems,
                              read_at_ns)
    report_paths = frozenset(given) if files_given else None
    return Scope(workspace, discovered, report_paths)
