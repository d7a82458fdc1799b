"""Every reference builder as a user runs it: one pipeline rendered with the real SDK, offline.

Preprocessing (``ProcessingStepBuilder``) feeds both trainings (``PyTorchTrainingStepBuilder``
and ``XGBoostTrainingStepBuilder``) through ``properties.ProcessingOutputConfig.Outputs['processed_data']``;
``Pipeline(...).definition()`` is the JSON SageMaker receives, and the tests read it. The
specs and contracts are our fixture projects' (copied to a temporary directory and
imported: this tests the reference builders, not linting). No credentials, and no socket
is opened: every connection attempt is refused and recorded, and each test asserts there
was none. The README's example is run here too, as it stands, in a subprocess.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import types

import pytest

from tests.conftest import REPO
from tests.offline_sdk import BUCKET, NETWORK_ATTEMPT_EXIT, ROLE, go_offline, pipeline_session
from tests.test_reference import copy_fixture, imported_package

# renders pipeline definitions with the real SageMaker SDK (offline): slow, run by `-m slow` and CI
pytestmark = pytest.mark.slow

RAW = f"s3://{BUCKET}/raw/2024-06-01"
PIPELINE = "ReferencePipeline"
PROCESSED_GET = {"Get": "Steps.TabularPreprocessing_Training.ProcessingOutputConfig.Outputs['processed_data']"
                        ".S3Output.S3Uri"}
RESERVED = {"sagemaker_program", "sagemaker_submit_directory", "sagemaker_container_log_level", "sagemaker_region"}


@pytest.fixture(scope="module")
def module_offline(tmp_path_factory):
    """``_go_offline`` for the whole module (rendering takes seconds: each pipeline renders once)."""
    with pytest.MonkeyPatch.context() as monkeypatch:
        guard = go_offline(monkeypatch, tmp_path_factory.mktemp("offline"))
        yield guard
    assert guard.attempts == [], f"network access attempted: {guard.attempts}"


@pytest.fixture
def offline(module_offline):
    """The module's guard, checked after each test."""
    yield module_offline
    assert module_offline.attempts == [], f"network access attempted: {module_offline.attempts}"


@pytest.fixture(scope="module")
def project(tmp_path_factory, module_offline):
    """The fixtures' specs: legacy_layout's preprocessing, steps_layout's PyTorch and XGBoost training."""
    root = tmp_path_factory.mktemp("fixtures")
    legacy = copy_fixture("legacy_layout", root)
    steps = copy_fixture("steps_layout", root)
    with imported_package(legacy / "src", "mlpipelines") as legacy_module, \
            imported_package(steps / "src", "buyer_models") as steps_module:
        yield types.SimpleNamespace(
            preprocessing=legacy_module("pipeline_step_specs.tabular_preprocessing_spec").PREPROCESSING_TRAINING_SPEC,
            pytorch=steps_module("steps.specs.pytorch_training_spec").PYTORCH_TRAINING_SPEC,
            xgboost=steps_module("steps.specs.xgboost_training_spec").XGBOOST_TRAINING_SPEC,
            bsm=steps_module("steps.configs.hyperparameters_bsm").BSMModelHyperparameters(),
            xgb=steps_module("steps.configs.hyperparameters_xgboost").XGBoostModelHyperparameters(),
            scripts=legacy / "dockers" / "xgboost_atoz" / "pipeline_scripts",
            elsewhere=root,
        )


@pytest.fixture(scope="module")
def rendered(project):
    """The wired pipeline rendered from a working directory that is not the scripts' directory
    (the SDK resolves a bare script name against it): ``(steps by name, uploads)``."""
    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.chdir(project.elsewhere)
        return render(project)


@pytest.fixture(scope="module")
def rendered_with_parameter(project):
    """The same pipeline with the XGBoost ``output_path`` a ``ParameterString``."""
    from sagemaker.workflow.parameters import ParameterString

    output_path = ParameterString(name="ModelOutputPath", default_value=f"s3://{BUCKET}/xgb")
    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.chdir(project.elsewhere)
        return render(project, xgboost_output_path=output_path, parameters=[output_path])


