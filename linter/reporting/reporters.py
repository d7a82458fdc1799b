"""Reporters: findings to text. They only format; they decide nothing.

Every reporter is ``(findings, unsafe_enabled=False, context=None) -> str``; the optional
``ReportContext`` carries what some formats need besides the findings: the sources (source
lines, fix positions), the rules (rationale, SARIF rule metadata), the files checked
(JUnit), where the repository is (SARIF and GitLab paths) and how the text formats look
(colour, quiet, source lines). ``REPORTERS`` maps each ``--output-format`` name to its
reporter, ``STATISTICS`` each format that has a ``--statistics`` form to that.

Formats: ``text`` (``concise``), one line per finding and a summary; ``full``, each finding
with its source line and the rule's rationale; ``json`` (schema:
``steplint.reporting.json_schema``); ``sarif`` (SARIF 2.1.0); ``github`` (workflow
commands); ``gitlab`` (GitLab Code Quality); ``junit`` (JUnit XML).
"""

from __future__ import annotations

import json
import os
import textwrap
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from steplint import __version__
from steplint.findings.finding import Applicability, Finding
from steplint.reporting.links import REPOSITORY_URL, rule_url


@dataclass(frozen=True)
class ReportContext:
    """Extra input for reporters.

    ``sources``: display path -> decoded text. ``rules``: the run's rules. ``checked``: the
    display paths the run reported on (JUnit's passing cases). ``source_root``: the
    repository's top as an absolute path (SARIF's ``%SRCROOT%``, GitLab's paths), None for
    paths as displayed; ``working_directory``: the absolute directory display paths are
    relative to. ``show_source``, ``color`` and ``quiet`` shape the text formats."""

    sources: dict = field(default_factory=dict)
    rules: Sequence = ()  # the run's rules, any sequence (the command line's is made on first use)
    show_source: bool = False
    color: bool = False
    quiet: bool = False
    checked: tuple = ()
    source_root: str | None = None
    working_directory: str = ""


FIX_MARKERS = {Applicability.SAFE: "fix", Applicability.UNSAFE: "unsafe fix"}
_STYLES = {"bold": "1", "red": "1;31", "yellow": "1;33", "cyan": "36", "dim": "2"}


def _style(text: str, style: str, context: ReportContext | None) -> str:
    if context is None or not context.color or not text:
        return text
    return f"\x1b[{_STYLES[style]}m{text}\x1b[0m"


def _fix_note(finding: Finding, context: ReportContext | None = None) -> str:
    if finding.fix is None:
        return ""
    return " " + _style(f"[{FIX_MARKERS[finding.fix.applicability]}: {finding.fix.description}]", "cyan", context)


def _applies(finding: Finding, unsafe_enabled: bool) -> bool:
    """Whether ``--fix`` (with ``--unsafe-fixes`` when enabled) would apply the finding's fix."""
    fix = finding.fix
    return fix is not None and (fix.applicability is Applicability.SAFE
                                or (unsafe_enabled and fix.applicability is Applicability.UNSAFE))


def summary(findings, unsafe_enabled: bool) -> str:
    fixable = sum(1 for f in findings if _applies(f, unsafe_enabled))
    unsafe = sum(1 for f in findings if f.fix is not None and f.fix.applicability is Applicability.UNSAFE)
    noun = "finding" if len(findings) == 1 else "findings"
    text = f"{len(findings)} {noun} ({fixable} fixable)"
    if unsafe and not unsafe_enabled:
        text += f"; {unsafe} more fixable with --unsafe-fixes"
    return text


def format_fix_summary(applied, files_changed: int, itemized: bool = False) -> str:
    """``Fixed N findings in M files.``; ``itemized`` (``--show-fixes``) lists them under it,
    per file of the finding: ``    2 × SL101 (redundant-dependency)``."""
    count = len(applied)
    head = (f"Fixed {count} finding{'s' if count != 1 else ''} "
            f"in {files_changed} file{'s' if files_changed != 1 else ''}")
    if not itemized:
        return head + ".\n"
    by_file: dict = {}
    for finding in applied:
        by_file.setdefault(finding.path, Counter())[(finding.code, finding.name)] += 1
    lines = [head + ":"]
    for path in sorted(by_file):
        lines.append(f"- {path}:")
        lines += [f"    {number} × {code} ({name})" for (code, name), number in sorted(by_file[path].items())]
    return "".join(line + "\n" for line in lines)


