"""SL301's rewrite of the legacy PyTorch builder: golden file, idempotence, and unchanged behaviour.

The behaviour proofs import and run our own fixture builder (a copy in a temporary
directory) before and after the fix: they compare the channels ``_get_inputs`` returns, and
the whole pipeline definition ``create_step`` renders with the real SDK, offline, each in
its own subprocess. That tests the fix; steplint itself never imports the code it lints.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import libcst as cst
import pytest

from tests.conftest import FIXTURES, REPO, run_steplint
from tests.offline_sdk import BUCKET, NETWORK_ATTEMPT_EXIT, ROLE, subprocess_environment
from tests.test_reference import imported_package

BUILDER = "src/mlpipelines/pipeline_steps/builder_training_step_pytorch.py"
GOLDEN = FIXTURES / "golden" / "builder_rewrite" / "builder_training_step_pytorch.py"


def _copy(tmp_path: Path, name: str) -> Path:
    target = tmp_path / name
    shutil.copytree(FIXTURES / "legacy_layout", target)
    return target


def _snapshot(root: Path) -> dict:
    """Every project file's bytes (steplint's own cache directory is not part of the project)."""
    return {path.relative_to(root).as_posix(): path.read_bytes() for path in sorted(root.rglob("*"))
            if path.is_file() and not path.relative_to(root).as_posix().startswith(".steplint_cache/")}


def _fixed_copy(tmp_path: Path) -> Path:
    root = _copy(tmp_path, "after")
    result = run_steplint("--fix", "--unsafe-fixes", ".", cwd=root)
    assert result.returncode in (0, 1), result.stderr
    assert "Traceback" not in result.stderr
    return root


def test_the_legacy_pytorch_builder_gets_sl301_naming_its_smells(tmp_path):
    root = _copy(tmp_path, "before")
    result = run_steplint("--select", "SL3", ".", cwd=root)
    lines = [line for line in result.stdout.splitlines() if " SL3" in line]
    assert len(lines) == 1, result.stdout
    [line] = lines
    assert line.startswith(f"{BUILDER}:79:5: SL301 ad-hoc-get-inputs: ")
    assert "_get_inputs is not driven by PYTORCH_TRAINING_SPEC: iterates the inputs given, literal names" in line
    assert line.endswith("[unsafe fix: rewrite in the reference form (raises for 'config')]")
    reported = run_steplint("--select", "SL3", "--output-format", "json", ".", cwd=root)
    [finding] = json.loads(reported.stdout)
    assert "iterates the inputs it is given instead of walking self.spec.dependencies" in finding["help"]
    assert "logical names as string literals ('input_path', 'config')" in finding["help"]
    assert "names channels with literals ('data', 'config')" in finding["help"]
    assert "The contract maps 'config' where no channel is mounted" in finding["help"]


def test_without_unsafe_fixes_the_method_is_left_alone_and_the_output_says_so(tmp_path):
    root = _copy(tmp_path, "before")
    original = (root / BUILDER).read_bytes()
    checked = run_steplint(".", cwd=root)
    assert "[unsafe fix: rewrite in the reference form" in checked.stdout
    fixed = run_steplint("--fix", ".", cwd=root)
    assert (root / BUILDER).read_bytes() == original
    assert "SL301 ad-hoc-get-inputs" in fixed.stdout
    assert "more fixable with --unsafe-fixes" in fixed.stdout


def test_the_unsafe_fix_matches_the_golden_file_reparses_and_is_idempotent(tmp_path):
    root = _fixed_copy(tmp_path)
    text = (root / BUILDER).read_text()
    cst.parse_module(text)
    assert text == GOLDEN.read_text()
    before_second = _snapshot(root)
    second = run_steplint("--fix", "--unsafe-fixes", ".", cwd=root)
    assert "Traceback" not in second.stderr
    assert _snapshot(root) == before_second
    assert " SL301 " not in second.stdout and " SL303 " not in second.stdout


def test_the_unsafe_fix_touches_nothing_outside_the_builder_and_the_fixes_of_other_rules(tmp_path):
    original = _snapshot(_copy(tmp_path, "before"))
    only_sl301 = _copy(tmp_path, "only")
    run_steplint("--select", "SL301", "--fix", "--unsafe-fixes", ".", cwd=only_sl301)
    changed = {path for path, content in _snapshot(only_sl301).items() if original.get(path) != content}
    assert changed == {BUILDER}


def _channels(module, spec_module, inputs: dict) -> dict:
    """What the fixture builder's ``_get_inputs`` returns, as request dicts per channel."""
    builder_class = module.PyTorchTrainingStepBuilder
    config = module.PyTorchTrainingConfig(output_path="s3://bucket/model")
    builder = builder_class(config, role="arn:aws:iam::111122223333:role/SageMakerRole")
    assert builder.spec is spec_module.PYTORCH_TRAINING_SPEC
    return {name: channel.config for name, channel in builder._get_inputs(inputs).items()}


