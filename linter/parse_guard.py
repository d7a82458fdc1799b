"""Checks made before LibCST sees a file: inputs that would crash or stall its parser.

LibCST's native parser overflows the C stack (a segmentation fault, which no ``except``
catches) on brackets nested a few thousand deep, and it is slow on very large files.
CPython itself refuses more than 200 nested brackets, so a file past that limit is not
valid Python anyway: it is confirmed with CPython's parser (which builds an AST and runs
nothing) and reported as a syntax error instead of being handed to LibCST.
"""

from __future__ import annotations

import ast
import re

MAX_PARSE_CHARS = 2_000_000
MAX_BRACKET_DEPTH = 200  # CPython's own limit (MAXLEVEL in its tokenizer)
_BRACKETS = re.compile(r"[\[\](){}]")
_OPENING = frozenset("([{")


def parse_obstacle(text: str) -> tuple[str, int, str] | None:
    """``(code, line, message)`` when ``text`` must not be parsed with LibCST, else None:
    SL902 for a file too large to check, SL901 for one CPython cannot parse either."""
    if len(text) > MAX_PARSE_CHARS:
        return "SL902", 1, (f"file has {len(text):,} characters, more than the {MAX_PARSE_CHARS:,} steplint parses "
                   "(generated code?); it is not checked: exclude it or split it")
    if _bracket_depth(text) <= MAX_BRACKET_DEPTH:
        return None
    try:
        ast.parse(text)
    except SyntaxError as error:
        return "SL901", error.lineno or 1, f"syntax error: {error.msg}"
    except (MemoryError, RecursionError):
        return "SL901", 1, "expressions nested too deeply to parse; the file is not checked"
    return None


def _bracket_depth(text: str) -> int:
    """The deepest bracket nesting, counting brackets inside strings and comments too (an
    over-estimate that only decides whether CPython's parser is asked first)."""
    depth = deepest = 0
    for match in _BRACKETS.finditer(text):
        if match.group() in _OPENING:
            depth += 1
            if depth > deepest:
                deepest = depth
        elif depth:
            depth -= 1
    return deepest
