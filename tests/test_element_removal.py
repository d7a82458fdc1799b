"""Removing one element of a list or dict: the core edit of steplint's removal fixes."""

from __future__ import annotations

import libcst as cst
from hypothesis import given, settings
from hypothesis import strategies as st
from steplint.files.sources import SourceFile
from steplint.readers.python.edits import ParsedFile, without_element

ITEMS = st.lists(st.sampled_from(["a", "b()", "DependencySpec(logical_name='x')", "42", "'s'", "C.X"]),
                 min_size=1, max_size=6)


@st.composite
def list_modules(draw):
    items = draw(ITEMS)
    multiline = draw(st.booleans())
    trailing_comma = draw(st.booleans())
    comments = draw(st.lists(st.booleans(), min_size=len(items), max_size=len(items)))
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    lines = []
    if multiline:
        body = []
        for index, (item, commented) in enumerate(zip(items, comments)):
            comma = "," if index < len(items) - 1 or trailing_comma else ""
            trailer = f"  # note {index}" if commented else ""
            body.append(f"    {item}{comma}{trailer}")
        display = "[" + newline + newline.join(body) + newline + "]"
    else:
        display = "[" + ", ".join(items) + ("," if trailing_comma and len(items) > 1 else "") + "]"
    lines = ["# header comment", "import os", "", f"VALUE = {display}  # after", "", "def f():  # keep", "    return 1"]
    return newline.join(lines) + newline, items, draw(st.integers(0, len(items) - 1)), multiline, comments


def _remove(text: str, index: int):
    parsed = ParsedFile(SourceFile(None, "m.py", text, "utf-8", False), cst.parse_module(text))
    node = next(node for node in parsed.positions if isinstance(node, cst.List))
    edit = parsed.replace(node, without_element(node, index))
    return text[: edit.start] + edit.replacement + text[edit.end:], edit


@settings(max_examples=300, deadline=None)
@given(list_modules())
def test_removal_keeps_everything_else(case):
    text, items, index, multiline, comments = case
    result, edit = _remove(text, index)
    module = cst.parse_module(result)
    value = module.body[1].body[0].value
    assert [module.code_for_node(element.value) for element in value.elements] == items[:index] + items[index + 1:]
    list_start = text.index("VALUE = [") + len("VALUE = ")
    list_end = text.index("]  # after") + 1
    assert list_start <= edit.start <= edit.end <= list_end
    assert result[:list_start] == text[:list_start]
    assert result.endswith(text[list_end:])
    if multiline:
        for position, commented in enumerate(comments):
            if commented and position != index:
                assert f"# note {position}" in result


def test_removing_the_last_of_several_keeps_the_trailing_comma_style():
    text = "X = [\n    a,\n    b,\n]\n"
    assert _remove(text, 1)[0] == "X = [\n    a,\n]\n"
    assert _remove("X = [a, b]\n", 1)[0] == "X = [a]\n"
    assert _remove("X = [a, b]\n", 0)[0] == "X = [b]\n"
    assert _remove("X = [\n    a\n]\n", 0)[0] == "X = []\n"


def test_comment_lines_directly_above_the_removed_element_go_with_it():
    text = "X = [\n    a,  # first\n    # about b\n    b,\n    c,\n]\n"
    assert _remove(text, 1)[0] == "X = [\n    a,  # first\n    c,\n]\n"
