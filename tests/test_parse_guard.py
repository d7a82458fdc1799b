"""The parse guard in process: real code passes it, what LibCST nests but CPython's AST hides
is counted, and what goes wrong after it (LibCST or steplint running out of stack or
memory) is reported for that file as SL905, never raised.

Whole runs on adversarial input are in ``test_adversarial.py``.
"""

from __future__ import annotations

import ast
import importlib.util
import warnings
from pathlib import Path

import libcst as cst
import pytest
from steplint.api import check_paths, configure
from steplint.readers.python import extract
from steplint.readers.python.parse_guard import (
    MAX_DEPTH,
    MAX_WORK,
    measure,
    parse_obstacle,
)

from tests.conftest import FIXTURES, write_project

HEAD = "from steps.core import StepSpecification\n"
# what makes a file step code for the prefilter (an import alone does not), added below what a test is about
USE = "TAIL_SPEC = StepSpecification(step_type='Tail')\n"
REAL_CODE = ("sagemaker", "botocore", "libcst", "pip", "setuptools", "hypothesis")


def python_files(root: Path):
    for path in sorted(root.rglob("*.py")):
        try:
            yield path, path.read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError):
            continue


def test_every_fixture_file_passes_the_guard():
    refused = {str(path): obstacle for path, text in python_files(FIXTURES)
               if (obstacle := parse_obstacle(text)) is not None}
    assert refused == {}


@pytest.mark.slow
@pytest.mark.parametrize("package", REAL_CODE)
def test_installed_real_code_passes_the_guard_with_room_to_spare(package):
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        pytest.skip(f"{package} is not installed")
    refused, deepest, most_work, files = {}, 0, 0, 0
    for path, text in python_files(Path(next(iter(spec.submodule_search_locations)))):
        obstacle = parse_obstacle(text)
        if obstacle is not None:
            refused[str(path)] = obstacle
            continue
        with warnings.catch_warnings():  # invalid escapes in the packages' own code
            warnings.simplefilter("ignore")
            measured = measure(ast.parse(text), text)
        deepest, most_work, files = max(deepest, measured.depth), max(most_work, measured.work), files + 1
    assert refused == {}
    assert files >= 50
    assert deepest * 3 // 2 <= MAX_DEPTH and most_work * 2 <= MAX_WORK, (deepest, most_work)


def depth_of(text: str) -> int:
    return measure(ast.parse(text), text).depth


@pytest.mark.parametrize(("hidden", "text"), [
    ("adjacent strings", "x = " + " ".join(["'a'"] * 500) + "\n"),
    ("adjacent strings over lines, with comments", "x = (\n" + "    'a'  # 'quoted' comment\n" * 500 + ")\n"),
    ("adjacent f-strings", "x = " + " ".join(["f'{a}'"] * 500) + "\n"),
    ("adjacent bytes", "x = " + " ".join(["b'a'"] * 500) + "\n"),
    ("and/or chains", "x = " + " or ".join(["a"] * 500) + "\n"),
    ("comprehension clauses", "x = [a " + "for a in b " * 500 + "]\n"),
    ("dotted import names", "import a" + ".b" * 500 + "\n"),
    ("dotted from-import names", "from a" + ".b" * 500 + " import c\n"),
])
def test_nesting_the_ast_hides_is_counted(hidden, text):
    """One node in CPython's AST, 500 nested nodes in LibCST's tree."""
    assert 500 <= depth_of(text) <= 510, hidden
    obstacle = parse_obstacle(HEAD + text)
    assert obstacle is not None and obstacle.code == "SL905"


@pytest.mark.parametrize(("single", "text"), [
    ("escaped bytes", "x = b'" + "\\x00" * 25_000 + "'\n"),
    ("escaped text", "x = '" + "\\n\\t" * 25_000 + "'\n"),
    ("docstring full of quotes", 'def f():\n    """' + "it's 'quoted' \"here\"\n" * 2_000 + '"""\n'),
    ("non-ASCII text", "x = '" + "\u00e9\u4e2d" * 10_000 + "'\n"),
    ("f-string with quotes inside", "x = f\"" + "{d['k']}" * 2_000 + "\"\n"),
])
def test_one_long_literal_is_one_piece(single, text):
    assert depth_of(text) <= 5, single  # the statement, the string, an expression inside it
    assert parse_obstacle(HEAD + text) is None


