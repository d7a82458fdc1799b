"""scripts/update_sagemaker_data.py on made-up SDK releases (wheels and sdists written here,
read with ``--releases-dir``, so no network): the layout it writes and the ``since`` history it
finds by sampling and bisection."""

from __future__ import annotations

import importlib.util
import io
import json
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

from tests.conftest import REPO

SCRIPT = REPO / "scripts" / "update_sagemaker_data.py"
RELEASES = ["2.0.0", "2.1.0", "2.2.0", "2.3.0", "2.4.0", "2.5.0", "2.6.0"]
MODEL_PY = 'SCRIPT_PARAM_NAME = "sagemaker_program"\nDIR_PARAM_NAME = "sagemaker_submit_directory"\n' \
           'UNUSED_PARAM_NAME = "sagemaker_unused"\n'
ESTIMATOR_PY = "hyperparams[SCRIPT_PARAM_NAME] = entry\nhyperparams[DIR_PARAM_NAME] = uploaded\n"


def at_least(release: str, first: str) -> bool:
    return RELEASES.index(release) >= RELEASES.index(first)


def configs(release: str) -> dict:
    """The image configurations of a made-up release: entries appear at known releases."""
    pytorch_versions = {"1.0.0": {"py_versions": ["py3"], "repository": "pytorch-training"}}
    if at_least(release, "2.2.0"):
        pytorch_versions["2.1.0"] = {"py_versions": ["py310"] + (["py311"] if at_least(release, "2.5.0") else []),
                                     "repository": "pytorch-training", "registries": {"us-east-1": "123"}}
    pytorch = {"training": {"processors": ["cpu"], "versions": pytorch_versions,
                            "version_aliases": {"2.1": "2.1.0"} if at_least(release, "2.4.0") else {}}}
    xgboost_versions = {"1.5-1": {"repository": "sagemaker-xgboost"}}
    if at_least(release, "2.1.0"):
        xgboost_versions["1.7-1"] = {"repository": "sagemaker-xgboost"}
    found = {
        "pytorch": pytorch,
        "xgboost": {"training": {"versions": xgboost_versions}},
        "chainer": {"scope": ["training", "inference"], "version_aliases": {"5.0": "5.0.0"},
                    "versions": {"5.0.0": {"py_versions": ["py3"], "repository": "sagemaker-chainer"}}},
        "tensorflow": {"training": {"versions": {"1.13.1": {"py2": {"repository": "a"}, "py3": {"repository": "b"}}},
                                    "version_aliases": {}}},
    }
    if at_least(release, "2.5.0"):
        found["huggingface"] = {"training": {"version_aliases": {"4.36": "4.36.0"}, "versions": {"4.36.0": {
            "version_aliases": {"pytorch2.1": "pytorch2.1.0"},
            "pytorch2.1.0": {"py_versions": ["py310"], "repository": "huggingface-pytorch-training"}}}}}
    return found


def write_release(directory: Path, release: str) -> None:
    files = {f"image_uri_config/{name}.json": json.dumps(config) for name, config in configs(release).items()}
    files["model.py"] = MODEL_PY
    files["estimator.py"] = ESTIMATOR_PY
    files["pytorch/model.py"] = 'SCRIPT_PARAM_NAME = "not_this_one"\n'
    if at_least(release, "2.3.0"):  # newer releases are wheels, older ones sdists (as on the index)
        with zipfile.ZipFile(directory / f"sagemaker-{release}-py3-none-any.whl", "w") as wheel:
            for name, text in files.items():
                wheel.writestr(f"sagemaker/{name}", text)
        return
    with tarfile.open(directory / f"sagemaker-{release}.tar.gz", "w:gz") as sdist:
        for name, text in files.items():
            raw = text.encode()
            info = tarfile.TarInfo(f"sagemaker-{release}/src/sagemaker/{name}")
            info.size = len(raw)
            sdist.addfile(info, io.BytesIO(raw))


@pytest.fixture
def releases(tmp_path) -> Path:
    directory = tmp_path / "releases"
    directory.mkdir()
    for release in RELEASES:
        write_release(directory, release)
    return directory