def _headline(f: Finding, context: ReportContext | None) -> str:
    level = "red" if f.severity.value == "error" else "yellow"
    return (f"{_style(f.path, 'bold', context)}:{f.line}:{f.column}: {_style(f.code, level, context)} "
            f"{f.name}: {f.message}{_fix_note(f, context)}")


def format_text(findings, unsafe_enabled: bool = False, context: ReportContext | None = None) -> str:
    """One line per finding (``path:line:col: CODE name: message [fix: ...]``), then a
    summary; ``show_source`` adds each finding's line, ``quiet`` drops the summary."""
    lines = []
    for f in findings:
        lines.append(_headline(f, context))
        if context is not None and context.show_source:
            lines.extend(_source_excerpt(f, context.sources.get(f.path), context))
    if context is None or not context.quiet:
        lines.append(_style(summary(findings, unsafe_enabled), "bold", context))
    return "".join(line + "\n" for line in lines)


def format_full(findings, unsafe_enabled: bool = False, context: ReportContext | None = None) -> str:
    """Each finding as in ``text``, then its source line with a caret, the finding's help
    (what follows and what to do), why the rule matters (at the rule's first finding; later
    ones point back to it) and where it is documented, and a blank line; then the summary
    (unless ``quiet``)."""
    context = context or ReportContext()
    rules = {rule.code: rule for rule in context.rules}
    explained: set = set()
    lines = []
    for f in findings:
        lines.append(_headline(f, context))
        lines.extend(_source_excerpt(f, context.sources.get(f.path), context))
        if f.help:
            lines.extend(textwrap.wrap(f.help, width=88, initial_indent="  = help: ",
                                       subsequent_indent="          ", break_on_hyphens=False))
        rule = rules.pop(f.code, None)  # a rule's rationale once, at its first finding
        if rule is not None:
            lines.extend(textwrap.wrap(rule.rationale, width=88, initial_indent="  = why: ",
                                       subsequent_indent="         ", break_on_hyphens=False))
        elif f.code in explained:
            lines.append(f"  = why: as for the first {f.code} finding above")
        explained.add(f.code)
        lines.append(f"  = docs: steplint rule {f.code}")
        lines.append("")
    if not context.quiet:
        lines.append(_style(summary(findings, unsafe_enabled), "bold", context))
    return "".join(line + "\n" for line in lines)


def _source_excerpt(finding: Finding, text: str | None, context: ReportContext | None = None) -> list:
    """The finding's line with a caret under its column (nothing when the line is unknown)."""
    if text is None:
        return []
    source_lines = text.splitlines()
    if not 1 <= finding.line <= len(source_lines):
        return []
    line = source_lines[finding.line - 1].expandtabs(1)
    gutter = f"{finding.line} | "
    width = 1
    if finding.span.end_line == finding.line:
        width = max(1, min(finding.span.end_col, len(line)) - finding.span.col)
    caret = _style("^" * width, "red" if finding.severity.value == "error" else "yellow", context)
    return [f"  {_style(gutter, 'dim', context)}{line}",
            f"  {' ' * (len(gutter) - 2)}{_style('|', 'dim', context)} {' ' * finding.span.col}{caret}"]


def _statistics_rows(findings, unsafe_enabled: bool) -> list:
    """``(count, code, name, fixable, best fix)`` per rule, most frequent first."""
    rows: dict = {}
    for f in findings:
        count, fixable, best = rows.get((f.code, f.name), (0, False, "none"))
        if f.fix is not None and (best == "none" or f.fix.applicability is Applicability.SAFE):
            best = f.fix.applicability.value
        rows[(f.code, f.name)] = (count + 1, fixable or _applies(f, unsafe_enabled), best)
    return [(count, code, name, fixable, best)
            for (code, name), (count, fixable, best) in sorted(rows.items(), key=lambda item: (-item[1][0], item[0]))]


