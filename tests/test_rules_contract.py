"""SL205 missing-entry-point: a bad and a good case per branch (SL201 has its own module).

Scripts are searched among the checked files and below the configured script-roots;
without script-roots the rule speaks only when some contract's entry point is among the
checked files.
"""

from __future__ import annotations

import pytest
from steplint.rules._catalog_examples import (
    CONTRACT,
    PROCESSING_STEP,
    SCRIPT,
    TRAINING_CONTRACT,
    TRAINING_SCRIPT,
    TRAINING_STEP,
    project,
)

from tests.conftest import write_project
from tests.rule_projects import cli_findings, findings, line_of

ROOTS = '[tool.steplint]\nscript-roots = ["{0}"]\n'
BOTH = (*PROCESSING_STEP, *TRAINING_STEP[2:])


def renamed(entry: str, paths=PROCESSING_STEP, *more) -> dict:
    return project(paths, (CONTRACT, 'entry_point="preprocess.py"', f'entry_point="{entry}"'), *more)


def test_sl205_missing_entry_point_with_script_roots(tmp_path):
    files = {**renamed("tabular_preprocess.py"), "pyproject.toml": ROOTS.format("steps/scripts")}
    [finding] = findings(files, "SL205")
    assert (finding.path, finding.line) == (CONTRACT, line_of(files[CONTRACT], "entry_point="))
    assert finding.says("entry_point 'tabular_preprocess.py' of PREPROCESSING_CONTRACT does not exist in steps/scripts")
    assert finding.helps("building the pipeline fails when the SDK uploads the entry point", "Fix the file name",
                         "[tool.steplint] script-roots")
    reported = [f for f in cli_findings(write_project(tmp_path, files)) if f["code"] == "SL205"]
    assert [(f["filename"], f["location"]["row"]) for f in reported] == [(finding.path, finding.line)]


def test_sl205_present_entry_point_with_script_roots():
    assert findings({**project(PROCESSING_STEP), "pyproject.toml": ROOTS.format("steps/scripts")}, "SL205") == []


def test_sl205_script_found_only_below_a_script_root_outside_the_checked_paths():
    files = {**project(PROCESSING_STEP[:4]), "dockers/preprocess.py": "print(1)\n",
             "pyproject.toml": ROOTS.format("dockers")}
    assert findings(files, "SL205", paths=("steps",)) == []
    del files["dockers/preprocess.py"]
    files["dockers/other.py"] = "print(1)\n"
    [finding] = findings(files, "SL205", paths=("steps",))
    assert finding.says("does not exist in dockers")


def test_sl205_without_script_roots_a_missing_entry_point_beside_a_present_one():
    files = project(BOTH, (TRAINING_CONTRACT, 'entry_point="train.py"', 'entry_point="pytorch_train.py"'))
    [finding] = findings(files, "SL205")
    assert (finding.path, finding.line) == (TRAINING_CONTRACT, line_of(files[TRAINING_CONTRACT], "entry_point="))
    assert finding.says("entry_point 'pytorch_train.py' of TRAINING_CONTRACT does not exist in the checked files")


def test_sl205_without_script_roots_and_no_entry_point_checked_nothing_is_said():
    files = project(tuple(path for path in BOTH if path not in (SCRIPT, TRAINING_SCRIPT)))
    assert findings(files, "SL205") == []


def test_sl205_entry_point_in_a_subdirectory_matches_the_path_suffix():
    files = {**renamed("preprocessing/preprocess.py", PROCESSING_STEP[:4]),
             "steps/scripts/preprocessing/preprocess.py": "print(1)\n", "pyproject.toml": ROOTS.format("steps")}
    assert findings(files, "SL205") == []
    files = {**renamed("preprocessing/preprocess.py"), "pyproject.toml": ROOTS.format("steps")}
    [finding] = findings(files, "SL205")  # steps/scripts/preprocess.py is not .../preprocessing/preprocess.py
    assert finding.says("'preprocessing/preprocess.py'")


def test_sl205_a_leading_dot_slash_is_ignored():
    files = {**renamed("./preprocess.py"), "pyproject.toml": ROOTS.format("steps/scripts")}
    assert findings(files, "SL205") == []


def test_sl205_an_empty_entry_point_is_not_judged():
    files = {**renamed("  "), "pyproject.toml": ROOTS.format("steps/scripts")}
    assert findings(files, "SL205") == []


def test_sl205_a_linked_directory_below_a_script_root_is_not_followed(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "tabular_preprocess.py").write_text("print(1)\n")
    root = write_project(tmp_path / "project", {**renamed("tabular_preprocess.py"),
                                                "pyproject.toml": ROOTS.format("steps/scripts")})
    (root / "steps" / "scripts" / "linked").symlink_to(outside)
    reported = [f for f in cli_findings(root) if f["code"] == "SL205"]
    assert [f["filename"] for f in reported] == [CONTRACT]


@pytest.mark.parametrize("skipped", [".git", ".hg", ".venv", "venv", "node_modules", "__pycache__", ".tox", "build"])
def test_sl205_scripts_in_tool_directories_below_a_script_root_do_not_count(skipped):
    files = {**project(PROCESSING_STEP[:4]), f"dockers/{skipped}/lib/preprocess.py": "print(1)\n",
             "pyproject.toml": ROOTS.format("dockers")}
    [finding] = findings(files, "SL205", paths=("steps",))
    assert finding.says("entry_point 'preprocess.py' of PREPROCESSING_CONTRACT does not exist in dockers")
    files["dockers/sklearn/preprocess.py"] = "print(1)\n"
    assert findings(files, "SL205", paths=("steps",)) == []
