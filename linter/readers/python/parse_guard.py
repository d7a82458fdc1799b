"""Checks made before LibCST sees a file: inputs that would crash or stall its parser, or
steplint's own passes over the tree.

LibCST's native parser overflows the C stack (a segmentation fault, which no ``except``
catches) on code nested a few thousand levels deep, its time grows with the square of a
chain's length (``a.b.b...``, ``f()()...``, ``1+1+...``: it copies the chain built so far at
each link), and steplint's positions pass recurses once per nesting level. So every file is
first parsed by CPython (``ast.parse`` builds a tree and runs nothing; it is fast and stops
by itself on code nested too deeply), then the tree is measured without recursion:

- **depth**: how deeply LibCST will nest the code. The AST shows most of it; what it hides
  is added: adjacent string literals (one ``Constant`` in the AST, a ``ConcatenatedString``
  per piece in LibCST), ``and``/``or`` chains (one ``BoolOp``, a ``BooleanOperation`` per
  operator), comprehensions' ``for`` clauses (one list, nested ``CompFor``) and dotted
  names in imports (a string, nested ``Attribute``).
- **work**: what parsing will cost, in units of one syntax node (13 to 65 µs of LibCST time
  each on a 2-CPU machine): the nodes, half a unit per line (LibCST makes nodes of line breaks, blank
  lines and comments), and for every node one unit per ten attribute, call or subscript
  links, and per eighty operator links, whose left-hand side holds it.

Code CPython rejects is a syntax error (``SL901``); code it accepts but that is nested too
deeply, or would take too long, for steplint is ``SL905 too-complex``; files over
``MAX_PARSE_CHARS`` are not handed to a parser at all (``SL902``). The thresholds below
say what they were measured against; ``python bench/run.py --adversarial`` times the inputs
they exist for.
"""

from __future__ import annotations

import ast
import io
import re
import tokenize
import warnings
from dataclasses import dataclass

from steplint.files.sources import FileProblem
from steplint.model.values import Span

MAX_PARSE_CHARS = 2_000_000
# Nesting levels steplint analyses. Its positions pass needs about two Python frames per
# LibCST level, so with Python's default recursion limit of 1,000 it stops near 490 levels
# when run from the command line; what still runs out of stack (code inside 200 nested
# brackets, which LibCST nests twice per bracket; a deeper caller) is reported as SL905.
# The deepest files measured: 32, 21 and 26 in sagemaker, botocore and libcst; 85 in pip's
# vendored idna tables; 257 in charmap codecs (Python's encodings, pip's webencodings:
# 256 adjacent literals). Past it: pydoc_data/topics.py (2,217 adjacent literals) and
# sympy's generated polynomial tables (567).
MAX_DEPTH = 400
# Units of parser work (see the module docstring) steplint spends on one file. The largest
# real files measured: 82,800 (sagemaker_core's generated resources.py, 1.5 MB), 69,500
# (numpy's test_multiarray.py), 63,900 (sagemaker_core's shape_dag.py, a 0.8 MB dict literal);
# in sagemaker, botocore and libcst 46,300 (libcst's matchers/__init__.py). A unit costs
# LibCST 13 to 65 µs (median 34) on a 2-CPU machine, dict literals the most: a file at the
# bound takes up to 8 s to parse and 12 s through steplint (bench: dict-800kb).
MAX_WORK = 120_000

# Work is summed in 80ths of a unit, so that the per-node sum stays in integers.
_NODE = 80
_LINE = 40
_TRAILER_LINK = 8
_OPERATOR_LINK = 1
# Adjacent string literals are counted exactly only when a string could hold more pieces
# than this (judged from its length and quote characters); fewer pieces change nothing.
_FEW_PIECES = 4

# Fields that never hold a node, in any Python version steplint supports.
_SCALAR_FIELDS = frozenset({"ctx", "id", "attr", "arg", "module", "level", "kind", "conversion", "is_async",
                            "type_comment", "simple", "tag", "kwd_attrs", "rest"})
