"""SL401-SL409 (spec, contract, builder and script against each other): a bad and a good case
per branch of each rule's condition, on the catalog's processing and training steps
(rules/_catalog_examples.py). tests/test_alignment_rules.py holds the fixture projects,
the silence on Unknowns and the properties; this module pins each branch to the exact
finding (code, file, line, key words of its one-line message and of its help) or its absence.
SL405-SL409 report at the declaration a fix edits, with the script as a related file
(test_sl405_to_sl409_report_at_the_declaration_with_the_script_related checks it in the JSON
output for each rule).
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from steplint.api import check_paths, configure
from steplint.rules._catalog_examples import (
    BUILDER,
    CONTRACT,
    PROCESSING_STEP,
    SCRIPT,
    SPEC,
    TRAINING_BUILDER,
    TRAINING_CONTRACT,
    TRAINING_SCRIPT,
    TRAINING_SPEC,
    TRAINING_STEP,
    project,
)

from tests.conftest import run_steplint, write_project
from tests.rule_projects import cli_findings, findings, line_of, working_directory

READ_AT = "    label = "  # where the processing script's main() reads things


def processing(*changes, add=None) -> dict:
    return project(PROCESSING_STEP, *changes, add=add)


def training(*changes, add=None) -> dict:
    return project(TRAINING_STEP, *changes, add=add)


def script_reads(code: str, script: str = SCRIPT) -> tuple:
    """Make the processing script's main() run ``code`` (one or more statements) first."""
    if script == SCRIPT:
        return (SCRIPT, READ_AT, "    " + code.replace("\n", "\n    ") + "\n" + READ_AT)
    return (TRAINING_SCRIPT, 'if __name__ == "__main__":\n',
            'if __name__ == "__main__":\n    ' + code.replace("\n", "\n    ") + "\n")


def with_main_paths(*changes) -> dict:
    """The processing script's main() takes input_paths and output_paths, as spec-driven scripts do."""
    return processing((SCRIPT, "def main():\n", "def main(input_paths, output_paths):\n"),
                      (SCRIPT, "    main()\n", '    main({"DATA": INPUT_DIR}, {"processed_data": OUTPUT_DIR})\n'),
                      *changes)


@dataclass(frozen=True)
class Shown:
    """A finding as a user sees it, with its help and related files."""

    code: str
    path: str
    line: int
    message: str
    help: str
    related: tuple

    def says(self, *words: str) -> bool:
        return all(word in self.message for word in words)

    def helps(self, *words: str) -> bool:
        return all(word in self.help for word in words)


def only(files: dict, code: str) -> Shown:
    """The one finding of ``code`` for ``files``, checked in process through the public API."""
    with tempfile.TemporaryDirectory() as directory, working_directory(write_project(Path(directory), files)):
        result = check_paths(["."], configure(["."]))
        [finding] = [f for f in result.findings if f.code == code]
    assert len(finding.message) <= 120 and "\n" not in finding.message, finding.message
    return Shown(finding.code, Path(finding.path).as_posix(), finding.line, finding.message, finding.help,
                 tuple(Path(path).as_posix() for path in finding.related_paths))


def declaration_line(files: dict, contract: str = CONTRACT) -> int:
    """The line of the step's declaration (the contract's binding), where SL405-SL409 report what is missing."""
    name = "TRAINING_CONTRACT = " if contract == TRAINING_CONTRACT else "PREPROCESSING_CONTRACT = "
    return line_of(files[contract], name)


def test_the_catalog_steps_are_aligned():
    codes = ("SL401", "SL402", "SL403", "SL404", "SL405", "SL406", "SL407", "SL408", "SL409")
    assert findings(processing(), *codes) == []
    assert findings(training(), *codes) == []


# -- SL401 / SL402: a contract key no spec port has ------------------------------------------------


def test_sl401_renamed_key_with_a_hint():
    files = processing((CONTRACT, '{"DATA":', '{"data":'))
    finding = only(files, "SL401")
    assert (finding.path, finding.line) == (CONTRACT, line_of(files[CONTRACT], "expected_input_paths="))
    assert finding.says("expected_input_paths key 'data' is no dependency of PREPROCESSING_SPEC", "(close: 'DATA')")
    assert finding.helps("never mounted", "Rename the key to 'DATA'.")
    assert "uploaded" not in finding.help


