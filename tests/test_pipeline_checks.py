"""Plain SageMaker SDK pipelines: the SL7xx rules' fix, and the step-model rules on this form."""

from __future__ import annotations

import ast
import shutil
from pathlib import Path
from textwrap import dedent

import pytest
from steplint.api import check_paths, configure, fix_paths_in_memory
from steplint.rules import all_rules

from tests.conftest import write_project

CASES = Path("/work/shared/cases")
PIPELINE_RULES = [rule for rule in all_rules() if rule.code.startswith("SL7")]


def findings(root: Path, monkeypatch) -> list:
    monkeypatch.chdir(root)
    result = check_paths(["."], configure(["."]))
    assert not result.internal_errors
    return result.findings


@pytest.mark.parametrize("rule", PIPELINE_RULES, ids=[rule.code for rule in PIPELINE_RULES])
def test_pipeline_rules_are_documented(rule):
    assert rule.bad_examples and rule.good_examples and rule.rationale


def test_the_case_fix_renames_the_output_key_and_is_idempotent(tmp_path, monkeypatch):
    [example] = [example for rule in PIPELINE_RULES for example in rule.bad_examples if example.fixed is not None]
    monkeypatch.chdir(write_project(tmp_path, example.files))
    outcome = fix_paths_in_memory(["."], configure(["."]))
    fixed = {path: source.text for path, source in outcome.workspace.sources.items()}
    assert fixed == example.fixed
    for text in outcome.changed.values():
        ast.parse(text)
    assert not [f for f in outcome.result.findings if f.code == "SL701"]
    write_project(tmp_path, outcome.changed)
    again = fix_paths_in_memory(["."], configure(["."]))
    assert not again.changed


def test_a_close_but_not_case_only_key_is_reported_without_a_fix(tmp_path, monkeypatch):
    from steplint.rules._pipeline_examples import pipeline_project

    root = write_project(tmp_path, pipeline_project(('Outputs["train"].S3Output', 'Outputs["trian"].S3Output')))
    [finding] = [f for f in findings(root, monkeypatch) if f.code == "SL701"]
    assert finding.fix is None
    assert "Outputs['trian']" in finding.message and "'PreprocessChurn'" in finding.message
    assert "(close: 'train')" in finding.message
    assert "'train', 'test'" in finding.help and "Use an output_name the step has" in finding.help


@pytest.mark.skipif(not CASES.is_dir(), reason="the shared cases are not on this machine")
@pytest.mark.parametrize(("case", "codes", "where"), [
    ("public-processing-dest-outside", {"SL202"}, "pipeline.py"),
    ("public-output-name-not-in-job", {"SL701", "SL702"}, "pipeline.py"),
    ("public-eleven-processing-inputs", {"SL506"}, "pipeline.py"),
    ("public-sm-channel-default", {"SL405"}, "code/risk_train.py"),
])
def test_the_plain_form_of_each_public_case_is_caught(tmp_path, monkeypatch, case, codes, where):
    root = Path(shutil.copytree(CASES / case / "plain", tmp_path / "plain"))
    # the finding's own file or a related one (SL405 reports a script's read at the step that declares it)
    found = {(f.code, path) for f in findings(root, monkeypatch) for path in (f.path, *f.related_paths)}
    assert {(code, where) for code in codes} <= found, found


# -- the message convention: one short line, and a help -----------------------------------------
BAD_EXAMPLES = [pytest.param(rule, index, example, id=f"{rule.code}-{index}")
                for rule in PIPELINE_RULES for index, example in enumerate(rule.bad_examples)]


@pytest.mark.parametrize(("rule", "index", "example"), BAD_EXAMPLES)
def test_every_finding_has_a_short_one_line_message_and_a_help(tmp_path, monkeypatch, rule, index, example):
    found = [f for f in findings(write_project(tmp_path, example.files), monkeypatch) if f.code == rule.code]
    assert found
    for finding in found:
        assert len(finding.message) <= 120 and "\n" not in finding.message, finding.message
        assert finding.help and finding.help.endswith("."), finding.help


