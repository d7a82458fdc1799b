"""The command line: wires options to the engine, fixer and reporters.

Exit codes: 0 no findings, 1 findings remain (also after --fix) or --diff has changes,
2 usage, configuration or internal error.
"""

from __future__ import annotations

import argparse
import difflib
import gc
import os
import sys
from pathlib import Path

from steplint import __version__
from steplint.api import configure
from steplint.config import ConfigError
from steplint.engine.run import Engine
from steplint.engine.scope import load_scope
from steplint.files.sources import SourceFile
from steplint.fixing.fixer import allowed_applicabilities, fix_workspace, write_changes
from steplint.reporting.reporters import REPORTERS, ReportContext, format_statistics

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):
        self.exit(EXIT_ERROR, f"steplint: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="steplint", description="Lint specification-driven SageMaker pipeline code.")
    parser.add_argument("paths", nargs="*", default=["."], help="files or directories to check (default: .)")
    parser.add_argument("--fix", action="store_true", help="apply safe fixes")
    parser.add_argument("--unsafe-fixes", action="store_true", help="also apply (or offer) unsafe fixes")
    parser.add_argument("--diff", action="store_true", help="print fixes as a unified diff instead of writing")
    parser.add_argument("--select", help="comma-separated rule codes or prefixes to enable")
    parser.add_argument("--ignore", help="comma-separated rule codes or prefixes to disable")
    parser.add_argument("--format", choices=sorted(REPORTERS), default="text", help="output format")
    parser.add_argument("--config", type=Path, help="pyproject.toml to read [tool.steplint] from")
    parser.add_argument("--show-source", action="store_true", help="text format: show each finding's line")
    parser.add_argument("--statistics", action="store_true", help="print the number of findings per rule")
    parser.add_argument("--output-file", "-o", type=Path, metavar="FILE", help="write the report to FILE")
    parser.add_argument("--exit-zero", action="store_true", help="exit 0 even when findings remain")
    parser.add_argument("--add-suppressions", action="store_true",
                        help="add '# steplint: ignore[CODE]' comments for every current finding")
    parser.add_argument("--stdin-filename", metavar="PATH",
                        help="read the source from stdin and report it as PATH (for editors)")
    parser.add_argument("--force-exclude", action="store_true",
                        help="apply exclude patterns to paths given on the command line too")
    parser.add_argument("--no-project-context", action="store_true",
                        help="with file arguments, do not load the rest of the project as context")
    parser.add_argument("--jobs", "-j", type=_positive_int, metavar="N",
                        help="worker processes for parsing many uncached files (default: CPUs, at most 8)")
    parser.add_argument("--no-cache", action="store_true", help="neither read nor write the caches")
    parser.add_argument("--cache-dir", type=Path, metavar="DIR",
                        help="where to keep the caches (default: the project's directory in the user's "
                             "cache, e.g. ~/.cache/steplint/projects/<digest>)")
    parser.add_argument("--version", action="version", version=f"steplint {__version__}")
    return parser


def _positive_int(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{value}' is not a number") from None
    if number < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return number


def _make_engine(config, rules, arguments) -> Engine:
    from steplint.engine.parallel import default_jobs

    cache = results = None
    if not arguments.no_cache:
        from steplint.engine.cache import FactsCache
        from steplint.engine.result_cache import ResultCache

        cache = FactsCache.for_root(config.root, config.names, arguments.cache_dir)
        results = ResultCache(cache.directory, config, rules)
    return Engine(config, rules, cache=cache, results=results, jobs=arguments.jobs or default_jobs())


def _codes(value: str | None) -> list | None:
    if value is None:
        return None
    return [code.strip().upper() if code.strip() != "ALL" else "ALL" for code in value.split(",") if code.strip()]


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
    arguments = build_parser().parse_args(argv)
    from steplint.fixing.transaction import recover

    for line in recover():  # before any file is read: finish or undo fixes a crashed run left
        print(line, file=sys.stderr)
    from steplint.rules import all_rules

    rules = all_rules()
    overrides = {}
    if arguments.select is not None:
        overrides["select"] = _codes(arguments.select)
    if arguments.ignore is not None:
        overrides["ignore"] = _codes(arguments.ignore)
    try:
        config = configure(arguments.paths, arguments.config, overrides)
    except ConfigError as error:
        print(f"steplint: error: {error}", file=sys.stderr)
        return EXIT_ERROR

    stdin = None
    if arguments.stdin_filename is not None:
        from steplint.engine.scope import read_stdin_source

        stdin = read_stdin_source(sys.stdin.buffer.read(), arguments.stdin_filename)
    scope = load_scope([] if stdin is not None else arguments.paths, config, arguments.force_exclude, stdin,
                       project_context=not arguments.no_project_context)
    workspace, discovered = scope.workspace, scope.discovered
    for missing in discovered.missing:
        print(f"steplint: error: {missing}: no such file or directory", file=sys.stderr)
    for warning in scope.warnings:
        print(f"steplint: warning: {warning}", file=sys.stderr)
    engine = _make_engine(config, rules, arguments)

    report_paths = scope.report_paths
    if arguments.add_suppressions:
        from steplint.fixing.adoption import add_suppressions_to_files

        result = engine.check(workspace, report_paths=report_paths)
        code = add_suppressions_to_files(workspace, result.findings)
        return _exit(result, discovered, code)

    if isinstance(stdin, SourceFile) and (arguments.fix or arguments.diff):
        outcome = fix_workspace(engine, workspace, allowed_applicabilities(arguments.unsafe_fixes), report_paths)
        fixed_text = outcome.workspace.sources[stdin.display].text
        if arguments.diff:
            sys.stdout.writelines(difflib.unified_diff(
                stdin.text.splitlines(keepends=True), fixed_text.splitlines(keepends=True),
                fromfile=f"a/{stdin.display}", tofile=f"b/{stdin.display}"))
        else:
            sys.stdout.write(fixed_text)
        return _exit(outcome.result, discovered, EXIT_FINDINGS if outcome.result.findings else EXIT_CLEAN)

    if arguments.fix or arguments.diff:
        outcome = fix_workspace(engine, workspace, allowed_applicabilities(arguments.unsafe_fixes), report_paths)
        result = outcome.result
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
        for warning in write_warnings:
            print(f"steplint: warning: {warning}", file=sys.stderr)
        for error in write_errors:
            print(f"steplint: error: {error}", file=sys.stderr)
        if write_errors:  # report what is on disk, never the unwritten fixes
            scope = load_scope(arguments.paths, config, arguments.force_exclude,
                               project_context=not arguments.no_project_context)
            result = engine.check(scope.workspace, report_paths=scope.report_paths)
            _report(result.findings, arguments, engine, scope.workspace)
            return _exit(result, discovered, EXIT_ERROR)
        if outcome.fixed:
            print(f"Fixed {outcome.fixed} finding{'s' if outcome.fixed != 1 else ''} "
                  f"in {len(outcome.changed)} file{'s' if len(outcome.changed) != 1 else ''}.")
        report_failed = not _report(result.findings, arguments, engine, outcome.workspace)
        code = EXIT_FINDINGS if result.findings and not arguments.exit_zero else EXIT_CLEAN
        return _exit(result, discovered, EXIT_ERROR if report_failed else code)

    result = engine.check(workspace, report_paths=report_paths)
    if not _report(result.findings, arguments, engine, workspace):
        return _exit(result, discovered, EXIT_ERROR)
    return _exit(result, discovered, EXIT_FINDINGS if result.findings and not arguments.exit_zero else EXIT_CLEAN)


def _report(findings, arguments, engine, workspace) -> bool:
    """Write the report to stdout or ``--output-file``; False when the file cannot be written."""
    if arguments.statistics:
        text = format_statistics(findings)
    else:
        context = ReportContext({display: source.text for display, source in workspace.sources.items()},
                                tuple(engine.rules), arguments.show_source)
        text = REPORTERS[arguments.format](findings, arguments.unsafe_fixes, context)
    if arguments.output_file is None:
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
