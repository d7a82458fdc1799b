"""The positions pass: LibCST's own positions for every node, and a pre-order node index
that selects what a visitor would visit."""

from __future__ import annotations

import ast

import libcst as cst
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from libcst.metadata import MetadataWrapper, PositionProvider
from steplint.readers.python.evaluate import string_value
from steplint.readers.python.positions import INDEXED, index_positions

from tests.conftest import fast_and_full, python_source

SAMPLE = '''\
import os
from x import (a,
    b)

class Builder(Base):
    """Doc."""

    @decorator(make())
    def _get_inputs(self, inputs, default=call()):
        def nested(y=f()):
            return g(y)
        if name == "data":
            channels = {"data": TrainingInput(s3_data=inputs["data"])}
        value = os.environ["KEY"] if (x) else os.environ.get("OTHER")
        return [h(v) for v in values if v in ("a", 'b')]
'''


def _parse(source: str) -> cst.Module | None:
    try:
        return cst.parse_module(source)
    except (cst.ParserSyntaxError, RecursionError):
        return None


class _Visited(cst.CSTVisitor):
    """Every node LibCST's visitor reaches, in order."""

    def __init__(self) -> None:
        self.nodes: list = []

    def on_visit(self, node) -> bool:
        self.nodes.append(node)
        return True


def _assert_matches_libcst(module: cst.Module) -> None:
    positions = index_positions(module)
    expected = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    for node, code_range in expected.items():
        start, end = code_range.start, code_range.end
        assert positions.get(node) == ((start.line, start.column), (end.line, end.column)), node
    visitor = _Visited()
    module.visit(visitor)
    indexed = [node for node in visitor.nodes
               if type(node) in INDEXED or (isinstance(node, cst.Name) and node.value == "environ")]
    assert positions.found == indexed


def test_positions_and_index_match_libcst_on_a_builder():
    _assert_matches_libcst(cst.parse_module(SAMPLE))


@pytest.mark.parametrize("newline", ["\r\n", "\r"])
def test_positions_count_every_line_ending(newline):
    _assert_matches_libcst(cst.parse_module(SAMPLE.replace("\n", newline)))


@pytest.mark.filterwarnings("ignore::SyntaxWarning", "ignore::DeprecationWarning")
@fast_and_full(30, 150)
def test_positions_and_index_match_libcst_on_any_program(max_examples):
    @settings(max_examples=max_examples, deadline=None, suppress_health_check=list(HealthCheck))
    @given(python_source())
    def check(source):
        module = _parse(source)
        assume(module is not None)
        _assert_matches_libcst(module)

    check()


def test_select_skips_nested_scopes_and_keeps_source_order():
    module = cst.parse_module(SAMPLE)
    method = module.body[2].body.body[1]
    calls = index_positions(module).select(method.body, {cst.Call}, skip={cst.FunctionDef, cst.ClassDef})
    names = [module.code_for_node(call.func) for call in calls]
    assert names == ["TrainingInput", "os.environ.get", "h"]


@pytest.mark.filterwarnings("ignore::SyntaxWarning", "ignore::DeprecationWarning")
@settings(max_examples=500, suppress_health_check=[HealthCheck.filter_too_much])
@given(st.text(alphabet="ab'\"\\\r\n\x00é\t ", max_size=8), st.sampled_from(["'", '"', "'''", '"""']))
def test_string_values_are_what_python_evaluates(body, quote):
    source = quote + body + quote
    try:
        node = cst.parse_expression(source)
    except (cst.ParserSyntaxError, cst.CSTValidationError):
        node = None
    assume(isinstance(node, cst.SimpleString))
    try:
        expected = ("value", ast.literal_eval(source))
    except (ValueError, SyntaxError) as error:
        expected = ("error", type(error))
    try:
        found = ("value", string_value(source))
    except (ValueError, SyntaxError) as error:
        found = ("error", type(error))
    assert found == expected
