"""The command line: wires options to the engine, fixer and reporters.

Exit codes: 0 no findings, 1 findings remain (also after --fix) or --diff has changes,
2 usage, configuration or internal error.
"""

from __future__ import annotations

import argparse
import difflib
import os
import sys
from pathlib import Path

from steplint import __version__
from steplint.api import configure, load_workspace
from steplint.config import ConfigError
from steplint.engine import Engine
from steplint.fixer import allowed_applicabilities, fix_workspace, write_changes
from steplint.reporters import REPORTERS

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
    parser.add_argument("--version", action="version", version=f"steplint {__version__}")
    return parser


def _codes(value: str | None) -> list | None:
    if value is None:
        return None
    return [code.strip().upper() if code.strip() != "ALL" else "ALL" for code in value.split(",") if code.strip()]


def main(argv=None) -> int:
    """Run the command line; Ctrl-C and a closed output pipe end it with a message, not a traceback."""
    try:
        return _main(argv)
    except KeyboardInterrupt:
        print("steplint: interrupted; files already fixed were written whole, the others are unchanged",
              file=sys.stderr)
        return 130
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no second error at exit
        return EXIT_ERROR


def _main(argv=None) -> int:
    from steplint.rules import all_rules

    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] in ("rule", "rules"):
        from steplint.docs_cli import main as docs_main

        return docs_main(argv)
    arguments = build_parser().parse_args(argv)
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

    workspace, discovered = load_workspace(arguments.paths, config)
    for missing in discovered.missing:
        print(f"steplint: error: {missing}: no such file or directory", file=sys.stderr)
    engine = Engine(config, rules)

    if arguments.fix or arguments.diff:
        outcome = fix_workspace(engine, workspace, allowed_applicabilities(arguments.unsafe_fixes))
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
        write_errors = write_changes(workspace, outcome)
        for error in write_errors:
            print(f"steplint: error: {error}", file=sys.stderr)
        write_failed = bool(write_errors)
        if outcome.fixed:
            print(f"Fixed {outcome.fixed} finding{'s' if outcome.fixed != 1 else ''} "
                  f"in {len(outcome.changed)} file{'s' if len(outcome.changed) != 1 else ''}.")
        _report(result.findings, arguments)
        code = EXIT_FINDINGS if result.findings else EXIT_CLEAN
        return _exit(result, discovered, EXIT_ERROR if write_failed else code)

    result = engine.check(workspace)
    _report(result.findings, arguments)
    return _exit(result, discovered, EXIT_FINDINGS if result.findings else EXIT_CLEAN)


def _report(findings, arguments) -> None:
    sys.stdout.write(REPORTERS[arguments.format](findings, arguments.unsafe_fixes))


def _exit(result, discovered, code: int) -> int:
    for error in result.internal_errors:
        print(f"steplint: internal error: {error}", file=sys.stderr)
    if result.internal_errors or discovered.missing:
        return EXIT_ERROR
    return code
