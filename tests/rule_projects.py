"""Helpers for the per-rule test modules: write a small project, run steplint on it, and
look at the findings as a user sees them (code, file, line, message)."""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from steplint.api import check_paths, configure, fix_paths_in_memory

from tests.conftest import run_steplint, write_project


@dataclass(frozen=True)
class Seen:
    code: str
    path: str
    line: int
    message: str
    fix: str | None = None  # the fix's title, if it has one
    help: str = ""  # what follows and what to do (``--output-format full``, JSON)

    def says(self, *words: str) -> bool:
        return all(word in self.message for word in words)

    def helps(self, *words: str) -> bool:
        return all(word in self.help for word in words)


@contextlib.contextmanager
def working_directory(path: Path):
    previous = Path.cwd()
    os.chdir(path)
    try:
        yield path
    finally:
        os.chdir(previous)


def findings(files: dict, *codes: str, paths=(".",)) -> list[Seen]:
    """The findings of ``codes`` (all when none) for ``files`` written to a fresh directory,
    checked in process from its root through the public API, sorted by file and line."""
    with tempfile.TemporaryDirectory() as directory, working_directory(write_project(Path(directory), files)):
        result = check_paths(list(paths), configure(list(paths)))
        assert not result.internal_errors, result.internal_errors
        return sorted((Seen(f.code, Path(f.path).as_posix(), f.span.line, f.message,
                            f.fix.description if f.fix else None, f.help)
                       for f in result.findings if not codes or f.code in codes),
                      key=lambda seen: (seen.path, seen.line, seen.code))


def fixed(files: dict, unsafe: bool = False) -> dict:
    """``{path: text}`` of the files ``--fix`` changes, computed in memory."""
    with tempfile.TemporaryDirectory() as directory, working_directory(write_project(Path(directory), files)):
        outcome = fix_paths_in_memory(["."], configure(["."]), unsafe=unsafe)
        return {Path(path).as_posix(): outcome.workspace.sources[path].text for path in outcome.changed}


def cli_findings(root: Path, *paths: str) -> list[dict]:
    """``steplint check --output-format json PATHS`` (default ``.``) in a subprocess from
    ``root``, as a user or pre-commit runs it."""
    result = run_steplint("check", "--output-format", "json", *(paths or (".",)), cwd=root)
    assert result.returncode in (0, 1), result.stderr
    assert "Traceback" not in result.stderr
    return json.loads(result.stdout)


def line_of(text: str, needle: str) -> int:
    """The 1-based line of the only line of ``text`` containing ``needle``."""
    lines = [number for number, line in enumerate(text.splitlines(), 1) if needle in line]
    assert len(lines) == 1, (needle, lines)
    return lines[0]
