"""The SageMaker SDK behaviour SL708, SL709 and SL710 rest on, checked against the installed SDK
(offline: no credentials, every network access refused; see tests/offline_sdk.py)."""

from __future__ import annotations

import json

import pytest

from tests.offline_sdk import BUCKET, ROLE, go_offline, pipeline_session

SOURCE_DIR = f"s3://{BUCKET}/src.tar.gz"


@pytest.fixture
def offline(monkeypatch, tmp_path):
    guard = go_offline(monkeypatch, tmp_path)
    yield guard
    assert guard.attempts == [], f"network access attempted: {guard.attempts}"


def _processing_step(name: str, session, **kwargs):
    from sagemaker.processing import ProcessingOutput
    from sagemaker.sklearn.processing import SKLearnProcessor
    from sagemaker.workflow.steps import ProcessingStep

    processor = SKLearnProcessor(framework_version="1.2-1", role=ROLE, instance_type="ml.m5.large",
                                 instance_count=1, sagemaker_session=session)
    return ProcessingStep(name=name, step_args=processor.run(
        code=f"s3://{BUCKET}/code/{name}.py",
        outputs=[ProcessingOutput(output_name="evaluation", source="/opt/ml/processing/evaluation")]), **kwargs)


@pytest.mark.slow  # renders with the real SageMaker SDK
def test_sl710_a_step_named_but_not_listed_fails_and_one_reached_as_an_object_is_added(offline):
    from sagemaker.workflow.condition_step import ConditionStep
    from sagemaker.workflow.conditions import ConditionGreaterThan
    from sagemaker.workflow.functions import JsonGet
    from sagemaker.workflow.pipeline import Pipeline
    from sagemaker.workflow.properties import PropertyFile

    session, _ = pipeline_session()
    report = PropertyFile(name="Report", output_name="evaluation", path="evaluation.json")
    evaluate = _processing_step("Evaluate", session, property_files=[report])
    check = ConditionStep(name="Check", conditions=[ConditionGreaterThan(
        left=JsonGet(step_name=evaluate.name, property_file=report, json_path="accuracy"), right=0.5)])
    with pytest.raises(ValueError, match="The input steps do not contain the step of name: Evaluate"):
        Pipeline(name="P", steps=[check], sagemaker_session=session).definition()

    waiting = _processing_step("Waits", session, depends_on=["Prepare"])
    with pytest.raises(ValueError, match="The input steps do not contain the step of name: Prepare"):
        Pipeline(name="P", steps=[_processing_step("Other", session), waiting], sagemaker_session=session).definition()

    prepare = _processing_step("Prepare", session)
    waiting = _processing_step("Waits", session, depends_on=[prepare])
    steps = json.loads(Pipeline(name="P", steps=[waiting], sagemaker_session=session).definition())["Steps"]
    assert sorted(step["Name"] for step in steps) == ["Prepare", "Waits"]


@pytest.mark.slow  # constructs the real SageMaker SDK's estimators
def test_sl709_xgboost_requires_an_entry_point_and_sl708_framework_estimators_encode_strings(offline):
    from sagemaker.sklearn import SKLearn
    from sagemaker.xgboost import XGBoost

    session, _ = pipeline_session()
    common = dict(role=ROLE, instance_type="ml.m5.large", instance_count=1, sagemaker_session=session)
    with pytest.raises(TypeError, match="entry_point"):
        XGBoost(framework_version="1.7-1", **common)
    estimator = SKLearn(entry_point="train.py", source_dir=SOURCE_DIR, framework_version="1.2-1",
                        hyperparameters={"criterion": "entropy", "n_estimators": 100, "epochs": "10"}, **common)
    hyperparameters = estimator.hyperparameters()
    assert (hyperparameters["criterion"], hyperparameters["n_estimators"], hyperparameters["epochs"]) == (
        '"entropy"', "100", '"10"')
