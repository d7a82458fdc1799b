"""SL504 against the SageMaker SDK release a project pins, through the command line.

PyTorch 2.3.0 (training images) entered the SDK's image configuration in sagemaker 2.222.0
and 2.0.1 in 2.183.0 (``steplint/sagemaker/sdk_facts.json``), so a project pinning 2.200.0
may use 2.0.1 but not 2.3.0.
"""

from __future__ import annotations

import json

import pytest
from steplint.rules._sagemaker_examples import builder_project
from steplint.sagemaker import data
from steplint.sagemaker.pins import exact_pin

from tests.conftest import run_steplint, write_project

NEWER = 'framework_version="2.3.0",\npy_version="py311",'  # sagemaker >= 2.222.0
OLDER = 'framework_version="2.0.1",\npy_version="py310",'  # sagemaker >= 2.183.0
UNKNOWN = 'framework_version="2.9.9",\npy_version="py310",'


def reported(root) -> list:
    """``FILE: MESSAGE -- HELP`` for each SL504 finding of ``steplint --output-format json`` in ``root``."""
    result = run_steplint("--select", "SL504", "--output-format", "json", ".", cwd=root)
    assert result.returncode in (0, 1), result.stderr
    return [f"{finding['filename']}: {finding['message']} -- {finding['help']}"
            for finding in json.loads(result.stdout) if finding["code"] == "SL504"]


def sl504(tmp_path, files: dict) -> list:
    return reported(write_project(tmp_path / "project", files))


def test_a_version_newer_than_the_pinned_sdk_is_reported_with_both_releases(tmp_path):
    [line] = sl504(tmp_path, {**builder_project(NEWER), "requirements.txt": "sagemaker==2.200.0\n"})
    assert "framework_version '2.3.0' is not listed for pytorch training by sagemaker 2.200.0 (nearest: " in line
    assert "-- Checked against the image configuration of sagemaker 2.200.0 (pinned in requirements.txt)" in line
    assert "sagemaker 2.222.0 added pytorch 2.3.0" in line and "Pin sagemaker 2.222.0 or later" in line


def test_without_a_pin_the_newest_known_sdk_is_used_and_named(tmp_path):
    assert sl504(tmp_path, builder_project(NEWER)) == []
    [line] = sl504(tmp_path, builder_project(UNKNOWN))
    assert f"is not listed for pytorch training by sagemaker {data.sdk_version()} (nearest: " in line
    assert f"the image configuration of sagemaker {data.sdk_version()} (the newest SDK 2.x release " \
           f"steplint knows; the project pins none)" in line


def test_a_version_the_pinned_sdk_lists_is_fine(tmp_path):
    assert sl504(tmp_path, {**builder_project(OLDER), "requirements.txt": "sagemaker==2.200.0\n"}) == []


def test_a_range_is_not_a_pin(tmp_path):
    files = {**builder_project(NEWER), "requirements.txt": "sagemaker>=2.200,<3  # sagemaker==2.200.0\n"
                                                                  "# sagemaker==2.200.0\nsagemaker-core==2.200.0\n"}
    assert sl504(tmp_path, files) == []


def test_a_pin_in_pyproject_dependencies(tmp_path):
    pyproject = '[project]\nname = "p"\nversion = "1"\ndependencies = ["boto3", "SageMaker[local] == 2.200.0"]\n'
    [line] = sl504(tmp_path, {**builder_project(NEWER), "pyproject.toml": pyproject})
    assert "sagemaker 2.200.0 (pinned in pyproject.toml [project] dependencies)" in line


def test_included_requirement_and_constraint_files_are_followed(tmp_path):
    files = {**builder_project(NEWER),
             "requirements-dev.txt": "-r requirements/base.txt\npytest\n",
             "requirements/base.txt": "--constraint ../constraints/aws.txt\nsagemaker\n",
             "constraints/aws.txt": "sagemaker==2.200.0 \\\n    --hash=sha256:0123\n"}
    [line] = sl504(tmp_path, files)
    assert "(pinned in constraints/aws.txt)" in line


def test_the_oldest_of_several_pins_is_checked(tmp_path):
    files = {**builder_project(OLDER), "requirements.txt": "sagemaker==2.230.0\n",
             "requirements-legacy.txt": "sagemaker==2.150.0\n"}
    [line] = sl504(tmp_path, files)
    assert "sagemaker 2.150.0 (pinned in requirements-legacy.txt)" in line
    assert "sagemaker 2.183.0 added pytorch 2.0.1" in line