_CHILD_FIELDS: dict = {}
_COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)
_STRING_TYPES = (str, bytes)
_NEWLINES = re.compile(rb"\r\n|\r|\n")


@dataclass(frozen=True)
class ParseObstacle:
    """Why a file is not handed to LibCST: ``code`` is SL901, SL902 or SL905; ``line`` is
    1-based and ``col`` 0-based (characters)."""

    code: str
    line: int
    col: int
    message: str

    def problem(self, display: str) -> FileProblem:
        """This obstacle as the file problem reported on the file shown as ``display``."""
        return FileProblem(self.code, display, Span(self.line, self.col, self.line, self.col), self.message)


@dataclass(frozen=True)
class Complexity:
    """What parsing one file will ask of LibCST and steplint.

    ``depth``: estimated LibCST nesting levels, deepest at ``depth_line``; ``work``: units of
    parser work, of which ``chain_work`` comes from long chains; ``nodes``: syntax nodes
    (adjacent string literals counted one by one); ``lines``: physical lines.
    """

    depth: int
    depth_line: int
    work: int
    chain_work: int
    nodes: int
    lines: int


def parse_obstacle(text: str) -> ParseObstacle | None:
    """The reason ``text`` must not be parsed with LibCST, or None when it may be.

    SL902: over ``MAX_PARSE_CHARS`` characters. SL901: CPython cannot compile it (a NUL
    byte, a syntax error, nesting too deep for CPython's own parser). SL905: CPython
    accepts it, but it is nested deeper than ``MAX_DEPTH`` or needs more than ``MAX_WORK``.
    Never raises for any ``str``.
    """
    checked = guarded_tree(text)
    return checked if isinstance(checked, ParseObstacle) else None


def guarded_tree(text: str, strings: list | None = None) -> ast.Module | ParseObstacle:
    """CPython's AST of ``text`` when it may be parsed (``parse_obstacle`` is None), else the
    obstacle: for a reader that walks CPython's tree itself, one parse instead of two.
    ``strings``, when given, receives the tree's string literal nodes (``measure``)."""
    if len(text) > MAX_PARSE_CHARS:
        return ParseObstacle("SL902", 1, 0, f"file has {len(text):,} characters, more than the {MAX_PARSE_CHARS:,} "
                                            "steplint parses (generated code?); it is not checked")
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        return ParseObstacle("SL901", line, 0, "source contains a NUL byte; Python cannot compile it")
    tree = _cpython_tree(text)
    if isinstance(tree, ParseObstacle):
        return tree
    return complexity_obstacle(measure(tree, text, strings)) or tree


def complexity_obstacle(measured: Complexity) -> ParseObstacle | None:
    """SL905 when ``measured`` is past ``MAX_DEPTH`` or ``MAX_WORK``, else None."""
    if measured.depth > MAX_DEPTH:
        return ParseObstacle("SL905", measured.depth_line, 0,
                             f"code nested {measured.depth:,} levels deep (line {measured.depth_line}); steplint "
                             f"analyses up to {MAX_DEPTH:,}: the file is not checked")
    if measured.work > MAX_WORK:
        chains = f", {measured.chain_work:,} in long chains" if measured.chain_work * 4 >= measured.work else ""
        return ParseObstacle("SL905", 1, 0,
                             f"about {measured.work:,} units of parser work ({measured.nodes:,} syntax nodes{chains}), "
                             f"over steplint's {MAX_WORK:,} per file: not checked")
    return None


