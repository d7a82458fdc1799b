"""One Python file in, its facts (or the problem that keeps them out) out.

``extract_source`` is what the engine and its worker processes call for every file they
analyse: the parse guard (CPython's ``ast.parse``), then extraction from the CST-shaped
tree ``ast_route`` builds from that AST, or, when that route declines the file, from
LibCST's CST. Nothing is kept: fixes parse with LibCST through ``parse_source`` when one
is built, so a file is parsed by LibCST only if a fix edits it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from steplint.config import Config
from steplint.files.sources import FileProblem, SourceFile
from steplint.model.values import Span
from steplint.readers.python.parse_guard import ParseObstacle, guarded_tree, parse_obstacle

if TYPE_CHECKING:  # the parser and extractor are imported on first use, keeping start-up light
    from steplint.readers.python.edits import ParsedFile


def extract_source(source: SourceFile, module_name: str, config: Config) -> tuple:
    """Parse and extract one file: ``(facts, None)`` or ``(None, FileProblem)``. The facts
    are the same whichever route read the file (``tests/test_ast_route.py``)."""
    from steplint.readers.python.ast_route import cst_shaped
    from steplint.readers.python.edits import ParsedFile

    strings: list = []
    checked = guarded_tree(source.text, strings)
    if isinstance(checked, ParseObstacle):
        return None, checked.problem(source.display)
    shaped = cst_shaped(checked, source.text, strings)
    if shaped is not None:
        parsed = ParsedFile(source, shaped[0], shaped[1])
    else:
        parsed, problem = _libcst(source)
        if parsed is None:
            return None, problem
    return _extract(parsed, module_name, config)


def _not_checked(source: SourceFile, message: str, line: int = 1, col: int = 0) -> FileProblem:
    """SL905: Python accepts the file, but steplint does not analyse it."""
    return FileProblem("SL905", source.display, Span(line, col, line, col), message)


def parse_source(source: SourceFile, guarded: bool = False) -> tuple[ParsedFile | None, FileProblem | None]:
    """The file's CST, or the problem that keeps it from LibCST: the guard's verdict first
    (``steplint.readers.python.parse_guard``; skipped when ``guarded``, the caller knowing
    this text passed it), then what LibCST itself raises on code Python accepts."""
    obstacle = None if guarded else parse_obstacle(source.text)
    if obstacle is not None:
        return None, obstacle.problem(source.display)
    return _libcst(source)


def _libcst(source: SourceFile) -> tuple[ParsedFile | None, FileProblem | None]:
    """LibCST's CST of a file the parse guard let through, or the problem LibCST raises."""
    import libcst as cst
    from steplint.readers.python.edits import ParsedFile

    try:
        module = cst.parse_module(source.text)
    except cst.ParserSyntaxError as error:
        message = str(error.message).strip().splitlines()[0] if error.message else "invalid syntax"
        return None, _not_checked(source, f"LibCST cannot parse this file, which Python accepts ({message}); it is "
                                          "not checked", error.raw_line, error.raw_column)
    except RecursionError:
        return None, _not_checked(source, "nested too deeply for LibCST's parser; the file is not checked")
    except MemoryError:
        return None, _not_checked(source, "ran out of memory parsing this file; it is not checked")
    return ParsedFile(source, module), None


def _extract(parsed: ParsedFile, module_name: str, config: Config):
    from steplint.readers.python.extract import extract_facts

    source = parsed.source
    is_package = source.path.name == "__init__.py"
    try:
        facts = extract_facts(parsed.module, parsed.span_of, path=source.display, module_name=module_name,
                              is_package=is_package, known_enums=config.names.known_enums,
                              source_text=source.text, positions=parsed.positions)
    except RecursionError:
        return None, _not_checked(source, "nested too deeply for steplint's analysis; the file is not checked")
    except MemoryError:
        return None, _not_checked(source, "ran out of memory analysing this file; it is not checked")
    return facts, None