def processing_config(project, **changes) -> types.SimpleNamespace:
    values = dict(source_dir=str(project.scripts), framework_version="1.2-1", instance_type="ml.m5.4xlarge",
                  instance_count=1, output_path=f"s3://{BUCKET}/preprocessing")
    return types.SimpleNamespace(**{**values, **changes})


def training_config(hyperparameters, framework_version: str, **changes) -> types.SimpleNamespace:
    values = dict(source_dir=f"s3://{BUCKET}/code/sourcedir.tar.gz", framework_version=framework_version,
                  py_version="py310" if framework_version.startswith("2") else "py3", instance_type="ml.m5.xlarge",
                  instance_count=1, output_path=f"s3://{BUCKET}/models", hyperparameters=hyperparameters)
    return types.SimpleNamespace(**{**values, **changes})


def render(project, *, xgboost_output_path=None, parameters=()):
    """The wired pipeline's steps by name, and the uploads the SDK and the builders made."""
    from sagemaker.workflow.pipeline import Pipeline
    from steplint.reference import ProcessingStepBuilder, PyTorchTrainingStepBuilder, XGBoostTrainingStepBuilder

    session, uploads = pipeline_session()
    preprocessing = ProcessingStepBuilder(processing_config(project), project.preprocessing,
                                          sagemaker_session=session, role=ROLE).create_step(inputs={"DATA": RAW})
    processed = preprocessing.properties.ProcessingOutputConfig.Outputs["processed_data"].S3Output.S3Uri
    pytorch = PyTorchTrainingStepBuilder(training_config(project.bsm, "2.1.0"), project.pytorch,
                                         sagemaker_session=session, role=ROLE).create_step(
        inputs={"input_path": processed})
    xgboost_config = training_config(project.xgb, "1.7-1", output_path=xgboost_output_path or f"s3://{BUCKET}/xgb/")
    xgboost = XGBoostTrainingStepBuilder(xgboost_config, project.xgboost, sagemaker_session=session,
                                         role=ROLE).create_step(inputs={"input_path": processed})
    pipeline = Pipeline(name=PIPELINE, parameters=list(parameters), steps=[preprocessing, pytorch, xgboost],
                        sagemaker_session=session)
    definition = json.loads(pipeline.definition())
    return {step["Name"]: step for step in definition["Steps"]}, uploads


def channels(step: dict) -> dict:
    return {channel["ChannelName"]: channel["DataSource"]["S3DataSource"]["S3Uri"]
            for channel in step["Arguments"]["InputDataConfig"]}


def test_the_pipeline_renders_every_builder_kind_from_outside_the_script_directory(rendered, offline):
    steps, _ = rendered
    assert {name: step["Type"] for name, step in steps.items()} == {
        "TabularPreprocessing_Training": "Processing", "PyTorchTraining": "Training", "XGBoostTraining": "Training"}


def test_processing_inputs_and_outputs_are_named_by_logical_name_at_the_contract_paths(project, rendered, offline):
    steps, uploads = rendered
    arguments = steps["TabularPreprocessing_Training"]["Arguments"]
    inputs = {item["InputName"]: item["S3Input"] for item in arguments["ProcessingInputs"]}
    assert set(inputs) == {"DATA", "code"}
    assert inputs["DATA"]["LocalPath"] == "/opt/ml/processing/input/data"
    assert inputs["DATA"]["S3Uri"] == RAW
    [output] = arguments["ProcessingOutputConfig"]["Outputs"]
    assert output["OutputName"] == "processed_data"
    assert output["S3Output"]["LocalPath"] == "/opt/ml/processing/output"
    assert output["S3Output"]["S3Uri"] == {"Std:Join": {"On": "/", "Values": [
        f"s3://{BUCKET}/preprocessing", "TabularPreprocessing_Training", "processed_data"]}}
    # the script came from config.source_dir, was uploaded, and is what the container runs
    assert arguments["AppSpecification"]["ContainerEntrypoint"] == [
        "python3", "/opt/ml/processing/input/code/tabular_preprocess.py"]
    [script] = [upload for upload in uploads if upload.key.endswith("/tabular_preprocess.py")]
    assert inputs["code"]["S3Uri"] == f"s3://{script.bucket}/{script.key}"
    assert script.body == (project.scripts / "tabular_preprocess.py").read_bytes()


