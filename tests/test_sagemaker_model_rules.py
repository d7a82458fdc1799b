"""SL501-SL506: behaviour beyond the rules' own examples (fixture, fixes, Unknowns, limits, laziness)."""

from __future__ import annotations

import ast
import os
import shutil

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from steplint.api import check_paths, configure, fix_paths_in_memory
from steplint.rules import all_rules
from steplint.rules._sagemaker_examples import (
    builder_project,
    processing_project,
    property_path_project,
)
from steplint.sagemaker import data

from tests.conftest import FIXTURES, write_project

FIXTURE = FIXTURES / "sagemaker_model_defects"
CODES = ("SL501", "SL502", "SL503", "SL504", "SL505", "SL506")
VERSIONS = 'framework_version="2.1.0",\npy_version="py310",\n'


def findings(root, monkeypatch, code_prefix="SL5"):
    monkeypatch.chdir(root)
    result = check_paths(["."], configure(["."]))
    assert not result.internal_errors, result.internal_errors
    return [finding for finding in result.findings if finding.code.startswith(code_prefix)]


def check(tmp_path, monkeypatch, files, code):
    return [f for f in findings(write_project(tmp_path, files), monkeypatch) if f.code == code]


def fixture_copy(tmp_path):
    """A copy of the fixture project, so runs never leave files (caches) in the repository."""
    return shutil.copytree(FIXTURE, tmp_path / "project")


def test_fixture_reports_exactly_its_expected_sagemaker_findings(tmp_path, monkeypatch):
    expected = sorted(line for line in (FIXTURE / "expected_findings.txt").read_text().splitlines()
                      if line.split(": ")[-1].startswith("SL5"))
    reported = sorted(f"{f.path}:{f.line}:{f.column}: {f.code}" for f in findings(fixture_copy(tmp_path), monkeypatch))
    assert reported == expected
    assert {line.rsplit(" ", 1)[-1] for line in expected} == set(CODES)


def test_safe_fixes_rename_the_output_key_and_the_prefix_and_keep_other_bytes(tmp_path, monkeypatch):
    root = tmp_path / "project"
    shutil.copytree(FIXTURE, root)
    monkeypatch.chdir(root)
    outcome = fix_paths_in_memory(["."], configure(["."]))
    spec = "src/mlpipe/steps/specs/pytorch_training_spec.py"
    preprocessing = "src/mlpipe/steps/specs/tabular_preprocessing_spec.py"
    before_spec = (root / spec).read_text()
    assert outcome.changed[spec] == before_spec.replace("Properties.ModelArtifacts", "properties.ModelArtifacts")
    assert outcome.changed[preprocessing] == (root / preprocessing).read_text().replace(
        "Outputs['processed']", "Outputs['processed_data']")
    left = {f.code for f in outcome.result.findings}
    assert "SL502" not in left and "SL503" not in left and "SL501" in left


def test_unsafe_fix_applies_the_clear_winner(tmp_path, monkeypatch):
    root = tmp_path / "project"
    shutil.copytree(FIXTURE, root)
    monkeypatch.chdir(root)
    outcome = fix_paths_in_memory(["."], configure(["."]), unsafe=True)
    spec = "src/mlpipe/steps/specs/pytorch_training_spec.py"
    text = outcome.changed[spec]
    assert 'property_path="properties.OutputDataConfig.S3OutputPath"' in text
    assert 'property_path="properties.ModelArtifacts.S3ModelArtifacts"' in text
    assert not {f.code for f in outcome.result.findings} & {"SL501", "SL502", "SL503"}
    again = fix_paths_in_memory(["."], configure(["."]), unsafe=True)
    assert again.changed[spec] == text, "fixing twice must equal fixing once"


def test_no_unsafe_fix_without_a_clear_winner(tmp_path, monkeypatch):
    [finding] = check(tmp_path, monkeypatch, property_path_project("properties.TrainingJobOutput.S3Output"), "SL501")
    assert finding.fix is None
    assert finding.message == ("property_path of output 'model_output': DescribeTrainingJobResponse has no member "
                               "'TrainingJobOutput'")
    assert "Use one of the closest valid paths: 'properties." in finding.help
    assert "DescribeTrainingJobResponse (botocore " in finding.help and "the pipeline cannot resolve it" in finding.help


