"""The reader API: what a source form implements to give the rules its steps.

A reader turns files of one form into the source-agnostic step model
(``steplint.model.steps.Step``). The engine calls it in two phases:

1. ``read(source)`` once per file whose name ends with one of ``suffixes`` or whose path
   from the configuration's root matches one of ``globs(config)`` (never a Python file),
   and that ``wants(source)``: the file's facts (any value the reader's ``steps`` understands), or a
   ``FileProblem`` (a one-line diagnostic such as a syntax error, reported as a finding;
   the file is then left out). ``read`` must not raise for bad input: an exception is an
   internal error of steplint, reported loudly.
2. ``steps(project)`` once per project, with the facts of every file it read
   (``ReaderProject``): the steps those files declare, with an ``Origin`` (file and span)
   on every item so that findings point into the reader's files and fixes edit them.

A reader registers itself by name in ``steplint.readers.READER_MODULES``; nothing in the
engine or the rules changes. The Python specification reader (``steplint.readers.python``)
is the engine's built-in reader: its facts also feed the scripts of every other reader's
steps (``ReaderProject.script``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable, ClassVar

if TYPE_CHECKING:
    from steplint.config import Config
    from steplint.files.sources import FileProblem, SourceFile
    from steplint.model.steps import Script, Step


@dataclass
class ReaderProject:
    """What a reader's ``steps`` may use for one project.

    ``facts``: display path -> what ``read`` returned for that file (files with a problem
    are absent). ``sources``: display path -> ``SourceFile`` of every file of the project,
    any form (to resolve a relative file name to a file of the project). ``script``: display
    path of a Python file -> its ``Script`` (what it reads: paths, keys, env vars, options),
    or None when the file is not part of the project or does not parse.
    """

    facts: dict
    sources: dict
    config: Config
    script: Callable[[str], "Script | None"]


class Reader:
    """Base class of a reader. Subclasses set ``name`` and ``suffixes`` (or ``globs``) and
    implement ``read`` and ``steps``; ``wants``, ``globs`` and ``reparses`` have defaults."""

    name: ClassVar[str]
    suffixes: ClassVar[tuple] = ()  # file name endings the reader reads, e.g. (".py",)
    fact_modules: ClassVar[tuple] = ()
    """Modules whose frozen dataclasses make up what ``read`` returns, so that the facts
    cache can store it (``steplint.engine.cache_codec``; facts of a reader that names none
    are read again each run). ``read`` must depend on the source alone, and its code lives
    in the reader's package, whose files are part of the cache's salt."""
    file_local: ClassVar[bool] = False
    """Whether each step the reader makes depends only on the file declaring it (and files the
    step names, such as its script), and rules compare a step only with steps of the same
    file. A scoped run (``steplint.engine.scoped``) then reads only the reader's files the
    given files can affect; otherwise it reads every file the reader read before."""

    def globs(self, config: Config) -> tuple:
        """Gitignore-style patterns (``steplint.files.discovery.glob_matcher``) selecting the
        other files the reader reads, matched against a file's path from the configuration's
        root; default: none. Discovery collects what they match; Python files stay the
        Python reader's whatever they match."""
        return ()

    def wants(self, source: SourceFile) -> bool:
        """Whether the file may hold this form (a cheap text test; default: every file with
        one of ``suffixes``). A False keeps a file that merely has the suffix unread."""
        return True

    def read(self, source: SourceFile) -> tuple[object | None, FileProblem | None]:
        """The file's facts, or ``(None, problem)``: plain values and frozen dataclasses of
        ``fact_modules`` (and of the step model), computed from ``source`` alone."""
        raise NotImplementedError

    def steps(self, project: ReaderProject) -> list[Step]:
        """The steps the files of one project declare."""
        raise NotImplementedError

    def string_edit(self, facts, span, value: str):
        """An ``Edit`` making the string written at ``span`` of the file with these ``facts``
        read ``value``, in the form's own syntax (quoting kept correct); None when the reader
        cannot make one there (default: never)."""
        return None

    def removal(self, facts, span):
        """An ``Edit`` removing the item (a list element, a mapping entry) whose step-model
        ``Origin`` is ``span`` of the file with these ``facts``; None when the reader cannot
        remove it alone there (default: never)."""
        return None

    def reparses(self, text: str) -> bool:
        """Whether edited text is still a valid file of this form (the fixer withdraws a fix
        whose result is not). Default: True; readers of a syntax override it."""
        return True
