"""The ``interface-globs`` setting: which files the YAML reader reads, through the command line.

A project whose step interfaces are named ``*.interface.yaml`` is read only when the setting
selects them; the setting replaces the default (``**/*.step.yaml``); anchored globs match the
path from the configuration's root wherever steplint runs from; fixes in such a file are
re-parsed as YAML; ill-formed values are one-line configuration errors.
"""

from __future__ import annotations

import json

import pytest
import tomllib
from hypothesis import given, settings
from hypothesis import strategies as st
from steplint.files.discovery import glob_matcher

from tests.conftest import run_steplint, write_project
from tests.test_configuration import assert_one_line_error

INTERFACE = """\
step_type: FeatureEngineering
node_type: internal
registry:
  sagemaker_step_type: Processing
contract:
  entry_point: feature_engineering.py
  inputs:
    input_data:
      path: /opt/ml/processing/input/data
  outputs:
    features:
      path: /opt/ml/processing/output/features
  env_var:
    required: []
spec:
  dependencies:
    input_data:
      type: processing_output
      required: true
      required: true
  outputs:
    features:
      type: processing_output
      property_path: properties.ProcessingOutputConfig.Outputs['features'].S3Output.S3Uri
"""
SCRIPT = """\
INPUT_DIR = "/opt/ml/processing/input/data"
OUTPUT_DIR = "/opt/ml/processing/output/features"


def main():
    print(INPUT_DIR, OUTPUT_DIR)


if __name__ == "__main__":
    main()
"""
INTERFACE_PATH = "src/fraud/steps/interfaces/feature_engineering.interface.yaml"
FILES = {INTERFACE_PATH: INTERFACE, "src/fraud/steps/scripts/feature_engineering.py": SCRIPT}


def make(tmp_path, settings: str = "", files: dict = FILES):
    return write_project(tmp_path / "project", {**files, "pyproject.toml": f"[tool.steplint]\n{settings}"})


def findings(root, *arguments, cwd=None) -> list:
    result = run_steplint("--no-cache", "--output-format", "json", *arguments, cwd=cwd or root)
    assert result.returncode in (0, 1) and "Traceback" not in result.stderr, result.stderr
    return sorted((f["filename"], f["location"]["row"], f["code"]) for f in json.loads(result.stdout))


def test_interfaces_under_another_name_are_not_read_by_default(tmp_path):
    root = make(tmp_path)
    assert findings(root, ".") == []
    listed = run_steplint("--show-files", cwd=root).stdout.splitlines()
    assert INTERFACE_PATH not in listed and "src/fraud/steps/scripts/feature_engineering.py" in listed


def test_the_setting_makes_the_reader_read_them(tmp_path):
    root = make(tmp_path, 'interface-globs = ["**/*.interface.yaml"]\n')
    assert findings(root, ".") == [(INTERFACE_PATH, 13, "SL601"), (INTERFACE_PATH, 19, "SL603")]
    assert INTERFACE_PATH in run_steplint("--show-files", cwd=root).stdout.splitlines()


def test_the_setting_replaces_the_default(tmp_path):
    renamed = {INTERFACE_PATH.replace(".interface.", ".step."): INTERFACE,
               "src/fraud/steps/scripts/feature_engineering.py": SCRIPT}
    root = make(tmp_path, 'interface-globs = ["**/*.interface.yaml"]\n', renamed)
    assert findings(root, ".") == []
    assert len(findings(make(tmp_path / "default", "", renamed), ".")) == 2


def test_an_anchored_glob_matches_the_path_from_the_root_wherever_steplint_runs(tmp_path):
    root = make(tmp_path, 'interface-globs = ["src/fraud/steps/interfaces/*.yaml"]\n')
    expected = [(INTERFACE_PATH, 13, "SL601"), (INTERFACE_PATH, 19, "SL603")]
    assert findings(root, "src") == expected
    inside = root / "src/fraud/steps"
    assert [(path, line, code) for path, line, code in findings(root, ".", cwd=inside)] == [
        ("interfaces/feature_engineering.interface.yaml", 13, "SL601"),
        ("interfaces/feature_engineering.interface.yaml", 19, "SL603")]
    assert findings(make(tmp_path / "other", 'interface-globs = ["interfaces/*.yaml"]\n'), ".") == []


