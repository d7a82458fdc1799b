"""SL620 environ-var-not-passed through the command line: a key ``main()`` reads from
``environ_vars`` that the script's own ``__main__`` never puts in the dict, for scripts of
Python contracts and of YAML step interfaces, and silence where the dict cannot be followed."""

from __future__ import annotations

import json
import shutil

import pytest

from tests.conftest import FIXTURES, run_steplint, write_project

CONTRACT = """\
from ..core.base.contract_base import ScriptContract

SCORING_CONTRACT = ScriptContract(
    entry_point="scoring.py",
    expected_input_paths={"eval_data": "/opt/ml/processing/input/eval_data"},
    expected_output_paths={"scores": "/opt/ml/processing/output/scores"},
    required_env_vars=["LABEL_FIELD"],
    optional_env_vars={"SCORE_FIELD": "prob", "BATCH_SIZE": "1000"},
)
"""
INTERFACE = """\
step_type: Scoring
node_type: internal
registry:
  sagemaker_step_type: Processing
contract:
  entry_point: scoring.py
  inputs:
    eval_data:
      path: /opt/ml/processing/input/eval_data
  outputs:
    scores:
      path: /opt/ml/processing/output/scores
  env_vars:
    required: [LABEL_FIELD]
    optional:
      SCORE_FIELD: prob
      BATCH_SIZE: '1000'
spec:
  dependencies:
    eval_data:
      type: processing_output
  outputs:
    scores:
      type: processing_output
      property_path: properties.ProcessingOutputConfig.Outputs['scores'].S3Output.S3Uri
"""
SCRIPT = """\
import os


def score(frame, environ_vars):
    return frame[environ_vars.get("SCORE_FEILD", "prob")]


def main(input_paths, output_paths, environ_vars, job_args):
    label = environ_vars["LABEL_FIELD"]
    batch = int(environ_vars["BATCH_SIZE"])
    print(input_paths["eval_data"], output_paths["scores"], label, batch, score({}, environ_vars))


if __name__ == "__main__":
    environ_vars = {
        "LABEL_FIELD": os.environ["LABEL_FIELD"],
        "SCORE_FIELD": os.environ.get("SCORE_FIELD", "prob"),
    }
    batch_size = os.environ.get("BATCH_SIZE", "1000")
    main({"eval_data": "/opt/ml/processing/input/eval_data"}, {"scores": "/opt/ml/processing/output/scores"},
         environ_vars, None)
"""
PYTHON_FORM = {"steps/__init__.py": "", "steps/contracts/__init__.py": "", "steps/scripts/__init__.py": "",
               "steps/contracts/scoring_contract.py": CONTRACT}
YAML_FORM = {"steps/interfaces/scoring.step.yaml": INTERFACE}


def sl620(root) -> list:
    result = run_steplint("--no-cache", "--output-format", "json", "--select", "SL620", ".", cwd=root)
    assert result.returncode in (0, 1) and "Traceback" not in result.stderr, result.stderr
    return [(f["filename"], f["location"]["row"], f["message"], f.get("help", "")) for f in json.loads(result.stdout)]


@pytest.mark.parametrize("form", [PYTHON_FORM, YAML_FORM], ids=["python-contract", "yaml-interface"])
def test_keys_main_reads_that_main_block_never_sets(tmp_path, form):
    root = write_project(tmp_path / "p", {**form, "steps/scripts/scoring.py": SCRIPT})
    [(path, line, typo, typo_help), (_, batch_line, batch, batch_help)] = sl620(root)
    assert path == "steps/scripts/scoring.py" and (line, batch_line) == (5, 10)
    assert "environ_vars.get('SCORE_FEILD')" in typo and "(close: 'SCORE_FIELD')" in typo
    assert "always gets its default" in typo_help and "KeyError" not in typo_help
    assert "environ_vars['BATCH_SIZE']" in batch and "(line 14)" in batch and "close" not in batch
    assert "raises KeyError" in batch_help and "\"BATCH_SIZE\": os.environ.get(\"BATCH_SIZE\", ...)" in batch_help
    assert all(len(message) <= 120 for message in (typo, batch))


def test_one_finding_per_script_even_when_several_steps_run_it(tmp_path):
    interface = INTERFACE + "variants:\n  training:\n    spec:\n      dependencies:\n        eval_data:\n" \
                            "          semantic_keywords: [training]\n"
    root = write_project(tmp_path / "p", {"steps/interfaces/scoring.step.yaml": interface,
                                          "steps/scripts/scoring.py": SCRIPT})
    assert [line for _, line, *_ in sl620(root)] == [5, 10]


@pytest.mark.parametrize("old, new", [
    ('    environ_vars = {\n', '    environ_vars = dict(os.environ)\n    unused = {\n'),          # whole environment
    ('        "SCORE_FIELD"', '        **extra,\n        "SCORE_FIELD"'),                            # ** unpacking
    ('    batch_size = os.environ', '    environ_vars.update(os.environ)\n    batch_size = os.environ'),  # changed
    ('    environ_vars = {\n', '    environ_vars = collect()\n    unused = {\n'),                   # a helper
    ('    batch_size = os.environ', '    environ_vars[key] = os.environ[key]\n    batch_size = os.environ'),
])
def test_silent_when_the_dict_cannot_be_followed(tmp_path, old, new):
    assert old in SCRIPT
    root = write_project(tmp_path / "p", {**YAML_FORM, "steps/scripts/scoring.py": SCRIPT.replace(old, new, 1)})
    assert sl620(root) == []


def test_guarded_reads_and_keys_added_later_are_not_reported(tmp_path):
    script = (SCRIPT.replace('environ_vars.get("SCORE_FEILD", "prob")',
                             'environ_vars["SCORE_FEILD"] if "SCORE_FEILD" in environ_vars else "prob"')
              .replace('    batch_size = os.environ.get("BATCH_SIZE", "1000")\n',
                       '    environ_vars["BATCH_SIZE"] = os.environ.get("BATCH_SIZE", "1000")\n'))
    root = write_project(tmp_path / "p", {**YAML_FORM, "steps/scripts/scoring.py": script})
    assert sl620(root) == []


def test_the_fixture_finding(tmp_path):
    root = tmp_path / "yaml_variant_overrides"
    shutil.copytree(FIXTURES / "yaml_variant_overrides", root)
    [(path, line, message, _)] = sl620(root)
    assert (path, line) == ("src/churn/steps/scripts/churn_model_eval.py", 23)
    assert "environ_vars.get('METRICS_FORMAT')" in message