# -- SL708: a string hyperparameter read raw from hyperparameters.json ---------------------------
def _sl708(root: Path, monkeypatch) -> list:
    return [f for f in findings(root, monkeypatch) if f.code == "SL708"]


def _raw_project(script: str, hyperparameters: str = '{"n_estimators": 100, "criterion": "entropy"}',
                 estimator: str | None = None):
    from steplint.rules._pipeline_examples import SOURCES, TRAIN, pipeline_project

    changes = [('hyperparameters={"n_estimators": 100}', f"hyperparameters={hyperparameters}"),
               (TRAIN, SOURCES[TRAIN], dedent(script))]
    if estimator is not None:
        changes.append(('estimator = SKLearn(entry_point=os.path.join(BASE_DIR, "train.py"), framework_version='
                        '"1.2-1",', estimator))
    return pipeline_project(*changes)


LOAD = """\
import json
import os

with open("/opt/ml/input/config/hyperparameters.json") as handle:
    hyperparameters = json.load(handle)
"""


def test_sl708_names_the_script_key_and_estimator_and_says_what_the_file_holds(tmp_path, monkeypatch):
    root = write_project(tmp_path, _raw_project(LOAD + 'if hyperparameters["criterion"] == "entropy":\n'
                                                       '    print("gain")\n'))
    [finding] = _sl708(root, monkeypatch)
    assert finding.path == "pipelines/churn/train.py" and finding.span.line == 6
    assert finding.severity.value == "warning"
    assert "train.py" in finding.message and "hyperparameters.json['criterion']" in finding.message
    assert "compared with 'entropy'" in finding.message and "SKLearn" in finding.message
    assert "'\"entropy\"'" in finding.help and "TrainingStep 'TrainChurn'" in finding.help
    assert "json.loads" in finding.help


@pytest.mark.parametrize(("script", "use"), [
    ('epochs = int(hyperparameters["epochs"])\n', "passed to int()"),
    ('rate = float(hyperparameters.get("criterion", "0.1"))\n', "passed to float()"),
    ('import torch\noptimizer = getattr(torch.optim, hyperparameters["criterion"])\n',
     "passed to getattr()"),
    ('path = os.path.join("/opt/ml/input/data/train", hyperparameters["criterion"])\n', "joined into a path"),
    ('kind = hyperparameters["criterion"]\nif kind in ("gini", "entropy"):\n    pass\n', "compared with 'gini', ..."),
    ('def main():\n    if hyperparameters["criterion"] != "gini":\n        pass\n', "compared with 'gini'"),
])
def test_sl708_reports_each_use_as_it_is(tmp_path, monkeypatch, script, use):
    root = write_project(tmp_path, _raw_project(LOAD + script, '{"epochs": "10", "criterion": "entropy"}'))
    [finding] = _sl708(root, monkeypatch)
    assert use in finding.message


def test_sl708_follows_a_loader_function(tmp_path, monkeypatch):
    script = """\
        import json
        import os

        CONFIG = os.path.join("/opt/ml/input/config", "hyperparameters.json")


        def load_hyperparameters():
            with open(CONFIG) as handle:
                return json.load(handle)


        def main():
            params = load_hyperparameters()
            if params["criterion"] == "entropy":
                print("gain")
        """
    [finding] = _sl708(write_project(tmp_path, _raw_project(script)), monkeypatch)
    assert finding.span.line == 14


