"""scripts/precision.py: report parsing, counts, the seeded sample, triage files, and a run
on a tiny generated tree (a checkout, and a git history whose specs were later deleted).

The measurement on a real code base (``python scripts/precision.py --git-dir ...``) is not
part of the test run; these tests only check the script's own parsing and printing."""

from __future__ import annotations

import importlib.util
import json
import shutil
import subprocess
import sys
from collections import Counter

import pytest

from tests.conftest import REPO, write_project

_spec = importlib.util.spec_from_file_location("steplint_precision_script", REPO / "scripts" / "precision.py")
precision = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = precision  # dataclasses look their module up there
_spec.loader.exec_module(precision)

CORE = ("class StepSpecification: ...\nclass DependencySpec: ...\nclass OutputSpec: ...\n"
        "class ScriptContract: ...\nclass TrainingScriptContract(ScriptContract): ...\nclass StepBuilderBase: ...\n")
CONTRACT = '''\
from cursus.steps.core import TrainingScriptContract

TRAIN_CONTRACT = TrainingScriptContract(
    entry_point="train.py",
    expected_input_paths={
        "input_path": "/opt/ml/input/data",
        "config": "/opt/ml/input/config/hyperparameters.json",
    },
    expected_output_paths={"model_output": "/opt/ml/model"},
)
'''
SPEC = '''\
from cursus.steps.core import DependencySpec, OutputSpec, StepSpecification
from cursus.steps.core import DependencyType, NodeType
from cursus.steps.contracts.train_contract import TRAIN_CONTRACT

TRAIN_SPEC = StepSpecification(
    step_type="Train",
    node_type=NodeType.INTERNAL,
    script_contract=TRAIN_CONTRACT,
    dependencies=[
        DependencySpec(logical_name="input_path", dependency_type=DependencyType.TRAINING_DATA),
        DependencySpec(logical_name="config", dependency_type=DependencyType.HYPERPARAMETERS),
        DependencySpec(logical_name="input_path", dependency_type=DependencyType.TRAINING_DATA),
    ],
    outputs=[
        OutputSpec(logical_name="model_output", output_type=DependencyType.MODEL_ARTIFACTS,
                   property_path="properties.ModelArtifacts.S3ModelArtifacts"),
    ],
)
'''
TREE = {
    "pyproject.toml": "[project]\nname = 'tiny'\n",
    "src/cursus/__init__.py": "",
    "src/cursus/steps/__init__.py": "",
    "src/cursus/steps/core.py": CORE,
    "src/cursus/steps/contracts/train_contract.py": CONTRACT,
    "src/cursus/steps/specs/train_spec.py": SPEC,
}
SPEC_FILE = "src/cursus/steps/specs/train_spec.py"
CONTRACT_FILE = "src/cursus/steps/contracts/train_contract.py"


def report(*items) -> str:
    return json.dumps([{"code": code, "name": "x", "message": message, "severity": "error", "filename": file,
                        "location": {"row": line, "column": column}, "end_location": {"row": line, "column": 1},
                        "fix": None, "related": []} for code, file, line, column, message in items])


def test_report_is_parsed_sorted_and_counted_per_rule():
    findings = precision.parse_report(report(("SL2", "b.py", 3, 1, "m"), ("SL1", "a.py", 9, 5, "n"),
                                             ("SL2", "a.py", 1, 1, "o")))
    assert [(f.code, f.file, f.line) for f in findings] == [("SL1", "a.py", 9), ("SL2", "a.py", 1), ("SL2", "b.py", 3)]
    assert precision.counts_text(findings).splitlines() == ["SL1     1", "SL2     2", "total  3"]
    with pytest.raises(precision.PrecisionError):
        precision.parse_report("not json")


def test_sample_is_reproducible_per_rule_and_takes_all_of_a_small_rule():
    findings = precision.parse_report(report(*[("SL9", f"f{i}.py", i, 1, "m") for i in range(1, 40)],
                                             ("SL1", "a.py", 1, 1, "m")))
    first = precision.sample(findings, 5, seed=7)
    assert first == precision.sample(findings, 5, seed=7)
    assert len(first["SL9"]) == 5 and first["SL1"] == [f for f in findings if f.code == "SL1"]
    assert first["SL9"] == sorted(first["SL9"], key=lambda f: (f.file, f.line, f.column))
    # one rule's sample does not depend on another rule's findings
    without_sl1 = precision.sample([f for f in findings if f.code != "SL1"], 5, seed=7)
    assert without_sl1["SL9"] == first["SL9"]
    assert precision.sample(findings, 5, seed=8)["SL9"] != first["SL9"]
    text = precision.sample_text(first, Counter(f.code for f in findings))
    assert "== SL9: 5 of 39" in text and "== SL1: 1 of 1" in text


