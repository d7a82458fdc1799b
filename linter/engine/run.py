"""The engine: sources in, findings out.

files -> (prefilter) -> parse -> facts -> project model -> rules -> findings ->
selection, per-file ignores and suppressions. It knows nothing about output formats or
the command line; the fixer calls it again on edited text.

Progress: an engine given ``progress``, a function ``(stage, done, total)``, calls it as
files are parsed (``"parse"``: files extracted of those the prefilter chose, per file or
per finished chunk of the worker pool; ``total`` grows when a widening round adds files)
and as rules run (``"rules"``: rules run of those selected). What is shown, if anything,
is the caller's business; a run served by the result cache calls nothing.
"""

from __future__ import annotations

import functools
import os
import re
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from steplint.config import Config
from steplint.files.projects import split_by_project
from steplint.files.sources import FileProblem, SourceFile
from steplint.files.workspace import LazySources, Workspace
from steplint.findings.suppressions import is_suppressed, parse_suppressions
from steplint.model.values import Span
from steplint.readers import is_python, readers, reads
from steplint.readers.api import ReaderProject
from steplint.readers.python.names import module_name_for
from steplint.rule import Finding, Rule, RuleContext

if TYPE_CHECKING:  # the parser, extractor and model are imported on first use: a run whose
    # result is cached (nothing changed) does not import them
    from steplint.readers.python.edits import ParsedFile
    from steplint.readers.python.facts import ModuleFacts
    from steplint.readers.python.project import ProjectModel


READER_SLOT = "<reader> "  # + a reader's name: the facts cache's key of its facts, never a module name


@dataclass
class RunResult:
    findings: list
    internal_errors: list
    files_checked: int


class _Run:
    """Per-run state: lazily parsed files and their facts."""

    def __init__(self, engine: "Engine", workspace: Workspace, module_names: dict | None = None) -> None:
        self.engine = engine
        self.workspace = workspace
        self.file_problems: list[FileProblem] = []
        self.facts: dict[str, ModuleFacts] = {}
        self.module_of_path: dict[str, str] = {}
        self.path_of_module: dict[str, str] = {}
        self.reader_facts: dict[str, dict] = {}  # reader name -> display path -> facts
        self._reader_steps: list | None = None
        self.candidates: list = []  # display paths loaded as candidates (``Engine._load_candidates``)
        self.keyword_classes: dict = {}  # display path -> names of its classes that widened the candidate search
        self.keywords: frozenset = frozenset()  # every name the candidate search looked for, widened
        if module_names is not None:  # display -> module name, as a run of the same files named them
            self.module_of_path = dict(module_names)
            self.path_of_module = {name: display for display, name in module_names.items()}
        for display in sorted(workspace.displays()) if module_names is None else ():
            if not is_python(display):
                continue
            name = self.engine.module_name(workspace.path_of(display))
            if name in self.path_of_module:
                name = f"{name}@{display}"
            self.module_of_path[display] = name
            self.path_of_module[name] = display
        self.module_names = tuple(self.path_of_module)
        self._attempted: set[str] = set()
        self.internal_errors: list[str] = []

    def parsed(self, display: str) -> ParsedFile | None:
        source = self.workspace.sources.get(display)
        if source is None:
            return None
        return self.engine.parse(source)[0]

    def load(self, display: str) -> ModuleFacts | None:
        if display in self._attempted:
            return self.facts.get(self.module_of_path.get(display, ""))
        self._attempted.add(display)
        try:
            source = self.workspace.sources[display]
        except KeyError:  # a context file that could not be read when asked for: absent
            return None
        module_name = self.module_of_path[display]
        try:
            facts, problem = self.engine.facts(source, module_name)
        except Exception as error:  # noqa: BLE001 - reported loudly as an internal error; other files go on
            self.internal_errors.append(f"{display}: extracting facts crashed: {error!r}\n{traceback.format_exc()}")
            return None
        if problem is not None:
            self.file_problems.append(problem)
            return None
        self.facts[module_name] = facts
        return facts

    # The model's lazy loader protocol: call with a module name; by_path for scripts.
    def __call__(self, module_name: str) -> ModuleFacts | None:
        display = self.path_of_module.get(module_name)
        return self.load(display) if display is not None else None

    def by_path(self, display: str) -> ModuleFacts | None:
        return self.load(display) if display in self.module_of_path else None

    def source_texts(self) -> dict:
        """Display path -> text of every file of the run, Python or not (the model searches
        them for a name without parsing them)."""
        sources = self.workspace.sources
        if isinstance(sources, LazySources):
            sources = sources.read_all()
        return {display: source.text for display, source in sources.items()}

    def reader_steps(self, model: ProjectModel) -> list:
        """The steps of every registered reader (``steplint.readers.readers()``), built once."""
        if self._reader_steps is None:
            from steplint.readers.python.steps import script_at

            steps: list = []
            for reader in readers():
                project = ReaderProject(self.reader_facts.get(reader.name, {}), self.workspace.sources,
                                        self.engine.config, functools.partial(script_at, model))
                steps.extend(reader.steps(project))
            self._reader_steps = steps
        return self._reader_steps