@pytest.mark.parametrize("script", [
    # decoded, or stripped of its quotes
    LOAD + 'if json.loads(hyperparameters["criterion"]) == "entropy":\n    pass\n',
    LOAD + 'if hyperparameters["criterion"].strip(\'"\') == "entropy":\n    pass\n',
    # the dict rebuilt or changed: what it holds cannot be told
    LOAD + 'hyperparameters = {k: json.loads(v) for k, v in hyperparameters.items()}\n'
           'if hyperparameters["criterion"] == "entropy":\n    pass\n',
    LOAD + 'hyperparameters.update({"criterion": "gini"})\nif hyperparameters["criterion"] == "entropy":\n    pass\n',
    # a number arrives as "100", which int() reads
    LOAD + 'trees = int(hyperparameters["n_estimators"])\n',
    # a key the estimator does not set
    LOAD + 'if hyperparameters.get("max_depth") == "none":\n    pass\n',
    # not the hyperparameters file
    LOAD.replace("hyperparameters.json", "resourceconfig.json") + 'if hyperparameters["criterion"] == "x":\n    pass\n',
])
def test_sl708_is_silent_when_the_value_is_decoded_or_cannot_be_told(tmp_path, monkeypatch, script):
    assert _sl708(write_project(tmp_path, _raw_project(script)), monkeypatch) == []


@pytest.mark.parametrize(("hyperparameters", "estimator"), [
    ('{"criterion": criterion_parameter}', None),  # a pipeline parameter is rendered as a reference
    ('{"criterion": "entropy"}', 'estimator = PyTorch(**settings, entry_point=os.path.join(BASE_DIR, "train.py"), '
                                 'framework_version="2.1.0",'),  # settings may hold a training_recipe
    ('{"criterion": "entropy"}', 'estimator = PyTorch(training_recipe="recipe.yaml", '
                                 'entry_point=os.path.join(BASE_DIR, "train.py"), framework_version="2.1.0",'),
])
def test_sl708_is_silent_when_the_estimator_may_not_encode_the_string(tmp_path, monkeypatch, hyperparameters,
                                                                         estimator):
    files = _raw_project(LOAD + 'if hyperparameters["criterion"] == "entropy":\n    pass\n', hyperparameters,
                         estimator)
    files["pipelines/churn/pipeline.py"] = files["pipelines/churn/pipeline.py"].replace(
        "from sagemaker.inputs import TrainingInput\n",
        "from sagemaker.inputs import TrainingInput\nfrom sagemaker.pytorch import PyTorch\n").replace(
        "    estimator = ", '    criterion_parameter = ParameterString(name="Criterion", default_value="entropy")\n'
                           '    estimator = ')
    assert _sl708(write_project(tmp_path, files), monkeypatch) == []


def test_sl708_is_silent_for_the_generic_estimator(tmp_path, monkeypatch):
    files = _raw_project(LOAD + 'if hyperparameters["criterion"] == "entropy":\n    pass\n', '{"criterion": "entropy"}',
                         'estimator = Estimator(entry_point=os.path.join(BASE_DIR, "train.py"), image_uri="123.dkr'
                         '.ecr.us-east-1.amazonaws.com/train:1",')
    files["pipelines/churn/pipeline.py"] = files["pipelines/churn/pipeline.py"].replace(
        "from sagemaker.inputs import TrainingInput\n",
        "from sagemaker.estimator import Estimator\nfrom sagemaker.inputs import TrainingInput\n")
    assert _sl708(write_project(tmp_path, files), monkeypatch) == []


# -- SL709: sagemaker.xgboost.XGBoost without entry_point ----------------------------------------
XGBOOST_IMPORT = ("from sagemaker.inputs import TrainingInput\n",
                  "from sagemaker.inputs import TrainingInput\nfrom sagemaker.xgboost import XGBoost\n")
SKLEARN_ESTIMATOR = '''estimator = SKLearn(entry_point=os.path.join(BASE_DIR, "train.py"), framework_version="1.2-1",
                        py_version="py3", role=role, instance_type="ml.m5.large",
                        hyperparameters={"n_estimators": 100})'''


