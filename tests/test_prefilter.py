"""The prefilter skips files that cannot hold step code, and never hides a finding."""

from __future__ import annotations

import pytest
import steplint.readers.python.parse as parse_module
from steplint.api import configure, load_workspace
from steplint.engine.run import Engine
from steplint.rules import all_rules

from tests.conftest import FIXTURES

PROJECTS = sorted(path.parent.name for path in FIXTURES.glob("*/pyproject.toml"))


def _check(root, monkeypatch, prefilter: bool):
    monkeypatch.chdir(root)
    config = configure(["."])
    workspace, _ = load_workspace(["."], config)
    result = Engine(config, all_rules(), prefilter=prefilter).check(workspace)
    return [(f.code, f.path, f.span, f.message) for f in result.findings], result.internal_errors


# The four largest projects (half of this test's time) are checked in the slow suite.
LARGEST = {"catalog_clean", "catalog_defects", "hyperparameters_encoded_twice", "sdk_pipeline_defects"}


@pytest.mark.parametrize("name", [pytest.param(name, marks=[pytest.mark.slow] if name in LARGEST else [])
                                  for name in PROJECTS])
def test_prefilter_never_hides_a_finding_in_the_fixture_projects(name, monkeypatch):
    filtered, errors = _check(FIXTURES / name, monkeypatch, prefilter=True)
    unfiltered, unfiltered_errors = _check(FIXTURES / name, monkeypatch, prefilter=False)
    assert not errors and not unfiltered_errors
    assert filtered == unfiltered


def test_files_without_step_names_are_not_parsed(project, monkeypatch):
    root = project({
        "pyproject.toml": "[tool.steplint]\n",
        "pkg/__init__.py": "",
        "pkg/core.py": "class StepSpecification: ...\n",
        "pkg/spec.py": "from pkg.core import StepSpecification\nSPEC = StepSpecification(step_type='A')\n",
        "pkg/plotting.py": "import matplotlib\n\ndef plot(values):\n    return sum(values)\n",
        "pkg/utils.py": "def helper(x):\n    return x * 2\n",
    })
    extracted = []
    real = parse_module.extract_source

    def spy(source, module_name, config):
        extracted.append(source.display)
        return real(source, module_name, config)

    monkeypatch.setattr(parse_module, "extract_source", spy)
    _check(root, monkeypatch, prefilter=True)
    assert "pkg/spec.py" in extracted
    assert "pkg/plotting.py" not in extracted and "pkg/utils.py" not in extracted


def test_subclasses_of_known_bases_widen_the_search(project, monkeypatch):
    """A builder deriving from the project's own intermediate base is found although its
    file never names StepBuilderBase."""
    root = project({
        "pyproject.toml": "[tool.steplint]\n",
        "pkg/__init__.py": "",
        "pkg/base.py": "class StepBuilderBase: ...\n\nclass TrainingBuilder(StepBuilderBase): ...\n",
        "pkg/builder.py": "from pkg.base import TrainingBuilder\n\nclass MyBuilder(TrainingBuilder):\n"
                          "    def __init__(self, config):\n        super().__init__(config=config, spec=None)\n",
    })
    extracted = []
    real = parse_module.extract_source

    def spy(source, module_name, config):
        extracted.append(source.display)
        return real(source, module_name, config)

    monkeypatch.setattr(parse_module, "extract_source", spy)
    _check(root, monkeypatch, prefilter=True)
    assert "pkg/builder.py" in extracted
