"""SL101 redundant-dependency: one bad and one good case per branch of the rule's condition.

The rule flags a dependency of a *training* spec whose builder passes ``hyperparameters=``
to its estimator, when the dependency is typed HYPERPARAMETERS or mapped to a file SageMaker
writes itself, unless (for a dependency not on a SageMaker-written path) the step's script
reads that input channel.
"""

from __future__ import annotations

from steplint.rules._examples import CONFIG_DEPENDENCY, CONTRACT, DATA_DEPENDENCY, SPEC, training_project

from tests.conftest import run_steplint, write_project
from tests.rule_projects import cli_findings, findings, fixed, line_of

BUILDER = "steps/builders/builder_training_step.py"
CHANNEL_FILE = "/opt/ml/input/data/config/hyperparameters.json"
WRITTEN_BY_SAGEMAKER = "/opt/ml/input/config/hyperparameters.json"


def step(*, dependencies=DATA_DEPENDENCY + CONFIG_DEPENDENCY, config_path=CHANNEL_FILE,
         estimator_kwargs="hyperparameters=self.config.hyperparameters,", script=None, **rest) -> dict:
    """A training step with a data dependency and (by default) a HYPERPARAMETERS dependency
    'config' mapped to ``config_path`` in the contract (no entry when ``config_path`` is None)."""
    paths = '"input_path": "/opt/ml/input/data"' + (f', "config": "{config_path}"' if config_path else "")
    return training_project(dependencies=dependencies, input_paths="{" + paths + "}",
                            estimator_kwargs=estimator_kwargs, script=script, **rest)


def reads(path_or_key: str) -> str:
    if path_or_key.startswith("/"):
        return f'import json\n\nwith open("{path_or_key}") as handle:\n    SETTINGS = json.load(handle)\n'
    return (f'def main(input_paths, output_paths):\n    with open(input_paths["{path_or_key}"]) as handle:\n'
            f'        return handle.read()\n')


def config_line(files: dict) -> int:
    """The line of the ``DependencySpec(`` that declares 'config' (where the finding points)."""
    line = line_of(files[SPEC], 'logical_name="config"') - 1
    assert files[SPEC].splitlines()[line - 1].strip() == "DependencySpec("
    return line


# -- the finding, as a user sees it -------------------------------------------------------


def test_hyperparameters_dependency_of_a_step_whose_estimator_gets_hyperparameters():
    files = step()
    [finding] = findings(files, "SL101")
    assert (finding.path, finding.line) == (SPEC, config_line(files))
    assert finding.says("dependency 'config' is redundant: TrainingStepBuilder passes hyperparameters= to PyTorch(...)")
    assert finding.helps("It is a HYPERPARAMETERS dependency", f"SageMaker writes {WRITTEN_BY_SAGEMAKER}",
                         "Remove the dependency and its 'config' entry in TRAINING_CONTRACT.")
    assert finding.fix == "remove dependency 'config'"


def test_cli_reports_it_with_its_location_and_fails_the_run(tmp_path):
    files = step()
    root = write_project(tmp_path, files)
    reported = [f for f in cli_findings(root) if f["code"] == "SL101"]
    assert [(f["filename"], f["location"]["row"]) for f in reported] == [(SPEC, config_line(files))]
    result = run_steplint("check", "--select", "SL101", ".", cwd=root)
    assert result.returncode == 1
    assert result.stdout.startswith(f"{SPEC}:{config_line(files)}:9: SL101 redundant-dependency: dependency 'config'")


def test_fix_removes_the_dependency_and_its_contract_entry():
    files = step()
    changed = fixed(files)
    assert 'logical_name="config"' not in changed[SPEC] and 'logical_name="input_path"' in changed[SPEC]
    assert '"config"' not in changed[CONTRACT] and '"input_path": "/opt/ml/input/data"' in changed[CONTRACT]
    assert findings({**files, **changed}, "SL101") == []


