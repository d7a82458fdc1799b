"""The reference builders in steplint.reference, driven by our own fixtures' specs and contracts.

These tests import and run the reference builders and the fixture projects' specs (our own
code, copied to a temporary directory); no network and no AWS credentials are used.
"""

from __future__ import annotations

import importlib
import json
import shutil
import subprocess
import sys
import types
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.conftest import FIXTURES
from tests.offline_sdk import BUCKET, ROLE, go_offline


@contextmanager
def imported_package(src_root: Path, package: str):
    """Import ``package`` from ``src_root`` (a copy of a fixture); forget it afterwards."""
    previous = sys.dont_write_bytecode
    sys.dont_write_bytecode = True
    sys.path.insert(0, str(src_root))
    importlib.invalidate_caches()
    try:
        yield lambda name: importlib.import_module(f"{package}.{name}")
    finally:
        sys.path.remove(str(src_root))
        for name in [name for name in sys.modules if name == package or name.startswith(package + ".")]:
            del sys.modules[name]
        sys.dont_write_bytecode = previous


def copy_fixture(name: str, tmp_path: Path) -> Path:
    target = tmp_path / name
    shutil.copytree(FIXTURES / name, target)
    return target


@pytest.fixture
def offline(monkeypatch, tmp_path):
    """No credentials, region from the environment, telemetry off, and no sockets: every
    connection attempt is refused and recorded, and the test fails if there was one."""
    guard = go_offline(monkeypatch, tmp_path)
    yield guard
    assert guard.attempts == [], f"network access attempted: {guard.attempts}"


def _training_config(hyperparameters) -> types.SimpleNamespace:
    return types.SimpleNamespace(
        source_dir=f"s3://{BUCKET}/code/sourcedir.tar.gz",
        framework_version="2.1.0",
        py_version="py310",
        instance_type="ml.g5.2xlarge",
        instance_count=1,
        output_path=f"s3://{BUCKET}/models",
        hyperparameters=hyperparameters,
    )


@pytest.mark.slow  # renders with the real SageMaker SDK
def test_reference_pytorch_builder_renders_a_pipeline_definition_offline(tmp_path, offline):
    from sagemaker.workflow.pipeline import Pipeline
    from sagemaker.workflow.pipeline_context import PipelineSession
    from steplint.reference import PyTorchTrainingStepBuilder

    root = copy_fixture("steps_layout", tmp_path)
    with imported_package(root / "src", "buyer_models") as load:
        spec = load("steps.specs.pytorch_training_spec").PYTORCH_TRAINING_SPEC
        hyperparameters = load("steps.configs.hyperparameters_bsm").BSMModelHyperparameters()
        session = PipelineSession(default_bucket=BUCKET)
        builder = PyTorchTrainingStepBuilder(_training_config(hyperparameters), spec, sagemaker_session=session,
                                             role=ROLE)
        step = builder.create_step(inputs={"input_path": f"s3://{BUCKET}/preprocessed/run-1"})
        definition = json.loads(Pipeline(name="BsmTraining", steps=[step], sagemaker_session=session).definition())

    [rendered] = definition["Steps"]
    assert rendered["Type"] == "Training"
    arguments = rendered["Arguments"]
    channels = {channel["ChannelName"]: channel["DataSource"]["S3DataSource"]["S3Uri"]
                for channel in arguments["InputDataConfig"]}
    assert channels == {"data": f"s3://{BUCKET}/preprocessed/run-1"}
    assert arguments["OutputDataConfig"]["S3OutputPath"] == f"s3://{BUCKET}/models"
    hyper = arguments["HyperParameters"]
    assert all(isinstance(value, str) for value in hyper.values())
    assert hyper["lr"] == "3e-05"
    assert hyper["batch_size"] == "32"
    assert hyper["tokenizer"] == '"bert-base-multilingual-uncased"'
    assert hyper["metric_choices"] == '["f1_score", "auroc"]'
    assert hyper["sagemaker_program"] == '"pytorch_training.py"'
    assert hyper["sagemaker_submit_directory"] == f'"s3://{BUCKET}/code/sourcedir.tar.gz"'
    assert hyper["sagemaker_region"] == '"us-east-1"'
    assert "config" not in channels, "hyperparameters reach the job through HyperParameters, not a channel"


