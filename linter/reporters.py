"""Reporters: findings to text. They only format; they decide nothing."""

from __future__ import annotations

import json

from steplint.rule import Applicability, Finding

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


def format_text(findings, unsafe_enabled: bool = False) -> str:
    lines = [f"{f.path}:{f.line}:{f.column}: {f.code} {f.name}: {f.message}{_fix_note(f)}" for f in findings]
    lines.append(summary(findings, unsafe_enabled))
    return "\n".join(lines) + "\n"


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


def format_json(findings, unsafe_enabled: bool = False) -> str:
    return json.dumps([finding_to_dict(f) for f in findings], indent=2) + "\n"


REPORTERS = {"text": format_text, "json": format_json}