def _cpython_tree(text: str) -> ast.Module | ParseObstacle:
    """CPython's AST of ``text``, or the SL901 obstacle when CPython rejects it. Warnings
    about the code (invalid escapes, ...) are CPython's business at import time, not ours;
    they are neither printed nor, under ``-W error``, raised."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return ast.parse(text)
    except SyntaxError as error:
        line = error.lineno if isinstance(error.lineno, int) and error.lineno > 0 else 1
        col = error.offset - 1 if isinstance(error.offset, int) and error.offset > 0 else 0
        return ParseObstacle("SL901", line, col, f"syntax error: {error.msg}")
    except (MemoryError, RecursionError) as error:
        return ParseObstacle("SL901", 1, 0, f"too deeply nested for CPython's parser ({type(error).__name__}); "
                                            "Python cannot compile it")
    except ValueError as error:  # text Python cannot hold as UTF-8: a lone surrogate from an exotic codec
        return ParseObstacle("SL901", 1, 0, f"Python cannot compile this file: {error}")


def measure(tree: ast.AST, text: str, found_strings: list | None = None) -> Complexity:
    """Depth and work of ``tree``, CPython's AST of ``text``, in one walk without recursion.
    ``found_strings``, when given, receives every ``JoinedStr`` node and every ``Constant``
    holding a ``str`` or ``bytes`` (in no particular order; some inside f-strings)."""
    collect = found_strings.append if found_strings is not None else None
    strings = _StringPieces(text)
    nodes = deepest = deepest_line = chain_cost = 0
    stack = [(tree, 0, 0)]
    pop, push = stack.pop, stack.append
    node_type, child_fields, string_types = ast.AST, _CHILD_FIELDS, _STRING_TYPES
    Name, Constant, Attribute, Call, BinOp, Subscript = ast.Name, ast.Constant, ast.Attribute, ast.Call, ast.BinOp, \
        ast.Subscript
    BoolOp, JoinedStr, FormattedValue, Pow, alias, ImportFrom = ast.BoolOp, ast.JoinedStr, ast.FormattedValue, \
        ast.Pow, ast.alias, ast.ImportFrom
    comprehensions, DictComp = _COMPREHENSIONS, ast.DictComp
    while stack:
        node, depth, chain = pop()
        kind = type(node)
        nodes += 1
        chain_cost += chain
        if kind is Constant or kind is JoinedStr or kind is alias or kind is ImportFrom:
            if kind is alias:
                extra = node.name.count(".")
            elif kind is ImportFrom:
                extra = node.module.count(".") if node.module else 0
            elif kind is JoinedStr or type(node.value) in string_types:
                extra = strings.extra_pieces(node)
                if collect is not None:
                    collect(node)
            else:
                extra = 0
            nodes += extra
            chain_cost += chain * extra
            depth += extra
        if depth > deepest:
            deepest = depth
            deepest_line = getattr(node, "lineno", deepest_line)
        if kind is Name or kind is Constant:
            continue
        depth += 1
        if kind is Attribute:
            push((node.value, depth, chain + _TRAILER_LINK))
        elif kind is Call:
            push((node.func, depth, chain + _TRAILER_LINK))
            for child in node.args:
                push((child, depth, chain))
            for child in node.keywords:
                push((child, depth, chain))
        elif kind is BinOp:
            push((node.left, depth, chain if type(node.op) is Pow else chain + _OPERATOR_LINK))
            push((node.right, depth, chain))
        elif kind is Subscript:
            push((node.value, depth, chain + _TRAILER_LINK))
            push((node.slice, depth, chain))
        elif kind is BoolOp:
            # LibCST nests ``a or b or c`` as ((a or b) or c): value i sits len - i levels down
            last = len(node.values) - 1
            for index, child in enumerate(node.values):
                push((child, depth + last - max(index, 1), chain))
        elif kind is JoinedStr:
            for child in node.values:
                if type(child) is FormattedValue:
                    _push_formatted(child, depth, chain, push)
        elif kind in comprehensions:
            # LibCST nests each further ``for`` clause inside the previous one
            for index, child in enumerate(node.generators):
                push((child, depth + index, chain))
            if kind is DictComp:
                push((node.key, depth, chain))
                push((node.value, depth, chain))
            else:
                push((node.elt, depth, chain))
        else:
            fields = child_fields.get(kind)
            if fields is None:
                fields = child_fields[kind] = tuple(name for name in kind._fields if name not in _SCALAR_FIELDS)
            for name in fields:
                value = getattr(node, name, None)
                if type(value) is list:
                    for child in value:
                        if isinstance(child, node_type):
                            push((child, depth, chain))
                elif isinstance(value, node_type):
                    push((value, depth, chain))
    lines = _line_count(text)
    cost = nodes * _NODE + lines * _LINE + chain_cost
    return Complexity(depth=deepest, depth_line=deepest_line or 1, work=cost // _NODE,
                      chain_work=chain_cost // _NODE, nodes=nodes, lines=lines)


def _push_formatted(node: ast.FormattedValue, depth: int, chain: int, push) -> None:
    """Push the expression of an f-string's replacement field, and those of its format spec
    (whose literal parts, in Python before 3.12, carry the whole f-string's position)."""
    push((node.value, depth, chain))
    spec = node.format_spec
    if spec is not None:
        for child in spec.values:
            if type(child) is ast.FormattedValue:
                _push_formatted(child, depth + 1, chain, push)


def _line_count(text: str) -> int:
    """Physical lines of ``text`` as CPython counts them (``\\r\\n``, ``\\r`` or ``\\n`` end one)."""
    return text.count("\n") + text.count("\r") - text.count("\r\n") + 1


class _StringPieces:
    """How many adjacent literals make up a string node: ``'a' 'b'`` is one ``Constant``
    in CPython's AST and two nested nodes in LibCST.

    AST positions are UTF-8 byte offsets, so the text is encoded (once, when the first
    long string is met) to cut a string's source out of it.
    """

    def __init__(self, text: str) -> None:
        self._text = text
        self._data: bytes | None = None
        self._line_starts: list | None = None

    def extra_pieces(self, node: ast.Constant | ast.JoinedStr) -> int:
        """Literals in ``node`` beyond the first (0 for a single literal, or for a string that
        cannot hold more than ``_FEW_PIECES``)."""
        end_line, end_col = node.end_lineno, node.end_col_offset
        if end_line is None or end_col is None:
            return 0
        if end_line == node.lineno:
            span = end_col - node.col_offset
            if span <= 2 * _FEW_PIECES:
                return 0  # every literal takes at least two quote bytes
            value = getattr(node, "value", None)
            if type(value) is str and value.isascii() and span - len(value) <= 2 * _FEW_PIECES:
                return 0
        segment = self._segment(node.lineno, node.col_offset, end_line, end_col)
        bound = (segment.count(b"'") + segment.count(b'"')) // 2
        if isinstance(node, ast.Constant):
            value = node.value
            size = len(value) if isinstance(value, bytes) else len(value.encode("utf-8", "surrogatepass"))
            bound = min(bound, (len(segment) - size) // 2)  # quotes, prefixes, escapes and spaces
        if bound <= _FEW_PIECES:
            return 0
        return max(0, _count_literals(segment.decode("utf-8", "replace")) - 1)

    def _segment(self, line: int, col: int, end_line: int, end_col: int) -> bytes:
        if self._data is None:
            self._data = self._text.encode("utf-8", "surrogatepass")
            self._line_starts = [0] + [match.end() for match in _NEWLINES.finditer(self._data)]
        starts = self._line_starts
        if not 0 < line <= end_line <= len(starts):
            return b""
        return self._data[starts[line - 1] + col:starts[end_line - 1] + end_col]


_FSTRING_START = getattr(tokenize, "FSTRING_START", None)
_FSTRING_END = getattr(tokenize, "FSTRING_END", None)


def _count_literals(segment: str) -> int:
    """String literals at the top level of ``segment``, the source of one string node
    (wrapped in brackets, so its line breaks and comments tokenize as inside an expression)."""
    count = nesting = 0
    try:
        for token in tokenize.generate_tokens(io.StringIO("(" + segment + ")").readline):
            if token.type == tokenize.STRING and nesting == 0:
                count += 1
            elif token.type == _FSTRING_START:
                count += nesting == 0
                nesting += 1
            elif token.type == _FSTRING_END:
                nesting -= 1
    except (tokenize.TokenError, SyntaxError):
        return count  # CPython parsed it, so this does not happen; a partial count errs low
    return count
