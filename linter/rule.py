"""The rule API: rules, findings, fixes and edits.

A rule is one class carrying its code, name, summary, rationale, bad and good examples
(run by the test suite), severity and fix applicability. Project rules read the
``ProjectModel`` through a ``RuleContext``; they never parse or read files themselves.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, ClassVar, Iterable

from steplint.values import Span

if TYPE_CHECKING:
    from steplint.engine import RuleContext


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
    """One problem at a place in a file."""

    code: str
    name: str
    message: str
    path: str
    span: Span
    severity: Severity = Severity.ERROR
    fix_source: object = field(default=None, compare=False, repr=False)
    related_paths: tuple = ()

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


@dataclass(frozen=True)
class Example:
    """A small project (relative path -> source) a rule's documentation and tests run.

    ``expect`` is how many findings of the rule a bad example produces.
    """

    files: dict
    expect: int = 1
    fixed: dict | None = None


class lazy_examples:
    """A rule's examples built on first access: some are generated from steplint's reference
    code, which a lint run should not pay for."""

    def __init__(self, build) -> None:
        self.build = build

    def __set_name__(self, owner, name: str) -> None:
        self.name = name

    def __get__(self, instance, owner) -> tuple:
        value = tuple(self.build())
        setattr(owner, self.name, value)
        return value


class Rule:
    """Base class of every rule. Subclasses set the class attributes and ``check``."""

    code: ClassVar[str]
    name: ClassVar[str]
    summary: ClassVar[str]
    rationale: ClassVar[str]
    severity: ClassVar[Severity] = Severity.ERROR
    fix_applicability: ClassVar[Applicability] = Applicability.NONE
    bad_examples: ClassVar[tuple] = ()
    good_examples: ClassVar[tuple] = ()

    def check(self, context: "RuleContext") -> Iterable[Finding]:
        raise NotImplementedError

    def finding(self, path: str, span: Span, message: str, fix=None,
                related_paths: Iterable[str] = ()) -> Finding:
        """A finding of this rule; ``fix`` is a ``Fix``, None, or a function returning one."""
        return Finding(self.code, self.name, message, path, span, self.severity, fix,
                       tuple(sorted(set(related_paths) - {path})))


@dataclass(frozen=True)
class RuleDoc:
    """What ``steplint rule CODE`` and ``rules --format json`` show."""

    code: str
    name: str
    summary: str
    rationale: str
    severity: str
    fix: str
    bad_examples: tuple = field(default_factory=tuple)
    good_examples: tuple = field(default_factory=tuple)

    @classmethod
    def of(cls, rule: Rule) -> "RuleDoc":
        return cls(rule.code, rule.name, rule.summary, rule.rationale, rule.severity.value,
                   rule.fix_applicability.value, rule.bad_examples, rule.good_examples)
