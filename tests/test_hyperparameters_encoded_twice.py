"""SL507 hyperparameters-encoded-twice: what it reports, what it leaves alone, its fix, and the
SDK behaviour it rests on, checked against the installed SDK (rendered offline)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest
from steplint.api import check_paths, configure, fix_paths_in_memory
from steplint.rules import rule_by_code
from steplint.rules._sagemaker_examples import builder_project, with_script
from steplint.sagemaker.facts import FRAMEWORK_ESTIMATORS

from tests.conftest import FIXTURES, REPO, run_steplint, write_project
from tests.offline_sdk import BUCKET, NETWORK_ATTEMPT_EXIT, ROLE, go_offline, pipeline_session, subprocess_environment

RULE = rule_by_code("SL507")
VERSIONS = 'framework_version="2.1.0",\npy_version="py310",\n'
IMAGE = 'image_uri="111122223333.dkr.ecr.us-east-1.amazonaws.com/train:1",\n'
FIXTURE = FIXTURES / "hyperparameters_encoded_twice"
BUILDER = "src/buyer_models/steps/builders/builder_pytorch_training_step.py"
LEGACY_BUILDER = "src/mlpipelines/pipeline_steps/builder_training_step_pytorch.py"


def sl507(tmp_path, monkeypatch, files):
    monkeypatch.chdir(write_project(tmp_path, files))
    result = check_paths(["."], configure(["."]))
    assert not result.internal_errors, result.internal_errors
    assert not [f for f in result.findings if f.code.startswith("SL9")], "every file parsed and was checked"
    return [finding for finding in result.findings if finding.code == "SL507"]


# -- what it reports ------------------------------------------------------------------------
def test_the_message_names_the_key_and_estimator_the_help_the_sdk_code_and_what_the_job_receives(tmp_path, monkeypatch):
    [finding] = sl507(tmp_path, monkeypatch, builder_project(
        VERSIONS + 'hyperparameters={"epochs": 10, "optimizer": json.dumps("adam")},', imports="import json\n"))
    assert (finding.path, finding.line, finding.column) == ("steps/builders/builder_training_step.py", 18, 57)
    assert finding.message == ("hyperparameter 'optimizer' is already json.dumps(...); the PyTorch estimator in "
                               "TrainingStepBuilder encodes it again")
    assert finding.help.startswith(
        "Framework.hyperparameters() applies EstimatorBase._json_encode_hyperparameters (sagemaker/estimator.py, "
        "sagemaker 2.")
    assert "the job receives '\"\\\"adam\\\"\"' instead of '\"adam\"'" in finding.help
    assert finding.help.endswith("Pass the value itself.")
    assert finding.fix.description == 'pass "adam" itself, not json.dumps(...)'


@pytest.mark.parametrize("estimator", sorted(FRAMEWORK_ESTIMATORS))
def test_every_framework_estimator_is_checked(tmp_path, monkeypatch, estimator):
    module = {"RLEstimator": "rl", "HuggingFace": "huggingface"}.get(estimator, estimator.lower())
    files = builder_project('hyperparameters={"lr": json.dumps(0.01)},', estimator=estimator,
                            imports="import json\n")
    path = "steps/builders/builder_training_step.py"
    files[path] = files[path].replace(f"from sagemaker.{estimator.lower()} import", f"from sagemaker.{module} import")
    assert len(sl507(tmp_path, monkeypatch, files)) == 1


def test_values_through_module_constants_and_dict_calls_are_followed(tmp_path, monkeypatch):
    files = builder_project(VERSIONS + "hyperparameters=HYPERPARAMETERS,", imports="import json\n",
                            helpers='LEARNING_RATE = json.dumps(0.01)\nHYPERPARAMETERS = dict(lr=LEARNING_RATE, '
                                    'epochs=json.dumps(3), optimizer="adam")\n')
    found = sl507(tmp_path, monkeypatch, files)
    assert [(f.line, f.column, f.fix) for f in found] == [(10, 24, None), (10, 42, None)]  # no fix: not local


def test_a_helper_shared_by_two_builders_is_reported_once(tmp_path, monkeypatch):
    files = builder_project(VERSIONS + "hyperparameters=encode(self.config),", imports="import json\n",
                            helpers='def encode(config):\n    return {"lr": json.dumps(config.lr)}\n')
    path = "steps/builders/builder_training_step.py"
    files["steps/builders/second.py"] = files[path].replace("class TrainingStepBuilder", "class SecondStepBuilder") \
        .replace("def encode", "def _unused").replace("return PyTorch(", "return PyTorch(  # uses the first helper") \
        .replace("from steps.specs.training_spec import TRAINING_SPEC",
                 "from steps.specs.training_spec import TRAINING_SPEC\nfrom steps.builders.builder_training_step "
                 "import encode")
    found = sl507(tmp_path, monkeypatch, files)
    assert [(f.path, f.line) for f in found] == [(path, 10)]


# -- what it does not report: no double encoding, or cannot tell ----------------------------
SILENT = {
    "generic Estimator without source_dir str()s values": (
        IMAGE + 'hyperparameters={"lr": json.dumps(0.01)},', "Estimator"),
    "generic Estimator with an unknown source_dir": (
        IMAGE + 'source_dir=self.config.source_dir,\nhyperparameters={"lr": json.dumps(0.01)},', "Estimator"),
    "generic Estimator with **kwargs": (
        IMAGE + '**self.extra,\nhyperparameters={"lr": json.dumps(0.01)},', "Estimator"),
    "PyTorch with a Nova training recipe keeps strings": (
        'training_recipe="fine-tuning/nova/nova_micro",\nhyperparameters={"lr": json.dumps(0.01)},', "PyTorch"),
    "PyTorch with **kwargs (a recipe may be in them)": (
        '**self.extra,\nhyperparameters={"lr": json.dumps(0.01)},', "PyTorch"),
    "a method call steplint cannot follow": (
        VERSIONS + "hyperparameters=self.config.hyperparameters.serialize_config(),", "PyTorch"),
    "an attribute": (VERSIONS + "hyperparameters=self.encoded_hyperparameters,", "PyTorch"),
    "a dict with ** unpacking": (
        VERSIONS + 'hyperparameters={**self.base, "lr": json.dumps(0.01)},', "PyTorch"),
    "str() is not json.dumps": (VERSIONS + 'hyperparameters={"lr": str(0.01)},', "PyTorch"),
    "AlgorithmEstimator sends values as given": (
        'algorithm_arn="arn:aws:sagemaker:us-east-1:111122223333:algorithm/x",\n'
        'hyperparameters={"lr": json.dumps(0.01)},', "AlgorithmEstimator"),
}


@pytest.mark.parametrize("case", sorted(SILENT))
def test_silent_when_the_value_is_encoded_once_or_cannot_be_told(tmp_path, monkeypatch, case):
    kwargs, estimator = SILENT[case]
    files = builder_project(kwargs, estimator=estimator, imports="import json\n")
    path = "steps/builders/builder_training_step.py"
    files[path] = files[path].replace("from sagemaker.algorithmestimator import", "from sagemaker.algorithm import")
    assert sl507(tmp_path, monkeypatch, files) == []


SCRIPTS = {
    "an argparse option": 'import argparse\np = argparse.ArgumentParser()\np.add_argument("--lr", type=float)\n',
    "an argparse option without a type": 'import argparse\np = argparse.ArgumentParser()\np.add_argument("--lr")\n',
    "an option whose name is not a literal": 'import argparse\nNAME = "--" + input()\n'
                                             'p = argparse.ArgumentParser()\np.add_argument(NAME)\n',
    "SM_HP_<KEY>": 'import os\nlr = float(os.environ["SM_HP_LR"])\n',
}


@pytest.mark.parametrize("script", sorted(SCRIPTS))
def test_a_key_the_script_takes_directly_is_left_alone_unless_the_value_is_a_string(tmp_path, monkeypatch, script):
    """On the command line and in SM_HP_<KEY> a number arrives the same either way and a list
    arrives as JSON only when encoded twice: cannot tell. A string's quotes are wrong anywhere."""
    files = builder_project(VERSIONS + 'hyperparameters={"lr": json.dumps(self.config.lr), '
                                       '"optimizer": json.dumps("adam")},', imports="import json\n")
    found = sl507(tmp_path, monkeypatch, with_script(files, SCRIPTS[script]))
    assert [f.message.split("'")[1] for f in found] == ["optimizer"]