def format_statistics(findings, unsafe_enabled: bool = False, context: ReportContext | None = None) -> str:
    """Counts per rule, most frequent first: ``[*]`` when ``--fix`` fixes some of them as the
    run was asked (safe fixes; unsafe ones too with ``--unsafe-fixes``), ``[-]`` when only
    ``--unsafe-fixes`` would."""
    lines = []
    for count, code, name, fixable, best in _statistics_rows(findings, unsafe_enabled):
        marker = "  [*]" if fixable else "  [-]" if best != "none" else ""
        lines.append(f"{count:>5}  {code:<6} {name}{marker}")
    return "".join(line + "\n" for line in lines)


def format_statistics_json(findings, unsafe_enabled: bool = False, context: ReportContext | None = None) -> str:
    """Counts per rule as JSON: ``[{"code", "name", "count", "fixable", "fix"}]``, where
    ``fixable`` is ``[*]`` and ``fix`` the best fix any of them has (safe, unsafe, none)."""
    return json.dumps([{"code": code, "name": name, "count": count, "fixable": fixable, "fix": best}
                       for count, code, name, fixable, best in _statistics_rows(findings, unsafe_enabled)],
                      indent=2) + "\n"


def _position(text: str | None, offset: int) -> dict | None:
    """``{"row", "column"}`` (1-based, code points) of an offset into ``text``."""
    if text is None or not 0 <= offset <= len(text):
        return None
    row = text.count("\n", 0, offset) + 1
    return {"row": row, "column": offset - (text.rfind("\n", 0, offset) + 1) + 1}


def finding_to_dict(finding: Finding, context: ReportContext | None = None) -> dict:
    """A finding as ``--output-format json`` writes it (``steplint.reporting.json_schema``)."""
    sources = context.sources if context is not None else {}
    fix = None
    if finding.fix is not None:
        fix = {
            "applicability": finding.fix.applicability.value,
            "message": finding.fix.description,
            "edits": [{"filename": e.path, "start": e.start, "end": e.end, "content": e.replacement,
                       "location": _position(sources.get(e.path), e.start),
                       "end_location": _position(sources.get(e.path), e.end)}
                      for e in finding.fix.edits],
        }
    return {
        "code": finding.code,
        "name": finding.name,
        "message": finding.message,
        "help": finding.help or None,
        "severity": finding.severity.value,
        "filename": finding.path,
        "location": {"row": finding.line, "column": finding.column},
        "end_location": {"row": finding.span.end_line, "column": finding.span.end_col + 1},
        "fix": fix,
        "related": list(finding.related_paths),
        "url": rule_url(finding.code, finding.name),
    }


def format_json(findings, unsafe_enabled: bool = False, context: ReportContext | None = None) -> str:
    return json.dumps([finding_to_dict(f, context) for f in findings], indent=2) + "\n"


def repository_path(display: str, context: ReportContext | None) -> str | None:
    """``display`` relative to the context's ``source_root`` (POSIX separators); None when
    there is no root or the file is not below it."""
    if context is None or context.source_root is None:
        return None
    absolute = os.path.normpath(os.path.join(context.working_directory, display))
    root = context.source_root.rstrip(os.sep)
    if not absolute.startswith(root + os.sep):
        return None
    return absolute[len(root) + 1:].replace(os.sep, "/")


def _report_path(display: str, context: ReportContext | None) -> str:
    """Where a file is for a CI system: below the repository's top when it is, else as shown."""
    return repository_path(display, context) or display


def _github_escape(value: str, is_property: bool = False) -> str:
    value = value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if is_property:
        value = value.replace(":", "%3A").replace(",", "%2C")
    return value


def format_github(findings, unsafe_enabled: bool = False, context: ReportContext | None = None) -> str:
    """GitHub Actions workflow commands: one ``::error``/``::warning`` annotation per finding,
    the file relative to the repository's top (where GitHub looks for it)."""
    lines = []
    for f in findings:
        level = "error" if f.severity.value == "error" else "warning"
        properties = (f"file={_github_escape(_report_path(f.path, context), True)},line={f.line},col={f.column},"
                      f"endLine={f.span.end_line},endColumn={f.span.end_col + 1},"
                      f"title={_github_escape(f'{f.code} {f.name}', True)}")
        text = f"{f.code} {f.message}{_fix_note(f)}" + (f"\n{f.help}" if f.help else "")
        lines.append(f"::{level} {properties}::{_github_escape(text)}")
    return "".join(line + "\n" for line in lines)


