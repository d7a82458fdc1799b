"""Reporters: findings to text. They only format; they decide nothing.

Every reporter is ``(findings, unsafe_enabled=False, context=None) -> str``; the optional
``ReportContext`` carries what some formats need besides the findings: the sources (for
``--show-source`` and SARIF fix regions) and the rules (SARIF rule metadata).
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field

from steplint import __version__
from steplint.findings.finding import Applicability, Finding


@dataclass(frozen=True)
class ReportContext:
    """Extra input for reporters: source texts by display path, the run's rules, options."""

    sources: dict = field(default_factory=dict)
    rules: tuple = ()
    show_source: bool = False

FIX_MARKERS = {Applicability.SAFE: "fix", Applicability.UNSAFE: "unsafe fix"}


def _fix_note(finding: Finding) -> str:
    if finding.fix is None:
        return ""
    return f" [{FIX_MARKERS[finding.fix.applicability]}: {finding.fix.description}]"


def summary(findings, unsafe_enabled: bool) -> str:
    fixable = sum(1 for f in findings if f.fix is not None and f.fix.applicability is Applicability.SAFE)
    unsafe = sum(1 for f in findings if f.fix is not None and f.fix.applicability is Applicability.UNSAFE)
    if unsafe_enabled:
        fixable += unsafe
    noun = "finding" if len(findings) == 1 else "findings"
    text = f"{len(findings)} {noun} ({fixable} fixable)"
    if unsafe and not unsafe_enabled:
        text += f"; {unsafe} more fixable with --unsafe-fixes"
    return text


def format_text(findings, unsafe_enabled: bool = False, context: ReportContext | None = None) -> str:
    lines = []
    for f in findings:
        lines.append(f"{f.path}:{f.line}:{f.column}: {f.code} {f.name}: {f.message}{_fix_note(f)}")
        if context is not None and context.show_source:
            lines.extend(_source_excerpt(f, context.sources.get(f.path)))
    lines.append(summary(findings, unsafe_enabled))
    return "\n".join(lines) + "\n"


def _source_excerpt(finding: Finding, text: str | None) -> list:
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
    return [f"  {gutter}{line}", f"  {' ' * (len(gutter) - 2)}| {' ' * finding.span.col}{'^' * width}"]


def format_statistics(findings) -> str:
    """Counts per rule, most frequent first, as ``--statistics`` prints them."""
    counts = Counter((f.code, f.name) for f in findings)
    fixable = Counter((f.code, f.name) for f in findings if f.fix is not None)
    lines = [f"{count:>5}  {code:<6} {name}{'  [*]' if fixable[(code, name)] else ''}"
             for (code, name), count in sorted(counts.items(), key=lambda item: (-item[1], item[0]))]
    return "\n".join(lines) + ("\n" if lines else "")


def finding_to_dict(finding: Finding) -> dict:
    fix = None
    if finding.fix is not None:
        fix = {
            "applicability": finding.fix.applicability.value,
            "message": finding.fix.description,
            "edits": [{"filename": e.path, "start": e.start, "end": e.end, "content": e.replacement}
                      for e in finding.fix.edits],
        }
    return {
        "code": finding.code,
        "name": finding.name,
        "message": finding.message,
        "severity": finding.severity.value,
        "filename": finding.path,
        "location": {"row": finding.line, "column": finding.column},
        "end_location": {"row": finding.span.end_line, "column": finding.span.end_col + 1},
        "fix": fix,
        "related": list(finding.related_paths),
    }


def format_json(findings, unsafe_enabled: bool = False, context: ReportContext | None = None) -> str:
    return json.dumps([finding_to_dict(f) for f in findings], indent=2) + "\n"


def _github_escape(value: str, is_property: bool = False) -> str:
    value = value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if is_property:
        value = value.replace(":", "%3A").replace(",", "%2C")
    return value


def format_github(findings, unsafe_enabled: bool = False, context: ReportContext | None = None) -> str:
    """GitHub Actions workflow commands: one ``::error``/``::warning`` annotation per finding."""
    lines = []
    for f in findings:
        level = "error" if f.severity.value == "error" else "warning"
        properties = (f"file={_github_escape(f.path, True)},line={f.line},col={f.column},"
                      f"endLine={f.span.end_line},endColumn={f.span.end_col + 1},"
                      f"title={_github_escape(f'{f.code} {f.name}', True)}")
        lines.append(f"::{level} {properties}::{_github_escape(f'{f.code} {f.message}{_fix_note(f)}')}")
    return "".join(line + "\n" for line in lines)


