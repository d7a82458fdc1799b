"""A small plain SageMaker SDK pipeline (the SageMaker Projects template's shape) for the
documentation and tests of the rules that read plain pipelines."""

from __future__ import annotations

from textwrap import dedent

PIPELINE = "pipelines/churn/pipeline.py"
PREPROCESS = "pipelines/churn/preprocess.py"
TRAIN = "pipelines/churn/train.py"
EVALUATE = "pipelines/churn/evaluate.py"

SOURCES = {
    PIPELINE: dedent('''\
        import os

        from sagemaker.inputs import TrainingInput
        from sagemaker.processing import ProcessingInput, ProcessingOutput
        from sagemaker.sklearn.estimator import SKLearn
        from sagemaker.sklearn.processing import SKLearnProcessor
        from sagemaker.workflow.condition_step import ConditionStep
        from sagemaker.workflow.conditions import ConditionGreaterThanOrEqualTo
        from sagemaker.workflow.functions import JsonGet
        from sagemaker.workflow.parameters import ParameterString
        from sagemaker.workflow.pipeline import Pipeline
        from sagemaker.workflow.properties import PropertyFile
        from sagemaker.workflow.steps import ProcessingStep, TrainingStep

        BASE_DIR = os.path.dirname(os.path.realpath(__file__))


        def get_pipeline(role, bucket="example-bucket"):
            input_data = ParameterString(name="InputData", default_value=f"s3://{bucket}/churn/raw")
            processor = SKLearnProcessor(framework_version="1.2-1", role=role, instance_type="ml.m5.large",
                                         instance_count=1)
            step_process = ProcessingStep(
                name="PreprocessChurn",
                processor=processor,
                code=os.path.join(BASE_DIR, "preprocess.py"),
                inputs=[ProcessingInput(source=input_data, destination="/opt/ml/processing/input")],
                outputs=[
                    ProcessingOutput(output_name="train", source="/opt/ml/processing/train"),
                    ProcessingOutput(output_name="test", source="/opt/ml/processing/test"),
                ],
            )
            estimator = SKLearn(entry_point=os.path.join(BASE_DIR, "train.py"), framework_version="1.2-1",
                                py_version="py3", role=role, instance_type="ml.m5.large",
                                hyperparameters={"n_estimators": 100})
            step_train = TrainingStep(
                name="TrainChurn",
                estimator=estimator,
                inputs={"train": TrainingInput(
                    s3_data=step_process.properties.ProcessingOutputConfig.Outputs["train"].S3Output.S3Uri)},
            )
            evaluation_report = PropertyFile(name="EvaluationReport", output_name="evaluation",
                                             path="evaluation.json")
            step_eval = ProcessingStep(
                name="EvaluateChurn",
                processor=processor,
                code=os.path.join(BASE_DIR, "evaluate.py"),
                inputs=[
                    ProcessingInput(source=step_train.properties.ModelArtifacts.S3ModelArtifacts,
                                    destination="/opt/ml/processing/model"),
                    ProcessingInput(
                        source=step_process.properties.ProcessingOutputConfig.Outputs["test"].S3Output.S3Uri,
                        destination="/opt/ml/processing/test"),
                ],
                outputs=[ProcessingOutput(output_name="evaluation", source="/opt/ml/processing/evaluation")],
                property_files=[evaluation_report],
            )
            step_cond = ConditionStep(
                name="CheckAccuracy",
                conditions=[ConditionGreaterThanOrEqualTo(
                    left=JsonGet(step_name=step_eval.name, property_file=evaluation_report,
                                 json_path="metrics.accuracy"),
                    right=0.8)],
                if_steps=[],
                else_steps=[],
            )
            return Pipeline(name="Churn", parameters=[input_data],
                            steps=[step_process, step_train, step_eval, step_cond])
        '''),
    PREPROCESS: dedent('''\
        import os

        import pandas as pd

        frame = pd.read_csv(os.path.join("/opt/ml/processing/input", "churn.csv"))
        frame.sample(frac=0.8).to_csv("/opt/ml/processing/train/train.csv")
        frame.sample(frac=0.2).to_csv("/opt/ml/processing/test/test.csv")
        '''),
    TRAIN: dedent('''\
        import argparse
        import os

        parser = argparse.ArgumentParser()
        parser.add_argument("--n_estimators", type=int, default=10)
        parser.add_argument("--train", default=os.environ["SM_CHANNEL_TRAIN"])
        args = parser.parse_args()
        '''),
    EVALUATE: dedent('''\
        import json

        with open("/opt/ml/processing/evaluation/evaluation.json", "w") as handle:
            json.dump({"metrics": {"accuracy": 0.9}}, handle)
        print(open("/opt/ml/processing/test/test.csv").read(), "/opt/ml/processing/model")
        '''),
}


def pipeline_project(*changes, add: dict | None = None) -> dict:
    """The template pipeline with each ``(path, old, new)`` change applied once (``path``
    defaults to the pipeline file when a change is ``(old, new)``), plus ``add``."""
    files = dict(SOURCES)
    for change in changes:
        path, old, new = change if len(change) == 3 else (PIPELINE, *change)
        assert files[path].count(old) == 1, (path, old)
        files[path] = files[path].replace(old, new)
    files.update({path: dedent(text) for path, text in (add or {}).items()})
    return files
