"""Extraction through CPython's ``ast`` (``readers/python/ast_route.py``) gives the same
facts as extraction through LibCST's CST, on every fixture file and on generated programs.

The facts are what every rule reads (spans included): if the two routes differ anywhere,
findings would depend on which route read a file.
"""

from __future__ import annotations

import ast
import gc
from pathlib import Path

import libcst as cst
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from steplint.model.values import Span
from steplint.readers.python.ast_route import cst_shaped
from steplint.readers.python.extract import extract_facts
from steplint.readers.python.parse_guard import guarded_tree
from steplint.readers.python.positions import index_positions

ROOT = Path(__file__).resolve().parents[1]
ENUMS = frozenset({"DependencyType", "NodeType"})


def _facts(module, positions, text: str):
    def span_of(node) -> Span:
        found = positions.get(node)
        if found is None:
            return Span(1, 0, 1, 0)
        (line, col), (end_line, end_col) = found
        return Span(line, col, end_line, end_col)
    return extract_facts(module, span_of, path="m.py", module_name="pkg.m", is_package=False, known_enums=ENUMS,
                         source_text=text, positions=positions)


def both_routes(text: str):
    """``(facts through LibCST, facts through ast or None when the route declines)``."""
    module = cst.parse_module(text)
    through_libcst = _facts(module, index_positions(module), text)
    strings: list = []
    tree = guarded_tree(text, strings)
    assert isinstance(tree, ast.Module), tree
    shaped = cst_shaped(tree, text, strings)
    return through_libcst, None if shaped is None else _facts(shaped[0], shaped[1], text)


FIXTURE_FILES = sorted(path for path in (ROOT / "fixtures").rglob("*.py"))


def test_every_fixture_file_goes_through_the_ast_route_with_the_same_facts():
    declined = []
    for path in FIXTURE_FILES:
        text = path.read_text(encoding="utf-8")
        try:
            cst.parse_module(text)
        except cst.ParserSyntaxError:
            continue  # the bad-input fixtures: neither route reads them
        if isinstance(guarded_tree(text), ast.Module):
            through_libcst, through_ast = both_routes(text)
            if through_ast is None:
                declined.append(path)
            else:
                assert through_ast == through_libcst, path
    assert len(FIXTURE_FILES) > 400
    assert not declined


TRICKY = {
    "strings in pieces": 'X = ("/opt/ml/" "input"  # where\n     "/data")\nY = b"a" b"b"\n',
    "triple-quoted pieces": 'X = """/opt/ml/a""" """b"""\nY = ("""c\\\\"""\n     """d""" \'e\')\n',
    "f-strings": 'import os\nP = f"{os.environ[\'SM_CHANNEL_TRAIN\']}/x"\nQ = f"/opt/ml/{P!r:>10}" "tail"\n',
    "own and grouping parentheses": 'T = ((1), (2,), ("a", "b"))\nD = {("k"): ("/opt/ml/model"), **E}\nf((x))\n',
    "tuple subscripts": "a[1, 2]\na[(1, 2)]\na[(1), 2]\na[1:2, ::3]\n",
    "one-line suites": 'if x: y = 1; z = "/opt/ml/code"\nelse: pass\nfor i in r: g(i)\n',
    "elif and else": 'if "a" in input_paths:\n    p = input_paths["a"]\nelif b:\n    pass\nelse:\n    q = 2\n',
    "with items": 'with (\n    open(a) as f,\n    open(b) as g,\n):\n    pass\nwith (open(c)) as h:\n    pass\n',
    "definitions": ('@dec(1)\nasync def f(a, /, b=(2), *c, d, e=3, **g) -> "T":\n    return a\n'
                    "class K(Base, metaclass=M):\n    x: int = 1\n    def m(self):\n"
                    "        return {'a': TrainingInput(s3_data=self.p)}\n"),
    "imports": "import a.b.c as d, e\nfrom . import f\nfrom ..g.h import (i as j,\n    k)\nfrom m import *\n",
    "comprehensions": "L = [x for x in (1, 2) if x for y in z]\nG = list(x for x in y)\nD = {k: v for k, v in w}\n",
    "unicode": 'S = "héllo"  # ünïcode\nT = {"ключ": "/opt/ml/processing/input"}\nU = f"{S} ☃"\n',
    "operators": "a = not b and (c or d) or e\nb = -1 + 2 * 3\nc = x if y else z\nd = lambda q=1: q\n",
    "main guard": ('import argparse\ndef main(input_paths, output_paths):\n    pass\n'
                   'if __name__ == "__main__":\n    p = argparse.ArgumentParser()\n'
                   '    p.add_argument("--n", required=True)\n    main({"a": "/opt/ml/x"}, output_paths={})\n'),
}


@pytest.mark.parametrize("name", sorted(TRICKY))
def test_constructs_that_differ_between_ast_and_libcst(name):
    through_libcst, through_ast = both_routes(TRICKY[name])
    assert through_ast is not None, "the route declined"
    assert through_ast == through_libcst


def test_a_file_the_route_does_not_model_is_read_by_libcst():
    text = "match x:\n    case 1:\n        y = '/opt/ml/a'\n"
    _, through_ast = both_routes(text)
    assert through_ast is None


