"""SL202-SL204 (container paths against the job kind): a bad and a good case per branch.

Each case varies the catalog's processing step or training step (rules/_catalog_examples.py)
and asserts the exact finding (code, file, line, key words of the message and its help) or its
absence.
"""

from __future__ import annotations

import pytest
from steplint.rules._catalog_examples import (
    CONTRACT,
    PROCESSING_STEP,
    REGISTRY,
    TRAINING_CONTRACT,
    TRAINING_STEP,
    project,
)

from tests.conftest import write_project
from tests.rule_projects import cli_findings, findings, line_of

PROCESSING_INPUT = '{"DATA": "/opt/ml/processing/input/data"}'
PROCESSING_OUTPUT = '{"processed_data": "/opt/ml/processing/output"}'
TRAINING_INPUT = '{"input_path": "/opt/ml/input/data"}'
TRAINING_OUTPUT = '{"model_output": "/opt/ml/model"}'


def processing(inputs: str = PROCESSING_INPUT, outputs: str = PROCESSING_OUTPUT, *more) -> dict:
    changes = [(CONTRACT, PROCESSING_INPUT, inputs)] if inputs != PROCESSING_INPUT else []
    if outputs != PROCESSING_OUTPUT:
        changes.append((CONTRACT, PROCESSING_OUTPUT, outputs))
    return project(PROCESSING_STEP, *changes, *more)


def training(inputs: str = TRAINING_INPUT, outputs: str = TRAINING_OUTPUT) -> dict:
    changes = [(TRAINING_CONTRACT, TRAINING_INPUT, inputs)] if inputs != TRAINING_INPUT else []
    if outputs != TRAINING_OUTPUT:
        changes.append((TRAINING_CONTRACT, TRAINING_OUTPUT, outputs))
    return project(TRAINING_STEP, *changes)


def at(files: dict, path: str, needle: str) -> tuple:
    return (path, line_of(files[path], needle))


def test_the_catalog_steps_have_no_path_findings():
    assert findings({**processing(), **training()}, "SL202", "SL203", "SL204") == []


# -- SL202 path-kind-mismatch: processing ------------------------------------------------------------


@pytest.mark.parametrize("path", ["/opt/ml/processing/input/data", "/opt/ml/processing/x/y/z",
                                  "/opt/ml/processing/input/"])
def test_sl202_processing_paths_under_the_processing_root_are_fine(path):
    assert findings(processing(f'{{"DATA": "{path}"}}'), "SL202") == []


@pytest.mark.parametrize(("path", "training_hint"), [
    ("/opt/ml/input/data/training", True),
    ("/opt/ml/model/weights", True),
    ("/opt/ml/model", True),
    ("/data/input", False),
    ("/opt/ml/processing", False),  # the root itself is no input
    ("/opt/ml/processing/", False),
    ("/opt/ml/processingdata", False),
])
def test_sl202_processing_input_outside_the_processing_root(path, training_hint):
    files = processing(f'{{"DATA": "{path}"}}')
    [finding] = findings(files, "SL202")
    assert (finding.path, finding.line) == at(files, CONTRACT, "expected_input_paths=")
    assert finding.says(f"input 'DATA' of PREPROCESSING_CONTRACT is {path}, outside /opt/ml/processing/")
    assert finding.helps("or the service rejects the job", "Use /opt/ml/processing/input/<name>, here and in the script")
    assert (f"{path} is a training-container path" in finding.help) is training_hint


def test_sl202_processing_output_outside_the_processing_root_names_the_output_directory():
    files = processing(outputs='{"processed_data": "/opt/ml/output/data"}')
    [finding] = findings(files, "SL202")
    assert finding.line == line_of(files[CONTRACT], "expected_output_paths=")
    assert finding.says("output 'processed_data' of PREPROCESSING_CONTRACT is /opt/ml/output/data")
    assert finding.helps("Use /opt/ml/processing/output/<name>")


def test_sl202_processing_config_directory_is_sl201s_not_this_rule():
    files = processing('{"DATA": "/opt/ml/processing/input/data", "cfg": "/opt/ml/config/processingjobconfig.json"}')
    assert findings(files, "SL202") == []


# -- SL202 path-kind-mismatch: training ---------------------------------------------------------------


@pytest.mark.parametrize("path", ["/opt/ml/input/data", "/opt/ml/input/data/train", "/opt/ml/input/config/x.json"])
def test_sl202_training_inputs_under_the_channel_root_or_config_are_fine(path):
    assert findings(training(f'{{"input_path": "{path}"}}'), "SL202") == []