def test_missing_prefix_is_reported_with_the_prefixed_path_as_fix(tmp_path, monkeypatch):
    [finding] = check(tmp_path, monkeypatch, property_path_project("ModelArtifacts.S3ModelArtifacts"), "SL501")
    assert finding.fix is not None and "properties.ModelArtifacts.S3ModelArtifacts" in finding.fix.description
    assert "'ModelArtifacts.S3ModelArtifacts' of output 'model_output': it does not start with 'properties.'" \
        in finding.message
    assert "Use 'properties.ModelArtifacts.S3ModelArtifacts'." in finding.help


def test_a_model_step_path_lists_the_model_shapes_members(tmp_path, monkeypatch):
    files = property_path_project("properties.ModelArtifacts.S3ModelArtifacts", sagemaker_step_type="CreateModel")
    [finding] = check(tmp_path, monkeypatch, files, "SL501")
    assert "DescribeModelOutput has no member 'ModelArtifacts'" in finding.message
    assert "use one of the members there: " in finding.help and "ModelName" in finding.help


def test_tuning_paths_are_read_against_the_tuning_shapes(tmp_path, monkeypatch):
    files = property_path_project("properties.BestTrainingJob.TrainingJobName", sagemaker_step_type="Tuning")
    assert check(tmp_path, monkeypatch, files, "SL501") == []


def test_output_key_of_a_literal_builder_output_name_is_accepted_but_others_are_not(tmp_path, monkeypatch):
    path = "properties.ProcessingOutputConfig.Outputs['features'].S3Output.S3Uri"
    assert check(tmp_path / "a", monkeypatch, processing_project(path, output_name='"features"'), "SL502") == []
    [finding] = check(tmp_path / "b", monkeypatch, processing_project(path, output_name='"other"'), "SL502")
    assert "selects Outputs['features']" in finding.message and "logical name is 'processed_data'" in finding.message
    assert "no output 'features' exists" in finding.help and "Use Outputs['processed_data']." in finding.help
    assert finding.fix.description == "use Outputs['processed_data']"


# -- Unknown values keep every rule silent ----------------------------------------------
UNKNOWN_CASES = [
    pytest.param(builder_project('framework_version=self.config.framework_version,\n'
                                 'py_version=self.config.py_version,'), "SL504", id="versions-from-config"),
    pytest.param(builder_project(VERSIONS + 'hyperparameters=self.config.hyperparameters,'), "SL505",
                 id="hyperparameters-from-config"),
    pytest.param(builder_project(VERSIONS + 'hyperparameters=self._hyperparameters(),'), "SL506",
                 id="hyperparameters-from-a-method"),
    pytest.param(builder_project(VERSIONS, channels='{self.config.channel: TrainingInput(s3_data=path)}'), "SL506",
                 id="channel-name-from-config"),
    pytest.param(builder_project(VERSIONS + 'environment=self.config.environment,'), "SL506",
                 id="environment-from-config"),
]


@pytest.mark.parametrize(("files", "code"), UNKNOWN_CASES)
def test_unknown_values_are_not_checked(tmp_path, monkeypatch, files, code):
    assert check(tmp_path, monkeypatch, files, code) == []


def test_a_property_path_that_is_not_static_is_not_checked(tmp_path, monkeypatch):
    files = property_path_project("PLACEHOLDER")
    spec = "steps/specs/model_spec.py"
    files[spec] = files[spec].replace('"PLACEHOLDER"', 'build_path("ModelArtifacts")')
    assert findings(write_project(tmp_path, files), monkeypatch) == []


def test_a_spec_of_unknown_step_kind_is_not_checked(tmp_path, monkeypatch):
    files = property_path_project("properties.NoSuchMember")
    files["steps/registry.py"] = files["steps/registry.py"].replace('"sagemaker_step_type": "Training"', '')
    assert check(tmp_path, monkeypatch, files, "SL501") == []