def test_a_script_in_an_s3_source_dir_is_referenced_not_uploaded(project, offline):
    from steplint.reference import ProcessingStepBuilder

    session, uploads = pipeline_session()
    config = processing_config(project, source_dir=f"s3://{BUCKET}/code/preprocessing/")
    step = ProcessingStepBuilder(config, project.preprocessing, sagemaker_session=session,
                                 role=ROLE).create_step(inputs={"DATA": RAW})
    request = step.arguments
    [code] = [item for item in request["ProcessingInputs"] if item["InputName"] == "code"]
    assert code["S3Input"]["S3Uri"] == f"s3://{BUCKET}/code/preprocessing/tabular_preprocess.py"
    assert uploads == []


def test_pytorch_training_reads_the_processing_output_and_encodes_each_hyperparameter_once(project, rendered,
                                                                                           offline):
    steps, _ = rendered
    arguments = steps["PyTorchTraining"]["Arguments"]
    assert channels(steps["PyTorchTraining"]) == {"data": PROCESSED_GET}
    hyper = arguments["HyperParameters"]
    user = project.bsm.to_dict()
    assert set(hyper) == set(user) | RESERVED
    for key, value in user.items():
        assert hyper[key] == json.dumps(value), key  # one JSON encoding: the script decodes it once
    assert hyper["lr"] == "3e-05"
    assert hyper["tokenizer"] == '"bert-base-multilingual-uncased"'
    assert hyper["sagemaker_program"] == '"pytorch_training.py"'
    assert hyper["sagemaker_submit_directory"] == f'"s3://{BUCKET}/code/sourcedir.tar.gz"'
    assert hyper["sagemaker_region"] == '"us-east-1"'
    assert hyper["sagemaker_container_log_level"] == "20"
    assert arguments["OutputDataConfig"]["S3OutputPath"] == f"s3://{BUCKET}/models"


def test_xgboost_training_gets_split_channels_ending_in_a_slash_and_the_uploaded_config(project, rendered,
                                                                                        offline):
    steps, uploads = rendered
    step = steps["XGBoostTraining"]
    assert channels(step) == {
        "train": {"Std:Join": {"On": "/", "Values": [PROCESSED_GET, "train/"]}},
        "val": {"Std:Join": {"On": "/", "Values": [PROCESSED_GET, "val/"]}},
        "test": {"Std:Join": {"On": "/", "Values": [PROCESSED_GET, "test/"]}},
        "config": f"s3://{BUCKET}/xgb/config/",
    }
    [uploaded] = [upload for upload in uploads if upload.key.endswith("hyperparameters.json")]
    assert (uploaded.bucket, uploaded.key) == (BUCKET, "xgb/config/hyperparameters.json")
    assert json.loads(uploaded.body) == project.xgb.to_dict()
    # the hyperparameters travel in the config channel, not as HyperParameters
    assert set(step["Arguments"]["HyperParameters"]) == RESERVED
    assert step["Arguments"]["HyperParameters"]["sagemaker_program"] == '"xgboost_training.py"'


def test_split_channels_from_a_string_prefix_end_in_a_slash(project, offline):
    from steplint.reference import XGBoostTrainingStepBuilder

    builder = XGBoostTrainingStepBuilder(training_config({}, "1.7-1"), project.xgboost, role=ROLE)
    for prefix in (f"s3://{BUCKET}/tabular", f"s3://{BUCKET}/tabular/"):
        built = builder._create_data_channel_from_source(prefix)
        assert {name: channel.config["DataSource"]["S3DataSource"]["S3Uri"] for name, channel in built.items()} == {
            split: f"s3://{BUCKET}/tabular/{split}/" for split in ("train", "val", "test")}