def test_a_script_reading_hyperparameters_json_gets_every_encoded_value_reported(tmp_path, monkeypatch):
    script = ('import argparse, json\np = argparse.ArgumentParser()\np.add_argument("--seed", type=int)\n'
              'hp = json.load(open("/opt/ml/input/config/hyperparameters.json"))\n')
    files = builder_project(VERSIONS + 'hyperparameters={"lr": json.dumps(self.config.lr), '
                                       '"layers": json.dumps(self.config.layers)},', imports="import json\n")
    found = sl507(tmp_path, monkeypatch, with_script(files, script))
    assert [f.message.split("'")[1] for f in found] == ["lr", "layers"]


def test_a_project_class_named_like_an_estimator_is_not_the_sdk_one(tmp_path, monkeypatch):
    files = builder_project(VERSIONS + 'hyperparameters={"lr": json.dumps(0.01)},', imports="import json\n")
    path = "steps/builders/builder_training_step.py"
    files[path] = files[path].replace("from sagemaker.pytorch import PyTorch",
                                      "from vendored.estimators import PyTorch")
    assert sl507(tmp_path, monkeypatch, files) == []


# -- the fix --------------------------------------------------------------------------------
def fixed_text(tmp_path, monkeypatch, files) -> str:
    monkeypatch.chdir(write_project(tmp_path, files))
    outcome = fix_paths_in_memory(["."], configure(["."]), unsafe=True)
    return outcome.workspace.sources["steps/builders/builder_training_step.py"].text