class Engine:
    """Runs rules over a workspace. Parsing and facts are memoised by file content."""

    def __init__(self, config: Config, rules: list[Rule], *, cache=None, results=None, jobs: int = 1,
                 prefilter: bool = True, progress=None) -> None:
        self.config = config
        self.progress = progress or _no_progress
        self.rules = rules
        self.cache = cache  # a steplint.engine.cache.FactsCache, or None
        self.results = results  # a steplint.engine.result_cache.ResultCache, or None
        self.jobs = jobs
        self.prefilter = prefilter
        self._parse_memo: dict = {}
        self._guard_passed: set = set()  # (display, digest) of Python files whose facts were read
        self._facts_memo: dict = {}
        self._module_names: dict = {}
        self._package_memo: dict = {}
        self.scope_note: str | None = None  # how the last check of a project's given files was scoped, and why

    def module_name(self, path: Path) -> str:
        if path not in self._module_names:
            self._module_names[path] = self._compute_module_name(path)
        return self._module_names[path]

    def _compute_module_name(self, path: Path) -> str:
        name, is_package = module_name_for(path, self.config.root, self._package_memo)
        if "." in name or (path.parent / "__init__.py").is_file():
            return name
        try:
            # where the file sits in the tree, not where a symbolic link points
            relative = Path(os.path.abspath(path)).with_suffix("").relative_to(os.path.realpath(self.config.root))
            return ".".join(relative.parts) or name
        except ValueError:
            return name

    def parse(self, source: SourceFile) -> tuple[ParsedFile | None, FileProblem | None]:
        """LibCST's CST of a file (to build a fix), once per run. A file whose facts were
        read passed the parse guard (its verdict is part of the facts' salt), which is then
        not run a second time."""
        key = (source.display, source.digest)
        if key not in self._parse_memo:
            from steplint.readers.python.parse import parse_source

            self._parse_memo[key] = parse_source(source, guarded=key in self._guard_passed)
        return self._parse_memo[key]

    def _remember(self, key: tuple, value: tuple) -> None:
        """Memoise ``(facts, problem)`` of ``key`` = ``(display, digest, module name)``."""
        self._facts_memo[key] = value
        if value[0] is not None:
            self._guard_passed.add(key[:2])

    def facts(self, source: SourceFile, module_name: str) -> tuple[ModuleFacts | None, FileProblem | None]:
        """Facts of one file: memoised, then from the cache, else parsed and extracted
        (``readers.python.parse.extract_source``; fixes parse with LibCST through ``parse``)."""
        digest = source.digest
        key = (source.display, digest, module_name)
        if key not in self._facts_memo:
            cached = self.cache.get(source.display, module_name, digest) if self.cache is not None else None
            if cached is None:
                from steplint.readers.python.parse import extract_source

                cached = extract_source(source, module_name, self.config)
                if self.cache is not None:
                    self.cache.put(source.display, module_name, digest, cached)
            self._remember(key, cached)
        return self._facts_memo[key]

    def prefetch(self, run: "_Run", displays, on_done=None) -> None:
        """Extract the files a run is about to load in worker processes (cold runs with
        many uncached files only); results land in the memo and the cache. What the run
        loads, and in which order, does not change. A file whose worker process died is an
        SL905 problem, cached like any other verdict (extracting it here would end the run);
        a file whose worker raised is left to ``load``, which reports the error. ``on_done``
        is called with the number of files extracted so far, as chunks finish."""
        if self.jobs <= 1:
            return
        from steplint.engine.parallel import MIN_FILES_FOR_POOL, extract_in_workers

        todo = []
        for display in displays:
            source = run.workspace.sources[display]
            module_name = run.module_of_path[display]
            digest = source.digest
            if (display, digest, module_name) in self._facts_memo:
                continue
            cached = self.cache.get(display, module_name, digest) if self.cache is not None else None
            if cached is not None:
                self._remember((display, digest, module_name), cached)
            else:
                todo.append((source, module_name))
        if len(todo) < MIN_FILES_FOR_POOL:
            return
        results = extract_in_workers(todo, self.config.names, self.jobs, on_done)
        for (source, module_name), result in zip(todo, results or ()):
            if result is None:  # its worker raised: extracted again here, where the error is reported
                continue
            self._remember((source.display, source.digest, module_name), result)
            if self.cache is not None:
                self.cache.put(source.display, module_name, source.digest, result)

    def _keywords(self) -> set:
        names = self.config.names
        return set(names.spec_classes + names.contract_classes + names.builder_bases + names.registry_names
                   + names.dependency_classes + names.step_type_functions)

    def check(self, workspace: Workspace, report_paths=None) -> RunResult:
        """Lint the workspace, each project in it on its own model; with ``report_paths``,
        keep only findings involving those files. A run whose inputs are all unchanged
        returns the stored result. Given a project's files with the rest of the project read
        lazily (``Workspace.is_lazy``), the run is scoped to the part of the project those
        files can affect when the project index allows (``steplint.engine.scoped``)."""
        indexing = workspace.is_lazy
        if indexing:
            from steplint.engine.scoped import check_scoped

            scoped, self.scope_note = check_scoped(self, workspace, report_paths)
            if scoped is not None:
                return scoped
            workspace.materialise()
        key = self.results.key(workspace, report_paths) if self.results is not None else None
        if key is not None:
            stored = self.results.get(key)
            if stored is not None:
                return stored
        result = self._check(workspace, report_paths, indexing)
        if key is not None and not result.internal_errors:
            self._build_fixes(result.findings)  # stored findings carry their fixes
            self.results.put(key, result)
        return result

    def _build_fixes(self, findings: list) -> None:
        """Build each finding's fix, letting go of a file's CST once no finding left names
        the file (as its path or a related path, where its fix's edits are): a run with
        fixes in many files holds a few CSTs at a time, and parses each file once."""
        pending: dict = {}
        for finding in findings:
            for path in {finding.path, *finding.related_paths}:
                pending[path] = pending.get(path, 0) + 1
        for finding in findings:
            finding.build_fix()
            for path in {finding.path, *finding.related_paths}:
                pending[path] -= 1
                if not pending[path]:
                    for key in [key for key in self._parse_memo if key[0] == path]:
                        del self._parse_memo[key]

    def _check(self, workspace: Workspace, report_paths, indexing: bool = False) -> RunResult:
        parts = split_by_project(workspace)
        try:
            results = []
            for part in parts:
                result, run, model = self._check_project(part, report_paths)
                results.append(result)
                if indexing and len(parts) == 1 and not result.internal_errors:
                    from steplint.engine.scoped import write_index

                    part.read_at_ns = workspace.read_at_ns
                    write_index(self, part, run, model)
        finally:
            if self.cache is not None:
                self.cache.flush()
        if len(results) == 1:
            return results[0]
        return RunResult(sorted((finding for result in results for finding in result.findings),
                                key=lambda finding: finding.sort_key),
                         [error for result in results for error in result.internal_errors],
                         sum(result.files_checked for result in results))

    def check_part(self, workspace: Workspace, report_paths, part: dict) -> tuple:
        """``(RunResult, _Run, ProjectModel)`` of one project loading only ``part`` up front
        (see ``_check_project``); the facts cache is written after."""
        try:
            return self._check_project(workspace, report_paths, part)
        finally:
            if self.cache is not None:
                self.cache.flush()

    def may_hold_step_code(self, source: SourceFile, widened) -> bool:
        """Whether the candidate search of a whole-project run would load ``source``, given
        the names it was widened with (``widened``): a use of a configured name, or any of
        the widened names as a word."""
        keywords = self._keywords()
        if _use_pattern(keywords, self.config.names.registry_names).search(source.text) is not None:
            return True
        extra = frozenset(widened) - keywords
        return bool(extra) and _names_any(extra, _prefix_pattern(extra), source)

    def _check_project(self, workspace: Workspace, report_paths, part: dict | None = None) -> tuple:
        """``(RunResult, _Run, ProjectModel)`` of one project. With ``part`` (``"candidates"``:
        the Python files to load as candidates; ``"other_forms"``: the files other readers may
        read; ``"keywords"``: the names a whole-project candidate search was widened with;
        ``"module_names"``: display path -> module name of every Python file), only that part
        of the project is loaded up front; the model loads any other module it is led to."""
        run = _Run(self, workspace, None if part is None else part.get("module_names"))
        for problem in workspace.problems:
            run.file_problems.append(FileProblem("SL902", problem.display, Span(problem.line, problem.col,
                                                                                  problem.line, problem.col),
                                                 problem.message))
        if part is None:
            self._load_candidates(run)
            self._read_other_forms(run)
        else:
            for display in sorted(part["candidates"]):
                facts = run.load(display) if display in run.module_of_path else None
                if facts is None:
                    continue
                run.candidates.append(display)
                for cls in facts.classes.values():
                    if any(getattr(base, "name", None) in part["keywords"] for base in cls.bases):
                        run.keyword_classes.setdefault(display, set()).add(cls.name)
            self._read_other_forms(run, part["other_forms"])
        from steplint.readers.python.project import ProjectModel

        model = ProjectModel(run.facts, run, self.config.names, script_paths=tuple(run.module_of_path))
        context = RuleContext(model, self.config, run, report_paths)
        findings: list[Finding] = []
        internal_errors: list[str] = []
        selected = [rule for rule in self.rules if self.config.is_selected(rule.code)
                    and (rule.reader is None or (run.facts if rule.reader == "python" else run.reader_facts.get(rule.reader)))]
        for number, rule in enumerate(selected):
            self.progress("rules", number, len(selected))
            try:
                findings.extend(rule.check(context))
            except RecursionError:
                internal_errors.append(f"{rule.code} {rule.name}: stopped on a value nested too deeply to analyse")
            except Exception as error:  # noqa: BLE001 - reported loudly as an internal error, never hidden
                internal_errors.append(f"{rule.code} {rule.name} crashed: {error!r}\n{traceback.format_exc()}")
        internal_errors = run.internal_errors + internal_errors
        suppressions: dict = {}
        kept = self._filter(findings, workspace, report_paths, suppressions)
        late = []
        for rule in self.rules:  # rules about the suppressions themselves, e.g. SL903
            if getattr(rule, "after_suppressions", False) and self.config.is_selected(rule.code):
                for display in (workspace.displays() if report_paths is None else sorted(report_paths)):
                    source = workspace.sources.get(display)
                    if source is not None and display not in suppressions:
                        suppressions[display] = parse_suppressions(source.text, is_python(display))
                problem_paths = {problem.path for problem in run.file_problems}
                try:
                    late.extend(rule.check_suppressions(context, {
                        display: found for display, found in suppressions.items() if display not in problem_paths}))
                except Exception as error:  # noqa: BLE001 - reported loudly as an internal error, never hidden
                    internal_errors.append(f"{rule.code} {rule.name} crashed: {error!r}\n{traceback.format_exc()}")
        if late:
            named = {display: [s for s in found if s.codes is not None] for display, found in suppressions.items()}
            kept = sorted(kept + self._filter(late, workspace, report_paths, named), key=lambda f: f.sort_key)
        return RunResult(kept, internal_errors, len(workspace.sources) + len(workspace.problems)), run, model

    def read(self, reader, source: SourceFile) -> tuple:
        """``reader.read(source)``, memoised by content (the fixer runs the engine again) and,
        for a reader that names its ``fact_modules``, kept in the facts cache."""
        key = (reader.name, source.display, source.digest)
        if key not in self._facts_memo:
            cache = self.cache if self.cache is not None and reader.fact_modules else None
            slot = READER_SLOT + reader.name
            value = cache.get(source.display, slot, source.digest) if cache is not None else None
            if value is None:
                value = reader.read(source)
                if cache is not None:
                    cache.put(source.display, slot, source.digest, value)
            self._facts_memo[key] = value
        return self._facts_memo[key]

    def _read_other_forms(self, run: _Run, only=None) -> None:
        """Facts of the files each registered reader reads (its suffixes or globs, and
        ``wants``); with ``only``, of those among these display paths."""
        workspace = run.workspace
        for reader in readers():
            facts: dict = {}
            for display in sorted(workspace.displays() if only is None else only):
                if not reads(reader, display, self.config, workspace.path_of(display)):
                    continue
                source = workspace.sources.get(display)
                if source is None or not reader.wants(source):
                    continue
                try:
                    value, problem = self.read(reader, source)
                except Exception as error:  # noqa: BLE001 - reported loudly as an internal error; other files go on
                    run.internal_errors.append(f"{display}: the {reader.name} reader crashed: {error!r}\n"
                                               f"{traceback.format_exc()}")
                    continue
                if problem is not None:
                    run.file_problems.append(problem)
                else:
                    facts[display] = value
            run.reader_facts[reader.name] = facts

    def _load_candidates(self, run: _Run) -> None:
        """Parse files that may hold step code; names of the tree's own subclasses of the
        known classes widen the search until nothing new is found. The first round looks
        for a use of the configured names (``_use_pattern``): a file that only imports or
        mentions them declares no step and is parsed only if the model asks for it. A
        widening round looks for the new class names among the identifiers of the files
        not loaded yet."""
        keywords = self._keywords()
        run.keywords = frozenset(keywords)
        pending = {display: source for display, source in run.workspace.sources.items() if is_python(display)}
        may_hold_step_code = functools.partial(_mentions, _use_pattern(keywords, self.config.names.registry_names))
        done = total = 0
        shown = [0]  # never shows fewer files than it showed before (the pool runs ahead of the loop)

        def report(count: int) -> None:
            shown[0] = max(shown[0], count)
            self.progress("parse", shown[0], total)

        while pending:
            hits = [display for display, source in pending.items()
                    if not self.prefilter or may_hold_step_code(source)]
            if not hits:
                break
            total += len(hits)
            before = done
            report(done)
            self.prefetch(run, hits + _referenced_scripts(run.workspace, hits, set(hits)),
                          lambda extracted: report(before + min(extracted, len(hits))))
            new_keywords: set = set()
            for display in hits:
                del pending[display]
                facts = run.load(display)
                done += 1
                report(done)
                if facts is None:
                    continue
                run.candidates.append(display)
                for cls in facts.classes.values():
                    if any(getattr(base, "name", None) in keywords for base in cls.bases):
                        new_keywords.add(cls.name)
                        run.keyword_classes.setdefault(display, set()).add(cls.name)
            new_keywords -= keywords
            if not new_keywords:
                break
            keywords |= new_keywords
            run.keywords = frozenset(keywords)
            may_hold_step_code = functools.partial(_names_any, frozenset(new_keywords),
                                                   _prefix_pattern(new_keywords))

    def _filter(self, findings: list, workspace: Workspace, report_paths, suppressions: dict | None = None) -> list:
        kept = []
        seen = set()
        suppressions = {} if suppressions is None else suppressions
        for finding in sorted(findings, key=lambda f: f.sort_key):
            key = (finding.code, finding.path, finding.span, finding.message)
            if key in seen:
                continue
            seen.add(key)
            if not self.config.is_selected(finding.code, finding.path):
                continue
            if report_paths is not None and not (finding.involved_paths & report_paths):
                continue
            source = workspace.sources.get(finding.path)
            if source is not None:
                if finding.path not in suppressions:
                    suppressions[finding.path] = parse_suppressions(source.text, is_python(finding.path))
                if is_suppressed(suppressions[finding.path], finding.code, finding.line):
                    continue
            kept.append(finding)
        return kept


