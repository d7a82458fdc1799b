"""SL501-SL507 (SageMaker facts): branch cases that tests/test_sagemaker_model_rules.py and
tests/test_hyperparameters_encoded_twice.py leave open, in process on the SL5xx example
projects (rules/_sagemaker_examples.py): where SL504's findings point, which SDK release
it checks against for each kind of pin, and when the property-path fixes can be offered."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from steplint.api import check_paths, configure
from steplint.rules import _builder_examples as examples
from steplint.rules._sagemaker_examples import builder_project, property_path_project
from steplint.sagemaker import data

from tests.conftest import write_project
from tests.rule_projects import findings, fixed, line_of, working_directory

BUILDER = "steps/builders/builder_training_step.py"
MODEL_SPEC = "steps/specs/model_spec.py"


def reported(files: dict, code: str):
    """The findings of ``code`` for ``files``, as the API returns them (``message`` and ``help``)."""
    with tempfile.TemporaryDirectory() as directory, working_directory(write_project(Path(directory), files)):
        result = check_paths(["."], configure(["."]))
        assert not result.internal_errors, result.internal_errors
        return [finding for finding in result.findings if finding.code == code]


def pinned(version: str | None, kwargs: str = 'framework_version="0.1.0",\npy_version="py310",') -> dict:
    files = builder_project(kwargs)
    if version is not None:
        files["requirements.txt"] = f"sagemaker=={version}\n"
    return files


def test_sl504_points_at_the_framework_version_keyword():
    files = pinned(None)
    [finding] = findings(files, "SL504")
    assert (finding.path, finding.line) == (BUILDER, line_of(files[BUILDER], 'framework_version="0.1.0"'))
    assert finding.says("framework_version '0.1.0'", f"is not listed for pytorch training by sagemaker "
                        f"{data.sdk_version()} (nearest: ")
    [full] = reported(files, "SL504")
    assert "raises ValueError when the pipeline definition is built" in full.help
    assert "Use a version it lists: " in full.help and "2.1.0" in full.help


def test_sl504_points_at_the_py_version_keyword():
    files = pinned(None, 'framework_version="2.1.0",\npy_version="py27",')
    [finding] = findings(files, "SL504")
    assert (finding.path, finding.line) == (BUILDER, line_of(files[BUILDER], 'py_version="py27"'))
    assert finding.says("py_version 'py27' is not listed for pytorch 2.1.0", "(listed: py310")
    [full] = reported(files, "SL504")
    assert "ValueError: Unsupported Python version" in full.help and "Use one of the listed versions" in full.help


def test_sl504_points_at_the_huggingface_base_framework_keyword():
    files = builder_project('transformers_version="4.28.1",\npytorch_version="9.9",\npy_version="py310",',
                            estimator="HuggingFace")
    [finding] = findings(files, "SL504")
    assert (finding.path, finding.line) == (BUILDER, line_of(files[BUILDER], 'pytorch_version="9.9"'))
    assert finding.says("pytorch_version '9.9' is not listed for transformers 4.28.1", "(listed: ")
    [full] = reported(files, "SL504")
    assert "Use a pytorch_version it lists for transformers 4.28.1: " in full.help


def checked_against(files: dict) -> tuple[str, str]:
    """(message, help) of the one SL504 finding: the message names the release checked
    against, the help how it was chosen."""
    [finding] = reported(files, "SL504")
    return finding.message, finding.help


def test_sl504_without_a_pin_checks_the_newest_release_it_knows():
    message, help = checked_against(pinned(None))
    assert f"by sagemaker {data.sdk_version()} " in message
    assert f"sagemaker {data.sdk_version()} (the newest SDK 2.x release steplint knows; the project pins none)" in help


def test_sl504_a_pin_at_the_newest_release_is_the_pin():
    newest = data.sdk_version()
    message, help = checked_against(pinned(newest))
    assert f"by sagemaker {newest} " in message and f"sagemaker {newest} (pinned in requirements.txt)" in help


@pytest.mark.parametrize("version", ["2.200.0", data.sdk_history_start()])
def test_sl504_a_pin_steplint_knows_is_the_pin(version):
    message, help = checked_against(pinned(version))
    assert f"by sagemaker {version} " in message and f"sagemaker {version} (pinned in requirements.txt)" in help


def test_sl504_a_pin_newer_than_steplint_knows_is_checked_against_the_newest():
    message, help = checked_against(pinned("2.9999.0"))
    assert f"by sagemaker {data.sdk_version()} " in message
    assert (f"sagemaker {data.sdk_version()} (the newest release steplint knows; the project pins 2.9999.0 in "
            "requirements.txt)") in help


def test_sl504_a_pin_older_than_steplint_knows_is_checked_against_the_newest():
    message, help = checked_against(pinned("1.72.0"))
    assert f"by sagemaker {data.sdk_version()} " in message
    assert (f"sagemaker {data.sdk_version()} (the newest release steplint knows; the project pins 1.72.0 in "
            f"requirements.txt, older than the {data.sdk_history_start()} ..") in help


# -- when the property-path fixes are offered ----------------------------------------------------------


def test_sl503_fixes_a_plain_string():
    files = property_path_project("Properties.ModelArtifacts.S3ModelArtifacts")
    [finding] = findings(files, "SL503")
    assert finding.line == line_of(files[MODEL_SPEC], "property_path=") and finding.fix == "write 'properties'"
    assert fixed(files)[MODEL_SPEC] == property_path_project("properties.ModelArtifacts.S3ModelArtifacts")[MODEL_SPEC]


def test_sl503_reports_but_does_not_rewrite_a_concatenated_string():
    files = property_path_project('Properties.ModelArtifacts" ".S3ModelArtifacts')
    assert '"Properties.ModelArtifacts" ".S3ModelArtifacts"' in files[MODEL_SPEC]
    [finding] = findings(files, "SL503")
    assert finding.says("starts with 'Properties', not 'properties'") and finding.fix is None
    assert fixed(files) == {}


@pytest.mark.parametrize("head", ["properties", "props", "Property"])
def test_sl503_only_a_differently_cased_properties_is_this_rule(head):
    assert findings(property_path_project(f"{head}.ModelArtifacts.S3ModelArtifacts"), "SL503") == []


def test_sl503_any_casing_of_properties_is_reported():
    [finding] = reported(property_path_project("PROPERTIES.ModelArtifacts.S3ModelArtifacts"), "SL503")
    assert "'PROPERTIES.ModelArtifacts.S3ModelArtifacts' of output 'model_output' starts with 'PROPERTIES'" \
        in finding.message
    assert "Write 'properties.ModelArtifacts.S3ModelArtifacts'." in finding.help


# -- SL506: required processing inputs against the service's maximum ----------------------------------------

PROCESSING_SPEC = "steps/specs/preprocessing_spec.py"


def required_inputs(count: int) -> dict:
    """A processing step whose spec-driven builder makes one ProcessingInput per dependency,
    with ``count`` required dependencies."""
    files = examples.processing_project(examples.PROCESSING_REFERENCE_INPUTS)
    dependencies = "".join(f'        DependencySpec(logical_name="input_{index}", required=True, '
                           f'dependency_type=DependencyType.PROCESSING_OUTPUT),\n' for index in range(count))
    files[PROCESSING_SPEC] = files[PROCESSING_SPEC].replace(
        '        DependencySpec(logical_name="data_input", dependency_type=DependencyType.PROCESSING_OUTPUT),\n',
        dependencies)
    return files


def test_sl506_more_required_dependencies_than_a_processing_job_takes_inputs():
    limit = data.collection_max("CreateProcessingJobRequest", "ProcessingInputs")[1]
    files = required_inputs(limit + 1)
    [finding] = findings(files, "SL506")
    assert (finding.path, finding.line) == (PROCESSING_SPEC, line_of(files[PROCESSING_SPEC], "dependencies=["))
    assert finding.says(f"PREPROCESSING_SPEC: {limit + 1} required dependencies", f"maximum of {limit}")
    [full] = reported(files, "SL506")
    assert full.help.startswith("PreprocessingStepBuilder makes one ProcessingInput per dependency of "
                                "PREPROCESSING_SPEC")
    assert "CreateProcessingJob rejects the request with a ValidationException" in full.help
    assert f"Declare at most {limit} required dependencies" in full.help


def test_sl506_as_many_required_dependencies_as_a_processing_job_takes_inputs():
    limit = data.collection_max("CreateProcessingJobRequest", "ProcessingInputs")[1]
    assert findings(required_inputs(limit), "SL506") == []


# -- SL507: how its fix is described ------------------------------------------------------------------------------


@pytest.mark.parametrize(("value", "shown"), [
    ('"adam"', '"adam"'),
    ("self.config.optimizer_settings_for_this_particular_run", "the value"),
    ('{"name": "adam",\n     "lr": 0.1}', "the value"),
])
def test_sl507_fix_shows_a_short_one_line_value_and_names_any_other(value, shown):
    files = builder_project('framework_version="2.1.0",\npy_version="py310",\n'
                            f'hyperparameters={{"epochs": 10, "optimizer": json.dumps({value})}},',
                            imports="import json\n")
    [finding] = findings(files, "SL507")
    assert finding.fix == f"pass {shown} itself, not json.dumps(...)"