def test_an_output_path_pipeline_parameter_renders_and_the_config_goes_to_the_default_bucket(
        rendered_with_parameter, offline):
    steps, uploads = rendered_with_parameter
    arguments = steps["XGBoostTraining"]["Arguments"]
    assert arguments["OutputDataConfig"]["S3OutputPath"] == {"Get": "Parameters.ModelOutputPath"}
    assert channels(steps["XGBoostTraining"])["config"] == f"s3://{BUCKET}/XGBoostTraining/config/"
    assert [(u.bucket, u.key) for u in uploads if u.key.endswith("hyperparameters.json")] == [
        (BUCKET, "XGBoostTraining/config/hyperparameters.json")]


def test_a_parameter_output_path_without_a_session_says_what_to_pass(project, offline):
    from sagemaker.workflow.parameters import ParameterString
    from steplint.reference import XGBoostTrainingStepBuilder

    config = training_config({}, "1.7-1", output_path=ParameterString(name="Out", default_value="s3://b/x"))
    builder = XGBoostTrainingStepBuilder(config, project.xgboost, role=ROLE)
    with pytest.raises(ValueError, match="is a pipeline variable.*pass sagemaker_session="):
        builder._prepare_inputs({"input_path": RAW})


# -- what a user gets wrong, and the message that says so ----------------------------------
def _builders(project, session):
    from steplint.reference import ProcessingStepBuilder, PyTorchTrainingStepBuilder

    return (ProcessingStepBuilder(processing_config(project), project.preprocessing, sagemaker_session=session,
                                  role=ROLE),
            PyTorchTrainingStepBuilder(training_config(project.bsm, "2.1.0"), project.pytorch,
                                       sagemaker_session=session, role=ROLE))


def test_a_missing_required_input_is_named(project, offline):
    session, _ = pipeline_session()
    processing, pytorch = _builders(project, session)
    with pytest.raises(ValueError, match=r"^required input 'DATA' was not provided$"):
        processing.create_step(inputs={})
    with pytest.raises(ValueError, match=r"^required input 'input_path' was not provided$"):
        pytorch.create_step()


def test_an_undeclared_input_fails_naming_the_declared_ones(project, offline):
    session, _ = pipeline_session()
    processing, pytorch = _builders(project, session)
    with pytest.raises(ValueError) as raised:
        processing.create_step(inputs={"DATA": RAW, "data": RAW})
    assert str(raised.value) == ("input 'data' not declared by the specification of step "
                                 "'TabularPreprocessing_Training' (declared inputs: 'DATA'); did you mean "
                                 "'data' -> 'DATA'?")
    with pytest.raises(ValueError) as raised:
        pytorch.create_step(inputs={"input_path": RAW, "config": RAW, "typo": RAW})
    assert str(raised.value) == ("inputs 'config', 'typo' not declared by the specification of step "
                                 "'PyTorchTraining' (declared inputs: 'input_path')")
    with pytest.raises(ValueError, match=r"^output 'model' not declared .* \(declared outputs: 'model_output', "
                                         r"'data_output'\); did you mean 'model' -> 'model_output'\?$"):
        pytorch.create_step(inputs={"input_path": RAW}, outputs={"model": f"s3://{BUCKET}/m"})


def test_an_input_the_contract_does_not_map_is_named(project, offline):
    from steplint.reference import ProcessingStepBuilder

    extra = types.SimpleNamespace(logical_name="METADATA", required=False)
    spec = types.SimpleNamespace(step_type=project.preprocessing.step_type,
                                 script_contract=project.preprocessing.script_contract,
                                 dependencies=[*project.preprocessing.dependencies.values(), extra],
                                 outputs=project.preprocessing.outputs)
    session, _ = pipeline_session()
    builder = ProcessingStepBuilder(processing_config(project), spec, sagemaker_session=session, role=ROLE)
    builder.create_step(inputs={"DATA": RAW})  # optional and not given: fine
    with pytest.raises(ValueError, match=r"^the script contract has no container path for input 'METADATA'$"):
        builder.create_step(inputs={"DATA": RAW, "METADATA": f"s3://{BUCKET}/metadata"})