def _no_progress(stage: str, done: int, total: int) -> None:
    """The progress callback of an engine given none."""


_PY_LITERAL = re.compile(r"""["']([\w./-]+\.py)["']""")
_WORD = re.compile(r"\w+")
PREFIX_LENGTH = 6


def _use_pattern(keywords, registry_names) -> re.Pattern:
    """A pattern for text that uses one of ``keywords`` (the configured class and function
    names) as step code does: a call (``StepSpecification(``, also ``core.X(``), a class
    deriving from one, an import under another name (whose calls the pattern cannot see),
    or, for ``registry_names``, an assignment to the registry or to an item of it, or a
    method call on it (``STEP_NAMES.update(``). A file that only imports or mentions them
    is not a candidate."""
    names = "|".join(map(re.escape, sorted(keywords)))
    registries = "|".join(map(re.escape, sorted(registry_names))) or r"(?!x)x"
    return re.compile(
        rf"\b(?:{names})\s*\("
        rf"|^[ \t]*class[ \t]+\w+[ \t]*\([^)]*\b(?:{names})\b"
        rf"|\b(?:{names})[ \t]+as[ \t]+\w+"
        rf"|\b(?:{registries})(?:\s*\[[^\]\n]*\])*\s*(?::[^=\n]*)?=(?!=)"
        rf"|\b(?:{registries})\s*\.\s*\w+\s*\(",
        re.MULTILINE)