def test_sl401_unrelated_key_without_a_hint():
    files = processing((CONTRACT, '{"DATA": "/opt/ml/processing/input/data"}',
                        '{"DATA": "/opt/ml/processing/input/data", "lookup": "/opt/ml/processing/input/lookup"}'))
    finding = only(files, "SL401")
    assert finding.says("key 'lookup'") and "close:" not in finding.message
    assert finding.helps("Rename the key to a dependency of PREPROCESSING_SPEC, or declare a dependency 'lookup'")


def test_sl402_output_key_says_never_uploaded():
    files = processing((CONTRACT, '{"processed_data":', '{"output_data":'))
    finding = only(files, "SL402")
    assert (finding.path, finding.line) == (CONTRACT, line_of(files[CONTRACT], "expected_output_paths="))
    assert finding.says("expected_output_paths key 'output_data' is no output of PREPROCESSING_SPEC")
    assert finding.helps("nothing the script writes there is uploaded") and "mounted" not in finding.help


def test_sl401_a_contract_no_spec_links_is_not_compared():
    """Unless the evidence pairs them (tests/test_evidence_pairing.py): here the contract is not
    named after the spec and its keys are not the spec's logical names."""
    files = processing((SPEC, "    script_contract=PREPROCESSING_CONTRACT,\n", ""),
                       (SPEC, "from steps.contracts.preprocessing_contract import PREPROCESSING_CONTRACT\n", ""),
                       (CONTRACT, '{"DATA":', '{"data":'))
    files["steps/contracts/cleaning_contract.py"] = files.pop(CONTRACT).replace("PREPROCESSING_CONTRACT",
                                                                              "CLEANING_CONTRACT")
    assert findings(files, "SL401", "SL403") == []


def test_sl401_spec_ports_built_at_run_time_are_not_compared():
    files = processing((CONTRACT, '{"DATA":', '{"data":'),
                       (SPEC, "    dependencies=[\n", "    dependencies=EXTRA + [\n"))
    assert findings(files, "SL401") == []


# -- SL403 / SL404: a spec port with no contract path --------------------------------------------------


def test_sl403_dependency_without_a_path():
    files = processing((CONTRACT, '{"DATA":', '{"data":'))
    finding = only(files, "SL403")
    assert (finding.path, finding.line) == (SPEC, line_of(files[SPEC], "        DependencySpec("))
    assert finding.says("dependency 'DATA' of PREPROCESSING_SPEC has no path in expected_input_paths of "
                        "PREPROCESSING_CONTRACT", "(close: 'data')")
    assert finding.helps("raises ValueError for a missing container path", "Rename 'data' in expected_input_paths to 'DATA'.")


def test_sl404_processing_output_without_a_path_cannot_become_a_processing_output():
    files = processing((CONTRACT, '{"processed_data":', '{"output_data":'))
    finding = only(files, "SL404")
    assert (finding.path, finding.line) == (SPEC, line_of(files[SPEC], "        OutputSpec("))
    assert finding.says("output 'processed_data' of PREPROCESSING_SPEC has no path in expected_output_paths")
    assert finding.helps("cannot create the ProcessingOutput")


def test_sl404_training_output_without_a_path_says_only_what_a_training_job_implies():
    files = training((TRAINING_CONTRACT, '{"model_output": "/opt/ml/model"}', '{"model": "/opt/ml/model"}'))
    finding = only(files, "SL404")
    assert finding.path == TRAINING_SPEC
    assert finding.says("output 'model_output' of TRAINING_SPEC") and finding.helps("has no container directory for it")
    assert "ProcessingOutput" not in finding.help and "resolves to nothing" not in finding.help
    assert finding.helps("Add 'model_output' with its container path to expected_output_paths of TRAINING_CONTRACT")


def test_sl403_contract_paths_built_at_run_time_are_not_compared():
    files = processing((CONTRACT, '{"DATA": "/opt/ml/processing/input/data"}', "make_paths()"))
    assert findings(files, "SL403") == []


# -- SL405: what the script reads that the contract does not declare ------------------------------------