def test_the_setting_overrides_the_requirements(tmp_path):
    files = {**builder_project(NEWER), "requirements.txt": "sagemaker==2.250.0\n",
             "pyproject.toml": '[tool.steplint]\nsagemaker-version = "2.200.0"\n'}
    [line] = sl504(tmp_path, files)
    assert "sagemaker 2.200.0 (pinned in [tool.steplint] sagemaker-version)" in line


@pytest.mark.parametrize("value", ['"2.200.*"', '">=2.200"', "2.2", '"latest"'])
def test_a_setting_that_is_not_a_release_is_a_configuration_error(tmp_path, value):
    root = write_project(tmp_path / "project", {**builder_project(NEWER),
                                                "pyproject.toml": f"[tool.steplint]\nsagemaker-version = {value}\n"})
    result = run_steplint(".", cwd=root)
    assert result.returncode == 2
    assert "'sagemaker-version' must be a release number such as \"2.200.0\"" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_a_pin_newer_than_the_data_checks_against_the_newest_known_release(tmp_path):
    [line] = sl504(tmp_path, {**builder_project(UNKNOWN), "requirements.txt": "sagemaker==2.999.0\n"})
    assert f"sagemaker {data.sdk_version()} (the newest release steplint knows; the project pins 2.999.0 in " \
           f"requirements.txt)" in line


def test_a_pin_older_than_sdk_2_is_not_used(tmp_path):
    assert sl504(tmp_path, {**builder_project(NEWER), "requirements.txt": "sagemaker==1.72.0\n"}) == []


def test_setup_py_is_never_run_or_read(tmp_path):
    setup = "import pathlib\npathlib.Path('ran').write_text('x')\n" \
            "from setuptools import setup\nsetup(install_requires=['sagemaker==2.200.0'])\n"
    assert sl504(tmp_path, {**builder_project(NEWER), "setup.py": setup}) == []
    assert not (tmp_path / "project" / "ran").exists()


def test_an_include_outside_the_project_is_not_read(tmp_path):
    (tmp_path / "outside.txt").write_text("sagemaker==2.200.0\n")
    assert sl504(tmp_path, {**builder_project(NEWER), "requirements.txt": "-r ../outside.txt\n"}) == []


def test_changing_the_pin_changes_a_cached_run(tmp_path):
    files = {**builder_project(NEWER), "requirements.txt": "sagemaker==2.250.0\n"}
    assert sl504(tmp_path, files) == []
    (tmp_path / "project" / "requirements.txt").write_text("sagemaker==2.200.0\n")
    [line] = reported(tmp_path / "project")
    assert "by sagemaker 2.200.0" in line and "sagemaker 2.200.0 (pinned in requirements.txt)" in line


@pytest.mark.parametrize(("line", "expected"), [
    ("sagemaker==2.200.0", "2.200.0"),
    ("sagemaker[local,huggingface] === 2.200.0 ; python_version >= '3.9'", "2.200.0"),
    ("SageMaker>=2.190,==2.200.0", "2.200.0"),
    ("sagemaker==2.200.0 --hash=sha256:abc", "2.200.0"),
    ("sagemaker != 2.200.0", None),
    ("sagemaker==2.200.0rc1", None),
    ("sagemakerx==2.200.0", None),
    ("sagemaker-core==2.200.0", None),
    ("sagemaker>=2.200,<3", None),
    ("sagemaker~=2.200.0", None),
    ("sagemaker==2.200.*", None),
    ("sagemaker", None),
    ("sagemaker @ https://example.invalid/sagemaker-2.200.0.tar.gz", None),
])
def test_requirement_lines(line, expected):
    assert exact_pin(line) == expected


def test_each_project_of_a_run_uses_its_own_pin(tmp_path):
    files = {}
    for name, requirements in (("pinned", "sagemaker==2.200.0\n"), ("unpinned", "sagemaker>=2.200\n")):
        files.update({f"{name}/{path}": text for path, text in builder_project(NEWER).items()})
        files[f"{name}/pyproject.toml"] = f'[project]\nname = "{name}"\nversion = "1"\n'
        files[f"{name}/requirements.txt"] = requirements
    [line] = sl504(tmp_path, files)
    assert line.startswith("pinned/steps/builders/") and "sagemaker 2.200.0 (pinned in requirements.txt)" in line


def test_the_nearest_versions_are_numerically_nearest_and_shown_once(tmp_path):
    """sagemaker 2.200.0 lists pytorch 2.1.0, 2.0.1 and 2.0.0 (and the alias 2.0) below 2.3.0:
    the closest first, no alias next to its version."""
    lines = reported(write_project(tmp_path / "project", {**builder_project(NEWER),
                                                          "requirements.txt": "sagemaker==2.200.0\n"}))
    assert "(nearest: 2.1.0, 2.0.1, 2.0.0)" in lines[0]