def test_the_documented_fix_produces_the_fixed_example(tmp_path, monkeypatch):
    [example] = [example for example in RULE.bad_examples if example.fixed is not None]
    monkeypatch.chdir(write_project(tmp_path, example.files))
    outcome = fix_paths_in_memory(["."], configure(["."]), unsafe=True)
    assert {path: source.text for path, source in outcome.workspace.sources.items()} == example.fixed
    assert not [f for f in outcome.result.findings if f.code == "SL507"]


def test_the_fix_is_unsafe_and_not_applied_by_a_plain_fix(tmp_path, monkeypatch):
    files = builder_project(VERSIONS + 'hyperparameters={"lr": json.dumps(0.01)},', imports="import json\n")
    monkeypatch.chdir(write_project(tmp_path, files))
    outcome = fix_paths_in_memory(["."], configure(["."]))
    assert outcome.workspace.sources["steps/builders/builder_training_step.py"].text == \
        files["steps/builders/builder_training_step.py"]


@pytest.mark.parametrize(("value", "fixed"), [
    ("json.dumps(self.config.lr)", "self.config.lr"),
    ("json.dumps([64, 32])", "[64, 32]"),
    ("json.dumps((a := 1))", "(a := 1)"),
    ("json.dumps(\n    self.config.layers\n)", "self.config.layers"),
    ("json.dumps((x for x in self.config.layers))", "(x for x in self.config.layers)"),
])
def test_the_fix_passes_the_argument_itself(tmp_path, monkeypatch, value, fixed):
    files = builder_project(VERSIONS + f'hyperparameters={{"lr": {value}}},', imports="import json\n")
    assert f'hyperparameters={{"lr": {fixed}}},' in fixed_text(tmp_path, monkeypatch, files)


@pytest.mark.parametrize(("value", "fixed"), [
    ('json.dumps("#2 of 3")', '"#2 of 3"'),  # a '#' in a string is not a comment
])
def test_the_fix_keeps_a_string_argument_as_written(tmp_path, monkeypatch, value, fixed):
    files = builder_project(VERSIONS + f'hyperparameters={{"tag": {value}}},', imports="import json\n")
    assert f'hyperparameters={{"tag": {fixed}}},' in fixed_text(tmp_path, monkeypatch, files)


