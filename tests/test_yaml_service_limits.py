"""SL506 on YAML step interfaces (issue 14), through the CLI: the inputs, outputs, channels and env
vars the builder cursus synthesises always makes are checked against the service's limits and
reported at the YAML node; optional and skipped inputs are not counted, and a variant is checked
as its merged view."""

from __future__ import annotations

import json

from steplint.rules._sagemaker_examples import INTERFACE_PATH, wide_interface_project

from tests.conftest import run_steplint, write_project

INTERFACE = INTERFACE_PATH.format(stem="wide_merge")


def findings(root) -> list:
    result = run_steplint(root, "--select", "SL506", "--no-cache", "--output-format", "json", cwd=root)
    assert result.returncode in (0, 1), result.stderr
    return json.loads(result.stdout)


def line_of(root, text: str, after: int = 0) -> int:
    lines = (root / INTERFACE).read_text().splitlines()
    return next(number for number, line in enumerate(lines, 1) if number > after and line.strip() == text)


def test_eleven_required_inputs_are_reported_at_the_dependencies_node(tmp_path):
    root = write_project(tmp_path, wide_interface_project(11))
    [finding] = findings(root)
    assert finding["filename"] == INTERFACE
    assert finding["location"] == {"row": line_of(root, "dependencies:"), "column": 3}
    assert "11 processing inputs" in finding["message"] and "WideMerge" in finding["message"]
    assert "maximum of 10" in finding["message"] and len(finding["message"]) <= 120
    assert "one ProcessingInput per required spec dependency" in finding["help"]
    assert "CreateProcessingJob rejects the request" in finding["help"]
    assert "at most 10 processing inputs" in finding["help"]


def test_optional_and_skipped_inputs_are_not_counted(tmp_path):
    assert findings(write_project(tmp_path / "optional", wide_interface_project(10, optional=3))) == []
    assert findings(write_project(tmp_path / "skipped", wide_interface_project(12, skipped=2))) == []


def test_an_env_var_name_the_service_rejects_is_reported_at_its_key(tmp_path):
    root = write_project(tmp_path, wide_interface_project(2, env="MODEL-NAME"))
    [finding] = findings(root)
    assert finding["location"] == {"row": line_of(root, "MODEL-NAME: label"), "column": 7}
    assert "'MODEL-NAME'" in finding["message"] and "pattern" in finding["message"]
    assert "CreateProcessingJob" in finding["help"]
    assert findings(write_project(tmp_path / "good", wide_interface_project(2, env="MODEL_NAME"))) == []


def test_a_training_step_with_more_channels_than_the_service_takes(tmp_path):
    root = write_project(tmp_path, wide_interface_project(21, sagemaker_step_type="Training"))
    [finding] = findings(root)
    assert finding["location"]["row"] == line_of(root, "path: /opt/ml/input/data/table_0")
    assert "21 input channels" in finding["message"] and "maximum of 20" in finding["message"]
    assert "CreateTrainingJob" in finding["help"]
    assert findings(write_project(tmp_path / "good", wide_interface_project(20, sagemaker_step_type="Training"))) == []


VARIANT = """\
training:
  spec:
    dependencies:
      table_x:
        type: processing_output
  contract:
    inputs:
      table_x:
        path: /opt/ml/processing/input/x
validation:
  spec:
    node_type: sink
"""


def test_a_variant_over_the_limit_is_reported_at_its_node_and_the_inherited_env_var_once(tmp_path):
    root = write_project(tmp_path, wide_interface_project(10, env="MODEL-NAME", variant=VARIANT))
    found = findings(root)
    assert sorted(finding["location"]["row"] for finding in found) == [
        line_of(root, "MODEL-NAME: label"), line_of(root, "dependencies:", after=line_of(root, "training:"))]
    [count] = [finding for finding in found if "processing inputs" in finding["message"]]
    assert "11 processing inputs" in count["message"]


def outputs_interface(count: int, sink: bool = False) -> dict:
    outputs = "".join(f"    out_{n}:\n      path: /opt/ml/processing/output/out_{n}\n" for n in range(count))
    ports = "".join(f"    out_{n}:\n      type: processing_output\n" for n in range(count))
    text = ("step_type: WideMerge\nnode_type: internal\nregistry:\n  sagemaker_step_type: Processing\n"
            "contract:\n  entry_point: null\n" + ("  sink: true\n" if sink else "") + f"  outputs:\n{outputs}"
            f"spec:\n  outputs:\n{ports}")
    return {INTERFACE: text}


def test_eleven_outputs_are_reported_at_the_spec_outputs_node_unless_the_step_is_a_sink(tmp_path):
    root = write_project(tmp_path, outputs_interface(11))
    [finding] = findings(root)
    assert finding["location"] == {"row": line_of(root, "outputs:", after=line_of(root, "spec:")), "column": 3}
    assert "11 processing outputs" in finding["message"] and "one ProcessingOutput per spec output" in finding["help"]
    assert findings(write_project(tmp_path / "ten", outputs_interface(10))) == []
    assert findings(write_project(tmp_path / "sink", outputs_interface(11, sink=True))) == []
