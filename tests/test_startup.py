"""Start-up stays light: no SageMaker SDK, no botocore loaders, no parser for --version, and
neither the parser, the worker pool nor the rules for a run the caches serve."""

from __future__ import annotations

import os
import subprocess
import sys

from rules._examples import CONFIG_DEPENDENCY, DATA_DEPENDENCY, SPEC, training_project

HEAVY = ("sagemaker", "botocore", "boto3", "s3transfer", "numpy", "pandas")


def imported_modules(arguments, cwd) -> tuple[set, subprocess.CompletedProcess]:
    result = subprocess.run([sys.executable, "-X", "importtime", "-m", "steplint", *arguments], cwd=cwd,
                            capture_output=True, text=True, timeout=300, env={**os.environ})
    modules = set()
    for line in result.stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            modules.add(line.rsplit("|", 1)[1].strip())
    return modules, result


def _heavy(modules: set) -> list:
    return sorted(name for name in modules if name.split(".")[0] in HEAVY)


def test_version_imports_neither_the_sdk_nor_the_parser(tmp_path):
    modules, result = imported_modules(["--version"], tmp_path)
    assert result.returncode == 0 and result.stdout.startswith("steplint ")
    assert modules, "importtime output was not captured"
    assert _heavy(modules) == []
    assert not [name for name in modules if name.split(".")[0] == "libcst"]


def test_a_run_on_one_file_does_not_import_the_sdk_or_botocore(project):
    root = project({"pyproject.toml": "[tool.steplint]\n",
                    **training_project(dependencies=DATA_DEPENDENCY + CONFIG_DEPENDENCY,
                                       input_paths='{"input_path": "/opt/ml/input/data"}')})
    modules, result = imported_modules(["--no-cache", SPEC], root)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "SL101" in result.stdout
    assert _heavy(modules) == []


def test_a_warm_run_of_an_unchanged_project_does_not_import_the_parser(project):
    root = project({"pyproject.toml": "[tool.steplint]\n",
                    **training_project(dependencies=DATA_DEPENDENCY + CONFIG_DEPENDENCY,
                                       input_paths='{"input_path": "/opt/ml/input/data"}')})
    cold_modules, cold = imported_modules(["--format", "json", "."], root)
    warm_modules, warm = imported_modules(["--format", "json", "."], root)
    assert warm.returncode == cold.returncode == 1 and warm.stdout == cold.stdout
    assert "libcst" in cold_modules
    assert not [name for name in warm_modules if name.split(".")[0] in ("libcst", "multiprocessing")]
    # nor what reads files and builds the model: the readers' reading code, the Python
    # reader's facts and project model, the step model, the fixer
    reading = {"steplint.readers.python.project", "steplint.readers.python.facts", "steplint.model.steps",
               "steplint.readers.yaml.interface", "steplint.readers.pipeline.reading", "steplint.fixing.fixer"}
    assert reading - {"steplint.fixing.fixer"} <= cold_modules
    assert not reading & warm_modules



RULE_MODULES_AFTER_RUN = """
import sys
from steplint.cli.main import main
code = main(sys.argv[1:])
print(sorted(name for name in sys.modules if name.startswith("steplint.rules.")), file=sys.stderr)
sys.exit(code)
"""


def test_a_run_the_result_cache_serves_imports_no_rule(project):
    """The rule modules are imported by ``importlib`` (which ``-X importtime`` does not show):
    the modules loaded are listed from ``sys.modules`` at the end of the run."""
    root = project({"pyproject.toml": "[tool.steplint]\n",
                    **training_project(dependencies=DATA_DEPENDENCY + CONFIG_DEPENDENCY,
                                       input_paths='{"input_path": "/opt/ml/input/data"}')})
    runs = [subprocess.run([sys.executable, "-c", RULE_MODULES_AFTER_RUN, "--format", "json", "."], cwd=root,
                           capture_output=True, text=True, timeout=300, env={**os.environ}) for _ in range(2)]
    cold, warm = (run.stderr.strip().splitlines()[-1] for run in runs)
    assert runs[0].stdout == runs[1].stdout and "SL101" in runs[0].stdout
    assert "'steplint.rules.specification'" in cold
    assert warm == "[]"