def _sl709(estimator: str, tmp_path, monkeypatch) -> list:
    from steplint.rules._pipeline_examples import pipeline_project

    root = write_project(tmp_path, pipeline_project((SKLEARN_ESTIMATOR, estimator), XGBOOST_IMPORT))
    return [f for f in findings(root, monkeypatch) if f.code == "SL709"]


def test_sl709_points_at_the_estimator_and_says_what_to_use_instead(tmp_path, monkeypatch):
    [finding] = _sl709('estimator = XGBoost(framework_version="1.7-1", role=role, instance_type="ml.m5.large")',
                       tmp_path, monkeypatch)
    assert finding.path == "pipelines/churn/pipeline.py" and finding.span.line == 33 and finding.span.col == 16
    assert "XGBoost" in finding.message and "TrainingStep 'TrainChurn'" in finding.message
    assert "entry_point" in finding.message
    assert "TypeError" in finding.help and "image_uris.retrieve('xgboost'" in finding.help


@pytest.mark.parametrize("estimator", [
    'estimator = XGBoost(os.path.join(BASE_DIR, "train.py"), "1.7-1", role=role)',
    'estimator = XGBoost(**xgboost_settings)',
    'estimator = XGBoost(framework_version="1.7-1", role=role, **extra)',
])
def test_sl709_is_silent_with_an_entry_point_or_when_it_cannot_tell(tmp_path, monkeypatch, estimator):
    assert _sl709(estimator, tmp_path, monkeypatch) == []


# -- SL710: a step named but not listed ----------------------------------------------------------
def _sl710(tmp_path, monkeypatch, *changes) -> list:
    from steplint.rules._pipeline_examples import pipeline_project

    root = write_project(tmp_path, pipeline_project(*changes))
    return [f for f in findings(root, monkeypatch) if f.code == "SL710"]


def test_sl710_names_the_step_and_the_pipeline(tmp_path, monkeypatch):
    [finding] = _sl710(tmp_path, monkeypatch, ('steps=[step_process, step_train, step_eval, step_cond]',
                                               'steps=[step_process, step_train, step_cond]'))
    assert finding.span.line == 60  # step_name=step_eval.name in the condition's JsonGet
    assert "JsonGet(step_name=...)" in finding.message and "'EvaluateChurn'" in finding.message
    assert "Pipeline 'Churn'" in finding.help and "ConditionStep 'CheckAccuracy'" in finding.help
    assert "The input steps do not contain the step of name: EvaluateChurn" in finding.help


def test_sl710_reports_a_name_even_when_the_step_is_also_reached_as_an_object(tmp_path, monkeypatch):
    # the SDK adds step_eval for depends_on=[step_eval], but looks the JsonGet's name up among the listed steps
    [finding] = _sl710(tmp_path, monkeypatch, ('if_steps=[],', 'if_steps=[],\n        depends_on=[step_eval],'),
                       ('steps=[step_process, step_train, step_eval, step_cond]',
                        'steps=[step_process, step_train, step_cond]'))
    assert "JsonGet(step_name=...) names step 'EvaluateChurn'" in finding.message


def test_sl710_reports_names_in_add_depends_on(tmp_path, monkeypatch):
    [finding] = _sl710(tmp_path, monkeypatch, ('    return Pipeline(name="Churn"',
                                               '    step_cond.add_depends_on(["Register"])\n'
                                               '    return Pipeline(name="Churn"'))
    assert "depends_on names step 'Register'" in finding.message and "pass the step object" in finding.help


