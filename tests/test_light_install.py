"""``pip install steplint`` from a wheel built from this tree, into a fresh virtual environment:
no SageMaker SDK, no botocore, a small site-packages, and every SL5xx rule still works.

Slow: pip installs LibCST and friends from the package index (``scripts/measure_install.py``
times the same steps).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import FIXTURES, REPO

pytestmark = pytest.mark.slow

MAX_ADDED_MB = 40  # what installing steplint adds to a fresh venv's site-packages


def _site_packages(venv: Path) -> Path:
    return next(venv.glob("lib/python*/site-packages"))


def _megabytes(directory: Path) -> float:
    """``du -sk`` of a directory, in MB (10**6 bytes)."""
    return int(subprocess.run(["du", "-sk", str(directory)], check=True, capture_output=True,
                              text=True).stdout.split()[0]) * 1024 / 1e6


@pytest.fixture(scope="module")
def light_venv(tmp_path_factory) -> Path:
    scratch = tmp_path_factory.mktemp("light-install")
    source = scratch / "source"
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=REPO,
                            check=True, capture_output=True, timeout=120).stdout.decode().split("\0")
    for relative in filter(None, listed):
        if (REPO / relative).is_file():
            (source / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO / relative, source / relative)
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--wheel-dir", str(scratch / "dist"),
                    str(source)], check=True, timeout=600)
    [wheel] = (scratch / "dist").glob("steplint-*.whl")
    venv = scratch / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    (scratch / "empty-mb").write_text(str(_megabytes(_site_packages(venv))))
    subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", str(wheel)], check=True,
                   timeout=900)
    return venv


def test_the_install_has_neither_the_sdk_nor_botocore_and_is_small(light_venv):
    site = _site_packages(light_venv)
    installed = {path.name.split("-")[0].lower() for path in site.glob("*.dist-info")}
    assert "steplint" in installed and "libcst" in installed
    assert not installed & {"sagemaker", "botocore", "boto3"}, installed
    added = _megabytes(site) - float((light_venv.parent / "empty-mb").read_text())
    assert added <= MAX_ADDED_MB, f"installing steplint added {added:.1f} MB"
    assert (site / "steplint" / "sagemaker" / "sdk_facts.json").is_file()
    assert (site / "steplint" / "sagemaker" / "service_model.json").is_file()


def test_the_light_install_reports_every_sagemaker_finding_of_the_fixture(light_venv, tmp_path):
    root = shutil.copytree(FIXTURES / "sagemaker_model_defects", tmp_path / "project")
    result = subprocess.run([str(light_venv / "bin" / "steplint"), "--format", "json", "."], cwd=root,
                            capture_output=True, text=True, timeout=300,
                            env={**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")})
    assert result.returncode == 1, result.stderr
    reported = sorted(f"{f['filename']}:{f['location']['row']}:{f['location']['column']}: {f['code']}"
                      for f in json.loads(result.stdout))
    expected = sorted(line for line in (root / "expected_findings.txt").read_text().splitlines() if line.strip())
    assert reported == expected
    [sl504] = [f for f in json.loads(result.stdout) if f["code"] == "SL504"]
    assert "is not listed" in sl504["message"] and "by sagemaker 2." in sl504["message"]
    assert "Checked against the image configuration of sagemaker 2." in sl504["help"]


def test_the_sdk_is_only_in_the_reference_and_test_extras(light_venv):
    [metadata] = _site_packages(light_venv).glob("steplint-*.dist-info/METADATA")
    requires = [line.split(":", 1)[1].strip() for line in metadata.read_text().splitlines()
                if line.startswith("Requires-Dist:")]
    sdk = [line for line in requires if line.startswith("sagemaker")]
    assert sorted(line.split("extra == ")[1].strip("'\"") for line in sdk) == ["reference", "test"], requires