def _mentions(pattern: re.Pattern, source: SourceFile) -> bool:
    """Whether the source text contains a match of ``pattern`` anywhere."""
    return pattern.search(source.text) is not None


def _prefix_pattern(names) -> re.Pattern:
    """A pattern for the distinct first letters of ``names``: class names made by one naming
    scheme share a few prefixes, so this finds the texts worth tokenising quickly."""
    return re.compile("|".join(sorted({re.escape(name[:PREFIX_LENGTH]) for name in names})))


def _names_any(names: frozenset, prefixes: re.Pattern, source: SourceFile) -> bool:
    """Whether any of ``names`` is a word of the source (identifiers, and words in strings)."""
    return prefixes.search(source.text) is not None and not names.isdisjoint(_WORD.findall(source.text))


def _referenced_scripts(workspace: Workspace, displays, exclude: set) -> list:
    """Files named by a ``"something.py"`` literal in the given files (contracts' entry points):
    the scripts the model will load, worth extracting alongside them."""
    by_name: dict = {}
    for display in workspace.sources:
        by_name.setdefault(display.rsplit("/", 1)[-1], []).append(display)
    found: dict = {}
    for display in displays:
        for literal in _PY_LITERAL.findall(workspace.sources[display].text):
            for candidate in by_name.get(literal.rsplit("/", 1)[-1], ()):
                if candidate not in exclude:
                    found[candidate] = None
    return list(found)
