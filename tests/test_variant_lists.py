"""SL611 variant-list-drops-entries through the command line: which variant list overrides
are reported (a restatement with additions that loses base entries) and which are not
(narrowing, replacement, matching hints), and what the message and help say."""

from __future__ import annotations

import json
import shutil

import pytest

from tests.conftest import FIXTURES, run_steplint, write_project

FIXTURE = "yaml_variant_overrides"
INTERFACES = "src/churn/steps/interfaces"


def sl611(root) -> list:
    result = run_steplint("--no-cache", "--output-format", "json", "--select", "SL611", ".", cwd=root)
    assert result.returncode in (0, 1) and "Traceback" not in result.stderr, result.stderr
    return sorted((f["filename"], f["location"]["row"], f["message"], f.get("help", ""))
                  for f in json.loads(result.stdout))


def test_the_fixture_reports_the_lost_env_var_and_job_argument(tmp_path):
    root = tmp_path / FIXTURE
    shutil.copytree(FIXTURES / FIXTURE, root)
    [(eval_path, eval_line, eval_message, eval_help),
     (prep_path, prep_line, prep_message, prep_help)] = sl611(root)
    assert (eval_path, eval_line) == (f"{INTERFACES}/churn_model_eval.step.yaml", 55)
    assert "variant 'calibration'" in eval_message and "contract.job_arguments" in eval_message
    assert "'--threshold'" in eval_message and "'--job_type'" not in eval_message and "(line 27)" in eval_message
    assert (prep_path, prep_line) == (f"{INTERFACES}/feature_preparation.step.yaml", 51)
    assert "variant 'training'" in prep_message and "contract.env_vars.required" in prep_message
    assert "'EVENT_DATE_FIELD'" in prep_message and "'LABEL_FIELD'" not in prep_message
    assert "replaces the base's list whole" in prep_help and "job type 'training' of FeaturePreparation" in prep_help
    assert "Restate it in the variant's list" in prep_help
    for message in (eval_message, prep_message):
        assert len(message) <= 120 and "\n" not in message


BASE = """\
step_type: Scoring
registry:
  sagemaker_step_type: Processing
contract:
  entry_point: null
  skip_inputs: [a, b, c]
spec:
  dependencies:
    a: {compatible_sources: [X, Y, Z], semantic_keywords: [one, two]}
variants:
  training:
"""


@pytest.mark.parametrize("override, reported", [
    ("    contract:\n      skip_inputs: [a, d]\n", ["'b', 'c'"]),                 # restated, added, lost two
    ("    contract:\n      skip_inputs: [a, b, c, d]\n", []),                      # every base entry kept
    ("    contract:\n      skip_inputs: [a, b]\n", []),                            # narrowed: a strict subset
    ("    contract:\n      skip_inputs: [d, e]\n", []),                            # replaced: nothing kept
    ("    contract:\n      skip_inputs: [c, b, a, a]\n", []),                      # reordered, repeated
    ("    spec:\n      dependencies:\n        a: {compatible_sources: [X, W]}\n", ["'Y', 'Z'"]),
    ("    spec:\n      dependencies:\n        a: {semantic_keywords: [one, three]}\n", []),  # hints: by design
    ("    contract:\n      skip_inputs: [a, {x: 1}]\n", ["'b', 'c'"]),             # a mapping entry is an entry
    ("    contract:\n      skip_inputs: [a, [d]]\n", []),                          # an entry it cannot compare
])
def test_which_overrides_are_reported(tmp_path, override, reported):
    root = write_project(tmp_path / "p", {"steps/interfaces/scoring.step.yaml": BASE + override})
    found = sl611(root)
    assert [message.split("drops base ", 1)[1].split(" ", 1)[1].rsplit(" (line", 1)[0]
            for _, _, message, _ in found] == reported