def test_sl405_undeclared_input_key_by_subscript_raises_key_error():
    files = with_main_paths(script_reads('meta = input_paths["metadata"]'))
    finding = only(files, "SL405")
    # reported at the script's own __main__ block, which builds the dict: the declaration a fix edits
    assert (finding.path, finding.line) == (SCRIPT, line_of(files[SCRIPT], 'if __name__ == "__main__":'))
    read = line_of(files[SCRIPT], 'input_paths["metadata"]')
    assert finding.says(f"preprocess.py:{read} reads input_paths['metadata']; its __main__ passes no such key")
    assert finding.helps("this subscript raises KeyError", "add 'metadata' to it")
    assert finding.related == (CONTRACT,)


def with_framework_paths(*changes) -> dict:
    """main() takes input_paths and output_paths from a caller outside the script (its own
    __main__ builds none): the contract's keys are what it gets."""
    return processing((SCRIPT, "def main():\n", "def main(input_paths, output_paths):\n"),
                      (SCRIPT, "    main()\n", "    pass\n"), *changes)


def test_sl405_undeclared_key_against_the_contract_when_the_script_builds_no_paths_itself():
    files = with_framework_paths(script_reads('meta = input_paths["metadata"]'))
    finding = only(files, "SL405")
    assert (finding.path, finding.line, finding.related) == (CONTRACT, declaration_line(files), (SCRIPT,))
    read = line_of(files[SCRIPT], 'input_paths["metadata"]')
    assert finding.says(f"preprocess.py:{read} reads input_paths['metadata']; expected_input_paths of "
                        "PREPROCESSING_CONTRACT has no such key")
    assert finding.helps("this subscript raises KeyError",
                         "add 'metadata' to expected_input_paths and a dependency 'metadata' to PREPROCESSING_SPEC")


def test_sl405_undeclared_input_key_by_get_always_gets_its_default():
    files = with_main_paths(script_reads('meta = input_paths.get("metadata")'))
    finding = only(files, "SL405")
    assert finding.says("reads input_paths.get('metadata')") and finding.helps("always gets its default")
    assert "KeyError" not in finding.help


def test_sl405_undeclared_output_key_with_a_hint():
    files = with_main_paths(script_reads('out = output_paths["processed"]'))
    assert only(files, "SL405").says("reads output_paths['processed']; its __main__ passes no such key "
                                     "(close: 'processed_data')")


def test_sl405_declared_keys_are_fine():
    files = with_main_paths(script_reads('data = input_paths["DATA"]\nout = output_paths["processed_data"]'))
    assert findings(files, "SL405") == []


def test_sl405_a_subscript_guarded_by_a_membership_test_is_never_made_when_absent():
    files = with_main_paths(script_reads('if "metadata" in input_paths:\n    meta = input_paths["metadata"]'))
    assert findings(files, "SL405") == []


def test_sl405_fallback_of_a_declared_lookup_is_never_made():
    files = with_main_paths(script_reads('data = input_paths.get("DATA", input_paths.get("data_dir"))'))
    assert findings(files, "SL405") == []


def test_sl405_undeclared_container_directory():
    files = processing(script_reads('meta = "/opt/ml/processing/input/metadata"'))
    finding = only(files, "SL405")
    assert (finding.path, finding.line, finding.related) == (CONTRACT, declaration_line(files), (SCRIPT,))
    read = line_of(files[SCRIPT], "/opt/ml/processing/input/metadata")
    assert finding.says(f"preprocess.py:{read} uses /opt/ml/processing/input/metadata, which PREPROCESSING_CONTRACT "
                        "does not declare")
    assert finding.helps("nothing is mounted at /opt/ml/processing/input/metadata",
                         "(and a matching port in PREPROCESSING_SPEC)")


def test_sl405_a_file_below_a_declared_directory_is_declared():
    assert findings(processing(script_reads('train = "/opt/ml/processing/input/data/train.csv"')), "SL405") == []


def test_sl405_the_processing_containers_own_config_needs_no_declaration():
    assert findings(processing(script_reads('config = "/opt/ml/config/processingjobconfig.json"')), "SL405") == []


def test_sl405_a_training_platform_path_is_not_one_of_a_processing_container():
    files = processing(script_reads('model = "/opt/ml/model/model.pkl"'))
    assert only(files, "SL405").says("uses /opt/ml/model/model.pkl")


def test_sl405_a_training_script_may_use_the_model_and_config_directories():
    files = training(script_reads('hp = "/opt/ml/input/config/hyperparameters.json"\nout = "/opt/ml/model/extra"',
                                  TRAINING_SCRIPT))
    assert findings(files, "SL405") == []