def test_verdicts():
    assert parse_obstacle(HEAD + "x = (\n").code == "SL901"
    assert parse_obstacle(HEAD + "x = " + "-" * 100_000 + "1\n").code == "SL901"  # CPython gives up too
    assert parse_obstacle(HEAD + "x = " + "-" * (MAX_DEPTH + 10) + "1\n").code == "SL905"
    assert parse_obstacle(HEAD + "x = " + "-" * (MAX_DEPTH - 10) + "1\n") is None
    assert parse_obstacle(HEAD + "x = 1\n" * (MAX_WORK // 2)).code == "SL905"
    assert parse_obstacle("x = 1\x00\n").code == "SL901"
    assert parse_obstacle("x = '\ud800'\n").code == "SL901"  # from a raw_unicode_escape file: Python cannot either
    assert parse_obstacle("x = '" + "a" * 2_000_001 + "'\n").code == "SL902"


# extraction reads CPython's tree (``ast_route``) unless that route declines a file, as it
# does one with a ``match`` statement: then LibCST parses it, and may fail as below
READ_BY_LIBCST = "match 1:\n    case _:\n        pass\n"


def lint_in_process(tmp_path, monkeypatch, files: dict):
    root = write_project(tmp_path / "project", {
        "steps/core.py": "class StepSpecification: ...\n",
        "steps/specs/canary_spec.py": HEAD + "CANARY_SPEC = StepSpecification(step_type=make_type())\n",
        **files,
    })
    monkeypatch.chdir(root)
    return check_paths(["."], configure(["."]))


def findings_of(result, path: str) -> list:
    return [f"{finding.code} {finding.message}" for finding in result.findings if finding.path == path]


def assert_canary_checked(result) -> None:
    assert not result.internal_errors, result.internal_errors
    assert any(finding.code == "SL904" for finding in result.findings if finding.path.endswith("canary_spec.py"))


def test_libcst_running_out_of_memory_costs_one_file(tmp_path, monkeypatch):
    real_parse = cst.parse_module

    def parse_module(text, *arguments, **options):
        if "HUGE_SPEC" in text:
            raise MemoryError()
        return real_parse(text, *arguments, **options)

    monkeypatch.setattr(cst, "parse_module", parse_module)
    result = lint_in_process(tmp_path, monkeypatch, {"steps/specs/huge_spec.py": HEAD + "HUGE_SPEC = 1\n" + USE
                                                                         + READ_BY_LIBCST})
    assert findings_of(result, "steps/specs/huge_spec.py") == [
        "SL905 ran out of memory parsing this file; it is not checked"]
    assert_canary_checked(result)


def test_libcst_rejecting_code_python_accepts_is_not_a_syntax_error(tmp_path, monkeypatch):
    real_parse = cst.parse_module

    def parse_module(text, *arguments, **options):
        if "ODD_SPEC" in text:
            raise cst.ParserSyntaxError("unexpected token", lines=text.splitlines(), raw_line=2, raw_column=4)
        return real_parse(text, *arguments, **options)

    monkeypatch.setattr(cst, "parse_module", parse_module)
    result = lint_in_process(tmp_path, monkeypatch, {"steps/specs/odd_spec.py": HEAD + "ODD_SPEC = 1\n" + USE
                                                                         + READ_BY_LIBCST})
    [finding] = [f for f in result.findings if f.path == "steps/specs/odd_spec.py"]
    assert finding.code == "SL905" and (finding.line, finding.column) == (2, 5)
    assert finding.message == ("LibCST cannot parse this file, which Python accepts (unexpected token); it is not "
                               "checked")
    assert_canary_checked(result)


@pytest.mark.parametrize(("error", "message"), [
    (RecursionError, "nested too deeply for steplint's analysis; the file is not checked"),
    (MemoryError, "ran out of memory analysing this file; it is not checked"),
])
def test_extraction_running_out_of_stack_or_memory_costs_one_file(tmp_path, monkeypatch, error, message):
    real_extract = extract.extract_facts

    def extract_facts(module, *arguments, **options):
        if options.get("path") == "steps/specs/deep_spec.py":
            raise error()
        return real_extract(module, *arguments, **options)

    monkeypatch.setattr(extract, "extract_facts", extract_facts)
    result = lint_in_process(tmp_path, monkeypatch, {"steps/specs/deep_spec.py": HEAD + "DEEP_SPEC = 1\n" + USE})
    assert findings_of(result, "steps/specs/deep_spec.py") == [f"SL905 {message}"]
    assert_canary_checked(result)


def test_deep_code_just_within_the_bound_is_reported_never_raised(tmp_path, monkeypatch):
    """199 nested brackets around a 190-deep chain pass the guard (it counts AST levels),
    but LibCST nests each bracket twice: steplint's own pass runs out of stack, and says so."""
    deep = "X = " + "[" * 199 + "-" * 190 + "1" + "]" * 199 + "\n"
    assert parse_obstacle(HEAD + deep) is None
    result = lint_in_process(tmp_path, monkeypatch, {"steps/specs/deep_spec.py": HEAD + deep + USE})
    assert findings_of(result, "steps/specs/deep_spec.py") == [
        "SL905 nested too deeply for steplint's analysis; the file is not checked"]
    assert_canary_checked(result)


def test_engine_reports_guard_verdicts_with_position(tmp_path, monkeypatch):
    result = lint_in_process(tmp_path, monkeypatch, {"steps/specs/broken_spec.py": HEAD + "X = (1,\n" + USE})
    [finding] = [f for f in result.findings if f.path == "steps/specs/broken_spec.py"]
    assert (finding.code, finding.line, finding.column) == ("SL901", 2, 5)
    assert finding.message == "syntax error: '(' was never closed"