@pytest.mark.parametrize(("path", "processing_hint"), [
    ("/opt/ml/processing/input/data", True), ("/opt/ml/input/train", False), ("/opt/ml/input/datasets", False)])
def test_sl202_training_input_outside_the_channel_root(path, processing_hint):
    files = training(f'{{"input_path": "{path}"}}')
    [finding] = findings(files, "SL202")
    assert (finding.path, finding.line) == at(files, TRAINING_CONTRACT, "expected_input_paths=")
    assert finding.says(f"input 'input_path' of TRAINING_CONTRACT is {path}, outside /opt/ml/input/data")
    assert finding.helps("receives input channels only at /opt/ml/input/data/<channel>",
                         f"no channel is delivered at {path}")
    assert (f"{path} is a processing-job path" in finding.help) is processing_hint


def test_sl202_a_line_too_long_with_the_contracts_name_leaves_it_to_the_location():
    path = "/opt/ml/code/hyperparams/hyperparameters.json"
    files = training(f'{{"hyperparameters_s3_uri": "{path}"}}')
    [finding] = findings(files, "SL202")
    assert finding.message == f"input 'hyperparameters_s3_uri' is {path}, outside /opt/ml/input/data"
    assert finding.path == TRAINING_CONTRACT


@pytest.mark.parametrize("path", ["/opt/ml/model", "/opt/ml/model/", "/opt/ml/output/data/metrics",
                                  "/opt/ml/checkpoints", "/opt/ml/output/tensorboard"])
def test_sl202_training_outputs_sagemaker_uploads_are_fine(path):
    assert findings(training(outputs=f'{{"model_output": "{path}"}}'), "SL202") == []


@pytest.mark.parametrize(("path", "processing_hint"), [
    ("/opt/ml/processing/model", True), ("/opt/ml/output", False), ("/opt/ml/models", False), ("/tmp/model", False)])
def test_sl202_training_output_sagemaker_never_uploads(path, processing_hint):
    files = training(outputs=f'{{"model_output": "{path}"}}')
    [finding] = findings(files, "SL202")
    assert (finding.path, finding.line) == at(files, TRAINING_CONTRACT, "expected_output_paths=")
    assert finding.says(f"output 'model_output' of TRAINING_CONTRACT is {path}, which a training job never uploads")
    assert finding.helps(f"what the script writes at {path} is lost",
                         "Write the output to /opt/ml/model or /opt/ml/output/data")
    assert (f"{path} is a processing-job path" in finding.help) is processing_hint


def test_sl202_a_step_of_another_kind_is_not_judged():
    """A transform step (the registry says so) has no processing or training paths to check."""
    files = processing('{"DATA": "/data/input"}', PROCESSING_OUTPUT,
                       (REGISTRY, '"TabularPreprocessing", "sagemaker_step_type": "Processing"',
                        '"TabularPreprocessing", "sagemaker_step_type": "Transform"'))
    assert findings(files, "SL202") == []


def test_sl202_cli_reports_the_contract_line(tmp_path):
    files = training(outputs='{"model_output": "/opt/ml/processing/model"}')
    reported = [f for f in cli_findings(write_project(tmp_path, files)) if f["code"] == "SL202"]
    assert [(f["filename"], f["location"]["row"]) for f in reported] == [at(files, TRAINING_CONTRACT,
                                                                             "expected_output_paths=")]


# -- SL203 output-path-is-file -------------------------------------------------------------------------


def test_sl203_processing_output_naming_a_file():
    files = processing(outputs='{"processed_data": "/opt/ml/processing/output/data.csv"}')
    [finding] = findings(files, "SL203")
    assert (finding.path, finding.line) == at(files, CONTRACT, "expected_output_paths=")
    assert finding.says("output 'processed_data' names a file, not a directory: /opt/ml/processing/output/data.csv")
    assert finding.helps("SageMaker creates /opt/ml/processing/output/data.csv as a directory before the script runs",
                         "the next step receives an S3 prefix", "(such as /opt/ml/processing/output)",
                         "have the script write data.csv into it")
    assert "packs /opt/ml/model" not in finding.help