def test_sl405_paths_are_not_judged_when_the_contract_paths_are_unknown():
    files = processing(script_reads('meta = "/opt/ml/processing/input/metadata"'),
                       (CONTRACT, '{"DATA": "/opt/ml/processing/input/data"}', "make_paths()"))
    assert findings(files, "SL405") == []


CHANNEL_CONTRACT = (TRAINING_CONTRACT, '{"input_path": "/opt/ml/input/data"}',
                    '{"input_path": "/opt/ml/input/data/train"}')
CHANNEL_SCRIPT = (TRAINING_SCRIPT, '"/opt/ml/input/data/data/train"', '"/opt/ml/input/data/train"')


def test_sl405_channel_variable_of_a_channel_the_contract_does_not_give():
    files = training(CHANNEL_CONTRACT, CHANNEL_SCRIPT, script_reads('val = os.environ["SM_CHANNEL_VALIDATION"]', TRAINING_SCRIPT))
    finding = only(files, "SL405")
    assert (finding.path, finding.line) == (TRAINING_CONTRACT, declaration_line(files, TRAINING_CONTRACT))
    assert finding.related == (TRAINING_BUILDER, TRAINING_SCRIPT)
    read = line_of(files[TRAINING_SCRIPT], "SM_CHANNEL_VALIDATION")
    assert finding.says(f"train.py:{read} reads SM_CHANNEL_VALIDATION; the only channel of TRAINING_CONTRACT is 'train'")
    assert finding.helps("this subscript raises KeyError", "Read SM_CHANNEL_TRAIN, or give the step a channel 'validation'")


def test_sl405_channel_variable_read_with_a_default_always_gets_it():
    files = training(CHANNEL_CONTRACT, CHANNEL_SCRIPT, script_reads('val = os.environ.get("SM_CHANNEL_VAL", "/tmp")', TRAINING_SCRIPT))
    finding = only(files, "SL405")
    assert finding.says("reads SM_CHANNEL_VAL") and finding.helps("always gets its default")


def test_sl405_channel_variable_of_a_declared_channel_is_fine():
    files = training(CHANNEL_CONTRACT, CHANNEL_SCRIPT, script_reads('train = os.environ["SM_CHANNEL_TRAIN"]', TRAINING_SCRIPT))
    assert findings(files, "SL405") == []


def test_sl405_channel_variables_are_not_judged_when_the_builder_names_the_channels():
    """A contract path at the channel root leaves the channel names to the builder."""
    files = training(script_reads('val = os.environ["SM_CHANNEL_VALIDATION"]', TRAINING_SCRIPT))
    assert findings(files, "SL405") == []


def test_sl405_channel_variables_are_not_judged_when_one_contract_path_is_the_channel_root():
    files = training((TRAINING_CONTRACT, '{"input_path": "/opt/ml/input/data"}',
                      '{"input_path": "/opt/ml/input/data", "train": "/opt/ml/input/data/train"}'),
                     script_reads('val = os.environ["SM_CHANNEL_VALIDATION"]', TRAINING_SCRIPT))
    assert findings(files, "SL405") == []


def test_sl405_an_input_outside_the_channel_root_does_not_hide_the_named_channels():
    files = training((TRAINING_CONTRACT, '{"input_path": "/opt/ml/input/data"}',
                      '{"input_path": "/opt/ml/input/data/train", "settings": "/opt/ml/input/config/settings.json"}'),
                     CHANNEL_SCRIPT, script_reads('val = os.environ["SM_CHANNEL_VALIDATION"]', TRAINING_SCRIPT))
    assert only(files, "SL405").says("reads SM_CHANNEL_VALIDATION", "the only channel of TRAINING_CONTRACT is 'train'")


def test_sl405_channel_variables_of_a_processing_script_are_not_judged():
    files = processing(script_reads('val = os.environ.get("SM_CHANNEL_VALIDATION")'))
    assert findings(files, "SL405") == []


# -- SL406: an env var no route sets --------------------------------------------------------------------


