"""The rule API: everything a rule module imports.

A rule is one class carrying its code, name, summary, rationale, bad and good examples
(run by the test suite), severity and fix applicability. Project rules read the
``ProjectModel`` through a ``RuleContext``; they never parse or read files themselves.
Findings, fixes and edits (``steplint.findings.finding``) are re-exported here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, ClassVar, Iterable

from steplint.findings.finding import Applicability, Edit, Finding, Fix, Severity
from steplint.model.values import Span

if TYPE_CHECKING:
    from steplint.config import Config
    from steplint.readers.python.edits import ParsedFile
    from steplint.readers.python.project import ProjectModel

__all__ = ["Applicability", "Edit", "Example", "Finding", "Fix", "Rule", "RuleContext", "RuleDoc", "SOURCE_FORMS",
           "Severity", "ANY_FORM", "lazy_examples", "source_form"]


class RuleContext:
    """What a rule may use: the project model, the configuration, file problems, and
    parsed files for building fixes. ``run`` is the engine's per-run state: it has
    ``file_problems`` (a list of ``FileProblem``) and ``parsed(path)``. ``report_paths`` are
    the display paths the run reports on (None: all): the engine drops every finding whose
    ``involved_paths`` miss them, so a rule may skip work whose findings could involve no
    other file (it never has to)."""

    def __init__(self, model: ProjectModel, config: Config, run, report_paths: frozenset | None = None) -> None:
        self.model = model
        self.config = config
        self._run = run
        self._pins = None
        self.report_paths = report_paths

    @property
    def steps(self) -> list:
        """Every step of the project in the source-agnostic step model
        (``steplint.model.steps.Step``), from every reader."""
        from steplint.readers.python.steps import steps_of

        return steps_of(self.model) + self._run.reader_steps(self.model)

    @property
    def interfaces(self) -> list:
        """Every declaration of logical ports in the project (``steplint.model.steps.Interface``),
        from every reader: each Python specification once (whether or not a contract links it),
        and those of the other readers' steps (a YAML file's base and each variant give one)."""
        from steplint.readers.python.steps import interfaces_of

        return interfaces_of(self.model) + [interface for step in self._run.reader_steps(self.model)
                                            for interface in step.interfaces]

    def reader_facts(self, name: str) -> dict:
        """Display path -> facts of every file the registered reader ``name`` read (for the
        rules of that source form; files with a problem are absent)."""
        return getattr(self._run, "reader_facts", {}).get(name, {})

    def string_edit(self, origin, value: str) -> Edit | None:
        """An edit making the string written at ``origin`` (an ``Origin`` in a file a
        reader read, such as a step model item's) read ``value``, quoted as that file's
        syntax requires; None when no reader read the file or it cannot rewrite there. In a
        Python file the origin is the string literal or the keyword argument it is the value of."""
        from steplint.readers import is_python

        if is_python(origin.path):
            from steplint.readers.python.edits import string_edit

            parsed = self.parsed(origin.path)
            return string_edit(parsed, origin.span, value) if parsed is not None else None
        reader, facts = self._reader_file(origin.path)
        return reader.string_edit(facts, origin.span, value) if reader is not None else None

    def sdk_pin(self, path: str):
        """The SageMaker SDK release the project of the file at display path ``path`` pins
        (``steplint.sagemaker.pins.SdkPin``), or None when it pins none; read from the
        project's files (``steplint.readers.project_pins``), once per project."""
        if self._pins is None:
            from steplint.readers import project_pins

            self._pins = project_pins(self.config)
        return self._pins.pin_for(path)

    @property
    def run_paths(self) -> tuple:
        """Display paths of every file of the run, any form (where entry points are looked for)."""
        return self.model.script_paths

    @property
    def builder_paths(self) -> frozenset:
        """Display paths of the Python files that define specification-driven step builders,
        linked to a step or not: a pipeline step another reader finds there runs its contract's
        entry point, not a script of its own."""
        return frozenset(builder.path for builder in self.model.builders)

    def script(self, display: str):
        """The ``steplint.model.steps.Script`` in the Python file at display path ``display``
        (what it reads, its ``__main__`` block), whether or not a step names it; None when the
        file is not part of the run or does not parse."""
        from steplint.readers.python.steps import script_at

        return script_at(self.model, display)

    def files_naming(self, word: str) -> frozenset | None:
        """Display paths of the run's files (any form) whose text holds ``word`` as a whole word:
        a superset of those that import or name the module ``word``; None when that cannot be
        told (the run keeps no texts)."""
        return self.model.files_naming(word)

    def removal(self, origin) -> Edit | None:
        """An edit removing the item (a list element, a dict or mapping entry) that a step-model
        ``origin`` declares, in whichever reader's file; None when that reader cannot remove it
        alone there (Python: only items written in place, never one of a shared module
        constant; YAML: one-line items of a sequence)."""
        from steplint.readers import is_python

        if is_python(origin.path):
            from steplint.readers.python.removals import removal

            return removal(self.model, self.remove_element, origin)
        reader, facts = self._reader_file(origin.path)
        return reader.removal(facts, origin.span) if reader is not None else None

    def _reader_file(self, path: str) -> tuple:
        """``(reader, facts)``: the registered reader that read the file at display path
        ``path`` and what it read; ``(None, None)`` when none did."""
        from steplint.readers import readers

        for reader in readers():
            facts = self.reader_facts(reader.name).get(path)
            if facts is not None:
                return reader, facts
        return None, None

    @property
    def file_problems(self) -> list:
        return self._run.file_problems

    def parsed(self, path: str) -> ParsedFile | None:
        return self._run.parsed(path)

    def remove_element(self, path: str, container: Span, node_types: tuple, index: int) -> Edit | None:
        """An edit removing the ``index``-th element of the container at ``container``, a node
        of one of the LibCST classes named in ``node_types`` (e.g. ``("List", "Tuple")``)."""
        parsed = self.parsed(path)
        if parsed is None:
            return None
        import libcst as cst
        from steplint.readers.python.edits import without_element

        node = parsed.find(container, tuple(getattr(cst, name) for name in node_types))
        if node is None:
            return None
        return parsed.replace(node, without_element(node, index))


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
    reader: ClassVar[str | None] = None
    """None for a rule that reads only the step model (``RuleContext.steps``), SageMaker facts
    and file problems, and so holds for every source form; else the name of the one reader
    whose own facts it reads (a key of ``SOURCE_FORMS``: ``"python"`` for the
    specification-driven Python reader's ``RuleContext.model``, or a registered reader's
    ``name`` for ``RuleContext.reader_facts``). The engine does not run a reader-specific rule
    on a project in which that reader read nothing."""

    def check(self, context: "RuleContext") -> Iterable[Finding]:
        raise NotImplementedError

    def finding(self, path: str, span: Span, message: str, fix=None,
                related_paths: Iterable[str] = (), help: str = "") -> Finding:
        """A finding of this rule; ``fix`` is a ``Fix``, None, or a function returning one.

        ``message`` is the one short line every format shows; ``help`` (optional) says what
        follows for this finding and what to do, shown by ``--output-format full`` and kept
        in the JSON, SARIF, GitHub, GitLab and JUnit reports."""
        return Finding(self.code, self.name, message, path, span, self.severity, fix,
                       tuple(sorted(set(related_paths) - {path})), help)


SOURCE_FORMS = {
    "python": "Python specs",
    "yaml": "YAML interfaces",
    "pipeline": "SDK pipelines",
}
"""Reader name -> the source form it reads, as the rule documentation names it (``Rule.reader``):
Python specification-driven code (specs, contracts, builders and their scripts), YAML step
interfaces (``*.step.yaml``), plain SageMaker SDK pipelines."""
ANY_FORM = "any form"


def source_form(rule, long: bool = False) -> str:
    """What ``rule`` checks, for its documentation: its reader's form (``SOURCE_FORMS``), else
    ``ANY_FORM`` (with ``long``, followed by what that means)."""
    if rule.reader:
        return SOURCE_FORMS[rule.reader]
    return ANY_FORM + (" (it reads the step model or file problems, not one reader's own facts, and holds "
                       "wherever a reader supplies what it reads)" if long else "")


MESSAGE_WIDTH = 120
"""The most characters a finding's message may have: the one line every output format shows
(what is wrong, where the other end is); the rest goes to its help."""


def close_name(name: str, candidates) -> str | None:
    """The one of ``candidates`` that ``name`` looks renamed from (case aside, ``difflib``
    ratio at least 0.75), or None."""
    import difflib

    by_lower = {candidate.lower(): candidate for candidate in sorted(candidates)}
    close = difflib.get_close_matches(name.lower(), list(by_lower), n=1, cutoff=0.75)
    return by_lower[close[0]] if close else None


def close_hint(name: str, candidates) -> str:
    """A short 'did you mean' for a message: `` (close: 'x')`` (``close_name``), or nothing."""
    close = close_name(name, candidates)
    return f" (close: '{close}')" if close else ""


def fitted(*candidates: str) -> str:
    """The first of ``candidates`` (the most informative first) that fits in ``MESSAGE_WIDTH``
    characters, else the last (the shortest form, which only long user-written names push over)."""
    return next((text for text in candidates if len(text) <= MESSAGE_WIDTH), candidates[-1])


@dataclass(frozen=True)
class RuleDoc:
    """What ``steplint rule CODE`` and ``rules --format json`` show."""

    code: str
    name: str
    summary: str
    rationale: str
    severity: str
    fix: str
    reader: str | None = None
    bad_examples: tuple = field(default_factory=tuple)
    good_examples: tuple = field(default_factory=tuple)

    @classmethod
    def of(cls, rule: Rule) -> "RuleDoc":
        return cls(rule.code, rule.name, rule.summary, rule.rationale, rule.severity.value,
                   rule.fix_applicability.value, rule.reader, rule.bad_examples, rule.good_examples)
