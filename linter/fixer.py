"""Applying fixes: non-overlapping edits per pass, re-parse, repeat; atomic writes.

A fix whose edits overlap one already taken in a pass waits for the next pass (the
findings are recomputed on the edited text). A fix whose result does not parse is
withdrawn and reported. Nothing is written until every pass is done, and each file is
replaced atomically (temporary file in the same directory, then rename).
"""

from __future__ import annotations

import os
import signal
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from steplint.engine import Engine, RunResult, Workspace
from steplint.parse_guard import parse_obstacle
from steplint.rule import Applicability

MAX_PASSES = 10


@dataclass
class FixOutcome:
    """What fixing did: the edited workspace, the findings left, and what was withdrawn."""

    workspace: Workspace
    result: RunResult
    fixed: int = 0
    changed: dict = field(default_factory=dict)
    withdrawn: list = field(default_factory=list)


def _overlaps(ranges, start: int, end: int) -> bool:
    return any(start < other_end and other_start < end or start == other_start for other_start, other_end in ranges)


def _apply(text: str, edits) -> str:
    for edit in sorted(edits, key=lambda e: (e.start, e.end), reverse=True):
        text = text[: edit.start] + edit.replacement + text[edit.end:]
    return text


def _parses(text: str) -> bool:
    """Whether ``text`` passes the parse guard (Python accepts it, and it is within steplint's
    bounds) and LibCST parses it."""
    import libcst as cst  # imported on first use: `steplint --version` and clean runs need no parser

    if parse_obstacle(text) is not None:
        return False
    try:
        cst.parse_module(text)
    except (cst.ParserSyntaxError, RecursionError, MemoryError):
        return False
    return True


def allowed_applicabilities(unsafe: bool) -> frozenset:
    return frozenset({Applicability.SAFE, Applicability.UNSAFE} if unsafe else {Applicability.SAFE})


def fix_workspace(engine: Engine, workspace: Workspace, allowed: frozenset, report_paths=None) -> FixOutcome:
    """Apply every allowed fix, pass after pass, until nothing changes (at most MAX_PASSES)."""
    original = {display: source.text for display, source in workspace.sources.items()}
    fixed = 0
    withdrawn: list[str] = []
    refused: set = set()
    result = engine.check(workspace, report_paths)
    for _ in range(MAX_PASSES):
        taken: dict[str, list] = {}
        accepted = []
        for finding in result.findings:
            fix = finding.fix
            if fix is None or fix.applicability not in allowed or (finding.code, fix) in refused:
                continue
            if any(edit.path not in workspace.sources for edit in fix.edits):
                continue
            if any(_overlaps(taken.get(edit.path, ()), edit.start, edit.end) for edit in fix.edits):
                continue
            for edit in fix.edits:
                taken.setdefault(edit.path, []).append((edit.start, edit.end))
            accepted.append(finding)
        if not accepted:
            break
        texts, broken = _texts_after(workspace, accepted)
        while broken:
            for finding in [f for f in accepted if f.fix.paths & broken]:
                withdrawn.append(f"{finding.path}:{finding.line}:{finding.column}: {finding.code} fix withdrawn: "
                                 f"the result would not parse")
                refused.add((finding.code, finding.fix))
                accepted.remove(finding)
            texts, broken = _texts_after(workspace, accepted)
        if not accepted:
            break
        fixed += len(accepted)
        workspace = workspace.replaced(texts)
        result = engine.check(workspace, report_paths)
    changed = {display: source.text for display, source in workspace.sources.items()
               if source.text != original[display]}
    return FixOutcome(workspace, result, fixed, changed, withdrawn)


def _texts_after(workspace: Workspace, accepted) -> tuple[dict, set]:
    by_path: dict[str, list] = {}
    for finding in accepted:
        for edit in finding.fix.edits:
            by_path.setdefault(edit.path, []).append(edit)
    texts = {path: _apply(workspace.sources[path].text, edits) for path, edits in by_path.items()}
    broken = {path for path, text in texts.items() if not _parses(text)}
    return texts, broken


class WriteError(Exception):
    """A fixed file could not be written (read-only, changed on disk meanwhile, ...)."""


def write_atomically(path: Path, data: bytes, expected_current: bytes | None = None) -> None:
    """Replace ``path`` with ``data`` in one rename, keeping its mode; refuse when the file on
    disk is no longer ``expected_current``. A symbolic link stays a link: its target is replaced."""
    path = Path(os.path.realpath(path))
    try:
        if expected_current is not None and path.read_bytes() != expected_current:
            raise WriteError(f"{path}: changed on disk after steplint read it; not overwritten")
        status = path.stat()
    except FileNotFoundError:
        raise WriteError(f"{path}: disappeared before the fix could be written") from None
    except OSError as error:
        raise WriteError(f"{path}: cannot write fix: {error.strerror or error}") from None
    if not os.access(path, os.W_OK):
        raise WriteError(f"{path}: cannot write fix: file is read-only")
    with _interrupts_deferred():
        _replace(path, data, status)


def _replace(path: Path, data: bytes, status: os.stat_result) -> None:
    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".steplint-tmp", dir=path.parent)
    except OSError as error:
        raise WriteError(f"{path}: cannot write fix: {error.strerror or error}") from None
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, status.st_mode & 0o7777)
        if hasattr(os, "chown") and (status.st_uid, status.st_gid) != (os.getuid(), os.getgid()):
            try:
                os.chown(temporary, status.st_uid, status.st_gid)
            except PermissionError:
                pass  # only root may give a file away; the owner stays the one running steplint
        os.replace(temporary, path)
    except OSError as error:
        os.unlink(temporary)
        raise WriteError(f"{path}: cannot write fix: {error.strerror or error}") from None
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise


@contextmanager
def _interrupts_deferred():
    """Hold SIGINT and SIGTERM while one file is replaced, so an interrupted ``--fix`` leaves
    each file wholly old or wholly new and no temporary file behind; a held signal is
    delivered (KeyboardInterrupt) as soon as the file is done."""
    held = {signal.SIGINT, signal.SIGTERM}
    try:
        previous = signal.pthread_sigmask(signal.SIG_BLOCK, held)
    except (AttributeError, ValueError, OSError):  # no POSIX signal masks here
        yield
        return
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def write_changes(before: Workspace, outcome: FixOutcome) -> list:
    """Write every file fixing changed, atomically and only over the bytes that were read;
    the messages for those that could not be written (the others are still written)."""
    errors = []
    for display in sorted(outcome.changed):
        original = before.sources[display]
        try:
            data = _encode_fixed(original, outcome.workspace.sources[display])
            write_atomically(original.path, data, original.encoded())
        except WriteError as error:
            errors.append(str(error))
    return errors


def _encode_fixed(original, fixed) -> bytes:
    if not original.round_trips:
        raise WriteError(f"{original.path}: not fixed: re-encoding it as {original.encoding} would change "
                         "bytes outside the fix")
    try:
        return fixed.encoded()
    except UnicodeEncodeError as error:
        raise WriteError(f"{original.path}: not fixed: the fix needs a character ({error.object[error.start]!r}) "
                         f"that the file's encoding {original.encoding} cannot hold") from None
