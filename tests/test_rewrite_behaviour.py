"""SL301's rewrite of the legacy PyTorch builder: golden file, idempotence, and unchanged behaviour.

The behaviour proof imports and runs our own fixture builder (a copy in a temporary
directory) before and after the fix and compares the channels ``_get_inputs`` returns.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import libcst as cst

from tests.conftest import FIXTURES, run_steplint
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
    assert "iterates the inputs it is given instead of walking self.spec.dependencies" in line
    assert "logical names as string literals ('input_path', 'config')" in line
    assert "names channels with literals ('data', 'config')" in line
    assert line.endswith("[unsafe fix: rewrite _get_inputs in the spec-driven reference form; it raises for "
                         "'config': the contract maps it where no channel is mounted]")


def test_without_unsafe_fixes_the_method_is_left_alone_and_the_output_says_so(tmp_path):
    root = _copy(tmp_path, "before")
    original = (root / BUILDER).read_bytes()
    checked = run_steplint(".", cwd=root)
    assert "[unsafe fix: rewrite _get_inputs" in checked.stdout
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
