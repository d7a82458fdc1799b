"""The plain SageMaker SDK pipeline reader: its evaluator and the steps it builds."""

from __future__ import annotations

import ast
from textwrap import dedent

from steplint.api import check_paths, configure
from steplint.files.sources import SourceFile
from steplint.model.steps import Answer
from steplint.model.values import Unknown
from steplint.readers import readers
from steplint.readers.pipeline import READER
from steplint.readers.pipeline.evaluate import Evaluator, Text
from steplint.readers.pipeline.values import Here, Local

from tests.conftest import write_project

HEADER = """\
import os
from sagemaker.inputs import TrainingInput
from sagemaker.processing import ProcessingInput, ProcessingOutput, ScriptProcessor
from sagemaker.sklearn.processing import SKLearnProcessor
from sagemaker.sklearn.estimator import SKLearn
from sagemaker.workflow.parameters import ParameterString
from sagemaker.workflow.pipeline import Pipeline
from sagemaker.workflow.properties import PropertyFile
from sagemaker.workflow.steps import ProcessingStep, TrainingStep
"""


def evaluate(code: str) -> Evaluator:
    text = dedent(code)
    evaluator = Evaluator(ast.parse(text), Text(text))
    evaluator.run()
    return evaluator


def read(code: str, path: str = "pipelines/demo/pipeline.py"):
    source = SourceFile(path, path, HEADER + dedent(code), "utf-8", False)
    assert READER.wants(source)
    facts, problem = READER.read(source)
    assert problem is None
    return [planned.step for planned in facts.steps], facts


def test_the_reader_is_registered():
    assert READER in readers()


def test_base_dir_join_is_relative_to_the_pipeline_file():
    evaluator = evaluate("""
        import os
        BASE_DIR = os.path.dirname(os.path.realpath(__file__))
        SCRIPT = os.path.join(BASE_DIR, "preprocess.py")
        """)
    assert evaluator.module_scope["BASE_DIR"] == Here()
    assert evaluator.module_scope["SCRIPT"] == Local("preprocess.py")


def test_function_locals_defaults_and_branches():
    evaluator = evaluate("""
        PREFIX = "s3://bucket"
        def get_pipeline(region, model_name="m", flag=False):
            uri = f"{PREFIX}/{model_name}/data"
            if flag:
                kind = "a"
                same = "x"
            else:
                kind = "b"
                same = "x"
            for item in range(3):
                looped = item
            joined = uri + "/train"
            result(uri, kind, same, looped, joined, region)
        """)
    call = [obj for obj in evaluator.objects if obj.func == "?" and len(obj.args) == 6][0]
    uri, kind, same, looped, joined, region = call.args
    assert uri == "s3://bucket/m/data"
    assert joined == "s3://bucket/m/data/train"
    assert same == "x"
    assert isinstance(kind, Unknown) and isinstance(looped, Unknown) and isinstance(region, Unknown)


def test_processing_step_with_processor_and_step_args():
    steps, _ = read("""
        def get_pipeline():
            processor = SKLearnProcessor(framework_version="1.2-1", role="r", instance_type="ml.m5.large",
                                         instance_count=1, env={"MODE": "full"})
            direct = ProcessingStep(
                name="Direct", processor=processor, code="preprocess.py",
                inputs=[ProcessingInput(source="s3://b/raw", destination="/opt/ml/processing/input")],
                outputs=[ProcessingOutput(output_name="train", source="/opt/ml/processing/train"),
                         ProcessingOutput(source="/opt/ml/processing/test")],
                job_arguments=["--split", "0.2"],
            )
            args = processor.run(code="evaluate.py", outputs=[ProcessingOutput(output_name="evaluation",
                                                                               source="/opt/ml/processing/evaluation")])
            via = ProcessingStep(name="Via", step_args=args)
            return Pipeline(name="p", steps=[direct, via])
        """)
    direct, via = steps
    assert direct.kind == "processing" and direct.declared_by == "ProcessingStep 'Direct'"
    assert [(e.name, e.value) for e in direct.container_inputs] == [("input-1", "/opt/ml/processing/input")]
    assert [(e.name, e.value) for e in direct.container_outputs] == [
        ("train", "/opt/ml/processing/train"), ("output-2", "/opt/ml/processing/test")]
    assert direct.env.has("MODE") is Answer.YES and direct.env.has("OTHER") is Answer.NO
    assert direct.arguments.has("split") is Answer.YES
    assert direct.sdk.code_input is Answer.YES and direct.sdk.via_step_args is False
    assert via.sdk.via_step_args and [e.name for e in via.container_outputs] == ["evaluation"]
    assert via.container_inputs == ()


