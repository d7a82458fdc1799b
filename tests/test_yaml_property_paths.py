"""SL501-SL503 on YAML step interfaces (``spec.outputs.<name>.property_path``), through the CLI:
where the findings point, what they say, that the fixes rewrite the scalar in its own quoting,
that a node every variant inherits is reported once, and when the rules stay silent."""

from __future__ import annotations

import json

import pytest
from steplint.rules._sagemaker_examples import interface_project

from tests.conftest import run_steplint, write_project

PROCESSING = "steps/interfaces/risk_features.step.yaml"
TRAINING = "steps/interfaces/risk_model_training.step.yaml"
GOOD = "properties.ProcessingOutputConfig.Outputs['processed_data'].S3Output.S3Uri"
WRONG_KEY = "properties.ProcessingOutputConfig.Outputs['processed'].S3Output.S3Uri"
CODES = "SL501,SL502,SL503"


def findings(root) -> list:
    result = run_steplint(root, "--select", CODES, "--no-cache", "--output-format", "json", cwd=root)
    assert result.returncode in (0, 1), result.stderr
    return json.loads(result.stdout)


def fix(root, *options) -> str:
    result = run_steplint(root, "--select", CODES, "--no-cache", "--fix", *options, cwd=root)
    assert result.returncode in (0, 1) and "Traceback" not in result.stderr, result.stderr
    return result.stdout


@pytest.mark.parametrize(("written", "fixed"), [
    (WRONG_KEY, GOOD),
    (f"'{WRONG_KEY}'".replace("['processed']", "[''processed'']"), f"'{GOOD}'".replace("['processed_data']",
                                                                                         "[''processed_data'']")),
    (f'"{WRONG_KEY}"', f'"{GOOD}"'),
])
def test_sl502_points_at_the_scalar_and_its_fix_keeps_the_quoting(tmp_path, written, fixed):
    root = write_project(tmp_path, interface_project(written))
    [finding] = findings(root)
    text = (root / PROCESSING).read_text()
    line = text.splitlines().index(f"      property_path: {written}") + 1
    assert (finding["code"], finding["location"]) == ("SL502", {"row": line, "column": 22})
    assert "Outputs['processed']" in finding["message"] and "'processed_data'" in finding["message"]
    assert "RiskFeatures" in finding["message"] and len(finding["message"]) <= 120
    assert "Use Outputs['processed_data']" in finding["help"]
    fix(root)
    assert (root / PROCESSING).read_text() == text.replace(written, fixed)
    assert findings(root) == []
    assert "Fixed" not in fix(root)


def test_sl503_fix_lower_cases_the_prefix_in_the_yaml(tmp_path):
    root = write_project(tmp_path, interface_project("Properties" + GOOD[len("properties"):]))
    [finding] = findings(root)
    assert finding["code"] == "SL503" and "'Properties'" in finding["message"]
    assert "processed_data" in finding["message"]
    fix(root)
    assert (root / PROCESSING).read_text() == interface_project(GOOD)[PROCESSING]


def test_sl501_checks_the_training_response_and_offers_an_unsafe_fix(tmp_path):
    files = interface_project("properties.TrainingJobDefinition.OutputDataConfig.S3OutputPath",
                              sagemaker_step_type="Training", output="model_output")
    root = write_project(tmp_path, files)
    [finding] = findings(root)
    assert finding["code"] == "SL501" and "'model_output'" in finding["message"]
    assert "DescribeTrainingJobResponse has no member 'TrainingJobDefinition'" in finding["message"]
    assert "properties.OutputDataConfig.S3OutputPath" in finding["help"]
    fix(root)
    assert (root / TRAINING).read_text() == files[TRAINING], "an unsafe fix needs --unsafe-fixes"
    fix(root, "--unsafe-fixes")
    assert "property_path: properties.OutputDataConfig.S3OutputPath\n" in (root / TRAINING).read_text()
    assert findings(root) == []


def test_a_register_model_step_is_checked_against_the_model_package_description(tmp_path):
    good = write_project(tmp_path / "good", interface_project("properties.ModelPackageArn",
                                                              sagemaker_step_type="RegisterModel"))
    bad = write_project(tmp_path / "bad", interface_project("properties.ModelArtifacts.S3ModelArtifacts",
                                                            sagemaker_step_type="RegisterModel"))
    assert findings(good) == []
    [finding] = findings(bad)
    assert finding["code"] == "SL501" and "DescribeModelPackageOutput" in finding["message"] + finding["help"]


VARIANT_INHERITS = """\
training:
  spec:
    outputs:
      processed_data:
        type: processing_output
validation:
  spec:
    outputs:
      processed_data:
        type: processing_output
"""


def test_a_path_every_variant_inherits_is_reported_once_without_a_variant_note(tmp_path):
    root = write_project(tmp_path, interface_project(WRONG_KEY, variant=VARIANT_INHERITS))
    [finding] = findings(root)
    assert finding["code"] == "SL502" and "variant" not in finding["message"]


def test_a_variant_override_is_reported_at_the_variants_node_naming_the_variant(tmp_path):
    variant = f"validation:\n  spec:\n    outputs:\n      processed_data:\n        property_path: {WRONG_KEY}\n"
    root = write_project(tmp_path, interface_project(GOOD, variant=variant))
    [finding] = findings(root)
    text = (root / PROCESSING).read_text()
    assert finding["location"]["row"] == text.splitlines().index(f"          property_path: {WRONG_KEY}") + 1
    assert "(in variant 'validation')" in finding["message"]
    fix(root)
    assert (root / PROCESSING).read_text() == text.replace(WRONG_KEY, GOOD)


def test_a_delegated_step_is_not_checked_against_a_sagemaker_response(tmp_path):
    """Its step class is another package's: what its properties hold, steplint cannot tell."""
    files = interface_project(WRONG_KEY.replace("S3Uri", "S3Url"))
    files[PROCESSING] = files[PROCESSING].replace("node_type: internal\n",
                                                  "node_type: internal\npatterns:\n  step_assembly: delegation\n")
    assert findings(write_project(tmp_path, files)) == []


def test_a_key_written_in_yaml_that_plain_text_cannot_hold_is_quoted_by_the_fix(tmp_path):
    """The logical name 'out #1' cannot follow a space in a plain scalar (' #' starts a
    comment): the fix single-quotes the path instead of cutting it."""
    files = interface_project(WRONG_KEY, output="'out #1'")
    root = write_project(tmp_path, files)
    [finding] = findings(root)
    assert finding["code"] == "SL502" and "'out #1'" in finding["message"]
    fix(root)
    expected = "'" + WRONG_KEY.replace("['processed']", "['out #1']").replace("'", "''") + "'"
    assert f"      property_path: {expected}\n" in (root / PROCESSING).read_text()
    assert findings(root) == []