def test_sl406_undeclared_env_var_by_subscript():
    files = processing(script_reads('seed = os.environ["SEED"]'))
    finding = only(files, "SL406")
    assert (finding.path, finding.line, finding.related) == (CONTRACT, declaration_line(files), (BUILDER, SCRIPT))
    read = line_of(files[SCRIPT], '"SEED"')
    assert finding.says(f"preprocess.py:{read} reads env var 'SEED'; PREPROCESSING_CONTRACT does not declare it")
    assert finding.helps("No route into this step's container sets it, so this subscript raises KeyError",
                         "Add 'SEED' to required_env_vars or optional_env_vars")


def test_sl406_undeclared_env_var_by_get_is_a_silent_default_with_a_hint():
    files = processing(script_reads('ratio = os.getenv("TRAIN_RATE")'))
    finding = only(files, "SL406")
    assert finding.says("'TRAIN_RATE'", "(close: 'TRAIN_RATIO')")
    assert finding.helps("always gets its default", "Read 'TRAIN_RATIO', or add 'TRAIN_RATE'")
    assert "KeyError" not in finding.help


@pytest.mark.parametrize("read", ['os.environ["LABEL_FIELD"]', 'os.environ.get("TRAIN_RATIO")',
                                  'os.environ["SM_CURRENT_HOST"]'])
def test_sl406_declared_and_sagemaker_variables_are_fine(read):
    assert findings(processing(script_reads(f"value = {read}")), "SL406") == []


def test_sl406_a_variable_the_builder_passes_is_set():
    files = processing(script_reads('seed = os.environ["SEED"]'),
                       (BUILDER, 'instance_type="ml.m5.xlarge")', 'instance_type="ml.m5.xlarge", env={"SEED": "1"})'))
    assert findings(files, "SL406") == []


def test_sl406_when_the_builder_passes_other_variables_the_message_says_it_passes_no_such_env():
    files = processing(script_reads('seed = os.environ["SEED"]'),
                       (BUILDER, 'instance_type="ml.m5.xlarge")', 'instance_type="ml.m5.xlarge", env={"MODE": "1"})'))
    assert only(files, "SL406").says("neither PREPROCESSING_CONTRACT nor TabularPreprocessingStepBuilder sets it")


def test_sl406_an_environment_the_builder_computes_keeps_it_silent():
    files = processing(script_reads('seed = os.environ["SEED"]'),
                       (BUILDER, 'instance_type="ml.m5.xlarge")', 'instance_type="ml.m5.xlarge", env=make_env())'))
    assert findings(files, "SL406") == []


def test_sl406_contract_env_built_at_run_time_keeps_it_silent():
    files = processing(script_reads('seed = os.environ["SEED"]'),
                       (CONTRACT, 'required_env_vars=["LABEL_FIELD"]', "required_env_vars=make_names()"))
    assert findings(files, "SL406") == []


# -- SL407: a declared env var the script never reads ----------------------------------------------------


def test_sl407_optional_var_never_read_has_no_effect():
    files = processing((CONTRACT, '{"TRAIN_RATIO": "0.7"}', '{"TRAIN_RATIO": "0.7", "RANDOM_SEED": "42"}'))
    finding = only(files, "SL407")
    assert (finding.path, finding.line) == (CONTRACT, line_of(files[CONTRACT], "optional_env_vars="))
    assert finding.says("env var 'RANDOM_SEED' of PREPROCESSING_CONTRACT is never read by preprocess.py")
    assert finding.helps("Any value set for it has no effect", "Remove it from required_env_vars or optional_env_vars")
    assert finding.related == (SCRIPT,)


def test_sl407_required_var_never_read_costs_configuration():
    files = processing((CONTRACT, '["LABEL_FIELD"]', '["LABEL_FIELD", "ID_FIELD"]'))
    finding = only(files, "SL407")
    assert finding.line == line_of(files[CONTRACT], "required_env_vars=")
    assert finding.says("env var 'ID_FIELD'") and finding.helps("The pipeline must configure it for nothing")


def test_sl407_library_variables_are_exempt():
    files = processing((CONTRACT, '["LABEL_FIELD"]', '["LABEL_FIELD", "AWS_REGION"]'))
    assert findings(files, "SL407") == []


def test_sl407_a_script_that_reads_the_whole_environment_may_read_it():
    files = processing((CONTRACT, '["LABEL_FIELD"]', '["LABEL_FIELD", "ID_FIELD"]'),
                       script_reads("settings = dict(os.environ)"))
    assert findings(files, "SL407") == []