def test_sl203_model_tarball_under_the_model_directory_says_sagemaker_packs_it():
    files = training(outputs='{"model_output": "/opt/ml/model/model.tar.gz"}')
    [finding] = findings(files, "SL203")
    assert finding.says("output 'model_output' names a file, not a directory: /opt/ml/model/model.tar.gz")
    assert finding.helps("SageMaker itself packs /opt/ml/model into model.tar.gz", "(such as /opt/ml/model)")


@pytest.mark.parametrize("outputs", ['{"processed_data": "/opt/ml/processing/output"}',
                                     '{"processed_data": "/opt/ml/processing/output/v1.2/"}'])
def test_sl203_directories_are_fine(outputs):
    assert findings(processing(outputs=outputs), "SL203") == []


def test_sl203_an_input_naming_a_file_is_not_this_rule():
    assert findings(processing('{"DATA": "/opt/ml/processing/input/data/train.csv"}'), "SL203") == []


# -- SL204 overlapping-paths --------------------------------------------------------------------------

TWO_OUTPUTS = '{{"processed_data": "{0}", "metadata": "{1}"}}'


@pytest.mark.parametrize(("second", "how"), [
    ("/opt/ml/processing/output", "is the same directory as"),
    ("/opt/ml/processing/output/", "is the same directory as"),
    ("/opt/ml/processing/output/metadata", "is inside"),
])
def test_sl204_two_outputs_on_one_directory_or_nested(second, how):
    files = processing(outputs=TWO_OUTPUTS.format("/opt/ml/processing/output", second))
    [finding] = findings(files, "SL204")
    assert (finding.path, finding.line) == at(files, CONTRACT, "expected_output_paths=")
    assert finding.says(f"output 'metadata' {how} output 'processed_data' (/opt/ml/processing/output)")
    assert finding.helps("Both are uploaded, so the files they share land in two S3 locations",
                         "Give each output a directory of its own")


def test_sl204_the_parent_declared_second_is_reported_too():
    files = processing(outputs=TWO_OUTPUTS.format("/opt/ml/processing/output/data", "/opt/ml/processing/output"))
    [finding] = findings(files, "SL204")
    assert finding.says("output 'metadata' contains output 'processed_data' (/opt/ml/processing/output/data)")


def test_sl204_sibling_outputs_are_fine():
    files = processing(outputs=TWO_OUTPUTS.format("/opt/ml/processing/output/data", "/opt/ml/processing/output/meta"))
    assert findings(files, "SL204") == []


def test_sl204_sibling_with_a_common_prefix_is_not_nested():
    files = processing(outputs=TWO_OUTPUTS.format("/opt/ml/processing/output", "/opt/ml/processing/output2"))
    assert findings(files, "SL204") == []


def test_sl204_output_overlapping_an_input():
    files = processing(outputs='{"processed_data": "/opt/ml/processing/input/data/out"}')
    [finding] = findings(files, "SL204")
    assert finding.says("output 'processed_data' is inside input 'DATA' (/opt/ml/processing/input/data)")
    assert finding.helps("Files the input brings under /opt/ml/processing/input/data/out would be uploaded with the "
                         "output")


def test_sl204_two_overlapping_inputs_are_fine():
    files = processing('{"DATA": "/opt/ml/processing/input", "extra": "/opt/ml/processing/input/extra"}')
    assert findings(files, "SL204") == []


def test_sl204_an_output_overlapping_two_earlier_paths_is_reported_once():
    files = processing(outputs='{"processed_data": "/opt/ml/processing/input/data", '
                               '"metadata": "/opt/ml/processing/input/data"}')
    found = findings(files, "SL204")
    assert [f.message.split("'")[1] for f in found] == ["processed_data", "metadata"]
    assert "input 'DATA'" in found[1].message  # the first overlap found, not the output before it
    assert found[1].helps("The files downloaded for input 'DATA' are uploaded again with the output")


def test_sl204_training_output_nested_in_the_model_directory():
    files = training(outputs='{"model_output": "/opt/ml/model", "extra": "/opt/ml/model/extra"}')
    [finding] = findings(files, "SL204")
    assert finding.says("output 'extra' is inside output 'model_output' (/opt/ml/model)")
    assert finding.helps("The files under /opt/ml/model/extra belong to both outputs")


def test_findings_point_at_the_contract_that_declares_the_paths():
    files = processing(outputs=TWO_OUTPUTS.format("/opt/ml/processing/output", "/opt/ml/output/x.csv"))
    assert {(f.code, f.path) for f in findings(files, "SL202", "SL203", "SL204")} == {
        ("SL202", CONTRACT), ("SL203", CONTRACT)}