# -- generated programs ------------------------------------------------------------------

NAMES = st.sampled_from(["x", "os", "input_paths", "environ", "self", "TrainingInput", "spec", "y"])
PIECE = st.sampled_from(['"/opt/ml/input"', "'a'", 'r"\\d"', '"""t\nq"""', "b'z'", '"é"', 'f"{x}/opt"',
                         'f"{os.environ[\'K\']!s}"', '"SM_CHANNEL"', "'''/opt/ml/code'''"])
GAP = st.sampled_from([" ", "", "\n    ", "  # c (\n    "])


@st.composite
def strings(draw):
    pieces = draw(st.lists(PIECE, min_size=1, max_size=3))
    if len(pieces) > 1 and any(piece.startswith("b") for piece in pieces):
        pieces = [piece for piece in pieces if piece.startswith("b")] or pieces[:1]
    text = pieces[0]
    for piece in pieces[1:]:
        text += draw(GAP) + piece
    return f"({text})" if "\n" in text else text


def expressions():
    leaves = st.one_of(NAMES, strings(), st.sampled_from(["1", "-2", "3.5", "True", "None", "..."]))

    def extend(inner):
        pair = st.tuples(inner, inner)
        return st.one_of(
            inner.map(lambda e: f"({e})"),
            st.tuples(NAMES, inner).map(lambda p: f"{p[0]}.{'environ' if p[1] == 'os' else 'get'}"),
            st.tuples(inner, st.lists(inner, max_size=2), st.lists(st.tuples(NAMES, inner), max_size=2)).map(
                lambda c: f"{c[0]}({', '.join(c[1] + [f'{k}={v}' for k, v in c[2]])})"),
            st.tuples(inner, inner).map(lambda p: f"{p[0]}[{p[1]}]"),
            pair.map(lambda p: f"{p[0]}[{p[1]}, {p[0]}]"),
            pair.map(lambda p: f"({p[0]}, {p[1]})"),
            pair.map(lambda p: f"[{p[0]}, *{p[1]}]"),
            pair.map(lambda p: f"{{{p[0]}: {p[1]}, **{p[1]}}}"),
            pair.map(lambda p: f"{p[0]} in {p[1]}"),
            pair.map(lambda p: f"{p[0]} not in {p[1]} and {p[1]} or {p[0]}"),
            pair.map(lambda p: f"{p[0]} + {p[1]}"),
            st.tuples(inner, inner, inner).map(lambda t: f"{t[0]} if {t[1]} else {t[2]}"),
            pair.map(lambda p: f"[{p[0]} for x in {p[1]} if x]"),
            inner.map(lambda e: f"lambda a=1: {e}"),
        )
    return st.recursive(leaves, extend, max_leaves=6)


@st.composite
def statements(draw, depth: int = 0):
    value, other = draw(expressions()), draw(expressions())
    name = draw(NAMES)
    simple = [f"{name} = {value}", f"{name}: int = {value}", f"{name} += {value}", f"{value}",
              f"{name}[{value}] = {other}", f"{name}.append({value})", "import os.path as p", "from . import m",
              f"return {value}", f"os.environ[{value}] = {other}"]
    lines = [draw(st.sampled_from(simple))]
    if draw(st.booleans()):
        lines = [lines[0] + "; " + draw(st.sampled_from(simple))]
    if depth < 2 and draw(st.booleans()):
        body = draw(st.lists(statements(depth + 1), min_size=1, max_size=2))
        block = "\n".join("    " + line for text in body for line in text.splitlines())
        header = draw(st.sampled_from([f"if {value}:", f"for x in {value}:", f"with {value} as w:", "try:",
                                       "def f(self, a=1, *b, c, **d):", f"class C({name}):", f"while {value}:"]))
        text = f"{header}\n{block}"
        if header == "try:":
            text += "\nexcept (ImportError, E) as e:\n    pass"
        elif header.startswith("if") and draw(st.booleans()):
            text += f"\nelif {other}:\n    pass\nelse:\n    y = {other}"
        lines.append(text)
    return "\n".join(lines)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(st.lists(statements(), min_size=1, max_size=4), st.booleans())
def test_generated_programs_give_the_same_facts_through_both_routes(body, main_guard):
    text = "\n".join(body) + "\n"
    if main_guard:
        text += 'if __name__ == "__main__":\n    main(input_paths={"a": "/opt/ml/x"})\n'
    try:
        tree = ast.parse(text)
        cst.parse_module(text)
    except (SyntaxError, cst.ParserSyntaxError, ValueError):
        assume(False)
    del tree
    through_libcst, through_ast = both_routes(text)
    if through_ast is not None:
        assert through_ast == through_libcst, text


def test_the_route_leaves_no_reference_cycles():
    """The command line runs with the cyclic garbage collector off: a cycle through a tree
    would keep every file's tree alive until the run ends."""
    texts = list(TRICKY.values()) + [path.read_text(encoding="utf-8") for path in FIXTURE_FILES[:40]]
    gc.collect()
    gc.disable()
    try:
        for text in texts:
            strings: list = []
            tree = guarded_tree(text, strings)
            if isinstance(tree, ast.Module):
                cst_shaped(tree, text, strings)
        assert gc.collect() == 0
    finally:
        gc.enable()
