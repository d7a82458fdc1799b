"""SageMaker facts read from installed botocore and SDK data, located without importing them."""

from __future__ import annotations

import gzip
import json
import shutil
import subprocess
import sys
import textwrap

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from steplint.sagemaker import data

from tests.conftest import FIXTURES, REPO


@pytest.fixture(scope="module")
def service():
    model = data.service_model()
    assert model is not None, "botocore's SageMaker service model must be installed"
    return model


def run_python(code: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], cwd=REPO, capture_output=True, text=True,
                          timeout=300)


def test_loading_every_data_set_imports_neither_sagemaker_nor_botocore():
    result = run_python('''
        import sys
        from steplint.sagemaker import data

        assert data.service_model() is not None
        assert data.valid_paths("training")
        assert data.image_config("pytorch") is not None
        assert data.reserved_hyperparameters()
        print(sorted(name for name in sys.modules if name.split(".")[0] in ("sagemaker", "botocore", "boto3")))
        ''')
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_linting_the_fixture_imports_neither_sagemaker_nor_botocore(tmp_path):
    root = shutil.copytree(FIXTURES / "sagemaker_model_defects", tmp_path / "project")
    result = run_python(f'''
        import os, sys
        from steplint.api import check_paths, configure

        os.chdir({str(root)!r})
        codes = sorted(f.code for f in check_paths(["."], configure(["."])).findings)
        assert "SL501" in codes and "SL504" in codes, codes
        print(sorted(name for name in sys.modules if name.split(".")[0] in ("sagemaker", "botocore", "boto3")))
        ''')
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_the_service_model_is_parsed_once_per_run(tmp_path, monkeypatch):
    from steplint.api import check_paths, configure

    parsed = []
    real_load = json.load

    def counting_load(handle, *args, **kwargs):
        parsed.append(getattr(handle, "name", ""))
        return real_load(handle, *args, **kwargs)

    monkeypatch.setattr(data.json, "load", counting_load)
    data.service_model.cache_clear()
    data.valid_paths.cache_clear()
    monkeypatch.chdir(shutil.copytree(FIXTURES / "sagemaker_model_defects", tmp_path / "project"))
    try:
        result = check_paths(["."], configure(["."]))
    finally:
        data.service_model.cache_clear()
        data.valid_paths.cache_clear()
    assert {"SL501", "SL502", "SL506"} <= {finding.code for finding in result.findings}
    assert len([name for name in parsed if "service-2" in str(name)]) == 1


def test_the_newest_dated_service_model_is_read(tmp_path, monkeypatch):
    for date, member in (("2017-07-24", "Old"), ("2024-01-01", "New")):
        folder = tmp_path / "data" / "sagemaker" / date
        folder.mkdir(parents=True)
        shapes = {"DescribeTrainingJobResponse": {"type": "structure", "members": {member: {"shape": "String"}}},
                  "String": {"type": "string"}}
        with gzip.open(folder / "service-2.json.gz", "wt") as handle:
            json.dump({"shapes": shapes}, handle)
    monkeypatch.setattr(data, "package_dirs", lambda name: [tmp_path])
    data.service_model.cache_clear()
    try:
        model = data.service_model()
        assert data.check_property_path(model, "training", "properties.New") is None
        assert data.check_property_path(model, "training", "properties.Old") is not None
        assert "2024-01-01" in model.source
    finally:
        data.service_model.cache_clear()


def test_without_botocore_there_is_no_model(monkeypatch):
    monkeypatch.setattr(data, "package_dirs", lambda name: [])
    data.service_model.cache_clear()
    try:
        assert data.service_model() is None
        assert data.string_limit("ChannelName") is None
    finally:
        data.service_model.cache_clear()


@pytest.mark.parametrize(("kind", "path"), [
    ("training", "properties.ModelArtifacts.S3ModelArtifacts"),
    ("training", "properties.OutputDataConfig.S3OutputPath"),
    ("training", "properties.CheckpointConfig.S3Uri"),
    ("training", "properties.FinalMetricDataList['val:loss'].Value"),
    ("training", "properties.TrainingJobName"),
    ("training", "properties.HyperParameters['epochs']"),
    ("model", "properties.ModelName"),
    ("processing", "properties.ProcessingOutputConfig.Outputs['processed_data'].S3Output.S3Uri"),
    ("processing", "properties.ProcessingOutputConfig.Outputs[0].S3Output.S3Uri"),
    ("transform", "properties.TransformOutput.S3OutputPath"),
    ("tuning", "properties.BestTrainingJob.TrainingJobName"),
    ("tuning", "properties.TrainingJobSummaries[0].TrainingJobName"),
])
def test_paths_the_domain_notes_call_valid_are_valid_in_installed_botocore(service, kind, path):
    assert data.check_property_path(service, kind, path) is None


@pytest.mark.parametrize(("kind", "path", "bad_part"), [
    ("training", "properties.TrainingJobDefinition.OutputDataConfig.S3OutputPath", "TrainingJobDefinition"),
    ("training", "properties.TrainingJobOutput.S3Output", "TrainingJobOutput"),
    ("training", "properties.TrainingMetrics", "TrainingMetrics"),
    ("model", "properties.ModelArtifacts.S3ModelArtifacts", "ModelArtifacts"),
    ("training", "properties.ModelArtifacts.S3ModelArtifacts.Key", "Key"),
    ("processing", "properties.ProcessingOutputConfig.Outputs.S3Output.S3Uri", "S3Output"),
    ("training", "properties.TrainingJobName[0]", "[0]"),
])
def test_paths_the_domain_notes_call_invalid_are_invalid(service, kind, path, bad_part):
    problem = data.check_property_path(service, kind, path)
    assert problem is not None
    assert path[problem.token.start:problem.token.end].strip(".") == bad_part


