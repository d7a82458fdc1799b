"""``--add-suppressions``: a ``# steplint: ignore[CODE]`` comment for every current finding,
so a team can adopt steplint in a code base that already has findings and fix them later.

The directive goes at the end of the finding's line, merged into a steplint directive that
is already there. When the line ends inside a multi-line string, it goes alone on a new line
above (only possible when the string starts on the finding's line); otherwise the finding is
skipped. Every byte outside the inserted text is kept; the result must still parse.
"""

from __future__ import annotations

import ast
import io
import tokenize
from dataclasses import dataclass, field

from steplint.findings.suppressions import DIRECTIVE, parse_suppressions
from steplint.readers import is_python

NOT_SUPPRESSIBLE = frozenset({"SL901", "SL902", "SL903"})  # unparseable files; stale directives are removed instead


@dataclass
class Added:
    """The new text of one file, how many lines got a directive, and lines that could not."""

    text: str
    added: int = 0
    skipped: list = field(default_factory=list)


def _lines_ending_in_strings(text: str) -> set:
    """Lines whose line break is inside a string (or after a backslash continuation)."""
    inside: set = set()
    string_types = {tokenize.STRING} | {getattr(tokenize, name) for name in ("FSTRING_MIDDLE",)
                                        if hasattr(tokenize, name)}
    for token in tokenize.generate_tokens(io.StringIO(text).readline):
        if token.type in string_types and token.end[0] > token.start[0]:
            inside.update(range(token.start[0], token.end[0]))
    for number, line in enumerate(text.splitlines(), start=1):
        if line.rstrip().endswith("\\"):
            inside.add(number)
    return inside


def _line_offsets(text: str) -> list:
    """(start, content end) of every line, content end before ``\\r\\n``/``\\n``."""
    offsets = []
    start = 0
    for line in text.splitlines(keepends=True):
        content = line.rstrip("\r\n")
        offsets.append((start, start + len(content)))
        start += len(line)
    return offsets


def _directive(codes) -> str:
    return f"# steplint: ignore[{', '.join(sorted(codes))}]"


def add_suppressions(text: str, codes_by_line: dict) -> Added:
    """Insert directives for ``{line: {code, ...}}`` into ``text``."""
    try:
        ending_in_strings = _lines_ending_in_strings(text)
    except (tokenize.TokenError, SyntaxError):
        return Added(text, skipped=sorted(codes_by_line))
    offsets = _line_offsets(text)
    existing = {s.line: s for s in parse_suppressions(text) if s.kind == "ignore"}
    newline = "\r\n" if "\r\n" in text else "\n"
    result = Added(text)
    for line in sorted(codes_by_line, reverse=True):  # bottom up: earlier offsets stay valid
        codes = set(codes_by_line[line]) - NOT_SUPPRESSIBLE
        if not codes or line > len(offsets):
            continue
        start, end = offsets[line - 1]
        physical = text[start:end]
        candidate = None
        if line in existing:
            candidate = _merged(text, start, end, existing[line], codes)
        elif line not in ending_in_strings:
            candidate = text[:end] + "  " + _directive(codes) + text[end:]
        elif line - 1 not in ending_in_strings:
            above = existing.get(line - 1)
            if above is not None and above.applies_to >= {line}:
                candidate = _merged(text, *offsets[line - 2], above, codes)
            else:
                indent = physical[:len(physical) - len(physical.lstrip())]
                candidate = text[:start] + indent + _directive(codes) + newline + text[start:]
        if candidate is None or not _parses(candidate):
            result.skipped.append(line)
            continue
        text = candidate
        result.added += 1
    result.text = text
    return result


def _merged(text: str, start: int, end: int, suppression, codes: set) -> str | None:
    """``text`` with ``codes`` added to the directive on the line ``start``..``end``."""
    if suppression.codes is None:
        return None  # a bare directive already covers every code
    match = DIRECTIVE.search(text[start:end], suppression.col)
    if match is None:
        return None
    merged = _directive(set(suppression.codes) | codes)
    return text[:start + match.start()] + merged + text[start + match.end():]


def _parses(text: str) -> bool:
    try:
        ast.parse(text)
    except (SyntaxError, ValueError):
        return False
    return True


def add_suppressions_to_files(workspace, findings) -> int:
    """Write directives for ``findings`` into their files; print what was done. The exit code:
    0 when every finding got a directive, 1 when some could not, 2 when a write failed."""
    import sys

    from steplint.fixing.fixer import WriteError, write_atomically

    by_file: dict = {}
    for finding in findings:
        if finding.code not in NOT_SUPPRESSIBLE:
            by_file.setdefault(finding.path, {}).setdefault(finding.line, set()).add(finding.code)
    added = files = 0
    code = 0
    for display, codes_by_line in sorted(by_file.items()):
        source = workspace.sources.get(display)
        if source is None:
            continue
        if not is_python(display):  # a comment inside a YAML block scalar would change its value
            for line in sorted(codes_by_line):
                print(f"steplint: warning: {display}:{line}: suppression comments are added to Python files "
                      f"only; add `# steplint: ignore[...]` here by hand", file=sys.stderr)
            code = max(code, 1)
            continue
        outcome = add_suppressions(source.text, codes_by_line)
        for line in outcome.skipped:
            print(f"steplint: warning: {display}:{line}: no place for a suppression comment "
                  f"(the line ends inside a string); suppress or fix it by hand", file=sys.stderr)
            code = max(code, 1)
        if outcome.text == source.text:
            continue
        try:
            write_atomically(source.path, source.with_text(outcome.text).encoded(), source.encoded())
        except (WriteError, UnicodeEncodeError) as error:
            print(f"steplint: error: {error}", file=sys.stderr)
            code = 2
            continue
        added += outcome.added
        files += 1
    print(f"Added {added} suppression comment{'s' if added != 1 else ''} in {files} file{'s' if files != 1 else ''}.")
    return code