GITLAB_SEVERITIES = {"error": "major", "warning": "minor"}


def format_gitlab(findings, unsafe_enabled: bool = False, context: ReportContext | None = None) -> str:
    """GitLab Code Quality: a JSON array of issues with ``description``, ``check_name``,
    ``fingerprint``, ``severity`` and ``location`` (``path`` from the repository's top,
    ``lines.begin``/``end``). The fingerprint is a digest of the code, path and message, and
    how many identical findings came before in the file, so it stays the same from run to
    run while the finding does, even when lines move."""
    import hashlib

    seen: Counter = Counter()
    issues = []
    for f in findings:
        path = _report_path(f.path, context)
        identity = f"{f.code}\0{path}\0{f.message}"
        occurrence = seen[identity]
        seen[identity] += 1
        fingerprint = hashlib.sha256(f"{identity}\0{occurrence}".encode("utf-8", "surrogatepass")).hexdigest()
        issues.append({
            "description": f"{f.code} {f.name}: {f.message}",
            "check_name": f.code,
            "fingerprint": fingerprint,
            "severity": GITLAB_SEVERITIES[f.severity.value],
            "location": {"path": path, "lines": {"begin": f.line, "end": max(f.line, f.span.end_line)}},
            **({"content": {"body": f.help}} if f.help else {}),
        })
    return json.dumps(issues, indent=2) + "\n"


def format_junit(findings, unsafe_enabled: bool = False, context: ReportContext | None = None) -> str:
    """JUnit XML: a test suite per file, a failing test case per finding, and one passing
    test case for each checked file without findings (so a clean run has test cases: CI
    systems such as Jenkins fail a report with none); a run that checked no file has one
    passing case saying so."""
    from xml.sax.saxutils import (  # imports urllib; only this format needs it
        escape,
        quoteattr,
    )

    by_file: dict = {}
    for f in findings:
        by_file.setdefault(f.path, []).append(f)
    clean = sorted(set(context.checked if context is not None else ()) - set(by_file))
    total = len(findings) + len(clean) + (0 if findings or clean else 1)
    parts = ['<?xml version="1.0" encoding="UTF-8"?>',
             f'<testsuites name="steplint" tests="{total}" failures="{len(findings)}">']
    suites = [(path, by_file.get(path, [])) for path in sorted({*by_file, *clean})]
    for path, file_findings in suites:
        parts.append(f'  <testsuite name={quoteattr(path)} tests="{max(1, len(file_findings))}" '
                     f'failures="{len(file_findings)}">')
        for f in file_findings:
            parts.append(f'    <testcase name={quoteattr(f"{f.code} {f.name} at {f.path}:{f.line}:{f.column}")} '
                         f'classname={quoteattr(f.path)} file={quoteattr(f.path)} line="{f.line}">')
            parts.append(f'      <failure type={quoteattr(f.code)} message={quoteattr(f.message)}>'
                         f'{escape(f"{f.path}:{f.line}:{f.column}: {f.code} {f.message}" + (chr(10) + f.help if f.help else ""))}'
                         '</failure>')
            parts.append("    </testcase>")
        if not file_findings:
            parts.append(f'    <testcase name="steplint" classname={quoteattr(path)} file={quoteattr(path)}/>')
        parts.append("  </testsuite>")
    if not suites:
        parts.append('  <testsuite name="steplint" tests="1" failures="0">')
        parts.append('    <testcase name="no files to check" classname="steplint"/>')
        parts.append("  </testsuite>")
    parts.append("</testsuites>")
    return "\n".join(parts) + "\n"


SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SRCROOT = "%SRCROOT%"


def _sarif_rule(rule) -> dict:
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": rule.rationale},
        "help": {"text": f"{rule.summary} {rule.rationale} Run `steplint rule {rule.code}` for examples."},
        "helpUri": rule_url(rule.code, rule.name),
        "defaultConfiguration": {"level": "error" if rule.severity.value == "error" else "warning"},
        "properties": {"fix": rule.fix_applicability.value},
    }


