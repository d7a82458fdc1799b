"""Applying fixes: non-overlapping edits per pass, re-parse, repeat; one transaction to write.

A fix whose edits overlap one already taken in a pass waits for the next pass (the
findings are recomputed on the edited text). A fix whose result does not parse is
withdrawn and reported. Nothing is written until every pass is done; then every file the
run changed is written in one transaction (``steplint.fixing.transaction``: all files or none,
journaled so that a crash cannot leave a fix half-applied).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from steplint.engine.run import Engine, RunResult
from steplint.files.workspace import Workspace
from steplint.findings.finding import Applicability
from steplint.fixing.transaction import Change, TransactionFailed, WriteError
from steplint.fixing.transaction import apply as apply_transaction
from steplint.readers import reader_for
from steplint.readers.python.parse_guard import parse_obstacle

MAX_PASSES = 10


@dataclass
class FixOutcome:
    """What fixing did: the edited workspace, the findings left, what was withdrawn, and
    the findings whose fixes were applied (``applied``, in the order they were, pass by pass)."""

    workspace: Workspace
    result: RunResult
    fixed: int = 0
    changed: dict = field(default_factory=dict)
    withdrawn: list = field(default_factory=list)
    applied: list = field(default_factory=list)


def _overlaps(ranges, start: int, end: int) -> bool:
    return any(start < other_end and other_start < end or start == other_start for other_start, other_end in ranges)


def _apply(text: str, edits) -> str:
    for edit in sorted(edits, key=lambda e: (e.start, e.end), reverse=True):
        text = text[: edit.start] + edit.replacement + text[edit.end:]
    return text


def _parses(path: str, text: str, config=None) -> bool:
    """Whether ``text``, the edited file at ``path``, is still a valid file of its form: for
    a registered reader's file, what the reader says; for Python, it passes the parse guard
    (Python accepts it, and it is within steplint's bounds) and LibCST parses it."""
    reader = reader_for(path, config)
    if reader is not None:
        return reader.reparses(text)
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
    workspace.materialise()  # a fix may edit any file of the project: every file is read, no run is scoped
    original = {display: source.text for display, source in workspace.sources.items()}
    applied: list = []
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
        texts, broken = _texts_after(workspace, accepted, engine.config)
        while broken:
            for finding in [f for f in accepted if f.fix.paths & broken]:
                withdrawn.append(f"{finding.path}:{finding.line}:{finding.column}: {finding.code} fix withdrawn: "
                                 f"the result would not parse")
                refused.add((finding.code, finding.fix))
                accepted.remove(finding)
            texts, broken = _texts_after(workspace, accepted, engine.config)
        if not accepted:
            break
        applied.extend(accepted)
        workspace = workspace.replaced(texts)
        result = engine.check(workspace, report_paths)
    changed = {display: source.text for display, source in workspace.sources.items()
               if source.text != original[display]}
    return FixOutcome(workspace, result, len(applied), changed, withdrawn, applied)


def _texts_after(workspace: Workspace, accepted, config=None) -> tuple[dict, set]:
    by_path: dict[str, list] = {}
    for finding in accepted:
        for edit in finding.fix.edits:
            by_path.setdefault(edit.path, []).append(edit)
    texts = {path: _apply(workspace.sources[path].text, edits) for path, edits in by_path.items()}
    broken = {path for path, text in texts.items() if not _parses(path, text, config)}
    return texts, broken


def write_atomically(path: Path, data: bytes, expected_current: bytes | None = None) -> None:
    """Replace one file with ``data`` as a one-file transaction (see ``steplint.fixing.transaction``),
    keeping its mode; refuse when the file on disk is no longer ``expected_current``. A
    symbolic link stays a link: its target is replaced. Raises WriteError. (A warning that
    the directory could not be flushed is not shown: the next run's recovery reports it.)"""
    if expected_current is None:
        try:
            expected_current = Path(path).read_bytes()
        except OSError as error:
            raise WriteError(f"{path}: cannot write fix: {error.strerror or error}") from None
    apply_transaction([Change(Path(path), expected_current, data)])


def write_changes(before: Workspace, outcome: FixOutcome) -> tuple[list, list]:
    """Write every file fixing changed, as one transaction: all of them or none, and only
    over the bytes that were read. The errors, one a line, when the transaction failed
    (none when every file was written), and warnings about a written transaction."""
    changes, problems = [], []
    for display in sorted(outcome.changed):
        original = before.sources[display]
        try:
            changes.append(Change(original.path, original.encoded(),
                                  _encode_fixed(original, outcome.workspace.sources[display])))
        except WriteError as error:
            problems.append(str(error))
    if problems:
        return problems + ["no fix was written: the files of one run are fixed together or not at all"], []
    try:
        return [], apply_transaction(changes)
    except TransactionFailed as failure:
        return failure.problems, []


def _encode_fixed(original, fixed) -> bytes:
    if not original.round_trips:
        raise WriteError(f"{original.path}: not fixed: re-encoding it as {original.encoding} would change "
                         "bytes outside the fix")
    try:
        return fixed.encoded()
    except UnicodeEncodeError as error:
        raise WriteError(f"{original.path}: not fixed: the fix needs a character ({error.object[error.start]!r}) "
                         f"that the file's encoding {original.encoding} cannot hold") from None