def test_sl407_a_step_without_script_is_not_judged():
    files = project(PROCESSING_STEP[:4] + PROCESSING_STEP[5:], (CONTRACT, '["LABEL_FIELD"]', '["LABEL_FIELD", "X"]'))
    assert SCRIPT not in files and findings(files, "SL407") == []


def test_sl407_is_a_warning_that_does_not_fail_the_run(tmp_path):
    files = processing((CONTRACT, '["LABEL_FIELD"]', '["LABEL_FIELD", "ID_FIELD"]'))
    root = write_project(tmp_path, files)
    reported = cli_findings(root)
    assert [(f["code"], f["filename"]) for f in reported] == [("SL407", CONTRACT)]
    assert run_steplint("check", ".", cwd=root).returncode == 0
    assert run_steplint("check", "--fail-on", "warning", ".", cwd=root).returncode == 1


# -- SL408: arguments against the script's parser ---------------------------------------------------------


def test_sl408_expected_argument_the_parser_does_not_define():
    files = processing((CONTRACT, '{"job-type": "training"}', '{"job-type": "training", "mode": "full"}'))
    finding = only(files, "SL408")
    assert (finding.path, finding.line) == (CONTRACT, line_of(files[CONTRACT], "expected_arguments="))
    assert finding.says("argument 'mode' is passed as --mode; preprocess.py defines no such option")
    assert finding.helps("'unrecognized arguments'", "Add --mode to the script's parser")
    assert finding.related == (SCRIPT,)


def test_sl408_an_option_defined_by_dest_matches():
    files = processing((CONTRACT, '{"job-type": "training"}', '{"job-type": "training", "mode": "full"}'),
                       (SCRIPT, 'parser.add_argument("--job-type", required=True)',
                        'parser.add_argument("--job-type", required=True)\n'
                        '    parser.add_argument("-m", dest="mode")'))
    assert findings(files, "SL408") == []


def test_sl408_a_positional_argument_is_no_option():
    files = processing((CONTRACT, '{"job-type": "training"}', '{"job-type": "training", "mode": "full"}'),
                       (SCRIPT, 'parser.add_argument("--job-type", required=True)',
                        'parser.add_argument("--job-type", required=True)\n    parser.add_argument("mode")'))
    assert only(files, "SL408").says("argument 'mode'")


def test_sl408_a_script_without_a_parser_is_not_judged():
    files = processing((CONTRACT, '{"job-type": "training"}', '{"job-type": "training", "mode": "full"}'),
                       (SCRIPT, '    parser.add_argument("--job-type", required=True)\n', ""))
    assert findings(files, "SL408") == []


def test_sl408_required_processing_option_nobody_supplies():
    files = processing((SCRIPT, 'required=True)\n', 'required=True)\n    parser.add_argument("--label-field", '
                                                   'required=True)\n'))
    finding = only(files, "SL408")
    assert (finding.path, finding.line, finding.related) == (CONTRACT, declaration_line(files), (BUILDER, SCRIPT))
    option = line_of(files[SCRIPT], '"--label-field"')
    assert finding.says(f"preprocess.py:{option} requires --label-field; neither PREPROCESSING_CONTRACT nor "
                        "TabularPreprocessingStepBuilder passes it")
    assert finding.helps("'the following arguments are required'", "Add 'label-field' to expected_arguments")


@pytest.mark.parametrize("option", ['"--label-field", default="y"', '"--label-field"', '"--label-field", required=False'])
def test_sl408_an_option_that_is_not_required_needs_no_argument(option):
    files = processing((SCRIPT, 'required=True)\n', f'required=True)\n    parser.add_argument({option})\n'))
    assert findings(files, "SL408") == []


def test_sl408_a_required_option_given_by_dest_is_supplied():
    files = processing((SCRIPT, 'parser.add_argument("--job-type", required=True)',
                        'parser.add_argument("-j", dest="job_type", required=True)'))
    assert findings(files, "SL408") == []


def test_sl408_required_options_of_a_training_script_are_not_judged():
    """A training job's arguments are its hyperparameters, which steplint does not follow."""
    files = training((TRAINING_SCRIPT, "import os\n", 'import argparse\nimport os\n\nPARSER = argparse.ArgumentParser()\n'
                                                      'PARSER.add_argument("--epochs", required=True)\n'
                                                      'ARGS = PARSER.parse_args()\n'))
    assert findings(files, "SL408") == []