def _sarif_region(finding: Finding) -> dict:
    return {"startLine": finding.line, "startColumn": finding.column,
            "endLine": finding.span.end_line, "endColumn": finding.span.end_col + 1}


def _file_uri(path: str, directory: bool = False) -> str:
    """The ``file:`` URI of an absolute path (percent-encoded; a directory's ends with ``/``)."""
    from pathlib import Path

    uri = Path(path).as_uri()
    return uri + "/" if directory and not uri.endswith("/") else uri


def _artifact(display: str, context: ReportContext | None) -> dict:
    """An ``artifactLocation``: relative to ``%SRCROOT%`` when the file is below the
    repository's top, else an absolute ``file:`` URI (or, without a context, as shown)."""
    from urllib.parse import quote

    relative = repository_path(display, context)
    if relative is not None:
        return {"uri": quote(relative), "uriBaseId": SRCROOT}
    if context is None:
        return {"uri": quote(display.replace(os.sep, "/"))}
    return {"uri": _file_uri(os.path.normpath(os.path.join(context.working_directory, display)))}


def _sarif_fix(finding: Finding, context: ReportContext | None) -> dict:
    changes: dict = {}
    for edit in finding.fix.edits:
        changes.setdefault(edit.path, []).append({
            "deletedRegion": {"charOffset": edit.start, "charLength": edit.end - edit.start},
            "insertedContent": {"text": edit.replacement},
        })
    return {
        "description": {"text": finding.fix.description},
        "artifactChanges": [{"artifactLocation": _artifact(path, context), "replacements": replacements}
                            for path, replacements in sorted(changes.items())],
        "properties": {"applicability": finding.fix.applicability.value},
    }


def format_sarif(findings, unsafe_enabled: bool = False, context: ReportContext | None = None) -> str:
    """A SARIF 2.1.0 log: the rules as the driver's reporting descriptors (with ``helpUri``),
    one result per finding, fixes as artifact changes (character offsets into the file's
    text). Files below the repository's top are relative to ``%SRCROOT%``, which
    ``originalUriBaseIds`` gives as that directory's ``file:`` URI."""
    rules = list(context.rules) if context is not None and context.rules else []
    known = {rule.code for rule in rules}
    index = {rule.code: position for position, rule in enumerate(rules)}
    results = []
    for f in findings:
        result = {
            "ruleId": f.code,
            "level": "error" if f.severity.value == "error" else "warning",
            "message": {"text": f"{f.message}\n{f.help}" if f.help else f.message},
            "locations": [{"physicalLocation": {"artifactLocation": _artifact(f.path, context),
                                                "region": _sarif_region(f)}}],
        }
        if f.code in known:
            result["ruleIndex"] = index[f.code]
        if f.related_paths:
            result["relatedLocations"] = [
                {"id": number, "physicalLocation": {"artifactLocation": _artifact(path, context)}}
                for number, path in enumerate(f.related_paths)]
        if f.fix is not None:
            result["fixes"] = [_sarif_fix(f, context)]
        results.append(result)
    run = {
        "tool": {"driver": {"name": "steplint", "version": __version__, "semanticVersion": __version__,
                            "informationUri": REPOSITORY_URL,
                            "rules": [_sarif_rule(rule) for rule in rules]}},
        "columnKind": "unicodeCodePoints",
        "results": results,
    }
    if context is not None and context.source_root is not None:
        run["originalUriBaseIds"] = {SRCROOT: {"uri": _file_uri(context.source_root, directory=True)}}
    log = {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}
    return json.dumps(log, indent=2) + "\n"


REPORTERS = {"text": format_text, "concise": format_text, "full": format_full, "json": format_json,
             "sarif": format_sarif, "github": format_github, "gitlab": format_gitlab, "junit": format_junit}
HUMAN_FORMATS = frozenset({"text", "concise", "full"})
STATISTICS = {"text": format_statistics, "concise": format_statistics, "full": format_statistics,
              "json": format_statistics_json}
