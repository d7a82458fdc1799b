"""steplint over the source of large installed packages: no internal error, no crash.

Runs ``scripts/check_real_code.py`` (the ordinary prefiltered run over every file, plus
every 4th file with the prefilter off, so parsing, extraction, the model and every rule
meet code they were not written for). ``python scripts/check_real_code.py`` alone checks
every file (about five minutes on two CPUs).
"""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from tests.conftest import REPO

PACKAGES = ("sagemaker", "libcst", "botocore", "pip", "setuptools", "hypothesis")


@pytest.mark.slow
def test_installed_packages_are_checked_without_internal_errors_or_crashes():
    result = subprocess.run([sys.executable, str(REPO / "scripts" / "check_real_code.py"), "--sample-every", "4",
                             *PACKAGES], cwd=REPO, capture_output=True, text=True, timeout=900)
    print(result.stdout)
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode == 0, result.stdout + result.stderr
    assert "OK: no internal error, no crash" in result.stdout
    for package in PACKAGES:
        line = next(line for line in result.stdout.splitlines() if line.startswith(f"{package}:"))
        if "not installed" in line:
            continue
        files, checked = map(int, re.match(rf"{package}: (\d+) files, (\d+) checked", line).groups())
        assert files >= 50 and checked >= files // 4, line