def test_triage_rows_are_matched_to_findings_and_give_precision(tmp_path):
    findings = precision.parse_report(report(("SL1", "a.py", 3, 1, "m"), ("SL1", "a.py", 3, 9, "n"),
                                             ("SL2", "b.py", 4, 1, "o")))
    triage = tmp_path / "triage.tsv"
    triage.write_text("# comment\ncode\tfile\tline\tverdict\treason\n"
                      "SL1\ta.py\t3\tfalse\tunsure: counted false (line only: takes the finding the column row leaves)\n"
                      "SL1\ta.py\t3:1\ttrue\treal\n"
                      "SL1\ta.py\t3\ttrue\tone row more than findings\n"
                      "SL2\tb.py\t4\tTRUE\treal\n"
                      "SL2\tb.py\t5\ttrue\tno such finding\n", encoding="utf-8")
    verdicts = precision.read_triage(triage)
    matched, problems = precision.match(verdicts, findings)
    assert len(matched) == 3 and len(problems) == 2
    assert "no (further) SL1 finding at a.py:3" in problems[0] and "b.py:5" in problems[1]
    lines = precision.precision_text(matched, Counter(f.code for f in findings)).splitlines()
    assert lines[1].split() == ["SL1", "2", "2", "1", "1", "0.50"]
    assert lines[2].split() == ["SL2", "1", "1", "1", "0", "1.00"]
    assert lines[3].split() == ["all", "3", "3", "2", "1", "0.67"]
    assert precision.precision_text(verdicts, None).splitlines()[-1].split() == ["all", "5", "4", "1", "0.80"]


@pytest.mark.parametrize("row, message", [
    ("SL1\ta.py\t3\tmaybe\twhy", "verdict must be"),
    ("SL1\ta.py\tx\ttrue\twhy", "line must be"),
    ("SL1\ta.py\t3\ttrue", "5 tab-separated columns"),
    ("SL1\ta.py\t3\ttrue\t ", "reason is empty"),
])
def test_malformed_triage_rows_are_errors(tmp_path, row, message):
    triage = tmp_path / "triage.tsv"
    triage.write_text(row + "\n", encoding="utf-8")
    with pytest.raises(precision.PrecisionError, match=message):
        precision.read_triage(triage)


def test_default_paths_are_the_packages_holding_steps_specs(tmp_path):
    tree = write_project(tmp_path / "tree", {**TREE, "projects/p/steps/specs/x_spec.py": "",
                                             "src/cursus/steps/inner/steps/specs/y_spec.py": ""})
    assert precision.default_paths(tree) == ["projects/p", "src/cursus"]
    with pytest.raises(precision.PrecisionError):
        precision.default_paths(write_project(tmp_path / "empty", {"a.py": ""}))


def test_run_on_a_tree_prints_counts_sample_and_precision(tmp_path, capsys):
    tree = write_project(tmp_path / "tree", TREE)
    triage = tmp_path / "triage.tsv"
    triage.write_text(f"SL201\t{CONTRACT_FILE}\t7\ttrue\tmanaged path\n"
                      f"SL102\t{SPEC_FILE}\t12\tfalse\tsay\n", encoding="utf-8")
    assert precision.main(["--tree", str(tree), "--sample", "1", "--seed", "3", "--triage", str(triage)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("steplint ") and ": src/cursus (in " in out
    assert "SL102     1\nSL201     1\ntotal  2" in out
    assert f"== SL201: 1 of 1\n{CONTRACT_FILE}:7:9\tinput 'config' of TRAIN_CONTRACT" in out
    assert "SL201          1       1     1      0       1.00" in out
    assert "all            2       2     1      1       0.50" in out


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_git_dir_default_rev_is_the_parent_of_the_commit_deleting_the_specs(tmp_path, capsys):
    work = write_project(tmp_path / "work", TREE)

    def git(*arguments):
        subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t", "-c", "commit.gpgsign=false",
                        *arguments], cwd=work, check=True, capture_output=True)

    git("init", "-q")
    git("add", "-A")
    git("commit", "-q", "-m", "specs")
    git("rm", "-q", SPEC_FILE)
    git("commit", "-q", "-m", "delete the specs")
    json_out = tmp_path / "findings.json"
    assert precision.main(["--git-dir", str(work / ".git"), "--json-out", str(json_out)]) == 0
    out = capsys.readouterr().out
    assert "extracted 6 files of " in out and " specs\n" in out
    assert "SL102     1" in out
    assert {item["code"] for item in json.loads(json_out.read_text())} == {"SL102", "SL201"}
    assert precision.main(["--git-dir", str(work / ".git"), "--rev", "HEAD"]) == 2  # no spec left to find
    assert "no steps/specs/*_spec.py" in capsys.readouterr().err