def test_a_script_that_cannot_be_located_says_which_config_attribute_to_set(project, offline):
    from steplint.reference import ProcessingStepBuilder

    session, _ = pipeline_session()
    config = processing_config(project)
    del config.source_dir
    builder = ProcessingStepBuilder(config, project.preprocessing, sagemaker_session=session, role=ROLE)
    with pytest.raises(ValueError, match=r"cannot locate the script 'tabular_preprocess.py' .*set config.source_dir"):
        builder.create_step(inputs={"DATA": RAW})


def test_the_network_guard_records_attempts_the_caller_swallows(offline):
    """The guard itself: a lookup or connection whose error is swallowed is still recorded
    (so the assertions above can fail)."""
    import socket
    import urllib.request

    for attempt in (lambda: socket.create_connection(("example.com", 443), timeout=1),
                    lambda: urllib.request.urlopen("https://example.org/", timeout=1)):
        try:
            attempt()
        except OSError:
            pass
    assert offline.attempts == [(("example.com", 443),), (("example.org", 443),)]
    offline.attempts.clear()



# -- the README's example, run as it stands ---------------------------------------------------
def readme_example() -> str:
    """The ```python block of the README's "Reference builders" section."""
    text = (REPO / "README.md").read_text(encoding="utf-8")
    section = text[text.index("\n## Reference builders\n"):]
    section = section[:section.index("\n## ", 1)]
    return section.split("\n```python\n", 1)[1].split("\n```\n", 1)[0] + "\n"


@pytest.mark.parametrize("credentials", [
    pytest.param({}, id="no-credentials"),
    # a user's machine: with credentials the SDK's telemetry would call STS and S3 unless turned off
    pytest.param({"AWS_ACCESS_KEY_ID": "AKIAIOSFODNN7EXAMPLE", "AWS_SECRET_ACCESS_KEY": "example"},
                 id="with-credentials"),
])
def test_the_readme_example_renders_the_wired_pipeline_offline(tmp_path, credentials):
    script = tmp_path / "example.py"
    script.write_text(readme_example())
    home = tmp_path / "home"
    home.mkdir()
    environment = {key: value for key, value in os.environ.items()
                   if not key.startswith(("AWS_", "SAGEMAKER_")) and key not in ("HOME", "PYTHONPATH")}
    environment.update(HOME=str(home), PYTHONPATH=str(REPO), **credentials)  # PYTHONPATH: tests.offline_sdk
    completed = subprocess.run([sys.executable, "-m", "tests.offline_sdk", str(script)], cwd=tmp_path,
                               env=environment, capture_output=True, text=True, timeout=300)
    assert completed.returncode != NETWORK_ATTEMPT_EXIT, completed.stderr[-2000:]
    assert completed.returncode == 0, completed.stderr[-3000:]
    definition = json.loads(completed.stdout.strip().splitlines()[-1])
    steps = {step["Name"]: step["Arguments"] for step in definition["Steps"]}
    assert list(steps) == ["Preprocessing", "PyTorchTraining", "XGBoostTraining"]
    processed = {"Get": "Steps.Preprocessing.ProcessingOutputConfig.Outputs['processed_data'].S3Output.S3Uri"}
    [output] = steps["Preprocessing"]["ProcessingOutputConfig"]["Outputs"]
    assert output["OutputName"] == "processed_data"
    code = [item for item in steps["Preprocessing"]["ProcessingInputs"] if item["InputName"] == "code"]
    assert code[0]["S3Input"]["S3Uri"] == "s3://my-bucket/code/preprocessing/preprocess.py"
    assert channels({"Arguments": steps["PyTorchTraining"]}) == {"data": processed}
    assert steps["PyTorchTraining"]["HyperParameters"]["lr"] == "3e-05"
    assert channels({"Arguments": steps["XGBoostTraining"]}) == {
        "train": {"Std:Join": {"On": "/", "Values": [processed, "train/"]}},
        "val": {"Std:Join": {"On": "/", "Values": [processed, "val/"]}},
        "test": {"Std:Join": {"On": "/", "Values": [processed, "test/"]}},
        "config": "s3://my-bucket/xgboost/config/",
    }