# -- values bound to module constants are checkable -------------------------------------
def test_module_constants_are_checked_where_they_are_written(tmp_path, monkeypatch):
    files = builder_project('framework_version=FRAMEWORK_VERSION,\npy_version="py310",\n'
                            'hyperparameters=HYPERPARAMETERS,')
    files["steps/settings.py"] = 'FRAMEWORK_VERSION = "1.99.0"\nHYPERPARAMETERS = {"sagemaker_region": "eu-west-1"}\n'
    builder = "steps/builders/builder_training_step.py"
    files[builder] = files[builder].replace(
        "from steps.core import",
        "from steps.settings import FRAMEWORK_VERSION, HYPERPARAMETERS\nfrom steps.core import")
    found = {f.code: f for f in findings(write_project(tmp_path, files), monkeypatch)}
    assert found["SL504"].path == builder and "'1.99.0'" in found["SL504"].message
    assert found["SL505"].path == "steps/settings.py" and found["SL505"].line == 2
    assert found["SL505"].message == ("hyperparameter 'sagemaker_region' is reserved: the PyTorch estimator in "
                                      "TrainingStepBuilder sets it itself")
    assert "replaces this value with its own" in found["SL505"].help
    assert found["SL505"].help.endswith("set it through the region of the estimator's sagemaker_session.")


# -- SL504 across frameworks ------------------------------------------------------------
@pytest.mark.parametrize(("estimator", "kwargs", "expect"), [
    ("XGBoost", 'framework_version="1.7-1",', 0),
    ("XGBoost", 'framework_version="1.7",', 1),
    ("SKLearn", 'framework_version="1.2-1",\npy_version="py3",', 0),
    ("PyTorch", 'framework_version="2.1",\npy_version="py38",', 1),
    ("HuggingFace", 'transformers_version="4.36.0",\npytorch_version="2.1.0",\npy_version="py310",', 0),
    ("HuggingFace", 'transformers_version="4.36.0",\npytorch_version="1.0.0",\npy_version="py310",', 1),
    ("HuggingFace", 'transformers_version="9.0.0",\npytorch_version="2.1.0",\npy_version="py310",', 1),
])
def test_framework_versions_per_framework(tmp_path, monkeypatch, estimator, kwargs, expect):
    files = builder_project(kwargs, estimator=estimator)
    assert len(check(tmp_path, monkeypatch, files, "SL504")) == expect


def test_framework_processor_is_checked_through_its_estimator_class(tmp_path, monkeypatch):
    files = builder_project(VERSIONS)
    builder = "steps/builders/builder_training_step.py"
    files[builder] = files[builder].replace(
        "return PyTorch(\n            entry_point=\"train.py\",",
        "return FrameworkProcessor(\n            estimator_cls=PyTorch,\n            framework_version=\"0.0.1\",")
    files[builder] = files[builder].replace('framework_version="2.1.0",\n', "")
    files[builder] = "from sagemaker.processing import FrameworkProcessor\n" + files[builder]
    [finding] = check(tmp_path, monkeypatch, files, "SL504")
    assert "'0.0.1'" in finding.message and "sagemaker 2." in finding.message and "(nearest: " in finding.message


# -- SL505 ------------------------------------------------------------------------------
def test_generic_estimators_may_set_sagemaker_keys(tmp_path, monkeypatch):
    files = builder_project('image_uri="123.dkr.ecr/x:1",\nhyperparameters={"sagemaker_program": "train.py"},',
                            estimator="Estimator")
    assert check(tmp_path, monkeypatch, files, "SL505") == []


# -- SL506 ------------------------------------------------------------------------------
def test_more_channels_than_the_service_allows(tmp_path, monkeypatch):
    channels = "{" + ", ".join(f'"c{i}": TrainingInput(s3_data=path)' for i in range(21)) + "}"
    [finding] = check(tmp_path, monkeypatch, builder_project(VERSIONS, channels=channels), "SL506")
    assert "21 input channels" in finding.message and "maximum of 20" in finding.message
    assert "CreateTrainingJob rejects the request with a ValidationException" in finding.help
    assert "Use at most 20 input channels" in finding.help


def test_a_channel_name_longer_than_the_limit(tmp_path, monkeypatch):
    channels = '{"' + "c" * 65 + '": TrainingInput(s3_data=path)}'
    [finding] = check(tmp_path, monkeypatch, builder_project(VERSIONS, channels=channels), "SL506")
    assert "65 characters" in finding.message and "at most 64" in finding.message
    assert "Use a channel name within the limit" in finding.help