@pytest.mark.slow  # renders with the real SageMaker SDK
def test_reference_xgboost_builder_separates_data_channels_and_the_config_channel(tmp_path, offline):
    from steplint.reference import XGBoostTrainingStepBuilder

    root = copy_fixture("steps_layout", tmp_path)
    with imported_package(root / "src", "buyer_models") as load:
        spec = load("steps.specs.xgboost_training_spec").XGBOOST_TRAINING_SPEC
        builder = XGBoostTrainingStepBuilder(_training_config({}), spec, role=ROLE)
        channels = builder._get_inputs({"input_path": f"s3://{BUCKET}/tabular",
                                        "hyperparameters_s3_uri": f"s3://{BUCKET}/hyperparameters"})

    assert sorted(channels) == ["config", "test", "train", "val"]
    config_source = channels["config"].config["DataSource"]["S3DataSource"]["S3Uri"]
    assert config_source == f"s3://{BUCKET}/hyperparameters"
    train_source = channels["train"].config["DataSource"]["S3DataSource"]["S3Uri"]
    assert train_source == f"s3://{BUCKET}/tabular/train/"


@pytest.mark.slow  # renders with the real SageMaker SDK
def test_reference_processing_builder_names_inputs_and_outputs_by_logical_name(tmp_path, offline):
    from steplint.reference import ProcessingStepBuilder

    root = copy_fixture("legacy_layout", tmp_path)
    with imported_package(root / "src", "mlpipelines") as load:
        spec = load("pipeline_step_specs.tabular_preprocessing_spec").PREPROCESSING_TRAINING_SPEC
        config = types.SimpleNamespace(output_path=f"s3://{BUCKET}/preprocessing")
        builder = ProcessingStepBuilder(config, spec, role=ROLE)
        [processing_input] = builder._get_inputs({"DATA": f"s3://{BUCKET}/raw"})
        [processing_output] = builder._get_outputs({"processed_data": f"s3://{BUCKET}/processed"})
        [defaulted] = builder._get_outputs({})
        with pytest.raises(ValueError, match="required input 'DATA' was not provided"):
            builder._get_inputs({})

    request = processing_input._to_request_dict()
    assert request["InputName"] == "DATA"
    assert request["S3Input"]["LocalPath"] == "/opt/ml/processing/input/data"
    assert request["S3Input"]["S3Uri"] == f"s3://{BUCKET}/raw"
    output = processing_output._to_request_dict()
    assert output["OutputName"] == "processed_data"
    assert output["S3Output"]["LocalPath"] == "/opt/ml/processing/output"
    assert output["S3Output"]["S3Uri"] == f"s3://{BUCKET}/processed"
    assert defaulted.destination.expr["Std:Join"]["Values"][-1] == "processed_data"


@pytest.mark.slow  # renders with the real SageMaker SDK
def test_training_inputs_refuse_a_dependency_no_channel_can_deliver(tmp_path, offline):
    """The founding defect's 'config' input maps to a file SageMaker writes: no channel is mounted there."""
    from steplint.reference import PyTorchTrainingStepBuilder

    root = copy_fixture("legacy_layout", tmp_path)
    with imported_package(root / "src", "mlpipelines") as load:
        spec = load("pipeline_step_specs.pytorch_training_spec").PYTORCH_TRAINING_SPEC
        builder = PyTorchTrainingStepBuilder(_training_config({}), spec, role=ROLE)
        with pytest.raises(ValueError, match="/opt/ml/input/config/hyperparameters.json, where no channel"):
            builder._get_inputs({"input_path": f"s3://{BUCKET}/data", "config": f"s3://{BUCKET}/config"})


def test_importing_the_templates_does_not_import_the_sagemaker_sdk():
    code = ("import sys, steplint.reference, steplint.reference.templates as t; "
            "t.method_template('training', '_get_inputs'); "
            "assert not [m for m in sys.modules if m.startswith('sagemaker')], 'sagemaker imported'")
    completed = subprocess.run([sys.executable, "-c", code], check=False, capture_output=True, text=True,
                               timeout=120)
    assert completed.returncode == 0, completed.stderr


def test_templates_are_the_reference_methods_and_name_their_imports():
    from steplint.reference.templates import method_template

    training = method_template("training", "_get_inputs")
    assert training.reference == "TrainingStepBuilder._get_inputs"
    assert training.imports == {"TrainingInput": ("sagemaker.inputs", "TrainingInput")}
    processing = method_template("processing", "_get_inputs")
    assert processing.imports == {"ProcessingInput": ("sagemaker.processing", "ProcessingInput")}
    assert method_template("pytorch", "_create_data_channel_from_source") is not None
    assert method_template("transform", "_get_inputs") is None
