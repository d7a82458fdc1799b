"""Cannot tell is never a finding, for plain SDK pipelines: replacing any argument of a clean
pipeline with a value steplint cannot follow adds no finding; and any parsable file that looks
like a pipeline is read without an exception."""

from __future__ import annotations

import ast
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from steplint.api import check_paths, configure
from steplint.files.sources import SourceFile
from steplint.readers.pipeline import READER

from tests.conftest import FIXTURES, fast_and_full, python_source

CLEAN = FIXTURES / "sdk_pipeline_clean"
PIPELINES = ("pipelines/abalone/pipeline.py", "pipelines/churn/pipeline.py")


def _keyword_values(text: str) -> list:
    """(start, end) offsets of every keyword argument's value in the file."""
    starts = [0] + [index + 1 for index, char in enumerate(text) if char == "\n"]
    spans = []
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.Call):
            for keyword in node.keywords:
                if keyword.arg is not None:
                    value = keyword.value
                    spans.append((starts[value.lineno - 1] + value.col_offset,
                                  starts[value.end_lineno - 1] + value.end_col_offset))
    return spans


def _codes(root: Path, monkeypatch) -> list:
    monkeypatch.chdir(root)
    result = check_paths(["."], configure(["."]))
    assert not result.internal_errors
    return [f"{finding.code} {finding.path}:{finding.span.line}" for finding in result.findings]


# Every argument of both pipelines (175 checks) is in the slow suite; the fast suite replaces
# every fifth one.
@pytest.mark.parametrize("stride", [pytest.param(5, id="every-5th-argument"),
                                    pytest.param(1, id="every-argument", marks=pytest.mark.slow)])
@pytest.mark.parametrize("pipeline", PIPELINES)
def test_an_argument_steplint_cannot_follow_adds_no_finding(tmp_path, monkeypatch, pipeline, stride):
    # the pipeline's own folder (its scripts) and the project's configuration are all a
    # mutation of that pipeline can involve: checking only them keeps every run small
    root = tmp_path / "clean"
    shutil.copytree(CLEAN / Path(pipeline).parent, root / Path(pipeline).parent)
    shutil.copy(CLEAN / "pyproject.toml", root / "pyproject.toml")
    assert _codes(root, monkeypatch) == []
    original = (root / pipeline).read_text()
    for start, end in _keyword_values(original)[::stride]:
        mutated = original[:start] + "settings_from_elsewhere()" + original[end:]
        (root / pipeline).write_text(mutated)
        assert _codes(root, monkeypatch) == [], original[start:end]
    (root / pipeline).write_text(original)


@fast_and_full(15, 60)
def test_any_parsable_file_is_read_without_an_exception(max_examples):
    @settings(max_examples=max_examples, deadline=None, suppress_health_check=list(HealthCheck))
    @given(python_source(auto_target=False))
    def check(code):
        text = "from sagemaker.workflow.steps import ProcessingStep\n" + code
        source = SourceFile(Path("pipeline.py"), "pipeline.py", text, "utf-8", False)
        facts, problem = READER.read(source)
        assert (facts is None) != (problem is None)

    check()