@pytest.mark.parametrize(("count", "expect"), [(95, 0), (96, 1)])
def test_reserved_keys_count_toward_the_hyperparameter_limit(tmp_path, monkeypatch, count, expect):
    entries = ", ".join(f'"p{i}": {i}' for i in range(count))
    files = builder_project(VERSIONS + f"hyperparameters={{{entries}}},")
    assert len(check(tmp_path, monkeypatch, files, "SL506")) == expect


@pytest.mark.parametrize(("length", "expect"), [(2498, 0), (2499, 1)])
def test_hyperparameter_values_are_measured_json_encoded(tmp_path, monkeypatch, length, expect):
    files = builder_project(VERSIONS + f'hyperparameters={{"text": "{"x" * length}"}},')
    assert len(check(tmp_path, monkeypatch, files, "SL506")) == expect


def test_processing_outputs_at_exactly_the_limit_are_fine(tmp_path, monkeypatch):
    files = processing_project("properties.ProcessingOutputConfig.Outputs['processed_data'].S3Output.S3Uri",
                               extra_outputs=9)
    assert check(tmp_path, monkeypatch, files, "SL506") == []


# -- the lint path stays light ----------------------------------------------------------
def test_no_data_loads_for_a_project_without_sagemaker_values(tmp_path, monkeypatch):
    files = {"app/main.py": "def main():\n    return 1\n"}
    data.service_model.cache_clear()
    data.sdk_facts.cache_clear()
    assert findings(write_project(tmp_path, files), monkeypatch) == []
    assert data.service_model.cache_info().currsize == 0
    assert data.sdk_facts.cache_info().currsize == 0


def test_property_case_rule_alone_loads_no_data(tmp_path, monkeypatch):
    data.service_model.cache_clear()
    root = write_project(tmp_path, property_path_project("Properties.ModelArtifacts.S3ModelArtifacts"))
    monkeypatch.chdir(root)
    result = check_paths(["."], configure(["."], overrides={"select": ["SL503"]}))
    assert [f.code for f in result.findings] == ["SL503"]
    assert data.service_model.cache_info().currsize == 0


def test_a_processing_local_path_longer_than_the_limit(tmp_path, monkeypatch):
    files = processing_project("properties.ProcessingOutputConfig.Outputs['processed_data'].S3Output.S3Uri")
    builder = "steps/builders/builder_preprocessing_step.py"
    files[builder] = files[builder].replace('source="/opt/ml/processing/output"',
                                            'source="/opt/ml/processing/output/' + "d" * 240 + '"')
    [finding] = check(tmp_path, monkeypatch, files, "SL506")
    assert "ProcessingOutput source" in finding.message and "256" in finding.message
    assert "Use a shorter container path under /opt/ml/processing/" in finding.help


def test_the_output_key_fix_keeps_the_key_quote_style(tmp_path, monkeypatch):
    files = processing_project('properties.ProcessingOutputConfig.Outputs["processed"].S3Output.S3Uri')
    spec = "steps/specs/preprocessing_spec.py"
    files[spec] = files[spec].replace(
        'property_path="properties.ProcessingOutputConfig.Outputs["processed"].S3Output.S3Uri"',
        "property_path='properties.ProcessingOutputConfig.Outputs[\"processed\"].S3Output.S3Uri'")
    root = write_project(tmp_path, files)
    monkeypatch.chdir(root)
    outcome = fix_paths_in_memory(["."], configure(["."]))
    assert "Outputs[\"processed_data\"]" in outcome.changed[spec]


PATH_TEXT = st.text(alphabet=st.sampled_from(list("properties.PModelArtifacts3[]'0_ Outputs")), max_size=50)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(path=PATH_TEXT, step_type=st.sampled_from(["Training", "Processing", "CreateModel", "Tuning", "Transform"]))
def test_any_property_path_gives_findings_or_none_and_fixes_that_parse(tmp_path_factory, path, step_type):
    root = write_project(tmp_path_factory.mktemp("p"), property_path_project(path, sagemaker_step_type=step_type))
    cwd = os.getcwd()
    os.chdir(root)
    try:
        outcome = fix_paths_in_memory(["."], configure(["."]), unsafe=True)
    finally:
        os.chdir(cwd)
    assert not outcome.result.internal_errors
    for text in outcome.changed.values():
        ast.parse(text)