def test_data_dependency_alone_is_not_redundant():
    assert findings(step(dependencies=DATA_DEPENDENCY, config_path=None), "SL101") == []


def test_only_the_hyperparameters_dependency_is_flagged_not_the_data_one():
    assert [f.message.split("'")[1] for f in findings(step(), "SL101")] == ["config"]


# -- which step kinds -----------------------------------------------------------------------

REGISTRY = "steps/registry.py"


def with_registry(files: dict, sagemaker_step_type: str) -> dict:
    return {**files, REGISTRY: 'STEP_NAMES = {"ModelTraining": {"spec_type": "ModelTraining", '
                               f'"sagemaker_step_type": "{sagemaker_step_type}"}}}}\n'}


def test_a_step_the_registry_calls_training_is_checked():
    assert [f.code for f in findings(with_registry(step(), "Training"), "SL101")] == ["SL101"]


def test_a_step_the_registry_calls_processing_is_not():
    assert findings(with_registry(step(), "Processing"), "SL101") == []


# -- the builder must really pass hyperparameters= ----------------------------------------------


def test_estimator_without_hyperparameters_keyword_is_not_flagged():
    files = step(estimator="XGBoost", estimator_kwargs="output_path=self.config.output_path,")
    assert findings(files, "SL101") == []


def test_estimator_passing_hyperparameters_none_is_not_flagged():
    assert findings(step(estimator_kwargs="hyperparameters=None,"), "SL101") == []


def test_estimator_passing_a_literal_dict_is_flagged():
    files = step(estimator_kwargs='hyperparameters={"epochs": 3},')
    assert [(f.code, f.line) for f in findings(files, "SL101")] == [("SL101", config_line(files))]


def test_the_message_names_the_estimator_class_the_builder_constructs():
    files = step(estimator="TensorFlow")
    [finding] = findings(files, "SL101")
    assert finding.says("TrainingStepBuilder passes hyperparameters= to TensorFlow(...)")


# -- the exemption: a script that reads the channel ---------------------------------------------


def test_script_reading_the_channel_file_keeps_the_dependency():
    assert findings(step(script=reads(CHANNEL_FILE)), "SL101") == []


def test_script_reading_the_channel_by_its_contract_key_keeps_the_dependency():
    assert findings(step(script=reads("config")), "SL101") == []


def test_script_reading_another_channel_does_not_exempt_it():
    files = step(script=reads("/opt/ml/input/data/input_path/train.csv"))
    assert [(f.code, f.line) for f in findings(files, "SL101")] == [("SL101", config_line(files))]


def test_script_reading_another_contract_key_does_not_exempt_it():
    files = step(script=reads("input_path"))
    assert [(f.code, f.line) for f in findings(files, "SL101")] == [("SL101", config_line(files))]


def test_script_reading_a_file_sagemaker_writes_does_not_exempt_a_dependency_mapped_there():
    """The exemption is for deliberate channels: a dependency on SageMaker's own config
    directory is never delivered, whatever the script reads."""
    files = step(config_path=WRITTEN_BY_SAGEMAKER, script=reads(WRITTEN_BY_SAGEMAKER))
    [finding] = findings(files, "SL101")
    assert finding.line == config_line(files) and finding.says("dependency 'config' is redundant")
    assert finding.helps(f"Its contract path {WRITTEN_BY_SAGEMAKER} is written by SageMaker itself")


# -- a dependency mapped to a SageMaker-written file, whatever its type ---------------------------

TYPED_DATA_CONFIG = CONFIG_DEPENDENCY.replace("DependencyType.HYPERPARAMETERS", "DependencyType.TRAINING_DATA")
UNTYPED_CONFIG = CONFIG_DEPENDENCY.replace("    dependency_type=DependencyType.HYPERPARAMETERS,\n", "")