def regenerate(releases: Path, output: Path, *arguments: str) -> dict:
    result = subprocess.run([sys.executable, str(SCRIPT), "--releases-dir", str(releases), "--output-dir", str(output),
                             "--skip-service-model", *arguments], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    return json.loads((output / "sdk_facts.json").read_text())


def test_since_is_the_first_release_listing_each_entry_even_between_samples(releases, tmp_path):
    facts = regenerate(releases, tmp_path / "out", "--history-step", "3")
    assert facts["sdk_version"] == "2.6.0"
    assert facts["history"]["releases"] == "2.0.0 .. 2.6.0" and facts["history"]["history_step"] == 3
    pytorch = facts["frameworks"]["pytorch"]["training"]
    assert pytorch["versions"]["1.0.0"] == {"since": "2.0.0", "py_versions": {"py3": "2.0.0"}}
    assert pytorch["versions"]["2.1.0"] == {"since": "2.2.0", "py_versions": {"py310": "2.2.0", "py311": "2.5.0"}}
    assert pytorch["version_aliases"] == {"2.1": {"to": "2.1.0", "since": "2.4.0"}}
    xgboost = facts["frameworks"]["xgboost"]["training"]
    assert xgboost["versions"] == {"1.5-1": {"since": "2.0.0"}, "1.7-1": {"since": "2.1.0"}}
    huggingface = facts["frameworks"]["huggingface"]["training"]
    assert huggingface["versions"]["4.36.0"] == {
        "since": "2.5.0", "bases": {"pytorch2.1.0": {"since": "2.5.0", "py_versions": {"py310": "2.5.0"}}},
        "base_aliases": {"pytorch2.1": {"to": "pytorch2.1.0", "since": "2.5.0"}}}
    assert set(facts["frameworks"]["chainer"]) == {"training", "inference"}
    assert facts["frameworks"]["tensorflow"]["training"]["versions"]["1.13.1"]["py_versions"] == \
        {"py2": "2.0.0", "py3": "2.0.0"}
    assert facts["reserved_hyperparameters"] == {"sagemaker_program": "SCRIPT_PARAM_NAME",
                                                 "sagemaker_submit_directory": "DIR_PARAM_NAME"}


def test_any_sampling_step_finds_the_same_history(releases, tmp_path):
    every = regenerate(releases, tmp_path / "every", "--history-step", "1")
    sparse = regenerate(releases, tmp_path / "sparse", "--history-step", "5")
    assert every["frameworks"] == sparse["frameworks"]
    assert sparse["history"]["releases_read"] <= every["history"]["releases_read"] == len(RELEASES)


def test_an_older_sdk_version_gives_that_releases_facts(releases, tmp_path):
    facts = regenerate(releases, tmp_path / "out", "--sdk-version", "2.4.0")
    assert facts["sdk_version"] == "2.4.0" and facts["history"]["release_count"] == 5
    assert "huggingface" not in facts["frameworks"]
    assert facts["frameworks"]["pytorch"]["training"]["versions"]["2.1.0"]["py_versions"] == {"py310": "2.2.0"}


def test_a_version_that_is_not_a_release_is_refused(releases, tmp_path):
    result = subprocess.run([sys.executable, str(SCRIPT), "--releases-dir", str(releases), "--output-dir",
                             str(tmp_path / "out"), "--skip-service-model", "--sdk-version", "2.9.0"],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 1
    assert "sagemaker 2.9.0 is not a 2.x release (known: 2.0.0 .. 2.6.0)" in result.stderr
    assert not (tmp_path / "out").exists()


def test_the_newest_dated_service_model_is_chosen():
    spec = importlib.util.spec_from_file_location("update_sagemaker_data", SCRIPT)
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    names = ["botocore/data/sagemaker/2017-07-24/service-2.json.gz", "botocore/data/sagemaker/2024-01-01/service-2.json",
             "botocore/data/s3/2030-01-01/service-2.json.gz", "botocore/data/sagemaker/2024-01-01/paginators-1.json"]
    assert script._newest_model(names) == ("botocore/data/sagemaker/2024-01-01/service-2.json", "2024-01-01")
    shapes = {"Top": {"type": "structure", "documentation": "long text", "members": {
        "Items": {"shape": "ItemList", "documentation": "x"}}},
        "ItemList": {"type": "list", "member": {"shape": "Name"}, "max": 10},
        "Name": {"type": "string", "min": 1, "max": 64, "pattern": "[a-z]+", "documentation": "y"},
        "Unrelated": {"type": "string"}}
    assert script.reduce_service_model(shapes, ["Top"]) == {
        "ItemList": {"type": "list", "member": {"shape": "Name"}, "max": 10},
        "Name": {"type": "string", "min": 1, "max": 64, "pattern": "[a-z]+"},
        "Top": {"type": "structure", "members": {"Items": {"shape": "ItemList"}}}}