def test_a_negated_glob_leaves_a_file_out(tmp_path):
    root = make(tmp_path, 'interface-globs = ["**/*.interface.yaml", "!**/feature_*"]\n')
    assert findings(root, ".") == []


def test_a_file_named_on_the_command_line_is_read_when_a_glob_selects_it(tmp_path):
    root = make(tmp_path, 'interface-globs = ["**/*.interface.yaml"]\n')
    assert [code for _, _, code in findings(root, INTERFACE_PATH)] == ["SL601", "SL603"]
    assert findings(make(tmp_path / "default"), INTERFACE_PATH) == []


def test_fixes_in_a_selected_file_are_checked_as_yaml(tmp_path):
    root = make(tmp_path, 'interface-globs = ["**/*.interface.yaml"]\n')
    result = run_steplint("--no-cache", "--fix", ".", cwd=root)
    assert "withdrawn" not in result.stdout + result.stderr, result.stdout + result.stderr
    text = (root / INTERFACE_PATH).read_text()
    assert text.count("required: true") == 1 and text.replace("      required: true\n", "", 1) == \
        INTERFACE.replace("      required: true\n      required: true\n", "")


def test_show_settings_prints_the_globs(tmp_path):
    default = tomllib.loads(run_steplint("--show-settings", cwd=make(tmp_path)).stdout)["tool"]["steplint"]
    assert default["interface-globs"] == ["**/*.step.yaml"]
    root = make(tmp_path / "set", 'interface-globs = ["steps/*.interface.yaml"]\n')
    settings = tomllib.loads(run_steplint("--show-settings", cwd=root).stdout)["tool"]["steplint"]
    assert settings["interface-globs"] == ["steps/*.interface.yaml"]


@pytest.mark.parametrize("value, fragment", [
    ('"**/*.step.yaml"', "'interface-globs' must be a list of strings, not a string"),
    ("[1]", "'interface-globs' must be a list of strings, but holds a number"),
    ('["!"]', "'interface-globs' entry '!' is not a valid glob"),
    ('["a\\\\"]', "'interface-globs' entry 'a\\' is not a valid glob"),
    ('[""]', "'interface-globs' entry '' matches no file"),
    ('["# steps"]', "'interface-globs' entry '# steps' matches no file"),
])
def test_ill_formed_globs_are_one_line_configuration_errors(tmp_path, value, fragment):
    assert_one_line_error(run_steplint(".", cwd=make(tmp_path, f"interface-globs = {value}\n")), fragment)


def test_a_misspelt_key_is_an_unknown_key(tmp_path):
    root = make(tmp_path, 'interface-glob = ["**/*.interface.yaml"]\n')
    assert_one_line_error(run_steplint(".", cwd=root), "unknown key 'interface-glob'")


# components of the normalised relative posix paths discovery hands the matcher (no empty or
# '.' components: those never reach it)
PATH_PARTS = st.sampled_from(["a", "b.step.yaml", ".step.yaml", "x.interface.yaml", "step.yaml", "c.step.yml",
                              "..a", "d.STEP.yaml", "e.step.yaml.bak"])


@settings(max_examples=300, deadline=None)
@given(suffixes=st.lists(st.sampled_from([".step.yaml", ".interface.yaml", "yaml", ".step.yml", "-x.y"]),
                         min_size=1, max_size=3),
       parts=st.lists(PATH_PARTS, min_size=1, max_size=4))
def test_plain_suffix_globs_match_what_pathspec_matches(suffixes, parts):
    """The fast path for ``**/*<suffix>`` globs (no pattern library imported) agrees with
    pathspec's gitignore semantics."""
    from pathspec import GitIgnoreSpec

    globs = tuple(f"**/*{suffix}" for suffix in suffixes)
    path = "/".join(parts)
    assert glob_matcher(globs)(path) == GitIgnoreSpec.from_lines(list(globs)).match_file(path)
