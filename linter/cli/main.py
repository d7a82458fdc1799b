"""The command line: wires options to the engine, fixer and reporters.

Commands, as in ruff: ``steplint check [PATHS]``, ``steplint rule CODE`` and ``steplint
rules``. A first argument that is not a command means ``check``: ``steplint [PATHS]`` is
``steplint check [PATHS]``. The first argument is a command whenever it is spelled as one,
so a directory named ``check`` (or ``rule``, ``rules``) is checked with ``steplint check
check`` or ``steplint ./check``.

Exit codes: 0 no findings that fail the run, 1 findings remain that do (errors; warnings
too with ``--fail-on warning``), also after ``--fix``, or ``--diff`` has changes, 2 usage,
configuration or internal error.

Output: the report (or ``--show-files``, ``--show-settings``) goes to stdout or
``--output-file``; messages (warnings, errors, the progress line) to stderr. ``--quiet``
keeps only the findings (no summary, no "Fixed" line); ``--silent`` writes nothing to
stdout (a requested ``--output-file`` is still written) and no warnings.
"""

from __future__ import annotations

import argparse
import difflib
import gc
import os
import sys
from dataclasses import replace
from pathlib import Path

from steplint import __version__
from steplint.api import configure
from steplint.config import FAIL_ON, ConfigError
from steplint.engine.run import Engine
from steplint.engine.scope import load_scope
from steplint.files.sources import SourceFile
from steplint.reporting.reporters import (
    HUMAN_FORMATS,
    REPORTERS,
    STATISTICS,
    ReportContext,
    format_fix_summary,
)

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
COMMANDS = {
    "check": "check files and directories (the default command)",
    "rule": "print a rule's documentation: steplint rule SL101",
    "rules": "list the rules (--output-format text, json or markdown)",
}


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):
        self.exit(EXIT_ERROR, f"steplint: error: {message}\n")


def build_parser(prog: str = "steplint") -> argparse.ArgumentParser:
    """The parser of ``check``'s options; as ``steplint`` (no command), its help lists the commands."""
    commands = "\n".join(f"  {name:<7} {text}" for name, text in COMMANDS.items())
    parser = _Parser(
        prog=prog, formatter_class=argparse.RawDescriptionHelpFormatter,
        usage=f"{prog} [OPTIONS] [PATHS ...]" + ("\n       steplint rule CODE\n       steplint rules"
                                                  if prog == "steplint" else ""),
        description="Lint specification-driven SageMaker pipeline code."
                    + (f"\n\ncommands:\n{commands}\n\n'steplint [PATHS]' means 'steplint check [PATHS]'. A first "
                       "argument spelled as a\ncommand is that command: check a directory named 'check' with "
                       "'steplint check check'\nor 'steplint ./check'." if prog == "steplint" else ""))
    parser.add_argument("paths", nargs="*", default=["."], metavar="PATHS",
                        help="files or directories to check (default: .)")

    rules = parser.add_argument_group("rule selection")
    rules.add_argument("--select", metavar="CODES", help="comma-separated rule codes or prefixes to enable "
                                                         "(replaces the configuration's select and extend-select)")
    rules.add_argument("--extend-select", metavar="CODES", help="rule codes or prefixes to enable as well")
    rules.add_argument("--ignore", metavar="CODES", help="comma-separated rule codes or prefixes to disable "
                                                         "(replaces the configuration's ignore and extend-ignore)")
    rules.add_argument("--extend-ignore", metavar="CODES", help="rule codes or prefixes to disable as well")

    files = parser.add_argument_group("file selection")
    files.add_argument("--exclude", metavar="PATTERNS", help="comma-separated patterns to exclude "
                                                             "(replaces the configuration's exclude)")
    files.add_argument("--extend-exclude", metavar="PATTERNS", help="patterns to exclude as well")
    files.add_argument("--respect-gitignore", dest="respect_gitignore", action="store_true", default=None,
                       help="skip what .gitignore, .ignore and .git/info/exclude ignore (the default)")
    files.add_argument("--no-respect-gitignore", dest="respect_gitignore", action="store_false",
                       help="also check what ignore files ignore")
    files.add_argument("--force-exclude", action="store_true",
                       help="apply exclusions and ignore files to paths given on the command line too")
    files.add_argument("--stdin-filename", metavar="PATH",
                       help="read the source from stdin and report it as PATH (for editors)")
    files.add_argument("--no-project-context", action="store_true",
                       help="with file arguments, do not load the rest of the project as context")
    files.add_argument("--show-files", action="store_true", help="print the files that would be checked, and exit")
    files.add_argument("--show-settings", action="store_true",
                       help="print the effective configuration, and exit")

    fixing = parser.add_argument_group("fixes")
    fixing.add_argument("--fix", action="store_true", help="apply safe fixes")
    fixing.add_argument("--unsafe-fixes", action="store_true", help="also apply (or offer) unsafe fixes")
    fixing.add_argument("--diff", action="store_true", help="print fixes as a unified diff instead of writing")
    fixing.add_argument("--show-fixes", action="store_true", help="with --fix: list the findings fixed, per file")
    fixing.add_argument("--add-suppressions", action="store_true",
                        help="add '# steplint: ignore[CODE]' comments for every current finding")

    output = parser.add_argument_group("output")
    output.add_argument("--output-format", "--format", dest="output_format", choices=sorted(REPORTERS),
                        metavar="FORMAT", help=f"one of {', '.join(sorted(REPORTERS))} (default: text; "
                                               f"concise is text)")
    output.add_argument("--output-file", "-o", type=Path, metavar="FILE", help="write the report to FILE")
    output.add_argument("--show-source", action="store_true", help="text format: show each finding's line")
    output.add_argument("--statistics", action="store_true",
                        help="print the number of findings per rule (text or json)")
    output.add_argument("--quiet", "-q", action="store_true", help="print the findings only: no summary")
    output.add_argument("--verbose", "-v", action="store_true",
                        help="also say on stderr how a run given files was scoped (only the steps "
                             "those files can affect, or the whole project and why)")
    output.add_argument("--silent", "-s", action="store_true",
                        help="print nothing (the exit code still tells); --output-file is still written")
    output.add_argument("--fail-on", choices=FAIL_ON, help="which findings make the exit code 1: error "
                                                           "(the default) or warning (errors and warnings)")
    output.add_argument("--exit-zero", action="store_true", help="exit 0 even when findings remain")

    other = parser.add_argument_group("configuration and performance")
    other.add_argument("--config", type=Path, help="pyproject.toml to read [tool.steplint] from")
    other.add_argument("--jobs", "-j", type=_positive_int, metavar="N",
                       help="worker processes for parsing many uncached files (default: CPUs, at most 8)")
    other.add_argument("--no-cache", action="store_true", help="neither read nor write the caches")
    other.add_argument("--cache-dir", type=Path, metavar="DIR",
                       help="where to keep the caches (default: the project's directory in the user's "
                            "cache, e.g. ~/.cache/steplint/projects/<digest>)")
    other.add_argument("--version", action="version", version=f"steplint {__version__}")
    return parser