def test_training_channels_from_a_dict_and_from_a_bare_uri():
    steps, _ = read("""
        estimator = SKLearn(entry_point="train.py", source_dir="code", framework_version="1.2-1",
                            hyperparameters={"max-depth": 3}, environment={"STAGE": "prod"})
        named = TrainingStep(name="Named", estimator=estimator,
                             inputs={"train": TrainingInput(s3_data="s3://b/train")})
        bare = TrainingStep(name="Bare", step_args=estimator.fit("s3://b/all"))
        """)
    named, bare = steps
    assert named.channels.names == {"train"} and named.channels.complete
    assert bare.channels.names == {"training"}
    assert [e.value for e in bare.container_inputs] == ["/opt/ml/input/data/training"]
    assert named.arguments.has("max_depth") is Answer.YES
    assert named.env.has("STAGE") is Answer.YES


def test_what_cannot_be_followed_is_unknown():
    steps, _ = read("""
        def get_pipeline(processor, inputs):
            return ProcessingStep(name="P", processor=processor, inputs=inputs, code="x.py")
        """)
    [step] = steps
    assert isinstance(step.container_inputs, Unknown)
    assert step.env.has("ANY") is Answer.UNKNOWN


def test_property_reads_property_files_and_parameters():
    steps, _ = read("""
        def get_pipeline():
            data = ParameterString(name="InputData", default_value="s3://b/raw")
            processor = SKLearnProcessor(framework_version="1.2-1", role="r", instance_type="ml.m5.large",
                                         instance_count=1)
            report = PropertyFile(name="Report", output_name="evaluation", path="evaluation.json")
            prep = ProcessingStep(name="Prep", processor=processor, code="p.py", property_files=[report],
                                  inputs=[ProcessingInput(source=data, destination="/opt/ml/processing/input")],
                                  outputs=[ProcessingOutput(output_name="train", source="/opt/ml/processing/train")])
            uri = prep.properties.ProcessingOutputConfig.Outputs["Train"].S3Output.S3Uri
            return Pipeline(name="p", parameters=[], steps=[prep])
        """)
    [prep] = steps
    [read_] = prep.sdk.property_reads
    assert read_.path == "properties.ProcessingOutputConfig.Outputs['Train'].S3Output.S3Uri"
    assert read_.keys[0].value == "Train" and read_.keys[0].quote == '"'
    assert [(d.name, d.value) for d in prep.sdk.property_files] == [("evaluation", "Report")]
    assert [d.name for d in prep.sdk.parameters] == ["InputData"]
    [pipeline] = prep.sdk.pipelines
    assert pipeline.parameters == () and [name for name, _, _ in pipeline.steps] == ["Prep"]


def test_bad_input_is_one_diagnostic(tmp_path, monkeypatch):
    root = write_project(tmp_path, {"pipeline.py": "from sagemaker.workflow.steps import ProcessingStep\n"
                                                   "def f(:\n"})
    monkeypatch.chdir(root)
    result = check_paths(["."], configure(["."]))
    assert not result.internal_errors
    assert [finding.code for finding in result.findings] == ["SL901"]


