"""What rules produce: findings at a place in a file, and the fixes they carry.

A fix is a set of text edits (offsets into the decoded text) applied together or not at
all, possibly across files; its applicability says how far it may be trusted.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from steplint.model.values import Span


class Severity(str, enum.Enum):
    ERROR = "error"
    WARNING = "warning"


class Applicability(str, enum.Enum):
    """How far a fix may be trusted: safe fixes keep behaviour, unsafe ones may change it."""

    SAFE = "safe"
    UNSAFE = "unsafe"
    NONE = "none"


@dataclass(frozen=True, order=True)
class Edit:
    """Replace ``text[start:end]`` of one file (offsets into the decoded text)."""

    path: str
    start: int
    end: int
    replacement: str


@dataclass(frozen=True)
class Fix:
    """Edits that are applied together or not at all, possibly across files."""

    description: str
    applicability: Applicability
    edits: tuple

    @property
    def paths(self) -> frozenset:
        return frozenset(edit.path for edit in self.edits)


@dataclass(frozen=True)
class Finding:
    """One problem at a place in a file.

    ``message`` is one short line (what is wrong and where the other end is, at most about
    120 characters); ``help`` is optional further text for this finding: the consequence the
    analysis established and the remedy. The rule's general rationale is not repeated here
    (``steplint rule CODE`` and the ``full`` output format show it).
    """

    code: str
    name: str
    message: str
    path: str
    span: Span
    severity: Severity = Severity.ERROR
    fix_source: object = field(default=None, compare=False, repr=False)
    related_paths: tuple = ()
    help: str = ""

    @property
    def fix(self) -> Fix | None:
        """The fix, built on first use: rules may pass a zero-argument function so that files
        are parsed for edits only when a fix is shown or applied."""
        return self.build_fix()

    def build_fix(self) -> Fix | None:
        """Build the fix now if it is not built yet, and return it."""
        source = self.fix_source
        if source is not None and not isinstance(source, Fix):
            source = source()
            object.__setattr__(self, "fix_source", source)
        return source

    @property
    def line(self) -> int:
        return self.span.line

    @property
    def column(self) -> int:
        """1-based column, as editors and other linters print it."""
        return self.span.col + 1

    @property
    def sort_key(self) -> tuple:
        return (self.path, self.span.line, self.span.col, self.code, self.message)

    @property
    def involved_paths(self) -> frozenset:
        """The finding's file, the files it relates to, and those its (built) fix edits."""
        paths = {self.path, *self.related_paths}
        if isinstance(self.fix_source, Fix):
            paths |= self.fix_source.paths
        return frozenset(paths)