@pytest.mark.parametrize("changes", [
    # a step reached as an object is added by the SDK
    [('steps=[step_process, step_train, step_eval, step_cond]', 'steps=[step_train, step_eval, step_cond]')],
    [('if_steps=[],', 'if_steps=[],\n        depends_on=[step_process],'),
     ('steps=[step_process, step_train, step_eval, step_cond]', 'steps=[step_train, step_eval, step_cond]')],
    # a step of a listed StepCollection ('<name>-...')
    [('if_steps=[],', 'if_steps=[],\n        depends_on=["RegisterChurn-RegisterModel"],'),
     ('if_steps=[]', 'if_steps=[RegisterModel(name="RegisterChurn", estimator=estimator, content_types=[], '
                     'response_types=[], model_package_group_name="churn")]'),
     ("from sagemaker.workflow.pipeline import Pipeline\n",
      "from sagemaker.workflow.pipeline import Pipeline\nfrom sagemaker.workflow.step_collections import RegisterModel\n")],
    # the pipeline's steps are not all known
    [('steps=[step_process, step_train, step_eval, step_cond]', 'steps=[step_process, step_train, *extra, step_cond]')],
    # the name is not known
    [('step_name=step_eval.name', 'step_name=evaluation_step_name')],
])
def test_sl710_is_silent_when_the_sdk_adds_the_step_or_it_cannot_tell(tmp_path, monkeypatch, changes):
    assert _sl710(tmp_path, monkeypatch, *changes) == []


def test_sl710_is_silent_when_depends_on_is_assigned_later(tmp_path, monkeypatch):
    assert _sl710(tmp_path, monkeypatch, ('if_steps=[],', 'if_steps=[],\n        depends_on=["Gone"],'),
                  ('    return Pipeline(name="Churn"', '    step_cond.depends_on = wanted\n'
                                                      '    return Pipeline(name="Churn"')) == []


def test_a_property_read_wrong_only_in_letter_case_gets_a_safe_fix(tmp_path):
    import shutil

    from tests.conftest import FIXTURES, run_steplint

    root = tmp_path / "clean"
    shutil.copytree(FIXTURES / "sdk_pipeline_clean", root)
    pipeline = root / "pipelines" / "churn" / "pipeline.py"
    clean = pipeline.read_text()
    pipeline.write_text(clean.replace('properties.ProcessingOutputConfig.Outputs["train"].S3Output',
                                      'properties.processingOutputConfig.Outputs["train"].s3Output', 1))
    found = run_steplint("--no-cache", ".", cwd=root)
    assert found.returncode == 1 and "SL501" in found.stdout and "[fix: fix the casing]" in found.stdout
    fixed = run_steplint("--no-cache", "--fix", ".", cwd=root)  # safe fixes only
    assert fixed.returncode == 0, fixed.stdout
    assert pipeline.read_text() == clean


@pytest.mark.parametrize("step_args, reported", [("", False), ("step_args=processor.run(code='prep.py'), ", True)])
def test_arguments_beside_a_step_args_only_kwargs_may_carry_are_not_called_ignored(tmp_path, step_args, reported):
    """ProcessingStep(processor=..., inputs=..., **common): whether ``common`` holds step_args is
    cannot tell, so SL702 stays silent; its twin with step_args= written out is reported."""
    from tests.conftest import run_steplint, write_project

    root = write_project(tmp_path / "p", {
        "pyproject.toml": "[project]\nname = 'p'\n",
        "pipeline.py": (
            "from sagemaker.processing import ProcessingInput\n"
            "from sagemaker.sklearn.processing import SKLearnProcessor\n"
            "from sagemaker.workflow.steps import ProcessingStep\n\n\n"
            "def build(role, common):\n"
            "    processor = SKLearnProcessor(framework_version='1.2-1', role=role, instance_type='ml.m5.large',\n"
            "                                 instance_count=1)\n"
            f"    return ProcessingStep({step_args}processor=processor,\n"
            "                          inputs=[ProcessingInput(source='s3://b/in', destination='/opt/ml/processing/input')],\n"
            "                          code='prep.py', **common)\n"),
        "prep.py": "print(open('/opt/ml/processing/input/data.csv').read())\n",
    })
    result = run_steplint("--no-cache", "--select", "SL702", ".", cwd=root)
    assert ("SL702" in result.stdout) is reported, result.stdout + result.stderr