DOCUMENTED_FIXES = [
    pytest.param(rule, example, id=rule.code)
    for rule in all_rules() if rule.code in CODES
    for example in rule.bad_examples if example.fixed is not None
]


def test_fix_rules_document_their_fix():
    assert {param.values[0].code for param in DOCUMENTED_FIXES} == {"SL501", "SL502", "SL503"}


@pytest.mark.parametrize(("rule", "example"), DOCUMENTED_FIXES)
def test_documented_fix_produces_the_fixed_example(tmp_path, monkeypatch, rule, example):
    monkeypatch.chdir(write_project(tmp_path, example.files))
    outcome = fix_paths_in_memory(["."], configure(["."]), unsafe=True)
    fixed = {path: source.text for path, source in outcome.workspace.sources.items()}
    assert fixed == example.fixed
    assert not [f for f in outcome.result.findings if f.code == rule.code]


# -- messages on plain SDK pipelines, and the shape of every message ----------------------------
def test_sdk_pipeline_findings_name_the_step_and_say_what_follows(tmp_path, monkeypatch):
    from steplint.rules._pipeline_examples import pipeline_project

    files = pipeline_project(("properties.ModelArtifacts.S3ModelArtifacts", "properties.ModelArtifacts.S3ModelArtifact"),
                             ('hyperparameters={"n_estimators": 100}',
                              'hyperparameters={"n_estimators": 100, "sagemaker_program": "x.py"}'))
    found = {f.code: f for f in findings(write_project(tmp_path, files), monkeypatch)}
    sl501, sl505 = found["SL501"], found["SL505"]
    assert sl501.message.startswith("properties.ModelArtifacts.S3ModelArtifact of TrainingStep 'TrainChurn': "
                                    "ModelArtifacts has no member 'S3ModelArtifact'")
    assert "TrainingStep properties mirror DescribeTrainingJobResponse (botocore " in sl501.help
    assert "the pipeline cannot resolve it" in sl501.help
    assert "Use one of the closest valid paths: 'properties.ModelArtifacts.S3ModelArtifacts'" in sl501.help
    assert sl505.message == ("hyperparameter 'sagemaker_program' is reserved: the SKLearn estimator of TrainingStep "
                             "'TrainChurn' sets it itself")
    assert sl505.help.endswith("Rename the key, or set it through the estimator's entry_point=.")


def test_sdk_pipeline_processing_inputs_over_the_limit_count_the_code_input(tmp_path, monkeypatch):
    rule = next(rule for rule in all_rules() if rule.code == "SL506")
    [example] = [example for example in rule.bad_examples if any(path.endswith("pipeline.py") for path in example.files)]
    [finding] = check(tmp_path, monkeypatch, example.files, "SL506")
    limit = data.collection_max("CreateProcessingJobRequest", "ProcessingInputs")[1]
    assert finding.message == (f"ProcessingStep 'PreprocessChurn': {limit + 1} processing inputs + the code= input "
                               f"exceed ProcessingInputs's maximum of {limit}")
    assert finding.help.startswith("CreateProcessingJob rejects the request with a ValidationException when the "
                                   "pipeline runs")
    assert f"Pass at most {limit - 1} processing inputs" in finding.help


SL5_EXAMPLES = [pytest.param(rule, example, id=f"{rule.code}-{index}")
                for rule in all_rules() if rule.code.startswith("SL50")
                for index, example in enumerate(rule.bad_examples)]


@pytest.mark.parametrize(("rule", "example"), SL5_EXAMPLES)
def test_every_finding_is_one_short_line_with_a_help(tmp_path, monkeypatch, rule, example):
    found = check(tmp_path, monkeypatch, example.files, rule.code)
    assert found
    for finding in found:
        assert len(finding.message) <= 120 and "\n" not in finding.message, finding.message
        assert finding.help and finding.message not in finding.help
        assert finding.fix is None or len(finding.fix.description) <= 60, finding.fix.description