def test_a_path_copied_from_a_tuning_job_has_one_clear_suggestion():
    suggestions = data.closest_paths("training", "properties.TrainingJobDefinition.OutputDataConfig.S3OutputPath")
    assert data.clear_winner(suggestions) == "properties.OutputDataConfig.S3OutputPath"


def test_an_unrelated_path_has_no_clear_winner():
    assert data.clear_winner(data.closest_paths("training", "properties.TrainingJobOutput.S3Output")) is None


def test_suggestions_keep_the_users_index_keys():
    path = "properties.ProcessingOutputConfig.Output['scores'].S3Output.S3Uri"
    template = data.clear_winner(data.closest_paths("processing", path))
    assert data.fill_indexes(template, data.normalized(path)[1]) == \
        "properties.ProcessingOutputConfig.Outputs['scores'].S3Output.S3Uri"


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_every_enumerated_path_is_valid(service, draw):
    kind = draw.draw(st.sampled_from(sorted(data.STEP_RESPONSE_SHAPES)))
    template = draw.draw(st.sampled_from(data.valid_paths(kind)))
    index = draw.draw(st.sampled_from(["[0]", "['name']"]))
    assert data.check_property_path(service, kind, template.replace(data.INDEX_PLACEHOLDER, index)) is None


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="properties.ModelArtifacts[]'\"0-9_ ", max_size=60))
def test_any_text_is_checked_without_crashing(service, text):
    problem = data.check_property_path(service, "training", text)
    assert problem is None or problem.reason
    data.closest_paths("training", text)


def test_limits_come_from_the_service_model(service):
    def shape(name):
        return service.shapes[name]

    channel = data.member_string_limit("Channel", "ChannelName")
    assert (channel.min, channel.max, channel.pattern) == (shape("ChannelName")["min"], shape("ChannelName")["max"],
                                                           shape("ChannelName")["pattern"])
    assert channel.violation("train data") and channel.violation("x" * 65) and channel.violation("") \
        and channel.violation("train/val")
    assert channel.violation("train-v2.data_1") is None
    assert data.collection_max("CreateTrainingJobRequest", "InputDataConfig") == ("InputDataConfig", 20)
    assert data.collection_max("CreateProcessingJobRequest", "ProcessingInputs") == ("ProcessingInputs", 10)
    assert data.collection_max("ProcessingOutputConfig", "Outputs") == ("ProcessingOutputs", 10)
    assert data.collection_max("CreateTrainingJobRequest", "HyperParameters") == ("HyperParameters", 100)
    key, value = data.map_limits("CreateTrainingJobRequest", "HyperParameters")
    assert (key.max, value.max) == (256, 2500)
    key, value = data.map_limits("CreateProcessingJobRequest", "Environment")
    assert key.violation("LABEL-FIELD") and key.violation("1ABC") and key.violation("LABEL_FIELD") is None
    assert value.max == 256


def test_framework_versions_follow_the_sdks_aliases():
    pytorch = data.scope_config("pytorch", "training")
    assert data.resolve_version(pytorch, "2.1") == "2.1.0"
    assert data.resolve_version(pytorch, "2.1.0") == "2.1.0"
    assert data.resolve_version(pytorch, "2.9.9") is None
    assert "py310" in data.supported_py_versions(pytorch["versions"]["2.1.0"])
    sklearn = data.scope_config("sklearn", "training")
    assert data.resolve_version(sklearn, "1.2-1") == "1.2-1"
    assert data.resolve_version(sklearn, "1.2") is None
    xgboost = data.scope_config("xgboost", "training")
    assert data.resolve_version(xgboost, "1.7-1") == "1.7-1"
    assert data.supported_py_versions(xgboost["versions"]["1.7-1"]) is None
    assert data.scope_config("chainer", "training") is not None
    assert data.scope_config("no-such-framework", "training") is None


def test_reserved_hyperparameters_are_read_from_the_sdk_source():
    reserved = data.reserved_hyperparameters()
    assert set(reserved) == {"sagemaker_program", "sagemaker_submit_directory", "sagemaker_container_log_level",
                             "sagemaker_job_name", "sagemaker_region"}
    assert reserved["sagemaker_program"] == "SCRIPT_PARAM_NAME"


def test_messages_name_the_versions_read():
    assert data.service_model().source.startswith("botocore 1.")
    assert data.sdk_source().startswith("sagemaker 2.")


def _walk_sdk_properties(properties, path: str):
    """Follow a property path on the SDK's own Properties object, as spec-driven builders do."""
    _, tokens = data.tokenize_property_path(path)
    current = properties
    for token in tokens:
        current = getattr(current, token.value) if token.kind == "attr" else current[data.index_key(token)]
    return current


def test_the_walker_agrees_with_the_sdks_own_properties():
    """Cross-check with the installed SDK (imported here, in a test, never on the lint path)."""
    properties_module = pytest.importorskip("sagemaker.workflow.properties")
    for kind in ("training", "processing", "transform", "model", "tuning"):
        shapes = list(data.STEP_RESPONSE_SHAPES[kind])
        properties = properties_module.Properties(step_name="Step", shape_names=shapes)
        for template in data.valid_paths(kind):
            _walk_sdk_properties(properties, template.replace(data.INDEX_PLACEHOLDER, "[0]"))
    training = properties_module.Properties(step_name="Step", shape_name="DescribeTrainingJobResponse")
    for invalid in ("properties.TrainingJobDefinition.OutputDataConfig.S3OutputPath", "properties.TrainingMetrics"):
        assert data.check_property_path(data.service_model(), "training", invalid) is not None
        with pytest.raises(AttributeError):
            _walk_sdk_properties(training, invalid)