def test_other_type_mapped_to_a_sagemaker_written_file_is_flagged():
    files = step(dependencies=DATA_DEPENDENCY + TYPED_DATA_CONFIG, config_path=WRITTEN_BY_SAGEMAKER)
    [finding] = findings(files, "SL101")
    assert finding.line == config_line(files) and finding.says("dependency 'config' is redundant")
    assert finding.helps(f"Its contract path {WRITTEN_BY_SAGEMAKER} is written by SageMaker itself",
                         "no input channel is delivered there", "Remove the dependency and its 'config' entry in "
                         f"TRAINING_CONTRACT; a script that reads it through the contract's paths can open "
                         f"{WRITTEN_BY_SAGEMAKER} directly.") and "HYPERPARAMETERS" not in finding.help


def test_untyped_dependency_mapped_to_a_sagemaker_written_file_says_so():
    files = step(dependencies=DATA_DEPENDENCY + UNTYPED_CONFIG, config_path=WRITTEN_BY_SAGEMAKER)
    [finding] = findings(files, "SL101")
    assert finding.says("dependency 'config' is redundant")
    assert finding.helps(f"Its contract path {WRITTEN_BY_SAGEMAKER} is written by SageMaker itself")


def test_other_type_on_a_channel_path_is_not_flagged():
    assert findings(step(dependencies=DATA_DEPENDENCY + TYPED_DATA_CONFIG), "SL101") == []


def test_the_whole_config_directory_counts_as_sagemaker_written():
    files = step(dependencies=DATA_DEPENDENCY + TYPED_DATA_CONFIG, config_path="/opt/ml/input/config")
    assert [f.code for f in findings(files, "SL101")] == ["SL101"]


# -- the contract side of the help ------------------------------------------------------------


def test_no_contract_entry_means_no_contract_entry_in_the_help():
    files = step(config_path=None)
    [finding] = findings(files, "SL101")
    assert finding.says("dependency 'config' is redundant")
    assert finding.helps("Remove the dependency.") and "entry in" not in finding.help


def test_dependencies_built_at_run_time_are_not_judged():
    files = step()
    files[SPEC] = files[SPEC].replace(
        "dependencies=[", "dependencies=DYNAMIC + [", 1).replace("TRAINING_SPEC = ", "DYNAMIC = make()\n\nTRAINING_SPEC = ")
    assert findings(files, "SL101") == []
    assert [f.code for f in findings(files, "SL904")] == ["SL904"]


def test_suppressed_on_the_dependency_line():
    files = step()
    lines = files[SPEC].splitlines(keepends=True)
    index = config_line(files) - 1
    lines[index] = lines[index].rstrip("\n") + "  # steplint: ignore[SL101]\n"
    files[SPEC] = "".join(lines)
    assert findings(files, "SL101", "SL903") == []


def test_contract_paths_built_at_run_time_still_leave_the_type_to_judge():
    files = step()
    files[CONTRACT] = files[CONTRACT].replace(files[CONTRACT][files[CONTRACT].index("{"):files[CONTRACT].index("}") + 1],
                                              "build_input_paths()")
    assert "build_input_paths()" in files[CONTRACT]
    [finding] = findings(files, "SL101")
    assert finding.says("dependency 'config' is redundant") and finding.helps("It is a HYPERPARAMETERS dependency")
    assert "entry in" not in finding.help


def test_a_spec_without_contract_is_judged_by_the_type_alone():
    files = step()
    files[SPEC] = files[SPEC].replace("    script_contract=TRAINING_CONTRACT,\n", "")
    del files[CONTRACT]  # no contract at all (one named like the spec would be paired with it by evidence)
    [finding] = findings(files, "SL101")
    assert finding.line == config_line(files) and finding.helps("Remove the dependency.")
    assert "entry in" not in finding.help


def test_fix_removes_the_dependency_from_a_tuple_too():
    files = step()
    files[SPEC] = files[SPEC].replace("dependencies=[", "dependencies=(").replace("    ],\n    outputs",
                                                                                  "    ),\n    outputs")
    [finding] = findings(files, "SL101")
    assert finding.fix == "remove dependency 'config'"
    assert 'logical_name="config"' not in fixed(files)[SPEC]