def format_junit(findings, unsafe_enabled: bool = False, context: ReportContext | None = None) -> str:
    """JUnit XML: a test suite per file, a failing test case per finding."""
    from xml.sax.saxutils import (  # imports urllib; only this format needs it
        escape,
        quoteattr,
    )

    by_file: dict = {}
    for f in findings:
        by_file.setdefault(f.path, []).append(f)
    parts = ['<?xml version="1.0" encoding="UTF-8"?>',
             f'<testsuites name="steplint" tests="{len(findings)}" failures="{len(findings)}">']
    for path, file_findings in sorted(by_file.items()):
        parts.append(f'  <testsuite name={quoteattr(path)} tests="{len(file_findings)}" '
                     f'failures="{len(file_findings)}">')
        for f in file_findings:
            parts.append(f'    <testcase name={quoteattr(f"{f.code} {f.name} at {f.path}:{f.line}:{f.column}")} '
                         f'classname={quoteattr(f.path)} file={quoteattr(f.path)} line="{f.line}">')
            parts.append(f'      <failure type={quoteattr(f.code)} message={quoteattr(f.message)}>'
                         f'{escape(f"{f.path}:{f.line}:{f.column}: {f.code} {f.message}")}</failure>')
            parts.append("    </testcase>")
        parts.append("  </testsuite>")
    if not findings:
        parts.append('  <testsuite name="steplint" tests="0" failures="0"/>')
    parts.append("</testsuites>")
    return "\n".join(parts) + "\n"


SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"


def _sarif_rule(rule) -> dict:
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": rule.rationale},
        "help": {"text": f"{rule.summary} {rule.rationale} Run `steplint rule {rule.code}` for examples."},
        "defaultConfiguration": {"level": "error" if rule.severity.value == "error" else "warning"},
        "properties": {"fix": rule.fix_applicability.value},
    }


def _sarif_region(finding: Finding) -> dict:
    return {"startLine": finding.line, "startColumn": finding.column,
            "endLine": finding.span.end_line, "endColumn": finding.span.end_col + 1}


def _sarif_fix(finding: Finding) -> dict:
    changes: dict = {}
    for edit in finding.fix.edits:
        changes.setdefault(edit.path, []).append({
            "deletedRegion": {"charOffset": edit.start, "charLength": edit.end - edit.start},
            "insertedContent": {"text": edit.replacement},
        })
    return {
        "description": {"text": finding.fix.description},
        "artifactChanges": [{"artifactLocation": {"uri": path, "uriBaseId": "%SRCROOT%"}, "replacements": replacements}
                            for path, replacements in sorted(changes.items())],
        "properties": {"applicability": finding.fix.applicability.value},
    }


def format_sarif(findings, unsafe_enabled: bool = False, context: ReportContext | None = None) -> str:
    """A SARIF 2.1.0 log: the rules as the driver's reporting descriptors, one result per
    finding, fixes as artifact changes (character offsets into the file's text)."""
    rules = list(context.rules) if context is not None and context.rules else []
    known = {rule.code for rule in rules}
    index = {rule.code: position for position, rule in enumerate(rules)}
    results = []
    for f in findings:
        result = {
            "ruleId": f.code,
            "level": "error" if f.severity.value == "error" else "warning",
            "message": {"text": f.message},
            "locations": [{"physicalLocation": {"artifactLocation": {"uri": f.path, "uriBaseId": "%SRCROOT%"},
                                                "region": _sarif_region(f)}}],
        }
        if f.code in known:
            result["ruleIndex"] = index[f.code]
        if f.related_paths:
            result["relatedLocations"] = [
                {"id": number, "physicalLocation": {"artifactLocation": {"uri": path, "uriBaseId": "%SRCROOT%"}}}
                for number, path in enumerate(f.related_paths)]
        if f.fix is not None:
            result["fixes"] = [_sarif_fix(f)]
        results.append(result)
    log = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "steplint", "version": __version__, "semanticVersion": __version__,
                                "rules": [_sarif_rule(rule) for rule in rules]}},
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    }
    return json.dumps(log, indent=2) + "\n"


REPORTERS = {"text": format_text, "json": format_json, "sarif": format_sarif, "github": format_github,
             "junit": format_junit}