@pytest.mark.slow  # imports the builders, and with them the real SageMaker SDK
def test_the_rewrite_keeps_every_channel_of_every_declared_dependency(tmp_path):
    before_root = _copy(tmp_path, "before")
    after_root = _fixed_copy(tmp_path)
    with imported_package(before_root / "src", "mlpipelines") as load:
        spec_module = load("pipeline_step_specs.pytorch_training_spec")
        original_names = list(spec_module.PYTORCH_TRAINING_SPEC.dependencies)
        all_inputs = {name: f"s3://bucket/inputs/{name}" for name in original_names}
        before = _channels(load("pipeline_steps.builder_training_step_pytorch"), spec_module, all_inputs)
    with imported_package(after_root / "src", "mlpipelines") as load:
        spec_module = load("pipeline_step_specs.pytorch_training_spec")
        declared = list(spec_module.PYTORCH_TRAINING_SPEC.dependencies)
        after = _channels(load("pipeline_steps.builder_training_step_pytorch"), spec_module, all_inputs)
        after_declared_only = _channels(load("pipeline_steps.builder_training_step_pytorch"), spec_module,
                                        {name: all_inputs[name] for name in declared})

    assert declared == ["input_path"], "SL101/SL201 removed the redundant 'config' dependency"
    dead = {"config"}  # the channel built only by the branch for the removed dependency
    assert set(before) == {"data", "config"}
    assert after == {name: value for name, value in before.items() if name not in dead}
    assert after_declared_only == after
    assert after["data"]["DataSource"]["S3DataSource"]["S3Uri"] == "s3://bucket/inputs/input_path"


RENDER_BUILDER = f"""\
import json
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, "src")
from sagemaker.workflow.pipeline import Pipeline

from mlpipelines.configs.config_training_step_pytorch import PyTorchTrainingConfig
from mlpipelines.pipeline_steps.builder_training_step_pytorch import PyTorchTrainingStepBuilder
from tests.offline_sdk import pipeline_session

session, uploads = pipeline_session()
config = PyTorchTrainingConfig(output_path="s3://{BUCKET}/bsm/models")
builder = PyTorchTrainingStepBuilder(config, sagemaker_session=session, role="{ROLE}")
step = builder.create_step(inputs=json.loads(sys.argv[1]))
definition = json.loads(Pipeline(name="BsmTraining", steps=[step], sagemaker_session=session).definition())
print("RENDERED " + json.dumps({{"definition": definition,
                                "uploads": [[u.bucket, u.key, len(u.body)] for u in uploads]}}))
"""


# The SDK names the training job (and so the key the source_dir goes to) after the current time.
JOB_TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}-\d{2}-\d{2}-\d{2}-\d{3}")


def _render_in_subprocess(root: Path, inputs: dict, scratch: Path) -> dict:
    """The definition the fixture builder in ``root`` renders (and what the SDK uploaded),
    from a fresh interpreter, offline and under the network guard, in ``root`` (the config's
    ``source_dir`` is relative to it). Job-name timestamps read ``<time>``."""
    scratch.mkdir()
    script = scratch / "render.py"
    script.write_text(RENDER_BUILDER)
    completed = subprocess.run([sys.executable, "-m", "tests.offline_sdk", str(script), json.dumps(inputs)],
                               cwd=root, env=subprocess_environment(scratch, [REPO]), capture_output=True,
                               text=True, timeout=300)
    assert completed.returncode != NETWORK_ATTEMPT_EXIT, completed.stderr
    assert completed.returncode == 0, completed.stderr[-3000:]
    [line] = [line for line in completed.stdout.splitlines() if line.startswith("RENDERED ")]
    return json.loads(JOB_TIMESTAMP.sub("<time>", line.removeprefix("RENDERED ")))


@pytest.mark.slow  # renders with the real SageMaker SDK
def test_the_rewritten_builder_renders_the_definition_the_original_renders(tmp_path):
    """The unsafe fix end to end: fix a copy with the CLI, then render the step of the
    original and of the rewritten builder for the same spec-conforming inputs."""
    before_root = _copy(tmp_path, "before")
    after_root = _fixed_copy(tmp_path)
    assert (after_root / BUILDER).read_text() != (before_root / BUILDER).read_text()
    inputs = {"input_path": f"s3://{BUCKET}/bsm/preprocessed/run-1"}

    before = _render_in_subprocess(before_root, inputs, tmp_path / "render-before")
    after = _render_in_subprocess(after_root, inputs, tmp_path / "render-after")

    assert after == before
    [step] = after["definition"]["Steps"]
    arguments = step["Arguments"]
    assert [(channel["ChannelName"], channel["DataSource"]["S3DataSource"]["S3Uri"])
            for channel in arguments["InputDataConfig"]] == [("data", inputs["input_path"])]
    assert arguments["HyperParameters"]["sagemaker_program"] == '"train.py"'
    [(bucket, key, size)] = after["uploads"]  # the local source_dir, packed and uploaded
    assert key == "bsm-pytorch-train-<time>/source/sourcedir.tar.gz" and size > 0
    assert arguments["HyperParameters"]["sagemaker_submit_directory"] == f'"s3://{bucket}/{key}"'