@pytest.mark.parametrize("value", [
    "json.dumps(self.config.lr, default=str)",  # without default=, the SDK's own json.dumps may raise
    "json.dumps(  # a comment inside the call\n    self.config.lr)",
    "json.dumps(*self.args)",
    "json.dumps(a := 1)",
    "json.dumps(self.config.lr,)",
])
def test_no_fix_when_the_call_is_not_simply_json_dumps_of_one_value(tmp_path, monkeypatch, value):
    files = builder_project(VERSIONS + f'hyperparameters={{"lr": {value}}},', imports="import json\n")
    assert [f.fix for f in sl507(tmp_path, monkeypatch, files)] == [None]
    assert "json.dumps(" in fixed_text(tmp_path / "fixed", monkeypatch, files)


# -- the SDK behaviour the rule rests on, checked against the installed SDK ---------------------
@pytest.mark.slow  # renders with the real SageMaker SDK
def test_the_framework_estimators_are_the_sdks_framework_subclasses(offline):
    import importlib

    from sagemaker.estimator import EstimatorBase, Framework

    modules = {"RLEstimator": "rl", "HuggingFace": "huggingface"}
    for name in FRAMEWORK_ESTIMATORS:
        cls = getattr(importlib.import_module(f"sagemaker.{modules.get(name, name.lower())}"), name)
        assert issubclass(cls, Framework), name
    assert EstimatorBase._json_encode_hyperparameters({"lr": "0.01"}) == {"lr": '"0.01"'}


@pytest.fixture
def offline(monkeypatch, tmp_path):
    guard = go_offline(monkeypatch, tmp_path)
    yield guard
    assert guard.attempts == [], f"network access attempted: {guard.attempts}"


def _rendered_hyperparameters(estimator) -> dict:
    from sagemaker.inputs import TrainingInput
    from sagemaker.workflow.pipeline import Pipeline
    from sagemaker.workflow.steps import TrainingStep

    step_args = estimator.fit(inputs={"train": TrainingInput(s3_data=f"s3://{BUCKET}/train/")})
    pipeline = Pipeline(name="P", steps=[TrainingStep(name="T", step_args=step_args)],
                        sagemaker_session=estimator.sagemaker_session)
    return json.loads(pipeline.definition())["Steps"][0]["Arguments"]["HyperParameters"]


@pytest.mark.slow  # renders with the real SageMaker SDK
def test_the_sdk_encodes_json_dumps_values_twice_exactly_where_the_rule_says(offline):
    from sagemaker.estimator import Estimator
    from sagemaker.pytorch import PyTorch

    session, _ = pipeline_session()
    common = dict(role=ROLE, instance_type="ml.m5.xlarge", instance_count=1, output_path=f"s3://{BUCKET}/out",
                  sagemaker_session=session, hyperparameters={"lr": json.dumps(0.01), "on": json.dumps(False)})
    image = "111122223333.dkr.ecr.us-east-1.amazonaws.com/train:1"
    framework = _rendered_hyperparameters(PyTorch(entry_point="train.py", source_dir=f"s3://{BUCKET}/src.tar.gz",
                                                  framework_version="2.1.0", py_version="py310", **common))
    generic = _rendered_hyperparameters(Estimator(image_uri=image, **common))
    script_mode = _rendered_hyperparameters(Estimator(image_uri=image, entry_point="train.py",
                                                      source_dir=f"s3://{BUCKET}/src.tar.gz", **common))
    assert (framework["lr"], framework["on"]) == ('"0.01"', '"false"')  # reported: encoded twice
    assert (script_mode["lr"], script_mode["on"]) == ('"0.01"', '"false"')  # reported: encoded twice
    assert (generic["lr"], generic["on"]) == ("0.01", "false")  # silent: encoded once


# -- the fixture project --------------------------------------------------------------------
RENDER_FIXTURE = f"""\
import json
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, "src")
from sagemaker.workflow.pipeline import Pipeline

from buyer_models.steps.builders.builder_pytorch_training_step import PyTorchTrainingStepBuilder
from buyer_models.steps.configs.config_pytorch_training_step import PyTorchTrainingConfig
from tests.offline_sdk import pipeline_session

session, _ = pipeline_session()
config = PyTorchTrainingConfig(source_dir="s3://{BUCKET}/code/sourcedir.tar.gz", output_path="s3://{BUCKET}/m")
step = PyTorchTrainingStepBuilder(config, sagemaker_session=session, role="{ROLE}").create_step(
    inputs={{"input_path": "s3://{BUCKET}/preprocessed"}})
definition = json.loads(Pipeline(name="Bsm", steps=[step], sagemaker_session=session).definition())
print("RENDERED " + json.dumps(definition["Steps"][0]["Arguments"]["HyperParameters"]))
"""