# -- SL409: channels against the paths -----------------------------------------------------------------------


def test_sl409_script_path_under_a_channel_the_single_data_channel_does_not_provide():
    files = training((TRAINING_CONTRACT, '"/opt/ml/input/data"', '"/opt/ml/input/data"'),
                     (TRAINING_SCRIPT, '"/opt/ml/input/data/data/train"', '"/opt/ml/input/data/train"'))
    finding = only(files, "SL409")
    # at the contract's input path through which the script's path is declared
    assert (finding.path, finding.line) == (TRAINING_CONTRACT, line_of(files[TRAINING_CONTRACT], "expected_input_paths"))
    assert finding.related == (TRAINING_BUILDER, TRAINING_SCRIPT)
    read = line_of(files[TRAINING_SCRIPT], "/opt/ml/input/data/train")
    assert finding.says(f"train.py:{read} reads /opt/ml/input/data/train in channel 'train', which "
                        "PyTorchTrainingStepBuilder does not create")
    assert finding.helps("creates only 'data'", "with the single 'data' channel this directory is "
                         "/opt/ml/input/data/data/train", "It is declared by 'input_path' (/opt/ml/input/data)")


def test_sl409_contract_path_under_a_channel_the_builder_does_not_create():
    files = training(CHANNEL_CONTRACT)
    finding = only(files, "SL409")
    assert (finding.path, finding.line) == (TRAINING_CONTRACT, line_of(files[TRAINING_CONTRACT], "expected_input_paths"))
    assert finding.says("input 'input_path' is in channel 'train', which PyTorchTrainingStepBuilder does not create")
    assert finding.helps("this directory is /opt/ml/input/data/data/train")
    assert finding.related == (TRAINING_BUILDER,)


def test_sl409_several_channels_give_no_single_channel_hint():
    files = training(CHANNEL_CONTRACT, (TRAINING_BUILDER, 'return {"data": TrainingInput(s3_data=base_path)}',
                                        'return {"val": TrainingInput(s3_data=base_path + "val/"), '
                                        '"test": TrainingInput(s3_data=base_path + "test/")}'))
    finding = only(files, "SL409")
    assert finding.helps("creates only 'test', 'val'") and "single 'data' channel" not in finding.help


def test_sl409_a_channel_the_builder_creates_is_fine():
    files = training(CHANNEL_CONTRACT, (TRAINING_BUILDER, '{"data": TrainingInput', '{"train": TrainingInput'),
                     (TRAINING_SCRIPT, '"/opt/ml/input/data/data/train"', '"/opt/ml/input/data/train/part-0.csv"'))
    assert findings(files, "SL409") == []


def test_sl409_an_undeclared_script_path_is_left_to_sl405():
    files = training(CHANNEL_CONTRACT, (TRAINING_BUILDER, '{"data": TrainingInput', '{"train": TrainingInput'),
                     (TRAINING_SCRIPT, '"/opt/ml/input/data/data/train"', '"/opt/ml/input/data/val"'))
    assert findings(files, "SL409") == []
    assert [f.code for f in findings(files, "SL405")] == ["SL405"]


def test_sl409_channels_the_builder_computes_keep_it_silent():
    files = training((TRAINING_SCRIPT, '"/opt/ml/input/data/data/train"', '"/opt/ml/input/data/train"'),
                     (TRAINING_BUILDER, 'return {"data": TrainingInput(s3_data=base_path)}',
                      'return {name: TrainingInput(s3_data=base_path + name) for name in NAMES}'))
    assert findings(files, "SL409") == []


def test_messages_name_the_declaration_in_the_words_of_the_step_s_form():
    """A script path no step declares: the remedy names where a Python contract declares it."""
    files = processing((SCRIPT, 'OUTPUT_DIR = "/opt/ml/processing/output"\n',
                        'OUTPUT_DIR = "/opt/ml/processing/output"\nEXTRA_DIR = "/opt/ml/processing/extra"\n'),
                       *[script_reads("print(EXTRA_DIR)")])
    assert only(files, "SL405").helps("Declare it in expected_input_paths or expected_output_paths")


# -- Where SL405-SL409 report: at the declaration a fix edits, the script related -----------------------