def _positive_int(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{value}' is not a number") from None
    if number < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return number


def _make_engine(config, rules, arguments, progress) -> Engine:
    from steplint.engine.jobs import default_jobs

    cache = results = None
    if not arguments.no_cache:
        from steplint.engine.cache import FactsCache
        from steplint.engine.result_cache import ResultCache

        cache = FactsCache.for_root(config.root, config.names, arguments.cache_dir)
        results = ResultCache(cache.directory, config)
    return Engine(config, rules, cache=cache, results=results, jobs=arguments.jobs or default_jobs(),
                  progress=progress)


def _codes(value: str | None) -> list | None:
    if value is None:
        return None
    return [code.strip().upper() if code.strip() != "ALL" else "ALL" for code in value.split(",") if code.strip()]


def _patterns(value: str | None) -> list | None:
    if value is None:
        return None
    return [pattern.strip() for pattern in value.split(",") if pattern.strip()]


def _overrides(arguments) -> dict:
    """The configuration keys the command line sets (see ``steplint.config.merge_overrides``)."""
    values = {"select": _codes(arguments.select), "extend-select": _codes(arguments.extend_select),
              "ignore": _codes(arguments.ignore), "extend-ignore": _codes(arguments.extend_ignore),
              "exclude": _patterns(arguments.exclude), "extend-exclude": _patterns(arguments.extend_exclude),
              "respect-gitignore": arguments.respect_gitignore, "fail-on": arguments.fail_on}
    return {key: value for key, value in values.items() if value is not None}


def _recover_interrupted_fixes() -> list:
    """Before any file is read, finish or undo the fixes of a crashed run. The journal
    directory is looked at first, so a run that never fixed anything does not load the
    transaction code."""
    from steplint.engine.userdirs import journal_root

    if not journal_root().is_dir():
        return []
    from steplint.fixing.transaction import recover

    return recover()


def main(argv=None) -> int:
    """Run the command line; Ctrl-C and a closed output pipe end it with a message, not a traceback."""
    gc.disable()  # a short-lived run: the facts it builds hold no cycles worth collecting
    try:
        return _main(argv)
    except KeyboardInterrupt:
        print("steplint: interrupted; no file was left half-written", file=sys.stderr)
        return 130
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no second error at exit
        return EXIT_ERROR


def _main(argv=None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] in ("rule", "rules"):
        from steplint.cli.docs import main as docs_main

        return docs_main(argv)
    prog = "steplint"
    if argv and argv[0] == "check":
        prog, argv = "steplint check", argv[1:]
    arguments = build_parser(prog).parse_args(argv)
    output_format = arguments.output_format or "text"
    if arguments.statistics and output_format not in STATISTICS:
        print(f"steplint: error: --statistics prints text or json, not {output_format}", file=sys.stderr)
        return EXIT_ERROR
    for line in _recover_interrupted_fixes():
        print(line, file=sys.stderr)
    from steplint.rules import LazyRules

    rules = LazyRules()
    try:
        config = configure(arguments.paths, arguments.config, _overrides(arguments))
    except ConfigError as error:
        print(f"steplint: error: {error}", file=sys.stderr)
        return EXIT_ERROR
    if arguments.show_settings:
        from steplint.cli.settings import settings_text

        sys.stdout.write(settings_text(config, {"output-format": output_format, "paths": " ".join(arguments.paths)}))
        return EXIT_CLEAN

    if arguments.show_files:
        return _show_files(arguments, config)

    stdin = None
    if arguments.stdin_filename is not None:
        from steplint.engine.scope import read_stdin_source

        stdin = read_stdin_source(sys.stdin.buffer.read(), arguments.stdin_filename)
    progress = _progress(arguments, output_format)
    try:
        scope = load_scope([] if stdin is not None else arguments.paths, config, arguments.force_exclude, stdin,
                           project_context=not arguments.no_project_context)
        for missing in scope.discovered.missing:
            print(f"steplint: error: {missing}: no such file or directory", file=sys.stderr)
        if not arguments.silent:
            for warning in scope.warnings:
                print(f"steplint: warning: {warning}", file=sys.stderr)
        return _run(arguments, output_format, config, rules, scope, stdin, progress)
    finally:
        if progress is not None:
            progress.clear()


def _show_files(arguments, config) -> int:
    """``--show-files``: the files a run would check, one a line, as findings show them;
    exit 0 (2 when a path does not exist). Nothing is read."""
    from steplint.engine.scope import discovery_scope

    discovered, warnings, displays = discovery_scope(arguments.paths, config, arguments.force_exclude,
                                                     arguments.stdin_filename)
    for missing in discovered.missing:
        print(f"steplint: error: {missing}: no such file or directory", file=sys.stderr)
    if not arguments.silent:
        for warning in warnings:
            print(f"steplint: warning: {warning}", file=sys.stderr)
        sys.stdout.writelines(f"{display}\n" for display in displays)
    return EXIT_ERROR if discovered.missing else EXIT_CLEAN


def _progress(arguments, output_format: str):
    """A progress line on stderr for a person at a terminal waiting for a human format; None
    when stderr is not a terminal, with --quiet or --silent, or for machine formats."""
    from steplint.cli.terminal import ProgressLine, is_interactive

    if output_format not in HUMAN_FORMATS or arguments.quiet or arguments.silent:
        return None
    return ProgressLine(sys.stderr) if is_interactive(sys.stderr) else None


def _checked(scope) -> list:
    """The display paths a run reports on: the files found (or given), sorted."""
    workspace = scope.workspace
    if scope.report_paths is not None:
        return sorted(scope.report_paths)
    return sorted({*workspace.sources, *(problem.display for problem in workspace.problems)})


def _run(arguments, output_format: str, config, rules, scope, stdin, progress) -> int:
    """Check, fix or diff the scope; report; the exit code."""
    workspace, discovered = scope.workspace, scope.discovered
    engine = _make_engine(config, rules, arguments, progress)
    report_paths = scope.report_paths
    if arguments.add_suppressions:
        from steplint.fixing.adoption import add_suppressions_to_files

        workspace.materialise()
        result = engine.check(workspace, report_paths=report_paths)
        if progress is not None:
            progress.clear()
        code = add_suppressions_to_files(workspace, result.findings)
        return _exit(result, discovered, code)

    if arguments.fix or arguments.diff:
        from steplint.fixing.fixer import allowed_applicabilities, fix_workspace, write_changes
    if isinstance(stdin, SourceFile) and (arguments.fix or arguments.diff):
        outcome = fix_workspace(engine, workspace, allowed_applicabilities(arguments.unsafe_fixes), report_paths)
        if progress is not None:
            progress.clear()
        fixed_text = outcome.workspace.sources[stdin.display].text
        if arguments.diff:
            sys.stdout.writelines(difflib.unified_diff(
                stdin.text.splitlines(keepends=True), fixed_text.splitlines(keepends=True),
                fromfile=f"a/{stdin.display}", tofile=f"b/{stdin.display}"))
        else:
            sys.stdout.write(fixed_text)
        return _exit(outcome.result, discovered, _findings_code(outcome.result.findings, arguments, config))

    if arguments.fix or arguments.diff:
        if arguments.verbose and report_paths is not None and not arguments.silent:
            print("steplint: whole project: --fix and --diff runs are never scoped (a fix may edit any file)",
                  file=sys.stderr)
        outcome = fix_workspace(engine, workspace, allowed_applicabilities(arguments.unsafe_fixes), report_paths)
        if progress is not None:
            progress.clear()
        result = outcome.result
        if not arguments.silent:
            for message in outcome.withdrawn:
                print(f"steplint: warning: {message}", file=sys.stderr)
        if arguments.diff:
            for display, text in sorted(outcome.changed.items()):
                before = workspace.sources[display].text
                sys.stdout.writelines(difflib.unified_diff(
                    before.splitlines(keepends=True), text.splitlines(keepends=True),
                    fromfile=f"a/{display}", tofile=f"b/{display}"))
            return _exit(result, discovered, EXIT_FINDINGS if outcome.changed else EXIT_CLEAN)
        write_errors, write_warnings = write_changes(workspace, outcome)
        if not arguments.silent:
            for warning in write_warnings:
                print(f"steplint: warning: {warning}", file=sys.stderr)
        for error in write_errors:
            print(f"steplint: error: {error}", file=sys.stderr)
        if write_errors:  # report what is on disk, never the unwritten fixes
            scope = load_scope(arguments.paths, config, arguments.force_exclude,
                               project_context=not arguments.no_project_context)
            result = engine.check(scope.workspace, report_paths=scope.report_paths)
            if progress is not None:
                progress.clear()
            _report(result.findings, arguments, output_format, engine, scope)
            return _exit(result, discovered, EXIT_ERROR)
        if outcome.fixed and not (arguments.quiet or arguments.silent):
            stream = sys.stdout if output_format in HUMAN_FORMATS or arguments.output_file else sys.stderr
            stream.write(format_fix_summary(outcome.applied, len(outcome.changed), arguments.show_fixes))
        report_failed = not _report(result.findings, arguments, output_format, engine,
                                    replace(scope, workspace=outcome.workspace))
        return _exit(result, discovered,
                     EXIT_ERROR if report_failed else _findings_code(result.findings, arguments, config))

    result = engine.check(workspace, report_paths=report_paths)
    if progress is not None:
        progress.clear()
    if arguments.verbose and engine.scope_note is not None and not arguments.silent:
        print(f"steplint: {engine.scope_note}", file=sys.stderr)
    if not _report(result.findings, arguments, output_format, engine, scope):
        return _exit(result, discovered, EXIT_ERROR)
    return _exit(result, discovered, _findings_code(result.findings, arguments, config))


def _findings_code(findings, arguments, config) -> int:
    """1 when a finding fails the run (an error; any finding with fail-on = warning), unless --exit-zero."""
    if arguments.exit_zero:
        return EXIT_CLEAN
    failing = any(config.fail_on == "warning" or finding.severity.value == "error" for finding in findings)
    return EXIT_FINDINGS if failing else EXIT_CLEAN


def _source_root(config) -> str:
    """The repository's top (the nearest directory at or above the configuration's root
    holding ``.git``), else the configuration's root: what CI systems resolve paths from."""
    root = os.path.realpath(config.root)
    current = root
    while True:
        if os.path.lexists(os.path.join(current, ".git")):
            return current
        parent = os.path.dirname(current)
        if parent == current:
            return root
        current = parent


def _report(findings, arguments, output_format: str, engine, scope) -> bool:
    """Write the report to stdout or ``--output-file``; False when the file cannot be written."""
    to_stdout = arguments.output_file is None
    if to_stdout and arguments.silent:
        return True
    from steplint.cli.terminal import wants_color

    workspace = scope.workspace
    context = ReportContext(
        sources=workspace.texts(),
        rules=engine.rules, show_source=arguments.show_source,
        color=to_stdout and output_format in HUMAN_FORMATS and wants_color(sys.stdout),
        quiet=arguments.quiet, checked=tuple(_checked(scope)),
        source_root=_source_root(engine.config), working_directory=os.path.realpath(os.getcwd()))
    reporter = STATISTICS[output_format] if arguments.statistics else REPORTERS[output_format]
    text = reporter(findings, arguments.unsafe_fixes, context)
    if to_stdout:
        sys.stdout.write(text)
        return True
    try:
        arguments.output_file.write_text(text, encoding="utf-8")
    except OSError as error:
        print(f"steplint: error: {arguments.output_file}: cannot write report: {error.strerror or error}",
              file=sys.stderr)
        return False
    return True


def _exit(result, discovered, code: int) -> int:
    for error in result.internal_errors:
        print(f"steplint: internal error: {error}", file=sys.stderr)
    if result.internal_errors or discovered.missing:
        return EXIT_ERROR
    return code