def _fixture_hyperparameters(root, scratch) -> dict:
    """The HyperParameters the fixture's PyTorch builder renders (a subprocess: this imports the
    fixture project, to test the fix, not to lint it)."""
    scratch.mkdir()
    (scratch / "render.py").write_text(RENDER_FIXTURE)
    completed = subprocess.run([sys.executable, "-m", "tests.offline_sdk", str(scratch / "render.py")], cwd=root,
                               env=subprocess_environment(scratch, [REPO]), capture_output=True, text=True,
                               timeout=300)
    assert completed.returncode != NETWORK_ATTEMPT_EXIT, completed.stderr
    assert completed.returncode == 0, completed.stderr[-3000:]
    [line] = [line for line in completed.stdout.splitlines() if line.startswith("RENDERED ")]
    return json.loads(line.removeprefix("RENDERED "))


@pytest.mark.slow  # renders with the real SageMaker SDK
def test_the_unsafe_fix_on_the_fixture_makes_the_job_receive_each_value_encoded_once(tmp_path):
    before_root = shutil.copytree(FIXTURE, tmp_path / "before")
    after_root = shutil.copytree(FIXTURE, tmp_path / "after")
    fixed = run_steplint("--fix", "--unsafe-fixes", ".", cwd=after_root)
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    text = (after_root / BUILDER).read_text()
    assert '"lr": hp.lr,' in text and '"fp16": hp.fp16,' in text and "json.dumps(hp." not in text
    changed = {path.relative_to(after_root).as_posix() for path in after_root.rglob("*.py")
               if path.read_bytes() != (FIXTURE / path.relative_to(after_root)).read_bytes()}
    assert changed == {BUILDER}

    before = _fixture_hyperparameters(before_root, tmp_path / "render-before")
    after = _fixture_hyperparameters(after_root, tmp_path / "render-after")
    assert (before["lr"], before["fp16"], before["max_epochs"]) == ('"3e-05"', '"true"', '"3"')
    assert (after["lr"], after["fp16"], after["max_epochs"]) == ("3e-05", "true", "3")
    assert before["metric_choices"] == json.dumps(json.dumps(["f1_score", "auroc"]))
    assert after["metric_choices"] == json.dumps(["f1_score", "auroc"])
    assert before["tokenizer"] == after["tokenizer"] == '"bert-base-multilingual-uncased"'  # never dumped


def test_sl301s_rewrite_leaves_the_estimator_alone_and_sl507_fixes_it_in_the_same_run(tmp_path):
    """The legacy builder with its estimator's hyperparameters encoded inline: SL301 rewrites
    only _get_inputs, so the double encoding survives it, and SL507 is what removes it."""
    root = shutil.copytree(FIXTURES / "legacy_layout", tmp_path / "legacy")
    builder = root / LEGACY_BUILDER
    source = builder.read_text()
    encoded = ('hyperparameters={"lr": json.dumps(self.config.hyperparameters.lr), '
               '"max_epochs": json.dumps(self.config.hyperparameters.max_epochs)},')
    assert "hyperparameters=self.config.hyperparameters.serialize_config()," in source
    builder.write_text("import json\n" + source.replace(
        "hyperparameters=self.config.hyperparameters.serialize_config(),", encoded))

    only_sl301 = run_steplint("--select", "SL301", "--fix", "--unsafe-fixes", ".", cwd=root)
    assert only_sl301.returncode in (0, 1), only_sl301.stderr
    assert encoded in builder.read_text()  # SL301's rewrite did not touch _create_estimator
    assert "for dependency in" in builder.read_text()
    assert " SL507 " in run_steplint("--select", "SL507", ".", cwd=root).stdout

    run_steplint("--select", "SL507", "--fix", "--unsafe-fixes", ".", cwd=root)
    assert 'hyperparameters={"lr": self.config.hyperparameters.lr, ' \
           '"max_epochs": self.config.hyperparameters.max_epochs},' in builder.read_text()
    assert " SL507 " not in run_steplint("--select", "SL507", ".", cwd=root).stdout