LABEL_OPTION = (SCRIPT, 'required=True)\n', 'required=True)\n    parser.add_argument("--label-field", required=True)\n')
WHERE_CASES = {
    # code: (files, the file and the text of the line reported, the script's text read, the related files)
    "SL405": (processing(script_reads('meta = "/opt/ml/processing/input/metadata"')),
              CONTRACT, "PREPROCESSING_CONTRACT = ", "/opt/ml/processing/input/metadata", {SCRIPT}),
    "SL406": (processing(script_reads('seed = os.environ["SEED"]')),
              CONTRACT, "PREPROCESSING_CONTRACT = ", '"SEED"', {SCRIPT, BUILDER}),
    "SL407": (processing((CONTRACT, '["LABEL_FIELD"]', '["LABEL_FIELD", "ID_FIELD"]')),
              CONTRACT, "required_env_vars=", None, {SCRIPT}),
    "SL408": (processing(LABEL_OPTION), CONTRACT, "PREPROCESSING_CONTRACT = ", '"--label-field"', {SCRIPT, BUILDER}),
    "SL409": (training(CHANNEL_SCRIPT), TRAINING_CONTRACT, "expected_input_paths=", "/opt/ml/input/data/train",
              {TRAINING_SCRIPT, TRAINING_BUILDER}),
}


@pytest.mark.parametrize("code", sorted(WHERE_CASES))
def test_sl405_to_sl409_report_at_the_declaration_with_the_script_related(code, tmp_path):
    files, path, line_text, read_text, related = WHERE_CASES[code]
    root = write_project(tmp_path, files)
    [finding] = [f for f in cli_findings(root) if f["code"] == code]
    assert (finding["filename"], finding["location"]["row"]) == (path, line_of(files[path], line_text))
    assert set(finding["related"]) == related
    script = next(name for name in related if name.startswith("steps/scripts/"))
    if read_text is not None:  # the script's line is named in the message
        assert f"{Path(script).name}:{line_of(files[script], read_text)} " in finding["message"]
    assert finding["help"]


def test_a_suppression_goes_on_the_reported_declaration_line(tmp_path):
    """SL406 is reported at the contract's declaration: an ignore comment there silences it,
    one on the script's read (where SL405/SL406 used to be reported) does not."""
    on_script = processing(script_reads('seed = os.environ["SEED"]  # steplint: ignore[SL406]'))
    assert [f["code"] for f in cli_findings(write_project(tmp_path / "script", on_script))].count("SL406") == 1
    on_contract = processing(script_reads('seed = os.environ["SEED"]'),
                             (CONTRACT, "PREPROCESSING_CONTRACT = ProcessingScriptContract(",
                              "PREPROCESSING_CONTRACT = ProcessingScriptContract(  # steplint: ignore[SL406]"))
    assert "SL406" not in [f["code"] for f in cli_findings(write_project(tmp_path / "contract", on_contract))]


def test_sl401_a_rename_names_the_script_s_reads_of_the_key_too():
    """Renaming the contract key alone would leave the script's input_paths['data'] undeclared (SL405)."""
    files = with_framework_paths((CONTRACT, '{"DATA":', '{"data":'), script_reads('data = input_paths["data"]'))
    assert only(files, "SL401").helps("Rename the key to 'DATA' (and the script's input_paths['data'] reads).")
    assert findings(files, "SL405") == []


def test_sl409_one_finding_per_input_and_channel_whatever_the_number_of_reads():
    """The contract's input is in a channel the builder does not create, and the script reads two
    paths there: one finding, at the input, naming the script's reads in its help."""
    files = training(CHANNEL_CONTRACT, CHANNEL_SCRIPT,
                     script_reads('part = "/opt/ml/input/data/train/part-1.csv"', TRAINING_SCRIPT))
    finding = only(files, "SL409")
    assert (finding.path, finding.line) == (TRAINING_CONTRACT, line_of(files[TRAINING_CONTRACT], "expected_input_paths"))
    assert finding.says("input 'input_path' is in channel 'train'")
    assert finding.related == (TRAINING_BUILDER, TRAINING_SCRIPT)
    for text in ('"/opt/ml/input/data/train"', "part-1.csv"):
        assert f"train.py:{line_of(files[TRAINING_SCRIPT], text)} reads" in finding.help
