"""``# steplint: ignore[...]`` comments."""

from __future__ import annotations

from steplint.rules.specification import RedundantDependency

from tests.conftest import run_steplint

SPEC_PATH = "steps/specs/training_spec.py"


def _with_spec(transform):
    files = dict(RedundantDependency.bad_examples[0].files)
    files[SPEC_PATH] = transform(files[SPEC_PATH])
    return files


def test_ignore_on_the_finding_line(project):
    files = _with_spec(lambda text: text.replace(
        "        DependencySpec(\n            logical_name=\"config\"",
        "        DependencySpec(  # steplint: ignore[SL101]\n            logical_name=\"config\""))
    assert run_steplint(cwd=project(files)).returncode == 0


def test_ignore_on_the_line_above(project):
    files = _with_spec(lambda text: text.replace(
        "        DependencySpec(\n            logical_name=\"config\"",
        "        # steplint: ignore[SL101]\n        DependencySpec(\n            logical_name=\"config\""))
    assert run_steplint(cwd=project(files)).returncode == 0


def test_other_codes_are_not_suppressed(project):
    files = _with_spec(lambda text: text.replace(
        "        DependencySpec(\n            logical_name=\"config\"",
        "        DependencySpec(  # steplint: ignore[SL201]\n            logical_name=\"config\""))
    assert run_steplint(cwd=project(files)).returncode == 1


def test_bare_ignore_and_ignore_file(project):
    files = _with_spec(lambda text: text.replace(
        "        DependencySpec(\n            logical_name=\"config\"",
        "        DependencySpec(  # steplint: ignore\n            logical_name=\"config\""))
    assert run_steplint(cwd=project(files)).returncode == 0
    files = _with_spec(lambda text: text + "# steplint: ignore-file[SL101]\n")
    assert run_steplint(cwd=project(files)).returncode == 0


def test_directive_inside_a_string_does_not_count(project):
    files = _with_spec(lambda text: text + 'NOTE = "# steplint: ignore-file[SL101]"\n')
    assert run_steplint(cwd=project(files)).returncode == 1
