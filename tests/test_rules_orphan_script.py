"""SL206 orphan-script: an entry point beside the project's step scripts that no contract
names, checked as a user runs steplint (the CLI, JSON output); silent wherever the script may
belong to a step after all."""

from __future__ import annotations

from pathlib import Path

import pytest
from steplint.rules._catalog_examples import BUILDER, CONTRACT, CORE, REGISTRY, SCRIPT, SPEC, TRAINING_STEP, project

from tests.conftest import write_project
from tests.rule_projects import cli_findings, findings, line_of

STEP = (CORE, REGISTRY, SPEC, CONTRACT, SCRIPT, BUILDER)
BACKFILL = "steps/scripts/backfill.py"
ENTRY_POINT = 'import os\n\n\nif __name__ == "__main__":\n    print(os.listdir("/opt/ml/processing/input/data"))\n'


def orphans(files: dict) -> list:
    return findings(files, "SL206")


def test_an_entry_point_no_contract_names_is_reported_at_its_main_block(tmp_path):
    root = write_project(tmp_path, project(STEP, add={BACKFILL: ENTRY_POINT}))
    reported = [finding for finding in cli_findings(root) if finding["code"] == "SL206"]
    assert len(reported) == 1
    finding = reported[0]
    assert (finding["filename"], finding["location"]["row"], finding["severity"]) == (BACKFILL, 4, "warning")
    assert "backfill.py" in finding["message"] and "__main__" in finding["message"]
    assert len(finding["message"]) <= 120 and "\n" not in finding["message"]
    assert 'entry_point="backfill.py"' in finding["help"] and "steps/scripts" in finding["help"]


def test_a_renamed_script_points_at_the_contract_whose_entry_point_is_missing():
    files = project(STEP + TRAINING_STEP[2:], (CONTRACT, 'entry_point="preprocess.py"',
                                               'entry_point="preprocessing.py"'))
    seen = orphans(files)
    assert [(item.path, item.line) for item in seen] == [(SCRIPT, line_of(files[SCRIPT], "__main__"))]
    assert seen[0].says("preprocess.py", "PREPROCESSING_CONTRACT", "'preprocessing.py'")


@pytest.mark.parametrize(("name", "text"), [
    ("helpers.py", "def clean(frame):\n    return frame.dropna()\n"),
    ("test_backfill.py", "import unittest\n\nif __name__ == '__main__':\n    unittest.main()\n"),
    ("__init__.py", ENTRY_POINT),
])
def test_files_that_are_no_entry_points_are_silent(name, text):
    assert not orphans(project(STEP, add={f"steps/scripts/{name}": text}))


def test_an_entry_point_another_script_imports_is_silent():
    importing = (SCRIPT, "import os\n", "import os\n\nfrom backfill import main as backfill\n")
    assert not orphans(project(STEP, importing, add={BACKFILL: ENTRY_POINT}))
    assert orphans(project(STEP, add={BACKFILL: ENTRY_POINT}))


def test_an_entry_point_named_in_a_builder_or_interface_is_silent():
    named = (BUILDER, "def _create_processor(self):", "BACKFILL = 'backfill.py'\n\n    def _create_processor(self):")
    assert not orphans(project(STEP, named, add={BACKFILL: ENTRY_POINT}))
    interface = {"steps/interfaces/backfill.step.yaml": "contract:\n  entry_point: backfill.py\n"}
    assert not orphans(project(STEP, add={BACKFILL: ENTRY_POINT, **interface}))


def test_a_directory_where_no_contract_names_a_script_is_silent():
    files = project(STEP, (CONTRACT, 'entry_point="preprocess.py"', 'entry_point="preprocessing.py"'))
    assert not orphans(files)


def test_an_entry_point_outside_the_directories_of_contract_scripts_is_silent():
    assert not orphans(project(STEP, add={"tools/backfill.py": ENTRY_POINT}))


def test_a_contract_whose_entry_point_is_unknown_could_name_it():
    unknown = (CONTRACT, 'entry_point="preprocess.py"', "entry_point=ENTRY_POINTS['preprocessing']")
    assert not orphans(project(STEP, unknown, add={BACKFILL: ENTRY_POINT}))


def test_a_pipeline_step_whose_script_is_unknown_could_run_it():
    pipeline = ("from sagemaker.sklearn.processing import SKLearnProcessor\n"
                "from sagemaker.workflow.steps import ProcessingStep\n\n"
                "processor = SKLearnProcessor(framework_version='1.2-1', role='arn', instance_type='ml.m5.xlarge',\n"
                "                             instance_count=1)\n"
                "STEP = ProcessingStep(name='Backfill', processor=processor, code=pick_script())\n")
    assert not orphans(project(STEP, add={BACKFILL: ENTRY_POINT, "pipelines/backfill_pipeline.py": pipeline}))


def test_a_project_without_contracts_is_silent(tmp_path):
    root = write_project(tmp_path, {"scripts/train.py": ENTRY_POINT, "scripts/evaluate.py": ENTRY_POINT})
    assert not [finding for finding in cli_findings(root) if finding["code"] == "SL206"]


def test_the_bundled_fixture_reports_exactly_its_orphans(tmp_path):
    import shutil

    from tests.conftest import FIXTURES

    shutil.copytree(FIXTURES / "orphan_scripts", tmp_path / "p")
    reported = sorted((finding for finding in cli_findings(tmp_path / "p") if finding["code"] == "SL206"),
                      key=lambda finding: finding["filename"])
    assert [Path(finding["filename"]).name for finding in reported] == ["algae_bloom_detection.py",
                                                                        "salinity_backfill.py"]
    renamed = reported[0]
    assert "close: 'algae_bloom_detect.py'" in renamed["message"] and len(renamed["message"]) <= 120
    assert "ALGAE_BLOOM_DETECTION_CONTRACT" in renamed["help"]
    assert [Path(path).name for path in renamed["related"]] == ["algae_bloom_detection_contract.py"]