def test_scripts_are_found_relative_to_the_pipeline_file(tmp_path, monkeypatch):
    root = write_project(tmp_path, {
        "pipelines/demo/pipeline.py": HEADER + dedent("""
            BASE_DIR = os.path.dirname(os.path.realpath(__file__))
            def get_pipeline():
                processor = SKLearnProcessor(framework_version="1.2-1", role="r", instance_type="ml.m5.large",
                                             instance_count=1)
                step = ProcessingStep(name="Prep", processor=processor, code=os.path.join(BASE_DIR, "prep.py"),
                                      outputs=[ProcessingOutput(output_name="train",
                                                                source="/opt/ml/processing/train")])
                return Pipeline(name="p", steps=[step])
            """),
        "pipelines/demo/prep.py": 'OUT = "/opt/ml/processing/trian"\nopen(OUT + "/x.csv", "w")\n',
        "pipelines/demo/scratch.py": 'import os\nos.makedirs("/opt/ml/processing/data")\n',
    })
    monkeypatch.chdir(root)
    result = check_paths(["."], configure(["."]))
    assert not result.internal_errors
    # reported at the step that declares the script's paths, the script related
    assert [(f.code, f.path, f.related_paths) for f in result.findings] == [
        ("SL405", "pipelines/demo/pipeline.py", ("pipelines/demo/prep.py",))]
    assert result.findings[0].message.startswith("prep.py:1 uses /opt/ml/processing/trian")


def test_a_directory_the_script_creates_is_not_an_undeclared_input(tmp_path, monkeypatch):
    root = write_project(tmp_path, {
        "pipeline.py": HEADER + dedent("""
            processor = SKLearnProcessor(framework_version="1.2-1", role="r", instance_type="ml.m5.large",
                                         instance_count=1)
            step = ProcessingStep(name="Prep", processor=processor, code="prep.py",
                                  outputs=[ProcessingOutput(output_name="train", source="/opt/ml/processing/train")])
            """),
        "prep.py": dedent("""
            import pathlib
            import boto3
            if __name__ == "__main__":
                base_dir = "/opt/ml/processing"
                pathlib.Path(f"{base_dir}/data").mkdir(parents=True, exist_ok=True)
                boto3.resource("s3").Bucket("b").download_file("k", f"{base_dir}/data/raw.csv")
                open(f"{base_dir}/data/raw.csv").read()
                open(f"{base_dir}/train/train.csv", "w")
            """),
    })
    monkeypatch.chdir(root)
    result = check_paths(["."], configure(["."]))
    assert not result.internal_errors
    assert [f.code for f in result.findings] == []


def test_a_comprehension_over_a_literal_list_is_folded():
    steps, _ = read("""
        REGIONS = ["eu", "us", "ap"]
        def get_pipeline(processor):
            return ProcessingStep(name="P", processor=processor, code="x.py",
                                  inputs=[ProcessingInput(source=f"s3://b/{r}/", destination=f"/opt/ml/processing/{r}")
                                          for r in REGIONS])
        """)
    [step] = steps
    assert [entry.value for entry in step.container_inputs] == [
        "/opt/ml/processing/eu", "/opt/ml/processing/us", "/opt/ml/processing/ap"]


def test_a_comprehension_with_a_condition_is_unknown():
    steps, _ = read("""
        def get_pipeline(processor, wanted):
            return ProcessingStep(name="P", processor=processor, code="x.py",
                                  inputs=[ProcessingInput(source=r, destination=r) for r in ["a", "b"] if r in wanted])
        """)
    [step] = steps
    assert isinstance(step.container_inputs, Unknown)


def test_a_pipeline_file_is_checked_after_a_fix_as_python():
    """The fixer asks a registered reader whether an edited file is still valid only for files
    that are not Python; a pipeline file gets the Python test (parse guard, then LibCST)."""
    from steplint.fixing.fixer import _parses
    from steplint.readers import reader_for

    assert reader_for("pipelines/abalone/pipeline.py") is None
    assert _parses("pipelines/abalone/pipeline.py", "x = 1\n")
    assert not _parses("pipelines/abalone/pipeline.py", "def f(:\n")


