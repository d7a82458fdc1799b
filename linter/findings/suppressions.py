"""``# steplint: ignore[CODE]`` comments.

``ignore[...]`` on a finding's first line, or alone on the line directly above it,
suppresses those codes there; ``ignore-file[...]`` anywhere suppresses them in the whole
file; without ``[...]`` every code is suppressed. Usage is recorded so unused
suppressions can be reported.
"""

from __future__ import annotations

import io
import re
import tokenize
from dataclasses import dataclass, field

from steplint.model.values import Span

_HASH_COMMENT = re.compile(r"(?:^|\s)(#.*)$")
DIRECTIVE = re.compile(r"#\s*steplint:\s*(ignore-file|ignore)\b(?:\[([A-Za-z0-9_,\s]*)\])?")


@dataclass
class Suppression:
    """One directive: where it is, what it covers (None = every code) and what it suppressed."""

    kind: str
    codes: frozenset | None
    line: int
    col: int
    applies_to: frozenset
    used: set = field(default_factory=set)

    @property
    def span(self) -> Span:
        return Span(self.line, self.col, self.line, self.col)

    def covers(self, code: str, line: int) -> bool:
        if self.codes is not None and not any(code.startswith(c) for c in self.codes):
            return False
        return self.kind == "ignore-file" or line in self.applies_to


def _comments(text: str, python: bool = True):
    """(line, col, comment, physical line) of each comment: Python's tokens, or for other
    forms (YAML), a ``#`` at the start of a line or after whitespace (YAML's comment rule)."""
    if not python:
        for number, line in enumerate(text.splitlines(), start=1):
            match = _HASH_COMMENT.search(line)
            if match is not None:
                yield number, match.start(1), line[match.start(1):], line
        return
    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            if token.type == tokenize.COMMENT:
                yield token.start[0], token.start[1], token.string, token.line
    except (tokenize.TokenError, SyntaxError):
        for number, line in enumerate(text.splitlines(), start=1):
            position = line.find("#")
            if position >= 0:
                yield number, position, line[position:], line


def parse_suppressions(text: str, python: bool = True) -> list[Suppression]:
    """Every directive in ``text`` (cheap when the file has none); ``python`` False for files
    of another form, whose comments are found by YAML's rule."""
    if "steplint:" not in text:
        return []
    found = []
    for line, col, comment, physical in _comments(text, python):
        match = DIRECTIVE.search(comment)
        if match is None:
            continue
        kind, codes = match.group(1), match.group(2)
        code_set = None
        if codes is not None:
            code_set = frozenset(code.strip().upper() for code in codes.split(",") if code.strip()) or None
        own_line = physical[:col].strip() == ""
        applies = frozenset({line, line + 1}) if own_line else frozenset({line})
        found.append(Suppression(kind, code_set, line, col, applies))
    return found


def is_suppressed(suppressions: list[Suppression], code: str, line: int) -> bool:
    """True when a directive covers ``code`` at ``line``; marks the directive as used."""
    hit = False
    for suppression in suppressions:
        if suppression.covers(code, line):
            suppression.used.add(code)
            hit = True
    return hit