def test_steps_named_by_jsonget_and_depends_on_and_the_jobs_origin():
    steps, _ = read("""
        from sagemaker.workflow.functions import JsonGet
        from sagemaker.workflow.condition_step import ConditionStep
        from sagemaker.workflow.conditions import ConditionGreaterThan
        def get_pipeline():
            processor = SKLearnProcessor(framework_version="1.2-1", role="r", instance_type="ml.m5.large",
                                         instance_count=1)
            report = PropertyFile(name="Report", output_name="evaluation", path="evaluation.json")
            prep = ProcessingStep(name="Prep", processor=processor, code="p.py", depends_on=["Fetch", other])
            evaluate = ProcessingStep(name="Eval", processor=processor, code="e.py", property_files=[report],
                                      depends_on=[prep])
            evaluate.add_depends_on([prep.name])
            check = ConditionStep(name="Check", conditions=[ConditionGreaterThan(
                left=JsonGet(step_name=evaluate.name, property_file=report, json_path="a"), right=0)],
                if_steps=[prep], else_steps=[])
            return Pipeline(name="p", steps=[check])
        """)
    prep, evaluate, check = steps
    assert [(d.name, d.value) for d in prep.sdk.step_references] == [("Fetch", "depends_on")]
    assert [(d.name, d.value) for d in evaluate.sdk.step_references] == [("Prep", "depends_on")]
    assert [(d.name, d.value) for d in check.sdk.step_references] == [("Eval", "JsonGet")]
    assert prep.sdk.job_origin == evaluate.sdk.job_origin and prep.sdk.job_origin.span.line == 15
    assert check.sdk.job_origin is None


def test_a_training_recipe_makes_the_hyperparameters_unknown():
    steps, _ = read("""
        from sagemaker.pytorch import PyTorch
        estimator = PyTorch(entry_point="train.py", framework_version="2.1.0", training_recipe="recipe.yaml",
                            hyperparameters={"optimizer": "adam"})
        step = TrainingStep(name="T", estimator=estimator, inputs={"train": "s3://b/train"})
        """)
    [step] = steps
    assert isinstance(step.sdk.hyperparameters, Unknown)
    assert step.arguments.has("optimizer") is Answer.UNKNOWN


def test_what_a_training_script_reads_from_the_hyperparameters_file():
    from steplint.readers.pipeline.hpfile import raw_hyperparameter_uses

    uses = raw_hyperparameter_uses(dedent("""\
        import json
        from pathlib import Path
        hp = json.loads(Path("/opt/ml/input/config/hyperparameters.json").read_text())
        if hp.get("optimizer") == "adam":
            epochs = int(hp["epochs"])
            epochs = int(hp["epochs"])
        print(hp["name"], json.loads(hp["layers"]) == "x")
        """))
    # one per key (the first read), and only uses as they are
    assert [(key, use, span.line) for key, use, span in uses] == [
        ("optimizer", ("compare", "compared with 'adam'"), 4), ("epochs", ("int", "passed to int()"), 5)]


def test_a_script_reading_the_file_reports_once_per_key(tmp_path, monkeypatch):
    root = write_project(tmp_path, {
        "pipeline.py": HEADER + dedent("""
            estimator = SKLearn(entry_point="train.py", framework_version="1.2-1",
                                hyperparameters={"optimizer": "adam", "epochs": "3"})
            step = TrainingStep(name="T", estimator=estimator, inputs={"train": "s3://b/train"})
            """),
        "train.py": dedent("""\
            import json
            with open("/opt/ml/input/config/hyperparameters.json", "r") as f:
                hp = json.load(f)
            if hp.get("optimizer") == "adam":
                epochs = int(hp["epochs"])
            epochs = int(hp["epochs"])
            """),
    })
    monkeypatch.chdir(root)
    result = check_paths(["."], configure(["."]))
    assert not result.internal_errors
    assert [(f.code, f.path, f.span.line) for f in result.findings if f.code == "SL708"] == [
        ("SL708", "train.py", 4), ("SL708", "train.py", 5)]
